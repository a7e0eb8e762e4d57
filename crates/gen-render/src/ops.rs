//! What the `gen` commands do, as library calls: no terminal I/O here.

use camino::{Utf8Path, Utf8PathBuf};

use gen_profile::{Diagnostic, Failure, Loaded, Report, check, load_file};
use gen_seldon::rules::{self, Finding};

use crate::bundle::{Bundle, assemble};

/// `NAME` means `<root>/profiles/NAME.yaml`; anything with a `/` or ending in `.yaml`/
/// `.yml` is a path.
pub fn resolve_profile(arg: &str, root: &Utf8Path) -> Utf8PathBuf {
    if arg.contains('/') || arg.ends_with(".yaml") || arg.ends_with(".yml") {
        Utf8PathBuf::from(arg)
    } else {
        root.join("profiles").join(format!("{arg}.yaml"))
    }
}

/// A Seldon rule finding as a profile diagnostic: the object's profile path plus the field.
pub fn finding_to_diagnostic(f: Finding) -> Diagnostic {
    Diagnostic {
        severity: f.severity,
        code: f.rule.to_string(),
        path: format!("{}.{}", f.origin, f.field),
        line: 0,
        column: 0,
        message: f.message,
        help: if f.help.is_empty() {
            None
        } else {
            Some(f.help)
        },
    }
}

/// The folder `gen` writes bundles to unless told otherwise (`--out`).
pub const DEFAULT_OUT: &str = "out";

/// Every problem in a loaded profile: the profile rules and the Seldon run-time rules
/// over the objects it would render, all at once.
pub fn diagnose(loaded: &Loaded) -> Vec<Diagnostic> {
    diagnose_plan(loaded, Utf8Path::new(DEFAULT_OUT)).0
}

/// Where the bundle written under `out_root` is in the GitOps repository, with the
/// problems of the GitOps settings (added to the other diagnostics). On an error the
/// default place is used, so that the other checks still run.
fn locate(
    profile: &gen_profile::Profile,
    out_root: &Utf8Path,
) -> (crate::gitops::RepoDir, Vec<Diagnostic>) {
    let mut problems: Vec<Diagnostic> =
        crate::gitops::check_revision(profile).into_iter().collect();
    let repo = crate::gitops::locate(profile, out_root).unwrap_or_else(|d| {
        problems.push(d);
        crate::gitops::RepoDir::default_for(profile)
    });
    (repo, problems)
}

/// The diagnostics and the plan they were found in, so rendering plans once.
fn diagnose_plan(loaded: &Loaded, out_root: &Utf8Path) -> (Vec<Diagnostic>, crate::plan::Plan) {
    let (repo, problems) = locate(&loaded.profile, out_root);
    let plan = crate::plan::plan_at(&loaded.profile, &repo);
    (diagnostics_of(loaded, &plan, problems), plan)
}

/// The profile rules over `loaded`, `problems` found on the way, and the Seldon rules over
/// the objects of `plan`. A Seldon warning at a profile path that already has an error says
/// the same thing less strictly (the profile refuses what a tree of YAML is only warned
/// about), so it is dropped.
fn diagnostics_of(
    loaded: &Loaded,
    plan: &crate::plan::Plan,
    problems: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut diagnostics = check::check(&loaded.profile);
    diagnostics.extend(problems);
    diagnostics.extend(
        rules::check(&plan.inventory())
            .into_iter()
            .map(finding_to_diagnostic),
    );
    let errors: std::collections::HashSet<String> = diagnostics
        .iter()
        .filter(|d| d.severity == gen_profile::Severity::Error)
        .map(|d| d.path.clone())
        .collect();
    diagnostics.retain(|d| d.severity == gen_profile::Severity::Error || !errors.contains(&d.path));
    diagnostics
}

/// `Err` with the located report when any diagnostic is an error (warnings do not stop a
/// render: a profile only gets one by an explicit override).
fn stop_on_errors(loaded: &Loaded, diagnostics: Vec<Diagnostic>) -> Result<(), Report> {
    if diagnostics
        .iter()
        .any(|d| d.severity == gen_profile::Severity::Error)
    {
        Err(loaded.report(diagnostics))
    } else {
        Ok(())
    }
}

