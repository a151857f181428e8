//! The room's HTTP server on loopback: the page, joining and voting over
//! real connections, the event stream, and hostile input refused without
//! changing the count.

use crate::http::{self, Events};
use ipt_trainer::core::room::server::{MAX_CONNECTIONS_PER_ADDRESS, RoomServer, ServeConfig};
use ipt_trainer::core::room::{MAX_BODY_BYTES, page::PAGE_CSP};
use std::net::SocketAddr;
use std::time::Duration;

fn start(class: &str) -> (RoomServer, SocketAddr) {
    let server = RoomServer::start(ServeConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        class: class.into(),
    })
    .expect("the server starts on loopback");
    let addr = server.addr();
    (server, addr)
}

fn options() -> Vec<String> {
    vec![
        "What was that like for you?".into(),
        "You should try to get out more.".into(),
        "Let's look at your week.".into(),
    ]
}

fn token(reply: &http::Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["token"].as_str().expect("a token").to_string()
}

#[test]
fn the_page_is_served_self_contained_with_its_policy_and_the_class_name_escaped() {
    let (_server, addr) = start("Seminar <b>B</b>");
    let r = http::get(addr, "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("content-security-policy"), Some(PAGE_CSP));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.body.contains("Seminar &lt;b&gt;B&lt;/b&gt;"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<b>B</b>"));
    // Nothing else is there, and a known path with another method says so.
    let missing = http::get(addr, "/admin");
    assert_eq!(
        (missing.status, missing.error().as_str()),
        (404, "not_found")
    );
    let wrong = http::request(addr, "GET", "/api/vote", None, "").expect("answers");
    assert_eq!(
        (wrong.status, wrong.error().as_str()),
        (405, "wrong_method")
    );
}

#[test]
fn students_join_vote_change_their_vote_and_the_projector_counts_each_device_once() {
    let (server, addr) = start("");
    let code = server.code();
    let wrong = http::join(addr, "AAAAAA", Some("Sam"));
    assert_eq!((wrong.status, wrong.error().as_str()), (403, "wrong_code"));
    let ana = token(&http::join(addr, &code.to_lowercase(), Some("Ana")));
    let ben = token(&http::join(addr, &code, None));
    assert_eq!(server.projector().joined, 2);

    let early = http::vote(addr, &ana, 1, 1);
    assert_eq!(
        (early.status, early.error().as_str()),
        (409, "no_vote_open")
    );
    server
        .open_vote(1, "Rosa", "I keep his coat by the door.", options())
        .expect("opens");
    assert_eq!(http::vote(addr, &ana, 1, 1).status, 200);
    assert_eq!(http::vote(addr, &ben, 1, 3).status, 200);
    assert_eq!(server.projector().counts, vec![1, 0, 1]);
    // Ana changes her mind: her vote moves, it is not added.
    let changed = http::vote(addr, &ana, 1, 3);
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json()["previous"], 1);
    let p = server.projector();
    assert_eq!((p.counts, p.voted), (vec![0, 0, 2], 2));

    // Two students without a phone, typed by the tutor, count as well.
    let tally = server.set_hand_count(1, 2).expect("counts");
    assert_eq!(tally.counts(), &[2, 0, 2]);
    let closed = server.close_vote().expect("closes");
    assert_eq!(closed.counts(), &[2, 0, 2]);
    let late = http::vote(addr, &ben, 1, 1);
    assert_eq!((late.status, late.error().as_str()), (409, "late"));
    assert_eq!(server.device_tally().counts(), &[0, 0, 2]);

    let record = server.record();
    assert_eq!(record.len(), 2);
    assert_eq!(record[0].pseudonym, "Ana");
    assert!(record[0].named && !record[1].named);
    assert_eq!(record[0].votes[0].option, 3);
}

