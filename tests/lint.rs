//! Lint: each warning code has a fixture in `tests/fixtures/lint/` that
//! states on its first line the code and the place it is reported
//! (`// expect: W010 at 29:17`, or `at file` for a warning about the file as
//! a whole; `at 35:24, 37:24` for one code reported at several places, in
//! order); the bundled scenarios and every scaffold are clean.

use crate::common::{expectation, fixture, guidance};
use ipt_trainer::core::diagnostic::Code;
use ipt_trainer::core::diagnostic::Position;
use ipt_trainer::core::lint::{best_option, lint};
use ipt_trainer::core::load::{self, load_scenario_str};
use ipt_trainer::core::rubric::{Evaluation, ScoreDelta};
use std::collections::BTreeSet;
use std::path::Path;

fn codes_for(source: &str) -> Vec<Code> {
    let s = load_scenario_str(source, Path::new("t.ron"))
        .into_result()
        .expect("valid");
    lint(&s, &guidance(), source, Path::new("t.ron"))
        .iter()
        .map(|d| d.code)
        .collect()
}

fn small() -> String {
    std::fs::read_to_string(fixture("valid/small.ron")).expect("read")
}

/// Every lint code, each of which has a fixture in `tests/fixtures/lint/`.
const LINT_CODES: [Code; 7] = [
    Code::W010,
    Code::W011,
    Code::W012,
    Code::W013,
    Code::W014,
    Code::W015,
    Code::W016,
];

/// A fixture's code and its places: `common::expectation` for each place of
/// a list (`// expect: W013 at 35:24, 37:24`).
fn expectations(path: &Path, text: &str) -> (String, Vec<Option<Position>>) {
    let first = text.lines().next().unwrap_or_default();
    let Some((head, places)) = first.split_once(" at ") else {
        let (code, place) = expectation(path, text);
        return (code, vec![place]);
    };
    let each: Vec<_> = places
        .split(", ")
        .map(|place| expectation(path, &format!("{head} at {place}")))
        .collect();
    let code = each[0].0.clone();
    (code, each.into_iter().map(|(_, place)| place).collect())
}

#[test]
fn every_lint_fixture_reports_its_code_at_its_place() {
    let files = load::scenario_files(&fixture("lint")).expect("tests/fixtures/lint/");
    let g = guidance();
    let mut covered = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let (code, places) = expectations(&f, &text);
        let loaded = load_scenario_str(&text, &f);
        assert!(
            loaded.diagnostics.is_empty(),
            "{}: a lint fixture is a valid scenario: {:?}",
            f.display(),
            loaded.diagnostics
        );
        let s = loaded.into_result().expect("valid");
        let found = lint(&s, &g, &text, &f);
        // Each fixture shows one thing (one code, at one place or, in
        // order, at a few), so its places are unambiguous.
        assert_eq!(
            found.iter().map(|d| d.position).collect::<Vec<_>>(),
            places,
            "{}: expected {code} at the places on its first line, got {:?}",
            f.display(),
            found.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        for hit in &found {
            assert_eq!(hit.code.as_str(), code, "{hit}");
            assert!(!hit.is_error(), "{}: {code} is a warning", f.display());
            assert!(
                hit.hint.is_some(),
                "{}: {code} comes with a hint",
                f.display()
            );
            covered.insert(hit.code);
        }
    }
    assert_eq!(
        covered,
        BTreeSet::from(LINT_CODES),
        "every lint code has a fixture"
    );
}

#[test]
fn the_small_fixture_skips_most_initial_tasks() {
    // An initial session that only agrees the time limit: W012 for each of
    // the four other tasks, about the file as a whole.
    let got = codes_for(&small());
    assert_eq!(got, vec![Code::W012; 4]);
}

#[test]
fn the_best_option_always_first_is_flagged() {
    let source = ipt_trainer::core::scaffold::scaffold(
        ipt_trainer::core::model::ProblemArea::Grief,
        ipt_trainer::core::model::Phase::Initial,
    );
    assert!(
        codes_for(&source).is_empty(),
        "the scaffold is clean: {:?}",
        codes_for(&source)
    );
    // Move the option the rubric rates best to the front of every node.
    let g = guidance();
    let mut s = load_scenario_str(&source, Path::new("new.ron"))
        .into_result()
        .expect("the scaffold loads");
    let reference = s.clone();
    for n in &mut s.nodes {
        let ratings = ipt_trainer::core::lint::rate_options(&reference, &g, n);
        if let Some(b) = best_option(&ratings) {
            let best = n.options.remove(b);
            n.options.insert(0, best);
        }
    }
    let found: Vec<Code> = lint(&s, &g, &source, Path::new("new.ron"))
        .iter()
        .map(|d| d.code)
        .collect();
    assert!(found.contains(&Code::W014), "{found:?}");
}

