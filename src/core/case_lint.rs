//! `ipt-trainer lint CASE`: checks on a valid case as a course of IPT, as
//! warnings pointing into the case file.
//!
//! - W025: a session whose phase does not fit its place in the course (IPT's
//!   initial phase is about the first three sessions, its termination the
//!   last three or four; a quarter of a long course).
//! - W026: a course with no session in the initial phase, or none in
//!   termination.
//! - W027: an `earlier` flag that the sessions before can set in their files
//!   but on no route the search finds (W002 checks the files).
//! - W028: a life event that raises distress by [`LOUD_EVENT`] or more
//!   before a session whose opening has no move that would notice it.

use crate::core::case::CaseBundle;
use crate::core::case_analysis::CaseAnalysis;
use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::load::{Source, Step};
use crate::core::model::{Condition, MoveKind, Phase, Scenario};
use crate::core::rubric::Guidance;
use std::collections::BTreeSet;

use Step::{Field as F, Item as I};

/// How much an event between sessions must raise distress for the next
/// session's opening to need a way to notice it.
pub const LOUD_EVENT: i32 = 10;

/// The moves at a session's opening that would notice how the client has
/// been since last time.
pub const NOTICING: [MoveKind; 4] = [
    MoveKind::OpenQuestion,
    MoveKind::SymptomReview,
    MoveKind::ReviewProgress,
    MoveKind::SafetyCheck,
];

/// The sessions (numbers) of a course of `total` that belong to the initial
/// phase (up to the first) and to termination (from the second).
pub fn phase_bounds(total: u32) -> (u32, u32) {
    let edge = 3.max(total / 4);
    (edge, (total + 1).saturating_sub(edge).max(1))
}

/// Every warning for a loaded case, from its file's `source`. `analysis`,
/// if the case could be analysed, gives what each session can set on some
/// route (for W027).
pub fn lint_case(
    bundle: &CaseBundle,
    guidance: &Guidance,
    source: &Source<'_>,
    analysis: Option<&CaseAnalysis>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let case = &bundle.case;
    let (initial_last, termination_first) = phase_bounds(case.total);
    for (i, (session, scenario)) in case.sessions.iter().zip(&bundle.scenarios).enumerate() {
        let n = session.number;
        let at = [F("sessions"), I(i), F("number")];
        let misfit = match scenario.phase {
            Phase::Initial if n > initial_last => Some(format!(
                "the initial phase belongs to the first sessions of the course (up to session {initial_last} of {})",
                case.total
            )),
            Phase::Termination if n < termination_first => Some(format!(
                "termination belongs to the last sessions of the course (from session {termination_first} of {})",
                case.total
            )),
            Phase::Middle if n == 1 => Some(
                "the first session is the initial phase: history, inventory, focus, time limit"
                    .into(),
            ),
            Phase::Middle if n == case.total && case.total > 1 => Some(
                "the last session is termination: the ending, the gains, what comes after".into(),
            ),
            _ => None,
        };
        if let Some(why) = misfit {
            out.push(
                source
                    .at(
                        Code::W025,
                        &at,
                        format!(
                            "session {n} of {} is a {}-phase scenario (`{}`), but {why}",
                            case.total,
                            scenario.phase.label().to_lowercase(),
                            scenario.id
                        ),
                    )
                    .with_hint(format!(
                        "renumber the session (initial: 1 to {initial_last}, termination: {termination_first} to {}), or use a scenario of the phase that fits",
                        case.total
                    )),
            );
        }
    }
    for (phase, fix) in [
        (
            Phase::Initial,
            "add session 1 with an initial-phase scenario (the trainee sets the focus and the time limit there)",
        ),
        (
            Phase::Termination,
            "add one of the last sessions with a termination-phase scenario (the ending, the gains, warning signs)",
        ),
    ] {
        if !bundle.scenarios.is_empty() && !bundle.scenarios.iter().any(|s| s.phase == phase) {
            out.push(
                source
                    .at(
                        Code::W026,
                        &[F("sessions")],
                        format!(
                            "no session of the course is in the {} phase, so the course never practises it",
                            phase.label().to_lowercase()
                        ),
                    )
                    .with_hint(fix),
            );
        }
    }
    if let Some(a) = analysis {
        unreachable_earlier(bundle, guidance, source, a, &mut out);
    }
    unnoticed_events(bundle, source, &mut out);
    source.finish(out)
}

