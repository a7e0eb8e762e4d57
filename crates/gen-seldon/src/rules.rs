//! The run-time rules of Seldon Core v2, checked over a set of objects before anything
//! reaches a cluster. One rule, one place: the profile checker and any reader of existing
//! YAML build an [`Inventory`] and call [`check`].
//!
//! Every [`Finding`] names the object's [`Origin`] and the offending field relative to the
//! object's `spec` (e.g. `requirements`, `steps[1].inputs[0]`), so the caller can point at
//! the exact place in its own source.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::capacity::{merged_containers, server_scale};
use crate::catalog::{Install, ServerConfigInfo};
use crate::kinds::{Experiment, Model, Pipeline, ResourceType, SeldonRuntime, Server};
use crate::names::{did_you_mean, label_problem};
use crate::quantity::{Quantity, human_bytes};

mod kafka;
mod quota;
mod rclone;
mod resources;
mod scaling;
mod tracing;

/// Where an object came from, in the caller's terms: a profile path such as
/// `applications[0].models[2]`, or a file and document.
pub type Origin = String;

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
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// A stable rule id, e.g. `runtime-missing`.
    pub rule: &'static str,
    pub origin: Origin,
    /// The offending field relative to the object's spec; `name` means metadata.name.
    pub field: String,
    /// What is wrong, in Seldon's terms.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

struct Out(Vec<Finding>);

impl Out {
    fn push(
        &mut self,
        severity: Severity,
        rule: &'static str,
        origin: &str,
        field: impl Into<String>,
        message: String,
        help: impl Into<String>,
    ) {
        self.0.push(Finding {
            severity,
            rule,
            origin: origin.to_string(),
            field: field.into(),
            message,
            help: help.into(),
        });
    }

    fn error(
        &mut self,
        rule: &'static str,
        origin: &str,
        field: impl Into<String>,
        message: String,
        help: impl Into<String>,
    ) {
        self.push(Severity::Error, rule, origin, field, message, help);
    }

    fn warning(
        &mut self,
        rule: &'static str,
        origin: &str,
        field: impl Into<String>,
        message: String,
        help: impl Into<String>,
    ) {
        self.push(Severity::Warning, rule, origin, field, message, help);
    }
}

/// Check every rule over `inv`. Findings come in a stable order (by rule group, then by
/// the order of the objects in the inventory).
pub fn check(inv: &Inventory) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    let all = all_objects(inv);
    check_names(&all, &mut out);
    check_runtimes(inv, &all, &mut out);
    check_runtime_exposure(inv, &mut out);
    rclone::check_rclone_secrets(inv, &mut out);
    tracing::check_tracing(inv, &mut out);
    let servers = check_servers(inv, &mut out);
    resources::check_server_limits(inv, &mut out);
    scaling::check_server_scaling(inv, &mut out);
    quota::check_quotas(inv, &mut out);
    let names = Names::new(inv);
    check_models(inv, &servers, &names, &mut out);
    check_pipelines(inv, &names, &mut out);
    kafka::check_pipelines_kafka(inv, &mut out);
    check_experiments(inv, &names, &mut out);
    out.0
}

