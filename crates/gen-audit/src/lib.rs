//! Audit existing YAML trees with the Seldon run-time rules.
//!
//! [`audit`] walks the given paths, reads every `.yaml`/`.yml` document, turns the Seldon
//! objects into a `gen_seldon::rules::Inventory` (origin = `file:line`), finds the
//! controller namespace, and runs `gen_seldon::rules::check`. Nothing is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use gen_seldon::catalog::{
    DEFAULT_OVERCOMMIT_PERCENT, DEFAULT_SELDON_CONFIG, Install, ServerConfigInfo,
    upstream_server_configs,
};
use gen_seldon::kinds::{ContainerResources, Resources};
use gen_seldon::rules::{
    Located, OwnedInventory, QuotaInfo, QuotaLimit, SecretInfo, Severity, check,
};
use gen_seldon::{Experiment, Model, Pipeline, Quantity, SeldonRuntime, Server};

/// The namespace the setup chart installs into when nothing says otherwise.
pub const UPSTREAM_CONTROLLER_NAMESPACE: &str = "seldon-mesh";

/// One problem in an audited tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub severity: Severity,
    pub rule: String,
    pub file: String,
    pub line: u64,
    /// `Kind namespace/name` of the object.
    pub object: String,
    /// The offending field, relative to the object's spec.
    pub field: String,
    pub message: String,
    pub help: String,
}

/// A file or document that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub file: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AuditReport {
    pub controller_namespace: String,
    pub files_read: usize,
    pub seldon_objects: usize,
    pub findings: Vec<AuditFinding>,
    pub notes: Vec<Note>,
}

impl AuditReport {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// 0 when clean, 1 on errors (or on warnings with `strict`).
    pub fn exit_code(&self, strict: bool) -> i32 {
        if self.errors() > 0 || (strict && self.warnings() > 0) {
            1
        } else {
            0
        }
    }

    /// Human-readable text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let _ = writeln!(
                out,
                "{}:{}: {}[{}]: {}",
                f.file, f.line, f.severity, f.rule, f.message
            );
            let _ = writeln!(
                out,
                "  object: {}{}",
                f.object,
                if f.field.is_empty() || f.field == "name" {
                    String::new()
                } else {
                    format!(" (spec.{})", f.field)
                }
            );
            let _ = writeln!(out, "  = help: {}", f.help);
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {}: {}", n.file, n.message);
        }
        let _ = writeln!(
            out,
            "audit: {} Seldon objects in {} files, controller namespace {:?}: {} errors, {} warnings",
            self.seldon_objects,
            self.files_read,
            self.controller_namespace,
            self.errors(),
            self.warnings()
        );
        out
    }
}

/// A Kubernetes object read from a file.
struct Document {
    file: String,
    line: u64,
    value: Value,
    /// The namespace from a kustomization.yaml above the file, for objects without one.
    inherited_namespace: Option<String>,
}

/// `path` itself if it is a file, else the YAML files below it in name order; hidden
/// entries, `target` and `node_modules` are skipped, and links below `path` are not
/// followed (nor read).
fn yaml_files(path: &Utf8Path, out: &mut Vec<Utf8PathBuf>) -> io::Result<()> {
    let skipped = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() > 0 && (name.starts_with('.') || name == "target" || name == "node_modules")
    };
    let walk = walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e));
    for entry in walk {
        let entry = entry?;
        let yaml = entry
            .path()
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml");
        if entry.file_type().is_file() && (entry.depth() == 0 || yaml) {
            let p = Utf8PathBuf::from_path_buf(entry.into_path()).map_err(|p| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: not UTF-8", p.display()),
                )
            })?;
            out.push(p);
        }
    }
    Ok(())
}

/// The `namespace:` of the nearest kustomization.yaml at or above `dir` (up to `root`).
fn kustomize_namespace(
    dir: &Utf8Path,
    root: &Utf8Path,
    cache: &mut BTreeMap<Utf8PathBuf, Option<String>>,
) -> Option<String> {
    let mut d = Some(dir);
    while let Some(cur) = d {
        let found = cache
            .entry(cur.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(cur.join("kustomization.yaml")).ok()?;
                let v: Value = serde_saphyr::from_str(&text).ok()?;
                v.get("namespace")?.as_str().map(str::to_string)
            })
            .clone();
        if found.is_some() {
            return found;
        }
        if cur == root {
            break;
        }
        d = cur.parent();
    }
    None
}

