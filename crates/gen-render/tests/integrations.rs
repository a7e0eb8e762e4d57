//! The platform integrations: each rule with its exact message and its boundaries, each
//! integration off unless the profile asks, and properties of the objects they render
//! (read back from the bundle, as the engines and operators read them).

mod common;

use serde_json::Value;

const BASE: &str = "\
name: t
pattern: shared
platform:
  namespace: seldon-system
  servers:
    - name: mlserver
      serverConfig: mlserver
security:
  monitoringNamespace: monitoring
applications:
  - name: app
    models:
      - name: iris
        storageUri: gs://b/iris
        requirements: [sklearn]
";

use common::{problems, render_text as render};

fn one(code: &str, path: &str, message: &str) -> Vec<(String, String, String)> {
    vec![(code.to_string(), path.to_string(), message.to_string())]
}

fn with(integrations: &str) -> String {
    BASE.replace(
        "applications:\n",
        &format!("integrations:\n{integrations}applications:\n"),
    )
}

/// Every object of the bundle as JSON, with its file.
fn objects(bundle: &gen_render::Bundle) -> Vec<(String, Value)> {
    bundle
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .map(|(p, t)| (p.clone(), serde_saphyr::from_str::<Value>(t).unwrap()))
        .collect()
}

fn of_kind<'a>(objects: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| o)
        .collect()
}

const GATEWAY: &str = "  gateway: {name: public, namespace: gateway-system}\n";

#[test]
fn every_integration_is_off_unless_asked() {
    let bundle = render(BASE).unwrap();
    let all = objects(&bundle);
    for kind in [
        "HTTPRoute",
        "ReferenceGrant",
        "PodMonitor",
        "PrometheusRule",
        "ExternalSecret",
        "KafkaUser",
        "KafkaTopic",
    ] {
        assert!(
            of_kind(&all, kind).is_empty(),
            "{kind} rendered without integrations"
        );
    }
    let on = render(&with(&format!("{GATEWAY}  metrics: {{alerts: true}}\n"))).unwrap();
    let all = objects(&on);
    assert_eq!(of_kind(&all, "HTTPRoute").len(), 1);
    assert_eq!(
        of_kind(&all, "PodMonitor").len(),
        3,
        "envoy, pipeline gateway, servers"
    );
    assert_eq!(of_kind(&all, "PrometheusRule").len(), 1);
}

#[test]
fn the_runtime_route_leads_to_seldon_mesh_for_every_path() {
    let bundle = render(&with(
        "  gateway: {name: public, namespace: gateway-system, sectionName: https, hostnames: [models.example.com]}\n",
    ))
    .unwrap();
    let all = objects(&bundle);
    let route = of_kind(&all, "HTTPRoute")[0];
    assert_eq!(route["metadata"]["namespace"], "seldon-system");
    let parent = &route["spec"]["parentRefs"][0];
    assert_eq!(
        (
            &parent["name"],
            &parent["namespace"],
            &parent["sectionName"]
        ),
        (
            &Value::from("public"),
            &Value::from("gateway-system"),
            &Value::from("https")
        )
    );
    assert_eq!(
        route["spec"]["hostnames"],
        serde_json::json!(["models.example.com"])
    );
    let rule = &route["spec"]["rules"][0];
    assert_eq!(rule["matches"][0]["path"]["value"], "/");
    let backend = &rule["backendRefs"][0];
    assert_eq!(
        (&backend["name"], &backend["port"]),
        (&Value::from("seldon-mesh"), &Value::from(80))
    );
    assert!(
        backend.get("namespace").is_none(),
        "same namespace: no ReferenceGrant needed"
    );
}

