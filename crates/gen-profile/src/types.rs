//! The profile: one small file per deployment. Its JSON Schema comes from these types
//! (`gen schema`), and Model, Pipeline, Experiment, Server and runtime entries reuse the
//! Seldon spec types, so every CRD field an author sets is available under its CRD name.

use gen_seldon::kinds::{ComponentOverride, RuntimeConfig};
use gen_seldon::{ExperimentSpec, ModelSpec, PipelineSpec, Quantity, ServerSpec};
use schemars::JsonSchema;
use serde::Deserialize;

/// The Seldon Core v2 version this gen release renders and checks against.
pub const SELDON_VERSION: &str = "2.10.2";

/// A gen profile: the platform layer and the application layer of one Seldon deployment.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "gen profile")]
pub struct Profile {
    /// The bundle's name and folder (out/<name>/): a DNS-1123 label.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// shared (Pattern B): one SeldonRuntime and shared Servers in platform.namespace, for
    /// one team. dedicated (Pattern A): a clusterwide controller and a SeldonRuntime,
    /// Servers and quota per tenant namespace.
    pub pattern: Pattern,
    #[serde(default)]
    pub seldon: SeldonInstall,
    pub platform: Platform,
    #[serde(default)]
    pub gitops: GitOps,
    /// Isolation defaults; each setting is an explicit opt-out.
    #[serde(default)]
    pub security: Security,
    /// Tenants (pattern dedicated only): each gets its own namespace and SeldonRuntime.
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub applications: Vec<Application>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    /// Pattern B: one team; everything in platform.namespace.
    Shared,
    /// Pattern A: many teams; a runtime per tenant namespace.
    Dedicated,
}

impl Pattern {
    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::Shared => "shared",
            Pattern::Dedicated => "dedicated",
        }
    }
}

/// The Seldon Core v2 release to install, pinned.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeldonInstall {
    /// Upstream chart and app version. This gen renders and checks Seldon Core v2 2.10.2
    /// only.
    #[serde(default = "default_version")]
    #[schemars(regex(pattern = crate::schema::SELDON_VERSION_PATTERN))]
    pub version: String,
    /// Kafka settings of the controller install (the seldon-core-v2-setup chart's `kafka`
    /// values). Pipelines need Kafka; the chart's default bootstrap is
    /// seldon-kafka-bootstrap.seldon-mesh:9092.
    #[serde(default)]
    pub kafka: Option<KafkaInstall>,
}

impl Default for SeldonInstall {
    fn default() -> Self {
        SeldonInstall {
            version: default_version(),
            kafka: None,
        }
    }
}

/// The setup chart's Kafka values. The dataflow engine reads bootstrap and consumer prefix
/// from them (not from the SeldonRuntime), so they are set at install time.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KafkaInstall {
    /// Bootstrap servers, host:port[,host:port].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<String>,
    /// Prefix of every topic (default seldon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_prefix: Option<String>,
    /// Prefix of every consumer group, to share one Kafka with other installs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_group_id_prefix: Option<String>,
}

fn default_version() -> String {
    SELDON_VERSION.to_string()
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Platform {
    /// The controller's namespace, where SeldonConfig and ServerConfigs live. In pattern
    /// shared it also holds the SeldonRuntime, the Servers and every application.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub namespace: String,
    /// SeldonRuntime settings (pattern shared only; tenants have their own).
    #[serde(default)]
    pub runtime: Option<RuntimeSettings>,
    /// Servers shared by every application (pattern shared only).
    #[serde(default)]
    pub servers: Vec<ServerEntry>,
    /// ServerConfigs that exist in the controller namespace besides mlserver and triton
    /// (installed outside gen), so Servers may use them.
    #[serde(default)]
    pub server_configs: Vec<DeclaredServerConfig>,
}

/// A SeldonRuntime's settings; gen names it `seldon`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeSettings {
    /// The SeldonConfig in the controller namespace (default: default).
    #[serde(default)]
    pub seldon_config: Option<String>,
    /// Per-component overrides: replicas, serviceType, disable.
    #[serde(default)]
    pub overrides: Vec<ComponentOverride>,
    #[serde(default)]
    pub config: Option<RuntimeConfig>,
}

/// A Server: a name and the Server.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// Memory request of the inference container, i.e. what one replica can hold
    /// (default: the ServerConfig's, 1G for mlserver and triton).
    #[serde(default)]
    pub memory: Option<Quantity>,
    #[serde(flatten)]
    pub spec: ServerSpec,
}

