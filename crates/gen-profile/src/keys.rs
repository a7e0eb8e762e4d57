//! Unknown keys and wrong types, found by walking the located tree alongside the profile's
//! JSON Schema, so that every misspelt key and mistyped value is reported at once, with a
//! suggestion, before the typed parse.

use serde_json::Value;

use crate::diagnostic::{CREDENTIAL, Diagnostic, INVALID_VALUE, TOO_LONG, UNKNOWN_KEY, at};
use crate::source::{At, Node, Scalar, position};

/// Report every key that the schema does not allow.
pub fn unknown_keys(root: &At<Node>, schema: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut cache = Cache {
        root: schema,
        resolved: std::collections::HashMap::new(),
    };
    walk(root, schema, &mut cache, &mut String::new(), &mut out);
    out
}

/// The schema with `$ref`s resolved and `anyOf`/`oneOf`/`allOf` flattened.
pub(crate) fn variants<'a>(
    schema: &'a Value,
    root: &'a Value,
    out: &mut Vec<&'a Value>,
    depth: usize,
) {
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

/// What the walk needs to know about one schema, computed once per schema node.
struct Resolved<'a> {
    properties: Vec<(&'a str, &'a Value)>,
    additional: Option<&'a Value>,
    items: Option<&'a Value>,
    types: Vec<&'a str>,
    allowed: Vec<&'a str>,
}

impl<'a> Resolved<'a> {
    fn new(schema: &'a Value, root: &'a Value) -> Self {
        let mut vs = Vec::new();
        variants(schema, root, &mut vs, 0);
        Resolved {
            properties: vs
                .iter()
                .filter_map(|v| v.get("properties")?.as_object())
                .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
                .collect(),
            additional: vs
                .iter()
                .find_map(|v| v.get("additionalProperties").filter(|a| a.is_object())),
            items: vs.iter().find_map(|v| v.get("items")),
            types: types(&vs),
            allowed: allowed_strings(&vs),
        }
    }
}

/// Resolved schemas by address: the schema tree lives as long as the walk.
struct Cache<'a> {
    root: &'a Value,
    resolved: std::collections::HashMap<usize, std::rc::Rc<Resolved<'a>>>,
}

impl<'a> Cache<'a> {
    fn get(&mut self, schema: &'a Value) -> std::rc::Rc<Resolved<'a>> {
        let root = self.root;
        self.resolved
            .entry(schema as *const Value as usize)
            .or_insert_with(|| std::rc::Rc::new(Resolved::new(schema, root)))
            .clone()
    }
}

/// The JSON types a schema allows (empty: anything).
fn types<'a>(vs: &[&'a Value]) -> Vec<&'a str> {
    let mut t = Vec::new();
    for v in vs {
        match v.get("type") {
            Some(Value::String(s)) => t.push(s.as_str()),
            Some(Value::Array(a)) => t.extend(a.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    t
}

/// The string values a schema allows (`enum`, `const`), if it restricts them.
fn allowed_strings<'a>(vs: &[&'a Value]) -> Vec<&'a str> {
    let mut a = Vec::new();
    for v in vs {
        if let Some(list) = v.get("enum").and_then(Value::as_array) {
            a.extend(list.iter().filter_map(Value::as_str));
        }
        if let Some(c) = v.get("const").and_then(Value::as_str) {
            a.push(c);
        }
    }
    a
}

fn type_name(t: &str) -> &str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "nothing",
        other => other,
    }
}

/// A diagnostic when `node` cannot have the schema's type.
fn type_problem(node: &Node, r: &Resolved) -> Option<(String, String)> {
    let t = &r.types;
    let expected = || {
        let mut names: Vec<&str> = t
            .iter()
            .filter(|x| **x != "null")
            .map(|x| type_name(x))
            .collect();
        names.dedup();
        names.join(" or ")
    };
    let allowed = &r.allowed;
    match node {
        Node::Map(_) if !t.is_empty() && !t.contains(&"object") => Some((
            format!("expected {}, found a mapping", expected()),
            String::new(),
        )),
        Node::Seq(_) if !t.is_empty() && !t.contains(&"array") => Some((
            format!("expected {}, found a list", expected()),
            String::new(),
        )),
        Node::Null if !t.is_empty() && !t.contains(&"null") => Some((
            format!("expected {}, found nothing", expected()),
            "give a value, or remove the key".to_string(),
        )),
        Node::Scalar(s) => {
            if !allowed.is_empty() {
                let text = match s {
                    Scalar::Str(x) | Scalar::Int(x) | Scalar::Float(x) => x.to_string(),
                    Scalar::Bool(b) => b.to_string(),
                };
                if !allowed.contains(&text.as_str()) {
                    let help = match suggest(&text, allowed) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("use one of: {}", allowed.join(", ")),
                    };
                    return Some((
                        format!("{} is not one of: {}", s.describe(), allowed.join(", ")),
                        help,
                    ));
                }
                return None;
            }
            if t.is_empty() || t.contains(&"string") {
                return None;
            }
            let ok = match s {
                Scalar::Bool(_) => t.contains(&"boolean"),
                Scalar::Int(_) => t.contains(&"integer") || t.contains(&"number"),
                Scalar::Float(_) => t.contains(&"number"),
                Scalar::Str(_) => false,
            };
            (!ok).then(|| {
                (
                    format!("expected {}, found {}", expected(), s.describe()),
                    String::new(),
                )
            })
        }
        _ => None,
    }
}

