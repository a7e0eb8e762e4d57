//! What gen checks in the objects templates render: namespace confinement, admitted kinds,
//! the schemas of built-in, Seldon and custom kinds, and collisions.

mod common;

use common::*;
use gen_templates::{Catalog, Layer, Limits, Templates};

#[test]
fn a_namespaced_object_stays_in_its_layers_namespace() {
    let out = one(
        Layer::Apps,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: '{{ namespace }}'}\n",
    );
    assert!(out.diagnostics.is_empty() && out.objects.len() == 2);
    let out = one(
        Layer::Apps,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: kube-system}\n",
    );
    assert_eq!(
        problems(&out)[0],
        ("template-namespace".to_string(), 0, "t.yaml.j2 for application scoring (document 1) puts ConfigMap x in namespace \"kube-system\", but objects of application scoring go to \"fraud-ns\" only".to_string())
    );
    let out = one(
        Layer::Platform,
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\n",
    );
    assert_eq!(
        problems(&out),
        vec![("template-namespace".to_string(), 0, "t.yaml.j2 for the platform (document 1) renders ClusterRole x, which is cluster-scoped; every layer of the bundle is applied with rights in its namespace (seldon-system) only".to_string())]
    );
}

#[test]
fn a_kind_the_profile_does_not_admit_is_refused_when_an_engine_applies_the_bundle() {
    let mut t = Templates::new();
    t.add(
        "s.yaml.j2",
        Layer::Apps,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
    );
    let out = run(&t);
    assert_eq!(
        problems(&out)[0],
        ("template-admit".to_string(), 0, "s.yaml.j2 for application scoring (document 1) renders s of kind Secret, which the profile does not admit for layer apps: the GitOps engine would refuse to apply it".to_string())
    );
    assert_eq!(
        out.diagnostics[0].help.as_deref(),
        Some("add Secret to templates.admit.apps in the profile")
    );
    // Without an engine nothing is granted, so nothing needs admitting.
    let out = run_with(&t, &Catalog::new(), None, Limits::default());
    assert!(out.diagnostics.is_empty() && out.objects.len() == 2);
}

#[test]
fn built_in_kinds_are_checked_against_kubernetes() {
    let out = one(
        Layer::Tenants,
        "{# #}\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailble: 1\n  selector: {matchLabels: {a: b}}\n",
    );
    assert_eq!(
        problems(&out)[0],
        ("template-schema".to_string(), 0, "t.yaml.j2 for tenant fraud (document 1) renders PodDisruptionBudget p that Kubernetes 1.33 does not accept at spec.minAvailble: unknown field `minAvailble`".to_string())
    );
    assert_eq!(out.diagnostics[0].path, "spec.minAvailble");
    let out = one(
        Layer::Tenants,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labelz: {}}\ndata: {n: 1}\n",
    );
    let msgs: Vec<String> = out.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert!(
        msgs[0].contains("does not accept: invalid type: integer `1`, expected a string"),
        "{msgs:?}"
    );
    let out = one(
        Layer::Tenants,
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n",
    );
    assert!(problems(&out)[0].2.ends_with("renders PodDisruptionBudget as policy/v1beta1, which is not served; PodDisruptionBudget is served as policy/v1"), "{:?}", problems(&out));
}

#[test]
fn seldon_kinds_are_checked_against_gens_model_of_them() {
    let out = one(
        Layer::Apps,
        "apiVersion: mlops.seldon.io/v1alpha1\nkind: Model\nmetadata: {name: m, annotations: {a: b}}\nspec: {storageUri: 'gs://x', requirments: [sklearn]}\n",
    );
    assert_eq!(out.diagnostics.len(), 2, "{:?}", problems(&out));
    assert!(
        out.diagnostics[0]
            .message
            .ends_with("does not accept at spec.requirments: unknown field `requirments`")
    );
}

#[test]
fn unknown_kinds_are_written_and_reported_once() {
    let out = one(
        Layer::Apps,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n",
    );
    assert_eq!(out.objects.len(), 2);
    assert_eq!(out.objects[0].info.plural, "widgets");
    assert_eq!(
        problems(&out),
        vec![("template-unknown-kind".to_string(), 0, "t.yaml.j2 for application scoring (document 1) renders Widget (example.com/v1), a kind gen has no schema for: it is written unchecked and taken to be namespaced".to_string())]
    );
    assert_eq!(
        out.diagnostics[0].severity,
        gen_diagnostics::Severity::Warning
    );
}

