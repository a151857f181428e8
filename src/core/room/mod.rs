//! A classroom "room": students vote on each choice point from their own
//! phones. This module holds the room's rules as pure functions: who gets
//! in, which vote counts, what the projector may show and what the record
//! keeps. It does no I/O, reads no clock (every call takes `now_ms`, the
//! milliseconds since a moment the caller picks, e.g. an `Instant` at
//! start) and reads no randomness of its own (the room is given a seeded
//! generator). The HTTP server parses requests, calls these functions and
//! pushes the returned [`RoomEvent`]s to the browsers; `docs/class-room.md`
//! describes the HTTP API and what an attacker on the network can do.

pub mod live;
pub mod page;
pub mod qr;
pub mod server;

use crate::core::group::Tally;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// The join code's letters: no 0/O or 1/I, so a code read off a projector
/// is typed right. 32 of them, so 5 bits of a random byte pick one without
/// bias.
pub const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a join code: 32^6 = 2^30 codes.
pub const CODE_LEN: usize = 6;
/// Random bytes in a device's token (128 bits), shown as 32 hex digits.
pub const TOKEN_BYTES: usize = 16;
/// Devices in one room.
pub const MAX_DEVICES: usize = 200;
/// Characters kept of a student's name, after trimming.
pub const MAX_NAME_CHARS: usize = 40;
/// Options at one choice point (scenarios have 2-6).
pub const MAX_OPTIONS: usize = 12;

/// The largest request body the server reads (a join or a vote is under
/// 300 bytes); larger is refused with 413 before it is parsed.
pub const MAX_BODY_BYTES: usize = 1024;
/// The longest join-code field the server accepts (spaces and dashes
/// allowed around the 6 letters).
pub const MAX_CODE_FIELD_BYTES: usize = 16;
/// The longest name field the server accepts, in bytes (40 characters of
/// up to 4 bytes each, and some room for spaces that are trimmed).
pub const MAX_NAME_FIELD_BYTES: usize = 200;
/// The token field: exactly this many lowercase hex digits.
pub const TOKEN_HEX_LEN: usize = TOKEN_BYTES * 2;
/// Open event streams (SSE connections) in the whole room.
pub const MAX_STREAMS: usize = 256;
/// Open event streams per device (a reload opens a new one before the
/// old one is noticed as gone).
pub const MAX_STREAMS_PER_DEVICE: usize = 2;

/// Each device's requests: 5 a second, bursts of 10.
pub const DEVICE_RATE: Rate = Rate {
    per_second: 5,
    burst: 10,
};
/// All devices' requests together: 60 students voting and reconnecting at
/// once fit with room to spare.
pub const ROOM_RATE: Rate = Rate {
    per_second: 400,
    burst: 800,
};
/// Requests from outside the room (a wrong join code, an unknown token),
/// all together: 5 a second, bursts of 20. At that rate finding a code of
/// 2^30 by guessing takes years.
pub const STRANGER_RATE: Rate = Rate {
    per_second: 5,
    burst: 20,
};

/// A token bucket's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Tokens added each second.
    pub per_second: u32,
    /// The most tokens the bucket holds (the longest burst).
    pub burst: u32,
}

/// A token bucket, as a pure function of the time given to it: each
/// request takes a token; tokens come back at `per_second`, up to `burst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    rate: Rate,
    /// Thousandths of a token, so that refilling by the millisecond is exact.
    milli: u64,
    last_ms: u64,
}

