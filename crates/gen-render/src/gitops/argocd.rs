//! Argo CD: AppProjects, one Application per chart and per workload folder with sync waves,
//! and a root Application (app-of-apps over `argocd/`) in its own bootstrap project.
//!
//! Facts this relies on (argoproj/argo-cd, the same from v2.14 to v3.5):
//! - A project admits a namespaced kind when `namespaceResourceWhitelist` is absent or
//!   lists it, and a cluster-scoped kind only when `clusterResourceWhitelist` lists it; a
//!   namespaced object's namespace must match a destination. One object that fails makes
//!   the whole sync fail (`pkg/apis/application/v1alpha1/app_project_types.go`
//!   IsGroupKindNamePermitted, `controller/sync.go` validateSyncPermissions). Prune tasks
//!   are checked too (`gitops-engine/pkg/sync/sync_context.go`), so a project admits every
//!   kind gen may render into its folders, not only the kinds rendered today.
//! - A failed automated sync is retried as `syncPolicy.retry` says (`controller/appcontroller.go`:
//!   `RetryCount < Limit || Limit < 0`); while it retries, new commits are not synced.
//! - Cascade deletion deletes one sync wave at a time, highest first, and waits until that
//!   wave is gone (`controller/sort_delete.go` FilterObjectsForDeletion,
//!   finalizeApplicationDeletion); it never deletes a CustomResourceDefinition
//!   (`shouldBeDeleted`: `!kube.IsCRD(obj)`).
//! - An AppProject with `resources-finalizer.argocd.argoproj.io` stays until no Application
//!   uses it (`finalizeProjectDeletion`).

use std::collections::BTreeMap;

use gen_profile::{Pattern, Profile};
use gen_seldon::Object;

use super::{
    ARGOCD_NAMESPACE, CRDS_CHART, Context, GitOpsEngine, IN_CLUSTER, Order, SELDON_GROUP,
    SETUP_CHART, SYNC_WAVE, folder, holds_seldon_objects, meta, setup_values,
};
use crate::folder::Layer;
use crate::manifest::Manifest;
use gen_kinds::argocd::*;

/// Cascade deletion of Applications and AppProjects (on AppProjects: keep while in use).
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// Sync waves of the root Application: projects first and, on deletion, last.
pub const WAVE_PROJECTS: i32 = -1;
pub const WAVE_CRDS: i32 = 0;
pub const WAVE_SETUP: i32 = 1;
pub const WAVE_RUNTIME: i32 = 2;
pub const WAVE_APPS: i32 = 3;

/// Retries of a failed sync. Generous enough for a fresh cluster (CRDs and namespaces that
/// another Application creates arrive within a minute or two): 5 s, doubling, at most 3 min
/// apart, about 17 minutes in all. Not unlimited: until Argo CD 3.2 (`retry.refresh`) a
/// retrying sync keeps its revision and blocks the next commit, so an endless retry of a
/// broken commit would also hold back its fix.
pub const RETRY_LIMIT: i64 = 10;

#[derive(Debug)]
pub struct ArgoCd;

/// The Argo CD objects' names for a profile.
pub fn bootstrap_project(profile: &Profile) -> String {
    format!("{}-bootstrap", profile.name)
}

pub(super) fn gk(group: &str, kind: &str) -> GroupKind {
    GroupKind::new(group, kind)
}

/// The only kinds of the application layer: Models, Pipelines and Experiments.
pub fn app_kinds() -> Vec<GroupKind> {
    ["Experiment", "Model", "Pipeline"]
        .iter()
        .map(|k| gk(SELDON_GROUP, k))
        .collect()
}

