//! The attempts as CSV (RFC 4180, UTF-8, CRLF line ends): one row per
//! attempt. Text cells that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) are prefixed with `'`.

use super::{Attempt, Report, iso_utc};
use std::fmt::Write as _;

pub const HEADER: [&str; 22] = [
    "file",
    "trainee",
    "scenario_id",
    "scenario_title",
    "finished_at_utc",
    "seed",
    "rapport",
    "pacing",
    "focus",
    "overall",
    "critical_error",
    "ending",
    "outcome",
    "turns",
    "mistakes",
    "minutes",
    "coach_mode",
    "group_mode",
    "group_members",
    "rubric_version",
    "status",
    "reason",
];

/// A text cell: guarded against formula injection, quoted when needed.
pub fn text_cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r'])
        || guarded.starts_with(' ')
        || guarded.ends_with(' ')
    {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn row(a: &Attempt) -> String {
    let mut members: Vec<&str> = Vec::new();
    if let Some(g) = &a.group {
        members.extend(g.roster.iter().map(String::as_str));
    }
    let text = |s: &str| text_cell(s);
    let cells: [String; 22] = [
        text(&a.file),
        text(&a.trainee),
        text(&a.scenario_id),
        text(&a.scenario_title),
        iso_utc(a.finished_at),
        a.seed.to_string(),
        a.scores.rapport.to_string(),
        a.scores.pacing.to_string(),
        a.scores.focus.to_string(),
        a.scores.overall.to_string(),
        yes_no(a.critical).to_string(),
        text(a.ending.as_ref().map_or("", |e| e.title.as_str())),
        a.ending
            .as_ref()
            .map_or("unfinished", |e| match e.outcome {
                crate::core::model::Outcome::Good => "good",
                crate::core::model::Outcome::Mixed => "mixed",
                crate::core::model::Outcome::Poor => "poor",
            })
            .to_string(),
        a.moves.len().to_string(),
        a.mistakes().to_string(),
        a.minutes_used.to_string(),
        yes_no(a.coach_mode).to_string(),
        a.group
            .as_ref()
            .map_or("solo", |g| match g.mode {
                crate::core::group::GroupMode::ClassVote => "class vote",
                crate::core::group::GroupMode::HotSeat => "hot seat",
            })
            .to_string(),
        text(&members.join("; ")),
        text(&a.rubric_version),
        if a.flag.is_some() { "flagged" } else { "ok" }.to_string(),
        text(a.flag.as_deref().unwrap_or("")),
    ];
    cells.join(",")
}

pub(super) fn render(r: &Report) -> String {
    let mut out = String::with_capacity(256 * (r.attempts.len() + 1));
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for a in &r.attempts {
        let _ = write!(out, "{}\r\n", row(a));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(text_cell("Sam"), "Sam");
        assert_eq!(text_cell("Smith, Sam"), "\"Smith, Sam\"");
        assert_eq!(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_cell("=1+2"), "'=1+2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("+x, y"), "\"'+x, y\"");
        assert_eq!(text_cell(""), "");
    }
}