impl TokenBucket {
    /// A full bucket at `now_ms`.
    pub fn new(rate: Rate, now_ms: u64) -> Self {
        TokenBucket {
            rate,
            milli: u64::from(rate.burst) * 1000,
            last_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: u64) {
        // A clock that goes back refills nothing (and is not trusted to).
        let elapsed = now_ms.saturating_sub(self.last_ms);
        self.last_ms = self.last_ms.max(now_ms);
        let cap = u64::from(self.rate.burst) * 1000;
        self.milli = self
            .milli
            .saturating_add(elapsed.saturating_mul(u64::from(self.rate.per_second)))
            .min(cap);
    }

    /// Whether a request at `now_ms` may go ahead (taking a token if so).
    pub fn try_take(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        if self.milli >= 1000 {
            self.milli -= 1000;
            true
        } else {
            false
        }
    }

    /// Whether a token is there at `now_ms`, without taking it.
    pub fn has_token(&mut self, now_ms: u64) -> bool {
        self.refill(now_ms);
        self.milli >= 1000
    }
}

/// Why a student's request was refused. The message is for the student,
/// shown on their phone as it is; [`Refusal::code`] is for the page and the
/// tests, [`Refusal::status`] for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("That join code is not this room's. Check the code on the projector.")]
    WrongCode,
    #[error(
        "Too many wrong join codes were tried in this room just now. Wait a few seconds and try again."
    )]
    TooManyGuesses,
    #[error("This room is full ({MAX_DEVICES} devices). Ask the tutor.")]
    RoomFull,
    #[error("This room has closed: the session is over. Thank you for taking part.")]
    RoomClosed,
    #[error(
        "This device is not in the room (or the room has restarted). Join again with the code on the projector."
    )]
    UnknownToken,
    #[error("There is no vote open just now. Wait for the next choice point.")]
    NoVoteOpen,
    #[error("Too late: the tutor has closed the vote on that choice point.")]
    Late,
    #[error("That is not the current choice point. Reload the page to see the current one.")]
    WrongPoint,
    #[error("There is no such option here. Tap one of the options shown.")]
    NoSuchOption,
    #[error("Too many requests from this device. Wait a moment and try again.")]
    TooFast,
    #[error("The room is busy. Wait a moment and try again.")]
    Busy,
    #[error("The page sent more than the room accepts. Reload the page and try again.")]
    TooLarge,
    #[error("The page sent something the room could not read. Reload the page and try again.")]
    BadRequest,
    #[error("This device already has the room open in other tabs. Close one and try again.")]
    TooManyStreams,
    #[error("The page sent something that is not JSON. Reload the page and try again.")]
    NotJson,
    #[error("There is nothing at that address. Open the room's address shown on the projector.")]
    NotFound,
    #[error("That request is not one the room answers. Reload the page and try again.")]
    WrongMethod,
    #[error("Too many connections from this device just now. Close other tabs and try again.")]
    TooManyConnections,
}

impl Refusal {
    /// A stable name for the refusal (in the JSON the server sends back).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::WrongCode => "wrong_code",
            Refusal::TooManyGuesses => "too_many_guesses",
            Refusal::RoomFull => "room_full",
            Refusal::RoomClosed => "room_closed",
            Refusal::UnknownToken => "unknown_token",
            Refusal::NoVoteOpen => "no_vote_open",
            Refusal::Late => "late",
            Refusal::WrongPoint => "wrong_point",
            Refusal::NoSuchOption => "no_such_option",
            Refusal::TooFast => "too_fast",
            Refusal::Busy => "busy",
            Refusal::TooLarge => "too_large",
            Refusal::BadRequest => "bad_request",
            Refusal::TooManyStreams => "too_many_streams",
            Refusal::NotJson => "not_json",
            Refusal::NotFound => "not_found",
            Refusal::WrongMethod => "wrong_method",
            Refusal::TooManyConnections => "too_many_connections",
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(self) -> u16 {
        match self {
            Refusal::BadRequest => 400,
            Refusal::UnknownToken => 401,
            Refusal::NotFound => 404,
            Refusal::WrongMethod => 405,
            Refusal::NotJson => 415,
            Refusal::WrongCode => 403,
            Refusal::RoomClosed => 410,
            Refusal::NoVoteOpen | Refusal::Late | Refusal::WrongPoint => 409,
            Refusal::TooLarge => 413,
            Refusal::NoSuchOption => 422,
            Refusal::TooFast
            | Refusal::TooManyGuesses
            | Refusal::TooManyStreams
            | Refusal::TooManyConnections => 429,
            Refusal::RoomFull | Refusal::Busy => 503,
        }
    }

