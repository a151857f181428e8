//! The rubric: principles derived from the guidance, each with rules the
//! engine evaluates against the client's state, the session clock and the
//! move. Loaded from `assets/guidance.ron`.

use crate::core::model::{Adjust, Condition, Emotion, MoveKind, Phase, ProblemArea, Topic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The three dimensions a trainee is scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    Rapport,
    Pacing,
    Focus,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::Rapport, Dimension::Pacing, Dimension::Focus];

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Rapport => "Rapport",
            Dimension::Pacing => "Pacing",
            Dimension::Focus => "Focus",
        }
    }
}

/// A change to the three scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreDelta {
    pub rapport: i32,
    pub pacing: i32,
    pub focus: i32,
}

impl ScoreDelta {
    pub fn get(&self, d: Dimension) -> i32 {
        match d {
            Dimension::Rapport => self.rapport,
            Dimension::Pacing => self.pacing,
            Dimension::Focus => self.focus,
        }
    }

    pub fn total(&self) -> i32 {
        self.rapport
            .saturating_add(self.pacing)
            .saturating_add(self.focus)
    }

    pub fn is_zero(&self) -> bool {
        *self == ScoreDelta::default()
    }
}

/// Saturating: a hostile rubric cannot make a score wrap round.
impl std::ops::AddAssign for ScoreDelta {
    fn add_assign(&mut self, o: Self) {
        self.rapport = self.rapport.saturating_add(o.rapport);
        self.pacing = self.pacing.saturating_add(o.pacing);
        self.focus = self.focus.saturating_add(o.focus);
    }
}

impl std::ops::AddAssign for Adjust {
    fn add_assign(&mut self, o: Self) {
        self.trust = self.trust.saturating_add(o.trust);
        self.distress = self.distress.saturating_add(o.distress);
        self.openness = self.openness.saturating_add(o.openness);
    }
}

/// When a rule fires. Every field is optional; all given ones must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleCondition {
    /// The move is one of these (empty: any move).
    pub moves: Vec<MoveKind>,
    /// The move is none of these.
    pub not_moves: Vec<MoveKind>,
    /// The option is about one of these (empty: any topic).
    pub topics: Vec<Topic>,
    /// The scenario's problem area is one of these (empty: any).
    pub areas: Vec<ProblemArea>,
    /// The session's phase is one of these (empty: any).
    pub phases: Vec<Phase>,
    /// The client's state and memory before the move.
    pub client: Condition,
    /// Whether the client is hesitating (node marked hesitant, distress >= 70 or openness <= 25).
    pub hesitant: Option<bool>,
    /// Whether the client has just hinted at risk and it has not been taken up.
    pub risk_pending: Option<bool>,
    /// At most this many exploratory moves so far.
    pub max_explored: Option<u32>,
    /// At least this many exploratory moves so far.
    pub min_explored: Option<u32>,
    /// Whether this is the first time this kind of move is used in the session.
    pub first_use: Option<bool>,
    /// Whether the session clock has passed the session's length.
    pub over_time: Option<bool>,
    /// At least this percentage of the session's minutes has passed.
    pub min_elapsed_percent: Option<u32>,
    /// At most this percentage of the session's minutes has passed.
    pub max_elapsed_percent: Option<u32>,
    /// The session clock (minutes before the move) is at least this.
    pub min_minute: Option<u32>,
    /// The session clock (minutes before the move) is at most this.
    pub max_minute: Option<u32>,
    /// The client shows one of these emotions here (empty: any, or none).
    pub emotions: Vec<Emotion>,
    /// Whether the client has just declined to talk about something.
    pub declines: Option<bool>,
    /// Whether the alliance is ruptured: the node shows it, or a harmful
    /// move earlier in the session has not been repaired since.
    pub rupture: Option<bool>,
    /// Whether a hint of risk was passed over earlier and safety has not
    /// been asked about since.
    pub risk_open: Option<bool>,
    /// All of these session tasks are already done.
    pub tasks_done: Vec<String>,
    /// None of these session tasks is done yet.
    pub tasks_not_done: Vec<String>,
    /// At least one of these moves was made earlier in the session.
    pub used: Vec<MoveKind>,
    /// None of these moves was made earlier in the session.
    pub not_used: Vec<MoveKind>,
    /// The move's topic continues a run of at least this many moves on the
    /// same topic (counting this one): the third off-topic move in a row
    /// has a run of 3.
    pub min_topic_run: Option<u32>,
    /// ... of at most this many.
    pub max_topic_run: Option<u32>,
    /// The move continues a run of at least this many moves of the same
    /// kind (counting this one).
    pub min_move_run: Option<u32>,
    /// ... of at most this many.
    pub max_move_run: Option<u32>,
}

