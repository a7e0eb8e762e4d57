//! Crash safety of `gen render`: real renders killed with SIGKILL at random points, one
//! after the other on the same bundle, while the profile switches between two versions
//! (so kills land in creates, updates and prunes). After every kill each file in the
//! bundle must be whole (the bytes one of the two versions renders at that path); every
//! render that is not killed must succeed; and at regular points a render is let finish,
//! after which `gen check` passes and the bundle is exactly what the profile renders.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Renders killed in all; the seed makes the sequence of profiles and kill points
/// repeatable.
const KILLS: usize = 200;
const SEED: u64 = 0x6765_6e5f_6b69_6c6c;
/// A render is let finish and checked after this many renders.
const CHECK_EVERY: usize = 10;

fn gen_in(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gen"));
    c.args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// A synthetic profile named `crash`: `tenants` tenants of `models` Models each.
fn profile(tenants: usize, models: usize) -> String {
    let text = gen_render::synth::dedicated_profile(tenants, models);
    let (_, rest) = text.split_once('\n').unwrap();
    format!("name: crash\n{rest}")
}

/// The files `text` renders to, by path relative to the bundle folder.
fn rendered(dir: &Path, text: &str) -> BTreeMap<String, Vec<u8>> {
    let file = dir.join("reference.yaml");
    std::fs::write(&file, text).unwrap();
    let path = camino::Utf8PathBuf::from_path_buf(file).unwrap();
    let bundle = gen_render::render_profile(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    bundle
        .files
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect()
}

/// The files below `dir` (relative path → bytes), and the temporary files among them
/// (named `*.gen-tmp`, or in a folder so named).
fn on_disk(dir: &Path) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let (mut files, mut temps) = (BTreeMap::new(), Vec::new());
    if !dir.exists() {
        return (files, temps);
    }
    for e in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = e.unwrap();
        assert!(!e.path_is_symlink(), "{}", e.path().display());
        if e.file_type().is_dir() {
            continue;
        }
        let rel = e.path().strip_prefix(dir).unwrap().to_str().unwrap();
        // A temporary file, or anything in a temporary folder (a new bundle's staging).
        if rel.split('/').any(|seg| seg.ends_with(".gen-tmp")) {
            temps.push(rel.to_string());
        } else {
            files.insert(rel.to_string(), std::fs::read(e.path()).unwrap());
        }
    }
    (files, temps)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Run `gen render` to the end; it must succeed.
fn render(dir: &Path) -> Duration {
    let start = Instant::now();
    let out = gen_in(dir, &["render", "--profile", "crash"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

/// Let a render finish; then `gen check` passes and the bundle is exactly `expected`.
fn converges(dir: &Path, bundle: &Path, expected: &BTreeMap<String, Vec<u8>>) -> Duration {
    let took = render(dir);
    let check = gen_in(dir, &["check", "--profile", "crash"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let (files, temps) = on_disk(bundle);
    assert!(temps.is_empty(), "{temps:?}");
    assert!(
        files == *expected,
        "the bundle is not what the profile renders"
    );
    took
}

#[test]
fn renders_killed_at_random_points_leave_whole_files_and_a_rerun_converges() {
    let tmp = tempfile::Builder::new()
        .prefix("gen-crash-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    let profile_file = dir.join("profiles/crash.yaml");
    let bundle: PathBuf = dir.join("out/crash");
    // Version b drops Models (prunes), adds tenants (new folders) and changes every
    // kustomization that lists them (updates).
    let versions = [profile(3, 10), profile(4, 7)];
    let expected = versions.each_ref().map(|v| rendered(dir, v));

    // How long a render takes here, now: kill points are spread over that time.
    let mut durations = Vec::new();
    for v in versions.iter().chain(&versions) {
        std::fs::write(&profile_file, v).unwrap();
        durations.push(render(dir));
    }

    let mut rng = fastrand::Rng::with_seed(SEED);
    let (mut killed, mut mid_write, mut run) = (0, 0, 0);
    while killed < KILLS {
        run += 1;
        assert!(run <= 3 * KILLS, "{run} renders for {killed} kills");
        let version = rng.usize(..versions.len());
        std::fs::write(&profile_file, &versions[version]).unwrap();
        let window = median(durations[durations.len().saturating_sub(5)..].to_vec());
        // Spread over the whole render, with extra weight at its end (renames, prunes).
        let at = if rng.bool() {
            window.mul_f64(rng.f64())
        } else {
            window.mul_f64(0.6 + rng.f64() * 0.4)
        };
        let start = Instant::now();
        let mut child = gen_in(dir, &["render", "--profile", "crash"])
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let status = child.wait().unwrap();
        match status.code() {
            None => killed += 1,
            Some(0) => durations.push(start.elapsed()),
            Some(code) => {
                let mut stderr = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
                    .unwrap();
                panic!("render {run}: a render after a crash failed with exit {code}: {stderr}");
            }
        }
        // Every file is whole: what one of the versions renders at its path.
        let (files, temps) = on_disk(&bundle);
        let mut from = [false; 2];
        for (rel, bytes) in &files {
            let matches: Vec<usize> = (0..2)
                .filter(|v| expected[*v].get(rel) == Some(bytes))
                .collect();
            assert!(!matches.is_empty(), "render {run}: {rel} is not whole");
            if let [only] = matches[..] {
                from[only] = true;
            }
        }
        if !temps.is_empty() || (from[0] && from[1]) {
            mid_write += 1;
        }
        if run % CHECK_EVERY == 0 {
            durations.push(converges(dir, &bundle, &expected[version]));
        }
    }
    eprintln!(
        "{run} renders: {killed} killed, {mid_write} of them mid-write; a whole render took {:?}",
        median(durations)
    );
    // The kill points are meant to land while files are written; if few did, the test
    // proves little (the renders became much faster or slower than measured).
    assert!(
        mid_write >= KILLS / 4,
        "{mid_write} of {killed} kills mid-write"
    );
}