    /// The JSON body of the refusal: `{"error": code, "message": text}`.
    pub fn body(self) -> String {
        serde_json::json!({ "error": self.code(), "message": self.to_string() }).to_string()
    }
}

/// Why the tutor's (the app's) request to the room could not be done. These
/// are the app's mistakes, not a student's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("the vote on choice point {0} is still open: close it first")]
    VoteOpen(u32),
    #[error("choice point {0} has had a vote already: each choice point needs a new id")]
    PointUsed(u32),
    #[error("a vote needs between 1 and {MAX_OPTIONS} options, not {0}")]
    Options(usize),
    #[error("no vote is open")]
    NoVoteOpen,
    #[error("there is no choice point to add counts to")]
    NoPoint,
    #[error("there is no option {0} at this choice point")]
    NoSuchOption(usize),
    #[error("the room has closed")]
    Closed,
}

/// What a student's page needs to know, pushed to every device in the room
/// (as server-sent events: [`RoomEvent::to_sse`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomEvent {
    /// A vote opens: the client's line and the options, in the order shown
    /// on the projector (a vote names the 1-based position).
    Choice {
        point: u32,
        client: String,
        line: String,
        options: Vec<String>,
    },
    /// The tutor closed the vote on `point`.
    VoteClosed { point: u32 },
    /// No vote open: waiting for the next choice point.
    Waiting,
    /// The session is over; the room has closed.
    SessionOver { question: String },
}

impl RoomEvent {
    /// The SSE event's name (the `type` in its JSON).
    pub fn name(&self) -> &'static str {
        match self {
            RoomEvent::Choice { .. } => "choice",
            RoomEvent::VoteClosed { .. } => "vote_closed",
            RoomEvent::Waiting => "waiting",
            RoomEvent::SessionOver { .. } => "session_over",
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a room event is plain data")
    }

    /// One server-sent event: `event: NAME`, one `data:` line of JSON (JSON
    /// escapes line breaks inside strings, so one line is always enough).
    pub fn to_sse(&self) -> String {
        format!("event: {}\ndata: {}\n\n", self.name(), self.to_json())
    }
}

/// A join request's body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub code: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A vote's body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub token: String,
    pub point: u32,
    pub option: usize,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Refusal::TooLarge);
    }
    serde_json::from_slice(body).map_err(|_| Refusal::BadRequest)
}

/// Reads a join request's body: at most [`MAX_BODY_BYTES`], JSON with only
/// `code` and `name`, each within its field limit.
pub fn parse_join(body: &[u8]) -> Result<JoinRequest, Refusal> {
    let r: JoinRequest = parse_body(body)?;
    if r.code.len() > MAX_CODE_FIELD_BYTES
        || r.name
            .as_ref()
            .is_some_and(|n| n.len() > MAX_NAME_FIELD_BYTES)
    {
        return Err(Refusal::TooLarge);
    }
    Ok(r)
}

/// Reads a vote's body: at most [`MAX_BODY_BYTES`], JSON with only `token`,
/// `point` and `option`, the token [`TOKEN_HEX_LEN`] hex digits.
pub fn parse_vote(body: &[u8]) -> Result<VoteRequest, Refusal> {
    let r: VoteRequest = parse_body(body)?;
    if !is_token_shaped(&r.token) {
        return Err(Refusal::UnknownToken);
    }
    Ok(r)
}

/// Whether `token` could be a token at all (32 lowercase hex digits).
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == TOKEN_HEX_LEN
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a device gets on joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    /// The device's secret: sent with every vote and on the event stream.
    pub token: String,
    /// The name the room knows the device by (the student's, made unique,
    /// or "Student N").
    pub pseudonym: String,
    /// What the page should show now.
    pub event: RoomEvent,
}

/// What a device gets for a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub point: u32,
    /// The 1-based position now counted for this device.
    pub option: usize,
    /// The device's vote before, if it had one at this point.
    pub previous: Option<usize>,
}