#[test]
fn an_application_route_matches_its_headers_in_rules_of_at_most_64() {
    let mut text = with(GATEWAY).replace(
        "  - name: app\n",
        "  - name: app\n    hostnames: [app.example.com]\n",
    );
    for i in 0..69 {
        text.push_str(&format!(
            "      - name: m{i}\n        storageUri: gs://b/m{i}\n        requirements: [sklearn]\n"
        ));
    }
    let bundle = render(&text).unwrap();
    let all = objects(&bundle);
    let route = of_kind(&all, "HTTPRoute")
        .into_iter()
        .find(|r| r["metadata"]["name"] == "app-app")
        .unwrap();
    let rules = route["spec"]["rules"].as_array().unwrap();
    let sizes: Vec<usize> = rules
        .iter()
        .map(|r| r["matches"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![64, 6]);
    let headers: Vec<&str> = rules
        .iter()
        .flat_map(|r| r["matches"].as_array().unwrap())
        .map(|m| m["headers"][0]["value"].as_str().unwrap())
        .collect();
    assert_eq!(headers[0], "iris");
    assert_eq!(headers.len(), 70);
    // 128 fit; 129 do not.
    let mut at_limit = text.clone();
    for i in 69..127 {
        at_limit.push_str(&format!(
            "      - name: m{i}\n        storageUri: gs://b/m{i}\n        requirements: [sklearn]\n"
        ));
    }
    assert!(render(&at_limit).is_ok());
    let over = at_limit
        + "      - name: m127\n        storageUri: gs://b/m127\n        requirements: [sklearn]\n";
    assert_eq!(
        problems(&over),
        one(
            "route-too-many-matches",
            "applications[0].hostnames",
            "application \"app\" has 129 Models, Pipelines and Experiments; its route would need 129 matches, and an HTTPRoute holds at most 128"
        )
    );
}

#[test]
fn route_hostnames() {
    let ok = with(
        "  gateway: {name: public, namespace: gateway-system, hostnames: [\"*.example.com\", a.b]}\n",
    );
    assert!(render(&ok).is_ok());
    assert_eq!(
        problems(&with(
            "  gateway: {name: public, namespace: gateway-system, hostnames: [10.0.0.1]}\n"
        )),
        one(
            "route-hostname",
            "integrations.gateway.hostnames[0]",
            "\"10.0.0.1\" is not a route hostname: it is an IP address; routes match hostnames only"
        )
    );
    assert_eq!(
        problems(&with(
            "  gateway: {name: public, namespace: gateway-system, hostnames: [\"a.*.com\"]}\n"
        )),
        one(
            "route-hostname",
            "integrations.gateway.hostnames[0]",
            "\"a.*.com\" is not a route hostname: a wildcard may only be the whole first label (*.example.com)"
        )
    );
    assert_eq!(
        problems(&BASE.replace(
            "  - name: app\n",
            "  - name: app\n    hostnames: [app.example.com]\n"
        )),
        one(
            "gateway-missing",
            "applications[0].hostnames",
            "hostnames are given but integrations.gateway is not set: no route is rendered for them"
        )
    );
}

#[test]
fn the_gateway_proxies_reach_envoy_inference_only() {
    let text = with(
        "  gateway:\n    name: public\n    namespace: gateway-system\n    proxy: {namespace: envoy-gateway-system, podLabels: {app: envoy}}\n",
    );
    let bundle = render(&text).unwrap();
    let all = objects(&bundle);
    let policies = of_kind(&all, "NetworkPolicy");
    let mut admitted = Vec::new();
    for p in policies {
        for rule in p["spec"]["ingress"].as_array().into_iter().flatten() {
            for peer in rule["from"].as_array().into_iter().flatten() {
                if peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    == "envoy-gateway-system"
                {
                    admitted.push((
                        p["metadata"]["name"].as_str().unwrap().to_string(),
                        peer["podSelector"].clone(),
                        rule["ports"].clone(),
                    ));
                }
            }
        }
    }
    assert_eq!(
        admitted,
        vec![(
            "allow-seldon-envoy".to_string(),
            serde_json::json!({"matchLabels": {"app": "envoy"}}),
            serde_json::json!([{"port": 9000, "protocol": "TCP"}])
        )]
    );
}

#[test]
fn pod_monitors_scrape_the_named_metrics_ports_of_pods_that_declare_them() {
    let bundle = render(&with("  metrics: {labels: {release: prom}}\n")).unwrap();
    let all = objects(&bundle);
    let mut seen = Vec::new();
    for m in of_kind(&all, "PodMonitor") {
        assert_eq!(m["metadata"]["labels"]["release"], "prom");
        let pods = m["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
            .as_str()
            .unwrap()
            .to_string();
        for e in m["spec"]["podMetricsEndpoints"].as_array().unwrap() {
            seen.push((
                pods.clone(),
                e["port"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
            ));
        }
    }
    seen.sort();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        seen,
        vec![
            s("seldon-envoy", "envoy-stats", "/stats/prometheus"),
            s("seldon-pipelinegateway", "metrics", "/metrics"),
            s("seldon-server", "metrics", "/metrics"),
            s("seldon-server", "server-metrics", "/metrics"),
        ]
    );
    // A disabled pipeline gateway has no monitor.
    let text = with("  metrics: {}\n").replace(
        "platform:\n  namespace: seldon-system\n",
        "platform:\n  namespace: seldon-system\n  runtime:\n    overrides: [{name: seldon-pipelinegateway, disable: true}]\n",
    );
    let all = objects(&render(&text).unwrap());
    assert_eq!(of_kind(&all, "PodMonitor").len(), 2);
}

#[test]
fn metrics_need_the_monitoring_namespace_while_policies_deny() {
    let text =
        with("  metrics: {}\n").replace("security:\n  monitoringNamespace: monitoring\n", "");
    assert_eq!(
        problems(&text),
        one(
            "metrics-monitoring-namespace",
            "integrations.metrics",
            "integrations.metrics renders PodMonitors, but security.monitoringNamespace is not set: the NetworkPolicies would keep Prometheus from every metrics port"
        )
    );
    let open = text.replace(
        "applications:\n",
        "security:\n  networkPolicies: false\napplications:\n",
    );
    assert!(render(&open).is_ok());
}

#[test]
fn alerts_name_each_model_of_the_application() {
    let all = objects(&render(&with("  metrics: {alerts: true}\n")).unwrap());
    let rule = of_kind(&all, "PrometheusRule")[0];
    let alerts = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0]["expr"],
        "absent(max(seldon_loaded_model_gauge{namespace=\"seldon-system\", model_internal=~\"iris_[0-9]+\"}) == 1)"
    );
    assert_eq!(alerts[0]["for"], "10m");
}

