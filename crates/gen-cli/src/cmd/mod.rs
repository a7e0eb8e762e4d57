pub mod audit;
pub mod check;
pub mod graph;
pub mod render;
pub mod schema;

use camino::{Utf8Path, Utf8PathBuf};

use crate::args::ProfileArgs;

/// The profile files named by `--profile` or `--all`, in a stable order.
pub fn profiles(args: &ProfileArgs) -> std::io::Result<Vec<Utf8PathBuf>> {
    if let Some(p) = &args.profile {
        return Ok(vec![gen_render::ops::resolve_profile(p, Utf8Path::new(""))]);
    }
    let mut all = Vec::new();
    for entry in Utf8Path::new("profiles").read_dir_utf8()? {
        let path = entry?.path().to_path_buf();
        if matches!(path.extension(), Some("yaml" | "yml")) {
            all.push(path);
        }
    }
    all.sort();
    Ok(all)
}

/// Render every profile named by `args`, printing the report of each that fails; `each`
/// handles a rendered bundle and returns its exit code. The result is the highest code.
pub fn for_each_bundle(
    args: &ProfileArgs,
    mut each: impl FnMut(&Utf8Path, gen_render::Bundle) -> u8,
) -> u8 {
    let paths = match profiles(args) {
        Ok(p) => p,
        Err(e) => {
            crate::output::io_error("cannot list profiles/", &e, args.format);
            return 2;
        }
    };
    let mut code = 0u8;
    for path in paths {
        match gen_render::ops::render_profile_in(&path, &args.out) {
            Ok(bundle) => code = code.max(each(&path, bundle)),
            Err(report) => {
                crate::output::report(&report, args.format);
                code = code.max(report.exit_code() as u8);
            }
        }
    }
    code
}
