//! What a runtime namespace needs from the cluster: the CPU and memory requests and the
//! pods of its SeldonRuntime's components and of its Servers at their largest.
//!
//! The numbers come from the setup chart's values (see [`crate::catalog`]): a runtime runs
//! one pod per replica of each component it does not disable (scheduler, envoy × its
//! replicas, model and pipeline gateways, dataflow engine, hodometer), and each Server
//! runs one pod per replica with the containers of its ServerConfig, merged with the
//! Server's own `podSpec` the way the controller merges them. A Server that autoscales
//! counts with its `maxReplicas`.
//!
//! [`namespace_capacity`] is the one entry point: the quota rule checks a ResourceQuota
//! against it, and a default quota can be computed from it.

use std::fmt;

use crate::catalog::{COMPONENTS, ServerConfigInfo, component_resources};
use crate::kinds::{
    Component, ContainerResources, Resources, SeldonRuntimeSpec, Server, ServerSpec,
};

/// CPU (millicores), memory (bytes) and pods. Exact integers, so sums do not drift.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requests {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub pods: u64,
}

impl std::ops::Add for Requests {
    type Output = Requests;
    fn add(self, o: Requests) -> Requests {
        Requests {
            cpu_millis: self.cpu_millis.saturating_add(o.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_add(o.memory_bytes),
            pods: self.pods.saturating_add(o.pods),
        }
    }
}

impl std::iter::Sum for Requests {
    fn sum<I: Iterator<Item = Requests>>(iter: I) -> Requests {
        iter.fold(Requests::default(), |a, b| a + b)
    }
}

impl Requests {
    /// `self` for each of `n` pods.
    pub fn times(self, n: u64) -> Requests {
        Requests {
            cpu_millis: self.cpu_millis.saturating_mul(n),
            memory_bytes: self.memory_bytes.saturating_mul(n),
            pods: self.pods.saturating_mul(n),
        }
    }

    /// One pod with these containers. A container that sets a limit but no request for a
    /// resource requests its limit (the API server defaults it so).
    pub fn of_pod<'a>(containers: impl IntoIterator<Item = &'a Resources>) -> Requests {
        let mut r = Requests {
            pods: 1,
            ..Requests::default()
        };
        for c in containers {
            let amount = |key: &str, scale: f64| -> u64 {
                c.requests
                    .get(key)
                    .or_else(|| c.limits.get(key))
                    .and_then(|q| q.value().ok())
                    .map_or(0, |v| (v * scale).ceil() as u64)
            };
            r.cpu_millis = r.cpu_millis.saturating_add(amount("cpu", 1000.0));
            r.memory_bytes = r.memory_bytes.saturating_add(amount("memory", 1.0));
        }
        r
    }

    /// The value of a ResourceQuota resource name (`requests.cpu` or `cpu`, …), if it is
    /// one of the three this type counts.
    pub fn get(&self, resource: &str) -> Option<u64> {
        match resource {
            "requests.cpu" | "cpu" => Some(self.cpu_millis),
            "requests.memory" | "memory" => Some(self.memory_bytes),
            "pods" | "count/pods" => Some(self.pods),
            _ => None,
        }
    }
}

