//! The fleet layer, followed the way the engines apply it (gen_fleet::landings): Argo CD's
//! ApplicationSet on the hub makes one root per cluster, each applying its environment's
//! bundle to that cluster's API server; Flux's `clusters/<cluster>/` applies its
//! environment's bootstrap on its own cluster. Two environments on one cluster are refused.

mod common;

use camino::Utf8Path;
use gen_fleet::{IN_CLUSTER, Id, Landing};
use gen_profile::{Style, parse};
use gen_render::fleet::Fleet;
use serde_json::Value;

fn fleet(text: &str) -> (Fleet, gen_render::Bundle) {
    let loaded = parse("fleet.yaml", text).unwrap();
    gen_render::fleet::render(loaded, Utf8Path::new("out"))
        .unwrap_or_else(|r| panic!("{}", r.render(Style::Plain)))
}

fn text(path: &Utf8Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn landings(fleet: &Fleet, bundle: &gen_render::Bundle) -> Vec<Landing> {
    let objects = gen_fleet::objects(&bundle.files).unwrap();
    gen_fleet::landings(&bundle.files, &objects, &fleet.layout())
}

fn value(bundle: &gen_render::Bundle, file: &str) -> Value {
    serde_saphyr::from_str(&bundle.files[file]).unwrap()
}

const SERVERS: &[(&str, &str, &str)] = &[
    ("dev", "dev", "https://dev.k8s.example.com:6443"),
    ("staging", "staging", "https://staging.k8s.example.com:6443"),
    ("prod", "prod-eu", "https://prod-eu.k8s.example.com:6443"),
    ("prod", "prod-us", "https://prod-us.k8s.example.com:6443"),
];

#[test]
fn argo_cd_applies_each_environment_to_each_of_its_clusters_from_one_application_set() {
    let (fleet, bundle) = fleet(&text(&common::example("fleet")));
    let landed = landings(&fleet, &bundle);
    let on = |server: &str, id: &Id| landed.iter().find(|l| l.cluster == server && &l.id == id);
    let model = Id::new("mlops.seldon.io", "Model", "seldon-system", "risk-scorer");
    let server = Id::new("mlops.seldon.io", "Server", "seldon-system", "mlserver");
    let crd = Id::new(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "",
        "models.mlops.seldon.io",
    );
    for (env, cluster, url) in SERVERS {
        // The Model comes from the environment's own folder, through the cluster's own
        // Application, which the ApplicationSet's root for that cluster applies.
        let l = on(url, &model).unwrap_or_else(|| panic!("no Model on {url}"));
        assert_eq!(l.file, format!("{env}/apps/pricing/model-risk-scorer.yaml"));
        assert_eq!(
            l.via,
            format!("Application argocd/fleet-{cluster}-app-pricing")
        );
        let app = on(
            IN_CLUSTER,
            &Id::new(
                "argoproj.io",
                "Application",
                "argocd",
                &format!("fleet-{cluster}-app-pricing"),
            ),
        )
        .unwrap_or_else(|| panic!("no Application for {cluster} on the hub"));
        assert_eq!(
            app.via,
            format!("Application argocd/fleet-{cluster}-root (from ApplicationSet argocd/fleet)")
        );
        assert_eq!(
            on(url, &crd).map(|l| l.via.clone()),
            Some(format!("Application argocd/fleet-{cluster}-seldon-crds"))
        );
        assert!(on(url, &server).is_some());
    }
    // Nothing but the Argo CD objects lands on the hub, and nothing lands elsewhere.
    let urls: Vec<&str> = SERVERS.iter().map(|s| s.2).collect();
    for l in &landed {
        if l.cluster == IN_CLUSTER {
            assert_eq!(l.id.group, "argoproj.io", "{l:?}");
        } else {
            assert!(urls.contains(&l.cluster.as_str()), "{l:?}");
        }
    }
    // The root of each cluster reads its environment's revision: prod a tag.
    let set = value(&bundle, "bootstrap/applicationset-fleet.yaml");
    let elements = set["spec"]["generators"][0]["list"]["elements"]
        .as_array()
        .unwrap();
    let revision = |c: &str| {
        elements
            .iter()
            .find(|e| e["cluster"] == c)
            .map(|e| e["revision"].as_str().unwrap().to_string())
    };
    assert_eq!(revision("prod-us").as_deref(), Some("refs/tags/v1.4.0"));
    assert_eq!(revision("dev").as_deref(), Some("main"));
}

/// Argo CD refuses to sync an Application whose destination its project does not admit:
/// every Application of the fleet names a project of the fleet that admits exactly its
/// destination, and a cluster's projects admit that cluster only.
#[test]
fn argo_cd_projects_are_scoped_to_their_environment_and_cluster() {
    let (fleet, bundle) = fleet(&text(&common::example("fleet")));
    let objects = gen_fleet::objects(&bundle.files).unwrap();
    let projects: std::collections::BTreeMap<&str, &Value> = objects
        .iter()
        .filter(|o| o.id.kind == "AppProject")
        .map(|o| (o.id.name.as_str(), &o.value))
        .collect();
    let mut checked = 0;
    for o in objects.iter().filter(|o| o.id.kind == "Application") {
        let spec = &o.value["spec"];
        let project = projects[spec["project"].as_str().unwrap()];
        let admitted = project["spec"]["destinations"].as_array().unwrap();
        assert!(
            admitted
                .iter()
                .any(|d| d["server"] == spec["destination"]["server"]
                    && d["namespace"] == spec["destination"]["namespace"]),
            "{}: destination not admitted by its project",
            o.file
        );
        let (env, cluster, url) = SERVERS
            .iter()
            .find(|(env, c, _)| o.file.starts_with(&format!("{env}/argocd/{c}/")))
            .unwrap_or_else(|| panic!("{} outside a cluster folder", o.file));
        assert_eq!(spec["destination"]["server"], *url, "{}", o.file);
        assert!(
            spec["source"]["path"]
                .as_str()
                .is_none_or(|p| p.starts_with(&format!("out/fleet/{env}/"))),
            "{}",
            o.file
        );
        for d in admitted {
            assert_eq!(d["server"], *url, "project of {cluster} admits {d}");
        }
        checked += 1;
    }
    assert!(checked >= 4 * 4, "only {checked} Applications");
    let _ = fleet;
}

#[test]
fn flux_applies_each_environment_from_the_folder_of_each_cluster() {
    let (fleet, bundle) = fleet(&text(&common::test_profile("fleet-flux")));
    let landed = landings(&fleet, &bundle);
    let server = Id::new("mlops.seldon.io", "Server", "seldon-system", "mlserver");
    for (env, cluster, _) in SERVERS {
        let identity = format!("cluster {cluster}");
        let here: Vec<&Landing> = landed.iter().filter(|l| l.cluster == identity).collect();
        let s = here
            .iter()
            .find(|l| l.id == server)
            .unwrap_or_else(|| panic!("no Server on {cluster}"));
        assert_eq!(s.file, format!("{env}/platform/server-mlserver.yaml"));
        // Everything a cluster gets is its own environment's.
        assert!(
            here.iter().all(|l| l.file.starts_with(&format!("{env}/"))),
            "{cluster} gets another environment's object"
        );
        // And the CRDs, through the environment's HelmRelease.
        assert!(
            here.iter()
                .any(|l| l.id.kind == "CustomResourceDefinition"
                    && l.via.starts_with("HelmRelease "))
        );
        assert_eq!(
            bundle.files[&format!("clusters/{cluster}/kustomization.yaml")]
                .lines()
                .last(),
            Some(format!("- ../../{env}/bootstrap").as_str())
        );
    }
    let replicas = |env: &str| {
        value(&bundle, &format!("{env}/platform/server-mlserver.yaml"))["spec"]["replicas"].as_i64()
    };
    assert_eq!(replicas("prod"), Some(3));
    assert_eq!(replicas("dev"), Some(1));
}

/// dev and staging on one API server: both would install the Seldon CRDs there.
#[test]
fn two_environments_on_one_cluster_are_refused_naming_both() {
    let text = text(&common::example("fleet")).replace(
        "server: https://staging.k8s.example.com:6443",
        "server: https://dev.k8s.example.com:6443",
    );
    let loaded = parse("fleet.yaml", &text).unwrap();
    let report = gen_render::fleet::render(loaded, Utf8Path::new("out")).unwrap_err();
    let plain = report.render(Style::Plain);
    let d: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code() == "fleet-collision")
        .collect();
    assert_eq!(d.len(), 1, "{plain}");
    let d = d[0];
    assert!(
        d.message.starts_with(
            "environments dev and staging put CustomResourceDefinition experiments.mlops.seldon.io and "
        ),
        "{plain}"
    );
    assert!(
        d.message.contains(" more objects on the same cluster https://dev.k8s.example.com:6443: dev through Application argocd/fleet-dev-seldon-crds (dev/argocd/dev/application-fleet-dev-seldon-crds.yaml); staging through Application argocd/fleet-staging-seldon-crds (staging/argocd/staging/application-fleet-staging-seldon-crds.yaml)"),
        "{plain}"
    );
    assert_eq!(d.path, "environments[1].clusters[0].server");
    // staging's server, the second occurrence of dev's.
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("server: https://dev.k8s.example.com:6443"))
        .nth(1)
        .unwrap()
        .0 as u64
        + 1;
    assert_eq!(d.line(), line, "{plain}");
    assert!(
        d.related
            .iter()
            .any(|r| r.label == "dev applies it here too")
    );
}

