//! What gen knows about the kinds a template may render: the Kubernetes 1.33 built-ins
//! (k8s-openapi), the Seldon Core v2 kinds (gen-kinds) and the CustomResourceDefinitions a
//! profile points at (`templates.crds`). For each: its API group, resource name (as RBAC
//! names it), scope, and a check of an object against its schema.
//!
//! A built-in or Seldon object is read into its typed struct and written back: what does
//! not read is a type error, and a field of the input that the typed object does not write
//! back is a field the kind does not have (k8s-openapi ignores unknown fields when reading,
//! so reading alone would accept `spec.minAvailble`). A custom resource is checked against
//! its CRD's `openAPIV3Schema`, where an object with `properties` admits no other field
//! unless it says `x-kubernetes-preserve-unknown-fields` (the API server would prune such a
//! field without a word).

use std::collections::BTreeMap;
use std::sync::Arc;

use gen_diagnostics::{Rule, Severity, Stage};
use k8s_openapi::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An object that does not fit the schema of its kind.
pub static TEMPLATE_SCHEMA: Rule = Rule::new(
    Stage::Templates,
    "template-schema",
    Severity::Error,
    "a template object fits the schema of its kind",
    "gen checks every object a template renders against its kind's schema: the Kubernetes \
1.33 built-in kinds as k8s-openapi models them, the Seldon Core v2 kinds as gen models them, \
and the CustomResourceDefinitions listed under templates.crds. The API server rejects a \
value of the wrong type, and prunes or rejects a field the kind does not have (a typo such \
as minAvailble would be dropped without a word, or fail the sync under server-side field \
validation). An apiVersion that Kubernetes 1.33 no longer serves (policy/v1beta1) is \
refused too.

Fix: correct the field or value the message names, in the template that rendered it.",
);

/// A kind gen has no schema for: allowed, reported once.
pub static TEMPLATE_UNKNOWN_KIND: Rule = Rule::new(
    Stage::Templates,
    "template-unknown-kind",
    Severity::Warning,
    "gen knows the schema of every kind a template renders",
    "A template rendered a kind that is neither a Kubernetes 1.33 built-in, nor a Seldon \
kind, nor defined by a CRD under templates.crds. gen writes it as rendered but cannot check \
its fields; it takes the kind to be namespaced, and names its resource as Kubernetes guesses \
it (the kind in lower case plus s, es or ies) in the RBAC it grants. Reported once per kind.

Fix: list the file or folder of its CustomResourceDefinition under templates.crds in the \
profile.",
);

/// A CRD file under templates.crds that cannot be used.
pub static TEMPLATE_CRD: Rule = Rule::new(
    Stage::Templates,
    "template-crd",
    Severity::Error,
    "every file under templates.crds is a usable CustomResourceDefinition",
    "templates.crds lists CustomResourceDefinition files or folders (their .yaml and .yml \
files, no links) whose kinds template objects are checked against. Each document must be an \
apiextensions.k8s.io/v1 CustomResourceDefinition with spec.group, spec.names.kind, \
spec.names.plural, spec.scope and an openAPIV3Schema per served version.

Fix: point templates.crds at the CRD files as the operator publishes them (for instance the \
crds/ folder of its Helm chart).",
);

/// One problem of an object against its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path in the object (`spec.minAvailble`); empty for the whole object.
    pub path: String,
    pub message: String,
}

type Check = fn(&serde_json::Value) -> Vec<Problem>;

/// How a kind's objects are checked.
#[derive(Clone)]
pub enum Schema {
    Typed(Check),
    Crd(Arc<jsonschema::Validator>),
    /// No schema: the kind is unknown.
    None,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Schema::Typed(_) => "Typed",
            Schema::Crd(_) => "Crd",
            Schema::None => "None",
        })
    }
}

/// Where gen's knowledge of a kind comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    BuiltIn,
    Seldon,
    Crd,
    Unknown,
}

/// A kind as RBAC, AppProjects and the namespace check need it.
#[derive(Clone, Debug)]
pub struct KindInfo {
    pub group: String,
    pub kind: String,
    /// The resource name (plural), as RBAC rules name it.
    pub plural: String,
    pub namespaced: bool,
    pub source: Source,
    pub schema: Schema,
}

/// What a lookup finds for an `apiVersion` and `kind`.
#[derive(Debug)]
pub enum Lookup {
    Known(KindInfo),
    /// The group knows the kind, but not at this version.
    NotServed {
        served: Vec<String>,
    },
}

trait Scoped {
    const NAMESPACED: bool;
}
impl Scoped for k8s_openapi::NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl Scoped for k8s_openapi::ClusterResourceScope {
    const NAMESPACED: bool = false;
}

struct BuiltIn {
    api_version: &'static str,
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    check: Check,
}

