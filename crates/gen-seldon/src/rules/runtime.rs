//! SeldonRuntimes: one per namespace that holds Seldon objects, a known SeldonConfig,
//! and nothing exposed or reporting to the internet by default (FACTS §2, §3).

use std::collections::HashMap;

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, ObjectRef, Origin, Out};

pub(super) static RUNTIME_DUPLICATE: Rule = Rule::new(
    Stage::Seldon,
    "runtime-duplicate",
    Severity::Error,
    "a namespace holds at most one SeldonRuntime",
    "Each SeldonRuntime creates the scheduler, envoy and gateways of its namespace under \
fixed names (seldon-scheduler, seldon-mesh, ...). Two in one namespace fight over the same \
objects.

Fix: keep one SeldonRuntime per namespace.",
);

pub(super) static SELDON_CONFIG_UNKNOWN: Rule = Rule::new(
    Stage::Seldon,
    "seldon-config-unknown",
    Severity::Error,
    "a SeldonRuntime's seldonConfig exists in the controller namespace",
    "The controller reads a SeldonRuntime's SeldonConfig from its own namespace, never the \
runtime's (GetSeldonConfigForSeldonRuntime). The setup chart installs `default`. A runtime \
naming another SeldonConfig gets no components.

Fix: use `default`, or install your SeldonConfig in the controller namespace.",
);

pub(super) static RUNTIME_MISSING: Rule = Rule::new(
    Stage::Seldon,
    "runtime-missing",
    Severity::Error,
    "every Model, Pipeline, Experiment and Server is in a namespace with a SeldonRuntime",
    "The Seldon controller dials `seldon-scheduler.<namespace of the object>` \
(operator/scheduler/client.go getSchedulerHost), and only a SeldonRuntime creates that \
scheduler. A Model elsewhere stays ModelReady=False for ever and its deletion hangs on its \
finalizer; a Server's pods miss the service account and ConfigMaps the runtime creates. \
This is the \"models in an app namespace, scheduler elsewhere\" layout: it cannot work.

Fix: deploy the object into a namespace that has a SeldonRuntime, or add one there \
(pattern dedicated gives each tenant namespace its own).",
);

pub(super) static RUNTIME_EXPOSED: Rule = Rule::new(
    Stage::Seldon,
    "runtime-exposed",
    Severity::Warning,
    "scheduler and envoy are not exposed as LoadBalancers",
    "Without an override, the controller gives seldon-scheduler and seldon-mesh (envoy) the \
SeldonConfig's service type, LoadBalancer by default; with an override for the component, \
the override's serviceType is used even when empty (ClusterIP). A LoadBalancer scheduler \
puts the control plane on the network edge.

Fix: add overrides {name: seldon-scheduler, serviceType: ClusterIP} and {name: \
seldon-envoy, serviceType: ClusterIP}, and expose inference through an ingress or gateway \
you choose.",
);

pub(super) static HODOMETER_ENABLED: Rule = Rule::new(
    Stage::Seldon,
    "hodometer-enabled",
    Severity::Warning,
    "hodometer is disabled",
    "hodometer sends anonymous usage metrics to hodometer.seldon.io on the internet unless \
the runtime disables it. (A disabled hodometer never sets HodometerReady, so health checks \
must look at SchedulerReady and EnvoyReady instead of Ready.)

Fix: add the override {name: hodometer, disable: true}.",
);

pub(super) fn check_runtimes(inv: &Inventory, all: &[ObjectRef], out: &mut Out) {
    let mut per_ns: HashMap<&str, &Origin> = HashMap::new();
    for rt in &inv.runtimes {
        let ns = rt.object.namespace();
        if let Some(first) = per_ns.get(ns) {
            out.report(
                &RUNTIME_DUPLICATE,
                &rt.origin,
                "name",
                format!(
                    "namespace {ns:?} already has a SeldonRuntime (at {first}); a namespace holds exactly one, since each creates the fixed-name seldon-scheduler"
                ),
                "keep one SeldonRuntime per namespace",
            );
            out.relate(first, "name", "the namespace's first SeldonRuntime");
        } else {
            per_ns.insert(ns, &rt.origin);
        }
        let config = &rt.object.spec.seldon_config;
        if !inv.seldon_configs.iter().any(|c| c == config) {
            out.report(
                &SELDON_CONFIG_UNKNOWN,
                &rt.origin,
                "seldonConfig",
                format!(
                    "SeldonConfig {config:?} does not exist in the controller namespace {:?}; SeldonConfigs are always read from there",
                    inv.controller_namespace
                ),
                format!("use one of: {}", inv.seldon_configs.join(", ")),
            );
        }
    }
    // Objects come namespace by namespace: look each namespace up once per run.
    let mut served = None;
    for &(kind, origin, ns, name) in all {
        if kind == "SeldonRuntime" {
            continue;
        }
        let has_runtime = match served {
            Some((last, has)) if last == ns => has,
            _ => per_ns.contains_key(ns),
        };
        served = Some((ns, has_runtime));
        if has_runtime {
            continue;
        }
        out.report(
            &RUNTIME_MISSING,
            origin,
            "name",
            format!(
                "{kind} {name:?} is in namespace {ns:?}, which has no SeldonRuntime; the Seldon controller dials seldon-scheduler.{ns} for it, so it would never become ready"
            ),
            format!("deploy it into a namespace that has a SeldonRuntime, or add a SeldonRuntime to {ns:?}"),
        );
    }
}

/// Upstream exposes scheduler and envoy as LoadBalancer unless told otherwise, and runs
/// hodometer, which reports usage to the internet (FACTS §2, §3).
pub(super) fn check_runtime_exposure(inv: &Inventory, out: &mut Out) {
    use crate::kinds::{Component, ServiceType};
    for rt in &inv.runtimes {
        let spec = &rt.object.spec;
        let ns = rt.object.namespace();
        for (i, component) in [Component::Scheduler, Component::Envoy]
            .into_iter()
            .enumerate()
        {
            let overridden = spec.overrides.iter().find(|o| o.name == component);
            let service_type = match overridden {
                // An override's serviceType is used even when empty (= ClusterIP).
                Some(o) => o.service_type.unwrap_or(ServiceType::ClusterIP),
                None => spec
                    .config
                    .as_ref()
                    .and_then(|c| c.service_config.as_ref())
                    .and_then(|s| s.service_type)
                    .unwrap_or(ServiceType::LoadBalancer),
            };
            if service_type == ServiceType::LoadBalancer {
                let name = ["seldon-scheduler", "seldon-envoy"][i];
                let why = if overridden.is_some() {
                    "its override asks for LoadBalancer"
                } else {
                    "without an override Seldon defaults to LoadBalancer"
                };
                out.report(
                    &RUNTIME_EXPOSED,
                    &rt.origin,
                    "overrides",
                    format!("SeldonRuntime in namespace {ns:?} exposes {name} as a LoadBalancer ({why})"),
                    format!("add an override {{name: {name}, serviceType: ClusterIP}} and expose inference through an ingress you choose"),
                );
            }
        }
        let hodometer_off = spec
            .overrides
            .iter()
            .any(|o| o.name == Component::Hodometer && o.disable == Some(true));
        if !hodometer_off {
            out.report(
                &HODOMETER_ENABLED,
                &rt.origin,
                "overrides",
                format!("SeldonRuntime in namespace {ns:?} runs hodometer, which sends usage metrics to hodometer.seldon.io on the internet"),
                "add an override {name: hodometer, disable: true}",
            );
        }
    }
}
