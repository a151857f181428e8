//! Cases: a course of sessions with one client. Loading errors point into
//! the case file; each bundled case plays through on its sessions'
//! walkthroughs; any route reaches the last session's ending, and the same
//! seed and choices give the same course; what session 1 agreed changes
//! what the client says later; the client carries the last session over.

use crate::common::{guidance, root, walkthrough};
use ipt_trainer::core::case::{CaseBundle, Course, GUARDED, NEAR_BEST};
use ipt_trainer::core::diagnostic::{Code, Diagnostic};
use ipt_trainer::core::load;
use ipt_trainer::core::model::MoveKind;
use ipt_trainer::core::review::{CourseReview, Judgement, review};
use ipt_trainer::core::session::Session;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn cases() -> Vec<PathBuf> {
    load::case_files(&root().join("scenarios")).expect("scenarios/ is readable")
}

fn bundle(path: &Path) -> Arc<CaseBundle> {
    let loaded = load::load_case_file(path, &guidance());
    let problems: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    Arc::new(
        loaded
            .value
            .unwrap_or_else(|| panic!("{} does not load: {problems:#?}", path.display())),
    )
}

fn by_id(id: &str) -> Arc<CaseBundle> {
    bundle(&root().join("scenarios").join(format!("{id}.case.ron")))
}

/// Loads a case written into a temporary folder beside copies of two
/// bundled scenarios (`first.ron`, `second.ron`).
fn load_in_temp(case: &str) -> (tempfile::TempDir, Vec<Diagnostic>, bool) {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, from) in [
        ("first.ron", "grief-initial-rosa.ron"),
        ("second.ron", "grief-termination-rosa.ron"),
    ] {
        std::fs::copy(root().join("scenarios").join(from), dir.path().join(name)).expect("copy");
    }
    let path = dir.path().join("t.case.ron");
    std::fs::write(&path, case).expect("write");
    let loaded = load::load_case_file(&path, &guidance());
    let usable = loaded.value.is_some();
    (dir, loaded.diagnostics, usable)
}

fn case_text(sessions: &str) -> String {
    format!(
        "Case(\n    id: \"t\",\n    title: \"T\",\n    client: \"Rosa Delgado\",\n    total: 14,\n    sessions: [\n{sessions}    ],\n)\n"
    )
}

fn one(ds: &[Diagnostic], code: Code) -> &Diagnostic {
    let found: Vec<&Diagnostic> = ds.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "one {code}: {ds:#?}");
    found[0]
}

#[test]
fn case_errors_name_the_file_line_and_column_and_how_to_fix() {
    // A session file that is not there.
    let (dir, ds, usable) = load_in_temp(&case_text(
        "        (number: 1, file: \"first.ron\"),\n        (number: 6, file: \"missing.ron\"),\n",
    ));
    assert!(!usable);
    let d = one(&ds, Code::E018);
    assert_eq!(d.file, dir.path().join("t.case.ron"));
    let at = d.position.expect("placed");
    assert_eq!((at.line, at.column), (8, 27), "at the file name: {d}");
    assert!(d.message.contains("cannot be read"), "{d}");
    assert!(d.message.contains("missing.ron"), "{d}");
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("relative to this case file"))
    );

    // Session numbers out of order, and past the course's total.
    let (_dir, ds, usable) = load_in_temp(&case_text(
        "        (number: 6, file: \"first.ron\"),\n        (number: 2, file: \"second.ron\"),\n        (number: 15, file: \"second.ron\"),\n",
    ));
    assert!(!usable);
    let order: Vec<&Diagnostic> = ds.iter().filter(|d| d.code == Code::E008).collect();
    assert_eq!(order.len(), 2, "{ds:#?}");
    assert!(order[0].message.contains("must rise"), "{}", order[0]);
    assert_eq!(order[0].position.map(|p| (p.line, p.column)), Some((8, 18)));
    assert!(order[1].message.contains("outside the course's 1 to 14"));

    // A carry-over condition that names nothing an earlier session sets,
    // and one that cannot hold before the first session.
    let (_dir, ds, usable) = load_in_temp(&case_text(
        "        (number: 1, file: \"first.ron\", before: [(text: \"x\", when: (earlier: [\"time-limit\"]))]),\n        (number: 6, file: \"second.ron\", before: [(text: \"y\", when: (earlier: [\"tme-limit\"]))]),\n",
    ));
    assert!(usable, "a warning does not stop the case: {ds:#?}");
    let w: Vec<&Diagnostic> = ds.iter().filter(|d| d.code == Code::W002).collect();
    assert_eq!(w.len(), 2, "{ds:#?}");
    assert!(
        w[0].message
            .contains("first session has no session before it")
    );
    assert_eq!(w[1].position.map(|p| p.line), Some(8));
    assert_eq!(w[1].hint.as_deref(), Some("did you mean `time-limit`?"));

    // A session that is the case itself, and one about another client.
    let (_dir, ds, _) = load_in_temp(&case_text("        (number: 1, file: \"t.case.ron\"),\n"));
    assert!(
        one(&ds, Code::E018)
            .message
            .contains("is a case, not a scenario")
    );
    let (_dir, ds, _) = load_in_temp(
        &case_text("        (number: 1, file: \"first.ron\"),\n")
            .replace("Rosa Delgado", "Rosa D."),
    );
    assert!(one(&ds, Code::W024).message.contains("about Rosa Delgado"));
}

