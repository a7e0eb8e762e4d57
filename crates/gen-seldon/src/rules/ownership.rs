//! Applications that share a namespace: every reference stays inside its application
//! unless the owner shares the object.
//!
//! Seldon resolves every reference by name inside the referring object's namespace and
//! knows nothing of applications: a Pipeline step runs "the Model of that name in this
//! namespace", an Experiment routes to candidates of the namespace, an explainer calls its
//! `modelRef` through the namespace's envoy (FACTS §1, §3). When several applications live
//! in one namespace (pattern shared, or a dedicated tenant that isolates its applications)
//! the only record of who owns what is the `app.kubernetes.io/part-of` label gen puts on
//! every object, and an owner's consent to a reference is the [`SHARED_WITH`] annotation
//! on the shared object (`sharedWith` in a profile).

use std::collections::{BTreeSet, HashMap};

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Origin, Out};
use crate::kinds::ResourceType;
use crate::meta::Metadata;

/// The Kubernetes recommended label that names the application an object belongs to.
pub const PART_OF: &str = "app.kubernetes.io/part-of";

/// The annotation by which an application shares one of its Models or Pipelines: the
/// names of the applications (comma-separated) that may refer to it.
///
/// The key is prefixed because gen reads it back (`gen audit`); an unprefixed key belongs
/// to the cluster's users. The prefix names the tool and the system it configures and
/// stays out of the domains others own or reserve: `kubernetes.io` and `k8s.io`
/// (Kubernetes), `seldon.io` (Seldon's own, whose kinds live in `mlops.seldon.io`).
pub const SHARED_WITH: &str = "seldon.gen.io/shared-with";

pub(super) static CROSS_APPLICATION_REFERENCE: Rule = Rule::new(
    Stage::Seldon,
    "cross-application-reference",
    Severity::Error,
    "a reference to another application's Model or Pipeline is one its owner shares",
    "Seldon resolves every reference by name inside the namespace and knows nothing of \
applications: a Pipeline step runs the Model of that name and reads and writes its Kafka \
topics, `input.externalInputs`/`externalTriggers` read another Pipeline's topics, an \
Experiment sends traffic to its candidates and a copy to its mirror, an explainer or LLM \
calls its `modelRef`/`pipelineRef` through the namespace's envoy. Where several \
applications share a namespace (pattern shared, or a dedicated tenant with \
`isolateApplications`), the object's `app.kubernetes.io/part-of` label names its \
application, and a reference from one application to another's Model or Pipeline would \
load, read or send traffic to it without its owner's consent. Objects without the label \
are not judged. `gen audit` checks every namespace; `gen render` skips the namespaces of \
dedicated tenants that do not isolate their applications.

Fix: let the owner share the object (in a profile `sharedWith: [<application>]` on the \
Model or Pipeline entry, rendered as the annotation `seldon.gen.io/shared-with`, a \
comma-separated list of application names), or refer to an object of the same \
application.",
);

