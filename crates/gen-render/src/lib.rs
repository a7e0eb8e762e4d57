//! Profile → checked model → Kubernetes objects → bundle → disk: the stages, each a module,
//! each depending only on the ones before it.
//!
//! 1. **Check** ([`ops::check`]): the loaded profile passes the profile rules, the GitOps
//!    engine's checks and the Seldon run-time rules over the objects it would render, all
//!    reported at once; the result is a [`checked::Checked`] profile and its plan. Every
//!    command goes through this one stage.
//! 2. **Plan** ([`plan`]): the Seldon objects in their folders ([`folder`]); supporting
//!    objects are deferred entries, built from the profile when written ([`expand`],
//!    with the builders in [`objects`]: namespaces, NetworkPolicies, quotas, RBAC, the
//!    rclone Secret). The install settings every stage reads are in [`settings`].
//! 3. **Engine** ([`engine`] trait, implementations in [`gitops`]): the Argo CD or Flux
//!    folders that install Seldon and apply the workload folders in order, at the bundle's
//!    place in the repository ([`repo`]).
//! 4. **Bundle** ([`bundle`]): files, one object per file, kustomizations, the README
//!    ([`readme`]), the apply-order stream; also drawn by [`graph`].
//! 5. **Disk** ([`write`]): safe writes inside `out/<name>/`; [`freshness`] compares
//!    (`gen check`), [`profiles`] lists what `--all` works on.
//!
//! A repository's own templates ([`templates`], rendered and checked by gen-templates)
//! join the plan at the end of the check stage, in their layer's folders.
//!
//! [`rules::all`] is the registry of every rule gen checks; [`init`] writes a starter
//! profile. Kinds are typed structs: k8s-openapi built-ins and `gen_kinds`, joined in
//! [`manifest::Manifest`].

pub mod admission;
pub mod bundle;
pub mod checked;
pub mod engine;
mod expand;
pub mod fleet;
pub mod folder;
pub mod freshness;
mod gitops;
pub mod graph;
pub mod init;
mod labels;
pub mod manifest;
mod objects;
pub mod ops;
pub mod ownership;
pub mod plan;
pub mod profiles;
mod readme;
pub mod repo;
pub mod rules;
pub mod settings;
pub mod synth;
pub mod templates;
pub mod write;
mod yaml;

pub use bundle::Bundle;
pub use ops::{Checked, check, check_with, render_loaded, render_profile};
