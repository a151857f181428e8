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
        assert_eq!(
            d.prompt(),
            session.prompt(),
            "{}: same line, cue, options",
            p.id
        );
        assert_eq!(
            d.session().state(),
            session.state(),
            "{}: same client",
            p.id
        );
        assert_eq!(
            d.session().turns(),
            session.turns(),
            "{}: same transcript",
            p.id
        );
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
    assert!(
        !miss.best.is_empty() && !miss.best_why.is_empty(),
        "says what was better and why"
    );
    assert_ne!(miss.chosen, miss.best);
    assert!(d.can_answer(), "one retry after a miss");
    let retry = d.answer(p.best).expect("the retry").feedback.clone();
    assert!(retry.good);
    assert!(!d.can_answer() && d.is_done());
    assert!(d.answer(p.best).is_err(), "no third answer");
    let r = d.result(false, false).expect("answered");
    assert!(!r.first.good);
    assert!(
        r.retry
            .as_ref()
            .is_some_and(|a| a.good && a.position == p.best)
    );
    assert_eq!(r.principle, p.principle);

    let mut d = Drill::start(p, by_id(&p.scenario_id), g).expect("starts");
    assert!(d.answer(p.best).expect("answers").feedback.good);
    assert!(!d.can_answer(), "a good answer is final");
    assert!(d.answer(wrong(p)).is_err());
}

#[test]
fn a_move_that_ends_the_session_is_told_as_the_ending_not_as_the_clients_words() {
    let (c, g) = catalogue();
    let (mut endings, mut lines) = (0, 0);
    for p in &c.points {
        let s = by_id(&p.scenario_id);
        for position in 1..=p.options {
            let mut d = Drill::start(p, s.clone(), g.clone()).expect("starts");
            let f = d.answer(position).expect("answers").feedback.clone();
            if f.ended {
                endings += 1;
                let ending = s
                    .endings
                    .iter()
                    .find(|o| f.reaction == format!("{}. {}", o.title, o.text));
                assert!(
                    ending.is_some(),
                    "{}: {:?} is an ending's words",
                    p.id,
                    f.reaction
                );
            } else {
                lines += 1;
                assert!(
                    !s.endings.iter().any(|o| f.reaction.contains(&o.text)),
                    "{}: a client's line, not an ending",
                    p.id
                );
            }
        }
    }
    assert!(
        endings > 0 && lines > 0,
        "both kinds were seen: {endings} endings, {lines} lines"
    );
}

