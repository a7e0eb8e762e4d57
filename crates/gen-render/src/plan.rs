//! Profile → the objects of the bundle, grouped in folders, plus the Seldon inventory
//! that the run-time rules check. Nothing here does I/O.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec, Secret,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use gen_profile::check::application_namespaces;
use gen_profile::{Pattern, Profile, RuntimeSettings, ServerEntry};
use gen_seldon::catalog::{
    DEFAULT_SELDON_CONFIG, Install, RCLONE_GS_PUBLIC_KEY, RCLONE_GS_PUBLIC_SECRET,
    ServerConfigInfo, rclone_gs_public_remote, upstream_server_configs,
};
use gen_seldon::kinds::{
    Component, ComponentOverride, ContainerResources, Resources, RuntimeConfig, ServerPodSpec,
    ServiceType, TracingConfig,
};
use gen_seldon::rules::{Inventory, Located, Origin, QuotaInfo, QuotaLimit, SecretInfo};
use gen_seldon::{Experiment, Metadata, Model, Pipeline, SeldonRuntime, SeldonRuntimeSpec, Server};

use crate::labels::labels;
use crate::manifest::Manifest;

/// The name gen gives every SeldonRuntime (one per namespace).
pub const RUNTIME_NAME: &str = "seldon";

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
    TenantReconciler {
        tenant: usize,
    },
    /// The Role of the account that applies the applications (Flux, pattern shared).
    AppsReconciler,
    TenantOwners {
        tenant: usize,
    },
    AppOwners {
        app: usize,
    },
}

impl Entry {
    /// The objects of this entry, in file order.
    pub fn expand<'a>(
        &'a self,
        folder: &Folder,
        profile: &Profile,
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
            Deferred::RuntimePolicies { tenant } => crate::security::runtime_namespace(
                profile,
                ns,
                owner,
                tenant.map(|t| &profile.tenants[t]),
            ),
            Deferred::ControllerPolicies => {
                let tenants: Vec<String> = profile
                    .tenants
                    .iter()
                    .map(|t| t.namespace.clone())
                    .collect();
                crate::security::controller_namespace(profile, &tenants)
            }
            Deferred::Quota { tenant } => quota(
                ns,
                owner,
                crate::tenancy::quota_hard(profile.tenants[tenant].quota.as_ref(), folder, profile),
            ),
            Deferred::TenantReconciler { tenant } => {
                crate::gitops::tenant_reconciler_rbac(profile, &profile.tenants[tenant])
            }
            Deferred::AppsReconciler => crate::gitops::apps_reconciler_rbac(profile),
            Deferred::TenantOwners { tenant } => owner_rbac(
                "seldon-tenant-owners",
                ns,
                owner,
                &profile.tenants[tenant].owners,
            ),
            Deferred::AppOwners { app } => {
                let app = &profile.applications[app];
                owner_rbac(
                    &format!("app-{}-owners", app.name),
                    ns,
                    &app.name,
                    &app.owners,
                )
            }
        };
        objects.into_iter().map(Cow::Owned).collect()
    }
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

    /// Every object of the folder, in file order; supporting objects are built now.
    pub fn objects<'a>(&'a self, profile: &Profile) -> Vec<std::borrow::Cow<'a, Manifest>> {
        self.entries
            .iter()
            .flat_map(|e| e.expand(self, profile))
            .collect()
    }

    /// Add a Seldon object that the rules check, remembering where the profile defines it.
    fn push_checked(&mut self, object: Manifest, origin: impl Into<String>) {
        self.origins.push((self.entries.len(), origin.into()));
        self.entries.push(Entry::Object(Box::new(object)));
    }

    fn defer(&mut self, d: Deferred) {
        self.entries.push(Entry::Deferred(d));
    }
}

