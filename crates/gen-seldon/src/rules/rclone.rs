//! The rclone config Secret every runtime namespace needs (FACTS §9.1).

use std::collections::HashMap;

use super::{Inventory, Out, SecretInfo};
use crate::catalog::{RCLONE_GS_PUBLIC_KEY, RCLONE_GS_PUBLIC_SECRET};

/// The setup chart's SeldonConfig lists `seldon-rclone-gs-public` in
/// `agentConfig.rclone.config_secrets`; a runtime appends its own secrets to that list
/// (`RcloneConfiguration.addDefaults`), so it can never drop it. The agent of every Server
/// pod reads each listed Secret from its own namespace, needs exactly one key in it
/// (`GetSecretConfig`), and exits when either fails, so no Server of the namespace starts.
pub(super) fn check_rclone_secrets(inv: &Inventory, out: &mut Out) {
    let mut secrets: HashMap<(&str, &str), &super::Located<SecretInfo>> = HashMap::new();
    for s in &inv.secrets {
        secrets
            .entry((s.object.namespace.as_str(), s.object.name.as_str()))
            .or_insert(s);
    }
    let mut reported = std::collections::HashSet::new();
    for rt in &inv.runtimes {
        let ns = rt.object.namespace();
        let own = rt
            .object
            .spec
            .config
            .as_ref()
            .and_then(|c| c.agent_config.as_ref())
            .and_then(|a| a.rclone.as_ref())
            .map(|r| r.config_secrets.as_slice())
            .unwrap_or_default();
        if !secrets.contains_key(&(ns, RCLONE_GS_PUBLIC_SECRET)) {
            out.error(
                "rclone-secret-missing",
                &rt.origin,
                "name",
                format!(
                    "namespace {ns:?} has a SeldonRuntime but no Secret {RCLONE_GS_PUBLIC_SECRET:?}: the setup chart's SeldonConfig lists it in agentConfig.rclone.config_secrets, every runtime inherits that list, and the agent of each Server pod exits (\"Failed to initialise rclone config listener\") when it cannot read it, so no Server in {ns:?} would start"
                ),
                format!(
                    "add Secret {RCLONE_GS_PUBLIC_SECRET:?} to {ns:?} as Seldon's runtime chart does: type Opaque, one key {RCLONE_GS_PUBLIC_KEY:?} holding the anonymous rclone remote {{\"name\":\"gs\",\"type\":\"google cloud storage\",\"parameters\":{{\"anonymous\":\"true\"}}}} (no credential); `gen render` writes it next to every SeldonRuntime"
                ),
            );
        }
        for name in std::iter::once(RCLONE_GS_PUBLIC_SECRET).chain(own.iter().map(String::as_str)) {
            let Some(secret) = secrets.get(&(ns, name)) else {
                continue;
            };
            let Some(keys) = secret.object.keys.filter(|k| *k != 1) else {
                continue;
            };
            if !reported.insert((ns, name)) {
                continue;
            }
            out.error(
                "rclone-secret-keys",
                &secret.origin,
                "",
                format!(
                    "Secret {name:?} in namespace {ns:?} holds {keys} keys, but the Seldon agent reads an rclone config Secret only when it holds exactly one key (one remote), and exits otherwise, so no Server in {ns:?} would start"
                ),
                "keep one key per Secret (one rclone remote each); list further remotes as further Secrets in agentConfig.rclone.config_secrets",
            );
        }
    }
}
