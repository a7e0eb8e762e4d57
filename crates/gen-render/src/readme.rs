//! The bundle's README.md, from the minijinja template `templates/bundle-readme.md.j2`.
//! The template is text for people; the data it gets is built here from the plan.

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use gen_profile::Profile;

use crate::folder::Layer;
use crate::manifest::Manifest;
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
    kind: String,
    count: usize,
    names: Vec<String>,
}

/// Above these counts the README summarises instead of listing, so it stays readable for
/// bundles of thousands of objects.
const LIST_NAMES_UP_TO: usize = 10;
const LIST_FILES_UP_TO: usize = 30;

/// What the README says of one object.
#[derive(Serialize)]
pub(crate) struct ObjectView {
    kind: String,
    name: String,
    file: String,
    /// The repository template that rendered it (its name under the templates folder).
    template: Option<String>,
}

impl ObjectView {
    /// `o`, written to `file` in its folder.
    pub(crate) fn of(o: &Manifest, file: &str) -> Self {
        ObjectView {
            kind: o.kind().to_string(),
            name: o.name().to_string(),
            file: file.to_string(),
            template: match o {
                Manifest::Template(t) => Some(t.template.clone()),
                _ => None,
            },
        }
    }
}

#[derive(Serialize)]
struct KafkaTenancyView<'a> {
    cluster: &'a str,
    namespace: &'a str,
    store: &'a str,
    /// (runtime namespace, its KafkaUser).
    users: Vec<(String, String)>,
    secret: &'static str,
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
    /// Kafka tenancy: the cluster, the namespace of its users, the store, and each runtime
    /// namespace's user.
    kafka_tenancy: Option<KafkaTenancyView<'a>>,
    tracing_endpoint: Option<&'a str>,
    folders: Vec<FolderView>,
    /// The bundle folder's path in the GitOps repository.
    repo_dir: &'a str,
    revision: String,
    /// Whether any application has Pipelines (they need Kafka).
    pipelines: bool,
    /// The storage Secrets that Models reference, by namespace and name.
    storage_secrets: Vec<SecretView>,
    /// Whether some storage Secret is neither rendered nor declared by the profile.
    storage_secrets_unmade: bool,
    /// How clients call the Models and Pipelines through the Gateway (integrations.gateway).
    endpoints: Vec<EndpointView>,
    /// The ecosystem CRDs the bundle's integrations need on the cluster.
    integration_crds: Vec<&'static str>,
    /// The image pull Secrets every Seldon pod names (integrations.registry).
    pull_secrets: Vec<String>,
    /// The chart repository when it is not Seldon's, and whether it is an OCI registry.
    charts: Option<(String, bool)>,

    /// The tenant namespaces (pattern dedicated).
    tenants: Vec<&'a str>,
    /// The engine's settings the README states (`GitOpsEngine::readme_facts`).
    facts: std::collections::BTreeMap<&'static str, String>,
    /// The namespaces whose applications are confined to their own objects.
    ownership: crate::ownership::ReadmeView,
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
    /// What makes it: `external` (an ExternalSecret of the bundle), `declared` (the
    /// profile's integrations.storage.existing: you create it) or `unmade`.
    made_by: &'static str,
}

/// One application's calls through the Gateway.
#[derive(Serialize)]
struct EndpointView {
    application: String,
    namespace: String,
    /// `https://host` per hostname of its route, or the listener's address when the route
    /// names no hostname.
    bases: Vec<String>,
    calls: Vec<CallView>,
    call_count: usize,
}

#[derive(Serialize)]
struct CallView {
    kind: &'static str,
    name: String,
    header: String,
}

/// The calls of every application through the Gateway: its own route's hostnames, else its
/// runtime's (the tenant's, else the Gateway's).
fn endpoints(profile: &Profile, plan: &Plan) -> Vec<EndpointView> {
    let Some(gw) = profile.integrations.gateway.as_ref() else {
        return Vec::new();
    };
    // Experiments without a default are called by their own header; the others split the
    // calls of their default. Read from the plan, which holds the specs.
    let mut own_header = std::collections::HashSet::new();
    for folder in &plan.folders {
        for entry in &folder.entries {
            if let crate::folder::Entry::Object(o) = entry
                && let crate::manifest::Manifest::Experiment(x) = o.as_ref()
                && x.spec.default.is_none()
            {
                own_header.insert((folder.namespace.clone(), x.name().to_string()));
            }
        }
    }
    let namespaces = gen_profile::check::application_namespaces(profile);
    profile
        .applications
        .iter()
        .zip(namespaces)
        .filter_map(|(app, ns)| {
            let ns = ns?;
            let tenant = profile.tenants.iter().find(|t| t.namespace == ns);
            let hosts = [
                app.hostnames.as_slice(),
                tenant.map(|t| t.hostnames.as_slice()).unwrap_or_default(),
                gw.hostnames.as_slice(),
            ]
            .into_iter()
            .find(|h| !h.is_empty())
            .unwrap_or_default();
            let bases = if hosts.is_empty() {
                vec![format!("{}://<the Gateway's address>", gw.scheme.as_str())]
            } else {
                hosts
                    .iter()
                    .map(|h| format!("{}://{h}", gw.scheme.as_str()))
                    .collect()
            };
            let calls: Vec<CallView> = app
                .models
                .iter()
                .map(|m| CallView {
                    kind: "Model",
                    name: m.name.clone(),
                    header: m.name.clone(),
                })
                .chain(app.pipelines.iter().map(|p| CallView {
                    kind: "Pipeline",
                    name: p.name.clone(),
                    header: format!("{}.pipeline", p.name),
                }))
                .chain(
                    app.experiments
                        .iter()
                        .filter(|x| own_header.contains(&(ns.to_string(), x.name.clone())))
                        .map(|x| CallView {
                            kind: "Experiment",
                            name: x.name.clone(),
                            header: format!("{}.experiment", x.name),
                        }),
                )
                .collect();
            let call_count = calls.len();
            Some(EndpointView {
                application: app.name.clone(),
                namespace: ns.to_string(),
                bases,
                calls: if call_count > LIST_NAMES_UP_TO {
                    Vec::new()
                } else {
                    calls
                },
                call_count,
            })
        })
        .collect()
}

