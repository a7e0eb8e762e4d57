//! Applications that share a namespace (pattern shared; a dedicated tenant with
//! `isolateApplications`), confined to their own objects: which namespaces confine, the
//! names of each application's objects (for the owner and GitOps Roles), and the admission
//! policy of such a namespace (see [`crate::admission`] for what it decides and why).

use std::collections::BTreeMap;

use gen_profile::check::application_namespaces;
use gen_profile::{Application, Engine, Owner, Pattern, Profile};

use crate::admission::{self, Confinement, Writers};
use crate::engine::{AppIdentity, GitOpsEngine};
use crate::labels::labels;
use crate::manifest::Manifest;

/// Whether the applications of namespace `ns` are confined to their own objects: the
/// platform namespace in pattern shared, a dedicated tenant's namespace when the tenant
/// isolates its applications.
pub fn confines(profile: &Profile, ns: &str) -> bool {
    match profile.pattern {
        Pattern::Shared => ns == profile.platform.namespace,
        Pattern::Dedicated => profile
            .tenants
            .iter()
            .find(|t| t.namespace == ns)
            .is_some_and(|t| t.isolate_applications),
    }
}

/// Whether the bundle carries admission policies for the namespaces that confine their
/// applications: only when a GitOps engine applies it. With `gitops.engine: none` whoever
/// applies the folders creates every application's objects, which a policy admitting only
/// each application's owners would refuse; the reference rules and the owner Roles still
/// confine the applications.
pub fn admits(profile: &Profile) -> bool {
    profile.gitops.engine != Engine::None
}

/// Whether any namespace of the profile confines its applications.
pub fn any_confined(profile: &Profile) -> bool {
    match profile.pattern {
        Pattern::Shared => true,
        Pattern::Dedicated => profile.tenants.iter().any(|t| t.isolate_applications),
    }
}

/// The names of an application's Models, Pipelines and Experiments, by RBAC resource
/// (only the kinds it has: an empty `resourceNames` would grant every object).
pub fn object_names(app: &Application) -> Vec<(&'static str, Vec<String>)> {
    let sorted = |mut v: Vec<String>| {
        v.sort_unstable();
        v.dedup();
        v
    };
    [
        (
            "experiments",
            sorted(app.experiments.iter().map(|e| e.name.clone()).collect()),
        ),
        (
            "models",
            sorted(app.models.iter().map(|e| e.name.clone()).collect()),
        ),
        (
            "pipelines",
            sorted(app.pipelines.iter().map(|e| e.name.clone()).collect()),
        ),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .collect()
}

/// The applications that live in namespace `ns`, in profile order.
pub fn applications_in<'p>(profile: &'p Profile, ns: &str) -> Vec<&'p Application> {
    profile
        .applications
        .iter()
        .zip(application_namespaces(profile))
        .filter(|(_, n)| *n == Some(ns))
        .map(|(a, _)| a)
        .collect()
}

/// The name of the admission policy (and its binding) of namespace `ns`: cluster-scoped,
/// so it names the bundle, and in pattern dedicated the tenant.
pub fn policy_name(profile: &Profile, ns: &str) -> String {
    match profile.pattern {
        Pattern::Shared => format!("{}-application-ownership", profile.name),
        Pattern::Dedicated => {
            let tenant = profile
                .tenants
                .iter()
                .find(|t| t.namespace == ns)
                .map_or(ns, |t| t.name.as_str());
            format!("{}-tenant-{tenant}-application-ownership", profile.name)
        }
    }
}

/// Who writes each application of namespace `ns`: its owners, in pattern dedicated the
/// tenant's owners (who manage every object of their namespace), and the identity of the
/// GitOps engine that applies it.
pub fn writers(profile: &Profile, ns: &str, engine: &dyn GitOpsEngine) -> Vec<Writers> {
    let tenant_owners: &[String] = match profile.pattern {
        Pattern::Shared => &[],
        Pattern::Dedicated => profile
            .tenants
            .iter()
            .find(|t| t.namespace == ns)
            .map_or(&[], |t| t.owners.as_slice()),
    };
    applications_in(profile, ns)
        .into_iter()
        .map(|app| {
            let mut w = Writers {
                application: app.name.clone(),
                ..Writers::default()
            };
            let owners = app.owners.iter().chain(tenant_owners);
            for owner in owners.filter_map(|o| Owner::parse(o)) {
                match owner {
                    Owner::User(u) => w.users.push(u),
                    Owner::Group(g) => w.groups.push(g),
                }
            }
            match engine.application_identity(profile, &app.name) {
                AppIdentity::None => {}
                AppIdentity::ServiceAccount(user) => w.users.push(user),
                AppIdentity::ArgoCdApplication(name) => w.argocd_application = Some(name),
            }
            w
        })
        .collect()
}

