//! The report as one self-contained HTML page: inline CSS, charts as inline
//! SVG with titles and descriptions ([`super::svg`]), a table beside every
//! chart, no scripts, fonts or images from anywhere. The page is built with
//! `maud`, which escapes every value put into it, in HTML and in SVG alike;
//! [`Text`] also replaces control characters, which HTML does not allow.
//!
//! `askama` was considered: its templates live in separate files checked at
//! build time too, but `maud`'s are Rust expressions beside the data, which
//! suits a page that is mostly loops over the report's figures.

use super::aggregate::{
    ChoicePoint, Distribution, OptionStat, Progress, device_lines, passed, seat_credits,
};
use super::svg::{self, BAD, COLOURS};
use super::{Attempt, ProblemKind, Report, human_time, iso_date, iso_utc};
use crate::core::group::GroupMode;
use crate::core::model::Outcome;
use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
use std::collections::BTreeSet;

/// Text from a record or a scenario: escaped by maud, with control
/// characters other than tab and line breaks replaced by U+FFFD.
pub(super) struct Text<'a>(pub &'a str);

impl Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        let bad = |c: char| c.is_control() && !matches!(c, '\n' | '\t');
        if self.0.chars().any(bad) {
            let clean: String = self
                .0
                .chars()
                .map(|c| if bad(c) { '\u{FFFD}' } else { c })
                .collect();
            clean.as_str().render_to(buffer);
        } else {
            self.0.render_to(buffer);
        }
    }
}

/// Text as the page shows it (escaped, control characters replaced).
pub fn esc(s: &str) -> String {
    Text(s).render().into_string()
}

/// A time for people, saying it is UTC.
fn human_utc(secs: u64) -> String {
    format!("{} UTC", human_time(secs))
}

