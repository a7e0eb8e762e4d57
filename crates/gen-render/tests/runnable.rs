//! Bundles that come up on a cluster (issue 12): what gen adds to every runtime and
//! Server, what it refuses in a profile, and the messages a new user meets, each with
//! its exact text.

use gen_profile::{Diagnostic, Report, Severity};
use gen_render::ops::render_loaded;

const SHARED: &str = "\
name: t
pattern: shared
seldon:
  kafka:
    bootstrap: kafka.kafka:9092
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

const DEDICATED: &str = "\
name: t
pattern: dedicated
platform:
  namespace: seldon-system
tenants:
  - name: fraud
    namespace: fraud-ns
    servers:
      - name: mlserver
        serverConfig: mlserver
  - name: vision
    namespace: vision-ns
    servers:
      - name: triton
        serverConfig: triton
      - name: mlserver
        serverConfig: mlserver
applications:
  - name: app
    tenant: fraud
    models:
      - name: iris
        storageUri: gs://b/iris
        requirements: [sklearn]
  - name: images
    tenant: vision
    models:
      - name: resnet
        storageUri: gs://b/resnet
        requirements: [onnx]
";

fn render(text: &str) -> Result<gen_render::Bundle, Report> {
    let loaded = gen_profile::parse("p.yaml", text).unwrap_or_else(|r| panic!("{}", r.render()));
    render_loaded(&loaded)
}

fn bundle(text: &str) -> gen_render::Bundle {
    render(text).unwrap_or_else(|r| panic!("{}", r.render()))
}

/// The one diagnostic of a refused profile, with its code, path and message asserted; it
/// is located in the source and carries a fix.
fn only(text: &str, code: &str, path: &str, message: &str) -> Diagnostic {
    let report = match gen_profile::parse("p.yaml", text) {
        Ok(loaded) => render_loaded(&loaded).expect_err("the profile is refused"),
        Err(report) => report,
    };
    assert_eq!(report.diagnostics.len(), 1, "{}", report.render());
    let d = report.diagnostics[0].clone();
    assert_eq!(
        (d.code.as_str(), d.path.as_str(), d.message.as_str()),
        (code, path, message),
        "{}",
        report.render()
    );
    assert!(d.line > 0, "located: {}", report.render());
    assert!(d.help.is_some(), "every diagnostic carries a fix");
    d
}

