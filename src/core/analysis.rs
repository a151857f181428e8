//! `ipt-trainer analyze`: the whole space of a scenario searched at once.
//!
//! A point in the space is a node together with everything the client
//! carries (the session's `Mind`): trust, distress, openness, memory, the
//! moves used, the tasks covered, the clock. The search walks every option
//! the client's state allows from every such point, with the same rubric and
//! the same `Mind` moves as a real session, and remembers each point it has
//! seen, so a point reached by many routes is worked out once. The answers
//! (best and worst scores, path counts) are combined bottom-up over that
//! graph of points, never by listing paths.
//!
//! Two things keep the space small without changing any answer:
//! - A counter is only followed as far as a rule or the scoring can tell
//!   values apart (the clock up to the last threshold any rule or the
//!   overtime penalty looks at, the exploratory moves up to the highest
//!   count a rule names).
//! - Memory flags no condition ever looks at are left out of the point.
//!
//! The client is modelled without the small mood drift a seed adds (±1
//! distress and openness per move), as `Session::steady` plays it: a route
//! close to a threshold may play out a little differently with some seeds.

use crate::core::model::{
    Choice, ClientState, Condition, MoveKind, Node, Outcome, Scenario, Topic,
};
use crate::core::rubric::{Guidance, RuleCondition, ScoreDelta, ScoringModel, delta_on};
use crate::core::scoring::{Scores, against_options};
use crate::core::session::{Carried, Mind, OVERTIME_PENALTY_CAP, overtime_penalty};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// How far the search may go before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most distinct points (node × client state) to search.
    pub max_states: usize,
    /// Fail rather than fall back to the approximate search when the exact
    /// one would pass `max_states`.
    pub exact_only: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_states: 300_000,
            exact_only: false,
        }
    }
}

/// Why a scenario could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("the start node `{0}` does not exist (run `ipt-trainer validate` first)")]
    NoStart(String),
    #[error(
        "the scenario has more than {limit} distinct client states to search (stopped after {:.1} s, \
         holding about {} MB; each further 100,000 states take about {} MB more); \
         raise the limit with --max-states, allow the approximate search (leave out --exact), \
         or split the scenario",
        *.elapsed_ms as f64 / 1000.0,
        .bytes / 1_000_000,
        .bytes_per_100k / 1_000_000
    )]
    TooLarge {
        limit: usize,
        /// How long the search ran before it stopped.
        elapsed_ms: u64,
        /// About how much memory the search held when it stopped.
        bytes: u64,
        /// About how much memory 100,000 more states would take.
        bytes_per_100k: u64,
    },
    #[error("the rubric has {0} tasks for this phase and area; the analysis handles at most 64")]
    TooManyTasks(usize),
    #[error("the rubric's rules ask about {0} sets of moves used; the analysis handles at most 64")]
    TooManyMoveSets(usize),
}

/// How far a search has got, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Distinct points (node × client state) found so far.
    pub states: usize,
    pub elapsed: std::time::Duration,
    /// Whether this is the exact search (or the approximate one).
    pub exact: bool,
}

/// How often a long search reports, in points found.
pub const PROGRESS_EVERY: usize = 25_000;

/// One of the things a route can be best or worst at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    Rapport,
    Pacing,
    Focus,
    /// All three together: the most (or fewest) raw points over rapport,
    /// pacing and focus; the best avoids serious errors if it can, the
    /// worst makes one if it can. (The overall score clamps each dimension
    /// to 0..100 first, so where one is held at a limit another route's
    /// overall score can differ by a point or two.)
    Overall,
}

impl Objective {
    pub const ALL: [Objective; 4] = [
        Objective::Rapport,
        Objective::Pacing,
        Objective::Focus,
        Objective::Overall,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Objective::Rapport => "Rapport",
            Objective::Pacing => "Pacing",
            Objective::Focus => "Focus",
            Objective::Overall => "Overall",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// One move on a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub node: String,
    /// The option's number in the node as written in the file (1-based;
    /// the app shuffles the order it shows).
    pub option: usize,
    pub text: String,
    #[serde(rename = "move")]
    pub kind: MoveKind,
}

/// A complete route through the scenario and where it leaves the scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub scores: Scores,
    /// Whether the route makes a serious error (the overall is capped).
    pub critical: bool,
    pub ending: String,
    pub steps: Vec<Step>,
    /// The search's own edges, for working on from this route.
    #[serde(skip)]
    edges: Vec<(Edge, u32)>,
}

/// The best and worst routes for one objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extreme {
    pub objective: Objective,
    pub best: Route,
    pub worst: Route,
}

/// How many distinct routes lead to an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "count")]
pub enum PathCount {
    Exactly(u128),
    /// More than fit in 128 bits.
    AtLeast(u128),
    /// The conversation can go round a loop, so there is no end to them.
    Unbounded,
}

impl std::fmt::Display for PathCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathCount::Exactly(n) => write!(f, "{}", group_digits(*n)),
            PathCount::AtLeast(n) => write!(f, "more than {}", group_digits(*n)),
            PathCount::Unbounded => f.write_str("unbounded (the conversation can loop)"),
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndingReach {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    pub reachable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureReach {
    pub node: String,
    pub id: String,
    pub unlockable: bool,
    /// What the client's state must be, in words.
    pub needs: String,
}

/// A point where the client's state leaves no option to take, or from which
/// no ending can be reached any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stuck {
    pub node: String,
    pub state: ClientState,
    /// Whether no option at all is open here (otherwise: options are open,
    /// but none leads on to an ending).
    pub no_options: bool,
    /// One way to get there from the start.
    pub route: Vec<Step>,
}

/// What `analyze` finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub scenario: String,
    /// Whether every client state was told apart. When the exact search
    /// would be too big, states whose trust, distress, openness and clock
    /// fall in the same bands between the thresholds that conditions test
    /// are merged, and the answers are close but not guaranteed.
    pub exact: bool,
    /// Distinct points (node × client state) searched.
    pub states: usize,
    pub reachable_nodes: Vec<String>,
    pub unreachable_nodes: Vec<String>,
    /// Points where the trainee is stuck: at most one per node.
    pub dead_ends: Vec<Stuck>,
    pub endings: Vec<EndingReach>,
    pub paths: PathCount,
    /// Whether some route can return to a point it has passed.
    pub loops: bool,
    pub disclosures: Vec<DisclosureReach>,
    /// Best and worst routes per objective; empty if no route finishes.
    pub extremes: Vec<Extreme>,
    /// Every flag some route can leave in the client's memory (disclosures,
    /// the rubric's flags) and every task some route covers: in a case,
    /// what the sessions after can test with `earlier`.
    #[serde(skip)]
    pub flags_set: BTreeSet<String>,
}

/// A quick hash for the search's tables (the keys are ours, not an
/// attacker's, so the protection of the standard hash buys nothing here).
#[derive(Default, Clone, Copy)]
struct QuickHasher(u64);