/// Everything a profile renders to, before it becomes text.
#[derive(Clone, Debug)]
pub struct Plan {
    pub folders: Vec<Folder>,
    pub controller_namespace: String,
    pub server_configs: Vec<ServerConfigInfo>,
    /// The bundle folder's path in the GitOps repository.
    pub repo: crate::gitops::RepoDir,
    /// The setup chart's values the GitOps layer installs Seldon with.
    pub install: Install,
    /// The tenants' ResourceQuotas, as the rules see them (the objects are built when
    /// their folder is written).
    pub quotas: Vec<Located<QuotaInfo>>,
    /// The rclone config Secrets, likewise.
    pub secrets: Vec<Located<SecretInfo>>,
}

impl Plan {
    /// The Seldon objects of the plan, borrowed, for `gen_seldon::rules::check`.
    pub fn inventory(&self) -> Inventory<'_> {
        let mut inv = Inventory {
            controller_namespace: self.controller_namespace.clone(),
            seldon_configs: vec![DEFAULT_SELDON_CONFIG.to_string()],
            server_configs: self.server_configs.clone(),
            install: self.install.clone(),
            quotas: self.quotas.clone(),
            secrets: self.secrets.clone(),
            ..Inventory::default()
        };
        for folder in &self.folders {
            for (i, origin) in &folder.origins {
                let origin = origin.clone();
                let Entry::Object(object) = &folder.entries[*i] else {
                    continue;
                };
                match object.as_ref() {
                    Manifest::SeldonRuntime(o) => inv.runtimes.push(Located::new(o, origin)),
                    Manifest::Server(o) => inv.servers.push(Located::new(o, origin)),
                    Manifest::Model(o) => inv.models.push(Located::new(o, origin)),
                    Manifest::Pipeline(o) => inv.pipelines.push(Located::new(o, origin)),
                    Manifest::Experiment(o) => inv.experiments.push(Located::new(o, origin)),
                    _ => {}
                }
            }
        }
        inv
    }
}

