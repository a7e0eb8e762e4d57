//! The bundle's README.md, from the minijinja template `templates/bundle-readme.md.j2`.
//! The template is text for people; the data it gets is built here from the plan.

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use gen_profile::Profile;

use crate::folder::Layer;
use crate::plan::Plan;

/// The built-in template, embedded at compile time.
pub const TEMPLATE: &str = include_str!("../../../templates/bundle-readme.md.j2");

#[derive(Serialize)]
struct FolderView {
    path: String,
    layer: Layer,
    owner: String,
    namespace: String,
    /// Objects by kind, in first-seen order; names listed for small counts.
    kinds: Vec<KindView>,
    /// Every file, for folders small enough to read; empty otherwise.
    objects: Vec<ObjectView>,
    object_count: usize,
}

#[derive(Serialize)]
struct KindView {
    kind: &'static str,
    count: usize,
    names: Vec<String>,
}

/// Above these counts the README summarises instead of listing, so it stays readable for
/// bundles of thousands of objects.
const LIST_NAMES_UP_TO: usize = 10;
const LIST_FILES_UP_TO: usize = 30;

#[derive(Serialize)]
struct ObjectView {
    kind: &'static str,
    name: String,
    file: String,
}

#[derive(Serialize)]
struct Context<'a> {
    name: &'a str,
    pattern: &'static str,
    seldon_version: &'a str,
    controller_namespace: &'a str,
    engine: &'static str,
    kafka_bootstrap: Option<&'a str>,
    kafka_consumer_prefix: Option<&'a str>,
    tracing_endpoint: Option<&'a str>,
    folders: Vec<FolderView>,
    /// The bundle folder's path in the GitOps repository.
    repo_dir: &'a str,
    revision: String,
    /// Whether any application has Pipelines (they need Kafka).
    pipelines: bool,
    /// The storage Secrets that Models reference, by namespace and name.
    storage_secrets: Vec<SecretView>,

    /// The tenant namespaces (pattern dedicated).
    tenants: Vec<&'a str>,
    /// The engine's settings the README states (`GitOpsEngine::readme_facts`).
    facts: std::collections::BTreeMap<&'static str, String>,
    /// The environment of a fleet this bundle is (`None` for a profile without
    /// environments): its name and its clusters' names.
    environment: Option<&'a str>,
    clusters: Vec<&'a str>,
}

/// A Secret that Models reference through `secretName`; nothing in the bundle creates it.
#[derive(Serialize)]
struct SecretView {
    namespace: String,
    name: String,
    /// The rclone remote name the Secret must hold: the scheme of the Models' storageUri
    /// (the agent refuses a Secret whose `name` differs).
    remotes: Vec<String>,
    models: Vec<String>,
    model_count: usize,
}

/// The `secretName`s of every Model of the plan, grouped by namespace and name.
fn storage_secrets(plan: &Plan) -> Vec<SecretView> {
    type Users = (Vec<String>, std::collections::BTreeSet<String>);
    let mut by_secret: std::collections::BTreeMap<(String, String), Users> =
        std::collections::BTreeMap::new();
    for folder in &plan.folders {
        for entry in &folder.entries {
            let crate::folder::Entry::Object(object) = entry else {
                continue;
            };
            if let crate::manifest::Manifest::Model(m) = object.as_ref()
                && let Some(secret) = &m.spec.secret_name
            {
                let users = by_secret
                    .entry((folder.namespace.clone(), secret.clone()))
                    .or_default();
                users.0.push(m.name().to_string());
                if let Some((scheme, _)) = m.spec.storage_uri.split_once(':') {
                    users.1.insert(scheme.to_string());
                }
            }
        }
    }
    by_secret
        .into_iter()
        .map(|((namespace, name), (models, remotes))| SecretView {
            namespace,
            name,
            remotes: remotes.into_iter().collect(),
            model_count: models.len(),
            models: if models.len() > LIST_NAMES_UP_TO {
                Vec::new()
            } else {
                models
            },
        })
        .collect()
}

pub fn render(profile: &Profile, plan: &Plan) -> Result<String, minijinja::Error> {
    let ctx = Context {
        name: &profile.name,
        pattern: profile.pattern.as_str(),
        seldon_version: &profile.seldon.version,
        controller_namespace: &profile.platform.namespace,
        engine: profile.gitops.engine.as_str(),
        repo_dir: plan.repo.as_str(),
        revision: profile
            .gitops
            .revision
            .clone()
            .unwrap_or_else(|| "main".to_string()),
        kafka_bootstrap: profile
            .seldon
            .kafka
            .as_ref()
            .and_then(|k| k.bootstrap.as_deref()),
        pipelines: profile.applications.iter().any(|a| !a.pipelines.is_empty()),
        storage_secrets: storage_secrets(plan),

        tenants: profile
            .tenants
            .iter()
            .map(|t| t.namespace.as_str())
            .collect(),
        facts: plan.engine.readme_facts(),
        environment: plan.environment.as_ref().map(|(e, _)| e.as_str()),
        clusters: plan
            .environment
            .iter()
            .flat_map(|(_, c)| c.iter().map(String::as_str))
            .collect(),
        kafka_consumer_prefix: profile
            .seldon
            .kafka
            .as_ref()
            .and_then(|k| k.consumer_group_id_prefix.as_deref()),
        tracing_endpoint: profile.seldon.tracing.as_ref().map(|t| t.endpoint.as_str()),
        folders: plan
            .folders
            .iter()
            .map(|f| (f, f.objects(profile, plan.engine)))
            .map(|(f, objects)| FolderView {
                path: f.path.clone(),
                layer: f.layer,
                owner: f.owner.clone(),
                namespace: f.namespace.clone(),
                kinds: {
                    let mut kinds: Vec<KindView> = Vec::new();
                    for o in &objects {
                        match kinds.iter_mut().find(|k| k.kind == o.kind()) {
                            Some(k) => {
                                k.count += 1;
                                k.names.push(o.name().to_string());
                            }
                            None => kinds.push(KindView {
                                kind: o.kind(),
                                count: 1,
                                names: vec![o.name().to_string()],
                            }),
                        }
                    }
                    for k in &mut kinds {
                        if k.count > LIST_NAMES_UP_TO {
                            k.names.clear();
                        }
                    }
                    kinds
                },
                objects: if objects.len() > LIST_FILES_UP_TO {
                    Vec::new()
                } else {
                    objects
                        .iter()
                        .map(|o| ObjectView {
                            kind: o.kind(),
                            name: o.name().to_string(),
                            file: o.file_name(),
                        })
                        .collect()
                },
                object_count: objects.len(),
            })
            .collect(),
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("bundle-readme.md", TEMPLATE)?;
    let template = env.get_template("bundle-readme.md")?;
    let mut text = template.render(Value::from(minijinja::value::Serde(&ctx)))?;
    // Canonical text: LF, no trailing spaces, exactly one trailing newline.
    text = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    Ok(text.trim().to_string() + "\n")
}
