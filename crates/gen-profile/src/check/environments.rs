//! Environments and clusters as the profile writes them: names, and where each cluster is.
//! These hold of the profile once, not of each environment's merged profile (which gets
//! every other rule), so they are checked by [`check_environments`].

use gen_diagnostics::{Rule, Severity, Stage};

use super::names::{duplicates, name};
use crate::diagnostic::Diagnostic;
use crate::types::Profile;
use crate::types::RESERVED_ENVIRONMENT_NAMES;

pub(super) static ENVIRONMENT_NAME: Rule = Rule::new(
    Stage::Profile,
    "environment-name",
    Severity::Error,
    "an environment is not named after a folder of the fleet layer",
    "Each environment's bundle is the folder out/<name>/<environment>/, beside the fleet's \
own folders: `argocd` and `bootstrap` (Argo CD), `clusters` (Flux, one folder per cluster, \
as Flux's repository layout has it) and `flux`. An environment of one of these names would \
write into them.

Fix: rename the environment.",
);

pub(super) static ENVIRONMENT_CLUSTERS: Rule = Rule::new(
    Stage::Profile,
    "environment-clusters",
    Severity::Error,
    "an environment runs on at least one cluster",
    "An environment's bundle is applied to its clusters: with Argo CD each cluster gets its \
own Applications (destination.server), with Flux its own clusters/<cluster>/ folder. An \
environment without clusters would be rendered and checked but applied nowhere.

Fix: list the environment's clusters, or remove the environment.",
);

pub(super) static CLUSTER_SERVER: Rule = Rule::new(
    Stage::Profile,
    "cluster-server",
    Severity::Error,
    "a cluster's server is the https URL Argo CD knows it by",
    "Argo CD finds an Application's cluster by `destination.server`: the exact URL of a \
registered cluster (the `server` of its cluster Secret, as `argocd cluster add` stored it), \
or https://kubernetes.default.svc for the cluster Argo CD runs in; only trailing slashes \
are ignored (argo-cd util/argo/argo.go GetDestinationServer). An AppProject admits a \
destination by the same URL. Kubernetes API servers are served over HTTPS.

Fix: give the URL `argocd cluster list` shows for the cluster, https://host[:port], without \
a trailing slash, query or credentials.",
);

/// Every problem of the profile's environments and clusters.
pub fn check_environments(p: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (e, env) in p.environments.iter().enumerate() {
        let at = format!("environments[{e}]");
        name(
            &mut out,
            format!("{at}.name"),
            "environment name",
            &env.name,
        );
        if RESERVED_ENVIRONMENT_NAMES.contains(&env.name.as_str()) {
            out.push(Diagnostic::new(
                &ENVIRONMENT_NAME,
                format!("{at}.name"),
                format!(
                    "environment {:?} would write its bundle into out/{}/{}/, which the fleet layer uses",
                    env.name, p.name, env.name
                ),
                format!(
                    "rename the environment; {} are the fleet's own folders",
                    RESERVED_ENVIRONMENT_NAMES.join(", ")
                ),
            ));
        }
        if env.clusters.is_empty() {
            out.push(Diagnostic::new(
                &ENVIRONMENT_CLUSTERS,
                format!("{at}.clusters"),
                format!(
                    "environment {:?} has no cluster, so its bundle would be applied nowhere",
                    env.name
                ),
                "list the clusters that run it, e.g. clusters: [{name: prod-eu, server: https://prod-eu.example.com:6443}]",
            ));
        }
        for (c, cluster) in env.clusters.iter().enumerate() {
            let cat = format!("{at}.clusters[{c}]");
            name(
                &mut out,
                format!("{cat}.name"),
                "cluster name",
                &cluster.name,
            );
            if let Some(server) = &cluster.server
                && let Some(problem) = server_problem(server)
            {
                out.push(Diagnostic::new(
                    &CLUSTER_SERVER,
                    format!("{cat}.server"),
                    format!(
                        "cluster {:?}: server {server:?} {problem}; Argo CD finds a cluster by the exact URL it was registered with",
                        cluster.name
                    ),
                    "give the URL `argocd cluster list` shows, https://host[:port]",
                ));
            }
        }
    }
    duplicates(
        &mut out,
        p.environments
            .iter()
            .enumerate()
            .map(|(e, env)| (format!("environments[{e}].name"), env.name.as_str())),
        "environment",
    );
    // Cluster names are folder names (clusters/<cluster>/) and Application name prefixes
    // across the whole fleet.
    duplicates(
        &mut out,
        p.environments.iter().enumerate().flat_map(|(e, env)| {
            env.clusters.iter().enumerate().map(move |(c, cluster)| {
                (
                    format!("environments[{e}].clusters[{c}].name"),
                    cluster.name.as_str(),
                )
            })
        }),
        "cluster",
    );
    out
}

/// Why `server` is not a URL Argo CD can have registered a cluster under, if it is not.
fn server_problem(server: &str) -> Option<&'static str> {
    let Some(rest) = server.strip_prefix("https://") else {
        return Some("is not an https:// URL");
    };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Some("has no host");
    }
    if host.contains('@') {
        return Some("carries credentials");
    }
    if server.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains whitespace");
    }
    if server.contains(['?', '#']) {
        return Some("has a query or fragment");
    }
    if server.ends_with('/') {
        return Some("ends with a slash (Argo CD drops it, AppProject destinations do not)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::server_problem;

    #[test]
    fn servers() {
        assert_eq!(server_problem("https://10.0.0.1:6443"), None);
        assert_eq!(server_problem("https://kubernetes.default.svc"), None);
        assert_eq!(
            server_problem("https://rancher.example.com/k8s/clusters/c-1"),
            None
        );
        assert!(server_problem("http://x").is_some());
        assert!(server_problem("https://").is_some());
        assert!(server_problem("https://x/").is_some());
        assert!(server_problem("https://u:p@x").is_some());
        assert!(server_problem("https://x?y").is_some());
        assert!(server_problem("https://x y").is_some());
    }
}
