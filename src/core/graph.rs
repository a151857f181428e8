//! `ipt-trainer graph`: the conversation as a graph, for Graphviz (DOT) or
//! Mermaid. Nodes are labelled with the client's line, edges with the option
//! and its move kind; endings are marked and unreachable nodes shaded.

use crate::core::case::CaseBundle;
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
    let mut o = String::new();
    match format {
        GraphFormat::Dot => {
            let _ = writeln!(o, "digraph \"{}\" {{", dot_escape(&s.id));
            let _ = writeln!(
                o,
                "  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];"
            );
            scenario_body(&mut o, s, format, "", "  ");
            let _ = writeln!(o, "}}");
        }
        GraphFormat::Mermaid => {
            let _ = writeln!(o, "flowchart TD");
            scenario_body(&mut o, s, format, "", "  ");
            mermaid_classes(&mut o);
        }
    }
    o
}

fn mermaid_classes(o: &mut String) {
    let _ = writeln!(
        o,
        "  classDef unreachable fill:#ddd,color:#777,stroke-dasharray:4 4"
    );
    let _ = writeln!(o, "  classDef ending fill:#e8f4e8,stroke:#393");
    let _ = writeln!(o, "  classDef risk stroke:#c00,stroke-width:3px");
}

fn outcome_word(e: Outcome) -> &'static str {
    match e {
        Outcome::Good => "good",
        Outcome::Mixed => "mixed",
        Outcome::Poor => "poor",
    }
}

/// A scenario's nodes, endings and options, each graph id led by `prefix`
/// (a case's graph holds several scenarios), each line led by `indent`.
fn scenario_body(o: &mut String, s: &Scenario, format: GraphFormat, prefix: &str, indent: &str) {
    let reach = reachable(s);
    let line = |n: &crate::core::model::Node| {
        n.client
            .last()
            .map(|l| short(&l.text, 60))
            .unwrap_or_default()
    };
    let id = |x: &str| format!("{prefix}{x}");
    match format {
        GraphFormat::Dot => {
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
                    "{indent}\"{}\" [label=\"{}\\n{}\"{shaded}{risk}];",
                    dot_escape(&id(&n.id)),
                    dot_escape(&n.id),
                    dot_escape(&line(n))
                );
            }
            for e in &s.endings {
                let _ = writeln!(
                    o,
                    "{indent}\"{}\" [shape=doubleoctagon, label=\"{} ({})\\n{}\"];",
                    dot_escape(&id(&e.id)),
                    dot_escape(&e.id),
                    outcome_word(e.outcome),
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
                        "{indent}\"{}\" -> \"{}\" [label=\"{}\\n[{}]\"{cond}];",
                        dot_escape(&id(&n.id)),
                        dot_escape(&id(&opt.next)),
                        dot_escape(&short(&opt.text, 40)),
                        opt.kind.label()
                    );
                }
            }
        }
        GraphFormat::Mermaid => {
            for n in &s.nodes {
                let _ = writeln!(
                    o,
                    "{indent}{}[\"{}: {}\"]",
                    mid(&id(&n.id)),
                    mermaid_escape(&n.id),
                    mermaid_escape(&line(n))
                );
                if !reach.contains(&n.id) {
                    let _ = writeln!(o, "{indent}class {} unreachable", mid(&id(&n.id)));
                }
                if n.risk {
                    let _ = writeln!(o, "{indent}class {} risk", mid(&id(&n.id)));
                }
            }
            for e in &s.endings {
                let _ = writeln!(
                    o,
                    "{indent}{}((\"{} ({}): {}\"))",
                    mid(&id(&e.id)),
                    mermaid_escape(&e.id),
                    outcome_word(e.outcome),
                    mermaid_escape(&short(&e.title, 40))
                );
                let _ = writeln!(o, "{indent}class {} ending", mid(&id(&e.id)));
            }
            for n in &s.nodes {
                for opt in &n.options {
                    let arrow = if opt.when.is_empty() { "-->" } else { "-.->" };
                    let _ = writeln!(
                        o,
                        "{indent}{} {arrow}|\"{} [{}]\"| {}",
                        mid(&id(&n.id)),
                        mermaid_escape(&short(&opt.text, 40)),
                        opt.kind.label(),
                        mid(&id(&opt.next))
                    );
                }
            }
        }
    }
}

