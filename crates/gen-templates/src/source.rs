//! The templates of a GitOps repository: what they are, which layer each belongs to, and
//! reading them from `templates/` without following a link or leaving the folder.
//!
//! A template is a minijinja file whose name ends in `.yaml.j2` (or `.yml.j2`). It belongs
//! to the layer of the folder it is in (`templates/platform/`, `templates/tenants/`,
//! `templates/apps/`, the names of the bundle's own folders), or else to the layer its
//! first line names: `{# gen: layer=tenants #}`. The same line may restrict it to some
//! profiles, `{# gen: layer=apps profiles=prod,staging #}`, and to the bundles of some
//! environments of a fleet, `environments=staging,prod`. A file whose name starts with
//! `_` is a partial: never rendered by itself, only imported or included by the others.
//! Other files (a README, say) are not templates; hidden files and folders are skipped.

use camino::{Utf8Path, Utf8PathBuf};
use gen_diagnostics::{Diagnostic, Location, Rule, Severity, Stage};

/// A template file that cannot be read: a link, a special file, unreadable or not UTF-8.
pub static TEMPLATE_IO: Rule = Rule::new(
    Stage::Input,
    "template-io",
    Severity::Error,
    "every file under templates/ can be read, and none is a link",
    "gen reads the templates of a repository from its templates/ folder beside profiles/ \
(or the folder templates.dir names). It never follows a symbolic link there: a link could \
make a template of any file on the machine, and its content would end up in the bundle. A \
template is UTF-8 text of at most 1 MiB.

Fix: replace the link with a copy of the file it points to, or remove the file.",
);

/// A template that is not attached to a layer, or whose front matter gen cannot read.
pub static TEMPLATE_ATTACH: Rule = Rule::new(
    Stage::Templates,
    "template-attach",
    Severity::Error,
    "every template belongs to exactly one layer",
    "A template is rendered once per instance of its layer: once for the platform, once per \
tenant, once per application. Its layer is the folder it is in (templates/platform/, \
templates/tenants/, templates/apps/, named like the bundle's folders) or the first line of \
the file, a comment `{# gen: layer=tenants #}`, which may also restrict the template to \
some profiles (`profiles=a,b`) or to the bundles of some environments of a fleet \
(`environments=x,y`). A template's file name ends in .yaml.j2; files whose name \
starts with `_` are partials, imported by other templates and never rendered alone.

Fix: move the template into the folder of its layer, or give it a first line such as \
`{# gen: layer=apps #}`; rename it to end in .yaml.j2.",
);

/// The layers a template can be attached to, named like the bundle folders they render
/// into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Once per bundle, into `platform/` (the controller namespace).
    Platform,
    /// Once per tenant (pattern dedicated), into `tenants/<tenant>/`.
    Tenants,
    /// Once per application, into `apps/<application>/`.
    Apps,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Platform, Layer::Tenants, Layer::Apps];

    /// The folder name under `templates/` and in the bundle; also the front-matter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Platform => "platform",
            Layer::Tenants => "tenants",
            Layer::Apps => "apps",
        }
    }

    pub fn parse(text: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One template or partial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Its name relative to the templates folder, `/`-separated (`tenants/pdb.yaml.j2`):
    /// what `{% import %}` and `{% include %}` name, and what messages say.
    pub name: String,
    /// Where messages point: the file as the user reaches it (`templates/tenants/pdb.yaml.j2`).
    pub file: String,
    pub source: String,
    /// `None` for a partial.
    pub layer: Option<Layer>,
    /// Rendered only for these profiles; empty: for every profile.
    pub profiles: Vec<String>,
    /// Rendered only in the bundles of these environments of a fleet (never in a bundle
    /// without environments); empty: in every bundle.
    pub environments: Vec<String>,
}

impl Template {
    /// Whether this template renders for the profile `name`, in the bundle of
    /// `environment` (`None`: a profile without environments).
    pub fn applies_to(&self, profile: &str, environment: Option<&str>) -> bool {
        self.layer.is_some()
            && (self.profiles.is_empty() || self.profiles.iter().any(|p| p == profile))
            && (self.environments.is_empty()
                || environment.is_some_and(|e| self.environments.iter().any(|x| x == e)))
    }
}

/// The templates of one repository (or handed over by a library user), in name order.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    pub(crate) templates: Vec<Template>,
}