#[test]
fn two_clusters_of_one_environment_on_one_server_are_refused() {
    let text = text(&common::example("fleet")).replace(
        "server: https://prod-us.k8s.example.com:6443",
        "server: https://prod-eu.k8s.example.com:6443",
    );
    let report =
        gen_render::fleet::render(parse("fleet.yaml", &text).unwrap(), Utf8Path::new("out"))
            .unwrap_err();
    let plain = report.render(Style::Plain);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code() == "fleet-collision"
                && d.message
                    .starts_with("two clusters of environment prod put ")
                && d.path == "environments[2].clusters[1].server"),
        "{plain}"
    );
    // Different servers, same Flux cluster name is refused by the profile rules instead;
    // two Flux clusters given one server collide the same way.
    let flux = self::text(&common::test_profile("fleet-flux")).replace(
        "      - name: staging\n",
        "      - name: staging\n        server: https://dev.example:6443\n",
    );
    let flux = flux.replacen(
        "      - name: dev\n",
        "      - name: dev\n        server: https://dev.example:6443\n",
        1,
    );
    let report =
        gen_render::fleet::render(parse("fleet.yaml", &flux).unwrap(), Utf8Path::new("out"))
            .unwrap_err();
    let plain = report.render(Style::Plain);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code() == "fleet-collision"
                && d.message.starts_with("environments dev and staging put ")),
        "{plain}"
    );
}

