//! The scenario model: what a tutor writes in a `.ron` file.
//!
//! Every optional field has a default so that a scenario stays short. The
//! format is documented in `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};

/// The four IPT problem areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProblemArea {
    Grief,
    RoleDispute,
    RoleTransition,
    InterpersonalDeficits,
}

impl ProblemArea {
    pub const ALL: [ProblemArea; 4] = [
        ProblemArea::Grief,
        ProblemArea::RoleDispute,
        ProblemArea::RoleTransition,
        ProblemArea::InterpersonalDeficits,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProblemArea::Grief => "Grief",
            ProblemArea::RoleDispute => "Role dispute",
            ProblemArea::RoleTransition => "Role transition",
            ProblemArea::InterpersonalDeficits => "Interpersonal deficits",
        }
    }
}

/// The three phases of an IPT course of treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    Initial,
    Middle,
    Termination,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Initial, Phase::Middle, Phase::Termination];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Initial => "Initial",
            Phase::Middle => "Middle",
            Phase::Termination => "Termination",
        }
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Difficulty {
    #[default]
    Introductory,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [
        Difficulty::Introductory,
        Difficulty::Intermediate,
        Difficulty::Advanced,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Introductory => "Introductory",
            Difficulty::Intermediate => "Intermediate",
            Difficulty::Advanced => "Advanced",
        }
    }
}

/// What kind of move a trainee's option is, in IPT terms. The rubric knows
/// every one of these; `docs/authoring.md` explains each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MoveKind {
    OpenQuestion,
    ClosedQuestion,
    Reflection,
    Validation,
    Clarification,
    Summary,
    PressForDetail,
    PrematureAdvice,
    Reassurance,
    Psychoeducation,
    SymptomReview,
    SickRole,
    InterpersonalInventory,
    ProblemAreaFormulation,
    LinkMoodToEvents,
    CommunicationAnalysis,
    RolePlay,
    DecisionAnalysis,
    GoalSetting,
    TimeLimit,
    ReviewProgress,
    SafetyCheck,
    JudgementalRemark,
    ChangeSubject,
    /// Brief social warmth or small talk (the journey, the weather), which
    /// can settle a guarded client at the start.
    SocialWarmth,
    /// Respecting a client's "not now" and offering to come back to it.
    RespectBoundary,
    /// Owning a misstep of one's own and inviting the client's reaction.
    RepairRupture,
    /// Exploring the relationship with the significant other, good and
    /// difficult sides (in grief: with the person who died).
    ExploreRelationship,
}

impl MoveKind {
    pub const ALL: [MoveKind; 28] = [
        MoveKind::OpenQuestion,
        MoveKind::ClosedQuestion,
        MoveKind::Reflection,
        MoveKind::Validation,
        MoveKind::Clarification,
        MoveKind::Summary,
        MoveKind::PressForDetail,
        MoveKind::PrematureAdvice,
        MoveKind::Reassurance,
        MoveKind::Psychoeducation,
        MoveKind::SymptomReview,
        MoveKind::SickRole,
        MoveKind::InterpersonalInventory,
        MoveKind::ProblemAreaFormulation,
        MoveKind::LinkMoodToEvents,
        MoveKind::CommunicationAnalysis,
        MoveKind::RolePlay,
        MoveKind::DecisionAnalysis,
        MoveKind::GoalSetting,
        MoveKind::TimeLimit,
        MoveKind::ReviewProgress,
        MoveKind::SafetyCheck,
        MoveKind::JudgementalRemark,
        MoveKind::ChangeSubject,
        MoveKind::SocialWarmth,
        MoveKind::RespectBoundary,
        MoveKind::RepairRupture,
        MoveKind::ExploreRelationship,
    ];

