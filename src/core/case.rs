//! A case: a course of IPT with one client, over several sessions. Each
//! session is a scenario; between sessions the client's state carries over
//! (trust and openness mostly kept, distress moved by the work and by
//! events), and what a session set (agreements, disclosures, tasks done)
//! stays with the client for the sessions after, where conditions test it
//! with `earlier` (see `docs/scenario-format.md`, "Cases").
//!
//! The model and the course's rules are here; reading and checking a case
//! file is in [`crate::core::load`].

use crate::core::model::{
    ClientState, Condition, IN_A_CASE, MoveKind, Outcome, Scenario, earlier_flag, session_flag,
};
use crate::core::rubric::Guidance;
use crate::core::scoring::Scores;
use crate::core::session::{Carried, Session, SessionError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// The longest course a case may describe (IPT runs 12 to 16 sessions;
/// some courses are longer).
pub const MAX_SESSIONS: u32 = 40;

/// How far one event between sessions may move the client, either way.
pub const MAX_EVENT_CHANGE: i32 = 50;

/// How close to the best-played end (on each of trust, distress and
/// openness) a session may leave the client and still count as played
/// well, carrying nothing over.
pub const NEAR_BEST: i32 = 5;

/// How much more guarded a client arrives after feeling pressed or judged
/// in the session before: trust and openness each this much lower.
pub const GUARDED: i32 = 8;

/// A course of sessions with one client, as a tutor writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub title: String,
    /// The client's name, as every session's scenario gives it.
    pub client: String,
    /// The number of sessions in the whole course (the sessions listed may
    /// skip some: "1, 6 and 12 of 12").
    pub total: u32,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub carry: Carry,
    /// What the memory flags that matter for the course mean, in words:
    /// shown between sessions and in the course's debrief.
    #[serde(default)]
    pub agreements: Vec<Agreement>,
    pub sessions: Vec<CaseSession>,
}

/// How much of the last session's change in the client's state carries
/// into the next, in percent (the rest fades over the week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Carry {
    pub trust: u32,
    pub openness: u32,
    pub distress: u32,
}

impl Default for Carry {
    fn default() -> Self {
        Carry {
            trust: 75,
            openness: 75,
            distress: 50,
        }
    }
}

/// What one memory flag means for the course ("the time limit was agreed").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub flag: String,
    pub text: String,
    #[serde(default)]
    pub kind: AgreementKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgreementKind {
    Focus,
    TimeLimit,
    Goal,
    Homework,
    Safety,
    #[default]
    Other,
}

impl AgreementKind {
    pub fn label(self) -> &'static str {
        match self {
            AgreementKind::Focus => "focus",
            AgreementKind::TimeLimit => "time limit",
            AgreementKind::Goal => "goal",
            AgreementKind::Homework => "between sessions",
            AgreementKind::Safety => "safety",
            AgreementKind::Other => "",
        }
    }
}

/// One session of the course: its number, its scenario file (relative to
/// the case file), and what happens in the client's life before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSession {
    pub number: u32,
    pub file: String,
    #[serde(default)]
    pub before: Vec<LifeEvent>,
}

/// Something that happens between sessions: it happens when its condition
/// holds (on the state the client carries, and with `earlier` on what the
/// sessions before set), moves the client, and can set flags of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifeEvent {
    pub text: String,
    pub when: Condition,
    pub trust: i32,
    pub distress: i32,
    pub openness: i32,
    /// Flags later conditions can test with `earlier` (say `"lost-job"`).
    pub sets: Vec<String>,
}

/// A case with its sessions' scenarios loaded, in the order of the file.
#[derive(Debug, Clone)]
pub struct CaseBundle {
    pub case: Case,
    pub path: PathBuf,
    pub scenarios: Vec<Arc<Scenario>>,
}

impl CaseBundle {
    /// The phase of the course a session falls in, from its scenario.
    pub fn session_label(&self, i: usize) -> String {
        let n = self.case.sessions.get(i).map_or(0, |s| s.number);
        let phase = self
            .scenarios
            .get(i)
            .map_or("", |s| s.phase.label().trim_end_matches(" phase"));
        format!("session {n} of {} ({phase})", self.case.total)
    }
}

