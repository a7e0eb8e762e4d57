//! The GitOps layer: Argo CD or Flux objects that install Seldon from the upstream charts
//! and apply the bundle's folders in order on an empty cluster:
//! CRDs → controller → runtime and Servers → Models, Pipelines, Experiments.
//!
//! Each engine is a module behind [`GitOpsEngine`] (`crate::engine`): [`argocd`]
//! (AppProjects, Applications with sync waves, a root Application in its own bootstrap
//! project) and [`flux`] (HelmReleases, one Kustomization per folder chained with
//! `dependsOn`, service accounts, a GitRepository and root Kustomization in `bootstrap/`);
//! [`engine_for`] picks one, listing every engine. Their kinds are types in `gen_kinds`.
//! Paths name the bundle's place in the GitOps repository (`crate::repo::RepoDir`).

pub mod argocd;
pub mod fleet;
pub mod flux;

use gen_diagnostics::Stage;
use gen_profile::{Diagnostic, Engine, Pattern, Profile, Rule, Severity};
use gen_seldon::Metadata;

pub use crate::engine::{AppIdentity, Context, GitOpsEngine, Order};
use crate::folder::{Folder, Layer};
use crate::labels::labels;
use crate::manifest::Manifest;

pub use gen_kinds::seldon_setup::*;

/// The Seldon Helm repository (FACTS §4).
pub const SELDON_HELM_REPO: &str = "https://seldonio.github.io/helm-charts";
pub const ARGOCD_NAMESPACE: &str = "argocd";
pub const FLUX_NAMESPACE: &str = "flux-system";
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Argo CD applies lower waves first and waits for each wave to be healthy.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// The chart that installs the seven Seldon CRDs (as templates, FACTS §9.8).
pub const CRDS_CHART: &str = "seldon-core-v2-crds";
/// The chart that installs the controller, SeldonConfig and ServerConfigs.
pub const SETUP_CHART: &str = "seldon-core-v2-setup";
/// The API group of the Seldon kinds.
pub const SELDON_GROUP: &str = "mlops.seldon.io";

/// A Flux GitRepository reads a plain revision as a branch.
pub static GITOPS_REVISION: Rule = Rule::new(
    Stage::Gitops,
    "gitops-revision",
    Severity::Error,
    "with Flux, a revision that looks like a SHA or a tag says so",
    "gen renders gitops.revision as the GitRepository's spec.ref: a full 40- or 64-hex SHA \
as `commit`, `refs/tags/T` as `tag`, `refs/heads/B` as `branch`, another `refs/...` as \
`name`, anything else as `branch`. Flux would look for a branch named like an abbreviated \
SHA or a version tag and never find it (source-controller checkout strategies).

Fix: give the full SHA, write refs/tags/... for a tag, or refs/heads/... for a branch of \
that name.",
);

/// The GitOps rules.
pub static RULES: &[&Rule] = &[
    &crate::repo::GITOPS_PATH,
    &GITOPS_REVISION,
    &fleet::FLEET_COLLISION,
];

/// The engine that applies a bundle of `engine`: each engine is one module behind the
/// [`GitOpsEngine`] trait, and `none` is the engine that adds nothing.
pub fn engine_for(engine: Engine) -> &'static dyn GitOpsEngine {
    match engine {
        Engine::None => &NoEngine,
        Engine::Argocd => &argocd::ArgoCd,
        Engine::Flux => &flux::Flux,
    }
}

/// `gitops.engine: none`: something else applies the folders; nothing to add.
#[derive(Debug)]
pub struct NoEngine;

impl GitOpsEngine for NoEngine {
    fn engine(&self) -> Engine {
        Engine::None
    }

    fn folders(&self, _: &Context) -> Vec<Folder> {
        Vec::new()
    }

    fn order(&self) -> Option<Order> {
        None
    }
}

// ---- the revision to follow ----