fn object_meta(
    name: &str,
    namespace: Option<&str>,
    labels: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

/// A Namespace with the Pod Security Standards labels.
pub(crate) fn namespace(name: &str, part_of: &str, security: &gen_profile::Security) -> Manifest {
    let mut l = labels(part_of, "namespace", None);
    l.extend(crate::security::pod_security_labels(security));
    Manifest::Namespace(Namespace {
        metadata: object_meta(name, None, l),
        ..Namespace::default()
    })
}

/// The ServerConfigs in the controller namespace: upstream's plus the declared ones. A
/// declared ServerConfig is taken to run the setup chart's rclone and agent containers
/// beside its inference container, as every Seldon ServerConfig does.
pub fn server_configs(profile: &Profile) -> Vec<ServerConfigInfo> {
    let mut configs = upstream_server_configs();
    for c in &profile.platform.server_configs {
        let caps: Vec<&str> = c.capabilities.iter().map(String::as_str).collect();
        configs.push(ServerConfigInfo::new(
            &c.name,
            &caps,
            c.container.as_deref().unwrap_or(&c.name),
            c.cpu.as_ref().map(|q| q.as_str()),
            c.memory.as_str(),
            c.memory_limit.as_ref().map(|q| q.as_str()),
        ));
    }
    configs
}

/// The setup chart's values as the GitOps layer installs them: the profile's Kafka, and
/// the chart's defaults otherwise (server autoscaling on, the placeholder collector).
pub fn install(profile: &Profile) -> Install {
    Install {
        kafka_bootstrap: profile
            .seldon
            .kafka
            .as_ref()
            .and_then(|k| k.bootstrap.clone())
            .filter(|b| !b.trim().is_empty()),
        ..Install::chart_defaults()
    }
}

/// The tenants' quotas as the rules see them, at the profile keys that set them.
fn quotas(profile: &Profile) -> Vec<Located<QuotaInfo>> {
    let mut out = Vec::new();
    if profile.pattern != Pattern::Dedicated {
        return out;
    }
    for (t, tenant) in profile.tenants.iter().enumerate() {
        let Some(q) = &tenant.quota else {
            continue;
        };
        let mut hard = Vec::new();
        for (resource, value, field) in [
            ("requests.cpu", q.cpu.clone(), "cpu"),
            ("requests.memory", q.memory.clone(), "memory"),
            (
                "pods",
                q.pods.map(|p| gen_seldon::Quantity::new(p.to_string())),
                "pods",
            ),
        ] {
            if let Some(value) = value {
                hard.push(QuotaLimit {
                    resource: resource.to_string(),
                    value,
                    field: field.to_string(),
                });
            }
        }
        out.push(Located::new(
            QuotaInfo {
                namespace: tenant.namespace.clone(),
                name: QUOTA_NAME.to_string(),
                hard,
            },
            format!("tenants[{t}].quota"),
        ));
    }
    out
}

/// The name of every tenant's ResourceQuota.
const QUOTA_NAME: &str = "tenant-quota";

/// The rclone config Secret that the agents of every Server pod read (FACTS §9.1): only
/// Seldon's runtime chart creates it, and gen renders SeldonRuntimes itself. It holds an
/// anonymous public-GCS remote, no credential.
///
/// Written as `data` (base64), not `stringData`: `data` is what the API server stores, so
/// Argo CD's diff and Flux's server-side apply compare like with like. `stringData` is
/// write-only; Argo CD has to rewrite it into `data` before diffing (argo-cd#763) and Flux
/// converts it before applying because server-side apply never removes a `stringData` key
/// (kubernetes#108008, kustomize-controller#576).
fn rclone_secret(ns: &str, part_of: &str) -> Manifest {
    Manifest::Secret(rclone_secret_object(ns, part_of))
}

/// The rclone config Secret as the rules see it: built from the object gen writes, so the
/// two cannot disagree.
fn rclone_secret_info(ns: &str, origin: impl Into<Origin>) -> Located<SecretInfo> {
    let s = rclone_secret_object(ns, "");
    Located::new(
        SecretInfo {
            namespace: ns.to_string(),
            name: s.metadata.name.unwrap_or_default(),
            keys: Some(s.data.map_or(0, |d| d.len()) + s.string_data.map_or(0, |d| d.len())),
        },
        origin,
    )
}

fn rclone_secret_object(ns: &str, part_of: &str) -> Secret {
    let remote =
        serde_json::to_vec(&rclone_gs_public_remote()).expect("a struct of strings serializes");
    Secret {
        metadata: object_meta(
            RCLONE_GS_PUBLIC_SECRET,
            Some(ns),
            labels(part_of, "runtime", None),
        ),
        type_: Some("Opaque".to_string()),
        data: Some([(RCLONE_GS_PUBLIC_KEY.to_string(), ByteString(remote))].into()),
        ..Secret::default()
    }
}

/// Secure defaults for every runtime: scheduler and envoy stay inside the cluster
/// (upstream defaults to LoadBalancer), and hodometer, which reports usage to the
/// internet, is off. A profile override for the same component replaces the default.
fn runtime_overrides(settings: Option<&RuntimeSettings>) -> Vec<ComponentOverride> {
    let mut by_component: BTreeMap<Component, ComponentOverride> = BTreeMap::new();
    let default = |name, disable, service_type| ComponentOverride {
        name,
        disable,
        replicas: None,
        service_type,
    };
    by_component.insert(
        Component::Scheduler,
        default(Component::Scheduler, None, Some(ServiceType::ClusterIP)),
    );
    by_component.insert(
        Component::Envoy,
        default(Component::Envoy, None, Some(ServiceType::ClusterIP)),
    );
    by_component.insert(
        Component::Hodometer,
        default(Component::Hodometer, Some(true), None),
    );
    for o in settings.map(|s| s.overrides.as_slice()).unwrap_or_default() {
        let entry = by_component
            .entry(o.name)
            .or_insert_with(|| default(o.name, None, None));
        if o.disable.is_some() {
            entry.disable = o.disable;
        }
        if o.replicas.is_some() {
            entry.replicas = o.replicas;
        }
        if o.service_type.is_some() {
            entry.service_type = o.service_type;
        }
    }
    by_component.into_values().collect()
}

/// A runtime's tracing: its own `tracingConfig` field by field over `seldon.tracing`; off
/// when neither names an endpoint. Seldon traces by default to a placeholder collector
/// that nothing installs, and `disable` in the setup chart does not reach runtimes
/// (`TracingConfig.addDefaults`), so each runtime says it (FACTS §9.4).
pub(crate) fn runtime_tracing(
    profile: &gen_profile::SeldonInstall,
    own: Option<&TracingConfig>,
) -> TracingConfig {
    let mut t = own.cloned().unwrap_or_default();
    if t.disable == Some(true) {
        return t;
    }
    if let Some(global) = &profile.tracing {
        t.otel_exporter_endpoint = t
            .otel_exporter_endpoint
            .or_else(|| Some(global.endpoint.trim().to_string()));
        t.otel_exporter_protocol = t
            .otel_exporter_protocol
            .or_else(|| global.protocol.map(|p| p.as_str().to_string()));
        t.ratio = t.ratio.or_else(|| global.ratio.map(|r| r.to_string()));
    }
    if t.disable.is_none()
        && t.otel_exporter_endpoint
            .as_deref()
            .is_none_or(str::is_empty)
    {
        t.disable = Some(true);
    }
    t
}

fn runtime(
    ns: &str,
    part_of: &str,
    seldon: &gen_profile::SeldonInstall,
    settings: Option<&RuntimeSettings>,
) -> SeldonRuntime {
    let mut meta = Metadata::namespaced(RUNTIME_NAME, ns);
    meta.labels = labels(part_of, "runtime", Some(seldon.version.as_str())).into();
    let mut config: RuntimeConfig = settings.and_then(|s| s.config.clone()).unwrap_or_default();
    config.tracing_config = Some(runtime_tracing(seldon, config.tracing_config.as_ref()));
    SeldonRuntime::new(
        meta,
        SeldonRuntimeSpec {
            seldon_config: settings
                .and_then(|s| s.seldon_config.clone())
                .unwrap_or_else(|| DEFAULT_SELDON_CONFIG.to_string()),
            overrides: runtime_overrides(settings),
            config: Some(config),
            disable_auto_update: false,
        },
    )
}

/// A Server as the profile gives it, with two changes that make it run under GitOps:
///
/// - A fixed count (`replicas`, or nothing: 1) is pinned with minReplicas = maxReplicas =
///   replicas. Server autoscaling is on in the setup chart, and the controller patches
///   `spec.replicas` within [minReplicas, maxReplicas] whenever the scheduler asks; a
///   pinned range makes every such request a no-op, so git and the cluster agree (FACTS
///   §9.3). A Server given minReplicas/maxReplicas and no replicas autoscales: `replicas`
///   stays out of git, so the controller's patch is not reverted.
/// - `memory` becomes the inference container's request *and* limit: the controller merges
///   a Server's podSpec into the ServerConfig key by key, and the ServerConfig's limit
///   (1Gi) would otherwise stay below a larger request (FACTS §9.2).
fn server(entry: &ServerEntry, ns: &str, part_of: &str, configs: &[ServerConfigInfo]) -> Server {
    let mut meta = Metadata::namespaced(&entry.name, ns);
    meta.labels = labels(part_of, "server", None).into();
    let mut spec = entry.spec.clone();
    let autoscaling =
        spec.replicas.is_none() && (spec.min_replicas.is_some() || spec.max_replicas.is_some());
    if !autoscaling {
        let replicas = spec.replicas.unwrap_or(1);
        spec.replicas = Some(replicas);
        spec.min_replicas = spec.min_replicas.or(Some(replicas));
        spec.max_replicas = spec.max_replicas.or(Some(replicas));
    }
    if let Some(memory) = &entry.memory {
        let container = configs
            .iter()
            .find(|c| c.name == spec.server_config)
            .map(|c| c.container.clone())
            .unwrap_or_else(|| spec.server_config.clone());
        let both: BTreeMap<String, gen_seldon::Quantity> =
            [("memory".to_string(), memory.clone())].into();
        spec.pod_spec = Some(ServerPodSpec {
            containers: vec![ContainerResources {
                name: container,
                resources: Resources {
                    requests: both.clone(),
                    limits: both,
                },
            }],
        });
    }
    Server::new(meta, spec)
}

/// The Role and RoleBinding that let `owners` manage Models, Pipelines and Experiments in
/// `ns` and read its Servers and SeldonRuntime; nothing else, no wildcards.
fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Manage Models, Pipelines and Experiments; read Servers, SeldonRuntimes and status.
pub fn seldon_editor_rules() -> Vec<PolicyRule> {
    let group = strings(&["mlops.seldon.io"]);
    vec![
        PolicyRule {
            api_groups: Some(group.clone()),
            resources: Some(strings(&["experiments", "models", "pipelines"])),
            verbs: strings(&[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ]),
            ..PolicyRule::default()
        },
        PolicyRule {
            api_groups: Some(group),
            resources: Some(strings(&[
                "experiments/status",
                "models/status",
                "pipelines/status",
                "seldonruntimes",
                "servers",
                "servers/status",
            ])),
            verbs: strings(&["get", "list", "watch"]),
            ..PolicyRule::default()
        },
    ]
}

/// A Role and the RoleBinding that grants it to `subjects`, both named `name`.
pub fn role_and_binding(
    name: &str,
    ns: &str,
    part_of: &str,
    rules: Vec<PolicyRule>,
    subjects: Vec<Subject>,
) -> Vec<Manifest> {
    vec![
        Manifest::Role(Role {
            metadata: object_meta(name, Some(ns), labels(part_of, "rbac", None)),
            rules: Some(rules),
        }),
        Manifest::RoleBinding(RoleBinding {
            metadata: object_meta(name, Some(ns), labels(part_of, "rbac", None)),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_string(),
                kind: "Role".to_string(),
                name: name.to_string(),
            },
            subjects: Some(subjects),
        }),
    ]
}

