//! `cargo bench --bench room`: the load test of the class room's server.
//! On loopback, 60 simulated students (a thread each, each connecting from
//! a loopback address of its own, as phones on Wi-Fi do) join, hold an
//! event stream open and vote at 20 choice points; a flooder device and a
//! hostile one send what they should not. Prints a table and exits
//! non-zero if a vote is counted wrong or a request failed unexpectedly.
//! Figures are recorded in docs/performance.md.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

#[path = "../tests/http.rs"]
mod http;

use ipt_trainer::core::room::MAX_BODY_BYTES;
use ipt_trainer::core::room::server::{RoomServer, ServeConfig};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const STUDENTS: usize = 60;
const POINTS: u32 = 20;
/// The choice point during which the flooder sends 1,000 votes a second.
const FLOOD_POINT: u32 = 8;
const FLOOD_RATE: u32 = 1000;
const FLOOD_TIME: Duration = Duration::from_secs(2);
const FLOOD_THREADS: u32 = 4;
/// How long students wait after the choice at the flood point before
/// voting, so that they vote in the middle of the flood.
const FLOOD_PAUSE: Duration = Duration::from_millis(300);
/// The choice point during which the hostile device sends bad input.
const HOSTILE_POINT: u32 = 14;
/// The whole run, and any one wait in it.
const RUN_LIMIT: Duration = Duration::from_mins(2);
const WAIT: Duration = Duration::from_secs(20);
/// Projector calls per choice point on the idle server, one a millisecond.
const IDLE_CALLS: usize = 50;
/// The shortest choice point: a device may send 5 requests a second, and
/// a student sends up to two votes a point (in class, points are minutes
/// apart).
const POINT_TIME: Duration = Duration::from_millis(500);

fn student_ip(s: usize) -> IpAddr {
    IpAddr::from([127, 0, 1, s as u8 + 1])
}
const FLOODER_IP: [u8; 4] = [127, 0, 2, 1];
const HOSTILE_IP: [u8; 4] = [127, 0, 2, 2];

fn options(point: u32) -> Vec<String> {
    (1..=2 + point % 3)
        .map(|k| format!("Option {k} at choice point {point}"))
        .collect()
}

/// Student `s`'s first vote at `point` among `n` options, and whether it
/// changes it once (to the next option).
fn choice(s: usize, point: u32, n: usize) -> (usize, bool) {
    let first = 1 + (s * 7 + point as usize * 3) % n;
    (first, (s * 3 + point as usize).is_multiple_of(4))
}

/// What a student tells the bench.
enum Report {
    Joined {
        s: usize,
        pseudonym: String,
    },
    Voted {
        s: usize,
        point: u32,
        choice_at: Instant,
        option: usize,
        latencies: Vec<Duration>,
    },
    Failed {
        s: usize,
        what: String,
        /// The student's thread has stopped.
        fatal: bool,
    },
    Done {
        refusals: usize,
    },
}

/// A vote, its failure to connect an error rather than a panic.
fn vote(addr: SocketAddr, token: &str, point: u32, option: usize) -> std::io::Result<http::Reply> {
    http::request(
        addr,
        "POST",
        "/api/vote",
        Some("application/json"),
        &serde_json::json!({ "token": token, "point": point, "option": option }).to_string(),
    )
}

