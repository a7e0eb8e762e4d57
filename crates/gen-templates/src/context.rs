//! What a template sees: one context per instance of its layer, built from the checked
//! profile and the Seldon objects gen renders for it. Every variable is listed in the
//! README ("Extending a bundle: templates/"); maps are sorted by key, lists are in profile
//! order, so a template that iterates over either renders the same text on every run.

use gen_kinds::seldon::{Experiment, Model, Pipeline, SeldonRuntime, Server};
use gen_profile::Profile;
use serde::Serialize;

use crate::source::Layer;

/// The label keys gen puts on every object it writes (Kubernetes' recommended labels).
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// The component label of a template's objects.
pub const TEMPLATE_COMPONENT: &str = "template";

/// One place a template renders for: the platform, one tenant or one application.
#[derive(Clone, Debug)]
pub struct Instance {
    pub layer: Layer,
    /// The tenant or application name; the profile name for the platform.
    pub owner: String,
    /// The namespace every namespaced object of this instance goes to.
    pub namespace: String,
    /// The bundle folder its objects are written to: `platform`, `tenants/<t>`, `apps/<a>`.
    pub folder: String,
    pub context: minijinja::Value,
}

impl Instance {
    /// How messages name it: `the platform`, `tenant fraud`, `application fin`.
    pub fn describe(&self) -> String {
        match self.layer {
            Layer::Platform => "the platform".to_string(),
            Layer::Tenants => format!("tenant {}", self.owner),
            Layer::Apps => format!("application {}", self.owner),
        }
    }

    /// The labels gen gives every object of this instance.
    pub fn labels(&self) -> [(&'static str, String); 3] {
        [
            (COMPONENT, TEMPLATE_COMPONENT.to_string()),
            (MANAGED_BY, "gen".to_string()),
            (PART_OF, self.owner.clone()),
        ]
    }
}

/// The Seldon objects gen renders for a profile, as templates see them.
#[derive(Clone, Debug, Default)]
pub struct Objects<'a> {
    pub runtimes: Vec<&'a SeldonRuntime>,
    pub servers: Vec<&'a Server>,
    /// With the name of the application each belongs to.
    pub models: Vec<(&'a str, &'a Model)>,
    pub pipelines: Vec<(&'a str, &'a Pipeline)>,
    pub experiments: Vec<(&'a str, &'a Experiment)>,
}

/// A folder of the bundle that a layer's template renders into.
#[derive(Clone, Debug)]
pub struct Scope {
    pub layer: Layer,
    pub owner: String,
    pub namespace: String,
    pub folder: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileView<'a> {
    name: &'a str,
    pattern: &'static str,
    engine: &'static str,
    /// platform.namespace: the controller's.
    namespace: &'a str,
    seldon_version: &'a str,
    #[serde(rename = "repoURL")]
    repo_url: Option<&'a str>,
    revision: &'a str,
    /// The bundle folder's path in the GitOps repository.
    path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuotaView<'a> {
    cpu: Option<&'a str>,
    memory: Option<&'a str>,
    pods: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TenantView<'a> {
    name: &'a str,
    namespace: &'a str,
    owners: &'a [String],
    client_namespaces: &'a [String],
    quota: Option<QuotaView<'a>>,
    /// The names of its applications.
    applications: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppView<'a> {
    name: &'a str,
    tenant: Option<&'a str>,
    namespace: &'a str,
    owners: &'a [String],
    models: Vec<&'a Model>,
    pipelines: Vec<&'a Pipeline>,
    experiments: Vec<&'a Experiment>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Context<'a> {
    profile: &'a ProfileView<'a>,
    /// The environment of a fleet whose bundle this is; none without environments.
    environment: Option<&'a str>,
    layer: &'static str,
    instance: &'a str,
    namespace: &'a str,
    folder: &'a str,
    labels: std::collections::BTreeMap<&'static str, String>,
    tenants: &'a [TenantView<'a>],
    tenant: Option<&'a TenantView<'a>>,
    applications: &'a [AppView<'a>],
    application: Option<&'a AppView<'a>>,
    runtime: Option<&'a SeldonRuntime>,
    servers: Vec<&'a Server>,
    models: Vec<&'a Model>,
    pipelines: Vec<&'a Pipeline>,
    experiments: Vec<&'a Experiment>,
}

