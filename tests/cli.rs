//! The command line as a tutor or a course's CI uses it.
//!
//! For a few fixtures the whole rendered output is compared with an insta
//! snapshot in `tests/snapshots/`. After an intended change to the wording
//! or the rendering, run `cargo insta review` (or the tests with
//! `INSTA_UPDATE=always`) and review the diff.

use crate::common::{fixture, guidance, root, scenario};
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn validate_accepts_the_bundled_scenarios() {
    let out = run(&["validate", "scenarios"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("0 errors"), "{err}");
}

#[test]
fn validate_renders_file_line_column_source_marker_and_hint() {
    let f = fixture("errors/e005-unknown-node.ron");
    let out = run(&["validate", f.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[E005]: unknown node `lost`"), "{err}");
    assert!(err.contains("e005-unknown-node.ron:21:114"), "{err}");
    assert!(err.contains("next: \"lost\""), "{err}");
    assert!(err.contains("^^^^^^"), "{err}");
    assert!(err.contains("hint: did you mean `loss`?"), "{err}");
}

#[test]
fn validate_goes_on_past_a_bad_file_and_reports_all() {
    let dir = fixture("errors");
    let out = run(&["validate", dir.to_str().expect("utf8"), "no-such-dir"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for code in [
        "E003", "E004", "E005", "E006", "E008", "E009", "E012", "E001",
    ] {
        assert!(err.contains(&format!("[{code}]")), "{code} missing:\n{err}");
    }
}

#[test]
fn validate_json_is_machine_readable() {
    let f = fixture("errors/e006-unknown-move.ron");
    let out = run(&["validate", "--format", "json", f.to_str().expect("utf8")]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["errors"], 1);
    assert_eq!(v["diagnostics"][0]["code"], "E006");
    assert_eq!(v["diagnostics"][0]["position"]["line"], 21);
}

#[test]
fn play_with_choices_runs_without_input_and_ends_in_a_debrief() {
    let f = fixture("valid/small.ron");
    let out = run(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1,1,1",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("== Debrief"), "{stdout}");
    assert!(stdout.contains("Overall"), "{stdout}");
    assert!(stdout.contains("Turn by turn"), "{stdout}");
}

#[test]
fn play_json_gives_the_debrief_as_json() {
    let f = fixture("valid/small.ron");
    let out = run(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1,1,1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["seed"], 3);
    assert_eq!(v["choices"], serde_json::json!([1, 1, 1]));
    // The scores are the engine's for the same seed and choices.
    let mut s =
        ipt_trainer::core::session::Session::new(scenario(&f), guidance(), 3).expect("starts");
    for c in [1, 1, 1] {
        s.choose(c).expect("a shown option");
    }
    let want = s.scores();
    assert_eq!(v["scores"]["overall"], want.overall);
    assert_eq!(v["scores"]["rapport"], want.rapport);
    assert_eq!(v["scores"]["focus"], want.focus);
}

#[test]
fn play_reads_choices_from_stdin() {
    use std::io::Write;
    let f = fixture("valid/small.ron");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(["play", f.to_str().expect("utf8"), "--seed", "3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"x\n1\n1\n1\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Type the number of an option."), "{stdout}");
    assert!(stdout.contains("== Debrief"), "{stdout}");
}

#[test]
fn play_reports_bad_input_clearly() {
    let f = fixture("valid/small.ron");
    let out = run(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1,9",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("there is no option 9"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1",
    ]);
    assert!(
        text(&out.stderr).contains("the choices ran out"),
        "{}",
        text(&out.stderr)
    );
    let bad = fixture("errors/e005-unknown-node.ron");
    let out = run(&["play", bad.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("E005"));
}

#[test]
fn new_writes_a_valid_scenario_for_every_area_and_phase() {
    use ipt_trainer::core::model::{Phase, ProblemArea};
    for area in ProblemArea::ALL {
        for phase in Phase::ALL {
            let text = ipt_trainer::core::scaffold::scaffold(area, phase);
            let loaded =
                ipt_trainer::core::load::load_scenario_str(&text, std::path::Path::new("new.ron"));
            assert!(
                loaded.diagnostics.is_empty(),
                "{area:?} {phase:?}: {:?}",
                loaded.diagnostics
            );
            let s = loaded.value.expect("a scenario");
            // The skeleton exercises every task of its phase.
            let g = crate::common::guidance();
            for t in g.tasks_for(phase, area) {
                assert!(
                    s.nodes
                        .iter()
                        .flat_map(|n| &n.options)
                        .any(|o| t.moves.contains(&o.kind)),
                    "{area:?} {phase:?}: no option covers {}",
                    t.name
                );
            }
        }
    }
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("mine.ron");
    let o = run(&[
        "new",
        "--area",
        "deficits",
        "--phase",
        "middle",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v = run(&["validate", out.to_str().expect("utf8")]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    let again = run(&[
        "new",
        "--area",
        "grief",
        "--phase",
        "initial",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));
}

#[test]
fn graph_prints_mermaid_and_dot_with_endings_and_unreachable_nodes() {
    let text_in = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    // An extra node no option leads to.
    let orphan = text_in.replace(
        "    ],\n    endings:",
        "        (id: \"orphan\", client: [(text: \"Nobody gets here.\")], options: [(text: \"x\", move: Summary, topic: Focal, next: \"good\"), (text: \"y\", move: Summary, topic: Focal, next: \"good\"), (text: \"z\", move: Summary, topic: Focal, next: \"good\")]),\n    ],\n    endings:",
    );
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("orphan.ron");
    std::fs::write(&f, orphan).expect("write");
    let m = run(&["graph", f.to_str().expect("utf8")]);
    let out = text(&m.stdout);
    assert!(m.status.success(), "{}", text(&m.stderr));
    assert!(out.starts_with("flowchart TD"), "{out}");
    assert!(out.contains("class n_orphan unreachable"), "{out}");
    assert!(out.contains("n_good((\"good (good): A plan\"))"), "{out}");
    assert!(out.contains("[open question]"), "{out}");
    assert!(out.contains("-.->"), "a conditional option is dashed");
    let d = run(&["graph", f.to_str().expect("utf8"), "--format", "dot"]);
    let out = text(&d.stdout);
    assert!(out.starts_with("digraph \"test-small\" {"), "{out}");
    assert!(out.contains("fillcolor=gray85"), "{out}");
    assert!(out.contains("shape=doubleoctagon"), "{out}");
}

#[test]
fn play_writes_a_record_that_reads_back() {
    let f = fixture("valid/small.ron");
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("attempt.json");
    let o = run(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1,1,1",
        "--record",
        out.to_str().expect("utf8"),
        "--trainee",
        "Sam",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let r = ipt_trainer::core::store::read_record(&out).expect("a readable record");
    assert_eq!(r.trainee, "Sam");
    assert_eq!(r.scenario_id, "test-small");
    assert_eq!(r.debrief.seed, 3);
    assert_eq!(r.debrief.choices, vec![1, 1, 1]);
    assert_eq!(r.scenario_hash.len(), 16);
}

/// The command, the fixture (relative to the repository root, so the paths
/// in the output are stable) and the exit code, for each output compared
/// whole with its snapshot in `tests/snapshots/`.
const RENDERED: [(&str, &str, i32); 7] = [
    ("validate", "tests/fixtures/errors/e005-unknown-node.ron", 1),
    ("validate", "tests/fixtures/errors/e003-syntax.ron", 1),
    ("validate", "tests/fixtures/errors/w001-unreachable.ron", 0),
    (
        "validate",
        "tests/fixtures/errors/e017-no-reachable-ending.ron",
        1,
    ),
    (
        "lint",
        "tests/fixtures/lint/w016-impossible-disclosure.ron",
        0,
    ),
    // A warning about the file as a whole: no source line, no marker.
    ("lint", "tests/fixtures/lint/w012-missing-task.ron", 0),
    // A line indented with tabs, an id with a combining mark.
    (
        "validate",
        "tests/fixtures/errors/e004-duplicate-id-with-a-combining-mark.ron",
        1,
    ),
];

/// Snapshots (insta) of what a tutor reads: the whole stderr of each
/// command above. A difference fails the test; after an intended change,
/// `cargo insta review` (or `INSTA_UPDATE=always`) updates them, and the
/// diff is reviewed in the commit.
#[test]
fn validate_and_lint_render_exactly_the_expected_output() {
    for (command, file, code) in RENDERED {
        let out = run(&[command, file]);
        let got = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "ipt-trainer {command} {file}:\n{got}"
        );
        assert!(
            out.stdout.is_empty(),
            "ipt-trainer {command} {file} writes its report to stderr only"
        );
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            description => format!("ipt-trainer {command} {file}"),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{command}-{stem}"), got);
        });
    }
}

#[test]
fn validate_json_keeps_its_shape() {
    let out = run(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/errors/e005-unknown-node.ron",
    ]);
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("validate-json-e005-unknown-node", text(&out.stdout));
    });
}

#[test]
fn validate_with_guidance_checks_memory_flags_against_that_rubric() {
    // A rubric that sets `asked-openly` and no longer `judged`; a scenario
    // that tests both.
    let dir = tempfile::tempdir().expect("tmp");
    let rubric = dir.path().join("rubric.ron");
    let own = ipt_trainer::core::load::BUNDLED_GUIDANCE
        .replace("remember: [\"judged\"]", "remember: [\"asked-openly\"]");
    assert_ne!(own, ipt_trainer::core::load::BUNDLED_GUIDANCE);
    std::fs::write(&rubric, own).expect("write");
    let scenario = dir.path().join("flags.ron");
    let text_in = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    std::fs::write(
        &scenario,
        text_in
            .replace(
                "when: (remembers: [\"guilt\"])",
                "when: (remembers: [\"asked-openly\"])",
            )
            .replace("when: (min_trust: 38)", "when: (forgets: [\"judged\"])"),
    )
    .expect("write");
    let (r, s) = (
        rubric.to_str().expect("utf8"),
        scenario.to_str().expect("utf8"),
    );
    for args in [vec!["validate", s], vec!["lint", s]] {
        let bundled = run(&args);
        let err = text(&bundled.stderr);
        assert!(
            err.contains("[W002]") && err.contains("`asked-openly`"),
            "{err}"
        );
        assert!(!err.contains("`judged`"), "{err}");
        let mut with = vec!["--guidance", r];
        with.extend(&args);
        let own = run(&with);
        let err = text(&own.stderr);
        assert!(err.contains("[W002]") && err.contains("`judged`"), "{err}");
        assert!(!err.contains("`asked-openly`"), "{err}");
    }
}

#[test]
fn mermaid_and_dot_keep_ids_that_differ_only_in_punctuation_apart() {
    let text_in = std::fs::read_to_string(fixture("valid/small.ron")).expect("read");
    // Three nodes `a-b`, `a_b`, `a.b` in a row.
    let three = text_in
        .replace("\"loss\"", "\"a-b\"")
        .replace("\"plan\"", "\"a_b\"")
        .replace(
            "    ],\n    endings:",
            "        (id: \"a.b\", client: [(text: \"Third.\")], options: [(text: \"x\", move: Summary, topic: Focal, next: \"good\")]),\n    ],\n    endings:",
        )
        .replace(
            "next: \"mixed\", minutes: 2),",
            "next: \"a.b\", minutes: 2),",
        );
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("three.ron");
    std::fs::write(&f, three).expect("write");
    let out = run(&["graph", f.to_str().expect("utf8")]);
    let m = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Each node is declared once, under its own Mermaid id, and labelled
    // with its real id.
    let declared = |label: &str| -> String {
        let line = m
            .lines()
            .find(|l| l.contains(&format!("[\"{label}: ")))
            .unwrap_or_else(|| panic!("`{label}` is declared:\n{m}"));
        line.trim().split('[').next().expect("an id").to_string()
    };
    let ids = [declared("a-b"), declared("a_b"), declared("a.b")];
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
        "{ids:?}\n{m}"
    );
    // The edge `a_b` → `a.b` joins those two.
    assert!(
        m.lines()
            .any(|l| l.trim().starts_with(&ids[1]) && l.trim().ends_with(&ids[2])),
        "{ids:?}\n{m}"
    );
    let d = text(&run(&["graph", f.to_str().expect("utf8"), "--format", "dot"]).stdout);
    for id in ["a-b", "a_b", "a.b"] {
        assert!(d.contains(&format!("\"{id}\" [label=")), "{d}");
    }
}

#[test]
fn analyze_lint_and_graph_take_the_bundled_cases() {
    let cases = ipt_trainer::core::load::case_files(&root().join("scenarios")).expect("cases");
    assert!(!cases.is_empty());
    for c in &cases {
        let c = c.to_str().expect("utf8");
        // A small search is enough to see the command through.
        let out = run(&["analyze", c, "--max-states", "20000"]);
        let said = text(&out.stdout);
        assert!(out.status.success(), "analyze {c}: {}", text(&out.stderr));
        assert!(
            said.contains("Best course") && said.contains("Worst course"),
            "{said}"
        );
        let out = run(&["lint", c]);
        assert!(out.status.success(), "lint {c}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("1 file checked: 0 errors"),
            "{}",
            text(&out.stderr)
        );
        for format in ["dot", "mermaid"] {
            let out = run(&["graph", c, "--format", format]);
            assert!(out.status.success(), "graph {c}: {}", text(&out.stderr));
            assert!(
                text(&out.stdout).contains("session 1 of"),
                "{}",
                text(&out.stdout)
            );
        }
    }
    // `lint DIR` lints the cases in it too.
    let out = run(&["lint", "tests/fixtures/case"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning[W025]"), "{err}");
    let out = run(&[
        "lint",
        "--deny-warnings",
        "tests/fixtures/case/early-termination.case.ron",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn analyze_of_a_case_names_what_in_session_1_makes_session_2_harder() {
    let out = run(&["analyze", "tests/fixtures/case/pressed.case.ron"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("session 1 makes session 2 harder:"), "{said}");
    assert!(
        said.contains(
            "the disclosure `told-her-sister` needs trust at least 48 and is now out of reach"
        ),
        "{said}"
    );
    let out = run(&[
        "analyze",
        "tests/fixtures/case/pressed.case.ron",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["harms"][0]["cause"], 1);
    assert_eq!(v["best"].as_array().map(Vec::len), Some(2));
}
