//! The flows Seldon needs (FACTS §3 and §9), as a table with the source of each, and
//! which endpoints each row covers under a profile's settings.

use super::*;

// ---- the flows Seldon needs ----

/// A destination or source class of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
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
    /// A proxy pod of the Gateway that integrations.gateway names.
    GatewayProxy,
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
pub(crate) enum Ports {
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
pub(crate) enum Scope {
    /// Both ends in one runtime namespace.
    SameRuntime,
    /// Any namespaces (the controller dials every runtime's scheduler; shared services).
    Any,
}

pub(crate) struct Row {
    pub(crate) from: Class,
    pub(crate) to: Class,
    pub(crate) ports: Ports,
    pub(crate) scope: Scope,
    /// Where upstream makes this connection.
    pub(crate) source: &'static str,
}

pub(crate) const fn row(
    from: Class,
    to: Class,
    ports: Ports,
    scope: Scope,
    source: &'static str,
) -> Row {
    Row {
        from,
        to,
        ports,
        scope,
        source,
    }
}

/// Every connection Seldon Core v2.10.2 makes, written once, with where upstream makes it.
pub(crate) const NEEDED: &[Row] = &[
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
        Class::GatewayProxy,
        Class::Envoy,
        Ports::Tcp(&[9000]),
        Scope::Any,
        "integrations.gateway: the HTTPRoute's backend seldon-mesh:80 (envoy http 9000)",
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
pub(crate) struct Settings {
    pub(crate) security: gen_profile::Security,
    /// Client namespaces per runtime namespace.
    pub(crate) clients: BTreeMap<String, BTreeSet<String>>,
    /// Kafka broker namespace per runtime namespace: (gateways, dataflow engine).
    pub(crate) kafka: BTreeMap<String, (String, String)>,
    /// Tracing collector (namespace, port) per runtime namespace.
    pub(crate) collector: BTreeMap<String, (String, u16)>,
    /// The Gateway's proxy pods: their namespace and labels (none: every pod there).
    pub(crate) gateway: Option<(String, BTreeMap<String, String>)>,
}

pub(crate) fn settings(profile: &gen_profile::Profile) -> Settings {
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
        gateway: profile
            .integrations
            .gateway
            .as_ref()
            .map(|g| match &g.proxy {
                Some(p) => (p.namespace.clone(), p.pod_labels.clone()),
                None => (g.namespace.clone(), BTreeMap::new()),
            }),
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
pub(crate) fn is(class: Class, e: &Endpoint, s: &Settings, other: &Endpoint) -> bool {
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
        Class::GatewayProxy => {
            !seldon(&e.role)
                && s.gateway.as_ref().is_some_and(|(ns, labels)| {
                    in_ns(ns) && labels.iter().all(|(k, v)| e.labels.get(k) == Some(v))
                })
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

pub(crate) fn ports_match(
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
pub(crate) fn needed(
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
