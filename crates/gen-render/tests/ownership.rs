//! Pattern B ownership as a profile author meets it: a reference to another application's
//! object is refused at its line and column, naming both applications and the fix;
//! `sharedWith` must name another application of the same namespace.

use gen_profile::{Failure, Report};
use gen_render::ops::render_loaded;

/// Two applications in one namespace, each with a Model; market-signals also has a
/// Pipeline over its own Model.
const TWO_APPS: &str = "\
name: t
pattern: shared
seldon:
  kafka: {bootstrap: kafka:9092}
platform:
  namespace: seldon-system
  servers:
    - name: mlserver
      serverConfig: mlserver
      replicas: 2
applications:
  - name: financial-prediction
    owners: [group:financial-ml]
    models:
      - name: price-predictor
        storageUri: gs://b/price
        requirements: [sklearn]
  - name: market-signals
    owners: [group:market-research]
    models:
      - name: sentiment
        storageUri: gs://b/sentiment
        requirements: [sklearn]
    pipelines:
      - name: signals
        steps:
          - name: sentiment
";

fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the profile");
        text = text.replacen(from, to, 1);
    }
    text
}

fn render(text: &str) -> Result<gen_render::Bundle, Report> {
    let loaded = gen_profile::parse("p.yaml", text)?;
    render_loaded(&loaded)
}

/// (code, path, line, column, message) of a diagnostic.
type Summary = (&'static str, String, u64, u64, String);

/// The report of a refused profile, and the summary of each diagnostic.
fn refused(text: &str) -> (Report, Vec<Summary>) {
    let report = match render(text) {
        Ok(_) => panic!("expected a failure for:\n{text}"),
        Err(report) => report,
    };
    assert_eq!(report.failure, Failure::Check);
    let summary = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code(),
                d.path.clone(),
                d.line(),
                d.column(),
                d.message.clone(),
            )
        })
        .collect();
    (report, summary)
}

#[test]
fn the_two_applications_render() {
    assert!(render(TWO_APPS).is_ok());
}

#[test]
fn a_step_on_another_applications_model_is_refused_where_it_is_written() {
    let text = edit(
        TWO_APPS,
        &[(
            "          - name: sentiment\n",
            "          - name: sentiment\n          - name: price-predictor\n",
        )],
    );
    let (report, summary) = refused(&text);
    assert_eq!(
        summary,
        vec![(
            "cross-application-reference",
            "applications[1].pipelines[0].steps[1].name".to_string(),
            28,
            19,
            "Pipeline \"signals\" of application \"market-signals\" runs as a step Model \"price-predictor\", which belongs to application \"financial-prediction\" and is not shared with \"market-signals\"; Seldon resolves the name in namespace \"seldon-system\" whatever the application".to_string()
        )]
    );
    let d = &report.diagnostics[0];
    assert_eq!(
        d.help.as_deref(),
        Some(
            "if \"financial-prediction\" agrees, add \"market-signals\" to `sharedWith` of Model \"price-predictor\" in application \"financial-prediction\" (applications[0].models[0]); otherwise use a Model of application \"market-signals\""
        )
    );
    // The owner's entry is shown too, at its own line.
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].path, "applications[0].models[0].name");
    assert_eq!(
        d.related[0].location.as_ref().map(|l| (l.line, l.column)),
        Some((15, 15))
    );
}

#[test]
fn an_experiment_on_another_applications_endpoint_is_refused() {
    // The case: market-signals takes over price-predictor with 99% on its own model.
    let text = format!(
        "{TWO_APPS}    experiments:\n      - name: takeover\n        default: price-predictor\n        candidates:\n          - name: price-predictor\n            weight: 1\n          - name: sentiment\n            weight: 99\n"
    );
    let (_, summary) = refused(&text);
    assert_eq!(
        summary
            .iter()
            .map(|(c, p, l, col, _)| (*c, p.as_str(), *l, *col))
            .collect::<Vec<_>>(),
        vec![
            (
                "experiment-takeover",
                "applications[1].experiments[0].default",
                30,
                18
            ),
            (
                "cross-application-reference",
                "applications[1].experiments[0].candidates[0].name",
                32,
                19
            ),
        ]
    );
}

#[test]
fn shared_with_names_another_application_of_the_namespace() {
    let share = |with: &str| {
        edit(
            TWO_APPS,
            &[(
                "        storageUri: gs://b/price\n",
                &format!("        storageUri: gs://b/price\n        sharedWith: [{with}]\n"),
            )],
        )
    };
    let (report, summary) = refused(&share("market-signal"));
    assert_eq!(
        summary,
        vec![(
            "share-unknown",
            "applications[0].models[0].sharedWith[0]".to_string(),
            17,
            22,
            "Model \"price-predictor\" is shared with \"market-signal\", which is not an application of this profile".to_string()
        )]
    );
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some("did you mean \"market-signals\"? (or remove the entry)")
    );

    let (report, summary) = refused(&share("financial-prediction"));
    assert_eq!(
        summary,
        vec![(
            "share-unknown",
            "applications[0].models[0].sharedWith[0]".to_string(),
            17,
            22,
            "Model \"price-predictor\" is shared with its own application \"financial-prediction\"; an application always uses its own objects".to_string()
        )]
    );
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some("remove the entry")
    );
}

