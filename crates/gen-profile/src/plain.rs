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
//! Keys and values borrow the source text where the parser hands it over unchanged. A
//! large profile is cut into parts parsed on two threads (see [`Split`]).

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StrInput, StructureStyle};

use std::borrow::Cow;

use crate::source::{At, Node, Scalar, Str};

/// Profiles at least this large are parsed in two parts on two threads (given two cores).
const SPLIT_MIN_BYTES: usize = 256 * 1024;

/// The tree of `text` if it is a plain YAML document, else `None` (parse with serde-saphyr).
/// `budget` is the one serde-saphyr would enforce.
pub(crate) fn parse<'s>(text: &'s str, budget: &serde_saphyr::Budget) -> Option<At<Node<'s>>> {
    if has_directive(text) {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if text.len() >= SPLIT_MIN_BYTES
        && cores > 1
        && let Some(tree) = parse_in_parts(text, budget)
    {
        return Some(tree);
    }
    let mut builder = Builder::new(text, budget);
    let root = builder.document(0)?;
    builder.within_budget(&Counts::default()).then(|| at(root))
}

/// The tree of `text` parsed in parts on two threads (see [`Split`]), whatever its size;
/// `None` when it cannot be cut or the parts do not join.
pub(crate) fn parse_in_parts<'s>(
    text: &'s str,
    budget: &serde_saphyr::Budget,
) -> Option<At<Node<'s>>> {
    if has_directive(text) {
        return None;
    }
    Split::find(text)?.parse(text, budget)
}

/// A directive (`%YAML`, `%TAG`) can change how the document reads.
fn has_directive(text: &str) -> bool {
    text.starts_with('%') || text.contains("\n%") || text.contains("\r%")
}

/// Where a large document can be cut so that each part is a document of its own: inside
/// the longest top-level list (`key:` at column 0 followed by items `- ` indented by the
/// same number of spaces), at an item near its middle, and where the list ends.
///
/// Part one (`..mid`) is the document up to that item, part two (`mid..tail`) the
/// remaining items as a list of their own, part three (`tail..`) the top-level keys after
/// the list. Each part is parsed on its own and the trees are joined. A cut that lands
/// anywhere odd (inside a quoted or block string, a flow collection, a nested list) makes
/// a part fail to parse, come out in the wrong shape, or put its list at another column
/// than the whole text does, and the whole document is parsed in one go.
struct Split<'t> {
    key: &'t str,
    /// The column of the items' `-`.
    indent: usize,
    mid: usize,
    tail: usize,
}

