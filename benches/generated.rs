//! The big scenarios the benchmarks load and analyse, built once as a
//! dialogue graph ([`Graph`]) and written as RON by [`Graph::to_ron`].
//! `benches/peers` includes this file too and writes the same graph as
//! Yarn Spinner and Ink source, so all three tools get the same nodes,
//! lines, options and targets.
#![allow(dead_code, reason = "each benchmark uses some of these")]

use std::fmt::Write as _;

/// A generated dialogue graph: what a scenario says, in the order it says it.
pub struct Graph {
    pub id: &'static str,
    pub title: &'static str,
    /// The session's time limit, if the scenario sets one.
    pub minutes: Option<u32>,
    pub nodes: Vec<Node>,
    pub endings: Vec<Ending>,
}

/// One point of the conversation: the client's line (a guarded variant
/// shown at trust 30 or less, else the plain one), a disclosure shown from
/// `disclosure_trust` on, and the therapist's options.
pub struct Node {
    pub id: String,
    pub guarded: String,
    pub line: String,
    pub disclosure_id: String,
    pub disclosure: String,
    pub disclosure_trust: i32,
    pub options: Vec<Choice>,
}

/// One option: its text, what kind of move it is, where it leads, and
/// the trust it needs to be shown (if any).
pub struct Choice {
    pub text: String,
    pub kind: &'static str,
    pub topic: &'static str,
    pub next: String,
    pub minutes: u32,
    pub min_trust: Option<i32>,
    pub feedback: Option<&'static str>,
}

pub struct Ending {
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub outcome: Option<&'static str>,
}

/// The guarded line is shown at this trust or less.
pub const GUARDED_MAX_TRUST: i32 = 30;
/// The client's trust at the start.
pub const START_TRUST: i32 = 40;

impl Graph {
    /// The scenario in ipt-trainer's RON format (`docs/scenario-format.md`).
    pub fn to_ron(&self) -> String {
        let mut s = String::with_capacity(self.nodes.len() * 520);
        let minutes = self
            .minutes
            .map(|m| format!(" minutes: {m},"))
            .unwrap_or_default();
        let _ = write!(
            s,
            "Scenario(id: \"{}\", title: \"{}\", area: Grief, phase: Middle,{minutes}\n\
             client: (name: \"Gen\", age: 40, start: (trust: {START_TRUST}, distress: 50, openness: 40)),\nnodes: [\n",
            self.id, self.title
        );
        for n in &self.nodes {
            let _ = write!(
                s,
                "(id: \"{}\", client: [(text: \"{}\", when: (max_trust: {GUARDED_MAX_TRUST})), (text: \"{}\")],\n\
                 disclosures: [(id: \"{}\", text: \"{}\", when: (min_trust: {}))],\n\
                 options: [\n",
                n.id, n.guarded, n.line, n.disclosure_id, n.disclosure, n.disclosure_trust
            );
            for o in &n.options {
                let _ = write!(
                    s,
                    "(text: \"{}\", move: {}, topic: {}, next: \"{}\", minutes: {}",
                    o.text, o.kind, o.topic, o.next, o.minutes
                );
                if let Some(t) = o.min_trust {
                    let _ = write!(s, ", when: (min_trust: {t})");
                }
                if let Some(f) = o.feedback {
                    let _ = write!(s, ", feedback: \"{f}\"");
                }
                s.push_str("),\n");
            }
            s.push_str("]),\n");
        }
        s.push_str("],\nendings: [");
        for (k, e) in self.endings.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            let _ = write!(
                s,
                "(id: \"{}\", title: \"{}\", text: \"{}\"",
                e.id, e.title, e.text
            );
            if let Some(o) = e.outcome {
                let _ = write!(s, ", outcome: {o}");
            }
            s.push(')');
        }
        s.push_str("],\n)\n");
        s
    }
}

/// A scenario of `n` nodes in a branching chain, each with three options
/// (one open only at trust 50 or more), a trust-gated line variant and a
/// disclosure that needs trust 70.
pub fn generated(n: usize) -> String {
    chain_graph(n).to_ron()
}