/// `gen diff --from staging --to prod`: each object that differs, with the fields that
/// differ (staging's value, then prod's); the engine folders, which differ by path and
/// cluster names only, are left out.
#[test]
fn the_promotion_diff_lists_what_differs_object_by_object() {
    let (fleet, bundle) = fleet(&text(&common::example("fleet")));
    let p = fleet.promotion(&bundle, "staging", "prod").unwrap();
    let text = p.to_text();
    assert!(
        text.contains(
            "~ Model seldon-system/risk-scorer  (apps/pricing/model-risk-scorer.yaml)\n-     spec.storageUri: gs://fin-models/risk-scorer/v4\n+     spec.storageUri: gs://fin-models/risk-scorer/v3\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("-     spec.replicas: 2\n+     spec.replicas: 3\n"),
        "{text}"
    );
    // prod denies egress: its policies are added.
    assert!(
        text.contains("+ NetworkPolicy seldon-system/default-deny-egress  (platform/networkpolicy-default-deny-egress.yaml)\n"),
        "{text}"
    );
    assert!(
        !text.contains("argoproj.io") && !text.contains("Application"),
        "{text}"
    );
    assert!(
        text.ends_with("promoting staging to prod: 2 changed, 8 added, 0 removed\n"),
        "{text}"
    );
    // The same as JSON, for bots.
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["from"], "staging");
    assert_eq!(json["changes"][0]["change"], "changed");
    assert_eq!(json["changes"][0]["object"]["kind"], "Model");
    // An environment compared with itself changes nothing; an unknown one is named.
    assert!(fleet.promotion(&bundle, "prod", "prod").unwrap().is_empty());
    let e = fleet.promotion(&bundle, "qa", "prod").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the profile has no environment \"qa\" (its environments: dev, staging, prod)"
    );
}

