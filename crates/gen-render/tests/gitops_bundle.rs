//! Both engines: paths resolve in the repository wherever the bundle lives, the bundle
//! README states what a first install needs, the setup chart's values follow the profile.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;
mod engines;

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use gen_render::render_profile;
use serde_json::json;

use common::*;
use engines::*;

#[test]
fn paths_follow_the_bundle_into_the_repository() {
    for profile in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        let name = profile.file_stem().unwrap().to_string();
        // Default: out/<name>.
        let bundle = render_profile(&profile).unwrap();
        paths_resolve(&bundle, &format!("out/{name}"));
        // --out deploy/bundles (also spelled ./deploy/bundles).
        for out in ["deploy/bundles", "./deploy/bundles"] {
            let bundle = gen_render::ops::render_profile_in(&profile, Utf8Path::new(out)).unwrap();
            paths_resolve(&bundle, &format!("deploy/bundles/{name}"));
        }
        // gitops.path wins over --out, even an absolute one.
        let bundle = render_edited(
            &profile,
            &[("gitops:\n", "gitops:\n  path: clusters/prod/seldon\n")],
            "/tmp/elsewhere",
        )
        .unwrap();
        paths_resolve(&bundle, "clusters/prod/seldon");
        // Writing to disk names the same paths as rendering in memory.
        let dir = tempfile::tempdir().unwrap();
        let out_root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        gen_render::ops::write_profile_in(&profile, &out_root, Utf8Path::new("deploy/bundles"))
            .unwrap();
        let in_memory =
            gen_render::ops::render_profile_in(&profile, Utf8Path::new("deploy/bundles")).unwrap();
        assert!(
            gen_render::write::compare(&out_root, &in_memory)
                .unwrap()
                .is_clean()
        );
    }
}

#[test]
fn an_out_folder_outside_the_repository_needs_gitops_path() {
    let profile = example("single-team");
    for out in ["/srv/gitops/out", "../elsewhere"] {
        let report = gen_render::ops::render_profile_in(&profile, Utf8Path::new(out)).unwrap_err();
        let d = &report.diagnostics;
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str(), d[0].help.as_deref()),
            (
                "gitops-path",
                "gitops",
                25,
                format!("the bundle is written to --out {out}, which is not a relative path inside the repository, so gen cannot tell which path the argocd objects must name").as_str(),
                Some("set gitops.path to the bundle folder's path from the repository root (e.g. gitops.path: deploy/single-team), or run gen from the repository root with a relative --out")
            )
        );
    }
    // Without an engine, nothing names a path.
    assert!(
        render_edited(
            &profile,
            &[("engine: argocd", "engine: none")],
            "/srv/gitops/out"
        )
        .is_ok()
    );
    // A gitops.path that is not a clean relative path.
    for (path, reason) in [
        ("/abs/dir", "is absolute"),
        ("a/../b", "has a `.` or `..` segment"),
        ("a//b", "has an empty segment (`//` or a trailing `/`)"),
        (
            "a b",
            "has characters other than letters, digits, `-`, `_`, `.` and `/`",
        ),
    ] {
        let report = render_edited(
            &profile,
            &[("gitops:\n", &format!("gitops:\n  path: \"{path}\"\n"))],
            "out",
        )
        .unwrap_err();
        let d = &report.diagnostics;
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str()),
            (
                "gitops-path",
                "gitops.path",
                26,
                format!("gitops.path \"{path}\" {reason}; Argo CD and Flux read Application and Kustomization paths relative to the repository root").as_str()
            )
        );
    }
}

