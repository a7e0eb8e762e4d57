//! The Seldon Core v2 kinds that a deployment author sets, modelled on the v2.10.2 CRDs.
//!
//! Field names and shapes follow the CRDs exactly (camelCase), so the same structs serve
//! the profile (a Model entry is a `name` plus a [`ModelSpec`]), the rendered manifests and
//! the rules. Adding a Seldon field means adding it here.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::SELDON_API_VERSION as API_VERSION;
use crate::meta::{Kind, Object};
use crate::quantity::Quantity;

pub type Model = Object<ModelSpec>;
pub type Server = Object<ServerSpec>;
pub type Pipeline = Object<PipelineSpec>;
pub type Experiment = Object<ExperimentSpec>;
pub type SeldonRuntime = Object<SeldonRuntimeSpec>;

macro_rules! kind {
    ($spec:ty, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = API_VERSION;
            const KIND: &'static str = $kind;
        }
    };
}
kind!(ModelSpec, "Model");
kind!(ServerSpec, "Server");
kind!(PipelineSpec, "Pipeline");
kind!(ExperimentSpec, "Experiment");
kind!(SeldonRuntimeSpec, "SeldonRuntime");

fn is_false(b: &bool) -> bool {
    !*b
}

/// `Model.spec`: one model artifact and where it may be scheduled.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelSpec {
    /// Where the artifact lives: an rclone URI such as gs://bucket/path, s3://bucket/path,
    /// az://container/path or https://host/path. Credentials go in `secretName`, never here.
    pub storage_uri: String,
    /// A v2 version folder inside storageUri.
    #[serde(default)]
    pub artifact_version: Option<u32>,
    /// Capability tags that a Server must advertise to host this model (e.g. sklearn).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// Appended to requirements by the controller before scheduling.
    #[serde(default)]
    pub model_type: Option<String>,
    /// Memory the model needs on a server replica, as a Kubernetes quantity (e.g. 100Ki).
    #[serde(default)]
    pub memory: Option<Quantity>,
    /// Desired replicas (default 1). Each replica needs its own server replica.
    #[serde(default)]
    pub replicas: Option<i32>,
    #[serde(default)]
    pub min_replicas: Option<i32>,
    /// 0 or unset means unbounded.
    #[serde(default)]
    pub max_replicas: Option<i32>,
    /// Pin the model to the Server with this name (in the same namespace).
    #[serde(default)]
    pub server: Option<String>,
    /// Name of a Secret (in the model's namespace) holding rclone storage credentials.
    #[serde(default)]
    pub secret_name: Option<String>,
    #[serde(default)]
    pub schema_uri: Option<String>,
    #[serde(default)]
    pub preloaded: Option<bool>,
    #[serde(default)]
    pub dedicated: Option<bool>,
    /// Log request/response payloads.
    #[serde(default)]
    pub logger: Option<Logger>,
    /// Makes this model an explainer of another model or pipeline (needs alibi-explain).
    #[serde(default)]
    pub explainer: Option<Explainer>,
    /// Makes this model a prompt/LLM wrapper of another model or pipeline.
    #[serde(default)]
    pub llm: Option<Llm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub dataflow: Option<Dataflow>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Logger {
    #[serde(default)]
    pub percent: Option<i32>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Explainer {
    /// The alibi explainer type, e.g. anchor_tabular.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub model_ref: Option<String>,
    #[serde(default)]
    pub pipeline_ref: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Llm {
    #[serde(default)]
    pub model_ref: Option<String>,
    #[serde(default)]
    pub pipeline_ref: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    pub value: String,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataflow {
    #[serde(default)]
    pub clean_topics_on_delete: Option<bool>,
}

/// `Server.spec`: a set of inference server replicas built from a ServerConfig.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerSpec {
    /// Name of a ServerConfig in the controller's namespace: mlserver, triton, or one the
    /// profile declares under platform.serverConfigs.
    pub server_config: String,
    /// Replaces the ServerConfig's capability list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Appended to the ServerConfig's capability list (ignored when capabilities is set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_capabilities: Vec<String>,
    /// Server replicas (default 1).
    #[serde(default)]
    pub replicas: Option<i32>,
    #[serde(default)]
    pub min_replicas: Option<i32>,
    /// 0 or unset means unbounded.
    #[serde(default)]
    pub max_replicas: Option<i32>,
    /// If true, ServerConfig changes are not rolled out to this Server.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_auto_update: bool,
    /// Merged into the ServerConfig pod spec; gen sets only container resources here.
    #[serde(default)]
    #[schemars(skip)]
    pub pod_spec: Option<ServerPodSpec>,
}

/// The part of a Server's `podSpec` that gen writes: per-container resources and where
/// the pods run. The controller merges it into the ServerConfig's podSpec (mergo
/// WithOverride + WithAppendSlice: nodeSelector key by key, tolerations appended, affinity
/// field by field, containers by name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPodSpec {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<crate::scheduling::Toleration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<crate::scheduling::Affinity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<ContainerResources>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResources {
    pub name: String,
    #[serde(default)]
    pub resources: Resources,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
}

/// How a pipeline joins several inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JoinType {
    Inner,
    Outer,
    Any,
}

