//! The profile: one small file per deployment. Its JSON Schema comes from these types
//! (`gen schema`), and Model, Pipeline, Experiment, Server and runtime entries reuse the
//! Seldon spec types, so every CRD field an author sets is available under its CRD name.

use gen_seldon::kinds::{ComponentOverride, RuntimeConfig};
use gen_seldon::{ExperimentSpec, ModelSpec, PipelineSpec, Quantity, ServerSpec};
use schemars::JsonSchema;
use serde::Deserialize;

mod environments;
pub mod integrations;
mod security;
mod templates;

pub use environments::*;
pub use integrations::{Integrations, ServerScheduling};
pub use security::*;
pub use templates::*;

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
    /// Platform integrations (Gateway API endpoints, metrics, storage credentials, Kafka
    /// tenancy, private registries); each is off unless listed here.
    #[serde(default)]
    pub integrations: Integrations,
    /// The repository's own templates: objects gen does not model, rendered per layer.
    #[serde(default)]
    pub templates: Option<TemplateSettings>,
    /// Environments (dev, staging, prod…), each on its own clusters and with its own
    /// override of this profile. Without them the bundle is out/<name>/ alone.
    #[serde(default)]
    pub environments: Vec<Environment>,
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
    pub version: Version,
    /// Kafka settings of the controller install (the seldon-core-v2-setup chart's `kafka`
    /// values). Pipelines need Kafka; the chart's default bootstrap is
    /// seldon-kafka-bootstrap.seldon-mesh:9092.
    #[serde(default)]
    pub kafka: Option<KafkaInstall>,
    /// Where every SeldonRuntime sends traces. Without it gen disables tracing on every
    /// runtime (`config.tracingConfig.disable: true`): Seldon traces by default to a
    /// placeholder collector that nothing installs. A runtime's own tracingConfig wins.
    #[serde(default)]
    pub tracing: Option<Tracing>,
}

impl Default for SeldonInstall {
    fn default() -> Self {
        SeldonInstall {
            version: default_version(),
            kafka: None,
            tracing: None,
        }
    }
}

/// An OpenTelemetry collector for every runtime's components and agents.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tracing {
    /// The collector's OTLP endpoint, host:port without a scheme (e.g.
    /// otel-collector.observability:4317). The Go components dial it with gRPC; the
    /// dataflow engine prefixes http://.
    pub endpoint: String,
    /// The protocol the dataflow engine uses (OTEL_EXPORTER_OTLP_PROTOCOL); default grpc.
    #[serde(default)]
    pub protocol: Option<TracingProtocol>,
    /// The fraction of requests traced, from 0 to 1 (default 1).
    #[serde(default)]
    pub ratio: Option<f64>,
}

/// An OTLP protocol.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq, serde::Serialize)]
pub enum TracingProtocol {
    #[serde(rename = "grpc")]
    Grpc,
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
}

impl TracingProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            TracingProtocol::Grpc => "grpc",
            TracingProtocol::HttpProtobuf => "http/protobuf",
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

fn default_version() -> Version {
    Version {
        text: SELDON_VERSION.to_string(),
        number: false,
    }
}

/// A version as the profile gives it. YAML reads an unquoted `2.10` as the number 2.1, so
/// a version that came as a number remembers it, and the check can say why it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    text: String,
    number: bool,
}

impl Version {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether YAML read the value as a number (it was not quoted).
    pub fn is_number(&self) -> bool {
        self.number
    }
}

