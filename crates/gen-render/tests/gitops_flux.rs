//! Flux, checked by its own rules over the rendered objects: the GitRepository checks out
//! the revision, HelmReleases remediate, the runtime health check needs SchedulerReady and
//! EnvoyReady (evaluated with a CEL interpreter), layers run in order and no tenant waits
//! for another.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;
mod engines;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use common::*;
use engines::*;

#[test]
fn flux_checks_out_the_revision_argo_cd_would() {
    let sha1 = "0123456789abcdef0123456789abcdef01234567";
    let sha256 = "0123456789abcdef".repeat(4);
    let cases = [
        ("main", "refs/heads/main".to_string()),
        ("release/2.10", "refs/heads/release/2.10".to_string()),
        ("refs/heads/release-1", "refs/heads/release-1".to_string()),
        ("refs/tags/v1.2.0", "refs/tags/v1.2.0".to_string()),
        ("refs/pull/7/head", "refs/pull/7/head".to_string()),
        (sha1, sha1.to_string()),
        (sha256.as_str(), sha256.clone()),
    ];
    for (revision, expected) in cases {
        for profile in [test_profile("shared-flux"), example("multi-tenant")] {
            let bundle = render_edited(
                &profile,
                &[("revision: main", &format!("revision: \"{revision}\""))],
                "out",
            )
            .unwrap();
            let objs = objects(&bundle);
            let git = by_name(&objs, "GitRepository");
            let git = git.values().next().unwrap();
            assert_eq!(flux_checkout(&git["spec"]["ref"]), expected, "{revision}");
        }
        // Argo CD takes the revision as written (it resolves branches, tags, full refs and
        // SHAs itself).
        let bundle = render_edited(
            &example("single-team"),
            &[("revision: main", &format!("revision: \"{revision}\""))],
            "out",
        )
        .unwrap();
        for (_, app) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Application" && o["spec"]["source"]["path"].is_string())
        {
            assert_eq!(app["spec"]["source"]["targetRevision"], revision);
        }
    }
}