/// The object at `path` of a bundle, as JSON.
fn object(b: &gen_render::Bundle, path: &str) -> serde_json::Value {
    let text = b
        .files
        .get(path)
        .unwrap_or_else(|| panic!("{path} not in {:?}", b.files.keys()));
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn every_runtime_namespace_gets_the_rclone_secret() {
    let shared = bundle(SHARED);
    let s = object(&shared, "platform/secret-seldon-rclone-gs-public.yaml");
    assert_eq!(s["metadata"]["namespace"], "seldon-system");
    assert_eq!(s["type"], "Opaque");
    assert!(s.get("stringData").is_none(), "data, not stringData");
    assert_eq!(s["data"].as_object().unwrap().len(), 1);
    let dedicated = bundle(&DEDICATED.replace(
        "platform:",
        "seldon:\n  kafka: {bootstrap: kafka.kafka:9092}\nplatform:",
    ));
    for (folder, ns) in [
        ("tenants/fraud", "fraud-ns"),
        ("tenants/vision", "vision-ns"),
    ] {
        let s = object(
            &dedicated,
            &format!("{folder}/secret-seldon-rclone-gs-public.yaml"),
        );
        assert_eq!(s["metadata"]["namespace"], ns);
        let k = object(&dedicated, &format!("{folder}/kustomization.yaml"));
        assert!(
            k["resources"]
                .as_array()
                .unwrap()
                .contains(&"secret-seldon-rclone-gs-public.yaml".into())
        );
    }
    assert!(
        !dedicated
            .files
            .contains_key("platform/secret-seldon-rclone-gs-public.yaml"),
        "the controller namespace has no runtime in dedicated"
    );
}

#[test]
fn server_memory_is_request_and_limit_and_replicas_are_pinned() {
    let b = bundle(&SHARED.replace(
        "      serverConfig: mlserver\n",
        "      serverConfig: mlserver\n      replicas: 2\n      memory: 8Gi\n",
    ));
    let s = object(&b, "platform/server-mlserver.yaml");
    assert_eq!(
        s["spec"]["podSpec"]["containers"][0],
        serde_json::json!({"name": "mlserver", "resources": {"requests": {"memory": "8Gi"}, "limits": {"memory": "8Gi"}}})
    );
    assert_eq!(
        (
            &s["spec"]["replicas"],
            &s["spec"]["minReplicas"],
            &s["spec"]["maxReplicas"]
        ),
        (&2.into(), &2.into(), &2.into())
    );
    // No count at all is the default count, 1, pinned.
    let s = object(&bundle(SHARED), "platform/server-mlserver.yaml");
    assert_eq!(
        (&s["spec"]["replicas"], &s["spec"]["maxReplicas"]),
        (&1.into(), &1.into())
    );
    // Autoscaling: replicas stay out of git, so the controller's patch is not reverted.
    let b = bundle(&SHARED.replace(
        "      serverConfig: mlserver\n",
        "      serverConfig: mlserver\n      minReplicas: 1\n      maxReplicas: 3\n",
    ));
    let s = object(&b, "platform/server-mlserver.yaml");
    assert!(s["spec"].get("replicas").is_none(), "{s}");
    assert_eq!(
        (&s["spec"]["minReplicas"], &s["spec"]["maxReplicas"]),
        (&1.into(), &3.into())
    );
}

#[test]
fn server_replicas_against_the_scheduler_are_refused() {
    only(
        &SHARED.replace(
            "      serverConfig: mlserver\n",
            "      serverConfig: mlserver\n      replicas: 2\n      maxReplicas: 4\n",
        ),
        "server-replicas-unpinned",
        "platform.servers[0].replicas",
        "Server \"mlserver\" sets replicas 2 but lets the scheduler scale it to 2 to 4: server autoscaling is on in the Seldon install, so the controller patches spec.replicas whenever the scheduler asks (it scales down every replica that holds no model), and Argo CD self-heal or Flux drift correction set it back to 2, forever",
    );
    let d = only(
        &SHARED.replace(
            "      serverConfig: mlserver\n",
            "      serverConfig: mlserver\n      minReplicas: 1\n",
        ),
        "server-replicas-unbounded",
        "platform.servers[0].maxReplicas",
        "Server \"mlserver\" autoscales (minReplicas without replicas) but has no maxReplicas: the scheduler may scale it to as many replicas as its largest Model asks for, and gen computes the namespace's quota and the Models' fit from the most replicas a Server can have",
    );
    assert_eq!(d.severity, Severity::Error, "the profile refuses it");
}

#[test]
fn tracing_is_off_unless_the_profile_names_a_collector() {
    let t = |b: &gen_render::Bundle, path: &str| {
        object(b, path)["spec"]["config"]["tracingConfig"].clone()
    };
    let off = bundle(SHARED);
    assert_eq!(
        t(&off, "platform/seldonruntime-seldon.yaml"),
        serde_json::json!({"disable": true})
    );
    let on = bundle(&SHARED.replace(
        "seldon:\n",
        "seldon:\n  tracing: {endpoint: otel.observability:4317, ratio: 0.25}\n",
    ));
    assert_eq!(
        t(&on, "platform/seldonruntime-seldon.yaml"),
        serde_json::json!({"otelExporterEndpoint": "otel.observability:4317", "ratio": "0.25"})
    );
    // In every runtime, and a runtime's own setting wins.
    let dedicated = DEDICATED
        .replace(
            "platform:",
            "seldon:\n  kafka: {bootstrap: kafka.kafka:9092}\n  tracing: {endpoint: otel.observability:4317, protocol: http/protobuf}\nplatform:",
        )
        .replace(
            "    namespace: vision-ns\n",
            "    namespace: vision-ns\n    runtime:\n      config:\n        tracingConfig: {disable: true}\n",
        );
    let b = bundle(&dedicated);
    assert_eq!(
        t(&b, "tenants/fraud/seldonruntime-seldon.yaml"),
        serde_json::json!({"otelExporterEndpoint": "otel.observability:4317", "otelExporterProtocol": "http/protobuf"})
    );
    assert_eq!(
        t(&b, "tenants/vision/seldonruntime-seldon.yaml"),
        serde_json::json!({"disable": true})
    );
    only(
        &SHARED.replace(
            "seldon:\n",
            "seldon:\n  tracing: {endpoint: \"http://otel:4317\"}\n",
        ),
        "tracing-endpoint",
        "seldon.tracing.endpoint",
        "tracing endpoint \"http://otel:4317\" is not host:port: the Seldon components dial it as a gRPC target and the dataflow engine prefixes http:// to it",
    );
    only(
        &SHARED.replace(
            "seldon:\n",
            "seldon:\n  tracing: {endpoint: \"otel:4317\", ratio: 10}\n",
        ),
        "tracing-ratio",
        "seldon.tracing.ratio",
        "tracing ratio 10 is not between 0 and 1; it is the fraction of requests traced",
    );
}

#[test]
fn pipelines_without_kafka_are_refused() {
    let text = SHARED
        .replace("seldon:\n  kafka:\n    bootstrap: kafka.kafka:9092\n", "")
        .replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n    pipelines:\n      - name: p\n        steps: [{name: iris}]\n",
        );
    only(
        &text,
        "pipelines-without-kafka",
        "applications[0].pipelines[0].name",
        "Pipeline \"p\" in namespace \"seldon-system\" needs Kafka, but the Seldon install sets no kafka.bootstrap: the dataflow engine, pipeline gateway and model gateway fall back to the setup chart's seldon-kafka-bootstrap.seldon-mesh:9092, so no Pipeline would become Ready",
    );
    // Without Pipelines, Kafka is not needed.
    assert!(
        render(&SHARED.replace("seldon:\n  kafka:\n    bootstrap: kafka.kafka:9092\n", "")).is_ok()
    );
}

