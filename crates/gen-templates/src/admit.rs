//! The kinds each layer's templates may render (`templates.admit` in the profile), and what
//! the GitOps engines must grant for them.
//!
//! Declared, not inferred from the rendered objects: the grants must outlive a template.
//! Argo CD leaves out of its comparison every live object of a kind the project does not
//! permit (argo-cd `controller/state.go`, "filter out all resources which are not permitted
//! in the application project"), so objects of a kind that left the project are never
//! pruned; Flux's garbage collection deletes as the Kustomization's service account and
//! fails when that account may no longer delete the kind.

use std::collections::BTreeMap;

use gen_diagnostics::Diagnostic;

use crate::kinds::{Catalog, guess_plural};
use crate::render::TEMPLATE_ADMIT;
use crate::source::Layer;

/// One admitted kind, as Argo CD (`group`, `kind`) and RBAC (`group`, `plural`) name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub group: String,
    pub kind: String,
    pub plural: String,
}

/// The admitted kinds of each layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admit {
    layers: BTreeMap<Layer, Vec<Grant>>,
}

impl Admit {
    /// Admit `entry` (`Kind` for the core group, `group/Kind` otherwise) for `layer`; its
    /// resource name is Kubernetes' guess. [`Admit::from_profile`] resolves it instead.
    pub fn add(&mut self, layer: Layer, entry: &str) {
        let (group, kind) = split(entry);
        self.push(
            layer,
            Grant {
                group: group.to_string(),
                kind: kind.to_string(),
                plural: guess_plural(kind),
            },
        );
    }

    fn push(&mut self, layer: Layer, grant: Grant) {
        let grants = self.layers.entry(layer).or_default();
        if !grants.contains(&grant) {
            grants.push(grant);
            grants.sort();
        }
    }

    /// The profile's `templates.admit`, each kind resolved in `catalog` (its resource name
    /// and scope); a cluster-scoped kind is refused at its profile path.
    pub fn from_profile(
        admit: &gen_profile::AdmitKinds,
        catalog: &Catalog,
    ) -> (Admit, Vec<Diagnostic>) {
        let mut out = Admit::default();
        let mut problems = Vec::new();
        for (layer, entries) in [
            (Layer::Platform, &admit.platform),
            (Layer::Tenants, &admit.tenants),
            (Layer::Apps, &admit.apps),
        ] {
            for (i, entry) in entries.iter().enumerate() {
                let (group, kind) = split(entry);
                match catalog.by_group_kind(group, kind) {
                    Some(info) if !info.namespaced => problems.push(Diagnostic::new(
                        &TEMPLATE_ADMIT,
                        format!("templates.admit.{layer}[{i}]"),
                        format!(
                            "templates.admit.{layer} lists {entry}, which is cluster-scoped: template objects live in their layer's namespace, and no layer is granted anything cluster-wide"
                        ),
                        "remove it; render cluster-scoped objects outside gen",
                    )),
                    Some(info) => out.push(layer, Grant {
                        group: info.group,
                        kind: info.kind,
                        plural: info.plural,
                    }),
                    None => out.add(layer, entry),
                }
            }
        }
        (out, problems)
    }

    pub fn admits(&self, layer: Layer, group: &str, kind: &str) -> bool {
        self.grants(layer)
            .iter()
            .any(|g| g.group == group && g.kind == kind)
    }

    /// The kinds admitted for `layer`, sorted.
    pub fn grants(&self, layer: Layer) -> &[Grant] {
        self.layers.get(&layer).map_or(&[], Vec::as_slice)
    }

    /// The grants in the profile's shape, for the GitOps engines.
    pub fn granted(&self) -> gen_profile::Granted {
        let of = |l: Layer| {
            self.grants(l)
                .iter()
                .map(|g| gen_profile::GrantedKind {
                    group: g.group.clone(),
                    kind: g.kind.clone(),
                    plural: g.plural.clone(),
                })
                .collect()
        };
        gen_profile::Granted {
            platform: of(Layer::Platform),
            tenants: of(Layer::Tenants),
            apps: of(Layer::Apps),
        }
    }

    /// How the profile writes `group`/`kind`.
    pub fn notation(group: &str, kind: &str) -> String {
        if group.is_empty() {
            kind.to_string()
        } else {
            format!("{group}/{kind}")
        }
    }
}

fn split(entry: &str) -> (&str, &str) {
    entry.rsplit_once('/').unwrap_or(("", entry))
}
