//! ResourceQuotas too small for what a runtime namespace runs.

use std::collections::HashMap;

use super::{Inventory, Out};
use crate::capacity::{Capacity, amount_text, namespace_capacity};
use crate::kinds::Server;

/// A ResourceQuota refuses every pod that would take the namespace past a hard limit, so
/// a quota below what the namespace's SeldonRuntime and Servers request (with the Servers
/// at their largest, [`crate::capacity`]) leaves some of them without pods for good.
pub(super) fn check_quotas(inv: &Inventory, out: &mut Out) {
    if inv.quotas.is_empty() {
        return;
    }
    // The runtime (the first) and the Servers of each namespace, found once.
    let mut runtimes = HashMap::new();
    for r in &inv.runtimes {
        runtimes
            .entry(r.object.namespace())
            .or_insert(&r.object.spec);
    }
    let mut servers: HashMap<&str, Vec<&Server>> = HashMap::new();
    for s in &inv.servers {
        servers
            .entry(s.object.namespace())
            .or_default()
            .push(s.object);
    }
    for q in &inv.quotas {
        let ns = q.object.namespace.as_str();
        let runtime = runtimes.get(ns).copied();
        let servers = servers.get(ns).map_or(&[][..], Vec::as_slice);
        if runtime.is_none() && servers.is_empty() {
            continue;
        }
        let capacity = namespace_capacity(
            ns,
            runtime,
            servers.iter().copied(),
            &inv.server_configs,
            inv.install.server_autoscaling,
        );
        let total = capacity.total();
        for limit in &q.object.hard {
            let Some(need) = total.get(&limit.resource) else {
                continue;
            };
            let Ok(value) = limit.value.value() else {
                continue;
            };
            let scale = if limit.resource.ends_with("cpu") {
                1000.0
            } else {
                1.0
            };
            let allowed = (value * scale).floor() as u64;
            if need <= allowed {
                continue;
            }
            out.error(
                "quota-too-small",
                &q.origin,
                limit.field.as_str(),
                format!(
                    "ResourceQuota {:?} in namespace {ns:?} allows {} {}, but the namespace's SeldonRuntime and Servers need {}{}: {}; the quota refuses the pods past it, so they would never start",
                    q.object.name,
                    limit.resource,
                    limit.value,
                    if capacity.unbounded() { "at least " } else { "" },
                    amount_text(&limit.resource, need),
                    parts(&capacity, &limit.resource),
                ),
                format!(
                    "raise {} to at least {}, or run fewer or smaller Servers",
                    limit.resource,
                    amount_text(&limit.resource, need)
                ),
            );
        }
    }
}

/// `seldon-scheduler 1 × 1Gi, …, Server mlserver 2 × 2.13Gi` for one resource.
fn parts(capacity: &Capacity, resource: &str) -> String {
    capacity
        .parts
        .iter()
        .filter(|p| p.replicas > 0)
        .map(|p| {
            let each = p.per_pod.get(resource).unwrap_or(0);
            let unbounded = if p.unbounded { " (no maxReplicas)" } else { "" };
            if resource.ends_with("pods") {
                format!("{} {}{unbounded}", p.name, p.replicas)
            } else {
                format!(
                    "{} {} × {}{unbounded}",
                    p.name,
                    p.replicas,
                    amount_text(resource, each)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
