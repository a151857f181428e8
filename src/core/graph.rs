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

/// A Mermaid identifier for a node or ending id, distinct for distinct ids
/// (Mermaid takes only letters, digits and `_` safely): ASCII letters and
/// digits stay, `_` is doubled, and any other character becomes `_`, its
/// code in hex and `_`. So `a-b`, `a_b` and `a.b` are `n_a_2d_b`, `n_a__b`
/// and `n_a_2e_b`; a plain id such as `opening` reads `n_opening`.
fn mid(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    out.push_str("n_");
    for c in id.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '_' => out.push_str("__"),
            c => {
                let _ = write!(out, "_{:x}_", u32::from(c));
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::mid;

    #[test]
    fn mermaid_ids_of_distinct_node_ids_are_distinct() {
        let ids = [
            "a-b",
            "a_b",
            "a.b",
            "a__b",
            "a_2d_b",
            "a b",
            "a\u{301}b",
            "ab",
            "a",
            "_",
            "__",
        ];
        let made: std::collections::HashSet<String> = ids.iter().map(|id| mid(id)).collect();
        assert_eq!(made.len(), ids.len(), "{made:?}");
        assert_eq!(mid("opening"), "n_opening");
        assert!(
            made.iter()
                .all(|m| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        );
    }
}
