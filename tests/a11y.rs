//! The class report checked with axe-core in Debian's headless Chromium: a
//! report of real records (bundled scenarios played through the command
//! line, a case, drills, a class vote and a hot seat) has no violations,
//! and a page with a known fault has one (so the check can fail).
//!
//! Ignored in a plain `cargo test`: it needs `chromium` and axe-core, which
//! `scripts/install-deps --test` installs (axe into `~/.cache/ipt-axe`, or
//! `$IPT_AXE_DIR`); `scripts/test` runs it with `--ignored a11y::`.

use crate::common::{root, scenario};
use ipt_trainer::core::group::{GroupMode, GroupRecord};
use ipt_trainer::core::store::{read_record, write_record};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where axe-core's `axe.min.js` is (`scripts/install-deps --test` puts it there).
pub(crate) fn axe_script() -> PathBuf {
    let dir = std::env::var_os("IPT_AXE_DIR").map_or_else(
        || {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/ipt-axe")
        },
        PathBuf::from,
    );
    let js = dir.join("node_modules/axe-core/axe.min.js");
    assert!(
        js.is_file(),
        "{} is missing: run scripts/install-deps --test",
        js.display()
    );
    js
}

/// A JavaScript function of `put` that runs `axe.run()` over the whole
/// page and hands `put` the result: axe's version, the number of rules
/// passed, and each violation with its elements (shared with
/// `browser.rs`, which runs it through WebDriver).
pub(crate) const AXE_REPORT: &str = r#"
function (put) {
  axe.run(document, { resultTypes: ["violations"] }).then(function (r) {
    put({
      version: axe.version,
      passes: r.passes.length,
      violations: r.violations.map(function (v) {
        return {
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          nodes: v.nodes.map(function (n) {
            return { target: n.target, summary: n.failureSummary };
          })
        };
      })
    });
  }, function (e) { put({ error: String(e) }); });
}
"#;

/// Runs [`AXE_REPORT`] once the page has loaded and writes the result into
/// the DOM, percent-encoded (so that the dumped HTML cannot mangle it), in
/// `<pre id="axe-result">`.
fn runner() -> String {
    format!(
        r#"
(function () {{
  function put(v) {{
    var pre = document.createElement("pre");
    pre.id = "axe-result";
    pre.textContent = encodeURIComponent(JSON.stringify(v));
    document.body.appendChild(pre);
  }}
  ({AXE_REPORT})(put);
}})();
"#
    )
}

