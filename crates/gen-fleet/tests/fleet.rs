//! Where the committed example bundles put their objects, following Argo CD and Flux from
//! their bootstrap folders; collisions between bundles on one cluster; the promotion diff.

use std::collections::BTreeMap;
use std::path::Path;

use gen_fleet::{Change, IN_CLUSTER, Id, Layout, collisions, diff, landings, objects};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
}

/// The files of a committed bundle, relative to it.
fn bundle(name: &str) -> BTreeMap<String, String> {
    let dir = root().join("out").join(name);
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    files
}

fn crd(plural: &str) -> Id {
    Id::new(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "",
        &format!("{plural}.mlops.seldon.io"),
    )
}

#[test]
fn argo_cd_puts_every_workload_object_and_both_charts_on_its_destination() {
    let files = bundle("single-team");
    let objs = objects(&files).unwrap();
    let layout = Layout {
        repo_dir: "out/single-team",
        entry_points: vec![("bootstrap".to_string(), IN_CLUSTER.to_string())],
    };
    let landed = landings(&files, &objs, &layout);
    // Every object of the bundle is applied by someone, exactly once.
    for o in &objs {
        let n = landed.iter().filter(|l| l.id == o.id).count();
        assert_eq!(n, 1, "{} lands {n} times", o.id);
    }
    let via = |id: &Id| {
        landed
            .iter()
            .find(|l| &l.id == id)
            .map(|l| l.via.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        via(&Id::new(
            "mlops.seldon.io",
            "Model",
            "seldon-system",
            "risk-scorer"
        )),
        "Application argocd/single-team-app-financial-prediction"
    );
    assert_eq!(
        via(&Id::new(
            "argoproj.io",
            "Application",
            "argocd",
            "single-team-platform"
        )),
        "Application argocd/single-team-root"
    );
    assert_eq!(
        via(&crd("models")),
        "Application argocd/single-team-seldon-crds"
    );
    // A namespaced controller: no ClusterRole from the setup chart.
    assert!(!landed.iter().any(|l| l.id.kind == "ClusterRole"));
    assert!(landed.iter().all(|l| l.cluster == IN_CLUSTER));
}

#[test]
fn flux_follows_kustomizations_and_installs_the_helm_releases_on_its_own_cluster() {
    let files = bundle("multi-tenant");
    let objs = objects(&files).unwrap();
    let layout = Layout {
        repo_dir: "out/multi-tenant",
        entry_points: vec![("bootstrap".to_string(), "cluster a".to_string())],
    };
    let landed = landings(&files, &objs, &layout);
    for o in &objs {
        assert!(
            landed.iter().any(|l| l.id == o.id),
            "{} lands nowhere",
            o.id
        );
    }
    let find = |id: &Id| landed.iter().find(|l| &l.id == id);
    let release = find(&Id::new(
        "helm.sh",
        "Release",
        "seldon-tenancy",
        "seldon-core-v2-setup",
    ))
    .expect("the setup release");
    assert_eq!(
        release.via,
        "HelmRelease flux-system/multi-tenant-seldon-core-v2-setup"
    );
    // Clusterwide: the chart's ClusterRole and the binding named after its namespace.
    assert!(
        find(&Id::new(
            "rbac.authorization.k8s.io",
            "ClusterRole",
            "",
            "seldon-v2-manager-role"
        ))
        .is_some()
    );
    assert!(
        find(&Id::new(
            "rbac.authorization.k8s.io",
            "ClusterRoleBinding",
            "",
            "seldon-v2-manager-rolebinding-seldon-tenancy"
        ))
        .is_some()
    );
    let model = landed
        .iter()
        .find(|l| l.id.kind == "Model")
        .expect("a Model lands");
    assert!(
        model
            .via
            .starts_with("Kustomization flux-system/multi-tenant-app-"),
        "{}",
        model.via
    );
    assert!(landed.iter().all(|l| l.cluster == "cluster a"));
}

#[test]
fn two_bundles_on_one_cluster_collide_on_the_crds_and_name_both_sources() {
    let a = bundle("single-team");
    let b = bundle("multi-tenant");
    let on = |files: &BTreeMap<String, String>, repo: &str| {
        let objs = objects(files).unwrap();
        landings(
            files,
            &objs,
            &Layout {
                repo_dir: repo,
                entry_points: vec![("bootstrap".to_string(), IN_CLUSTER.to_string())],
            },
        )
    };
    let sources = vec![
        ("single-team".to_string(), on(&a, "out/single-team")),
        ("multi-tenant".to_string(), on(&b, "out/multi-tenant")),
    ];
    let found = collisions(&sources);
    let ids: Vec<String> = found.iter().map(|c| c.id.to_string()).collect();
    let crds: Vec<String> = gen_fleet::landing::SELDON_CRDS
        .iter()
        .map(|p| crd(p).to_string())
        .collect();
    assert_eq!(ids, crds, "only the CRDs are shared");
    let c = &found[0];
    assert_eq!(c.first.0, "single-team");
    assert_eq!(c.first.1.via, "Application argocd/single-team-seldon-crds");
    assert_eq!(c.second.0, "multi-tenant");
    assert_eq!(
        c.second.1.via,
        "HelmRelease flux-system/multi-tenant-seldon-core-v2-crds"
    );
    // Apart, on their own clusters, nothing collides.
    let apart = vec![sources[0].clone()];
    assert!(collisions(&apart).is_empty());
}

/// `contested_in` builds only the landings a collision can be made of: exactly those of
/// `landings_in` whose object lands on its cluster more than once, whoever applies it.
#[test]
fn the_contested_landings_are_those_of_objects_landing_twice_on_one_cluster() {
    // Two bundles in one tree, both bootstrapped on the hub: they share the CRDs there.
    let mut files = BTreeMap::new();
    for name in ["single-team", "multi-tenant"] {
        for (path, text) in bundle(name) {
            files.insert(format!("{name}/{path}"), text);
        }
    }
    let objs = objects(&files).unwrap();
    let kust = gen_fleet::objects::kustomizations(&files);
    let both = Layout {
        repo_dir: "out",
        entry_points: vec![
            ("single-team/bootstrap".to_string(), IN_CLUSTER.to_string()),
            ("multi-tenant/bootstrap".to_string(), IN_CLUSTER.to_string()),
        ],
    };
    let all = gen_fleet::landings_in(&kust, &objs, &both);
    let twice = |l: &gen_fleet::Landing| {
        all.iter()
            .filter(|o| o.cluster == l.cluster && o.id == l.id)
            .count()
            > 1
    };
    let expected: Vec<_> = all.iter().filter(|l| twice(l)).cloned().collect();
    let contested = gen_fleet::contested_in(&kust, &objs, &both);
    assert_eq!(contested, expected);
    let ids: std::collections::BTreeSet<String> =
        contested.iter().map(|l| l.id.to_string()).collect();
    let crds: std::collections::BTreeSet<String> = gen_fleet::landing::SELDON_CRDS
        .iter()
        .map(|p| crd(p).to_string())
        .collect();
    assert_eq!(ids, crds, "only the CRDs land twice");
    assert_eq!(contested.len(), 2 * crds.len(), "each from both bundles");
    // Each bundle on its own cluster: nothing lands twice.
    let apart = Layout {
        repo_dir: "out",
        entry_points: vec![
            ("single-team/bootstrap".to_string(), IN_CLUSTER.to_string()),
            (
                "multi-tenant/bootstrap".to_string(),
                "cluster b".to_string(),
            ),
        ],
    };
    assert!(gen_fleet::contested_in(&kust, &objs, &apart).is_empty());
    assert!(gen_fleet::landings_in(&kust, &objs, &apart).len() > 100);
}

#[test]
fn an_application_set_makes_one_application_per_element() {
    let mut files = BTreeMap::new();
    files.insert(
        "bootstrap/kustomization.yaml".to_string(),
        "resources: [appset.yaml]\n".to_string(),
    );
    files.insert(
        "bootstrap/appset.yaml".to_string(),
        "\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - {cluster: eu, server: https://eu.example.com, env: prod}
          - {cluster: us, server: https://us.example.com/, env: prod}
  template:
    metadata: {name: 'fleet-{{.cluster}}'}
    spec:
      project: p
      source: {repoURL: r, targetRevision: main, path: 'out/fleet/{{.env}}/platform'}
      destination: {server: '{{.server}}', namespace: seldon-system}
"
        .to_string(),
    );
    files.insert(
        "prod/platform/kustomization.yaml".to_string(),
        "resources: [ns.yaml]\n".to_string(),
    );
    files.insert(
        "prod/platform/ns.yaml".to_string(),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: seldon-system}\n".to_string(),
    );
    let objs = objects(&files).unwrap();
    let landed = landings(
        &files,
        &objs,
        &Layout {
            repo_dir: "out/fleet",
            entry_points: vec![("bootstrap".to_string(), IN_CLUSTER.to_string())],
        },
    );
    let ns: Vec<(&str, &str)> = landed
        .iter()
        .filter(|l| l.id.kind == "Namespace")
        .map(|l| (l.cluster.as_str(), l.via.as_str()))
        .collect();
    assert_eq!(
        ns,
        [
            (
                "https://eu.example.com",
                "Application argocd/fleet-eu (from ApplicationSet argocd/fleet)"
            ),
            (
                "https://us.example.com",
                "Application argocd/fleet-us (from ApplicationSet argocd/fleet)"
            ),
        ]
    );
}

fn one(file: &str, yaml: &str) -> BTreeMap<String, String> {
    [(file.to_string(), yaml.to_string())].into()
}

#[test]
fn the_promotion_diff_names_added_removed_and_changed_fields() {
    let staging = objects(&one(
        "a.yaml",
        "\
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: mlserver, namespace: seldon-system}
spec:
  replicas: 1
  podSpec: {containers: [{name: mlserver, resources: {requests: {memory: 2Gi}}}, {name: agent}]}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Experiment
metadata: {name: ab, namespace: seldon-system}
spec: {default: a}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata: {name: same, namespace: seldon-system}
spec: {storageUri: gs://b/same, requirements: [sklearn]}
",
    ))
    .unwrap();
    let prod = objects(&one(
        "b.yaml",
        "\
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: mlserver, namespace: seldon-system}
spec:
  replicas: 3
  podSpec: {containers: [{name: mlserver, resources: {requests: {memory: 4Gi}}}, {name: agent}]}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata: {name: fraud, namespace: seldon-system}
spec: {storageUri: gs://b/fraud}
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata: {name: same, namespace: seldon-system}
spec: {storageUri: gs://b/same, requirements: [sklearn]}
",
    ))
    .unwrap();
    let p = diff("staging", &staging, "prod", &prod);
    let kinds: Vec<(&str, String)> = p
        .changes
        .iter()
        .map(|c| {
            let what = match c {
                Change::Added { .. } => "added",
                Change::Removed { .. } => "removed",
                Change::Changed { .. } => "changed",
            };
            (what, c.object().to_string())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("removed", "Experiment seldon-system/ab".to_string()),
            ("added", "Model seldon-system/fraud".to_string()),
            ("changed", "Server seldon-system/mlserver".to_string()),
        ]
    );
    assert_eq!(
        p.to_text(),
        "\
- Experiment seldon-system/ab  (a.yaml)
+ Model seldon-system/fraud  (b.yaml)
~ Server seldon-system/mlserver  (b.yaml)
-     spec.podSpec.containers[name=mlserver].resources.requests.memory: 2Gi
+     spec.podSpec.containers[name=mlserver].resources.requests.memory: 4Gi
-     spec.replicas: 1
+     spec.replicas: 3
promoting staging to prod: 1 changed, 1 added, 1 removed
"
    );
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["changes"][2]["change"], "changed");
    assert_eq!(json["changes"][2]["fields"][1]["path"], "spec.replicas");
    assert_eq!(json["changes"][2]["fields"][1]["from"], 1);
    assert_eq!(json["changes"][2]["fields"][1]["to"], 3);
    assert!(diff("prod", &prod, "prod", &prod).is_empty());
    assert_eq!(
        diff("prod", &prod, "prod", &prod).to_text(),
        "promoting prod to prod changes nothing\n"
    );
}
