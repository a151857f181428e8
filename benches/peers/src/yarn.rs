//! The graph as Yarn Spinner source: one node per scenario node or ending,
//! the guarded line and the disclosure as `<<if>>` blocks on `$trust`,
//! each option a `->` line (gated with `<<if>>`, its move, topic and
//! minutes as tags) whose body is its feedback and a `<<jump>>`.

use crate::generated::{GUARDED_MAX_TRUST, Graph, START_TRUST};
use std::fmt::Write as _;

pub fn write(g: &Graph) -> String {
    let mut s = String::with_capacity(g.nodes.len() * 520);
    for (k, n) in g.nodes.iter().enumerate() {
        let _ = write!(s, "title: {}\n---\n", n.id);
        if k == 0 {
            // Yarn has no scenario header: the start node declares the state.
            let _ = writeln!(s, "<<declare $trust = {START_TRUST}>>");
        }
        let _ = write!(
            s,
            "<<if $trust <= {GUARDED_MAX_TRUST}>>\n    {}\n<<else>>\n    {}\n<<endif>>\n\
             <<if $trust >= {}>>\n    {} #id:{}\n<<endif>>\n",
            n.guarded, n.line, n.disclosure_trust, n.disclosure, n.disclosure_id
        );
        for o in &n.options {
            let _ = write!(s, "-> {}", o.text);
            if let Some(t) = o.min_trust {
                let _ = write!(s, " <<if $trust >= {t}>>");
            }
            let _ = writeln!(
                s,
                " #move:{} #topic:{} #minutes:{}",
                o.kind, o.topic, o.minutes
            );
            if let Some(f) = o.feedback {
                let _ = writeln!(s, "    {f}");
            }
            let _ = writeln!(s, "    <<jump {}>>", o.next);
        }
        s.push_str("===\n");
    }
    for e in &g.endings {
        let _ = write!(s, "title: {}\n---\n{} #title:{}", e.id, e.text, e.title);
        if let Some(o) = e.outcome {
            let _ = write!(s, " #outcome:{o}");
        }
        s.push_str("\n===\n");
    }
    s
}
