//! Namespaces, with the Pod Security Standards labels of the profile's level.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;

use gen_profile::Security;

use super::object_meta;
use crate::labels::labels;
use crate::manifest::Manifest;

/// A Namespace with the Pod Security Standards labels.
pub fn namespace(name: &str, part_of: &str, security: &Security) -> Manifest {
    let mut l = labels(part_of, "namespace", None);
    l.extend(pod_security_labels(security));
    Manifest::Namespace(Namespace {
        metadata: object_meta(name, None, l),
        ..Namespace::default()
    })
}

/// The Pod Security Standards labels for a namespace.
pub fn pod_security_labels(security: &Security) -> BTreeMap<String, String> {
    let level = security.pod_security.as_str();
    [
        ("pod-security.kubernetes.io/enforce", level),
        ("pod-security.kubernetes.io/audit", "restricted"),
        ("pod-security.kubernetes.io/warn", "restricted"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
