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

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use gen_profile::{Engine, Pattern, Profile, Tenant};
use gen_seldon::Object;

use super::{
    CRDS_CHART, Context, FLUX_NAMESPACE, GitOpsEngine, Revision, SELDON_HELM_REPO, SETUP_CHART,
    folder, meta, of_layer, setup_values,
};
use crate::labels::labels;
use crate::manifest::Manifest;
use crate::plan::{Folder, Layer};
use gen_kinds::flux::*;

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

/// The service account that applies the applications in pattern shared.
pub fn apps_reconciler(profile: &Profile) -> String {
    format!("{}-apps", profile.name)
}

/// The service account (in flux-system) that applies a tenant's applications.
pub fn tenant_reconciler(profile: &Profile, tenant: &str) -> String {
    format!("{}-tenant-{tenant}", profile.name)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const WRITE: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];

fn flux_subject(name: String) -> Subject {
    Subject {
        kind: "ServiceAccount".to_string(),
        name,
        namespace: Some(FLUX_NAMESPACE.to_string()),
        api_group: None,
    }
}

/// What an application reconciler may do in its namespace: apply, wait for and prune
/// Models, Pipelines and Experiments; nothing else (owner RBAC is the platform's).
fn application_reconciler_rules() -> Vec<PolicyRule> {
    vec![PolicyRule {
        api_groups: Some(strings(&[super::SELDON_GROUP])),
        resources: Some(strings(&["experiments", "models", "pipelines"])),
        verbs: strings(WRITE),
        ..Default::default()
    }]
}

/// With Flux in pattern dedicated, a tenant's applications are applied by the tenant's own
/// service account, which may only manage Models, Pipelines and Experiments in the
/// tenant's namespace: a Role and RoleBinding there.
pub fn tenant_reconciler_rbac(profile: &Profile, tenant: &Tenant) -> Vec<Manifest> {
    match (profile.gitops.engine, profile.pattern) {
        (Engine::Flux, Pattern::Dedicated) => crate::plan::role_and_binding(
            "flux-tenant-reconciler",
            &tenant.namespace,
            &tenant.name,
            application_reconciler_rules(),
            vec![flux_subject(tenant_reconciler(profile, &tenant.name))],
        ),
        (Engine::Flux, Pattern::Shared) | (Engine::Argocd | Engine::None, _) => Vec::new(),
    }
}

/// With Flux in pattern shared, the applications are applied by one service account that
/// may only manage Models, Pipelines and Experiments in the platform namespace.
pub fn apps_reconciler_rbac(profile: &Profile) -> Vec<Manifest> {
    match (profile.gitops.engine, profile.pattern) {
        (Engine::Flux, Pattern::Shared) => crate::plan::role_and_binding(
            "flux-apps-reconciler",
            &profile.platform.namespace,
            &profile.name,
            application_reconciler_rules(),
            vec![flux_subject(apps_reconciler(profile))],
        ),
        (Engine::Flux, Pattern::Dedicated) | (Engine::Argocd | Engine::None, _) => Vec::new(),
    }
}

fn service_account(name: String, part_of: &str) -> Manifest {
    Manifest::ServiceAccount(ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(FLUX_NAMESPACE.to_string()),
            labels: Some(labels(part_of, "gitops", None)),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(strings(groups)),
        resources: Some(strings(resources)),
        verbs: strings(verbs),
        ..Default::default()
    }
}

