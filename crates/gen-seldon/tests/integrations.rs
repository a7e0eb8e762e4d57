//! The Seldon rules behind the platform integrations: storage Secrets a Model names, the
//! rclone remote they hold, and extended resources (GPUs) on Servers. Each test asserts
//! the exact message, the field, and where the rule stops.

mod common;

use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, upstream_server_configs};
use gen_seldon::kinds::*;
use gen_seldon::rules::{
    Located, OwnedInventory as Inventory, SecretInfo, SecretRemote, Severity,
    extended_resource_problems,
};
use gen_seldon::{Metadata, Quantity};

const NS: &str = "team";

fn secret(namespace: &str, name: &str, origin: &str) -> Located<SecretInfo> {
    Located::new(
        SecretInfo {
            namespace: namespace.into(),
            name: name.into(),
            keys: Some(1),
        },
        origin,
    )
}

/// A namespace with a hardened runtime, its rclone Secret, one mlserver Server.
fn base() -> Inventory {
    Inventory {
        controller_namespace: "seldon-system".into(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.into()],
        server_configs: upstream_server_configs(),
        runtimes: vec![Located::new(
            SeldonRuntime::new(
                Metadata::namespaced("seldon", NS),
                SeldonRuntimeSpec {
                    seldon_config: "default".into(),
                    overrides: common::secure_overrides(),
                    config: Some(common::tracing_off()),
                    ..SeldonRuntimeSpec::default()
                },
            ),
            "runtime",
        )],
        servers: vec![Located::new(
            Server::new(
                Metadata::namespaced("mlserver", NS),
                ServerSpec {
                    server_config: "mlserver".into(),
                    replicas: Some(1),
                    min_replicas: Some(1),
                    max_replicas: Some(1),
                    ..ServerSpec::default()
                },
            ),
            "servers[0]",
        )],
        secrets: vec![secret(NS, "seldon-rclone-gs-public", "rclone")],
        install: Install {
            kafka_bootstrap: Some("kafka:9092".into()),
            ..Install::chart_defaults()
        },
        ..Inventory::default()
    }
}

fn with_model(uri: &str, secret_name: Option<&str>) -> Inventory {
    let mut inv = base();
    inv.models.push(Located::new(
        Model::new(
            Metadata::namespaced("iris", NS),
            ModelSpec {
                storage_uri: uri.into(),
                requirements: vec!["sklearn".into()],
                secret_name: secret_name.map(str::to_string),
                ..ModelSpec::default()
            },
        ),
        "models[0]",
    ));
    inv
}

/// (severity, rule, path, message) of every finding.
fn findings(inv: &Inventory) -> Vec<(Severity, &'static str, String, String)> {
    gen_seldon::rules::check(&inv.view())
        .into_iter()
        .map(|d| {
            assert!(d.help.as_deref().is_some_and(|h| !h.is_empty()));
            (d.severity, d.rule.code, d.path, d.message)
        })
        .collect()
}

#[test]
fn model_secret_missing_is_an_error_where_every_secret_is_known() {
    let mut inv = with_model("s3://bucket/iris", Some("s3-reader"));
    inv.secrets_complete = true;
    assert_eq!(
        findings(&inv),
        vec![(
            Severity::Error,
            "model-secret-missing",
            "models[0].secretName".to_string(),
            "Model \"iris\" names Secret \"s3-reader\", but in namespace \"team\" no such Secret is rendered or declared: the agent that loads the Model reads that Secret from the Model's namespace and the load fails without it".to_string(),
        )]
    );
    // A Secret of that name in another namespace does not help.
    inv.secrets.push(secret("other", "s3-reader", "elsewhere"));
    assert_eq!(findings(&inv).len(), 1);
    // One in the Model's namespace does, whatever made it.
    inv.secrets.push(Located::new(
        SecretInfo {
            namespace: NS.into(),
            name: "s3-reader".into(),
            keys: None,
        },
        "external-secret",
    ));
    assert_eq!(findings(&inv), vec![]);
}

#[test]
fn model_secret_missing_is_a_warning_in_a_tree_that_may_not_hold_it() {
    let inv = with_model("s3://bucket/iris", Some("s3-reader"));
    assert!(!inv.secrets_complete);
    let f = findings(&inv);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].0, f[0].1),
        (Severity::Warning, "model-secret-missing")
    );
    assert!(
        f[0].3.ends_with("in namespace \"team\" the tree holds no such Secret (nor an ExternalSecret or SealedSecret that makes it): the agent that loads the Model reads that Secret from the Model's namespace and the load fails without it"),
        "{}",
        f[0].3
    );
    // A Model without secretName needs nothing.
    assert_eq!(findings(&with_model("s3://bucket/iris", None)), vec![]);
}