#[test]
fn the_bundle_readme_states_the_prerequisites() {
    for bundle in all_bundles() {
        let readme = &bundle.files["README.md"];
        let objs = objects(&bundle);
        let argocd = bundle.files.keys().any(|k| k.starts_with("argocd/"));
        assert!(
            readme.contains(if argocd {
                "Argo CD 2.14 or later"
            } else {
                "Flux 2.5 or later"
            }),
            "{}",
            bundle.name
        );
        // Every storage Secret a Model names, in its namespace.
        for (_, m) in objs.iter().filter(|(_, o)| o["kind"] == "Model") {
            if let Some(secret) = m["spec"]["secretName"].as_str() {
                // The agent matches the Secret's rclone remote name to the storageUri
                // scheme (seldon-core scheduler/pkg/agent/rclone/rclone.go).
                let scheme = m["spec"]["storageUri"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap();
                let row = format!(
                    "| `{}` | `{secret}` | `{scheme}` |",
                    m["metadata"]["namespace"].as_str().unwrap()
                );
                assert!(readme.contains(&row), "{}: {row}", bundle.name);
            }
        }
        // Kafka: the bootstrap the setup chart gets, or the fallback.
        let setup = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
        let values = if argocd {
            &setup.1["spec"]["source"]["helm"]["valuesObject"]
        } else {
            &setup.1["spec"]["values"]
        };
        match values["kafka"]["bootstrap"].as_str() {
            Some(b) => assert!(readme.contains(&format!("`{b}`")), "{}", bundle.name),
            None => assert!(readme.contains("seldon-kafka-bootstrap.seldon-mesh:9092")),
        }
        for section in [
            "## Before the first install",
            "## First install",
            "## Teardown",
        ] {
            assert!(readme.contains(section), "{}: {section}", bundle.name);
        }
        if argocd {
            // The optional health checks, with the runtime's two conditions.
            assert!(readme.contains("resource.customizations.health.argoproj.io_Application"));
            assert!(
                readme.contains("resource.customizations.health.mlops.seldon.io_SeldonRuntime")
            );
            assert!(readme.contains(
                "state[\"SchedulerReady\"] == \"True\" and state[\"EnvoyReady\"] == \"True\""
            ));
        }
    }
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
            ("tenant-extensions".to_string(), true, false),
            ("shared-flux".to_string(), false, true),
            ("dedicated-argocd".to_string(), true, false),
            ("fleet/dev".to_string(), true, false),
            ("fleet/staging".to_string(), true, false),
            ("fleet/prod".to_string(), true, false),
            ("fleet-flux/dev".to_string(), false, true),
            ("fleet-flux/staging".to_string(), false, true),
            ("fleet-flux/prod".to_string(), false, true),
        ]
    );
}

#[test]
fn argocd_waves_order_the_layers() {
    for bundle in engine_bundles("argocd") {
        let mut wave_of_kind: BTreeMap<String, i64> = BTreeMap::new();
        let mut chart_waves = BTreeMap::new();
        for (path, o) in objects(&bundle) {
            if o["kind"] != "Application" || path.starts_with("bootstrap/") {
                continue;
            }
            assert!(
                o["metadata"]["annotations"]
                    .get("argocd.argoproj.io/tracking-id")
                    .is_none()
            );
            let source = &o["spec"]["source"];
            if let Some(chart) = source["chart"].as_str() {
                chart_waves.insert(chart.to_string(), wave(&o));
                continue;
            }
            let folder = folder_of(
                &bundle,
                &format!("out/{}", bundle.name),
                source["path"].as_str().unwrap(),
            );
            for x in build(&bundle, &folder) {
                let w = wave_of_kind
                    .entry(x["kind"].as_str().unwrap().to_string())
                    .or_insert(wave(&o));
                *w = (*w).max(wave(&o));
            }
        }
        let crds = chart_waves["seldon-core-v2-crds"];
        let setup = chart_waves["seldon-core-v2-setup"];
        let (runtime, models) = (wave_of_kind["SeldonRuntime"], wave_of_kind["Model"]);
        assert!(
            crds < setup && setup < runtime && runtime < models,
            "{}: {chart_waves:?} {wave_of_kind:?}",
            bundle.name
        );
        assert!(wave_of_kind["Server"] < models);
    }
}

#[test]
fn setup_values_follow_the_pattern() {
    for bundle in all_bundles() {
        let objs = objects(&bundle);
        let (_, setup) = objs.iter().find(|(_, o)| setup_release(o)).unwrap();
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
            let mut tenants: Vec<String> = profile_of(&bundle)
                .tenants
                .iter()
                .map(|t| t.namespace.clone())
                .collect();
            tenants.sort();
            assert_eq!(values["controller"]["watchNamespaces"], json!(tenants));
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
        json!({"bootstrap": "seldon-kafka-bootstrap.kafka:9093", "topicPrefix": "seldon", "consumerGroupIdPrefix": "tenancy"})
    );
    // A profile without Pipelines may leave Kafka out.
    let text = std::fs::read_to_string(test_profile("dedicated-argocd")).unwrap();
    let (head, _) = text.split_once("    pipelines:\n").unwrap();
    let (_, tail) = text.split_once("  - name: image-classification\n").unwrap();
    // (fraud-reporting, which runs a Pipeline, goes with the cut: so does the share.)
    let text = format!("{head}  - name: image-classification\n{tail}")
        .replace("  kafka:\n    bootstrap: kafka-bootstrap.kafka:9092\n", "")
        .replace("        sharedWith: [fraud-reporting]\n", "");
    assert!(!text.contains("kafka:") && !text.contains("pipelines:"));
    let loaded = gen_profile::parse("p.yaml", &text).unwrap();
    let bundle = gen_render::render_loaded(&loaded)
        .unwrap_or_else(|r| panic!("{}", r.render(gen_profile::Style::Plain)));
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
