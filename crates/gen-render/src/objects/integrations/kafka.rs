//! Kafka tenancy with Strimzi (`integrations.kafka`): each runtime namespace (each
//! tenant's in pattern dedicated, the platform's in shared) gets its own Kafka user, allowed
//! only the names its Seldon components use, and its components authenticate as it.
//!
//! - A `KafkaUser` `seldon-<namespace>` (SCRAM-SHA-512, `simple` authorization) where the
//!   cluster's User Operator watches. Its ACLs are prefixes (gen-seldon `kafka_names`): the
//!   namespace's topics `<topicPrefix>.<namespace>.` (the gateways and the dataflow engine
//!   create them: `scheduler/pkg/kafka/gateway/infer.go` CreateTopics, `KafkaAdmin.kt`),
//!   the gateways' consumer groups `[<cgp>-]<namespace>-seldon-`, and the dataflow
//!   engine's application ids, which are its consumer groups and prefix its internal
//!   topics (Kafka Streams creates and deletes records of those).
//! - An `ExternalSecret` `seldon-kafka` in the runtime namespace, from the profile's store
//!   (External Secrets' kubernetes provider over the User Operator's namespace): the
//!   user's `password` (the Secret the User Operator writes, named after the user) and the
//!   cluster CA's `ca.crt` (`<cluster>-cluster-ca-cert`). The clients read that Secret
//!   through the API from their own namespace (`POD_NAMESPACE`), the key named by the file
//!   name of their configured path (`components/tls/pkg/password/k8s_secret.go`).
//! - The install's `security.kafka` values (SASL_SSL, SCRAM-SHA-512, that Secret for the
//!   password and the broker CA), and per runtime a podSpec override of each client's
//!   container that sets its SASL username to the namespace's user. The controller appends
//!   an override's env to the SeldonConfig's (`MergePodSpecs`, mergo WithAppendSlice), and
//!   of two variables of one name the kubelet keeps the last.
//! - With `topics`, a `KafkaTopic` per topic of the namespace's Models and Pipelines and
//!   its errors topic, next to the users.

use std::collections::BTreeMap;

use gen_kinds::external_secrets::{
    DataEntry, ExternalSecretSpec, RemoteRef, StoreRef, Target, Template,
};
use gen_kinds::seldon::{ComponentOverride, ContainerEnv, EnvVar, RuntimePodSpec};
use gen_kinds::seldon_setup::{
    KafkaSasl, KafkaSaslClient, KafkaSecurity, KafkaSsl, KafkaSslClient, SecurityValues,
};
use gen_kinds::strimzi::{
    Acl, AclResource, Authentication, Authorization, CLUSTER_LABEL, KafkaTopicSpec, KafkaUserSpec,
};
use gen_profile::integrations::KafkaTenancy;
use gen_profile::{Profile, RuntimeSettings};
use gen_seldon::kafka_names::{
    self, CA_KEY, CLIENTS, CREDENTIALS_SECRET, GROUP_OPERATIONS, NamespacePrefixes, PASSWORD_KEY,
    STREAMS_TOPIC_OPERATIONS, TOPIC_OPERATIONS,
};
use gen_seldon::{Metadata, Object};

use crate::labels::labels;
use crate::manifest::Manifest;

use super::storage::REFRESH_INTERVAL;

/// The SASL mechanism of Strimzi's password users.
pub const MECHANISM: &str = "SCRAM-SHA-512";
/// The KafkaUser's authentication type for that mechanism.
pub const AUTHENTICATION: &str = "scram-sha-512";

/// The KafkaUser (and so the SASL username, and the User Operator's Secret) of a runtime
/// namespace.
pub fn user_name(ns: &str) -> String {
    format!("seldon-{ns}")
}

/// The Secret of the cluster CA that Strimzi keeps next to the cluster.
pub fn cluster_ca_secret(cluster: &str) -> String {
    format!("{cluster}-cluster-ca-cert")
}

/// The Kafka names of runtime namespace `ns`, with its runtime settings.
pub fn prefixes(
    profile: &Profile,
    ns: &str,
    settings: Option<&RuntimeSettings>,
) -> NamespacePrefixes {
    let install = profile.seldon.kafka.as_ref();
    kafka_names::namespace_prefixes(
        settings
            .and_then(|s| s.config.as_ref())
            .and_then(|c| c.kafka_config.as_ref()),
        install.and_then(|k| k.topic_prefix.as_deref()),
        install.and_then(|k| k.consumer_group_id_prefix.as_deref()),
        ns,
    )
}

/// The ACLs a runtime namespace's clients need, as prefixes: what they do with each
/// (gen-seldon `kafka_names`, which rule `kafka-user-acls` requires too), plus
/// DescribeConfigs on topics, which Kafka Streams and admin clients read.
pub fn acls(p: &NamespacePrefixes) -> Vec<Acl> {
    let allow = |kind, prefix: &str, operations: &[&'static str], configs: bool| {
        let mut operations = operations.to_vec();
        if configs {
            operations.push("DescribeConfigs");
            operations.sort_unstable();
        }
        Acl {
            kind: "allow",
            resource: AclResource::prefix(kind, prefix),
            operations,
        }
    };
    let mut acls = vec![
        allow("topic", &p.topics, TOPIC_OPERATIONS, true),
        allow("topic", &p.dataflow, STREAMS_TOPIC_OPERATIONS, true),
        allow("group", &p.groups, GROUP_OPERATIONS, false),
    ];
    // The dataflow engine's groups take the install's prefix, which a runtime may change
    // for its gateways.
    if !p.dataflow.starts_with(&p.groups) {
        acls.push(allow("group", &p.dataflow, GROUP_OPERATIONS, false));
    }
    acls
}

