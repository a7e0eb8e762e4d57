//! Kafka tenancy (`integrations.kafka`), followed the way the systems follow it over the
//! rendered objects: the setup chart turns the install's `security.kafka` values into each
//! client's env, the controller appends a runtime override's env to the SeldonConfig's
//! (the kubelet keeps the last of a name), the clients read their password and broker CA
//! from a Secret of their own namespace by key, the User Operator creates a user named
//! after its KafkaUser and writes its password next to it, and Kafka's authorizer allows
//! an operation on a resource when an ACL of the user names it literally or by prefix.
//! The names the clients use come from Seldon's naming (FACTS §3), computed here from
//! the rendered runtime and install values, not from gen's own helpers.

mod common;

use std::collections::BTreeMap;

use common::{DEDICATED, example, objects, problems, render_text as render};
use serde_json::Value;

const TENANCY: &str = "integrations:\n  kafka:\n    cluster: events\n    namespace: kafka\n    store: {kind: ClusterSecretStore, name: kafka-users}\n";
const BOOTSTRAP: &str = "seldon:\n  kafka:\n    bootstrap: events-kafka-bootstrap.kafka:9093\n";
/// A GitOps engine, so that the bundle installs Seldon (the setup chart's values).
const FLUX: &str = "gitops:\n  engine: flux\n  repoURL: https://git.example.com/models.git\n";

/// The minimal dedicated profile with Kafka tenancy (and `extra` under `kafka:`).
fn dedicated(extra: &str, seldon: &str) -> String {
    DEDICATED.replace(
        "platform:\n",
        &format!("{seldon}{TENANCY}{extra}platform:\n"),
    )
}

#[test]
fn tenancy_needs_the_install_bootstrap() {
    assert_eq!(
        problems(&dedicated("", "")),
        vec![(
            "kafka-tenancy-bootstrap".to_string(),
            "integrations.kafka".to_string(),
            "integrations.kafka creates users in Strimzi cluster \"events\", but seldon.kafka.bootstrap is not set: the gateways and the dataflow engine would dial seldon-kafka-bootstrap.seldon-mesh:9092".to_string()
        )]
    );
    // The boundary: a bootstrap, and it renders.
    assert!(render(&dedicated("", BOOTSTRAP)).is_ok());
    // A Kafka install without a bootstrap (only a prefix) is still without one.
    assert_eq!(
        problems(&dedicated("", "seldon:\n  kafka:\n    topicPrefix: t\n"))[0].0,
        "kafka-tenancy-bootstrap"
    );
}

#[test]
fn kafka_topics_need_prefixes_valid_in_kubernetes_names() {
    let bad = dedicated(
        "    topics: true\n",
        "seldon:\n  kafka:\n    bootstrap: b:9093\n    topicPrefix: Seldon_v2\n",
    )
    .replace(
        "    namespace: a-ns\n",
        "    namespace: a-ns\n    runtime:\n      config:\n        kafkaConfig:\n          topicPrefix: team_a\n",
    );
    let message = |p: &str| {
        format!(
            "topic prefix {p:?} has characters a Kubernetes name cannot hold, so integrations.kafka.topics cannot name a KafkaTopic after its topics"
        )
    };
    assert_eq!(
        problems(&bad),
        vec![
            (
                "kafka-topic-name".to_string(),
                "seldon.kafka.topicPrefix".to_string(),
                message("Seldon_v2")
            ),
            (
                "kafka-topic-name".to_string(),
                "tenants[0].runtime.config.kafkaConfig.topicPrefix".to_string(),
                message("team_a")
            ),
        ]
    );
    // Without KafkaTopics the prefixes name no Kubernetes object.
    assert!(render(&bad.replace("    topics: true\n", "")).is_ok());
    // Lowercase letters, digits, '-' and '.' are fine.
    assert!(
        render(
            &bad.replace("Seldon_v2", "seldon-v2.0")
                .replace("team_a", "team-a")
        )
        .is_ok()
    );
}

