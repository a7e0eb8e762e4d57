//! The diagnostics of one input, and what they mean for the exit status.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::render::{Style, render};
use crate::rule::Severity;

/// What kind of failure a report is; it decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    /// The input could not be read or parsed: exit 2.
    Input,
    /// The input was read but breaks a rule: exit 1.
    Check,
}

/// gen's documented exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: rendered, the bundle is fresh, the audit found no errors.
    Ok,
    /// 1: a check failed (a rule is broken, a bundle is stale, the audit found errors).
    CheckFailed,
    /// 2: usage or input error (bad arguments, unreadable or malformed input, I/O failure).
    UsageOrInput,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::CheckFailed => 1,
            ExitStatus::UsageOrInput => 2,
        }
    }
}

impl From<Failure> for ExitStatus {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Input => ExitStatus::UsageOrInput,
            Failure::Check => ExitStatus::CheckFailed,
        }
    }
}

/// All problems found in one input file, sorted by position, with its text.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub failure: Failure,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    pub source: String,
    /// Other files the diagnostics point into (a repository's templates), by name, so
    /// their lines are shown too.
    #[serde(skip)]
    pub other_sources: Vec<(String, String)>,
}

impl Report {
    pub fn new(
        file: impl Into<String>,
        source: impl Into<String>,
        failure: Failure,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let file = file.into();
        // Locations found before the file was known (the key walk) are in this file.
        for d in &mut diagnostics {
            let locations = d
                .location
                .iter_mut()
                .chain(d.related.iter_mut().filter_map(|r| r.location.as_mut()));
            for l in locations {
                if l.file.is_empty() {
                    l.file.clone_from(&file);
                }
            }
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        Report {
            file,
            failure,
            diagnostics,
            source: source.into(),
            other_sources: Vec::new(),
        }
    }

    /// The same report, able to show lines of `file` (whose text is `text`) as well.
    pub fn with_source(mut self, file: impl Into<String>, text: impl Into<String>) -> Self {
        self.other_sources.push((file.into(), text.into()));
        self
    }

    /// This report and `other` (of the same file) as one: every diagnostic of both, in
    /// order, identical ones once, and the other files of both.
    pub fn merge(mut self, other: Report) -> Self {
        self.diagnostics.extend(other.diagnostics);
        self.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.diagnostics.dedup();
        for (file, text) in other.other_sources {
            if !self.other_sources.iter().any(|(f, _)| *f == file) {
                self.other_sources.push((file, text));
            }
        }
        self
    }

    pub fn exit_status(&self) -> ExitStatus {
        self.failure.into()
    }

    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Every diagnostic drawn against the source, then one summary line.
    pub fn render(&self, style: Style) -> String {
        let mut out = render(
            &self.diagnostics,
            |file| {
                if file == self.file {
                    return Some(self.source.as_str());
                }
                self.other_sources
                    .iter()
                    .find(|(f, _)| f == file)
                    .map(|(_, text)| text.as_str())
            },
            style,
        );
        let n = self.errors();
        if n == 0 {
            // Warnings only (a check that passed): no failure to announce.
            let w = self.diagnostics.len();
            out.push_str(&format!(
                "{w} warning{} in {}\n",
                if w == 1 { "" } else { "s" },
                self.file
            ));
            return out;
        }
        out.push_str(&format!(
            "{}: {} error{} in {}\n",
            match self.failure {
                Failure::Input => "cannot read profile",
                Failure::Check => "profile check failed",
            },
            n,
            if n == 1 { "" } else { "s" },
            self.file
        ));
        out
    }
}

/// A report as plain text, so a library caller can use `?` into its own error type.
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Style::Plain))
    }
}

impl std::error::Error for Report {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Rule, Severity, Stage};

    static RULE: Rule = Rule::new(Stage::Profile, "r", Severity::Warning, "s", "d");

    #[test]
    fn merging_keeps_every_diagnostic_once_and_every_source() {
        let d = |m: &str| Diagnostic::new(&RULE, "a", m, "fix");
        let a = Report::new("p.yaml", "x", Failure::Check, vec![d("one"), d("two")])
            .with_source("t.j2", "t");
        let b = Report::new("p.yaml", "x", Failure::Check, vec![d("two"), d("three")])
            .with_source("t.j2", "t")
            .with_source("u.j2", "u");
        let merged = a.merge(b);
        let messages: Vec<&str> = merged
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 3);
        for m in ["one", "two", "three"] {
            assert!(messages.contains(&m), "{m}");
        }
        let files: Vec<&str> = merged
            .other_sources
            .iter()
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(files, vec!["t.j2", "u.j2"]);
    }
}
