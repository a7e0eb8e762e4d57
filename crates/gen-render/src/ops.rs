//! What the `gen` commands do, as library calls: no terminal I/O here.

use camino::{Utf8Path, Utf8PathBuf};

use gen_profile::{Diagnostic, Failure, Loaded, Report, check, load_file};
use gen_seldon::rules::{self, Finding};

use crate::bundle::{Bundle, assemble};
use crate::plan::plan;

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

/// Every problem in a loaded profile: the profile rules and the Seldon run-time rules
/// over the objects it would render, all at once.
pub fn diagnose(loaded: &Loaded) -> Vec<Diagnostic> {
    diagnose_plan(loaded).0
}

/// The diagnostics and the plan they were found in, so rendering plans once.
fn diagnose_plan(loaded: &Loaded) -> (Vec<Diagnostic>, crate::plan::Plan) {
    let plan = plan(&loaded.profile);
    (diagnostics_of(loaded, &plan), plan)
}

/// The profile rules over `loaded` and the Seldon rules over the objects of `plan`.
fn diagnostics_of(loaded: &Loaded, plan: &crate::plan::Plan) -> Vec<Diagnostic> {
    let mut diagnostics = check::check(&loaded.profile);
    diagnostics.extend(
        rules::check(&plan.inventory())
            .into_iter()
            .map(finding_to_diagnostic),
    );
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

/// Check and render a loaded profile. Nothing is rendered unless every check passes.
pub fn render_loaded(loaded: &Loaded) -> Result<Bundle, Report> {
    let (diagnostics, plan) = diagnose_plan(loaded);
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

/// Load, check and render the profile at `path`.
pub fn render_profile(path: &Utf8Path) -> Result<Bundle, Report> {
    render_loaded(&load_file(path)?)
}

/// Load and check the profile at `path`, then draw its bundle.
pub fn graph_profile(path: &Utf8Path, format: crate::graph::GraphFormat) -> Result<String, Report> {
    let loaded = load_file(path)?;
    let (diagnostics, plan) = diagnose_plan(&loaded);
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
pub fn write_profile(
    path: &Utf8Path,
    out_root: &Utf8Path,
) -> Result<(String, crate::write::Changes), WriteFailure> {
    let bytes = gen_profile::read_file(path).map_err(WriteFailure::Profile)?;
    let mut loaded =
        gen_profile::parse_owned_bytes(path.as_str(), bytes).map_err(WriteFailure::Profile)?;
    // The specs move into the plan (the profile rules do not read them): a large profile
    // is not held twice.
    let plan = crate::plan::plan_taking(&mut loaded.profile);
    stop_on_errors(&loaded, diagnostics_of(&loaded, &plan)).map_err(WriteFailure::Profile)?;
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
