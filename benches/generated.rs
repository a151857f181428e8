//! The big scenario the benchmarks load and analyse.
#![allow(dead_code, reason = "each benchmark uses some of these")]

use std::fmt::Write as _;

/// A scenario of `n` nodes in a branching chain, each with three options
/// (one open only at trust 50 or more), a trust-gated line variant and a
/// disclosure that needs trust 70.
pub fn generated(n: usize) -> String {
    let mut s = String::from(
        "Scenario(id: \"generated\", title: \"Generated\", area: Grief, phase: Middle,\n\
         client: (name: \"Gen\", age: 40, start: (trust: 40, distress: 50, openness: 40)),\nnodes: [\n",
    );
    for i in 0..n {
        let next = |k: usize| {
            if i + k < n {
                format!("n{}", i + k)
            } else {
                "end".to_string()
            }
        };
        let _ = write!(
            s,
            "(id: \"n{i}\", client: [(text: \"Line {i} guarded\", when: (max_trust: 30)), (text: \"Line {i}\")],\n\
             disclosures: [(id: \"d{i}\", text: \"Disclosure {i}\", when: (min_trust: 70))],\n\
             options: [\n\
             (text: \"Open {i}\", move: OpenQuestion, topic: Focal, next: \"{}\", minutes: 1),\n\
             (text: \"Reflect {i}\", move: Reflection, topic: Focal, next: \"{}\", minutes: 1, when: (min_trust: 50)),\n\
             (text: \"Press {i}\", move: PressForDetail, topic: DistantPast, next: \"{}\", minutes: 1, feedback: \"Too fast.\"),\n\
             ]),\n",
            next(1),
            next(2),
            next(3)
        );
    }
    s.push_str("],\nendings: [(id: \"end\", title: \"End\", text: \"The end.\")],\n)\n");
    s
}

/// A big scenario shaped like a real one, only wider: `n` nodes in
/// `layers` rounds of the conversation (a route is `layers` moves long, as
/// in a session), each node with three options of varied kinds leading to
/// nodes of the next round, so that routes split and meet again all the
/// way through. One option in three opens only at trust 50 or more; every
/// node has a guarded line variant and a disclosure that needs trust 60.
pub fn layered(n: usize, layers: usize) -> String {
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
    let mut s = String::from(
        "Scenario(id: \"layered\", title: \"Layered\", area: Grief, phase: Middle, minutes: 50,\n\
         client: (name: \"Gen\", age: 40, start: (trust: 40, distress: 50, openness: 40)),\nnodes: [\n",
    );
    // A fixed scramble, so the benchmark is the same on every run.
    let mix =
        |a: usize, b: usize| (a.wrapping_mul(2_654_435_761) ^ b.wrapping_mul(40_503)) % 1_000_003;
    for i in 0..n {
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
        let _ = write!(
            s,
            "(id: \"n{i}\", client: [(text: \"Line {i} guarded\", when: (max_trust: 30)), (text: \"Line {i}\")],\n\
             disclosures: [(id: \"d{i}\", text: \"Disclosure {i}\", when: (min_trust: 60))],\n\
             options: [\n"
        );
        for k in 0..3 {
            let (kind, topic) = MOVES[mix(i, k + 7) % MOVES.len()];
            let gate = if k == 1 {
                ", when: (min_trust: 50)"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "(text: \"Option {k} at {i}\", move: {kind}, topic: {topic}, next: \"{}\", minutes: {}{gate}),",
                next(k),
                2 + mix(i, k) % 3
            );
        }
        s.push_str("]),\n");
    }
    s.push_str(
        "],\nendings: [(id: \"good\", title: \"Good\", text: \"Good.\", outcome: Good), \
         (id: \"poor\", title: \"Poor\", text: \"Poor.\", outcome: Poor)],\n)\n",
    );
    s
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
