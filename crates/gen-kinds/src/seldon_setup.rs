//! The values gen sets on Seldon's `seldon-core-v2-setup` chart (v2.10.2 `values.yaml`;
//! FACTS §4): the controller's scope, Kafka, the default Service type.

use serde::Serialize;
use serde_with::skip_serializing_none;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupValues {
    pub controller: ControllerValues,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaValues>,
    pub services: ServicesValues,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerValues {
    pub clusterwide: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch_namespaces: Vec<String>,
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
