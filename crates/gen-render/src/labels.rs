//! Kubernetes recommended labels, on every object gen renders.

use std::collections::BTreeMap;

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const COMPONENT: &str = "app.kubernetes.io/component";
pub const VERSION: &str = "app.kubernetes.io/version";

/// The labels of one object: managed by gen, part of `part_of` (an application, a tenant
/// or the profile), in the role `component`. `app.kubernetes.io/name` is left out on
/// purpose: Seldon uses it as a pod selector label.
pub fn labels(part_of: &str, component: &str, version: Option<&str>) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    l.insert(MANAGED_BY.to_string(), "gen".to_string());
    l.insert(PART_OF.to_string(), part_of.to_string());
    l.insert(COMPONENT.to_string(), component.to_string());
    if let Some(v) = version {
        l.insert(VERSION.to_string(), v.to_string());
    }
    l
}