const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: gadgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, maximum: 10}
                port: {x-kubernetes-int-or-string: true}
                note: {type: string, nullable: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

#[test]
fn custom_resources_are_checked_against_the_crds_a_profile_points_at() {
    let mut catalog = Catalog::new();
    catalog.add_crds("crds/widget.yaml", WIDGET_CRD).unwrap();
    let mut t = Templates::new();
    t.add("w.yaml.j2", Layer::Platform, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3, port: http, note: null, extra: {any: thing}}\n");
    let out = run_with(&t, &catalog, Some(&admit_all()), Limits::default());
    assert!(out.diagnostics.is_empty(), "{:?}", problems(&out));
    assert_eq!(out.objects[0].info.plural, "gadgets");

    let mut t = Templates::new();
    t.add("w.yaml.j2", Layer::Platform, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 30, colour: red}\n");
    let out = run_with(&t, &catalog, Some(&admit_all()), Limits::default());
    let mut got: Vec<(String, String)> = out
        .diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.path.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("template-schema".into(), "spec".into()),
            ("template-schema".into(), "spec.size".into())
        ]
    );

    let mut t = Templates::new();
    t.add(
        "w.yaml.j2",
        Layer::Platform,
        "apiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w}\n",
    );
    let out = run_with(&t, &catalog, Some(&admit_all()), Limits::default());
    assert!(
        out.diagnostics[0]
            .message
            .ends_with("Widget is served as example.com/v1")
    );

    let bad = Catalog::new().add_crds("crds/bad.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {group: g}\n");
    let d = bad.unwrap_err();
    assert_eq!(d[0].code(), "template-crd");
    assert_eq!(
        d[0].message,
        "crds/bad.yaml CustomResourceDefinition x: has no spec.names.kind"
    );
}

#[test]
fn two_templates_may_not_render_the_same_object() {
    let mut t = Templates::new();
    t.add(
        "a.yaml.j2",
        Layer::Tenants,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n",
    );
    t.add(
        "b.yaml.j2",
        Layer::Tenants,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n",
    );
    let out = run(&t);
    assert_eq!(out.objects.len(), 2);
    assert_eq!(
        problems(&out),
        vec![
            ("template-collision".to_string(), 0, "b.yaml.j2 renders ConfigMap fraud-ns/shared for tenant fraud, and so does a.yaml.j2 for tenant fraud".to_string()),
            ("template-collision".to_string(), 0, "b.yaml.j2 renders ConfigMap vision-ns/shared for tenant vision, and so does a.yaml.j2 for tenant vision".to_string()),
        ]
    );
}

#[test]
fn yaml_spellings_of_none_and_booleans_and_tojson_quoting() {
    let out = one(
        Layer::Platform,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: {{ 'yes: no' | tojson }}\n  b: '{{ true }} {{ none }}'\n",
    );
    assert!(out.diagnostics.is_empty(), "{:?}", problems(&out));
    let data = out.objects[0].body.get("data").unwrap();
    assert_eq!(data.get("a").unwrap().as_str(), Some("yes: no"));
    assert_eq!(data.get("b").unwrap().as_str(), Some("true null"));
}

#[cfg(unix)]
#[test]
fn templates_are_read_from_a_folder_without_following_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = camino::Utf8Path::from_path(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("templates/apps")).unwrap();
    std::fs::create_dir_all(root.join("templates/.git")).unwrap();
    std::fs::write(root.join("templates/apps/cm.yaml.j2"), CM).unwrap();
    std::fs::write(root.join("templates/README.md"), "not a template").unwrap();
    std::fs::write(root.join("templates/.git/x.j2"), "hidden").unwrap();
    let t = Templates::load_dir(&root.join("templates"), "templates".into()).unwrap();
    assert_eq!(
        t.iter().map(|t| t.file.as_str()).collect::<Vec<_>>(),
        vec!["templates/apps/cm.yaml.j2"]
    );
    assert!(
        Templates::load_dir(&root.join("absent"), "absent".into())
            .unwrap()
            .is_empty()
    );

    std::os::unix::fs::symlink("/etc/hostname", root.join("templates/apps/leak.yaml.j2")).unwrap();
    let d = Templates::load_dir(&root.join("templates"), "templates".into()).unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code(), "template-io");
    assert_eq!(
        d[0].message,
        "templates/apps/leak.yaml.j2 is a symbolic link; gen reads no links under templates/"
    );
}

#[test]
fn the_profile_admits_kinds_with_their_resource_names_and_never_a_cluster_scoped_one() {
    let settings: gen_profile::TemplateSettings = serde_saphyr::from_str(
        "admit: {platform: [ConfigMap], tenants: [policy/PodDisruptionBudget, example.com/Widget], apps: [rbac.authorization.k8s.io/ClusterRole, Secret]}",
    )
    .unwrap();
    let mut catalog = Catalog::new();
    catalog.add_crds("crds/widget.yaml", WIDGET_CRD).unwrap();
    let (admit, problems) = gen_templates::Admit::from_profile(&settings.admit, &catalog);
    let grants = |l: Layer| -> Vec<(String, String, String)> {
        admit
            .grants(l)
            .iter()
            .map(|g| (g.group.clone(), g.kind.clone(), g.plural.clone()))
            .collect()
    };
    assert_eq!(
        grants(Layer::Platform),
        vec![("".into(), "ConfigMap".into(), "configmaps".into())]
    );
    assert_eq!(
        grants(Layer::Tenants),
        vec![
            ("example.com".into(), "Widget".into(), "gadgets".into()),
            (
                "policy".into(),
                "PodDisruptionBudget".into(),
                "poddisruptionbudgets".into()
            ),
        ]
    );
    assert_eq!(
        grants(Layer::Apps),
        vec![("".into(), "Secret".into(), "secrets".into())]
    );
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code(), "template-admit");
    assert_eq!(problems[0].path, "templates.admit.apps[0]");
    assert_eq!(
        problems[0].message,
        "templates.admit.apps lists rbac.authorization.k8s.io/ClusterRole, which is cluster-scoped: template objects live in their layer's namespace, and no layer is granted anything cluster-wide"
    );
}
