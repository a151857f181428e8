//! `ipt-trainer play CASE.case.ron`: a whole course with one client in the
//! terminal, session by session, with what happened between sessions, each
//! session's debrief and the course's summary at the end.

use super::{drive, print_diagnostics, render, rubric};
use crate::core::case::{Between, CaseBundle, Course};
use crate::core::debrief::Debrief;
use crate::core::diagnostic::Diagnostic;
use crate::core::load;
use crate::core::practice::{Mode, Practice};
use crate::core::review;
use crate::core::rubric::Guidance;
use crate::core::store::CaseRef;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// What `play` was asked for, for a case.
pub struct CasePlay<'a> {
    pub path: &'a Path,
    pub seed: u64,
    /// One list of choices per session, or `None` to type them.
    pub choices: Option<Vec<Vec<usize>>>,
    pub guidance: Option<&'a Path>,
    /// A folder for the sessions' records, and the trainee's name.
    pub record: Option<(&'a Path, &'a str)>,
    pub mode: Mode,
}

fn say(text: &str) {
    print!("{}", render::escape_controls(text));
    let _ = std::io::stdout().flush();
}

/// Loads a case for playing, its problems printed if it cannot be used.
pub fn load_case(
    path: &Path,
    guidance: &crate::core::rubric::Guidance,
) -> Result<Arc<CaseBundle>, ExitCode> {
    let text = match load::read_source(path) {
        Ok(t) => t,
        Err(d) => {
            print_diagnostics(&[*d], None);
            return Err(ExitCode::from(2));
        }
    };
    let loaded = load::load_case_str(&text, path, guidance);
    let (own, others): (Vec<_>, Vec<_>) = loaded
        .diagnostics
        .iter()
        .cloned()
        .partition(|d| d.file == path);
    print_diagnostics(&own, Some(&text));
    print_diagnostics(&others, None);
    match loaded.value {
        Some(b) if !loaded.diagnostics.iter().any(Diagnostic::is_error) => Ok(Arc::new(b)),
        _ => {
            eprintln!(
                "error: {} has errors; fix them first (ipt-trainer validate shows them all)",
                render::escape_controls(&path.display().to_string())
            );
            Err(ExitCode::from(2))
        }
    }
}

/// The text shown before a session: the case's progress, what was agreed,
/// what happened since, and how the client arrives.
pub fn between_text(bundle: &CaseBundle, course: &Course, b: &Between) -> String {
    let case = &bundle.case;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "=== {}: {} ===",
        case.title,
        bundle.session_label(b.index)
    );
    if let Some(last) = course.done.last() {
        let _ = writeln!(
            out,
            "Last time (session {}): {} (overall {}).",
            last.number, last.ending, last.scores.overall
        );
    }
    if !b.agreed.is_empty() {
        let _ = writeln!(out, "Agreed so far:");
        for (a, from) in &b.agreed {
            let kind = a.kind.label();
            let _ = if kind.is_empty() {
                writeln!(out, "  - {} (session {from})", a.text)
            } else {
                writeln!(out, "  - {} ({kind}, session {from})", a.text)
            };
        }
    }
    for e in &b.events {
        let _ = writeln!(out, "Since then: {}", e.text);
    }
    if let Some(g) = &b.guarded {
        let _ = writeln!(out, "{g}");
    }
    let s = b.carried.state;
    let _ = writeln!(
        out,
        "{} arrives with trust {}, distress {}, openness {}.\n",
        case.client, s.trust, s.distress, s.openness
    );
    out
}

/// The course at its end (or where it stopped): each session's scores and
/// ending, and the agreements with the session that made each.
pub fn summary_text(bundle: &Arc<CaseBundle>, course: &Course, guidance: &Arc<Guidance>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "=== The course: {} ({} of {} sessions played) ===",
        bundle.case.title,
        course.done.len(),
        bundle.scenarios.len()
    );
    for d in &course.done {
        let _ = writeln!(
            out,
            "  session {:>2} of {}: overall {:>3} (rapport {}, pacing {}, focus {}): {}",
            d.number,
            bundle.case.total,
            d.scores.overall,
            d.scores.rapport,
            d.scores.pacing,
            d.scores.focus,
            d.ending
        );
    }
    let mut agreed = false;
    for a in &bundle.case.agreements {
        if let Some(d) = course.done.iter().find(|d| d.flags.contains(&a.flag)) {
            if !agreed {
                let _ = writeln!(out, "Agreed:");
                agreed = true;
            }
            let _ = writeln!(out, "  - {} (session {})", a.text, d.number);
        }
    }
    if let Some(r) = review::review(bundle, &course.done, guidance) {
        let _ = writeln!(
            out,
            "Across the course: overall {} (rapport {}, pacing {}, focus {}): the sessions' mean {} (rapport {}, pacing {}, focus {}), less what the course checks missed",
            r.scores.overall,
            r.scores.rapport,
            r.scores.pacing,
            r.scores.focus,
            r.mean.overall,
            r.mean.rapport,
            r.mean.pacing,
            r.mean.focus
        );
        for j in &r.judgements {
            let mark = if j.met {
                "kept".to_string()
            } else {
                format!("-{} {}", j.lost, j.dimension.label().to_lowercase())
            };
            let _ = writeln!(out, "  [{mark}] {}: {}", j.name, j.what);
            let _ = writeln!(out, "      {}", j.why);
            if !j.better.is_empty() {
                let _ = writeln!(out, "      Better: {}", j.better);
            }
            let _ = writeln!(out, "      Principle: {} ({})", j.principle_name, j.source);
        }
    }
    let moments = crate::core::shaping::moments(bundle, &course.done, guidance);
    if !moments.is_empty() {
        let _ = writeln!(out, "Where an earlier session shaped a later one:");
        for m in &moments {
            let _ = writeln!(
                out,
                "  session {:>2}: {}\n      {}",
                m.session,
                m.headline(),
                m.because
            );
        }
    }
    out
}

