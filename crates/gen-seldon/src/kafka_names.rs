//! The Kafka names a runtime namespace uses (FACTS §3 "Kafka naming", read in v2.10.2):
//! what a tenant's Kafka user must be allowed, and which topics exist.
//!
//! - Topics: `<topicPrefix>.<namespace>.model.<model>.(inputs|outputs)`,
//!   `<topicPrefix>.<namespace>.pipeline.<pipeline>.(inputs|outputs)` and
//!   `<topicPrefix>.<namespace>.errors.errors` (`scheduler/pkg/kafka/topics.go`; the
//!   prefix defaults to `seldon`). The gateways and the scheduler take the prefix from the
//!   runtime's `kafkaConfig` (merged over the SeldonConfig's).
//! - Consumer groups of the model and pipeline gateways:
//!   `[<consumerGroupIdPrefix>-]<namespace>-seldon-(modelgateway|pipelinegateway)-<bucket>`
//!   (`scheduler/pkg/util/hash.go` GetKafkaConsumerName), prefix from the runtime's
//!   `kafkaConfig`.
//! - The dataflow engine's Kafka Streams application id, which is its consumer group and
//!   the prefix of its internal topics: `[<prefix>-]<namespace>-seldon-dataflow-<name>`
//!   (`data-flow/.../kafka/Configuration.kt` withAppId), with the prefix of the setup
//!   chart's `kafka.consumerGroupIdPrefix` (its env, not the runtime's `kafkaConfig`).

/// The topic prefix when neither the runtime nor the install sets one.
pub const DEFAULT_TOPIC_PREFIX: &str = "seldon";

/// The prefix of every topic of `namespace`: `<topicPrefix>.<namespace>.`.
pub fn topic_prefix(topic_prefix: Option<&str>, namespace: &str) -> String {
    let tp = topic_prefix
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_TOPIC_PREFIX);
    format!("{tp}.{namespace}.")
}

/// The input and output topics of a Model (`kind` "model") or Pipeline ("pipeline").
pub fn topics(prefix: &str, kind: &str, name: &str) -> [String; 2] {
    [
        format!("{prefix}{kind}.{name}.inputs"),
        format!("{prefix}{kind}.{name}.outputs"),
    ]
}

/// The namespace's errors topic.
pub fn errors_topic(prefix: &str) -> String {
    format!("{prefix}errors.errors")
}

/// The prefix of the model and pipeline gateways' consumer groups (and of the dataflow
/// engine's, when the install's prefix is the runtime's): `[<cgp>-]<namespace>-seldon-`.
pub fn group_prefix(consumer_group_id_prefix: Option<&str>, namespace: &str) -> String {
    match consumer_group_id_prefix.filter(|p| !p.is_empty()) {
        Some(p) => format!("{p}-{namespace}-seldon-"),
        None => format!("{namespace}-seldon-"),
    }
}

/// The prefix of the dataflow engine's application ids (its consumer groups and internal
/// topics): `[<install cgp>-]<namespace>-seldon-dataflow-`.
pub fn dataflow_prefix(install_consumer_group_id_prefix: Option<&str>, namespace: &str) -> String {
    format!(
        "{}dataflow-",
        group_prefix(install_consumer_group_id_prefix, namespace)
    )
}

/// The Kafka clients of a runtime namespace, each with its container in the setup chart's
/// SeldonConfig (v2.10.2 `_components-deployments.tpl`) and the env variable its SASL
/// username comes from: the gateways read `KAFKA_CLIENT_SASL_USERNAME`
/// (`components/tls/pkg/config/auth.go`), the dataflow engine `SELDON_KAFKA_SASL_USERNAME`
/// (`data-flow/.../Cli.kt` kafka.sasl.username). The scheduler reads the Kafka config only
/// for names and is no client.
pub const CLIENTS: [(crate::kinds::Component, &str, &str); 3] = [
    (
        crate::kinds::Component::ModelGateway,
        "modelgateway",
        "KAFKA_CLIENT_SASL_USERNAME",
    ),
    (
        crate::kinds::Component::PipelineGateway,
        "pipelinegateway",
        "KAFKA_CLIENT_SASL_USERNAME",
    ),
    (
        crate::kinds::Component::DataflowEngine,
        "dataflow-engine",
        "SELDON_KAFKA_SASL_USERNAME",
    ),
];

/// The Secret, in each runtime namespace, that the Kafka clients read through the API
/// (as their service account, which the controller's Role lets read Secrets): the SASL
/// password under [`PASSWORD_KEY`] and the brokers' CA under [`CA_KEY`]. Each client takes
/// the key named by the file name of its configured path (`password`, `ca.crt` by the
/// setup chart's defaults; `components/tls/pkg/password/k8s_secret.go`,
/// `tls/k8s_secret.go`).
pub const CREDENTIALS_SECRET: &str = "seldon-kafka";
pub const PASSWORD_KEY: &str = "password";
pub const CA_KEY: &str = "ca.crt";