/// The Role and RoleBinding that let `owners` manage Models, Pipelines and Experiments in
/// `ns` and read its Servers and SeldonRuntime; nothing else, no wildcards.
fn owner_rbac(role_name: &str, ns: &str, part_of: &str, owners: &[String]) -> Vec<Manifest> {
    if owners.is_empty() {
        return Vec::new();
    }
    let subjects = owners
        .iter()
        .filter_map(|o| o.split_once(':'))
        .map(|(kind, name)| Subject {
            kind: if kind == "group" { "Group" } else { "User" }.to_string(),
            name: name.to_string(),
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            namespace: None,
        })
        .collect();
    role_and_binding(role_name, ns, part_of, seldon_editor_rules(), subjects)
}

/// A tenant's ResourceQuota with `hard` limits, and its LimitRange.
fn quota(ns: &str, part_of: &str, hard: BTreeMap<String, K8sQuantity>) -> Vec<Manifest> {
    let defaults: BTreeMap<String, K8sQuantity> = [
        ("cpu".to_string(), K8sQuantity("100m".to_string())),
        ("memory".to_string(), K8sQuantity("128Mi".to_string())),
    ]
    .into();
    vec![
        Manifest::ResourceQuota(ResourceQuota {
            metadata: object_meta(QUOTA_NAME, Some(ns), labels(part_of, "quota", None)),
            spec: Some(ResourceQuotaSpec {
                hard: Some(hard),
                ..ResourceQuotaSpec::default()
            }),
            ..ResourceQuota::default()
        }),
        // Under a requests quota every container must state requests; this gives the
        // ones that do not a default instead of a rejected pod.
        Manifest::LimitRange(LimitRange {
            metadata: object_meta("tenant-defaults", Some(ns), labels(part_of, "quota", None)),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".to_string(),
                    default_request: Some(defaults),
                    ..LimitRangeItem::default()
                }],
            }),
        }),
    ]
}

