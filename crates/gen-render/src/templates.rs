//! A repository's own templates in the bundle: read (`templates.dir`, or handed over by a
//! library caller), rendered by gen-templates once per instance of their layer with the
//! plan's objects as context, checked there, then refused here if they take the identity
//! (kind, namespace, name) or the file of an object gen generates, and placed at the end of
//! their layer's folder, so they land in its kustomization, are applied by its Argo CD
//! Application or Flux Kustomization, and are written, compared and pruned like gen's own.
//!
//! What the engines grant for them comes from the profile (`templates.admit`), resolved
//! here into `templates.granted` before the engines render their folders.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use gen_profile::{Diagnostic, Profile};
use gen_templates::render::TEMPLATE_COLLISION;
use gen_templates::{Admit, Catalog, Layer as TLayer, Limits, Objects, Scope, Templates};

use crate::folder::{Entry, Folder, Layer};
use crate::manifest::Manifest;
use crate::plan::Plan;

/// The templates of a profile: those of its `templates.dir` (read from disk) and those a
/// library caller registered, with the CRDs and admitted kinds they are checked against.
pub struct Prepared {
    pub templates: Templates,
    pub catalog: Catalog,
    pub admit: Admit,
}

/// `path` without `.` and `x/..` steps, so messages name `templates/apps/x.yaml.j2` rather
/// than `profiles/../templates/apps/x.yaml.j2`.
fn tidy(path: &Utf8Path) -> Utf8PathBuf {
    let mut out: Vec<&str> = Vec::new();
    for part in path.as_str().split('/') {
        match part {
            "." | "" if !out.is_empty() => {}
            ".." if out.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                out.pop();
            }
            _ => out.push(part),
        }
    }
    let joined = out.join("/");
    if joined.is_empty() {
        Utf8PathBuf::from(".")
    } else {
        Utf8PathBuf::from(joined)
    }
}

