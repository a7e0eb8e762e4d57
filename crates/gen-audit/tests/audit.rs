//! `gen audit` finds each fault in the fixture trees (tests/audit/), with file and line,
//! and passes every committed bundle.

use camino::Utf8PathBuf;
use gen_audit::audit;
use gen_seldon::rules::Severity;

fn root() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize_utf8()
        .unwrap()
}

/// (severity, rule, file relative to the tree, line, object) of each finding.
fn summary(tree: &str, controller: Option<&str>) -> Vec<(Severity, String, String, u64, String)> {
    let dir = root().join(tree);
    let report = audit(std::slice::from_ref(&dir), controller).unwrap();
    report
        .findings
        .into_iter()
        .map(|f| {
            (
                f.severity,
                f.rule,
                f.file.strip_prefix(&format!("{dir}/")).unwrap().to_string(),
                f.line,
                f.object,
            )
        })
        .collect()
}

fn e(rule: &str, file: &str, line: u64, object: &str) -> (Severity, String, String, u64, String) {
    (
        Severity::Error,
        rule.to_string(),
        file.to_string(),
        line,
        object.to_string(),
    )
}

fn w(rule: &str, file: &str, line: u64, object: &str) -> (Severity, String, String, u64, String) {
    (
        Severity::Warning,
        rule.to_string(),
        file.to_string(),
        line,
        object.to_string(),
    )
}

#[test]
fn the_seed_layout_is_found() {
    let m = "financial-inference/models.yaml";
    assert_eq!(
        summary("tests/audit/seed", Some("seldon-system")),
        vec![
            e(
                "requirements-unsatisfied",
                m,
                1,
                "Model financial-inference/price-predictor"
            ),
            e(
                "runtime-missing",
                m,
                1,
                "Model financial-inference/price-predictor"
            ),
            e(
                "requirements-unsatisfied",
                m,
                12,
                "Model financial-inference/price-predictor-v2"
            ),
            e(
                "runtime-missing",
                m,
                12,
                "Model financial-inference/price-predictor-v2"
            ),
            e(
                "runtime-missing",
                m,
                22,
                "Experiment financial-inference/price-ab"
            ),
        ]
    );
    let report = audit(&[root().join("tests/audit/seed")], Some("seldon-system")).unwrap();
    let missing = report
        .findings
        .iter()
        .find(|f| f.rule == "runtime-missing")
        .unwrap();
    assert_eq!(
        missing.message,
        "Model \"price-predictor\" is in namespace \"financial-inference\", which has no SeldonRuntime; the Seldon controller dials seldon-scheduler.financial-inference for it, so it would never become ready"
    );
    assert_eq!(
        missing.help,
        "deploy it into a namespace that has a SeldonRuntime, or add a SeldonRuntime to \"financial-inference\""
    );
    assert_eq!(report.exit_code(false), 1);
}

#[test]
fn each_fault_is_found_with_its_location() {
    let a = "team-a.yaml";
    assert_eq!(
        summary("tests/audit/faults", None),
        vec![
            w("hodometer-enabled", a, 1, "SeldonRuntime team-a/seldon"),
            w("runtime-exposed", a, 1, "SeldonRuntime team-a/seldon"),
            w("runtime-exposed", a, 1, "SeldonRuntime team-a/seldon"),
            e(
                "runtime-duplicate",
                a,
                7,
                "SeldonRuntime team-a/seldon-copy"
            ),
            e("requirements-unsatisfied", a, 32, "Model team-a/resnet"),
            e("memory-too-large", a, 39, "Model team-a/huge"),
            e(
                "experiment-default",
                a,
                61,
                "Experiment team-a/wrong-default"
            ),
            e(
                "experiment-mirror",
                a,
                70,
                "Experiment team-a/mirror-candidate"
            ),
            e("pipeline-step-unknown", a, 79, "Pipeline team-a/chain"),
            w(
                "runtime-exposed",
                "team-b.yaml",
                1,
                "SeldonRuntime team-b/seldon"
            ),
            e(
                "server-config-unknown",
                "team-b.yaml",
                12,
                "Server team-b/gpu"
            ),
        ]
    );
    let report = audit(&[root().join("tests/audit/faults")], None).unwrap();
    assert_eq!(
        report.controller_namespace, "seldon-mesh",
        "found from the setup HelmRelease"
    );
    let notes: Vec<&str> = report.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("skipped: not valid YAML")),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"skipped 1 document(s) without apiVersion and kind (not Kubernetes YAML)"),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains(
            "ServerConfig \"mlserver-gpu\" is in namespace \"team-b\", not the controller namespace"
        )),
        "{notes:?}"
    );
    assert_eq!((report.errors(), report.warnings()), (7, 4));
}

#[test]
fn warnings_fail_only_with_strict() {
    let report = audit(
        &[root().join("tests/audit/faults/team-b.yaml")],
        Some("seldon-mesh"),
    )
    .unwrap();
    assert_eq!(report.warnings(), 1);
    // server-config-unknown is an error; without it only the warning would remain.
    assert_eq!(report.exit_code(false), 1);
    let seed_runtime = audit(&[root().join("tests/audit/faults/team-a.yaml")], None).unwrap();
    assert!(seed_runtime.warnings() > 0 && seed_runtime.exit_code(true) == 1);
}

#[test]
fn committed_bundles_pass() {
    for bundle in ["out/single-team", "out/multi-tenant"] {
        let report = audit(&[root().join(bundle)], None).unwrap();
        assert!(report.seldon_objects > 5, "{bundle}");
        assert_eq!(report.findings, vec![], "{bundle}:\n{}", report.render());
        assert_eq!(report.exit_code(true), 0);
    }
}

#[test]
fn objects_without_namespace_inherit_the_kustomization_namespace() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "namespace: apps\nresources: [m.yaml]\n",
    )
    .unwrap();
    std::fs::write(dir.join("m.yaml"), "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {name: m}\nspec: {storageUri: gs://b/m}\n").unwrap();
    let report = audit(&[Utf8PathBuf::from_path_buf(dir).unwrap()], Some("seldon")).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "runtime-missing" && f.object == "Model apps/m"),
        "{}",
        report.render()
    );
}
