//! The CustomResourceDefinitions a profile points at (`templates.crds`): read without
//! following links, and each served version's `openAPIV3Schema` turned into a JSON Schema
//! that rejects what the API server would reject or prune.

use std::collections::BTreeMap;
use std::sync::Arc;

use camino::Utf8Path;
use gen_diagnostics::{Diagnostic, Location};

use crate::kinds::{Catalog, Crd, Problem, TEMPLATE_CRD};

/// Why a CustomResourceDefinition cannot be used.
#[derive(Debug, thiserror::Error)]
enum CrdError {
    #[error("is not apiextensions.k8s.io/v1")]
    NotV1,
    #[error("has no {0}")]
    Missing(&'static str),
    #[error("has a version without a name")]
    VersionWithoutName,
    #[error("version {0} has no schema.openAPIV3Schema")]
    NoSchema(String),
    #[error("version {version}: its schema does not compile: {reason}")]
    Schema { version: String, reason: String },
    #[error("serves no version")]
    NoVersion,
}

impl Catalog {
    /// Read the CRDs of every file (`.yaml`, `.yml`) at or under each path; `display` turns
    /// a path into how messages name it. Every problem is reported at once.
    pub fn load(paths: &[(camino::Utf8PathBuf, String)]) -> Result<Catalog, Vec<Diagnostic>> {
        let mut catalog = Catalog::new();
        let mut problems = Vec::new();
        for (path, display) in paths {
            let walk = walkdir::WalkDir::new(path)
                .follow_links(false)
                .sort_by_file_name();
            for entry in walk {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        problems.push(crd_problem(display, format!("cannot be read: {e}")));
                        continue;
                    }
                };
                let rel = entry
                    .path()
                    .strip_prefix(path.as_std_path())
                    .ok()
                    .and_then(|p| p.to_str())
                    .unwrap_or("");
                let file = if rel.is_empty() {
                    display.clone()
                } else {
                    Utf8Path::new(display).join(rel).to_string()
                };
                if entry.path_is_symlink() {
                    problems.push(crd_problem(
                        &file,
                        "is a symbolic link; gen follows no links".to_string(),
                    ));
                    continue;
                }
                let name = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file()
                    || !(name.ends_with(".yaml") || name.ends_with(".yml"))
                {
                    continue;
                }
                match std::fs::read_to_string(entry.path()) {
                    Ok(text) => {
                        if let Err(d) = catalog.add_crds(&file, &text) {
                            problems.extend(d);
                        }
                    }
                    Err(e) => problems.push(crd_problem(&file, format!("cannot be read: {e}"))),
                }
            }
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    /// Add the CustomResourceDefinitions of one YAML text (other kinds are skipped).
    pub fn add_crds(&mut self, file: &str, text: &str) -> Result<(), Vec<Diagnostic>> {
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
            .map_err(|e| vec![crd_problem(file, format!("is not valid YAML: {e}"))])?;
        let mut problems = Vec::new();
        for doc in docs {
            if doc.get("kind").and_then(|k| k.as_str()) != Some("CustomResourceDefinition") {
                continue;
            }
            if let Err(reason) = self.add_crd(&doc) {
                let name = doc
                    .pointer("/metadata/name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?");
                problems.push(crd_problem(
                    file,
                    format!("CustomResourceDefinition {name}: {reason}"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn add_crd(&mut self, doc: &serde_json::Value) -> Result<(), CrdError> {
        let s = |p: &str| doc.pointer(p).and_then(|v| v.as_str()).map(str::to_string);
        if s("/apiVersion").as_deref() != Some("apiextensions.k8s.io/v1") {
            return Err(CrdError::NotV1);
        }
        let group = s("/spec/group").ok_or(CrdError::Missing("spec.group"))?;
        let kind = s("/spec/names/kind").ok_or(CrdError::Missing("spec.names.kind"))?;
        let plural = s("/spec/names/plural").ok_or(CrdError::Missing("spec.names.plural"))?;
        let namespaced = match s("/spec/scope").as_deref() {
            Some("Namespaced") => true,
            Some("Cluster") => false,
            _ => return Err(CrdError::Missing("spec.scope Namespaced or Cluster")),
        };
        let mut versions = BTreeMap::new();
        for v in doc
            .pointer("/spec/versions")
            .and_then(|v| v.as_array())
            .ok_or(CrdError::Missing("spec.versions"))?
        {
            if v.get("served").and_then(|s| s.as_bool()) != Some(true) {
                continue;
            }
            let name = v
                .get("name")
                .and_then(|n| n.as_str())
                .ok_or(CrdError::VersionWithoutName)?;
            let schema = v
                .pointer("/schema/openAPIV3Schema")
                .ok_or_else(|| CrdError::NoSchema(name.to_string()))?;
            let validator =
                jsonschema::draft4::new(&to_json_schema(schema, true)).map_err(|e| {
                    CrdError::Schema {
                        version: name.to_string(),
                        reason: e.to_string(),
                    }
                })?;
            versions.insert(name.to_string(), Arc::new(validator));
        }
        if versions.is_empty() {
            return Err(CrdError::NoVersion);
        }
        self.crds.insert(
            (group, kind),
            Crd {
                plural,
                namespaced,
                versions,
            },
        );
        Ok(())
    }
}

fn crd_problem(file: &str, reason: String) -> Diagnostic {
    Diagnostic::new(
        &TEMPLATE_CRD,
        "templates.crds",
        format!("{file} {reason}"),
        "point templates.crds at the CustomResourceDefinition files the operator publishes",
    )
    .at(Location {
        file: file.to_string(),
        line: 0,
        column: 0,
    })
}

/// A CRD's OpenAPI v3.0 structural schema as a JSON Schema (draft 4) that the API server's
/// behaviour agrees with: `nullable` admits null, `x-kubernetes-int-or-string` an integer
/// or a string, and an object with `properties` admits no other field unless it preserves
/// unknown fields. `metadata` at the root is left to the ObjectMeta check.
fn to_json_schema(schema: &serde_json::Value, root: bool) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        match k.as_str() {
            "properties" => {
                let props: Map<String, Value> = v
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(name, s)| {
                                if root && name == "metadata" {
                                    (name.clone(), json!({"type": "object"}))
                                } else {
                                    (name.clone(), to_json_schema(s, false))
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" if v.is_object() => {
                out.insert(k.clone(), to_json_schema(v, false));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = v
                    .as_array()
                    .map(|l| l.iter().map(|s| to_json_schema(s, false)).collect())
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Array(list));
            }
            k if k.starts_with("x-kubernetes-") || k == "nullable" || k == "format" => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let flag = |name: &str| map.get(name).and_then(Value::as_bool) == Some(true);
    if map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !flag("x-kubernetes-preserve-unknown-fields")
    {
        out.insert("additionalProperties".to_string(), Value::Bool(false));
    }
    if root {
        // Every object has these, whatever the CRD's schema lists.
        if let Some(Value::Object(props)) = out.get_mut("properties") {
            for f in ["apiVersion", "kind"] {
                props.entry(f).or_insert(json!({"type": "string"}));
            }
            props.entry("metadata").or_insert(json!({"type": "object"}));
        }
    }
    let mut schema = Value::Object(out);
    if flag("x-kubernetes-int-or-string") {
        if let Value::Object(m) = &mut schema {
            m.remove("type");
        }
        schema = json!({"allOf": [schema, {"anyOf": [{"type": "integer"}, {"type": "string"}]}]});
    }
    if flag("nullable") {
        schema = json!({"anyOf": [schema, {"type": "null"}]});
    }
    schema
}

/// Check a custom resource against its CRD schema.
pub fn check_crd(validator: &jsonschema::Validator, object: &serde_json::Value) -> Vec<Problem> {
    validator
        .iter_errors(object)
        .map(|e| Problem {
            path: pointer_to_path(e.instance_path().as_str()),
            message: e.to_string(),
        })
        .collect()
}

/// `/spec/ports/0/name` → `spec.ports[0].name`.
fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pointers_become_paths() {
        assert_eq!(
            super::pointer_to_path("/spec/ports/0/name"),
            "spec.ports[0].name"
        );
        assert_eq!(super::pointer_to_path(""), "");
    }
}
