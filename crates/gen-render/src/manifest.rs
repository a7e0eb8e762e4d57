//! Every kind gen renders, as one typed enum: built-in kinds from k8s-openapi, the custom
//! resources (Seldon, Argo CD, Flux) from gen-kinds, and the objects of a repository's own
//! templates (checked by gen-templates against their kind's schema).

use k8s_openapi::Resource;
use k8s_openapi::api::admissionregistration::v1::{
    ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, Secret, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::Serialize;

use gen_seldon::{Experiment, Kind, Model, Pipeline, SeldonRuntime, Server};

use gen_kinds::argocd::{AppProject, Application};
use gen_kinds::external_secrets::ExternalSecret;
use gen_kinds::flux::{FluxKustomization, GitRepository, HelmRelease, HelmRepository};
use gen_kinds::gateway::{HttpRoute, ReferenceGrant};
use gen_kinds::monitoring::{PodMonitor, PrometheusRule};
use gen_kinds::strimzi::{KafkaTopic, KafkaUser};

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
    ValidatingAdmissionPolicy(ValidatingAdmissionPolicy),
    ValidatingAdmissionPolicyBinding(ValidatingAdmissionPolicyBinding),
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
    ExternalSecret(ExternalSecret),
    HttpRoute(HttpRoute),
    ReferenceGrant(ReferenceGrant),
    PodMonitor(PodMonitor),
    PrometheusRule(PrometheusRule),
    KafkaUser(KafkaUser),
    KafkaTopic(KafkaTopic),
    /// An object a template of the repository rendered.
    Template(Box<gen_templates::TemplateObject>),
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
            Manifest::ValidatingAdmissionPolicy($v) => $body,
            Manifest::ValidatingAdmissionPolicyBinding($v) => $body,
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
            Manifest::ExternalSecret($v) => $body,
            Manifest::HttpRoute($v) => $body,
            Manifest::ReferenceGrant($v) => $body,
            Manifest::PodMonitor($v) => $body,
            Manifest::PrometheusRule($v) => $body,
            Manifest::KafkaUser($v) => $body,
            Manifest::KafkaTopic($v) => $body,
            Manifest::Template($v) => $body,
        }
    };
}

impl Manifest {
    pub fn kind(&self) -> &str {
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
            Manifest::ValidatingAdmissionPolicy(o) => k8s(o),
            Manifest::ValidatingAdmissionPolicyBinding(o) => k8s(o),
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
            Manifest::ExternalSecret(o) => typed(o),
            Manifest::HttpRoute(o) => typed(o),
            Manifest::ReferenceGrant(o) => typed(o),
            Manifest::PodMonitor(o) => typed(o),
            Manifest::PrometheusRule(o) => typed(o),
            Manifest::KafkaUser(o) => typed(o),
            Manifest::KafkaTopic(o) => typed(o),
            Manifest::Template(o) => o.kind(),
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
            Manifest::ValidatingAdmissionPolicy(o) => o.metadata.name.as_deref().unwrap_or(""),
            Manifest::ValidatingAdmissionPolicyBinding(o) => {
                o.metadata.name.as_deref().unwrap_or("")
            }
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
            Manifest::ExternalSecret(o) => o.name(),
            Manifest::HttpRoute(o) => o.name(),
            Manifest::ReferenceGrant(o) => o.name(),
            Manifest::PodMonitor(o) => o.name(),
            Manifest::PrometheusRule(o) => o.name(),
            Manifest::KafkaUser(o) => o.name(),
            Manifest::KafkaTopic(o) => o.name(),
            Manifest::Template(o) => &o.name,
        }
    }

    /// The API group and resource (plural) of this object's kind, as RBAC rules name it.
    pub fn resource(&self) -> (&str, &str) {
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
            Manifest::ValidatingAdmissionPolicy(o) => k8s(o),
            Manifest::ValidatingAdmissionPolicyBinding(o) => k8s(o),
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
            Manifest::ExternalSecret(o) => typed(o, "externalsecrets"),
            Manifest::HttpRoute(o) => typed(o, "httproutes"),
            Manifest::ReferenceGrant(o) => typed(o, "referencegrants"),
            Manifest::PodMonitor(o) => typed(o, "podmonitors"),
            Manifest::PrometheusRule(o) => typed(o, "prometheusrules"),
            Manifest::KafkaUser(o) => typed(o, "kafkausers"),
            Manifest::KafkaTopic(o) => typed(o, "kafkatopics"),
            Manifest::Template(o) => (&o.info.group, &o.info.plural),
        }
    }

    /// The object's namespace; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Manifest::Namespace(_)
            | Manifest::ClusterRole(_)
            | Manifest::ClusterRoleBinding(_)
            | Manifest::ValidatingAdmissionPolicy(_)
            | Manifest::ValidatingAdmissionPolicyBinding(_) => None,
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
            Manifest::ExternalSecret(o) => o.metadata.namespace.as_deref(),
            Manifest::HttpRoute(o) => o.metadata.namespace.as_deref(),
            Manifest::ReferenceGrant(o) => o.metadata.namespace.as_deref(),
            Manifest::PodMonitor(o) => o.metadata.namespace.as_deref(),
            Manifest::PrometheusRule(o) => o.metadata.namespace.as_deref(),
            Manifest::KafkaUser(o) => o.metadata.namespace.as_deref(),
            Manifest::KafkaTopic(o) => o.metadata.namespace.as_deref(),
            Manifest::Template(o) => o.namespace.as_deref(),
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
