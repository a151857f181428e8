//! `ipt-trainer analyze`: small scenarios whose answers are worked out by
//! hand, and random small scenarios checked against playing every route
//! through the real session engine.

use crate::common::guidance;
use ipt_trainer::core::analysis::{Analysis, Limits, Objective, PathCount, analyze};
use ipt_trainer::core::model::Scenario;
use ipt_trainer::core::rubric::Guidance;
use ipt_trainer::core::session::{Scores, Session};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

fn parse(text: &str) -> Scenario {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn parse_guidance(text: &str) -> Guidance {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A rubric small enough to score by hand: an open question earns 5
/// rapport and 10 trust; pressing costs 5 rapport and 10 trust, and 10
/// focus when the client hesitates. No tasks.
fn tiny_rubric() -> Guidance {
    parse_guidance(
        r#"(
        version: "test",
        principles: [(
            id: "p", name: "P", statement: "S", source: "Src", dimensions: [Rapport, Focus],
            rules: [
                (when: (moves: [OpenQuestion]), score: (rapport: 5), client: (trust: 10), feedback: "good"),
                (when: (moves: [PressForDetail]), score: (rapport: -5), client: (trust: -10), feedback: "bad"),
                (when: (moves: [PressForDetail], hesitant: true), score: (focus: -10), feedback: "worse"),
            ],
        )],
    )"#,
    )
}

/// A rubric that uses every kind of condition the engine knows, so the
/// property test below checks the search against all of them: first use,
/// elapsed percentages, overtime, exploratory counts, hesitation, a pending
/// risk, memory flags set and tested, and client thresholds.
fn tricky_rubric() -> Guidance {
    parse_guidance(
        r#"(
        version: "tricky",
        principles: [(
            id: "use-the-hour", name: "Hour", statement: "S", source: "Src", dimensions: [Rapport, Pacing, Focus],
            rules: [
                (when: (moves: [OpenQuestion], first_use: true), score: (rapport: 4), feedback: "first"),
                (when: (moves: [OpenQuestion, Reflection], first_use: false), score: (pacing: -2), feedback: "again"),
                (when: (min_elapsed_percent: 60), score: (pacing: -3), feedback: "late"),
                (when: (max_elapsed_percent: 20, moves: [PressForDetail]), score: (focus: -4), client: (distress: 9), feedback: "early press"),
                (when: (over_time: true), score: (focus: -2), feedback: "over"),
                (when: (moves: [PrematureAdvice], max_explored: 1), score: (pacing: -5), remember: ["rushed"], feedback: "rush"),
                (when: (moves: [PrematureAdvice], min_explored: 2), score: (pacing: 3), feedback: "ok advice"),
                (when: (hesitant: true, moves: [PressForDetail]), score: (rapport: -6), client: (trust: -8, distress: 6), feedback: "pressed"),
                (when: (risk_pending: true, not_moves: [SafetyCheck]), score: (rapport: -10), critical: true, feedback: "missed"),
                (when: (client: (remembers: ["rushed"]), moves: [Validation]), score: (rapport: 5), client: (trust: 5), feedback: "repair"),
                (when: (client: (forgets: ["rushed"], min_trust: 55)), score: (focus: 2), feedback: "steady"),
                (when: (client: (max_openness: 30), moves: [Reflection]), score: (rapport: 3), client: (openness: 8), feedback: "opened"),
                (when: (client: (min_distress: 65), moves: [Validation]), client: (distress: -10), feedback: "eased"),
            ],
        )],
        tasks: [
            (id: "t1", name: "T1", phase: Initial, moves: [SymptomReview], principle: "use-the-hour", dimension: Pacing, reward: 4, penalty: 7),
            (id: "t2", name: "T2", phase: Initial, moves: [SickRole, TimeLimit], principle: "use-the-hour", dimension: Focus, reward: 3, penalty: 5),
            (id: "t3", name: "T3", phase: Middle, moves: [Reflection], topics: [Focal], principle: "use-the-hour", dimension: Rapport, reward: 2, penalty: 4),
            (id: "t4", name: "T4", phase: Termination, moves: [Validation, SafetyCheck], principle: "use-the-hour", dimension: Pacing, reward: 3, penalty: 3),
        ],
    )"#,
    )
}

