//! The session engine: a state machine you drive. `Session::choose` takes
//! the trainee's option and returns what happened as events. The CLI's
//! `play`, the app and the tests all drive this same engine.

use crate::core::model::{Choice, ClientState, Emotion, MoveKind, Node, Outcome, Scenario, Topic};
use crate::core::rubric::{Evaluation, Fired, FiredKind, Guidance, MoveContext, ScoreDelta};
pub use crate::core::scoring::Scores;
use crate::core::scoring::{Tally, TurnPoints, against_options};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Why a move could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the session has ended; no more choices can be made")]
    Ended,
    #[error("there is no option {given}; choose 1 to {available}")]
    NoSuchOption { given: usize, available: usize },
    #[error("the scenario refers to `{0}`, which does not exist (validate the scenario)")]
    BrokenScenario(String),
    #[error("cannot rewind to turn {turn}: the session has {turns} turns")]
    NoSuchTurn { turn: usize, turns: usize },
}

/// A session stops after this many moves, whatever the scenario says: a
/// conversation that loops forever must not grow without bound. No real
/// session comes near it (each move takes at least a simulated minute).
pub const MAX_TURNS: usize = 1_000;

/// One option as shown to the trainee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownOption {
    /// Its index in the scenario's node (stable across shuffles).
    pub index: usize,
    pub text: String,
}

/// What the trainee sees at a choice point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub node: String,
    pub client_line: String,
    pub disclosures: Vec<String>,
    pub options: Vec<ShownOption>,
    pub risk: bool,
    /// What the trainee can see of the client here: the emotion shown, a
    /// refusal, a rupture, and a line of body language.
    #[serde(default)]
    pub cue: Cue,
}

/// What the client shows besides words at a choice point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emotion: Option<Emotion>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declines: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rupture: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hesitant: bool,
    /// A line of body language ("She looks away and folds her arms").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
}

/// What happened after a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The rubric's view of the move.
    Assessed {
        fired: Vec<Fired>,
        score: ScoreDelta,
    },
    /// The client's state moved.
    StateChanged {
        before: ClientState,
        after: ClientState,
    },
    /// The client spoke (the next choice point).
    ClientSpoke(Prompt),
    /// The session reached an ending.
    Ended {
        ending: String,
        title: String,
        text: String,
        outcome: Outcome,
    },
}

/// The record of one move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub number: usize,
    pub node: String,
    pub client_line: String,
    pub disclosures: Vec<String>,
    /// 1-based position of the chosen option in the shuffled list shown.
    pub shown_position: usize,
    /// Index of the chosen option in the scenario's node.
    pub option: usize,
    pub text: String,
    #[serde(rename = "move")]
    pub kind: MoveKind,
    pub topic: Topic,
    /// Minutes on the session clock when the move was made.
    pub clock: u32,
    pub minutes: u32,
    pub before: ClientState,
    pub after: ClientState,
    pub fired: Vec<Fired>,
    pub score: ScoreDelta,
    /// Running scores after this move.
    pub scores: Scores,
    /// What this choice point put at stake and what the move kept of it.
    #[serde(default)]
    pub points: TurnPoints,
    /// Per dimension on which the move fell short of an option shown: by
    /// how much, the option, and why it would have served better.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub losses: Vec<DimensionLoss>,
    /// What the client showed at this point.
    #[serde(default)]
    pub cue: Cue,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_feedback: String,
    /// A better option at this point, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<BetterMove>,
    /// The principles this choice point tested, when one option was
    /// clearly best (see [`crate::core::rubric::decision`]), the one that
    /// decided most first: the skill profile counts the move as a chance at
    /// each, taken when `better` is empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tested: Vec<String>,
}

/// Points a move gave up on one dimension against the option shown that
/// would have earned the most there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionLoss {
    pub dimension: crate::core::rubric::Dimension,
    pub points: i32,
    /// The option that would have earned most on this dimension.
    pub instead: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BetterMove {
    pub text: String,
    #[serde(rename = "move")]
    pub kind: MoveKind,
    /// How many more points (summed over the dimensions) it would have earned.
    pub gain: i32,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    At(usize),
    Ended(usize),
    /// Stopped at [`MAX_TURNS`] without reaching an ending.
    Stopped,
}

