//! One practice engine for the app and the command line: what a move does
//! to a group, when a record exists, what retry and resume keep, and the
//! command line's `play` on the same rules.

use crate::common::{fixture, guidance, root, scenario};
use ipt_trainer::core::group::{GroupMode, GroupPlay, NotYet, Roster};
use ipt_trainer::core::practice::{Input, Mode, PlayError, Practice};
use ipt_trainer::core::session::SessionError;
use std::process::Command;

fn small() -> std::sync::Arc<ipt_trainer::core::model::Scenario> {
    scenario(&fixture("valid/small.ron"))
}

#[test]
fn a_hot_seat_move_that_fails_changes_nothing() {
    let g = GroupPlay::new(GroupMode::HotSeat, "3C", Roster::parse("Ana\nBen"));
    let mut p = Practice::start(small(), guidance(), 5, Mode::Coach, Some(g)).expect("starts");
    p.play(Input::Choose(1)).expect("Ana moves");
    let before = p.group().cloned();
    let err = p.play(Input::Choose(9)).expect_err("there is no option 9");
    assert_eq!(err, PlayError::Group(NotYet::NoSuchOption));
    assert_eq!(p.group().cloned(), before, "the seat stays with Ben");
    assert_eq!(p.session().turns().len(), 1);
    let played = p.play(Input::Choose(1)).expect("Ben moves");
    assert_eq!(played.by.as_deref(), Some("Ben"));
}

#[test]
fn a_class_vote_plays_only_when_decided_and_notes_the_split_once() {
    let g = GroupPlay::new(GroupMode::ClassVote, "", Roster::default());
    let mut p = Practice::start(small(), guidance(), 5, Mode::Coach, Some(g)).expect("starts");
    assert_eq!(p.mode(), Mode::Assessment, "a group sees no live meters");
    assert_eq!(
        p.play(Input::CloseVote(None)),
        Err(PlayError::Group(NotYet::NoVotes))
    );
    assert_eq!(p.play(Input::Choose(1)), Err(PlayError::VoteExpected));
    let tally = &mut p.group_mut().expect("group").tally;
    tally.set(1, 3);
    tally.set(2, 3);
    assert_eq!(
        p.play(Input::CloseVote(None)),
        Err(PlayError::Group(NotYet::Tie(vec![1, 2])))
    );
    assert!(p.group().expect("group").turns.is_empty());
    p.play(Input::CloseVote(Some(2))).expect("the tutor's pick");
    let g = p.group().expect("group");
    assert_eq!(g.turns.len(), 1);
    assert!(g.turns[0].tutor_pick);
    assert_eq!(g.tally.total(), 0, "a fresh tally for the next point");
    // The split is noted beside the rubric's view of each option, as the
    // session saw it when the votes were cast.
    let votes: Vec<u32> = g.turns[0].votes.iter().map(|v| v.votes).collect();
    assert_eq!(&votes[..2], [3, 3]);
    assert!(g.turns[0].votes.iter().all(|v| !v.why.is_empty()));
}

#[test]
fn solo_play_refuses_a_vote() {
    let mut p = Practice::start(small(), guidance(), 5, Mode::Coach, None).expect("starts");
    assert_eq!(p.play(Input::CloseVote(Some(1))), Err(PlayError::NotAVote));
    assert_eq!(
        p.play(Input::Choose(0)),
        Err(PlayError::Session(SessionError::NoSuchOption {
            given: 0,
            available: 3
        }))
    );
}

#[test]
fn nothing_is_recorded_before_the_first_move() {
    let mut p = Practice::start(small(), guidance(), 5, Mode::Assessment, None).expect("starts");
    assert!(p.finish("Sam").is_none());
    assert!(p.in_progress().is_some(), "a fresh session can be resumed");
    p.play(Input::Choose(1)).expect("a move");
    let r = p.finish("  Sam ").expect("one move is worth a record");
    assert_eq!(r.trainee, "Sam");
    assert!(!r.coach_mode, "assessment mode is recorded as such");
    assert_eq!(r.debrief.turns.len(), 1);
}

