//! A profile with environments renders a fleet: under `out/<name>/`, one complete bundle
//! per environment (`<env>/`, its merged profile rendered as any profile is, at
//! `<repo>/<env>` in the GitOps repository, its engine folders rendered for each of its
//! clusters), plus the engine's fleet layer (`bootstrap/` with an Argo CD ApplicationSet,
//! or Flux's `clusters/<cluster>/`; see `gitops::fleet`).
//!
//! Every environment passes every check a profile gets, reported once for the file (see
//! `Loaded::report_environments`); then the fleet is followed the way the engines apply it
//! (`gen_fleet::landings_in`), from the plans' typed objects rather than rendered text
//! (see [`Fleet::index`]), and an object that two environments, or two clusters of one,
//! would put on the same cluster is refused (rule `fleet-collision`). Only then is the
//! fleet written, one environment after the other ([`write`]).

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};

use gen_fleet::{Landing, Layout};
use gen_profile::{Diagnostic, Engine, Environment, Loaded, Report};

use crate::bundle::{Bundle, Sink, render_files};
use crate::checked::{Checked, check_at};
use crate::gitops::fleet::{CLUSTERS, FLEET_BOOTSTRAP, FLEET_COLLISION};
use crate::manifest::Manifest;
use crate::repo::RepoDir;
use crate::write::MARKDOWN_HEADER_PREFIX;

/// A profile with environments that passed every check: each environment's checked
/// profile and plan, and the profile as written (for the fleet layer and diagnostics).
#[derive(Debug)]
pub struct Fleet {
    pub loaded: Loaded,
    pub repo: RepoDir,
    pub environments: Vec<Checked>,
}

/// Check every environment of `loaded` (which has some) as its own bundle at
/// `<repo>/<env>`: the profile rules, the engine's checks and the Seldon rules over its
/// objects, plus the rules on the environments and clusters themselves; all at once.
pub fn check(loaded: Loaded, out_root: &Utf8Path) -> Result<Fleet, Report> {
    let views = loaded.environments()?;
    let mut fleet = gen_profile::check::check_environments(&loaded.profile);
    let repo = crate::repo::locate(&loaded.profile, out_root).unwrap_or_else(|d| {
        fleet.push(*d);
        RepoDir::default_for(&loaded.profile)
    });
    let mut failed = Vec::new();
    let mut environments = Vec::new();
    for view in views {
        let Some(env) = view.environment_entry().cloned() else {
            continue;
        };
        match check_at(view, Ok(repo.child(&env.name)), Some(&env), None) {
            Ok(checked) => environments.push(checked),
            Err(problem) => failed.push(*problem),
        }
    }
    if failed.is_empty() && !fleet.iter().any(Diagnostic::is_error) {
        return Ok(Fleet {
            loaded,
            repo,
            environments,
        });
    }
    let per_env = failed
        .iter()
        .map(|f| (&f.loaded, f.diagnostics.clone()))
        .collect();
    let mut report = loaded.report_environments(per_env, fleet);
    for f in failed {
        for (file, text) in f.sources {
            report = report.with_source(file, text);
        }
    }
    Err(report)
}

impl Fleet {
    /// The environments as written, each with its checked bundle.
    fn pairs(&self) -> impl Iterator<Item = (&Environment, &Checked)> {
        self.loaded
            .profile
            .environments
            .iter()
            .zip(&self.environments)
    }

    /// Render every file of the fleet to `sink`: each environment's bundle under its
    /// folder, then the fleet layer.
    pub fn render_files(&self, sink: &Sink) -> std::io::Result<()> {
        for (env, checked) in self.pairs() {
            render_environment(&env.name, checked, sink)?;
        }
        self.layer_files()?
            .into_iter()
            .try_for_each(|(path, text)| sink(path, text))
    }