/// Every namespaced kind the platform project applies: the setup chart's (seldon-core
/// v2.10.2 `k8s/helm-charts/seldon-core-v2-setup/templates/_components-statefulsets.tpl`,
/// the same kinds in `_components-deployments.tpl`) and every kind gen may render into a
/// platform or tenant folder (runtime, Servers, quota, NetworkPolicies, the runtime's
/// rclone Secret, owner and reconciler RBAC, and the integrations' routes, monitors, alerts,
/// ExternalSecrets and Kafka users and topics). Listed whether or not rendered today, since
/// Argo CD checks prunes against the list too.
pub fn platform_kinds() -> Vec<GroupKind> {
    let mut k: Vec<GroupKind> = ["SeldonConfig", "SeldonRuntime", "Server", "ServerConfig"]
        .iter()
        .map(|k| gk(SELDON_GROUP, k))
        .collect();
    k.extend([
        gk("", "ConfigMap"),
        gk("", "LimitRange"),
        gk("", "ResourceQuota"),
        gk("", "Secret"),
        gk("", "ServiceAccount"),
        gk("apps", "Deployment"),
        gk("external-secrets.io", "ExternalSecret"),
        gk("gateway.networking.k8s.io", "HTTPRoute"),
        gk("kafka.strimzi.io", "KafkaTopic"),
        gk("kafka.strimzi.io", "KafkaUser"),
        gk("monitoring.coreos.com", "PodMonitor"),
        gk("monitoring.coreos.com", "PrometheusRule"),
        gk("networking.k8s.io", "NetworkPolicy"),
        gk("rbac.authorization.k8s.io", "Role"),
        gk("rbac.authorization.k8s.io", "RoleBinding"),
    ]);
    k
}

/// What a project admits: source repositories, destinations, cluster-scoped kinds and
/// (`None`: every) namespaced kinds.
type Admits = (
    Vec<String>,
    Vec<Destination>,
    Vec<GroupKind>,
    Option<Vec<GroupKind>>,
);

/// An AppProject, kept by its finalizer while Applications use it; in the root's wave
/// `WAVE_PROJECTS` unless applied by hand (`wave: None`).
pub(super) fn project(
    name: &str,
    part_of: &str,
    description: String,
    wave: Option<i32>,
    admits: Admits,
) -> Manifest {
    let (source_repos, destinations, cluster, namespaced) = admits;
    let mut m = meta(name, ARGOCD_NAMESPACE, part_of);
    if let Some(wave) = wave {
        m.annotations
            .insert(SYNC_WAVE.to_string(), wave.to_string());
    }
    m.finalizers.push(RESOURCES_FINALIZER.to_string());
    Manifest::AppProject(Object::new(
        m,
        AppProjectSpec {
            description,
            source_repos,
            destinations,
            cluster_resource_whitelist: cluster,
            namespace_resource_whitelist: namespaced,
            roles: Vec::new(),
        },
    ))
}

/// The roles of an application project: for each of its applications with `group:`
/// owners, a role `app-<application>` that lets those groups view and sync that
/// application's Argo CD Application and nothing else of the project. (`user:` owners are
/// not OIDC groups: an administrator binds them in argocd-rbac-cm.)
fn application_roles(profile: &Profile, project: &str, ns: &str) -> Vec<ProjectRole> {
    crate::ownership::applications_in(profile, ns)
        .into_iter()
        .filter_map(|app| {
            let groups: Vec<String> = app
                .owners
                .iter()
                .filter_map(|o| match gen_profile::Owner::parse(o) {
                    Some(gen_profile::Owner::Group(g)) => Some(g),
                    _ => None,
                })
                .collect();
            if groups.is_empty() {
                return None;
            }
            let role = format!("app-{}", app.name);
            let application = app_application(profile, &app.name);
            Some(ProjectRole {
                name: role.clone(),
                description: format!(
                    "Owners of application {}: view and sync its Argo CD Application {application}",
                    app.name
                ),
                policies: ["get", "sync"]
                    .iter()
                    .map(|action| {
                        format!(
                            "p, proj:{project}:{role}, applications, {action}, {project}/{application}, allow"
                        )
                    })
                    .collect(),
                groups,
            })
        })
        .collect()
}

/// The Argo CD Application that applies application `app`'s folder.
pub fn app_application(profile: &Profile, app: &str) -> String {
    format!("{}-app-{app}", profile.name)
}

fn with_roles(project: Manifest, roles: Vec<ProjectRole>) -> Manifest {
    match project {
        Manifest::AppProject(mut p) => {
            p.spec.roles = roles;
            Manifest::AppProject(p)
        }
        other => other,
    }
}

pub(super) fn dest(server: &str, ns: &str) -> Destination {
    Destination {
        server: server.to_string(),
        namespace: ns.to_string(),
    }
}

