//! The platform integrations' objects in a runtime namespace (`integrations:` in the
//! profile; each is off unless listed): the HTTPRoute from the platform's Gateway to
//! seldon-mesh, the PodMonitors of the Seldon components and servers, the alerts of the
//! applications' Models, and the ExternalSecrets that produce the storage Secrets Models
//! name (`storage`).

use std::collections::BTreeMap;

use gen_kinds::gateway::{
    BackendRef, HeaderMatch, HttpRouteMatch, HttpRouteRule, HttpRouteSpec, MAX_MATCHES_PER_RULE,
    ParentRef, PathMatch,
};
use gen_kinds::monitoring::{
    AlertRule, LabelSelector, PodMetricsEndpoint, PodMonitorSpec, PrometheusRuleSpec, RuleGroup,
};
use gen_profile::{Application, Profile, RuntimeSettings, ServerEntry};
use gen_seldon::kinds::Component;
use gen_seldon::{Metadata, Object};

use crate::labels::labels;
use crate::manifest::Manifest;
use crate::objects::network::{NAME, SERVER, component_enabled, component_name};

pub mod kafka;
pub mod storage;

/// The seldon-mesh Service (envoy) every route leads to, and its HTTP port (→ envoy 9000).
pub const MESH_SERVICE: &str = "seldon-mesh";
pub const MESH_PORT: u16 = 80;
/// The name of the route of a runtime namespace.
pub const RUNTIME_ROUTE: &str = "seldon-mesh";
/// The request header envoy routes by (FACTS §1).
pub const MODEL_HEADER: &str = "Seldon-Model";

fn metadata(name: &str, ns: &str, part_of: &str, extra: &BTreeMap<String, String>) -> Metadata {
    let mut m = Metadata::namespaced(name, ns);
    let mut l = labels(part_of, "integration", None);
    l.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    m.labels = l.into();
    m
}

/// The HTTPRoute of a runtime namespace: every request the Gateway accepts for
/// `hostnames` (none: every hostname of the listener) goes to seldon-mesh, where envoy
/// routes it by its Seldon-Model header.
pub fn runtime_route(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    hostnames: &[String],
) -> Option<Manifest> {
    let gw = profile.integrations.gateway.as_ref()?;
    let hostnames = if hostnames.is_empty() {
        &gw.hostnames
    } else {
        hostnames
    };
    Some(Manifest::HttpRoute(Object::new(
        metadata(RUNTIME_ROUTE, ns, part_of, &BTreeMap::new()),
        HttpRouteSpec {
            parent_refs: vec![parent(gw)],
            hostnames: hostnames.to_vec(),
            rules: vec![HttpRouteRule {
                matches: vec![HttpRouteMatch {
                    path: PathMatch::prefix("/"),
                    headers: Vec::new(),
                }],
                backend_refs: vec![BackendRef::service(MESH_SERVICE, None, MESH_PORT)],
            }],
        },
    )))
}

fn parent(gw: &gen_profile::integrations::Gateway) -> ParentRef {
    ParentRef::gateway(&gw.name, Some(&gw.namespace), gw.section_name.as_deref())
}

/// The Seldon-Model header values that call an application's Models, Pipelines and
/// Experiments: `<model>`, `<pipeline>.pipeline`, `<experiment>.experiment` (FACTS §1).
pub fn header_values(app: &Application) -> Vec<String> {
    app.models
        .iter()
        .map(|m| m.name.clone())
        .chain(app.pipelines.iter().map(|p| format!("{}.pipeline", p.name)))
        .chain(
            app.experiments
                .iter()
                .map(|x| format!("{}.experiment", x.name)),
        )
        .collect()
}

/// An application's own route (when it sets `hostnames`): only requests whose Seldon-Model
/// header names one of its Models, Pipelines or Experiments, for its hostnames. Matches are
/// split into rules of at most 64 (the CRD's limit; the rule `route-too-many-matches`
/// keeps the total within 128).
pub fn application_route(profile: &Profile, ns: &str, app: &Application) -> Option<Manifest> {
    let gw = profile.integrations.gateway.as_ref()?;
    if app.hostnames.is_empty() {
        return None;
    }
    let matches: Vec<HttpRouteMatch> = header_values(app)
        .iter()
        .map(|v| HttpRouteMatch {
            path: PathMatch::prefix("/"),
            headers: vec![HeaderMatch::exact(MODEL_HEADER, v)],
        })
        .collect();
    if matches.is_empty() {
        return None;
    }
    let rules = matches
        .chunks(MAX_MATCHES_PER_RULE)
        .map(|c| HttpRouteRule {
            matches: c.to_vec(),
            backend_refs: vec![BackendRef::service(MESH_SERVICE, None, MESH_PORT)],
        })
        .collect();
    Some(Manifest::HttpRoute(Object::new(
        metadata(
            &format!("app-{}", app.name),
            ns,
            &app.name,
            &BTreeMap::new(),
        ),
        HttpRouteSpec {
            parent_refs: vec![parent(gw)],
            hostnames: app.hostnames.clone(),
            rules,
        },
    )))
}

