//! The collision check of a fleet: every object the fleet puts on a cluster, followed the
//! way the engines apply it from the plans' typed objects (no rendered text is read back
//! but the few files of the fleet layer), and the objects that two environments, two
//! clusters of one, or two profiles' fleets put on one cluster. Within one fleet only the
//! objects that land twice are followed to the end (`gen_fleet::contested_in`); across
//! profiles every landing is (`gen_fleet::landings_in`).

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use rayon::prelude::*;

use gen_fleet::Landing;
use gen_profile::{Diagnostic, Engine, Report};

use super::{Fleet, check};
use crate::gitops::fleet::FLEET_COLLISION;
use crate::manifest::Manifest;

impl Fleet {
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
        // The environments in parallel, merged in the profile's order.
        let pairs: Vec<_> = self.pairs().collect();
        let per_env: Vec<_> = pairs
            .into_par_iter()
            .map(|(env, checked)| {
                let mut objects = Vec::new();
                let mut failed = None;
                let kust = crate::bundle::kustomizations(
                    &checked.profile,
                    &checked.plan,
                    &mut |folder, object, name| {
                        let file = format!("{}/{}/{name}", env.name, folder.path);
                        match object_of(file, object) {
                            Ok(o) => objects.push(o),
                            Err(e) => failed = Some(e),
                        }
                    },
                );
                (env, objects, kust, failed)
            })
            .collect();
        for (env, objects, kust, failed) in per_env {
            if let Some(e) = failed {
                return Err(internal("index the fleet's objects", &e));
            }
            index.objects.extend(objects);
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

    /// Every object two environments, or two clusters of one, put on one cluster: one
    /// diagnostic per pair of sources and cluster, naming both, at the second's cluster.
    pub fn collisions(&self) -> Vec<Diagnostic> {
        let sources = match self.sources(gen_fleet::contested_in) {
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

    /// The fleet's landings that `follow` finds (every object on every cluster, with
    /// [`gen_fleet::landings_in`]; or only those that may collide within the fleet, with
    /// [`gen_fleet::contested_in`]), by source: the environment whose folder holds it (or
    /// its Application), else the fleet layer (`bootstrap`, `clusters`).
    fn sources(&self, follow: Follow) -> Result<Vec<(String, Vec<Landing>)>, Box<Diagnostic>> {
        let index = self.index()?;
        let landings = follow(&index.kustomizations, &index.objects, &self.layout());
        // Freeing an index of a large fleet takes a while; nothing waits for it.
        let _ = std::thread::Builder::new().spawn(move || drop(index));
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

/// How the landings of a fleet are found (see [`Fleet::sources`]).
type Follow =
    fn(&BTreeMap<String, Vec<String>>, &[gen_fleet::Object], &gen_fleet::Layout) -> Vec<Landing>;

/// How a Flux fleet tells its clusters apart: one Flux per cluster folder, so the server
/// URL when the profile gives one (two folders for one server are one cluster), else the
/// cluster's name.
pub(super) fn flux_identity(c: &gen_profile::Cluster) -> String {
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
        let Ok(own) = fleet.sources(gen_fleet::landings_in) else {
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