/// A name as shown: "(no name)" for a record without one.
pub(super) fn who(name: &str) -> &str {
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
pub(super) fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
.scroll:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
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
/// A line break between blocks, so that the page's source reads line by line.
const NL: PreEscaped<&str> = PreEscaped("\n");

pub(super) fn render(r: &Report) -> String {
    let distributions = r.distributions();
    let progress = r.progress();
    let points = r.choice_points();
    // Ids for the charts' titles (never built from user text).
    let mut ids = 0;
    let mut out = String::with_capacity(64 * 1024 + r.attempts.len() * 2048);
    html! {
        (DOCTYPE) (NL)
        html lang="en" {
            (NL)
            head {
                (NL) meta charset="utf-8"; (NL)
                meta name="viewport" content="width=device-width, initial-scale=1"; (NL)
                meta name="generator" content={ "ipt-trainer " (env!("CARGO_PKG_VERSION")) }; (NL)
                title { "Class report – ipt-trainer" } (NL)
                style { (PreEscaped(CSS)) } (NL)
            }
            (NL)
            body {
                (NL) (summary(r)) (NL) (nav()) (NL)
                main {
                    (NL)
                    (files(r))
                    (overview(r, &distributions))
                    (scores(r, &distributions, &mut ids))
                    (progress_section(r, &progress, &mut ids))
                    (skills(r))
                    (mistakes(&points))
                    (choices(&points))
                    (groups(r))
                    (courses(r))
                    (attempts(r))
                    (about(r))
                }
                (NL)
            }
            (NL)
        }
        (NL)
    }
    .render_to(&mut out);
    out
}

fn summary(r: &Report) -> Markup {
    // Trainees are people practising alone; a group session is counted
    // on its own.
    let trainees = r
        .attempts
        .iter()
        .filter(|a| a.group.is_none())
        .map(|a| a.trainee.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let groups = r.attempts.iter().filter(|a| a.group.is_some()).count();
    let scenarios = r
        .attempts
        .iter()
        .map(|a| a.scenario_id.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let dates = match (r.attempts.first(), r.attempts.last()) {
        (Some(first), Some(last)) => {
            let (a, b) = (iso_date(first.finished_at), iso_date(last.finished_at));
            if a == b {
                format!(", on {a}")
            } else {
                format!(", from {a} to {b}")
            }
        }
        _ => String::new(),
    };
    let skipped = r.skipped().count();
    let flagged = r.flagged().count();
    let others = r.other_files.len();
    html! {
        header {
            (NL) h1 { "Class report" } (NL)
            p.lede {
                (plural(r.attempts.len(), "attempt", "attempts")) " by "
                (plural(trainees, "trainee", "trainees")) " on "
                (plural(scenarios, "scenario", "scenarios"))
                @if groups > 0 {
                    " (of them " (plural(groups, "group session", "group sessions")) ", shown apart)"
                }
                (dates) "."
                @if !r.drills.is_empty() {
                    " And " (plural(r.drills.len(), "session of drills", "sessions of drills")) " ("
                    (plural(r.drills.iter().map(|(_, d)| d.results.len()).sum(), "drill", "drills"))
                    "), in " a href="#skills" { "Skills" } "."
                }
            }
            (NL)
            p {
                (plural(r.files_found, "record file", "record files")) " found: "
                (r.attempts.len() + r.drills.len()) " included, of which " (flagged) " flagged; " (skipped)
                " skipped."
                @if skipped + flagged > 0 {
                    " " a href="#files" { "See the files skipped or flagged" } "."
                }
                @if others > 0 {
                    " "
                    @if others == 1 { "1 other file is not a record" }
                    @else { (others) " other files are not records" }
                    " (not named " code { ".json" } ") and "
                    @if others == 1 { "was" } @else { "were" }
                    " not read."
                }
            }
            (NL)
            @if r.options.anonymize {
                p.note {
                    "Names are replaced by pseudonyms (" code { "Trainee-" } " and a hash of \
                     the name; the same name always gets the same pseudonym), and files by neutral \
                     ids. This is pseudonymisation, not anonymity: anyone with the class list can \
                     work out who is who."
                }
                (NL)
            }
            @if r.options.scenario_dirs.is_empty() {
                p.note {
                    "The attempts were not checked against the current scenarios (no scenario \
                     folder was given or found), so edited scenarios are not flagged."
                }
                (NL)
            }
        }
    }
}

fn nav() -> Markup {
    const SECTIONS: [(&str, &str); 11] = [
        ("files", "Files skipped or flagged"),
        ("overview", "Scenarios at a glance"),
        ("scores", "Scores by scenario"),
        ("progress", "Each trainee's progress"),
        ("skills", "Skills: the class's weakest, each trainee's"),
        ("mistakes", "Most common mistakes"),
        ("choices", "Every choice point"),
        ("group", "Group sessions"),
        ("courses", "Courses with one client"),
        ("attempts", "All attempts"),
        ("about", "About this report"),
    ];
    html! {
        nav aria-label="Sections" {
            (NL)
            ol {
                (NL)
                @for (id, title) in SECTIONS {
                    li { a href={ "#" (id) } { (title) } } (NL)
                }
            }
            (NL)
        }
    }
}

fn files(r: &Report) -> Markup {
    let mut list: Vec<_> = r.problems.iter().collect();
    list.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));
    html! {
        section #files {
            (NL) h2 { "Files skipped or flagged (" (r.problems.len()) ")" } (NL)
            @if r.problems.is_empty() {
                p {
                    "Every file was read"
                    @if !r.options.scenario_dirs.is_empty() { " and matches the current scenarios" }
                    "."
                }
                (NL)
            } @else {
                p {
                    strong { "Skipped" } " files are not counted anywhere in this report. "
                    strong { "Flagged" } " attempts are counted, and marked in the list of attempts."
                }
                (NL)
                table {
                    (NL) caption.sr { "Files skipped or flagged, with the reason" } (NL)
                    thead { tr { th scope="col" { "File" } th scope="col" { "Status" } th scope="col" { "Reason" } } }
                    (NL)
                    tbody {
                        (NL)
                        @for pr in list {
                            @let flagged = pr.kind == ProblemKind::Flagged;
                            tr class=(if flagged { "flagged" } else { "skipped" }) {
                                td { code { (Text(&pr.file)) } }
                                td {
                                    @if flagged { "Flagged (counted, marked)" }
                                    @else { "Skipped (not counted)" }
                                }
                                td { (Text(&pr.reason)) }
                            }
                            (NL)
                        }
                    }
                    (NL)
                }
                (NL)
            }
            @if !r.scenario_notes.is_empty() {
                p { "Scenario files that could not be used:" } (NL)
                ul {
                    (NL)
                    @for n in &r.scenario_notes { li { (Text(n)) } (NL) }
                }
                (NL)
            }
        }
        (NL)
    }
}

fn overview(r: &Report, ds: &[Distribution]) -> Markup {
    let pass = r.options.pass_mark;
    html! {
        section #overview {
            (NL) h2 { "Scenarios at a glance" } (NL)
            table {
                (NL)
                caption.sr { "Each scenario: attempts, trainees, median overall score, passes, critical errors and endings" }
                (NL)
                thead {
                    tr {
                        th scope="col" { "Scenario" }
                        th scope="col" class="n" { "Attempts" }
                        th scope="col" class="n" { "Trainees" }
                        th scope="col" class="n" { "Median overall" }
                        th scope="col" class="n" { "Passed (overall ≥ " (pass) ", no critical error)" }
                        th scope="col" class="n" { "Critical errors" }
                        th scope="col" class="n" { "Good ending" }
                        th scope="col" class="n" { "Mixed" }
                        th scope="col" class="n" { "Poor" }
                        th scope="col" class="n" { "Not finished" }
                    }
                }
                (NL)
                tbody {
                    (NL)
                    @for (i, d) in ds.iter().enumerate() {
                        tr {
                            th scope="row" { a href={ "#scores-" (i) } { (Text(&d.title)) } }
                            td.n { (d.attempts) }
                            td.n { (d.trainees) }
                            td.n { (num(d.dims[3].median)) }
                            td.n { (d.passed) " (" (pct(d.passed, d.attempts)) ")" }
                            td.n { (d.critical) }
                            td.n { (d.good) }
                            td.n { (d.mixed) }
                            td.n { (d.poor) }
                            td.n { (d.unfinished) }
                        }
                        (NL)
                    }
                    @if ds.is_empty() {
                        tr { td colspan="10" { "No attempts could be read." } } (NL)
                    }
                }
                (NL)
            }
            (NL)
        }
        (NL)
    }
}

