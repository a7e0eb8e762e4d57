//! A table of bad inputs → the diagnostic code, location and message. Every one is an input
//! error (exit 2): no panic, no stack overflow, no hang.

use gen_profile::{Failure, Report, parse_bytes, parse_owned_bytes};

/// The report for `bytes`; reading them as owned bytes (as `gen render` does) must give
/// the same report. Every input here that is a YAML document at all must also fail the
/// JSON Schema that editors use: each is an input error the schema can express.
fn load(bytes: &[u8]) -> Report {
    match (
        parse_bytes("p.yaml", bytes),
        parse_owned_bytes("p.yaml", bytes.to_vec()),
    ) {
        (Err(r), Err(owned)) => {
            assert_eq!(r.render(), owned.render());
            schema_rejects(bytes, &r);
            r
        }
        _ => panic!(
            "accepted: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        ),
    }
}

/// (code, line, column, message prefix) of the first diagnostic.
fn first(bytes: &[u8]) -> (String, u64, u64, String) {
    let r = load(bytes);
    assert_eq!(r.failure, Failure::Input, "{}", r.render());
    assert_eq!(r.exit_code(), 2);
    let _ = r.render();
    let d = &r.diagnostics[0];
    (d.code.clone(), d.line, d.column, d.message.clone())
}

fn check(bytes: &[u8], code: &str, at: (u64, u64), message_starts: &str) {
    let (c, line, column, message) = first(bytes);
    assert_eq!((c.as_str(), line, column), (code, at.0, at.1), "{message}");
    assert!(
        message.starts_with(message_starts),
        "{message:?} does not start with {message_starts:?}"
    );
}

/// The editor's JSON Schema rejects `bytes`, unless they are no YAML document (then gen
/// must say so: `syntax`, `encoding`, `too-large`).
fn schema_rejects(bytes: &[u8], report: &Report) {
    let code = report.diagnostics[0].code.as_str();
    if matches!(code, "syntax" | "encoding" | "too-large") {
        return;
    }
    let text = std::str::from_utf8(bytes).unwrap();
    let document: serde_json::Value = serde_saphyr::from_str(text)
        .unwrap_or_else(|e| panic!("gen says {code}, but it is no YAML document: {e}"));
    let validator = jsonschema::validator_for(gen_profile::schema::profile_schema_value()).unwrap();
    assert!(
        !validator.is_valid(&document),
        "gen rejects this ({code}) but the JSON Schema accepts it: {:?}",
        &text[..text.len().min(80)]
    );
}

const VALID_HEAD: &str = "name: x\npattern: shared\nplatform: {namespace: ns}\n";

#[test]
fn empty_and_shapeless_files() {
    check(b"", "empty", (0, 0), "the profile is empty");
    check(
        b"# just a comment\n\n",
        "empty",
        (0, 0),
        "the profile is empty",
    );
    check(b"~\n", "empty", (0, 0), "the profile is empty");
    check(
        b"- a\n- b\n",
        "not-a-mapping",
        (1, 1),
        "the profile must be a mapping of keys (name, pattern, platform, …), but it is a list",
    );
    check(
        b"just words\n",
        "not-a-mapping",
        (1, 1),
        "the profile must be a mapping of keys (name, pattern, platform, …), but it is a single value",
    );
}

#[test]
fn syntax_errors_point_at_the_place() {
    // The scanner reports a tab in the indentation after a plain scalar at the scalar,
    // a line early; the report points at the tab itself.
    check(
        b"name: x\n\tpattern: shared\n",
        "syntax",
        (2, 1),
        "a tab in the indentation: YAML indents with spaces only",
    );
    check(
        b"name: x\npattern: shared\nplatform:\n  namespace: ns\n  servers:\n    - name: x\n  \t  serverConfig: mlserver\n",
        "syntax",
        (7, 3),
        "a tab in the indentation: YAML indents with spaces only",
    );
    check(
        b"name: x\npattern: shared\nplatform:\n\tnamespace: ns\n",
        "syntax",
        (4, 1),
        "a tab in the indentation: YAML indents with spaces only",
    );
    check(
        b"name: [unclosed\npattern: shared\n",
        "syntax",
        (2, 8),
        "illegal placement of ':' indicator",
    );
    check(
        b"name: a\nname: b\n",
        "syntax",
        (2, 1),
        "duplicate mapping key",
    );
    check(
        b"name: x\npattern: shared\n  platform: {}\n",
        "syntax",
        (3, 11),
        "",
    );
}

#[test]
fn wrong_types_and_nulls_all_at_once() {
    let text = format!(
        "{VALID_HEAD}applications:\n  - name: a\n    models:\n      - name: m\n        storageUri:\n        replicas: [1]\n        memory: {{a: 1}}\n"
    );
    let r = load(text.as_bytes());
    let got: Vec<(String, u64, String)> = r
        .diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.line, d.message.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("invalid-value".to_string(), 8, "`applications[0].models[0].storageUri`: expected a string, found nothing".to_string()),
            ("invalid-value".to_string(), 9, "`applications[0].models[0].replicas`: expected an integer, found a list".to_string()),
            ("invalid-value".to_string(), 10, "`applications[0].models[0].memory`: expected a string or a number, found a mapping".to_string()),
        ]
    );
    check(
        format!("{VALID_HEAD}applications: 3\n").as_bytes(),
        "invalid-value",
        (4, 15),
        "`applications`: expected a list, found the integer 3",
    );
    check(
        b"name: x\npattern: 7\nplatform: {namespace: ns}\n",
        "invalid-value",
        (2, 10),
        "`pattern`: the integer 7 is not one of: shared, dedicated",
    );
}

