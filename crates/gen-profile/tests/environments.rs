//! Environments: the merge of each override into the base profile (maps by key, named
//! lists by name, `remove: true`, everything else replaced), and diagnostics that point at
//! the override's line and name the environment.

use gen_profile::{Failure, Loaded, Report, Style, check, parse};

/// A base profile and its environments; `ENVS` is appended to it. Line numbers in the
/// assertions below count from the first line of `BASE`.
const BASE: &str = "\
name: fleet
pattern: shared
platform:
  namespace: seldon-system
  servers:
    - {name: mlserver, serverConfig: mlserver, replicas: 1, memory: 2Gi}
    - {name: burst, serverConfig: mlserver, replicas: 1}
security:
  clientNamespaces: [ingress-nginx]
  monitoringNamespace: monitoring
gitops:
  engine: argocd
  repoURL: https://git.example.com/fleet.git
  revision: main
applications:
  - name: pricing
    owners: [group:pricing]
    models:
      - {name: price, storageUri: gs://b/price/v1, requirements: [sklearn], memory: 100Ki}
      - {name: risk, storageUri: gs://b/risk/v1, requirements: [xgboost], memory: 1Mi}
  - name: signals
    owners: [group:signals]
    models:
      - {name: sentiment, storageUri: s3://m/sentiment, requirements: [sklearn]}
";

fn load(envs: &str) -> Loaded {
    let text = format!("{BASE}{envs}");
    match parse("fleet.yaml", &text) {
        Ok(l) => l,
        Err(r) => panic!("the profile should load:\n{}", r.render(Style::Plain)),
    }
}

/// The environments of the profile: those made when it was loaded (from the same
/// parse), which must be what merging it again makes.
fn merged(envs: &str) -> Result<Vec<Loaded>, Report> {
    let mut l = load(envs);
    let again = l.environments();
    let copy = l.clone();
    let made = l.take_environments();
    assert_eq!(format!("{made:?}"), format!("{again:?}"));
    // A copy does not carry them, nor does a second take: both merge again.
    assert_eq!(format!("{:?}", l.take_environments()), format!("{again:?}"));
    assert_eq!(format!("{:?}", copy.environments()), format!("{again:?}"));
    made
}

fn environments(envs: &str) -> Vec<Loaded> {
    match merged(envs) {
        Ok(v) => v,
        Err(r) => panic!("the environments should merge:\n{}", r.render(Style::Plain)),
    }
}

fn merge_failure(envs: &str) -> Report {
    match merged(envs) {
        Ok(_) => panic!("the environments should not merge"),
        Err(r) => r,
    }
}

fn model_names(l: &Loaded, app: usize) -> Vec<&str> {
    l.profile.applications[app]
        .models
        .iter()
        .map(|m| m.name.as_str())
        .collect()
}

#[test]
fn a_profile_without_environments_has_none() {
    let l = load("");
    assert!(l.profile.environments.is_empty());
    assert!(l.environments().expect("nothing to merge").is_empty());
}

#[test]
fn an_environment_without_override_is_the_base_profile() {
    let envs = environments("environments:\n  - name: dev\n    clusters: [{name: dev-1}]\n");
    assert_eq!(envs.len(), 1);
    let dev = &envs[0];
    assert_eq!(dev.environment, Some(0));
    assert_eq!(
        dev.environment_entry().map(|e| e.name.as_str()),
        Some("dev")
    );
    assert_eq!(model_names(dev, 0), ["price", "risk"]);
    assert_eq!(dev.profile.gitops.revision.as_deref(), Some("main"));
    assert_eq!(
        dev.profile.environments[0].clusters[0].server(),
        "https://kubernetes.default.svc"
    );
}

#[test]
fn mappings_merge_key_by_key_and_values_replace() {
    let envs = environments(
        "\
environments:
  - name: prod
    clusters: [{name: prod-eu, server: https://prod-eu.example.com:6443}]
    override:
      security:
        denyEgress: true
        clientNamespaces: [payments]
      gitops:
        revision: refs/tags/v1.2.0
",
    );
    let prod = &envs[0].profile;
    // Scalars replace, other keys of the mapping stay.
    assert!(prod.security.deny_egress);
    assert_eq!(
        prod.security.monitoring_namespace.as_deref(),
        Some("monitoring")
    );
    assert_eq!(prod.gitops.revision.as_deref(), Some("refs/tags/v1.2.0"));
    assert_eq!(
        prod.gitops.repo_url.as_deref(),
        Some("https://git.example.com/fleet.git")
    );
    // A list of values replaces the base list.
    assert_eq!(prod.security.client_namespaces, ["payments"]);
}

#[test]
fn named_lists_merge_by_name_keep_order_and_add_at_the_end() {
    let envs = environments(
        "\
environments:
  - name: prod
    clusters: [{name: prod-eu}]
    override:
      platform:
        servers:
          - {name: mlserver, replicas: 3}
      applications:
        - name: pricing
          models:
            - {name: risk, replicas: 2, storageUri: gs://b/risk/v2}
            - {name: fraud, storageUri: gs://b/fraud/v1, requirements: [sklearn]}
        - name: alerts
          models:
            - {name: alert, storageUri: gs://b/alert/v1}
",
    );
    let prod = &envs[0];
    let servers = &prod.profile.platform.servers;
    assert_eq!(servers.len(), 2);
    assert_eq!(servers[0].name, "mlserver");
    assert_eq!(servers[0].spec.replicas, Some(3));
    // Keys the override does not give stay as the base has them.
    assert_eq!(servers[0].memory.as_ref().map(|q| q.as_str()), Some("2Gi"));
    assert_eq!(servers[0].spec.server_config, "mlserver");
    assert_eq!(servers[1].name, "burst");
    assert_eq!(model_names(prod, 0), ["price", "risk", "fraud"]);
    let risk = &prod.profile.applications[0].models[1].spec;
    assert_eq!(risk.replicas, Some(2));
    assert_eq!(risk.storage_uri, "gs://b/risk/v2");
    assert_eq!(risk.requirements, ["xgboost"]);
    let apps: Vec<&str> = prod
        .profile
        .applications
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(apps, ["pricing", "signals", "alerts"]);
    assert_eq!(prod.profile.applications[0].owners, ["group:pricing"]);
}

#[test]
fn remove_true_drops_the_entry_in_that_environment_only() {
    let envs = environments(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
    override:
      applications:
        - {name: signals, remove: true}
        - name: pricing
          models:
            - {name: price, remove: true}
  - name: prod
    clusters: [{name: prod-1}]
",
    );
    let (dev, prod) = (&envs[0], &envs[1]);
    assert_eq!(dev.profile.applications.len(), 1);
    assert_eq!(model_names(dev, 0), ["risk"]);
    assert_eq!(prod.profile.applications.len(), 2);
    assert_eq!(model_names(prod, 0), ["price", "risk"]);
}

/// The first diagnostic of `report`, drawn, with its code, line and column.
fn first(report: &Report) -> (String, u64, u64, String) {
    let d = report.diagnostics.first().expect("a diagnostic");
    (
        d.code().to_string(),
        d.line(),
        d.column(),
        report.render(Style::Plain),
    )
}

#[test]
fn removing_a_name_the_base_lacks_is_refused_with_a_suggestion() {
    let r = merge_failure(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
    override:
      applications:
        - {name: signal, remove: true}
",
    );
    assert_eq!(r.failure, Failure::Input);
    let (code, line, column, text) = first(&r);
    assert_eq!(code, "override-entry");
    assert_eq!((line, column), (30, 18), "{text}");
    let d = &r.diagnostics[0];
    assert_eq!(
        d.message,
        "environment dev: `remove: true` drops \"signal\", but the base profile has no entry of that name here, so nothing would be removed"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `signals`?"));
    // The environment is named where it is declared.
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].label, "environment dev");
    assert_eq!(d.related[0].location.as_ref().map(|l| l.line), Some(26));
}

#[test]
fn a_removed_entry_holds_nothing_else() {
    let r = merge_failure(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
    override:
      applications:
        - {name: signals, remove: true, owners: [group:x]}
",
    );
    let (code, line, column, text) = first(&r);
    assert_eq!(code, "override-entry");
    assert_eq!((line, column), (30, 49), "{text}");
    assert!(
        r.diagnostics[0].message.ends_with(
            "the entry \"signals\" is removed (`remove: true`), so its `owners` would be ignored"
        ),
        "{text}"
    );
}

#[test]
fn an_entry_without_a_name_is_refused() {
    let r = merge_failure(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
    override:
      platform:
        servers:
          - {replicas: 2}
",
    );
    let (code, line, _, text) = first(&r);
    assert_eq!(code, "override-entry");
    assert_eq!(line, 31, "{text}");
    assert!(text.contains("has no `name`"), "{text}");
}

#[test]
fn a_misspelt_name_adds_an_incomplete_entry_which_is_refused_with_a_suggestion() {
    let r = merge_failure(
        "\
environments:
  - name: staging
    clusters: [{name: staging-1}]
    override:
      applications:
        - name: pricing
          models:
            - {name: rsik, replicas: 2}
",
    );
    let (code, line, column, text) = first(&r);
    assert_eq!(code, "override-incomplete");
    // At the name of the entry in the override.
    assert_eq!((line, column), (32, 22), "{text}");
    let d = &r.diagnostics[0];
    assert!(
        d.message.starts_with(
            "environment staging: \"rsik\" is not an entry of the base profile, so the override adds it as a new entry (applications[0].models[2]), which is not whole: missing field `storageUri`"
        ),
        "{text}"
    );
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `risk`?")),
        "{text}"
    );
}

#[test]
fn every_environment_is_merged_and_all_problems_come_at_once() {
    let r = merge_failure(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
    override:
      applications:
        - {name: nope, remove: true}
  - name: prod
    clusters: [{name: prod-1}]
    override:
      platform:
        servers:
          - {name: mlservr, replicas: 3}
",
    );
    let codes: Vec<(&str, u64)> = r.diagnostics.iter().map(|d| (d.code(), d.line())).collect();
    assert_eq!(
        codes,
        [("override-entry", 30), ("override-incomplete", 36)],
        "{}",
        r.render(Style::Plain)
    );
    assert!(r.diagnostics[0].message.starts_with("environment dev: "));
    assert!(r.diagnostics[1].message.starts_with("environment prod: "));
}

#[test]
fn unknown_and_fixed_keys_in_an_override_are_unknown_keys_at_their_line() {
    let text = format!(
        "{BASE}\
environments:
  - name: prod
    clusters: [{{name: prod-1}}]
    override:
      name: other
      gitops:
        engine: flux
      applications:
        - name: pricing
          modles: []
"
    );
    let r = match parse("fleet.yaml", &text) {
        Ok(_) => panic!("an override with unknown keys should not load"),
        Err(r) => r,
    };
    let found: Vec<(&str, u64, &str)> = r
        .diagnostics
        .iter()
        .map(|d| (d.code(), d.line(), d.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("unknown-key", 29, "environments[0].override.name"),
            ("unknown-key", 31, "environments[0].override.gitops.engine"),
            (
                "unknown-key",
                34,
                "environments[0].override.applications[0].modles"
            ),
        ],
        "{}",
        r.render(Style::Plain)
    );
    assert_eq!(
        r.diagnostics[2].help.as_deref(),
        Some("did you mean `models`?")
    );
}

#[test]
fn a_rule_broken_by_an_override_points_at_the_override_and_names_the_environment() {
    let envs = environments(
        "\
environments:
  - name: dev
    clusters: [{name: dev-1}]
  - name: prod
    clusters: [{name: prod-1}]
    override:
      applications:
        - name: pricing
          owners: [team-pricing]
",
    );
    let (dev, prod) = (&envs[0], &envs[1]);
    assert!(check::check(&dev.profile).is_empty());
    let report = prod.report(check::check(&prod.profile));
    let d = &report.diagnostics[0];
    assert_eq!(d.code(), "invalid-owner");
    assert_eq!(d.path, "applications[0].owners[0]");
    assert_eq!((d.line(), d.column()), (33, 20));
    assert_eq!(
        d.message,
        "environment prod: owner \"team-pricing\" is not group:NAME or user:NAME"
    );
    let text = report.render(Style::Plain);
    assert!(text.contains("--> fleet.yaml:33:20"), "{text}");
    assert!(text.contains("environment prod"), "{text}");
}

#[test]
fn a_problem_of_the_base_profile_is_reported_once_for_every_environment() {
    let text = format!(
        "{}environments:\n  - name: dev\n    clusters: [{{name: dev-1}}]\n  - name: prod\n    clusters: [{{name: prod-1}}]\n    override:\n      applications:\n        - name: signals\n          owners: [bad-too]\n",
        BASE.replace("owners: [group:pricing]", "owners: [pricing]")
    );
    let base = parse("fleet.yaml", &text).expect("loads");
    let envs = base.environments().expect("merges");
    let per_env = envs.iter().map(|e| (e, check::check(&e.profile))).collect();
    let report = base.report_environments(per_env, check::check_environments(&base.profile));
    let found: Vec<(&str, u64)> = report
        .diagnostics
        .iter()
        .map(|d| (d.message.as_str(), d.line()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "every environment: owner \"pricing\" is not group:NAME or user:NAME",
                17
            ),
            (
                "environment prod: owner \"bad-too\" is not group:NAME or user:NAME",
                33
            ),
        ]
    );
    assert!(report.diagnostics[0].related.is_empty());
    assert_eq!(report.diagnostics[1].related[0].label, "environment prod");
}

#[test]
fn environment_and_cluster_names_and_servers_are_checked_once() {
    let l = load(
        "\
environments:
  - name: flux
    clusters: []
  - name: prod
    clusters:
      - {name: prod-eu, server: \"https://prod-eu.example.com/\"}
      - {name: prod-eu, server: http://prod-us.example.com}
  - name: prod
    clusters: [{name: Prod_US}]
",
    );
    let found: Vec<(&str, String)> = check::check_environments(&l.profile)
        .into_iter()
        .map(|d| (d.code(), d.path))
        .collect();
    let expect = [
        ("environment-name", "environments[0].name"),
        ("environment-clusters", "environments[0].clusters"),
        ("cluster-server", "environments[1].clusters[0].server"),
        ("cluster-server", "environments[1].clusters[1].server"),
        ("invalid-name", "environments[2].clusters[0].name"),
        ("duplicate-name", "environments[2].name"),
        ("duplicate-name", "environments[1].clusters[1].name"),
    ];
    let expect: Vec<(&str, String)> = expect.iter().map(|(c, p)| (*c, p.to_string())).collect();
    assert_eq!(found, expect);
    // The checks of each deployment do not repeat them.
    assert!(check::check(&l.profile).is_empty());
}

#[test]
fn the_json_schema_takes_overrides_as_partial_profiles() {
    let schema = gen_profile::schema::profile_schema_value();
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    let yaml = |text: &str| -> serde_json::Value {
        serde_saphyr::from_str(&format!("{BASE}{text}")).expect("YAML")
    };
    let good = yaml(
        "\
environments:
  - name: prod
    clusters: [{name: prod-eu, server: https://prod-eu.example.com:6443}]
    override:
      gitops: {revision: refs/tags/v1}
      applications:
        - name: pricing
          models:
            - {name: risk, replicas: 2}
            - {name: price, remove: true}
",
    );
    let errors: Vec<String> = validator
        .iter_errors(&good)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for bad in [
        "    override: {name: other}\n",
        "    override: {pattern: dedicated}\n",
        "    override: {gitops: {engine: flux}}\n",
        "    override: {applications: [{owners: [group:x]}]}\n",
        "    override: {applications: [{name: pricing, remove: false}]}\n",
    ] {
        let doc = yaml(&format!(
            "environments:\n  - name: prod\n    clusters: [{{name: prod-eu}}]\n{bad}"
        ));
        assert!(!validator.is_valid(&doc), "the schema should refuse {bad}");
    }
}
