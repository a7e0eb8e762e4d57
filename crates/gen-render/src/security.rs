//! Isolation rendered into every bundle: Pod Security Standards labels on namespaces and
//! NetworkPolicies that deny by default and allow exactly the connections Seldon makes.
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
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use gen_profile::{Endpoints, Pattern, Profile, RuntimeSettings, Security, ServerEntry, Tenant};
use gen_seldon::kinds::Component;

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

fn component_name(c: Component) -> &'static str {
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
/// unless the runtime disables tracing (as the runtime is rendered: `plan::runtime_tracing`).
/// Without an endpoint gen disables tracing, so no flow is needed.
pub fn tracing_collector(profile: &Profile, settings: Option<&RuntimeSettings>) -> Option<String> {
    let own = settings
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.tracing_config.as_ref());
    let tracing = crate::plan::runtime_tracing(&profile.seldon, own);
    if tracing.disable == Some(true) {
        return None;
    }
    tracing
        .otel_exporter_endpoint
        .filter(|e| !e.trim().is_empty())
}

/// What a runtime namespace holds: its runtime settings, its Servers and whether the
/// controller runs there too (pattern shared).
struct RuntimeNs<'a> {
    settings: Option<&'a RuntimeSettings>,
    servers: &'a [ServerEntry],
    controller_here: bool,
    clients: Vec<String>,
}

/// Policies for a namespace that holds a SeldonRuntime, its Servers and applications:
/// the platform namespace in pattern shared (`tenant: None`), a tenant's in dedicated.
pub fn runtime_namespace(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    tenant: Option<&Tenant>,
) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let mut clients: Vec<String> = security
        .client_namespaces
        .iter()
        .chain(
            tenant
                .map(|t| t.client_namespaces.as_slice())
                .unwrap_or_default(),
        )
        .cloned()
        .collect();
    clients.sort();
    clients.dedup();
    let rt = match tenant {
        Some(t) => RuntimeNs {
            settings: t.runtime.as_ref(),
            servers: &t.servers,
            controller_here: false,
            clients,
        },
        None => RuntimeNs {
            settings: profile.platform.runtime.as_ref(),
            servers: &profile.platform.servers,
            controller_here: profile.pattern == Pattern::Shared,
            clients,
        },
    };
    let mut p = Policies {
        ns,
        part_of,
        out: Vec::new(),
    };
    p.deny("Ingress");
    runtime_ingress(profile, &rt, &mut p);
    if security.deny_egress {
        p.deny("Egress");
        p.dns(security);
        runtime_egress(profile, &rt, &mut p);
    }
    p.out
}

