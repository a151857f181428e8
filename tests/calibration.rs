//! Every bundled scenario can reach all its nodes, endings and disclosures,
//! and its scale means the same as the others': the best route a
//! trainee can take scores at least 85 on rapport, pacing and focus; the
//! worst at most 20 on each; a plausible novice, who reaches for advice and
//! comfort, lands between 30 and 60 overall. Routes come from `analyze`
//! (best and worst overall) and are replayed through the session engine,
//! so the figures are what a trainee taking them would see.

use crate::common::{guidance, root, scenario};
use ipt_trainer::core::analysis::{Limits, Objective, Step, analyze};
use ipt_trainer::core::model::{MoveKind, Scenario};
use ipt_trainer::core::rubric::Guidance;
use ipt_trainer::core::session::{Scores, Session};
use std::sync::Arc;

/// Plays a route (node and option as in the file) through a steady session.
fn replay(s: &Arc<Scenario>, g: &Arc<Guidance>, steps: &[Step]) -> Scores {
    let mut session = Session::steady(s.clone(), g.clone(), 11).expect("starts");
    for step in steps {
        let prompt = session.prompt().expect("not ended").clone();
        assert_eq!(prompt.node, step.node, "the route stays on its nodes");
        let position = prompt
            .options
            .iter()
            .position(|o| o.index + 1 == step.option)
            .expect("the route's option is shown")
            + 1;
        session.choose(position).expect("the move is made");
    }
    assert!(session.is_ended());
    session.scores()
}

/// The novice's habits, most reached-for first: advice, comfort, facts,
/// a quick explanation. Where none is offered, the option the rubric rates
/// in the middle of those shown (a beginner is neither the best nor the
/// worst at everything else).
const NOVICE: [MoveKind; 4] = [
    MoveKind::PrematureAdvice,
    MoveKind::Reassurance,
    MoveKind::ClosedQuestion,
    MoveKind::Psychoeducation,
];

pub fn novice_session(s: &Arc<Scenario>, g: &Arc<Guidance>) -> Session {
    let mut session = Session::steady(s.clone(), g.clone(), 11).expect("starts");
    while let Some(prompt) = session.prompt().cloned() {
        let node = s.node(&prompt.node).expect("node");
        let kind = |i: usize| node.options[prompt.options[i].index].kind;
        let habit = NOVICE
            .iter()
            .find_map(|k| (0..prompt.options.len()).find(|&i| kind(i) == *k));
        let position = habit.unwrap_or_else(|| {
            let mut ranked: Vec<(usize, (bool, i32))> = session
                .assessed_options()
                .enumerate()
                .map(|(i, (_, ev))| (i, ev.rank()))
                .collect();
            ranked.sort_by_key(|(_, r)| *r);
            ranked[ranked.len() / 2].0
        }) + 1;
        session.choose(position).expect("a shown option");
    }
    session
}

fn check(file: &str) {
    let s = scenario(&root().join("scenarios").join(file));
    let g = guidance();
    let a = analyze(&s, &g, Limits::default()).expect("analyses");
    let overall = a
        .extremes
        .iter()
        .find(|x| x.objective == Objective::Overall)
        .expect("an overall extreme");
    // Every node, ending and disclosure can be reached, and no node is a
    // dead end (one analysis per scenario serves both checks).
    assert!(
        a.unreachable_nodes.is_empty(),
        "{file}: {:?}",
        a.unreachable_nodes
    );
    assert!(a.dead_ends.is_empty(), "{file}: {:?}", a.dead_ends);
    assert!(
        a.endings.iter().all(|e| e.reachable),
        "{file}: an ending cannot be reached"
    );
    assert!(
        a.disclosures.iter().all(|d| d.unlockable),
        "{file}: a disclosure cannot be unlocked"
    );
    assert!(
        !overall.best.critical,
        "{file}: the best route makes a serious error"
    );
    let best = replay(&s, &g, &overall.best.steps);
    // The analysis's figures are what the session gives (when it could
    // tell every client state apart; an approximate one may be a little off,
    // and the figures checked below are the replayed ones either way).
    assert!(
        !a.exact || best == overall.best.scores,
        "{file}: the best route replays to {best:?}, not the analysis's {:?}",
        overall.best.scores
    );
    let worst = replay(&s, &g, &overall.worst.steps);
    let novice = novice_session(&s, &g).scores();
    let each = |sc: Scores| [sc.rapport, sc.pacing, sc.focus];
    assert!(
        each(best).iter().all(|&v| v >= 85),
        "{file}: the best route scores {best:?}; every dimension should reach 85"
    );
    assert!(
        each(worst).iter().all(|&v| v <= 20),
        "{file}: the worst route scores {worst:?}; every dimension should be at most 20"
    );
    assert!(
        (30..=60).contains(&novice.overall),
        "{file}: the novice route scores {novice:?}; overall should be 30 to 60"
    );
}

