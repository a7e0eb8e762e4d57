//! What the profile's install settings mean for every layer: the ServerConfigs in the
//! controller namespace, the setup chart's values as the rules see them, each runtime's
//! tracing. Pure functions of the profile, used by the plan, the NetworkPolicies and the
//! quotas alike.

use gen_profile::Profile;
use gen_seldon::catalog::{
    Install, SETUP_SASL_USERNAME, ServerConfigInfo, upstream_server_configs,
};
use gen_seldon::kinds::TracingConfig;

/// The ServerConfigs in the controller namespace: upstream's plus the declared ones. A
/// declared ServerConfig is taken to run the setup chart's rclone and agent containers
/// beside its inference container, as every Seldon ServerConfig does.
pub fn server_configs(profile: &Profile) -> Vec<ServerConfigInfo> {
    let mut configs = upstream_server_configs();
    for c in &profile.platform.server_configs {
        let caps: Vec<&str> = c.capabilities.iter().map(String::as_str).collect();
        configs.push(ServerConfigInfo::new(
            &c.name,
            &caps,
            c.container.as_deref().unwrap_or(&c.name),
            c.cpu.as_ref().map(|q| q.as_str()),
            c.memory.as_str(),
            c.memory_limit.as_ref().map(|q| q.as_str()),
        ));
    }
    configs
}

/// The setup chart's values as the GitOps layer installs them: the profile's Kafka, and
/// the chart's defaults otherwise (server autoscaling on, the placeholder collector).
pub fn install(profile: &Profile) -> Install {
    let kafka = profile.seldon.kafka.as_ref();
    Install {
        kafka_bootstrap: kafka
            .and_then(|k| k.bootstrap.clone())
            .filter(|b| !b.trim().is_empty()),
        kafka_topic_prefix: kafka.and_then(|k| k.topic_prefix.clone()),
        kafka_consumer_group_id_prefix: kafka.and_then(|k| k.consumer_group_id_prefix.clone()),
        // Kafka tenancy sets SASL_SSL and leaves the chart's username, which every runtime
        // overrides with its own user.
        kafka_sasl_username: profile
            .integrations
            .kafka
            .as_ref()
            .map(|_| SETUP_SASL_USERNAME.to_string()),
        ..Install::chart_defaults()
    }
}

/// A runtime's tracing: its own `tracingConfig` field by field over `seldon.tracing`; off
/// when neither names an endpoint. Seldon traces by default to a placeholder collector
/// that nothing installs, and `disable` in the setup chart does not reach runtimes
/// (`TracingConfig.addDefaults`), so each runtime says it (FACTS §9.4).
pub fn runtime_tracing(
    profile: &gen_profile::SeldonInstall,
    own: Option<&TracingConfig>,
) -> TracingConfig {
    let mut t = own.cloned().unwrap_or_default();
    if t.disable == Some(true) {
        return t;
    }
    if let Some(global) = &profile.tracing {
        t.otel_exporter_endpoint = t
            .otel_exporter_endpoint
            .or_else(|| Some(global.endpoint.trim().to_string()));
        t.otel_exporter_protocol = t
            .otel_exporter_protocol
            .or_else(|| global.protocol.map(|p| p.as_str().to_string()));
        t.ratio = t.ratio.or_else(|| global.ratio.map(|r| r.to_string()));
    }
    if t.disable.is_none()
        && t.otel_exporter_endpoint
            .as_deref()
            .is_none_or(str::is_empty)
    {
        t.disable = Some(true);
    }
    t
}