#[test]
fn two_profiles_fleets_on_one_cluster_are_refused_naming_both() {
    // A second profile whose prod-eu is the first profile's dev cluster: both would install
    // Seldon's CRDs and controller there.
    let dir = tempfile::tempdir().unwrap();
    let root = camino::Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    let a = root.join("fleet.yaml");
    let b = root.join("fleet-b.yaml");
    let base = text(&common::example("fleet"));
    std::fs::write(&a, &base).unwrap();
    let apart = |t: &str| {
        t.replace("name: fleet\n", "name: fleet-b\n")
            .replace("dev.k8s", "dev-b.k8s")
            .replace("staging.k8s", "staging-b.k8s")
            .replace("prod-us.k8s", "prod-us-b.k8s")
    };
    let other = apart(&base).replace(
        "server: https://prod-eu.k8s.example.com:6443",
        "server: https://dev.k8s.example.com:6443",
    );
    std::fs::write(&b, other).unwrap();
    let paths = [a.clone(), b.clone()];
    let found = gen_render::fleet::across(&paths, Utf8Path::new("out"));
    assert_eq!(found.len(), 1, "{found:?}");
    let (path, report) = &found[0];
    assert_eq!(path, &b);
    let d = &report.diagnostics[0];
    assert_eq!(d.code(), "fleet-collision");
    assert!(
        d.message.starts_with(
            "profiles fleet and fleet-b put CustomResourceDefinition experiments.mlops.seldon.io and "
        ),
        "{}",
        d.message
    );
    assert!(
        d.message.ends_with(" more objects on the same cluster https://dev.k8s.example.com:6443: fleet/dev through Application argocd/fleet-dev-seldon-crds (dev/argocd/dev/application-fleet-dev-seldon-crds.yaml); fleet-b/prod through Application argocd/fleet-b-prod-eu-seldon-crds (prod/argocd/prod-eu/application-fleet-b-prod-eu-seldon-crds.yaml)"),
        "{}",
        d.message
    );
    // fleet-b's prod-eu server, where the report points.
    assert_eq!(d.path, "environments[2].clusters[0].server");
    assert_eq!(report.file, b.as_str());
    // On clusters of their own, two fleets do not collide (nor on the Argo CD hub, where
    // both put their bootstrap objects under their own names).
    std::fs::write(&b, apart(&base).replace("prod-eu.k8s", "prod-eu-b.k8s")).unwrap();
    assert!(gen_render::fleet::across(&paths, Utf8Path::new("out")).is_empty());
    // A profile without environments is not compared.
    std::fs::write(&b, text(&common::example("single-team"))).unwrap();
    assert!(gen_render::fleet::across(&paths, Utf8Path::new("out")).is_empty());
}

