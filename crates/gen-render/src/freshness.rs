//! `gen check`: how the bundle on disk differs from what its profile renders, said so that
//! a reviewer can act on it: a bundle that was never rendered is one finding, not a diff
//! of every file; hand-written files are named the way `gen render` names them; diff
//! sides say which is the disk and which is the profile's render.

use std::io;

use camino::Utf8Path;

use crate::bundle::Bundle;
use crate::write::{Changes, bundle_dir, compare, is_generated};

/// The bundle on disk against the profile's render.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Freshness {
    /// `out/<name>/` does not exist: the profile was never rendered there.
    pub missing: bool,
    /// Per file: missing (`created`), stale (`updated`), no longer rendered (`pruned`),
    /// hand-written and kept (`foreign`). Empty when `missing`.
    pub changes: Changes,
    /// Hand-written files (without gen's header) at paths the profile renders: `gen
    /// render` refuses to overwrite them, so the bundle cannot be made fresh until they
    /// are moved. They are also listed in `changes.updated`.
    pub blocked: Vec<String>,
}

impl Freshness {
    /// Whether the bundle on disk is exactly what the profile renders. Hand-written files
    /// elsewhere in the folder do not make it stale (render keeps them too).
    pub fn is_fresh(&self) -> bool {
        !self.missing && self.changes.is_clean()
    }

    /// Stale files that gen wrote (blocked ones left out).
    pub fn stale(&self) -> impl Iterator<Item = &String> {
        self.changes
            .updated
            .iter()
            .filter(|f| !self.blocked.contains(f))
    }
}

/// Compare `bundle` with `out_root/<name>/` without writing.
pub fn freshness(out_root: &Utf8Path, bundle: &Bundle) -> io::Result<Freshness> {
    let dir = bundle_dir(out_root, bundle)?;
    if !dir.is_dir() {
        return Ok(Freshness {
            missing: true,
            ..Freshness::default()
        });
    }
    let changes = compare(out_root, bundle)?;
    let mut blocked = Vec::new();
    for rel in &changes.updated {
        if !is_generated(&read_head(&dir.join(rel))?) {
            blocked.push(rel.clone());
        }
    }
    Ok(Freshness {
        missing: false,
        changes,
        blocked,
    })
}

/// The first bytes of a file, enough to see gen's header.
fn read_head(path: &Utf8Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)?.take(64).read_to_end(&mut head)?;
    Ok(head)
}

/// One file of a stale bundle: lines that a render would add and remove.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileStat {
    pub path: String,
    pub added: usize,
    pub removed: usize,
}

/// The files that differ, sorted, each with its disk text and rendered text (empty when
/// absent on that side).
fn differing<'a>(
    out_root: &Utf8Path,
    bundle: &'a Bundle,
    f: &'a Freshness,
) -> io::Result<Vec<(&'a String, String, &'a str)>> {
    let dir = bundle_dir(out_root, bundle)?;
    let mut files: Vec<&String> = f
        .changes
        .created
        .iter()
        .chain(&f.changes.updated)
        .chain(&f.changes.pruned)
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|rel| {
            let disk = match std::fs::read(dir.join(rel)) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(e),
            };
            let rendered = bundle.files.get(rel).map(String::as_str).unwrap_or("");
            Ok((rel, disk, rendered))
        })
        .collect()
}

/// Lines added and removed per differing file (`gen check --stat`).
pub fn stat(out_root: &Utf8Path, bundle: &Bundle, f: &Freshness) -> io::Result<Vec<FileStat>> {
    Ok(differing(out_root, bundle, f)?
        .into_iter()
        .map(|(rel, disk, rendered)| {
            let diff = similar::TextDiff::from_lines(disk.as_str(), rendered);
            let (mut added, mut removed) = (0, 0);
            for change in diff.iter_all_changes() {
                match change.tag() {
                    similar::ChangeTag::Insert => added += 1,
                    similar::ChangeTag::Delete => removed += 1,
                    similar::ChangeTag::Equal => {}
                }
            }
            FileStat {
                path: rel.clone(),
                added,
                removed,
            }
        })
        .collect())
}

/// A unified diff (3 lines of context) from the disk to the render, for every file that
/// is missing, stale or no longer rendered. The `---` side is labelled `(on disk)`, the
/// `+++` side `(rendered from <profile>)`, with `<profile>` as the user named it.
pub fn diff(
    out_root: &Utf8Path,
    bundle: &Bundle,
    f: &Freshness,
    profile: &str,
) -> io::Result<String> {
    let dir = bundle_dir(out_root, bundle)?;
    let mut out = String::new();
    for (rel, disk, rendered) in differing(out_root, bundle, f)? {
        let on_disk = if f.changes.created.contains(rel) {
            "not on disk"
        } else {
            "on disk"
        };
        let render = if bundle.files.contains_key(rel) {
            format!("rendered from {profile}")
        } else {
            format!("no longer rendered from {profile}")
        };
        let text = similar::TextDiff::from_lines(disk.as_str(), rendered)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{dir}/{rel} ({on_disk})"),
                &format!("{dir}/{rel} ({render})"),
            )
            .to_string();
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
