//! `ipt-trainer rubric`: what a rubric does, for the tutor who writes or
//! adopts one. Every move kind is evaluated in a set of typical contexts
//! (phase, trust, hesitation, a pending risk, a cue, the time) and the
//! points on each dimension and the client's change are tabled; and the
//! rubric is checked for rules that can never fire, rules that contradict
//! each other, and principles that cite no source or never score.

use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::load::{Source, Step};
use crate::core::model::{Adjust, ClientState, Emotion, MoveKind, Phase, ProblemArea, Topic};
use crate::core::rubric::{Guidance, MoveContext, RuleCondition, ScoreDelta};
use serde::Serialize;
use std::collections::BTreeSet;

/// A typical moment of a session, as the rubric sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub name: &'static str,
    pub phase: Phase,
    pub state: ClientState,
    pub minute: u32,
    pub explored: u32,
    pub hesitant: bool,
    pub risk_pending: bool,
    pub emotion: Option<Emotion>,
    pub declines: bool,
    pub rupture: bool,
}

/// The contexts the table shows, in order.
pub fn contexts() -> Vec<Context> {
    let base = |name, phase, trust, distress, openness, minute, explored| Context {
        name,
        phase,
        state: ClientState {
            trust,
            distress,
            openness,
        },
        minute,
        explored,
        hesitant: false,
        risk_pending: false,
        emotion: None,
        declines: false,
        rupture: false,
    };
    vec![
        base("opening, guarded", Phase::Initial, 20, 55, 20, 2, 0),
        base("initial, story heard", Phase::Initial, 50, 50, 50, 25, 4),
        Context {
            hesitant: true,
            ..base("hesitating", Phase::Initial, 40, 60, 30, 15, 2)
        },
        Context {
            emotion: Some(Emotion::Sadness),
            ..base("in tears", Phase::Middle, 45, 80, 45, 15, 3)
        },
        Context {
            emotion: Some(Emotion::Anger),
            ..base("angry", Phase::Middle, 50, 65, 55, 15, 3)
        },
        Context {
            declines: true,
            ..base("declines", Phase::Middle, 45, 60, 35, 18, 3)
        },
        Context {
            rupture: true,
            ..base("after a misstep", Phase::Middle, 35, 60, 35, 20, 3)
        },
        Context {
            risk_pending: true,
            ..base("hint of risk", Phase::Middle, 50, 75, 50, 20, 3)
        },
        base("middle, working", Phase::Middle, 65, 45, 60, 20, 4),
        base("last minutes", Phase::Middle, 60, 40, 60, 46, 6),
        base("ending phase", Phase::Termination, 70, 35, 65, 15, 3),
    ]
}

/// What a move does in one context.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub score: ScoreDelta,
    pub client: Adjust,
    pub harm: bool,
    pub critical: bool,
    /// The principle that decided it, and its reason.
    pub reason: String,
}

/// A move kind's row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(rename = "move")]
    pub kind: MoveKind,
    pub cells: Vec<Cell>,
}

/// The rubric's behaviour for one problem area and topic.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub area: ProblemArea,
    pub topic: Topic,
    pub contexts: Vec<Context>,
    pub rows: Vec<Row>,
}