/// `Pipeline.spec`: a dataflow graph of model steps over Kafka.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSpec {
    /// Consume other pipelines' inputs or outputs.
    #[serde(default)]
    pub input: Option<PipelineInput>,
    /// The steps; each step's name is a Model in the same namespace.
    pub steps: Vec<PipelineStep>,
    #[serde(default)]
    pub output: Option<PipelineOutput>,
    #[serde(default)]
    pub dataflow: Option<Dataflow>,
    #[serde(default)]
    pub allow_cycles: Option<bool>,
    #[serde(default)]
    pub max_step_revisits: Option<u32>,
}

impl PipelineSpec {
    /// The spec with the join types that the CRD defaults on the API server written out
    /// (`inner`), so a GitOps diff between git and the cluster stays empty.
    pub fn with_server_defaults(mut self) -> Self {
        let inner = Some(JoinType::Inner);
        for step in &mut self.steps {
            step.inputs_join_type = step.inputs_join_type.or(inner);
        }
        if let Some(input) = &mut self.input {
            input.join_type = input.join_type.or(inner);
            input.triggers_join_type = input.triggers_join_type.or(inner);
        }
        if let Some(output) = &mut self.output {
            output.steps_join = output.steps_join.or(inner);
        }
        self
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineStep {
    /// A Model in the same namespace.
    pub name: String,
    /// Other steps (`step` = `step.outputs`, or `step.outputs.TENSOR`) or the pipeline's
    /// own name for its inputs. No inputs means the pipeline's inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    #[serde(default)]
    pub join_window_ms: Option<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tensor_map: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    #[serde(default)]
    pub inputs_join_type: Option<JoinType>,
    #[serde(default)]
    pub triggers_join_type: Option<JoinType>,
    #[serde(default)]
    pub batch: Option<Batch>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Batch {
    #[serde(default)]
    pub size: Option<u32>,
    #[serde(default)]
    pub window_ms: Option<u32>,
    #[serde(default)]
    pub rolling: Option<bool>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineInput {
    /// `<pipeline>.(inputs|outputs)[.tensor]` or `<pipeline>.step.<step>.(inputs|outputs)[.tensor]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_inputs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_triggers: Vec<String>,
    #[serde(default)]
    pub join_window_ms: Option<u32>,
    #[serde(default)]
    pub join_type: Option<JoinType>,
    #[serde(default)]
    pub triggers_join_type: Option<JoinType>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tensor_map: BTreeMap<String, String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineOutput {
    /// Steps whose outputs form the pipeline's output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    #[serde(default)]
    pub join_window_ms: Option<u32>,
    #[serde(default)]
    pub steps_join: Option<JoinType>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tensor_map: BTreeMap<String, String>,
}

/// What an experiment's candidates are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResourceType {
    #[default]
    Model,
    Pipeline,
}

impl ResourceType {
    pub fn kind(self) -> &'static str {
        match self {
            ResourceType::Model => "Model",
            ResourceType::Pipeline => "Pipeline",
        }
    }
}

/// `Experiment.spec`: a traffic split (A/B test) or mirror over models or pipelines.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentSpec {
    /// The model or pipeline whose endpoint receives the split; must be a candidate.
    #[serde(default)]
    pub default: Option<String>,
    /// Candidates and their weights; traffic share = weight / sum of weights.
    pub candidates: Vec<Candidate>,
    /// Receives a copy of the traffic; its responses are dropped. Must not be a candidate.
    #[serde(default)]
    pub mirror: Option<Mirror>,
    /// model (default) or pipeline.
    #[serde(default)]
    pub resource_type: Option<ResourceType>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    pub name: String,
    pub weight: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mirror {
    pub name: String,
    pub percent: u32,
}

/// `SeldonRuntime.spec`: the per-namespace scheduler, envoy, gateways and dataflow engine.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeldonRuntimeSpec {
    /// Name of a SeldonConfig in the controller's namespace.
    pub seldon_config: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<ComponentOverride>,
    #[serde(default)]
    pub config: Option<RuntimeConfig>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_auto_update: bool,
}

/// The runtime components a SeldonRuntime can override.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Component {
    #[serde(rename = "seldon-scheduler")]
    Scheduler,
    #[serde(rename = "seldon-envoy")]
    Envoy,
    #[serde(rename = "seldon-modelgateway")]
    ModelGateway,
    #[serde(rename = "seldon-pipelinegateway")]
    PipelineGateway,
    #[serde(rename = "seldon-dataflow-engine")]
    DataflowEngine,
    #[serde(rename = "hodometer")]
    Hodometer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

/// One entry of `SeldonRuntime.spec.overrides`.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentOverride {
    pub name: Component,
    #[serde(default)]
    pub disable: Option<bool>,
    #[serde(default)]
    pub replicas: Option<i32>,
    /// Service type of seldon-scheduler or seldon-envoy (without an override, LoadBalancer).
    #[serde(default)]
    pub service_type: Option<ServiceType>,
    /// Merged by the controller into the SeldonConfig component's podSpec (`MergePodSpecs`:
    /// containers by name, each container's `env` appended, so a variable given here comes
    /// after the SeldonConfig's of the same name, and the kubelet keeps the last). gen
    /// writes it for Kafka tenancy; a profile does not set it.
    #[serde(default)]
    #[schemars(skip)]
    pub pod_spec: Option<RuntimePodSpec>,
}

impl ComponentOverride {
    /// An override of `name` that changes nothing yet.
    pub fn new(name: Component) -> Self {
        ComponentOverride {
            name,
            disable: None,
            replicas: None,
            service_type: None,
            pod_spec: None,
        }
    }
}

/// The part of a component's `podSpec` override that gen writes: container env.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimePodSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<ContainerEnv>,
}