pub(super) static EXPERIMENT_TAKEOVER: Rule = Rule::new(
    Stage::Seldon,
    "experiment-takeover",
    Severity::Error,
    "an Experiment's default is a Model or Pipeline of its own application",
    "An Experiment with `default: X` takes over X's endpoint: the scheduler routes every \
request for X through the Experiment's split, and no other Experiment may use X as its \
default while it exists. Where several applications share a namespace, an Experiment whose \
default belongs to another application reroutes that application's traffic and blocks its \
own experiments. Sharing an object lets another application call it, not take over its \
endpoint, so a share does not allow this either.

Fix: define the Experiment in the application that owns the default, or make the default \
one of the Experiment's own application's Models or Pipelines (another application's \
shared Model may still be a candidate).",
);

/// The application an object belongs to, by its label.
pub fn application_of(meta: &Metadata) -> Option<&str> {
    meta.labels.get(PART_OF).filter(|a| !a.is_empty())
}

/// The applications an object is shared with, by its annotation.
pub fn shared_with(meta: &Metadata) -> BTreeSet<&str> {
    meta.annotations
        .get(SHARED_WITH)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Who owns a Model or Pipeline, whom it is shared with, and where it is defined.
struct Owned<'a> {
    application: &'a str,
    shared_with: BTreeSet<&'a str>,
    origin: &'a Origin,
}

/// The owner of every labelled Model and Pipeline, by kind (`Model`, `Pipeline`), namespace
/// and name (the first of a name; duplicates are `duplicate-name`'s).
struct Owners<'a> {
    by_name: HashMap<(&'static str, &'a str, &'a str), Owned<'a>>,
}

impl<'a> Owners<'a> {
    fn new(inv: &'a Inventory<'a>) -> Self {
        let mut by_name = HashMap::new();
        let mut add = |resource, meta: &'a Metadata, origin: &'a Origin| {
            if let Some(application) = application_of(meta) {
                by_name
                    .entry((
                        ResourceType::kind(resource),
                        meta.namespace(),
                        meta.name.as_str(),
                    ))
                    .or_insert(Owned {
                        application,
                        shared_with: shared_with(meta),
                        origin,
                    });
            }
        };
        for l in &inv.models {
            add(ResourceType::Model, &l.object.metadata, &l.origin);
        }
        for l in &inv.pipelines {
            add(ResourceType::Pipeline, &l.object.metadata, &l.origin);
        }
        Owners { by_name }
    }

    fn get(&self, resource: ResourceType, ns: &'a str, name: &'a str) -> Option<&Owned<'a>> {
        self.by_name.get(&(resource.kind(), ns, name))
    }
}

/// One reference from an object of application `from` in namespace `ns`.
struct Reference<'r> {
    ns: &'r str,
    from: &'r str,
    /// `Pipeline "p"`, `Experiment "e"`, `Model "m"`.
    referrer: String,
    origin: &'r Origin,
    field: String,
    /// What the reference does, e.g. `runs step`, `sends traffic to`.
    verb: &'static str,
    resource: ResourceType,
    target: &'r str,
}

fn check_reference(r: Reference, owners: &Owners, out: &mut Out) {
    let Some(owned) = owners.get(r.resource, r.ns, r.target) else {
        return;
    };
    if owned.application == r.from || owned.shared_with.contains(r.from) {
        return;
    }
    let kind = r.resource.kind();
    let (target, from, owner) = (r.target, r.from, owned.application);
    let how = match owned.origin {
        Origin::Profile(path) => format!(
            "add {from:?} to `sharedWith` of {kind} {target:?} in application {owner:?} ({path})"
        ),
        Origin::Document { .. } => format!(
            "add {from:?} to the annotation {SHARED_WITH} of {kind} {target:?} (comma-separated application names)"
        ),
    };
    out.report(
        &CROSS_APPLICATION_REFERENCE,
        r.origin,
        &r.field,
        format!(
            "{} of application {from:?} {} {kind} {target:?}, which belongs to application {owner:?} and is not shared with {from:?}; Seldon resolves the name in namespace {:?} whatever the application",
            r.referrer, r.verb, r.ns
        ),
        format!(
            "if {owner:?} agrees, {how}; otherwise use a {kind} of application {from:?}"
        ),
    );
    out.relate(
        owned.origin,
        "name",
        format!("{kind} of application {owner:?}"),
    );
}

