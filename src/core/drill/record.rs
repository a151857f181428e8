//! The record of a session of drills: self-describing and versioned, kept
//! beside the session records (its own `format`), so History and the class
//! report read both.

use serde::{Deserialize, Serialize};

pub const DRILL_FORMAT: &str = "ipt-trainer/drills";
pub const DRILL_VERSION: u32 = 1;

/// One answer to a drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The 1-based shown position chosen.
    pub position: usize,
    /// The option's index in the scenario's node.
    pub option: usize,
    pub text: String,
    /// The best option (or one as good) was chosen.
    pub good: bool,
}

/// One drill done: where it was, what it tested, and the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillResult {
    /// The drill's id in the catalogue (scenario/node/principle).
    pub id: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    pub node: String,
    /// The principle the drill tested.
    pub principle: String,
    /// From 0 (easy) to 1 (hard).
    pub difficulty: f32,
    /// The drill came back in the same session after a miss on its skill.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow_up: bool,
    /// The drill was due again on the spaced schedule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub review: bool,
    pub first: AnswerRecord,
    /// The second try, after a miss and its feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<AnswerRecord>,
    /// Seconds since the Unix epoch when it was answered.
    pub answered_at: u64,
}

/// A session of drills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub format: String,
    pub version: u32,
    pub trainee: String,
    pub rubric_version: String,
    /// The tutor's plan the drills followed, by its title (none: the
    /// trainee's weakest skills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    pub seed: u64,
    /// Seconds since the Unix epoch.
    pub finished_at: u64,
    pub results: Vec<DrillResult>,
}

impl DrillRecord {
    /// How many drills were answered well the first time.
    pub fn first_time_good(&self) -> usize {
        self.results.iter().filter(|r| r.first.good).count()
    }

    /// The session of drills per skill, in the order the skills first came
    /// up: what the trainee got right the first time and on the retry, and
    /// the skill's estimate now. The app and the terminal both show it.
    pub fn by_principle(&self, profile: &super::SkillProfile) -> Vec<SkillLine> {
        let mut out: Vec<SkillLine> = Vec::new();
        for d in &self.results {
            if !out.iter().any(|l| l.principle == d.principle) {
                out.push(SkillLine {
                    principle: d.principle.clone(),
                    drills: 0,
                    first_time: 0,
                    on_retry: 0,
                    now: profile.skill(&d.principle),
                });
            }
            let Some(line) = out.iter_mut().find(|l| l.principle == d.principle) else {
                continue;
            };
            line.drills += 1;
            line.first_time += usize::from(d.first.good);
            line.on_retry += usize::from(d.retry.as_ref().is_some_and(|a| a.good));
        }
        out
    }
}

/// One skill's line in the summary of a session of drills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillLine {
    pub principle: String,
    pub drills: usize,
    /// Answered well the first time.
    pub first_time: usize,
    /// Missed, then found on the retry.
    pub on_retry: usize,
    /// The skill's evidence after the session.
    pub now: super::Skill,
}

impl DrillRecord {
    /// Numbers no session of drills gives (the checks a record of a
    /// session gets, for this kind): each says what and where.
    pub fn unusable_values(&self) -> Vec<String> {
        use crate::core::store::{FINISHED_BEFORE, FINISHED_FROM};
        let mut v = Vec::new();
        let when = |t: u64| (FINISHED_FROM..FINISHED_BEFORE).contains(&t);
        if !when(self.finished_at) {
            v.push(format!(
                "finished_at {} is not a time between 2020 and 2100",
                self.finished_at
            ));
        }
        for (i, d) in self.results.iter().enumerate() {
            let n = i + 1;
            if !(0.0..=1.0).contains(&d.difficulty) {
                v.push(format!(
                    "drill {n}: difficulty {} is not between 0 and 1",
                    d.difficulty
                ));
            }
            if !when(d.answered_at) {
                v.push(format!(
                    "drill {n}: answered_at {} is not a time between 2020 and 2100",
                    d.answered_at
                ));
            }
            for a in std::iter::once(&d.first).chain(&d.retry) {
                if a.position == 0 {
                    v.push(format!(
                        "drill {n}: an answer at position 0 (positions start at 1)"
                    ));
                }
            }
            if d.retry.is_some() && d.first.good {
                v.push(format!("drill {n}: a retry after a good first answer"));
            }
        }
        v
    }
}