macro_rules! builtins {
    ($($t:ty),* $(,)?) => {
        &[$(BuiltIn {
            api_version: <$t as Resource>::API_VERSION,
            group: <$t as Resource>::GROUP,
            kind: <$t as Resource>::KIND,
            plural: <$t as Resource>::URL_PATH_SEGMENT,
            namespaced: <<$t as Resource>::Scope as Scoped>::NAMESPACED,
            check: typed::<$t>,
        }),*]
    };
}

/// The Kubernetes 1.33 kinds a template may reasonably render (the ones served at their
/// stable versions).
static BUILTINS: &[BuiltIn] = {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v1 as autoscaling_v1, autoscaling::v2 as autoscaling,
        batch::v1 as batch, coordination::v1 as coordination, core::v1 as core,
        discovery::v1 as discovery, networking::v1 as networking, policy::v1 as policy,
        rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
    };
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
    builtins![
        core::ConfigMap,
        core::Endpoints,
        core::LimitRange,
        core::Namespace,
        core::PersistentVolume,
        core::PersistentVolumeClaim,
        core::Pod,
        core::PodTemplate,
        core::ReplicationController,
        core::ResourceQuota,
        core::Secret,
        core::Service,
        core::ServiceAccount,
        apps::ControllerRevision,
        apps::DaemonSet,
        apps::Deployment,
        apps::ReplicaSet,
        apps::StatefulSet,
        autoscaling_v1::HorizontalPodAutoscaler,
        autoscaling::HorizontalPodAutoscaler,
        batch::CronJob,
        batch::Job,
        coordination::Lease,
        discovery::EndpointSlice,
        networking::Ingress,
        networking::IngressClass,
        networking::NetworkPolicy,
        policy::PodDisruptionBudget,
        rbac::ClusterRole,
        rbac::ClusterRoleBinding,
        rbac::Role,
        rbac::RoleBinding,
        scheduling::PriorityClass,
        storage::StorageClass,
        apiextensions::CustomResourceDefinition,
    ]
};

/// The Seldon Core v2 kinds gen models; all namespaced.
static SELDON: &[(&str, &str, Check)] = {
    use gen_kinds::seldon::*;
    &[
        ("Model", "models", seldon::<ModelSpec>),
        ("Pipeline", "pipelines", seldon::<PipelineSpec>),
        ("Experiment", "experiments", seldon::<ExperimentSpec>),
        ("Server", "servers", seldon::<ServerSpec>),
        (
            "SeldonRuntime",
            "seldonruntimes",
            seldon::<SeldonRuntimeSpec>,
        ),
    ]
};

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group "").
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The resource name Kubernetes guesses for a kind it has no discovery for
/// (apimachinery `meta.UnsafeGuessKindToResource`).
pub fn guess_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s') {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// The kinds gen knows beyond the built-in ones: the user's CRDs.
#[derive(Clone, Default)]
pub struct Catalog {
    /// (group, kind) → the CRD's plural, scope and schema per served version.
    pub(crate) crds: BTreeMap<(String, String), Crd>,
}

#[derive(Clone)]
pub(crate) struct Crd {
    pub(crate) plural: String,
    pub(crate) namespaced: bool,
    pub(crate) versions: BTreeMap<String, Arc<jsonschema::Validator>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.crds.keys()).finish()
    }
}

impl Catalog {
    pub fn new() -> Self {
        Catalog::default()
    }