impl std::ops::Deref for Version {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl PartialEq<&str> for Version {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl JsonSchema for Version {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Version".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string"})
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version such as \"2.10.2\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Version, E> {
                Ok(Version {
                    text: v.to_string(),
                    number: false,
                })
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Version, E> {
                Ok(Version {
                    text: v.to_string(),
                    number: true,
                })
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Version, E> {
                Ok(Version {
                    text: v.to_string(),
                    number: true,
                })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Version, E> {
                Ok(Version {
                    text: v.to_string(),
                    number: true,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
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

/// A Server: a name and the Server.spec fields. A fixed `replicas` (default 1) is
/// rendered with minReplicas = maxReplicas = replicas, so the scheduler never changes it;
/// for autoscaling give minReplicas and maxReplicas and no replicas.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// Memory of the inference container, i.e. what one replica can hold, rendered as its
    /// request and its limit (default: the ServerConfig's, 1Gi for mlserver and triton).
    #[serde(default)]
    pub memory: Option<Quantity>,
    #[serde(flatten)]
    pub spec: ServerSpec,
    /// nodeSelector, tolerations, affinity and GPUs (integrations).
    #[serde(flatten)]
    pub scheduling: ServerScheduling,
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
    /// Memory limit of its inference container, if it sets one. gen renders a Server's
    /// `memory` as both request and limit, so an override never exceeds this limit.
    #[serde(default)]
    pub memory_limit: Option<Quantity>,
    /// CPU request of its inference container (counted towards tenant quotas).
    #[serde(default)]
    pub cpu: Option<Quantity>,
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
    /// What to follow (default: main): a branch (`main` or `refs/heads/main`), a tag
    /// (`refs/tags/v1.2.0`), another full ref (`refs/...`), or a full commit SHA (40 or 64
    /// hex digits). Flux gets the matching GitRepository ref field; Argo CD takes it as is.
    #[serde(default)]
    pub revision: Option<String>,
    /// The bundle folder's path from the root of the GitOps repository, which every
    /// Application and Kustomization path starts with (default: `<--out>/<name>`, i.e.
    /// out/<name>, when gen runs from the repository root).
    #[serde(default)]
    pub path: Option<String>,
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
    // ---- sharing between applications (issue "Pattern B ownership") ----
    /// Keep the tenant's applications apart as pattern shared keeps every application:
    /// references only inside an application unless its owner shares the object
    /// (`sharedWith`), and owner roles confined to each application's own objects.
    #[serde(default)]
    pub isolate_applications: bool,
    /// Hostnames of the tenant's inference route (integrations.gateway), instead of
    /// integrations.gateway.hostnames.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::HOSTNAME), length(max = 253)))]
    pub hostnames: Vec<String>,
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
    /// Hostnames of a route of the application's own (integrations.gateway) that reaches
    /// only its Models, Pipelines and Experiments (by their Seldon-Model header).
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::HOSTNAME), length(max = 253)))]
    pub hostnames: Vec<String>,
}

/// A Model: a name and the Model.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct ModelEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    // ---- sharing between applications (issue "Pattern B ownership") ----
    /// Other applications of the same namespace that may use this Model: as a Pipeline
    /// step, an Experiment candidate or mirror, an explainer's or LLM's modelRef. Without
    /// it only its own application may (never another's Experiment default).
    #[serde(default, rename = "sharedWith")]
    #[schemars(inner(regex(pattern = crate::schema::DNS_LABEL), length(max = 63)))]
    pub shared_with: Vec<String>,
    #[serde(flatten)]
    pub spec: ModelSpec,
}

/// A Pipeline: a name and the Pipeline.spec fields.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct PipelineEntry {
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    // ---- sharing between applications (issue "Pattern B ownership") ----
    /// Other applications of the same namespace that may use this Pipeline: as an external
    /// input or trigger, an Experiment candidate or mirror, an explainer's or LLM's
    /// pipelineRef. Without it only its own application may.
    #[serde(default, rename = "sharedWith")]
    #[schemars(inner(regex(pattern = crate::schema::DNS_LABEL), length(max = 63)))]
    pub shared_with: Vec<String>,
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

/// Who may manage a tenant's or an application's Seldon objects: an RBAC subject, written
/// `group:NAME` or `user:NAME` in a profile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Group(String),
    User(String),
}

impl Owner {
    /// The owner a profile's `group:NAME` / `user:NAME` names; `None` for anything else
    /// (the profile rule `invalid-owner` reports it).
    pub fn parse(text: &str) -> Option<Owner> {
        let (kind, who) = text.split_once(':')?;
        if who.is_empty() || who.contains(char::is_whitespace) {
            return None;
        }
        match kind {
            "group" => Some(Owner::Group(who.to_string())),
            "user" => Some(Owner::User(who.to_string())),
            _ => None,
        }
    }

    /// The RBAC subject kind: `Group` or `User`.
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Group(_) => "Group",
            Owner::User(_) => "User",
        }
    }

    /// The subject's name as the cluster's authenticator knows it.
    pub fn name(&self) -> &str {
        match self {
            Owner::Group(n) | Owner::User(n) => n,
        }
    }
}
