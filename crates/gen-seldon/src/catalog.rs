//! What the rules need to know about the configs in the controller's namespace.
//!
//! SeldonConfig and ServerConfig objects are always read from the controller's namespace
//! (FACTS §2), so a Server in any namespace can use only the ServerConfigs installed there.

use crate::quantity::parse;

/// The SeldonConfig that the setup chart installs.
pub const DEFAULT_SELDON_CONFIG: &str = "default";

/// The agent's default memory overcommit (`SELDON_OVERCOMMIT_PERCENTAGE`).
pub const DEFAULT_OVERCOMMIT_PERCENT: f64 = 10.0;

/// A ServerConfig as the scheduler sees it: the capabilities its agent advertises and the
/// memory request of its inference container, which is a replica's model capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerConfigInfo {
    pub name: String,
    pub capabilities: Vec<String>,
    /// The inference container's memory request, in bytes.
    pub memory_bytes: f64,
    /// The inference container's name (the one whose memory request is the capacity).
    pub container: String,
    pub overcommit_percent: f64,
}

impl ServerConfigInfo {
    pub fn new(name: &str, capabilities: &[&str], memory: &str, container: &str) -> Self {
        ServerConfigInfo {
            name: name.to_string(),
            capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
            memory_bytes: parse(memory).unwrap_or(0.0),
            container: container.to_string(),
            overcommit_percent: DEFAULT_OVERCOMMIT_PERCENT,
        }
    }
}

/// The ServerConfigs installed by the seldon-core-v2-setup chart (v2.10.2): capabilities
/// from `SELDON_SERVER_CAPABILITIES`, memory from the inference container's request (1G).
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
            "1G",
            "mlserver",
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
            "1G",
            "triton",
        ),
    ]
}
