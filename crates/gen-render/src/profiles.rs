//! What `--all` works on: every profile in `profiles/`, the names they render, and the
//! bundles under `out/` that no profile renders any more.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use camino::{Utf8Path, Utf8PathBuf};

/// Every `*.yaml` / `*.yml` file directly in `dir`, sorted.
pub fn list(dir: &Utf8Path) -> io::Result<Vec<Utf8PathBuf>> {
    let mut all = Vec::new();
    for entry in dir.read_dir_utf8()? {
        let entry = entry?;
        let path = entry.path();
        if matches!(path.extension(), Some("yaml" | "yml")) && !entry.file_type()?.is_dir() {
            all.push(path.to_path_buf());
        }
    }
    all.sort();
    Ok(all)
}

/// The `name:` a profile declares, read without checking the rest; `None` when the file
/// cannot be read or parsed (loading it reports why).
pub fn declared_name(path: &Utf8Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    let text = std::fs::read_to_string(path).ok()?;
    serde_saphyr::from_str::<Named>(&text).ok().map(|n| n.name)
}

/// Names that more than one profile declares, each with its profiles in the given order:
/// they would render into the same `out/<name>/` and overwrite each other.
pub fn same_names<'a>(
    named: impl IntoIterator<Item = (&'a Utf8Path, &'a str)>,
) -> BTreeMap<&'a str, Vec<&'a Utf8Path>> {
    let mut by_name: BTreeMap<&str, Vec<&Utf8Path>> = BTreeMap::new();
    for (path, name) in named {
        by_name.entry(name).or_default().push(path);
    }
    by_name.retain(|_, paths| paths.len() > 1);
    by_name
}

/// Folders directly under `out_root` that hold files gen generated but whose name no
/// profile renders (`rendered`): the bundle of a deleted or renamed profile, which Argo
/// CD or Flux would go on applying. Hidden folders (`.gen-cache`, …) are not bundles.
pub fn orphan_bundles(out_root: &Utf8Path, rendered: &BTreeSet<&str>) -> io::Result<Vec<String>> {
    let mut orphans = Vec::new();
    let entries = match out_root.read_dir_utf8() {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(orphans),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.starts_with('.') || !entry.file_type()?.is_dir() || rendered.contains(name) {
            continue;
        }
        if holds_generated_file(entry.path())? {
            orphans.push(name.to_string());
        }
    }
    orphans.sort();
    Ok(orphans)
}

/// Whether any file below `dir` starts with gen's ownership header (links are not
/// followed).
fn holds_generated_file(dir: &Utf8Path) -> io::Result<bool> {
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        use std::io::Read;
        let mut head = Vec::with_capacity(32);
        std::fs::File::open(entry.path())?
            .take(32)
            .read_to_end(&mut head)?;
        if crate::write::is_generated(&head) {
            return Ok(true);
        }
    }
    Ok(false)
}
