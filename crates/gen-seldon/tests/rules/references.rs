//! What objects name: storage URIs, explainers, Pipelines and Experiments, credentials
//! in parameters, exposed components.

use super::*;

#[test]
fn storage_uri_rules() {
    let cases = [
        (
            "ftp://host/x",
            "storage-uri",
            "Model \"m\": storageUri \"ftp://host/x\" has scheme \"ftp\", which Seldon's rclone storage does not serve here",
        ),
        (
            "bucket/x",
            "storage-uri",
            "Model \"m\": storageUri \"bucket/x\" has no scheme",
        ),
        (
            "gs://",
            "storage-uri",
            "Model \"m\": storageUri \"gs://\" names no bucket or host",
        ),
        (
            "s3://AKIA:secret@bucket/x",
            "storage-credentials",
            "Model \"m\": storageUri carries inline credentials (user information before '@'); they would be committed to git in the rendered bundle",
        ),
        (
            "https://acct.blob.core.windows.net/c/m?sv=2024&sig=abc",
            "storage-credentials",
            "Model \"m\": storageUri carries inline credentials (a \"sig\" query parameter); they would be committed to git in the rendered bundle",
        ),
    ];
    for (uri, rule, message) in cases {
        let mut inv = base();
        let mut spec = model("m", &["sklearn"]);
        spec.storage_uri = uri.into();
        add_model(&mut inv, "m", spec);
        assert_finding(&only(&inv), rule, "models[0]", "storageUri", message);
    }
    for ok in [
        "gs://b/p",
        "s3://b/p",
        "az://c/p",
        "https://h/p",
        "/mnt/models/p",
    ] {
        let mut inv = base();
        let mut spec = model("m", &["sklearn"]);
        spec.storage_uri = ok.into();
        add_model(&mut inv, "m", spec);
        assert_eq!(check(&inv), vec![], "{ok}");
    }
}

#[test]
fn explainer_rules() {
    let mut inv = base();
    add_model(&mut inv, "m", model("m", &["sklearn"]));
    let mut spec = model("e", &[]);
    spec.explainer = Some(Explainer {
        kind: Some("anchor_tabular".into()),
        model_ref: Some("missing".into()),
        pipeline_ref: None,
    });
    spec.llm = Some(Llm::default());
    add_model(&mut inv, "e", spec);
    let f = check(&inv);
    assert_finding(
        &f[0],
        "model-explainer-llm",
        "models[1]",
        "llm",
        "Model \"e\" sets both explainer and llm; Seldon accepts only one of them",
    );
    assert_finding(
        &f[1],
        "reference-missing",
        "models[1]",
        "explainer.modelRef",
        "Model \"e\" refers to Model \"missing\", which does not exist in namespace \"team\"",
    );
    assert_eq!(f.len(), 2);
    // An explainer needs alibi-explain, which triton lacks.
    let mut inv = base();
    inv.servers[0].object.spec.server_config = "triton".into();
    let mut spec = model("e", &[]);
    spec.explainer = Some(Explainer::default());
    add_model(&mut inv, "e", spec);
    assert_eq!(
        only(&inv).message,
        "Model \"e\" requires [alibi-explain], but no Server in namespace \"team\" offers all of them (mlserver lacks alibi-explain)"
    );
}

pub(crate) fn pipeline(name: &str, steps: Vec<PipelineStep>) -> Located<Pipeline> {
    Located::new(
        Pipeline::new(
            meta(name),
            PipelineSpec {
                steps,
                ..PipelineSpec::default()
            },
        ),
        "pipelines[0]",
    )
}