    /// The files of the fleet layer (see `gitops::fleet`) and the fleet's README.
    fn layer_files(&self) -> std::io::Result<Vec<(String, String)>> {
        let ctx = crate::engine::FleetContext {
            profile: &self.loaded.profile,
            repo: &self.repo,
            environments: self.pairs().map(|(e, c)| (e, &c.profile)).collect(),
        };
        let engine = crate::gitops::engine_for(self.loaded.profile.gitops.engine);
        let mut files = engine.fleet(&ctx).map_err(std::io::Error::other)?;
        files.push(("README.md".to_string(), self.readme()));
        Ok(files)
    }

    /// What the engines follow in the fleet, without rendering it: every object of each
    /// environment's plan with its file (built as for its file, not serialized; only the
    /// objects that apply others, see [`gen_fleet::is_applier`], are turned into a value),
    /// the resources of each environment's kustomizations as the plan lists them, and the
    /// few files of the fleet layer, read back.
    pub fn index(&self) -> Result<Index, Box<Diagnostic>> {
        let internal = |what: &str, e: &dyn std::fmt::Display| {
            Box::new(Diagnostic::new(
                &crate::rules::INTERNAL,
                "",
                format!("could not {what}: {e}"),
                "please report this as a bug",
            ))
        };
        let mut index = Index::default();
        for (env, checked) in self.pairs() {
            let mut failed = None;
            let kust = crate::bundle::kustomizations(
                &checked.profile,
                &checked.plan,
                &mut |folder, object| {
                    let file = format!("{}/{}/{}", env.name, folder.path, object.file_name());
                    match object_of(file, object) {
                        Ok(o) => index.objects.push(o),
                        Err(e) => failed = Some(e),
                    }
                },
            );
            if let Some(e) = failed {
                return Err(internal("index the fleet's objects", &e));
            }
            for (folder, resources) in kust {
                let folder = match folder.as_str() {
                    "" => env.name.clone(),
                    f => format!("{}/{f}", env.name),
                };
                index.kustomizations.insert(folder, resources);
            }
        }
        let layer: BTreeMap<String, String> = self
            .layer_files()
            .map_err(|e| internal("render the fleet", &e))?
            .into_iter()
            .collect();
        index.objects.extend(
            gen_fleet::objects(&layer)
                .map_err(|e| internal("read the rendered fleet layer back", &e))?,
        );
        index
            .kustomizations
            .extend(gen_fleet::objects::kustomizations(&layer));
        Ok(index)
    }

    /// The fleet's README: where each environment is, which clusters run it, and how the
    /// engine applies it.
    fn readme(&self) -> String {
        let p = &self.loaded.profile;
        let name = p.name.as_str();
        let mut out = format!(
            "{MARKDOWN_HEADER_PREFIX} from profile {name}. Do not edit: change the profile and run `gen render`. -->\n\n# Fleet `{name}`\n\n"
        );
        out.push_str(
            "One bundle per environment, each complete and checked like any bundle, and the \
             layer that applies each to its clusters.\n\n| environment | folder | clusters |\n|---|---|---|\n",
        );
        for (env, _) in self.pairs() {
            let clusters: Vec<String> = env
                .clusters
                .iter()
                .map(|c| match (p.gitops.engine, &c.server) {
                    (Engine::Argocd, _) => format!("`{}` ({})", c.name, c.server()),
                    (_, Some(s)) => format!("`{}` ({s})", c.name),
                    _ => format!("`{}`", c.name),
                })
                .collect();
            out.push_str(&format!(
                "| {} | `{}/` | {} |\n",
                env.name,
                env.name,
                clusters.join(", ")
            ));
        }
        out.push('\n');
        let repo = self.repo.as_str();
        out.push_str(&match p.gitops.engine {
            Engine::Argocd => format!(
                "Argo CD runs on one hub and applies to every cluster, registered with \
                 `argocd cluster add` under the server URL above. Apply `{repo}/bootstrap` once, \
                 on the hub, as an Argo CD administrator: the project `{name}-bootstrap` and the \
                 ApplicationSet `{name}`, whose list generator makes one root Application \
                 `{name}-<cluster>-root` per cluster; each applies \
                 `<environment>/argocd/<cluster>/` at its environment's revision.\n"
            ),
            Engine::Flux => format!(
                "Flux runs on every cluster. On each, apply `{repo}/clusters/<cluster>` as a \
                 cluster administrator: it holds its environment's `bootstrap/`.\n"
            ),
            Engine::None => "No GitOps engine: apply each environment's folders to its clusters \
                             yourself.\n"
                .to_string(),
        });
        out.push_str(&format!(
            "\n`gen diff --profile {name} --from <environment> --to <environment>` shows what \
             differs between two environments, object by object.\n"
        ));
        out
    }