#[test]
fn a_retry_keeps_the_turns_before_it_and_the_seat() {
    let g = GroupPlay::new(GroupMode::HotSeat, "", Roster::parse("Ana, Ben, Chi"));
    let mut p = Practice::start(small(), guidance(), 8, Mode::Coach, Some(g)).expect("starts");
    while !p.session().is_ended() {
        p.play(Input::Choose(1)).expect("a move");
    }
    let r = p.retry_from(2).expect("turn 2 exists");
    assert_eq!(r.session().turns().len(), 1);
    assert_eq!(r.replayed(), 1);
    let g = r.group().expect("group");
    assert_eq!(g.turns.len(), 1);
    assert_eq!(g.roster.current(), Some("Ben"));
    assert_eq!(
        r.session().turns()[0],
        p.session().turns()[0],
        "the same client"
    );
    assert!(p.retry_from(9).is_err());
    assert!(
        p.in_progress().is_none(),
        "an ended session is not resumable"
    );
}

#[test]
fn skipping_passes_the_seat_on_without_a_move() {
    let g = GroupPlay::new(GroupMode::HotSeat, "", Roster::parse("Ana, Ben, Chi"));
    let mut p = Practice::start(small(), guidance(), 8, Mode::Coach, Some(g)).expect("starts");
    let g = p.group_mut().expect("group");
    assert_eq!(g.skip().as_deref(), Some("Ana"));
    assert_eq!(g.roster.current(), Some("Ben"));
    assert_eq!(p.session().turns().len(), 0, "a skip makes no move");
    assert_eq!(
        p.play(Input::Choose(1)).expect("a move").by.as_deref(),
        Some("Ben")
    );
    assert_eq!(
        p.play(Input::Choose(1)).expect("a move").by.as_deref(),
        Some("Chi")
    );
    let g = p.group().expect("group");
    assert_eq!(g.roster.current(), Some("Ana"), "round to the first name");
    let skips = &g.record().skips;
    assert_eq!(skips.len(), 1);
    assert_eq!((skips[0].turn, skips[0].who.as_str()), (1, "Ana"));
    let mut vote = GroupPlay::new(GroupMode::ClassVote, "", Roster::parse("Ana"));
    assert_eq!(vote.skip(), None, "a class vote has no seat");
    assert_eq!(
        GroupPlay::new(GroupMode::HotSeat, "", Roster::default()).skip(),
        None
    );
}

#[test]
fn a_retry_after_a_skip_gives_the_turn_back_to_who_made_it() {
    let g = GroupPlay::new(GroupMode::HotSeat, "", Roster::parse("Ana, Ben, Chi"));
    let mut p = Practice::start(small(), guidance(), 8, Mode::Coach, Some(g)).expect("starts");
    p.play(Input::Choose(1)).expect("Ana moves");
    p.group_mut().expect("group").skip();
    assert_eq!(
        p.play(Input::Choose(1)).expect("a move").by.as_deref(),
        Some("Chi")
    );
    // turns % names would give the seat to Ben: it was Chi's move.
    let r = p.retry_from(2).expect("turn 2 exists");
    let g = r.group().expect("group");
    assert_eq!(g.turns.len(), 1);
    assert_eq!(g.roster.current(), Some("Chi"));
    assert_eq!(g.skips.len(), 1, "Ben stays passed over");
    // Back to the start: no move yet, nobody passed over, the first name.
    let r = p.retry_from(1).expect("turn 1 exists");
    let g = r.group().expect("group");
    assert!(g.skips.is_empty());
    assert_eq!(g.roster.current(), Some("Ana"));
}