/// The rules of the Roles the setup chart creates in its namespace, as the chart writes
/// them (seldon-core v2.10.2 `k8s/helm-charts/seldon-core-v2-setup/templates/
/// _components-statefulsets.tpl`: `seldon-v2-manager-role`, `seldon-v2-leader-election-role`,
/// `seldon-v2-manager-tls-role`; the ClusterRole `seldon-v2-manager-role` of a clusterwide
/// install has the manager rules). The account that installs the chart must hold every one
/// of them, even the chart's rules for the API group `v1` (which does not exist): Kubernetes
/// lets an account create a Role only with rules it holds itself.
pub fn setup_chart_manager_rules() -> Vec<PolicyRule> {
    let seldon = [
        "experiments",
        "models",
        "pipelines",
        "seldonconfigs",
        "seldonruntimes",
        "serverconfigs",
        "servers",
    ];
    let sub =
        |suffix: &str| -> Vec<String> { seldon.iter().map(|r| format!("{r}/{suffix}")).collect() };
    let sub_rule = |suffix: &str, verbs: &[&str]| PolicyRule {
        api_groups: Some(strings(&[super::SELDON_GROUP])),
        resources: Some(sub(suffix)),
        verbs: strings(verbs),
        ..Default::default()
    };
    vec![
        rule(
            &[""],
            &["configmaps", "secrets", "serviceaccounts", "services"],
            WRITE,
        ),
        rule(&[""], &["events"], &["create", "patch"]),
        rule(&["apps"], &["deployments", "statefulsets"], WRITE),
        rule(
            &["apps"],
            &["deployments/status", "statefulsets/status"],
            &["get"],
        ),
        rule(
            &["discovery.k8s.io"],
            &["endpointslices"],
            &["list", "watch"],
        ),
        rule(&[super::SELDON_GROUP], &seldon, WRITE),
        sub_rule("finalizers", &["update"]),
        sub_rule("status", &["get", "patch", "update"]),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            WRITE,
        ),
        rule(&["v1"], &["serviceaccounts", "services"], WRITE),
        rule(&["v1"], &["services/status"], &["get"]),
    ]
}

/// The setup chart's two other Roles: leader election and reading TLS secrets.
fn setup_chart_other_rules() -> Vec<PolicyRule> {
    vec![
        rule(&[""], &["configmaps"], WRITE),
        rule(&["coordination.k8s.io"], &["leases"], WRITE),
        rule(&[""], &["events"], &["create", "patch"]),
        rule(&[""], &["secrets"], &["get", "list", "watch"]),
    ]
}

