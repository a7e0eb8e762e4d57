//! `gen graph`: the bundle as a Mermaid flowchart or a Graphviz DOT graph. Namespaces are
//! groups holding the runtime, the Servers and one group per application; edges show
//! pipeline steps, experiment candidates and mirrors, pinned Servers, explainer targets,
//! and the GitOps order of the layers.

use std::fmt::Write as _;

use gen_profile::Profile;

use crate::folder::Layer;
use crate::manifest::Manifest;
use crate::plan::Plan;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Runtime,
    Server,
    Model,
    Pipeline,
    Experiment,
    Step,
}

struct Node {
    id: String,
    label: String,
    shape: Shape,
}

struct Group {
    id: String,
    label: String,
    nodes: Vec<Node>,
    groups: Vec<Group>,
}

struct Edge {
    from: String,
    to: String,
    label: Option<String>,
    dashed: bool,
}

fn id(parts: &[&str]) -> String {
    parts
        .join("__")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn object_id(kind: &str, ns: &str, name: &str) -> String {
    id(&[kind, ns, name])
}

/// Build the graph of a plan.
fn build(profile: &Profile, plan: &Plan) -> (Vec<Group>, Vec<Edge>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut edges = Vec::new();
    for folder in &plan.folders {
        if folder.layer == Layer::GitOps {
            continue;
        }
        let ns = folder.namespace.as_str();
        let gid = id(&["ns", ns]);
        if !groups.iter().any(|g| g.id == gid) {
            groups.push(Group {
                id: gid.clone(),
                label: format!("namespace {ns}"),
                nodes: Vec::new(),
                groups: Vec::new(),
            });
        }
        let group = groups.iter_mut().find(|g| g.id == gid).expect("just added");
        if folder.layer == Layer::Platform {
            group.nodes.push(Node {
                id: "controller".into(),
                label: "Seldon controller, SeldonConfig, ServerConfigs".into(),
                shape: Shape::Step,
            });
        }
        let mut app = Group {
            id: id(&["app", &folder.owner]),
            label: format!("application {}", folder.owner),
            nodes: Vec::new(),
            groups: Vec::new(),
        };
        for o in folder.objects(profile, plan.engine) {
            match o.as_ref() {
                Manifest::SeldonRuntime(r) => {
                    let me = object_id("runtime", ns, r.name());
                    // The fact everything rests on: the controller dials the scheduler in
                    // the namespace of each object.
                    edges.push(Edge {
                        from: "controller".into(),
                        to: me.clone(),
                        label: Some(format!("seldon-scheduler.{ns}:9004")),
                        dashed: false,
                    });
                    group.nodes.push(Node {
                        id: me,
                        label: format!("SeldonRuntime {}", r.name()),
                        shape: Shape::Runtime,
                    })
                }
                Manifest::Server(s) => {
                    let replicas = s.spec.replicas.unwrap_or(1);
                    group.nodes.push(Node {
                        id: object_id("server", ns, s.name()),
                        label: format!(
                            "Server {} ({} x{replicas})",
                            s.name(),
                            s.spec.server_config
                        ),
                        shape: Shape::Server,
                    })
                }
                Manifest::Model(m) => {
                    let me = object_id("model", ns, m.name());
                    app.nodes.push(Node {
                        id: me.clone(),
                        label: format!("Model {}", m.name()),
                        shape: Shape::Model,
                    });
                    if let Some(server) = &m.spec.server {
                        edges.push(Edge {
                            from: me.clone(),
                            to: object_id("server", ns, server),
                            label: Some("pinned".into()),
                            dashed: true,
                        });
                    }
                    if let Some(target) = m
                        .spec
                        .explainer
                        .as_ref()
                        .and_then(|e| e.model_ref.as_deref())
                    {
                        edges.push(Edge {
                            from: me.clone(),
                            to: object_id("model", ns, target),
                            label: Some("explains".into()),
                            dashed: true,
                        });
                    }
                }
                Manifest::Pipeline(p) => {
                    let me = object_id("pipeline", ns, p.name());
                    app.nodes.push(Node {
                        id: me.clone(),
                        label: format!("Pipeline {}", p.name()),
                        shape: Shape::Pipeline,
                    });
                    for (i, step) in p.spec.steps.iter().enumerate() {
                        let step_id = id(&["step", ns, p.name(), &step.name]);
                        app.nodes.push(Node {
                            id: step_id.clone(),
                            label: format!("{}. {}", i + 1, step.name),
                            shape: Shape::Step,
                        });
                        if step.inputs.is_empty() {
                            edges.push(Edge {
                                from: me.clone(),
                                to: step_id.clone(),
                                label: None,
                                dashed: false,
                            });
                        }
                        for input in &step.inputs {
                            let head = input.split('.').next().unwrap_or("");
                            let from = if head == p.name() {
                                me.clone()
                            } else {
                                id(&["step", ns, p.name(), head])
                            };
                            edges.push(Edge {
                                from,
                                to: step_id.clone(),
                                label: None,
                                dashed: false,
                            });
                        }
                        edges.push(Edge {
                            from: step_id,
                            to: object_id("model", ns, &step.name),
                            label: Some("runs".into()),
                            dashed: true,
                        });
                    }
                }
                Manifest::Experiment(x) => {
                    let me = object_id("experiment", ns, x.name());
                    app.nodes.push(Node {
                        id: me.clone(),
                        label: format!("Experiment {}", x.name()),
                        shape: Shape::Experiment,
                    });
                    let kind = match x.spec.resource_type.unwrap_or_default() {
                        gen_seldon::kinds::ResourceType::Model => "model",
                        gen_seldon::kinds::ResourceType::Pipeline => "pipeline",
                    };
                    let total: u64 = x.spec.candidates.iter().map(|c| u64::from(c.weight)).sum();
                    for c in &x.spec.candidates {
                        let share = (u64::from(c.weight) * 100).checked_div(total).unwrap_or(0);
                        let default = if x.spec.default.as_deref() == Some(c.name.as_str()) {
                            " default"
                        } else {
                            ""
                        };
                        edges.push(Edge {
                            from: me.clone(),
                            to: object_id(kind, ns, &c.name),
                            label: Some(format!("{share}%{default}")),
                            dashed: false,
                        });
                    }
                    if let Some(m) = &x.spec.mirror {
                        edges.push(Edge {
                            from: me.clone(),
                            to: object_id(kind, ns, &m.name),
                            label: Some(format!("mirror {}%", m.percent)),
                            dashed: true,
                        });
                    }
                }
                _ => {}
            }
        }
        if !app.nodes.is_empty() {
            group.groups.push(app);
        }
    }
    if let Some(order) = plan.engine.order() {
        let (how, steps) = (order.mechanism, order.steps);
        let nodes: Vec<Node> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| Node {
                id: id(&["order", &i.to_string()]),
                label: (*s).to_string(),
                shape: Shape::Step,
            })
            .collect();
        for pair in nodes.windows(2) {
            edges.push(Edge {
                from: pair[0].id.clone(),
                to: pair[1].id.clone(),
                label: None,
                dashed: false,
            });
        }
        groups.push(Group {
            id: "gitops_order".into(),
            label: format!("GitOps order ({how})"),
            nodes,
            groups: Vec::new(),
        });
    }
    (groups, edges)
}

