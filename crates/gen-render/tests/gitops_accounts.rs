//! What each GitOps identity may write: every Flux Kustomization and HelmRelease applies
//! only what its service account's RBAC admits (and may create only Roles it holds); per
//! Application or Kustomization the kinds and namespaces it may write, the application
//! layer only Models, Pipelines and Experiments in its own namespace; the CRDs survive.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;
mod engines;

use std::collections::BTreeSet;

use camino::Utf8PathBuf;
use gen_render::{Bundle, render_profile};
use serde_json::json;

use common::*;
use engines::*;

#[test]
fn flux_every_object_is_applied_within_its_service_accounts_rbac() {
    const APPLY: [&str; 6] = ["create", "patch", "get", "list", "watch", "delete"];
    for bundle in engine_bundles("flux") {
        let repo_dir = format!("out/{}", bundle.name);
        let objs = objects(&bundle);
        for (_, o) in &objs {
            // A rule that names objects never grants create, list or watch: the
            // authorizer sees those requests without a name, so the rule would not apply.
            for r in o["rules"].as_array().into_iter().flatten() {
                if r.get("resourceNames").is_some() {
                    for v in r["verbs"].as_array().unwrap() {
                        assert!(
                            !["create", "list", "watch", "deletecollection"]
                                .contains(&v.as_str().unwrap()),
                            "{}: a named rule grants {v}: {r}",
                            bundle.name
                        );
                    }
                }
            }
        }
        let accounts: BTreeSet<&str> = objs
            .iter()
            .filter(|(_, o)| {
                o["kind"] == "ServiceAccount" && o["metadata"]["namespace"] == "flux-system"
            })
            .map(|(_, o)| o["metadata"]["name"].as_str().unwrap())
            .collect();
        let mut checked = 0;
        for (path, o) in &objs {
            let kind = o["kind"].as_str().unwrap();
            if kind != "Kustomization" && kind != "HelmRelease" {
                continue;
            }
            let sa = o["spec"]["serviceAccountName"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no serviceAccountName"));
            assert!(
                accounts.contains(sa),
                "{path}: service account {sa} is not rendered"
            );
            let applied = if kind == "HelmRelease" {
                release_objects(o)
            } else {
                build(
                    &bundle,
                    &folder_of(&bundle, &repo_dir, o["spec"]["path"].as_str().unwrap()),
                )
            };
            for x in &applied {
                let group = group_of(x["apiVersion"].as_str().unwrap());
                let namespaced = info(x).namespaced;
                let ns = namespaced.then(|| x["metadata"]["namespace"].as_str().unwrap());
                let verbs: &[&str] = if x["kind"] == "ReplicaSet" {
                    &["get", "list", "watch"]
                } else {
                    &APPLY
                };
                let name = x["metadata"]["name"].as_str();
                for verb in verbs {
                    let named = !["create", "list", "watch"].contains(verb);
                    assert!(
                        allowed_named(
                            &objs,
                            sa,
                            verb,
                            group,
                            &plural(x),
                            ns,
                            name.filter(|_| named)
                        ),
                        "{}: {sa} may not {verb} {group}/{} in {ns:?} ({path})",
                        bundle.name,
                        plural(x)
                    );
                }
                if x["kind"] == "Role" || x["kind"] == "ClusterRole" {
                    let missing = holds_rules(&objs, sa, x);
                    assert!(
                        missing.is_empty(),
                        "{}: {sa} may not grant {missing:?} ({path})",
                        bundle.name
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 30, "{}: {checked}", bundle.name);
    }
}

#[test]
fn each_layer_may_write_only_its_kinds_in_its_namespaces() {
    for bundle in all_bundles() {
        let objs = objects(&bundle);
        let admitted_apps = profile_of(&bundle)
            .templates
            .map(|t| t.admit.apps)
            .unwrap_or_default();
        let argocd = bundle.files.keys().any(|k| k.starts_with("argocd/"));
        let projects = by_name(&objs, "AppProject");
        let runtime_namespaces: BTreeSet<String> = objs
            .iter()
            .filter(|(_, o)| o["kind"] == "SeldonRuntime")
            .map(|(_, o)| o["metadata"]["namespace"].as_str().unwrap().to_string())
            .collect();
        let mut apps = 0;
        for (path, o) in &objs {
            let (layer_path, writes, who) = match o["kind"].as_str().unwrap() {
                "Application" if argocd => {
                    let project = projects[o["spec"]["project"].as_str().unwrap()];
                    (
                        o["spec"]["source"]["path"].as_str(),
                        argocd_write_set(project),
                        o["spec"]["project"].to_string(),
                    )
                }
                "Kustomization" if !argocd && path.starts_with("flux/") => {
                    let sa = o["spec"]["serviceAccountName"].as_str().unwrap();
                    (
                        o["spec"]["path"].as_str(),
                        flux_write_set(&objs, sa),
                        sa.to_string(),
                    )
                }
                _ => continue,
            };
            let Some(layer_path) = layer_path else {
                continue;
            };
            let folder = folder_of(&bundle, &format!("out/{}", bundle.name), layer_path);
            // Nobody but the bootstrap creates Namespaces, except Argo CD's platform project.
            let creates_namespaces = writes.contains(&("/namespaces".to_string(), None));
            let cluster: Vec<_> = writes.iter().filter(|(_, ns)| ns.is_none()).collect();
            if folder.starts_with("apps/") {
                apps += 1;
                let ns = build(&bundle, &folder)[0]["metadata"]["namespace"]
                    .as_str()
                    .unwrap()
                    .to_string();
                // Models, Pipelines, Experiments, and the kinds the profile admits for the
                // applications' templates.
                let mut expected = app_kinds_in(&ns);
                for entry in admitted_apps.iter() {
                    let (group, kind) = entry.rsplit_once('/').unwrap_or(("", entry));
                    let k = &kind_table()[&(group.to_string(), kind.to_string())];
                    expected.insert((format!("{group}/{}", k.plural), Some(ns.clone())));
                }
                assert_eq!(writes, expected, "{}: {path} ({who})", bundle.name);
            } else if folder == "platform" || folder.starts_with("tenants/") {
                // The platform layer: only the bundle's namespaces; cluster-wide only the
                // Namespaces (Argo CD), CRDs and the controller's ClusterRole (the charts),
                // and the admission policies that confine applications sharing a namespace.
                // Where a Kafka cluster's operators watch, the platform writes the tenants'
                // KafkaUsers and KafkaTopics: only those with Flux; with Argo CD, whose
                // project whitelists kinds for all its destinations at once, the platform
                // project's kinds.
                let kafka_ns = profile_of(&bundle).integrations.kafka.map(|k| k.namespace);
                for (resource, ns) in &writes {
                    match ns {
                        Some(ns) if kafka_ns.as_ref() == Some(ns) => assert!(
                            argocd || resource.starts_with("kafka.strimzi.io/kafka"),
                            "{}: {path} may write {resource} in {ns}",
                            bundle.name
                        ),
                        Some(ns) => assert!(
                            ns == &bundle_controller_ns(&objs) || runtime_namespaces.contains(ns),
                            "{}: {path} may write {resource} in {ns}",
                            bundle.name
                        ),
                        // The admission policies of shared namespaces, with either engine.
                        None if resource.starts_with(
                            "admissionregistration.k8s.io/validatingadmissionpolic",
                        ) => {}
                        None => assert!(
                            argocd
                                && [
                                    "/namespaces",
                                    "apiextensions.k8s.io/customresourcedefinitions",
                                    "rbac.authorization.k8s.io/clusterroles",
                                    "rbac.authorization.k8s.io/clusterrolebindings"
                                ]
                                .contains(&resource.as_str()),
                            "{}: {path} may write {resource} cluster-wide",
                            bundle.name
                        ),
                    }
                }
                assert_eq!(creates_namespaces, argocd, "{}: {path}", bundle.name);
            } else {
                // The root (flux/, argocd/) and flux/install: the engine's namespace only.
                let engine_ns = if argocd { "argocd" } else { "flux-system" };
                assert!(
                    writes
                        .iter()
                        .all(|(_, ns)| ns.as_deref() == Some(engine_ns)),
                    "{}: {path}: {cluster:?} {writes:?}",
                    bundle.name
                );
            }
        }
        assert!(apps >= 2, "{}", bundle.name);
        // Argo CD: only the platform project may create Namespaces or any cluster kind.
        for (name, p) in &projects {
            let w = argocd_write_set(p);
            let cluster = w.iter().any(|(_, ns)| ns.is_none());
            // The platform project is the one the chart Applications (the Seldon install)
            // use, wherever the profile takes the charts from.
            let chart_projects: BTreeSet<&str> = objs
                .iter()
                .filter(|(_, o)| {
                    o["kind"] == "Application" && o["spec"]["source"]["chart"].is_string()
                })
                .map(|(_, o)| o["spec"]["project"].as_str().unwrap())
                .collect();
            let is_platform = chart_projects.contains(name.as_str());
            assert!(
                !cluster || is_platform,
                "{}: project {name} may write cluster kinds",
                bundle.name
            );
        }
    }
}

#[test]
fn flux_crds_are_kept_by_helm_and_do_not_follow_the_platform_namespace() {
    let crd_release = |bundle: &Bundle| {
        objects(bundle)
            .into_iter()
            .map(|(_, o)| o)
            .find(|o| {
                o["kind"] == "HelmRelease"
                    && o["spec"]["chart"]["spec"]["chart"] == "seldon-core-v2-crds"
            })
            .unwrap()
    };
    // A new platform namespace leaves the CRDs release as it is (a new targetNamespace
    // would uninstall it).
    let before = render_profile(&test_profile("shared-flux")).unwrap();
    let after = render_edited(
        &test_profile("shared-flux"),
        &[("namespace: seldon-system", "namespace: seldon-platform")],
        "out",
    )
    .unwrap();
    assert_eq!(crd_release(&before)["spec"], crd_release(&after)["spec"]);
    assert!(crd_release(&before)["spec"]["targetNamespace"].is_null());

    // The post-renderer, applied as kustomize applies it to the chart's output (the
    // upstream CRDs), marks every CRD `helm.sh/resource-policy: keep`, which Helm honours
    // on uninstall and upgrade.
    let Some(kubectl) = kubectl("flux_crds_are_kept_by_helm") else {
        return;
    };
    for bundle in engine_bundles("flux") {
        let release = crd_release(&bundle);
        let dir = tempfile::tempdir().unwrap();
        let dir = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let crds = root().join("../shared/reference/seldon-core-v2.10.2/crds");
        let mut resources = Vec::new();
        for entry in crds.read_dir_utf8().unwrap() {
            let path = entry.unwrap().path().to_path_buf();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
            resources.push(path.file_name().unwrap().to_string());
        }
        resources.sort();
        let mut patches = Vec::new();
        for pr in release["spec"]["postRenderers"].as_array().unwrap() {
            patches.extend(
                pr["kustomize"]["patches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .cloned(),
            );
        }
        let kustomization = json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": resources, "patches": patches});
        std::fs::write(
            dir.join("kustomization.yaml"),
            serde_json::to_string(&kustomization).unwrap(),
        )
        .unwrap();
        let out = kustomize(&dir);
        assert_eq!(out.len(), 7, "{kubectl}: the seven Seldon CRDs");
        for crd in out {
            assert_eq!(
                crd["metadata"]["annotations"]["helm.sh/resource-policy"], "keep",
                "{}",
                crd["metadata"]["name"]
            );
        }
    }
}
