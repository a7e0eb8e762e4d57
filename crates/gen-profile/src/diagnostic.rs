//! Diagnostics: what is wrong, where (file:line:column and the profile path), why in
//! Seldon's terms, and the fix. Rendered for people or as JSON for editors and CI.

use std::fmt::Write as _;

pub use gen_seldon::rules::Severity;
use serde::Serialize;

/// One problem in a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable id: `syntax`, `unknown-key`, `pattern-mismatch`, `requirements-unsatisfied`, …
    pub code: String,
    /// The profile path of the offending value, e.g. `applications[0].models[2].requirements`;
    /// empty for the whole file.
    pub path: String,
    /// 1-based line and column of the offending value; 0 when unknown.
    pub line: u64,
    pub column: u64,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a profile path; the location is filled in from the source.
    pub fn error(
        code: &str,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let help = help.into();
        Diagnostic {
            severity: Severity::Error,
            code: code.to_string(),
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: if help.is_empty() { None } else { Some(help) },
        }
    }
}

/// What kind of failure a report is; it decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    /// The profile could not be read or parsed: exit 2.
    Input,
    /// The profile was read but breaks a rule: exit 1.
    Check,
}

/// All problems found in one profile, sorted by position.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub failure: Failure,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    pub source: String,
}

impl Report {
    pub fn new(
        file: impl Into<String>,
        source: impl Into<String>,
        failure: Failure,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Self {
        diagnostics.sort_by(|a, b| {
            (a.line, a.column, &a.path, &a.code, &a.message)
                .cmp(&(b.line, b.column, &b.path, &b.code, &b.message))
        });
        diagnostics.dedup();
        Report {
            file: file.into(),
            failure,
            diagnostics,
            source: source.into(),
        }
    }

    /// The documented exit code: 1 for rule violations, 2 for unreadable input.
    pub fn exit_code(&self) -> i32 {
        match self.failure {
            Failure::Input => 2,
            Failure::Check => 1,
        }
    }

    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Human-readable text: each problem with its location, the source line and a caret.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let lines: Vec<&str> = self.source.lines().collect();
        for d in &self.diagnostics {
            let _ = writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message);
            let at = if d.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", d.path)
            };
            if d.line > 0 {
                let _ = writeln!(out, "  --> {}:{}:{}{}", self.file, d.line, d.column, at);
                // Never echo a line that holds a credential into logs.
                let secret = d.code.contains("credential");
                if let Some(text) = lines.get(d.line as usize - 1).filter(|_| !secret) {
                    let text: String = text.chars().take(200).collect();
                    let width = d.line.to_string().len();
                    let caret = " ".repeat(
                        (d.column as usize)
                            .saturating_sub(1)
                            .min(text.chars().count()),
                    );
                    let _ = writeln!(out, "{:w$} |", "", w = width);
                    let _ = writeln!(out, "{} | {}", d.line, text);
                    let _ = writeln!(out, "{:w$} | {}^", "", caret, w = width);
                }
            } else {
                let _ = writeln!(out, "  --> {}{}", self.file, at);
            }
            if let Some(help) = &d.help {
                let _ = writeln!(out, "  = help: {help}");
            }
            out.push('\n');
        }
        let n = self.errors();
        let _ = writeln!(
            out,
            "{}: {} error{} in {}",
            match self.failure {
                Failure::Input => "cannot read profile",
                Failure::Check => "profile check failed",
            },
            n,
            if n == 1 { "" } else { "s" },
            self.file
        );
        out
    }
}
