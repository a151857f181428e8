//! Every error kind has a fixture that states its expected code and place
//! on its first line (`// expect: E005 at 21:114`).

use crate::common::{expectation, fixture, root};
use ipt_trainer::core::diagnostic::{Code, Position};
use ipt_trainer::core::load::{self, load_scenario_file, load_scenario_str};
use std::fmt::Write as _;
use std::path::Path;

#[test]
fn every_error_fixture_reports_its_code_at_its_place() {
    let dir = fixture("errors");
    let files = load::scenario_files(&dir).expect("fixtures");
    assert!(files.len() >= 15, "expected a fixture per diagnostic kind");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let (code, pos) = expectation(&f, &text);
        let loaded = load_scenario_file(&f);
        let hit = loaded
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == code)
            .unwrap_or_else(|| {
                panic!(
                    "{}: expected {code}, got {:?}",
                    f.display(),
                    loaded
                        .diagnostics
                        .iter()
                        .map(|d| d.code)
                        .collect::<Vec<_>>()
                )
            });
        assert_eq!(hit.position, pos, "{}: position of {code}", f.display());
        assert!(
            hit.hint.is_some(),
            "{}: {code} comes with a hint",
            f.display()
        );
        if code.starts_with('W') {
            // A warning: reported, but the scenario still loads.
            assert!(!hit.is_error(), "{}: {code} is a warning", f.display());
            assert!(loaded.into_result().is_ok(), "{} still loads", f.display());
        } else {
            assert!(hit.is_error(), "{}: {code} is an error", f.display());
            assert!(
                loaded.into_result().is_err(),
                "{} must not load",
                f.display()
            );
        }
    }
}

#[test]
fn the_small_fixture_is_valid() {
    let loaded = load_scenario_file(&fixture("valid/small.ron"));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert!(loaded.value.is_some());
}

#[test]
fn typos_get_suggestions() {
    let d = &load_scenario_file(&fixture("errors/e005-unknown-node.ron")).diagnostics;
    let e = d.iter().find(|d| d.code == Code::E005).expect("E005");
    assert_eq!(e.hint.as_deref(), Some("did you mean `loss`?"));
    let d = &load_scenario_file(&fixture("errors/e006-unknown-move.ron")).diagnostics;
    let e = d.iter().find(|d| d.code == Code::E006).expect("E006");
    assert_eq!(e.hint.as_deref(), Some("did you mean `OpenQuestion`?"));
    // At the option's `move` value.
    let text = std::fs::read_to_string(fixture("errors/e006-unknown-move.ron")).expect("read");
    let span = e.span.expect("a span");
    assert!(
        text[span.range()].starts_with("OpenQuestoin"),
        "{}",
        &text[span.range()]
    );
}

#[test]
fn all_semantic_errors_are_reported_not_just_the_first() {
    let text = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    let broken = text
        .replace("next: \"loss\", minutes: 4", "next: \"los\", minutes: 4")
        .replace("next: \"poor\"", "next: \"pooor\"")
        .replace("age: 50", "age: 500")
        .replace("text: \"What happens now?\"", "text: \"\"");
    let loaded = load_scenario_str(&broken, Path::new("broken.ron"));
    let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Code::E005).count(),
        2,
        "{codes:?}"
    );
    assert!(codes.contains(&Code::E008), "{codes:?}");
    assert!(codes.contains(&Code::E010), "{codes:?}");
    // Each points into the file, in file order.
    let positions: Vec<_> = loaded.diagnostics.iter().map(|d| d.position).collect();
    assert!(positions.iter().all(Option::is_some), "{positions:?}");
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let loaded = load_scenario_file(&root().join("no/such/file.ron"));
    assert_eq!(loaded.diagnostics.len(), 1);
    assert_eq!(loaded.diagnostics[0].code, Code::E001);
    assert!(loaded.value.is_none());
}

