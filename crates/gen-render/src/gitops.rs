//! The GitOps layer: Argo CD or Flux objects that install Seldon from the upstream charts
//! and apply the bundle's folders in order on an empty cluster:
//! CRDs → controller → runtime and Servers → Models, Pipelines, Experiments.
//!
//! Argo CD: an AppProject per bundle (shared) or per tenant (dedicated), Applications with
//! sync waves, and a root Application (app-of-apps) over `argocd/`. Flux: a HelmRepository
//! and two HelmReleases in `flux/install/`, one Kustomization per layer chained with
//! `dependsOn` and `wait`, and a GitRepository plus root Kustomization in `bootstrap/`.

use std::collections::BTreeMap;

use serde::Serialize;

use gen_profile::{Engine, Pattern, Profile};
use gen_seldon::{Kind, Metadata, Object};

use crate::labels::labels;
use crate::manifest::Manifest;
use crate::plan::{Folder, Layer};

/// The Seldon Helm repository (FACTS §4).
pub const SELDON_HELM_REPO: &str = "https://seldonio.github.io/helm-charts";
pub const ARGOCD_NAMESPACE: &str = "argocd";
pub const FLUX_NAMESPACE: &str = "flux-system";
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Argo CD applies lower waves first and waits for each wave to be healthy.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";

macro_rules! kind {
    ($spec:ty, $api:literal, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = $kind;
        }
    };
}

