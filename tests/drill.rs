//! Drills: the catalogue of drillable choice points, the skill profile, the
//! adaptive plan, and a drill played as a trainee would.

use crate::common::{bundled, guidance, scenario};
use ipt_trainer::core::drill::{Catalogue, WANTED_PER_PRINCIPLE};
use std::sync::Arc;

pub fn catalogue() -> (Catalogue, Arc<ipt_trainer::core::rubric::Guidance>) {
    let g = guidance();
    let scenarios: Vec<_> = bundled().iter().map(|p| scenario(p)).collect();
    (Catalogue::build(&scenarios, &g), g)
}

#[test]
fn every_principle_that_scores_has_enough_drills_in_the_bundle() {
    let (c, g) = catalogue();
    let coverage = c.coverage(&g);
    let short: Vec<String> = coverage
        .iter()
        .filter(|(_, n)| *n < WANTED_PER_PRINCIPLE)
        .map(|(id, n)| format!("{id}: {n}"))
        .collect();
    assert!(
        short.is_empty(),
        "principles with fewer than {WANTED_PER_PRINCIPLE} drills: {short:?}\nall: {coverage:?}"
    );
}

use ipt_trainer::core::drill::select::{PlanRequest, plan, target_difficulty};
use ipt_trainer::core::drill::sim::{Policy, simulate};
use ipt_trainer::core::drill::{Drill, DrillPoint, Schedule, SkillProfile};
use ipt_trainer::core::session::Session;
use std::collections::BTreeSet;

const T0: u64 = 1_800_000_000;

fn by_id(id: &str) -> Arc<ipt_trainer::core::model::Scenario> {
    bundled()
        .iter()
        .map(|p| scenario(p))
        .find(|s| s.id == id)
        .expect("the drill's scenario is bundled")
}

#[test]
fn a_drill_is_the_choice_point_exactly_as_a_session_reaches_it() {
    let (c, g) = catalogue();
    let ids: BTreeSet<&str> = c.points.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), c.points.len(), "drill ids are unique");
    for p in c.points.iter().step_by(7) {
        let s = by_id(&p.scenario_id);
        let d = Drill::start(p, s.clone(), g.clone()).expect("the route replays");
        let mut session = Session::new(s, g.clone(), p.seed).expect("starts");
        for &pos in &p.route {
            session.choose(pos).expect("the route is playable");
        }
        assert_eq!(d.prompt(), session.prompt(), "{}: same line, cue, options", p.id);
        assert_eq!(d.session().state(), session.state(), "{}: same client", p.id);
        assert_eq!(d.session().turns(), session.turns(), "{}: same transcript", p.id);
        assert_eq!(session.best_position(), Some(p.best), "{}", p.id);
        let tested = session.decision().expect("a drill point tests a skill");
        assert!(tested.principles.contains(&p.principle), "{}", p.id);
    }
}

fn wrong(p: &DrillPoint) -> usize {
    if p.best == 1 { 2 } else { 1 }
}

#[test]
fn a_miss_can_be_tried_once_more_and_both_answers_are_kept() {
    let (c, g) = catalogue();
    let p = &c.points[0];
    let mut d = Drill::start(p, by_id(&p.scenario_id), g.clone()).expect("starts");
    assert!(d.can_answer());
    let miss = d.answer(wrong(p)).expect("answers").feedback.clone();
    assert!(!miss.good);
    assert!(!miss.principle_name.is_empty() && !miss.source.is_empty());
    assert!(!miss.best.is_empty() && !miss.best_why.is_empty(), "says what was better and why");
    assert_ne!(miss.chosen, miss.best);
    assert!(d.can_answer(), "one retry after a miss");
    let retry = d.answer(p.best).expect("the retry").feedback.clone();
    assert!(retry.good);
    assert!(!d.can_answer() && d.is_done());
    assert!(d.answer(p.best).is_err(), "no third answer");
    let r = d.result(false, false).expect("answered");
    assert!(!r.first.good);
    assert!(r.retry.as_ref().is_some_and(|a| a.good && a.position == p.best));
    assert_eq!(r.principle, p.principle);

    let mut d = Drill::start(p, by_id(&p.scenario_id), g).expect("starts");
    assert!(d.answer(p.best).expect("answers").feedback.good);
    assert!(!d.can_answer(), "a good answer is final");
    assert!(d.answer(wrong(p)).is_err());
}

#[test]
fn a_drill_whose_scenario_changed_says_so() {
    let (c, g) = catalogue();
    let p = &c.points[c.points.len() / 2];
    let mut s = (*by_id(&p.scenario_id)).clone();
    for n in &mut s.nodes {
        if n.id == p.node {
            n.id = "renamed".into();
        }
        for o in &mut n.options {
            if o.next == p.node {
                o.next = "renamed".into();
            }
        }
    }
    let err = Drill::start(p, Arc::new(s), g).expect_err("the node is gone");
    assert!(err.to_string().contains(&p.node), "{err}");
}