    /// A report of a failure that is gen's bug, not the profile's.
    fn internal(&self, e: std::io::Error) -> Report {
        self.loaded.report(vec![Diagnostic::new(
            &crate::rules::INTERNAL,
            "",
            format!("could not render the fleet: {e}"),
            "please report this as a bug",
        )])
    }

    /// The whole fleet in memory.
    pub fn assemble(&self) -> std::io::Result<Bundle> {
        let poisoned = || std::io::Error::other("a render thread panicked");
        let files = std::sync::Mutex::new(BTreeMap::new());
        self.render_files(&|path, text| {
            files.lock().map_err(|_| poisoned())?.insert(path, text);
            Ok(())
        })?;
        Ok(Bundle {
            name: self.loaded.profile.name.clone(),
            files: files.into_inner().map_err(|_| poisoned())?,
        })
    }

    /// The folders applied by hand, each on its cluster: the Argo CD hub's bootstrap, or
    /// each Flux cluster's folder.
    pub fn layout(&self) -> Layout<'_> {
        let entry_points = match self.loaded.profile.gitops.engine {
            Engine::Argocd => vec![(
                FLEET_BOOTSTRAP.to_string(),
                crate::gitops::IN_CLUSTER.to_string(),
            )],
            _ => self
                .loaded
                .profile
                .environments
                .iter()
                .flat_map(|e| &e.clusters)
                .map(|c| (format!("{CLUSTERS}/{}", c.name), flux_identity(c)))
                .collect(),
        };
        Layout {
            repo_dir: self.repo.as_str(),
            entry_points,
        }
    }

    /// Every object two environments, or two clusters of one, put on one cluster: one
    /// diagnostic per pair of sources and cluster, naming both, at the second's cluster.
    pub fn collisions(&self) -> Vec<Diagnostic> {
        let sources = match self.sources() {
            Ok(s) => s,
            Err(d) => return vec![*d],
        };
        let mut grouped: BTreeMap<(String, &str, &str), Vec<gen_fleet::Collision>> =
            BTreeMap::new();
        for c in gen_fleet::collisions(&sources) {
            grouped
                .entry((c.cluster.clone(), c.first.0, c.second.0))
                .or_default()
                .push(c);
        }
        grouped
            .into_values()
            .filter_map(|cs| self.collision(&cs))
            .collect()
    }

    /// Every object the fleet puts on a cluster, by source: the environment whose folder
    /// holds it (or its Application), else the fleet layer (`bootstrap`, `clusters`).
    fn sources(&self) -> Result<Vec<(String, Vec<Landing>)>, Box<Diagnostic>> {
        let index = self.index()?;
        let landings =
            gen_fleet::landings_in(&index.kustomizations, &index.objects, &self.layout());
        drop(index);
        let mut by_source: BTreeMap<String, Vec<Landing>> = BTreeMap::new();
        for l in landings {
            let top = l.file.split('/').next().unwrap_or_default();
            match by_source.get_mut(top) {
                Some(v) => v.push(l),
                None => {
                    by_source.insert(top.to_string(), vec![l]);
                }
            }
        }
        Ok(by_source.into_iter().collect())
    }

    fn collision(&self, cs: &[gen_fleet::Collision]) -> Option<Diagnostic> {
        let c = cs.iter().min_by_key(|c| (collision_rank(c), &c.id))?;
        let (first, second) = (c.first, c.second);
        let who = |(env, l): (&str, &Landing)| format!("{env} through {} ({})", l.via, l.file);
        let count = match cs.len() {
            1 => String::new(),
            n => format!(" and {} more objects", n - 1),
        };
        let subject = if first.0 == second.0 {
            format!("two clusters of environment {}", first.0)
        } else {
            format!("environments {} and {}", first.0, second.0)
        };
        let mut d = Diagnostic::new(
            &FLEET_COLLISION,
            self.cluster_path(second, &c.cluster).unwrap_or_default(),
            format!(
                "{subject} put {}{count} on the same cluster {}: {}; {}",
                c.id,
                c.cluster,
                who(first),
                who(second)
            ),
            "give each cluster its own API server URL (Argo CD) or name (Flux), or run these environments as one",
        );
        if let Some(path) = self.cluster_path(first, &c.cluster) {
            d = d.with_related(path, format!("{} applies it here too", first.0));
        }
        Some(d)
    }

    /// The profile path of the cluster known as `identity` that environment `env` applies
    /// `landing` to: the one whose Argo CD folder (`<env>/argocd/<cluster>/`) applies it,
    /// else the first of that identity.
    fn cluster_path(&self, (env, landing): (&str, &Landing), identity: &str) -> Option<String> {
        let engine = self.loaded.profile.gitops.engine;
        let folder = landing
            .file
            .strip_prefix(&format!("{env}/argocd/"))
            .and_then(|rest| rest.split_once('/'))
            .map(|(cluster, _)| cluster);
        self.loaded
            .profile
            .environments
            .iter()
            .enumerate()
            .filter(|(_, e)| e.name == env)
            .flat_map(|(i, e)| e.clusters.iter().enumerate().map(move |(j, c)| (i, j, c)))
            .filter(|(_, _, c)| match engine {
                Engine::Argocd => c.identity() == identity,
                _ => flux_identity(c) == identity,
            })
            .min_by_key(|(_, _, c)| Some(c.name.as_str()) != folder)
            .map(|(i, j, c)| {
                let key = if c.server.is_some() { "server" } else { "name" };
                format!("environments[{i}].clusters[{j}].{key}")
            })
    }
}

