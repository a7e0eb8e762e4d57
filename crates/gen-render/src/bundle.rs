//! Plan → bundle: the files of `out/<name>/`, as text, in a stable order. One object per
//! file, a `kustomization.yaml` in every folder, a README generated from a template.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use gen_profile::Profile;

use crate::folder::{Folder, Layer};
use crate::plan::Plan;
use crate::readme;
use crate::yaml::{append_yaml, to_yaml, yaml_header};

/// The rendered bundle: relative path (`/`-separated) → file content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The profile name, which is also the bundle folder under `out/`.
    pub name: String,
    pub files: BTreeMap<String, String>,
}

impl Bundle {
    /// The whole bundle as one multi-document YAML stream (README and kustomizations left
    /// out), in apply order (see [`apply_rank`]): `kubectl apply -f -` creates objects in
    /// stream order, so a Namespace comes before what lives in it.
    pub fn to_stream(&self) -> String {
        let objects: Vec<(&String, &String, Head)> = self
            .files
            .iter()
            .filter(|(path, _)| path.ends_with(".yaml") && !path.ends_with("kustomization.yaml"))
            .map(|(path, text)| (path, text, Head::of(text)))
            .collect();
        let depth = depends_on_depths(objects.iter().map(|(_, _, h)| h));
        let mut order: Vec<usize> = (0..objects.len()).collect();
        // Within one kind: Argo CD's sync wave, then Flux's dependsOn chain, then the
        // bundle's own (path) order.
        order.sort_by_key(|&i| {
            let (path, _, head) = &objects[i];
            (apply_rank(&head.kind), head.wave(), depth[i], *path)
        });
        let mut out = String::new();
        for i in order {
            let (path, text, _) = &objects[i];
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

/// What the apply order needs from a rendered object; the rest of it is skipped.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Head {
    kind: String,
    metadata: HeadMeta,
    spec: HeadSpec,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct HeadMeta {
    name: String,
    annotations: BTreeMap<String, String>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct HeadSpec {
    depends_on: Vec<DependsOn>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct DependsOn {
    name: String,
}

impl Head {
    fn of(text: &str) -> Head {
        serde_saphyr::from_str(text).unwrap_or_default()
    }

    /// Argo CD's `argocd.argoproj.io/sync-wave` (default 0).
    fn wave(&self) -> i64 {
        self.metadata
            .annotations
            .get("argocd.argoproj.io/sync-wave")
            .and_then(|w| w.trim().parse().ok())
            .unwrap_or(0)
    }
}

/// For each object, the length of its longest Flux `dependsOn` chain among objects of its
/// kind (0 without dependencies), so a Kustomization or HelmRelease follows what it
/// waits for.
fn depends_on_depths<'a>(heads: impl Iterator<Item = &'a Head>) -> Vec<usize> {
    let heads: Vec<&Head> = heads.collect();
    let index: BTreeMap<(&str, &str), usize> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| ((h.kind.as_str(), h.metadata.name.as_str()), i))
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; heads.len()];
    fn visit(
        i: usize,
        heads: &[&Head],
        index: &BTreeMap<(&str, &str), usize>,
        depth: &mut Vec<Option<usize>>,
        guard: usize,
    ) -> usize {
        if let Some(d) = depth[i] {
            return d;
        }
        // A cycle (which Flux never applies) or an absurdly long chain stops here.
        if guard > 64 {
            return 0;
        }
        let d = heads[i]
            .spec
            .depends_on
            .iter()
            .filter_map(|dep| index.get(&(heads[i].kind.as_str(), dep.name.as_str())))
            .map(|&j| visit(j, heads, index, depth, guard + 1) + 1)
            .max()
            .unwrap_or(0);
        depth[i] = Some(d);
        d
    }
    (0..heads.len())
        .map(|i| visit(i, &heads, &index, &mut depth, 0))
        .collect()
}

/// Kinds in the order the engines apply them.
///
/// - First what Flux applies, and waits for, before anything else: CRDs, Namespaces and
///   ClusterRoles, then `*Class` kinds (fluxcd/pkg `ssa/manager_apply.go`
///   `ApplyAllStaged`, `ssa/utils/is.go` `IsClusterDefinition`, `IsClassDefinition`).
/// - Then Argo CD's kind order for built-in kinds, which it takes from Helm's
///   kind sorter (gitops-engine `pkg/sync/sync_tasks.go`; CONVENTIONS §1.1); Argo CD
///   puts every custom resource after them.
/// - Custom resources last, each after what it needs: GitOps sources and projects
///   before the releases and Applications/Kustomizations that use them (these install
///   the Seldon CRDs and controller, so they are the prerequisites of every Seldon
///   object), then SeldonRuntime (the scheduler), Servers, Models, and the Pipelines and
///   Experiments that name Models. Kinds not listed come at the end.
const APPLY_ORDER: &[&str] = &[
    // Flux stage 1 (cluster definitions), in Helm's relative order.
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    // Flux stage 2 (class definitions).
    "StorageClass",
    "IngressClass",
    "GatewayClass",
    // Helm / Argo CD order of the remaining built-in kinds.
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "Ingress",
    "APIService",
    // Built-in kinds Helm does not order: the admission policy (then its binding) that
    // decides the Seldon objects, so before them.
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    // Custom resources, prerequisites first.
    "AppProject",
    "GitRepository",
    "HelmRepository",
    "HelmRelease",
    "Application",
    "Kustomization",
    "SeldonRuntime",
    "Server",
    "Model",
    "Pipeline",
    "Experiment",
];

/// Where `kind` goes in [`APPLY_ORDER`]; unknown kinds after every known one.
pub fn apply_rank(kind: &str) -> usize {
    APPLY_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(APPLY_ORDER.len())
}

/// A `kustomization.yaml` (kustomize.config.k8s.io/v1beta1).
#[derive(Serialize)]
struct Kustomization<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    resources: &'a [String],
}

pub(crate) fn kustomization(
    profile: &str,
    resources: &[String],
) -> Result<String, serde_saphyr::SerializeError> {
    let k = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources,
    };
    Ok(yaml_header(profile) + &to_yaml(&k)?)
}