fn strimzi_metadata(name: &str, k: &KafkaTenancy, part_of: &str) -> Metadata {
    let mut m = Metadata::namespaced(name, &k.namespace);
    let mut l = labels(part_of, "kafka", None);
    l.insert(CLUSTER_LABEL.to_string(), k.cluster.clone());
    m.labels = l.into();
    m
}

/// The KafkaUser of runtime namespace `ns`, or `None` without Kafka tenancy.
pub fn kafka_user(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    settings: Option<&RuntimeSettings>,
) -> Option<Manifest> {
    let k = profile.integrations.kafka.as_ref()?;
    Some(Manifest::KafkaUser(Object::new(
        strimzi_metadata(&user_name(ns), k, part_of),
        KafkaUserSpec {
            authentication: Authentication {
                kind: AUTHENTICATION,
            },
            authorization: Authorization {
                kind: "simple",
                acls: acls(&prefixes(profile, ns, settings)),
            },
        },
    )))
}

/// The KafkaTopics of runtime namespace `ns` (its Models' and Pipelines' topics and its
/// errors topic), when the profile asks for them.
pub fn kafka_topics(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    settings: Option<&RuntimeSettings>,
    models: &[&str],
    pipelines: &[&str],
) -> Vec<Manifest> {
    let Some(k) = profile.integrations.kafka.as_ref().filter(|k| k.topics) else {
        return Vec::new();
    };
    let prefix = prefixes(profile, ns, settings).topics;
    let mut names = vec![kafka_names::errors_topic(&prefix)];
    for m in models {
        names.extend(kafka_names::topics(&prefix, "model", m));
    }
    for p in pipelines {
        names.extend(kafka_names::topics(&prefix, "pipeline", p));
    }
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|topic| {
            Manifest::KafkaTopic(Object::new(
                strimzi_metadata(&topic, k, part_of),
                KafkaTopicSpec {
                    topic_name: topic.clone(),
                    partitions: k.partitions,
                    replicas: k.replicas,
                    config: BTreeMap::new(),
                },
            ))
        })
        .collect()
}

/// The ExternalSecret that brings the user's password and the cluster CA into runtime
/// namespace `ns`, or `None` without Kafka tenancy.
pub fn credentials(profile: &Profile, ns: &str, part_of: &str) -> Option<Manifest> {
    let k = profile.integrations.kafka.as_ref()?;
    let mut meta = Metadata::namespaced(CREDENTIALS_SECRET, ns);
    meta.labels = labels(part_of, "kafka", None).into();
    let entry = |secret_key: &str, key: String, property: &str| DataEntry {
        secret_key: secret_key.to_string(),
        remote_ref: RemoteRef {
            key,
            property: Some(property.to_string()),
        },
    };
    Some(Manifest::ExternalSecret(Object::new(
        meta,
        ExternalSecretSpec {
            secret_store_ref: StoreRef::clone(&k.store),
            refresh_interval: REFRESH_INTERVAL.to_string(),
            target: Target {
                name: CREDENTIALS_SECRET.to_string(),
                creation_policy: "Owner",
                deletion_policy: "Retain",
                template: Template::replace(
                    "Opaque",
                    [
                        (PASSWORD_KEY.to_string(), "{{ .password }}".to_string()),
                        (CA_KEY.to_string(), "{{ .ca_crt }}".to_string()),
                    ]
                    .into(),
                ),
            },
            data: vec![
                entry("password", user_name(ns), PASSWORD_KEY),
                entry("ca_crt", cluster_ca_secret(&k.cluster), CA_KEY),
            ],
        },
    )))
}

/// Set the SASL username of each Kafka client of runtime namespace `ns` in `overrides`
/// (adding an override for a component that has none).
pub fn set_usernames(profile: &Profile, ns: &str, overrides: &mut Vec<ComponentOverride>) {
    if profile.integrations.kafka.is_none() {
        return;
    }
    for (component, container, variable) in CLIENTS {
        let pos = match overrides.iter().position(|o| o.name == component) {
            Some(pos) => pos,
            None => {
                overrides.push(ComponentOverride::new(component));
                overrides.len() - 1
            }
        };
        let pod = overrides[pos]
            .pod_spec
            .get_or_insert_with(RuntimePodSpec::default);
        pod.containers.push(ContainerEnv {
            name: container.to_string(),
            env: vec![EnvVar {
                name: variable.to_string(),
                value: user_name(ns),
            }],
        });
    }
    overrides.sort_by_key(|o| o.name);
}

/// The setup chart's `security` values under Kafka tenancy, or `None` without it.
pub fn security_values(profile: &Profile) -> Option<SecurityValues> {
    profile.integrations.kafka.as_ref()?;
    Some(SecurityValues {
        kafka: KafkaSecurity {
            protocol: "SASL_SSL",
            sasl: KafkaSasl {
                mechanism: MECHANISM,
                client: KafkaSaslClient {
                    secret: CREDENTIALS_SECRET.to_string(),
                },
            },
            ssl: KafkaSsl {
                client: KafkaSslClient {
                    broker_validation_secret: CREDENTIALS_SECRET.to_string(),
                },
            },
        },
    })
}