#[test]
fn dedicated_readme_says_where_the_dataflow_engine_reads_kafka() {
    let b = bundle(&DEDICATED.replace(
        "platform:",
        "seldon:\n  kafka: {bootstrap: kafka.kafka:9092, consumerGroupIdPrefix: acme}\nplatform:",
    ));
    let readme = &b.files["README.md"];
    assert!(
        readme.contains("Each tenant's dataflow\nengine takes its bootstrap servers and its consumer-group prefix\n(`acme`) from those values, through the SeldonConfig in\n`seldon-system`, not from the tenant runtime's `kafkaConfig`"),
        "{readme}"
    );
    let shared = bundle(SHARED);
    assert!(!shared.files["README.md"].contains("## Kafka"));
}

#[test]
fn a_tenant_quota_below_its_runtime_and_servers_is_refused() {
    let text = DEDICATED
        .replace(
            "platform:",
            "seldon:\n  kafka: {bootstrap: kafka.kafka:9092}\nplatform:",
        )
        .replace(
            "    namespace: fraud-ns\n",
            "    namespace: fraud-ns\n    quota: {cpu: \"1\", memory: 8Gi, pods: 6}\n",
        );
    assert!(
        render(&text).is_ok(),
        "runtime 500m/6.13G + one Server 350m/2.13Gi fit"
    );
    only(
        &text.replace("memory: 8Gi", "memory: 6Gi"),
        "quota-too-small",
        "tenants[0].quota.memory",
        "ResourceQuota \"tenant-quota\" in namespace \"fraud-ns\" allows requests.memory 6Gi, but the namespace's SeldonRuntime and Servers need 7.91Gi: seldon-scheduler 1 × 1Gi, seldon-pipelinegateway 1 × 1G, seldon-modelgateway 1 × 1G, seldon-envoy 1 × 128Mi, seldon-dataflow-engine 1 × 3G, Server mlserver 1 × 2.13Gi; the quota refuses the pods past it, so they would never start",
    );
    only(
        &text.replace("pods: 6", "pods: 5"),
        "quota-too-small",
        "tenants[0].quota.pods",
        "ResourceQuota \"tenant-quota\" in namespace \"fraud-ns\" allows pods 5, but the namespace's SeldonRuntime and Servers need 6: seldon-scheduler 1, seldon-pipelinegateway 1, seldon-modelgateway 1, seldon-envoy 1, seldon-dataflow-engine 1, Server mlserver 1; the quota refuses the pods past it, so they would never start",
    );
}