/// The specs of every application's Models, Pipelines and Experiments, by application.
type Specs = Vec<(
    Vec<gen_seldon::ModelSpec>,
    Vec<gen_seldon::PipelineSpec>,
    Vec<gen_seldon::ExperimentSpec>,
)>;

/// Build the plan. Assumes the profile has passed the profile-level checks only as far
/// as needed to find namespaces; applications whose namespace is unknown are skipped
/// (the profile checks report them).
pub fn plan(profile: &Profile) -> Plan {
    plan_at(profile, &crate::gitops::RepoDir::default_for(profile))
}

/// [`plan`] for a bundle at `repo` in the GitOps repository.
pub fn plan_at(profile: &Profile, repo: &crate::gitops::RepoDir) -> Plan {
    let specs = profile
        .applications
        .iter()
        .map(|a| {
            (
                a.models.iter().map(|e| e.spec.clone()).collect(),
                a.pipelines.iter().map(|e| e.spec.clone()).collect(),
                a.experiments.iter().map(|e| e.spec.clone()).collect(),
            )
        })
        .collect();
    plan_with(profile, specs, repo)
}

/// [`plan`], moving the application specs out of the profile instead of copying them
/// (the profile's Model, Pipeline and Experiment specs are left empty), for a caller that
/// has checked the profile and only needs the plan from now on.
pub fn plan_taking(profile: &mut Profile) -> Plan {
    let repo = crate::gitops::RepoDir::default_for(profile);
    plan_taking_at(profile, &repo)
}

