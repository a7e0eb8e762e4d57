//! Flux: a HelmRepository and two HelmReleases in `flux/install/`, one Kustomization per
//! workload folder chained with `dependsOn`, the service accounts they run as, and in
//! `bootstrap/` the GitRepository, the root Kustomization and the accounts that only an
//! administrator can create.
//!
//! Facts this relies on (fluxcd, Flux 2.5 and later):
//! - `healthCheckExprs` (kustomize-controller v1.5.0) are CEL over the object's top-level
//!   fields; `current` true means healthy, anything else (false, or an evaluation error such
//!   as a missing `status`) leaves the object in progress (fluxcd/pkg
//!   `runtime/cel/status_evaluator.go`).
//! - `dependsOn` waits for the other Kustomization to be Ready at the same revision, so one
//!   Kustomization per tenant keeps a broken tenant from holding back the others.
//! - With `--default-service-account`, an object without `serviceAccountName` impersonates
//!   `default` in its own namespace; every Kustomization and HelmRelease here names one.
//! - `install.remediation.retries` / `upgrade.remediation.retries` default to 0 (one failure
//!   stalls the release until its spec changes); a negative value retries without limit
//!   (helm-controller `api/v2/helmrelease_types.go` RetriesExhausted).
//! - Helm keeps an object annotated `helm.sh/resource-policy: keep` on uninstall and upgrade
//!   (helm `pkg/action/resource_policy.go` filterManifestsToKeep), and the manifest it
//!   stores, which uninstall reads, is the post-rendered one (`pkg/action/action.go`
//!   renderResources runs the post-renderer; helm-controller passes `postRenderers` to it,
//!   `internal/action/install.go`, `upgrade.go`).
//! - helm-controller and kustomize-controller act as the named service account
//!   (impersonation) for everything, Helm's release storage included
//!   (helm-controller `internal/kube/client.go` WithImpersonate); the release is stored in
//!   `storageNamespace`, default the HelmRelease's namespace (`GetStorageNamespace`), and a
//!   change of it reinstalls the release (`internal/action/verify.go` ReleaseTargetChanged).
//! - Kubernetes lets an account create a Role or ClusterRole only with rules it holds
//!   itself (or with `escalate`, which cannot be limited on create), and bind one only if
//!   it holds its rules (or `bind`): the accounts that create Roles hold their rules.

use gen_profile::{Engine, Pattern, Profile, Tenant};
use gen_seldon::Object;

use super::{
    AppIdentity, CRDS_CHART, Context, FLUX_NAMESPACE, GitOpsEngine, Order, Revision, SETUP_CHART,
    folder, meta, of_layer, setup_values,
};
use crate::folder::{Folder, Layer};
use crate::manifest::Manifest;
use gen_kinds::flux::*;

mod accounts;
use accounts::*;

#[derive(Debug)]
pub struct Flux;

/// Bound of each Helm action, including Helm's wait for the controller Deployment: room
/// for a first image pull on a new node.
pub const HELM_TIMEOUT: &str = "10m";

/// Attempts at a failed upgrade before the release rolls back to its last good revision and
/// waits for a new spec.
pub const UPGRADE_RETRIES: i64 = 3;

/// The health of a SeldonRuntime: its scheduler and envoy are ready. `Ready` is no use: it
/// also waits for hodometer, which gen disables, so it never turns True (FACTS §9.5). Both
/// conditions must exist and be True; a runtime without them (no status yet, or only some
/// conditions) is in progress.
pub const RUNTIME_HEALTH: &str = "has(status.conditions) && status.conditions.exists(c, c.type == 'SchedulerReady' && c.status == 'True') && status.conditions.exists(c, c.type == 'EnvoyReady' && c.status == 'True')";

/// The service account (in flux-system) of the root Kustomization: it applies `flux/`.
pub fn root_reconciler(profile: &Profile) -> String {
    format!("{}-root", profile.name)
}

/// The service account (in flux-system) of `<name>-seldon-install`: it applies
/// `flux/install`, the HelmRepository and the HelmReleases.
pub fn install_reconciler(profile: &Profile) -> String {
    format!("{}-install", profile.name)
}

/// The service account helm-controller installs the CRDs chart as.
pub fn crds_reconciler(profile: &Profile) -> String {
    format!("{}-seldon-crds", profile.name)
}

