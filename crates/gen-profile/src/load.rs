//! Reading a profile: bytes → located tree → unknown-key check → typed [`Profile`].
//! Every failure here is an input error (exit 2) with a location.

use camino::Utf8Path;
use serde::Deserialize;

use crate::diagnostic::{
    Diagnostic, EMPTY, ENCODING, Failure, INVALID_VALUE, IO, Location, NOT_A_MAPPING, Report, Rule,
    SYNTAX, TOO_LARGE,
};
use crate::source::{At, Node, PathIndex};
use crate::types::Profile;
use crate::{keys, schema};

/// Profiles larger than this are refused before parsing.
pub const MAX_PROFILE_BYTES: usize = 64 * 1024 * 1024;

/// A parsed profile with its source, for locating later diagnostics.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub profile: Profile,
    /// The file name as given by the caller, used in messages.
    pub file: String,
    pub source: String,
    /// For the merged profile of an environment, its position in `profile.environments`
    /// (see [`Loaded::environments`]); `None` for the profile as written.
    pub environment: Option<usize>,
    /// Profile path → position, built on first use (only diagnostics need it).
    pub(crate) index: std::sync::OnceLock<PathIndex>,
    /// The environments' merged profiles, made while the text was parsed for the profile
    /// (see [`Loaded::take_environments`]).
    pub(crate) prepared: Prepared,
}

/// What [`Loaded::environments`] returns, made ahead; a copy of the profile does not copy
/// it (it can be made again).
#[derive(Default)]
pub(crate) struct Prepared(pub(crate) Option<Box<Result<Vec<Loaded>, Report>>>);

impl Clone for Prepared {
    fn clone(&self) -> Self {
        Prepared(None)
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Prepared(..)"
        } else {
            "Prepared(none)"
        })
    }
}

impl Loaded {
    /// Where each profile path is written; parses the source again on first use.
    pub fn index(&self) -> &PathIndex {
        self.index.get_or_init(|| match parse_tree(&self.source) {
            Ok(tree) => match self.environment {
                None => PathIndex::build(&tree),
                Some(env) => crate::merge::located_index(tree, env),
            },
            Err(_) => PathIndex::default(),
        })
    }