/// A rule: a condition and what follows when it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub when: RuleCondition,
    #[serde(default)]
    pub score: ScoreDelta,
    /// How the client's state moves.
    #[serde(default)]
    pub client: Adjust,
    /// Memory flags the client keeps from here on.
    #[serde(default)]
    pub remember: Vec<String>,
    /// Why, in a sentence the trainee reads.
    pub feedback: String,
    /// What would have served better, when the rule marks a mistake.
    #[serde(default)]
    pub better: String,
    /// A serious error: caps the overall score whatever else went well.
    /// A serious error is also harm (see `harm`).
    #[serde(default)]
    pub critical: bool,
    /// The move harms the work here (a judgement, pressure on a hesitating
    /// client, passing over risk): in that turn it earns nothing else — no
    /// points from other principles, no task credit — and it opens a
    /// rupture in the alliance until the trainee repairs it.
    #[serde(default)]
    pub harm: bool,
}

impl Rule {
    /// Whether the rule marks the move as harmful.
    pub fn harms(&self) -> bool {
        self.harm || self.critical
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub id: String,
    pub name: String,
    /// The principle in the project's own words.
    pub statement: String,
    /// The title (and author) of the article it is derived from.
    pub source: String,
    pub dimensions: Vec<Dimension>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A task a session of a given phase (and area) should cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: String,
    pub name: String,
    pub phase: Phase,
    /// Only for this problem area (none: every area).
    #[serde(default)]
    pub area: Option<ProblemArea>,
    /// Any of these moves covers the task.
    pub moves: Vec<MoveKind>,
    /// ... when about one of these topics (empty: any).
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// ... and when this holds (e.g. `min_explored: 2`: a problem area
    /// "agreed" before the client has told their story is not agreed).
    #[serde(default)]
    pub when: RuleCondition,
    /// The principle credited.
    pub principle: String,
    pub dimension: Dimension,
    /// Points when the task is first covered within the session's time.
    pub reward: i32,
    /// Points lost when the session ends without it.
    pub penalty: i32,
}

/// How a session's moves become its scores (`docs/scoring.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoringModel {
    /// Each dimension starts at `base` and adds the points of every move
    /// and task, kept within 0 to 100. (What rubrics without a `model` get,
    /// as before.)
    #[default]
    Points,
    /// Each move is judged against the options it had: at every choice
    /// point the trainee earns the share of the points at stake there (the
    /// best option's points less the worst's) that the move kept; tasks the
    /// session ends without, and running over, add to what was at stake.
    /// A dimension's score is the share of all that was at stake that the
    /// trainee earned, 0 to 100, whatever the scenario's length.
    AgainstOptions,
}

/// Bounds on the overall score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringSettings {
    pub model: ScoringModel,
    /// Where each dimension starts (the `Points` model).
    pub base: i32,
    /// The highest overall score a session with a critical error can get.
    pub critical_cap: i32,
    /// Against the options: the least a choice point puts at stake on a
    /// dimension where its options differ at all (see `docs/scoring.md`).
    pub min_stake: i32,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        ScoringSettings {
            model: ScoringModel::Points,
            base: 50,
            critical_cap: 40,
            min_stake: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    pub version: String,
    #[serde(default)]
    pub scoring: ScoringSettings,
    pub principles: Vec<Principle>,
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Checks across a course of sessions with one client (a case): how
    /// the phases connect. A rubric without them judges each session alone.
    #[serde(default)]
    pub course: Vec<CourseCheck>,
}

/// A check on a whole course of sessions (a case), not on one session:
/// whether the phases connect as the standard IPT structure asks
/// (`docs/scoring.md`, "Across a course").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseCheck {
    pub id: String,
    pub name: String,
    pub rule: CourseRule,
    /// The principle it comes from.
    pub principle: String,
    pub dimension: Dimension,
    /// Points the course's score on `dimension` loses when the check is
    /// missed (for `PhaseTasksDone`, per task left undone).
    pub penalty: i32,
    /// Why it matters when it was met, in a sentence the trainee reads.
    pub met: String,
    /// Why it matters when it was missed.
    pub missed: String,
    /// What would have served better.
    #[serde(default)]
    pub better: String,
}