/// A ServerConfig that exists in the controller namespace but that gen does not render.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclaredServerConfig {
    /// Not mlserver or triton: the setup chart installs those.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    #[schemars(extend("not" = {"enum": ["mlserver", "triton"]}))]
    pub name: String,
    /// What its agent advertises (SELDON_SERVER_CAPABILITIES).
    pub capabilities: Vec<String>,
    /// Memory request of its inference container.
    pub memory: Quantity,
    /// Name of its inference container (default: the config's name).
    #[serde(default)]
    pub container: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitOps {
    /// argocd, flux, or none (something else applies the folders).
    #[serde(default)]
    pub engine: Engine,
    /// The git repository that holds the rendered bundle.
    #[serde(default, rename = "repoURL")]
    pub repo_url: Option<String>,
    /// The branch, tag or commit to follow (default: main).
    #[serde(default)]
    pub revision: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Argocd,
    Flux,
    #[default]
    None,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Argocd => "argocd",
            Engine::Flux => "flux",
            Engine::None => "none",
        }
    }
}

/// Secure defaults of every bundle. Leave this out for the safe defaults; each field is a
/// documented opt-out or an allowance.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Security {
    /// Render NetworkPolicies (default true): default-deny ingress in every namespace with
    /// Seldon objects, then only the flows Seldon needs.
    #[serde(default = "yes")]
    pub network_policies: bool,
    /// Namespaces whose pods may call the inference endpoint (envoy, service seldon-mesh).
    /// Tenants may add their own with tenants[].clientNamespaces.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::DNS_LABEL), length(max = 63)))]
    pub client_namespaces: Vec<String>,
    /// Namespace of the metrics scraper (e.g. Prometheus), allowed to the metrics ports.
    #[serde(default)]
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub monitoring_namespace: Option<String>,
    /// Also deny egress by default, allowing DNS, the namespace itself, HTTPS (object
    /// storage and the kube-apiserver), Kafka and the controller → scheduler flow.
    #[serde(default)]
    pub deny_egress: bool,
    /// Pod Security Standards level enforced on every namespace gen renders.
    #[serde(default)]
    pub pod_security: PodSecurity,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            network_policies: true,
            client_namespaces: Vec::new(),
            monitoring_namespace: None,
            deny_egress: false,
            pod_security: PodSecurity::default(),
        }
    }
}

fn yes() -> bool {
    true
}

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurity {
    /// The strictest level the Seldon v2.10.2 pods pass (they set runAsNonRoot but no
    /// seccomp profile or dropped capabilities, which restricted requires).
    #[default]
    Baseline,
    /// Only if you patch every Seldon pod spec to meet it.
    Restricted,
    /// No restrictions (opt-out).
    Privileged,
}

impl PodSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurity::Baseline => "baseline",
            PodSecurity::Restricted => "restricted",
            PodSecurity::Privileged => "privileged",
        }
    }
}

/// A tenant (pattern dedicated): one namespace with its own SeldonRuntime and Servers.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// The tenant's own namespace (not platform.namespace).
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub namespace: String,
    /// Who may manage the tenant's Seldon objects: group:NAME or user:NAME.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::OWNER)))]
    pub owners: Vec<String>,
    #[serde(default)]
    pub quota: Option<Quota>,
    /// Namespaces whose pods may call this tenant's inference endpoint, in addition to
    /// security.clientNamespaces.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::DNS_LABEL), length(max = 63)))]
    pub client_namespaces: Vec<String>,
    #[serde(default)]
    pub runtime: Option<RuntimeSettings>,
    #[serde(default)]
    pub servers: Vec<ServerEntry>,
}

/// A tenant's ResourceQuota (requests).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    #[serde(default)]
    pub cpu: Option<Quantity>,
    #[serde(default)]
    pub memory: Option<Quantity>,
    #[serde(default)]
    pub pods: Option<u32>,
}

/// An application: Models, Pipelines and Experiments owned by one team. It has no
/// namespace of its own: it lives where its scheduler is (platform.namespace in pattern
/// shared, its tenant's namespace in pattern dedicated).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// The tenant it belongs to (pattern dedicated only).
    #[serde(default)]
    pub tenant: Option<String>,
    /// Not allowed: an application's namespace follows from the pattern. Kept in the schema
    /// so that a profile that sets it gets an explanation instead of "unknown key".
    #[serde(default)]
    #[schemars(extend("not" = {"type": "string"}))]
    pub namespace: Option<String>,
    /// Who may manage this application's Seldon objects: group:NAME or user:NAME.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::OWNER)))]
    pub owners: Vec<String>,
    #[serde(default)]
    pub models: Vec<ModelEntry>,
    #[serde(default)]
    pub pipelines: Vec<PipelineEntry>,
    #[serde(default)]
    pub experiments: Vec<ExperimentEntry>,
}

/// A Model: a name and the Model.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct ModelEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    #[serde(flatten)]
    pub spec: ModelSpec,
}

/// A Pipeline: a name and the Pipeline.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct PipelineEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    #[serde(flatten)]
    pub spec: PipelineSpec,
}

/// An Experiment: a name and the Experiment.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct ExperimentEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    #[serde(flatten)]
    pub spec: ExperimentSpec,
}