#[test]
fn unknown_keys_suggest_the_right_one() {
    check(
        b"name: x\npatern: shared\nplatform: {namespace: ns}\n",
        "unknown-key",
        (2, 1),
        "unknown key `patern` at the top level",
    );
    let r = load(b"name: x\npatern: shared\nplatfrom: {namespace: ns}\n");
    let help: Vec<Option<&str>> = r.diagnostics.iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(
        help,
        vec![
            Some("did you mean `pattern`?"),
            Some("did you mean `platform`?")
        ]
    );
}

#[test]
fn encoding_and_binary_junk() {
    check(
        b"name: \xff\xfe\n",
        "encoding",
        (1, 7),
        "the profile is not valid UTF-8",
    );
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (code, ..) = first(&junk);
    assert!(code == "encoding" || code == "syntax", "{code}");
    check(b"\x00\x01\x02name: x\n", "syntax", (1, 1), "");
}

#[test]
fn alias_bombs_are_stopped() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    let (code, ..) = first(bomb.as_bytes());
    assert_eq!(code, "syntax");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let flow = "[".repeat(20_000);
    assert_eq!(first(flow.as_bytes()).0, "syntax");
    let maps = "{a: ".repeat(20_000);
    assert_eq!(first(maps.as_bytes()).0, "syntax");
    let mut block = String::from("name: x\n");
    for depth in 1..200 {
        block.push_str(&" ".repeat(depth));
        block.push_str("a:\n");
    }
    assert_eq!(first(block.as_bytes()).0, "syntax");
}

#[test]
fn huge_values_and_files() {
    let long = format!(
        "name: {}\npattern: shared\nplatform: {{namespace: ns}}\n",
        "x".repeat(5 * 1024 * 1024)
    );
    check(
        long.as_bytes(),
        "too-long",
        (1, 7),
        "`name` is a string of 5242880 bytes; profile values are at most 65536 bytes",
    );
    let big = vec![b'#'; gen_profile::load::MAX_PROFILE_BYTES + 1];
    check(
        &big,
        "too-large",
        (0, 0),
        &format!(
            "the profile is {} bytes",
            gen_profile::load::MAX_PROFILE_BYTES + 1
        ),
    );
}

#[test]
fn names_cannot_escape_the_output_folder() {
    for bad in [
        "../x",
        "/etc",
        "a/b",
        "UPPER",
        "dots.in.name",
        &"a".repeat(64),
    ] {
        let text = format!("name: {bad:?}\npattern: shared\nplatform: {{namespace: ns}}\n");
        let loaded = gen_profile::parse("p.yaml", &text).unwrap();
        let d = gen_profile::check::check(&loaded.profile);
        assert_eq!(d[0].code, "invalid-name", "{bad}");
        assert_eq!(d[0].path, "name");
        schema_rejects(text.as_bytes(), &loaded.report(d));
    }
}
