//! `gen render --stdout`: the stream is in apply order. Each assertion is one rule of the
//! engines (or of the objects' own references), checked over the stream of every example
//! and test profile, not a stored order.

mod common;

use common::*;
use serde_json::Value;

/// The stream's objects, in stream order.
fn stream_of(path: &camino::Utf8Path) -> Vec<Value> {
    let bundle = gen_render::render_profile(path)
        .unwrap_or_else(|r| panic!("{}", r.render(gen_profile::Style::Plain)));
    let stream = bundle.to_stream();
    let objects: Vec<Value> = serde_saphyr::from_multiple(&stream).unwrap();
    let files = bundle
        .files
        .keys()
        .filter(|p| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .count();
    assert_eq!(objects.len(), files, "every object once");
    objects
}

fn all_streams() -> Vec<(String, Vec<Value>)> {
    EXAMPLES
        .iter()
        .map(|n| (n.to_string(), stream_of(&example(n))))
        .chain(
            TEST_PROFILES
                .iter()
                .map(|n| (n.to_string(), stream_of(&test_profile(n)))),
        )
        .collect()
}

fn kind(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or("")
}
fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}
fn namespace(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}

/// Built-in Kubernetes kinds: the core group and the `*.k8s.io` / dotless groups. Argo CD
/// sorts every other kind (a custom resource) after them.
fn built_in(o: &Value) -> bool {
    let api = o["apiVersion"].as_str().unwrap_or("");
    match api.split_once('/') {
        None => true,
        // Gateway API lives under k8s.io but is installed as CRDs (Argo CD sorts it with
        // the custom resources).
        Some((group, _)) => {
            !group.contains('.')
                || (group.ends_with(".k8s.io") && group != "gateway.networking.k8s.io")
        }
    }
}

/// Index of the first object that satisfies `f`.
fn position(objects: &[Value], f: impl Fn(&Value) -> bool) -> Option<usize> {
    objects.iter().position(f)
}

#[test]
fn flux_cluster_definitions_come_first() {
    // fluxcd/pkg ssa ApplyAllStaged: CRDs, Namespaces and ClusterRoles are applied (and
    // waited for) before anything else, then *Class kinds.
    for (profile, objects) in all_streams() {
        let stage = |o: &Value| match kind(o) {
            "CustomResourceDefinition" | "Namespace" | "ClusterRole" => 0,
            k if k.ends_with("Class") => 1,
            _ => 2,
        };
        let stages: Vec<u8> = objects.iter().map(stage).collect();
        assert!(
            stages.windows(2).all(|w| w[0] <= w[1]),
            "{profile}: {stages:?}"
        );
        assert_eq!(stages[0], 0, "{profile}: a Namespace first");
    }
}

#[test]
fn built_in_kinds_come_before_custom_resources() {
    // Argo CD's sync sort: known kinds in Helm's order, custom resources after them.
    for (profile, objects) in all_streams() {
        let first_custom = position(&objects, |o| !built_in(o)).unwrap();
        assert!(
            objects[first_custom..].iter().all(|o| !built_in(o)),
            "{profile}: a built-in kind after {}",
            kind(&objects[first_custom])
        );
    }
}

#[test]
fn every_object_follows_its_namespace_and_what_it_references() {
    for (profile, objects) in all_streams() {
        let at = |k: &str, ns: Option<&str>, n: &str| {
            position(&objects, |o| {
                kind(o) == k && name(o) == n && ns.is_none_or(|ns| namespace(o) == ns)
            })
        };
        let mut checked = 0;
        for (i, o) in objects.iter().enumerate() {
            let ns = namespace(o);
            let mut before = |what: String, j: Option<usize>| {
                if let Some(j) = j {
                    assert!(
                        j < i,
                        "{profile}: {} {} comes before {what}",
                        kind(o),
                        name(o)
                    );
                    checked += 1;
                }
            };
            if !ns.is_empty() {
                before(format!("Namespace {ns}"), at("Namespace", None, ns));
            }
            match kind(o) {
                "RoleBinding" => {
                    let role = o["spec"]["roleRef"]["name"]
                        .as_str()
                        .or(o["roleRef"]["name"].as_str())
                        .unwrap_or("");
                    before(format!("Role {role}"), at("Role", Some(ns), role));
                    for s in o["subjects"].as_array().into_iter().flatten() {
                        if s["kind"] == "ServiceAccount" {
                            let sa = s["name"].as_str().unwrap_or("");
                            let sns = s["namespace"].as_str().unwrap_or(ns);
                            before(
                                format!("ServiceAccount {sa}"),
                                at("ServiceAccount", Some(sns), sa),
                            );
                        }
                    }
                }
                "Application" => {
                    let project = o["spec"]["project"].as_str().unwrap_or("");
                    before(
                        format!("AppProject {project}"),
                        at("AppProject", None, project),
                    );
                }
                "Kustomization" | "HelmRelease" => {
                    for source in [
                        &o["spec"]["sourceRef"],
                        &o["spec"]["chart"]["spec"]["sourceRef"],
                    ] {
                        if let (Some(k), Some(n)) =
                            (source["kind"].as_str(), source["name"].as_str())
                        {
                            before(format!("{k} {n}"), at(k, None, n));
                        }
                    }
                    for dep in o["spec"]["dependsOn"].as_array().into_iter().flatten() {
                        let n = dep["name"].as_str().unwrap_or("");
                        before(format!("dependency {n}"), at(kind(o), None, n));
                    }
                }
                "Server" => before(
                    "its namespace's SeldonRuntime".into(),
                    position(&objects, |r| {
                        kind(r) == "SeldonRuntime" && namespace(r) == ns
                    }),
                ),
                "Model" => {
                    let server = o["spec"]["server"].as_str();
                    before(
                        "a Server of its namespace".into(),
                        position(&objects, |s| {
                            kind(s) == "Server"
                                && namespace(s) == ns
                                && server.is_none_or(|n| name(s) == n)
                        }),
                    );
                }
                "Pipeline" => {
                    for step in o["spec"]["steps"].as_array().into_iter().flatten() {
                        let m = step["name"].as_str().unwrap_or("");
                        before(format!("Model {m}"), at("Model", Some(ns), m));
                    }
                }
                "Experiment" => {
                    let kind = if o["spec"]["resourceType"] == "pipeline" {
                        "Pipeline"
                    } else {
                        "Model"
                    };
                    for c in o["spec"]["candidates"].as_array().into_iter().flatten() {
                        let m = c["name"].as_str().unwrap_or("");
                        before(format!("{kind} {m}"), at(kind, Some(ns), m));
                    }
                }
                _ => {}
            }
        }
        assert!(checked > 20, "{profile}: only {checked} references checked");
    }
}

#[test]
fn argo_cd_sync_waves_are_in_order_within_a_kind() {
    for (profile, objects) in all_streams() {
        let wave = |o: &Value| {
            o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
                .as_str()
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(0)
        };
        for k in ["AppProject", "Application"] {
            let waves: Vec<i64> = objects.iter().filter(|o| kind(o) == k).map(wave).collect();
            assert!(
                waves.windows(2).all(|w| w[0] <= w[1]),
                "{profile}: {k} waves {waves:?}"
            );
        }
    }
}