#[test]
fn a_share_cannot_cross_tenants() {
    let text = "\
name: t
pattern: dedicated
platform:
  namespace: seldon-system
tenants:
  - name: a
    namespace: a-ns
    servers: [{name: mlserver, serverConfig: mlserver}]
  - name: b
    namespace: b-ns
    servers: [{name: mlserver, serverConfig: mlserver}]
applications:
  - name: one
    tenant: a
    pipelines: []
    models:
      - name: m
        storageUri: gs://b/m
        requirements: [sklearn]
        sharedWith: [two]
  - name: two
    tenant: b
";
    let (report, summary) = refused(text);
    assert_eq!(
        summary,
        vec![(
            "share-unknown",
            "applications[0].models[0].sharedWith[0]".to_string(),
            20,
            22,
            "Model \"m\" is shared with \"two\", which is deployed into namespace \"b-ns\", not \"a-ns\"; Seldon resolves references only inside a namespace, so \"two\" could never use it".to_string()
        )]
    );
    assert_eq!(
        report.diagnostics[0].help.as_deref(),
        Some("remove the entry, or deploy both applications into one tenant")
    );
    // Within one tenant the same share is accepted.
    let same_tenant = text.replace("    tenant: b\n", "    tenant: a\n");
    assert!(render(&same_tenant).is_ok());
}

/// The objects of a rendered bundle as JSON, by path.
fn rendered(text: &str) -> Vec<(String, serde_json::Value)> {
    let bundle = render(text).unwrap_or_else(|r| panic!("{}", r.render(gen_profile::Style::Plain)));
    bundle
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .map(|(p, text)| (p.to_string(), serde_saphyr::from_str(text).unwrap()))
        .collect()
}

#[test]
fn a_shared_model_serves_the_applications_it_is_shared_with() {
    // The refused step of the test above, once the owner shares the Model.
    let text = edit(
        TWO_APPS,
        &[
            (
                "        storageUri: gs://b/price\n",
                "        storageUri: gs://b/price\n        sharedWith: [market-signals]\n",
            ),
            (
                "          - name: sentiment\n",
                "          - name: sentiment\n          - name: price-predictor\n",
            ),
        ],
    );
    let objs = rendered(&text);
    let (_, model) = objs
        .iter()
        .find(|(p, _)| p.ends_with("model-price-predictor.yaml"))
        .unwrap();
    assert_eq!(
        model["metadata"]["annotations"]["seldon.gen.io/shared-with"],
        "market-signals"
    );
    // A share lets another application call the Model, not take over its endpoint.
    let takeover = format!(
        "{text}    experiments:\n      - name: takeover\n        default: price-predictor\n        candidates:\n          - name: price-predictor\n            weight: 1\n          - name: sentiment\n            weight: 99\n"
    );
    let (_, summary) = refused(&takeover);
    assert_eq!(
        summary.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec!["experiment-takeover"]
    );
}

/// Two applications of one dedicated tenant, the second using the first's Model.
const ONE_TENANT: &str = "\
name: t
pattern: dedicated
seldon:
  kafka: {bootstrap: kafka:9092}
platform:
  namespace: seldon-system
tenants:
  - name: a
    namespace: a-ns
    servers: [{name: mlserver, serverConfig: mlserver}]
applications:
  - name: one
    tenant: a
    owners: [group:one]
    models:
      - name: m
        storageUri: gs://b/m
        requirements: [sklearn]
  - name: two
    tenant: a
    owners: [group:two]
    pipelines:
      - name: p
        steps:
          - name: m
";

#[test]
fn a_dedicated_tenant_keeps_its_applications_apart_only_when_it_asks() {
    // By default a tenant's applications are one team's: references between them pass,
    // and no admission policy is rendered.
    let objs = rendered(ONE_TENANT);
    assert!(
        !objs
            .iter()
            .any(|(_, o)| o["kind"] == "ValidatingAdmissionPolicy")
    );
    // isolateApplications: the reference is refused as in pattern shared ...
    let isolated = edit(
        ONE_TENANT,
        &[(
            "    namespace: a-ns\n",
            "    namespace: a-ns\n    isolateApplications: true\n",
        )],
    );
    let (_, summary) = refused(&isolated);
    assert_eq!(
        summary
            .iter()
            .map(|(c, p, ..)| (*c, p.as_str()))
            .collect::<Vec<_>>(),
        vec![(
            "cross-application-reference",
            "applications[1].pipelines[0].steps[0].name"
        )]
    );
    // ... until the owner shares it. Applied by hand (no GitOps engine), the bundle has no
    // admission policy: whoever applies it creates every application's objects.
    let shared = edit(
        &isolated,
        &[(
            "        requirements: [sklearn]\n",
            "        requirements: [sklearn]\n        sharedWith: [two]\n",
        )],
    );
    let policies = |text: &str| -> Vec<String> {
        rendered(text)
            .into_iter()
            .filter(|(_, o)| o["kind"] == "ValidatingAdmissionPolicy")
            .map(|(p, _)| p)
            .collect()
    };
    assert!(policies(&shared).is_empty());
    // With a GitOps engine, the tenant's folder carries the policy.
    let argocd = edit(
        &shared,
        &[(
            "platform:\n",
            "gitops:\n  engine: argocd\n  repoURL: https://git.example.com/gitops.git\nplatform:\n",
        )],
    );
    assert_eq!(
        policies(&argocd),
        vec!["tenants/a/validatingadmissionpolicy-t-tenant-a-application-ownership.yaml"]
    );
}