/// What a course check looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CourseRule {
    /// Every task of this phase (for the case's problem area) is done in
    /// one of the case's sessions of that phase; judged once the course has
    /// moved on to a later phase.
    PhaseTasksDone(Phase),
    /// One of these tasks is done in a session before the course's last
    /// one, so the ending is prepared and not sprung in it; judged once a
    /// session of the termination phase has been played.
    BeforeLastSession(Vec<String>),
    /// After a session that did one of `set` (a step agreed for the week),
    /// the next session makes one of the `review` moves (asking how it went).
    FollowedUp {
        set: Vec<String>,
        review: Vec<MoveKind>,
    },
}

/// Everything a rule can look at when a move is made.
#[derive(Debug, Clone)]
pub struct MoveContext<'a> {
    pub area: ProblemArea,
    pub phase: Phase,
    pub state: crate::core::model::ClientState,
    pub memory: &'a BTreeSet<String>,
    pub hesitant: bool,
    pub risk_pending: bool,
    pub explored: u32,
    pub used_moves: &'a BTreeSet<MoveKind>,
    pub tasks_done: &'a BTreeSet<String>,
    pub clock: u32,
    pub session_minutes: u32,
    /// The emotion the client shows at this point.
    pub emotion: Option<Emotion>,
    /// The client has just declined to talk about something.
    pub declines: bool,
    /// The alliance is ruptured (see [`RuleCondition::rupture`]).
    pub rupture: bool,
    /// A passed-over risk hint has not been taken up since.
    pub risk_open: bool,
    /// The topic and kind of the move before this one, and how many moves
    /// in a row before this one had that topic and that kind.
    pub last_topic: Option<Topic>,
    pub topic_run: u32,
    pub last_move: Option<MoveKind>,
    pub move_run: u32,
}

impl<'a> MoveContext<'a> {
    /// A context at minute 0 of a 50-minute session with nothing said or
    /// done yet, for this client state; set the other fields as needed.
    pub fn at_start(
        area: ProblemArea,
        phase: Phase,
        state: crate::core::model::ClientState,
        memory: &'a BTreeSet<String>,
        used_moves: &'a BTreeSet<MoveKind>,
        tasks_done: &'a BTreeSet<String>,
    ) -> MoveContext<'a> {
        MoveContext {
            area,
            phase,
            state,
            memory,
            hesitant: false,
            risk_pending: false,
            explored: 0,
            used_moves,
            tasks_done,
            clock: 0,
            session_minutes: 50,
            emotion: None,
            declines: false,
            rupture: false,
            risk_open: false,
            last_topic: None,
            topic_run: 0,
            last_move: None,
            move_run: 0,
        }
    }

    /// The run of same-topic moves this move would make (counting itself).
    pub fn topic_run_with(&self, topic: Topic) -> u32 {
        if self.last_topic == Some(topic) {
            self.topic_run.saturating_add(1)
        } else {
            1
        }
    }

    /// The run of same-kind moves this move would make (counting itself).
    pub fn move_run_with(&self, kind: MoveKind) -> u32 {
        if self.last_move == Some(kind) {
            self.move_run.saturating_add(1)
        } else {
            1
        }
    }
}

/// What a point of the explanation is: a rule of a principle, a task of the
/// session covered, or something charged when the session ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiredKind {
    #[default]
    Rule,
    Task,
    SessionEnd,
}

/// A principle that fired on a move (or at the end of the session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fired {
    pub principle: String,
    pub principle_name: String,
    pub source: String,
    pub score: ScoreDelta,
    pub feedback: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub better: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// The rule marked the move as harmful here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub harm: bool,
    /// A rule, a task, or a charge at the session's end.
    #[serde(default, skip_serializing_if = "is_rule")]
    pub kind: FiredKind,
    /// The task's id, for a task covered or missed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task: String,
    /// How the rule moved the client.
    #[serde(default, skip_serializing_if = "Adjust::is_zero")]
    pub client: Adjust,
    /// Points this rule would have given that the harm of the move
    /// withheld (shown, not counted).
    #[serde(default, skip_serializing_if = "ScoreDelta::is_zero")]
    pub withheld: ScoreDelta,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_rule(k: &FiredKind) -> bool {
    *k == FiredKind::Rule
}

