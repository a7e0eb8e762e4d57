//! What the `gen` commands do, as library calls: no terminal I/O here.

use camino::{Utf8Path, Utf8PathBuf};

use gen_profile::{Diagnostic, Failure, Loaded, Report, load_file};

use crate::bundle::{Bundle, assemble};
pub use crate::checked::Checked;
use crate::checked::check_at;
use crate::fleet::EnvironmentError;

/// `NAME` means `<root>/profiles/NAME.yaml`; anything with a `/` or ending in `.yaml`/
/// `.yml` is a path.
pub fn resolve_profile(arg: &str, root: &Utf8Path) -> Utf8PathBuf {
    if arg.contains('/') || arg.ends_with(".yaml") || arg.ends_with(".yml") {
        Utf8PathBuf::from(arg)
    } else {
        root.join("profiles").join(format!("{arg}.yaml"))
    }
}

/// The folder `gen` writes bundles to unless told otherwise (`--out`).
pub const DEFAULT_OUT: &str = "out";

/// The one checked stage every command goes through: the profile rules (over the whole
/// profile, specs included), the GitOps engine's checks and the bundle's place in the
/// repository, then the plan (taking the specs out of the profile, so a large profile is
/// not held twice) and the Seldon run-time rules over its objects; all problems at once.
/// `out_root` is where the bundle is written, as given relative to the repository root;
/// the GitOps paths follow from it unless the profile sets `gitops.path`.
///
/// Warnings do not stop it (a profile only gets one by an explicit override). The source
/// text is dropped on success: it only serves diagnostics.
///
/// A profile with environments is checked environment by environment with
/// [`crate::fleet::check`]; this checks the profile as written.
pub fn check(loaded: Loaded, out_root: &Utf8Path) -> Result<Checked, Report> {
    check_with(loaded, out_root, None)
}

/// [`check`] with templates a library caller registered (`extra`), rendered with those of
/// the profile's `templates.dir` (a template of the same name replaces the one read).
pub fn check_with(
    loaded: Loaded,
    out_root: &Utf8Path,
    extra: Option<&gen_templates::Templates>,
) -> Result<Checked, Report> {
    let repo = crate::repo::locate(&loaded.profile, out_root);
    check_at(loaded, repo, None, extra).map_err(|f| f.report())
}

/// Check and render a loaded profile, for `out/`. Nothing is rendered unless every check
/// passes. (The profile is copied: [`check`] takes it.)
pub fn render_loaded(loaded: &Loaded) -> Result<Bundle, Report> {
    render_loaded_in(loaded.clone(), Utf8Path::new(DEFAULT_OUT))
}

/// Check and render a loaded profile for a bundle under `out_root`: with environments,
/// the whole fleet ([`crate::fleet`]).
pub fn render_loaded_in(loaded: Loaded, out_root: &Utf8Path) -> Result<Bundle, Report> {
    if loaded.profile.environments.is_empty() {
        render_checked(check(loaded, out_root)?)
    } else {
        Ok(crate::fleet::render(loaded, out_root)?.1)
    }
}

