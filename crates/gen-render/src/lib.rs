//! Profile → checked model → Kubernetes objects → bundle → disk.
//!
//! - [`plan::plan`] turns a profile into typed objects grouped in folders, and the Seldon
//!   inventory that `gen_seldon::rules` checks;
//! - [`bundle::assemble`] turns the plan into files (one object per file, kustomizations,
//!   README);
//! - [`ops`] holds what the `gen` commands do: render a profile (all checks first),
//!   write a bundle safely, compare a bundle with the disk.

pub mod bundle;
pub mod freshness;
pub mod gitops;
pub mod graph;
pub mod init;
pub mod labels;
pub mod manifest;
pub mod ops;
pub mod plan;
pub mod profiles;
pub mod readme;
pub mod rules;
pub mod security;
pub mod synth;
pub mod tenancy;
pub mod write;
pub mod yaml;

pub use bundle::Bundle;
pub use ops::{render_loaded, render_profile};
