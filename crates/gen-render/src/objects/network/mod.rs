//! NetworkPolicies that deny by default and allow exactly the connections Seldon makes
//! (the Pod Security labels of namespaces are in `objects::namespace`).
//!
//! Who connects to whom, from seldon-core v2.10.2 (FACTS §3 and §9.7):
//! - scheduler (`scheduler/cmd/scheduler/main.go`): listens on 9002 (envoy xDS), 9004
//!   (controller, model and pipeline gateways, hodometer), 9005 (agents in server pods) and
//!   9008 (dataflow engine); 9044/9055 only with control-plane TLS, which gen does not
//!   configure, so they stay closed. It calls nothing but DNS (its Kafka settings only name
//!   topics; it reads its config from mounted files, not the API server).
//! - envoy: dials the scheduler's xDS port, the agents' proxy ports 9001/9501 in server
//!   pods (never the inference ports 9000/9500, which only the agent uses on localhost) and
//!   the pipeline gateway's 9010/9011; listens on 9000 for clients, the gateways and
//!   MLServer (explainers' `infer_uri`, `scheduler/pkg/agent/repository/mlserver`), and on
//!   9003 for metrics.
//! - model gateway, pipeline gateway (`scheduler/cmd/{modelgateway,pipelinegateway}`):
//!   scheduler 9004, envoy through `seldon-mesh:80` (9000 on the pod), Kafka.
//! - dataflow engine: scheduler 9008, Kafka (setup chart `SELDON_UPSTREAM_PORT`).
//! - server pods: the agent dials the scheduler's 9005 and the API server (rclone secrets,
//!   its EndpointSlices: `scheduler/cmd/agent/main.go` CreateClientset); rclone downloads
//!   from object storage; MLServer calls envoy for explainers.
//! - hodometer (off unless a runtime override enables it): scheduler 9004, the API server
//!   (`hodometer/pkg/hodometer/collect.go`) and `http://hodometer.seldon.io` on port 80.
//! - controller: the API server and `seldon-scheduler.<namespace>:9004`; metrics on 4000
//!   (`operator/main.go` `--metrics-bind-address` default; the setup chart does not pass it).
//! - tracing: scheduler, gateways, dataflow engine and server pods export to the
//!   collector, only when a runtime configures one.
//!
//! Metrics are opened to `security.monitoringNamespace` on the ports upstream's Prometheus
//! monitors scrape (`prometheus/monitors/`): envoy 9003, pipeline gateway 9006, agent 9006,
//! MLServer 8082, Triton 8002, and the controller's 4000.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use gen_profile::{Endpoints, Profile, RuntimeSettings, Security};
use gen_seldon::kinds::Component;

use crate::labels::labels;
use crate::manifest::Manifest;

mod runtime;

pub use runtime::{controller_namespace, runtime_namespace};

/// Pod label that the Seldon controller puts on each component (FACTS §3).
pub const NAME: &str = "app.kubernetes.io/name";
/// Label of a Server's pods naming the Server (`operator/pkg/constants` ServerLabelNameKey).
pub const SERVER_NAME: &str = "seldon-server-name";
/// The label value of every server pod.
pub const SERVER: &str = "seldon-server";
/// The controller's pod label (setup chart Deployment `seldon-v2-controller-manager`).
pub const CONTROLLER: (&str, &str) = ("control-plane", "v2-controller-manager");

/// Ports, from the setup chart and the binaries' flags (see the module comment).
pub mod ports {
    pub const SCHEDULER_XDS: i32 = 9002;
    pub const SCHEDULER_CONTROL: i32 = 9004;
    pub const SCHEDULER_AGENTS: i32 = 9005;
    pub const SCHEDULER_DATAFLOW: i32 = 9008;
    pub const ENVOY_INFERENCE: i32 = 9000;
    pub const ENVOY_STATS: i32 = 9003;
    pub const PIPELINE_GATEWAY_HTTP: i32 = 9010;
    pub const PIPELINE_GATEWAY_GRPC: i32 = 9011;
    pub const PIPELINE_GATEWAY_METRICS: i32 = 9006;
    pub const AGENT_PROXY_HTTP: i32 = 9001;
    pub const AGENT_PROXY_GRPC: i32 = 9501;
    pub const AGENT_METRICS: i32 = 9006;
    pub const MLSERVER_METRICS: i32 = 8082;
    pub const TRITON_METRICS: i32 = 8002;
    pub const CONTROLLER_METRICS: i32 = 4000;
    /// hodometer publishes to `http://hodometer.seldon.io`.
    pub const HODOMETER_PUBLISH: i32 = 80;
}

/// The metrics port of a ServerConfig's inference container, by container name (the setup
/// chart's `server-metrics` ports); unknown for other containers.
pub fn inference_metrics_port(container: &str) -> Option<i32> {
    match container {
        "mlserver" => Some(ports::MLSERVER_METRICS),
        "triton" => Some(ports::TRITON_METRICS),
        _ => None,
    }
}

