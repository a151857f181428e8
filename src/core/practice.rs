//! One practice: a session, the group playing it (if any), how feedback is
//! shown, and what becomes of it (the record, the resume file). The app and
//! the command line both drive a `Practice`, so the rules of a session —
//! who moves in a group, when a record is written, what a retry keeps —
//! are the same in both.

use crate::core::group::{GroupMove, GroupPlay, NotYet};
use crate::core::model::Scenario;
use crate::core::rubric::Guidance;
use crate::core::session::{Event, Session, SessionError};
use crate::core::store::{AttemptRecord, InProgress, scenario_hash};
use std::sync::Arc;

/// How feedback is given while the session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Live meters and a hint after every move.
    Coach,
    /// Nothing until the debrief.
    Assessment,
}

impl Mode {
    pub fn from_coach(coach: bool) -> Mode {
        if coach { Mode::Coach } else { Mode::Assessment }
    }

    pub fn is_coach(self) -> bool {
        self == Mode::Coach
    }
}

/// What the trainee (or the group) does at a choice point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The option at this 1-based shown position: a trainee on their own,
    /// or whoever has the hot seat.
    Choose(usize),
    /// A class vote is closed: play the majority (`None`) or the tutor's pick.
    CloseVote(Option<usize>),
}

/// Why a move was not made. Nothing has changed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlayError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("{0}")]
    Group(#[from] NotYet),
    #[error("a class vote is played by closing the vote, not by choosing")]
    VoteExpected,
    #[error("only a class vote can be closed")]
    NotAVote,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq)]
pub struct Played {
    pub events: Vec<Event>,
    /// The session has ended (an ending, or the turn limit).
    pub ended: bool,
    /// Who made the move (the hot seat).
    pub by: Option<String>,
}

/// What happened when a saved session was picked up again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResumeNote {
    /// The scenario changed since the session was saved.
    pub scenario_changed: bool,
    /// Moves that could not be replayed on the changed scenario and were dropped.
    pub dropped_moves: usize,
}

/// A seed from the clock, for sessions that did not ask for one.
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A session being practised, alone or by a group.
#[derive(Debug, Clone)]
pub struct Practice {
    session: Session,
    group: Option<GroupPlay>,
    /// The content hash of the scenario played, for the records.
    scenario_hash: String,
    mode: Mode,
    /// Moves at the start repeated from an attempt already recorded (a retry).
    replayed: usize,
    /// The case this session belongs to, for the record.
    case: Option<crate::core::store::CaseRef>,
}

impl Practice {
    /// Starts a practice. A group always plays without live meters: the
    /// class sees the scores in the debrief.
    pub fn start(
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
        seed: u64,
        mode: Mode,
        group: Option<GroupPlay>,
    ) -> Result<Practice, SessionError> {
        let scenario_hash = scenario_hash(&scenario);
        let session = Session::new(scenario, guidance, seed)?;
        Ok(Practice::around(session, group, scenario_hash, mode, 0))
    }

    fn around(
        session: Session,
        mut group: Option<GroupPlay>,
        scenario_hash: String,
        mode: Mode,
        replayed: usize,
    ) -> Practice {
        if let Some(g) = group.as_mut() {
            g.new_choice_point(&session);
        }
        let mode = if group.is_some() {
            Mode::Assessment
        } else {
            mode
        };
        Practice {
            session,
            group,
            scenario_hash,
            mode,
            replayed,
            case: None,
        }
    }

    /// A session of a case (started by [`crate::core::case::Course::start_next`]),
    /// played and recorded as part of it.
    pub fn in_case(session: Session, mode: Mode, case: crate::core::store::CaseRef) -> Practice {
        let hash = scenario_hash(session.scenario());
        let mut p = Practice::around(session, None, hash, mode, 0);
        p.case = Some(case);
        p
    }

