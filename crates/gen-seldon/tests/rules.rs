//! One test per Seldon rule, each asserting the exact message, field and origin.

use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, upstream_server_configs};
use gen_seldon::kinds::*;
use gen_seldon::rules::{
    Finding, Located, OwnedInventory as Inventory, QuotaInfo, QuotaLimit, SecretInfo, Severity,
};

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

/// A Server with one replica, pinned (minReplicas = maxReplicas = replicas).
fn server(config: &str) -> ServerSpec {
    ServerSpec {
        server_config: config.to_string(),
        replicas: Some(1),
        min_replicas: Some(1),
        max_replicas: Some(1),
        ..ServerSpec::default()
    }
}

/// The rclone config Secret every runtime namespace needs, with `keys` keys.
fn rclone_secret(namespace: &str, keys: usize) -> Located<SecretInfo> {
    Located::new(
        SecretInfo {
            namespace: namespace.into(),
            name: "seldon-rclone-gs-public".into(),
            keys: Some(keys),
        },
        format!("secret-{namespace}"),
    )
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
                    config: Some(tracing_off()),
                    ..SeldonRuntimeSpec::default()
                },
            ),
            "runtime",
        )],
        servers: vec![Located::new(
            Server::new(meta("mlserver"), server("mlserver")),
            "servers[0]",
        )],
        secrets: vec![rclone_secret(NS, 1)],
        install: Install {
            kafka_bootstrap: Some("kafka:9092".into()),
            ..Install::chart_defaults()
        },
        ..Inventory::default()
    }
}