/// The instances of `scopes`, each with its context. `repo_dir` is the bundle folder's
/// path in the GitOps repository; `environment` the environment of a fleet whose bundle
/// this is.
pub fn instances(
    profile: &Profile,
    environment: Option<&str>,
    repo_dir: &str,
    objects: &Objects,
    scopes: &[Scope],
) -> Vec<Instance> {
    let profile_view = ProfileView {
        name: &profile.name,
        pattern: profile.pattern.as_str(),
        engine: profile.gitops.engine.as_str(),
        namespace: &profile.platform.namespace,
        seldon_version: profile.seldon.version.as_str(),
        repo_url: profile.gitops.repo_url.as_deref(),
        revision: profile.gitops.revision.as_deref().unwrap_or("main"),
        path: repo_dir,
    };
    let namespaces = gen_profile::check::application_namespaces(profile);
    let tenants: Vec<TenantView> = profile
        .tenants
        .iter()
        .map(|t| TenantView {
            name: &t.name,
            namespace: &t.namespace,
            owners: &t.owners,
            client_namespaces: &t.client_namespaces,
            quota: t.quota.as_ref().map(|q| QuotaView {
                cpu: q.cpu.as_ref().map(|c| c.as_str()),
                memory: q.memory.as_ref().map(|m| m.as_str()),
                pods: q.pods,
            }),
            applications: profile
                .applications
                .iter()
                .filter(|a| a.tenant.as_deref() == Some(t.name.as_str()))
                .map(|a| a.name.as_str())
                .collect(),
        })
        .collect();
    let of_app = |app: &str| {
        (
            objects
                .models
                .iter()
                .filter(|(a, _)| *a == app)
                .map(|(_, m)| *m)
                .collect(),
            objects
                .pipelines
                .iter()
                .filter(|(a, _)| *a == app)
                .map(|(_, p)| *p)
                .collect(),
            objects
                .experiments
                .iter()
                .filter(|(a, _)| *a == app)
                .map(|(_, x)| *x)
                .collect(),
        )
    };
    let applications: Vec<AppView> = profile
        .applications
        .iter()
        .zip(&namespaces)
        .filter_map(|(a, ns)| {
            let (models, pipelines, experiments) = of_app(&a.name);
            Some(AppView {
                name: &a.name,
                tenant: a.tenant.as_deref(),
                namespace: (*ns)?,
                owners: &a.owners,
                models,
                pipelines,
                experiments,
            })
        })
        .collect();
    scopes
        .iter()
        .map(|scope| {
            let application = match scope.layer {
                Layer::Apps => applications.iter().find(|a| a.name == scope.owner),
                _ => None,
            };
            let tenant = match scope.layer {
                Layer::Tenants => tenants.iter().find(|t| t.name == scope.owner),
                Layer::Apps => application
                    .and_then(|a| a.tenant)
                    .and_then(|t| tenants.iter().find(|v| v.name == t)),
                Layer::Platform => None,
            };
            let in_scope = |app: &str| match scope.layer {
                Layer::Platform => true,
                Layer::Tenants => tenant.is_some_and(|t| t.applications.contains(&app)),
                Layer::Apps => app == scope.owner,
            };
            let ns = scope.namespace.as_str();
            let instance = Instance {
                layer: scope.layer,
                owner: scope.owner.clone(),
                namespace: scope.namespace.clone(),
                folder: scope.folder.clone(),
                context: minijinja::Value::UNDEFINED,
            };
            let context = Context {
                profile: &profile_view,
                environment,
                layer: scope.layer.as_str(),
                instance: &scope.owner,
                namespace: ns,
                folder: &scope.folder,
                labels: instance.labels().into_iter().collect(),
                tenants: &tenants,
                tenant,
                applications: &applications,
                application,
                runtime: objects
                    .runtimes
                    .iter()
                    .find(|r| r.namespace() == ns)
                    .copied(),
                servers: objects
                    .servers
                    .iter()
                    .filter(|s| s.namespace() == ns)
                    .copied()
                    .collect(),
                models: objects
                    .models
                    .iter()
                    .filter(|(a, _)| in_scope(a))
                    .map(|(_, m)| *m)
                    .collect(),
                pipelines: objects
                    .pipelines
                    .iter()
                    .filter(|(a, _)| in_scope(a))
                    .map(|(_, p)| *p)
                    .collect(),
                experiments: objects
                    .experiments
                    .iter()
                    .filter(|(a, _)| in_scope(a))
                    .map(|(_, x)| *x)
                    .collect(),
            };
            Instance {
                context: minijinja::Value::from(minijinja::value::Serde(&context)),
                ..instance
            }
        })
        .collect()
}
