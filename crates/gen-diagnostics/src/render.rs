//! Diagnostics drawn for people, the way rustc draws them (annotate-snippets).

use std::collections::HashMap;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Location};
use crate::rule::Severity;

/// Plain text, or with ANSI colour (the caller decides, e.g. from `NO_COLOR` and whether
/// the output is a terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Style {
    #[default]
    Plain,
    Colour,
}

/// At most this many characters of a source line are shown.
const MAX_LINE: usize = 200;

/// Draw `diagnostics`, each with the source line it points at (taken from `source(file)`)
/// underlined from its column to the end of the value, labelled with its path; related
/// places as secondary labels; the object and the help below. Diagnostics of rules that
/// may point at a secret never show their source line.
pub fn render<'s>(
    diagnostics: &[Diagnostic],
    source: impl Fn(&str) -> Option<&'s str>,
    style: Style,
) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Colour => Renderer::styled(),
    }
    .decor_style(DecorStyle::Ascii);
    // Each file's lines, split once however many diagnostics point into it.
    let mut lines: HashMap<String, Vec<&'s str>> = HashMap::new();
    let mut out = String::new();
    for d in diagnostics {
        let mut line_of = |l: &Location| -> Option<&'s str> {
            if d.rule.hides_source || l.line == 0 {
                return None;
            }
            let text = source(&l.file)?;
            let file_lines = lines
                .entry(l.file.clone())
                .or_insert_with(|| text.lines().collect());
            file_lines.get(usize::try_from(l.line).ok()? - 1).copied()
        };
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(d.message.as_str()).id(d.rule.code));
        let label = (!d.path.is_empty()).then_some(d.path.as_str());
        match &d.location {
            Some(loc) => {
                if let Some(text) = line_of(loc) {
                    let (text, span) = underline(text, loc.column);
                    let mut snippet = Snippet::source(text)
                        .line_start(loc.line as usize)
                        .path(loc.file.as_str())
                        .annotation(AnnotationKind::Primary.span(span).label(label));
                    // Related places on the same line share the snippet; others get one each.
                    let mut others = Vec::new();
                    for r in &d.related {
                        match &r.location {
                            Some(rl) if rl.file == loc.file && rl.line == loc.line => {
                                let (_, rspan) = underline(text, rl.column);
                                snippet = snippet.annotation(
                                    AnnotationKind::Context.span(rspan).label(r.label.as_str()),
                                );
                            }
                            _ => others.push(r),
                        }
                    }
                    group = group.element(snippet);
                    for r in others {
                        group = related(group, r, &mut line_of);
                    }
                } else {
                    let mut origin = Origin::path(loc.file.as_str());
                    if loc.line > 0 {
                        origin = origin.line(loc.line as usize);
                        if loc.column > 0 {
                            origin = origin.char_column(loc.column as usize);
                        }
                    }
                    group = group.element(origin);
                    if let Some(label) = label {
                        group = group.element(Level::NOTE.message(format!("at {label}")));
                    }
                    for r in &d.related {
                        group = related(group, r, &mut line_of);
                    }
                }
            }
            None => {
                if let Some(label) = label {
                    group = group.element(Level::NOTE.message(format!("at {label}")));
                }
                for r in &d.related {
                    group = related(group, r, &mut line_of);
                }
            }
        }
        if let Some(object) = &d.object {
            group = group.element(Level::NOTE.message(format!("object: {object}")));
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// A related place: its own snippet when its line is at hand, else a note naming it.
fn related<'a, 's: 'a>(
    group: Group<'a>,
    r: &'a crate::diagnostic::Related,
    line_of: &mut impl FnMut(&Location) -> Option<&'s str>,
) -> Group<'a> {
    if let Some(loc) = &r.location
        && let Some(text) = line_of(loc)
    {
        let (text, span) = underline(text, loc.column);
        return group.element(
            Snippet::source(text)
                .line_start(loc.line as usize)
                .path(loc.file.as_str())
                .annotation(AnnotationKind::Context.span(span).label(r.label.as_str())),
        );
    }
    group.element(Level::NOTE.message(format!("{}: {}", r.label, r.path)))
}

