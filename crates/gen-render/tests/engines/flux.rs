//! Flux, as it decides: checkouts, health expressions, dependsOn, and what each service
//! account's RBAC lets it apply (with Kubernetes' escalation check).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use gen_render::Bundle;
use serde_json::{Value, json};

use super::*;

/// What source-controller checks out for a GitRepository ref: commit > name > semver >
/// tag > branch (`api/v1/gitrepository_types.go` GitRepositoryRef), as a full ref or SHA.
pub fn flux_checkout(r: &Value) -> String {
    let set: Vec<&str> = ["branch", "tag", "semver", "name", "commit"]
        .into_iter()
        .filter(|k| !r[*k].is_null())
        .collect();
    assert_eq!(set.len(), 1, "exactly one ref field: {r}");
    if let Some(c) = r["commit"].as_str() {
        c.to_string()
    } else if let Some(n) = r["name"].as_str() {
        n.to_string()
    } else if let Some(t) = r["tag"].as_str() {
        format!("refs/tags/{t}")
    } else {
        format!("refs/heads/{}", r["branch"].as_str().unwrap())
    }
}

pub fn duration_secs(d: &str) -> u64 {
    let (n, unit) = d.split_at(d.len() - 1);
    let n: u64 = n.parse().unwrap();
    match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => panic!("duration {d}"),
    }
}

/// Evaluate a Flux health-check `current` expression on an object as kustomize-controller
/// does: the object's top-level fields are the variables; only `true` is healthy, and an
/// evaluation error (such as a missing field) leaves the object in progress.
pub fn current(expression: &str, object: &Value) -> bool {
    let program = cel::Program::compile(expression).unwrap();
    let mut context = cel::Context::default();
    for (k, v) in object.as_object().unwrap() {
        context.add_variable_from_value(k.clone(), cel::to_value(v).unwrap());
    }
    matches!(program.execute(&context), Ok(cel::Value::Bool(true)))
}

