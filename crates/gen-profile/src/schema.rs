//! The profile's JSON Schema, generated from the types, then tightened so that an editor
//! rejects what gen rejects wherever JSON Schema can say it: unknown keys in every
//! mapping, names, owners and quantities by pattern, integer ranges, and the rules that
//! tie one key to another (pattern shared or dedicated, a GitOps engine needs a repoURL).
//!
//! The loader's unknown-key walk ([`crate::keys`]) reads the same schema, but only its
//! `properties`, `items`, `type` and `enum`/`const`: patterns, ranges and conditions are
//! for editors, and gen's own rules report those problems with more to say (the
//! `invalid-name`, `seldon-version`, `pattern-mismatch` … diagnostics, exit 1).

use serde_json::{Map, Value, json};

use crate::types::Profile;

/// A DNS-1123 label (with `maxLength: 63`): what `gen_seldon::names::label_problem`
/// accepts.
pub const DNS_LABEL: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// A DNS-1123 subdomain (with `maxLength: 253`): the names of Secrets, Gateways, Kafka
/// clusters.
pub const DNS_SUBDOMAIN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// A Gateway API hostname: a DNS-1123 subdomain, optionally with a leading `*.` label.
pub const HOSTNAME: &str =
    r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// An owner: `group:NAME` or `user:NAME`, NAME without whitespace.
pub const OWNER: &str = r"^(group|user):\S+$";

/// A kind as templates.admit names it: `Kind` for the core API group, `group/Kind` otherwise.
pub const GROUP_KIND: &str = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Z][A-Za-z0-9]*$";

/// The one Seldon release gen renders ([`crate::SELDON_VERSION`], dots escaped).
pub const SELDON_VERSION_PATTERN: &str = r"^2\.10\.2$";

/// The definition of an environment's override: the profile's schema with nothing
/// required but the names of entries (see [`crate::schema_override`]).
pub const OVERRIDE_DEF: &str = "ProfileOverride";

/// The profile JSON Schema (draft 2020-12).
pub fn profile_schema() -> schemars::Schema {
    schemars::Schema::try_from(profile_schema_value().clone()).unwrap_or_default()
}

/// The schema as JSON, for walking; generated once per process.
pub fn profile_schema_value() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| tightened().0)
}

/// The schema as pretty JSON text with a trailing newline, as committed in
/// `schema/profile.schema.json`.
pub fn profile_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(profile_schema_value()).unwrap_or_default();
    text.push('\n');
    text
}

/// The generated schema with every tightening applied, and the tightenings that found
/// nothing to apply to (a renamed type or field; a test keeps this empty).
#[doc(hidden)]
pub fn tightened() -> (Value, Vec<String>) {
    let mut root = schemars::schema_for!(Profile).to_value();
    close_and_bound(&mut root);
    let mut missing = Vec::new();
    cross_key_rules(&mut root, &mut missing);
    seldon_rules(&mut root, &mut missing);
    crate::schema_override::add_override_defs(&mut root, &mut missing);
    (root, missing)
}

/// Every mapping with known keys allows no others (serde's `flatten`, used by the Model,
/// Server, Pipeline and Experiment entries, leaves them open); every 32-bit integer gets
/// its range (serde refuses values outside it).
fn close_and_bound(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            let range = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("uint32") => Some((0, i64::from(u32::MAX))),
                _ => None,
            };
            if let Some((min, max)) = range {
                map.entry("minimum").or_insert(json!(min));
                map.entry("maximum").or_insert(json!(max));
            }
            for value in map.values_mut() {
                close_and_bound(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_and_bound),
        _ => {}
    }
}

/// The definition `name` under `$defs`.
fn def<'a>(
    root: &'a mut Value,
    name: &str,
    missing: &mut Vec<String>,
) -> Option<&'a mut Map<String, Value>> {
    let found = root
        .get_mut("$defs")
        .and_then(|d| d.get_mut(name))
        .and_then(Value::as_object_mut);
    if found.is_none() {
        missing.push(format!("$defs/{name}"));
    }
    found
}

/// Merge `keywords` into property `prop` of definition `name` (or of the root, for `""`).
fn constrain(root: &mut Value, name: &str, prop: &str, keywords: Value, missing: &mut Vec<String>) {
    let target = if name.is_empty() {
        root.as_object_mut()
    } else {
        def(root, name, missing)
    };
    let Some(property) = target
        .and_then(|d| d.get_mut("properties"))
        .and_then(|p| p.get_mut(prop))
        .and_then(Value::as_object_mut)
    else {
        missing.push(format!("{name}.{prop}"));
        return;
    };
    if let Value::Object(k) = keywords {
        property.extend(k);
    }
}

/// Add the `if`/`then` pairs to definition `name` (or the root, for `""`).
fn conditions(root: &mut Value, name: &str, rules: Vec<Value>, missing: &mut Vec<String>) {
    let target = if name.is_empty() {
        root.as_object_mut()
    } else {
        def(root, name, missing)
    };
    if let Some(target) = target {
        target.insert("allOf".into(), Value::Array(rules));
    }
}