/// The service account helm-controller installs the setup chart (the controller) as.
pub fn setup_reconciler(profile: &Profile) -> String {
    format!("{}-seldon-setup", profile.name)
}

/// The service account that applies the platform and tenant folders.
pub fn platform_reconciler(profile: &Profile) -> String {
    format!("{}-platform", profile.name)
}

/// The service account that applies one application where applications share a namespace
/// (pattern shared; a dedicated tenant with `isolateApplications`).
pub fn app_reconciler(profile: &Profile, app: &str) -> String {
    format!("{}-app-{app}", profile.name)
}

/// The service account (in flux-system) that applies a tenant's applications.
pub fn tenant_reconciler(profile: &Profile, tenant: &str) -> String {
    format!("{}-tenant-{tenant}", profile.name)
}

/// The post-renderer that marks every CRD of a chart `helm.sh/resource-policy: keep`: the
/// Seldon CRDs are chart templates, and without it an uninstall (a renamed HelmRelease, a
/// changed namespace, a deleted bundle) deletes them and every Seldon object with them.
fn keep_crds() -> PostRenderer {
    let patch = MetadataPatch {
        api_version: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: PatchMetadata {
            name: "seldon-crds".to_string(),
            annotations: [("helm.sh/resource-policy".to_string(), "keep".to_string())].into(),
        },
    };
    PostRenderer {
        kustomize: PostRenderKustomize {
            patches: vec![KustomizePatch {
                target: PatchTarget {
                    group: "apiextensions.k8s.io".to_string(),
                    kind: "CustomResourceDefinition".to_string(),
                },
                // Serializing a struct of strings cannot fail.
                patch: serde_saphyr::LitString(crate::yaml::to_yaml(&patch).unwrap_or_default()),
            }],
        },
    }
}

fn git_ref(profile: &Profile) -> GitRef {
    match Revision::of(profile) {
        Revision::Branch(b) => GitRef {
            branch: Some(b),
            ..GitRef::default()
        },
        Revision::Tag(t) => GitRef {
            tag: Some(t),
            ..GitRef::default()
        },
        Revision::Name(n) => GitRef {
            name: Some(n),
            ..GitRef::default()
        },
        Revision::Commit(c) => GitRef {
            commit: Some(c),
            ..GitRef::default()
        },
    }
}

fn depends(name: &str) -> Vec<DependsOn> {
    vec![DependsOn {
        name: name.to_string(),
        namespace: FLUX_NAMESPACE.to_string(),
    }]
}

impl GitOpsEngine for Flux {
    fn fleet(
        &self,
        ctx: &crate::engine::FleetContext,
    ) -> Result<Vec<crate::engine::FleetFile>, serde_saphyr::SerializeError> {
        super::fleet::flux(ctx)
    }

    fn engine(&self) -> Engine {
        Engine::Flux
    }

    fn check(&self, profile: &Profile) -> Vec<gen_profile::Diagnostic> {
        super::check_revision(profile).into_iter().collect()
    }

    /// The bootstrap creates the Namespaces, so that the platform's accounts can be bound
    /// in them before anything is applied.
    fn namespaces_in_folders(&self) -> bool {
        false
    }

    /// With Flux the applications are applied by a service account of their own: one per
    /// tenant in pattern dedicated, holding only the Seldon application kinds in its
    /// namespace; one per application where applications share a namespace, holding only
    /// its own objects there.
    fn folder_access(&self, profile: &Profile, tenant: Option<&Tenant>) -> Vec<Manifest> {
        match (profile.pattern, tenant) {
            (Pattern::Dedicated, Some(t)) if t.isolate_applications => {
                app_reconciler_rbac(profile, &t.namespace)
            }
            (Pattern::Dedicated, Some(t)) => tenant_reconciler_rbac(profile, t),
            (Pattern::Shared, None) => app_reconciler_rbac(profile, &profile.platform.namespace),
            (Pattern::Dedicated, None) | (Pattern::Shared, Some(_)) => Vec::new(),
        }
    }

