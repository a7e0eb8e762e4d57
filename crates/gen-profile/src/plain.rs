//! The fast path of the first parse: the tree of a *plain* YAML document, built straight
//! from the parser's events.
//!
//! serde-saphyr turns events into the tree through serde, which costs about as much again
//! as the parser itself. Most profiles use a small part of YAML: mappings, lists, quoted
//! and unquoted strings, booleans, decimal numbers, comments. For such a document this
//! module builds the same tree (without locations) in one pass over the events of the
//! parser that serde-saphyr itself uses, with the same parser options.
//!
//! Whatever it does not reproduce exactly, it declines, and the caller parses with
//! serde-saphyr as before: tags, anchors and aliases, merge keys, `%` directives, several
//! documents, duplicate keys, keys that are not plain strings, number spellings other than
//! plain decimals, nesting or sizes near serde-saphyr's budgets, and every syntax error
//! (so error messages stay serde-saphyr's). Returning `None` is never an error; a test
//! checks that every tree built here is the one serde-saphyr builds.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StrInput};

use crate::source::{At, Node, Scalar};

/// The tree of `text` if it is a plain YAML document, else `None` (parse with serde-saphyr).
/// `budget` is the one serde-saphyr would enforce.
pub(crate) fn parse(text: &str, budget: &serde_saphyr::Budget) -> Option<At<Node>> {
    // A directive (`%YAML`, `%TAG`) can change how the document reads.
    if text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    let mut builder = Builder {
        events: Parser::new_from_str_with_options(text, parser_options(budget)),
        budget,
        events_seen: 0,
        nodes: 0,
        scalar_bytes: 0,
    };
    builder.document()
}

/// The parser options serde-saphyr derives from its budget (see its `Budget`).
fn parser_options(budget: &serde_saphyr::Budget) -> serde_saphyr::granit_parser::Options {
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options
        .block_nesting_limit
        .max(budget.max_depth.saturating_add(1));
    options.emit_comments = true;
    options.max_buffered_comment_events = budget.max_buffered_comment_events;
    options
}

struct Builder<'a, 'b> {
    events: Parser<'a, StrInput<'a>>,
    budget: &'b serde_saphyr::Budget,
    events_seen: usize,
    nodes: usize,
    scalar_bytes: usize,
}

/// A located value with no location: the first parse records none.
fn at<T>(value: T) -> At<T> {
    At {
        value,
        line: 0,
        column: 0,
    }
}

impl<'a> Builder<'a, '_> {
    /// The next event that is not a comment; `None` on a syntax error or near a budget.
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let (event, _span) = self.events.next()?.ok()?;
            self.events_seen += 1;
            // Stay well inside serde-saphyr's limits rather than reproduce its counting.
            if self.events_seen >= self.budget.max_events / 2 {
                return None;
            }
            if !matches!(event, Event::Comment(..)) {
                return Some(event);
            }
        }
    }

    fn document(&mut self) -> Option<At<Node>> {
        if !matches!(self.next()?, Event::StreamStart) {
            return None;
        }
        // An empty stream, or a `%YAML` version: serde-saphyr decides.
        if !matches!(self.next()?, Event::DocumentStart(_, None)) {
            return None;
        }
        let first = self.next()?;
        let root = self.node(first, 0)?;
        if !matches!(self.next()?, Event::DocumentEnd) || !matches!(self.next()?, Event::StreamEnd)
        {
            return None;
        }
        Some(at(root))
    }

    /// The node that starts with `event`, `depth` collections down.
    fn node(&mut self, event: Event<'a>, depth: usize) -> Option<Node> {
        self.nodes += 1;
        if self.nodes >= self.budget.max_nodes / 2 {
            return None;
        }
        match event {
            Event::Scalar(value, style, 0, None) => {
                self.scalar_bytes += value.len();
                if self.scalar_bytes >= self.budget.max_total_scalar_bytes / 2 {
                    return None;
                }
                resolve(&value, style)
            }
            Event::SequenceStart(_, 0, None) if depth + 2 < self.budget.max_depth => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => return Some(Node::Seq(items)),
                        event => items.push(at(self.node(event, depth + 1)?)),
                    }
                }
            }
            Event::MappingStart(_, 0, None) if depth + 2 < self.budget.max_depth => {
                let mut entries: Vec<(At<String>, At<Node>)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => return Some(Node::Map(entries)),
                        Event::Scalar(key, style, 0, None) => key_text(key, style)?,
                        _ => return None,
                    };
                    // Duplicate keys: serde-saphyr reports them.
                    let duplicate = if entries.len() < 16 {
                        entries.iter().any(|(k, _)| k.value == key)
                    } else {
                        if seen.is_empty() {
                            seen.extend(entries.iter().map(|(k, _)| k.value.clone()));
                        }
                        !seen.insert(key.clone())
                    };
                    if duplicate {
                        return None;
                    }
                    let event = self.next()?;
                    let value = self.node(event, depth + 1)?;
                    entries.push((at(key), at(value)));
                }
            }
            // Anchors, aliases, tags, deep nesting.
            _ => None,
        }
    }
}

