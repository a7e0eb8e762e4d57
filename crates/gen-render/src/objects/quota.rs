//! Tenant quotas: every tenant namespace gets a ResourceQuota on requests and pods, from
//! `tenants[].quota`, or else computed from what the namespace runs.
//!
//! The computed quota is what the namespace's SeldonRuntime and Servers request at their
//! largest (`gen_seldon::capacity`), plus one rolling update: the runtime's Deployments
//! (envoy, the gateways, the dataflow engine, hodometer; the scheduler and the Servers are
//! StatefulSets, which replace pods one by one) get no `strategy` from the Seldon controller
//! (`operator/controllers/reconcilers/seldon/deployment_reconciler.go`), so Kubernetes'
//! default applies: up to 25% more pods (rounded up) while they roll, and none unavailable
//! (25%, rounded down, is 0 below 4 replicas). A quota without that room would stop every
//! upgrade of a one-replica component for good.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

use gen_profile::Profile;
use gen_seldon::capacity::{Requests, component_name, cpu_text, memory_text, namespace_capacity};
use gen_seldon::kinds::Component;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec,
};

use super::object_meta;
use crate::folder::{Entry, Folder};
use crate::labels::labels;
use crate::manifest::Manifest;

/// The runtime components the Seldon controller runs as Deployments (the scheduler has a
/// volume claim template, so it is a StatefulSet: `runtime_reconciler.go`).
const DEPLOYMENTS: [Component; 5] = [
    Component::Envoy,
    Component::ModelGateway,
    Component::PipelineGateway,
    Component::DataflowEngine,
    Component::Hodometer,
];

/// What the namespace of `folder` (a runtime folder) needs, with room for one rolling
/// update of every Deployment; and whether a Server may grow past it (autoscaling without
/// `maxReplicas`, counted at its starting size).
pub fn namespace_needs(folder: &Folder, profile: &Profile) -> (Requests, bool) {
    let mut runtime = None;
    let mut servers = Vec::new();
    for e in &folder.entries {
        if let Entry::Object(m) = e {
            match m.as_ref() {
                Manifest::SeldonRuntime(r) => runtime = runtime.or(Some(&r.spec)),
                Manifest::Server(s) => servers.push(s),
                _ => {}
            }
        }
    }
    let capacity = namespace_capacity(
        &folder.namespace,
        runtime,
        servers,
        &crate::settings::server_configs(profile),
        crate::settings::install(profile).server_autoscaling,
    );
    let surge: Requests = capacity
        .parts
        .iter()
        .filter(|p| DEPLOYMENTS.iter().any(|c| component_name(*c) == p.name))
        .map(|p| p.per_pod.times(p.replicas.div_ceil(4)))
        .sum();
    (capacity.total() + surge, capacity.unbounded())
}

/// The `hard` limits of a tenant's ResourceQuota: the profile's, else the namespace's
/// needs.
pub fn quota_hard(
    quota: Option<&gen_profile::Quota>,
    folder: &Folder,
    profile: &Profile,
) -> BTreeMap<String, K8sQuantity> {
    let mut hard = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        hard.insert(k.to_string(), K8sQuantity(v));
    };
    match quota {
        Some(q) => {
            if let Some(cpu) = &q.cpu {
                set("requests.cpu", cpu.to_string());
            }
            if let Some(memory) = &q.memory {
                set("requests.memory", memory.to_string());
            }
            if let Some(pods) = q.pods {
                set("pods", pods.to_string());
            }
        }
        None => {
            let (needs, _) = namespace_needs(folder, profile);
            set("requests.cpu", cpu_text(needs.cpu_millis));
            set("requests.memory", memory_text(needs.memory_bytes));
            set("pods", needs.pods.to_string());
        }
    }
    hard
}

/// The name of every tenant's ResourceQuota.
pub const QUOTA_NAME: &str = "tenant-quota";

/// A tenant's ResourceQuota with `hard` limits, and its LimitRange.
pub fn quota(ns: &str, part_of: &str, hard: BTreeMap<String, K8sQuantity>) -> Vec<Manifest> {
    let defaults: BTreeMap<String, K8sQuantity> = [
        ("cpu".to_string(), K8sQuantity("100m".to_string())),
        ("memory".to_string(), K8sQuantity("128Mi".to_string())),
    ]
    .into();
    vec![
        Manifest::ResourceQuota(ResourceQuota {
            metadata: object_meta(QUOTA_NAME, Some(ns), labels(part_of, "quota", None)),
            spec: Some(ResourceQuotaSpec {
                hard: Some(hard),
                ..ResourceQuotaSpec::default()
            }),
            ..ResourceQuota::default()
        }),
        // Under a requests quota every container must state requests; this gives the
        // ones that do not a default instead of a rejected pod.
        Manifest::LimitRange(LimitRange {
            metadata: object_meta("tenant-defaults", Some(ns), labels(part_of, "quota", None)),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".to_string(),
                    default_request: Some(defaults),
                    ..LimitRangeItem::default()
                }],
            }),
        }),
    ]
}
