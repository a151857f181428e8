//! A class vote played live with the students' phones: the room's server
//! kept in step with a [`Practice`]. Each new choice point is opened to the
//! phones, the devices' votes are brought into the group's tally, a closed
//! vote plays through the group's rules (majority, or the tutor's pick on a
//! tie) and each device's vote is kept at its turn, and the room closes with
//! the discussion question when the session ends. The app's projector and
//! the terminal's `room` command both drive a class vote through this; they
//! only draw it.

use super::Projector;
use super::qr::Qr;
use super::server::{RoomServer, ServeConfig, ServeError};
use crate::core::group::GroupMode;
use crate::core::practice::{Input, PlayError, Played, Practice};

/// A room's server and where the session on screen stands in it.
pub struct LiveRoom {
    server: RoomServer,
    /// The page's address, and the QR code of the same with the join code.
    url: String,
    qr: Option<Qr>,
    /// The room's choice point last opened, and the session's 1-based turn
    /// it is for. Room points are numbered on from 1 and never reused, so a
    /// retry that plays a turn again opens a new point.
    open: Option<(u32, usize)>,
    next_point: u32,
    closed: bool,
}

impl std::fmt::Debug for LiveRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveRoom")
            .field("url", &self.url)
            .field("open", &self.open)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

/// What a projector shows of the room now.
#[derive(Debug, Clone)]
pub struct RoomView<'a> {
    pub url: &'a str,
    pub qr: Option<&'a Qr>,
    /// The join code, devices joined and voted, the point's state.
    pub projector: Projector,
    /// Connections open now.
    pub connections: usize,
    pub closed: bool,
}

impl LiveRoom {
    /// Starts the room's server (nothing listens before this).
    pub fn start(config: ServeConfig) -> Result<LiveRoom, ServeError> {
        let server = RoomServer::start(config)?;
        let url = server.url();
        let qr = Qr::encode(&server.join_url());
        Ok(LiveRoom {
            server,
            url,
            qr,
            open: None,
            next_point: 1,
            closed: false,
        })
    }

    pub fn server(&self) -> &RoomServer {
        &self.server
    }

    pub fn view(&self) -> RoomView<'_> {
        RoomView {
            url: &self.url,
            qr: self.qr.as_ref(),
            projector: self.server.projector(),
            connections: self.server.connections(),
            closed: self.closed,
        }
    }

    /// Whether the phones can vote now.
    pub fn is_open(&self) -> bool {
        !self.closed && self.server.projector().open
    }

    /// Keeps the room in step with `practice` (call it every frame, or
    /// whenever something may have changed): opens the vote at a new choice
    /// point, brings the devices' votes into the group's tally, and closes
    /// the room when the session has ended. Returns whether anything the
    /// projector shows changed. Does nothing for a practice that is not a
    /// class vote.
    pub fn sync(&mut self, practice: &mut Practice) -> bool {
        if self.closed
            || practice
                .group()
                .is_none_or(|g| g.mode != GroupMode::ClassVote)
        {
            return false;
        }
        let session = practice.session();
        if session.is_ended() {
            self.end(practice);
            return true;
        }
        let mut changed = false;
        let turn = session.turns().len() + 1;
        if let Some(prompt) = session.prompt()
            && self.open.is_none_or(|(_, t)| t != turn)
        {
            let _ = self.server.close_vote();
            let mut line = prompt.client_line.clone();
            for d in &prompt.disclosures {
                line.push(' ');
                line.push_str(d);
            }
            let options = prompt.options.iter().map(|o| o.text.clone()).collect();
            let point = self.next_point;
            self.next_point += 1;
            // The point is new and the vote before it closed, so only an
            // option count beyond the page's limit can refuse it; then the
            // phones keep waiting and the tutor counts hands.
            if self
                .server
                .open_vote(point, &session.scenario().client.name, &line, options)
                .is_ok()
            {
                self.open = Some((point, turn));
            } else {
                self.open = Some((0, turn));
            }
            changed = true;
        }
        let devices = self.server.device_tally();
        if let Some(g) = practice.group_mut()
            && g.device_tally != devices
        {
            g.device_tally = devices;
            changed = true;
        }
        changed
    }

    /// Closes the phones' vote at the current choice point (the votes stay
    /// on the projector). Nothing if none is open.
    pub fn close_vote(&mut self, practice: &mut Practice) {
        let _ = self.server.close_vote();
        self.sync(practice);
    }

    /// Opens the vote at the current choice point again, as a new point
    /// (the phones vote afresh), e.g. when it was closed with no votes.
    pub fn reopen(&mut self, practice: &mut Practice) {
        let _ = self.server.close_vote();
        self.open = None;
        if let Some(g) = practice.group_mut() {
            g.device_tally = crate::core::group::Tally::default();
        }
        self.sync(practice);
    }

    /// Closes the vote and plays the class's move: the majority of the
    /// hand-typed counts and the devices' votes together, or `pick` (the
    /// tutor's, for a tie). When it is played, each device's final vote is
    /// kept at the turn. When it is not (no votes, a tie), the vote stays
    /// closed and nothing else changes.
    pub fn play(
        &mut self,
        practice: &mut Practice,
        pick: Option<usize>,
    ) -> Result<Played, PlayError> {
        self.close_vote(practice);
        let turn = practice.session().turns().len() + 1;
        let played = practice.play(Input::CloseVote(pick))?;
        if let Some((point, t)) = self.open
            && t == turn
            && point > 0
        {
            let record = self.server.record();
            if let Some(g) = practice.group_mut() {
                g.note_device_votes(turn, point, &record);
            }
        }
        self.sync(practice);
        Ok(played)
    }

    /// The session on screen was rewound (a retry): the next choice point
    /// is opened afresh, whatever its turn.
    pub fn rewound(&mut self) {
        let _ = self.server.close_vote();
        self.open = None;
    }

    /// Ends the room with the debrief's discussion question of `practice`
    /// (the last choice point's that has one): at the session's end, or
    /// when the tutor stops it part-way.
    pub fn end(&mut self, practice: &Practice) {
        let question = practice
            .group()
            .and_then(|g| g.turns.iter().rev().find(|t| !t.discuss.is_empty()))
            .map(|t| t.discuss.clone())
            .unwrap_or_default();
        self.close(&question);
    }

    /// Ends the room: every page shows `question`, later requests are
    /// refused. Once closed, a room stays closed (a new session needs a new
    /// room, with a new code).
    pub fn close(&mut self, question: &str) {
        if !self.closed {
            self.server.close_room(question);
            self.closed = true;
        }
    }
}

impl Drop for LiveRoom {
    fn drop(&mut self) {
        self.close("");
    }
}
