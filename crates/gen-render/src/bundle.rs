//! Plan → bundle: the files of `out/<name>/`, as text, in a stable order. One object per
//! file, a `kustomization.yaml` in every folder, a README generated from a template.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use gen_profile::Profile;

use crate::plan::{Folder, Layer, Plan};
use crate::readme;
use crate::yaml::{to_yaml, yaml_header};

/// The rendered bundle: relative path (`/`-separated) → file content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The profile name, which is also the bundle folder under `out/`.
    pub name: String,
    pub files: BTreeMap<String, String>,
}

impl Bundle {
    /// The whole bundle as one multi-document YAML stream (README left out).
    pub fn to_stream(&self) -> String {
        let mut out = String::new();
        for (path, text) in &self.files {
            if !path.ends_with(".yaml") || path.ends_with("kustomization.yaml") {
                continue;
            }
            out.push_str("---\n");
            out.push_str(&format!("# Source: {path}\n"));
            out.push_str(
                text.lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .as_str(),
            );
            out.push('\n');
        }
        out
    }
}

/// A `kustomization.yaml` (kustomize.config.k8s.io/v1beta1).
#[derive(Serialize)]
struct Kustomization<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    resources: &'a [String],
}

fn kustomization(profile: &str, resources: &[String]) -> Result<String, String> {
    let k = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources,
    };
    Ok(yaml_header(profile) + &to_yaml(&k).map_err(|e| e.to_string())?)
}

/// Render the plan's folders, the kustomizations that tie them together, and the README.
pub fn assemble(profile: &Profile, plan: &Plan) -> Result<Bundle, String> {
    let header = yaml_header(&profile.name);
    let mut files = serialize_objects(plan, &header)?;
    // Every folder lists its files and child folders.
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for folder in &plan.folders {
        let names: Vec<String> = folder.objects.iter().map(|o| o.file_name()).collect();
        files.insert(
            format!("{}/kustomization.yaml", folder.path),
            kustomization(&profile.name, &names)?,
        );
        // Register a workload folder with each of its ancestors; GitOps folders are applied
        // by their engine one by one and stay out of the workload kustomizations.
        if folder.layer == Layer::GitOps {
            continue;
        }
        let mut path = folder.path.as_str();
        while let Some((parent, child)) = path.rsplit_once('/') {
            children
                .entry(parent.to_string())
                .or_default()
                .insert(child.to_string());
            path = parent;
        }
        children
            .entry(String::new())
            .or_default()
            .insert(path.to_string());
    }
    for (parent, kids) in &children {
        let resources = order_top_level(kids);
        let file = if parent.is_empty() {
            "kustomization.yaml".to_string()
        } else {
            format!("{parent}/kustomization.yaml")
        };
        files.insert(file, kustomization(&profile.name, &resources)?);
    }
    files.insert("README.md".to_string(), readme::render(profile, plan)?);
    Ok(Bundle {
        name: profile.name.clone(),
        files,
    })
}

/// Serialize every object to `folder/<kind>-<name>.yaml`, spread over the available cores
/// (serialization is most of the render time); the result is keyed by path, so the order
/// of the work does not matter.
fn serialize_objects(plan: &Plan, header: &str) -> Result<BTreeMap<String, String>, String> {
    let work: Vec<(&str, &crate::manifest::Manifest)> = plan
        .folders
        .iter()
        .flat_map(|f| f.objects.iter().map(move |o| (f.path.as_str(), o)))
        .collect();
    let one =
        |chunk: &[(&str, &crate::manifest::Manifest)]| -> Result<Vec<(String, String)>, String> {
            chunk
                .iter()
                .map(|(dir, object)| {
                    let body = to_yaml(object).map_err(|e| format!("{dir}: {e}"))?;
                    let mut text = String::with_capacity(header.len() + body.len());
                    text.push_str(header);
                    text.push_str(&body);
                    Ok((format!("{dir}/{}", object.file_name()), text))
                })
                .collect()
        };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let parts: Vec<Result<Vec<(String, String)>, String>> = if threads < 2 || work.len() < 256 {
        vec![one(&work)]
    } else {
        let size = work.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = work
                .chunks(size)
                .map(|chunk| scope.spawn(move || one(chunk)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a serializer thread panicked".to_string()))
                })
                .collect()
        })
    };
    let mut files = BTreeMap::new();
    for part in parts {
        files.extend(part?);
    }
    Ok(files)
}

/// Top-level folders in deployment order (platform, tenants, apps); others sorted.
fn order_top_level(kids: &BTreeSet<String>) -> Vec<String> {
    let rank = |k: &str| match k {
        "platform" => 0,
        "tenants" => 1,
        "apps" => 2,
        _ => 3,
    };
    let mut v: Vec<String> = kids.iter().cloned().collect();
    v.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    v
}

/// Folders of one layer, for the README and later the GitOps layer.
pub fn folders_of(plan: &Plan, layer: Layer) -> Vec<&Folder> {
    plan.folders.iter().filter(|f| f.layer == layer).collect()
}
