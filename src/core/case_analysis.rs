//! `ipt-trainer analyze CASE`: a case's best and worst course, and what in
//! one session makes a later one unwinnable or harder.
//!
//! Each session is searched as `analyze` searches a scenario
//! ([`analysis::analyze_from`]), the client arriving as the course brings
//! them; the route found is then played in a real session of the course
//! (without the mood drift, as the search models it), so what carries into
//! the next session is what [`Course::between`] makes of it. The best
//! course plays each session on its best overall route, the worst course on
//! its worst. Then, for each session, the course is played with that one
//! session on its worst route and every other on its best, and each later
//! session's best is compared with what it reaches in the best course.

use crate::core::analysis::{self, Analysis, AnalysisError, Limits, Objective, Step};
use crate::core::case::{CaseBundle, Course, CourseError, SessionDone};
use crate::core::model::{ClientState, Outcome};
use crate::core::rubric::Guidance;
use crate::core::scoring::Scores;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The score on each dimension a session's best route should reach: below
/// it, the session cannot be played well any more.
pub const WINNABLE: i32 = 85;

/// How far a later session's best overall may fall (from what the best
/// course reaches) before the drop counts as making it harder.
pub const HARDER_BY: i32 = 5;

/// The seed the courses are played with (it only orders the options shown;
/// the client's mood drift is off).
pub const SEED: u64 = 2026;

/// One session as a course played it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionPlay {
    pub number: u32,
    pub scenario: String,
    /// The life events before the session that happened, in words.
    pub events: Vec<String>,
    /// Why the client arrived more guarded, if they did.
    pub guarded: Option<String>,
    /// The client as they arrived and as they left.
    pub arrives: ClientState,
    pub leaves: ClientState,
    /// What the sessions before (and the events) had set.
    pub earlier: BTreeSet<String>,
    pub scores: Scores,
    /// Whether the route makes a serious error.
    pub critical: bool,
    pub ending: String,
    pub ending_title: String,
    pub outcome: Option<Outcome>,
    /// What this session set (disclosures, the rubric's flags, tasks).
    pub set: BTreeSet<String>,
    pub steps: Vec<Step>,
    /// The search of this session from where the client arrived.
    #[serde(skip)]
    pub analysis: Analysis,
}

impl SessionPlay {
    /// The lowest of the three dimensions.
    pub fn weakest(&self) -> i32 {
        self.scores
            .rapport
            .min(self.scores.pacing)
            .min(self.scores.focus)
    }
}

/// What one session played worst does to a later session played best.
#[derive(Debug, Clone, Serialize)]
pub struct Harm {
    /// The session played on its worst route (its number).
    pub cause: u32,
    /// The later session that is harder now (its number).
    pub affected: u32,
    /// Whether the later session cannot be played well any more: its best
    /// now falls below [`WINNABLE`] on a dimension, or a good ending it had
    /// is out of reach.
    pub unwinnable: bool,
    /// The later session's best in the best course, and now.
    pub expected: Scores,
    pub now: Scores,
    /// How the client arrives at it in the best course, and now.
    pub arrives_expected: ClientState,
    pub arrives_now: ClientState,
    /// Endings and disclosures the best course could reach there and that
    /// are now out of reach (disclosures with what they need, in words).
    pub endings_lost: Vec<String>,
    pub disclosures_lost: Vec<(String, String)>,
    /// What made the difference, in words (the first names the cause).
    pub reasons: Vec<String>,
}

/// What `analyze CASE` finds.
#[derive(Debug, Clone, Serialize)]
pub struct CaseAnalysis {
    pub case: String,
    /// Whether every session's search told every client state apart (when
    /// one did not, its answers are approximate).
    pub exact: bool,
    pub best: Vec<SessionPlay>,
    pub worst: Vec<SessionPlay>,
    pub harms: Vec<Harm>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseAnalysisError {
    #[error("session {number} (`{scenario}`): {error}")]
    Analysis {
        number: u32,
        scenario: String,
        error: AnalysisError,
    },
    #[error("session {number} (`{scenario}`): no route reaches an ending")]
    NoRoute { number: u32, scenario: String },
    #[error(
        "session {number} (`{scenario}`): the route found does not replay at node `{node}` (the search and the session disagree)"
    )]
    Diverged {
        number: u32,
        scenario: String,
        node: String,
    },
    #[error("{0}")]
    Course(#[from] CourseError),
}

/// Which route a session is played on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Best,
    Worst,
}

