//! Doing drills: one drill (the choice point replayed, an answer, feedback,
//! one retry after a miss) and a session of drills (the plan, a follow-up on
//! the same skill after a miss, the record). The app and the command line
//! both drive these.

use crate::core::drill::record::{
    AnswerRecord, DRILL_FORMAT, DRILL_VERSION, DrillRecord, DrillResult,
};
use crate::core::drill::select::{PlanRequest, Slot, follow_up};
use crate::core::drill::{Catalogue, DrillPoint};
use crate::core::model::{ClientState, Scenario};
use crate::core::rubric::{Evaluation, Guidance, ScoreDelta};
use crate::core::session::{Event, Prompt, Session, SessionError, Turn};
use crate::core::store::{now_secs, scenario_hash};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Why a drill could not be started or answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrillError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("scenario `{0}` is not loaded; the drill cannot be replayed")]
    NoScenario(String),
    #[error(
        "scenario `{scenario}` has changed since the drills were found: its route no longer reaches `{node}` (build the drills again)"
    )]
    Changed { scenario: String, node: String },
    #[error("this drill has been answered (a miss can be tried once more)")]
    Answered,
}

/// What an answer to a drill shows the trainee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The best option (or one as good) was chosen.
    pub good: bool,
    /// The principle the drill tested, its name and its source.
    pub principle: String,
    pub principle_name: String,
    pub source: String,
    /// The principle in the project's words.
    pub statement: String,
    pub chosen: String,
    /// What the rubric made of the move chosen: for a miss, what went
    /// against it if anything did, else its main reason.
    pub chosen_reason: String,
    /// `chosen_reason` is a cost (the move lost points or did harm), not
    /// something it earned.
    pub chosen_cost: bool,
    pub chosen_score: ScoreDelta,
    /// The best option, and why it serves here.
    pub best: String,
    pub best_why: String,
    pub best_score: ScoreDelta,
    /// What the rubric advises instead of the move chosen (empty when the
    /// move was good).
    pub advice: String,
    /// How the client took it: the state before and after, and what they
    /// said next (or how the session ended).
    pub before: ClientState,
    pub after: ClientState,
    pub reaction: String,
    /// The move ended the session: `reaction` is how it ended, not a line
    /// the client said.
    pub ended: bool,
}

/// One answer and its feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub position: usize,
    /// The option's index in the scenario's node.
    pub option: usize,
    pub feedback: Feedback,
}

impl Answer {
    fn record(&self) -> AnswerRecord {
        AnswerRecord {
            position: self.position,
            option: self.option,
            text: self.feedback.chosen.clone(),
            good: self.feedback.good,
        }
    }
}

/// One drill: the choice point as it is in a session, and the answers.
#[derive(Debug, Clone)]
pub struct Drill {
    point: DrillPoint,
    at: Session,
    answers: Vec<Answer>,
}

impl Drill {
    /// Replays the drill's route on `scenario` with the drill's seed. Fails
    /// if the route no longer reaches the drill's choice point (the
    /// scenario was edited since the catalogue was built).
    pub fn start(
        point: &DrillPoint,
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
    ) -> Result<Drill, DrillError> {
        let changed = || DrillError::Changed {
            scenario: point.scenario_id.clone(),
            node: point.node.clone(),
        };
        let at =
            Session::replay(scenario, guidance, point.seed, &point.route).map_err(|e| match e {
                SessionError::NoSuchOption { .. } | SessionError::Ended => changed(),
                other => DrillError::Session(other),
            })?;
        if at.prompt().is_none_or(|p| p.node != point.node) {
            return Err(changed());
        }
        Ok(Drill {
            point: point.clone(),
            at,
            answers: Vec::new(),
        })
    }

    pub fn point(&self) -> &DrillPoint {
        &self.point
    }

