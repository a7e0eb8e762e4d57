//! The NetworkPolicies of a bundle allow exactly the connections Seldon makes.
//!
//! The test builds the pods that run on a cluster with the bundle (each Seldon component
//! of each SeldonRuntime with its real labels and ports, server pods per Server, the
//! controller, inference clients, Prometheus, Kafka brokers, the cluster DNS, a node-local
//! DNS cache, the API server, an object store on the internet, a tracing collector and pods
//! that should reach nothing), evaluates the rendered NetworkPolicies over every source ×
//! destination × port exactly as Kubernetes does, and compares the result with the table
//! of flows Seldon needs ([`NEEDED`]): every needed flow allowed, every other one denied,
//! except where no policy of the bundle applies (a namespace gen does not manage, or egress
//! when `denyEgress` is off).
//!
//! Kubernetes' rules (networking/v1 NetworkPolicy, "Network Policies" concept page): a pod
//! is isolated for ingress (egress) iff some policy in its namespace selects it and has
//! that policy type (`policyTypes` defaults to Ingress, plus Egress when `egress` is set);
//! a connection is allowed iff the source's egress and the destination's ingress both allow
//! it; a rule without peers or without ports matches every peer or port; a peer is a pod
//! selector (the policy's namespace), a namespace selector, both, or an ipBlock, which also
//! matches pod addresses (as Calico and Cilium do); a port matches by number (up to
//! `endPort`) or by the destination container's port name, and protocol (default TCP).

#[path = "../common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use common::*;
use gen_render::Bundle;
use serde_json::Value;

mod cluster;
mod evaluate;
mod needed;

use cluster::*;
use evaluate::*;
use needed::*;

// ---- the comparison ----

/// Namespaces whose pods the bundle's policies manage: every namespace it renders a
/// NetworkPolicy into.
fn managed(policies: &[Value]) -> BTreeSet<String> {
    policies
        .iter()
        .map(|p| p["metadata"]["namespace"].as_str().unwrap().to_string())
        .collect()
}

/// Every disagreement between the policies and the table, as text.
/// Also returns the rows of [`NEEDED`] that some allowed flow used.
fn disagreements(
    bundle: &Bundle,
    profile: &gen_profile::Profile,
) -> (Vec<String>, BTreeSet<&'static str>) {
    let policies: Vec<Value> = objects(bundle)
        .into_iter()
        .filter(|(_, o)| o["kind"] == "NetworkPolicy")
        .map(|(_, o)| o)
        .collect();
    let s = settings(profile);
    let managed = managed(&policies);
    let endpoints = cluster(bundle, &profile.platform.namespace);
    let mut probe_ports: BTreeSet<(u16, &str)> = endpoints
        .iter()
        .flat_map(|e| e.ports.iter().map(|(p, proto, _)| (*p, *proto)))
        .collect();
    for extra in [22, 4317, 8443, 9091] {
        probe_ports.insert((extra, TCP));
    }
    probe_ports.insert((5353, UDP));
    let deny_egress = profile.security.deny_egress;
    let mut wrong = Vec::new();
    let mut used = BTreeSet::new();
    for src in &endpoints {
        for dst in &endpoints {
            if src.ip == dst.ip {
                continue;
            }
            for &(port, protocol) in &probe_ports {
                let need = needed(src, dst, port, protocol, &s);
                let in_managed =
                    |e: &Endpoint| e.namespace.as_ref().is_some_and(|n| managed.contains(n));
                // Where a policy of the bundle decides, only needed flows; elsewhere open.
                let expected = (need.is_some() || !in_managed(dst))
                    && (need.is_some() || !(deny_egress && in_managed(src)));
                let actual = allowed(&policies, src, dst, port, protocol);
                if actual && let Some(row) = need {
                    used.insert(row);
                }
                if actual != expected {
                    wrong.push(format!(
                        "{} -> {}:{port}/{protocol}: {} but {}",
                        src.id(),
                        dst.id(),
                        if actual { "allowed" } else { "denied" },
                        match need {
                            Some(why) => format!("needed ({why})"),
                            None => "not needed".to_string(),
                        }
                    ));
                }
            }
        }
    }
    (wrong, used)
}

/// Check one profile; the rows it used.
fn check(label: &str, text: &str) -> BTreeSet<&'static str> {
    let loaded = gen_profile::parse(file_of(label), text).unwrap();
    let bundle = gen_render::render_loaded(&loaded).unwrap();
    let (wrong, used) = disagreements(&bundle, &loaded.profile);
    assert!(
        wrong.is_empty(),
        "{label}: {} flows differ from what Seldon needs:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    used
}