/// What `gitops.revision` names. Argo CD resolves all of them from `targetRevision` as
/// written (`util/git/client.go` lsRemote: a SHA as is, else a ref's short or full name);
/// Flux needs the matching `GitRepository.spec.ref` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revision {
    /// A branch: a plain name or `refs/heads/<branch>`.
    Branch(String),
    /// `refs/tags/<tag>`.
    Tag(String),
    /// Any other full ref, such as `refs/pull/1/head`.
    Name(String),
    /// A full commit SHA: 40 (SHA-1) or 64 (SHA-256) hexadecimal digits.
    Commit(String),
}

impl Revision {
    pub fn of(profile: &Profile) -> Self {
        Revision::parse(profile.gitops.revision.as_deref().unwrap_or("main"))
    }

    pub fn parse(revision: &str) -> Self {
        let hex = revision.chars().all(|c| c.is_ascii_hexdigit());
        if hex && matches!(revision.len(), 40 | 64) {
            Revision::Commit(revision.to_string())
        } else if let Some(branch) = revision.strip_prefix("refs/heads/") {
            Revision::Branch(branch.to_string())
        } else if let Some(tag) = revision.strip_prefix("refs/tags/") {
            Revision::Tag(tag.to_string())
        } else if revision.starts_with("refs/") {
            Revision::Name(revision.to_string())
        } else {
            Revision::Branch(revision.to_string())
        }
    }
}

/// A plain revision that Flux would take for a branch although it looks like something
/// else: an abbreviated commit SHA (a commit is only found by its full SHA) or a version
/// tag (`v1.2.0`). Argo CD resolves both; Flux would look for a branch of that name.
pub fn check_revision(profile: &Profile) -> Option<Diagnostic> {
    let rev = profile.gitops.revision.as_deref()?;
    if profile.gitops.engine != Engine::Flux
        || Revision::parse(rev) != Revision::Branch(rev.to_string())
    {
        return None;
    }
    let abbreviated = (7..40).contains(&rev.len())
        && rev.chars().all(|c| c.is_ascii_hexdigit())
        && rev.chars().any(|c| c.is_ascii_digit());
    let version = {
        let v = rev.strip_prefix('v').unwrap_or(rev);
        let mut parts = v.split('.');
        v.contains('.')
            && parts
                .next()
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            && parts
                .next()
                .is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()))
    };
    let (what, field, fix) = if abbreviated {
        (
            "an abbreviated commit SHA",
            "commit",
            "give the full 40-character SHA",
        )
    } else if version {
        ("a version tag", "tag", "write refs/tags/{rev} for the tag")
    } else {
        return None;
    };
    Some(Diagnostic::new(
        &GITOPS_REVISION,
        "gitops.revision",
        format!(
            "gitops.revision \"{rev}\" looks like {what}, but a plain name is a branch: Flux would check out spec.ref.branch \"{rev}\", not spec.ref.{field}"
        ),
        format!(
            "{}, or write refs/heads/{rev} if it is a branch",
            fix.replace("{rev}", rev)
        ),
    ))
}

/// Values computed from the profile: a namespaced controller for `shared`; a clusterwide
/// controller watching exactly the tenant namespaces (sorted) for `dedicated`. Services
/// default to ClusterIP instead of upstream's LoadBalancer.
/// Where the Seldon charts come from: `integrations.registry.charts`, else Seldon's Helm
/// repository.
pub struct ChartRepo {
    /// As Flux's HelmRepository takes it (`https://…` or `oci://…`).
    pub url: String,
    pub oci: bool,
}

impl ChartRepo {
    pub fn of(profile: &Profile) -> Self {
        let url = profile
            .integrations
            .registry
            .as_ref()
            .and_then(|r| r.charts.clone())
            .unwrap_or_else(|| SELDON_HELM_REPO.to_string());
        ChartRepo {
            oci: url.starts_with("oci://"),
            url,
        }
    }

