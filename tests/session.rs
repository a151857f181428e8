//! The session engine as a trainee meets it: state moves, variants,
//! disclosures, rewinding, the better move, the debrief.

use crate::common::{fixture, guidance, scenario};
use ipt_trainer::core::debrief::Debrief;
use ipt_trainer::core::model::MoveKind;
use ipt_trainer::core::session::{Event, Session, SessionError};

fn small() -> Session {
    Session::new(scenario(&fixture("valid/small.ron")), guidance(), 42).expect("starts")
}

/// The 1-based shown position of the option with this move kind.
fn position_of(s: &Session, kind: MoveKind) -> usize {
    let node = s
        .scenario()
        .node(&s.prompt().expect("a prompt").node)
        .expect("node")
        .clone();
    s.prompt()
        .expect("prompt")
        .options
        .iter()
        .position(|o| node.options[o.index].kind == kind)
        .map_or_else(|| panic!("no {kind:?} option shown"), |p| p + 1)
}

#[test]
fn a_guarded_client_uses_the_guarded_line() {
    let s = small();
    // Starting trust 30 is below 35: the guarded variant.
    assert_eq!(
        s.prompt().expect("prompt").client_line,
        "I do not know why I am here."
    );
}

#[test]
fn good_moves_unlock_disclosures_and_options_bad_ones_do_not() {
    let mut good = small();
    good.choose(position_of(&good, MoveKind::OpenQuestion))
        .expect("move");
    let p = good.prompt().expect("prompt");
    assert_eq!(
        p.disclosures,
        vec!["I was not there when he died.".to_string()]
    );
    assert_eq!(
        p.options.len(),
        4,
        "the disclosure opens the reflection option"
    );

    let mut bad = small();
    bad.choose(position_of(&bad, MoveKind::PressForDetail))
        .expect("move");
    let p = bad.prompt().expect("prompt");
    assert!(p.disclosures.is_empty());
    assert_eq!(p.options.len(), 3);
    assert!(bad.state().trust < good.state().trust);
}

#[test]
fn the_same_seed_and_choices_give_the_same_session() {
    let a = Session::replay(
        scenario(&fixture("valid/small.ron")),
        guidance(),
        7,
        &[1, 2, 1],
    );
    let b = Session::replay(
        scenario(&fixture("valid/small.ron")),
        guidance(),
        7,
        &[1, 2, 1],
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.turns(), b.turns());
    assert_eq!(a.scores(), b.scores());
}

#[test]
fn different_seeds_shuffle_the_options() {
    let orders: std::collections::BTreeSet<Vec<usize>> = (0..20)
        .map(|seed| {
            let s =
                Session::new(scenario(&fixture("valid/small.ron")), guidance(), seed).expect("s");
            s.prompt()
                .expect("p")
                .options
                .iter()
                .map(|o| o.index)
                .collect()
        })
        .collect();
    assert!(orders.len() > 1, "option order never changes");
}

#[test]
fn bad_choices_are_errors_not_panics() {
    let mut s = small();
    assert_eq!(
        s.choose(0),
        Err(SessionError::NoSuchOption {
            given: 0,
            available: 3
        })
    );
    assert_eq!(
        s.choose(9),
        Err(SessionError::NoSuchOption {
            given: 9,
            available: 3
        })
    );
    while !s.is_ended() {
        s.choose(1).expect("move");
    }
    assert_eq!(s.choose(1), Err(SessionError::Ended));
}

#[test]
fn rewinding_restores_the_client_as_it_was() {
    let mut s = small();
    let mut states = vec![s.state()];
    s.choose(position_of(&s, MoveKind::OpenQuestion))
        .expect("1");
    states.push(s.state());
    s.choose(position_of(&s, MoveKind::PressForDetail))
        .expect("2");
    let back = s.rewind_to(2).expect("rewind");
    assert_eq!(back.turns().len(), 1);
    assert_eq!(back.state(), states[1]);
    assert_eq!(back.prompt(), s.rewind_to(2).expect("again").prompt());
    assert!(s.rewind_to(5).is_err());
}

#[test]
fn a_mistake_shows_the_better_move() {
    let mut s = small();
    s.choose(position_of(&s, MoveKind::PressForDetail))
        .expect("move");
    let t = &s.turns()[0];
    let better = t.better.as_ref().expect("a better move");
    assert_eq!(better.kind, MoveKind::OpenQuestion);
    assert!(better.gain > 0);
    assert!(!better.why.is_empty());
}