/// [`plan_taking`] for a bundle at `repo` in the GitOps repository.
pub fn plan_taking_at(profile: &mut Profile, repo: &crate::gitops::RepoDir) -> Plan {
    let specs = profile
        .applications
        .iter_mut()
        .map(|a| {
            (
                a.models
                    .iter_mut()
                    .map(|e| std::mem::take(&mut e.spec))
                    .collect(),
                a.pipelines
                    .iter_mut()
                    .map(|e| std::mem::take(&mut e.spec))
                    .collect(),
                a.experiments
                    .iter_mut()
                    .map(|e| std::mem::take(&mut e.spec))
                    .collect(),
            )
        })
        .collect();
    plan_with(profile, specs, repo)
}

fn plan_with(profile: &Profile, mut specs: Specs, repo: &crate::gitops::RepoDir) -> Plan {
    let configs = server_configs(profile);
    let mut secrets = Vec::new();
    let mut folders = Vec::new();
    let controller_ns = profile.platform.namespace.as_str();

    let mut platform = Folder::new(
        "platform".to_string(),
        Layer::Platform,
        &profile.name,
        controller_ns,
        Vec::new(),
    );
    // With Flux the Namespaces are created with the bootstrap, so that the platform's
    // service accounts can be bound in them before anything is applied (gitops::flux).
    let namespaces_in_folders = profile.gitops.engine != gen_profile::Engine::Flux;
    if namespaces_in_folders {
        platform.defer(Deferred::Namespace);
    }
    if profile.pattern == Pattern::Shared {
        let rt = runtime(
            controller_ns,
            &profile.name,
            &profile.seldon,
            profile.platform.runtime.as_ref(),
        );
        platform.push_checked(Manifest::SeldonRuntime(rt), "platform.runtime");
        platform.defer(Deferred::RcloneSecret);
        secrets.push(rclone_secret_info(controller_ns, "platform.runtime"));
        for (i, entry) in profile.platform.servers.iter().enumerate() {
            let s = server(entry, controller_ns, &profile.name, &configs);
            platform.push_checked(Manifest::Server(s), format!("platform.servers[{i}]"));
        }
        platform.defer(Deferred::RuntimePolicies { tenant: None });
        platform.defer(Deferred::AppsReconciler);
    } else {
        platform.defer(Deferred::ControllerPolicies);
    }
    folders.push(platform);

    // A tenant whose namespace an earlier tenant has already taken is refused by the
    // profile check; rendering it too would only repeat that error as clashes between
    // the two tenants' objects, so it and its applications are left out.
    let mut taken = std::collections::HashSet::new();
    let shadowed: Vec<bool> = profile
        .tenants
        .iter()
        .map(|t| !taken.insert(t.namespace.as_str()))
        .collect();
    if profile.pattern == Pattern::Dedicated {
        for (t, tenant) in profile.tenants.iter().enumerate() {
            if shadowed[t] {
                continue;
            }
            let ns = tenant.namespace.as_str();
            let mut folder = Folder::new(
                format!("tenants/{}", tenant.name),
                Layer::Tenant,
                &tenant.name,
                ns,
                Vec::new(),
            );
            if namespaces_in_folders {
                folder.defer(Deferred::Namespace);
            }
            let rt = runtime(ns, &tenant.name, &profile.seldon, tenant.runtime.as_ref());
            folder.push_checked(Manifest::SeldonRuntime(rt), format!("tenants[{t}].runtime"));
            folder.defer(Deferred::RcloneSecret);
            secrets.push(rclone_secret_info(ns, format!("tenants[{t}].runtime")));
            for (i, entry) in tenant.servers.iter().enumerate() {
                let s = server(entry, ns, &tenant.name, &configs);
                folder.push_checked(Manifest::Server(s), format!("tenants[{t}].servers[{i}]"));
            }
            folder.defer(Deferred::RuntimePolicies { tenant: Some(t) });
            folder.defer(Deferred::Quota { tenant: t });
            folder.defer(Deferred::TenantReconciler { tenant: t });
            folder.defer(Deferred::TenantOwners { tenant: t });
            folders.push(folder);
        }
    }

    // The folder of each runtime namespace (the first, as the folders are ordered).
    let mut runtime_folder: BTreeMap<String, usize> = BTreeMap::new();
    for (i, f) in folders.iter().enumerate() {
        runtime_folder.entry(f.namespace.clone()).or_insert(i);
    }
    // The tenant an application names is the first of that name.
    let mut first_of_name = std::collections::HashMap::new();
    if shadowed.contains(&true) {
        for (t, tenant) in profile.tenants.iter().enumerate() {
            first_of_name.entry(tenant.name.as_str()).or_insert(t);
        }
    }
    let namespaces = application_namespaces(profile);
    for (a, (app, ns)) in profile.applications.iter().zip(namespaces).enumerate() {
        let Some(ns) = ns else {
            continue;
        };
        if app
            .tenant
            .as_deref()
            .and_then(|name| first_of_name.get(name))
            .is_some_and(|t| shadowed[*t])
        {
            continue;
        }
        let mut folder = Folder::new(
            format!("apps/{}", app.name),
            Layer::Application,
            &app.name,
            ns,
            Vec::new(),
        );
        let meta = |name: &str, component: &str| {
            let mut m = Metadata::namespaced(name, ns);
            m.labels = labels(&app.name, component, None).into();
            m
        };
        let (models, pipelines, experiments) = std::mem::take(&mut specs[a]);
        for ((i, e), spec) in app.models.iter().enumerate().zip(models) {
            let m = Model::new(meta(&e.name, "model"), spec);
            folder.push_checked(Manifest::Model(m), format!("applications[{a}].models[{i}]"));
        }
        for ((i, e), spec) in app.pipelines.iter().enumerate().zip(pipelines) {
            let p = Pipeline::new(meta(&e.name, "pipeline"), spec.with_server_defaults());
            folder.push_checked(
                Manifest::Pipeline(p),
                format!("applications[{a}].pipelines[{i}]"),
            );
        }
        for ((i, e), spec) in app.experiments.iter().enumerate().zip(experiments) {
            let x = Experiment::new(meta(&e.name, "experiment"), spec);
            folder.push_checked(
                Manifest::Experiment(x),
                format!("applications[{a}].experiments[{i}]"),
            );
        }
        // The application's owner RBAC belongs to the layer that manages its namespace
        // (the platform folder in shared, the tenant's folder in dedicated): the
        // application layer writes Models, Pipelines and Experiments only.
        if let Some(&i) = runtime_folder.get(ns) {
            folders[i].defer(Deferred::AppOwners { app: a });
        }
        folders.push(folder);
    }
    let gitops = crate::gitops::folders(profile, &folders, repo);
    folders.extend(gitops);
    Plan {
        folders,
        controller_namespace: controller_ns.to_string(),
        server_configs: configs,
        repo: repo.clone(),
        install: install(profile),
        quotas: quotas(profile),
        secrets,
    }
}