#[test]
fn flux_refuses_a_revision_it_would_take_for_a_branch() {
    let cases = [
        (
            "0123abc",
            "looks like an abbreviated commit SHA",
            "commit",
            "give the full 40-character SHA, or write refs/heads/0123abc if it is a branch",
        ),
        (
            "v1.2.0",
            "looks like a version tag",
            "tag",
            "write refs/tags/v1.2.0 for the tag, or write refs/heads/v1.2.0 if it is a branch",
        ),
        (
            "2.10.2",
            "looks like a version tag",
            "tag",
            "write refs/tags/2.10.2 for the tag, or write refs/heads/2.10.2 if it is a branch",
        ),
    ];
    let revision_line = std::fs::read_to_string(test_profile("shared-flux"))
        .unwrap()
        .lines()
        .position(|l| l.trim_start().starts_with("revision: main"))
        .expect("the test profile sets revision: main") as u64
        + 1;
    for (revision, what, field, help) in cases {
        let report = render_edited(
            &test_profile("shared-flux"),
            &[("revision: main", &format!("revision: \"{revision}\""))],
            "out",
        )
        .unwrap_err();
        let d: Vec<_> = report.diagnostics.iter().collect();
        assert_eq!(d.len(), 1, "{}", report.render(gen_profile::Style::Plain));
        assert_eq!(
            (d[0].code(), d[0].path.as_str(), d[0].line(), d[0].message.as_str()),
            (
                "gitops-revision",
                "gitops.revision",
                revision_line,
                format!("gitops.revision \"{revision}\" looks like {}, but a plain name is a branch: Flux would check out spec.ref.branch \"{revision}\", not spec.ref.{field}", what.trim_start_matches("looks like ")).as_str()
            )
        );
        assert_eq!(d[0].help.as_deref(), Some(help));
        // Argo CD resolves them itself, and a branch name that merely has digits is a branch.
        assert!(
            render_edited(
                &test_profile("dedicated-argocd"),
                &[("revision: main", &format!("revision: \"{revision}\""))],
                "out"
            )
            .is_ok()
        );
    }
    for fine in [
        "feature-1",
        "cafe",
        "refs/heads/0123abc",
        "v1",
        "release-2.10",
    ] {
        assert!(
            render_edited(
                &test_profile("shared-flux"),
                &[("revision: main", &format!("revision: \"{fine}\""))],
                "out"
            )
            .is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn flux_helm_releases_remediate_and_fit_an_image_pull() {
    for bundle in engine_bundles("flux") {
        let objs = objects(&bundle);
        let releases = by_name(&objs, "HelmRelease");
        assert_eq!(releases.len(), 2, "{}", bundle.name);
        for (name, hr) in releases {
            let spec = &hr["spec"];
            // helm-controller: retries 0 (the default) stalls after one failure; negative
            // retries without limit.
            let install = spec["install"]["remediation"]["retries"].as_i64().unwrap();
            assert!(install < 0, "{name}: a first install keeps trying");
            let upgrade = &spec["upgrade"]["remediation"];
            assert!(upgrade["retries"].as_i64().unwrap() != 0, "{name}");
            assert_eq!(upgrade["remediateLastFailure"], true, "{name}");
            // Helm's default is 5m; a first pull of the controller image may take longer.
            assert!(
                duration_secs(spec["timeout"].as_str().unwrap()) >= 600,
                "{name}"
            );
        }
    }
}

#[test]
fn flux_runtime_health_needs_scheduler_and_envoy_to_exist_and_be_true() {
    let runtime = |status: Option<Value>| {
        let mut o = json!({"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "SeldonRuntime",
            "metadata": {"name": "seldon", "namespace": "t"}, "spec": {"seldonConfig": "default"}});
        if let Some(s) = status {
            o["status"] = s;
        }
        o
    };
    let c = |t: &str, s: &str| json!({"type": t, "status": s});
    let cases = [
        (runtime(None), false),
        (runtime(Some(json!({}))), false),
        (runtime(Some(json!({"conditions": []}))), false),
        (
            runtime(Some(json!({"conditions": [c("Ready", "True")]}))),
            false,
        ),
        (
            runtime(Some(json!({"conditions": [c("SchedulerReady", "True")]}))),
            false,
        ),
        (
            runtime(Some(
                json!({"conditions": [c("SchedulerReady", "True"), c("EnvoyReady", "False")]}),
            )),
            false,
        ),
        (
            runtime(Some(
                json!({"conditions": [c("Ready", "False"), c("HodometerReady", "False"),
                c("SchedulerReady", "True"), c("EnvoyReady", "True")]}),
            )),
            true,
        ),
    ];
    // The expression that was rendered before would pass an empty list vacuously.
    let vacuous = "status.conditions.filter(c, c.type in ['SchedulerReady', 'EnvoyReady']).all(c, c.status == 'True')";
    assert!(current(vacuous, &cases[2].0));
    let mut seen = 0;
    for bundle in engine_bundles("flux") {
        for (path, k) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Kustomization")
        {
            let Some(checks) = k["spec"]["healthCheckExprs"].as_array() else {
                continue;
            };
            for check in checks {
                assert_eq!(check["kind"], "SeldonRuntime", "{path}");
                let expr = check["current"].as_str().unwrap();
                for (object, healthy) in &cases {
                    assert_eq!(current(expr, object), *healthy, "{path}: {object}");
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 3);
}

#[test]
fn flux_layers_run_in_order_and_no_tenant_waits_for_another() {
    for bundle in engine_bundles("flux") {
        let repo_dir = format!("out/{}", bundle.name);
        let graph = flux_graph(&bundle);
        let built: BTreeMap<&String, Vec<Value>> = graph
            .iter()
            .map(|(n, (p, _))| (n, build(&bundle, &folder_of(&bundle, &repo_dir, p))))
            .collect();
        let closure = |start: &str| {
            let mut seen = BTreeSet::new();
            let mut todo = graph[start].1.clone();
            while let Some(n) = todo.pop() {
                if seen.insert(n.clone()) {
                    todo.extend(graph[&n].1.clone());
                }
            }
            seen
        };
        let runtime_ns = |n: &String| -> BTreeSet<String> {
            built[n]
                .iter()
                .filter(|o| o["kind"] == "SeldonRuntime")
                .map(|o| o["metadata"]["namespace"].as_str().unwrap().to_string())
                .collect()
        };
        for (name, objects) in &built {
            let deps = closure(name);
            let kinds: BTreeSet<&str> = objects
                .iter()
                .map(|o| o["kind"].as_str().unwrap())
                .collect();
            // Seldon objects wait for the install (CRDs and controller).
            if kinds
                .iter()
                .any(|k| ["SeldonRuntime", "Server", "Model"].contains(k))
            {
                assert!(
                    deps.iter()
                        .any(|d| built[d].iter().any(|o| o["kind"] == "HelmRelease")),
                    "{name}: {deps:?}"
                );
            }
            // Models wait for their own namespace's runtime, and for no other runtime: a
            // broken tenant holds back only its own applications.
            let model_ns: BTreeSet<String> = objects
                .iter()
                .filter(|o| o["kind"] == "Model")
                .map(|o| o["metadata"]["namespace"].as_str().unwrap().to_string())
                .collect();
            let waited: BTreeSet<String> = deps.iter().flat_map(runtime_ns).collect();
            if !model_ns.is_empty() {
                assert_eq!(waited, model_ns, "{}: {name}", bundle.name);
            }
            if kinds.contains("SeldonRuntime") {
                assert!(
                    waited.is_empty(),
                    "{}: {name} waits for {waited:?}",
                    bundle.name
                );
                assert_eq!(
                    runtime_ns(name).len(),
                    1,
                    "{name}: one runtime per Kustomization"
                );
            }
        }
    }
}