/// A rubric scored against the options, with a rule on every kind of
/// context a rule can test since cues, runs and tasks came in.
fn tricky_context_rubric() -> Guidance {
    parse_guidance(
        r#"(
        version: "tricky-context",
        scoring: (model: AgainstOptions, critical_cap: 35),
        principles: [(
            id: "ctx", name: "Context", statement: "S", source: "Src", dimensions: [Rapport, Pacing, Focus],
            rules: [
                (when: (emotions: [Sadness], moves: [Reflection, Validation]), score: (rapport: 3), client: (distress: -4), feedback: "feeling"),
                (when: (emotions: [Anger], moves: [Reassurance]), score: (rapport: -3), feedback: "anger"),
                (when: (declines: true, moves: [PressForDetail]), score: (rapport: -4, pacing: -2), client: (trust: -5), harm: true, feedback: "declined"),
                (when: (declines: true, moves: [RespectBoundary]), score: (rapport: 3, pacing: 2), client: (trust: 4), feedback: "respected"),
                (when: (rupture: true, moves: [RepairRupture]), score: (rapport: 5), client: (trust: 6), feedback: "repaired"),
                (when: (rupture: true, moves: [OpenQuestion, Reflection]), client: (trust: -2), feedback: "slow"),
                (when: (moves: [JudgementalRemark]), score: (rapport: -8), client: (trust: -9), harm: true, feedback: "judged"),
                (when: (risk_pending: true, not_moves: [SafetyCheck]), score: (rapport: -9, pacing: -6, focus: -6), client: (trust: -4), critical: true, feedback: "missed"),
                (when: (risk_open: true, moves: [SafetyCheck]), score: (rapport: 3, focus: 2), feedback: "came back"),
                (when: (topics: [OffTopic], min_topic_run: 2), score: (focus: -4), feedback: "drift"),
                (when: (moves: [ClosedQuestion], min_move_run: 2), score: (rapport: -2), feedback: "questionnaire"),
                (when: (moves: [SocialWarmth], max_minute: 3), score: (rapport: 2), client: (trust: 3), feedback: "warm start"),
                (when: (moves: [SocialWarmth], min_minute: 4), score: (pacing: -2), feedback: "small talk"),
                (when: (moves: [ExploreRelationship], used: [OpenQuestion]), score: (focus: 4), feedback: "built on"),
                (when: (moves: [ExploreRelationship], not_used: [OpenQuestion]), score: (pacing: -2), feedback: "too soon"),
                (when: (moves: [Summary], tasks_done: ["c1"]), score: (pacing: 3), feedback: "after the task"),
                (when: (moves: [Summary], tasks_not_done: ["c1"]), score: (focus: 1), feedback: "before the task"),
                (when: (topics: [Focal], not_moves: [Reassurance]), score: (focus: 2), feedback: "focal"),
            ],
        )],
        tasks: [
            (id: "c1", name: "C1", phase: Initial, moves: [ExploreRelationship, SymptomReview], when: (min_explored: 1), principle: "ctx", dimension: Pacing, reward: 4, penalty: 6),
            (id: "c2", name: "C2", phase: Middle, moves: [Reflection, RespectBoundary], principle: "ctx", dimension: Focus, reward: 3, penalty: 4),
            (id: "c3", name: "C3", phase: Termination, moves: [Validation, RepairRupture], principle: "ctx", dimension: Rapport, reward: 3, penalty: 5),
            (id: "c4", name: "C4", phase: Initial, moves: [TimeLimit], principle: "ctx", dimension: Focus, reward: 2, penalty: 9),
        ],
    )"#,
    )
}

const HAND_MADE: &str = r#"Scenario(
    id: "hand", title: "Hand", area: Grief, phase: Middle, minutes: 60,
    client: (name: "H", age: 40, start: (trust: 50, distress: 40, openness: 50)),
    nodes: [
        (id: "a", client: [(text: "A")], options: [
            (text: "open", move: OpenQuestion, topic: Focal, next: "b"),
            (text: "press", move: PressForDetail, topic: Focal, next: "b"),
        ]),
        (id: "b", client: [(text: "B")],
         disclosures: [
            (id: "near", text: "near", when: (min_trust: 60)),
            (id: "far", text: "far", when: (min_trust: 90)),
         ],
         options: [
            (text: "open again", move: OpenQuestion, topic: Focal, next: "c", when: (min_trust: 60)),
            (text: "press again", move: PressForDetail, topic: Focal, next: "c"),
            (text: "stop", move: Summary, topic: Focal, next: "early"),
        ]),
        (id: "c", client: [(text: "C")], hesitant: true, options: [
            (text: "open", move: OpenQuestion, topic: Focal, next: "good"),
            (text: "press", move: PressForDetail, topic: Focal, next: "good"),
        ]),
        (id: "never", client: [(text: "N")], options: [
            (text: "x", move: OpenQuestion, topic: Focal, next: "good"),
        ]),
    ],
    endings: [
        (id: "good", title: "Good", text: "g", outcome: Good),
        (id: "early", title: "Early", text: "e", outcome: Mixed),
        (id: "unused", title: "Unused", text: "u", outcome: Poor),
    ],
)"#;

