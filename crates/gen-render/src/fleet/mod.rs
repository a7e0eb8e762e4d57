//! A profile with environments renders a fleet: under `out/<name>/`, one complete bundle
//! per environment (`<env>/`, its merged profile rendered as any profile is, at
//! `<repo>/<env>` in the GitOps repository, its engine folders rendered for each of its
//! clusters), plus the engine's fleet layer (`bootstrap/` with an Argo CD ApplicationSet,
//! or Flux's `clusters/<cluster>/`; see `gitops::fleet`).
//!
//! Every environment passes every check a profile gets, reported once for the file (see
//! `Loaded::report_environments`); then the fleet is followed the way the engines apply it
//! (`gen_fleet::contested_in`), from the plans' typed objects rather than rendered text
//! (see [`Fleet::index`]), and an object that two environments, or two clusters of one,
//! would put on the same cluster is refused (rule `fleet-collision`). Only then is the
//! fleet written, one environment after the other (`ops::write_profile_in`).

use std::collections::BTreeMap;

use camino::Utf8Path;
use rayon::prelude::*;

use gen_fleet::Layout;
use gen_profile::{Diagnostic, Engine, Environment, Loaded, Report};

use crate::bundle::{Bundle, Sink, render_files};
use crate::checked::{Checked, check_at};
use crate::gitops::fleet::{CLUSTERS, FLEET_BOOTSTRAP};
use crate::repo::RepoDir;
use crate::write::MARKDOWN_HEADER_PREFIX;

mod collisions;
use collisions::flux_identity;
pub use collisions::{Index, across};

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
pub fn check(mut loaded: Loaded, out_root: &Utf8Path) -> Result<Fleet, Report> {
    let views = loaded.take_environments()?;
    let mut fleet = gen_profile::check::check_environments(&loaded.profile);
    let repo = crate::repo::locate(&loaded.profile, out_root).unwrap_or_else(|d| {
        fleet.push(*d);
        RepoDir::default_for(&loaded.profile)
    });
    let mut failed = Vec::new();
    let mut environments = Vec::new();
    // The environments are independent: they are checked in parallel, and the results
    // are taken in the profile's order, so the outcome does not depend on the thread
    // count.
    let jobs: Vec<(Loaded, Environment)> = views
        .into_iter()
        .filter_map(|view| {
            let env = view.environment_entry().cloned()?;
            Some((view, env))
        })
        .collect();
    let results: Vec<_> = jobs
        .into_par_iter()
        .map(|(view, env)| check_at(view, Ok(repo.child(&env.name)), Some(&env), None))
        .collect();
    for result in results {
        match result {
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
    pub(crate) fn layer_files(&self) -> std::io::Result<Vec<(String, String)>> {
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
}

/// Check and render a profile with environments into memory, refusing collisions.
pub fn render(loaded: Loaded, out_root: &Utf8Path) -> Result<(Fleet, Bundle), Report> {
    let fleet = checked_apart(loaded, out_root)?;
    let bundle = fleet.assemble().map_err(|e| fleet.internal(e))?;
    Ok((fleet, bundle))
}

/// [`check`], then refuse collisions (from the plans: nothing is rendered for it).
pub(crate) fn checked_apart(loaded: Loaded, out_root: &Utf8Path) -> Result<Fleet, Report> {
    let fleet = check(loaded, out_root)?;
    let collisions = fleet.collisions();
    if !collisions.is_empty() {
        return Err(fleet.loaded.report(collisions));
    }
    Ok(fleet)
}

/// Render the bundle of environment `env` to `sink`, under its folder.
pub(crate) fn render_environment(env: &str, checked: &Checked, sink: &Sink) -> std::io::Result<()> {
    let prefix = format!("{env}/");
    render_files(&checked.profile, &checked.plan, &|path, text| {
        let mut full = String::with_capacity(prefix.len() + path.len());
        full.push_str(&prefix);
        full.push_str(&path);
        sink(full, text)
    })
}

/// The names of `environments`, as an error lists them.
pub(crate) fn names(environments: &[Environment]) -> String {
    environments
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why one environment of a profile cannot be rendered, drawn or compared.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// The profile does not load or check; nothing to show.
    #[error("the profile does not pass its checks")]
    Profile(Box<Report>),
    #[error("the profile {0} has no environments")]
    NoEnvironments(String),
    #[error("the profile has no environment {name:?} (its environments: {known})")]
    UnknownEnvironment { name: String, known: String },
    /// A fleet's environments are bundles for different clusters: one must be named.
    #[error(
        "the profile {file} renders one bundle per environment ({known}), each for its own clusters: name the environment"
    )]
    Unnamed { file: String, known: String },
    #[error("could not read the rendered fleet back: {0}")]
    Objects(#[from] gen_fleet::ObjectsError),
}

impl Fleet {
    /// The names of the environments, as the profile lists them.
    fn known(&self) -> String {
        names(&self.loaded.profile.environments)
    }

    /// The checked bundle of environment `name`.
    pub fn environment(&self, name: &str) -> Result<&Checked, EnvironmentError> {
        self.pairs()
            .find(|(e, _)| e.name == name)
            .map(|(_, c)| c)
            .ok_or_else(|| EnvironmentError::UnknownEnvironment {
                name: name.to_string(),
                known: self.known(),
            })
    }

    /// The checked bundle of environment `name`, taken out of the fleet.
    pub fn take_environment(mut self, name: &str) -> Result<Checked, EnvironmentError> {
        let at = self
            .loaded
            .profile
            .environments
            .iter()
            .position(|e| e.name == name)
            .filter(|&i| i < self.environments.len())
            .ok_or_else(|| EnvironmentError::UnknownEnvironment {
                name: name.to_string(),
                known: self.known(),
            })?;
        Ok(self.environments.swap_remove(at))
    }
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
    ) -> Result<gen_fleet::Promotion, EnvironmentError> {
        let side = |name: &str| -> Result<Vec<gen_fleet::Object>, EnvironmentError> {
            let checked = self.environment(name)?;
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
