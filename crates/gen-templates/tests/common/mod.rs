//! The small dedicated profile the template tests render for, and helpers.
#![allow(dead_code)]

use gen_kinds::Metadata;
use gen_kinds::seldon::{Model, Server};
use gen_profile::Profile;
use gen_templates::{
    Admit, Catalog, Instance, Layer, Limits, Objects, Output, Request, Scope, Templates, instances,
    render,
};

pub const PROFILE: &str = "
name: acme
pattern: dedicated
platform: {namespace: seldon-system}
gitops: {engine: flux, repoURL: https://git.example.com/acme.git}
tenants:
  - {name: fraud, namespace: fraud-ns, owners: [group:fraud], quota: {cpu: '4'}, servers: [{name: mlserver, serverConfig: mlserver}]}
  - {name: vision, namespace: vision-ns}
applications:
  - name: scoring
    tenant: fraud
    owners: [user:ana]
    models:
      - {name: zeta, storageUri: 'gs://b/z', requirements: [sklearn]}
      - {name: alpha, storageUri: 'gs://b/a', requirements: [xgboost], memory: 1Gi}
  - {name: images, tenant: vision}
";

pub fn profile() -> Profile {
    gen_profile::parse("acme.yaml", PROFILE).unwrap().profile
}

pub struct World {
    pub profile: Profile,
    pub models: Vec<(String, Model)>,
    pub servers: Vec<Server>,
}

pub fn world() -> World {
    let profile = profile();
    let ns = |app: &gen_profile::Application| {
        let t = app.tenant.as_deref().unwrap();
        profile
            .tenants
            .iter()
            .find(|x| x.name == t)
            .unwrap()
            .namespace
            .clone()
    };
    let models = profile
        .applications
        .iter()
        .flat_map(|a| {
            a.models.iter().map(|m| {
                (
                    a.name.clone(),
                    Model::new(Metadata::namespaced(&m.name, ns(a)), m.spec.clone()),
                )
            })
        })
        .collect();
    let servers = profile.tenants[0]
        .servers
        .iter()
        .map(|s| Server::new(Metadata::namespaced(&s.name, "fraud-ns"), s.spec.clone()))
        .collect();
    World {
        profile,
        models,
        servers,
    }
}

pub fn scopes(p: &Profile) -> Vec<Scope> {
    let mut s = vec![Scope {
        layer: Layer::Platform,
        owner: p.name.clone(),
        namespace: p.platform.namespace.clone(),
        folder: "platform".into(),
    }];
    for t in &p.tenants {
        s.push(Scope {
            layer: Layer::Tenants,
            owner: t.name.clone(),
            namespace: t.namespace.clone(),
            folder: format!("tenants/{}", t.name),
        });
    }
    for a in &p.applications {
        let t = a.tenant.as_deref().unwrap();
        let ns = p
            .tenants
            .iter()
            .find(|x| x.name == t)
            .unwrap()
            .namespace
            .clone();
        s.push(Scope {
            layer: Layer::Apps,
            owner: a.name.clone(),
            namespace: ns,
            folder: format!("apps/{}", a.name),
        });
    }
    s
}

pub fn the_instances(w: &World) -> Vec<Instance> {
    let objects = Objects {
        servers: w.servers.iter().collect(),
        models: w.models.iter().map(|(a, m)| (a.as_str(), m)).collect(),
        ..Objects::default()
    };
    instances(&w.profile, None, "out/acme", &objects, &scopes(&w.profile))
}

pub fn admit_all() -> Admit {
    let mut a = Admit::default();
    for layer in Layer::ALL {
        for k in [
            "ConfigMap",
            "policy/PodDisruptionBudget",
            "example.com/Widget",
            "mlops.seldon.io/Model",
        ] {
            a.add(layer, k);
        }
    }
    a
}

pub fn run_with(
    templates: &Templates,
    catalog: &Catalog,
    admit: Option<&Admit>,
    limits: Limits,
) -> Output {
    let w = world();
    let inst = the_instances(&w);
    render(
        templates,
        &Request {
            environment: None,
            profile: "acme",
            instances: &inst,
            catalog,
            admit,
            limits,
        },
    )
}

pub fn run(templates: &Templates) -> Output {
    run_with(
        templates,
        &Catalog::new(),
        Some(&admit_all()),
        Limits::default(),
    )
}

pub fn one(layer: Layer, source: &str) -> Output {
    let mut t = Templates::new();
    t.add("t.yaml.j2", layer, source);
    run(&t)
}

/// The (code, line, message) of every diagnostic.
pub fn problems(out: &Output) -> Vec<(String, u64, String)> {
    out.diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.line(), d.message.clone()))
        .collect()
}

pub fn yaml(o: &gen_templates::TemplateObject) -> String {
    serde_saphyr::to_string(o).unwrap()
}

pub const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ instance }}-info\ndata:\n  layer: {{ layer }}\n";
