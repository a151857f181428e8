//! What the app keeps between frames: the screen, the rubric, the user's
//! settings and records, the scenario chosen and the practice running, and
//! the action a view hands back. The rules about any of it live in the core.

use crate::core::debrief::Debrief;
use crate::core::drill::DrillRecord;
use crate::core::group::GroupMode;
use crate::core::practice::Practice;
use crate::core::rubric::Guidance;
use crate::core::store::{AttemptRecord, InProgress, Settings, Store};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// The screens, one plugin each under `screens/`.
#[derive(States, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    #[default]
    Library,
    Briefing,
    Session,
    Debrief,
    History,
    Settings,
    /// Practise skills: the skill profile, what to drill, the last drills.
    Drills,
    /// A drill on screen.
    Drill,
    /// A case (a course with one client): its sessions, what was agreed,
    /// and what happened before the next session.
    Course,
}

/// The rubric in use.
#[derive(Resource, Clone)]
pub struct Rubric(pub Arc<Guidance>);

/// Asset sources for scenarios: name and folder.
#[derive(Resource, Clone, Default)]
pub struct ScenarioRoots(pub Vec<(String, PathBuf)>);

/// Settings and where they (and the records) are kept.
#[derive(Resource)]
pub struct Prefs {
    pub settings: Settings,
    pub store: Store,
}

/// The scenario chosen in the library, by id.
#[derive(Resource, Default, Debug)]
pub struct Selected {
    pub id: Option<String>,
    pub coach: bool,
    /// How a group will play it (solo when `mode` is `None`).
    pub group: GroupSetup,
}

/// A group exercise as set up on the briefing screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSetup {
    pub mode: Option<GroupMode>,
    /// The group's name, credited in the records.
    pub name: String,
    /// The hot seat's names, one per line or separated by commas.
    pub roster: String,
    /// Large type and high contrast, for a projector.
    pub presenter: bool,
    /// A class vote: the students vote on their own phones (the app serves
    /// the page on the room's network; nothing listens otherwise).
    pub devices: bool,
    /// The network to serve it on (the first of the machine's when none).
    pub network: Option<std::net::IpAddr>,
    /// Its port (0: any free port).
    pub port: u16,
}

/// The port the room's page is served on unless the tutor picks another.
pub const ROOM_PORT: u16 = 8787;

impl Default for GroupSetup {
    fn default() -> Self {
        GroupSetup {
            mode: None,
            name: String::new(),
            roster: String::new(),
            presenter: true,
            devices: false,
            network: None,
            port: ROOM_PORT,
        }
    }
}

/// The practice on screen (the core's [`Practice`]) and how it is shown.
#[derive(Resource, Default)]
pub struct Practising {
    pub practice: Option<Practice>,
    /// Presenter view is on for this practice.
    pub presenter: bool,
    /// The attempt has been recorded (saved and added to History); a second
    /// "finish" only shows the debrief again.
    pub recorded: bool,
    /// Where the finished attempt was saved.
    pub saved_to: Option<PathBuf>,
}

impl Practising {
    pub fn session(&self) -> Option<&crate::core::session::Session> {
        self.practice.as_ref().map(Practice::session)
    }

    /// Live meters and hints are shown.
    pub fn coach(&self) -> bool {
        self.practice.as_ref().is_some_and(|p| p.mode().is_coach())
    }
}

/// The debrief on screen (just finished, or opened from history).
#[derive(Resource, Default)]
pub struct Viewing {
    pub debrief: Option<Debrief>,
    pub client_name: String,
    pub record: Option<AttemptRecord>,
}

/// Past attempts and sessions of drills, loaded at start and added to as
/// each one ends.
#[derive(Resource, Default)]
pub struct History {
    pub records: Vec<AttemptRecord>,
    pub drills: Vec<DrillRecord>,
}

/// A session from an earlier run that can be resumed.
#[derive(Resource, Default)]
pub struct Resumable(pub Option<InProgress>);

/// What the trainee asked for. Views return these; each screen's module
/// (and `practice` for the session itself) carries out its own.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum UiAction {
    Go(Screen),
    Select(String),
    SetCoach(bool),
    /// Solo, class vote or hot seat, with names (briefing).
    SetGroup(GroupSetup),
    Start,
    Choose(usize),
    /// A class vote: one vote more (or, negative, fewer) for the option at
    /// this 1-based position.
    Vote(usize, i32),
    /// Several votes at once (keys pressed between two frames).
    Votes(Vec<(usize, i32)>),
    /// A class vote: the count for the option at this position, typed in.
    SetVotes(usize, u32),
    /// A class vote: play the majority's choice (`None`) or the tutor's pick.
    PlayVote(Option<usize>),
    /// A class vote on devices: stop the phones' votes at this choice point.
    CloseDeviceVote,
    /// ... or let them vote afresh here.
    ReopenDeviceVote,
    /// The hot seat: pass over the trainee whose turn it is, without a move.
    SkipSeat,
    /// Stop the session now and see the debrief.
    Finish,
    /// Rewind the session to just before this turn (1-based) and go on from there.
    RetryFrom(usize),
    OpenRecord(usize),
    Resume,
    DiscardResume,
    SaveSettings(Settings),
    Export(PathBuf),
    /// Practise skills: what to drill (weakest first, one principle, a plan).
    SetDrillForm(crate::app::drills::DrillForm),
    /// Practise skills: start a session of drills as the form says.
    StartDrills,
    /// A drill: answer with the option at this 1-based position (the first
    /// answer, or the one retry after a miss).
    DrillAnswer(usize),
    /// A drill: go on to the next (after a miss, this declines the retry
    /// and shows the better move first).
    NextDrill,
    /// End the session of drills now; the drills answered are kept.
    EndDrills,
    /// Open a case's page (by the case's id).
    OpenCase(String),
    /// Begin the next session of the open case.
    BeginCaseSession,
    /// Forget the open case's progress and start it over.
    RestartCase,
}

/// The order in which the action systems run in a frame, so an action and
/// one that follows it in the same frame (select, then start) meet in order.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actions;
