//! An environment's profile: the base profile with the environment's override merged in,
//! on the YAML tree, so that every value keeps the line and column where it is written
//! (in the base profile, or in the override).
//!
//! The merge, key by key:
//! - a mapping merges into the base mapping: keys the override gives replace or merge
//!   into the base's, the others stay;
//! - a list whose entries are named (the schema requires `name` of each: tenants,
//!   applications, servers, models, pipelines, experiments, serverConfigs, runtime
//!   overrides, pipeline steps, experiment candidates, Model parameters) merges by name:
//!   an entry of a name the base list has merges into that entry, an entry of a new name
//!   is added at the end, and an entry with `remove: true` (and nothing but its name)
//!   drops the base entry of that name;
//! - anything else (a scalar, a list of values such as `requirements` or
//!   `clientNamespaces`) replaces the base value.

use gen_diagnostics::{Rule, Severity, Stage};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Report};
use crate::source::{At, Node, Scalar};

/// An entry of a named list in an override names the entry it changes, and removes only
/// what the base profile has.
pub static OVERRIDE_ENTRY: Rule = Rule::new(
    Stage::Input,
    "override-entry",
    Severity::Error,
    "an override's list entry has a name, and removes only an entry the base profile has",
    "In an environment's override, an entry of a list of named entries (applications, \
models, servers, tenants, …) says by its `name` which entry of the base profile it changes; \
an entry of a new name is added. `remove: true` drops the base entry of that name, and the \
entry then holds nothing else. Without a name gen cannot tell which entry is meant, and a \
removal of a name the base profile does not have would silently do nothing.

Fix: give the entry the `name` of the base entry it changes; remove only names the base \
profile has (check the spelling), with `remove: true` and no other key.",
);

/// What an override adds is a whole entry.
pub static OVERRIDE_INCOMPLETE: Rule = Rule::new(
    Stage::Input,
    "override-incomplete",
    Severity::Error,
    "an environment's merged profile is a whole profile",
    "gen merges each environment's override into the base profile and reads the result as \
a profile. An override entry whose name is not in the base profile adds a new entry, which \
needs every key such an entry needs (a Model its storageUri, a Server its serverConfig): \
most often its name is misspelt and it was meant to change an existing entry.

Fix: spell the name as in the base profile, or give the new entry every required key.",
);

/// An entry the override added (a name the base list did not have).
#[derive(Clone, Debug)]
struct Added {
    /// Its path in the merged profile, e.g. `applications[0].models[3]`.
    path: String,
    /// Its path in the profile file, e.g. `environments[2].override.applications[0].models[0]`.
    written: String,
    name: String,
    /// The names the base list had, for "did you mean".
    siblings: Vec<String>,
}

/// The outcome of one merge.
pub(crate) struct Merged<'s> {
    pub tree: At<Node<'s>>,
    pub problems: Vec<Diagnostic>,
    added: Vec<Added>,
}

/// The tree of environment `env`'s profile: `tree` (the whole profile) with the override
/// of `environments[env]` merged in. The environments themselves stay in the tree; with
/// `keep_override` their overrides stay too (so that paths into them can be located),
/// otherwise the override is moved out of the tree rather than copied.
pub(crate) fn merge_environment<'s>(
    mut tree: At<Node<'s>>,
    env: usize,
    keep_override: bool,
    schema: &Value,
) -> Merged<'s> {
    let over = take_override(&mut tree, env, keep_override);
    let mut m = Merger {
        root: schema,
        problems: Vec::new(),
        added: Vec::new(),
    };
    if let Some(over) = over {
        let written = format!("environments[{env}].override");
        m.value(&mut tree, over, schema, &mut String::new(), &written);
    }
    Merged {
        tree,
        problems: m.problems,
        added: m.added,
    }
}

/// The override node of `environments[env]`, taken out of the tree (or copied).
fn take_override<'s>(tree: &mut At<Node<'s>>, env: usize, keep: bool) -> Option<At<Node<'s>>> {
    let Node::Map(root) = &mut tree.value else {
        return None;
    };
    let (_, envs) = root.iter_mut().find(|(k, _)| k.value == "environments")?;
    let Node::Seq(envs) = &mut envs.value else {
        return None;
    };
    let Node::Map(entry) = &mut envs.get_mut(env)?.value else {
        return None;
    };
    let (_, over) = entry.iter_mut().find(|(k, _)| k.value == "override")?;
    if keep {
        Some(over.clone())
    } else {
        let (line, column) = (over.line, over.column);
        Some(std::mem::replace(
            over,
            At {
                value: Node::Null,
                line,
                column,
            },
        ))
    }
}

struct Merger<'a> {
    root: &'a Value,
    problems: Vec<Diagnostic>,
    added: Vec<Added>,
}

