//! The write path: only changed files written, stale generated files pruned, foreign files
//! kept, all-or-nothing on failure, no link followed, leftovers of a crash cleaned up.

#[path = "../common/mod.rs"]
mod common;

mod basics;
mod interrupted;
#[cfg(unix)]
mod links;

use std::fs;

use camino::{Utf8Path, Utf8PathBuf};
use gen_render::{Bundle, render_profile};

/// A fresh folder in the temporary directory, removed when the test is done with it.
pub(crate) struct TempDir {
    path: Utf8PathBuf,
    _removed_on_drop: tempfile::TempDir,
}

impl std::ops::Deref for TempDir {
    type Target = Utf8Path;
    fn deref(&self) -> &Utf8Path {
        &self.path
    }
}

pub(crate) fn temp_out(tag: &str) -> TempDir {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("gen-write-{tag}-"))
        .tempdir()
        .unwrap();
    TempDir {
        path: Utf8PathBuf::from_path_buf(tmp.path().to_path_buf()).unwrap(),
        _removed_on_drop: tmp,
    }
}

pub(crate) fn example() -> Bundle {
    render_profile(&common::example("single-team")).unwrap()
}

/// Every entry below `dir` (links not followed): path, kind, and the bytes of a file or
/// the target of a link. Folders are listed too, so an added empty folder shows.
pub(crate) fn snapshot(dir: &Utf8Path) -> Vec<(String, &'static str, Vec<u8>)> {
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
pub(crate) fn files(snapshot: &[(String, &'static str, Vec<u8>)]) -> usize {
    snapshot
        .iter()
        .filter(|(_, kind, _)| *kind == "file")
        .count()
}

/// The bundle with every file changed, so that a write would touch each of them.
pub(crate) fn changed(bundle: &Bundle) -> Bundle {
    let mut new = bundle.clone();
    for text in new.files.values_mut() {
        text.push_str("# changed\n");
    }
    new
}

/// A fail point that fails the `n`-th write, as an I/O error would.
pub(crate) fn fail_at(n: usize) -> impl Fn(usize) -> std::io::Result<()> + Sync {
    move |i| {
        if i == n {
            Err(std::io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    }
}
