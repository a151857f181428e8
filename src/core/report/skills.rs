//! Skills in the class report: each trainee's skill profile (from their own
//! sessions and drills; group sessions are the class's work, not one
//! trainee's, and are left out) and the class's weakest principles, with
//! the choice points where they were missed most.

use super::Report;
use crate::core::drill::{Skill, SkillProfile};
use std::collections::BTreeMap;

/// One trainee's skills.
#[derive(Debug, Clone, PartialEq)]
pub struct TraineeSkills {
    pub trainee: String,
    pub profile: SkillProfile,
    /// How many sessions of drills the trainee did.
    pub drill_sessions: usize,
}

/// A choice point where a principle was tested, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestedPoint {
    pub scenario_id: String,
    pub node: String,
    pub chances: u32,
    pub misses: u32,
    /// Met as a drill (not only in sessions).
    pub drilled: bool,
}

/// A principle across the class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSkill {
    pub principle: String,
    /// All trainees' chances pooled.
    pub pooled: Skill,
    /// Trainees with any evidence on it.
    pub trainees: usize,
    /// Trainees whose estimate is below one half.
    pub below_half: usize,
    /// Where it was tested, the most missed first.
    pub points: Vec<TestedPoint>,
}

/// The trainee's entry, made on first use.
fn entry<'m>(by: &'m mut BTreeMap<String, TraineeSkills>, who: &str) -> &'m mut TraineeSkills {
    by.entry(who.to_string()).or_insert_with(|| TraineeSkills {
        trainee: who.to_string(),
        profile: SkillProfile::default(),
        drill_sessions: 0,
    })
}

impl Report {
    /// Every trainee's skill profile, by name.
    pub fn skill_profiles(&self) -> Vec<TraineeSkills> {
        let mut by: BTreeMap<String, TraineeSkills> = BTreeMap::new();
        for a in self.attempts.iter().filter(|a| a.group.is_none()) {
            let t = entry(&mut by, &a.trainee);
            for m in a.moves.iter().skip(a.replayed) {
                for p in &m.tested {
                    t.profile.add(p, m.better.is_none());
                }
            }
        }
        for (_, d) in &self.drills {
            let t = entry(&mut by, &d.trainee);
            t.profile.add_drills(d);
            t.drill_sessions += 1;
        }
        by.into_values()
            .filter(|t| !t.profile.skills.is_empty())
            .collect()
    }

    /// The principles the class was tested on, weakest first (pooled
    /// estimate), each with the choice points behind it.
    pub fn class_skills(&self) -> Vec<ClassSkill> {
        let profiles = self.skill_profiles();
        let mut pooled: BTreeMap<String, ClassSkill> = BTreeMap::new();
        for t in &profiles {
            for (p, s) in &t.profile.skills {
                let c = pooled.entry(p.clone()).or_insert_with(|| ClassSkill {
                    principle: p.clone(),
                    pooled: Skill::default(),
                    trainees: 0,
                    below_half: 0,
                    points: Vec::new(),
                });
                c.pooled.good += s.good;
                c.pooled.chances += s.chances;
                c.trainees += 1;
                if s.mean() < 0.5 {
                    c.below_half += 1;
                }
            }
        }
        let mut points: BTreeMap<(String, String, String), TestedPoint> = BTreeMap::new();
        let mut note = |principle: &str, scenario: &str, node: &str, good: bool, drilled: bool| {
            let p = points
                .entry((
                    principle.to_string(),
                    scenario.to_string(),
                    node.to_string(),
                ))
                .or_insert_with(|| TestedPoint {
                    scenario_id: scenario.to_string(),
                    node: node.to_string(),
                    chances: 0,
                    misses: 0,
                    drilled: false,
                });
            p.chances += 1;
            p.misses += u32::from(!good);
            p.drilled |= drilled;
        };
        for a in self.attempts.iter().filter(|a| a.group.is_none()) {
            for m in a.moves.iter().skip(a.replayed) {
                for p in &m.tested {
                    note(p, &a.scenario_id, &m.node, m.better.is_none(), false);
                }
            }
        }
        for (_, d) in &self.drills {
            for r in &d.results {
                note(&r.principle, &r.scenario_id, &r.node, r.first.good, true);
            }
        }
        for ((principle, _, _), p) in points {
            if let Some(c) = pooled.get_mut(&principle) {
                c.points.push(p);
            }
        }
        let mut v: Vec<ClassSkill> = pooled.into_values().collect();
        for c in &mut v {
            c.points.sort_by(|a, b| {
                b.misses
                    .cmp(&a.misses)
                    .then(a.chances.cmp(&b.chances))
                    .then((&a.scenario_id, &a.node).cmp(&(&b.scenario_id, &b.node)))
            });
        }
        v.sort_by(|a, b| {
            a.pooled
                .mean()
                .total_cmp(&b.pooled.mean())
                .then(a.principle.cmp(&b.principle))
        });
        v
    }
}