fn scores(r: &Report, ds: &[Distribution], ids: &mut usize) -> Markup {
    html! {
        section #scores {
            (NL) h2 { "Scores by scenario" } (NL)
            p {
                "Each row is one score from 0 to 100: the box spans the middle half of the \
                 attempts, the thick line is the median, the whiskers reach the lowest and \
                 highest; each dot is an attempt. The dashed line on " em { "Overall" }
                " is the pass mark (" (r.options.pass_mark) ")."
            }
            (NL)
            @for (i, d) in ds.iter().enumerate() {
                h3 id={ "scores-" (i) } { (Text(&d.title)) " " code { (Text(&d.scenario_id)) } }
                (NL)
                div.pair {
                    (NL)
                    figure {
                        (NL)
                        (svg::boxplot(r, d, { *ids += 1; *ids }))
                        (NL)
                        figcaption { (d.attempts) " attempts by " (d.trainees) " trainees." }
                        (NL)
                    }
                    (NL)
                    table {
                        (NL) caption { (Text(&d.title)) " – scores" } (NL)
                        thead {
                            tr {
                                th scope="col" { "Score" }
                                th scope="col" class="n" { "Lowest" }
                                th scope="col" class="n" { "Lower quartile" }
                                th scope="col" class="n" { "Median" }
                                th scope="col" class="n" { "Upper quartile" }
                                th scope="col" class="n" { "Highest" }
                                th scope="col" class="n" { "Mean" }
                            }
                        }
                        (NL)
                        tbody {
                            (NL)
                            @for s in &d.dims {
                                tr {
                                    th scope="row" { (s.label) }
                                    td.n { (num(s.min)) }
                                    td.n { (num(s.q1)) }
                                    td.n { (num(s.median)) }
                                    td.n { (num(s.q3)) }
                                    td.n { (num(s.max)) }
                                    td.n { (num(s.mean)) }
                                }
                                (NL)
                            }
                        }
                        (NL)
                    }
                    (NL)
                }
                (NL)
            }
            @if ds.is_empty() {
                p { "No attempts." } (NL)
            }
        }
        (NL)
    }
}

fn progress_section(r: &Report, progress: &[Progress], ids: &mut usize) -> Markup {
    html! {
        section #progress {
            (NL) h2 { "Each trainee's progress" } (NL)
            table {
                (NL)
                caption.sr { "Each trainee's overall score: first, latest, change, best and mean" }
                (NL)
                thead {
                    tr {
                        th scope="col" { "Trainee" }
                        th scope="col" class="n" { "Attempts" }
                        th scope="col" class="n" { "Scenarios" }
                        th scope="col" class="n" { "First overall" }
                        th scope="col" class="n" { "Latest overall" }
                        th scope="col" class="n" { "Change" }
                        th scope="col" class="n" { "Best" }
                        th scope="col" class="n" { "Mean" }
                    }
                }
                (NL)
                tbody {
                    (NL)
                    @for pr in progress {
                        @let overall: Vec<i32> = pr.attempts.iter().map(|&i| r.attempts[i].scores.overall).collect();
                        @let scenarios = pr
                            .attempts
                            .iter()
                            .map(|&i| r.attempts[i].scenario_id.as_str())
                            .collect::<BTreeSet<_>>()
                            .len();
                        @let first = overall.first().copied().unwrap_or(0);
                        @let last = overall.last().copied().unwrap_or(0);
                        tr {
                            th scope="row" { (Text(who(&pr.trainee))) }
                            td.n { (overall.len()) }
                            td.n { (scenarios) }
                            td.n { (first) }
                            td.n { (last) }
                            td.n { (format!("{:+}", last - first)) }
                            td.n { (overall.iter().max().copied().unwrap_or(0)) }
                            td.n { (num(f64::from(overall.iter().sum::<i32>()) / overall.len().max(1) as f64)) }
                        }
                        (NL)
                    }
                }
                (NL)
            }
            (NL)
            div.grid {
                (NL)
                @for pr in progress {
                    figure.card {
                        (NL) h3 { (Text(who(&pr.trainee))) } (NL)
                        (svg::sparkline(r, pr, { *ids += 1; *ids }))
                        (NL)
                        details {
                            summary { "The attempts as a table" } (NL)
                            table {
                                (NL)
                                caption.sr { "The attempts of " (Text(who(&pr.trainee))) ", oldest first" }
                                (NL)
                                thead {
                                    tr {
                                        th scope="col" { "Date" }
                                        th scope="col" { "Scenario" }
                                        th scope="col" class="n" { "Overall" }
                                        th scope="col" class="n" { "R" }
                                        th scope="col" class="n" { "P" }
                                        th scope="col" class="n" { "F" }
                                    }
                                }
                                (NL)
                                tbody {
                                    (NL)
                                    @for &i in &pr.attempts {
                                        @let a = &r.attempts[i];
                                        tr {
                                            td { (iso_date(a.finished_at)) }
                                            td { (Text(&a.scenario_title)) }
                                            td.n { (a.scores.overall) }
                                            td.n { (a.scores.rapport) }
                                            td.n { (a.scores.pacing) }
                                            td.n { (a.scores.focus) }
                                        }
                                        (NL)
                                    }
                                }
                                (NL)
                            }
                            (NL)
                        }
                        (NL)
                    }
                    (NL)
                }
            }
            (NL)
        }
        (NL)
    }
}

