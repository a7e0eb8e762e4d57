//! The GitOps layer, proven from the rendered objects: every path an Application or
//! Kustomization names is a folder of the bundle, and the order on an empty cluster is
//! Seldon install < SeldonRuntime < Models, for both engines and both patterns.

mod common;

use std::collections::BTreeMap;

use common::*;
use gen_render::{Bundle, render_profile};
use serde_json::Value;

fn all_bundles() -> Vec<Bundle> {
    EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .map(|p| render_profile(&p).unwrap())
        .collect()
}

/// The bundle folder a repository path names, after checking it exists with a kustomization.
fn folder_of(bundle: &Bundle, repo_path: &str) -> String {
    let prefix = format!("out/{}/", bundle.name);
    let folder = repo_path
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{repo_path} is not under {prefix}"));
    assert!(
        bundle
            .files
            .contains_key(&format!("{folder}/kustomization.yaml")),
        "{}: {repo_path} names no folder of the bundle",
        bundle.name
    );
    folder.to_string()
}

/// Kinds of the objects that applying `folder` creates (following kustomization resources).
fn kinds_in(bundle: &Bundle, folder: &str) -> Vec<String> {
    let k: Value =
        serde_saphyr::from_str(&bundle.files[&format!("{folder}/kustomization.yaml")]).unwrap();
    let mut kinds = Vec::new();
    for r in k["resources"].as_array().unwrap() {
        let r = r.as_str().unwrap();
        let path = format!("{folder}/{r}");
        if bundle.files.contains_key(&path) {
            let v: Value = serde_saphyr::from_str(&bundle.files[&path]).unwrap();
            kinds.push(v["kind"].as_str().unwrap().to_string());
        } else {
            kinds.extend(kinds_in(bundle, &path));
        }
    }
    kinds
}

#[test]
fn every_engine_and_pattern_is_wired() {
    let engines: Vec<(String, bool, bool)> = all_bundles()
        .iter()
        .map(|b| {
            (
                b.name.clone(),
                b.files.keys().any(|k| k.starts_with("argocd/")),
                b.files.keys().any(|k| k.starts_with("flux/")),
            )
        })
        .collect();
    assert_eq!(
        engines,
        vec![
            ("single-team".to_string(), true, false),
            ("multi-tenant".to_string(), false, true),
            ("shared-flux".to_string(), false, true),
            ("dedicated-argocd".to_string(), true, false),
        ]
    );
}

#[test]
fn argocd_paths_resolve_and_waves_order_the_layers() {
    for bundle in all_bundles()
        .iter()
        .filter(|b| b.files.keys().any(|k| k.starts_with("argocd/")))
    {
        let mut wave_of_kind: BTreeMap<String, i64> = BTreeMap::new();
        let mut chart_waves = BTreeMap::new();
        let mut root_found = false;
        for (path, o) in objects(bundle) {
            if o["kind"] != "Application" {
                continue;
            }
            assert!(
                o["metadata"]["annotations"]
                    .get("argocd.argoproj.io/tracking-id")
                    .is_none()
            );
            let source = &o["spec"]["source"];
            if path.starts_with("bootstrap/") {
                assert_eq!(
                    folder_of(bundle, source["path"].as_str().unwrap()),
                    "argocd"
                );
                root_found = true;
                continue;
            }
            let wave: i64 = o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            if let Some(chart) = source["chart"].as_str() {
                chart_waves.insert(chart.to_string(), wave);
                continue;
            }
            let folder = folder_of(bundle, source["path"].as_str().unwrap());
            for kind in kinds_in(bundle, &folder) {
                let w = wave_of_kind.entry(kind).or_insert(wave);
                *w = (*w).max(wave);
            }
        }
        assert!(root_found, "{}: a root Application", bundle.name);
        let crds = chart_waves["seldon-core-v2-crds"];
        let setup = chart_waves["seldon-core-v2-setup"];
        let runtime = wave_of_kind["SeldonRuntime"];
        let models = wave_of_kind["Model"];
        assert!(
            crds < setup && setup < runtime && runtime < models,
            "{}: {chart_waves:?} {wave_of_kind:?}",
            bundle.name
        );
        assert!(
            wave_of_kind["Server"] < models
                && wave_of_kind["Pipeline"] >= models
                && wave_of_kind["Experiment"] >= models
        );
    }
}