impl<'a> Merger<'a> {
    /// Merge `over` into `base`; `path` is the merged path, `written` the override's.
    fn value<'s>(
        &mut self,
        base: &mut At<Node<'s>>,
        over: At<Node<'s>>,
        schema: &'a Value,
        path: &mut String,
        written: &str,
    ) {
        match (&mut base.value, over.value) {
            (Node::Map(b), Node::Map(o)) => {
                for (key, value) in o {
                    let child_schema = property(schema, self.root, &key.value);
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&key.value);
                    let child_written = format!("{written}.{}", &*key.value);
                    match (
                        b.iter_mut().find(|(k, _)| k.value == key.value),
                        child_schema,
                    ) {
                        (Some((_, existing)), Some(s)) if mergeable(existing, &value) => {
                            self.value(existing, value, s, path, &child_written);
                        }
                        (Some(entry), _) => *entry = (key, value),
                        (None, _) => b.push((key, value)),
                    }
                    path.truncate(len);
                }
            }
            (Node::Seq(b), Node::Seq(o)) if is_named_list(schema, self.root) => {
                let item_schema = items(schema, self.root).unwrap_or(&Value::Null);
                self.named(b, o, item_schema, path, written);
            }
            (_, value) => {
                *base = At {
                    value,
                    line: over.line,
                    column: over.column,
                };
            }
        }
    }

    /// Merge the entries of a named list by name.
    fn named<'s>(
        &mut self,
        base: &mut Vec<At<Node<'s>>>,
        over: Vec<At<Node<'s>>>,
        item_schema: &'a Value,
        path: &mut String,
        written: &str,
    ) {
        let siblings: Vec<String> = base.iter().filter_map(name_of).collect();
        for (j, mut entry) in over.into_iter().enumerate() {
            let entry_written = format!("{written}[{j}]");
            let Some(name) = name_of(&entry) else {
                self.problems.push(Diagnostic::new(
                    &OVERRIDE_ENTRY,
                    entry_written,
                    "this override entry has no `name`, so it names no entry of the base profile to change".to_string(),
                    "give the `name` of the entry it changes (an entry of a new name is added)",
                ));
                continue;
            };
            let remove = take_remove(&mut entry);
            let found = base
                .iter()
                .position(|b| name_of(b).as_deref() == Some(&name));
            match (remove, found) {
                (Some(true), Some(i)) => {
                    if let Node::Map(keys) = &entry.value
                        && let Some((extra, _)) = keys.iter().find(|(k, _)| k.value != "name")
                    {
                        self.problems.push(Diagnostic::new(
                            &OVERRIDE_ENTRY,
                            format!("{entry_written}.{}", &*extra.value),
                            format!(
                                "the entry {name:?} is removed (`remove: true`), so its `{}` would be ignored",
                                &*extra.value
                            ),
                            "keep only `name` and `remove: true`, or drop `remove` to change the entry",
                        ));
                    }
                    base.remove(i);
                }
                (Some(true), None) => {
                    let known: Vec<&str> = siblings.iter().map(String::as_str).collect();
                    let help = match crate::keys::suggest(&name, &known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if known.is_empty() => {
                            "the base profile has no entry here; remove the entry from the override"
                                .to_string()
                        }
                        None => format!("the base profile has: {}", known.join(", ")),
                    };
                    self.problems.push(Diagnostic::new(
                        &OVERRIDE_ENTRY,
                        format!("{entry_written}.name"),
                        format!(
                            "`remove: true` drops {name:?}, but the base profile has no entry of that name here, so nothing would be removed"
                        ),
                        help,
                    ));
                }
                (_, Some(i)) => {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.value(&mut base[i], entry, item_schema, path, &entry_written);
                    path.truncate(len);
                }
                (_, None) => {
                    self.added.push(Added {
                        path: format!("{path}[{}]", base.len()),
                        written: entry_written,
                        name,
                        siblings: siblings.clone(),
                    });
                    base.push(entry);
                }
            }
        }
    }
}

/// Whether `over` merges into `base` rather than replacing it: both mappings, or both lists.
fn mergeable(base: &At<Node>, over: &At<Node>) -> bool {
    matches!(
        (&base.value, &over.value),
        (Node::Map(_), Node::Map(_)) | (Node::Seq(_), Node::Seq(_))
    )
}

