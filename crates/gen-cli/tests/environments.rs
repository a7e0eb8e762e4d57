//! Commands that show one bundle, on a profile with environments: `render --stdout` and
//! `graph` show the environment named with `--environment` (each environment is a bundle
//! for its own clusters), and refuse to guess one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap()
}

fn gen_args(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

const UNNAMED: &str = "error: the profile profiles/fleet.yaml renders one bundle per environment (dev, staging, prod), each for its own clusters: name the environment with --environment\n";

#[test]
fn the_stream_of_a_fleet_is_the_named_environments_bundle() {
    let out = gen_args(&["render", "--stdout", "-p", "fleet"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), UNNAMED);
    assert!(out.stdout.is_empty());

    let out = gen_args(&["render", "--stdout", "-p", "fleet", "--environment", "prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stream = String::from_utf8(out.stdout).unwrap();
    // Every object file of the committed prod bundle, each once, and nothing else.
    let prod = root().join("out/fleet/prod");
    let mut sources: Vec<&str> = stream
        .lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect();
    sources.sort();
    let mut files: Vec<String> = walkdir::WalkDir::new(&prod)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&prod).unwrap();
            rel.to_str().unwrap().replace('\\', "/")
        })
        .filter(|p| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .collect();
    files.sort();
    assert_eq!(sources, files);
    // What prod overrides: three mlserver replicas with 4Gi each.
    assert!(stream.contains("  replicas: 3\n"), "{stream}");
    let server = std::fs::read_to_string(prod.join("platform/server-mlserver.yaml")).unwrap();
    let body = server.split_once('\n').unwrap().1;
    assert!(stream.contains(body), "the file's objects, as committed");

    let out = gen_args(&["render", "--stdout", "-p", "fleet", "-e", "qa"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the profile has no environment \"qa\" (its environments: dev, staging, prod)\n"
    );
    let out = gen_args(&["render", "--stdout", "-p", "single-team", "-e", "prod"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the profile profiles/single-team.yaml has no environments\n"
    );
    // Without --stdout an environment means nothing: the whole fleet is written.
    let out = gen_args(&["render", "-p", "fleet", "-e", "dev"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--stdout"), "{}", stderr(&out));
}

#[test]
fn the_graph_of_a_fleet_draws_the_named_environment() {
    let out = gen_args(&["graph", "-p", "fleet"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), UNNAMED);
    let draw = |env: &str| {
        let out = gen_args(&["graph", "-p", "fleet", "--environment", env]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let (dev, prod) = (draw("dev"), draw("prod"));
    assert!(dev.contains("Server mlserver (mlserver x1)"), "{dev}");
    assert!(prod.contains("Server mlserver (mlserver x3)"), "{prod}");
    let out = gen_args(&["graph", "-p", "single-team", "-e", "dev"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: the profile profiles/single-team.yaml has no environments\n"
    );
}