/// Check and render a loaded profile, for `out/`. Nothing is rendered unless every check
/// passes.
pub fn render_loaded(loaded: &Loaded) -> Result<Bundle, Report> {
    render_loaded_in(loaded, Utf8Path::new(DEFAULT_OUT))
}

/// Check and render a loaded profile whose bundle goes under `out_root` (the GitOps paths
/// follow from it, unless the profile sets `gitops.path`).
pub fn render_loaded_in(loaded: &Loaded, out_root: &Utf8Path) -> Result<Bundle, Report> {
    let (diagnostics, plan) = diagnose_plan(loaded, out_root);
    stop_on_errors(loaded, diagnostics)?;
    assemble(&loaded.profile, &plan).map_err(|e| {
        Report::new(
            &loaded.file,
            &loaded.source,
            Failure::Input,
            vec![Diagnostic::error(
                "internal",
                "",
                format!("could not render the bundle: {e}"),
                "please report this as a bug",
            )],
        )
    })
}

/// Load, check and render the profile at `path`, for `out/`.
pub fn render_profile(path: &Utf8Path) -> Result<Bundle, Report> {
    render_profile_in(path, Utf8Path::new(DEFAULT_OUT))
}

/// Load, check and render the profile at `path`, for a bundle under `out_root`.
pub fn render_profile_in(path: &Utf8Path, out_root: &Utf8Path) -> Result<Bundle, Report> {
    render_loaded_in(&load_file(path)?, out_root)
}

/// Load and check the profile at `path`, then draw its bundle.
pub fn graph_profile(path: &Utf8Path, format: crate::graph::GraphFormat) -> Result<String, Report> {
    let loaded = load_file(path)?;
    let (diagnostics, plan) = diagnose_plan(&loaded, Utf8Path::new(DEFAULT_OUT));
    stop_on_errors(&loaded, diagnostics)?;
    Ok(crate::graph::render(&loaded.profile, &plan, format))
}

/// Why [`write_profile`] wrote nothing, or stopped.
#[derive(Debug)]
pub enum WriteFailure {
    /// The profile is unreadable or breaks a rule; nothing was written.
    Profile(Report),
    /// Writing `out/<bundle>` failed; what this call wrote was removed where possible.
    Io {
        bundle: String,
        error: std::io::Error,
    },
}

/// Load, check and render the profile at `path` straight to `out_root/<name>/`, writing
/// each file as it is rendered (the bundle is never held in memory); see [`crate::write`].
/// The GitOps paths are those of a bundle under `out/` in the repository (or `gitops.path`).
pub fn write_profile(
    path: &Utf8Path,
    out_root: &Utf8Path,
) -> Result<(String, crate::write::Changes), WriteFailure> {
    write_profile_in(path, out_root, Utf8Path::new(DEFAULT_OUT))
}

/// [`write_profile`] for a bundle that the repository holds under `repo_out` (the `--out`
/// argument as given, relative to the repository root; `gitops.path` wins over it).
pub fn write_profile_in(
    path: &Utf8Path,
    out_root: &Utf8Path,
    repo_out: &Utf8Path,
) -> Result<(String, crate::write::Changes), WriteFailure> {
    let bytes = gen_profile::read_file(path).map_err(WriteFailure::Profile)?;
    let mut loaded =
        gen_profile::parse_owned_bytes(path.as_str(), bytes).map_err(WriteFailure::Profile)?;
    // The specs move into the plan (the profile rules do not read them): a large profile
    // is not held twice.
    let (repo, problems) = locate(&loaded.profile, repo_out);
    let plan = crate::plan::plan_taking_at(&mut loaded.profile, &repo);
    stop_on_errors(&loaded, diagnostics_of(&loaded, &plan, problems))
        .map_err(WriteFailure::Profile)?;
    // The source text only serves diagnostics, and there are none.
    drop(std::mem::take(&mut loaded.source));
    let name = loaded.profile.name.clone();
    let changes = crate::write::write_stream(out_root, &name, &|_| Ok(()), |sink| {
        crate::bundle::render_files(&loaded.profile, &plan, sink)
    })
    .map_err(|error| WriteFailure::Io {
        bundle: name.clone(),
        error,
    })?;
    // Freeing a large plan takes a while (~0.1 s at 100,000 Models) and nobody waits
    // for it: hand it to a thread, which a CLI's exit may simply cut short.
    let _ = std::thread::Builder::new().spawn(move || drop((plan, loaded)));
    Ok((name, changes))
}