/// Plays the course's next session on its best or worst overall route.
fn play_next(
    course: &mut Course,
    guidance: &Arc<Guidance>,
    limits: Limits,
    way: Way,
) -> Result<SessionPlay, CaseAnalysisError> {
    let between = course.between().ok_or(CourseError::Complete)?;
    let scenario = course.bundle.scenarios[between.index].clone();
    let number = between.number;
    let a = analysis::analyze_from(
        &scenario,
        guidance,
        limits,
        Some(&between.carried),
        &mut |_| {},
    )
    .map_err(|error| CaseAnalysisError::Analysis {
        number,
        scenario: scenario.id.clone(),
        error,
    })?;
    let no_route = || CaseAnalysisError::NoRoute {
        number,
        scenario: scenario.id.clone(),
    };
    let overall = a
        .extremes
        .iter()
        .find(|e| e.objective == Objective::Overall)
        .ok_or_else(no_route)?;
    let route = match way {
        Way::Best => &overall.best,
        Way::Worst => &overall.worst,
    };
    let mut session = course.start_next(guidance.clone(), SEED)?.steadied();
    for step in &route.steps {
        let diverged = || CaseAnalysisError::Diverged {
            number,
            scenario: scenario.id.clone(),
            node: step.node.clone(),
        };
        let prompt = session.prompt().filter(|p| p.node == step.node);
        let position = prompt
            .and_then(|p| p.options.iter().position(|o| o.index + 1 == step.option))
            .ok_or_else(diverged)?;
        session
            .choose(position + 1)
            .map_err(|e| CaseAnalysisError::Course(CourseError::Session(e)))?;
    }
    let done: SessionDone = course.finish(&session)?.clone();
    Ok(SessionPlay {
        number,
        scenario: scenario.id.clone(),
        events: between.events.iter().map(|e| e.text.clone()).collect(),
        guarded: between.guarded,
        arrives: done.start,
        leaves: done.end,
        earlier: between.carried.earlier,
        scores: done.scores,
        critical: session.had_critical_error(),
        ending: session.ending().map(|e| e.id.clone()).unwrap_or_default(),
        ending_title: done.ending,
        outcome: done.outcome,
        set: done.flags,
        steps: route.steps.clone(),
        analysis: a,
    })
}

/// Plays every session left in `course` the same way.
fn play_rest(
    course: &mut Course,
    guidance: &Arc<Guidance>,
    limits: Limits,
    way: Way,
) -> Result<Vec<SessionPlay>, CaseAnalysisError> {
    let mut out = Vec::new();
    while !course.is_complete() {
        out.push(play_next(course, guidance, limits, way)?);
    }
    Ok(out)
}

/// The best and the worst course of a case, without what one session does
/// to the others (`harms` is empty): what `lint` needs.
pub fn courses(
    bundle: &Arc<CaseBundle>,
    guidance: &Arc<Guidance>,
    limits: Limits,
) -> Result<CaseAnalysis, CaseAnalysisError> {
    Ok(played_courses(bundle, guidance, limits)?.1)
}

/// The best course as played, and both courses.
fn played_courses(
    bundle: &Arc<CaseBundle>,
    guidance: &Arc<Guidance>,
    limits: Limits,
) -> Result<(Course, CaseAnalysis), CaseAnalysisError> {
    let mut best_course = Course::new(bundle.clone());
    let best = play_rest(&mut best_course, guidance, limits, Way::Best)?;
    let worst = play_rest(
        &mut Course::new(bundle.clone()),
        guidance,
        limits,
        Way::Worst,
    )?;
    let exact = best.iter().chain(&worst).all(|s| s.analysis.exact);
    let a = CaseAnalysis {
        case: bundle.case.id.clone(),
        exact,
        best,
        worst,
        harms: Vec::new(),
    };
    Ok((best_course, a))
}

/// Analyses a loaded case (see the module's documentation).
pub fn analyze_case(
    bundle: &Arc<CaseBundle>,
    guidance: &Arc<Guidance>,
    limits: Limits,
) -> Result<CaseAnalysis, CaseAnalysisError> {
    let (best_course, mut a) = played_courses(bundle, guidance, limits)?;
    for i in 0..a.best.len().saturating_sub(1) {
        // The best course up to session i, session i on its worst route,
        // and every later session on its best.
        let mut course = Course {
            bundle: bundle.clone(),
            done: best_course.done[..i].to_vec(),
        };
        let cause = play_next(&mut course, guidance, limits, Way::Worst)?;
        let after = play_rest(&mut course, guidance, limits, Way::Best)?;
        a.exact &= cause.analysis.exact && after.iter().all(|s| s.analysis.exact);
        for (now, expected) in after.iter().zip(&a.best[i + 1..]) {
            if let Some(h) = harm(bundle, &a.best[i], &cause, expected, now) {
                a.harms.push(h);
            }
        }
    }
    Ok(a)
}

/// `a` lower, higher or the same as `b`, in words ("8 lower in trust").
fn moved(what: &str, now: i32, before: i32) -> Option<String> {
    match now - before {
        0 => None,
        d if d < 0 => Some(format!("{} lower in {what}", -d)),
        d => Some(format!("{d} higher in {what}")),
    }
}

/// What a session's worst route did that its best did not, in words.
fn what_went_wrong(cause: &SessionPlay, best: &SessionPlay) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (flag, word) in [("pressed", "pressed"), ("judged", "judged")] {
        if cause.set.contains(flag) {
            parts.push(format!("the client felt {word}"));
        }
    }
    if cause.critical {
        parts.push("a serious error".into());
    }
    if cause.ending != best.ending {
        parts.push(format!("it ends in \"{}\"", cause.ending_title));
    }
    if parts.is_empty() {
        format!("session {} played on its worst route", cause.number)
    } else {
        format!(
            "session {} played on its worst route ({})",
            cause.number,
            parts.join(", ")
        )
    }
}

