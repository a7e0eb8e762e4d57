//! What the tree installs: the setup chart's values (from an Argo CD Application or a
//! Flux HelmRelease) and the controller namespace they imply.

use serde_json::Value;

use crate::*;
use gen_seldon::catalog::Install;

pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// The chart name of a Flux HelmRelease or an Argo CD Application (first source that
/// names one).
pub(crate) fn chart_of(v: &Value) -> Option<&str> {
    match str_at(v, &["kind"])? {
        "HelmRelease" => str_at(v, &["spec", "chart", "spec", "chart"]),
        "Application" => str_at(v, &["spec", "source", "chart"]).or_else(|| {
            v.pointer("/spec/sources")?
                .as_array()?
                .iter()
                .find_map(|s| s.get("chart")?.as_str())
        }),
        _ => None,
    }
}

pub(crate) const SETUP_CHART: &str = "seldon-core-v2-setup";

/// The values a setup release installs with, if the tree says all of them: a Flux
/// HelmRelease's `values` (without `valuesFrom`, which lives elsewhere), or an Argo CD
/// Application's `helm.valuesObject` or `helm.values` (YAML text).
pub(crate) fn setup_values(v: &Value) -> Option<Value> {
    match str_at(v, &["kind"])? {
        "HelmRelease" => {
            if v.pointer("/spec/valuesFrom").is_some_and(|f| !f.is_null()) {
                return None;
            }
            Some(v.pointer("/spec/values").cloned().unwrap_or(Value::Null))
        }
        "Application" => {
            let sources: Vec<&Value> = match v.pointer("/spec/sources").and_then(Value::as_array) {
                Some(list) => list.iter().collect(),
                None => v.pointer("/spec/source").into_iter().collect(),
            };
            let source = sources
                .into_iter()
                .find(|s| s.get("chart").and_then(Value::as_str) == Some(SETUP_CHART))?;
            let helm = source.get("helm");
            if helm
                .and_then(|h| h.get("valueFiles"))
                .is_some_and(|f| f.as_array().is_some_and(|a| !a.is_empty()))
            {
                return None;
            }
            match helm {
                None => Some(Value::Null),
                Some(h) => match (
                    h.get("valuesObject"),
                    h.get("values").and_then(Value::as_str),
                ) {
                    (Some(o), _) => Some(o.clone()),
                    (None, Some(text)) => serde_saphyr::from_str(text).ok(),
                    (None, None) => Some(Value::Null),
                },
            }
        }
        _ => None,
    }
}

/// The setup chart's values that the rules judge, from the first setup release in the
/// tree; the chart's defaults (not known) without one.
pub(crate) fn detect_install(docs: &[Document]) -> Install {
    let Some(release) = docs
        .iter()
        .find(|d| chart_of(&d.value) == Some(SETUP_CHART))
    else {
        return Install::default();
    };
    let Some(values) = setup_values(&release.value) else {
        return Install::default();
    };
    let get = |path: &str| values.pointer(path);
    let mut install = Install::chart_defaults();
    install.kafka_bootstrap = get("/kafka/bootstrap")
        .and_then(Value::as_str)
        .filter(|b| !b.trim().is_empty())
        .map(str::to_string);
    let text = |path: &str| {
        get(path)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    install.kafka_topic_prefix = text("/kafka/topicPrefix");
    install.kafka_consumer_group_id_prefix = text("/kafka/consumerGroupIdPrefix");
    // The clients authenticate by SASL only with SASL_SSL (components/tls AddKafkaSSLOptions).
    if text("/security/kafka/protocol").as_deref() == Some("SASL_SSL") {
        install.kafka_sasl_username = Some(
            text("/security/kafka/sasl/client/username")
                .unwrap_or_else(|| gen_seldon::catalog::SETUP_SASL_USERNAME.to_string()),
        );
    }
    if let Some(on) = get("/autoscaling/autoscalingServerEnabled").and_then(|v| {
        v.as_bool()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    }) {
        install.server_autoscaling = on;
    }
    if let Some(endpoint) = get("/opentelemetry/endpoint").and_then(Value::as_str) {
        install.tracing_endpoint = endpoint.to_string();
    }
    install
}

/// Where the controller (and so SeldonConfig and ServerConfigs) lives, from the tree.
pub(crate) fn detect_controller_namespace(docs: &[Document]) -> Option<String> {
    for d in docs {
        let v = &d.value;
        let kind = str_at(v, &["kind"]).unwrap_or("");
        let found = match kind {
            "HelmRelease" if chart_of(v) == Some(SETUP_CHART) => {
                str_at(v, &["spec", "targetNamespace"]).or(str_at(v, &["metadata", "namespace"]))
            }
            "Application" if chart_of(v) == Some(SETUP_CHART) => {
                str_at(v, &["spec", "destination", "namespace"])
            }
            "Deployment"
                if str_at(v, &["metadata", "name"]) == Some("seldon-v2-controller-manager") =>
            {
                str_at(v, &["metadata", "namespace"])
            }
            "SeldonConfig" | "ServerConfig"
                if str_at(v, &["apiVersion"]) == Some(gen_seldon::API_VERSION) =>
            {
                str_at(v, &["metadata", "namespace"])
            }
            _ => None,
        };
        if let Some(ns) = found {
            return Some(ns.to_string());
        }
    }
    None
}
