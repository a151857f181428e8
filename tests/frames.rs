//! A measurement, not a check of the suite: the projector's frames while
//! 60 phones join and vote, in the real app under Xvfb (Mesa's software
//! Vulkan driver), against the same app's frames in the same run with the
//! room open and nothing arriving. Prints a table (docs/performance.md,
//! "The projector's frames while 60 phones vote"); fails only if a vote is
//! not counted exactly once.
//!
//! `cargo test --features dev --test main -- --ignored frames:: --nocapture`

use crate::e2e::{Remote, needs_xvfb, start_room};
use crate::http;
use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc;
use std::time::Duration;

const STUDENTS: usize = 60;
const POINTS: u32 = 3;
const WAIT: Duration = Duration::from_secs(30);
/// How long each quiet window lasts (the room open, nothing arriving).
const QUIET: Duration = Duration::from_secs(3);

enum Report {
    Joined,
    Voted { point: u32, option: usize },
    Failed(String),
}

/// Student `s`'s vote at `point` among `n` options: half the class agree
/// (a tie would wait for the tutor's pick), the rest spread out.
fn pick(s: usize, point: u32, n: usize) -> usize {
    let n = n.max(1);
    if s.is_multiple_of(2) {
        1 + point as usize % n
    } else {
        1 + (s * 7 + point as usize * 3) % n
    }
}

/// A phone: joins from an address of its own, holds the event stream open
/// and, at each choice point, votes when `go` lets every phone go at once.
fn student(
    s: usize,
    addr: SocketAddr,
    code: &str,
    go: &mpsc::Receiver<()>,
    tx: &mpsc::Sender<Report>,
) {
    http::connect_from(Some(IpAddr::from([127, 0, 1, s as u8 + 1])));
    let joined = http::join(addr, code, Some(&format!("S{s:02}")));
    if joined.status != 200 {
        let _ = tx.send(Report::Failed(format!("join: {}", joined.body)));
        return;
    }
    let token = joined.json()["token"].as_str().unwrap_or("").to_string();
    let mut events = match http::Events::open(addr, &token) {
        Ok(e) if e.status == 200 => e,
        other => {
            let _ = tx.send(Report::Failed(format!("stream: {:?}", other.err())));
            return;
        }
    };
    let _ = tx.send(Report::Joined);
    let mut voted = 0;
    while voted < POINTS {
        let Some((name, event)) = events.next(WAIT * 2) else {
            let _ = tx.send(Report::Failed("the stream fell silent".into()));
            return;
        };
        if name != "choice" {
            continue;
        }
        let point = event["point"].as_u64().unwrap_or(0) as u32;
        let n = event["options"].as_array().map_or(0, Vec::len);
        if go.recv_timeout(WAIT * 2).is_err() {
            let _ = tx.send(Report::Failed(format!("no go at point {point}")));
            return;
        }
        let option = pick(s, point, n);
        let r = http::vote(addr, &token, point, option);
        voted += 1;
        let _ = tx.send(if r.status == 200 {
            Report::Voted { point, option }
        } else {
            Report::Failed(format!("vote at {point}: {} {}", r.status, r.body))
        });
    }
}

/// Median, 95th percentile and largest of `v`, in ms.
fn spread(v: &mut [f64]) -> String {
    if v.is_empty() {
        return "no frames".into();
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!("{:.1} / {:.1} / {:.1}", at(0.5), at(0.95), at(1.0))
}

/// The frames the app logged since the last read, as a table row.
fn frames(remote: &mut Remote, name: &str, rows: &mut Vec<String>) {
    remote.send(&format!("frames {name}"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(remote.dir.join(format!("{name}.json"))).expect("the frames"),
    )
    .expect("JSON");
    let list = |key: &str| -> Vec<f64> {
        json[key]
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (mut work, mut interval) = (list("work_ms"), list("interval_ms"));
    rows.push(format!(
        "| {name} | {} | {} | {} |",
        work.len(),
        spread(&mut work),
        spread(&mut interval)
    ));
}

#[test]
#[allow(clippy::print_stdout, reason = "a measurement prints its figures")]
#[ignore = "a measurement that prints figures (docs/performance.md); needs Xvfb and Mesa's Vulkan driver"]
fn the_projector_draws_on_while_sixty_phones_join_and_vote() {
    needs_xvfb();
    let (mut app, mut remote, room, _data) = start_room("frames-room");
    let url = room["url"].as_str().expect("url");
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("an address");
    let code = room["code"].as_str().expect("code").to_string();
    let mut rows = Vec::new();

    // The baseline: the room open, nobody in it.
    remote.send("frames start");
    std::thread::sleep(QUIET);
    frames(&mut remote, "empty-room", &mut rows);

    let (tx, rx) = mpsc::channel();
    let mut go = Vec::new();
    let phones: Vec<_> = (0..STUDENTS)
        .map(|s| {
            let (tx, code) = (tx.clone(), code.clone());
            let (go_tx, go_rx) = mpsc::channel();
            go.push(go_tx);
            std::thread::spawn(move || student(s, addr, &code, &go_rx, &tx))
        })
        .collect();
    let next = || match rx.recv_timeout(WAIT) {
        Ok(Report::Failed(why)) => panic!("a phone failed: {why}"),
        Ok(r) => r,
        Err(e) => panic!("the phones fell silent: {e}"),
    };
    for _ in 0..STUDENTS {
        assert!(matches!(next(), Report::Joined));
    }
    frames(&mut remote, "60-join", &mut rows);

    for point in 1..=POINTS {
        std::thread::sleep(QUIET);
        frames(&mut remote, &format!("quiet-{point}"), &mut rows);
        for g in &go {
            if g.send(()).is_err() {
                match rx.try_recv() {
                    Ok(Report::Failed(why)) => panic!("a phone failed: {why}"),
                    _ => panic!("a phone is gone before point {point}"),
                }
            }
        }
        let mut expected = Vec::new();
        let mut at = std::collections::BTreeSet::new();
        for _ in 0..STUDENTS {
            match next() {
                Report::Voted { point: p, option } => {
                    if expected.len() < option {
                        expected.resize(option, 0);
                    }
                    expected[option - 1] += 1;
                    at.insert(p);
                }
                Report::Joined | Report::Failed(_) => panic!("not a vote"),
            }
        }
        assert_eq!(at.len(), 1, "every phone voted at the same point: {at:?}");
        // A vote reaches the projector on its next frame.
        std::thread::sleep(Duration::from_millis(500));
        frames(&mut remote, &format!("votes-{point}"), &mut rows);
        let shown = remote.shot(&format!("frames-votes-{point}"));
        let shown_total: u64 = shown.iter().sum();
        assert_eq!(
            shown_total, STUDENTS as u64,
            "point {point}: every phone's vote counted once: {shown:?}"
        );
        assert!(
            shown.iter().zip(&expected).all(|(a, b)| *a == *b as u64),
            "point {point}: the projector shows {shown:?}, the phones voted {expected:?}"
        );
        remote.send("play");
    }
    remote.send("finish");
    for p in phones {
        let _ = p.join();
    }
    remote.send("quit");
    let status = app.0.wait().expect("the app exits");
    assert!(status.success(), "the app exited with {status}");
    println!(
        "| window | frames | main-schedule work, ms: median / p95 / max | frame to frame, ms: median / p95 / max |"
    );
    println!("|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
