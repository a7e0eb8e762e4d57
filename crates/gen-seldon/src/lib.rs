//! Seldon Core v2 (`mlops.seldon.io/v1alpha1`) kinds as typed structs, and the rules
//! that must hold over a set of them for the objects to become ready on a cluster.
//!
//! The rules work on [`rules::Inventory`], a set of Seldon objects whatever their
//! source: a rendered profile or (later) a tree of existing YAML. Each object carries an
//! [`rules::Origin`] that says where it came from, so a finding can point back at it.

pub mod capacity;
pub mod catalog;
pub mod kafka_names;
pub mod names;
pub mod rules;

/// The Seldon kinds, their metadata and quantities live in gen-kinds (types only); they are
/// re-exported here under the paths the rules and their callers use.
pub use gen_kinds::seldon as kinds;
pub use gen_kinds::{meta, quantity};

pub use kinds::{
    ComponentOverride, Experiment, ExperimentSpec, Model, ModelSpec, Pipeline, PipelineSpec,
    SeldonRuntime, SeldonRuntimeSpec, Server, ServerSpec,
};
pub use meta::{Kind, Metadata, Object, StrMap};
pub use quantity::Quantity;

/// The API group and version of every Seldon Core v2 kind.
pub const API_VERSION: &str = gen_kinds::SELDON_API_VERSION;
/// The name that the Seldon controller gives the scheduler Service in each runtime namespace.
pub const SCHEDULER_SERVICE: &str = "seldon-scheduler";
