//! What makes pods start and stay: the rclone Secret, resource overrides after the merge,
//! replicas against autoscaling, tracing, Kafka, quotas, references across namespaces.

use super::*;

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
        ..ServerPodSpec::default()
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
        p.origin = format!("pipelines[{i}]").into();
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