// ---- values of the seldon-core-v2-setup chart ----

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupValues {
    pub controller: ControllerValues,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kafka: Option<gen_profile::KafkaInstall>,
    pub services: ServicesValues,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerValues {
    pub clusterwide: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watch_namespaces: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicesValues {
    pub default_service_type: &'static str,
}

/// Values computed from the profile: a namespaced controller for `shared`; a clusterwide
/// controller watching exactly the tenant namespaces (sorted) for `dedicated`. Services
/// default to ClusterIP instead of upstream's LoadBalancer.
pub fn setup_values(profile: &Profile) -> SetupValues {
    let mut watch: Vec<String> = profile
        .tenants
        .iter()
        .map(|t| t.namespace.clone())
        .collect();
    watch.sort();
    watch.dedup();
    SetupValues {
        controller: ControllerValues {
            clusterwide: profile.pattern == Pattern::Dedicated,
            watch_namespaces: if profile.pattern == Pattern::Dedicated {
                watch
            } else {
                Vec::new()
            },
        },
        kafka: profile
            .seldon
            .kafka
            .clone()
            .filter(|k| *k != gen_profile::KafkaInstall::default()),
        services: ServicesValues {
            default_service_type: "ClusterIP",
        },
    }
}

// ---- Argo CD ----

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub project: String,
    pub source: AppSource,
    pub destination: Destination,
    pub sync_policy: SyncPolicy,
}
kind!(ApplicationSpec, "argoproj.io/v1alpha1", "Application");

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSource {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub target_revision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmSource>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    pub release_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_object: Option<SetupValues>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Destination {
    pub server: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Automated,
    pub sync_options: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    pub prune: bool,
    pub self_heal: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    pub description: String,
    pub source_repos: Vec<String>,
    pub destinations: Vec<Destination>,
    pub cluster_resource_whitelist: Vec<GroupKind>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_whitelist: Vec<GroupKind>,
}
kind!(AppProjectSpec, "argoproj.io/v1alpha1", "AppProject");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupKind {
    pub group: String,
    pub kind: String,
}

fn gk(group: &str, kind: &str) -> GroupKind {
    GroupKind {
        group: group.to_string(),
        kind: kind.to_string(),
    }
}

// ---- Flux ----

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmRepositorySpec {
    pub url: String,
    pub interval: String,
    /// CRD default, written out so the object in git equals the one on the cluster.
    pub provider: &'static str,
}
kind!(
    HelmRepositorySpec,
    "source.toolkit.fluxcd.io/v1",
    "HelmRepository"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseSpec {
    pub interval: String,
    pub release_name: String,
    pub target_namespace: String,
    pub chart: HelmChartTemplate,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependsOn>,
    pub install: HelmInstall,
    pub upgrade: HelmUpgrade,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<SetupValues>,
}
kind!(HelmReleaseSpec, "helm.toolkit.fluxcd.io/v2", "HelmRelease");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmChartTemplate {
    pub spec: HelmChartSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    pub chart: String,
    pub version: String,
    pub source_ref: SourceRef,
    /// CRD default, written out.
    pub reconcile_strategy: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmInstall {
    pub crds: &'static str,
    pub create_namespace: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HelmUpgrade {
    pub crds: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceRef {
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DependsOn {
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitRepositorySpec {
    pub url: String,
    pub interval: String,
    /// CRD default, written out.
    pub timeout: &'static str,
    #[serde(rename = "ref")]
    pub reference: GitRef,
}
kind!(
    GitRepositorySpec,
    "source.toolkit.fluxcd.io/v1",
    "GitRepository"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitRef {
    pub branch: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    pub interval: String,
    pub retry_interval: String,
    pub timeout: String,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    /// CRD default, written out.
    pub force: bool,
    pub source_ref: SourceRef,
    /// The service account in flux-system whose permissions apply this layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependsOn>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub health_check_exprs: Vec<HealthCheckExpr>,
}
kind!(
    KustomizationSpec,
    "kustomize.toolkit.fluxcd.io/v1",
    "Kustomization"
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckExpr {
    pub api_version: String,
    pub kind: String,
    pub current: String,
}

pub type Application = Object<ApplicationSpec>;
pub type AppProject = Object<AppProjectSpec>;
pub type HelmRepository = Object<HelmRepositorySpec>;
pub type HelmRelease = Object<HelmReleaseSpec>;
pub type GitRepository = Object<GitRepositorySpec>;
pub type FluxKustomization = Object<KustomizationSpec>;

// ---- building the layer ----

/// Where the bundle lives in the git repository: `out/<name>`.
pub fn repo_path(profile: &Profile, folder: &str) -> String {
    format!("out/{}/{folder}", profile.name)
}

fn meta(name: &str, namespace: &str, part_of: &str) -> Metadata {
    let mut m = Metadata::namespaced(name, namespace);
    m.labels = labels(part_of, "gitops", None).into();
    m
}

fn folder(path: &str, namespace: &str, owner: &str, objects: Vec<Manifest>) -> Folder {
    Folder::new(path.to_string(), Layer::GitOps, owner, namespace, objects)
}

const CHARTS: [&str; 2] = ["seldon-core-v2-crds", "seldon-core-v2-setup"];

/// The Flux service account (in flux-system) that applies a tenant's applications.
pub fn tenant_reconciler(profile: &Profile, tenant: &str) -> String {
    format!("{}-tenant-{tenant}", profile.name)
}

/// With Flux in pattern dedicated, a tenant's applications are applied by the tenant's own
/// service account, which may only manage Seldon application kinds and their owner RBAC in
/// the tenant's namespace: a Role and RoleBinding there.
pub fn tenant_reconciler_rbac(profile: &Profile, tenant: &gen_profile::Tenant) -> Vec<Manifest> {
    if profile.gitops.engine != Engine::Flux || profile.pattern != Pattern::Dedicated {
        return Vec::new();
    }
    let mut rules = crate::plan::seldon_editor_rules();
    rules.push(k8s_openapi::api::rbac::v1::PolicyRule {
        api_groups: Some(vec!["rbac.authorization.k8s.io".to_string()]),
        resources: Some(vec!["rolebindings".to_string(), "roles".to_string()]),
        verbs: [
            "create", "delete", "get", "list", "patch", "update", "watch",
        ]
        .iter()
        .map(|v| v.to_string())
        .collect(),
        ..Default::default()
    });
    crate::plan::role_and_binding(
        "flux-tenant-reconciler",
        &tenant.namespace,
        &tenant.name,
        rules,
        vec![k8s_openapi::api::rbac::v1::Subject {
            kind: "ServiceAccount".to_string(),
            name: tenant_reconciler(profile, &tenant.name),
            namespace: Some(FLUX_NAMESPACE.to_string()),
            api_group: None,
        }],
    )
}

/// The GitOps folders for the profile's engine, given the plan's workload folders.
pub fn folders(profile: &Profile, workload: &[Folder]) -> Vec<Folder> {
    match profile.gitops.engine {
        Engine::None => Vec::new(),
        Engine::Argocd => argocd(profile, workload),
        Engine::Flux => flux(profile, workload),
    }
}

fn revision(profile: &Profile) -> String {
    profile
        .gitops
        .revision
        .clone()
        .unwrap_or_else(|| "main".to_string())
}

fn argocd(profile: &Profile, workload: &[Folder]) -> Vec<Folder> {
    let name = profile.name.as_str();
    let repo = profile.gitops.repo_url.clone().unwrap_or_default();
    let controller_ns = profile.platform.namespace.as_str();
    let platform_project = match profile.pattern {
        Pattern::Shared => name.to_string(),
        Pattern::Dedicated => format!("{name}-platform"),
    };
    let dest = |ns: &str| Destination {
        server: IN_CLUSTER.to_string(),
        namespace: ns.to_string(),
    };
    let mut objects = Vec::new();

    // Projects: what each layer may deploy, and where.
    let mut platform_cluster = vec![
        gk("apiextensions.k8s.io", "CustomResourceDefinition"),
        gk("", "Namespace"),
    ];
    if profile.pattern == Pattern::Dedicated {
        platform_cluster.push(gk("rbac.authorization.k8s.io", "ClusterRole"));
        platform_cluster.push(gk("rbac.authorization.k8s.io", "ClusterRoleBinding"));
    }
    objects.push(Manifest::AppProject(Object::new(
        meta(&platform_project, ARGOCD_NAMESPACE, name),
        AppProjectSpec {
            description: format!("Seldon install and platform layer of bundle {name}"),
            source_repos: vec![repo.clone(), SELDON_HELM_REPO.to_string()],
            destinations: vec![dest(controller_ns)],
            cluster_resource_whitelist: platform_cluster,
            namespace_resource_whitelist: Vec::new(),
        },
    )));
    let tenant_kinds = || {
        let mut k: Vec<GroupKind> = ["Experiment", "Model", "Pipeline", "SeldonRuntime", "Server"]
            .iter()
            .map(|k| gk("mlops.seldon.io", k))
            .collect();
        k.push(gk("rbac.authorization.k8s.io", "Role"));
        k.push(gk("rbac.authorization.k8s.io", "RoleBinding"));
        k.push(gk("", "LimitRange"));
        k.push(gk("", "ResourceQuota"));
        k.push(gk("", "Secret"));
        k
    };
    let mut project_of_ns: BTreeMap<String, String> = BTreeMap::new();
    project_of_ns.insert(controller_ns.to_string(), platform_project.clone());
    // In pattern shared the applications share the platform namespace; their own project
    // keeps them to the Seldon application kinds and their RBAC.
    let mut apps_project = None;
    if profile.pattern == Pattern::Shared {
        let project = format!("{name}-apps");
        let kinds = ["Experiment", "Model", "Pipeline"]
            .iter()
            .map(|k| gk("mlops.seldon.io", k))
            .chain([
                gk("rbac.authorization.k8s.io", "Role"),
                gk("rbac.authorization.k8s.io", "RoleBinding"),
            ])
            .collect();
        objects.push(Manifest::AppProject(Object::new(
            meta(&project, ARGOCD_NAMESPACE, name),
            AppProjectSpec {
                description: format!("Application layer of bundle {name}: Models, Pipelines, Experiments and owner RBAC in {controller_ns}"),
                source_repos: vec![repo.clone()],
                destinations: vec![dest(controller_ns)],
                cluster_resource_whitelist: Vec::new(),
                namespace_resource_whitelist: kinds,
            },
        )));
        apps_project = Some(project);
    }
    for t in &profile.tenants {
        let project = format!("{name}-tenant-{}", t.name);
        project_of_ns.insert(t.namespace.clone(), project.clone());
        objects.push(Manifest::AppProject(Object::new(
            meta(&project, ARGOCD_NAMESPACE, &t.name),
            AppProjectSpec {
                description: format!(
                    "Tenant {} of bundle {name}: namespace {} only",
                    t.name, t.namespace
                ),
                source_repos: vec![repo.clone()],
                destinations: vec![dest(&t.namespace)],
                cluster_resource_whitelist: vec![gk("", "Namespace")],
                namespace_resource_whitelist: tenant_kinds(),
            },
        )));
    }

    let app = |app_name: String,
               part_of: &str,
               wave: i32,
               project: &str,
               ns: &str,
               source: AppSource,
               create_ns: bool| {
        let mut m = meta(&app_name, ARGOCD_NAMESPACE, part_of);
        m.annotations
            .insert(SYNC_WAVE.to_string(), wave.to_string());
        m.finalizers
            .push("resources-finalizer.argocd.argoproj.io".to_string());
        let mut sync_options = vec!["ServerSideApply=true".to_string()];
        if create_ns {
            sync_options.insert(0, "CreateNamespace=true".to_string());
        }
        Manifest::Application(Object::new(
            m,
            ApplicationSpec {
                project: project.to_string(),
                source,
                destination: dest(ns),
                sync_policy: SyncPolicy {
                    automated: Automated {
                        prune: true,
                        self_heal: true,
                    },
                    sync_options,
                },
            },
        ))
    };
    for (wave, chart) in CHARTS.iter().enumerate() {
        let values = (*chart == "seldon-core-v2-setup").then(|| setup_values(profile));
        objects.push(app(
            format!(
                "{name}-seldon-{}",
                chart.trim_start_matches("seldon-core-v2-")
            ),
            name,
            wave as i32,
            &platform_project,
            controller_ns,
            AppSource {
                repo_url: SELDON_HELM_REPO.to_string(),
                target_revision: profile.seldon.version.to_string(),
                path: None,
                chart: Some(chart.to_string()),
                helm: Some(HelmSource {
                    release_name: chart.to_string(),
                    values_object: values,
                }),
            },
            true,
        ));
    }
    for f in workload {
        let (wave, app_name, project) = match f.layer {
            Layer::Platform => (2, format!("{name}-platform"), platform_project.clone()),
            Layer::Tenant => (
                2,
                format!("{name}-tenant-{}", f.owner),
                project_of_ns.get(&f.namespace).cloned().unwrap_or_default(),
            ),
            Layer::Application => (
                3,
                format!("{name}-app-{}", f.owner),
                apps_project.clone().unwrap_or_else(|| {
                    project_of_ns.get(&f.namespace).cloned().unwrap_or_default()
                }),
            ),
            Layer::GitOps => continue,
        };
        objects.push(app(
            app_name,
            &f.owner,
            wave,
            &project,
            &f.namespace,
            AppSource {
                repo_url: repo.clone(),
                target_revision: revision(profile),
                path: Some(repo_path(profile, &f.path)),
                chart: None,
                helm: None,
            },
            false,
        ));
    }
    let root = app(
        format!("{name}-root"),
        name,
        0,
        "default",
        ARGOCD_NAMESPACE,
        AppSource {
            repo_url: repo,
            target_revision: revision(profile),
            path: Some(repo_path(profile, "argocd")),
            chart: None,
            helm: None,
        },
        false,
    );
    vec![
        folder("argocd", ARGOCD_NAMESPACE, name, objects),
        folder("bootstrap", ARGOCD_NAMESPACE, name, vec![root]),
    ]
}

fn flux(profile: &Profile, workload: &[Folder]) -> Vec<Folder> {
    let name = profile.name.as_str();
    let controller_ns = profile.platform.namespace.as_str();
    let helm_repo = format!("{name}-seldon");
    let mut install = vec![Manifest::HelmRepository(Object::new(
        meta(&helm_repo, FLUX_NAMESPACE, name),
        HelmRepositorySpec {
            url: SELDON_HELM_REPO.to_string(),
            interval: "60m".to_string(),
            provider: "generic",
        },
    ))];
    let mut previous: Option<String> = None;
    for chart in CHARTS {
        let release = format!("{name}-{chart}");
        install.push(Manifest::HelmRelease(Object::new(
            meta(&release, FLUX_NAMESPACE, name),
            HelmReleaseSpec {
                interval: "60m".to_string(),
                release_name: chart.to_string(),
                target_namespace: controller_ns.to_string(),
                chart: HelmChartTemplate {
                    spec: HelmChartSpec {
                        chart: chart.to_string(),
                        version: profile.seldon.version.to_string(),
                        source_ref: SourceRef {
                            kind: "HelmRepository",
                            name: helm_repo.clone(),
                            namespace: FLUX_NAMESPACE.to_string(),
                        },
                        reconcile_strategy: "ChartVersion",
                    },
                },
                depends_on: previous
                    .iter()
                    .map(|p| DependsOn {
                        name: p.clone(),
                        namespace: FLUX_NAMESPACE.to_string(),
                    })
                    .collect(),
                install: HelmInstall {
                    crds: "Create",
                    create_namespace: true,
                },
                upgrade: HelmUpgrade {
                    crds: "CreateReplace",
                },
                values: (chart == "seldon-core-v2-setup").then(|| setup_values(profile)),
            },
        )));
        previous = Some(release);
    }
    let source = SourceRef {
        kind: "GitRepository",
        name: name.to_string(),
        namespace: FLUX_NAMESPACE.to_string(),
    };
    let kustomization =
        |k_name: String, path: String, depends: Option<&String>, checks: Vec<HealthCheckExpr>| {
            Manifest::FluxKustomization(Object::new(
                meta(&k_name, FLUX_NAMESPACE, name),
                KustomizationSpec {
                    interval: "10m".to_string(),
                    retry_interval: "1m".to_string(),
                    timeout: "10m".to_string(),
                    path,
                    prune: true,
                    wait: true,
                    force: false,
                    source_ref: source.clone(),
                    service_account_name: None,
                    depends_on: depends
                        .map(|d| DependsOn {
                            name: d.clone(),
                            namespace: FLUX_NAMESPACE.to_string(),
                        })
                        .into_iter()
                        .collect(),
                    health_check_exprs: checks,
                },
            ))
        };
    // A SeldonRuntime with hodometer disabled may never report Ready (FACTS §1), so the
    // runtime is healthy once its scheduler and envoy are.
    let runtime_health = || {
        vec![HealthCheckExpr {
            api_version: gen_seldon::API_VERSION.to_string(),
            kind: "SeldonRuntime".to_string(),
            current: "status.conditions.filter(c, c.type in ['SchedulerReady', 'EnvoyReady']).all(c, c.status == 'True')"
                .to_string(),
        }]
    };
    let mut layers = Vec::new();
    let install_name = format!("{name}-seldon-install");
    layers.push(kustomization(
        install_name.clone(),
        repo_path(profile, "flux/install"),
        None,
        Vec::new(),
    ));
    let mut last = install_name;
    for top in ["platform", "tenants", "apps"] {
        if !workload
            .iter()
            .any(|f| f.path == top || f.path.starts_with(&format!("{top}/")))
        {
            continue;
        }
        if top == "apps" && profile.pattern == Pattern::Dedicated {
            // One Kustomization per application, applied as its tenant's service account.
            // The first tenant of a namespace, as a search would find it.
            let mut tenants = std::collections::HashMap::new();
            for t in &profile.tenants {
                tenants.entry(t.namespace.as_str()).or_insert(t);
            }
            for f in workload.iter().filter(|f| f.layer == Layer::Application) {
                let Some(tenant) = tenants.get(f.namespace.as_str()) else {
                    continue;
                };
                let mut k = kustomization(
                    format!("{name}-app-{}", f.owner),
                    repo_path(profile, &f.path),
                    Some(&last),
                    Vec::new(),
                );
                if let Manifest::FluxKustomization(o) = &mut k {
                    o.spec.service_account_name = Some(tenant_reconciler(profile, &tenant.name));
                }
                layers.push(k);
            }
            continue;
        }
        let k_name = format!("{name}-{top}");
        let checks = if top == "apps" {
            Vec::new()
        } else {
            runtime_health()
        };
        layers.push(kustomization(
            k_name.clone(),
            repo_path(profile, top),
            Some(&last),
            checks,
        ));
        last = k_name;
    }
    if profile.pattern == Pattern::Dedicated {
        for t in &profile.tenants {
            layers.push(Manifest::ServiceAccount(
                k8s_openapi::api::core::v1::ServiceAccount {
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(tenant_reconciler(profile, &t.name)),
                        namespace: Some(FLUX_NAMESPACE.to_string()),
                        labels: Some(labels(&t.name, "gitops", None)),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ));
        }
    }
    let git = Manifest::GitRepository(Object::new(
        meta(name, FLUX_NAMESPACE, name),
        GitRepositorySpec {
            url: profile.gitops.repo_url.clone().unwrap_or_default(),
            interval: "5m".to_string(),
            timeout: "60s",
            reference: GitRef {
                branch: revision(profile),
            },
        },
    ));
    let root = kustomization(
        format!("{name}-root"),
        repo_path(profile, "flux"),
        None,
        Vec::new(),
    );
    vec![
        folder("flux", FLUX_NAMESPACE, name, layers),
        folder("flux/install", FLUX_NAMESPACE, name, install),
        folder("bootstrap", FLUX_NAMESPACE, name, vec![git, root]),
    ]
}