pub(crate) fn step(name: &str, inputs: &[&str]) -> PipelineStep {
    PipelineStep {
        name: name.into(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
        ..PipelineStep::default()
    }
}

pub(crate) fn with_models(names: &[&str]) -> Inventory {
    let mut inv = base();
    for n in names {
        add_model(&mut inv, n, model(n, &["sklearn"]));
    }
    inv
}

#[test]
fn pipeline_rules() {
    let mut inv = with_models(&["a", "b"]);
    inv.pipelines.push(pipeline(
        "p",
        vec![
            step("a", &[]),
            step("b", &["a.outputs.OUT0"]),
            step("c", &["p"]),
        ],
    ));
    assert_finding(
        &only(&inv),
        "pipeline-step-unknown",
        "pipelines[0]",
        "steps[2].name",
        "Pipeline \"p\" step \"c\" is not a Model in namespace \"team\"; each step runs the Model of the same name",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &[]), step("b", &["x"])]));
    assert_finding(
        &only(&inv),
        "pipeline-reference",
        "pipelines[0]",
        "steps[1].inputs[0]",
        "Pipeline \"p\" step \"b\" inputs \"x\", but \"x\" is not a step of this pipeline",
    );

    let mut inv = with_models(&["a"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &["a.sideways"])]));
    assert_finding(
        &only(&inv),
        "pipeline-reference",
        "pipelines[0]",
        "steps[0].inputs[0]",
        "Pipeline \"p\" reference \"a.sideways\" is malformed",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &["b"]), step("b", &["a"])]));
    assert_finding(
        &only(&inv),
        "pipeline-cycle",
        "pipelines[0]",
        "steps",
        "Pipeline \"p\" has a cycle: a -> b -> a",
    );
    inv.pipelines[0].object.spec.allow_cycles = Some(true);
    assert_eq!(check(&inv), vec![]);

    let mut inv = with_models(&["a"]);
    inv.pipelines
        .push(pipeline("p", vec![step("a", &[]), step("a", &[])]));
    assert_finding(
        &only(&inv),
        "pipeline-step-duplicate",
        "pipelines[0]",
        "steps[1].name",
        "Pipeline \"p\" lists step \"a\" twice",
    );

    let mut inv = with_models(&["p"]);
    inv.pipelines.push(pipeline("p", vec![step("p", &[])]));
    assert_finding(
        &only(&inv),
        "pipeline-step-name",
        "pipelines[0]",
        "steps[0].name",
        "Pipeline \"p\" has a step with its own name; Seldon reads a bare \"p\" as the pipeline's inputs",
    );

    let mut inv = with_models(&[]);
    inv.pipelines.push(pipeline("p", vec![]));
    assert_finding(
        &only(&inv),
        "pipeline-empty",
        "pipelines[0]",
        "steps",
        "Pipeline \"p\" has no steps",
    );

    let mut inv = with_models(&["a"]);
    let mut p = pipeline("p", vec![step("a", &[])]);
    p.object.spec.output = Some(PipelineOutput {
        steps: vec!["z".into()],
        ..PipelineOutput::default()
    });
    p.object.spec.input = Some(PipelineInput {
        external_inputs: vec!["other.outputs".into()],
        ..PipelineInput::default()
    });
    inv.pipelines.push(p);
    let f = check(&inv);
    assert_finding(
        &f[0],
        "pipeline-reference",
        "pipelines[0]",
        "output.steps[0]",
        "Pipeline \"p\" output names \"z\", which is not a step of this pipeline",
    );
    assert_finding(
        &f[1],
        "pipeline-reference",
        "pipelines[0]",
        "input.externalInputs[0]",
        "Pipeline \"p\" consumes \"other.outputs\", but there is no Pipeline \"other\" in namespace \"team\"",
    );
}

pub(crate) fn experiment(
    default: Option<&str>,
    candidates: &[(&str, u32)],
    mirror: Option<&str>,
) -> Located<Experiment> {
    Located::new(
        Experiment::new(
            meta("ab"),
            ExperimentSpec {
                default: default.map(str::to_string),
                candidates: candidates
                    .iter()
                    .map(|(n, w)| Candidate {
                        name: n.to_string(),
                        weight: *w,
                    })
                    .collect(),
                mirror: mirror.map(|m| Mirror {
                    name: m.into(),
                    percent: 10,
                }),
                resource_type: None,
            },
        ),
        "experiments[0]",
    )
}

