//! One test per Seldon rule, each asserting the exact message, field and origin.

use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, upstream_server_configs};
use gen_seldon::kinds::*;
use gen_seldon::rules::{Finding, Located, OwnedInventory as Inventory, Severity};

fn check(inv: &Inventory) -> Vec<Finding> {
    gen_seldon::rules::check(&inv.view())
}
use gen_seldon::{Metadata, Quantity};

const NS: &str = "team";

fn meta(name: &str) -> Metadata {
    Metadata::namespaced(name, NS)
}

fn model(name: &str, requirements: &[&str]) -> ModelSpec {
    ModelSpec {
        storage_uri: format!("gs://models/{name}"),
        requirements: requirements.iter().map(|r| r.to_string()).collect(),
        ..ModelSpec::default()
    }
}

fn server(config: &str) -> ServerSpec {
    ServerSpec {
        server_config: config.to_string(),
        replicas: Some(1),
        ..ServerSpec::default()
    }
}

fn secure_overrides() -> Vec<ComponentOverride> {
    vec![
        ComponentOverride {
            name: Component::Scheduler,
            disable: None,
            replicas: None,
            service_type: Some(ServiceType::ClusterIP),
        },
        ComponentOverride {
            name: Component::Envoy,
            disable: None,
            replicas: None,
            service_type: Some(ServiceType::ClusterIP),
        },
        ComponentOverride {
            name: Component::Hodometer,
            disable: Some(true),
            replicas: None,
            service_type: None,
        },
    ]
}

/// A namespace with a runtime and one mlserver Server.
fn base() -> Inventory {
    Inventory {
        controller_namespace: "seldon-system".into(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.into()],
        server_configs: upstream_server_configs(),
        runtimes: vec![Located::new(
            SeldonRuntime::new(
                meta("seldon"),
                SeldonRuntimeSpec {
                    seldon_config: "default".into(),
                    overrides: secure_overrides(),
                    ..SeldonRuntimeSpec::default()
                },
            ),
            "runtime",
        )],
        servers: vec![Located::new(
            Server::new(meta("mlserver"), server("mlserver")),
            "servers[0]",
        )],
        ..Inventory::default()
    }
}

fn add_model(inv: &mut Inventory, name: &str, spec: ModelSpec) {
    let i = inv.models.len();
    inv.models.push(Located::new(
        Model::new(meta(name), spec),
        format!("models[{i}]"),
    ));
}

/// The single finding, asserted to be the only one.
fn only(inv: &Inventory) -> Finding {
    let findings = check(inv);
    assert_eq!(
        findings.len(),
        1,
        "expected exactly one finding, got {findings:#?}"
    );
    findings.into_iter().next().unwrap()
}

fn assert_finding(f: &Finding, rule: &str, origin: &str, field: &str, message: &str) {
    assert_eq!(
        (
            f.rule,
            f.origin.as_str(),
            f.field.as_str(),
            f.message.as_str()
        ),
        (rule, origin, field, message)
    );
    assert!(!f.help.is_empty(), "every finding carries a fix");
}

