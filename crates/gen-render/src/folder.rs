//! The bundle's folders: each holds the objects of one layer in one namespace, as built
//! objects or as deferred groups of supporting objects (built when the folder is written;
//! see `expand`). Data only.

use crate::manifest::Manifest;

/// Which layer of the deployment a folder belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Controller namespace; in pattern shared also the runtime and shared Servers.
    Platform,
    /// One tenant's namespace, runtime, Servers, quota and RBAC (pattern dedicated).
    Tenant,
    /// One application's Models, Pipelines, Experiments and RBAC.
    Application,
    /// Argo CD or Flux objects (and the bootstrap object), applied by the GitOps engine,
    /// not listed in the workload kustomizations.
    #[serde(rename = "gitops")]
    GitOps,
}

/// One folder of the bundle: objects of one layer in one namespace.
#[derive(Clone, Debug)]
pub struct Folder {
    /// Relative to the bundle root, `/`-separated: `platform`, `tenants/fraud`, `apps/x`.
    pub path: String,
    pub layer: Layer,
    /// The tenant or application name; the profile name for the platform.
    pub owner: String,
    pub namespace: String,
    /// The folder's contents in file order.
    pub entries: Vec<Entry>,
    /// For each Seldon object, its index in `entries` and its profile path.
    pub origins: Vec<(usize, String)>,
}

/// One entry of a folder: an object built with the plan (the Seldon objects, which the
/// rules check together, and the GitOps objects), or a group of supporting objects
/// (Namespace, NetworkPolicies, quota, RBAC) built only when the folder is written, so a
/// plan of thousands of tenants stays small.
#[derive(Clone, Debug)]
pub enum Entry {
    Object(Box<Manifest>),
    Deferred(Deferred),
}

/// A group of supporting objects, described by where its settings are in the profile.
#[derive(Clone, Copy, Debug)]
pub enum Deferred {
    Namespace,
    /// The rclone config Secret of a runtime namespace.
    RcloneSecret,
    RuntimePolicies {
        tenant: Option<usize>,
    },
    ControllerPolicies,
    Quota {
        tenant: usize,
    },
    /// What the GitOps engine's account that applies this runtime namespace's
    /// applications needs here (the tenant's in dedicated, `None` in shared).
    EngineAccess {
        tenant: Option<usize>,
    },
    TenantOwners {
        tenant: usize,
    },
    AppOwners {
        app: usize,
    },
    /// The admission policy that confines the applications of a namespace they share to
    /// their own objects (nothing where they do not share it).
    Admission,
}

impl Folder {
    pub fn new(
        path: String,
        layer: Layer,
        owner: &str,
        namespace: &str,
        objects: Vec<Manifest>,
    ) -> Self {
        Folder {
            path,
            layer,
            owner: owner.to_string(),
            namespace: namespace.to_string(),
            entries: objects
                .into_iter()
                .map(|o| Entry::Object(Box::new(o)))
                .collect(),
            origins: Vec::new(),
        }
    }

    /// Add a Seldon object that the rules check, remembering where the profile defines it.
    pub(crate) fn push_checked(&mut self, object: Manifest, origin: impl Into<String>) {
        self.origins.push((self.entries.len(), origin.into()));
        self.entries.push(Entry::Object(Box::new(object)));
    }

    /// Add an object the rules do not check (an integration's object).
    pub(crate) fn push(&mut self, object: Manifest) {
        self.entries.push(Entry::Object(Box::new(object)));
    }

    pub(crate) fn defer(&mut self, d: Deferred) {
        self.entries.push(Entry::Deferred(d));
    }
}
