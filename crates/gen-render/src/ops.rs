//! What the `gen` commands do, as library calls: no terminal I/O here.

use camino::{Utf8Path, Utf8PathBuf};

use gen_profile::{Diagnostic, Failure, Loaded, Profile, Report, load_file};
use gen_seldon::rules;

use crate::bundle::{Bundle, assemble};
use crate::plan::Plan;
use crate::repo::RepoDir;

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

/// A profile that passed every check, with the plan of its bundle. The application
/// specs have moved from the profile into the plan's objects: read them there.
#[derive(Debug)]
pub struct Checked {
    pub profile: Profile,
    pub plan: Plan,
    /// The file the profile was read from, as the caller named it.
    pub file: String,
}

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
    let repo = crate::repo::locate(&loaded.profile, out_root);
    check_at(loaded, repo, &[]).map_err(|(loaded, diagnostics)| loaded.report(diagnostics))
}

/// [`check`] for a bundle at `repo` (or the problem with its place), whose engine folders
/// are rendered for each of `clusters` (none: a bundle without environments). On failure,
/// the profile back with every problem found.
pub(crate) fn check_at(
    mut loaded: Loaded,
    repo: Result<RepoDir, Box<Diagnostic>>,
    clusters: &[gen_profile::Cluster],
) -> Result<Checked, (Loaded, Vec<Diagnostic>)> {
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
        return Err((loaded, diagnostics));
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
    Ok(Checked {
        profile: loaded.profile,
        plan,
        file: loaded.file,
    })
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

/// Load and check the profile at `path`, then draw its bundle.
pub fn graph_profile(path: &Utf8Path, format: crate::graph::GraphFormat) -> Result<String, Report> {
    let checked = check(load_file(path)?, Utf8Path::new(DEFAULT_OUT))?;
    Ok(crate::graph::render(
        &checked.profile,
        &checked.plan,
        format,
    ))
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
    let loaded =
        gen_profile::parse_owned_bytes(path.as_str(), bytes).map_err(WriteFailure::Profile)?;
    if !loaded.profile.environments.is_empty() {
        let (_, bundle) = crate::fleet::render(loaded, repo_out).map_err(WriteFailure::Profile)?;
        let name = bundle.name.clone();
        let changes = crate::write::write_stream(out_root, &name, &|_| Ok(()), |sink| {
            bundle
                .files
                .into_iter()
                .try_for_each(|(path, text)| sink(path, text))
        })
        .map_err(|error| WriteFailure::Io {
            bundle: name.clone(),
            error,
        })?;
        return Ok((name, changes));
    }
    let Checked { profile, plan, .. } = check(loaded, repo_out).map_err(WriteFailure::Profile)?;
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
    Ok((name, changes))
}