/// A consumer of rendered files: relative path and content. Called from several threads.
pub type Sink<'a> = dyn Fn(String, String) -> std::io::Result<()> + Sync + 'a;

/// Render the plan's folders, the kustomizations that tie them together, and the README,
/// into memory.
pub fn assemble(profile: &Profile, plan: &Plan) -> std::io::Result<Bundle> {
    let poisoned = || std::io::Error::other("a render thread panicked");
    let files = std::sync::Mutex::new(BTreeMap::new());
    render_files(profile, plan, &|path, text| {
        files.lock().map_err(|_| poisoned())?.insert(path, text);
        Ok(())
    })?;
    Ok(Bundle {
        name: profile.name.clone(),
        files: files.into_inner().map_err(|_| poisoned())?,
    })
}

/// Render every file of the bundle and hand each to `sink` as soon as it exists, so a
/// writer never holds the whole bundle. The work (each folder entry, plus the
/// kustomizations and README as one unit) is shared by one thread per core, each taking
/// the next unit as it finishes the last.
pub fn render_files(profile: &Profile, plan: &Plan, sink: &Sink) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let header = yaml_header(&profile.name);
    // Units of up to 64 entries of one folder: two threads then mostly create files in
    // different folders, and do not queue on one directory's lock.
    let work: Vec<(&Folder, &[crate::folder::Entry])> = plan
        .folders
        .iter()
        .flat_map(|f| f.entries.chunks(64).map(move |c| (f, c)))
        .collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let run = || -> std::io::Result<()> {
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let result = if i == 0 {
                write_indexes(profile, plan, sink)
            } else if let Some((folder, entries)) = work.get(i - 1) {
                // Supporting objects are built here and dropped once written.
                entries.iter().try_for_each(|entry| {
                    entry
                        .expand(folder, profile, plan.engine)
                        .iter()
                        .try_for_each(|object| {
                            let mut text = String::with_capacity(header.len() + 1024);
                            text.push_str(&header);
                            let text = append_yaml(text, &**object).map_err(|e| {
                                std::io::Error::other(format!("{}: {e}", folder.path))
                            })?;
                            sink(format!("{}/{}", folder.path, object.file_name()), text)
                        })
                })
            } else {
                return Ok(());
            };
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
                return result;
            }
        }
        Ok(())
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let entries: usize = plan.folders.iter().map(|f| f.entries.len()).sum();
    if threads < 2 || entries < 256 {
        return run();
    }
    std::thread::scope(|scope| {
        // This thread works too; a helper that cannot be started leaves its share to the
        // others, since each thread takes the next unit until none is left.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, run).ok())
            .collect();
        let mine = run();
        helpers
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a render thread panicked")))
            })
            .chain(std::iter::once(mine))
            .collect::<std::io::Result<Vec<()>>>()
            .map(|_| ())
    })
}