#[test]
fn valid_inventory_has_no_findings() {
    let mut inv = base();
    add_model(&mut inv, "iris", model("iris", &["sklearn"]));
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn model_in_namespace_without_runtime() {
    let mut inv = base();
    inv.models.push(Located::new(
        Model::new(
            Metadata::namespaced("price-predictor", "financial-inference"),
            model("p", &["sklearn"]),
        ),
        "models[0]",
    ));
    let findings = check(&inv);
    assert_finding(
        &findings[0],
        "runtime-missing",
        "models[0]",
        "name",
        "Model \"price-predictor\" is in namespace \"financial-inference\", which has no SeldonRuntime; the Seldon controller dials seldon-scheduler.financial-inference for it, so it would never become ready",
    );
}

#[test]
fn two_runtimes_in_one_namespace() {
    let mut inv = base();
    let second = inv.runtimes[0].object.clone();
    inv.runtimes
        .push(Located::new(second, "tenants[1].runtime"));
    let f = check(&inv);
    assert_finding(
        &f[0],
        "duplicate-name",
        "tenants[1].runtime",
        "name",
        "SeldonRuntime \"seldon\" is defined twice in namespace \"team\" (first at runtime)",
    );
    assert_finding(
        &f[1],
        "runtime-duplicate",
        "tenants[1].runtime",
        "name",
        "namespace \"team\" already has a SeldonRuntime (at runtime); a namespace holds exactly one, since each creates the fixed-name seldon-scheduler",
    );
}

#[test]
fn unknown_seldon_config() {
    let mut inv = base();
    inv.runtimes[0].object.spec.seldon_config = "custom".into();
    assert_finding(
        &only(&inv),
        "seldon-config-unknown",
        "runtime",
        "seldonConfig",
        "SeldonConfig \"custom\" does not exist in the controller namespace \"seldon-system\"; SeldonConfigs are always read from there",
    );
}

#[test]
fn unknown_server_config() {
    let mut inv = base();
    inv.servers[0].object.spec.server_config = "mlserver-gpu".into();
    let f = only(&inv);
    assert_finding(
        &f,
        "server-config-unknown",
        "servers[0]",
        "serverConfig",
        "ServerConfig \"mlserver-gpu\" does not exist in the controller namespace \"seldon-system\"; the controller reads a Server's ServerConfig from its own namespace, never the Server's",
    );
    assert_eq!(f.help, "use one of: mlserver, triton");
}

#[test]
fn duplicate_model_names() {
    let mut inv = base();
    add_model(&mut inv, "iris", model("iris", &["sklearn"]));
    add_model(&mut inv, "iris", model("iris", &["sklearn"]));
    assert_finding(
        &only(&inv),
        "duplicate-name",
        "models[1]",
        "name",
        "Model \"iris\" is defined twice in namespace \"team\" (first at models[0])",
    );
}

#[test]
fn invalid_object_name() {
    let mut inv = base();
    add_model(&mut inv, "iris.v2", model("iris", &["sklearn"]));
    assert_finding(
        &only(&inv),
        "invalid-name",
        "models[0]",
        "name",
        "Model name \"iris.v2\" is not a valid Kubernetes name: it contains '.'; only lowercase letters, digits and '-' are allowed",
    );
}

#[test]
fn requirements_no_server_offers() {
    let mut inv = base();
    add_model(&mut inv, "resnet", model("resnet", &["onnx"]));
    assert_finding(
        &only(&inv),
        "requirements-unsatisfied",
        "models[0]",
        "requirements",
        "Model \"resnet\" requires [onnx], but no Server in namespace \"team\" offers all of them (mlserver lacks onnx)",
    );
}

#[test]
fn model_type_counts_as_requirement() {
    let mut inv = base();
    let mut spec = model("resnet", &[]);
    spec.model_type = Some("pytorch".into());
    add_model(&mut inv, "resnet", spec);
    assert_finding(
        &only(&inv),
        "requirements-unsatisfied",
        "models[0]",
        "modelType",
        "Model \"resnet\" requires [pytorch], but no Server in namespace \"team\" offers all of them (mlserver lacks pytorch)",
    );
}

#[test]
fn requirements_with_extra_capabilities_are_met() {
    let mut inv = base();
    inv.servers[0].object.spec.extra_capabilities = vec!["custom".into()];
    add_model(&mut inv, "m", model("m", &["custom", "sklearn"]));
    assert_eq!(check(&inv), vec![]);
    // capabilities replaces the list
    inv.servers[0].object.spec.capabilities = vec!["custom".into()];
    assert_eq!(
        only(&inv).message,
        "Model \"m\" requires [custom, sklearn], but no Server in namespace \"team\" offers all of them (mlserver lacks sklearn)"
    );
}

#[test]
fn pinned_server_missing_and_lacking() {
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.server = Some("triton".into());
    add_model(&mut inv, "m", spec);
    assert_finding(
        &only(&inv),
        "server-missing",
        "models[0]",
        "server",
        "Model \"m\" is pinned to Server \"triton\", which does not exist in namespace \"team\"",
    );
    inv.servers.push(Located::new(
        Server::new(meta("triton"), server("triton")),
        "servers[1]",
    ));
    assert_finding(
        &only(&inv),
        "requirements-unsatisfied",
        "models[0]",
        "requirements",
        "Model \"m\" requires [sklearn], but its pinned Server \"triton\" offers all of them (triton lacks sklearn)",
    );
}

#[test]
fn namespace_without_servers() {
    let mut inv = base();
    inv.servers.clear();
    add_model(&mut inv, "m", model("m", &["sklearn"]));
    assert_finding(
        &only(&inv),
        "requirements-unsatisfied",
        "models[0]",
        "requirements",
        "Model \"m\" cannot be scheduled: namespace \"team\" has no Server",
    );
}

#[test]
fn memory_too_large_and_server_memory_override() {
    let mut inv = base();
    let mut spec = model("big", &["sklearn"]);
    spec.memory = Some(Quantity::new("2Gi"));
    add_model(&mut inv, "big", spec);
    assert_finding(
        &only(&inv),
        "memory-too-large",
        "models[0]",
        "memory",
        "Model \"big\" needs 2.15 GB of memory, but the largest capable server replica (mlserver) holds 1.10 GB (mlserver request 1.00 GB + 10% overcommit)",
    );
    inv.servers[0].object.spec.pod_spec = Some(ServerPodSpec {
        containers: vec![ContainerResources {
            name: "mlserver".into(),
            resources: Resources {
                requests: [("memory".to_string(), Quantity::new("4Gi"))].into(),
                ..Resources::default()
            },
        }],
    });
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn invalid_memory() {
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.memory = Some(Quantity::new("lots"));
    add_model(&mut inv, "m", spec);
    assert_finding(
        &only(&inv),
        "memory-invalid",
        "models[0]",
        "memory",
        "Model \"m\": \"lots\" is not a Kubernetes quantity (a number with an optional suffix such as Ki, Mi, Gi, m, k, M, G)",
    );
}

#[test]
fn replica_bounds() {
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.replicas = Some(3);
    spec.max_replicas = Some(2);
    add_model(&mut inv, "m", spec);
    assert_finding(
        &check(&inv)[0],
        "replica-bounds",
        "models[0]",
        "maxReplicas",
        "Model \"m\" has replicas 3 above maxReplicas 2; Seldon requires minReplicas <= replicas <= maxReplicas and marks the Model Failed otherwise",
    );
    let mut inv = base();
    inv.servers[0].object.spec.min_replicas = Some(2);
    inv.servers[0].object.spec.replicas = Some(1);
    assert_finding(
        &only(&inv),
        "replica-bounds",
        "servers[0]",
        "minReplicas",
        "Server \"mlserver\" has minReplicas 2 above replicas 1; Seldon requires minReplicas <= replicas <= maxReplicas and marks the Server Failed otherwise",
    );
    let mut inv = base();
    inv.servers[0].object.spec.replicas = Some(-1);
    assert_finding(
        &only(&inv),
        "replica-bounds",
        "servers[0]",
        "replicas",
        "Server \"mlserver\" has replicas -1; replica counts cannot be negative",
    );
}

#[test]
fn model_replicas_exceed_bounded_server() {
    let mut inv = base();
    inv.servers[0].object.spec.max_replicas = Some(2);
    let mut spec = model("m", &["sklearn"]);
    spec.replicas = Some(3);
    add_model(&mut inv, "m", spec);
    assert_finding(
        &only(&inv),
        "replicas-exceed-server",
        "models[0]",
        "replicas",
        "Model \"m\" needs 3 replicas, but each replica needs its own server replica and the capable Servers (mlserver) run at most 2",
    );
}

#[test]
fn storage_uri_rules() {
    let cases = [
        (
            "ftp://host/x",
            "storage-uri",
            "Model \"m\": storageUri \"ftp://host/x\" has scheme \"ftp\", which Seldon's rclone storage does not serve here",
        ),
        (
            "bucket/x",
            "storage-uri",
            "Model \"m\": storageUri \"bucket/x\" has no scheme",
        ),
        (
            "gs://",
            "storage-uri",
            "Model \"m\": storageUri \"gs://\" names no bucket or host",
        ),
        (
            "s3://AKIA:secret@bucket/x",
            "storage-credentials",
            "Model \"m\": storageUri carries inline credentials (user information before '@'); they would be committed to git in the rendered bundle",
        ),
        (
            "https://acct.blob.core.windows.net/c/m?sv=2024&sig=abc",
            "storage-credentials",
            "Model \"m\": storageUri carries inline credentials (a \"sig\" query parameter); they would be committed to git in the rendered bundle",
        ),
    ];
    for (uri, rule, message) in cases {
        let mut inv = base();
        let mut spec = model("m", &["sklearn"]);
        spec.storage_uri = uri.into();
        add_model(&mut inv, "m", spec);
        assert_finding(&only(&inv), rule, "models[0]", "storageUri", message);
    }
    for ok in [
        "gs://b/p",
        "s3://b/p",
        "az://c/p",
        "https://h/p",
        "/mnt/models/p",
    ] {
        let mut inv = base();
        let mut spec = model("m", &["sklearn"]);
        spec.storage_uri = ok.into();
        add_model(&mut inv, "m", spec);
        assert_eq!(check(&inv), vec![], "{ok}");
    }
}

#[test]
fn explainer_rules() {
    let mut inv = base();
    add_model(&mut inv, "m", model("m", &["sklearn"]));
    let mut spec = model("e", &[]);
    spec.explainer = Some(Explainer {
        kind: Some("anchor_tabular".into()),
        model_ref: Some("missing".into()),
        pipeline_ref: None,
    });
    spec.llm = Some(Llm::default());
    add_model(&mut inv, "e", spec);
    let f = check(&inv);
    assert_finding(
        &f[0],
        "model-explainer-llm",
        "models[1]",
        "llm",
        "Model \"e\" sets both explainer and llm; Seldon accepts only one of them",
    );
    assert_finding(
        &f[1],
        "reference-missing",
        "models[1]",
        "explainer.modelRef",
        "Model \"e\" refers to Model \"missing\", which does not exist in namespace \"team\"",
    );
    assert_eq!(f.len(), 2);
    // An explainer needs alibi-explain, which triton lacks.
    let mut inv = base();
    inv.servers[0].object.spec.server_config = "triton".into();
    let mut spec = model("e", &[]);
    spec.explainer = Some(Explainer::default());
    add_model(&mut inv, "e", spec);
    assert_eq!(
        only(&inv).message,
        "Model \"e\" requires [alibi-explain], but no Server in namespace \"team\" offers all of them (mlserver lacks alibi-explain)"
    );
}

fn pipeline(name: &str, steps: Vec<PipelineStep>) -> Located<Pipeline> {
    Located::new(
        Pipeline::new(
            meta(name),
            PipelineSpec {
                steps,
                ..PipelineSpec::default()
            },
        ),
        "pipelines[0]",
    )
}

fn step(name: &str, inputs: &[&str]) -> PipelineStep {
    PipelineStep {
        name: name.into(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        ..PipelineStep::default()
    }
}

fn with_models(names: &[&str]) -> Inventory {
    let mut inv = base();
    for n in names {
        add_model(&mut inv, n, model(n, &["sklearn"]));
    }
    inv
}

#[test]
fn pipeline_rules() {
    let mut inv = with_models(&["a", "b"]);
    inv.pipelines.push(pipeline(
        "p",
        vec![
            step("a", &[]),
            step("b", &["a.outputs.OUT0"]),
            step("c", &["p"]),
        ],
    ));
    assert_finding(
        &only(&inv),
        "pipeline-step-unknown",
        "pipelines[0]",
        "steps[2].name",
        "Pipeline \"p\" step \"c\" is not a Model in namespace \"team\"; each step runs the Model of the same name",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &[]), step("b", &["x"])]));
    assert_finding(
        &only(&inv),
        "pipeline-reference",
        "pipelines[0]",
        "steps[1].inputs[0]",
        "Pipeline \"p\" step \"b\" inputs \"x\", but \"x\" is not a step of this pipeline",
    );

    let mut inv = with_models(&["a"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &["a.sideways"])]));
    assert_finding(
        &only(&inv),
        "pipeline-reference",
        "pipelines[0]",
        "steps[0].inputs[0]",
        "Pipeline \"p\" reference \"a.sideways\" is malformed",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &["b"]), step("b", &["a"])]));
    assert_finding(
        &only(&inv),
        "pipeline-cycle",
        "pipelines[0]",
        "steps",
        "Pipeline \"p\" has a cycle: a -> b -> a",
    );
    inv.pipelines[0].object.spec.allow_cycles = Some(true);
    assert_eq!(check(&inv), vec![]);

    let mut inv = with_models(&["a"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &[]), step("a", &[])]));
    assert_finding(
        &only(&inv),
        "pipeline-step-duplicate",
        "pipelines[0]",
        "steps[1].name",
        "Pipeline \"p\" lists step \"a\" twice",
    );

    let mut inv = with_models(&["p"]);
    inv.pipelines.push(pipeline("p", vec![step("p", &[])]));
    assert_finding(
        &only(&inv),
        "pipeline-step-name",
        "pipelines[0]",
        "steps[0].name",
        "Pipeline \"p\" has a step with its own name; Seldon reads a bare \"p\" as the pipeline's inputs",
    );

    let mut inv = with_models(&[]);
    inv.pipelines.push(pipeline("p", vec![]));
    assert_finding(
        &only(&inv),
        "pipeline-empty",
        "pipelines[0]",
        "steps",
        "Pipeline \"p\" has no steps",
    );

    let mut inv = with_models(&["a"]);
    let mut p = pipeline("p", vec![step("a", &[])]);
    p.object.spec.output = Some(PipelineOutput {
        steps: vec!["z".into()],
        ..PipelineOutput::default()
    });
    p.object.spec.input = Some(PipelineInput {
        external_inputs: vec!["other.outputs".into()],
        ..PipelineInput::default()
    });
    inv.pipelines.push(p);
    let f = check(&inv);
    assert_finding(
        &f[0],
        "pipeline-reference",
        "pipelines[0]",
        "output.steps[0]",
        "Pipeline \"p\" output names \"z\", which is not a step of this pipeline",
    );
    assert_finding(
        &f[1],
        "pipeline-reference",
        "pipelines[0]",
        "input.externalInputs[0]",
        "Pipeline \"p\" consumes \"other.outputs\", but there is no Pipeline \"other\" in namespace \"team\"",
    );
}