/// A container of a component, by name, with variables to add to its env.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerEnv {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
}

/// An environment variable with a literal value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// `SeldonRuntime.spec.config`: fields left empty are filled from the SeldonConfig.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeConfig {
    #[serde(default)]
    pub kafka_config: Option<KafkaConfig>,
    #[serde(default)]
    pub tracing_config: Option<TracingConfig>,
    #[serde(default)]
    pub service_config: Option<ServiceConfig>,
    /// Rclone config secrets and remotes for the agents, appended to the SeldonConfig's.
    /// Read from YAML trees; a profile does not set it (gen renders no credentials).
    #[serde(default)]
    #[schemars(skip)]
    pub agent_config: Option<AgentConfig>,
}

/// `SeldonRuntime.spec.config.agentConfig`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentConfig {
    #[serde(default)]
    pub rclone: Option<RcloneConfig>,
}

/// `agentConfig.rclone`: Secrets holding one rclone remote each, and inline remotes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RcloneConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_secrets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KafkaConfig {
    #[serde(default, rename = "bootstrap.servers")]
    pub bootstrap_servers: Option<String>,
    #[serde(default)]
    pub topic_prefix: Option<String>,
    #[serde(default)]
    pub consumer_group_id_prefix: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TracingConfig {
    #[serde(default)]
    pub disable: Option<bool>,
    #[serde(default)]
    pub otel_exporter_endpoint: Option<String>,
    #[serde(default)]
    pub otel_exporter_protocol: Option<String>,
    #[serde(default)]
    pub ratio: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceConfig {
    #[serde(default)]
    pub grpc_service_prefix: Option<String>,
    #[serde(default)]
    pub service_type: Option<ServiceType>,
}
