//! A GitOps repository's own templates: the extension point for objects gen does not
//! model (a team's ConfigMap, a company policy, a PodDisruptionBudget per tenant).
//!
//! - [`source`]: the templates (`templates/` beside `profiles/`, or registered by a library
//!   user), each attached to a layer by its folder or its first line;
//! - [`context`]: what a template sees, one context per instance of its layer;
//! - [`render`]: rendering in a sandbox (no loader, fuel, output limit), reading the output
//!   back as YAML, and checking each object: apiVersion, kind and name, the namespace of
//!   its layer, the kinds the profile admits, collisions;
//! - [`kinds`]: the schemas of known kinds (Kubernetes 1.33 built-ins, Seldon, the CRDs a
//!   profile points at).
//!
//! Nothing here writes files or prints: gen-render places the objects in the bundle.

pub mod admit;
pub mod context;
mod crd;
pub mod kinds;
mod output;
pub mod render;
pub mod source;
pub mod value;

pub use admit::{Admit, Grant};
pub use context::{Instance, Objects, Scope, instances};
pub use kinds::Catalog;
pub use render::{Limits, Output, Request, TemplateObject, render};
pub use source::{Layer, Template, Templates};

use gen_diagnostics::Rule;

/// Every rule of this crate, for the registry behind `gen explain`.
pub static RULES: &[&Rule] = &[
    &source::TEMPLATE_IO,
    &source::TEMPLATE_ATTACH,
    &render::TEMPLATE_SYNTAX,
    &render::TEMPLATE_RUNTIME,
    &render::TEMPLATE_OUTPUT,
    &render::TEMPLATE_NAMESPACE,
    &render::TEMPLATE_ADMIT,
    &render::TEMPLATE_COLLISION,
    &kinds::TEMPLATE_SCHEMA,
    &kinds::TEMPLATE_UNKNOWN_KIND,
    &kinds::TEMPLATE_CRD,
];