#[test]
fn a_case_of_too_many_sessions_is_refused_without_reading_them_all() {
    let many = "        (number: 1, file: \"first.ron\"),\n".repeat(5000);
    let (_dir, ds, usable) = load_in_temp(&case_text(&many));
    assert!(!usable);
    assert!(
        ds.iter()
            .any(|d| d.code == Code::E008 && d.message.contains("more than 40"))
    );
    // Only the first 40 were looked at: one complaint about the list, and
    // one per repeated number among the 40 (39), no more.
    assert_eq!(ds.iter().filter(|d| d.code == Code::E008).count(), 40);
}

#[test]
fn every_bundled_case_plays_through_on_its_sessions_walkthroughs() {
    let files = cases();
    assert!(files.len() >= 4, "a case per problem area");
    let g = guidance();
    let mut areas = std::collections::BTreeSet::new();
    for f in files {
        let b = bundle(&f);
        assert!(b.scenarios.len() >= 2, "{}: sessions", f.display());
        areas.insert(b.scenarios[0].area.label());
        let choices: Vec<Vec<usize>> = b.scenarios.iter().map(|s| walkthrough(&s.id)).collect();
        let (course, sessions) =
            Course::play_through(b.clone(), &g, 2026, &choices).expect("the course plays");
        assert!(course.is_complete());
        for (s, d) in sessions.iter().zip(&course.done) {
            assert!(s.is_ended(), "{}: session {} ends", b.case.id, d.number);
            let sc = d.scores;
            assert!(
                sc.rapport >= 85 && sc.pacing >= 85 && sc.focus >= 85,
                "{} session {}: the best route scores {sc:?} in the course",
                b.case.id,
                d.number
            );
        }
    }
    assert_eq!(areas.len(), 4, "one case per problem area: {areas:?}");
}

/// Plays every session of `b` with random choices from `seed`.
fn random_course(b: &Arc<CaseBundle>, seed: u64) -> Course {
    let g = guidance();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut course = Course::new(b.clone());
    while !course.is_complete() {
        let mut s = course.start_next(g.clone(), seed).expect("starts");
        while let Some(p) = s.prompt() {
            let n = p.options.len();
            s.choose(rng.random_range(1..=n)).expect("a shown option");
        }
        course.finish(&s).expect("the next session, ended");
    }
    course
}

#[test]
fn any_route_through_a_bundled_case_reaches_the_last_ending_and_replays_the_same() {
    for f in cases() {
        let b = bundle(&f);
        for seed in 0..12 {
            let course = random_course(&b, seed);
            assert_eq!(course.done.len(), b.scenarios.len());
            let last = course.done.last().expect("a last session");
            assert!(!last.ending.is_empty(), "{} seed {seed}: ends", b.case.id);
            let again = random_course(&b, seed);
            assert_eq!(
                course.done, again.done,
                "{} seed {seed}: the same course",
                b.case.id
            );
        }
    }
}

/// Rosa's case played up to its last session (13) with or without agreeing
/// the time limit (in session 1, and not in any session after it either),
/// then the opening of session 13.
fn rosa_after(time_limit: bool) -> (Course, Session) {
    let b = by_id("grief-rosa");
    let g = guidance();
    let before_last = b.scenarios.len() - 1;
    'seeds: for seed in 0..400 {
        let mut course = Course::new(b.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..before_last {
            let mut s = course.start_next(g.clone(), 2026).expect("starts");
            while let Some(p) = s.prompt() {
                // The best move each time; without the time limit, the best
                // that is not agreeing it (a random one if none is).
                let node = s.scenario().node(&p.node).expect("node").clone();
                let ranked: Vec<(usize, (bool, i32))> = s
                    .assessed_options()
                    .enumerate()
                    .filter(|(i, _)| {
                        time_limit || node.options[p.options[*i].index].kind != MoveKind::TimeLimit
                    })
                    .map(|(i, (_, ev))| (i + 1, ev.rank()))
                    .collect();
                let pick = ranked
                    .iter()
                    .max_by_key(|(_, r)| *r)
                    .map_or_else(|| rng.random_range(1..=p.options.len()), |(i, _)| *i);
                s.choose(pick).expect("shown");
            }
            course.finish(&s).expect("finished");
            // Session 1 agreed it (or not), and no later session changed that.
            let agreed = course.done.iter().any(|d| d.flags.contains("time-limit"));
            let first = course.done[0].flags.contains("time-limit");
            if first != time_limit || agreed != time_limit {
                continue 'seeds;
            }
        }
        let next = course.start_next(g.clone(), 2026).expect("session 13");
        return (course, next);
    }
    panic!("no route found with time limit = {time_limit}");
}