/// What a device gets when it asks for the room's state (a page that lost
/// its event stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub event: RoomEvent,
    /// The device's vote at the current choice point, if any.
    pub your_vote: Option<usize>,
}

/// A state request's body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateRequest {
    pub token: String,
}

/// Reads a state request's body (only `token`).
pub fn parse_state(body: &[u8]) -> Result<StateRequest, Refusal> {
    let r: StateRequest = parse_body(body)?;
    if !is_token_shaped(&r.token) {
        return Err(Refusal::UnknownToken);
    }
    Ok(r)
}

/// What the projector may show: counts and shares, never who voted what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projector {
    pub code: String,
    /// Devices in the room.
    pub joined: usize,
    /// The current choice point, if any.
    pub point: Option<u32>,
    /// Whether its vote is open.
    pub open: bool,
    /// Devices that have voted at it.
    pub voted: usize,
    /// Votes per option (devices and hand-typed together).
    pub counts: Vec<u32>,
    pub shares: Vec<f32>,
}

/// One device's final vote at one choice point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointVote {
    pub point: u32,
    /// The 1-based position chosen.
    pub option: usize,
}

/// What the record keeps of one device: its pseudonym and its final vote at
/// each closed choice point (for the class report's per-student lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceVotes {
    pub pseudonym: String,
    /// Whether the student gave a name (only those get a personal score
    /// line in the report).
    pub named: bool,
    pub votes: Vec<PointVote>,
}

#[derive(Debug, Clone)]
struct Device {
    pseudonym: String,
    named: bool,
    bucket: TokenBucket,
    /// Point id → 1-based position. The current point's entry can change
    /// until its vote closes; the others are final.
    votes: BTreeMap<u32, usize>,
    streams: usize,
}

#[derive(Debug, Clone)]
struct Point {
    id: u32,
    client: String,
    line: String,
    options: Vec<String>,
    open: bool,
    /// Counts typed by the tutor (for students without a phone).
    hand: Tally,
}

/// A room: one class's devices during one session.
#[derive(Debug, Clone)]
pub struct Room {
    code: String,
    rng: ChaCha8Rng,
    devices: Vec<Device>,
    by_token: HashMap<String, usize>,
    /// The current (or last) choice point.
    point: Option<Point>,
    /// Every point that has had a vote, the current one included.
    used: BTreeSet<u32>,
    closed: Option<String>,
    all_devices: TokenBucket,
    strangers: TokenBucket,
    streams: usize,
}

fn random_code(rng: &mut ChaCha8Rng) -> String {
    let mut bytes = [0u8; CODE_LEN];
    rng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// A join code as typed: upper case, without spaces or dashes.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// A student's name as the room keeps it: control and bidirectional
/// formatting characters removed, runs of white space made one space,
/// trimmed, at most [`MAX_NAME_CHARS`] characters. Empty if nothing is left.
pub fn clean_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| !c.is_control() && !is_invisible_format(c))
        .collect();
    kept.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Characters that change how text around them is shown without being seen
/// (bidirectional overrides, zero-width characters): a name with them could
/// pass for another name.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

impl Room {
    /// Opens a room with a fresh join code drawn from `rng`, which the room
    /// keeps for its device tokens. Seed it from the operating system's
    /// entropy (never from a clock or a fixed number outside tests).
    pub fn open(mut rng: ChaCha8Rng, now_ms: u64) -> Self {
        let code = random_code(&mut rng);
        Room {
            code,
            rng,
            devices: Vec::new(),
            by_token: HashMap::new(),
            point: None,
            used: BTreeSet::new(),
            closed: None,
            all_devices: TokenBucket::new(ROOM_RATE, now_ms),
            strangers: TokenBucket::new(STRANGER_RATE, now_ms),
            streams: 0,
        }
    }