#[test]
fn a_page_hears_each_vote_open_close_and_the_end_of_the_session() {
    let (server, addr) = start("");
    let t = token(&http::join(addr, &server.code(), Some("Ana")));
    let mut events = Events::open(addr, &t).expect("a stream");
    assert_eq!(events.status, 200);
    let wait = Duration::from_secs(5);
    let (name, _) = events.next(wait).expect("the current state first");
    assert_eq!(name, "waiting");
    server
        .open_vote(4, "Rosa", "Nobody mentions him any more.", options())
        .expect("opens");
    let (name, choice) = events.next(wait).expect("the choice point");
    assert_eq!(name, "choice");
    assert_eq!(choice["point"], 4);
    assert_eq!(choice["line"], "Nobody mentions him any more.");
    assert_eq!(choice["options"].as_array().map(Vec::len), Some(3));
    server.close_vote().expect("closes");
    assert_eq!(events.next(wait).expect("closed").0, "vote_closed");
    server.close_room("What did Rosa need from you?");
    let (name, over) = events.next(wait).expect("the end");
    assert_eq!(name, "session_over");
    assert_eq!(over["question"], "What did Rosa need from you?");
    // The stream ends there, and the room refuses the token from now on.
    assert!(events.next(Duration::from_secs(2)).is_none());
    let replay = http::vote(addr, &t, 4, 1);
    assert_eq!(
        (replay.status, replay.error().as_str()),
        (410, "room_closed")
    );
}

#[test]
fn bad_input_gets_a_clear_refusal_and_changes_nothing() {
    let (server, addr) = start("");
    let t = token(&http::join(addr, &server.code(), Some("Ana")));
    server
        .open_vote(1, "Rosa", "I don't know.", options())
        .expect("opens");
    assert_eq!(http::vote(addr, &t, 1, 2).status, 200);

    let cases: Vec<(String, Option<&str>, u16, &str)> = vec![
        // Malformed JSON, a field too many, a number out of range.
        (
            "{\"token\": ".into(),
            Some("application/json"),
            400,
            "bad_request",
        ),
        (
            format!("{{\"token\":\"{t}\",\"point\":1,\"option\":1,\"extra\":1}}"),
            Some("application/json"),
            400,
            "bad_request",
        ),
        (
            format!("{{\"token\":\"{t}\",\"point\":1,\"option\":9}}"),
            Some("application/json"),
            422,
            "no_such_option",
        ),
        // Not JSON at all (a form post from another site).
        (
            format!("token={t}&point=1&option=1"),
            Some("application/x-www-form-urlencoded"),
            415,
            "not_json",
        ),
        // An oversized body.
        (
            format!(
                "{{\"token\":\"{t}\",\"point\":1,\"option\":1,\"pad\":\"{}\"}}",
                "x".repeat(MAX_BODY_BYTES)
            ),
            Some("application/json"),
            413,
            "too_large",
        ),
        // A token of no device.
        (
            format!(
                "{{\"token\":\"{}\",\"point\":1,\"option\":1}}",
                "0".repeat(32)
            ),
            Some("application/json"),
            401,
            "unknown_token",
        ),
    ];
    for (body, content_type, status, error) in cases {
        let r = http::request(addr, "POST", "/api/vote", content_type, &body).expect("answers");
        assert_eq!(
            (r.status, r.error()),
            (status, error.to_string()),
            "{body:.80}"
        );
        // Every refusal carries a sentence for the student.
        assert!(r.json()["message"].as_str().is_some_and(|m| m.len() > 20));
    }
    // A body that says it is small and is not: cut at the limit.
    let raw = format!(
        "POST /api/vote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        MAX_BODY_BYTES * 4,
        "y".repeat(MAX_BODY_BYTES * 4)
    );
    let r = http::send(addr, raw.as_bytes()).expect("answers");
    assert_eq!((r.status, r.error().as_str()), (413, "too_large"));
    // Headers over 8 KiB are refused before any handler.
    let raw = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
        "z".repeat(20_000)
    );
    let r = http::send(addr, raw.as_bytes()).expect("answers");
    assert_eq!(r.status, 431);
    assert_eq!(server.projector().counts, vec![0, 1, 0]);
}

