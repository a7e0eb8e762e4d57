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
//!
//! Keys and values borrow the source text where the parser hands it over unchanged.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StrInput};

use std::borrow::Cow;

use crate::source::{At, Node, Scalar, Str};

/// The tree of `text` if it is a plain YAML document, else `None` (parse with serde-saphyr).
/// `budget` is the one serde-saphyr would enforce.
pub(crate) fn parse<'s>(text: &'s str, budget: &serde_saphyr::Budget) -> Option<At<Node<'s>>> {
    // A directive (`%YAML`, `%TAG`) can change how the document reads.
    if text.starts_with('%') || text.contains("\n%") || text.contains("\r%") {
        return None;
    }
    let mut builder = Builder::new(text, budget);
    let root = builder.document()?;
    builder.within_budget().then(|| at(root))
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
    counts: Counts,
}

/// What a parse has used of serde-saphyr's budget.
#[derive(Clone, Copy, Default)]
struct Counts {
    events: usize,
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

impl<'a, 'b> Builder<'a, 'b> {
    fn new(text: &'a str, budget: &'b serde_saphyr::Budget) -> Self {
        Builder {
            events: Parser::new_from_str_with_options(text, parser_options(budget)),
            budget,
            counts: Counts::default(),
        }
    }

    /// Whether what this parse used stays well inside serde-saphyr's limits (half of
    /// each: its counting is not reproduced, only bounded).
    fn within_budget(&self) -> bool {
        let c = &self.counts;
        c.events < self.budget.max_events / 2
            && c.nodes < self.budget.max_nodes / 2
            && c.scalar_bytes < self.budget.max_total_scalar_bytes / 2
    }

    /// The next event that is not a comment; `None` on a syntax error or near a budget.
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let (event, _) = self.events.next()?.ok()?;
            self.counts.events += 1;
            if !self.within_budget() {
                return None;
            }
            if !matches!(event, Event::Comment(..)) {
                return Some(event);
            }
        }
    }

    /// The one document of the text.
    fn document(&mut self) -> Option<Node<'a>> {
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
        Some(root)
    }

    /// The node that starts with `event`, `depth` collections down.
    fn node(&mut self, event: Event<'a>, depth: usize) -> Option<Node<'a>> {
        self.counts.nodes += 1;
        match event {
            Event::Scalar(value, style, 0, None) => {
                self.counts.scalar_bytes += value.len();
                if !self.within_budget() {
                    return None;
                }
                resolve(value, style)
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
                let mut entries: Vec<(At<Str<'a>>, At<Node<'a>>)> = Vec::new();
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
fn key_text(key: Cow<'_, str>, style: ScalarStyle) -> Option<Str<'_>> {
    if key == "<<" {
        return None;
    }
    match classify(&key, style)? {
        Kind::Str => Some(Str(key)),
        _ => None,
    }
}

/// What an untagged scalar is.
enum Kind {
    Null,
    Bool(bool),
    Int,
    Float(f64),
    Str,
}

/// The node of an untagged scalar, its text kept as the parser gave it (borrowed from the
/// source where possible).
fn resolve(text: Cow<'_, str>, style: ScalarStyle) -> Option<Node<'_>> {
    Some(match classify(&text, style)? {
        Kind::Null => Node::Null,
        Kind::Bool(b) => Node::Scalar(Scalar::Bool(b)),
        Kind::Int => Node::Scalar(Scalar::Int(Str(text))),
        Kind::Float(f) => Node::Scalar(Scalar::Float(Str::from(f.to_string()))),
        Kind::Str => Node::Scalar(Scalar::Str(Str(text))),
    })
}

/// What an untagged scalar is, as serde-saphyr's untyped deserialization decides it (YAML
/// 1.1 booleans, YAML 1.2 numbers); `None` for spellings left to serde-saphyr.
fn classify(text: &str, style: ScalarStyle) -> Option<Kind> {
    if style != ScalarStyle::Plain {
        return Some(Kind::Str);
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Kind::Null);
    }
    if let Some(b) = yaml11_bool(text) {
        return Some(Kind::Bool(b));
    }
    let first = *text.as_bytes().first()?;
    // Neither an integer nor a float can start otherwise.
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Some(Kind::Str);
    }
    if is_plain_integer(text) {
        return Some(Kind::Int);
    }
    if is_plain_decimal(text) {
        let value: f64 = text.parse().ok()?;
        return value.is_finite().then_some(Kind::Float(value));
    }
    // `2.10.2`: two dots make it neither an integer nor a float.
    let dots_and_digits = text.bytes().all(|b| b == b'.' || b.is_ascii_digit());
    if dots_and_digits && text.bytes().filter(|b| *b == b'.').count() > 1 {
        return Some(Kind::Str);
    }
    // `4Gi`, `500m`, `10%`: a character no number spelling has (radix prefixes, hex
    // digits, exponents, underscores and the words inf and nan are left to serde-saphyr).
    let lower = text.to_ascii_lowercase();
    let numeric = |b: u8| b.is_ascii_hexdigit() || b"xXoO_+-.".contains(&b);
    if !text.bytes().all(numeric) && !lower.contains("inf") && !lower.contains("nan") {
        return Some(Kind::Str);
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