impl<'t> Split<'t> {
    fn find(text: &'t str) -> Option<Self> {
        // Lines are cut at `\n`; a lone `\r` is a line break to YAML too.
        let bytes = text.as_bytes();
        if bytes
            .iter()
            .enumerate()
            .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        {
            return None;
        }
        // Document markers would make a part a document boundary.
        if text.starts_with("---")
            || text.starts_with("...")
            || text.contains("\n---")
            || text.contains("\n...")
        {
            return None;
        }
        let mut best: Option<(&str, usize, usize)> = None;
        let mut open: Option<(&str, usize)> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let first = line.as_bytes().first().copied().unwrap_or(b'\n');
            if matches!(first, b' ' | b'#' | b'\n' | b'\r') {
                continue;
            }
            // A line at column 0 ends the open section.
            if let Some((key, from)) = open.take()
                && best.is_none_or(|(_, f, t)| t - f < start - from)
            {
                best = Some((key, from, start));
            }
            let content = line.trim_end_matches(['\n', '\r', ' ']);
            if let Some(key) = content.strip_suffix(':')
                && !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && first.is_ascii_alphabetic()
            {
                open = Some((key, offset));
            }
        }
        if let Some((key, from)) = open
            && best.is_none_or(|(_, f, t)| t - f < text.len() - from)
        {
            best = Some((key, from, text.len()));
        }
        let (key, from, tail) = best?;
        let section = &text[from..tail];
        // The items' indentation, from the first line with content.
        let mut indent = None;
        let mut items = Vec::new();
        let mut offset = from;
        for line in section.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let spaces = line.bytes().take_while(|b| *b == b' ').count();
            let rest = &line.as_bytes()[spaces..];
            if rest.is_empty() || matches!(rest[0], b'#' | b'\n' | b'\r') {
                continue;
            }
            let item = rest[0] == b'-' && matches!(rest.get(1), Some(b' ' | b'\n' | b'\r'));
            match indent {
                None if item && spaces > 0 => indent = Some(spaces),
                None => return None,
                Some(i) if item && spaces == i => items.push(start),
                Some(_) => {}
            }
        }
        // Cut at the item nearest the middle, never the first.
        let middle = from + section.len() / 2;
        let mid = items
            .into_iter()
            .min_by_key(|start| start.abs_diff(middle))?;
        // What follows the list must start like a key.
        let tail_ok = text[tail..]
            .bytes()
            .next()
            .is_none_or(|b| b.is_ascii_alphabetic());
        tail_ok.then_some(Split {
            key,
            indent: indent?,
            mid,
            tail,
        })
    }

    /// The tree of the whole document from its parts, or `None` if the parts do not
    /// join into the shape the cut assumed.
    fn parse<'s>(&self, text: &'s str, budget: &serde_saphyr::Budget) -> Option<At<Node<'s>>> {
        let (head, rest, after) = (
            &text[..self.mid],
            &text[self.mid..self.tail],
            &text[self.tail..],
        );
        let ((head, head_counts), ((rest, rest_counts), after)) = std::thread::scope(|scope| {
            // A thread that cannot be started means the whole text is parsed in one go.
            let other = std::thread::Builder::new().spawn_scoped(scope, || {
                let mut rest_builder = Builder::new(rest, budget);
                // The items sit in a list under the root mapping, and that list (the
                // part's root) must start at the items' column, as in the whole text.
                let items = rest_builder
                    .document(1)
                    .filter(|_| rest_builder.list_column == Some(self.indent));
                let after = if after.is_empty() {
                    Some((Node::Map(Vec::new()), Counts::default()))
                } else {
                    // Keys at column 0, as in the whole text.
                    let mut b = Builder::new(after, budget);
                    b.document(0)
                        .filter(|_| b.root_column == Some(0))
                        .map(|n| (n, b.counts))
                };
                ((items, rest_builder.counts), after)
            });
            let other = other.ok()?;
            let mut head_builder = Builder::new(head, budget);
            // The root mapping at column 0, the list being cut its last block list, at
            // the items' column.
            let head = head_builder.document(0).filter(|_| {
                head_builder.root_column == Some(0) && head_builder.list_column == Some(self.indent)
            });
            Some(((head, head_builder.counts), other.join().ok()?))
        })?;
        let (after, after_counts) = after?;
        let (Node::Map(mut entries), Node::Seq(more), Node::Map(later)) = (head?, rest?, after)
        else {
            return None;
        };
        match entries.last_mut() {
            Some((
                k,
                At {
                    value: Node::Seq(items),
                    ..
                },
            )) if k.value == self.key && !items.is_empty() => {
                items.extend(more);
            }
            _ => return None,
        }
        for (key, value) in later {
            if entries.iter().any(|(k, _)| k.value == key.value) {
                return None;
            }
            entries.push((key, value));
        }
        let total = head_counts.plus(&rest_counts).plus(&after_counts);
        Builder::new("", budget)
            .within_budget(&total)
            .then(|| at(Node::Map(entries)))
    }
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
    /// The column where the last event starts.
    column: usize,
    /// The column of the root node.
    root_column: Option<usize>,
    /// The column of the last list one level below the root, if it is a block list.
    list_column: Option<usize>,
}

/// What a parse has used of serde-saphyr's budget.
#[derive(Clone, Copy, Default)]
struct Counts {
    events: usize,
    nodes: usize,
    scalar_bytes: usize,
}

impl Counts {
    fn plus(&self, other: &Counts) -> Counts {
        Counts {
            events: self.events + other.events,
            nodes: self.nodes + other.nodes,
            scalar_bytes: self.scalar_bytes + other.scalar_bytes,
        }
    }
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
            column: 0,
            root_column: None,
            list_column: None,
        }
    }

    /// Whether `extra` plus what this parse used stays well inside serde-saphyr's limits
    /// (half of each: its counting is not reproduced, only bounded).
    fn within_budget(&self, extra: &Counts) -> bool {
        let c = self.counts.plus(extra);
        c.events < self.budget.max_events / 2
            && c.nodes < self.budget.max_nodes / 2
            && c.scalar_bytes < self.budget.max_total_scalar_bytes / 2
    }

    /// The next event that is not a comment; `None` on a syntax error or near a budget.
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let (event, span) = self.events.next()?.ok()?;
            self.column = span.start.col();
            self.counts.events += 1;
            if !self.within_budget(&Counts::default()) {
                return None;
            }
            if !matches!(event, Event::Comment(..)) {
                return Some(event);
            }
        }
    }

    /// The one document of the text, its root `depth` collections down.
    fn document(&mut self, depth: usize) -> Option<Node<'a>> {
        if !matches!(self.next()?, Event::StreamStart) {
            return None;
        }
        // An empty stream, or a `%YAML` version: serde-saphyr decides.
        if !matches!(self.next()?, Event::DocumentStart(_, None)) {
            return None;
        }
        let first = self.next()?;
        self.root_column = Some(self.column);
        let root = self.node(first, depth)?;
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
                if !self.within_budget(&Counts::default()) {
                    return None;
                }
                resolve(value, style)
            }
            Event::SequenceStart(style, 0, None) if depth + 2 < self.budget.max_depth => {
                if depth == 1 {
                    self.list_column = (style == StructureStyle::Block).then_some(self.column);
                }
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
