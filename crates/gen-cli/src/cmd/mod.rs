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
