//! `security`: the isolation defaults of every bundle and the addresses NetworkPolicies
//! need outside the pod network (cluster DNS, the API server, object storage).

use schemars::JsonSchema;
use serde::Deserialize;

/// Why a text is not a canonical CIDR, with the form to write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CidrError(pub String);

/// Secure defaults of every bundle. Leave this out for the safe defaults; each field is a
/// documented opt-out or an allowance.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Security {
    /// Render NetworkPolicies (default true): default-deny ingress in every namespace with
    /// Seldon objects, then only the flows Seldon needs.
    #[serde(default = "yes")]
    pub network_policies: bool,
    /// Namespaces whose pods may call the inference endpoint (envoy, service seldon-mesh).
    /// Tenants may add their own with tenants[].clientNamespaces.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::DNS_LABEL), length(max = 63)))]
    pub client_namespaces: Vec<String>,
    /// Namespace of the metrics scraper (e.g. Prometheus), allowed to the metrics ports.
    #[serde(default)]
    #[schemars(regex(pattern = crate::schema::DNS_LABEL), length(max = 63))]
    pub monitoring_namespace: Option<String>,
    /// Also deny egress by default, and allow each Seldon component only the connections
    /// it makes: DNS, the other components it calls, Kafka (gateways and dataflow engine),
    /// the kube-apiserver (controller and agents), object storage (server pods).
    #[serde(default)]
    pub deny_egress: bool,
    /// Pod Security Standards level enforced on every namespace gen renders.
    #[serde(default)]
    pub pod_security: PodSecurity,
    /// Where pods resolve names (with denyEgress): the cluster DNS pods, and a node-local
    /// DNS cache if the cluster runs one.
    #[serde(default)]
    pub dns: Dns,
    /// The kube-apiserver's addresses (with denyEgress), for the pods that call it.
    #[serde(default = "Endpoints::api_server")]
    pub api_server: Endpoints,
    /// The object storage models are downloaded from (with denyEgress), for server pods.
    #[serde(default = "Endpoints::object_storage")]
    pub object_storage: Endpoints,
}

// ---- network endpoints of the cluster (issue "Least privilege, proven") ----

/// The cluster DNS, as NetworkPolicies can reach it.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dns {
    /// Namespace of the cluster DNS pods (default kube-system).
    #[serde(default = "Dns::default_namespace")]
    pub namespace: String,
    /// Labels of the cluster DNS pods (default k8s-app: kube-dns, which CoreDNS keeps).
    #[serde(default = "Dns::default_pod_labels")]
    pub pod_labels: std::collections::BTreeMap<String, String>,
    /// Ports the DNS pods listen on, UDP and TCP (default 53).
    #[serde(default = "Dns::default_ports")]
    pub ports: Vec<std::num::NonZeroU16>,
    /// Addresses of a node-local DNS cache, which runs on the host network where no pod
    /// selector reaches it: NodeLocal DNSCache listens on 169.254.20.10/32 (and on the
    /// kube-dns Service IP when it intercepts it).
    #[serde(default)]
    pub cidrs: Vec<Cidr>,
}

impl Dns {
    fn default_namespace() -> String {
        "kube-system".to_string()
    }
    fn default_pod_labels() -> std::collections::BTreeMap<String, String> {
        [("k8s-app".to_string(), "kube-dns".to_string())].into()
    }
    fn default_ports() -> Vec<std::num::NonZeroU16> {
        Endpoints::ports(&[53])
    }
}

impl Default for Dns {
    fn default() -> Self {
        Dns {
            namespace: Dns::default_namespace(),
            pod_labels: Dns::default_pod_labels(),
            ports: Dns::default_ports(),
            cidrs: Vec::new(),
        }
    }
}

/// Addresses outside the pod network, as NetworkPolicy ipBlocks: CIDRs and TCP ports.
/// NetworkPolicies see the address after a Service's translation, so name the endpoints
/// (for the API server: `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`),
/// not a Service IP.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Endpoints {
    /// Address ranges (default: any, 0.0.0.0/0 and ::/0).
    #[serde(default = "Endpoints::anywhere")]
    pub cidrs: Vec<Cidr>,
    /// TCP ports.
    pub ports: Vec<std::num::NonZeroU16>,
}

