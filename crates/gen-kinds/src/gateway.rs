//! Gateway API kinds (`gateway.networking.k8s.io/v1`) as typed structs, modelled on the
//! standard-channel CRDs of Gateway API v1.6.1: `HTTPRoute` and `ReferenceGrant`, only the
//! fields gen renders. The Gateway itself belongs to the platform (gen names it, never
//! renders it).
//!
//! Fields the CRDs default on the API server (a parentRef's group and kind, a backendRef's
//! group, kind and weight, a header match's type) are written out, so the object in git and
//! the one on the cluster are the same.

use serde::Serialize;

use crate::meta::{Kind, Object};

/// The API group of every Gateway API kind.
pub const GROUP: &str = "gateway.networking.k8s.io";

macro_rules! kind {
    ($spec:ty, $kind:literal) => {
        impl Kind for $spec {
            const API_VERSION: &'static str = "gateway.networking.k8s.io/v1";
            const KIND: &'static str = $kind;
        }
    };
}

/// Limits of an HTTPRoute in the v1.6.1 CRD: rules per route, matches per rule, matches
/// across the route (a CEL rule the API server evaluates), hostnames per route.
pub const MAX_RULES: usize = 16;
pub const MAX_MATCHES_PER_RULE: usize = 64;
pub const MAX_MATCHES_PER_ROUTE: usize = 128;
pub const MAX_HOSTNAMES: usize = 16;

/// `HTTPRoute.spec`: which Gateway listeners it attaches to, for which hostnames, and
/// where matching requests go.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    /// Empty: every hostname the listener accepts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRouteRule>,
}
kind!(HttpRouteSpec, "HTTPRoute");

/// A Gateway (and optionally one of its listeners) a route attaches to.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// CRD default, written out.
    pub group: &'static str,
    /// CRD default, written out.
    pub kind: &'static str,
    pub name: String,
    /// Omitted: the route's own namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// One listener of the Gateway; omitted: every listener that admits the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

impl ParentRef {
    /// The Gateway `name` in `namespace`, optionally one listener.
    pub fn gateway(name: &str, namespace: Option<&str>, section_name: Option<&str>) -> Self {
        ParentRef {
            group: GROUP,
            kind: "Gateway",
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            section_name: section_name.map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    pub matches: Vec<HttpRouteMatch>,
    pub backend_refs: Vec<BackendRef>,
}

/// One match: every condition given must hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpRouteMatch {
    pub path: PathMatch,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathMatch {
    /// `PathPrefix` or `Exact`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
}

impl PathMatch {
    /// Every path under `prefix` (element-wise: `/v2` matches `/v2/models`, not `/v2x`).
    pub fn prefix(prefix: &str) -> Self {
        PathMatch {
            kind: "PathPrefix",
            value: prefix.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeaderMatch {
    /// CRD default (`Exact`), written out.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Matched case-insensitively, as HTTP header names are.
    pub name: String,
    pub value: String,
}

impl HeaderMatch {
    pub fn exact(name: &str, value: &str) -> Self {
        HeaderMatch {
            kind: "Exact",
            name: name.to_string(),
            value: value.to_string(),
        }
    }
}

/// A Service the matching requests go to.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendRef {
    /// CRD default (the core group), written out.
    pub group: &'static str,
    /// CRD default, written out.
    pub kind: &'static str,
    pub name: String,
    /// Omitted: the route's own namespace (another namespace needs a ReferenceGrant there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Required for a Service (a CEL rule of the CRD).
    pub port: u16,
    /// CRD default, written out.
    pub weight: u32,
}

impl BackendRef {
    /// Service `name` on `port`, in `namespace` (or the route's own).
    pub fn service(name: &str, namespace: Option<&str>, port: u16) -> Self {
        BackendRef {
            group: "",
            kind: "Service",
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            port,
            weight: 1,
        }
    }
}

/// `ReferenceGrant.spec`: lets objects of the `from` kinds and namespaces refer to the `to`
/// objects of the grant's own namespace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReferenceGrantSpec {
    pub from: Vec<GrantFrom>,
    pub to: Vec<GrantTo>,
}
kind!(ReferenceGrantSpec, "ReferenceGrant");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantFrom {
    pub group: &'static str,
    pub kind: &'static str,
    pub namespace: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantTo {
    pub group: &'static str,
    pub kind: &'static str,
    /// Omitted: every object of the kind in the grant's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

pub type HttpRoute = Object<HttpRouteSpec>;
pub type ReferenceGrant = Object<ReferenceGrantSpec>;
