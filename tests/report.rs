//! The class report as a tutor meets it: a folder of real records (and some
//! broken ones) in, a CSV, an HTML page and xAPI statements out.

use crate::common::{guidance, root, scenario};
use ipt_trainer::core::group::{GroupMode, GroupRecord};
use ipt_trainer::core::report::{self, Report, ReportOptions, pseudonym};
use ipt_trainer::core::session::Session;
use ipt_trainer::core::store::{AttemptRecord, write_record};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 2026-11-23 09:00 UTC.
const BASE: u64 = 1_795_424_400;
const ROSA: &str = "scenarios/grief-initial-rosa.ron";
const LEO: &str = "scenarios/deficits-initial-leo.ron";
const SCRIPT: &str = "<script>alert(1)</script>";
const NAMES: [&str; 3] = ["Zebedee Quartermaine", "Ottoline Featherstonehaugh", SCRIPT];
const ROSTER: [&str; 3] = [
    "Peregrine Vantongeren",
    "Hermione Achterberg",
    "Wystan O'Dowd",
];

/// Plays a bundled scenario: at turn k the shown option `(seed + k) % n + 1`,
/// stopping after `max_moves` (or at the ending).
fn play(rel: &str, seed: u64, max_moves: usize) -> Session {
    let mut s = Session::new(scenario(&root().join(rel)), guidance(), seed).expect("starts");
    let mut k = 0u64;
    while let Some(p) = s.prompt() {
        if k as usize >= max_moves {
            break;
        }
        let n = p.options.len() as u64;
        s.choose(((seed + k) % n + 1) as usize)
            .expect("a shown option");
        k += 1;
    }
    s
}

fn record(rel: &str, seed: u64, trainee: &str, hour: u64) -> AttemptRecord {
    let mut r = AttemptRecord::from_session(&play(rel, seed, 100), trainee, seed.is_multiple_of(2));
    r.finished_at = BASE + hour * 3600;
    r
}

struct Class {
    dir: tempfile::TempDir,
    /// The readable records by file name (relative to the folder).
    good: BTreeMap<String, AttemptRecord>,
}

/// A folder as a tutor collects it: solo attempts by three trainees on two
/// scenarios, a class vote and a hot seat, one stopped early, and broken
/// files of every kind.
fn class() -> Class {
    let dir = tempfile::tempdir().expect("tmp");
    let mut good = BTreeMap::new();
    let mut hour = 0;
    let put = |name: &str, r: AttemptRecord, good: &mut BTreeMap<String, AttemptRecord>| {
        let path = dir.path().join(name);
        write_record(&path, &r).expect("write");
        good.insert(name.to_string(), r);
    };
    for (t, trainee) in NAMES.iter().enumerate() {
        for (s, rel) in [ROSA, LEO].iter().enumerate() {
            for attempt in 0..2u64 {
                hour += 1;
                let seed = 10 * t as u64 + 3 * s as u64 + attempt;
                let name = format!("t{t}/{}-{attempt}.json", ["rosa", "leo"][s]);
                put(&name, record(rel, seed, trainee, hour), &mut good);
            }
        }
    }
    // The first trainee's file named after them, as students often do.
    let r = record(ROSA, 77, NAMES[0], 20);
    put("zebedee-quartermaine.json", r, &mut good);

    // Stopped after three moves: no ending.
    let mut r = AttemptRecord::from_session(&play(LEO, 5, 3), NAMES[1], false);
    r.finished_at = BASE + 21 * 3600;
    put("stopped.json", r, &mut good);

    // A class vote: 10 votes at each turn, most for the option played.
    let mut r = record(ROSA, 4, "Group 3B", 22);
    let sc = scenario(&root().join(ROSA));
    let turns = crate::common::class_vote_turns(&sc, &r);
    r.group = Some(GroupRecord {
        mode: GroupMode::ClassVote,
        name: String::new(),
        roster: Vec::new(),
        turns,
        devices: Vec::new(),
        skips: Vec::new(),
    });
    put("group/vote.json", r, &mut good);

    // A hot seat: the roster takes turns.
    let mut r = record(LEO, 6, "Group 3C", 23);
    r.group = Some(crate::common::hot_seat_group(
        "",
        &ROSTER,
        r.debrief.turns.len(),
    ));
    put("group/hotseat.json", r, &mut good);

    // Flagged: the scenario changed since, or is not there at all.
    let mut r = record(ROSA, 8, NAMES[1], 24);
    r.scenario_hash = "0123456789abcdef".into();
    put("edited.json", r, &mut good);
    let mut r = record(LEO, 9, NAMES[2], 25);
    r.scenario_id = "retired-scenario".into();
    put("retired.json", r, &mut good);

    // Skipped: cut off, another version, another format, not JSON, a copy.
    let whole = std::fs::read_to_string(dir.path().join("t0/rosa-0.json")).expect("read");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    w("cut-off.json", &whole[..whole.len() / 2]);
    w(
        "v99.json",
        &whole.replacen("\"version\": 1", "\"version\": 99", 1),
    );
    w("statements.json", "[{\"actor\": {}}]");
    w("garbage.json", "not json at all");
    w("notes.txt", "not a record, not read");
    std::fs::create_dir_all(dir.path().join("z-copies")).expect("mkdir");
    w("z-copies/rosa-0.json", &whole);
    Class { dir, good }
}

fn options() -> ReportOptions {
    ReportOptions {
        scenario_dirs: vec![root().join("scenarios")],
        ..ReportOptions::default()
    }
}

fn build(c: &Class, o: &ReportOptions) -> Report {
    report::build(c.dir.path(), o).expect("the folder is readable")
}

/// RFC 4180 rows (quoted cells, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (_, c) => cell.push(c),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "the CSV ends with a line break"
    );
    rows
}