#[test]
fn an_agreement_in_session_one_changes_what_the_client_says_later() {
    let (_, agreed) = rosa_after(true);
    let line = &agreed.prompt().expect("speaks").client_line;
    assert!(line.contains("fourteen we agreed"), "{line}");
    let (course, not_agreed) = rosa_after(false);
    let line = &not_agreed.prompt().expect("speaks").client_line;
    assert!(line.contains("never knew how many"), "{line}");
    // And the event that depends on it happened only without it.
    let between = {
        let mut c = Course::new(course.bundle.clone());
        c.done = course.done.clone();
        c.between().expect("session 13 is next")
    };
    assert!(
        between
            .events
            .iter()
            .any(|e| e.text.contains("Nobody has said"))
    );
    // Played on its own, the scenario (session 13) says what it always said.
    let last = by_id("grief-rosa")
        .scenarios
        .last()
        .expect("a last session")
        .clone();
    let alone = Session::new(last, guidance(), 2026).expect("starts");
    let line = &alone.prompt().expect("speaks").client_line;
    assert!(
        !line.contains("fourteen we agreed") && !line.contains("never knew"),
        "{line}"
    );
}

#[test]
fn the_client_carries_the_last_session_over_and_arrives_guarded_after_being_pressed() {
    let b = by_id("grief-rosa");
    let g = guidance();
    // Played as well as the rubric can: the next session starts where its
    // author put it (and the events move it).
    let best: Vec<Vec<usize>> = vec![walkthrough("grief-initial-rosa")];
    let mut course = Course::new(b.clone());
    let mut s = course.start_next(g.clone(), 2026).expect("starts");
    for &p in &best[0] {
        s.choose(p).expect("shown");
    }
    let done = course.finish(&s).expect("finished").clone();
    let after_best = course.between().expect("next");
    let own = b.scenarios[1].client.start;
    let events: i32 = after_best.events.iter().map(|e| e.trust).sum();
    let gap = done.end.trust - done.expected_end.trust;
    assert!(
        gap.abs() <= NEAR_BEST,
        "the best route ends near the best-played end: {gap}"
    );
    assert_eq!(
        after_best.carried.state.trust,
        (own.trust + events).clamp(0, 100)
    );

    // A session that pressed her: she arrives less trusting and more guarded.
    let mut worst: Option<Course> = None;
    for seed in 0..400 {
        let c = random_course_first(&b, seed);
        if c.done[0].flags.contains("pressed") {
            worst = Some(c);
            break;
        }
    }
    let worst = worst.expect("a route that presses her");
    let between = worst.between().expect("next");
    assert!(
        between
            .guarded
            .as_deref()
            .is_some_and(|g| g.contains("pressed"))
    );
    assert!(
        between.carried.state.trust < after_best.carried.state.trust,
        "pressed: {} vs best {}",
        between.carried.state.trust,
        after_best.carried.state.trust
    );
    assert!(
        between.carried.state.openness <= after_best.carried.state.openness - GUARDED + 8,
        "more guarded: openness {} vs {}",
        between.carried.state.openness,
        after_best.carried.state.openness
    );
    // Played well, nothing carries; pressed, the trust lost carries.
    assert_eq!(
        after_best.from_last,
        ipt_trainer::core::model::Adjust::default()
    );
    assert!(between.from_last.trust < 0, "{:?}", between.from_last);

    // The course's debrief names both, as coming from session 1.
    let mut worst = worst;
    let mut second = worst.start_next(g.clone(), 2026).expect("session 7");
    while let Some(p) = second.best_position() {
        second.choose(p).expect("shown");
    }
    worst.finish(&second).expect("finished");
    let moments = ipt_trainer::core::shaping::moments(&worst.bundle, &worst.done, &g);
    let arrivals: Vec<_> = moments
        .iter()
        .filter(|m| m.kind == ipt_trainer::core::shaping::MomentKind::Arrival)
        .collect();
    assert_eq!(arrivals.len(), 2, "{moments:#?}");
    assert!(arrivals.iter().all(|m| m.session == 7 && m.from == [1]));
    assert!(
        arrivals[0].what.contains("trust") && arrivals[0].what.contains("lower"),
        "{arrivals:#?}"
    );
    assert!(arrivals[1].what.contains("pressed"), "{arrivals:#?}");
}

/// Only the first session of `b`, random choices.
fn random_course_first(b: &Arc<CaseBundle>, seed: u64) -> Course {
    let g = guidance();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut course = Course::new(b.clone());
    let mut s = course.start_next(g, 2026).expect("starts");
    while let Some(p) = s.prompt() {
        let n = p.options.len();
        s.choose(rng.random_range(1..=n)).expect("shown");
    }
    course.finish(&s).expect("finished");
    course
}

