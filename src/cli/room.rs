//! `room`: a class vote with the students' phones, run from a terminal
//! beside the projector. The core's [`LiveRoom`] keeps the room's server in
//! step with the practice; this only prints it and reads the tutor's lines.

use super::render;
use crate::core::debrief::Debrief;
use crate::core::group::{GroupMode, GroupPlay, NotYet, Roster};
use crate::core::practice::{Mode, PlayError, Practice, fresh_seed};
use crate::core::room::live::LiveRoom;
use crate::core::room::qr::Qr;
use crate::core::room::server::{ServeConfig, local_addresses};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// The port used when `--bind` is not given.
pub const DEFAULT_PORT: u16 = 8787;
/// How often the devices' votes are brought in while waiting for the tutor.
const POLL: Duration = Duration::from_millis(200);

/// What `room` was asked to do.
#[derive(Debug)]
pub struct RoomArgs<'a> {
    pub scenario: &'a Path,
    pub bind: Option<SocketAddr>,
    pub class: &'a str,
    pub seed: Option<u64>,
    pub record: Option<&'a Path>,
    pub guidance: Option<&'a Path>,
}

/// A tutor's line at a choice point.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    /// Enter: close the vote and play the majority.
    Close,
    /// `h N COUNT`: the hand-typed count for option N.
    Hands(usize, u32),
    /// `p N`: play option N (the tutor's pick).
    Pick(usize),
    /// `r`: open the vote again, as a new point.
    Reopen,
    /// `q`: end the session now.
    Quit,
}

const HELP: &str = "Enter: close the vote and play the majority · h N COUNT: hands for option N · p N: play option N · r: open the vote again · q: end the session";

/// The tutor's line as a command, or what is wrong with it.
fn parse_command(line: &str, options: usize) -> Result<Command, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let option = |w: &str| -> Result<usize, String> {
        match w.parse::<usize>() {
            Ok(n) if (1..=options).contains(&n) => Ok(n),
            _ => Err(format!("there is no option {w:?}: give 1-{options}")),
        }
    };
    match words.as_slice() {
        [] => Ok(Command::Close),
        [w] if w.eq_ignore_ascii_case("q") => Ok(Command::Quit),
        [w] if w.eq_ignore_ascii_case("r") => Ok(Command::Reopen),
        [w, n] if w.eq_ignore_ascii_case("p") => Ok(Command::Pick(option(n)?)),
        [w, n, count] if w.eq_ignore_ascii_case("h") => {
            let n = option(n)?;
            let count = count
                .parse::<u32>()
                .map_err(|_| format!("{count:?} is not a count of hands (0 or more)"))?;
            Ok(Command::Hands(n, count))
        }
        _ => Err(format!("{:?} is not a command", line.trim())),
    }
}