fn runtime_ingress(profile: &Profile, rt: &RuntimeNs, p: &mut Policies) {
    use Component::*;
    use ports::*;
    let on = |c| component_enabled(rt.settings, c);
    let have_servers = !rt.servers.is_empty();
    let monitoring = profile.security.monitoring_namespace.as_ref();
    let monitoring_on = |port: i32| {
        monitoring
            .map(|m| from(namespaces(std::slice::from_ref(m)), &[port]))
            .into_iter()
    };
    let enabled_pods = |list: &[Component]| -> Vec<NetworkPolicyPeer> {
        list.iter()
            .filter(|c| on(**c))
            .map(|c| pods(component_name(*c)))
            .collect()
    };
    let nonempty = |peers: Vec<NetworkPolicyPeer>, ports: &[i32]| {
        (!peers.is_empty()).then(|| from(peers, ports)).into_iter()
    };

    if on(Scheduler) {
        let mut control = vec![NetworkPolicyPeer {
            namespace_selector: Some(ns_selector(&profile.platform.namespace)),
            pod_selector: Some(selector(&[CONTROLLER])),
            ip_block: None,
        }];
        control.extend(enabled_pods(&[ModelGateway, PipelineGateway, Hodometer]));
        let mut rules = vec![from(control, &[SCHEDULER_CONTROL])];
        if have_servers {
            rules.push(from(vec![pods(SERVER)], &[SCHEDULER_AGENTS]));
        }
        rules.extend(nonempty(enabled_pods(&[Envoy]), &[SCHEDULER_XDS]));
        rules.extend(nonempty(
            enabled_pods(&[DataflowEngine]),
            &[SCHEDULER_DATAFLOW],
        ));
        p.ingress(
            "seldon-scheduler",
            selector(&[(NAME, "seldon-scheduler")]),
            rules,
        );
    }
    if on(Envoy) {
        let mut callers = enabled_pods(&[ModelGateway, PipelineGateway]);
        if have_servers {
            callers.push(pods(SERVER));
        }
        let mut rules: Vec<_> = nonempty(callers, &[ENVOY_INFERENCE]).collect();
        rules.extend(nonempty(namespaces(&rt.clients), &[ENVOY_INFERENCE]));
        rules.extend(monitoring_on(ENVOY_STATS));
        p.ingress("seldon-envoy", selector(&[(NAME, "seldon-envoy")]), rules);
    }
    if have_servers {
        let mut rules: Vec<_> = nonempty(
            enabled_pods(&[Envoy]),
            &[AGENT_PROXY_HTTP, AGENT_PROXY_GRPC],
        )
        .collect();
        rules.extend(monitoring_on(AGENT_METRICS));
        p.ingress("seldon-servers", selector(&[(NAME, SERVER)]), rules);
        if monitoring.is_some() {
            // The inference containers' own metrics, per ServerConfig container.
            let configs = crate::plan::server_configs(profile);
            let mut by_port: BTreeMap<(i32, String), Vec<String>> = BTreeMap::new();
            for s in rt.servers {
                let container = configs
                    .iter()
                    .find(|c| c.name == s.spec.server_config)
                    .map_or(s.spec.server_config.as_str(), |c| c.container.as_str());
                if let Some(port) = inference_metrics_port(container) {
                    by_port
                        .entry((port, container.to_string()))
                        .or_default()
                        .push(s.name.clone());
                }
            }
            for ((port, container), mut servers) in by_port {
                servers.sort();
                servers.dedup();
                let pods = LabelSelector {
                    match_expressions: Some(vec![LabelSelectorRequirement {
                        key: SERVER_NAME.to_string(),
                        operator: "In".to_string(),
                        values: Some(servers),
                    }]),
                    match_labels: Some([(NAME.to_string(), SERVER.to_string())].into()),
                };
                p.ingress(
                    &format!("metrics-{container}"),
                    pods,
                    monitoring_on(port).collect(),
                );
            }
        }
    }
    if on(PipelineGateway) {
        let mut rules: Vec<_> = nonempty(
            enabled_pods(&[Envoy]),
            &[PIPELINE_GATEWAY_HTTP, PIPELINE_GATEWAY_GRPC],
        )
        .collect();
        rules.extend(monitoring_on(PIPELINE_GATEWAY_METRICS));
        p.ingress(
            "seldon-pipelinegateway",
            selector(&[(NAME, "seldon-pipelinegateway")]),
            rules,
        );
    }
    if rt.controller_here {
        p.ingress(
            "seldon-controller",
            selector(&[CONTROLLER]),
            monitoring_on(CONTROLLER_METRICS).collect(),
        );
    }
}

fn runtime_egress(profile: &Profile, rt: &RuntimeNs, p: &mut Policies) {
    use Component::*;
    use ports::*;
    let security = &profile.security;
    let on = |c| component_enabled(rt.settings, c);
    let have_servers = !rt.servers.is_empty();
    let component = |c: Component| pods(component_name(c));
    // Where each caller goes, only to components that run.
    let call = |target: Component, on_ports: &[i32]| {
        on(target)
            .then(|| to(vec![component(target)], Some(tcp(on_ports))))
            .into_iter()
    };
    let tracing = tracing_collector(profile, rt.settings).map(|c| {
        let (peers, port) = address(&c);
        to(peers, port.map(|p| tcp(&[p])))
    });
    let install_kafka = install_kafka_bootstrap(profile);
    let gateway_kafka = rt
        .settings
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.kafka_config.as_ref())
        .and_then(|k| k.bootstrap_servers.clone())
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| install_kafka.clone());

    let sel = |c: Component| selector(&[(NAME, component_name(c))]);
    if on(Scheduler) {
        p.egress(
            "seldon-scheduler",
            sel(Scheduler),
            tracing.clone().into_iter().collect(),
        );
    }
    if on(Envoy) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_XDS]).collect();
        if have_servers {
            rules.push(to(
                vec![pods(SERVER)],
                Some(tcp(&[AGENT_PROXY_HTTP, AGENT_PROXY_GRPC])),
            ));
        }
        rules.extend(call(
            PipelineGateway,
            &[PIPELINE_GATEWAY_HTTP, PIPELINE_GATEWAY_GRPC],
        ));
        p.egress("seldon-envoy", sel(Envoy), rules);
    }
    for gateway in [ModelGateway, PipelineGateway] {
        if on(gateway) {
            let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_CONTROL]).collect();
            rules.extend(call(Envoy, &[ENVOY_INFERENCE]));
            rules.extend(kafka_rules(&gateway_kafka));
            rules.extend(tracing.clone());
            p.egress(component_name(gateway), sel(gateway), rules);
        }
    }
    if on(DataflowEngine) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_DATAFLOW]).collect();
        rules.extend(kafka_rules(&install_kafka));
        rules.extend(tracing.clone());
        p.egress("seldon-dataflow-engine", sel(DataflowEngine), rules);
    }
    if on(Hodometer) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_CONTROL]).collect();
        rules.push(endpoints(&security.api_server));
        rules.push(to(anywhere(), Some(tcp(&[HODOMETER_PUBLISH]))));
        p.egress("hodometer", sel(Hodometer), rules);
    }
    if have_servers {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_AGENTS]).collect();
        rules.extend(call(Envoy, &[ENVOY_INFERENCE]));
        rules.push(endpoints(&security.api_server));
        rules.push(endpoints(&security.object_storage));
        rules.extend(tracing);
        p.egress("seldon-servers", selector(&[(NAME, SERVER)]), rules);
    }
    if rt.controller_here {
        let mut rules = vec![endpoints(&security.api_server)];
        rules.extend(call(Scheduler, &[SCHEDULER_CONTROL]));
        p.egress("seldon-controller", selector(&[CONTROLLER]), rules);
    }
}