    /// Where the value at profile `path` is written (line 0 when the path is not found).
    pub(crate) fn locate(&self, path: &str) -> Location {
        let (line, column) = self.index().locate(path);
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    /// A check report for `diagnostics`, each located in this profile's source (for an
    /// environment's profile: where the base profile or the override writes the value, and
    /// saying which environment).
    pub fn report(&self, diagnostics: Vec<Diagnostic>) -> Report {
        let tagged = match self.environment {
            Some(env) => crate::merge::tag(&self.profile, diagnostics, &[env]),
            None => diagnostics,
        };
        let located = self.locate_all(tagged);
        Report::new(&self.file, &self.source, Failure::Check, located)
    }

    /// `diagnostics`, each located in this profile's source.
    pub fn locate_all(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .map(|mut d| {
                if d.location.is_none() {
                    d.location = Some(self.locate(&d.path));
                }
                for r in &mut d.related {
                    if r.location.is_none() {
                        r.location = Some(self.locate(&r.path));
                    }
                }
                d
            })
            .collect()
    }
}

fn input_error(
    file: &str,
    source: &str,
    rule: &'static Rule,
    message: String,
    help: &str,
    at: Option<(u64, u64)>,
) -> Report {
    let (line, column) = at.unwrap_or((0, 0));
    let d = Diagnostic::new(rule, "", message, help).at(Location {
        file: file.to_string(),
        line,
        column,
    });
    Report::new(file, source, Failure::Input, vec![d])
}

/// Read and parse the profile at `path`.
pub fn load_file(path: &Utf8Path) -> Result<Loaded, Report> {
    parse_bytes(path.as_str(), &read_file(path)?)
}

/// The bytes of the profile at `path`, or an input report saying why it cannot be read.
pub fn read_file(path: &Utf8Path) -> Result<Vec<u8>, Report> {
    let file = path.as_str();
    std::fs::read(path).map_err(|e| {
        input_error(
            file,
            "",
            &IO,
            format!("cannot read {file}: {e}"),
            "check the path; a profile NAME means profiles/NAME.yaml",
            None,
        )
    })
}

/// Parse profile bytes; `file` is the name used in messages.
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Loaded, Report> {
    if bytes.len() > MAX_PROFILE_BYTES {
        return Err(input_error(
            file,
            "",
            &TOO_LARGE,
            format!(
                "the profile is {} bytes; gen reads profiles up to {MAX_PROFILE_BYTES} bytes",
                bytes.len()
            ),
            "split the deployment into several profiles",
            None,
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            let column = before.iter().rev().take_while(|b| **b != b'\n').count() as u64 + 1;
            let shown = String::from_utf8_lossy(bytes).into_owned();
            return Err(input_error(
                file,
                &shown,
                &ENCODING,
                format!(
                    "the profile is not valid UTF-8 (bad byte at offset {})",
                    e.valid_up_to()
                ),
                "save the file as UTF-8",
                Some((line, column)),
            ));
        }
    };
    parse(file, text)
}

/// [`parse_bytes`] for bytes the caller hands over: the text is not copied (a large
/// profile is not held twice).
pub fn parse_owned_bytes(file: &str, bytes: Vec<u8>) -> Result<Loaded, Report> {
    if bytes.len() > MAX_PROFILE_BYTES {
        return parse_bytes(file, &bytes);
    }
    match String::from_utf8(bytes) {
        Ok(source) => loaded(file, source),
        Err(e) => parse_bytes(file, e.as_bytes()),
    }
}

/// Parse profile text; `file` is the name used in messages.
pub fn parse(file: &str, text: &str) -> Result<Loaded, Report> {
    loaded(file, text.to_string())
}

fn loaded(file: &str, source: String) -> Result<Loaded, Report> {
    let (profile, prepared) = profile_of(file, &source)?;
    Ok(Loaded {
        profile,
        file: file.to_string(),
        source,
        environment: None,
        index: std::sync::OnceLock::new(),
        prepared: Prepared(prepared.map(Box::new)),
    })
}

/// The typed profile of `text`, or the input report saying why there is none; with
/// environments, also their merged profiles, from the same parse (a large profile's
/// text is parsed once, not again for its environments).
#[allow(clippy::type_complexity)]
fn profile_of(
    file: &str,
    text: &str,
) -> Result<(Profile, Option<Result<Vec<Loaded>, Report>>), Report> {
    // First without locations (faster), straight from the parser's events when the
    // document is plain YAML; any problem is located by parsing again.
    let tree: At<Node> = match first_parse(text) {
        Ok(t) => t,
        Err(e) => return Err(saphyr_error(file, text, &SYNTAX, &e)),
    };
    let located = || parse_tree(text).ok();
    match &tree.value {
        Node::Map(_) => {}
        Node::Null => {
            return Err(input_error(
                file,
                text,
                &EMPTY,
                "the profile is empty".to_string(),
                "start from profiles/single-team.yaml, or run `gen schema` for the reference",
                None,
            ));
        }
        other => {
            return Err(input_error(
                file,
                text,
                &NOT_A_MAPPING,
                format!(
                    "the profile must be a mapping of keys (name, pattern, platform, …), but it is {}",
                    other.describe()
                ),
                "start from profiles/single-team.yaml, or run `gen schema` for the reference",
                located().map(|t| crate::source::position(&t)),
            ));
        }
    }
    if !keys::unknown_keys(&tree, schema::profile_schema_value()).is_empty() {
        let unknown = match located() {
            Some(t) => keys::unknown_keys(&t, schema::profile_schema_value()),
            None => keys::unknown_keys(&tree, schema::profile_schema_value()),
        };
        return Err(Report::new(file, text, Failure::Input, unknown));
    }
    // The tree is checked, so build the typed profile from it; only if that fails (a value
    // the schema walk let through) parse the text again for a located error.
    let profile = match Profile::deserialize(&tree.value) {
        Ok(p) => p,
        Err(_) => serde_saphyr::from_str_with_options(text, options())
            .map_err(|e| saphyr_error(file, text, &INVALID_VALUE, &e))?,
    };
    let environments = (!profile.environments.is_empty())
        .then(|| crate::merge::environments_of(&profile, file, text, Some(tree)));
    Ok((profile, environments))
}

fn saphyr_error(file: &str, text: &str, rule: &'static Rule, e: &serde_saphyr::Error) -> Report {
    let at = e
        .location()
        .map(|l| (l.line(), l.column()))
        .filter(|(l, _)| *l > 0);
    let plain = e.without_snippet().to_string();
    let message = plain
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string();
    // Drop the "line N column M: " prefix; the location is shown separately.
    let message = match message.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest.to_string(),
        _ => message,
    };
    if let Some((line, column, indentation)) = tab_position(text, message.as_str(), at) {
        let message = if indentation {
            "a tab in the indentation: YAML indents with spaces only".to_string()
        } else {
            "a tab where YAML does not allow one (only spaces separate a key from its value here)"
                .to_string()
        };
        return input_error(
            file,
            text,
            rule,
            message,
            "replace the tab with spaces",
            Some((line, column)),
        );
    }
    input_error(
        file,
        text,
        rule,
        message,
        "fix the YAML at this position; `gen schema` prints what each key takes",
        at,
    )
}

/// Where the tab is that a scanner error complains about. The scanner reports a tab in
/// the indentation of the line after a plain scalar at the start of that scalar, a line
/// early, and a tab it rejects at once one column after it, so the first tab from the
/// start of the reported line is the one. Returns its line and column (1-based) and
/// whether only whitespace precedes it on its line.
fn tab_position(text: &str, message: &str, at: Option<(u64, u64)>) -> Option<(u64, u64, bool)> {
    if !(message.contains("found a tab") || message.contains("tabs disallowed")) {
        return None;
    }
    let (from_line, _) = at?;
    for (i, line) in text
        .lines()
        .enumerate()
        .skip(from_line.saturating_sub(1) as usize)
    {
        if let Some((column, _)) = line.chars().enumerate().find(|(_, c)| *c == '\t') {
            let indentation = line.chars().take(column).all(char::is_whitespace);
            return Some((i as u64 + 1, column as u64 + 1, indentation));
        }
    }
    None
}

/// Parser options: serde-saphyr's budgets (depth 64) with room for profiles of 100,000
/// models, and a tight limit on alias expansion.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    let mut budget = options.budget.clone().unwrap_or_default();
    budget.max_events = 50_000_000;
    budget.max_nodes = 20_000_000;
    budget.max_total_scalar_bytes = MAX_PROFILE_BYTES;
    options.budget = Some(budget);
    // Anchors and aliases are fine in a profile, alias bombs are not.
    options.alias_limits.max_total_replayed_events = 100_000;
    options
}

/// The tree without locations: built from the parser's events for a plain document,
/// else by serde-saphyr.
pub(crate) fn first_parse(text: &str) -> Result<At<Node<'_>>, serde_saphyr::Error> {
    match first_parse_plain(text) {
        Some(tree) => Ok(tree),
        None => first_parse_by_serde(text),
    }
}

/// The tree without locations as serde-saphyr builds it: the fallback, and what the tests
/// of the fast path compare with.
#[doc(hidden)]
pub fn first_parse_by_serde(text: &str) -> Result<At<Node<'_>>, serde_saphyr::Error> {
    crate::source::without_locations(|| parse_tree(text))
}

/// The tree without locations from the fast path alone (`None` when it declines).
#[doc(hidden)]
pub fn first_parse_plain(text: &str) -> Option<At<Node<'_>>> {
    crate::plain::parse(text, &budget())
}

/// The budget serde-saphyr enforces with [`options`], which the fast path stays inside.
fn budget() -> serde_saphyr::Budget {
    options().budget.unwrap_or_default()
}

pub(crate) fn parse_tree(text: &str) -> Result<At<Node<'_>>, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, options())
}
