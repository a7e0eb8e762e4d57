//! The bundle's README.md, from the minijinja template `templates/bundle-readme.md.j2`.
//! The template is text for people; the data it gets is built here from the plan.

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use gen_profile::Profile;

use crate::plan::{Layer, Plan};

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
}

pub fn render(profile: &Profile, plan: &Plan) -> Result<String, String> {
    let ctx = Context {
        name: &profile.name,
        pattern: profile.pattern.as_str(),
        seldon_version: &profile.seldon.version,
        controller_namespace: &profile.platform.namespace,
        engine: profile.gitops.engine.as_str(),
        kafka_bootstrap: profile
            .seldon
            .kafka
            .as_ref()
            .and_then(|k| k.bootstrap.as_deref()),
        kafka_consumer_prefix: profile
            .seldon
            .kafka
            .as_ref()
            .and_then(|k| k.consumer_group_id_prefix.as_deref()),
        tracing_endpoint: profile.seldon.tracing.as_ref().map(|t| t.endpoint.as_str()),
        folders: plan
            .folders
            .iter()
            .map(|f| (f, f.objects(profile)))
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
    env.add_template("bundle-readme.md", TEMPLATE)
        .map_err(|e| format!("README template: {e}"))?;
    let template = env
        .get_template("bundle-readme.md")
        .map_err(|e| format!("README template: {e}"))?;
    let mut text = template
        .render(Value::from(minijinja::value::Serde(&ctx)))
        .map_err(|e| format!("README template: {e}"))?;
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
