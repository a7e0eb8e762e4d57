//! Building a folder's deferred entries: the supporting objects (Namespace, rclone Secret,
//! NetworkPolicies, quota, owner RBAC, the GitOps engine's access) from where their
//! settings are in the profile, when the folder is written. A plan of thousands of tenants
//! stays small, since these objects exist only while their file is written.

use gen_profile::Profile;

use crate::engine::GitOpsEngine;
use crate::folder::{Deferred, Entry, Folder};
use crate::manifest::Manifest;
use crate::objects::namespace::namespace;
use crate::objects::secret::rclone_secret;
use crate::objects::{network, quota, rbac};
use crate::ownership;

impl Entry {
    /// The objects of this entry, in file order.
    pub fn expand<'a>(
        &'a self,
        folder: &Folder,
        profile: &Profile,
        engine: &dyn GitOpsEngine,
    ) -> Vec<std::borrow::Cow<'a, Manifest>> {
        use std::borrow::Cow;
        let d = match self {
            Entry::Object(m) => return vec![Cow::Borrowed(&**m)],
            Entry::Deferred(d) => d,
        };
        let (ns, owner) = (folder.namespace.as_str(), folder.owner.as_str());
        let objects = match *d {
            Deferred::Namespace => vec![namespace(ns, owner, &profile.security)],
            Deferred::RcloneSecret => vec![rclone_secret(ns, owner)],
            Deferred::RuntimePolicies { tenant } => {
                network::runtime_namespace(profile, ns, owner, tenant.map(|t| &profile.tenants[t]))
            }
            Deferred::ControllerPolicies => {
                let tenants: Vec<String> = profile
                    .tenants
                    .iter()
                    .map(|t| t.namespace.clone())
                    .collect();
                network::controller_namespace(profile, &tenants)
            }
            Deferred::Quota { tenant } => quota::quota(
                ns,
                owner,
                quota::quota_hard(profile.tenants[tenant].quota.as_ref(), folder, profile),
            ),
            Deferred::EngineAccess { tenant } => {
                engine.folder_access(profile, tenant.map(|t| &profile.tenants[t]))
            }
            Deferred::TenantOwners { tenant } => rbac::owner_rbac(
                "seldon-tenant-owners",
                ns,
                owner,
                &profile.tenants[tenant].owners,
                rbac::seldon_editor_rules(),
            ),
            Deferred::AppOwners { app } => {
                let app = &profile.applications[app];
                let rules = if ownership::confines(profile, ns) {
                    rbac::confined_owner_rules(&ownership::object_names(app))
                } else {
                    rbac::seldon_editor_rules()
                };
                rbac::owner_rbac(
                    &format!("app-{}-owners", app.name),
                    ns,
                    &app.name,
                    &app.owners,
                    rules,
                )
            }
            Deferred::Admission => ownership::admission_objects(profile, ns, owner, engine),
        };
        objects.into_iter().map(Cow::Owned).collect()
    }
}

impl Folder {
    /// Every object of the folder, in file order; supporting objects are built now.
    pub fn objects<'a>(
        &'a self,
        profile: &Profile,
        engine: &dyn GitOpsEngine,
    ) -> Vec<std::borrow::Cow<'a, Manifest>> {
        self.entries
            .iter()
            .flat_map(|e| e.expand(self, profile, engine))
            .collect()
    }
}
