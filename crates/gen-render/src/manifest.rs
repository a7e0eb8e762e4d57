//! Every kind gen renders, as one typed enum: built-in kinds from k8s-openapi, the custom
//! resources (Seldon, Argo CD, Flux) from gen-kinds.

use k8s_openapi::Resource;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Secret, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::Serialize;

use gen_seldon::{Experiment, Kind, Model, Pipeline, SeldonRuntime, Server};

use gen_kinds::argocd::{AppProject, Application};
use gen_kinds::flux::{FluxKustomization, GitRepository, HelmRelease, HelmRepository};

#[derive(Clone, Debug)]
pub enum Manifest {
    Namespace(Namespace),
    ResourceQuota(ResourceQuota),
    LimitRange(LimitRange),
    NetworkPolicy(NetworkPolicy),
    ServiceAccount(ServiceAccount),
    Secret(Secret),
    Role(Role),
    RoleBinding(RoleBinding),
    ClusterRole(ClusterRole),
    ClusterRoleBinding(ClusterRoleBinding),
    SeldonRuntime(SeldonRuntime),
    Server(Server),
    Model(Model),
    Pipeline(Pipeline),
    Experiment(Experiment),
    AppProject(AppProject),
    Application(Application),
    HelmRepository(HelmRepository),
    HelmRelease(HelmRelease),
    GitRepository(GitRepository),
    FluxKustomization(FluxKustomization),
}

macro_rules! each {
    ($self:expr, $v:ident => $body:expr) => {
        match $self {
            Manifest::Namespace($v) => $body,
            Manifest::ResourceQuota($v) => $body,
            Manifest::LimitRange($v) => $body,
            Manifest::NetworkPolicy($v) => $body,
            Manifest::ServiceAccount($v) => $body,
            Manifest::Secret($v) => $body,
            Manifest::Role($v) => $body,
            Manifest::RoleBinding($v) => $body,
            Manifest::ClusterRole($v) => $body,
            Manifest::ClusterRoleBinding($v) => $body,
            Manifest::SeldonRuntime($v) => $body,
            Manifest::Server($v) => $body,
            Manifest::Model($v) => $body,
            Manifest::Pipeline($v) => $body,
            Manifest::Experiment($v) => $body,
            Manifest::AppProject($v) => $body,
            Manifest::Application($v) => $body,
            Manifest::HelmRepository($v) => $body,
            Manifest::HelmRelease($v) => $body,
            Manifest::GitRepository($v) => $body,
            Manifest::FluxKustomization($v) => $body,
        }
    };
}

