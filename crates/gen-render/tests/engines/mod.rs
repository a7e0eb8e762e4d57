//! What the GitOps tests share: the bundles of every profile, a reader of our kustomizations
//! (checked against kubectl), the scope and plural of every kind, and the engines' own
//! decisions: [`argocd`] and [`flux`].

#![allow(dead_code)]

use std::any::TypeId;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use gen_render::{Bundle, render_profile};
use serde_json::Value;

use crate::common::*;

pub mod argocd;
pub mod flux;

// Not every test crate uses every engine's helpers.
#[allow(unused_imports)]
pub use argocd::*;
#[allow(unused_imports)]
pub use flux::*;

pub fn all_bundles() -> Vec<Bundle> {
    EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .map(|p| render_profile(&p).unwrap())
        .chain(environment_bundles())
        .collect()
}

/// Each environment of the fleet profiles (one per engine) as a bundle of its own: the
/// files under `<env>/`, named `<fleet>/<env>`, so that `out/<name>` is its place in
/// the repository as for any bundle. An Argo CD environment has no bootstrap of its own:
/// the fleet's `bootstrap/` (the ApplicationSet that makes its roots) stands in for it. An Argo CD environment has no bootstrap of its own:
/// the fleet's `bootstrap/` (the ApplicationSet that makes its roots) stands in for it.
pub fn environment_bundles() -> Vec<Bundle> {
    FLEETS
        .iter()
        .flat_map(|p| {
            let names: Vec<String> = gen_profile::load_file(p)
                .unwrap()
                .profile
                .environments
                .iter()
                .map(|e| e.name.clone())
                .collect();
            let fleet = render_profile(p).unwrap();
            let fleet_bootstrap: Vec<(String, String)> = fleet
                .files
                .iter()
                .filter(|(k, _)| k.starts_with("bootstrap/"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            names.into_iter().map(move |env| {
                let prefix = format!("{env}/");
                Bundle {
                    name: format!("{}/{env}", fleet.name),
                    files: fleet
                        .files
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((k.strip_prefix(&prefix)?.to_string(), v.clone()))
                        })
                        .chain(fleet_bootstrap.clone())
                        .collect(),
                }
            })
        })
        .collect()
}

/// The profile a bundle of [`all_bundles`] was rendered from (for an environment's
/// bundle, `<fleet>/<env>`, the fleet's profile as written).
pub fn profile_of(bundle: &Bundle) -> gen_profile::Profile {
    let name = bundle.name.split('/').next().unwrap_or_default();
    EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .chain(FLEETS.iter().cloned())
        .map(|p| gen_profile::load_file(&p).unwrap().profile)
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no profile renders bundle {}", bundle.name))
}

pub fn engine_bundles(engine_folder: &str) -> Vec<Bundle> {
    all_bundles()
        .into_iter()
        .filter(|b| {
            b.files
                .keys()
                .any(|k| k.starts_with(&format!("{engine_folder}/")))
        })
        .collect()
}

/// Render a profile after editing its text (`edits`: pairs replaced once each), for a
/// bundle under `out`.
pub fn render_edited(
    profile: &Utf8Path,
    edits: &[(&str, &str)],
    out: &str,
) -> Result<Bundle, gen_profile::Report> {
    let mut text = std::fs::read_to_string(profile).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{profile}: no {from:?}");
        text = text.replacen(from, to, 1);
    }
    let loaded = gen_profile::parse(profile.as_str(), &text)?;
    gen_render::ops::render_checked(gen_render::check(loaded, Utf8Path::new(out))?)
}

/// The bundle folder a repository path names, checking that it builds (has a
/// kustomization.yaml). `repo_dir` is where the bundle is in the repository.
pub fn folder_of(bundle: &Bundle, repo_dir: &str, repo_path: &str) -> String {
    let prefix = format!("{repo_dir}/");
    let folder = repo_path
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{}: {repo_path} is not under {prefix}", bundle.name));
    assert!(
        bundle
            .files
            .contains_key(&format!("{folder}/kustomization.yaml")),
        "{}: {repo_path} names no folder of the bundle",
        bundle.name
    );
    folder.to_string()
}

/// The objects `kustomize build` of a bundle folder yields: the kustomization's
/// `resources`, files and folders, depth first. Checked against kubectl once
/// (`the_reader_agrees_with_kubectl_kustomize`).
pub fn build(bundle: &Bundle, folder: &str) -> Vec<Value> {
    let k: Value =
        serde_saphyr::from_str(&bundle.files[&format!("{folder}/kustomization.yaml")]).unwrap();
    let mut objects = Vec::new();
    for r in k["resources"].as_array().unwrap() {
        let path = format!("{folder}/{}", r.as_str().unwrap());
        match bundle.files.get(&path) {
            Some(text) => objects.push(serde_saphyr::from_str(text).unwrap()),
            None => objects.extend(build(bundle, &path)),
        }
    }
    objects
}

pub fn key(o: &Value) -> (String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        s(&o["apiVersion"]),
        s(&o["kind"]),
        s(&o["metadata"]["namespace"]),
        s(&o["metadata"]["name"]),
    )
}

/// Every folder of a bundle that has a kustomization.yaml.
pub fn folders(bundle: &Bundle) -> Vec<String> {
    bundle
        .files
        .keys()
        .filter_map(|k| k.strip_suffix("/kustomization.yaml"))
        .map(str::to_string)
        .collect()
}

