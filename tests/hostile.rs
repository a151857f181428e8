//! Broken and hostile scenario and rubric files on the command line: files
//! that are not files, names that are not UTF-8, terminal escapes, very long
//! lines. Each command runs with a time limit, so a command that blocks
//! fails the test instead of hanging it.

use crate::common::{fixture, root};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Runs the binary with `args`, killing it and failing the test if it has
/// not finished within 20 seconds.
fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Ok(out) = rx.recv_timeout(Duration::from_secs(20)) {
        out.expect("the binary's output")
    } else {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
        panic!("ipt-trainer {} did not finish within 20 s", shown.join(" "));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn small() -> String {
    std::fs::read_to_string(fixture("valid/small.ron")).expect("read")
}

#[cfg(unix)]
#[test]
fn every_command_refuses_a_fifo_and_a_device_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tmp");
    let zero = dir.path().join("zero.ron");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let fifo = dir.path().join("pipe.ron");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let good = fixture("valid/small.ron");
    for (bad, kind) in [(&zero, "a device"), (&fifo, "a named pipe (FIFO)")] {
        let bad = bad.as_os_str();
        let g: &OsStr = "--guidance".as_ref();
        let runs: [Vec<&OsStr>; 10] = [
            vec!["validate".as_ref(), bad],
            vec!["lint".as_ref(), bad],
            vec!["graph".as_ref(), bad],
            vec!["analyze".as_ref(), bad],
            vec!["play".as_ref(), bad, "--choices".as_ref(), "1,1,1".as_ref()],
            vec![
                "validate".as_ref(),
                "--guidance".as_ref(),
                bad,
                good.as_os_str(),
            ],
            vec![
                "play".as_ref(),
                "--guidance".as_ref(),
                bad,
                good.as_os_str(),
                "--choices".as_ref(),
                "1,1,1".as_ref(),
            ],
            vec![g, bad, "lint".as_ref(), good.as_os_str()],
            vec![g, bad, "analyze".as_ref(), good.as_os_str()],
            vec![g, bad, "graph".as_ref(), good.as_os_str()],
        ];
        for args in runs {
            let out = run(&args);
            let err = text(&out.stderr);
            let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
            assert!(
                !out.status.success(),
                "ipt-trainer {} must fail",
                shown.join(" ")
            );
            assert!(
                err.contains(&format!("is {kind}, not a file")),
                "ipt-trainer {}:\n{err}",
                shown.join(" ")
            );
            assert!(
                err.contains("give the path of a file saved on disk"),
                "{err}"
            );
            assert!(!err.contains("Not a directory"), "{err}");
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_gives_json_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tmp");
    let name = OsStr::from_bytes(b"caf\xe9.ron");
    let file = dir.path().join(name);
    // A valid scenario (lint warns about it) and one with an error.
    let broken = small().replace("next: \"poor\"", "next: \"pooor\"");
    for (command, content, code) in [("lint", small(), 0), ("validate", broken, 1)] {
        std::fs::write(&file, content).expect("write");
        let out = run(&[
            command.as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            file.as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let d = &v["diagnostics"][0];
        let shown = d["file"].as_str().expect("the file, as text");
        assert!(shown.ends_with("caf\u{fffd}.ron"), "{shown}");
        let bytes: Vec<u8> = d["file_bytes"]
            .as_array()
            .expect("the file name's bytes")
            .iter()
            .map(|b| u8::try_from(b.as_u64().expect("a byte")).expect("a byte"))
            .collect();
        assert_eq!(bytes, file.as_os_str().as_bytes());
    }
    // A name that is UTF-8 has no `file_bytes`.
    let out = run(&["lint", "--format", "json", "tests/fixtures/valid/small.ron"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["diagnostics"][0].get("file_bytes").is_none(), "{v}");
}

/// Escape, bell, OSC (a title change, a hyperlink) and a C1 control.
const NASTY: &str = "\u{1b}[31mred\u{1b}[0m \u{1b}]0;pwned\u{7} \u{9b}2J";

fn assert_escaped(what: &str, out: &str) {
    assert!(
        !out.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{what} prints a control character raw:\n{out:?}"
    );
    assert!(out.contains("\\u{1b}[31mred"), "{what}: {out}");
}

#[test]
fn terminal_escapes_in_a_scenario_are_shown_escaped() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("escapes.ron");
    let nasty = small()
        .replace("I do not know why I am here.", NASTY)
        .replace("My sister thought I should come.", NASTY)
        .replace("Ana agrees to come back.", NASTY)
        .replace("title: \"A plan\"", &format!("title: \"{NASTY}\""));
    std::fs::write(&file, &nasty).expect("write");
    let f = file.to_str().expect("utf8");
    let play = run(&["play", f, "--seed", "3", "--choices", "1,1,1"]);
    assert!(play.status.success(), "{}", text(&play.stderr));
    assert_escaped("play", &text(&play.stdout));
    for format in ["mermaid", "dot"] {
        let graph = run(&["graph", f, "--format", format]);
        assert!(graph.status.success(), "{}", text(&graph.stderr));
        assert_escaped("graph", &text(&graph.stdout));
    }
    // In a diagnostic: the message quotes the id, the excerpt shows the line.
    let broken = nasty.replace("next: \"poor\"", &format!("next: \"{NASTY}\""));
    std::fs::write(&file, &broken).expect("write");
    let validate = run(&["validate", f]);
    assert_eq!(validate.status.code(), Some(1));
    let err = text(&validate.stderr);
    assert_escaped("validate", &err);
    assert!(
        err.contains("error[E005]: unknown node `\\u{1b}[31mred"),
        "{err}"
    );
}

/// The chain of `benches/generated.rs` in small: `n` nodes on one line, the
/// third option of each leading to a node that does not exist.
fn one_line_with_errors(n: usize) -> String {
    let mut s = String::from(
        "Scenario(id: \"long\", title: \"Long\", area: Grief, phase: Middle, client: (name: \"Gen\", age: 40), nodes: [",
    );
    for i in 0..n {
        let next = |k: usize| {
            if i + k < n {
                format!("n{}", i + k)
            } else {
                "end".to_string()
            }
        };
        let _ = write!(
            s,
            "(id: \"n{i}\", client: [(text: \"Line {i}, said at some length so that the line is long.\")], options: [\
             (text: \"Open {i}\", move: OpenQuestion, topic: Focal, next: \"{}\"), \
             (text: \"Press {i}\", move: PressForDetail, topic: DistantPast, next: \"missing{i}\")]), ",
            next(1)
        );
    }
    s.push_str("], endings: [(id: \"end\", title: \"End\", text: \"The end.\")])\n");
    s
}

#[test]
fn errors_on_a_very_long_line_print_a_short_window_of_it() {
    // Before, each diagnostic printed (and kept) the whole line: 400
    // errors on a 60 KB line printed 24 MB.
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("long.ron");
    let source = one_line_with_errors(400);
    assert!(source.len() > 60_000);
    std::fs::write(&file, &source).expect("write");
    let out = run(&["validate", file.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.matches("error[E005]").count(), 400, "{}", &err[..2000]);
    assert!(err.len() < 400 * 1000, "{} bytes for 400 errors", err.len());
    // The window is around the span, marked where it was cut.
    let first = err.split("\n\n").next().expect("a diagnostic");
    assert!(first.contains("next: \"missing0\""), "{first}");
    assert!(first.contains('…'), "{first}");
    assert!(first.lines().all(|l| l.chars().count() <= 160), "{first}");
}

#[test]
fn the_caret_lines_up_under_the_span_on_a_line_indented_with_tabs() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("tabs.ron");
    let source = small()
        .replace(
            "                (text: \"Let us stop",
            "\t\t\t\t(text: \"Let us stop",
        )
        .replace("next: \"mixed\"", "next: \"mixd\"");
    std::fs::write(&file, &source).expect("write");
    let out = run(&["validate", file.to_str().expect("utf8")]);
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let shown = lines
        .iter()
        .position(|l| l.contains("next: \"mixd\""))
        .unwrap_or_else(|| panic!("the line is shown:\n{err}"));
    let caret = lines[shown + 1];
    // Columns as a terminal shows them (a tab stands for the same width in
    // both lines, whichever it is).
    let col = |l: &str, at: usize| {
        l[..at]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>()
    };
    let span = lines[shown].find("\"mixd\"").expect("the span");
    let mark = caret.find('^').unwrap_or_else(|| panic!("a caret:\n{err}"));
    assert_eq!(col(caret, mark), col(lines[shown], span), "\n{err}");
    assert_eq!(caret.matches('^').count(), "\"mixd\"".len(), "\n{err}");
}

#[test]
fn one_error_on_a_megabyte_line_prints_little() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("mega.ron");
    let padding = " ".repeat(1 << 20);
    // All on one line (without the first line's comment, which would then
    // run to the end).
    let source = small()
        .split_once('\n')
        .expect("a comment line first")
        .1
        .replace('\n', " ")
        .replace("next: \"poor\"", &format!("next: {padding}\"pooor\""));
    std::fs::write(&file, &source).expect("write");
    let out = run(&["validate", file.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.len() < 4000,
        "{} bytes printed for one error",
        out.stderr.len()
    );
    assert!(text(&out.stderr).contains("\"pooor\""));
}

#[test]
fn a_json_diagnostic_gives_its_line_column_and_byte_offsets() {
    let f = Path::new("tests/fixtures/errors/e005-unknown-node.ron");
    let source = std::fs::read_to_string(root().join(f)).expect("read");
    let out = run(&["validate", "--format", "json", f.to_str().expect("utf8")]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["position"]["line"], 21);
    assert_eq!(d["position"]["column"], 114);
    let (start, end) = (
        usize::try_from(d["span"]["start"].as_u64().expect("start")).expect("fits"),
        usize::try_from(d["span"]["end"].as_u64().expect("end")).expect("fits"),
    );
    assert_eq!(&source[start..end], "\"lost\"");
}
