//! The write path: only changed files written, stale generated files pruned, foreign files
//! kept, all-or-nothing on failure.

mod common;

use std::fs;
use std::io;
use std::time::{Duration, SystemTime};

use camino::{Utf8Path, Utf8PathBuf};
use gen_render::write::{compare, write, write_with};
use gen_render::{Bundle, render_profile};

/// A fresh folder in the temporary directory, removed when the test is done with it.
struct TempDir {
    path: Utf8PathBuf,
    _removed_on_drop: tempfile::TempDir,
}

impl std::ops::Deref for TempDir {
    type Target = Utf8Path;
    fn deref(&self) -> &Utf8Path {
        &self.path
    }
}

fn temp_out(tag: &str) -> TempDir {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("gen-write-{tag}-"))
        .tempdir()
        .unwrap();
    TempDir {
        path: Utf8PathBuf::from_path_buf(tmp.path().to_path_buf()).unwrap(),
        _removed_on_drop: tmp,
    }
}

fn example() -> Bundle {
    render_profile(&common::example("single-team")).unwrap()
}

fn snapshot(dir: &Utf8Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in d.read_dir_utf8().unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path().to_path_buf());
            } else {
                all.push((e.path().to_string(), fs::read(e.path()).unwrap()));
            }
        }
    }
    all.sort();
    all
}

#[test]
fn first_write_creates_everything_and_a_second_writes_nothing() {
    let out = temp_out("fresh");
    let bundle = example();
    let first = write(&out, &bundle).unwrap();
    assert_eq!(first.created.len(), bundle.files.len());
    let file = out.join("single-team/platform/server-mlserver.yaml");
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let second = write(&out, &bundle).unwrap();
    assert!(second.is_clean(), "{second:?}");
    assert_eq!(second.unchanged, bundle.files.len());
    assert_eq!(
        fs::metadata(&file).unwrap().modified().unwrap(),
        old,
        "unchanged files keep their mtime"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }
}

#[test]
fn edited_file_is_reported_stale_then_restored() {
    let out = temp_out("stale");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let rel = "apps/financial-prediction/model-risk-scorer.yaml";
    let path = out.join("single-team").join(rel);
    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("replicas: 2", "replicas: 9");
    fs::write(&path, edited).unwrap();
    let changes = compare(&out, &bundle).unwrap();
    assert_eq!(changes.updated, vec![rel.to_string()]);
    assert!(!changes.is_clean());
    write(&out, &bundle).unwrap();
    assert!(compare(&out, &bundle).unwrap().is_clean());
}

#[test]
fn removed_model_is_pruned_and_foreign_files_survive() {
    let out = temp_out("prune");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let foreign = out.join("single-team/apps/financial-prediction/NOTES.md");
    fs::write(&foreign, "team notes\n").unwrap();
    let mut smaller = bundle.clone();
    let removed = "apps/market-signals/model-volatility.yaml";
    smaller.files.remove(removed);
    // Drop a whole folder too: its empty directory goes away.
    smaller.files.retain(|k, _| {
        !k.starts_with("apps/market-signals/") || k == "apps/market-signals/kustomization.yaml"
    });
    let changes = write(&out, &smaller).unwrap();
    assert!(changes.pruned.contains(&removed.to_string()), "{changes:?}");
    assert!(!out.join("single-team").join(removed).exists());
    assert_eq!(
        changes.foreign,
        vec!["apps/financial-prediction/NOTES.md".to_string()]
    );
    assert_eq!(fs::read_to_string(&foreign).unwrap(), "team notes\n");
}

