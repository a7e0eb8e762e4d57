pub mod audit;
pub mod check;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod graph;
pub mod init;
pub mod render;
pub mod schema;

use gen_profile::ExitStatus;
use std::collections::BTreeSet;

use camino::{Utf8Path, Utf8PathBuf};

use crate::args::{Format, ProfileArgs};

/// The profiles a command works on, and what `--all` found wrong with the set.
pub struct Selection {
    /// Profile files to render, in a stable order.
    pub paths: Vec<Utf8PathBuf>,
    /// With `--all`: every name a profile declares (`None` if a profile's name cannot be
    /// read, so no folder can be called orphaned).
    pub names: Option<BTreeSet<String>>,
    /// The exit code so far (1 when profiles share a name).
    pub code: ExitStatus,
}

/// The profile files named by `--profile` or `--all`. With `--all`, profiles that declare
/// the same `name:` are reported (naming every one) and left out: they would overwrite
/// each other's `out/<name>/`.
pub fn select(args: &ProfileArgs) -> Result<Selection, ExitStatus> {
    if let Some(p) = &args.profile {
        return Ok(Selection {
            paths: vec![gen_render::ops::resolve_profile(p, Utf8Path::new(""))],
            names: None,
            code: ExitStatus::Ok,
        });
    }
    let all = match gen_render::profiles::list(Utf8Path::new("profiles")) {
        Ok(p) => p,
        Err(e) => {
            crate::output::io_error("cannot list profiles/", &e, args.format);
            return Err(ExitStatus::UsageOrInput);
        }
    };
    let declared: Vec<(Utf8PathBuf, Option<String>)> = all
        .iter()
        .map(|p| (p.clone(), gen_render::profiles::declared_name(p)))
        .collect();
    let shared = gen_render::profiles::same_names(
        declared
            .iter()
            .filter_map(|(p, n)| Some((p.as_path(), n.as_deref()?))),
    );
    let mut code = ExitStatus::Ok;
    let mut skip: BTreeSet<&Utf8Path> = BTreeSet::new();
    for (name, paths) in &shared {
        let list: Vec<&str> = paths.iter().map(|p| p.as_str()).collect();
        let message = format!(
            "profiles {} declare the same name {name:?}, so they would render into the same {}/{name}/ and overwrite each other; none of them is rendered",
            list.join(", "),
            args.out
        );
        match args.format {
            Format::Text => errln!(
                "error[duplicate-profile-name]: {message}\n  = help: give each profile its own `name:`"
            ),
            Format::Json => outln!(
                "{}",
                serde_json::json!({"error": message, "code": "duplicate-profile-name", "profiles": list, "bundle": name})
            ),
        }
        skip.extend(paths.iter().copied());
        code = ExitStatus::CheckFailed;
    }
    let names = declared
        .iter()
        .map(|(_, n)| n.clone())
        .collect::<Option<BTreeSet<String>>>();
    let mut paths: Vec<Utf8PathBuf> = all
        .iter()
        .filter(|p| !skip.contains(p.as_path()))
        .cloned()
        .collect();
    // Two profiles' fleets on one cluster would install Seldon there twice: the later
    // profile is reported (naming both) and not rendered.
    let collided = gen_render::fleet::across(&paths, &args.out);
    for (_, report) in &collided {
        crate::output::report(report, args.format);
        code = code.max(report.exit_status());
    }
    paths.retain(|p| !collided.iter().any(|(c, _)| c == p));
    Ok(Selection { paths, names, code })
}

/// Render every selected profile, printing the report of each that fails; `each`
/// handles a rendered bundle (with the profile path as the user named it) and returns its
/// exit code. The result is the highest code.
pub fn for_each_bundle(
    args: &ProfileArgs,
    selection: &Selection,
    mut each: impl FnMut(&Utf8Path, gen_render::Bundle) -> ExitStatus,
) -> ExitStatus {
    let mut code = selection.code;
    for path in &selection.paths {
        match gen_render::ops::render_profile_in(path, &args.out) {
            Ok(bundle) => code = code.max(each(path, bundle)),
            Err(report) => {
                crate::output::report(&report, args.format);
                code = code.max(report.exit_status());
            }
        }
    }
    code
}