/// The largest template file gen reads.
pub const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

impl Templates {
    pub fn new() -> Self {
        Templates::default()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Template> {
        self.templates.iter()
    }

    /// Register a template of `layer` from text, as a library user does. `name` is what
    /// messages, imports and includes call it.
    pub fn add(&mut self, name: &str, layer: Layer, source: impl Into<String>) -> &mut Self {
        self.push(Template {
            name: name.to_string(),
            file: name.to_string(),
            source: source.into(),
            layer: Some(layer),
            profiles: Vec::new(),
            environments: Vec::new(),
        })
    }

    /// Register a partial: a template other templates import or include, never rendered
    /// alone.
    pub fn add_partial(&mut self, name: &str, source: impl Into<String>) -> &mut Self {
        self.push(Template {
            name: name.to_string(),
            file: name.to_string(),
            source: source.into(),
            layer: None,
            profiles: Vec::new(),
            environments: Vec::new(),
        })
    }

    /// Register a template whose layer (and profiles) come from its path and front matter,
    /// as for a file read from `templates/`: `name` relative to the folder, `file` for
    /// messages.
    pub fn add_file(
        &mut self,
        name: &str,
        file: &str,
        source: impl Into<String>,
    ) -> Result<&mut Self, Box<Diagnostic>> {
        let source = source.into();
        let template = classify(name, file, source)?;
        Ok(self.push(template))
    }

    /// Add every template of `other`; one of the same name replaces the one here.
    pub fn extend(&mut self, other: &Templates) -> &mut Self {
        for t in other.iter() {
            self.push(t.clone());
        }
        self
    }

    fn push(&mut self, template: Template) -> &mut Self {
        match self
            .templates
            .binary_search_by(|t| t.name.cmp(&template.name))
        {
            Ok(i) => self.templates[i] = template,
            Err(i) => self.templates.insert(i, template),
        }
        self
    }

    /// Read every template under `dir` (which may be absent: no templates). `display` is
    /// how messages name the folder (e.g. `templates`). Every problem is reported at once.
    pub fn load_dir(dir: &Utf8Path, display: &Utf8Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut out = Templates::new();
        let mut problems = Vec::new();
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => {
                return Err(vec![io_problem(
                    display.as_str(),
                    &format!("cannot be read: {e}"),
                )]);
            }
            Ok(m) if !m.is_dir() => {
                return Err(vec![io_problem(display.as_str(), "is not a folder")]);
            }
            Ok(_) => {}
        }
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let at = e
                        .path()
                        .and_then(|p| p.strip_prefix(dir).ok())
                        .and_then(|p| p.to_str())
                        .map_or_else(|| display.to_string(), |p| display.join(p).to_string());
                    problems.push(io_problem(&at, &format!("cannot be read: {e}")));
                    continue;
                }
            };
            if entry.depth() == 0 {
                continue;
            }
            let Some(rel) = entry.path().strip_prefix(dir).ok().and_then(|p| p.to_str()) else {
                problems.push(io_problem(
                    &entry.path().to_string_lossy(),
                    "has a name that is not UTF-8",
                ));
                continue;
            };
            let name = rel.replace(std::path::MAIN_SEPARATOR, "/");
            let file = display.join(&name).to_string();
            let kind = entry.file_type();
            if kind.is_symlink() {
                problems.push(io_problem(
                    &file,
                    "is a symbolic link; gen reads no links under templates/",
                ));
                continue;
            }
            if kind.is_dir() {
                continue;
            }
            if !name.ends_with(".j2") {
                continue;
            }
            if !kind.is_file() {
                problems.push(io_problem(&file, "is not a regular file"));
                continue;
            }
            match read(entry.path()) {
                Ok(source) => match classify(&name, &file, source) {
                    Ok(t) => {
                        out.push(t);
                    }
                    Err(d) => problems.push(*d),
                },
                Err(reason) => problems.push(io_problem(&file, &reason.to_string())),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// Why a template file cannot be read.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("is larger than {} KiB", MAX_TEMPLATE_BYTES / 1024)]
    TooLarge,
    #[error("is not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
}

fn read(path: &std::path::Path) -> Result<String, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_TEMPLATE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(ReadError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

fn io_problem(file: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        &TEMPLATE_IO,
        "",
        format!("{file} {reason}"),
        "replace a link with a copy of the file it points to, or remove the file",
    )
    .at(Location {
        file: file.to_string(),
        line: 0,
        column: 0,
    })
}