/// The metrics ports the PodMonitors scrape, by container port name (setup chart):
/// envoy `envoy-stats` (9003, /stats/prometheus), the pipeline gateway's `metrics` (9006),
/// a server pod's agent `metrics` (9006) and its inference container's `server-metrics`
/// (MLServer 8082, Triton 8002).
pub mod metric_ports {
    pub const ENVOY: (&str, &str) = ("envoy-stats", "/stats/prometheus");
    pub const PIPELINE_GATEWAY: (&str, &str) = ("metrics", "/metrics");
    pub const AGENT: (&str, &str) = ("metrics", "/metrics");
    pub const INFERENCE: (&str, &str) = ("server-metrics", "/metrics");
}

/// The PodMonitors of a runtime namespace: envoy and the pipeline gateway where they run,
/// the server pods where there are Servers.
pub fn pod_monitors(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    settings: Option<&RuntimeSettings>,
    servers: &[ServerEntry],
) -> Vec<Manifest> {
    let Some(metrics) = profile.integrations.metrics.as_ref() else {
        return Vec::new();
    };
    let monitor = |name: &str, pods: &str, endpoints: &[(&str, &str)]| {
        Manifest::PodMonitor(Object::new(
            metadata(name, ns, part_of, &metrics.labels),
            PodMonitorSpec {
                selector: LabelSelector {
                    match_labels: [(NAME.to_string(), pods.to_string())].into(),
                },
                pod_metrics_endpoints: endpoints
                    .iter()
                    .map(|(port, path)| PodMetricsEndpoint {
                        port: port.to_string(),
                        path: path.to_string(),
                    })
                    .collect(),
            },
        ))
    };
    let mut out = Vec::new();
    for (c, port) in [
        (Component::Envoy, metric_ports::ENVOY),
        (Component::PipelineGateway, metric_ports::PIPELINE_GATEWAY),
    ] {
        if component_enabled(settings, c) {
            let name = component_name(c);
            out.push(monitor(name, name, &[port]));
        }
    }
    if !servers.is_empty() {
        out.push(monitor(
            SERVER,
            SERVER,
            &[metric_ports::AGENT, metric_ports::INFERENCE],
        ));
    }
    out
}

/// An application's alerts (`metrics.alerts`): one per Model, firing when no server
/// replica has reported the Model loaded for 10 minutes. The agent sets
/// `seldon_loaded_model_gauge{model_internal="<model>_<version>"}` to 1 while a replica
/// holds a version (scheduler/pkg/metrics/agent.go).
pub fn model_alerts(profile: &Profile, ns: &str, app: &Application) -> Option<Manifest> {
    let metrics = profile.integrations.metrics.as_ref()?;
    if !metrics.alerts || app.models.is_empty() {
        return None;
    }
    let rules = app
        .models
        .iter()
        .map(|m| AlertRule {
            alert: "SeldonModelNotLoaded".to_string(),
            expr: format!(
                "absent(max(seldon_loaded_model_gauge{{namespace=\"{ns}\", model_internal=~\"{}_[0-9]+\"}}) == 1)",
                m.name
            ),
            for_: "10m".to_string(),
            labels: [("severity".to_string(), "warning".to_string())].into(),
            annotations: [
                (
                    "summary".to_string(),
                    format!("Model {ns}/{} is not loaded on any server replica", m.name),
                ),
                (
                    "description".to_string(),
                    format!(
                        "No replica of the Server that Model {} is scheduled on has reported it loaded for 10 minutes: see `kubectl -n {ns} describe model {}`.",
                        m.name, m.name
                    ),
                ),
            ]
            .into(),
        })
        .collect();
    Some(Manifest::PrometheusRule(Object::new(
        metadata(
            &format!("app-{}-models", app.name),
            ns,
            &app.name,
            &metrics.labels,
        ),
        PrometheusRuleSpec {
            groups: vec![RuleGroup {
                name: format!("seldon-{}", app.name),
                rules,
            }],
        },
    )))
}
