//! References between applications that share a namespace: every kind of reference Seldon
//! resolves by name, refused across applications, accepted when the owner shares the
//! object, and not judged where the objects say nothing about their application.

mod common;

use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, upstream_server_configs};
use gen_seldon::kinds::*;
use gen_seldon::rules::{Located, Origin, OwnedInventory, PART_OF, SHARED_WITH, SecretInfo};
use gen_seldon::{Metadata, StrMap};

const NS: &str = "seldon-system";
const FIN: &str = "financial-prediction";
const MARKET: &str = "market-signals";

/// An object of `app` (no label when `None`), shared with `shared` when not empty.
fn meta(name: &str, app: Option<&str>, shared: &str) -> Metadata {
    let mut m = Metadata::namespaced(name, NS);
    if let Some(app) = app {
        m.labels = StrMap::from(std::collections::BTreeMap::from([(
            PART_OF.to_string(),
            app.to_string(),
        )]));
    }
    if !shared.is_empty() {
        m.annotations.insert(SHARED_WITH, shared);
    }
    m
}

fn model_spec() -> ModelSpec {
    ModelSpec {
        storage_uri: "gs://models/m".into(),
        requirements: vec!["sklearn".into()],
        ..ModelSpec::default()
    }
}

/// A namespace with a runtime, a Server, Kafka, and Models `price-predictor` (of
/// financial-prediction, shared with nobody) and `sentiment` (of market-signals).
fn base(shared: &str) -> OwnedInventory {
    let server = ServerSpec {
        server_config: "mlserver".into(),
        replicas: Some(2),
        min_replicas: Some(2),
        max_replicas: Some(2),
        ..ServerSpec::default()
    };
    let runtime = SeldonRuntimeSpec {
        seldon_config: DEFAULT_SELDON_CONFIG.into(),
        overrides: common::secure_overrides(),
        config: Some(common::tracing_off()),
        ..SeldonRuntimeSpec::default()
    };
    OwnedInventory {
        controller_namespace: NS.into(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.into()],
        server_configs: upstream_server_configs(),
        install: Install {
            kafka_bootstrap: Some("kafka:9092".into()),
            ..Install::chart_defaults()
        },
        runtimes: vec![Located::new(
            SeldonRuntime::new(meta("seldon", None, ""), runtime),
            "platform.runtime",
        )],
        servers: vec![Located::new(
            Server::new(meta("mlserver", None, ""), server),
            "platform.servers[0]",
        )],
        models: vec![
            Located::new(
                Model::new(meta("price-predictor", Some(FIN), shared), model_spec()),
                "applications[0].models[0]",
            ),
            Located::new(
                Model::new(meta("sentiment", Some(MARKET), ""), model_spec()),
                "applications[1].models[0]",
            ),
        ],
        secrets: vec![Located::new(
            SecretInfo {
                namespace: NS.into(),
                name: "seldon-rclone-gs-public".into(),
                keys: Some(1),
            },
            "platform.runtime",
        )],
        ..OwnedInventory::default()
    }
}

/// (rule, path, message) of every finding, and the help and related labels of the first.
fn findings(inv: &OwnedInventory) -> Vec<(&'static str, String, String)> {
    gen_seldon::rules::check(&inv.view())
        .into_iter()
        .map(|d| (d.rule.code, d.path, d.message))
        .collect()
}

fn first(inv: &OwnedInventory) -> gen_diagnostics::Diagnostic {
    gen_seldon::rules::check(&inv.view())
        .into_iter()
        .next()
        .expect("a finding")
}

fn pipeline(name: &str, app: &str, steps: &[&str]) -> Located<Pipeline> {
    Located::new(
        Pipeline::new(
            meta(name, Some(app), ""),
            PipelineSpec {
                steps: steps
                    .iter()
                    .map(|s| PipelineStep {
                        name: s.to_string(),
                        ..PipelineStep::default()
                    })
                    .collect(),
                ..PipelineSpec::default()
            },
        ),
        "applications[1].pipelines[0]",
    )
}

fn experiment(app: &str, default: Option<&str>, candidates: &[&str]) -> Located<Experiment> {
    Located::new(
        Experiment::new(
            meta("ab", Some(app), ""),
            ExperimentSpec {
                default: default.map(str::to_string),
                candidates: candidates
                    .iter()
                    .map(|c| Candidate {
                        name: c.to_string(),
                        weight: 50,
                    })
                    .collect(),
                ..ExperimentSpec::default()
            },
        ),
        "applications[1].experiments[0]",
    )
}

