//! The platform integrations a profile may switch on (`integrations:`), and the scheduling
//! keys of a Server entry. Every integration is off unless the profile names it; each one
//! renders the ecosystem's standard kinds (Gateway API, Prometheus Operator, External
//! Secrets, Strimzi) and the NetworkPolicies and GitOps permissions they need.
//!
//! Stores, Gateways and Kafka clusters belong to the platform: the profile names them, gen
//! never renders them. No key here holds secret material: credentials stay in the stores,
//! and the bundle only says where to read them.

use std::collections::BTreeMap;

use gen_kinds::external_secrets::{RemoteRef, StoreRef};
use gen_kinds::scheduling::{Affinity, Toleration};
use schemars::JsonSchema;
use serde::Deserialize;

/// `integrations:` — each integration is off unless listed.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Integrations {
    /// Inference endpoints through a Gateway API Gateway: an HTTPRoute to seldon-mesh in
    /// every runtime namespace.
    #[serde(default)]
    pub gateway: Option<Gateway>,
    /// Prometheus Operator PodMonitors for envoy, the pipeline gateway and the server pods,
    /// and optional alerts; needs security.monitoringNamespace.
    #[serde(default)]
    pub metrics: Option<Metrics>,
    /// The rclone-format Secrets that Models name in secretName: rendered as
    /// ExternalSecrets from a store, or declared as Secrets you manage.
    #[serde(default)]
    pub storage: Option<Storage>,
    /// Kafka tenancy with Strimzi: a KafkaUser per runtime namespace (each tenant's, or the
    /// platform's in pattern shared) with ACLs on its own topics and consumer groups, and
    /// its Seldon Kafka clients authenticating as it (SASL_SSL, SCRAM-SHA-512).
    #[serde(default)]
    pub kafka: Option<KafkaTenancy>,
    /// Private registries: where the Seldon charts and images come from, and the image
    /// pull Secrets.
    #[serde(default)]
    pub registry: Option<Registry>,
}

// ---- 1. inference endpoints (Gateway API) ----

/// The Gateway that clients reach the models through (yours; gen only attaches routes).
/// The HTTPRoutes live in the runtime namespaces, so the Gateway's listener must admit
/// routes from them (`allowedRoutes.namespaces`); no ReferenceGrant is needed, since each
/// route's backend is in its own namespace.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gateway {
    /// The Gateway's name.
    #[schemars(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253))]
    pub name: String,
    /// The Gateway's namespace.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub namespace: String,
    /// One listener of the Gateway (its `sectionName`); default: every listener that
    /// admits the routes.
    #[serde(default)]
    #[schemars(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253))]
    pub section_name: Option<String>,
    /// Hostnames of the runtime's route (pattern shared), or of every tenant's that sets
    /// none (pattern dedicated); `*.example.com` wildcards allowed. Default: every hostname
    /// the listener accepts.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::HOSTNAME), length(max = 253)))]
    pub hostnames: Vec<String>,
    /// Where the Gateway's proxy pods run, which the NetworkPolicies admit to envoy
    /// (default: every pod of the Gateway's namespace). Some implementations run them
    /// elsewhere (Envoy Gateway: envoy-gateway-system).
    #[serde(default)]
    pub proxy: Option<GatewayProxy>,
    /// How clients reach the listener, for the URLs in the bundle README (default https).
    #[serde(default)]
    pub scheme: UrlScheme,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UrlScheme {
    #[default]
    Https,
    Http,
}

impl UrlScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            UrlScheme::Https => "https",
            UrlScheme::Http => "http",
        }
    }
}

/// The Gateway's proxy pods, as NetworkPolicies select them.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayProxy {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub namespace: String,
    /// Labels of the proxy pods (default: every pod of the namespace).
    #[serde(default)]
    pub pod_labels: BTreeMap<String, String>,
}

// ---- 2. metrics (Prometheus Operator) ----

/// PodMonitors in every runtime namespace, scraped from security.monitoringNamespace.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metrics {
    /// Labels on the PodMonitors and PrometheusRules, for your Prometheus's
    /// podMonitorSelector and ruleSelector (kube-prometheus-stack: `release: <its release>`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// A PrometheusRule per application: an alert for each Model that no server replica
    /// has loaded for 10 minutes.
    #[serde(default)]
    pub alerts: bool,
}

// ---- 3. storage credentials ----

/// The Secrets that Models name in `secretName`. The Seldon agent reads such a Secret from
/// the Model's namespace: exactly one key, holding an rclone remote named after the
/// storageUri's scheme.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Storage {
    /// The store every entry of `secrets` reads from unless it names its own.
    #[serde(default)]
    pub store: Option<StoreRef>,
    /// Secrets rendered as ExternalSecrets, in each runtime namespace whose Models name them.
    #[serde(default)]
    pub secrets: Vec<StorageSecret>,
    /// Secrets you create yourself, by name, in each namespace whose Models name them.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253)))]
    pub existing: Vec<String>,
}

