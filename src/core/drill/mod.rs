//! Deliberate practice: drills on one skill at a time.
//!
//! A drill is one choice point of a scenario that tests a principle clearly
//! (see [`crate::core::rubric::decision`]), reached by replaying the route
//! that leads there with a fixed seed, so the client is exactly as they
//! would be in a session. The parts:
//!
//! - here, the catalogue: every drillable choice point of a set of
//!   scenarios, found by walking the best route and every route that leaves
//!   it once;
//! - `profile`: the trainee's estimate of each skill, from sessions and drills;
//! - `select`: which drills a session of drills holds (a pure function of
//!   the profile, the catalogue, the review schedule and a seed);
//! - `schedule`: when a missed drill comes back (FSRS);
//! - `run`: one drill and a session of drills, with feedback and retry;
//! - `record`: the versioned record of a session of drills;
//! - `sim`: simulated trainees, for the tests and the benchmark.

pub mod profile;
pub mod record;
pub mod run;
pub mod schedule;
pub mod select;
pub mod sim;

pub use profile::{Skill, SkillProfile};
pub use record::{AnswerRecord, DRILL_FORMAT, DRILL_VERSION, DrillRecord, DrillResult, SkillLine};
pub use run::{Answer, Drill, DrillError, DrillRun, Feedback, Queued};
pub use schedule::Schedule;
pub use select::{PlanRequest, follow_up, plan};

use crate::core::model::{ClientState, Difficulty, Phase, ProblemArea, Scenario};
use crate::core::rubric::Guidance;
use crate::core::session::Session;
use crate::core::store::scenario_hash;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The seed every drill of a scenario is replayed with: the same option
/// order and line variants for every trainee, so drills can be compared.
pub const DRILL_SEED: u64 = 2026;

/// How many drillable choice points each principle should have across the
/// bundled scenarios (and what `lint` asks of a tutor's set).
pub const WANTED_PER_PRINCIPLE: usize = 8;

/// One drillable choice point.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillPoint {
    /// Stable while the scenario keeps the node: scenario, node and principle.
    pub id: String,
    pub scenario_id: String,
    pub scenario_title: String,
    pub scenario_hash: String,
    /// The client's name.
    pub client: String,
    pub area: ProblemArea,
    pub phase: Phase,
    pub level: Difficulty,
    pub seed: u64,
    /// The 1-based shown positions that lead here from the start.
    pub route: Vec<usize>,
    pub node: String,
    /// The principle that decides this choice point.
    pub principle: String,
    /// The best option's 1-based shown position.
    pub best: usize,
    /// The best option's lead over the next, in points.
    pub gap: i32,
    /// How many options are shown.
    pub options: usize,
    /// The client's state at this point.
    pub state: ClientState,
    /// From 0 (easy) to 1 (hard): see [`difficulty`].
    pub difficulty: f32,
}

/// How hard a drill is, from 0 to 1: half from how close the next best
/// option comes (a lead of 12 points or more is plain, 2 is subtle), a
/// quarter from the client's state (distress high, trust low), a quarter
/// from the scenario's level.
pub fn difficulty(gap: i32, state: ClientState, level: Difficulty) -> f32 {
    let close = 1.0 - (gap.clamp(0, 12) as f32 / 12.0);
    let strain = (state.distress.clamp(0, 100) + (100 - state.trust.clamp(0, 100))) as f32 / 200.0;
    let level = match level {
        Difficulty::Introductory => 0.0,
        Difficulty::Intermediate => 0.5,
        Difficulty::Advanced => 1.0,
    };
    (0.5 * close + 0.25 * strain + 0.25 * level).clamp(0.0, 1.0)
}

/// Every drillable choice point of a set of scenarios.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub points: Vec<DrillPoint>,
}

impl Catalogue {
    /// The drillable choice points of `scenarios`, in scenario order then
    /// route order. Each scenario is walked along its best route and along
    /// every route that leaves it once (each other option at each choice
    /// point, then the best again): the contexts a trainee meets in a good
    /// session and just after a slip. A node drills a principle once (the
    /// shortest route to it).
    pub fn build(scenarios: &[Arc<Scenario>], guidance: &Arc<Guidance>) -> Catalogue {
        let mut points = Vec::new();
        for s in scenarios {
            points.extend(scenario_points(s, guidance));
        }
        Catalogue { points }
    }

    /// The drill with this id.
    pub fn get(&self, id: &str) -> Option<&DrillPoint> {
        self.points.iter().find(|p| p.id == id)
    }

