//! Group exercises: a class voting on each move, or a roster of trainees
//! taking the hot seat in turn. The rules (who is up, which option a vote
//! plays) live here; the app only draws them and routes the tutor's keys.

use crate::core::session::Session;
use serde::{Deserialize, Serialize};

/// How a group plays a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupMode {
    /// The class votes at each choice point; the tutor enters the counts.
    ClassVote,
    /// Named trainees take turns; each move is credited to whoever made it.
    HotSeat,
}

impl GroupMode {
    pub fn label(self) -> &'static str {
        match self {
            GroupMode::ClassVote => "Class vote",
            GroupMode::HotSeat => "Hot seat",
        }
    }
}

/// The votes for one option at one choice point, beside the rubric's view
/// of it at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionVotes {
    /// The option's index in the scenario's node (stable across shuffles).
    pub option: usize,
    pub text: String,
    pub votes: u32,
    /// The points (all three dimensions) the rubric gave it there.
    #[serde(default)]
    pub points: i32,
    /// Whether the rubric counts it a serious error there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// The rubric's main reason, in a sentence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
}

impl OptionVotes {
    /// How the option ranks against the others shown with it: the same
    /// ordering as [`crate::core::rubric::Evaluation::rank`] (a serious
    /// error below everything, then the points), from what the record kept.
    pub fn rank(&self) -> (bool, i32) {
        (!self.critical, self.points)
    }
}

/// What the group did at one choice point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTurn {
    /// The class's split, in the order the options were shown (class vote).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<OptionVotes>,
    /// Who made the move (hot seat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The tutor chose: to break a tie, or over the class's majority.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tutor_pick: bool,
    /// A question for the class about this choice point: the scenario's
    /// own, or one drawn from the principle that mattered most here.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub discuss: String,
}

/// The group side of a session's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub mode: GroupMode,
    /// The group's name (a class, a seminar group).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The trainees, in the order they take the hot seat.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<String>,
    /// One entry per turn of the session, in order.
    pub turns: Vec<GroupTurn>,
    /// A class vote on the students' own devices: each device's final vote
    /// per choice point, by pseudonym. A vote's `point` is the 1-based turn
    /// (an index into `turns`, plus one) and its `option` the 1-based shown
    /// position (an index into that turn's `votes`, plus one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<crate::core::room::DeviceVotes>,
    /// The hot seat's trainees passed over (absent, not ready), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skips: Vec<SeatSkip>,
}

/// A trainee passed over in the hot seat without a move being made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatSkip {
    /// The 1-based turn they were passed over for (the number of moves
    /// made before, plus one).
    pub turn: usize,
    pub who: String,
}

/// What a class vote decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteOutcome {
    /// No votes entered yet.
    NoVotes,
    /// One option has the most votes: its 1-based shown position.
    Majority(usize),
    /// Several options share the most votes (their 1-based positions): the
    /// tutor picks one of them.
    Tie(Vec<usize>),
}

/// The class's votes at the current choice point, one count per shown option.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    counts: Vec<u32>,
}

impl Tally {
    /// An empty tally for `options` shown options.
    pub fn new(options: usize) -> Self {
        Tally {
            counts: vec![0; options],
        }
    }

    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// One more vote for the option at 1-based `position` (ignored if there
    /// is no such option).
    pub fn add(&mut self, position: usize) {
        if let Some(c) = position.checked_sub(1).and_then(|i| self.counts.get_mut(i)) {
            *c = c.saturating_add(1);
        }
    }

    /// This tally and `other` added option by option (hand-typed counts and
    /// the devices' votes); as long as the longer of the two.
    #[must_use]
    pub fn plus(&self, other: &Tally) -> Tally {
        let n = self.counts.len().max(other.counts.len());
        let at = |t: &Tally, i: usize| t.counts.get(i).copied().unwrap_or(0);
        Tally {
            counts: (0..n)
                .map(|i| at(self, i).saturating_add(at(other, i)))
                .collect(),
        }
    }