#[test]
fn a_device_flooding_the_room_is_slowed_and_its_vote_counts_once() {
    let (server, addr) = start("");
    let flooder = token(&http::join(addr, &server.code(), Some("Flood")));
    let other = token(&http::join(addr, &server.code(), Some("Ana")));
    server
        .open_vote(1, "Rosa", "I don't know.", options())
        .expect("opens");
    let mut refused = 0;
    for k in 0..300 {
        let r = http::vote(addr, &flooder, 1, 1 + k % 3);
        match r.status {
            200 => {}
            429 => {
                assert_eq!(r.error(), "too_fast");
                refused += 1;
            }
            s => panic!("unexpected {s}: {}", r.body),
        }
    }
    assert!(refused > 200, "only {refused} of 300 refused");
    // Everyone else still gets in.
    assert_eq!(http::vote(addr, &other, 1, 2).status, 200);
    let p = server.projector();
    assert_eq!(p.voted, 2);
    assert_eq!(p.counts.iter().sum::<u32>(), 2);
}

#[test]
fn one_address_cannot_hold_every_connection() {
    let (server, addr) = start("");
    // Idle connections that never send a request, up to the cap.
    let held: Vec<_> = (0..MAX_CONNECTIONS_PER_ADDRESS)
        .map(|_| std::net::TcpStream::connect(addr).expect("connects"))
        .collect();
    // Wait until the server has taken them all in.
    for _ in 0..100 {
        if server.connections() >= MAX_CONNECTIONS_PER_ADDRESS {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let r = http::get(addr, "/");
    assert_eq!(
        (r.status, r.error().as_str()),
        (429, "too_many_connections")
    );
    drop(held);
    for _ in 0..100 {
        if server.connections() == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(http::get(addr, "/").status, 200);
}

#[test]
fn a_second_server_cannot_take_a_port_in_use_and_says_what_to_do() {
    let (_server, addr) = start("");
    let err = RoomServer::start(ServeConfig {
        bind: addr,
        class: String::new(),
    })
    .expect_err("the port is taken");
    let message = err.to_string();
    assert!(message.contains(&addr.to_string()), "{message}");
    assert!(message.contains("Pick another port"), "{message}");
}

#[test]
fn the_qr_code_holds_the_address_with_the_join_code() {
    let (server, _) = start("");
    let url = server.join_url();
    assert!(url.ends_with(&format!("/?code={}", server.code())), "{url}");
    let qr = ipt_trainer::core::room::qr::Qr::encode(&url).expect("fits");
    // A version 2 or 3 code: small enough to read from the back of a room.
    assert!((21..=33).contains(&qr.size), "{}", qr.size);
    // And a reader gets the address back, drawn as the projector does:
    // four light modules of margin, each module 4 pixels.
    assert_eq!(crate::common::read_qr(&qr, 4), url);
}

#[test]
fn each_devices_vote_is_kept_per_turn_and_a_retry_replaces_it() {
    use ipt_trainer::core::group::{GroupMode, GroupPlay, Roster};
    let (server, addr) = start("");
    let ana = token(&http::join(addr, &server.code(), Some("Ana")));
    let ben = token(&http::join(addr, &server.code(), None));
    let mut g = GroupPlay::new(GroupMode::ClassVote, "3B", Roster::default());
    // Turn 3 is the room's point 7.
    server.open_vote(7, "Rosa", "…", options()).expect("opens");
    assert_eq!(http::vote(addr, &ana, 7, 1).status, 200);
    assert_eq!(http::vote(addr, &ben, 7, 2).status, 200);
    server.close_vote().expect("closes");
    g.note_device_votes(3, 7, &server.record());
    let at = |g: &GroupPlay, who: usize| -> Vec<(u32, usize)> {
        g.devices[who]
            .votes
            .iter()
            .map(|v| (v.point, v.option))
            .collect()
    };
    assert_eq!(g.devices.len(), 2);
    assert!(g.devices[0].named && !g.devices[1].named);
    assert_eq!((at(&g, 0), at(&g, 1)), (vec![(3, 1)], vec![(3, 2)]));
    // A retry plays turn 3 again as point 8: Ana votes otherwise, Ben not at all.
    server.open_vote(8, "Rosa", "…", options()).expect("opens");
    assert_eq!(http::vote(addr, &ana, 8, 3).status, 200);
    server.close_vote().expect("closes");
    g.note_device_votes(3, 8, &server.record());
    assert_eq!((at(&g, 0), at(&g, 1)), (vec![(3, 3)], vec![]));
    // Rewinding to turn 3 forgets it.
    g.rewind_to(3);
    assert!(at(&g, 0).is_empty());
    assert_eq!(g.record().devices.len(), 2);
}

mod live {
    //! The class vote played live: the room kept in step with a practice.
    use crate::common::{fixture, guidance, scenario};
    use crate::http;
    use ipt_trainer::core::group::{GroupMode, GroupPlay, NotYet, Roster};
    use ipt_trainer::core::practice::{Mode, PlayError, Practice};
    use ipt_trainer::core::room::live::LiveRoom;
    use ipt_trainer::core::room::server::ServeConfig;
    use std::net::SocketAddr;
    use std::time::Duration;

    fn class_vote() -> (LiveRoom, Practice, SocketAddr) {
        let room = LiveRoom::start(ServeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            class: "3C".into(),
        })
        .expect("starts on loopback");
        let addr = room.server().addr();
        let g = GroupPlay::new(GroupMode::ClassVote, "3C", Roster::default());
        let p = Practice::start(
            scenario(&fixture("valid/small.ron")),
            guidance(),
            5,
            Mode::Coach,
            Some(g),
        )
        .expect("starts");
        (room, p, addr)
    }

    fn token(addr: SocketAddr, code: &str, name: &str) -> String {
        let r = http::join(addr, code, Some(name));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["token"].as_str().expect("a token").to_string()
    }

    #[test]
    fn each_choice_point_opens_to_the_phones_and_the_majority_of_hands_and_devices_plays() {
        let (mut room, mut p, addr) = class_vote();
        let code = room.server().code();
        let (ana, ben, cy) = (
            token(addr, &code, "Ana"),
            token(addr, &code, "Ben"),
            token(addr, &code, "Cy"),
        );
        assert!(room.sync(&mut p), "the first choice point opens");
        let first = room.view().projector.point.expect("a point is open");
        assert!(room.is_open());
        let shown = p.session().prompt().expect("a prompt").options.clone();
        // The page is given the options as the session shows them.
        let mut events = http::Events::open(addr, &ana).expect("a stream");
        let (name, choice) = events.next(Duration::from_secs(5)).expect("an event");
        assert_eq!(name, "choice");
        let texts: Vec<&str> = shown.iter().map(|o| o.text.as_str()).collect();
        let on_page: Vec<&str> = choice["options"]
            .as_array()
            .expect("options")
            .iter()
            .filter_map(|o| o.as_str())
            .collect();
        assert_eq!(on_page, texts);

        for (t, option) in [(&ana, 2), (&ben, 2), (&cy, 1)] {
            assert_eq!(http::vote(addr, t, first, option).status, 200);
        }
        assert!(room.sync(&mut p), "the devices' votes arrive");
        assert!(!room.sync(&mut p), "nothing new");
        let g = p.group_mut().expect("a group");
        assert_eq!(g.device_tally.counts()[..2], [1, 2]);
        // Two students without a phone put their hands up for option 1:
        // three to two for 1, with the devices' votes.
        g.tally.set(1, 2);
        let played = room.play(&mut p, None).expect("the majority plays");
        assert!(!played.ended);
        let g = p.group().expect("a group");
        assert_eq!(g.turns[0].votes[0].votes, 3);
        assert_eq!(g.turns[0].votes[1].votes, 2);
        assert_eq!(p.session().turns()[0].option, shown[0].index);
        // Each device's vote is kept at turn 1, by pseudonym.
        let kept: Vec<(String, usize)> = g
            .devices
            .iter()
            .map(|d| (d.pseudonym.clone(), d.votes[0].option))
            .collect();
        assert_eq!(
            kept,
            [("Ana".to_string(), 2), ("Ben".into(), 2), ("Cy".into(), 1)]
        );
        assert!(g.devices.iter().all(|d| d.votes[0].point == 1));

        // The next choice point is a new point on the phones, with no votes.
        let second = room.view().projector.point.expect("open");
        assert_ne!(second, first);
        assert!(room.is_open());
        assert_eq!(p.group().expect("group").device_tally.total(), 0);
        let late = http::vote(addr, &ana, first, 1);
        assert_eq!(late.status, 409, "{}", late.body);
    }

    #[test]
    fn a_vote_closed_with_no_votes_plays_nothing_and_can_be_opened_again() {
        let (mut room, mut p, addr) = class_vote();
        let code = room.server().code();
        let ana = token(addr, &code, "Ana");
        room.sync(&mut p);
        assert_eq!(
            room.play(&mut p, None),
            Err(PlayError::Group(NotYet::NoVotes))
        );
        assert!(!room.is_open(), "the vote stays closed");
        assert!(p.session().turns().is_empty());
        room.reopen(&mut p);
        let point = room.view().projector.point.expect("open again");
        assert!(room.is_open());
        assert_eq!(http::vote(addr, &ana, point, 3).status, 200);
        room.play(&mut p, None).expect("plays Ana's vote");
        let g = p.group().expect("a group");
        assert_eq!(g.devices[0].votes[0].option, 3);
    }

    #[test]
    fn a_retry_votes_afresh_and_the_end_of_the_session_closes_the_room() {
        let (mut room, mut p, addr) = class_vote();
        let code = room.server().code();
        let ana = token(addr, &code, "Ana");
        let mut events = http::Events::open(addr, &ana).expect("a stream");
        room.sync(&mut p);
        for _ in 0..2 {
            let point = room.view().projector.point.expect("open");
            assert_eq!(http::vote(addr, &ana, point, 1).status, 200);
            room.play(&mut p, None).expect("plays");
        }
        // Back to turn 2: its vote is taken again on the phones.
        let mut p = p.retry_from(2).expect("rewinds");
        room.rewound();
        assert!(room.sync(&mut p));
        let point = room.view().projector.point.expect("open");
        assert_eq!(point, 4, "points 1 to 3 were used");
        assert_eq!(http::vote(addr, &ana, point, 2).status, 200);
        room.play(&mut p, None).expect("plays");
        let g = p.group().expect("a group");
        let at: Vec<(u32, usize)> = g.devices[0]
            .votes
            .iter()
            .map(|v| (v.point, v.option))
            .collect();
        assert_eq!(at, [(1, 1), (2, 2)], "turn 2 has the retry's vote");

        // Play on to the end with the majority of hands.
        while !p.session().is_ended() {
            p.group_mut().expect("a group").tally.set(1, 1);
            room.play(&mut p, None).expect("plays");
        }
        let view = room.view();
        assert!(view.closed);
        let gone = http::vote(addr, &ana, point + 1, 1);
        assert_eq!(gone.status, 410, "{}", gone.body);
        // Every page ends on the debrief's discussion question.
        let question = &p
            .group()
            .expect("a group")
            .turns
            .last()
            .expect("a turn")
            .discuss;
        assert!(!question.is_empty());
        let over = std::iter::from_fn(|| events.next(Duration::from_secs(5)))
            .find(|(name, _)| name == "session_over")
            .expect("the end reaches the page");
        assert_eq!(over.1["question"].as_str(), Some(question.as_str()));
    }
}

#[test]
fn the_app_is_told_of_each_join_and_vote_so_a_sleeping_window_can_wake() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (server, addr) = start("");
    let told = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&told);
    server.on_change(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let t = token(&http::join(addr, &server.code(), None));
    assert_eq!(told.load(Ordering::SeqCst), 1, "a join");
    server.open_vote(1, "Rosa", "…", options()).expect("opens");
    assert_eq!(http::vote(addr, &t, 1, 2).status, 200);
    assert_eq!(told.load(Ordering::SeqCst), 2, "a vote");
    // A refused request changes nothing on the projector: no call.
    assert_eq!(http::vote(addr, &t, 1, 9).status, 422);
    assert_eq!(http::join(addr, "AAAAAA", None).status, 403);
    assert_eq!(told.load(Ordering::SeqCst), 2);
}
