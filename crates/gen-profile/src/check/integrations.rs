//! The platform integrations (`integrations:`) and the keys they add to tenants,
//! applications and Servers: what each needs to work on a cluster.

use gen_diagnostics::{Rule, Severity, Stage};
use gen_seldon::names::{hostname_problem, subdomain_problem};

use crate::diagnostic::Diagnostic;
use crate::types::Profile;
use crate::types::integrations::default_backend;

/// Gateway API: an HTTPRoute rule holds at most 64 matches, a route at most 128 in all
/// (CEL rules of the HTTPRoute CRD, Gateway API v1.6.1).
pub const MAX_ROUTE_MATCHES: usize = 128;

pub(super) static ROUTE_HOSTNAME: Rule = Rule::new(
    Stage::Profile,
    "route-hostname",
    Severity::Error,
    "a route hostname is a DNS name, optionally with a leading `*.`",
    "Gateway API accepts as an HTTPRoute hostname a DNS-1123 subdomain, optionally starting \
with one `*.` wildcard label, and never an IP address (HTTPRoute CRD, Gateway API v1.6.1); \
the API server refuses the route otherwise.

Fix: write a hostname like models.example.com or *.example.com.",
);

pub(super) static ROUTE_TOO_MANY_MATCHES: Rule = Rule::new(
    Stage::Profile,
    "route-too-many-matches",
    Severity::Error,
    "an application's own route matches at most 128 Models, Pipelines and Experiments",
    "An application with `hostnames` gets an HTTPRoute that matches the Seldon-Model header \
of each of its Models, Pipelines and Experiments. The HTTPRoute CRD allows at most 128 \
matches in a route (16 rules of at most 64); the API server refuses a larger one.

Fix: split the application, or leave out its hostnames and call it through the runtime's \
route.",
);

pub(super) static GATEWAY_WITHOUT_ROUTE: Rule = Rule::new(
    Stage::Profile,
    "gateway-missing",
    Severity::Error,
    "route hostnames need integrations.gateway",
    "Hostnames of a tenant or an application are hostnames of HTTPRoutes attached to the \
Gateway that integrations.gateway names; without it there is no route to attach.

Fix: name the Gateway in integrations.gateway, or remove the hostnames.",
);

pub(super) static METRICS_MONITORING_NAMESPACE: Rule = Rule::new(
    Stage::Profile,
    "metrics-monitoring-namespace",
    Severity::Error,
    "integrations.metrics needs security.monitoringNamespace",
    "The NetworkPolicies deny every connection they do not list; the metrics ports are \
opened only to security.monitoringNamespace. Without it the PodMonitors' targets would all \
be unreachable by Prometheus.

Fix: set security.monitoringNamespace to the namespace Prometheus runs in.",
);

pub(super) static STORAGE_STORE_MISSING: Rule = Rule::new(
    Stage::Profile,
    "storage-store-missing",
    Severity::Error,
    "a storage Secret names the store it is read from",
    "Each entry of integrations.storage.secrets is rendered as an ExternalSecret, which \
External Secrets reads from a SecretStore or ClusterSecretStore (spec.secretStoreRef); with \
no store there is nothing to read the credentials from.

Fix: set integrations.storage.store, or the entry's store.",
);

pub(super) static STORAGE_SCHEME: Rule = Rule::new(
    Stage::Profile,
    "storage-scheme",
    Severity::Error,
    "a storage Secret's scheme is a storageUri scheme with an rclone backend",
    "The agent names the rclone remote after the storageUri scheme and rewrites \
`<scheme>://bucket/path` to `<scheme>:bucket/path` (scheduler/pkg/agent/rclone/rclone.go), \
so the scheme is a word of lowercase letters and digits; gen knows the backend of s3, gs, \
az, http and https, and any other needs its rclone `type`.

Fix: write the scheme without `://`, and set `type` (the rclone backend) for other schemes.",
);

pub(super) static REGISTRY_SETTINGS: Rule = Rule::new(
    Stage::Profile,
    "registry-settings",
    Severity::Error,
    "integrations.registry names a chart repository and mirrors the engines accept",
    "The Seldon charts come from `charts`: Flux's HelmRepository accepts only \
`http(s)://` (a Helm repository) or `oci://` (an OCI registry) URLs (its CRD pattern \
`^(http|https|oci)://.*$`), and Argo CD pulls the same. A mirror replaces the `registry` \
part of the setup chart's images (`<registry>/<repository>:<tag>`), so it is a host with \
an optional port and path, without a scheme. `chartsSecretName` is the Flux \
HelmRepository's secretRef; Argo CD reads repository credentials from its own repository \
Secrets, so with Argo CD the key would do nothing.

Fix: write charts as https://… or oci://host/path, mirrors as host[/path], and with Argo \
CD register the repository's credentials in Argo CD instead of chartsSecretName.",
);