    /// One vote fewer (a mistyped count), never below zero.
    pub fn remove(&mut self, position: usize) {
        if let Some(c) = position.checked_sub(1).and_then(|i| self.counts.get_mut(i)) {
            *c = c.saturating_sub(1);
        }
    }

    /// One vote more (`delta` > 0) or fewer (`delta` < 0).
    pub fn change(&mut self, position: usize, delta: i32) {
        if delta >= 0 {
            self.add(position);
        } else {
            self.remove(position);
        }
    }

    /// Sets the count for one option outright.
    pub fn set(&mut self, position: usize, votes: u32) {
        if let Some(c) = position.checked_sub(1).and_then(|i| self.counts.get_mut(i)) {
            *c = votes;
        }
    }

    /// The share of the votes for each option, 0.0 to 1.0.
    pub fn shares(&self) -> Vec<f32> {
        let total = self.total();
        self.counts
            .iter()
            .map(|&c| {
                if total == 0 {
                    0.0
                } else {
                    c as f32 / total as f32
                }
            })
            .collect()
    }

    pub fn outcome(&self) -> VoteOutcome {
        let top = self.counts.iter().copied().max().unwrap_or(0);
        if top == 0 {
            return VoteOutcome::NoVotes;
        }
        let leaders: Vec<usize> = self
            .counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c == top)
            .map(|(i, _)| i + 1)
            .collect();
        match leaders.as_slice() {
            [one] => VoteOutcome::Majority(*one),
            _ => VoteOutcome::Tie(leaders),
        }
    }

    /// The option to play: the tutor's pick if given, else the majority.
    /// On a tie without a pick (or with no votes) there is nothing to play
    /// yet. The flag says whether the tutor's pick decided it.
    pub fn decide(&self, tutor_pick: Option<usize>) -> Option<(usize, bool)> {
        if let Some(p) = tutor_pick.filter(|p| (1..=self.counts.len()).contains(p)) {
            let majority = matches!(self.outcome(), VoteOutcome::Majority(m) if m == p);
            return Some((p, !majority));
        }
        match self.outcome() {
            VoteOutcome::Majority(p) => Some((p, false)),
            VoteOutcome::NoVotes | VoteOutcome::Tie(_) => None,
        }
    }
}

/// The hot seat's roster: who is up, in turn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    names: Vec<String>,
    next: usize,
}

impl Roster {
    /// A roster from names (blank ones and repeats, whatever their case,
    /// dropped; order kept).
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(names: I) -> Self {
        let mut kept: Vec<String> = Vec::new();
        for n in names {
            let n = n.as_ref().trim();
            if !n.is_empty() && !kept.iter().any(|k| k.to_lowercase() == n.to_lowercase()) {
                kept.push(n.to_string());
            }
        }
        Roster {
            names: kept,
            next: 0,
        }
    }