/// What the clients do with the namespace's topics: the gateways and the dataflow engine
/// create them (`scheduler/pkg/kafka/gateway/infer.go` CreateTopics, `KafkaAdmin.kt`),
/// then read and write them.
pub const TOPIC_OPERATIONS: &[&str] = &["Create", "Describe", "Read", "Write"];
/// With the dataflow engine's Kafka Streams topics, which it also deletes records of.
pub const STREAMS_TOPIC_OPERATIONS: &[&str] = &["Create", "Delete", "Describe", "Read", "Write"];
/// What consumers do with their groups.
pub const GROUP_OPERATIONS: &[&str] = &["Describe", "Read"];

/// What the Kafka clients of one runtime namespace name, and so what its user must be
/// allowed: its topics and the dataflow engine's internal topics, and the consumer
/// groups of the gateways and of the dataflow engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespacePrefixes {
    /// `<topicPrefix>.<namespace>.`: every Model, Pipeline and errors topic.
    pub topics: String,
    /// The gateways' consumer groups: `[<cgp>-]<namespace>-seldon-`.
    pub groups: String,
    /// The dataflow engine's application ids (its consumer groups and the prefix of its
    /// internal topics): `[<install cgp>-]<namespace>-seldon-dataflow-`.
    pub dataflow: String,
}

/// The prefixes of `namespace`, from the runtime's `kafkaConfig` (topic prefix and
/// consumer group prefix, each falling back to the install's, as the runtime's config is
/// merged over the SeldonConfig's) and the install's consumer group prefix (the dataflow
/// engine's env).
pub fn namespace_prefixes(
    runtime: Option<&crate::kinds::KafkaConfig>,
    install_topic_prefix: Option<&str>,
    install_consumer_group_id_prefix: Option<&str>,
    namespace: &str,
) -> NamespacePrefixes {
    fn non_empty(o: Option<&String>) -> Option<&str> {
        o.map(String::as_str).filter(|p| !p.is_empty())
    }
    let tp = runtime
        .and_then(|k| non_empty(k.topic_prefix.as_ref()))
        .or(install_topic_prefix);
    let cgp = runtime
        .and_then(|k| non_empty(k.consumer_group_id_prefix.as_ref()))
        .or(install_consumer_group_id_prefix);
    NamespacePrefixes {
        topics: topic_prefix(tp, namespace),
        groups: group_prefix(cgp, namespace),
        dataflow: dataflow_prefix(install_consumer_group_id_prefix, namespace),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_seldon() {
        let p = topic_prefix(None, "fraud");
        assert_eq!(p, "seldon.fraud.");
        assert_eq!(
            topics(&p, "model", "iris"),
            [
                "seldon.fraud.model.iris.inputs".to_string(),
                "seldon.fraud.model.iris.outputs".to_string()
            ]
        );
        assert_eq!(errors_topic(&p), "seldon.fraud.errors.errors");
        assert_eq!(topic_prefix(Some("t"), "ns"), "t.ns.");
        assert_eq!(topic_prefix(Some(""), "ns"), "seldon.ns.");
        assert_eq!(group_prefix(Some("cg"), "ns"), "cg-ns-seldon-");
        assert_eq!(group_prefix(None, "ns"), "ns-seldon-");
        assert_eq!(dataflow_prefix(Some("cg"), "ns"), "cg-ns-seldon-dataflow-");
    }

    #[test]
    fn the_runtime_overrides_the_install_but_not_for_the_dataflow_engine() {
        use crate::kinds::KafkaConfig;
        let rt = KafkaConfig {
            topic_prefix: Some("fraud".into()),
            consumer_group_id_prefix: Some("f".into()),
            ..KafkaConfig::default()
        };
        let p = namespace_prefixes(Some(&rt), Some("seldon"), Some("inst"), "ns");
        assert_eq!(p.topics, "fraud.ns.");
        assert_eq!(p.groups, "f-ns-seldon-");
        assert_eq!(p.dataflow, "inst-ns-seldon-dataflow-");
        let empty = KafkaConfig {
            topic_prefix: Some(String::new()),
            ..KafkaConfig::default()
        };
        let p = namespace_prefixes(Some(&empty), Some("t"), None, "ns");
        assert_eq!(p.topics, "t.ns.");
        assert_eq!(p.groups, "ns-seldon-");
        assert_eq!(p.dataflow, "ns-seldon-dataflow-");
        let p = namespace_prefixes(None, None, Some("inst"), "ns");
        assert_eq!(p.topics, "seldon.ns.");
        assert_eq!(p.groups, "inst-ns-seldon-");
    }
}