/// The ecosystem CRDs the profile's integrations render objects of.
fn integration_crds(profile: &Profile) -> Vec<&'static str> {
    let i = &profile.integrations;
    let mut crds = Vec::new();
    if i.gateway.is_some() {
        crds.push("Gateway API (`HTTPRoute`, gateway.networking.k8s.io/v1)");
    }
    if i.metrics.is_some() {
        crds.push("Prometheus Operator (`PodMonitor`, `PrometheusRule`, monitoring.coreos.com/v1)");
    }
    if i.storage.as_ref().is_some_and(|s| !s.secrets.is_empty()) || i.kafka.is_some() {
        crds.push("External Secrets Operator (`ExternalSecret`, external-secrets.io/v1)");
    }
    if i.kafka.is_some() {
        crds.push("Strimzi 1.x (`KafkaUser`, `KafkaTopic`, kafka.strimzi.io/v1)");
    }
    crds
}

/// The `secretName`s of every Model of the plan, grouped by namespace and name.
fn storage_secrets(plan: &Plan) -> Vec<SecretView> {
    let made_by = |ns: &str, name: &str| {
        if plan
            .secret_remotes
            .iter()
            .any(|r| r.object.namespace == ns && r.object.secret == name)
        {
            "external"
        } else if plan
            .secrets
            .iter()
            .any(|s| s.object.namespace == ns && s.object.name == name)
        {
            "declared"
        } else {
            "unmade"
        }
    };
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
            made_by: made_by(&namespace, &name),
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

/// The bundle README, given what each folder of the plan holds (`listed`, in the plan's
/// folder order: the caller builds the objects for the kustomizations anyway).
pub(crate) fn render_listed(
    profile: &Profile,
    plan: &Plan,
    listed: Vec<Vec<ObjectView>>,
) -> Result<String, minijinja::Error> {
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
        storage_secrets_unmade: storage_secrets(plan).iter().any(|s| s.made_by == "unmade"),
        storage_secrets: storage_secrets(plan),
        endpoints: endpoints(profile, plan),
        integration_crds: integration_crds(profile),
        pull_secrets: profile
            .integrations
            .registry
            .as_ref()
            .map(|r| r.image_pull_secrets.clone())
            .unwrap_or_default(),
        charts: profile
            .integrations
            .registry
            .as_ref()
            .and_then(|r| r.charts.clone())
            .map(|c| {
                let oci = c.starts_with("oci://");
                (c, oci)
            }),

        tenants: profile
            .tenants
            .iter()
            .map(|t| t.namespace.as_str())
            .collect(),
        facts: plan.engine.readme_facts(),
        ownership: crate::ownership::readme_view(profile),
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
        kafka_tenancy: profile
            .integrations
            .kafka
            .as_ref()
            .map(|k| KafkaTenancyView {
                cluster: &k.cluster,
                namespace: &k.namespace,
                store: k.store.name.as_str(),
                users: plan
                    .folders
                    .iter()
                    .filter(|f| matches!(f.layer, Layer::Platform | Layer::Tenant))
                    .flat_map(|f| f.entries.iter())
                    .filter_map(|e| match e {
                        crate::folder::Entry::Object(m) => match &**m {
                            Manifest::SeldonRuntime(rt) => Some((
                                rt.metadata.namespace().to_string(),
                                crate::objects::integrations::kafka::user_name(
                                    rt.metadata.namespace(),
                                ),
                            )),
                            _ => None,
                        },
                        crate::folder::Entry::Deferred(_) => None,
                    })
                    .collect(),
                secret: gen_seldon::kafka_names::CREDENTIALS_SECRET,
            }),
        tracing_endpoint: profile.seldon.tracing.as_ref().map(|t| t.endpoint.as_str()),
        folders: plan
            .folders
            .iter()
            .zip(listed)
            .map(|(f, objects)| FolderView {
                path: f.path.clone(),
                layer: f.layer,
                owner: f.owner.clone(),
                namespace: f.namespace.clone(),
                kinds: {
                    let mut kinds: Vec<KindView> = Vec::new();
                    for o in &objects {
                        match kinds.iter_mut().find(|k| k.kind == o.kind) {
                            Some(k) => {
                                k.count += 1;
                                if k.names.len() < LIST_NAMES_UP_TO {
                                    k.names.push(o.name.clone());
                                }
                            }
                            None => kinds.push(KindView {
                                kind: o.kind.clone(),
                                count: 1,
                                names: vec![o.name.clone()],
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
                object_count: objects.len(),
                objects: if objects.len() > LIST_FILES_UP_TO {
                    Vec::new()
                } else {
                    objects
                },
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