/// How a Flux fleet tells its clusters apart: one Flux per cluster folder, so the server
/// URL when the profile gives one (two folders for one server are one cluster), else the
/// cluster's name.
fn flux_identity(c: &gen_profile::Cluster) -> String {
    match &c.server {
        Some(_) => c.identity().to_string(),
        None => format!("cluster {}", c.name),
    }
}

/// Fleets of different profiles that put the same object on one cluster, named by its
/// API server URL (a Flux cluster known only by its folder name is not compared across
/// profiles: two profiles' `clusters/prod/` may well be two clusters). One report per
/// pair of environments and cluster, against the later profile of `paths`, naming both;
/// profiles without environments, or that fail their own checks, are left out (their own
/// render reports them).
pub fn across(paths: &[Utf8PathBuf], out_root: &Utf8Path) -> Vec<(Utf8PathBuf, Report)> {
    let mut fleets = Vec::new();
    let mut sources: Vec<(String, Vec<Landing>)> = Vec::new();
    for path in paths {
        let Ok(loaded) = gen_profile::load_file(path) else {
            continue;
        };
        if loaded.profile.environments.is_empty() {
            continue;
        }
        let Ok(fleet) = check(loaded, out_root) else {
            continue;
        };
        // A fleet that collides with itself is refused by its own render.
        if !fleet.collisions().is_empty() {
            continue;
        }
        let Ok(own) = fleet.sources() else {
            continue;
        };
        let name = &fleet.loaded.profile.name;
        sources.extend(own.into_iter().map(|(env, l)| (format!("{name}/{env}"), l)));
        fleets.push((path, fleet));
    }
    let profile_of = |source: &str| source.split('/').next().unwrap_or_default().to_string();
    let mut grouped: BTreeMap<(String, &str, &str), Vec<gen_fleet::Collision>> = BTreeMap::new();
    for c in gen_fleet::collisions(&sources) {
        if profile_of(c.first.0) == profile_of(c.second.0) || c.cluster.starts_with("cluster ") {
            continue;
        }
        grouped
            .entry((c.cluster.clone(), c.first.0, c.second.0))
            .or_default()
            .push(c);
    }
    let mut reports: Vec<(Utf8PathBuf, Report)> = Vec::new();
    for cs in grouped.values() {
        let Some(c) = cs.iter().min_by_key(|c| (collision_rank(c), &c.id)) else {
            continue;
        };
        let Some((path, fleet)) = fleets
            .iter()
            .find(|(_, f)| f.loaded.profile.name == profile_of(c.second.0))
        else {
            continue;
        };
        let (first, second) = (c.first, c.second);
        let env_of = |source: &str| source.split_once('/').map_or("", |(_, e)| e).to_string();
        let who =
            |(source, l): (&str, &Landing)| format!("{source} through {} ({})", l.via, l.file);
        let count = match cs.len() {
            1 => String::new(),
            n => format!(" and {} more objects", n - 1),
        };
        let d = Diagnostic::new(
            &FLEET_COLLISION,
            fleet
                .cluster_path((&env_of(second.0), second.1), &c.cluster)
                .unwrap_or_default(),
            format!(
                "profiles {} and {} put {}{count} on the same cluster {}: {}; {}",
                profile_of(first.0),
                profile_of(second.0),
                c.id,
                c.cluster,
                who(first),
                who(second)
            ),
            "run one Seldon installation per cluster: give the clusters their own API server URLs, or render both deployments from one profile",
        );
        reports.push(((*path).clone(), fleet.loaded.report(vec![d])));
    }
    reports
}