/// Policies for the controller namespace in pattern dedicated (it holds the controller,
/// SeldonConfig and ServerConfigs, no runtime): its metrics port to monitoring; with
/// denyEgress, DNS, the API server and the tenants' schedulers.
pub fn controller_namespace(profile: &Profile, tenant_namespaces: &[String]) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let mut p = Policies {
        ns: &profile.platform.namespace,
        part_of: &profile.name,
        out: Vec::new(),
    };
    p.deny("Ingress");
    if let Some(monitoring) = &security.monitoring_namespace {
        p.ingress(
            "seldon-controller",
            selector(&[CONTROLLER]),
            vec![from(
                namespaces(std::slice::from_ref(monitoring)),
                &[ports::CONTROLLER_METRICS],
            )],
        );
    }
    if security.deny_egress {
        p.deny("Egress");
        p.dns(security);
        let mut rules = vec![endpoints(&security.api_server)];
        // The controller dials seldon-scheduler.<tenant namespace> on 9004.
        let schedulers: Vec<NetworkPolicyPeer> = tenant_namespaces
            .iter()
            .map(|t| NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(t)),
                pod_selector: Some(selector(&[(NAME, "seldon-scheduler")])),
                ip_block: None,
            })
            .collect();
        if !schedulers.is_empty() {
            rules.push(to(schedulers, Some(tcp(&[ports::SCHEDULER_CONTROL]))));
        }
        p.egress("seldon-controller", selector(&[CONTROLLER]), rules);
    }
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns_of(peer: &NetworkPolicyPeer) -> Option<String> {
        peer.namespace_selector
            .as_ref()
            .and_then(|s| s.match_labels.as_ref())
            .and_then(|l| l.get("kubernetes.io/metadata.name").cloned())
    }

    #[test]
    fn addresses_become_the_peers_that_hold_them() {
        let (peers, port) = address("kafka-bootstrap.kafka:9092");
        assert_eq!(
            (ns_of(&peers[0]), port),
            (Some("kafka".to_string()), Some(9092))
        );
        let (peers, port) = address("otel.obs.svc.cluster.local:4317");
        assert_eq!(
            (ns_of(&peers[0]), port),
            (Some("obs".to_string()), Some(4317))
        );
        let (peers, port) = address("http://collector:4318");
        assert_eq!(port, Some(4318));
        assert_eq!(peers[0].pod_selector, Some(all_pods()));
        assert!(peers[0].namespace_selector.is_none());
        let (peers, port) = address("10.1.2.3:9093");
        assert_eq!(peers[0].ip_block.as_ref().unwrap().cidr, "10.1.2.3/32");
        assert_eq!(port, Some(9093));
        let (peers, port) = address("[fd00::1]:9093");
        assert_eq!(peers[0].ip_block.as_ref().unwrap().cidr, "fd00::1/128");
        assert_eq!(port, Some(9093));
        let (peers, port) = address("broker.example.com:9094");
        assert_eq!(peers.len(), 2);
        assert_eq!(peers[1].ip_block.as_ref().unwrap().cidr, "::/0");
        assert_eq!(port, Some(9094));
    }

    #[test]
    fn kafka_outside_the_cluster_is_reached_on_the_bootstrap_ports_only() {
        let rules = kafka_rules("a.kafka:9092, b.kafka:9092,broker.example.com:9093");
        assert_eq!(rules.len(), 2);
        assert_eq!(
            rules[0].to.as_ref().unwrap().len(),
            1,
            "one namespace, once"
        );
        assert!(
            rules[0].ports.is_none(),
            "every broker port in the namespace"
        );
        assert_eq!(rules[1].ports, Some(tcp(&[9093])));
    }
}
