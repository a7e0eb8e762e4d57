//! What the rules need to know about the Seldon install: the configs in the controller's
//! namespace and the values the seldon-core-v2-setup chart (v2.10.2) installs them with.
//!
//! SeldonConfig and ServerConfig objects are always read from the controller's namespace
//! (FACTS §2), so a Server in any namespace can use only the ServerConfigs installed there.
//! The resources below are the chart's `values.yaml` as its templates render them
//! (`templates/_components-statefulsets.tpl`): every container's `limits.memory` equals its
//! `requests.memory` (rclone: 128Mi request, 256Mi limit), and only CPU requests are set.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kinds::{Component, ContainerResources, Resources};
use crate::quantity::Quantity;

/// The SeldonConfig that the setup chart installs.
pub const DEFAULT_SELDON_CONFIG: &str = "default";

/// The agent's default memory overcommit (`SELDON_OVERCOMMIT_PERCENTAGE`).
pub const DEFAULT_OVERCOMMIT_PERCENT: f64 = 10.0;

/// The Secret that the setup chart's SeldonConfig lists in
/// `config.agentConfig.rclone.config_secrets`. Every SeldonRuntime inherits the list (a
/// runtime's own secrets are appended to it), and the agent of every Server pod reads
/// each listed Secret from its own namespace and exits when one is missing (FACTS §9.1).
pub const RCLONE_GS_PUBLIC_SECRET: &str = "seldon-rclone-gs-public";

/// The key under which Seldon's runtime chart stores the remote in that Secret.
pub const RCLONE_GS_PUBLIC_KEY: &str = "gs";

/// The SASL username of the setup chart's Kafka clients
/// (`security.kafka.sasl.client.username`).
pub const SETUP_SASL_USERNAME: &str = "seldon";

/// The Kafka bootstrap the setup chart falls back to (`kafka.bootstrap`).
pub const SETUP_KAFKA_BOOTSTRAP: &str = "seldon-kafka-bootstrap.seldon-mesh:9092";

/// The collector the setup chart points tracing at (`opentelemetry.endpoint`); no Seldon
/// chart installs it.
pub const SETUP_TRACING_ENDPOINT: &str = "seldon-collector.seldon-mesh:4317";

/// An rclone remote as the agent reads it from a config Secret: JSON or YAML with
/// `name`, `type` and `parameters` (a map of strings), `scheduler/pkg/agent/rclone`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RcloneRemote {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub parameters: BTreeMap<String, String>,
}

/// The remote of `seldon-rclone-gs-public`: Google Cloud Storage read anonymously, so
/// public `gs://` buckets need no credential. It holds no secret material.
pub fn rclone_gs_public_remote() -> RcloneRemote {
    RcloneRemote {
        name: RCLONE_GS_PUBLIC_KEY.to_string(),
        kind: "google cloud storage".to_string(),
        parameters: [("anonymous".to_string(), "true".to_string())].into(),
    }
}

/// A ServerConfig as the scheduler and the controller see it: the capabilities its agent
/// advertises, and the containers of its pod with their resources. The inference
/// container's memory request is a replica's model capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerConfigInfo {
    pub name: String,
    pub capabilities: Vec<String>,
    /// The inference container's name (the one whose memory request is the capacity).
    pub container: String,
    /// Every container of the pod, with requests and limits.
    pub containers: Vec<ContainerResources>,
    pub overcommit_percent: f64,
}

/// Requests and limits of one container, from quantities as the chart writes them.
fn container(
    name: &str,
    cpu: Option<&str>,
    memory: &str,
    memory_limit: Option<&str>,
) -> ContainerResources {
    let mut requests = BTreeMap::new();
    if let Some(cpu) = cpu {
        requests.insert("cpu".to_string(), Quantity::new(cpu));
    }
    requests.insert("memory".to_string(), Quantity::new(memory));
    let mut limits = BTreeMap::new();
    if let Some(limit) = memory_limit {
        limits.insert("memory".to_string(), Quantity::new(limit));
    }
    ContainerResources {
        name: name.to_string(),
        resources: Resources { requests, limits },
    }
}

/// The two containers every Seldon ServerConfig of the setup chart runs next to the
/// inference server: rclone (50m, 128Mi, limit 256Mi) and the agent (200m, 1Gi = limit).
pub fn server_sidecars() -> Vec<ContainerResources> {
    vec![
        container("rclone", Some("50m"), "128Mi", Some("256Mi")),
        container("agent", Some("200m"), "1Gi", Some("1Gi")),
    ]
}

impl ServerConfigInfo {
    /// A ServerConfig whose inference container `container` requests `memory` (and `cpu`),
    /// limited to `memory_limit`, next to the chart's rclone and agent containers.
    pub fn new(
        name: &str,
        capabilities: &[&str],
        container_name: &str,
        cpu: Option<&str>,
        memory: &str,
        memory_limit: Option<&str>,
    ) -> Self {
        let mut containers = server_sidecars();
        containers.push(container(container_name, cpu, memory, memory_limit));
        ServerConfigInfo {
            name: name.to_string(),
            capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
            container: container_name.to_string(),
            containers,
            overcommit_percent: DEFAULT_OVERCOMMIT_PERCENT,
        }
    }

