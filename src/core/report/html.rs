//! The report as one self-contained HTML page: inline CSS, charts as inline
//! SVG with titles and descriptions, a table beside every chart, no scripts,
//! fonts or images from anywhere. Every text from a record or a scenario goes
//! through [`esc`], in HTML and in SVG alike.

use super::aggregate::{ChoicePoint, Distribution, Progress, passed};
use super::{Attempt, ProblemKind, Report, iso_date, iso_utc};
use crate::core::group::GroupMode;
use crate::core::model::Outcome;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Writing to a `String` cannot fail.
macro_rules! w {
    ($out:expr, $($t:tt)*) => {{
        let _ = write!($out, $($t)*);
    }};
}

/// Escapes text for HTML and SVG (element content and quoted attributes);
/// control characters other than tab and line breaks become U+FFFD.
pub fn esc(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && !matches!(c, '\n' | '\t'))
    };
    if !s.chars().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A time for people: `2026-11-23 16:55`.
fn human_time(secs: u64) -> String {
    let iso = iso_utc(secs);
    let (date, time) = iso.split_once('T').unwrap_or((&iso, ""));
    format!("{date} {}", time.get(..5).unwrap_or(time))
}

/// A time for people, saying it is UTC.
fn human_utc(secs: u64) -> String {
    format!("{} UTC", human_time(secs))
}

/// A name as shown: "(no name)" for a record without one.
fn who(name: &str) -> &str {
    if name.is_empty() { "(no name)" } else { name }
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_string()
    } else {
        format!("{:.0}%", n as f64 * 100.0 / of as f64)
    }
}

/// A number with at most one decimal.
fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn outcome_label(a: &Attempt) -> &'static str {
    match a.ending.as_ref().map(|e| e.outcome) {
        Some(Outcome::Good) => "good",
        Some(Outcome::Mixed) => "mixed",
        Some(Outcome::Poor) => "poor",
        None => "not finished",
    }
}

fn mode_label(a: &Attempt) -> &'static str {
    a.group.as_ref().map_or("solo", |g| g.mode.label())
}

/// Okabe–Ito colours (distinguishable with colour-blindness), one per score.
const COLOURS: [&str; 4] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];

const CSS: &str = r#"
:root { --fg: #111; --bg: #fff; --muted: #4a4a4a; --line: #8a8a8a; --soft: #f2f2f2;
  --accent: #00509e; --bad: #a4001d; --flag: #fff1c2; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  line-height: 1.5; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 1rem 2rem 4rem;
  max-width: 1500px; }
h1 { font-size: 2.2rem; margin: .5rem 0; }
h2 { font-size: 1.7rem; margin-top: 3rem; border-bottom: 4px solid var(--fg); padding-bottom: .2rem; }
h3 { font-size: 1.35rem; margin-top: 2rem; }
h4 { font-size: 1.1rem; margin: 1.5rem 0 .4rem; }
a { color: var(--accent); }
code { font-size: .9em; background: var(--soft); padding: 0 .2em; border-radius: 3px; }
.lede { font-size: 1.25rem; }
.note { border-left: 6px solid var(--accent); background: var(--soft); padding: .5rem 1rem; }
.warn { border-left: 6px solid var(--bad); background: var(--flag); padding: .5rem 1rem; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.flagged td { background: var(--flag); }
tr.mistake td:first-child { border-left: 6px solid var(--bad); }
.mistake-mark { color: var(--bad); font-weight: 700; white-space: nowrap; }
.vote { display: flex; gap: .5rem; align-items: baseline; margin: .15rem 0; }
.vote svg { flex: none; align-self: center; }
.vote .count { flex: none; min-width: 5.5em; font-variant-numeric: tabular-nums; }
.vote.played { font-weight: 700; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.sub { color: var(--muted); font-size: .85em; }
.scroll { overflow-x: auto; }
table.wide { font-size: .8rem; }
table.wide td:first-child { white-space: nowrap; }
.pair { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.pair figure { flex: 1 1 640px; margin: 0; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: .85rem; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--fg); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1.2rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; }
.card h3 { margin: .2rem 0; font-size: 1.1rem; }
blockquote { margin: .3rem 0 .6rem; padding: .3rem .8rem; border-left: 4px solid var(--line); color: var(--muted); }
details summary { cursor: pointer; color: var(--accent); }
@media print { html { font-size: 12px; } nav { display: none; } .card, article { break-inside: avoid; } }
"#;

struct Page<'a> {
    r: &'a Report,
    out: String,
    ids: usize,
}

impl Page<'_> {
    /// A fresh id for `aria-labelledby` (never built from user text).
    fn id(&mut self) -> usize {
        self.ids += 1;
        self.ids
    }
}