/// A principle's name as the bundled rubric gives it (the id if unknown).
fn principle_name<'a>(guidance: Option<&'a crate::core::rubric::Guidance>, id: &'a str) -> &'a str {
    guidance
        .and_then(|g| g.principle(id))
        .map_or(id, |p| p.name.as_str())
}

/// An estimate as a percentage with its spread: "62 % ± 12".
fn estimate(s: crate::core::drill::Skill) -> String {
    format!("{:.0} % ± {:.0}", s.mean() * 100.0, s.sd() * 100.0)
}

/// How many of the choice points behind a weak principle are named.
const SHOWN_POINTS: usize = 3;

fn skills(r: &Report) -> Markup {
    let class = r.class_skills();
    let trainees = r.skill_profiles();
    let guidance = crate::core::load::bundled_guidance().ok();
    let g = guidance.as_ref();
    html! {
        section #skills {
            (NL) h2 { "Skills: the class's weakest, each trainee's" } (NL)
            p.sub {
                "A skill is a principle of the rubric. A chance at it is a choice point, in a session or a drill, where that principle decided the best option; "
                "the estimate is how often the best option was chosen there (a Beta estimate, \u{b1} one standard deviation), surer with more chances. "
                "A drill counts its first answer. Group sessions are left out: they are the class's work, not one trainee's."
            } (NL)
            @if class.is_empty() {
                p { "No record here tests a skill yet (records made before drills existed do not say which principle a choice point tested)." } (NL)
            } @else {
                table {
                    caption { "The class's principles, weakest first" } (NL)
                    thead {
                        tr {
                            th scope="col" { "Principle" }
                            th scope="col" class="n" { "Chances" }
                            th scope="col" class="n" { "Chosen well" }
                            th scope="col" class="n" { "Estimate" }
                            th scope="col" class="n" { "Trainees" }
                            th scope="col" class="n" { "Below half" }
                            th scope="col" { "Missed most at (scenario / choice point: misses of chances)" }
                        }
                    }
                    (NL)
                    tbody {
                        (NL)
                        @for c in &class {
                            tr {
                                th scope="row" { (Text(principle_name(g, &c.principle))) br; span.sub { code { (Text(&c.principle)) } } }
                                td.n { (c.pooled.chances) }
                                td.n { (c.pooled.good) }
                                td.n { (estimate(c.pooled)) }
                                td.n { (c.trainees) }
                                td.n { (c.below_half) }
                                td {
                                    @for p in c.points.iter().filter(|p| p.misses > 0).take(SHOWN_POINTS) {
                                        (Text(&p.scenario_id)) " / " code { (Text(&p.node)) } ": " (p.misses) " of " (p.chances)
                                        @if p.drilled { " (drilled)" }
                                        br;
                                    }
                                }
                            }
                            (NL)
                        }
                    }
                }
                (NL)
                table {
                    caption { "Each trainee's three weakest principles" } (NL)
                    thead {
                        tr {
                            th scope="col" { "Trainee" }
                            th scope="col" class="n" { "Drill sessions" }
                            th scope="col" class="n" { "Mastered" }
                            th scope="col" { "Weakest (estimate, chances)" }
                        }
                    }
                    (NL)
                    tbody {
                        (NL)
                        @for t in &trainees {
                            tr {
                                th scope="row" { (Text(who(&t.trainee))) }
                                td.n { (t.drill_sessions) }
                                td.n { (t.profile.mastered()) " of " (t.profile.skills.len()) }
                                td {
                                    @for (p, s) in t.profile.weakest().into_iter().take(3) {
                                        (Text(principle_name(g, p))) ": " (estimate(s)) ", " (s.chances) " chance" @if s.chances != 1 { "s" }
                                        br;
                                    }
                                }
                            }
                            (NL)
                        }
                    }
                }
                (NL)
            }
        }
        (NL)
    }
}