/// One rclone-format Secret produced by External Secrets from a store.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageSecret {
    /// The Secret's name, as Models give it in secretName.
    #[schemars(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253))]
    pub name: String,
    /// The storageUri scheme of the Models that use it (s3, gs, az, http, https): the
    /// rclone remote is named after it, and the agent refuses a Model whose scheme differs.
    pub scheme: String,
    /// The rclone backend (default: s3 for s3, google cloud storage for gs, azureblob for
    /// az, http for http and https).
    #[serde(default, rename = "type")]
    pub backend: Option<String>,
    /// rclone parameters that are not secret (provider, region, endpoint, env_auth).
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// rclone parameters read from the store (access_key_id, secret_access_key,
    /// service_account_credentials, account, key): parameter → its key and property in
    /// the store.
    #[serde(default)]
    pub from_store: BTreeMap<String, RemoteRef>,
    /// The store to read from (default: storage.store).
    #[serde(default)]
    pub store: Option<StoreRef>,
}

impl StorageSecret {
    /// The rclone backend: `type`, or the one the scheme implies.
    pub fn backend(&self) -> Option<&str> {
        self.backend
            .as_deref()
            .or_else(|| default_backend(&self.scheme))
    }
}

/// The rclone backend that serves a storageUri scheme.
pub fn default_backend(scheme: &str) -> Option<&'static str> {
    match scheme {
        "s3" => Some("s3"),
        "gs" => Some("google cloud storage"),
        "az" => Some("azureblob"),
        "http" | "https" => Some("http"),
        _ => None,
    }
}

// ---- 4. Kafka tenancy (Strimzi) ----

/// A Strimzi-managed Kafka cluster shared by the tenants, each with its own user. Needs
/// seldon.kafka.bootstrap pointing at a listener with scram-sha-512 authentication.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KafkaTenancy {
    /// The Kafka resource's name (the KafkaUsers' `strimzi.io/cluster` label).
    #[schemars(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253))]
    pub cluster: String,
    /// The namespace the cluster's User and Topic Operators watch (the cluster's own by
    /// default): the KafkaUsers and KafkaTopics go there, and Strimzi writes each user's
    /// password Secret there.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub namespace: String,
    /// A store that reads Secrets of that namespace (External Secrets' kubernetes
    /// provider), from which each tenant's namespace gets its user's password and the
    /// cluster CA.
    pub store: StoreRef,
    /// Also render a KafkaTopic for every topic of the tenants' Models and Pipelines.
    #[serde(default)]
    pub topics: bool,
    /// Partitions of each KafkaTopic (default: the broker's).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub partitions: Option<u32>,
    /// Replicas of each KafkaTopic (default: the broker's).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub replicas: Option<u32>,
}

// ---- 5. private registries and mirrors ----

/// Where the Seldon charts and images come from.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registry {
    /// The chart repository holding seldon-core-v2-crds and seldon-core-v2-setup:
    /// `https://…` (a Helm repository) or `oci://host/path` (an OCI registry). Default:
    /// https://seldonio.github.io/helm-charts.
    #[serde(default)]
    pub charts: Option<String>,
    /// Flux: the Secret in flux-system with the chart repository's credentials (the
    /// HelmRepository's secretRef). Argo CD takes credentials from its own repository
    /// settings.
    #[serde(default)]
    #[schemars(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253))]
    pub charts_secret_name: Option<String>,
    /// Mirrors of the registries the Seldon images come from: docker.io (every Seldon
    /// image and MLServer) and nvcr.io (Triton), each to `host[/path]`.
    #[serde(default)]
    pub mirrors: BTreeMap<Upstream, String>,
    /// Image pull Secrets of every Seldon pod (controller, runtime components, servers),
    /// by name; each must exist in the controller namespace and every runtime namespace.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::DNS_SUBDOMAIN), length(max = 253)))]
    pub image_pull_secrets: Vec<String>,
}

/// A registry the setup chart's images come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
pub enum Upstream {
    #[serde(rename = "docker.io")]
    DockerIo,
    #[serde(rename = "nvcr.io")]
    NvcrIo,
}

impl Upstream {
    pub fn as_str(self) -> &'static str {
        match self {
            Upstream::DockerIo => "docker.io",
            Upstream::NvcrIo => "nvcr.io",
        }
    }
}

// ---- 6. Server scheduling ----

/// Where a Server's pods run, and the GPUs its inference container gets. Rendered into the
/// Server's podSpec, which the controller merges into its ServerConfig's: nodeSelector key
/// by key, tolerations appended, affinity field by field, the inference container's
/// resources key by key.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerScheduling {
    /// Node labels the pods require (e.g. nvidia.com/gpu.present: "true").
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate (GPU nodes are usually tainted).
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    #[serde(default)]
    pub affinity: Option<Affinity>,
    /// NVIDIA GPUs of the inference container (nvidia.com/gpu, as request and limit: an
    /// extended resource cannot be overcommitted).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub gpu: Option<u32>,
}

impl ServerScheduling {
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_empty()
            && self.tolerations.is_empty()
            && self.affinity.is_none()
            && self.gpu.is_none()
    }
}

/// The extended resource a Server's `gpu` requests.
pub const GPU_RESOURCE: &str = "nvidia.com/gpu";
