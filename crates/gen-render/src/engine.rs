//! The GitOps engine behind one trait. An engine renders its own folders (the objects that
//! install Seldon and apply the workload folders in order), says what its accounts need in
//! the runtime namespaces, whether it creates the Namespaces itself, how it orders the
//! layers (for `gen graph`), which of its settings the bundle README states, and what it
//! refuses in a profile. `gitops::engine_for` picks the engine of a profile; adding an
//! engine is one module implementing this trait and one line there.

use std::collections::BTreeMap;

use gen_profile::{Diagnostic, Engine, Environment, Profile, Tenant};

use crate::folder::Folder;
use crate::manifest::Manifest;
use crate::repo::RepoDir;

/// What an engine renders from: the profile, the workload folders and the bundle's place in
/// the repository.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub workload: &'a [Folder],
    pub repo: &'a RepoDir,
    /// The cluster of an environment this renders for (a fleet), or `None` for
    /// a bundle without environments. An engine that applies from one hub to many clusters
    /// (Argo CD) renders its folders once per cluster, at `<folder>/<cluster>`, with the
    /// cluster's name in its objects' names and its server as their destination, and
    /// leaves the bootstrap to the fleet; an engine that runs on each cluster (Flux) renders
    /// the same folders for every cluster.
    pub cluster: Option<&'a gen_profile::Cluster>,
}

/// What an engine renders a fleet's own layer from: the profile as written, the fleet
/// bundle's place in the repository, and each environment with its merged profile (whose
/// bundle is at `<repo>/<environment>`).
pub struct FleetContext<'a> {
    pub profile: &'a Profile,
    pub repo: &'a RepoDir,
    pub environments: Vec<(&'a Environment, &'a Profile)>,
}

/// A file of the fleet layer: its path in the fleet bundle and its text.
pub type FleetFile = (String, String);

/// How an engine orders the layers: what it calls the mechanism ("Argo CD sync waves") and
/// the three steps (install, runtimes and Servers, applications).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub mechanism: &'static str,
    pub steps: [&'static str; 3],
}

/// Who applies one application's folder, as an admission policy recognises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppIdentity {
    /// Nothing applies it (gen only renders).
    None,
    /// A service account of its own, by username
    /// (`system:serviceaccount:<namespace>:<name>`).
    ServiceAccount(String),
    /// Argo CD's application controller, applying it as this Argo CD Application (the
    /// controller applies every Application as one account; the tracking mark it writes
    /// on each object names the Application).
    ArgoCdApplication(String),
}

/// One GitOps engine. Every method but [`GitOpsEngine::folders`] has the answer of an
/// engine that adds nothing.
pub trait GitOpsEngine: Sync + std::fmt::Debug {
    /// The profile's name for this engine.
    fn engine(&self) -> Engine;

    /// The engine's folders, given the plan's workload folders.
    fn folders(&self, ctx: &Context) -> Vec<Folder>;

    /// Whether [`GitOpsEngine::folders`] differ by [`Context::cluster`]: an engine that
    /// applies every cluster from one place (Argo CD) has a folder per cluster; one that
    /// runs on each cluster (Flux) applies the same folders everywhere, rendered once.
    fn folders_per_cluster(&self) -> bool {
        true
    }

    /// What the engine refuses in a profile that the profile rules do not (e.g. a revision
    /// it would read as something else).
    fn check(&self, _profile: &Profile) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Whether each workload folder carries its Namespace; `false` when the engine creates
    /// the Namespaces itself.
    fn namespaces_in_folders(&self) -> bool {
        true
    }

    /// The objects the engine's account that applies a runtime namespace's applications
    /// needs in that namespace (`tenant` in pattern dedicated, `None` in shared).
    fn folder_access(&self, _profile: &Profile, _tenant: Option<&Tenant>) -> Vec<Manifest> {
        Vec::new()
    }

    /// Who applies application `app`'s folder, in a namespace that confines its
    /// applications to their own objects.
    fn application_identity(&self, _profile: &Profile, _app: &str) -> AppIdentity {
        AppIdentity::None
    }

    /// How the engine orders the layers, `None` when nothing orders them.
    fn order(&self) -> Option<Order>;

    /// The fleet layer of a profile with environments: what applies each environment's
    /// bundle to each of its clusters (a fleet). Nothing by default.
    fn fleet(&self, _ctx: &FleetContext) -> Result<Vec<FleetFile>, serde_saphyr::SerializeError> {
        Ok(Vec::new())
    }

    /// Settings of the engine that the bundle README states, by name.
    fn readme_facts(&self) -> BTreeMap<&'static str, String> {
        BTreeMap::new()
    }
}
