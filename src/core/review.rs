//! A course's review: how the sessions of a case connect, judged by the
//! rubric's course checks (`docs/scoring.md`, "Across a course"). Each
//! session keeps its own scores; the course adds what only a course can
//! show — the first phase's tasks done before the middle work builds on
//! them, a step agreed one week asked about the next, the ending prepared
//! before the last session and not sprung in it.

use crate::core::case::{CaseBundle, SessionDone};
use crate::core::model::Phase;
use crate::core::rubric::{CourseCheck, CourseRule, Dimension, Guidance};
use crate::core::scoring::Scores;

/// One course check judged on the sessions played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub check: String,
    pub name: String,
    pub principle: String,
    pub principle_name: String,
    /// The article (or the standard IPT structure) the principle cites.
    pub source: String,
    pub dimension: Dimension,
    pub met: bool,
    /// Points the course's score on `dimension` lost (0 when met).
    pub lost: i32,
    /// What happened in this course, with the sessions named.
    pub what: String,
    /// Why it matters (the check's `met` or `missed` text).
    pub why: String,
    /// What would have served better, when missed.
    pub better: String,
}

/// The course so far: the sessions' scores together and the course checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseReview {
    /// Sessions played.
    pub sessions: usize,
    /// The mean of the sessions' own scores.
    pub mean: Scores,
    /// Each check that the sessions played so far can judge, in the
    /// rubric's order; a check that needs a later session is left out.
    pub judgements: Vec<Judgement>,
    /// The course's scores: the mean, less what the missed checks cost.
    pub scores: Scores,
}

impl CourseReview {
    pub fn missed(&self) -> impl Iterator<Item = &Judgement> {
        self.judgements.iter().filter(|j| !j.met)
    }
}

/// Reviews the sessions of `bundle` played so far (`done`, in course order).
/// `None` before the first session has been played.
pub fn review(
    bundle: &CaseBundle,
    done: &[SessionDone],
    guidance: &Guidance,
) -> Option<CourseReview> {
    if done.is_empty() {
        return None;
    }
    let mean = mean_scores(done);
    let judgements: Vec<Judgement> = guidance
        .course
        .iter()
        .flat_map(|c| judge(c, bundle, done, guidance))
        .collect();
    let lost = |d: Dimension| -> i32 {
        judgements
            .iter()
            .filter(|j| j.dimension == d)
            .map(|j| j.lost)
            .sum()
    };
    let (r, p, f) = (
        lost(Dimension::Rapport),
        lost(Dimension::Pacing),
        lost(Dimension::Focus),
    );
    let scores = Scores {
        rapport: (mean.rapport - r).clamp(0, 100),
        pacing: (mean.pacing - p).clamp(0, 100),
        focus: (mean.focus - f).clamp(0, 100),
        overall: (mean.overall - (r + p + f + 1) / 3).clamp(0, 100),
    };
    Some(CourseReview {
        sessions: done.len(),
        mean,
        judgements,
        scores,
    })
}

fn mean_scores(done: &[SessionDone]) -> Scores {
    let n = i32::try_from(done.len()).unwrap_or(i32::MAX).max(1);
    let avg = |f: fn(&Scores) -> i32| -> i32 {
        let sum: i32 = done.iter().map(|d| f(&d.scores)).sum();
        // Rounded to the nearest point.
        (sum + n / 2).div_euclid(n)
    };
    Scores {
        rapport: avg(|s| s.rapport),
        pacing: avg(|s| s.pacing),
        focus: avg(|s| s.focus),
        overall: avg(|s| s.overall),
    }
}

/// The phase of the session played at `i` (the case's order).
fn phase(bundle: &CaseBundle, i: usize) -> Option<Phase> {
    bundle.scenarios.get(i).map(|s| s.phase)
}