const STORE: &str = "    store: {kind: ClusterSecretStore, name: vault}\n";

fn with_secret(storage: &str) -> String {
    with(&format!("  storage:\n{storage}")).replace(
        "        requirements: [sklearn]\n",
        "        requirements: [sklearn]\n        secretName: reader\n",
    )
}

#[test]
fn a_model_secret_resolves_to_a_rendered_or_declared_secret() {
    assert_eq!(
        problems(&BASE.replace(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n        secretName: reader\n",
        )),
        one(
            "model-secret-missing",
            "applications[0].models[0].secretName",
            "Model \"iris\" names Secret \"reader\", but in namespace \"seldon-system\" no such Secret is rendered or declared: the agent that loads the Model reads that Secret from the Model's namespace and the load fails without it"
        )
    );
    assert!(render(&with_secret("    existing: [reader]\n")).is_ok());
    let bundle = render(&with_secret(&format!(
        "{STORE}    secrets:\n      - name: reader\n        scheme: gs\n        fromStore:\n          service_account_credentials: {{key: k, property: p}}\n"
    )))
    .unwrap();
    let all = objects(&bundle);
    let es = of_kind(&all, "ExternalSecret");
    assert_eq!(es.len(), 1);
    assert_eq!(es[0]["metadata"]["namespace"], "seldon-system");
    assert_eq!(es[0]["spec"]["target"]["name"], "reader");
    assert_eq!(
        es[0]["spec"]["secretStoreRef"],
        serde_json::json!({"kind": "ClusterSecretStore", "name": "vault"})
    );
    let data = es[0]["spec"]["target"]["template"]["data"]
        .as_object()
        .unwrap();
    assert_eq!(data.len(), 1, "the agent reads exactly one key");
    assert_eq!(
        data["gs"],
        "{\"name\":\"gs\",\"type\":\"google cloud storage\",\"parameters\":{\"service_account_credentials\":{{ .service_account_credentials | toJson }}}}"
    );
    assert_eq!(
        es[0]["spec"]["data"][0]["secretKey"],
        "service_account_credentials"
    );
    // A Secret no Model names is not rendered.
    let unused = with(&format!(
        "  storage:\n{STORE}    secrets:\n      - {{name: other, scheme: s3}}\n"
    ));
    assert!(of_kind(&objects(&render(&unused).unwrap()), "ExternalSecret").is_empty());
}

#[test]
fn the_remote_is_named_after_the_model_scheme() {
    let text = with_secret(&format!(
        "{STORE}    secrets:\n      - {{name: reader, scheme: s3}}\n"
    ));
    assert_eq!(
        problems(&text),
        one(
            "rclone-remote-mismatch",
            "applications[0].models[0].secretName",
            "Model \"iris\" reads gs:// storage with Secret \"reader\", whose rclone remote is named \"s3\": the agent refuses the download (\"name from URI (gs) does not match secret (s3)\")"
        )
    );
}

#[test]
fn storage_secret_rules() {
    assert_eq!(
        problems(&with_secret(
            "    secrets:\n      - {name: reader, scheme: gs}\n"
        )),
        one(
            "storage-store-missing",
            "integrations.storage.secrets[0]",
            "storage Secret \"reader\" names no store, and integrations.storage.store is not set: External Secrets has nowhere to read its credentials from"
        )
    );
    assert_eq!(
        problems(&with(&format!(
            "  storage:\n{STORE}    secrets:\n      - {{name: reader, scheme: \"gs://\"}}\n"
        ))),
        one(
            "storage-scheme",
            "integrations.storage.secrets[0].scheme",
            "scheme \"gs://\" is not a storageUri scheme (lowercase letters and digits, without \"://\")"
        )
    );
    let ftp = with(&format!(
        "  storage:\n{STORE}    secrets:\n      - {{name: reader, scheme: ftp}}\n"
    ));
    assert_eq!(
        problems(&ftp),
        one(
            "storage-scheme",
            "integrations.storage.secrets[0].scheme",
            "gen does not know the rclone backend of scheme \"ftp\""
        )
    );
    assert!(render(&ftp.replace("scheme: ftp}", "scheme: ftp, type: ftp}")).is_ok());
}

