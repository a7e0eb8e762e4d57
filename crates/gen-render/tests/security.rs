//! Secure by default, proven per pattern from the rendered objects: runtime services
//! inside the cluster, hodometer off, default-deny NetworkPolicies with only Seldon's
//! flows, no cross-tenant traffic, Pod Security labels, least-privilege RBAC, quotas, and
//! no secret material.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use gen_render::{Bundle, render_profile};
use serde_json::Value;

fn of_kind<'a>(objs: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    objs.iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| o)
        .collect()
}

fn ns(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}

fn policies_in<'a>(objs: &'a [(String, Value)], namespace: &str) -> BTreeMap<String, &'a Value> {
    of_kind(objs, "NetworkPolicy")
        .into_iter()
        .filter(|p| ns(p) == namespace)
        .map(|p| (p["metadata"]["name"].as_str().unwrap().to_string(), p))
        .collect()
}

/// (controller namespace, allowed client namespaces, monitoring namespace) per example.
fn bundles() -> Vec<(Bundle, &'static str, Vec<&'static str>)> {
    vec![
        (
            render_profile(&example("single-team")).unwrap(),
            "seldon-system",
            vec!["ingress-nginx", "monitoring"],
        ),
        (
            render_profile(&example("multi-tenant")).unwrap(),
            "seldon-tenancy",
            vec!["payments", "monitoring"],
        ),
    ]
}

#[test]
fn runtimes_keep_scheduler_and_envoy_inside_and_hodometer_off() {
    for (bundle, _, _) in bundles() {
        for rt in of_kind(&objects(&bundle), "SeldonRuntime") {
            let overrides: BTreeMap<&str, &Value> = rt["spec"]["overrides"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| (o["name"].as_str().unwrap(), o))
                .collect();
            assert_eq!(overrides["seldon-scheduler"]["serviceType"], "ClusterIP");
            assert_eq!(overrides["seldon-envoy"]["serviceType"], "ClusterIP");
            assert_eq!(overrides["hodometer"]["disable"], true);
        }
    }
}

/// Every namespace with Seldon objects, and the controller's, starts from deny; which
/// flows the policies then allow is proven in `tests/network/`.
#[test]
fn every_seldon_namespace_denies_by_default() {
    for (bundle, controller_ns, _) in bundles() {
        let objs = objects(&bundle);
        let mut namespaces: BTreeSet<&str> = objs
            .iter()
            .filter(|(_, o)| o["apiVersion"] == "mlops.seldon.io/v1alpha1")
            .map(|(_, o)| ns(o))
            .collect();
        assert!(!namespaces.is_empty());
        namespaces.insert(controller_ns);
        let deny_egress = bundle.name == "multi-tenant";
        for namespace in &namespaces {
            let policies = policies_in(&objs, namespace);
            for (direction, on) in [("Ingress", true), ("Egress", deny_egress)] {
                let name = format!("default-deny-{}", direction.to_ascii_lowercase());
                let Some(deny) = policies.get(&name) else {
                    assert!(!on, "{}: {namespace} has no {name}", bundle.name);
                    continue;
                };
                assert!(on, "{}: {namespace} has {name}", bundle.name);
                assert_eq!(deny["spec"]["podSelector"], serde_json::json!({}));
                assert_eq!(deny["spec"]["policyTypes"], serde_json::json!([direction]));
                assert!(deny["spec"].get("ingress").is_none());
                assert!(deny["spec"].get("egress").is_none());
            }
        }
    }
}