/// Checks `page` (a whole HTML document) with axe-core in headless
/// Chromium, in a window `size` ("1280,800") wide and high, and returns
/// axe's result: `violations`, `passes`, `version`.
fn axe(page: &str, size: &str) -> Value {
    let tmp = tempfile::tempdir().expect("tmp");
    let js = std::fs::read_to_string(axe_script()).expect("axe.min.js");
    let at = page.rfind("</body>").expect("the page has a </body>");
    // `</script` cannot occur in axe.min.js or the runner as shipped; check.
    assert!(!js.contains("</script"), "axe.min.js would end the script");
    let checked = format!(
        "{}<script>{js}</script>\n<script>{}</script>\n{}",
        &page[..at],
        runner(),
        &page[at..]
    );
    let file = tmp.path().join("checked.html");
    std::fs::write(&file, checked).expect("write the page");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--window-size={size}"))
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .args(["--virtual-time-budget=20000", "--dump-dom"])
        .arg(format!("file://{}", file.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{chromium} does not start ({e}): run scripts/install-deps --test")
        });
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if started.elapsed() > Duration::from_mins(3) {
            let _ = child.kill();
            panic!("{chromium} did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let dom = reader.join().expect("reader").expect("chromium's output");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(status.success(), "{chromium} failed ({status}):\n{err}");
    let result = dom
        .split("<pre id=\"axe-result\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no axe result in the page; chromium said:\n{err}"));
    let json = percent_encoding::percent_decode_str(result)
        .decode_utf8()
        .expect("UTF-8");
    let v: Value = serde_json::from_str(&json).expect("axe's JSON");
    assert!(v.get("error").is_none(), "axe failed: {}", v["error"]);
    v
}

/// Each violation as lines: id, impact, help, and each element's target.
pub(crate) fn describe(v: &Value) -> String {
    let mut s = String::new();
    for x in v["violations"].as_array().into_iter().flatten() {
        let nodes = x["nodes"].as_array().map_or(&[][..], Vec::as_slice);
        let _ = writeln!(
            s,
            "{} ({}): {} – {} element{} – {}",
            x["id"].as_str().unwrap_or("?"),
            x["impact"].as_str().unwrap_or("?"),
            x["help"].as_str().unwrap_or("?"),
            nodes.len(),
            if nodes.len() == 1 { "" } else { "s" },
            x["helpUrl"].as_str().unwrap_or(""),
        );
        for n in nodes.iter().take(10) {
            let _ = writeln!(
                s,
                "    {}\n      {}",
                n["target"],
                n["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      ")
            );
        }
        if nodes.len() > 10 {
            let _ = writeln!(s, "    … and {} more", nodes.len() - 10);
        }
    }
    s
}

pub(crate) fn ids(v: &Value) -> Vec<String> {
    v["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect()
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"));
    c.current_dir(root()).stdin(Stdio::null());
    c
}

/// Runs `args` followed by `--choices` of `first` and then the option 1 as
/// often as the run needs (the command says how many are missing or left
/// over), as a trainee who takes the first option would.
fn play_first_options(args: &[&str], first: &[String], sep: char) {
    let mut choices: Vec<String> = first.to_vec();
    if choices.is_empty() {
        choices.push("1".into());
    }
    for _ in 0..80 {
        let joined = choices.join(&sep.to_string());
        let out = bin()
            .args(args)
            .args(["--choices", &joined])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            return;
        }
        if err.contains("ran out") {
            choices.push("1".into());
        } else if let Some(n) = err
            .split("but ")
            .nth(1)
            .and_then(|r| r.split(" more choice").next())
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            choices.truncate(choices.len().saturating_sub(n));
        } else {
            panic!("{args:?} --choices {joined}: {err}");
        }
    }
    panic!("{args:?}: no number of choices fits");
}

