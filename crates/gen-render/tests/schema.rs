mod common;

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