#[test]
fn argocd_shared_applications_are_confined_to_seldon_kinds() {
    let bundle = render_profile(&example("single-team")).unwrap();
    let objs = objects(&bundle);
    let apps = objs
        .iter()
        .find(|(_, o)| o["metadata"]["name"] == "single-team-apps")
        .unwrap();
    let kinds: Vec<&str> = apps.1["spec"]["namespaceResourceWhitelist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["Experiment", "Model", "Pipeline", "Role", "RoleBinding"]
    );
    assert_eq!(
        apps.1["spec"]["clusterResourceWhitelist"],
        serde_json::json!([])
    );
    for (_, o) in &objs {
        if o["kind"] == "Application"
            && o["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("single-team-app-")
        {
            assert_eq!(o["spec"]["project"], "single-team-apps");
        }
    }
}

#[test]
fn argocd_projects_confine_tenants() {
    let bundle = render_profile(&test_profile("dedicated-argocd")).unwrap();
    let objs = objects(&bundle);
    let projects: BTreeMap<String, &Value> = objs
        .iter()
        .filter(|(_, o)| o["kind"] == "AppProject")
        .map(|(_, o)| (o["metadata"]["name"].as_str().unwrap().to_string(), o))
        .collect();
    let fraud = projects["dedicated-argocd-tenant-fraud"];
    assert_eq!(fraud["spec"]["destinations"].as_array().unwrap().len(), 1);
    assert_eq!(
        fraud["spec"]["destinations"][0]["namespace"],
        "fraud-inference"
    );
    for (_, o) in &objs {
        if o["kind"] == "Application" && o["spec"]["project"].as_str().unwrap().contains("-tenant-")
        {
            let project = projects[o["spec"]["project"].as_str().unwrap()];
            assert_eq!(
                project["spec"]["destinations"][0]["namespace"],
                o["spec"]["destination"]["namespace"]
            );
        }
    }
}

#[test]
fn flux_paths_resolve_and_depends_on_orders_the_layers() {
    for bundle in all_bundles()
        .iter()
        .filter(|b| b.files.keys().any(|k| k.starts_with("flux/")))
    {
        let objs = objects(bundle);
        let mut depends: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut kinds_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, o) in &objs {
            if o["kind"] != "Kustomization" {
                continue;
            }
            let name = o["metadata"]["name"].as_str().unwrap().to_string();
            assert_eq!(o["spec"]["prune"], true);
            let folder = folder_of(bundle, o["spec"]["path"].as_str().unwrap());
            if path.starts_with("bootstrap/") {
                assert_eq!(folder, "flux");
                continue;
            }
            assert_eq!(
                o["spec"]["wait"], true,
                "{name}: the next layer starts when this one is ready"
            );
            kinds_of.insert(name.clone(), kinds_in(bundle, &folder));
            depends.insert(
                name,
                o["spec"]["dependsOn"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|d| d["name"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            );
        }
        // Depth in the dependsOn chain.
        fn depth(n: &str, d: &BTreeMap<String, Vec<String>>) -> usize {
            d[n].iter().map(|p| 1 + depth(p, d)).max().unwrap_or(0)
        }
        let depth_of = |kind: &str| {
            kinds_of
                .iter()
                .filter(|(_, k)| k.iter().any(|x| x == kind))
                .map(|(n, _)| depth(n, &depends))
                .max()
                .unwrap()
        };
        let install = depth_of("HelmRelease");
        assert!(
            install < depth_of("SeldonRuntime") && depth_of("SeldonRuntime") < depth_of("Model"),
            "{}: {depends:?}",
            bundle.name
        );
        // The setup chart waits for the CRDs chart.
        let setup = objs
            .iter()
            .find(|(p, _)| p.ends_with("seldon-core-v2-setup.yaml"))
            .unwrap();
        assert!(
            setup.1["spec"]["dependsOn"][0]["name"]
                .as_str()
                .unwrap()
                .ends_with("seldon-core-v2-crds")
        );
    }
}

#[test]
fn setup_values_follow_the_pattern() {
    for bundle in all_bundles() {
        let objs = objects(&bundle);
        let (_, setup) = objs
            .iter()
            .find(|(p, _)| p.contains("seldon-setup") || p.ends_with("seldon-core-v2-setup.yaml"))
            .unwrap();
        let values = if setup["kind"] == "Application" {
            &setup["spec"]["source"]["helm"]["valuesObject"]
        } else {
            &setup["spec"]["values"]
        };
        let dedicated = bundle.name.contains("tenant") || bundle.name.starts_with("dedicated");
        assert_eq!(
            values["controller"]["clusterwide"], dedicated,
            "{}",
            bundle.name
        );
        if dedicated {
            assert_eq!(
                values["controller"]["watchNamespaces"],
                serde_json::json!(["fraud-inference", "vision-inference"])
            );
        }
    }
}

#[test]
fn fields_the_api_server_defaults_are_written_out() {
    // Defaults from the CRD schemas (Flux, Seldon Pipeline): written explicitly so that the
    // object in git equals the object on the cluster and no permanent diff appears.
    for bundle in all_bundles() {
        for (path, o) in objects(&bundle) {
            let spec = &o["spec"];
            match o["kind"].as_str().unwrap() {
                "Kustomization" => assert_eq!(spec["force"], false, "{path}"),
                "GitRepository" => assert_eq!(spec["timeout"], "60s", "{path}"),
                "HelmRepository" => assert_eq!(spec["provider"], "generic", "{path}"),
                "HelmRelease" => assert_eq!(
                    spec["chart"]["spec"]["reconcileStrategy"], "ChartVersion",
                    "{path}"
                ),
                "Pipeline" => {
                    for step in spec["steps"].as_array().unwrap() {
                        assert_eq!(step["inputsJoinType"], "inner", "{path}");
                    }
                    if !spec["output"].is_null() {
                        assert_eq!(spec["output"]["stepsJoin"], "inner", "{path}");
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn kafka_install_values_come_from_the_profile() {
    let bundle = render_profile(&example("multi-tenant")).unwrap();
    let objs = objects(&bundle);
    let (_, setup) = objs
        .iter()
        .find(|(p, _)| p.ends_with("seldon-core-v2-setup.yaml"))
        .unwrap();
    assert_eq!(
        setup["spec"]["values"]["kafka"],
        serde_json::json!({"bootstrap": "kafka-bootstrap.kafka:9092", "topicPrefix": "seldon", "consumerGroupIdPrefix": "tenancy"})
    );
    // A profile without Pipelines may leave Kafka out.
    let text = std::fs::read_to_string(test_profile("dedicated-argocd")).unwrap();
    let (head, _) = text.split_once("    pipelines:\n").unwrap();
    let (_, tail) = text.split_once("  - name: image-classification\n").unwrap();
    let text = format!("{head}  - name: image-classification\n{tail}")
        .replace("  kafka:\n    bootstrap: kafka-bootstrap.kafka:9092\n", "");
    assert!(!text.contains("kafka:") && !text.contains("pipelines:"));
    let loaded = gen_profile::parse("p.yaml", &text).unwrap();
    let bundle = gen_render::render_loaded(&loaded).unwrap_or_else(|r| panic!("{}", r.render()));
    let objs = objects(&bundle);
    let (_, setup) = objs
        .iter()
        .find(|(p, _)| p.ends_with("seldon-setup.yaml"))
        .unwrap();
    assert!(
        setup["spec"]["source"]["helm"]["valuesObject"]
            .get("kafka")
            .is_none(),
        "no kafka values unless the profile sets them"
    );
}