impl QuickHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.add(u64::from(v));
    }
    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }
    fn write_u128(&mut self, v: u128) {
        self.add(v as u64);
        self.add((v >> 64) as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<QuickHasher>>;

// ---------------------------------------------------------------------------
// The compact point: what the search remembers each state by.

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    node: u32,
    /// Trust, distress, openness and the clock: the value itself, or (from
    /// `FAR` up) the band between thresholds it sits in, once no threshold
    /// is within reach of what the rest of the conversation can change.
    values: [u32; 4],
    explored: u32,
    used: u32,
    /// Per set of moves a rule ahead asks about: whether any was made.
    used_sets: u64,
    tasks: u64,
    /// The first 128 flags a condition looks at, then any beyond.
    memory: u128,
    more_memory: Box<[u64]>,
    /// Risk passed over and not yet asked about (no task is done then);
    /// a rupture not yet repaired (when a rule can tell).
    open: u8,
    /// The last move's topic and kind with the length of their runs, when
    /// a rule counts runs (else zero).
    topic_run: (u8, u32),
    move_run: (u8, u32),
}

/// What can still happen from a node on: the search forgets whatever about
/// the client nothing ahead can tell apart.
#[derive(Debug, Clone, Default)]
struct Horizon {
    /// How far trust, distress, openness and the clock can still rise, and
    /// (the first three) fall, from here to any ending (`u32::MAX`: no
    /// bound, a loop lies ahead).
    up: [u32; 4],
    down: [u32; 3],
    /// Per variable: the values `b` at which a comparison `x >= b` made from
    /// here on changes its answer, sorted.
    bounds: [Vec<i32>; 4],
    /// The rubric's tasks some move from here on can still cover.
    tasks: u64,
    /// How far the count of exploratory moves is told apart by a rule that
    /// may still fire: one past the highest count it names (0: no such
    /// rule). The count only grows, so a count at or past that cap is as
    /// good as the cap.
    explored: u32,
    /// The moves whose first use a rule may still look at.
    first_use: u32,
    /// The topics (bits by `Topic::ALL`) and moves whose run a rule may
    /// still count: the run so far matters only if the last move was one.
    run_topics: u8,
    run_moves: u32,
    /// The sets of moves (by index in `Space::move_sets`) of which a rule
    /// ahead asks whether any was made: only that answer matters.
    move_sets: u64,
    /// The memory flags (by index in `Space::flag_names`, the first 128) a
    /// condition ahead looks at, and whether one beyond those may be.
    flags: u128,
    more_flags: bool,
}

impl Horizon {
    fn everything(bounds: &[Vec<i32>; 4]) -> Horizon {
        Horizon {
            up: [u32::MAX; 4],
            down: [u32::MAX; 3],
            bounds: bounds.clone(),
            tasks: u64::MAX,
            explored: u32::MAX,
            first_use: u32::MAX,
            run_topics: u8::MAX,
            run_moves: u32::MAX,
            move_sets: u64::MAX,
            flags: u128::MAX,
            more_flags: true,
        }
    }

    fn absorb(&mut self, o: &Horizon, step_up: [u32; 4], step_down: [u32; 3]) {
        for ((up, step), theirs) in self.up.iter_mut().zip(step_up).zip(o.up) {
            *up = (*up).max(step.saturating_add(theirs));
        }
        for ((down, step), theirs) in self.down.iter_mut().zip(step_down).zip(o.down) {
            *down = (*down).max(step.saturating_add(theirs));
        }
        for (mine, theirs) in self.bounds.iter_mut().zip(&o.bounds) {
            mine.extend_from_slice(theirs);
        }
        self.tasks |= o.tasks;
        self.explored = self.explored.max(o.explored);
        self.first_use |= o.first_use;
        self.run_topics |= o.run_topics;
        self.run_moves |= o.run_moves;
        self.move_sets |= o.move_sets;
        self.flags |= o.flags;
        self.more_flags |= o.more_flags;
    }

    fn tidy(&mut self) {
        for b in &mut self.bounds {
            b.sort_unstable();
            b.dedup();
        }
    }
}

/// How the search turns a `Mind` into a `Key`.
struct Space<'a> {
    scenario: &'a Scenario,
    guidance: &'a Guidance,
    index: HashMap<&'a str, usize>,
    endings: HashMap<&'a str, usize>,
    /// The rubric's tasks for this phase and area, and the points each
    /// costs when the session ends without it.
    tasks: Vec<(&'a str, ScoreDelta)>,
    flags: Vec<&'a str>,
    flag_index: QuickMap<&'a str, usize>,
    clock_cap: u32,
    explored_cap: u32,
    /// How far a run of topics (and of moves) is told apart: one past the
    /// longest a rule names, 0 when no rule counts them.
    topic_run_cap: u32,
    move_run_cap: u32,
    /// Whether some rule asks about a rupture.
    rupture_matters: bool,
    /// Tasks some rule asks about (done or not): their bits stay in the key
    /// even where no move ahead can cover them.
    task_refs: u64,
    /// The sets of moves rules ask about (`used`, `not_used`), as masks.
    move_sets: Vec<u32>,
    /// Every memory flag a condition names, and every disclosure id: the
    /// names a horizon's flags are counted in.
    flag_names: QuickMap<&'a str, usize>,
    horizons: Vec<Horizon>,
    /// Merge states by bands between thresholds (the approximate search).
    banded: bool,
}

fn move_bit(k: MoveKind) -> u32 {
    let i = MoveKind::ALL.iter().position(|m| *m == k).unwrap_or(0);
    1 << i
}

fn move_code(k: Option<MoveKind>) -> u8 {
    k.and_then(|k| MoveKind::ALL.iter().position(|m| *m == k))
        .map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
}

fn topic_bit(t: Topic) -> u8 {
    let i = Topic::ALL.iter().position(|x| *x == t).unwrap_or(0);
    1 << i
}

fn topic_code(t: Option<Topic>) -> u8 {
    t.and_then(|t| Topic::ALL.iter().position(|x| *x == t))
        .map_or(0, |i| u8::try_from(i + 1).unwrap_or(u8::MAX))
}

/// Adds a condition's thresholds on trust, distress and openness.
fn condition_bounds(b: &mut [Vec<i32>; 4], c: &Condition) {
    for (i, (min, max)) in [
        (c.min_trust, c.max_trust),
        (c.min_distress, c.max_distress),
        (c.min_openness, c.max_openness),
    ]
    .into_iter()
    .enumerate()
    {
        b[i].extend(min);
        b[i].extend(max.map(|m| m.saturating_add(1)));
    }
}

/// Every flag name a condition mentions and every disclosure id, numbered.
fn flag_names<'a>(scenario: &'a Scenario, guidance: &'a Guidance) -> QuickMap<&'a str, usize> {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    let mut add = |c: &'a Condition| {
        names.extend(c.remembers.iter().map(String::as_str));
        names.extend(c.forgets.iter().map(String::as_str));
    };
    for n in &scenario.nodes {
        n.options.iter().for_each(|o| add(&o.when));
        n.disclosures.iter().for_each(|d| add(&d.when));
    }
    for r in guidance.principles.iter().flat_map(|p| &p.rules) {
        add(&r.when.client);
    }
    for t in &guidance.tasks {
        add(&t.when.client);
    }
    names.extend(
        scenario
            .nodes
            .iter()
            .flat_map(|n| n.disclosures.iter().map(|d| d.id.as_str())),
    );
    names.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
}

