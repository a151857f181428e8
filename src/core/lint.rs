//! `ipt-trainer lint`: pedagogical checks on a valid scenario, as warnings
//! rendered like the validator's. Options are rated by the rubric in a
//! neutral context (the client's starting state, some exploring done, the
//! middle of the session), which is what a tutor reads off the file.

use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::load::{Source, Step};
use crate::core::model::{Node, Scenario};
use crate::core::rubric::{Evaluation, Guidance};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Client lines longer than this are hard to read in a session.
pub const MAX_LINE_CHARS: usize = 450;

/// The rubric's evaluation of each option at a node, in file order, in a
/// neutral context (the client's starting state, some exploring done, the
/// middle of the session, the node's own cues). Lint judges them with the
/// rubric's one ranking, "best option" and "mistake" (see `rubric.rs`).
pub fn rate_options(s: &Scenario, g: &Guidance, node: &Node) -> Vec<Evaluation> {
    let mut mind = crate::core::session::Mind::start(s);
    mind.explored = 3;
    mind.clock = s.minutes / 2;
    mind.hesitant = node.hesitant;
    mind.risk_pending = node.risk;
    mind.emotion = node.emotion;
    mind.declines = node.declines;
    mind.node_rupture = node.rupture;
    let ctx = mind.context(s);
    node.options
        .iter()
        .map(|o| g.evaluate(&ctx, o.kind, o.topic))
        .collect()
}

/// A move that follows the guidance on balance: it earns points, does no
/// harm, is no serious error, and loses on no dimension overall. (A move
/// with a small cost that its gains outweigh, such as the sick role before
/// the symptoms were asked about in lint's neutral context, where no task is
/// done yet, still counts: lint cannot tell which tasks a route has done.)
pub fn is_good(ev: &Evaluation) -> bool {
    let s = ev.score;
    !ev.critical && !ev.harm && s.rapport >= 0 && s.pacing >= 0 && s.focus >= 0 && s.total() > 0
}

/// The option the rubric rates best at a choice point (by
/// [`Evaluation::rank`]: any option that is not a serious error above any
/// that is, then the most points), if exactly one option has that rating.
/// When two or more options tie for best there is no single best option,
/// and the result is `None`.
///
/// W014 looks for a place or a length that gives the best option away; a
/// tie has neither (which of the tied options the trainee picks does not
/// matter), so such a choice point still counts among the choice points but
/// never towards "the best is first", "the best is the longest" or "the best
/// is option N". Counting it for whichever tied option came first or last
/// would report a pattern that only the tie-break made.
pub fn best_option(options: &[Evaluation]) -> Option<usize> {
    crate::core::rubric::sole_best_index(options)
}

/// Whether option `i` is strictly longer than every other option at `node`
/// (a tie for longest does not give the answer away).
fn is_strictly_longest(node: &Node, i: usize) -> bool {
    let len = |o: &crate::core::model::Choice| o.text.chars().count();
    let mine = len(&node.options[i]);
    node.options
        .iter()
        .enumerate()
        .all(|(j, o)| j == i || len(o) < mine)
}

/// Every pedagogical warning for a scenario loaded from `source`. Each
/// warning about a node points into that node: its id, or the option,
/// client line or disclosure that causes it.
pub fn lint(s: &Scenario, g: &Guidance, source: &str, path: &Path) -> Vec<Diagnostic> {
    lint_source(s, g, &Source::new(source, path))
}