#[test]
fn an_application_namespace_equal_to_its_own_is_accepted() {
    assert!(
        render(&SHARED.replace(
            "  - name: app\n",
            "  - name: app\n    namespace: seldon-system\n"
        ))
        .is_ok()
    );
    assert!(
        render(&DEDICATED.replace(
            "    tenant: fraud\n",
            "    tenant: fraud\n    namespace: fraud-ns\n"
        ))
        .is_ok()
    );
    let d = only(
        &DEDICATED.replace(
            "    tenant: fraud\n",
            "    tenant: fraud\n    namespace: vision-ns\n",
        ),
        "application-namespace",
        "applications[0].namespace",
        "application \"app\" sets namespace \"vision-ns\", the namespace of tenant \"vision\", but an application has no namespace of its own: it is deployed into its tenant's namespace (fraud-ns)",
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "remove `namespace`, or set `tenant: vision` to deploy the application with that tenant"
        )
    );
    let d = only(
        &DEDICATED.replace(
            "    tenant: fraud\n",
            "    tenant: fraud\n    namespace: fin\n",
        ),
        "application-namespace",
        "applications[0].namespace",
        "application \"app\" sets namespace \"fin\", but applications have no namespace of their own: the Seldon controller dials seldon-scheduler.<namespace of the Model>, and each tenant's SeldonRuntime is in the tenant's namespace, so Models in \"fin\" would never become ready (this is the \"models in an app namespace, scheduler elsewhere\" layout that does not work)",
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "remove `namespace` to deploy the application into its tenant's namespace (fraud-ns), or add a tenant whose namespace is \"fin\" and set `tenant:` to it"
        )
    );
}

#[test]
fn a_pinned_server_without_the_capability_names_the_pin() {
    let d = only(
        &DEDICATED.replace(
            "        requirements: [onnx]\n",
            "        requirements: [onnx]\n        server: mlserver\n",
        ),
        "requirements-unsatisfied",
        "applications[1].models[0].requirements",
        "Model \"resnet\" requires [onnx], but its pinned Server \"mlserver\" does not offer all of them (mlserver lacks onnx)",
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "the Model is pinned by `server: mlserver`: remove the pin to let the scheduler choose a capable Server, pin a Server that offers them (triton), or give Server \"mlserver\" these capabilities (capabilities/extraCapabilities)"
        )
    );
}

#[test]
fn a_duplicated_tenant_namespace_is_reported_once() {
    let text = DEDICATED.replace(
        "applications:",
        "  - name: copy\n    namespace: fraud-ns\n    servers:\n      - name: mlserver\n        serverConfig: mlserver\napplications:\n  - name: copied\n    tenant: copy\n    models:\n      - name: iris\n        storageUri: gs://b/iris\n        requirements: [sklearn]\n",
    );
    only(
        &text,
        "duplicate-name",
        "tenants[2].namespace",
        "tenant namespace \"fraud-ns\" is defined twice (first at tenants[0].namespace)",
    );
}