/// The `name` of a list entry, as text.
fn name_of(entry: &At<Node>) -> Option<String> {
    let Node::Map(keys) = &entry.value else {
        return None;
    };
    let (_, value) = keys.iter().find(|(k, _)| k.value == "name")?;
    match &value.value {
        Node::Scalar(Scalar::Str(s) | Scalar::Int(s) | Scalar::Float(s)) => Some(s.to_string()),
        Node::Scalar(Scalar::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// Take `remove` out of an override entry: `Some(true)` for `remove: true`.
fn take_remove(entry: &mut At<Node>) -> Option<bool> {
    let Node::Map(keys) = &mut entry.value else {
        return None;
    };
    let i = keys.iter().position(|(k, _)| k.value == "remove")?;
    let (_, value) = keys.remove(i);
    Some(matches!(value.value, Node::Scalar(Scalar::Bool(true))))
}

// ---- the schema, as far as the merge reads it ----

/// The schema with `$ref`s resolved and `anyOf`/`oneOf`/`allOf` flattened.
fn variants<'a>(schema: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    crate::keys::variants(schema, root, &mut out, 0);
    out
}

fn property<'a>(schema: &'a Value, root: &'a Value, key: &str) -> Option<&'a Value> {
    variants(schema, root)
        .into_iter()
        .find_map(|v| v.get("properties")?.get(key))
}

fn items<'a>(schema: &'a Value, root: &'a Value) -> Option<&'a Value> {
    variants(schema, root)
        .into_iter()
        .find_map(|v| v.get("items"))
}

/// A list whose entries each require a `name`.
fn is_named_list(schema: &Value, root: &Value) -> bool {
    let Some(item) = items(schema, root) else {
        return false;
    };
    variants(item, root).into_iter().any(|v| {
        v.get("properties").and_then(|p| p.get("name")).is_some()
            && v.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|k| k == "name"))
    })
}

// ---- from the merged tree to the typed profile ----

/// The typed profile of a merged tree, or the diagnostic saying why the merged profile is
/// not a whole one (located by the caller).
pub(crate) fn typed(merged: &Merged) -> Result<crate::types::Profile, Box<Diagnostic>> {
    let e = match serde_path_to_error::deserialize(&merged.tree.value) {
        Ok(profile) => return Ok(profile),
        Err(e) => e,
    };
    let path = match e.path().to_string() {
        p if p == "." => String::new(),
        p => p,
    };
    let reason = e.inner().to_string();
    // The entry the override added that holds the refused value, if any.
    let within = |a: &&Added| {
        path == a.path
            || path.starts_with(&format!("{}.", a.path))
            || path.starts_with(&format!("{}[", a.path))
    };
    let added = merged
        .added
        .iter()
        .filter(within)
        .max_by_key(|a| a.path.len());
    Err(Box::new(match added {
        Some(a) => {
            let known: Vec<&str> = a.siblings.iter().map(String::as_str).collect();
            let help = match crate::keys::suggest(&a.name, &known) {
                Some(s) => format!(
                    "did you mean `{s}`? An entry of a name the base profile has changes that entry; a new name adds a whole new entry"
                ),
                None => "give the new entry every key it needs, or spell the name as in the base profile to change that entry".to_string(),
            };
            Diagnostic::new(
                &OVERRIDE_INCOMPLETE,
                format!("{}.name", a.written),
                format!(
                    "{:?} is not an entry of the base profile, so the override adds it as a new entry ({}), which is not whole: {reason}",
                    a.name, a.path
                ),
                help,
            )
        }
        None => Diagnostic::new(
            &OVERRIDE_INCOMPLETE,
            path.clone(),
            format!("the merged profile is refused at `{path}`: {reason}"),
            "change the override so that the merged value has the type the base profile's has",
        ),
    }))
}

// ---- the environments of a loaded profile ----

/// Where each path of environment `env`'s merged profile is written, from the located tree
/// of the whole profile: the merged paths, and the paths of the file (`environments[…]`).
pub(crate) fn located_index(tree: At<Node>, env: usize) -> crate::source::PathIndex {
    let merged = merge_environment(tree, env, true, crate::schema::profile_schema_value());
    crate::source::PathIndex::build(&merged.tree)
}

/// `diagnostics` said of the environments `envs` (positions in `profile.environments`):
/// each message says which, and points at where each is declared (unless it holds in every
/// environment of several).
pub(crate) fn tag(
    profile: &crate::types::Profile,
    diagnostics: Vec<Diagnostic>,
    envs: &[usize],
) -> Vec<Diagnostic> {
    let all = profile.environments.len();
    let names: Vec<&str> = envs
        .iter()
        .filter_map(|&e| profile.environments.get(e).map(|e| e.name.as_str()))
        .collect();
    let prefix = match names.as_slice() {
        [] => return diagnostics,
        [one] => format!("environment {one}"),
        many if many.len() == all => "every environment".to_string(),
        many => format!("environments {}", many.join(", ")),
    };
    diagnostics
        .into_iter()
        .map(|mut d| {
            d.message = format!("{prefix}: {}", d.message);
            if names.len() < all || all == 1 {
                for &e in envs {
                    if let Some(environment) = profile.environments.get(e) {
                        d = d.with_related(
                            format!("environments[{e}].name"),
                            format!("environment {}", environment.name),
                        );
                    }
                }
            }
            d
        })
        .collect()
}

