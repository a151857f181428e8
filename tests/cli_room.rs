//! `ipt-trainer room`: the class vote with the students' phones, run from
//! the terminal. The binary is spawned on loopback, students join and vote
//! over HTTP, and the tutor's lines go in on its standard input.

use crate::common::{fixture, root};
use crate::http;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

/// The running command; killed if the test fails before it exits.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Everything printed so far, and how much of it the test has passed.
    out: String,
    mark: usize,
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
            .args(args)
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Running {
            child,
            stdin,
            lines,
            out: String::new(),
            mark: 0,
        }
    }

    /// Waits (at most `WAIT`) until the output after the mark has a line
    /// for which `found` holds; moves the mark past it and returns it.
    fn until(&mut self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(at) = self.out[self.mark..].lines().position(&found) {
                let rest: Vec<&str> = self.out[self.mark..].lines().collect();
                let line = rest[at].to_string();
                let upto: usize = rest[..=at].iter().map(|l| l.len() + 1).sum();
                self.mark += upto;
                return line;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.out.push_str(&l);
                    self.out.push('\n');
                }
                Err(e) => panic!(
                    "no line {what} within {WAIT:?} ({e}); the output after the mark:\n{}",
                    &self.out[self.mark..]
                ),
            }
        }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .expect("the command reads its input");
    }

    /// Waits (at most `WAIT`) for the command to exit; its code, and all
    /// its output and its standard error.
    fn finish(&mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("waits") {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "the command did not exit within {WAIT:?}:\n{}",
                self.out
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.out.push_str(&l);
            self.out.push('\n');
        }
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        (status.code(), err)
    }
}

/// Reads back the QR code printed in half blocks (light modules drawn,
/// dark ones blank).
fn read_printed_qr(out: &str) -> String {
    let rows: Vec<Vec<char>> = out
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| "█▀▄ ".contains(c)) && l.contains('█'))
        .map(|l| l.chars().collect())
        .collect();
    assert!(rows.len() > 10, "a QR code is printed:\n{out}");
    let width = rows[0].len();
    let height = rows.len() * 2;
    let light = |x: usize, y: usize| match rows[y / 2][x] {
        '█' => true,
        '▀' => y.is_multiple_of(2),
        '▄' => y % 2 == 1,
        _ => false,
    };
    let scale = 4;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
            if light(x / scale, y / scale) { 255 } else { 0 }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the printed code reads").1
}

fn joined(addr: SocketAddr, code: &str, name: &str) -> String {
    let r = http::join(addr, code, Some(name));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["token"].as_str().expect("a token").to_string()
}

/// The next choice point on a student's stream: its point and options.
fn next_choice(events: &mut http::Events) -> (u32, Vec<String>) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some((name, data)) = events.next(Duration::from_secs(5))
            && name == "choice"
        {
            let point = u32::try_from(data["point"].as_u64().expect("a point")).expect("small");
            let options = data["options"]
                .as_array()
                .expect("options")
                .iter()
                .map(|o| o.as_str().expect("text").to_string())
                .collect();
            return (point, options);
        }
    }
    panic!("no choice point on the phones within {WAIT:?}");
}