/// What the rubric makes of a move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// The reasons, the one that decided first (see [`main_reason`]).
    pub fired: Vec<Fired>,
    pub score: ScoreDelta,
    pub client: Adjust,
    pub remember: Vec<String>,
    pub tasks_covered: Vec<String>,
    pub critical: bool,
    /// A rule marked the move as harmful here.
    pub harm: bool,
}

impl Fired {
    /// What the rule advises instead (its `better`), or, where it names
    /// nothing better, what it said of the move.
    pub fn advice(&self) -> String {
        if self.better.is_empty() {
            self.feedback.clone()
        } else {
            self.better.clone()
        }
    }
}

impl Evaluation {
    /// How options are ranked against each other: a serious error below
    /// everything else, then the points over all three dimensions. The one
    /// ordering behind "the best option" everywhere (session, group play,
    /// lint, debrief, report).
    pub fn rank(&self) -> (bool, i32) {
        (!self.critical, self.score.total())
    }

    /// The principle that decided the rubric's view of the move (see
    /// [`main_reason`]).
    pub fn main_reason(&self) -> Option<&Fired> {
        main_reason(&self.fired)
    }

    /// Whether the move went against a principle (see [`is_mistake`]).
    pub fn is_mistake(&self) -> bool {
        is_mistake(&self.fired)
    }
}

/// The position of the best of several evaluated options (by
/// [`Evaluation::rank`]; the first of equals), `None` if there are none.
pub fn best_index<'a>(options: impl IntoIterator<Item = &'a Evaluation>) -> Option<usize> {
    let mut best: Option<(usize, (bool, i32))> = None;
    for (i, ev) in options.into_iter().enumerate() {
        let r = ev.rank();
        if best.is_none_or(|(_, b)| r > b) {
            best = Some((i, r));
        }
    }
    best.map(|(i, _)| i)
}

/// The position of the best option only if no other option ties with it.
pub fn sole_best_index<'a>(
    options: impl IntoIterator<Item = &'a Evaluation> + Clone,
) -> Option<usize> {
    let best = best_index(options.clone())?;
    let top = options.clone().into_iter().nth(best)?.rank();
    let ties = options.into_iter().filter(|e| e.rank() == top).count();
    (ties == 1).then_some(best)
}

/// The reason that decided a move: a serious error first, then harm; then,
/// if the move lost points overall, its largest loss; otherwise its
/// largest gain.
/// `None` when no principle had anything to say.
pub fn main_reason(fired: &[Fired]) -> Option<&Fired> {
    if let Some(c) = fired.iter().find(|f| f.critical) {
        return Some(c);
    }
    if let Some(h) = fired.iter().find(|f| f.harm) {
        return Some(h);
    }
    let total: i32 = fired.iter().map(|f| f.score.total()).sum();
    let pulling = |f: &&Fired| {
        if total < 0 {
            f.score.total() < 0
        } else {
            f.score.total() > 0
        }
    };
    fired
        .iter()
        .filter(pulling)
        .min_by_key(|f| std::cmp::Reverse(f.score.total().abs()))
        .or_else(|| fired.first())
}

/// The smallest lead (in points over the three dimensions) by which the
/// best option must beat the next for a choice point to test a skill: below
/// it, two options are close enough that a supervisor would accept either.
pub const DECISION_MIN_GAP: i32 = 2;

/// What decided a choice point: the best option, by how much it beat the
/// next best, and the principles that made the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The best option's position among the options (from 0).
    pub best: usize,
    /// The best option's lead over the next best, in points.
    pub gap: i32,
    /// The principles the choice point tests, the one that decides most
    /// first: the principle the next best option harms, if it does harm;
    /// then every principle whose points put the best option at least
    /// [`DECISION_MIN_GAP`] ahead of the next best, largest lead first;
    /// then the principle any other option on offer harms.
    pub principles: Vec<String>,
}

impl Decision {
    /// The principle that decides most.
    pub fn principle(&self) -> &str {
        self.principles.first().map_or("", String::as_str)
    }
}