#[test]
fn a_hand_made_scenario_gives_the_answers_worked_out_by_hand() {
    let s = parse(HAND_MADE);
    let a = analyze(&s, &tiny_rubric(), Limits::default()).expect("analyses");
    assert_eq!(a.reachable_nodes, ["a", "b", "c"]);
    assert_eq!(a.unreachable_nodes, ["never"]);
    let endings: Vec<(&str, bool)> = a
        .endings
        .iter()
        .map(|e| (e.id.as_str(), e.reachable))
        .collect();
    assert_eq!(
        endings,
        [("good", true), ("early", true), ("unused", false)]
    );
    // After "open" (trust 60): open again, press again, stop = 3 routes on
    // from b, two of them on through c (2 each): 2 + 2 + 1 = 5. After
    // "press" (trust 40): press again (2 on) or stop = 3. In all, 8.
    assert_eq!(a.paths, PathCount::Exactly(8));
    let disclosures: Vec<(&str, bool)> = a
        .disclosures
        .iter()
        .map(|d| (d.id.as_str(), d.unlockable))
        .collect();
    assert_eq!(disclosures, [("near", true), ("far", false)]);
    assert_eq!(a.disclosures[1].needs, "trust at least 90");
    assert!(a.dead_ends.is_empty());
    assert!(!a.loops);

    let extreme = |o: Objective| {
        a.extremes
            .iter()
            .find(|x| x.objective == o)
            .expect("an extreme per objective")
    };
    // Best rapport: open, open again, open = 50 + 15.
    let best = &extreme(Objective::Rapport).best;
    assert_eq!(best.scores.rapport, 65);
    let texts: Vec<&str> = best.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["open", "open again", "open"]);
    assert_eq!(best.ending, "good");
    // Worst rapport: press three times = 50 - 15.
    assert_eq!(extreme(Objective::Rapport).worst.scores.rapport, 35);
    // Worst focus: pressing at c, where the client hesitates: 50 - 10.
    let worst_focus = &extreme(Objective::Focus).worst;
    assert_eq!(worst_focus.scores.focus, 40);
    assert_eq!(worst_focus.steps.last().map(|s| s.node.as_str()), Some("c"));
    assert_eq!(extreme(Objective::Focus).best.scores.focus, 50);
}

#[test]
fn a_state_with_no_open_option_is_a_dead_end_with_the_route_to_it() {
    let text = HAND_MADE.replace(
        r#"(text: "press again", move: PressForDetail, topic: Focal, next: "c"),
            (text: "stop", move: Summary, topic: Focal, next: "early"),"#,
        r#"(text: "stop", move: Summary, topic: Focal, next: "early", when: (min_trust: 60)),"#,
    );
    let a = analyze(&parse(&text), &tiny_rubric(), Limits::default()).expect("analyses");
    assert_eq!(a.dead_ends.len(), 1, "{:?}", a.dead_ends);
    let d = &a.dead_ends[0];
    assert_eq!(d.node, "b");
    assert!(d.no_options);
    assert_eq!(d.state.trust, 40);
    assert_eq!(d.route.len(), 1);
    assert_eq!(d.route[0].text, "press");
}

#[test]
fn a_loop_makes_the_route_count_unbounded() {
    let text = HAND_MADE.replace(
        r#"(text: "stop", move: Summary, topic: Focal, next: "early"),"#,
        r#"(text: "stop", move: Summary, topic: Focal, next: "early"),
            (text: "again", move: Clarification, topic: Focal, next: "a"),"#,
    );
    let a = analyze(&parse(&text), &tiny_rubric(), Limits::default()).expect("analyses");
    assert!(a.loops);
    assert_eq!(a.paths, PathCount::Unbounded);
    assert!(!a.extremes.is_empty());
}

#[test]
fn the_search_stops_at_its_limit_with_a_clear_error() {
    let s = parse(HAND_MADE);
    let limits = Limits {
        max_states: 2,
        exact_only: true,
    };
    let err = analyze(&s, &tiny_rubric(), limits).expect_err("too small");
    assert!(err.to_string().contains("--max-states"), "{err}");
    // It says what the search cost when it stopped, and what more would.
    let text = err.to_string();
    assert!(
        text.contains(" s, holding about ") && text.contains(" MB more"),
        "{text}"
    );
}