#[test]
fn rclone_remote_must_be_named_after_the_scheme() {
    let mut inv = with_model("s3://bucket/iris", Some("reader"));
    inv.secrets_complete = true;
    inv.secrets.push(secret(NS, "reader", "storage.secrets[0]"));
    inv.secret_remotes.push(Located::new(
        SecretRemote {
            namespace: NS.into(),
            secret: "reader".into(),
            remote: "gs".into(),
        },
        "storage.secrets[0]",
    ));
    assert_eq!(
        findings(&inv),
        vec![(
            Severity::Error,
            "rclone-remote-mismatch",
            "models[0].secretName".to_string(),
            "Model \"iris\" reads s3:// storage with Secret \"reader\", whose rclone remote is named \"gs\": the agent refuses the download (\"name from URI (s3) does not match secret (gs)\")".to_string(),
        )]
    );
    let d = gen_seldon::rules::check(&inv.view());
    assert_eq!(d[0].related[0].path, "storage.secrets[0]");
    // The remote of another namespace's Secret of that name is not this one.
    inv.secret_remotes[0].object.namespace = "other".into();
    assert_eq!(findings(&inv), vec![]);
    // A matching remote, and an absolute path (no scheme), are fine.
    inv.secret_remotes[0].object = SecretRemote {
        namespace: NS.into(),
        secret: "reader".into(),
        remote: "s3".into(),
    };
    assert_eq!(findings(&inv), vec![]);
    inv.models[0].object.spec.storage_uri = "/mnt/models/iris".into();
    inv.secret_remotes[0].object.remote = "gs".into();
    assert_eq!(findings(&inv), vec![]);
}

fn gpu_server(requests: &[(&str, &str)], limits: &[(&str, &str)]) -> Inventory {
    let map = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Quantity::new(v.to_string())))
            .collect()
    };
    let mut inv = base();
    inv.servers[0].object.spec.server_config = "triton".into();
    inv.servers[0].object.spec.pod_spec = Some(ServerPodSpec {
        containers: vec![ContainerResources {
            name: "triton".into(),
            resources: Resources {
                requests: map(requests),
                limits: map(limits),
            },
        }],
        ..ServerPodSpec::default()
    });
    inv
}

#[test]
fn extended_resources_are_whole_limited_and_not_overcommitted() {
    let gpu = "nvidia.com/gpu";
    // Requests equal to limits, or limits alone (the request defaults to the limit).
    assert_eq!(findings(&gpu_server(&[(gpu, "1")], &[(gpu, "1")])), vec![]);
    assert_eq!(findings(&gpu_server(&[], &[(gpu, "2")])), vec![]);
    let message = |problem: &str| {
        format!(
            "Server \"mlserver\" container \"triton\": nvidia.com/gpu {problem}; Kubernetes never overcommits an extended resource and rejects the pod, so the Server never gets one"
        )
    };
    for (requests, limits, problem) in [
        (
            &[(gpu, "1")][..],
            &[][..],
            "is requested (1) without a limit",
        ),
        (
            &[(gpu, "1")],
            &[(gpu, "2")],
            "is requested 1 but limited to 2",
        ),
        (
            &[(gpu, "500m")],
            &[(gpu, "500m")],
            "is 500m, not a whole number",
        ),
        (&[], &[(gpu, "0.5")], "is 0.5, not a whole number"),
    ] {
        assert_eq!(
            findings(&gpu_server(requests, limits)),
            vec![(
                Severity::Error,
                "server-extended-resource",
                "servers[0].podSpec.containers[0].resources".to_string(),
                message(problem),
            )],
            "{requests:?} {limits:?}"
        );
    }
    // Native resources may be overcommitted (their own rule checks requests <= limits).
    assert_eq!(
        findings(&gpu_server(&[("cpu", "1")], &[("cpu", "2")])),
        vec![]
    );
}

#[test]
fn extended_resource_names_follow_kubernetes() {
    for (name, extended) in [
        ("nvidia.com/gpu", true),
        ("amd.com/gpu", true),
        ("example.com/foo", true),
        ("cpu", false),
        ("memory", false),
        ("hugepages-2Mi", false),
        ("kubernetes.io/foo", false),
        ("requests.nvidia.com/gpu", false),
    ] {
        assert_eq!(
            gen_seldon::rules::is_extended_resource(name),
            extended,
            "{name}"
        );
    }
    // A container without extended resources has no problem to report.
    assert!(extended_resource_problems(&ContainerResources::default()).is_empty());
}
