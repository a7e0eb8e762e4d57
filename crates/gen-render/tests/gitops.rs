//! The GitOps layer, checked by following the engines' own rules over the rendered objects,
//! for both patterns × both engines (the examples and tests/profiles/):
//!
//! - Argo CD: every object an Application's path builds is admitted by its AppProject
//!   exactly as Argo CD decides (`IsGroupKindNamePermitted`, `IsDestinationPermitted`,
//!   `IsSourcePermitted` in argo-cd `pkg/apis/application/v1alpha1/app_project_types.go`);
//!   syncs retry; projects come first and go last; cascade deletion (one wave at a time,
//!   highest first: `controller/sort_delete.go`) removes Models while their controller and
//!   scheduler still run.
//! - Flux: every Kustomization and HelmRelease runs as a rendered service account whose
//!   RBAC admits every object it applies (for a HelmRelease: the chart's objects, Helm's
//!   release Secret, the ReplicaSets Helm's wait reads) and every rule of each Role it
//!   creates (Kubernetes' escalation check); one Kustomization per tenant, no tenant waiting
//!   for another; the GitRepository checks out the revision; HelmReleases remediate; the
//!   runtime health check needs SchedulerReady and EnvoyReady (evaluated with a CEL
//!   interpreter); the CRDs release keeps its CRDs (post-renderer applied with kustomize).
//! - Both: per Application or Kustomization, every kind and namespace it may write (from
//!   the AppProject, or from the service account's RBAC): the application layer only
//!   Models, Pipelines and Experiments in its own namespace, no layer outside the bundle's
//!   namespaces; paths resolve in the repository wherever the bundle lives (`--out`,
//!   `gitops.path`), and the bundle README states what a first install needs.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};
use common::*;
use gen_render::{Bundle, render_profile};
use serde_json::{Value, json};

fn all_bundles() -> Vec<Bundle> {
    EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .map(|p| render_profile(&p).unwrap())
        .collect()
}

fn engine_bundles(engine_folder: &str) -> Vec<Bundle> {
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
fn render_edited(
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
    gen_render::ops::render_loaded_in(&loaded, Utf8Path::new(out))
}

// ---- reading a bundle as kustomize does ----

/// The bundle folder a repository path names, checking that it builds (has a
/// kustomization.yaml). `repo_dir` is where the bundle is in the repository.
fn folder_of(bundle: &Bundle, repo_dir: &str, repo_path: &str) -> String {
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
fn build(bundle: &Bundle, folder: &str) -> Vec<Value> {
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

fn key(o: &Value) -> (String, String, String, String) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    (
        s(&o["apiVersion"]),
        s(&o["kind"]),
        s(&o["metadata"]["namespace"]),
        s(&o["metadata"]["name"]),
    )
}

/// Every folder of a bundle that has a kustomization.yaml.
fn folders(bundle: &Bundle) -> Vec<String> {
    bundle
        .files
        .keys()
        .filter_map(|k| k.strip_suffix("/kustomization.yaml"))
        .map(str::to_string)
        .collect()
}

/// The bundle written to a temporary repository at `repo_dir`.
fn checkout(bundle: &Bundle, repo_dir: &str) -> (tempfile::TempDir, Utf8PathBuf) {
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
fn kubectl(test: &str) -> Option<&'static str> {
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

fn kustomize(dir: &Utf8Path) -> Vec<Value> {
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

#[test]
fn the_reader_agrees_with_kubectl_kustomize() {
    if kubectl("the_reader_agrees_with_kubectl_kustomize").is_none() {
        return;
    }
    for bundle in all_bundles() {
        let (_dir, root) = checkout(&bundle, "b");
        for folder in folders(&bundle) {
            let ours: BTreeSet<_> = build(&bundle, &folder).iter().map(key).collect();
            let theirs: BTreeSet<_> = kustomize(&root.join("b").join(&folder))
                .iter()
                .map(key)
                .collect();
            assert_eq!(ours, theirs, "{}: {folder}", bundle.name);
        }
    }
}

// ---- kinds: scope and plural, from k8s-openapi and the upstream CRDs ----

struct KindInfo {
    namespaced: bool,
    plural: String,
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn kind_table() -> &'static BTreeMap<(String, String), KindInfo> {
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

fn info(o: &Value) -> &'static KindInfo {
    let group = group_of(o["apiVersion"].as_str().unwrap()).to_string();
    let kind = o["kind"].as_str().unwrap().to_string();
    kind_table()
        .get(&(group.clone(), kind.clone()))
        .unwrap_or_else(|| panic!("no scope known for {group}/{kind}: add it to kind_table"))
}

#[test]
fn kind_table_knows_scopes() {
    let t = kind_table();
    assert!(!t[&(String::new(), "Namespace".to_string())].namespaced);
    assert!(t[&("networking.k8s.io".to_string(), "NetworkPolicy".to_string())].namespaced);
    assert!(t[&("mlops.seldon.io".to_string(), "Model".to_string())].namespaced);
    assert_eq!(
        t[&("mlops.seldon.io".to_string(), "SeldonRuntime".to_string())].plural,
        "seldonruntimes"
    );
    assert!(
        !t[&(
            "apiextensions.k8s.io".to_string(),
            "CustomResourceDefinition".to_string()
        )]
            .namespaced
    );
    assert!(t[&("argoproj.io".to_string(), "AppProject".to_string())].namespaced);
}

// ---- Argo CD, as it decides ----

/// Go's `filepath.Match` for the patterns a whitelist may hold: `*` and `?` (gen writes
/// no character classes; one would fail here).
fn glob(pattern: &str, value: &str) -> bool {
    assert!(!pattern.contains('['), "character class in {pattern}");
    fn m(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some('*'), _) => m(&p[1..], v) || (!v.is_empty() && v[0] != '/' && m(p, &v[1..])),
            (Some('?'), Some(c)) if *c != '/' => m(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &v[1..]),
            _ => false,
        }
    }
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    m(&p, &v)
}

fn in_list(list: &Value, group: &str, kind: &str, name: Option<&str>) -> bool {
    list.as_array().unwrap().iter().any(|item| {
        glob(item["kind"].as_str().unwrap(), kind)
            && glob(item["group"].as_str().unwrap(), group)
            && match (item["name"].as_str(), name) {
                (None | Some(""), _) => true,
                (Some(p), Some(n)) => glob(p, n),
                (Some(_), None) => false,
            }
    })
}

/// `IsGroupKindNamePermitted`: an absent namespace whitelist admits every namespaced
/// kind, a present one only what it lists (an empty one nothing); cluster-scoped kinds
/// need the cluster whitelist; blacklists deny.
fn kind_permitted(project: &Value, group: &str, kind: &str, name: &str, namespaced: bool) -> bool {
    let spec = &project["spec"];
    let (white, black) = if namespaced {
        (
            &spec["namespaceResourceWhitelist"],
            &spec["namespaceResourceBlacklist"],
        )
    } else {
        (
            &spec["clusterResourceWhitelist"],
            &spec["clusterResourceBlacklist"],
        )
    };
    let name = (!namespaced).then_some(name);
    let whitelisted = if namespaced && white.is_null() {
        true
    } else {
        white.as_array().is_some_and(|l| !l.is_empty()) && in_list(white, group, kind, name)
    };
    let blacklisted =
        black.as_array().is_some_and(|l| !l.is_empty()) && in_list(black, group, kind, name);
    whitelisted && !blacklisted
}

/// `isDestinationMatched` for gen's destinations (server + namespace, no deny patterns).
fn destination_permitted(project: &Value, server: &str, namespace: &str) -> bool {
    project["spec"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| {
            assert!(
                !d.to_string().contains('!'),
                "deny patterns are not modelled"
            );
            d["server"]
                .as_str()
                .is_some_and(|s| s == "*" || glob(s, server))
                && glob(d["namespace"].as_str().unwrap(), namespace)
        })
}

fn source_permitted(project: &Value, repo: &str) -> bool {
    project["spec"]["sourceRepos"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "*" || r.as_str() == Some(repo))
}

fn wave(o: &Value) -> i64 {
    o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        .as_str()
        .map_or(0, |w| w.parse().unwrap())
}

fn by_name<'a>(objs: &'a [(String, Value)], kind: &str) -> BTreeMap<String, &'a Value> {
    objs.iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| (o["metadata"]["name"].as_str().unwrap().to_string(), o))
        .collect()
}