/// A session in progress (or finished).
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Arc<Scenario>,
    guidance: Arc<Guidance>,
    index: HashMap<String, usize>,
    seed: u64,
    rng: ChaCha8Rng,
    /// Whether the client's mood drifts a little from move to move.
    mood: bool,
    mind: Mind,
    tally: Tally,
    position: Position,
    prompt: Option<Prompt>,
    /// The rubric's view of each shown option, in shown order: worked out
    /// once when the client speaks, used by the move, the better move,
    /// coach mode and group play alike.
    assessed: Vec<Evaluation>,
    turns: Vec<Turn>,
    end_fired: Vec<Fired>,
    history: Vec<ClientState>,
    /// In a case: how the client arrived from the sessions before.
    carried: Option<Carried>,
}

/// How a client arrives at a session of a case: the state carried over
/// from the sessions before (see [`crate::core::case`]) and what those
/// sessions set (agreements, disclosures, tasks done), which conditions
/// test with `earlier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub state: ClientState,
    pub earlier: BTreeSet<String>,
    /// The session's number in the course and the course's length
    /// ("session 9 of 14"), which conditions test with `min_session` and
    /// `max_session`.
    pub session: Option<(u32, u32)>,
}

/// The client hesitates when the node says so, or the state shows it.
pub fn is_hesitant(node: &Node, state: &ClientState) -> bool {
    node.hesitant || state.distress >= 70 || state.openness <= 25
}

fn clamp_state(s: &mut ClientState) {
    s.trust = s.trust.clamp(0, 100);
    s.distress = s.distress.clamp(0, 100);
    s.openness = s.openness.clamp(0, 100);
}

/// What the client carries from move to move: everything that decides how
/// the next move is judged and what the client says and offers. The session
/// and the analysis (`analysis.rs`) both move it with these methods, so they
/// cannot drift apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mind {
    pub state: ClientState,
    pub memory: BTreeSet<String>,
    pub used_moves: BTreeSet<MoveKind>,
    pub tasks_done: BTreeSet<String>,
    pub explored: u32,
    pub clock: u32,
    pub risk_pending: bool,
    pub hesitant: bool,
    /// The cues of the node the client is at.
    pub emotion: Option<Emotion>,
    pub declines: bool,
    pub node_rupture: bool,
    /// A harmful move has not been repaired since.
    pub rupture_open: bool,
    /// A hint of risk was passed over and safety not asked about since.
    pub risk_open: bool,
    /// The last move's topic and kind, and how many moves in a row had them.
    pub last_topic: Option<Topic>,
    pub topic_run: u32,
    pub last_move: Option<MoveKind>,
    pub move_run: u32,
}

impl Mind {
    pub fn start(scenario: &Scenario) -> Mind {
        Mind::new(scenario.client.start)
    }

    /// A client arriving at a session of a case: in the carried state, with
    /// what the sessions before set as `earlier:` flags (the session and
    /// `analyze` both start a case's session from this).
    pub fn carried(c: &Carried) -> Mind {
        let mut m = Mind::new(c.state);
        m.memory.extend(
            c.earlier
                .iter()
                .map(|f| crate::core::model::earlier_flag(f)),
        );
        m.memory.insert(crate::core::model::IN_A_CASE.to_string());
        if let Some((number, total)) = c.session {
            m.memory
                .insert(crate::core::model::session_flag(number, total));
        }
        m
    }

    /// A client in this state with nothing yet said or done.
    pub fn new(mut state: ClientState) -> Mind {
        clamp_state(&mut state);
        Mind {
            state,
            memory: BTreeSet::new(),
            used_moves: BTreeSet::new(),
            tasks_done: BTreeSet::new(),
            explored: 0,
            clock: 0,
            risk_pending: false,
            hesitant: false,
            emotion: None,
            declines: false,
            node_rupture: false,
            rupture_open: false,
            risk_open: false,
            last_topic: None,
            topic_run: 0,
            last_move: None,
            move_run: 0,
        }
    }

