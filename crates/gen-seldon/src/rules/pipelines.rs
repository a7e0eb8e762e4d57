//! Pipelines: steps that are Models of the namespace, references that name steps or
//! Pipelines, no cycles (scheduler/pkg/store/pipeline/validate.go, FACTS §1).

use std::collections::{BTreeMap, BTreeSet};

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Names, Out, list};
use crate::kinds::{Pipeline, ResourceType};

pub(super) static PIPELINE_EMPTY: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-empty",
    Severity::Error,
    "a Pipeline has at least one step",
    "The scheduler refuses a Pipeline without steps (validate.go), and the CRD requires \
`steps`.

Fix: add at least one step naming a Model.",
);

pub(super) static PIPELINE_STEP_NAME: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-step-name",
    Severity::Error,
    "no step has the Pipeline's own name",
    "In a Pipeline, a bare `<pipeline name>` means the Pipeline's inputs, so the scheduler \
refuses a step with the Pipeline's name.

Fix: rename the Pipeline or the Model.",
);

pub(super) static PIPELINE_STEP_DUPLICATE: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-step-duplicate",
    Severity::Error,
    "each step is listed once",
    "Step names must be unique in a Pipeline (validate.go); references name steps by name.

Fix: list each step once.",
);

pub(super) static PIPELINE_STEP_UNKNOWN: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-step-unknown",
    Severity::Error,
    "each step is a Model of the Pipeline's namespace",
    "A step runs the Model of the same name in the Pipeline's namespace: the dataflow engine \
reads and writes that Model's Kafka topics, which carry the namespace in their name. Steps \
cannot cross namespaces; a step without its Model keeps the Pipeline from ever being ready.

Fix: define the Model in the same namespace, or fix the step name.",
);

pub(super) static PIPELINE_REFERENCE: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-reference",
    Severity::Error,
    "inputs, triggers, outputs and external inputs name steps and Pipelines that exist",
    "A step's `inputs` and `triggers` and the `output.steps` name steps of the same Pipeline \
(`step`, `step.outputs[.TENSOR]`, `step.inputs.TENSOR`) or the Pipeline itself for its \
inputs; inputs and triggers must differ. `input.externalInputs` and `externalTriggers` \
name another Pipeline of the namespace (`<pipeline>.(inputs|outputs)[.tensor]`, or \
`<pipeline>.step.<step>...`). The scheduler refuses anything else.

Fix: name an existing step or Pipeline in one of those forms.",
);

pub(super) static PIPELINE_CYCLE: Rule = Rule::new(
    Stage::Seldon,
    "pipeline-cycle",
    Severity::Error,
    "no cycle among the steps unless allowCycles",
    "The scheduler refuses a Pipeline whose steps feed each other in a cycle unless \
`allowCycles: true` (then `maxStepRevisits` bounds the loop).

Fix: break the cycle, or set allowCycles (with maxStepRevisits) if it is intended.",
);

/// The step or pipeline that a reference such as `step.outputs.TENSOR` names, and
/// whether its second part is valid.
fn reference_head(reference: &str) -> (&str, bool) {
    let mut parts = reference.split('.');
    let head = parts.next().unwrap_or("");
    let ok = match parts.next() {
        None => true,
        Some(p) => p == "inputs" || p == "outputs",
    };
    (head, ok)
}

