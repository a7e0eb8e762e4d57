#[path = "../common/mod.rs"]
mod common;

use common::{DEDICATED, EXAMPLES, TEST_PROFILES};

mod table;

use table::*;

#[test]
fn committed_schema_is_current() {
    let committed =
        std::fs::read_to_string(common::root().join("schema/profile.schema.json")).unwrap();
    assert_eq!(
        committed,
        gen_profile::schema::profile_schema_json(),
        "run `gen schema > schema/profile.schema.json`"
    );
}

#[test]
fn profiles_carry_the_schema_modeline() {
    for name in common::EXAMPLES {
        let text = std::fs::read_to_string(common::example(name)).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/profile.schema.json\n"),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The schema rejects what gen rejects, wherever JSON Schema can say it: a table of broken
// profiles (the hostile inputs of gen-profile/tests/hostile.rs and the rule cases of
// profile_errors.rs, plus the editor typos that motivated the strict schema), each run
// through gen *and* through a JSON Schema validator.

use serde_json::Value;

/// What the schema can do about a profile gen rejects.
#[derive(Clone, Copy, Debug)]
enum Schema {
    /// The validator must reject it.
    Rejects,
    /// JSON Schema cannot say this rule; the reason is the test's record of why.
    CannotSay(&'static str),
    /// The bytes are no YAML document at all (gen: `syntax`, `encoding`, `too-large`), so
    /// there is nothing to validate.
    NoDocument,
}
use Schema::*;

const SHARED: &str = "\
name: t
pattern: shared
platform:
  namespace: seldon-system
  servers:
    - name: mlserver
      serverConfig: mlserver
applications:
  - name: app
    models:
      - name: iris
        storageUri: gs://b/iris
        requirements: [sklearn]
";

const CROSS_REFERENCE: &str =
    "a reference to another entry by name; JSON Schema cannot look values up";
const UNIQUE: &str = "uniqueness of one key across list items; uniqueItems compares whole items";
const COMPARISON: &str = "a comparison between two values of the profile";
const CAPACITY: &str = "computed over the Servers of a namespace (capabilities, memory)";

/// Apply `edits` (from → to) to `base`, each of which must match.
fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the base profile");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Every diagnostic code gen reports for `text` (input errors and check errors).
fn gen_codes(file: &str, text: &str) -> Vec<String> {
    let report = match gen_profile::parse(file, text) {
        Err(report) => report,
        Ok(loaded) => match gen_render::render_loaded(&loaded) {
            Ok(_) => return Vec::new(),
            Err(report) => report,
        },
    };
    report
        .diagnostics
        .iter()
        .map(|d| d.code().to_string())
        .collect()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(gen_profile::schema::profile_schema_value()).unwrap()
}

#[test]
fn the_schema_rejects_what_gen_rejects_where_json_schema_can_say_it() {
    let validator = validator();
    let rows = table();
    let mut rejected = 0;
    for (what, text, code, schema) in &rows {
        let codes = gen_codes("p.yaml", text);
        assert!(
            codes.iter().any(|c| c == code),
            "{what}: gen reports {codes:?}, not {code}"
        );
        let document = serde_saphyr::from_str::<Value>(text);
        match (schema, document) {
            (NoDocument, document) => {
                assert!(
                    matches!(*code, "syntax" | "encoding" | "too-large"),
                    "{what}: only unparseable input has no document"
                );
                assert!(document.is_err(), "{what}: it parses after all");
            }
            (Rejects, Ok(doc)) => {
                assert!(!validator.is_valid(&doc), "{what}: the schema accepts it");
                rejected += 1;
            }
            (CannotSay(why), Ok(doc)) => {
                assert!(
                    validator.is_valid(&doc),
                    "{what}: the table says JSON Schema cannot say it ({why}), but the schema rejects it: {:?}",
                    validator
                        .iter_errors(&doc)
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                );
            }
            (_, Err(e)) => panic!("{what}: not a YAML document: {e}"),
        }
    }
    assert!(rejected >= 55, "{rejected} of {} rows", rows.len());
}

#[test]
fn the_schema_accepts_every_profile_gen_accepts() {
    let validator = validator();
    let mut texts: Vec<(String, String)> = EXAMPLES
        .iter()
        .map(|n| {
            let path = common::example(n);
            (path.to_string(), std::fs::read_to_string(&path).unwrap())
        })
        .chain(TEST_PROFILES.iter().map(|n| {
            let path = common::test_profile(n);
            (path.to_string(), std::fs::read_to_string(&path).unwrap())
        }))
        .collect();
    texts.push(("SHARED".into(), SHARED.into()));
    // The profiles with environments: their overrides against `$defs/ProfileOverride`.
    for p in common::FLEETS.iter() {
        texts.push((p.to_string(), std::fs::read_to_string(p).unwrap()));
    }
    // Quantities in every form the API server takes, as a string and as a number.
    for q in [
        "1Gi", "512Mi", "1G", "1.5Gi", ".5Gi", "1e9", "1E9", "+2Gi", "2", "0.5",
    ] {
        texts.push((
            format!("memory {q}"),
            edit(
                SHARED,
                &[(
                    "serverConfig: mlserver",
                    &format!("serverConfig: mlserver\n      memory: \"{q}\""),
                )],
            ),
        ));
    }
    texts.push((
        "memory as a number".into(),
        edit(
            SHARED,
            &[(
                "serverConfig: mlserver",
                "serverConfig: mlserver\n      memory: 2000000000",
            )],
        ),
    ));
    texts.push(("DEDICATED".into(), DEDICATED.into()));
    for pattern in [
        gen_profile::Pattern::Shared,
        gen_profile::Pattern::Dedicated,
    ] {
        for engine in [
            gen_profile::Engine::Argocd,
            gen_profile::Engine::Flux,
            gen_profile::Engine::None,
        ] {
            texts.push((
                format!("gen init {pattern:?} {engine:?}"),
                gen_render::init::starter(pattern, engine, "starter").unwrap(),
            ));
        }
    }
    for (what, text) in texts {
        assert_eq!(
            gen_codes(common::file_of(&what), &text),
            Vec::<String>::new(),
            "{what}"
        );
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{what}");
    }
}