#[test]
fn the_terminal_plays_a_case_and_records_each_session_with_its_place_in_the_case() {
    let dir = tempfile::tempdir().expect("tmp");
    let b = by_id("deficits-leo");
    let choices: Vec<String> = b
        .scenarios
        .iter()
        .map(|s| {
            walkthrough(&s.id)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("play")
        .arg(root().join("scenarios/deficits-leo.case.ron"))
        .args([
            "--seed",
            "2026",
            "--choices",
            &choices.join("/"),
            "--record",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("session 6 of 12 (Middle)"), "{stdout}");
    assert!(
        stdout.contains("A safety plan: the Samaritans number saved"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Samaritans number up on my phone"),
        "what session 1 agreed, said in session 6"
    );
    assert!(stdout.contains("=== The course:"));
    // The summary says where session 1 showed in session 6, and why.
    let shaped = stdout
        .split_once("Where an earlier session shaped a later one:")
        .map_or_else(|| panic!("no moments in {stdout}"), |(_, rest)| rest);
    assert!(
        shaped.contains("Samaritans number up on my phone"),
        "{shaped}"
    );
    assert!(
        shaped.contains("Because of session 1: “A safety plan: the Samaritans number saved"),
        "{shaped}"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        b.scenarios.len(),
        "one record per session: {files:?}"
    );
    let rec = ipt_trainer::core::store::read_record(&files[1]).expect("a record");
    let case = rec.case.expect("the record names its case");
    assert_eq!(
        (case.id.as_str(), case.number, case.total),
        ("deficits-leo", 6, 12)
    );

    // The class report groups them by trainee and case, in course order.
    let html = dir.path().join("report.html");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("report")
        .arg(dir.path())
        .arg("--out")
        .arg(&html)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).expect("the page");
    let section = page
        .split("id=\"courses\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a courses section");
    assert!(section.contains("Courses with one client (1)"), "{section}");
    let first = section.find("session 1 of 12").expect("session 1");
    let sixth = section.find("session 6 of 12").expect("session 6");
    assert!(first < sixth, "in course order");
    let eleventh = section.find("session 11 of 12").expect("session 11");
    assert!(sixth < eleventh, "in course order");

    // The wrong number of sessions' choices is refused, clearly.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("play")
        .arg(root().join("scenarios/deficits-leo.case.ron"))
        .args(["--seed", "2026", "--choices", "1,2,3"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let sessions = format!("the case has {} sessions", b.scenarios.len());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&sessions));
}

/// Plays `s` to its end on the rubric's best move each time, leaving out
/// the moves `avoid` rejects (a random shown option when all are).
fn play_best_avoiding(s: &mut Session, avoid: impl Fn(&ipt_trainer::core::model::Choice) -> bool) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    while let Some(p) = s.prompt() {
        let node = s.scenario().node(&p.node).expect("node").clone();
        let pick = s
            .assessed_options()
            .enumerate()
            .filter(|(i, _)| !avoid(&node.options[p.options[*i].index]))
            .max_by_key(|(_, (_, ev))| ev.rank())
            .map_or_else(|| rng.random_range(1..=p.options.len()), |(i, _)| i + 1);
        s.choose(pick).expect("shown");
    }
}

fn judgement<'a>(r: &'a CourseReview, check: &str) -> &'a Judgement {
    r.judgements
        .iter()
        .find(|j| j.check == check)
        .unwrap_or_else(|| panic!("no judgement `{check}` in {:#?}", r.judgements))
}

#[test]
fn the_best_course_keeps_every_course_check_and_scores_as_its_sessions_do() {
    let g = guidance();
    for path in cases() {
        let b = bundle(&path);
        let choices: Vec<Vec<usize>> = b.scenarios.iter().map(|s| walkthrough(&s.id)).collect();
        let (course, _) = Course::play_through(b.clone(), &g, 2026, &choices).expect("plays");
        let r = review(&b, &course.done, &g).expect("a review");
        assert!(
            r.judgements
                .iter()
                .any(|j| j.check == "initial-tasks-before-middle"),
            "{}: the first phase is judged once the course moves on",
            b.case.id
        );
        for j in &r.judgements {
            assert!(
                j.met,
                "{}: {} missed on the best course: {}",
                b.case.id, j.name, j.what
            );
            assert!(!j.source.is_empty(), "every check cites its source");
        }
        assert_eq!(
            r.scores, r.mean,
            "{}: nothing missed, nothing lost",
            b.case.id
        );
    }
}

#[test]
fn a_time_limit_never_agreed_in_the_first_phase_costs_the_course_pacing() {
    let g = guidance();
    let (mut course, mut s13) = rosa_after(false);
    // Nothing to judge about the first phase until the course moves on.
    let r = review(&course.bundle, &course.done[..1], &g).expect("a review");
    assert!(
        r.judgements
            .iter()
            .all(|j| j.check != "initial-tasks-before-middle")
    );

    play_best_avoiding(&mut s13, |_| false);
    course.finish(&s13).expect("finished");
    let r = review(&course.bundle, &course.done, &g).expect("a review");
    let j = judgement(&r, "initial-tasks-before-middle");
    assert!(!j.met);
    assert!(j.what.contains("agree the time limit"), "{}", j.what);
    let moved_on = format!("session {}", course.done[1].number);
    assert!(
        j.what.contains(&moved_on),
        "names where the course moved on: {}",
        j.what
    );
    assert!(j.lost >= 4);
    assert_eq!(r.scores.pacing, (r.mean.pacing - j.lost).max(0));
    assert!(r.scores.overall < r.mean.overall);
    assert_eq!(
        r.scores.rapport, r.mean.rapport,
        "only the check's own dimension"
    );
}

