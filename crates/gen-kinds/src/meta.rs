//! Object metadata and the typed object wrapper that binds `apiVersion`/`kind` to a spec type.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// The part of Kubernetes `ObjectMeta` that a rendered manifest sets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "StrMap::is_empty")]
    pub labels: StrMap,
    #[serde(default, skip_serializing_if = "StrMap::is_empty")]
    pub annotations: StrMap,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
}

impl Metadata {
    pub fn namespaced(name: impl Into<String>, namespace: impl Into<String>) -> Self {
        Metadata {
            name: name.into(),
            namespace: Some(namespace.into()),
            ..Metadata::default()
        }
    }

    /// The namespace, or the empty string for a cluster-scoped object.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

/// Labels or annotations: a string map kept as a list sorted by key. Most objects carry a
/// handful of labels, and a list is a fraction of the memory of a `BTreeMap` node, which
/// matters for bundles of 100,000 objects. Serialized as a map in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StrMap(Vec<(String, String)>);

impl StrMap {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// Set `key` to `value`, keeping the keys sorted.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value.into(),
            Err(i) => self.0.insert(i, (key, value.into())),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl From<BTreeMap<String, String>> for StrMap {
    fn from(map: BTreeMap<String, String>) -> Self {
        let mut v: Vec<(String, String)> = map.into_iter().collect();
        v.shrink_to_fit();
        StrMap(v)
    }
}

impl Serialize for StrMap {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(StrMap::from)
    }
}

/// A spec type with its `apiVersion` and `kind` bound to it, as kube-rs does.
pub trait Kind {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

/// A Kubernetes object: `apiVersion`, `kind`, `metadata`, `spec`, serialized in that order.
#[derive(Clone, Debug, PartialEq)]
pub struct Object<S> {
    pub metadata: Metadata,
    pub spec: S,
}

impl<S> Object<S> {
    pub fn new(metadata: Metadata, spec: S) -> Self {
        Object { metadata, spec }
    }

    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn namespace(&self) -> &str {
        self.metadata.namespace()
    }
}

impl<S: Kind + Serialize> Serialize for Object<S> {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("apiVersion", S::API_VERSION)?;
        map.serialize_entry("kind", S::KIND)?;
        map.serialize_entry("metadata", &self.metadata)?;
        map.serialize_entry("spec", &self.spec)?;
        map.end()
    }
}

impl<'de, S: Kind + Deserialize<'de>> Deserialize<'de> for Object<S> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw<S> {
            api_version: String,
            kind: String,
            metadata: Metadata,
            spec: S,
        }
        let raw = Raw::<S>::deserialize(deserializer)?;
        if raw.api_version != S::API_VERSION || raw.kind != S::KIND {
            return Err(serde::de::Error::custom(format!(
                "expected {} {}, found {} {}",
                S::API_VERSION,
                S::KIND,
                raw.api_version,
                raw.kind
            )));
        }
        Ok(Object {
            metadata: raw.metadata,
            spec: raw.spec,
        })
    }
}
