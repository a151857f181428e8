//! Every semantic check on a parsed scenario: texts, ranges, ids, links,
//! conditions, and which nodes can be reached and can reach an ending.
//! Each problem is placed by its path in the file's source index.

use super::index::{Source, Step};
use super::ron_error::parse;
use crate::core::diagnostic::{Code, Diagnostic, suggest};
use crate::core::model::{Condition, Scenario};
use crate::core::rubric::Guidance;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::ops::RangeInclusive;
use std::path::Path;

use Step::{Field as F, Item as I};

/// Memory flags a rubric sets, so scenarios may test them.
pub fn rubric_flags(g: &Guidance) -> BTreeSet<String> {
    g.principles
        .iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| r.remember.iter().cloned())
        .collect()
}

/// The memory flags the bundled rubric sets, read once per process.
pub fn bundled_rubric_flags() -> &'static BTreeSet<String> {
    static FLAGS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    FLAGS.get_or_init(|| {
        parse::<Guidance>(super::BUNDLED_GUIDANCE, Path::new("assets/guidance.ron"))
            .map(|g| rubric_flags(&g))
            .unwrap_or_default()
    })
}

/// `prefix` and then `more`, as one path (made only for a diagnostic).
pub(super) fn join<'k>(prefix: &[Step<'k>], more: &[Step<'k>]) -> Vec<Step<'k>> {
    let mut p = prefix.to_vec();
    p.extend_from_slice(more);
    p
}

pub(super) fn check_range(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    path: &[Step<'_>],
    value: i64,
    range: RangeInclusive<i64>,
    what: &str,
) {
    if !range.contains(&value) {
        out.push(
            src.at(
                Code::E008,
                path,
                format!(
                    "{what} is {value}, outside {}..={}",
                    range.start(),
                    range.end()
                ),
            )
            .with_hint(format!(
                "use a value from {} to {}",
                range.start(),
                range.end()
            )),
        );
    }
}

/// The bounds of the condition `c`, written at `at`.
pub(super) fn check_condition_bounds(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    at: &[Step<'_>],
    c: &Condition,
) {
    for (key, v) in [
        ("min_trust", c.min_trust),
        ("max_trust", c.max_trust),
        ("min_distress", c.min_distress),
        ("max_distress", c.max_distress),
        ("min_openness", c.min_openness),
        ("max_openness", c.max_openness),
    ] {
        if let Some(v) = v
            && !(0..=100).contains(&v)
        {
            check_range(src, out, &join(at, &[F(key)]), i64::from(v), 0..=100, key);
        }
    }
    let sessions = 1..=i64::from(crate::core::case::MAX_SESSIONS);
    for (key, v) in [
        ("min_session", c.min_session),
        ("max_session", c.max_session),
    ] {
        if let Some(v) = v
            && !sessions.contains(&i64::from(v))
        {
            check_range(
                src,
                out,
                &join(at, &[F(key)]),
                i64::from(v),
                sessions.clone(),
                key,
            );
        }
    }
}

/// Typo suggestions for one file, at most [`Suggestions::MAX`] of them:
/// each looks through every id or flag, so a file with an unknown name in
/// every node would otherwise take time quadratic in its size. Past the
/// limit, the hint says what to name without a guess.
pub(super) struct Suggestions {
    left: usize,
}

impl Suggestions {
    pub(super) const MAX: usize = 100;

    pub(super) fn new() -> Self {
        Suggestions { left: Self::MAX }
    }

    pub(super) fn closest<'a>(
        &mut self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        self.left = self.left.checked_sub(1)?;
        suggest(word, candidates)
    }
}

/// The condition `c`, the `when` of the item at `item`: its bounds, and the
/// flags it tests (unless the rubric is not known: `known_flags` is `None`).
fn check_condition(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    item: &[Step<'_>],
    c: &Condition,
    known_flags: Option<&BTreeSet<String>>,
    suggestions: &mut Suggestions,
) {
    if c.is_empty() {
        return;
    }
    let at = &join(item, &[F("when")]);
    check_condition_bounds(src, out, at, c);
    let Some(known) = known_flags else {
        return;
    };
    for (list, flags) in [("remembers", &c.remembers), ("forgets", &c.forgets)] {
        for (i, flag) in flags.iter().enumerate() {
            if known.contains(flag) {
                continue;
            }
            let hint = match suggestions.closest(flag, known.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "use a disclosure id from this scenario or a flag the rubric sets (see docs/scenario-format.md)".into(),
            };
            out.push(
                src.at(
                    Code::W002,
                    &join(at, &[F(list), I(i)]),
                    format!("the condition refers to `{flag}`, which nothing in this scenario or the rubric sets"),
                )
                .with_hint(hint),
            );
        }
    }
}

/// Every semantic check on a parsed scenario, all reported at once, in file
/// order. `rubric_flags` are the memory flags of the rubric it is played
/// with (`rubric_flags(&guidance)`; `None` when that rubric could not be
/// read, and conditions on memory flags are then not checked).
pub fn check_scenario(
    s: &Scenario,
    src: &Source<'_>,
    rubric_flags: Option<&BTreeSet<String>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut suggestions = Suggestions::new();

    for (key, text, what) in [
        ("id", &s.id, "the scenario id"),
        ("title", &s.title, "the title"),
    ] {
        if text.trim().is_empty() {
            out.push(
                src.at(Code::E010, &[F(key)], format!("{what} is empty"))
                    .with_hint("write some text between the quotes"),
            );
        }
    }
    if s.client.name.trim().is_empty() {
        out.push(
            src.at(
                Code::E010,
                &[F("client"), F("name")],
                "the client's name is empty".into(),
            )
            .with_hint("give the client a name"),
        );
    }
    check_range(
        src,
        &mut out,
        &[F("minutes")],
        i64::from(s.minutes),
        5..=180,
        "the session length in minutes",
    );
    check_range(
        src,
        &mut out,
        &[F("client"), F("age")],
        i64::from(s.client.age),
        5..=110,
        "the client's age",
    );
    for (key, v) in [
        ("trust", s.client.start.trust),
        ("distress", s.client.start.distress),
        ("openness", s.client.start.openness),
    ] {
        check_range(
            src,
            &mut out,
            &[F("client"), F("start"), F(key)],
            i64::from(v),
            0..=100,
            &format!("the starting {key}"),
        );
    }

    if s.nodes.is_empty() {
        out.push(
            src.at(
                Code::E011,
                &[F("nodes")],
                "the scenario has no nodes".into(),
            )
            .with_hint("add at least one node under `nodes: [...]`"),
        );
    }
    if s.endings.is_empty() {
        let at = src
            .root()
            .and_then(|r| r.field("endings"))
            .and_then(super::index::Place::key_span);
        out.push(
            src.at_span(Code::E013, at, "the scenario has no endings".into())
                .with_hint("add at least one ending under `endings: [...]`"),
        );
    }

    // Ids: unique across nodes and endings.
    let mut ids: HashSet<&str> = HashSet::new();
    let all_ids = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| ("nodes", i, &n.id))
        .chain(
            s.endings
                .iter()
                .enumerate()
                .map(|(i, e)| ("endings", i, &e.id)),
        );
    for (list, i, id) in all_ids {
        let at = [F(list), I(i), F("id")];
        if id.trim().is_empty() {
            out.push(
                src.at(Code::E010, &at, "an id is empty".into())
                    .with_hint("give every node and ending a short unique id"),
            );
            continue;
        }
        if !ids.insert(id) {
            // At the later definition.
            out.push(
                src.at(Code::E004, &at, format!("the id `{id}` is used twice"))
                    .with_hint("rename one of them; node and ending ids must be unique"),
            );
        }
    }
    // In file order, so that of two equally close ids the first is suggested.
    let targets: Vec<&str> = s
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .chain(s.endings.iter().map(|e| e.id.as_str()))
        .collect();

    let start = s.start_id();
    if !s.start.is_empty() && s.node(start).is_none() {
        let hint = match suggest(start, s.nodes.iter().map(|n| n.id.as_str())) {
            Some(m) => format!("did you mean `{m}`?"),
            None => "name one of the nodes, or leave `start` out to begin at the first".into(),
        };
        out.push(
            src.at(
                Code::E011,
                &[F("start")],
                format!("the start node `{start}` does not exist"),
            )
            .with_hint(hint),
        );
    }

    // Flags a condition can test: disclosures and the rubric's memory.
    let known_flags: Option<BTreeSet<String>> = rubric_flags.map(|rubric| {
        s.nodes
            .iter()
            .flat_map(|n| n.disclosures.iter().map(|d| d.id.clone()))
            .chain(rubric.iter().cloned())
            .collect()
    });
    let known_flags = known_flags.as_ref();

    for (k, e) in s.endings.iter().enumerate() {
        if e.text.trim().is_empty() {
            out.push(
                src.at(
                    Code::E010,
                    &[F("endings"), I(k), F("text")],
                    format!("ending `{}` has no text", e.id),
                )
                .with_hint("describe the outcome the trainee reads at the end"),
            );
        }
    }

    for (i, node) in s.nodes.iter().enumerate() {
        let id_at = [F("nodes"), I(i), F("id")];
        if node.client.is_empty() {
            out.push(
                src.at(
                    Code::E010,
                    &id_at,
                    format!("node `{}` has no client line", node.id),
                )
                .with_hint("add `client: [(text: \"...\")]`"),
            );
        }
        for (j, line) in node.client.iter().enumerate() {
            let at = [F("nodes"), I(i), F("client"), I(j)];
            if line.text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&at, &[F("text")]),
                        format!("a client line in node `{}` is empty", node.id),
                    )
                    .with_hint("write what the client says"),
                );
            }
            check_condition(
                src,
                &mut out,
                &at,
                &line.when,
                known_flags,
                &mut suggestions,
            );
        }
        for (j, d) in node.disclosures.iter().enumerate() {
            let at = [F("nodes"), I(i), F("disclosures"), I(j)];
            if d.text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&at, &[F("text")]),
                        format!("disclosure `{}` has no text", d.id),
                    )
                    .with_hint("write what the client discloses"),
                );
            }
            check_condition(src, &mut out, &at, &d.when, known_flags, &mut suggestions);
        }
        if node.options.is_empty() {
            out.push(
                src.at(
                    Code::E009,
                    &id_at,
                    format!(
                        "node `{}` has no options and is not an ending: the session would stop here",
                        node.id
                    ),
                )
                .with_hint("add options, or make it an ending under `endings: [...]`"),
            );
        } else if node.options.iter().all(|o| !o.when.is_empty()) {
            out.push(
                src.at(
                    Code::E012,
                    &id_at,
                    format!(
                        "every option at node `{}` has a condition: in some states the trainee would have nothing to choose",
                        node.id
                    ),
                )
                .with_hint("leave at least one option without `when`"),
            );
        }
        for (j, o) in node.options.iter().enumerate() {
            let at = [F("nodes"), I(i), F("options"), I(j)];
            if o.text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&at, &[F("text")]),
                        format!("an option at node `{}` has no text", node.id),
                    )
                    .with_hint("write what the trainee says"),
                );
            }
            if !(1..=30).contains(&o.minutes) {
                check_range(
                    src,
                    &mut out,
                    &join(&at, &[F("minutes")]),
                    i64::from(o.minutes),
                    1..=30,
                    "an option's minutes",
                );
            }
            check_condition(src, &mut out, &at, &o.when, known_flags, &mut suggestions);
            for (key, v) in [
                ("trust", o.adjust.trust),
                ("distress", o.adjust.distress),
                ("openness", o.adjust.openness),
            ] {
                if !(-50..=50).contains(&v) {
                    check_range(
                        src,
                        &mut out,
                        &join(&at, &[F("adjust"), F(key)]),
                        i64::from(v),
                        -50..=50,
                        &format!("an adjustment to {key}"),
                    );
                }
            }
            if !ids.contains(o.next.as_str()) {
                let hint = match suggestions.closest(&o.next, targets.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "name a node or an ending of this scenario".into(),
                };
                out.push(
                    src.at(
                        Code::E005,
                        &join(&at, &[F("next")]),
                        format!("unknown node `{}`", o.next),
                    )
                    .with_hint(hint),
                );
            }
        }
    }

    routes(s, src, &mut out);
    src.finish(out)
}

