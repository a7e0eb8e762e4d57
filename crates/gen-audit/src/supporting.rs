//! The objects the rules read besides the Seldon kinds: Secrets, ResourceQuotas,
//! SeldonConfigs, ServerConfigs and Strimzi KafkaUsers, turned into the inventory's typed
//! facts.

use serde_json::Value;

use crate::*;
use gen_seldon::Quantity;
use gen_seldon::catalog::{DEFAULT_OVERCOMMIT_PERCENT, ServerConfigInfo};
use gen_seldon::kinds::{ContainerResources, Resources};
use gen_seldon::rules::{
    KafkaAcl, KafkaUserInfo, Located, Origin, OwnedInventory, QuotaInfo, QuotaLimit, SecretInfo,
    SecretRemote,
};

/// The namespace of a document: its own, else its kustomization's, else `default`.
pub(crate) fn namespace_of(d: &Document) -> String {
    str_at(&d.value, &["metadata", "namespace"])
        .map(str::to_string)
        .or_else(|| d.inherited_namespace.clone())
        .unwrap_or_else(|| "default".to_string())
}

/// The keys of a map field (`data`, `stringData`, `encryptedData`).
pub(crate) fn keys_of<'a>(v: &'a Value, field: &str) -> impl Iterator<Item = &'a String> {
    v.get(field)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

/// A Secret, a resource that makes one (an External Secrets ExternalSecret, a Sealed
/// Secrets SealedSecret), or a ResourceQuota, added to the inventory. Returns its kind,
/// namespace and name, or `None` for any other document.
pub(crate) fn read_supporting(d: &Document, inv: &mut OwnedInventory) -> bool {
    let v = &d.value;
    let api = str_at(v, &["apiVersion"]).unwrap_or("");
    let kind = str_at(v, &["kind"]).unwrap_or("");
    let name = str_at(v, &["metadata", "name"]).unwrap_or("").to_string();
    let ns = namespace_of(d);
    let origin = Origin::Document {
        file: d.file.clone(),
        line: d.line,
        object: format!("{kind} {ns}/{name}"),
    };
    let secret = |name: String, keys: Option<usize>| SecretInfo {
        namespace: ns.clone(),
        name,
        keys,
    };
    match (api, kind) {
        ("v1", "Secret") => {
            let mut keys: Vec<&String> =
                keys_of(v, "data").chain(keys_of(v, "stringData")).collect();
            keys.sort();
            keys.dedup();
            inv.secrets
                .push(Located::new(secret(name.clone(), Some(keys.len())), origin));
        }
        (api, "ExternalSecret") if api.starts_with("external-secrets.io/") => {
            // What it templates is not known until it runs: its key count is not judged.
            let target =
                str_at(v, &["spec", "target", "name"]).map_or(name.clone(), str::to_string);
            // Where its template writes an rclone remote, the remote's name is known.
            let templates = v
                .pointer("/spec/target/template/data")
                .and_then(Value::as_object);
            if let Some(templates) = templates.filter(|t| t.len() == 1) {
                for text in templates.values().filter_map(Value::as_str) {
                    if let Some(remote) = templated_remote_name(text) {
                        inv.secret_remotes.push(Located::new(
                            SecretRemote {
                                namespace: ns.clone(),
                                secret: target.clone(),
                                remote,
                            },
                            origin.clone(),
                        ));
                    }
                }
            }
            inv.secrets.push(Located::new(secret(target, None), origin));
        }
        (api, "SealedSecret") if api.starts_with("bitnami.com/") => {
            // Each encrypted item becomes one key of the Secret.
            let keys = v
                .pointer("/spec/encryptedData")
                .and_then(Value::as_object)
                .map(|m| m.len());
            inv.secrets
                .push(Located::new(secret(name.clone(), keys), origin));
        }
        (api, "KafkaUser") if api.starts_with("kafka.strimzi.io/") => {
            let acls = v
                .pointer("/spec/authorization/acls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|a| str_at(a, &["type"]).unwrap_or("allow") == "allow")
                .map(|a| KafkaAcl {
                    resource: str_at(a, &["resource", "type"]).unwrap_or("").to_string(),
                    name: str_at(a, &["resource", "name"]).unwrap_or("").to_string(),
                    prefix: str_at(a, &["resource", "patternType"]) == Some("prefix"),
                    operations: a
                        .get("operations")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                })
                .collect();
            inv.kafka_users.push(Located::new(
                KafkaUserInfo {
                    namespace: ns.clone(),
                    name: name.clone(),
                    acls,
                },
                origin,
            ));
        }
        ("v1", "ResourceQuota") => {
            // A quota with scopes counts only some pods; it is not judged.
            let scoped =
                v.pointer("/spec/scopes").is_some() || v.pointer("/spec/scopeSelector").is_some();
            let hard = v
                .pointer("/spec/hard")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(resource, value)| {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some(QuotaLimit {
                        resource: resource.clone(),
                        value: Quantity::new(text),
                        field: format!("hard.{resource}"),
                    })
                })
                .collect();
            if !scoped {
                inv.quotas.push(Located::new(
                    QuotaInfo {
                        namespace: ns.clone(),
                        name: name.clone(),
                        hard,
                    },
                    origin,
                ));
            }
        }
        _ => return false,
    }
    true
}

/// The `name` of an rclone remote written by a template (`{{ … }}` actions stand for
/// values read from the store), if the text is one: JSON or YAML `{name, type, …}`.
fn templated_remote_name(template: &str) -> Option<String> {
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}")? + start;
        text.push_str(&rest[..start]);
        text.push_str("\"\"");
        rest = &rest[end + 2..];
    }
    text.push_str(rest);
    let value: Value = serde_saphyr::from_str(&text).ok()?;
    value.get("type")?;
    value.get("name")?.as_str().map(str::to_string)
}

/// Resources of a container in a tree (quantities as strings or numbers).
pub(crate) fn resources_of(c: &Value) -> Resources {
    let map = |field: &str| {
        c.pointer(&format!("/resources/{field}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.clone(), Quantity::new(text)))
            })
            .collect()
    };
    Resources {
        requests: map("requests"),
        limits: map("limits"),
    }
}

/// A ServerConfig from the tree: capabilities from the agent's SELDON_SERVER_CAPABILITIES,
/// every container with its resources, and as inference container the last one other
/// than agent and rclone.
pub(crate) fn server_config_info(v: &Value, name: &str) -> ServerConfigInfo {
    let containers = v
        .pointer("/spec/podSpec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut capabilities = Vec::new();
    let mut container = name.to_string();
    let mut all = Vec::new();
    for c in &containers {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
        for env in c.get("env").and_then(Value::as_array).into_iter().flatten() {
            if env.get("name").and_then(Value::as_str) == Some("SELDON_SERVER_CAPABILITIES")
                && let Some(list) = env.get("value").and_then(Value::as_str)
            {
                capabilities = list.split(',').map(|s| s.trim().to_string()).collect();
            }
        }
        if cname != "agent" && cname != "rclone" {
            container = cname.to_string();
        }
        all.push(ContainerResources {
            name: cname.to_string(),
            resources: resources_of(c),
        });
    }
    ServerConfigInfo {
        name: name.to_string(),
        capabilities,
        container,
        containers: all,
        overcommit_percent: DEFAULT_OVERCOMMIT_PERCENT,
    }
}