/// Memory flags a condition looks at; disclosure ids too when a node can
/// be visited twice (then "already said" matters) or an id repeats.
fn relevant_flags<'a>(scenario: &'a Scenario, guidance: &'a Guidance, loops: bool) -> Vec<&'a str> {
    let mut flags: BTreeSet<&str> = BTreeSet::new();
    let mut conditions: Vec<&Condition> = Vec::new();
    for n in &scenario.nodes {
        conditions.extend(n.options.iter().map(|o| &o.when));
        conditions.extend(n.disclosures.iter().map(|d| &d.when));
    }
    for p in &guidance.principles {
        conditions.extend(p.rules.iter().map(|r| &r.when.client));
    }
    conditions.extend(guidance.tasks.iter().map(|t| &t.when.client));
    for c in conditions {
        flags.extend(c.remembers.iter().map(String::as_str));
        flags.extend(c.forgets.iter().map(String::as_str));
    }
    // A disclosure whose id a rule can also remember: whether it was
    // already "said" then depends on that flag.
    let remembered: HashSet<&str> = guidance
        .principles
        .iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| r.remember.iter().map(String::as_str))
        .collect();
    flags.extend(
        scenario
            .nodes
            .iter()
            .flat_map(|n| &n.disclosures)
            .map(|d| d.id.as_str())
            .filter(|id| remembered.contains(id)),
    );
    let mut seen_ids = HashSet::new();
    let repeated = scenario
        .nodes
        .iter()
        .flat_map(|n| &n.disclosures)
        .any(|d| !seen_ids.insert(d.id.as_str()));
    if repeated || loops {
        flags.extend(
            scenario
                .nodes
                .iter()
                .flat_map(|n| n.disclosures.iter().map(|d| d.id.as_str())),
        );
    }
    flags.into_iter().collect()
}