macro_rules! calibrated {
    ($($name:ident: $file:literal,)*) => {$(
        #[test]
        fn $name() {
            check($file);
        }
    )*};
}

calibrated! {
    deficits_initial_leo: "deficits-initial-leo.ron",
    deficits_middle_aroha: "deficits-middle-aroha.ron",
    grief_initial_rosa: "grief-initial-rosa.ron",
    grief_middle_daniel: "grief-middle-daniel.ron",
    role_dispute_initial_priya: "role-dispute-initial-priya.ron",
    role_dispute_middle_hannah: "role-dispute-middle-hannah.ron",
    role_transition_initial_kenji: "role-transition-initial-kenji.ron",
    role_transition_termination_amara: "role-transition-termination-amara.ron",
    grief_termination_rosa: "grief-termination-rosa.ron",
    role_dispute_termination_priya: "role-dispute-termination-priya.ron",
    role_transition_middle_kenji: "role-transition-middle-kenji.ron",
    deficits_middle_leo: "deficits-middle-leo.ron",
    deficits_termination_leo: "deficits-termination-leo.ron",
    role_transition_termination_kenji: "role-transition-termination-kenji.ron",
    grief_middle_rosa: "grief-middle-rosa.ron",
    role_dispute_middle_priya: "role-dispute-middle-priya.ron",
}

#[test]
fn every_bundled_scenario_is_calibrated_here() {
    let listed = [
        "deficits-initial-leo.ron",
        "deficits-middle-aroha.ron",
        "grief-initial-rosa.ron",
        "grief-middle-daniel.ron",
        "role-dispute-initial-priya.ron",
        "role-dispute-middle-hannah.ron",
        "role-transition-initial-kenji.ron",
        "role-transition-termination-amara.ron",
        "grief-termination-rosa.ron",
        "role-dispute-termination-priya.ron",
        "role-transition-middle-kenji.ron",
        "deficits-middle-leo.ron",
        "deficits-termination-leo.ron",
        "role-transition-termination-kenji.ron",
        "grief-middle-rosa.ron",
        "role-dispute-middle-priya.ron",
    ];
    for f in crate::common::bundled() {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(listed.contains(&name), "{name} has no calibration test");
    }
}

#[test]
#[ignore = "prints the novice route turn by turn"]
#[allow(
    clippy::print_stdout,
    reason = "a tool for scenario writers: it prints the route"
)]
fn print_novice() {
    for f in crate::common::bundled() {
        let s = scenario(&f);
        let g = guidance();
        let n = novice_session(&s, &g);
        println!("== {} {:?}", s.id, n.scores());
        for t in n.turns() {
            println!(
                "  {:24} {:22?} {:?} earned {:?} stake {:?}",
                t.node, t.kind, t.topic, t.points.earned, t.points.stake
            );
        }
        for f in n.end_fired() {
            println!("  END {} {:?}", f.feedback, f.score);
        }
    }
}
