//! The storage Secrets Models name in `secretName`: they must exist in the Model's
//! namespace, and hold the rclone remote the Model's storageUri names.

use std::collections::HashMap;

use gen_diagnostics::{Rule, Severity, Stage};

use super::{Inventory, Located, Out, SecretRemote};

pub(super) static MODEL_SECRET_MISSING: Rule = Rule::new(
    Stage::Seldon,
    "model-secret-missing",
    Severity::Error,
    "a Model's secretName names a Secret of its namespace",
    "The agent of the Server pod that loads a Model reads the Secret named in `secretName` \
from its own namespace, the Model's (scheduler/pkg/agent/k8s/secrets.go GetSecretConfig), \
and the load fails when it is not there: the Model never becomes ready. In a profile every \
such Secret is known (rendered as an ExternalSecret or declared as one you manage), so a \
missing one is an error; in `gen audit`, where Secrets usually live outside git, it is a \
warning.

Fix: produce the Secret in the Model's namespace (integrations.storage.secrets renders an \
ExternalSecret), declare it under integrations.storage.existing if you create it yourself, \
or correct the name.",
);

pub(super) static RCLONE_REMOTE_MISMATCH: Rule = Rule::new(
    Stage::Seldon,
    "rclone-remote-mismatch",
    Severity::Error,
    "the rclone remote in a Model's Secret is named after the Model's storageUri scheme",
    "For a Model with `secretName`, the agent parses the Secret's one key as an rclone \
remote (`name`, `type`, `parameters`) and rewrites the storageUri `<scheme>://bucket/path` \
with it; it refuses the download when the remote's `name` differs from the scheme (\"name \
from URI (s3) does not match secret (gs)\", scheduler/pkg/agent/rclone/rclone.go \
createUriWithConfig). The Model never loads.

Fix: name the remote after the scheme (integrations.storage.secrets[].scheme), or give \
the Model a Secret for its storage.",
);

/// Every Model's `secretName` resolves to a Secret of its namespace, whose rclone remote
/// (where known) is named after the Model's storageUri scheme.
pub(super) fn check_model_secrets(inv: &Inventory, out: &mut Out) {
    if inv
        .models
        .iter()
        .all(|m| m.object.spec.secret_name.is_none())
    {
        return;
    }
    let mut secrets: HashMap<(&str, &str), ()> = HashMap::new();
    for s in &inv.secrets {
        secrets.insert((s.object.namespace.as_str(), s.object.name.as_str()), ());
    }
    let mut remotes: HashMap<(&str, &str), &Located<SecretRemote>> = HashMap::new();
    for r in &inv.secret_remotes {
        remotes
            .entry((r.object.namespace.as_str(), r.object.secret.as_str()))
            .or_insert(r);
    }
    for l in &inv.models {
        let m = l.object;
        let Some(secret) = m.spec.secret_name.as_deref() else {
            continue;
        };
        let ns = m.namespace();
        if !secrets.contains_key(&(ns, secret)) {
            let (severity, known) = if inv.secrets_complete {
                (Severity::Error, "no such Secret is rendered or declared")
            } else {
                (
                    Severity::Warning,
                    "the tree holds no such Secret (nor an ExternalSecret or SealedSecret that makes it)",
                )
            };
            out.push(
                &MODEL_SECRET_MISSING,
                severity,
                &l.origin,
                "secretName",
                format!(
                    "Model {:?} names Secret {secret:?}, but in namespace {ns:?} {known}: the agent that loads the Model reads that Secret from the Model's namespace and the load fails without it",
                    m.name()
                ),
                format!(
                    "render it with integrations.storage.secrets (an ExternalSecret in {ns:?}), declare it in integrations.storage.existing if you create it yourself, or name an existing Secret"
                ),
            );
            continue;
        }
        let Some(remote) = remotes.get(&(ns, secret)) else {
            continue;
        };
        let uri = &m.spec.storage_uri;
        let Some((scheme, _)) = uri.split_once("://") else {
            continue;
        };
        if remote.object.remote == scheme {
            continue;
        }
        out.report(
            &RCLONE_REMOTE_MISMATCH,
            &l.origin,
            "secretName",
            format!(
                "Model {:?} reads {scheme}:// storage with Secret {secret:?}, whose rclone remote is named {:?}: the agent refuses the download (\"name from URI ({scheme}) does not match secret ({})\")",
                m.name(),
                remote.object.remote,
                remote.object.remote
            ),
            format!(
                "use a Secret whose remote is named {scheme:?} for this Model, or change the Secret's scheme"
            ),
        );
        out.relate(
            &remote.origin,
            "",
            format!("Secret {secret:?} is defined here"),
        );
    }
}
