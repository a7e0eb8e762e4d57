//! Models: what they refer to, and whether the scheduler can place them (FACTS §5).

use gen_diagnostics::{Rule, Severity, Stage};

use super::servers::{ServerView, check_replicas};
use super::{Inventory, Names, Origin, Out, list};
use crate::kinds::{ModelSpec, ResourceType};
use crate::names::did_you_mean;
use crate::quantity::human_bytes;

pub(super) static MODEL_EXPLAINER_LLM: Rule = Rule::new(
    Stage::Seldon,
    "model-explainer-llm",
    Severity::Error,
    "a Model is an explainer or an LLM wrapper, not both",
    "The Model CRD's validation refuses a Model that sets both `explainer` and `llm` \
(model_types.go Validate): the controller marks it Failed and it never loads.

Fix: keep one of them.",
);

pub(super) static REFERENCE_MISSING: Rule = Rule::new(
    Stage::Seldon,
    "reference-missing",
    Severity::Error,
    "an explainer's or LLM's modelRef/pipelineRef names a Model or Pipeline of its namespace",
    "An explainer or LLM Model calls the Model or Pipeline it refers to through the \
namespace's envoy (`seldon-mesh`), by name. A reference to something that does not exist in \
the same namespace can never answer.

Fix: name a Model or Pipeline defined in the same namespace.",
);

pub(super) static SERVER_MISSING: Rule = Rule::new(
    Stage::Seldon,
    "server-missing",
    Severity::Error,
    "a Model pinned with `server:` names a Server of its namespace",
    "With `spec.server` set, the scheduler considers only the Server of that name in the \
Model's namespace. If there is none, the Model stays unscheduled (\"no matching servers are \
available\").

Fix: name one of the namespace's Servers, or remove the pin.",
);

pub(super) static REQUIREMENTS_UNSATISFIED: Rule = Rule::new(
    Stage::Seldon,
    "requirements-unsatisfied",
    Severity::Error,
    "some Server in the Model's namespace (or its pinned Server) offers every capability it requires",
    "The scheduler places a Model only on a Server replica whose capabilities (the agent's \
SELDON_SERVER_CAPABILITIES, from the ServerConfig, replaced by a Server's `capabilities` or \
extended by `extraCapabilities`) contain every entry of `requirements`, plus `modelType`, \
plus `alibi-explain` for an explainer. Servers only serve Models of their own namespace. \
Otherwise the Model stays unscheduled.

Fix: add a Server whose ServerConfig advertises the capabilities (mlserver: sklearn, \
xgboost, lightgbm, mlflow, huggingface, python, ...; triton: onnx, pytorch, tensorflow, \
tensorrt, python, ...), extend a Server's capabilities, or change the pin.",
);

pub static MEMORY_INVALID: Rule = Rule::new(
    Stage::Seldon,
    "memory-invalid",
    Severity::Error,
    "memory values are Kubernetes quantities",
    "`memory` is a Kubernetes quantity (100Ki, 512Mi, 2Gi); the API server refuses anything \
else, and the scheduler converts it to bytes.

Fix: write memory like 100Ki, 512Mi or 2Gi.",
);

pub(super) static MEMORY_TOO_LARGE: Rule = Rule::new(
    Stage::Seldon,
    "memory-too-large",
    Severity::Error,
    "a Model's memory fits one replica of a capable Server",
    "A replica of a Server holds as much as its inference container's memory request plus \
the agent's overcommit (SELDON_OVERCOMMIT_PERCENTAGE, 10%). Each Model replica goes whole \
onto one server replica; a Model larger than every capable replica is never scheduled.

Fix: lower the Model's memory, or give a capable Server more memory (its `memory` in a \
profile, or the inference container's requests and limits).",
);

pub(super) static REPLICAS_EXCEED_SERVER: Rule = Rule::new(
    Stage::Seldon,
    "replicas-exceed-server",
    Severity::Error,
    "a Model's replicas fit on one capable Server",
    "All replicas of a Model go onto one Server, each on a different server replica, so a \
Model needs a Server with at least as many replicas (its minReplicas, when set, is the \
fallback the scheduler accepts). An error where every capable Server is bounded; a warning \
where a capable Server autoscales without maxReplicas, since the Model then waits until \
the scheduler has scaled it up.

Fix: lower the Model's replicas, or give the Server more replicas (or a maxReplicas at or \
above the Model's).",
);

