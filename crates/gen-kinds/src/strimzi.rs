//! Strimzi kinds (`kafka.strimzi.io/v1`, served by Strimzi 1.x only) as typed structs,
//! modelled on the CRDs of strimzi-kafka-operator 1.2.0: `KafkaUser` and `KafkaTopic`, only
//! the fields gen renders. Both carry the label `strimzi.io/cluster` naming the Kafka
//! cluster, and live where that cluster's User and Topic Operators watch (one namespace
//! each, the cluster's by default).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::meta::{Kind, Object};

/// The label that binds a KafkaUser or KafkaTopic to its Kafka cluster.
pub const CLUSTER_LABEL: &str = "strimzi.io/cluster";

macro_rules! kind {
    ($spec:ty, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = "kafka.strimzi.io/v1";
            const KIND: &'static str = $kind;
        }
    };
}

/// `KafkaUser.spec`: how the user authenticates and what it may do. The User Operator
/// writes the user's credentials into a Secret named after the KafkaUser, next to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KafkaUserSpec {
    pub authentication: Authentication,
    pub authorization: Authorization,
}
kind!(KafkaUserSpec, "KafkaUser");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Authentication {
    /// `scram-sha-512`: the Secret holds `password` (and `sasl.jaas.config`).
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `simple` authorization: Kafka ACLs managed through the Admin API.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Authorization {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub acls: Vec<Acl>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Acl {
    /// `allow` (the CRD's default, written out).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub resource: AclResource,
    pub operations: Vec<&'static str>,
}

/// A topic, consumer group, cluster or transactional id, by literal name or prefix.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AclResource {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    /// `literal` or `prefix`.
    pub pattern_type: &'static str,
}

impl AclResource {
    /// Every `kind` (topic, group) whose name starts with `prefix`.
    pub fn prefix(kind: &'static str, prefix: &str) -> Self {
        AclResource {
            kind,
            name: prefix.to_string(),
            pattern_type: "prefix",
        }
    }
}

/// `KafkaTopic.spec`. Without partitions or replicas the broker's defaults apply.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaTopicSpec {
    /// The topic's name in Kafka (default: the KafkaTopic's name); set when Kafka's name
    /// is not a valid Kubernetes name.
    pub topic_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
}
kind!(KafkaTopicSpec, "KafkaTopic");

pub type KafkaUser = Object<KafkaUserSpec>;
pub type KafkaTopic = Object<KafkaTopicSpec>;