/// The QR code in Unicode half blocks, two rows of modules a line, with a
/// quiet zone of four modules. Light modules are drawn (`█`) and dark ones
/// left blank, so on a terminal's dark background the code is dark on
/// light, as a reader expects.
pub fn qr_text(qr: &Qr) -> String {
    const QUIET: usize = 4;
    let side = qr.size + 2 * QUIET;
    // Outside the code (the quiet zone, and the half line below it) is light.
    let light = |x: usize, y: usize| !qr.dark(x.wrapping_sub(QUIET), y.wrapping_sub(QUIET));
    let mut out = String::new();
    for y in (0..side).step_by(2) {
        for x in 0..side {
            out.push(match (light(x, y), light(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
    }
    out
}

/// The addresses the room can listen on, one a line.
pub fn address_list() -> String {
    let mut out = String::new();
    for a in local_addresses() {
        let _ = writeln!(out, "  {}", a.label());
    }
    out
}

/// `room --list-addresses`.
pub fn list_addresses() -> ExitCode {
    super::emit(&format!(
        "This computer's networks (the first is used without --bind):\n{}",
        address_list()
    ));
    ExitCode::SUCCESS
}

fn say(text: &str) {
    super::emit(&render::escape_controls(text));
}

/// The live count line: each option's votes (hands and devices), and how
/// many of the devices in the room have voted. Never who voted.
fn count_line(practice: &Practice, room: &LiveRoom) -> String {
    let votes = practice.group().map(GroupPlay::votes).unwrap_or_default();
    let p = room.view().projector;
    let counts: Vec<String> = votes
        .counts()
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}: {c}", i + 1))
        .collect();
    format!(
        "Votes: {} ({} of {} device{})",
        counts.join("  "),
        p.voted,
        p.joined,
        if p.joined == 1 { "" } else { "s" }
    )
}

/// What the class played at the turn just made, and the split.
fn played_text(practice: &Practice) -> String {
    let mut out = String::new();
    let (Some(turn), Some(gt)) = (
        practice.session().turns().last(),
        practice.group().and_then(|g| g.turns.last()),
    ) else {
        return out;
    };
    let total: u32 = gt.votes.iter().map(|v| v.votes).sum();
    let position = gt
        .votes
        .iter()
        .position(|v| v.option == turn.option)
        .map_or(0, |i| i + 1);
    let _ = writeln!(
        out,
        "The class played {position}. {} ({})",
        turn.text,
        if gt.tutor_pick {
            "the tutor's pick"
        } else {
            "the majority"
        }
    );
    for (i, v) in gt.votes.iter().enumerate() {
        let share = if total == 0 {
            0.0
        } else {
            f64::from(v.votes) * 100.0 / f64::from(total)
        };
        let _ = writeln!(
            out,
            "  {}{}. {} vote{} ({share:.0}%)",
            if v.option == turn.option {
                "▶ "
            } else {
                "  "
            },
            i + 1,
            v.votes,
            if v.votes == 1 { "" } else { "s" },
        );
    }
    out
}

/// Why nothing was played, and what the tutor can do.
fn not_played_text(e: &PlayError) -> String {
    match e {
        PlayError::Group(NotYet::NoVotes) => {
            "No votes: the vote is closed. Type r to open it again, h N COUNT for hands, or p N to play an option.\n".into()
        }
        PlayError::Group(NotYet::Tie(_)) => format!(
            "{e}. The vote is closed: type p N to play one, or r to vote again.\n"
        ),
        _ => format!("Nothing was played: {e}\n"),
    }
}

/// Reads the tutor's lines on a thread of its own, so that the counts go
/// on updating while the tutor thinks. The channel closes at the end of
/// the input.
fn read_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line.clone()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// `room SCENARIO`: the class vote, from the first choice point to the
/// debrief (or `q`, or the end of the input).
pub fn room(args: &RoomArgs<'_>) -> ExitCode {
    let (scenario, guidance) = match super::scenario_and_rubric(args.scenario, args.guidance) {
        Ok(both) => both,
        Err(c) => return c,
    };
    let bind = args.bind.unwrap_or_else(|| {
        let ip = local_addresses()
            .first()
            .map_or(std::net::IpAddr::from([127, 0, 0, 1]), |a| a.ip);
        SocketAddr::new(ip, DEFAULT_PORT)
    });
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let group = GroupPlay::new(GroupMode::ClassVote, args.class, Roster::default());
    let mut practice = match Practice::start(
        scenario.clone(),
        guidance,
        seed,
        Mode::Assessment,
        Some(group),
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut room = match LiveRoom::start(ServeConfig {
        bind,
        class: args.class.trim().to_string(),
    }) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: {e}\nThis computer's networks (give one with --bind IP:PORT):\n{}",
                address_list()
            );
            return ExitCode::from(2);
        }
    };
    let name = scenario.client.name.clone();
    {
        let view = room.view();
        let mut head = format!(
            "{} (seed {seed}; a class vote: feedback comes in the debrief)\n{}, {}: {}\n\n",
            scenario.title, name, scenario.client.age, scenario.client.background
        );
        let _ = writeln!(head, "Address: {}", view.url);
        let _ = writeln!(head, "Join code: {}", view.projector.code);
        let spaced: Vec<String> = view.projector.code.chars().map(String::from).collect();
        let _ = writeln!(head, "\n        {}\n", spaced.join("  "));
        if let Some(qr) = view.qr {
            head.push_str(&qr_text(qr));
        }
        let _ = writeln!(
            head,
            "\nStudents open the address (or scan the code) and type the join code.\n{HELP}\n"
        );
        say(&head);
    }
    let lines = read_lines();
    let mut shown_turn = 0;
    let mut last_counts = String::new();
    loop {
        room.sync(&mut practice);
        let Some(prompt) = practice.session().prompt().cloned() else {
            break;
        };
        let turn = practice.session().turns().len() + 1;
        if turn != shown_turn {
            shown_turn = turn;
            last_counts.clear();
            say(&format!(
                "-- Choice point {turn} --\n{}",
                render::prompt(&name, &prompt)
            ));
        }
        let counts = count_line(&practice, &room);
        if counts != last_counts {
            say(&format!("{counts}\n"));
            last_counts = counts;
        }
        let line = match lines.recv_timeout(POLL) {
            Ok(l) => l,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let command = match parse_command(&line, prompt.options.len()) {
            Ok(c) => c,
            Err(e) => {
                say(&format!("{e}. {HELP}\n"));
                continue;
            }
        };
        let pick = match command {
            Command::Quit => break,
            Command::Reopen => {
                room.reopen(&mut practice);
                say("The vote is open again: the phones vote afresh.\n");
                last_counts.clear();
                continue;
            }
            Command::Hands(n, count) => {
                if let Some(g) = practice.group_mut() {
                    g.tally.set(n, count);
                }
                continue;
            }
            Command::Close => None,
            Command::Pick(n) => Some(n),
        };
        match room.play(&mut practice, pick) {
            Ok(_) => say(&format!("{}\n", played_text(&practice))),
            Err(e) => say(&not_played_text(&e)),
        }
    }
    room.end(&practice);
    say("The room is closed.\n\n");
    let _ = std::io::stdout().flush();
    if let Some(file) = args.record {
        match practice.finish("") {
            Some(r) => {
                if let Err(e) = crate::core::store::write_record(file, &r) {
                    eprintln!("error: the record could not be written: {e}");
                    return ExitCode::FAILURE;
                }
                eprintln!("record written to {}", file.display());
            }
            None => eprintln!(
                "note: the session ended before any move, so no record was written to {}",
                file.display()
            ),
        }
    }
    let debrief = Debrief::from_session(practice.session());
    say(&render::debrief(&debrief, &name));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutors_lines_are_commands_or_say_what_is_wrong() {
        assert_eq!(parse_command("\n", 3), Ok(Command::Close));
        assert_eq!(parse_command(" h 2 5 ", 3), Ok(Command::Hands(2, 5)));
        assert_eq!(parse_command("P 3", 3), Ok(Command::Pick(3)));
        assert_eq!(parse_command("r", 3), Ok(Command::Reopen));
        assert_eq!(parse_command("q", 3), Ok(Command::Quit));
        assert!(parse_command("p 4", 3).is_err());
        assert!(parse_command("h 1 -2", 3).is_err());
        assert!(parse_command("h 0 2", 3).is_err());
        assert!(parse_command("hello", 3).is_err());
    }

    #[test]
    fn the_qr_code_has_its_quiet_zone_and_two_rows_a_line() {
        let qr = Qr::encode("http://127.0.0.1:8787/?code=K7QF3M").expect("encodes");
        let text = qr_text(&qr);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), (qr.size + 8).div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == qr.size + 8));
        assert!(lines[..2].iter().all(|l| l.chars().all(|c| c == '█')));
    }
}
