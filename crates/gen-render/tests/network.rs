//! The NetworkPolicies of a bundle allow exactly the connections Seldon makes.
//!
//! The test builds the pods that run on a cluster with the bundle (each Seldon component
//! of each SeldonRuntime with its real labels and ports, server pods per Server, the
//! controller, inference clients, Prometheus, Kafka brokers, the cluster DNS, a node-local
//! DNS cache, the API server, an object store on the internet, a tracing collector and pods
//! that should reach nothing), evaluates the rendered NetworkPolicies over every source ×
//! destination × port exactly as Kubernetes does, and compares the result with the table
//! of flows Seldon needs ([`NEEDED`]): every needed flow allowed, every other one denied,
//! except where no policy of the bundle applies (a namespace gen does not manage, or egress
//! when `denyEgress` is off).
//!
//! Kubernetes' rules (networking/v1 NetworkPolicy, "Network Policies" concept page): a pod
//! is isolated for ingress (egress) iff some policy in its namespace selects it and has
//! that policy type (`policyTypes` defaults to Ingress, plus Egress when `egress` is set);
//! a connection is allowed iff the source's egress and the destination's ingress both allow
//! it; a rule without peers or without ports matches every peer or port; a peer is a pod
//! selector (the policy's namespace), a namespace selector, both, or an ipBlock, which also
//! matches pod addresses (as Calico and Cilium do); a port matches by number (up to
//! `endPort`) or by the destination container's port name, and protocol (default TCP).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use common::*;
use gen_render::Bundle;
use serde_json::Value;

// ---- the pods on the cluster ----

/// What an endpoint is, for the table of needed flows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Scheduler,
    Envoy,
    ModelGateway,
    PipelineGateway,
    Dataflow,
    Hodometer,
    /// A server pod, with its ServerConfig.
    Server(String),
    Controller,
    /// A pod in a namespace that is not a Seldon namespace.
    Client,
    Prometheus,
    KafkaBroker,
    ClusterDns,
    OtherKubeSystem,
    Collector,
    NodeLocalDns,
    ApiServer,
    Internet,
}

#[derive(Clone, Debug)]
struct Endpoint {
    role: Role,
    /// `None` outside the pod network.
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    ip: IpAddr,
    /// Listening ports: (number, protocol, name).
    ports: Vec<(u16, &'static str, &'static str)>,
}

impl Endpoint {
    fn id(&self) -> String {
        format!(
            "{:?}@{}",
            self.role,
            self.namespace.as_deref().unwrap_or("outside")
        )
    }
}

const TCP: &str = "TCP";
const UDP: &str = "UDP";

/// The ports each component listens on (setup chart v2.10.2 `_components-statefulsets.tpl`,
/// `scheduler/cmd/*/main.go`, `operator/main.go`; FACTS §3).
fn component_ports(role: &Role) -> Vec<(u16, &'static str, &'static str)> {
    let t = |p, n| (p, TCP, n);
    match role {
        Role::Scheduler => vec![
            t(9002, "xds"),
            t(9004, "scheduler"),
            t(9044, "scheduler-mtls"),
            t(9005, "agent"),
            t(9055, "agent-mtls"),
            t(9008, "dataflow"),
            t(9999, "health"),
        ],
        Role::Envoy => vec![t(9000, "http"), t(9003, "envoy-stats")],
        Role::ModelGateway => vec![t(9999, "health")],
        Role::PipelineGateway => vec![
            t(9010, "http"),
            t(9011, "grpc"),
            t(9006, "metrics"),
            t(9999, "health"),
        ],
        Role::Dataflow => vec![t(8000, "health")],
        Role::Hodometer => vec![],
        Role::Server(config) => {
            let mut p = vec![
                t(9001, "http"),
                t(9501, "grpc"),
                t(9006, "metrics"),
                t(9008, "readiness-port"),
                t(9007, "drainer"),
                t(7777, "debug"),
                t(5572, "rclone"),
                t(9000, "server-http"),
                t(9500, "server-grpc"),
            ];
            match config.as_str() {
                "mlserver" => p.push(t(8082, "server-metrics")),
                "triton" => p.push(t(8002, "server-metrics")),
                _ => {}
            }
            p
        }
        Role::Controller => vec![t(4000, "metrics"), t(8081, "probes"), t(9443, "webhook")],
        Role::Client => vec![t(8080, "http")],
        Role::Prometheus => vec![t(9090, "web")],
        Role::KafkaBroker => vec![t(9092, "plain"), t(9093, "tls"), t(9404, "metrics")],
        Role::ClusterDns | Role::NodeLocalDns => vec![(53, UDP, "dns"), (53, TCP, "dns-tcp")],
        Role::OtherKubeSystem => vec![t(443, "webhook"), t(10250, "metrics")],
        Role::Collector => vec![t(4317, "otlp-grpc"), t(4318, "otlp-http")],
        Role::ApiServer => vec![t(443, "https"), t(6443, "https-alt")],
        Role::Internet => vec![t(80, "http"), t(443, "https")],
    }
}