#[test]
fn references_inside_one_application_are_clean() {
    let mut inv = base("");
    inv.pipelines
        .push(pipeline("signals", MARKET, &["sentiment"]));
    inv.experiments
        .push(experiment(MARKET, Some("sentiment"), &["sentiment"]));
    assert_eq!(findings(&inv), vec![]);
}

#[test]
fn pipeline_step_of_another_application_is_refused() {
    let mut inv = base("");
    inv.pipelines.push(pipeline(
        "signals",
        MARKET,
        &["sentiment", "price-predictor"],
    ));
    assert_eq!(
        findings(&inv),
        vec![(
            "cross-application-reference",
            "applications[1].pipelines[0].steps[1].name".to_string(),
            "Pipeline \"signals\" of application \"market-signals\" runs as a step Model \"price-predictor\", which belongs to application \"financial-prediction\" and is not shared with \"market-signals\"; Seldon resolves the name in namespace \"seldon-system\" whatever the application".to_string(),
        )]
    );
    let d = first(&inv);
    assert_eq!(
        d.help.as_deref(),
        Some(
            "if \"financial-prediction\" agrees, add \"market-signals\" to `sharedWith` of Model \"price-predictor\" in application \"financial-prediction\" (applications[0].models[0]); otherwise use a Model of application \"market-signals\""
        )
    );
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].path, "applications[0].models[0].name");
    assert_eq!(
        d.related[0].label,
        "Model of application \"financial-prediction\""
    );
}

#[test]
fn a_share_admits_exactly_the_applications_it_names() {
    // Shared with market-signals (among others, with stray spaces and commas): accepted.
    let mut inv = base(" risk , market-signals,,");
    inv.pipelines.push(pipeline(
        "signals",
        MARKET,
        &["sentiment", "price-predictor"],
    ));
    assert_eq!(findings(&inv), vec![]);

    // Shared with another application only: refused, as unshared.
    let mut inv = base("risk");
    inv.pipelines.push(pipeline(
        "signals",
        MARKET,
        &["sentiment", "price-predictor"],
    ));
    let f = findings(&inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, "cross-application-reference");

    // A name that only starts like the application is not the application.
    let mut inv = base("market-signals-v2");
    inv.pipelines.push(pipeline(
        "signals",
        MARKET,
        &["sentiment", "price-predictor"],
    ));
    assert_eq!(findings(&inv).len(), 1);
}

#[test]
fn external_inputs_and_triggers_of_another_application_are_refused() {
    let mut inv = base("");
    let mut fin = pipeline("fin-pipeline", FIN, &["price-predictor"]);
    fin.origin = Origin::from("applications[0].pipelines[0]");
    inv.pipelines.push(fin);
    let mut reader = pipeline("reader", MARKET, &["sentiment"]);
    reader.object.spec.input = Some(PipelineInput {
        external_inputs: vec!["fin-pipeline.outputs".into()],
        external_triggers: vec!["fin-pipeline.step.price-predictor.outputs".into()],
        ..PipelineInput::default()
    });
    inv.pipelines.push(reader);
    let f = findings(&inv);
    assert_eq!(
        f.iter()
            .map(|(r, p, _)| (*r, p.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                "cross-application-reference",
                "applications[1].pipelines[0].input.externalInputs[0]"
            ),
            (
                "cross-application-reference",
                "applications[1].pipelines[0].input.externalTriggers[0]"
            ),
        ]
    );
    assert_eq!(
        f[0].2,
        "Pipeline \"reader\" of application \"market-signals\" reads the data of Pipeline \"fin-pipeline\", which belongs to application \"financial-prediction\" and is not shared with \"market-signals\"; Seldon resolves the name in namespace \"seldon-system\" whatever the application"
    );

    // Shared: accepted. Sharing the Pipeline does not share its steps' Models, which the
    // reader does not run.
    inv.pipelines[0]
        .object
        .metadata
        .annotations
        .insert(SHARED_WITH, MARKET);
    assert_eq!(findings(&inv), vec![]);
}