/// Rules between keys of the profile itself (`gen_profile::check`).
fn cross_key_rules(root: &mut Value, missing: &mut Vec<String>) {
    let pattern_is =
        |p: &str| json!({"properties": {"pattern": {"const": p}}, "required": ["pattern"]});
    conditions(
        root,
        "",
        vec![
            json!({
                "if": pattern_is("shared"),
                "then": {"properties": {
                    "tenants": {"maxItems": 0},
                    "applications": {"items": {"properties": {"tenant": {"type": "null"}}}}
                }}
            }),
            json!({
                "if": pattern_is("dedicated"),
                "then": {
                    "required": ["tenants"],
                    "properties": {
                        "tenants": {"minItems": 1},
                        "platform": {"properties": {
                            "runtime": {"type": "null"},
                            "servers": {"maxItems": 0}
                        }},
                        "applications": {"items": {
                            "required": ["tenant"],
                            "properties": {"tenant": {"type": "string"}}
                        }}
                    }
                }
            }),
        ],
        missing,
    );
    conditions(
        root,
        "GitOps",
        vec![json!({
            "if": {"properties": {"engine": {"enum": ["argocd", "flux"]}}, "required": ["engine"]},
            "then": {"required": ["repoURL"], "properties": {"repoURL": {"type": "string", "minLength": 1}}}
        })],
        missing,
    );
}

/// The Seldon rules (`gen_seldon::rules`) that hold for one entry on its own.
fn seldon_rules(root: &mut Value, missing: &mut Vec<String>) {
    let scheme = gen_seldon::rules::STORAGE_SCHEMES.join("|");
    constrain(
        root,
        "ModelEntry",
        "storageUri",
        json!({
            "pattern": format!("^(/.*|({scheme})://[^/?#@]+([/?#].*)?)$"),
            "not": {"pattern": format!(
                "^[^/].*[?&]({})(=|&|#|$)",
                gen_seldon::rules::CREDENTIAL_PARAMS
                    .iter()
                    .map(|p| any_case(p))
                    .collect::<Vec<_>>()
                    .join("|")
            )}
        }),
        missing,
    );
    for entry in ["ModelEntry", "ServerEntry"] {
        for field in ["replicas", "minReplicas", "maxReplicas"] {
            constrain(root, entry, field, json!({"minimum": 0}), missing);
        }
    }
    if let Some(model) = def(root, "ModelEntry", missing) {
        model.insert("not".into(), json!({"required": ["explainer", "llm"]}));
    }
    constrain(
        root,
        "PipelineEntry",
        "steps",
        json!({"minItems": 1}),
        missing,
    );
    // A profile's runtimes can only use the SeldonConfig the setup chart installs.
    constrain(
        root,
        "RuntimeSettings",
        "seldonConfig",
        json!({"pattern": format!("^{}$", gen_seldon::catalog::DEFAULT_SELDON_CONFIG)}),
        missing,
    );
    conditions(
        root,
        "ExperimentEntry",
        vec![
            json!({
                "if": {"properties": {"candidates": {"maxItems": 0}}, "required": ["candidates"]},
                "then": {"required": ["mirror"], "properties": {"mirror": {"type": "object"}}}
            }),
            json!({
                "if": {"properties": {"candidates": {"minItems": 1}}, "required": ["candidates"]},
                "then": {"properties": {"candidates": {"contains": {
                    "properties": {"weight": {"exclusiveMinimum": 0}},
                    "required": ["weight"]
                }}}}
            }),
        ],
        missing,
    );
    constrain(
        root,
        "Candidate",
        "weight",
        json!({"maximum": i32::MAX}),
        missing,
    );
    constrain(root, "Mirror", "percent", json!({"maximum": 100}), missing);
    let sep = "[^A-Za-z0-9]*";
    let spelled = |w: &str| {
        w.chars()
            .map(|c| any_case(&c.to_string()))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let words = gen_seldon::rules::CREDENTIAL_WORDS
        .iter()
        .map(|w| spelled(w))
        .collect::<Vec<_>>()
        .join("|");
    let exempt = gen_seldon::rules::CREDENTIAL_EXEMPT_SUFFIXES
        .iter()
        .map(|w| spelled(w))
        .collect::<Vec<_>>()
        .join("|");
    constrain(
        root,
        "Parameter",
        "name",
        json!({
            "if": {"pattern": format!("({words})")},
            "then": {"pattern": format!("({exempt}){sep}$")}
        }),
        missing,
    );
}

/// `text` as a pattern that matches it in any ASCII case (JSON Schema patterns take no
/// flags): `sig` → `[sS][iI][gG]`; regex syntax characters escaped.
fn any_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else if r".^$*+?()[]{}|\/".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tightening_found_its_target() {
        assert_eq!(tightened().1, Vec::<String>::new());
    }

    #[test]
    fn the_version_pattern_is_the_supported_version() {
        assert_eq!(
            SELDON_VERSION_PATTERN,
            format!("^{}$", crate::SELDON_VERSION.replace('.', r"\."))
        );
    }
}
