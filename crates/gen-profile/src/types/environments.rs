//! Environments and the clusters they run on (issue "Environments and fleets"): the profile
//! types only. How an environment's override is merged into the base profile is in
//! [`crate::merge`]; the rules on environments and clusters in `check/environments.rs`.

use schemars::JsonSchema;
use serde::Deserialize;

/// The API server of the cluster Argo CD runs in, as Argo CD names it
/// (`KubernetesInternalAPIServerAddr` in argo-cd `pkg/apis/application/v1alpha1`).
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// Folder names of a fleet bundle that an environment cannot take: the fleet's own layers.
pub const RESERVED_ENVIRONMENT_NAMES: &[&str] = &["argocd", "bootstrap", "clusters", "flux"];

/// One environment of the deployment (dev, staging, prod…): the clusters it runs on and
/// what differs from the base profile there. Its bundle is `out/<name>/<environment>/`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Environment {
    /// The environment's name and folder (out/<name>/<environment>/): a DNS-1123 label.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// The clusters that run this environment, each the same bundle.
    pub clusters: Vec<Cluster>,
    /// What differs from the base profile in this environment, with the profile's own keys
    /// (not name, pattern, gitops.engine or gitops.path). Mappings merge key by key; lists
    /// of named entries (tenants, applications, servers, models, pipelines, experiments,
    /// steps, candidates, …) merge by name, and `remove: true` on an entry drops it; any
    /// other value replaces the base profile's.
    #[serde(default, rename = "override")]
    pub overrides: Option<Override>,
}

/// A cluster of an environment.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    /// The cluster's name, unique in the profile: Flux's `clusters/<name>/` folder and the
    /// prefix of its Argo CD Applications. A DNS-1123 label.
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub name: String,
    /// Its API server URL as registered in Argo CD (`argocd cluster add`; the `server` of
    /// its cluster Secret), which its Applications name as `destination.server`. Default
    /// https://kubernetes.default.svc, the cluster Argo CD runs in. Flux ignores it.
    #[serde(default)]
    pub server: Option<String>,
}

impl Cluster {
    /// The server Argo CD's Applications name for this cluster.
    pub fn server(&self) -> &str {
        self.server.as_deref().unwrap_or(IN_CLUSTER_SERVER)
    }

    /// The cluster's identity as Argo CD compares it: the server URL without trailing
    /// slashes (argo-cd `util/argo/argo.go` GetDestinationServer, `util/db/cluster.go`).
    pub fn identity(&self) -> &str {
        self.server().trim_end_matches('/')
    }
}

/// An environment's override: read from the profile's tree by [`crate::merge`], not
/// through the typed profile. Its schema is `$defs/ProfileOverride`, the profile's own
/// schema with nothing required but the names of entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Override;

impl<'de> Deserialize<'de> for Override {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer)?;
        Ok(Override)
    }
}

impl JsonSchema for Override {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Override".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"$ref": format!("#/$defs/{}", crate::schema::OVERRIDE_DEF)})
    }
}
