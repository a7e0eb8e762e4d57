//! The admission policy that confines who may create an application's Seldon objects in
//! a namespace that several applications share.
//!
//! RBAC cannot do it: a `create` request carries no object name when it is authorized
//! (`resourceNames` never match a POST), and nothing in RBAC looks at labels. So each
//! owner Role names its application's objects for get/update/patch/delete, and a
//! ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30 or later)
//! decides every CREATE and UPDATE of a Model, Pipeline or Experiment in the namespace:
//!
//! - a new object names one of the namespace's applications in `app.kubernetes.io/part-of`
//!   (no label, no object);
//! - the requester writes for that application: one of its owners (a `user:` by username,
//!   a `group:` by group), its Flux service account, or Argo CD's application controller
//!   applying it as that application's Argo CD Application;
//! - an update never changes the label (no object moves to another application);
//! - a GitOps identity updates and deletes only its own application's objects (an object
//!   of no current application, e.g. of an application removed from the profile, may be
//!   deleted, so that its Argo CD Application or Flux Kustomization can prune it).
//!
//! Argo CD applies every Application as one account, so the policy tells them apart by the
//! tracking mark Argo CD itself writes on every object it applies, overwriting whatever git
//! says (`controller/state.go` NormalizeTargetObjects → `util/argo/resource_tracking.go`
//! SetAppInstance): the annotation `argocd.argoproj.io/tracking-id`
//! (`<application>:<group>/<kind>:<namespace>/<name>`, the default method since Argo CD 3.0)
//! or the label `app.kubernetes.io/instance: <application>` (the `label` method, the
//! default before). Every mark present must name the Application and one must be present,
//! so a mark copied into git under the other method does not help. People's deletes are
//! left to RBAC (the names in the owner Roles): anything else that deletes (the namespace
//! controller, the garbage collector) must stay free to.
//!
//! The policy's expressions use only standard CEL (`has`, `in`, `exists`, `startsWith`,
//! `size`, string `+`), which Kubernetes and the `cel` crate evaluate alike; tests evaluate
//! them the way the API server does.

use std::collections::BTreeMap;

use k8s_openapi::api::admissionregistration::v1::{
    MatchResources, NamedRuleWithOperations, ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding, ValidatingAdmissionPolicyBindingSpec,
    ValidatingAdmissionPolicySpec, Validation, Variable,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

/// The label that names an object's application.
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// Argo CD's tracking annotation (tracking method `annotation`, `annotation+label`).
pub const ARGOCD_TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";
/// Argo CD's tracking label (tracking method `label`, the default application.instanceLabelKey).
pub const ARGOCD_INSTANCE: &str = "app.kubernetes.io/instance";
/// The username of Argo CD's application controller in a default install (namespace
/// `argocd`, service account `argocd-application-controller`).
pub const ARGOCD_CONTROLLER: &str = "system:serviceaccount:argocd:argocd-application-controller";
/// The oldest Kubernetes release that serves admissionregistration.k8s.io/v1
/// ValidatingAdmissionPolicy (GA in 1.30).
pub const MINIMUM_KUBERNETES: &str = "1.30";

/// Who writes one application's objects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Writers {
    /// The application's name, as its objects' `app.kubernetes.io/part-of` says it.
    pub application: String,
    /// Usernames: its `user:` owners and its GitOps service account
    /// (`system:serviceaccount:<namespace>:<name>`).
    pub users: Vec<String>,
    /// Its `group:` owners.
    pub groups: Vec<String>,
    /// The Argo CD Application that applies it, when Argo CD does.
    pub argocd_application: Option<String>,
}

/// The policy for one namespace.
#[derive(Clone, Debug)]
pub struct Confinement<'a> {
    /// The policy's and its binding's name (cluster-scoped: unique in the cluster).
    pub name: &'a str,
    /// The namespace whose Models, Pipelines and Experiments it decides.
    pub namespace: &'a str,
    /// The namespace's applications.
    pub applications: &'a [Writers],
    /// The usernames of the GitOps identities (every application's service account and
    /// Argo CD's application controller), which may update only their own application's
    /// objects.
    pub gitops_users: &'a [String],
    /// The labels of the policy and binding.
    pub labels: BTreeMap<String, String>,
}

/// A CEL string literal (single-quoted, with `\` and `'` and control characters escaped).
pub fn cel_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn cel_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    let mut v: Vec<&str> = items.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    let inner: Vec<String> = v.into_iter().map(cel_string).collect();
    format!("[{}]", inner.join(", "))
}

