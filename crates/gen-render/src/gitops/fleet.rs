//! The fleet layer of a profile with environments: what applies each environment's bundle
//! (`<env>/`) to each of its clusters.
//!
//! - **Argo CD** runs once, on a hub, and applies to every registered cluster by its API
//!   server URL (`destination.server`). `bootstrap/` holds one ApplicationSet with a list
//!   generator, one element per environment and cluster, each making that cluster's root
//!   Application on the hub; the root applies `<env>/argocd/<cluster>/`, whose Applications
//!   and AppProjects name the cluster (see `argocd.rs`). The roots live in the fleet's own
//!   bootstrap project, which may only manage Applications and AppProjects in the hub's
//!   `argocd` namespace. (argo-cd `applicationset/generators/list.go`: each element's
//!   keys are the template's parameters; with `goTemplate` they are `{{.key}}`.)
//! - **Flux** runs on every cluster and applies what that cluster's folder holds: Flux's
//!   repository layout has one `clusters/<cluster>/` per cluster, the path given to `flux
//!   bootstrap --path` (fluxcd/flux2-kustomize-helm-example). Each holds a kustomization
//!   of the cluster's environment's `bootstrap/` (GitRepository, root Kustomization,
//!   accounts), so every cluster of an environment applies the same bundle.

use std::collections::BTreeMap;

use gen_diagnostics::Stage;
use gen_kinds::argocd::{
    ApplicationSet, ApplicationSetSpec, ApplicationTemplate, Generator, ListGenerator,
};
use gen_profile::{Rule, Severity};
use gen_seldon::Object;

use super::argocd::{AppShape, application, bootstrap_project, dest, gk, project};
use super::{ARGOCD_NAMESPACE, IN_CLUSTER, meta};
use crate::bundle::kustomization;
use crate::engine::{FleetContext, FleetFile};
use crate::manifest::Manifest;
use crate::yaml::{to_yaml, yaml_header};

/// Two environments (or two clusters of one) put one object on one cluster.
pub static FLEET_COLLISION: Rule = Rule::new(
    Stage::Gitops,
    "fleet-collision",
    Severity::Error,
    "no two environments, clusters or profiles put the same object on one cluster",
    "Argo CD tells clusters apart by their API server URL, and Flux runs once per cluster. \
When two environments of a fleet, or two clusters of one environment, are the same cluster, \
both would apply the same cluster-scoped objects there: Helm refuses the second \
seldon-core-v2-crds or setup release (\"invalid ownership metadata\": the CRDs and the \
controller's ClusterRole belong to the first release), and two Applications or \
Kustomizations applying one object overwrite and prune each other's copy. The same holds \
for the fleets of two profiles that name one API server URL (`gen render --all` and \
`gen check --all` compare them).

Fix: give each environment's clusters their own API server URL (Argo CD) or name \
(Flux), or put the environments on one cluster into one environment (or the two \
profiles' deployments into one profile).",
);

/// The folder of the fleet layer that is applied by hand (on the Argo CD hub).
pub const FLEET_BOOTSTRAP: &str = "bootstrap";
/// Flux's folder of one folder per cluster.
pub const CLUSTERS: &str = "clusters";

fn revision(p: &gen_profile::Profile) -> String {
    p.gitops
        .revision
        .clone()
        .unwrap_or_else(|| "main".to_string())
}

/// Argo CD's fleet layer: `bootstrap/` with the fleet's project and its ApplicationSet.
pub fn argocd(ctx: &FleetContext) -> Result<Vec<FleetFile>, serde_saphyr::SerializeError> {
    let name = ctx.profile.name.as_str();
    let mut elements = Vec::new();
    let mut repos: Vec<String> = Vec::new();
    for (env, profile) in &ctx.environments {
        let repo = profile.gitops.repo_url.clone().unwrap_or_default();
        if !repos.contains(&repo) {
            repos.push(repo.clone());
        }
        for cluster in &env.clusters {
            elements.push(BTreeMap::from([
                ("cluster".to_string(), cluster.name.clone()),
                ("environment".to_string(), env.name.clone()),
                ("repoURL".to_string(), repo.clone()),
                ("revision".to_string(), revision(profile)),
            ]));
        }
    }
    let bootstrap = bootstrap_project(ctx.profile);
    let boot_project = project(
        &bootstrap,
        name,
        format!(
            "Bootstrap of fleet {name}: the root Application of each cluster, which applies <environment>/argocd/<cluster>/"
        ),
        None,
        (
            repos,
            vec![dest(IN_CLUSTER, ARGOCD_NAMESPACE)],
            Vec::new(),
            Some(vec![
                gk("argoproj.io", "AppProject"),
                gk("argoproj.io", "Application"),
            ]),
        ),
    );
    let Manifest::Application(root) = application(AppShape {
        name: format!("{name}-{{{{.cluster}}}}-root"),
        server: IN_CLUSTER,
        part_of: name,
        wave: None,
        project: &bootstrap,
        namespace: ARGOCD_NAMESPACE,
        source: gen_kinds::argocd::AppSource {
            repo_url: "{{.repoURL}}".to_string(),
            target_revision: "{{.revision}}".to_string(),
            path: Some(ctx.repo.join("{{.environment}}/argocd/{{.cluster}}")),
            chart: None,
            helm: None,
        },
        foreign_crds: false,
        create_namespace: false,
        prune: true,
    }) else {
        unreachable!("application() builds an Application")
    };
    let set: ApplicationSet = Object::new(
        meta(name, ARGOCD_NAMESPACE, name),
        ApplicationSetSpec {
            go_template: true,
            go_template_options: vec!["missingkey=error".to_string()],
            generators: vec![Generator {
                list: ListGenerator { elements },
            }],
            template: ApplicationTemplate {
                metadata: root.metadata,
                spec: root.spec,
            },
            sync_policy: None,
        },
    );
    let header = yaml_header(name);
    let project_file = boot_project.file_name();
    let set_file = format!("applicationset-{name}.yaml");
    Ok(vec![
        (
            format!("{FLEET_BOOTSTRAP}/{project_file}"),
            header.clone() + &to_yaml(&boot_project)?,
        ),
        (
            format!("{FLEET_BOOTSTRAP}/{set_file}"),
            header + &to_yaml(&set)?,
        ),
        (
            format!("{FLEET_BOOTSTRAP}/kustomization.yaml"),
            kustomization(name, &[project_file, set_file])?,
        ),
    ])
}

/// Flux's fleet layer: `clusters/<cluster>/`, each the bootstrap of its environment.
pub fn flux(ctx: &FleetContext) -> Result<Vec<FleetFile>, serde_saphyr::SerializeError> {
    let name = ctx.profile.name.as_str();
    let mut files = Vec::new();
    for (env, _) in &ctx.environments {
        for cluster in &env.clusters {
            files.push((
                format!("{CLUSTERS}/{}/kustomization.yaml", cluster.name),
                kustomization(name, &[format!("../../{}/bootstrap", env.name)])?,
            ));
        }
    }
    Ok(files)
}
