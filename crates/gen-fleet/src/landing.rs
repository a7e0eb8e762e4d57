//! Where each object of a bundle lands, found the way the engines find it, from the
//! rendered objects alone:
//!
//! - **Argo CD** (one Argo CD, the hub, applies to every cluster): what the bootstrap
//!   folder holds is applied by hand on the hub. An ApplicationSet there makes one
//!   Application per element of its list generator (`{{.key}}` replaced by the element's
//!   value). An Application applies the folder its `source.path` names (as kustomize builds
//!   it) or the chart its `source.chart` names to `destination.server`, the cluster Argo CD
//!   knows by that URL (trailing slashes ignored, argo-cd `util/argo/argo.go`).
//! - **Flux** (one Flux per cluster): what `clusters/<cluster>/` holds is applied to that
//!   cluster (by `kubectl apply -k`, or by the flux-system Kustomization of `flux bootstrap
//!   --path`). A Flux Kustomization applies the folder its `spec.path` names to its own
//!   cluster; a HelmRelease installs its chart there, as the Helm release
//!   `storageNamespace`/`releaseName`.
//!
//! What a chart installs is taken from the Seldon charts gen uses (FACTS §4, §6): the CRDs
//! chart's seven CustomResourceDefinitions; the setup chart's controller, SeldonConfig and
//! ServerConfigs in its namespace and, when clusterwide, the ClusterRole
//! `seldon-v2-manager-role` and ClusterRoleBinding `seldon-v2-manager-rolebinding-<ns>`.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

/// The lookup tables of a walk: never iterated, so their order cannot show; a fast hash
/// (a fleet's walk looks up every object of every cluster).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

use serde_json::Value;

use crate::objects::{Id, Object, built_files, kustomizations, normalize};

/// The API server of the cluster Argo CD runs in.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// The Seldon CRDs that `seldon-core-v2-crds` installs (seldon-core v2.10.2
/// `k8s/helm-charts/seldon-core-v2-crds/templates`).
pub const SELDON_CRDS: &[&str] = &[
    "experiments",
    "models",
    "pipelines",
    "seldonconfigs",
    "seldonruntimes",
    "serverconfigs",
    "servers",
];

/// One object on one cluster, and what put it there.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Landing {
    /// The cluster, as the engines tell clusters apart: Argo CD's server URL (without
    /// trailing slashes); for Flux the identity the caller gave the cluster's folder.
    pub cluster: String,
    pub id: Id,
    /// What applies it: `Application argocd/x`, `Kustomization flux-system/y`,
    /// `HelmRelease flux-system/z`, or the folder applied by hand.
    pub via: String,
    /// The bundle file of the object, or of the Application or HelmRelease that installs it.
    pub file: String,
}

/// Where the bundle sits in the GitOps repository and which clusters apply which folder.
pub struct Layout<'a> {
    /// The bundle folder's path from the repository root, e.g. `out/fleet`.
    pub repo_dir: &'a str,
    /// Folders applied by hand, each on a cluster: `(folder, cluster)`, e.g.
    /// `("bootstrap", IN_CLUSTER)` for an Argo CD hub, `("clusters/prod-eu", "…")` for Flux.
    pub entry_points: Vec<(String, String)>,
}

/// Every object the bundle `files` puts on a cluster, in a stable order.
pub fn landings(
    files: &BTreeMap<String, String>,
    objects: &[Object],
    layout: &Layout,
) -> Vec<Landing> {
    landings_in(&kustomizations(files), objects, layout)
}

/// Whether the engines read an object of this kind to find what it applies in turn (an
/// Argo CD Application or ApplicationSet, a Flux Kustomization or HelmRelease): the only
/// objects whose [`Object::value`] [`landings_in`] reads.
pub fn is_applier(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("argoproj.io", "Application" | "ApplicationSet")
            | ("kustomize.toolkit.fluxcd.io", "Kustomization")
            | ("helm.toolkit.fluxcd.io", "HelmRelease")
    )
}

/// [`landings`] of a bundle known by its objects and the `resources` of each of its
/// folders' `kustomization.yaml` (by folder, `""` for the bundle root, as
/// [`kustomizations`] reads them). Only the content of the objects that
/// [`is_applier`] names is read; the others need their file and [`Id`] only.
pub fn landings_in(
    kust: &BTreeMap<String, Vec<String>>,
    objects: &[Object],
    layout: &Layout,
) -> Vec<Landing> {
    let mut out = Vec::new();
    walk(kust, objects, layout).each(|cluster, via, landed| {
        out.extend(landed.iter().map(|l| l.landing(cluster, via)));
    });
    // Equal landings are identical, so the unstable sort orders them as a stable one.
    out.sort_unstable();
    out.dedup();
    out
}