/// CPU as Kubernetes writes it: whole cores (`2`) or millicores (`350m`).
pub fn cpu_text(millis: u64) -> String {
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// Memory in the largest binary or decimal unit that divides it exactly into a short
/// number, else in Gi or Mi with two decimals, rounded up (`1Gi`, `3G`, `128Mi`, `2.13Gi`).
pub fn memory_text(bytes: u64) -> String {
    const UNITS: [(u64, &str, u64); 6] = [
        (1 << 30, "Gi", u64::MAX),
        (1_000_000_000, "G", u64::MAX),
        (1 << 20, "Mi", 1024),
        (1_000_000, "M", 1000),
        (1 << 10, "Ki", 1024),
        (1_000, "k", 1000),
    ];
    if bytes == 0 {
        return "0".to_string();
    }
    for (size, unit, below) in UNITS {
        if bytes.is_multiple_of(size) && bytes / size < below {
            return format!("{}{unit}", bytes / size);
        }
    }
    let (size, unit) = if bytes >= 1 << 30 {
        (1u64 << 30, "Gi")
    } else {
        (1 << 20, "Mi")
    };
    // Rounded up: these are amounts something needs.
    let hundredths = (bytes as u128 * 100).div_ceil(size as u128);
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    format!("{}{unit}", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The value of `resource` in the text of a quota message.
pub fn amount_text(resource: &str, value: u64) -> String {
    match resource {
        "requests.cpu" | "cpu" => cpu_text(value),
        "requests.memory" | "memory" => memory_text(value),
        _ => value.to_string(),
    }
}

/// The containers of a Server's pods: its ServerConfig's, merged with the Server's
/// `podSpec` containers the way the controller does (`MergeContainers`): a container of
/// the same name is merged key by key (mergo `WithOverride`: a request or limit the Server
/// sets replaces that key only), a new name is added.
pub fn merged_containers(
    config: &ServerConfigInfo,
    server: &ServerSpec,
) -> Vec<ContainerResources> {
    let overrides = server
        .pod_spec
        .as_ref()
        .map_or(&[][..], |p| &p.containers[..]);
    let mut out: Vec<ContainerResources> = Vec::new();
    for o in overrides {
        match config.containers.iter().find(|c| c.name == o.name) {
            Some(base) => {
                let mut merged = base.clone();
                for (k, v) in &o.resources.requests {
                    merged.resources.requests.insert(k.clone(), v.clone());
                }
                for (k, v) in &o.resources.limits {
                    merged.resources.limits.insert(k.clone(), v.clone());
                }
                out.push(merged);
            }
            None => out.push(o.clone()),
        }
    }
    for c in &config.containers {
        if !overrides.iter().any(|o| o.name == c.name) {
            out.push(c.clone());
        }
    }
    out
}

/// How many replicas a Server runs: what it starts with, and the most it can reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerScale {
    /// `replicas`, else `minReplicas` when above 0, else 1 (`GetValidatedScalingSpec`).
    pub replicas: u64,
    /// The most replicas it can have: `replicas` when the scheduler never scales it,
    /// `maxReplicas` when it autoscales within a bound, `None` when it autoscales
    /// without one.
    pub most: Option<u64>,
}

/// The scale of a Server; `autoscaling` is the setup chart's
/// `autoscaling.autoscalingServerEnabled`.
pub fn server_scale(spec: &ServerSpec, autoscaling: bool) -> ServerScale {
    let clamp = |v: Option<i32>| v.filter(|v| *v > 0).map(|v| v as u64);
    let replicas = match (spec.replicas, clamp(spec.min_replicas)) {
        (Some(r), _) if r >= 0 => r as u64,
        (_, Some(min)) => min,
        _ => 1,
    };
    let most = if !autoscaling {
        Some(replicas)
    } else {
        clamp(spec.max_replicas).map(|max| max.max(replicas))
    };
    ServerScale { replicas, most }
}

/// What one part of a namespace contributes: a component or a Server, its pods at most,
/// and what each pod requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// `seldon-envoy`, or `Server mlserver`.
    pub name: String,
    /// Pods at most.
    pub replicas: u64,
    pub per_pod: Requests,
    /// The part can grow past `replicas` without a bound (a Server that autoscales without
    /// `maxReplicas`); `replicas` is then what it starts with.
    pub unbounded: bool,
}

impl Part {
    pub fn total(&self) -> Requests {
        self.per_pod.times(self.replicas)
    }
}

/// The pods of a runtime's components: each component it does not disable, with the
/// replicas of its override (default 1, `ComponentOverride`).
pub fn runtime_parts(spec: &SeldonRuntimeSpec) -> Vec<Part> {
    COMPONENTS
        .iter()
        .filter_map(|&component| {
            let o = spec.overrides.iter().find(|o| o.name == component);
            if o.is_some_and(|o| o.disable == Some(true)) {
                return None;
            }
            let replicas = o.and_then(|o| o.replicas).unwrap_or(1).max(0) as u64;
            Some(Part {
                name: component_name(component).to_string(),
                replicas,
                per_pod: Requests::of_pod([&component_resources(component)]),
                unbounded: false,
            })
        })
        .collect()
}

/// The name a component's workload gets (its override name).
pub fn component_name(component: Component) -> &'static str {
    match component {
        Component::Scheduler => "seldon-scheduler",
        Component::Envoy => "seldon-envoy",
        Component::ModelGateway => "seldon-modelgateway",
        Component::PipelineGateway => "seldon-pipelinegateway",
        Component::DataflowEngine => "seldon-dataflow-engine",
        Component::Hodometer => "hodometer",
    }
}

/// The pods of one Server at its largest. Without its ServerConfig (unknown), only the
/// containers the Server sets itself are counted.
pub fn server_part(server: &Server, config: Option<&ServerConfigInfo>, autoscaling: bool) -> Part {
    let scale = server_scale(&server.spec, autoscaling);
    let containers = match config {
        Some(c) => merged_containers(c, &server.spec),
        None => server
            .spec
            .pod_spec
            .as_ref()
            .map(|p| p.containers.clone())
            .unwrap_or_default(),
    };
    Part {
        name: format!("Server {}", server.name()),
        replicas: scale.most.unwrap_or(scale.replicas),
        per_pod: Requests::of_pod(containers.iter().map(|c| &c.resources)),
        unbounded: scale.most.is_none(),
    }
}

/// What a namespace needs: its runtime's components and its Servers, part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capacity {
    pub namespace: String,
    pub parts: Vec<Part>,
}

impl Capacity {
    pub fn total(&self) -> Requests {
        self.parts.iter().map(Part::total).sum()
    }

    /// Whether a Server may grow past what is counted.
    pub fn unbounded(&self) -> bool {
        self.parts.iter().any(|p| p.unbounded)
    }
}

