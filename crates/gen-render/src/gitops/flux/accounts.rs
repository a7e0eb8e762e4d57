//! The accounts Flux acts as: one service account per reconciler, with exactly the rules
//! the objects of its folders need, and the Roles and ClusterRoles that only an
//! administrator can create, rendered in `bootstrap/` (see the parent module for the
//! impersonation and escalation facts this relies on).

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use gen_profile::{Pattern, Profile, Tenant};

use super::*;
use crate::folder::{Folder, Layer};
use crate::labels::labels;
use crate::manifest::Manifest;
use crate::objects::namespace::namespace;
use crate::objects::rbac::{role_and_binding, seldon_editor_rules};

pub(super) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(super) const WRITE: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];

pub(super) fn flux_subject(name: String) -> Subject {
    Subject {
        kind: "ServiceAccount".to_string(),
        name,
        namespace: Some(FLUX_NAMESPACE.to_string()),
        api_group: None,
    }
}

/// What an application reconciler may do in its namespace: apply, wait for and prune
/// Models, Pipelines and Experiments, and the kinds the profile admits for the
/// applications' templates (`templates.admit.apps`); nothing else (owner RBAC is the
/// platform's).
pub(super) fn application_reconciler_rules(profile: &Profile) -> Vec<PolicyRule> {
    let mut rules = vec![PolicyRule {
        api_groups: Some(strings(&[crate::gitops::SELDON_GROUP])),
        resources: Some(strings(&["experiments", "models", "pipelines"])),
        verbs: strings(WRITE),
        ..Default::default()
    }];
    rules.extend(template_rules(profile));
    rules
}

/// Write access to the kinds the profile admits for the applications' templates.
pub(super) fn template_rules(profile: &Profile) -> Vec<PolicyRule> {
    let mut rules = Vec::new();
    let granted = profile.template_grants();
    let mut by_group: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for g in &granted.apps {
        by_group.entry(&g.group).or_default().push(&g.plural);
    }
    for (group, resources) in by_group {
        rules.push(rule(&[group], &resources, WRITE));
    }
    rules
}

/// With Flux in pattern dedicated, a tenant's applications are applied by the tenant's own
/// service account, which may only manage Models, Pipelines and Experiments in the
/// tenant's namespace: a Role and RoleBinding there.
pub(super) fn tenant_reconciler_rbac(profile: &Profile, tenant: &Tenant) -> Vec<Manifest> {
    role_and_binding(
        "flux-tenant-reconciler",
        &tenant.namespace,
        &tenant.name,
        application_reconciler_rules(profile),
        vec![flux_subject(tenant_reconciler(profile, &tenant.name))],
    )
}

/// Where applications share a namespace (pattern shared; a dedicated tenant with
/// `isolateApplications`), each is applied by a service account of its own, whose Role
/// there lets it patch and update only its application's objects by name. It creates,
/// reads and deletes unnamed: RBAC cannot name the object of a create; kustomize-controller
/// reads an object before it prunes it and prunes objects the profile no longer has (which
/// a Role of today's names would no longer name), and its health checks read too. The
/// namespace's admission policy admits its creates, updates and deletes only for its own
/// application's objects (and deletes of objects of no current application).
pub(super) fn app_reconciler_rbac(profile: &Profile, ns: &str) -> Vec<Manifest> {
    let mut out = Vec::new();
    for app in crate::ownership::applications_in(profile, ns) {
        let mut rules = vec![rule(
            &[crate::gitops::SELDON_GROUP],
            &["experiments", "models", "pipelines"],
            &["create", "delete", "get", "list", "watch"],
        )];
        // The kinds the profile admits for the applications' templates, by kind only:
        // their objects are not named in the profile.
        rules.extend(template_rules(profile));
        for (resource, names) in crate::ownership::object_names(app) {
            rules.push(PolicyRule {
                api_groups: Some(strings(&[crate::gitops::SELDON_GROUP])),
                resources: Some(vec![resource.to_string()]),
                resource_names: Some(names),
                verbs: strings(&["patch", "update"]),
                ..Default::default()
            });
        }
        out.extend(role_and_binding(
            &format!("flux-app-{}", app.name),
            ns,
            &app.name,
            rules,
            vec![flux_subject(app_reconciler(profile, &app.name))],
        ));
    }
    out
}