#[test]
fn a_foreign_file_at_a_bundle_path_is_never_overwritten() {
    let out = temp_out("foreign");
    let bundle = example();
    let path = out.join("single-team/platform/server-mlserver.yaml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "hand-written\n").unwrap();
    let err = write(&out, &bundle).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(fs::read_to_string(&path).unwrap(), "hand-written\n");
    assert_eq!(snapshot(&out).len(), 1, "nothing else was written");
}

#[test]
fn a_failure_half_way_leaves_the_previous_bundle_intact() {
    let out = temp_out("crash");
    let old = example();
    write(&out, &old).unwrap();
    let before = snapshot(&out);
    let mut new = old.clone();
    for text in new.files.values_mut() {
        text.push_str("# changed\n");
    }
    let half = new.files.len() / 2;
    let err = write_with(&out, &new, &|n| {
        if n == half {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "injected failure");
    assert_eq!(
        snapshot(&out),
        before,
        "old bundle exactly as it was, no temp files left"
    );
    write(&out, &new).unwrap();
    assert!(compare(&out, &new).unwrap().is_clean());
}

#[test]
fn bundle_names_cannot_escape_the_output_folder() {
    let out = temp_out("escape");
    let mut bundle = example();
    bundle.name = "../escape".to_string();
    assert_eq!(
        write(&out, &bundle).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
    let mut bundle = example();
    bundle.files.insert(
        "../../evil.yaml".to_string(),
        "# Generated by gen\n".to_string(),
    );
    assert_eq!(
        write(&out, &bundle).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
    assert!(!out.join("evil.yaml").exists() && !out.parent().unwrap().join("evil.yaml").exists());
}

#[test]
fn streaming_write_matches_the_in_memory_bundle() {
    let out = temp_out("stream");
    for name in common::EXAMPLES {
        let (bundle_name, changes) =
            gen_render::ops::write_profile(&common::example(name), &out).unwrap();
        assert_eq!(bundle_name, *name);
        let bundle = render_profile(&common::example(name)).unwrap();
        assert_eq!(changes.created.len(), bundle.files.len());
        assert!(compare(&out, &bundle).unwrap().is_clean());
        let (_, again) = gen_render::ops::write_profile(&common::example(name), &out).unwrap();
        assert!(again.is_clean() && again.unchanged == bundle.files.len());
    }
}

/// Render `profile` into `out` until a render is skipped, as it is once the files are
/// older than the stored fingerprint (a kernel tick, at most a second on coarse
/// filesystems). Every render on the way must find nothing to change.
fn render_until_skipped(profile: &Utf8Path, out: &Utf8Path) -> gen_render::write::Changes {
    for _ in 0..150 {
        let (_, changes) = gen_render::ops::write_profile(profile, out).unwrap();
        if changes.skipped {
            return changes;
        }
        assert!(changes.is_clean(), "{changes:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no render was skipped in 3 s");
}

/// A copy of the single-team profile in its own folder, and an empty output folder.
fn example_copy(tag: &str) -> (TempDir, TempDir, Utf8PathBuf) {
    let out = temp_out(tag);
    let dir = temp_out(&format!("{tag}-profile"));
    let profile = dir.join("single-team.yaml");
    fs::copy(common::example("single-team"), &profile).unwrap();
    (out, dir, profile)
}

/// The Server file the cache tests edit.
const SERVER: &str = "platform/server-mlserver.yaml";

/// `changes` rewrote only the Server file, and `file` holds `original` again.
fn assert_server_restored(changes: &gen_render::write::Changes, file: &Utf8Path, original: &str) {
    assert!(!changes.skipped);
    assert_eq!(changes.updated, vec![SERVER.to_string()]);
    assert_eq!(fs::read_to_string(file).unwrap(), original);
}

fn set_modified(file: &Utf8Path, time: SystemTime) {
    let file = fs::File::options().write(true).open(file).unwrap();
    file.set_modified(time).unwrap();
}

#[test]
fn an_unchanged_render_is_skipped_and_any_change_renders_again() {
    let (out, _dir, profile) = example_copy("cache");
    let (_, first) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert!(!first.skipped && !first.created.is_empty());
    if !gen_render::cache::stored(&out, "single-team") {
        // The filesystem keeps no extended attributes: every render is a full one.
        let (_, second) = gen_render::ops::write_profile(&profile, &out).unwrap();
        assert!(!second.skipped && second.is_clean());
        return;
    }
    let second = render_until_skipped(&profile, &out);
    assert_eq!(second.unchanged, first.created.len());
    // An edited generated file is noticed and restored.
    let file = out.join("single-team").join(SERVER);
    let original = fs::read_to_string(&file).unwrap();
    fs::write(&file, original.replace("replicas: 2", "replicas: 7")).unwrap();
    let (_, third) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert_server_restored(&third, &file, &original);
    // A changed profile renders again.
    render_until_skipped(&profile, &out);
    fs::write(
        &profile,
        fs::read_to_string(&profile).unwrap().replace(
            "replicas: 2\n      memory: 2Gi",
            "replicas: 3\n      memory: 2Gi",
        ),
    )
    .unwrap();
    let (_, fifth) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert!(!fifth.skipped);
    assert_eq!(fifth.updated, vec![SERVER.to_string()]);
    // A foreign file added to the folder also ends the shortcut.
    render_until_skipped(&profile, &out);
    fs::write(out.join("single-team/NOTES.md"), "x").unwrap();
    let (_, seventh) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert!(!seventh.skipped && seventh.foreign == vec!["NOTES.md".to_string()]);
    // The fingerprint stored by that render covers the foreign file too.
    let eighth = render_until_skipped(&profile, &out);
    assert_eq!(eighth.unchanged, seventh.unchanged + 1);
}

/// A file rewritten with the same size and modification time is caught while that time
/// is not older than the fingerprint: the case of an edit within the tick of the render
/// that wrote the file. A modification time in the future stands for that tick here.
#[test]
fn a_file_as_new_as_the_fingerprint_is_not_trusted() {
    let (out, _dir, profile) = example_copy("racy");
    gen_render::ops::write_profile(&profile, &out).unwrap();
    if !gen_render::cache::stored(&out, "single-team") {
        return; // no extended attributes: nothing is ever skipped
    }
    render_until_skipped(&profile, &out);
    let file = out.join("single-team").join(SERVER);
    let original = fs::read_to_string(&file).unwrap();
    let tick = SystemTime::now() + Duration::from_secs(3600);
    set_modified(&file, tick);
    // The new time is noticed; the render rewrites nothing and stores a fingerprint
    // that includes it.
    let (_, touched) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert!(!touched.skipped && touched.is_clean());
    // Same size, same time, other content.
    fs::write(&file, original.replace("replicas: 2", "replicas: 7")).unwrap();
    set_modified(&file, tick);
    let (_, edited) = gen_render::ops::write_profile(&profile, &out).unwrap();
    assert_server_restored(&edited, &file, &original);
}