/// A case as a graph: each session's conversation in a box of its own (a
/// DOT cluster, a Mermaid subgraph) in the course's order, and between two
/// sessions a note with the life events before the second (each with its
/// condition), which every ending of the first leads to and which leads to
/// the second's opening.
pub fn render_case(bundle: &CaseBundle, format: GraphFormat) -> String {
    let mut o = String::new();
    let prefix = |i: usize| format!("s{}/", bundle.case.sessions.get(i).map_or(0, |c| c.number));
    let events = |i: usize| -> Vec<String> {
        bundle
            .case
            .sessions
            .get(i)
            .map(|c| {
                c.before
                    .iter()
                    .map(|e| {
                        let mut t = short(&e.text, 60);
                        if !e.when.is_empty() {
                            let _ = write!(t, " (if {})", e.when.describe());
                        }
                        let moved: Vec<String> = [
                            ("trust", e.trust),
                            ("distress", e.distress),
                            ("openness", e.openness),
                        ]
                        .into_iter()
                        .filter(|(_, v)| *v != 0)
                        .map(|(k, v)| format!("{k} {v:+}"))
                        .collect();
                        if !moved.is_empty() {
                            let _ = write!(t, " [{}]", moved.join(", "));
                        }
                        t
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    match format {
        GraphFormat::Dot => {
            let _ = writeln!(o, "digraph \"{}\" {{", dot_escape(&bundle.case.id));
            let _ = writeln!(
                o,
                "  rankdir=TB;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];"
            );
            for (i, s) in bundle.scenarios.iter().enumerate() {
                let _ = writeln!(o, "  subgraph \"cluster_{i}\" {{");
                let _ = writeln!(
                    o,
                    "    label=\"{}: {}\";",
                    dot_escape(&bundle.session_label(i)),
                    dot_escape(&s.id)
                );
                scenario_body(&mut o, s, format, &prefix(i), "    ");
                let _ = writeln!(o, "  }}");
            }
            for i in 1..bundle.scenarios.len() {
                let (before, after) = (&bundle.scenarios[i - 1], &bundle.scenarios[i]);
                let next = format!("{}{}", prefix(i), after.start_id());
                let evs = events(i);
                let between = format!("between/{i}");
                // One left-aligned line per event (`\l` ends a line in DOT).
                let mut label = format!(
                    "{}\\l",
                    dot_escape(&format!("before {}", bundle.session_label(i)))
                );
                for e in &evs {
                    let _ = write!(label, "- {}\\l", dot_escape(e));
                }
                if evs.is_empty() {
                    label.push_str("(no events)\\l");
                }
                let _ = writeln!(
                    o,
                    "  \"{}\" [shape=note, label=\"{label}\"];",
                    dot_escape(&between)
                );
                for e in &before.endings {
                    let _ = writeln!(
                        o,
                        "  \"{}\" -> \"{}\" [style=bold];",
                        dot_escape(&format!("{}{}", prefix(i - 1), e.id)),
                        dot_escape(&between)
                    );
                }
                let _ = writeln!(
                    o,
                    "  \"{}\" -> \"{}\" [style=bold];",
                    dot_escape(&between),
                    dot_escape(&next)
                );
            }
            let _ = writeln!(o, "}}");
        }
        GraphFormat::Mermaid => {
            let _ = writeln!(o, "flowchart TD");
            for (i, s) in bundle.scenarios.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "  subgraph {}[\"{}: {}\"]",
                    mid(&format!("session/{i}")),
                    mermaid_escape(&bundle.session_label(i)),
                    mermaid_escape(&s.id)
                );
                scenario_body(&mut o, s, format, &prefix(i), "    ");
                let _ = writeln!(o, "  end");
            }
            for i in 1..bundle.scenarios.len() {
                let (before, after) = (&bundle.scenarios[i - 1], &bundle.scenarios[i]);
                let between = mid(&format!("between/{i}"));
                let mut label = format!("before {}", bundle.session_label(i));
                for e in events(i) {
                    let _ = write!(label, "<br/>- {e}");
                }
                let _ = writeln!(o, "  {between}>\"{}\"]", mermaid_escape(&label));
                for e in &before.endings {
                    let _ = writeln!(
                        o,
                        "  {} ==> {between}",
                        mid(&format!("{}{}", prefix(i - 1), e.id))
                    );
                }
                let _ = writeln!(
                    o,
                    "  {between} ==> {}",
                    mid(&format!("{}{}", prefix(i), after.start_id()))
                );
            }
            mermaid_classes(&mut o);
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