/// Drop rules that repeat an earlier one.
fn dedup_rules(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    for r in rules {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn cluster_role(name: &str, part_of: &str, rules: Vec<PolicyRule>) -> Vec<Manifest> {
    let meta = || ObjectMeta {
        name: Some(name.to_string()),
        labels: Some(labels(part_of, "rbac", None)),
        ..Default::default()
    };
    vec![
        Manifest::ClusterRole(ClusterRole {
            metadata: meta(),
            rules: Some(rules),
            ..Default::default()
        }),
        Manifest::ClusterRoleBinding(ClusterRoleBinding {
            metadata: meta(),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_string(),
                kind: "ClusterRole".to_string(),
                name: name.to_string(),
            },
            subjects: Some(vec![flux_subject(name.to_string())]),
        }),
    ]
}

/// Every kind gen may render into a runtime namespace's platform or tenant folder, whether
/// or not the profile renders it today (a kind that goes away must still be pruned).
const RUNTIME_FOLDER_KINDS: &[(&str, &str)] = &[
    ("", "limitranges"),
    ("", "resourcequotas"),
    ("mlops.seldon.io", "seldonruntimes"),
    ("mlops.seldon.io", "servers"),
    ("networking.k8s.io", "networkpolicies"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "roles"),
];

/// What the platform account must hold in each namespace it applies the platform and
/// tenant folders to: every verb of applying and pruning each kind that may be there
/// (those of a runtime namespace, and any other it finds), plus every rule of the Roles it
/// creates there (the owner and reconciler Roles), since Kubernetes lets it grant only
/// what it holds.
fn platform_rules(
    profile: &Profile,
    workload: &[Folder],
) -> std::collections::BTreeMap<String, Vec<PolicyRule>> {
    use std::collections::{BTreeMap, BTreeSet};
    /// Per namespace: the resources applied there by API group, and the rules held.
    type Needs<'a> = (BTreeMap<&'a str, BTreeSet<&'a str>>, Vec<PolicyRule>);
    let mut by_ns: BTreeMap<String, Needs> = BTreeMap::new();
    for f in of_layer(workload, Layer::Platform).chain(of_layer(workload, Layer::Tenant)) {
        for object in f.objects(profile) {
            let Some(ns) = object.namespace() else {
                continue;
            };
            let (kinds, held) = by_ns.entry(ns.to_string()).or_default();
            if matches!(&*object, Manifest::SeldonRuntime(_)) {
                for (group, resource) in RUNTIME_FOLDER_KINDS {
                    kinds.entry(group).or_default().insert(resource);
                }
                held.extend(crate::plan::seldon_editor_rules());
                held.extend(application_reconciler_rules());
            }
            let (group, resource) = object.resource();
            kinds.entry(group).or_default().insert(resource);
            if let Manifest::Role(role) = &*object {
                held.extend(role.rules.clone().unwrap_or_default());
            }
        }
    }
    by_ns
        .into_iter()
        .map(|(ns, (kinds, held))| {
            let mut rules: Vec<PolicyRule> = kinds
                .into_iter()
                .map(|(group, resources)| {
                    rule(&[group], &resources.into_iter().collect::<Vec<_>>(), WRITE)
                })
                .collect();
            rules.extend(held);
            (ns, dedup_rules(rules))
        })
        .collect()
}

/// The accounts an administrator creates with the bootstrap, each with only what it
/// applies:
/// - `<name>-root` applies `flux/`: Kustomizations and service accounts in flux-system;
/// - `<name>-install` applies `flux/install/`: the HelmRepository and HelmReleases;
/// - `<name>-seldon-crds` installs the CRDs chart: CustomResourceDefinitions, and the
///   Helm release Secrets in flux-system, where that release is stored;
/// - `<name>-seldon-setup` installs the setup chart into the controller namespace (its
///   release is stored there too): the kinds the chart creates, the ReplicaSets Helm reads
///   while it waits for the controller Deployment, and every rule of the chart's Roles
///   (held, so it may create them); clusterwide, the chart's ClusterRole and
///   ClusterRoleBinding and the manager rules cluster-wide;
/// - `<name>-platform` applies the platform and tenant folders: in each of their namespaces
///   the kinds it applies and the rules of the Roles it creates.
///
/// The namespaced grants live in the namespaces they grant in, which therefore come with
/// the bootstrap (`bootstrap/namespaces/<namespace>/`, with the Namespace itself): no
/// account of the bundle may create or delete Namespaces.
fn bootstrap_accounts(profile: &Profile) -> Vec<Manifest> {
    let name = profile.name.as_str();
    let mut objects = Vec::new();
    for sa in [
        root_reconciler(profile),
        install_reconciler(profile),
        crds_reconciler(profile),
        setup_reconciler(profile),
        platform_reconciler(profile),
    ] {
        objects.push(service_account(sa, name));
    }
    let in_flux_system = |sa: String, rules: Vec<PolicyRule>| {
        crate::plan::role_and_binding(
            &sa,
            FLUX_NAMESPACE,
            name,
            rules,
            vec![flux_subject(sa.clone())],
        )
    };
    objects.extend(in_flux_system(
        root_reconciler(profile),
        vec![
            rule(&["kustomize.toolkit.fluxcd.io"], &["kustomizations"], WRITE),
            rule(&[""], &["serviceaccounts"], WRITE),
        ],
    ));
    objects.extend(in_flux_system(
        install_reconciler(profile),
        vec![
            rule(&["helm.toolkit.fluxcd.io"], &["helmreleases"], WRITE),
            rule(&["source.toolkit.fluxcd.io"], &["helmrepositories"], WRITE),
        ],
    ));
    objects.extend(in_flux_system(
        crds_reconciler(profile),
        vec![rule(&[""], &["secrets"], WRITE)],
    ));
    objects.extend(cluster_role(
        &crds_reconciler(profile),
        name,
        vec![rule(
            &["apiextensions.k8s.io"],
            &["customresourcedefinitions"],
            WRITE,
        )],
    ));
    if profile.pattern == Pattern::Dedicated {
        let mut rules = vec![rule(
            &["rbac.authorization.k8s.io"],
            &["clusterrolebindings", "clusterroles"],
            WRITE,
        )];
        rules.extend(setup_chart_manager_rules());
        objects.extend(cluster_role(&setup_reconciler(profile), name, rules));
    }
    objects
}

/// The rules of the setup chart's account in the controller namespace.
fn setup_rules() -> Vec<PolicyRule> {
    let mut rules = vec![
        rule(&[""], &["configmaps", "secrets", "serviceaccounts"], WRITE),
        rule(&["apps"], &["deployments"], WRITE),
        rule(&["apps"], &["replicasets"], &["get", "list", "watch"]),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            WRITE,
        ),
        rule(
            &[super::SELDON_GROUP],
            &["seldonconfigs", "serverconfigs"],
            WRITE,
        ),
    ];
    rules.extend(setup_chart_manager_rules());
    rules.extend(setup_chart_other_rules());
    dedup_rules(rules)
}