/// The merged profile of each environment of `profile` (its `file` and `source`, parsed
/// to `tree`; `None` if the text does not parse), or the input report of every override
/// that does not merge into a whole profile.
pub(crate) fn environments_of(
    profile: &crate::types::Profile,
    file: &str,
    source: &str,
    tree: Option<At<Node<'_>>>,
) -> Result<Vec<crate::load::Loaded>, Report> {
    use rayon::prelude::*;
    let n = profile.environments.len();
    let schema = crate::schema::profile_schema_value();
    let Some(tree) = tree else {
        // The text does not parse: its own report says why.
        return Err(Report::new(
            file,
            source,
            crate::diagnostic::Failure::Input,
            Vec::new(),
        ));
    };
    // Each environment merged and typed from its own copy of the tree, on every core;
    // the results in the profile's order.
    let merged: Vec<(Option<crate::types::Profile>, Vec<Diagnostic>)> = (0..n)
        .into_par_iter()
        .map(|env| {
            let merged = merge_environment(tree.clone(), env, false, schema);
            let mut found = merged.problems.clone();
            match typed(&merged) {
                Ok(typed) => (Some(typed), found),
                Err(d) => {
                    found.push(*d);
                    (None, found)
                }
            }
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut problems = Vec::new();
    for (env, (typed, found)) in merged.into_iter().enumerate() {
        if let Some(typed) = typed.filter(|_| found.is_empty()) {
            out.push(crate::load::Loaded {
                profile: typed,
                file: file.to_string(),
                source: source.to_string(),
                environment: Some(env),
                index: std::sync::OnceLock::new(),
                prepared: Default::default(),
            });
        }
        if !found.is_empty() {
            // Paths into the file (`environments[…]`) and merged paths alike.
            let view = crate::load::Loaded {
                profile: profile.clone(),
                file: file.to_string(),
                source: String::new(),
                environment: Some(env),
                index: std::sync::OnceLock::new(),
                prepared: Default::default(),
            };
            if let Ok(t) = crate::load::parse_tree(source) {
                let _ = view.index.set(located_index(t, env));
            }
            problems.extend(view.locate_all(tag(profile, found, &[env])));
        }
    }
    if problems.is_empty() && out.len() == n {
        Ok(out)
    } else {
        Err(Report::new(
            file,
            source,
            crate::diagnostic::Failure::Input,
            problems,
        ))
    }
}

impl crate::load::Loaded {
    /// The environment this is the merged profile of.
    pub fn environment_entry(&self) -> Option<&crate::types::Environment> {
        self.profile.environments.get(self.environment?)
    }

    /// The merged profile of each environment, in profile order (none without
    /// environments), or the input report of every override that does not merge into a
    /// whole profile. The file is parsed once; each environment's profile is typed from
    /// its own copy of the tree.
    pub fn environments(&self) -> Result<Vec<crate::load::Loaded>, Report> {
        if self.profile.environments.is_empty() || self.environment.is_some() {
            return Ok(Vec::new());
        }
        let tree = crate::load::first_parse(&self.source).ok();
        environments_of(&self.profile, &self.file, &self.source, tree)
    }

    /// [`Loaded::environments`], taking those made when the profile was loaded (which
    /// parsed its text once for both) if they are still here.
    pub fn take_environments(&mut self) -> Result<Vec<crate::load::Loaded>, Report> {
        match self.prepared.0.take() {
            Some(made) if self.environment.is_none() => *made,
            _ => self.environments(),
        }
    }

    /// One check report over several environments' diagnostics (`per_env`: each
    /// environment's merged profile, from [`Loaded::environments`], with what its checks
    /// found), plus `fleet`: problems of the profile as written (its environments and
    /// clusters). A problem found alike in several environments (the same rule, place and
    /// message: typically one of the base profile) is reported once, naming them.
    pub fn report_environments(
        &self,
        per_env: Vec<(&crate::load::Loaded, Vec<Diagnostic>)>,
        fleet: Vec<Diagnostic>,
    ) -> Report {
        let mut groups: Vec<(Diagnostic, Vec<usize>)> = Vec::new();
        for (view, diagnostics) in per_env {
            let Some(env) = view.environment else {
                continue;
            };
            for d in view.locate_all(diagnostics) {
                match groups.iter_mut().find(|(g, _)| *g == d) {
                    Some((_, envs)) => envs.push(env),
                    None => groups.push((d, vec![env])),
                }
            }
        }
        let mut all = self.locate_all(fleet);
        for (d, envs) in groups {
            all.extend(self.locate_all(tag(&self.profile, vec![d], &envs)));
        }
        Report::new(
            &self.file,
            &self.source,
            crate::diagnostic::Failure::Check,
            all,
        )
    }
}
