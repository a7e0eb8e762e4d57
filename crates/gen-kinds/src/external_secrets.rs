//! External Secrets Operator kinds (`external-secrets.io/v1`) as typed structs, modelled on
//! the CRDs of external-secrets v2.9.0 (which serves `v1` only): `ExternalSecret`, only
//! the fields gen renders. The SecretStore or ClusterSecretStore it reads from belongs to
//! the platform (gen names it, never renders it).
//!
//! An ExternalSecret holds no secret material: it names a store, the remote keys to read,
//! and a template for the Secret ESO writes in its namespace.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::{Kind, Object};

macro_rules! kind {
    ($spec:ty, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = "external-secrets.io/v1";
            const KIND: &'static str = $kind;
        }
    };
}

/// `ExternalSecret.spec`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    pub secret_store_ref: StoreRef,
    /// How often ESO reads the store again (CRD default `1h0m0s`).
    pub refresh_interval: String,
    pub target: Target,
    /// Each entry reads one remote value into `secretKey`, which the template refers to as
    /// `.<secretKey>`.
    pub data: Vec<DataEntry>,
}
kind!(ExternalSecretSpec, "ExternalSecret");

/// A SecretStore (in the ExternalSecret's namespace) or a ClusterSecretStore.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreRef {
    /// ClusterSecretStore (one store for every namespace) or SecretStore (a store of that
    /// name must exist in each namespace that reads from it).
    pub kind: StoreKind,
    pub name: String,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum StoreKind {
    SecretStore,
    ClusterSecretStore,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::SecretStore => "SecretStore",
            StoreKind::ClusterSecretStore => "ClusterSecretStore",
        }
    }
}

/// The Secret ESO writes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    /// `Owner`: ESO creates the Secret and it goes with the ExternalSecret (CRD default).
    pub creation_policy: &'static str,
    /// `Retain`: a value removed from the store leaves the Secret as it was (CRD default).
    pub deletion_policy: &'static str,
    pub template: Template,
}

/// The Secret's type and keys as templates over the `data` entries; with mergePolicy
/// `Replace` the Secret holds exactly the keys of `data` here.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    #[serde(rename = "type")]
    pub kind: String,
    /// CRD default, written out.
    pub engine_version: &'static str,
    /// CRD default, written out.
    pub merge_policy: &'static str,
    pub data: BTreeMap<String, String>,
}

impl Template {
    /// A Secret of `kind` with exactly the keys of `data`.
    pub fn replace(kind: &str, data: BTreeMap<String, String>) -> Self {
        Template {
            kind: kind.to_string(),
            engine_version: "v2",
            merge_policy: "Replace",
            data,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataEntry {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

/// A value in the store: the key (a path or a secret's name, in the provider's terms) and
/// optionally one property of it (a JSON field, or a key of a Kubernetes Secret).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteRef {
    /// The value's key in the store (a path, or a secret's name, in the provider's terms).
    pub key: String,
    /// One property of it (a JSON field, or a key of a Kubernetes Secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

pub type ExternalSecret = Object<ExternalSecretSpec>;
