//! Profile → the plan of the bundle: the Seldon objects of every workload folder, in
//! folders (`folder`), plus the Seldon inventory that the run-time rules check. The GitOps
//! engine's folders are added by the caller (`ops::check`), which passes the engine in:
//! the plan asks it where Namespaces go and defers its access objects. Nothing here does
//! I/O.

use std::collections::BTreeMap;

use gen_profile::check::application_namespaces;
use gen_profile::{Pattern, Profile, RuntimeSettings, ServerEntry};
use gen_seldon::catalog::{DEFAULT_SELDON_CONFIG, Install, ServerConfigInfo};
use gen_seldon::kinds::{
    Component, ComponentOverride, ContainerResources, Resources, RuntimeConfig, ServiceType,
};
use gen_seldon::rules::{
    Inventory, Located, Origin, QuotaInfo, QuotaLimit, SecretInfo, SecretRemote,
};
use gen_seldon::{Experiment, Metadata, Model, Pipeline, SeldonRuntime, SeldonRuntimeSpec, Server};

use crate::engine::GitOpsEngine;
use crate::folder::{Deferred, Entry, Folder, Layer};
use crate::labels::labels;
use crate::manifest::Manifest;
use crate::objects::integrations;
use crate::objects::quota::QUOTA_NAME;
use crate::objects::secret::rclone_secret_info;
use crate::repo::RepoDir;
use crate::settings::{install, runtime_tracing, server_configs};

mod runtime_integrations;
use self::runtime_integrations::{RuntimeIntegrations, storage_needed};

/// The name gen gives every SeldonRuntime (one per namespace).
pub const RUNTIME_NAME: &str = "seldon";

