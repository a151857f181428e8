//! `ipt-trainer graph`: the conversation as a graph, for Graphviz (DOT) or
//! Mermaid. Nodes are labelled with the client's line, edges with the option
//! and its move kind; endings are marked and unreachable nodes shaded.

use crate::core::model::{Outcome, Scenario};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// The ids reachable from the start (ignoring conditions).
pub fn reachable(s: &Scenario) -> HashSet<String> {
    let index: HashMap<&str, usize> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut queue = VecDeque::from([s.start_id()]);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(&i) = index.get(id) {
            queue.extend(s.nodes[i].options.iter().map(|o| o.next.as_str()));
        }
    }
    seen.into_iter().map(str::to_string).collect()
}

fn short(text: &str, max: usize) -> String {
    let mut t: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        t.push('…');
    }
    t
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid labels are quoted; quotes inside become `#quot;`.
fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}

/// A stable identifier for Mermaid (ids may contain hyphens).
fn mid(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("n_{clean}")
}

pub fn render(s: &Scenario, format: GraphFormat) -> String {
    let reach = reachable(s);
    let mut o = String::new();
    let line = |n: &crate::core::model::Node| {
        n.client
            .last()
            .map(|l| short(&l.text, 60))
            .unwrap_or_default()
    };
    let outcome = |e: Outcome| match e {
        Outcome::Good => "good",
        Outcome::Mixed => "mixed",
        Outcome::Poor => "poor",
    };
    match format {
        GraphFormat::Dot => {
            let _ = writeln!(o, "digraph \"{}\" {{", dot_escape(&s.id));
            let _ = writeln!(
                o,
                "  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];"
            );
            for n in &s.nodes {
                let shaded = if reach.contains(&n.id) {
                    ""
                } else {
                    ", style=\"rounded,filled\", fillcolor=gray85, fontcolor=gray40"
                };
                let risk = if n.risk {
                    ", color=red, penwidth=2"
                } else {
                    ""
                };
                let _ = writeln!(
                    o,
                    "  \"{}\" [label=\"{}\\n{}\"{shaded}{risk}];",
                    dot_escape(&n.id),
                    dot_escape(&n.id),
                    dot_escape(&line(n))
                );
            }
            for e in &s.endings {
                let _ = writeln!(
                    o,
                    "  \"{}\" [shape=doubleoctagon, label=\"{} ({})\\n{}\"];",
                    dot_escape(&e.id),
                    dot_escape(&e.id),
                    outcome(e.outcome),
                    dot_escape(&short(&e.title, 40))
                );
            }
            for n in &s.nodes {
                for opt in &n.options {
                    let cond = if opt.when.is_empty() {
                        ""
                    } else {
                        ", style=dashed"
                    };
                    let _ = writeln!(
                        o,
                        "  \"{}\" -> \"{}\" [label=\"{}\\n[{}]\"{cond}];",
                        dot_escape(&n.id),
                        dot_escape(&opt.next),
                        dot_escape(&short(&opt.text, 40)),
                        opt.kind.label()
                    );
                }
            }
            let _ = writeln!(o, "}}");
        }
        GraphFormat::Mermaid => {
            let _ = writeln!(o, "flowchart TD");
            for n in &s.nodes {
                let _ = writeln!(
                    o,
                    "  {}[\"{}: {}\"]",
                    mid(&n.id),
                    mermaid_escape(&n.id),
                    mermaid_escape(&line(n))
                );
                if !reach.contains(&n.id) {
                    let _ = writeln!(o, "  class {} unreachable", mid(&n.id));
                }
                if n.risk {
                    let _ = writeln!(o, "  class {} risk", mid(&n.id));
                }
            }
            for e in &s.endings {
                let _ = writeln!(
                    o,
                    "  {}((\"{} ({}): {}\"))",
                    mid(&e.id),
                    mermaid_escape(&e.id),
                    outcome(e.outcome),
                    mermaid_escape(&short(&e.title, 40))
                );
                let _ = writeln!(o, "  class {} ending", mid(&e.id));
            }
            for n in &s.nodes {
                for opt in &n.options {
                    let arrow = if opt.when.is_empty() { "-->" } else { "-.->" };
                    let _ = writeln!(
                        o,
                        "  {} {arrow}|\"{} [{}]\"| {}",
                        mid(&n.id),
                        mermaid_escape(&short(&opt.text, 40)),
                        opt.kind.label(),
                        mid(&opt.next)
                    );
                }
            }
            let _ = writeln!(
                o,
                "  classDef unreachable fill:#ddd,color:#777,stroke-dasharray:4 4"
            );
            let _ = writeln!(o, "  classDef ending fill:#e8f4e8,stroke:#393");
            let _ = writeln!(o, "  classDef risk stroke:#c00,stroke-width:3px");
        }
    }
    o
}
