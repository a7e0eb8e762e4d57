//! The run-time rules of Seldon Core v2, checked over a set of objects before anything
//! reaches a cluster. One rule, one place: the profile checker and any reader of existing
//! YAML build an [`Inventory`] and call [`check`].
//!
//! Each module holds one concern — names, runtimes, Servers, storage, scheduling,
//! Pipelines, Experiments, Kafka, rclone Secrets, resources, scaling, quotas, tracing —
//! with the static [`Rule`] descriptor of every rule it checks next to the check, and
//! [`RULES`] lists them all (the registry behind `gen explain`).
//!
//! Every finding is a [`Diagnostic`] whose path is the object's [`Origin`] plus the
//! offending field (`applications[0].models[2].requirements` for a profile entry,
//! `spec.requirements` for a YAML document, which also carries its file, line and
//! object), so the caller can point at the exact place in its own source.

use std::collections::BTreeSet;
use std::fmt;

pub use gen_diagnostics::Severity;
use gen_diagnostics::{Diagnostic, Location, Related, Rule};

use crate::catalog::{Install, ServerConfigInfo};
use crate::kinds::{Experiment, Model, Pipeline, ResourceType, SeldonRuntime, Server};
use crate::names::did_you_mean;
use crate::quantity::Quantity;

mod experiments;
mod kafka;
mod models;
mod names;
mod ownership;
mod pipelines;
mod quota;
mod rclone;
mod resources;
mod runtime;
mod scaling;
mod scheduling;
mod secrets;
mod servers;
mod storage;
mod tracing;

pub use models::MEMORY_INVALID;
pub use names::{DUPLICATE_NAME, INVALID_NAME};
pub use ownership::{PART_OF, SHARED_WITH, application_of, shared_with};
pub use scaling::SERVER_REPLICAS_UNBOUNDED;
pub use scheduling::{extended_resource_problems, is_extended_resource};
pub use storage::{
    CREDENTIAL_EXEMPT_SUFFIXES, CREDENTIAL_PARAMS, CREDENTIAL_WORDS, STORAGE_SCHEMES,
    looks_like_credential,
};
pub use tracing::TRACING_RATIO;

/// A document of a Seldon kind that does not match its CRD (found when reading YAML).
pub static INVALID_OBJECT: Rule = Rule::new(
    gen_diagnostics::Stage::Seldon,
    "invalid-object",
    Severity::Error,
    "a Seldon object matches the v2.10.2 CRD",
    "`gen audit` reads every mlops.seldon.io object of a tree into the typed kinds gen \
renders; one whose fields do not match the v2.10.2 CRD (a wrong type, a missing required \
field) would be rejected by the API server, and no rule can judge it.

Fix: correct the object against the CRD.",
);

