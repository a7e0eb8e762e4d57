//! The install's settings in a profile: the Seldon version, declared ServerConfigs,
//! Servers' memory and autoscaling, tracing, tenant quotas, the GitOps repository.

use gen_diagnostics::{Rule, Severity, Stage};
use gen_seldon::rules::{MEMORY_INVALID, SERVER_REPLICAS_UNBOUNDED, TRACING_RATIO};

use super::names::name;
use crate::diagnostic::Diagnostic;
use crate::types::{Engine, Profile, SELDON_VERSION, ServerEntry};

pub(super) static SELDON_VERSION_RULE: Rule = Rule::new(
    Stage::Profile,
    "seldon-version",
    Severity::Error,
    "seldon.version is the Seldon release this gen supports",
    "gen renders and checks against one Seldon Core v2 release (its CRDs, charts, ports and \
controller behaviour); the charts it installs are pinned to it. An unquoted `2.10` is read \
by YAML as the number 2.1.

Fix: set seldon.version to the supported release, quoted.",
);

pub(super) static SERVER_CONFIG_BUILTIN: Rule = Rule::new(
    Stage::Profile,
    "server-config-builtin",
    Severity::Error,
    "platform.serverConfigs declares only ServerConfigs you install yourself",
    "The setup chart installs the ServerConfigs mlserver and triton in the controller \
namespace; gen already knows them as the chart installs them. Declaring one of them again \
would describe a ServerConfig that is not the one on the cluster.

Fix: declare your own ServerConfigs under other names.",
);

pub(super) static CPU_INVALID: Rule = Rule::new(
    Stage::Profile,
    "cpu-invalid",
    Severity::Error,
    "cpu values are Kubernetes quantities",
    "A CPU amount is a Kubernetes quantity (500m, 2); the API server refuses anything else.

Fix: write cpu like 500m or 2.",
);

pub(super) static TRACING_ENDPOINT: Rule = Rule::new(
    Stage::Profile,
    "tracing-endpoint",
    Severity::Error,
    "seldon.tracing.endpoint is host:port",
    "The Seldon components dial the tracing endpoint as a gRPC target (host:port), and the \
dataflow engine prefixes http:// to it, so a URL or a bare host does not work.

Fix: write the collector's OTLP address as host:port.",
);

pub(super) static QUOTA_INVALID: Rule = Rule::new(
    Stage::Profile,
    "quota-invalid",
    Severity::Error,
    "a tenant quota's cpu and memory are Kubernetes quantities",
    "A ResourceQuota's hard limits are Kubernetes quantities; the API server refuses the \
quota otherwise.

Fix: write cpu like 16 or 500m, memory like 64Gi.",
);

pub(super) static GITOPS_REPO: Rule = Rule::new(
    Stage::Profile,
    "gitops-repo",
    Severity::Error,
    "a GitOps engine needs gitops.repoURL",
    "Argo CD Applications and the Flux GitRepository name the repository that holds the \
bundle; without it the engine has nothing to pull.

Fix: set gitops.repoURL, or gitops.engine: none.",
);