#[test]
fn a_file_too_large_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.ron");
    let size = usize::try_from(load::MAX_FILE_BYTES).expect("fits") + 10;
    std::fs::write(&big, "/".repeat(size)).expect("write");
    let loaded = load_scenario_file(&big);
    assert_eq!(loaded.diagnostics[0].code, Code::E002);
}

#[test]
fn garbage_input_never_panics() {
    for text in [
        "",
        "(",
        "Scenario(",
        "Scenario(id: 5)",
        "\u{0}\u{1}",
        "Scenario(id: \"x\", title: \"t\", area: Grief, phase: Initial, client: (name: \"n\", age: 3), nodes: [], endings: [])",
    ] {
        let loaded = load_scenario_str(text, Path::new("x.ron"));
        assert!(loaded.has_errors(), "{text:?} should not load");
    }
}

#[test]
fn the_bundled_rubric_has_at_least_twelve_sourced_principles() {
    let g = load::bundled_guidance().expect("rubric loads");
    assert!(g.principles.len() >= 12);
    let titles = [
        "An Overview – Psychosocial Interventions",
        "Therapeutic intervention",
        "Interpersonal psychotherapy interventions",
        "The Power of Interpersonal Therapy",
        "How Interpersonal Psychotherapy Fights Depression",
        "Standard IPT structure",
    ];
    for p in &g.principles {
        assert!(
            titles.iter().any(|t| p.source.contains(t)),
            "principle {} cites no known source: {}",
            p.id,
            p.source
        );
        assert!(!p.dimensions.is_empty(), "{} feeds no dimension", p.id);
    }
    // Every article is used by at least one principle.
    for t in &titles {
        assert!(
            g.principles.iter().any(|p| p.source.contains(t)),
            "{t} unused"
        );
    }
}

#[test]
fn a_broken_rubric_is_reported_with_its_place() {
    let text = load::BUNDLED_GUIDANCE.replace("principle: \"phase-tasks\", dimension: Pacing, reward: 5, penalty: 8),\n        (id: \"initial-sick-role\"", "principle: \"phase-taks\", dimension: Pacing, reward: 5, penalty: 8),\n        (id: \"initial-sick-role\"");
    let loaded = load::load_guidance_str(&text, Path::new("g.ron"));
    let e = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E014)
        .expect("E014 for an unknown principle");
    assert!(e.position.is_some());
    assert!(e.message.contains("phase-taks"));
}

/// The 1-based line and column of the `n`-th (from 0) occurrence of
/// `needle` in `text`, counting columns in characters.
fn place_of(text: &str, needle: &str, n: usize) -> Position {
    let at = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("`{needle}` occurs {n} times or fewer"))
        .0;
    place_at(text, at)
}

/// The line and column of byte `at` of `text`.
fn place_at(text: &str, at: usize) -> Position {
    let before = &text[..at];
    Position {
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
    }
}

#[test]
fn an_out_of_range_adjust_is_reported_at_the_option_not_the_start_state() {
    // The start state says `distress: 60` too; before, the E008 for the
    // option's adjustment pointed there.
    let text = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    let broken = text.replace(
        "next: \"plan\", minutes: 2),\n                (text: \"You were",
        "next: \"plan\", minutes: 2, adjust: (distress: 60)),\n                (text: \"You were",
    );
    assert_ne!(broken, text);
    let loaded = load_scenario_str(&broken, Path::new("adjust.ron"));
    let e = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E008)
        .expect("E008");
    assert!(e.message.contains("adjustment to distress"), "{e}");
    let adjust =
        broken.find("adjust: (distress: 60)").expect("written") + "adjust: (distress: ".len();
    assert_eq!(e.position, Some(place_at(&broken, adjust)));
}