    fn application_identity(&self, profile: &Profile, app: &str) -> AppIdentity {
        let ns = profile
            .applications
            .iter()
            .zip(gen_profile::check::application_namespaces(profile))
            .find(|(a, _)| a.name == app)
            .and_then(|(_, ns)| ns);
        let account = match (ns, profile.pattern) {
            (Some(ns), _) if crate::ownership::confines(profile, ns) => {
                app_reconciler(profile, app)
            }
            (_, Pattern::Dedicated) => {
                let tenant = profile
                    .applications
                    .iter()
                    .find(|a| a.name == app)
                    .and_then(|a| a.tenant.as_deref())
                    .unwrap_or_default();
                tenant_reconciler(profile, tenant)
            }
            (_, Pattern::Shared) => app_reconciler(profile, app),
        };
        AppIdentity::ServiceAccount(format!("system:serviceaccount:{FLUX_NAMESPACE}:{account}"))
    }

    fn order(&self) -> Option<Order> {
        Some(Order {
            mechanism: "Flux dependsOn",
            steps: [
                "seldon-install: CRDs and controller",
                "platform and tenants: SeldonRuntime and Servers",
                "apps: Models, Pipelines, Experiments",
            ],
        })
    }

    fn readme_facts(&self) -> std::collections::BTreeMap<&'static str, String> {
        [
            ("runtime_health", RUNTIME_HEALTH.to_string()),
            ("upgrade_retries", UPGRADE_RETRIES.to_string()),
            ("helm_timeout", HELM_TIMEOUT.to_string()),
        ]
        .into()
    }

    /// One Flux per cluster, each applying the environment's folders from its own
    /// `clusters/<cluster>/` entry: the folders do not depend on the cluster.
    fn folders_per_cluster(&self) -> bool {
        false
    }

    fn folders(&self, ctx: &Context) -> Vec<Folder> {
        let profile = ctx.profile;
        let name = profile.name.as_str();
        let controller_ns = profile.platform.namespace.as_str();
        let platform_sa = platform_reconciler(profile);
        let helm_repo = format!("{name}-seldon");
        let mut install = vec![Manifest::HelmRepository(Object::new(
            meta(&helm_repo, FLUX_NAMESPACE, name),
            {
                let charts = super::ChartRepo::of(profile);
                HelmRepositorySpec {
                    url: charts.url,
                    interval: "60m".to_string(),
                    provider: "generic",
                    kind: charts.oci.then_some("oci"),
                    secret_ref: profile
                        .integrations
                        .registry
                        .as_ref()
                        .and_then(|r| r.charts_secret_name.clone())
                        .map(|name| gen_kinds::flux::SecretRef { name }),
                }
            },
        ))];
        let crds_release = format!("{name}-{CRDS_CHART}");
        for chart in [CRDS_CHART, SETUP_CHART] {
            let crds = chart == CRDS_CHART;
            install.push(Manifest::HelmRelease(Object::new(
                meta(&format!("{name}-{chart}"), FLUX_NAMESPACE, name),
                HelmReleaseSpec {
                    interval: "60m".to_string(),
                    release_name: chart.to_string(),
                    // The CRDs are cluster-scoped: their release stays in flux-system, so a
                    // change of platform.namespace (which would uninstall a release and
                    // install it elsewhere) does not touch it.
                    target_namespace: (!crds).then(|| controller_ns.to_string()),
                    // The setup release is stored in its own namespace, so its account
                    // needs no Secrets in flux-system.
                    storage_namespace: (!crds).then(|| controller_ns.to_string()),
                    service_account_name: if crds {
                        crds_reconciler(profile)
                    } else {
                        setup_reconciler(profile)
                    },
                    timeout: HELM_TIMEOUT.to_string(),
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
                    depends_on: if crds {
                        Vec::new()
                    } else {
                        depends(&crds_release)
                    },
                    install: HelmInstall {
                        crds: "Create",
                        // The bootstrap creates the controller namespace.
                        create_namespace: false,
                        // A first install waits for prerequisites (the CRDs release, image
                        // pulls): keep trying, with an uninstall between attempts.
                        remediation: InstallRemediation { retries: -1 },
                    },
                    upgrade: HelmUpgrade {
                        crds: "CreateReplace",
                        // A few attempts, then back to the last good release.
                        remediation: UpgradeRemediation {
                            retries: UPGRADE_RETRIES,
                            remediate_last_failure: true,
                            strategy: "rollback",
                        },
                    },
                    post_renderers: if crds { vec![keep_crds()] } else { Vec::new() },
                    values: (!crds).then(|| setup_values(profile)),
                },
            )));
        }
        let source = SourceRef {
            kind: "GitRepository",
            name: name.to_string(),
            namespace: FLUX_NAMESPACE.to_string(),
        };
        let kustomization = |k_name: String,
                             path: String,
                             depends_on: Vec<DependsOn>,
                             account: String,
                             checks: Vec<HealthCheckExpr>| {
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
                    service_account_name: account,
                    depends_on,
                    health_check_exprs: checks,
                },
            ))
        };
        let runtime_health = |f: &Folder| {
            let has_runtime = f.entries.iter().any(|e| {
                matches!(e, crate::folder::Entry::Object(m) if matches!(**m, Manifest::SeldonRuntime(_)))
            });
            if has_runtime {
                vec![HealthCheckExpr {
                    api_version: gen_seldon::API_VERSION.to_string(),
                    kind: "SeldonRuntime".to_string(),
                    current: RUNTIME_HEALTH.to_string(),
                }]
            } else {
                Vec::new()
            }
        };
        let mut layers = Vec::new();
        let install_name = format!("{name}-seldon-install");
        layers.push(kustomization(
            install_name.clone(),
            ctx.repo.join("flux/install"),
            Vec::new(),
            install_reconciler(profile),
            Vec::new(),
        ));
        // The runtime folders (platform, and each tenant): after the install, independent
        // of one another.
        let mut runtime_of_ns = std::collections::BTreeMap::new();
        for f in
            of_layer(ctx.workload, Layer::Platform).chain(of_layer(ctx.workload, Layer::Tenant))
        {
            let k_name = match f.layer {
                Layer::Tenant => format!("{name}-tenant-{}", f.owner),
                Layer::Platform | Layer::Application | Layer::GitOps => format!("{name}-platform"),
            };
            // The first folder of a namespace, as the plan orders them.
            runtime_of_ns.entry(f.namespace.clone()).or_insert((
                k_name.clone(),
                f.owner.clone(),
                f.layer,
            ));
            layers.push(kustomization(
                k_name,
                ctx.repo.join(&f.path),
                depends(&install_name),
                platform_sa.clone(),
                runtime_health(f),
            ));
        }
        // One Kustomization per application, after its own runtime folder, applied by its
        // tenant's account (dedicated) or the applications' account (shared).
        for f in of_layer(ctx.workload, Layer::Application) {
            let Some((runtime, owner, layer)) = runtime_of_ns.get(&f.namespace) else {
                continue;
            };
            let account = match layer {
                _ if crate::ownership::confines(profile, &f.namespace) => {
                    app_reconciler(profile, &f.owner)
                }
                Layer::Tenant => tenant_reconciler(profile, owner),
                Layer::Platform | Layer::Application | Layer::GitOps => {
                    app_reconciler(profile, &f.owner)
                }
            };
            layers.push(kustomization(
                format!("{name}-app-{}", f.owner),
                ctx.repo.join(&f.path),
                depends(runtime),
                account,
                Vec::new(),
            ));
        }
        if profile.pattern == Pattern::Dedicated {
            for t in profile.tenants.iter().filter(|t| !t.isolate_applications) {
                layers.push(service_account(
                    tenant_reconciler(profile, &t.name),
                    &t.name,
                ));
            }
        }
        for f in of_layer(ctx.workload, Layer::Application) {
            if crate::ownership::confines(profile, &f.namespace) {
                layers.push(service_account(app_reconciler(profile, &f.owner), &f.owner));
            }
        }
        let git = Manifest::GitRepository(Object::new(
            meta(name, FLUX_NAMESPACE, name),
            GitRepositorySpec {
                url: profile.gitops.repo_url.clone().unwrap_or_default(),
                interval: "5m".to_string(),
                timeout: "60s",
                reference: git_ref(profile),
            },
        ));
        let root = kustomization(
            format!("{name}-root"),
            ctx.repo.join("flux"),
            Vec::new(),
            root_reconciler(profile),
            Vec::new(),
        );
        let mut bootstrap = vec![git, root];
        bootstrap.extend(bootstrap_accounts(profile));
        let mut folders = vec![
            folder("flux", FLUX_NAMESPACE, name, layers),
            folder("flux/install", FLUX_NAMESPACE, name, install),
            folder("bootstrap", FLUX_NAMESPACE, name, bootstrap),
        ];
        folders.extend(bootstrap_namespaces(profile, ctx.workload));
        folders
    }
}