#[test]
fn the_csv_has_one_row_per_readable_attempt_with_its_values() {
    let c = class();
    let r = build(&c, &options());
    let rows = parse_csv(&r.csv());
    let header = &rows[0];
    assert_eq!(header[0], "file");
    assert_eq!(rows.len() - 1, c.good.len(), "one row per readable record");
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    for row in &rows[1..] {
        let file = &row[col("file")];
        let rec = c
            .good
            .get(file)
            .unwrap_or_else(|| panic!("{file} is a record"));
        let d = &rec.debrief;
        assert_eq!(row.len(), header.len());
        assert_eq!(row[col("trainee")], rec.trainee);
        assert_eq!(row[col("scenario_id")], rec.scenario_id);
        assert_eq!(row[col("scenario_title")], rec.scenario_title);
        assert_eq!(
            row[col("finished_at_utc")],
            report::iso_utc(rec.finished_at)
        );
        assert_eq!(row[col("seed")], d.seed.to_string());
        assert_eq!(row[col("rapport")], d.scores.rapport.to_string());
        assert_eq!(row[col("pacing")], d.scores.pacing.to_string());
        assert_eq!(row[col("focus")], d.scores.focus.to_string());
        assert_eq!(row[col("overall")], d.scores.overall.to_string());
        assert_eq!(
            row[col("critical_error")],
            if d.critical.is_empty() { "no" } else { "yes" }
        );
        assert_eq!(
            row[col("ending")],
            d.ending.as_ref().map_or("", |e| e.title.as_str())
        );
        assert_eq!(row[col("turns")], d.turns.len().to_string());
        assert_eq!(row[col("minutes")], d.minutes_used.to_string());
        assert_eq!(
            row[col("coach_mode")],
            if rec.coach_mode { "yes" } else { "no" }
        );
        let flagged = file == "edited.json" || file == "retired.json";
        assert_eq!(row[col("status")], if flagged { "flagged" } else { "ok" });
        assert_eq!(row[col("reason")].is_empty(), !flagged);
    }
    let by_file = |f: &str| {
        rows.iter()
            .find(|r| r[0] == f)
            .unwrap_or_else(|| panic!("{f}"))
    };
    assert_eq!(by_file("stopped.json")[col("outcome")], "unfinished");
    assert_eq!(by_file("group/vote.json")[col("group_mode")], "class vote");
    assert_eq!(
        by_file("group/hotseat.json")[col("group_members")],
        ROSTER.join("; ")
    );
    assert_eq!(
        by_file("t0/rosa-0.json")[col("reason")],
        "",
        "a record that matches its scenario is not flagged"
    );
}

#[test]
fn csv_cells_are_quoted_and_formulas_defused() {
    let dir = tempfile::tempdir().expect("tmp");
    let tricky = "=HYPERLINK(\"http://x\"), \"Jo\"\nSmith";
    write_record(&dir.path().join("a.json"), &record(ROSA, 1, tricky, 1)).expect("w");
    let r = report::build(dir.path(), &options()).expect("build");
    let csv = r.csv();
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], format!("'{tricky}"));
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