fn attach_problem(file: &str, line: u64, message: String, help: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(&TEMPLATE_ATTACH, "", message, help).at(Location {
            file: file.to_string(),
            line,
            column: u64::from(line > 0),
        }),
    )
}

/// What the first line of a template says, if it is a `{# gen: ... #}` comment.
struct FrontMatter {
    layer: Option<Layer>,
    profiles: Vec<String>,
    environments: Vec<String>,
}

fn front_matter(file: &str, source: &str) -> Result<Option<FrontMatter>, Box<Diagnostic>> {
    let first = source.lines().next().unwrap_or("").trim();
    let Some(inner) = first
        .strip_prefix("{#")
        .and_then(|s| s.strip_suffix("#}"))
        .map(|s| s.trim_start_matches('-').trim_end_matches('-').trim())
    else {
        return Ok(None);
    };
    let Some(settings) = inner.strip_prefix("gen:") else {
        return Ok(None);
    };
    let mut fm = FrontMatter {
        layer: None,
        profiles: Vec::new(),
        environments: Vec::new(),
    };
    let help = "write the first line as {# gen: layer=platform|tenants|apps [profiles=a,b] [environments=x,y] #}";
    for setting in settings.split_whitespace() {
        match setting.split_once('=') {
            Some(("layer", value)) => match Layer::parse(value) {
                Some(l) => fm.layer = Some(l),
                None => {
                    return Err(attach_problem(
                        file,
                        1,
                        format!(
                            "{file} names the layer \"{value}\"; the layers are platform, tenants and apps"
                        ),
                        help,
                    ));
                }
            },
            Some(("profiles", value)) => fm.profiles = names(value),
            Some(("environments", value)) => fm.environments = names(value),
            _ => {
                return Err(attach_problem(
                    file,
                    1,
                    format!(
                        "{file} has the setting \"{setting}\" in its gen: line; it takes layer=..., profiles=... and environments=..."
                    ),
                    help,
                ));
            }
        }
    }
    Ok(Some(fm))
}

/// A template's layer and profiles, from its folder and front matter.
fn classify(name: &str, file: &str, source: String) -> Result<Template, Box<Diagnostic>> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let fm = front_matter(file, &source)?;
    if base.starts_with('_') {
        return Ok(Template {
            name: name.to_string(),
            file: file.to_string(),
            source,
            layer: None,
            profiles: Vec::new(),
            environments: Vec::new(),
        });
    }
    if !(base.ends_with(".yaml.j2") || base.ends_with(".yml.j2")) {
        return Err(attach_problem(
            file,
            0,
            format!(
                "{file} is a template whose name does not end in .yaml.j2: templates render Kubernetes objects as YAML"
            ),
            "rename it to end in .yaml.j2, or start its name with _ if it is a partial that other templates import",
        ));
    }
    let by_folder = name.split_once('/').and_then(|(top, _)| Layer::parse(top));
    let (by_line, profiles, environments) = match fm {
        Some(fm) => (fm.layer, fm.profiles, fm.environments),
        None => (None, Vec::new(), Vec::new()),
    };
    let layer = match (by_folder, by_line) {
        (Some(f), Some(l)) if f != l => {
            return Err(attach_problem(
                file,
                1,
                format!("{file} is in the folder of layer {f} but its first line names layer {l}"),
                "keep the template in the folder of its layer, or drop layer= from its first line",
            ));
        }
        (Some(l), _) | (None, Some(l)) => l,
        (None, None) => {
            return Err(attach_problem(
                file,
                0,
                format!("{file} is not attached to a layer"),
                "move it under templates/platform/, templates/tenants/ or templates/apps/, or make its first line {# gen: layer=apps #} (or platform, tenants)",
            ));
        }
    };
    Ok(Template {
        name: name.to_string(),
        file: file.to_string(),
        source,
        layer: Some(layer),
        profiles,
        environments,
    })
}

/// The names of a `profiles=` or `environments=` setting: comma-separated, empty ones
/// dropped.
fn names(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// `dir` relative to `base` unless absolute.
pub fn resolve(base: &Utf8Path, dir: &str) -> Utf8PathBuf {
    let d = Utf8Path::new(dir);
    if d.is_absolute() {
        d.to_path_buf()
    } else {
        base.join(d)
    }
}
