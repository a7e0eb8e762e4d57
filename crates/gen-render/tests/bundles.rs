//! The example bundles: freshness of out/ (the one golden copy), determinism, and the
//! Seldon run-time invariants proven from the rendered files themselves.

mod common;

use std::collections::BTreeMap;

use common::*;
use gen_render::render_profile;
use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, upstream_server_configs};
use gen_seldon::rules::{
    Located, OwnedInventory, QuotaInfo, QuotaLimit, SecretInfo, SecretRemote, check,
};
use gen_seldon::{Experiment, Model, Pipeline, SeldonRuntime, Server};

#[test]
fn committed_bundles_are_fresh() {
    for name in EXAMPLES {
        let bundle = render_profile(&example(name)).unwrap();
        let changes = gen_render::write::compare(&root().join("out"), &bundle).unwrap();
        assert!(
            changes.is_clean(),
            "out/{name} is stale; run `gen render --profile {name}`: {changes:#?}"
        );
        assert!(
            changes.foreign.is_empty(),
            "out/{name} holds files gen did not generate: {:?}",
            changes.foreign
        );
    }
}

#[test]
fn rendering_is_deterministic_across_runs() {
    // The same profile twice in one process: no state carries over between renders. (The
    // same across working directories is tested on the `gen` binary in gen-cli's tests,
    // where each run has its own process and folder.)
    for name in EXAMPLES.iter().chain(TEST_PROFILES) {
        let path = if EXAMPLES.contains(name) {
            example(name)
        } else {
            test_profile(name)
        };
        let first = render_profile(&path).unwrap();
        let second = render_profile(&path).unwrap();
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn every_file_is_canonical_text() {
    for name in EXAMPLES.iter().chain(TEST_PROFILES) {
        let path = if EXAMPLES.contains(name) {
            example(name)
        } else {
            test_profile(name)
        };
        let bundle = render_profile(&path).unwrap();
        for (file, text) in &bundle.files {
            assert!(
                text.ends_with('\n') && !text.ends_with("\n\n"),
                "{file}: one trailing newline"
            );
            assert!(
                !text.contains('\r') && !text.contains('\t'),
                "{file}: LF and no tabs"
            );
            assert!(
                gen_render::write::is_generated(text.as_bytes()),
                "{file}: carries the ownership header"
            );
            if file.ends_with(".yaml") {
                assert_eq!(
                    text.lines()
                        .filter(|l| l.starts_with("apiVersion:"))
                        .count(),
                    1,
                    "{file}: one object per file"
                );
            }
        }
        // Every folder has a kustomization that lists exactly its files and subfolders.
        let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in bundle.files.keys() {
            let (dir, base) = file.rsplit_once('/').unwrap_or(("", file));
            folders
                .entry(dir.to_string())
                .or_default()
                .push(base.to_string());
        }
        for dir in folders.keys() {
            let k = if dir.is_empty() {
                "kustomization.yaml".to_string()
            } else {
                format!("{dir}/kustomization.yaml")
            };
            assert!(
                bundle.files.contains_key(&k),
                "{name}: {dir}/ has no kustomization.yaml"
            );
        }
    }
}

/// Read a rendered bundle back as Seldon objects, Secrets and ResourceQuotas, keyed by
/// file, with the setup chart's Kafka values from the GitOps layer.
fn inventory_from_files(
    files: &BTreeMap<String, String>,
    controller_namespace: &str,
) -> OwnedInventory {
    let mut inv = OwnedInventory {
        controller_namespace: controller_namespace.to_string(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.to_string()],
        server_configs: upstream_server_configs(),
        install: Install::chart_defaults(),
        ..OwnedInventory::default()
    };
    for (path, text) in files {
        if !path.ends_with(".yaml") {
            continue;
        }
        let kind = text
            .lines()
            .find_map(|l| l.strip_prefix("kind: "))
            .unwrap_or("");
        let value = || serde_saphyr::from_str::<serde_json::Value>(text).unwrap();
        let ns_name = |v: &serde_json::Value| {
            (
                v["metadata"]["namespace"].as_str().unwrap().to_string(),
                v["metadata"]["name"].as_str().unwrap().to_string(),
            )
        };
        match kind {
            "ExternalSecret" => {
                // The Secret External Secrets writes: the template's keys, each a remote.
                // (The Kafka credentials are no rclone Secret; tests/kafka.rs follows them.)
                let v = value();
                if v["metadata"]["labels"]["app.kubernetes.io/component"] != "storage" {
                    continue;
                }
                let (namespace, _) = ns_name(&v);
                let target = v["spec"]["target"]["name"].as_str().unwrap().to_string();
                let data = v["spec"]["target"]["template"]["data"].as_object().unwrap();
                for template in data.values() {
                    let remote = as_written_by_eso(template.as_str().unwrap());
                    inv.secret_remotes.push(Located::new(
                        SecretRemote {
                            namespace: namespace.clone(),
                            secret: target.clone(),
                            remote: remote["name"].as_str().unwrap().to_string(),
                        },
                        path.clone(),
                    ));
                }
                inv.secrets.push(Located::new(
                    SecretInfo {
                        namespace,
                        name: target,
                        keys: Some(data.len()),
                    },
                    path.clone(),
                ));
            }
            "Secret" => {
                let v = value();
                let (namespace, name) = ns_name(&v);
                let keys = v["data"].as_object().map_or(0, |m| m.len())
                    + v["stringData"].as_object().map_or(0, |m| m.len());
                inv.secrets.push(Located::new(
                    SecretInfo {
                        namespace,
                        name,
                        keys: Some(keys),
                    },
                    path.clone(),
                ));
            }
            "ResourceQuota" => {
                let v = value();
                let (namespace, name) = ns_name(&v);
                let hard = v["spec"]["hard"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, q)| QuotaLimit {
                        resource: k.clone(),
                        value: gen_seldon::Quantity::new(q.as_str().unwrap()),
                        field: format!("hard.{k}"),
                    })
                    .collect();
                inv.quotas.push(Located::new(
                    QuotaInfo {
                        namespace,
                        name,
                        hard,
                    },
                    path.clone(),
                ));
            }
            "HelmRelease" | "Application" if text.contains("seldon-core-v2-setup") => {
                let v = value();
                let values = if kind == "HelmRelease" {
                    &v["spec"]["values"]
                } else {
                    &v["spec"]["source"]["helm"]["valuesObject"]
                };
                inv.install.kafka_bootstrap =
                    values["kafka"]["bootstrap"].as_str().map(str::to_string);
            }
            "SeldonRuntime" => inv.runtimes.push(Located::new(
                serde_saphyr::from_str::<SeldonRuntime>(text).unwrap(),
                path.clone(),
            )),
            "Server" => inv.servers.push(Located::new(
                serde_saphyr::from_str::<Server>(text).unwrap(),
                path.clone(),
            )),
            "Model" => inv.models.push(Located::new(
                serde_saphyr::from_str::<Model>(text).unwrap(),
                path.clone(),
            )),
            "Pipeline" => inv.pipelines.push(Located::new(
                serde_saphyr::from_str::<Pipeline>(text).unwrap(),
                path.clone(),
            )),
            "Experiment" => inv.experiments.push(Located::new(
                serde_saphyr::from_str::<Experiment>(text).unwrap(),
                path.clone(),
            )),
            _ => {}
        }
    }
    inv
}

/// An rclone remote template of an ExternalSecret as External Secrets renders it, each
/// `{{ .x | toJson }}` replaced by a quoted value read from the store, parsed as the agent
/// parses the Secret's key (JSON `{name, type, parameters}`, `parseRcloneConfig`).
fn as_written_by_eso(template: &str) -> serde_json::Value {
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}").expect("a closed template action") + start;
        assert!(
            rest[start..end].contains("| toJson"),
            "a value from the store is quoted by toJson: {template}"
        );
        text.push_str(&rest[..start]);
        text.push_str("\"value from the store\"");
        rest = &rest[end + 2..];
    }
    text.push_str(rest);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn rendered_objects_hold_the_seldon_invariants() {
    for (name, controller) in [
        ("single-team", "seldon-system"),
        ("multi-tenant", "seldon-tenancy"),
    ] {
        let bundle = render_profile(&example(name)).unwrap();
        let mut inv = inventory_from_files(&bundle.files, controller);
        // The Secrets the profile declares as its own (integrations.storage.existing) are
        // created outside git, in every runtime namespace.
        let profile = gen_profile::load_file(&example(name)).unwrap().profile;
        for declared in profile
            .integrations
            .storage
            .iter()
            .flat_map(|s| &s.existing)
        {
            for r in &inv.runtimes {
                inv.secrets.push(Located::new(
                    SecretInfo {
                        namespace: r.object.namespace().to_string(),
                        name: declared.clone(),
                        keys: None,
                    },
                    "integrations.storage.existing".to_string(),
                ));
            }
        }
        inv.secrets_complete = true;
        assert!(!inv.models.is_empty() && !inv.pipelines.is_empty() && !inv.experiments.is_empty());
        // Every Seldon object is in a namespace with exactly one SeldonRuntime.
        let mut runtimes: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &inv.runtimes {
            *runtimes.entry(r.object.namespace()).or_default() += 1;
        }
        assert!(runtimes.values().all(|n| *n == 1), "{name}: {runtimes:?}");
        let namespaces = inv
            .models
            .iter()
            .map(|m| m.object.namespace())
            .chain(inv.servers.iter().map(|s| s.object.namespace()))
            .chain(inv.pipelines.iter().map(|p| p.object.namespace()))
            .chain(inv.experiments.iter().map(|e| e.object.namespace()));
        for ns in namespaces {
            assert_eq!(
                runtimes.get(ns),
                Some(&1),
                "{name}: {ns} has no SeldonRuntime"
            );
        }
        // Requirements satisfiable, references resolvable, the rclone Secret in every
        // runtime namespace, Server requests within limits and replicas pinned, quotas
        // large enough, Kafka for the Pipelines: every rule.
        assert!(inv.install.kafka_bootstrap.is_some(), "{name}");
        assert_eq!(check(&inv.view()), vec![], "{name}");
        // The rclone Secret holds what the agent parses: one key, a JSON remote with a
        // name, a type and string parameters (`parseRcloneConfig`).
        let mut secrets = 0;
        for (path, text) in &bundle.files {
            if !text.contains("\nkind: Secret\n") {
                continue;
            }
            secrets += 1;
            let secret: k8s_openapi::api::core::v1::Secret = serde_saphyr::from_str(text).unwrap();
            let data = secret.data.unwrap();
            assert_eq!(data.len(), 1, "{path}");
            let remote: serde_json::Value = serde_json::from_slice(&data["gs"].0).unwrap();
            assert_eq!(remote["name"], "gs", "{path}");
            assert_eq!(remote["type"], "google cloud storage", "{path}");
            assert!(
                remote["parameters"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|p| p.is_string()),
                "{path}: rclone parameters are a map of strings"
            );
        }
        assert_eq!(
            secrets,
            inv.runtimes.len(),
            "{name}: one Secret per runtime"
        );
        // A fixed replica count is pinned; no Server is left for the scheduler to resize
        // against git.
        for s in &inv.servers {
            let spec = &s.object.spec;
            if let Some(r) = spec.replicas {
                assert_eq!(
                    (spec.min_replicas, spec.max_replicas),
                    (Some(r), Some(r)),
                    "{}",
                    s.origin
                );
            }
        }
        // Tracing is off unless the profile names a collector.
        for r in &inv.runtimes {
            let t = r
                .object
                .spec
                .config
                .as_ref()
                .unwrap()
                .tracing_config
                .as_ref()
                .unwrap();
            assert_eq!(t.disable, Some(true), "{}", r.origin);
        }
        // Secure runtime defaults.
        for r in &inv.runtimes {
            let text = serde_json::to_string(&r.object.spec.overrides).unwrap();
            assert!(
                text.contains(r#"{"name":"seldon-scheduler","serviceType":"ClusterIP"}"#),
                "{text}"
            );
            assert!(
                text.contains(r#""name":"hodometer","disable":true"#),
                "{text}"
            );
        }
    }
}

#[test]
fn shared_pattern_puts_everything_in_the_platform_namespace() {
    let bundle = render_profile(&example("single-team")).unwrap();
    let gitops = ["argocd/", "flux/", "bootstrap/"];
    for (path, text) in bundle
        .files
        .iter()
        .filter(|(p, _)| !gitops.iter().any(|g| p.starts_with(g)))
    {
        if let Some(ns) = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("namespace: "))
        {
            assert_eq!(ns, "seldon-system", "{path}");
        }
    }
}
