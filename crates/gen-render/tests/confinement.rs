//! Applications that share a namespace, confined to their own objects, as the rendered
//! bundles say it: each owner Role and each Flux application account names only its
//! application's objects for what RBAC can limit by name; Flux applies each such
//! application with an account of its own; each Argo CD project role lets an application's
//! owner groups view and sync only that application's Argo CD Application. Bundles: the
//! examples and the test profiles (pattern shared with Argo CD and Flux; a dedicated tenant
//! with `isolateApplications` and one without).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use common::*;

const SELDON_APP_RESOURCES: [(&str, &str); 3] = [
    ("Experiment", "experiments"),
    ("Model", "models"),
    ("Pipeline", "pipelines"),
];

fn part_of(o: &Value) -> &str {
    o["metadata"]["labels"]["app.kubernetes.io/part-of"]
        .as_str()
        .unwrap_or("")
}

fn ns(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// Whether `role` lets its subjects `verb` the Seldon `resource` named `name` (`None`: a
/// request without a name: create, list, watch), as the RBAC authorizer matches rules.
fn role_allows(role: &Value, verb: &str, resource: &str, name: Option<&str>) -> bool {
    role["rules"].as_array().unwrap().iter().any(|r| {
        let names = strings(&r["resourceNames"]);
        strings(&r["apiGroups"]).contains(&"mlops.seldon.io")
            && strings(&r["resources"]).contains(&resource)
            && strings(&r["verbs"]).contains(&verb)
            && (names.is_empty() || name.is_some_and(|n| names.contains(&n)))
    })
}

/// A bundle's name, its objects by path, and the namespaces a policy confines.
type Rendered = (String, Vec<(String, Value)>, BTreeSet<String>);

/// Every rendered bundle, with the namespaces where a policy confines applications.
fn bundles() -> Vec<Rendered> {
    EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
        .map(|p| {
            let bundle = gen_render::render_profile(&p).unwrap();
            let objs = objects(&bundle);
            let confined = objs
                .iter()
                .filter(|(_, o)| o["kind"] == "ValidatingAdmissionPolicy")
                .map(|(_, o)| {
                    o["spec"]["matchConstraints"]["namespaceSelector"]["matchLabels"]
                        ["kubernetes.io/metadata.name"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            (bundle.name.clone(), objs, confined)
        })
        .collect()
}

#[test]
fn confinement_is_where_the_profiles_ask_for_it() {
    let by_name: BTreeMap<String, BTreeSet<String>> =
        bundles().into_iter().map(|(n, _, c)| (n, c)).collect();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(by_name["single-team"], set(&["seldon-system"]));
    assert_eq!(by_name["shared-flux"], set(&["seldon-system"]));
    assert_eq!(by_name["dedicated-argocd"], set(&["fraud-inference"]));
    assert_eq!(by_name["multi-tenant"], set(&[]));
}

#[test]
fn each_owner_role_names_only_its_applications_objects() {
    let mut checked = 0;
    for (bundle, objs, confined) in bundles() {
        let seldon: Vec<&Value> = objs
            .iter()
            .map(|(_, o)| o)
            .filter(|o| SELDON_APP_RESOURCES.iter().any(|(k, _)| o["kind"] == *k))
            .collect();
        for (path, role) in objs.iter().filter(|(_, o)| o["kind"] == "Role") {
            let name = role["metadata"]["name"].as_str().unwrap();
            let app = part_of(role);
            let owners = name == format!("app-{app}-owners");
            let flux = name == format!("flux-app-{app}");
            if !owners && !flux {
                continue;
            }
            let here: Vec<&&Value> = seldon.iter().filter(|o| ns(o) == ns(role)).collect();
            if !confined.contains(ns(role)) {
                // Not confined: namespace-wide, as before (a tenant's own business).
                assert!(owners && !flux, "{bundle}: {path}");
                for (_, resource) in SELDON_APP_RESOURCES {
                    assert!(
                        role_allows(role, "delete", resource, None),
                        "{bundle}: {path}"
                    );
                }
                continue;
            }
            checked += 1;
            // What RBAC limits by name: never another application's object.
            let limited: &[&str] = if owners {
                &["delete", "get", "patch", "update"]
            } else {
                &["patch", "update"]
            };
            for o in &here {
                let resource = SELDON_APP_RESOURCES
                    .iter()
                    .find(|(k, _)| o["kind"] == *k)
                    .unwrap()
                    .1;
                let object = o["metadata"]["name"].as_str();
                for verb in limited {
                    assert_eq!(
                        role_allows(role, verb, resource, object),
                        part_of(o) == app,
                        "{bundle}: {path} {verb} {resource} {object:?} of {}",
                        part_of(o)
                    );
                }
                // Creation is unnamed (the admission policy decides it).
                assert!(
                    role_allows(role, "create", resource, None),
                    "{bundle}: {path}"
                );
            }
            // No unnamed rule grants what the names limit.
            for (_, resource) in SELDON_APP_RESOURCES {
                for verb in limited {
                    assert!(
                        !role_allows(role, verb, resource, None),
                        "{bundle}: {path} {verb} {resource} unnamed"
                    );
                }
            }
            // The application has objects here, and they are its own.
            assert!(here.iter().any(|o| part_of(o) == app), "{bundle}: {path}");
        }
    }
    // Two owner Roles and (with Flux) two account Roles per confined namespace.
    assert!(checked >= 8, "{checked}");
}

#[test]
fn flux_applies_each_confined_application_with_its_own_account() {
    let (bundle, objs, confined) = bundles()
        .into_iter()
        .find(|(n, _, _)| n == "shared-flux")
        .unwrap();
    let mut apps = 0;
    for (path, k) in objs.iter().filter(|(p, o)| {
        o["kind"] == "Kustomization" && p.starts_with("flux/") && {
            let spec_path = o["spec"]["path"].as_str().unwrap_or("");
            spec_path.contains("/apps/")
        }
    }) {
        let app = k["spec"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        let sa = k["spec"]["serviceAccountName"].as_str().unwrap();
        assert_eq!(sa, format!("{bundle}-app-{app}"), "{path}");
        // Bound once: by its application's Role in the confined namespace.
        let bindings: Vec<&Value> = objs
            .iter()
            .map(|(_, o)| o)
            .filter(|o| o["kind"] == "RoleBinding" || o["kind"] == "ClusterRoleBinding")
            .filter(|b| {
                b["subjects"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["name"] == sa))
            })
            .collect();
        assert_eq!(bindings.len(), 1, "{path}: {bindings:?}");
        assert_eq!(
            bindings[0]["roleRef"]["name"],
            format!("flux-app-{app}").as_str()
        );
        assert!(confined.contains(ns(bindings[0])), "{path}");
        apps += 1;
    }
    assert_eq!(apps, 2);
}

#[test]
fn argo_cd_project_roles_let_owner_groups_view_and_sync_only_their_application() {
    let mut roles: BTreeMap<String, usize> = BTreeMap::new();
    for (bundle, objs, _) in bundles() {
        let applications: BTreeMap<&str, &Value> = objs
            .iter()
            .filter(|(_, o)| o["kind"] == "Application")
            .map(|(_, o)| (o["metadata"]["name"].as_str().unwrap(), o))
            .collect();
        for (path, project) in objs.iter().filter(|(_, o)| o["kind"] == "AppProject") {
            let pname = project["metadata"]["name"].as_str().unwrap();
            for role in project["spec"]["roles"].as_array().into_iter().flatten() {
                let rname = role["name"].as_str().unwrap();
                let app = rname.strip_prefix("app-").unwrap();
                let argo_app = format!("{bundle}-app-{app}");
                let expected: Vec<String> = ["get", "sync"]
                    .iter()
                    .map(|a| {
                        format!(
                            "p, proj:{pname}:{rname}, applications, {a}, {pname}/{argo_app}, allow"
                        )
                    })
                    .collect();
                assert_eq!(strings(&role["policies"]), expected, "{path}");
                // That Application is in this project and applies the application's folder.
                let a = applications[argo_app.as_str()];
                assert_eq!(a["spec"]["project"], pname, "{path}");
                assert!(
                    a["spec"]["source"]["path"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("apps/{app}")),
                    "{path}"
                );
                // The groups are the application's group owners, as its owner RoleBinding
                // binds them.
                let groups: BTreeSet<&str> = objs
                    .iter()
                    .map(|(_, o)| o)
                    .filter(|o| {
                        o["kind"] == "RoleBinding"
                            && o["metadata"]["name"] == format!("app-{app}-owners").as_str()
                    })
                    .flat_map(|b| b["subjects"].as_array().unwrap())
                    .filter(|s| s["kind"] == "Group")
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                let listed: BTreeSet<&str> = strings(&role["groups"]).into_iter().collect();
                assert_eq!(listed, groups, "{path}");
                assert!(!listed.is_empty());
                *roles.entry(bundle.clone()).or_default() += 1;
            }
        }
    }
    // single-team: two; dedicated-argocd: fraud-detection and fraud-reporting.
    assert_eq!(roles.get("single-team"), Some(&2), "{roles:?}");
    assert_eq!(roles.get("dedicated-argocd"), Some(&2), "{roles:?}");
}

#[test]
fn the_bundle_readme_states_the_kubernetes_version_and_every_share() {
    for p in EXAMPLES
        .iter()
        .map(|n| example(n))
        .chain(TEST_PROFILES.iter().map(|n| test_profile(n)))
    {
        let bundle = gen_render::render_profile(&p).unwrap();
        let readme = &bundle.files["README.md"];
        let objs = objects(&bundle);
        let policies = objs
            .iter()
            .filter(|(_, o)| o["kind"] == "ValidatingAdmissionPolicy")
            .count();
        assert_eq!(
            readme.contains("**Kubernetes 1.30 or later**"),
            policies > 0,
            "{}",
            bundle.name
        );
        let mut shares = 0;
        for (_, o) in &objs {
            let Some(with) = o["metadata"]["annotations"]["seldon.gen.io/shared-with"].as_str()
            else {
                continue;
            };
            let with: Vec<String> = with.split(',').map(|w| format!("`{w}`")).collect();
            let row = format!(
                "| {} `{}` | `{}` | {} |",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap(),
                part_of(o),
                with.join(", ")
            );
            assert!(readme.contains(&row), "{}: {row}", bundle.name);
            shares += 1;
        }
        if bundle.name == "single-team" || bundle.name == "dedicated-argocd" {
            assert_eq!(shares, 1, "{}", bundle.name);
        }
    }
}