/// The setup chart's default Kafka bootstrap (`kafka.bootstrap` in its values).
pub const CHART_KAFKA_BOOTSTRAP: &str = "seldon-kafka-bootstrap.seldon-mesh:9092";

// ---- selectors and peers ----

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

/// Pods of one Seldon component in the policy's namespace.
fn pods(name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(selector(&[(NAME, name)])),
        ..NetworkPolicyPeer::default()
    }
}

/// Every pod of a namespace.
fn namespace(ns: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(ns_selector(ns)),
        ..NetworkPolicyPeer::default()
    }
}

fn namespaces(list: &[String]) -> Vec<NetworkPolicyPeer> {
    list.iter().map(|ns| namespace(ns)).collect()
}

fn ip_blocks<'a>(cidrs: impl IntoIterator<Item = &'a str>) -> Vec<NetworkPolicyPeer> {
    cidrs
        .into_iter()
        .map(|cidr| NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: cidr.to_string(),
                except: None,
            }),
            ..NetworkPolicyPeer::default()
        })
        .collect()
}

/// Any address, IPv4 and IPv6.
fn anywhere() -> Vec<NetworkPolicyPeer> {
    ip_blocks(["0.0.0.0/0", "::/0"])
}

fn port(number: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(number)),
        protocol: Some(protocol.to_string()),
        end_port: None,
    }
}

fn tcp(numbers: &[i32]) -> Vec<NetworkPolicyPort> {
    numbers.iter().map(|p| port(*p, "TCP")).collect()
}

/// An ingress rule: `from` on TCP `on`. Never called with no peers (which would admit
/// every source).
fn from(peers: Vec<NetworkPolicyPeer>, on: &[i32]) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule {
        from: Some(peers),
        ports: Some(tcp(on)),
    }
}

/// An egress rule: `to` on `ports` (`None`: every port). Never called with no peers.
fn to(
    peers: Vec<NetworkPolicyPeer>,
    ports: Option<Vec<NetworkPolicyPort>>,
) -> NetworkPolicyEgressRule {
    NetworkPolicyEgressRule {
        to: Some(peers),
        ports,
    }
}

// ---- where a host:port is, as a peer ----

/// The peers and port of an address such as `kafka-bootstrap.kafka:9092`,
/// `otel-collector.observability.svc.cluster.local:4317`, `http://10.0.0.5:4318` or
/// `broker.example.com:9093`: a Service name (one label: the caller's own namespace; two
/// labels, or a third label `svc`: the namespace in the second) becomes that namespace's
/// pods, an IP address itself, any other host any address.
fn address(address: &str) -> (Vec<NetworkPolicyPeer>, Option<i32>) {
    let rest = address
        .split_once("://")
        .map_or(address, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("");
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, p.parse::<u16>().ok().map(i32::from))
        }
        _ => (rest, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        let cidr = match ip {
            std::net::IpAddr::V4(_) => format!("{ip}/32"),
            std::net::IpAddr::V6(_) => format!("{ip}/128"),
        };
        return (ip_blocks([cidr.as_str()]), port);
    }
    let labels: Vec<&str> = host.split('.').collect();
    let peers = match labels.as_slice() {
        [_] => vec![NetworkPolicyPeer {
            pod_selector: Some(all_pods()),
            ..NetworkPolicyPeer::default()
        }],
        [_, ns] => vec![namespace(ns)],
        [_, ns, "svc", ..] => vec![namespace(ns)],
        _ => anywhere(),
    };
    (peers, port)
}

/// The egress rules to a comma-separated list of Kafka brokers: a namespace's every pod and
/// port (every broker, not only the bootstrap: FACTS §3), or the bootstrap ports elsewhere.
fn kafka_rules(bootstrap: &str) -> Vec<NetworkPolicyEgressRule> {
    let mut in_cluster = Vec::new();
    let mut outside: BTreeMap<Option<i32>, Vec<NetworkPolicyPeer>> = BTreeMap::new();
    for server in bootstrap
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (peers, port) = address(server);
        if peers.iter().any(|p| p.ip_block.is_none()) {
            in_cluster.extend(peers);
        } else {
            outside.entry(port).or_default().extend(peers);
        }
    }
    let mut rules = Vec::new();
    dedup(&mut in_cluster);
    if !in_cluster.is_empty() {
        rules.push(to(in_cluster, None));
    }
    for (port, mut peers) in outside {
        dedup(&mut peers);
        rules.push(to(peers, port.map(|p| tcp(&[p]))));
    }
    rules
}