    /// A short human label ("open question").
    pub fn label(self) -> &'static str {
        match self {
            MoveKind::OpenQuestion => "open question",
            MoveKind::ClosedQuestion => "closed question",
            MoveKind::Reflection => "reflection",
            MoveKind::Validation => "validation / encouraging affect",
            MoveKind::Clarification => "clarification",
            MoveKind::Summary => "summary",
            MoveKind::PressForDetail => "pressing for detail",
            MoveKind::PrematureAdvice => "premature advice",
            MoveKind::Reassurance => "reassurance",
            MoveKind::Psychoeducation => "psychoeducation",
            MoveKind::SymptomReview => "symptom review",
            MoveKind::SickRole => "giving the sick role",
            MoveKind::InterpersonalInventory => "interpersonal inventory",
            MoveKind::ProblemAreaFormulation => "agreeing the problem area",
            MoveKind::LinkMoodToEvents => "linking mood to events",
            MoveKind::CommunicationAnalysis => "communication analysis",
            MoveKind::RolePlay => "role play",
            MoveKind::DecisionAnalysis => "decision analysis",
            MoveKind::GoalSetting => "goal setting",
            MoveKind::TimeLimit => "setting the time limit",
            MoveKind::ReviewProgress => "reviewing progress",
            MoveKind::SafetyCheck => "asking about safety",
            MoveKind::JudgementalRemark => "judgemental remark",
            MoveKind::ChangeSubject => "changing the subject",
            MoveKind::SocialWarmth => "brief social warmth",
            MoveKind::RespectBoundary => "respecting a boundary",
            MoveKind::RepairRupture => "repairing a rupture",
            MoveKind::ExploreRelationship => "exploring the relationship",
        }
    }

    /// Moves that explore the client's experience rather than direct it.
    pub fn is_exploratory(self) -> bool {
        matches!(
            self,
            MoveKind::OpenQuestion
                | MoveKind::Reflection
                | MoveKind::Validation
                | MoveKind::Clarification
                | MoveKind::Summary
                | MoveKind::SymptomReview
                | MoveKind::InterpersonalInventory
                | MoveKind::LinkMoodToEvents
                | MoveKind::CommunicationAnalysis
                | MoveKind::ExploreRelationship
        )
    }
}

/// The emotion a client visibly shows at a point in the conversation (a
/// cue the author sets on a node, which rules and the app respond to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Emotion {
    Anger,
    Sadness,
    Guilt,
    Shame,
    Fear,
    /// Flat, cut off from feeling.
    Numbness,
    Hope,
}

impl Emotion {
    pub const ALL: [Emotion; 7] = [
        Emotion::Anger,
        Emotion::Sadness,
        Emotion::Guilt,
        Emotion::Shame,
        Emotion::Fear,
        Emotion::Numbness,
        Emotion::Hope,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Emotion::Anger => "anger",
            Emotion::Sadness => "sadness",
            Emotion::Guilt => "guilt",
            Emotion::Shame => "shame",
            Emotion::Fear => "fear",
            Emotion::Numbness => "numbness",
            Emotion::Hope => "hope",
        }
    }

    /// A painful feeling, which a reflection or validation can ease.
    pub fn is_painful(self) -> bool {
        !matches!(self, Emotion::Hope)
    }
}

/// What an option is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Topic {
    /// The focal problem area of this scenario.
    Focal,
    /// A present-day issue related to the focal area.
    RelatedPresent,
    /// The distant past (childhood, long-ago events).
    DistantPast,
    /// Unrelated to the work.
    OffTopic,
}

impl Topic {
    pub const ALL: [Topic; 4] = [
        Topic::Focal,
        Topic::RelatedPresent,
        Topic::DistantPast,
        Topic::OffTopic,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Topic::Focal => "the focal problem",
            Topic::RelatedPresent => "a related present issue",
            Topic::DistantPast => "the distant past",
            Topic::OffTopic => "something off topic",
        }
    }
}

/// The client's state: each value from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState {
    pub trust: i32,
    pub distress: i32,
    pub openness: i32,
}

impl Default for ClientState {
    fn default() -> Self {
        ClientState {
            trust: 40,
            distress: 50,
            openness: 40,
        }
    }
}

