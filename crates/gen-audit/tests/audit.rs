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
        .diagnostics
        .into_iter()
        .map(|f| {
            let at = f.location.expect("every audit finding is located");
            (
                f.severity,
                f.rule.code.to_string(),
                at.file
                    .strip_prefix(&format!("{dir}/"))
                    .unwrap()
                    .to_string(),
                at.line,
                f.object.unwrap_or_default(),
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
    let r = "seldon-system/runtime.yaml";
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
            e(
                "rclone-secret-missing",
                r,
                1,
                "SeldonRuntime seldon-system/seldon"
            ),
            w(
                "tracing-collector",
                r,
                1,
                "SeldonRuntime seldon-system/seldon"
            ),
            e(
                "server-replicas-unpinned",
                r,
                16,
                "Server seldon-system/mlserver"
            ),
        ]
    );
    let report = audit(&[root().join("tests/audit/seed")], Some("seldon-system")).unwrap();
    let missing = report
        .diagnostics
        .iter()
        .find(|f| f.rule.code == "runtime-missing")
        .unwrap();
    assert_eq!(
        missing.message,
        "Model \"price-predictor\" is in namespace \"financial-inference\", which has no SeldonRuntime; the Seldon controller dials seldon-scheduler.financial-inference for it, so it would never become ready"
    );
    assert_eq!(
        missing.help.as_deref(),
        Some(
            "deploy it into a namespace that has a SeldonRuntime, or add a SeldonRuntime to \"financial-inference\""
        )
    );
    assert_eq!(report.exit_status(false).code(), 1);
}