/// The line (cut to [`MAX_LINE`] characters) and the byte range to underline: the value
/// that starts at the 1-based character `column` — a quoted string to its closing quote, a
/// flow list or mapping to its closing bracket, a plain value to the next `,` `]` `}` or
/// comment on the line.
fn underline(line: &str, column: u64) -> (&str, std::ops::Range<usize>) {
    let cut = line
        .char_indices()
        .nth(MAX_LINE)
        .map_or(line.len(), |(i, _)| i);
    let line = &line[..cut];
    let start = line
        .char_indices()
        .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(0))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = value_len(rest);
    let end = start + rest[..len].trim_end().len();
    if end > start {
        (line, start..end)
    } else {
        // Nothing to underline (the value is on the next line): point at the column.
        let end = rest.chars().next().map_or(start, |c| start + c.len_utf8());
        (line, start..end)
    }
}

/// The length in bytes of the YAML value at the start of `text`, within this line.
fn value_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    let mut previous = ' ';
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            // `''` inside single quotes and `\"` inside double quotes do not close them.
            Some('\'') if c == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                chars.next();
            }
            Some(q) if c == q && !(q == '"' && previous == '\\') => {
                quote = None;
                if depth == 0 {
                    return i + c.len_utf8();
                }
            }
            Some(_) => {}
            None => match c {
                '"' | '\'' if i == 0 || depth > 0 => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                ',' | ']' | '}' if depth == 0 => return i,
                '#' if depth == 0 && previous == ' ' => return i,
                _ => {}
            },
        }
        previous = c;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Rule, Stage};

    static RULE: Rule = Rule {
        code: "example-rule",
        severity: Severity::Error,
        stage: Stage::Profile,
        summary: "an example",
        explanation: "",
        hides_source: false,
    };
    static SECRET: Rule = Rule {
        code: "example-secret",
        severity: Severity::Error,
        stage: Stage::Input,
        summary: "a secret",
        explanation: "",
        hides_source: true,
    };

    fn at(line: u64, column: u64) -> Location {
        Location {
            file: "p.yaml".into(),
            line,
            column,
        }
    }

    const SOURCE: &str = "name: x\nplatform:\n  namespace: Bad_Name # comment\n";

    #[test]
    fn underlines_the_value_and_labels_the_path() {
        let d =
            Diagnostic::new(&RULE, "platform.namespace", "bad namespace", "fix it").at(at(3, 14));
        let text = render(&[d], |_| Some(SOURCE), Style::Plain);
        assert_eq!(
            text,
            "error[example-rule]: bad namespace\n --> p.yaml:3:14\n  |\n3 |   namespace: Bad_Name # comment\n  |              ^^^^^^^^ platform.namespace\n  |\n  = help: fix it\n\n"
        );
    }

    #[test]
    fn never_shows_the_line_of_a_secret() {
        let d = Diagnostic::new(&SECRET, "platform.namespace", "a secret", "").at(at(3, 14));
        let text = render(&[d], |_| Some(SOURCE), Style::Plain);
        assert!(!text.contains("Bad_Name"), "{text}");
        assert!(text.contains("p.yaml:3:14"), "{text}");
    }

    #[test]
    fn related_places_get_their_own_labels() {
        let mut d = Diagnostic::new(&RULE, "platform.namespace", "defined twice", "")
            .at(at(3, 14))
            .with_related("name", "first defined here");
        d.related[0].location = Some(at(1, 7));
        let text = render(&[d], |_| Some(SOURCE), Style::Plain);
        assert!(text.contains("1 | name: x"), "{text}");
        assert!(text.contains("- first defined here"), "{text}");
    }

    #[test]
    fn underlines_one_value_of_a_flow_collection() {
        let flow = "  - {name: m, storageUri: \"gs://b/m\", requirements: [onnx]}";
        for (line, at, value) in [
            (flow, "m,", "m"),
            (flow, "\"gs", "\"gs://b/m\""),
            (flow, "[onnx", "[onnx]"),
            ("key: plain value # comment", "plain", "plain value"),
            ("key: 'it''s' # x", "'it", "'it''s'"),
            ("key: \"a \\\" b\"", "\"a", "\"a \\\" b\""),
        ] {
            let column = line[..line.find(at).unwrap()].chars().count() as u64 + 1;
            let (text, span) = underline(line, column);
            assert_eq!(&text[span], value, "{line} at {column}");
        }
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::new(&RULE, "", "whole file", "").at(at(0, 0));
        assert!(!render(std::slice::from_ref(&d), |_| None, Style::Plain).contains('\x1b'));
        assert!(render(&[d], |_| None, Style::Colour).contains('\x1b'));
    }
}
