//! Server containers whose requests exceed their limits once merged with the ServerConfig
//! (FACTS §9.2).

use super::{Inventory, Out};
use crate::capacity::merged_containers;

/// The controller merges a Server's `podSpec` into its ServerConfig's container by
/// container and key by key (`MergeContainers`, mergo `WithOverride`): a request the
/// Server raises keeps the ServerConfig's limit. The setup chart limits every container's
/// memory to its request (1Gi for mlserver and triton), so `requests.memory: 8Gi` alone
/// gives pods that request more than their limit, which the API server rejects: the
/// StatefulSet never gets a pod.
pub(super) fn check_server_limits(inv: &Inventory, out: &mut Out) {
    for l in &inv.servers {
        let s = l.object;
        let spec = &s.spec;
        let Some(config) = inv
            .server_configs
            .iter()
            .find(|c| c.name == spec.server_config)
        else {
            continue;
        };
        let overrides = spec
            .pod_spec
            .as_ref()
            .map_or(&[][..], |p| &p.containers[..]);
        for c in merged_containers(config, spec) {
            for (key, request) in &c.resources.requests {
                let Some(limit) = c.resources.limits.get(key) else {
                    continue;
                };
                let (Ok(r), Ok(m)) = (request.value(), limit.value()) else {
                    continue;
                };
                if r <= m {
                    continue;
                }
                let index = overrides.iter().position(|o| o.name == c.name);
                let set_here = |limits: bool| {
                    index.is_some_and(|i| {
                        let r = &overrides[i].resources;
                        if limits { &r.limits } else { &r.requests }.contains_key(key)
                    })
                };
                let (sets_request, sets_limit) = (set_here(false), set_here(true));
                if !sets_request && !sets_limit {
                    // The ServerConfig's own values: not this Server's doing.
                    continue;
                }
                let what = if sets_request { "requests" } else { "limits" };
                let field = format!(
                    "podSpec.containers[{}].resources.{what}.{key}",
                    index.unwrap_or_default()
                );
                let from = |set_here: bool| {
                    if set_here {
                        "set on the Server".to_string()
                    } else {
                        format!("from ServerConfig {:?}", config.name)
                    }
                };
                out.error(
                    "server-requests-over-limits",
                    &l.origin,
                    field,
                    format!(
                        "Server {:?} container {:?} requests {key} {request} ({}) but is limited to {limit} ({}): the controller merges a Server's podSpec into its ServerConfig key by key, and Kubernetes rejects every pod whose requests exceed its limits, so the Server never gets a pod",
                        s.name(),
                        c.name,
                        from(sets_request),
                        from(sets_limit),
                    ),
                    format!("set limits.{key} on container {:?} too, at least as high as the request", c.name),
                );
            }
        }
    }
}
