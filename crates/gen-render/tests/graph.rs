//! `gen graph`: both formats are well formed, every edge joins declared nodes, the edges
//! say what the bundle does, and the README embeds the current graphs.

mod common;

use std::collections::BTreeSet;

use common::*;
use gen_render::graph::GraphFormat;
use gen_render::ops::graph_profile;

#[test]
fn mermaid_edges_join_declared_nodes_and_show_the_bundle() {
    let text = graph_profile(&example("single-team"), GraphFormat::Mermaid, None).unwrap();
    assert!(text.starts_with("flowchart LR\n"));
    let opens = text
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let closes = text.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opens, closes);
    let declared: BTreeSet<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("subgraph") && *l != "end" && !l.contains("--"))
        .filter_map(|l| l.split(['[', '(', '{']).next())
        .collect();
    for l in text.lines().filter(|l| l.contains("--")) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        assert!(declared.contains(parts[0]), "{l}");
        assert!(declared.contains(parts.last().unwrap()), "{l}");
    }
    for edge in [
        "  controller -->|\"seldon-scheduler.seldon-system:9004\"| runtime__seldon_system__seldon\n",
        "  experiment__seldon_system__price_ab -->|\"50% default\"| model__seldon_system__price_predictor\n",
        "  step__seldon_system__fin_pipeline__price_predictor --> step__seldon_system__fin_pipeline__risk_scorer\n",
        "  step__seldon_system__fin_pipeline__risk_scorer -.->|\"runs\"| model__seldon_system__risk_scorer\n",
        "  order__1 --> order__2\n",
    ] {
        assert!(text.contains(edge), "missing {edge:?} in\n{text}");
    }
    assert!(text.contains("subgraph app__market_signals[\"application market-signals\"]"));
}

#[test]
fn dot_is_balanced_and_shows_pins_and_explainers() {
    let text = graph_profile(&example("multi-tenant"), GraphFormat::Dot, None).unwrap();
    assert!(text.starts_with("digraph \"multi-tenant\" {\n") && text.ends_with("}\n"));
    assert_eq!(text.matches('{').count(), text.matches('}').count());
    assert!(text.contains("\"model__vision_inference__label_mapper\" -> \"server__vision_inference__mlserver\" [label=\"pinned\", style=dashed];"));
    assert!(text.contains("\"model__fraud_inference__fraud_explainer\" -> \"model__fraud_inference__transaction_classifier\" [label=\"explains\", style=dashed];"));
    assert!(text.contains("subgraph \"cluster_gitops_order\""));
    assert!(text.contains("label=\"GitOps order (Flux dependsOn)\";"));
}

#[test]
fn readme_embeds_the_current_graphs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in EXAMPLES {
        let graph = graph_profile(&example(name), GraphFormat::Mermaid, None).unwrap();
        let block =
            format!("<!-- graph:{name} -->\n```mermaid\n{graph}```\n<!-- /graph:{name} -->\n");
        assert!(
            readme.contains(&block),
            "README.md: the graph of {name} is stale; paste `gen graph -p {name}`"
        );
    }
}