/// Read the profile's templates and CRDs (relative to the folder of `file`, the profile as
/// the caller named it), add `extra`, and resolve the admitted kinds into
/// `profile.templates.granted`. `None` when the profile has no `templates` block and the
/// caller registered none: then nothing about templates happens.
pub fn prepare(
    profile: &mut Profile,
    file: &str,
    extra: Option<&Templates>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Prepared> {
    if profile.templates.is_none() && extra.is_none_or(Templates::is_empty) {
        return None;
    }
    let settings = profile.templates.clone().unwrap_or_default();
    let base = Utf8Path::new(file).parent().unwrap_or(Utf8Path::new(""));
    let mut templates = Templates::new();
    if profile.templates.is_some() {
        let dir = settings.dir.as_deref().unwrap_or("../templates");
        let path = gen_templates::source::resolve(base, dir);
        if settings.dir.is_some() && !path.exists() {
            diagnostics.push(Diagnostic::new(
                &gen_templates::source::TEMPLATE_IO,
                "templates.dir",
                format!("templates.dir names {}, which does not exist", tidy(&path)),
                "correct the path (relative to this profile's folder), or create the folder",
            ));
        }
        match Templates::load_dir(&path, &tidy(&path)) {
            Ok(t) => templates = t,
            Err(problems) => diagnostics.extend(problems),
        }
    }
    if let Some(extra) = extra {
        templates.extend(extra);
    }
    let crd_paths: Vec<(Utf8PathBuf, String)> = settings
        .crds
        .iter()
        .map(|c| {
            let p = gen_templates::source::resolve(base, c);
            let display = tidy(&p).to_string();
            (p, display)
        })
        .collect();
    let catalog = Catalog::load(&crd_paths).unwrap_or_else(|problems| {
        diagnostics.extend(problems);
        Catalog::new()
    });
    let (admit, problems) = Admit::from_profile(&settings.admit, &catalog);
    diagnostics.extend(problems);
    if let Some(t) = profile.templates.as_mut() {
        t.granted = admit.granted();
    }
    Some(Prepared {
        templates,
        catalog,
        admit,
    })
}

fn template_layer(layer: Layer) -> Option<TLayer> {
    match layer {
        Layer::Platform => Some(TLayer::Platform),
        Layer::Tenant => Some(TLayer::Tenants),
        Layer::Application => Some(TLayer::Apps),
        Layer::GitOps => None,
    }
}

/// Render the templates for every instance of their layer, refuse collisions with the
/// objects gen generates (all folders, the engine's included), and put the objects at the
/// end of their folders.
pub fn place(
    prepared: &Prepared,
    profile: &Profile,
    plan: &mut Plan,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let scopes: Vec<Scope> = plan
        .folders
        .iter()
        .filter_map(|f| {
            Some(Scope {
                layer: template_layer(f.layer)?,
                owner: f.owner.clone(),
                namespace: f.namespace.clone(),
                folder: f.path.clone(),
            })
        })
        .collect();
    let mut objects = Objects::default();
    for f in &plan.folders {
        for entry in &f.entries {
            let Entry::Object(o) = entry else { continue };
            match o.as_ref() {
                Manifest::SeldonRuntime(r) => objects.runtimes.push(r),
                Manifest::Server(s) => objects.servers.push(s),
                Manifest::Model(m) => objects.models.push((&f.owner, m)),
                Manifest::Pipeline(p) => objects.pipelines.push((&f.owner, p)),
                Manifest::Experiment(x) => objects.experiments.push((&f.owner, x)),
                _ => {}
            }
        }
    }
    let environment = plan.environment.as_ref().map(|(e, _)| e.as_str());
    let instances =
        gen_templates::instances(profile, environment, plan.repo.as_str(), &objects, &scopes);
    let admit = (profile.gitops.engine != gen_profile::Engine::None).then_some(&prepared.admit);
    let output = gen_templates::render(
        &prepared.templates,
        &gen_templates::Request {
            profile: &profile.name,
            environment,
            instances: &instances,
            catalog: &prepared.catalog,
            admit,
            limits: Limits::default(),
        },
    );
    diagnostics.extend(output.diagnostics);
    if output.objects.is_empty() {
        return;
    }
    // What gen generates, by identity and by file.
    let mut generated: BTreeMap<(String, String, String, String), String> = BTreeMap::new();
    let mut files: BTreeMap<(String, String), String> = BTreeMap::new();
    for f in &plan.folders {
        for o in f.objects(profile, plan.engine) {
            let (group, _) = o.resource();
            let file = format!("{}/{}", f.path, o.file_name());
            generated.insert(
                (
                    group.to_string(),
                    o.kind().to_string(),
                    o.namespace().unwrap_or("").to_string(),
                    o.name().to_string(),
                ),
                file.clone(),
            );
            files.insert((f.path.clone(), o.file_name()), file);
        }
    }
    let index: BTreeMap<String, usize> = plan
        .folders
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    for object in output.objects {
        let key = (
            object.info.group.clone(),
            object.info.kind.clone(),
            object.namespace.clone().unwrap_or_default(),
            object.name.clone(),
        );
        let clash = generated
            .get(&key)
            .or_else(|| files.get(&(object.folder.clone(), object.file_name())));
        if let Some(theirs) = clash {
            diagnostics.push(
                Diagnostic::new(
                    &TEMPLATE_COLLISION,
                    "metadata.name",
                    format!(
                        "{} renders {} for {}, which gen already generates as {theirs}",
                        object.file,
                        object.identity(),
                        object.instance
                    ),
                    "rename the object in the template, e.g. with a prefix of your own",
                )
                .at(gen_profile::Location {
                    file: object.file.clone(),
                    line: 0,
                    column: 0,
                })
                .with_object(object.identity()),
            );
            continue;
        }
        if let Some(&i) = index.get(&object.folder) {
            let folder: &mut Folder = &mut plan.folders[i];
            folder
                .entries
                .push(Entry::Object(Box::new(Manifest::Template(Box::new(
                    object,
                )))));
        }
    }
}

/// The templates' files and text, so a report can show their lines.
pub fn sources(prepared: &Prepared) -> Vec<(String, String)> {
    prepared
        .templates
        .iter()
        .map(|t| (t.file.clone(), t.source.clone()))
        .collect()
}