/// The order collisions are named in: what the charts install cluster-wide (a CRD, the
/// controller's ClusterRole), then other cluster-scoped objects, then namespaced ones.
fn collision_rank(c: &gen_fleet::Collision) -> u8 {
    match c.id.kind.as_str() {
        "CustomResourceDefinition" => 0,
        "ClusterRole" | "ClusterRoleBinding" => 1,
        _ if c.id.namespace.is_empty() => 2,
        _ => 3,
    }
}

/// Check and render a profile with environments into memory, refusing collisions.
pub fn render(loaded: Loaded, out_root: &Utf8Path) -> Result<(Fleet, Bundle), Report> {
    let fleet = checked_apart(loaded, out_root)?;
    let bundle = fleet.assemble().map_err(|e| fleet.internal(e))?;
    Ok((fleet, bundle))
}

/// [`check`], then refuse collisions (from the plans: nothing is rendered for it).
fn checked_apart(loaded: Loaded, out_root: &Utf8Path) -> Result<Fleet, Report> {
    let fleet = check(loaded, out_root)?;
    let collisions = fleet.collisions();
    if !collisions.is_empty() {
        return Err(fleet.loaded.report(collisions));
    }
    Ok(fleet)
}

/// Check a profile with environments and refuse collisions, as [`render`] does, then
/// write the fleet to `out_root/<name>/` as a single bundle is written
/// ([`crate::write::write_stream`]: every file whole or not at all, the previous fleet
/// kept if anything fails, generated files it no longer has pruned, other files kept):
/// the fleet layer, then one environment after the other, each file written as it is
/// rendered and each environment's plan dropped once it is written, so the fleet is
/// never held in memory. `repo_out` is the bundle's folder as the GitOps repository
/// holds it (see [`crate::ops::write_profile_in`]).
pub fn write(
    loaded: Loaded,
    repo_out: &Utf8Path,
    out_root: &Utf8Path,
) -> Result<(String, crate::write::Changes), crate::ops::WriteFailure> {
    use crate::ops::WriteFailure;
    let fleet = checked_apart(loaded, repo_out).map_err(WriteFailure::Profile)?;
    let name = fleet.loaded.profile.name.clone();
    let io = |error| WriteFailure::Io {
        bundle: name.clone(),
        error,
    };
    let layer = fleet.layer_files().map_err(io)?;
    let Fleet {
        loaded,
        environments,
        ..
    } = fleet;
    let names: Vec<String> = loaded
        .profile
        .environments
        .iter()
        .map(|e| e.name.clone())
        .collect();
    let changes = crate::write::write_stream(out_root, &name, &|_| Ok(()), |sink| {
        for (path, text) in layer {
            sink(path, text)?;
        }
        for (env, checked) in names.iter().zip(environments) {
            render_environment(env, &checked, sink)?;
            // Freeing a plan takes a while at 10,000 Models; the next environment need
            // not wait for it.
            let _ = std::thread::Builder::new().spawn(move || drop(checked));
        }
        Ok(())
    })
    .map_err(io)?;
    Ok((name, changes))
}

