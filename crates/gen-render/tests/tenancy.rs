//! Every tenant namespace gets a ResourceQuota and a LimitRange. Without `quota` in the
//! profile, the quota admits exactly what the namespace runs, read back from the rendered
//! SeldonRuntime and Servers (`gen_seldon::capacity`), during a rolling update of every
//! Deployment at once, as Kubernetes' quota admission counts it.

mod common;

use std::collections::BTreeMap;

use common::*;
use gen_seldon::capacity::namespace_capacity;
use gen_seldon::{SeldonRuntime, Server};
use serde_json::Value;

fn render(label: &str, text: &str) -> (gen_profile::Profile, Vec<(String, Value)>) {
    let loaded = gen_profile::parse(file_of(label), text).unwrap();
    let bundle = gen_render::render_loaded(&loaded).unwrap();
    (loaded.profile, objects(&bundle))
}

fn of<'a>(objs: &'a [(String, Value)], kind: &str, ns: &str) -> Vec<&'a Value> {
    objs.iter()
        .filter(|(_, o)| o["kind"] == kind && o["metadata"]["namespace"] == ns)
        .map(|(_, o)| o)
        .collect()
}

/// Every dedicated profile, as written and with every tenant's `quota` removed.
fn profiles() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for path in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        let without: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("quota:"))
            .map(|l| format!("{l}\n"))
            .collect();
        v.push((path.to_string(), text.clone()));
        if without != text {
            v.push((format!("{path} without quota"), without));
        }
    }
    v
}

#[test]
fn every_tenant_namespace_has_a_quota_and_defaults() {
    let mut tenants = 0;
    for (label, text) in profiles() {
        let (profile, objs) = render(&label, &text);
        for t in &profile.tenants {
            tenants += 1;
            let quotas = of(&objs, "ResourceQuota", &t.namespace);
            assert_eq!(quotas.len(), 1, "{label}: {}", t.namespace);
            let hard = quotas[0]["spec"]["hard"].as_object().unwrap();
            assert!(!hard.is_empty(), "{label}: {}", t.namespace);
            let limits = of(&objs, "LimitRange", &t.namespace);
            assert_eq!(limits.len(), 1, "{label}: {}", t.namespace);
            // Containers without requests get defaults instead of being refused.
            let item = &limits[0]["spec"]["limits"][0];
            assert_eq!(item["type"], "Container");
            assert!(item["defaultRequest"]["cpu"].is_string());
            assert!(item["defaultRequest"]["memory"].is_string());
        }
    }
    assert!(tenants >= 8, "{tenants}");
}

fn quantity(v: &Value) -> f64 {
    gen_seldon::Quantity::new(v.as_str().unwrap())
        .value()
        .unwrap()
}

#[test]
fn a_computed_quota_admits_a_rolling_update_of_everything_and_no_more() {
    let mut checked = 0;
    for (label, text) in profiles()
        .into_iter()
        .filter(|(l, _)| l.ends_with("without quota"))
    {
        let (profile, objs) = render(&label, &text);
        let configs = gen_render::settings::server_configs(&profile);
        let autoscaling = gen_render::settings::install(&profile).server_autoscaling;
        for t in &profile.tenants {
            let ns = t.namespace.as_str();
            let runtime: SeldonRuntime =
                serde_json::from_value(of(&objs, "SeldonRuntime", ns)[0].clone()).unwrap();
            let servers: Vec<Server> = of(&objs, "Server", ns)
                .into_iter()
                .map(|s| serde_json::from_value(s.clone()).unwrap())
                .collect();
            let capacity = namespace_capacity(
                ns,
                Some(&runtime.spec),
                servers.iter(),
                &configs,
                autoscaling,
            );
            // Kubernetes' Deployment default (the Seldon controller sets no strategy):
            // maxSurge 25% rounded up. The scheduler and Servers are StatefulSets.
            let statefulsets = ["seldon-scheduler"];
            let mut need: BTreeMap<&str, f64> = BTreeMap::new();
            for part in &capacity.parts {
                let surge = if part.name.starts_with("Server ")
                    || statefulsets.contains(&part.name.as_str())
                {
                    0
                } else {
                    part.replicas.div_ceil(4)
                };
                let pods = (part.replicas + surge) as f64;
                *need.entry("requests.cpu").or_default() +=
                    pods * part.per_pod.cpu_millis as f64 / 1000.0;
                *need.entry("requests.memory").or_default() +=
                    pods * part.per_pod.memory_bytes as f64;
                *need.entry("pods").or_default() += pods;
            }
            let quota = of(&objs, "ResourceQuota", ns)[0];
            for (resource, needed) in need {
                let hard = quantity(&quota["spec"]["hard"][resource]);
                // Admitted, and tight: memory is written rounded up to two decimals.
                assert!(
                    hard >= needed - 1e-9,
                    "{label}: {ns} {resource} {hard} < {needed}"
                );
                let slack = if resource == "requests.memory" {
                    0.01 * (1u64 << 30) as f64
                } else {
                    1e-9
                };
                assert!(
                    hard - needed <= slack,
                    "{label}: {ns} {resource} {hard} ≫ {needed}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked}");
}