fn experiment(
    default: Option<&str>,
    candidates: &[(&str, u32)],
    mirror: Option<&str>,
) -> Located<Experiment> {
    Located::new(
        Experiment::new(
            meta("ab"),
            ExperimentSpec {
                default: default.map(str::to_string),
                candidates: candidates
                    .iter()
                    .map(|(n, w)| Candidate {
                        name: n.to_string(),
                        weight: *w,
                    })
                    .collect(),
                mirror: mirror.map(|m| Mirror {
                    name: m.into(),
                    percent: 10,
                }),
                resource_type: None,
            },
        ),
        "experiments[0]",
    )
}

#[test]
fn experiment_rules() {
    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("c"), &[("a", 50), ("b", 50)], None));
    assert_finding(
        &only(&inv),
        "experiment-default",
        "experiments[0]",
        "default",
        "Experiment \"ab\" default \"c\" is not one of its candidates (a, b)",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 50), ("b", 50)], Some("b")));
    assert_finding(
        &only(&inv),
        "experiment-mirror",
        "experiments[0]",
        "mirror.name",
        "Experiment \"ab\" mirror \"b\" is also a candidate; Seldon refuses a mirror that is a candidate",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 50), ("z", 50)], None));
    assert_finding(
        &only(&inv),
        "experiment-candidate-missing",
        "experiments[0]",
        "candidates[1].name",
        "Experiment \"ab\" candidate \"z\" is not a Model in namespace \"team\"",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments.push(experiment(None, &[], None));
    assert_finding(
        &only(&inv),
        "experiment-empty",
        "experiments[0]",
        "candidates",
        "Experiment \"ab\" has no candidates and no mirror",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments.push(experiment(None, &[("a", 0)], None));
    assert_finding(
        &only(&inv),
        "experiment-weights",
        "experiments[0]",
        "candidates",
        "Experiment \"ab\" candidate weights sum to 0, so no traffic can be split",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments
        .push(experiment(None, &[("a", 1), ("a", 1)], None));
    assert_finding(
        &only(&inv),
        "experiment-candidate-duplicate",
        "experiments[0]",
        "candidates[1].name",
        "Experiment \"ab\" lists candidate \"a\" twice",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 1), ("b", 1)], None));
    let mut second = experiment(Some("a"), &[("a", 1), ("b", 1)], None);
    second.object.metadata.name = "ab2".into();
    second.origin = "experiments[1]".into();
    inv.experiments.push(second);
    assert_finding(
        &only(&inv),
        "experiment-default-shared",
        "experiments[1]",
        "default",
        "Experiment \"ab2\" uses default \"a\", which Experiment \"ab\" already uses; only one experiment may take over an endpoint at a time",
    );

    // Pipelines as candidates.
    let mut inv = with_models(&["a"]);
    inv.pipelines.push(pipeline("p", vec![step("a", &[])]));
    let mut e = experiment(Some("p"), &[("p", 1)], None);
    e.object.spec.resource_type = Some(ResourceType::Pipeline);
    inv.experiments.push(e);
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn credential_parameters_are_refused() {
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.parameters = vec![
        Parameter {
            name: "dbPassword".into(),
            value: "x".into(),
        },
        Parameter {
            name: "threshold".into(),
            value: "0.5".into(),
        },
    ];
    add_model(&mut inv, "m", spec);
    assert_finding(
        &only(&inv),
        "parameter-credential",
        "models[0]",
        "parameters[0].name",
        "Model \"m\" parameter \"dbPassword\" looks like a credential; its value would be committed to git in the rendered bundle",
    );
    use gen_seldon::rules::looks_like_credential;
    assert!(
        looks_like_credential("password")
            && looks_like_credential("AWS_SECRET_ACCESS_KEY")
            && looks_like_credential("apiKey")
    );
    assert!(
        !looks_like_credential("secretName")
            && !looks_like_credential("threshold")
            && !looks_like_credential("tokenizer_ref")
    );
}

