//! The rubric's reactions to context. The case table of expected
//! directions is `tests/expert.rs` (written from the source material);
//! these check the mechanisms it rests on.

use crate::common::{fixture, guidance, scenario};
use ipt_trainer::core::model::{ClientState, MoveKind, Phase, ProblemArea, Topic};
use ipt_trainer::core::rubric::MoveContext;
use ipt_trainer::core::session::Session;
use std::collections::BTreeSet;

#[test]
fn the_same_move_scores_differently_in_different_states() {
    let g = guidance();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let ctx = |hesitant: bool, trust: i32| MoveContext {
        area: ProblemArea::Grief,
        phase: Phase::Middle,
        state: ClientState {
            trust,
            distress: 50,
            openness: 50,
        },
        memory: &memory,
        hesitant,
        risk_pending: false,
        explored: 3,
        used_moves: &used,
        tasks_done: &done,
        clock: 10,
        ..MoveContext::at_start(
            ProblemArea::Grief,
            Phase::Middle,
            ClientState::default(),
            &memory,
            &used,
            &done,
        )
    };
    let calm = g.evaluate(&ctx(false, 70), MoveKind::PressForDetail, Topic::Focal);
    let hesitant = g.evaluate(&ctx(true, 70), MoveKind::PressForDetail, Topic::Focal);
    assert!(hesitant.score.total() < calm.score.total());
    assert!(hesitant.client.trust < calm.client.trust);
}

#[test]
fn a_judgement_opens_a_rupture_that_slows_warmth_until_it_is_repaired() {
    use ipt_trainer::core::model::Scenario;
    // The same three choice points played two ways: a judgemental remark,
    // or a neutral closed question, first; then a validation; then, after
    // the judgement, a repair.
    let text = r#"Scenario(id: "rupture", title: "R", area: RoleDispute, phase: Middle,
        client: (name: "R", age: 40, start: (trust: 60, distress: 50, openness: 60)),
        nodes: [
            (id: "a", client: [(text: "A")], options: [
                (text: "judge", move: JudgementalRemark, topic: Focal, next: "b"),
                (text: "closed", move: ClosedQuestion, topic: Focal, next: "b"),
            ]),
            (id: "b", client: [(text: "B")], options: [
                (text: "validate", move: Validation, topic: Focal, next: "c"),
            ]),
            (id: "c", client: [(text: "C")], options: [
                (text: "repair", move: RepairRupture, topic: Focal, next: "d"),
                (text: "validate again", move: Validation, topic: Focal, next: "d"),
            ]),
            (id: "d", client: [(text: "D")], options: [
                (text: "validate once more", move: Validation, topic: Focal, next: "end"),
            ]),
        ],
        endings: [(id: "end", title: "E", text: "e")])"#;
    let s: Scenario = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .expect("parses");
    let s = std::sync::Arc::new(s);
    let play = |first: &str, third: &str| {
        let mut session = Session::steady(s.clone(), guidance(), 3).expect("starts");
        for want in [first, "validate", third, "validate once more"] {
            let p = session.prompt().expect("a prompt");
            let position = p
                .options
                .iter()
                .position(|o| o.text == want)
                .expect("shown")
                + 1;
            session.choose(position).expect("a move");
        }
        session
    };
    let trust_gain = |s: &Session, turn: usize| {
        let t = &s.turns()[turn];
        t.after.trust - t.before.trust
    };
    let judged = play("judge", "validate again");
    let neutral = play("closed", "validate again");
    let repaired = play("judge", "repair");
    assert!(
        judged.turns()[1].cue.rupture,
        "the client shows the rupture"
    );
    assert!(
        trust_gain(&judged, 1) < trust_gain(&neutral, 1),
        "warmth after a judgement builds trust more slowly"
    );
    assert!(
        trust_gain(&repaired, 3) > trust_gain(&judged, 3),
        "once repaired, warmth works as before"
    );
    assert!(!repaired.turns()[3].cue.rupture);
    let repair = &repaired.turns()[2];
    assert!(
        repair
            .fired
            .iter()
            .any(|f| f.principle == "repair-ruptures" && f.score.rapport > 0)
    );
}

#[test]
fn a_harmful_move_earns_nothing_else_in_its_turn() {
    // A judgemental remark about the focal problem keeps no topic credit and
    // covers no task; the withheld points are shown, not counted.
    let g = guidance();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let ctx = MoveContext {
        explored: 3,
        clock: 10,
        ..MoveContext::at_start(
            ProblemArea::RoleDispute,
            Phase::Middle,
            ClientState::default(),
            &memory,
            &used,
            &done,
        )
    };
    let ev = g.evaluate(&ctx, MoveKind::JudgementalRemark, Topic::Focal);
    assert!(ev.harm);
    assert!(ev.score.focus <= 0 && ev.score.pacing <= 0 && ev.score.rapport < 0);
    assert!(ev.tasks_covered.is_empty());
    // The reason that decided it comes first.
    assert_eq!(ev.fired[0].principle, "non-judgement");
    // A missed risk hint: the agenda move it came with covers no task.
    let risky = MoveContext {
        risk_pending: true,
        ..ctx.clone()
    };
    let ev = g.evaluate(&risky, MoveKind::CommunicationAnalysis, Topic::Focal);
    assert!(ev.critical && ev.tasks_covered.is_empty());
    assert!(
        ev.fired.iter().any(|f| !f.withheld.is_zero()),
        "the withheld gains are shown"
    );
    assert!(
        ev.client.distress > 0,
        "passing over the hint raises distress"
    );
    // And it stays open: later agenda moves cover nothing until safety is asked.
    let open = MoveContext {
        risk_open: true,
        ..ctx.clone()
    };
    let later = g.evaluate(&open, MoveKind::CommunicationAnalysis, Topic::Focal);
    assert!(later.tasks_covered.is_empty());
    let asked = g.evaluate(&open, MoveKind::SafetyCheck, Topic::Focal);
    assert!(asked.score.total() > 0);
}

#[test]
fn the_fixture_scenario_still_plays() {
    let s = scenario(&fixture("valid/small.ron"));
    let session = Session::replay(s, guidance(), 3, &[1, 1, 1]).expect("plays");
    assert!(session.is_ended());
}