/// Kind, origin, namespace and name of every Seldon object, for the generic rules.
fn all_objects<'a>(inv: &'a Inventory<'a>) -> Vec<ObjectRef<'a>> {
    let mut all = Vec::new();
    macro_rules! add {
        ($list:expr, $kind:literal) => {
            for l in &$list {
                all.push((
                    $kind,
                    l.origin.as_str(),
                    l.object.namespace(),
                    l.object.name(),
                ));
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
type ObjectRef<'a> = (&'static str, &'a str, &'a str, &'a str);

fn check_names(all: &[ObjectRef], out: &mut Out) {
    // A hash map: one entry per object, looked up once each (findings follow the input
    // order, not the map's).
    let mut seen: std::collections::HashMap<(&str, &str, &str), &str> =
        std::collections::HashMap::with_capacity(all.len());
    for &(kind, origin, ns, name) in all {
        if let Some(problem) = label_problem(name) {
            out.error(
                "invalid-name",
                origin,
                "name",
                format!("{kind} name {name:?} is not a valid Kubernetes name: {problem}"),
                "use lowercase letters, digits and '-' (a DNS-1123 label, at most 63 characters)",
            );
        }
        if let Some(first) = seen.insert((kind, ns, name), origin) {
            seen.insert((kind, ns, name), first);
            out.error(
                "duplicate-name",
                origin,
                "name",
                format!("{kind} {name:?} is defined twice in namespace {ns:?} (first at {first})"),
                format!("rename one of them; {kind} names must be unique per namespace"),
            );
        }
    }
}

fn check_runtimes(inv: &Inventory, all: &[ObjectRef], out: &mut Out) {
    let mut per_ns: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for rt in &inv.runtimes {
        let ns = rt.object.namespace();
        if let Some(first) = per_ns.get(ns) {
            out.error(
                "runtime-duplicate",
                &rt.origin,
                "name",
                format!(
                    "namespace {ns:?} already has a SeldonRuntime (at {first}); a namespace holds exactly one, since each creates the fixed-name seldon-scheduler"
                ),
                "keep one SeldonRuntime per namespace",
            );
        } else {
            per_ns.insert(ns, &rt.origin);
        }
        let config = &rt.object.spec.seldon_config;
        if !inv.seldon_configs.iter().any(|c| c == config) {
            out.error(
                "seldon-config-unknown",
                &rt.origin,
                "seldonConfig",
                format!(
                    "SeldonConfig {config:?} does not exist in the controller namespace {:?}; SeldonConfigs are always read from there",
                    inv.controller_namespace
                ),
                format!("use one of: {}", inv.seldon_configs.join(", ")),
            );
        }
    }
    // Objects come namespace by namespace: look each namespace up once per run.
    let mut served = None;
    for &(kind, origin, ns, name) in all {
        if kind == "SeldonRuntime" {
            continue;
        }
        let has_runtime = match served {
            Some((last, has)) if last == ns => has,
            _ => per_ns.contains_key(ns),
        };
        served = Some((ns, has_runtime));
        if has_runtime {
            continue;
        }
        out.error(
            "runtime-missing",
            origin,
            "name",
            format!(
                "{kind} {name:?} is in namespace {ns:?}, which has no SeldonRuntime; the Seldon controller dials seldon-scheduler.{ns} for it, so it would never become ready"
            ),
            format!("deploy it into a namespace that has a SeldonRuntime, or add a SeldonRuntime to {ns:?}"),
        );
    }
}

/// Upstream exposes scheduler and envoy as LoadBalancer unless told otherwise, and runs
/// hodometer, which reports usage to the internet (FACTS §2, §3).
fn check_runtime_exposure(inv: &Inventory, out: &mut Out) {
    use crate::kinds::{Component, ServiceType};
    for rt in &inv.runtimes {
        let spec = &rt.object.spec;
        let ns = rt.object.namespace();
        for (i, component) in [Component::Scheduler, Component::Envoy]
            .into_iter()
            .enumerate()
        {
            let overridden = spec.overrides.iter().find(|o| o.name == component);
            let service_type = match overridden {
                // An override's serviceType is used even when empty (= ClusterIP).
                Some(o) => o.service_type.unwrap_or(ServiceType::ClusterIP),
                None => spec
                    .config
                    .as_ref()
                    .and_then(|c| c.service_config.as_ref())
                    .and_then(|s| s.service_type)
                    .unwrap_or(ServiceType::LoadBalancer),
            };
            if service_type == ServiceType::LoadBalancer {
                let name = ["seldon-scheduler", "seldon-envoy"][i];
                let why = if overridden.is_some() {
                    "its override asks for LoadBalancer"
                } else {
                    "without an override Seldon defaults to LoadBalancer"
                };
                out.warning(
                    "runtime-exposed",
                    &rt.origin,
                    "overrides",
                    format!("SeldonRuntime in namespace {ns:?} exposes {name} as a LoadBalancer ({why})"),
                    format!("add an override {{name: {name}, serviceType: ClusterIP}} and expose inference through an ingress you choose"),
                );
            }
        }
        let hodometer_off = spec
            .overrides
            .iter()
            .any(|o| o.name == Component::Hodometer && o.disable == Some(true));
        if !hodometer_off {
            out.warning(
                "hodometer-enabled",
                &rt.origin,
                "overrides",
                format!("SeldonRuntime in namespace {ns:?} runs hodometer, which sends usage metrics to hodometer.seldon.io on the internet"),
                "add an override {name: hodometer, disable: true}",
            );
        }
    }
}

/// A Server as the scheduler sees it.
struct ServerView<'a> {
    name: &'a str,
    namespace: &'a str,
    /// `None` when the ServerConfig is unknown (already reported): matches anything.
    capabilities: Option<Vec<String>>,
    /// Bytes a replica can hold, `None` when unknown.
    capacity: Option<f64>,
    capacity_note: String,
    /// The replicas it starts with.
    replicas: u64,
    /// The most replicas it may run, `None` when it autoscales without a bound.
    most: Option<u64>,
}

fn check_replicas(
    origin: &str,
    kind: &str,
    name: &str,
    replicas: Option<i32>,
    min: Option<i32>,
    max: Option<i32>,
    out: &mut Out,
) {
    for (field, value) in [
        ("replicas", replicas),
        ("minReplicas", min),
        ("maxReplicas", max),
    ] {
        if let Some(v) = value
            && v < 0
        {
            out.error(
                "replica-bounds",
                origin,
                field,
                format!("{kind} {name:?} has {field} {v}; replica counts cannot be negative"),
                "use 0 or more",
            );
            return;
        }
    }
    let min_v = min.unwrap_or(0);
    let replicas_v = replicas.unwrap_or(if min_v > 0 { min_v } else { 1 });
    let max_v = max.unwrap_or(0);
    if min_v > replicas_v {
        out.error(
            "replica-bounds",
            origin,
            "minReplicas",
            format!(
                "{kind} {name:?} has minReplicas {min_v} above replicas {replicas_v}; Seldon requires minReplicas <= replicas <= maxReplicas and marks the {kind} Failed otherwise"
            ),
            "lower minReplicas or raise replicas",
        );
    } else if max_v > 0 && replicas_v > max_v {
        out.error(
            "replica-bounds",
            origin,
            "maxReplicas",
            format!(
                "{kind} {name:?} has replicas {replicas_v} above maxReplicas {max_v}; Seldon requires minReplicas <= replicas <= maxReplicas and marks the {kind} Failed otherwise"
            ),
            "raise maxReplicas (0 means unbounded) or lower replicas",
        );
    }
}

fn check_servers<'a>(inv: &Inventory<'a>, out: &mut Out) -> Vec<ServerView<'a>> {
    let mut views = Vec::new();
    for l in &inv.servers {
        let s: &'a Server = l.object;
        let spec = &s.spec;
        check_replicas(
            &l.origin,
            "Server",
            s.name(),
            spec.replicas,
            spec.min_replicas,
            spec.max_replicas,
            out,
        );
        let config = inv
            .server_configs
            .iter()
            .find(|c| c.name == spec.server_config);
        if config.is_none() {
            let known: Vec<&str> = inv.server_configs.iter().map(|c| c.name.as_str()).collect();
            out.error(
                "server-config-unknown",
                &l.origin,
                "serverConfig",
                format!(
                    "ServerConfig {:?} does not exist in the controller namespace {:?}; the controller reads a Server's ServerConfig from its own namespace, never the Server's",
                    spec.server_config, inv.controller_namespace
                ),
                format!("use one of: {}", known.join(", ")),
            );
        }
        let capabilities = config.map(|c| {
            if !spec.capabilities.is_empty() {
                spec.capabilities.clone()
            } else {
                let mut caps = c.capabilities.clone();
                caps.extend(spec.extra_capabilities.iter().cloned());
                caps
            }
        });
        let (capacity, capacity_note) = match config {
            None => (None, String::new()),
            Some(c) => {
                // The inference container after the Server's podSpec is merged in.
                let request = merged_containers(c, spec)
                    .into_iter()
                    .find(|k| k.name == c.container)
                    .and_then(|k| k.resources.requests.get("memory").cloned());
                match request.as_ref().map(|q| (q.value(), q)) {
                    Some((Ok(v), q)) => (
                        Some(v * (1.0 + c.overcommit_percent / 100.0)),
                        format!(
                            "{} request {q} + {}% overcommit",
                            c.container, c.overcommit_percent
                        ),
                    ),
                    // No request that says what a replica holds: not judged.
                    _ => (None, String::new()),
                }
            }
        };
        let scale = server_scale(spec, inv.install.server_autoscaling);
        views.push(ServerView {
            name: s.name(),
            namespace: s.namespace(),
            capabilities,
            capacity,
            capacity_note,
            replicas: scale.replicas,
            most: scale.most,
        });
    }
    views
}

/// The storageUri schemes Seldon's rclone storage serves (besides absolute paths).
pub const STORAGE_SCHEMES: &[&str] = &["gs", "s3", "az", "https", "http"];
/// Query parameters of a storageUri that carry credentials (matched case-insensitively).
pub const CREDENTIAL_PARAMS: &[&str] = &[
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "token",
    "access_key",
    "accesskey",
    "secret",
    "secret_key",
    "password",
    "awsaccesskeyid",
];

/// Whether a key or parameter name looks like it holds a secret (password, token, …).
pub fn looks_like_credential(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| n.contains(w))
        && !CREDENTIAL_EXEMPT_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// A name holds a secret if, lowercased and with everything but ASCII letters and digits
/// removed, it contains one of these words…
pub const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "credential",
];