#[test]
fn an_ending_not_raised_before_the_last_session_is_marked_and_explained() {
    let g = guidance();
    let b = by_id("grief-rosa");
    let mut course = Course::new(b.clone());
    // Every session before the termination one on its best route.
    for sc in &b.scenarios[..b.scenarios.len() - 1] {
        let mut s = course.start_next(g.clone(), 2026).expect("starts");
        for p in walkthrough(&sc.id) {
            s.choose(p).expect("shown");
        }
        course.finish(&s).expect("finished");
    }
    let mut last = course
        .start_next(g.clone(), 2026)
        .expect("the termination session");
    // No word for the feelings about ending (the task's moves on the focus).
    play_best_avoiding(&mut last, |c| {
        matches!(c.kind, MoveKind::Validation | MoveKind::Reflection)
            && c.topic == ipt_trainer::core::model::Topic::Focal
    });
    assert!(!last.tasks_done().contains("end-feelings"));
    course.finish(&last).expect("finished");
    let r = review(&b, &course.done, &g).expect("a review");
    let j = judgement(&r, "ending-prepared");
    assert!(!j.met);
    assert!(j.what.contains("Session 13 of 14"), "{}", j.what);
    assert_eq!(j.lost, 10);
    assert!(!j.better.is_empty());
    assert_eq!(j.principle, "phase-tasks");
}

#[test]
fn a_step_agreed_one_week_and_never_asked_about_the_next_is_marked() {
    let g = guidance();
    let b = by_id("role-dispute-priya");
    let choices: Vec<Vec<usize>> = b.scenarios.iter().map(|s| walkthrough(&s.id)).collect();
    let (course, _) = Course::play_through(b.clone(), &g, 2026, &choices).expect("plays");
    // The termination session on its best route asks how things went.
    let last = course.done.last().expect("a session").clone();
    assert!(last.moves.contains(&MoveKind::ReviewProgress));
    // A session that agreed a step (the task `dispute-plan`), then the one
    // after it: asked about, and not.
    let mut agreed = course.done[course.done.len() - 2].clone();
    agreed.flags.insert("dispute-plan".to_string());
    let asked = vec![agreed.clone(), last.clone()];
    let r = review(&b, &asked, &g).expect("a review");
    assert!(judgement(&r, "step-followed-up").met);
    let mut not_asked = last;
    not_asked.moves.retain(|m| *m != MoveKind::ReviewProgress);
    let r = review(&b, &[agreed, not_asked], &g).expect("a review");
    let j = judgement(&r, "step-followed-up");
    assert!(!j.met);
    assert!(j.what.contains("never asked how it went"), "{}", j.what);
    assert!(
        j.what.contains("agree a step towards renegotiating"),
        "{}",
        j.what
    );
    assert_eq!(r.scores.focus, (r.mean.focus - j.lost).max(0));
}

#[test]
fn a_client_whose_step_from_last_time_is_not_asked_about_notices() {
    let g = guidance();
    for (id, step, words) in [
        (
            "role-transition-kenji",
            "transition-step",
            "You have not asked about the Tuesdays",
        ),
        (
            "grief-rosa",
            "grief-reengage",
            "You did not ask about Lucía",
        ),
    ] {
        let b = by_id(id);
        let mut course = Course::new(b.clone());
        // The sessions before the last on their best routes: the one before
        // the last agrees a step.
        let last = b.scenarios.len() - 1;
        for s in &b.scenarios[..last] {
            let mut session = course.start_next(g.clone(), 2026).expect("starts");
            for p in walkthrough(&s.id) {
                session.choose(p).expect("shown");
            }
            course.finish(&session).expect("finished");
        }
        assert!(course.done[last - 1].flags.contains(step), "{id}");
        let said = |s: &Session| s.turns().iter().any(|t| t.client_line.contains(words));
        let noticed = |s: &Session| {
            s.turns()
                .iter()
                .flat_map(|t| &t.fired)
                .any(|f| f.feedback.contains("has not been asked about"))
        };
        // Asked about (the best route): nothing to notice.
        let mut asked = course
            .start_next(g.clone(), 2026)
            .expect("the last session");
        play_best_avoiding(&mut asked, |_| false);
        assert!(!noticed(&asked) && !said(&asked), "{id}");
        // Never asked about: the client notices and says so.
        let mut unasked = course
            .start_next(g.clone(), 2026)
            .expect("the last session");
        play_best_avoiding(&mut unasked, |c| c.kind == MoveKind::ReviewProgress);
        assert!(noticed(&unasked), "{id}: the rubric marks it");
        assert!(said(&unasked), "{id}: the client says so");
        // Played on its own, the session has no last week to remember.
        let alone = Arc::new(b.scenarios[last].as_ref().clone());
        let mut s = Session::new(alone, g.clone(), 2026).expect("starts");
        play_best_avoiding(&mut s, |c| c.kind == MoveKind::ReviewProgress);
        assert!(!noticed(&s) && !said(&s), "{id}");
    }
}