/// Every endpoint of a cluster running `bundle`, whose controller is in `controller_ns`.
fn cluster(bundle: &Bundle, controller_ns: &str) -> Vec<Endpoint> {
    let objs = objects(bundle);
    let mut pods = Vec::new();
    let mut next_ip = 0u32;
    let mut pod = |role: Role, ns: &str, labels: &[(&str, &str)]| {
        next_ip += 1;
        let mut l: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        l.insert("pod-template-hash".to_string(), "x".to_string());
        Endpoint {
            ports: component_ports(&role),
            role,
            namespace: Some(ns.to_string()),
            labels: l,
            ip: IpAddr::from([10, 244, (next_ip / 250) as u8, (next_ip % 250) as u8]),
        }
    };
    let name = "app.kubernetes.io/name";
    for (_, rt) in objs.iter().filter(|(_, o)| o["kind"] == "SeldonRuntime") {
        let ns = rt["metadata"]["namespace"].as_str().unwrap();
        // The controller runs every component a SeldonConfig lists unless an override
        // disables it (`runtime_reconciler.go` ComponentOverride).
        let disabled = |component: &str| {
            rt["spec"]["overrides"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["name"] == component && o["disable"] == true)
        };
        for (component, role) in [
            ("seldon-scheduler", Role::Scheduler),
            ("seldon-envoy", Role::Envoy),
            ("seldon-modelgateway", Role::ModelGateway),
            ("seldon-pipelinegateway", Role::PipelineGateway),
            ("seldon-dataflow-engine", Role::Dataflow),
            ("hodometer", Role::Hodometer),
        ] {
            if !disabled(component) {
                pods.push(pod(role, ns, &[(name, component)]));
            }
        }
        for (_, s) in objs
            .iter()
            .filter(|(_, o)| o["kind"] == "Server" && o["metadata"]["namespace"] == ns)
        {
            let server = s["metadata"]["name"].as_str().unwrap();
            let config = s["spec"]["serverConfig"].as_str().unwrap().to_string();
            // `server/statefulset_reconciler.go`: the Server's labels, then these two.
            let mut labels: Vec<(&str, &str)> = s["metadata"]["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                .collect();
            labels.push((name, "seldon-server"));
            labels.push(("seldon-server-name", server));
            pods.push(pod(Role::Server(config), ns, &labels));
        }
    }
    pods.push(pod(
        Role::Controller,
        controller_ns,
        &[("control-plane", "v2-controller-manager")],
    ));
    for ns in ["ingress-nginx", "payments", "elsewhere"] {
        pods.push(pod(Role::Client, ns, &[("app", "client")]));
    }
    pods.push(pod(Role::Prometheus, "monitoring", &[(name, "prometheus")]));
    for ns in ["kafka", "seldon-mesh"] {
        pods.push(pod(Role::KafkaBroker, ns, &[("strimzi.io/kind", "Kafka")]));
    }
    pods.push(pod(
        Role::ClusterDns,
        "kube-system",
        &[("k8s-app", "kube-dns")],
    ));
    pods.push(pod(
        Role::OtherKubeSystem,
        "kube-system",
        &[("k8s-app", "metrics-server")],
    ));
    pods.push(pod(
        Role::Collector,
        "observability",
        &[(name, "otel-collector")],
    ));
    let outside = |role: Role, ip: &str| Endpoint {
        ports: component_ports(&role),
        role,
        namespace: None,
        labels: BTreeMap::new(),
        ip: ip.parse().unwrap(),
    };
    pods.push(outside(Role::NodeLocalDns, "169.254.20.10"));
    pods.push(outside(Role::ApiServer, "172.18.0.2"));
    pods.push(outside(Role::Internet, "142.250.74.110"));
    pods
}

// ---- Kubernetes' evaluation of NetworkPolicies ----

fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (net, len) = cidr.split_once('/').unwrap();
    let net: IpAddr = net.parse().unwrap();
    let len: u32 = len.parse().unwrap();
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A label selector (matchLabels and matchExpressions) on a label set; `{}` matches all.
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let by_labels = selector["matchLabels"].as_object().is_none_or(|m| {
        m.iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    });
    let by_expressions = selector["matchExpressions"].as_array().is_none_or(|exprs| {
        exprs.iter().all(|e| {
            let value = labels.get(e["key"].as_str().unwrap());
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|v| v.iter().map(|x| x.as_str().unwrap()).collect())
                .unwrap_or_default();
            match e["operator"].as_str().unwrap() {
                "In" => value.is_some_and(|v| values.contains(&v.as_str())),
                "NotIn" => value.is_none_or(|v| !values.contains(&v.as_str())),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                other => panic!("operator {other}"),
            }
        })
    });
    by_labels && by_expressions
}