/// Check every reference of every labelled object in a namespace shared by applications.
pub(super) fn check_ownership(inv: &Inventory, out: &mut Out) {
    let owners = Owners::new(inv);
    if owners.by_name.is_empty() {
        return;
    }
    let open = |ns: &str| inv.open_namespaces.iter().any(|n| n == ns);
    for l in &inv.models {
        let m = &l.object;
        let (ns, spec) = (m.namespace(), &m.spec);
        let Some(from) = application_of(&m.metadata).filter(|_| !open(ns)) else {
            continue;
        };
        let refs = [
            (
                "explainer.modelRef",
                "explains",
                ResourceType::Model,
                spec.explainer.as_ref().and_then(|e| e.model_ref.as_deref()),
            ),
            (
                "explainer.pipelineRef",
                "explains",
                ResourceType::Pipeline,
                spec.explainer
                    .as_ref()
                    .and_then(|e| e.pipeline_ref.as_deref()),
            ),
            (
                "llm.modelRef",
                "calls",
                ResourceType::Model,
                spec.llm.as_ref().and_then(|e| e.model_ref.as_deref()),
            ),
            (
                "llm.pipelineRef",
                "calls",
                ResourceType::Pipeline,
                spec.llm.as_ref().and_then(|e| e.pipeline_ref.as_deref()),
            ),
        ];
        for (field, verb, resource, target) in refs {
            if let Some(target) = target {
                let referrer = format!("Model {:?}", m.name());
                check_reference(
                    Reference {
                        ns,
                        from,
                        referrer,
                        origin: &l.origin,
                        field: field.to_string(),
                        verb,
                        resource,
                        target,
                    },
                    &owners,
                    out,
                );
            }
        }
    }
    for l in &inv.pipelines {
        let p = &l.object;
        let (ns, spec) = (p.namespace(), &p.spec);
        let Some(from) = application_of(&p.metadata).filter(|_| !open(ns)) else {
            continue;
        };
        let referrer = || format!("Pipeline {:?}", p.name());
        for (i, step) in spec.steps.iter().enumerate() {
            check_reference(
                Reference {
                    ns,
                    from,
                    referrer: referrer(),
                    origin: &l.origin,
                    field: format!("steps[{i}].name"),
                    verb: "runs as a step",
                    resource: ResourceType::Model,
                    target: &step.name,
                },
                &owners,
                out,
            );
        }
        if let Some(input) = &spec.input {
            for (what, refs) in [
                ("externalInputs", &input.external_inputs),
                ("externalTriggers", &input.external_triggers),
            ] {
                for (j, r) in refs.iter().enumerate() {
                    let target = r.split('.').next().unwrap_or_default();
                    check_reference(
                        Reference {
                            ns,
                            from,
                            referrer: referrer(),
                            origin: &l.origin,
                            field: format!("input.{what}[{j}]"),
                            verb: "reads the data of",
                            resource: ResourceType::Pipeline,
                            target,
                        },
                        &owners,
                        out,
                    );
                }
            }
        }
    }
    for l in &inv.experiments {
        let e = &l.object;
        let (ns, spec) = (e.namespace(), &e.spec);
        let Some(from) = application_of(&e.metadata).filter(|_| !open(ns)) else {
            continue;
        };
        let resource = spec.resource_type.unwrap_or_default();
        let referrer = || format!("Experiment {:?}", e.name());
        if let Some(default) = &spec.default
            && let Some(owned) = owners.get(resource, ns, default)
            && owned.application != from
        {
            let (kind, owner, name) = (resource.kind(), owned.application, e.name());
            out.report(
                &EXPERIMENT_TAKEOVER,
                &l.origin,
                "default",
                format!(
                    "Experiment {name:?} of application {from:?} takes over the endpoint of {kind} {default:?}, which belongs to application {owner:?}: every request for {default:?} would follow {from:?}'s traffic split, and {owner:?} could run no Experiment of its own on it"
                ),
                format!(
                    "define the Experiment in application {owner:?}, or make the default a {kind} of application {from:?}; sharing {default:?} lets {from:?} use it as a candidate, never as the default"
                ),
            );
            out.relate(
                owned.origin,
                "name",
                format!("{kind} of application {owner:?}"),
            );
        }
        for (i, c) in spec.candidates.iter().enumerate() {
            check_reference(
                Reference {
                    ns,
                    from,
                    referrer: referrer(),
                    origin: &l.origin,
                    field: format!("candidates[{i}].name"),
                    verb: "sends traffic to",
                    resource,
                    target: &c.name,
                },
                &owners,
                out,
            );
        }
        if let Some(mirror) = &spec.mirror {
            check_reference(
                Reference {
                    ns,
                    from,
                    referrer: referrer(),
                    origin: &l.origin,
                    field: "mirror.name".to_string(),
                    verb: "mirrors traffic to",
                    resource,
                    target: &mirror.name,
                },
                &owners,
                out,
            );
        }
    }
}
