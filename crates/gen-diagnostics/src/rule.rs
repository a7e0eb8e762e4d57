//! Rule descriptors: what each check is called, says and explains.

use std::fmt;

use serde::Serialize;

/// How bad a broken rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is refused (`gen render` writes nothing; `gen audit` exits 1).
    Error,
    /// Worth knowing; fails only `gen audit --strict`.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Which stage of the pipeline checks a rule; it orders `gen explain --list` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the profile: YAML, keys and types (exit 2).
    Input,
    /// Rules about the profile itself: names, pattern, tenants, GitOps settings.
    Profile,
    /// Seldon Core v2 run-time rules over the objects (a rendered profile or `gen audit`).
    Seldon,
    /// Rules about the bundle's place in the GitOps repository and the engines.
    Gitops,
    /// Rules about a repository's own templates (`templates/`) and the objects they render.
    Templates,
}

impl Stage {
    pub fn title(self) -> &'static str {
        match self {
            Stage::Input => "Input (exit 2)",
            Stage::Profile => "Profile rules (exit 1)",
            Stage::Seldon => "Seldon run-time rules (exit 1; also `gen audit`)",
            Stage::Gitops => "GitOps rules (exit 1)",
            Stage::Templates => "Template rules (exit 1)",
        }
    }
}

/// One rule: a static descriptor, defined next to the code that checks it.
#[derive(Debug)]
pub struct Rule {
    /// The stable id shown as `error[code]` and taken by `gen explain`.
    pub code: &'static str,
    /// The usual severity; a few rules also report at the other one (said in `explanation`).
    pub severity: Severity,
    pub stage: Stage,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// What the upstream system does that makes this a problem, and how to fix it; plain
    /// text with blank lines between paragraphs.
    pub explanation: &'static str,
    /// The offending value may be a secret: its source line is never shown.
    pub hides_source: bool,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl Rule {
    /// A rule at `severity`, checked in `stage`; for `static` descriptors.
    pub const fn new(
        stage: Stage,
        code: &'static str,
        severity: Severity,
        summary: &'static str,
        explanation: &'static str,
    ) -> Self {
        Rule {
            code,
            severity,
            stage,
            summary,
            explanation,
            hides_source: false,
        }
    }

    /// The same rule, whose offending value may be a secret: its line is never shown.
    pub const fn hiding_source(mut self) -> Self {
        self.hides_source = true;
        self
    }

    /// The text `gen explain CODE` prints: the rule, its stage, and the explanation with
    /// each paragraph wrapped at 88 columns.
    pub fn explain(&self) -> String {
        let paragraphs: Vec<String> = self
            .explanation
            .trim()
            .split("\n\n")
            .map(|p| textwrap::fill(&p.split_whitespace().collect::<Vec<_>>().join(" "), 88))
            .collect();
        format!(
            "{}[{}]: {}\n  stage: {}\n\n{}\n",
            self.severity,
            self.code,
            self.summary,
            self.stage.title(),
            paragraphs.join("\n\n")
        )
    }
}