/// What differs between the Applications gen renders.
pub(super) struct AppShape<'a> {
    pub(super) name: String,
    pub(super) server: &'a str,
    pub(super) part_of: &'a str,
    pub(super) wave: Option<i32>,
    pub(super) project: &'a str,
    pub(super) namespace: &'a str,
    pub(super) source: AppSource,
    /// Custom resources whose CRDs another Application installs.
    pub(super) foreign_crds: bool,
    pub(super) create_namespace: bool,
    /// Delete the resources with the Application, and prune them.
    pub(super) prune: bool,
}

pub(super) fn application(a: AppShape) -> Manifest {
    let mut m = meta(&a.name, ARGOCD_NAMESPACE, a.part_of);
    if let Some(wave) = a.wave {
        m.annotations
            .insert(SYNC_WAVE.to_string(), wave.to_string());
    }
    m.finalizers.push(RESOURCES_FINALIZER.to_string());
    let mut sync_options = Vec::new();
    if a.create_namespace {
        sync_options.push("CreateNamespace=true".to_string());
    }
    sync_options.push("ServerSideApply=true".to_string());
    if a.foreign_crds {
        // The dry run of a custom resource whose CRD is not yet established fails the sync;
        // this skips it, and the apply is retried until the CRD is there.
        sync_options.push("SkipDryRunOnMissingResource=true".to_string());
    }
    Manifest::Application(Object::new(
        m,
        ApplicationSpec {
            project: a.project.to_string(),
            source: a.source,
            destination: dest(a.server, a.namespace),
            sync_policy: SyncPolicy {
                automated: Automated {
                    prune: a.prune,
                    self_heal: true,
                },
                sync_options,
                retry: Retry {
                    limit: RETRY_LIMIT,
                    backoff: Backoff {
                        duration: "5s".to_string(),
                        factor: 2,
                        max_duration: "3m".to_string(),
                    },
                },
            },
        },
    ))
}

impl GitOpsEngine for ArgoCd {
    fn engine(&self) -> gen_profile::Engine {
        gen_profile::Engine::Argocd
    }

    fn application_identity(&self, profile: &Profile, app: &str) -> super::AppIdentity {
        super::AppIdentity::ArgoCdApplication(app_application(profile, app))
    }

    fn order(&self) -> Option<Order> {
        Some(Order {
            mechanism: "Argo CD sync waves",
            steps: [
                "wave 0-1: Seldon CRDs and controller",
                "wave 2: SeldonRuntime and Servers",
                "wave 3: Models, Pipelines, Experiments",
            ],
        })
    }

    fn fleet(
        &self,
        ctx: &crate::engine::FleetContext,
    ) -> Result<Vec<crate::engine::FleetFile>, serde_saphyr::SerializeError> {
        super::fleet::argocd(ctx)
    }

