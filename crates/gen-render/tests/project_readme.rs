//! The project README is documentation users follow from a fresh clone: its profile
//! reference loads, every repository file it names exists, and its table of the built-in
//! ServerConfigs says what gen's catalog says.

mod common;

use common::root;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The fenced code blocks of `text` with their language.
fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

#[test]
fn the_profile_reference_loads() {
    let profiles: Vec<String> = code_blocks(&readme())
        .into_iter()
        .filter(|(lang, body)| {
            lang == "yaml" && body.starts_with("# yaml-language-server: $schema=")
        })
        .map(|(_, body)| body)
        .collect();
    assert_eq!(profiles.len(), 1, "one profile reference in the README");
    match gen_profile::parse("README.md", &profiles[0]) {
        Ok(loaded) => {
            assert_eq!(loaded.profile.name, "single-team");
            assert!(!loaded.profile.applications[0].models.is_empty());
        }
        Err(report) => panic!(
            "the README's profile does not load:\n{}",
            report.render(gen_profile::Style::Plain)
        ),
    }
}

#[test]
fn every_repository_path_it_names_exists() {
    let root = root();
    let top: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "target")
        .collect();
    let text = readme();
    let mut candidates: Vec<String> = Vec::new();
    // Link targets: [text](path).
    for part in text.split("](").skip(1) {
        if let Some(end) = part.find(')') {
            candidates.push(part[..end].to_string());
        }
    }
    // Inline code that starts with a top-level entry of the repository.
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 && !part.contains(char::is_whitespace) {
            candidates.push(part.to_string());
        }
    }
    let mut checked = 0;
    let mut missing = Vec::new();
    for c in candidates {
        if c.starts_with("http") || c.starts_with('#') || c.contains(['<', '…', '*', '{', '$']) {
            continue;
        }
        let path = c.trim_end_matches('/');
        // Placeholders such as profiles/NAME.yaml.
        let placeholder = path.split('/').any(|seg| {
            let stem = seg.split('.').next().unwrap_or("");
            !stem.is_empty() && stem.chars().all(|ch| ch.is_ascii_uppercase())
        });
        if placeholder {
            continue;
        }
        let first = path.split('/').next().unwrap_or("");
        if !top.iter().any(|t| t == first)
            || (!path.contains('/') && !top.iter().any(|t| t == path))
        {
            continue;
        }
        if !root.join(path).exists() {
            missing.push(c);
        }
        checked += 1;
    }
    assert!(
        missing.is_empty(),
        "README names paths that do not exist: {missing:?}"
    );
    assert!(checked >= 20, "only {checked} paths checked");
}

#[test]
fn the_built_in_server_config_table_matches_the_catalog() {
    let text = readme();
    for config in gen_seldon::catalog::upstream_server_configs() {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", config.name)))
            .unwrap_or_else(|| panic!("no README row for ServerConfig {}", config.name));
        let listed: Vec<&str> = row
            .split('|')
            .nth(2)
            .unwrap()
            .split(',')
            .map(str::trim)
            .collect();
        let mut catalog: Vec<&str> = config.capabilities.iter().map(String::as_str).collect();
        let mut readme = listed.clone();
        catalog.sort();
        readme.sort();
        assert_eq!(readme, catalog, "capabilities of {}", config.name);
    }
}

#[test]
fn the_rule_list_is_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules -->\n")
        .expect("README has a rule list")
        + 15;
    let end = readme
        .find("<!-- /rules -->")
        .expect("README's rule list ends");
    let list = gen_render::rules::markdown();
    // GEN_BLESS=1 rewrites the list (after adding a rule); the check itself never passes
    // a stale list.
    if std::env::var_os("GEN_BLESS").is_some() && readme[start..end] != list {
        let fresh = format!("{}{list}{}", &readme[..start], &readme[end..]);
        std::fs::write(root().join("README.md"), fresh).unwrap();
        panic!("README's rule list was stale and is rewritten: run the test again");
    }
    assert_eq!(
        &readme[start..end],
        list,
        "README's rule list is stale: run GEN_BLESS=1 cargo test -p gen-render --test project_readme"
    );
}

#[test]
fn every_rule_has_a_unique_code_and_an_explanation() {
    let rules = gen_render::rules::all();
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    codes.sort();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "a code is used by two rules");
    for r in rules {
        assert!(
            r.explanation.contains("Fix:") && r.summary.len() > 10,
            "{}: an explanation ends with the fix",
            r.code
        );
        assert_eq!(
            gen_render::rules::find(r.code).map(|f| f.code),
            Some(r.code)
        );
    }
}

#[test]
fn the_refused_layout_example_is_what_gen_prints() {
    // The README shows what gen says to "models in an app namespace, scheduler elsewhere"
    // for a `team.yaml` of a user's own; this is that profile.
    let team = "name: team\npattern: shared\nplatform:\n  namespace: seldon-system\n  servers: [{name: mlserver, serverConfig: mlserver, replicas: 1}]\napplications:\n  - name: financial-prediction\n    owners: [group:financial-ml]\n    namespace: financial-inference\n    models:\n      - {name: price-predictor, storageUri: \"gs://fin-models/price-predictor/v1\", requirements: [sklearn]}\n";
    let loaded = gen_profile::parse("team.yaml", team).unwrap();
    let report = gen_render::render_loaded(&loaded).unwrap_err();
    let shown = code_blocks(&readme())
        .into_iter()
        .find(|(lang, text)| lang == "text" && text.starts_with("error[application-namespace]"))
        .expect("the README shows the refusal")
        .1;
    assert_eq!(shown, report.render(gen_profile::Style::Plain));
}
