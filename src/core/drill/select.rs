//! Which drills a session of drills holds: a pure function of the skill
//! profile, the catalogue, the schedule of missed drills and a seed.
//!
//! - Drills that are due again on the spaced schedule come first (at most a
//!   third of the session), spread through it.
//! - The rest go to the weakest principles: lowest estimate, and the less
//!   certain before the better known ("weakness" is one minus the estimate
//!   plus its standard deviation). A principle already picked in this
//!   session counts a little less each time, so a session holds the
//!   weakest skill most and others beside it; a mastered one still comes up
//!   now and then, at half weight.
//! - For each pick, the drill whose difficulty is nearest the level the
//!   trainee has reached on that principle (harder as the estimate rises),
//!   from a client and problem area not just seen, so the skill is met in
//!   different words.

use crate::core::drill::profile::SkillProfile;
use crate::core::drill::schedule::Schedule;
use crate::core::drill::{Catalogue, DrillPoint};
use crate::core::model::ProblemArea;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The most drills one session of drills can hold.
pub const MAX_DRILLS: usize = 50;
/// The usual length of a session of drills.
pub const DEFAULT_DRILLS: usize = 10;

/// What a session of drills is to cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// How many drills (at most [`MAX_DRILLS`]).
    pub count: usize,
    /// Only these principles (empty: any).
    pub principles: Vec<String>,
    /// Only these problem areas (empty: any).
    pub areas: Vec<ProblemArea>,
    /// Now, in seconds since the Unix epoch: which missed drills are due.
    pub now: u64,
}

impl PlanRequest {
    /// `count` drills on any principle and area.
    pub fn any(count: usize, now: u64) -> PlanRequest {
        PlanRequest {
            count,
            principles: Vec::new(),
            areas: Vec::new(),
            now,
        }
    }

    fn admits(&self, p: &DrillPoint) -> bool {
        (self.principles.is_empty() || self.principles.contains(&p.principle))
            && (self.areas.is_empty() || self.areas.contains(&p.area))
    }
}

/// A drill in a planned session.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub point: DrillPoint,
    /// Due again on the spaced schedule (it was missed before).
    pub review: bool,
}

/// How much less a principle counts each time it is already in the session.
const REPEAT_DISCOUNT: f64 = 0.12;

/// How weak a skill looks: one minus the estimate, plus its uncertainty;
/// half that once it is mastered.
pub fn weakness(profile: &SkillProfile, principle: &str) -> f64 {
    let s = profile.skill(principle);
    let w = 1.0 - s.mean() + s.sd();
    if s.mastered() { w * 0.5 } else { w }
}

/// The difficulty a drill on this principle should have for this trainee:
/// from 0.15 for a skill never shown to 0.85 for one always shown.
pub fn target_difficulty(profile: &SkillProfile, principle: &str) -> f32 {
    (0.15 + 0.7 * profile.skill(principle).mean()) as f32
}

/// The drills of a session, in order (see the module's notes).
pub fn plan(
    profile: &SkillProfile,
    catalogue: &Catalogue,
    schedule: &Schedule,
    request: &PlanRequest,
    seed: u64,
) -> Vec<Slot> {
    let count = request.count.min(MAX_DRILLS);
    let pool: Vec<&DrillPoint> = catalogue
        .points
        .iter()
        .filter(|p| request.admits(p))
        .collect();
    if count == 0 || pool.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut used: BTreeSet<&str> = BTreeSet::new();

    // Due reviews first, up to a third of the session.
    let by_id: BTreeMap<&str, &DrillPoint> = pool.iter().map(|p| (p.id.as_str(), *p)).collect();
    let reviews: Vec<&DrillPoint> = schedule
        .due(request.now)
        .into_iter()
        .filter_map(|id| by_id.get(id).copied())
        .take((count / 3).max(1).min(count))
        .collect();
    for r in &reviews {
        used.insert(r.id.as_str());
    }

    let mut principles: BTreeMap<&str, Vec<&DrillPoint>> = BTreeMap::new();
    for p in &pool {
        principles.entry(p.principle.as_str()).or_default().push(p);
    }
    let mut picks: BTreeMap<&str, u32> = BTreeMap::new();
    for r in &reviews {
        *picks.entry(r.principle.as_str()).or_insert(0) += 1;
    }
    let mut chosen: Vec<&DrillPoint> = Vec::new();
    while chosen.len() + reviews.len() < count {
        let open = |id: &&&str| {
            principles[**id]
                .iter()
                .any(|p| !used.contains(p.id.as_str()))
        };
        let Some(principle) = principles
            .keys()
            .filter(open)
            .map(|&id| {
                let repeat = f64::from(picks.get(id).copied().unwrap_or(0));
                let score =
                    weakness(profile, id) - REPEAT_DISCOUNT * repeat + rng.random_range(0.0..0.04);
                (id, score)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, _)| id)
        else {
            break;
        };
        let target = target_difficulty(profile, principle);
        let recent: Vec<&DrillPoint> = chosen.iter().rev().take(3).copied().collect();
        let point = principles[principle]
            .iter()
            .filter(|p| !used.contains(p.id.as_str()))
            .map(|p| {
                let mut score = -f64::from((p.difficulty - target).abs());
                if recent.iter().any(|r| r.scenario_id == p.scenario_id) {
                    score -= 0.5;
                }
                if recent.first().is_some_and(|r| r.area == p.area) {
                    score -= 0.25;
                }
                if chosen.iter().any(|r| r.scenario_id == p.scenario_id) {
                    score -= 0.2;
                }
                (*p, score + rng.random_range(0.0..0.02))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(p, _)| p);
        let Some(point) = point else { break };
        used.insert(point.id.as_str());
        *picks.entry(principle).or_insert(0) += 1;
        chosen.push(point);
    }

    // Reviews spread through the session: every third drill.
    let mut slots: Vec<Slot> = chosen
        .into_iter()
        .map(|p| Slot {
            point: p.clone(),
            review: false,
        })
        .collect();
    for (k, r) in reviews.into_iter().enumerate() {
        let at = (k * 3).min(slots.len());
        slots.insert(
            at,
            Slot {
                point: r.clone(),
                review: true,
            },
        );
    }
    slots
}

/// After a miss: another drill on the same principle, from another
/// scenario (another client's words), not yet used, no harder than the one
/// missed where there is one; `None` if the catalogue has none.
pub fn follow_up<'c>(
    catalogue: &'c Catalogue,
    missed: &DrillPoint,
    used: &BTreeSet<String>,
    request: &PlanRequest,
    seed: u64,
) -> Option<&'c DrillPoint> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    catalogue
        .points
        .iter()
        .filter(|p| {
            p.principle == missed.principle
                && p.scenario_id != missed.scenario_id
                && !used.contains(&p.id)
                && request.admits(p)
        })
        .map(|p| {
            let harder = (p.difficulty - missed.difficulty).max(0.0);
            let score = -f64::from((p.difficulty - missed.difficulty).abs())
                - 2.0 * f64::from(harder)
                + rng.random_range(0.0..0.02);
            (p, score)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, _)| p)
}