/// The [`landings_in`] of every object that lands on its cluster more than once (by one
/// applier twice, or by two): the only landings a collision is made of, found without
/// building the others. A fleet puts each of its objects on each of its clusters; without
/// a collision this is empty.
pub fn contested_in(
    kust: &BTreeMap<String, Vec<String>>,
    objects: &[Object],
    layout: &Layout,
) -> Vec<Landing> {
    // Each distinct object numbered once, so that counting its landings on a cluster is
    // an array's increment, not a lookup by its four names. (One object may be written
    // in several files: each environment's folder has its own.)
    let mut numbers: HashMap<Cow<'_, Id>, usize> =
        HashMap::with_capacity_and_hasher(objects.len(), Default::default());
    let of_object: Vec<usize> = objects
        .iter()
        .map(|o| {
            let n = numbers.len();
            *numbers.entry(Cow::Borrowed(&o.id)).or_insert(n)
        })
        .collect();
    let mut number = |l: &Landed<'_>| match l {
        Landed::Object(i, _) => of_object[*i],
        Landed::Chart(id, _) => {
            let n = numbers.len();
            *numbers.entry(Cow::Owned(id.clone())).or_insert(n)
        }
    };
    let walked = walk(kust, objects, layout);
    // How often each object lands on each cluster...
    let mut counts: HashMap<&str, Vec<u8>> = HashMap::default();
    walked.each(|cluster, _, landed| {
        let per_cluster = counts.entry(cluster).or_default();
        for l in landed {
            let n = number(l);
            if per_cluster.len() <= n {
                per_cluster.resize(n + 1, 0);
            }
            per_cluster[n] = per_cluster[n].saturating_add(1);
        }
    });
    // ...then the landings of those counted twice.
    let mut out = Vec::new();
    walked.each(|cluster, via, landed| {
        let per_cluster = counts.get(cluster).map_or(&[][..], Vec::as_slice);
        for l in landed {
            if per_cluster.get(number(l)).is_some_and(|n| *n > 1) {
                out.push(l.landing(cluster, via));
            }
        }
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// What lands: an object of the bundle, or one a chart installs (with the file of the
/// Application or HelmRelease that installs it).
#[derive(Clone)]
enum Landed<'o> {
    /// The object, and its index in the bundle's objects.
    Object(usize, &'o Object),
    Chart(Id, &'o str),
}

impl<'o> Landed<'o> {
    fn landing(&self, cluster: &str, via: &str) -> Landing {
        let (id, file) = match self {
            Landed::Object(_, o) => (&o.id, o.file.as_str()),
            Landed::Chart(id, file) => (id, *file),
        };
        Landing {
            cluster: cluster.to_string(),
            id: id.clone(),
            via: via.to_string(),
            file: file.to_string(),
        }
    }
}

/// What the engines put on each cluster (see [`walk`]).
struct Walked<'o> {
    /// What each folder builds to, once per folder (each cluster applies the same).
    folders: Vec<Vec<Landed<'o>>>,
    /// What a chart installs, one object each.
    charts: Vec<Landed<'o>>,
    /// `(cluster, via, what)`, in the order found: a folder or a chart's object.
    applied: Vec<(String, String, Applied)>,
}

enum Applied {
    Folder(usize),
    Chart(usize),
}

impl<'o> Walked<'o> {
    /// `visit(cluster, via, landed)` for everything applied, in the order found.
    fn each<'w>(&'w self, mut visit: impl FnMut(&'w str, &'w str, &'w [Landed<'o>])) {
        for (cluster, via, what) in &self.applied {
            let landed = match what {
                Applied::Folder(i) => self.folders[*i].as_slice(),
                Applied::Chart(i) => std::slice::from_ref(&self.charts[*i]),
            };
            visit(cluster, via, landed);
        }
    }
}