/// Every move kind in every context, about `topic`, in `area`.
pub fn table(g: &Guidance, area: ProblemArea, topic: Topic) -> Table {
    let contexts = contexts();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let rows = MoveKind::ALL
        .iter()
        .map(|&kind| Row {
            kind,
            cells: contexts
                .iter()
                .map(|c| {
                    let ctx = MoveContext {
                        hesitant: c.hesitant,
                        risk_pending: c.risk_pending,
                        explored: c.explored,
                        clock: c.minute,
                        emotion: c.emotion,
                        declines: c.declines,
                        rupture: c.rupture,
                        ..MoveContext::at_start(area, c.phase, c.state, &memory, &used, &done)
                    };
                    let ev = g.evaluate(&ctx, kind, topic);
                    Cell {
                        score: ev.score,
                        client: ev.client,
                        harm: ev.harm,
                        critical: ev.critical,
                        reason: ev
                            .main_reason()
                            .map(|f| format!("{}: {}", f.principle_name, f.feedback))
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    Table {
        area,
        topic,
        contexts,
        rows,
    }
}

/// The source material's articles, as principles cite them.
const MATERIAL: [&str; 6] = [
    "An Overview – Psychosocial Interventions",
    "Therapeutic intervention",
    "Interpersonal psychotherapy interventions",
    "The Power of Interpersonal Therapy",
    "How Interpersonal Psychotherapy Fights Depression",
    "Standard IPT structure",
];

/// Why a rule's condition can never hold, if it cannot.
fn never_holds(w: &RuleCondition) -> Option<String> {
    let c = &w.client;
    let crossed = |min: Option<i32>, max: Option<i32>| min.zip(max).is_some_and(|(a, b)| a > b);
    let crossed_u = |min: Option<u32>, max: Option<u32>| min.zip(max).is_some_and(|(a, b)| a > b);
    for (what, min, max) in [
        ("trust", c.min_trust, c.max_trust),
        ("distress", c.min_distress, c.max_distress),
        ("openness", c.min_openness, c.max_openness),
    ] {
        if crossed(min, max) {
            return Some(format!("its minimum {what} is above its maximum"));
        }
    }
    for (what, min, max) in [
        ("session of the course", c.min_session, c.max_session),
        ("count of exploratory moves", w.min_explored, w.max_explored),
        (
            "share of the session's time",
            w.min_elapsed_percent,
            w.max_elapsed_percent,
        ),
        ("minute", w.min_minute, w.max_minute),
        ("run of topics", w.min_topic_run, w.max_topic_run),
        ("run of moves", w.min_move_run, w.max_move_run),
    ] {
        if crossed_u(min, max) {
            return Some(format!("its minimum {what} is above its maximum"));
        }
    }
    if let Some(f) = c.remembers.iter().find(|f| c.forgets.contains(f)) {
        return Some(format!("it asks that `{f}` be both remembered and not"));
    }
    if !w.moves.is_empty() && w.moves.iter().all(|m| w.not_moves.contains(m)) {
        return Some("every move it names is also excluded".into());
    }
    if let Some(t) = w.tasks_done.iter().find(|t| w.tasks_not_done.contains(t)) {
        return Some(format!(
            "it asks that the task `{t}` be both done and not done"
        ));
    }
    if w.used.iter().any(|m| w.not_used.contains(m))
        && w.used.iter().all(|m| w.not_used.contains(m))
    {
        return Some("every move it asks to have been used it also asks not to have been".into());
    }
    if w.max_topic_run == Some(0) || w.max_move_run == Some(0) {
        return Some("a run always counts the move itself, so it is at least 1".into());
    }
    None
}

/// The rubric's own warnings (W020-W023), placed in its file.
pub fn check(g: &Guidance, src: &Source<'_>) -> Vec<Diagnostic> {
    use Step::{Field as F, Item as I};
    let mut out = Vec::new();
    for (i, p) in g.principles.iter().enumerate() {
        let at = [F("principles"), I(i)];
        if !MATERIAL.iter().any(|m| p.source.contains(m)) {
            out.push(
                src.at(
                    Code::W022,
                    &[at[0], at[1], F("source")],
                    format!(
                        "principle `{}` cites none of the source material's articles",
                        p.id
                    ),
                )
                .with_hint(
                    "name the article it comes from by its title (see the material's README), or \"Standard IPT structure\"",
                ),
            );
        }
        let tasks = g.tasks.iter().any(|t| t.principle == p.id);
        if p.rules.is_empty() && !tasks {
            out.push(
                src.at(
                    Code::W023,
                    &[at[0], at[1], F("id")],
                    format!(
                        "principle `{}` has no rules and credits no task: it never scores",
                        p.id
                    ),
                )
                .with_hint("give it a rule, let a task credit it, or leave it out"),
            );
        }
        for (j, r) in p.rules.iter().enumerate() {
            if let Some(why) = never_holds(&r.when) {
                out.push(
                    src.at(
                        Code::W020,
                        &[at[0], at[1], F("rules"), I(j), F("when")],
                        format!("a rule of `{}` can never fire: {why}", p.id),
                    )
                    .with_hint("correct the condition, or remove the rule"),
                );
            }
        }
    }
    // Rules with the same condition pulling a dimension both ways.
    let rules: Vec<(usize, usize, &crate::core::rubric::Rule)> = g
        .principles
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.rules.iter().enumerate().map(move |(j, r)| (i, j, r)))
        .collect();
    for (a, &(i, j, r)) in rules.iter().enumerate() {
        for &(k, l, s) in &rules[a + 1..] {
            if r.when != s.when {
                continue;
            }
            let opposite = crate::core::rubric::Dimension::ALL.iter().find(|&&d| {
                let (x, y) = (r.score.get(d), s.score.get(d));
                (x > 0 && y < 0) || (x < 0 && y > 0)
            });
            if let Some(d) = opposite {
                out.push(
                    src.at(
                        Code::W021,
                        &[F("principles"), I(k), F("rules"), I(l), F("when")],
                        format!(
                            "this rule of `{}` and a rule of `{}` fire on the same condition and move {} in opposite directions",
                            g.principles[k].id,
                            g.principles[i].id,
                            d.label().to_lowercase()
                        ),
                    )
                    .with_hint(format!(
                        "narrow one of the two conditions (the other is rule {} of `{}`)",
                        j + 1,
                        g.principles[i].id
                    )),
                );
            }
        }
    }
    src.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_condition_that_cannot_hold_says_why() {
        let mut w = RuleCondition::default();
        assert_eq!(never_holds(&w), None);
        w.client.min_trust = Some(60);
        w.client.max_trust = Some(40);
        assert!(never_holds(&w).is_some_and(|m| m.contains("trust")));
        let w = RuleCondition {
            moves: vec![MoveKind::Summary],
            not_moves: vec![MoveKind::Summary],
            ..RuleCondition::default()
        };
        assert!(never_holds(&w).is_some());
    }
}

/// Which number of a cell a heat map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Total,
    One(crate::core::rubric::Dimension),
}

fn shown(c: &Cell, s: Shown) -> i32 {
    match s {
        Shown::Total => c.score.total(),
        Shown::One(d) => c.score.get(d),
    }
}

/// A cell's background: green for points earned, red for points lost, the
/// stronger the more; a harmful move is outlined.
fn colour(v: i32) -> String {
    let a = (f64::from(v.unsigned_abs().min(12)) / 12.0 * 0.75 + 0.08).min(0.85);
    match v.cmp(&0) {
        std::cmp::Ordering::Greater => format!("rgba(20, 130, 60, {a:.2})"),
        std::cmp::Ordering::Less => format!("rgba(190, 30, 30, {a:.2})"),
        std::cmp::Ordering::Equal => "transparent".into(),
    }
}

fn signed(v: i32) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

/// The details of a cell, for its tooltip and for screen readers.
fn cell_title(c: &Cell) -> String {
    let s = c.score;
    let mut t = format!(
        "rapport {}, pacing {}, focus {}; client trust {}, distress {}, openness {}",
        signed(s.rapport),
        signed(s.pacing),
        signed(s.focus),
        signed(c.client.trust),
        signed(c.client.distress),
        signed(c.client.openness)
    );
    if c.critical {
        t.push_str("; a serious error");
    } else if c.harm {
        t.push_str("; harmful here: earns nothing else");
    }
    if !c.reason.is_empty() {
        t.push_str(". ");
        t.push_str(&c.reason);
    }
    t
}

/// The rubric as one self-contained page: its warnings, and a heat map of
/// each table (all dimensions together, then each alone).
pub fn html(g: &Guidance, tables: &[Table], warnings: &[Diagnostic]) -> String {
    use crate::core::rubric::Dimension;
    use maud::{DOCTYPE, html};
    let views = [
        ("all three dimensions", Shown::Total),
        ("rapport", Shown::One(Dimension::Rapport)),
        ("pacing", Shown::One(Dimension::Pacing)),
        ("focus", Shown::One(Dimension::Focus)),
    ];
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Rubric " (g.version) }
                style { (maud::PreEscaped(CSS)) }
            }
            body {
                h1 { "What the rubric does — version " (g.version) }
                p {
                    "Each cell is what a move earns in one context, about the topic shown: the points on "
                    "the dimension (or all three), green for points earned and red for points lost. "
                    "A cell marked " strong { "!" } " is harmful there (it earns nothing else in its turn), "
                    strong { "!!" } " a serious error. Hover or focus a cell for every number and the "
                    "reason that decided it. Scores are judged against the options a choice point "
                    "offers (docs/scoring.md), so what matters is how a move compares with the others open."
                }
                h2 { "Warnings" }
                @if warnings.is_empty() {
                    p { "None: every rule can fire, none contradicts another, every principle cites its source and scores." }
                } @else {
                    ul {
                        @for w in warnings {
                            li { (w.to_string()) }
                        }
                    }
                }
                h2 { "Contexts" }
                table class="contexts" {
                    thead { tr { th scope="col" { "#" } th scope="col" { "context" } th scope="col" { "phase" } th scope="col" { "client" } th scope="col" { "minute" } } }
                    tbody {
                        @for (i, c) in contexts().iter().enumerate() {
                            tr {
                                td { (i + 1) }
                                td { (c.name) }
                                td { (c.phase.label()) }
                                td { "trust " (c.state.trust) ", distress " (c.state.distress) ", openness " (c.state.openness) }
                                td { (c.minute) }
                            }
                        }
                    }
                }
                @for t in tables {
                    @for (label, view) in views {
                        h2 { (t.area.label()) ", about " (t.topic.label()) ": " (label) }
                        table class="heat" {
                            caption { "Points per move kind (rows) and context (columns)" }
                            thead {
                                tr {
                                    th scope="col" { "move" }
                                    @for (i, c) in t.contexts.iter().enumerate() {
                                        th scope="col" title=(c.name) { (i + 1) }
                                    }
                                }
                            }
                            tbody {
                                @for r in &t.rows {
                                    tr {
                                        th scope="row" { (r.kind.label()) }
                                        @for c in &r.cells {
                                            @let v = shown(c, view);
                                            td tabindex="0" style={ "background:" (colour(v)) } class=[c.harm.then_some("harm")] title=(cell_title(c)) {
                                                (signed(v))
                                                @if c.critical { "!!" } @else if c.harm { "!" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111;background:#fff;max-width:96rem}\
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}\
th,td{border:1px solid #bbb;padding:0.25rem 0.45rem;text-align:right;font-variant-numeric:tabular-nums}\
th[scope=row],table.contexts td{text-align:left}\
caption{text-align:left;font-weight:600;padding:0.25rem 0}\
td.harm{outline:2px solid #000;outline-offset:-3px}\
td:focus{outline:3px solid #1a4fd6}";