    fn readme_facts(&self) -> std::collections::BTreeMap<&'static str, String> {
        [("retry_limit", RETRY_LIMIT.to_string())].into()
    }

    fn folders(&self, ctx: &Context) -> Vec<super::Folder> {
        let profile = ctx.profile;
        // Every Argo CD object lives in the hub's argocd namespace: in a fleet, the
        // cluster's name keeps each cluster's objects apart. The labels keep the profile's.
        let part = profile.name.as_str();
        let id = match ctx.cluster {
            Some(c) => format!("{part}-{}", c.name),
            None => part.to_string(),
        };
        let name = id.as_str();
        let server = ctx.cluster.map_or(IN_CLUSTER, |c| c.identity());
        let dest = |ns: &str| dest(server, ns);
        let repo = profile.gitops.repo_url.clone().unwrap_or_default();
        let revision = profile
            .gitops
            .revision
            .clone()
            .unwrap_or_else(|| "main".to_string());
        let controller_ns = profile.platform.namespace.as_str();
        let platform_project = match profile.pattern {
            Pattern::Shared => name.to_string(),
            Pattern::Dedicated => format!("{name}-platform"),
        };
        let mut objects = Vec::new();

        // The platform project installs the charts and applies the platform folder. The
        // CRDs chart brings CustomResourceDefinitions; the setup chart a ClusterRole and
        // ClusterRoleBinding only when clusterwide (seldon-core v2.10.2
        // k8s/helm-charts/seldon-core-v2-setup/templates/_components-statefulsets.tpl), and
        // otherwise namespaced kinds, which the platform project does not restrict.
        let mut platform_cluster = vec![
            gk("apiextensions.k8s.io", "CustomResourceDefinition"),
            gk("", "Namespace"),
        ];
        // The admission policies of the namespaces whose applications are confined to their
        // own objects come with the platform and tenant folders.
        if crate::ownership::any_confined(profile) {
            platform_cluster.push(gk(
                "admissionregistration.k8s.io",
                "ValidatingAdmissionPolicy",
            ));
            platform_cluster.push(gk(
                "admissionregistration.k8s.io",
                "ValidatingAdmissionPolicyBinding",
            ));
        }
        match profile.pattern {
            Pattern::Shared => {}
            Pattern::Dedicated => {
                platform_cluster.push(gk("rbac.authorization.k8s.io", "ClusterRole"));
                platform_cluster.push(gk("rbac.authorization.k8s.io", "ClusterRoleBinding"));
            }
        }
        // The platform project also applies the tenants' folders (Namespace, runtime,
        // Servers, quota, NetworkPolicies, owner RBAC): every Namespace of the bundle is
        // created here, the only project that may create Namespaces (a whitelist entry
        // cannot name one Namespace before Argo CD 3.3).
        // The kinds the profile admits for templates (templates.admit): the platform
        // project applies the platform and tenant folders, the application projects the
        // application folders. Admitted whether rendered or not, since prunes are checked
        // against the whitelist too.
        let granted = profile.template_grants();
        let with_granted = |mut kinds: Vec<GroupKind>, layers: &[&[gen_profile::GrantedKind]]| {
            for g in layers.iter().flat_map(|l| l.iter()) {
                let k = gk(&g.group, &g.kind);
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            kinds
        };
        let platform_admitted =
            with_granted(platform_kinds(), &[&granted.platform, &granted.tenants]);
        let app_admitted = with_granted(app_kinds(), &[&granted.apps]);
        let mut platform_destinations = vec![dest(controller_ns)];
        if profile.pattern == Pattern::Dedicated {
            platform_destinations.extend(profile.tenants.iter().map(|t| dest(&t.namespace)));
        }
        // The Kafka users and topics go where the Kafka cluster's operators watch.
        if let Some(k) = &profile.integrations.kafka {
            let d = dest(&k.namespace);
            if !platform_destinations.contains(&d) {
                platform_destinations.push(d);
            }
        }
        objects.push(project(
            &platform_project,
            part,
            format!("Seldon install, platform and tenant layers of bundle {name}"),
            Some(WAVE_PROJECTS),
            (
                vec![repo.clone(), super::ChartRepo::of(profile).argocd_url()],
                platform_destinations,
                platform_cluster,
                Some(platform_admitted),
            ),
        ));
        // The application layer: one project per runtime namespace (the shared one, or
        // each tenant's) that admits Models, Pipelines and Experiments in that namespace
        // and nothing else.
        let mut apps_project_of_ns: BTreeMap<String, String> = BTreeMap::new();
        match profile.pattern {
            Pattern::Shared => {
                let project_name = format!("{name}-apps");
                objects.push(with_roles(
                    project(
                        &project_name,
                        part,
                        format!("Application layer of bundle {name}: Models, Pipelines and Experiments in {controller_ns}"),
                        Some(WAVE_PROJECTS),
                        (vec![repo.clone()], vec![dest(controller_ns)], Vec::new(), Some(app_admitted.clone())),
                    ),
                    application_roles(profile, &project_name, controller_ns),
                ));
                apps_project_of_ns.insert(controller_ns.to_string(), project_name);
            }
            Pattern::Dedicated => {
                for t in &profile.tenants {
                    let project_name = format!("{name}-tenant-{}", t.name);
                    let roles = application_roles(profile, &project_name, &t.namespace);
                    objects.push(with_roles(project(
                        &project_name,
                        &t.name,
                        format!(
                            "Applications of tenant {} of bundle {name}: Models, Pipelines and Experiments in {} only",
                            t.name, t.namespace
                        ),
                        Some(WAVE_PROJECTS),
                        (
                            vec![repo.clone()],
                            vec![dest(&t.namespace)],
                            Vec::new(),
                            Some(app_admitted.clone()),
                        ),
                    ), roles));
                    apps_project_of_ns.insert(t.namespace.clone(), project_name);
                }
            }
        }

        for (wave, chart) in [(WAVE_CRDS, CRDS_CHART), (WAVE_SETUP, SETUP_CHART)] {
            let crds = chart == CRDS_CHART;
            objects.push(application(AppShape {
                name: format!(
                    "{name}-seldon-{}",
                    chart.trim_start_matches("seldon-core-v2-")
                ),
                server,
                part_of: part,
                wave: Some(wave),
                project: &platform_project,
                namespace: controller_ns,
                source: AppSource {
                    repo_url: super::ChartRepo::of(profile).argocd_url(),
                    target_revision: profile.seldon.version.to_string(),
                    path: None,
                    chart: Some(chart.to_string()),
                    helm: Some(HelmSource {
                        release_name: chart.to_string(),
                        values_object: (!crds).then(|| setup_values(profile)),
                    }),
                },
                // SeldonConfig and ServerConfigs need the CRDs Application's CRDs.
                foreign_crds: !crds,
                create_namespace: true,
                // CRDs are never pruned: a CRD that a chart version drops would take every
                // object of its kind with it. (Deletion never removes them either.)
                prune: !crds,
            }));
        }
        for f in ctx.workload {
            let (wave, app_name, project) = match f.layer {
                Layer::Platform => (
                    WAVE_RUNTIME,
                    format!("{name}-platform"),
                    platform_project.clone(),
                ),
                Layer::Tenant => (
                    WAVE_RUNTIME,
                    format!("{name}-tenant-{}", f.owner),
                    platform_project.clone(),
                ),
                Layer::Application => (
                    WAVE_APPS,
                    format!("{name}-app-{}", f.owner),
                    apps_project_of_ns
                        .get(&f.namespace)
                        .cloned()
                        .unwrap_or_default(),
                ),
                Layer::GitOps => continue,
            };
            objects.push(application(AppShape {
                name: app_name,
                server,
                part_of: &f.owner,
                wave: Some(wave),
                project: &project,
                namespace: &f.namespace,
                source: AppSource {
                    repo_url: repo.clone(),
                    target_revision: revision.clone(),
                    path: Some(ctx.repo.join(&f.path)),
                    chart: None,
                    helm: None,
                },
                foreign_crds: holds_seldon_objects(f),
                create_namespace: false,
                prune: true,
            }));
        }

        // Bootstrap: the root Application and its own project, which may only manage the
        // bundle's Applications and AppProjects in the Argo CD namespace (admins often lock
        // the `default` project down).
        let argocd_folder = match ctx.cluster {
            Some(c) => format!("argocd/{}", c.name),
            None => "argocd".to_string(),
        };
        if ctx.cluster.is_some() {
            // The fleet's ApplicationSet makes each cluster's root (the fleet layer, gitops/fleet.rs).
            return vec![folder(&argocd_folder, ARGOCD_NAMESPACE, part, objects)];
        }
        let bootstrap = bootstrap_project(profile);
        let boot_project = project(
            &bootstrap,
            name,
            format!("Bootstrap of bundle {name}: the root Application, which applies argocd/"),
            None,
            (
                vec![repo.clone()],
                vec![super::argocd::dest(IN_CLUSTER, ARGOCD_NAMESPACE)],
                Vec::new(),
                Some(vec![
                    gk("argoproj.io", "AppProject"),
                    gk("argoproj.io", "Application"),
                ]),
            ),
        );
        let root = application(AppShape {
            name: format!("{name}-root"),
            server: IN_CLUSTER,
            part_of: part,
            wave: None,
            project: &bootstrap,
            namespace: ARGOCD_NAMESPACE,
            source: AppSource {
                repo_url: repo,
                target_revision: revision,
                path: Some(ctx.repo.join("argocd")),
                chart: None,
                helm: None,
            },
            foreign_crds: false,
            create_namespace: false,
            prune: true,
        });
        vec![
            folder(&argocd_folder, ARGOCD_NAMESPACE, part, objects),
            folder(
                "bootstrap",
                ARGOCD_NAMESPACE,
                name,
                vec![boot_project, root],
            ),
        ]
    }
}