    /// Names from text: one per line; on a single line, separated by commas.
    /// (So "Rossi, Chiara" on a line of its own stays one name.)
    pub fn parse(text: &str) -> Self {
        if text.trim().contains('\n') {
            Roster::new(text.lines())
        } else {
            Roster::new(text.split(','))
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Who makes the next move.
    pub fn current(&self) -> Option<&str> {
        self.names.get(self.next).map(String::as_str)
    }

    /// Who comes after the current trainee.
    pub fn on_deck(&self) -> Option<&str> {
        if self.names.len() < 2 {
            return None;
        }
        self.names
            .get((self.next + 1) % self.names.len())
            .map(String::as_str)
    }

    /// Credits a move to the current trainee and passes the seat on;
    /// returns who made it.
    pub fn take_turn(&mut self) -> Option<String> {
        let who = self.current()?.to_string();
        self.next = (self.next + 1) % self.names.len();
        Some(who)
    }

    /// Passes over the current trainee without a move (absent, not ready):
    /// the seat goes to the next name. Returns who was passed over.
    pub fn skip(&mut self) -> Option<String> {
        self.take_turn()
    }

    /// Puts the seat on the name after `last` (whoever last made a move or
    /// was passed over), or on the first name if there is none yet. A name
    /// no longer on the roster also starts it again from the first.
    pub fn seat_after(&mut self, last: Option<&str>) {
        self.next = last
            .and_then(|who| self.names.iter().position(|n| n == who))
            .map_or(0, |i| (i + 1) % self.names.len());
    }
}

/// A group session in progress: the votes or the roster, and what the
/// group did at each choice point so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlay {
    pub mode: GroupMode,
    pub name: String,
    pub tally: Tally,
    pub roster: Roster,
    pub turns: Vec<GroupTurn>,
    /// The devices' votes so far (a room on the students' phones).
    pub devices: Vec<crate::core::room::DeviceVotes>,
    /// The hot seat's trainees passed over so far.
    pub skips: Vec<SeatSkip>,
    /// The devices' votes at the current choice point (a room on the
    /// students' phones), added to the hand-typed `tally` when the vote is
    /// played. Not part of the record: `devices` keeps each device's vote.
    pub device_tally: Tally,
}

impl GroupPlay {
    pub fn new(mode: GroupMode, name: &str, roster: Roster) -> Self {
        GroupPlay {
            mode,
            name: name.trim().to_string(),
            tally: Tally::default(),
            roster,
            turns: Vec::new(),
            devices: Vec::new(),
            skips: Vec::new(),
            device_tally: Tally::default(),
        }
    }

    /// Picks up a group session saved part-way (its record so far).
    pub fn from_record(r: &GroupRecord) -> Self {
        let mut g = GroupPlay {
            mode: r.mode,
            name: r.name.clone(),
            tally: Tally::default(),
            roster: Roster::new(&r.roster),
            turns: r.turns.clone(),
            devices: r.devices.clone(),
            skips: r.skips.clone(),
            device_tally: Tally::default(),
        };
        g.follow_seat();
        g
    }

    /// Passes over the trainee whose turn it is (hot seat), without a move:
    /// the seat goes to the next name, and the record notes the skip.
    /// Returns who was passed over (`None` in a class vote or with nobody
    /// on the roster).
    pub fn skip(&mut self) -> Option<String> {
        if self.mode != GroupMode::HotSeat {
            return None;
        }
        let who = self.roster.skip()?;
        self.skips.push(SeatSkip {
            turn: self.turns.len() + 1,
            who: who.clone(),
        });
        Some(who)
    }

    /// Puts the seat after whoever acted last: the last trainee passed over
    /// since the last move, else the last move's maker, else the first name.
    /// (Not `turns % names`: a skip breaks that count.)
    fn follow_seat(&mut self) {
        let next_turn = self.turns.len() + 1;
        let last = self
            .skips
            .iter()
            .rev()
            .find(|s| s.turn == next_turn)
            .map(|s| s.who.as_str())
            .or_else(|| self.turns.iter().rev().find_map(|t| t.by.as_deref()));
        self.roster.seat_after(last);
    }

    /// Who the attempt is credited to in the records.
    pub fn label(&self) -> String {
        match (self.mode, self.name.is_empty()) {
            (_, false) => self.name.clone(),
            (GroupMode::HotSeat, true) if !self.roster.is_empty() => self.roster.names().join(", "),
            _ => "Class".into(),
        }
    }

    /// A fresh tally for the session's current choice point.
    pub fn new_choice_point(&mut self, session: &Session) {
        let options = session.prompt().map_or(0, |p| p.options.len());
        self.tally = Tally::new(options);
        self.device_tally = Tally::new(options);
    }

