//! The rubric: principles derived from the guidance, each with rules the
//! engine evaluates against the client's state, the session clock and the
//! move. Loaded from `assets/guidance.ron`.

use crate::core::model::{Adjust, Condition, MoveKind, Phase, ProblemArea, Topic};
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
        self.rapport + self.pacing + self.focus
    }

    pub fn is_zero(&self) -> bool {
        *self == ScoreDelta::default()
    }
}

impl std::ops::AddAssign for ScoreDelta {
    fn add_assign(&mut self, o: Self) {
        self.rapport += o.rapport;
        self.pacing += o.pacing;
        self.focus += o.focus;
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
    #[serde(default)]
    pub critical: bool,
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
    /// The principle credited.
    pub principle: String,
    pub dimension: Dimension,
    /// Points when the task is first covered within the session's time.
    pub reward: i32,
    /// Points lost when the session ends without it.
    pub penalty: i32,
}

/// Bounds on the overall score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringSettings {
    /// Where each dimension starts.
    pub base: i32,
    /// The highest overall score a session with a critical error can get.
    pub critical_cap: i32,
}

impl Default for ScoringSettings {
    fn default() -> Self {
        ScoringSettings {
            base: 50,
            critical_cap: 40,
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
}

/// What the rubric makes of a move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub fired: Vec<Fired>,
    pub score: ScoreDelta,
    pub client: Adjust,
    pub remember: Vec<String>,
    pub tasks_covered: Vec<String>,
    pub critical: bool,
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
        for p in &self.principles {
            for rule in &p.rules {
                if !rule.when.holds(ctx, kind, topic) {
                    continue;
                }
                ev.score += rule.score;
                ev.client.trust += rule.client.trust;
                ev.client.distress += rule.client.distress;
                ev.client.openness += rule.client.openness;
                ev.remember.extend(rule.remember.iter().cloned());
                ev.critical |= rule.critical;
                if !explain {
                    continue;
                }
                ev.fired.push(Fired {
                    principle: p.id.clone(),
                    principle_name: p.name.clone(),
                    source: p.source.clone(),
                    score: rule.score,
                    feedback: rule.feedback.clone(),
                    better: rule.better.clone(),
                    critical: rule.critical,
                });
            }
        }
        let in_time = ctx.clock <= ctx.session_minutes;
        for task in self.tasks_for(ctx.phase, ctx.area) {
            let covers = task.moves.contains(&kind)
                && (task.topics.is_empty() || task.topics.contains(&topic));
            if !covers || ctx.tasks_done.contains(&task.id) || ev.tasks_covered.contains(&task.id) {
                continue;
            }
            ev.tasks_covered.push(task.id.clone());
            if !in_time {
                continue;
            }
            let score = delta_on(task.dimension, task.reward);
            ev.score += score;
            if !explain {
                continue;
            }
            ev.fired.push(self.task_fired(
                task,
                score,
                format!("Covered a task of this session: {}.", task.name),
            ));
        }
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

    fn task_fired(&self, task: &Task, score: ScoreDelta, feedback: String) -> Fired {
        let p = self.principle(&task.principle);
        Fired {
            principle: task.principle.clone(),
            principle_name: p.map_or_else(|| task.principle.clone(), |p| p.name.clone()),
            source: p.map(|p| p.source.clone()).unwrap_or_default(),
            score,
            feedback,
            better: String::new(),
            critical: false,
        }
    }
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
