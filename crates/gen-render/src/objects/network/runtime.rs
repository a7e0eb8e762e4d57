//! The policies of a runtime namespace (its SeldonRuntime, Servers and applications) and
//! of the controller namespace in pattern dedicated.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use gen_profile::{Pattern, Profile, RuntimeSettings, ServerEntry, Tenant};
use gen_seldon::kinds::Component;

use super::*;
use crate::manifest::Manifest;

/// What a runtime namespace holds: its runtime settings, its Servers and whether the
/// controller runs there too (pattern shared).
struct RuntimeNs<'a> {
    settings: Option<&'a RuntimeSettings>,
    servers: &'a [ServerEntry],
    controller_here: bool,
    clients: Vec<String>,
}

/// Policies for a namespace that holds a SeldonRuntime, its Servers and applications:
/// the platform namespace in pattern shared (`tenant: None`), a tenant's in dedicated.
pub fn runtime_namespace(
    profile: &Profile,
    ns: &str,
    part_of: &str,
    tenant: Option<&Tenant>,
) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let mut clients: Vec<String> = security
        .client_namespaces
        .iter()
        .chain(
            tenant
                .map(|t| t.client_namespaces.as_slice())
                .unwrap_or_default(),
        )
        .cloned()
        .collect();
    clients.sort();
    clients.dedup();
    let rt = match tenant {
        Some(t) => RuntimeNs {
            settings: t.runtime.as_ref(),
            servers: &t.servers,
            controller_here: false,
            clients,
        },
        None => RuntimeNs {
            settings: profile.platform.runtime.as_ref(),
            servers: &profile.platform.servers,
            controller_here: profile.pattern == Pattern::Shared,
            clients,
        },
    };
    let mut p = Policies {
        ns,
        part_of,
        out: Vec::new(),
    };
    p.deny("Ingress");
    runtime_ingress(profile, &rt, &mut p);
    if security.deny_egress {
        p.deny("Egress");
        p.dns(security);
        runtime_egress(profile, &rt, &mut p);
    }
    p.out
}

fn runtime_ingress(profile: &Profile, rt: &RuntimeNs, p: &mut Policies) {
    use Component::*;
    use ports::*;
    let on = |c| component_enabled(rt.settings, c);
    let have_servers = !rt.servers.is_empty();
    let monitoring = profile.security.monitoring_namespace.as_ref();
    let monitoring_on = |port: i32| {
        monitoring
            .map(|m| from(namespaces(std::slice::from_ref(m)), &[port]))
            .into_iter()
    };
    let enabled_pods = |list: &[Component]| -> Vec<NetworkPolicyPeer> {
        list.iter()
            .filter(|c| on(**c))
            .map(|c| pods(component_name(*c)))
            .collect()
    };
    let nonempty = |peers: Vec<NetworkPolicyPeer>, ports: &[i32]| {
        (!peers.is_empty()).then(|| from(peers, ports)).into_iter()
    };

    if on(Scheduler) {
        let mut control = vec![NetworkPolicyPeer {
            namespace_selector: Some(ns_selector(&profile.platform.namespace)),
            pod_selector: Some(selector(&[CONTROLLER])),
            ip_block: None,
        }];
        control.extend(enabled_pods(&[ModelGateway, PipelineGateway, Hodometer]));
        let mut rules = vec![from(control, &[SCHEDULER_CONTROL])];
        if have_servers {
            rules.push(from(vec![pods(SERVER)], &[SCHEDULER_AGENTS]));
        }
        rules.extend(nonempty(enabled_pods(&[Envoy]), &[SCHEDULER_XDS]));
        rules.extend(nonempty(
            enabled_pods(&[DataflowEngine]),
            &[SCHEDULER_DATAFLOW],
        ));
        p.ingress(
            "seldon-scheduler",
            selector(&[(NAME, "seldon-scheduler")]),
            rules,
        );
    }
    if on(Envoy) {
        let mut callers = enabled_pods(&[ModelGateway, PipelineGateway]);
        if have_servers {
            callers.push(pods(SERVER));
        }
        let mut rules: Vec<_> = nonempty(callers, &[ENVOY_INFERENCE]).collect();
        rules.extend(nonempty(namespaces(&rt.clients), &[ENVOY_INFERENCE]));
        if let Some(gw) = profile.integrations.gateway.as_ref() {
            rules.push(from(vec![gateway_proxy(gw)], &[ENVOY_INFERENCE]));
        }
        rules.extend(monitoring_on(ENVOY_STATS));
        p.ingress("seldon-envoy", selector(&[(NAME, "seldon-envoy")]), rules);
    }
    if have_servers {
        let mut rules: Vec<_> = nonempty(
            enabled_pods(&[Envoy]),
            &[AGENT_PROXY_HTTP, AGENT_PROXY_GRPC],
        )
        .collect();
        rules.extend(monitoring_on(AGENT_METRICS));
        p.ingress("seldon-servers", selector(&[(NAME, SERVER)]), rules);
        if monitoring.is_some() {
            // The inference containers' own metrics, per ServerConfig container.
            let configs = crate::settings::server_configs(profile);
            let mut by_port: BTreeMap<(i32, String), Vec<String>> = BTreeMap::new();
            for s in rt.servers {
                let container = configs
                    .iter()
                    .find(|c| c.name == s.spec.server_config)
                    .map_or(s.spec.server_config.as_str(), |c| c.container.as_str());
                if let Some(port) = inference_metrics_port(container) {
                    by_port
                        .entry((port, container.to_string()))
                        .or_default()
                        .push(s.name.clone());
                }
            }
            for ((port, container), mut servers) in by_port {
                servers.sort();
                servers.dedup();
                let pods = LabelSelector {
                    match_expressions: Some(vec![LabelSelectorRequirement {
                        key: SERVER_NAME.to_string(),
                        operator: "In".to_string(),
                        values: Some(servers),
                    }]),
                    match_labels: Some([(NAME.to_string(), SERVER.to_string())].into()),
                };
                p.ingress(
                    &format!("metrics-{container}"),
                    pods,
                    monitoring_on(port).collect(),
                );
            }
        }
    }
    if on(PipelineGateway) {
        let mut rules: Vec<_> = nonempty(
            enabled_pods(&[Envoy]),
            &[PIPELINE_GATEWAY_HTTP, PIPELINE_GATEWAY_GRPC],
        )
        .collect();
        rules.extend(monitoring_on(PIPELINE_GATEWAY_METRICS));
        p.ingress(
            "seldon-pipelinegateway",
            selector(&[(NAME, "seldon-pipelinegateway")]),
            rules,
        );
    }
    if rt.controller_here {
        p.ingress(
            "seldon-controller",
            selector(&[CONTROLLER]),
            monitoring_on(CONTROLLER_METRICS).collect(),
        );
    }
}

