//! Flux kinds as typed structs, modelled on the CRDs of Flux 2.5 (kustomize-controller
//! v1.5, helm-controller v1.2, source-controller v1.5; the oldest release the bundles
//! support): `source.toolkit.fluxcd.io/v1` sources, `helm.toolkit.fluxcd.io/v2`
//! HelmRelease and `kustomize.toolkit.fluxcd.io/v1` Kustomization, only the fields gen
//! renders.

use std::collections::BTreeMap;

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

// ---- Flux sources (source.toolkit.fluxcd.io/v1) ----

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositorySpec {
    pub url: String,
    pub interval: String,
    /// CRD default, written out so the object in git equals the one on the cluster.
    pub provider: &'static str,
    /// `oci` for an OCI registry (then `url` starts with `oci://`); omitted for a Helm
    /// repository (the CRD has no default).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The Secret in the HelmRepository's namespace with the repository's credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretRef>,
}

/// A Secret of the object's own namespace, by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretRef {
    pub name: String,
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

pub type HelmRepository = Object<HelmRepositorySpec>;
pub type HelmRelease = Object<HelmReleaseSpec>;
pub type GitRepository = Object<GitRepositorySpec>;
pub type FluxKustomization = Object<KustomizationSpec>;
