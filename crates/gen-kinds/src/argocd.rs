//! Argo CD kinds (`argoproj.io/v1alpha1`) as typed structs, modelled on the CRDs of
//! Argo CD 2.14 (the oldest release the bundles support): only the fields gen renders,
//! and every one of them known to that release. Argo CD applies child Applications with
//! strict field validation (`gitops-engine/pkg/utils/kube/resource_ops.go`,
//! `FieldValidationStrict`), so a field the cluster's CRD does not know fails the sync.

use serde::Serialize;

use crate::meta::{Kind, Object};
use crate::seldon_setup::SetupValues;

macro_rules! kind {
    ($spec:ty, $api:literal, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = $kind;
        }
    };
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub project: String,
    pub source: AppSource,
    pub destination: Destination,
    pub sync_policy: SyncPolicy,
}
kind!(ApplicationSpec, "argoproj.io/v1alpha1", "Application");

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSource {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub target_revision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmSource>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    pub release_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_object: Option<SetupValues>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Destination {
    pub server: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Automated,
    pub sync_options: Vec<String>,
    pub retry: Retry,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    pub prune: bool,
    pub self_heal: bool,
}

/// `syncPolicy.retry`: how often a failed automated sync is tried again.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Retry {
    /// Attempts after the first failure; a negative value means no limit.
    pub limit: i64,
    pub backoff: Backoff,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    pub duration: String,
    pub factor: i64,
    pub max_duration: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    pub description: String,
    pub source_repos: Vec<String>,
    pub destinations: Vec<Destination>,
    /// Cluster-scoped kinds the project may manage; empty admits none.
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// Namespaced kinds the project may manage. Argo CD reads an absent list as "every
    /// kind" and an empty one as "none" (`IsGroupKindNamePermitted`), so `None` is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_resource_whitelist: Option<Vec<GroupKind>>,
    /// The project's roles: who (OIDC groups) may do what (casbin policy lines) with the
    /// project's Applications.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<ProjectRole>,
}
kind!(AppProjectSpec, "argoproj.io/v1alpha1", "AppProject");

/// One role of an AppProject (`ProjectRole`). Argo CD accepts a policy line only as
/// `p, proj:<project>:<role>, <resource>, <action>, <project>/<object>, allow|deny`
/// (`pkg/apis/application/v1alpha1/app_project_types.go` validatePolicy), and a role name
/// matching `^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectRole {
    pub name: String,
    pub description: String,
    pub policies: Vec<String>,
    pub groups: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GroupKind {
    pub group: String,
    pub kind: String,
}

impl GroupKind {
    pub fn new(group: &str, kind: &str) -> Self {
        GroupKind {
            group: group.to_string(),
            kind: kind.to_string(),
        }
    }
}

pub type Application = Object<ApplicationSpec>;
pub type AppProject = Object<AppProjectSpec>;

// ---- ApplicationSet (issue "Environments and fleets") ----

/// An ApplicationSet: Applications generated from a template, one per element of its
/// generators, which the ApplicationSet controller creates, updates and (by default)
/// deletes with the elements.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSpec {
    /// Templates are Go templates (`{{.cluster}}`), with `goTemplateOptions`.
    pub go_template: bool,
    /// `missingkey=error`: a template naming a parameter an element lacks fails instead
    /// of rendering an empty string.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub go_template_options: Vec<String>,
    pub generators: Vec<Generator>,
    pub template: ApplicationTemplate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<ApplicationSetSyncPolicy>,
}
kind!(ApplicationSetSpec, "argoproj.io/v1alpha1", "ApplicationSet");

/// A generator; gen renders the list generator only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Generator {
    pub list: ListGenerator,
}

/// The list generator: one parameter set per element (string values).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListGenerator {
    pub elements: Vec<std::collections::BTreeMap<String, String>>,
}

/// The Application each element makes: metadata and spec with `{{.param}}` in strings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApplicationTemplate {
    pub metadata: crate::meta::Metadata,
    pub spec: ApplicationSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSyncPolicy {
    /// Keep the generated Applications' resources when the ApplicationSet or an element
    /// goes away (the Applications are deleted without cascading).
    pub preserve_resources_on_deletion: bool,
}

pub type ApplicationSet = Object<ApplicationSetSpec>;