pub(super) fn service_account(name: String, part_of: &str) -> Manifest {
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

pub(super) fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
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
        api_groups: Some(strings(&[crate::gitops::SELDON_GROUP])),
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
        rule(&[crate::gitops::SELDON_GROUP], &seldon, WRITE),
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
pub(super) fn setup_chart_other_rules() -> Vec<PolicyRule> {
    vec![
        rule(&[""], &["configmaps"], WRITE),
        rule(&["coordination.k8s.io"], &["leases"], WRITE),
        rule(&[""], &["events"], &["create", "patch"]),
        rule(&[""], &["secrets"], &["get", "list", "watch"]),
    ]
}

/// Drop rules that repeat an earlier one.
pub(super) fn dedup_rules(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    for r in rules {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

pub(super) fn cluster_role(name: &str, part_of: &str, rules: Vec<PolicyRule>) -> Vec<Manifest> {
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
pub(super) const RUNTIME_FOLDER_KINDS: &[(&str, &str)] = &[
    ("", "limitranges"),
    ("", "resourcequotas"),
    ("external-secrets.io", "externalsecrets"),
    ("gateway.networking.k8s.io", "httproutes"),
    ("mlops.seldon.io", "seldonruntimes"),
    ("mlops.seldon.io", "servers"),
    ("monitoring.coreos.com", "podmonitors"),
    ("monitoring.coreos.com", "prometheusrules"),
    ("networking.k8s.io", "networkpolicies"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "roles"),
];

/// What the platform account must hold in each namespace it applies the platform and
/// tenant folders to: every verb of applying and pruning each kind that may be there
/// (those of a runtime namespace, and any other it finds), plus every rule of the Roles it
/// creates there (the owner and reconciler Roles), since Kubernetes lets it grant only
/// what it holds.
pub(super) fn platform_rules(
    profile: &Profile,
    workload: &[Folder],
) -> std::collections::BTreeMap<String, Vec<PolicyRule>> {
    use std::collections::{BTreeMap, BTreeSet};
    /// Per namespace: the resources applied there by API group, and the rules held.
    type Needs = (BTreeMap<String, BTreeSet<String>>, Vec<PolicyRule>);
    let mut by_ns: BTreeMap<String, Needs> = BTreeMap::new();
    let granted = profile.template_grants();
    for f in of_layer(workload, Layer::Platform).chain(of_layer(workload, Layer::Tenant)) {
        // The kinds the profile admits for this layer's templates, rendered or not (the
        // account prunes them after their template is gone).
        let admitted = match f.layer {
            Layer::Platform => &granted.platform,
            _ => &granted.tenants,
        };
        let (kinds, _) = by_ns.entry(f.namespace.clone()).or_default();
        for g in admitted {
            kinds
                .entry(g.group.clone())
                .or_default()
                .insert(g.plural.clone());
        }
        for object in f.objects(profile, &Flux) {
            let Some(ns) = object.namespace() else {
                continue;
            };
            let (kinds, held) = by_ns.entry(ns.to_string()).or_default();
            if matches!(&*object, Manifest::SeldonRuntime(_)) {
                for (group, resource) in RUNTIME_FOLDER_KINDS {
                    kinds
                        .entry(group.to_string())
                        .or_default()
                        .insert(resource.to_string());
                }
                held.extend(seldon_editor_rules());
                held.extend(application_reconciler_rules(profile));
            }
            let (group, resource) = object.resource();
            kinds
                .entry(group.to_string())
                .or_default()
                .insert(resource.to_string());
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
                    let resources: Vec<&str> = resources.iter().map(String::as_str).collect();
                    rule(&[group.as_str()], &resources, WRITE)
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
pub(super) fn bootstrap_accounts(profile: &Profile) -> Vec<Manifest> {
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
        role_and_binding(
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
    // The platform account applies the admission policies of the namespaces where
    // applications are confined to their own objects (cluster-scoped kinds).
    if crate::ownership::any_confined(profile) {
        objects.extend(cluster_role(
            &platform_reconciler(profile),
            name,
            vec![rule(
                &["admissionregistration.k8s.io"],
                &[
                    "validatingadmissionpolicies",
                    "validatingadmissionpolicybindings",
                ],
                WRITE,
            )],
        ));
    }
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
pub(super) fn setup_rules() -> Vec<PolicyRule> {
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
            &[crate::gitops::SELDON_GROUP],
            &["seldonconfigs", "serverconfigs"],
            WRITE,
        ),
    ];
    rules.extend(setup_chart_manager_rules());
    rules.extend(setup_chart_other_rules());
    dedup_rules(rules)
}

/// One folder per namespace the bundle manages, `bootstrap/namespaces/<namespace>/`: the
/// Namespace, and the Roles of the platform and setup accounts there; and one per other
/// namespace the platform account writes into, with only its Role.
pub(super) fn bootstrap_namespaces(profile: &Profile, workload: &[Folder]) -> Vec<Folder> {
    let controller_ns = profile.platform.namespace.as_str();
    let mut platform = platform_rules(profile, workload);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in of_layer(workload, Layer::Platform).chain(of_layer(workload, Layer::Tenant)) {
        let ns = f.namespace.as_str();
        if !seen.insert(ns) {
            continue;
        }
        let mut objects = vec![namespace(ns, &f.owner, &profile.security)];
        if ns == controller_ns {
            let sa = setup_reconciler(profile);
            objects.extend(role_and_binding(
                &sa,
                ns,
                &profile.name,
                setup_rules(),
                vec![flux_subject(sa.clone())],
            ));
        }
        if let Some(rules) = platform.remove(ns) {
            let sa = platform_reconciler(profile);
            objects.extend(role_and_binding(
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
    // Namespaces the platform writes into but does not manage (where a Kafka cluster's
    // operators watch): the platform account's Role there, and no Namespace.
    for (ns, rules) in platform {
        let sa = platform_reconciler(profile);
        let objects = role_and_binding(
            &sa,
            &ns,
            &profile.name,
            rules,
            vec![flux_subject(sa.clone())],
        );
        out.push(folder(
            &format!("bootstrap/namespaces/{ns}"),
            &ns,
            &profile.name,
            objects,
        ));
    }
    out
}
