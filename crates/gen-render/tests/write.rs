//! The write path: only changed files written, stale generated files pruned, foreign files
//! kept, all-or-nothing on failure, no link followed, leftovers of a crash cleaned up.

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

/// Every entry below `dir` (links not followed): path, kind, and the bytes of a file or
/// the target of a link. Folders are listed too, so an added empty folder shows.
fn snapshot(dir: &Utf8Path) -> Vec<(String, &'static str, Vec<u8>)> {
    let mut all = Vec::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        let path = e.path().display().to_string();
        let kind = e.file_type();
        if kind.is_symlink() {
            let to = fs::read_link(e.path()).unwrap();
            all.push((path, "link", to.display().to_string().into_bytes()));
        } else if kind.is_dir() {
            all.push((path, "folder", Vec::new()));
        } else {
            all.push((path, "file", fs::read(e.path()).unwrap()));
        }
    }
    all
}

/// The files of a snapshot.
fn files(snapshot: &[(String, &'static str, Vec<u8>)]) -> usize {
    snapshot
        .iter()
        .filter(|(_, kind, _)| *kind == "file")
        .count()
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
    // Mode 0644 less the umask, as git and cp create files.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::PermissionsExt;
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
            .expect("Linux 4.7 and later report the umask in /proc/self/status");
        for rel in ["platform/server-mlserver.yaml", "README.md"] {
            let mode = fs::metadata(out.join("single-team").join(rel))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644 & !umask, "{rel}");
        }
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
    assert_eq!(files(&snapshot(&out)), 1, "nothing else was written");
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

#[test]
fn a_failure_in_a_first_write_leaves_nothing() {
    let out = temp_out("first-crash");
    let bundle = example();
    let err = write_with(&out, &bundle, &|n| {
        if n == 20 {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "injected failure");
    assert_eq!(
        snapshot(&out),
        Vec::new(),
        "no file, temporary file or folder"
    );
}

/// The bundle with every file changed, so that a write would touch each of them.
fn changed(bundle: &Bundle) -> Bundle {
    let mut new = bundle.clone();
    for text in new.files.values_mut() {
        text.push_str("# changed\n");
    }
    new
}

/// A folder `outside/` beside `out/` that links can point at: files that carry gen's
/// header (so a write that followed a link could take them for its own), a folder shaped
/// like part of the bundle, and a copy of the whole bundle.
fn outside_tree(root: &Utf8Path, bundle: &Bundle) -> Utf8PathBuf {
    let outside = root.join("outside");
    write(&outside, bundle).unwrap();
    fs::create_dir_all(outside.join("apps/financial-prediction")).unwrap();
    let header = "# Generated by gen from profile single-team. Do not edit.\nkind: x\n";
    fs::write(outside.join("file.yaml"), header).unwrap();
    fs::write(
        outside.join("apps/financial-prediction/model-risk-scorer.yaml"),
        header,
    )
    .unwrap();
    fs::write(outside.join("apps/stale.yaml"), header).unwrap();
    outside
}

/// A snapshot of everything below `root` except the bundle folder `out/single-team`
/// (the entry itself, when it is a link, stays in).
fn outside_snapshot(root: &Utf8Path) -> Vec<(String, &'static str, Vec<u8>)> {
    let bundle = format!("{root}/out/single-team/");
    snapshot(root)
        .into_iter()
        .filter(|(path, _, _)| !path.starts_with(&bundle))
        .collect()
}

#[cfg(unix)]
#[test]
fn a_link_at_any_level_of_a_bundle_stops_the_write_and_nothing_outside_changes() {
    use std::os::unix::fs::symlink;
    let root = temp_out("links");
    let out = root.join("out");
    let bundle = example();
    let outside = outside_tree(&root, &bundle);
    let new = changed(&bundle);
    let dir = out.join("single-team");
    // (where the link is, relative to the bundle folder; what it points to)
    let cases: &[(&str, Utf8PathBuf)] = &[
        ("", outside.join("single-team")),
        ("apps", outside.join("apps")),
        (
            "apps/financial-prediction",
            outside.join("apps/financial-prediction"),
        ),
        ("kustomization.yaml", outside.join("file.yaml")),
        (
            "apps/financial-prediction/model-risk-scorer.yaml",
            outside.join("file.yaml"),
        ),
        // Dangling: a write that followed it would create the target.
        (
            "platform/server-mlserver.yaml",
            outside.join("missing.yaml"),
        ),
        // Not a bundle path, and relative.
        ("notes", Utf8PathBuf::from("../../outside/apps")),
    ];
    for (at, to) in cases {
        fs::remove_dir_all(&out).ok();
        write(&out, &bundle).unwrap();
        let link = if at.is_empty() {
            dir.clone()
        } else {
            dir.join(at)
        };
        if link.is_dir() && !link.is_symlink() {
            fs::remove_dir_all(&link).unwrap();
        } else {
            fs::remove_file(&link).ok();
        }
        symlink(to, &link).unwrap();
        let before = outside_snapshot(&root);
        let inside = snapshot(&dir);
        for result in [
            write(&out, &new),
            compare(&out, &new).map(|_| Default::default()),
        ] {
            let err = result.expect_err(at);
            let message = err.to_string();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{at}: {message}");
            assert!(
                message.starts_with(&format!("{link} is a symbolic link (to {to})")),
                "{at}: {message}"
            );
            let fix = if at.is_empty() {
                "replace the link with a real folder"
            } else {
                "replace each link with a copy of what it points to, or remove it, then render again"
            };
            assert!(message.contains(fix), "{at}: {message}");
        }
        assert_eq!(outside_snapshot(&root), before, "{at}: outside the bundle");
        assert_eq!(snapshot(&dir), inside, "{at}: nothing written inside");
    }
}

#[cfg(unix)]
#[test]
fn every_link_in_a_bundle_is_named_at_once() {
    use std::os::unix::fs::symlink;
    let root = temp_out("many-links");
    let out = root.join("out");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let dir = out.join("single-team");
    symlink("/nowhere", dir.join("a-link")).unwrap();
    symlink("/nowhere", dir.join("apps/b-link")).unwrap();
    let message = write(&out, &bundle).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!(
            "{dir}/a-link is a symbolic link (to /nowhere); {dir}/apps/b-link is a symbolic link (to /nowhere); gen writes only real files and folders inside {dir}"
        )),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn the_output_folder_itself_may_be_a_link() {
    use std::os::unix::fs::symlink;
    let root = temp_out("out-link");
    let real = root.join("elsewhere/out");
    fs::create_dir_all(&real).unwrap();
    let out = root.join("out");
    symlink(&real, &out).unwrap();
    let bundle = example();
    let changes = write(&out, &bundle).unwrap();
    assert_eq!(changes.created.len(), bundle.files.len());
    assert!(compare(&real, &bundle).unwrap().is_clean());
    assert_eq!(
        snapshot(&root)
            .into_iter()
            .filter(|(p, _, _)| !p.starts_with(&format!("{real}/")))
            .collect::<Vec<_>>(),
        vec![
            (root.join("elsewhere").to_string(), "folder", Vec::new()),
            (real.to_string(), "folder", Vec::new()),
            (out.to_string(), "link", real.to_string().into_bytes()),
        ],
        "only the bundle folder below the link's target changed"
    );
}

#[test]
fn temporary_files_of_an_interrupted_write_are_removed() {
    let out = temp_out("leftovers");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let dir = out.join("single-team");
    // A torn temporary file (no header) and a whole one, as a crash leaves them.
    let torn = "platform/.server-mlserver.yaml.gen-tmp";
    let whole = "apps/financial-prediction/.kustomization.yaml.gen-tmp";
    fs::write(dir.join(torn), "").unwrap();
    fs::write(
        dir.join(whole),
        &bundle.files["apps/financial-prediction/kustomization.yaml"],
    )
    .unwrap();
    let found = compare(&out, &bundle).unwrap();
    assert_eq!(found.pruned, vec![whole.to_string(), torn.to_string()]);
    assert!(found.foreign.is_empty() && !found.is_clean());
    let changes = write(&out, &bundle).unwrap();
    assert_eq!(changes.pruned, found.pruned);
    assert!(!dir.join(torn).exists() && !dir.join(whole).exists());
    assert!(compare(&out, &bundle).unwrap().is_clean());
}

#[test]
fn a_bundle_path_named_like_a_temporary_file_is_refused() {
    let out = temp_out("temp-name");
    let mut bundle = example();
    bundle.files.insert(
        "platform/.x.gen-tmp".to_string(),
        "# Generated by gen\n".to_string(),
    );
    let err = write(&out, &bundle).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "refusing to write \"platform/.x.gen-tmp\"");
}

#[cfg(unix)]
#[test]
fn a_second_write_of_a_bundle_being_written_is_refused() {
    let out = temp_out("lock");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let dir = out.join("single-team");
    let held = fs::File::open(&dir).unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::LockExclusive).unwrap();
    let err = write(&out, &changed(&bundle)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(
        err.to_string(),
        format!("another gen render is writing {dir}; wait for it to finish, then render again")
    );
    drop(held);
    assert!(
        compare(&out, &bundle).unwrap().is_clean(),
        "nothing written"
    );
    write(&out, &changed(&bundle)).unwrap();
}

/// No existing file changes before every file is staged, and a new file appears whole: at
/// any moment of a write, a crash leaves the files of the previous bundle, each whole,
/// whole new files, and temporary files.
#[test]
fn existing_files_change_only_once_every_file_is_staged() {
    let out = temp_out("staging");
    let old = example();
    write(&out, &old).unwrap();
    let mut new = changed(&old);
    // New files and folders too.
    new.files.insert(
        "apps/new-app/model-x.yaml".to_string(),
        "# Generated by gen\nkind: x\n".to_string(),
    );
    new.files.insert(
        "platform/extra.yaml".to_string(),
        "# Generated by gen\n".to_string(),
    );
    let dir = out.join("single-team");
    let checks = std::sync::atomic::AtomicUsize::new(0);
    write_with(&out, &new, &|_| {
        for (path, kind, bytes) in snapshot(&dir) {
            let rel = path.strip_prefix(&format!("{dir}/")).unwrap();
            if kind != "file" || rel.rsplit('/').next().unwrap().ends_with(".gen-tmp") {
                continue;
            }
            let expected = old.files.get(rel).unwrap_or_else(|| &new.files[rel]);
            assert_eq!(bytes, expected.as_bytes(), "{rel}");
        }
        checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        checks.into_inner(),
        new.files.len(),
        "every file was written"
    );
    assert!(compare(&out, &new).unwrap().is_clean());
}

/// What a power loss leaves of a new file that was not yet on disk is an empty file at
/// its path: a render replaces it (nothing is lost), while any other file gen did not
/// write stops the render.
#[test]
fn an_empty_file_at_a_bundle_path_is_replaced() {
    let out = temp_out("empty");
    let bundle = example();
    write(&out, &bundle).unwrap();
    let rel = "platform/server-mlserver.yaml";
    let path = out.join("single-team").join(rel);
    fs::write(&path, "").unwrap();
    assert_eq!(
        compare(&out, &bundle).unwrap().updated,
        vec![rel.to_string()]
    );
    let changes = write(&out, &bundle).unwrap();
    assert_eq!(changes.updated, vec![rel.to_string()]);
    assert_eq!(fs::read_to_string(&path).unwrap(), bundle.files[rel]);
    fs::write(&path, "\n").unwrap();
    let err = write(&out, &bundle).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{path} exists and was not generated by gen; move it away, then render again")
    );
}
