//! Bad profiles → the exact diagnostics: code, profile path, line:column and message.
//! One case per profile-level rule, plus the Seldon rules as they surface in a profile.

mod common;

use common::DEDICATED;
use gen_profile::{Failure, Report};
use gen_render::ops::render_loaded;

const BASE: &str = "\
name: t
pattern: shared
platform:
  namespace: seldon-system
  servers:
    - name: mlserver
      serverConfig: mlserver
applications:
  - name: app
    models:
      - name: iris
        storageUri: gs://b/iris
        requirements: [sklearn]
";

fn run(text: &str) -> Report {
    let report = match gen_profile::parse("p.yaml", text) {
        Err(report) => report,
        Ok(loaded) => match render_loaded(&loaded) {
            Ok(_) => panic!("expected a failure for:\n{text}"),
            Err(report) => report,
        },
    };
    schema_agrees(text, &report);
    report
}

/// Rules that JSON Schema cannot express: they compare values, look names up in other
/// entries, need unique keys across list items, or compute over several objects.
/// `tests/schema/table.rs` records the reason case by case.
const SCHEMA_CANNOT_SAY: &[&str] = &[
    "tenant-missing",
    "tenant-namespace",
    "tenant-isolation",
    "duplicate-name",
    "server-config-unknown",
    "requirements-unsatisfied",
    "memory-too-large",
    "replica-bounds",
    "replicas-exceed-server",
    "server-missing",
    "reference-missing",
    "pipeline-step-unknown",
    "pipeline-step-name",
    "pipeline-step-duplicate",
    "pipeline-reference",
    "pipeline-cycle",
    "experiment-default",
    "experiment-candidate-missing",
    "experiment-candidate-duplicate",
    "experiment-mirror",
    "runtime-missing",
    "runtime-duplicate",
];

/// A profile gen rejects fails the editors' JSON Schema too, unless every reason gen
/// gives is one JSON Schema cannot express (or the text is no YAML document).
fn schema_agrees(text: &str, report: &Report) {
    let Ok(document) = serde_saphyr::from_str::<serde_json::Value>(text) else {
        return;
    };
    let validator = jsonschema::validator_for(gen_profile::schema::profile_schema_value()).unwrap();
    if validator.is_valid(&document) {
        let expressible: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.code())
            .filter(|c| !SCHEMA_CANNOT_SAY.contains(c))
            .collect();
        assert!(
            expressible.is_empty(),
            "the JSON Schema accepts a profile gen rejects with {expressible:?}: tighten the schema (gen-profile schema.rs), or add the code to SCHEMA_CANNOT_SAY with the reason in tests/schema/table.rs\n{text}"
        );
    }
}

/// (code, path, line, column, message) of each diagnostic.
fn summary(report: &Report) -> Vec<(String, String, u64, u64, String)> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code().to_string(),
                d.path.clone(),
                d.line(),
                d.column(),
                d.message.clone(),
            )
        })
        .collect()
}

fn expect_one(text: &str, failure: Failure, code: &str, path: &str, at: (u64, u64), message: &str) {
    let report = run(text);
    assert_eq!(
        report.failure,
        failure,
        "{}",
        report.render(gen_profile::Style::Plain)
    );
    assert_eq!(
        summary(&report),
        vec![(
            code.to_string(),
            path.to_string(),
            at.0,
            at.1,
            message.to_string()
        )],
        "{}",
        report.render(gen_profile::Style::Plain)
    );
    assert!(
        report.diagnostics[0].help.is_some(),
        "every diagnostic carries a fix"
    );
}

#[test]
fn base_profile_renders() {
    let loaded = gen_profile::parse("p.yaml", BASE).unwrap();
    assert!(render_loaded(&loaded).is_ok());
}

#[test]
fn application_namespace_is_refused_with_the_reason() {
    let text = BASE.replace(
        "  - name: app\n",
        "  - name: app\n    namespace: financial-inference\n",
    );
    expect_one(
        &text,
        Failure::Check,
        "application-namespace",
        "applications[0].namespace",
        (10, 16),
        "application \"app\" sets namespace \"financial-inference\", but applications have no namespace of their own: the Seldon controller dials seldon-scheduler.<namespace of the Model>, and the only SeldonRuntime is in platform.namespace \"seldon-system\", so Models in \"financial-inference\" would never become ready (this is the \"models in an app namespace, scheduler elsewhere\" layout that does not work)",
    );
    let report = run(&text);
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some(
            "remove `namespace` to deploy the application into its runtime's namespace (seldon-system), or use pattern: dedicated with a tenant whose namespace is \"financial-inference\" and set `tenant:` on the application"
        )
    );
}

