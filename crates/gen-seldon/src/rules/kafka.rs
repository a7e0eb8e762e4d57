//! Pipelines in an install without Kafka (FACTS §9.6).

use std::collections::BTreeMap;

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Origin, Out};
use crate::catalog::SETUP_KAFKA_BOOTSTRAP;

pub(super) static PIPELINES_WITHOUT_KAFKA: Rule = Rule::new(
    Stage::Seldon,
    "pipelines-without-kafka",
    Severity::Error,
    "Pipelines need the install's Kafka bootstrap",
    "Pipelines run over Kafka: the dataflow engine, the pipeline gateway and the model \
gateway. The dataflow engine takes its bootstrap servers from the setup chart's \
`kafka.bootstrap` (an env var of the SeldonConfig), not from a runtime's kafkaConfig; left \
unset it is seldon-kafka-bootstrap.seldon-mesh:9092, which nothing installs, and no \
Pipeline ever becomes Ready. Judged only when the install's values are known.

Fix: set seldon.kafka.bootstrap in the profile (the setup chart's kafka.bootstrap), or \
remove the Pipelines.",
);

/// Pipelines run over Kafka: the dataflow engine, the pipeline gateway and the model
/// gateway. The dataflow engine takes its bootstrap servers from the setup chart's
/// `kafka.bootstrap` (its env in the SeldonConfig), not from a runtime's `kafkaConfig`;
/// left unset, it is `seldon-kafka-bootstrap.seldon-mesh:9092`, and the Pipelines never
/// become Ready. One finding per namespace, at its first Pipeline. Only a known install
/// is judged: without the setup values, Kafka may be configured elsewhere.
pub(super) fn check_pipelines_kafka(inv: &Inventory, out: &mut Out) {
    if !inv.install.known || inv.install.kafka_bootstrap.is_some() {
        return;
    }
    let mut first: BTreeMap<&str, (usize, &Origin, &str)> = BTreeMap::new();
    for l in &inv.pipelines {
        let ns = l.object.namespace();
        first
            .entry(ns)
            .and_modify(|e| e.0 += 1)
            .or_insert((1, &l.origin, l.object.name()));
    }
    for (ns, (count, origin, name)) in first {
        let more = match count {
            1 => String::new(),
            2 => " (and 1 more Pipeline)".to_string(),
            n => format!(" (and {} more Pipelines)", n - 1),
        };
        out.report(
            &PIPELINES_WITHOUT_KAFKA,
            origin,
            "name",
            format!(
                "Pipeline {name:?}{more} in namespace {ns:?} needs Kafka, but the Seldon install sets no kafka.bootstrap: the dataflow engine, pipeline gateway and model gateway fall back to the setup chart's {SETUP_KAFKA_BOOTSTRAP}, so no Pipeline would become Ready"
            ),
            "set the setup chart's kafka.bootstrap (seldon.kafka.bootstrap in a gen profile) to your Kafka's bootstrap servers, or remove the Pipelines",
        );
    }
}

pub(super) static KAFKA_USER_ACLS: Rule = Rule::new(
    Stage::Seldon,
    "kafka-user-acls",
    Severity::Error,
    "a runtime's Kafka user may use every name its Seldon clients use",
    "When the Seldon Kafka clients of a runtime namespace (model gateway, pipeline gateway, \
dataflow engine) authenticate by SASL, they run as a Kafka user: the SeldonConfig's \
`KAFKA_CLIENT_SASL_USERNAME` / `SELDON_KAFKA_SASL_USERNAME`, or a runtime override's. They \
create, read and write the namespace's topics `<topicPrefix>.<namespace>.model|pipeline.…` \
and `…errors.errors`, read as consumer groups `[<consumerGroupIdPrefix>-]<namespace>-seldon-…`, \
and the dataflow engine's Kafka Streams use `[<install prefix>-]<namespace>-seldon-dataflow-…` \
as groups and as the prefix of topics it creates and deletes. A KafkaUser of that name whose \
ACLs miss any of these leaves Pipelines and Kafka inference failing with authorization \
errors. Judged where the tree holds the KafkaUser.

Fix: give the KafkaUser prefix ACLs on the namespace's topic prefix and dataflow prefix \
(Create, Describe, Read, Write; Delete for the dataflow prefix) and on its group prefixes \
(Describe, Read); gen's integrations.kafka renders exactly these.",
);

/// The names one Kafka client of a runtime namespace uses: (resource, name, is a prefix,
/// operations).
type Use = (&'static str, String, bool, &'static [&'static str]);

use crate::kafka_names::{
    GROUP_OPERATIONS as GROUP_OPS, STREAMS_TOPIC_OPERATIONS as STREAMS_TOPIC_OPS,
    TOPIC_OPERATIONS as TOPIC_OPS,
};

/// Every runtime namespace whose Kafka clients authenticate as a KafkaUser in the tree:
/// that user allows what they use (the namespace's Model, Pipeline and errors topics by
/// name, and the group and dataflow prefixes whole).
pub(super) fn check_kafka_users(inv: &Inventory, out: &mut Out) {
    use crate::kafka_names::{self, CLIENTS};
    use crate::kinds::Component;
    if inv.kafka_users.is_empty() {
        return;
    }
    for rt in &inv.runtimes {
        let ns = rt.object.namespace();
        let prefixes = kafka_names::namespace_prefixes(
            rt.object
                .spec
                .config
                .as_ref()
                .and_then(|c| c.kafka_config.as_ref()),
            inv.install.kafka_topic_prefix.as_deref(),
            inv.install.kafka_consumer_group_id_prefix.as_deref(),
            ns,
        );
        let mut topics = vec![kafka_names::errors_topic(&prefixes.topics)];
        for m in inv.models.iter().filter(|m| m.object.namespace() == ns) {
            topics.extend(kafka_names::topics(
                &prefixes.topics,
                "model",
                m.object.name(),
            ));
        }
        for p in inv.pipelines.iter().filter(|p| p.object.namespace() == ns) {
            topics.extend(kafka_names::topics(
                &prefixes.topics,
                "pipeline",
                p.object.name(),
            ));
        }
        // Each client's user, and what it uses, in client order.
        let mut by_user: BTreeMap<String, Vec<Use>> = BTreeMap::new();
        for (component, container, variable) in CLIENTS {
            let overrides = rt
                .object
                .spec
                .overrides
                .iter()
                .filter(|o| o.name == component);
            if overrides.clone().any(|o| o.disable == Some(true)) {
                continue;
            }
            let own = overrides
                .filter_map(|o| o.pod_spec.as_ref())
                .flat_map(|p| p.containers.iter())
                .filter(|c| c.name == container)
                .flat_map(|c| c.env.iter())
                .rfind(|e| e.name == variable)
                .map(|e| e.value.clone());
            let Some(user) = own.or_else(|| inv.install.kafka_sasl_username.clone()) else {
                continue;
            };
            let uses = by_user.entry(user).or_default();
            for t in &topics {
                uses.push(("topic", t.clone(), false, TOPIC_OPS));
            }
            if component == Component::DataflowEngine {
                uses.push(("group", prefixes.dataflow.clone(), true, GROUP_OPS));
                uses.push(("topic", prefixes.dataflow.clone(), true, STREAMS_TOPIC_OPS));
            } else {
                uses.push(("group", prefixes.groups.clone(), true, GROUP_OPS));
            }
        }
        for (user, uses) in by_user {
            let Some(found) = inv.kafka_users.iter().find(|u| u.object.name == user) else {
                continue;
            };
            let acls = &found.object.acls;
            let mut missing: Vec<String> = Vec::new();
            for (resource, name, prefix, ops) in uses {
                for op in ops {
                    let ok = acls.iter().any(|a| {
                        if prefix {
                            a.allows_prefix(resource, &name, op)
                        } else {
                            a.allows(resource, &name, op)
                        }
                    });
                    let what = if prefix {
                        format!("{op} on {resource}s {name}*")
                    } else {
                        format!("{op} on {resource} {name}")
                    };
                    if !ok && !missing.contains(&what) {
                        missing.push(what);
                    }
                }
            }
            if missing.is_empty() {
                continue;
            }
            let more = match missing.len() {
                n if n > 3 => format!(" (and {} more)", n - 3),
                _ => String::new(),
            };
            missing.truncate(3);
            out.report(
                &KAFKA_USER_ACLS,
                &found.origin,
                "authorization.acls",
                format!(
                    "the Seldon Kafka clients of namespace {ns:?} run as KafkaUser {user:?} ({}), whose ACLs do not allow {}{more}",
                    found.object.namespace,
                    missing.join(", ")
                ),
                format!(
                    "allow prefix ACLs on topics {} and {} and groups {} and {}",
                    prefixes.topics, prefixes.dataflow, prefixes.groups, prefixes.dataflow
                ),
            );
        }
    }
}
