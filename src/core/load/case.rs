//! Reading and checking a case file (`*.case.ron`): its sessions' scenario
//! files, their numbers, the carry-over and the life events between
//! sessions, and that every `earlier` condition names something an earlier
//! session (or event) can set.

use super::index::{Source, Step};
use super::ron_error::parse;
use super::scenario::{check_condition_bounds, join, rubric_flags};
use super::{Loaded, load_scenario_source, read_source};
use crate::core::case::{Case, CaseBundle, MAX_EVENT_CHANGE, MAX_SESSIONS};
use crate::core::diagnostic::{Code, Diagnostic, suggest};
use crate::core::model::{Condition, Scenario};
use crate::core::rubric::Guidance;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use Step::{Field as F, Item as I};

/// Whether a file name is that of a case: `*.case.ron`.
pub fn is_case_name(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".case.ron")
}

/// Loads and checks a case file and every session's scenario, against the
/// rubric the case will be played with.
pub fn load_case_file(path: &Path, guidance: &Guidance) -> Loaded<CaseBundle> {
    match read_source(path) {
        Ok(text) => load_case_str(&text, path, guidance),
        Err(d) => Loaded::failed(*d),
    }
}

/// Parses and checks a case from text; `path` names it in diagnostics and
/// its folder is where the sessions' files are looked for.
pub fn load_case_str(text: &str, path: &Path, guidance: &Guidance) -> Loaded<CaseBundle> {
    let case = match parse::<Case>(text, path) {
        Ok(c) => c,
        Err(d) => return Loaded::failed(d),
    };
    let src = Source::new(text, path);
    let mut out = Vec::new();
    let mut elsewhere = Vec::new();
    for (key, value, what) in [
        ("id", &case.id, "the case's id"),
        ("title", &case.title, "the case's title"),
        ("client", &case.client, "the client's name"),
    ] {
        if value.trim().is_empty() {
            out.push(
                src.at(Code::E010, &[F(key)], format!("{what} is empty"))
                    .with_hint("write it; the client's name is as the sessions' scenarios give it"),
            );
        }
    }
    if !(1..=MAX_SESSIONS).contains(&case.total) {
        out.push(
            src.at(
                Code::E008,
                &[F("total")],
                format!(
                    "the course has {} sessions, outside 1 to {MAX_SESSIONS}",
                    case.total
                ),
            )
            .with_hint("IPT usually runs 12 to 16 sessions"),
        );
    }
    for (key, v) in [
        ("trust", case.carry.trust),
        ("openness", case.carry.openness),
        ("distress", case.carry.distress),
    ] {
        if v > 100 {
            out.push(
                src.at(
                    Code::E008,
                    &[F("carry"), F(key)],
                    format!("{key} carries {v} % of the last session's change, above 100 %"),
                )
                .with_hint("give a share from 0 (nothing carries) to 100 (all of it)"),
            );
        }
    }
    if case.sessions.is_empty() {
        out.push(
            src.at(
                Code::E015,
                &[F("sessions")],
                "the case lists no sessions".into(),
            )
            .with_hint("list each session as (number: 1, file: \"its-scenario.ron\")"),
        );
    }
    if case.sessions.len() > MAX_SESSIONS as usize {
        out.push(src.at(
            Code::E008,
            &[F("sessions")],
            format!(
                "the case lists {} sessions, more than {MAX_SESSIONS}",
                case.sessions.len()
            ),
        ));
    }

    let folder = path.parent().unwrap_or(Path::new("."));
    let known_rubric = rubric_flags(guidance);
    let tasks: BTreeSet<String> = guidance.tasks.iter().map(|t| t.id.clone()).collect();
    // What the sessions so far (and their events) can set.
    let mut settable: BTreeSet<String> = BTreeSet::new();
    let mut scenarios: Vec<Arc<Scenario>> = Vec::new();
    let mut previous = 0;
    for (i, session) in case.sessions.iter().take(MAX_SESSIONS as usize).enumerate() {
        let at = [F("sessions"), I(i)];
        if session.number == 0 || session.number > case.total {
            out.push(
                src.at(
                    Code::E008,
                    &[F("sessions"), I(i), F("number")],
                    format!(
                        "session number {} is outside the course's 1 to {}",
                        session.number, case.total
                    ),
                )
                .with_hint("number the sessions within `total`, or raise `total`"),
            );
        } else if session.number <= previous {
            out.push(
                src.at(
                    Code::E008,
                    &[F("sessions"), I(i), F("number")],
                    format!(
                        "session {} comes after session {previous}: the numbers must rise",
                        session.number
                    ),
                )
                .with_hint("list the sessions in the order they happen; a case may skip sessions (1, 6, 14 of 14)"),
            );
        }
        previous = previous.max(session.number);

        // Life events before this session: what they test and how far they move.
        for (j, e) in session.before.iter().enumerate() {
            let ev = [F("sessions"), I(i), F("before"), I(j)];
            if e.text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&ev, &[F("text")]),
                        "the event has no text".into(),
                    )
                    .with_hint("say what happened, as the trainee will read it before the session"),
                );
            }
            for (key, v) in [
                ("trust", e.trust),
                ("distress", e.distress),
                ("openness", e.openness),
            ] {
                if v.abs() > MAX_EVENT_CHANGE {
                    out.push(
                        src.at(
                            Code::E008,
                            &join(&ev, &[F(key)]),
                            format!("the event moves {key} by {v}, more than {MAX_EVENT_CHANGE} either way"),
                        )
                        .with_hint(format!("keep it within -{MAX_EVENT_CHANGE} to {MAX_EVENT_CHANGE}")),
                    );
                }
            }
            let when = join(&ev, &[F("when")]);
            check_condition_bounds(&src, &mut out, &when, &e.when);
            for (list, flags) in [
                ("remembers", &e.when.remembers),
                ("forgets", &e.when.forgets),
            ] {
                for (k, flag) in flags.iter().enumerate() {
                    out.push(
                        src.at(
                            Code::W002,
                            &join(&when, &[F(list), I(k)]),
                            format!("between sessions nothing of the coming session is remembered yet, so `{list}: [\"{flag}\"]` never changes"),
                        )
                        .with_hint(format!("test what an earlier session set with `earlier: [\"{flag}\"]`")),
                    );
                }
            }
            check_earlier(&src, &mut out, &when, &e.when, &settable, i);
            if let Some(range) = outside_session(&e.when, session.number) {
                out.push(
                    src.at(
                        Code::W002,
                        &when,
                        format!("the event's condition ({range}) never holds before session {}", session.number),
                    )
                    .with_hint("correct `min_session` / `max_session`, or move the event to a session it is for"),
                );
            }
            settable.extend(e.sets.iter().cloned());
        }

        // The session's scenario.
        let file = folder.join(&session.file);
        let at_file = join(&at, &[F("file")]);
        let scenario = match load_session(&file, &known_rubric) {
            Err(why) => {
                out.push(
                    src.at(
                        Code::E018,
                        &at_file,
                        format!("session {}'s file `{}` {why}", session.number, session.file),
                    )
                    .with_hint("give the scenario file's path relative to this case file's folder"),
                );
                None
            }
            Ok(loaded) => {
                let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
                elsewhere.extend(loaded.diagnostics);
                match loaded.value {
                    Some(s) if errors == 0 => Some(s),
                    _ => {
                        out.push(
                            src.at(
                                Code::E018,
                                &at_file,
                                format!(
                                    "session {}'s scenario `{}` has {errors} error{}",
                                    session.number,
                                    session.file,
                                    if errors == 1 { "" } else { "s" }
                                ),
                            )
                            .with_hint(format!(
                                "correct the scenario: `ipt-trainer validate {}` shows each error",
                                file.display()
                            )),
                        );
                        None
                    }
                }
            }
        };
        if let Some(s) = scenario {
            if !case.client.trim().is_empty() && s.client.name.trim() != case.client.trim() {
                out.push(
                    src.at(
                        Code::W024,
                        &at_file,
                        format!(
                            "session {}'s scenario is about {}, but the case's client is {}",
                            session.number, s.client.name, case.client
                        ),
                    )
                    .with_hint("a case follows one client: use that client's sessions, or correct `client`"),
                );
            }
            for c in s.conditions() {
                check_earlier(&src, &mut out, &at_file, c, &settable, i);
            }
            check_session_numbers(&src, &mut out, &at_file, &s, session.number);
            settable.extend(
                s.nodes
                    .iter()
                    .flat_map(|n| n.disclosures.iter().map(|d| d.id.clone())),
            );
            settable.extend(known_rubric.iter().cloned());
            settable.extend(tasks.iter().cloned());
            scenarios.push(Arc::new(s));
        }
    }
    for (i, a) in case.agreements.iter().enumerate() {
        if a.text.trim().is_empty() {
            out.push(
                src.at(
                    Code::E010,
                    &[F("agreements"), I(i), F("text")],
                    "the agreement has no text".into(),
                )
                .with_hint("say what was agreed, as the trainee reads it (\"fourteen sessions\")"),
            );
        }
        if !settable.contains(&a.flag) {
            out.push(named_nothing(
                &src,
                &[F("agreements"), I(i), F("flag")],
                &a.flag,
                &settable,
                "no session of this case sets it",
            ));
        }
    }

    let usable = scenarios.len() == case.sessions.len() && !out.iter().any(Diagnostic::is_error);
    let mut diagnostics = src.finish(out);
    diagnostics.extend(elsewhere);
    Loaded {
        value: usable.then(|| CaseBundle {
            case,
            path: path.to_path_buf(),
            scenarios,
        }),
        diagnostics,
    }
}