pub(super) fn render(r: &Report) -> String {
    let mut p = Page {
        r,
        out: String::with_capacity(64 * 1024 + r.attempts.len() * 2048),
        ids: 0,
    };
    let distributions = r.distributions();
    let progress = r.progress();
    let points = r.choice_points();
    head(&mut p);
    summary(&mut p);
    nav(&mut p);
    p.out.push_str("<main>\n");
    files(&mut p);
    overview(&mut p, &distributions);
    scores(&mut p, &distributions);
    progress_section(&mut p, &progress);
    mistakes(&mut p, &points);
    choices(&mut p, &points);
    groups(&mut p);
    attempts(&mut p);
    about(&mut p);
    p.out.push_str("</main>\n</body>\n</html>\n");
    p.out
}

fn head(p: &mut Page) {
    w!(
        p.out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ipt-trainer {}\">\n\
         <title>Class report – ipt-trainer</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION")
    );
}

fn summary(p: &mut Page) {
    let r = p.r;
    // Trainees are people practising alone; a group session is counted
    // on its own.
    let trainees = r
        .attempts
        .iter()
        .filter(|a| a.group.is_none())
        .map(|a| a.trainee.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let groups = r.attempts.iter().filter(|a| a.group.is_some()).count();
    let scenarios = r
        .attempts
        .iter()
        .map(|a| a.scenario_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    w!(p.out, "<header>\n<h1>Class report</h1>\n<p class=\"lede\">");
    w!(
        p.out,
        "{} by {} on {}",
        plural(r.attempts.len(), "attempt", "attempts"),
        plural(trainees, "trainee", "trainees"),
        plural(scenarios, "scenario", "scenarios")
    );
    if groups > 0 {
        w!(
            p.out,
            " (of them {}, shown apart)",
            plural(groups, "group session", "group sessions")
        );
    }
    if let (Some(first), Some(last)) = (r.attempts.first(), r.attempts.last()) {
        let (a, b) = (iso_date(first.finished_at), iso_date(last.finished_at));
        if a == b {
            w!(p.out, ", on {a}");
        } else {
            w!(p.out, ", from {a} to {b}");
        }
    }
    w!(p.out, ".</p>\n");
    let skipped = r.skipped().count();
    let flagged = r.flagged().count();
    w!(
        p.out,
        "<p>{} found: {} included, of which {flagged} flagged; {skipped} skipped.",
        plural(r.files_found, "record file", "record files"),
        r.attempts.len(),
    );
    if skipped + flagged > 0 {
        w!(
            p.out,
            " <a href=\"#files\">See the files skipped or flagged</a>."
        );
    }
    w!(p.out, "</p>\n");
    if r.options.anonymize {
        w!(
            p.out,
            "<p class=\"note\">Names are replaced by pseudonyms (<code>Trainee-</code> and a hash of \
             the name; the same name always gets the same pseudonym), and files by neutral ids. \
             This is pseudonymisation, not anonymity: anyone with the class list can work out \
             who is who.</p>\n"
        );
    }
    if r.options.scenario_dirs.is_empty() {
        w!(
            p.out,
            "<p class=\"note\">The attempts were not checked against the current scenarios \
             (no scenario folder was given or found), so edited scenarios are not flagged.</p>\n"
        );
    }
    w!(p.out, "</header>\n");
}

fn nav(p: &mut Page) {
    w!(
        p.out,
        "<nav aria-label=\"Sections\">\n<ol>\n\
         <li><a href=\"#files\">Files skipped or flagged</a></li>\n\
         <li><a href=\"#overview\">Scenarios at a glance</a></li>\n\
         <li><a href=\"#scores\">Scores by scenario</a></li>\n\
         <li><a href=\"#progress\">Each trainee's progress</a></li>\n\
         <li><a href=\"#mistakes\">Most common mistakes</a></li>\n\
         <li><a href=\"#choices\">Every choice point</a></li>\n\
         <li><a href=\"#group\">Group sessions</a></li>\n\
         <li><a href=\"#attempts\">All attempts</a></li>\n\
         <li><a href=\"#about\">About this report</a></li>\n</ol>\n</nav>\n"
    );
}

fn files(p: &mut Page) {
    let r = p.r;
    w!(
        p.out,
        "<section id=\"files\">\n<h2>Files skipped or flagged ({})</h2>\n",
        r.problems.len()
    );
    if r.problems.is_empty() {
        w!(
            p.out,
            "<p>Every file was read{}.</p>\n",
            if r.options.scenario_dirs.is_empty() {
                ""
            } else {
                " and matches the current scenarios"
            }
        );
    } else {
        w!(
            p.out,
            "<p><strong>Skipped</strong> files are not counted anywhere in this report. \
             <strong>Flagged</strong> attempts are counted, and marked in the list of attempts.</p>\n\
             <table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Status</th>\
             <th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n"
        );
        let mut list: Vec<_> = r.problems.iter().collect();
        list.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));
        for pr in list {
            w!(
                p.out,
                "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                if pr.kind == ProblemKind::Flagged {
                    "flagged"
                } else {
                    "skipped"
                },
                esc(&pr.file),
                match pr.kind {
                    ProblemKind::Skipped => "Skipped (not counted)",
                    ProblemKind::Flagged => "Flagged (counted, marked)",
                },
                esc(&pr.reason)
            );
        }
        w!(p.out, "</tbody>\n</table>\n");
    }
    if !r.scenario_notes.is_empty() {
        w!(
            p.out,
            "<p>Scenario files that could not be used:</p>\n<ul>\n"
        );
        for n in &r.scenario_notes {
            w!(p.out, "<li>{}</li>\n", esc(n));
        }
        w!(p.out, "</ul>\n");
    }
    w!(p.out, "</section>\n");
}