impl<'a> Space<'a> {
    fn new(scenario: &'a Scenario, guidance: &'a Guidance) -> Result<Self, AnalysisError> {
        let index = scenario
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect::<HashMap<_, _>>();
        let endings = scenario
            .endings
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let tasks: Vec<(&str, ScoreDelta)> = guidance
            .tasks_for(scenario.phase, scenario.area)
            .map(|t| (t.id.as_str(), delta_on(t.dimension, -t.penalty)))
            .collect();
        if tasks.len() > 64 {
            return Err(AnalysisError::TooManyTasks(tasks.len()));
        }
        let sets = guidance
            .principles
            .iter()
            .flat_map(|p| &p.rules)
            .flat_map(|r| [&r.when.used, &r.when.not_used])
            .filter(|s| !s.is_empty())
            .count();
        if sets > 64 {
            return Err(AnalysisError::TooManyMoveSets(sets));
        }

        let mut percent = 0;
        let mut explored = 0;
        let mut minute = 0u32;
        let mut topic_run_cap = 0u32;
        let mut move_run_cap = 0u32;
        let mut rupture_matters = false;
        let mut task_refs = 0u64;
        let mut move_sets: Vec<u32> = Vec::new();
        let task_ids: Vec<&str> = tasks.iter().map(|(id, _)| *id).collect();
        let conditions = guidance
            .principles
            .iter()
            .flat_map(|p| &p.rules)
            .map(|r| &r.when)
            .chain(
                guidance
                    .tasks_for(scenario.phase, scenario.area)
                    .map(|t| &t.when),
            );
        for w in conditions {
            for p in [w.min_elapsed_percent, w.max_elapsed_percent]
                .into_iter()
                .flatten()
            {
                percent = percent.max(p);
            }
            for e in [w.min_explored, w.max_explored].into_iter().flatten() {
                explored = explored.max(e.saturating_add(1));
            }
            for m in [w.min_minute, w.max_minute].into_iter().flatten() {
                minute = minute.max(m.saturating_add(1));
            }
            for n in [w.min_topic_run, w.max_topic_run].into_iter().flatten() {
                topic_run_cap = topic_run_cap.max(n.saturating_add(1));
            }
            for n in [w.min_move_run, w.max_move_run].into_iter().flatten() {
                move_run_cap = move_run_cap.max(n.saturating_add(1));
            }
            rupture_matters |= w.rupture.is_some();
            for set in [&w.used, &w.not_used] {
                let mask = set.iter().fold(0u32, |m, k| m | move_bit(*k));
                if mask != 0 && !move_sets.contains(&mask) {
                    move_sets.push(mask);
                }
            }
            for t in w.tasks_done.iter().chain(&w.tasks_not_done) {
                if let Some(i) = task_ids.iter().position(|id| id == t) {
                    task_refs |= 1 << i;
                }
            }
        }
        let minutes = scenario.minutes;
        // Past every clock threshold: the overtime penalty's cap, and where
        // the highest elapsed percentage a rule names changes its answer.
        let past_percent = (u64::from(percent) + 1) * u64::from(minutes) / 100 + 2;
        let clock_cap = u32::try_from(past_percent)
            .unwrap_or(u32::MAX)
            .max(minutes.saturating_add(OVERTIME_PENALTY_CAP))
            .max(minute.saturating_add(1))
            .min(i32::MAX as u32);
        let mut space = Space {
            scenario,
            guidance,
            index,
            endings,
            tasks,
            flags: Vec::new(),
            flag_index: QuickMap::default(),
            clock_cap,
            explored_cap: explored,
            topic_run_cap,
            move_run_cap,
            rupture_matters,
            task_refs,
            move_sets,
            flag_names: flag_names(scenario, guidance),
            horizons: Vec::new(),
            banded: false,
        };
        let (horizons, loops) = space.horizons();
        space.horizons = horizons;
        space.flags = relevant_flags(scenario, guidance, loops);
        space.flag_index = space
            .flags
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, i))
            .collect();
        Ok(space)
    }

    /// Whether a rule may fire on a choice at all (its move, topic, area
    /// and phase), whatever the client's state.
    fn may_fire(&self, w: &RuleCondition, c: &Choice) -> bool {
        (w.moves.is_empty() || w.moves.contains(&c.kind))
            && !w.not_moves.contains(&c.kind)
            && (w.topics.is_empty() || w.topics.contains(&c.topic))
            && (w.areas.is_empty() || w.areas.contains(&self.scenario.area))
            && (w.phases.is_empty() || w.phases.contains(&self.scenario.phase))
    }

    /// The clock's thresholds for a rule's elapsed percentages.
    fn percent_bounds(&self, w: &RuleCondition, out: &mut Vec<i32>) {
        let m = i64::from(self.scenario.minutes);
        if m == 0 {
            return;
        }
        let to_i32 = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        if let Some(p) = w.min_elapsed_percent {
            out.push(to_i32((i64::from(p) * m + 99) / 100));
        }
        if let Some(p) = w.max_elapsed_percent {
            out.push(to_i32(((i64::from(p) + 1) * m + 99) / 100));
        }
    }

    /// What a single choice can change and test: its reach up and down per
    /// variable, and its contribution to the horizon.
    /// Marks the memory flags a condition looks at as mattering.
    fn condition_flags(&self, c: &Condition, h: &mut Horizon) {
        for f in c.remembers.iter().chain(&c.forgets) {
            self.mark_flag(f, h);
        }
    }

    fn mark_flag(&self, f: &str, h: &mut Horizon) {
        match self.flag_names.get(f) {
            Some(&i) if i < 128 => h.flags |= 1 << i,
            _ => h.more_flags = true,
        }
    }

    fn choice_horizon(&self, c: &Choice) -> (Horizon, [u32; 4], [u32; 3]) {
        let mut h = Horizon::default();
        condition_bounds(&mut h.bounds, &c.when);
        self.condition_flags(&c.when, &mut h);
        let mut up = [0u32; 4];
        let mut down = [0u32; 3];
        let mut add = |i: usize, v: i32| {
            if v > 0 {
                up[i] = up[i].saturating_add(v.unsigned_abs());
            } else {
                down[i] = down[i].saturating_add(v.unsigned_abs());
            }
        };
        add(0, c.adjust.trust);
        add(1, c.adjust.distress);
        add(2, c.adjust.openness);
        for r in self.guidance.principles.iter().flat_map(|p| &p.rules) {
            let w = &r.when;
            if !self.may_fire(w, c) {
                continue;
            }
            add(0, r.client.trust);
            add(1, r.client.distress);
            add(2, r.client.openness);
            self.condition_horizon(w, c, &mut h);
        }
        for (i, t) in self
            .guidance
            .tasks_for(self.scenario.phase, self.scenario.area)
            .enumerate()
        {
            if t.moves.contains(&c.kind) && (t.topics.is_empty() || t.topics.contains(&c.topic)) {
                h.tasks |= 1 << i;
                self.condition_horizon(&t.when, c, &mut h);
            }
        }
        up[3] = c.minutes;
        (h, up, down)
    }

    /// What a condition on a choice can tell apart: its thresholds on the
    /// client's state and the clock, and the counters and moves it reads.
    fn condition_horizon(&self, w: &RuleCondition, c: &Choice, h: &mut Horizon) {
        condition_bounds(&mut h.bounds, &w.client);
        self.condition_flags(&w.client, h);
        if w.hesitant.is_some() {
            // The client hesitates at distress 70 or more, openness 25 or
            // less.
            h.bounds[1].push(70);
            h.bounds[2].push(26);
        }
        self.percent_bounds(w, &mut h.bounds[3]);
        if w.over_time.is_some() {
            h.bounds[3].push(i32::try_from(self.scenario.minutes + 1).unwrap_or(i32::MAX));
        }
        for e in [w.min_explored, w.max_explored].into_iter().flatten() {
            h.explored = h.explored.max(e.saturating_add(1));
        }
        if w.first_use.is_some() {
            h.first_use |= move_bit(c.kind);
        }
        for set in [&w.used, &w.not_used] {
            if let Some(i) = self.move_set_index(set) {
                h.move_sets |= 1 << i;
            }
        }
        if w.min_topic_run.is_some() || w.max_topic_run.is_some() {
            h.run_topics |= topic_bit(c.topic);
        }
        if w.min_move_run.is_some() || w.max_move_run.is_some() {
            h.run_moves |= move_bit(c.kind);
        }
        for m in [w.min_minute, w.max_minute.map(|m| m.saturating_add(1))]
            .into_iter()
            .flatten()
        {
            h.bounds[3].push(i32::try_from(m).unwrap_or(i32::MAX));
        }
    }

    /// The horizon of every node, worked out from the endings back, and
    /// whether the node graph has a loop.
    fn horizons(&self) -> (Vec<Horizon>, bool) {
        let scenario = self.scenario;
        // Everything a loop could bring round again.
        let mut all: [Vec<i32>; 4] = Default::default();
        for n in &scenario.nodes {
            for o in &n.options {
                let (h, _, _) = self.choice_horizon(o);
                for (a, b) in all.iter_mut().zip(&h.bounds) {
                    a.extend_from_slice(b);
                }
            }
            for d in &n.disclosures {
                condition_bounds(&mut all, &d.when);
            }
        }
        // The end: each minute of overtime up to the penalty's cap counts,
        // and tasks only score within the session's minutes.
        let m = i32::try_from(scenario.minutes).unwrap_or(i32::MAX - 64);
        let cap = i32::try_from(OVERTIME_PENALTY_CAP).unwrap_or(20);
        let end_bounds: Vec<i32> = (1..=cap).map(|o| m + o).collect();
        all[3].extend_from_slice(&end_bounds);
        for b in &mut all {
            b.sort_unstable();
            b.dedup();
        }

        let n = scenario.nodes.len();
        let mut horizons: Vec<Horizon> = vec![Horizon::default(); n];
        let mut loops = false;
        // 0 new, 1 on the stack, 2 done.
        let mut colour = vec![0u8; n];
        for root in 0..n {
            if colour[root] != 0 {
                continue;
            }
            colour[root] = 1;
            let mut stack = vec![(root, 0usize)];
            while let Some(&mut (at, ref mut k)) = stack.last_mut() {
                if let Some(o) = scenario.nodes[at].options.get(*k) {
                    *k += 1;
                    if let Some(&c) = self.index.get(o.next.as_str())
                        && colour[c] == 0
                    {
                        colour[c] = 1;
                        stack.push((c, 0));
                    }
                    continue;
                }
                let mut h = Horizon {
                    bounds: [Vec::new(), Vec::new(), Vec::new(), end_bounds.clone()],
                    ..Horizon::default()
                };
                for o in &scenario.nodes[at].options {
                    let (own, up, down) = self.choice_horizon(o);
                    h.absorb(&own, [0; 4], [0; 3]);
                    match self.index.get(o.next.as_str()) {
                        Some(&c) if colour[c] == 1 => {
                            loops = true;
                            h.absorb(&Horizon::everything(&all), up, down);
                        }
                        Some(&c) => {
                            let mut next = horizons[c].clone();
                            for d in &scenario.nodes[c].disclosures {
                                condition_bounds(&mut next.bounds, &d.when);
                                self.condition_flags(&d.when, &mut next);
                                // Whether it was already said.
                                self.mark_flag(&d.id, &mut next);
                            }
                            h.absorb(&next, up, down);
                        }
                        None => h.absorb(&Horizon::default(), up, down),
                    }
                }
                h.tidy();
                horizons[at] = h;
                colour[at] = 2;
                stack.pop();
            }
        }
        (horizons, loops)
    }

    /// A `Mind` with its counters cut back to where they still matter.
    fn saturate(&self, m: &mut Mind) {
        m.clock = m.clock.min(self.clock_cap);
        m.explored = m.explored.min(self.explored_cap);
        m.topic_run = m.topic_run.min(self.topic_run_cap);
        m.move_run = m.move_run.min(self.move_run_cap);
    }

    /// The value as the key holds it: itself, or its band once no
    /// threshold ahead is within reach.
    fn canonical(&self, var: usize, value: i32, h: &Horizon) -> u32 {
        const FAR: u32 = 1 << 20;
        let exact = u32::try_from(value).unwrap_or(0);
        let bounds = &h.bounds[var];
        let band = || FAR + u32::try_from(bounds.partition_point(|&b| b <= value)).unwrap_or(0);
        if self.banded {
            return band();
        }
        let up = h.up[var];
        let down = if var == 3 { 0 } else { h.down[var] };
        if up == u32::MAX || down == u32::MAX {
            return exact;
        }
        let mut lo = value.saturating_sub(i32::try_from(down).unwrap_or(i32::MAX));
        let mut hi = value.saturating_add(i32::try_from(up).unwrap_or(i32::MAX));
        if var < 3 {
            lo = lo.max(0);
            hi = hi.min(100);
        }
        if bounds.iter().any(|&b| lo < b && b <= hi) {
            return exact;
        }
        band()
    }

    /// The points for tasks that the move into `to` leaves out of reach for
    /// good (`from` could still cover them): charged now, so that whether
    /// they were done need not be remembered. `to` is `None` for an ending.
    fn settle(&self, from: usize, to: Option<usize>, m: &Mind) -> ScoreDelta {
        let still = to.map_or(0, |j| self.horizons[j].tasks);
        let mut charge = ScoreDelta::default();
        for (i, (id, penalty)) in self.tasks.iter().enumerate() {
            let bit = 1u64 << i;
            if self.horizons[from].tasks & bit != 0
                && still & bit == 0
                && !m.tasks_done.contains(*id)
            {
                charge += *penalty;
            }
        }
        charge
    }

    /// The points for tasks no move can cover at all (charged at the start;
    /// against the options, a task never offered costs nothing).
    fn settle_at_start(&self, start: usize) -> ScoreDelta {
        let mut charge = ScoreDelta::default();
        if self.guidance.scoring.model == ScoringModel::AgainstOptions {
            return charge;
        }
        for (i, (_, penalty)) in self.tasks.iter().enumerate() {
            if self.horizons[start].tasks & (1 << i) == 0 {
                charge += *penalty;
            }
        }
        charge
    }

    /// What running over costs at the end.
    fn overtime(&self, m: &Mind) -> ScoreDelta {
        let over = m.clock.saturating_sub(self.scenario.minutes);
        if over == 0 || self.guidance.principle("use-the-hour").is_none() {
            return ScoreDelta::default();
        }
        overtime_penalty(over)
    }

    /// The index of a set of moves rules ask about.
    fn move_set_index(&self, set: &[MoveKind]) -> Option<usize> {
        let mask = set.iter().fold(0u32, |m, k| m | move_bit(*k));
        self.move_sets.iter().position(|s| *s == mask)
    }

    fn key(&self, node: usize, m: &Mind) -> Key {
        let h = &self.horizons[node];
        let mut memory = 0u128;
        let mut more_memory =
            vec![0u64; self.flags.len().saturating_sub(128).div_ceil(64)].into_boxed_slice();
        for f in &m.memory {
            let ahead = match self.flag_names.get(f.as_str()) {
                Some(&n) if n < 128 => h.flags & (1 << n) != 0,
                _ => h.more_flags,
            };
            if !ahead {
                continue;
            }
            match self.flag_index.get(f.as_str()) {
                Some(&i) if i < 128 => memory |= 1 << i,
                Some(&i) => more_memory[(i - 128) / 64] |= 1 << ((i - 128) % 64),
                None => {}
            }
        }
        let mut tasks = 0u64;
        for (i, (t, _)) in self.tasks.iter().enumerate() {
            if m.tasks_done.contains(*t) {
                tasks |= 1 << i;
            }
        }
        let clock = i32::try_from(m.clock.min(self.clock_cap)).unwrap_or(i32::MAX);
        let used = m.used_moves.iter().fold(0, |acc, k| acc | move_bit(*k));
        Key {
            node: u32::try_from(node).unwrap_or(u32::MAX),
            values: [
                self.canonical(0, m.state.trust, h),
                self.canonical(1, m.state.distress, h),
                self.canonical(2, m.state.openness, h),
                self.canonical(3, clock, h),
            ],
            explored: if h.explored > 0 {
                m.explored.min(self.explored_cap).min(h.explored)
            } else {
                0
            },
            used: used & h.first_use,
            used_sets: self
                .move_sets
                .iter()
                .enumerate()
                .filter(|(i, set)| h.move_sets & (1 << i) != 0 && used & **set != 0)
                .fold(0, |acc, (i, _)| acc | (1 << i)),
            tasks: tasks & (h.tasks | self.task_refs),
            memory,
            more_memory,
            open: u8::from(m.risk_open) | (u8::from(m.rupture_open && self.rupture_matters) << 1),
            topic_run: match m.last_topic {
                Some(t) if h.run_topics & topic_bit(t) != 0 => (topic_code(Some(t)), m.topic_run),
                _ => (0, 0),
            },
            move_run: match m.last_move {
                Some(k) if h.run_moves & move_bit(k) != 0 => (move_code(Some(k)), m.move_run),
                _ => (0, 0),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The graph of points and what is combined over it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    State(u32),
    Ending(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edge {
    option: u32,
    /// What the search adds up: the move's points and any charged on the
    /// way (tasks left out of reach, running over at the end); against the
    /// options, the points given up (as negative points) instead.
    score: ScoreDelta,
    /// Against the options: the points at stake on the way.
    stake: ScoreDelta,
    critical: bool,
    to: Target,
}

/// A value and the edge that achieves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Val {
    v: i32,
    edge: u32,
}

/// The best and worst a point can still achieve, per objective (raw points
/// from here to an ending), and how many routes finish from it.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    max: [Option<Val>; 4],
    min: [Option<Val>; 4],
    /// The most points (all three) among routes with no serious error.
    max_clean: Option<Val>,
    /// The fewest points among routes with a serious error.
    min_critical: Option<Val>,
    paths: u128,
    saturated: bool,
}

/// Each dimension's points with the sign turned.
fn negated(d: ScoreDelta) -> ScoreDelta {
    ScoreDelta {
        rapport: d.rapport.saturating_neg(),
        pacing: d.pacing.saturating_neg(),
        focus: d.focus.saturating_neg(),
    }
}

fn objective_value(d: ScoreDelta, slot: usize) -> i32 {
    match slot {
        0 => d.rapport,
        1 => d.pacing,
        2 => d.focus,
        _ => d.total(),
    }
}

/// The better of the value kept so far and a new one (the first kept on a
/// tie, so routes follow the file's order).
fn better(current: Option<Val>, v: i32, edge: u32, maximise: bool) -> Val {
    match current {
        Some(c) if (maximise && c.v >= v) || (!maximise && c.v <= v) => c,
        _ => Val { v, edge },
    }
}

struct Point {
    node: u32,
    state: ClientState,
    parent: Option<(u32, u32)>,
    edges: Vec<Edge>,
    summary: Summary,
}

struct Search<'a, 'r> {
    space: Space<'a>,
    /// Told how far the search has got, now and then.
    progress: &'r mut dyn FnMut(&Progress),
    started: std::time::Instant,
    points: Vec<Point>,
    index: QuickMap<Key, u32>,
    /// Minds of points found but not yet expanded, by point.
    pending: Vec<Option<Mind>>,
    unlocked: HashSet<(usize, usize)>,
    endings_reached: HashSet<usize>,
    /// Every flag some route leaves in the client's memory (and every task
    /// some route covers): what a later session of a case can test.
    flags_set: HashSet<String>,
    back_edges: usize,
    limits: Limits,
    /// The points in the order they were combined (every point after the
    /// points its moves lead to, loops aside), and which edges lead back.
    order: Vec<u32>,
    back: Vec<Vec<bool>>,
}

impl Search<'_, '_> {
    /// The search stopped at its limit, with what it has cost so far.
    fn too_large(&self) -> AnalysisError {
        // The points and the table of their keys (with its control bytes),
        // the edges, and the minds of points not yet expanded with their
        // sets.
        let edges: usize = self.points.iter().map(|p| p.edges.capacity()).sum();
        let waiting = self.pending.iter().filter(|m| m.is_some()).count();
        let bytes = self.points.len() * std::mem::size_of::<Point>()
            + self.index.len() * std::mem::size_of::<(Key, u32)>()
            + self.index.capacity()
            + self.pending.len() * std::mem::size_of::<Option<Mind>>()
            + waiting * 256
            + edges * std::mem::size_of::<Edge>();
        // Measured on the bundled scenarios: the process's resident memory
        // runs about a fifth above the tables' own size (the allocator, the
        // minds' sets of flags and moves).
        let bytes = bytes / 5 * 6;
        let per_100k = bytes
            .checked_div(self.points.len())
            .unwrap_or(0)
            .saturating_mul(100_000);
        AnalysisError::TooLarge {
            limit: self.limits.max_states,
            elapsed_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            bytes: bytes as u64,
            bytes_per_100k: per_100k as u64,
        }
    }

    /// The point for `node` with this mind (found before, or new).
    fn intern(
        &mut self,
        node: usize,
        mind: Mind,
        parent: Option<(u32, u32)>,
    ) -> Result<u32, AnalysisError> {
        let key = self.space.key(node, &mind);
        if let Some(&id) = self.index.get(&key) {
            return Ok(id);
        }
        if self.points.len() >= self.limits.max_states {
            return Err(self.too_large());
        }
        let id = u32::try_from(self.points.len()).map_err(|_| self.too_large())?;
        if self.points.len().is_multiple_of(PROGRESS_EVERY) && !self.points.is_empty() {
            (self.progress)(&Progress {
                states: self.points.len(),
                elapsed: self.started.elapsed(),
                exact: !self.space.banded,
            });
        }
        self.index.insert(key, id);
        self.points.push(Point {
            node: u32::try_from(node).unwrap_or(u32::MAX),
            state: mind.state,
            parent,
            edges: Vec::new(),
            summary: Summary::default(),
        });
        self.pending.push(Some(mind));
        Ok(id)
    }

    /// Notes what a route has set so far (flags a later session can test).
    fn note_flags(&mut self, m: &Mind) {
        for f in m.memory.iter().chain(&m.tasks_done) {
            if !f.starts_with(crate::core::model::IN_A_CASE) && !self.flags_set.contains(f) {
                self.flags_set.insert(f.clone());
            }
        }
    }

    /// Works out the moves open at a point.
    fn expand(&mut self, id: u32) -> Result<(), AnalysisError> {
        let Some(mind) = self.pending.get_mut(id as usize).and_then(Option::take) else {
            return Ok(());
        };
        let scenario = self.space.scenario;
        let node: &Node = &scenario.nodes[self.points[id as usize].node as usize];
        let from = self.points[id as usize].node as usize;
        let mut edges = Vec::new();
        let visible: Vec<(usize, &Choice)> = mind.visible(node).collect();
        let ctx = mind.context(scenario);
        let evaluations: Vec<_> = visible
            .iter()
            .map(|(_, c)| self.space.guidance.effect(&ctx, c.kind, c.topic))
            .collect();
        let against = self.space.guidance.scoring.model == ScoringModel::AgainstOptions;
        for (k, &(i, choice)) in visible.iter().enumerate() {
            let option = u32::try_from(i).map_err(|_| self.too_large())?;
            let ev = &evaluations[k];
            let mut next = mind.clone();
            next.make_move(choice, ev, (0, 0));
            self.space.saturate(&mut next);
            let (mut score, mut stake) = if against {
                let t = against_options(k, &evaluations, self.space.guidance.scoring.min_stake);
                (negated(t.shortfall()), t.stake)
            } else {
                (ev.score, ScoreDelta::default())
            };
            let mut charge = |c: ScoreDelta| {
                score += c;
                if against {
                    stake += negated(c);
                }
            };
            let to = if let Some(&j) = self.space.index.get(choice.next.as_str()) {
                for d in next.arrive(&scenario.nodes[j]) {
                    self.unlocked.insert((j, d));
                }
                charge(self.space.settle(from, Some(j), &next));
                self.note_flags(&next);
                Target::State(self.intern(j, next, Some((id, option)))?)
            } else if let Some(&e) = self.space.endings.get(choice.next.as_str()) {
                self.endings_reached.insert(e);
                self.note_flags(&next);
                charge(self.space.settle(from, None, &next));
                charge(self.space.overtime(&next));
                Target::Ending(u32::try_from(e).unwrap_or(u32::MAX))
            } else {
                // A broken reference; `validate` reports it.
                continue;
            };
            edges.push(Edge {
                option,
                score,
                stake,
                critical: ev.critical,
                to,
            });
        }
        self.points[id as usize].edges = edges;
        Ok(())
    }

    /// Depth-first over the points, combining each once its successors are
    /// done. Edges back to a point still on the stack (a loop) are noted
    /// and left out of the combination.
    fn run(&mut self, root: u32) -> Result<Vec<Vec<bool>>, AnalysisError> {
        // 0 new, 1 on the stack, 2 done.
        let mut colour: Vec<u8> = Vec::new();
        let mut back: Vec<Vec<bool>> = Vec::new();
        let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
        self.expand(root)?;
        colour.resize(self.points.len(), 0);
        colour[root as usize] = 1;
        while let Some(&mut (id, ref mut k)) = stack.last_mut() {
            let at = id as usize;
            if let Some(edge) = self.points[at].edges.get(*k).copied() {
                let edge_index = *k;
                *k += 1;
                if let Target::State(c) = edge.to {
                    colour.resize(self.points.len(), 0);
                    match colour[c as usize] {
                        0 => {
                            self.expand(c)?;
                            colour.resize(self.points.len(), 0);
                            colour[c as usize] = 1;
                            stack.push((c, 0));
                        }
                        1 => {
                            self.back_edges += 1;
                            back.resize(self.points.len(), Vec::new());
                            let marks = &mut back[at];
                            marks.resize(self.points[at].edges.len(), false);
                            marks[edge_index] = true;
                        }
                        _ => {}
                    }
                }
            } else {
                let is_back = |e: usize| back.get(at).and_then(|b| b.get(e)).copied() == Some(true);
                let summary = self.combine(at, is_back);
                self.points[at].summary = summary;
                colour[at] = 2;
                self.order.push(id);
                stack.pop();
            }
        }
        back.resize(self.points.len(), Vec::new());
        self.back.clone_from(&back);
        Ok(back)
    }

    /// Against the options, the route with the highest (or lowest) share of
    /// the stake earned on one dimension, found exactly by Dinkelbach's
    /// method: for a share λ, the route maximising earned − λ·stake is found
    /// bottom-up over the points; λ becomes that route's share, until no
    /// route does better than λ. Starts from `from`, the route of the sum
    /// of points given up.
    fn share_route(&self, root: u32, slot: usize, best: bool, from: Route) -> Option<Route> {
        let share = |r: &Route| -> (i64, i64) {
            let mut e = 0i64;
            let mut s = 0i64;
            for (edge, _) in &r.edges {
                e += i64::from(
                    objective_value(edge.stake, slot) + objective_value(edge.score, slot),
                );
                s += i64::from(objective_value(edge.stake, slot));
            }
            if s <= 0 { (1, 1) } else { (e, s) }
        };
        let mut current = from;
        // A route's share is a fraction of integers with a bounded
        // denominator, so this ends; the bound is a guard.
        for _ in 0..64 {
            let (e, s) = share(&current);
            let next = self.follow_weighted(root, best, |edge| {
                let earned = i64::from(
                    objective_value(edge.stake, slot) + objective_value(edge.score, slot),
                );
                let stake = i64::from(objective_value(edge.stake, slot));
                earned * s - stake * e
            })?;
            let (e2, s2) = share(&next);
            let improves = if best {
                e2 * s > e * s2
            } else {
                e2 * s < e * s2
            };
            if !improves {
                return Some(current);
            }
            current = next;
        }
        Some(current)
    }

    /// The route maximising (or minimising) the sum of `weight` over its
    /// edges, worked out bottom-up in the order the points were combined.
    fn follow_weighted(
        &self,
        root: u32,
        best: bool,
        weight: impl Fn(&Edge) -> i64,
    ) -> Option<Route> {
        let mut value: Vec<Option<(i64, u32)>> = vec![None; self.points.len()];
        for &id in &self.order {
            let at = id as usize;
            let mut pick: Option<(i64, u32)> = None;
            for (k, edge) in self.points[at].edges.iter().enumerate() {
                if self.back.get(at).and_then(|b| b.get(k)).copied() == Some(true) {
                    continue;
                }
                let rest = match edge.to {
                    Target::Ending(_) => Some(0),
                    Target::State(c) => value[c as usize].map(|(v, _)| v),
                };
                let Some(rest) = rest else { continue };
                let v = weight(edge) + rest;
                let k = u32::try_from(k).unwrap_or(u32::MAX);
                pick = match pick {
                    Some((b, _)) if (best && b >= v) || (!best && b <= v) => pick,
                    _ => Some((v, k)),
                };
            }
            value[at] = pick;
        }
        let mut edges = Vec::new();
        let mut at = root;
        for _ in 0..=self.points.len() {
            let (_, k) = value[at as usize]?;
            let edge = *self.points[at as usize].edges.get(k as usize)?;
            edges.push((edge, at));
            match edge.to {
                Target::State(c) => at = c,
                Target::Ending(_) => return Some(self.finish_route(root, edges)),
            }
        }
        None
    }

    fn combine(&self, at: usize, is_back: impl Fn(usize) -> bool) -> Summary {
        let mut s = Summary::default();
        for (e, edge) in self.points[at].edges.iter().enumerate() {
            if is_back(e) {
                continue;
            }
            let e16 = u32::try_from(e).unwrap_or(u32::MAX);
            let total = edge.score.total();
            match edge.to {
                Target::Ending(_) => {
                    for slot in 0..4 {
                        let v = objective_value(edge.score, slot);
                        s.max[slot] = Some(better(s.max[slot], v, e16, true));
                        s.min[slot] = Some(better(s.min[slot], v, e16, false));
                    }
                    let v = total;
                    if edge.critical {
                        s.min_critical = Some(better(s.min_critical, v, e16, false));
                    } else {
                        s.max_clean = Some(better(s.max_clean, v, e16, true));
                    }
                    s.paths = s.paths.saturating_add(1);
                }
                Target::State(c) => {
                    let child = &self.points[c as usize].summary;
                    for slot in 0..4 {
                        let d = objective_value(edge.score, slot);
                        if let Some(m) = child.max[slot] {
                            s.max[slot] = Some(better(s.max[slot], d + m.v, e16, true));
                        }
                        if let Some(m) = child.min[slot] {
                            s.min[slot] = Some(better(s.min[slot], d + m.v, e16, false));
                        }
                    }
                    if edge.critical {
                        if let Some(m) = child.min[3] {
                            s.min_critical = Some(better(s.min_critical, total + m.v, e16, false));
                        }
                    } else {
                        if let Some(m) = child.max_clean {
                            s.max_clean = Some(better(s.max_clean, total + m.v, e16, true));
                        }
                        if let Some(m) = child.min_critical {
                            s.min_critical = Some(better(s.min_critical, total + m.v, e16, false));
                        }
                    }
                    s.saturated |= child.saturated;
                    let (sum, over) = s.paths.overflowing_add(child.paths);
                    s.paths = if over { u128::MAX } else { sum };
                    s.saturated |= over;
                }
            }
        }
        s
    }

    fn step(&self, at: u32, edge: &Edge) -> Step {
        let scenario = self.space.scenario;
        let node = &scenario.nodes[self.points[at as usize].node as usize];
        let choice = &node.options[edge.option as usize];
        Step {
            node: node.id.clone(),
            option: edge.option as usize + 1,
            text: choice.text.clone(),
            kind: choice.kind,
        }
    }

    /// Follows the recorded choices for one objective from the root.
    fn route(&self, root: u32, objective: Objective, best: bool) -> Option<Route> {
        // Which recorded value to follow; the overall switches from the
        // "clean"/"critical" value to the plain one once the route has made
        // (or can no longer avoid) its serious error.
        #[derive(Clone, Copy, PartialEq)]
        enum Follow {
            Plain,
            Clean,
            Critical,
        }
        let slot = objective.slot();
        let root_summary = &self.points[root as usize].summary;
        let mut follow = match (objective, best) {
            (Objective::Overall, true) if root_summary.max_clean.is_some() => Follow::Clean,
            (Objective::Overall, false) if root_summary.min_critical.is_some() => Follow::Critical,
            _ => Follow::Plain,
        };
        let mut edges = Vec::new();
        let mut at = root;
        for _ in 0..=self.points.len() {
            let s = &self.points[at as usize].summary;
            let pick = match follow {
                Follow::Plain if best => s.max[slot],
                Follow::Plain => s.min[slot],
                Follow::Clean => s.max_clean,
                Follow::Critical => s.min_critical,
            }?;
            let edge = *self.points[at as usize].edges.get(pick.edge as usize)?;
            edges.push((edge, at));
            if follow == Follow::Critical && edge.critical {
                follow = Follow::Plain;
            }
            match edge.to {
                Target::State(c) => at = c,
                Target::Ending(_) => {
                    let route = self.finish_route(root, edges);
                    let against = self.space.guidance.scoring.model == ScoringModel::AgainstOptions;
                    return if against && objective != Objective::Overall {
                        self.share_route(root, slot, best, route)
                    } else {
                        Some(route)
                    };
                }
            }
        }
        None
    }

    /// A route from its edges (each with the point it leaves): its steps,
    /// its ending and the scores it reaches.
    fn finish_route(&self, root: u32, edges: Vec<(Edge, u32)>) -> Route {
        let against = self.space.guidance.scoring.model == ScoringModel::AgainstOptions;
        let mut raw = self
            .space
            .settle_at_start(self.points[root as usize].node as usize);
        // Against the options, what the route adds up is points given up;
        // what it earned is what was at stake less that.
        let mut stake = if against {
            negated(raw)
        } else {
            ScoreDelta::default()
        };
        let mut critical = false;
        let mut steps = Vec::new();
        let mut ending = String::new();
        for (edge, at) in &edges {
            steps.push(self.step(*at, edge));
            raw += edge.score;
            stake += edge.stake;
            critical |= edge.critical;
            if let Target::Ending(e) = edge.to {
                ending = self
                    .space
                    .scenario
                    .endings
                    .get(e as usize)
                    .map(|e| e.id.clone())
                    .unwrap_or_default();
            }
        }
        let guidance = self.space.guidance;
        let scores = if against {
            let mut earned = stake;
            earned += raw;
            Scores::from_shares(earned, stake, critical, guidance)
        } else {
            Scores::from_raw(raw, critical, guidance)
        };
        Route {
            scores,
            critical,
            ending,
            steps,
            edges,
        }
    }

    /// The moves from the start to a point, by the way it was first found.
    fn route_to(&self, mut at: u32) -> Vec<Step> {
        let mut steps = Vec::new();
        while let Some((p, option)) = self.points[at as usize].parent {
            if let Some(edge) = self.points[p as usize]
                .edges
                .iter()
                .find(|e| e.option == option)
            {
                steps.push(self.step(p, edge));
            }
            at = p;
        }
        steps.reverse();
        steps
    }

    /// Points from which some ending can still be reached (loops included).
    fn can_finish(&self) -> Vec<bool> {
        let n = self.points.len();
        let mut reverse: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut ok = vec![false; n];
        let mut queue = VecDeque::new();
        for (i, p) in self.points.iter().enumerate() {
            for e in &p.edges {
                match e.to {
                    Target::State(c) => reverse[c as usize].push(u32::try_from(i).unwrap_or(0)),
                    Target::Ending(_) => {
                        if !ok[i] {
                            ok[i] = true;
                            queue.push_back(i);
                        }
                    }
                }
            }
        }
        while let Some(i) = queue.pop_front() {
            for &p in &reverse[i] {
                if !ok[p as usize] {
                    ok[p as usize] = true;
                    queue.push_back(p as usize);
                }
            }
        }
        ok
    }
}

/// Searches the scenario's whole space (see the module's documentation).
pub fn analyze(
    scenario: &Scenario,
    guidance: &Guidance,
    limits: Limits,
) -> Result<Analysis, AnalysisError> {
    analyze_reporting(scenario, guidance, limits, &mut |_| {})
}

/// As [`analyze`], telling `progress` how far the search has got every
/// [`PROGRESS_EVERY`] points (a long search can then show it is working).
pub fn analyze_reporting(
    scenario: &Scenario,
    guidance: &Guidance,
    limits: Limits,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Analysis, AnalysisError> {
    analyze_from(scenario, guidance, limits, None, progress)
}

/// As [`analyze_reporting`], the client arriving as `carried` says (a
/// session of a case: the state and the earlier sessions' flags the course
/// brings), or as the scenario's own start when `None`.
pub fn analyze_from(
    scenario: &Scenario,
    guidance: &Guidance,
    limits: Limits,
    carried: Option<&Carried>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Analysis, AnalysisError> {
    let start = match carried {
        Some(c) => Mind::carried(c),
        None => Mind::start(scenario),
    };
    let search_space = |limits, banded, progress: &mut dyn FnMut(&Progress)| {
        search_space(scenario, guidance, limits, banded, &start, progress)
    };
    if limits.exact_only {
        return search_space(limits, false, progress);
    }
    // The merged search is quick and never bigger than the exact one; on
    // the bundled scenarios the exact one is 28 to 240 times its size. If
    // twenty times the merged size is past the limit, the exact search is
    // not worth starting.
    let rough = search_space(limits, true, progress)?;
    // Unless the client's state hardly varies (about one state per node,
    // as in a long scenario that does not depend on it): then the exact
    // search is about as big as the merged one.
    let varies = rough.states > rough.reachable_nodes.len().saturating_mul(2);
    if varies && rough.states.saturating_mul(ROUGH_TO_EXACT) > limits.max_states {
        return Ok(rough);
    }
    match search_space(limits, false, progress) {
        Err(AnalysisError::TooLarge { .. }) => Ok(rough),
        other => other,
    }
}

/// How many times more points the exact search is assumed to need than the
/// merged one, at the least, when deciding whether to start it.
const ROUGH_TO_EXACT: usize = 20;

fn search_space(
    scenario: &Scenario,
    guidance: &Guidance,
    limits: Limits,
    banded: bool,
    arrival: &Mind,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Analysis, AnalysisError> {
    let mut space = Space::new(scenario, guidance)?;
    space.banded = banded;
    let start = scenario.start_id();
    let &first = space
        .index
        .get(start)
        .ok_or_else(|| AnalysisError::NoStart(start.to_string()))?;
    let mut search = Search {
        space,
        progress,
        started: std::time::Instant::now(),
        points: Vec::new(),
        index: QuickMap::default(),
        pending: Vec::new(),
        unlocked: HashSet::new(),
        endings_reached: HashSet::new(),
        flags_set: HashSet::new(),
        back_edges: 0,
        limits,
        order: Vec::new(),
        back: Vec::new(),
    };
    let mut mind = arrival.clone();
    for d in mind.arrive(&scenario.nodes[first]) {
        search.unlocked.insert((first, d));
    }
    search.note_flags(&mind);
    let root = search.intern(first, mind, None)?;
    let back = search.run(root)?;
    let loops = search.back_edges > 0;

    let reached: BTreeSet<usize> = search.points.iter().map(|p| p.node as usize).collect();
    let reachable_nodes = scenario
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| reached.contains(i))
        .map(|(_, n)| n.id.clone())
        .collect();
    let unreachable_nodes = scenario
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| !reached.contains(i))
        .map(|(_, n)| n.id.clone())
        .collect();

    let finishes = search.can_finish();
    // One stuck point per node, in the file's order; a point with no
    // option at all says more than one whose options all lead nowhere.
    let mut stuck: Vec<Option<usize>> = vec![None; scenario.nodes.len()];
    for (i, p) in search.points.iter().enumerate() {
        if finishes[i] {
            continue;
        }
        let slot = &mut stuck[p.node as usize];
        let replace = match *slot {
            None => true,
            Some(j) => p.edges.is_empty() && !search.points[j].edges.is_empty(),
        };
        if replace {
            *slot = Some(i);
        }
    }
    let dead_ends: Vec<Stuck> = stuck
        .iter()
        .flatten()
        .map(|&i| {
            let p = &search.points[i];
            Stuck {
                node: scenario.nodes[p.node as usize].id.clone(),
                state: p.state,
                no_options: p.edges.is_empty(),
                route: search.route_to(u32::try_from(i).unwrap_or(0)),
            }
        })
        .collect();

    let endings = scenario
        .endings
        .iter()
        .enumerate()
        .map(|(i, e)| EndingReach {
            id: e.id.clone(),
            title: e.title.clone(),
            outcome: e.outcome,
            reachable: search.endings_reached.contains(&i),
        })
        .collect();

    let disclosures = scenario
        .nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| {
            n.disclosures
                .iter()
                .enumerate()
                .map(move |(d, disc)| (i, d, n, disc))
        })
        .map(|(i, d, n, disc)| DisclosureReach {
            node: n.id.clone(),
            id: disc.id.clone(),
            unlockable: search.unlocked.contains(&(i, d)),
            needs: disc.when.describe(),
        })
        .collect();

    let root_summary = search.points[root as usize].summary;
    let loop_can_finish = back
        .iter()
        .enumerate()
        .any(|(i, marks)| marks.iter().any(|&m| m) && finishes[i]);
    let paths = if loop_can_finish {
        PathCount::Unbounded
    } else if root_summary.saturated {
        PathCount::AtLeast(root_summary.paths)
    } else {
        PathCount::Exactly(root_summary.paths)
    };

    let extremes = Objective::ALL
        .iter()
        .filter_map(|&o| {
            Some(Extreme {
                objective: o,
                best: search.route(root, o, true)?,
                worst: search.route(root, o, false)?,
            })
        })
        .collect();

    Ok(Analysis {
        scenario: scenario.id.clone(),
        exact: !banded,
        states: search.points.len(),
        reachable_nodes,
        unreachable_nodes,
        dead_ends,
        endings,
        paths,
        loops,
        disclosures,
        extremes,
        flags_set: search.flags_set.into_iter().collect(),
    })
}