#[test]
fn namespaces_enforce_pod_security_and_tenants_have_quota() {
    for (bundle, _, _) in bundles() {
        let objs = objects(&bundle);
        for n in of_kind(&objs, "Namespace") {
            assert_eq!(
                n["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
                "baseline"
            );
            assert_eq!(
                n["metadata"]["labels"]["pod-security.kubernetes.io/warn"],
                "restricted"
            );
        }
        let runtimes: BTreeSet<&str> = of_kind(&objs, "SeldonRuntime")
            .into_iter()
            .map(ns)
            .collect();
        if bundle.name == "multi-tenant" {
            for r in &runtimes {
                assert!(
                    of_kind(&objs, "ResourceQuota").iter().any(|q| ns(q) == *r),
                    "{r} quota"
                );
                assert!(
                    of_kind(&objs, "LimitRange").iter().any(|q| ns(q) == *r),
                    "{r} limit range"
                );
            }
        }
    }
}

#[test]
fn rbac_is_least_privilege_without_wildcards() {
    for (bundle, profile) in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .map(|p| {
            (
                render_profile(&p).unwrap(),
                gen_profile::load_file(&p).unwrap().profile,
            )
        })
    {
        let objs = objects(&bundle);
        // The kinds the profile admits for the applications' templates (templates.admit.apps),
        // which the application reconciler applies and prunes too.
        let admitted: Vec<(String, String)> = profile
            .templates
            .iter()
            .flat_map(|t| &t.admit.apps)
            .map(|entry| {
                let (group, kind) = entry.rsplit_once('/').unwrap_or(("", entry));
                (group.to_string(), format!("{}s", kind.to_ascii_lowercase()))
            })
            .collect();
        // No wildcard in any Role or ClusterRole; the GitOps accounts' grants (bootstrap/)
        // are proven rule by rule in tests/gitops_accounts.rs.
        for (_, role) in objs
            .iter()
            .filter(|(_, o)| o["kind"] == "Role" || o["kind"] == "ClusterRole")
        {
            for rule in role["rules"].as_array().unwrap() {
                for key in ["apiGroups", "resources", "verbs"] {
                    assert!(
                        !rule[key]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|v| v.as_str().unwrap().contains('*')),
                        "{}: {role}",
                        bundle.name
                    );
                }
            }
        }
        // The Roles of the workload folders (owner and application-reconciler Roles) write
        // Models, Pipelines and Experiments and read the Seldon kinds; nothing else.
        for (_, role) in objs.iter().filter(|(p, o)| {
            o["kind"] == "Role" && !p.starts_with("bootstrap/") && !p.starts_with("flux/")
        }) {
            for rule in role["rules"].as_array().unwrap() {
                if rule["apiGroups"] != serde_json::json!(["mlops.seldon.io"]) {
                    // Only an application reconciler's Role (one per application where
                    // applications share a namespace), and only an admitted kind.
                    let name = role["metadata"]["name"].as_str().unwrap();
                    assert!(
                        name.ends_with("-reconciler") || name.starts_with("flux-app-"),
                        "{role}"
                    );
                    let group = rule["apiGroups"][0].as_str().unwrap().to_string();
                    for r in rule["resources"].as_array().unwrap() {
                        let pair = (group.clone(), r.as_str().unwrap().to_string());
                        assert!(admitted.contains(&pair), "{role}: {pair:?}");
                    }
                    continue;
                }
                let writes = rule["verbs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| !["get", "list", "watch"].contains(&v.as_str().unwrap()));
                if writes {
                    // All three, or (a rule naming one application's objects) one of them.
                    let resources = rule["resources"].as_array().unwrap();
                    assert!(
                        !resources.is_empty()
                            && resources.iter().all(|r| {
                                ["experiments", "models", "pipelines"]
                                    .contains(&r.as_str().unwrap())
                            }),
                        "{role}"
                    );
                    assert!(
                        resources.len() == 3 || rule["resourceNames"].is_array(),
                        "{role}"
                    );
                }
            }
        }
        // No secret material in git: the only Secret is Seldon's rclone remote for public
        // GCS buckets, read anonymously.
        for secret in of_kind(&objs, "Secret") {
            assert_eq!(secret["metadata"]["name"], "seldon-rclone-gs-public");
            let secret: k8s_openapi::api::core::v1::Secret =
                serde_json::from_value(secret.clone()).unwrap();
            let data = secret.data.unwrap();
            let remote: serde_json::Value = serde_json::from_slice(&data["gs"].0).unwrap();
            assert_eq!(
                remote["parameters"],
                serde_json::json!({"anonymous": "true"}),
                "no credential"
            );
        }
    }
}

#[test]
fn dedicated_tenants_get_their_own_gitops_identity() {
    let flux = render_profile(&example("multi-tenant")).unwrap();
    let objs = objects(&flux);
    for (tenant, namespace, app) in [
        ("fraud", "fraud-inference", "fraud-detection"),
        ("vision", "vision-inference", "image-classification"),
    ] {
        let sa = format!("multi-tenant-tenant-{tenant}");
        assert!(
            of_kind(&objs, "ServiceAccount")
                .iter()
                .any(|s| s["metadata"]["name"] == sa.as_str())
        );
        let binding = of_kind(&objs, "RoleBinding")
            .into_iter()
            .find(|b| b["metadata"]["name"] == "flux-tenant-reconciler" && ns(b) == namespace)
            .unwrap();
        assert_eq!(binding["subjects"][0]["name"], sa.as_str());
        let k = of_kind(&objs, "Kustomization")
            .into_iter()
            .find(|k| k["metadata"]["name"] == format!("multi-tenant-app-{app}").as_str())
            .unwrap();
        assert_eq!(k["spec"]["serviceAccountName"], sa.as_str());
    }
    let argo = render_profile(&test_profile("dedicated-argocd")).unwrap();
    let projects: Vec<String> = of_kind(&objects(&argo), "AppProject")
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        projects.contains(&"dedicated-argocd-tenant-fraud".to_string())
            && projects.contains(&"dedicated-argocd-tenant-vision".to_string())
    );
}

