//! The graph as Ink source: one knot per scenario node or ending, the
//! guarded line and the disclosure as conditionals on `trust`, each option
//! a sticky choice `+` (gated with a condition, its move, topic and minutes
//! as choice tags) that prints its feedback and diverts `->` to its target.

use crate::generated::{GUARDED_MAX_TRUST, Graph, START_TRUST};
use std::fmt::Write as _;

pub fn write(g: &Graph) -> String {
    let mut s = String::with_capacity(g.nodes.len() * 520);
    let _ = write!(s, "VAR trust = {START_TRUST}\n-> {}\n\n", g.nodes[0].id);
    for n in &g.nodes {
        let _ = write!(
            s,
            "=== {} ===\n{{trust <= {GUARDED_MAX_TRUST}: {}|{}}}\n\
             {{trust >= {}: {} #id:{}}}\n",
            n.id, n.guarded, n.line, n.disclosure_trust, n.disclosure, n.disclosure_id
        );
        for o in &n.options {
            s.push_str("+ ");
            if let Some(t) = o.min_trust {
                let _ = write!(s, "{{trust >= {t}}} ");
            }
            let _ = write!(
                s,
                "[{} #move:{} #topic:{} #minutes:{}]",
                o.text, o.kind, o.topic, o.minutes
            );
            match o.feedback {
                Some(f) => {
                    let _ = writeln!(s, "\n    {f}\n    -> {}", o.next);
                }
                None => {
                    let _ = writeln!(s, " -> {}", o.next);
                }
            }
        }
        s.push('\n');
    }
    for e in &g.endings {
        let _ = write!(s, "=== {} ===\n{} #title:{}", e.id, e.text, e.title);
        if let Some(o) = e.outcome {
            let _ = write!(s, " #outcome:{o}");
        }
        s.push_str("\n-> END\n\n");
    }
    s
}
