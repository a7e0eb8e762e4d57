//! The binary: exit codes, render/check round trip, --stdout, --format json.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap()
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
    let out = gen_in(dir, &["render"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("<--profile <PROFILE>|--all>"),
        "the usage error names --all: {}",
        String::from_utf8_lossy(&out.stderr)
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
        text.starts_with("---\n# Source: platform/namespace-seldon-system.yaml\n"),
        "apply order, Namespaces first: {text}"
    );
    assert!(!dir.join("out").exists(), "--stdout writes nothing");
}

#[test]
fn output_does_not_depend_on_the_working_directory() {
    let r = root();
    let elsewhere = tempfile::tempdir().unwrap();
    for name in ["single-team", "multi-tenant"] {
        let relative = format!("profiles/{name}.yaml");
        let absolute = r.join(&relative);
        let here = gen_in(&r, &["render", "--stdout", "--profile", &relative]);
        let there = gen_in(
            elsewhere.path(),
            &[
                "render",
                "--stdout",
                "--profile",
                absolute.to_str().unwrap(),
            ],
        );
        assert_eq!(here.status.code(), Some(0), "{}", stderr(&here));
        assert_eq!(there.status.code(), Some(0), "{}", stderr(&there));
        assert!(!here.stdout.is_empty());
        assert_eq!(here.stdout, there.stdout, "{name}");
    }
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
        stderr.contains("error[runtime-missing]: Model \"price-predictor\" is in namespace")
            && stderr.contains("--> tests/audit/seed/financial-inference/models.yaml:1:1\n"),
        "{stderr}"
    );
    let out = gen_in(
        &r,
        &["audit", "out/single-team", "--strict", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]));
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

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_of_a_bundle_never_rendered_is_one_line() {
    let tmp = workspace("missing");
    let dir = tmp.path();
    let out = gen_in(dir, &["check", "--profile", "profiles/single-team.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "profiles/single-team.yaml: out/single-team does not exist; run `gen render --profile profiles/single-team.yaml`\n"
    );
    assert!(out.stdout.is_empty(), "no diff for a missing bundle");
    let out = gen_in(dir, &["check", "--all", "--out", "elsewhere"]);
    assert!(
        stderr(&out).contains(
            "profiles/multi-tenant.yaml: elsewhere/multi-tenant does not exist; run `gen render --all --out elsewhere`\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_labels_the_diff_and_names_hand_written_files() {
    let tmp = workspace("labels");
    let dir = tmp.path();
    assert_eq!(gen_in(dir, &["render", "--all"]).status.code(), Some(0));
    let server = dir.join("out/single-team/platform/server-mlserver.yaml");
    let text = fs::read_to_string(&server).unwrap();
    fs::write(&server, text.replace("replicas: 2", "replicas: 3")).unwrap();
    fs::write(dir.join("out/single-team/NOTES.md"), "hand-written\n").unwrap();
    let out = gen_in(dir, &["check", "-p", "./profiles/single-team.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "./profiles/single-team.yaml: out/single-team is stale (1 stale); run `gen render --profile ./profiles/single-team.yaml`\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("  kept    out/single-team/NOTES.md: not generated by gen\n"),
        "{err}"
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with(
            "--- out/single-team/platform/server-mlserver.yaml (on disk)\n+++ out/single-team/platform/server-mlserver.yaml (rendered from ./profiles/single-team.yaml)\n"
        ),
        "{diff}"
    );
    assert!(diff.contains("-  replicas: 3\n+  replicas: 2\n"), "{diff}");

    // --stat: counts instead of the diff; --quiet: the verdict only.
    let out = gen_in(dir, &["check", "-p", "single-team", "--stat"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "--stat prints no diff");
    assert!(
        stderr(&out).contains("  stale   out/single-team/platform/server-mlserver.yaml (+1 -1)\n"),
        "{}",
        stderr(&out)
    );
    let out = gen_in(dir, &["check", "--all", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        "profiles/single-team.yaml: out/single-team is stale (1 stale); run `gen render --all`\n",
        "fresh bundles are silent"
    );

    // A hand-written file where the profile renders one: render refuses, check says why.
    fs::write(&server, "kind: Server\n").unwrap();
    let out = gen_in(dir, &["check", "-p", "single-team"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is stale (1 hand-written in the way); move the hand-written files out of the way, then run `gen render --profile single-team`"),
        "{err}"
    );
    assert!(
        err.contains("  hand-written out/single-team/platform/server-mlserver.yaml: the profile renders this path"),
        "{err}"
    );
}

#[test]
fn check_all_fails_on_orphaned_bundles_and_shared_names() {
    let tmp = workspace("orphans");
    let dir = tmp.path();
    assert_eq!(gen_in(dir, &["render", "--all"]).status.code(), Some(0));
    // A cache folder of gen's own, and a folder of hand-written files, are not bundles.
    fs::create_dir_all(dir.join("out/.gen-cache/x")).unwrap();
    fs::copy(
        dir.join("out/single-team/README.md"),
        dir.join("out/.gen-cache/x/README.md"),
    )
    .unwrap();
    fs::create_dir_all(dir.join("out/docs")).unwrap();
    fs::write(dir.join("out/docs/index.md"), "# ours\n").unwrap();
    assert_eq!(gen_in(dir, &["check", "--all"]).status.code(), Some(0));

    // The profile is deleted; its bundle stays behind.
    fs::remove_file(dir.join("profiles/multi-tenant.yaml")).unwrap();
    let out = gen_in(dir, &["check", "--all"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error[orphan-bundle]: out/multi-tenant holds files generated by gen, but no profile in profiles/ declares name \"multi-tenant\""),
        "{}",
        stderr(&out)
    );
    let out = gen_in(dir, &["check", "--all", "--format", "json"]);
    let last: serde_json::Value = serde_json::from_slice(
        out.stdout
            .split(|b| *b == b'\n')
            .rfind(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["code"], "orphan-bundle");
    assert_eq!(last["bundle"], "multi-tenant");
    let out = gen_in(dir, &["render", "--all"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "render deletes nothing outside its bundle"
    );
    assert!(stderr(&out).contains("note: out/multi-tenant holds files generated by gen"));
    assert!(dir.join("out/multi-tenant/README.md").exists());
    fs::remove_dir_all(dir.join("out/multi-tenant")).unwrap();

    // Two profiles with one name: both named, neither rendered.
    let text = fs::read_to_string(dir.join("profiles/single-team.yaml")).unwrap();
    fs::write(
        dir.join("profiles/copy.yaml"),
        text.replace("replicas: 2", "replicas: 1"),
    )
    .unwrap();
    let before =
        fs::read_to_string(dir.join("out/single-team/platform/server-mlserver.yaml")).unwrap();
    for command in ["render", "check"] {
        let out = gen_in(dir, &[command, "--all"]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(
            stderr(&out).contains("error[duplicate-profile-name]: profiles profiles/copy.yaml, profiles/single-team.yaml declare the same name \"single-team\""),
            "{command}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        fs::read_to_string(dir.join("out/single-team/platform/server-mlserver.yaml")).unwrap(),
        before,
        "neither profile overwrote the bundle"
    );
}

#[test]
fn render_exit_code_reports_any_change() {
    let tmp = workspace("exit-code");
    let dir = tmp.path();
    let args = ["render", "-p", "single-team", "--exit-code"];
    assert_eq!(gen_in(dir, &args).status.code(), Some(1), "created files");
    assert_eq!(gen_in(dir, &args).status.code(), Some(0), "nothing changed");
    fs::remove_file(dir.join("out/single-team/platform/server-mlserver.yaml")).unwrap();
    assert_eq!(gen_in(dir, &args).status.code(), Some(1), "re-created");
}

#[test]
fn version_and_completions() {
    let dir = root();
    let out = gen_in(&dir, &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "gen {} (targets Seldon Core v2 {})\n",
            env!("CARGO_PKG_VERSION"),
            gen_profile::SELDON_VERSION
        )
    );
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef gen"),
        ("fish", "complete -c gen"),
        ("elvish", "edit:completion:arg-completer[gen]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = gen_in(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("render"), "{shell} completes subcommands");
        assert!(script.contains("profile"), "{shell} completes flags");
    }
    assert_eq!(
        gen_in(&dir, &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn init_writes_a_profile_that_renders_and_checks_clean() {
    for pattern in ["shared", "dedicated"] {
        for engine in ["argocd", "flux", "none"] {
            let tmp = tempfile::Builder::new()
                .prefix("gen-cli-init-")
                .tempdir()
                .unwrap();
            let dir = tmp.path();
            let name = format!("{pattern}-{engine}");
            let out = gen_in(
                dir,
                &[
                    "init",
                    "--pattern",
                    pattern,
                    "--engine",
                    engine,
                    "--name",
                    &name,
                ],
            );
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
            let text = fs::read_to_string(dir.join(format!("profiles/{name}.yaml"))).unwrap();
            assert!(
                text.starts_with("# yaml-language-server: $schema=../schema/profile.schema.json\n"),
                "{name}"
            );
            assert!(text.contains(&format!("\npattern: {pattern}\n")), "{name}");
            assert!(text.contains(&format!("\n  engine: {engine}")), "{name}");
            assert_eq!(
                fs::read_to_string(dir.join("schema/profile.schema.json")).unwrap(),
                gen_profile::schema::profile_schema_json(),
                "the modeline's schema is written next to profiles/"
            );
            let out = gen_in(dir, &["render", "--all"]);
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
            let out = gen_in(dir, &["check", "--all"]);
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));

            // Never overwrites.
            fs::write(dir.join(format!("profiles/{name}.yaml")), "mine\n").unwrap();
            let out = gen_in(dir, &["init", "--name", &name]);
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr(&out).contains("exists; gen init never overwrites a file"));
            assert_eq!(
                fs::read_to_string(dir.join(format!("profiles/{name}.yaml"))).unwrap(),
                "mine\n"
            );
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = gen_in(tmp.path(), &["init", "--name", "Bad_Name"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("profile name \"Bad_Name\" is not a valid Kubernetes name"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("profiles").exists(), "nothing written");
}

#[test]
fn diff_compares_two_environments_and_refuses_unknown_ones() {
    let r = root();
    let out = gen_in(
        &r,
        &["diff", "-p", "fleet", "--from", "staging", "--to", "prod"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "~ Model seldon-system/risk-scorer  (apps/pricing/model-risk-scorer.yaml)\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("promoting staging to prod: 2 changed, 8 added, 0 removed\n"));
    let out = gen_in(
        &r,
        &[
            "diff", "-p", "fleet", "--from", "dev", "--to", "prod", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("dev"), Some("prod"))
    );
    assert!(v["changes"].as_array().is_some_and(|c| !c.is_empty()));
    let out = gen_in(&r, &["diff", "-p", "fleet", "--from", "qa", "--to", "prod"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the profile has no environment \"qa\" (its environments: dev, staging, prod)\n"
    );
    let out = gen_in(
        &r,
        &["diff", "-p", "single-team", "--from", "a", "--to", "b"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the profile profiles/single-team.yaml has no environments\n"
    );
}

#[test]
fn render_all_refuses_a_second_fleet_on_a_cluster_of_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("profiles")).unwrap();
    let fleet = fs::read_to_string(root().join("profiles/fleet.yaml")).unwrap();
    fs::write(dir.join("profiles/fleet.yaml"), &fleet).unwrap();
    // fleet-b's clusters are its own, but its prod-eu is fleet's dev.
    let other = fleet
        .replace("name: fleet\n", "name: fleet-b\n")
        .replace(".k8s.example.com", ".k8s.example.net")
        .replace(
            "server: https://prod-eu.k8s.example.net:6443",
            "server: https://dev.k8s.example.com:6443",
        );
    fs::write(dir.join("profiles/fleet-b.yaml"), other).unwrap();
    for command in ["render", "check"] {
        let out = gen_in(dir, &[command, "--all"]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error[fleet-collision]: profiles fleet-b and fleet put CustomResourceDefinition experiments.mlops.seldon.io and "),
            "{command}: {}",
            stderr(&out)
        );
    }
    // Profiles are taken in name order: fleet-b is rendered; fleet, reported at its
    // cluster, is not.
    let out = gen_in(dir, &["render", "--all"]);
    assert!(
        stderr(&out).contains("--> profiles/fleet.yaml:64:17"),
        "{}",
        stderr(&out)
    );
    assert!(dir.join("out/fleet-b/README.md").exists());
    assert!(!dir.join("out/fleet").exists());
}
