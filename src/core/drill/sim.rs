//! Simulated trainees doing sessions of drills, for the tests and the
//! benchmark of the adaptive plan: a learner answers each drill well or not
//! (by any rule: always wrong on one principle, a chance that rises with
//! feedback), and the answers become records exactly as a session of
//! drills would write them, so the profile, the schedule and the next plan
//! read them as they read a real trainee's.

use crate::core::drill::profile::SkillProfile;
use crate::core::drill::record::{
    AnswerRecord, DRILL_FORMAT, DRILL_VERSION, DrillRecord, DrillResult,
};
use crate::core::drill::run::DrillRun;
use crate::core::drill::schedule::Schedule;
use crate::core::drill::select::{PlanRequest, Slot, plan};
use crate::core::drill::{Catalogue, DrillPoint};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// How drills are chosen for the simulated trainee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The adaptive plan ([`plan`]).
    Adaptive,
    /// Drills drawn at random from the catalogue (the baseline).
    Random,
}

/// A day between sessions of drills.
const DAY: u64 = 86_400;

/// Runs `sessions` sessions of `count` drills, one a day from `start`, for
/// a learner that answers each drill by `answer` (true: well). Returns the
/// records, one per session.
pub fn simulate(
    catalogue: &Catalogue,
    policy: Policy,
    sessions: usize,
    count: usize,
    start: u64,
    seed: u64,
    mut answer: impl FnMut(&DrillPoint) -> bool,
) -> Vec<DrillRecord> {
    let mut records: Vec<DrillRecord> = Vec::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shared = Arc::new(catalogue.clone());
    for k in 0..sessions {
        let now = start + k as u64 * DAY;
        let session_seed = seed.wrapping_add(k as u64);
        let request = PlanRequest::any(count, now);
        let slots: Vec<Slot> = match policy {
            Policy::Adaptive => {
                let profile = SkillProfile::from_records([], &records);
                let schedule = Schedule::from_records(&records);
                plan(&profile, catalogue, &schedule, &request, session_seed)
            }
            Policy::Random => (0..count)
                .filter_map(|_| catalogue.points.choose(&mut rng))
                .map(|p| Slot {
                    point: p.clone(),
                    review: false,
                })
                .collect(),
        };
        // The adaptive session follows a miss up, as a trainee's does.
        let mut run = DrillRun::new(shared.clone(), slots, request, None, session_seed, "");
        if policy == Policy::Random {
            run.follow_ups_off();
        }
        let mut i = 0;
        while let Some(q) = run.current().cloned() {
            let good = answer(&q.point);
            let position = if good {
                q.point.best
            } else if q.point.best == 1 {
                2
            } else {
                1
            };
            run.record(DrillResult {
                id: q.point.id.clone(),
                scenario_id: q.point.scenario_id.clone(),
                scenario_hash: q.point.scenario_hash.clone(),
                node: q.point.node.clone(),
                principle: q.point.principle.clone(),
                difficulty: q.point.difficulty,
                follow_up: q.follow_up,
                review: q.review,
                first: AnswerRecord {
                    position,
                    option: 0,
                    text: String::new(),
                    good,
                },
                retry: None,
                answered_at: now + i * 60,
            });
            i += 1;
        }
        records.push(DrillRecord {
            format: DRILL_FORMAT.into(),
            version: DRILL_VERSION,
            trainee: "simulated".into(),
            rubric_version: String::new(),
            plan: None,
            seed: session_seed,
            finished_at: now + 3_600,
            results: run.results().to_vec(),
        });
    }
    records
}
