//! The attempts as CSV (RFC 4180, UTF-8, CRLF line ends; written by the
//! `csv` crate): one row per attempt. Text cells that a spreadsheet would
//! run as a formula are prefixed with `'` (see [`guard`]).

use super::{Attempt, Report, iso_utc};
use std::borrow::Cow;
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

/// Characters a spreadsheet may pass over before it reads a formula: white
/// space (ASCII and Unicode, the full-width space included), and the
/// invisible ones a copy from the web brings (zero-width space and joiners,
/// word joiner, byte-order mark).
fn skipped_before_formula(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// Characters that start a formula: `=`, `+`, `-`, `@`, and their
/// full-width and small forms, which spreadsheets with an input method read
/// the same way.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+'
            | '-'
            | '@'
            | '\u{ff1d}' // ＝
            | '\u{ff0b}' // ＋
            | '\u{ff0d}' // －
            | '\u{ff20}' // ＠
            | '\u{fe66}' // ﹦
            | '\u{fe62}' // ﹢
            | '\u{fe63}' // ﹣
            | '\u{fe6b}' // ﹫
            | '\u{2212}' // − (minus sign)
    )
}

/// A text cell guarded against formula injection (OWASP's advice, widened):
/// a cell that starts with a tab or a carriage return, or whose first
/// character after white space is a formula character, gets a leading `'`.
pub fn guard(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['\t', '\r'])
        || s.trim_start_matches(skipped_before_formula)
            .starts_with(starts_formula);
    if risky {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn row(a: &Attempt) -> [Cow<'_, str>; 22] {
    let members = a
        .group
        .as_ref()
        .map_or(String::new(), |g| g.roster.join("; "));
    let owned = |s: String| Cow::Owned(s);
    let text = |s: &str| Cow::Owned(guard(s).into_owned());
    [
        guard(&a.file),
        guard(&a.trainee),
        guard(&a.scenario_id),
        guard(&a.scenario_title),
        owned(iso_utc(a.finished_at)),
        owned(a.seed.to_string()),
        owned(a.scores.rapport.to_string()),
        owned(a.scores.pacing.to_string()),
        owned(a.scores.focus.to_string()),
        owned(a.scores.overall.to_string()),
        Cow::Borrowed(yes_no(a.critical)),
        guard(a.ending.as_ref().map_or("", |e| e.title.as_str())),
        Cow::Borrowed(a.ending.as_ref().map_or("unfinished", |e| match e.outcome {
            crate::core::model::Outcome::Good => "good",
            crate::core::model::Outcome::Mixed => "mixed",
            crate::core::model::Outcome::Poor => "poor",
        })),
        owned(a.moves.len().to_string()),
        owned(a.mistakes().to_string()),
        owned(a.minutes_used.to_string()),
        Cow::Borrowed(yes_no(a.coach_mode)),
        Cow::Borrowed(a.group.as_ref().map_or("solo", |g| match g.mode {
            crate::core::group::GroupMode::ClassVote => "class vote",
            crate::core::group::GroupMode::HotSeat => "hot seat",
        })),
        text(&members),
        guard(&a.rubric_version),
        Cow::Borrowed(if a.flag.is_some() { "flagged" } else { "ok" }),
        guard(a.flag.as_deref().unwrap_or("")),
    ]
}

pub(super) fn render(r: &Report) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256 * (r.attempts.len() + 1)));
    // Writing to memory cannot fail; every cell is UTF-8 text.
    let _ = w.write_record(HEADER);
    for a in &r.attempts {
        let _ = w.write_record(row(a).iter().map(|c| c.as_bytes()));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::guard;

    #[test]
    fn formulas_are_guarded_however_they_hide() {
        for risky in [
            "=1+2",
            "@SUM(A1)",
            "-2",
            "+x, y",
            "\t1",
            "\r1",
            " =1",
            "\n=1",
            " \n\t+1",
            "\u{3000}=1",
            "\u{a0}=1",
            "\u{200b}=1",
            "\u{feff}@x",
            "＝1",
            "＋1",
            "－1",
            "＠x",
            "﹦1",
            "−1",
        ] {
            assert_eq!(guard(risky), format!("'{risky}"), "{risky:?}");
        }
        for plain in [
            "Sam",
            "",
            " Sam",
            "Smith, Sam",
            "two\nlines",
            "a=b",
            "1-2",
            "'=x",
        ] {
            assert_eq!(guard(plain), plain, "{plain:?}");
        }
    }

    #[test]
    fn rows_are_quoted_by_rfc_4180() {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record([
            "Sam",
            "Smith, Sam",
            "say \"hi\"",
            "two\nlines",
            &guard("+x, y"),
        ])
        .expect("written");
        let out = String::from_utf8(w.into_inner().expect("flushed")).expect("utf8");
        assert_eq!(
            out,
            "Sam,\"Smith, Sam\",\"say \"\"hi\"\"\",\"two\nlines\",\"'+x, y\"\r\n"
        );
    }
}
