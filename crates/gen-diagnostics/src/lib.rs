//! What gen says when something is wrong, and how it says it.
//!
//! Every problem gen reports — a profile that cannot be read, a profile rule, a Seldon
//! run-time rule over the objects a profile renders, a finding of `gen audit` in someone's
//! YAML — is one [`Diagnostic`]: a [`Rule`], a severity, the path of the offending value,
//! where it is written once known ([`Location`]), the message in the upstream system's
//! terms and the fix. Other places it involves (the first definition of a duplicate, say)
//! are [`Related`] labels.
//!
//! Rules are static descriptors ([`Rule`]): a stable code, a one-line summary and a longer
//! explanation of the upstream behaviour and the fix. Each rule's descriptor stands next to
//! the code that checks it, in the crate that checks it; every crate lists its rules in a
//! `RULES` table, and `gen_render::rules::all()` joins the tables into the one registry
//! behind `gen explain` and the README's rule list. A diagnostic holds a `&'static Rule`,
//! never a free string, so no rule is chosen by matching message text.
//!
//! A [`Report`] is the diagnostics of one input, sorted by position, with the source text
//! they point into; [`render`] draws any list of diagnostics the way rustc does (through
//! `annotate-snippets`: source line, underline, labels, aligned gutter), plain or with
//! colour ([`Style`]). The crate does no terminal I/O: the caller decides on colour (the CLI
//! honours `NO_COLOR`) and prints.

mod diagnostic;
mod render;
mod report;
mod rule;

pub use diagnostic::{Diagnostic, Location, Related};
pub use render::{Style, render};
pub use report::{ExitStatus, Failure, Report};
pub use rule::{Rule, Severity, Stage};
