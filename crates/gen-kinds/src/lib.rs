//! The custom resources gen renders, as typed structs modelled on their CRDs: the kinds
//! of Seldon Core v2 ([`seldon`], `mlops.seldon.io/v1alpha1`), Argo CD ([`argocd`]) and Flux
//! ([`flux`]), the values gen sets on Seldon's setup chart ([`seldon_setup`]), and the
//! platform integrations' kinds, one module per API group: Gateway API ([`gateway`]),
//! Prometheus Operator ([`monitoring`]), External Secrets ([`external_secrets`]) and
//! Strimzi ([`strimzi`]). [`scheduling`] holds the core/v1 pod scheduling fields a Server's
//! podSpec takes.
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
pub mod external_secrets;
pub mod flux;
pub mod gateway;
pub mod meta;
pub mod monitoring;
pub mod quantity;
pub mod scheduling;
pub mod seldon;
pub mod seldon_setup;
pub mod strimzi;

pub use meta::{Kind, Metadata, Object, StrMap};
pub use quantity::Quantity;

/// The API group and version of every Seldon Core v2 kind.
pub const SELDON_API_VERSION: &str = "mlops.seldon.io/v1alpha1";
