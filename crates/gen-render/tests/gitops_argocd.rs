//! Argo CD, checked by its own rules over the rendered objects: every object an
//! Application's path builds is admitted by its AppProject, syncs retry and wait for
//! foreign CRDs, projects come first and go last, cascade deletion removes Models while
//! their controller and scheduler still run, CRDs are never pruned.
//!
//! Kinds, their scope and plural are read from the rendered objects and looked up in
//! k8s-openapi (built-in kinds) and the upstream CRDs under ../shared/reference.

mod common;
mod engines;

use serde_json::{Value, json};

use common::*;
use engines::*;

#[test]
fn argocd_projects_admit_every_object_of_their_applications() {
    let mut checked = 0;
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let projects = by_name(&objs, "AppProject");
        for (path, app) in objs.iter().filter(|(_, o)| o["kind"] == "Application") {
            let spec = &app["spec"];
            let project_name = spec["project"].as_str().unwrap();
            assert_ne!(project_name, "default", "{path}: the default project");
            let project = projects
                .get(project_name)
                .unwrap_or_else(|| panic!("{path}: project {project_name} is not rendered"));
            let dest = &spec["destination"];
            let (server, dest_ns) = (
                dest["server"].as_str().unwrap(),
                dest["namespace"].as_str().unwrap(),
            );
            assert!(
                destination_permitted(project, server, dest_ns),
                "{path}: destination {dest_ns} not permitted in project {project_name}"
            );
            assert!(
                source_permitted(project, spec["source"]["repoURL"].as_str().unwrap()),
                "{path}: source not permitted in project {project_name}"
            );
            let built = match spec["source"]["path"].as_str() {
                Some(repo_path) => build(
                    &bundle,
                    &folder_of(&bundle, &format!("out/{}", bundle.name), repo_path),
                ),
                None => chart_objects(spec),
            };
            assert!(!built.is_empty(), "{path}: builds nothing");
            for o in built {
                let kind_info = info(&o);
                let api_version = o["apiVersion"].as_str().unwrap();
                let (group, kind) = (group_of(api_version), o["kind"].as_str().unwrap());
                let name = o["metadata"]["name"].as_str().unwrap();
                assert!(
                    kind_permitted(project, group, kind, name, kind_info.namespaced),
                    "{}: resource {group}:{kind} is not permitted in project {project_name} (Application {path})",
                    bundle.name
                );
                if kind_info.namespaced {
                    let ns = o["metadata"]["namespace"].as_str().unwrap_or(dest_ns);
                    assert!(
                        destination_permitted(project, server, ns),
                        "{}: namespace {ns} is not permitted in project '{project_name}' ({kind} {name})",
                        bundle.name
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} objects checked");
}

#[test]
fn kind_permitted_follows_argo_cd() {
    // The cases of argo-cd's TestAppProject_IsGroupKindPermitted that gen can meet.
    let p = |spec: Value| json!({ "spec": spec });
    let deny_all = p(json!({"namespaceResourceWhitelist": []}));
    assert!(!kind_permitted(&deny_all, "apps", "Deployment", "x", true));
    let open = p(json!({}));
    assert!(kind_permitted(&open, "apps", "Deployment", "x", true));
    assert!(!kind_permitted(&open, "", "Namespace", "x", false));
    let listed = p(
        json!({"namespaceResourceWhitelist": [{"group": "apps", "kind": "ReplicaSet"}],
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "team1-*"}]}),
    );
    assert!(kind_permitted(&listed, "apps", "ReplicaSet", "x", true));
    assert!(!kind_permitted(&listed, "apps", "Deployment", "x", true));
    assert!(kind_permitted(&listed, "", "Namespace", "team1-a", false));
    assert!(!kind_permitted(&listed, "", "Namespace", "other", false));
}

#[test]
fn argocd_applications_retry_and_wait_for_foreign_crds() {
    for bundle in engine_bundles("argocd") {
        for (path, app) in objects(&bundle)
            .iter()
            .filter(|(_, o)| o["kind"] == "Application")
        {
            let policy = &app["spec"]["syncPolicy"];
            let retry = &policy["retry"];
            let limit = retry["limit"].as_i64().unwrap();
            assert!(!(0..5).contains(&limit), "{path}: retry limit {limit}");
            assert!(retry["backoff"]["duration"].is_string(), "{path}");
            assert!(retry["backoff"]["maxDuration"].is_string(), "{path}");
            assert!(retry["backoff"]["factor"].as_i64().unwrap() >= 1, "{path}");
            let options: Vec<&str> = policy["syncOptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_str().unwrap())
                .collect();
            // Custom resources whose CRDs this Application does not bring: the Seldon kinds
            // anywhere but in the CRDs chart (the setup chart's SeldonConfig and
            // ServerConfigs, the folders' Seldon objects).
            let source = &app["spec"]["source"];
            let foreign = match source["path"].as_str() {
                Some(p) => {
                    let folder = folder_of(&bundle, &format!("out/{}", bundle.name), p);
                    build(&bundle, &folder)
                        .iter()
                        .any(|o| group_of(o["apiVersion"].as_str().unwrap()) == "mlops.seldon.io")
                }
                None => source["chart"] == "seldon-core-v2-setup",
            };
            assert_eq!(
                options.contains(&"SkipDryRunOnMissingResource=true"),
                foreign,
                "{path}: {options:?}"
            );
        }
    }
}

#[test]
fn argocd_projects_come_first_and_go_last() {
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let projects = by_name(&objs, "AppProject");
        let in_folder = |prefix: &str| -> Vec<&Value> {
            objs.iter()
                .filter(|(p, _)| p.starts_with(prefix))
                .map(|(_, o)| o)
                .collect()
        };
        for p in projects.values() {
            assert_eq!(
                p["metadata"]["finalizers"],
                json!(["resources-finalizer.argocd.argoproj.io"]),
                "{}: a project stays while an Application uses it",
                bundle.name
            );
        }
        // The root's children: every Application in a later wave than its project, so the
        // project is synced before it and deleted after it.
        for app in in_folder("argocd/")
            .into_iter()
            .filter(|o| o["kind"] == "Application")
        {
            let project = projects[app["spec"]["project"].as_str().unwrap()];
            assert!(
                wave(project) < wave(app),
                "{}: {} in wave {} but its project in wave {}",
                bundle.name,
                app["metadata"]["name"],
                wave(app),
                wave(project)
            );
        }
        // The root Application (in a fleet, the ApplicationSet that makes each cluster's
        // root): in its own project, applied with it by hand, which admits only
        // Applications and AppProjects in the Argo CD namespace.
        let root: Vec<&Value> = in_folder("bootstrap/")
            .into_iter()
            .filter(|o| o["kind"] == "Application" || o["kind"] == "ApplicationSet")
            .collect();
        assert_eq!(root.len(), 1, "{}", bundle.name);
        let root_spec = match root[0]["kind"].as_str() {
            Some("ApplicationSet") => &root[0]["spec"]["template"]["spec"],
            _ => &root[0]["spec"],
        };
        let bootstrap = in_folder("bootstrap/")
            .into_iter()
            .find(|o| o["kind"] == "AppProject")
            .unwrap();
        assert_eq!(root_spec["project"], bootstrap["metadata"]["name"]);
        assert_eq!(
            bootstrap["spec"]["namespaceResourceWhitelist"],
            json!([{"group": "argoproj.io", "kind": "AppProject"}, {"group": "argoproj.io", "kind": "Application"}])
        );
        assert_eq!(bootstrap["spec"]["clusterResourceWhitelist"], json!([]));
    }
}

#[test]
fn argocd_teardown_deletes_models_before_their_controller_and_scheduler() {
    for bundle in engine_bundles("argocd") {
        let order = deletion_order(&bundle);
        let position = |what: &str| {
            order
                .iter()
                .position(|(_, kinds)| kinds.iter().any(|k| k.contains(what)))
                .unwrap_or_else(|| panic!("{}: no {what}", bundle.name))
        };
        let last_model = order
            .iter()
            .rposition(|(_, kinds)| kinds.contains("Model"))
            .unwrap();
        assert!(last_model < position("SeldonRuntime"), "{order:?}");
        assert!(
            position("SeldonRuntime") < position("seldon-core-v2-setup"),
            "{order:?}"
        );
        assert!(
            position("seldon-core-v2-setup") < position("AppProject"),
            "{order:?}"
        );
        // Models and runtimes are never deleted in the same wave.
        assert!(
            order
                .iter()
                .all(|(_, k)| !(k.contains("Model") && k.contains("SeldonRuntime")))
        );
    }
}

#[test]
fn argocd_never_prunes_crds() {
    for bundle in engine_bundles("argocd") {
        let objs = objects(&bundle);
        let crds = objs
            .iter()
            .find(|(_, o)| o["spec"]["source"]["chart"] == "seldon-core-v2-crds")
            .unwrap();
        assert_eq!(crds.1["spec"]["syncPolicy"]["automated"]["prune"], false);
    }
}