/// The skills a choice point tests, if it tests any clearly: one option is
/// best alone, earns points and harms nothing, and beats the next best by
/// at least [`DECISION_MIN_GAP`]; the principles are those behind that
/// lead (see [`Decision::principles`]).
pub fn decision(options: &[Evaluation]) -> Option<Decision> {
    let best = sole_best_index(options)?;
    let b = options.get(best)?;
    if b.harm || b.critical || b.score.total() <= 0 {
        return None;
    }
    let runner = options
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != best)
        .max_by(|(i, x), (j, y)| x.rank().cmp(&y.rank()).then(j.cmp(i)))
        .map(|(_, e)| e)?;
    let gap = b.score.total() - runner.score.total();
    // Below a serious error, the best option leads by its rank whatever
    // the points say.
    let gap = if runner.critical {
        gap.max(DECISION_MIN_GAP)
    } else {
        gap
    };
    if gap < DECISION_MIN_GAP {
        return None;
    }
    // Each principle's lead: what it gave the best option, less what it
    // gave the next best.
    let mut lead: Vec<(&str, i32)> = Vec::new();
    let both = b
        .fired
        .iter()
        .map(|f| (f, 1))
        .chain(runner.fired.iter().map(|f| (f, -1)));
    for (f, sign) in both {
        let v = sign * f.score.total();
        match lead.iter_mut().find(|(id, _)| *id == f.principle) {
            Some((_, l)) => *l += v,
            None => lead.push((&f.principle, v)),
        }
    }
    // Largest lead first; among equals, the order the best option names them.
    lead.sort_by_key(|&(_, l)| std::cmp::Reverse(l));
    let mut principles: Vec<String> = Vec::new();
    if runner.harm || runner.critical {
        // The tempting option does harm: avoiding it is the skill.
        if let Some(h) = runner.main_reason() {
            principles.push(h.principle.clone());
        }
    }
    for (id, l) in lead {
        if l >= DECISION_MIN_GAP && !principles.iter().any(|p| p == id) {
            principles.push(id.to_string());
        }
    }
    // Any other option on offer that does harm: not choosing it is a skill
    // this point tests too.
    for (i, o) in options.iter().enumerate() {
        if i == best || !(o.harm || o.critical) {
            continue;
        }
        if let Some(h) = o.main_reason()
            && !principles.contains(&h.principle)
        {
            principles.push(h.principle.clone());
        }
    }
    (!principles.is_empty()).then_some(Decision {
        best,
        gap,
        principles,
    })
}

/// A move is a mistake when it is a serious error or any principle it
/// touched cost it points: the rubric holds it against the guidance, even
/// if it also earned points elsewhere.
pub fn is_mistake(fired: &[Fired]) -> bool {
    fired.iter().any(|f| {
        f.critical || f.harm || f.score.rapport < 0 || f.score.pacing < 0 || f.score.focus < 0
    })
}

impl Condition {
    /// Whether the condition holds for this state and memory.
    pub fn holds(
        &self,
        state: &crate::core::model::ClientState,
        memory: &BTreeSet<String>,
    ) -> bool {
        let within = |v: i32, min: Option<i32>, max: Option<i32>| {
            min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)
        };
        within(state.trust, self.min_trust, self.max_trust)
            && within(state.distress, self.min_distress, self.max_distress)
            && within(state.openness, self.min_openness, self.max_openness)
            && self.remembers.iter().all(|f| memory.contains(f))
            && !self.forgets.iter().any(|f| memory.contains(f))
            && (self.earlier.is_empty() && self.not_earlier.is_empty()
                || memory.contains(crate::core::model::IN_A_CASE))
            && (self.min_session.is_none() && self.max_session.is_none()
                || crate::core::model::session_number(memory).is_some_and(|n| self.fits_session(n)))
            && self
                .earlier
                .iter()
                .all(|f| memory.contains(&crate::core::model::earlier_flag(f)))
            && !self
                .not_earlier
                .iter()
                .any(|f| memory.contains(&crate::core::model::earlier_flag(f)))
    }
}

