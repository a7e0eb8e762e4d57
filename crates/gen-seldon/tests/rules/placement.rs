//! Where Models and Servers go: runtimes per namespace, configs, requirements and
//! capabilities, pinned Servers, memory and replica bounds.

use super::*;

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
        ..ServerPodSpec::default()
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