#[test]
fn skipped_and_flagged_files_are_listed_with_their_reasons() {
    let c = class();
    let r = build(&c, &options());
    let reason = |file: &str| {
        r.problems.iter().find(|p| p.file == file).map_or_else(
            || panic!("{file} is listed"),
            |p| (p.kind.label(), p.reason.as_str()),
        )
    };
    let (k, why) = reason("cut-off.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("not a readable record"), "{why}");
    let (k, why) = reason("v99.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("version"), "{why}");
    let (k, why) = reason("statements.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("not an ipt-trainer attempt record"), "{why}");
    assert_eq!(reason("garbage.json").0, "skipped");
    let (k, why) = reason("z-copies/rosa-0.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("the same attempt as t0/rosa-0.json"), "{why}");
    let (k, why) = reason("edited.json");
    assert_eq!(k, "flagged");
    assert!(why.contains("has changed since"), "{why}");
    let (k, why) = reason("retired.json");
    assert_eq!(k, "flagged");
    assert!(why.contains("not in the scenario folders"), "{why}");
    assert_eq!(r.skipped().count(), 5);
    assert_eq!(r.flagged().count(), 2);
    assert_eq!(r.files_found, c.good.len() + 5, "notes.txt is not read");

    let html = r.html();
    for p in &r.problems {
        assert!(
            html.contains(&format!("<code>{}</code>", p.file)),
            "{}",
            p.file
        );
        let escaped = p.reason.replace('&', "&amp;");
        assert!(html.contains(&escaped), "{}", p.reason);
    }
    assert!(html.contains("Files skipped or flagged (7)"));
}

#[test]
fn the_html_shows_each_attempt_and_the_counts_at_each_choice_point() {
    let c = class();
    let r = build(&c, &options());
    let html = r.html();
    // Every attempt's row, with its overall score.
    for rec in c.good.values() {
        let row = format!("<time datetime=\"{}\">", report::iso_utc(rec.finished_at));
        let at = html.find(&row).unwrap_or_else(|| panic!("a row for {row}"));
        let line = &html[at..html[at..].find("</tr>").map_or(html.len(), |e| at + e)];
        assert!(
            line.contains(&format!(
                "<td class=\"n\"><strong>{}</strong>",
                rec.debrief.scores.overall
            )),
            "{line}"
        );
    }
    // Counts per option, worked out here from the records themselves.
    let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for rec in c.good.values() {
        for t in &rec.debrief.turns {
            *counts
                .entry((rec.scenario_id.clone(), t.node.clone(), t.text.clone()))
                .or_default() += 1;
        }
    }
    let points = r.choice_points();
    for cp in &points {
        let reached: usize = cp.options.iter().map(|o| o.chosen).sum();
        assert_eq!(reached, cp.reached);
        for o in &cp.options {
            let want = counts
                .get(&(cp.scenario_id.clone(), cp.node.clone(), o.text.clone()))
                .copied()
                .unwrap_or(0);
            assert_eq!(
                o.chosen, want,
                "{} / {} / {}",
                cp.scenario_id, cp.node, o.text
            );
            let cell = format!(
                "<td>{}</td><td class=\"n\">{}</td>",
                ipt_trainer::core::report::html_escape(&o.text),
                o.chosen
            );
            assert!(html.contains(&cell), "{cell}");
        }
    }
    // Every option of a bundled node is listed, even when never chosen.
    let rosa = scenario(&root().join(ROSA));
    let cp = points
        .iter()
        .find(|p| p.scenario_id == rosa.id && p.node == rosa.start_id())
        .expect("the first choice point");
    let first = rosa.node(rosa.start_id()).expect("node");
    assert!(cp.options.len() >= first.options.len());
    // Within a scenario, the most mistakes first.
    for pair in points.windows(2) {
        if pair[0].scenario_id == pair[1].scenario_id {
            assert!(pair[0].mistakes >= pair[1].mistakes);
        }
    }
    // A mistake shows the better move's text.
    let better = c
        .good
        .values()
        .flat_map(|r| &r.debrief.turns)
        .find_map(|t| t.better.as_ref())
        .expect("some move had a better one");
    assert!(html.contains(&*ipt_trainer::core::report::html_escape(&better.text)));
    assert!(html.contains("✗ mistake"));
}

#[test]
fn class_votes_are_summed_per_option() {
    let c = class();
    let r = build(&c, &options());
    let vote = &c.good["group/vote.json"];
    let points = r.choice_points();
    for t in &vote.debrief.turns {
        let cp = points
            .iter()
            .find(|p| p.scenario_id == vote.scenario_id && p.node == t.node)
            .expect("the choice point");
        let played = cp
            .options
            .iter()
            .find(|o| o.option == t.option && o.text == t.text)
            .expect("the option played");
        assert!(played.votes >= 7, "{}: {}", t.node, played.votes);
    }
    let html = r.html();
    assert!(html.contains("Class votes"));
    assert!(html.contains("The class's votes"));
    // The split at the first turn, as the group section shows it.
    let sc = scenario(&root().join(ROSA));
    let first = &vote.debrief.turns[0];
    let n = sc.node(&first.node).expect("node").options.len();
    let share = (700.0 / (7.0 + (n - 1) as f64)).round();
    assert!(
        html.contains(&format!(
            "<span class=\"count\">7 ({share}%)</span> {} <em>(played)</em>",
            report::html_escape(&first.text)
        )),
        "the split at the first turn"
    );
    assert!(html.contains("Group sessions (2)"));
}

#[test]
fn a_script_name_is_text_in_html_and_svg() {
    let c = class();
    let html = build(&c, &options()).html();
    assert!(!html.contains(SCRIPT));
    assert!(!html.to_lowercase().contains("<script"), "no script at all");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    assert!(html.contains(&format!("<th scope=\"row\">{escaped}</th>")));
    // Inside the SVG charts too (the titles of dots and of the progress chart).
    let in_svg = html
        .split("<svg")
        .skip(1)
        .map(|s| &s[..s.find("</svg>").unwrap_or(s.len())])
        .any(|svg| svg.contains(escaped));
    assert!(in_svg, "the name appears, escaped, inside an SVG");
    assert!(html.contains("<title id=\"t"));
    // Self-contained: nothing loaded from elsewhere.
    for bad in [
        "<link", "<img", "@import", "url(", "src=", "http://", "https://",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
}

#[test]
fn anonymize_hides_every_name_everywhere_and_is_stable() {
    let c = class();
    let o = ReportOptions {
        anonymize: true,
        ..options()
    };
    let a = build(&c, &o);
    let (html, csv, xapi) = (a.html(), a.csv(), a.xapi().to_string());
    let mut names: Vec<&str> = NAMES.to_vec();
    names.extend(ROSTER);
    names.extend(["Group 3B", "Group 3C", "alert(1)", "zebedee", "Zebedee"]);
    for n in &names {
        for (what, text) in [("HTML", &html), ("CSV", &csv), ("xAPI", &xapi)] {
            assert!(!text.contains(n), "{n} appears in the {what}");
            let escaped = ipt_trainer::core::report::html_escape(n);
            assert!(
                !text.contains(&*escaped),
                "{n} appears escaped in the {what}"
            );
        }
    }
    for n in NAMES.iter().chain(&ROSTER) {
        assert!(html.contains(&pseudonym(n)), "{n}'s pseudonym");
        assert!(csv.contains(&pseudonym(n)), "{n}'s pseudonym");
        assert!(xapi.contains(&pseudonym(n)), "{n}'s pseudonym");
    }
    assert!(html.contains("pseudonymisation, not anonymity"));
    // Stable: the same on a second run.
    let b = build(&c, &o);
    assert_eq!(html, b.html());
    assert_eq!(csv, b.csv());
    assert_eq!(xapi, b.xapi().to_string());
}

fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut cs = scheme.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || "<>\"{}|\\^`".contains(c))
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('5')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && s.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            19 => c == 'Z',
            _ => c.is_ascii_digit(),
        })
}

fn check_actor(a: &Value) {
    let ifis = ["mbox", "mbox_sha1sum", "openid", "account"]
        .iter()
        .filter(|k| a.get(**k).is_some())
        .count();
    assert_eq!(ifis, 1, "exactly one identifier: {a}");
    let account = &a["account"];
    assert!(is_iri(account["homePage"].as_str().expect("homePage")));
    assert!(!account["name"].as_str().expect("name").is_empty());
}

#[test]
fn xapi_statements_follow_the_specification() {
    let c = class();
    let r = build(&c, &options());
    let statements = r.xapi();
    let list = statements.as_array().expect("an array");
    assert_eq!(list.len(), c.good.len());
    let mut ids = std::collections::BTreeSet::new();
    for s in list {
        let id = s["id"].as_str().expect("id");
        assert!(is_uuid(id), "{id}");
        assert!(ids.insert(id.to_string()), "ids are unique");
        assert!(s.get("version").is_none(), "not set by a provider");
        assert!(s.get("stored").is_none() && s.get("authority").is_none());

        let actor = &s["actor"];
        match actor["objectType"].as_str() {
            Some("Agent") => check_actor(actor),
            Some("Group") => {
                check_actor(actor);
                for m in actor["member"].as_array().map_or(&[][..], Vec::as_slice) {
                    assert_eq!(m["objectType"], "Agent");
                    check_actor(m);
                }
            }
            other => panic!("actor objectType {other:?}"),
        }

        let verb = &s["verb"];
        assert!(is_iri(verb["id"].as_str().expect("verb id")));
        assert!(verb["display"]["en-US"].is_string());

        let object = &s["object"];
        assert_eq!(object["objectType"], "Activity");
        assert!(is_iri(object["id"].as_str().expect("object id")));
        assert_eq!(
            object["definition"]["type"],
            "http://adlnet.gov/expapi/activities/simulation"
        );
        assert!(object["definition"]["name"]["en-US"].is_string());

        let result = &s["result"];
        let score = &result["score"];
        let scaled = score["scaled"].as_f64().expect("scaled");
        assert!((-1.0..=1.0).contains(&scaled));
        let (raw, min, max) = (
            score["raw"].as_f64().expect("raw"),
            score["min"].as_f64().expect("min"),
            score["max"].as_f64().expect("max"),
        );
        assert!(min < max && (min..=max).contains(&raw));
        assert!((scaled - raw / 100.0).abs() < 1e-9);
        for (k, _) in result["extensions"].as_object().expect("extensions") {
            assert!(is_iri(k), "{k}");
        }
        for (k, _) in s["context"]["extensions"].as_object().expect("extensions") {
            assert!(is_iri(k), "{k}");
        }
        assert!(is_timestamp(s["timestamp"].as_str().expect("timestamp")));

        // The three dimensions, and the context of the attempt.
        let ext = |k: &str| format!("{}/xapi/extensions/{k}", report::DEFAULT_XAPI_HOMEPAGE);
        // The dimensions are the record's own: some record of the class
        // has exactly these three scores.
        let dims: Vec<i64> = ["rapport", "pacing", "focus"]
            .iter()
            .map(|k| result["extensions"][ext(k)].as_i64().expect(k))
            .collect();
        assert!(
            c.good.values().any(|r| dims
                == [
                    i64::from(r.debrief.scores.rapport),
                    i64::from(r.debrief.scores.pacing),
                    i64::from(r.debrief.scores.focus)
                ]),
            "{dims:?} are no record's scores"
        );
        for k in ["seed", "rubric-version", "scenario-hash"] {
            assert!(!s["context"]["extensions"][ext(k)].is_null(), "{k}");
        }
        let completed = result["completion"].as_bool().expect("completion");
        assert_eq!(
            verb["id"],
            if completed {
                "http://adlnet.gov/expapi/verbs/completed"
            } else {
                "http://adlnet.gov/expapi/verbs/attempted"
            }
        );
        if completed {
            let passed = raw >= f64::from(report::DEFAULT_PASS_MARK)
                && result["extensions"][ext("critical-error")] == false;
            assert_eq!(result["success"], passed);
        }
    }
    // The hot seat is a Group of its roster.
    let hot = list
        .iter()
        .find(|s| s["actor"]["member"].is_array())
        .expect("the hot seat");
    assert_eq!(hot["actor"]["member"].as_array().map(Vec::len), Some(3));
    // The stopped attempt is `attempted`, not completed.
    assert_eq!(
        list.iter()
            .filter(|s| s["result"]["completion"] == false)
            .count(),
        1
    );
    // Deterministic: the same ids again, other ids for another home page.
    assert_eq!(build(&c, &options()).xapi(), statements);
    let other = build(
        &c,
        &ReportOptions {
            xapi_homepage: "https://lms.example.edu/ipt/".into(),
            ..options()
        },
    )
    .xapi();
    assert_ne!(other[0]["id"], statements[0]["id"]);
    assert_eq!(
        other[0]["actor"]["account"]["homePage"],
        "https://lms.example.edu/ipt"
    );
}

#[test]
fn an_empty_folder_gives_an_empty_report_and_a_missing_one_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = report::build(dir.path(), &options()).expect("build");
    assert!(r.attempts.is_empty());
    assert!(r.html().contains("No attempts could be read."));
    assert_eq!(parse_csv(&r.csv()).len(), 1, "the header only");
    assert_eq!(r.xapi(), Value::Array(Vec::new()));
    let err = report::build(&dir.path().join("nope"), &options()).expect_err("missing");
    assert!(err.to_string().contains("cannot read the folder"), "{err}");
    let bad = ReportOptions {
        xapi_homepage: "lms.example.edu".into(),
        ..options()
    };
    assert!(report::build(dir.path(), &bad).is_err());
}