#[test]
fn invalid_names() {
    expect_one(
        &BASE.replace("name: t\n", "name: ../etc\n"),
        Failure::Check,
        "invalid-name",
        "name",
        (1, 7),
        "profile name \"../etc\" is not a valid Kubernetes name: it contains '.'; only lowercase letters, digits and '-' are allowed",
    );
    expect_one(
        &BASE.replace("namespace: seldon-system", "namespace: Seldon"),
        Failure::Check,
        "invalid-name",
        "platform.namespace",
        (4, 14),
        "namespace \"Seldon\" is not a valid Kubernetes name: it contains 'S'; only lowercase letters, digits and '-' are allowed",
    );
    expect_one(
        &BASE.replace("- name: iris", "- name: Iris"),
        Failure::Check,
        "invalid-name",
        "applications[0].models[0].name",
        (11, 15),
        "Model name \"Iris\" is not a valid Kubernetes name: it contains 'I'; only lowercase letters, digits and '-' are allowed",
    );
}

#[test]
fn pattern_rules() {
    let tenants = "tenants:\n  - name: a\n    namespace: a-ns\n";
    expect_one(
        &format!("{BASE}{tenants}"),
        Failure::Check,
        "pattern-mismatch",
        "tenants",
        (14, 1),
        "tenants are for pattern dedicated; pattern shared deploys every application into platform.namespace",
    );
    expect_one(
        &BASE.replace("  - name: app\n", "  - name: app\n    tenant: a\n"),
        Failure::Check,
        "pattern-mismatch",
        "applications[0].tenant",
        (10, 13),
        "application \"app\" names a tenant, but pattern shared has no tenants",
    );
    let dedicated = BASE.replace("pattern: shared", "pattern: dedicated");
    let report = run(&dedicated);
    let codes: Vec<(String, String)> = report
        .diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.path.clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("pattern-mismatch".to_string(), "tenants".to_string()),
            (
                "pattern-mismatch".to_string(),
                "platform.servers".to_string()
            ),
            (
                "tenant-missing".to_string(),
                "applications[0].name".to_string()
            ),
        ],
        "{}",
        report.render(gen_profile::Style::Plain)
    );
    assert_eq!(
        report.diagnostics[0].message,
        "pattern dedicated needs at least one tenant"
    );
    assert_eq!(
        report.diagnostics[1].message,
        "platform.servers is for pattern shared; in pattern dedicated Servers belong to a tenant, since a Server only serves models of its own namespace"
    );
}

#[test]
fn dedicated_rules() {
    assert!(render_loaded(&gen_profile::parse("p.yaml", DEDICATED).unwrap()).is_ok());
    expect_one(
        &DEDICATED.replace("tenant: a", "tenant: b"),
        Failure::Check,
        "tenant-missing",
        "applications[0].tenant",
        (13, 13),
        "application \"app\" names tenant \"b\", which is not defined",
    );
    expect_one(
        &DEDICATED.replace("namespace: a-ns", "namespace: seldon-system"),
        Failure::Check,
        "tenant-namespace",
        "tenants[0].namespace",
        (7, 16),
        "tenant \"a\" uses the controller namespace \"seldon-system\"; tenants get namespaces of their own",
    );
    expect_one(
        &DEDICATED.replace(
            "platform:\n  namespace: seldon-system\n",
            "platform:\n  namespace: seldon-system\n  runtime: {}\n",
        ),
        Failure::Check,
        "pattern-mismatch",
        "platform.runtime",
        (5, 12),
        "platform.runtime is for pattern shared; in pattern dedicated each tenant has its own SeldonRuntime",
    );
    expect_one(
        &DEDICATED.replace(
            "    namespace: a-ns\n",
            "    namespace: a-ns\n    quota: {cpu: lots}\n",
        ),
        Failure::Check,
        "quota-invalid",
        "tenants[0].quota.cpu",
        (8, 18),
        "\"lots\" is not a Kubernetes quantity (a number with an optional suffix such as Ki, Mi, Gi, m, k, M, G)",
    );
    expect_one(
        &DEDICATED.replace(
            "serverConfig: mlserver",
            "serverConfig: mlserver\n        memory: big",
        ),
        Failure::Check,
        "memory-invalid",
        "tenants[0].servers[0].memory",
        (11, 17),
        "\"big\" is not a Kubernetes quantity (a number with an optional suffix such as Ki, Mi, Gi, m, k, M, G)",
    );
    let two = DEDICATED.replace(
        "applications:",
        "  - name: a\n    namespace: a-ns\napplications:",
    );
    let report = run(&two);
    let messages: Vec<String> = summary(&report).into_iter().map(|d| d.4).collect();
    assert!(
        messages.contains(&"tenant \"a\" is defined twice (first at tenants[0].name)".to_string()),
        "{messages:#?}"
    );
    assert!(
        messages.contains(
            &"tenant namespace \"a-ns\" is defined twice (first at tenants[0].namespace)"
                .to_string()
        ),
        "{messages:#?}"
    );
}

