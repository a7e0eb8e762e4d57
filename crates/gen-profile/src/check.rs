//! Profile rules that are about the profile itself: names, the pattern, tenants,
//! owners, GitOps settings. The Seldon run-time rules live in `gen_seldon::rules`.

use std::collections::BTreeMap;

use gen_seldon::names::{did_you_mean, label_problem, suggest_label};

use crate::diagnostic::Diagnostic;
use crate::types::{Engine, Pattern, Profile, SELDON_VERSION, ServerEntry};

/// The namespace each application is deployed into (in profile order), where the profile
/// says so validly. One pass, so a profile of thousands of tenants stays linear.
pub fn application_namespaces(profile: &Profile) -> Vec<Option<&str>> {
    // The first tenant of a name, as a search would find it (a second is an error).
    let mut tenants = std::collections::HashMap::new();
    for t in &profile.tenants {
        tenants
            .entry(t.name.as_str())
            .or_insert(t.namespace.as_str());
    }
    profile
        .applications
        .iter()
        .map(|app| match profile.pattern {
            Pattern::Shared => Some(profile.platform.namespace.as_str()),
            Pattern::Dedicated => tenants.get(app.tenant.as_deref()?).copied(),
        })
        .collect()
}

fn name(out: &mut Vec<Diagnostic>, path: String, what: &str, value: &str) {
    if let Some(problem) = label_problem(value) {
        let suggestion = suggest_label(value);
        let help = if suggestion.is_empty() || suggestion == value {
            "use lowercase letters, digits and '-' (a DNS-1123 label, at most 63 characters)"
                .to_string()
        } else {
            format!("use lowercase letters, digits and '-', e.g. {suggestion:?}")
        };
        out.push(Diagnostic::error(
            "invalid-name",
            path,
            format!("{what} {value:?} is not a valid Kubernetes name: {problem}"),
            help,
        ));
    }
}

fn owners(out: &mut Vec<Diagnostic>, path: &str, list: &[String]) {
    for (i, owner) in list.iter().enumerate() {
        let valid = owner.split_once(':').is_some_and(|(kind, who)| {
            matches!(kind, "group" | "user")
                && !who.is_empty()
                && !who.contains(char::is_whitespace)
        });
        if !valid {
            out.push(Diagnostic::error(
                "invalid-owner",
                format!("{path}.owners[{i}]"),
                format!("owner {owner:?} is not group:NAME or user:NAME"),
                "write owners as group:NAME (an RBAC Group) or user:NAME (an RBAC User)",
            ));
        }
    }
}

fn duplicates<'a>(
    out: &mut Vec<Diagnostic>,
    items: impl Iterator<Item = (String, &'a str)>,
    what: &str,
) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, value) in items {
        if let Some(first) = seen.get(value) {
            out.push(Diagnostic::error(
                "duplicate-name",
                path,
                format!("{what} {value:?} is defined twice (first at {first})"),
                format!("give each {what} its own name"),
            ));
        } else {
            seen.insert(value, path);
        }
    }
}

