//! The rclone config Secret every runtime namespace needs (FACTS §9.1).

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;

use gen_seldon::catalog::{RCLONE_GS_PUBLIC_KEY, RCLONE_GS_PUBLIC_SECRET, rclone_gs_public_remote};
use gen_seldon::rules::{Located, Origin, SecretInfo};

use super::object_meta;
use crate::labels::labels;
use crate::manifest::Manifest;

/// The rclone config Secret that the agents of every Server pod read (FACTS §9.1): only
/// Seldon's runtime chart creates it, and gen renders SeldonRuntimes itself. It holds an
/// anonymous public-GCS remote, no credential.
///
/// Written as `data` (base64), not `stringData`: `data` is what the API server stores, so
/// Argo CD's diff and Flux's server-side apply compare like with like. `stringData` is
/// write-only; Argo CD has to rewrite it into `data` before diffing (argo-cd#763) and Flux
/// converts it before applying because server-side apply never removes a `stringData` key
/// (kubernetes#108008, kustomize-controller#576).
pub fn rclone_secret(ns: &str, part_of: &str) -> Manifest {
    Manifest::Secret(rclone_secret_object(ns, part_of))
}

/// The rclone config Secret as the rules see it: built from the object gen writes, so the
/// two cannot disagree.
pub fn rclone_secret_info(ns: &str, origin: impl Into<Origin>) -> Located<SecretInfo> {
    let s = rclone_secret_object(ns, "");
    Located::new(
        SecretInfo {
            namespace: ns.to_string(),
            name: s.metadata.name.unwrap_or_default(),
            keys: Some(s.data.map_or(0, |d| d.len()) + s.string_data.map_or(0, |d| d.len())),
        },
        origin,
    )
}

fn rclone_secret_object(ns: &str, part_of: &str) -> Secret {
    let remote =
        serde_json::to_vec(&rclone_gs_public_remote()).expect("a struct of strings serializes");
    Secret {
        metadata: object_meta(
            RCLONE_GS_PUBLIC_SECRET,
            Some(ns),
            labels(part_of, "runtime", None),
        ),
        type_: Some("Opaque".to_string()),
        data: Some([(RCLONE_GS_PUBLIC_KEY.to_string(), ByteString(remote))].into()),
        ..Secret::default()
    }
}
