//! The template engine over a small dedicated profile: attachment to layers, the context,
//! the sandbox, and every located error of rendering and reading back.

mod common;

use common::*;
use gen_templates::{Catalog, Layer, Limits, Templates};

#[test]
fn each_layer_renders_once_per_instance_into_its_folder_and_namespace() {
    for (layer, expected) in [
        (Layer::Platform, vec![("platform", "seldon-system", "acme")]),
        (
            Layer::Tenants,
            vec![
                ("tenants/fraud", "fraud-ns", "fraud"),
                ("tenants/vision", "vision-ns", "vision"),
            ],
        ),
        (
            Layer::Apps,
            vec![
                ("apps/scoring", "fraud-ns", "scoring"),
                ("apps/images", "vision-ns", "images"),
            ],
        ),
    ] {
        let out = one(layer, CM);
        assert!(out.diagnostics.is_empty(), "{:?}", problems(&out));
        let got: Vec<(&str, &str, &str)> = out
            .objects
            .iter()
            .map(|o| {
                (
                    o.folder.as_str(),
                    o.namespace.as_deref().unwrap(),
                    o.owner.as_str(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{layer}");
        for o in &out.objects {
            assert_eq!(o.name, format!("{}-info", o.owner));
            assert_eq!(o.file_name(), format!("configmap-{}-info.yaml", o.owner));
            assert_eq!(o.layer, layer);
        }
    }
}

#[test]
fn gen_fills_in_the_namespace_and_its_labels_keeping_the_authors_order() {
    let out = one(
        Layer::Tenants,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {team: a}\ndata: {b: '1', a: '2'}\n",
    );
    assert_eq!(
        yaml(&out.objects[0]),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: fraud-ns\n  labels:\n    app.kubernetes.io/component: template\n    app.kubernetes.io/managed-by: gen\n    app.kubernetes.io/part-of: fraud\n    team: a\ndata:\n  b: \"1\"\n  a: \"2\"\n"
    );
}

#[test]
fn the_context_holds_every_documented_variable() {
    let source = "{# gen: layer=apps #}
apiVersion: v1
kind: ConfigMap
metadata:
  name: ctx
data:
  profile: \"{{ profile.name }} {{ profile.pattern }} {{ profile.engine }} {{ profile.namespace }} {{ profile.seldonVersion }} {{ profile.repoURL }} {{ profile.revision }} {{ profile.path }}\"
  where: \"{{ layer }} {{ instance }} {{ namespace }} {{ folder }}\"
  labels: \"{% for k, v in labels|items %}{{ k }}={{ v }} {% endfor %}\"
  tenants: \"{% for t in tenants %}{{ t.name }}:{{ t.namespace }}:{{ t.owners|join(',') }}:{{ t.applications|join(',') }} {% endfor %}\"
  tenant: \"{{ tenant.name }} {% if tenant.quota %}{{ tenant.quota.cpu }}{% endif %} {{ tenant.clientNamespaces|length }}\"
  applications: \"{% for a in applications %}{{ a.name }}@{{ a.namespace }}/{{ a.tenant }}#{{ a.models|length }} {% endfor %}\"
  application: \"{{ application.name }} {{ application.owners|join(',') }} {{ application.models|map(attribute='metadata.name')|join(',') }}\"
  objects: \"{{ runtime }} {{ servers|map(attribute='metadata.name')|join(',') }} {{ models|map(attribute='spec.storageUri')|join(',') }} {{ pipelines|length }} {{ experiments|length }}\"
";
    let mut t = Templates::new();
    t.add_file("ctx.yaml.j2", "templates/ctx.yaml.j2", source)
        .unwrap();
    let out = run(&t);
    assert!(out.diagnostics.is_empty(), "{:?}", problems(&out));
    let scoring = out.objects.iter().find(|o| o.owner == "scoring").unwrap();
    let data = scoring.body.get("data").unwrap();
    let get = |k: &str| data.get(k).unwrap().as_str().unwrap().to_string();
    assert_eq!(
        get("profile"),
        "acme dedicated flux seldon-system 2.10.2 https://git.example.com/acme.git main out/acme"
    );
    assert_eq!(get("where"), "apps scoring fraud-ns apps/scoring");
    assert_eq!(
        get("labels"),
        "app.kubernetes.io/component=template app.kubernetes.io/managed-by=gen app.kubernetes.io/part-of=scoring "
    );
    assert_eq!(
        get("tenants"),
        "fraud:fraud-ns:group:fraud:scoring vision:vision-ns::images "
    );
    assert_eq!(get("tenant"), "fraud 4 0");
    assert_eq!(
        get("applications"),
        "scoring@fraud-ns/fraud#2 images@vision-ns/vision#0 "
    );
    assert_eq!(get("application"), "scoring user:ana zeta,alpha");
    assert_eq!(get("objects"), "null mlserver gs://b/z,gs://b/a 0 0");
}

#[test]
fn maps_iterate_sorted_and_every_run_renders_the_same_text() {
    // A Model's requirements keep profile order; a map (labels, a dict built in the
    // template) iterates by key, whatever order it was built in.
    let source = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n{% set d = dict(zulu=1, alpha=2, mike=3) %}\n  keys: \"{% for k in d %}{{ k }} {% endfor %}\"\n{% for m in models %}\n  {{ m.metadata.name }}: {{ m.spec.requirements | join(',') | tojson }}\n{% endfor %}\n";
    let first = one(Layer::Tenants, source);
    assert!(first.diagnostics.is_empty(), "{:?}", problems(&first));
    let text: Vec<String> = first.objects.iter().map(yaml).collect();
    assert!(
        text[0].contains("keys: \"alpha mike zulu \""),
        "{}",
        text[0]
    );
    assert!(
        text[0].contains("  zeta: sklearn\n  alpha: xgboost\n"),
        "{}",
        text[0]
    );
    for _ in 0..5 {
        let again: Vec<String> = one(Layer::Tenants, source)
            .objects
            .iter()
            .map(yaml)
            .collect();
        assert_eq!(again, text);
    }
}

#[test]
fn a_template_is_attached_by_folder_or_first_line() {
    let mut t = Templates::new();
    t.add_file("tenants/a.yaml.j2", "templates/tenants/a.yaml.j2", "x")
        .unwrap();
    t.add_file(
        "extra/b.yaml.j2",
        "templates/extra/b.yaml.j2",
        "{#- gen: layer=apps profiles=acme,other -#}\nx",
    )
    .unwrap();
    t.add_file(
        "_macros.j2",
        "templates/_macros.j2",
        "{% macro m() %}{% endmacro %}",
    )
    .unwrap();
    let got: Vec<(&str, Option<Layer>, Vec<String>)> = t
        .iter()
        .map(|t| (t.name.as_str(), t.layer, t.profiles.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("_macros.j2", None, vec![]),
            (
                "extra/b.yaml.j2",
                Some(Layer::Apps),
                vec!["acme".to_string(), "other".to_string()]
            ),
            ("tenants/a.yaml.j2", Some(Layer::Tenants), vec![]),
        ]
    );
    let errors: Vec<(String, u64)> = [
        ("loose.yaml.j2", "x"),
        ("apps/c.yaml.j2", "{# gen: layer=tenants #}"),
        ("apps/d.yaml.j2", "{# gen: layer=cluster #}"),
        ("apps/e.yaml.j2", "{# gen: colour=red #}"),
        ("apps/f.txt.j2", "x"),
    ]
    .iter()
    .map(|(name, src)| {
        let d = Templates::new()
            .add_file(name, &format!("templates/{name}"), *src)
            .err()
            .unwrap();
        assert_eq!(d.code(), "template-attach");
        let line = d.line();
        (d.message, line)
    })
    .collect();
    assert_eq!(
        errors,
        vec![
            ("templates/loose.yaml.j2 is not attached to a layer".to_string(), 0),
            ("templates/apps/c.yaml.j2 is in the folder of layer apps but its first line names layer tenants".to_string(), 1),
            ("templates/apps/d.yaml.j2 names the layer \"cluster\"; the layers are platform, tenants and apps".to_string(), 1),
            ("templates/apps/e.yaml.j2 has the setting \"colour=red\" in its gen: line; it takes layer=..., profiles=... and environments=...".to_string(), 1),
            ("templates/apps/f.txt.j2 is a template whose name does not end in .yaml.j2: templates render Kubernetes objects as YAML".to_string(), 0),
        ]
    );
}

#[test]
fn a_template_for_other_profiles_renders_nothing_here() {
    let mut t = Templates::new();
    t.add_file(
        "x.yaml.j2",
        "templates/x.yaml.j2",
        format!("{{# gen: layer=platform profiles=prod #}}\n{CM}"),
    )
    .unwrap();
    let out = run(&t);
    assert!(out.objects.is_empty() && out.diagnostics.is_empty());
}

#[test]
fn a_template_for_some_environments_renders_only_in_their_bundles() {
    let mut t = Templates::new();
    t.add_file(
        "platform/x.yaml.j2",
        "templates/platform/x.yaml.j2",
        "{# gen: environments=staging,prod #}\nx",
    )
    .unwrap();
    let x = t.iter().next().unwrap();
    assert_eq!(x.environments, ["staging", "prod"]);
    assert!(x.applies_to("acme", Some("prod")));
    assert!(x.applies_to("acme", Some("staging")));
    assert!(!x.applies_to("acme", Some("dev")));
    // A bundle without environments is none of them.
    assert!(!x.applies_to("acme", None));
    // Without the setting, every bundle.
    let mut all = Templates::new();
    all.add("y.yaml.j2", Layer::Platform, "x");
    let y = all.iter().next().unwrap();
    assert!(y.applies_to("acme", None) && y.applies_to("acme", Some("dev")));
}

#[test]
fn partials_are_imported_by_name_and_nothing_else_can_be() {
    let mut t = Templates::new();
    t.add_partial("_lib.j2", "{% macro name(x) %}{{ x }}-lib{% endmacro %}");
    t.add("a.yaml.j2", Layer::Platform, "{% from '_lib.j2' import name %}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ name('p') }}}\n");
    t.add("b.yaml.j2", Layer::Platform, "{% include '/etc/passwd' %}");
    let out = run(&t);
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].name, "p-lib");
    assert_eq!(
        problems(&out),
        vec![(
            "template-runtime".to_string(),
            1,
            "b.yaml.j2 failed for the platform: template not found: tried to include non-existing template '/etc/passwd'".to_string()
        )]
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_line() {
    let out = one(
        Layer::Platform,
        "apiVersion: v1\nkind: ConfigMap\n{% for x in %}\n",
    );
    assert_eq!(
        problems(&out),
        vec![(
            "template-syntax".to_string(),
            3,
            "t.yaml.j2 is not valid minijinja: syntax error: unexpected end of block".to_string()
        )]
    );
    assert_eq!(
        out.diagnostics[0].location.as_ref().unwrap().file,
        "t.yaml.j2"
    );
}

#[test]
fn an_undefined_variable_is_reported_at_its_line_for_the_instance() {
    let out = one(
        Layer::Tenants,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ tenant.nmae }}\n",
    );
    assert_eq!(
        problems(&out),
        vec![
            (
                "template-runtime".to_string(),
                4,
                "t.yaml.j2 failed for tenant fraud: undefined value: `tenant.nmae` is undefined"
                    .to_string()
            ),
            (
                "template-runtime".to_string(),
                4,
                "t.yaml.j2 failed for tenant vision: undefined value: `tenant.nmae` is undefined"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn the_fuel_budget_and_the_output_limit_stop_runaway_templates() {
    let out = one(
        Layer::Platform,
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    );
    assert_eq!(out.diagnostics.len(), 1);
    assert_eq!(out.diagnostics[0].code(), "template-runtime");
    assert!(
        out.diagnostics[0].message.contains("out of fuel"),
        "{}",
        out.diagnostics[0].message
    );

    let mut t = Templates::new();
    t.add(
        "big.yaml.j2",
        Layer::Platform,
        "{% for i in range(2000) %}# {{ 'x' * 100 }}\n{% endfor %}",
    );
    let out = run_with(
        &t,
        &Catalog::new(),
        None,
        Limits {
            output_bytes: 100_000,
            ..Limits::default()
        },
    );
    assert_eq!(
        problems(&out),
        vec![("template-runtime".to_string(), 0, "big.yaml.j2 rendered 206000 bytes for the platform, more than the 97 KiB a render may write".to_string())]
    );
}

#[test]
fn output_that_is_not_objects_names_the_template_and_instance() {
    let cases = [
        (
            "a: [\n",
            "t.yaml.j2 for the platform rendered text that is not YAML",
        ),
        (
            "- a\n- b\n",
            "t.yaml.j2 for the platform (document 1) is a list, not a Kubernetes object",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\n",
            "t.yaml.j2 for the platform (document 1) has no metadata.name (a string)",
        ),
        (
            "kind: ConfigMap\nmetadata: {name: x}\n",
            "t.yaml.j2 for the platform (document 1) has no apiVersion (a string)",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Big_Name}\n",
            "t.yaml.j2 for the platform (document 1) renders the name \"Big_Name\", which is not a DNS-1123 subdomain",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, generateName: y-}\n",
            "t.yaml.j2 for the platform (document 1) sets metadata.generateName",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {app.kubernetes.io/managed-by: helm}}\n",
            "t.yaml.j2 for the platform (document 1) sets the label app.kubernetes.io/managed-by, which gen sets to \"gen\"",
        ),
        (
            "apiVersion: v1\nkind: ../../x\nmetadata: {name: x}\n",
            "t.yaml.j2 for the platform (document 1) renders the kind \"../../x\", which is no Kubernetes kind: a kind is a CamelCase name of letters and digits, an apiVersion is [group/]version (v1, apps/v1, example.com/v1alpha1)",
        ),
        (
            "apiVersion: Example.com/v1\nkind: Widget\nmetadata: {name: x}\n",
            "t.yaml.j2 for the platform (document 1) renders the apiVersion \"Example.com/v1\", which is no Kubernetes apiVersion",
        ),
        (
            "apiVersion: example.com/\nkind: Widget\nmetadata: {name: x}\n",
            "t.yaml.j2 for the platform (document 1) renders the apiVersion \"example.com/\", which is no Kubernetes apiVersion",
        ),
        (
            "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\nplain\n",
            "t.yaml.j2 for the platform (document 2) is a string, not a Kubernetes object",
        ),
    ];
    for (source, start) in cases {
        let out = one(Layer::Platform, source);
        assert_eq!(out.diagnostics.len(), 1, "{source}: {:?}", problems(&out));
        let d = &out.diagnostics[0];
        assert_eq!(d.code(), "template-output", "{source}");
        assert!(d.message.starts_with(start), "{source}: {}", d.message);
        assert_eq!(d.location.as_ref().unwrap().file, "t.yaml.j2");
    }
}