/// What one finished session of a course left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDone {
    pub number: u32,
    pub scenario_id: String,
    pub seed: u64,
    pub positions: Vec<usize>,
    /// The client as they arrived and as they left.
    pub start: ClientState,
    pub end: ClientState,
    /// How the client would have left had every move been the rubric's
    /// best (the same start and seed): what the next session's author
    /// assumed.
    pub expected_end: ClientState,
    /// What this session set (disclosures, the rubric's flags, tasks done),
    /// without what it carried in.
    pub flags: BTreeSet<String>,
    /// The kinds of move made, in order (what the course checks look at:
    /// was last week's step asked about).
    #[serde(default)]
    pub moves: Vec<MoveKind>,
    pub scores: Scores,
    pub ending: String,
    pub outcome: Option<Outcome>,
}

/// Between two sessions: what happened and how the client arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Between {
    /// The session about to start (its index in the case's list).
    pub index: usize,
    pub number: u32,
    /// The life events that happened, in order.
    pub events: Vec<LifeEvent>,
    /// How far the last session left the client from where its best moves
    /// would have (the case's `carry` share of it, beyond [`NEAR_BEST`]):
    /// the change to the start the session was written for.
    pub from_last: crate::core::model::Adjust,
    /// Why the client arrives more guarded, if they do.
    pub guarded: Option<String>,
    /// The agreements so far, in the case's order, with the session that
    /// set each.
    pub agreed: Vec<(Agreement, u32)>,
    pub carried: Carried,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CourseError {
    /// Every session of the case has been played.
    Complete,
    /// The session given is not the course's next one, or has not ended.
    NotNext {
        expected: String,
        given: String,
    },
    NotEnded,
    Session(SessionError),
}