fn student(s: usize, addr: SocketAddr, code: String, tx: mpsc::Sender<Report>) {
    let fail = |what: String| {
        let _ = tx.send(Report::Failed {
            s,
            what,
            fatal: true,
        });
    };
    let complain = |what: String| {
        let _ = tx.send(Report::Failed {
            s,
            what,
            fatal: false,
        });
    };
    http::connect_from(Some(student_ip(s)));
    let name = format!("S{s:02}");
    let joined = match http::request(
        addr,
        "POST",
        "/api/join",
        Some("application/json"),
        &serde_json::json!({ "code": code, "name": name }).to_string(),
    ) {
        Ok(r) if r.status == 200 => r.json(),
        Ok(r) => return fail(format!("join: {} {}", r.status, r.body)),
        Err(e) => return fail(format!("join: {e}")),
    };
    let token = joined["token"].as_str().unwrap_or("").to_string();
    let mut events = match http::Events::open(addr, &token) {
        Ok(e) if e.status == 200 => e,
        Ok(e) => return fail(format!("stream: {} {:?}", e.status, e.refusal)),
        Err(e) => return fail(format!("stream: {e}")),
    };
    let _ = tx.send(Report::Joined {
        s,
        pseudonym: joined["pseudonym"].as_str().unwrap_or("").to_string(),
    });
    loop {
        let Some((name, event)) = events.next(WAIT) else {
            return fail("the stream ended or fell silent before the session's end".into());
        };
        match name.as_str() {
            "choice" => {
                let choice_at = Instant::now();
                let point = event["point"].as_u64().unwrap_or(0) as u32;
                let n = event["options"].as_array().map_or(0, Vec::len);
                if point == FLOOD_POINT {
                    std::thread::sleep(FLOOD_PAUSE);
                }
                let (first, change) = choice(s, point, n);
                let mut votes = vec![(first, None)];
                if change {
                    votes.push((1 + first % n, Some(first)));
                }
                let mut latencies = Vec::new();
                // The last vote the server accepted.
                let mut counted = 0;
                for &(option, previous) in &votes {
                    let t = Instant::now();
                    let r = vote(addr, &token, point, option);
                    latencies.push(t.elapsed());
                    let ok = r.as_ref().is_ok_and(|r| {
                        r.status == 200 && {
                            let j = r.json();
                            j["point"] == point
                                && j["option"] == option
                                && j["previous"].as_u64() == previous.map(|p| p as u64)
                        }
                    });
                    if ok {
                        counted = option;
                    } else {
                        complain(format!("vote at {point}: {r:?}"));
                    }
                }
                let _ = tx.send(Report::Voted {
                    s,
                    point,
                    choice_at,
                    option: counted,
                    latencies,
                });
            }
            "session_over" => break,
            _ => {}
        }
    }
    // The token replayed after the room closed: refused every way.
    let mut refusals = 0;
    let vote = vote(addr, &token, POINTS, 1);
    let state = http::request(
        addr,
        "POST",
        "/api/state",
        Some("application/json"),
        &serde_json::json!({ "token": token }).to_string(),
    );
    for (what, r) in [("vote", vote), ("state", state)] {
        match r {
            Ok(r) if r.status == 410 && r.error() == "room_closed" => refusals += 1,
            r => complain(format!("replayed {what} after the room closed: {r:?}")),
        }
    }
    match http::Events::open(addr, &token) {
        Ok(e)
            if e.status == 410
                && e.refusal
                    .as_ref()
                    .is_some_and(|r| r.error() == "room_closed") =>
        {
            refusals += 1;
        }
        Ok(e) => complain(format!(
            "replayed stream after the room closed: {} {:?}",
            e.status, e.refusal
        )),
        Err(e) => complain(format!("replayed stream after the room closed: {e}")),
    }
    let _ = tx.send(Report::Done { refusals });
}

/// What the flooder got back.
#[derive(Default)]
struct Flood {
    sent: u32,
    accepted: u32,
    too_fast: u32,
    too_many_connections: u32,
    other: Vec<String>,
    elapsed: Duration,
}