#[test]
fn a_long_search_reports_how_far_it_has_got() {
    use ipt_trainer::core::analysis::{PROGRESS_EVERY, analyze_reporting};
    let s =
        crate::common::scenario(&crate::common::root().join("scenarios/grief-initial-rosa.ron"));
    let mut seen = Vec::new();
    let a = analyze_reporting(&s, &guidance(), Limits::default(), &mut |p| {
        seen.push(p.states);
    })
    .expect("analyses");
    assert!(a.states > PROGRESS_EVERY, "big enough to report");
    assert!(!seen.is_empty(), "progress was reported");
    assert!(seen.iter().all(|n| n % PROGRESS_EVERY == 0));
}

#[test]
fn past_its_limit_the_search_merges_similar_states_and_says_so() {
    let g = guidance();
    let s =
        crate::common::scenario(&crate::common::root().join("scenarios/grief-initial-rosa.ron"));
    let exact = analyze(&s, &g, Limits::default()).expect("analyses");
    assert!(exact.exact);
    let limits = Limits {
        max_states: exact.states / 4,
        exact_only: false,
    };
    let rough = analyze(&s, &g, limits).expect("falls back");
    assert!(!rough.exact);
    assert!(rough.states < exact.states);
    // The structure comes out the same, and the scores close.
    assert_eq!(rough.reachable_nodes, exact.reachable_nodes);
    assert_eq!(rough.endings, exact.endings);
    for (r, e) in rough.extremes.iter().zip(&exact.extremes) {
        assert!(
            (r.best.scores.overall - e.best.scores.overall).abs() <= 10,
            "{:?}: {:?} vs {:?}",
            r.objective,
            r.best.scores,
            e.best.scores
        );
    }
}

#[test]
fn every_bundled_scenario_can_reach_every_node_and_a_good_ending() {
    let g = guidance();
    for f in crate::common::bundled() {
        let s = crate::common::scenario(&f);
        let a = analyze(&s, &g, Limits::default()).expect("analyses");
        assert!(
            a.unreachable_nodes.is_empty(),
            "{}: {:?}",
            s.id,
            a.unreachable_nodes
        );
        assert!(a.dead_ends.is_empty(), "{}: {:?}", s.id, a.dead_ends);
        assert!(a.endings.iter().all(|e| e.reachable), "{}", s.id);
        assert!(a.disclosures.iter().all(|d| d.unlockable), "{}", s.id);
        // A trainee who follows the guidance can do well; one who does not
        // can do badly.
        let overall = a
            .extremes
            .iter()
            .find(|x| x.objective == Objective::Overall)
            .expect("overall");
        assert!(
            overall.best.scores.overall >= 75,
            "{}: {:?}",
            s.id,
            overall.best.scores
        );
        assert!(!overall.best.critical);
        assert!(overall.worst.scores.overall <= 35, "{}", s.id);
        // The best route replays to the same scores in a real session.
        check_route(&s, &g, &overall.best.steps, overall.best.scores);
    }
}

/// Plays a route (options by their index in the file) through a steady
/// session and checks where it ends.
fn check_route(
    s: &Scenario,
    g: &Arc<Guidance>,
    steps: &[ipt_trainer::core::analysis::Step],
    expected: Scores,
) {
    let mut session =
        Session::steady(Arc::new(s.clone()), g.clone(), 7).expect("the session starts");
    for step in steps {
        let prompt = session.prompt().expect("not ended").clone();
        assert_eq!(prompt.node, step.node);
        let position = prompt
            .options
            .iter()
            .position(|o| o.index + 1 == step.option)
            .expect("the route's option is open")
            + 1;
        session.choose(position).expect("the move is made");
    }
    assert!(session.is_ended());
    assert_eq!(session.scores(), expected);
}

// ---------------------------------------------------------------------------
// Random small scenarios against every route played through `Session`.

/// Everything playing every route finds.
#[derive(Debug, Default)]
struct Enumerated {
    nodes: BTreeSet<String>,
    endings: BTreeSet<String>,
    disclosures: BTreeSet<String>,
    dead_ends: BTreeSet<String>,
    routes: u128,
    best: [i32; 3],
    worst: [i32; 3],
    /// The most raw points (all three) without a serious error, if any
    /// route avoids one, and whether any route makes one.
    best_clean_total: Option<i32>,
    any_critical: bool,
}

fn raw_total(s: &Session) -> i32 {
    s.turns().iter().map(|t| t.score.total()).sum::<i32>()
        + s.end_fired().iter().map(|f| f.score.total()).sum::<i32>()
}