fn mistakes(points: &[ChoicePoint]) -> Markup {
    let mut list: Vec<(&ChoicePoint, &OptionStat)> = points
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
    html! {
        section #mistakes {
            (NL) h2 { "Most common mistakes" } (NL)
            p {
                "A mistake is a move for which the rubric saw a better one, or that lost points. \
                 The " (shown) " most frequent, over all scenarios:"
            }
            (NL)
            @if list.is_empty() {
                p { "No mistakes in these attempts." } (NL)
            } @else {
                table {
                    (NL)
                    caption.sr { "The most common mistakes, most frequent first" }
                    (NL)
                    thead {
                        tr {
                            th scope="col" class="n" { "Times" }
                            th scope="col" class="n" { "Of the moves there" }
                            th scope="col" { "Scenario" }
                            th scope="col" { "Choice point" }
                            th scope="col" { "Move chosen" }
                            th scope="col" { "The better move" }
                        }
                    }
                    (NL)
                    tbody {
                        (NL)
                        @for (cp, o) in list.into_iter().take(shown) {
                            tr.mistake {
                                td.n { strong { (o.mistakes) } }
                                td.n { (pct(o.mistakes, cp.reached)) " of " (cp.reached) }
                                td { (Text(&cp.scenario_title)) }
                                td { code { (Text(&cp.node)) } }
                                td { (Text(&o.text)) }
                                td { (Text(o.better.first().map_or("–", |(t, _)| t.as_str()))) }
                            }
                            (NL)
                        }
                    }
                    (NL)
                }
                (NL)
            }
        }
        (NL)
    }
}

fn choices(points: &[ChoicePoint]) -> Markup {
    // A scenario's heading before its first choice point.
    let mut previous: Option<&str> = None;
    let headed: Vec<(bool, &ChoicePoint)> = points
        .iter()
        .map(|cp| {
            let new = previous != Some(cp.scenario_id.as_str());
            previous = Some(&cp.scenario_id);
            (new, cp)
        })
        .collect();
    html! {
        section #choices {
            (NL) h2 { "Every choice point" } (NL)
            p {
                "For each scenario, the points where trainees chose a move, most mistakes first; \
                 for each, the options and how often each was chosen (options never chosen are \
                 listed from the current scenario file). "
                span.mistake-mark { "✗" } " marks a move that was a mistake."
            }
            (NL)
            @for (new, cp) in headed {
                @if new {
                    h3 { (Text(&cp.scenario_title)) " " code { (Text(&cp.scenario_id)) } } (NL)
                }
                (choice_point(cp))
            }
            @if points.is_empty() {
                p { "No moves in these attempts." } (NL)
            }
        }
        (NL)
    }
}

fn choice_point(cp: &ChoicePoint) -> Markup {
    let votes = cp.votes > 0;
    html! {
        article {
            (NL)
            h4 {
                "Choice point " code { (Text(&cp.node)) } ": " (cp.reached) " move"
                @if cp.reached != 1 { "s" }
                " here, " (cp.mistakes) " mistake"
                @if cp.mistakes != 1 { "s" }
                " (" (pct(cp.mistakes, cp.reached)) ")"
            }
            (NL)
            @if !cp.client_line.is_empty() {
                blockquote { "Client: “" (Text(&cp.client_line)) "”" } (NL)
            }
            @if !cp.prompt.is_empty() {
                p { strong { "For discussion:" } " " (Text(&cp.prompt)) } (NL)
            }
            table {
                (NL)
                caption.sr { "The options at " (Text(&cp.node)) " in " (Text(&cp.scenario_title)) }
                (NL)
                thead {
                    tr {
                        th scope="col" { "Option" }
                        th scope="col" class="n" { "Chosen" }
                        th scope="col" class="n" { "Share" }
                        th scope="col" { span.sr { "Bar" } }
                        th scope="col" { "Mistake?" }
                        th scope="col" { "The better move" }
                        @if votes { th scope="col" class="n" { "Class votes" } }
                    }
                }
                (NL)
                tbody {
                    (NL)
                    @for o in &cp.options {
                        @let mistake = o.mistakes > 0;
                        tr class=[mistake.then_some("mistake")] {
                            td { (Text(&o.text)) }
                            td.n { (o.chosen) }
                            td.n { (pct(o.chosen, cp.reached)) }
                            td {
                                (svg::bar(
                                    o.chosen as f64 / cp.reached.max(1) as f64,
                                    if mistake { BAD } else { COLOURS[0] },
                                ))
                            }
                            td {
                                @if mistake {
                                    span.mistake-mark { "✗ mistake" }
                                    @if o.mistakes != o.chosen {
                                        " (" (o.mistakes) " of " (o.chosen) " times)"
                                    }
                                } @else if o.chosen > 0 {
                                    "no"
                                } @else {
                                    "–"
                                }
                            }
                            td {
                                @for (k, (t, n)) in o.better.iter().enumerate() {
                                    @if k > 0 { br; }
                                    (Text(t))
                                    @if o.better.len() > 1 { " (" (n) "×)" }
                                }
                            }
                            @if votes {
                                td.n { (o.votes) " (" (pct(o.votes as usize, cp.votes as usize)) ")" }
                            }
                        }
                        (NL)
                    }
                }
                (NL)
            }
            (NL)
        }
        (NL)
    }
}