fn namespace_labels(ns: &str) -> BTreeMap<String, String> {
    [("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()
}

/// Whether `peer` of a policy in `policy_ns` is `endpoint`.
fn peer_matches(peer: &Value, policy_ns: &str, endpoint: &Endpoint) -> bool {
    if let Some(block) = peer.get("ipBlock") {
        let except = block["except"]
            .as_array()
            .is_some_and(|e| e.iter().any(|c| in_cidr(endpoint.ip, c.as_str().unwrap())));
        return in_cidr(endpoint.ip, block["cidr"].as_str().unwrap()) && !except;
    }
    let Some(ns) = &endpoint.namespace else {
        return false;
    };
    let ns_ok = match peer.get("namespaceSelector") {
        Some(sel) => selects(sel, &namespace_labels(ns)),
        None => ns == policy_ns,
    };
    let pod_ok = peer
        .get("podSelector")
        .is_none_or(|sel| selects(sel, &endpoint.labels));
    ns_ok && pod_ok
}

fn port_matches(entry: &Value, dst: &Endpoint, port: u16, protocol: &str) -> bool {
    if entry["protocol"].as_str().unwrap_or(TCP) != protocol {
        return false;
    }
    match &entry["port"] {
        Value::Null => true,
        Value::Number(n) => {
            let start = n.as_u64().unwrap();
            let end = entry["endPort"].as_u64().unwrap_or(start);
            (start..=end).contains(&u64::from(port))
        }
        Value::String(name) => dst
            .ports
            .iter()
            .any(|(p, proto, n)| *p == port && *proto == protocol && n == name),
        other => panic!("port {other}"),
    }
}

fn policy_types(p: &Value) -> Vec<String> {
    match p["spec"]["policyTypes"].as_array() {
        Some(t) => t.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        None => {
            let mut t = vec!["Ingress".to_string()];
            if !p["spec"]["egress"].is_null() {
                t.push("Egress".to_string());
            }
            t
        }
    }
}

/// Whether the policies let `pod` (`direction` Ingress: receive from `other`; Egress: send to
/// `other`) on `port`/`protocol` of the destination.
fn policies_allow(
    policies: &[Value],
    direction: &str,
    pod: &Endpoint,
    other: &Endpoint,
    dst: &Endpoint,
    port: u16,
    protocol: &str,
) -> bool {
    let Some(ns) = &pod.namespace else {
        return true;
    };
    let (rules_key, peers_key) = match direction {
        "Ingress" => ("ingress", "from"),
        _ => ("egress", "to"),
    };
    let mut isolated = false;
    for p in policies {
        if p["metadata"]["namespace"] != ns.as_str()
            || !policy_types(p).iter().any(|t| t == direction)
            || !selects(&p["spec"]["podSelector"], &pod.labels)
        {
            continue;
        }
        isolated = true;
        for rule in p["spec"][rules_key].as_array().into_iter().flatten() {
            let peers_ok = match rule[peers_key].as_array() {
                None => true,
                Some(peers) if peers.is_empty() => true,
                Some(peers) => peers.iter().any(|peer| peer_matches(peer, ns, other)),
            };
            let ports_ok = match rule["ports"].as_array() {
                None => true,
                Some(ports) if ports.is_empty() => true,
                Some(ports) => ports.iter().any(|e| port_matches(e, dst, port, protocol)),
            };
            if peers_ok && ports_ok {
                return true;
            }
        }
    }
    !isolated
}

fn allowed(policies: &[Value], src: &Endpoint, dst: &Endpoint, port: u16, protocol: &str) -> bool {
    policies_allow(policies, "Egress", src, dst, dst, port, protocol)
        && policies_allow(policies, "Ingress", dst, src, dst, port, protocol)
}

#[test]
fn the_evaluator_follows_kubernetes() {
    let pod = |ns: &str, app: &str, ip: &str| Endpoint {
        role: Role::Client,
        namespace: Some(ns.to_string()),
        labels: [("app".to_string(), app.to_string())].into(),
        ip: ip.parse().unwrap(),
        ports: vec![(80, TCP, "http")],
    };
    let (a, b, c) = (
        pod("x", "a", "10.0.0.1"),
        pod("x", "b", "10.0.0.2"),
        pod("y", "a", "10.1.0.3"),
    );
    let p = |spec: Value| serde_json::json!({"metadata": {"namespace": "x"}, "spec": spec});
    // No policy: everything flows.
    assert!(allowed(&[], &a, &b, 80, TCP));
    // An ingress policy with no rules isolates; an empty rule admits everything.
    let deny = p(serde_json::json!({"podSelector": {}, "policyTypes": ["Ingress"]}));
    assert!(!allowed(std::slice::from_ref(&deny), &a, &b, 80, TCP));
    let open = p(serde_json::json!({"podSelector": {}, "ingress": [{}]}));
    assert!(allowed(&[deny.clone(), open], &c, &b, 81, UDP));
    // A pod selector alone means the policy's namespace.
    let same_ns = p(
        serde_json::json!({"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}]}),
    );
    assert!(allowed(&[deny.clone(), same_ns.clone()], &a, &b, 80, TCP));
    assert!(!allowed(&[deny.clone(), same_ns], &c, &b, 80, TCP));
    // Named ports resolve on the destination; protocol defaults to TCP.
    let named =
        p(serde_json::json!({"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]}));
    assert!(allowed(&[deny.clone(), named.clone()], &c, &b, 80, TCP));
    assert!(!allowed(&[deny.clone(), named], &c, &b, 80, UDP));
    // Egress: `policyTypes` absent means Egress too when `egress` is set, and Ingress
    // always, so the selected pod is isolated both ways. ipBlocks match pod addresses.
    let egress = p(
        serde_json::json!({"podSelector": {"matchLabels": {"app": "a"}}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/24"]}}]}]}),
    );
    assert!(!allowed(std::slice::from_ref(&egress), &a, &b, 80, TCP));
    assert!(allowed(std::slice::from_ref(&egress), &a, &c, 80, TCP));
    assert!(!allowed(std::slice::from_ref(&egress), &b, &a, 80, TCP));
    assert!(allowed(std::slice::from_ref(&egress), &b, &c, 80, TCP));
}

// ---- the flows Seldon needs ----

/// A destination or source class of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Scheduler,
    Envoy,
    ModelGateway,
    PipelineGateway,
    Dataflow,
    Hodometer,
    Server,
    /// Server pods whose inference container exposes metrics on this port.
    ServerMetrics(u16),
    Controller,
    /// Every Seldon pod (runtime components, server pods, the controller).
    AnySeldon,
    /// A pod of a namespace the profile lets call the runtime's inference endpoint.
    InferenceClient,
    Monitoring,
    Kafka,
    Dns,
    ApiServer,
    ObjectStorage,
    /// Any address (hodometer's publish URL).
    Anywhere,
    Collector,
}

/// Ports of a row: TCP numbers, every port, or the profile's DNS ports on UDP and TCP.
#[derive(Clone, Copy, Debug)]
enum Ports {
    Tcp(&'static [u16]),
    All,
    Dns,
    /// The ports the profile gives `security.apiServer` / `objectStorage`.
    Configured,
    /// The tracing collector's port.
    CollectorPort,
}

/// Which pods of a source or destination must be in the same runtime namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Both ends in one runtime namespace.
    SameRuntime,
    /// Any namespaces (the controller dials every runtime's scheduler; shared services).
    Any,
}

struct Row {
    from: Class,
    to: Class,
    ports: Ports,
    scope: Scope,
    /// Where upstream makes this connection.
    source: &'static str,
}

const fn row(from: Class, to: Class, ports: Ports, scope: Scope, source: &'static str) -> Row {
    Row {
        from,
        to,
        ports,
        scope,
        source,
    }
}

/// Every connection Seldon Core v2.10.2 makes, written once, with where upstream makes it.
const NEEDED: &[Row] = &[
    row(
        Class::Controller,
        Class::Scheduler,
        Ports::Tcp(&[9004]),
        Scope::Any,
        "operator/scheduler/client.go: seldon-scheduler.<namespace>:9004",
    ),
    row(
        Class::ModelGateway,
        Class::Scheduler,
        Ports::Tcp(&[9004]),
        Scope::SameRuntime,
        "scheduler/cmd/modelgateway/main.go ConnectToScheduler",
    ),
    row(
        Class::PipelineGateway,
        Class::Scheduler,
        Ports::Tcp(&[9004]),
        Scope::SameRuntime,
        "scheduler/cmd/pipelinegateway/main.go schedulerClient.Start",
    ),
    row(
        Class::Hodometer,
        Class::Scheduler,
        Ports::Tcp(&[9004]),
        Scope::SameRuntime,
        "setup chart hodometer SCHEDULER_PLAINTXT_PORT",
    ),
    row(
        Class::Server,
        Class::Scheduler,
        Ports::Tcp(&[9005]),
        Scope::SameRuntime,
        "setup chart ServerConfigs SELDON_SCHEDULER_PORT (agent)",
    ),
    row(
        Class::Envoy,
        Class::Scheduler,
        Ports::Tcp(&[9002]),
        Scope::SameRuntime,
        "scheduler/cmd/scheduler/main.go envoy-port: xDS",
    ),
    row(
        Class::Dataflow,
        Class::Scheduler,
        Ports::Tcp(&[9008]),
        Scope::SameRuntime,
        "setup chart dataflow SELDON_UPSTREAM_PORT",
    ),
    row(
        Class::ModelGateway,
        Class::Envoy,
        Ports::Tcp(&[9000]),
        Scope::SameRuntime,
        "setup chart --envoy-host=seldon-mesh --envoy-port=80",
    ),
    row(
        Class::PipelineGateway,
        Class::Envoy,
        Ports::Tcp(&[9000]),
        Scope::SameRuntime,
        "setup chart --envoy-host=seldon-mesh --envoy-port=80 (model readiness)",
    ),
    row(
        Class::Server,
        Class::Envoy,
        Ports::Tcp(&[9000]),
        Scope::SameRuntime,
        "scheduler/pkg/agent/repository/mlserver: explainer infer_uri via seldon-mesh",
    ),
    row(
        Class::InferenceClient,
        Class::Envoy,
        Ports::Tcp(&[9000]),
        Scope::Any,
        "security.clientNamespaces, tenants[].clientNamespaces",
    ),
    row(
        Class::Envoy,
        Class::Server,
        Ports::Tcp(&[9001, 9501]),
        Scope::SameRuntime,
        "FACTS §9.7: the agent's reverse proxy (scheduler/cmd/agent/cli)",
    ),
    row(
        Class::Envoy,
        Class::PipelineGateway,
        Ports::Tcp(&[9010, 9011]),
        Scope::SameRuntime,
        "scheduler/cmd/scheduler/main.go pipeline-gateway-http-port/grpc-port",
    ),
    row(
        Class::Monitoring,
        Class::Envoy,
        Ports::Tcp(&[9003]),
        Scope::Any,
        "prometheus/monitors/envoy-servicemonitor.yaml",
    ),
    row(
        Class::Monitoring,
        Class::PipelineGateway,
        Ports::Tcp(&[9006]),
        Scope::Any,
        "prometheus/monitors/pipelinegateway-podmonitor.yaml",
    ),
    row(
        Class::Monitoring,
        Class::Server,
        Ports::Tcp(&[9006]),
        Scope::Any,
        "prometheus/monitors/agent-podmonitor.yaml",
    ),
    row(
        Class::Monitoring,
        Class::ServerMetrics(8082),
        Ports::Tcp(&[8082]),
        Scope::Any,
        "prometheus/monitors/server-podmonitor.yaml (MLServer server-metrics)",
    ),
    row(
        Class::Monitoring,
        Class::ServerMetrics(8002),
        Ports::Tcp(&[8002]),
        Scope::Any,
        "prometheus/monitors/server-podmonitor.yaml (Triton server-metrics)",
    ),
    row(
        Class::Monitoring,
        Class::Controller,
        Ports::Tcp(&[4000]),
        Scope::Any,
        "operator/main.go --metrics-bind-address default :4000",
    ),
    row(
        Class::AnySeldon,
        Class::Dns,
        Ports::Dns,
        Scope::Any,
        "FACTS §3: components use short service names",
    ),
    row(
        Class::ModelGateway,
        Class::Kafka,
        Ports::All,
        Scope::Any,
        "scheduler/pkg/kafka/gateway/infer.go: producer, consumer, every broker",
    ),
    row(
        Class::PipelineGateway,
        Class::Kafka,
        Ports::All,
        Scope::Any,
        "scheduler/pkg/kafka/pipeline/kafkamanager.go",
    ),
    row(
        Class::Dataflow,
        Class::Kafka,
        Ports::All,
        Scope::Any,
        "setup chart dataflow SELDON_KAFKA_BOOTSTRAP_SERVERS",
    ),
    row(
        Class::Server,
        Class::ApiServer,
        Ports::Configured,
        Scope::Any,
        "scheduler/cmd/agent/main.go CreateClientset (rclone secrets, EndpointSlices)",
    ),
    row(
        Class::Controller,
        Class::ApiServer,
        Ports::Configured,
        Scope::Any,
        "operator/main.go ctrl.NewManager",
    ),
    row(
        Class::Hodometer,
        Class::ApiServer,
        Ports::Configured,
        Scope::Any,
        "hodometer/pkg/hodometer/collect.go getKubernetesClientset",
    ),
    row(
        Class::Server,
        Class::ObjectStorage,
        Ports::Configured,
        Scope::Any,
        "rclone downloads storageUri",
    ),
    row(
        Class::Hodometer,
        Class::Anywhere,
        Ports::Tcp(&[80]),
        Scope::Any,
        "setup chart hodometer PUBLISH_URL http://hodometer.seldon.io",
    ),
    row(
        Class::Scheduler,
        Class::Collector,
        Ports::CollectorPort,
        Scope::Any,
        "scheduler/cmd/scheduler/main.go NewTraceProvider",
    ),
    row(
        Class::ModelGateway,
        Class::Collector,
        Ports::CollectorPort,
        Scope::Any,
        "scheduler/cmd/modelgateway/main.go NewTraceProvider",
    ),
    row(
        Class::PipelineGateway,
        Class::Collector,
        Ports::CollectorPort,
        Scope::Any,
        "scheduler/cmd/pipelinegateway/main.go NewTraceProvider",
    ),
    row(
        Class::Dataflow,
        Class::Collector,
        Ports::CollectorPort,
        Scope::Any,
        "setup chart dataflow OTEL_EXPORTER_OTLP_ENDPOINT",
    ),
    row(
        Class::Server,
        Class::Collector,
        Ports::CollectorPort,
        Scope::Any,
        "scheduler/cmd/agent/main.go NewTraceProvider",
    ),
];

/// What the profile says about the cluster, read from the profile text itself.
struct Settings {
    security: gen_profile::Security,
    /// Client namespaces per runtime namespace.
    clients: BTreeMap<String, BTreeSet<String>>,
    /// Kafka broker namespace per runtime namespace: (gateways, dataflow engine).
    kafka: BTreeMap<String, (String, String)>,
    /// Tracing collector (namespace, port) per runtime namespace.
    collector: BTreeMap<String, (String, u16)>,
}

fn settings(profile: &gen_profile::Profile) -> Settings {
    let ns_of = |bootstrap: &str| {
        let host = bootstrap.split(':').next().unwrap();
        host.split('.').nth(1).unwrap().to_string()
    };
    let install = profile
        .seldon
        .kafka
        .as_ref()
        .and_then(|k| k.bootstrap.clone())
        .unwrap_or_else(|| "seldon-kafka-bootstrap.seldon-mesh:9092".to_string());
    let mut runtimes: Vec<(String, Option<&gen_profile::RuntimeSettings>, Vec<String>)> =
        Vec::new();
    match profile.pattern {
        gen_profile::Pattern::Shared => runtimes.push((
            profile.platform.namespace.clone(),
            profile.platform.runtime.as_ref(),
            Vec::new(),
        )),
        gen_profile::Pattern::Dedicated => {
            for t in &profile.tenants {
                runtimes.push((
                    t.namespace.clone(),
                    t.runtime.as_ref(),
                    t.client_namespaces.clone(),
                ));
            }
        }
    }
    let mut s = Settings {
        security: profile.security.clone(),
        clients: BTreeMap::new(),
        kafka: BTreeMap::new(),
        collector: BTreeMap::new(),
    };
    for (ns, rt, own_clients) in runtimes {
        let config = rt.and_then(|r| r.config.as_ref());
        let gateways = config
            .and_then(|c| c.kafka_config.as_ref())
            .and_then(|k| k.bootstrap_servers.clone())
            .unwrap_or_else(|| install.clone());
        s.kafka
            .insert(ns.clone(), (ns_of(&gateways), ns_of(&install)));
        // The runtime's own collector, else the profile's, unless the runtime disables it.
        let own = config.and_then(|c| c.tracing_config.as_ref());
        let endpoint = own
            .and_then(|t| t.otel_exporter_endpoint.clone())
            .or_else(|| profile.seldon.tracing.as_ref().map(|t| t.endpoint.clone()));
        if own.and_then(|t| t.disable) != Some(true)
            && let Some(e) = &endpoint
        {
            let (host, port) = e.rsplit_once(':').unwrap();
            s.collector.insert(
                ns.clone(),
                (ns_of(&format!("{host}:0")), port.parse().unwrap()),
            );
        }
        s.clients.insert(
            ns,
            profile
                .security
                .client_namespaces
                .iter()
                .chain(&own_clients)
                .cloned()
                .collect(),
        );
    }
    s
}

/// Whether `e` belongs to `class`, for a flow whose runtime namespace (the namespace of
/// the Seldon end of a same-runtime row) is `runtime`.
fn is(class: Class, e: &Endpoint, s: &Settings, other: &Endpoint) -> bool {
    let seldon = |r: &Role| {
        matches!(
            r,
            Role::Scheduler
                | Role::Envoy
                | Role::ModelGateway
                | Role::PipelineGateway
                | Role::Dataflow
                | Role::Hodometer
                | Role::Server(_)
                | Role::Controller
        )
    };
    let other_runtime = other.namespace.clone().unwrap_or_default();
    let in_ns = |ns: &str| e.namespace.as_deref() == Some(ns);
    // Addresses outside the pod network: the Seldon pods have rows of their own.
    let addresses = |endpoints: &gen_profile::Endpoints| {
        !seldon(&e.role) && endpoints.cidrs.iter().any(|c| in_cidr(e.ip, c.as_str()))
    };
    match class {
        Class::Scheduler => e.role == Role::Scheduler,
        Class::Envoy => e.role == Role::Envoy,
        Class::ModelGateway => e.role == Role::ModelGateway,
        Class::PipelineGateway => e.role == Role::PipelineGateway,
        Class::Dataflow => e.role == Role::Dataflow,
        Class::Hodometer => e.role == Role::Hodometer,
        Class::Server => matches!(e.role, Role::Server(_)),
        Class::ServerMetrics(port) => {
            matches!(&e.role, Role::Server(_))
                && e.ports
                    .iter()
                    .any(|(p, _, n)| *p == port && *n == "server-metrics")
        }
        Class::Controller => e.role == Role::Controller,
        Class::AnySeldon => seldon(&e.role),
        Class::InferenceClient => {
            !seldon(&e.role)
                && s.clients
                    .get(&other_runtime)
                    .is_some_and(|c| e.namespace.as_ref().is_some_and(|n| c.contains(n)))
        }
        Class::Monitoring => s
            .security
            .monitoring_namespace
            .as_deref()
            .is_some_and(in_ns),
        Class::Kafka => {
            e.role == Role::KafkaBroker
                && s.kafka
                    .get(&other_runtime)
                    .is_some_and(|(gateways, dataflow)| {
                        let ns = if other.role == Role::Dataflow {
                            dataflow
                        } else {
                            gateways
                        };
                        in_ns(ns)
                    })
        }
        Class::Dns => {
            let dns = &s.security.dns;
            (in_ns(&dns.namespace)
                && dns
                    .pod_labels
                    .iter()
                    .all(|(k, v)| e.labels.get(k) == Some(v)))
                || (e.namespace.is_none() && dns.cidrs.iter().any(|c| in_cidr(e.ip, c.as_str())))
        }
        Class::ApiServer => addresses(&s.security.api_server),
        Class::ObjectStorage => addresses(&s.security.object_storage),
        Class::Anywhere => !seldon(&e.role),
        Class::Collector => s
            .collector
            .get(&other_runtime)
            .is_some_and(|(ns, _)| in_ns(ns)),
    }
}

fn ports_match(
    ports: Ports,
    class_end: &Endpoint,
    s: &Settings,
    port: u16,
    protocol: &str,
    to: Class,
) -> bool {
    let listed =
        |list: &[std::num::NonZeroU16]| protocol == TCP && list.iter().any(|p| p.get() == port);
    match ports {
        Ports::Tcp(list) => protocol == TCP && list.contains(&port),
        Ports::All => true,
        Ports::Dns => s.security.dns.ports.iter().any(|p| p.get() == port),
        Ports::Configured => match to {
            Class::ApiServer => listed(&s.security.api_server.ports),
            Class::ObjectStorage => listed(&s.security.object_storage.ports),
            other => panic!("no configured ports for {other:?}"),
        },
        Ports::CollectorPort => {
            protocol == TCP
                && class_end
                    .namespace
                    .as_ref()
                    .and_then(|ns| s.collector.get(ns))
                    .is_some_and(|(_, p)| *p == port)
        }
    }
}

/// Whether the table has `src` → `dst` on `port`/`protocol`.
fn needed(
    src: &Endpoint,
    dst: &Endpoint,
    port: u16,
    protocol: &str,
    s: &Settings,
) -> Option<&'static str> {
    NEEDED.iter().find_map(|r| {
        let same_runtime = src.namespace.is_some() && src.namespace == dst.namespace;
        let scope_ok = match r.scope {
            Scope::SameRuntime => same_runtime,
            Scope::Any => true,
        };
        // Destination classes that depend on the caller's runtime read it from the source;
        // sources that depend on the callee's (inference clients) from the destination.
        (scope_ok
            && is(r.from, src, s, dst)
            && is(r.to, dst, s, src)
            && ports_match(r.ports, src, s, port, protocol, r.to))
        .then_some(r.source)
    })
}

// ---- the comparison ----

/// Namespaces whose pods the bundle's policies manage: every namespace it renders a
/// NetworkPolicy into.
fn managed(policies: &[Value]) -> BTreeSet<String> {
    policies
        .iter()
        .map(|p| p["metadata"]["namespace"].as_str().unwrap().to_string())
        .collect()
}

/// Every disagreement between the policies and the table, as text.
/// Also returns the rows of [`NEEDED`] that some allowed flow used.
fn disagreements(
    bundle: &Bundle,
    profile: &gen_profile::Profile,
) -> (Vec<String>, BTreeSet<&'static str>) {
    let policies: Vec<Value> = objects(bundle)
        .into_iter()
        .filter(|(_, o)| o["kind"] == "NetworkPolicy")
        .map(|(_, o)| o)
        .collect();
    let s = settings(profile);
    let managed = managed(&policies);
    let endpoints = cluster(bundle, &profile.platform.namespace);
    let mut probe_ports: BTreeSet<(u16, &str)> = endpoints
        .iter()
        .flat_map(|e| e.ports.iter().map(|(p, proto, _)| (*p, *proto)))
        .collect();
    for extra in [22, 4317, 8443, 9091] {
        probe_ports.insert((extra, TCP));
    }
    probe_ports.insert((5353, UDP));
    let deny_egress = profile.security.deny_egress;
    let mut wrong = Vec::new();
    let mut used = BTreeSet::new();
    for src in &endpoints {
        for dst in &endpoints {
            if src.ip == dst.ip {
                continue;
            }
            for &(port, protocol) in &probe_ports {
                let need = needed(src, dst, port, protocol, &s);
                let in_managed =
                    |e: &Endpoint| e.namespace.as_ref().is_some_and(|n| managed.contains(n));
                // Where a policy of the bundle decides, only needed flows; elsewhere open.
                let expected = (need.is_some() || !in_managed(dst))
                    && (need.is_some() || !(deny_egress && in_managed(src)));
                let actual = allowed(&policies, src, dst, port, protocol);
                if actual && let Some(row) = need {
                    used.insert(row);
                }
                if actual != expected {
                    wrong.push(format!(
                        "{} -> {}:{port}/{protocol}: {} but {}",
                        src.id(),
                        dst.id(),
                        if actual { "allowed" } else { "denied" },
                        match need {
                            Some(why) => format!("needed ({why})"),
                            None => "not needed".to_string(),
                        }
                    ));
                }
            }
        }
    }
    (wrong, used)
}

/// Check one profile; the rows it used.
fn check(label: &str, text: &str) -> BTreeSet<&'static str> {
    let loaded = gen_profile::parse("p.yaml", text).unwrap();
    let bundle = gen_render::render_loaded(&loaded).unwrap();
    let (wrong, used) = disagreements(&bundle, &loaded.profile);
    assert!(
        wrong.is_empty(),
        "{label}: {} flows differ from what Seldon needs:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    used
}

fn text(path: &camino::Utf8Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn with_deny_egress(text: &str, on: bool) -> String {
    let mut t = text
        .replace("  denyEgress: true\n", "")
        .replace("  denyEgress: false\n", "");
    t = t.replace("security:\n", &format!("security:\n  denyEgress: {on}\n"));
    if !t.contains("security:\n") {
        t.push_str(&format!("security:\n  denyEgress: {on}\n"));
    }
    t
}

/// Both patterns, both engines, with and without denyEgress; then hodometer on, a
/// tracing collector, the cluster's real addresses, no monitoring and no clients, and a
/// disabled component.
fn variants() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for profile in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        for deny_egress in [false, true] {
            v.push((
                format!("{profile} denyEgress={deny_egress}"),
                with_deny_egress(&text(&profile), deny_egress),
            ));
        }
    }
    let multi = with_deny_egress(&text(&example("multi-tenant")), true);
    // Hodometer switched on in one tenant: its flows appear there only.
    v.push((
        "hodometer on".to_string(),
        multi.replacen(
            "    runtime:\n      config:\n",
            "    runtime:\n      overrides: [{name: hodometer, disable: false}]\n      config:\n",
            1,
        ),
    ));
    // A tracing collector in one tenant: its tracing components may reach it.
    v.push((
        "tracing".to_string(),
        multi.replacen(
            "          consumerGroupIdPrefix: fraud\n",
            "          consumerGroupIdPrefix: fraud\n        tracingConfig: {otelExporterEndpoint: \"otel-collector.observability:4317\"}\n",
            1,
        ),
    ));
    // A collector for every runtime, from the profile.
    v.push((
        "tracing for all".to_string(),
        with_deny_egress(&text(&example("single-team")), true).replacen(
            "seldon:\n",
            "seldon:\n  tracing: {endpoint: \"otel-collector.observability.svc:4317\"}\n",
            1,
        ),
    ));
    // The cluster's real addresses: a node-local DNS cache, the API server's endpoint,
    // object storage in one range; a DNS that also listens on 5353.
    v.push((
        "narrowed".to_string(),
        multi.replacen(
            "security:\n",
            "security:\n  dns: {cidrs: [169.254.20.10/32], ports: [53, 5353]}\n  apiServer: {cidrs: [172.18.0.2/32], ports: [6443]}\n  objectStorage: {cidrs: [142.250.0.0/15], ports: [443]}\n",
            1,
        ),
    ));
    // No monitoring namespace and no clients: no metrics or client flows at all.
    let single = with_deny_egress(&text(&example("single-team")), true)
        .replace("  clientNamespaces: [ingress-nginx]\n", "")
        .replace("  monitoringNamespace: monitoring\n", "");
    // A disabled pipeline gateway: no rule names it.
    let no_pipelines = single.replacen(
        "      - name: seldon-envoy\n",
        "      - name: seldon-pipelinegateway\n        disable: true\n      - name: seldon-envoy\n",
        1,
    );
    v.push(("no monitoring, no clients".to_string(), single));
    v.push(("pipeline gateway disabled".to_string(), no_pipelines));
    v
}

#[test]
fn policies_allow_exactly_the_flows_seldon_needs() {
    let mut used = BTreeSet::new();
    for (label, text) in variants() {
        let rows = check(&label, &text);
        assert!(!rows.is_empty(), "{label}");
        if label == "pipeline gateway disabled" {
            let bundle =
                gen_render::render_loaded(&gen_profile::parse("p.yaml", &text).unwrap()).unwrap();
            for (path, text) in &bundle.files {
                assert!(
                    !path.contains("/networkpolicy-") || !text.contains("seldon-pipelinegateway"),
                    "{path} names a disabled component"
                );
            }
        }
        used.extend(rows);
    }
    // Every row of the table is a flow some variant allows: the table has no dead rows.
    let unused: Vec<&str> = NEEDED
        .iter()
        .map(|r| r.source)
        .filter(|s| !used.contains(s))
        .collect();
    assert!(unused.is_empty(), "rows no flow used: {unused:?}");
}

#[test]
fn a_policy_that_admits_too_much_is_caught() {
    // The check is not vacuous: the policies of the previous release opened the inference
    // ports of server pods to the gateways, which the table does not need.
    let loaded = gen_profile::parse(
        "p.yaml",
        &with_deny_egress(&text(&example("single-team")), false),
    )
    .unwrap();
    let mut bundle = gen_render::render_loaded(&loaded).unwrap();
    let path = "platform/networkpolicy-allow-seldon-servers.yaml";
    let widened = bundle.files[path].replace(
        "    - port: 9501\n",
        "    - port: 9501\n      protocol: TCP\n    - port: 9000\n",
    );
    assert_ne!(widened, bundle.files[path]);
    bundle.files.insert(path.to_string(), widened);
    let (wrong, _) = disagreements(&bundle, &loaded.profile);
    assert!(
        wrong.iter().any(|w| w.starts_with("Envoy@seldon-system -> Server(\"mlserver\")@seldon-system:9000/TCP: allowed but not needed")),
        "{wrong:?}"
    );
}
