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
}