/// `FLOOD_THREADS` threads from one address send the flooder's vote for
/// option 1, together `FLOOD_RATE` a second, for `FLOOD_TIME`.
fn flood(addr: SocketAddr, token: String, start: Instant) -> Flood {
    let per_thread = FLOOD_RATE * FLOOD_TIME.as_millis() as u32 / 1000 / FLOOD_THREADS;
    let gap = Duration::from_secs(1) * FLOOD_THREADS / FLOOD_RATE;
    let threads: Vec<_> = (0..FLOOD_THREADS)
        .map(|k| {
            let token = token.clone();
            std::thread::spawn(move || {
                http::connect_from(Some(IpAddr::from(FLOODER_IP)));
                let mut f = Flood::default();
                let offset = gap * k / FLOOD_THREADS;
                for i in 0..per_thread {
                    let at = start + offset + gap * i;
                    if let Some(d) = at.checked_duration_since(Instant::now()) {
                        std::thread::sleep(d);
                    }
                    f.sent += 1;
                    match vote(addr, &token, FLOOD_POINT, 1) {
                        Ok(r) if r.status == 200 => f.accepted += 1,
                        Ok(r) if r.status == 429 && r.error() == "too_fast" => f.too_fast += 1,
                        Ok(r) if r.status == 429 && r.error() == "too_many_connections" => {
                            f.too_many_connections += 1;
                        }
                        r => f.other.push(format!("{r:?}")),
                    }
                }
                f
            })
        })
        .collect();
    let mut all = Flood::default();
    for t in threads {
        let f = t.join().unwrap_or_default();
        all.sent += f.sent;
        all.accepted += f.accepted;
        all.too_fast += f.too_fast;
        all.too_many_connections += f.too_many_connections;
        all.other.extend(f.other);
    }
    all.elapsed = start.elapsed();
    all
}

/// Bad input from the hostile device during a vote: each request with the
/// status and refusal it must get. Returns (answered right, the wrong ones).
fn hostile(addr: SocketAddr, token: &str, point: u32) -> (usize, Vec<String>) {
    http::connect_from(Some(IpAddr::from(HOSTILE_IP)));
    let json = Some("application/json");
    let mut right = 0;
    let mut wrong = Vec::new();
    for round in 0..3 {
        let cases: Vec<(&str, &str, Option<&str>, String, u16, &str)> = vec![
            (
                "wrong code",
                "/api/join",
                json,
                format!("{{\"code\":\"AAAAA{round}\",\"name\":\"X\"}}"),
                403,
                "wrong_code",
            ),
            (
                "malformed JSON",
                "/api/vote",
                json,
                "{\"token\": ".into(),
                400,
                "bad_request",
            ),
            (
                "an extra field",
                "/api/vote",
                json,
                format!("{{\"token\":\"{token}\",\"point\":{point},\"option\":1,\"x\":1}}"),
                400,
                "bad_request",
            ),
            (
                "no such option",
                "/api/vote",
                json,
                format!("{{\"token\":\"{token}\",\"point\":{point},\"option\":13}}"),
                422,
                "no_such_option",
            ),
            (
                "a wrong point",
                "/api/vote",
                json,
                format!(
                    "{{\"token\":\"{token}\",\"point\":{},\"option\":1}}",
                    point + 100
                ),
                409,
                "wrong_point",
            ),
            (
                "a form post",
                "/api/vote",
                Some("application/x-www-form-urlencoded"),
                format!("token={token}&point={point}&option=1"),
                415,
                "not_json",
            ),
            (
                "an oversized body",
                "/api/vote",
                json,
                format!(
                    "{{\"token\":\"{token}\",\"point\":{point},\"option\":1,\"pad\":\"{}\"}}",
                    "x".repeat(MAX_BODY_BYTES)
                ),
                413,
                "too_large",
            ),
            (
                "an unknown token",
                "/api/vote",
                json,
                format!(
                    "{{\"token\":\"{}\",\"point\":{point},\"option\":1}}",
                    "0".repeat(32)
                ),
                401,
                "unknown_token",
            ),
        ];
        for (what, path, content_type, body, status, error) in cases {
            match http::request(addr, "POST", path, content_type, &body) {
                Ok(r) if r.status == status && r.error() == error => right += 1,
                r => wrong.push(format!("{what}: {r:?}")),
            }
        }
        // A chunked body past the limit, and headers past 8 KiB.
        let raw = format!(
            "POST /api/vote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
            MAX_BODY_BYTES * 4,
            "y".repeat(MAX_BODY_BYTES * 4)
        );
        match http::send(addr, raw.as_bytes()) {
            Ok(r) if r.status == 413 && r.error() == "too_large" => right += 1,
            r => wrong.push(format!("a chunked oversized body: {r:?}")),
        }
        let raw = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
            "z".repeat(20_000)
        );
        match http::send(addr, raw.as_bytes()) {
            Ok(r) if r.status == 431 => right += 1,
            r => wrong.push(format!("oversized headers: {r:?}")),
        }
    }
    (right, wrong)
}

