//! Where things live: the pattern's layout, tenants and their namespaces, applications
//! and their tenants (the fact behind all of it: the controller dials
//! `seldon-scheduler.<namespace of the Model>`).

use gen_diagnostics::{Rule, Severity, Stage};
use gen_seldon::names::did_you_mean;

use super::names::{duplicates, name, owners};
use crate::diagnostic::Diagnostic;
use crate::types::{Pattern, Profile};

pub(super) static PATTERN_MISMATCH: Rule = Rule::new(
    Stage::Profile,
    "pattern-mismatch",
    Severity::Error,
    "each key belongs to its pattern",
    "pattern shared puts one SeldonRuntime and the Servers in platform.namespace, with every \
application there: platform.runtime and platform.servers, no tenants. pattern dedicated \
gives each tenant a namespace with its own SeldonRuntime and Servers (a Server only serves \
Models of its own namespace): tenants with runtime and servers, no platform.runtime or \
platform.servers, and every application names its tenant.

Fix: move the keys to the pattern's place, or change the pattern.",
);

pub(super) static TENANT_NAMESPACE: Rule = Rule::new(
    Stage::Profile,
    "tenant-namespace",
    Severity::Error,
    "a tenant has a namespace of its own",
    "In pattern dedicated the controller namespace holds the clusterwide controller, the \
SeldonConfig and the ServerConfigs; a tenant runtime there would share it with the \
platform and every tenant's GitOps permissions would reach it.

Fix: give the tenant its own namespace.",
);

pub(super) static TENANT_ISOLATION: Rule = Rule::new(
    Stage::Profile,
    "tenant-isolation",
    Severity::Error,
    "a tenant does not admit another tenant's namespace as a client",
    "Tenants are isolated by namespace: NetworkPolicies admit callers of a tenant's envoy only \
from the client namespaces it names. Naming another tenant's namespace would let that \
tenant's every pod call this tenant's models.

Fix: call across tenants through an ingress or gateway you name.",
);

pub(super) static APPLICATION_NAMESPACE: Rule = Rule::new(
    Stage::Profile,
    "application-namespace",
    Severity::Error,
    "an application has no namespace of its own",
    "The Seldon controller dials seldon-scheduler.<namespace of the Model> \
(operator/scheduler/client.go), so a Model is only ever served in a namespace with its own \
SeldonRuntime. An application therefore lives in its runtime's namespace: platform.namespace \
in pattern shared, its tenant's in pattern dedicated. \"Models in an app namespace, scheduler \
elsewhere\" cannot work: the Models stay ModelReady=False and their deletion hangs. A \
`namespace:` equal to where the application is deployed anyway is accepted.

Fix: remove `namespace`; for a namespace of its own, use pattern dedicated with a tenant \
there.",
);

pub(super) static TENANT_MISSING: Rule = Rule::new(
    Stage::Profile,
    "tenant-missing",
    Severity::Error,
    "in pattern dedicated every application names a defined tenant",
    "In pattern dedicated an application is deployed into its tenant's namespace, next to \
the tenant's runtime; without a tenant it has nowhere to go.

Fix: set `tenant:` to one of the profile's tenants.",
);

/// The pattern's layout, tenants and applications of `p`.
pub(super) fn check_layout(p: &Profile, out: &mut Vec<Diagnostic>) {
    match p.pattern {
        Pattern::Shared => {
            if !p.tenants.is_empty() {
                out.push(Diagnostic::new(
                    &PATTERN_MISMATCH,
                    "tenants",
                    "tenants are for pattern dedicated; pattern shared deploys every application into platform.namespace",
                    "remove tenants, or set pattern: dedicated",
                ));
            }
        }
        Pattern::Dedicated => {
            if p.platform.runtime.is_some() {
                out.push(Diagnostic::new(
                    &PATTERN_MISMATCH,
                    "platform.runtime",
                    "platform.runtime is for pattern shared; in pattern dedicated each tenant has its own SeldonRuntime",
                    "move the settings to tenants[].runtime, or set pattern: shared",
                ));
            }
            if !p.platform.servers.is_empty() {
                out.push(Diagnostic::new(
                    &PATTERN_MISMATCH,
                    "platform.servers",
                    "platform.servers is for pattern shared; in pattern dedicated Servers belong to a tenant, since a Server only serves models of its own namespace",
                    "move the servers to tenants[].servers, or set pattern: shared",
                ));
            }
            if p.tenants.is_empty() {
                out.push(Diagnostic::new(
                    &PATTERN_MISMATCH,
                    "tenants",
                    "pattern dedicated needs at least one tenant",
                    "add tenants: [{name, namespace, servers}], or set pattern: shared",
                ));
            }
        }
    }

    for (i, t) in p.tenants.iter().enumerate() {
        let path = format!("tenants[{i}]");
        name(out, format!("{path}.name"), "tenant name", &t.name);
        name(out, format!("{path}.namespace"), "namespace", &t.namespace);
        if t.namespace == p.platform.namespace {
            out.push(Diagnostic::new(
                &TENANT_NAMESPACE,
                format!("{path}.namespace"),
                format!("tenant {:?} uses the controller namespace {:?}; tenants get namespaces of their own", t.name, t.namespace),
                "give the tenant its own namespace",
            ));
        }
        owners(out, &path, &t.owners);
        for (j, ns) in t.client_namespaces.iter().enumerate() {
            name(
                out,
                format!("{path}.clientNamespaces[{j}]"),
                "namespace",
                ns,
            );
            if let Some(other) = p.tenants.iter().find(|o| o.namespace == *ns) {
                out.push(Diagnostic::new(
                    &TENANT_ISOLATION,
                    format!("{path}.clientNamespaces[{j}]"),
                    format!("tenant {:?} lets namespace {ns:?} of tenant {:?} call its models; tenants cannot reach each other", t.name, other.name),
                    "call across tenants through an ingress or gateway you name, not by opening the namespace",
                ));
            }
        }
    }
    duplicates(
        out,
        p.tenants
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("tenants[{i}].name"), t.name.as_str())),
        "tenant",
    );
    duplicates(
        out,
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
        name(out, format!("{path}.name"), "application name", &app.name);
        owners(out, &path, &app.owners);
        if let Some(ns) = &app.namespace {
            application_namespace(out, p, &path, app, ns);
        }
        match (p.pattern, &app.tenant) {
            (Pattern::Shared, Some(_)) => out.push(Diagnostic::new(
                &PATTERN_MISMATCH,
                format!("{path}.tenant"),
                format!("application {:?} names a tenant, but pattern shared has no tenants", app.name),
                "remove tenant, or set pattern: dedicated",
            )),
            (Pattern::Dedicated, None) => out.push(Diagnostic::new(
                &TENANT_MISSING,
                format!("{path}.name"),
                format!("application {:?} has no tenant; in pattern dedicated every application lives in its tenant's namespace", app.name),
                format!("set tenant: to one of: {}", tenant_names.join(", ")),
            )),
            (Pattern::Dedicated, Some(t)) if !tenant_set.contains(t.as_str()) => out.push(Diagnostic::new(
                &TENANT_MISSING,
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
        out,
        p.applications
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("applications[{i}].name"), a.name.as_str())),
        "application",
    );
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
    out.push(Diagnostic::new(
        &APPLICATION_NAMESPACE,
        format!("{path}.namespace"),
        message,
        help,
    ));
}
