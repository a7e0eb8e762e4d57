//! The fast first parse (tree straight from parser events) must build exactly the tree
//! serde-saphyr builds, or decline. Checked on every profile in the repository, on
//! spellings chosen to sit on each edge of its rules, and on generated documents.

use gen_profile::load::{first_parse_by_serde, first_parse_plain};
use proptest::prelude::*;

/// Either the fast path declines, or serde-saphyr accepts the text and agrees. Returns
/// whether the fast path took it.
fn assert_agrees(text: &str) -> bool {
    let Some(fast) = first_parse_plain(text) else {
        return false;
    };
    match first_parse_by_serde(text) {
        Ok(slow) => assert_eq!(fast, slow, "trees differ for:\n{text}"),
        Err(e) => panic!("the fast path accepted what serde-saphyr refuses ({e}):\n{text}"),
    }
    true
}

/// A runner with a fixed seed: the same documents on every run and machine, so the
/// coverage counts asserted below do not depend on luck. Failures are reported with the
/// shrunk document in the panic, not persisted to a file.
fn seeded_runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    TestRunner::new_with_rng(
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

fn yaml_files(dir: &str, out: &mut Vec<std::path::PathBuf>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    for entry in std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_profile_in_the_repository_takes_the_fast_path_and_agrees() {
    let mut files = Vec::new();
    for dir in ["profiles", "tests/profiles", "fuzz/seeds"] {
        yaml_files(dir, &mut files);
    }
    assert!(files.len() >= 8, "found only {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Seeds of several documents (Seldon objects, for `gen audit`) are not profiles.
        let several = text.contains("\n---");
        assert_eq!(
            assert_agrees(&text),
            !several,
            "{} did not take the fast path",
            path.display()
        );
    }
}

/// Spellings on each edge of the scalar rules, as values and as keys.
const SCALARS: &[&str] = &[
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nul",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "true",
    "False",
    "TRUE",
    "0",
    "-0",
    "00",
    "01",
    "-01",
    "+1",
    "42",
    "-7",
    "123456789012345678",
    "-123456789012345678",
    "1234567890123456789",
    "99999999999999999999",
    "0x1F",
    "0X1F",
    "0o17",
    "0O17",
    "0b101",
    "1_000",
    "1__0",
    "_1",
    "1.5",
    "-0.5",
    "1.0",
    "-0.0",
    "00.5",
    "1.",
    ".5",
    "1e3",
    "1E-3",
    "1.5e3",
    ".inf",
    "-.inf",
    "+.inf",
    ".nan",
    "-.nan",
    "+.NaN",
    "inf",
    "nan",
    "Infinity",
    "-inf",
    "2.10.2",
    "1.2.3.4",
    "4Gi",
    "500m",
    "0.5Gi",
    "10%",
    "1:30",
    "abc",
    "a b",
    "-",
    "+",
    "-foo",
    ".hidden",
    "deadbeef",
    "1e999",
    "1f",
    "0xZZ",
    "'quoted'",
    "''",
    "\"dq\\tx\"",
    "\"\"",
    "'yes'",
    "\"42\"",
    "!!str 5",
    "!!int 5",
    "!custom x",
    "&a 1",
    "*a",
    "<<",
    "x # comment",
    "\"a\\u00e9\"",
    "é",
    "a:b",
    "http://x.y/z",
    "gs://bucket/m",
    "[]",
    "{}",
];

fn scalar() -> impl Strategy<Value = String> {
    prop::sample::select(SCALARS).prop_map(str::to_string)
}

#[derive(Debug, Clone)]
enum Doc {
    Scalar(String),
    Seq(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

fn doc() -> impl Strategy<Value = Doc> {
    scalar()
        .prop_map(Doc::Scalar)
        .prop_recursive(4, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Doc::Seq),
                prop::collection::vec((scalar(), inner), 0..5).prop_map(Doc::Map),
            ]
        })
}

/// Block style, with flow style for every collection below `flow_from` levels.
fn render(doc: &Doc, indent: usize, flow_from: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match doc {
        Doc::Scalar(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Doc::Seq(items) if items.is_empty() || indent / 2 >= flow_from => {
            flow(doc, out);
            out.push('\n');
        }
        Doc::Map(entries) if entries.is_empty() || indent / 2 >= flow_from => {
            flow(doc, out);
            out.push('\n');
        }
        Doc::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&format!("{pad}- "));
                render(item, indent + 2, flow_from, out);
            }
        }
        Doc::Map(entries) => {
            out.push('\n');
            for (k, v) in entries {
                out.push_str(&format!("{pad}{k}: "));
                render(v, indent + 2, flow_from, out);
            }
        }
    }
}

