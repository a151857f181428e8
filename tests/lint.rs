//! Lint: each warning code on a small scenario made to show it; the bundled
//! scenarios and every scaffold are clean.

use crate::common::{fixture, guidance};
use ipt_trainer::core::diagnostic::Code;
use ipt_trainer::core::lint::lint;
use ipt_trainer::core::load::load_scenario_str;
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

#[test]
fn each_lint_fires_on_the_scenario_made_to_show_it() {
    let base = small();
    let cases: Vec<(Code, String)> = vec![
        // Every option at `loss` is a mistake: nothing the rubric rates well.
        (
            Code::W010,
            base.replace(
                "move: Validation, topic: Focal, next: \"plan\"",
                "move: ChangeSubject, topic: OffTopic, next: \"plan\"",
            )
            .replace(
                "move: Reflection, topic: Focal, next: \"plan\"",
                "move: PressForDetail, topic: Focal, next: \"plan\"",
            ),
        ),
        // No tempting mistake at `opening`.
        (
            Code::W011,
            base.replace(
                "move: PrematureAdvice, topic: RelatedPresent",
                "move: Reflection, topic: Focal",
            )
            .replace(
                "move: PressForDetail, topic: Focal, next: \"loss\", minutes: 3",
                "move: Clarification, topic: Focal, next: \"loss\", minutes: 3",
            ),
        ),
        (
            Code::W013,
            base.replace(
                "Let us talk about your work instead.",
                "It sounds very painful. Take your time.",
            ),
        ),
        (
            Code::W015,
            base.replace(
                "It is hard to talk about.",
                &"It is hard to talk about. ".repeat(20),
            ),
        ),
        (
            Code::W016,
            base.replace(
                "when: (min_trust: 32)",
                "when: (min_trust: 60, max_trust: 40)",
            ),
        ),
    ];
    for (code, source) in cases {
        let got = codes_for(&source);
        assert!(got.contains(&code), "expected {code:?}, got {got:?}");
    }
    // The small fixture is an initial session that skips most tasks.
    assert!(codes_for(&base).contains(&Code::W012));
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