impl Manifest {
    pub fn kind(&self) -> &'static str {
        fn k8s<T: Resource>(_: &T) -> &'static str {
            T::KIND
        }
        fn typed<S: Kind>(_: &gen_seldon::Object<S>) -> &'static str {
            S::KIND
        }
        match self {
            Manifest::Namespace(o) => k8s(o),
            Manifest::ResourceQuota(o) => k8s(o),
            Manifest::LimitRange(o) => k8s(o),
            Manifest::NetworkPolicy(o) => k8s(o),
            Manifest::ServiceAccount(o) => k8s(o),
            Manifest::Secret(o) => k8s(o),
            Manifest::Role(o) => k8s(o),
            Manifest::RoleBinding(o) => k8s(o),
            Manifest::ClusterRole(o) => k8s(o),
            Manifest::ClusterRoleBinding(o) => k8s(o),
            Manifest::SeldonRuntime(o) => typed(o),
            Manifest::Server(o) => typed(o),
            Manifest::Model(o) => typed(o),
            Manifest::Pipeline(o) => typed(o),
            Manifest::Experiment(o) => typed(o),
            Manifest::AppProject(o) => typed(o),
            Manifest::Application(o) => typed(o),
            Manifest::HelmRepository(o) => typed(o),
            Manifest::HelmRelease(o) => typed(o),
            Manifest::GitRepository(o) => typed(o),
            Manifest::FluxKustomization(o) => typed(o),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Manifest::Namespace(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::ResourceQuota(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::LimitRange(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::NetworkPolicy(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::ServiceAccount(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::Secret(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::Role(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::RoleBinding(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::ClusterRole(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::ClusterRoleBinding(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::SeldonRuntime(o) => o.name(),
            Manifest::Server(o) => o.name(),
            Manifest::Model(o) => o.name(),
            Manifest::Pipeline(o) => o.name(),
            Manifest::Experiment(o) => o.name(),
            Manifest::AppProject(o) => o.name(),
            Manifest::Application(o) => o.name(),
            Manifest::HelmRepository(o) => o.name(),
            Manifest::HelmRelease(o) => o.name(),
            Manifest::GitRepository(o) => o.name(),
            Manifest::FluxKustomization(o) => o.name(),
        }
    }

    /// The API group and resource (plural) of this object's kind, as RBAC rules name it.
    pub fn resource(&self) -> (&'static str, &'static str) {
        fn k8s<T: Resource>(_: &T) -> (&'static str, &'static str) {
            (T::GROUP, T::URL_PATH_SEGMENT)
        }
        fn typed<S: Kind>(
            _: &gen_seldon::Object<S>,
            plural: &'static str,
        ) -> (&'static str, &'static str) {
            (
                S::API_VERSION.rsplit_once('/').map_or("", |(g, _)| g),
                plural,
            )
        }
        match self {
            Manifest::Namespace(o) => k8s(o),
            Manifest::ResourceQuota(o) => k8s(o),
            Manifest::LimitRange(o) => k8s(o),
            Manifest::NetworkPolicy(o) => k8s(o),
            Manifest::ServiceAccount(o) => k8s(o),
            Manifest::Secret(o) => k8s(o),
            Manifest::Role(o) => k8s(o),
            Manifest::RoleBinding(o) => k8s(o),
            Manifest::ClusterRole(o) => k8s(o),
            Manifest::ClusterRoleBinding(o) => k8s(o),
            Manifest::SeldonRuntime(o) => typed(o, "seldonruntimes"),
            Manifest::Server(o) => typed(o, "servers"),
            Manifest::Model(o) => typed(o, "models"),
            Manifest::Pipeline(o) => typed(o, "pipelines"),
            Manifest::Experiment(o) => typed(o, "experiments"),
            Manifest::AppProject(o) => typed(o, "appprojects"),
            Manifest::Application(o) => typed(o, "applications"),
            Manifest::HelmRepository(o) => typed(o, "helmrepositories"),
            Manifest::HelmRelease(o) => typed(o, "helmreleases"),
            Manifest::GitRepository(o) => typed(o, "gitrepositories"),
            Manifest::FluxKustomization(o) => typed(o, "kustomizations"),
        }
    }

    /// The object's namespace; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Manifest::Namespace(_) | Manifest::ClusterRole(_) | Manifest::ClusterRoleBinding(_) => {
                None
            }
            Manifest::ResourceQuota(o) => o.metadata.namespace.as_deref(),
            Manifest::LimitRange(o) => o.metadata.namespace.as_deref(),
            Manifest::NetworkPolicy(o) => o.metadata.namespace.as_deref(),
            Manifest::ServiceAccount(o) => o.metadata.namespace.as_deref(),
            Manifest::Secret(o) => o.metadata.namespace.as_deref(),
            Manifest::Role(o) => o.metadata.namespace.as_deref(),
            Manifest::RoleBinding(o) => o.metadata.namespace.as_deref(),
            Manifest::SeldonRuntime(o) => o.metadata.namespace.as_deref(),
            Manifest::Server(o) => o.metadata.namespace.as_deref(),
            Manifest::Model(o) => o.metadata.namespace.as_deref(),
            Manifest::Pipeline(o) => o.metadata.namespace.as_deref(),
            Manifest::Experiment(o) => o.metadata.namespace.as_deref(),
            Manifest::AppProject(o) => o.metadata.namespace.as_deref(),
            Manifest::Application(o) => o.metadata.namespace.as_deref(),
            Manifest::HelmRepository(o) => o.metadata.namespace.as_deref(),
            Manifest::HelmRelease(o) => o.metadata.namespace.as_deref(),
            Manifest::GitRepository(o) => o.metadata.namespace.as_deref(),
            Manifest::FluxKustomization(o) => o.metadata.namespace.as_deref(),
        }
    }

    /// The file name of this object inside its folder: `<kind>-<name>.yaml`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.yaml", self.kind().to_ascii_lowercase(), self.name())
    }
}

impl Serialize for Manifest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        each!(self, o => o.serialize(serializer))
    }
}