fn flow(doc: &Doc, out: &mut String) {
    match doc {
        Doc::Scalar(s) => out.push_str(s),
        Doc::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(item, out);
            }
            out.push(']');
        }
        Doc::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                flow(v, out);
            }
            out.push('}');
        }
    }
}

#[test]
fn generated_documents_agree_or_decline() {
    let mut runner = seeded_runner(3000);
    let taken = std::cell::Cell::new(0usize);
    runner
        .run(&(doc(), 0usize..4), |(d, flow_from)| {
            let mut text = String::new();
            render(&d, 0, flow_from, &mut text);
            let text = text.trim_start_matches('\n');
            taken.set(taken.get() + usize::from(assert_agrees(text)));
            Ok(())
        })
        .unwrap();
    // Not vacuous: a good share of the documents are plain enough for the fast path.
    assert!(taken.get() > 300, "fast path taken {} times", taken.get());
}

#[test]
fn each_scalar_spelling_agrees_or_declines_as_value_and_as_key() {
    let mut taken = 0;
    for s in SCALARS {
        for text in [format!("v: {s}\n"), format!("{s}: v\n"), format!("- {s}\n")] {
            taken += usize::from(assert_agrees(&text));
        }
    }
    // The fast path is not vacuous: most plain spellings are taken.
    assert!(taken > SCALARS.len(), "fast path taken {taken} times");
}

#[test]
fn the_fast_path_declines_what_only_serde_saphyr_does_exactly() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!str 5\n",
        "base: &b {x: 1}\nc:\n  <<: *b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\na: 2\n",
        "a: 0x1F\n",
        "a: 1e3\n",
        "a: [\n",
        "",
    ] {
        assert_eq!(first_parse_plain(text), None, "{text:?}");
    }
}

#[test]
fn plain_values_read_as_serde_saphyr_reads_them() {
    use gen_profile::source::{Node, Scalar, Str};
    let tree = first_parse_plain(
        "version: 2.10.2\nmemory: 4Gi\nreplicas: 2\nweight: -0.5\nenabled: yes\nnone: ~\nquoted: \"42\"\n",
    )
    .expect("plain document");
    let Node::Map(entries) = tree.value else {
        panic!("not a map")
    };
    let values: Vec<(&str, &Node)> = entries.iter().map(|(k, v)| (&*k.value, &v.value)).collect();
    let s = |v: &'static str| Node::Scalar(Scalar::Str(Str::from(v)));
    assert_eq!(
        values,
        [
            ("version", &s("2.10.2")),
            ("memory", &s("4Gi")),
            ("replicas", &Node::Scalar(Scalar::Int(Str::from("2")))),
            ("weight", &Node::Scalar(Scalar::Float(Str::from("-0.5")))),
            ("enabled", &Node::Scalar(Scalar::Bool(true))),
            ("none", &Node::Null),
            ("quoted", &s("42")),
        ]
    );
}

/// Inputs the fuzz target `plain_tree` found interesting.
#[test]
fn fuzz_findings_agree_or_decline() {
    // A lone `\r` is a line break: the list's items are at column 2, not 7.
    let lone_cr = "i:\n#\n\r  - -  - - :er\n       -  - \u{140d}g:er\n       - \u{140d}*%r\n       - \u{140d};     - \u{140d}g $#%r\n       - \u{140d}g#%r\n       - \u{140d}g $#%r\n       - \u{140d}g:er\n       - -  - - - \t# yaml-lam\tHH usesat\t- -   - - -  - - - - \t\t\t\t\t\t\t\t\t\t\t\t\t- - - -  - - - - 1\t- -  - -\u{066e} g ";
    assert!(assert_agrees(lone_cr));
}