    /// As an Argo CD Application's `repoURL` and AppProject's `sourceRepos` take it: an
    /// OCI registry without its scheme (Argo CD pulls it as OCI when its repository
    /// Secret says `enableOCI: "true"`).
    pub fn argocd_url(&self) -> String {
        self.url
            .strip_prefix("oci://")
            .unwrap_or(&self.url)
            .to_string()
    }
}

/// The image values of the setup chart: each image's registry replaced by its mirror
/// (`integrations.registry.mirrors`; docker.io for every Seldon image and MLServer, nvcr.io
/// for Triton), and the pull Secrets of every pod.
fn image_values(profile: &Profile, values: &mut SetupValues) {
    use gen_kinds::seldon_setup::{
        ComponentImage, ImageRegistry, LocalObjectReference, ServerConfigImages,
    };
    use gen_profile::integrations::Upstream;
    let Some(registry) = profile.integrations.registry.as_ref() else {
        return;
    };
    values.image_pull_secrets = registry
        .image_pull_secrets
        .iter()
        .map(|name| LocalObjectReference { name: name.clone() })
        .collect();
    let mirror = |u: Upstream| registry.mirrors.get(&u).map(|m| ComponentImage::from(m));
    let docker = mirror(Upstream::DockerIo);
    values.controller.image = docker.as_ref().map(|c| ImageRegistry {
        registry: c.image.registry.clone(),
    });
    for slot in [
        &mut values.scheduler,
        &mut values.envoy,
        &mut values.modelgateway,
        &mut values.pipelinegateway,
        &mut values.dataflow,
        &mut values.hodometer,
    ] {
        *slot = docker.clone();
    }
    let servers = ServerConfigImages {
        rclone: docker.clone(),
        agent: docker.clone(),
        mlserver: docker,
        triton: mirror(Upstream::NvcrIo),
    };
    if servers != ServerConfigImages::default() {
        values.server_config = Some(servers);
    }
}

pub fn setup_values(profile: &Profile) -> SetupValues {
    let mut watch: Vec<String> = profile
        .tenants
        .iter()
        .map(|t| t.namespace.clone())
        .collect();
    watch.sort();
    watch.dedup();
    let dedicated = match profile.pattern {
        Pattern::Shared => false,
        Pattern::Dedicated => true,
    };
    let mut values = SetupValues {
        controller: ControllerValues {
            clusterwide: dedicated,
            watch_namespaces: if dedicated { watch } else { Vec::new() },
            image: None,
        },
        kafka: profile
            .seldon
            .kafka
            .as_ref()
            .filter(|k| **k != gen_profile::KafkaInstall::default())
            .map(|k| KafkaValues {
                bootstrap: k.bootstrap.clone(),
                topic_prefix: k.topic_prefix.clone(),
                consumer_group_id_prefix: k.consumer_group_id_prefix.clone(),
            }),
        services: ServicesValues {
            default_service_type: "ClusterIP",
        },
        security: crate::objects::integrations::kafka::security_values(profile),
        image_pull_secrets: Vec::new(),
        scheduler: None,
        envoy: None,
        modelgateway: None,
        pipelinegateway: None,
        dataflow: None,
        hodometer: None,
        server_config: None,
    };
    image_values(profile, &mut values);
    values
}

// ---- shared helpers ----

/// Whether a workload folder holds Seldon custom resources, whose CRDs another Application
/// or HelmRelease installs.
pub(crate) fn holds_seldon_objects(folder: &Folder) -> bool {
    !folder.origins.is_empty()
}

/// The workload folders of one layer.
pub(crate) fn of_layer(workload: &[Folder], layer: Layer) -> impl Iterator<Item = &Folder> {
    workload.iter().filter(move |f| f.layer == layer)
}

fn meta(name: &str, namespace: &str, part_of: &str) -> Metadata {
    let mut m = Metadata::namespaced(name, namespace);
    m.labels = labels(part_of, "gitops", None).into();
    m
}

fn folder(path: &str, namespace: &str, owner: &str, objects: Vec<Manifest>) -> Folder {
    Folder::new(path.to_string(), Layer::GitOps, owner, namespace, objects)
}