    /// Keeps each device's final vote at the room's choice point `point`
    /// as its vote at `turn` (1-based), from the room's record after the
    /// vote closed. A device that did not vote there gets nothing at that
    /// turn; a vote already kept at that turn (an earlier try) is replaced.
    pub fn note_device_votes(
        &mut self,
        turn: usize,
        point: u32,
        record: &[crate::core::room::DeviceVotes],
    ) {
        let Ok(turn_point) = u32::try_from(turn) else {
            return;
        };
        for device in record {
            let i = if let Some(i) = self
                .devices
                .iter()
                .position(|d| d.pseudonym == device.pseudonym)
            {
                i
            } else {
                self.devices.push(crate::core::room::DeviceVotes {
                    pseudonym: device.pseudonym.clone(),
                    named: device.named,
                    votes: Vec::new(),
                });
                self.devices.len() - 1
            };
            let kept = &mut self.devices[i].votes;
            kept.retain(|v| v.point != turn_point);
            if let Some(v) = device.votes.iter().find(|v| v.point == point) {
                kept.push(crate::core::room::PointVote {
                    point: turn_point,
                    option: v.option,
                });
                kept.sort_by_key(|v| v.point);
            }
        }
    }

    /// The class's votes at the current choice point: the hand-typed counts
    /// and the devices' votes together.
    pub fn votes(&self) -> Tally {
        self.tally.plus(&self.device_tally)
    }

