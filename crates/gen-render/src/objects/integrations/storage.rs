//! The storage Secrets Models name in `secretName` (`integrations.storage`): each rendered
//! as an ExternalSecret in every runtime namespace whose Models name it, producing the
//! Secret the Seldon agent reads (scheduler/pkg/agent/k8s/secrets.go GetSecretConfig):
//! exactly one key, whose value is an rclone remote `{name, type, parameters}` as JSON
//! (rclone.go parseRcloneConfig), named after the storageUri scheme (createUriWithConfig
//! refuses any other name). The credentials come from the store through the template; git
//! holds only where to read them.

use std::collections::BTreeMap;

use gen_kinds::external_secrets::{DataEntry, ExternalSecretSpec, StoreRef, Target, Template};
use gen_profile::Profile;
use gen_profile::integrations::StorageSecret;
use gen_seldon::rules::{Located, SecretInfo, SecretRemote};
use gen_seldon::{Metadata, Object};

use crate::labels::labels;
use crate::manifest::Manifest;

/// How often External Secrets reads the store again (the CRD's default, written out).
pub const REFRESH_INTERVAL: &str = "1h0m0s";

/// The store a storage Secret reads from: its own, else `storage.store`.
pub fn store_of<'a>(profile: &'a Profile, secret: &'a StorageSecret) -> Option<&'a StoreRef> {
    secret.store.as_ref().or(profile
        .integrations
        .storage
        .as_ref()
        .and_then(|s| s.store.as_ref()))
}

/// The Secret's one key: the rclone remote as JSON, each parameter from the store written
/// as a template that quotes the value it reads (`toJson`), the others as JSON strings.
pub fn rclone_template(secret: &StorageSecret) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut params: BTreeMap<&str, String> = BTreeMap::new();
    for (k, v) in &secret.parameters {
        params.insert(k, json(v));
    }
    for k in secret.from_store.keys() {
        params.insert(k, format!("{{{{ .{} | toJson }}}}", template_key(k)));
    }
    for (k, v) in params {
        parts.push(format!("{}:{v}", json(k)));
    }
    format!(
        "{{\"name\":{},\"type\":{},\"parameters\":{{{}}}}}",
        json(&secret.scheme),
        json(secret.backend().unwrap_or_default()),
        parts.join(",")
    )
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// The template variable of a parameter read from the store (Go template identifiers:
/// letters, digits and underscores; rclone parameter names already are).
fn template_key(param: &str) -> String {
    param
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The ExternalSecret of `secret` in `ns`, or `None` without a store (the profile rule
/// `storage-store-missing` reports it).
pub fn external_secret(
    profile: &Profile,
    secret: &StorageSecret,
    ns: &str,
    part_of: &str,
) -> Option<Manifest> {
    let store = store_of(profile, secret)?;
    let mut meta = Metadata::namespaced(&secret.name, ns);
    meta.labels = labels(part_of, "storage", None).into();
    Some(Manifest::ExternalSecret(Object::new(
        meta,
        ExternalSecretSpec {
            secret_store_ref: store.clone(),
            refresh_interval: REFRESH_INTERVAL.to_string(),
            target: Target {
                name: secret.name.clone(),
                creation_policy: "Owner",
                deletion_policy: "Retain",
                template: Template::replace(
                    "Opaque",
                    [(secret.scheme.clone(), rclone_template(secret))].into(),
                ),
            },
            data: secret
                .from_store
                .iter()
                .map(|(param, remote)| DataEntry {
                    secret_key: template_key(param),
                    remote_ref: remote.clone(),
                })
                .collect(),
        },
    )))
}

/// The Secret an ExternalSecret produces, as the rules see it (one key) and its remote.
pub fn produced(
    secret: &StorageSecret,
    ns: &str,
    origin: &str,
) -> (Located<SecretInfo>, Located<SecretRemote>) {
    (
        Located::new(
            SecretInfo {
                namespace: ns.to_string(),
                name: secret.name.clone(),
                keys: Some(1),
            },
            origin.to_string(),
        ),
        Located::new(
            SecretRemote {
                namespace: ns.to_string(),
                secret: secret.name.clone(),
                remote: secret.scheme.clone(),
            },
            origin.to_string(),
        ),
    )
}