fn read_documents(paths: &[Utf8PathBuf], report: &mut AuditReport) -> io::Result<Vec<Document>> {
    let mut docs = Vec::new();
    let mut cache = BTreeMap::new();
    for root in paths {
        let mut files = Vec::new();
        yaml_files(root, &mut files)
            .map_err(|e| io::Error::new(e.kind(), format!("{root}: {e}")))?;
        let root_dir = if root.is_dir() {
            root.clone()
        } else {
            root.parent().map(Utf8Path::to_path_buf).unwrap_or_default()
        };
        for file in files {
            report.files_read += 1;
            let bytes = std::fs::read(&file)?;
            let Ok(text) = String::from_utf8(bytes) else {
                report.notes.push(Note {
                    file: file.to_string(),
                    message: "skipped: not UTF-8 text".into(),
                });
                continue;
            };
            let parsed: Result<Vec<Spanned<Value>>, _> = serde_saphyr::from_multiple(&text);
            let values = match parsed {
                Ok(v) => v,
                Err(e) => {
                    let first = e.without_snippet().to_string();
                    let first = first.lines().next().unwrap_or("").to_string();
                    report.notes.push(Note {
                        file: file.to_string(),
                        message: format!("skipped: not valid YAML ({first})"),
                    });
                    continue;
                }
            };
            let inherited =
                kustomize_namespace(file.parent().unwrap_or(&root_dir), &root_dir, &mut cache);
            let mut skipped = 0;
            for v in values {
                let is_k8s = v.value.get("apiVersion").and_then(Value::as_str).is_some()
                    && v.value.get("kind").and_then(Value::as_str).is_some();
                if v.value.is_null() {
                    continue;
                }
                if !is_k8s {
                    skipped += 1;
                    continue;
                }
                docs.push(Document {
                    file: file.to_string(),
                    line: v.referenced.line(),
                    value: v.value,
                    inherited_namespace: inherited.clone(),
                });
            }
            if skipped > 0 {
                report.notes.push(Note {
                    file: file.to_string(),
                    message: format!("skipped {skipped} document(s) without apiVersion and kind (not Kubernetes YAML)"),
                });
            }
        }
    }
    Ok(docs)
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// The chart name of a Flux HelmRelease or an Argo CD Application (first source that
/// names one).
fn chart_of(v: &Value) -> Option<&str> {
    match str_at(v, &["kind"])? {
        "HelmRelease" => str_at(v, &["spec", "chart", "spec", "chart"]),
        "Application" => str_at(v, &["spec", "source", "chart"]).or_else(|| {
            v.pointer("/spec/sources")?
                .as_array()?
                .iter()
                .find_map(|s| s.get("chart")?.as_str())
        }),
        _ => None,
    }
}

const SETUP_CHART: &str = "seldon-core-v2-setup";

/// The values a setup release installs with, if the tree says all of them: a Flux
/// HelmRelease's `values` (without `valuesFrom`, which lives elsewhere), or an Argo CD
/// Application's `helm.valuesObject` or `helm.values` (YAML text).
fn setup_values(v: &Value) -> Option<Value> {
    match str_at(v, &["kind"])? {
        "HelmRelease" => {
            if v.pointer("/spec/valuesFrom").is_some_and(|f| !f.is_null()) {
                return None;
            }
            Some(v.pointer("/spec/values").cloned().unwrap_or(Value::Null))
        }
        "Application" => {
            let sources: Vec<&Value> = match v.pointer("/spec/sources").and_then(Value::as_array) {
                Some(list) => list.iter().collect(),
                None => v.pointer("/spec/source").into_iter().collect(),
            };
            let source = sources
                .into_iter()
                .find(|s| s.get("chart").and_then(Value::as_str) == Some(SETUP_CHART))?;
            let helm = source.get("helm");
            if helm
                .and_then(|h| h.get("valueFiles"))
                .is_some_and(|f| f.as_array().is_some_and(|a| !a.is_empty()))
            {
                return None;
            }
            match helm {
                None => Some(Value::Null),
                Some(h) => match (
                    h.get("valuesObject"),
                    h.get("values").and_then(Value::as_str),
                ) {
                    (Some(o), _) => Some(o.clone()),
                    (None, Some(text)) => serde_saphyr::from_str(text).ok(),
                    (None, None) => Some(Value::Null),
                },
            }
        }
        _ => None,
    }
}

/// The setup chart's values that the rules judge, from the first setup release in the
/// tree; the chart's defaults (not known) without one.
fn detect_install(docs: &[Document]) -> Install {
    let Some(release) = docs
        .iter()
        .find(|d| chart_of(&d.value) == Some(SETUP_CHART))
    else {
        return Install::default();
    };
    let Some(values) = setup_values(&release.value) else {
        return Install::default();
    };
    let get = |path: &str| values.pointer(path);
    let mut install = Install::chart_defaults();
    install.kafka_bootstrap = get("/kafka/bootstrap")
        .and_then(Value::as_str)
        .filter(|b| !b.trim().is_empty())
        .map(str::to_string);
    if let Some(on) = get("/autoscaling/autoscalingServerEnabled").and_then(|v| {
        v.as_bool()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    }) {
        install.server_autoscaling = on;
    }
    if let Some(endpoint) = get("/opentelemetry/endpoint").and_then(Value::as_str) {
        install.tracing_endpoint = endpoint.to_string();
    }
    install
}

/// Where the controller (and so SeldonConfig and ServerConfigs) lives, from the tree.
fn detect_controller_namespace(docs: &[Document]) -> Option<String> {
    for d in docs {
        let v = &d.value;
        let kind = str_at(v, &["kind"]).unwrap_or("");
        let found = match kind {
            "HelmRelease" if chart_of(v) == Some(SETUP_CHART) => {
                str_at(v, &["spec", "targetNamespace"]).or(str_at(v, &["metadata", "namespace"]))
            }
            "Application" if chart_of(v) == Some(SETUP_CHART) => {
                str_at(v, &["spec", "destination", "namespace"])
            }
            "Deployment"
                if str_at(v, &["metadata", "name"]) == Some("seldon-v2-controller-manager") =>
            {
                str_at(v, &["metadata", "namespace"])
            }
            "SeldonConfig" | "ServerConfig"
                if str_at(v, &["apiVersion"]) == Some(gen_seldon::API_VERSION) =>
            {
                str_at(v, &["metadata", "namespace"])
            }
            _ => None,
        };
        if let Some(ns) = found {
            return Some(ns.to_string());
        }
    }
    None
}

/// Audit every YAML file under `paths`. `controller_namespace` overrides detection.
pub fn audit(paths: &[Utf8PathBuf], controller_namespace: Option<&str>) -> io::Result<AuditReport> {
    let mut report = AuditReport::default();
    let docs = read_documents(paths, &mut report)?;
    let controller = match controller_namespace
        .map(str::to_string)
        .or_else(|| detect_controller_namespace(&docs))
    {
        Some(ns) => ns,
        None => {
            report.notes.push(Note {
                file: String::new(),
                message: format!(
                    "no Seldon install found (setup chart, controller Deployment, SeldonConfig or ServerConfig); assuming the controller namespace {UPSTREAM_CONTROLLER_NAMESPACE:?}, pass --controller-namespace to set it"
                ),
            });
            UPSTREAM_CONTROLLER_NAMESPACE.to_string()
        }
    };
    let mut inv = OwnedInventory {
        controller_namespace: controller.clone(),
        seldon_configs: vec![DEFAULT_SELDON_CONFIG.to_string()],
        server_configs: upstream_server_configs(),
        install: detect_install(&docs),
        ..OwnedInventory::default()
    };
    // What each origin is, for messages.
    let mut objects: BTreeMap<String, (String, u64, String)> = BTreeMap::new();
    for d in docs {
        if let Some((kind, ns, name)) = read_supporting(&d, &mut inv) {
            objects.insert(
                format!("{}:{}", d.file, d.line),
                (d.file.clone(), d.line, format!("{kind} {ns}/{name}")),
            );
            continue;
        }
        if str_at(&d.value, &["apiVersion"]) != Some(gen_seldon::API_VERSION) {
            continue;
        }
        let kind = str_at(&d.value, &["kind"]).unwrap_or("").to_string();
        let mut value = d.value;
        if str_at(&value, &["metadata", "namespace"]).is_none()
            && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.insert(
                "namespace".into(),
                Value::String(
                    d.inherited_namespace
                        .clone()
                        .unwrap_or_else(|| "default".to_string()),
                ),
            );
        }
        let name = str_at(&value, &["metadata", "name"])
            .unwrap_or("")
            .to_string();
        let ns = str_at(&value, &["metadata", "namespace"])
            .unwrap_or("")
            .to_string();
        let origin = format!("{}:{}", d.file, d.line);
        objects.insert(
            origin.clone(),
            (d.file.clone(), d.line, format!("{kind} {ns}/{name}")),
        );
        macro_rules! add {
            ($list:expr, $ty:ty) => {
                match serde_json::from_value::<$ty>(value) {
                    Ok(o) => {
                        report.seldon_objects += 1;
                        $list.push(Located::new(o, origin.clone()));
                    }
                    Err(e) => report.findings.push(AuditFinding {
                        severity: Severity::Error,
                        rule: "invalid-object".into(),
                        file: d.file.clone(),
                        line: d.line,
                        object: format!("{kind} {ns}/{name}"),
                        field: String::new(),
                        message: format!("{kind} {name:?} does not match the v2.10.2 CRD: {e}"),
                        help: "fix the object; the API server would reject it".into(),
                    }),
                }
            };
        }
        match kind.as_str() {
            "SeldonRuntime" => add!(inv.runtimes, SeldonRuntime),
            "Server" => add!(inv.servers, Server),
            "Model" => add!(inv.models, Model),
            "Pipeline" => add!(inv.pipelines, Pipeline),
            "Experiment" => add!(inv.experiments, Experiment),
            "SeldonConfig" | "ServerConfig" => {
                report.seldon_objects += 1;
                if ns == controller {
                    if kind == "SeldonConfig" && !inv.seldon_configs.contains(&name) {
                        inv.seldon_configs.push(name);
                    } else if kind == "ServerConfig"
                        && !inv.server_configs.iter().any(|c| c.name == name)
                    {
                        inv.server_configs.push(server_config_info(&value, &name));
                    }
                } else {
                    report.notes.push(Note {
                        file: d.file.clone(),
                        message: format!(
                            "{kind} {name:?} is in namespace {ns:?}, not the controller namespace {controller:?}; the controller only reads {kind}s from its own namespace, so it is ignored"
                        ),
                    });
                }
            }
            _ => {}
        }
    }
    for f in check(&inv.view()) {
        let (file, line, object) = objects.get(&f.origin).cloned().unwrap_or_default();
        report.findings.push(AuditFinding {
            severity: f.severity,
            rule: f.rule.to_string(),
            file,
            line,
            object,
            field: f.field,
            message: f.message,
            help: f.help,
        });
    }
    report.controller_namespace = controller;
    report.findings.sort_by(|a, b| {
        (&a.file, a.line, &a.rule, &a.message).cmp(&(&b.file, b.line, &b.rule, &b.message))
    });
    Ok(report)
}