    /// Find `apiVersion`/`kind`: built-in, Seldon, a CRD of the catalog; `None` if unknown.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<Lookup> {
        let group = group_of(api_version);
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        let builtin: Vec<&BuiltIn> = BUILTINS
            .iter()
            .filter(|b| b.group == group && b.kind == kind)
            .collect();
        if let Some(b) = builtin.iter().find(|b| b.api_version == api_version) {
            return Some(Lookup::Known(KindInfo {
                group: b.group.to_string(),
                kind: b.kind.to_string(),
                plural: b.plural.to_string(),
                namespaced: b.namespaced,
                source: Source::BuiltIn,
                schema: Schema::Typed(b.check),
            }));
        }
        if !builtin.is_empty() {
            return Some(Lookup::NotServed {
                served: builtin.iter().map(|b| b.api_version.to_string()).collect(),
            });
        }
        if group == group_of(gen_kinds::SELDON_API_VERSION)
            && let Some((_, plural, check)) = SELDON.iter().find(|(k, _, _)| *k == kind)
        {
            if api_version != gen_kinds::SELDON_API_VERSION {
                return Some(Lookup::NotServed {
                    served: vec![gen_kinds::SELDON_API_VERSION.to_string()],
                });
            }
            return Some(Lookup::Known(KindInfo {
                group: group.to_string(),
                kind: kind.to_string(),
                plural: plural.to_string(),
                namespaced: true,
                source: Source::Seldon,
                schema: Schema::Typed(*check),
            }));
        }
        let crd = self.crds.get(&(group.to_string(), kind.to_string()))?;
        match crd.versions.get(version) {
            Some(v) => Some(Lookup::Known(KindInfo {
                group: group.to_string(),
                kind: kind.to_string(),
                plural: crd.plural.clone(),
                namespaced: crd.namespaced,
                source: Source::Crd,
                schema: Schema::Crd(v.clone()),
            })),
            None => Some(Lookup::NotServed {
                served: crd
                    .versions
                    .keys()
                    .map(|v| format!("{group}/{v}"))
                    .collect(),
            }),
        }
    }

    /// A kind by API group and kind at any version gen knows (built-in, Seldon, a CRD of
    /// the catalog), as `templates.admit` names it.
    pub fn by_group_kind(&self, group: &str, kind: &str) -> Option<KindInfo> {
        if let Some(b) = BUILTINS.iter().find(|b| b.group == group && b.kind == kind) {
            return match self.lookup(b.api_version, kind) {
                Some(Lookup::Known(info)) => Some(info),
                _ => None,
            };
        }
        if group == group_of(gen_kinds::SELDON_API_VERSION)
            && let Some(Lookup::Known(info)) = self.lookup(gen_kinds::SELDON_API_VERSION, kind)
        {
            return Some(info);
        }
        let crd = self.crds.get(&(group.to_string(), kind.to_string()))?;
        let version = crd.versions.keys().next()?;
        match self.lookup(&format!("{group}/{version}"), kind) {
            Some(Lookup::Known(info)) => Some(info),
            _ => None,
        }
    }

    /// What gen assumes about a kind it does not know.
    pub fn unknown(api_version: &str, kind: &str) -> KindInfo {
        KindInfo {
            group: group_of(api_version).to_string(),
            kind: kind.to_string(),
            plural: guess_plural(kind),
            namespaced: true,
            source: Source::Unknown,
            schema: Schema::None,
        }
    }
}

/// Read `object` as a `T` and write it back; see the module docs.
fn typed<T: DeserializeOwned + Serialize>(object: &serde_json::Value) -> Vec<Problem> {
    match T::deserialize(object) {
        Err(e) => vec![Problem {
            path: String::new(),
            message: e.to_string(),
        }],
        Ok(t) => match serde_json::to_value(&t) {
            Ok(back) => {
                let mut out = Vec::new();
                unknown_fields(object, &back, String::new(), &mut out);
                out
            }
            Err(e) => vec![Problem {
                path: String::new(),
                message: e.to_string(),
            }],
        },
    }
}

/// A Seldon object: its metadata read as Kubernetes' ObjectMeta, the rest as gen's type
/// (whose metadata holds only what gen renders).
fn seldon<S: gen_kinds::Kind + DeserializeOwned + Serialize>(
    object: &serde_json::Value,
) -> Vec<Problem> {
    let mut out = object_meta(object);
    let mut rest = object.clone();
    if let Some(meta) = rest.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.retain(|k, _| k == "name" || k == "namespace");
    }
    out.extend(typed::<gen_kinds::Object<S>>(&rest));
    out
}

/// The object's `metadata` against Kubernetes' ObjectMeta.
pub fn object_meta(object: &serde_json::Value) -> Vec<Problem> {
    let Some(meta) = object.get("metadata") else {
        return Vec::new();
    };
    let mut out = typed::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(meta);
    for p in &mut out {
        p.path = if p.path.is_empty() {
            "metadata".to_string()
        } else {
            format!("metadata.{}", p.path)
        };
    }
    out
}

/// Fields of `input` that `back` (the typed object written back) lacks. A field whose
/// value is null, false, zero or empty may simply be one the type does not write when it
/// holds its default, so only fields with a value are reported.
fn unknown_fields(
    input: &serde_json::Value,
    back: &serde_json::Value,
    path: String,
    out: &mut Vec<Problem>,
) {
    use serde_json::Value;
    match (input, back) {
        (Value::Object(i), Value::Object(b)) => {
            for (k, v) in i {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(bv) => unknown_fields(v, bv, p, out),
                    None if is_default(v) => {}
                    None => out.push(Problem {
                        message: format!("unknown field `{k}`"),
                        path: p,
                    }),
                }
            }
        }
        (Value::Array(i), Value::Array(b)) => {
            for (n, (iv, bv)) in i.iter().zip(b).enumerate() {
                unknown_fields(iv, bv, format!("{path}[{n}]"), out);
            }
        }
        _ => {}
    }
}

fn is_default(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_guesses_plurals_like_this() {
        assert_eq!(guess_plural("Widget"), "widgets");
        assert_eq!(guess_plural("Ingress"), "ingresses");
        assert_eq!(guess_plural("Policy"), "policies");
    }
}
