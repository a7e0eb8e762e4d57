//! `security.dns`, `security.apiServer` and `security.objectStorage`: the cluster addresses
//! the NetworkPolicies name. A CIDR is checked as Kubernetes checks an ipBlock.

use gen_profile::{Cidr, CidrError, parse};

const BASE: &str = "name: p\npattern: shared\nplatform: {namespace: seldon-system}\n";

#[test]
fn defaults_are_the_cluster_dns_and_any_address() {
    let p = parse("p.yaml", BASE).unwrap().profile;
    let s = &p.security;
    assert_eq!(s.dns.namespace, "kube-system");
    assert_eq!(
        s.dns.pod_labels.iter().collect::<Vec<_>>(),
        [(&"k8s-app".to_string(), &"kube-dns".to_string())]
    );
    assert_eq!(
        s.dns.ports.iter().map(|p| p.get()).collect::<Vec<_>>(),
        [53]
    );
    assert!(s.dns.cidrs.is_empty());
    for (e, ports) in [
        (&s.api_server, vec![443, 6443]),
        (&s.object_storage, vec![443]),
    ] {
        assert_eq!(
            e.cidrs.iter().map(Cidr::as_str).collect::<Vec<_>>(),
            ["0.0.0.0/0", "::/0"]
        );
        assert_eq!(e.ports.iter().map(|p| p.get()).collect::<Vec<_>>(), ports);
    }
}

#[test]
fn the_profile_narrows_them() {
    let text = format!(
        "{BASE}security:\n  dns: {{cidrs: [169.254.20.10/32], ports: [5353]}}\n  apiServer: {{cidrs: [172.18.0.2/32, \"fd00::/64\"], ports: [6443]}}\n"
    );
    let p = parse("p.yaml", &text).unwrap().profile;
    assert_eq!(p.security.dns.cidrs[0].as_str(), "169.254.20.10/32");
    assert_eq!(p.security.dns.ports[0].get(), 5353);
    assert_eq!(p.security.dns.namespace, "kube-system");
    assert_eq!(p.security.api_server.cidrs[1].as_str(), "fd00::/64");
    assert_eq!(p.security.object_storage.ports[0].get(), 443);
}

#[test]
fn a_cidr_is_canonical_or_refused_with_the_fix() {
    for ok in [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.1.2.3/32",
        "::/0",
        "fd00::1/128",
        "2001:db8::/32",
    ] {
        assert_eq!(
            Cidr::parse(ok).map(|c| c.as_str().to_string()),
            Ok(ok.to_string())
        );
    }
    let cases = [
        (
            "10.0.0.1",
            "\"10.0.0.1\" is not a CIDR: write address/prefix-length, e.g. 10.0.0.0/16 or 10.0.0.5/32",
        ),
        (
            "10.0.0.256/32",
            "\"10.0.0.256/32\" is not a CIDR: \"10.0.0.256\" is not an IPv4 or IPv6 address",
        ),
        (
            "010.0.0.1/32",
            "\"010.0.0.1/32\" is not a CIDR: \"010.0.0.1\" is not an IPv4 or IPv6 address",
        ),
        (
            "10.0.0.0/33",
            "\"10.0.0.0/33\" is not a CIDR: the prefix length must be 0 to 32",
        ),
        (
            "10.0.0.0/08",
            "\"10.0.0.0/08\" is not a CIDR: the prefix length must be 0 to 32",
        ),
        (
            "fd00::/129",
            "\"fd00::/129\" is not a CIDR: the prefix length must be 0 to 128",
        ),
        (
            "10.0.0.1/24",
            "\"10.0.0.1/24\" has host bits set: write the network 10.0.0.0/24, or 10.0.0.1/32 for the one address",
        ),
        (
            "fd00::1/64",
            "\"fd00::1/64\" has host bits set: write the network fd00::/64, or fd00::1/128 for the one address",
        ),
    ];
    for (bad, message) in cases {
        assert_eq!(
            Cidr::parse(bad),
            Err(CidrError(message.to_string())),
            "{bad}"
        );
    }
    // In a profile: an input error at the value, exit 2.
    let report = parse(
        "p.yaml",
        &format!("{BASE}security:\n  apiServer: {{cidrs: [10.0.0.1/24], ports: [443]}}\n"),
    )
    .unwrap_err();
    let d = &report.diagnostics[0];
    assert_eq!((d.code(), d.line()), ("invalid-value", 5));
    assert!(
        d.message
            .contains("\"10.0.0.1/24\" has host bits set: write the network 10.0.0.0/24"),
        "{}",
        d.message
    );
    assert_eq!(report.failure, gen_profile::Failure::Input);
    // Port 0 and a missing port list are refused too.
    for bad in ["{ports: [0]}", "{cidrs: [10.0.0.0/8]}"] {
        let report = parse(
            "p.yaml",
            &format!("{BASE}security:\n  objectStorage: {bad}\n"),
        )
        .unwrap_err();
        assert_eq!(
            report.diagnostics[0].line(),
            5,
            "{bad}: {}",
            report.render(gen_profile::Style::Plain)
        );
    }
}