/// The Gateway's proxy pods (integrations.gateway): its `proxy`, else every pod of the
/// Gateway's namespace. They reach envoy's inference port only.
fn gateway_proxy(gw: &gen_profile::integrations::Gateway) -> NetworkPolicyPeer {
    let (ns, labels) = match &gw.proxy {
        Some(p) => (p.namespace.as_str(), Some(&p.pod_labels)),
        None => (gw.namespace.as_str(), None),
    };
    let pods = match labels {
        Some(l) if !l.is_empty() => LabelSelector {
            match_labels: Some(l.clone()),
            ..LabelSelector::default()
        },
        _ => all_pods(),
    };
    NetworkPolicyPeer {
        namespace_selector: Some(ns_selector(ns)),
        pod_selector: Some(pods),
        ip_block: None,
    }
}

fn runtime_egress(profile: &Profile, rt: &RuntimeNs, p: &mut Policies) {
    use Component::*;
    use ports::*;
    let security = &profile.security;
    let on = |c| component_enabled(rt.settings, c);
    let have_servers = !rt.servers.is_empty();
    let component = |c: Component| pods(component_name(c));
    // Where each caller goes, only to components that run.
    let call = |target: Component, on_ports: &[i32]| {
        on(target)
            .then(|| to(vec![component(target)], Some(tcp(on_ports))))
            .into_iter()
    };
    let tracing = tracing_collector(profile, rt.settings).map(|c| {
        let (peers, port) = address(&c);
        to(peers, port.map(|p| tcp(&[p])))
    });
    let install_kafka = install_kafka_bootstrap(profile);
    let gateway_kafka = rt
        .settings
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.kafka_config.as_ref())
        .and_then(|k| k.bootstrap_servers.clone())
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| install_kafka.clone());

    let sel = |c: Component| selector(&[(NAME, component_name(c))]);
    if on(Scheduler) {
        p.egress(
            "seldon-scheduler",
            sel(Scheduler),
            tracing.clone().into_iter().collect(),
        );
    }
    if on(Envoy) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_XDS]).collect();
        if have_servers {
            rules.push(to(
                vec![pods(SERVER)],
                Some(tcp(&[AGENT_PROXY_HTTP, AGENT_PROXY_GRPC])),
            ));
        }
        rules.extend(call(
            PipelineGateway,
            &[PIPELINE_GATEWAY_HTTP, PIPELINE_GATEWAY_GRPC],
        ));
        p.egress("seldon-envoy", sel(Envoy), rules);
    }
    for gateway in [ModelGateway, PipelineGateway] {
        if on(gateway) {
            let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_CONTROL]).collect();
            rules.extend(call(Envoy, &[ENVOY_INFERENCE]));
            rules.extend(kafka_rules(&gateway_kafka));
            rules.extend(tracing.clone());
            p.egress(component_name(gateway), sel(gateway), rules);
        }
    }
    if on(DataflowEngine) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_DATAFLOW]).collect();
        rules.extend(kafka_rules(&install_kafka));
        rules.extend(tracing.clone());
        p.egress("seldon-dataflow-engine", sel(DataflowEngine), rules);
    }
    if on(Hodometer) {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_CONTROL]).collect();
        rules.push(endpoints(&security.api_server));
        rules.push(to(anywhere(), Some(tcp(&[HODOMETER_PUBLISH]))));
        p.egress("hodometer", sel(Hodometer), rules);
    }
    if have_servers {
        let mut rules: Vec<_> = call(Scheduler, &[SCHEDULER_AGENTS]).collect();
        rules.extend(call(Envoy, &[ENVOY_INFERENCE]));
        rules.push(endpoints(&security.api_server));
        rules.push(endpoints(&security.object_storage));
        rules.extend(tracing);
        p.egress("seldon-servers", selector(&[(NAME, SERVER)]), rules);
    }
    if rt.controller_here {
        let mut rules = vec![endpoints(&security.api_server)];
        rules.extend(call(Scheduler, &[SCHEDULER_CONTROL]));
        p.egress("seldon-controller", selector(&[CONTROLLER]), rules);
    }
}