/// The install's settings of `p`.
pub(super) fn check_install(p: &Profile, out: &mut Vec<Diagnostic>) {
    if p.seldon.version != SELDON_VERSION {
        let v = &p.seldon.version;
        let message = if v.is_number() {
            format!(
                "Seldon version {v} is a number, not a version: YAML reads an unquoted version with one dot as a decimal number and drops its trailing zeros (2.10 becomes 2.1); this gen renders and checks against Seldon Core v2 {SELDON_VERSION}"
            )
        } else {
            format!(
                "Seldon version {:?} is not supported; this gen renders and checks against Seldon Core v2 {SELDON_VERSION}",
                v.as_str()
            )
        };
        out.push(Diagnostic::new(
            &SELDON_VERSION_RULE,
            "seldon.version",
            message,
            format!(
                "set seldon.version to \"{SELDON_VERSION}\" (quoted, or written with both dots)"
            ),
        ));
    }
    for (i, c) in p.platform.server_configs.iter().enumerate() {
        let path = format!("platform.serverConfigs[{i}]");
        name(out, format!("{path}.name"), "ServerConfig name", &c.name);
        if matches!(c.name.as_str(), "mlserver" | "triton") {
            out.push(Diagnostic::new(
                &SERVER_CONFIG_BUILTIN,
                format!("{path}.name"),
                format!(
                    "ServerConfig {:?} is installed by the Seldon setup chart already",
                    c.name
                ),
                "declare only ServerConfigs that you install yourself, under another name",
            ));
        }
        for (key, value) in [
            ("memory", Some(&c.memory)),
            ("memoryLimit", c.memory_limit.as_ref()),
            ("cpu", c.cpu.as_ref()),
        ] {
            if let Some(Err(e)) = value.map(|v| v.value()) {
                out.push(Diagnostic::new(
                    if key == "cpu" {
                        &CPU_INVALID
                    } else {
                        &MEMORY_INVALID
                    },
                    format!("{path}.{key}"),
                    e.to_string(),
                    "write memory like 1Gi, cpu like 500m or 2",
                ));
            }
        }
        if let (Ok(request), Some(Ok(limit))) =
            (c.memory.value(), c.memory_limit.as_ref().map(|l| l.value()))
            && request > limit
        {
            out.push(Diagnostic::new(
                &MEMORY_INVALID,
                format!("{path}.memoryLimit"),
                format!(
                    "ServerConfig {:?} requests memory {} above its limit {}; Kubernetes rejects pods whose requests exceed their limits",
                    c.name,
                    c.memory,
                    c.memory_limit.as_ref().map(ToString::to_string).unwrap_or_default()
                ),
                "declare the limit the ServerConfig really sets, at least its request",
            ));
        }
    }
    if let Some(t) = &p.seldon.tracing {
        tracing(out, t);
    }
    servers(out, "platform.servers", &p.platform.servers);
    for (i, ns) in p.security.client_namespaces.iter().enumerate() {
        name(
            out,
            format!("security.clientNamespaces[{i}]"),
            "namespace",
            ns,
        );
    }
    if let Some(ns) = &p.security.monitoring_namespace {
        name(out, "security.monitoringNamespace".into(), "namespace", ns);
    }
    for (i, t) in p.tenants.iter().enumerate() {
        let path = format!("tenants[{i}]");
        servers(out, &format!("{path}.servers"), &t.servers);
        if let Some(q) = &t.quota {
            for (key, value) in [("cpu", &q.cpu), ("memory", &q.memory)] {
                if let Some(v) = value
                    && let Err(e) = v.value()
                {
                    out.push(Diagnostic::new(
                        &QUOTA_INVALID,
                        format!("{path}.quota.{key}"),
                        e.to_string(),
                        "write cpu like 16 or 500m, memory like 64Gi",
                    ));
                }
            }
        }
    }
    if p.gitops.engine != Engine::None && p.gitops.repo_url.as_deref().is_none_or(str::is_empty) {
        out.push(Diagnostic::new(
            &GITOPS_REPO,
            "gitops.engine",
            format!(
                "gitops.engine {} needs gitops.repoURL, the repository that holds this bundle",
                p.gitops.engine.as_str()
            ),
            "set gitops.repoURL, or set gitops.engine: none",
        ));
    }
}

pub(super) fn servers(out: &mut Vec<Diagnostic>, path: &str, list: &[ServerEntry]) {
    for (i, s) in list.iter().enumerate() {
        if let Some(m) = &s.memory
            && let Err(e) = m.value()
        {
            out.push(Diagnostic::new(
                &MEMORY_INVALID,
                format!("{path}[{i}].memory"),
                e.to_string(),
                "write memory like 512Mi or 4Gi",
            ));
        }
        server_autoscaling(out, &format!("{path}[{i}]"), s);
    }
}

/// A Server that autoscales (minReplicas or maxReplicas without replicas) needs a
/// maxReplicas: the tenant quota and the Models' fit are computed from it, and without it
/// the scheduler grows the Server with its largest Model. (gen-seldon's
/// `server-replicas-unbounded` says the same as a warning about YAML gen did not write.)
fn server_autoscaling(out: &mut Vec<Diagnostic>, path: &str, s: &ServerEntry) {
    let spec = &s.spec;
    let autoscaling =
        spec.replicas.is_none() && (spec.min_replicas.is_some() || spec.max_replicas.is_some());
    if autoscaling && spec.max_replicas.is_none_or(|m| m <= 0) {
        out.push(Diagnostic::new(
            &SERVER_REPLICAS_UNBOUNDED,
            format!("{path}.maxReplicas"),
            format!(
                "Server {:?} autoscales (minReplicas without replicas) but has no maxReplicas: the scheduler may scale it to as many replicas as its largest Model asks for, and gen computes the namespace's quota and the Models' fit from the most replicas a Server can have",
                s.name
            ),
            "set maxReplicas, or set replicas for a fixed count (gen pins minReplicas and maxReplicas to it)",
        ).with_severity(Severity::Error));
    }
}

/// `seldon.tracing`: an endpoint the components can dial, and a ratio they accept.
fn tracing(out: &mut Vec<Diagnostic>, t: &crate::types::Tracing) {
    let endpoint = t.endpoint.trim();
    if endpoint.is_empty() || endpoint.contains("://") || !endpoint.contains(':') {
        out.push(Diagnostic::new(
            &TRACING_ENDPOINT,
            "seldon.tracing.endpoint",
            format!(
                "tracing endpoint {:?} is not host:port: the Seldon components dial it as a gRPC target and the dataflow engine prefixes http:// to it",
                t.endpoint
            ),
            "write the collector's OTLP address as host:port, e.g. otel-collector.observability:4317",
        ));
    }
    if let Some(r) = t.ratio
        && !(0.0..=1.0).contains(&r)
    {
        out.push(Diagnostic::new(
            &TRACING_RATIO,
            "seldon.tracing.ratio",
            format!(
                "tracing ratio {r} is not between 0 and 1; it is the fraction of requests traced"
            ),
            "use a ratio such as 0.1 (10% of requests) or 1 (all)",
        ));
    }
}