#[test]
fn the_bundled_scenarios_and_every_scaffold_lint_clean() {
    use ipt_trainer::core::model::{Phase, ProblemArea};
    for area in ProblemArea::ALL {
        for phase in Phase::ALL {
            let s = ipt_trainer::core::scaffold::scaffold(area, phase);
            assert_eq!(codes_for(&s), vec![], "{area:?} {phase:?}");
        }
    }
    for f in crate::common::bundled() {
        let source = std::fs::read_to_string(&f).expect("read");
        assert_eq!(codes_for(&source), vec![], "{}", f.display());
    }
}

fn rating(critical: bool, total: i32) -> Evaluation {
    Evaluation {
        critical,
        score: ScoreDelta {
            rapport: total,
            ..ScoreDelta::default()
        },
        ..Evaluation::default()
    }
}

#[test]
fn the_best_option_is_the_one_rated_highest_and_a_tie_has_none() {
    let (good, fair, poor, fatal) = (
        &rating(false, 3),
        &rating(false, 1),
        &rating(false, -2),
        &rating(true, 5),
    );
    let best =
        |evs: &[&Evaluation]| best_option(&evs.iter().map(|e| (*e).clone()).collect::<Vec<_>>());
    assert_eq!(best(&[]), None);
    assert_eq!(best(&[poor]), Some(0));
    assert_eq!(best(&[good, fair, poor]), Some(0));
    assert_eq!(best(&[poor, fair, good]), Some(2));
    // A serious error is never best, whatever its points.
    assert_eq!(best(&[fatal, poor]), Some(1));
    // A tie for best, wherever it stands, has no best option: neither the
    // first nor the last of the tied ones.
    assert_eq!(best(&[good, good, poor]), None);
    assert_eq!(best(&[poor, good, fair, good]), None);
    assert_eq!(best(&[fatal, fatal]), None);
    // A tie below the best does not matter.
    assert_eq!(best(&[fair, good, fair]), Some(1));
}

/// The W014 fixture with a second option, rated as the first, after the
/// first at every node: the top is a tie everywhere.
fn w014_with_ties() -> String {
    let text = std::fs::read_to_string(fixture("lint/w014-best-option-first.ron")).expect("read");
    let mut out = String::new();
    let mut after_open = false;
    for line in text.lines().skip(2) {
        out.push_str(line);
        out.push('\n');
        if after_open {
            let copy = line.replacen("(text: \"", "(text: \"Or: ", 1);
            assert_ne!(copy, line, "an option follows `options: [`");
            out.push_str(&copy);
            out.push('\n');
        }
        after_open = line.trim_end().ends_with("options: [");
    }
    out
}

#[test]
fn a_tie_for_best_counts_towards_no_place_of_the_best_option() {
    // Before, a tie went to the last of the tied options, so this file was
    // told its best option is option 2 at every choice point, which only
    // the tie-break made; and "the best is the first" was not counted.
    let source = w014_with_ties();
    let s = load_scenario_str(&source, Path::new("t.ron"))
        .into_result()
        .expect("valid");
    let g = guidance();
    for n in &s.nodes {
        let ratings = ipt_trainer::core::lint::rate_options(&s, &g, n);
        assert_eq!(best_option(&ratings), None, "a tie at `{}`", n.id);
    }
    let found = lint(&s, &g, &source, Path::new("t.ron"));
    assert!(
        found.iter().all(|d| d.code != Code::W014),
        "{:?}",
        found.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
}

#[test]
fn each_node_warning_points_at_its_own_node_in_the_bundled_scenarios() {
    // With a rubric that rates nothing, every node gets W010 and W011, at
    // its own id: in node order, each at `id: "<the node>"`.
    let mut g = (*guidance()).clone();
    g.principles.clear();
    g.tasks.clear();
    for f in crate::common::bundled() {
        let source = std::fs::read_to_string(&f).expect("read");
        let s = load_scenario_str(&source, &f).into_result().expect("valid");
        let found = lint(&s, &g, &source, &f);
        for code in [Code::W010, Code::W011] {
            let lines: Vec<usize> = found
                .iter()
                .filter(|d| d.code == code)
                .map(|d| d.position.expect("a place").line)
                .collect();
            assert_eq!(lines.len(), s.nodes.len(), "{}: {code}", f.display());
            assert!(
                lines.is_sorted_by(|a, b| a < b),
                "{}: {lines:?}",
                f.display()
            );
            for (n, line) in s.nodes.iter().zip(&lines) {
                let text = source.lines().nth(line - 1).expect("the line");
                assert!(
                    text.contains(&format!("id: {:?}", n.id)),
                    "{}:{line}: {code} for `{}` at `{text}`",
                    f.display(),
                    n.id
                );
            }
        }
    }
}
