//! What promoting one environment to another changes, object by object: the objects only
//! the target has (added), only the source has (removed), and for each object both have,
//! every field that differs. Lists of named entries (containers, overrides, steps,
//! candidates, parameters) are compared entry by entry by name; other lists as a whole.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::objects::{Id, Object};

/// One field that differs; `None` where one side does not set it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// `spec.replicas`, `spec.overrides[name=seldon-envoy].replicas`, …
    pub path: String,
    pub from: Option<Value>,
    pub to: Option<Value>,
}

/// What happens to one object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Change {
    Added {
        object: Id,
        file: String,
    },
    Removed {
        object: Id,
        file: String,
    },
    Changed {
        object: Id,
        file: String,
        fields: Vec<FieldChange>,
    },
}

impl Change {
    pub fn object(&self) -> &Id {
        match self {
            Change::Added { object, .. }
            | Change::Removed { object, .. }
            | Change::Changed { object, .. } => object,
        }
    }
}

/// The difference between two environments' objects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Promotion {
    pub from: String,
    pub to: String,
    /// In object order (kind, namespace, name, by API group first).
    pub changes: Vec<Change>,
}

/// What promoting `from` (named `from_name`) to `to` changes.
pub fn diff(from_name: &str, from: &[Object], to_name: &str, to: &[Object]) -> Promotion {
    let a: BTreeMap<&Id, &Object> = from.iter().map(|o| (&o.id, o)).collect();
    let b: BTreeMap<&Id, &Object> = to.iter().map(|o| (&o.id, o)).collect();
    let mut changes = Vec::new();
    let mut ids: Vec<&Id> = a.keys().chain(b.keys()).copied().collect();
    ids.sort_by(|x, y| {
        (&x.kind, &x.namespace, &x.name, &x.group).cmp(&(&y.kind, &y.namespace, &y.name, &y.group))
    });
    ids.dedup();
    for id in ids {
        match (a.get(id), b.get(id)) {
            (None, Some(o)) => changes.push(Change::Added {
                object: id.clone(),
                file: o.file.clone(),
            }),
            (Some(o), None) => changes.push(Change::Removed {
                object: id.clone(),
                file: o.file.clone(),
            }),
            (Some(x), Some(y)) => {
                let mut fields = Vec::new();
                compare(
                    &mut String::new(),
                    Some(&x.value),
                    Some(&y.value),
                    &mut fields,
                );
                if !fields.is_empty() {
                    changes.push(Change::Changed {
                        object: id.clone(),
                        file: y.file.clone(),
                        fields,
                    });
                }
            }
            (None, None) => {}
        }
    }
    Promotion {
        from: from_name.to_string(),
        to: to_name.to_string(),
        changes,
    }
}

/// The `name` of every entry, if every entry of the list has one (and no two share it).
fn names(list: &[Value]) -> Option<Vec<&str>> {
    let names: Vec<&str> = list
        .iter()
        .map(|v| v.get("name").and_then(Value::as_str))
        .collect::<Option<_>>()?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len()).then_some(names)
}

fn compare(path: &mut String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    if a == b {
        return;
    }
    let len = path.len();
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                compare(path, x.get(k), y.get(k), out);
                path.truncate(len);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if !x.is_empty() && !y.is_empty() => {
            match (names(x), names(y)) {
                (Some(nx), Some(ny)) => {
                    let mut all: Vec<&str> = nx.clone();
                    all.extend(ny.iter().filter(|n| !nx.contains(n)));
                    for n in all {
                        path.push_str(&format!("[name={n}]"));
                        let from = nx.iter().position(|m| *m == n).map(|i| &x[i]);
                        let to = ny.iter().position(|m| *m == n).map(|i| &y[i]);
                        compare(path, from, to, out);
                        path.truncate(len);
                    }
                }
                _ => out.push(FieldChange {
                    path: path.clone(),
                    from: a.cloned(),
                    to: b.cloned(),
                }),
            }
        }
        _ => out.push(FieldChange {
            path: path.clone(),
            from: a.cloned(),
            to: b.cloned(),
        }),
    }
}

/// A value on one line: strings as they are, anything else as compact JSON.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Promotion {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The counts: changed, added, removed.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.changes
            .iter()
            .fold((0, 0, 0), |(c, a, r), ch| match ch {
                Change::Changed { .. } => (c + 1, a, r),
                Change::Added { .. } => (c, a + 1, r),
                Change::Removed { .. } => (c, a, r + 1),
            })
    }

    /// For people and pull requests: one line per added (`+`) or removed (`-`) object, and
    /// per changed object (`~`) its fields, old value (`-`) then new (`+`), as a fenced
    /// `diff` block shows in colour; then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            match change {
                Change::Added { object, file } => {
                    out.push_str(&format!("+ {object}  ({file})\n"));
                }
                Change::Removed { object, file } => {
                    out.push_str(&format!("- {object}  ({file})\n"));
                }
                Change::Changed {
                    object,
                    file,
                    fields,
                } => {
                    out.push_str(&format!("~ {object}  ({file})\n"));
                    for f in fields {
                        if let Some(v) = &f.from {
                            out.push_str(&format!("-     {}: {}\n", f.path, show(v)));
                        }
                        if let Some(v) = &f.to {
                            out.push_str(&format!("+     {}: {}\n", f.path, show(v)));
                        }
                    }
                }
            }
        }
        let (c, a, r) = self.counts();
        if self.is_empty() {
            out.push_str(&format!(
                "promoting {} to {} changes nothing\n",
                self.from, self.to
            ));
        } else {
            out.push_str(&format!(
                "promoting {} to {}: {c} changed, {a} added, {r} removed\n",
                self.from, self.to
            ));
        }
        out
    }
}