fn check_registry(
    p: &Profile,
    r: &crate::types::integrations::Registry,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(charts) = &r.charts {
        let ok = ["https://", "http://", "oci://"]
            .iter()
            .any(|s| charts.strip_prefix(s).is_some_and(|rest| !rest.is_empty()));
        if !ok || charts.chars().any(char::is_whitespace) {
            out.push(Diagnostic::new(
                &REGISTRY_SETTINGS,
                "integrations.registry.charts",
                format!(
                    "{charts:?} is not a chart repository URL: Flux and Argo CD take https://… (a Helm repository) or oci://host/path (an OCI registry)"
                ),
                "write the URL with its scheme, e.g. oci://registry.example.com/charts",
            ));
        }
    }
    for (upstream, mirror) in &r.mirrors {
        let host = mirror.split('/').next().unwrap_or("");
        if mirror.contains("://")
            || host.is_empty()
            || mirror.ends_with('/')
            || mirror.chars().any(char::is_whitespace)
        {
            out.push(Diagnostic::new(
                &REGISTRY_SETTINGS,
                format!("integrations.registry.mirrors.{}", upstream.as_str()),
                format!(
                    "mirror {mirror:?} is not a registry host: it replaces the registry in <registry>/<repository>:<tag>"
                ),
                "write it as host[:port][/path], without a scheme or a trailing /",
            ));
        }
    }
    if r.charts_secret_name.is_some() && p.gitops.engine == crate::types::Engine::Argocd {
        out.push(Diagnostic::new(
            &REGISTRY_SETTINGS,
            "integrations.registry.chartsSecretName",
            "chartsSecretName is the Flux HelmRepository's secretRef; Argo CD reads repository credentials from its own repository Secrets, so it would do nothing",
            "remove chartsSecretName and register the repository's credentials in Argo CD (a Secret labelled argocd.argoproj.io/secret-type: repository)",
        ));
    }
}

pub(super) static KAFKA_TENANCY_BOOTSTRAP: Rule = Rule::new(
    Stage::Profile,
    "kafka-tenancy-bootstrap",
    Severity::Error,
    "Kafka tenancy needs the install's Kafka bootstrap",
    "With integrations.kafka every Kafka client of Seldon (the model and pipeline gateways \
and the dataflow engine) authenticates as its namespace's KafkaUser over SASL_SSL, at the \
bootstrap servers of the setup chart's `kafka.bootstrap`. Left unset, they dial the chart's \
placeholder seldon-kafka-bootstrap.seldon-mesh:9092, which is not the Strimzi cluster the \
users are created in.

Fix: set seldon.kafka.bootstrap to the cluster's TLS listener, e.g. \
<cluster>-kafka-bootstrap.<namespace>:9093.",
);

pub(super) static KAFKA_TOPIC_NAME: Rule = Rule::new(
    Stage::Profile,
    "kafka-topic-name",
    Severity::Error,
    "with integrations.kafka.topics, topic prefixes are valid in Kubernetes names",
    "integrations.kafka.topics renders a KafkaTopic per topic of the runtime namespaces, \
named after the topic (`<topicPrefix>.<namespace>.model.<model>.inputs`, …). A Kubernetes \
name is a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`. A topic prefix with \
any other character gives a topic no KafkaTopic can be named after.

Fix: use a topic prefix of lowercase letters, digits, `-` and `.`, or leave topics off and \
let Seldon create the topics (its user may create topics under its prefix).",
);

