//! The objects of a rendered bundle, read back from its files: what each is (API group,
//! kind, namespace, name), where it is written, and its content.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// What the API server keys an object by: API group (without version), kind, namespace
/// (empty for a cluster-scoped object) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Id {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Id {
    pub fn new(group: &str, kind: &str, namespace: &str, name: &str) -> Self {
        Id {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

/// `Kind namespace/name`, or `Kind name` for a cluster-scoped object.
impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One object of a bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// The file it is written in, relative to the bundle (`/`-separated).
    pub file: String,
    pub id: Id,
    pub value: Value,
}

/// A bundle file that is not what a rendered bundle holds.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("{file}: not valid YAML: {reason}")]
    Yaml { file: String, reason: String },
    #[error("{file}: not a Kubernetes object (apiVersion, kind and metadata.name required)")]
    NotAnObject { file: String },
}

/// The kustomize kinds: they build folders, they are not applied.
fn is_kustomize(api_version: &str) -> bool {
    api_version.starts_with("kustomize.config.k8s.io/")
}

/// A rendered bundle's files: relative path → content.
pub type Files = BTreeMap<String, String>;

/// Every object in the YAML files of `files` (path → content), in path order; the
/// README, other non-YAML files and kustomize's own `kustomization.yaml` are left out.
pub fn objects(files: &Files) -> Result<Vec<Object>, ObjectsError> {
    let mut out = Vec::new();
    for (file, text) in files {
        let base = file.rsplit('/').next().unwrap_or(file);
        if !(file.ends_with(".yaml") || file.ends_with(".yml")) || base == "kustomization.yaml" {
            continue;
        }
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(text).map_err(|e| ObjectsError::Yaml {
                file: file.clone(),
                reason: e.to_string(),
            })?;
        for value in docs {
            if value.is_null() {
                continue;
            }
            let api_version = value
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
            let meta = value.get("metadata");
            let name = meta
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if is_kustomize(api_version) {
                continue;
            }
            if api_version.is_empty() || kind.is_empty() || name.is_empty() {
                return Err(ObjectsError::NotAnObject { file: file.clone() });
            }
            let namespace = meta
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
            out.push(Object {
                file: file.clone(),
                id: Id::new(group, kind, namespace, name),
                value,
            });
        }
    }
    Ok(out)
}

/// The `resources` of each `kustomization.yaml` in `files`, by folder (`""` for the root).
pub fn kustomizations(files: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct K {
        resources: Vec<String>,
    }
    files
        .iter()
        .filter_map(|(path, text)| {
            let folder = match path.rsplit_once('/') {
                Some((folder, "kustomization.yaml")) => folder,
                None if path == "kustomization.yaml" => "",
                _ => return None,
            };
            let k: K = serde_saphyr::from_str(text).ok()?;
            Some((folder.to_string(), k.resources))
        })
        .collect()
}

/// The files kustomize builds for `folder`: its kustomization's resources, folders
/// followed; a folder without a kustomization contributes nothing.
pub fn built_files(kustomizations: &BTreeMap<String, Vec<String>>, folder: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![folder.trim_end_matches('/').to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(dir) = stack.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Some(resources) = kustomizations.get(&dir) else {
            continue;
        };
        for r in resources.iter().rev() {
            let path = normalize(&dir, r);
            if kustomizations.contains_key(&path) {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `dir/relative` with `.` and `..` resolved.
pub fn normalize(dir: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in relative.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}