#[test]
fn each_fault_is_found_with_its_location() {
    let a = "team-a.yaml";
    assert_eq!(
        summary("tests/audit/faults", None),
        vec![
            w("hodometer-enabled", a, 1, "SeldonRuntime team-a/seldon"),
            e("rclone-secret-missing", a, 1, "SeldonRuntime team-a/seldon"),
            w("runtime-exposed", a, 1, "SeldonRuntime team-a/seldon"),
            w("runtime-exposed", a, 1, "SeldonRuntime team-a/seldon"),
            w("tracing-collector", a, 1, "SeldonRuntime team-a/seldon"),
            e(
                "rclone-secret-missing",
                a,
                7,
                "SeldonRuntime team-a/seldon-copy"
            ),
            e(
                "runtime-duplicate",
                a,
                7,
                "SeldonRuntime team-a/seldon-copy"
            ),
            w(
                "tracing-collector",
                a,
                7,
                "SeldonRuntime team-a/seldon-copy"
            ),
            w("server-replicas-unbounded", a, 26, "Server team-a/mlserver"),
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
            e("pipelines-without-kafka", a, 79, "Pipeline team-a/chain"),
            e(
                "rclone-secret-missing",
                "team-b.yaml",
                1,
                "SeldonRuntime team-b/seldon"
            ),
            w(
                "runtime-exposed",
                "team-b.yaml",
                1,
                "SeldonRuntime team-b/seldon"
            ),
            w(
                "tracing-collector",
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
            w(
                "server-replicas-unbounded",
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
    assert_eq!((report.errors(), report.warnings()), (11, 9));
}

#[test]
fn warnings_fail_only_with_strict() {
    let report = audit(
        &[root().join("tests/audit/faults/team-b.yaml")],
        Some("seldon-mesh"),
    )
    .unwrap();
    assert_eq!(report.warnings(), 3);
    // server-config-unknown and rclone-secret-missing are errors.
    assert_eq!(report.exit_status(false).code(), 1);
    let seed_runtime = audit(&[root().join("tests/audit/faults/team-a.yaml")], None).unwrap();
    assert!(seed_runtime.warnings() > 0 && seed_runtime.exit_status(true).code() == 1);
}

#[test]
fn committed_bundles_pass() {
    for bundle in [
        "out/single-team",
        "out/multi-tenant",
        "out/tenant-extensions",
    ] {
        let report = audit(&[root().join(bundle)], None).unwrap();
        assert!(report.seldon_objects > 5, "{bundle}");
        assert_eq!(
            report.diagnostics,
            vec![],
            "{bundle}:\n{}",
            report.render(gen_diagnostics::Style::Plain)
        );
        assert_eq!(report.exit_status(true).code(), 0);
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
        report.diagnostics.iter().any(
            |f| f.rule.code == "runtime-missing" && f.object.as_deref() == Some("Model apps/m")
        ),
        "{}",
        report.render(gen_diagnostics::Style::Plain)
    );
}

#[test]
fn runtimes_that_would_not_run_are_found() {
    let (c, d, t) = ("team-c.yaml", "team-d.yaml", "team-e.yaml");
    assert_eq!(
        summary("tests/audit/runtime", None),
        vec![
            e("rclone-secret-missing", c, 4, "SeldonRuntime team-c/seldon"),
            w("tracing-collector", c, 4, "SeldonRuntime team-c/seldon"),
            e("quota-too-small", c, 14, "ResourceQuota team-c/team-c"),
            e("quota-too-small", c, 14, "ResourceQuota team-c/team-c"),
            e("server-requests-over-limits", c, 23, "Server team-c/big"),
            e("server-replicas-unpinned", c, 38, "Server team-c/triton"),
            w("replicas-exceed-server", c, 45, "Model team-c/resnet"),
            e("pipelines-without-kafka", c, 53, "Pipeline team-c/classify"),
            e(
                "rclone-secret-keys",
                d,
                15,
                "Secret team-d/seldon-rclone-gs-public"
            ),
            w("server-replicas-unbounded", d, 23, "Server team-d/mlserver"),
            w("replicas-exceed-server", d, 30, "Model team-d/iris"),
            e("tracing-ratio", t, 3, "SeldonRuntime team-e/seldon"),
        ]
    );
    let report = audit(&[root().join("tests/audit/runtime")], None).unwrap();
    assert_eq!(
        report.controller_namespace, "seldon-system",
        "found from the setup Application"
    );
    // The quota's values are read from the tree, and the parts are the chart's.
    let quota: Vec<(&str, &str)> = report
        .diagnostics
        .iter()
        .filter(|f| f.rule.code == "quota-too-small")
        .map(|f| (f.path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        quota,
        vec![
            (
                "spec.hard.pods",
                "ResourceQuota \"team-c\" in namespace \"team-c\" allows pods 6, but the namespace's SeldonRuntime and Servers need at least 8: seldon-scheduler 1, seldon-pipelinegateway 1, seldon-modelgateway 1, seldon-envoy 1, seldon-dataflow-engine 1, Server big 1, Server triton 2 (no maxReplicas); the quota refuses the pods past it, so they would never start"
            ),
            (
                "spec.hard.requests.memory",
                "ResourceQuota \"team-c\" in namespace \"team-c\" allows requests.memory 16Gi, but the namespace's SeldonRuntime and Servers need at least 19.16Gi: seldon-scheduler 1 × 1Gi, seldon-pipelinegateway 1 × 1G, seldon-modelgateway 1 × 1G, seldon-envoy 1 × 128Mi, seldon-dataflow-engine 1 × 3G, Server big 1 × 9.13Gi, Server triton 2 × 2.13Gi (no maxReplicas); the quota refuses the pods past it, so they would never start"
            ),
        ]
    );
    let keys = report
        .diagnostics
        .iter()
        .find(|f| f.rule.code == "rclone-secret-keys")
        .unwrap();
    assert_eq!(
        keys.message,
        "Secret \"seldon-rclone-gs-public\" in namespace \"team-d\" holds 2 keys, but the Seldon agent reads an rclone config Secret only when it holds exactly one key (one remote), and exits otherwise, so no Server in \"team-d\" would start"
    );
    let text = report.render(gen_diagnostics::Style::Plain);
    assert!(
        text.contains("error[rclone-secret-keys]: Secret \"seldon-rclone-gs-public\"")
            && text.contains("team-d.yaml:15:1\n")
            && text.contains("= note: object: Secret team-d/seldon-rclone-gs-public\n"),
        "{text}"
    );
}

#[test]
fn setup_values_decide_kafka_and_autoscaling() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8PathBuf::from_path_buf(tmp.path().to_path_buf()).unwrap();
    let runtime = "apiVersion: mlops.seldon.io/v1alpha1\nkind: SeldonRuntime\nmetadata: {name: seldon, namespace: t}\nspec:\n  seldonConfig: default\n  overrides:\n  - {name: seldon-scheduler, serviceType: ClusterIP}\n  - {name: seldon-envoy, serviceType: ClusterIP}\n  - {name: hodometer, disable: true}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: seldon-rclone-gs-public, namespace: t}\ndata: {gs: e30=}\n---\napiVersion: mlops.seldon.io/v1alpha1\nkind: Server\nmetadata: {name: mlserver, namespace: t}\nspec: {serverConfig: mlserver, replicas: 1}\n---\napiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {name: a, namespace: t}\nspec: {storageUri: gs://b/a, requirements: [sklearn]}\n---\napiVersion: mlops.seldon.io/v1alpha1\nkind: Pipeline\nmetadata: {name: p, namespace: t}\nspec: {steps: [{name: a}]}\n";
    std::fs::write(dir.join("t.yaml"), runtime).unwrap();
    let rules = |values: &str| {
        let release = format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: setup, namespace: flux-system}}\nspec:\n  targetNamespace: seldon\n  chart: {{spec: {{chart: seldon-core-v2-setup}}}}\n{values}"
        );
        std::fs::write(dir.join("install.yaml"), release).unwrap();
        let mut rules: Vec<String> = audit(std::slice::from_ref(&dir), None)
            .unwrap()
            .diagnostics
            .into_iter()
            .map(|f| f.rule.code.to_string())
            .collect();
        rules.sort();
        rules
    };
    assert_eq!(
        rules(""),
        [
            "pipelines-without-kafka",
            "server-replicas-unpinned",
            "tracing-collector"
        ]
    );
    assert_eq!(
        rules(
            "  values:\n    kafka: {bootstrap: kafka.kafka:9092}\n    autoscaling: {autoscalingServerEnabled: false}\n    opentelemetry: {endpoint: otel.observability:4317}\n"
        ),
        Vec::<String>::new()
    );
    // Values kept elsewhere (valuesFrom) are not known: Kafka is not judged.
    assert_eq!(
        rules("  valuesFrom:\n  - {kind: ConfigMap, name: seldon-values}\n"),
        ["server-replicas-unpinned", "tracing-collector"]
    );
}

#[test]
fn an_external_secret_template_names_its_rclone_remote() {
    // The remote an ExternalSecret's template writes is read like a Secret's key, so a
    // Model of another scheme that names it is found; a Model of its scheme is not.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(
        dir.join("es.yaml"),
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: reader, namespace: apps}\nspec:\n  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n  target:\n    name: reader\n    template:\n      data:\n        s3: '{\"name\":\"s3\",\"type\":\"s3\",\"parameters\":{\"access_key_id\":{{ .id | toJson }}}}'\n  data:\n  - secretKey: id\n    remoteRef: {key: k}\n",
    )
    .unwrap();
    let model = |name: &str, uri: &str| {
        format!(
            "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {{name: {name}, namespace: apps}}\nspec: {{storageUri: \"{uri}\", secretName: reader}}\n"
        )
    };
    std::fs::write(
        dir.join("m.yaml"),
        model("wrong", "gs://b/m") + "---\n" + &model("right", "s3://b/m"),
    )
    .unwrap();
    let report = audit(&[Utf8PathBuf::from_path_buf(dir).unwrap()], Some("seldon")).unwrap();
    let mismatches: Vec<Option<&str>> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "rclone-remote-mismatch")
        .map(|d| d.object.as_deref())
        .collect();
    assert_eq!(
        mismatches,
        vec![Some("Model apps/wrong")],
        "{}",
        report.render(gen_diagnostics::Style::Plain)
    );
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.rule.code == "model-secret-missing"),
        "the ExternalSecret makes the Secret"
    );
}