fn run(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_command_writes_all_three_and_lists_problems_on_stderr() {
    let c = class();
    let out = tempfile::tempdir().expect("tmp");
    let file = |n: &str| out.path().join(n);
    let s = |p: &PathBuf| p.to_str().expect("utf8").to_string();
    let args = [
        "report".to_string(),
        s(&c.dir.path().to_path_buf()),
        "--out".into(),
        s(&file("report.html")),
        "--csv".into(),
        s(&file("attempts.csv")),
        "--xapi".into(),
        s(&file("statements.json")),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // From the project folder: ./scenarios is the default for checking.
    let o = run(&args, &root());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("skipped: ") && err.contains("cut-off.json"),
        "{err}"
    );
    assert!(
        err.contains("flagged: ") && err.contains("edited.json"),
        "{err}"
    );
    assert!(err.contains(&format!(
        "{} attempts (2 flagged), 5 files skipped",
        c.good.len()
    )));
    let html = std::fs::read_to_string(file("report.html")).expect("html written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    let csv = std::fs::read_to_string(file("attempts.csv")).expect("csv written");
    assert_eq!(parse_csv(&csv).len(), c.good.len() + 1);
    let x: Value =
        serde_json::from_str(&std::fs::read_to_string(file("statements.json")).expect("xapi"))
            .expect("json");
    assert_eq!(x.as_array().map(Vec::len), Some(c.good.len()));

    // Anonymized: the terminal still names the real file, with its alias.
    let mut anon = args.clone();
    anon.push("--anonymize");
    let o = run(&anon, &root());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("cut-off.json (file-"), "{err}");
    let html = std::fs::read_to_string(file("report.html")).expect("html");
    assert!(!html.contains("cut-off.json") && !html.contains("Zebedee"));

    // Elsewhere, with no scenario folder: nothing is flagged, and it says so.
    let o = run(&args, out.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("no scenario folder"), "{err}");
    assert!(err.contains("(0 flagged)"), "{err}");
}

#[test]
fn the_command_fails_without_a_folder_or_a_writable_output() {
    let out = tempfile::tempdir().expect("tmp");
    let o = run(&["report", "no-such-folder", "--out", "x.html"], out.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the folder"));
    assert!(!out.path().join("x.html").exists());

    let blocker = out.path().join("file");
    std::fs::write(&blocker, "a file, not a folder").expect("w");
    let target = blocker.join("report.html");
    let o = run(
        &[
            "report",
            out.path().to_str().expect("utf8"),
            "--out",
            target.to_str().expect("utf8"),
        ],
        out.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrote nothing"));
}

#[test]
fn group_sessions_are_not_trainees_and_an_unfinished_attempt_never_passes() {
    let c = class();
    let r = build(&c, &options());
    // Progress and the score spreads are individual attempts only.
    let people: Vec<String> = r.progress().into_iter().map(|p| p.trainee).collect();
    assert!(
        !people.iter().any(|p| p.starts_with("Group 3")),
        "{people:?}"
    );
    let solo = r.attempts.iter().filter(|a| a.group.is_none()).count();
    let spread: usize = r.distributions().iter().map(|d| d.attempts).sum();
    assert_eq!(spread, solo);
    assert!(r.html().contains("group sessions, shown apart"));
    // The attempt stopped early does not pass, whatever its score.
    let stopped = r
        .attempts
        .iter()
        .find(|a| a.file.contains("stopped"))
        .expect("the stopped attempt");
    assert!(stopped.ending.is_none());
    assert!(!ipt_trainer::core::report::passed(stopped, 0));
}

/// The row the report's table of trainees' moves should have, from the
/// record's own turns (not the report's numbers): the moves credited to
/// `who`, their points, best moves and serious errors.
fn seat_row(r: &AttemptRecord, who: &str, skipped: Option<usize>) -> String {
    let g = r.group.as_ref().expect("a group");
    let mine: Vec<_> = g
        .turns
        .iter()
        .zip(&r.debrief.turns)
        .filter(|(t, _)| t.by.as_deref() == Some(who))
        .map(|(_, m)| m)
        .collect();
    let points: i32 = mine.iter().map(|m| m.score.total()).sum();
    let best = mine.iter().filter(|m| m.better.is_none()).count();
    let serious = mine
        .iter()
        .filter(|m| m.fired.iter().any(|f| f.critical))
        .count();
    let cell = |n: String| format!("<td class=\"n\">{n}</td>");
    format!(
        "<tr><th scope=\"row\">{}</th>{}{}{}{}{}</tr>",
        report::html_escape(who),
        cell(mine.len().to_string()),
        cell(points.to_string()),
        cell(best.to_string()),
        cell(serious.to_string()),
        skipped.map(|n| cell(n.to_string())).unwrap_or_default(),
    )
}

#[test]
fn a_hot_seat_credits_each_trainee_with_their_own_moves() {
    let c = class();
    let html = build(&c, &options()).html();
    let r = &c.good["group/hotseat.json"];
    assert!(r.debrief.turns.len() >= 4, "someone moves twice");
    assert!(html.contains("Each trainee's moves"));
    let mut moves = 0;
    for (k, n) in ROSTER.iter().enumerate() {
        // The roster takes the turns in order: trainee k has turns k, k+3, ...
        let own = (k..r.debrief.turns.len()).step_by(ROSTER.len()).count();
        moves += own;
        let row = seat_row(r, n, None);
        assert!(
            row.contains(&format!("<td class=\"n\">{own}</td>")),
            "{row}"
        );
        assert!(html.contains(&row), "{n}: {row}");
    }
    assert_eq!(moves, r.debrief.turns.len());
}

#[test]
fn a_trainee_passed_over_is_counted_and_a_name_with_markup_is_escaped() {
    use ipt_trainer::core::group::SeatSkip;
    let dir = tempfile::tempdir().expect("tmp");
    let roster = ["Ana", "Ben <b>Okafor</b>", "Chi"];
    let mut r = record(LEO, 6, "Group 3C", 1);
    let mut g = crate::common::hot_seat_group("Group 3C", &roster, r.debrief.turns.len());
    // Ben is passed over before turn 2: Ana, Chi, Ana, Ben, Chi, ...
    for (k, t) in g.turns.iter_mut().enumerate().skip(1) {
        t.by = Some(roster[(k + 1) % roster.len()].to_string());
    }
    g.skips.push(SeatSkip {
        turn: 2,
        who: roster[1].into(),
    });
    r.group = Some(g);
    write_record(&dir.path().join("hotseat.json"), &r).expect("write");
    let html = report::build(dir.path(), &options())
        .expect("readable")
        .html();
    assert!(html.contains("Passed over"));
    assert!(html.contains(&seat_row(&r, roster[0], Some(0))));
    assert!(html.contains(&seat_row(&r, roster[1], Some(1))));
    assert!(html.contains(&seat_row(&r, roster[2], Some(0))));
    assert!(html.contains("Ben &lt;b&gt;Okafor&lt;/b&gt;"));
    assert!(!html.contains("<b>Okafor"));
}

#[test]
fn a_class_vote_on_devices_gives_each_named_student_a_line_of_their_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut r = record(ROSA, 4, "Group 3B", 1);
    let sc = scenario(&root().join(ROSA));
    let mut turns = crate::common::class_vote_turns(&sc, &r);
    crate::common::rate_class_vote(&mut turns);
    assert!(
        turns.len() >= 2 && turns[0].votes.len() >= 3,
        "the fixture needs them"
    );
    let n = turns.len();
    let devices = crate::common::class_vote_devices(u32::try_from(n).expect("turns"));
    r.group = Some(GroupRecord {
        mode: GroupMode::ClassVote,
        name: String::new(),
        roster: Vec::new(),
        turns,
        devices,
        skips: Vec::new(),
    });
    write_record(&dir.path().join("vote.json"), &r).expect("write");
    let html = report::build(dir.path(), &options())
        .expect("readable")
        .html();
    // The class played the scenario's option `t.option` at each turn; in
    // the fixture the k-th vote is for option k.
    let played: Vec<usize> = r.debrief.turns.iter().map(|t| t.option).collect();
    let with = |k: usize, position: usize| usize::from(played[k] == position - 1);
    let cell = |s: String| format!("<td class=\"n\">{s}</td>");
    let line = |who: &str, cells: [String; 5]| {
        format!(
            "<tr><th scope=\"row\">{}</th>{}</tr>",
            report::html_escape(who),
            cells.map(cell).concat()
        )
    };
    // Ana: the first option (3 points, the best) at every turn.
    let ana_with: usize = (0..n).map(|k| with(k, 1)).sum();
    let ana = line(
        "Ana Lima",
        [
            n.to_string(),
            format!("{n} of {n}"),
            "0".into(),
            format!("{} of {}", 3 * n, 3 * n),
            format!("{ana_with} of {n}"),
        ],
    );
    assert!(html.contains(&ana), "{ana}");
    // Ben: a serious error (-2) at turn 1, the second option (1) at turn 2.
    let ben = line(
        "Ben <b>Okafor</b>",
        [
            "2".into(),
            "0 of 2".into(),
            "1".into(),
            "-1 of 6".into(),
            format!("{} of 2", with(0, 3) + with(1, 2)),
        ],
    );
    assert!(html.contains(&ben), "{ben}");
    assert!(!html.contains("<b>Okafor"), "the name is escaped");
    // The unnamed device has its votes shown, and no line of its own.
    assert!(html.contains("Each device's vote"));
    let votes = format!(
        "<tr><th scope=\"row\">Student 3</th>{}{}</tr>",
        cell("1".into()),
        cell("–".into()).repeat(n - 1)
    );
    assert!(html.contains(&votes), "{votes}");
    assert_eq!(html.matches("<th scope=\"row\">Student 3</th>").count(), 1);
    // Named students' lines only in the tutor's report: with --anonymize,
    // pseudonyms.
    let hidden = report::build(
        dir.path(),
        &ReportOptions {
            anonymize: true,
            ..options()
        },
    )
    .expect("readable")
    .html();
    assert!(!hidden.contains("Ana Lima"));
    assert!(hidden.contains(&pseudonym("Ana Lima")));
    assert!(hidden.contains("Student 3"));
}

#[test]
fn anonymize_hides_names_quoted_in_the_reason_a_file_was_skipped() {
    let c = class();
    // A roster written as text: the parser's message quotes it.
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(c.dir.path().join("group/hotseat.json")).expect("read"),
    )
    .expect("json");
    v["group"]["roster"] = serde_json::Value::String("Chiara Rossi, Ana".into());
    std::fs::write(c.dir.path().join("group/bad-roster.json"), v.to_string()).expect("write");
    let plain = build(&c, &options());
    assert!(
        plain.html().contains("Chiara Rossi"),
        "the reason names it without --anonymize"
    );
    let hidden = build(
        &c,
        &ReportOptions {
            anonymize: true,
            ..options()
        },
    );
    let html = hidden.html();
    assert!(!html.contains("Chiara Rossi"));
    assert!(html.contains("details hidden by --anonymize"));
}

#[test]
fn a_retry_counts_its_repeated_moves_once_at_each_choice_point() {
    let dir = tempfile::tempdir().expect("tmp");
    // An attempt, then a retry from turn 4: its first three moves repeat
    // the recorded ones.
    let first = AttemptRecord::from_session(&play(ROSA, 3, 100), NAMES[0], false);
    let rewound = play(ROSA, 3, 100).rewind_to(4).expect("rewinds");
    let mut s = rewound;
    while let Some(p) = s.prompt() {
        let n = p.options.len();
        s.choose(n).expect("a shown option");
    }
    let mut retry = AttemptRecord::from_session(&s, NAMES[0], false);
    retry.replayed_turns = 3;
    retry.finished_at = first.finished_at + 60;
    write_record(&dir.path().join("first.json"), &first).expect("write");
    write_record(&dir.path().join("retry.json"), &retry).expect("write");
    let r = report::build(dir.path(), &options()).expect("builds");
    let points = r.choice_points();
    for (k, t) in first.debrief.turns.iter().enumerate() {
        let p = points
            .iter()
            .find(|p| p.node == t.node)
            .expect("the choice point");
        let retried_here = retry.debrief.turns.iter().skip(3).any(|u| u.node == t.node);
        let expected = if k < 3 {
            1
        } else {
            1 + usize::from(retried_here)
        };
        assert_eq!(p.reached, expected, "{} (turn {})", t.node, k + 1);
    }
}

// ---- Hostile and broken folders (issue 10: defects 2, 8, 11, 12, 13, 14, 15) ----

/// One good record's JSON, as a value to change.
fn record_json(seed: u64, trainee: &str) -> Value {
    serde_json::to_value(record(ROSA, seed, trainee, 1)).expect("a record is JSON")
}

fn write_json(dir: &Path, name: &str, v: &Value) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, serde_json::to_vec_pretty(v).expect("json")).expect("write");
}