/// Every Seldon run-time rule, in the order [`check`] runs them.
pub static RULES: &[&Rule] = &[
    &INVALID_OBJECT,
    &names::INVALID_NAME,
    &names::DUPLICATE_NAME,
    &runtime::RUNTIME_DUPLICATE,
    &runtime::SELDON_CONFIG_UNKNOWN,
    &runtime::RUNTIME_MISSING,
    &runtime::RUNTIME_EXPOSED,
    &runtime::HODOMETER_ENABLED,
    &rclone::RCLONE_SECRET_MISSING,
    &rclone::RCLONE_SECRET_KEYS,
    &tracing::TRACING_COLLECTOR,
    &tracing::TRACING_RATIO,
    &servers::SERVER_CONFIG_UNKNOWN,
    &servers::REPLICA_BOUNDS,
    &resources::SERVER_REQUESTS_OVER_LIMITS,
    &scheduling::SERVER_EXTENDED_RESOURCE,
    &scaling::SERVER_REPLICAS_UNPINNED,
    &scaling::SERVER_REPLICAS_UNBOUNDED,
    &quota::QUOTA_TOO_SMALL,
    &storage::STORAGE_URI,
    &storage::STORAGE_CREDENTIALS,
    &storage::PARAMETER_CREDENTIAL,
    &secrets::MODEL_SECRET_MISSING,
    &secrets::RCLONE_REMOTE_MISMATCH,
    &models::MODEL_EXPLAINER_LLM,
    &models::REFERENCE_MISSING,
    &models::SERVER_MISSING,
    &models::REQUIREMENTS_UNSATISFIED,
    &models::MEMORY_INVALID,
    &models::MEMORY_TOO_LARGE,
    &models::REPLICAS_EXCEED_SERVER,
    &pipelines::PIPELINE_EMPTY,
    &pipelines::PIPELINE_STEP_NAME,
    &pipelines::PIPELINE_STEP_DUPLICATE,
    &pipelines::PIPELINE_STEP_UNKNOWN,
    &pipelines::PIPELINE_REFERENCE,
    &pipelines::PIPELINE_CYCLE,
    &kafka::PIPELINES_WITHOUT_KAFKA,
    &kafka::KAFKA_USER_ACLS,
    &experiments::EXPERIMENT_EMPTY,
    &experiments::EXPERIMENT_CANDIDATE_DUPLICATE,
    &experiments::EXPERIMENT_CANDIDATE_MISSING,
    &experiments::EXPERIMENT_WEIGHTS,
    &experiments::EXPERIMENT_MIRROR,
    &experiments::EXPERIMENT_DEFAULT,
    &experiments::EXPERIMENT_DEFAULT_SHARED,
    &ownership::CROSS_APPLICATION_REFERENCE,
    &ownership::EXPERIMENT_TAKEOVER,
];

/// Where an object came from, in the caller's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An entry of a profile, by its path (`applications[0].models[2]`); a field below it
    /// is `<path>.<field>`, which the caller locates in the profile's text.
    Profile(String),
    /// A document of a YAML file; a field below it is `spec.<field>` (`metadata.name` for
    /// `name`), at the document's line.
    Document {
        file: String,
        line: u64,
        /// `Kind namespace/name`.
        object: String,
    },
}

impl Origin {
    /// The path of `field` of the object (`name` is its metadata.name); `""` is the object.
    pub fn path_of(&self, field: &str) -> String {
        match self {
            Origin::Profile(p) if field.is_empty() => p.clone(),
            Origin::Profile(p) => format!("{p}.{field}"),
            Origin::Document { .. } if field.is_empty() => String::new(),
            Origin::Document { .. } if field == "name" => "metadata.name".to_string(),
            Origin::Document { .. } => format!("spec.{field}"),
        }
    }

    /// The file and line of a document; a profile entry is located by its caller.
    pub fn location(&self) -> Option<Location> {
        match self {
            Origin::Profile(_) => None,
            Origin::Document { file, line, .. } => Some(Location {
                file: file.clone(),
                line: *line,
                column: 0,
            }),
        }
    }

    fn object(&self) -> Option<String> {
        match self {
            Origin::Profile(_) => None,
            Origin::Document { object, .. } => Some(object.clone()),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Profile(p) => f.write_str(p),
            Origin::Document { file, line, .. } => write!(f, "{file}:{line}"),
        }
    }
}

impl From<String> for Origin {
    fn from(path: String) -> Self {
        Origin::Profile(path)
    }
}

impl From<&str> for Origin {
    fn from(path: &str) -> Self {
        Origin::Profile(path.to_string())
    }
}

/// An object with its origin.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub object: T,
    pub origin: Origin,
}

impl<T> Located<T> {
    pub fn new(object: T, origin: impl Into<Origin>) -> Self {
        Located {
            object,
            origin: origin.into(),
        }
    }
}

/// A Secret as the rules see it: where it is and how many keys it holds (`None` when the
/// object only says that it makes the Secret, e.g. an ExternalSecret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    pub namespace: String,
    pub name: String,
    pub keys: Option<usize>,
}

/// The rclone remote an rclone config Secret holds, where the reader knows it (gen knows
/// the ExternalSecrets it renders; `gen audit` parses a Secret's one key): its `name`,
/// which the agent matches against the storageUri scheme of each Model that names the
/// Secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRemote {
    pub namespace: String,
    /// The Secret's name.
    pub secret: String,
    /// The remote's `name`.
    pub remote: String,
}

