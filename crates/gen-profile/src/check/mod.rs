//! Profile rules: what must hold of the profile itself — names, the pattern's layout,
//! tenants, owners, the install's settings, GitOps settings. The Seldon run-time rules over
//! the objects a profile renders live in `gen_seldon::rules`.
//!
//! One module per concern, each rule's descriptor next to its check; [`RULES`] lists them.

mod environments;
mod install;
mod integrations;
mod layout;
mod names;
mod sharing;

use gen_diagnostics::Rule;

use crate::diagnostic::Diagnostic;
use crate::types::{Pattern, Profile};
use names::name;

pub use environments::check_environments;

/// The profile rules checked here (descriptors shared with gen-seldon, such as
/// `invalid-name`, are listed there).
pub static RULES: &[&Rule] = &[
    &names::INVALID_OWNER,
    &install::SELDON_VERSION_RULE,
    &install::SERVER_CONFIG_BUILTIN,
    &install::CPU_INVALID,
    &install::TRACING_ENDPOINT,
    &install::QUOTA_INVALID,
    &install::GITOPS_REPO,
    &layout::PATTERN_MISMATCH,
    &layout::TENANT_NAMESPACE,
    &layout::TENANT_ISOLATION,
    &layout::APPLICATION_NAMESPACE,
    &layout::TENANT_MISSING,
    &sharing::SHARE_UNKNOWN,
    &integrations::ROUTE_HOSTNAME,
    &integrations::ROUTE_TOO_MANY_MATCHES,
    &integrations::GATEWAY_WITHOUT_ROUTE,
    &integrations::METRICS_MONITORING_NAMESPACE,
    &integrations::STORAGE_STORE_MISSING,
    &integrations::STORAGE_SCHEME,
    &integrations::REGISTRY_SETTINGS,
    &integrations::KAFKA_TENANCY_BOOTSTRAP,
    &integrations::KAFKA_TOPIC_NAME,
    &environments::ENVIRONMENT_NAME,
    &environments::ENVIRONMENT_CLUSTERS,
    &environments::CLUSTER_SERVER,
];

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

/// Every profile-level problem of one deployment: the profile as written when it has no
/// environments, else each environment's merged profile (its environments and clusters
/// themselves are checked once, by [`check_environments`]).
pub fn check(p: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let out = &mut out;
    name(out, "name".into(), "profile name", &p.name);
    name(
        out,
        "platform.namespace".into(),
        "namespace",
        &p.platform.namespace,
    );
    install::check_install(p, out);
    layout::check_layout(p, out);
    sharing::check_sharing(p, out);
    integrations::check_integrations(p, out);
    std::mem::take(out)
}
