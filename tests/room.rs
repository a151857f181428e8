//! The classroom room's rules (`core::room`), without a network: joining,
//! voting, changing a vote, closing, the limits, and the student page.

use ipt_trainer::core::group::VoteOutcome;
use ipt_trainer::core::room::{
    self, ControlError, MAX_DEVICES, Refusal, Room, RoomEvent, parse_join, parse_vote,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn room(seed: u64) -> Room {
    Room::open(ChaCha8Rng::seed_from_u64(seed), 0)
}

fn options(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("Option {i}")).collect()
}

/// A room with `n` devices joined (at well-spaced times, so no limit is
/// hit) and a vote open at point 1 with three options.
fn voting(n: usize) -> (Room, Vec<String>) {
    let mut r = room(7);
    let code = r.code().to_string();
    let tokens = (0..n)
        .map(|i| r.join(&code, None, i as u64 * 10).expect("joins").token)
        .collect();
    r.open_vote(1, "Rosa", "I don't know where to start.", options(3))
        .expect("opens");
    (r, tokens)
}

#[test]
fn a_join_code_is_six_unambiguous_letters_and_each_room_has_its_own() {
    let mut a = room(1);
    let b = room(2);
    assert_eq!(a.code().len(), room::CODE_LEN);
    for c in a.code().bytes() {
        assert!(room::CODE_ALPHABET.contains(&c), "{}", a.code());
        assert!(!b"0O1I".contains(&c));
    }
    assert_ne!(a.code(), b.code());
    let c = a.next(0);
    assert_ne!(c.code(), a.code());
    let mut seen = std::collections::BTreeSet::new();
    let mut r = room(3);
    for _ in 0..200 {
        let n = r.next(0);
        assert!(seen.insert(n.code().to_string()), "a code came back");
        r = n;
    }
}