fn overview(p: &mut Page, ds: &[Distribution]) {
    let pass = p.r.options.pass_mark;
    w!(
        p.out,
        "<section id=\"overview\">\n<h2>Scenarios at a glance</h2>\n<table>\n<thead><tr>\
         <th scope=\"col\">Scenario</th><th scope=\"col\" class=\"n\">Attempts</th>\
         <th scope=\"col\" class=\"n\">Trainees</th><th scope=\"col\" class=\"n\">Median overall</th>\
         <th scope=\"col\" class=\"n\">Passed (overall ≥ {pass}, no critical error)</th>\
         <th scope=\"col\" class=\"n\">Critical errors</th><th scope=\"col\" class=\"n\">Good ending</th>\
         <th scope=\"col\" class=\"n\">Mixed</th><th scope=\"col\" class=\"n\">Poor</th>\
         <th scope=\"col\" class=\"n\">Not finished</th></tr></thead>\n<tbody>\n"
    );
    for (i, d) in ds.iter().enumerate() {
        w!(
            p.out,
            "<tr><th scope=\"row\"><a href=\"#scores-{i}\">{}</a></th><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(&d.title),
            d.attempts,
            d.trainees,
            num(d.dims[3].median),
            d.passed,
            pct(d.passed, d.attempts),
            d.critical,
            d.good,
            d.mixed,
            d.poor,
            d.unfinished
        );
    }
    if ds.is_empty() {
        w!(
            p.out,
            "<tr><td colspan=\"10\">No attempts could be read.</td></tr>\n"
        );
    }
    w!(p.out, "</tbody>\n</table>\n</section>\n");
}