/// Whether (and why) `now` is clearly worse than `expected`, the later
/// session as the best course plays it.
fn harm(
    bundle: &CaseBundle,
    cause_best: &SessionPlay,
    cause: &SessionPlay,
    expected: &SessionPlay,
    now: &SessionPlay,
) -> Option<Harm> {
    let reachable = |a: &Analysis| -> Vec<(String, Outcome)> {
        a.endings
            .iter()
            .filter(|e| e.reachable)
            .map(|e| (e.id.clone(), e.outcome))
            .collect()
    };
    let ends_now = reachable(&now.analysis);
    let endings_lost: Vec<(String, Outcome)> = reachable(&expected.analysis)
        .into_iter()
        .filter(|e| !ends_now.contains(e))
        .collect();
    let disclosures_lost: Vec<(String, String)> = expected
        .analysis
        .disclosures
        .iter()
        .filter(|d| d.unlockable)
        .filter(|d| {
            !now.analysis
                .disclosures
                .iter()
                .any(|n| n.node == d.node && n.id == d.id && n.unlockable)
        })
        .map(|d| (d.id.clone(), d.needs.clone()))
        .collect();
    let below = now.weakest() < WINNABLE && expected.weakest() >= WINNABLE;
    let good_lost = endings_lost.iter().any(|(_, o)| *o == Outcome::Good);
    let dropped = expected.scores.overall - now.scores.overall >= HARDER_BY;
    if !(below || good_lost || dropped || !endings_lost.is_empty() || !disclosures_lost.is_empty())
    {
        return None;
    }
    let name = bundle
        .case
        .client
        .split_whitespace()
        .next()
        .unwrap_or(&bundle.case.client)
        .to_string();
    let mut reasons = Vec::new();
    let (a, b) = (now.arrives, expected.arrives);
    let diffs: Vec<String> = [
        moved("trust", a.trust, b.trust),
        moved("distress", a.distress, b.distress),
        moved("openness", a.openness, b.openness),
    ]
    .into_iter()
    .flatten()
    .collect();
    let arrival = if diffs.is_empty() {
        "as in the best course".to_string()
    } else {
        diffs.join(", ")
    };
    let first = format!(
        "{}: {name} arrives at session {} {arrival}",
        what_went_wrong(cause, cause_best),
        now.number
    );
    reasons.push(first);
    if let Some(g) = &now.guarded
        && expected.guarded.is_none()
    {
        reasons.push(g.clone());
    }
    // What the best course had set by then that this one has not.
    let missing: Vec<&String> = expected.earlier.difference(&now.earlier).collect();
    let tested = tested_flags(bundle, now.number);
    for f in missing.iter().filter(|f| tested.contains(f.as_str())) {
        reasons.push(format!(
            "`{f}` is not set by then (the best course sets it), and session {} or an event before it tests it with `earlier`",
            now.number
        ));
    }
    for e in now.events.iter().filter(|e| !expected.events.contains(e)) {
        reasons.push(format!("before session {}: \"{e}\"", now.number));
    }
    for e in expected.events.iter().filter(|e| !now.events.contains(e)) {
        reasons.push(format!("the event \"{e}\" no longer happens"));
    }
    for (id, needs) in &disclosures_lost {
        reasons.push(format!(
            "the disclosure `{id}` needs {needs} and is now out of reach"
        ));
    }
    for (id, outcome) in &endings_lost {
        reasons.push(format!(
            "the ending `{id}` ({}) can no longer be reached",
            outcome_word(*outcome)
        ));
    }
    let s = now.scores;
    let e = expected.scores;
    reasons.push(format!(
        "its best now scores rapport {}, pacing {}, focus {}, overall {} (in the best course {}, {}, {}, {})",
        s.rapport, s.pacing, s.focus, s.overall, e.rapport, e.pacing, e.focus, e.overall
    ));
    Some(Harm {
        cause: cause.number,
        affected: now.number,
        unwinnable: below || good_lost,
        expected: e,
        now: s,
        arrives_expected: expected.arrives,
        arrives_now: now.arrives,
        endings_lost: endings_lost.into_iter().map(|(id, _)| id).collect(),
        disclosures_lost,
        reasons,
    })
}

pub fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Good => "good",
        Outcome::Mixed => "mixed",
        Outcome::Poor => "poor",
    }
}

/// The flags session `number` (its scenario's conditions and the events
/// before it) tests with `earlier` or `not_earlier`.
fn tested_flags(bundle: &CaseBundle, number: u32) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let Some(i) = bundle.case.sessions.iter().position(|s| s.number == number) else {
        return out;
    };
    for e in &bundle.case.sessions[i].before {
        out.extend(
            e.when
                .earlier
                .iter()
                .chain(&e.when.not_earlier)
                .map(String::as_str),
        );
    }
    if let Some(s) = bundle.scenarios.get(i) {
        for c in s.conditions() {
            out.extend(c.earlier.iter().chain(&c.not_earlier).map(String::as_str));
        }
    }
    out
}