    pub fn context<'a>(&'a self, scenario: &Scenario) -> MoveContext<'a> {
        MoveContext {
            area: scenario.area,
            phase: scenario.phase,
            state: self.state,
            memory: &self.memory,
            hesitant: self.hesitant,
            risk_pending: self.risk_pending,
            explored: self.explored,
            used_moves: &self.used_moves,
            tasks_done: &self.tasks_done,
            clock: self.clock,
            session_minutes: scenario.minutes,
            emotion: self.emotion,
            declines: self.declines,
            rupture: self.node_rupture || self.rupture_open,
            risk_open: self.risk_open,
            last_topic: self.last_topic,
            topic_run: self.topic_run,
            last_move: self.last_move,
            move_run: self.move_run,
        }
    }

    /// The move's effect on the client: the rubric's, the author's, and the
    /// mood's small drift (distress, openness).
    pub fn make_move(&mut self, choice: &Choice, ev: &Evaluation, mood: (i32, i32)) {
        self.state.trust += ev.client.trust + choice.adjust.trust;
        self.state.distress += ev.client.distress + choice.adjust.distress + mood.0;
        self.state.openness += ev.client.openness + choice.adjust.openness + mood.1;
        clamp_state(&mut self.state);
        self.memory.extend(ev.remember.iter().cloned());
        self.tasks_done.extend(ev.tasks_covered.iter().cloned());
        self.used_moves.insert(choice.kind);
        if choice.kind.is_exploratory() {
            self.explored = self.explored.saturating_add(1);
        }
        // A harmful move that cost the client's trust opens a rupture;
        // owning the misstep mends it.
        if choice.kind == MoveKind::RepairRupture {
            self.rupture_open = false;
        }
        if ev.harm && ev.client.trust < 0 {
            self.rupture_open = true;
        }
        // Risk passed over stays open until safety is asked about.
        if choice.kind == MoveKind::SafetyCheck {
            self.risk_open = false;
        } else if self.risk_pending {
            self.risk_open = true;
        }
        self.topic_run = if self.last_topic == Some(choice.topic) {
            self.topic_run.saturating_add(1)
        } else {
            1
        };
        self.move_run = if self.last_move == Some(choice.kind) {
            self.move_run.saturating_add(1)
        } else {
            1
        };
        self.last_topic = Some(choice.topic);
        self.last_move = Some(choice.kind);
        self.risk_pending = false;
        self.clock = self.clock.saturating_add(choice.minutes);
    }

    /// Arriving at a node: whether the client hesitates, a risk hint, and
    /// what the client now discloses (their indices in the node).
    pub fn arrive(&mut self, node: &Node) -> Vec<usize> {
        self.hesitant = is_hesitant(node, &self.state);
        self.emotion = node.emotion;
        self.declines = node.declines;
        self.node_rupture = node.rupture;
        if node.risk {
            self.risk_pending = true;
        }
        let mut disclosed = Vec::new();
        for (i, d) in node.disclosures.iter().enumerate() {
            if !self.memory.contains(&d.id) && d.when.holds(&self.state, &self.memory) {
                self.memory.insert(d.id.clone());
                disclosed.push(i);
            }
        }
        disclosed
    }

    /// The node's options the client's state lets the trainee see, with
    /// their indices in the node.
    pub fn visible<'n>(&self, node: &'n Node) -> impl Iterator<Item = (usize, &'n Choice)> {
        node.options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.when.holds(&self.state, &self.memory))
    }

    /// What the session's end costs: tasks never covered, and running over.
    /// Against the options, a task the scenario never offers is not the
    /// trainee's to miss and costs nothing.
    pub fn end_penalties(&self, guidance: &Guidance, scenario: &Scenario) -> Vec<Fired> {
        let mut fired = guidance.missed_tasks(scenario.phase, scenario.area, &self.tasks_done);
        if guidance.scoring.model == crate::core::rubric::ScoringModel::AgainstOptions {
            let offered = offered_tasks(guidance, scenario);
            fired.retain(|f| offered.contains(f.task.as_str()));
        }
        if self.clock > scenario.minutes {
            let over = self.clock - scenario.minutes;
            if let Some(p) = guidance.principle("use-the-hour") {
                fired.push(Fired {
                    principle: p.id.clone(),
                    principle_name: p.name.clone(),
                    source: p.source.clone(),
                    score: overtime_penalty(over),
                    feedback: format!(
                        "The session ran {over} minutes past its {} minutes.",
                        scenario.minutes
                    ),
                    better: "Keep the session's tasks within the agreed time; leave detours for later sessions.".into(),
                    critical: false,
                    harm: false,
                    kind: FiredKind::SessionEnd,
                    task: String::new(),
                    client: crate::core::model::Adjust::default(),
                    withheld: ScoreDelta::default(),
                });
            }
        }
        fired
    }
}