#[test]
fn an_empty_option_text_and_an_empty_ending_text_are_each_reported_at_their_own_place() {
    // Before, the two swapped places: the ending took the first `text: ""`
    // in the file (the option's), the option the second.
    let text = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    let broken = text
        .replace("text: \"Let us stop there for today.\"", "text: \"\"")
        .replace("text: \"Ana may come back.\"", "text: \"\"");
    let loaded = load_scenario_str(&broken, Path::new("empty.ron"));
    let at = |what: &str| {
        loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::E010 && d.message.contains(what))
            .unwrap_or_else(|| panic!("an E010 about {what}: {:?}", loaded.diagnostics))
            .position
    };
    assert_eq!(
        at("an option at node `plan`"),
        Some(place_of(&broken, "\"\"", 0))
    );
    assert_eq!(at("ending `mixed`"), Some(place_of(&broken, "\"\"", 1)));
}

#[test]
fn a_place_is_found_when_an_id_holds_a_combining_mark_or_a_tab() {
    // Before, an id with a combining mark or a tab was looked for in its
    // escaped form (`"e\u{301}"`, `"\t"`), which is not what the file
    // says, so the diagnostic lost its line and column.
    let text = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    for id in ["plane\u{301}", "pl\tan"] {
        let broken = text.replacen("next: \"plan\"", &format!("next: \"{id}\""), 1);
        let loaded = load_scenario_str(&broken, Path::new("marks.ron"));
        let e = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::E005)
            .unwrap_or_else(|| panic!("E005 for {id:?}: {:?}", loaded.diagnostics));
        assert_eq!(
            e.position,
            Some(place_of(&broken, &format!("\"{id}\""), 0)),
            "{id:?}"
        );
    }
}

#[test]
fn every_number_in_a_rubric_is_range_checked_where_it_is_written() {
    let cases = [
        (
            "score: (rapport: 2),\n                    client: (trust: 3, openness: 2),",
            "score: (rapport: +2147483647),\n                    client: (trust: 3, openness: 2),",
            "+2147483647",
        ),
        (
            "client: (trust: 3, openness: 2),",
            "client: (trust: 3, openness: -2147483648),",
            "-2147483648",
        ),
        ("base: 50,", "base: 2147483647,", "2147483647"),
        ("max_minute: 5)", "max_minute: 100000)", "100000"),
        ("min_topic_run: 3)", "min_topic_run: 5000)", "5000"),
        ("critical_cap: 40)", "critical_cap: -1)", "-1"),
        (
            "dimension: Pacing, reward: 5, penalty: 8)",
            "dimension: Pacing, reward: 5, penalty: 4000000)",
            "4000000",
        ),
        (
            "when: (moves: [ClosedQuestion], client: (max_openness: 45)),",
            "when: (moves: [ClosedQuestion], client: (max_openness: 450)),",
            "450",
        ),
        ("max_explored: 1", "max_explored: 4294967295", "4294967295"),
        (
            "min_elapsed_percent: 70",
            "min_elapsed_percent: 70000",
            "70000",
        ),
    ];
    for (from, to, value) in cases {
        assert!(
            load::BUNDLED_GUIDANCE.contains(from),
            "the bundled rubric has `{from}`"
        );
        let text = load::BUNDLED_GUIDANCE.replacen(from, to, 1);
        let loaded = load::load_guidance_str(&text, Path::new("g.ron"));
        let e = loaded
            .diagnostics
            .iter()
            .find(|d| d.code == Code::E008)
            .unwrap_or_else(|| panic!("E008 for `{to}`: {:?}", loaded.diagnostics));
        let at = text.find(to).expect("written") + to.find(value).expect("the value");
        assert_eq!(e.position, Some(place_at(&text, at)), "`{to}`: {e}");
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.starts_with("use a value from")),
            "{e}"
        );
        assert!(loaded.into_result().is_err(), "`{to}` must not load");
    }
    // The bundled rubric is within every range.
    assert!(load::bundled_guidance().is_ok());
}

