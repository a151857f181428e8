//! Lint: each warning code has a fixture in `tests/fixtures/lint/` that
//! states on its first line the code and the place it is reported
//! (`// expect: W010 at 29:17`, or `at file` for a warning about the file as
//! a whole); the bundled scenarios and every scaffold are clean.

use crate::common::{expectation, fixture, guidance};
use ipt_trainer::core::diagnostic::Code;
use ipt_trainer::core::lint::lint;
use ipt_trainer::core::load::{self, load_scenario_str};
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

#[test]
fn every_lint_fixture_reports_its_code_at_its_place() {
    let files = load::scenario_files(&fixture("lint")).expect("tests/fixtures/lint/");
    let g = guidance();
    let mut covered = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let (code, pos) = expectation(&f, &text);
        let loaded = load_scenario_str(&text, &f);
        assert!(
            loaded.diagnostics.is_empty(),
            "{}: a lint fixture is a valid scenario: {:?}",
            f.display(),
            loaded.diagnostics
        );
        let s = loaded.into_result().expect("valid");
        let found = lint(&s, &g, &text, &f);
        // Each fixture shows one thing, so its place is unambiguous.
        let [hit] = found.as_slice() else {
            panic!(
                "{}: expected {code} alone, got {:?}",
                f.display(),
                found.iter().map(ToString::to_string).collect::<Vec<_>>()
            )
        };
        assert_eq!(hit.code.as_str(), code, "{hit}");
        assert_eq!(hit.position, pos, "the position of {hit}");
        assert!(!hit.is_error(), "{}: {code} is a warning", f.display());
        assert!(
            hit.hint.is_some(),
            "{}: {code} comes with a hint",
            f.display()
        );
        covered.insert(hit.code);
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
    let s = ipt_trainer::core::scaffold::scaffold(
        ipt_trainer::core::model::ProblemArea::Grief,
        ipt_trainer::core::model::Phase::Initial,
    );
    // Move every task option to the front of its node.
    let mut out = String::new();
    let mut pending: Vec<String> = Vec::new();
    for line in s.lines() {
        if line.contains("move: Reflection") {
            pending.push(line.to_string());
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.contains("(Your move:") {
            out.extend(pending.drain(..).map(|l| l + "\n"));
        }
    }
    assert!(
        codes_for(&s).is_empty(),
        "the scaffold is clean: {:?}",
        codes_for(&s)
    );
    assert!(
        codes_for(&out).contains(&Code::W014),
        "{:?}",
        codes_for(&out)
    );
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