/// Time on a CPU of one thread of this process (its schedstat, in
/// nanoseconds; else utime + stime in ticks of 10 ms).
fn thread_cpu(tid: &str) -> Duration {
    let dir = format!("/proc/self/task/{tid}");
    if let Some(ns) = std::fs::read_to_string(format!("{dir}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
    {
        return Duration::from_nanos(ns);
    }
    stat_cpu(&format!("{dir}/stat"))
}

/// utime + stime of a `stat` file (`USER_HZ` is 100 on Linux).
fn stat_cpu(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // The fields after the command's name (which may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    Duration::from_millis(10 * (f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0)))
}

fn server_tid() -> Option<String> {
    std::fs::read_dir("/proc/self/task")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|tid| {
            std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
                .is_ok_and(|c| c.trim() == "room-server")
        })
}

/// `VmRSS` and `VmHWM` in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn pct(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Median, 99th percentile and maximum, in `unit`.
fn spread(v: &mut [Duration], unit: fn(Duration) -> String) -> String {
    format!(
        "{} / {} / {} ({} calls)",
        unit(pct(v, 0.5)),
        unit(pct(v, 0.99)),
        unit(pct(v, 1.0)),
        v.len()
    )
}

fn main() {
    // Whatever happens, the run ends.
    std::thread::spawn(|| {
        std::thread::sleep(RUN_LIMIT);
        println!("FAILED: the run took longer than {} s", RUN_LIMIT.as_secs());
        std::process::exit(2);
    });
    let mut errors: Vec<String> = Vec::new();
    let process_cpu_0 = stat_cpu("/proc/self/stat");
    let mem_0 = memory();
    let server = match RoomServer::start(ServeConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        class: "Load test".into(),
    }) {
        Ok(s) => s,
        Err(e) => {
            println!("FAILED: the server does not start: {e}");
            std::process::exit(1);
        }
    };
    let addr = server.addr();
    let code = server.code();
    // The thread names itself once it runs: look until it has.
    let looking = Instant::now();
    let tid = loop {
        match server_tid() {
            Some(t) => break t,
            None if looking.elapsed() < WAIT => std::thread::sleep(Duration::from_millis(1)),
            None => {
                errors.push("no thread named room-server".into());
                break String::new();
            }
        }
    };
    let server_cpu_0 = thread_cpu(&tid);
    let run = Instant::now();

    // The students join and open their streams.
    let (tx, rx) = mpsc::channel();
    let joining = Instant::now();
    let students: Vec<_> = (0..STUDENTS)
        .map(|s| {
            let (tx, code) = (tx.clone(), code.clone());
            std::thread::Builder::new()
                .name(format!("student-{s}"))
                .stack_size(256 * 1024)
                .spawn(move || student(s, addr, code, tx))
                .expect("a thread")
        })
        .collect();
    drop(tx);
    let mut pseudonyms = vec![String::new(); STUDENTS];
    // Students whose thread failed (and said why): not waited for.
    let mut failed = std::collections::BTreeSet::new();
    let mut joined = 0;
    while joined < STUDENTS {
        match rx.recv_timeout(WAIT) {
            Ok(Report::Joined { s, pseudonym }) => {
                pseudonyms[s] = pseudonym;
                joined += 1;
            }
            Ok(Report::Failed { s, what, fatal }) => {
                errors.push(format!("student {s}: {what}"));
                if fatal {
                    failed.insert(s);
                    joined += 1;
                }
            }
            Ok(_) => {}
            Err(_) => {
                errors.push(format!("only {joined} of {STUDENTS} students joined"));
                break;
            }
        }
    }
    let join_time = joining.elapsed();
    let other = |ip: [u8; 4], name: &str| {
        http::connect_from(Some(IpAddr::from(ip)));
        let r = http::join(addr, &code, Some(name));
        http::connect_from(None);
        r.json()["token"].as_str().unwrap_or("").to_string()
    };
    let flooder = other(FLOODER_IP, "Flooder");
    let hostile_token = other(HOSTILE_IP, "Hostile");
    let connections_open = server.connections();
    let mem_joined = memory();

    // The choice points.
    let mut finals: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut flood_latencies = Vec::new();
    let mut to_last_choice = Vec::new();
    let mut busy_calls = Vec::new();
    let mut flood_calls = Vec::new();
    let mut idle_calls = Vec::new();
    let mut flood_result = None;
    let mut hostile_result = None;
    let mut late_right = 0;
    // The late votes' round trips: a request to the idle server.
    let mut idle_requests = Vec::new();
    for point in 1..=POINTS {
        let n = options(point).len();
        let opened = Instant::now();
        if let Err(e) = server.open_vote(
            point,
            "Rosa",
            "I don't know where to start.",
            options(point),
        ) {
            errors.push(format!("open_vote({point}): {e}"));
            break;
        }
        let flooding = (point == FLOOD_POINT).then(|| {
            let token = flooder.clone();
            std::thread::spawn(move || flood(addr, token, opened))
        });
        let attacking = (point == HOSTILE_POINT).then(|| {
            let token = hostile_token.clone();
            std::thread::spawn(move || hostile(addr, &token, point))
        });
        let mut votes = vec![0; STUDENTS];
        let mut reported = 0;
        let mut last_choice = opened;
        while reported < STUDENTS - failed.len() {
            match rx.recv_timeout(Duration::from_millis(1)) {
                Ok(Report::Voted {
                    s,
                    point: p,
                    choice_at,
                    option,
                    latencies: l,
                }) if p == point => {
                    votes[s] = option;
                    reported += 1;
                    last_choice = last_choice.max(choice_at);
                    if point == FLOOD_POINT {
                        flood_latencies.extend(l);
                    } else {
                        latencies.extend(l);
                    }
                }
                Ok(Report::Failed { s, what, fatal }) => {
                    errors.push(format!("student {s}: {what}"));
                    if fatal {
                        failed.insert(s);
                    }
                }
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    errors.push("every student stopped".into());
                    break;
                }
            }
            let t = Instant::now();
            std::hint::black_box(server.projector());
            busy_calls.push(t.elapsed());
            if opened.elapsed() > WAIT {
                errors.push(format!(
                    "point {point}: {reported} of {STUDENTS} students reported in time"
                ));
                break;
            }
        }
        to_last_choice.push(last_choice - opened);
        if let Some(f) = flooding {
            while !f.is_finished() {
                let t = Instant::now();
                std::hint::black_box(server.projector());
                flood_calls.push(t.elapsed());
                std::thread::sleep(Duration::from_millis(1));
            }
            flood_result = f.join().ok();
        }
        if let Some(h) = attacking {
            hostile_result = h.join().ok();
        }
        // The same calls on the idle server (every vote in, nothing sent).
        let mut calls = 0;
        while calls < IDLE_CALLS || opened.elapsed() < POINT_TIME {
            calls += 1;
            let t = Instant::now();
            std::hint::black_box(server.projector());
            idle_calls.push(t.elapsed());
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut expected = vec![0u32; n];
        for &v in &votes {
            if v > 0 {
                expected[v - 1] += 1;
            }
        }
        let mut expected_voted = votes.iter().filter(|&&v| v > 0).count();
        if point == FLOOD_POINT && flood_result.as_ref().is_some_and(|f| f.accepted > 0) {
            expected[0] += 1;
            expected_voted += 1;
        }
        let p = server.projector();
        if p.counts != expected || p.voted != expected_voted {
            errors.push(format!(
                "point {point}: the projector counts {:?} ({} voted), the students' final votes give {expected:?} ({expected_voted})",
                p.counts, p.voted
            ));
        }
        match server.close_vote() {
            Ok(tally) if tally.counts() == expected.as_slice() => {}
            Ok(tally) => errors.push(format!(
                "point {point}: close_vote counts {:?}, expected {expected:?}",
                tally.counts()
            )),
            Err(e) => errors.push(format!("close_vote at {point}: {e}")),
        }
        // A vote after the close is late, and changes nothing.
        let t = Instant::now();
        let late = vote(addr, &hostile_token, point, 1);
        idle_requests.push(t.elapsed());
        match late {
            Ok(r) if r.status == 409 && r.error() == "late" => late_right += 1,
            r => errors.push(format!("a late vote at {point}: {r:?}")),
        }
        if server.projector().counts != expected {
            errors.push(format!(
                "point {point}: after a late vote the counts are not the students' votes"
            ));
        }
        finals.insert(point, votes);
    }

    // The record: every student's final vote at every point, the
    // flooder's once, the hostile device's none.
    let record = server.record();
    let mut record_right = 0;
    for d in &record {
        let want: Vec<(u32, usize)> =
            if let Some(s) = pseudonyms.iter().position(|p| *p == d.pseudonym) {
                finals
                    .iter()
                    .filter(|(_, v)| v[s] > 0)
                    .map(|(&p, v)| (p, v[s]))
                    .collect()
            } else if d.pseudonym == "Flooder" {
                vec![(FLOOD_POINT, 1)]
            } else {
                Vec::new()
            };
        let got: Vec<(u32, usize)> = d.votes.iter().map(|v| (v.point, v.option)).collect();
        if got == want {
            record_right += 1;
        } else {
            errors.push(format!(
                "record of {}: {got:?}, expected {want:?}",
                d.pseudonym
            ));
        }
    }
    if record.len() != STUDENTS + 2 {
        errors.push(format!(
            "the record has {} devices, not {}",
            record.len(),
            STUDENTS + 2
        ));
    }
    let server_cpu_voting = thread_cpu(&tid).saturating_sub(server_cpu_0);
    let projector_before = server.projector();

    // The room closes; every student replays its token.
    server.close_room("What did Rosa need from you at that point?");
    let mut replays_right = 0;
    let mut done = 0;
    while done < STUDENTS - failed.len() {
        match rx.recv_timeout(WAIT) {
            Ok(Report::Done { refusals, .. }) => {
                replays_right += refusals;
                done += 1;
            }
            Ok(Report::Failed { s, what, fatal }) => {
                errors.push(format!("student {s}: {what}"));
                if fatal {
                    failed.insert(s);
                }
            }
            Ok(_) => {}
            Err(_) => {
                errors.push(format!("{done} of {STUDENTS} students saw the session end"));
                break;
            }
        }
    }
    for s in students {
        let _ = s.join();
    }
    let late_join = http::join(addr, &code, Some("Late"));
    if (late_join.status, late_join.error().as_str()) == (410, "room_closed") {
        replays_right += 1;
    } else {
        errors.push(format!("a join after the room closed: {late_join:?}"));
    }
    if server.record() != record || server.projector().counts != projector_before.counts {
        errors.push("the record or the counts changed after the room closed".into());
    }
    let server_cpu = thread_cpu(&tid).saturating_sub(server_cpu_0);
    let process_cpu = stat_cpu("/proc/self/stat").saturating_sub(process_cpu_0);
    let wall = run.elapsed();
    let mem_end = memory();

    // The table.
    let flood = flood_result.unwrap_or_default();
    let (hostile_right, hostile_wrong) = hostile_result.unwrap_or_default();
    errors.extend(flood.other.iter().map(|e| format!("flood: {e}")));
    errors.extend(hostile_wrong.iter().map(|e| format!("hostile: {e}")));
    let flood_secs = flood.elapsed.as_secs_f64();
    let allowed = 10 + (5.0 * flood_secs).ceil() as u32;
    if flood.accepted > allowed {
        errors.push(format!(
            "the flooder got {} votes in, more than its rate allows ({allowed})",
            flood.accepted
        ));
    }
    let votes_sent = latencies.len() + flood_latencies.len();
    println!("| what | figure | beside it, in the same run |");
    println!("|---|---|---|");
    println!(
        "| students joined, streams open | {STUDENTS} in {} (plus the flooder and the hostile device); {connections_open} connections open | — |",
        ms(join_time)
    );
    println!(
        "| votes counted right | {} of {POINTS} choice points; record right for {record_right} of {} devices | {votes_sent} votes sent by students (changes included) |",
        POINTS as usize - errors.iter().filter(|e| e.starts_with("point")).count(),
        record.len()
    );
    println!(
        "| a vote's latency (median / p99 / max) | {} | during the flood: {}; a (late) vote to the idle server: {} |",
        spread(&mut latencies, ms),
        spread(&mut flood_latencies, ms),
        spread(&mut idle_requests, ms)
    );
    println!(
        "| open_vote to the last student's choice event (median / p99 / max over {POINTS} points) | {} | — |",
        spread(&mut to_last_choice, ms)
    );
    println!(
        "| projector() while votes pour in (median / p99 / max) | {} | idle: {} |",
        spread(&mut busy_calls, us),
        spread(&mut idle_calls, us)
    );
    println!(
        "| projector() during the flood | {} | idle: as above |",
        spread(&mut flood_calls, us)
    );
    println!(
        "| the flooder ({} requests in {:.2} s, {:.0} a second) | {} accepted, {} refused 429 too_fast, {} refused 429 too_many_connections, {} other | its rate allows {allowed}; its vote counted once |",
        flood.sent,
        flood_secs,
        f64::from(flood.sent) / flood_secs.max(1e-9),
        flood.accepted,
        flood.too_fast,
        flood.too_many_connections,
        flood.other.len()
    );
    println!(
        "| bad input during a vote (3 rounds of 10 kinds) | {hostile_right} of 30 answered with the right refusal | late votes after each close: {late_right} of {POINTS} refused 409 late |"
    );
    println!(
        "| tokens replayed after close_room (vote, state, stream) + a join | {replays_right} of {} refused 410 room_closed | — |",
        STUDENTS * 3 + 1
    );
    println!(
        "| the server thread's CPU time | {} over the votes, {} in all, in {:.1} s of wall time | the whole process (students, flooder and bench included): {} |",
        ms(server_cpu_voting),
        ms(server_cpu),
        wall.as_secs_f64(),
        ms(process_cpu)
    );
    println!(
        "| memory (VmRSS / VmHWM) | after the run: {:.1} / {:.1} MiB; with {STUDENTS} streams open: {:.1} / {:.1} MiB | before the server started: {:.1} / {:.1} MiB |",
        mem_end.0, mem_end.1, mem_joined.0, mem_joined.1, mem_0.0, mem_0.1
    );
    if errors.is_empty() {
        println!("\nevery vote counted exactly once; no request failed but the expected refusals");
    } else {
        println!("\nFAILED ({} problems):", errors.len());
        for e in errors.iter().take(40) {
            println!("- {e}");
        }
        std::process::exit(1);
    }
}
