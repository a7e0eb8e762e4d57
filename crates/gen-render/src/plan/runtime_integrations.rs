//! The integrations' objects of a runtime namespace (the route, PodMonitors, storage
//! ExternalSecrets) and the storage Secrets they make known to the run-time rules.

use std::collections::BTreeMap;

use gen_profile::check::application_namespaces;
use gen_profile::{Profile, RuntimeSettings, ServerEntry};
use gen_seldon::rules::{Located, SecretInfo, SecretRemote};

use super::Specs;
use crate::folder::Folder;
use crate::manifest::Manifest;
use crate::objects::integrations;

/// The storage Secrets the Models of each namespace name.
pub(super) fn storage_needed(
    profile: &Profile,
    specs: &Specs,
) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut needed: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for ((models, _, _), ns) in specs.iter().zip(application_namespaces(profile)) {
        let Some(ns) = ns else { continue };
        for secret in models.iter().filter_map(|m| m.secret_name.as_deref()) {
            needed
                .entry(ns.to_string())
                .or_default()
                .insert(secret.to_string());
        }
    }
    needed
}

/// The Model and Pipeline names of each namespace, for its KafkaTopics (empty unless the
/// profile asks for them).
pub(super) fn kafka_names(profile: &Profile) -> KafkaNames<'_> {
    let mut names = KafkaNames::new();
    if !profile
        .integrations
        .kafka
        .as_ref()
        .is_some_and(|k| k.topics)
    {
        return names;
    }
    for (app, ns) in profile
        .applications
        .iter()
        .zip(application_namespaces(profile))
    {
        let Some(ns) = ns else { continue };
        let (models, pipelines) = names.entry(ns).or_default();
        models.extend(app.models.iter().map(|m| m.name.as_str()));
        pipelines.extend(app.pipelines.iter().map(|p| p.name.as_str()));
    }
    names
}

/// Per namespace: its Models' and its Pipelines' names.
pub(super) type KafkaNames<'a> = BTreeMap<&'a str, (Vec<&'a str>, Vec<&'a str>)>;

/// A runtime namespace, as its integrations' objects need it.
pub(super) struct RuntimeIntegrations<'a> {
    pub(super) ns: &'a str,
    pub(super) part_of: &'a str,
    pub(super) settings: Option<&'a RuntimeSettings>,
    pub(super) servers: &'a [ServerEntry],
    pub(super) hostnames: &'a [String],
}

impl RuntimeIntegrations<'_> {
    /// The namespace's Kafka user and topics, which the platform applies where the Kafka
    /// cluster's operators watch (nothing without Kafka tenancy).
    pub(super) fn kafka_platform(&self, profile: &Profile, names: &KafkaNames) -> Vec<Manifest> {
        let ns = self.ns;
        let mut out: Vec<Manifest> =
            integrations::kafka::kafka_user(profile, ns, self.part_of, self.settings)
                .into_iter()
                .collect();
        let empty = (Vec::new(), Vec::new());
        let (models, pipelines) = names.get(ns).unwrap_or(&empty);
        out.extend(integrations::kafka::kafka_topics(
            profile,
            ns,
            self.part_of,
            self.settings,
            models,
            pipelines,
        ));
        out
    }

    /// Add the namespace's route, PodMonitors and storage ExternalSecrets to `folder`,
    /// and the storage Secrets (rendered or declared) to what the rules know.
    pub(super) fn push(
        &self,
        profile: &Profile,
        needed: &BTreeMap<String, std::collections::BTreeSet<String>>,
        folder: &mut Folder,
        secrets: &mut Vec<Located<SecretInfo>>,
        remotes: &mut Vec<Located<SecretRemote>>,
    ) {
        let ns = self.ns;
        if let Some(route) = integrations::runtime_route(profile, ns, self.part_of, self.hostnames)
        {
            folder.push(route);
        }
        for m in integrations::pod_monitors(profile, ns, self.part_of, self.settings, self.servers)
        {
            folder.push(m);
        }
        if let Some(c) = integrations::kafka::credentials(profile, ns, self.part_of) {
            folder.push(c);
        }
        let Some(storage) = profile.integrations.storage.as_ref() else {
            return;
        };
        let empty = std::collections::BTreeSet::new();
        let here = needed.get(ns).unwrap_or(&empty);
        let mut rendered = std::collections::BTreeSet::new();
        for (i, secret) in storage.secrets.iter().enumerate() {
            if !here.contains(&secret.name) || !rendered.insert(secret.name.as_str()) {
                continue;
            }
            let origin = format!("integrations.storage.secrets[{i}]");
            if let Some(object) =
                integrations::storage::external_secret(profile, secret, ns, self.part_of)
            {
                folder.push(object);
            }
            let (info, remote) = integrations::storage::produced(secret, ns, &origin);
            secrets.push(info);
            remotes.push(remote);
        }
        for (i, name) in storage.existing.iter().enumerate() {
            secrets.push(Located::new(
                SecretInfo {
                    namespace: ns.to_string(),
                    name: name.clone(),
                    keys: None,
                },
                format!("integrations.storage.existing[{i}]"),
            ));
        }
    }
}