/// The ValidatingAdmissionPolicy and its binding for namespace `ns`, labelled as part of
/// `part_of`; nothing when the namespace does not confine its applications.
pub fn admission_objects(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    engine: &dyn GitOpsEngine,
) -> Vec<Manifest> {
    if !confines(profile, ns) || !admits(profile) {
        return Vec::new();
    }
    let applications = writers(profile, ns, engine);
    let gitops_users: Vec<String> = applications_in(profile, ns)
        .into_iter()
        .filter_map(|a| match engine.application_identity(profile, &a.name) {
            AppIdentity::ServiceAccount(user) => Some(user),
            _ => None,
        })
        .collect();
    let name = policy_name(profile, ns);
    let labels: BTreeMap<String, String> = labels(part_of, "admission", None);
    let c = Confinement {
        name: &name,
        namespace: ns,
        applications: &applications,
        gitops_users: &gitops_users,
        labels,
    };
    vec![
        Manifest::ValidatingAdmissionPolicy(admission::policy(&c)),
        Manifest::ValidatingAdmissionPolicyBinding(admission::binding(&c)),
    ]
}

/// What the bundle README says about the namespaces that confine their applications.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ReadmeView {
    /// The Kubernetes release the admission policies need, when there are any.
    pub minimum_kubernetes: Option<&'static str>,
    pub namespaces: Vec<NamespaceView>,
}

/// One namespace whose applications are confined to their own objects.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NamespaceView {
    pub namespace: String,
    /// The admission policy, when the bundle has one (see [`admits`]).
    pub policy: Option<String>,
    pub applications: Vec<String>,
    /// What the owners share, and with whom.
    pub shares: Vec<ShareView>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ShareView {
    pub kind: &'static str,
    pub name: String,
    pub application: String,
    pub with: Vec<String>,
}

/// The README's view of every namespace that confines its applications, in the order of
/// the runtime namespaces (the platform's, then the tenants').
pub fn readme_view(profile: &Profile) -> ReadmeView {
    let mut namespaces: Vec<&str> = vec![profile.platform.namespace.as_str()];
    namespaces.extend(profile.tenants.iter().map(|t| t.namespace.as_str()));
    namespaces.dedup();
    let namespaces: Vec<NamespaceView> = namespaces
        .into_iter()
        .filter(|ns| confines(profile, ns))
        .map(|ns| {
            let apps = applications_in(profile, ns);
            let mut shares = Vec::new();
            for app in &apps {
                let models = app
                    .models
                    .iter()
                    .map(|m| ("Model", &m.name, &m.shared_with));
                let pipelines = app
                    .pipelines
                    .iter()
                    .map(|p| ("Pipeline", &p.name, &p.shared_with));
                for (kind, name, with) in models.chain(pipelines) {
                    if with.is_empty() {
                        continue;
                    }
                    let mut with = with.clone();
                    with.sort_unstable();
                    with.dedup();
                    shares.push(ShareView {
                        kind,
                        name: name.clone(),
                        application: app.name.clone(),
                        with,
                    });
                }
            }
            NamespaceView {
                namespace: ns.to_string(),
                policy: admits(profile).then(|| policy_name(profile, ns)),
                applications: apps.iter().map(|a| a.name.clone()).collect(),
                shares,
            }
        })
        .collect();
    ReadmeView {
        minimum_kubernetes: (admits(profile) && !namespaces.is_empty())
            .then_some(admission::MINIMUM_KUBERNETES),
        namespaces,
    }
}

/// `seldon.gen.io/shared-with: a,b` (sorted, once each) for an object shared with `apps`.
pub(crate) fn shared_with_annotation(apps: &[String]) -> gen_seldon::StrMap {
    let apps: std::collections::BTreeSet<&str> = apps.iter().map(String::as_str).collect();
    let value = apps.into_iter().collect::<Vec<_>>().join(",");
    BTreeMap::from([(gen_seldon::rules::SHARED_WITH.to_string(), value)]).into()
}

/// The namespaces of dedicated tenants that do not isolate their applications.
pub(crate) fn open_namespaces(profile: &Profile) -> Vec<String> {
    if profile.pattern != Pattern::Dedicated {
        return Vec::new();
    }
    profile
        .tenants
        .iter()
        .filter(|t| !t.isolate_applications)
        .map(|t| t.namespace.clone())
        .collect()
}