    /// The next room (the next session): a generator drawn from this one's,
    /// and a join code that is never this room's, so a device of the last
    /// session cannot walk in.
    #[must_use]
    pub fn next(&mut self, now_ms: u64) -> Room {
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let mut room = Room::open(ChaCha8Rng::from_seed(seed), now_ms);
        while room.code == self.code {
            room.code = random_code(&mut room.rng);
        }
        room
    }

    /// The join code, as the projector shows it.
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// Devices in the room.
    pub fn joined(&self) -> usize {
        self.devices.len()
    }

    /// What a page should show now (sent first on every new event stream).
    pub fn current_event(&self) -> RoomEvent {
        if let Some(question) = &self.closed {
            return RoomEvent::SessionOver {
                question: question.clone(),
            };
        }
        match &self.point {
            Some(p) if p.open => RoomEvent::Choice {
                point: p.id,
                client: p.client.clone(),
                line: p.line.clone(),
                options: p.options.clone(),
            },
            _ => RoomEvent::Waiting,
        }
    }

    /// A request that did not name a device of this room: counted against
    /// the strangers' bucket, so that codes and tokens cannot be guessed at
    /// speed.
    fn stranger(&mut self, refusal: Refusal, now_ms: u64) -> Refusal {
        if self.strangers.try_take(now_ms) {
            refusal
        } else {
            Refusal::TooManyGuesses
        }
    }

