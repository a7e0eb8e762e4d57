//! Reading a tree: the YAML files below each path (walkdir, no links followed), each
//! document with its file and line, and the namespace a kustomization.yaml above it sets.

use std::collections::BTreeMap;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::*;

/// A Kubernetes object read from a file.
pub(crate) struct Document {
    pub(crate) file: String,
    pub(crate) line: u64,
    pub(crate) value: Value,
    /// The namespace from a kustomization.yaml above the file, for objects without one.
    pub(crate) inherited_namespace: Option<String>,
}

/// `path` itself if it is a file, else the YAML files below it in name order; hidden
/// entries, `target` and `node_modules` are skipped, and links below `path` are not
/// followed (nor read).
pub(crate) fn yaml_files(path: &Utf8Path, out: &mut Vec<Utf8PathBuf>) -> io::Result<()> {
    let skipped = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() > 0 && (name.starts_with('.') || name == "target" || name == "node_modules")
    };
    let walk = walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e));
    for entry in walk {
        let entry = entry?;
        let yaml = entry
            .path()
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml");
        if entry.file_type().is_file() && (entry.depth() == 0 || yaml) {
            let p = Utf8PathBuf::from_path_buf(entry.into_path()).map_err(|p| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: not UTF-8", p.display()),
                )
            })?;
            out.push(p);
        }
    }
    Ok(())
}

/// The `namespace:` of the nearest kustomization.yaml at or above `dir` (up to `root`).
pub(crate) fn kustomize_namespace(
    dir: &Utf8Path,
    root: &Utf8Path,
    cache: &mut BTreeMap<Utf8PathBuf, Option<String>>,
) -> Option<String> {
    let mut d = Some(dir);
    while let Some(cur) = d {
        let found = cache
            .entry(cur.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(cur.join("kustomization.yaml")).ok()?;
                let v: Value = serde_saphyr::from_str(&text).ok()?;
                v.get("namespace")?.as_str().map(str::to_string)
            })
            .clone();
        if found.is_some() {
            return found;
        }
        if cur == root {
            break;
        }
        d = cur.parent();
    }
    None
}

pub(crate) fn read_documents(
    paths: &[Utf8PathBuf],
    report: &mut AuditReport,
) -> io::Result<Vec<Document>> {
    let mut docs = Vec::new();
    let mut cache = BTreeMap::new();
    for root in paths {
        let mut files = Vec::new();
        yaml_files(root, &mut files)
            .map_err(|e| io::Error::new(e.kind(), format!("{root}: {e}")))?;
        let root_dir = if root.is_dir() {
            root.clone()
        } else {
            root.parent().map(Utf8Path::to_path_buf).unwrap_or_default()
        };
        for file in files {
            report.files_read += 1;
            let bytes = std::fs::read(&file)?;
            let Ok(text) = String::from_utf8(bytes) else {
                report.notes.push(Note {
                    file: file.to_string(),
                    message: "skipped: not UTF-8 text".into(),
                });
                continue;
            };
            let parsed: Result<Vec<Spanned<Value>>, _> = serde_saphyr::from_multiple(&text);
            report.sources.insert(file.to_string(), text.clone());
            let values = match parsed {
                Ok(v) => v,
                Err(e) => {
                    let first = e.without_snippet().to_string();
                    let first = first.lines().next().unwrap_or("").to_string();
                    report.notes.push(Note {
                        file: file.to_string(),
                        message: format!("skipped: not valid YAML ({first})"),
                    });
                    continue;
                }
            };
            let inherited =
                kustomize_namespace(file.parent().unwrap_or(&root_dir), &root_dir, &mut cache);
            let mut skipped = 0;
            for v in values {
                let is_k8s = v.value.get("apiVersion").and_then(Value::as_str).is_some()
                    && v.value.get("kind").and_then(Value::as_str).is_some();
                if v.value.is_null() {
                    continue;
                }
                if !is_k8s {
                    skipped += 1;
                    continue;
                }
                docs.push(Document {
                    file: file.to_string(),
                    line: v.referenced.line(),
                    value: v.value,
                    inherited_namespace: inherited.clone(),
                });
            }
            if skipped > 0 {
                report.notes.push(Note {
                    file: file.to_string(),
                    message: format!("skipped {skipped} document(s) without apiVersion and kind (not Kubernetes YAML)"),
                });
            }
        }
    }
    Ok(docs)
}
