//! Audit existing YAML trees with the Seldon run-time rules.
//!
//! [`audit`] walks the given paths, reads every `.yaml`/`.yml` document, turns the Seldon
//! objects into a `gen_seldon::rules::Inventory` (origin = `file:line`), finds the
//! controller namespace, and runs `gen_seldon::rules::check`. Nothing is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use camino::Utf8PathBuf;
use serde::Serialize;
use serde_json::Value;

use gen_diagnostics::{Diagnostic, ExitStatus, Location, Severity, Style};
use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, upstream_server_configs};
use gen_seldon::rules::{INVALID_OBJECT, Located, Origin, OwnedInventory, check};
use gen_seldon::{Experiment, Model, Pipeline, SeldonRuntime, Server};

mod install;
mod read;
mod supporting;

use install::*;
use read::*;
use supporting::*;

/// The namespace the setup chart installs into when nothing says otherwise.
pub const UPSTREAM_CONTROLLER_NAMESPACE: &str = "seldon-mesh";

/// A file or document that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub file: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AuditReport {
    pub controller_namespace: String,
    pub files_read: usize,
    pub seldon_objects: usize,
    /// What is wrong, each at its file, line and object (the field is the path).
    pub diagnostics: Vec<Diagnostic>,
    pub notes: Vec<Note>,
    /// The text of every file read, for drawing the diagnostics.
    #[serde(skip)]
    pub sources: BTreeMap<String, String>,
}

impl AuditReport {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// Clean, or a failed check on errors (or on warnings with `strict`).
    pub fn exit_status(&self, strict: bool) -> ExitStatus {
        if self.errors() > 0 || (strict && self.warnings() > 0) {
            ExitStatus::CheckFailed
        } else {
            ExitStatus::Ok
        }
    }

    /// Human-readable text: each diagnostic drawn against its file, the notes, a summary.
    pub fn render(&self, style: Style) -> String {
        let mut out = gen_diagnostics::render(
            &self.diagnostics,
            |file| self.sources.get(file).map(String::as_str),
            style,
        );
        for n in &self.notes {
            let _ = writeln!(out, "note: {}: {}", n.file, n.message);
        }
        let _ = writeln!(
            out,
            "audit: {} Seldon objects in {} files, controller namespace {:?}: {} errors, {} warnings",
            self.seldon_objects,
            self.files_read,
            self.controller_namespace,
            self.errors(),
            self.warnings()
        );
        out
    }
}

/// Audit every YAML file under `paths`. `controller_namespace` overrides detection.
pub fn audit(paths: &[Utf8PathBuf], controller_namespace: Option<&str>) -> io::Result<AuditReport> {
    let mut report = AuditReport::default();
    let docs = read_documents(paths, &mut report)?;
    let controller = match controller_namespace
        .map(str::to_string)
        .or_else(|| detect_controller_namespace(&docs))
    {
        Some(ns) => ns,
        None => {
            report.notes.push(Note {
                file: String::new(),
                message: format!(
                    "no Seldon install found (setup chart, controller Deployment, SeldonConfig or ServerConfig); assuming the controller namespace {UPSTREAM_CONTROLLER_NAMESPACE:?}, pass --controller-namespace to set it"
                ),
            });
            UPSTREAM_CONTROLLER_NAMESPACE.to_string()
        }
    };
    let mut inv = OwnedInventory {
        controller_namespace: controller.clone(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.to_string()],
        server_configs: upstream_server_configs(),
        install: detect_install(&docs),
        ..OwnedInventory::default()
    };
    for d in docs {
        if read_supporting(&d, &mut inv) {
            continue;
        }
        if str_at(&d.value, &["apiVersion"]) != Some(gen_seldon::API_VERSION) {
            continue;
        }
        let kind = str_at(&d.value, &["kind"]).unwrap_or("").to_string();
        let mut value = d.value;
        if str_at(&value, &["metadata", "namespace"]).is_none()
            && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.insert(
                "namespace".into(),
                Value::String(
                    d.inherited_namespace
                        .clone()
                        .unwrap_or_else(|| "default".to_string()),
                ),
            );
        }
        let name = str_at(&value, &["metadata", "name"])
            .unwrap_or("")
            .to_string();
        let ns = str_at(&value, &["metadata", "namespace"])
            .unwrap_or("")
            .to_string();
        let origin = Origin::Document {
            file: d.file.clone(),
            line: d.line,
            object: format!("{kind} {ns}/{name}"),
        };
        macro_rules! add {
            ($list:expr, $ty:ty) => {
                match serde_json::from_value::<$ty>(value) {
                    Ok(o) => {
                        report.seldon_objects += 1;
                        $list.push(Located::new(o, origin.clone()));
                    }
                    Err(e) => report.diagnostics.push(
                        Diagnostic::new(
                            &INVALID_OBJECT,
                            "",
                            format!("{kind} {name:?} does not match the v2.10.2 CRD: {e}"),
                            "fix the object; the API server would reject it",
                        )
                        .at(Location {
                            file: d.file.clone(),
                            line: d.line,
                            column: 0,
                        })
                        .with_object(format!("{kind} {ns}/{name}")),
                    ),
                }
            };
        }
        match kind.as_str() {
            "SeldonRuntime" => add!(inv.runtimes, SeldonRuntime),
            "Server" => add!(inv.servers, Server),
            "Model" => add!(inv.models, Model),
            "Pipeline" => add!(inv.pipelines, Pipeline),
            "Experiment" => add!(inv.experiments, Experiment),
            "SeldonConfig" | "ServerConfig" => {
                report.seldon_objects += 1;
                if ns == controller {
                    if kind == "SeldonConfig" && !inv.seldon_configs.contains(&name) {
                        inv.seldon_configs.push(name);
                    } else if kind == "ServerConfig"
                        && !inv.server_configs.iter().any(|c| c.name == name)
                    {
                        inv.server_configs.push(server_config_info(&value, &name));
                    }
                } else {
                    report.notes.push(Note {
                        file: d.file.clone(),
                        message: format!(
                            "{kind} {name:?} is in namespace {ns:?}, not the controller namespace {controller:?}; the controller only reads {kind}s from its own namespace, so it is ignored"
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    report.diagnostics.extend(check(&inv.view()));
    report.controller_namespace = controller;
    report.diagnostics.sort_by(|a, b| {
        (&a.location, a.rule.code, &a.message).cmp(&(&b.location, b.rule.code, &b.message))
    });
    Ok(report)
}
