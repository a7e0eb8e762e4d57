//! Isolation rendered into every bundle: Pod Security Standards labels on namespaces and
//! NetworkPolicies that deny ingress by default and allow exactly the flows Seldon needs
//! (FACTS §3). Egress is denied too when the profile asks for it.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use gen_profile::{Profile, Security};

use crate::labels::labels;
use crate::manifest::Manifest;

/// The Pod Security Standards labels for a namespace.
pub fn pod_security_labels(security: &Security) -> BTreeMap<String, String> {
    let level = security.pod_security.as_str();
    [
        ("pod-security.kubernetes.io/enforce", level),
        ("pod-security.kubernetes.io/audit", "restricted"),
        ("pod-security.kubernetes.io/warn", "restricted"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Pod label that the Seldon controller puts on each component (FACTS §3).
const NAME: &str = "app.kubernetes.io/name";
const SCHEDULER: &str = "seldon-scheduler";
const ENVOY: &str = "seldon-envoy";
const MODEL_GATEWAY: &str = "seldon-modelgateway";
const PIPELINE_GATEWAY: &str = "seldon-pipelinegateway";
const DATAFLOW: &str = "seldon-dataflow-engine";
const HODOMETER: &str = "hodometer";
const SERVER: &str = "seldon-server";
/// The controller's pod label.
const CONTROLLER: (&str, &str) = ("control-plane", "v2-controller-manager");
/// Metrics ports: envoy stats, agent and pipelinegateway metrics, MLServer, Triton.
const METRICS_PORTS: [i32; 4] = [9003, 9006, 8082, 8002];

fn selector(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..LabelSelector::default()
    }
}

fn all_pods() -> LabelSelector {
    LabelSelector::default()
}

fn ns_selector(ns: &str) -> LabelSelector {
    selector(&[("kubernetes.io/metadata.name", ns)])
}

fn component(name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(selector(&[(NAME, name)])),
        ..NetworkPolicyPeer::default()
    }
}

fn ports(numbers: &[i32]) -> Vec<NetworkPolicyPort> {
    numbers.iter().map(|p| port(*p, "TCP")).collect()
}

fn port(number: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(number)),
        protocol: Some(protocol.to_string()),
        end_port: None,
    }
}

fn ingress(from: Vec<NetworkPolicyPeer>, on: &[i32]) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule {
        from: Some(from),
        ports: Some(ports(on)),
    }
}

fn policy(name: &str, ns: &str, part_of: &str, spec: NetworkPolicySpec) -> Manifest {
    Manifest::NetworkPolicy(NetworkPolicy {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(ns.to_string()),
            labels: Some(labels(part_of, "network-policy", None)),
            ..Default::default()
        },
        spec: Some(spec),
    })
}

fn allow(
    name: &str,
    ns: &str,
    part_of: &str,
    pods: LabelSelector,
    rules: Vec<NetworkPolicyIngressRule>,
) -> Manifest {
    policy(
        name,
        ns,
        part_of,
        NetworkPolicySpec {
            pod_selector: Some(pods),
            policy_types: Some(vec!["Ingress".to_string()]),
            ingress: Some(rules),
            egress: None,
        },
    )
}

fn deny(ns: &str, part_of: &str, direction: &str) -> Manifest {
    policy(
        &format!("default-deny-{}", direction.to_ascii_lowercase()),
        ns,
        part_of,
        NetworkPolicySpec {
            pod_selector: Some(all_pods()),
            policy_types: Some(vec![direction.to_string()]),
            ingress: None,
            egress: None,
        },
    )
}

fn namespaces(list: &[String]) -> Vec<NetworkPolicyPeer> {
    list.iter()
        .map(|ns| NetworkPolicyPeer {
            namespace_selector: Some(ns_selector(ns)),
            ..NetworkPolicyPeer::default()
        })
        .collect()
}

/// The namespace of a Kafka bootstrap address such as `kafka-bootstrap.kafka:9092`.
pub fn kafka_namespace(bootstrap: &str) -> Option<String> {
    let host = bootstrap.split(',').next()?.split(':').next()?;
    host.split('.').nth(1).map(str::to_string)
}

fn egress_essentials(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    extra: Vec<NetworkPolicyEgressRule>,
) -> Vec<Manifest> {
    let mut rules = vec![
        // DNS: Seldon components use short service names.
        NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(ns_selector("kube-system")),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
        },
        // Everything inside the namespace (the runtime is self-contained).
        NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(all_pods()),
                ..NetworkPolicyPeer::default()
            }]),
            ports: None,
        },
        // HTTPS: object storage for rclone and the kube-apiserver.
        NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: "0.0.0.0/0".to_string(),
                    except: None,
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(ports(&[443, 6443])),
        },
    ];
    if let Some(kafka_ns) = profile
        .seldon
        .kafka
        .as_ref()
        .and_then(|k| k.bootstrap.as_deref())
        .and_then(kafka_namespace)
    {
        // Kafka: every broker, not only the bootstrap address.
        rules.push(NetworkPolicyEgressRule {
            to: Some(namespaces(&[kafka_ns])),
            ports: None,
        });
    }
    rules.extend(extra);
    vec![
        deny(ns, part_of, "Egress"),
        policy(
            "allow-egress",
            ns,
            part_of,
            NetworkPolicySpec {
                pod_selector: Some(all_pods()),
                policy_types: Some(vec!["Egress".to_string()]),
                ingress: None,
                egress: Some(rules),
            },
        ),
    ]
}