impl RuleCondition {
    pub fn holds(&self, ctx: &MoveContext<'_>, kind: MoveKind, topic: Topic) -> bool {
        let elapsed_percent = (ctx.clock * 100)
            .checked_div(ctx.session_minutes)
            .unwrap_or(100);
        (self.moves.is_empty() || self.moves.contains(&kind))
            && !self.not_moves.contains(&kind)
            && (self.topics.is_empty() || self.topics.contains(&topic))
            && (self.areas.is_empty() || self.areas.contains(&ctx.area))
            && (self.phases.is_empty() || self.phases.contains(&ctx.phase))
            && self.client.holds(&ctx.state, ctx.memory)
            && self.hesitant.is_none_or(|h| h == ctx.hesitant)
            && self.risk_pending.is_none_or(|r| r == ctx.risk_pending)
            && self.max_explored.is_none_or(|m| ctx.explored <= m)
            && self.min_explored.is_none_or(|m| ctx.explored >= m)
            && self
                .first_use
                .is_none_or(|f| f != ctx.used_moves.contains(&kind))
            && self
                .over_time
                .is_none_or(|o| o == (ctx.clock > ctx.session_minutes))
            && self
                .min_elapsed_percent
                .is_none_or(|m| elapsed_percent >= m)
            && self
                .max_elapsed_percent
                .is_none_or(|m| elapsed_percent <= m)
            && self.min_minute.is_none_or(|m| ctx.clock >= m)
            && self.max_minute.is_none_or(|m| ctx.clock <= m)
            && (self.emotions.is_empty() || ctx.emotion.is_some_and(|e| self.emotions.contains(&e)))
            && self.declines.is_none_or(|d| d == ctx.declines)
            && self.rupture.is_none_or(|r| r == ctx.rupture)
            && self.risk_open.is_none_or(|r| r == ctx.risk_open)
            && self.tasks_done.iter().all(|t| ctx.tasks_done.contains(t))
            && !self
                .tasks_not_done
                .iter()
                .any(|t| ctx.tasks_done.contains(t))
            && (self.used.is_empty() || self.used.iter().any(|m| ctx.used_moves.contains(m)))
            && !self.not_used.iter().any(|m| ctx.used_moves.contains(m))
            && self.runs_hold(ctx, kind, topic)
    }

    fn runs_hold(&self, ctx: &MoveContext<'_>, kind: MoveKind, topic: Topic) -> bool {
        let topic_run = ctx.topic_run_with(topic);
        let move_run = ctx.move_run_with(kind);
        self.min_topic_run.is_none_or(|m| topic_run >= m)
            && self.max_topic_run.is_none_or(|m| topic_run <= m)
            && self.min_move_run.is_none_or(|m| move_run >= m)
            && self.max_move_run.is_none_or(|m| move_run <= m)
    }
}

impl Guidance {
    pub fn principle(&self, id: &str) -> Option<&Principle> {
        self.principles.iter().find(|p| p.id == id)
    }