#[test]
fn a_case_session_stopped_part_way_resumes_in_its_place_in_the_course() {
    use ipt_trainer::core::practice::{Input, Mode, Practice};
    use ipt_trainer::core::store::Store;
    let g = guidance();
    let b = by_id("grief-rosa");
    let mut course = Course::new(b.clone());
    let mut first = course.start_next(g.clone(), 2026).expect("starts");
    for p in walkthrough(&b.scenarios[0].id) {
        first.choose(p).expect("shown");
    }
    course.finish(&first).expect("finished");
    // Session 7, three moves in, then the app closes.
    let session = course.start_next(g.clone(), 99).expect("session 7");
    let mut practice = Practice::in_case(session, Mode::Coach, course.case_ref(1));
    for p in walkthrough(&b.scenarios[1].id).into_iter().take(3) {
        practice.play(Input::Choose(p)).expect("shown");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    store
        .save_in_progress(&practice.in_progress().expect("not ended"))
        .expect("saved");
    let (saved, problem) = store.load_in_progress();
    assert!(problem.is_none());
    let saved = saved.expect("kept");
    assert_eq!(saved.case.as_ref().map(|c| c.number), Some(7));
    // The next run: the same place, the same carried start, the same line.
    let (resumed, note) = Practice::resume_in_case(&saved, &course, g.clone()).expect("resumes");
    assert_eq!(note.dropped_moves, 0);
    assert_eq!(resumed.case().map(|c| c.number), Some(7));
    assert_eq!(resumed.session().turns(), practice.session().turns());
    assert_eq!(resumed.session().prompt(), practice.session().prompt());
    assert_eq!(
        resumed.session().state_history().first(),
        practice.session().state_history().first(),
        "carried over as it began"
    );
    // Not in a course whose next session is another one.
    let restarted = Course::new(b.clone());
    assert!(Practice::resume_in_case(&saved, &restarted, g.clone()).is_err());
}

#[test]
fn the_course_debrief_names_where_an_earlier_session_shaped_a_later_one() {
    use ipt_trainer::core::shaping::{MomentKind, moments};
    let g = guidance();
    let finished = |time_limit: bool| {
        let (mut course, mut last) = rosa_after(time_limit);
        while let Some(p) = last.best_position() {
            last.choose(p).expect("shown");
        }
        course.finish(&last).expect("finished");
        moments(&course.bundle, &course.done, &g)
    };
    // Agreed in session 1: in session 13 Rosa speaks of the fourteen
    // sessions, and the debrief says it came from session 1's agreement.
    let agreed = finished(true);
    let line = agreed
        .iter()
        .find(|m| m.kind == MomentKind::Line && m.what.contains("fourteen we agreed"))
        .unwrap_or_else(|| panic!("{agreed:#?}"));
    assert_eq!(line.session, 13);
    assert_eq!(line.from, vec![1]);
    assert!(
        line.because
            .contains("Because of session 1: “Fourteen weekly sessions”"),
        "{line:#?}"
    );
    assert!(!agreed.iter().any(|m| m.what.contains("Nobody has said")));
    // Never agreed: the weeks before sessions 7 and 13 bring the doubt,
    // each naming the sessions that did not set it, and the line differs.
    let never = finished(false);
    let events: Vec<_> = never
        .iter()
        .filter(|m| m.kind == MomentKind::Event && m.what.contains("Nobody has said"))
        .collect();
    assert_eq!(
        events.iter().map(|m| m.session).collect::<Vec<_>>(),
        vec![7, 13],
        "{never:#?}"
    );
    assert!(
        events[1]
            .because
            .contains("Because sessions 1 and 7 never got to “Fourteen weekly sessions”"),
        "{:#?}",
        events[1]
    );
    assert!(
        never
            .iter()
            .any(|m| m.kind == MomentKind::Line && m.what.contains("never knew how many"))
    );
    // Played through, nothing of the first session is a moment of its own.
    assert!(agreed.iter().chain(&never).all(|m| m.session > 1));
}

/// Rosa's last session with its opening lines replaced by one said in any
/// session and one said only from session 12 of a course on; the case
/// plays it as session `number` after her first.
fn rosa_late_line_at(
    number: u32,
    event_when: &str,
) -> (tempfile::TempDir, load::Loaded<CaseBundle>) {
    let dir = tempfile::tempdir().expect("tmp");
    let scenarios = root().join("scenarios");
    std::fs::copy(
        scenarios.join("grief-initial-rosa.ron"),
        dir.path().join("first.ron"),
    )
    .expect("copy");
    let last = std::fs::read_to_string(scenarios.join("grief-termination-rosa.ron")).expect("read");
    let open = "            client: [\n";
    let from = last.find(open).expect("the first node's lines") + open.len();
    let to = from + last[from..].find("            ],").expect("their end");
    let lines = "                (text: \"PLAIN\"),\n                (text: \"LATE\", when: (min_session: 12)),\n";
    let second = format!("{}{lines}{}", &last[..from], &last[to..]);
    std::fs::write(dir.path().join("second.ron"), second).expect("write");
    let case = case_text(&format!(
        "        (number: 1, file: \"first.ron\"),\n        (number: {number}, file: \"second.ron\", before: [(text: \"A week.\", when: {event_when})]),\n"
    ));
    let path = dir.path().join("t.case.ron");
    std::fs::write(&path, case).expect("write");
    let loaded = load::load_case_file(&path, &guidance());
    (dir, loaded)
}

fn second_session_line(b: CaseBundle) -> (String, usize) {
    let g = guidance();
    let mut course = Course::new(Arc::new(b));
    let mut first = course.start_next(g.clone(), 2026).expect("starts");
    while let Some(p) = first.best_position() {
        first.choose(p).expect("shown");
    }
    course.finish(&first).expect("finished");
    let events = course.between().expect("a second session").events.len();
    let second = course.start_next(g, 2026).expect("session 2");
    (second.prompt().expect("speaks").client_line.clone(), events)
}

#[test]
fn a_condition_on_the_session_number_holds_only_from_that_session_of_the_course() {
    // Session 13 of 14: the line for the course's end, and the event for it.
    let (_dir, loaded) = rosa_late_line_at(13, "(min_session: 12)");
    assert!(
        !loaded.diagnostics.iter().any(|d| d.code == Code::W002),
        "{:#?}",
        loaded.diagnostics
    );
    let (line, events) = second_session_line(loaded.value.expect("loads"));
    assert_eq!(line, "LATE");
    assert_eq!(events, 1);

    // Session 8: neither; validate says why, at the session's file and at
    // the event's condition.
    let (_dir, loaded) = rosa_late_line_at(8, "(min_session: 12)");
    let warned: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::W002)
        .collect();
    assert_eq!(warned.len(), 2, "{:#?}", loaded.diagnostics);
    assert!(
        warned
            .iter()
            .all(|d| d.message.contains("from session 12 on")),
        "{warned:#?}"
    );
    assert!(
        warned
            .iter()
            .any(|d| d.message.contains("plays it as session 8")),
        "{warned:#?}"
    );
    assert!(
        warned
            .iter()
            .any(|d| d.message.contains("before session 8")),
        "{warned:#?}"
    );
    let (line, events) = second_session_line(loaded.value.expect("loads with warnings"));
    assert_eq!(line, "PLAIN");
    assert_eq!(events, 0);

    // Played on its own, the scenario never is "session 12 or later".
    let (_dir, loaded) = rosa_late_line_at(13, "()");
    let b = loaded.value.expect("loads");
    let alone = Session::new(b.scenarios[1].clone(), guidance(), 2026).expect("starts");
    assert_eq!(alone.prompt().expect("speaks").client_line, "PLAIN");

    // A session number outside any course is an error at its place.
    let (_dir, loaded) = rosa_late_line_at(13, "(min_session: 0)");
    let bad = one(&loaded.diagnostics, Code::E008);
    assert!(bad.message.contains("min_session is 0"), "{bad:#?}");
    assert!(bad.to_string().contains("t.case.ron:"), "{bad}");
    assert!(loaded.value.is_none());
}