/// The namespace of a document: its own, else its kustomization's, else `default`.
fn namespace_of(d: &Document) -> String {
    str_at(&d.value, &["metadata", "namespace"])
        .map(str::to_string)
        .or_else(|| d.inherited_namespace.clone())
        .unwrap_or_else(|| "default".to_string())
}

/// The keys of a map field (`data`, `stringData`, `encryptedData`).
fn keys_of<'a>(v: &'a Value, field: &str) -> impl Iterator<Item = &'a String> {
    v.get(field)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

/// A Secret, a resource that makes one (an External Secrets ExternalSecret, a Sealed
/// Secrets SealedSecret), or a ResourceQuota, added to the inventory. Returns its kind,
/// namespace and name, or `None` for any other document.
fn read_supporting(d: &Document, inv: &mut OwnedInventory) -> Option<(String, String, String)> {
    let v = &d.value;
    let api = str_at(v, &["apiVersion"]).unwrap_or("");
    let kind = str_at(v, &["kind"]).unwrap_or("");
    let name = str_at(v, &["metadata", "name"]).unwrap_or("").to_string();
    let ns = namespace_of(d);
    let origin = format!("{}:{}", d.file, d.line);
    let secret = |name: String, keys: Option<usize>| SecretInfo {
        namespace: ns.clone(),
        name,
        keys,
    };
    match (api, kind) {
        ("v1", "Secret") => {
            let mut keys: Vec<&String> =
                keys_of(v, "data").chain(keys_of(v, "stringData")).collect();
            keys.sort();
            keys.dedup();
            inv.secrets
                .push(Located::new(secret(name.clone(), Some(keys.len())), origin));
        }
        (api, "ExternalSecret") if api.starts_with("external-secrets.io/") => {
            // What it templates is not known until it runs: its key count is not judged.
            let target =
                str_at(v, &["spec", "target", "name"]).map_or(name.clone(), str::to_string);
            inv.secrets.push(Located::new(secret(target, None), origin));
        }
        (api, "SealedSecret") if api.starts_with("bitnami.com/") => {
            // Each encrypted item becomes one key of the Secret.
            let keys = v
                .pointer("/spec/encryptedData")
                .and_then(Value::as_object)
                .map(|m| m.len());
            inv.secrets
                .push(Located::new(secret(name.clone(), keys), origin));
        }
        ("v1", "ResourceQuota") => {
            // A quota with scopes counts only some pods; it is not judged.
            let scoped =
                v.pointer("/spec/scopes").is_some() || v.pointer("/spec/scopeSelector").is_some();
            let hard = v
                .pointer("/spec/hard")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(resource, value)| {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some(QuotaLimit {
                        resource: resource.clone(),
                        value: Quantity::new(text),
                        field: format!("hard.{resource}"),
                    })
                })
                .collect();
            if !scoped {
                inv.quotas.push(Located::new(
                    QuotaInfo {
                        namespace: ns.clone(),
                        name: name.clone(),
                        hard,
                    },
                    origin,
                ));
            }
        }
        _ => return None,
    }
    Some((kind.to_string(), ns, name))
}

