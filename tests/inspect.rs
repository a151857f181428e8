//! `ipt-trainer rubric`: what a rubric does, and what is wrong with it.

use crate::common::root;
use ipt_trainer::core::diagnostic::Code;
use ipt_trainer::core::inspect::{check, table};
use ipt_trainer::core::load::{self, Source};
use ipt_trainer::core::model::{MoveKind, ProblemArea, Topic};
use std::path::Path;
use std::process::Command;

fn rubric(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("rubric")
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

#[test]
fn the_table_shows_a_harmful_move_and_a_missed_risk_for_what_they_are() {
    let g = load::bundled_guidance().expect("the bundled rubric");
    let t = table(&g, ProblemArea::Grief, Topic::Focal);
    let row = |k: MoveKind| t.rows.iter().find(|r| r.kind == k).expect("a row");
    let risk = t
        .contexts
        .iter()
        .position(|c| c.risk_pending)
        .expect("a context with a risk hint");
    // Only a safety check is not a serious error when risk waits.
    for r in &t.rows {
        assert_eq!(
            r.cells[risk].critical,
            r.kind != MoveKind::SafetyCheck,
            "{:?}",
            r.kind
        );
    }
    // A judgemental remark about the focal problem earns no focus anywhere.
    assert!(
        row(MoveKind::JudgementalRemark)
            .cells
            .iter()
            .all(|c| c.harm && c.score.focus <= 0)
    );
    let hesitant = t
        .contexts
        .iter()
        .position(|c| c.hesitant)
        .expect("hesitant");
    assert!(row(MoveKind::PressForDetail).cells[hesitant].harm);
    assert!(row(MoveKind::Reflection).cells[hesitant].score.pacing > 0);
}

#[test]
fn the_command_prints_the_tables_and_writes_a_page() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = dir.path().join("rubric.html");
    let out = rubric(&["--area", "grief", "--html", page.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let version = crate::common::guidance().version.clone();
    assert!(text.contains(&format!("Rubric {version}")), "{text}");
    assert!(text.contains("judgemental remark"), "{text}");
    assert!(text.contains("!!"), "the serious errors are marked: {text}");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        html.contains("<th scope=\"row\">"),
        "rows have header cells"
    );
    assert!(
        !html.contains("<script"),
        "a self-contained page without scripts"
    );
    let json = rubric(&["--format", "json", "--area", "role-dispute"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["tables"][0]["area"], "RoleDispute");
    assert_eq!(
        v["warnings"].as_array().map(Vec::len),
        Some(0),
        "the bundled rubric is clean"
    );
}

#[test]
fn rules_that_cannot_fire_or_contradict_and_principles_without_source_are_found() {
    let text = r#"Guidance(
    version: "t",
    principles: [
        (
            id: "a", name: "A", statement: "S", source: "A book I like", dimensions: [Rapport],
            rules: [
                (when: (moves: [Reflection], client: (min_trust: 60, max_trust: 40)), score: (rapport: 2), feedback: "never"),
                (when: (moves: [Validation]), score: (rapport: 2), feedback: "up"),
            ],
        ),
        (
            id: "b", name: "B", statement: "S", source: "The Power of Interpersonal Therapy", dimensions: [Rapport],
            rules: [
                (when: (moves: [Validation]), score: (rapport: -1), feedback: "down"),
            ],
        ),
        (id: "c", name: "C", statement: "S", source: "Standard IPT structure", dimensions: [Focus]),
    ],
)"#;
    let path = Path::new("t.ron");
    let g = load::load_guidance_str(text, path)
        .into_result()
        .expect("loads");
    let found = check(&g, &Source::new(text, path));
    let place = |code: Code| {
        found
            .iter()
            .find(|d| d.code == code)
            .and_then(|d| d.position)
            .map(|p| (p.line, p.column))
    };
    // The never-firing rule's condition, the later of the two
    // contradicting rules, the source and the silent principle.
    assert_eq!(place(Code::W020), Some((7, 24)), "{found:?}");
    assert_eq!(place(Code::W021), Some((14, 24)), "{found:?}");
    assert_eq!(place(Code::W022), Some((5, 57)), "{found:?}");
    assert_eq!(place(Code::W023), Some((17, 14)), "{found:?}");
}