/// The tasks some option of the scenario covers, on any node a route can
/// reach (whatever the client's state).
pub fn offered_tasks<'a>(guidance: &'a Guidance, scenario: &Scenario) -> BTreeSet<&'a str> {
    let reached = crate::core::graph::reachable(scenario);
    let options: Vec<&Choice> = scenario
        .nodes
        .iter()
        .filter(|n| reached.contains(&n.id))
        .flat_map(|n| &n.options)
        .collect();
    guidance
        .tasks_for(scenario.phase, scenario.area)
        .filter(|t| {
            options.iter().any(|o| {
                t.moves.contains(&o.kind) && (t.topics.is_empty() || t.topics.contains(&o.topic))
            })
        })
        .map(|t| t.id.as_str())
        .collect()
}

/// Running over costs a point of pacing per minute, up to this many.
pub(crate) const OVERTIME_PENALTY_CAP: u32 = 20;

/// What running `over` minutes past the session's length costs.
pub(crate) fn overtime_penalty(over: u32) -> ScoreDelta {
    ScoreDelta {
        pacing: -i32::try_from(over.min(OVERTIME_PENALTY_CAP)).unwrap_or(0),
        ..ScoreDelta::default()
    }
}

impl Session {
    /// Starts a session. Fails only if the scenario's start node is missing
    /// (which `validate` reports).
    pub fn new(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
    ) -> Result<Self, SessionError> {
        Session::start_with(scenario, guidance, seed, None)
    }

    /// Starts a session of a case: the client arrives as `carried` says,
    /// not at the scenario's own starting state.
    pub fn carried(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
        carried: Carried,
    ) -> Result<Self, SessionError> {
        Session::start_with(scenario, guidance, seed, Some(carried))
    }

    fn start_with(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
        carried: Option<Carried>,
    ) -> Result<Self, SessionError> {
        let index = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect::<HashMap<_, _>>();
        let start = scenario.start_id().to_string();
        let &first = index
            .get(&start)
            .ok_or_else(|| SessionError::BrokenScenario(start.clone()))?;
        let mind = match &carried {
            Some(c) => Mind::carried(c),
            None => Mind::start(&scenario),
        };
        let state = mind.state;
        let mut s = Session {
            scenario,
            guidance,
            index,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            mood: true,
            mind,
            tally: Tally::default(),
            position: Position::At(first),
            prompt: None,
            assessed: Vec::new(),
            turns: Vec::new(),
            end_fired: Vec::new(),
            history: vec![state],
            carried,
        };
        s.arrive(first);
        Ok(s)
    }

    /// Replays a session from its seed and the 1-based positions chosen.
    pub fn replay(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
        positions: &[usize],
    ) -> Result<Self, SessionError> {
        let mut s = Session::new(scenario, guidance, seed)?;
        for &p in positions {
            s.choose(p)?;
        }
        Ok(s)
    }

    /// A session whose client has no mood drift: the client exactly as the
    /// rubric and the scenario move it, as `ipt-trainer analyze` models it.
    /// Option order and line variants still come from the seed.
    pub fn steady(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
    ) -> Result<Self, SessionError> {
        let mut s = Session::new(scenario, guidance, seed)?;
        s.mood = false;
        Ok(s)
    }

    /// This session without the client's mood drift from here on (as
    /// [`Session::steady`]): a case's course played as `analyze` models it.
    #[must_use]
    pub fn steadied(mut self) -> Session {
        self.mood = false;
        self
    }

    /// Whether the client's mood drifts (see [`Session::steady`]).
    pub fn is_steady(&self) -> bool {
        !self.mood
    }

    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    pub fn guidance(&self) -> &Arc<Guidance> {
        &self.guidance
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn state(&self) -> ClientState {
        self.mind.state
    }

    /// The client's state at the start and after every move.
    pub fn state_history(&self) -> &[ClientState] {
        &self.history
    }

    pub fn clock(&self) -> u32 {
        self.mind.clock
    }

    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// The 1-based positions chosen so far, for replay.
    pub fn positions(&self) -> Vec<usize> {
        self.turns.iter().map(|t| t.shown_position).collect()
    }

    /// The current choice point, or `None` once the session has ended.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.as_ref()
    }