/// A Strimzi KafkaUser (`simple` authorization) as Kafka's authorizer sees it: the user
/// named after it, and its ACLs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaUserInfo {
    pub namespace: String,
    pub name: String,
    pub acls: Vec<KafkaAcl>,
}

/// One `allow` ACL: a resource type (`topic`, `group`, `cluster`, `transactionalId`), a
/// name that is literal or a prefix, and operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaAcl {
    pub resource: String,
    pub name: String,
    pub prefix: bool,
    pub operations: Vec<String>,
}

impl KafkaAcl {
    fn grants(&self, resource: &str, operation: &str) -> bool {
        self.resource == resource && self.operations.iter().any(|o| o == operation || o == "All")
    }

    /// Whether it allows `operation` on the resource named `name`.
    pub fn allows(&self, resource: &str, name: &str, operation: &str) -> bool {
        self.grants(resource, operation)
            && if self.prefix {
                name.starts_with(&self.name)
            } else {
                name == self.name
            }
    }

    /// Whether it allows `operation` on every resource whose name starts with `prefix`.
    pub fn allows_prefix(&self, resource: &str, prefix: &str, operation: &str) -> bool {
        self.grants(resource, operation) && self.prefix && prefix.starts_with(&self.name)
    }
}

/// One hard limit of a ResourceQuota: the resource (`requests.memory`, `cpu`, `pods`),
/// its value, and the field that sets it in the caller's terms (`hard.requests.memory`,
/// or a profile key such as `memory`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaLimit {
    pub resource: String,
    pub value: Quantity,
    pub field: String,
}

/// A ResourceQuota as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaInfo {
    pub namespace: String,
    pub name: String,
    pub hard: Vec<QuotaLimit>,
}

/// The Seldon objects of a deployment, borrowed from wherever they live, plus the configs
/// in the controller's namespace, the setup chart's values, and the Secrets and
/// ResourceQuotas of the namespaces. The rules only read, so nothing is copied.
#[derive(Clone, Debug, Default)]
pub struct Inventory<'a> {
    pub controller_namespace: String,
    pub seldon_configs: Vec<String>,
    pub server_configs: Vec<ServerConfigInfo>,
    pub install: Install,
    pub runtimes: Vec<Located<&'a SeldonRuntime>>,
    pub servers: Vec<Located<&'a Server>>,
    pub models: Vec<Located<&'a Model>>,
    pub pipelines: Vec<Located<&'a Pipeline>>,
    pub experiments: Vec<Located<&'a Experiment>>,
    pub secrets: Vec<Located<SecretInfo>>,
    pub quotas: Vec<Located<QuotaInfo>>,
    /// Namespaces whose applications may refer to each other's objects without sharing
    /// them (a dedicated tenant that does not isolate its applications); in every other
    /// namespace a reference stays inside its application (`cross-application-reference`).
    pub open_namespaces: Vec<String>,
    /// The rclone remotes of the Secrets, where known.
    pub secret_remotes: Vec<Located<SecretRemote>>,
    /// The Strimzi KafkaUsers, with their ACLs.
    pub kafka_users: Vec<Located<KafkaUserInfo>>,
    /// Whether `secrets` holds every Secret that will exist (a profile declares them all);
    /// otherwise a Secret not found may exist outside the tree, and is only a warning.
    pub secrets_complete: bool,
}

/// An inventory that owns its objects, for callers that read them from elsewhere (YAML
/// trees, tests); [`OwnedInventory::view`] lends them to [`check`].
#[derive(Clone, Debug, Default)]
pub struct OwnedInventory {
    pub controller_namespace: String,
    pub seldon_configs: Vec<String>,
    pub server_configs: Vec<ServerConfigInfo>,
    pub install: Install,
    pub runtimes: Vec<Located<SeldonRuntime>>,
    pub servers: Vec<Located<Server>>,
    pub models: Vec<Located<Model>>,
    pub pipelines: Vec<Located<Pipeline>>,
    pub experiments: Vec<Located<Experiment>>,
    pub secrets: Vec<Located<SecretInfo>>,
    pub quotas: Vec<Located<QuotaInfo>>,
    pub open_namespaces: Vec<String>,
    pub secret_remotes: Vec<Located<SecretRemote>>,
    pub kafka_users: Vec<Located<KafkaUserInfo>>,
    pub secrets_complete: bool,
}