#[test]
fn the_summary_of_a_session_of_drills_counts_each_skill_once_with_its_retries() {
    let (c, g) = catalogue();
    let first = &c.points[0];
    let same = c
        .points
        .iter()
        .skip(1)
        .find(|p| p.principle == first.principle)
        .expect("two drills on one principle");
    let other = c
        .points
        .iter()
        .find(|p| p.principle != first.principle)
        .expect("another principle");
    let run = |p: &DrillPoint, answers: &[usize]| {
        let mut d = Drill::start(p, by_id(&p.scenario_id), g.clone()).expect("starts");
        for &a in answers {
            d.answer(a).expect("answers");
        }
        d.result(false, false).expect("answered")
    };
    let record = ipt_trainer::core::drill::DrillRecord {
        format: ipt_trainer::core::drill::DRILL_FORMAT.into(),
        version: ipt_trainer::core::drill::DRILL_VERSION,
        trainee: "Sam".into(),
        rubric_version: g.version.clone(),
        plan: None,
        seed: 1,
        finished_at: 0,
        results: vec![
            run(first, &[wrong(first), first.best]),
            run(other, &[other.best]),
            run(same, &[same.best]),
        ],
    };
    let mut profile = ipt_trainer::core::drill::SkillProfile::default();
    profile.add_drills(&record);
    let lines = record.by_principle(&profile);
    assert_eq!(lines.len(), 2, "one line per skill: {lines:?}");
    assert_eq!(
        lines[0].principle, first.principle,
        "in the order they came up"
    );
    assert_eq!(
        (lines[0].drills, lines[0].first_time, lines[0].on_retry),
        (2, 1, 1)
    );
    assert_eq!(
        (lines[1].drills, lines[1].first_time, lines[1].on_retry),
        (1, 1, 0)
    );
    assert_eq!(lines[0].now, profile.skill(&first.principle));
    assert!(lines[0].now.chances >= 2, "the estimate counts the drills");
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
    assert!(
        scenarios.len() >= 5,
        "a session mixes clients: {scenarios:?}"
    );
    for w in a.windows(2) {
        assert_ne!(
            w[0].point.scenario_id, w[1].point.scenario_id,
            "no client twice in a row"
        );
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
    let (c, _) = catalogue();
    let records = simulate(&c, Policy::Adaptive, 30, 10, T0, 4, |_| true);
    let mean = |r: &ipt_trainer::core::drill::DrillRecord| {
        r.results
            .iter()
            .map(|d| f64::from(d.difficulty))
            .sum::<f64>()
            / r.results.len() as f64
    };
    let first = mean(&records[0]);
    let last = mean(&records[29]);
    assert!(
        last > first + 0.05,
        "difficulty {first:.2} at first, {last:.2} at the end"
    );
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

mod records_and_plans {
    use super::*;
    use ipt_trainer::core::load::load_drill_plan_str;
    use ipt_trainer::core::store::{Store, read_records};
    use std::path::Path;
    use std::process::Command;

    #[test]
    fn drills_are_kept_beside_sessions_and_read_back_as_their_own_kind() {
        let (c, _) = catalogue();
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        let records = simulate(&c, Policy::Adaptive, 2, 4, T0, 1, |p| p.best % 2 == 0);
        for r in &records {
            store.save_drills(r).expect("saved");
        }
        // A session's record beside them.
        let g = guidance();
        let s = by_id(&c.points[0].scenario_id);
        let mut session = Session::new(s, g, 1).expect("starts");
        while let Some(b) = session.best_position() {
            session.choose(b).expect("moves");
        }
        let attempt = ipt_trainer::core::store::AttemptRecord::from_session(&session, "Ana", true);
        store.save_attempt(&attempt).expect("saved");

        let (attempts, drills, problems) = store.load_all();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(attempts.len(), 1);
        assert_eq!(drills, records);
        let (only_sessions, problems) = read_records(&store.records_dir());
        assert_eq!(
            only_sessions.len(),
            1,
            "History's session list has no drills in it"
        );
        assert!(
            problems.is_empty(),
            "a record of drills is not a damaged session"
        );

        // The profile reads both: the session's tested choice points too.
        let tested: usize = attempt.debrief.turns.iter().map(|t| t.tested.len()).sum();
        assert!(
            tested > 0,
            "a best route meets choice points that test skills"
        );
        let from_both = SkillProfile::from_records(&attempts, &drills);
        let from_drills = SkillProfile::from_records([], &drills);
        let chances = |p: &SkillProfile| p.skills.values().map(|s| s.chances).sum::<u32>();
        assert_eq!(chances(&from_both), chances(&from_drills) + tested as u32);
    }

    #[test]
    fn a_damaged_record_of_drills_is_reported_not_fatal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        std::fs::create_dir_all(store.records_dir()).expect("dir");
        let bad = r#"{"format":"ipt-trainer/drills","version":1,"trainee":"x","rubric_version":"r","seed":1,"finished_at":5,"results":[]}"#;
        std::fs::write(store.records_dir().join("drills-bad.json"), bad).expect("written");
        let (_, drills, problems) = store.load_all();
        assert!(drills.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].to_string().contains("finished_at"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn a_drill_plan_names_what_is_wrong_and_where() {
        let g = guidance();
        let text = "DrillPlan(\n    title: \"Week 3\",\n    principles: [\"safety-first\", \"aliance\"],\n    count: 80,\n)\n";
        let loaded = load_drill_plan_str(text, Path::new("week3.drill.ron"), &g);
        let msgs: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(loaded.diagnostics.len(), 2, "{msgs:?}");
        let unknown = loaded
            .diagnostics
            .iter()
            .find(|d| d.message.contains("aliance"))
            .expect("the unknown principle");
        let at = unknown.position.expect("a place");
        assert_eq!(
            (at.line, at.column),
            (3, 34),
            "the opening quote of \"aliance\""
        );
        let hint = unknown.hint.as_deref().unwrap_or_default();
        assert!(hint.contains("alliance"), "{hint}");
        let count = loaded
            .diagnostics
            .iter()
            .find(|d| d.message.contains("count"))
            .expect("the count");
        assert_eq!(count.position.expect("a place").line, 4);

        let typo = load_drill_plan_str(
            "DrillPlan(title: \"x\", cont: 3)",
            Path::new("p.drill.ron"),
            &g,
        );
        let hint = typo.diagnostics[0].hint.as_deref().unwrap_or_default();
        assert!(hint.contains("count"), "{:?}", typo.diagnostics);

        let fine = load_drill_plan_str(
            "DrillPlan(title: \"Risk\", principles: [\"safety-first\"], areas: [Grief])",
            Path::new("p.drill.ron"),
            &g,
        );
        let plan = fine.into_result().expect("loads");
        assert_eq!(plan.count, 10, "ten drills unless the plan says");
    }

    fn cli(data: &Path, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
            .args(args)
            .env("IPT_TRAINER_DATA", data)
            .current_dir(crate::common::root())
            .output()
            .expect("runs")
    }

    #[test]
    fn the_terminal_drills_record_both_answers_and_follow_a_plan() {
        let data = tempfile::tempdir().expect("temp dir");
        let out = cli(
            data.path(),
            &[
                "drill",
                "--seed",
                "4",
                "--count",
                "2",
                "--principle",
                "time-limit",
                "--choices",
                "1:2,1,1,1",
                "--json",
                "--no-save",
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let record: ipt_trainer::core::drill::DrillRecord =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
        assert!(record.results.iter().all(|r| r.principle == "time-limit"));
        let first = &record.results[0];
        assert_eq!(first.first.position, 1);
        assert!(
            !first.first.good || first.retry.is_none(),
            "no retry after a good answer"
        );
        if !first.first.good {
            assert_eq!(
                first.retry.as_ref().map(|a| a.position),
                Some(2),
                "the retry is kept"
            );
        }
        assert!(
            !data.path().join("records").exists(),
            "--no-save keeps nothing"
        );

        let plan = data.path().join("risk.drill.ron");
        std::fs::write(
            &plan,
            "DrillPlan(title: \"Risk week\", principles: [\"safety-first\"], count: 2)",
        )
        .expect("plan");
        let out = cli(
            data.path(),
            &[
                "drill",
                "--seed",
                "1",
                "--plan",
                &plan.to_string_lossy(),
                "--choices",
                "1,1,1,1",
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("Risk week"), "{stdout}");
        let (_, drills, _) = Store::new(data.path()).load_all();
        assert_eq!(drills.len(), 1, "saved to the trainee's records");
        assert_eq!(drills[0].plan.as_deref(), Some("Risk week"));
        assert!(
            drills[0]
                .results
                .iter()
                .all(|r| r.principle == "safety-first")
        );
    }

    #[test]
    fn the_terminal_drill_refuses_bad_requests_clearly() {
        let data = tempfile::tempdir().expect("temp dir");
        let out = cli(data.path(), &["drill", "--principle", "aliance"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `alliance`?"));
        let plan = data.path().join("bad.drill.ron");
        std::fs::write(
            &plan,
            "DrillPlan(\n  title: \"x\",\n  principles: [\"nope\"],\n)",
        )
        .expect("plan");
        let out = cli(data.path(), &["drill", "--plan", &plan.to_string_lossy()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.contains("bad.drill.ron:3:16"), "{err}");
        assert!(err.contains("unknown principle `nope`"), "{err}");
    }

    #[test]
    fn validate_and_lint_check_drill_plans_in_a_folder_and_do_not_take_them_for_scenarios() {
        let data = tempfile::tempdir().expect("temp dir");
        let folder = data.path().join("course");
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join("week3.drill.ron"),
            "DrillPlan(\n  title: \"Week 3\",\n  principles: [\"saftey-first\"],\n)",
        )
        .expect("plan");
        for command in ["validate", "lint"] {
            let out = cli(data.path(), &[command, &folder.to_string_lossy()]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{command}: {err}");
            assert!(err.contains("week3.drill.ron:3:16"), "{command}: {err}");
            assert!(
                err.contains("did you mean `safety-first`?"),
                "{command}: {err}"
            );
            assert!(
                !err.contains("expected") && !err.contains("Scenario"),
                "{command} read the plan as a scenario: {err}"
            );
        }
        std::fs::write(
            folder.join("week3.drill.ron"),
            "DrillPlan(title: \"Week 3\", principles: [\"safety-first\"])",
        )
        .expect("plan");
        let out = cli(data.path(), &["validate", &folder.to_string_lossy()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_class_report_shows_each_trainees_skills_and_the_class_weakest_with_the_drills_behind() {
    use ipt_trainer::core::report::{ReportOptions, build};
    use ipt_trainer::core::store::Store;
    let (c, _) = catalogue();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::new(dir.path());
    for (who, weak, seed) in [
        ("Ana", "repair-ruptures", 1),
        ("Ben", "repair-ruptures", 2),
        ("Cleo", "alliance", 3),
    ] {
        for mut r in simulate(&c, Policy::Adaptive, 3, 10, T0, seed, |p| {
            p.principle != weak
        }) {
            r.trainee = who.into();
            store.save_drills(&r).expect("saved");
        }
    }
    let report = build(&store.records_dir(), &ReportOptions::default()).expect("report");
    assert!(
        report.problems.is_empty(),
        "records of drills are read, not skipped: {:?}",
        report.problems
    );
    assert_eq!(report.drills.len(), 9);
    let class = report.class_skills();
    assert_eq!(
        class[0].principle, "repair-ruptures",
        "two of three trainees miss it every time"
    );
    assert_eq!(class[0].below_half, 2);
    let missed = &class[0].points[0];
    assert!(
        missed.misses > 0 && missed.drilled,
        "the drill behind it is named: {missed:?}"
    );
    let profiles = report.skill_profiles();
    assert_eq!(profiles.len(), 3);
    let cleo = profiles.iter().find(|t| t.trainee == "Cleo").expect("Cleo");
    assert_eq!(cleo.profile.weakest()[0].0, "alliance");
    let html = report.html();
    let section = &html[html
        .find("<section id=\"skills\"")
        .expect("a skills section")..];
    assert!(
        section.contains("Repair a rupture in the alliance"),
        "principles by name"
    );
    assert!(section.contains(&missed.node), "the choice point missed");
    let anon = build(
        &store.records_dir(),
        &ReportOptions {
            anonymize: true,
            ..ReportOptions::default()
        },
    )
    .expect("report");
    assert!(
        !anon.html().contains("Cleo"),
        "names are replaced in drills too"
    );
}