/// A mapping key: a quoted string, or a plain scalar that is a string (not null, a
/// boolean or a number) and not the merge key `<<`.
fn key_text(key: std::borrow::Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    if key == "<<" {
        return None;
    }
    match style {
        ScalarStyle::Plain => match resolve(&key, style)? {
            Node::Scalar(Scalar::Str(s)) => Some(s),
            _ => None,
        },
        _ => Some(key.into_owned()),
    }
}

/// What an untagged scalar is, as serde-saphyr's untyped deserialization decides it (YAML
/// 1.1 booleans, YAML 1.2 numbers); `None` for spellings left to serde-saphyr.
fn resolve(text: &str, style: ScalarStyle) -> Option<Node> {
    if style != ScalarStyle::Plain {
        return Some(Node::Scalar(Scalar::Str(text.to_string())));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Node::Null);
    }
    if let Some(b) = yaml11_bool(text) {
        return Some(Node::Scalar(Scalar::Bool(b)));
    }
    let first = *text.as_bytes().first()?;
    // Neither an integer nor a float can start otherwise.
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Some(Node::Scalar(Scalar::Str(text.to_string())));
    }
    if is_plain_integer(text) {
        return Some(Node::Scalar(Scalar::Int(text.to_string())));
    }
    if is_plain_decimal(text) {
        let value: f64 = text.parse().ok()?;
        return value
            .is_finite()
            .then(|| Node::Scalar(Scalar::Float(value.to_string())));
    }
    // `2.10.2`: two dots make it neither an integer nor a float.
    let dots_and_digits = text.bytes().all(|b| b == b'.' || b.is_ascii_digit());
    if dots_and_digits && text.bytes().filter(|b| *b == b'.').count() > 1 {
        return Some(Node::Scalar(Scalar::Str(text.to_string())));
    }
    // `4Gi`, `500m`, `10%`: a character no number spelling has (radix prefixes, hex
    // digits, exponents, underscores and the words inf and nan are left to serde-saphyr).
    let lower = text.to_ascii_lowercase();
    let numeric = |b: u8| b.is_ascii_hexdigit() || b"xXoO_+-.".contains(&b);
    if !text.bytes().all(numeric) && !lower.contains("inf") && !lower.contains("nan") {
        return Some(Node::Scalar(Scalar::Str(text.to_string())));
    }
    None
}

/// YAML 1.1 booleans, as serde-saphyr reads them by default.
fn yaml11_bool(t: &str) -> Option<bool> {
    let is = |word: &str| t.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || is("y") || is("on") {
        Some(true)
    } else if is("false") || is("no") || is("n") || is("off") {
        Some(false)
    } else {
        None
    }
}

/// `0`, `42`, `-7`: no sign `+`, no leading zero, no `-0`, at most 18 digits (so it fits
/// in 64 bits and prints back the same).
fn is_plain_integer(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    ok && t != "-0"
}

/// `0.5`, `-12.25`: digits, one dot, digits.
fn is_plain_decimal(t: &str) -> bool {
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    match unsigned.split_once('.') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}
