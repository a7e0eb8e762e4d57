//! Argo CD and Flux kinds as typed structs, modelled on their CRDs
//! (`argoproj.io/v1alpha1`, `kustomize.toolkit.fluxcd.io/v1`, `helm.toolkit.fluxcd.io/v2`,
//! `source.toolkit.fluxcd.io/v1`). Only the fields gen renders are modelled. Every field exists
//! in the oldest engine release the bundle README names (Argo CD 2.14, Flux 2.5): Argo CD
//! applies child Applications with strict field validation
//! (`gitops-engine/pkg/utils/kube/resource_ops.go`, `FieldValidationStrict`), so a field the
//! cluster's CRD does not know fails the whole sync.

use std::collections::BTreeMap;

use serde::Serialize;

use gen_seldon::{Kind, Object};

use super::SetupValues;

macro_rules! kind {
    ($spec:ty, $api:literal, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = $kind;
        }
    };
}

// ---- Argo CD (argoproj.io/v1alpha1) ----

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
}
kind!(AppProjectSpec, "argoproj.io/v1alpha1", "AppProject");

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

// ---- Flux sources (source.toolkit.fluxcd.io/v1) ----

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmRepositorySpec {
    pub url: String,
    pub interval: String,
    /// CRD default, written out so the object in git equals the one on the cluster.
    pub provider: &'static str,
}
kind!(
    HelmRepositorySpec,
    "source.toolkit.fluxcd.io/v1",
    "HelmRepository"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitRepositorySpec {
    pub url: String,
    pub interval: String,
    /// CRD default, written out.
    pub timeout: &'static str,
    #[serde(rename = "ref")]
    pub reference: GitRef,
}
kind!(
    GitRepositorySpec,
    "source.toolkit.fluxcd.io/v1",
    "GitRepository"
);

/// `spec.ref`: exactly one field is set (source-controller reads commit > name > semver >
/// tag > branch, `api/v1/gitrepository_types.go` GitRepositoryRef).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GitRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

// ---- Flux HelmRelease (helm.toolkit.fluxcd.io/v2) ----

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseSpec {
    pub interval: String,
    pub release_name: String,
    /// Where the chart's namespaced objects go; `None` keeps the HelmRelease's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    /// Where Helm keeps the release's Secrets; `None` keeps the HelmRelease's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_namespace: Option<String>,
    /// The service account helm-controller impersonates for this release.
    pub service_account_name: String,
    /// Bound of every Helm action, including waiting for the release's workloads.
    pub timeout: String,
    pub chart: HelmChartTemplate,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependsOn>,
    pub install: HelmInstall,
    pub upgrade: HelmUpgrade,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_renderers: Vec<PostRenderer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<SetupValues>,
}
kind!(HelmReleaseSpec, "helm.toolkit.fluxcd.io/v2", "HelmRelease");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmChartTemplate {
    pub spec: HelmChartSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    pub chart: String,
    pub version: String,
    pub source_ref: SourceRef,
    /// CRD default, written out.
    pub reconcile_strategy: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmInstall {
    pub crds: &'static str,
    pub create_namespace: bool,
    pub remediation: InstallRemediation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstallRemediation {
    /// Attempts after a failed install, each after an uninstall; negative: no limit.
    pub retries: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmUpgrade {
    pub crds: &'static str,
    pub remediation: UpgradeRemediation,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeRemediation {
    /// Attempts after a failed upgrade, each after a rollback; negative: no limit.
    pub retries: i64,
    /// Roll back the last failed attempt too, so the release ends on its last good state.
    pub remediate_last_failure: bool,
    pub strategy: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostRenderer {
    pub kustomize: PostRenderKustomize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostRenderKustomize {
    pub patches: Vec<KustomizePatch>,
}

/// A kustomize patch: `patch` holds a strategic-merge patch as YAML text (the CRD types it
/// as a string), applied to every object `target` selects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KustomizePatch {
    pub target: PatchTarget,
    /// Written as a block literal, so a reviewer reads it as YAML.
    pub patch: serde_saphyr::LitString,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatchTarget {
    pub group: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef {
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DependsOn {
    pub name: String,
    pub namespace: String,
}

// ---- Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) ----

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    pub interval: String,
    pub retry_interval: String,
    pub timeout: String,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    /// CRD default, written out.
    pub force: bool,
    pub source_ref: SourceRef,
    /// The service account in flux-system whose permissions apply this folder.
    pub service_account_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependsOn>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub health_check_exprs: Vec<HealthCheckExpr>,
}
kind!(
    KustomizationSpec,
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization"
);

/// A custom health check (kustomize-controller v1.5+): `current` is a CEL expression over
/// the object's top-level fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckExpr {
    pub api_version: String,
    pub kind: String,
    pub current: String,
}

/// The strategic-merge patch a post-renderer applies: metadata only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataPatch {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: PatchMetadata,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatchMetadata {
    /// Ignored when the patch has a target: kustomize applies it to each selected object.
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

pub type Application = Object<ApplicationSpec>;
pub type AppProject = Object<AppProjectSpec>;
pub type HelmRepository = Object<HelmRepositorySpec>;
pub type HelmRelease = Object<HelmReleaseSpec>;
pub type GitRepository = Object<GitRepositorySpec>;
pub type FluxKustomization = Object<KustomizationSpec>;