/// A condition on the client's state and memory. Every field is optional;
/// an empty condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Condition {
    pub min_trust: Option<i32>,
    pub max_trust: Option<i32>,
    pub min_distress: Option<i32>,
    pub max_distress: Option<i32>,
    pub min_openness: Option<i32>,
    pub max_openness: Option<i32>,
    /// Memory flags that must be set (for example `"judged"`, or a disclosure id).
    pub remembers: Vec<String>,
    /// Memory flags that must not be set.
    pub forgets: Vec<String>,
    /// In a case (a course of sessions): flags an earlier session set, such
    /// as `"time-limit"` or a disclosure id.
    pub earlier: Vec<String>,
    /// In a case: flags no earlier session set.
    ///
    /// A condition with `earlier` or `not_earlier` holds only in a session
    /// played as part of a case: played on its own, a scenario is what it
    /// always was.
    pub not_earlier: Vec<String>,
    /// In a case: the session's number in the course is at least this
    /// ("from session 9 of 14 on").
    pub min_session: Option<u32>,
    /// In a case: the session's number in the course is at most this.
    ///
    /// Like `earlier`, a condition with a session number holds only in a
    /// session played as part of a case.
    pub max_session: Option<u32>,
}

/// How a flag from an earlier session of a case is kept in the client's
/// memory: `earlier:` and the flag.
pub fn earlier_flag(flag: &str) -> String {
    format!("earlier:{flag}")
}

/// The memory flag of every session played as part of a case (the prefix
/// of [`earlier_flag`] alone, so no flag of a scenario can be it).
pub const IN_A_CASE: &str = "earlier:";

/// How a session of a case knows its place in the course: a memory flag
/// under [`IN_A_CASE`] that no flag of a scenario can be (flags have no
/// `#`), read back by [`session_number`].
pub fn session_flag(number: u32, total: u32) -> String {
    format!("{IN_A_CASE}#session {number} of {total}")
}

/// The session's number in its course, from the flag [`session_flag`]
/// put in its memory; `None` outside a case.
pub fn session_number(memory: &std::collections::BTreeSet<String>) -> Option<u32> {
    let prefix = format!("{IN_A_CASE}#session ");
    let flag = memory
        .range(prefix.clone()..)
        .next()
        .filter(|f| f.starts_with(&prefix))?;
    flag[prefix.len()..].split(' ').next()?.parse().ok()
}

impl Condition {
    /// The sessions of a course the condition is for, in words ("from
    /// session 12 on"); `None` when it names no session number.
    pub fn sessions(&self) -> Option<String> {
        match (self.min_session, self.max_session) {
            (Some(a), Some(b)) if a == b => Some(format!("session {a}")),
            (Some(a), Some(b)) => Some(format!("sessions {a} to {b}")),
            (Some(a), None) => Some(format!("from session {a} on")),
            (None, Some(b)) => Some(format!("up to session {b}")),
            (None, None) => None,
        }
    }

    /// Whether session `number` of a course is one the condition is for.
    pub fn fits_session(&self, number: u32) -> bool {
        self.min_session.is_none_or(|m| number >= m) && self.max_session.is_none_or(|m| number <= m)
    }

    pub fn is_empty(&self) -> bool {
        *self == Condition::default()
    }

    /// The condition in words, e.g. "trust at least 60, remembers `loss`".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, min, max) in [
            ("trust", self.min_trust, self.max_trust),
            ("distress", self.min_distress, self.max_distress),
            ("openness", self.min_openness, self.max_openness),
        ] {
            match (min, max) {
                (Some(a), Some(b)) => parts.push(format!("{name} {a} to {b}")),
                (Some(a), None) => parts.push(format!("{name} at least {a}")),
                (None, Some(b)) => parts.push(format!("{name} at most {b}")),
                (None, None) => {}
            }
        }
        parts.extend(self.remembers.iter().map(|f| format!("remembers `{f}`")));
        parts.extend(self.forgets.iter().map(|f| format!("not `{f}`")));
        parts.extend(
            self.earlier
                .iter()
                .map(|f| format!("an earlier session set `{f}`")),
        );
        parts.extend(
            self.not_earlier
                .iter()
                .map(|f| format!("no earlier session set `{f}`")),
        );
        parts.extend(self.sessions().map(|s| format!("in a course, {s}")));
        if parts.is_empty() {
            "nothing (always)".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One way the client may say their line; the first variant whose condition
/// holds wins, and among several that hold one is drawn at random.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub text: String,
    #[serde(default)]
    pub when: Condition,
}