pub fn play_case(p: &CasePlay<'_>) -> ExitCode {
    let r = match rubric(p.guidance) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let bundle = match load_case(p.path, &r.guidance) {
        Ok(b) => b,
        Err(c) => return c,
    };
    if let Some(groups) = &p.choices
        && groups.len() != bundle.scenarios.len()
    {
        eprintln!(
            "error: the case has {} sessions, but --choices gives {} (separate the sessions' choices with /)",
            bundle.scenarios.len(),
            groups.len()
        );
        return ExitCode::FAILURE;
    }
    if let Some((dir, _)) = p.record
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: cannot make the folder {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut course = Course::new(bundle.clone());
    while let Some(b) = course.between() {
        say(&between_text(&bundle, &course, &b));
        let session = match course.start_next(r.guidance.clone(), p.seed) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let case = CaseRef {
            id: bundle.case.id.clone(),
            title: bundle.case.title.clone(),
            number: b.number,
            total: bundle.case.total,
        };
        let mut practice = Practice::in_case(session, p.mode, case);
        let name = bundle.case.client.clone();
        let picks = p.choices.as_ref().and_then(|g| g.get(b.index));
        if let Err(code) = drive(&mut practice, &name, picks.map(Vec::as_slice), false) {
            return code;
        }
        say(&render::debrief(
            &Debrief::from_session(practice.session()),
            &name,
        ));
        if let Some((dir, trainee)) = p.record
            && let Some(rec) = practice.finish(trainee)
        {
            let file = dir.join(format!("{}-session-{:02}.json", bundle.case.id, b.number));
            if let Err(e) = crate::core::store::write_record(&file, &rec) {
                eprintln!("error: the record could not be written: {e}");
                return ExitCode::FAILURE;
            }
            eprintln!("record written to {}", file.display());
        }
        if !practice.session().is_ended() {
            say("The course stops here (the session was left before its end).\n");
            break;
        }
        if let Err(e) = course.finish(practice.session()) {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        say("\n");
    }
    say(&summary_text(&bundle, &course, &r.guidance));
    ExitCode::SUCCESS
}

/// `--choices` for a case: each session's choices, the sessions separated
/// by `/` ("3,1,2/2,2,4").
pub fn parse_case_choices(text: &str) -> Result<Vec<Vec<usize>>, String> {
    text.split('/')
        .map(|group| {
            group
                .split(',')
                .map(|c| {
                    c.trim().parse::<usize>().map_err(|_| {
                        format!("`{}` in --choices is not an option's number", c.trim())
                    })
                })
                .collect()
        })
        .collect()
}

/// One session of a course, on one line: its scores, ending and how the
/// client arrived and left.
fn played_line(p: &crate::core::case_analysis::SessionPlay, total: u32) -> String {
    let s = p.scores;
    let (a, l) = (p.arrives, p.leaves);
    format!(
        "  session {:>2} of {total}: overall {:>3} (rapport {}, pacing {}, focus {}){}: {}\n      arrives trust {} distress {} openness {}; leaves trust {} distress {} openness {}\n",
        p.number,
        s.overall,
        s.rapport,
        s.pacing,
        s.focus,
        if p.critical { ", a serious error" } else { "" },
        p.ending_title,
        a.trust,
        a.distress,
        a.openness,
        l.trust,
        l.distress,
        l.openness
    )
}

/// `analyze CASE` as text.
pub fn analysis_text(
    bundle: &CaseBundle,
    a: &crate::core::case_analysis::CaseAnalysis,
    path: &Path,
) -> String {
    use crate::core::case_analysis::WINNABLE;
    let total = bundle.case.total;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Case {} ({}): {} of {} sessions{}",
        bundle.case.id,
        path.display(),
        bundle.scenarios.len(),
        total,
        if a.exact {
            ""
        } else {
            " (approximate: a session's search merged similar client states)"
        }
    );
    for (i, s) in bundle.scenarios.iter().enumerate() {
        let _ = writeln!(out, "  {}: {}", bundle.session_label(i), s.id);
    }
    let _ = writeln!(
        out,
        "\nBest course (each session on its best overall route, carried into the next):"
    );
    for p in &a.best {
        out.push_str(&played_line(p, total));
        for e in &p.events {
            let _ = writeln!(out, "      before it: {e}");
        }
    }
    let _ = writeln!(
        out,
        "\nWorst course (each session on its worst overall route):"
    );
    for p in &a.worst {
        out.push_str(&played_line(p, total));
        if let Some(g) = &p.guarded {
            let _ = writeln!(out, "      {g}");
        }
        for e in &p.events {
            let _ = writeln!(out, "      before it: {e}");
        }
    }
    let _ = writeln!(
        out,
        "\nWhat one session played worst (the others best) does to the sessions after:"
    );
    if a.harms.is_empty() {
        let _ = writeln!(
            out,
            "  nothing: every later session still reaches what it reaches in the best course"
        );
    }
    for h in &a.harms {
        let _ = writeln!(
            out,
            "  session {} makes session {} {}:",
            h.cause,
            h.affected,
            if h.unwinnable && h.now.rapport.min(h.now.pacing).min(h.now.focus) < WINNABLE {
                format!("unwinnable (its best falls below {WINNABLE})")
            } else if h.unwinnable {
                "unwinnable (its good ending is out of reach)".to_string()
            } else {
                "harder".to_string()
            }
        );
        for r in &h.reasons {
            let _ = writeln!(out, "    - {r}");
        }
    }
    out
}
