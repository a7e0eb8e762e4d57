//! Reading a render back: YAML documents, each a Kubernetes object gen can write, in the
//! namespace of its instance, of a kind the profile admits, fitting its kind's schema.
//! gen fills in the namespace and its own labels.

use std::collections::BTreeSet;

use gen_diagnostics::{Diagnostic, Rule};

use crate::admit::Admit;
use crate::context::{Instance, MANAGED_BY};
use crate::kinds::{Catalog, Lookup, Schema, Source, TEMPLATE_SCHEMA, TEMPLATE_UNKNOWN_KIND};
use crate::render::{
    Request, TEMPLATE_ADMIT, TEMPLATE_NAMESPACE, TEMPLATE_OUTPUT, TemplateObject, at,
};
use crate::value::Value;

/// Reads one render's output back as objects.
pub(crate) struct Reader<'a> {
    pub(crate) file: &'a str,
    pub(crate) template: &'a str,
    pub(crate) instance: &'a Instance,
    pub(crate) req: &'a Request<'a>,
}

/// Budgets for reading a render back: its size is bounded already; aliases may not
/// multiply it.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.alias_limits.max_total_replayed_events = 100_000;
    options
}

fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

impl Reader<'_> {
    fn problem(&self, rule: &'static Rule, path: &str, message: String, help: &str) -> Diagnostic {
        Diagnostic::new(rule, path, message, help).at(at(self.file, 0))
    }

    pub(crate) fn read(
        &self,
        text: &str,
        diagnostics: &mut Vec<Diagnostic>,
        unknown_reported: &mut BTreeSet<(String, String)>,
    ) -> Vec<TemplateObject> {
        let who = format!("{} for {}", self.file, self.instance.describe());
        let docs: Vec<Value> = match serde_saphyr::from_multiple_with_options(text, yaml_options())
        {
            Ok(docs) => docs,
            Err(e) => {
                let line = e.location().map_or(0, |l| l.line());
                let shown = text
                    .lines()
                    .nth(line.saturating_sub(1) as usize)
                    .map(|l| format!(": `{}`", l.trim()))
                    .unwrap_or_default();
                let first = e.to_string();
                let first = first.lines().next().unwrap_or("");
                diagnostics.push(self.problem(
                    &TEMPLATE_OUTPUT,
                    "",
                    format!(
                        "{who} rendered text that is not YAML: {first} (line {line} of the output{shown})"
                    ),
                    "render the template with the same context and read its output; quote values with | tojson",
                ));
                return Vec::new();
            }
        };
        let mut objects = Vec::new();
        for (n, doc) in docs.into_iter().enumerate() {
            let which = format!("{who} (document {})", n + 1);
            if let Some(o) = self.object(doc, &which, diagnostics, unknown_reported) {
                objects.push(o);
            }
        }
        objects
    }

    fn object(
        &self,
        mut doc: Value,
        which: &str,
        diagnostics: &mut Vec<Diagnostic>,
        unknown_reported: &mut BTreeSet<(String, String)>,
    ) -> Option<TemplateObject> {
        let help = "render one complete object per document: apiVersion, kind, metadata.name";
        if !matches!(doc, Value::Map(_)) {
            diagnostics.push(self.problem(
                &TEMPLATE_OUTPUT,
                "",
                format!("{which} is {}, not a Kubernetes object", doc.type_name()),
                help,
            ));
            return None;
        }
        let mut missing = Vec::new();
        let api_version = doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let kind = doc
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        for (field, value) in [
            ("apiVersion", &api_version),
            ("kind", &kind),
            ("metadata.name", &name),
        ] {
            if value.is_empty() {
                missing.push(field);
            }
        }
        if !missing.is_empty() {
            diagnostics.push(self.problem(
                &TEMPLATE_OUTPUT,
                missing[0],
                format!("{which} has no {} (a string)", missing.join(", ")),
                help,
            ));
            return None;
        }
        let identity = format!("{kind} {name}");
        if doc
            .get("metadata")
            .and_then(|m| m.get("generateName"))
            .is_some()
        {
            diagnostics.push(
                self.problem(
                    &TEMPLATE_OUTPUT,
                    "metadata.generateName",
                    format!("{which} sets metadata.generateName: Argo CD and Flux apply objects by name, and a generated name makes a new object on every sync"),
                    "give the object a fixed metadata.name",
                )
                .with_object(identity),
            );
            return None;
        }
        // A kind is a CamelCase identifier and an apiVersion `[group/]version`: anything else
        // is no Kubernetes kind, and the kind names the object's file.
        let kind_ok = kind.len() <= 63
            && kind.starts_with(|c: char| c.is_ascii_alphabetic())
            && kind.chars().all(|c| c.is_ascii_alphanumeric());
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
        let version_ok = !version.is_empty()
            && version.len() <= 63
            && version
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !kind_ok || !version_ok || !(group.is_empty() || is_dns_subdomain(group)) {
            let (field, value) = if kind_ok {
                ("apiVersion", &api_version)
            } else {
                ("kind", &kind)
            };
            diagnostics.push(
                self.problem(
                    &TEMPLATE_OUTPUT,
                    field,
                    format!("{which} renders the {field} \"{value}\", which is no Kubernetes {field}: a kind is a CamelCase name of letters and digits, an apiVersion is [group/]version (v1, apps/v1, example.com/v1alpha1)"),
                    help,
                )
                .with_object(identity),
            );
            return None;
        }
        if !is_dns_subdomain(&name) {
            diagnostics.push(
                self.problem(
                    &TEMPLATE_OUTPUT,
                    "metadata.name",
                    format!("{which} renders the name \"{name}\", which is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters); gen writes each object to <kind>-<name>.yaml"),
                    "render a lowercase name, e.g. with | lower and replace",
                )
                .with_object(identity),
            );
            return None;
        }
        let info = match self.req.catalog.lookup(&api_version, &kind) {
            Some(Lookup::Known(info)) => info,
            Some(Lookup::NotServed { served }) => {
                diagnostics.push(
                    self.problem(
                        &TEMPLATE_SCHEMA,
                        "apiVersion",
                        format!(
                            "{which} renders {kind} as {api_version}, which is not served; {kind} is served as {}",
                            served.join(", ")
                        ),
                        "use a served apiVersion",
                    )
                    .with_object(identity),
                );
                return None;
            }
            None => {
                if unknown_reported.insert((api_version.clone(), kind.clone())) {
                    diagnostics.push(
                        self.problem(
                            &TEMPLATE_UNKNOWN_KIND,
                            "kind",
                            format!(
                                "{which} renders {kind} ({api_version}), a kind gen has no schema for: it is written unchecked and taken to be namespaced"
                            ),
                            "list its CustomResourceDefinition under templates.crds in the profile",
                        )
                        .with_object(identity.clone()),
                    );
                }
                Catalog::unknown(&api_version, &kind)
            }
        };
        // Labels: a mapping of strings; gen's own keys are gen's.
        let labels_ok = match doc.get("metadata").and_then(|m| m.get("labels")) {
            None | Some(Value::Null) => true,
            Some(Value::Map(m)) => {
                let mut ok = true;
                for (key, wanted) in self.instance.labels() {
                    if let Some((_, v)) = m.iter().find(|(k, _)| k == key)
                        && v.as_str() != Some(wanted.as_str())
                    {
                        ok = false;
                        diagnostics.push(
                            self.problem(
                                &TEMPLATE_OUTPUT,
                                &format!("metadata.labels.{key}"),
                                format!("{which} sets the label {key}, which gen sets to \"{wanted}\" on every object it writes{}", if key == MANAGED_BY { " (its mark of ownership)" } else { "" }),
                                "leave gen's labels out of the template; gen adds them",
                            )
                            .with_object(identity.clone()),
                        );
                    }
                }
                ok
            }
            Some(other) => {
                diagnostics.push(
                    self.problem(
                        &TEMPLATE_OUTPUT,
                        "metadata.labels",
                        format!(
                            "{which} renders metadata.labels as {}, not a mapping",
                            other.type_name()
                        ),
                        "render labels as a mapping of strings",
                    )
                    .with_object(identity.clone()),
                );
                false
            }
        };
        if !labels_ok {
            return None;
        }
        // Namespace: the instance's, for namespaced kinds; cluster-scoped kinds refused.
        let given = doc
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if !info.namespaced {
            diagnostics.push(
                self.problem(
                    &TEMPLATE_NAMESPACE,
                    "kind",
                    format!(
                        "{which} renders {kind} {name}, which is cluster-scoped; every layer of the bundle is applied with rights in its namespace ({}) only",
                        self.instance.namespace
                    ),
                    "render cluster-scoped objects outside gen, or a namespaced kind instead",
                )
                .with_object(identity),
            );
            return None;
        }
        if let Some(ns) = &given
            && *ns != self.instance.namespace
        {
            diagnostics.push(
                self.problem(
                    &TEMPLATE_NAMESPACE,
                    "metadata.namespace",
                    format!(
                        "{which} puts {kind} {name} in namespace \"{ns}\", but objects of {} go to \"{}\" only",
                        self.instance.describe(),
                        self.instance.namespace
                    ),
                    "leave metadata.namespace out (gen fills it in) or write {{ namespace }}",
                )
                .with_object(identity),
            );
            return None;
        }
        let identity = format!("{kind} {}/{name}", self.instance.namespace);
        if let Some(admit) = self.req.admit
            && !admit.admits(self.instance.layer, &info.group, &info.kind)
        {
            let notation = Admit::notation(&info.group, &info.kind);
            diagnostics.push(
                self.problem(
                    &TEMPLATE_ADMIT,
                    "kind",
                    format!(
                        "{which} renders {name} of kind {notation}, which the profile does not admit for layer {}: the GitOps engine would refuse to apply it",
                        self.instance.layer
                    ),
                    &format!(
                        "add {notation} to templates.admit.{} in the profile",
                        self.instance.layer
                    ),
                )
                .with_object(identity),
            );
            return None;
        }
        // gen's metadata: the namespace and labels, then the schema check of the result.
        if let Some(meta) = doc.get_mut("metadata") {
            if given.is_none() {
                insert_after(
                    meta,
                    "name",
                    "namespace",
                    Value::String(self.instance.namespace.clone()),
                );
            }
            if !matches!(meta.get("labels"), Some(Value::Map(_))) {
                insert_after(meta, "namespace", "labels", Value::Map(Vec::new()));
            }
            if let Some(labels) = meta.get_mut("labels") {
                for (key, value) in self.instance.labels() {
                    labels.insert(key, Value::String(value));
                }
                if let Value::Map(m) = labels {
                    m.sort_by(|a, b| a.0.cmp(&b.0));
                }
            }
        }
        let json = doc.to_json();
        let problems = match &info.schema {
            Schema::Typed(check) => check(&json),
            Schema::Crd(validator) => {
                let mut p = crate::kinds::object_meta(&json);
                p.extend(crate::crd::check_crd(validator, &json));
                p
            }
            Schema::None => crate::kinds::object_meta(&json),
        };
        if !problems.is_empty() {
            let source = match info.source {
                Source::BuiltIn => "Kubernetes 1.33",
                Source::Seldon => "Seldon Core v2 (as gen models it)",
                Source::Crd => "its CustomResourceDefinition",
                Source::Unknown => "Kubernetes",
            };
            for p in problems {
                let at_path = if p.path.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", p.path)
                };
                diagnostics.push(
                    self.problem(
                        &TEMPLATE_SCHEMA,
                        &p.path,
                        format!("{which} renders {kind} {name} that {source} does not accept{at_path}: {}", p.message),
                        "correct the field in the template",
                    )
                    .with_object(identity.clone()),
                );
            }
            return None;
        }
        Some(TemplateObject {
            template: self.template.to_string(),
            file: self.file.to_string(),
            layer: self.instance.layer,
            owner: self.instance.owner.clone(),
            folder: self.instance.folder.clone(),
            instance: self.instance.describe(),
            api_version,
            info,
            name,
            namespace: Some(self.instance.namespace.clone()),
            body: doc,
        })
    }
}

/// Insert `key` into mapping `map` right after `after` (or at the end), if absent.
fn insert_after(map: &mut Value, after: &str, key: &str, value: Value) {
    if let Value::Map(m) = map {
        if m.iter().any(|(k, _)| k == key) {
            return;
        }
        let at = m
            .iter()
            .position(|(k, _)| k == after)
            .map_or(m.len(), |i| i + 1);
        m.insert(at, (key.to_string(), value));
    }
}