#[test]
fn experiment_candidates_and_mirror_of_another_application_are_refused() {
    let mut inv = base("");
    let mut x = experiment(MARKET, Some("sentiment"), &["sentiment", "price-predictor"]);
    x.object.spec.mirror = None;
    inv.experiments.push(x);
    let f = findings(&inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].0, f[0].1.as_str(), f[0].2.as_str()),
        (
            "cross-application-reference",
            "applications[1].experiments[0].candidates[1].name",
            "Experiment \"ab\" of application \"market-signals\" sends traffic to Model \"price-predictor\", which belongs to application \"financial-prediction\" and is not shared with \"market-signals\"; Seldon resolves the name in namespace \"seldon-system\" whatever the application"
        )
    );

    let mut inv = base("");
    let mut x = experiment(MARKET, Some("sentiment"), &["sentiment"]);
    x.object.spec.mirror = Some(Mirror {
        name: "price-predictor".into(),
        percent: 10,
    });
    inv.experiments.push(x);
    let f = findings(&inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].1, "applications[1].experiments[0].mirror.name");
    assert!(
        f[0].2
            .contains("mirrors traffic to Model \"price-predictor\"")
    );

    // Shared: both accepted.
    for (candidates, mirror) in [
        (&["sentiment", "price-predictor"][..], None),
        (&["sentiment"][..], Some("price-predictor")),
    ] {
        let mut inv = base(MARKET);
        let mut x = experiment(MARKET, Some("sentiment"), candidates);
        x.object.spec.mirror = mirror.map(|m| Mirror {
            name: m.into(),
            percent: 10,
        });
        inv.experiments.push(x);
        assert_eq!(findings(&inv), vec![]);
    }
}

#[test]
fn an_experiment_never_takes_over_another_applications_endpoint() {
    // Unshared: the takeover and the candidate.
    let mut inv = base("");
    inv.experiments.push(experiment(
        MARKET,
        Some("price-predictor"),
        &["price-predictor", "sentiment"],
    ));
    let f = findings(&inv);
    assert_eq!(
        f.iter()
            .map(|(r, p, _)| (*r, p.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                "experiment-takeover",
                "applications[1].experiments[0].default"
            ),
            (
                "cross-application-reference",
                "applications[1].experiments[0].candidates[0].name"
            ),
        ]
    );
    assert_eq!(
        f[0].2,
        "Experiment \"ab\" of application \"market-signals\" takes over the endpoint of Model \"price-predictor\", which belongs to application \"financial-prediction\": every request for \"price-predictor\" would follow \"market-signals\"'s traffic split, and \"financial-prediction\" could run no Experiment of its own on it"
    );
    let d = first(&inv);
    assert_eq!(
        d.help.as_deref(),
        Some(
            "define the Experiment in application \"financial-prediction\", or make the default a Model of application \"market-signals\"; sharing \"price-predictor\" lets \"market-signals\" use it as a candidate, never as the default"
        )
    );
    assert_eq!(d.related[0].path, "applications[0].models[0].name");

    // Shared: the candidate is accepted, the takeover still refused.
    let mut inv = base(MARKET);
    inv.experiments.push(experiment(
        MARKET,
        Some("price-predictor"),
        &["price-predictor", "sentiment"],
    ));
    let f = findings(&inv);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].0, "experiment-takeover");
}

#[test]
fn explainer_and_llm_references_of_another_application_are_refused() {
    let mut inv = base("");
    let mut fin_pipeline = pipeline("fin-pipeline", FIN, &["price-predictor"]);
    fin_pipeline.origin = Origin::from("applications[0].pipelines[0]");
    inv.pipelines.push(fin_pipeline);
    let with = |explainer: Option<Explainer>, llm: Option<Llm>| ModelSpec {
        explainer,
        llm,
        ..model_spec()
    };
    let cases = [
        (
            with(
                Some(Explainer {
                    kind: Some("anchor_tabular".into()),
                    model_ref: Some("price-predictor".into()),
                    pipeline_ref: None,
                }),
                None,
            ),
            "explainer.modelRef",
            "explains Model \"price-predictor\"",
        ),
        (
            with(
                Some(Explainer {
                    kind: Some("anchor_tabular".into()),
                    model_ref: None,
                    pipeline_ref: Some("fin-pipeline".into()),
                }),
                None,
            ),
            "explainer.pipelineRef",
            "explains Pipeline \"fin-pipeline\"",
        ),
        (
            with(
                None,
                Some(Llm {
                    model_ref: Some("price-predictor".into()),
                    pipeline_ref: None,
                }),
            ),
            "llm.modelRef",
            "calls Model \"price-predictor\"",
        ),
        (
            with(
                None,
                Some(Llm {
                    model_ref: None,
                    pipeline_ref: Some("fin-pipeline".into()),
                }),
            ),
            "llm.pipelineRef",
            "calls Pipeline \"fin-pipeline\"",
        ),
    ];
    for (spec, field, what) in cases {
        let mut inv = inv.clone();
        inv.models.push(Located::new(
            Model::new(meta("helper", Some(MARKET), ""), spec.clone()),
            "applications[1].models[1]",
        ));
        let f = findings(&inv);
        assert_eq!(f.len(), 1, "{field}: {f:#?}");
        assert_eq!(f[0].0, "cross-application-reference");
        assert_eq!(f[0].1, format!("applications[1].models[1].{field}"));
        assert!(
            f[0].2
                .starts_with(&format!("Model \"helper\" of application \"market-signals\" {what}, which belongs to application \"financial-prediction\"")),
            "{}",
            f[0].2
        );

        // Shared by its owner: accepted.
        for l in &mut inv.models[..1] {
            l.object.metadata.annotations.insert(SHARED_WITH, MARKET);
        }
        inv.pipelines[0]
            .object
            .metadata
            .annotations
            .insert(SHARED_WITH, MARKET);
        assert_eq!(findings(&inv), vec![], "{field} shared");
    }
}

