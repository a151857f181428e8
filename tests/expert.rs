//! The expert case table (`tests/expert/cases.ron`): contexts, a move in
//! each, and the direction a supervisor expects each score and the client's
//! trust and distress to move, every case written from the source material
//! (and the standard IPT structure) before the rubric was tuned, citing the
//! principle it comes from. The rubric must agree with at least 95 % of the
//! judgements; the agreement and every disagreement are printed.

use crate::common::{guidance, root};
use ipt_trainer::core::model::{ClientState, Emotion, MoveKind, Phase, ProblemArea, Topic};
use ipt_trainer::core::rubric::{Evaluation, Guidance, MoveContext};
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Expect {
    Up,
    Down,
    Flat,
    NotUp,
    NotDown,
    Any,
}

impl Expect {
    /// `None` when the case makes no judgement.
    fn agrees(self, v: i32) -> Option<bool> {
        Some(match self {
            Expect::Up => v > 0,
            Expect::Down => v < 0,
            Expect::Flat => v == 0,
            Expect::NotUp => v <= 0,
            Expect::NotDown => v >= 0,
            Expect::Any => return None,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    rapport: Expect,
    pacing: Expect,
    focus: Expect,
    trust: Expect,
    distress: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Previous {
    #[serde(rename = "move")]
    kind: MoveKind,
    topic: Topic,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Context {
    area: ProblemArea,
    phase: Phase,
    trust: i32,
    distress: i32,
    openness: i32,
    minute: u32,
    session_minutes: u32,
    explored: u32,
    hesitant: bool,
    risk_pending: bool,
    emotion: Option<Emotion>,
    declines: bool,
    rupture: bool,
    tasks_done: Vec<String>,
    memory: Vec<String>,
    previous: Vec<Previous>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    principle: String,
    source: String,
    context: Context,
    #[serde(rename = "move")]
    kind: MoveKind,
    topic: Topic,
    expect: Expectation,
}

fn cases() -> Vec<Case> {
    let path = root().join("tests/expert/cases.ron");
    let text = std::fs::read_to_string(&path).expect("the case table");
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The case table names session tasks in plain words; these are the
/// rubric's tasks of the same kind (for any phase and area), and the move
/// that did each.
fn rubric_tasks(g: &Guidance, name: &str) -> (Vec<String>, Option<MoveKind>) {
    let (covering, by) = match name {
        "symptoms" => (vec![MoveKind::SymptomReview], MoveKind::SymptomReview),
        "sick-role" => (vec![MoveKind::SickRole], MoveKind::SickRole),
        "inventory" => (
            vec![MoveKind::InterpersonalInventory],
            MoveKind::InterpersonalInventory,
        ),
        "problem-area" => (
            vec![MoveKind::ProblemAreaFormulation],
            MoveKind::ProblemAreaFormulation,
        ),
        "time-limit" => (vec![MoveKind::TimeLimit], MoveKind::TimeLimit),
        "link-mood" => (vec![MoveKind::LinkMoodToEvents], MoveKind::LinkMoodToEvents),
        "review-progress" => (vec![MoveKind::ReviewProgress], MoveKind::ReviewProgress),
        "ending-feelings" => (
            vec![MoveKind::Validation, MoveKind::Reflection],
            MoveKind::Validation,
        ),
        "relapse-plan" => (vec![MoveKind::Psychoeducation], MoveKind::Psychoeducation),
        "goals-after" => (vec![MoveKind::GoalSetting], MoveKind::GoalSetting),
        other => panic!("the case table names an unknown task `{other}`"),
    };
    let ids = g
        .tasks
        .iter()
        .filter(|t| t.moves.iter().any(|m| covering.contains(m)))
        .map(|t| t.id.clone())
        .collect();
    (ids, Some(by))
}

fn evaluate(g: &Guidance, c: &Case) -> Evaluation {
    let x = &c.context;
    let mut done = BTreeSet::new();
    let mut used: BTreeSet<MoveKind> = x.previous.iter().map(|p| p.kind).collect();
    for t in &x.tasks_done {
        let (ids, by) = rubric_tasks(g, t);
        done.extend(ids);
        used.extend(by);
    }
    let memory: BTreeSet<String> = x.memory.iter().cloned().collect();
    let run = |same: &dyn Fn(&Previous, &Previous) -> bool| {
        x.previous.last().map_or(0, |last| {
            u32::try_from(
                x.previous
                    .iter()
                    .rev()
                    .take_while(|p| same(p, last))
                    .count(),
            )
            .unwrap_or(u32::MAX)
        })
    };
    let ctx = MoveContext {
        hesitant: x.hesitant,
        risk_pending: x.risk_pending,
        explored: x.explored,
        clock: x.minute,
        session_minutes: x.session_minutes,
        emotion: x.emotion,
        declines: x.declines,
        rupture: x.rupture,
        risk_open: memory.contains("risk-missed") && !memory.contains("safety-checked"),
        last_topic: x.previous.last().map(|p| p.topic),
        topic_run: run(&|p, last| p.topic == last.topic),
        last_move: x.previous.last().map(|p| p.kind),
        move_run: run(&|p, last| p.kind == last.kind),
        ..MoveContext::at_start(
            x.area,
            x.phase,
            ClientState {
                trust: x.trust,
                distress: x.distress,
                openness: x.openness,
            },
            &memory,
            &used,
            &done,
        )
    };
    g.evaluate(&ctx, c.kind, c.topic)
}

#[test]
#[allow(
    clippy::print_stdout,
    reason = "the agreement is printed for the tutor"
)]
fn the_rubric_agrees_with_the_expert_cases() {
    let g = guidance();
    let cases = cases();
    assert!(cases.len() >= 80, "at least 80 expert cases");
    let mut ids = BTreeSet::new();
    let (mut judged, mut agreed) = (0usize, 0usize);
    let mut disagreements = Vec::new();
    for c in &cases {
        assert!(ids.insert(c.id.as_str()), "case id `{}` twice", c.id);
        assert!(
            !c.principle.trim().is_empty() && !c.source.trim().is_empty(),
            "case `{}` cites no principle and source",
            c.id
        );
        let ev = evaluate(&g, c);
        let e = &c.expect;
        for (what, expect, got) in [
            ("rapport", e.rapport, ev.score.rapport),
            ("pacing", e.pacing, ev.score.pacing),
            ("focus", e.focus, ev.score.focus),
            ("trust", e.trust, ev.client.trust),
            ("distress", e.distress, ev.client.distress),
        ] {
            let Some(ok) = expect.agrees(got) else {
                continue;
            };
            judged += 1;
            if ok {
                agreed += 1;
            } else {
                disagreements.push(format!(
                    "  {} ({:?}, {:?}): {what} expected {expect:?}, the rubric gives {got:+}",
                    c.id, c.kind, c.topic
                ));
            }
        }
    }
    let share = agreed as f64 / judged.max(1) as f64;
    println!(
        "expert cases: {} cases, {agreed} of {judged} judgements agree ({:.1} %)",
        cases.len(),
        share * 100.0
    );
    for d in &disagreements {
        println!("{d}");
    }
    assert!(
        share >= 0.95,
        "the rubric agrees with {:.1} % of the expert judgements (needs 95 %):\n{}",
        share * 100.0,
        disagreements.join("\n")
    );
}
