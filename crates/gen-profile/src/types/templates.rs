//! User templates (issue "User extensions through templates/"): where a repository's
//! templates and CRDs are, and which kinds each layer's templates may render.

use schemars::JsonSchema;
use serde::Deserialize;

/// Where the repository's templates and CRDs are, and which kinds the templates of each
/// layer may render (the GitOps engine is granted exactly these). gen reads templates only
/// for a profile that has this block.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateSettings {
    /// The templates folder, relative to this profile's folder (default: ../templates, the
    /// templates/ folder beside profiles/).
    #[serde(default)]
    pub dir: Option<String>,
    /// CustomResourceDefinition files or folders, relative to this profile's folder: template
    /// objects of their kinds are checked against their schemas.
    #[serde(default)]
    pub crds: Vec<String>,
    /// The kinds each layer's templates may render, `Kind` (core group) or `group/Kind`.
    /// Keep a kind listed after deleting its last template until the engine has pruned its
    /// objects: the engine cannot delete what it may no longer touch.
    #[serde(default)]
    pub admit: AdmitKinds,
    /// The admitted kinds resolved to their resource names: filled in by gen's check, never
    /// read from the profile; what the GitOps engines grant.
    #[serde(skip)]
    #[schemars(skip)]
    pub granted: Granted,
}

/// One admitted kind, as Argo CD (`group`, `kind`) and RBAC (`group`, `plural`) name it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct GrantedKind {
    pub group: String,
    pub kind: String,
    pub plural: String,
}

/// The admitted kinds of each layer, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Granted {
    pub platform: Vec<GrantedKind>,
    pub tenants: Vec<GrantedKind>,
    pub apps: Vec<GrantedKind>,
}

impl super::Profile {
    /// What the GitOps engine grants for the templates of the platform, tenant and
    /// application layers (empty without a `templates` block).
    pub fn template_grants(&self) -> Granted {
        self.templates
            .as_ref()
            .map(|t| t.granted.clone())
            .unwrap_or_default()
    }
}

/// Kinds per layer, as `Kind` or `group/Kind` (e.g. ConfigMap, policy/PodDisruptionBudget).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdmitKinds {
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::GROUP_KIND)))]
    pub platform: Vec<String>,
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::GROUP_KIND)))]
    pub tenants: Vec<String>,
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::schema::GROUP_KIND)))]
    pub apps: Vec<String>,
}