impl Endpoints {
    fn anywhere() -> Vec<Cidr> {
        vec![Cidr("0.0.0.0/0".to_string()), Cidr("::/0".to_string())]
    }
    fn ports(ports: &[u16]) -> Vec<std::num::NonZeroU16> {
        ports
            .iter()
            .filter_map(|p| std::num::NonZeroU16::new(*p))
            .collect()
    }
    /// Any address on 443 and 6443, the API server's usual ports behind and in front of
    /// the `kubernetes` Service.
    pub fn api_server() -> Self {
        Endpoints {
            cidrs: Endpoints::anywhere(),
            ports: Endpoints::ports(&[443, 6443]),
        }
    }
    /// Any address on 443 (HTTPS: GCS, S3, Azure Blob).
    pub fn object_storage() -> Self {
        Endpoints {
            cidrs: Endpoints::anywhere(),
            ports: Endpoints::ports(&[443]),
        }
    }
}

/// An IPv4 or IPv6 address range in CIDR notation, canonical (no host bits set), as
/// Kubernetes validates NetworkPolicy ipBlocks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr(String);

impl Cidr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parse `addr/len`; the reason it is not a canonical CIDR otherwise.
    pub fn parse(text: &str) -> Result<Cidr, CidrError> {
        let (addr, len) = text
            .split_once('/')
            .ok_or_else(|| CidrError(format!("\"{text}\" is not a CIDR: write address/prefix-length, e.g. 10.0.0.0/16 or 10.0.0.5/32")))?;
        let ip: std::net::IpAddr = addr.parse().map_err(|_| {
            CidrError(format!(
                "\"{text}\" is not a CIDR: \"{addr}\" is not an IPv4 or IPv6 address"
            ))
        })?;
        let bits: u32 = if ip.is_ipv4() { 32 } else { 128 };
        let len: u32 = len
            .parse()
            .ok()
            .filter(|l| {
                *l <= bits && !len.starts_with('+') && (len == "0" || !len.starts_with('0'))
            })
            .ok_or_else(|| {
                CidrError(format!(
                    "\"{text}\" is not a CIDR: the prefix length must be 0 to {bits}"
                ))
            })?;
        let value: u128 = match ip {
            std::net::IpAddr::V4(v4) => u32::from(v4).into(),
            std::net::IpAddr::V6(v6) => v6.into(),
        };
        let host_mask = 1u128.checked_shl(bits - len).map_or(u128::MAX, |m| m - 1);
        if value & host_mask != 0 {
            let network = value & !host_mask;
            let network = match ip {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::from(network as u32).to_string(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::from(network).to_string(),
            };
            return Err(CidrError(format!(
                "\"{text}\" has host bits set: write the network {network}/{len}, or {addr}/{bits} for the one address"
            )));
        }
        Ok(Cidr(text.to_string()))
    }
}

impl JsonSchema for Cidr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An address range in CIDR notation without host bits, e.g. 10.0.0.0/16 or 169.254.20.10/32",
        })
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Cidr::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for Security {
    fn default() -> Self {
        Security {
            network_policies: true,
            client_namespaces: Vec::new(),
            monitoring_namespace: None,
            deny_egress: false,
            pod_security: PodSecurity::default(),
            dns: Dns::default(),
            api_server: Endpoints::api_server(),
            object_storage: Endpoints::object_storage(),
        }
    }
}

fn yes() -> bool {
    true
}

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurity {
    /// The strictest level the Seldon v2.10.2 pods pass (they set runAsNonRoot but no
    /// seccomp profile or dropped capabilities, which restricted requires).
    #[default]
    Baseline,
    /// Only if you patch every Seldon pod spec to meet it.
    Restricted,
    /// No restrictions (opt-out).
    Privileged,
}

impl PodSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurity::Baseline => "baseline",
            PodSecurity::Restricted => "restricted",
            PodSecurity::Privileged => "privileged",
        }
    }
}