fn vote(addr: SocketAddr, token: &str, point: u32, option: usize) {
    let r = http::vote(addr, token, point, option);
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_class_votes_from_two_phones_and_the_tutors_lines_play_it_to_the_debrief() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let record = dir.path().join("class.json");
    let small = fixture("valid/small.ron");
    let mut run = Running::start(&[
        "room",
        small.to_str().expect("utf8"),
        "--bind",
        "127.0.0.1:0",
        "--class",
        "3C",
        "--seed",
        "3",
        "--record",
        record.to_str().expect("utf8"),
    ]);
    let address = run.until("Address:", |l| l.starts_with("Address: "));
    let url = address.trim_start_matches("Address: ").to_string();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("the address is IP:PORT");
    let code = run.until("Join code:", |l| l.starts_with("Join code: "));
    let code = code.trim_start_matches("Join code: ").to_string();
    assert_eq!(code.len(), 6, "{code}");
    run.until("the help", |l| l.starts_with("Enter: close the vote"));
    let qr = read_printed_qr(&run.out);
    assert!(
        qr.starts_with(&url) && qr.ends_with(&format!("code={code}")),
        "{qr}"
    );

    let ana = joined(addr, &code, "Ana");
    let ben = joined(addr, &code, "Ben");
    let mut events = http::Events::open(addr, &ana).expect("a stream");

    // Turn 1: both phones vote 2; the counts arrive live; Enter plays it.
    let (first, options) = next_choice(&mut events);
    run.until("choice point 1", |l| l == "-- Choice point 1 --");
    vote(addr, &ana, first, 2);
    vote(addr, &ben, first, 2);
    let counts = run.until("the counts", |l| l.ends_with("(2 of 2 devices)"));
    assert!(counts.starts_with("Votes: 1: 0  2: 2"), "{counts}");
    run.type_line("");
    let played = run.until("the move", |l| l.starts_with("The class played"));
    assert_eq!(
        played,
        format!("The class played 2. {} (the majority)", options[1])
    );

    // Turn 2: one vote each for 1 and 2: a tie waits; the tutor picks 2.
    let (second, options) = next_choice(&mut events);
    assert_ne!(second, first);
    run.until("choice point 2", |l| l == "-- Choice point 2 --");
    vote(addr, &ana, second, 1);
    vote(addr, &ben, second, 2);
    run.until("the counts", |l| l.ends_with("(2 of 2 devices)"));
    run.type_line("");
    run.until("the tie", |l| l.contains("tie between options 1 and 2"));
    run.type_line("p 2");
    let played = run.until("the move", |l| l.starts_with("The class played"));
    assert_eq!(
        played,
        format!("The class played 2. {} (the tutor's pick)", options[1])
    );

    // Turn 3: Ana votes 1, three hands go up for 2: the hands win.
    let (third, options) = next_choice(&mut events);
    run.until("choice point 3", |l| l == "-- Choice point 3 --");
    vote(addr, &ana, third, 1);
    run.until("the counts", |l| l.ends_with("(1 of 2 devices)"));
    run.type_line("h 2 3");
    let counts = run.until("the hands", |l| l.starts_with("Votes: 1: 1  2: 3"));
    assert!(counts.ends_with("(1 of 2 devices)"), "{counts}");
    run.type_line("");
    let played = run.until("the move", |l| l.starts_with("The class played"));
    assert_eq!(
        played,
        format!("The class played 2. {} (the majority)", options[1])
    );

    // The session has ended: the phones get the question, the debrief is
    // printed, the command exits 0.
    let over = loop {
        match events.next(WAIT) {
            Some((name, data)) if name == "session_over" => break data,
            Some(_) => {}
            None => panic!("the room did not close"),
        }
    };
    assert!(
        !over["question"].as_str().unwrap_or("").is_empty(),
        "{over}"
    );
    let (status, err) = run.finish();
    assert_eq!(status, Some(0), "{err}\n{}", run.out);
    assert!(run.out.contains("The room is closed."), "{}", run.out);
    assert!(run.out.contains("== Debrief: "), "{}", run.out);
    assert!(!run.out.contains("Ben"), "never who voted: {}", run.out);

    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("the record")).expect("json");
    let group = &r["group"];
    assert_eq!(group["mode"], "ClassVote");
    assert_eq!(group["name"], "3C");
    assert_eq!(group["turns"][1]["tutor_pick"], true);
    assert_eq!(group["turns"][2]["votes"][1]["votes"], 3);
    let votes = |who: &str| -> Vec<(u64, u64)> {
        group["devices"]
            .as_array()
            .expect("devices")
            .iter()
            .find(|d| d["pseudonym"] == who)
            .unwrap_or_else(|| panic!("{who} in {group}"))["votes"]
            .as_array()
            .expect("votes")
            .iter()
            .map(|v| {
                (
                    v["point"].as_u64().expect("point"),
                    v["option"].as_u64().expect("option"),
                )
            })
            .collect()
    };
    assert_eq!(votes("Ana"), [(1, 2), (2, 1), (3, 1)]);
    assert_eq!(votes("Ben"), [(1, 2), (2, 2)]);
}

#[test]
fn a_port_in_use_is_a_clear_error_with_the_networks_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("bound").port();
    let bind = format!("127.0.0.1:{port}");
    let small = fixture("valid/small.ron");
    let out = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(["room", small.to_str().expect("utf8"), "--bind", &bind])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("could not listen on {bind}")),
        "{err}"
    );
    assert!(
        err.contains("this computer only"),
        "the networks are listed: {err}"
    );
}

#[test]
fn the_end_of_the_input_ends_the_session_cleanly() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let record = dir.path().join("none.json");
    let small = fixture("valid/small.ron");
    let out = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args([
            "room",
            small.to_str().expect("utf8"),
            "--bind",
            "127.0.0.1:0",
            "--record",
            record.to_str().expect("utf8"),
        ])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("no record was written"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("The room is closed."), "{stdout}");
    assert!(!record.exists());
}
