//! The binary: exit codes, render/check round trip, --stdout, --format json.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap()
}

fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A temporary folder with the example profiles, removed when dropped.
fn workspace(tag: &str) -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("gen-cli-{tag}-"))
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("profiles")).unwrap();
    for name in ["single-team", "multi-tenant"] {
        fs::copy(
            root().join(format!("profiles/{name}.yaml")),
            dir.join(format!("profiles/{name}.yaml")),
        )
        .unwrap();
    }
    tmp
}

#[test]
fn render_then_check_is_clean_and_an_edit_makes_check_fail() {
    let tmp = workspace("roundtrip");
    let dir = tmp.path();
    let out = gen_in(dir, &["render", "--profile", "single-team"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = gen_in(dir, &["check", "--all"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "multi-tenant was never rendered"
    );
    gen_in(dir, &["render", "--all"]);
    let out = gen_in(dir, &["check", "--all"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.join("out/single-team/platform/server-mlserver.yaml");
    fs::write(
        &file,
        fs::read_to_string(&file)
            .unwrap()
            .replace("replicas: 2", "replicas: 3"),
    )
    .unwrap();
    let out = gen_in(dir, &["check", "--profile", "single-team"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stale   out/single-team/platform/server-mlserver.yaml"),
        "{stderr}"
    );
}

#[test]
fn exit_codes() {
    let tmp = workspace("codes");
    let dir = tmp.path();
    fs::write(dir.join("profiles/bad.yaml"), "name: bad\npatern: shared\n").unwrap();
    assert_eq!(
        gen_in(dir, &["render", "--profile", "bad"]).status.code(),
        Some(2),
        "unknown key: input error"
    );
    fs::write(
        dir.join("profiles/broken.yaml"),
        "name: broken\npattern: shared\nplatform: {namespace: ns}\napplications: [{name: a, namespace: elsewhere}]\n",
    )
    .unwrap();
    let out = gen_in(dir, &["render", "--profile", "broken"]);
    assert_eq!(out.status.code(), Some(1), "rule violation");
    assert!(
        !dir.join("out/broken").exists(),
        "nothing written on failure"
    );
    assert_eq!(
        gen_in(dir, &["render", "--profile", "missing"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        gen_in(dir, &["render"]).status.code(),
        Some(2),
        "usage error"
    );
    assert_eq!(gen_in(dir, &["--help"]).status.code(), Some(0));
    let help = String::from_utf8_lossy(&gen_in(dir, &["--help"]).stdout).to_string();
    assert!(help.contains("Exit codes:"), "{help}");
}

#[test]
fn json_diagnostics_and_stdout_stream() {
    let tmp = workspace("json");
    let dir = tmp.path();
    fs::write(dir.join("profiles/bad.yaml"), "name: bad\npattern: shared\nplatform: {namespace: ns}\napplications: [{name: a, namespace: x}]\n").unwrap();
    let out = gen_in(dir, &["render", "--profile", "bad", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failure"], "check");
    assert_eq!(v["diagnostics"][0]["code"], "application-namespace");
    assert_eq!(v["diagnostics"][0]["line"], 4);
    let out = gen_in(dir, &["render", "--profile", "single-team", "--stdout"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("---\n# Source: apps/financial-prediction/experiment-price-ab.yaml\n"),
        "{text}"
    );
    assert!(!dir.join("out").exists(), "--stdout writes nothing");
}

#[test]
fn schema_matches_the_committed_file() {
    let out = gen_in(&root(), &["schema"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        fs::read_to_string(root().join("schema/profile.schema.json")).unwrap()
    );
}

#[test]
fn audit_and_graph_commands() {
    let r = root();
    let out = gen_in(
        &r,
        &[
            "audit",
            "tests/audit/seed",
            "--controller-namespace",
            "seldon-system",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("tests/audit/seed/financial-inference/models.yaml:1: error[runtime-missing]"),
        "{stderr}"
    );
    let out = gen_in(
        &r,
        &["audit", "out/single-team", "--strict", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(gen_in(&r, &["audit", "no/such/dir"]).status.code(), Some(2));
    let out = gen_in(&r, &["graph", "-p", "single-team", "--format", "dot"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("digraph \"single-team\" {"));
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::Stdio;
    for args in [
        &["render", "--stdout", "-p", "multi-tenant"][..],
        &["schema"][..],
        &["graph", "-p", "multi-tenant"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_ne!(
            out.status.code(),
            Some(101),
            "{args:?} panicked: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}