// ---------------------------------------------------------------------------
// `analyze`, `lint` and `graph` of a case.

use ipt_trainer::core::analysis::Limits;
use ipt_trainer::core::case_analysis::{CaseAnalysis, WINNABLE, analyze_case};

fn analysed(b: &Arc<CaseBundle>) -> CaseAnalysis {
    analysed_within(b, Limits::default())
}

fn analysed_within(b: &Arc<CaseBundle>, limits: Limits) -> CaseAnalysis {
    analyze_case(b, &guidance(), limits).unwrap_or_else(|e| panic!("{} analyses: {e}", b.case.id))
}

#[test]
fn every_bundled_case_has_a_winnable_best_course_and_a_worse_worst_one() {
    let bundles: Vec<Arc<CaseBundle>> = cases().iter().map(|p| bundle(p)).collect();
    assert!(bundles.len() >= 4, "the bundled cases");
    // The searches are slow in a debug build: the cases side by side.
    let results: Vec<(Arc<CaseBundle>, CaseAnalysis)> = std::thread::scope(|s| {
        let handles: Vec<_> = bundles
            .iter()
            // A smaller search than the command's (the approximate one
            // past it still finds routes this good): the suite stays fast.
            .map(|b| {
                s.spawn(move || {
                    let limits = Limits {
                        max_states: 30_000,
                        exact_only: false,
                    };
                    (b.clone(), analysed_within(b, limits))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    for (b, a) in results {
        let id = &b.case.id;
        assert_eq!(a.best.len(), b.scenarios.len(), "{id}");
        assert_eq!(a.worst.len(), b.scenarios.len(), "{id}");
        for (best, worst) in a.best.iter().zip(&a.worst) {
            let s = best.scores;
            assert!(
                s.rapport >= WINNABLE && s.pacing >= WINNABLE && s.focus >= WINNABLE,
                "{id}, session {}: the best course scores {s:?}",
                best.number
            );
            assert!(
                worst.scores.overall < best.scores.overall && worst.weakest() < best.weakest(),
                "{id}, session {}: the worst {:?} is not worse than the best {:?}",
                best.number,
                worst.scores,
                best.scores
            );
        }
        // The best course arrives at each session as the last one left it
        // carries over: never more guarded.
        assert!(a.best.iter().all(|p| p.guarded.is_none()), "{id}");
    }
}

#[test]
fn pressing_the_client_in_session_1_puts_a_trust_gated_disclosure_of_session_2_out_of_reach() {
    let b = bundle(&crate::common::fixture("case/pressed.case.ron"));
    let a = analysed(&b);
    // In the best course the disclosure is within reach.
    let second = &a.best[1].analysis;
    assert!(
        second
            .disclosures
            .iter()
            .any(|d| d.id == "told-her-sister" && d.unlockable),
        "{:#?}",
        second.disclosures
    );
    assert!(a.worst[0].set.contains("pressed"), "{:?}", a.worst[0].set);
    let h = a
        .harms
        .iter()
        .find(|h| h.cause == 1 && h.affected == 2)
        .unwrap_or_else(|| panic!("session 1 harms session 2: {:#?}", a.harms));
    assert_eq!(
        h.disclosures_lost,
        vec![(
            "told-her-sister".to_string(),
            "trust at least 48".to_string()
        )]
    );
    assert!(
        h.arrives_now.trust + 8 <= h.arrives_expected.trust,
        "{h:#?}"
    );
    let said = h.reasons.join("\n");
    assert!(said.contains("felt pressed"), "{said}");
    assert!(said.contains("Ana arrives at session 2"), "{said}");
    assert!(
        said.contains(
            "the disclosure `told-her-sister` needs trust at least 48 and is now out of reach"
        ),
        "{said}"
    );
}

#[test]
fn lint_warns_of_a_termination_session_at_number_2() {
    let path = crate::common::fixture("case/early-termination.case.ron");
    let b = bundle(&path);
    let text = std::fs::read_to_string(&path).expect("read");
    let src = load::Source::new(&text, &path);
    let ds = ipt_trainer::core::case_lint::lint_case(&b, &guidance(), &src, None);
    let w = one(&ds, Code::W025);
    let at = w.position.expect("a place");
    assert_eq!((at.line, at.column), (10, 18), "{w}");
    assert!(
        w.message
            .contains("session 2 of 14 is a termination-phase scenario"),
        "{w}"
    );
    assert!(
        w.hint.as_deref().is_some_and(|h| h.contains("renumber")),
        "{w:?}"
    );
    // The bundled cases open with an initial session and place each
    // session's phase where it belongs.
    for p in cases() {
        let b = bundle(&p);
        let text = std::fs::read_to_string(&p).expect("read");
        let src = load::Source::new(&text, &p);
        let ds = ipt_trainer::core::case_lint::lint_case(&b, &guidance(), &src, None);
        assert!(
            !ds.iter().any(|d| d.code == Code::W025),
            "{}: {ds:#?}",
            p.display()
        );
    }
}

#[test]
fn the_graph_of_a_case_holds_every_session_in_order_with_the_events_between() {
    use ipt_trainer::core::graph::{GraphFormat, render_case};
    for p in cases() {
        let b = bundle(&p);
        for format in [GraphFormat::Dot, GraphFormat::Mermaid] {
            let g = render_case(&b, format);
            let mut last = 0;
            for (i, s) in b.scenarios.iter().enumerate() {
                let label = format!("{}: {}", b.session_label(i), s.id);
                let at = g
                    .find(&label)
                    .unwrap_or_else(|| panic!("{}: {label} in\n{g}", b.case.id));
                assert!(at >= last, "{}: the sessions in order", b.case.id);
                last = at;
                for n in &s.nodes {
                    assert!(g.contains(&n.id), "{}: node {}", b.case.id, n.id);
                }
            }
            assert_eq!(
                g.matches("before session").count(),
                b.scenarios.len() - 1,
                "{}: a note between each two sessions",
                b.case.id
            );
        }
    }
    let rosa = render_case(&by_id("grief-rosa"), GraphFormat::Dot);
    assert!(
        rosa.contains("(if no earlier session set `time-limit`) [trust -4, distress +6]"),
        "{rosa}"
    );
}

#[test]
fn lint_warns_of_an_earlier_flag_no_route_sets_and_of_a_hard_week_the_opening_cannot_notice() {
    let path = crate::common::fixture("case/unnoticed.case.ron");
    let b = bundle(&path);
    let text = std::fs::read_to_string(&path).expect("read");
    let src = load::Source::new(&text, &path);
    let courses = ipt_trainer::core::case_analysis::courses(&b, &guidance(), Limits::default())
        .expect("the courses");
    let ds = ipt_trainer::core::case_lint::lint_case(&b, &guidance(), &src, Some(&courses));
    let w = one(&ds, Code::W027);
    assert!(w.message.contains("`earlier: [\"guilt\"]`"), "{w}");
    assert_eq!(w.position.map(|p| p.line), Some(12), "{w}");
    let w = one(&ds, Code::W028);
    assert!(
        w.message.contains("raises distress by 12 before session 2"),
        "{w}"
    );
    assert_eq!(
        w.position.map(|p| (p.line, p.column)),
        Some((14, 74)),
        "{w}"
    );
    // Without the search, W027 is not judged.
    let ds = ipt_trainer::core::case_lint::lint_case(&b, &guidance(), &src, None);
    assert!(!ds.iter().any(|d| d.code == Code::W027), "{ds:#?}");
    // The fixture whose session 1 can set its flag has neither.
    let path = crate::common::fixture("case/pressed.case.ron");
    let b = bundle(&path);
    let text = std::fs::read_to_string(&path).expect("read");
    let src = load::Source::new(&text, &path);
    let courses = ipt_trainer::core::case_analysis::courses(&b, &guidance(), Limits::default())
        .expect("the courses");
    let ds = ipt_trainer::core::case_lint::lint_case(&b, &guidance(), &src, Some(&courses));
    assert!(
        !ds.iter().any(|d| matches!(d.code, Code::W027 | Code::W028)),
        "{ds:#?}"
    );
}