fn judge(
    c: &CourseCheck,
    bundle: &CaseBundle,
    done: &[SessionDone],
    g: &Guidance,
) -> Vec<Judgement> {
    let base = |met: bool, lost: i32, what: String| {
        let p = g.principle(&c.principle);
        Judgement {
            check: c.id.clone(),
            name: c.name.clone(),
            principle: c.principle.clone(),
            principle_name: p.map(|p| p.name.clone()).unwrap_or_default(),
            source: p.map(|p| p.source.clone()).unwrap_or_default(),
            dimension: c.dimension,
            met,
            lost: if met { 0 } else { lost },
            what,
            why: if met { c.met.clone() } else { c.missed.clone() },
            better: if met { String::new() } else { c.better.clone() },
        }
    };
    let total = bundle.case.total;
    match &c.rule {
        CourseRule::PhaseTasksDone(ph) => {
            let of_phase: Vec<usize> = (0..done.len())
                .filter(|&i| phase(bundle, i) == Some(*ph))
                .collect();
            // Judged once the course has moved on past the phase.
            let Some(next) = (0..done.len()).find(|&i| phase(bundle, i).is_some_and(|p| p > *ph))
            else {
                return Vec::new();
            };
            let Some(&last) = of_phase.last() else {
                return Vec::new();
            };
            let Some(area) = bundle.scenarios.get(last).map(|s| s.area) else {
                return Vec::new();
            };
            let undone: Vec<&str> = g
                .tasks_for(*ph, area)
                .filter(|t| !of_phase.iter().any(|&i| done[i].flags.contains(&t.id)))
                .map(|t| t.name.as_str())
                .collect();
            let sessions = numbers(of_phase.iter().map(|&i| done[i].number));
            let phase_name = ph.label().to_lowercase();
            let what = if undone.is_empty() {
                format!(
                    "Every task of the {phase_name} phase was done by the end of {sessions}, before session {}.",
                    done[next].number
                )
            } else {
                format!(
                    "The {phase_name} phase ({sessions}) ended without: {}; session {} built on it all the same.",
                    undone.join(", "),
                    done[next].number
                )
            };
            let n = i32::try_from(undone.len()).unwrap_or(i32::MAX);
            vec![base(undone.is_empty(), c.penalty.saturating_mul(n), what)]
        }
        CourseRule::BeforeLastSession(tasks) => {
            let Some(term) =
                (0..done.len()).find(|&i| phase(bundle, i) == Some(Phase::Termination))
            else {
                return Vec::new();
            };
            let name_of = |id: &str| {
                g.tasks
                    .iter()
                    .find(|t| t.id == id)
                    .map_or(id.to_string(), |t| t.name.clone())
            };
            let before = done
                .iter()
                .find(|d| d.number < total && tasks.iter().any(|t| d.flags.contains(t)));
            let what = match before {
                Some(d) => format!(
                    "The ending was prepared in session {} of {total} ({}), before the last session.",
                    d.number,
                    tasks
                        .iter()
                        .filter(|t| d.flags.contains(*t))
                        .map(|t| name_of(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None if done
                    .iter()
                    .any(|d| d.number == total && tasks.iter().any(|t| d.flags.contains(t))) =>
                {
                    format!(
                        "The ending was first raised in the last session, session {total} of {total}."
                    )
                }
                None => format!(
                    "Session {} of {total} ended without preparing the ending ({}).",
                    done[term].number,
                    tasks
                        .iter()
                        .map(|t| name_of(t))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            };
            vec![base(before.is_some(), c.penalty, what)]
        }
        CourseRule::FollowedUp { set, review } => done
            .windows(2)
            .filter_map(|w| {
                let (a, b) = (&w[0], &w[1]);
                let agreed: Vec<&str> = g
                    .tasks
                    .iter()
                    .filter(|t| set.contains(&t.id) && a.flags.contains(&t.id))
                    .map(|t| t.name.as_str())
                    .collect();
                if agreed.is_empty() {
                    return None;
                }
                let asked = b.moves.iter().any(|m| review.contains(m));
                let what = if asked {
                    format!(
                        "Session {} agreed a step ({}); session {} asked how it went.",
                        a.number,
                        agreed.join(", "),
                        b.number
                    )
                } else {
                    format!(
                        "Session {} agreed a step ({}); session {} never asked how it went.",
                        a.number,
                        agreed.join(", "),
                        b.number
                    )
                };
                Some(base(asked, c.penalty, what))
            })
            .collect(),
    }
}

/// "session 1" or "sessions 1 and 3" or "sessions 1, 2 and 3".
fn numbers(ns: impl Iterator<Item = u32>) -> String {
    let ns: Vec<String> = ns.map(|n| n.to_string()).collect();
    match ns.as_slice() {
        [] => String::new(),
        [one] => format!("session {one}"),
        [init @ .., last] => format!("sessions {} and {last}", init.join(", ")),
    }
}