pub(super) fn check_pipelines(inv: &Inventory, names: &Names, out: &mut Out) {
    let pipelines: BTreeMap<(&str, &str), &Pipeline> = inv
        .pipelines
        .iter()
        .map(|l| ((l.object.namespace(), l.object.name()), l.object))
        .collect();
    for l in &inv.pipelines {
        let p = &l.object;
        let (ns, name, spec) = (p.namespace(), p.name(), &p.spec);
        let origin = &l.origin;
        if spec.steps.is_empty() {
            out.report(
                &PIPELINE_EMPTY,
                origin,
                "steps",
                format!("Pipeline {name:?} has no steps"),
                "add at least one step naming a Model",
            );
        }
        let mut steps: BTreeSet<&str> = BTreeSet::new();
        for (i, step) in spec.steps.iter().enumerate() {
            let s = step.name.as_str();
            if s == name {
                out.report(
                    &PIPELINE_STEP_NAME,
                    origin,
                    format!("steps[{i}].name"),
                    format!("Pipeline {name:?} has a step with its own name; Seldon reads a bare {name:?} as the pipeline's inputs"),
                    "rename the pipeline or the model",
                );
            }
            if !steps.insert(s) {
                out.report(
                    &PIPELINE_STEP_DUPLICATE,
                    origin,
                    format!("steps[{i}].name"),
                    format!("Pipeline {name:?} lists step {s:?} twice"),
                    "list each step once",
                );
            }
            if !names.has(ResourceType::Model, ns, s) {
                let elsewhere = names.elsewhere(ResourceType::Model, ns, s);
                let (message, help) = if elsewhere.is_empty() {
                    (
                        format!(
                            "Pipeline {name:?} step {s:?} is not a Model in namespace {ns:?}; each step runs the Model of the same name"
                        ),
                        format!(
                            "{}define Model {s:?} in the same namespace, or fix the step name",
                            names.suggestion(ResourceType::Model, ns, s)
                        ),
                    )
                } else {
                    let there = elsewhere
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (
                        format!(
                            "Pipeline {name:?} step {s:?} is not a Model in namespace {ns:?}: Model {s:?} lives in namespace {there}, and a step runs the Model of that name in the Pipeline's own namespace, so steps cannot cross namespaces"
                        ),
                        format!(
                            "define the Pipeline in {there} (in a gen profile: in an application of the tenant that owns it), or deploy a Model {s:?} in {ns:?}"
                        ),
                    )
                };
                out.report(
                    &PIPELINE_STEP_UNKNOWN,
                    origin,
                    format!("steps[{i}].name"),
                    message,
                    help,
                );
            }
        }
        let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (i, step) in spec.steps.iter().enumerate() {
            for (what, refs) in [("inputs", &step.inputs), ("triggers", &step.triggers)] {
                for (j, r) in refs.iter().enumerate() {
                    let (head, ok) = reference_head(r);
                    let field = format!("steps[{i}].{what}[{j}]");
                    if !ok {
                        out.report(
                            &PIPELINE_REFERENCE,
                            origin,
                            field,
                            format!("Pipeline {name:?} reference {r:?} is malformed"),
                            "write `step`, `step.outputs`, `step.outputs.TENSOR` or `step.inputs.TENSOR`",
                        );
                    } else if head == name {
                        // The pipeline's own inputs.
                    } else if !steps.contains(head) {
                        out.report(
                            &PIPELINE_REFERENCE,
                            origin,
                            field,
                            format!("Pipeline {name:?} step {:?} {what} {r:?}, but {head:?} is not a step of this pipeline", step.name),
                            format!("name one of the steps ({}) or the pipeline itself ({name:?}) for its inputs", list(steps.iter().copied())),
                        );
                    } else {
                        graph.entry(step.name.as_str()).or_default().push(head);
                    }
                }
            }
            for (j, t) in step.triggers.iter().enumerate() {
                if step.inputs.contains(t) {
                    out.report(
                        &PIPELINE_REFERENCE,
                        origin,
                        format!("steps[{i}].triggers[{j}]"),
                        format!(
                            "Pipeline {name:?} step {:?} uses {t:?} both as input and trigger",
                            step.name
                        ),
                        "inputs and triggers must differ",
                    );
                }
            }
        }
        if let Some(output) = &spec.output {
            for (j, r) in output.steps.iter().enumerate() {
                let (head, ok) = reference_head(r);
                if !ok || !steps.contains(head) {
                    out.report(
                        &PIPELINE_REFERENCE,
                        origin,
                        format!("output.steps[{j}]"),
                        format!("Pipeline {name:?} output names {r:?}, which is not a step of this pipeline"),
                        format!("name one of the steps: {}", list(steps.iter().copied())),
                    );
                }
            }
        }
        if let Some(input) = &spec.input {
            for (what, refs) in [
                ("externalInputs", &input.external_inputs),
                ("externalTriggers", &input.external_triggers),
            ] {
                for (j, r) in refs.iter().enumerate() {
                    let mut parts = r.split('.');
                    let other = parts.next().unwrap_or("");
                    let field = format!("input.{what}[{j}]");
                    match pipelines.get(&(ns, other)) {
                        None => out.report(
                            &PIPELINE_REFERENCE,
                            origin,
                            field,
                            format!("Pipeline {name:?} consumes {r:?}, but there is no Pipeline {other:?} in namespace {ns:?}"),
                            "write `<pipeline>.(inputs|outputs)[.tensor]` naming a Pipeline in the same namespace",
                        ),
                        Some(target) => {
                            if parts.next() == Some("step") {
                                let step = parts.next().unwrap_or("");
                                if !target.spec.steps.iter().any(|s| s.name == step) {
                                    out.report(
                                        &PIPELINE_REFERENCE,
                                        origin,
                                        field,
                                        format!("Pipeline {name:?} consumes {r:?}, but Pipeline {other:?} has no step {step:?}"),
                                        format!("name a step of {other:?}"),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        if spec.allow_cycles != Some(true)
            && let Some(cycle) = find_cycle(&graph)
        {
            out.report(
                &PIPELINE_CYCLE,
                origin,
                "steps",
                format!("Pipeline {name:?} has a cycle: {}", cycle.join(" -> ")),
                "break the cycle, or set allowCycles: true (with maxStepRevisits) if it is intended",
            );
        }
    }
}

fn find_cycle<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let start = stack.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(node);
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        let mut stack = Vec::new();
        if let Some(c) = visit(node, graph, &mut state, &mut stack) {
            return Some(c);
        }
    }
    None
}
