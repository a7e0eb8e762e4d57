//! Object names: valid and unique.

use std::collections::HashMap;

use gen_diagnostics::{Rule, Severity, Stage};

use super::{ObjectRef, Origin, Out};
use crate::names::label_problem;

pub static INVALID_NAME: Rule = Rule::new(
    Stage::Seldon,
    "invalid-name",
    Severity::Error,
    "names are DNS-1123 labels",
    "Kubernetes refuses an object whose name is not a DNS-1123 label (lowercase letters, \
digits and '-', starting and ending with a letter or digit, at most 63 characters), and \
Seldon uses Model and Pipeline names in Service names, Kafka topics and headers. gen also \
names folders and files after profile names, so a valid name can never leave out/.

Fix: use lowercase letters, digits and '-'.",
);

pub static DUPLICATE_NAME: Rule = Rule::new(
    Stage::Seldon,
    "duplicate-name",
    Severity::Error,
    "names are unique per kind and namespace",
    "Two objects of one kind with one name in one namespace are one object to the API \
server: the second overwrites the first, and a GitOps engine flips between them. In a \
profile, two tenants or two applications of one name would render into one folder.

Fix: rename one of them.",
);

pub(super) fn check_names(all: &[ObjectRef], out: &mut Out) {
    // A hash map: one entry per object, looked up once each (findings follow the input
    // order, not the map's).
    let mut seen: HashMap<(&str, &str, &str), &Origin> = HashMap::with_capacity(all.len());
    for &(kind, origin, ns, name) in all {
        if let Some(problem) = label_problem(name) {
            out.report(
                &INVALID_NAME,
                origin,
                "name",
                format!("{kind} name {name:?} is not a valid Kubernetes name: {problem}"),
                "use lowercase letters, digits and '-' (a DNS-1123 label, at most 63 characters)",
            );
        }
        if let Some(first) = seen.insert((kind, ns, name), origin) {
            seen.insert((kind, ns, name), first);
            out.report(
                &DUPLICATE_NAME,
                origin,
                "name",
                format!("{kind} {name:?} is defined twice in namespace {ns:?} (first at {first})"),
                format!("rename one of them; {kind} names must be unique per namespace"),
            );
            out.relate(first, "name", "first defined here");
        }
    }
}