fn enumerate(session: &Session, out: &mut Enumerated) {
    let Some(prompt) = session.prompt() else {
        let sc = session.scores();
        let v = [sc.rapport, sc.pacing, sc.focus];
        for ((best, worst), v) in out.best.iter_mut().zip(out.worst.iter_mut()).zip(v) {
            *best = (*best).max(v);
            *worst = (*worst).min(v);
        }
        out.routes += 1;
        if let Some(e) = session.ending() {
            out.endings.insert(e.id.clone());
        }
        if session.had_critical_error() {
            out.any_critical = true;
        } else {
            let t = raw_total(session);
            out.best_clean_total = Some(out.best_clean_total.map_or(t, |b| b.max(t)));
        }
        return;
    };
    out.nodes.insert(prompt.node.clone());
    out.disclosures.extend(prompt.disclosures.iter().cloned());
    if prompt.options.is_empty() {
        out.dead_ends.insert(prompt.node.clone());
        return;
    }
    for p in 1..=prompt.options.len() {
        let mut next = session.clone();
        next.choose(p).expect("a shown option can be chosen");
        enumerate(&next, out);
    }
}

const MOVES: [&str; 17] = [
    "OpenQuestion",
    "ClosedQuestion",
    "Reassurance",
    "SocialWarmth",
    "RespectBoundary",
    "RepairRupture",
    "ExploreRelationship",
    "Summary",
    "Reflection",
    "Validation",
    "PressForDetail",
    "PrematureAdvice",
    "SymptomReview",
    "SickRole",
    "TimeLimit",
    "JudgementalRemark",
    "SafetyCheck",
];
const TOPICS: [&str; 4] = ["Focal", "RelatedPresent", "DistantPast", "OffTopic"];
const VARS: [&str; 3] = ["trust", "distress", "openness"];

#[derive(Debug, Clone)]
struct GenOption {
    kind: usize,
    topic: usize,
    /// Forward jump to a later node, or (past the last) an ending.
    jump: usize,
    minutes: u32,
    when: Option<(usize, bool, i32)>,
    /// A memory condition: 0 none, 1 remembers the node's disclosure,
    /// 2 forgets "rushed", 3 remembers "pressed".
    memory: usize,
    adjust: i32,
}

#[derive(Debug, Clone)]
struct GenNode {
    options: Vec<GenOption>,
    hesitant: bool,
    risk: bool,
    disclosure: Option<(usize, i32)>,
    /// 0 none, 1 sadness, 2 anger.
    emotion: usize,
    declines: bool,
    rupture: bool,
}

fn gen_option() -> impl Strategy<Value = GenOption> {
    (
        0..MOVES.len(),
        0..TOPICS.len(),
        prop::sample::select(vec![1usize, 1, 1, 2, 2, 3]),
        // Few distinct minutes and adjustments, so that routes meet in the
        // same state often and the search's merging is put to the test.
        prop::sample::select(vec![2u32, 2, 2, 2, 3, 11]),
        prop::option::weighted(0.4, (0..3usize, any::<bool>(), 20i32..80)),
        prop::sample::select(vec![0usize, 0, 0, 1, 2, 3]),
        prop::sample::select(vec![0i32, 0, 0, 0, -6, 4]),
    )
        .prop_map(
            |(kind, topic, jump, minutes, when, memory, adjust)| GenOption {
                kind,
                topic,
                jump,
                minutes,
                when,
                memory,
                adjust,
            },
        )
}