/// The collision check follows the engines over the plans' typed objects, without reading
/// rendered text back: it must see the objects, kustomizations and engine objects the
/// rendered files hold, and so land every object where following the files lands it.
#[test]
fn the_collision_check_over_the_plans_lands_what_the_rendered_fleet_lands() {
    let examples = [
        text(&common::example("fleet")),
        text(&common::test_profile("fleet-flux")),
    ];
    for example in examples {
        let (fleet, bundle) = fleet(&example);
        let index = fleet.index().unwrap_or_else(|d| panic!("{}", d.message));
        let read_back = gen_fleet::objects(&bundle.files).unwrap();
        let ids = |objects: &[gen_fleet::Object]| -> std::collections::BTreeSet<(String, Id)> {
            objects
                .iter()
                .map(|o| (o.file.clone(), o.id.clone()))
                .collect()
        };
        assert_eq!(ids(&index.objects), ids(&read_back));
        assert_eq!(index.objects.len(), read_back.len());
        let mut appliers = 0;
        for o in &index.objects {
            if gen_fleet::is_applier(&o.id.group, &o.id.kind) {
                let r = read_back.iter().find(|r| r.file == o.file).unwrap();
                assert_eq!(o.value, r.value, "{}", o.file);
                appliers += 1;
            } else if ["dev/", "staging/", "prod/"]
                .iter()
                .any(|e| o.file.starts_with(e))
            {
                // An environment's other objects are known by file and identity alone
                // (the fleet layer's few files are read back whole).
                assert!(o.value.is_null(), "{}: content not needed", o.file);
            }
        }
        assert!(appliers > 0);
        assert_eq!(
            index.kustomizations,
            gen_fleet::objects::kustomizations(&bundle.files)
        );
        let typed = gen_fleet::landings_in(&index.kustomizations, &index.objects, &fleet.layout());
        assert!(
            typed.len() > read_back.len(),
            "every cluster gets its objects"
        );
        assert_eq!(typed, landings(&fleet, &bundle));
    }
}

/// `gen render` of a fleet streams it to disk environment by environment: the files are
/// those of the fleet rendered in memory, a second render changes nothing, and a fleet
/// refused for a collision leaves the previous one as it was.
#[test]
fn a_fleet_is_written_as_it_renders_and_a_refused_one_changes_nothing() {
    use gen_render::ops::WriteFailure;
    let dir = tempfile::tempdir().unwrap();
    let out = camino::Utf8PathBuf::from_path_buf(dir.path().join("out")).unwrap();
    let example = text(&common::example("fleet"));
    let profile = camino::Utf8PathBuf::from_path_buf(dir.path().join("fleet.yaml")).unwrap();
    let write = |t: &str| {
        std::fs::write(&profile, t).unwrap();
        gen_render::ops::write_profile_in(&profile, &out, Utf8Path::new("out"))
    };
    let (name, changes) = write(&example).unwrap_or_else(|_| panic!("the fleet writes"));
    let (_, bundle) = fleet(&example);
    assert_eq!(name, "fleet");
    assert_eq!(changes.created.len(), bundle.files.len());
    assert!(
        gen_render::write::compare(&out, &bundle)
            .unwrap()
            .is_clean()
    );
    let (_, again) = write(&example).unwrap_or_else(|_| panic!("the fleet writes again"));
    assert!(again.is_clean() && again.unchanged == bundle.files.len());
    // A fleet whose prod moved to another revision, but whose staging is dev's cluster.
    let refused = example
        .replace("refs/tags/v1.4.0", "refs/tags/v1.5.0")
        .replace(
            "server: https://staging.k8s.example.com:6443",
            "server: https://dev.k8s.example.com:6443",
        );
    match write(&refused) {
        Err(WriteFailure::Profile(report)) => assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.code() == "fleet-collision"),
            "{}",
            report.render(Style::Plain)
        ),
        Err(WriteFailure::Io { error, .. }) => panic!("{error}"),
        Ok(_) => panic!("a colliding fleet was written"),
    }
    let after = gen_render::write::compare(&out, &bundle).unwrap();
    assert!(after.is_clean() && after.foreign.is_empty(), "{after:?}");
}
