//! Sharing between applications: `sharedWith` names other applications of the same
//! namespace (the references it admits are checked over the rendered objects by
//! `gen_seldon::rules`' `cross-application-reference`).

use gen_diagnostics::{Rule, Severity, Stage};
use gen_seldon::names::did_you_mean;

use super::application_namespaces;
use crate::diagnostic::Diagnostic;
use crate::types::Profile;

pub(super) static SHARE_UNKNOWN: Rule = Rule::new(
    Stage::Profile,
    "share-unknown",
    Severity::Error,
    "sharedWith names other applications of the same namespace",
    "`sharedWith` on a Model or Pipeline lets the applications it names refer to it. Seldon \
resolves references by name inside one namespace, so only an application deployed into the \
same namespace (pattern shared: every application; pattern dedicated: the applications of \
the same tenant) can ever use the object; an application always uses its own objects.

Fix: name another application of the same namespace, or remove the entry.",
);

/// Every `sharedWith` entry of every Model and Pipeline.
pub(super) fn check_sharing(p: &Profile, out: &mut Vec<Diagnostic>) {
    let namespaces = application_namespaces(p);
    let names: Vec<&str> = p.applications.iter().map(|a| a.name.as_str()).collect();
    for (a, app) in p.applications.iter().enumerate() {
        let entries = app
            .models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    format!("applications[{a}].models[{i}]"),
                    "Model",
                    &m.name,
                    &m.shared_with,
                )
            })
            .chain(app.pipelines.iter().enumerate().map(|(i, e)| {
                (
                    format!("applications[{a}].pipelines[{i}]"),
                    "Pipeline",
                    &e.name,
                    &e.shared_with,
                )
            }));
        for (path, kind, name, shared) in entries {
            for (j, with) in shared.iter().enumerate() {
                let at = format!("{path}.sharedWith[{j}]");
                let (message, help) = if *with == app.name {
                    (
                        format!(
                            "{kind} {name:?} is shared with its own application {with:?}; an application always uses its own objects"
                        ),
                        "remove the entry".to_string(),
                    )
                } else {
                    match names.iter().position(|n| n == with) {
                        None => (
                            format!(
                                "{kind} {name:?} is shared with {with:?}, which is not an application of this profile"
                            ),
                            match did_you_mean(with, &names) {
                                Some(d) => format!("{d} (or remove the entry)"),
                                None => "name an application of this profile, or remove the entry"
                                    .to_string(),
                            },
                        ),
                        Some(b) => match (namespaces[a], namespaces[b]) {
                            (Some(here), Some(there)) if here != there => (
                                format!(
                                    "{kind} {name:?} is shared with {with:?}, which is deployed into namespace {there:?}, not {here:?}; Seldon resolves references only inside a namespace, so {with:?} could never use it"
                                ),
                                "remove the entry, or deploy both applications into one tenant"
                                    .to_string(),
                            ),
                            _ => continue,
                        },
                    }
                };
                out.push(Diagnostic::new(&SHARE_UNKNOWN, at, message, help));
            }
        }
    }
}
