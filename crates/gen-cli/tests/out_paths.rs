//! `--out DIR` moves the bundle in the GitOps repository: `gen render` writes GitOps paths
//! under DIR, `gen check --out DIR` computes the same bundle, and an `--out` outside the
//! repository needs `gitops.path`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn render_and_check_agree_on_the_paths_of_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("profiles")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    fs::copy(
        root.join("profiles/multi-tenant.yaml"),
        dir.join("profiles/multi-tenant.yaml"),
    )
    .unwrap();
    let out = gen_in(
        dir,
        &[
            "render",
            "--profile",
            "multi-tenant",
            "--out",
            "deploy/seldon",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root_kustomization = fs::read_to_string(
        dir.join("deploy/seldon/multi-tenant/bootstrap/kustomization-multi-tenant-root.yaml"),
    )
    .unwrap();
    assert!(root_kustomization.contains("path: deploy/seldon/multi-tenant/flux\n"));
    let readme = fs::read_to_string(dir.join("deploy/seldon/multi-tenant/README.md")).unwrap();
    assert!(readme.contains("kubectl apply -k deploy/seldon/multi-tenant/bootstrap"));
    // gen check derives the same paths from the same --out.
    let check = gen_in(
        dir,
        &[
            "check",
            "--profile",
            "multi-tenant",
            "--out",
            "deploy/seldon",
        ],
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The same files under another --out name other paths: stale.
    fs::rename(dir.join("deploy/seldon"), dir.join("elsewhere")).unwrap();
    let check = gen_in(
        dir,
        &["check", "--profile", "multi-tenant", "--out", "elsewhere"],
    );
    assert_eq!(check.status.code(), Some(1));
    // An absolute --out cannot be placed in the repository.
    let abs = dir.join("abs");
    let out = gen_in(
        dir,
        &[
            "render",
            "--profile",
            "multi-tenant",
            "--out",
            abs.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[gitops-path]"));
    assert!(!abs.exists(), "nothing written");
}
