//! `gen audit` finds references across applications in anyone's YAML, told apart by the
//! `app.kubernetes.io/part-of` label, with the share annotation honoured.

use camino::Utf8PathBuf;
use gen_audit::audit;

#[test]
fn references_across_applications_are_found_in_plain_yaml() {
    let dir = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/audit/ownership")
        .canonicalize_utf8()
        .unwrap();
    let report = audit(std::slice::from_ref(&dir), None).unwrap();
    let found: Vec<(&str, String, u64, String, String)> = report
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.location.clone().expect("located");
            (
                d.rule.code,
                at.file
                    .strip_prefix(&format!("{dir}/"))
                    .unwrap()
                    .to_string(),
                at.line,
                d.object.clone().unwrap_or_default(),
                d.path.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "cross-application-reference",
                "signals.yaml".to_string(),
                13,
                "Pipeline seldon-mesh/blend".to_string(),
                "spec.steps[2].name".to_string()
            ),
            (
                "experiment-takeover",
                "signals.yaml".to_string(),
                27,
                "Experiment seldon-mesh/takeover".to_string(),
                "spec.default".to_string()
            ),
        ],
        "{}",
        report.render(gen_diagnostics::Style::Plain)
    );
    let step = &report.diagnostics[0];
    assert_eq!(
        step.message,
        "Pipeline \"blend\" of application \"signals\" runs as a step Model \"risk\", which belongs to application \"pricing\" and is not shared with \"signals\"; Seldon resolves the name in namespace \"seldon-mesh\" whatever the application"
    );
    assert_eq!(
        step.help.as_deref(),
        Some(
            "if \"pricing\" agrees, add \"signals\" to the annotation seldon.gen.io/shared-with of Model \"risk\" (comma-separated application names); otherwise use a Model of application \"signals\""
        )
    );
    // The owner's object is pointed at in its own file.
    let related = &step.related[0];
    assert_eq!(related.path, "metadata.name");
    let at = related.location.as_ref().unwrap();
    assert_eq!(
        (at.file.strip_prefix(&format!("{dir}/")).unwrap(), at.line),
        ("pricing.yaml", 13)
    );
    assert_eq!(report.exit_status(false).code(), 1);
}