#[test]
fn argocd_projects_admit_every_object_of_their_applications() {
    let mut checked = 0;
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let projects = by_name(&objs, "AppProject");
        for (path, app) in objs.iter().filter(|(_, o)| o["kind"] == "Application") {
            let spec = &app["spec"];
            let project_name = spec["project"].as_str().unwrap();
            assert_ne!(project_name, "default", "{path}: the default project");
            let project = projects
                .get(project_name)
                .unwrap_or_else(|| panic!("{path}: project {project_name} is not rendered"));
            let dest = &spec["destination"];
            let (server, dest_ns) = (
                dest["server"].as_str().unwrap(),
                dest["namespace"].as_str().unwrap(),
            );
            assert!(
                destination_permitted(project, server, dest_ns),
                "{path}: destination {dest_ns} not permitted in project {project_name}"
            );
            assert!(
                source_permitted(project, spec["source"]["repoURL"].as_str().unwrap()),
                "{path}: source not permitted in project {project_name}"
            );
            let built = match spec["source"]["path"].as_str() {
                Some(repo_path) => build(
                    &bundle,
                    &folder_of(&bundle, &format!("out/{}", bundle.name), repo_path),
                ),
                None => chart_objects(spec),
            };
            assert!(!built.is_empty(), "{path}: builds nothing");
            for o in built {
                let kind_info = info(&o);
                let api_version = o["apiVersion"].as_str().unwrap();
                let (group, kind) = (group_of(api_version), o["kind"].as_str().unwrap());
                let name = o["metadata"]["name"].as_str().unwrap();
                assert!(
                    kind_permitted(project, group, kind, name, kind_info.namespaced),
                    "{}: resource {group}:{kind} is not permitted in project {project_name} (Application {path})",
                    bundle.name
                );
                if kind_info.namespaced {
                    let ns = o["metadata"]["namespace"].as_str().unwrap_or(dest_ns);
                    assert!(
                        destination_permitted(project, server, ns),
                        "{}: namespace {ns} is not permitted in project '{project_name}' ({kind} {name})",
                        bundle.name
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} objects checked");
}

/// The kinds the Seldon charts render (seldon-core v2.10.2 `k8s/helm-charts/`): the CRDs
/// chart only CRDs; the setup chart the controller's namespaced objects, plus a ClusterRole
/// and ClusterRoleBinding when clusterwide or watching namespaces
/// (`seldon-core-v2-setup/templates/_components-statefulsets.tpl`).
fn chart_objects(spec: &Value) -> Vec<Value> {
    let ns = spec["destination"]["namespace"].as_str().unwrap();
    let object = |api: &str, kind: &str, namespaced: bool| {
        let mut o = json!({"apiVersion": api, "kind": kind, "metadata": {"name": "chart-object"}});
        if namespaced {
            o["metadata"]["namespace"] = json!(ns);
        }
        o
    };
    match spec["source"]["chart"].as_str().unwrap() {
        "seldon-core-v2-crds" => vec![object(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            false,
        )],
        "seldon-core-v2-setup" => {
            let mut v = vec![
                object("v1", "ConfigMap", true),
                object("v1", "ServiceAccount", true),
                object("apps/v1", "Deployment", true),
                object("rbac.authorization.k8s.io/v1", "Role", true),
                object("rbac.authorization.k8s.io/v1", "RoleBinding", true),
                object("mlops.seldon.io/v1alpha1", "SeldonConfig", true),
                object("mlops.seldon.io/v1alpha1", "ServerConfig", true),
            ];
            let values = &spec["source"]["helm"]["valuesObject"]["controller"];
            if values["clusterwide"] == true || values["watchNamespaces"].is_array() {
                v.push(object("rbac.authorization.k8s.io/v1", "ClusterRole", false));
                v.push(object(
                    "rbac.authorization.k8s.io/v1",
                    "ClusterRoleBinding",
                    false,
                ));
            }
            v
        }
        other => panic!("unknown chart {other}"),
    }
}

#[test]
fn kind_permitted_follows_argo_cd() {
    // The cases of argo-cd's TestAppProject_IsGroupKindPermitted that gen can meet.
    let p = |spec: Value| json!({ "spec": spec });
    let deny_all = p(json!({"namespaceResourceWhitelist": []}));
    assert!(!kind_permitted(&deny_all, "apps", "Deployment", "x", true));
    let open = p(json!({}));
    assert!(kind_permitted(&open, "apps", "Deployment", "x", true));
    assert!(!kind_permitted(&open, "", "Namespace", "x", false));
    let listed = p(
        json!({"namespaceResourceWhitelist": [{"group": "apps", "kind": "ReplicaSet"}],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "team1-*"}]}),
    );
    assert!(kind_permitted(&listed, "apps", "ReplicaSet", "x", true));
    assert!(!kind_permitted(&listed, "apps", "Deployment", "x", true));
    assert!(kind_permitted(&listed, "", "Namespace", "team1-a", false));
    assert!(!kind_permitted(&listed, "", "Namespace", "other", false));
}

#[test]
fn argocd_applications_retry_and_wait_for_foreign_crds() {
    for bundle in engine_bundles("argocd") {
        for (path, app) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Application")
        {
            let policy = &app["spec"]["syncPolicy"];
            let retry = &policy["retry"];
            let limit = retry["limit"].as_i64().unwrap();
            assert!(!(0..5).contains(&limit), "{path}: retry limit {limit}");
            assert!(retry["backoff"]["duration"].is_string(), "{path}");
            assert!(retry["backoff"]["maxDuration"].is_string(), "{path}");
            assert!(retry["backoff"]["factor"].as_i64().unwrap() >= 1, "{path}");
            let options: Vec<&str> = policy["syncOptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_str().unwrap())
                .collect();
            // Custom resources whose CRDs this Application does not bring: the Seldon kinds
            // anywhere but in the CRDs chart (the setup chart's SeldonConfig and
            // ServerConfigs, the folders' Seldon objects).
            let source = &app["spec"]["source"];
            let foreign = match source["path"].as_str() {
                Some(p) => {
                    let folder = folder_of(&bundle, &format!("out/{}", bundle.name), p);
                    build(&bundle, &folder)
                        .iter()
                        .any(|o| group_of(o["apiVersion"].as_str().unwrap()) == "mlops.seldon.io")
                }
                None => source["chart"] == "seldon-core-v2-setup",
            };
            assert_eq!(
                options.contains(&"SkipDryRunOnMissingResource=true"),
                foreign,
                "{path}: {options:?}"
            );
        }
    }
}

#[test]
fn argocd_projects_come_first_and_go_last() {
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let projects = by_name(&objs, "AppProject");
        let in_folder = |prefix: &str| -> Vec<&Value> {
            objs.iter()
                .filter(|(p, _)| p.starts_with(prefix))
                .map(|(_, o)| o)
                .collect()
        };
        for p in projects.values() {
            assert_eq!(
                p["metadata"]["finalizers"],
                json!(["resources-finalizer.argocd.argoproj.io"]),
                "{}: a project stays while an Application uses it",
                bundle.name
            );
        }
        // The root's children: every Application in a later wave than its project, so the
        // project is synced before it and deleted after it.
        for app in in_folder("argocd/")
            .into_iter()
            .filter(|o| o["kind"] == "Application")
        {
            let project = projects[app["spec"]["project"].as_str().unwrap()];
            assert!(
                wave(project) < wave(app),
                "{}: {} in wave {} but its project in wave {}",
                bundle.name,
                app["metadata"]["name"],
                wave(app),
                wave(project)
            );
        }
        // The root Application: in its own project, applied with it by hand, which admits
        // only Applications and AppProjects in the Argo CD namespace.
        let root: Vec<&Value> = in_folder("bootstrap/")
            .into_iter()
            .filter(|o| o["kind"] == "Application")
            .collect();
        assert_eq!(root.len(), 1);
        let bootstrap = in_folder("bootstrap/")
            .into_iter()
            .find(|o| o["kind"] == "AppProject")
            .unwrap();
        assert_eq!(root[0]["spec"]["project"], bootstrap["metadata"]["name"]);
        assert_eq!(
            bootstrap["spec"]["namespaceResourceWhitelist"],
            json!([{"group": "argoproj.io", "kind": "AppProject"}, {"group": "argoproj.io", "kind": "Application"}])
        );
        assert_eq!(bootstrap["spec"]["clusterResourceWhitelist"], json!([]));
    }
}

/// Argo CD's cascade deletion of the root Application: the highest wave of what remains is
/// deleted, and the next only once it is gone (`FilterObjectsForDeletion`). Returns the
/// waves in deletion order with the kinds their Applications hold.
fn deletion_order(bundle: &Bundle) -> Vec<(i64, BTreeSet<String>)> {
    let objs = objects(bundle);
    let mut by_wave: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (path, o) in objs.iter().filter(|(p, _)| p.starts_with("argocd/")) {
        let kinds = by_wave.entry(wave(o)).or_default();
        match o["kind"].as_str().unwrap() {
            "AppProject" => {
                kinds.insert("AppProject".to_string());
            }
            "Application" => match o["spec"]["source"]["path"].as_str() {
                Some(p) => {
                    let folder = folder_of(bundle, &format!("out/{}", bundle.name), p);
                    kinds.extend(
                        build(bundle, &folder)
                            .iter()
                            .map(|x| x["kind"].as_str().unwrap().to_string()),
                    );
                }
                None => {
                    kinds.insert(format!("chart {}", o["spec"]["source"]["chart"]));
                }
            },
            other => panic!("{path}: {other} in argocd/"),
        }
    }
    by_wave.into_iter().rev().collect()
}

#[test]
fn argocd_teardown_deletes_models_before_their_controller_and_scheduler() {
    for bundle in engine_bundles("argocd") {
        let order = deletion_order(&bundle);
        let position = |what: &str| {
            order
                .iter()
                .position(|(_, kinds)| kinds.iter().any(|k| k.contains(what)))
                .unwrap_or_else(|| panic!("{}: no {what}", bundle.name))
        };
        let last_model = order
            .iter()
            .rposition(|(_, kinds)| kinds.contains("Model"))
            .unwrap();
        assert!(last_model < position("SeldonRuntime"), "{order:?}");
        assert!(
            position("SeldonRuntime") < position("seldon-core-v2-setup"),
            "{order:?}"
        );
        assert!(
            position("seldon-core-v2-setup") < position("AppProject"),
            "{order:?}"
        );
        // Models and runtimes are never deleted in the same wave.
        assert!(
            order
                .iter()
                .all(|(_, k)| !(k.contains("Model") && k.contains("SeldonRuntime")))
        );
    }
}

#[test]
fn argocd_never_prunes_crds() {
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let crds = objs
            .iter()
            .find(|(_, o)| o["spec"]["source"]["chart"] == "seldon-core-v2-crds")
            .unwrap();
        assert_eq!(crds.1["spec"]["syncPolicy"]["automated"]["prune"], false);
    }
}

