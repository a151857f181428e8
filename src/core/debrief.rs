//! The debrief: the scores of a finished (or stopped) session, each
//! explained by the principles behind it.

use crate::core::model::{ClientState, Outcome};
use crate::core::rubric::{Dimension, Fired, ScoringModel};
use crate::core::session::{Scores, Session, Turn};
use serde::{Deserialize, Serialize};

/// How one principle moved one dimension over the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub principle: String,
    pub principle_name: String,
    pub source: String,
    pub points: i32,
    /// How many times it fired.
    pub times: usize,
}

/// Points given up on one dimension at one place: a turn (against the best
/// option shown there) or the session's end (a task never covered, running
/// over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loss {
    /// The turn (1-based); `None` for the session's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<usize>,
    pub points: i32,
    /// The option that would have earned most there (empty at the end).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instead: String,
    /// Why, in a sentence.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionReport {
    pub dimension: Dimension,
    pub score: i32,
    /// Largest effect first.
    pub contributions: Vec<Contribution>,
    /// Against the options: the points kept and the points at stake over
    /// the session (the score is their share).
    #[serde(default)]
    pub earned: i32,
    #[serde(default)]
    pub stake: i32,
    /// Against the options: where points were given up, largest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub losses: Vec<Loss>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndingReport {
    pub id: String,
    pub title: String,
    pub text: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReport {
    pub name: String,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debrief {
    pub scenario: String,
    pub title: String,
    pub rubric_version: String,
    pub seed: u64,
    /// The 1-based positions chosen, for `play --choices`.
    pub choices: Vec<usize>,
    pub ending: Option<EndingReport>,
    pub scores: Scores,
    /// How the scores were worked out (`Points` for records made before
    /// the scores were judged against the options).
    #[serde(default)]
    pub model: ScoringModel,
    pub base: i32,
    pub dimensions: Vec<DimensionReport>,
    /// Serious errors, which cap the overall score.
    pub critical: Vec<String>,
    pub critical_cap: i32,
    pub tasks: Vec<TaskReport>,
    pub minutes_used: u32,
    pub minutes_planned: u32,
    pub turns: Vec<Turn>,
    /// What was applied when the session ended.
    pub session_end: Vec<Fired>,
    pub states: Vec<ClientState>,
}

impl Debrief {
    pub fn from_session(s: &Session) -> Debrief {
        let scenario = s.scenario();
        let guidance = s.guidance();
        let all_fired = || {
            s.turns()
                .iter()
                .flat_map(|t| t.fired.iter())
                .chain(s.end_fired().iter())
        };
        let dimensions = Dimension::ALL
            .iter()
            .map(|&d| {
                let mut contributions: Vec<Contribution> = Vec::new();
                for f in all_fired() {
                    let points = f.score.get(d);
                    if points == 0 {
                        continue;
                    }
                    if let Some(c) = contributions
                        .iter_mut()
                        .find(|c| c.principle == f.principle)
                    {
                        c.points += points;
                        c.times += 1;
                    } else {
                        contributions.push(Contribution {
                            principle: f.principle.clone(),
                            principle_name: f.principle_name.clone(),
                            source: f.source.clone(),
                            points,
                            times: 1,
                        });
                    }
                }
                contributions.sort_by_key(|c| std::cmp::Reverse(c.points.abs()));
                let scores = s.scores();
                let mut losses: Vec<Loss> = s
                    .turns()
                    .iter()
                    .flat_map(|t| {
                        t.losses
                            .iter()
                            .filter(move |l| l.dimension == d)
                            .map(|l| Loss {
                                turn: Some(t.number),
                                points: l.points,
                                instead: l.instead.clone(),
                                reason: l.why.clone(),
                            })
                    })
                    .chain(
                        s.end_fired()
                            .iter()
                            .filter(|f| f.score.get(d) < 0)
                            .map(|f| Loss {
                                turn: None,
                                points: -f.score.get(d),
                                instead: String::new(),
                                reason: f.feedback.clone(),
                            }),
                    )
                    .collect();
                losses.sort_by_key(|l| std::cmp::Reverse(l.points));
                let tally = s.tally();
                let against = guidance.scoring.model == ScoringModel::AgainstOptions;
                DimensionReport {
                    dimension: d,
                    score: match d {
                        Dimension::Rapport => scores.rapport,
                        Dimension::Pacing => scores.pacing,
                        Dimension::Focus => scores.focus,
                    },
                    contributions,
                    earned: tally.earned.get(d),
                    stake: tally.stake.get(d),
                    losses: if against { losses } else { Vec::new() },
                }
            })
            .collect();
        let critical = s
            .turns()
            .iter()
            .flat_map(|t| {
                t.fired
                    .iter()
                    .filter(|f| f.critical)
                    .map(move |f| format!("Turn {}: {}", t.number, f.feedback))
            })
            .collect();
        let tasks = guidance
            .tasks_for(scenario.phase, scenario.area)
            .map(|t| TaskReport {
                name: t.name.clone(),
                done: s.tasks_done().contains(&t.id),
            })
            .collect();
        Debrief {
            scenario: scenario.id.clone(),
            title: scenario.title.clone(),
            rubric_version: guidance.version.clone(),
            seed: s.seed(),
            choices: s.positions(),
            ending: s.ending().map(|e| EndingReport {
                id: e.id.clone(),
                title: e.title.clone(),
                text: e.text.clone(),
                outcome: e.outcome,
            }),
            scores: s.scores(),
            model: guidance.scoring.model,
            base: guidance.scoring.base,
            dimensions,
            critical,
            critical_cap: guidance.scoring.critical_cap,
            tasks,
            minutes_used: s.clock(),
            minutes_planned: scenario.minutes,
            turns: s.turns().to_vec(),
            session_end: s.end_fired().to_vec(),
            states: s.state_history().to_vec(),
        }
    }
}