#[test]
fn experiment_rules() {
    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("c"), &[("a", 50), ("b", 50)], None));
    assert_finding(
        &only(&inv),
        "experiment-default",
        "experiments[0]",
        "default",
        "Experiment \"ab\" default \"c\" is not one of its candidates (a, b)",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 50), ("b", 50)], Some("b")));
    assert_finding(
        &only(&inv),
        "experiment-mirror",
        "experiments[0]",
        "mirror.name",
        "Experiment \"ab\" mirror \"b\" is also a candidate; Seldon refuses a mirror that is a candidate",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 50), ("z", 50)], None));
    assert_finding(
        &only(&inv),
        "experiment-candidate-missing",
        "experiments[0]",
        "candidates[1].name",
        "Experiment \"ab\" candidate \"z\" is not a Model in namespace \"team\"",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments.push(experiment(None, &[], None));
    assert_finding(
        &only(&inv),
        "experiment-empty",
        "experiments[0]",
        "candidates",
        "Experiment \"ab\" has no candidates and no mirror",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments.push(experiment(None, &[("a", 0)], None));
    assert_finding(
        &only(&inv),
        "experiment-weights",
        "experiments[0]",
        "candidates",
        "Experiment \"ab\" candidate weights sum to 0, so no traffic can be split",
    );

    let mut inv = with_models(&["a"]);
    inv.experiments
        .push(experiment(None, &[("a", 1), ("a", 1)], None));
    assert_finding(
        &only(&inv),
        "experiment-candidate-duplicate",
        "experiments[0]",
        "candidates[1].name",
        "Experiment \"ab\" lists candidate \"a\" twice",
    );

    let mut inv = with_models(&["a", "b"]);
    inv.experiments
        .push(experiment(Some("a"), &[("a", 1), ("b", 1)], None));
    let mut second = experiment(Some("a"), &[("a", 1), ("b", 1)], None);
    second.object.metadata.name = "ab2".into();
    second.origin = "experiments[1]".into();
    inv.experiments.push(second);
    assert_finding(
        &only(&inv),
        "experiment-default-shared",
        "experiments[1]",
        "default",
        "Experiment \"ab2\" uses default \"a\", which Experiment \"ab\" already uses; only one experiment may take over an endpoint at a time",
    );

    // Pipelines as candidates.
    let mut inv = with_models(&["a"]);
    inv.pipelines.push(pipeline("p", vec![step("a", &[])]));
    let mut e = experiment(Some("p"), &[("p", 1)], None);
    e.object.spec.resource_type = Some(ResourceType::Pipeline);
    inv.experiments.push(e);
    assert_eq!(check(&inv), vec![]);
}

#[test]
fn credential_parameters_are_refused() {
    let mut inv = base();
    let mut spec = model("m", &["sklearn"]);
    spec.parameters = vec![
        Parameter {
            name: "dbPassword".into(),
            value: "x".into(),
        },
        Parameter {
            name: "threshold".into(),
            value: "0.5".into(),
        },
    ];
    add_model(&mut inv, "m", spec);
    assert_finding(
        &only(&inv),
        "parameter-credential",
        "models[0]",
        "parameters[0].name",
        "Model \"m\" parameter \"dbPassword\" looks like a credential; its value would be committed to git in the rendered bundle",
    );
    use gen_seldon::rules::looks_like_credential;
    assert!(
        looks_like_credential("password")
            && looks_like_credential("AWS_SECRET_ACCESS_KEY")
            && looks_like_credential("apiKey")
    );
    assert!(
        !looks_like_credential("secretName")
            && !looks_like_credential("threshold")
            && !looks_like_credential("tokenizer_ref")
    );
}

#[test]
fn exposed_runtime_and_hodometer_are_warnings() {
    let mut inv = base();
    inv.runtimes[0].object.spec.overrides.clear();
    let f = check(&inv);
    let summary: Vec<(Severity, &str, &str)> = f
        .iter()
        .map(|f| (f.severity, f.rule, f.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Severity::Warning,
                "runtime-exposed",
                "SeldonRuntime in namespace \"team\" exposes seldon-scheduler as a LoadBalancer (without an override Seldon defaults to LoadBalancer)"
            ),
            (
                Severity::Warning,
                "runtime-exposed",
                "SeldonRuntime in namespace \"team\" exposes seldon-envoy as a LoadBalancer (without an override Seldon defaults to LoadBalancer)"
            ),
            (
                Severity::Warning,
                "hodometer-enabled",
                "SeldonRuntime in namespace \"team\" runs hodometer, which sends usage metrics to hodometer.seldon.io on the internet"
            ),
        ]
    );
    // An override without serviceType means ClusterIP.
    let mut inv = base();
    inv.runtimes[0].object.spec.overrides[1].service_type = None;
    assert_eq!(check(&inv), vec![]);
    inv.runtimes[0].object.spec.overrides[1].service_type = Some(ServiceType::LoadBalancer);
    assert_eq!(
        only(&inv).message,
        "SeldonRuntime in namespace \"team\" exposes seldon-envoy as a LoadBalancer (its override asks for LoadBalancer)"
    );
}

#[test]
fn experiment_numbers_fit_the_crd() {
    let mut inv = with_models(&["a", "b"]);
    let mut e = experiment(Some("a"), &[("a", 3_000_000_000), ("b", 1)], Some("x"));
    e.object.spec.mirror = None;
    inv.experiments.push(e);
    assert_finding(
        &only(&inv),
        "experiment-weights",
        "experiments[0]",
        "candidates[0].weight",
        "Experiment \"ab\" candidate \"a\" has weight 3000000000; the CRD takes a 32-bit signed integer",
    );
    let mut inv = with_models(&["a", "b", "c"]);
    let mut e = experiment(Some("a"), &[("a", 1), ("b", 1)], Some("c"));
    e.object.spec.mirror.as_mut().unwrap().percent = 150;
    inv.experiments.push(e);
    assert_finding(
        &only(&inv),
        "experiment-mirror",
        "experiments[0]",
        "mirror.percent",
        "Experiment \"ab\" mirrors 150% of the traffic; a percentage is at most 100",
    );
}
