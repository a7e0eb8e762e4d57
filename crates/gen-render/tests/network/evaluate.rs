//! Kubernetes' evaluation of NetworkPolicies over a source, a destination and a port.

use super::*;

// ---- Kubernetes' evaluation of NetworkPolicies ----

pub(crate) fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (net, len) = cidr.split_once('/').unwrap();
    let net: IpAddr = net.parse().unwrap();
    let len: u32 = len.parse().unwrap();
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A label selector (matchLabels and matchExpressions) on a label set; `{}` matches all.
pub(crate) fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let by_labels = selector["matchLabels"].as_object().is_none_or(|m| {
        m.iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
    });
    let by_expressions = selector["matchExpressions"].as_array().is_none_or(|exprs| {
        exprs.iter().all(|e| {
            let value = labels.get(e["key"].as_str().unwrap());
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|v| v.iter().map(|x| x.as_str().unwrap()).collect())
                .unwrap_or_default();
            match e["operator"].as_str().unwrap() {
                "In" => value.is_some_and(|v| values.contains(&v.as_str())),
                "NotIn" => value.is_none_or(|v| !values.contains(&v.as_str())),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                other => panic!("operator {other}"),
            }
        })
    });
    by_labels && by_expressions
}

pub(crate) fn namespace_labels(ns: &str) -> BTreeMap<String, String> {
    [("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()
}

/// Whether `peer` of a policy in `policy_ns` is `endpoint`.
pub(crate) fn peer_matches(peer: &Value, policy_ns: &str, endpoint: &Endpoint) -> bool {
    if let Some(block) = peer.get("ipBlock") {
        let except = block["except"]
            .as_array()
            .is_some_and(|e| e.iter().any(|c| in_cidr(endpoint.ip, c.as_str().unwrap())));
        return in_cidr(endpoint.ip, block["cidr"].as_str().unwrap()) && !except;
    }
    let Some(ns) = &endpoint.namespace else {
        return false;
    };
    let ns_ok = match peer.get("namespaceSelector") {
        Some(sel) => selects(sel, &namespace_labels(ns)),
        None => ns == policy_ns,
    };
    let pod_ok = peer
        .get("podSelector")
        .is_none_or(|sel| selects(sel, &endpoint.labels));
    ns_ok && pod_ok
}

pub(crate) fn port_matches(entry: &Value, dst: &Endpoint, port: u16, protocol: &str) -> bool {
    if entry["protocol"].as_str().unwrap_or(TCP) != protocol {
        return false;
    }
    match &entry["port"] {
        Value::Null => true,
        Value::Number(n) => {
            let start = n.as_u64().unwrap();
            let end = entry["endPort"].as_u64().unwrap_or(start);
            (start..=end).contains(&u64::from(port))
        }
        Value::String(name) => dst
            .ports
            .iter()
            .any(|(p, proto, n)| *p == port && *proto == protocol && n == name),
        other => panic!("port {other}"),
    }
}

pub(crate) fn policy_types(p: &Value) -> Vec<String> {
    match p["spec"]["policyTypes"].as_array() {
        Some(t) => t.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        None => {
            let mut t = vec!["Ingress".to_string()];
            if !p["spec"]["egress"].is_null() {
                t.push("Egress".to_string());
            }
            t
        }
    }
}

/// Whether the policies let `pod` (`direction` Ingress: receive from `other`; Egress: send to
/// `other`) on `port`/`protocol` of the destination.
pub(crate) fn policies_allow(
    policies: &[Value],
    direction: &str,
    pod: &Endpoint,
    other: &Endpoint,
    dst: &Endpoint,
    port: u16,
    protocol: &str,
) -> bool {
    let Some(ns) = &pod.namespace else {
        return true;
    };
    let (rules_key, peers_key) = match direction {
        "Ingress" => ("ingress", "from"),
        _ => ("egress", "to"),
    };
    let mut isolated = false;
    for p in policies {
        if p["metadata"]["namespace"] != ns.as_str()
            || !policy_types(p).iter().any(|t| t == direction)
            || !selects(&p["spec"]["podSelector"], &pod.labels)
        {
            continue;
        }
        isolated = true;
        for rule in p["spec"][rules_key].as_array().into_iter().flatten() {
            let peers_ok = match rule[peers_key].as_array() {
                None => true,
                Some(peers) if peers.is_empty() => true,
                Some(peers) => peers.iter().any(|peer| peer_matches(peer, ns, other)),
            };
            let ports_ok = match rule["ports"].as_array() {
                None => true,
                Some(ports) if ports.is_empty() => true,
                Some(ports) => ports.iter().any(|e| port_matches(e, dst, port, protocol)),
            };
            if peers_ok && ports_ok {
                return true;
            }
        }
    }
    !isolated
}

pub(crate) fn allowed(
    policies: &[Value],
    src: &Endpoint,
    dst: &Endpoint,
    port: u16,
    protocol: &str,
) -> bool {
    policies_allow(policies, "Egress", src, dst, dst, port, protocol)
        && policies_allow(policies, "Ingress", dst, src, dst, port, protocol)
}

#[test]
fn the_evaluator_follows_kubernetes() {
    let pod = |ns: &str, app: &str, ip: &str| Endpoint {
        role: Role::Client,
        namespace: Some(ns.to_string()),
        labels: [("app".to_string(), app.to_string())].into(),
        ip: ip.parse().unwrap(),
        ports: vec![(80, TCP, "http")],
    };
    let (a, b, c) = (
        pod("x", "a", "10.0.0.1"),
        pod("x", "b", "10.0.0.2"),
        pod("y", "a", "10.1.0.3"),
    );
    let p = |spec: Value| serde_json::json!({"metadata": {"namespace": "x"}, "spec": spec});
    // No policy: everything flows.
    assert!(allowed(&[], &a, &b, 80, TCP));
    // An ingress policy with no rules isolates; an empty rule admits everything.
    let deny = p(serde_json::json!({"podSelector": {}, "policyTypes": ["Ingress"]}));
    assert!(!allowed(std::slice::from_ref(&deny), &a, &b, 80, TCP));
    let open = p(serde_json::json!({"podSelector": {}, "ingress": [{}]}));
    assert!(allowed(&[deny.clone(), open], &c, &b, 81, UDP));
    // A pod selector alone means the policy's namespace.
    let same_ns = p(
        serde_json::json!({"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}]}),
    );
    assert!(allowed(&[deny.clone(), same_ns.clone()], &a, &b, 80, TCP));
    assert!(!allowed(&[deny.clone(), same_ns], &c, &b, 80, TCP));
    // Named ports resolve on the destination; protocol defaults to TCP.
    let named =
        p(serde_json::json!({"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]}));
    assert!(allowed(&[deny.clone(), named.clone()], &c, &b, 80, TCP));
    assert!(!allowed(&[deny.clone(), named], &c, &b, 80, UDP));
    // Egress: `policyTypes` absent means Egress too when `egress` is set, and Ingress
    // always, so the selected pod is isolated both ways. ipBlocks match pod addresses.
    let egress = p(
        serde_json::json!({"podSelector": {"matchLabels": {"app": "a"}}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/24"]}}]}]}),
    );
    assert!(!allowed(std::slice::from_ref(&egress), &a, &b, 80, TCP));
    assert!(allowed(std::slice::from_ref(&egress), &a, &c, 80, TCP));
    assert!(!allowed(std::slice::from_ref(&egress), &b, &a, 80, TCP));
    assert!(allowed(std::slice::from_ref(&egress), &b, &c, 80, TCP));
}
