//! Builders of the built-in Kubernetes objects a bundle holds besides the Seldon objects:
//! namespaces, NetworkPolicies, quotas, RBAC and the rclone Secret. Each takes the settings
//! it needs and returns typed k8s-openapi objects; nothing here knows folders or engines.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub mod integrations;
pub mod namespace;
pub mod network;
pub mod quota;
pub mod rbac;
pub mod secret;

/// Metadata with a name, an optional namespace and gen's labels.
pub(crate) fn object_meta(
    name: &str,
    namespace: Option<&str>,
    labels: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}
