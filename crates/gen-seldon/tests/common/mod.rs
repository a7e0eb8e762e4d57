//! Fixtures the gen-seldon test binaries share.
#![allow(dead_code)]

use gen_seldon::kinds::{Component, ComponentOverride, RuntimeConfig, ServiceType, TracingConfig};

/// The overrides gen renders for every runtime: scheduler and envoy inside the cluster,
/// hodometer off.
pub fn secure_overrides() -> Vec<ComponentOverride> {
    let inside = |name| ComponentOverride {
        service_type: Some(ServiceType::ClusterIP),
        ..ComponentOverride::new(name)
    };
    vec![
        inside(Component::Scheduler),
        inside(Component::Envoy),
        ComponentOverride {
            disable: Some(true),
            ..ComponentOverride::new(Component::Hodometer)
        },
    ]
}

/// A runtime config with tracing off.
pub fn tracing_off() -> RuntimeConfig {
    RuntimeConfig {
        tracing_config: Some(TracingConfig {
            disable: Some(true),
            ..TracingConfig::default()
        }),
        ..RuntimeConfig::default()
    }
}
