//! Rendering: every template once per instance of its layer, in a sandbox, and its output
//! read back as Kubernetes objects.
//!
//! The sandbox: the minijinja environment has no loader (it knows only the templates
//! handed to it, so `include` and `import` cannot read a file), no function that reaches
//! the file system, the network, the clock or the environment (minijinja has none), a fuel
//! budget per render that bounds both its work and the memory it allocates, minijinja's
//! recursion limit, and an output limit. Undefined variables are errors, so a misspelt
//! variable is reported at its line instead of rendering as nothing.

use std::collections::{BTreeMap, BTreeSet};

use gen_diagnostics::{Diagnostic, Location, Rule, Severity, Stage};
use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::admit::Admit;
use crate::context::Instance;
use crate::kinds::{Catalog, KindInfo};
use crate::source::{Layer, Templates};
use crate::value::Value;

/// A template minijinja cannot parse.
pub static TEMPLATE_SYNTAX: Rule = Rule::new(
    Stage::Templates,
    "template-syntax",
    Severity::Error,
    "every template is valid minijinja",
    "gen parses every template under templates/ with minijinja (Jinja2 syntax) before it \
renders any; a template that does not parse renders nothing.

Fix: correct the template at the line the message names.",
);

/// A template that fails while it renders.
pub static TEMPLATE_RUNTIME: Rule = Rule::new(
    Stage::Templates,
    "template-runtime",
    Severity::Error,
    "every template renders for every instance of its layer, within its budget",
    "A template is rendered once per instance of its layer with the context the README lists. \
A variable that is not in the context is an error (not an empty string), as is a filter or \
test that does not exist, an `include` or `import` of a template that is not under \
templates/, or a render that uses up its budget: 2,000,000 units of fuel (about one per \
instruction and per 64 bytes of data) and 1 MiB of output per instance, and minijinja's \
recursion limit.

Fix: correct the template at the line the message names, for the instance it names; use \
`is defined` or `default(...)` for a variable that only some instances have.",
);

/// An output that is not a list of Kubernetes objects gen can write.
pub static TEMPLATE_OUTPUT: Rule = Rule::new(
    Stage::Templates,
    "template-output",
    Severity::Error,
    "every template renders YAML documents that are Kubernetes objects gen can write",
    "The text a template renders is read as YAML (documents separated by ---; empty \
documents are skipped). Each document must be a mapping with a string apiVersion \
([group/]version), kind (a CamelCase name of letters and digits) and metadata.name, the \
name a DNS-1123 subdomain (gen writes the object to \
<kind>-<name>.yaml and Argo CD and Flux apply it by name, so generateName is refused), and \
labels that leave gen's own app.kubernetes.io/managed-by, part-of and component to gen.

Fix: correct the template so that each document is one complete object.",
);

/// A template object outside the namespace of its layer, or of a cluster-scoped kind.
pub static TEMPLATE_NAMESPACE: Rule = Rule::new(
    Stage::Templates,
    "template-namespace",
    Severity::Error,
    "a template object lives in the namespace of its layer",
    "Each layer of the bundle is applied by an Argo CD project or a Flux service account that \
may write only to that layer's namespace: the controller namespace for the platform, the \
tenant's namespace for a tenant, the application's runtime namespace for an application. A \
namespaced object elsewhere would fail the sync, and a cluster-scoped object would need a \
cluster-wide grant that no layer has. gen fills in the namespace when the template leaves \
it out.

Fix: leave metadata.namespace out (or set it to the `namespace` variable); render \
cluster-scoped objects outside gen.",
);

/// A template object of a kind the profile does not admit for its layer.
pub static TEMPLATE_ADMIT: Rule = Rule::new(
    Stage::Templates,
    "template-admit",
    Severity::Error,
    "the profile admits every kind a layer's templates render",
    "gen grants the layer that applies a template object the right to create, update and \
delete objects of its kind: the AppProject's namespaceResourceWhitelist (Argo CD) or the \
Role of the layer's service account (Flux). Those grants must outlive the template: Argo CD \
ignores live objects of a kind the project no longer permits (controller/state.go filters \
them out of the comparison), so they would never be pruned, and Flux's prune fails with \
forbidden. So the kinds are listed in the profile, under templates.admit.<layer>, and \
stay there when a template is deleted until the engine has pruned its objects.

Fix: add the kind (`Kind` for the core group, `group/Kind` otherwise) to \
templates.admit.<layer> in the profile.",
);

