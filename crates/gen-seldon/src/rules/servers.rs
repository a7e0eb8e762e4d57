//! Servers: their ServerConfig, replica bounds, and what each can hold, as the scheduler
//! sees it (the [`ServerView`] the Model rules place Models on).

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Origin, Out};
use crate::capacity::{merged_containers, server_scale};
use crate::kinds::Server;

pub(super) static SERVER_CONFIG_UNKNOWN: Rule = Rule::new(
    Stage::Seldon,
    "server-config-unknown",
    Severity::Error,
    "a Server's serverConfig exists in the controller namespace",
    "The controller reads a Server's ServerConfig from its own namespace (the setup chart's \
release namespace), never from the Server's (GetServerConfigForServer). The setup chart \
installs `mlserver` and `triton`; any other must be installed there too. A Server naming \
an unknown ServerConfig gets no StatefulSet.

Fix: use mlserver or triton, or install the ServerConfig in the controller namespace and \
declare it under platform.serverConfigs.",
);

pub(super) static REPLICA_BOUNDS: Rule = Rule::new(
    Stage::Seldon,
    "replica-bounds",
    Severity::Error,
    "minReplicas <= replicas <= maxReplicas, none negative",
    "The controller validates every Model's and Server's scaling spec \
(GetValidatedScalingSpec): replicas defaults to 1 (to minReplicas when only that is set), \
maxReplicas 0 means unbounded, and minReplicas <= replicas <= maxReplicas must hold. \
Otherwise the object is marked Failed, a terminal state.

Fix: make the three numbers consistent.",
);

/// A Server as the scheduler sees it.
pub(super) struct ServerView<'a> {
    pub(super) name: &'a str,
    pub(super) namespace: &'a str,
    /// `None` when the ServerConfig is unknown (already reported): matches anything.
    pub(super) capabilities: Option<Vec<String>>,
    /// Bytes a replica can hold, `None` when unknown.
    pub(super) capacity: Option<f64>,
    pub(super) capacity_note: String,
    /// The replicas it starts with.
    pub(super) replicas: u64,
    /// The most replicas it may run, `None` when it autoscales without a bound.
    pub(super) most: Option<u64>,
}

pub(super) fn check_replicas(
    origin: &Origin,
    kind: &str,
    name: &str,
    replicas: Option<i32>,
    min: Option<i32>,
    max: Option<i32>,
    out: &mut Out,
) {
    for (field, value) in [
        ("replicas", replicas),
        ("minReplicas", min),
        ("maxReplicas", max),
    ] {
        if let Some(v) = value
            && v < 0
        {
            out.report(
                &REPLICA_BOUNDS,
                origin,
                field,
                format!("{kind} {name:?} has {field} {v}; replica counts cannot be negative"),
                "use 0 or more",
            );
            return;
        }
    }
    let min_v = min.unwrap_or(0);
    let replicas_v = replicas.unwrap_or(if min_v > 0 { min_v } else { 1 });
    let max_v = max.unwrap_or(0);
    if min_v > replicas_v {
        out.report(
            &REPLICA_BOUNDS,
            origin,
            "minReplicas",
            format!(
                "{kind} {name:?} has minReplicas {min_v} above replicas {replicas_v}; Seldon requires minReplicas <= replicas <= maxReplicas and marks the {kind} Failed otherwise"
            ),
            "lower minReplicas or raise replicas",
        );
    } else if max_v > 0 && replicas_v > max_v {
        out.report(
            &REPLICA_BOUNDS,
            origin,
            "maxReplicas",
            format!(
                "{kind} {name:?} has replicas {replicas_v} above maxReplicas {max_v}; Seldon requires minReplicas <= replicas <= maxReplicas and marks the {kind} Failed otherwise"
            ),
            "raise maxReplicas (0 means unbounded) or lower replicas",
        );
    }
}

pub(super) fn check_servers<'a>(inv: &Inventory<'a>, out: &mut Out) -> Vec<ServerView<'a>> {
    let mut views = Vec::new();
    for l in &inv.servers {
        let s: &'a Server = l.object;
        let spec = &s.spec;
        check_replicas(
            &l.origin,
            "Server",
            s.name(),
            spec.replicas,
            spec.min_replicas,
            spec.max_replicas,
            out,
        );
        let config = inv
            .server_configs
            .iter()
            .find(|c| c.name == spec.server_config);
        if config.is_none() {
            let known: Vec<&str> = inv.server_configs.iter().map(|c| c.name.as_str()).collect();
            out.report(
                &SERVER_CONFIG_UNKNOWN,
                &l.origin,
                "serverConfig",
                format!(
                    "ServerConfig {:?} does not exist in the controller namespace {:?}; the controller reads a Server's ServerConfig from its own namespace, never the Server's",
                    spec.server_config, inv.controller_namespace
                ),
                format!("use one of: {}", known.join(", ")),
            );
        }
        let capabilities = config.map(|c| {
            if !spec.capabilities.is_empty() {
                spec.capabilities.clone()
            } else {
                let mut caps = c.capabilities.clone();
                caps.extend(spec.extra_capabilities.iter().cloned());
                caps
            }
        });
        let (capacity, capacity_note) = match config {
            None => (None, String::new()),
            Some(c) => {
                // The inference container after the Server's podSpec is merged in.
                let request = merged_containers(c, spec)
                    .into_iter()
                    .find(|k| k.name == c.container)
                    .and_then(|k| k.resources.requests.get("memory").cloned());
                match request.as_ref().map(|q| (q.value(), q)) {
                    Some((Ok(v), q)) => (
                        Some(v * (1.0 + c.overcommit_percent / 100.0)),
                        format!(
                            "{} request {q} + {}% overcommit",
                            c.container, c.overcommit_percent
                        ),
                    ),
                    // No request that says what a replica holds: not judged.
                    _ => (None, String::new()),
                }
            }
        };
        let scale = server_scale(spec, inv.install.server_autoscaling);
        views.push(ServerView {
            name: s.name(),
            namespace: s.namespace(),
            capabilities,
            capacity,
            capacity_note,
            replicas: scale.replicas,
            most: scale.most,
        });
    }
    views
}