#[test]
fn a_session_resumed_after_skips_keeps_the_seat() {
    let g = GroupPlay::new(GroupMode::HotSeat, "", Roster::parse("Ana, Ben, Chi"));
    let mut p = Practice::start(small(), guidance(), 8, Mode::Coach, Some(g)).expect("starts");
    p.play(Input::Choose(1)).expect("Ana moves");
    p.group_mut().expect("group").skip();
    p.play(Input::Choose(1)).expect("Chi moves");
    let saved = p.in_progress().expect("in progress");
    let (resumed, _) = Practice::resume(&saved, small(), guidance()).expect("resumes");
    assert_eq!(
        resumed.group().expect("group").roster.current(),
        Some("Ana")
    );
    // A skip after the last move counts too.
    p.group_mut().expect("group").skip();
    let saved = p.in_progress().expect("in progress");
    let (mut resumed, _) = Practice::resume(&saved, small(), guidance()).expect("resumes");
    assert_eq!(
        resumed.group().expect("group").roster.current(),
        Some("Ben")
    );
    let played = resumed.play(Input::Choose(1)).expect("Ben moves");
    assert_eq!(played.by.as_deref(), Some("Ben"));
}

#[test]
fn resume_replays_what_still_fits_a_changed_scenario() {
    let mut p = Practice::start(small(), guidance(), 5, Mode::Coach, None).expect("starts");
    p.play(Input::Choose(1)).expect("a move");
    p.play(Input::Choose(1)).expect("a move");
    let saved = p.in_progress().expect("in progress");

    let (same, note) = Practice::resume(&saved, small(), guidance()).expect("resumes");
    assert_eq!(same.session().turns(), p.session().turns());
    assert!(!note.scenario_changed);
    assert_eq!(note.dropped_moves, 0);

    // The second node loses all but one option: the saved second move no
    // longer exists (unless it was that one), and is dropped, not fatal.
    let mut edited = (*small()).clone();
    let second = edited
        .nodes
        .iter_mut()
        .find(|n| n.id == "loss")
        .expect("node");
    second.options.truncate(1);
    let (resumed, note) =
        Practice::resume(&saved, std::sync::Arc::new(edited), guidance()).expect("resumes");
    assert!(note.scenario_changed);
    assert_eq!(resumed.session().turns().len() + note.dropped_moves, 2);
}

fn play_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

#[test]
fn cli_play_records_coach_mode_unless_asked_for_assessment() {
    let f = fixture("valid/small.ron");
    let dir = tempfile::tempdir().expect("tmp");
    for (extra, coach, feedback_shown) in [(None, true, true), (Some("--assessment"), false, false)]
    {
        let rec = dir.path().join(format!("r-{coach}.json"));
        let mut args = vec![
            "play",
            f.to_str().expect("utf8"),
            "--seed",
            "3",
            "--choices",
            "1,1,1",
            "--record",
            rec.to_str().expect("utf8"),
        ];
        args.extend(extra);
        let out = play_cli(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let (session, debrief) = stdout.split_once("== Debrief").expect("a debrief");
        assert_eq!(
            session.contains("    client: "),
            feedback_shown,
            "feedback after each move only in coach mode:\n{session}"
        );
        assert!(debrief.contains("Turn by turn:"), "{debrief}");
        let r = ipt_trainer::core::store::read_record(&rec).expect("a record");
        assert_eq!(r.coach_mode, coach);
    }
}

#[test]
fn cli_play_writes_no_record_when_quit_before_any_move() {
    use std::io::Write;
    let f = fixture("valid/small.ron");
    let dir = tempfile::tempdir().expect("tmp");
    let rec = dir.path().join("r.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipt-trainer"))
        .args(["play", f.to_str().expect("utf8"), "--record"])
        .arg(&rec)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"q\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(!rec.exists(), "no record of a session with no moves");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no record was written"), "{err}");
}

#[test]
fn cli_play_refuses_choices_left_over_after_the_ending() {
    let f = fixture("valid/small.ron");
    let out = play_cli(&[
        "play",
        f.to_str().expect("utf8"),
        "--seed",
        "3",
        "--choices",
        "1,1,1,2,3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ended after 3 moves, but 2 more choices were given (2,3)"),
        "{err}"
    );
}