/// One folder per namespace the bundle manages, `bootstrap/namespaces/<namespace>/`: the
/// Namespace, and the Roles of the platform and setup accounts there.
fn bootstrap_namespaces(profile: &Profile, workload: &[Folder]) -> Vec<Folder> {
    let controller_ns = profile.platform.namespace.as_str();
    let mut platform = platform_rules(profile, workload);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in of_layer(workload, Layer::Platform).chain(of_layer(workload, Layer::Tenant)) {
        let ns = f.namespace.as_str();
        if !seen.insert(ns) {
            continue;
        }
        let mut objects = vec![crate::plan::namespace(ns, &f.owner, &profile.security)];
        if ns == controller_ns {
            let sa = setup_reconciler(profile);
            objects.extend(crate::plan::role_and_binding(
                &sa,
                ns,
                &profile.name,
                setup_rules(),
                vec![flux_subject(sa.clone())],
            ));
        }
        if let Some(rules) = platform.remove(ns) {
            let sa = platform_reconciler(profile);
            objects.extend(crate::plan::role_and_binding(
                &sa,
                ns,
                &f.owner,
                rules,
                vec![flux_subject(sa.clone())],
            ));
        }
        out.push(folder(
            &format!("bootstrap/namespaces/{ns}"),
            ns,
            &f.owner,
            objects,
        ));
    }
    out
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
    fn folders(&self, ctx: &Context) -> Vec<Folder> {
        let profile = ctx.profile;
        let name = profile.name.as_str();
        let controller_ns = profile.platform.namespace.as_str();
        let platform_sa = platform_reconciler(profile);
        let helm_repo = format!("{name}-seldon");
        let mut install = vec![Manifest::HelmRepository(Object::new(
            meta(&helm_repo, FLUX_NAMESPACE, name),
            HelmRepositorySpec {
                url: SELDON_HELM_REPO.to_string(),
                interval: "60m".to_string(),
                provider: "generic",
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
                matches!(e, crate::plan::Entry::Object(m) if matches!(**m, Manifest::SeldonRuntime(_)))
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
                Layer::Tenant => tenant_reconciler(profile, owner),
                Layer::Platform | Layer::Application | Layer::GitOps => apps_reconciler(profile),
            };
            layers.push(kustomization(
                format!("{name}-app-{}", f.owner),
                ctx.repo.join(&f.path),
                depends(runtime),
                account,
                Vec::new(),
            ));
        }
        match profile.pattern {
            Pattern::Shared => layers.push(service_account(apps_reconciler(profile), name)),
            Pattern::Dedicated => {
                for t in &profile.tenants {
                    layers.push(service_account(
                        tenant_reconciler(profile, &t.name),
                        &t.name,
                    ));
                }
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