    /// The choice point: the client's line, cue and options.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.at.prompt()
    }

    /// The session up to here (the scenario, the client's state).
    pub fn session(&self) -> &Session {
        &self.at
    }

    /// The last `n` moves of the transcript before this choice point.
    pub fn recent(&self, n: usize) -> &[Turn] {
        let t = self.at.turns();
        &t[t.len().saturating_sub(n)..]
    }

    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    /// Whether another answer can be given: none yet, or one miss.
    pub fn can_answer(&self) -> bool {
        match self.answers.as_slice() {
            [] => true,
            [first] => !first.feedback.good,
            _ => false,
        }
    }

    /// Whether the drill is done: answered well, or answered twice.
    pub fn is_done(&self) -> bool {
        !self.answers.is_empty() && !self.can_answer()
    }

    /// Answers with the option at this 1-based shown position: the first
    /// answer, or the one retry after a miss.
    pub fn answer(&mut self, position: usize) -> Result<&Answer, DrillError> {
        if !self.can_answer() {
            return Err(DrillError::Answered);
        }
        let options: Vec<Evaluation> = self.at.assessed_options().map(|(_, e)| e.clone()).collect();
        let prompt = self.at.prompt().cloned().ok_or(SessionError::Ended)?;
        let mut after = self.at.clone();
        let events = after.choose(position)?;
        let chosen = &options[position - 1];
        let best_at = self.point.best - 1;
        let best = options.get(best_at).unwrap_or(chosen);
        let good = chosen.rank() >= best.rank();
        let guidance = self.at.guidance();
        let principle = guidance.principle(&self.point.principle);
        let text = |i: usize| {
            prompt
                .options
                .get(i)
                .map(|o| o.text.clone())
                .unwrap_or_default()
        };
        // Why the best serves: what the tested principle said of it, else
        // its main reason.
        let best_why = best
            .fired
            .iter()
            .find(|f| f.principle == self.point.principle && f.score.total() > 0)
            .or_else(|| best.main_reason())
            .map(|f| f.feedback.clone())
            .unwrap_or_default();
        let advice = if good {
            String::new()
        } else {
            chosen
                .fired
                .iter()
                .find(|f| f.principle == self.point.principle && f.score.total() < 0)
                .or_else(|| chosen.main_reason().filter(|f| f.score.total() < 0))
                .map_or_else(|| best_why.clone(), super::super::rubric::Fired::advice)
        };
        // For a miss, what went against the move (its largest loss), if
        // anything did; otherwise what the rubric made of it.
        let chosen_reason = if good {
            chosen.main_reason()
        } else {
            chosen
                .fired
                .iter()
                .filter(|f| f.harm || f.critical || f.score.total() < 0)
                .min_by_key(|f| (!(f.harm || f.critical), f.score.total()))
                .or_else(|| chosen.main_reason())
        };
        let (mut before_state, mut after_state) = (self.at.state(), self.at.state());
        let mut reaction = String::new();
        let mut ended = false;
        for e in &events {
            match e {
                Event::StateChanged { before, after } => {
                    before_state = *before;
                    after_state = *after;
                }
                Event::ClientSpoke(p) => reaction.clone_from(&p.client_line),
                Event::Ended { title, text, .. } => {
                    reaction = format!("{title}. {text}");
                    ended = true;
                }
                Event::Assessed { .. } => {}
            }
        }
        let option = prompt.options.get(position - 1).map_or(0, |o| o.index);
        self.answers.push(Answer {
            position,
            option,
            feedback: Feedback {
                good,
                principle: self.point.principle.clone(),
                principle_name: principle.map(|p| p.name.clone()).unwrap_or_default(),
                source: principle.map(|p| p.source.clone()).unwrap_or_default(),
                statement: principle.map(|p| p.statement.clone()).unwrap_or_default(),
                chosen: text(position - 1),
                chosen_reason: chosen_reason
                    .map(|f| f.feedback.clone())
                    .unwrap_or_default(),
                chosen_cost: chosen_reason.is_some_and(|f| f.score.total() < 0 || f.harm),
                chosen_score: chosen.score,
                best: text(best_at),
                best_why,
                best_score: best.score,
                advice,
                before: before_state,
                after: after_state,
                reaction,
                ended,
            },
        });
        self.answers.last().ok_or(DrillError::Answered)
    }

    /// What is kept of the drill, once answered.
    pub fn result(&self, follow_up: bool, review: bool) -> Option<DrillResult> {
        let first = self.answers.first()?;
        Some(DrillResult {
            id: self.point.id.clone(),
            scenario_id: self.point.scenario_id.clone(),
            scenario_hash: scenario_hash(self.at.scenario()),
            node: self.point.node.clone(),
            principle: self.point.principle.clone(),
            difficulty: self.point.difficulty,
            follow_up,
            review,
            first: first.record(),
            retry: self.answers.get(1).map(Answer::record),
            answered_at: now_secs(),
        })
    }
}

/// A drill in a session of drills, with why it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub point: DrillPoint,
    pub review: bool,
    /// It follows up a miss on the same skill earlier in the session.
    pub follow_up: bool,
}