/// W027: `earlier` flags the sessions before set in their files but on no
/// route (as searched from where the best and the worst course bring the
/// client).
fn unreachable_earlier(
    bundle: &CaseBundle,
    guidance: &Guidance,
    source: &Source<'_>,
    a: &CaseAnalysis,
    out: &mut Vec<Diagnostic>,
) {
    let approximate = if a.exact {
        ""
    } else {
        " (by an approximate search)"
    };
    // What some route of the sessions so far (or an event) sets, and what
    // their files name at all (the rest is W002's).
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut named: BTreeSet<String> = BTreeSet::new();
    for (i, session) in bundle.case.sessions.iter().enumerate() {
        let at_file = [F("sessions"), I(i), F("file")];
        for (k, e) in session.before.iter().enumerate() {
            for flag in &e.when.earlier {
                if named.contains(flag) && !reached.contains(flag) {
                    out.push(never_set(
                        source,
                        &[F("sessions"), I(i), F("before"), I(k), F("when")],
                        flag,
                        "the event's condition",
                        approximate,
                    ));
                }
            }
            reached.extend(e.sets.iter().cloned());
            named.extend(e.sets.iter().cloned());
        }
        if let Some(s) = bundle.scenarios.get(i) {
            let mut seen = BTreeSet::new();
            for (node, c) in node_conditions(s) {
                for flag in &c.earlier {
                    if named.contains(flag) && !reached.contains(flag) && seen.insert(flag.clone())
                    {
                        out.push(never_set(
                            source,
                            &at_file,
                            flag,
                            &format!("a condition at node `{node}` of `{}`", s.id),
                            approximate,
                        ));
                    }
                }
            }
            named.extend(settable_in_file(s));
            named.extend(crate::core::load::rubric_flags(guidance));
            named.extend(guidance.tasks.iter().map(|t| t.id.clone()));
        }
        for p in a.best.get(i).into_iter().chain(a.worst.get(i)) {
            reached.extend(p.analysis.flags_set.iter().cloned());
        }
    }
}

fn never_set(
    source: &Source<'_>,
    at: &[Step<'_>],
    flag: &str,
    what: &str,
    approximate: &str,
) -> Diagnostic {
    source
        .at(
            Code::W027,
            at,
            format!(
                "{what} tests `earlier: [\"{flag}\"]`, but no route of the sessions before sets `{flag}`{approximate}: it never holds"
            ),
        )
        .with_hint(format!(
            "make `{flag}` reachable in an earlier session (a route that unlocks the disclosure, or a move the rubric remembers), or test something an earlier session can set"
        ))
}

/// The conditions of a scenario with the node each is in.
fn node_conditions(s: &Scenario) -> impl Iterator<Item = (&str, &Condition)> {
    s.nodes.iter().flat_map(|n| {
        n.options
            .iter()
            .map(|o| &o.when)
            .chain(n.disclosures.iter().map(|d| &d.when))
            .chain(n.client.iter().map(|l| &l.when))
            .map(move |c| (n.id.as_str(), c))
    })
}

/// What a scenario's file can set at all, as the loader counts it: its
/// disclosures.
fn settable_in_file(s: &Scenario) -> impl Iterator<Item = String> + '_ {
    s.nodes
        .iter()
        .flat_map(|n| n.disclosures.iter().map(|d| d.id.clone()))
}

/// W028: an event that raises distress sharply before a session whose
/// opening cannot notice it.
fn unnoticed_events(bundle: &CaseBundle, source: &Source<'_>, out: &mut Vec<Diagnostic>) {
    for (i, session) in bundle.case.sessions.iter().enumerate() {
        let Some(s) = bundle.scenarios.get(i) else {
            continue;
        };
        let Some(opening) = s.node(s.start_id()) else {
            continue;
        };
        let notices = opening.options.iter().any(|o| NOTICING.contains(&o.kind))
            || opening
                .client
                .iter()
                .map(|l| &l.when)
                .chain(opening.disclosures.iter().map(|d| &d.when))
                .any(|c| c.min_distress.is_some());
        if notices {
            continue;
        }
        for (k, e) in session.before.iter().enumerate() {
            if e.distress < LOUD_EVENT {
                continue;
            }
            out.push(
                source
                    .at(
                        Code::W028,
                        &[F("sessions"), I(i), F("before"), I(k), F("distress")],
                        format!(
                            "the event raises distress by {} before session {}, but the session's opening (node `{}` of `{}`) has no move that would notice it and no line that shows it",
                            e.distress, session.number, opening.id, s.id
                        ),
                    )
                    .with_hint(
                        "give the opening an open question about the week, a symptom review or a review of progress (IPT begins each session with how the client has been), or a client line with `when: (min_distress: ...)`",
                    ),
            );
        }
    }
}