fn load_session(file: &Path, flags: &BTreeSet<String>) -> Result<Loaded<Scenario>, String> {
    if file.file_name().is_some_and(is_case_name) {
        return Err("is a case, not a scenario".into());
    }
    let text = read_source(file).map_err(|d| {
        let why = d.message.trim_start_matches("cannot read the file: ");
        format!("cannot be read: {why}")
    })?;
    Ok(load_scenario_source(&Source::new(&text, file), Some(flags)))
}

/// `earlier` and `not_earlier` flags must be ones the sessions before can
/// set; the first session has none before it.
fn check_earlier(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    at: &[Step<'_>],
    c: &Condition,
    settable: &BTreeSet<String>,
    index: usize,
) {
    for flag in c.earlier.iter().chain(&c.not_earlier) {
        if settable.contains(flag) {
            continue;
        }
        let why = if index == 0 {
            "the first session has no session before it"
        } else {
            "no session before this one (nor an event) sets it"
        };
        out.push(named_nothing(src, at, flag, settable, why));
    }
}

/// The sessions a condition is for, in words, when `number` is not one
/// of them.
fn outside_session(c: &Condition, number: u32) -> Option<String> {
    c.sessions().filter(|_| !c.fits_session(number))
}

/// A session's scenario whose conditions name session numbers: those
/// that can never hold at the number it has in this case.
fn check_session_numbers(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    at: &[Step<'_>],
    s: &Scenario,
    number: u32,
) {
    let never: BTreeSet<String> = s
        .conditions()
        .filter_map(|c| outside_session(c, number))
        .collect();
    for range in never {
        out.push(
            src.at(
                Code::W002,
                at,
                format!(
                    "a condition of the scenario ({range}) never holds here: this case plays it as session {number}"
                ),
            )
            .with_hint("correct the condition's `min_session` / `max_session`, or the session's `number`"),
        );
    }
}

fn named_nothing(
    src: &Source<'_>,
    at: &[Step<'_>],
    flag: &str,
    settable: &BTreeSet<String>,
    why: &str,
) -> Diagnostic {
    let hint = match suggest(flag, settable.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use a disclosure id of an earlier session, a flag the rubric sets (`time-limit`, `safety-checked`, `pressed`, ...), a task's id, or an event's `sets`".into(),
    };
    src.at(
        Code::W002,
        at,
        format!("the condition tests `{flag}` from an earlier session, but {why}"),
    )
    .with_hint(hint)
}
