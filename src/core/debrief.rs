//! The debrief: the scores of a finished (or stopped) session, each
//! explained by the principles behind it.

use crate::core::model::{ClientState, Outcome};
use crate::core::rubric::{Dimension, Fired};
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionReport {
    pub dimension: Dimension,
    pub score: i32,
    /// Largest effect first.
    pub contributions: Vec<Contribution>,
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
                DimensionReport {
                    dimension: d,
                    score: match d {
                        Dimension::Rapport => scores.rapport,
                        Dimension::Pacing => scores.pacing,
                        Dimension::Focus => scores.focus,
                    },
                    contributions,
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