/// The bundle written to a temporary repository at `repo_dir`.
pub fn checkout(bundle: &Bundle, repo_dir: &str) -> (tempfile::TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    for (path, text) in &bundle.files {
        let file = root.join(repo_dir).join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    (dir, root)
}

/// `kubectl`, or `None` with a loud note; on CI (where /usr/bin/kubectl exists) its
/// absence fails the test.
pub fn kubectl(test: &str) -> Option<&'static str> {
    let found = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("kubectl");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: kubectl is not installed, and CI must run this test"
    );
    eprintln!("\n*** SKIPPED {test}: kubectl is not installed ***\n");
    None
}

pub fn kustomize(dir: &Utf8Path) -> Vec<Value> {
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", dir.as_str()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl kustomize {dir}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_saphyr::from_multiple(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

pub struct KindInfo {
    pub namespaced: bool,
    pub plural: String,
}

pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

pub fn kind_table() -> &'static BTreeMap<(String, String), KindInfo> {
    static TABLE: OnceLock<BTreeMap<(String, String), KindInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        use k8s_openapi::api::core::v1::*;
        use k8s_openapi::api::networking::v1::NetworkPolicy;
        use k8s_openapi::api::rbac::v1::*;
        let mut table = BTreeMap::new();
        macro_rules! builtin {
            ($($t:ty),*) => {$(
                table.insert(
                    (<$t as k8s_openapi::Resource>::GROUP.to_string(), <$t as k8s_openapi::Resource>::KIND.to_string()),
                    KindInfo {
                        namespaced: TypeId::of::<<$t as k8s_openapi::Resource>::Scope>()
                            == TypeId::of::<k8s_openapi::NamespaceResourceScope>(),
                        plural: <$t as k8s_openapi::Resource>::URL_PATH_SEGMENT.to_string(),
                    },
                );
            )*};
        }
        builtin!(
            Namespace,
            ResourceQuota,
            LimitRange,
            Secret,
            ConfigMap,
            ServiceAccount,
            NetworkPolicy,
            Role,
            RoleBinding,
            ClusterRole,
            ClusterRoleBinding,
            k8s_openapi::api::apps::v1::Deployment,
            k8s_openapi::api::apps::v1::ReplicaSet,
            k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy,
            k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
            k8s_openapi::api::policy::v1::PodDisruptionBudget,
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition
        );
        // The custom kinds: the upstream CRDs (Seldon, Argo CD, Flux), read as they are.
        let reference = root().join("../shared/reference");
        let mut crd_files = Vec::new();
        let mut dirs = vec![reference.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = dir
                .read_dir_utf8()
                .unwrap_or_else(|e| panic!("{dir}: {e} (the upstream CRDs are needed here)"));
            for entry in entries {
                let path = entry.unwrap().path().to_path_buf();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension() == Some("yaml")
                    && path.components().any(|c| c.as_str() == "crds")
                    && !path.as_str().contains("applicationset")
                {
                    crd_files.push(path);
                }
            }
        }
        for file in crd_files {
            let text = std::fs::read_to_string(&file).unwrap();
            let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap_or_default();
            for crd in docs
                .iter()
                .filter(|d| d["kind"] == "CustomResourceDefinition")
            {
                let spec = &crd["spec"];
                table.insert(
                    (
                        spec["group"].as_str().unwrap().to_string(),
                        spec["names"]["kind"].as_str().unwrap().to_string(),
                    ),
                    KindInfo {
                        namespaced: spec["scope"] == "Namespaced",
                        plural: spec["names"]["plural"].as_str().unwrap().to_string(),
                    },
                );
            }
        }
        table
    })
}

pub fn info(o: &Value) -> &'static KindInfo {
    let group = group_of(o["apiVersion"].as_str().unwrap()).to_string();
    let kind = o["kind"].as_str().unwrap().to_string();
    kind_table()
        .get(&(group.clone(), kind.clone()))
        .unwrap_or_else(|| panic!("no scope known for {group}/{kind}: add it to kind_table"))
}

/// Every path an Application or Kustomization names, with the bundle written where the
/// repository holds it.
pub fn paths_resolve(bundle: &Bundle, repo_dir: &str) {
    let (_dir, root) = checkout(bundle, repo_dir);
    let mut seen = 0;
    for (path, o) in objects(bundle) {
        let repo_path = match o["kind"].as_str().unwrap() {
            "Application" => o["spec"]["source"]["path"].as_str(),
            "Kustomization" => o["spec"]["path"].as_str(),
            _ => None,
        };
        let Some(repo_path) = repo_path else {
            continue;
        };
        assert!(
            root.join(repo_path).join("kustomization.yaml").is_file(),
            "{}: {path} names {repo_path}, which is not a folder of the repository",
            bundle.name
        );
        seen += 1;
    }
    assert!(seen > 3);
    let readme = &bundle.files["README.md"];
    assert!(
        readme.contains(&format!("kubectl apply -k {repo_dir}/bootstrap")),
        "{}",
        bundle.name
    );
    assert!(
        !readme.contains("out/") || repo_dir.starts_with("out/"),
        "{readme}"
    );
}

/// The Application or HelmRelease that installs the setup chart.
pub fn setup_release(o: &Value) -> bool {
    o["spec"]["source"]["chart"] == "seldon-core-v2-setup"
        || o["spec"]["chart"]["spec"]["chart"] == "seldon-core-v2-setup"
}
