//! Where a Server's pods can run: extended resources such as GPUs, which Kubernetes never
//! overcommits.

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Out};
use crate::capacity::merged_containers;
use crate::kinds::ContainerResources;

pub(super) static SERVER_EXTENDED_RESOURCE: Rule = Rule::new(
    Stage::Seldon,
    "server-extended-resource",
    Severity::Error,
    "a Server's extended resources (nvidia.com/gpu) are whole numbers, limited, with requests equal to limits",
    "Kubernetes never overcommits an extended resource (a name with a domain other than \
kubernetes.io, such as nvidia.com/gpu): the API server rejects a container whose request \
for one is not a whole number, has no limit, or differs from its limit \
(ValidateResourceRequirements). The controller merges a Server's podSpec into its \
ServerConfig container by container and key by key, so the StatefulSet it creates carries \
the merged values, and no pod of the Server is ever created.

Fix: give the GPU count as a whole number in both requests and limits of the inference \
container (a profile's Server `gpu` does).",
);

/// Whether `name` is an extended resource as Kubernetes defines it
/// (`IsExtendedResourceName`): qualified with a domain that is not kubernetes.io, and not
/// a quota's `requests.` name.
pub fn is_extended_resource(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

/// Every extended resource of every container of every Server, after the merge with its
/// ServerConfig.
pub(super) fn check_extended_resources(inv: &Inventory, out: &mut Out) {
    for l in &inv.servers {
        let s = l.object;
        let spec = &s.spec;
        let Some(own) = spec.pod_spec.as_ref().map(|p| &p.containers) else {
            continue;
        };
        let merged = match inv
            .server_configs
            .iter()
            .find(|c| c.name == spec.server_config)
        {
            Some(config) => merged_containers(config, spec),
            None => own.clone(),
        };
        for c in &merged {
            let Some(index) = own.iter().position(|o| o.name == c.name) else {
                // The ServerConfig's own container, untouched by this Server.
                continue;
            };
            for (key, problem) in extended_resource_problems(c) {
                out.report(
                    &SERVER_EXTENDED_RESOURCE,
                    &l.origin,
                    format!("podSpec.containers[{index}].resources"),
                    format!(
                        "Server {:?} container {:?}: {key} {problem}; Kubernetes never overcommits an extended resource and rejects the pod, so the Server never gets one",
                        s.name(),
                        c.name
                    ),
                    format!(
                        "set {key} to the same whole number in both requests and limits of container {:?}",
                        c.name
                    ),
                );
            }
        }
    }
}

/// The extended resources of a container that the API server would refuse, and why.
pub fn extended_resource_problems(c: &ContainerResources) -> Vec<(String, String)> {
    let r = &c.resources;
    let mut problems = Vec::new();
    let names = r
        .requests
        .keys()
        .chain(r.limits.keys())
        .filter(|k| is_extended_resource(k));
    let mut seen = std::collections::BTreeSet::new();
    for key in names {
        if !seen.insert(key.clone()) {
            continue;
        }
        let (request, limit) = (r.requests.get(key), r.limits.get(key));
        let whole = |q: &crate::quantity::Quantity| {
            q.value()
                .is_ok_and(|v| v.fract() == 0.0 && v >= 0.0 && v.is_finite())
        };
        if let Some(q) = request.into_iter().chain(limit).find(|q| !whole(q)) {
            problems.push((key.clone(), format!("is {q}, not a whole number")));
            continue;
        }
        match (request, limit) {
            (Some(rq), None) => {
                problems.push((key.clone(), format!("is requested ({rq}) without a limit")))
            }
            (Some(rq), Some(lim)) if rq.value().ok() != lim.value().ok() => problems.push((
                key.clone(),
                format!("is requested {rq} but limited to {lim}"),
            )),
            _ => {}
        }
    }
    problems
}