fn text(path: &camino::Utf8Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn with_deny_egress(text: &str, on: bool) -> String {
    let mut t = text
        .replace("  denyEgress: true\n", "")
        .replace("  denyEgress: false\n", "");
    t = t.replace("security:\n", &format!("security:\n  denyEgress: {on}\n"));
    if !t.contains("security:\n") {
        t.push_str(&format!("security:\n  denyEgress: {on}\n"));
    }
    t
}

/// Both patterns, both engines, with and without denyEgress; then hodometer on, a
/// tracing collector, the cluster's real addresses, no monitoring and no clients, and a
/// disabled component.
fn variants() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for profile in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        for deny_egress in [false, true] {
            v.push((
                format!("{profile} denyEgress={deny_egress}"),
                with_deny_egress(&text(&profile), deny_egress),
            ));
        }
    }
    let multi = with_deny_egress(&text(&example("multi-tenant")), true);
    // Hodometer switched on in one tenant: its flows appear there only.
    v.push((
        "hodometer on".to_string(),
        multi.replacen(
            "    runtime:\n      config:\n",
            "    runtime:\n      overrides: [{name: hodometer, disable: false}]\n      config:\n",
            1,
        ),
    ));
    // A tracing collector in one tenant: its tracing components may reach it.
    v.push((
        "tracing".to_string(),
        multi.replacen(
            "          consumerGroupIdPrefix: fraud\n",
            "          consumerGroupIdPrefix: fraud\n        tracingConfig: {otelExporterEndpoint: \"otel-collector.observability:4317\"}\n",
            1,
        ),
    ));
    // A collector for every runtime, from the profile.
    v.push((
        "tracing for all".to_string(),
        with_deny_egress(&text(&example("single-team")), true).replacen(
            "seldon:\n",
            "seldon:\n  tracing: {endpoint: \"otel-collector.observability.svc:4317\"}\n",
            1,
        ),
    ));
    // The cluster's real addresses: a node-local DNS cache, the API server's endpoint,
    // object storage in one range; a DNS that also listens on 5353.
    v.push((
        "narrowed".to_string(),
        multi.replacen(
            "security:\n",
            "security:\n  dns: {cidrs: [169.254.20.10/32], ports: [53, 5353]}\n  apiServer: {cidrs: [172.18.0.2/32], ports: [6443]}\n  objectStorage: {cidrs: [142.250.0.0/15], ports: [443]}\n",
            1,
        ),
    ));
    // No monitoring namespace (so no metrics integration), no clients and no Gateway: no
    // metrics, client or gateway flows at all.
    let single = with_deny_egress(&text(&example("single-team")), true)
        .replace("  clientNamespaces: [ingress-nginx]\n", "")
        .replace("  monitoringNamespace: monitoring\n", "")
        .replace(
            "  metrics:\n    labels: {release: kube-prometheus-stack}\n    alerts: true\n",
            "",
        )
        .replace(
            "  gateway:\n    name: public\n    namespace: gateway-system\n    hostnames: [models.example.com]\n",
            "",
        )
        .replace("    hostnames: [market.models.example.com]\n", "");
    assert!(!single.contains("metrics:") && !single.contains("gateway:"));
    // A disabled pipeline gateway: no rule names it.
    let no_pipelines = single.replacen(
        "      - name: seldon-envoy\n",
        "      - name: seldon-pipelinegateway\n        disable: true\n      - name: seldon-envoy\n",
        1,
    );
    v.push(("no monitoring, no clients".to_string(), single));
    v.push(("pipeline gateway disabled".to_string(), no_pipelines));
    v
}

#[test]
fn policies_allow_exactly_the_flows_seldon_needs() {
    let mut used = BTreeSet::new();
    for (label, text) in variants() {
        let rows = check(&label, &text);
        assert!(!rows.is_empty(), "{label}");
        if label == "pipeline gateway disabled" {
            let bundle =
                gen_render::render_loaded(&gen_profile::parse(file_of(&label), &text).unwrap())
                    .unwrap();
            for (path, text) in &bundle.files {
                assert!(
                    !path.contains("/networkpolicy-") || !text.contains("seldon-pipelinegateway"),
                    "{path} names a disabled component"
                );
            }
        }
        used.extend(rows);
    }
    // Every row of the table is a flow some variant allows: the table has no dead rows.
    let unused: Vec<&str> = NEEDED
        .iter()
        .map(|r| r.source)
        .filter(|s| !used.contains(s))
        .collect();
    assert!(unused.is_empty(), "rows no flow used: {unused:?}");
}

#[test]
fn a_policy_that_admits_too_much_is_caught() {
    // The check is not vacuous: the policies of the previous release opened the inference
    // ports of server pods to the gateways, which the table does not need.
    let loaded = gen_profile::parse(
        "p.yaml",
        &with_deny_egress(&text(&example("single-team")), false),
    )
    .unwrap();
    let mut bundle = gen_render::render_loaded(&loaded).unwrap();
    let path = "platform/networkpolicy-allow-seldon-servers.yaml";
    let widened = bundle.files[path].replace(
        "    - port: 9501\n",
        "    - port: 9501\n      protocol: TCP\n    - port: 9000\n",
    );
    assert_ne!(widened, bundle.files[path]);
    bundle.files.insert(path.to_string(), widened);
    let (wrong, _) = disagreements(&bundle, &loaded.profile);
    assert!(
        wrong.iter().any(|w| w.starts_with("Envoy@seldon-system -> Server(\"mlserver\")@seldon-system:9000/TCP: allowed but not needed")),
        "{wrong:?}"
    );
}
