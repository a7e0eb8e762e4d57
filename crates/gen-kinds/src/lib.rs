//! The custom resources gen renders, as typed structs modelled on their CRDs: the kinds
//! of Seldon Core v2 ([`seldon`], `mlops.seldon.io/v1alpha1`), Argo CD ([`argocd`]) and Flux
//! ([`flux`]), and the values gen sets on Seldon's setup chart ([`seldon_setup`]).
//! Built-in Kubernetes kinds come from k8s-openapi; everything else gen writes is here.
//!
//! Types only, as cargo's `cargo-util-schemas` is for Cargo.toml: no rules, no rendering.
//! Each kind is an [`Object<Spec>`](meta::Object) whose spec type carries `apiVersion` and
//! `kind` ([`Kind`](meta::Kind)), as kube-rs binds them, so an object serializes with the
//! right header and a document of another kind does not deserialize into it. Field names
//! and shapes follow each CRD exactly (camelCase); fields left unset are not written.
//!
//! Adding a field: add it to the spec struct, with the CRD's name and type. Adding a kind:
//! a spec struct, a `Kind` impl and an `Object` alias in the module of its API group, then
//! a variant of gen-render's `Manifest`.

pub mod argocd;
pub mod flux;
pub mod meta;
pub mod quantity;
pub mod seldon;
pub mod seldon_setup;

pub use meta::{Kind, Metadata, Object, StrMap};
pub use quantity::Quantity;

/// The API group and version of every Seldon Core v2 kind.
pub const SELDON_API_VERSION: &str = "mlops.seldon.io/v1alpha1";