/// A session of drills: the queue, what has been done, and the record.
#[derive(Debug, Clone)]
pub struct DrillRun {
    catalogue: Arc<Catalogue>,
    request: PlanRequest,
    plan_title: Option<String>,
    seed: u64,
    rubric_version: String,
    queue: Vec<Queued>,
    next: usize,
    results: Vec<DrillResult>,
    follow_ups: usize,
}

impl DrillRun {
    pub fn new(
        catalogue: Arc<Catalogue>,
        slots: Vec<Slot>,
        request: PlanRequest,
        plan_title: Option<String>,
        seed: u64,
        rubric_version: &str,
    ) -> DrillRun {
        let queue = slots
            .into_iter()
            .map(|s| Queued {
                point: s.point,
                review: s.review,
                follow_up: false,
            })
            .collect();
        DrillRun {
            catalogue,
            request,
            plan_title,
            seed,
            rubric_version: rubric_version.to_string(),
            queue,
            next: 0,
            results: Vec::new(),
            follow_ups: 0,
        }
    }

    /// The drill to do now, `None` when the session is over.
    pub fn current(&self) -> Option<&Queued> {
        self.queue.get(self.next)
    }

    /// Drills done, and drills in the session (it can grow by follow-ups).
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.queue.len())
    }

    pub fn results(&self) -> &[DrillResult] {
        &self.results
    }

    pub fn plan_title(&self) -> Option<&str> {
        self.plan_title.as_deref()
    }

    /// Keeps the current drill's answers and moves on. After a first
    /// answer that missed, another drill on the same skill from another
    /// client comes two drills later (at most half the planned session in
    /// follow-ups).
    pub fn complete(&mut self, drill: &Drill) -> Option<&DrillResult> {
        let q = self.current()?;
        let result = drill.result(q.follow_up, q.review)?;
        self.record(result)
    }

    /// Keeps a result for the current drill and moves on, as
    /// [`DrillRun::complete`] does (for a drill answered elsewhere: a
    /// simulated trainee's).
    pub fn record(&mut self, result: DrillResult) -> Option<&DrillResult> {
        let q = self.current()?.clone();
        let missed = !result.first.good;
        self.results.push(result);
        self.next += 1;
        if missed && self.follow_ups < self.request.count.div_ceil(2) {
            let used: BTreeSet<String> = self.queue.iter().map(|q| q.point.id.clone()).collect();
            let seed = self.seed ^ (self.next as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            if let Some(p) = follow_up(&self.catalogue, &q.point, &used, &self.request, seed) {
                let at = (self.next + 1).min(self.queue.len());
                self.queue.insert(
                    at,
                    Queued {
                        point: p.clone(),
                        review: false,
                        follow_up: true,
                    },
                );
                self.follow_ups += 1;
            }
        }
        self.results.last()
    }

    /// No follow-ups after a miss (a baseline without successive refinement).
    pub fn follow_ups_off(&mut self) {
        self.follow_ups = usize::MAX;
    }

    /// Skips the current drill (it cannot be replayed, say): nothing is kept.
    pub fn skip(&mut self) {
        if self.next < self.queue.len() {
            self.next += 1;
        }
    }

    /// The record so far, with the drill on screen if it has been answered
    /// and not yet kept (so an answer is saved the moment it is given).
    /// `None` before any drill was answered.
    pub fn snapshot(&self, trainee: &str, on_screen: Option<&Drill>) -> Option<DrillRecord> {
        let pending = on_screen.zip(self.current()).and_then(|(d, q)| {
            (q.point.id == d.point().id)
                .then(|| d.result(q.follow_up, q.review))
                .flatten()
        });
        let mut results = self.results.clone();
        results.extend(pending);
        self.record_of(trainee, results)
    }

    /// The record of the drills done, `None` if none was.
    pub fn finish(&self, trainee: &str) -> Option<DrillRecord> {
        self.record_of(trainee, self.results.clone())
    }

    fn record_of(&self, trainee: &str, results: Vec<DrillResult>) -> Option<DrillRecord> {
        if results.is_empty() {
            return None;
        }
        Some(DrillRecord {
            format: DRILL_FORMAT.into(),
            version: DRILL_VERSION,
            trainee: trainee.trim().to_string(),
            rubric_version: self.rubric_version.clone(),
            plan: self.plan_title.clone(),
            seed: self.seed,
            finished_at: now_secs(),
            results,
        })
    }
}
