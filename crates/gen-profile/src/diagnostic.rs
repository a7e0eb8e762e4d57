//! The loader's diagnostics: the input rules (a profile that cannot be read: exit 2), and
//! gen's one diagnostic type, re-exported from `gen-diagnostics`.

pub use gen_diagnostics::{
    Diagnostic, ExitStatus, Failure, Location, Report, Rule, Severity, Stage, Style,
};

/// A location in the profile being read; the report fills in the file name.
pub(crate) fn at(line: u64, column: u64) -> Location {
    Location {
        file: String::new(),
        line,
        column,
    }
}

pub static IO: Rule = Rule::new(
    Stage::Input,
    "io",
    Severity::Error,
    "the profile file can be read",
    "gen reads `--profile NAME` from profiles/NAME.yaml, or the path given.

Fix: check the path and its permissions.",
);

pub static TOO_LARGE: Rule = Rule::new(
    Stage::Input,
    "too-large",
    Severity::Error,
    "a profile is at most 64 MiB",
    "Profiles larger than 64 MiB are refused before parsing, so a runaway generator cannot \
exhaust memory.

Fix: split the deployment into several profiles.",
);

pub static ENCODING: Rule = Rule::new(
    Stage::Input,
    "encoding",
    Severity::Error,
    "a profile is UTF-8",
    "YAML profiles are read as UTF-8; the first invalid byte is reported.

Fix: save the file as UTF-8.",
);

pub static SYNTAX: Rule = Rule::new(
    Stage::Input,
    "syntax",
    Severity::Error,
    "a profile is valid YAML",
    "The YAML parser's own error, at its line and column: indentation (tabs are not \
allowed), unclosed quotes or brackets, duplicate keys. Alias expansion and nesting depth \
are capped, so an alias bomb or a 20,000-deep document is a syntax error too.

Fix: correct the YAML at the position shown.",
);

pub static EMPTY: Rule = Rule::new(
    Stage::Input,
    "empty",
    Severity::Error,
    "a profile is not empty",
    "An empty file (or only comments) holds no profile.

Fix: start from `gen init`, or one of the example profiles.",
);

pub static NOT_A_MAPPING: Rule = Rule::new(
    Stage::Input,
    "not-a-mapping",
    Severity::Error,
    "a profile is a mapping of keys",
    "A profile is a mapping (name, pattern, platform, ...), not a list or a scalar.

Fix: start from `gen init`, or run `gen schema` for the reference.",
);

pub static TOO_LONG: Rule = Rule::new(
    Stage::Input,
    "too-long",
    Severity::Error,
    "a profile value is at most 64 KiB",
    "No profile value needs more than 64 KiB (names are at most 63 characters); longer ones \
are refused so a generated profile cannot blow up the bundle.

Fix: shorten the value.",
);

pub static INVALID_VALUE: Rule = Rule::new(
    Stage::Input,
    "invalid-value",
    Severity::Error,
    "each value has the type the schema gives it",
    "Every key takes one type (string, number, list, mapping) or one of a set of values \
(`pattern: shared|dedicated`); `null` is not a string. All such problems are reported at \
once.

Fix: give the value the expected type; `gen schema` prints what each key takes.",
);

pub static UNKNOWN_KEY: Rule = Rule::new(
    Stage::Input,
    "unknown-key",
    Severity::Error,
    "every key is one the profile knows",
    "A misspelt key (`patern`, `storageURI`) would otherwise be ignored and its setting \
silently lost. Every unknown key is reported at once, with the closest known key.

Fix: use the suggested key; `gen schema` prints them all.",
);

pub static CREDENTIAL: Rule = Rule::new(
    Stage::Input,
    "credential",
    Severity::Error,
    "no key in a profile holds a credential",
    "The rendered bundle is committed to git, so gen never writes secret material: a key \
named like a password, token, API key or secret is refused, and its value is never \
repeated.

Fix: store the value in a Secret in the cluster and reference it by name (a Model's \
secretName).",
)
.hiding_source();

/// The input rules, in the order the loader meets them.
pub static RULES: &[&Rule] = &[
    &IO,
    &TOO_LARGE,
    &ENCODING,
    &SYNTAX,
    &EMPTY,
    &NOT_A_MAPPING,
    &TOO_LONG,
    &INVALID_VALUE,
    &UNKNOWN_KEY,
    &CREDENTIAL,
    &crate::merge::OVERRIDE_ENTRY,
    &crate::merge::OVERRIDE_INCOMPLETE,
];
