//! The values gen sets on Seldon's `seldon-core-v2-setup` chart (v2.10.2 `values.yaml`;
//! FACTS §4): the controller's scope, Kafka, the default Service type, and where the
//! images come from (a mirror registry per image, the pull Secrets of every pod).

use serde::Serialize;
use serde_with::skip_serializing_none;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupValues {
    pub controller: ControllerValues,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaValues>,
    pub services: ServicesValues,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<SecurityValues>,
    /// `imagePullSecrets`: written as the pods' `imagePullSecrets` (toYaml) by the
    /// controller Deployment, every component of the SeldonConfig and both ServerConfigs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envoy: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modelgateway: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipelinegateway: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataflow: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hodometer: Option<ComponentImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_config: Option<ServerConfigImages>,
}

/// A Secret of the pod's namespace, by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LocalObjectReference {
    pub name: String,
}

/// `<component>.image.registry`: every image of the chart is
/// `<registry>/<repository>:<tag>`; gen changes only the registry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentImage {
    pub image: ImageRegistry,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageRegistry {
    pub registry: String,
}

impl ComponentImage {
    pub fn from(registry: &str) -> Self {
        ComponentImage {
            image: ImageRegistry {
                registry: registry.to_string(),
            },
        }
    }
}

/// `serverConfig.<container>.image.registry` of the ServerConfigs' containers.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ServerConfigImages {
    pub rclone: Option<ComponentImage>,
    pub agent: Option<ComponentImage>,
    pub mlserver: Option<ComponentImage>,
    pub triton: Option<ComponentImage>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerValues {
    pub clusterwide: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch_namespaces: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRegistry>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicesValues {
    pub default_service_type: &'static str,
}

/// The chart's `kafka` values: the bootstrap servers, and the prefixes of topics and
/// consumer groups (which the dataflow engine reads from the SeldonConfig gen installs).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaValues {
    pub bootstrap: Option<String>,
    pub topic_prefix: Option<String>,
    pub consumer_group_id_prefix: Option<String>,
}

/// The chart's `security` values gen sets: how the Kafka clients (model and pipeline
/// gateways, dataflow engine) authenticate. The chart writes them as each component's env
/// in the SeldonConfig (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_MECHANISM`,
/// `KAFKA_CLIENT_SASL_SECRET_NAME`, `KAFKA_BROKER_TLS_SECRET_NAME`, and the dataflow
/// engine's `SELDON_KAFKA_*` twins; v2.10.2 `_components-deployments.tpl`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityValues {
    pub kafka: KafkaSecurity,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KafkaSecurity {
    /// `SASL_SSL` (Seldon supports no SASL_PLAINTEXT).
    pub protocol: &'static str,
    pub sasl: KafkaSasl,
    pub ssl: KafkaSsl,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KafkaSasl {
    pub mechanism: &'static str,
    pub client: KafkaSaslClient,
}

/// The Secret (in each component's own namespace) whose `password` key holds the SASL
/// password. The username stays the chart's: gen sets it per runtime namespace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KafkaSaslClient {
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KafkaSsl {
    pub client: KafkaSslClient,
}

/// The Secret (in each component's own namespace) whose `ca.crt` key holds the CA that
/// signed the brokers' certificates.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaSslClient {
    pub broker_validation_secret: String,
}