/// The longest string value a profile may hold; longer ones are input errors.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

fn walk<'a>(
    node: &At<Node>,
    schema: &'a Value,
    cache: &mut Cache<'a>,
    path: &mut String,
    out: &mut Vec<Diagnostic>,
) {
    if let Node::Scalar(Scalar::Str(s)) = &node.value
        && s.len() > MAX_VALUE_BYTES
    {
        let (line, column) = position(node);
        let mut d = Diagnostic::new(
            &TOO_LONG,
            path.as_str(),
            format!(
                "`{path}` is a string of {} bytes; profile values are at most {MAX_VALUE_BYTES} bytes",
                s.len()
            ),
            "shorten the value; names are at most 63 characters",
        );
        d.location = Some(at(line, column));
        out.push(d);
        return;
    }
    let r = cache.get(schema);
    if let Some((message, help)) = type_problem(&node.value, &r) {
        let (line, column) = position(node);
        let help = if help.is_empty() {
            "`gen schema` prints what each key takes".to_string()
        } else {
            help
        };
        let subject = if path.is_empty() {
            "the profile".to_string()
        } else {
            format!("`{path}`")
        };
        let mut d = Diagnostic::new(
            &INVALID_VALUE,
            path.as_str(),
            format!("{subject}: {message}"),
            help,
        );
        d.location = Some(at(line, column));
        out.push(d);
        return;
    }
    let len = path.len();
    match &node.value {
        Node::Map(entries) => {
            if r.properties.is_empty() && r.additional.is_none() {
                return;
            }
            for (key, value) in entries {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key.value);
                if let Some((_, s)) = r.properties.iter().find(|(k, _)| *k == &*key.value) {
                    walk(value, s, cache, path, out);
                } else if let Some(s) = r.additional {
                    walk(value, s, cache, path, out);
                } else if looks_like_credential(&key.value) {
                    let (line, column) = position(key);
                    let mut d = Diagnostic::new(
                        &CREDENTIAL,
                        path.as_str(),
                        format!(
                            "key `{}` looks like a credential; gen never writes secret material into the bundle, which is committed to git",
                            key.value
                        ),
                        "store the value in a Secret in the cluster and reference it by name (e.g. a Model's secretName)",
                    );
                    d.location = Some(at(line, column));
                    out.push(d);
                } else {
                    let known: Vec<&str> = r.properties.iter().map(|(k, _)| *k).collect();
                    let (line, column) = position(key);
                    let help = match suggest(&key.value, &known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("allowed keys here: {}", known.join(", ")),
                    };
                    let parent = &path[..len];
                    let where_ = if parent.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in {parent}")
                    };
                    let mut d = Diagnostic::new(
                        &UNKNOWN_KEY,
                        path.as_str(),
                        format!("unknown key `{}` {where_}", key.value),
                        help,
                    );
                    d.location = Some(at(line, column));
                    out.push(d);
                }
                path.truncate(len);
            }
        }
        Node::Seq(items) => {
            if let Some(items_schema) = r.items {
                for (i, item) in items.iter().enumerate() {
                    use std::fmt::Write as _;
                    let _ = write!(path, "[{i}]");
                    walk(item, items_schema, cache, path, out);
                    path.truncate(len);
                }
            }
        }
        Node::Scalar(_) | Node::Null => {}
    }
}

/// Whether a key or parameter name looks like it holds a secret.
pub fn looks_like_credential(key: &str) -> bool {
    gen_seldon::rules::looks_like_credential(key)
}

/// The closest known key: the same ignoring case, or within a small edit distance.
pub fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    gen_seldon::names::suggest(key, known)
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