/// `dependsOn` of every Kustomization in flux/, by name.
pub fn flux_graph(bundle: &Bundle) -> BTreeMap<String, (String, Vec<String>)> {
    objects(bundle)
        .iter()
        .filter(|(p, o)| p.starts_with("flux/") && o["kind"] == "Kustomization")
        .map(|(_, o)| {
            let deps = o["spec"]["dependsOn"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|d| d["name"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            (
                o["metadata"]["name"].as_str().unwrap().to_string(),
                (o["spec"]["path"].as_str().unwrap().to_string(), deps),
            )
        })
        .collect()
}

/// Whether the rendered RBAC lets service account `sa` (in flux-system) `verb` the
/// `resource` of `group` in `namespace` (`None`: cluster-scoped), whatever its name.
pub fn allowed(
    objs: &[(String, Value)],
    sa: &str,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: Option<&str>,
) -> bool {
    allowed_named(objs, sa, verb, group, resource, namespace, None)
}

/// [`allowed`] for a request that names object `name` (`None`: a create, list or watch,
/// which the authorizer sees without a name). A rule with `resourceNames` matches only a
/// request for one of them (Kubernetes `rbac/validation` ResourceNameMatches).
pub fn allowed_named(
    objs: &[(String, Value)],
    sa: &str,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: Option<&str>,
    name: Option<&str>,
) -> bool {
    let subject = |b: &Value| {
        b["subjects"].as_array().is_some_and(|s| {
            s.iter().any(|s| {
                s["kind"] == "ServiceAccount" && s["name"] == sa && s["namespace"] == "flux-system"
            })
        })
    };
    let rule_allows = |rules: &Value| {
        rules.as_array().is_some_and(|rules| {
            rules.iter().any(|r| {
                let has = |k: &str, v: &str| {
                    r[k].as_array()
                        .is_some_and(|a| a.iter().any(|x| x == v || x == "*"))
                };
                let names = r["resourceNames"].as_array().filter(|a| !a.is_empty());
                let named = match names {
                    None => true,
                    Some(names) => name.is_some_and(|n| names.iter().any(|x| x == n)),
                };
                has("apiGroups", group) && has("resources", resource) && has("verbs", verb) && named
            })
        })
    };
    let cluster_role = |name: &str| {
        // cluster-admin is Kubernetes' own; other ClusterRoles must be rendered.
        name == "cluster-admin"
            || objs.iter().any(|(_, o)| {
                o["kind"] == "ClusterRole"
                    && o["metadata"]["name"] == name
                    && rule_allows(&o["rules"])
            })
    };
    let by_cluster = objs.iter().any(|(_, b)| {
        b["kind"] == "ClusterRoleBinding"
            && subject(b)
            && b["roleRef"]["kind"] == "ClusterRole"
            && cluster_role(b["roleRef"]["name"].as_str().unwrap())
    });
    let by_namespace = namespace.is_some_and(|ns| {
        objs.iter().any(|(_, b)| {
            b["kind"] == "RoleBinding"
                && b["metadata"]["namespace"] == ns
                && subject(b)
                && objs.iter().any(|(_, r)| {
                    r["kind"] == b["roleRef"]["kind"]
                        && r["metadata"]["name"] == b["roleRef"]["name"]
                        && r["metadata"]["namespace"] == ns
                        && rule_allows(&r["rules"])
                })
        })
    });
    by_cluster || by_namespace
}

/// The rules of the setup chart's manager Role (and clusterwide ClusterRole), as
/// seldon-core v2.10.2 `k8s/helm-charts/seldon-core-v2-setup/templates/
/// _components-statefulsets.tpl` writes them, API group `v1` included.
pub fn manager_rules() -> Value {
    let write = json!([
        "create", "delete", "get", "list", "patch", "update", "watch"
    ]);
    let seldon = [
        "experiments",
        "models",
        "pipelines",
        "seldonconfigs",
        "seldonruntimes",
        "serverconfigs",
        "servers",
    ];
    let sub = |s: &str| {
        json!(
            seldon
                .iter()
                .map(|r| format!("{r}/{s}"))
                .collect::<Vec<_>>()
        )
    };
    json!([
        {"apiGroups": [""], "resources": ["configmaps", "secrets", "serviceaccounts", "services"], "verbs": write},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
        {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": write},
        {"apiGroups": ["apps"], "resources": ["deployments/status", "statefulsets/status"], "verbs": ["get"]},
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]},
        {"apiGroups": ["mlops.seldon.io"], "resources": seldon, "verbs": write},
        {"apiGroups": ["mlops.seldon.io"], "resources": sub("finalizers"), "verbs": ["update"]},
        {"apiGroups": ["mlops.seldon.io"], "resources": sub("status"), "verbs": ["get", "patch", "update"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"], "verbs": write},
        {"apiGroups": ["v1"], "resources": ["serviceaccounts", "services"], "verbs": write},
        {"apiGroups": ["v1"], "resources": ["services/status"], "verbs": ["get"]}
    ])
}

/// What a HelmRelease makes helm-controller do as its service account: the chart's
/// objects (with the rules of its Roles) in the target namespace, the release Secret in the
/// storage namespace, and for a Deployment the ReplicaSets Helm's wait reads.
pub fn release_objects(hr: &Value) -> Vec<Value> {
    let spec = &hr["spec"];
    let hr_ns = hr["metadata"]["namespace"].as_str().unwrap();
    let target = spec["targetNamespace"].as_str().unwrap_or(hr_ns);
    let storage = spec["storageNamespace"].as_str().unwrap_or(hr_ns);
    let o = |api: &str, kind: &str, ns: Option<&str>| {
        let mut o = json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}});
        if let Some(ns) = ns {
            o["metadata"]["namespace"] = json!(ns);
        }
        o
    };
    let mut out = vec![o("v1", "Secret", Some(storage))];
    match spec["chart"]["spec"]["chart"].as_str().unwrap() {
        "seldon-core-v2-crds" => out.push(o(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            None,
        )),
        "seldon-core-v2-setup" => {
            let role = |rules: Value, cluster: bool| {
                let mut r = o(
                    "rbac.authorization.k8s.io/v1",
                    if cluster { "ClusterRole" } else { "Role" },
                    (!cluster).then_some(target),
                );
                r["rules"] = rules;
                r
            };
            let write = json!([
                "create", "delete", "get", "list", "patch", "update", "watch"
            ]);
            out.extend([
                o("v1", "ServiceAccount", Some(target)),
                o("v1", "ConfigMap", Some(target)),
                o("apps/v1", "Deployment", Some(target)),
                o("apps/v1", "ReplicaSet", Some(target)),
                o("mlops.seldon.io/v1alpha1", "SeldonConfig", Some(target)),
                o("mlops.seldon.io/v1alpha1", "ServerConfig", Some(target)),
                o("rbac.authorization.k8s.io/v1", "RoleBinding", Some(target)),
                role(manager_rules(), false),
                role(
                    json!([
                        {"apiGroups": [""], "resources": ["configmaps"], "verbs": write},
                        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": write},
                        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}
                    ]),
                    false,
                ),
                role(
                    json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}]),
                    false,
                ),
            ]);
            let values = &spec["values"]["controller"];
            if values["clusterwide"] == true || values["watchNamespaces"].is_array() {
                out.push(role(manager_rules(), true));
                out.push(o(
                    "rbac.authorization.k8s.io/v1",
                    "ClusterRoleBinding",
                    None,
                ));
            }
        }
        other => panic!("unknown chart {other}"),
    }
    out
}