    /// The tasks a session of this phase and area should cover.
    pub fn tasks_for(&self, phase: Phase, area: ProblemArea) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(move |t| t.phase == phase && t.area.is_none_or(|a| a == area))
    }

    /// Evaluates one move in context. Pure: the same context and move give
    /// the same evaluation.
    pub fn evaluate(&self, ctx: &MoveContext<'_>, kind: MoveKind, topic: Topic) -> Evaluation {
        self.judge(ctx, kind, topic, true)
    }

    /// The same evaluation without the explanations (`fired` stays empty):
    /// what a search over many moves needs, without their cost.
    pub fn effect(&self, ctx: &MoveContext<'_>, kind: MoveKind, topic: Topic) -> Evaluation {
        self.judge(ctx, kind, topic, false)
    }

    fn judge(
        &self,
        ctx: &MoveContext<'_>,
        kind: MoveKind,
        topic: Topic,
        explain: bool,
    ) -> Evaluation {
        let mut ev = Evaluation::default();
        let firing: Vec<(&Principle, &Rule)> = self
            .principles
            .iter()
            .flat_map(|p| p.rules.iter().map(move |r| (p, r)))
            .filter(|(_, r)| r.when.holds(ctx, kind, topic))
            .collect();
        // A harmful move earns nothing else in its turn: only the losses
        // of the other rules count, their gains are withheld.
        ev.harm = firing.iter().any(|(_, r)| r.harms());
        for (p, rule) in firing {
            let (score, withheld) = if ev.harm && !rule.harms() {
                split_gains(rule.score)
            } else {
                (rule.score, ScoreDelta::default())
            };
            ev.score += score;
            ev.client += rule.client;
            ev.remember.extend(rule.remember.iter().cloned());
            ev.critical |= rule.critical;
            if !explain {
                continue;
            }
            ev.fired.push(Fired {
                principle: p.id.clone(),
                principle_name: p.name.clone(),
                source: p.source.clone(),
                score,
                feedback: rule.feedback.clone(),
                better: rule.better.clone(),
                critical: rule.critical,
                harm: rule.harms(),
                kind: FiredKind::Rule,
                task: String::new(),
                client: rule.client,
                withheld,
            });
        }
        // No task is done by a harmful move, nor while a hint of risk waits
        // to be taken up (the turn it was passed over, and every turn after
        // until safety is asked about).
        let risk_waits = (ctx.risk_pending || ctx.risk_open) && kind != MoveKind::SafetyCheck;
        let in_time = ctx.clock <= ctx.session_minutes;
        if !ev.harm && !risk_waits {
            for task in self.tasks_for(ctx.phase, ctx.area) {
                let covers = task.moves.contains(&kind)
                    && (task.topics.is_empty() || task.topics.contains(&topic))
                    && task.when.holds(ctx, kind, topic);
                if !covers
                    || ctx.tasks_done.contains(&task.id)
                    || ev.tasks_covered.contains(&task.id)
                {
                    continue;
                }
                ev.tasks_covered.push(task.id.clone());
                if !in_time {
                    continue;
                }
                let score = delta_on(task.dimension, task.reward);
                ev.score += score;
                if explain {
                    ev.fired.push(self.task_fired(
                        task,
                        score,
                        FiredKind::Task,
                        format!("Covered a task of this session: {}.", task.name),
                    ));
                }
            }
        }
        order_reasons(&mut ev.fired);
        ev
    }

    /// The penalties for tasks the session ended without.
    pub fn missed_tasks(
        &self,
        phase: Phase,
        area: ProblemArea,
        done: &BTreeSet<String>,
    ) -> Vec<Fired> {
        self.tasks_for(phase, area)
            .filter(|t| !done.contains(&t.id))
            .map(|t| {
                let mut f = self.task_fired(
                    t,
                    delta_on(t.dimension, -t.penalty),
                    FiredKind::SessionEnd,
                    format!("The session ended without this task: {}.", t.name),
                );
                f.better = format!(
                    "Make room for it: {} (for example, a move of kind {}).",
                    t.name,
                    t.moves.first().map_or("?", |m| m.label())
                );
                f
            })
            .collect()
    }

    fn task_fired(
        &self,
        task: &Task,
        score: ScoreDelta,
        kind: FiredKind,
        feedback: String,
    ) -> Fired {
        let p = self.principle(&task.principle);
        Fired {
            principle: task.principle.clone(),
            principle_name: p.map_or_else(|| task.principle.clone(), |p| p.name.clone()),
            source: p.map(|p| p.source.clone()).unwrap_or_default(),
            score,
            feedback,
            better: String::new(),
            critical: false,
            harm: false,
            kind,
            task: task.id.clone(),
            client: Adjust::default(),
            withheld: ScoreDelta::default(),
        }
    }
}

/// A rule's points split into what still counts after a harmful move (its
/// losses) and what is withheld (its gains).
fn split_gains(s: ScoreDelta) -> (ScoreDelta, ScoreDelta) {
    let loss = |v: i32| v.min(0);
    let gain = |v: i32| v.max(0);
    (
        ScoreDelta {
            rapport: loss(s.rapport),
            pacing: loss(s.pacing),
            focus: loss(s.focus),
        },
        ScoreDelta {
            rapport: gain(s.rapport),
            pacing: gain(s.pacing),
            focus: gain(s.focus),
        },
    )
}

/// Puts the reasons in the order a trainee reads them: the one that decided
/// the move first (a serious error, then harm, then whatever pulled the
/// move's total its way, largest first), then the rest, largest first.
pub fn order_reasons(fired: &mut [Fired]) {
    let total: i32 = fired.iter().map(|f| f.score.total()).sum();
    fired.sort_by_key(|f| {
        let with_total = if total < 0 {
            f.score.total() < 0
        } else {
            f.score.total() > 0
        };
        (
            !f.critical,
            !f.harm,
            !with_total,
            std::cmp::Reverse(f.score.total().abs()),
        )
    });
}

/// Points on one dimension.
pub(crate) fn delta_on(d: Dimension, points: i32) -> ScoreDelta {
    let mut s = ScoreDelta::default();
    match d {
        Dimension::Rapport => s.rapport = points,
        Dimension::Pacing => s.pacing = points,
        Dimension::Focus => s.focus = points,
    }
    s
}
