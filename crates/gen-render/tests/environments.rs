//! Every environment's merged profile gets every check a profile gets (profile rules,
//! Seldon run-time rules, GitOps rules), and a problem that only an environment's override
//! brings is reported at the override's line, naming the environment.

mod common;

use gen_profile::{Loaded, Style, parse};

/// The fleet example: the base profile and three environments.
fn fleet_text() -> String {
    std::fs::read_to_string(common::root().join("tests/profiles/fleet-argocd.yaml")).unwrap()
}

fn environments(text: &str) -> (Loaded, Vec<Loaded>) {
    let base = parse("fleet.yaml", text).expect("the fleet profile loads");
    let envs = base.environments().expect("its environments merge");
    (base, envs)
}

#[test]
fn every_environment_of_the_fleet_passes_every_check() {
    let (_, envs) = environments(&fleet_text());
    let names: Vec<&str> = envs
        .iter()
        .filter_map(|e| e.environment_entry().map(|e| e.name.as_str()))
        .collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    for env in &envs {
        let d = gen_render::ops::diagnose(env);
        assert!(d.is_empty(), "{}", env.report(d).render(Style::Plain));
        assert!(gen_render::render_loaded(env).is_ok());
    }
    // The overrides took effect: prod's Server holds 4Gi on 3 replicas, dev's 1Gi on 1.
    let server = |e: &Loaded| {
        let s = &e.profile.platform.servers[0];
        (s.spec.replicas, s.memory.as_ref().map(|m| m.as_str().to_string()))
    };
    assert_eq!(server(&envs[0]), (Some(1), Some("1Gi".to_string())));
    assert_eq!(server(&envs[2]), (Some(3), Some("4Gi".to_string())));
}

#[test]
fn a_seldon_rule_broken_by_one_override_points_at_it_and_names_the_environment() {
    let text = fleet_text().replace(
        "          - {name: mlserver, replicas: 1, memory: 1Gi}",
        "          - {name: mlserver, replicas: 1, memory: 100Mi}",
    );
    let (_, envs) = environments(&text);
    let line = text
        .lines()
        .position(|l| l.contains("memory: 100Mi}"))
        .unwrap() as u64
        + 1;
    // staging and prod keep the base Server, which holds the Models.
    for env in &envs[1..] {
        assert!(gen_render::ops::diagnose(env).is_empty());
    }
    let dev = &envs[0];
    let report = dev.report(gen_render::ops::diagnose(dev));
    let text = report.render(Style::Plain);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code() == "memory-too-large")
        .unwrap_or_else(|| panic!("memory-too-large expected:\n{text}"));
    assert!(d.message.starts_with("environment dev: "), "{text}");
    // The Model's memory is the base profile's; the Server's, which it no longer fits,
    // is the override's: one of the two places is the override's line.
    let places: Vec<u64> = std::iter::once(d.line())
        .chain(d.related.iter().filter_map(|r| r.location.as_ref().map(|l| l.line)))
        .collect();
    assert!(
        places.contains(&line) || report.diagnostics.iter().any(|d| d.line() == line),
        "line {line} of the override expected among {places:?}:\n{text}"
    );
}