#[test]
fn typo_suggestions_stop_after_a_hundred_unknown_names_in_a_file() {
    // Each suggestion looks through every id: with one per node, a big file
    // took time quadratic in its size. The first hundred still get one.
    let mut text = String::from(
        "Scenario(id: \"many\", title: \"Many\", area: Grief, phase: Middle, client: (name: \"N\", age: 40), nodes: [",
    );
    for i in 0..150 {
        let _ = write!(
            text,
            "(id: \"node{i}\", client: [(text: \"Line\")], options: [(text: \"On\", move: OpenQuestion, topic: Focal, next: \"end\"), (text: \"Typo\", move: Summary, topic: Focal, next: \"Node{i}\")]),"
        );
    }
    text.push_str("], endings: [(id: \"end\", title: \"End\", text: \"The end.\")])");
    let loaded = load_scenario_str(&text, Path::new("many.ron"));
    let hints: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::E005)
        .filter_map(|d| d.hint.as_deref())
        .collect();
    assert_eq!(hints.len(), 150);
    assert_eq!(hints[0], "did you mean `node0`?");
    assert_eq!(hints[99], "did you mean `node99`?");
    assert!(
        hints[100..]
            .iter()
            .all(|h| *h == "name a node or an ending of this scenario"),
        "{:?}",
        &hints[100..]
    );
}

#[test]
fn a_rule_naming_a_task_the_rubric_does_not_have_is_an_error_at_the_name() {
    let from = "tasks_done: [\"initial-problem-area\"]";
    assert!(load::BUNDLED_GUIDANCE.contains(from));
    let text = load::BUNDLED_GUIDANCE.replacen(from, "tasks_done: [\"initial-problem-aera\"]", 1);
    let loaded = load::load_guidance_str(&text, Path::new("g.ron"));
    let e = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == Code::E014)
        .unwrap_or_else(|| panic!("E014: {:?}", loaded.diagnostics));
    let at = text.find("\"initial-problem-aera\"").expect("written");
    assert_eq!(e.position, Some(place_at(&text, at)), "{e}");
    assert_eq!(
        e.hint.as_deref(),
        Some("did you mean `initial-problem-area`?")
    );
}

#[test]
fn a_course_check_naming_nothing_or_out_of_range_is_an_error_at_its_field() {
    let cases = [
        (
            "BeforeLastSession([\"end-feelings\"])",
            "BeforeLastSession([\"end-feeling\"])",
            "names unknown task `end-feeling`",
            "rule:",
        ),
        (
            "penalty: 10,\n            met: \"The ending",
            "penalty: 300,\n            met: \"The ending",
            "penalty",
            "penalty: 300",
        ),
    ];
    for (from, to, says, at) in cases {
        assert!(load::BUNDLED_GUIDANCE.contains(from), "{from}");
        let text = load::BUNDLED_GUIDANCE.replacen(from, to, 1);
        let loaded = load::load_guidance_str(&text, Path::new("g.ron"));
        let e = loaded
            .diagnostics
            .iter()
            .find(|d| {
                matches!(d.code, Code::E014 | Code::E008)
                    && d.message.contains(says)
                    && d.message.contains("course check")
            })
            .unwrap_or_else(|| panic!("{to}: {:?}", loaded.diagnostics));
        let pos = e.position.expect("a place");
        let field =
            text.find(to).expect("written") + to.find(at.trim_end_matches(':')).unwrap_or(0);
        assert_eq!(pos.line, place_at(&text, field).line, "{e}");
        assert!(e.hint.is_some(), "{e}");
    }
    let text = load::BUNDLED_GUIDANCE.replacen(
        "principle: \"phase-tasks\",\n            dimension: Pacing,\n            penalty: 4,",
        "principle: \"phase-task\",\n            dimension: Pacing,\n            penalty: 4,",
        1,
    );
    let loaded = load::load_guidance_str(&text, Path::new("g.ron"));
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.code == Code::E014 && d.message.contains("unknown principle `phase-task`")),
        "{:?}",
        loaded.diagnostics
    );
}