/// A session's walkthrough choices, as `--choices` takes them.
fn walkthrough(id: &str) -> String {
    crate::common::walkthrough(id)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A folder of records as a class hands them in.
fn class_records(dir: &Path) {
    let p = |name: &str| dir.join(name).to_str().expect("utf8").to_string();
    let scenarios = [
        "grief-initial-rosa",
        "deficits-middle-aroha",
        "role-dispute-middle-hannah",
    ];
    for id in scenarios {
        let file = format!("scenarios/{id}.ron");
        // A trainee who follows the walkthrough, one who takes the first option.
        let out = bin()
            .args(["play", &file, "--seed", "2026", "--trainee", "Ana Lima"])
            .args([
                "--choices",
                &walkthrough(id),
                "--record",
                &p(&format!("ana-{id}.json")),
            ])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rec = p(&format!("ben-{id}.json"));
        play_first_options(
            &[
                "play",
                &file,
                "--seed",
                "7",
                "--trainee",
                "Ben <b>Okafor</b>",
                "--record",
                &rec,
            ],
            &[],
            ',',
        );
    }
    // A case, so that "Courses with one client" has a row.
    let case = root().join("scenarios/deficits-leo.case.ron");
    let bundle = ipt_trainer::core::load::load_case_file(&case, &crate::common::guidance())
        .value
        .expect("the case loads");
    let choices: Vec<String> = bundle
        .scenarios
        .iter()
        .map(|s| walkthrough(&s.id))
        .collect();
    let case_dir = dir.join("case");
    std::fs::create_dir_all(&case_dir).expect("mkdir");
    let out = bin()
        .args(["play", case.to_str().expect("utf8"), "--seed", "2026"])
        .args([
            "--trainee",
            "Ana Lima",
            "--choices",
            &choices.join("/"),
            "--record",
        ])
        .arg(&case_dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Drills, so that "Skills" has its tables.
    let drills = p("ben-drills.json");
    play_first_options(
        &[
            "drill",
            "--count",
            "3",
            "--seed",
            "1",
            "--no-save",
            "--trainee",
            "Ben <b>Okafor</b>",
            "--record",
            &drills,
        ],
        &[],
        ',',
    );
    // A class vote and a hot seat (the command line plays neither): Ana's
    // session again, as the class's.
    let id = scenarios[0];
    let sc = scenario(&root().join(format!("scenarios/{id}.ron")));
    let mut r = read_record(&dir.join(format!("ana-{id}.json"))).expect("a record");
    r.trainee = "Group 3B".into();
    r.finished_at += 3600;
    let mut turns = crate::common::class_vote_turns(&sc, &r);
    crate::common::rate_class_vote(&mut turns);
    let devices = crate::common::class_vote_devices(u32::try_from(turns.len()).expect("turns"));
    r.group = Some(GroupRecord {
        mode: GroupMode::ClassVote,
        name: "Group 3B".into(),
        roster: Vec::new(),
        turns,
        devices,
        skips: Vec::new(),
    });
    write_record(&dir.join("group-vote.json"), &r).expect("write");
    let roster = ["Ana Lima", "Ben <b>Okafor</b>", "Chen Wei"];
    r.trainee = "Group 3C".into();
    r.finished_at += 3600;
    let mut g = crate::common::hot_seat_group("Group 3C", &roster, r.debrief.turns.len());
    g.turns[1].tutor_pick = true;
    r.group = Some(g);
    write_record(&dir.join("group-hotseat.json"), &r).expect("write");
    // And a damaged file, so that "Files skipped or flagged" has a table.
    std::fs::write(dir.join("cut-off.json"), "{\"format\": \"ipt-trainer").expect("write");
}

#[test]
#[ignore = "needs chromium and axe-core: scripts/install-deps --test"]
#[allow(clippy::print_stdout, reason = "the test says what it checked")]
fn the_class_report_has_no_axe_violations() {
    let tmp = tempfile::tempdir().expect("tmp");
    let records = tmp.path().join("records");
    std::fs::create_dir_all(&records).expect("mkdir");
    class_records(&records);
    let html = tmp.path().join("report.html");
    let out = bin()
        .arg("report")
        .arg(&records)
        .arg("--out")
        .arg(&html)
        .args(["--scenarios", "scenarios"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let page = std::fs::read_to_string(&html).expect("the page");
    for section in ["courses", "group", "skills", "files", "progress", "scores"] {
        let body = page
            .split(&format!("id=\"{section}\""))
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_default();
        assert!(
            body.contains("<table"),
            "the section {section} has no table to check"
        );
    }
    // A laptop or projector, and a narrow window (where wide tables scroll).
    let mut found = String::new();
    for size in ["1280,800", "480,900"] {
        let v = axe(&page, size);
        println!(
            "axe-core {} at {size}: {} rules passed, {} violated",
            v["version"],
            v["passes"],
            ids(&v).len()
        );
        if !ids(&v).is_empty() {
            let _ = write!(found, "at {size}:\n{}", describe(&v));
        }
    }
    assert!(
        found.is_empty(),
        "axe-core finds violations in the class report:\n{found}"
    );
}

#[test]
#[ignore = "needs chromium and axe-core: scripts/install-deps --test"]
#[allow(clippy::print_stdout, reason = "the test shows what axe found")]
fn axe_finds_a_known_fault() {
    let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
                <title>A fault</title></head><body><main><h1>A fault</h1>\
                <img src=\"chart.png\"></main></body></html>";
    let v = axe(page, "1280,800");
    println!("{}", describe(&v));
    assert!(
        ids(&v).contains(&"image-alt".to_string()),
        "axe should find the image without alt: {v}"
    );
}