/// …unless it ends with one of these (it names a Secret, e.g. `secretName`).
pub const CREDENTIAL_EXEMPT_SUFFIXES: &[&str] = &["name", "ref"];

/// Why a storageUri is refused, and the fix.
pub fn storage_uri_problem(uri: &str) -> Option<(String, String)> {
    let schemes = || {
        STORAGE_SCHEMES
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if uri.starts_with('/') {
        return None;
    }
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    // Credentials first, and never echo a URI that may hold them.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let query = rest.split_once('?').map(|(_, q)| q).unwrap_or("");
    let credential_param = query.split('&').find_map(|kv| {
        let key = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
        CREDENTIAL_PARAMS.contains(&key.as_str()).then_some(key)
    });
    if (!scheme.is_empty() && authority.contains('@')) || credential_param.is_some() {
        let what = match credential_param {
            Some(k) => format!("a {k:?} query parameter"),
            None => "user information before '@'".to_string(),
        };
        return Some((
            format!(
                "storageUri carries inline credentials ({what}); they would be committed to git in the rendered bundle"
            ),
            "remove them from the URI, store them in a Secret and name it in secretName"
                .to_string(),
        ));
    }
    if scheme.is_empty() {
        return Some((
            format!("storageUri {uri:?} has no scheme"),
            format!(
                "use one of {}, or an absolute path on a mounted volume",
                schemes()
            ),
        ));
    }
    if !STORAGE_SCHEMES.contains(&scheme) {
        return Some((
            format!(
                "storageUri {uri:?} has scheme {scheme:?}, which Seldon's rclone storage does not serve here"
            ),
            format!("use one of {}", schemes()),
        ));
    }
    if authority.is_empty() {
        return Some((
            format!("storageUri {uri:?} names no bucket or host"),
            format!("write it as {scheme}://bucket/path"),
        ));
    }
    None
}

fn check_models(inv: &Inventory, servers: &[ServerView], names: &Names, out: &mut Out) {
    // Servers by namespace, so scheduling checks stay linear in the number of models.
    let mut servers_in: std::collections::HashMap<&str, Vec<&ServerView>> =
        std::collections::HashMap::new();
    for sv in servers {
        servers_in.entry(sv.namespace).or_default().push(sv);
    }
    for l in &inv.models {
        let m = &l.object;
        let (ns, name, spec) = (m.namespace(), m.name(), &m.spec);
        let origin = l.origin.as_str();
        check_replicas(
            origin,
            "Model",
            name,
            spec.replicas,
            spec.min_replicas,
            spec.max_replicas,
            out,
        );
        if let Some((message, help)) = storage_uri_problem(&spec.storage_uri) {
            let rule = if message.contains("credentials") {
                "storage-credentials"
            } else {
                "storage-uri"
            };
            out.error(
                rule,
                origin,
                "storageUri",
                format!("Model {name:?}: {message}"),
                help,
            );
        }
        for (i, p) in spec.parameters.iter().enumerate() {
            if looks_like_credential(&p.name) {
                out.error(
                    "parameter-credential",
                    origin,
                    format!("parameters[{i}].name"),
                    format!("Model {name:?} parameter {:?} looks like a credential; its value would be committed to git in the rendered bundle", p.name),
                    "give the model its credentials through a Secret (secretName), not a parameter",
                );
            }
        }
        if spec.explainer.is_some() && spec.llm.is_some() {
            out.error(
                "model-explainer-llm",
                origin,
                "llm",
                format!(
                    "Model {name:?} sets both explainer and llm; Seldon accepts only one of them"
                ),
                "keep explainer or llm, not both",
            );
        }
        let refs = [
            (
                "explainer.modelRef",
                spec.explainer.as_ref().and_then(|e| e.model_ref.as_deref()),
                ResourceType::Model,
            ),
            (
                "explainer.pipelineRef",
                spec.explainer
                    .as_ref()
                    .and_then(|e| e.pipeline_ref.as_deref()),
                ResourceType::Pipeline,
            ),
            (
                "llm.modelRef",
                spec.llm.as_ref().and_then(|e| e.model_ref.as_deref()),
                ResourceType::Model,
            ),
            (
                "llm.pipelineRef",
                spec.llm.as_ref().and_then(|e| e.pipeline_ref.as_deref()),
                ResourceType::Pipeline,
            ),
        ];
        for (field, target, resource) in refs {
            let kind = resource.kind();
            if let Some(target) = target
                && !names.has(resource, ns, target)
            {
                out.error(
                    "reference-missing",
                    origin,
                    field,
                    format!("Model {name:?} refers to {kind} {target:?}, which does not exist in namespace {ns:?}"),
                    format!("name a {kind} defined in {ns:?}"),
                );
            }
        }

        // Scheduling: requirements, then memory, then replicas.
        let mut required: Vec<&str> = spec.requirements.iter().map(|r| r.trim()).collect();
        if let Some(t) = &spec.model_type {
            required.push(t.trim());
        }
        if spec.explainer.is_some() {
            required.push("alibi-explain");
        }
        let in_ns: &[&ServerView] = servers_in.get(ns).map_or(&[], Vec::as_slice);
        let candidates: Vec<&ServerView> = match &spec.server {
            Some(pin) => {
                let found: Vec<&ServerView> =
                    in_ns.iter().copied().filter(|s| s.name == pin).collect();
                if found.is_empty() {
                    let known: Vec<&str> = in_ns.iter().map(|s| s.name).collect();
                    let choose = format!(
                        "name one of the Servers in {ns:?}: {}",
                        list(known.iter().copied())
                    );
                    out.error(
                        "server-missing",
                        origin,
                        "server",
                        format!("Model {name:?} is pinned to Server {pin:?}, which does not exist in namespace {ns:?}"),
                        match did_you_mean(pin, &known) {
                            Some(d) => format!("{d} ({choose})"),
                            None => choose,
                        },
                    );
                    continue;
                }
                found
            }
            None => in_ns.to_vec(),
        };
        if candidates.is_empty() {
            out.error(
                "requirements-unsatisfied",
                origin,
                "requirements",
                format!("Model {name:?} cannot be scheduled: namespace {ns:?} has no Server"),
                format!("add a Server to namespace {ns:?}"),
            );
            continue;
        }
        let capable: Vec<&ServerView> = candidates
            .iter()
            .copied()
            .filter(|s| {
                s.capabilities
                    .as_ref()
                    .is_none_or(|caps| required.iter().all(|r| caps.iter().any(|c| c == r)))
            })
            .collect();
        if capable.is_empty() {
            let lacks: Vec<String> = candidates
                .iter()
                .map(|s| {
                    let caps = s.capabilities.as_deref().unwrap_or(&[]);
                    let missing: Vec<&str> = required
                        .iter()
                        .copied()
                        .filter(|r| !caps.iter().any(|c| c == r))
                        .collect();
                    format!("{} lacks {}", s.name, missing.join(", "))
                })
                .collect();
            let field = if spec.requirements.is_empty() && spec.model_type.is_some() {
                "modelType"
            } else {
                "requirements"
            };
            let capabilities_help = "(mlserver: sklearn, xgboost, lightgbm, mlflow, huggingface, python, …; triton: onnx, pytorch, tensorflow, tensorrt, python, …)";
            let (scope, help) = match &spec.server {
                Some(pin) => {
                    let capable_elsewhere: Vec<&str> = in_ns
                        .iter()
                        .filter(|s| {
                            s.capabilities.as_ref().is_some_and(|caps| {
                                required.iter().all(|r| caps.iter().any(|c| c == r))
                            })
                        })
                        .map(|s| s.name)
                        .collect();
                    let elsewhere = if capable_elsewhere.is_empty() {
                        format!(
                            "pin a Server whose ServerConfig advertises them {capabilities_help}"
                        )
                    } else {
                        format!(
                            "pin a Server that offers them ({})",
                            capable_elsewhere.join(", ")
                        )
                    };
                    (
                        format!("its pinned Server {pin:?} does not offer all of them"),
                        format!(
                            "the Model is pinned by `server: {pin}`: remove the pin to let the scheduler choose a capable Server, {elsewhere}, or give Server {pin:?} these capabilities (capabilities/extraCapabilities)"
                        ),
                    )
                }
                None => (
                    format!("no Server in namespace {ns:?} offers all of them"),
                    format!(
                        "add a Server whose ServerConfig advertises these capabilities {capabilities_help}, or extend a Server with capabilities/extraCapabilities"
                    ),
                ),
            };
            out.error(
                "requirements-unsatisfied",
                origin,
                field,
                format!(
                    "Model {name:?} requires [{}], but {scope} ({})",
                    required.join(", "),
                    lacks.join("; ")
                ),
                help,
            );
            continue;
        }
        let memory = match &spec.memory {
            None => 0.0,
            Some(q) => match q.value() {
                Ok(v) => v,
                Err(e) => {
                    out.error(
                        "memory-invalid",
                        origin,
                        "memory",
                        format!("Model {name:?}: {e}"),
                        "write memory like 100Ki, 512Mi or 2Gi",
                    );
                    continue;
                }
            },
        };
        let fitting: Vec<&ServerView> = capable
            .iter()
            .copied()
            .filter(|s| s.capacity.is_none_or(|c| memory <= c))
            .collect();
        if fitting.is_empty() {
            let best = capable
                .iter()
                .max_by(|a, b| {
                    a.capacity
                        .unwrap_or(0.0)
                        .total_cmp(&b.capacity.unwrap_or(0.0))
                })
                .expect("capable is not empty");
            out.error(
                "memory-too-large",
                origin,
                "memory",
                format!(
                    "Model {name:?} needs {} of memory, but the largest capable server replica ({}) holds {} ({})",
                    human_bytes(memory),
                    best.name,
                    human_bytes(best.capacity.unwrap_or(0.0)),
                    best.capacity_note
                ),
                "lower the model's memory, or give a capable Server more memory",
            );
            continue;
        }
        check_model_fits_replicas(origin, name, spec, &fitting, out);
    }
}

/// All replicas of a Model go onto one Server, each on its own server replica (FACTS §5):
/// a Model that needs more replicas than any capable Server can ever run is never
/// scheduled. A Server that autoscales without a bound can grow, so there it is a
/// warning: the Model waits until the scheduler has scaled the Server up.
fn check_model_fits_replicas(
    origin: &str,
    name: &str,
    spec: &crate::kinds::ModelSpec,
    fitting: &[&ServerView],
    out: &mut Out,
) {
    let by_min = spec.min_replicas.is_some_and(|m| m > 0);
    let needed = spec
        .min_replicas
        .filter(|m| *m > 0)
        .or(spec.replicas)
        .unwrap_or(1)
        .max(0) as u64;
    let field = if by_min { "minReplicas" } else { "replicas" };
    let servers = list(fitting.iter().map(|s| s.name));
    let fits = |s: &&ServerView| match s.most {
        Some(most) => needed <= most,
        None => needed <= s.replicas,
    };
    if fitting.iter().any(fits) {
        return;
    }
    if fitting.iter().all(|s| s.most.is_some()) {
        let most = fitting.iter().filter_map(|s| s.most).max().unwrap_or(0);
        out.error(
            "replicas-exceed-server",
            origin,
            field,
            format!(
                "Model {name:?} needs {needed} replicas, but each replica needs its own server replica and the capable Servers ({servers}) run at most {most}"
            ),
            "lower the model's replicas, or raise the Server's replicas (or maxReplicas when it autoscales)",
        );
    } else {
        let now = fitting.iter().map(|s| s.replicas).max().unwrap_or(0);
        out.warning(
            "replicas-exceed-server",
            origin,
            field,
            format!(
                "Model {name:?} needs {needed} replicas, but the capable Servers ({servers}) start with at most {now}; it is scheduled only once the scheduler has scaled a Server up, which nothing bounds (no maxReplicas)"
            ),
            "give the Server replicas enough for the model, or bound its autoscaling with maxReplicas at or above the model's replicas",
        );
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// (namespace, name) of every Model and of every Pipeline, for the rules that check a
/// reference. Each set is built on first use: most profiles refer to nothing.
struct Names<'a> {
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

/// The step or pipeline that a reference such as `step.outputs.TENSOR` names, and
/// whether its second part is valid.
fn reference_head(reference: &str) -> (&str, bool) {
    let mut parts = reference.split('.');
    let head = parts.next().unwrap_or("");
    let ok = match parts.next() {
        None => true,
        Some(p) => p == "inputs" || p == "outputs",
    };
    (head, ok)
}

fn check_pipelines(inv: &Inventory, names: &Names, out: &mut Out) {
    let pipelines: BTreeMap<(&str, &str), &Pipeline> = inv
        .pipelines
        .iter()
        .map(|l| ((l.object.namespace(), l.object.name()), l.object))
        .collect();
    for l in &inv.pipelines {
        let p = &l.object;
        let (ns, name, spec) = (p.namespace(), p.name(), &p.spec);
        let origin = l.origin.as_str();
        if spec.steps.is_empty() {
            out.error(
                "pipeline-empty",
                origin,
                "steps",
                format!("Pipeline {name:?} has no steps"),
                "add at least one step naming a Model",
            );
        }
        let mut steps: BTreeSet<&str> = BTreeSet::new();
        for (i, step) in spec.steps.iter().enumerate() {
            let s = step.name.as_str();
            if s == name {
                out.error(
                    "pipeline-step-name",
                    origin,
                    format!("steps[{i}].name"),
                    format!("Pipeline {name:?} has a step with its own name; Seldon reads a bare {name:?} as the pipeline's inputs"),
                    "rename the pipeline or the model",
                );
            }
            if !steps.insert(s) {
                out.error(
                    "pipeline-step-duplicate",
                    origin,
                    format!("steps[{i}].name"),
                    format!("Pipeline {name:?} lists step {s:?} twice"),
                    "list each step once",
                );
            }
            if !names.has(ResourceType::Model, ns, s) {
                let elsewhere = names.elsewhere(ResourceType::Model, ns, s);
                let (message, help) = if elsewhere.is_empty() {
                    (
                        format!(
                            "Pipeline {name:?} step {s:?} is not a Model in namespace {ns:?}; each step runs the Model of the same name"
                        ),
                        format!(
                            "{}define Model {s:?} in the same namespace, or fix the step name",
                            names.suggestion(ResourceType::Model, ns, s)
                        ),
                    )
                } else {
                    let there = elsewhere
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (
                        format!(
                            "Pipeline {name:?} step {s:?} is not a Model in namespace {ns:?}: Model {s:?} lives in namespace {there}, and a step runs the Model of that name in the Pipeline's own namespace, so steps cannot cross namespaces"
                        ),
                        format!(
                            "define the Pipeline in {there} (in a gen profile: in an application of the tenant that owns it), or deploy a Model {s:?} in {ns:?}"
                        ),
                    )
                };
                out.error(
                    "pipeline-step-unknown",
                    origin,
                    format!("steps[{i}].name"),
                    message,
                    help,
                );
            }
        }
        let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (i, step) in spec.steps.iter().enumerate() {
            for (what, refs) in [("inputs", &step.inputs), ("triggers", &step.triggers)] {
                for (j, r) in refs.iter().enumerate() {
                    let (head, ok) = reference_head(r);
                    let field = format!("steps[{i}].{what}[{j}]");
                    if !ok {
                        out.error(
                            "pipeline-reference",
                            origin,
                            field,
                            format!("Pipeline {name:?} reference {r:?} is malformed"),
                            "write `step`, `step.outputs`, `step.outputs.TENSOR` or `step.inputs.TENSOR`",
                        );
                    } else if head == name {
                        // The pipeline's own inputs.
                    } else if !steps.contains(head) {
                        out.error(
                            "pipeline-reference",
                            origin,
                            field,
                            format!("Pipeline {name:?} step {:?} {what} {r:?}, but {head:?} is not a step of this pipeline", step.name),
                            format!("name one of the steps ({}) or the pipeline itself ({name:?}) for its inputs", list(steps.iter().copied())),
                        );
                    } else {
                        graph.entry(step.name.as_str()).or_default().push(head);
                    }
                }
            }
            for (j, t) in step.triggers.iter().enumerate() {
                if step.inputs.contains(t) {
                    out.error(
                        "pipeline-reference",
                        origin,
                        format!("steps[{i}].triggers[{j}]"),
                        format!(
                            "Pipeline {name:?} step {:?} uses {t:?} both as input and trigger",
                            step.name
                        ),
                        "inputs and triggers must differ",
                    );
                }
            }
        }
        if let Some(output) = &spec.output {
            for (j, r) in output.steps.iter().enumerate() {
                let (head, ok) = reference_head(r);
                if !ok || !steps.contains(head) {
                    out.error(
                        "pipeline-reference",
                        origin,
                        format!("output.steps[{j}]"),
                        format!("Pipeline {name:?} output names {r:?}, which is not a step of this pipeline"),
                        format!("name one of the steps: {}", list(steps.iter().copied())),
                    );
                }
            }
        }
        if let Some(input) = &spec.input {
            for (what, refs) in [
                ("externalInputs", &input.external_inputs),
                ("externalTriggers", &input.external_triggers),
            ] {
                for (j, r) in refs.iter().enumerate() {
                    let mut parts = r.split('.');
                    let other = parts.next().unwrap_or("");
                    let field = format!("input.{what}[{j}]");
                    match pipelines.get(&(ns, other)) {
                        None => out.error(
                            "pipeline-reference",
                            origin,
                            field,
                            format!("Pipeline {name:?} consumes {r:?}, but there is no Pipeline {other:?} in namespace {ns:?}"),
                            "write `<pipeline>.(inputs|outputs)[.tensor]` naming a Pipeline in the same namespace",
                        ),
                        Some(target) => {
                            if parts.next() == Some("step") {
                                let step = parts.next().unwrap_or("");
                                if !target.spec.steps.iter().any(|s| s.name == step) {
                                    out.error(
                                        "pipeline-reference",
                                        origin,
                                        field,
                                        format!("Pipeline {name:?} consumes {r:?}, but Pipeline {other:?} has no step {step:?}"),
                                        format!("name a step of {other:?}"),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        if spec.allow_cycles != Some(true)
            && let Some(cycle) = find_cycle(&graph)
        {
            out.error(
                "pipeline-cycle",
                origin,
                "steps",
                format!("Pipeline {name:?} has a cycle: {}", cycle.join(" -> ")),
                "break the cycle, or set allowCycles: true (with maxStepRevisits) if it is intended",
            );
        }
    }
}

fn find_cycle<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let start = stack.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(node);
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        let mut stack = Vec::new();
        if let Some(c) = visit(node, graph, &mut state, &mut stack) {
            return Some(c);
        }
    }
    None
}

fn check_experiments(inv: &Inventory, names: &Names, out: &mut Out) {
    let mut defaults: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for l in &inv.experiments {
        let e = &l.object;
        let (ns, name, spec) = (e.namespace(), e.name(), &e.spec);
        let origin = l.origin.as_str();
        let resource = spec.resource_type.unwrap_or_default();

        let kind = resource.kind();
        if spec.candidates.is_empty() && spec.mirror.is_none() {
            out.error(
                "experiment-empty",
                origin,
                "candidates",
                format!("Experiment {name:?} has no candidates and no mirror"),
                "add candidates with weights",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, c) in spec.candidates.iter().enumerate() {
            if !seen.insert(c.name.as_str()) {
                out.error(
                    "experiment-candidate-duplicate",
                    origin,
                    format!("candidates[{i}].name"),
                    format!("Experiment {name:?} lists candidate {:?} twice", c.name),
                    "list each candidate once",
                );
            }
            if !names.has(resource, ns, &c.name) {
                out.error(
                    "experiment-candidate-missing",
                    origin,
                    format!("candidates[{i}].name"),
                    format!(
                        "Experiment {name:?} candidate {:?} is not a {kind} in namespace {ns:?}",
                        c.name
                    ),
                    format!(
                        "{}define {kind} {:?} in the same namespace, or fix the name",
                        names.suggestion(resource, ns, &c.name),
                        c.name
                    ),
                );
            }
        }
        if !spec.candidates.is_empty() && spec.candidates.iter().all(|c| c.weight == 0) {
            out.error(
                "experiment-weights",
                origin,
                "candidates",
                format!(
                    "Experiment {name:?} candidate weights sum to 0, so no traffic can be split"
                ),
                "give at least one candidate a positive weight",
            );
        }
        for (i, c) in spec.candidates.iter().enumerate() {
            if c.weight > i32::MAX as u32 {
                out.error(
                    "experiment-weights",
                    origin,
                    format!("candidates[{i}].weight"),
                    format!("Experiment {name:?} candidate {:?} has weight {}; the CRD takes a 32-bit signed integer", c.name, c.weight),
                    "use weights such as 50/50 or 90/10; only their ratio matters",
                );
            }
        }
        if let Some(m) = &spec.mirror
            && m.percent > 100
        {
            out.error(
                "experiment-mirror",
                origin,
                "mirror.percent",
                format!(
                    "Experiment {name:?} mirrors {}% of the traffic; a percentage is at most 100",
                    m.percent
                ),
                "set mirror.percent between 0 and 100",
            );
        }
        if let Some(d) = &spec.default {
            if !seen.contains(d.as_str()) {
                out.error(
                    "experiment-default",
                    origin,
                    "default",
                    format!(
                        "Experiment {name:?} default {d:?} is not one of its candidates ({})",
                        list(seen.iter().copied())
                    ),
                    format!(
                        "{}add {d:?} to candidates, or set default to one of them",
                        did_you_mean(d, &seen.iter().copied().collect::<Vec<_>>())
                            .map(|d| format!("{d} "))
                            .unwrap_or_default()
                    ),
                );
            }
            if let Some(first) = defaults.insert((ns, d.as_str()), name) {
                out.error(
                    "experiment-default-shared",
                    origin,
                    "default",
                    format!("Experiment {name:?} uses default {d:?}, which Experiment {first:?} already uses; only one experiment may take over an endpoint at a time"),
                    "give one of the experiments another default",
                );
            }
        }
        if let Some(m) = &spec.mirror {
            if seen.contains(m.name.as_str()) {
                out.error(
                    "experiment-mirror",
                    origin,
                    "mirror.name",
                    format!("Experiment {name:?} mirror {:?} is also a candidate; Seldon refuses a mirror that is a candidate", m.name),
                    "mirror a model that is not a candidate, or drop it from candidates",
                );
            }
            if !names.has(resource, ns, &m.name) {
                out.error(
                    "experiment-candidate-missing",
                    origin,
                    "mirror.name",
                    format!(
                        "Experiment {name:?} mirror {:?} is not a {kind} in namespace {ns:?}",
                        m.name
                    ),
                    format!(
                        "define {kind} {:?} in the same namespace, or fix the name",
                        m.name
                    ),
                );
            }
        }
    }
}
