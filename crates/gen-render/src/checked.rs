//! The checked stage: a profile (or an environment's merged profile) through every rule,
//! then planned, with the engine's folders for the clusters it renders for and the
//! repository's templates placed in their layers.

use gen_profile::{Diagnostic, Loaded, Profile, Report};
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
    /// Warnings about the repository's templates (a kind gen cannot check, reported once),
    /// drawn against the templates; `None` when there are none.
    pub warnings: Option<Report>,
}

/// Why [`check_at`] refused a profile: the profile back, every problem found, and the
/// templates' texts the problems may point into.
#[derive(Debug)]
pub(crate) struct Failed {
    pub loaded: Loaded,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Vec<(String, String)>,
}

impl Failed {
    fn new(
        loaded: Loaded,
        diagnostics: Vec<Diagnostic>,
        prepared: Option<&crate::templates::Prepared>,
    ) -> Failed {
        let sources = prepared.map(crate::templates::sources).unwrap_or_default();
        Failed {
            loaded,
            diagnostics,
            sources,
        }
    }

    /// The report of a profile without environments.
    pub fn report(self) -> Report {
        let mut report = self.loaded.report(self.diagnostics);
        for (file, text) in self.sources {
            report = report.with_source(file, text);
        }
        report
    }
}

/// `ops::check` for a bundle at `repo` (or the problem with its place), whose engine folders
/// are rendered for each cluster of `environment` (none: a bundle without environments). On failure,
/// the profile back with every problem found.
pub(crate) fn check_at(
    mut loaded: Loaded,
    repo: Result<RepoDir, Box<Diagnostic>>,
    environment: Option<&gen_profile::Environment>,
    extra: Option<&gen_templates::Templates>,
) -> Result<Checked, Box<Failed>> {
    let clusters = environment.map_or(&[][..], |e| e.clusters.as_slice());
    let engine = crate::gitops::engine_for(loaded.profile.gitops.engine);
    let mut diagnostics = gen_profile::check::check(&loaded.profile);
    diagnostics.extend(engine.check(&loaded.profile));
    let repo = repo.unwrap_or_else(|d| {
        diagnostics.push(*d);
        RepoDir::default_for(&loaded.profile)
    });
    let prepared =
        crate::templates::prepare(&mut loaded.profile, &loaded.file, extra, &mut diagnostics);
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
        return Err(Box::new(Failed::new(
            loaded,
            diagnostics,
            prepared.as_ref(),
        )));
    }
    let targets: Vec<Option<&gen_profile::Cluster>> = if clusters.is_empty() {
        vec![None]
    } else if !engine.folders_per_cluster() {
        vec![clusters.first()]
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
    // Templates render last: their context holds the plan's objects, and they may not
    // take the identity of any object gen generates, the engine's included.
    let mut warnings = None;
    if let Some(prepared) = &prepared {
        let mut problems = Vec::new();
        crate::templates::place(prepared, &loaded.profile, &mut plan, &mut problems);
        if problems.iter().any(Diagnostic::is_error) {
            return Err(Box::new(Failed::new(loaded, problems, Some(prepared))));
        }
        if !problems.is_empty() {
            let mut report = loaded.report(problems);
            for (file, text) in crate::templates::sources(prepared) {
                report = report.with_source(file, text);
            }
            warnings = Some(report);
        }
    }
    Ok(Checked {
        profile: loaded.profile,
        plan,
        file: loaded.file,
        warnings,
    })
}