#[test]
fn opt_outs_are_honoured() {
    let text = std::fs::read_to_string(example("single-team"))
        .unwrap()
        .replace("security:\n", "security:\n  networkPolicies: false\n  podSecurity: privileged\n")
        .replace("      - name: seldon-envoy\n        replicas: 2\n", "      - name: seldon-envoy\n        replicas: 2\n        serviceType: LoadBalancer\n      - name: hodometer\n        disable: false\n");
    let bundle = gen_render::render_loaded(&gen_profile::parse("p.yaml", &text).unwrap()).unwrap();
    let objs = objects(&bundle);
    assert!(of_kind(&objs, "NetworkPolicy").is_empty());
    assert_eq!(
        of_kind(&objs, "Namespace")[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );
    let rt = of_kind(&objs, "SeldonRuntime")[0];
    let overrides = rt["spec"]["overrides"].as_array().unwrap();
    assert!(
        overrides
            .iter()
            .any(|o| o["name"] == "seldon-envoy" && o["serviceType"] == "LoadBalancer")
    );
    assert!(
        overrides
            .iter()
            .any(|o| o["name"] == "hodometer" && o["disable"] == false)
    );
}

#[test]
fn credentials_are_refused() {
    let base = std::fs::read_to_string(example("single-team")).unwrap();
    let report = gen_profile::parse(
        "p.yaml",
        &base.replace("secretName: fin-models-reader", "password: hunter2"),
    )
    .unwrap_err();
    assert_eq!(report.diagnostics[0].code(), "credential");
    assert_eq!(
        report.diagnostics[0].path,
        "applications[0].models[2].password"
    );
    let with_param = base.replace(
        "secretName: fin-models-reader",
        "parameters: [{name: api_token, value: abc}]",
    );
    let report =
        gen_render::render_loaded(&gen_profile::parse("p.yaml", &with_param).unwrap()).unwrap_err();
    assert_eq!(report.diagnostics[0].code(), "parameter-credential");
    assert_eq!(
        report.diagnostics[0].message,
        "Model \"risk-scorer\" parameter \"api_token\" looks like a credential; its value would be committed to git in the rendered bundle"
    );
    let report = gen_render::render_loaded(
        &gen_profile::parse(
            "p.yaml",
            &base.replace("gs://fin-models/risk-scorer/v3", "s3://AKIA:x@b/p"),
        )
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(report.diagnostics[0].code(), "storage-credentials");
    assert!(
        !report.render(gen_profile::Style::Plain).contains("AKIA"),
        "the credential is not echoed"
    );
}
