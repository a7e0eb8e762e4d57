//! Names and owners in a profile: DNS-1123 labels, unique per list, `group:`/`user:`.

use std::collections::BTreeMap;

use gen_diagnostics::{Rule, Severity, Stage};
use gen_seldon::names::{label_problem, suggest_label};
use gen_seldon::rules::{DUPLICATE_NAME, INVALID_NAME};

use crate::diagnostic::Diagnostic;

pub(super) static INVALID_OWNER: Rule = Rule::new(
    Stage::Profile,
    "invalid-owner",
    Severity::Error,
    "owners are group:NAME or user:NAME",
    "gen turns each owner into a RoleBinding subject: `group:NAME` an RBAC Group, \
`user:NAME` an RBAC User, as your cluster's authenticator names them. Anything else has no \
subject kind.

Fix: write owners as group:NAME or user:NAME.",
);

pub(super) fn name(out: &mut Vec<Diagnostic>, path: String, what: &str, value: &str) {
    if let Some(problem) = label_problem(value) {
        let suggestion = suggest_label(value);
        let help = if suggestion.is_empty() || suggestion == value {
            "use lowercase letters, digits and '-' (a DNS-1123 label, at most 63 characters)"
                .to_string()
        } else {
            format!("use lowercase letters, digits and '-', e.g. {suggestion:?}")
        };
        out.push(Diagnostic::new(
            &INVALID_NAME,
            path,
            format!("{what} {value:?} is not a valid Kubernetes name: {problem}"),
            help,
        ));
    }
}

pub(super) fn owners(out: &mut Vec<Diagnostic>, path: &str, list: &[String]) {
    for (i, owner) in list.iter().enumerate() {
        if crate::types::Owner::parse(owner).is_none() {
            out.push(Diagnostic::new(
                &INVALID_OWNER,
                format!("{path}.owners[{i}]"),
                format!("owner {owner:?} is not group:NAME or user:NAME"),
                "write owners as group:NAME (an RBAC Group) or user:NAME (an RBAC User)",
            ));
        }
    }
}

pub(super) fn duplicates<'a>(
    out: &mut Vec<Diagnostic>,
    items: impl Iterator<Item = (String, &'a str)>,
    what: &str,
) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, value) in items {
        if let Some(first) = seen.get(value) {
            out.push(Diagnostic::new(
                &DUPLICATE_NAME,
                path,
                format!("{what} {value:?} is defined twice (first at {first})"),
                format!("give each {what} its own name"),
            ));
        } else {
            seen.insert(value, path);
        }
    }
}