fn tracing_off() -> RuntimeConfig {
    RuntimeConfig {
        tracing_config: Some(TracingConfig {
            disable: Some(true),
            ..TracingConfig::default()
        }),
        ..RuntimeConfig::default()
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
        "Model \"m\" requires [sklearn], but its pinned Server \"triton\" does not offer all of them (triton lacks sklearn)",
    );
    assert_eq!(
        only(&inv).help,
        "the Model is pinned by `server: triton`: remove the pin to let the scheduler choose a capable Server, pin a Server that offers them (mlserver), or give Server \"triton\" these capabilities (capabilities/extraCapabilities)"
    );
    // A pin with a typo is told the close name.
    inv.models[0].object.spec.server = Some("mlservr".into());
    let f = only(&inv);
    assert_eq!(f.rule, "server-missing");
    assert_eq!(
        f.help,
        "did you mean \"mlserver\"? (name one of the Servers in \"team\": mlserver, triton)"
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
        "Model \"big\" needs 2.15 GB of memory, but the largest capable server replica (mlserver) holds 1.18 GB (mlserver request 1Gi + 10% overcommit)",
    );
    let four: std::collections::BTreeMap<String, Quantity> =
        [("memory".to_string(), Quantity::new("4Gi"))].into();
    inv.servers[0].object.spec.pod_spec = Some(ServerPodSpec {
        containers: vec![ContainerResources {
            name: "mlserver".into(),
            resources: Resources {
                requests: four.clone(),
                limits: four,
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
    inv.servers[0].object.spec.max_replicas = Some(2);
    inv.servers[0].object.spec.replicas = Some(1);
    let f = check(&inv);
    assert_finding(
        &f[0],
        "replica-bounds",
        "servers[0]",
        "minReplicas",
        "Server \"mlserver\" has minReplicas 2 above replicas 1; Seldon requires minReplicas <= replicas <= maxReplicas and marks the Server Failed otherwise",
    );
    assert_eq!(f[1].rule, "server-replicas-unpinned", "{f:#?}");
    assert_eq!(f.len(), 2, "{f:#?}");
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
    // A pinned Server of one replica.
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.replicas = Some(2);
    add_model(&mut inv, "m", spec.clone());
    assert_finding(
        &only(&inv),
        "replicas-exceed-server",
        "models[0]",
        "replicas",
        "Model \"m\" needs 2 replicas, but each replica needs its own server replica and the capable Servers (mlserver) run at most 1",
    );
    // An autoscaling Server reaches its maxReplicas: 2 fit, 3 do not.
    let s = &mut inv.servers[0].object.spec;
    (s.replicas, s.min_replicas, s.max_replicas) = (None, Some(1), Some(2));
    assert_eq!(check(&inv), vec![]);
    inv.models[0].object.spec.replicas = Some(3);
    let f = only(&inv);
    assert_finding(
        &f,
        "replicas-exceed-server",
        "models[0]",
        "replicas",
        "Model \"m\" needs 3 replicas, but each replica needs its own server replica and the capable Servers (mlserver) run at most 2",
    );
    assert_eq!(f.severity, Severity::Error);
    // minReplicas is what must fit: the scheduler places fewer replicas when only it does.
    inv.models[0].object.spec.min_replicas = Some(2);
    assert_eq!(check(&inv), vec![]);
    // Without a bound the Server may grow: a warning (next to the unbounded Server's own).
    inv.models[0].object.spec.min_replicas = None;
    inv.servers[0].object.spec.max_replicas = None;
    let f = check(&inv);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(
        (f[0].rule, f[0].severity),
        ("server-replicas-unbounded", Severity::Warning)
    );
    assert_finding(
        &f[1],
        "replicas-exceed-server",
        "models[0]",
        "replicas",
        "Model \"m\" needs 3 replicas, but the capable Servers (mlserver) start with at most 1; it is scheduled only once the scheduler has scaled a Server up, which nothing bounds (no maxReplicas)",
    );
    assert_eq!(f[1].severity, Severity::Warning);
    // With server autoscaling off in the install, a Server has exactly its replicas.
    let mut inv = base();
    inv.install.server_autoscaling = false;
    let s = &mut inv.servers[0].object.spec;
    (s.replicas, s.min_replicas, s.max_replicas) = (Some(2), None, Some(5));
    add_model(&mut inv, "m", spec);
    assert_eq!(check(&inv), vec![]);
    inv.models[0].object.spec.replicas = Some(3);
    assert_eq!(
        only(&inv).message,
        "Model \"m\" needs 3 replicas, but each replica needs its own server replica and the capable Servers (mlserver) run at most 2"
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

#[test]
fn rclone_secret_missing_or_not_one_key() {
    let mut inv = base();
    inv.secrets.clear();
    let f = only(&inv);
    assert_finding(
        &f,
        "rclone-secret-missing",
        "runtime",
        "name",
        "namespace \"team\" has a SeldonRuntime but no Secret \"seldon-rclone-gs-public\": the setup chart's SeldonConfig lists it in agentConfig.rclone.config_secrets, every runtime inherits that list, and the agent of each Server pod exits (\"Failed to initialise rclone config listener\") when it cannot read it, so no Server in \"team\" would start",
    );
    assert_eq!(f.severity, Severity::Error);
    // Another namespace's Secret does not help.
    inv.secrets.push(rclone_secret("other", 1));
    assert_eq!(only(&inv).rule, "rclone-secret-missing");
    // Two keys: the agent refuses it.
    let mut inv = base();
    inv.secrets = vec![rclone_secret(NS, 2)];
    assert_finding(
        &only(&inv),
        "rclone-secret-keys",
        "secret-team",
        "",
        "Secret \"seldon-rclone-gs-public\" in namespace \"team\" holds 2 keys, but the Seldon agent reads an rclone config Secret only when it holds exactly one key (one remote), and exits otherwise, so no Server in \"team\" would start",
    );
    inv.secrets = vec![rclone_secret(NS, 0)];
    assert_eq!(only(&inv).rule, "rclone-secret-keys");
    // A Secret made by something else (an ExternalSecret) has unknown keys: not judged.
    inv.secrets[0].object.keys = None;
    assert_eq!(check(&inv), vec![]);
    // A runtime's own config secrets must hold one key too; their absence is not judged
    // (they hold credentials, which rarely live in git).
    let mut inv = base();
    inv.runtimes[0]
        .object
        .spec
        .config
        .as_mut()
        .unwrap()
        .agent_config = Some(AgentConfig {
        rclone: Some(RcloneConfig {
            config_secrets: vec!["s3-reader".into(), "absent".into()],
            config: vec![],
        }),
    });
    inv.secrets.push(Located::new(
        SecretInfo {
            namespace: NS.into(),
            name: "s3-reader".into(),
            keys: Some(3),
        },
        "s3",
    ));
    let f = only(&inv);
    assert_eq!((f.rule, f.origin.as_str()), ("rclone-secret-keys", "s3"));
}

/// A pod spec override of the inference container.
fn override_mlserver(requests: &[(&str, &str)], limits: &[(&str, &str)]) -> ServerPodSpec {
    let map = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(k, v)| (k.to_string(), Quantity::new(*v)))
            .collect()
    };
    ServerPodSpec {
        containers: vec![ContainerResources {
            name: "mlserver".into(),
            resources: Resources {
                requests: map(requests),
                limits: map(limits),
            },
        }],
    }
}

#[test]
fn server_requests_over_limits_after_the_merge() {
    let mut inv = base();
    inv.servers[0].object.spec.pod_spec = Some(override_mlserver(&[("memory", "8Gi")], &[]));
    let f = only(&inv);
    assert_finding(
        &f,
        "server-requests-over-limits",
        "servers[0]",
        "podSpec.containers[0].resources.requests.memory",
        "Server \"mlserver\" container \"mlserver\" requests memory 8Gi (set on the Server) but is limited to 1Gi (from ServerConfig \"mlserver\"): the controller merges a Server's podSpec into its ServerConfig key by key, and Kubernetes rejects every pod whose requests exceed its limits, so the Server never gets a pod",
    );
    assert_eq!(
        f.help,
        "set limits.memory on container \"mlserver\" too, at least as high as the request"
    );
    // The boundary: a request equal to its limit is fine.
    inv.servers[0].object.spec.pod_spec = Some(override_mlserver(
        &[("memory", "8Gi")],
        &[("memory", "8Gi")],
    ));
    assert_eq!(check(&inv), vec![]);
    // A limit lowered below the ServerConfig's request.
    inv.servers[0].object.spec.pod_spec = Some(override_mlserver(&[], &[("memory", "512Mi")]));
    assert_finding(
        &only(&inv),
        "server-requests-over-limits",
        "servers[0]",
        "podSpec.containers[0].resources.limits.memory",
        "Server \"mlserver\" container \"mlserver\" requests memory 1Gi (from ServerConfig \"mlserver\") but is limited to 512Mi (set on the Server): the controller merges a Server's podSpec into its ServerConfig key by key, and Kubernetes rejects every pod whose requests exceed its limits, so the Server never gets a pod",
    );
    // Units are compared by value: 1G is below 1Gi.
    inv.servers[0].object.spec.pod_spec = Some(override_mlserver(&[("memory", "1G")], &[]));
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn server_replicas_against_autoscaling() {
    let unpinned = |r: Option<i32>, min: Option<i32>, max: Option<i32>| {
        let mut inv = base();
        let s = &mut inv.servers[0].object.spec;
        (s.replicas, s.min_replicas, s.max_replicas) = (r, min, max);
        check(&inv)
    };
    let f = unpinned(Some(2), None, None);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_finding(
        &f[0],
        "server-replicas-unpinned",
        "servers[0]",
        "replicas",
        "Server \"mlserver\" sets replicas 2 but lets the scheduler scale it to 0 or more (no maxReplicas): server autoscaling is on in the Seldon install, so the controller patches spec.replicas whenever the scheduler asks (it scales down every replica that holds no model), and Argo CD self-heal or Flux drift correction set it back to 2, forever",
    );
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].help,
        "pin minReplicas and maxReplicas to 2 for a fixed count, or drop replicas and let minReplicas and maxReplicas bound the autoscaling"
    );
    assert!(
        unpinned(Some(2), Some(1), Some(3))[0]
            .message
            .contains("lets the scheduler scale it to 1 to 3:")
    );
    assert_eq!(
        unpinned(Some(2), Some(2), Some(3))[0].rule,
        "server-replicas-unpinned"
    );
    // Zero cannot be pinned: maxReplicas 0 means no bound.
    assert_eq!(
        unpinned(Some(0), Some(0), Some(0))[0].help,
        "a Server cannot be pinned at 0 replicas (maxReplicas 0 means no bound): remove the Server, or turn server autoscaling off in the setup values (autoscaling.autoscalingServerEnabled: false)"
    );
    // Pinned, or autoscaling within a bound: nothing to fight over.
    assert_eq!(unpinned(Some(2), Some(2), Some(2)), vec![]);
    assert_eq!(unpinned(None, Some(1), Some(3)), vec![]);
    assert_eq!(unpinned(None, None, Some(3)), vec![]);
    // Autoscaling without a bound: a warning.
    let f = unpinned(None, Some(1), None);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_finding(
        &f[0],
        "server-replicas-unbounded",
        "servers[0]",
        "maxReplicas",
        "Server \"mlserver\" autoscales without maxReplicas: the scheduler may scale it to as many replicas as its largest Model asks for, so neither its cost nor its namespace's quota has a bound",
    );
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(
        unpinned(None, None, None)[0].rule,
        "server-replicas-unbounded"
    );
    // With server autoscaling off in the install, nothing patches replicas.
    let mut inv = base();
    inv.install.server_autoscaling = false;
    let s = &mut inv.servers[0].object.spec;
    (s.replicas, s.min_replicas, s.max_replicas) = (Some(2), None, None);
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn tracing_towards_the_placeholder_collector() {
    let mut inv = base();
    inv.runtimes[0].object.spec.config = None;
    let f = only(&inv);
    assert_finding(
        &f,
        "tracing-collector",
        "runtime",
        "config.tracingConfig",
        "SeldonRuntime in namespace \"team\" traces to seldon-collector.seldon-mesh:4317, the setup chart's placeholder collector, which no Seldon chart installs: tracing is on unless the runtime disables it (the setup chart's opentelemetry.disable does not reach runtimes), so every component exports spans to an address that does not answer",
    );
    assert_eq!(f.severity, Severity::Warning);
    // The install's endpoint, or the runtime's own, is a collector someone chose.
    inv.install.tracing_endpoint = "otel.observability:4317".into();
    assert_eq!(check(&inv), vec![]);
    let mut inv = base();
    inv.runtimes[0].object.spec.config = Some(RuntimeConfig {
        tracing_config: Some(TracingConfig {
            otel_exporter_endpoint: Some("otel.observability:4317".into()),
            ratio: Some("0.1".into()),
            ..TracingConfig::default()
        }),
        ..RuntimeConfig::default()
    });
    assert_eq!(check(&inv), vec![]);
    // A ratio that is not a number stops the components.
    inv.runtimes[0]
        .object
        .spec
        .config
        .as_mut()
        .unwrap()
        .tracing_config
        .as_mut()
        .unwrap()
        .ratio = Some("10%".into());
    let f = only(&inv);
    assert_finding(
        &f,
        "tracing-ratio",
        "runtime",
        "config.tracingConfig.ratio",
        "SeldonRuntime in namespace \"team\" has tracing ratio \"10%\", which is not a number: with tracing on, every Seldon component parses it at start and exits when it cannot",
    );
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn pipelines_need_the_install_to_name_kafka() {
    let mut inv = with_models(&["a", "b"]);
    for (i, name) in ["p1", "p2", "p3"].iter().enumerate() {
        let mut p = pipeline(name, vec![step("a", &[])]);
        p.origin = format!("pipelines[{i}]");
        inv.pipelines.push(p);
    }
    assert_eq!(check(&inv), vec![]);
    inv.install.kafka_bootstrap = None;
    let f = only(&inv);
    assert_finding(
        &f,
        "pipelines-without-kafka",
        "pipelines[0]",
        "name",
        "Pipeline \"p1\" (and 2 more Pipelines) in namespace \"team\" needs Kafka, but the Seldon install sets no kafka.bootstrap: the dataflow engine, pipeline gateway and model gateway fall back to the setup chart's seldon-kafka-bootstrap.seldon-mesh:9092, so no Pipeline would become Ready",
    );
    inv.pipelines.truncate(1);
    assert!(
        only(&inv)
            .message
            .starts_with("Pipeline \"p1\" in namespace")
    );
    // Without the setup values (a tree without the install), Kafka is not judged.
    inv.install.known = false;
    assert_eq!(check(&inv), vec![]);
}

fn quota(hard: &[(&str, &str)]) -> Located<QuotaInfo> {
    Located::new(
        QuotaInfo {
            namespace: NS.into(),
            name: "tenant-quota".into(),
            hard: hard
                .iter()
                .map(|(resource, value)| QuotaLimit {
                    resource: resource.to_string(),
                    value: Quantity::new(*value),
                    field: format!("hard.{resource}"),
                })
                .collect(),
        },
        "quota",
    )
}

#[test]
fn quota_smaller_than_the_runtime_and_servers() {
    // The runtime (scheduler, gateways, envoy, dataflow engine; hodometer off) plus one
    // mlserver replica: cpu 500m + 350m, memory 1Gi + 1G + 1G + 128Mi + 3G + 2Gi + 128Mi
    // (8489660928 bytes), 6 pods. A quota of exactly that is enough.
    let mut inv = base();
    inv.quotas.push(quota(&[
        ("requests.cpu", "850m"),
        ("requests.memory", "8489660928"),
        ("pods", "6"),
    ]));
    assert_eq!(check(&inv), vec![]);
    inv.quotas = vec![quota(&[("requests.memory", "8489660927")])];
    assert_eq!(only(&inv).rule, "quota-too-small");
    inv.quotas = vec![quota(&[
        ("requests.cpu", "849m"),
        ("memory", "4Gi"),
        ("pods", "5"),
        ("services", "1"),
    ])];
    let f = check(&inv);
    assert_eq!(f.len(), 3, "{f:#?}");
    assert_finding(
        &f[0],
        "quota-too-small",
        "quota",
        "hard.requests.cpu",
        "ResourceQuota \"tenant-quota\" in namespace \"team\" allows requests.cpu 849m, but the namespace's SeldonRuntime and Servers need 850m: seldon-scheduler 1 × 100m, seldon-pipelinegateway 1 × 100m, seldon-modelgateway 1 × 100m, seldon-envoy 1 × 100m, seldon-dataflow-engine 1 × 100m, Server mlserver 1 × 350m; the quota refuses the pods past it, so they would never start",
    );
    assert_eq!(
        f[0].help,
        "raise requests.cpu to at least 850m, or run fewer or smaller Servers"
    );
    assert_finding(
        &f[1],
        "quota-too-small",
        "quota",
        "hard.memory",
        "ResourceQuota \"tenant-quota\" in namespace \"team\" allows memory 4Gi, but the namespace's SeldonRuntime and Servers need 7.91Gi: seldon-scheduler 1 × 1Gi, seldon-pipelinegateway 1 × 1G, seldon-modelgateway 1 × 1G, seldon-envoy 1 × 128Mi, seldon-dataflow-engine 1 × 3G, Server mlserver 1 × 2.13Gi; the quota refuses the pods past it, so they would never start",
    );
    assert_finding(
        &f[2],
        "quota-too-small",
        "quota",
        "hard.pods",
        "ResourceQuota \"tenant-quota\" in namespace \"team\" allows pods 5, but the namespace's SeldonRuntime and Servers need 6: seldon-scheduler 1, seldon-pipelinegateway 1, seldon-modelgateway 1, seldon-envoy 1, seldon-dataflow-engine 1, Server mlserver 1; the quota refuses the pods past it, so they would never start",
    );
    // Servers count at their largest; one without a bound counts as "at least".
    let mut inv = base();
    let s = &mut inv.servers[0].object.spec;
    (s.replicas, s.min_replicas, s.max_replicas) = (None, Some(1), Some(3));
    inv.quotas.push(quota(&[("pods", "7")]));
    assert!(
        only(&inv).message.contains("need 8: "),
        "{:#?}",
        check(&inv)
    );
    inv.servers[0].object.spec.max_replicas = None;
    let f = check(&inv);
    let q = f.iter().find(|f| f.rule == "quota-too-small");
    assert_eq!(q, None, "{f:#?}");
    inv.quotas = vec![quota(&[("pods", "5")])];
    let f = check(&inv);
    let q = f.iter().find(|f| f.rule == "quota-too-small").unwrap();
    assert!(
        q.message.contains("need at least 6: ")
            && q.message.contains("Server mlserver 1 (no maxReplicas)"),
        "{}",
        q.message
    );
    // A quota in a namespace without Seldon workloads is not judged.
    let mut inv = base();
    let mut q = quota(&[("pods", "1")]);
    q.object.namespace = "elsewhere".into();
    inv.quotas.push(q);
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn did_you_mean_for_references() {
    let mut inv = with_models(&["price-predictor", "risk"]);
    inv.pipelines
        .push(pipeline("p", vec![step("price-predicter", &[])]));
    let f = only(&inv);
    assert_eq!(f.rule, "pipeline-step-unknown");
    assert_eq!(
        f.help,
        "did you mean \"price-predictor\"? define Model \"price-predicter\" in the same namespace, or fix the step name"
    );
    let mut inv = with_models(&["iris", "iris2"]);
    inv.experiments.push(experiment(
        Some("irs"),
        &[("iris", 50), ("iris2", 50)],
        None,
    ));
    let f = only(&inv);
    assert_eq!(f.rule, "experiment-default");
    assert_eq!(
        f.help,
        "did you mean \"iris\"? add \"irs\" to candidates, or set default to one of them"
    );
}

#[test]
fn pipeline_step_in_another_namespace() {
    let mut inv = with_models(&["a"]);
    inv.runtimes.push(Located::new(
        SeldonRuntime::new(
            Metadata::namespaced("seldon", "vision"),
            inv.runtimes[0].object.spec.clone(),
        ),
        "runtime-vision",
    ));
    inv.secrets.push(rclone_secret("vision", 1));
    inv.models.push(Located::new(
        Model::new(
            Metadata::namespaced("resnet", "vision"),
            model("resnet", &[]),
        ),
        "vision-model",
    ));
    inv.pipelines.push(pipeline("p", vec![step("resnet", &[])]));
    let findings = check(&inv);
    let f = findings
        .iter()
        .find(|f| f.rule == "pipeline-step-unknown")
        .unwrap();
    assert_eq!(
        f.message,
        "Pipeline \"p\" step \"resnet\" is not a Model in namespace \"team\": Model \"resnet\" lives in namespace \"vision\", and a step runs the Model of that name in the Pipeline's own namespace, so steps cannot cross namespaces"
    );
    assert_eq!(
        f.help,
        "define the Pipeline in \"vision\" (in a gen profile: in an application of the tenant that owns it), or deploy a Model \"resnet\" in \"team\""
    );
}