#[test]
fn unlabelled_objects_are_not_judged() {
    // The referrer says nothing of its application.
    let mut inv = base("");
    let mut p = pipeline("signals", MARKET, &["price-predictor"]);
    p.object.metadata.labels = StrMap::default();
    inv.pipelines.push(p);
    assert_eq!(findings(&inv), vec![]);

    // The target says nothing of its application.
    let mut inv = base("");
    inv.models[0].object.metadata.labels = StrMap::default();
    inv.pipelines
        .push(pipeline("signals", MARKET, &["price-predictor"]));
    assert_eq!(findings(&inv), vec![]);

    // An empty label is no application either.
    let mut inv = base("");
    inv.models[0].object.metadata.labels.insert(PART_OF, "");
    inv.pipelines
        .push(pipeline("signals", MARKET, &["price-predictor"]));
    assert_eq!(findings(&inv), vec![]);
}

#[test]
fn open_namespaces_are_not_judged() {
    let mut inv = base("");
    inv.pipelines
        .push(pipeline("signals", MARKET, &["price-predictor"]));
    inv.experiments.push(experiment(
        MARKET,
        Some("price-predictor"),
        &["price-predictor"],
    ));
    let codes: Vec<&str> = findings(&inv).iter().map(|f| f.0).collect();
    assert_eq!(
        codes,
        vec![
            "cross-application-reference",
            "experiment-takeover",
            "cross-application-reference"
        ]
    );
    inv.open_namespaces = vec![NS.to_string()];
    assert_eq!(findings(&inv), vec![]);
}

#[test]
fn a_document_is_told_to_use_the_annotation() {
    let mut inv = base("");
    inv.models[0].origin = Origin::Document {
        file: "apps/fin/model.yaml".into(),
        line: 1,
        object: format!("Model {NS}/price-predictor"),
    };
    inv.pipelines
        .push(pipeline("signals", MARKET, &["price-predictor"]));
    let d = first(&inv);
    assert_eq!(
        d.help.as_deref(),
        Some(
            "if \"financial-prediction\" agrees, add \"market-signals\" to the annotation seldon.gen.io/shared-with of Model \"price-predictor\" (comma-separated application names); otherwise use a Model of application \"market-signals\""
        )
    );
    assert_eq!(d.related[0].path, "metadata.name");
    assert_eq!(
        d.related[0]
            .location
            .as_ref()
            .map(|l| (l.file.as_str(), l.line)),
        Some(("apps/fin/model.yaml", 1))
    );
}

#[test]
fn a_model_of_the_same_name_in_another_namespace_is_not_the_target() {
    let mut inv = base("");
    // Another namespace's price-predictor belongs to market-signals; the reference in
    // seldon-system is to seldon-system's, which is financial-prediction's.
    let mut elsewhere = meta("price-predictor", Some(MARKET), "");
    elsewhere.namespace = Some("other".into());
    inv.models.push(Located::new(
        Model::new(elsewhere, model_spec()),
        "applications[2].models[0]",
    ));
    let mut p = pipeline("fin-pipeline", FIN, &["price-predictor"]);
    p.origin = Origin::from("applications[0].pipelines[0]");
    inv.pipelines.push(p);
    let f: Vec<_> = findings(&inv)
        .into_iter()
        .filter(|(r, _, _)| *r == "cross-application-reference")
        .collect();
    assert_eq!(f, vec![]);
}
