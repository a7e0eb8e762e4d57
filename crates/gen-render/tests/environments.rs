//! Every environment's merged profile gets every check a profile gets (profile rules,
//! Seldon run-time rules, GitOps rules), and a problem that only an environment's override
//! brings is reported at the override's line, naming the environment.

mod common;

use camino::Utf8Path;
use gen_profile::{Style, parse};

/// The fleet example: the base profile and three environments.
fn fleet_text() -> String {
    std::fs::read_to_string(common::example("fleet")).unwrap()
}

fn server_replicas(bundle: &gen_render::Bundle, env: &str) -> (i64, String) {
    let text = &bundle.files[&format!("{env}/platform/server-mlserver.yaml")];
    let v: serde_json::Value = serde_saphyr::from_str(text).unwrap();
    let memory = v["spec"]["podSpec"]["containers"]
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find_map(|c| c["resources"]["requests"]["memory"].as_str())
        })
        .unwrap_or_default()
        .to_string();
    (v["spec"]["replicas"].as_i64().unwrap(), memory)
}

#[test]
fn every_environment_of_the_fleet_passes_every_check_and_takes_its_override() {
    let loaded = parse("fleet.yaml", &fleet_text()).expect("the fleet profile loads");
    let fleet = gen_render::fleet::check(loaded, Utf8Path::new("out"))
        .unwrap_or_else(|r| panic!("{}", r.render(Style::Plain)));
    let names: Vec<&str> = fleet
        .loaded
        .profile
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert_eq!(fleet.environments.len(), 3);
    let bundle = fleet.assemble().unwrap();
    // The overrides took effect in the rendered Servers: dev 1 replica, prod 3, staging
    // keeps the base profile's 2.
    assert_eq!(server_replicas(&bundle, "dev").0, 1);
    assert_eq!(server_replicas(&bundle, "staging").0, 2);
    assert_eq!(server_replicas(&bundle, "prod").0, 3);
    // A Model's storageUri overridden in dev, not in prod.
    let uri = |env: &str| {
        let text = &bundle.files[&format!("{env}/apps/pricing/model-risk-scorer.yaml")];
        let v: serde_json::Value = serde_saphyr::from_str(text).unwrap();
        v["spec"]["storageUri"].as_str().unwrap().to_string()
    };
    assert_eq!(uri("dev"), "gs://fin-models/risk-scorer/v4");
    assert_eq!(uri("prod"), "gs://fin-models/risk-scorer/v3");
    assert!(fleet.collisions().is_empty());
}

#[test]
fn a_seldon_rule_broken_by_one_override_points_at_it_and_names_the_environment() {
    // dev's Server holds 1Gi; its override gives a Model 5Gi.
    let text = fleet_text().replace(
        "risk-scorer, replicas: 1,",
        "risk-scorer, replicas: 1, memory: 5Gi,",
    );
    let line = text
        .lines()
        .position(|l| l.contains("memory: 5Gi,"))
        .expect("the override is in the example") as u64
        + 1;
    let loaded = parse("fleet.yaml", &text).unwrap();
    let report = gen_render::fleet::check(loaded, Utf8Path::new("out")).unwrap_err();
    let plain = report.render(Style::Plain);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code() == "memory-too-large")
        .unwrap_or_else(|| panic!("memory-too-large expected:\n{plain}"));
    // Only dev breaks it: staging and prod keep the base Model.
    assert!(d.message.starts_with("environment dev: "), "{plain}");
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code() == "memory-too-large")
            .count(),
        1,
        "{plain}"
    );
    // At the override's line, with the environment's declaration as a related label.
    assert_eq!(d.line(), line, "{plain}");
    assert!(
        d.related.iter().any(|r| r.label == "environment dev"),
        "{plain}"
    );
}

#[test]
fn render_reports_the_warnings_of_every_environment() {
    // A template of a kind gen has no schema for is written and warned about; in a fleet
    // every environment renders it, and each environment's warning is reported, naming it.
    let dir = tempfile::tempdir().unwrap();
    let root = camino::Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    std::fs::create_dir_all(root.join("profiles")).unwrap();
    std::fs::create_dir_all(root.join("templates/platform")).unwrap();
    let text = std::fs::read_to_string(common::example("fleet"))
        .unwrap()
        .replace(
            "environments:\n",
            "templates:\n  admit:\n    platform: [example.com/Widget]\nenvironments:\n",
        );
    std::fs::write(root.join("profiles/fleet.yaml"), text).unwrap();
    std::fs::write(
        root.join("templates/platform/widget.yaml.j2"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n",
    )
    .unwrap();
    let (_, changes, warnings) = gen_render::ops::write_profile_warning(
        &root.join("profiles/fleet.yaml"),
        &root.join("out"),
        camino::Utf8Path::new("out"),
    )
    .unwrap();
    for env in ["dev", "staging", "prod"] {
        let file = format!("{env}/platform/widget-w.yaml");
        assert!(changes.created.contains(&file), "{file}");
    }
    let warnings = warnings.expect("the template's warning");
    let found: Vec<(&str, &str)> = warnings
        .diagnostics
        .iter()
        .map(|d| (d.code(), d.message.split(':').next().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        vec![
            ("template-unknown-kind", "environment dev"),
            ("template-unknown-kind", "environment prod"),
            ("template-unknown-kind", "environment staging"),
        ]
    );
}