impl fmt::Display for Capacity {
    /// `cpu 1200m, memory 9.78Gi, 7 pods`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.total();
        write!(
            f,
            "cpu {}, memory {}, {} pods",
            cpu_text(t.cpu_millis),
            memory_text(t.memory_bytes),
            t.pods
        )
    }
}

/// The requests of namespace `namespace`: the components of `runtime` (if it has one) and
/// every Server of `servers`, with their ServerConfigs from `configs`. `autoscaling` is
/// the setup chart's `autoscaling.autoscalingServerEnabled`.
pub fn namespace_capacity<'a>(
    namespace: &str,
    runtime: Option<&SeldonRuntimeSpec>,
    servers: impl IntoIterator<Item = &'a Server>,
    configs: &[ServerConfigInfo],
    autoscaling: bool,
) -> Capacity {
    let mut parts = runtime.map(runtime_parts).unwrap_or_default();
    for s in servers {
        let config = configs.iter().find(|c| c.name == s.spec.server_config);
        parts.push(server_part(s, config, autoscaling));
    }
    Capacity {
        namespace: namespace.to_string(),
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::upstream_server_configs;
    use crate::kinds::{ComponentOverride, ServerPodSpec};
    use crate::meta::Metadata;
    use crate::quantity::Quantity;

    #[test]
    fn texts() {
        assert_eq!(cpu_text(2000), "2");
        assert_eq!(cpu_text(350), "350m");
        assert_eq!(memory_text(1 << 30), "1Gi");
        assert_eq!(memory_text(3_000_000_000), "3G");
        assert_eq!(memory_text(128 << 20), "128Mi");
        assert_eq!(memory_text((1 << 30) + (1 << 30) + (128 << 20)), "2.13Gi");
        assert_eq!(memory_text(0), "0");
    }

    #[test]
    fn default_runtime_and_a_server() {
        let runtime = SeldonRuntimeSpec {
            seldon_config: "default".into(),
            overrides: vec![ComponentOverride {
                disable: Some(true),
                ..ComponentOverride::new(Component::Hodometer)
            }],
            ..SeldonRuntimeSpec::default()
        };
        let server = Server::new(
            Metadata::namespaced("mlserver", "ns"),
            ServerSpec {
                server_config: "mlserver".into(),
                replicas: Some(2),
                min_replicas: Some(2),
                max_replicas: Some(2),
                ..ServerSpec::default()
            },
        );
        let c = namespace_capacity(
            "ns",
            Some(&runtime),
            [&server],
            &upstream_server_configs(),
            true,
        );
        let names: Vec<&str> = c.parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "seldon-scheduler",
                "seldon-pipelinegateway",
                "seldon-modelgateway",
                "seldon-envoy",
                "seldon-dataflow-engine",
                "Server mlserver"
            ]
        );
        // Components: 5 × 100m; 1Gi + 1G + 1G + 128Mi + 3G. Server: 2 × (350m, 2Gi + 128Mi).
        let t = c.total();
        assert_eq!(t.cpu_millis, 500 + 2 * 350);
        assert_eq!(
            t.memory_bytes,
            (1 << 30) + 5_000_000_000 + (128 << 20) + 2 * ((2 << 30) + (128 << 20))
        );
        assert_eq!(t.pods, 7);
    }

    #[test]
    fn server_override_merges_key_by_key() {
        let config = &upstream_server_configs()[0];
        let spec = ServerSpec {
            server_config: "mlserver".into(),
            pod_spec: Some(ServerPodSpec {
                containers: vec![ContainerResources {
                    name: "mlserver".into(),
                    resources: Resources {
                        requests: [("memory".to_string(), Quantity::new("8Gi"))].into(),
                        limits: Default::default(),
                    },
                }],
                ..ServerPodSpec::default()
            }),
            ..ServerSpec::default()
        };
        let merged = merged_containers(config, &spec);
        let m = merged.iter().find(|c| c.name == "mlserver").unwrap();
        assert_eq!(m.resources.requests["memory"].as_str(), "8Gi");
        assert_eq!(m.resources.requests["cpu"].as_str(), "100m");
        assert_eq!(
            m.resources.limits["memory"].as_str(),
            "1Gi",
            "the limit stays"
        );
        assert_eq!(merged.len(), 3);
    }

    #[test]
    fn scale() {
        let spec = |r, min, max| ServerSpec {
            replicas: r,
            min_replicas: min,
            max_replicas: max,
            ..ServerSpec::default()
        };
        let s = |r, min, max, on| server_scale(&spec(r, min, max), on);
        assert_eq!(
            s(None, None, None, true),
            ServerScale {
                replicas: 1,
                most: None
            }
        );
        assert_eq!(
            s(Some(2), None, None, false),
            ServerScale {
                replicas: 2,
                most: Some(2)
            }
        );
        assert_eq!(
            s(None, Some(1), Some(4), true),
            ServerScale {
                replicas: 1,
                most: Some(4)
            }
        );
        assert_eq!(
            s(Some(3), Some(3), Some(3), true),
            ServerScale {
                replicas: 3,
                most: Some(3)
            }
        );
    }
}
