//! The one registry of every rule gen checks: the loader's input rules, the profile
//! rules, the Seldon run-time rules (also run by `gen audit`), the GitOps rules and the
//! rules of a repository's own templates. It drives `gen explain` and the rule list in the
//! README (a test keeps that list equal to this table).
//!
//! Each rule's descriptor stands next to its check, in the crate that checks it; this
//! module only joins their tables. Adding a rule means a descriptor and a check in one
//! module, and the descriptor in that crate's `RULES`.

use gen_diagnostics::{Rule, Severity, Stage};

/// A render that failed for a reason that is gen's own fault.
pub static INTERNAL: Rule = Rule::new(
    Stage::Input,
    "internal",
    Severity::Error,
    "gen itself failed while rendering a checked profile",
    "Every check passed but the bundle could not be built: a bug in gen, not in the profile.

Fix: please report it with the profile that triggers it.",
);

/// Every rule, grouped by the stage that checks it, in the order each stage runs them.
pub fn all() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = gen_profile::diagnostic::RULES
        .iter()
        .chain(gen_profile::check::RULES)
        .chain(gen_seldon::rules::RULES)
        .chain(crate::gitops::RULES)
        .chain(gen_templates::RULES)
        .copied()
        .collect();
    rules.push(&INTERNAL);
    rules.sort_by_key(|r| r.stage);
    rules
}

/// The rule with `code`, if gen has one.
pub fn find(code: &str) -> Option<&'static Rule> {
    all().into_iter().find(|r| r.code == code)
}

pub use gen_seldon::names::did_you_mean;

/// `gen explain --list`: every rule with its severity and summary, by stage.
pub fn list() -> String {
    let mut out = String::new();
    let mut stage = None;
    for r in all() {
        if stage != Some(r.stage) {
            if stage.is_some() {
                out.push('\n');
            }
            out.push_str(r.stage.title());
            out.push_str(":\n");
            stage = Some(r.stage);
        }
        out.push_str(&format!(
            "  {:<32} {:<7} {}\n",
            r.code, r.severity, r.summary
        ));
    }
    out
}

/// The README's rule list: a table per stage (a test keeps the README equal to it).
pub fn markdown() -> String {
    let mut out = String::new();
    let mut stage = None;
    for r in all() {
        if stage != Some(r.stage) {
            if stage.is_some() {
                out.push('\n');
            }
            out.push_str(&format!(
                "**{}**\n\n| rule | severity | checks |\n|---|---|---|\n",
                r.stage.title()
            ));
            stage = Some(r.stage);
        }
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.code, r.severity, r.summary
        ));
    }
    out
}