#[test]
fn owners_and_gitops() {
    expect_one(
        &BASE.replace("  - name: app\n", "  - name: app\n    owners: [team-a]\n"),
        Failure::Check,
        "invalid-owner",
        "applications[0].owners[0]",
        (10, 14),
        "owner \"team-a\" is not group:NAME or user:NAME",
    );
    expect_one(
        &format!("{BASE}gitops:\n  engine: flux\n"),
        Failure::Check,
        "gitops-repo",
        "gitops.engine",
        (15, 11),
        "gitops.engine flux needs gitops.repoURL, the repository that holds this bundle",
    );
    expect_one(
        &BASE.replace(
            "pattern: shared\n",
            "pattern: shared\nseldon:\n  version: 2.8.0\n",
        ),
        Failure::Check,
        "seldon-version",
        "seldon.version",
        (4, 12),
        "Seldon version \"2.8.0\" is not supported; this gen renders and checks against Seldon Core v2 2.10.2",
    );
}

#[test]
fn server_configs() {
    expect_one(
        &BASE.replace("serverConfig: mlserver", "serverConfig: gpu"),
        Failure::Check,
        "server-config-unknown",
        "platform.servers[0].serverConfig",
        (7, 21),
        "ServerConfig \"gpu\" does not exist in the controller namespace \"seldon-system\"; the controller reads a Server's ServerConfig from its own namespace, never the Server's",
    );
    // Declared configs are known, with their capabilities.
    let declared = BASE
        .replace("serverConfig: mlserver", "serverConfig: gpu")
        .replace(
            "  servers:",
            "  serverConfigs:\n    - {name: gpu, capabilities: [sklearn], memory: 8Gi}\n  servers:",
        );
    assert!(render_loaded(&gen_profile::parse("p.yaml", &declared).unwrap()).is_ok());
    expect_one(
        &BASE.replace(
            "  servers:",
            "  serverConfigs:\n    - {name: triton, capabilities: [x], memory: 1Gi}\n  servers:",
        ),
        Failure::Check,
        "server-config-builtin",
        "platform.serverConfigs[0].name",
        (6, 14),
        "ServerConfig \"triton\" is installed by the Seldon setup chart already",
    );
}

#[test]
fn seldon_rules_point_into_the_profile() {
    expect_one(
        &BASE.replace("[sklearn]", "[onnx]"),
        Failure::Check,
        "requirements-unsatisfied",
        "applications[0].models[0].requirements",
        (13, 23),
        "Model \"iris\" requires [onnx], but no Server in namespace \"seldon-system\" offers all of them (mlserver lacks onnx)",
    );
    expect_one(
        &BASE.replace("gs://b/iris", "gs://key:secret@b/iris"),
        Failure::Check,
        "storage-credentials",
        "applications[0].models[0].storageUri",
        (12, 21),
        "Model \"iris\": storageUri carries inline credentials (user information before '@'); they would be committed to git in the rendered bundle",
    );
    let server_memory = BASE.replace(
        "      serverConfig: mlserver\n",
        "      serverConfig: mlserver\n      memory: 4Gi\n",
    );
    let big = server_memory.replace("[sklearn]\n", "[sklearn]\n        memory: 3Gi\n");
    assert!(
        render_loaded(&gen_profile::parse("p.yaml", &big).unwrap()).is_ok(),
        "server memory raises capacity"
    );
    expect_one(
        &BASE.replace("[sklearn]\n", "[sklearn]\n        memory: 3Gi\n"),
        Failure::Check,
        "memory-too-large",
        "applications[0].models[0].memory",
        (14, 17),
        "Model \"iris\" needs 3.22 GB of memory, but the largest capable server replica (mlserver) holds 1.18 GB (mlserver request 1Gi + 10% overcommit)",
    );
}