    /// A device joins with the code it was given and an optional name.
    pub fn join(&mut self, code: &str, name: Option<&str>, now_ms: u64) -> Result<Joined, Refusal> {
        if self.is_closed() {
            return Err(Refusal::RoomClosed);
        }
        // While guesses are coming too fast, even the right code waits:
        // otherwise a guesser would tell the right one from the refusals.
        if !self.strangers.has_token(now_ms) {
            return Err(Refusal::TooManyGuesses);
        }
        let typed = normalize_code(code);
        let matches = typed.len() == self.code.len()
            && typed
                .bytes()
                .zip(self.code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !matches {
            return Err(self.stranger(Refusal::WrongCode, now_ms));
        }
        if self.devices.len() >= MAX_DEVICES {
            return Err(Refusal::RoomFull);
        }
        if !self.all_devices.try_take(now_ms) {
            return Err(Refusal::Busy);
        }
        let cleaned = name.map(clean_name).unwrap_or_default();
        let named = !cleaned.is_empty();
        let base = if named {
            cleaned
        } else {
            format!("Student {}", self.devices.len() + 1)
        };
        let pseudonym = self.unique(&base);
        let mut bytes = [0u8; TOKEN_BYTES];
        self.rng.fill_bytes(&mut bytes);
        let token = bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        self.by_token.insert(token.clone(), self.devices.len());
        self.devices.push(Device {
            pseudonym: pseudonym.clone(),
            named,
            bucket: TokenBucket::new(DEVICE_RATE, now_ms),
            votes: BTreeMap::new(),
            streams: 0,
        });
        Ok(Joined {
            token,
            pseudonym,
            event: self.current_event(),
        })
    }

    /// `base`, or `base (2)`, `base (3)`… if a device has it already (in
    /// any case).
    fn unique(&self, base: &str) -> String {
        let taken = |n: &str| {
            self.devices
                .iter()
                .any(|d| d.pseudonym.to_lowercase() == n.to_lowercase())
        };
        if !taken(base) {
            return base.to_string();
        }
        // Fewer than MAX_DEVICES devices hold names, so one of these is free.
        (2..=MAX_DEVICES + 1)
            .map(|k| format!("{base} ({k})"))
            .find(|n| !taken(n))
            .expect("fewer devices than numbers")
    }

    /// Checks a device's request against the limits: the room is open, the
    /// token is one of its devices', and neither the device nor the room is
    /// over its rate. Every request of a device goes through here (a vote,
    /// a new event stream). Returns the device's index.
    fn admit(&mut self, token: &str, now_ms: u64) -> Result<usize, Refusal> {
        if self.is_closed() {
            return Err(Refusal::RoomClosed);
        }
        let Some(&i) = self.by_token.get(token) else {
            return Err(self.stranger(Refusal::UnknownToken, now_ms));
        };
        // The device's own bucket first: one device's flood must not empty
        // the room's bucket for everybody else.
        if !self.devices[i].bucket.try_take(now_ms) {
            return Err(Refusal::TooFast);
        }
        if !self.all_devices.try_take(now_ms) {
            return Err(Refusal::Busy);
        }
        Ok(i)
    }

    /// A device's vote at `point` for the 1-based `option`. A second vote
    /// at the same point replaces the first.
    pub fn vote(
        &mut self,
        token: &str,
        point: u32,
        option: usize,
        now_ms: u64,
    ) -> Result<Receipt, Refusal> {
        let i = self.admit(token, now_ms)?;
        let current = self.point.as_ref().ok_or(Refusal::NoVoteOpen)?;
        if point != current.id {
            return Err(if self.used.contains(&point) {
                Refusal::Late
            } else {
                Refusal::WrongPoint
            });
        }
        if !current.open {
            return Err(Refusal::Late);
        }
        if !(1..=current.options.len()).contains(&option) {
            return Err(Refusal::NoSuchOption);
        }
        let previous = self.devices[i].votes.insert(point, option);
        Ok(Receipt {
            point,
            option,
            previous,
        })
    }

    /// A device opens an event stream: admitted like any request, and
    /// within [`MAX_STREAMS`] and [`MAX_STREAMS_PER_DEVICE`]. Returns what
    /// to send first. The server calls [`Room::stream_ended`] when it ends.
    pub fn stream(&mut self, token: &str, now_ms: u64) -> Result<RoomEvent, Refusal> {
        let i = self.admit(token, now_ms)?;
        if self.streams >= MAX_STREAMS {
            return Err(Refusal::Busy);
        }
        if self.devices[i].streams >= MAX_STREAMS_PER_DEVICE {
            return Err(Refusal::TooManyStreams);
        }
        self.devices[i].streams += 1;
        self.streams += 1;
        Ok(self.current_event())
    }

    /// A device's event stream has ended.
    pub fn stream_ended(&mut self, token: &str) {
        if let Some(&i) = self.by_token.get(token)
            && self.devices[i].streams > 0
        {
            self.devices[i].streams -= 1;
            self.streams = self.streams.saturating_sub(1);
        }
    }

    /// The room's state for a device (admitted like any request).
    pub fn state(&mut self, token: &str, now_ms: u64) -> Result<State, Refusal> {
        self.admit(token, now_ms)?;
        Ok(State {
            event: self.current_event(),
            your_vote: self.my_vote(token),
        })
    }

    /// The device's vote at the current choice point (for a page that
    /// reconnects).
    pub fn my_vote(&self, token: &str) -> Option<usize> {
        let i = *self.by_token.get(token)?;
        let p = self.point.as_ref()?;
        self.devices[i].votes.get(&p.id).copied()
    }

    /// Opens the vote at a new choice point: `point` is an id never used
    /// before in this room (the turn number), `options` in the order shown.
    /// Returns the event to push to every page.
    pub fn open_vote(
        &mut self,
        point: u32,
        client: &str,
        line: &str,
        options: Vec<String>,
    ) -> Result<RoomEvent, ControlError> {
        if self.is_closed() {
            return Err(ControlError::Closed);
        }
        if let Some(p) = self.point.as_ref().filter(|p| p.open) {
            return Err(ControlError::VoteOpen(p.id));
        }
        if self.used.contains(&point) {
            return Err(ControlError::PointUsed(point));
        }
        if options.is_empty() || options.len() > MAX_OPTIONS {
            return Err(ControlError::Options(options.len()));
        }
        self.used.insert(point);
        self.point = Some(Point {
            id: point,
            client: client.to_string(),
            line: line.to_string(),
            hand: Tally::new(options.len()),
            options,
            open: true,
        });
        Ok(self.current_event())
    }

    /// Closes the vote: later votes at this point are late. Returns the
    /// counts (devices and hand-typed together) as a [`Tally`], so the
    /// class vote's rules (majority, tie, the tutor's pick) apply as they
    /// are, and the event to push.
    pub fn close_vote(&mut self) -> Result<(Tally, RoomEvent), ControlError> {
        let p = self
            .point
            .as_mut()
            .filter(|p| p.open)
            .ok_or(ControlError::NoVoteOpen)?;
        p.open = false;
        let id = p.id;
        Ok((self.tally(), RoomEvent::VoteClosed { point: id }))
    }

    /// The tutor sets the hand-typed count for the 1-based `option` at the
    /// current (or just closed) choice point, for students without a
    /// phone. Returns the tally with the devices' votes added.
    pub fn set_hand_count(&mut self, option: usize, votes: u32) -> Result<Tally, ControlError> {
        let p = self.point.as_mut().ok_or(ControlError::NoPoint)?;
        if !(1..=p.options.len()).contains(&option) {
            return Err(ControlError::NoSuchOption(option));
        }
        p.hand.set(option, votes);
        Ok(self.tally())
    }

    /// The devices' votes at the current (or just closed) choice point.
    pub fn device_tally(&self) -> Tally {
        let Some(p) = &self.point else {
            return Tally::default();
        };
        let mut t = Tally::new(p.options.len());
        for d in &self.devices {
            if let Some(&o) = d.votes.get(&p.id) {
                t.add(o);
            }
        }
        t
    }

    /// The devices' votes and the hand-typed counts together.
    pub fn tally(&self) -> Tally {
        match &self.point {
            Some(p) => self.device_tally().plus(&p.hand),
            None => Tally::default(),
        }
    }

    /// What the projector may show.
    pub fn projector(&self) -> Projector {
        let tally = self.tally();
        let voted = self.point.as_ref().map_or(0, |p| {
            self.devices
                .iter()
                .filter(|d| d.votes.contains_key(&p.id))
                .count()
        });
        Projector {
            code: self.code.clone(),
            joined: self.devices.len(),
            point: self.point.as_ref().map(|p| p.id),
            open: self.point.as_ref().is_some_and(|p| p.open),
            voted,
            shares: tally.shares(),
            counts: tally.counts().to_vec(),
        }
    }

    /// Each device's final votes, at the choice points whose vote has
    /// closed, in the order the devices joined.
    pub fn record(&self) -> Vec<DeviceVotes> {
        let open = self.point.as_ref().filter(|p| p.open).map(|p| p.id);
        self.devices
            .iter()
            .map(|d| DeviceVotes {
                pseudonym: d.pseudonym.clone(),
                named: d.named,
                votes: d
                    .votes
                    .iter()
                    .filter(|(p, _)| Some(**p) != open)
                    .map(|(&point, &option)| PointVote { point, option })
                    .collect(),
            })
            .collect()
    }

    /// Closes the room at the end of the session: an open vote closes, and
    /// every later request is refused. Returns the event to push, with the
    /// debrief's discussion question.
    pub fn close_room(&mut self, question: &str) -> RoomEvent {
        if let Some(p) = &mut self.point {
            p.open = false;
        }
        self.closed = Some(question.to_string());
        self.current_event()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_by_the_millisecond_and_not_backwards() {
        let mut b = TokenBucket::new(
            Rate {
                per_second: 2,
                burst: 2,
            },
            1000,
        );
        assert!(b.try_take(1000) && b.try_take(1000));
        assert!(!b.try_take(1000));
        assert!(!b.try_take(1499));
        assert!(b.try_take(1500));
        assert!(!b.try_take(0), "a clock that goes back refills nothing");
        assert!(b.try_take(2000));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("  Sam\t\u{202E}Lee \u{7}"), "Sam Lee");
        assert_eq!(clean_name(&"x".repeat(90)).chars().count(), MAX_NAME_CHARS);
        assert_eq!(clean_name("\u{200B} \n"), "");
        assert_eq!(normalize_code(" ab-c 23k "), "ABC23K");
    }
}