    /// The inference container's resources, if the pod has it.
    pub fn inference(&self) -> Option<&ContainerResources> {
        self.containers.iter().find(|c| c.name == self.container)
    }

    /// The inference container's memory request in bytes (0 when unknown).
    pub fn memory_bytes(&self) -> f64 {
        self.inference()
            .and_then(|c| c.resources.requests.get("memory"))
            .and_then(|q| q.value().ok())
            .unwrap_or(0.0)
    }
}

/// The ServerConfigs installed by the seldon-core-v2-setup chart (v2.10.2): capabilities
/// from `serverConfig.<name>.serverCapabilities`, and the inference container at
/// `serverConfig.<name>.resources` (100m, 1Gi, limit 1Gi) beside rclone and the agent.
pub fn upstream_server_configs() -> Vec<ServerConfigInfo> {
    vec![
        ServerConfigInfo::new(
            "mlserver",
            &[
                "mlserver",
                "alibi-detect",
                "alibi-explain",
                "huggingface",
                "lightgbm",
                "mlflow",
                "python",
                "sklearn",
                "spark-mlib",
                "xgboost",
            ],
            "mlserver",
            Some("100m"),
            "1Gi",
            Some("1Gi"),
        ),
        ServerConfigInfo::new(
            "triton",
            &[
                "triton",
                "dali",
                "fil",
                "onnx",
                "openvino",
                "python",
                "pytorch",
                "tensorflow",
                "tensorrt",
            ],
            "triton",
            Some("100m"),
            "1Gi",
            Some("1Gi"),
        ),
    ]
}

/// The requests of one pod of a runtime component, as the setup chart's SeldonConfig
/// `default` sets them (`scheduler.resources`, `envoy.resources`, … in its values): one
/// container per pod, CPU and memory requests, memory limit equal to the request.
pub fn component_resources(component: Component) -> Resources {
    let (cpu, memory) = match component {
        Component::Scheduler => ("100m", "1Gi"),
        Component::Envoy => ("100m", "128Mi"),
        Component::ModelGateway => ("100m", "1G"),
        Component::PipelineGateway => ("100m", "1G"),
        Component::DataflowEngine => ("100m", "3G"),
        Component::Hodometer => ("1m", "32Mi"),
    };
    container("", Some(cpu), memory, Some(memory)).resources
}

/// Every runtime component, in the order the setup chart's SeldonConfig lists them.
pub const COMPONENTS: [Component; 6] = [
    Component::Scheduler,
    Component::PipelineGateway,
    Component::ModelGateway,
    Component::Hodometer,
    Component::Envoy,
    Component::DataflowEngine,
];

/// The values of the seldon-core-v2-setup chart that decide whether a runtime works:
/// what the install sets, or the chart's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Install {
    /// Whether the values are known (a gen profile, or a setup release found in a tree).
    /// Rules that depend on a value the chart's default makes unusable (Kafka) only judge
    /// a known install.
    pub known: bool,
    /// `kafka.bootstrap`, when set to something other than the chart's placeholder.
    pub kafka_bootstrap: Option<String>,
    /// `kafka.topicPrefix` and `kafka.consumerGroupIdPrefix`, when set.
    pub kafka_topic_prefix: Option<String>,
    pub kafka_consumer_group_id_prefix: Option<String>,
    /// The SASL username every Kafka client of the SeldonConfig has (`security.kafka`
    /// protocol SASL_SSL: `security.kafka.sasl.client.username`, default `seldon`); `None`
    /// when the clients do not authenticate by SASL.
    pub kafka_sasl_username: Option<String>,
    /// `autoscaling.autoscalingServerEnabled` (default true).
    pub server_autoscaling: bool,
    /// `opentelemetry.endpoint` (default the placeholder collector).
    pub tracing_endpoint: String,
}

impl Default for Install {
    fn default() -> Self {
        Install {
            known: false,
            kafka_bootstrap: None,
            kafka_topic_prefix: None,
            kafka_consumer_group_id_prefix: None,
            kafka_sasl_username: None,
            server_autoscaling: true,
            tracing_endpoint: SETUP_TRACING_ENDPOINT.to_string(),
        }
    }
}

impl Install {
    /// The chart's defaults, known to be what is installed.
    pub fn chart_defaults() -> Self {
        Install {
            known: true,
            ..Install::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_configs_model_the_chart() {
        let configs = upstream_server_configs();
        let mlserver = &configs[0];
        assert_eq!(mlserver.memory_bytes(), 1073741824.0, "1Gi, not 1G");
        let names: Vec<&str> = mlserver
            .containers
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["rclone", "agent", "mlserver"]);
        for c in &mlserver.containers {
            assert!(c.resources.limits.contains_key("memory"), "{}", c.name);
            assert!(!c.resources.limits.contains_key("cpu"), "{}", c.name);
        }
    }
}