// ---- Flux, as it decides ----

/// What source-controller checks out for a GitRepository ref: commit > name > semver >
/// tag > branch (`api/v1/gitrepository_types.go` GitRepositoryRef), as a full ref or SHA.
fn flux_checkout(r: &Value) -> String {
    let set: Vec<&str> = ["branch", "tag", "semver", "name", "commit"]
        .into_iter()
        .filter(|k| !r[*k].is_null())
        .collect();
    assert_eq!(set.len(), 1, "exactly one ref field: {r}");
    if let Some(c) = r["commit"].as_str() {
        c.to_string()
    } else if let Some(n) = r["name"].as_str() {
        n.to_string()
    } else if let Some(t) = r["tag"].as_str() {
        format!("refs/tags/{t}")
    } else {
        format!("refs/heads/{}", r["branch"].as_str().unwrap())
    }
}

#[test]
fn flux_checks_out_the_revision_argo_cd_would() {
    let sha1 = "0123456789abcdef0123456789abcdef01234567";
    let sha256 = "0123456789abcdef".repeat(4);
    let cases = [
        ("main", "refs/heads/main".to_string()),
        ("release/2.10", "refs/heads/release/2.10".to_string()),
        ("refs/heads/release-1", "refs/heads/release-1".to_string()),
        ("refs/tags/v1.2.0", "refs/tags/v1.2.0".to_string()),
        ("refs/pull/7/head", "refs/pull/7/head".to_string()),
        (sha1, sha1.to_string()),
        (sha256.as_str(), sha256.clone()),
    ];
    for (revision, expected) in cases {
        for profile in [test_profile("shared-flux"), example("multi-tenant")] {
            let bundle = render_edited(
                &profile,
                &[("revision: main", &format!("revision: \"{revision}\""))],
                "out",
            )
            .unwrap();
            let objs = objects(&bundle);
            let git = by_name(&objs, "GitRepository");
            let git = git.values().next().unwrap();
            assert_eq!(flux_checkout(&git["spec"]["ref"]), expected, "{revision}");
        }
        // Argo CD takes the revision as written (it resolves branches, tags, full refs and
        // SHAs itself).
        let bundle = render_edited(
            &example("single-team"),
            &[("revision: main", &format!("revision: \"{revision}\""))],
            "out",
        )
        .unwrap();
        for (_, app) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Application" && o["spec"]["source"]["path"].is_string())
        {
            assert_eq!(app["spec"]["source"]["targetRevision"], revision);
        }
    }
}

