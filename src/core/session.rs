//! The session engine: a state machine you drive. `Session::choose` takes
//! the trainee's option and returns what happened as events. The CLI's
//! `play`, the app and the tests all drive this same engine.

use crate::core::model::{Choice, ClientState, MoveKind, Node, Outcome, Scenario, Topic};
use crate::core::rubric::{Evaluation, Fired, Guidance, MoveContext, ScoreDelta};
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

/// The three scores and the overall, each 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub rapport: i32,
    pub pacing: i32,
    pub focus: i32,
    pub overall: i32,
}

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
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author_feedback: String,
    /// A better option at this point, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub better: Option<BetterMove>,
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
    critical: bool,
    raw: ScoreDelta,
    position: Position,
    prompt: Option<Prompt>,
    turns: Vec<Turn>,
    end_fired: Vec<Fired>,
    history: Vec<ClientState>,
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
}

impl Mind {
    pub fn start(scenario: &Scenario) -> Mind {
        let mut state = scenario.client.start;
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
            self.explored += 1;
        }
        self.risk_pending = false;
        self.clock += choice.minutes;
    }

    /// Arriving at a node: whether the client hesitates, a risk hint, and
    /// what the client now discloses (their indices in the node).
    pub fn arrive(&mut self, node: &Node) -> Vec<usize> {
        self.hesitant = is_hesitant(node, &self.state);
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
    pub fn end_penalties(&self, guidance: &Guidance, scenario: &Scenario) -> Vec<Fired> {
        let mut fired = guidance.missed_tasks(scenario.phase, scenario.area, &self.tasks_done);
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
                });
            }
        }
        fired
    }
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

impl Scores {
    /// The scores from raw points: each dimension from the rubric's base,
    /// kept within 0 to 100; a serious error caps the overall.
    pub fn from_raw(raw: ScoreDelta, critical: bool, guidance: &Guidance) -> Scores {
        let base = guidance.scoring.base;
        let clamp = |v: i32| (base + v).clamp(0, 100);
        let rapport = clamp(raw.rapport);
        let pacing = clamp(raw.pacing);
        let focus = clamp(raw.focus);
        let mut overall = (rapport + pacing + focus + 1) / 3;
        if critical {
            overall = overall.min(guidance.scoring.critical_cap);
        }
        Scores {
            rapport,
            pacing,
            focus,
            overall,
        }
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
        let mind = Mind::start(&scenario);
        let state = mind.state;
        let mut s = Session {
            scenario,
            guidance,
            index,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            mood: true,
            mind,
            critical: false,
            raw: ScoreDelta::default(),
            position: Position::At(first),
            prompt: None,
            turns: Vec::new(),
            end_fired: Vec::new(),
            history: vec![state],
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

    pub fn is_ended(&self) -> bool {
        matches!(self.position, Position::Ended(_))
    }

    /// The ending reached, if any.
    pub fn ending(&self) -> Option<&crate::core::model::Ending> {
        match self.position {
            Position::Ended(i) => self.scenario.endings.get(i),
            Position::At(_) => None,
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
        self.critical
    }

    /// The running scores.
    pub fn scores(&self) -> Scores {
        Scores::from_raw(self.raw, self.critical, &self.guidance)
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
    /// view of each: what coach mode and the group debrief show.
    pub fn assess_options(&self) -> Vec<(ShownOption, Evaluation)> {
        let (Position::At(i), Some(prompt)) = (&self.position, &self.prompt) else {
            return Vec::new();
        };
        let node = self.node_at(*i);
        prompt
            .options
            .iter()
            .filter_map(|o| {
                node.options
                    .get(o.index)
                    .map(|c| (o.clone(), self.assess(c)))
            })
            .collect()
    }

    /// The 1-based position of the shown option the rubric rates best now
    /// (a serious error never counts as best). `None` once the session ended.
    pub fn best_position(&self) -> Option<usize> {
        self.assess_options()
            .iter()
            .enumerate()
            .max_by_key(|(_, (_, ev))| (!ev.critical, ev.score.total()))
            .map(|(i, _)| i + 1)
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

        let ev = self.assess(&choice);
        let better = self.better_than(&node, &prompt, &choice, &ev);
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
        self.mind.make_move(&choice, &ev, mood);
        let after = self.mind.state;
        events.push(Event::StateChanged { before, after });
        self.critical |= ev.critical;
        self.raw += ev.score;
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
            author_feedback: choice.feedback.clone(),
            better,
        });

        if let Some(&next) = self.index.get(&choice.next) {
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
        Session::replay(
            self.scenario.clone(),
            self.guidance.clone(),
            self.seed,
            &positions[..turn - 1],
        )
    }

    /// The best available option by the rubric, if it beats the chosen one.
    fn better_than(
        &self,
        node: &Node,
        prompt: &Prompt,
        chosen: &Choice,
        chosen_ev: &Evaluation,
    ) -> Option<BetterMove> {
        let chosen_total = chosen_ev.score.total();
        let (best, best_ev) = prompt
            .options
            .iter()
            .filter_map(|o| node.options.get(o.index))
            .filter(|c| *c != chosen)
            .map(|c| (c, self.assess(c)))
            .max_by_key(|(_, ev)| (!ev.critical, ev.score.total()))?;
        let beats =
            best_ev.score.total() > chosen_total || (chosen_ev.critical && !best_ev.critical);
        if !beats {
            return None;
        }
        let why = chosen_ev
            .fired
            .iter()
            .find(|f| !f.better.is_empty())
            .map(|f| f.better.clone())
            .or_else(|| {
                best_ev
                    .fired
                    .iter()
                    .filter(|f| f.score.total() > 0)
                    .max_by_key(|f| f.score.total())
                    .map(|f| f.feedback.clone())
            })
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

        self.prompt = Some(Prompt {
            node: node.id.clone(),
            client_line,
            disclosures,
            options,
            risk: node.risk,
        });
    }

    fn finish(&mut self, ending: usize) {
        self.position = Position::Ended(ending);
        self.prompt = None;
        self.end_fired = self.mind.end_penalties(&self.guidance, &self.scenario);
        for f in &self.end_fired {
            self.raw += f.score;
        }
    }
}
