//! The schema of an environment's override (`environments[].override`): the profile's own
//! schema, made partial. An override names only what differs, so nothing is required but
//! the `name` of each entry of a list (which says which entry it changes), and such an entry
//! may say `remove: true`. The conditions between keys (pattern shared or dedicated, an
//! engine needs a repoURL, a Model is not both explainer and LLM) hold of the merged
//! profile, which gen checks, not of the override alone. `name`, `pattern` and
//! `gitops.engine`/`gitops.path` cannot be overridden: every environment is the same
//! deployment, applied by the same engine, and gen places each environment's bundle.
//!
//! Each definition `X` the override reaches gets a partial copy `XPartial`, so editors
//! complete and check overrides as they do the profile, and the loader's unknown-key walk
//! reports a misspelt key in an override at its line.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::schema::OVERRIDE_DEF;

/// Top-level keys an override cannot set.
const FIXED_TOP: &[&str] = &["name", "pattern", "environments"];

/// `gitops` keys an override cannot set.
const FIXED_GITOPS: &[&str] = &["engine", "path"];

/// The suffix of a definition's partial copy: `ModelEntry` → `ModelEntryPartial`.
const PARTIAL: &str = "Partial";

/// The description of `remove` on an entry of an override.
const REMOVE: &str = "true drops the entry of this name from the base profile in this environment (give only name and remove)";

/// Add `$defs/ProfileOverride` and the partial copy of every definition it reaches.
pub(crate) fn add_override_defs(root: &mut Value, missing: &mut Vec<String>) {
    let Some(properties) = root.get("properties").and_then(Value::as_object) else {
        missing.push("properties".to_string());
        return;
    };
    let mut todo: Vec<String> = Vec::new();
    let mut props = Map::new();
    for (key, schema) in properties {
        if FIXED_TOP.contains(&key.as_str()) {
            continue;
        }
        props.insert(key.clone(), partial(schema, &mut todo));
    }
    let mut defs = Map::new();
    defs.insert(
        OVERRIDE_DEF.to_string(),
        json!({
            "description": "What differs from the base profile in this environment, with the profile's own keys",
            "type": "object",
            "properties": props,
            "additionalProperties": false,
        }),
    );
    let mut done: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let Some(original) = root.get("$defs").and_then(|d| d.get(&name)) else {
            missing.push(format!("$defs/{name}"));
            continue;
        };
        let mut copy = partial(original, &mut todo);
        if name == "GitOps"
            && let Some(p) = copy.get_mut("properties").and_then(Value::as_object_mut)
        {
            for key in FIXED_GITOPS {
                if p.remove(*key).is_none() {
                    missing.push(format!("GitOps.{key}"));
                }
            }
        }
        defs.insert(format!("{name}{PARTIAL}"), copy);
    }
    if let Some(all) = root.get_mut("$defs").and_then(Value::as_object_mut) {
        for (name, def) in defs {
            // A generated name that a profile type already has would replace its schema.
            if all.contains_key(&name) {
                missing.push(format!("$defs/{name} exists already"));
                continue;
            }
            all.insert(name, def);
        }
    }
}

/// A partial copy of `schema`: references point at partial copies (queued in `todo`), no
/// `required` but an entry's `name`, no conditions between keys, no defaults.
fn partial(schema: &Value, todo: &mut Vec<String>) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            let named = map
                .get("properties")
                .is_some_and(|p| p.get("name").is_some())
                && map
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|k| k == "name"));
            for (key, value) in map {
                match key.as_str() {
                    "$ref" => {
                        let target = value.as_str().unwrap_or_default();
                        match target.strip_prefix("#/$defs/") {
                            Some(def) => {
                                todo.push(def.to_string());
                                out.insert(key.clone(), json!(format!("#/$defs/{def}{PARTIAL}")));
                            }
                            None => {
                                out.insert(key.clone(), value.clone());
                            }
                        }
                    }
                    "required" | "default" => {}
                    // Conditions between keys: `if`/`then` pairs, and `not` of a set of keys
                    // (a condition on one value, such as a name pattern, stays).
                    "allOf" if is_condition_list(value) => {}
                    "not" if value.get("required").is_some() => {}
                    _ => {
                        out.insert(key.clone(), partial(value, todo));
                    }
                }
            }
            if named {
                out.insert("required".to_string(), json!(["name"]));
                if let Some(Value::Object(p)) = out.get_mut("properties") {
                    p.insert(
                        "remove".to_string(),
                        json!({"description": REMOVE, "const": true}),
                    );
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| partial(v, todo)).collect()),
        other => other.clone(),
    }
}

/// Whether an `allOf` holds only `if`/`then` conditions (as `schema::conditions` writes
/// them).
fn is_condition_list(value: &Value) -> bool {
    value
        .as_array()
        .is_some_and(|list| list.iter().all(|c| c.get("if").is_some()))
}