#[test]
fn an_unquoted_version_is_explained() {
    let d = only(
        &SHARED.replace("seldon:\n", "seldon:\n  version: 2.10\n"),
        "seldon-version",
        "seldon.version",
        "Seldon version 2.1 is a number, not a version: YAML reads an unquoted version with one dot as a decimal number and drops its trailing zeros (2.10 becomes 2.1); this gen renders and checks against Seldon Core v2 2.10.2",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("set seldon.version to \"2.10.2\" (quoted, or written with both dots)")
    );
    only(
        &SHARED.replace("seldon:\n", "seldon:\n  version: \"2.1\"\n"),
        "seldon-version",
        "seldon.version",
        "Seldon version \"2.1\" is not supported; this gen renders and checks against Seldon Core v2 2.10.2",
    );
}

#[test]
fn references_suggest_the_close_name() {
    let d = only(
        &DEDICATED.replace("    tenant: vision\n", "    tenant: visoin\n"),
        "tenant-missing",
        "applications[1].tenant",
        "application \"images\" names tenant \"visoin\", which is not defined",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean \"vision\"? (tenants: fraud, vision)")
    );
    let d = only(
        &SHARED.replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n        server: mlsrever\n",
        ),
        "server-missing",
        "applications[0].models[0].server",
        "Model \"iris\" is pinned to Server \"mlsrever\", which does not exist in namespace \"seldon-system\"",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean \"mlserver\"? (name one of the Servers in \"seldon-system\": mlserver)")
    );
    let d = only(
        &SHARED.replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n    pipelines:\n      - name: p\n        steps: [{name: irsi}]\n",
        ),
        "pipeline-step-unknown",
        "applications[0].pipelines[0].steps[0].name",
        "Pipeline \"p\" step \"irsi\" is not a Model in namespace \"seldon-system\"; each step runs the Model of the same name",
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "did you mean \"iris\"? define Model \"irsi\" in the same namespace, or fix the step name"
        )
    );
    let d = only(
        &SHARED.replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n      - name: iris2\n        storageUri: gs://b/iris2\n        requirements: [sklearn]\n    experiments:\n      - name: ab\n        default: iris3\n        candidates: [{name: iris, weight: 50}, {name: iris2, weight: 50}]\n",
        ),
        "experiment-default",
        "applications[0].experiments[0].default",
        "Experiment \"ab\" default \"iris3\" is not one of its candidates (iris, iris2)",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean \"iris\"? add \"iris3\" to candidates, or set default to one of them")
    );
}

#[test]
fn a_pipeline_step_of_another_tenant_says_where_the_model_lives() {
    let text = DEDICATED
        .replace(
            "platform:",
            "seldon:\n  kafka: {bootstrap: kafka.kafka:9092}\nplatform:",
        )
        .replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n    pipelines:\n      - name: p\n        steps: [{name: iris}, {name: resnet, inputs: [iris]}]\n",
        );
    let d = only(
        &text,
        "pipeline-step-unknown",
        "applications[0].pipelines[0].steps[1].name",
        "Pipeline \"p\" step \"resnet\" is not a Model in namespace \"fraud-ns\": Model \"resnet\" lives in namespace \"vision-ns\", and a step runs the Model of that name in the Pipeline's own namespace, so steps cannot cross namespaces",
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "define the Pipeline in \"vision-ns\" (in a gen profile: in an application of the tenant that owns it), or deploy a Model \"resnet\" in \"fraud-ns\""
        )
    );
}

#[test]
fn declared_server_configs_take_a_memory_limit() {
    let text = SHARED
        .replace("serverConfig: mlserver", "serverConfig: gpu")
        .replace(
            "  servers:",
            "  serverConfigs:\n    - {name: gpu, capabilities: [sklearn], memory: 8Gi, memoryLimit: 4Gi}\n  servers:",
        );
    only(
        &text,
        "memory-invalid",
        "platform.serverConfigs[0].memoryLimit",
        "ServerConfig \"gpu\" requests memory 8Gi above its limit 4Gi; Kubernetes rejects pods whose requests exceed their limits",
    );
    assert!(render(&text.replace("memoryLimit: 4Gi", "memoryLimit: 8Gi")).is_ok());
}