/// Policies for the controller namespace in pattern dedicated (it holds the controller,
/// SeldonConfig and ServerConfigs, no runtime): its metrics port to monitoring; with
/// denyEgress, DNS, the API server and the tenants' schedulers.
pub fn controller_namespace(profile: &Profile, tenant_namespaces: &[String]) -> Vec<Manifest> {
    let security = &profile.security;
    if !security.network_policies {
        return Vec::new();
    }
    let mut p = Policies {
        ns: &profile.platform.namespace,
        part_of: &profile.name,
        out: Vec::new(),
    };
    p.deny("Ingress");
    if let Some(monitoring) = &security.monitoring_namespace {
        p.ingress(
            "seldon-controller",
            selector(&[CONTROLLER]),
            vec![from(
                namespaces(std::slice::from_ref(monitoring)),
                &[ports::CONTROLLER_METRICS],
            )],
        );
    }
    if security.deny_egress {
        p.deny("Egress");
        p.dns(security);
        let mut rules = vec![endpoints(&security.api_server)];
        // The controller dials seldon-scheduler.<tenant namespace> on 9004.
        let schedulers: Vec<NetworkPolicyPeer> = tenant_namespaces
            .iter()
            .map(|t| NetworkPolicyPeer {
                namespace_selector: Some(ns_selector(t)),
                pod_selector: Some(selector(&[(NAME, "seldon-scheduler")])),
                ip_block: None,
            })
            .collect();
        if !schedulers.is_empty() {
            rules.push(to(schedulers, Some(tcp(&[ports::SCHEDULER_CONTROL]))));
        }
        p.egress("seldon-controller", selector(&[CONTROLLER]), rules);
    }
    p.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns_of(peer: &NetworkPolicyPeer) -> Option<String> {
        peer.namespace_selector
            .as_ref()
            .and_then(|s| s.match_labels.as_ref())
            .and_then(|l| l.get("kubernetes.io/metadata.name").cloned())
    }

    #[test]
    fn addresses_become_the_peers_that_hold_them() {
        let (peers, port) = address("kafka-bootstrap.kafka:9092");
        assert_eq!(
            (ns_of(&peers[0]), port),
            (Some("kafka".to_string()), Some(9092))
        );
        let (peers, port) = address("otel.obs.svc.cluster.local:4317");
        assert_eq!(
            (ns_of(&peers[0]), port),
            (Some("obs".to_string()), Some(4317))
        );
        let (peers, port) = address("http://collector:4318");
        assert_eq!(port, Some(4318));
        assert_eq!(peers[0].pod_selector, Some(all_pods()));
        assert!(peers[0].namespace_selector.is_none());
        let (peers, port) = address("10.1.2.3:9093");
        assert_eq!(peers[0].ip_block.as_ref().unwrap().cidr, "10.1.2.3/32");
        assert_eq!(port, Some(9093));
        let (peers, port) = address("[fd00::1]:9093");
        assert_eq!(peers[0].ip_block.as_ref().unwrap().cidr, "fd00::1/128");
        assert_eq!(port, Some(9093));
        let (peers, port) = address("broker.example.com:9094");
        assert_eq!(peers.len(), 2);
        assert_eq!(peers[1].ip_block.as_ref().unwrap().cidr, "::/0");
        assert_eq!(port, Some(9094));
    }

    #[test]
    fn kafka_outside_the_cluster_is_reached_on_the_bootstrap_ports_only() {
        let rules = kafka_rules("a.kafka:9092, b.kafka:9092,broker.example.com:9093");
        assert_eq!(rules.len(), 2);
        assert_eq!(
            rules[0].to.as_ref().unwrap().len(),
            1,
            "one namespace, once"
        );
        assert!(
            rules[0].ports.is_none(),
            "every broker port in the namespace"
        );
        assert_eq!(rules[1].ports, Some(tcp(&[9093])));
    }
}
