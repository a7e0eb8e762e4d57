//! The structure the code promises: gen-render's modules form layers (no module imports
//! one that imports it back, directly or not), no source file of the workspace is longer
//! than 600 lines, and no library function returns `Result<_, String>`.

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};

fn workspace() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Utf8Path) -> Vec<Utf8PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| Utf8PathBuf::from_path_buf(e.into_path()).unwrap())
        .collect()
}

/// The top-level module of a file under `src/`: `gitops/flux.rs` → `gitops`.
fn top_module(src: &Utf8Path, file: &Utf8Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_str();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules each top-level module of gen-render refers to (`crate::x`).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = workspace().join("crates/gen-render/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let module = top_module(&src, &file);
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let uses = graph.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                uses.insert(name);
            }
        }
    }
    graph
}

#[test]
fn gen_render_modules_form_layers() {
    let graph = module_graph();
    assert!(graph.len() > 10, "found the modules: {graph:?}");
    // Depth-first search for a cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == m).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut state, &mut Vec::new()) {
            panic!(
                "gen-render modules import each other: {}",
                cycle.join(" -> ")
            );
        }
    }
    // The leaves stay leaves: the stages below the plan do not know the engines.
    for low in [
        "folder", "objects", "settings", "manifest", "repo", "plan", "expand",
    ] {
        let uses = graph.get(low).cloned().unwrap_or_default();
        assert!(!uses.contains("gitops"), "{low} imports gitops: {uses:?}");
    }
}

#[test]
fn no_source_file_is_longer_than_600_lines() {
    let mut long = Vec::new();
    for file in rust_files(&workspace().join("crates")) {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        if lines > 600 {
            long.push(format!("{file}: {lines} lines"));
        }
    }
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

#[test]
fn no_library_function_returns_a_string_error() {
    let mut found = Vec::new();
    for file in rust_files(&workspace().join("crates")) {
        let in_library = file.as_str().contains("/src/") && !file.as_str().contains("gen-cli");
        if !in_library {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(", String>") && line.contains("Result<") {
                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "use an error type:\n{}", found.join("\n"));
}