/// Something the client only says once the state allows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub when: Condition,
}

/// Explicit changes an author attaches to an option, on top of the rubric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Adjust {
    pub trust: i32,
    pub distress: i32,
    pub openness: i32,
}

impl Adjust {
    pub fn is_zero(&self) -> bool {
        *self == Adjust::default()
    }
}

fn default_minutes() -> u32 {
    2
}

/// A trainee option at a choice point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub text: String,
    #[serde(rename = "move")]
    pub kind: MoveKind,
    pub topic: Topic,
    /// The id of the next node or ending.
    pub next: String,
    /// Simulated minutes this exchange takes.
    #[serde(default = "default_minutes")]
    pub minutes: u32,
    /// Shown only when this holds.
    #[serde(default)]
    pub when: Condition,
    /// Author's feedback, shown in the debrief beside the rubric's.
    #[serde(default)]
    pub feedback: String,
    #[serde(default)]
    pub adjust: Adjust,
}

/// A point in the conversation: the client speaks, then the trainee chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    pub client: Vec<Line>,
    #[serde(default)]
    pub disclosures: Vec<Disclosure>,
    /// The client hints at hopelessness or self-harm here.
    #[serde(default)]
    pub risk: bool,
    /// The client hesitates here, whatever the state says.
    #[serde(default)]
    pub hesitant: bool,
    /// The emotion the client shows here (a cue the trainee should notice).
    #[serde(default)]
    pub emotion: Option<Emotion>,
    /// The client has just said they do not want to talk about something now.
    #[serde(default)]
    pub declines: bool,
    /// The client's line shows a rupture in the alliance (hurt, withdrawal
    /// after a misstep) that a repair could mend.
    #[serde(default)]
    pub rupture: bool,
    /// What the trainee sees of the client here ("She looks away and folds
    /// her arms"); when empty, the app describes the cue and the state.
    #[serde(default)]
    pub body: String,
    /// A discussion prompt for group debriefs.
    #[serde(default)]
    pub prompt: String,
    pub options: Vec<Choice>,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Outcome {
    Good,
    #[default]
    Mixed,
    Poor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub outcome: Outcome,
}

/// A person in the client's life, for the interpersonal inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    pub relation: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub name: String,
    pub age: u32,
    #[serde(default)]
    pub pronouns: String,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub concerns: Vec<String>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub start: ClientState,
}

fn default_session_minutes() -> u32 {
    50
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub area: ProblemArea,
    pub phase: Phase,
    #[serde(default = "default_session_minutes")]
    pub minutes: u32,
    #[serde(default)]
    pub difficulty: Difficulty,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub content_note: String,
    pub client: Client,
    /// The first node; defaults to the first in `nodes`.
    #[serde(default)]
    pub start: String,
    pub nodes: Vec<Node>,
    pub endings: Vec<Ending>,
}

impl Scenario {
    /// Every condition in the scenario: on options, disclosures and lines.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.nodes.iter().flat_map(|n| {
            n.options
                .iter()
                .map(|o| &o.when)
                .chain(n.disclosures.iter().map(|d| &d.when))
                .chain(n.client.iter().map(|l| &l.when))
        })
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn ending(&self, id: &str) -> Option<&Ending> {
        self.endings.iter().find(|e| e.id == id)
    }

    /// The id of the first node.
    pub fn start_id(&self) -> &str {
        if self.start.is_empty() {
            self.nodes.first().map_or("", |n| n.id.as_str())
        } else {
            &self.start
        }
    }
}