fn dedup(peers: &mut Vec<NetworkPolicyPeer>) {
    let mut seen = Vec::new();
    peers.retain(|p| {
        let key = format!("{p:?}");
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

fn endpoints(e: &Endpoints) -> NetworkPolicyEgressRule {
    let ports: Vec<i32> = e.ports.iter().map(|p| i32::from(p.get())).collect();
    to(
        ip_blocks(e.cidrs.iter().map(|c| c.as_str())),
        Some(tcp(&ports)),
    )
}

// ---- policies ----

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

/// Policies of one namespace, added in file order.
struct Policies<'a> {
    ns: &'a str,
    part_of: &'a str,
    out: Vec<Manifest>,
}

impl Policies<'_> {
    fn deny(&mut self, direction: &str) {
        self.out.push(policy(
            &format!("default-deny-{}", direction.to_ascii_lowercase()),
            self.ns,
            self.part_of,
            NetworkPolicySpec {
                pod_selector: Some(all_pods()),
                policy_types: Some(vec![direction.to_string()]),
                ingress: None,
                egress: None,
            },
        ));
    }

    /// `allow-<name>`: what may reach `pods`; nothing when there are no rules.
    fn ingress(&mut self, name: &str, pods: LabelSelector, rules: Vec<NetworkPolicyIngressRule>) {
        if rules.is_empty() {
            return;
        }
        self.out.push(policy(
            &format!("allow-{name}"),
            self.ns,
            self.part_of,
            NetworkPolicySpec {
                pod_selector: Some(pods),
                policy_types: Some(vec!["Ingress".to_string()]),
                ingress: Some(rules),
                egress: None,
            },
        ));
    }

    /// `allow-egress-<name>`: where `pods` may connect; nothing when there are no rules.
    fn egress(&mut self, name: &str, pods: LabelSelector, rules: Vec<NetworkPolicyEgressRule>) {
        if rules.is_empty() {
            return;
        }
        self.out.push(policy(
            &format!("allow-egress-{name}"),
            self.ns,
            self.part_of,
            NetworkPolicySpec {
                pod_selector: Some(pods),
                policy_types: Some(vec!["Egress".to_string()]),
                ingress: None,
                egress: Some(rules),
            },
        ));
    }

    /// DNS for every pod: the cluster DNS pods and any node-local cache, UDP and TCP.
    fn dns(&mut self, security: &Security) {
        let dns = &security.dns;
        let mut peers = vec![NetworkPolicyPeer {
            namespace_selector: Some(ns_selector(&dns.namespace)),
            pod_selector: Some(LabelSelector {
                match_labels: Some(dns.pod_labels.clone()),
                ..LabelSelector::default()
            }),
            ip_block: None,
        }];
        peers.extend(ip_blocks(dns.cidrs.iter().map(|c| c.as_str())));
        let ports = dns
            .ports
            .iter()
            .flat_map(|p| ["UDP", "TCP"].map(|proto| port(i32::from(p.get()), proto)))
            .collect();
        self.egress("dns", all_pods(), vec![to(peers, Some(ports))]);
    }
}

/// Whether a runtime runs `component`: the profile's last override that sets `disable`
/// decides; without one, every component runs but hodometer, which gen disables.
pub fn component_enabled(settings: Option<&RuntimeSettings>, component: Component) -> bool {
    let disabled = settings
        .map(|s| s.overrides.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|o| o.name == component)
        .filter_map(|o| o.disable)
        .next_back()
        .unwrap_or(component == Component::Hodometer);
    !disabled
}

pub(crate) fn component_name(c: Component) -> &'static str {
    match c {
        Component::Scheduler => "seldon-scheduler",
        Component::Envoy => "seldon-envoy",
        Component::ModelGateway => "seldon-modelgateway",
        Component::PipelineGateway => "seldon-pipelinegateway",
        Component::DataflowEngine => "seldon-dataflow-engine",
        Component::Hodometer => "hodometer",
    }
}

/// The Kafka bootstrap servers the setup chart gives every runtime (and the dataflow
/// engine's environment): the profile's, else the chart's default.
pub fn install_kafka_bootstrap(profile: &Profile) -> String {
    profile
        .seldon
        .kafka
        .as_ref()
        .and_then(|k| k.bootstrap.clone())
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| CHART_KAFKA_BOOTSTRAP.to_string())
}

/// The tracing collector a runtime's components export to, when one is configured: the
/// runtime's `config.tracingConfig.otelExporterEndpoint`, else `seldon.tracing.endpoint`,
/// unless the runtime disables tracing (as the runtime is rendered: `settings::runtime_tracing`).
/// Without an endpoint gen disables tracing, so no flow is needed.
pub fn tracing_collector(profile: &Profile, settings: Option<&RuntimeSettings>) -> Option<String> {
    let own = settings
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.tracing_config.as_ref());
    let tracing = crate::settings::runtime_tracing(&profile.seldon, own);
    if tracing.disable == Some(true) {
        return None;
    }
    tracing
        .otel_exporter_endpoint
        .filter(|e| !e.trim().is_empty())
}