#[test]
fn the_debrief_explains_every_point() {
    let mut s = small();
    s.choose(position_of(&s, MoveKind::OpenQuestion))
        .expect("1");
    s.choose(position_of(&s, MoveKind::Reflection)).expect("2");
    let events = s.choose(position_of(&s, MoveKind::Summary)).expect("3");
    assert!(matches!(events.last(), Some(Event::Ended { ending, .. }) if ending == "mixed"));
    let d = Debrief::from_session(&s);
    for dim in &d.dimensions {
        // The score is the share of what was at stake that was kept, and
        // every point given up is named with a reason.
        let lost: i32 = dim.losses.iter().map(|l| l.points).sum();
        assert_eq!(dim.stake - dim.earned, lost, "{:?}", dim.dimension);
        assert!(dim.losses.iter().all(|l| !l.reason.is_empty()));
        let share = if dim.stake == 0 {
            100
        } else {
            (200 * dim.earned + dim.stake) / (2 * dim.stake)
        };
        assert_eq!(share, dim.score, "{:?}", dim.dimension);
        // Every point the moves earned or cost comes from a principle.
        let explained: i32 = dim.contributions.iter().map(|c| c.points).sum();
        let raw: i32 = d
            .turns
            .iter()
            .map(|t| t.score.get(dim.dimension))
            .chain(d.session_end.iter().map(|f| f.score.get(dim.dimension)))
            .sum();
        assert_eq!(explained, raw, "{:?}", dim.dimension);
    }
    // An initial session that skipped its tasks is told so; the one task
    // the scenario offers (the time limit) is charged at the end, the
    // others it never offers are not the trainee's to miss.
    assert!(d.tasks.iter().all(|t| !t.done));
    assert_eq!(d.session_end.len(), 1, "{:?}", d.session_end);
    assert_eq!(d.session_end[0].task, "initial-time-limit");
    let json = serde_json::to_string(&d).expect("json");
    assert!(json.contains("\"rapport\""));
}

#[test]
fn a_critical_error_caps_the_overall_score() {
    use ipt_trainer::core::load::load_scenario_str;
    let text = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    let risky = text.replace("id: \"loss\",", "id: \"loss\",\n            risk: true,");
    let sc = load_scenario_str(&risky, std::path::Path::new("risky.ron"))
        .into_result()
        .expect("valid");
    let mut s = Session::new(std::sync::Arc::new(sc), guidance(), 1).expect("s");
    s.choose(position_of(&s, MoveKind::OpenQuestion))
        .expect("1");
    s.choose(position_of(&s, MoveKind::Validation))
        .expect("2 passes over the risk");
    s.choose(1).expect("3");
    assert!(s.had_critical_error());
    let d = Debrief::from_session(&s);
    assert!(d.scores.overall <= d.critical_cap);
    assert_eq!(d.critical.len(), 1);
}

#[test]
fn a_conversation_that_never_ends_is_stopped_at_the_turn_limit() {
    use ipt_trainer::core::session::MAX_TURNS;
    // Two nodes that only lead to each other (`validate` refuses this; the
    // engine must still not run without end if handed it).
    let looping: ipt_trainer::core::model::Scenario = ron::from_str(
        r#"Scenario(id: "loop", title: "Loop", area: Grief, phase: Initial,
            client: (name: "L", age: 40),
            nodes: [
                (id: "a", client: [(text: "A")], options: [(text: "on", move: OpenQuestion, topic: Focal, next: "b", minutes: 1)]),
                (id: "b", client: [(text: "B")], options: [(text: "back", move: OpenQuestion, topic: Focal, next: "a", minutes: 1)]),
            ],
            endings: [(id: "end", title: "End", text: "Never reached.")])"#,
    )
    .expect("parses");
    let mut s = Session::new(std::sync::Arc::new(looping), guidance(), 1).expect("starts");
    let mut moves = 0;
    while !s.is_ended() {
        s.choose(1).expect("a move");
        moves += 1;
        assert!(moves <= MAX_TURNS, "ran past the limit");
    }
    assert_eq!(moves, MAX_TURNS);
    assert!(s.hit_turn_limit());
    assert!(s.ending().is_none());
    assert_eq!(s.choose(1), Err(SessionError::Ended));
}

#[test]
fn the_options_are_assessed_once_and_the_move_is_judged_as_shown() {
    let mut s = Session::new(scenario(&fixture("valid/small.ron")), guidance(), 4).expect("starts");
    while let Some(p) = s.best_position() {
        let shown: Vec<_> = s
            .assessed_options()
            .map(|(_, ev)| (ev.score, ev.critical))
            .collect();
        s.choose(p).expect("a move");
        let t = s.turns().last().expect("a turn");
        assert_eq!(
            (t.score, false),
            shown[p - 1],
            "the move scored as it was assessed"
        );
        assert!(t.better.is_none(), "the best option has nothing better");
    }
}

#[test]
fn every_point_given_up_in_a_bundled_scenario_says_why() {
    // Whatever a trainee picks, each dimension a move fell short on names
    // the better option and a reason, also where the better option earned
    // nothing there and only lost less than the move made.
    let g = crate::common::guidance();
    for f in crate::common::bundled() {
        let sc = crate::common::scenario(&f);
        for seed in 0..12u64 {
            let mut s = Session::new(sc.clone(), g.clone(), seed).expect("starts");
            let mut pick = seed as usize;
            while let Some(shown) = s.prompt().map(|p| p.options.len()) {
                pick = pick.wrapping_mul(7).wrapping_add(3);
                s.choose(1 + pick % shown).expect("a shown option");
            }
            for t in s.turns() {
                for l in &t.losses {
                    assert!(
                        !l.why.is_empty() && !l.instead.is_empty(),
                        "{} seed {seed}, turn {} ({:?}): {:?}",
                        sc.id,
                        t.number,
                        t.kind,
                        l
                    );
                }
            }
        }
    }
}
