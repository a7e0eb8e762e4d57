//! One test per Seldon rule, each asserting the exact message, field and origin.

use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, upstream_server_configs};
use gen_seldon::kinds::*;
use gen_seldon::rules::{
    Located, OwnedInventory as Inventory, QuotaInfo, QuotaLimit, SecretInfo, Severity,
};

#[path = "../common/mod.rs"]
mod common;
mod kafka;
mod placement;
mod references;
mod runtime;

use common::{secure_overrides, tracing_off};
use references::*;

/// A finding as these tests read it: the rule's code, the object's origin and the field
/// below it.
#[derive(Debug, PartialEq)]
struct Finding {
    severity: Severity,
    rule: &'static str,
    origin: String,
    field: String,
    message: String,
    help: String,
}

/// Every origin of the inventory's objects, as a path.
fn origins(inv: &Inventory) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    all.extend(inv.runtimes.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.servers.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.models.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.pipelines.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.experiments.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.secrets.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.quotas.iter().map(|l| l.origin.path_of("")));
    all.extend(inv.kafka_users.iter().map(|l| l.origin.path_of("")));
    all
}

fn check(inv: &Inventory) -> Vec<Finding> {
    gen_seldon::rules::check(&inv.view())
        .into_iter()
        .map(|d| {
            // The longest origin of the inventory that the path starts with.
            let origin = origins(inv)
                .into_iter()
                .filter(|o| d.path == *o || d.path.starts_with(&format!("{o}.")))
                .max_by_key(|o| o.len())
                .unwrap_or_default();
            let field = d.path[origin.len()..].trim_start_matches('.');
            Finding {
                severity: d.severity,
                rule: d.rule.code,
                origin: origin.to_string(),
                field: field.to_string(),
                message: d.message.clone(),
                help: d.help.clone().unwrap_or_default(),
            }
        })
        .collect()
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
