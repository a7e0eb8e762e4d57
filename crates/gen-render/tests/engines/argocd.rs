//! Argo CD, as it decides: project whitelists, destinations and sources (argo-cd
//! `pkg/apis/application/v1alpha1/app_project_types.go`), sync waves, deletion order.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use gen_render::Bundle;
use serde_json::{Value, json};

use super::*;

/// Go's `filepath.Match` for the patterns a whitelist may hold: `*` and `?` (gen writes
/// no character classes; one would fail here).
pub fn glob(pattern: &str, value: &str) -> bool {
    assert!(!pattern.contains('['), "character class in {pattern}");
    fn m(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some('*'), _) => m(&p[1..], v) || (!v.is_empty() && v[0] != '/' && m(p, &v[1..])),
            (Some('?'), Some(c)) if *c != '/' => m(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &v[1..]),
            _ => false,
        }
    }
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    m(&p, &v)
}

pub fn in_list(list: &Value, group: &str, kind: &str, name: Option<&str>) -> bool {
    list.as_array().unwrap().iter().any(|item| {
        glob(item["kind"].as_str().unwrap(), kind)
            && glob(item["group"].as_str().unwrap(), group)
            && match (item["name"].as_str(), name) {
                (None | Some(""), _) => true,
                (Some(p), Some(n)) => glob(p, n),
                (Some(_), None) => false,
            }
    })
}

/// `IsGroupKindNamePermitted`: an absent namespace whitelist admits every namespaced
/// kind, a present one only what it lists (an empty one nothing); cluster-scoped kinds
/// need the cluster whitelist; blacklists deny.
pub fn kind_permitted(
    project: &Value,
    group: &str,
    kind: &str,
    name: &str,
    namespaced: bool,
) -> bool {
    let spec = &project["spec"];
    let (white, black) = if namespaced {
        (
            &spec["namespaceResourceWhitelist"],
            &spec["namespaceResourceBlacklist"],
        )
    } else {
        (
            &spec["clusterResourceWhitelist"],
            &spec["clusterResourceBlacklist"],
        )
    };
    let name = (!namespaced).then_some(name);
    let whitelisted = if namespaced && white.is_null() {
        true
    } else {
        white.as_array().is_some_and(|l| !l.is_empty()) && in_list(white, group, kind, name)
    };
    let blacklisted =
        black.as_array().is_some_and(|l| !l.is_empty()) && in_list(black, group, kind, name);
    whitelisted && !blacklisted
}

/// `isDestinationMatched` for gen's destinations (server + namespace, no deny patterns).
pub fn destination_permitted(project: &Value, server: &str, namespace: &str) -> bool {
    project["spec"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| {
            assert!(
                !d.to_string().contains('!'),
                "deny patterns are not modelled"
            );
            d["server"]
                .as_str()
                .is_some_and(|s| s == "*" || glob(s, server))
                && glob(d["namespace"].as_str().unwrap(), namespace)
        })
}

pub fn source_permitted(project: &Value, repo: &str) -> bool {
    project["spec"]["sourceRepos"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "*" || r.as_str() == Some(repo))
}

pub fn wave(o: &Value) -> i64 {
    o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        .as_str()
        .map_or(0, |w| w.parse().unwrap())
}

pub fn by_name<'a>(objs: &'a [(String, Value)], kind: &str) -> BTreeMap<String, &'a Value> {
    objs.iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| (o["metadata"]["name"].as_str().unwrap().to_string(), o))
        .collect()
}

/// The kinds the Seldon charts render (seldon-core v2.10.2 `k8s/helm-charts/`): the CRDs
/// chart only CRDs; the setup chart the controller's namespaced objects, plus a ClusterRole
/// and ClusterRoleBinding when clusterwide or watching namespaces
/// (`seldon-core-v2-setup/templates/_components-statefulsets.tpl`).
pub fn chart_objects(spec: &Value) -> Vec<Value> {
    let ns = spec["destination"]["namespace"].as_str().unwrap();
    let object = |api: &str, kind: &str, namespaced: bool| {
        let mut o = json!({"apiVersion": api, "kind": kind, "metadata": {"name": "chart-object"}});
        if namespaced {
            o["metadata"]["namespace"] = json!(ns);
        }
        o
    };
    match spec["source"]["chart"].as_str().unwrap() {
        "seldon-core-v2-crds" => vec![object(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            false,
        )],
        "seldon-core-v2-setup" => {
            let mut v = vec![
                object("v1", "ConfigMap", true),
                object("v1", "ServiceAccount", true),
                object("apps/v1", "Deployment", true),
                object("rbac.authorization.k8s.io/v1", "Role", true),
                object("rbac.authorization.k8s.io/v1", "RoleBinding", true),
                object("mlops.seldon.io/v1alpha1", "SeldonConfig", true),
                object("mlops.seldon.io/v1alpha1", "ServerConfig", true),
            ];
            let values = &spec["source"]["helm"]["valuesObject"]["controller"];
            if values["clusterwide"] == true || values["watchNamespaces"].is_array() {
                v.push(object("rbac.authorization.k8s.io/v1", "ClusterRole", false));
                v.push(object(
                    "rbac.authorization.k8s.io/v1",
                    "ClusterRoleBinding",
                    false,
                ));
            }
            v
        }
        other => panic!("unknown chart {other}"),
    }
}

/// Argo CD's cascade deletion of the root Application: the highest wave of what remains is
/// deleted, and the next only once it is gone (`FilterObjectsForDeletion`). Returns the
/// waves in deletion order with the kinds their Applications hold.
pub fn deletion_order(bundle: &Bundle) -> Vec<(i64, BTreeSet<String>)> {
    let objs = objects(bundle);
    let mut by_wave: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (path, o) in objs.iter().filter(|(p, _)| p.starts_with("argocd/")) {
        let kinds = by_wave.entry(wave(o)).or_default();
        match o["kind"].as_str().unwrap() {
            "AppProject" => {
                kinds.insert("AppProject".to_string());
            }
            "Application" => match o["spec"]["source"]["path"].as_str() {
                Some(p) => {
                    let folder = folder_of(bundle, &format!("out/{}", bundle.name), p);
                    kinds.extend(
                        build(bundle, &folder)
                            .iter()
                            .map(|x| x["kind"].as_str().unwrap().to_string()),
                    );
                }
                None => {
                    kinds.insert(format!("chart {}", o["spec"]["source"]["chart"]));
                }
            },
            other => panic!("{path}: {other} in argocd/"),
        }
    }
    by_wave.into_iter().rev().collect()
}