/// Which nodes the start reaches (W001), and which can reach an ending
/// (E017 for the start, W003 for any other node), both ignoring conditions.
/// The routes to an ending are judged only on a sound graph: ids unique,
/// every option leading to a node or an ending, every node with options,
/// a start and at least one ending; any of those errors says more.
fn routes(s: &Scenario, src: &Source<'_>, out: &mut Vec<Diagnostic>) {
    if s.nodes.is_empty() || out.iter().any(|d| d.code == Code::E011) {
        return;
    }
    let index: HashMap<&str, usize> = s
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let start = index.get(s.start_id()).copied().unwrap_or(0);

    let mut reached = vec![false; s.nodes.len()];
    let mut queue = VecDeque::from([start]);
    reached[start] = true;
    while let Some(i) = queue.pop_front() {
        for o in &s.nodes[i].options {
            if let Some(&j) = index.get(o.next.as_str())
                && !reached[j]
            {
                reached[j] = true;
                queue.push_back(j);
            }
        }
    }
    // By id, as a condition or an option names a node: of two nodes with
    // the same id (E004), neither is reported for the other's sake.
    let unreached =
        |n: &&crate::core::model::Node| index.get(n.id.as_str()).is_some_and(|&j| !reached[j]);
    for (i, n) in s.nodes.iter().enumerate().filter(|(_, n)| unreached(n)) {
        out.push(
            src.at(
                Code::W001,
                &[F("nodes"), I(i), F("id")],
                format!("node `{}` cannot be reached from the start", n.id),
            )
            .with_hint("lead an option to it with `next`, or remove it"),
        );
    }

    let broken = [Code::E004, Code::E005, Code::E009, Code::E013];
    if out.iter().any(|d| broken.contains(&d.code)) {
        return;
    }
    // Backwards from the endings: the nodes with an option that leads to an
    // ending, then those with an option that leads to one of those, ...
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); s.nodes.len()];
    let mut ends = vec![false; s.nodes.len()];
    let mut queue = VecDeque::new();
    for (i, n) in s.nodes.iter().enumerate() {
        for o in &n.options {
            match index.get(o.next.as_str()) {
                Some(&j) => before[j].push(i),
                None if !ends[i] => {
                    ends[i] = true;
                    queue.push_back(i);
                }
                None => {}
            }
        }
    }
    while let Some(j) = queue.pop_front() {
        for &i in &before[j] {
            if !ends[i] {
                ends[i] = true;
                queue.push_back(i);
            }
        }
    }
    for (i, n) in s.nodes.iter().enumerate().filter(|(i, _)| !ends[*i]) {
        let at = [F("nodes"), I(i), F("id")];
        out.push(if i == start {
            src.at(
                Code::E017,
                &at,
                format!(
                    "no ending can be reached from the start node `{}`: every route goes round without ending, and a session would never end",
                    n.id
                ),
            )
            .with_hint("lead an option of a node on the way to an ending under `endings: [...]`")
        } else {
            src.at(
                Code::W003,
                &at,
                format!(
                    "no ending can be reached from node `{}`: every route from it goes round without ending",
                    n.id
                ),
            )
            .with_hint("lead one of its options, or one of a node after it, to an ending")
        });
    }
}