/// Follow the engines from the layout's entry points to what each applier puts on a
/// cluster (a folder's objects, a chart's), in the order found.
fn walk<'o>(
    kust: &BTreeMap<String, Vec<String>>,
    objects: &'o [Object],
    layout: &Layout,
) -> Walked<'o> {
    let by_file: HashMap<&str, Vec<(usize, &Object)>> =
        objects
            .iter()
            .enumerate()
            .fold(HashMap::default(), |mut m, (i, o)| {
                m.entry(o.file.as_str()).or_default().push((i, o));
                m
            });
    // (folder, cluster, via) still to apply; each at most once.
    let mut queue: VecDeque<(String, String, String)> = layout
        .entry_points
        .iter()
        .map(|(folder, cluster)| {
            (
                folder.clone(),
                cluster.clone(),
                format!("kubectl apply -k {folder}"),
            )
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut walked = Walked {
        folders: Vec::new(),
        charts: Vec::new(),
        applied: Vec::new(),
    };
    // Each folder's index in `folders`, and the objects of it that apply others.
    let mut built: HashMap<String, (usize, Vec<&'o Object>)> = HashMap::default();
    while let Some((folder, cluster, via)) = queue.pop_front() {
        if !seen.insert((folder.clone(), cluster.clone())) {
            continue;
        }
        let (index, appliers) = built.entry(folder.clone()).or_insert_with(|| {
            let objects: Vec<(usize, &Object)> = built_files(kust, &folder)
                .iter()
                .flat_map(|f| by_file.get(f.as_str()).into_iter().flatten().copied())
                .collect();
            let appliers = objects
                .iter()
                .map(|(_, o)| *o)
                .filter(|o| is_applier(&o.id.group, &o.id.kind))
                .collect();
            walked.folders.push(
                objects
                    .into_iter()
                    .map(|(i, o)| Landed::Object(i, o))
                    .collect(),
            );
            (walked.folders.len() - 1, appliers)
        });
        walked
            .applied
            .push((cluster.clone(), via, Applied::Folder(*index)));
        for object in appliers.iter() {
            follow(
                object,
                &cluster,
                layout,
                &mut queue,
                &mut |cluster, via, landed| {
                    for l in landed {
                        walked.charts.push(l.clone());
                        walked.applied.push((
                            cluster.to_string(),
                            via.to_string(),
                            Applied::Chart(walked.charts.len() - 1),
                        ));
                    }
                },
            );
        }
    }
    walked
}

/// What an engine object applies in turn.
fn follow<'o>(
    object: &'o Object,
    cluster: &str,
    layout: &Layout,
    queue: &mut VecDeque<(String, String, String)>,
    visit: &mut dyn FnMut(&str, &str, &[Landed<'o>]),
) {
    if !is_applier(&object.id.group, &object.id.kind) {
        return;
    }
    let v = &object.value;
    let via = format!(
        "{} {}/{}",
        object.id.kind, object.id.namespace, object.id.name
    );
    match (object.id.group.as_str(), object.id.kind.as_str()) {
        ("argoproj.io", "Application") => {
            if let Some(spec) = v.get("spec") {
                application(spec, &via, &object.file, layout, queue, visit);
            }
        }
        ("argoproj.io", "ApplicationSet") => {
            let Some(spec) = v.get("spec") else { return };
            let template = spec.get("template").and_then(|t| t.get("spec"));
            let elements = spec
                .get("generators")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|g| g.get("list")?.get("elements")?.as_array())
                .flatten();
            for element in elements {
                let Some(template) = template else { continue };
                let spec = substitute(template, element);
                let name = generated_name(&object.value, element);
                let via = format!("Application {}/{} (from {via})", object.id.namespace, name);
                application(&spec, &via, &object.file, layout, queue, visit);
            }
        }
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => {
            if v.get("spec").and_then(|s| s.get("kubeConfig")).is_some() {
                return;
            }
            if let Some(folder) = v
                .get("spec")
                .and_then(|s| s.get("path"))
                .and_then(Value::as_str)
                .and_then(|p| in_bundle(p, layout.repo_dir))
            {
                queue.push_back((folder, cluster.to_string(), via));
            }
        }
        ("helm.toolkit.fluxcd.io", "HelmRelease") => {
            let Some(spec) = v.get("spec") else { return };
            let str_at = |k: &str| spec.get(k).and_then(Value::as_str);
            let chart = spec
                .get("chart")
                .and_then(|c| c.get("spec"))
                .and_then(|c| c.get("chart"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let namespace = str_at("targetNamespace").unwrap_or(&object.id.namespace);
            let release = match (str_at("releaseName"), str_at("targetNamespace")) {
                (Some(r), _) => r.to_string(),
                (None, Some(t)) => format!("{t}-{}", object.id.name),
                (None, None) => object.id.name.clone(),
            };
            let storage = str_at("storageNamespace").unwrap_or(&object.id.namespace);
            let mut ids = chart_objects(chart, namespace, spec.get("values"));
            ids.push(Id::new("helm.sh", "Release", storage, &release));
            for id in ids {
                visit(cluster, &via, &[Landed::Chart(id, &object.file)]);
            }
        }
        _ => {}
    }
}

/// An Application's sources, applied to its destination.
fn application<'o>(
    spec: &Value,
    via: &str,
    file: &'o str,
    layout: &Layout,
    queue: &mut VecDeque<(String, String, String)>,
    visit: &mut dyn FnMut(&str, &str, &[Landed<'o>]),
) {
    let destination = spec.get("destination");
    let Some(server) = destination
        .and_then(|d| d.get("server"))
        .and_then(Value::as_str)
    else {
        return;
    };
    let cluster = server.trim_end_matches('/').to_string();
    let namespace = destination
        .and_then(|d| d.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(source) = spec.get("source") else {
        return;
    };
    if let Some(chart) = source.get("chart").and_then(Value::as_str) {
        let values = source.get("helm").and_then(|h| h.get("valuesObject"));
        for id in chart_objects(chart, namespace, values) {
            visit(&cluster, via, &[Landed::Chart(id, file)]);
        }
    } else if let Some(folder) = source
        .get("path")
        .and_then(Value::as_str)
        .and_then(|p| in_bundle(p, layout.repo_dir))
    {
        queue.push_back((folder, cluster, via.to_string()));
    }
}

/// The bundle folder of a repository path inside the bundle (`None` for one outside it).
fn in_bundle(path: &str, repo_dir: &str) -> Option<String> {
    let path = normalize("", path);
    let repo_dir = normalize("", repo_dir);
    if path == repo_dir {
        return Some(String::new());
    }
    path.strip_prefix(&format!("{repo_dir}/"))
        .map(str::to_string)
}

/// The objects of the Seldon chart `chart`, installed into `namespace` with `values`.
pub fn chart_objects(chart: &str, namespace: &str, values: Option<&Value>) -> Vec<Id> {
    match chart {
        "seldon-core-v2-crds" => SELDON_CRDS
            .iter()
            .map(|plural| {
                Id::new(
                    "apiextensions.k8s.io",
                    "CustomResourceDefinition",
                    "",
                    &format!("{plural}.mlops.seldon.io"),
                )
            })
            .collect(),
        "seldon-core-v2-setup" => {
            let mut ids = vec![
                Id::new(
                    "apps",
                    "Deployment",
                    namespace,
                    "seldon-v2-controller-manager",
                ),
                Id::new("mlops.seldon.io", "SeldonConfig", namespace, "default"),
                Id::new("mlops.seldon.io", "ServerConfig", namespace, "mlserver"),
                Id::new("mlops.seldon.io", "ServerConfig", namespace, "triton"),
            ];
            let controller = values.and_then(|v| v.get("controller"));
            let clusterwide = controller
                .and_then(|c| c.get("clusterwide"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || controller
                    .and_then(|c| c.get("watchNamespaces"))
                    .and_then(Value::as_array)
                    .is_some_and(|w| !w.is_empty());
            if clusterwide {
                ids.push(Id::new(
                    "rbac.authorization.k8s.io",
                    "ClusterRole",
                    "",
                    "seldon-v2-manager-role",
                ));
                ids.push(Id::new(
                    "rbac.authorization.k8s.io",
                    "ClusterRoleBinding",
                    "",
                    &format!("seldon-v2-manager-rolebinding-{namespace}"),
                ));
            }
            ids
        }
        _ => Vec::new(),
    }
}

/// `template` with every `{{.key}}` (or `{{ .key }}`) of `element` replaced, in strings.
fn substitute(template: &Value, element: &Value) -> Value {
    match template {
        Value::String(s) => {
            let mut s = s.clone();
            if let Some(map) = element.as_object() {
                for (k, v) in map {
                    let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    s = s
                        .replace(&format!("{{{{.{k}}}}}"), &value)
                        .replace(&format!("{{{{ .{k} }}}}"), &value);
                }
            }
            Value::String(s)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| substitute(v, element)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, element)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The name of the Application an ApplicationSet makes for `element`.
fn generated_name(appset: &Value, element: &Value) -> String {
    appset
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("name"))
        .map(|n| substitute(n, element))
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_default()
}
