//! Writing, comparing and pruning a bundle; all or nothing on failure.

use std::fs;
use std::io;
use std::time::{Duration, SystemTime};

use gen_render::render_profile;
use gen_render::write::{compare, write, write_with};

use crate::common;
use crate::{example, fail_at, files, snapshot, temp_out};

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
    let err = write_with(&out, &new, &fail_at(half)).unwrap_err();
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
    let err = write_with(&out, &bundle, &fail_at(20)).unwrap_err();
    assert_eq!(err.to_string(), "injected failure");
    assert_eq!(
        snapshot(&out),
        Vec::new(),
        "no file, temporary file or folder"
    );
}