/// The kind and reason the report gives for `file`.
fn listed<'a>(r: &'a Report, file: &str) -> (&'static str, &'a str) {
    r.problems.iter().find(|p| p.file == file).map_or_else(
        || panic!("{file} is not listed: {:?}", r.problems),
        |p| (p.kind.label(), p.reason.as_str()),
    )
}

/// Runs the binary with a watchdog (and, on Unix, a memory cap), so that a
/// command that blocks or reads without bound fails the test instead of
/// hanging it.
#[cfg(unix)]
fn run_bounded(args: &[&str], cwd: &Path) -> std::process::Output {
    use std::io::Read as _;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 4000000 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            if let Some(mut s) = child.stdout.take() {
                let _ = s.read_to_end(&mut out);
            }
            if let Some(mut s) = child.stderr.take() {
                let _ = s.read_to_end(&mut err);
            }
            return std::process::Output {
                status,
                stdout: out,
                stderr: err,
            };
        }
        if start.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`ipt-trainer {}` did not finish in 30 s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_to_a_device_in_the_folder_is_skipped_not_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let records = dir.path().join("records");
    write_json(&records, "good.json", &record_json(1, "Sam"));
    std::os::unix::fs::symlink("/dev/zero", records.join("zero.json")).expect("symlink");
    let fifo = records.join("pipe.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let out = dir.path().join("report.html");
    let o = run_bounded(
        &[
            "report",
            records.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("pipe.json: it is not a regular file but a named pipe (FIFO)"),
        "{err}"
    );
    assert!(
        err.contains("zero.json: a link, not read: it is not a regular file but a device"),
        "{err}"
    );
    assert!(
        err.contains("1 attempt (0 flagged), 2 files skipped"),
        "{err}"
    );
}

#[test]
fn impossible_numbers_are_caught_and_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    write_json(d, "good.json", &record_json(1, "Good"));
    let bad = |name: &str, seed: u64, change: &dyn Fn(&mut Value)| {
        let mut v = record_json(seed, name);
        change(&mut v);
        write_json(d, &format!("{name}.json"), &v);
    };
    // Unusable: skipped.
    bad("score", 2, &|v| {
        v["debrief"]["scores"]["rapport"] = 2_147_483_647.into();
    });
    bad("future", 3, &|v| {
        v["finished_at"] = 18_446_744_073_709_551_615_u64.into();
    });
    bad("epoch", 4, &|v| v["finished_at"] = 0.into());
    bad("points", 5, &|v| {
        v["debrief"]["turns"][0]["score"]["rapport"] = 2_147_483_647.into();
        v["debrief"]["turns"][0]["score"]["pacing"] = 2_147_483_647.into();
    });
    bad("votes", 6, &|v| {
        let option = v["debrief"]["turns"][0]["option"].clone();
        let text = v["debrief"]["turns"][0]["text"].clone();
        let vote = |n: u64| serde_json::json!({"option": option, "text": text, "votes": n});
        v["group"] = serde_json::json!({
            "mode": "ClassVote",
            "turns": [{"votes": [vote(4_294_967_295), vote(4_294_967_295)]}],
        });
    });
    // More kept than was at stake, at a move and over the session.
    bad("kept", 9, &|v| {
        v["debrief"]["turns"][0]["points"]["earned"]["focus"] = 50.into();
        v["debrief"]["turns"][0]["points"]["stake"]["focus"] = 10.into();
    });
    bad("kept-session", 10, &|v| {
        v["debrief"]["dimensions"][0]["earned"] = 900.into();
        v["debrief"]["dimensions"][0]["stake"] = 90.into();
    });
    // Odd but harmless: flagged.
    bad("minutes", 7, &|v| {
        v["debrief"]["minutes_planned"] = 100_000.into();
    });
    bad("choices", 8, &|v| {
        v["debrief"]["choices"] = serde_json::json!([9, 9]);
    });
    // A seed above 2^53 is a real seed (the clock's nanoseconds): kept, and
    // written exactly in the xAPI.
    let big_seed: u64 = (1 << 53) + 1;
    bad("seed", big_seed, &|_| {});

    let r = report::build(d, &options()).expect("build");
    let (k, why) = listed(&r, "score.json");
    assert_eq!(k, "skipped");
    assert!(
        why.contains("rapport 2147483647") && why.contains("0 to 100"),
        "{why}"
    );
    let (k, why) = listed(&r, "future.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("finish time") && why.contains("2020"), "{why}");
    assert_eq!(listed(&r, "epoch.json").0, "skipped");
    let (k, why) = listed(&r, "points.json");
    assert_eq!(k, "skipped");
    assert!(
        why.contains("move 1") && why.contains("2147483647"),
        "{why}"
    );
    let (k, why) = listed(&r, "votes.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("4294967295 votes"), "{why}");
    let (k, why) = listed(&r, "kept.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("move 1: 50 of 10 focus points kept"), "{why}");
    let (k, why) = listed(&r, "kept-session.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("900 of 90"), "{why}");
    let (k, why) = listed(&r, "minutes.json");
    assert_eq!(k, "flagged");
    assert!(why.contains("100000 minutes"), "{why}");
    let (k, why) = listed(&r, "choices.json");
    assert_eq!(k, "flagged");
    assert!(why.contains("choices"), "{why}");
    assert_eq!(r.attempts.len(), 4, "good, minutes, choices and seed");

    let csv = r.csv();
    assert!(!csv.contains("2147483647"), "{csv}");
    let xapi = r.xapi();
    let ext = format!("{}/xapi/extensions/seed", report::DEFAULT_XAPI_HOMEPAGE);
    let seeds: Vec<&Value> = xapi
        .as_array()
        .expect("array")
        .iter()
        .map(|s| &s["context"]["extensions"][&ext])
        .collect();
    assert!(
        seeds.contains(&&Value::String(big_seed.to_string())),
        "the seed as an exact string: {seeds:?}"
    );
    for s in xapi.as_array().expect("array") {
        let t = s["timestamp"].as_str().expect("timestamp");
        assert!(t.starts_with("20"), "{t}");
    }
}

#[test]
fn temporary_files_left_by_an_interrupted_save_are_listed() {
    let dir = tempfile::tempdir().expect("tmp");
    write_json(dir.path(), "good.json", &record_json(1, "Sam"));
    // What a `play --record` killed with -9 leaves: the old and the new
    // temporary names.
    std::fs::write(dir.path().join("a.json.tmp"), "{\"format\": ").expect("w");
    std::fs::write(dir.path().join("b.json.4242-7.tmp"), "").expect("w");
    let r = report::build(dir.path(), &options()).expect("build");
    for f in ["a.json.tmp", "b.json.4242-7.tmp"] {
        let (k, why) = listed(&r, f);
        assert_eq!(k, "skipped");
        assert!(why.contains("temporary file"), "{why}");
    }
    assert_eq!(r.attempts.len(), 1);
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_are_not_followed_and_folder_links_do_not_loop() {
    let dir = tempfile::tempdir().expect("tmp");
    let records = dir.path().join("records");
    let elsewhere = dir.path().join("elsewhere");
    write_json(&records, "in.json", &record_json(1, "Inside"));
    write_json(&elsewhere, "out.json", &record_json(2, "Outside"));
    std::os::unix::fs::symlink(elsewhere.join("out.json"), records.join("out.json"))
        .expect("symlink");
    std::os::unix::fs::symlink(&records, records.join("loop")).expect("symlink");
    std::os::unix::fs::symlink(records.join("in.json"), records.join("alias.json"))
        .expect("symlink");
    let r = report::build(&records, &options()).expect("build");
    let (k, why) = listed(&r, "out.json");
    assert_eq!(k, "skipped");
    assert!(why.contains("outside the folder"), "{why}");
    let (k, why) = listed(&r, "loop");
    assert_eq!(k, "skipped");
    assert!(why.contains("a link to a folder"), "{why}");
    // A link to a record inside is read (and, as a copy, counted once).
    let copies: Vec<&str> = r
        .problems
        .iter()
        .filter(|p| p.reason.contains("the same attempt as"))
        .map(|p| p.file.as_str())
        .collect();
    assert_eq!(copies.len(), 1, "{:?}", r.problems);
    let names: Vec<&str> = r.attempts.iter().map(|a| a.trainee.as_str()).collect();
    assert_eq!(names, ["Inside"]);
}

#[test]
fn an_xapi_home_page_with_a_fragment_query_or_password_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    for (bad, why) in [
        ("https://evil.example/#?x", "fragment"),
        ("https://lms.example.edu/ipt?course=1", "query"),
        ("https://lms.example.edu/ipt?", "query"),
        (
            "https://tutor:secret@lms.example.edu",
            "user name or password",
        ),
        ("ftp://lms.example.edu", "http"),
        ("https:lms.example.edu", "http"),
        ("https://", "http"),
    ] {
        let o = ReportOptions {
            xapi_homepage: bad.into(),
            ..options()
        };
        let err = report::build(dir.path(), &o).expect_err(bad).to_string();
        assert!(err.contains(why) && err.contains(bad), "{bad}: {err}");
    }
    let ok = ReportOptions {
        xapi_homepage: "https://lms.example.edu/ipt/".into(),
        ..options()
    };
    let r = report::build(dir.path(), &ok).expect("a plain address");
    assert_eq!(r.options.xapi_homepage, "https://lms.example.edu/ipt");
    let o = run(
        &[
            "report",
            dir.path().to_str().expect("utf8"),
            "--out",
            "x.html",
            "--xapi-homepage",
            "https://evil.example/#?x",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fragment"));
}

#[test]
fn a_version_of_the_wrong_type_is_named_as_found() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut v = record_json(1, "Sam");
    v["version"] = Value::String("1".into());
    write_json(dir.path(), "string.json", &v);
    let mut v = record_json(2, "Sam");
    v["version"] = serde_json::json!(1.5);
    write_json(dir.path(), "fraction.json", &v);
    let mut v = record_json(3, "Sam");
    v.as_object_mut().expect("object").remove("version");
    write_json(dir.path(), "none.json", &v);
    let r = report::build(dir.path(), &options()).expect("build");
    let why = listed(&r, "string.json").1;
    assert!(why.contains("record version \"1\" (a string)"), "{why}");
    let why = listed(&r, "fraction.json").1;
    assert!(
        why.contains("record version 1.5 (a number with a fraction)"),
        "{why}"
    );
    let why = listed(&r, "none.json").1;
    assert!(why.contains("no version"), "{why}");
}

#[test]
fn a_record_with_a_byte_order_mark_or_a_capital_extension_is_read_and_other_files_counted() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(serde_json::to_vec(&record_json(1, "Bom")).expect("json"));
    std::fs::write(dir.path().join("bom.json"), bytes).expect("w");
    write_json(dir.path(), "LOUD.JSON", &record_json(2, "Loud"));
    std::fs::write(dir.path().join("README"), "not a record").expect("w");
    std::fs::write(dir.path().join("notes.txt"), "not a record").expect("w");
    let r = report::build(dir.path(), &options()).expect("build");
    let mut names: Vec<&str> = r.attempts.iter().map(|a| a.trainee.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Bom", "Loud"], "{:?}", r.problems);
    assert!(
        r.html().contains("2 other files are not records"),
        "the page says how many files were not read"
    );
    let o = run(
        &[
            "report",
            dir.path().to_str().expect("utf8"),
            "--out",
            "x.html",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 other files are not records"), "{err}");
    assert!(err.contains("README") && err.contains("notes.txt"), "{err}");
}

#[test]
fn csv_cells_hiding_a_formula_behind_spaces_or_full_width_signs_are_defused() {
    let dir = tempfile::tempdir().expect("tmp");
    let titles = [
        " =1+2",
        "\n=1+2",
        "\u{3000}=1+2",
        "\u{feff}=1+2",
        "＝1+2",
        "＋1",
        "－1",
        "＠SUM(A1)",
        " \r-1",
        "\t+1",
    ];
    for (k, t) in titles.iter().enumerate() {
        let mut v = record_json(k as u64, "x");
        v["scenario_title"] = Value::String((*t).to_string());
        v["finished_at"] = (BASE + k as u64).into();
        write_json(dir.path(), &format!("{k}.json"), &v);
    }
    let r = report::build(dir.path(), &options()).expect("build");
    let rows = parse_csv(&r.csv());
    let col = rows[0]
        .iter()
        .position(|h| h == "scenario_title")
        .expect("column");
    let got: Vec<&str> = rows[1..].iter().map(|row| row[col].as_str()).collect();
    let want: Vec<String> = titles.iter().map(|t| format!("'{t}")).collect();
    assert_eq!(got, want);
}

#[test]
fn the_page_has_lang_ordered_headings_captions_and_words_for_every_chart() {
    let c = class();
    let html = build(&c, &options()).html();
    assert!(html.contains("<html lang=\"en\">"));
    // Headings in the order of the page: one h1, and never a level skipped.
    let mut levels = Vec::new();
    for (at, _) in html.match_indices("<h") {
        if let Some(d) = html[at + 2..].chars().next().and_then(|c| c.to_digit(10)) {
            levels.push(d);
        }
    }
    assert_eq!(levels.iter().filter(|&&l| l == 1).count(), 1, "one h1");
    assert_eq!(levels.first(), Some(&1));
    for w in levels.windows(2) {
        assert!(w[1] <= w[0] + 1, "a heading h{} after h{}", w[1], w[0]);
    }
    // Every table: a caption first, and header cells that say their scope.
    let tables: Vec<&str> = html.split("<table").skip(1).collect();
    assert!(tables.len() > 10);
    for t in &tables {
        let t = &t[..t.find("</table>").expect("closed")];
        let inside = t.split_once('>').map_or("", |(_, rest)| rest).trim_start();
        assert!(
            inside.starts_with("<caption"),
            "a table without a caption: {t:.200}"
        );
        assert!(
            t.contains("<th scope="),
            "a table without header cells: {t:.200}"
        );
        assert_eq!(
            t.matches("<th ").count(),
            t.matches("<th scope=").count(),
            "{t:.300}"
        );
        assert!(
            !t.contains("<th>"),
            "a header cell without a scope: {t:.300}"
        );
    }
    // Every chart: an image named by its title and description, in words.
    let charts: Vec<&str> = html.split("<svg").skip(1).collect();
    let mut images = 0;
    for svg in charts {
        let head = &svg[..svg.find('>').expect(">")];
        if head.contains("aria-hidden=\"true\"") {
            continue;
        }
        images += 1;
        assert!(head.contains("role=\"img\""), "{head}");
        let ids = head
            .split("aria-labelledby=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("aria-labelledby");
        let mut ids = ids.split(' ');
        let (t, d) = (ids.next().expect("title id"), ids.next().expect("desc id"));
        let desc = svg
            .split(&format!("<desc id=\"{d}\">"))
            .nth(1)
            .and_then(|r| r.split("</desc>").next())
            .expect("a desc");
        assert!(svg.contains(&format!("<title id=\"{t}\">")), "{head}");
        assert!(
            desc.contains("Rose from")
                || desc.contains("Fell from")
                || desc.contains("Stayed at")
                || desc.contains("One attempt")
                || desc.contains("Medians:"),
            "{desc}"
        );
    }
    assert!(images >= 4, "box plots and progress charts");
}