/// Render the bundle of environment `env` to `sink`, under its folder.
fn render_environment(env: &str, checked: &Checked, sink: &Sink) -> std::io::Result<()> {
    let prefix = format!("{env}/");
    render_files(&checked.profile, &checked.plan, &|path, text| {
        let mut full = String::with_capacity(prefix.len() + path.len());
        full.push_str(&prefix);
        full.push_str(&path);
        sink(full, text)
    })
}

/// An object of a plan as the collision check sees it: its file and identity, and its
/// content only if it applies others.
fn object_of(file: String, object: &Manifest) -> Result<gen_fleet::Object, serde_json::Error> {
    let group = match object {
        Manifest::Template(t) => t.api_version.rsplit_once('/').map_or("", |(g, _)| g),
        _ => object.resource().0,
    };
    let kind = object.kind();
    let value = if gen_fleet::is_applier(group, kind) {
        serde_json::to_value(object)?
    } else {
        serde_json::Value::Null
    };
    Ok(gen_fleet::Object {
        file,
        id: gen_fleet::Id::new(group, kind, object.namespace().unwrap_or(""), object.name()),
        value,
    })
}

/// What the collision check follows in a fleet (see [`Fleet::index`]); paths are from
/// the fleet bundle's root.
#[derive(Debug, Default)]
pub struct Index {
    pub objects: Vec<gen_fleet::Object>,
    /// The `resources` of each folder's `kustomization.yaml`, by folder.
    pub kustomizations: BTreeMap<String, Vec<String>>,
}

/// Why [`Fleet::promotion`] cannot compare two environments.
#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    /// The profile does not load or check; nothing to compare.
    #[error("the profile does not pass its checks")]
    Profile(Box<Report>),
    #[error("the profile {0} has no environments to compare")]
    NoEnvironments(String),
    #[error("the profile has no environment {name:?} (its environments: {known})")]
    UnknownEnvironment { name: String, known: String },
    #[error("could not read the rendered fleet back: {0}")]
    Objects(#[from] gen_fleet::ObjectsError),
}

impl Fleet {
    /// What promoting environment `from` to `to` changes in the objects their bundles put
    /// on a cluster, object by object (files compared at the same place in each bundle).
    /// The engine folders are left out: they differ in every environment by its path and
    /// cluster names, not by what it runs.
    pub fn promotion(
        &self,
        bundle: &Bundle,
        from: &str,
        to: &str,
    ) -> Result<gen_fleet::Promotion, PromotionError> {
        let side = |name: &str| -> Result<Vec<gen_fleet::Object>, PromotionError> {
            let (_, checked) = self.pairs().find(|(e, _)| e.name == name).ok_or_else(|| {
                PromotionError::UnknownEnvironment {
                    name: name.to_string(),
                    known: self
                        .loaded
                        .profile
                        .environments
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            let engine_folders: Vec<String> = checked
                .plan
                .folders
                .iter()
                .filter(|f| f.layer == crate::folder::Layer::GitOps)
                .map(|f| format!("{}/", f.path))
                .collect();
            let prefix = format!("{name}/");
            let files: BTreeMap<String, String> = bundle
                .files
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .map(|(p, t)| (p[prefix.len()..].to_string(), t))
                .filter(|(p, _)| !engine_folders.iter().any(|f| p.starts_with(f.as_str())))
                .map(|(p, t)| (p, t.clone()))
                .collect();
            Ok(gen_fleet::objects(&files)?)
        };
        Ok(gen_fleet::diff(from, &side(from)?, to, &side(to)?))
    }
}