    /// The case this session belongs to, if any.
    pub fn case(&self) -> Option<&crate::core::store::CaseRef> {
        self.case.as_ref()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn group(&self) -> Option<&GroupPlay> {
        self.group.as_ref()
    }

    /// The group, to enter or correct the class's votes.
    pub fn group_mut(&mut self) -> Option<&mut GroupPlay> {
        self.group.as_mut()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn scenario_hash(&self) -> &str {
        &self.scenario_hash
    }

    /// Moves at the start that repeat an attempt already recorded.
    pub fn replayed(&self) -> usize {
        self.replayed
    }

    /// Makes a move: decides it (for a group), makes it, and notes what the
    /// group did, all or nothing.
    pub fn play(&mut self, input: Input) -> Result<Played, PlayError> {
        use crate::core::group::GroupMode;
        let (position, planned): (usize, Option<GroupMove>) = match (&self.group, input) {
            (None, Input::Choose(p)) => (p, None),
            (Some(g), Input::Choose(p)) if g.mode == GroupMode::HotSeat => {
                let m = g.plan(&self.session, Some(p))?;
                (m.position, Some(m))
            }
            (Some(g), Input::CloseVote(pick)) if g.mode == GroupMode::ClassVote => {
                let m = g.plan(&self.session, pick)?;
                (m.position, Some(m))
            }
            (Some(_), Input::Choose(_)) => return Err(PlayError::VoteExpected),
            (_, Input::CloseVote(_)) => return Err(PlayError::NotAVote),
        };
        let events = self.session.choose(position)?;
        let by = planned.as_ref().and_then(|m| m.turn.by.clone());
        if let (Some(g), Some(m)) = (self.group.as_mut(), planned) {
            g.commit(m, &self.session);
        }
        Ok(Played {
            events,
            ended: self.session.is_ended(),
            by,
        })
    }

    /// The practice rewound to just before turn `turn` (1-based), to go on
    /// from there: the client as they were, the group's turns and seat as
    /// they were. The moves before it repeat this attempt.
    pub fn retry_from(&self, turn: usize) -> Result<Practice, SessionError> {
        let session = self.session.rewind_to(turn)?;
        let group = self.group.clone().map(|mut g| {
            g.rewind_to(turn);
            g
        });
        let mut p = Practice::around(
            session,
            group,
            self.scenario_hash.clone(),
            self.mode,
            turn - 1,
        );
        p.case.clone_from(&self.case);
        Ok(p)
    }

    /// Picks up a session saved part-way, on the scenario as it is now. If
    /// the scenario changed so that some saved moves no longer replay,
    /// those moves (from the first that fails) are dropped, and the note
    /// says so.
    pub fn resume(
        saved: &InProgress,
        scenario: Arc<Scenario>,
        guidance: Arc<Guidance>,
    ) -> Result<(Practice, ResumeNote), SessionError> {
        let hash = scenario_hash(&scenario);
        let mut session = Session::new(scenario, guidance, saved.seed)?;
        let mut dropped = 0;
        for (i, &p) in saved.positions.iter().enumerate() {
            if session.choose(p).is_err() {
                dropped = saved.positions.len() - i;
                break;
            }
        }
        let group = saved.group.as_ref().map(|r| {
            let mut g = GroupPlay::from_record(r);
            g.rewind_to(session.turns().len() + 1);
            g
        });
        let note = ResumeNote {
            scenario_changed: hash != saved.scenario_hash,
            dropped_moves: dropped,
        };
        let mode = Mode::from_coach(saved.coach_mode);
        Ok((Practice::around(session, group, hash, mode, 0), note))
    }

    /// What to save so the session can be resumed, or `None` once it has
    /// ended (there is nothing to resume).
    pub fn in_progress(&self) -> Option<InProgress> {
        if self.session.is_ended() {
            return None;
        }
        let s = &self.session;
        Some(InProgress {
            scenario_id: s.scenario().id.clone(),
            scenario_hash: self.scenario_hash.clone(),
            seed: s.seed(),
            positions: s.positions(),
            coach_mode: self.mode.is_coach(),
            group: self.group.as_ref().map(GroupPlay::record),
            case: self.case.clone(),
        })
    }

    /// Picks up a session of a case saved part-way: the course's next
    /// session, carried over as it began, replayed to where it stopped.
    pub fn resume_in_case(
        saved: &InProgress,
        course: &crate::core::case::Course,
        guidance: Arc<Guidance>,
    ) -> Result<(Practice, ResumeNote), crate::core::case::CourseError> {
        use crate::core::case::CourseError;
        let index = course.next_index().ok_or(CourseError::Complete)?;
        let expected = &course.bundle.scenarios[index];
        if expected.id != saved.scenario_id {
            return Err(CourseError::NotNext {
                expected: expected.id.clone(),
                given: saved.scenario_id.clone(),
            });
        }
        let mut session = course.start_next(guidance, saved.seed)?;
        let hash = scenario_hash(session.scenario());
        let mut dropped = 0;
        for (i, &p) in saved.positions.iter().enumerate() {
            if session.choose(p).is_err() {
                dropped = saved.positions.len() - i;
                break;
            }
        }
        let note = ResumeNote {
            scenario_changed: hash != saved.scenario_hash,
            dropped_moves: dropped,
        };
        let practice = Practice::in_case(
            session,
            Mode::from_coach(saved.coach_mode),
            course.case_ref(index),
        );
        Ok((practice, note))
    }

    /// The record of the attempt (finished, or stopped early), credited to
    /// `trainee` (a group is credited by its own name). `None` when no move
    /// was made: there is nothing to record.
    pub fn finish(&self, trainee: &str) -> Option<AttemptRecord> {
        if self.session.turns().is_empty() {
            return None;
        }
        let trainee = match &self.group {
            Some(g) => g.label(),
            None => trainee.trim().to_string(),
        };
        let mut record = AttemptRecord::from_session(&self.session, &trainee, self.mode.is_coach());
        record.group = self.group.as_ref().map(GroupPlay::record);
        record.replayed_turns = self.replayed;
        record.case.clone_from(&self.case);
        Some(record)
    }
}