    /// Whether no more moves can be made: an ending was reached, or the
    /// session stopped at [`MAX_TURNS`].
    pub fn is_ended(&self) -> bool {
        matches!(self.position, Position::Ended(_) | Position::Stopped)
    }

    /// Whether the session was stopped at [`MAX_TURNS`] before any ending.
    pub fn hit_turn_limit(&self) -> bool {
        self.position == Position::Stopped
    }

    /// The ending reached, if any.
    pub fn ending(&self) -> Option<&crate::core::model::Ending> {
        match self.position {
            Position::Ended(i) => self.scenario.endings.get(i),
            Position::At(_) | Position::Stopped => None,
        }
    }

    /// Penalties applied when the session ended (tasks it never covered).
    pub fn end_fired(&self) -> &[Fired] {
        &self.end_fired
    }

    /// The ids of the rubric's tasks covered so far.
    pub fn tasks_done(&self) -> &BTreeSet<String> {
        &self.mind.tasks_done
    }

    pub fn had_critical_error(&self) -> bool {
        self.tally.critical
    }

    /// The running scores.
    pub fn scores(&self) -> Scores {
        self.tally.scores(&self.guidance)
    }

    /// The points so far: raw, and earned against what was at stake.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    fn node_at(&self, i: usize) -> &Node {
        &self.scenario.nodes[i]
    }

    /// The rubric's view of an option in the current context (no side effects).
    pub fn assess(&self, choice: &Choice) -> Evaluation {
        self.guidance.evaluate(
            &self.mind.context(&self.scenario),
            choice.kind,
            choice.topic,
        )
    }

    /// The options the trainee is offered, in shown order, with the rubric's
    /// view of each (worked out once per choice point): what coach mode and
    /// the group debrief show. Empty once the session has ended.
    pub fn assessed_options(&self) -> impl Iterator<Item = (&ShownOption, &Evaluation)> {
        self.prompt
            .iter()
            .flat_map(|p| p.options.iter())
            .zip(&self.assessed)
    }

    /// What the current choice point tests (see
    /// [`crate::core::rubric::decision`]), `None` when no option is clearly
    /// best or the session has ended.
    pub fn decision(&self) -> Option<crate::core::rubric::Decision> {
        crate::core::rubric::decision(&self.assessed)
    }

    /// The 1-based position of the shown option the rubric rates best now
    /// (a serious error never counts as best). `None` once the session ended.
    pub fn best_position(&self) -> Option<usize> {
        crate::core::rubric::best_index(&self.assessed).map(|i| i + 1)
    }

    /// Makes the move at 1-based position `position` of the shown options.
    pub fn choose(&mut self, position: usize) -> Result<Vec<Event>, SessionError> {
        let Position::At(node_index) = self.position else {
            return Err(SessionError::Ended);
        };
        let prompt = self.prompt.clone().ok_or(SessionError::Ended)?;
        let available = prompt.options.len();
        let shown = position
            .checked_sub(1)
            .and_then(|p| prompt.options.get(p))
            .ok_or(SessionError::NoSuchOption {
                given: position,
                available,
            })?;
        let node = self.node_at(node_index).clone();
        let choice = node
            .options
            .get(shown.index)
            .ok_or_else(|| SessionError::BrokenScenario(node.id.clone()))?
            .clone();

        let ev = self
            .assessed
            .get(position - 1)
            .cloned()
            .ok_or_else(|| SessionError::BrokenScenario(node.id.clone()))?;
        let better = self.better_than(&node, &prompt, position - 1, &ev);
        let tested =
            crate::core::rubric::decision(&self.assessed).map_or_else(Vec::new, |d| d.principles);
        let mut events = vec![Event::Assessed {
            fired: ev.fired.clone(),
            score: ev.score,
        }];

        // The client's state moves: rubric, author's adjustment, a little mood.
        let before = self.mind.state;
        let mood = if self.mood {
            (self.rng.random_range(-1..=1), self.rng.random_range(-1..=1))
        } else {
            (0, 0)
        };
        let clock_at = self.mind.clock;
        let points = against_options(
            position - 1,
            &self.assessed,
            self.guidance.scoring.min_stake,
        );
        let losses = self.losses(&node, &prompt, &ev, points);
        self.mind.make_move(&choice, &ev, mood);
        let after = self.mind.state;
        events.push(Event::StateChanged { before, after });
        self.tally.add_move(&ev, points);
        self.history.push(after);

        self.turns.push(Turn {
            number: self.turns.len() + 1,
            node: node.id.clone(),
            client_line: prompt.client_line.clone(),
            disclosures: prompt.disclosures.clone(),
            shown_position: position,
            option: shown.index,
            text: choice.text.clone(),
            kind: choice.kind,
            topic: choice.topic,
            clock: clock_at,
            minutes: choice.minutes,
            before,
            after,
            fired: ev.fired,
            score: ev.score,
            scores: self.scores(),
            points,
            losses,
            cue: prompt.cue.clone(),
            author_feedback: choice.feedback.clone(),
            better,
            tested,
        });

        if self.turns.len() >= MAX_TURNS {
            self.stop();
        } else if let Some(&next) = self.index.get(&choice.next) {
            self.arrive(next);
            if let Some(p) = &self.prompt {
                events.push(Event::ClientSpoke(p.clone()));
            }
        } else if let Some(e) = self
            .scenario
            .endings
            .iter()
            .position(|e| e.id == choice.next)
        {
            self.finish(e);
            let ending = &self.scenario.endings[e];
            events.push(Event::Ended {
                ending: ending.id.clone(),
                title: ending.title.clone(),
                text: ending.text.clone(),
                outcome: ending.outcome,
            });
        } else {
            return Err(SessionError::BrokenScenario(choice.next));
        }
        Ok(events)
    }

    /// Rewinds to just before turn `turn` (1-based): the session is replayed
    /// from its seed with the moves before it, so the client is as it was.
    pub fn rewind_to(&self, turn: usize) -> Result<Session, SessionError> {
        if turn == 0 || turn > self.turns.len() {
            return Err(SessionError::NoSuchTurn {
                turn,
                turns: self.turns.len(),
            });
        }
        let positions = self.positions();
        let mut s = Session::start_with(
            self.scenario.clone(),
            self.guidance.clone(),
            self.seed,
            self.carried.clone(),
        )?;
        s.mood = self.mood;
        for &p in &positions[..turn - 1] {
            s.choose(p)?;
        }
        Ok(s)
    }

    /// How the client arrived, in a case (`None` for a single session).
    pub fn carried_in(&self) -> Option<&Carried> {
        self.carried.as_ref()
    }

    /// What the client remembers now: disclosures made, the rubric's flags
    /// (`time-limit`, `pressed`, ...), and in a case `earlier:` and each
    /// flag the sessions before set.
    pub fn memory(&self) -> &BTreeSet<String> {
        &self.mind.memory
    }

    /// Where the chosen move fell short of the best option on each
    /// dimension, with that option and the reason it would have served.
    fn losses(
        &self,
        node: &Node,
        prompt: &Prompt,
        chosen: &Evaluation,
        points: TurnPoints,
    ) -> Vec<DimensionLoss> {
        use crate::core::rubric::Dimension;
        let short = points.shortfall();
        Dimension::ALL
            .into_iter()
            .filter(|&d| short.get(d) > 0)
            .filter_map(|d| {
                let mut best: Option<(usize, i32)> = None;
                for (i, ev) in self.assessed.iter().enumerate() {
                    let v = ev.score.get(d);
                    if best.is_none_or(|(_, b)| v > b) {
                        best = Some((i, v));
                    }
                }
                let (at, _) = best?;
                let option = node.options.get(prompt.options.get(at)?.index)?;
                // A harmful move: what the rubric says would have served;
                // otherwise what the better option earned here.
                let why = if chosen.harm || chosen.critical {
                    chosen.main_reason().map(Fired::advice)
                } else {
                    // What the better option earned on this dimension; if
                    // it earned nothing there (it only lost less), what the
                    // rule that cost the chosen move points says instead.
                    let earned = self.assessed[at]
                        .fired
                        .iter()
                        .filter(|f| f.score.get(d) > 0)
                        .min_by_key(|f| std::cmp::Reverse(f.score.get(d)))
                        .map(|f| f.feedback.clone());
                    earned.or_else(|| {
                        chosen
                            .fired
                            .iter()
                            .filter(|f| f.score.get(d) < 0)
                            .min_by_key(|f| f.score.get(d))
                            .map(Fired::advice)
                    })
                }
                .unwrap_or_default();
                Some(DimensionLoss {
                    dimension: d,
                    points: short.get(d),
                    instead: option.text.clone(),
                    why,
                })
            })
            .collect()
    }

    /// The best shown option by the rubric, if it ranks above the one chosen
    /// (the `chosen`-th shown, from 0).
    fn better_than(
        &self,
        node: &Node,
        prompt: &Prompt,
        chosen: usize,
        chosen_ev: &Evaluation,
    ) -> Option<BetterMove> {
        let chosen_total = chosen_ev.score.total();
        let at = crate::core::rubric::best_index(&self.assessed)?;
        let best_ev = self.assessed.get(at)?;
        if at == chosen || best_ev.rank() <= chosen_ev.rank() {
            return None;
        }
        let best = node.options.get(prompt.options.get(at)?.index)?;
        // What the rubric says would have served: the advice of the reason
        // that decided against the move, else of any reason against it,
        // else what decided for the better one.
        let why = chosen_ev
            .main_reason()
            .filter(|f| !f.better.is_empty())
            .or_else(|| chosen_ev.fired.iter().find(|f| !f.better.is_empty()))
            .map(|f| f.better.clone())
            .or_else(|| best_ev.main_reason().map(|f| f.feedback.clone()))
            .unwrap_or_default();
        Some(BetterMove {
            text: best.text.clone(),
            kind: best.kind,
            gain: best_ev.score.total() - chosen_total,
            why,
        })
    }

    fn arrive(&mut self, i: usize) {
        let scenario = self.scenario.clone();
        let node = &scenario.nodes[i];
        self.position = Position::At(i);

        // The line: among the variants whose condition holds, conditional
        // ones first; among equals, one drawn at random.
        let conditional: Vec<&str> = node
            .client
            .iter()
            .filter(|l| !l.when.is_empty() && l.when.holds(&self.mind.state, &self.mind.memory))
            .map(|l| l.text.as_str())
            .collect();
        let candidates = if conditional.is_empty() {
            node.client
                .iter()
                .filter(|l| l.when.is_empty())
                .map(|l| l.text.as_str())
                .collect()
        } else {
            conditional
        };
        let client_line = if candidates.is_empty() {
            node.client
                .last()
                .map(|l| l.text.clone())
                .unwrap_or_default()
        } else {
            let k = self.rng.random_range(0..candidates.len());
            candidates[k].to_string()
        };

        let disclosures = self
            .mind
            .arrive(node)
            .into_iter()
            .map(|d| node.disclosures[d].text.clone())
            .collect();

        let mut options: Vec<ShownOption> = self
            .mind
            .visible(node)
            .map(|(index, o)| ShownOption {
                index,
                text: o.text.clone(),
            })
            .collect();
        options.shuffle(&mut self.rng);

        let ctx = self.mind.context(&self.scenario);
        self.assessed = options
            .iter()
            .filter_map(|o| node.options.get(o.index))
            .map(|c| self.guidance.evaluate(&ctx, c.kind, c.topic))
            .collect();
        let cue = Cue {
            emotion: node.emotion,
            declines: node.declines,
            rupture: node.rupture || self.mind.rupture_open,
            hesitant: self.mind.hesitant,
            body: if node.body.trim().is_empty() {
                crate::core::cue::body_language(
                    &self.scenario.client,
                    node.emotion,
                    &self.mind,
                    node.declines,
                )
            } else {
                node.body.trim().to_string()
            },
        };
        self.prompt = Some(Prompt {
            node: node.id.clone(),
            client_line,
            disclosures,
            options,
            risk: node.risk,
            cue,
        });
    }

    /// Stops the session at the turn limit: no ending, but the session's
    /// end is charged as at any ending (tasks never covered, overtime).
    fn stop(&mut self) {
        self.position = Position::Stopped;
        self.prompt = None;
        self.assessed.clear();
        self.end_fired = self.mind.end_penalties(&self.guidance, &self.scenario);
        self.tally.add_charges(&self.end_fired);
    }

    fn finish(&mut self, ending: usize) {
        self.position = Position::Ended(ending);
        self.prompt = None;
        self.assessed.clear();
        self.end_fired = self.mind.end_penalties(&self.guidance, &self.scenario);
        self.tally.add_charges(&self.end_fired);
    }
}