/// Everything a profile renders to, before it becomes text.
#[derive(Clone, Debug)]
pub struct Plan {
    pub folders: Vec<Folder>,
    pub controller_namespace: String,
    pub server_configs: Vec<ServerConfigInfo>,
    /// The bundle folder's path in the GitOps repository.
    pub repo: RepoDir,
    /// The GitOps engine that applies the bundle.
    pub engine: &'static dyn GitOpsEngine,
    /// The setup chart's values the GitOps layer installs Seldon with.
    pub install: Install,
    /// The tenants' ResourceQuotas, as the rules see them (the objects are built when
    /// their folder is written).
    pub quotas: Vec<Located<QuotaInfo>>,
    /// The rclone config Secrets, likewise, and the storage Secrets the profile renders or
    /// declares (integrations.storage): a profile knows every Secret.
    pub secrets: Vec<Located<SecretInfo>>,
    /// Namespaces whose applications may use each other's objects without sharing them:
    /// those of dedicated tenants that do not isolate their applications.
    pub open_namespaces: Vec<String>,
    /// The rclone remotes of the storage Secrets gen renders.
    pub secret_remotes: Vec<Located<SecretRemote>>,
    /// The environment of a fleet this bundle is, and its clusters' names; `None` for a
    /// profile without environments.
    pub environment: Option<(String, Vec<String>)>,
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
            open_namespaces: self.open_namespaces.clone(),
            secret_remotes: self.secret_remotes.clone(),
            secrets_complete: true,
            ..Inventory::default()
        };
        for folder in &self.folders {
            // The Kafka users are the platform layer's (see `RuntimeIntegrations`).
            let platform = folder.layer == Layer::Platform;
            for entry in folder.entries.iter().filter(|_| platform) {
                if let Entry::Object(object) = entry
                    && let Manifest::KafkaUser(u) = object.as_ref()
                {
                    inv.kafka_users.push(Located::new(
                        kafka_user_info(u),
                        Origin::from("integrations.kafka".to_string()),
                    ));
                }
            }
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

/// A KafkaUser as the rules see it.
fn kafka_user_info(u: &gen_kinds::strimzi::KafkaUser) -> gen_seldon::rules::KafkaUserInfo {
    gen_seldon::rules::KafkaUserInfo {
        namespace: u.metadata.namespace().to_string(),
        name: u.metadata.name.clone(),
        acls: u
            .spec
            .authorization
            .acls
            .iter()
            .filter(|a| a.kind == "allow")
            .map(|a| gen_seldon::rules::KafkaAcl {
                resource: a.resource.kind.to_string(),
                name: a.resource.name.clone(),
                prefix: a.resource.pattern_type == "prefix",
                operations: a.operations.iter().map(|o| o.to_string()).collect(),
            })
            .collect(),
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

/// Secure defaults for every runtime: scheduler and envoy stay inside the cluster
/// (upstream defaults to LoadBalancer), and hodometer, which reports usage to the
/// internet, is off. A profile override for the same component replaces the default.
fn runtime_overrides(settings: Option<&RuntimeSettings>) -> Vec<ComponentOverride> {
    let mut by_component: BTreeMap<Component, ComponentOverride> = BTreeMap::new();
    let default = |name, disable, service_type| ComponentOverride {
        disable,
        service_type,
        ..ComponentOverride::new(name)
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

fn runtime(
    ns: &str,
    part_of: &str,
    profile: &Profile,
    settings: Option<&RuntimeSettings>,
) -> SeldonRuntime {
    let seldon = &profile.seldon;
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
            overrides: {
                let mut o = runtime_overrides(settings);
                integrations::kafka::set_usernames(profile, ns, &mut o);
                o
            },
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
    // The inference container's request-and-limit resources: `memory`, and `gpu` as
    // nvidia.com/gpu (an extended resource: the API server requires request = limit).
    let mut both: BTreeMap<String, gen_seldon::Quantity> = BTreeMap::new();
    if let Some(memory) = &entry.memory {
        both.insert("memory".to_string(), memory.clone());
    }
    let scheduling = &entry.scheduling;
    if let Some(gpu) = scheduling.gpu {
        both.insert(
            gen_profile::integrations::GPU_RESOURCE.to_string(),
            gen_seldon::Quantity::new(gpu.to_string()),
        );
    }
    if !both.is_empty() || !scheduling.is_empty() {
        let mut pod = spec.pod_spec.take().unwrap_or_default();
        // Where the pods run, merged by the controller into the ServerConfig's podSpec
        // (nodeSelector by key, tolerations appended, affinity by field: FACTS §9.2).
        pod.node_selector.extend(scheduling.node_selector.clone());
        pod.tolerations
            .extend(scheduling.tolerations.iter().cloned());
        if scheduling.affinity.is_some() {
            pod.affinity = scheduling.affinity.clone();
        }
        if !both.is_empty() {
            let container = configs
                .iter()
                .find(|c| c.name == spec.server_config)
                .map(|c| c.container.clone())
                .unwrap_or_else(|| spec.server_config.clone());
            pod.containers = vec![ContainerResources {
                name: container,
                resources: Resources {
                    requests: both.clone(),
                    limits: both,
                },
            }];
        }
        spec.pod_spec = Some(pod);
    }
    Server::new(meta, spec)
}

/// The specs of every application's Models, Pipelines and Experiments, by application.
type Specs = Vec<(
    Vec<gen_seldon::ModelSpec>,
    Vec<gen_seldon::PipelineSpec>,
    Vec<gen_seldon::ExperimentSpec>,
)>;

/// Build the plan of `profile`'s workload folders for a bundle at `repo`, applied by
/// `engine`, copying the application specs. Assumes the profile has passed the
/// profile-level checks only as far as needed to find namespaces; applications whose
/// namespace is unknown are skipped (the profile checks report them).
pub fn build(profile: &Profile, repo: &RepoDir, engine: &'static dyn GitOpsEngine) -> Plan {
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
    plan_with(profile, specs, repo, engine)
}

/// [`build`], moving the application specs out of the profile instead of copying them
/// (the profile's Model, Pipeline and Experiment specs are left empty): for the checked
/// stage, once the profile rules have read them, so a large profile is not held twice.
pub fn build_taking(
    profile: &mut Profile,
    repo: &RepoDir,
    engine: &'static dyn GitOpsEngine,
) -> Plan {
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
    plan_with(profile, specs, repo, engine)
}

fn plan_with(
    profile: &Profile,
    mut specs: Specs,
    repo: &RepoDir,
    engine: &'static dyn GitOpsEngine,
) -> Plan {
    let configs = server_configs(profile);
    let mut secrets = Vec::new();
    let mut secret_remotes = Vec::new();
    let mut folders = Vec::new();
    let needed = storage_needed(profile, &specs);
    let kafka_names = runtime_integrations::kafka_names(profile);
    let controller_ns = profile.platform.namespace.as_str();

    let mut platform = Folder::new(
        "platform".to_string(),
        Layer::Platform,
        &profile.name,
        controller_ns,
        Vec::new(),
    );
    // An engine may create the Namespaces itself (Flux's bootstrap does, so that its
    // accounts can be bound in them before anything is applied).
    let namespaces_in_folders = engine.namespaces_in_folders();
    if namespaces_in_folders {
        platform.defer(Deferred::Namespace);
    }
    if profile.pattern == Pattern::Shared {
        let rt = runtime(
            controller_ns,
            &profile.name,
            profile,
            profile.platform.runtime.as_ref(),
        );
        platform.push_checked(Manifest::SeldonRuntime(rt), "platform.runtime");
        platform.defer(Deferred::RcloneSecret);
        secrets.push(rclone_secret_info(controller_ns, "platform.runtime"));
        for (i, entry) in profile.platform.servers.iter().enumerate() {
            let s = server(entry, controller_ns, &profile.name, &configs);
            platform.push_checked(Manifest::Server(s), format!("platform.servers[{i}]"));
        }
        let rt = RuntimeIntegrations {
            ns: controller_ns,
            part_of: &profile.name,
            settings: profile.platform.runtime.as_ref(),
            servers: &profile.platform.servers,
            hostnames: &[],
        };
        rt.push(
            profile,
            &needed,
            &mut platform,
            &mut secrets,
            &mut secret_remotes,
        );
        for m in rt.kafka_platform(profile, &kafka_names) {
            platform.push(m);
        }
        platform.defer(Deferred::RuntimePolicies { tenant: None });
        platform.defer(Deferred::EngineAccess { tenant: None });
        platform.defer(Deferred::Admission);
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
            let rt = runtime(ns, &tenant.name, profile, tenant.runtime.as_ref());
            folder.push_checked(Manifest::SeldonRuntime(rt), format!("tenants[{t}].runtime"));
            folder.defer(Deferred::RcloneSecret);
            secrets.push(rclone_secret_info(ns, format!("tenants[{t}].runtime")));
            for (i, entry) in tenant.servers.iter().enumerate() {
                let s = server(entry, ns, &tenant.name, &configs);
                folder.push_checked(Manifest::Server(s), format!("tenants[{t}].servers[{i}]"));
            }
            let rt = RuntimeIntegrations {
                ns,
                part_of: &tenant.name,
                settings: tenant.runtime.as_ref(),
                servers: &tenant.servers,
                hostnames: &tenant.hostnames,
            };
            rt.push(
                profile,
                &needed,
                &mut folder,
                &mut secrets,
                &mut secret_remotes,
            );
            // The tenant's Kafka user and topics are the platform's: a tenant's account
            // never writes its own ACLs.
            for m in rt.kafka_platform(profile, &kafka_names) {
                folders[0].push(m);
            }
            folder.defer(Deferred::RuntimePolicies { tenant: Some(t) });
            folder.defer(Deferred::Quota { tenant: t });
            folder.defer(Deferred::EngineAccess { tenant: Some(t) });
            folder.defer(Deferred::TenantOwners { tenant: t });
            if tenant.isolate_applications {
                folder.defer(Deferred::Admission);
            }
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
        let meta = |name: &str, component: &str, shared_with: &[String]| {
            let mut m = Metadata::namespaced(name, ns);
            m.labels = labels(&app.name, component, None).into();
            if !shared_with.is_empty() {
                m.annotations = crate::ownership::shared_with_annotation(shared_with);
            }
            m
        };
        let (models, pipelines, experiments) = std::mem::take(&mut specs[a]);
        for ((i, e), spec) in app.models.iter().enumerate().zip(models) {
            let m = Model::new(meta(&e.name, "model", &e.shared_with), spec);
            folder.push_checked(Manifest::Model(m), format!("applications[{a}].models[{i}]"));
        }
        for ((i, e), spec) in app.pipelines.iter().enumerate().zip(pipelines) {
            let p = Pipeline::new(
                meta(&e.name, "pipeline", &e.shared_with),
                spec.with_server_defaults(),
            );
            folder.push_checked(
                Manifest::Pipeline(p),
                format!("applications[{a}].pipelines[{i}]"),
            );
        }
        for ((i, e), spec) in app.experiments.iter().enumerate().zip(experiments) {
            let x = Experiment::new(meta(&e.name, "experiment", &[]), spec);
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
            // The application's own route and alerts, likewise.
            for m in [
                integrations::application_route(profile, ns, app),
                integrations::model_alerts(profile, ns, app),
            ]
            .into_iter()
            .flatten()
            {
                folders[i].push(m);
            }
        }
        folders.push(folder);
    }
    Plan {
        folders,
        controller_namespace: controller_ns.to_string(),
        server_configs: configs,
        repo: repo.clone(),
        engine,
        install: install(profile),
        quotas: quotas(profile),
        secrets,
        open_namespaces: crate::ownership::open_namespaces(profile),
        secret_remotes,
        environment: None,
    }
}