#[test]
fn exposed_runtime_and_hodometer_are_warnings() {
    let mut inv = base();
    inv.runtimes[0].object.spec.overrides.clear();
    let f = check(&inv);
    let summary: Vec<(Severity, &str, &str)> = f
        .iter()
        .map(|f| (f.severity, f.rule, f.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Severity::Warning,
                "runtime-exposed",
                "SeldonRuntime in namespace \"team\" exposes seldon-scheduler as a LoadBalancer (without an override Seldon defaults to LoadBalancer)"
            ),
            (
                Severity::Warning,
                "runtime-exposed",
                "SeldonRuntime in namespace \"team\" exposes seldon-envoy as a LoadBalancer (without an override Seldon defaults to LoadBalancer)"
            ),
            (
                Severity::Warning,
                "hodometer-enabled",
                "SeldonRuntime in namespace \"team\" runs hodometer, which sends usage metrics to hodometer.seldon.io on the internet"
            ),
        ]
    );
    // An override without serviceType means ClusterIP.
    let mut inv = base();
    inv.runtimes[0].object.spec.overrides[1].service_type = None;
    assert_eq!(check(&inv), vec![]);
    inv.runtimes[0].object.spec.overrides[1].service_type = Some(ServiceType::LoadBalancer);
    assert_eq!(
        only(&inv).message,
        "SeldonRuntime in namespace \"team\" exposes seldon-envoy as a LoadBalancer (its override asks for LoadBalancer)"
    );
}

#[test]
fn experiment_numbers_fit_the_crd() {
    let mut inv = with_models(&["a", "b"]);
    let mut e = experiment(Some("a"), &[("a", 3_000_000_000), ("b", 1)], Some("x"));
    e.object.spec.mirror = None;
    inv.experiments.push(e);
    assert_finding(
        &only(&inv),
        "experiment-weights",
        "experiments[0]",
        "candidates[0].weight",
        "Experiment \"ab\" candidate \"a\" has weight 3000000000; the CRD takes a 32-bit signed integer",
    );
    let mut inv = with_models(&["a", "b", "c"]);
    let mut e = experiment(Some("a"), &[("a", 1), ("b", 1)], Some("c"));
    e.object.spec.mirror.as_mut().unwrap().percent = 150;
    inv.experiments.push(e);
    assert_finding(
        &only(&inv),
        "experiment-mirror",
        "experiments[0]",
        "mirror.percent",
        "Experiment \"ab\" mirrors 150% of the traffic; a percentage is at most 100",
    );
}