/// Render the graph of `plan` in `format`. Text, LF, trailing newline.
pub fn render(profile: &Profile, plan: &Plan, format: GraphFormat) -> String {
    let (groups, edges) = build(profile, plan);
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            fn group(out: &mut String, g: &Group, depth: usize) {
                let pad = "  ".repeat(depth);
                let _ = writeln!(out, "{pad}subgraph {}[\"{}\"]", g.id, g.label);
                for n in &g.nodes {
                    let label = n.label.replace('"', "'");
                    let shape = match n.shape {
                        Shape::Runtime => format!("{{{{\"{label}\"}}}}"),
                        Shape::Server => format!("[(\"{label}\")]"),
                        Shape::Model => format!("(\"{label}\")"),
                        Shape::Pipeline => format!("[[\"{label}\"]]"),
                        Shape::Experiment => format!("{{\"{label}\"}}"),
                        Shape::Step => format!("[\"{label}\"]"),
                    };
                    let _ = writeln!(out, "{pad}  {}{shape}", n.id);
                }
                for sub in &g.groups {
                    group(out, sub, depth + 1);
                }
                let _ = writeln!(out, "{pad}end");
            }
            for g in &groups {
                group(&mut out, g, 1);
            }
            for e in &edges {
                let arrow = if e.dashed { "-.->" } else { "-->" };
                match &e.label {
                    Some(l) => {
                        let _ = writeln!(out, "  {} {arrow}|\"{l}\"| {}", e.from, e.to);
                    }
                    None => {
                        let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
                    }
                }
            }
        }
        GraphFormat::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{", profile.name);
            out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
            fn group(out: &mut String, g: &Group, depth: usize) {
                let pad = "  ".repeat(depth);
                let _ = writeln!(out, "{pad}subgraph \"cluster_{}\" {{", g.id);
                let _ = writeln!(out, "{pad}  label=\"{}\";", g.label);
                for n in &g.nodes {
                    let shape = match n.shape {
                        Shape::Runtime => "hexagon",
                        Shape::Server => "cylinder",
                        Shape::Model => "ellipse",
                        Shape::Pipeline => "box3d",
                        Shape::Experiment => "diamond",
                        Shape::Step => "box",
                    };
                    let _ = writeln!(
                        out,
                        "{pad}  \"{}\" [label=\"{}\", shape={shape}];",
                        n.id,
                        n.label.replace('"', "'")
                    );
                }
                for sub in &g.groups {
                    group(out, sub, depth + 1);
                }
                let _ = writeln!(out, "{pad}}}");
            }
            for g in &groups {
                group(&mut out, g, 1);
            }
            for e in &edges {
                let mut attrs = Vec::new();
                if let Some(l) = &e.label {
                    attrs.push(format!("label=\"{l}\""));
                }
                if e.dashed {
                    attrs.push("style=dashed".to_string());
                }
                let attrs = if attrs.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", attrs.join(", "))
                };
                let _ = writeln!(out, "  \"{}\" -> \"{}\"{attrs};", e.from, e.to);
            }
            out.push_str("}\n");
        }
    }
    out
}