/// Does `acl` (a Strimzi `simple` ACL) allow `operation` on resource `kind`/`name`, as
/// Kafka's authorizer decides: a literal pattern names the resource, a prefix pattern
/// starts it; `All` covers every operation.
fn allows(acl: &Value, kind: &str, name: &str, operation: &str) -> bool {
    let r = &acl["resource"];
    let pattern = r["name"].as_str().unwrap_or("");
    let matches = match r["patternType"].as_str().unwrap_or("literal") {
        "prefix" => name.starts_with(pattern),
        _ => name == pattern,
    };
    acl["type"].as_str().unwrap_or("allow") == "allow"
        && r["type"] == kind
        && matches
        && acl["operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == operation || o == "All")
}

/// The setup chart's release: a Flux HelmRelease or an Argo CD Application of the chart.
fn is_setup(o: &Value) -> bool {
    let chart = if o["kind"] == "HelmRelease" {
        &o["spec"]["chart"]["spec"]["chart"]
    } else if o["kind"] == "Application" {
        &o["spec"]["source"]["chart"]
    } else {
        return false;
    };
    chart == "seldon-core-v2-setup"
}

fn user_allows(user: &Value, kind: &str, name: &str, operation: &str) -> bool {
    user["spec"]["authorization"]["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| allows(a, kind, name, operation))
}

/// What the Kafka clients of one runtime namespace use, by Seldon's naming: (resource
/// kind, name, operations).
fn uses(
    objs: &[(String, Value)],
    ns: &str,
    install: &Value,
) -> Vec<(&'static str, String, Vec<&'static str>)> {
    let runtime = objs
        .iter()
        .map(|(_, o)| o)
        .find(|o| o["kind"] == "SeldonRuntime" && o["metadata"]["namespace"] == ns)
        .unwrap();
    let rt = &runtime["spec"]["config"]["kafkaConfig"];
    let or_install = |key: &str| {
        rt[key]
            .as_str()
            .filter(|s| !s.is_empty())
            .or(install[key].as_str())
            .map(str::to_string)
    };
    let tp = or_install("topicPrefix").unwrap_or_else(|| "seldon".to_string());
    let with_prefix = |p: Option<String>, rest: String| match p {
        Some(p) if !p.is_empty() => format!("{p}-{rest}"),
        _ => rest,
    };
    let gateways = or_install("consumerGroupIdPrefix");
    let dataflow = install["consumerGroupIdPrefix"]
        .as_str()
        .map(str::to_string);
    let names = |kind: &str| -> Vec<String> {
        objs.iter()
            .map(|(_, o)| o)
            .filter(|o| o["kind"] == kind && o["metadata"]["namespace"] == ns)
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let topic_ops = vec!["Create", "Describe", "Read", "Write"];
    let mut out = vec![(
        "topic",
        format!("{tp}.{ns}.errors.errors"),
        topic_ops.clone(),
    )];
    for (kind, plural) in [("model", "Model"), ("pipeline", "Pipeline")] {
        for name in names(plural) {
            for dir in ["inputs", "outputs"] {
                out.push((
                    "topic",
                    format!("{tp}.{ns}.{kind}.{name}.{dir}"),
                    topic_ops.clone(),
                ));
            }
        }
    }
    for gateway in ["modelgateway", "pipelinegateway"] {
        out.push((
            "group",
            with_prefix(gateways.clone(), format!("{ns}-seldon-{gateway}-3")),
            vec!["Describe", "Read"],
        ));
    }
    let app_id = with_prefix(dataflow, format!("{ns}-seldon-dataflow-a1b2c3"));
    out.push(("group", app_id.clone(), vec!["Describe", "Read"]));
    out.push((
        "topic",
        format!("{app_id}-KSTREAM-JOINTHIS-0000000004-store-changelog"),
        vec!["Create", "Delete", "Describe", "Read", "Write"],
    ));
    out
}

/// Follow every Kafka client of every runtime namespace of `bundle` to the user it runs
/// as, its password and CA, and what that user may do.
fn follow(bundle: &gen_render::Bundle) -> usize {
    let objs = objects(bundle);
    let by_kind = |kind: &str| -> Vec<&Value> {
        objs.iter()
            .map(|(_, o)| o)
            .filter(|o| o["kind"] == kind)
            .collect()
    };
    let values = objs
        .iter()
        .find(|(_, o)| is_setup(o))
        .map(|(_, o)| {
            if o["kind"] == "HelmRelease" {
                o["spec"]["values"].clone()
            } else {
                o["spec"]["source"]["helm"]["valuesObject"].clone()
            }
        })
        .unwrap();
    let security = &values["security"]["kafka"];
    assert_eq!(security["protocol"], "SASL_SSL");
    assert_eq!(security["sasl"]["mechanism"], "SCRAM-SHA-512");
    // The chart's defaults that name the keys: passwordPath `password`, brokerCaPath
    // `/tmp/certs/kafka/broker/ca.crt`; the clients read the key of the file name.
    let password_secret = security["sasl"]["client"]["secret"].as_str().unwrap();
    let ca_secret = security["ssl"]["client"]["brokerValidationSecret"]
        .as_str()
        .unwrap();
    let users: BTreeMap<&str, &Value> = by_kind("KafkaUser")
        .into_iter()
        .map(|u| (u["metadata"]["name"].as_str().unwrap(), u))
        .collect();
    let topics: Vec<&str> = by_kind("KafkaTopic")
        .into_iter()
        .map(|t| t["spec"]["topicName"].as_str().unwrap())
        .collect();
    let mut followed = 0;
    let runtimes = by_kind("SeldonRuntime");
    for runtime in &runtimes {
        let ns = runtime["metadata"]["namespace"].as_str().unwrap();
        // Each client's username: the last definition of its variable, the override's
        // env appended to the SeldonConfig's.
        let mut usernames = Vec::new();
        for (component, container, variable) in [
            (
                "seldon-modelgateway",
                "modelgateway",
                "KAFKA_CLIENT_SASL_USERNAME",
            ),
            (
                "seldon-pipelinegateway",
                "pipelinegateway",
                "KAFKA_CLIENT_SASL_USERNAME",
            ),
            (
                "seldon-dataflow-engine",
                "dataflow-engine",
                "SELDON_KAFKA_SASL_USERNAME",
            ),
        ] {
            let o = runtime["spec"]["overrides"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["name"] == component)
                .unwrap_or_else(|| panic!("{ns}: no override of {component}"));
            assert_ne!(o["disable"], true, "{ns}: {component}");
            let c = o["podSpec"]["containers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == container)
                .unwrap_or_else(|| panic!("{ns}: {component} has no container {container}"));
            let last = c["env"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|e| e["name"] == variable)
                .unwrap();
            usernames.push(last["value"].as_str().unwrap().to_string());
        }
        usernames.dedup();
        assert_eq!(usernames.len(), 1, "{ns}: {usernames:?}");
        let user_name = usernames[0].as_str();
        let user = users
            .get(user_name)
            .unwrap_or_else(|| panic!("{ns}: no KafkaUser {user_name}"));
        assert_eq!(user["spec"]["authentication"]["type"], "scram-sha-512");
        assert_eq!(user["spec"]["authorization"]["type"], "simple");
        let kafka_ns = user["metadata"]["namespace"].as_str().unwrap();
        let cluster = user["metadata"]["labels"]["strimzi.io/cluster"]
            .as_str()
            .unwrap();
        // The Secret the clients read, in their namespace, with the keys they read, from
        // the User Operator's Secret (named after the user) and the cluster CA's.
        for (secret, key, remote, property) in [
            (
                password_secret,
                "password",
                user_name.to_string(),
                "password",
            ),
            (
                ca_secret,
                "ca.crt",
                format!("{cluster}-cluster-ca-cert"),
                "ca.crt",
            ),
        ] {
            let es = by_kind("ExternalSecret")
                .into_iter()
                .find(|e| e["metadata"]["namespace"] == ns && e["spec"]["target"]["name"] == secret)
                .unwrap_or_else(|| panic!("{ns}: nothing produces Secret {secret}"));
            let template = es["spec"]["target"]["template"]["data"][key]
                .as_str()
                .unwrap_or_else(|| panic!("{ns}: {secret} has no key {key}"));
            let var = template
                .trim()
                .strip_prefix("{{ .")
                .and_then(|t| t.strip_suffix(" }}"))
                .unwrap();
            let entry = es["spec"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["secretKey"] == var)
                .unwrap();
            assert_eq!(entry["remoteRef"]["key"], remote.as_str(), "{ns}");
            assert_eq!(entry["remoteRef"]["property"], property, "{ns}");
        }
        // Everything the namespace's clients use is allowed...
        let install = &values["kafka"];
        for (kind, name, operations) in uses(&objs, ns, install) {
            for op in operations {
                assert!(
                    user_allows(user, kind, &name, op),
                    "{ns}: {user_name} may not {op} {kind} {name}"
                );
            }
            if kind == "topic" && !topics.is_empty() && !name.contains("-KSTREAM-") {
                assert!(
                    topics.contains(&name.as_str()),
                    "{ns}: no KafkaTopic {name}"
                );
            }
        }
        // ...and nothing another namespace's clients use.
        for other in &runtimes {
            let other_ns = other["metadata"]["namespace"].as_str().unwrap();
            if other_ns == ns {
                continue;
            }
            for (kind, name, operations) in uses(&objs, other_ns, install) {
                for op in operations {
                    assert!(
                        !user_allows(user, kind, &name, op),
                        "{ns}: {user_name} may {op} {kind} {name} of {other_ns}"
                    );
                }
            }
        }
        assert!(!kafka_ns.is_empty());
        followed += 1;
    }
    followed
}

#[test]
fn every_client_runs_as_its_namespace_user_allowed_only_its_names() {
    let bundle = gen_render::ops::render_profile(&example("multi-tenant")).unwrap();
    assert_eq!(follow(&bundle), 2);
    let bundle = gen_render::ops::render_profile(&example("tenant-extensions")).unwrap();
    assert_eq!(follow(&bundle), 2);
    // Pattern shared: the platform's runtime, and an install without prefixes.
    let shared = common::DEDICATED
        .replace("pattern: dedicated", "pattern: shared")
        .replace(
            "platform:\n  namespace: seldon-system\n",
            &format!(
                "{BOOTSTRAP}{FLUX}{TENANCY}    topics: true\nplatform:\n  namespace: seldon-system\n  servers:\n    - name: mlserver\n      serverConfig: mlserver\n"
            ),
        );
    let shared = shared[..shared.find("tenants:").unwrap()].to_string()
        + &shared[shared.find("applications:").unwrap()..].replace("    tenant: a\n", "");
    let bundle = render(&shared).unwrap_or_else(|r| panic!("{r:?}\n{shared}"));
    assert_eq!(follow(&bundle), 1);
    assert_eq!(
        objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "KafkaTopic")
            .count(),
        3,
        "iris inputs and outputs, and the errors topic"
    );
}

#[test]
fn the_platform_may_write_the_users_where_strimzi_watches() {
    // Flux: the platform account holds a Role there for the Strimzi kinds only.
    let bundle = gen_render::ops::render_profile(&example("multi-tenant")).unwrap();
    let objs = objects(&bundle);
    let role = objs
        .iter()
        .find(|(p, _)| p.starts_with("bootstrap/namespaces/kafka/role-"))
        .map(|(_, o)| o)
        .unwrap();
    assert_eq!(
        role["rules"],
        serde_json::json!([{
            "apiGroups": ["kafka.strimzi.io"],
            "resources": ["kafkatopics", "kafkausers"],
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]
        }])
    );
    assert!(
        !objs
            .iter()
            .any(|(p, o)| p.starts_with("bootstrap/namespaces/kafka/") && o["kind"] == "Namespace"),
        "the Kafka namespace is the platform's, not the bundle's"
    );
    // Argo CD: the platform project admits the namespace and the kinds.
    let bundle = gen_render::ops::render_profile(&example("tenant-extensions")).unwrap();
    let objs = objects(&bundle);
    let project = objs
        .iter()
        .map(|(_, o)| o)
        .find(|o| {
            o["kind"] == "AppProject" && o["metadata"]["name"] == "tenant-extensions-platform"
        })
        .unwrap();
    assert!(
        project["spec"]["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["namespace"] == "kafka")
    );
    for kind in ["KafkaUser", "KafkaTopic"] {
        assert!(
            project["spec"]["namespaceResourceWhitelist"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["group"] == "kafka.strimzi.io" && k["kind"] == kind),
            "{kind}"
        );
    }
}

#[test]
fn without_tenancy_the_install_keeps_plaintext_and_the_runtime_no_env() {
    let bundle =
        render(&DEDICATED.replace("platform:\n", &format!("{BOOTSTRAP}{FLUX}platform:\n")))
            .unwrap();
    let mut setups = 0;
    for (path, o) in objects(&bundle) {
        if is_setup(&o) {
            setups += 1;
            let values = &o["spec"]["source"]["helm"]["valuesObject"];
            let values = if values.is_null() {
                &o["spec"]["values"]
            } else {
                values
            };
            assert!(values["security"].is_null(), "{path}");
        }
        if o["kind"] == "SeldonRuntime" {
            assert!(
                o["spec"]["overrides"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|ov| ov["podSpec"].is_null()),
                "{path}"
            );
        }
    }
    assert_eq!(setups, 1);
}
