//! Where the bundle lives in the GitOps repository: every path an Argo CD Application or
//! Flux Kustomization names starts with the bundle folder's path from the repository root.

use camino::{Utf8Component, Utf8Path};

use gen_diagnostics::Stage;
use gen_profile::{Diagnostic, Engine, Profile, Rule, Severity};

/// The bundle's place in the repository must be one the engines can name.
pub static GITOPS_PATH: Rule = Rule::new(
    Stage::Gitops,
    "gitops-path",
    Severity::Error,
    "the bundle's path in the GitOps repository is known and clean",
    "Argo CD Applications and Flux Kustomizations name the folders they apply by their path \
from the repository root. gen takes that path from gitops.path, or else from --out (the \
bundle folder under it), which then must be a relative path inside the repository without \
`..`; otherwise it cannot tell what the engine objects must name.

Fix: set gitops.path to the bundle folder's path from the repository root, or run gen from \
the repository root with a relative --out.",
);

/// The bundle folder's path from the root of the GitOps repository, `/`-separated, e.g.
/// `out/single-team`: every path an Application or Kustomization names starts with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoDir(String);

impl RepoDir {
    /// The default: `out/<name>`, where `gen render` writes without `--out`.
    pub fn default_for(profile: &Profile) -> Self {
        match &profile.gitops.path {
            Some(p) if check_repo_path(p).is_none() => RepoDir(p.clone()),
            _ => RepoDir(format!("out/{}", profile.name)),
        }
    }

    /// The repository path of `folder` (relative to the bundle).
    pub fn join(&self, folder: &str) -> String {
        format!("{}/{folder}", self.0)
    }

    /// The place of a bundle inside this one: an environment's, `<this>/<env>`.
    pub fn child(&self, folder: &str) -> Self {
        RepoDir(self.join(folder))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the bundle written under `out_root` lives in the repository: `gitops.path` when the
/// profile sets it; else `<out_root>/<name>`, which needs `out_root` to be a relative path
/// inside the repository (gen runs from the repository root). Without a GitOps engine
/// nothing names the path, and any `out_root` is fine.
pub fn locate(profile: &Profile, out_root: &Utf8Path) -> Result<RepoDir, Box<Diagnostic>> {
    if let Some(path) = &profile.gitops.path {
        return match check_repo_path(path) {
            None => Ok(RepoDir(path.clone())),
            Some(reason) => Err(Box::new(Diagnostic::new(
                &GITOPS_PATH,
                "gitops.path",
                format!(
                    "gitops.path \"{path}\" {reason}; Argo CD and Flux read Application and Kustomization paths relative to the repository root"
                ),
                "give the bundle folder's path from the repository root, e.g. deploy/seldon/"
                    .to_string()
                    + &profile.name,
            ))),
        };
    }
    let mut parts = Vec::new();
    let mut clean = true;
    for c in out_root.components() {
        match c {
            Utf8Component::CurDir => {}
            Utf8Component::Normal(s) if check_repo_path(s).is_none() => parts.push(s),
            _ => clean = false,
        }
    }
    parts.push(profile.name.as_str());
    if clean || profile.gitops.engine == Engine::None {
        return Ok(RepoDir(parts.join("/")));
    }
    Err(Box::new(Diagnostic::new(
        &GITOPS_PATH,
        "gitops",
        format!(
            "the bundle is written to --out {out_root}, which is not a relative path inside the repository, so gen cannot tell which path the {} objects must name",
            profile.gitops.engine.as_str()
        ),
        format!(
            "set gitops.path to the bundle folder's path from the repository root (e.g. gitops.path: deploy/{}), or run gen from the repository root with a relative --out",
            profile.name
        ),
    )))
}

/// Why `path` is not a clean relative path, or `None` when it is.
fn check_repo_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.starts_with('/') {
        return Some("is absolute");
    }
    for segment in path.split('/') {
        match segment {
            "" => return Some("has an empty segment (`//` or a trailing `/`)"),
            "." | ".." => return Some("has a `.` or `..` segment"),
            s if !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) =>
            {
                return Some("has characters other than letters, digits, `-`, `_`, `.` and `/`");
            }
            _ => {}
        }
    }
    None
}