pub(super) fn check_models(inv: &Inventory, servers: &[ServerView], names: &Names, out: &mut Out) {
    // Servers by namespace, so scheduling checks stay linear in the number of models.
    let mut servers_in: std::collections::HashMap<&str, Vec<&ServerView>> =
        std::collections::HashMap::new();
    for sv in servers {
        servers_in.entry(sv.namespace).or_default().push(sv);
    }
    for l in &inv.models {
        let m = &l.object;
        let (ns, name, spec) = (m.namespace(), m.name(), &m.spec);
        let origin = &l.origin;
        check_replicas(
            origin,
            "Model",
            name,
            spec.replicas,
            spec.min_replicas,
            spec.max_replicas,
            out,
        );
        super::storage::check_model_storage(origin, name, spec, out);
        if spec.explainer.is_some() && spec.llm.is_some() {
            out.report(
                &MODEL_EXPLAINER_LLM,
                origin,
                "llm",
                format!(
                    "Model {name:?} sets both explainer and llm; Seldon accepts only one of them"
                ),
                "keep explainer or llm, not both",
            );
        }
        let refs = [
            (
                "explainer.modelRef",
                spec.explainer.as_ref().and_then(|e| e.model_ref.as_deref()),
                ResourceType::Model,
            ),
            (
                "explainer.pipelineRef",
                spec.explainer
                    .as_ref()
                    .and_then(|e| e.pipeline_ref.as_deref()),
                ResourceType::Pipeline,
            ),
            (
                "llm.modelRef",
                spec.llm.as_ref().and_then(|e| e.model_ref.as_deref()),
                ResourceType::Model,
            ),
            (
                "llm.pipelineRef",
                spec.llm.as_ref().and_then(|e| e.pipeline_ref.as_deref()),
                ResourceType::Pipeline,
            ),
        ];
        for (field, target, resource) in refs {
            let kind = resource.kind();
            if let Some(target) = target
                && !names.has(resource, ns, target)
            {
                out.report(
                    &REFERENCE_MISSING,
                    origin,
                    field,
                    format!("Model {name:?} refers to {kind} {target:?}, which does not exist in namespace {ns:?}"),
                    format!("name a {kind} defined in {ns:?}"),
                );
            }
        }

        // Scheduling: requirements, then memory, then replicas.
        let mut required: Vec<&str> = spec.requirements.iter().map(|r| r.trim()).collect();
        if let Some(t) = &spec.model_type {
            required.push(t.trim());
        }
        if spec.explainer.is_some() {
            required.push("alibi-explain");
        }
        let in_ns: &[&ServerView] = servers_in.get(ns).map_or(&[], Vec::as_slice);
        let candidates: Vec<&ServerView> = match &spec.server {
            Some(pin) => {
                let found: Vec<&ServerView> =
                    in_ns.iter().copied().filter(|s| s.name == pin).collect();
                if found.is_empty() {
                    let known: Vec<&str> = in_ns.iter().map(|s| s.name).collect();
                    let choose = format!(
                        "name one of the Servers in {ns:?}: {}",
                        list(known.iter().copied())
                    );
                    out.report(
                        &SERVER_MISSING,
                        origin,
                        "server",
                        format!("Model {name:?} is pinned to Server {pin:?}, which does not exist in namespace {ns:?}"),
                        match did_you_mean(pin, &known) {
                            Some(d) => format!("{d} ({choose})"),
                            None => choose,
                        },
                    );
                    continue;
                }
                found
            }
            None => in_ns.to_vec(),
        };
        if candidates.is_empty() {
            out.report(
                &REQUIREMENTS_UNSATISFIED,
                origin,
                "requirements",
                format!("Model {name:?} cannot be scheduled: namespace {ns:?} has no Server"),
                format!("add a Server to namespace {ns:?}"),
            );
            continue;
        }
        let capable: Vec<&ServerView> = candidates
            .iter()
            .copied()
            .filter(|s| {
                s.capabilities
                    .as_ref()
                    .is_none_or(|caps| required.iter().all(|r| caps.iter().any(|c| c == r)))
            })
            .collect();
        if capable.is_empty() {
            let lacks: Vec<String> = candidates
                .iter()
                .map(|s| {
                    let caps = s.capabilities.as_deref().unwrap_or(&[]);
                    let missing: Vec<&str> = required
                        .iter()
                        .copied()
                        .filter(|r| !caps.iter().any(|c| c == r))
                        .collect();
                    format!("{} lacks {}", s.name, missing.join(", "))
                })
                .collect();
            let field = if spec.requirements.is_empty() && spec.model_type.is_some() {
                "modelType"
            } else {
                "requirements"
            };
            let capabilities_help = "(mlserver: sklearn, xgboost, lightgbm, mlflow, huggingface, python, …; triton: onnx, pytorch, tensorflow, tensorrt, python, …)";
            let (scope, help) = match &spec.server {
                Some(pin) => {
                    let capable_elsewhere: Vec<&str> = in_ns
                        .iter()
                        .filter(|s| {
                            s.capabilities.as_ref().is_some_and(|caps| {
                                required.iter().all(|r| caps.iter().any(|c| c == r))
                            })
                        })
                        .map(|s| s.name)
                        .collect();
                    let elsewhere = if capable_elsewhere.is_empty() {
                        format!(
                            "pin a Server whose ServerConfig advertises them {capabilities_help}"
                        )
                    } else {
                        format!(
                            "pin a Server that offers them ({})",
                            capable_elsewhere.join(", ")
                        )
                    };
                    (
                        format!("its pinned Server {pin:?} does not offer all of them"),
                        format!(
                            "the Model is pinned by `server: {pin}`: remove the pin to let the scheduler choose a capable Server, {elsewhere}, or give Server {pin:?} these capabilities (capabilities/extraCapabilities)"
                        ),
                    )
                }
                None => (
                    format!("no Server in namespace {ns:?} offers all of them"),
                    format!(
                        "add a Server whose ServerConfig advertises these capabilities {capabilities_help}, or extend a Server with capabilities/extraCapabilities"
                    ),
                ),
            };
            out.report(
                &REQUIREMENTS_UNSATISFIED,
                origin,
                field,
                format!(
                    "Model {name:?} requires [{}], but {scope} ({})",
                    required.join(", "),
                    lacks.join("; ")
                ),
                help,
            );
            continue;
        }
        let memory = match &spec.memory {
            None => 0.0,
            Some(q) => match q.value() {
                Ok(v) => v,
                Err(e) => {
                    out.report(
                        &MEMORY_INVALID,
                        origin,
                        "memory",
                        format!("Model {name:?}: {e}"),
                        "write memory like 100Ki, 512Mi or 2Gi",
                    );
                    continue;
                }
            },
        };
        let fitting: Vec<&ServerView> = capable
            .iter()
            .copied()
            .filter(|s| s.capacity.is_none_or(|c| memory <= c))
            .collect();
        if fitting.is_empty() {
            let best = capable
                .iter()
                .max_by(|a, b| {
                    a.capacity
                        .unwrap_or(0.0)
                        .total_cmp(&b.capacity.unwrap_or(0.0))
                })
                .expect("capable is not empty");
            out.report(
                &MEMORY_TOO_LARGE,
                origin,
                "memory",
                format!(
                    "Model {name:?} needs {} of memory, but the largest capable server replica ({}) holds {} ({})",
                    human_bytes(memory),
                    best.name,
                    human_bytes(best.capacity.unwrap_or(0.0)),
                    best.capacity_note
                ),
                "lower the model's memory, or give a capable Server more memory",
            );
            continue;
        }
        check_model_fits_replicas(origin, name, spec, &fitting, out);
    }
}

