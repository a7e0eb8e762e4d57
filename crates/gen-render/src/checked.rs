//! The checked stage: a profile (or an environment's merged profile) through every rule,
//! then planned, with the engine's folders for the clusters it renders for.

use gen_profile::{Diagnostic, Loaded, Profile};
use gen_seldon::rules;

use crate::plan::Plan;
use crate::repo::RepoDir;

/// A profile that passed every check, with the plan of its bundle. The application
/// specs have moved from the profile into the plan's objects: read them there.
#[derive(Debug)]
pub struct Checked {
    pub profile: Profile,
    pub plan: Plan,
    /// The file the profile was read from, as the caller named it.
    pub file: String,
}

/// `ops::check` for a bundle at `repo` (or the problem with its place), whose engine folders
/// are rendered for each cluster of `environment` (none: a bundle without environments). On failure,
/// the profile back with every problem found.
pub(crate) fn check_at(
    mut loaded: Loaded,
    repo: Result<RepoDir, Box<Diagnostic>>,
    environment: Option<&gen_profile::Environment>,
) -> Result<Checked, Box<(Loaded, Vec<Diagnostic>)>> {
    let clusters = environment.map_or(&[][..], |e| e.clusters.as_slice());
    let engine = crate::gitops::engine_for(loaded.profile.gitops.engine);
    let mut diagnostics = gen_profile::check::check(&loaded.profile);
    diagnostics.extend(engine.check(&loaded.profile));
    let repo = repo.unwrap_or_else(|d| {
        diagnostics.push(*d);
        RepoDir::default_for(&loaded.profile)
    });
    let mut plan = crate::plan::build_taking(&mut loaded.profile, &repo, engine);
    diagnostics.extend(rules::check(&plan.inventory()));
    // A Seldon warning at a profile path that already has an error says the same thing
    // less strictly (the profile refuses what a tree of YAML is only warned about).
    let errors: std::collections::HashSet<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.path.clone())
        .collect();
    diagnostics.retain(|d| d.is_error() || !errors.contains(&d.path));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Box::new((loaded, diagnostics)));
    }
    let targets: Vec<Option<&gen_profile::Cluster>> = if clusters.is_empty() {
        vec![None]
    } else {
        clusters.iter().map(Some).collect()
    };
    let mut engine_folders: Vec<crate::folder::Folder> = Vec::new();
    for cluster in targets {
        let ctx = crate::engine::Context {
            profile: &loaded.profile,
            workload: &plan.folders,
            repo: &repo,
            cluster,
        };
        // An engine that runs on each cluster renders the same folders for every one.
        for f in engine.folders(&ctx) {
            if !engine_folders.iter().any(|g| g.path == f.path) {
                engine_folders.push(f);
            }
        }
    }
    plan.folders.extend(engine_folders);
    plan.environment = environment.map(|e| {
        let clusters = e.clusters.iter().map(|c| c.name.clone()).collect();
        (e.name.clone(), clusters)
    });
    Ok(Checked {
        profile: loaded.profile,
        plan,
        file: loaded.file,
    })
}