#[test]
fn flux_refuses_a_revision_it_would_take_for_a_branch() {
    let cases = [
        (
            "0123abc",
            "looks like an abbreviated commit SHA",
            "commit",
            "give the full 40-character SHA, or write refs/heads/0123abc if it is a branch",
        ),
        (
            "v1.2.0",
            "looks like a version tag",
            "tag",
            "write refs/tags/v1.2.0 for the tag, or write refs/heads/v1.2.0 if it is a branch",
        ),
        (
            "2.10.2",
            "looks like a version tag",
            "tag",
            "write refs/tags/2.10.2 for the tag, or write refs/heads/2.10.2 if it is a branch",
        ),
    ];
    let revision_line = std::fs::read_to_string(test_profile("shared-flux"))
        .unwrap()
        .lines()
        .position(|l| l.trim_start().starts_with("revision: main"))
        .expect("the test profile sets revision: main") as u64
        + 1;
    for (revision, what, field, help) in cases {
        let report = render_edited(
            &test_profile("shared-flux"),
            &[("revision: main", &format!("revision: \"{revision}\""))],
            "out",
        )
        .unwrap_err();
        let d: Vec<_> = report.diagnostics.iter().collect();
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str()),
            (
                "gitops-revision",
                "gitops.revision",
                revision_line,
                format!("gitops.revision \"{revision}\" looks like {}, but a plain name is a branch: Flux would check out spec.ref.branch \"{revision}\", not spec.ref.{field}", what.trim_start_matches("looks like ")).as_str()
            )
        );
        assert_eq!(d[0].help.as_deref(), Some(help));
        // Argo CD resolves them itself, and a branch name that merely has digits is a branch.
        assert!(
            render_edited(
                &test_profile("dedicated-argocd"),
                &[("revision: main", &format!("revision: \"{revision}\""))],
                "out"
            )
            .is_ok()
        );
    }
    for fine in [
        "feature-1",
        "cafe",
        "refs/heads/0123abc",
        "v1",
        "release-2.10",
    ] {
        assert!(
            render_edited(
                &test_profile("shared-flux"),
                &[("revision: main", &format!("revision: \"{fine}\""))],
                "out"
            )
            .is_ok(),
            "{fine}"
        );
    }
}

fn duration_secs(d: &str) -> u64 {
    let (n, unit) = d.split_at(d.len() - 1);
    let n: u64 = n.parse().unwrap();
    match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => panic!("duration {d}"),
    }
}

#[test]
fn flux_helm_releases_remediate_and_fit_an_image_pull() {
    for bundle in engine_bundles("flux") {
        let objs = objects(&bundle);
        let releases = by_name(&objs, "HelmRelease");
        assert_eq!(releases.len(), 2, "{}", bundle.name);
        for (name, hr) in releases {
            let spec = &hr["spec"];
            // helm-controller: retries 0 (the default) stalls after one failure; negative
            // retries without limit.
            let install = spec["install"]["remediation"]["retries"].as_i64().unwrap();
            assert!(install < 0, "{name}: a first install keeps trying");
            let upgrade = &spec["upgrade"]["remediation"];
            assert!(upgrade["retries"].as_i64().unwrap() != 0, "{name}");
            assert_eq!(upgrade["remediateLastFailure"], true, "{name}");
            // Helm's default is 5m; a first pull of the controller image may take longer.
            assert!(
                duration_secs(spec["timeout"].as_str().unwrap()) >= 600,
                "{name}"
            );
        }
    }
}

/// Evaluate a Flux health-check `current` expression on an object as kustomize-controller
/// does: the object's top-level fields are the variables; only `true` is healthy, and an
/// evaluation error (such as a missing field) leaves the object in progress.
fn current(expression: &str, object: &Value) -> bool {
    let program = cel::Program::compile(expression).unwrap();
    let mut context = cel::Context::default();
    for (k, v) in object.as_object().unwrap() {
        context.add_variable_from_value(k.clone(), cel::to_value(v).unwrap());
    }
    matches!(program.execute(&context), Ok(cel::Value::Bool(true)))
}

