//! The pods on the cluster: each Seldon component with its labels and ports, server
//! pods, the controller, clients, scrapers, DNS, the API server and the internet.

use super::*;

// ---- the pods on the cluster ----

/// What an endpoint is, for the table of needed flows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
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
    /// A pod of a Gateway API implementation (a proxy, or its controller).
    GatewayPod,
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
pub(crate) struct Endpoint {
    pub(crate) role: Role,
    /// `None` outside the pod network.
    pub(crate) namespace: Option<String>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) ip: IpAddr,
    /// Listening ports: (number, protocol, name).
    pub(crate) ports: Vec<(u16, &'static str, &'static str)>,
}

impl Endpoint {
    pub(crate) fn id(&self) -> String {
        format!(
            "{:?}@{}",
            self.role,
            self.namespace.as_deref().unwrap_or("outside")
        )
    }
}

pub(crate) const TCP: &str = "TCP";
pub(crate) const UDP: &str = "UDP";

/// The ports each component listens on (setup chart v2.10.2 `_components-statefulsets.tpl`,
/// `scheduler/cmd/*/main.go`, `operator/main.go`; FACTS §3).
pub(crate) fn component_ports(role: &Role) -> Vec<(u16, &'static str, &'static str)> {
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
        Role::GatewayPod => vec![t(10080, "http")],
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
pub(crate) fn cluster(bundle: &Bundle, controller_ns: &str) -> Vec<Endpoint> {
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
    // Gateway API implementations: proxies in the Gateway's namespace, or (Envoy Gateway)
    // proxies and their controller in envoy-gateway-system.
    pods.push(pod(Role::GatewayPod, "gateway-system", &[(name, "proxy")]));
    pods.push(pod(
        Role::GatewayPod,
        "envoy-gateway-system",
        &[(name, "envoy")],
    ));
    pods.push(pod(
        Role::GatewayPod,
        "envoy-gateway-system",
        &[(name, "envoy-gateway")],
    ));
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
