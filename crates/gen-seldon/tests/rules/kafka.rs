//! `kafka-user-acls`: a runtime's Kafka user, judged by Kafka's own matching (a literal ACL
//! names one resource, a prefix ACL every resource it starts), against Seldon's names.

use gen_seldon::kinds::*;
use gen_seldon::rules::{KafkaAcl, KafkaUserInfo, Located};

use super::*;

fn acl(resource: &str, name: &str, prefix: bool, ops: &[&str]) -> KafkaAcl {
    KafkaAcl {
        resource: resource.into(),
        name: name.into(),
        prefix,
        operations: ops.iter().map(|o| o.to_string()).collect(),
    }
}

/// The ACLs that cover namespace "team" with no prefixes set: what gen renders.
fn full() -> Vec<KafkaAcl> {
    vec![
        acl(
            "topic",
            "seldon.team.",
            true,
            &["Create", "Describe", "DescribeConfigs", "Read", "Write"],
        ),
        acl(
            "topic",
            "team-seldon-dataflow-",
            true,
            &["Create", "Delete", "Describe", "Read", "Write"],
        ),
        acl("group", "team-seldon-", true, &["Describe", "Read"]),
    ]
}

/// A namespace with a Model and a Pipeline whose clients run as `user` (by the install's
/// SASL username), and that user in the tree with `acls`.
fn with_user(acls: Vec<KafkaAcl>) -> Inventory {
    let mut inv = with_models(&["iris"]);
    inv.pipelines.push(pipeline("p", vec![step("iris", &[])]));
    inv.install.kafka_sasl_username = Some("team-user".into());
    inv.kafka_users.push(Located::new(
        KafkaUserInfo {
            namespace: "kafka".into(),
            name: "team-user".into(),
            acls,
        },
        "users[0]",
    ));
    inv
}

const MISSING_GROUP: &str = "the Seldon Kafka clients of namespace \"team\" run as KafkaUser \"team-user\" (kafka), whose ACLs do not allow Read on groups team-seldon-*, Read on groups team-seldon-dataflow-*";

/// The inventory's single finding is this rule's, and its message ends with `tail`.
fn ends(inv: &Inventory, tail: &str) {
    let f = only(inv);
    assert_eq!(f.rule, "kafka-user-acls");
    assert!(f.message.ends_with(tail), "{}", f.message);
}

#[test]
fn a_user_with_the_namespace_prefixes_passes() {
    assert_eq!(check(&with_user(full())), vec![]);
    // `All` covers every operation.
    let all = vec![
        acl("topic", "seldon.team.", true, &["All"]),
        acl("topic", "team-seldon-dataflow-", true, &["All"]),
        acl("group", "team-", true, &["All"]),
    ];
    assert_eq!(check(&with_user(all)), vec![]);
}

#[test]
fn a_missing_operation_is_reported_at_the_user() {
    let mut acls = full();
    acls[2] = acl("group", "team-seldon-", true, &["Describe"]);
    let f = only(&with_user(acls));
    assert_finding(
        &f,
        "kafka-user-acls",
        "users[0]",
        "authorization.acls",
        MISSING_GROUP,
    );
    assert_eq!(
        f.help,
        "allow prefix ACLs on topics seldon.team. and team-seldon-dataflow- and groups team-seldon- and team-seldon-dataflow-"
    );
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn a_literal_acl_covers_one_name_and_not_a_prefix() {
    // The topics by literal name: every one the namespace uses is covered...
    let mut acls = full();
    acls[0] = acl(
        "topic",
        "seldon.team.errors.errors",
        false,
        &["Create", "Describe", "Read", "Write"],
    );
    for t in [
        "seldon.team.model.iris.inputs",
        "seldon.team.model.iris.outputs",
        "seldon.team.pipeline.p.inputs",
        "seldon.team.pipeline.p.outputs",
    ] {
        acls.push(acl(
            "topic",
            t,
            false,
            &["Create", "Describe", "Read", "Write"],
        ));
    }
    assert_eq!(check(&with_user(acls.clone())), vec![]);
    // ...but a literal ACL named like the groups' prefix is not a prefix.
    acls[2] = acl("group", "team-seldon-", false, &["Describe", "Read"]);
    ends(
        &with_user(acls),
        "do not allow Describe on groups team-seldon-*, Read on groups team-seldon-*, Describe on groups team-seldon-dataflow-* (and 1 more)",
    );
    // A narrower prefix does not cover a wider one: the errors and Pipeline topics are
    // left out (3 topics, 4 operations each).
    let mut acls = full();
    acls[0] = acl(
        "topic",
        "seldon.team.model.",
        true,
        &["Create", "Describe", "Read", "Write"],
    );
    ends(
        &with_user(acls),
        "do not allow Create on topic seldon.team.errors.errors, Describe on topic seldon.team.errors.errors, Read on topic seldon.team.errors.errors (and 9 more)",
    );
}

#[test]
fn prefixes_and_usernames_follow_the_runtime_over_the_install() {
    // The runtime's topic and group prefixes replace the install's for the gateways; the
    // dataflow engine keeps the install's group prefix.
    let mut inv = with_user(vec![
        acl("topic", "rt.team.", true, &["All"]),
        acl("topic", "inst-team-seldon-dataflow-", true, &["All"]),
        acl("group", "g-team-seldon-", true, &["All"]),
        acl("group", "inst-team-seldon-dataflow-", true, &["All"]),
    ]);
    inv.install.kafka_topic_prefix = Some("seldon".into());
    inv.install.kafka_consumer_group_id_prefix = Some("inst".into());
    let rt = &mut inv.runtimes[0].object.spec;
    rt.config.as_mut().unwrap().kafka_config = Some(KafkaConfig {
        topic_prefix: Some("rt".into()),
        consumer_group_id_prefix: Some("g".into()),
        ..KafkaConfig::default()
    });
    assert_eq!(check(&inv), vec![]);
    // A runtime override's username wins over the install's: a user not in the tree is
    // not judged, for all three clients.
    let rt = &mut inv.runtimes[0].object.spec;
    for (component, container, variable) in gen_seldon::kafka_names::CLIENTS {
        rt.overrides.push(ComponentOverride {
            pod_spec: Some(RuntimePodSpec {
                containers: vec![ContainerEnv {
                    name: container.into(),
                    env: vec![EnvVar {
                        name: variable.into(),
                        value: "elsewhere".into(),
                    }],
                }],
            }),
            ..ComponentOverride::new(component)
        });
    }
    inv.kafka_users[0].object.acls.clear();
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn clients_without_sasl_or_disabled_are_not_judged() {
    let mut acls = full();
    acls.remove(1); // no dataflow topics
    let mut inv = with_user(acls);
    let missing = only(&inv);
    assert!(missing.message.contains("topics team-seldon-dataflow-*"));
    // With the dataflow engine off, its names are nobody's.
    inv.runtimes[0]
        .object
        .spec
        .overrides
        .push(ComponentOverride {
            disable: Some(true),
            ..ComponentOverride::new(Component::DataflowEngine)
        });
    assert_eq!(check(&inv), vec![]);
    // Without SASL the clients run as no user.
    let mut inv = with_user(vec![]);
    inv.install.kafka_sasl_username = None;
    assert_eq!(check(&inv), vec![]);
    // Without any KafkaUser in the tree, nothing is judged.
    let mut inv = with_user(vec![]);
    inv.kafka_users.clear();
    assert_eq!(check(&inv), vec![]);
}
