//! `gen init`: a commented starter profile from the template `templates/profile.yaml.j2`,
//! parsed back and rendered before it is offered, so what `gen init` writes always
//! renders and checks clean; and the JSON Schema next to it, for the modeline.

use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use minijinja::{Environment, UndefinedBehavior, context};

use gen_profile::{Engine, Pattern, SELDON_VERSION};

/// The built-in template, embedded at compile time.
pub const TEMPLATE: &str = include_str!("../../../templates/profile.yaml.j2");

/// Where the schema goes, relative to the folder `gen init` runs in (a GitOps repository's
/// root), and how the profile's modeline reaches it from `profiles/`.
pub const SCHEMA_FILE: &str = "schema/profile.schema.json";
const SCHEMA_FROM_PROFILES: &str = "../schema/profile.schema.json";

/// The starter profile's text for `pattern`, `engine` and `name`, checked: it parses,
/// passes every rule and renders. `Err` says why not (a bad name, or a template bug).
pub fn starter(pattern: Pattern, engine: Engine, name: &str) -> Result<String, String> {
    if let Some(problem) = gen_seldon::names::label_problem(name) {
        return Err(format!(
            "profile name {name:?} is not a valid Kubernetes name: {problem}; use lowercase letters, digits and '-'"
        ));
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A block tag's line leaves nothing behind, so the YAML reads as written.
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| format!("the starter template is broken: {e}"))?;
    env.set_syntax(syntax);
    env.add_template("profile.yaml.j2", TEMPLATE)
        .map_err(|e| format!("the starter template is broken: {e}"))?;
    let text = env
        .get_template("profile.yaml.j2")
        .and_then(|t| {
            t.render(context! {
                name,
                pattern => pattern.as_str(),
                engine => engine.as_str(),
                seldon_version => SELDON_VERSION,
                schema_path => SCHEMA_FROM_PROFILES,
            })
        })
        .map_err(|e| format!("the starter template is broken: {e}"))?;
    let text = if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    };
    let file = format!("profiles/{name}.yaml");
    let loaded = gen_profile::parse(&file, &text).map_err(|r| r.render())?;
    crate::ops::render_loaded(&loaded).map_err(|r| r.render())?;
    Ok(text)
}

/// What [`write_starter`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub profile: Utf8PathBuf,
    /// `Some` when the schema was written too (it is never overwritten).
    pub schema: Option<Utf8PathBuf>,
    /// The schema file exists but differs from this gen's (left as it is).
    pub schema_differs: bool,
}

/// Write the starter profile to `root/profiles/<name>.yaml`, and the JSON Schema to
/// `root/schema/profile.schema.json` unless a file is there already. Never overwrites:
/// an existing profile is an `AlreadyExists` error and nothing is written. Each file
/// appears whole or not at all (written aside, then linked into place, which fails if
/// the name was taken meanwhile).
pub fn write_starter(root: &Utf8Path, name: &str, text: &str) -> io::Result<Written> {
    let profile = root.join("profiles").join(format!("{name}.yaml"));
    if profile.symlink_metadata().is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{profile} exists; gen init never overwrites a file"),
        ));
    }
    let schema = root.join(SCHEMA_FILE);
    let schema_text = gen_profile::schema::profile_schema_json();
    let (schema_written, schema_differs) = match std::fs::read(&schema) {
        Ok(bytes) => (None, bytes != schema_text.as_bytes()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Some(schema.clone()), false),
        Err(e) => return Err(e),
    };
    create_new(&profile, text)?;
    if schema_written.is_some() {
        create_new(&schema, &schema_text)?;
    }
    Ok(Written {
        profile,
        schema: schema_written,
        schema_differs,
    })
}

/// Create `path` with `text` if nothing is there: written to a temporary file in the same
/// folder, then hard-linked to `path` (which fails when it exists). Where the filesystem
/// has no hard links, the file is created exclusively and removed again if the write
/// fails.
fn create_new(path: &Utf8Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Utf8Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.gen-init-{}",
        path.file_name().unwrap_or("file"),
        std::process::id()
    ));
    let linked = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            let written = file
                .write_all(text.as_bytes())
                .and_then(|()| file.sync_all());
            if written.is_err() {
                let _ = std::fs::remove_file(path);
            }
            written
        }
        other => other,
    }
}
