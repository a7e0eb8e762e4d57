//! RBAC: the Seldon editor rules, a Role with its RoleBinding, the owners' Role.

use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};

use gen_profile::Owner;

use super::object_meta;
use crate::labels::labels;
use crate::manifest::Manifest;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Manage Models, Pipelines and Experiments; read Servers, SeldonRuntimes and status.
pub fn seldon_editor_rules() -> Vec<PolicyRule> {
    let group = strings(&["mlops.seldon.io"]);
    vec![
        PolicyRule {
            api_groups: Some(group.clone()),
            resources: Some(strings(&["experiments", "models", "pipelines"])),
            verbs: strings(&[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ]),
            ..PolicyRule::default()
        },
        PolicyRule {
            api_groups: Some(group),
            resources: Some(strings(&[
                "experiments/status",
                "models/status",
                "pipelines/status",
                "seldonruntimes",
                "servers",
                "servers/status",
            ])),
            verbs: strings(&["get", "list", "watch"]),
            ..PolicyRule::default()
        },
    ]
}

/// The rules of an application's owners where applications share a namespace: create,
/// list and watch Models, Pipelines and Experiments (RBAC cannot name the object of a
/// create, and a list or watch with `resourceNames` only works on one object with a
/// `metadata.name` field selector; the admission policy confines creation), get, update,
/// patch and delete only the application's own objects by name, and read Servers,
/// SeldonRuntimes and status.
pub fn confined_owner_rules(names: &[(&'static str, Vec<String>)]) -> Vec<PolicyRule> {
    let group = strings(&["mlops.seldon.io"]);
    let mut rules = vec![PolicyRule {
        api_groups: Some(group.clone()),
        resources: Some(strings(&["experiments", "models", "pipelines"])),
        verbs: strings(&["create", "list", "watch"]),
        ..PolicyRule::default()
    }];
    for (resource, names) in names.iter().filter(|(_, n)| !n.is_empty()) {
        rules.push(PolicyRule {
            api_groups: Some(group.clone()),
            resources: Some(vec![resource.to_string()]),
            resource_names: Some(names.clone()),
            verbs: strings(&["delete", "get", "patch", "update"]),
            ..PolicyRule::default()
        });
    }
    rules.extend(seldon_editor_rules().into_iter().skip(1));
    rules
}

/// A Role and the RoleBinding that grants it to `subjects`, both named `name`.
pub fn role_and_binding(
    name: &str,
    ns: &str,
    part_of: &str,
    rules: Vec<PolicyRule>,
    subjects: Vec<Subject>,
) -> Vec<Manifest> {
    vec![
        Manifest::Role(Role {
            metadata: object_meta(name, Some(ns), labels(part_of, "rbac", None)),
            rules: Some(rules),
        }),
        Manifest::RoleBinding(RoleBinding {
            metadata: object_meta(name, Some(ns), labels(part_of, "rbac", None)),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_string(),
                kind: "Role".to_string(),
                name: name.to_string(),
            },
            subjects: Some(subjects),
        }),
    ]
}

/// The Role and RoleBinding that let `owners` manage Models, Pipelines and Experiments in
/// `ns` (with `rules`: [`seldon_editor_rules`], or [`confined_owner_rules`] for an
/// application that shares its namespace) and read its Servers and SeldonRuntime; nothing
/// else, no wildcards.
pub fn owner_rbac(
    role_name: &str,
    ns: &str,
    part_of: &str,
    owners: &[String],
    rules: Vec<PolicyRule>,
) -> Vec<Manifest> {
    if owners.is_empty() {
        return Vec::new();
    }
    let subjects = owners
        .iter()
        .filter_map(|o| Owner::parse(o))
        .map(|owner| Subject {
            kind: owner.kind().to_string(),
            name: owner.name().to_string(),
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            namespace: None,
        })
        .collect();
    role_and_binding(role_name, ns, part_of, rules, subjects)
}