impl OwnedInventory {
    pub fn view(&self) -> Inventory<'_> {
        fn refs<T>(list: &[Located<T>]) -> Vec<Located<&T>> {
            list.iter()
                .map(|l| Located::new(&l.object, l.origin.clone()))
                .collect()
        }
        Inventory {
            controller_namespace: self.controller_namespace.clone(),
            seldon_configs: self.seldon_configs.clone(),
            server_configs: self.server_configs.clone(),
            install: self.install.clone(),
            runtimes: refs(&self.runtimes),
            servers: refs(&self.servers),
            models: refs(&self.models),
            pipelines: refs(&self.pipelines),
            experiments: refs(&self.experiments),
            secrets: self.secrets.clone(),
            quotas: self.quotas.clone(),
            open_namespaces: self.open_namespaces.clone(),
            secret_remotes: self.secret_remotes.clone(),
            kafka_users: self.kafka_users.clone(),
            secrets_complete: self.secrets_complete,
        }
    }
}

/// The findings of one [`check`], in a stable order.
struct Out(Vec<Diagnostic>);

impl Out {
    fn push(
        &mut self,
        rule: &'static Rule,
        severity: Severity,
        origin: &Origin,
        field: impl AsRef<str>,
        message: String,
        help: impl Into<String>,
    ) {
        let mut d = Diagnostic::new(rule, origin.path_of(field.as_ref()), message, help)
            .with_severity(severity);
        d.location = origin.location();
        d.object = origin.object();
        self.0.push(d);
    }

    /// A finding of `rule` at its own severity.
    fn report(
        &mut self,
        rule: &'static Rule,
        origin: &Origin,
        field: impl AsRef<str>,
        message: String,
        help: impl Into<String>,
    ) {
        self.push(rule, rule.severity, origin, field, message, help)
    }

    /// A finding of `rule` as a warning (a milder case of an error rule).
    fn warning(
        &mut self,
        rule: &'static Rule,
        origin: &Origin,
        field: impl AsRef<str>,
        message: String,
        help: impl Into<String>,
    ) {
        self.push(rule, Severity::Warning, origin, field, message, help)
    }
}

impl Out {
    /// Label another place in the finding just reported.
    fn relate(&mut self, origin: &Origin, field: &str, label: impl Into<String>) {
        if let Some(d) = self.0.last_mut() {
            d.related.push(related(origin, field, label));
        }
    }
}

/// A secondary label at `field` of the object from `origin`.
fn related(origin: &Origin, field: &str, label: impl Into<String>) -> Related {
    Related {
        path: origin.path_of(field),
        location: origin.location(),
        label: label.into(),
    }
}

/// Check every rule over `inv`. Findings come in a stable order (by rule group, then by
/// the order of the objects in the inventory).
pub fn check(inv: &Inventory) -> Vec<Diagnostic> {
    let mut out = Out(Vec::new());
    let all = all_objects(inv);
    names::check_names(&all, &mut out);
    runtime::check_runtimes(inv, &all, &mut out);
    runtime::check_runtime_exposure(inv, &mut out);
    rclone::check_rclone_secrets(inv, &mut out);
    tracing::check_tracing(inv, &mut out);
    let servers = servers::check_servers(inv, &mut out);
    resources::check_server_limits(inv, &mut out);
    scheduling::check_extended_resources(inv, &mut out);
    scaling::check_server_scaling(inv, &mut out);
    quota::check_quotas(inv, &mut out);
    let names = Names::new(inv);
    models::check_models(inv, &servers, &names, &mut out);
    secrets::check_model_secrets(inv, &mut out);
    pipelines::check_pipelines(inv, &names, &mut out);
    kafka::check_pipelines_kafka(inv, &mut out);
    kafka::check_kafka_users(inv, &mut out);
    experiments::check_experiments(inv, &names, &mut out);
    ownership::check_ownership(inv, &mut out);
    out.0
}