#[test]
fn flux_runtime_health_needs_scheduler_and_envoy_to_exist_and_be_true() {
    let runtime = |status: Option<Value>| {
        let mut o = json!({"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "SeldonRuntime",
            "metadata": {"name": "seldon", "namespace": "t"}, "spec": {"seldonConfig": "default"}});
        if let Some(s) = status {
            o["status"] = s;
        }
        o
    };
    let c = |t: &str, s: &str| json!({"type": t, "status": s});
    let cases = [
        (runtime(None), false),
        (runtime(Some(json!({}))), false),
        (runtime(Some(json!({"conditions": []}))), false),
        (
            runtime(Some(json!({"conditions": [c("Ready", "True")]}))),
            false,
        ),
        (
            runtime(Some(json!({"conditions": [c("SchedulerReady", "True")]}))),
            false,
        ),
        (
            runtime(Some(
                json!({"conditions": [c("SchedulerReady", "True"), c("EnvoyReady", "False")]}),
            )),
            false,
        ),
        (
            runtime(Some(
                json!({"conditions": [c("Ready", "False"), c("HodometerReady", "False"),
                c("SchedulerReady", "True"), c("EnvoyReady", "True")]}),
            )),
            true,
        ),
    ];
    // The expression that was rendered before would pass an empty list vacuously.
    let vacuous = "status.conditions.filter(c, c.type in ['SchedulerReady', 'EnvoyReady']).all(c, c.status == 'True')";
    assert!(current(vacuous, &cases[2].0));
    let mut seen = 0;
    for bundle in engine_bundles("flux") {
        for (path, k) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Kustomization")
        {
            let Some(checks) = k["spec"]["healthCheckExprs"].as_array() else {
                continue;
            };
            for check in checks {
                assert_eq!(check["kind"], "SeldonRuntime", "{path}");
                let expr = check["current"].as_str().unwrap();
                for (object, healthy) in &cases {
                    assert_eq!(current(expr, object), *healthy, "{path}: {object}");
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 3);
}

/// `dependsOn` of every Kustomization in flux/, by name.
fn flux_graph(bundle: &Bundle) -> BTreeMap<String, (String, Vec<String>)> {
    objects(bundle)
        .iter()
        .filter(|(p, o)| p.starts_with("flux/") && o["kind"] == "Kustomization")
        .map(|(_, o)| {
            let deps = o["spec"]["dependsOn"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|d| d["name"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            (
                o["metadata"]["name"].as_str().unwrap().to_string(),
                (o["spec"]["path"].as_str().unwrap().to_string(), deps),
            )
        })
        .collect()
}

#[test]
fn flux_layers_run_in_order_and_no_tenant_waits_for_another() {
    for bundle in engine_bundles("flux") {
        let repo_dir = format!("out/{}", bundle.name);
        let graph = flux_graph(&bundle);
        let built: BTreeMap<&String, Vec<Value>> = graph
            .iter()
            .map(|(n, (p, _))| (n, build(&bundle, &folder_of(&bundle, &repo_dir, p))))
            .collect();
        let closure = |start: &str| {
            let mut seen = BTreeSet::new();
            let mut todo = graph[start].1.clone();
            while let Some(n) = todo.pop() {
                if seen.insert(n.clone()) {
                    todo.extend(graph[&n].1.clone());
                }
            }
            seen
        };
        let runtime_ns = |n: &String| -> BTreeSet<String> {
            built[n]
                .iter()
                .filter(|o| o["kind"] == "SeldonRuntime")
                .map(|o| o["metadata"]["namespace"].as_str().unwrap().to_string())
                .collect()
        };
        for (name, objects) in &built {
            let deps = closure(name);
            let kinds: BTreeSet<&str> = objects
                .iter()
                .map(|o| o["kind"].as_str().unwrap())
                .collect();
            // Seldon objects wait for the install (CRDs and controller).
            if kinds
                .iter()
                .any(|k| ["SeldonRuntime", "Server", "Model"].contains(k))
            {
                assert!(
                    deps.iter()
                        .any(|d| built[d].iter().any(|o| o["kind"] == "HelmRelease")),
                    "{name}: {deps:?}"
                );
            }
            // Models wait for their own namespace's runtime, and for no other runtime: a
            // broken tenant holds back only its own applications.
            let model_ns: BTreeSet<String> = objects
                .iter()
                .filter(|o| o["kind"] == "Model")
                .map(|o| o["metadata"]["namespace"].as_str().unwrap().to_string())
                .collect();
            let waited: BTreeSet<String> = deps.iter().flat_map(runtime_ns).collect();
            if !model_ns.is_empty() {
                assert_eq!(waited, model_ns, "{}: {name}", bundle.name);
            }
            if kinds.contains("SeldonRuntime") {
                assert!(
                    waited.is_empty(),
                    "{}: {name} waits for {waited:?}",
                    bundle.name
                );
                assert_eq!(
                    runtime_ns(name).len(),
                    1,
                    "{name}: one runtime per Kustomization"
                );
            }
        }
    }
}

/// Whether the rendered RBAC lets service account `sa` (in flux-system) `verb` the
/// `resource` of `group` in `namespace` (`None`: cluster-scoped).
fn allowed(
    objs: &[(String, Value)],
    sa: &str,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: Option<&str>,
) -> bool {
    let subject = |b: &Value| {
        b["subjects"].as_array().is_some_and(|s| {
            s.iter().any(|s| {
                s["kind"] == "ServiceAccount" && s["name"] == sa && s["namespace"] == "flux-system"
            })
        })
    };
    let rule_allows = |rules: &Value| {
        rules.as_array().is_some_and(|rules| {
            rules.iter().any(|r| {
                let has = |k: &str, v: &str| {
                    r[k].as_array()
                        .is_some_and(|a| a.iter().any(|x| x == v || x == "*"))
                };
                has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
            })
        })
    };
    let cluster_role = |name: &str| {
        // cluster-admin is Kubernetes' own; other ClusterRoles must be rendered.
        name == "cluster-admin"
            || objs.iter().any(|(_, o)| {
                o["kind"] == "ClusterRole"
                    && o["metadata"]["name"] == name
                    && rule_allows(&o["rules"])
            })
    };
    let by_cluster = objs.iter().any(|(_, b)| {
        b["kind"] == "ClusterRoleBinding"
            && subject(b)
            && b["roleRef"]["kind"] == "ClusterRole"
            && cluster_role(b["roleRef"]["name"].as_str().unwrap())
    });
    let by_namespace = namespace.is_some_and(|ns| {
        objs.iter().any(|(_, b)| {
            b["kind"] == "RoleBinding"
                && b["metadata"]["namespace"] == ns
                && subject(b)
                && objs.iter().any(|(_, r)| {
                    r["kind"] == b["roleRef"]["kind"]
                        && r["metadata"]["name"] == b["roleRef"]["name"]
                        && r["metadata"]["namespace"] == ns
                        && rule_allows(&r["rules"])
                })
        })
    });
    by_cluster || by_namespace
}

/// The rules of the setup chart's manager Role (and clusterwide ClusterRole), as
/// seldon-core v2.10.2 `k8s/helm-charts/seldon-core-v2-setup/templates/
/// _components-statefulsets.tpl` writes them, API group `v1` included.
fn manager_rules() -> Value {
    let write = json!([
        "create", "delete", "get", "list", "patch", "update", "watch"
    ]);
    let seldon = [
        "experiments",
        "models",
        "pipelines",
        "seldonconfigs",
        "seldonruntimes",
        "serverconfigs",
        "servers",
    ];
    let sub = |s: &str| {
        json!(
            seldon
                .iter()
                .map(|r| format!("{r}/{s}"))
                .collect::<Vec<_>>()
        )
    };
    json!([
        {"apiGroups": [""], "resources": ["configmaps", "secrets", "serviceaccounts", "services"], "verbs": write},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
        {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": write},
        {"apiGroups": ["apps"], "resources": ["deployments/status", "statefulsets/status"], "verbs": ["get"]},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]},
        {"apiGroups": ["mlops.seldon.io"], "resources": seldon, "verbs": write},
        {"apiGroups": ["mlops.seldon.io"], "resources": sub("finalizers"), "verbs": ["update"]},
        {"apiGroups": ["mlops.seldon.io"], "resources": sub("status"), "verbs": ["get", "patch", "update"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"], "verbs": write},
        {"apiGroups": ["v1"], "resources": ["serviceaccounts", "services"], "verbs": write},
        {"apiGroups": ["v1"], "resources": ["services/status"], "verbs": ["get"]}
    ])
}

/// What a HelmRelease makes helm-controller do as its service account: the chart's
/// objects (with the rules of its Roles) in the target namespace, the release Secret in the
/// storage namespace, and for a Deployment the ReplicaSets Helm's wait reads.
fn release_objects(hr: &Value) -> Vec<Value> {
    let spec = &hr["spec"];
    let hr_ns = hr["metadata"]["namespace"].as_str().unwrap();
    let target = spec["targetNamespace"].as_str().unwrap_or(hr_ns);
    let storage = spec["storageNamespace"].as_str().unwrap_or(hr_ns);
    let o = |api: &str, kind: &str, ns: Option<&str>| {
        let mut o = json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}});
        if let Some(ns) = ns {
            o["metadata"]["namespace"] = json!(ns);
        }
        o
    };
    let mut out = vec![o("v1", "Secret", Some(storage))];
    match spec["chart"]["spec"]["chart"].as_str().unwrap() {
        "seldon-core-v2-crds" => out.push(o(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            None,
        )),
        "seldon-core-v2-setup" => {
            let role = |rules: Value, cluster: bool| {
                let mut r = o(
                    "rbac.authorization.k8s.io/v1",
                    if cluster { "ClusterRole" } else { "Role" },
                    (!cluster).then_some(target),
                );
                r["rules"] = rules;
                r
            };
            let write = json!([
                "create", "delete", "get", "list", "patch", "update", "watch"
            ]);
            out.extend([
                o("v1", "ServiceAccount", Some(target)),
                o("v1", "ConfigMap", Some(target)),
                o("apps/v1", "Deployment", Some(target)),
                o("apps/v1", "ReplicaSet", Some(target)),
                o("mlops.seldon.io/v1alpha1", "SeldonConfig", Some(target)),
                o("mlops.seldon.io/v1alpha1", "ServerConfig", Some(target)),
                o("rbac.authorization.k8s.io/v1", "RoleBinding", Some(target)),
                role(manager_rules(), false),
                role(
                    json!([
                        {"apiGroups": [""], "resources": ["configmaps"], "verbs": write},
                        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": write},
                        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}
                    ]),
                    false,
                ),
                role(
                    json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}]),
                    false,
                ),
            ]);
            let values = &spec["values"]["controller"];
            if values["clusterwide"] == true || values["watchNamespaces"].is_array() {
                out.push(role(manager_rules(), true));
                out.push(o(
                    "rbac.authorization.k8s.io/v1",
                    "ClusterRoleBinding",
                    None,
                ));
            }
        }
        other => panic!("unknown chart {other}"),
    }
    out
}

/// The plural of a kind, as RBAC names it.
fn plural(o: &Value) -> String {
    info(o).plural.clone()
}

/// Kubernetes' escalation check (`ConfirmNoEscalation`): whoever creates a Role or
/// ClusterRole must hold each of its rules where it applies.
fn holds_rules(objs: &[(String, Value)], sa: &str, role: &Value) -> Vec<String> {
    let ns = role["metadata"]["namespace"].as_str();
    let mut missing = Vec::new();
    for r in role["rules"].as_array().unwrap() {
        for g in r["apiGroups"].as_array().unwrap() {
            for res in r["resources"].as_array().unwrap() {
                for v in r["verbs"].as_array().unwrap() {
                    let (g, res, v) = (
                        g.as_str().unwrap(),
                        res.as_str().unwrap(),
                        v.as_str().unwrap(),
                    );
                    if !allowed(objs, sa, v, g, res, ns) {
                        missing.push(format!("{v} {g}/{res} in {ns:?}"));
                    }
                }
            }
        }
    }
    missing
}