/// Two objects with the same kind, namespace and name (or the same file).
pub static TEMPLATE_COLLISION: Rule = Rule::new(
    Stage::Templates,
    "template-collision",
    Severity::Error,
    "no two objects of the bundle share a kind, namespace and name",
    "Kubernetes keeps one object per kind, namespace and name: two objects of the same \
identity in one bundle overwrite each other on every sync, and Argo CD reports the \
resource as shared between applications. gen also writes each object of a folder to \
<kind>-<name>.yaml, which must be unique. A template object may not take the identity of an \
object gen generates, nor of another template's.

Fix: rename the object in the template (include the instance name, e.g. \
`{{ instance }}-metadata`).",
);

/// The budget of one render of one template for one instance.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// minijinja fuel: about one unit per instruction and per 64 bytes of data.
    pub fuel: u64,
    /// The largest output, in bytes.
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 2_000_000,
            output_bytes: 1 << 20,
        }
    }
}

/// One object a template rendered, checked, with gen's labels and its namespace filled in.
#[derive(Clone, Debug)]
pub struct TemplateObject {
    /// The template's name (`tenants/pdb.yaml.j2`) and file as messages name it.
    pub template: String,
    pub file: String,
    pub layer: Layer,
    /// The instance's owner (tenant or application name, or the profile name) and folder.
    pub owner: String,
    pub folder: String,
    /// `instance.describe()`: `tenant fraud`.
    pub instance: String,
    pub api_version: String,
    pub info: KindInfo,
    pub name: String,
    /// `None` for a cluster-scoped object (refused today, kept for the engines' sake).
    pub namespace: Option<String>,
    /// The whole object, keys in the template's order.
    pub body: Value,
}

impl TemplateObject {
    pub fn kind(&self) -> &str {
        &self.info.kind
    }

    /// The object's file in its folder: `<kind>-<name>.yaml`, as for gen's own objects.
    pub fn file_name(&self) -> String {
        format!("{}-{}.yaml", self.info.kind.to_ascii_lowercase(), self.name)
    }

    /// `Kind namespace/name`, as messages name objects.
    pub fn identity(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.info.kind, self.name),
            None => format!("{} {}", self.info.kind, self.name),
        }
    }
}

impl serde::Serialize for TemplateObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

/// The objects every template rendered, and every problem found on the way.
#[derive(Debug, Default)]
pub struct Output {
    pub objects: Vec<TemplateObject>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What the render is for: the profile's name, its instances, the kinds gen knows, the
/// kinds each layer admits (`None` when no GitOps engine applies the bundle, so nothing
/// needs granting), and the budget.
pub struct Request<'a> {
    pub profile: &'a str,
    /// The environment of a fleet whose bundle this is; `None` without environments.
    pub environment: Option<&'a str>,
    pub instances: &'a [Instance],
    pub catalog: &'a Catalog,
    pub admit: Option<&'a Admit>,
    pub limits: Limits,
}

pub(crate) fn at(file: &str, line: u64) -> Location {
    Location {
        file: file.to_string(),
        line,
        column: u64::from(line > 0),
    }
}

/// The environment every template renders in; see the module docs.
fn environment(limits: &Limits) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_fuel(Some(limits.fuel));
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .unwrap_or_default(),
    );
    // YAML spellings: `{{ none }}` is null (not None), booleans true and false.
    env.set_formatter(|out, state, value| {
        let yaml = match value.kind() {
            ValueKind::None => Some("null"),
            ValueKind::Bool if value.is_true() => Some("true"),
            ValueKind::Bool => Some("false"),
            _ => None,
        };
        match yaml {
            Some(text) => minijinja::escape_formatter(out, state, &minijinja::Value::from(text)),
            None => minijinja::escape_formatter(out, state, value),
        }
    });
    // A value as JSON, which is also YAML: a string comes out quoted and escaped.
    env.add_filter("tojson", |value: minijinja::Value| {
        serde_json::to_string(&value).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    });
    env
}