/// Kind, origin, namespace and name of every Seldon object, for the generic rules.
fn all_objects<'a>(inv: &'a Inventory<'a>) -> Vec<ObjectRef<'a>> {
    let mut all = Vec::new();
    macro_rules! add {
        ($list:expr, $kind:literal) => {
            for l in &$list {
                all.push(($kind, &l.origin, l.object.namespace(), l.object.name()));
            }
        };
    }
    add!(inv.runtimes, "SeldonRuntime");
    add!(inv.servers, "Server");
    add!(inv.models, "Model");
    add!(inv.pipelines, "Pipeline");
    add!(inv.experiments, "Experiment");
    all
}

/// Kind, origin, namespace and name of one object.
type ObjectRef<'a> = (&'static str, &'a Origin, &'a str, &'a str);

pub(crate) fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// (namespace, name) of every Model and of every Pipeline, for the rules that check a
/// reference. Each set is built on first use: most profiles refer to nothing.
pub(crate) struct Names<'a> {
    inv: &'a Inventory<'a>,
    models: std::cell::OnceCell<std::collections::HashSet<(&'a str, &'a str)>>,
    pipelines: std::cell::OnceCell<std::collections::HashSet<(&'a str, &'a str)>>,
    /// Namespaces and names of every Model and Pipeline, sorted, for messages only.
    sorted: std::cell::OnceCell<[BTreeSet<(&'a str, &'a str)>; 2]>,
}

impl<'a> Names<'a> {
    fn new(inv: &'a Inventory<'a>) -> Self {
        Names {
            inv,
            models: std::cell::OnceCell::new(),
            pipelines: std::cell::OnceCell::new(),
            sorted: std::cell::OnceCell::new(),
        }
    }

    fn sorted(&self, resource: ResourceType) -> &BTreeSet<(&'a str, &'a str)> {
        let sets = self.sorted.get_or_init(|| {
            let inv = self.inv;
            [
                inv.models
                    .iter()
                    .map(|l| (l.object.namespace(), l.object.name()))
                    .collect(),
                inv.pipelines
                    .iter()
                    .map(|l| (l.object.namespace(), l.object.name()))
                    .collect(),
            ]
        });
        &sets[usize::from(resource == ResourceType::Pipeline)]
    }

    /// The names of every `resource` in namespace `ns`, sorted.
    fn in_namespace(&self, resource: ResourceType, ns: &str) -> Vec<&'a str> {
        self.sorted(resource)
            .range((ns, "")..)
            .take_while(|(n, _)| *n == ns)
            .map(|(_, name)| *name)
            .collect()
    }

    /// The namespaces other than `ns` that hold a `resource` named `name`, sorted.
    fn elsewhere(&self, resource: ResourceType, ns: &str, name: &str) -> Vec<&'a str> {
        self.sorted(resource)
            .iter()
            .filter(|(n, m)| *m == name && *n != ns)
            .map(|(n, _)| *n)
            .collect()
    }

    /// `did you mean "x"? ` for a missing `resource` of namespace `ns`, else "".
    fn suggestion(&self, resource: ResourceType, ns: &str, name: &str) -> String {
        did_you_mean(name, &self.in_namespace(resource, ns))
            .map(|d| format!("{d} "))
            .unwrap_or_default()
    }

    /// Whether a `resource` named `name` exists in namespace `ns`.
    fn has(&self, resource: ResourceType, ns: &str, name: &str) -> bool {
        let set = match resource {
            ResourceType::Model => self.models.get_or_init(|| {
                let models = self.inv.models.iter();
                models
                    .map(|l| (l.object.namespace(), l.object.name()))
                    .collect()
            }),
            ResourceType::Pipeline => self.pipelines.get_or_init(|| {
                let pipelines = self.inv.pipelines.iter();
                pipelines
                    .map(|l| (l.object.namespace(), l.object.name()))
                    .collect()
            }),
        };
        set.contains(&(ns, name))
    }
}