/// The graph of [`generated`].
pub fn chain_graph(n: usize) -> Graph {
    let nodes = (0..n)
        .map(|i| {
            let next = |k: usize| {
                if i + k < n {
                    format!("n{}", i + k)
                } else {
                    "end".to_string()
                }
            };
            let option = |text: String, kind, topic, k, min_trust, feedback| Choice {
                text,
                kind,
                topic,
                next: next(k),
                minutes: 1,
                min_trust,
                feedback,
            };
            Node {
                id: format!("n{i}"),
                guarded: format!("Line {i} guarded"),
                line: format!("Line {i}"),
                disclosure_id: format!("d{i}"),
                disclosure: format!("Disclosure {i}"),
                disclosure_trust: 70,
                options: vec![
                    option(format!("Open {i}"), "OpenQuestion", "Focal", 1, None, None),
                    option(
                        format!("Reflect {i}"),
                        "Reflection",
                        "Focal",
                        2,
                        Some(50),
                        None,
                    ),
                    option(
                        format!("Press {i}"),
                        "PressForDetail",
                        "DistantPast",
                        3,
                        None,
                        Some("Too fast."),
                    ),
                ],
            }
        })
        .collect();
    Graph {
        id: "generated",
        title: "Generated",
        minutes: None,
        nodes,
        endings: vec![Ending {
            id: "end",
            title: "End",
            text: "The end.",
            outcome: None,
        }],
    }
}

/// A big scenario shaped like a real one, only wider: `n` nodes in
/// `layers` rounds of the conversation (a route is `layers` moves long, as
/// in a session), each node with three options of varied kinds leading to
/// nodes of the next round, so that routes split and meet again all the
/// way through. One option in three opens only at trust 50 or more; every
/// node has a guarded line variant and a disclosure that needs trust 60.
pub fn layered(n: usize, layers: usize) -> String {
    layered_graph(n, layers).to_ron()
}

/// The graph of [`layered`].
pub fn layered_graph(n: usize, layers: usize) -> Graph {
    const MOVES: [(&str, &str); 9] = [
        ("OpenQuestion", "Focal"),
        ("Reflection", "Focal"),
        ("Validation", "Focal"),
        ("PressForDetail", "DistantPast"),
        ("PrematureAdvice", "RelatedPresent"),
        ("Clarification", "RelatedPresent"),
        ("LinkMoodToEvents", "Focal"),
        ("CommunicationAnalysis", "Focal"),
        ("ChangeSubject", "OffTopic"),
    ];
    let width = n.div_ceil(layers).max(1);
    // A fixed scramble, so the benchmark is the same on every run.
    let mix =
        |a: usize, b: usize| (a.wrapping_mul(2_654_435_761) ^ b.wrapping_mul(40_503)) % 1_000_003;
    let nodes = (0..n)
        .map(|i| {
            let layer = i / width;
            let next = |k: usize| {
                let first = (layer + 1) * width;
                if first >= n {
                    return if k == 2 {
                        "poor".to_string()
                    } else {
                        "good".to_string()
                    };
                }
                let span = width.min(n - first);
                format!("n{}", first + mix(i, k) % span)
            };
            let options = (0..3)
                .map(|k| {
                    let (kind, topic) = MOVES[mix(i, k + 7) % MOVES.len()];
                    Choice {
                        text: format!("Option {k} at {i}"),
                        kind,
                        topic,
                        next: next(k),
                        minutes: 2 + (mix(i, k) % 3) as u32,
                        min_trust: (k == 1).then_some(50),
                        feedback: None,
                    }
                })
                .collect();
            Node {
                id: format!("n{i}"),
                guarded: format!("Line {i} guarded"),
                line: format!("Line {i}"),
                disclosure_id: format!("d{i}"),
                disclosure: format!("Disclosure {i}"),
                disclosure_trust: 60,
                options,
            }
        })
        .collect();
    Graph {
        id: "layered",
        title: "Layered",
        minutes: Some(50),
        nodes,
        endings: vec![
            Ending {
                id: "good",
                title: "Good",
                text: "Good.",
                outcome: Some("Good"),
            },
            Ending {
                id: "poor",
                title: "Poor",
                text: "Poor.",
                outcome: Some("Poor"),
            },
        ],
    }
}

/// `generated(n)` with one error per node (but the last three): the third
/// option leads to a node that does not exist (E005), for how the
/// validator's time grows with the number of diagnostics.
pub fn with_errors(n: usize) -> String {
    generated(n).replace(
        "topic: DistantPast, next: \"n",
        "topic: DistantPast, next: \"missing",
    )
}

/// The same scenario written on one line (every newline a space), as a
/// careless export or a hostile hand may give it.
pub fn one_line(text: &str) -> String {
    text.replace('\n', " ")
}
