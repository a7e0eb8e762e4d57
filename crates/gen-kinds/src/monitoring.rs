//! Prometheus Operator kinds (`monitoring.coreos.com/v1`) as typed structs, modelled on the
//! CRDs of prometheus-operator v0.93.0: `PodMonitor` and `PrometheusRule`, only the fields
//! gen renders.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::meta::{Kind, Object};

macro_rules! kind {
    ($spec:ty, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = "monitoring.coreos.com/v1";
            const KIND: &'static str = $kind;
        }
    };
}

/// `PodMonitor.spec`: scrape the pods `selector` picks, in the PodMonitor's own namespace
/// (no `namespaceSelector`), on the named container ports of `podMetricsEndpoints`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMonitorSpec {
    pub selector: LabelSelector,
    pub pod_metrics_endpoints: Vec<PodMetricsEndpoint>,
}
kind!(PodMonitorSpec, "PodMonitor");

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
}

/// One scrape endpoint: a container port by name (a pod without a port of that name gives
/// no target) and the HTTP path of its metrics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodMetricsEndpoint {
    pub port: String,
    pub path: String,
}

/// `PrometheusRule.spec`: groups of alerting rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrometheusRuleSpec {
    pub groups: Vec<RuleGroup>,
}
kind!(PrometheusRuleSpec, "PrometheusRule");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleGroup {
    pub name: String,
    pub rules: Vec<AlertRule>,
}

/// An alerting rule: fires when `expr` returns a sample for `for`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertRule {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

pub type PodMonitor = Object<PodMonitorSpec>;
pub type PrometheusRule = Object<PrometheusRuleSpec>;