impl std::fmt::Display for CourseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CourseError::Complete => write!(f, "every session of the case has been played"),
            CourseError::NotNext { expected, given } => write!(
                f,
                "the next session of the case is `{expected}`, not `{given}`"
            ),
            CourseError::NotEnded => write!(f, "the session has not ended yet"),
            CourseError::Session(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CourseError {}

/// A trainee's way through a case: the sessions played so far, and from
/// them how the client arrives at the next.
#[derive(Debug, Clone)]
pub struct Course {
    pub bundle: Arc<CaseBundle>,
    pub done: Vec<SessionDone>,
}

impl Course {
    pub fn new(bundle: Arc<CaseBundle>) -> Course {
        Course {
            bundle,
            done: Vec::new(),
        }
    }

    /// A course picked up from saved progress: the sessions saved are kept
    /// as far as they are still this case's sessions in order (a case that
    /// changed since keeps what still fits). Returns how many were dropped.
    pub fn resume(bundle: Arc<CaseBundle>, done: Vec<SessionDone>) -> (Course, usize) {
        let total = done.len();
        let kept: Vec<SessionDone> = done
            .into_iter()
            .zip(&bundle.scenarios)
            .zip(&bundle.case.sessions)
            .take_while(|((d, s), c)| d.scenario_id == s.id && d.number == c.number)
            .map(|((d, _), _)| d)
            .collect();
        let dropped = total - kept.len();
        (Course { bundle, done: kept }, dropped)
    }

    /// The progress to save.
    pub fn progress(&self) -> crate::core::store::CourseProgress {
        crate::core::store::CourseProgress {
            format: crate::core::store::COURSE_FORMAT.into(),
            version: 1,
            case_id: self.bundle.case.id.clone(),
            done: self.done.clone(),
        }
    }

    /// Where a session of this course stands, for its record.
    pub fn case_ref(&self, index: usize) -> crate::core::store::CaseRef {
        crate::core::store::CaseRef {
            id: self.bundle.case.id.clone(),
            title: self.bundle.case.title.clone(),
            number: self.bundle.case.sessions.get(index).map_or(0, |s| s.number),
            total: self.bundle.case.total,
        }
    }

    /// Takes back the last session played (to play it again, as a retry
    /// from the debrief does).
    pub fn undo_last(&mut self) -> Option<SessionDone> {
        self.done.pop()
    }

    /// The index of the next session to play, if any is left.
    pub fn next_index(&self) -> Option<usize> {
        (self.done.len() < self.bundle.scenarios.len()).then_some(self.done.len())
    }

    pub fn is_complete(&self) -> bool {
        self.next_index().is_none()
    }

    /// Everything the sessions played so far set.
    fn earlier(&self) -> BTreeSet<String> {
        self.done.iter().flat_map(|d| d.flags.clone()).collect()
    }

    /// What happens before the next session, and how the client arrives.
    /// A session's scenario is written for a course that went well, so its
    /// own starting state is the start; the last session moves it by the
    /// case's share (`carry`) of how far that client ended from where the
    /// rubric's best moves would have left them (a session played worse
    /// leaves less trust and more distress; one played as well as it can
    /// be, or within [`NEAR_BEST`] of it, none). Then: more guarded after feeling pressed or judged; then
    /// each life event whose condition holds, in order.
    pub fn between(&self) -> Option<Between> {
        let index = self.next_index()?;
        let scenario = self.bundle.scenarios.get(index)?;
        let session = self.bundle.case.sessions.get(index)?;
        let carry = self.bundle.case.carry;
        let mut state = scenario.client.start;
        let mut guarded = None;
        let mut from_last = crate::core::model::Adjust::default();
        if let Some(last) = self.done.last() {
            // Within `NEAR_BEST` of the best-played end counts as played
            // well: the best routes by the whole session (analyze's) and by
            // each move (the rubric's) end a few points apart.
            let kept = |gap: i32, percent: u32| {
                let beyond = gap.signum() * (gap.abs() - NEAR_BEST).max(0);
                beyond * percent.min(100) as i32 / 100
            };
            let (end, expected) = (last.end, last.expected_end);
            state.trust += kept(end.trust - expected.trust, carry.trust);
            state.openness += kept(end.openness - expected.openness, carry.openness);
            state.distress += kept(end.distress - expected.distress, carry.distress);
            from_last = crate::core::model::Adjust {
                trust: state.trust - scenario.client.start.trust,
                distress: state.distress - scenario.client.start.distress,
                openness: state.openness - scenario.client.start.openness,
            };
            let felt: Vec<&str> = [("pressed", "pressed"), ("judged", "judged")]
                .into_iter()
                .filter(|(flag, _)| last.flags.contains(*flag))
                .map(|(_, word)| word)
                .collect();
            if !felt.is_empty() {
                state.trust -= GUARDED;
                state.openness -= GUARDED;
                guarded = Some(format!(
                    "{} arrives more guarded: last session they felt {}.",
                    first_name(&self.bundle.case.client),
                    felt.join(" and ")
                ));
            }
        }
        let mut earlier = self.earlier();
        let mut events = Vec::new();
        for e in &session.before {
            clamp(&mut state);
            let mut memory: BTreeSet<String> = earlier.iter().map(|f| earlier_flag(f)).collect();
            memory.insert(IN_A_CASE.to_string());
            memory.insert(session_flag(session.number, self.bundle.case.total));
            if !e.when.holds(&state, &memory) {
                continue;
            }
            state.trust += e.trust.clamp(-MAX_EVENT_CHANGE, MAX_EVENT_CHANGE);
            state.distress += e.distress.clamp(-MAX_EVENT_CHANGE, MAX_EVENT_CHANGE);
            state.openness += e.openness.clamp(-MAX_EVENT_CHANGE, MAX_EVENT_CHANGE);
            earlier.extend(e.sets.iter().cloned());
            events.push(e.clone());
        }
        clamp(&mut state);
        let agreed = self
            .bundle
            .case
            .agreements
            .iter()
            .filter_map(|a| {
                let from = self.done.iter().find(|d| d.flags.contains(&a.flag))?;
                Some((a.clone(), from.number))
            })
            .collect();
        Some(Between {
            index,
            number: session.number,
            events,
            from_last,
            guarded,
            agreed,
            carried: Carried {
                state,
                earlier,
                session: Some((session.number, self.bundle.case.total)),
            },
        })
    }

    /// Starts the next session, the client as [`Course::between`] says.
    pub fn start_next(&self, guidance: Arc<Guidance>, seed: u64) -> Result<Session, CourseError> {
        let between = self.between().ok_or(CourseError::Complete)?;
        let scenario = self
            .bundle
            .scenarios
            .get(between.index)
            .cloned()
            .ok_or(CourseError::Complete)?;
        Session::carried(scenario, guidance, seed, between.carried).map_err(CourseError::Session)
    }

    /// Adds a finished session of this course (the next one) to it.
    pub fn finish(&mut self, session: &Session) -> Result<&SessionDone, CourseError> {
        let index = self.next_index().ok_or(CourseError::Complete)?;
        let expected = &self.bundle.scenarios[index];
        if session.scenario().id != expected.id {
            return Err(CourseError::NotNext {
                expected: expected.id.clone(),
                given: session.scenario().id.clone(),
            });
        }
        if !session.is_ended() {
            return Err(CourseError::NotEnded);
        }
        let mut flags: BTreeSet<String> = session
            .memory()
            .iter()
            .filter(|f| !f.starts_with(IN_A_CASE))
            .cloned()
            .collect();
        flags.extend(session.tasks_done().iter().cloned());
        // An event's own flags stay with the course too.
        if let Some(c) = session.carried_in() {
            flags.extend(c.earlier.iter().cloned());
        }
        let history = session.state_history();
        let ending = session.ending();
        let expected_end = best_end(session).unwrap_or(session.state());
        self.done.push(SessionDone {
            number: self.bundle.case.sessions[index].number,
            scenario_id: expected.id.clone(),
            seed: session.seed(),
            positions: session.positions(),
            start: history.first().copied().unwrap_or(session.state()),
            end: session.state(),
            expected_end,
            flags,
            moves: session.turns().iter().map(|t| t.kind).collect(),
            scores: session.scores(),
            ending: ending.map(|e| e.title.clone()).unwrap_or_default(),
            outcome: ending.map(|e| e.outcome),
        });
        self.done.last().ok_or(CourseError::Complete)
    }

    /// Plays the whole course with these choices per session, each session
    /// with `seed` (as `play` does).
    pub fn play_through(
        bundle: Arc<CaseBundle>,
        guidance: &Arc<Guidance>,
        seed: u64,
        choices: &[Vec<usize>],
    ) -> Result<(Course, Vec<Session>), CourseError> {
        let mut course = Course::new(bundle);
        let mut sessions = Vec::new();
        for picks in choices {
            let mut s = course.start_next(guidance.clone(), seed)?;
            for &p in picks {
                s.choose(p).map_err(CourseError::Session)?;
            }
            course.finish(&s)?;
            sessions.push(s);
        }
        Ok((course, sessions))
    }
}

/// Where the client of `session` would have ended had every move been the
/// rubric's best, from the same start and seed.
fn best_end(session: &Session) -> Option<ClientState> {
    let mut s = match session.carried_in() {
        Some(c) => Session::carried(
            session.scenario().clone(),
            session.guidance().clone(),
            session.seed(),
            c.clone(),
        ),
        None => Session::new(
            session.scenario().clone(),
            session.guidance().clone(),
            session.seed(),
        ),
    }
    .ok()?;
    if session.is_steady() {
        s = s.steadied();
    }
    while let Some(p) = s.best_position() {
        if s.choose(p).is_err() {
            break;
        }
    }
    Some(s.state())
}

fn clamp(s: &mut ClientState) {
    s.trust = s.trust.clamp(0, 100);
    s.distress = s.distress.clamp(0, 100);
    s.openness = s.openness.clamp(0, 100);
}

/// The first word of a client's name ("Rosa" of "Rosa Delgado").
pub(crate) fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}