fn groups(r: &Report) -> Markup {
    let group: Vec<&Attempt> = r.attempts.iter().filter(|a| a.group.is_some()).collect();
    html! {
        section #group {
            (NL) h2 { "Group sessions (" (group.len()) ")" } (NL)
            @if group.is_empty() {
                p { "No class-vote or hot-seat sessions among these records." } (NL)
            }
            @for a in group {
                (group_session(a))
            }
        }
        (NL)
    }
}

fn group_session(a: &Attempt) -> Markup {
    let Some(g) = &a.group else {
        return html! {};
    };
    let class_vote = g.mode == GroupMode::ClassVote;
    html! {
        h3 {
            (Text(&a.scenario_title)) " – " (human_utc(a.finished_at)) " – " (g.mode.label())
            " (" (Text(who(&a.trainee))) "), overall " (a.scores.overall)
        }
        (NL)
        @if !g.roster.is_empty() {
            p {
                "Roster: "
                @for (k, n) in g.roster.iter().enumerate() {
                    @if k > 0 { ", " }
                    (Text(who(n)))
                }
            }
            (NL)
        }
        table {
            (NL)
            caption.sr { "Each turn of this " (g.mode.label()) " session" }
            (NL)
            thead {
                tr {
                    th scope="col" class="n" { "Turn" }
                    th scope="col" { "Choice point" }
                    th scope="col" { "Move played" }
                    th scope="col" { @if class_vote { "The class's votes" } @else { "Made by" } }
                }
            }
            (NL)
            tbody {
                (NL)
                @for (k, m) in a.moves.iter().enumerate() {
                    tr class=[m.is_mistake().then_some("mistake")] {
                        td.n { (k + 1) }
                        td { code { (Text(&m.node)) } }
                        td {
                            (Text(&m.text))
                            @if m.is_mistake() { " " span.mistake-mark { "✗ mistake" } }
                        }
                        td {
                            @if let Some(t) = g.turns.get(k) {
                                @if let Some(by) = &t.by { (Text(who(by))) }
                                @let total = t.votes.iter().fold(0u32, |s, v| s.saturating_add(v.votes));
                                @for v in &t.votes {
                                    @let chosen = v.option == m.option && v.text == m.text;
                                    div class=(if chosen { "vote played" } else { "vote" }) {
                                        (svg::bar(f64::from(v.votes) / f64::from(total.max(1)), COLOURS[0]))
                                        " " span.count { (v.votes) " (" (pct(v.votes as usize, total as usize)) ")" }
                                        " " (Text(&v.text))
                                        @if chosen { " " em { "(played)" } }
                                    }
                                }
                                @if t.tutor_pick { div { em { "The tutor's pick." } } }
                            }
                        }
                    }
                    (NL)
                }
            }
            (NL)
        }
        (NL)
        (seat_table(a))
        (device_tables(a))
    }
}

