//! Experiments: candidates that exist, weights that split, a default among the
//! candidates, one experiment per endpoint (scheduler/pkg/store/experiment/validate.go).

use std::collections::{BTreeMap, BTreeSet};

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Names, Out, list};
use crate::names::did_you_mean;

pub(super) static EXPERIMENT_EMPTY: Rule = Rule::new(
    Stage::Seldon,
    "experiment-empty",
    Severity::Error,
    "an Experiment has candidates or a mirror",
    "The scheduler refuses an Experiment with neither candidates nor a mirror.

Fix: add candidates with weights.",
);

pub(super) static EXPERIMENT_CANDIDATE_DUPLICATE: Rule = Rule::new(
    Stage::Seldon,
    "experiment-candidate-duplicate",
    Severity::Error,
    "each candidate is listed once",
    "The scheduler refuses duplicated candidate names.

Fix: list each candidate once.",
);

pub(super) static EXPERIMENT_CANDIDATE_MISSING: Rule = Rule::new(
    Stage::Seldon,
    "experiment-candidate-missing",
    Severity::Error,
    "candidates and the mirror are Models (or Pipelines) of the namespace",
    "An Experiment routes traffic to Models (or Pipelines with resourceType: pipeline) of its \
own namespace by name; a candidate or mirror that does not exist there keeps the \
Experiment from ever being ready (CandidatesReady/MirrorReady stay False).

Fix: define the Model or Pipeline in the same namespace, or fix the name.",
);

pub(super) static EXPERIMENT_WEIGHTS: Rule = Rule::new(
    Stage::Seldon,
    "experiment-weights",
    Severity::Error,
    "weights split traffic: not all 0, each within int32",
    "Traffic goes to each candidate in proportion weight / sum of weights; weights that sum \
to 0 split nothing. The CRD stores a weight as a 32-bit signed integer.

Fix: use weights such as 50/50 or 90/10; only their ratio matters.",
);

pub(super) static EXPERIMENT_MIRROR: Rule = Rule::new(
    Stage::Seldon,
    "experiment-mirror",
    Severity::Error,
    "the mirror is not a candidate, and mirrors at most 100%",
    "A mirror receives a copy of the traffic and its answers are dropped; the scheduler \
refuses a mirror that is also a candidate, and `percent` is a percentage.

Fix: mirror a model that is not a candidate, with a percent between 0 and 100.",
);

pub(super) static EXPERIMENT_DEFAULT: Rule = Rule::new(
    Stage::Seldon,
    "experiment-default",
    Severity::Error,
    "the default is one of the candidates",
    "`default` names the Model or Pipeline whose endpoint the Experiment takes over; the \
scheduler requires it to be one of the candidates.

Fix: add the default to the candidates, or pick a candidate as default.",
);

pub(super) static EXPERIMENT_DEFAULT_SHARED: Rule = Rule::new(
    Stage::Seldon,
    "experiment-default-shared",
    Severity::Error,
    "one Experiment per default",
    "Only one Experiment may take over a given endpoint at a time; the scheduler refuses a \
second one with the same default.

Fix: give one of the Experiments another default, or merge them.",
);

pub(super) fn check_experiments(inv: &Inventory, names: &Names, out: &mut Out) {
    let mut defaults: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for l in &inv.experiments {
        let e = &l.object;
        let (ns, name, spec) = (e.namespace(), e.name(), &e.spec);
        let origin = &l.origin;
        let resource = spec.resource_type.unwrap_or_default();

        let kind = resource.kind();
        if spec.candidates.is_empty() && spec.mirror.is_none() {
            out.report(
                &EXPERIMENT_EMPTY,
                origin,
                "candidates",
                format!("Experiment {name:?} has no candidates and no mirror"),
                "add candidates with weights",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, c) in spec.candidates.iter().enumerate() {
            if !seen.insert(c.name.as_str()) {
                out.report(
                    &EXPERIMENT_CANDIDATE_DUPLICATE,
                    origin,
                    format!("candidates[{i}].name"),
                    format!("Experiment {name:?} lists candidate {:?} twice", c.name),
                    "list each candidate once",
                );
            }
            if !names.has(resource, ns, &c.name) {
                out.report(
                    &EXPERIMENT_CANDIDATE_MISSING,
                    origin,
                    format!("candidates[{i}].name"),
                    format!(
                        "Experiment {name:?} candidate {:?} is not a {kind} in namespace {ns:?}",
                        c.name
                    ),
                    format!(
                        "{}define {kind} {:?} in the same namespace, or fix the name",
                        names.suggestion(resource, ns, &c.name),
                        c.name
                    ),
                );
            }
        }
        if !spec.candidates.is_empty() && spec.candidates.iter().all(|c| c.weight == 0) {
            out.report(
                &EXPERIMENT_WEIGHTS,
                origin,
                "candidates",
                format!(
                    "Experiment {name:?} candidate weights sum to 0, so no traffic can be split"
                ),
                "give at least one candidate a positive weight",
            );
        }
        for (i, c) in spec.candidates.iter().enumerate() {
            if c.weight > i32::MAX as u32 {
                out.report(
                    &EXPERIMENT_WEIGHTS,
                    origin,
                    format!("candidates[{i}].weight"),
                    format!("Experiment {name:?} candidate {:?} has weight {}; the CRD takes a 32-bit signed integer", c.name, c.weight),
                    "use weights such as 50/50 or 90/10; only their ratio matters",
                );
            }
        }
        if let Some(m) = &spec.mirror
            && m.percent > 100
        {
            out.report(
                &EXPERIMENT_MIRROR,
                origin,
                "mirror.percent",
                format!(
                    "Experiment {name:?} mirrors {}% of the traffic; a percentage is at most 100",
                    m.percent
                ),
                "set mirror.percent between 0 and 100",
            );
        }
        if let Some(d) = &spec.default {
            if !seen.contains(d.as_str()) {
                out.report(
                    &EXPERIMENT_DEFAULT,
                    origin,
                    "default",
                    format!(
                        "Experiment {name:?} default {d:?} is not one of its candidates ({})",
                        list(seen.iter().copied())
                    ),
                    format!(
                        "{}add {d:?} to candidates, or set default to one of them",
                        did_you_mean(d, &seen.iter().copied().collect::<Vec<_>>())
                            .map(|d| format!("{d} "))
                            .unwrap_or_default()
                    ),
                );
            }
            if let Some(first) = defaults.insert((ns, d.as_str()), name) {
                out.report(
                    &EXPERIMENT_DEFAULT_SHARED,
                    origin,
                    "default",
                    format!("Experiment {name:?} uses default {d:?}, which Experiment {first:?} already uses; only one experiment may take over an endpoint at a time"),
                    "give one of the experiments another default",
                );
            }
        }
        if let Some(m) = &spec.mirror {
            if seen.contains(m.name.as_str()) {
                out.report(
                    &EXPERIMENT_MIRROR,
                    origin,
                    "mirror.name",
                    format!("Experiment {name:?} mirror {:?} is also a candidate; Seldon refuses a mirror that is a candidate", m.name),
                    "mirror a model that is not a candidate, or drop it from candidates",
                );
            }
            if !names.has(resource, ns, &m.name) {
                out.report(
                    &EXPERIMENT_CANDIDATE_MISSING,
                    origin,
                    "mirror.name",
                    format!(
                        "Experiment {name:?} mirror {:?} is not a {kind} in namespace {ns:?}",
                        m.name
                    ),
                    format!(
                        "define {kind} {:?} in the same namespace, or fix the name",
                        m.name
                    ),
                );
            }
        }
    }
}
