//! One problem: which rule, where, what, and the fix.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::rule::{Rule, Severity};

/// Where a value is written: a file and a 1-based line and column (column 0 = the whole
/// line, as for a document in `gen audit`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

/// Another place a diagnostic involves, shown as a secondary label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The path of the other value (a profile path, or a field of an object).
    pub path: String,
    pub location: Option<Location>,
    pub label: String,
}

/// One problem in one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// Usually `rule.severity`; a rule may report a milder case as a warning.
    pub severity: Severity,
    /// The path of the offending value: a profile path such as
    /// `applications[0].models[2].requirements`, or for an object read from YAML the field
    /// under it (`spec.requirements`); empty for the whole input.
    pub path: String,
    /// Where the value is written, once known (the profile loader fills it in from `path`).
    pub location: Option<Location>,
    /// The object concerned, `Kind namespace/name`, where the path does not say it.
    pub object: Option<String>,
    /// What is wrong, in the upstream system's terms.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic at the rule's own severity.
    pub fn new(
        rule: &'static Rule,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let help = help.into();
        Diagnostic {
            rule,
            severity: rule.severity,
            path: path.into(),
            location: None,
            object: None,
            message: message.into(),
            help: (!help.is_empty()).then_some(help),
            related: Vec::new(),
        }
    }

    /// The same diagnostic at another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    pub fn with_related(mut self, path: impl Into<String>, label: impl Into<String>) -> Self {
        self.related.push(Related {
            path: path.into(),
            location: None,
            label: label.into(),
        });
        self
    }

    /// The rule's code, e.g. `runtime-missing`.
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The 1-based line, 0 when unknown.
    pub fn line(&self) -> u64 {
        self.line_column().0
    }

    /// The 1-based column, 0 when unknown.
    pub fn column(&self) -> u64 {
        self.line_column().1
    }

    /// Line and column, 0 when unknown.
    pub fn line_column(&self) -> (u64, u64) {
        self.location
            .as_ref()
            .map_or((0, 0), |l| (l.line, l.column))
    }

    /// The key diagnostics sort by: position, then path, rule and text.
    pub(crate) fn sort_key(&self) -> (u64, u64, &str, &str, &str) {
        let (line, column) = self.line_column();
        (line, column, &self.path, self.rule.code, &self.message)
    }
}

/// The JSON form editors and CI read: `severity`, `code`, `path`, `file`, `line`, `column`,
/// `object`, `message`, `help`, `related`.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (line, column) = self.line_column();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("severity", &self.severity)?;
        map.serialize_entry("code", self.rule.code)?;
        map.serialize_entry("path", &self.path)?;
        if let Some(l) = &self.location {
            map.serialize_entry("file", &l.file)?;
        }
        map.serialize_entry("line", &line)?;
        map.serialize_entry("column", &column)?;
        if let Some(o) = &self.object {
            map.serialize_entry("object", o)?;
        }
        map.serialize_entry("message", &self.message)?;
        if let Some(h) = &self.help {
            map.serialize_entry("help", h)?;
        }
        if !self.related.is_empty() {
            let related: Vec<_> = self
                .related
                .iter()
                .map(|r| {
                    let (line, column) = r.location.as_ref().map_or((0, 0), |l| (l.line, l.column));
                    RelatedJson {
                        path: &r.path,
                        line,
                        column,
                        label: &r.label,
                    }
                })
                .collect();
            map.serialize_entry("related", &related)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    path: &'a str,
    line: u64,
    column: u64,
    label: &'a str,
}