fn servers(out: &mut Vec<Diagnostic>, path: &str, list: &[ServerEntry]) {
    for (i, s) in list.iter().enumerate() {
        if let Some(m) = &s.memory
            && let Err(e) = m.value()
        {
            out.push(Diagnostic::error(
                "memory-invalid",
                format!("{path}[{i}].memory"),
                e,
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
        out.push(Diagnostic::error(
            "server-replicas-unbounded",
            format!("{path}.maxReplicas"),
            format!(
                "Server {:?} autoscales (minReplicas without replicas) but has no maxReplicas: the scheduler may scale it to as many replicas as its largest Model asks for, and gen computes the namespace's quota and the Models' fit from the most replicas a Server can have",
                s.name
            ),
            "set maxReplicas, or set replicas for a fixed count (gen pins minReplicas and maxReplicas to it)",
        ));
    }
}

/// `seldon.tracing`: an endpoint the components can dial, and a ratio they accept.
fn tracing(out: &mut Vec<Diagnostic>, t: &crate::types::Tracing) {
    let endpoint = t.endpoint.trim();
    if endpoint.is_empty() || endpoint.contains("://") || !endpoint.contains(':') {
        out.push(Diagnostic::error(
            "tracing-endpoint",
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
        out.push(Diagnostic::error(
            "tracing-ratio",
            "seldon.tracing.ratio",
            format!(
                "tracing ratio {r} is not between 0 and 1; it is the fraction of requests traced"
            ),
            "use a ratio such as 0.1 (10% of requests) or 1 (all)",
        ));
    }
}

/// An application's `namespace:`: redundant where it names the namespace the application
/// is deployed into anyway (its runtime's), refused anywhere else, since the controller
/// dials the scheduler of the Model's own namespace.
fn application_namespace(
    out: &mut Vec<Diagnostic>,
    p: &Profile,
    path: &str,
    app: &crate::types::Application,
    ns: &str,
) {
    let own = match p.pattern {
        Pattern::Shared => Some(p.platform.namespace.as_str()),
        Pattern::Dedicated => app
            .tenant
            .as_deref()
            .and_then(|t| p.tenants.iter().find(|x| x.name == t))
            .map(|t| t.namespace.as_str()),
    };
    if own == Some(ns) {
        return;
    }
    let unreachable = |runtime_ns: &str| {
        format!(
            "application {:?} sets namespace {ns:?}, but applications have no namespace of their own: the Seldon controller dials seldon-scheduler.<namespace of the Model>, and {runtime_ns}, so Models in {ns:?} would never become ready (this is the \"models in an app namespace, scheduler elsewhere\" layout that does not work)",
            app.name
        )
    };
    let (message, help) = match p.pattern {
        Pattern::Shared => (
            unreachable(&format!(
                "the only SeldonRuntime is in platform.namespace {:?}",
                p.platform.namespace
            )),
            format!(
                "remove `namespace` to deploy the application into its runtime's namespace ({}), or use pattern: dedicated with a tenant whose namespace is {ns:?} and set `tenant:` on the application",
                p.platform.namespace
            ),
        ),
        Pattern::Dedicated => {
            let into = match own {
                Some(own) => format!("its tenant's namespace ({own})"),
                None => "its tenant's namespace".to_string(),
            };
            match p.tenants.iter().find(|t| t.namespace == ns) {
                Some(t) => (
                    format!(
                        "application {:?} sets namespace {ns:?}, the namespace of tenant {:?}, but an application has no namespace of its own: it is deployed into {into}",
                        app.name, t.name
                    ),
                    format!(
                        "remove `namespace`, or set `tenant: {}` to deploy the application with that tenant",
                        t.name
                    ),
                ),
                None => (
                    unreachable("each tenant's SeldonRuntime is in the tenant's namespace"),
                    format!(
                        "remove `namespace` to deploy the application into {into}, or add a tenant whose namespace is {ns:?} and set `tenant:` to it"
                    ),
                ),
            }
        }
    };
    out.push(Diagnostic::error(
        "application-namespace",
        format!("{path}.namespace"),
        message,
        help,
    ));
}

/// Every profile-level problem, in profile order.
pub fn check(profile: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let p = profile;
    name(&mut out, "name".into(), "profile name", &p.name);
    name(
        &mut out,
        "platform.namespace".into(),
        "namespace",
        &p.platform.namespace,
    );
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
        out.push(Diagnostic::error(
            "seldon-version",
            "seldon.version",
            message,
            format!(
                "set seldon.version to \"{SELDON_VERSION}\" (quoted, or written with both dots)"
            ),
        ));
    }
    for (i, c) in p.platform.server_configs.iter().enumerate() {
        let path = format!("platform.serverConfigs[{i}]");
        name(
            &mut out,
            format!("{path}.name"),
            "ServerConfig name",
            &c.name,
        );
        if matches!(c.name.as_str(), "mlserver" | "triton") {
            out.push(Diagnostic::error(
                "server-config-builtin",
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
                out.push(Diagnostic::error(
                    if key == "cpu" {
                        "cpu-invalid"
                    } else {
                        "memory-invalid"
                    },
                    format!("{path}.{key}"),
                    e,
                    "write memory like 1Gi, cpu like 500m or 2",
                ));
            }
        }
        if let (Ok(request), Some(Ok(limit))) =
            (c.memory.value(), c.memory_limit.as_ref().map(|l| l.value()))
            && request > limit
        {
            out.push(Diagnostic::error(
                "memory-invalid",
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
        tracing(&mut out, t);
    }
    servers(&mut out, "platform.servers", &p.platform.servers);
    for (i, ns) in p.security.client_namespaces.iter().enumerate() {
        name(
            &mut out,
            format!("security.clientNamespaces[{i}]"),
            "namespace",
            ns,
        );
    }
    if let Some(ns) = &p.security.monitoring_namespace {
        name(
            &mut out,
            "security.monitoringNamespace".into(),
            "namespace",
            ns,
        );
    }

    match p.pattern {
        Pattern::Shared => {
            if !p.tenants.is_empty() {
                out.push(Diagnostic::error(
                    "pattern-mismatch",
                    "tenants",
                    "tenants are for pattern dedicated; pattern shared deploys every application into platform.namespace",
                    "remove tenants, or set pattern: dedicated",
                ));
            }
        }
        Pattern::Dedicated => {
            if p.platform.runtime.is_some() {
                out.push(Diagnostic::error(
                    "pattern-mismatch",
                    "platform.runtime",
                    "platform.runtime is for pattern shared; in pattern dedicated each tenant has its own SeldonRuntime",
                    "move the settings to tenants[].runtime, or set pattern: shared",
                ));
            }
            if !p.platform.servers.is_empty() {
                out.push(Diagnostic::error(
                    "pattern-mismatch",
                    "platform.servers",
                    "platform.servers is for pattern shared; in pattern dedicated Servers belong to a tenant, since a Server only serves models of its own namespace",
                    "move the servers to tenants[].servers, or set pattern: shared",
                ));
            }
            if p.tenants.is_empty() {
                out.push(Diagnostic::error(
                    "pattern-mismatch",
                    "tenants",
                    "pattern dedicated needs at least one tenant",
                    "add tenants: [{name, namespace, servers}], or set pattern: shared",
                ));
            }
        }
    }

    for (i, t) in p.tenants.iter().enumerate() {
        let path = format!("tenants[{i}]");
        name(&mut out, format!("{path}.name"), "tenant name", &t.name);
        name(
            &mut out,
            format!("{path}.namespace"),
            "namespace",
            &t.namespace,
        );
        if t.namespace == p.platform.namespace {
            out.push(Diagnostic::error(
                "tenant-namespace",
                format!("{path}.namespace"),
                format!("tenant {:?} uses the controller namespace {:?}; tenants get namespaces of their own", t.name, t.namespace),
                "give the tenant its own namespace",
            ));
        }
        owners(&mut out, &path, &t.owners);
        servers(&mut out, &format!("{path}.servers"), &t.servers);
        for (j, ns) in t.client_namespaces.iter().enumerate() {
            name(
                &mut out,
                format!("{path}.clientNamespaces[{j}]"),
                "namespace",
                ns,
            );
            if let Some(other) = p.tenants.iter().find(|o| o.namespace == *ns) {
                out.push(Diagnostic::error(
                    "tenant-isolation",
                    format!("{path}.clientNamespaces[{j}]"),
                    format!("tenant {:?} lets namespace {ns:?} of tenant {:?} call its models; tenants cannot reach each other", t.name, other.name),
                    "call across tenants through an ingress or gateway you name, not by opening the namespace",
                ));
            }
        }
        if let Some(q) = &t.quota {
            for (key, value) in [("cpu", &q.cpu), ("memory", &q.memory)] {
                if let Some(v) = value
                    && let Err(e) = v.value()
                {
                    out.push(Diagnostic::error(
                        "quota-invalid",
                        format!("{path}.quota.{key}"),
                        e,
                        "write cpu like 16 or 500m, memory like 64Gi",
                    ));
                }
            }
        }
    }
    duplicates(
        &mut out,
        p.tenants
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("tenants[{i}].name"), t.name.as_str())),
        "tenant",
    );
    duplicates(
        &mut out,
        p.tenants
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("tenants[{i}].namespace"), t.namespace.as_str())),
        "tenant namespace",
    );

    let tenant_names: Vec<&str> = p.tenants.iter().map(|t| t.name.as_str()).collect();
    let tenant_set: std::collections::HashSet<&str> = tenant_names.iter().copied().collect();
    for (i, app) in p.applications.iter().enumerate() {
        let path = format!("applications[{i}]");
        name(
            &mut out,
            format!("{path}.name"),
            "application name",
            &app.name,
        );
        owners(&mut out, &path, &app.owners);
        if let Some(ns) = &app.namespace {
            application_namespace(&mut out, p, &path, app, ns);
        }
        match (p.pattern, &app.tenant) {
            (Pattern::Shared, Some(_)) => out.push(Diagnostic::error(
                "pattern-mismatch",
                format!("{path}.tenant"),
                format!("application {:?} names a tenant, but pattern shared has no tenants", app.name),
                "remove tenant, or set pattern: dedicated",
            )),
            (Pattern::Dedicated, None) => out.push(Diagnostic::error(
                "tenant-missing",
                format!("{path}.name"),
                format!("application {:?} has no tenant; in pattern dedicated every application lives in its tenant's namespace", app.name),
                format!("set tenant: to one of: {}", tenant_names.join(", ")),
            )),
            (Pattern::Dedicated, Some(t)) if !tenant_set.contains(t.as_str()) => out.push(Diagnostic::error(
                "tenant-missing",
                format!("{path}.tenant"),
                format!("application {:?} names tenant {t:?}, which is not defined", app.name),
                match did_you_mean(t, &tenant_names) {
                    Some(d) => format!("{d} (tenants: {})", tenant_names.join(", ")),
                    None => format!("use one of: {}", tenant_names.join(", ")),
                },
            )),
            _ => {}
        }
    }
    duplicates(
        &mut out,
        p.applications
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("applications[{i}].name"), a.name.as_str())),
        "application",
    );

    if p.gitops.engine != Engine::None && p.gitops.repo_url.as_deref().is_none_or(str::is_empty) {
        out.push(Diagnostic::error(
            "gitops-repo",
            "gitops.engine",
            format!(
                "gitops.engine {} needs gitops.repoURL, the repository that holds this bundle",
                p.gitops.engine.as_str()
            ),
            "set gitops.repoURL, or set gitops.engine: none",
        ));
    }
    out
}