/// A class vote on the students' devices: each device's vote per turn, and
/// a score line for each student who gave a name. (The tutor's report only:
/// the projector never shows who voted what.)
fn device_tables(a: &Attempt) -> Markup {
    let lines = device_lines(a);
    if lines.is_empty() {
        return html! {};
    }
    let turns = lines[0].choices.len();
    let of = |n: usize, all: usize| format!("{n} of {all}");
    html! {
        table {
            (NL)
            caption { "Each device's vote (the option's shown position)" }
            (NL)
            thead {
                tr {
                    th scope="col" { "Student" }
                    @for k in 1..=turns { th scope="col" class="n" { "Turn " (k) } }
                }
            }
            (NL)
            tbody {
                (NL)
                @for d in &lines {
                    tr {
                        th scope="row" { (Text(who(d.pseudonym))) }
                        @for c in &d.choices {
                            td.n { @if let Some(p) = c { (p) } @else { "–" } }
                        }
                    }
                    (NL)
                }
            }
            (NL)
        }
        (NL)
        @if lines.iter().any(|d| d.score.is_some()) {
            table {
                (NL)
                caption { "Students who gave a name: their votes against the rubric" }
                (NL)
                thead {
                    tr {
                        th scope="col" { "Student" }
                        th scope="col" class="n" { "Choice points voted" }
                        th scope="col" class="n" { "Best option" }
                        th scope="col" class="n" { "Serious errors" }
                        th scope="col" class="n" { "Points (of the best available)" }
                        th scope="col" class="n" { "With the class" }
                    }
                }
                (NL)
                tbody {
                    (NL)
                    @for d in &lines {
                        @if let Some(s) = &d.score {
                            tr {
                                th scope="row" { (Text(who(d.pseudonym))) }
                                td.n { (s.voted) }
                                td.n { (of(s.best, s.voted)) }
                                td.n { (s.serious) }
                                td.n { (s.points) " of " (s.best_points) }
                                td.n { (of(s.with_class, s.voted)) }
                            }
                            (NL)
                        }
                    }
                }
                (NL)
            }
            (NL)
        }
    }
}

/// The hot seat credited per trainee: each one's moves and what they earned.
fn seat_table(a: &Attempt) -> Markup {
    let credits = seat_credits(a);
    if credits.is_empty() {
        return html! {};
    }
    let skips = credits.iter().any(|c| c.skipped > 0);
    html! {
        table {
            (NL)
            caption { "Each trainee's moves" }
            (NL)
            thead {
                tr {
                    th scope="col" { "Trainee" }
                    th scope="col" class="n" { "Moves" }
                    th scope="col" class="n" { "Points" }
                    th scope="col" class="n" { "Best moves" }
                    th scope="col" class="n" { "Serious errors" }
                    @if skips { th scope="col" class="n" { "Passed over" } }
                }
            }
            (NL)
            tbody {
                (NL)
                @for c in &credits {
                    tr {
                        th scope="row" { (Text(who(c.who))) }
                        td.n { (c.moves) }
                        td.n { (c.points) }
                        td.n { (c.best) }
                        td.n { (c.serious) }
                        @if skips { td.n { (c.skipped) } }
                    }
                    (NL)
                }
            }
            (NL)
        }
        (NL)
    }
}

/// The sessions of cases, grouped by trainee and case: each session's
/// scores in the order of the course (the latest attempt at each).
fn courses(r: &Report) -> Markup {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<(&str, &str), (&str, u32, BTreeMap<u32, &Attempt>)> = BTreeMap::new();
    for a in &r.attempts {
        if let Some(c) = &a.case {
            let e = by.entry((a.trainee.as_str(), c.id.as_str())).or_insert((
                c.title.as_str(),
                c.total,
                BTreeMap::new(),
            ));
            // Attempts are oldest first: a later one at the same session wins.
            e.2.insert(c.number, a);
        }
    }
    html! {
        section #courses {
            (NL) h2 { "Courses with one client (" (by.len()) ")" } (NL)
            @if by.is_empty() {
                p { "No sessions of a case among these records." } (NL)
            } @else {
                p { "Each trainee's sessions of each case, in the order of the course (the latest attempt at each session). R, P, F: rapport, pacing, focus." } (NL)
                div.scroll tabindex="0" role="region" aria-label="Courses (scrolls sideways)" {
                    (NL)
                    table {
                        (NL) caption.sr { "Each trainee's sessions of each case" } (NL)
                        thead { tr { th scope="col" { "Trainee" } th scope="col" { "Case" } th scope="col" { "Sessions played" } } }
                        (NL)
                        tbody {
                            @for ((who, _), (title, total, sessions)) in &by {
                                tr {
                                    th scope="row" { (Text(self::who(who))) }
                                    td { (Text(title)) }
                                    td {
                                        @for (n, a) in sessions {
                                            span.session {
                                                "session " (n) " of " (total) ": overall " (a.scores.overall)
                                                " (R " (a.scores.rapport) ", P " (a.scores.pacing) ", F " (a.scores.focus) ")"
                                                @if let Some(e) = &a.ending { ", " (e.title) }
                                            }
                                            br;
                                        }
                                    }
                                }
                                (NL)
                            }
                        }
                    }
                    (NL)
                }
            }
        }
        (NL)
    }
}