fn gen_node() -> impl Strategy<Value = GenNode> {
    (
        prop::collection::vec(gen_option(), 1..5),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
        prop::option::weighted(0.5, (0..3usize, 20i32..80)),
        (
            prop::sample::select(vec![0usize, 0, 1, 2]),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |(options, hesitant, risk, disclosure, (emotion, declines, rupture))| GenNode {
                options,
                hesitant,
                risk,
                disclosure,
                emotion,
                declines,
                rupture,
            },
        )
}

fn condition(var: usize, min: bool, v: i32) -> String {
    format!("({}_{}: {v})", if min { "min" } else { "max" }, VARS[var])
}

fn scenario_text(
    nodes: &[GenNode],
    phase: &str,
    area: &str,
    minutes: u32,
    start: (i32, i32, i32),
) -> String {
    let mut s = format!(
        "Scenario(id: \"gen\", title: \"Gen\", area: {area}, phase: {phase}, minutes: {minutes},\n\
         client: (name: \"G\", age: 30, start: (trust: {}, distress: {}, openness: {})),\nnodes: [\n",
        start.0, start.1, start.2
    );
    let n = nodes.len();
    for (i, node) in nodes.iter().enumerate() {
        let _ = write!(
            s,
            "(id: \"n{i}\", client: [(text: \"line {i}\")], hesitant: {}, risk: {}, declines: {}, rupture: {},",
            node.hesitant, node.risk, node.declines, node.rupture
        );
        match node.emotion {
            1 => s.push_str(" emotion: Sadness,"),
            2 => s.push_str(" emotion: Anger,"),
            _ => {}
        }
        if let Some((var, v)) = node.disclosure {
            let _ = write!(
                s,
                " disclosures: [(id: \"d{i}\", text: \"disclosure {i}\", when: {})],",
                condition(var, true, v)
            );
        }
        s.push_str(" options: [\n");
        for (k, o) in node.options.iter().enumerate() {
            let target = i + o.jump;
            let next = if target < n {
                format!("n{target}")
            } else {
                format!("e{}", target % 2)
            };
            let _ = write!(
                s,
                "  (text: \"o{i}-{k}\", move: {}, topic: {}, next: \"{next}\", minutes: {}, adjust: (trust: {}, distress: {}, openness: {})",
                MOVES[o.kind],
                TOPICS[o.topic],
                o.minutes,
                o.adjust,
                -o.adjust,
                o.adjust / 2
            );
            let memory = match o.memory {
                // An earlier node's disclosure (if it has one).
                1 if i > 0 && nodes[i - 1].disclosure.is_some() => {
                    format!("remembers: [\"d{}\"]", i - 1)
                }
                2 => "forgets: [\"rushed\"]".to_string(),
                3 => "remembers: [\"pressed\"]".to_string(),
                _ => String::new(),
            };
            match (o.when, memory.is_empty()) {
                (Some((var, min, v)), true) => {
                    let _ = write!(s, ", when: {}", condition(var, min, v));
                }
                (Some((var, min, v)), false) => {
                    let c = condition(var, min, v);
                    let _ = write!(s, ", when: {}, {memory})", &c[..c.len() - 1]);
                }
                (None, false) => {
                    let _ = write!(s, ", when: ({memory})");
                }
                (None, true) => {}
            }
            s.push_str("),\n");
        }
        s.push_str("]),\n");
    }
    s.push_str(
        "],\nendings: [(id: \"e0\", title: \"E0\", text: \"e0\", outcome: Good), (id: \"e1\", title: \"E1\", text: \"e1\", outcome: Poor)],\n)\n",
    );
    s
}

fn compare(a: &Analysis, e: &Enumerated, s: &Scenario) {
    let nodes: BTreeSet<String> = a.reachable_nodes.iter().cloned().collect();
    assert_eq!(nodes, e.nodes, "reachable nodes");
    let endings: BTreeSet<String> = a
        .endings
        .iter()
        .filter(|x| x.reachable)
        .map(|x| x.id.clone())
        .collect();
    assert_eq!(endings, e.endings, "reachable endings");
    let disclosures: BTreeSet<String> = a
        .disclosures
        .iter()
        .filter(|d| d.unlockable)
        .map(|d| {
            s.node(&d.node)
                .and_then(|n| n.disclosures.iter().find(|x| x.id == d.id))
                .map(|x| x.text.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(disclosures, e.disclosures, "disclosures");
    let dead: BTreeSet<String> = a
        .dead_ends
        .iter()
        .filter(|d| d.no_options)
        .map(|d| d.node.clone())
        .collect();
    assert_eq!(dead, e.dead_ends, "dead ends");
    assert_eq!(a.paths, PathCount::Exactly(e.routes), "routes");
    if e.routes == 0 {
        assert!(a.extremes.is_empty());
        return;
    }
    for x in &a.extremes {
        let pick = |sc: Scores| match x.objective {
            Objective::Rapport => Some(sc.rapport),
            Objective::Pacing => Some(sc.pacing),
            Objective::Focus => Some(sc.focus),
            Objective::Overall => None,
        };
        let slot = match x.objective {
            Objective::Rapport => 0,
            Objective::Pacing => 1,
            Objective::Focus => 2,
            Objective::Overall => {
                // The best overall avoids a serious error whenever some
                // route does, and the worst makes one whenever it can.
                assert_eq!(
                    x.best.critical,
                    e.best_clean_total.is_none(),
                    "best overall"
                );
                assert_eq!(x.worst.critical, e.any_critical, "worst overall");
                continue;
            }
        };
        assert_eq!(
            pick(x.best.scores),
            Some(e.best[slot]),
            "best {:?}",
            x.objective
        );
        assert_eq!(
            pick(x.worst.scores),
            Some(e.worst[slot]),
            "worst {:?}",
            x.objective
        );
    }
}

/// Analyses `s` and checks every answer against playing every route through
/// the real session engine.
fn check_against_every_route(s: &Scenario, g: &Arc<Guidance>) {
    let a = analyze(s, g, Limits::default()).expect("analyses");
    let mut e = Enumerated {
        best: [i32::MIN; 3],
        worst: [i32::MAX; 3],
        ..Enumerated::default()
    };
    let session = Session::steady(Arc::new(s.clone()), g.clone(), 1).expect("starts");
    enumerate(&session, &mut e);
    compare(&a, &e, s);
    // Each reported route replays to its reported scores.
    for x in &a.extremes {
        for r in [&x.best, &x.worst] {
            check_route(s, g, &r.steps, r.scores);
        }
    }
}

#[test]
fn routes_that_meet_with_different_amounts_of_exploration_are_told_apart() {
    // Three routes reach `c` with the client in the same state, having
    // explored twice, once or not at all; advice counts differently after
    // two exploratory moves.
    let text = r#"Scenario(id: "explore", title: "E", area: Grief, phase: Middle, minutes: 50,
      client: (name: "E", age: 30, start: (trust: 50, distress: 40, openness: 50)),
      nodes: [
        (id: "a", client: [(text: "A")], options: [
            (text: "open", move: OpenQuestion, topic: Focal, next: "b", minutes: 2),
            (text: "closed", move: ClosedQuestion, topic: Focal, next: "b", minutes: 2),
        ]),
        (id: "b", client: [(text: "B")], options: [
            (text: "clarify", move: Clarification, topic: Focal, next: "c", minutes: 2),
            (text: "closed again", move: ClosedQuestion, topic: Focal, next: "c", minutes: 2),
        ]),
        (id: "c", client: [(text: "C")], options: [
            (text: "advise", move: PrematureAdvice, topic: Focal, next: "end", minutes: 2),
        ]),
      ],
      endings: [(id: "end", title: "End", text: "e", outcome: Mixed)],
    )"#;
    let s = parse(text);
    let g = Arc::new(tricky_rubric());
    check_against_every_route(&s, &g);
    let a = analyze(&s, &g, Limits::default()).expect("analyses");
    let pacing = a
        .extremes
        .iter()
        .find(|x| x.objective == Objective::Pacing)
        .expect("pacing");
    let texts: Vec<&str> = pacing.best.steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["open", "clarify", "advise"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn analysis_agrees_with_playing_every_route(
        nodes in prop::collection::vec(gen_node(), 2..8),
        phase in prop::sample::select(vec!["Initial", "Middle", "Termination"]),
        area in prop::sample::select(vec!["Grief", "RoleDispute", "RoleTransition", "InterpersonalDeficits"]),
        minutes in 10u32..50,
        start in (10i32..90, 10i32..90, 10i32..90),
        rubric in 0..3usize,
    ) {
        let text = scenario_text(&nodes, phase, area, minutes, start);
        let s = parse(&text);
        let g = match rubric {
            0 => guidance(),
            1 => Arc::new(tricky_rubric()),
            _ => Arc::new(tricky_context_rubric()),
        };
        check_against_every_route(&s, &g);
    }
}

#[test]
fn every_scaffold_can_unlock_its_disclosure_and_reach_a_good_ending_by_the_best_route() {
    use ipt_trainer::core::model::{Outcome, Phase, ProblemArea};
    let g = guidance();
    for area in ProblemArea::ALL {
        for phase in Phase::ALL {
            let text = ipt_trainer::core::scaffold::scaffold(area, phase);
            let s =
                ipt_trainer::core::load::load_scenario_str(&text, std::path::Path::new("new.ron"))
                    .into_result()
                    .expect("the scaffold loads");
            let a = analyze(&s, &g, Limits::default()).expect("analyses");
            let what = format!("{area:?} {phase:?}");
            assert!(a.exact, "{what}");
            assert!(a.disclosures.iter().all(|d| d.unlockable), "{what}");
            assert!(a.endings.iter().all(|e| e.reachable), "{what}");
            let best = &a
                .extremes
                .iter()
                .find(|x| x.objective == Objective::Overall)
                .expect("overall")
                .best;
            let ending = s
                .endings
                .iter()
                .find(|e| e.id == best.ending)
                .expect("ending");
            assert_eq!(ending.outcome, Outcome::Good, "{what}: {:?}", best.ending);
        }
    }
}

/// Files found by review, where the search once got it wrong: each checked
/// against playing every route.
#[test]
fn review_cases_agree_with_playing_every_route() {
    let file = |name: &str| {
        std::fs::read_to_string(crate::common::fixture(&format!("analysis/{name}"))).expect("read")
    };
    // A disclosure whose id a rule also remembers ("time-limit").
    let s = parse(&file("disclosure-named-like-a-flag.ron"));
    check_against_every_route(&s, &guidance());
    let a = analyze(&s, &guidance(), Limits::default()).expect("analyses");
    assert!(a.disclosures.iter().all(|d| d.unlockable));
    // A 180-minute session and a rule on up to 120% of it: the clock must be
    // followed past 216 minutes.
    let s = parse(&file("long-session.ron"));
    let g = Arc::new(parse_guidance(&file("long-session-guidance.ron")));
    check_against_every_route(&s, &g);
}

#[test]
fn a_long_scenario_whose_client_hardly_varies_is_searched_exactly() {
    use std::fmt::Write as _;
    let mut text = String::from(
        "Scenario(id: \"chain\", title: \"C\", area: Grief, phase: Middle, minutes: 50,\n\
         client: (name: \"C\", age: 30), nodes: [\n",
    );
    for i in 0..100 {
        let next = if i < 99 {
            format!("n{}", i + 1)
        } else {
            "end".into()
        };
        let _ = writeln!(
            text,
            "(id: \"n{i}\", client: [(text: \"{i}\")], options: [(text: \"go {i}\", move: ClosedQuestion, topic: Focal, next: \"{next}\")]),"
        );
    }
    text.push_str("], endings: [(id: \"end\", title: \"E\", text: \"e\", outcome: Good)])");
    let s = parse(&text);
    // A limit that twenty times the merged search would pass.
    let limits = Limits {
        max_states: 1_000,
        exact_only: false,
    };
    let a = analyze(&s, &guidance(), limits).expect("analyses");
    assert!(a.exact, "{} points", a.states);
    assert_eq!(a.states, 100);
}

#[test]
fn routes_that_meet_with_and_without_an_open_risk_or_rupture_are_told_apart() {
    // At `a` the risk hint is asked about or passed over, at `b` the client
    // is judged or not; the options' own adjustments make the routes meet
    // in the same client state, so only the open risk and the open rupture
    // tell them apart at `c`: coming back to the risk and repairing the
    // rupture earn points only where they are open.
    let text = r#"Scenario(id: "open", title: "O", area: Grief, phase: Initial, minutes: 50,
      client: (name: "O", age: 30, start: (trust: 50, distress: 40, openness: 50)),
      nodes: [
        (id: "a", client: [(text: "A")], risk: true, options: [
            (text: "ask", move: SafetyCheck, topic: Focal, next: "b", minutes: 2, adjust: (trust: -4)),
            (text: "pass", move: OpenQuestion, topic: Focal, next: "b", minutes: 2),
        ]),
        (id: "b", client: [(text: "B")], options: [
            (text: "judge", move: JudgementalRemark, topic: Focal, next: "c", minutes: 2),
            (text: "plain", move: ClosedQuestion, topic: RelatedPresent, next: "c", minutes: 2, adjust: (trust: -9)),
        ]),
        (id: "c", client: [(text: "C")], options: [
            (text: "come back", move: SafetyCheck, topic: Focal, next: "d", minutes: 2),
            (text: "repair", move: RepairRupture, topic: Focal, next: "d", minutes: 2),
            (text: "symptoms", move: SymptomReview, topic: Focal, next: "d", minutes: 2),
        ]),
        (id: "d", client: [(text: "D")], options: [
            (text: "open", move: OpenQuestion, topic: Focal, next: "end", minutes: 2),
            (text: "warm", move: SocialWarmth, topic: OffTopic, next: "end", minutes: 2),
        ]),
      ],
      endings: [(id: "end", title: "End", text: "e", outcome: Mixed)],
    )"#;
    let s = parse(text);
    // No rule counts runs or moves used, so nothing else tells them apart.
    let g = Arc::new(parse_guidance(
        r#"(
        version: "open",
        scoring: (model: AgainstOptions),
        principles: [(
            id: "p", name: "P", statement: "S", source: "Src", dimensions: [Rapport, Pacing, Focus],
            rules: [
                (when: (risk_pending: true, not_moves: [SafetyCheck]), score: (rapport: -9), client: (trust: -4), critical: true, feedback: "missed"),
                (when: (risk_open: true, moves: [SafetyCheck]), score: (rapport: 3, focus: 2), feedback: "came back"),
                (when: (moves: [JudgementalRemark]), score: (rapport: -8), client: (trust: -9), harm: true, feedback: "judged"),
                (when: (rupture: true, moves: [RepairRupture]), score: (rapport: 5), feedback: "repaired"),
                (when: (rupture: true, moves: [OpenQuestion]), score: (pacing: -1), feedback: "slow"),
            ],
        )],
        tasks: [(id: "s", name: "S", phase: Initial, moves: [SymptomReview], principle: "p", dimension: Pacing, reward: 4, penalty: 6)],
    )"#,
    ));
    check_against_every_route(&s, &g);
}