/// The folder a person applies by hand (`kubectl apply -k <bundle>/bootstrap`); its
/// sub-folders are part of it.
const BOOTSTRAP: &str = "bootstrap";

/// The kustomization of every folder and the README.
fn write_indexes(profile: &Profile, plan: &Plan, sink: &Sink) -> std::io::Result<()> {
    let internal = std::io::Error::other;
    // What each folder holds, for the README, from the objects the kustomizations build
    // (folder by folder, in the plan's order): they are built once for both.
    let mut listed: Vec<Vec<readme::ObjectView>> =
        plan.folders.iter().map(|_| Vec::new()).collect();
    let mut at = 0;
    let kustomizations = kustomizations(profile, plan, &mut |folder, object, file| {
        while at + 1 < plan.folders.len() && !std::ptr::eq(&plan.folders[at], folder) {
            at += 1;
        }
        if let Some(objects) = listed.get_mut(at) {
            objects.push(readme::ObjectView::of(object, file));
        }
    });
    for (folder, resources) in kustomizations {
        let file = if folder.is_empty() {
            "kustomization.yaml".to_string()
        } else {
            format!("{folder}/kustomization.yaml")
        };
        sink(
            file,
            kustomization(&profile.name, &resources).map_err(internal)?,
        )?;
    }
    sink(
        "README.md".to_string(),
        readme::render_listed(profile, plan, listed).map_err(std::io::Error::other)?,
    )
}

/// The `resources` of the `kustomization.yaml` of every folder of the bundle (`""` for
/// the bundle root), in the order they are written: each of the plan's folders lists its
/// files, then its child folders; the folders above them list their children. `each`
/// sees every object of the plan, with its folder, while it is built (the supporting
/// objects exist only then).
pub(crate) fn kustomizations(
    profile: &Profile,
    plan: &Plan,
    each: &mut dyn FnMut(&Folder, &crate::manifest::Manifest, &str),
) -> Vec<(String, Vec<String>)> {
    // Register a workload folder with each of its ancestors up to the root; GitOps folders
    // are applied by their engine one by one and stay out of the workload kustomizations,
    // except the bootstrap's sub-folders, which its kustomization includes.
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for folder in &plan.folders {
        let top = match folder.layer {
            Layer::GitOps if folder.path.starts_with(&format!("{BOOTSTRAP}/")) => BOOTSTRAP,
            Layer::GitOps => continue,
            _ => "",
        };
        let mut path = folder.path.as_str();
        while let Some((parent, child)) = path.rsplit_once('/') {
            children
                .entry(parent.to_string())
                .or_default()
                .insert(child.to_string());
            path = parent;
            if path == top {
                break;
            }
        }
        if top.is_empty() {
            children
                .entry(String::new())
                .or_default()
                .insert(path.to_string());
        }
    }
    // Every folder lists its files, then its child folders.
    let mut out = Vec::new();
    let mut written = BTreeSet::new();
    for folder in &plan.folders {
        let mut names: Vec<String> = folder
            .objects(profile, plan.engine)
            .iter()
            .map(|o| {
                let name = o.file_name();
                each(folder, o, &name);
                name
            })
            .collect();
        if let Some(kids) = children.get(&folder.path) {
            names.extend(order_top_level(kids));
        }
        out.push((folder.path.clone(), names));
        written.insert(folder.path.as_str());
    }
    for (parent, kids) in &children {
        if written.contains(parent.as_str()) {
            continue;
        }
        out.push((parent.clone(), order_top_level(kids)));
    }
    out
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
