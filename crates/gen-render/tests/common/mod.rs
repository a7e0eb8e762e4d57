#![allow(dead_code)]

use camino::Utf8PathBuf;

/// The repository root.
pub fn root() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize_utf8()
        .unwrap()
}

/// The example profiles committed under profiles/, with their bundles under out/.
pub const EXAMPLES: &[&str] = &["single-team", "multi-tenant", "tenant-extensions"];

/// Test-only profiles under tests/profiles/ (the other engine for each pattern).
pub const TEST_PROFILES: &[&str] = &["shared-flux", "dedicated-argocd"];

/// The file to parse a profile text as: the path a label starts with (`<path> edit`), so
/// that paths in the profile (`templates.dir`) resolve as for the file itself; else `p.yaml`.
pub fn file_of(label: &str) -> &str {
    label
        .split_whitespace()
        .next()
        .filter(|f| f.ends_with(".yaml"))
        .unwrap_or("p.yaml")
}
/// The profiles with environments: the example (Argo CD) and a Flux one.
pub static FLEETS: std::sync::LazyLock<[Utf8PathBuf; 2]> =
    std::sync::LazyLock::new(|| [example("fleet"), test_profile("fleet-flux")]);

pub fn example(name: &str) -> Utf8PathBuf {
    root().join("profiles").join(format!("{name}.yaml"))
}

pub fn test_profile(name: &str) -> Utf8PathBuf {
    root().join("tests/profiles").join(format!("{name}.yaml"))
}

/// Every YAML object of a bundle (kustomizations left out) as JSON, by path.
pub fn objects(bundle: &gen_render::Bundle) -> Vec<(String, serde_json::Value)> {
    bundle
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .map(|(p, t)| {
            (
                p.clone(),
                serde_saphyr::from_str::<serde_json::Value>(t).unwrap(),
            )
        })
        .collect()
}

/// The smallest profile of pattern dedicated that renders: one tenant with one Server, one
/// application with one Model.
pub const DEDICATED: &str = "\
name: t
pattern: dedicated
platform:
  namespace: seldon-system
tenants:
  - name: a
    namespace: a-ns
    servers:
      - name: mlserver
        serverConfig: mlserver
applications:
  - name: app
    tenant: a
    models:
      - name: iris
        storageUri: gs://b/iris
        requirements: [sklearn]
";

/// The bundle of a profile given as text.
pub fn render_text(text: &str) -> Result<gen_render::Bundle, gen_profile::Report> {
    gen_render::ops::render_loaded(&gen_profile::parse("p.yaml", text)?)
}

/// (code, path, message) of each diagnostic of a profile that must fail; every one
/// carries a fix.
pub fn problems(text: &str) -> Vec<(String, String, String)> {
    let report = render_text(text)
        .err()
        .unwrap_or_else(|| panic!("expected a failure:\n{text}"));
    assert!(report.diagnostics.iter().all(|d| d.help.is_some()));
    report
        .diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.path.clone(), d.message.clone()))
        .collect()
}