/// The bundle of a checked profile, in memory.
pub fn render_checked(checked: Checked) -> Result<Bundle, Report> {
    assemble(&checked.profile, &checked.plan).map_err(|e| {
        Report::new(
            &checked.file,
            "",
            Failure::Input,
            vec![Diagnostic::new(
                &crate::rules::INTERNAL,
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
    render_loaded_in(load_file(path)?, out_root)
}

/// The checked bundle the profile at `path` renders for `environment`: for a profile with
/// environments, that environment's bundle, as its fleet renders it (every environment
/// checked and collisions refused first); for one without, the profile's own bundle, and
/// no environment may be named.
pub fn checked_environment(
    path: &Utf8Path,
    out_root: &Utf8Path,
    environment: Option<&str>,
) -> Result<Checked, EnvironmentError> {
    let profile = |r: Report| EnvironmentError::Profile(Box::new(r));
    let loaded = load_file(path).map_err(profile)?;
    let environments = &loaded.profile.environments;
    match environment {
        None if environments.is_empty() => check(loaded, out_root).map_err(profile),
        Some(_) if environments.is_empty() => Err(EnvironmentError::NoEnvironments(loaded.file)),
        None => Err(EnvironmentError::Unnamed {
            known: crate::fleet::names(environments),
            file: loaded.file,
        }),
        Some(name) => crate::fleet::checked_apart(loaded, out_root)
            .map_err(profile)?
            .take_environment(name),
    }
}

/// Load and check the profile at `path` (for a profile with environments, `environment`'s
/// bundle), then draw its bundle.
pub fn graph_profile(
    path: &Utf8Path,
    format: crate::graph::GraphFormat,
    environment: Option<&str>,
) -> Result<String, EnvironmentError> {
    let checked = checked_environment(path, Utf8Path::new(DEFAULT_OUT), environment)?;
    Ok(crate::graph::render(
        &checked.profile,
        &checked.plan,
        format,
    ))
}

/// The bundle of the profile at `path` (for a profile with environments, `environment`'s
/// bundle) as one multi-document YAML stream in apply order ([`Bundle::to_stream`]).
pub fn stream_profile(
    path: &Utf8Path,
    out_root: &Utf8Path,
    environment: Option<&str>,
) -> Result<String, EnvironmentError> {
    let checked = checked_environment(path, out_root, environment)?;
    let bundle = render_checked(checked).map_err(|r| EnvironmentError::Profile(Box::new(r)))?;
    Ok(bundle.to_stream())
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
    write_profile_warning(path, out_root, repo_out).map(|(name, changes, _)| (name, changes))
}

/// [`write_profile_in`], also returning the warnings of a successful check (see
/// [`Checked::warnings`]).
pub fn write_profile_warning(
    path: &Utf8Path,
    out_root: &Utf8Path,
    repo_out: &Utf8Path,
) -> Result<(String, crate::write::Changes, Option<Report>), WriteFailure> {
    let bytes = gen_profile::read_file(path).map_err(WriteFailure::Profile)?;
    let loaded =
        gen_profile::parse_owned_bytes(path.as_str(), bytes).map_err(WriteFailure::Profile)?;
    if !loaded.profile.environments.is_empty() {
        return write_fleet(loaded, repo_out, out_root);
    }
    let Checked {
        profile,
        plan,
        warnings,
        ..
    } = check(loaded, repo_out).map_err(WriteFailure::Profile)?;
    let name = profile.name.clone();
    let changes = crate::write::write_stream(out_root, &name, &|_| Ok(()), |sink| {
        crate::bundle::render_files(&profile, &plan, sink)
    })
    .map_err(|error| WriteFailure::Io {
        bundle: name.clone(),
        error,
    })?;
    // Freeing a large plan takes a while (~0.1 s at 100,000 Models) and nobody waits
    // for it: hand it to a thread, which a CLI's exit may simply cut short.
    let _ = std::thread::Builder::new().spawn(move || drop((plan, profile)));
    Ok((name, changes, warnings))
}

/// A profile with environments, checked and its collisions refused as
/// [`crate::fleet::render`] does, then written to `out_root/<name>/` as a single bundle is
/// ([`crate::write::write_stream`]: every file whole or not at all, the previous fleet
/// kept if anything fails, generated files it no longer has pruned, other files kept):
/// the fleet layer, then one environment after the other, each file written as it is
/// rendered and each environment's plan dropped once it is written, so the fleet is
/// never held in memory.
fn write_fleet(
    loaded: Loaded,
    repo_out: &Utf8Path,
    out_root: &Utf8Path,
) -> Result<(String, crate::write::Changes, Option<Report>), WriteFailure> {
    let mut fleet = crate::fleet::checked_apart(loaded, repo_out).map_err(WriteFailure::Profile)?;
    // The environments' warnings as one report, a warning they share once.
    let warnings = fleet
        .environments
        .iter_mut()
        .filter_map(|c| c.warnings.take())
        .reduce(Report::merge);
    let name = fleet.loaded.profile.name.clone();
    let io = |error| WriteFailure::Io {
        bundle: name.clone(),
        error,
    };
    let layer = fleet.layer_files().map_err(io)?;
    let crate::fleet::Fleet {
        loaded,
        environments,
        ..
    } = fleet;
    let changes = crate::write::write_stream(out_root, &name, &|_| Ok(()), |sink| {
        for (path, text) in layer {
            sink(path, text)?;
        }
        for (env, checked) in loaded.profile.environments.iter().zip(environments) {
            crate::fleet::render_environment(&env.name, &checked, sink)?;
            // Freeing a plan takes a while at 10,000 Models; the next environment need
            // not wait for it.
            let _ = std::thread::Builder::new().spawn(move || drop(checked));
        }
        Ok(())
    })
    .map_err(io)?;
    Ok((name, changes, warnings))
}

/// `gen diff`: load, check and render the profile at `path` (which has environments) and
/// compare environment `from` with `to`.
pub fn diff_profile(
    path: &Utf8Path,
    from: &str,
    to: &str,
) -> Result<gen_fleet::Promotion, EnvironmentError> {
    let profile = |r: Report| EnvironmentError::Profile(Box::new(r));
    let loaded = gen_profile::load_file(path).map_err(profile)?;
    if loaded.profile.environments.is_empty() {
        return Err(EnvironmentError::NoEnvironments(loaded.file));
    }
    let (fleet, bundle) =
        crate::fleet::render(loaded, Utf8Path::new(DEFAULT_OUT)).map_err(profile)?;
    fleet.promotion(&bundle, from, to)
}
