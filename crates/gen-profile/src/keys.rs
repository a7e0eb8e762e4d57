//! Unknown keys, found by walking the located tree alongside the profile's JSON Schema,
//! so that every misspelt key is reported at once with a suggestion.

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::diagnostic::Diagnostic;
use crate::source::{Node, join_key, position};

/// Report every key that the schema does not allow.
pub fn unknown_keys(root: &Spanned<Node>, schema: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    walk(root, schema, schema, "", &mut out);
    out
}

/// The schema with `$ref`s resolved and `anyOf`/`oneOf`/`allOf` flattened.
fn variants<'a>(schema: &'a Value, root: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 32 {
        return;
    }
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => match r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs")?.get(name))
        {
            Some(s) => s,
            None => return,
        },
        None => schema,
    };
    out.push(schema);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            for s in list {
                variants(s, root, out, depth + 1);
            }
        }
    }
}

fn walk(node: &Spanned<Node>, schema: &Value, root: &Value, path: &str, out: &mut Vec<Diagnostic>) {
    let mut vs = Vec::new();
    variants(schema, root, &mut vs, 0);
    match &node.value {
        Node::Map(entries) => {
            let props: Vec<(&String, &Value)> = vs
                .iter()
                .filter_map(|v| v.get("properties")?.as_object())
                .flat_map(|m| m.iter())
                .collect();
            let additional = vs
                .iter()
                .find_map(|v| v.get("additionalProperties").filter(|a| a.is_object()));
            if props.is_empty() && additional.is_none() {
                return;
            }
            for (key, value) in entries {
                let child = join_key(path, &key.value);
                if let Some((_, s)) = props.iter().find(|(k, _)| **k == key.value) {
                    walk(value, s, root, &child, out);
                } else if let Some(s) = additional {
                    walk(value, s, root, &child, out);
                } else if looks_like_credential(&key.value) {
                    let (line, column) = position(key);
                    let mut d = Diagnostic::error(
                        "credential",
                        child,
                        format!(
                            "key `{}` looks like a credential; gen never writes secret material into the bundle, which is committed to git",
                            key.value
                        ),
                        "store the value in a Secret in the cluster and reference it by name (e.g. a Model's secretName)",
                    );
                    d.line = line;
                    d.column = column;
                    out.push(d);
                } else {
                    let known: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
                    let (line, column) = position(key);
                    let help = match suggest(&key.value, &known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("allowed keys here: {}", known.join(", ")),
                    };
                    let where_ = if path.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in {path}")
                    };
                    let mut d = Diagnostic::error(
                        "unknown-key",
                        child,
                        format!("unknown key `{}` {where_}", key.value),
                        help,
                    );
                    d.line = line;
                    d.column = column;
                    out.push(d);
                }
            }
        }
        Node::Seq(items) => {
            if let Some(items_schema) = vs.iter().find_map(|v| v.get("items")) {
                for (i, item) in items.iter().enumerate() {
                    walk(item, items_schema, root, &format!("{path}[{i}]"), out);
                }
            }
        }
        Node::Scalar | Node::Null => {}
    }
}

/// Whether a key or parameter name looks like it holds a secret.
pub fn looks_like_credential(key: &str) -> bool {
    gen_seldon::rules::looks_like_credential(key)
}

/// The closest known key: the same ignoring case, or within a small edit distance.
pub fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("patern", &["name", "pattern", "platform"]),
            Some("pattern")
        );
        assert_eq!(
            suggest("storageURI", &["storageUri", "server"]),
            Some("storageUri")
        );
        assert_eq!(suggest("zzzzzz", &["name", "pattern"]), None);
    }
}