/// The plural of a kind, as RBAC names it.
pub fn plural(o: &Value) -> String {
    info(o).plural.clone()
}

/// Kubernetes' escalation check (`ConfirmNoEscalation`): whoever creates a Role or
/// ClusterRole must hold each of its rules where it applies.
pub fn holds_rules(objs: &[(String, Value)], sa: &str, role: &Value) -> Vec<String> {
    let ns = role["metadata"]["namespace"].as_str();
    let mut missing = Vec::new();
    for r in role["rules"].as_array().unwrap() {
        // A rule that names objects is held when the holder may act on each of them.
        let names: Vec<Option<&str>> = match r["resourceNames"].as_array() {
            Some(names) if !names.is_empty() => names.iter().map(|n| n.as_str()).collect(),
            _ => vec![None],
        };
        for g in r["apiGroups"].as_array().unwrap() {
            for res in r["resources"].as_array().unwrap() {
                for v in r["verbs"].as_array().unwrap() {
                    for name in &names {
                        let (g, res, v) = (
                            g.as_str().unwrap(),
                            res.as_str().unwrap(),
                            v.as_str().unwrap(),
                        );
                        if !allowed_named(objs, sa, v, g, res, ns, *name) {
                            missing.push(format!("{v} {g}/{res} {name:?} in {ns:?}"));
                        }
                    }
                }
            }
        }
    }
    missing
}

/// Every (resource, namespace) an account may create, over every kind known and every
/// namespace of the bundle plus three others (`None`: cluster-scoped).
pub fn flux_write_set(objs: &[(String, Value)], sa: &str) -> BTreeSet<(String, Option<String>)> {
    let mut namespaces: BTreeSet<String> = objs
        .iter()
        .filter_map(|(_, o)| o["metadata"]["namespace"].as_str().map(str::to_string))
        .collect();
    namespaces.extend(["default", "kube-system", "elsewhere"].map(str::to_string));
    let mut out = BTreeSet::new();
    for ((group, _), k) in kind_table() {
        let resource = format!("{}/{}", group, k.plural);
        if k.namespaced {
            for ns in &namespaces {
                if allowed(objs, sa, "create", group, &k.plural, Some(ns)) {
                    out.insert((resource.clone(), Some(ns.clone())));
                }
            }
        } else if allowed(objs, sa, "create", group, &k.plural, None) {
            out.insert((resource, None));
        }
    }
    out
}

/// Every (kind, namespace) an Argo CD project admits, over every kind known (`None`:
/// cluster-scoped).
pub fn argocd_write_set(project: &Value) -> BTreeSet<(String, Option<String>)> {
    let destinations: Vec<String> = project["spec"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["namespace"].as_str().unwrap().to_string())
        .collect();
    let mut out = BTreeSet::new();
    for ((group, kind), k) in kind_table() {
        if !kind_permitted(project, group, kind, "any-name", k.namespaced) {
            continue;
        }
        let resource = format!("{group}/{}", k.plural);
        if k.namespaced {
            for ns in &destinations {
                out.insert((resource.clone(), Some(ns.clone())));
            }
        } else {
            out.insert((resource, None));
        }
    }
    out
}

pub fn app_kinds_in(ns: &str) -> BTreeSet<(String, Option<String>)> {
    ["experiments", "models", "pipelines"]
        .iter()
        .map(|r| (format!("mlops.seldon.io/{r}"), Some(ns.to_string())))
        .collect()
}

pub fn bundle_controller_ns(objs: &[(String, Value)]) -> String {
    let setup = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
    setup.1["spec"]["targetNamespace"]
        .as_str()
        .or(setup.1["spec"]["destination"]["namespace"].as_str())
        .unwrap()
        .to_string()
}