/// Resources of a container in a tree (quantities as strings or numbers).
fn resources_of(c: &Value) -> Resources {
    let map = |field: &str| {
        c.pointer(&format!("/resources/{field}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.clone(), Quantity::new(text)))
            })
            .collect()
    };
    Resources {
        requests: map("requests"),
        limits: map("limits"),
    }
}

/// A ServerConfig from the tree: capabilities from the agent's SELDON_SERVER_CAPABILITIES,
/// every container with its resources, and as inference container the last one other
/// than agent and rclone.
fn server_config_info(v: &Value, name: &str) -> ServerConfigInfo {
    let containers = v
        .pointer("/spec/podSpec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut capabilities = Vec::new();
    let mut container = name.to_string();
    let mut all = Vec::new();
    for c in &containers {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
        for env in c.get("env").and_then(Value::as_array).into_iter().flatten() {
            if env.get("name").and_then(Value::as_str) == Some("SELDON_SERVER_CAPABILITIES")
                && let Some(list) = env.get("value").and_then(Value::as_str)
            {
                capabilities = list.split(',').map(|s| s.trim().to_string()).collect();
            }
        }
        if cname != "agent" && cname != "rclone" {
            container = cname.to_string();
        }
        all.push(ContainerResources {
            name: cname.to_string(),
            resources: resources_of(c),
        });
    }
    ServerConfigInfo {
        name: name.to_string(),
        capabilities,
        container,
        containers: all,
        overcommit_percent: DEFAULT_OVERCOMMIT_PERCENT,
    }
}