#[test]
fn a_kafka_user_that_misses_a_tenant_name_is_found() {
    // The committed multi-tenant bundle, with the fraud tenant's user allowed to read only
    // its own gateways' groups: its dataflow engine's groups are left out.
    let tmp = tempfile::tempdir().unwrap();
    let dir = Utf8PathBuf::from_path_buf(tmp.path().to_path_buf()).unwrap();
    let from = root().join("out/multi-tenant");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&from).unwrap();
        let to = dir.join(Utf8PathBuf::from_path_buf(rel.to_path_buf()).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let user = dir.join("platform/kafkauser-seldon-fraud-inference.yaml");
    let text = std::fs::read_to_string(&user).unwrap();
    let narrowed = text.replace(
        "name: tenancy-fraud-inference-seldon-dataflow-\n        patternType: prefix\n      operations:\n      - Describe\n      - Read",
        "name: tenancy-fraud-inference-seldon-dataflow-\n        patternType: prefix\n      operations:\n      - Describe",
    );
    assert_ne!(text, narrowed);
    std::fs::write(&user, narrowed).unwrap();
    let report = audit(&[dir], None).unwrap();
    let found: Vec<(&str, Option<&str>, &str)> = report
        .diagnostics
        .iter()
        .map(|d| (d.rule.code, d.object.as_deref(), d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![(
            "kafka-user-acls",
            Some("KafkaUser kafka/seldon-fraud-inference"),
            "the Seldon Kafka clients of namespace \"fraud-inference\" run as KafkaUser \"seldon-fraud-inference\" (kafka), whose ACLs do not allow Read on groups tenancy-fraud-inference-seldon-dataflow-*"
        )]
    );
}