/// Policies for a namespace that holds a SeldonRuntime, its Servers and applications.
pub fn runtime_namespace(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    clients: &[String],
) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let controller = NetworkPolicyPeer {
        namespace_selector: Some(ns_selector(&profile.platform.namespace)),
        pod_selector: Some(selector(&[CONTROLLER])),
        ip_block: None,
    };
    let mut out = vec![
        deny(ns, part_of, "Ingress"),
        allow(
            "allow-seldon-scheduler",
            ns,
            part_of,
            selector(&[(NAME, SCHEDULER)]),
            vec![
                ingress(
                    vec![
                        controller,
                        component(MODEL_GATEWAY),
                        component(PIPELINE_GATEWAY),
                        component(HODOMETER),
                    ],
                    &[9004, 9044],
                ),
                ingress(vec![component(SERVER)], &[9005, 9055]),
                ingress(vec![component(ENVOY)], &[9002]),
                ingress(vec![component(DATAFLOW)], &[9008]),
            ],
        ),
        allow(
            "allow-seldon-envoy",
            ns,
            part_of,
            selector(&[(NAME, ENVOY)]),
            vec![ingress(
                vec![
                    component(MODEL_GATEWAY),
                    component(PIPELINE_GATEWAY),
                    component(SERVER),
                ],
                &[9000],
            )],
        ),
        allow(
            "allow-seldon-servers",
            ns,
            part_of,
            selector(&[(NAME, SERVER)]),
            vec![ingress(
                vec![
                    component(ENVOY),
                    component(MODEL_GATEWAY),
                    component(PIPELINE_GATEWAY),
                ],
                &[9000, 9500, 9001, 9501],
            )],
        ),
        allow(
            "allow-seldon-pipelinegateway",
            ns,
            part_of,
            selector(&[(NAME, PIPELINE_GATEWAY)]),
            vec![ingress(vec![component(ENVOY)], &[9010, 9011])],
        ),
    ];
    let mut client_ns: Vec<String> = security
        .client_namespaces
        .iter()
        .chain(clients)
        .cloned()
        .collect();
    client_ns.sort();
    client_ns.dedup();
    if !client_ns.is_empty() {
        out.push(allow(
            "allow-inference-clients",
            ns,
            part_of,
            selector(&[(NAME, ENVOY)]),
            vec![ingress(namespaces(&client_ns), &[9000])],
        ));
    }
    if let Some(monitoring) = &security.monitoring_namespace {
        out.push(allow(
            "allow-metrics",
            ns,
            part_of,
            all_pods(),
            vec![ingress(
                namespaces(std::slice::from_ref(monitoring)),
                &METRICS_PORTS,
            )],
        ));
    }
    if security.deny_egress {
        out.extend(egress_essentials(profile, ns, part_of, Vec::new()));
    }
    out
}

/// Policies for the controller namespace in pattern dedicated (it holds the controller,
/// SeldonConfig and ServerConfigs, no runtime).
pub fn controller_namespace(profile: &Profile, tenant_namespaces: &[String]) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let ns = profile.platform.namespace.as_str();
    let part_of = profile.name.as_str();
    let mut out = vec![deny(ns, part_of, "Ingress")];
    if let Some(monitoring) = &security.monitoring_namespace {
        out.push(allow(
            "allow-metrics",
            ns,
            part_of,
            all_pods(),
            vec![NetworkPolicyIngressRule {
                from: Some(namespaces(std::slice::from_ref(monitoring))),
                ports: None,
            }],
        ));
    }
    if security.deny_egress {
        // The controller dials seldon-scheduler.<tenant namespace> on 9004 (9044 with TLS).
        let to_schedulers = NetworkPolicyEgressRule {
            to: Some(
                tenant_namespaces
                    .iter()
                    .map(|t| NetworkPolicyPeer {
                        namespace_selector: Some(ns_selector(t)),
                        pod_selector: Some(selector(&[(NAME, SCHEDULER)])),
                        ip_block: None,
                    })
                    .collect(),
            ),
            ports: Some(ports(&[9004, 9044])),
        };
        out.extend(egress_essentials(profile, ns, part_of, vec![to_schedulers]));
    }
    out
}