/// All replicas of a Model go onto one Server, each on its own server replica (FACTS §5):
/// a Model that needs more replicas than any capable Server can ever run is never
/// scheduled. A Server that autoscales without a bound can grow, so there it is a
/// warning: the Model waits until the scheduler has scaled the Server up.
fn check_model_fits_replicas(
    origin: &Origin,
    name: &str,
    spec: &ModelSpec,
    fitting: &[&ServerView],
    out: &mut Out,
) {
    let by_min = spec.min_replicas.is_some_and(|m| m > 0);
    let needed = spec
        .min_replicas
        .filter(|m| *m > 0)
        .or(spec.replicas)
        .unwrap_or(1)
        .max(0) as u64;
    let field = if by_min { "minReplicas" } else { "replicas" };
    let servers = list(fitting.iter().map(|s| s.name));
    let fits = |s: &&ServerView| match s.most {
        Some(most) => needed <= most,
        None => needed <= s.replicas,
    };
    if fitting.iter().any(fits) {
        return;
    }
    if fitting.iter().all(|s| s.most.is_some()) {
        let most = fitting.iter().filter_map(|s| s.most).max().unwrap_or(0);
        out.report(
            &REPLICAS_EXCEED_SERVER,
            origin,
            field,
            format!(
                "Model {name:?} needs {needed} replicas, but each replica needs its own server replica and the capable Servers ({servers}) run at most {most}"
            ),
            "lower the model's replicas, or raise the Server's replicas (or maxReplicas when it autoscales)",
        );
    } else {
        let now = fitting.iter().map(|s| s.replicas).max().unwrap_or(0);
        out.warning(
            &REPLICAS_EXCEED_SERVER,
            origin,
            field,
            format!(
                "Model {name:?} needs {needed} replicas, but the capable Servers ({servers}) start with at most {now}; it is scheduled only once the scheduler has scaled a Server up, which nothing bounds (no maxReplicas)"
            ),
            "give the Server replicas enough for the model, or bound its autoscaling with maxReplicas at or above the model's replicas",
        );
    }
}