#[test]
fn flux_every_object_is_applied_within_its_service_accounts_rbac() {
    const APPLY: [&str; 6] = ["create", "patch", "get", "list", "watch", "delete"];
    for bundle in engine_bundles("flux") {
        let repo_dir = format!("out/{}", bundle.name);
        let objs = objects(&bundle);
        for (_, o) in &objs {
            for rules in [&o["rules"]] {
                for r in rules.as_array().into_iter().flatten() {
                    assert!(r.get("resourceNames").is_none(), "not modelled: {r}");
                }
            }
        }
        let accounts: BTreeSet<&str> = objs
            .iter()
            .filter(|(_, o)| {
                o["kind"] == "ServiceAccount" && o["metadata"]["namespace"] == "flux-system"
            })
            .map(|(_, o)| o["metadata"]["name"].as_str().unwrap())
            .collect();
        let mut checked = 0;
        for (path, o) in &objs {
            let kind = o["kind"].as_str().unwrap();
            if kind != "Kustomization" && kind != "HelmRelease" {
                continue;
            }
            let sa = o["spec"]["serviceAccountName"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no serviceAccountName"));
            assert!(
                accounts.contains(sa),
                "{path}: service account {sa} is not rendered"
            );
            let applied = if kind == "HelmRelease" {
                release_objects(o)
            } else {
                build(
                    &bundle,
                    &folder_of(&bundle, &repo_dir, o["spec"]["path"].as_str().unwrap()),
                )
            };
            for x in &applied {
                let group = group_of(x["apiVersion"].as_str().unwrap());
                let namespaced = info(x).namespaced;
                let ns = namespaced.then(|| x["metadata"]["namespace"].as_str().unwrap());
                let verbs: &[&str] = if x["kind"] == "ReplicaSet" {
                    &["get", "list", "watch"]
                } else {
                    &APPLY
                };
                for verb in verbs {
                    assert!(
                        allowed(&objs, sa, verb, group, &plural(x), ns),
                        "{}: {sa} may not {verb} {group}/{} in {ns:?} ({path})",
                        bundle.name,
                        plural(x)
                    );
                }
                if x["kind"] == "Role" || x["kind"] == "ClusterRole" {
                    let missing = holds_rules(&objs, sa, x);
                    assert!(
                        missing.is_empty(),
                        "{}: {sa} may not grant {missing:?} ({path})",
                        bundle.name
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 30, "{}: {checked}", bundle.name);
    }
}

/// Every (resource, namespace) an account may create, over every kind known and every
/// namespace of the bundle plus three others (`None`: cluster-scoped).
fn flux_write_set(objs: &[(String, Value)], sa: &str) -> BTreeSet<(String, Option<String>)> {
    let mut namespaces: BTreeSet<String> = objs
        .iter()
        .filter_map(|(_, o)| o["metadata"]["namespace"].as_str().map(str::to_string))
        .collect();
    namespaces.extend(["default", "kube-system", "elsewhere"].map(str::to_string));
    let mut out = BTreeSet::new();
    for ((group, _), k) in kind_table() {
        let resource = format!("{}/{}", group, k.plural);
        if k.namespaced {
            for ns in &namespaces {
                if allowed(objs, sa, "create", group, &k.plural, Some(ns)) {
                    out.insert((resource.clone(), Some(ns.clone())));
                }
            }
        } else if allowed(objs, sa, "create", group, &k.plural, None) {
            out.insert((resource, None));
        }
    }
    out
}

/// Every (kind, namespace) an Argo CD project admits, over every kind known (`None`:
/// cluster-scoped).
fn argocd_write_set(project: &Value) -> BTreeSet<(String, Option<String>)> {
    let destinations: Vec<String> = project["spec"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["namespace"].as_str().unwrap().to_string())
        .collect();
    let mut out = BTreeSet::new();
    for ((group, kind), k) in kind_table() {
        if !kind_permitted(project, group, kind, "any-name", k.namespaced) {
            continue;
        }
        let resource = format!("{group}/{}", k.plural);
        if k.namespaced {
            for ns in &destinations {
                out.insert((resource.clone(), Some(ns.clone())));
            }
        } else {
            out.insert((resource, None));
        }
    }
    out
}

fn app_kinds_in(ns: &str) -> BTreeSet<(String, Option<String>)> {
    ["experiments", "models", "pipelines"]
        .iter()
        .map(|r| (format!("mlops.seldon.io/{r}"), Some(ns.to_string())))
        .collect()
}

#[test]
fn each_layer_may_write_only_its_kinds_in_its_namespaces() {
    for bundle in all_bundles() {
        let objs = objects(&bundle);
        let argocd = bundle.files.keys().any(|k| k.starts_with("argocd/"));
        let projects = by_name(&objs, "AppProject");
        let runtime_namespaces: BTreeSet<String> = objs
            .iter()
            .filter(|(_, o)| o["kind"] == "SeldonRuntime")
            .map(|(_, o)| o["metadata"]["namespace"].as_str().unwrap().to_string())
            .collect();
        let mut apps = 0;
        for (path, o) in &objs {
            let (layer_path, writes, who) = match o["kind"].as_str().unwrap() {
                "Application" if argocd => {
                    let project = projects[o["spec"]["project"].as_str().unwrap()];
                    (
                        o["spec"]["source"]["path"].as_str(),
                        argocd_write_set(project),
                        o["spec"]["project"].to_string(),
                    )
                }
                "Kustomization" if !argocd && path.starts_with("flux/") => {
                    let sa = o["spec"]["serviceAccountName"].as_str().unwrap();
                    (
                        o["spec"]["path"].as_str(),
                        flux_write_set(&objs, sa),
                        sa.to_string(),
                    )
                }
                _ => continue,
            };
            let Some(layer_path) = layer_path else {
                continue;
            };
            let folder = folder_of(&bundle, &format!("out/{}", bundle.name), layer_path);
            // Nobody but the bootstrap creates Namespaces, except Argo CD's platform project.
            let creates_namespaces = writes.contains(&("/namespaces".to_string(), None));
            let cluster: Vec<_> = writes.iter().filter(|(_, ns)| ns.is_none()).collect();
            if folder.starts_with("apps/") {
                apps += 1;
                let ns = build(&bundle, &folder)[0]["metadata"]["namespace"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert_eq!(writes, app_kinds_in(&ns), "{}: {path} ({who})", bundle.name);
            } else if folder == "platform" || folder.starts_with("tenants/") {
                // The platform layer: only the bundle's namespaces; cluster-wide only the
                // Namespaces (Argo CD), CRDs and the controller's ClusterRole (the charts).
                for (resource, ns) in &writes {
                    match ns {
                        Some(ns) => assert!(
                            ns == &bundle_controller_ns(&objs) || runtime_namespaces.contains(ns),
                            "{}: {path} may write {resource} in {ns}",
                            bundle.name
                        ),
                        None => assert!(
                            argocd
                                && [
                                    "/namespaces",
                                    "apiextensions.k8s.io/customresourcedefinitions",
                                    "rbac.authorization.k8s.io/clusterroles",
                                    "rbac.authorization.k8s.io/clusterrolebindings"
                                ]
                                .contains(&resource.as_str()),
                            "{}: {path} may write {resource} cluster-wide",
                            bundle.name
                        ),
                    }
                }
                assert_eq!(creates_namespaces, argocd, "{}: {path}", bundle.name);
            } else {
                // The root (flux/, argocd/) and flux/install: the engine's namespace only.
                let engine_ns = if argocd { "argocd" } else { "flux-system" };
                assert!(
                    writes
                        .iter()
                        .all(|(_, ns)| ns.as_deref() == Some(engine_ns)),
                    "{}: {path}: {cluster:?} {writes:?}",
                    bundle.name
                );
            }
        }
        assert!(apps >= 2, "{}", bundle.name);
        // Argo CD: only the platform project may create Namespaces or any cluster kind.
        for (name, p) in &projects {
            let w = argocd_write_set(p);
            let cluster = w.iter().any(|(_, ns)| ns.is_none());
            let is_platform = p["spec"]["sourceRepos"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "https://seldonio.github.io/helm-charts");
            assert!(
                !cluster || is_platform,
                "{}: project {name} may write cluster kinds",
                bundle.name
            );
        }
    }
}

fn bundle_controller_ns(objs: &[(String, Value)]) -> String {
    let setup = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
    setup.1["spec"]["targetNamespace"]
        .as_str()
        .or(setup.1["spec"]["destination"]["namespace"].as_str())
        .unwrap()
        .to_string()
}

#[test]
fn flux_crds_are_kept_by_helm_and_do_not_follow_the_platform_namespace() {
    let crd_release = |bundle: &Bundle| {
        objects(bundle)
            .into_iter()
            .map(|(_, o)| o)
            .find(|o| {
                o["kind"] == "HelmRelease"
                    && o["spec"]["chart"]["spec"]["chart"] == "seldon-core-v2-crds"
            })
            .unwrap()
    };
    // A new platform namespace leaves the CRDs release as it is (a new targetNamespace
    // would uninstall it).
    let before = render_profile(&test_profile("shared-flux")).unwrap();
    let after = render_edited(
        &test_profile("shared-flux"),
        &[("namespace: seldon-system", "namespace: seldon-platform")],
        "out",
    )
    .unwrap();
    assert_eq!(crd_release(&before)["spec"], crd_release(&after)["spec"]);
    assert!(crd_release(&before)["spec"]["targetNamespace"].is_null());

    // The post-renderer, applied as kustomize applies it to the chart's output (the
    // upstream CRDs), marks every CRD `helm.sh/resource-policy: keep`, which Helm honours
    // on uninstall and upgrade.
    let Some(kubectl) = kubectl("flux_crds_are_kept_by_helm") else {
        return;
    };
    for bundle in engine_bundles("flux") {
        let release = crd_release(&bundle);
        let dir = tempfile::tempdir().unwrap();
        let dir = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let crds = root().join("../shared/reference/seldon-core-v2.10.2/crds");
        let mut resources = Vec::new();
        for entry in crds.read_dir_utf8().unwrap() {
            let path = entry.unwrap().path().to_path_buf();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            resources.push(path.file_name().unwrap().to_string());
        }
        resources.sort();
        let mut patches = Vec::new();
        for pr in release["spec"]["postRenderers"].as_array().unwrap() {
            patches.extend(
                pr["kustomize"]["patches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            );
        }
        let kustomization = json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": resources, "patches": patches});
        std::fs::write(
            dir.join("kustomization.yaml"),
            serde_json::to_string(&kustomization).unwrap(),
        )
        .unwrap();
        let out = kustomize(&dir);
        assert_eq!(out.len(), 7, "{kubectl}: the seven Seldon CRDs");
        for crd in out {
            assert_eq!(
                crd["metadata"]["annotations"]["helm.sh/resource-policy"], "keep",
                "{}",
                crd["metadata"]["name"]
            );
        }
    }
}

// ---- both engines: where the bundle lives ----

/// Every path an Application or Kustomization names, with the bundle written where the
/// repository holds it.
fn paths_resolve(bundle: &Bundle, repo_dir: &str) {
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

#[test]
fn paths_follow_the_bundle_into_the_repository() {
    for profile in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        let name = profile.file_stem().unwrap().to_string();
        // Default: out/<name>.
        let bundle = render_profile(&profile).unwrap();
        paths_resolve(&bundle, &format!("out/{name}"));
        // --out deploy/bundles (also spelled ./deploy/bundles).
        for out in ["deploy/bundles", "./deploy/bundles"] {
            let bundle = gen_render::ops::render_profile_in(&profile, Utf8Path::new(out)).unwrap();
            paths_resolve(&bundle, &format!("deploy/bundles/{name}"));
        }
        // gitops.path wins over --out, even an absolute one.
        let bundle = render_edited(
            &profile,
            &[("gitops:\n", "gitops:\n  path: clusters/prod/seldon\n")],
            "/tmp/elsewhere",
        )
        .unwrap();
        paths_resolve(&bundle, "clusters/prod/seldon");
        // Writing to disk names the same paths as rendering in memory.
        let dir = tempfile::tempdir().unwrap();
        let out_root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        gen_render::ops::write_profile_in(&profile, &out_root, Utf8Path::new("deploy/bundles"))
            .unwrap();
        let in_memory =
            gen_render::ops::render_profile_in(&profile, Utf8Path::new("deploy/bundles")).unwrap();
        assert!(
            gen_render::write::compare(&out_root, &in_memory)
                .unwrap()
                .is_clean()
        );
    }
}

#[test]
fn an_out_folder_outside_the_repository_needs_gitops_path() {
    let profile = example("single-team");
    for out in ["/srv/gitops/out", "../elsewhere"] {
        let report = gen_render::ops::render_profile_in(&profile, Utf8Path::new(out)).unwrap_err();
        let d = &report.diagnostics;
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str(), d[0].help.as_deref()),
            (
                "gitops-path",
                "gitops",
                25,
                format!("the bundle is written to --out {out}, which is not a relative path inside the repository, so gen cannot tell which path the argocd objects must name").as_str(),
                Some("set gitops.path to the bundle folder's path from the repository root (e.g. gitops.path: deploy/single-team), or run gen from the repository root with a relative --out")
            )
        );
    }
    // Without an engine, nothing names a path.
    assert!(
        render_edited(
            &profile,
            &[("engine: argocd", "engine: none")],
            "/srv/gitops/out"
        )
        .is_ok()
    );
    // A gitops.path that is not a clean relative path.
    for (path, reason) in [
        ("/abs/dir", "is absolute"),
        ("a/../b", "has a `.` or `..` segment"),
        ("a//b", "has an empty segment (`//` or a trailing `/`)"),
        (
            "a b",
            "has characters other than letters, digits, `-`, `_`, `.` and `/`",
        ),
    ] {
        let report = render_edited(
            &profile,
            &[("gitops:\n", &format!("gitops:\n  path: \"{path}\"\n"))],
            "out",
        )
        .unwrap_err();
        let d = &report.diagnostics;
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str()),
            (
                "gitops-path",
                "gitops.path",
                26,
                format!("gitops.path \"{path}\" {reason}; Argo CD and Flux read Application and Kustomization paths relative to the repository root").as_str()
            )
        );
    }
}

// ---- both engines: what a first install needs ----

#[test]
fn the_bundle_readme_states_the_prerequisites() {
    for bundle in all_bundles() {
        let readme = &bundle.files["README.md"];
        let objs = objects(&bundle);
        let argocd = bundle.files.keys().any(|k| k.starts_with("argocd/"));
        assert!(
            readme.contains(if argocd {
                "Argo CD 2.14 or later"
            } else {
                "Flux 2.5 or later"
            }),
            "{}",
            bundle.name
        );
        // Every storage Secret a Model names, in its namespace.
        for (_, m) in objs.iter().filter(|(_, o)| o["kind"] == "Model") {
            if let Some(secret) = m["spec"]["secretName"].as_str() {
                // The agent matches the Secret's rclone remote name to the storageUri
                // scheme (seldon-core scheduler/pkg/agent/rclone/rclone.go).
                let scheme = m["spec"]["storageUri"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap();
                let row = format!(
                    "| `{}` | `{secret}` | `{scheme}` |",
                    m["metadata"]["namespace"].as_str().unwrap()
                );
                assert!(readme.contains(&row), "{}: {row}", bundle.name);
            }
        }
        // Kafka: the bootstrap the setup chart gets, or the fallback.
        let setup = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
        let values = if argocd {
            &setup.1["spec"]["source"]["helm"]["valuesObject"]
        } else {
            &setup.1["spec"]["values"]
        };
        match values["kafka"]["bootstrap"].as_str() {
            Some(b) => assert!(readme.contains(&format!("`{b}`")), "{}", bundle.name),
            None => assert!(readme.contains("seldon-kafka-bootstrap.seldon-mesh:9092")),
        }
        for section in [
            "## Before the first install",
            "## First install",
            "## Teardown",
        ] {
            assert!(readme.contains(section), "{}: {section}", bundle.name);
        }
        if argocd {
            // The optional health checks, with the runtime's two conditions.
            assert!(readme.contains("resource.customizations.health.argoproj.io_Application"));
            assert!(
                readme.contains("resource.customizations.health.mlops.seldon.io_SeldonRuntime")
            );
            assert!(readme.contains(
                "state[\"SchedulerReady\"] == \"True\" and state[\"EnvoyReady\"] == \"True\""
            ));
        }
    }
}

// ---- the setup chart values ----

/// The Application or HelmRelease that installs the setup chart.
fn setup_release(o: &Value) -> bool {
    o["spec"]["source"]["chart"] == "seldon-core-v2-setup"
        || o["spec"]["chart"]["spec"]["chart"] == "seldon-core-v2-setup"
}

#[test]
fn every_engine_and_pattern_is_wired() {
    let engines: Vec<(String, bool, bool)> = all_bundles()
        .iter()
        .map(|b| {
            (
                b.name.clone(),
                b.files.keys().any(|k| k.starts_with("argocd/")),
                b.files.keys().any(|k| k.starts_with("flux/")),
            )
        })
        .collect();
    assert_eq!(
        engines,
        vec![
            ("single-team".to_string(), true, false),
            ("multi-tenant".to_string(), false, true),
            ("shared-flux".to_string(), false, true),
            ("dedicated-argocd".to_string(), true, false),
        ]
    );
}

#[test]
fn argocd_waves_order_the_layers() {
    for bundle in engine_bundles("argocd") {
        let mut wave_of_kind: BTreeMap<String, i64> = BTreeMap::new();
        let mut chart_waves = BTreeMap::new();
        for (path, o) in objects(&bundle) {
            if o["kind"] != "Application" || path.starts_with("bootstrap/") {
                continue;
            }
            assert!(
                o["metadata"]["annotations"]
                    .get("argocd.argoproj.io/tracking-id")
                    .is_none()
            );
            let source = &o["spec"]["source"];
            if let Some(chart) = source["chart"].as_str() {
                chart_waves.insert(chart.to_string(), wave(&o));
                continue;
            }
            let folder = folder_of(
                &bundle,
                &format!("out/{}", bundle.name),
                source["path"].as_str().unwrap(),
            );
            for x in build(&bundle, &folder) {
                let w = wave_of_kind
                    .entry(x["kind"].as_str().unwrap().to_string())
                    .or_insert(wave(&o));
                *w = (*w).max(wave(&o));
            }
        }
        let crds = chart_waves["seldon-core-v2-crds"];
        let setup = chart_waves["seldon-core-v2-setup"];
        let (runtime, models) = (wave_of_kind["SeldonRuntime"], wave_of_kind["Model"]);
        assert!(
            crds < setup && setup < runtime && runtime < models,
            "{}: {chart_waves:?} {wave_of_kind:?}",
            bundle.name
        );
        assert!(wave_of_kind["Server"] < models);
    }
}

#[test]
fn setup_values_follow_the_pattern() {
    for bundle in all_bundles() {
        let objs = objects(&bundle);
        let (_, setup) = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
        let values = if setup["kind"] == "Application" {
            &setup["spec"]["source"]["helm"]["valuesObject"]
        } else {
            &setup["spec"]["values"]
        };
        let dedicated = bundle.name.contains("tenant") || bundle.name.starts_with("dedicated");
        assert_eq!(
            values["controller"]["clusterwide"], dedicated,
            "{}",
            bundle.name
        );
        if dedicated {
            assert_eq!(
                values["controller"]["watchNamespaces"],
                json!(["fraud-inference", "vision-inference"])
            );
        }
    }
}

#[test]
fn fields_the_api_server_defaults_are_written_out() {
    // Defaults from the CRD schemas (Flux, Seldon Pipeline): written explicitly so that the
    // object in git equals the object on the cluster and no permanent diff appears.
    for bundle in all_bundles() {
        for (path, o) in objects(&bundle) {
            let spec = &o["spec"];
            match o["kind"].as_str().unwrap() {
                "Kustomization" => assert_eq!(spec["force"], false, "{path}"),
                "GitRepository" => assert_eq!(spec["timeout"], "60s", "{path}"),
                "HelmRepository" => assert_eq!(spec["provider"], "generic", "{path}"),
                "HelmRelease" => assert_eq!(
                    spec["chart"]["spec"]["reconcileStrategy"], "ChartVersion",
                    "{path}"
                ),
                "Pipeline" => {
                    for step in spec["steps"].as_array().unwrap() {
                        assert_eq!(step["inputsJoinType"], "inner", "{path}");
                    }
                    if !spec["output"].is_null() {
                        assert_eq!(spec["output"]["stepsJoin"], "inner", "{path}");
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn kafka_install_values_come_from_the_profile() {
    let bundle = render_profile(&example("multi-tenant")).unwrap();
    let objs = objects(&bundle);
    let (_, setup) = objs
        .iter()
        .find(|(p, _)| p.ends_with("seldon-core-v2-setup.yaml"))
        .unwrap();
    assert_eq!(
        setup["spec"]["values"]["kafka"],
        json!({"bootstrap": "kafka-bootstrap.kafka:9092", "topicPrefix": "seldon", "consumerGroupIdPrefix": "tenancy"})
    );
    // A profile without Pipelines may leave Kafka out.
    let text = std::fs::read_to_string(test_profile("dedicated-argocd")).unwrap();
    let (head, _) = text.split_once("    pipelines:\n").unwrap();
    let (_, tail) = text.split_once("  - name: image-classification\n").unwrap();
    let text = format!("{head}  - name: image-classification\n{tail}")
        .replace("  kafka:\n    bootstrap: kafka-bootstrap.kafka:9092\n", "");
    assert!(!text.contains("kafka:") && !text.contains("pipelines:"));
    let loaded = gen_profile::parse("p.yaml", &text).unwrap();
    let bundle = gen_render::render_loaded(&loaded)
        .unwrap_or_else(|r| panic!("{}", r.render(gen_profile::Style::Plain)));
    let objs = objects(&bundle);
    let (_, setup) = objs
        .iter()
        .find(|(p, _)| p.ends_with("seldon-setup.yaml"))
        .unwrap();
    assert!(
        setup["spec"]["source"]["helm"]["valuesObject"]
            .get("kafka")
            .is_none(),
        "no kafka values unless the profile sets them"
    );
}