#[test]
fn the_same_seed_gives_the_same_drills() {
    let (c, _) = catalogue();
    let profile = SkillProfile::default();
    let req = PlanRequest::any(10, T0);
    let a = plan(&profile, &c, &Schedule::default(), &req, 9);
    let b = plan(&profile, &c, &Schedule::default(), &req, 9);
    let other = plan(&profile, &c, &Schedule::default(), &req, 10);
    assert_eq!(a.len(), 10);
    assert_eq!(a, b);
    assert_ne!(a, other, "another seed, another mix");
    let scenarios: BTreeSet<&str> = a.iter().map(|s| s.point.scenario_id.as_str()).collect();
    assert!(scenarios.len() >= 5, "a session mixes clients: {scenarios:?}");
    for w in a.windows(2) {
        assert_ne!(w[0].point.scenario_id, w[1].point.scenario_id, "no client twice in a row");
    }
}

#[test]
fn a_plan_keeps_to_the_principles_and_areas_asked_for() {
    use ipt_trainer::core::model::ProblemArea;
    let (c, _) = catalogue();
    let req = PlanRequest {
        count: 6,
        principles: vec!["accept-emotion".into(), "repair-ruptures".into()],
        areas: vec![ProblemArea::Grief, ProblemArea::RoleDispute],
        now: T0,
    };
    let slots = plan(&SkillProfile::default(), &c, &Schedule::default(), &req, 1);
    assert_eq!(slots.len(), 6);
    for s in &slots {
        assert!(req.principles.contains(&s.point.principle));
        assert!(req.areas.contains(&s.point.area));
    }
}

#[test]
fn a_trainee_who_always_errs_on_one_principle_gets_it_in_most_drills() {
    let (c, _) = catalogue();
    let weak = "accept-emotion";
    let records = simulate(&c, Policy::Adaptive, 10, 10, T0, 3, |p| p.principle != weak);
    let late: Vec<_> = records[7..].iter().flat_map(|r| &r.results).collect();
    let on_weak = late.iter().filter(|r| r.principle == weak).count();
    assert!(
        on_weak * 2 > late.len(),
        "{on_weak} of {} late drills on {weak}",
        late.len()
    );
    // And in other clients' words: the weak skill is met across scenarios.
    let clients: BTreeSet<&str> = late
        .iter()
        .filter(|r| r.principle == weak)
        .map(|r| r.scenario_id.as_str())
        .collect();
    assert!(clients.len() >= 4, "{clients:?}");
}

#[test]
fn a_trainee_who_never_errs_gets_harder_drills_and_reaches_mastery() {
    let (c, g) = catalogue();
    let records = simulate(&c, Policy::Adaptive, 30, 10, T0, 4, |_| true);
    let mean = |r: &ipt_trainer::core::drill::DrillRecord| {
        r.results.iter().map(|d| f64::from(d.difficulty)).sum::<f64>() / r.results.len() as f64
    };
    let first = mean(&records[0]);
    let last = mean(&records[29]);
    assert!(last > first + 0.05, "difficulty {first:.2} at first, {last:.2} at the end");
    let profile = SkillProfile::from_records([], &records);
    let drillable = c.per_principle();
    let mastered: Vec<&str> = drillable
        .keys()
        .copied()
        .filter(|p| profile.skill(p).mastered())
        .collect();
    assert!(
        mastered.len() * 4 >= drillable.len() * 3,
        "mastered {} of {}: {mastered:?}",
        mastered.len(),
        drillable.len()
    );
    // The difficulty aimed at rises with the estimate.
    let any = drillable.keys().next().expect("a principle");
    assert!(target_difficulty(&profile, any) > target_difficulty(&SkillProfile::default(), any));
    let _ = g;
}

#[test]
fn a_missed_drill_comes_back_when_due_and_not_before() {
    let (c, _) = catalogue();
    let p = c.points[3].clone();
    let missed = simulate(
        &ipt_trainer::core::drill::Catalogue {
            points: vec![p.clone()],
        },
        Policy::Adaptive,
        1,
        1,
        T0,
        5,
        |_| false,
    );
    let schedule = Schedule::from_records(&missed);
    let due = schedule.cards[&p.id].due;
    let profile = SkillProfile::from_records([], &missed);
    let before = plan(&profile, &c, &schedule, &PlanRequest::any(6, due - 1), 1);
    let after = plan(&profile, &c, &schedule, &PlanRequest::any(6, due), 1);
    assert!(before.iter().all(|s| !s.review));
    let reviews: Vec<_> = after.iter().filter(|s| s.review).collect();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].point.id, p.id);
}