    /// How many drills each principle has (principles with none are absent).
    pub fn per_principle(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for p in &self.points {
            *m.entry(p.principle.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// The principles of `guidance` that score moves (they have rules or
    /// tasks), with how many drills each has here, fewest first.
    pub fn coverage<'g>(&self, guidance: &'g Guidance) -> Vec<(&'g str, usize)> {
        let counts = self.per_principle();
        let tasked: BTreeSet<&str> = guidance
            .tasks
            .iter()
            .map(|t| t.principle.as_str())
            .collect();
        let mut v: Vec<(&str, usize)> = guidance
            .principles
            .iter()
            .filter(|p| !p.rules.is_empty() || tasked.contains(p.id.as_str()))
            .map(|p| {
                (
                    p.id.as_str(),
                    counts.get(p.id.as_str()).copied().unwrap_or(0),
                )
            })
            .collect();
        v.sort_by_key(|&(id, n)| (n, id));
        v
    }
}

/// The longest route the catalogue walks: no bundled or sensible scenario
/// comes near it, and a looping one must not walk forever.
const MAX_ROUTE: usize = 200;

fn scenario_points(scenario: &Arc<Scenario>, guidance: &Arc<Guidance>) -> Vec<DrillPoint> {
    let Ok(start) = Session::new(scenario.clone(), guidance.clone(), DRILL_SEED) else {
        return Vec::new();
    };
    let hash = scenario_hash(scenario);
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut found = Vec::new();
    let mut note = |s: &Session, found: &mut Vec<DrillPoint>| {
        let (Some(prompt), Some(d)) = (s.prompt(), s.decision()) else {
            return;
        };
        let state = s.state();
        for principle in &d.principles {
            if !seen.insert((prompt.node.clone(), principle.clone())) {
                continue;
            }
            found.push(DrillPoint {
                id: format!("{}/{}/{}", scenario.id, prompt.node, principle),
                scenario_id: scenario.id.clone(),
                scenario_title: scenario.title.clone(),
                scenario_hash: hash.clone(),
                client: scenario.client.name.clone(),
                area: scenario.area,
                phase: scenario.phase,
                level: scenario.difficulty,
                seed: DRILL_SEED,
                route: s.positions(),
                node: prompt.node.clone(),
                principle: principle.clone(),
                best: d.best + 1,
                gap: d.gap,
                options: prompt.options.len(),
                state,
                difficulty: difficulty(d.gap, state, scenario.difficulty),
            });
        }
    };
    // The best route, keeping the session at each of its choice points.
    let mut spine = vec![start];
    while spine.len() < MAX_ROUTE {
        let Some(at) = spine.last() else { break };
        note(at, &mut found);
        let Some(best) = at.best_position() else {
            break;
        };
        let mut next = at.clone();
        if next.choose(best).is_err() || next.is_ended() {
            break;
        }
        spine.push(next);
    }
    // Every route that leaves it once, then follows the best again.
    for at in &spine {
        let Some(best) = at.best_position() else {
            continue;
        };
        let shown = at.prompt().map_or(0, |p| p.options.len());
        for position in (1..=shown).filter(|&p| p != best) {
            let mut s = at.clone();
            if s.choose(position).is_err() {
                continue;
            }
            while !s.is_ended() && s.turns().len() < MAX_ROUTE {
                note(&s, &mut found);
                let Some(best) = s.best_position() else {
                    break;
                };
                if s.choose(best).is_err() {
                    break;
                }
            }
        }
    }
    found
}

/// How a session of drills is asked for: a tutor's plan, or one principle,
/// or (neither) the trainee's weakest skills.
#[derive(Debug, Clone, Default)]
pub struct Setup<'a> {
    pub plan: Option<&'a crate::core::load::DrillPlan>,
    /// Only this principle (ignored with a plan that names principles).
    pub principle: Option<String>,
    /// How many drills (default: the plan's, or [`select::DEFAULT_DRILLS`]).
    pub count: Option<usize>,
    pub seed: u64,
    /// Seconds since the Unix epoch: which missed drills are due.
    pub now: u64,
}

/// A session of drills for a trainee with these records: the profile and
/// the schedule from the records, the plan from the setup.
pub fn new_run(
    catalogue: Arc<Catalogue>,
    guidance: &Guidance,
    attempts: &[crate::core::store::AttemptRecord],
    drills: &[DrillRecord],
    setup: &Setup<'_>,
) -> DrillRun {
    let profile = SkillProfile::from_records(attempts, drills);
    let schedule = Schedule::from_records(drills);
    let mut request = setup.plan.map_or_else(
        || PlanRequest::any(select::DEFAULT_DRILLS, setup.now),
        |p| p.request(setup.now),
    );
    if let Some(n) = setup.count {
        request.count = n;
    }
    request.count = request.count.clamp(1, select::MAX_DRILLS);
    if request.principles.is_empty()
        && let Some(p) = &setup.principle
    {
        request.principles = vec![p.clone()];
    }
    let slots = plan(&profile, &catalogue, &schedule, &request, setup.seed);
    DrillRun::new(
        catalogue,
        slots,
        request,
        setup.plan.map(|p| p.title.clone()),
        setup.seed,
        &guidance.version,
    )
}