/// Every integration problem of `p`.
pub(super) fn check_integrations(p: &Profile, out: &mut Vec<Diagnostic>) {
    let i = &p.integrations;
    let gateway_on = i.gateway.is_some();
    let hostnames = |out: &mut Vec<Diagnostic>, path: String, list: &[String]| {
        if !list.is_empty() && !gateway_on {
            out.push(Diagnostic::new(
                &GATEWAY_WITHOUT_ROUTE,
                path.clone(),
                "hostnames are given but integrations.gateway is not set: no route is rendered for them",
                "name the Gateway in integrations.gateway, or remove the hostnames",
            ));
        }
        for (k, h) in list.iter().enumerate() {
            if let Some(problem) = hostname_problem(h) {
                out.push(Diagnostic::new(
                    &ROUTE_HOSTNAME,
                    format!("{path}[{k}]"),
                    format!("{h:?} is not a route hostname: {problem}"),
                    "write a hostname like models.example.com or *.example.com",
                ));
            }
        }
    };
    if let Some(gw) = &i.gateway {
        hostnames(out, "integrations.gateway.hostnames".into(), &gw.hostnames);
    }
    for (t, tenant) in p.tenants.iter().enumerate() {
        hostnames(out, format!("tenants[{t}].hostnames"), &tenant.hostnames);
    }
    for (a, app) in p.applications.iter().enumerate() {
        hostnames(out, format!("applications[{a}].hostnames"), &app.hostnames);
        let matches = app.models.len() + app.pipelines.len() + app.experiments.len();
        if !app.hostnames.is_empty() && matches > MAX_ROUTE_MATCHES {
            out.push(Diagnostic::new(
                &ROUTE_TOO_MANY_MATCHES,
                format!("applications[{a}].hostnames"),
                format!(
                    "application {:?} has {matches} Models, Pipelines and Experiments; its route would need {matches} matches, and an HTTPRoute holds at most {MAX_ROUTE_MATCHES}",
                    app.name
                ),
                "split the application, or leave out its hostnames and call it through the runtime's route",
            ));
        }
    }
    if i.metrics.is_some()
        && p.security.network_policies
        && p.security.monitoring_namespace.is_none()
    {
        out.push(Diagnostic::new(
            &METRICS_MONITORING_NAMESPACE,
            "integrations.metrics",
            "integrations.metrics renders PodMonitors, but security.monitoringNamespace is not set: the NetworkPolicies would keep Prometheus from every metrics port",
            "set security.monitoringNamespace to the namespace Prometheus runs in",
        ));
    }
    if let Some(storage) = &i.storage {
        for (k, s) in storage.secrets.iter().enumerate() {
            let path = format!("integrations.storage.secrets[{k}]");
            if let Some(problem) = subdomain_problem(&s.name) {
                out.push(Diagnostic::new(
                    &gen_seldon::rules::INVALID_NAME,
                    format!("{path}.name"),
                    format!(
                        "Secret name {:?} is not a DNS-1123 subdomain: {problem}",
                        s.name
                    ),
                    "use lowercase letters, digits, '-' and '.'",
                ));
            }
            if s.store.is_none() && storage.store.is_none() {
                out.push(Diagnostic::new(
                    &STORAGE_STORE_MISSING,
                    path.clone(),
                    format!(
                        "storage Secret {:?} names no store, and integrations.storage.store is not set: External Secrets has nowhere to read its credentials from",
                        s.name
                    ),
                    "set integrations.storage.store, or this entry's store",
                ));
            }
            let word = !s.scheme.is_empty()
                && s.scheme
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !word {
                out.push(Diagnostic::new(
                    &STORAGE_SCHEME,
                    format!("{path}.scheme"),
                    format!(
                        "scheme {:?} is not a storageUri scheme (lowercase letters and digits, without \"://\")",
                        s.scheme
                    ),
                    "write the scheme as it starts the Models' storageUri, e.g. s3",
                ));
            } else if s.backend.is_none() && default_backend(&s.scheme).is_none() {
                out.push(Diagnostic::new(
                    &STORAGE_SCHEME,
                    format!("{path}.scheme"),
                    format!(
                        "gen does not know the rclone backend of scheme {:?}",
                        s.scheme
                    ),
                    "set `type` to the rclone backend that serves it",
                ));
            }
        }
    }
    if let Some(k) = &i.kafka {
        check_kafka(p, k, out);
    }
    if let Some(r) = &i.registry {
        check_registry(p, r, out);
    }
}

/// Kafka tenancy: the bootstrap the clients dial, and topic prefixes that name KafkaTopics.
fn check_kafka(
    p: &Profile,
    k: &crate::types::integrations::KafkaTenancy,
    out: &mut Vec<Diagnostic>,
) {
    let install = p.seldon.kafka.as_ref();
    if install.and_then(|k| k.bootstrap.as_deref()).is_none() {
        out.push(Diagnostic::new(
            &KAFKA_TENANCY_BOOTSTRAP,
            "integrations.kafka",
            format!(
                "integrations.kafka creates users in Strimzi cluster {:?}, but seldon.kafka.bootstrap is not set: the gateways and the dataflow engine would dial seldon-kafka-bootstrap.seldon-mesh:9092",
                k.cluster
            ),
            format!(
                "set seldon.kafka.bootstrap to the cluster's TLS listener, e.g. {}-kafka-bootstrap.{}:9093",
                k.cluster, k.namespace
            ),
        ));
    }
    if !k.topics {
        return;
    }
    let valid = |prefix: &str| {
        prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    };
    let mut prefixes: Vec<(String, &str)> = Vec::new();
    if let Some(tp) = install.and_then(|k| k.topic_prefix.as_deref()) {
        prefixes.push(("seldon.kafka.topicPrefix".into(), tp));
    }
    fn runtime_prefix(s: &crate::types::RuntimeSettings) -> Option<&str> {
        s.config
            .as_ref()
            .and_then(|c| c.kafka_config.as_ref())
            .and_then(|k| k.topic_prefix.as_deref())
    }
    if let Some(tp) = p.platform.runtime.as_ref().and_then(runtime_prefix) {
        prefixes.push(("platform.runtime.config.kafkaConfig.topicPrefix".into(), tp));
    }
    for (t, tenant) in p.tenants.iter().enumerate() {
        if let Some(tp) = tenant.runtime.as_ref().and_then(runtime_prefix) {
            prefixes.push((
                format!("tenants[{t}].runtime.config.kafkaConfig.topicPrefix"),
                tp,
            ));
        }
    }
    for (path, tp) in prefixes {
        if !valid(tp) {
            out.push(Diagnostic::new(
                &KAFKA_TOPIC_NAME,
                path,
                format!(
                    "topic prefix {tp:?} has characters a Kubernetes name cannot hold, so integrations.kafka.topics cannot name a KafkaTopic after its topics"
                ),
                "use lowercase letters, digits, '-' and '.', or set integrations.kafka.topics to false",
            ));
        }
    }
}