fn attempts(r: &Report) -> Markup {
    html! {
        section #attempts {
            (NL) h2 { "All attempts (" (r.attempts.len()) ")" } (NL)
            p { "Oldest first; times in UTC. R, P, F: rapport, pacing, focus." } (NL)
            // Focusable, so that a keyboard can scroll a table wider than the window.
            div.scroll tabindex="0" role="region" aria-label="All attempts (scrolls sideways)" {
                (NL)
                table.wide {
                    (NL) caption.sr { "Every attempt, oldest first" } (NL)
                    thead {
                        tr {
                            th scope="col" { "Finished" }
                            th scope="col" { "Trainee" }
                            th scope="col" { "Scenario" }
                            th scope="col" class="n" { "R" }
                            th scope="col" class="n" { "P" }
                            th scope="col" class="n" { "F" }
                            th scope="col" class="n" { "Overall" }
                            th scope="col" { "Critical error" }
                            th scope="col" { "Ending" }
                            th scope="col" class="n" { "Turns" }
                            th scope="col" class="n" { "Mistakes" }
                            th scope="col" class="n" { "Minutes" }
                            th scope="col" { "Mode" }
                            th scope="col" { "Seed" }
                            th scope="col" { "File" }
                            th scope="col" { "Status" }
                        }
                    }
                    (NL)
                    tbody {
                        (NL)
                        @for a in &r.attempts {
                            tr class=[a.flag.is_some().then_some("flagged")] {
                                td { time datetime=(iso_utc(a.finished_at)) { (human_time(a.finished_at)) } }
                                td { (Text(who(&a.trainee))) }
                                td { (Text(&a.scenario_title)) }
                                td.n { (a.scores.rapport) }
                                td.n { (a.scores.pacing) }
                                td.n { (a.scores.focus) }
                                td.n {
                                    strong { (a.scores.overall) }
                                    @if passed(a, r.options.pass_mark) { " ✓" }
                                }
                                td { @if a.critical { "yes" } @else { "no" } }
                                td {
                                    @if let Some(e) = &a.ending { (Text(&e.title)) }
                                    " (" (outcome_label(a)) ")"
                                }
                                td.n { (a.moves.len()) }
                                td.n { (a.mistakes()) }
                                td.n { (a.minutes_used) }
                                td { (mode_label(a)) @if a.coach_mode { ", coach" } }
                                td { (a.seed) }
                                td { code { (Text(&a.file)) } }
                                td {
                                    @match &a.flag {
                                        Some(f) => { "flagged: " (Text(f)) }
                                        None => "ok",
                                    }
                                }
                            }
                            (NL)
                        }
                    }
                    (NL)
                }
                (NL)
            }
            (NL)
        }
        (NL)
    }
}

fn about(r: &Report) -> Markup {
    html! {
        section #about {
            (NL) h2 { "About this report" } (NL)
            ul {
                (NL)
                li {
                    "Made by " code { "ipt-trainer report" } " from attempt records (format "
                    code { (crate::core::store::RECORD_FORMAT) } ", version "
                    (crate::core::store::RECORD_VERSION) "). Scores run from 0 to 100; the \
                     overall score is the mean of rapport, pacing and focus, capped when there \
                     was a critical error."
                }
                (NL)
                li {
                    "Passed (✓): overall at least " (r.options.pass_mark) " and no critical error. \
                     The same rule gives xAPI's " code { "success" } "."
                }
                (NL)
                li {
                    "A " em { "mistake" } " is a move for which the rubric named a better one, or \
                     that lost points; the better move's text comes from the record."
                }
                (NL)
                li {
                    "A flagged attempt is one whose scenario has changed since (its content hash \
                     differs from the current file's) or is not in the scenario folders, or whose \
                     record has numbers no session gives but that change nothing counted here: its \
                     scores are as they were given, but its choice points may not match the \
                     current text."
                }
                (NL)
                li {
                    "A record is skipped if it cannot be read, or if its numbers would make the \
                     figures wrong (a score outside 0 to 100, a finish time outside 2020 to 2100, \
                     more votes than a class can cast)."
                }
                (NL)
                li { "Times are in UTC." } (NL)
            }
            (NL)
        }
        (NL)
    }
}

#[cfg(test)]
mod tests {
    use super::super::svg::tests::contrast;
    use super::{CSS, esc};

    /// A colour of the page's palette (`--name: #hex;` in the CSS).
    fn var(name: &str) -> &'static str {
        let at = CSS
            .find(&format!("--{name}: "))
            .expect("the colour is defined")
            + name.len()
            + 4;
        let end = CSS[at..].find(';').expect(";") + at;
        &CSS[at..end]
    }

    #[test]
    fn text_stands_four_and_a_half_to_one_on_every_background() {
        for bg in ["bg", "soft", "flag"] {
            for fg in ["fg", "muted", "accent", "bad"] {
                let r = contrast(var(fg), var(bg));
                assert!(r >= 4.5, "--{fg} on --{bg}: {r:.2}");
            }
        }
        // Table borders and the cards' edges: 3:1 on the page.
        assert!(contrast(var("line"), var("bg")) >= 3.0);
    }

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            esc("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert('x' &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(esc("plain"), "plain");
        assert_eq!(esc("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c\nd");
    }
}