/// As [`lint`], sharing the file's source index with the loader's checks.
pub fn lint_source(s: &Scenario, g: &Guidance, src: &Source<'_>) -> Vec<Diagnostic> {
    use Step::{Field as F, Item as I};
    let path = src.path();
    let mut out = Vec::new();
    let mut best_first = 0;
    let mut best_longest = 0;
    let mut best_positions: BTreeMap<usize, usize> = BTreeMap::new();
    let mut points = 0;
    for (at, n) in s.nodes.iter().enumerate() {
        let ratings = rate_options(s, g, n);
        if !ratings.iter().any(is_good) {
            out.push(
                src.at(
                    Code::W010,
                    &[F("nodes"), I(at), F("id")],
                    format!("no option at `{}` is one the rubric rates well", n.id),
                )
                .with_hint("add an option that follows the guidance (an open question, a reflection, the phase's task)"),
            );
        }
        if !ratings.iter().any(Evaluation::is_mistake) {
            out.push(
                src.at(
                    Code::W011,
                    &[F("nodes"), I(at), F("id")],
                    format!("no option at `{}` is a tempting mistake", n.id),
                )
                .with_hint("add a plausible wrong move (premature advice, reassurance, pressing, drifting off)"),
            );
        }
        if !n.options.is_empty() {
            points += 1;
            // A tie for best counts as a choice point, towards nothing else
            // (see `best_option`).
            if let Some(b) = best_option(&ratings) {
                *best_positions.entry(b).or_default() += 1;
                if b == 0 {
                    best_first += 1;
                }
                if is_strictly_longest(n, b) {
                    best_longest += 1;
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, o) in n.options.iter().enumerate() {
            // Each later copy is reported, at itself.
            if !seen.insert(o.text.trim().to_lowercase()) {
                out.push(
                    src.at(
                        Code::W013,
                        &[F("nodes"), I(at), F("options"), I(i), F("text")],
                        format!("option text used twice at `{}`", n.id),
                    )
                    .with_hint("every option should read differently"),
                );
            }
        }
        for (i, l) in n.client.iter().enumerate() {
            let len = l.text.chars().count();
            if len > MAX_LINE_CHARS {
                out.push(
                    src.at(Code::W015, &[F("nodes"), I(at), F("client"), I(i), F("text")], format!("a client line of {len} characters at `{}`", n.id))
                        .with_hint(format!("keep client lines under {MAX_LINE_CHARS} characters; split the rest into a disclosure or the next node")),
                );
            }
        }
        for (i, d) in n.disclosures.iter().enumerate() {
            let c = &d.when;
            let impossible = c.min_trust.zip(c.max_trust).is_some_and(|(a, b)| a > b)
                || c.min_distress
                    .zip(c.max_distress)
                    .is_some_and(|(a, b)| a > b)
                || c.min_openness
                    .zip(c.max_openness)
                    .is_some_and(|(a, b)| a > b)
                || c.min_session.zip(c.max_session).is_some_and(|(a, b)| a > b)
                || c.remembers.iter().any(|f| c.forgets.contains(f))
                || c.remembers.contains(&d.id);
            if impossible {
                out.push(
                    src.at(
                        Code::W016,
                        &[F("nodes"), I(at), F("disclosures"), I(i), F("id")],
                        format!(
                            "disclosure `{}` can never be made: its condition cannot hold",
                            d.id
                        ),
                    )
                    .with_hint(
                        "check the minimum and maximum, and that it does not wait for itself",
                    ),
                );
            }
        }
    }
    if points >= 4 {
        if best_first * 10 >= points * 8 {
            out.push(Diagnostic::new(Code::W014, path, format!("the best option is the first one at {best_first} of {points} choice points"))
                .with_hint("vary where the best option stands (the app shuffles, the file and the CLI's defaults should not give it away)"));
        }
        if best_longest * 10 >= points * 8 {
            out.push(Diagnostic::new(Code::W014, path, format!("the best option is the longest one at {best_longest} of {points} choice points"))
                .with_hint("make some mistakes long and some good moves short, so length does not give the answer away"));
        }
        // The most common place of the best option (the earliest of equals;
        // at most one place can reach the threshold).
        if let Some((pos, n)) = best_positions.iter().rev().max_by_key(|(_, n)| **n)
            && *pos != 0
            && n * 10 >= points * 8
        {
            out.push(
                Diagnostic::new(
                    Code::W014,
                    path,
                    format!(
                        "the best option is option {} at {n} of {points} choice points",
                        pos + 1
                    ),
                )
                .with_hint("vary where the best option stands"),
            );
        }
    }
    for t in g.tasks_for(s.phase, s.area) {
        let offered = s.nodes.iter().flat_map(|n| &n.options).any(|o| {
            t.moves.contains(&o.kind) && (t.topics.is_empty() || t.topics.contains(&o.topic))
        });
        if !offered {
            out.push(
                Diagnostic::new(
                    Code::W012,
                    path,
                    format!(
                        "no option covers the task \"{}\" of a {} {} session",
                        t.name,
                        s.area.label().to_lowercase(),
                        s.phase.label().to_lowercase()
                    ),
                )
                .with_hint(format!(
                    "add an option with move {:?}",
                    t.moves
                        .first()
                        .copied()
                        .unwrap_or(crate::core::model::MoveKind::OpenQuestion)
                )),
            );
        }
    }
    src.finish(out)
}