/// A CEL map literal from application to a list of strings, in name order.
fn cel_map_of_lists<'s>(entries: impl IntoIterator<Item = (&'s str, Vec<&'s str>)>) -> String {
    let map: BTreeMap<&str, Vec<&str>> = entries.into_iter().collect();
    let inner: Vec<String> = map
        .into_iter()
        .map(|(k, v)| format!("{}: {}", cel_string(k), cel_list(v)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// `has(<obj>.metadata.<field>) && '<key>' in <obj>.metadata.<field> ? value : ''`.
fn metadata_value(obj: &str, field: &str, key: &str) -> String {
    let key = cel_string(key);
    format!(
        "has({obj}.metadata.{field}) && {key} in {obj}.metadata.{field} ? {obj}.metadata.{field}[{key}] : ''"
    )
}

/// The policy's variables, in evaluation order (a variable may use the ones before it).
pub fn variables(c: &Confinement) -> Vec<(&'static str, String)> {
    let apps = c.applications;
    let users = cel_map_of_lists(apps.iter().map(|a| {
        (
            a.application.as_str(),
            a.users.iter().map(String::as_str).collect(),
        )
    }));
    let groups = cel_map_of_lists(apps.iter().map(|a| {
        (
            a.application.as_str(),
            a.groups.iter().map(String::as_str).collect(),
        )
    }));
    // Every application has an entry, "" when Argo CD does not apply it, so the lookup
    // never fails for a known application.
    let argocd = {
        let map: BTreeMap<&str, &str> = apps
            .iter()
            .map(|a| {
                (
                    a.application.as_str(),
                    a.argocd_application.as_deref().unwrap_or(""),
                )
            })
            .collect();
        let inner: Vec<String> = map
            .into_iter()
            .map(|(k, v)| format!("{}: {}", cel_string(k), cel_string(v)))
            .collect();
        format!("{{{}}}", inner.join(", "))
    };
    let gitops = cel_list(c.gitops_users.iter().map(String::as_str));
    let controller = cel_string(ARGOCD_CONTROLLER);
    vec![
        // The object the request is about: the stored one for a DELETE, which has no
        // `object`.
        (
            "current",
            "request.operation == 'DELETE' ? oldObject : object".to_string(),
        ),
        ("application", metadata_value("variables.current", "labels", PART_OF)),
        (
            "previousApplication",
            format!(
                "request.operation == 'UPDATE' ? ({}) : ''",
                metadata_value("oldObject", "labels", PART_OF)
            ),
        ),
        ("users", users),
        ("groups", groups),
        ("argocdApplications", argocd),
        ("known", "variables.application in variables.users".to_string()),
        ("trackingId", metadata_value("variables.current", "annotations", ARGOCD_TRACKING_ID)),
        ("instance", metadata_value("variables.current", "labels", ARGOCD_INSTANCE)),
        (
            "trackedByArgoCD",
            format!(
                "request.userInfo.username == {controller} && variables.known && variables.argocdApplications[variables.application] != '' && (variables.trackingId != '' || variables.instance != '') && (variables.trackingId == '' || variables.trackingId.startsWith(variables.argocdApplications[variables.application] + ':')) && (variables.instance == '' || variables.instance == variables.argocdApplications[variables.application])"
            ),
        ),
        (
            "writer",
            "variables.known && (request.userInfo.username in variables.users[variables.application] || (has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in variables.groups[variables.application])) || variables.trackedByArgoCD)".to_string(),
        ),
        (
            "gitops",
            format!("request.userInfo.username in {gitops} || request.userInfo.username == {controller}"),
        ),
    ]
}

/// One validation: its expression, its fixed message, and the message expression that
/// names the object, its application and the requester.
pub struct Check {
    pub expression: String,
    pub message: String,
    pub message_expression: String,
}

/// The policy's validations, each true when the request may pass.
pub fn checks(c: &Confinement) -> Vec<Check> {
    let ns = c.namespace;
    let mut names: Vec<&str> = c
        .applications
        .iter()
        .map(|a| a.application.as_str())
        .collect();
    names.sort_unstable();
    let names = names.join(", ");
    let object = "request.kind.kind + ' ' + variables.current.metadata.name";
    vec![
        Check {
            expression: "request.operation != 'CREATE' || variables.known".to_string(),
            message: format!(
                "a Model, Pipeline or Experiment in namespace {ns} belongs to one of its applications ({names}): its label {PART_OF} names it"
            ),
            message_expression: format!(
                "{object} + (variables.application == '' ? ' has no label {PART_OF}' : ' names application ' + variables.application + ' in {PART_OF}') + ', but every Model, Pipeline and Experiment in namespace {ns} belongs to one of its applications ({names}): set the label to the application that owns it'"
            ),
        },
        Check {
            expression: "request.operation != 'CREATE' || !variables.known || variables.writer"
                .to_string(),
            message: format!(
                "only an application's owners and its GitOps identity may create its Models, Pipelines and Experiments in namespace {ns}"
            ),
            message_expression: format!(
                "request.userInfo.username + ' may not create ' + {object} + ' of application ' + variables.application + ': only its owners and its GitOps identity may create its objects in namespace {ns}; add it in git under that application, or ask its owners'"
            ),
        },
        Check {
            expression: "request.operation != 'UPDATE' || variables.previousApplication == variables.application".to_string(),
            message: format!(
                "the label {PART_OF} of a Model, Pipeline or Experiment in namespace {ns} never changes: an object does not move to another application"
            ),
            message_expression: format!(
                "{object} + ' belongs to ' + (variables.previousApplication == '' ? 'no application' : 'application ' + variables.previousApplication) + ' and may not move to ' + (variables.application == '' ? 'no application' : 'application ' + variables.application) + ': the label {PART_OF} never changes; delete the object and create it again under the other application'"
            ),
        },
        Check {
            expression: "request.operation != 'UPDATE' || !variables.gitops || variables.writer"
                .to_string(),
            message: format!(
                "a GitOps identity updates only the Models, Pipelines and Experiments of the application it applies in namespace {ns}"
            ),
            message_expression: format!(
                "request.userInfo.username + ' may not update ' + {object} + ' of application ' + variables.application + ': it applies another application, whose git folder names an object of this one'"
            ),
        },
        Check {
            expression: "request.operation != 'DELETE' || !variables.gitops || !variables.known || variables.writer".to_string(),
            message: format!(
                "a GitOps identity deletes only the Models, Pipelines and Experiments of the application it applies in namespace {ns}"
            ),
            message_expression: format!(
                "request.userInfo.username + ' may not delete ' + {object} + ' of application ' + variables.application + ': it applies another application'"
            ),
        },
    ]
}

/// The ValidatingAdmissionPolicy for `c`.
pub fn policy(c: &Confinement) -> ValidatingAdmissionPolicy {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    ValidatingAdmissionPolicy {
        metadata: ObjectMeta {
            name: Some(c.name.to_string()),
            labels: Some(c.labels.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(ValidatingAdmissionPolicySpec {
            failure_policy: Some("Fail".to_string()),
            match_constraints: Some(MatchResources {
                namespace_selector: Some(LabelSelector {
                    match_labels: Some(
                        [(
                            "kubernetes.io/metadata.name".to_string(),
                            c.namespace.to_string(),
                        )]
                        .into(),
                    ),
                    ..LabelSelector::default()
                }),
                resource_rules: Some(vec![NamedRuleWithOperations {
                    api_groups: Some(strings(&["mlops.seldon.io"])),
                    api_versions: Some(strings(&["*"])),
                    operations: Some(strings(&["CREATE", "UPDATE", "DELETE"])),
                    resources: Some(strings(&["experiments", "models", "pipelines"])),
                    scope: Some("Namespaced".to_string()),
                    ..NamedRuleWithOperations::default()
                }]),
                ..MatchResources::default()
            }),
            variables: Some(
                variables(c)
                    .into_iter()
                    .map(|(name, expression)| Variable {
                        name: name.to_string(),
                        expression,
                    })
                    .collect(),
            ),
            validations: Some(
                checks(c)
                    .into_iter()
                    .map(|check| Validation {
                        expression: check.expression,
                        message: Some(check.message),
                        message_expression: Some(check.message_expression),
                        reason: Some("Forbidden".to_string()),
                    })
                    .collect(),
            ),
            ..ValidatingAdmissionPolicySpec::default()
        }),
        status: None,
    }
}

/// The binding that enforces the policy (Deny), named as the policy.
pub fn binding(c: &Confinement) -> ValidatingAdmissionPolicyBinding {
    ValidatingAdmissionPolicyBinding {
        metadata: ObjectMeta {
            name: Some(c.name.to_string()),
            labels: Some(c.labels.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(ValidatingAdmissionPolicyBindingSpec {
            policy_name: Some(c.name.to_string()),
            validation_actions: Some(vec!["Deny".to_string()]),
            ..ValidatingAdmissionPolicyBindingSpec::default()
        }),
    }
}