/// Box plots (with every attempt as a dot, up to 300) of the four scores.
fn boxplot(p: &mut Page, d: &Distribution) {
    const W: f64 = 960.0;
    const LEFT: f64 = 120.0;
    const RIGHT: f64 = 30.0;
    const TOP: f64 = 16.0;
    const ROW: f64 = 62.0;
    let height = TOP + ROW * d.dims.len() as f64 + 44.0;
    let x = |v: f64| LEFT + v.clamp(0.0, 100.0) / 100.0 * (W - LEFT - RIGHT);
    let id = p.id();
    w!(
        p.out,
        "<svg viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"t{id} d{id}\">\n<title id=\"t{id}\">Distribution of the scores in {}</title>\n\
         <desc id=\"d{id}\">Box plots of {} attempts, 0 to 100. Medians: {}. The table beside gives \
         the same figures.</desc>\n",
        esc(&d.title),
        d.attempts,
        d.dims
            .iter()
            .map(|s| format!("{} {}", s.label.to_lowercase(), num(s.median)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let bottom = TOP + ROW * d.dims.len() as f64;
    for t in (0..=100).step_by(20) {
        let tx = x(f64::from(t));
        w!(
            p.out,
            "<line x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{bottom}\" stroke=\"#d0d0d0\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" font-size=\"16\" text-anchor=\"middle\">{t}</text>\n",
            bottom + 22.0
        );
    }
    let pass = f64::from(p.r.options.pass_mark);
    for (row, s) in d.dims.iter().enumerate() {
        let yc = TOP + ROW * row as f64 + ROW / 2.0;
        let colour = COLOURS[row % COLOURS.len()];
        w!(
            p.out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"18\" text-anchor=\"end\" font-weight=\"600\">{}</text>\n",
            LEFT - 12.0,
            yc + 6.0,
            s.label
        );
        if s.values.is_empty() {
            continue;
        }
        if s.label == "Overall" {
            w!(
                p.out,
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#a4001d\" \
                 stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>Pass mark {3}</title></line>\n",
                x(pass),
                yc - ROW / 2.0 + 2.0,
                yc + ROW / 2.0 - 2.0,
                p.r.options.pass_mark
            );
        }
        let (lo, hi, q1, q3, med) = (x(s.min), x(s.max), x(s.q1), x(s.q3), x(s.median));
        let (top, bot) = (yc - 15.0, yc + 15.0);
        w!(
            p.out,
            "<line x1=\"{lo:.1}\" y1=\"{yc:.1}\" x2=\"{hi:.1}\" y2=\"{yc:.1}\" stroke=\"#222\" stroke-width=\"2\"/>\n\
             <rect x=\"{q1:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"30\" fill=\"{colour}\" \
             fill-opacity=\"0.35\" stroke=\"#222\" stroke-width=\"2\"/>\n",
            (q3 - q1).max(1.0),
        );
        if s.values.len() <= 300 {
            for (k, &(v, i)) in s.values.iter().enumerate() {
                let a = &p.r.attempts[i];
                let jitter = ((k * 37) % 23) as f64 - 11.0;
                w!(
                    p.out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{colour}\" stroke=\"#111\" \
                     stroke-width=\"1\"><title>{} · {}: {v}</title></circle>\n",
                    x(f64::from(v)),
                    yc + jitter,
                    esc(who(&a.trainee)),
                    iso_date(a.finished_at)
                );
            }
        }
        // The median last, over the dots.
        w!(
            p.out,
            "<line x1=\"{med:.1}\" y1=\"{:.1}\" x2=\"{med:.1}\" y2=\"{:.1}\" stroke=\"#111\" \
             stroke-width=\"5\"><title>Median {}</title></line>\n",
            top - 4.0,
            bot + 4.0,
            num(s.median)
        );
    }
    w!(p.out, "</svg>\n");
}

fn scores(p: &mut Page, ds: &[Distribution]) {
    w!(
        p.out,
        "<section id=\"scores\">\n<h2>Scores by scenario</h2>\n<p>Each row is one score from \
         0 to 100: the box spans the middle half of the attempts, the thick line is the median, \
         the whiskers reach the lowest and highest; each dot is an attempt. The dashed line on \
         <em>Overall</em> is the pass mark ({}).</p>\n",
        p.r.options.pass_mark
    );
    for (i, d) in ds.iter().enumerate() {
        w!(
            p.out,
            "<h3 id=\"scores-{i}\">{} <code>{}</code></h3>\n<div class=\"pair\">\n<figure>\n",
            esc(&d.title),
            esc(&d.scenario_id)
        );
        boxplot(p, d);
        w!(
            p.out,
            "<figcaption>{} attempts by {} trainees.</figcaption>\n</figure>\n",
            d.attempts,
            d.trainees
        );
        w!(
            p.out,
            "<table>\n<caption>{} – scores</caption>\n<thead><tr><th scope=\"col\">Score</th>\
             <th scope=\"col\" class=\"n\">Lowest</th><th scope=\"col\" class=\"n\">Lower quartile</th>\
             <th scope=\"col\" class=\"n\">Median</th><th scope=\"col\" class=\"n\">Upper quartile</th>\
             <th scope=\"col\" class=\"n\">Highest</th><th scope=\"col\" class=\"n\">Mean</th></tr></thead>\n<tbody>\n",
            esc(&d.title)
        );
        for s in &d.dims {
            w!(
                p.out,
                "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td></tr>\n",
                s.label,
                num(s.min),
                num(s.q1),
                num(s.median),
                num(s.q3),
                num(s.max),
                num(s.mean)
            );
        }
        w!(p.out, "</tbody>\n</table>\n</div>\n");
    }
    if ds.is_empty() {
        w!(p.out, "<p>No attempts.</p>\n");
    }
    w!(p.out, "</section>\n");
}

/// A small chart of one trainee's overall score, attempt by attempt.
fn sparkline(p: &mut Page, pr: &Progress) {
    const W: f64 = 380.0;
    const H: f64 = 200.0;
    const L: f64 = 44.0;
    const R: f64 = 12.0;
    const T: f64 = 12.0;
    const B: f64 = 34.0;
    let n = pr.attempts.len();
    let x = |k: usize| L + (k as f64 + 0.5) / n as f64 * (W - L - R);
    let y = |v: i32| T + (100.0 - f64::from(v.clamp(0, 100))) / 100.0 * (H - T - B);
    let id = p.id();
    let first = pr
        .attempts
        .first()
        .map_or(0, |&i| p.r.attempts[i].scores.overall);
    let last = pr
        .attempts
        .last()
        .map_or(0, |&i| p.r.attempts[i].scores.overall);
    let best = pr
        .attempts
        .iter()
        .map(|&i| p.r.attempts[i].scores.overall)
        .max()
        .unwrap_or(0);
    w!(
        p.out,
        "<svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-labelledby=\"t{id} d{id}\">\n<title id=\"t{id}\">Overall score of {} over {n} attempt{}</title>\n\
         <desc id=\"d{id}\">First {first}, latest {last}, best {best}, out of 100.</desc>\n",
        esc(who(&pr.trainee)),
        if n == 1 { "" } else { "s" }
    );
    for v in [0, 50, 100] {
        w!(
            p.out,
            "<line x1=\"{L}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#d0d0d0\"/>\
             <text x=\"{2}\" y=\"{3:.1}\" font-size=\"15\" text-anchor=\"end\">{v}</text>\n",
            y(v),
            W - R,
            L - 6.0,
            y(v) + 5.0
        );
    }
    let pass = p.r.options.pass_mark;
    w!(
        p.out,
        "<line x1=\"{L}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#a4001d\" stroke-width=\"1.5\" \
         stroke-dasharray=\"6 4\"><title>Pass mark {pass}</title></line>\n\
         <text x=\"{2:.1}\" y=\"{3}\" font-size=\"15\" text-anchor=\"middle\">attempts, oldest first</text>\n",
        y(pass),
        W - R,
        L + (W - L - R) / 2.0,
        H - 8.0
    );
    let points: Vec<String> = pr
        .attempts
        .iter()
        .enumerate()
        .map(|(k, &i)| format!("{:.1},{:.1}", x(k), y(p.r.attempts[i].scores.overall)))
        .collect();
    if n > 1 {
        w!(
            p.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\"/>\n",
            points.join(" "),
            COLOURS[0]
        );
    }
    for (k, &i) in pr.attempts.iter().enumerate() {
        let a = &p.r.attempts[i];
        w!(
            p.out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{}\" stroke=\"#111\"><title>{} · {}: \
             overall {}</title></circle>\n",
            x(k),
            y(a.scores.overall),
            COLOURS[0],
            iso_date(a.finished_at),
            esc(&a.scenario_title),
            a.scores.overall
        );
    }
    w!(p.out, "</svg>\n");
}

fn progress_section(p: &mut Page, progress: &[Progress]) {
    w!(
        p.out,
        "<section id=\"progress\">\n<h2>Each trainee's progress</h2>\n<table>\n<thead><tr>\
         <th scope=\"col\">Trainee</th><th scope=\"col\" class=\"n\">Attempts</th>\
         <th scope=\"col\" class=\"n\">Scenarios</th><th scope=\"col\" class=\"n\">First overall</th>\
         <th scope=\"col\" class=\"n\">Latest overall</th><th scope=\"col\" class=\"n\">Change</th>\
         <th scope=\"col\" class=\"n\">Best</th><th scope=\"col\" class=\"n\">Mean</th></tr></thead>\n<tbody>\n"
    );
    for pr in progress {
        let overall: Vec<i32> = pr
            .attempts
            .iter()
            .map(|&i| p.r.attempts[i].scores.overall)
            .collect();
        let scenarios = pr
            .attempts
            .iter()
            .map(|&i| p.r.attempts[i].scenario_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let first = overall.first().copied().unwrap_or(0);
        let last = overall.last().copied().unwrap_or(0);
        w!(
            p.out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{scenarios}</td>\
             <td class=\"n\">{first}</td><td class=\"n\">{last}</td><td class=\"n\">{:+}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            esc(who(&pr.trainee)),
            overall.len(),
            last - first,
            overall.iter().max().copied().unwrap_or(0),
            num(f64::from(overall.iter().sum::<i32>()) / overall.len().max(1) as f64)
        );
    }
    w!(p.out, "</tbody>\n</table>\n<div class=\"grid\">\n");
    for pr in progress {
        w!(
            p.out,
            "<figure class=\"card\">\n<h3>{}</h3>\n",
            esc(who(&pr.trainee))
        );
        sparkline(p, pr);
        w!(
            p.out,
            "<details><summary>The attempts as a table</summary>\n<table>\n<thead><tr>\
             <th scope=\"col\">Date</th><th scope=\"col\">Scenario</th><th scope=\"col\" class=\"n\">Overall</th>\
             <th scope=\"col\" class=\"n\">R</th><th scope=\"col\" class=\"n\">P</th><th scope=\"col\" class=\"n\">F</th>\
             </tr></thead>\n<tbody>\n"
        );
        for &i in &pr.attempts {
            let a = &p.r.attempts[i];
            w!(
                p.out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                iso_date(a.finished_at),
                esc(&a.scenario_title),
                a.scores.overall,
                a.scores.rapport,
                a.scores.pacing,
                a.scores.focus
            );
        }
        w!(p.out, "</tbody>\n</table>\n</details>\n</figure>\n");
    }
    w!(p.out, "</div>\n</section>\n");
}

fn mistakes(p: &mut Page, points: &[ChoicePoint]) {
    let mut list: Vec<(&ChoicePoint, &super::OptionStat)> = points
        .iter()
        .flat_map(|cp| {
            cp.options
                .iter()
                .filter(|o| o.mistakes > 0)
                .map(move |o| (cp, o))
        })
        .collect();
    list.sort_by(|a, b| {
        b.1.mistakes
            .cmp(&a.1.mistakes)
            .then_with(|| (&a.0.scenario_title, a.0.order).cmp(&(&b.0.scenario_title, b.0.order)))
    });
    let shown = list.len().min(25);
    w!(
        p.out,
        "<section id=\"mistakes\">\n<h2>Most common mistakes</h2>\n<p>A mistake is a move for \
         which the rubric saw a better one, or that lost points. The {shown} most frequent, over \
         all scenarios:</p>\n"
    );
    if list.is_empty() {
        w!(p.out, "<p>No mistakes in these attempts.</p>\n</section>\n");
        return;
    }
    w!(
        p.out,
        "<table>\n<thead><tr><th scope=\"col\" class=\"n\">Times</th>\
         <th scope=\"col\" class=\"n\">Of the moves there</th><th scope=\"col\">Scenario</th>\
         <th scope=\"col\">Choice point</th><th scope=\"col\">Move chosen</th>\
         <th scope=\"col\">The better move</th></tr></thead>\n<tbody>\n"
    );
    for (cp, o) in list.into_iter().take(shown) {
        w!(
            p.out,
            "<tr class=\"mistake\"><td class=\"n\"><strong>{}</strong></td><td class=\"n\">{} of {}</td>\
             <td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            o.mistakes,
            pct(o.mistakes, cp.reached),
            cp.reached,
            esc(&cp.scenario_title),
            esc(&cp.node),
            esc(&o.text),
            o.better.first().map_or(Cow::Borrowed("–"), |(t, _)| esc(t))
        );
    }
    w!(p.out, "</tbody>\n</table>\n</section>\n");
}

/// A horizontal bar for a share, decorative (the number is beside it).
fn bar(out: &mut String, share: f64, colour: &str) {
    let w = (share.clamp(0.0, 1.0) * 200.0).round();
    w!(
        out,
        "<svg width=\"200\" height=\"18\" viewBox=\"0 0 200 18\" aria-hidden=\"true\" focusable=\"false\">\
         <rect x=\"0\" y=\"2\" width=\"200\" height=\"14\" fill=\"#e8e8e8\"/>\
         <rect x=\"0\" y=\"2\" width=\"{w}\" height=\"14\" fill=\"{colour}\"/></svg>"
    );
}

fn choices(p: &mut Page, points: &[ChoicePoint]) {
    w!(
        p.out,
        "<section id=\"choices\">\n<h2>Every choice point</h2>\n<p>For each scenario, the points \
         where trainees chose a move, most mistakes first; for each, the options and how often \
         each was chosen (options never chosen are listed from the current scenario file). \
         <span class=\"mistake-mark\">✗</span> marks a move that was a mistake.</p>\n"
    );
    let mut current: Option<&str> = None;
    for cp in points {
        if current != Some(cp.scenario_id.as_str()) {
            current = Some(&cp.scenario_id);
            w!(
                p.out,
                "<h3>{} <code>{}</code></h3>\n",
                esc(&cp.scenario_title),
                esc(&cp.scenario_id)
            );
        }
        w!(
            p.out,
            "<article>\n<h4>Choice point <code>{}</code>: {} move{} here, {} mistake{} ({})</h4>\n",
            esc(&cp.node),
            cp.reached,
            if cp.reached == 1 { "" } else { "s" },
            cp.mistakes,
            if cp.mistakes == 1 { "" } else { "s" },
            pct(cp.mistakes, cp.reached)
        );
        if !cp.client_line.is_empty() {
            w!(
                p.out,
                "<blockquote>Client: “{}”</blockquote>\n",
                esc(&cp.client_line)
            );
        }
        if !cp.prompt.is_empty() {
            w!(
                p.out,
                "<p><strong>For discussion:</strong> {}</p>\n",
                esc(&cp.prompt)
            );
        }
        let votes = cp.votes > 0;
        w!(
            p.out,
            "<table>\n<thead><tr><th scope=\"col\">Option</th><th scope=\"col\" class=\"n\">Chosen</th>\
             <th scope=\"col\" class=\"n\">Share</th><th scope=\"col\"><span class=\"sr\">Bar</span></th>\
             <th scope=\"col\">Mistake?</th><th scope=\"col\">The better move</th>{}</tr></thead>\n<tbody>\n",
            if votes {
                "<th scope=\"col\" class=\"n\">Class votes</th>"
            } else {
                ""
            }
        );
        for o in &cp.options {
            let mistake = o.mistakes > 0;
            w!(
                p.out,
                "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>",
                if mistake { " class=\"mistake\"" } else { "" },
                esc(&o.text),
                o.chosen,
                pct(o.chosen, cp.reached)
            );
            bar(
                &mut p.out,
                o.chosen as f64 / cp.reached.max(1) as f64,
                if mistake { "#a4001d" } else { COLOURS[0] },
            );
            w!(p.out, "</td><td>");
            if mistake {
                w!(
                    p.out,
                    "<span class=\"mistake-mark\">✗ mistake</span>{}",
                    if o.mistakes == o.chosen {
                        String::new()
                    } else {
                        format!(" ({} of {} times)", o.mistakes, o.chosen)
                    }
                );
            } else if o.chosen > 0 {
                w!(p.out, "no");
            } else {
                w!(p.out, "–");
            }
            w!(p.out, "</td><td>");
            for (k, (t, n)) in o.better.iter().enumerate() {
                if k > 0 {
                    w!(p.out, "<br>");
                }
                w!(p.out, "{}", esc(t));
                if o.better.len() > 1 {
                    w!(p.out, " ({n}×)");
                }
            }
            w!(p.out, "</td>");
            if votes {
                w!(
                    p.out,
                    "<td class=\"n\">{} ({})</td>",
                    o.votes,
                    pct(o.votes as usize, cp.votes as usize)
                );
            }
            w!(p.out, "</tr>\n");
        }
        w!(p.out, "</tbody>\n</table>\n</article>\n");
    }
    if points.is_empty() {
        w!(p.out, "<p>No moves in these attempts.</p>\n");
    }
    w!(p.out, "</section>\n");
}

fn groups(p: &mut Page) {
    let r = p.r;
    let group: Vec<&Attempt> = r.attempts.iter().filter(|a| a.group.is_some()).collect();
    w!(
        p.out,
        "<section id=\"group\">\n<h2>Group sessions ({})</h2>\n",
        group.len()
    );
    if group.is_empty() {
        w!(
            p.out,
            "<p>No class-vote or hot-seat sessions among these records.</p>\n</section>\n"
        );
        return;
    }
    for a in group {
        let Some(g) = &a.group else { continue };
        w!(
            p.out,
            "<h3>{} – {} – {} ({}), overall {}</h3>\n",
            esc(&a.scenario_title),
            human_utc(a.finished_at),
            g.mode.label(),
            esc(who(&a.trainee)),
            a.scores.overall
        );
        if !g.roster.is_empty() {
            w!(
                p.out,
                "<p>Roster: {}</p>\n",
                g.roster
                    .iter()
                    .map(|n| esc(who(n)).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let class_vote = g.mode == GroupMode::ClassVote;
        w!(
            p.out,
            "<table>\n<thead><tr><th scope=\"col\" class=\"n\">Turn</th><th scope=\"col\">Choice point</th>\
             <th scope=\"col\">Move played</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>\n",
            if class_vote {
                "The class's votes"
            } else {
                "Made by"
            }
        );
        for (k, m) in a.moves.iter().enumerate() {
            let t = g.turns.get(k);
            w!(
                p.out,
                "<tr{}><td class=\"n\">{}</td><td><code>{}</code></td><td>{}{}</td><td>",
                if m.is_mistake() {
                    " class=\"mistake\""
                } else {
                    ""
                },
                k + 1,
                esc(&m.node),
                esc(&m.text),
                if m.is_mistake() {
                    " <span class=\"mistake-mark\">✗ mistake</span>"
                } else {
                    ""
                }
            );
            if let Some(t) = t {
                if let Some(by) = &t.by {
                    w!(p.out, "{}", esc(who(by)));
                }
                let total: u32 = t.votes.iter().map(|v| v.votes).sum();
                for v in &t.votes {
                    let chosen = v.option == m.option && v.text == m.text;
                    w!(
                        p.out,
                        "<div class=\"vote{}\">",
                        if chosen { " played" } else { "" }
                    );
                    bar(
                        &mut p.out,
                        f64::from(v.votes) / f64::from(total.max(1)),
                        COLOURS[0],
                    );
                    w!(
                        p.out,
                        " <span class=\"count\">{} ({})</span> {}{}</div>",
                        v.votes,
                        pct(v.votes as usize, total as usize),
                        esc(&v.text),
                        if chosen { " <em>(played)</em>" } else { "" }
                    );
                }
                if t.tutor_pick {
                    w!(p.out, "<div><em>The tutor's pick.</em></div>");
                }
            }
            w!(p.out, "</td></tr>\n");
        }
        w!(p.out, "</tbody>\n</table>\n");
    }
    w!(p.out, "</section>\n");
}

fn attempts(p: &mut Page) {
    let r = p.r;
    w!(
        p.out,
        "<section id=\"attempts\">\n<h2>All attempts ({})</h2>\n<p>Oldest first; times in UTC. \
         R, P, F: rapport, pacing, focus.</p>\n<div class=\"scroll\">\n<table class=\"wide\">\n<thead><tr>\
         <th scope=\"col\">Finished</th><th scope=\"col\">Trainee</th><th scope=\"col\">Scenario</th>\
         <th scope=\"col\" class=\"n\">R</th><th scope=\"col\" class=\"n\">P</th>\
         <th scope=\"col\" class=\"n\">F</th><th scope=\"col\" class=\"n\">Overall</th>\
         <th scope=\"col\">Critical error</th><th scope=\"col\">Ending</th>\
         <th scope=\"col\" class=\"n\">Turns</th><th scope=\"col\" class=\"n\">Mistakes</th>\
         <th scope=\"col\" class=\"n\">Minutes</th><th scope=\"col\">Mode</th>\
         <th scope=\"col\">Seed</th><th scope=\"col\">File</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
        r.attempts.len()
    );
    for a in &r.attempts {
        w!(
            p.out,
            "<tr{}><td><time datetime=\"{}\">{}</time></td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\"><strong>{}</strong>{}</td><td>{}</td><td>{}{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}{}</td>\
             <td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
            if a.flag.is_some() {
                " class=\"flagged\""
            } else {
                ""
            },
            iso_utc(a.finished_at),
            human_time(a.finished_at),
            esc(who(&a.trainee)),
            esc(&a.scenario_title),
            a.scores.rapport,
            a.scores.pacing,
            a.scores.focus,
            a.scores.overall,
            if passed(a, r.options.pass_mark) {
                " ✓"
            } else {
                ""
            },
            if a.critical { "yes" } else { "no" },
            a.ending
                .as_ref()
                .map_or(Cow::Borrowed(""), |e| esc(&e.title)),
            format_args!(" ({})", outcome_label(a)),
            a.moves.len(),
            a.mistakes(),
            a.minutes_used,
            mode_label(a),
            if a.coach_mode { ", coach" } else { "" },
            a.seed,
            esc(&a.file),
            a.flag
                .as_deref()
                .map_or(Cow::Borrowed("ok"), |f| Cow::Owned(format!(
                    "flagged: {}",
                    esc(f)
                )))
        );
    }
    w!(p.out, "</tbody>\n</table>\n</div>\n</section>\n");
}

fn about(p: &mut Page) {
    let r = p.r;
    w!(
        p.out,
        "<section id=\"about\">\n<h2>About this report</h2>\n<ul>\n\
         <li>Made by <code>ipt-trainer report</code> from attempt records (format \
         <code>{}</code>, version {}). Scores run from 0 to 100; the overall score is the mean of \
         rapport, pacing and focus, capped when there was a critical error.</li>\n\
         <li>Passed (✓): overall at least {} and no critical error. The same rule gives xAPI's \
         <code>success</code>.</li>\n\
         <li>A <em>mistake</em> is a move for which the rubric named a better one, or that lost \
         points; the better move's text comes from the record.</li>\n\
         <li>A flagged attempt is one whose scenario has changed since (its content hash differs \
         from the current file's) or is not in the scenario folders: its scores are as they were \
         given, but its choice points may not match the current text.</li>\n\
         <li>Times are in UTC.</li>\n</ul>\n</section>\n",
        crate::core::store::RECORD_FORMAT,
        crate::core::store::RECORD_VERSION,
        r.options.pass_mark
    );
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            esc("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(esc("plain"), "plain");
        assert_eq!(esc("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c\nd");
    }
}