    /// What the group would play at the current choice point, and what to
    /// note of it, without changing anything (so a move that then fails
    /// leaves the group as it was). In a class vote, `pick` is the tutor's
    /// choice (or `None` to play the majority); in the hot seat, it is the
    /// move of the trainee whose turn it is. Returns the 1-based position
    /// to play, or why there is nothing to play yet.
    pub fn plan(&self, session: &Session, pick: Option<usize>) -> Result<GroupMove, NotYet> {
        let prompt = session.prompt().ok_or(NotYet::Ended)?;
        let (position, tutor_pick, by) = match self.mode {
            GroupMode::ClassVote => {
                let votes = self.votes();
                let (p, tutor) = votes.decide(pick).ok_or_else(|| match votes.outcome() {
                    VoteOutcome::Tie(tied) => NotYet::Tie(tied),
                    VoteOutcome::NoVotes | VoteOutcome::Majority(_) => NotYet::NoVotes,
                })?;
                (p, tutor, None)
            }
            GroupMode::HotSeat => {
                let p = pick
                    .filter(|p| (1..=prompt.options.len()).contains(p))
                    .ok_or(NotYet::NoSuchOption)?;
                let by = self.roster.current().ok_or(NotYet::EmptyRoster)?;
                (p, false, Some(by.to_string()))
            }
        };
        let votes = if self.mode == GroupMode::ClassVote {
            session
                .assessed_options()
                .zip(self.votes().counts())
                .map(|((shown, ev), &votes)| OptionVotes {
                    option: shown.index,
                    text: shown.text.clone(),
                    votes,
                    points: ev.score.total(),
                    critical: ev.critical,
                    why: ev
                        .main_reason()
                        .map(|f| f.feedback.clone())
                        .unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(GroupMove {
            position,
            turn: GroupTurn {
                votes,
                by,
                tutor_pick,
                discuss: discussion_prompt(session),
            },
        })
    }

    /// Notes a planned move once it has been made: the turn is kept, the
    /// seat passes on, and the next choice point starts with no votes.
    pub fn commit(&mut self, planned: GroupMove, session: &Session) {
        if planned.turn.by.is_some() {
            self.roster.take_turn();
        }
        self.turns.push(planned.turn);
        self.new_choice_point(session);
    }

    /// Back to just before turn `turn` (1-based), for a retry.
    /// The trainees passed over just before it stay passed over, so the
    /// seat goes back to whoever made that turn.
    pub fn rewind_to(&mut self, turn: usize) {
        self.turns.truncate(turn.saturating_sub(1));
        let next_turn = self.turns.len() + 1;
        self.skips.retain(|s| s.turn <= next_turn);
        self.follow_seat();
        self.tally = Tally::default();
        self.device_tally = Tally::default();
        // The devices' votes at the turns played again are no longer the
        // session's.
        for d in &mut self.devices {
            d.votes.retain(|v| (v.point as usize) < turn);
        }
    }

    pub fn record(&self) -> GroupRecord {
        GroupRecord {
            mode: self.mode,
            name: self.name.clone(),
            roster: self.roster.names().to_vec(),
            turns: self.turns.clone(),
            devices: self.devices.clone(),
            skips: self.skips.clone(),
        }
    }
}

/// A group's move, planned and not yet made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMove {
    /// The 1-based shown position to play.
    pub position: usize,
    /// What the group did, to be noted once the move is made.
    pub turn: GroupTurn,
}

/// Why a group has nothing to play yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotYet {
    #[error("no votes yet: enter the class's votes (keys 1-9), or pick an option to play")]
    NoVotes,
    #[error("it's a tie between options {}: pick one of them to play", list(.0))]
    Tie(Vec<usize>),
    #[error("there is no such option")]
    NoSuchOption,
    #[error("the hot seat has nobody on its roster")]
    EmptyRoster,
    #[error("the session has ended")]
    Ended,
}

fn list(positions: &[usize]) -> String {
    positions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The scenario's discussion prompt for the current choice point, or one
/// from the principle behind the option the rubric rates best there.
fn discussion_prompt(session: &Session) -> String {
    let Some(prompt) = session.prompt() else {
        return String::new();
    };
    if let Some(node) = session.scenario().node(&prompt.node)
        && !node.prompt.trim().is_empty()
    {
        return node.prompt.trim().to_string();
    }
    let best = session
        .best_position()
        .and_then(|p| session.assessed_options().nth(p - 1));
    let principle = best.and_then(|(_, ev)| {
        ev.main_reason()
            .filter(|f| f.score.total() > 0)
            .and_then(|f| session.guidance().principle(&f.principle))
            .cloned()
    });
    match principle {
        Some(p) => format!(
            "Which option follows \"{}\" here, and why? ({})",
            p.name, p.statement
        ),
        None => "What did the client need from the therapist at this point?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clear_majority_plays_without_the_tutor() {
        let mut t = Tally::new(3);
        for p in [2, 2, 1, 2, 3] {
            t.add(p);
        }
        assert_eq!(t.outcome(), VoteOutcome::Majority(2));
        assert_eq!(t.decide(None), Some((2, false)));
        assert_eq!(t.decide(Some(3)), Some((3, true)));
        assert_eq!(t.decide(Some(2)), Some((2, false)));
    }

    #[test]
    fn a_tie_waits_for_the_tutor() {
        let mut t = Tally::new(3);
        t.set(1, 4);
        t.set(3, 4);
        assert_eq!(t.outcome(), VoteOutcome::Tie(vec![1, 3]));
        assert_eq!(t.decide(None), None);
        assert_eq!(t.decide(Some(3)), Some((3, true)));
        assert_eq!(Tally::new(2).decide(None), None);
        assert_eq!(t.decide(Some(9)), None);
    }

    #[test]
    fn the_roster_rotates_and_skips_blanks() {
        let mut r = Roster::parse("Ana, Ben, ana,Chi ");
        assert_eq!(r.names(), ["Ana", "Ben", "Chi"]);
        assert_eq!(
            Roster::parse("Rossi, Chiara\n\nAna\n").names(),
            ["Rossi, Chiara", "Ana"]
        );
        assert_eq!(r.take_turn().as_deref(), Some("Ana"));
        assert_eq!(r.take_turn().as_deref(), Some("Ben"));
        assert_eq!(r.on_deck(), Some("Ana"));
        assert_eq!(r.take_turn().as_deref(), Some("Chi"));
        assert_eq!(r.current(), Some("Ana"));
        r.seat_after(Some("Ana"));
        assert_eq!(r.current(), Some("Ben"));
        r.seat_after(Some("Chi"));
        assert_eq!(r.current(), Some("Ana"));
        r.seat_after(None);
        assert_eq!(r.current(), Some("Ana"));
        assert_eq!(r.skip().as_deref(), Some("Ana"));
        assert_eq!(r.current(), Some("Ben"));
        assert_eq!(Roster::parse(" , ").take_turn(), None);
    }
}