#[test]
fn all_problems_are_reported_at_once_in_source_order() {
    let text = BASE
        .replace("name: t\n", "name: T\n")
        .replace("[sklearn]", "[onnx]")
        .replace("  - name: app\n", "  - name: app\n    namespace: x\n");
    let report = run(&text);
    let got: Vec<(String, u64)> = report
        .diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.line()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("invalid-name".to_string(), 1),
            ("application-namespace".to_string(), 10),
            ("requirements-unsatisfied".to_string(), 14),
        ]
    );
    assert_eq!(report.exit_status().code(), 1);
}

#[test]
fn input_errors_exit_2_with_location() {
    expect_one(
        &BASE.replace("pattern:", "patern:"),
        Failure::Input,
        "unknown-key",
        "patern",
        (2, 1),
        "unknown key `patern` at the top level",
    );
    let report = run(&BASE
        .replace("storageUri:", "storageURI:")
        .replace("pattern:", "patern:"));
    assert_eq!(report.diagnostics.len(), 2, "all unknown keys at once");
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some("did you mean `pattern`?")
    );
    assert_eq!(
        report.diagnostics[1].message,
        "unknown key `storageURI` in applications[0].models[0]"
    );
    assert_eq!(
        report.diagnostics[1].help.as_deref(),
        Some("did you mean `storageUri`?")
    );
    assert_eq!(report.exit_status().code(), 2);

    expect_one(
        "",
        Failure::Input,
        "empty",
        "",
        (0, 0),
        "the profile is empty",
    );
    expect_one(
        "- a\n- b\n",
        Failure::Input,
        "not-a-mapping",
        "",
        (1, 1),
        "the profile must be a mapping of keys (name, pattern, platform, …), but it is a list",
    );
    let report = run(&BASE.replace("pattern: shared", "pattern: sharded"));
    assert_eq!(
        (
            report.failure,
            report.diagnostics[0].code(),
            report.diagnostics[0].line()
        ),
        (Failure::Input, "invalid-value", 2)
    );
    let report = run("name: a\nname: b\n");
    assert_eq!(
        (report.failure, report.diagnostics[0].line()),
        (Failure::Input, 2),
        "{}",
        report.render(gen_profile::Style::Plain)
    );
    let report = gen_profile::parse_bytes("p.yaml", b"name: \xff\n").unwrap_err();
    assert_eq!(
        (
            report.diagnostics[0].code(),
            report.diagnostics[0].line(),
            report.diagnostics[0].column()
        ),
        ("encoding", 1, 7)
    );
}

#[test]
fn rendered_report_shows_the_line_and_a_caret() {
    let report = run(&BASE.replace("[sklearn]", "[onnx]"));
    let text = report.render(gen_profile::Style::Plain);
    assert!(
        text.starts_with("error[requirements-unsatisfied]: Model \"iris\" requires [onnx], but no Server in namespace \"seldon-system\" offers all of them (mlserver lacks onnx)\n  --> p.yaml:13:23\n"),
        "{text}"
    );
    assert!(
        text.contains("13 |         requirements: [onnx]\n   |                       ^^^^^^ applications[0].models[0].requirements\n"),
        "{text}"
    );
    assert!(
        text.ends_with("profile check failed: 1 error in p.yaml\n"),
        "{text}"
    );
    // Colour only when asked for.
    assert!(!text.contains('\x1b'));
    assert!(report.render(gen_profile::Style::Colour).contains('\x1b'));
}