#[test]
fn the_right_code_joins_and_a_wrong_one_is_refused_in_words_a_student_understands() {
    let mut r = room(1);
    let code = r.code().to_string();
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    let err = r.join(wrong, Some("Sam"), 0).unwrap_err();
    assert_eq!(err, Refusal::WrongCode);
    assert_eq!(
        err.to_string(),
        "That join code is not this room's. Check the code on the projector."
    );
    assert_eq!(err.status(), 403);
    assert!(err.body().contains("\"error\":\"wrong_code\""));
    assert_eq!(r.joined(), 0);

    // Typed in lower case with a space, as a phone keyboard may.
    let typed = format!("{} {}", &code[..3], &code[3..]).to_lowercase();
    let j = r.join(&typed, Some("  Sam "), 0).expect("joins");
    assert_eq!(j.pseudonym, "Sam");
    assert_eq!(j.token.len(), 32);
    assert!(j.token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(j.event, RoomEvent::Waiting);
    assert_eq!(r.joined(), 1);
}

#[test]
fn names_are_cleaned_and_made_unique_and_tokens_differ() {
    let mut r = room(4);
    let code = r.code().to_string();
    let a = r.join(&code, Some("Sam"), 0).unwrap();
    let b = r.join(&code, Some("sam"), 0).unwrap();
    let c = r.join(&code, Some("Sam\u{202E}\u{0}"), 0).unwrap();
    let d = r.join(&code, None, 0).unwrap();
    let e = r.join(&code, Some("   "), 0).unwrap();
    let f = r.join(&code, Some(&"Z".repeat(500)), 0).unwrap();
    assert_eq!(a.pseudonym, "Sam");
    assert_eq!(b.pseudonym, "sam (2)");
    assert_eq!(c.pseudonym, "Sam (3)");
    assert_eq!(d.pseudonym, "Student 4");
    assert_eq!(e.pseudonym, "Student 5");
    assert_eq!(f.pseudonym.chars().count(), room::MAX_NAME_CHARS);
    let tokens: std::collections::BTreeSet<_> =
        [&a, &b, &c, &d, &e, &f].iter().map(|j| &j.token).collect();
    assert_eq!(tokens.len(), 6);
    let rec = r.record();
    assert!(rec[0].named && !rec[3].named);
}

#[test]
fn a_room_takes_at_most_its_cap_of_devices() {
    let mut r = room(5);
    let code = r.code().to_string();
    for i in 0..MAX_DEVICES {
        r.join(&code, None, i as u64 * 10).expect("room for it");
    }
    let err = r.join(&code, None, 1_000_000).unwrap_err();
    assert_eq!(err, Refusal::RoomFull);
    assert_eq!(r.joined(), MAX_DEVICES);
}

#[test]
fn a_vote_a_changed_vote_and_a_duplicate_count_once() {
    let (mut r, t) = voting(3);
    let first = r.vote(&t[0], 1, 2, 1000).unwrap();
    assert_eq!(first.previous, None);
    assert_eq!(r.tally().counts(), [0, 1, 0]);
    let changed = r.vote(&t[0], 1, 3, 1100).unwrap();
    assert_eq!(changed.previous, Some(2));
    assert_eq!(r.tally().counts(), [0, 0, 1]);
    let duplicate = r.vote(&t[0], 1, 3, 1200).unwrap();
    assert_eq!(duplicate.previous, Some(3));
    assert_eq!(r.tally().counts(), [0, 0, 1]);
    assert_eq!(r.my_vote(&t[0]), Some(3));
    r.vote(&t[1], 1, 3, 1300).unwrap();
    let p = r.projector();
    assert_eq!((p.joined, p.voted, p.open), (3, 2, true));
    assert_eq!(p.counts, [0, 0, 2]);
    assert_eq!(p.shares, [0.0, 0.0, 1.0]);
    let (tally, event) = r.close_vote().unwrap();
    assert_eq!(tally.total(), 2, "one vote per device that voted");
    assert_eq!(tally.outcome(), VoteOutcome::Majority(3));
    assert_eq!(event, RoomEvent::VoteClosed { point: 1 });
}

#[test]
fn late_wrong_and_out_of_range_votes_are_refused_and_change_nothing() {
    let (mut r, t) = voting(2);
    assert_eq!(r.vote(&t[0], 1, 0, 1000), Err(Refusal::NoSuchOption));
    assert_eq!(r.vote(&t[0], 1, 4, 1000), Err(Refusal::NoSuchOption));
    assert_eq!(r.vote(&t[0], 2, 1, 1000), Err(Refusal::WrongPoint));
    assert_eq!(
        r.vote(&"0".repeat(32), 1, 1, 1000),
        Err(Refusal::UnknownToken)
    );
    r.vote(&t[0], 1, 1, 1000).unwrap();
    r.close_vote().unwrap();
    assert_eq!(r.vote(&t[1], 1, 2, 2000), Err(Refusal::Late));
    assert_eq!(r.vote(&t[0], 1, 2, 2000), Err(Refusal::Late));
    assert_eq!(r.tally().counts(), [1, 0, 0]);
    r.open_vote(2, "Rosa", "Next.", options(2)).unwrap();
    assert_eq!(r.vote(&t[1], 1, 2, 3000), Err(Refusal::Late));
    assert_eq!(r.tally().counts(), [0, 0]);
    let rec = r.record();
    assert_eq!(rec[0].votes.len(), 1);
    assert!(rec[1].votes.is_empty());
}

#[test]
fn the_tutor_adds_hand_counts_to_the_devices_votes() {
    let (mut r, t) = voting(2);
    r.vote(&t[0], 1, 1, 1000).unwrap();
    r.vote(&t[1], 1, 2, 1000).unwrap();
    r.set_hand_count(2, 3).unwrap();
    let (tally, _) = r.close_vote().unwrap();
    assert_eq!(tally.counts(), [1, 4, 0]);
    assert_eq!(r.device_tally().counts(), [1, 1, 0]);
    // After the vote closes the tutor can still type counts in.
    assert_eq!(r.set_hand_count(1, 5).unwrap().counts(), [6, 4, 0]);
    assert_eq!(r.set_hand_count(4, 1), Err(ControlError::NoSuchOption(4)));
    assert_eq!(r.tally().outcome(), VoteOutcome::Majority(1));
}

#[test]
fn the_tutors_mistakes_are_errors_not_panics() {
    let (mut r, _) = voting(1);
    assert_eq!(
        r.open_vote(2, "", "", options(2)),
        Err(ControlError::VoteOpen(1))
    );
    r.close_vote().unwrap();
    assert_eq!(r.close_vote().unwrap_err(), ControlError::NoVoteOpen);
    assert_eq!(
        r.open_vote(1, "", "", options(2)),
        Err(ControlError::PointUsed(1))
    );
    assert_eq!(
        r.open_vote(2, "", "", vec![]),
        Err(ControlError::Options(0))
    );
    let e = r.open_vote(2, "Rosa", "Hello", options(2)).unwrap();
    assert_eq!(
        e,
        RoomEvent::Choice {
            point: 2,
            client: "Rosa".into(),
            line: "Hello".into(),
            options: options(2)
        }
    );
}

#[test]
fn a_closed_room_refuses_everything_even_a_replayed_token() {
    let (mut r, t) = voting(2);
    let code = r.code().to_string();
    r.vote(&t[0], 1, 2, 1000).unwrap();
    let e = r.close_room("What did Rosa need from you?");
    assert_eq!(
        e,
        RoomEvent::SessionOver {
            question: "What did Rosa need from you?".into()
        }
    );
    assert_eq!(r.vote(&t[0], 1, 2, 2000), Err(Refusal::RoomClosed));
    assert_eq!(r.stream(&t[0], 2000), Err(Refusal::RoomClosed));
    assert_eq!(r.join(&code, None, 2000).unwrap_err(), Refusal::RoomClosed);
    assert_eq!(
        r.open_vote(2, "", "", options(2)),
        Err(ControlError::Closed)
    );
    assert_eq!(r.current_event(), e);
    assert_eq!(r.record()[0].votes[0].option, 2);
    // The next room has another code, and the old tokens mean nothing there.
    let mut next = r.next(3000);
    assert_ne!(next.code(), code);
    next.open_vote(1, "", "", options(2)).unwrap();
    assert_eq!(next.vote(&t[0], 1, 1, 3000), Err(Refusal::UnknownToken));
}

#[test]
fn a_burst_of_a_thousand_requests_in_a_second_is_cut_off_and_the_device_is_heard_again_later() {
    let (mut r, t) = voting(2);
    let mut accepted = 0;
    for i in 0..1000u64 {
        match r.vote(&t[0], 1, 1 + (i % 3) as usize, 1000 + i) {
            Ok(_) => accepted += 1,
            Err(e) => assert_eq!(e, Refusal::TooFast),
        }
    }
    // The burst of 10, then 5 a second.
    assert!((10..=16).contains(&accepted), "{accepted} accepted");
    assert_eq!(r.tally().total(), 1, "still one device, one vote");
    // The flood did not shut the room to anyone else…
    r.vote(&t[1], 1, 2, 1999)
        .expect("another device is not held up");
    // …and the device itself is heard again a little later.
    r.vote(&t[0], 1, 3, 4000).expect("heard again");
    assert_eq!(r.tally().counts(), [0, 1, 1]);
    assert_eq!(Refusal::TooFast.status(), 429);
}

#[test]
fn guessing_codes_or_tokens_is_slowed_for_the_whole_room() {
    let mut r = room(9);
    let code = r.code().to_string();
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    let refused: Vec<_> = (0..100)
        .map(|i| r.join(wrong, None, i).unwrap_err())
        .collect();
    assert!(refused[..20].iter().all(|e| *e == Refusal::WrongCode));
    assert!(refused[30..].iter().all(|e| *e == Refusal::TooManyGuesses));
    // While guesses pour in, the right code waits too (else the refusals
    // would tell a guesser when it was right)…
    assert_eq!(r.join(&code, None, 100), Err(Refusal::TooManyGuesses));
    // …and joins again once they stop.
    r.join(&code, None, 2000).expect("joins after the flood");
    for i in 0..40 {
        let _ = r.vote(&format!("{i:032x}"), 1, 1, 3000);
    }
    assert_eq!(
        r.vote(&"f".repeat(32), 1, 1, 3000),
        Err(Refusal::TooManyGuesses)
    );
}

#[test]
fn event_streams_are_limited_per_device() {
    let (mut r, t) = voting(1);
    assert!(matches!(
        r.stream(&t[0], 1000),
        Ok(RoomEvent::Choice { .. })
    ));
    r.stream(&t[0], 1000).unwrap();
    assert_eq!(r.stream(&t[0], 1000), Err(Refusal::TooManyStreams));
    r.stream_ended(&t[0]);
    r.stream(&t[0], 1000).expect("one ended, one may open");
}

#[test]
fn request_bodies_are_read_within_their_limits() {
    let j = parse_join(br#"{"code":"abc234","name":"Sam"}"#).unwrap();
    assert_eq!(
        (j.code.as_str(), j.name.as_deref()),
        ("abc234", Some("Sam"))
    );
    assert!(parse_join(br#"{"code":"ABC234"}"#).unwrap().name.is_none());
    assert_eq!(
        parse_join(br#"{"code":"ABC234","admin":true}"#),
        Err(Refusal::BadRequest)
    );
    assert_eq!(parse_join(b"{not json"), Err(Refusal::BadRequest));
    let long = format!(r#"{{"code":"ABC234","name":"{}"}}"#, "x".repeat(300));
    assert_eq!(parse_join(long.as_bytes()), Err(Refusal::TooLarge));
    let huge = vec![b' '; room::MAX_BODY_BYTES + 1];
    assert_eq!(parse_join(&huge), Err(Refusal::TooLarge));
    let token = "0123456789abcdef0123456789abcdef";
    let v =
        parse_vote(format!(r#"{{"token":"{token}","point":3,"option":2}}"#).as_bytes()).unwrap();
    assert_eq!((v.point, v.option), (3, 2));
    assert_eq!(
        parse_vote(br#"{"token":"../etc","point":3,"option":2}"#),
        Err(Refusal::UnknownToken)
    );
    assert_eq!(
        parse_vote(format!(r#"{{"token":"{token}","point":-1,"option":2}}"#).as_bytes()),
        Err(Refusal::BadRequest)
    );
}

#[test]
fn events_are_json_and_one_server_sent_event_each() {
    let e = RoomEvent::Choice {
        point: 4,
        client: "Rosa".into(),
        line: "Two\nlines".into(),
        options: options(2),
    };
    let sse = e.to_sse();
    assert!(sse.starts_with("event: choice\ndata: {\"type\":\"choice\""));
    assert_eq!(sse.matches('\n').count(), 3, "{sse}");
    let back: RoomEvent = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(back, e);
    assert_eq!(RoomEvent::Waiting.to_json(), r#"{"type":"waiting"}"#);
}

#[derive(Debug, Clone)]
enum Act {
    Vote {
        device: usize,
        option: usize,
        dt: u64,
    },
    Join {
        dt: u64,
    },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        8 => (0usize..12, 0usize..6, 0u64..400).prop_map(|(device, option, dt)| Act::Vote { device, option, dt }),
        1 => (0u64..400).prop_map(|dt| Act::Join { dt }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the votes, changes, refusals and joins, each device is
    /// counted at most once, and for its last accepted vote.
    #[test]
    fn any_sequence_of_votes_counts_each_device_at_most_once(
        acts in proptest::collection::vec(act(), 0..300),
        start in 1usize..6,
    ) {
        let mut r = room(11);
        let code = r.code().to_string();
        let mut now = 0;
        let mut tokens: Vec<String> = (0..start)
            .map(|_| r.join(&code, None, now).unwrap().token)
            .collect();
        r.open_vote(1, "", "", options(4)).unwrap();
        let mut last: Vec<Option<usize>> = vec![None; tokens.len()];
        for a in acts {
            match a {
                Act::Join { dt } => {
                    now += dt;
                    if let Ok(j) = r.join(&code, None, now) {
                        tokens.push(j.token);
                        last.push(None);
                    }
                }
                Act::Vote { device, option, dt } => {
                    now += dt;
                    let d = device % tokens.len();
                    if r.vote(&tokens[d], 1, option, now).is_ok() {
                        last[d] = Some(option);
                    }
                }
            }
            let t = r.tally();
            let voted = last.iter().filter(|v| v.is_some()).count();
            prop_assert_eq!(t.total() as usize, voted);
            prop_assert_eq!(r.projector().voted, voted);
        }
        let (t, _) = r.close_vote().unwrap();
        for o in 1..=4 {
            let n = last.iter().filter(|v| **v == Some(o)).count();
            prop_assert_eq!(t.counts()[o - 1] as usize, n);
        }
        for (d, rec) in r.record().iter().enumerate() {
            prop_assert!(rec.votes.len() <= 1);
            prop_assert_eq!(rec.votes.first().map(|v| v.option), last[d]);
        }
    }
}

#[test]
fn a_device_that_lost_its_stream_gets_the_state_and_its_vote() {
    let (mut r, t) = voting(1);
    r.vote(&t[0], 1, 2, 1000).unwrap();
    let s = r.state(&t[0], 1100).unwrap();
    assert!(matches!(s.event, RoomEvent::Choice { point: 1, .. }));
    assert_eq!(s.your_vote, Some(2));
    let body = format!(r#"{{"token":"{}"}}"#, t[0]);
    assert_eq!(room::parse_state(body.as_bytes()).unwrap().token, t[0]);
    r.close_vote().unwrap();
    assert_eq!(r.state(&t[0], 1200).unwrap().event, RoomEvent::Waiting);
}

#[test]
fn the_student_page_escapes_names_and_loads_nothing_from_elsewhere() {
    let page = room::page::student_page("<script>alert(1)</script> & Year 2");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<html lang="en">"#));
    assert!(!page.contains("<script>alert"), "the class name is escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Year 2"));
    assert_eq!(page.matches("<script").count(), 1, "one inline script");
    for outside in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!page.contains(outside), "the page has {outside}");
    }
    // What arrives later (pseudonyms, the client's line, options) is set as
    // text, never parsed as HTML.
    for html in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!page.contains(html), "the page uses {html}");
    }
    for needed in [
        r#"<label for="code">"#,
        r#"<label for="name">"#,
        r#"id="line" aria-live="polite""#,
        r#"name="viewport" content="width=device-width, initial-scale=1""#,
        "EventSource",
        "/api/join",
        "/api/vote",
        "/api/events?token=",
        "/api/state",
        "Waiting for the next choice point.",
        "You can change it until the tutor closes the vote.",
        "min-height:48px",
        room::page::PAGE_CSP,
    ] {
        assert!(page.contains(needed), "the page lacks {needed}");
    }
    // The page is small (light on a phone's data).
    assert!(page.len() < 16 * 1024, "{} bytes", page.len());
}