#[test]
fn server_scheduling_lands_in_the_server_pod_spec() {
    let text = BASE.replace(
        "      serverConfig: mlserver\n",
        "      serverConfig: mlserver\n      memory: 2Gi\n      gpu: 2\n      nodeSelector: {gpu: a100}\n      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}\n",
    );
    let all = objects(&render(&text).unwrap());
    let server = of_kind(&all, "Server")[0];
    let pod = &server["spec"]["podSpec"];
    assert_eq!(pod["nodeSelector"], serde_json::json!({"gpu": "a100"}));
    assert_eq!(
        pod["tolerations"],
        serde_json::json!([{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}])
    );
    assert_eq!(
        pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
            [0]["matchExpressions"][0]["key"],
        "zone"
    );
    // The ServerConfig's inference container gets the GPUs as request and limit, beside
    // the memory.
    let c = &pod["containers"][0];
    assert_eq!(c["name"], "mlserver");
    let expected = serde_json::json!({"memory": "2Gi", "nvidia.com/gpu": "2"});
    assert_eq!(
        (&c["resources"]["requests"], &c["resources"]["limits"]),
        (&expected, &expected)
    );
    // No scheduling keys: no podSpec beyond what memory needs.
    let plain = objects(&render(BASE).unwrap());
    assert!(
        of_kind(&plain, "Server")[0]["spec"]
            .get("podSpec")
            .is_none()
    );
}

#[test]
fn registry_settings() {
    assert_eq!(
        problems(&with("  registry: {charts: registry.example.com/charts}\n")),
        one(
            "registry-settings",
            "integrations.registry.charts",
            "\"registry.example.com/charts\" is not a chart repository URL: Flux and Argo CD take https://… (a Helm repository) or oci://host/path (an OCI registry)"
        )
    );
    assert_eq!(
        problems(&with(
            "  registry: {mirrors: {docker.io: \"https://mirror.example.com\"}}\n"
        )),
        one(
            "registry-settings",
            "integrations.registry.mirrors.docker.io",
            "mirror \"https://mirror.example.com\" is not a registry host: it replaces the registry in <registry>/<repository>:<tag>"
        )
    );
    let argocd = with("  registry: {chartsSecretName: auth}\n").replace(
        "security:\n",
        "gitops: {engine: argocd, repoURL: \"https://git.example.com/r.git\"}\nsecurity:\n",
    );
    assert_eq!(
        problems(&argocd),
        one(
            "registry-settings",
            "integrations.registry.chartsSecretName",
            "chartsSecretName is the Flux HelmRepository's secretRef; Argo CD reads repository credentials from its own repository Secrets, so it would do nothing"
        )
    );
    assert!(
        render(&argocd.replace(
            "{chartsSecretName: auth}",
            "{charts: \"oci://r.example.com/c\"}"
        ))
        .is_ok()
    );
}

#[test]
fn mirrors_and_pull_secrets_reach_every_image_of_the_setup_chart() {
    let text = with(
        "  registry:\n    charts: oci://r.example.com/charts\n    mirrors: {docker.io: r.example.com/hub}\n    imagePullSecrets: [pull]\n",
    )
    .replace(
        "security:\n",
        "gitops: {engine: flux, repoURL: \"https://git.example.com/r.git\"}\nsecurity:\n",
    );
    let all = objects(&render(&text).unwrap());
    let repo = of_kind(&all, "HelmRepository")[0];
    assert_eq!(repo["spec"]["url"], "oci://r.example.com/charts");
    assert_eq!(repo["spec"]["type"], "oci");
    let setup = of_kind(&all, "HelmRelease")
        .into_iter()
        .find(|r| r["spec"]["chart"]["spec"]["chart"] == "seldon-core-v2-setup")
        .unwrap();
    let values = &setup["spec"]["values"];
    assert_eq!(
        values["imagePullSecrets"],
        serde_json::json!([{"name": "pull"}])
    );
    // Every docker.io image of the chart (setup chart v2.10.2 values.yaml) is mirrored;
    // Triton's nvcr.io image is not, since no nvcr.io mirror is given.
    for path in [
        "/controller/image/registry",
        "/scheduler/image/registry",
        "/envoy/image/registry",
        "/modelgateway/image/registry",
        "/pipelinegateway/image/registry",
        "/dataflow/image/registry",
        "/hodometer/image/registry",
        "/serverConfig/rclone/image/registry",
        "/serverConfig/agent/image/registry",
        "/serverConfig/mlserver/image/registry",
    ] {
        assert_eq!(
            values.pointer(path),
            Some(&Value::from("r.example.com/hub")),
            "{path}"
        );
    }
    assert!(values.pointer("/serverConfig/triton").is_none());
}