/// Render every template of `templates` that applies to `req.profile` for each instance of
/// its layer, and read the output back.
pub fn render(templates: &Templates, req: &Request) -> Output {
    let mut out = Output::default();
    let mut env = environment(&req.limits);
    let file_of: BTreeMap<&str, &str> = templates
        .iter()
        .map(|t| (t.name.as_str(), t.file.as_str()))
        .collect();
    let mut compiled = BTreeSet::new();
    for t in templates.iter() {
        match env.add_template_owned(t.name.clone(), t.source.clone()) {
            Ok(()) => {
                compiled.insert(t.name.as_str());
            }
            Err(e) => out.diagnostics.push(
                Diagnostic::new(
                    &TEMPLATE_SYNTAX,
                    "",
                    format!("{} is not valid minijinja: {}", t.file, reason(&e)),
                    "correct the template at this line",
                )
                .at(at(&t.file, e.line().unwrap_or(0) as u64)),
            ),
        }
    }
    let mut unknown_reported = BTreeSet::new();
    let mut seen: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    let mut files: BTreeMap<(String, String), usize> = BTreeMap::new();
    for t in templates.iter() {
        let Some(layer) = t.layer else { continue };
        if !t.applies_to(req.profile, req.environment) || !compiled.contains(t.name.as_str()) {
            continue;
        }
        let Ok(template) = env.get_template(&t.name) else {
            continue;
        };
        for instance in req.instances.iter().filter(|i| i.layer == layer) {
            let text = match template.render(instance.context.clone()) {
                Ok(text) => text,
                Err(e) => {
                    let file = e
                        .name()
                        .and_then(|n| file_of.get(n).copied())
                        .unwrap_or(&t.file);
                    let mut message = format!(
                        "{} failed for {}: {}",
                        t.file,
                        instance.describe(),
                        reason(&e)
                    );
                    if file != t.file {
                        message.push_str(&format!(" (in {file})"));
                    }
                    let help = if e.kind() == minijinja::ErrorKind::OutOfFuel {
                        "the template does more work than a render may (2,000,000 units of fuel): loop over less, or split it"
                    } else {
                        "correct the template at this line; `is defined` or `default(...)` handle variables some instances lack"
                    };
                    out.diagnostics.push(
                        Diagnostic::new(&TEMPLATE_RUNTIME, "", message, help)
                            .at(at(file, e.line().unwrap_or(0) as u64)),
                    );
                    continue;
                }
            };
            if text.len() > req.limits.output_bytes {
                out.diagnostics.push(
                    Diagnostic::new(
                        &TEMPLATE_RUNTIME,
                        "",
                        format!(
                            "{} rendered {} bytes for {}, more than the {} KiB a render may write",
                            t.file,
                            text.len(),
                            instance.describe(),
                            req.limits.output_bytes / 1024
                        ),
                        "render fewer or smaller objects per instance",
                    )
                    .at(at(&t.file, 0)),
                );
                continue;
            }
            let reader = crate::output::Reader {
                file: &t.file,
                template: &t.name,
                instance,
                req,
            };
            for object in reader.read(&text, &mut out.diagnostics, &mut unknown_reported) {
                let key = (
                    object.info.group.clone(),
                    object.info.kind.clone(),
                    object.namespace.clone().unwrap_or_default(),
                    object.name.clone(),
                );
                let file_key = (object.folder.clone(), object.file_name());
                let clash = seen.get(&key).or_else(|| files.get(&file_key)).copied();
                if let Some(i) = clash {
                    let other = &out.objects[i];
                    out.diagnostics.push(
                        Diagnostic::new(
                            &TEMPLATE_COLLISION,
                            "metadata.name",
                            format!(
                                "{} renders {} for {}, and so does {} for {}",
                                object.file,
                                object.identity(),
                                object.instance,
                                other.file,
                                other.instance
                            ),
                            "rename one of them, e.g. with the instance's name: {{ instance }}-...",
                        )
                        .at(at(&object.file, 0))
                        .with_object(object.identity()),
                    );
                    continue;
                }
                seen.insert(key, out.objects.len());
                files.insert(file_key, out.objects.len());
                out.objects.push(object);
            }
        }
    }
    out
}

/// minijinja's reason, without its own location suffix (the diagnostic carries it).
fn reason(e: &minijinja::Error) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}
