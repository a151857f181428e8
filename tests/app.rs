//! The app without a window: screen flow driven by injected actions, with
//! assertions on the resources; hot reload; views tested with `egui_kittest`.

use crate::common::{guidance, root};
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use ipt_trainer::app::assets::{BUNDLED_SOURCE, Catalog, TUTOR_SOURCE};
use ipt_trainer::app::{
    GroupSetup, Practising, Prefs, Screen, UiAction, Viewing, add_logic, register_scenario_sources,
};
use ipt_trainer::core::group::GroupMode;
use ipt_trainer::core::store::{Settings, Store};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn headless(roots: Vec<(String, PathBuf)>, data: &std::path::Path) -> App {
    let mut app = App::new();
    register_scenario_sources(&mut app, &roots);
    app.add_plugins((
        MinimalPlugins,
        StatesPlugin,
        AssetPlugin {
            meta_check: bevy::asset::AssetMetaCheck::Never,
            watch_for_changes_override: Some(false),
            ..default()
        },
    ));
    app.insert_resource(Prefs {
        settings: Settings::default(),
        store: Store::new(data),
    });
    add_logic(&mut app, roots, guidance());
    app
}

fn update_until(app: &mut App, what: &str, mut done: impl FnMut(&mut App) -> bool) {
    let start = Instant::now();
    while !done(app) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        app.update();
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn act(app: &mut App, a: UiAction) {
    app.world_mut().write_message(a);
    app.update();
    app.update();
}

fn screen(app: &App) -> Screen {
    *app.world().resource::<State<Screen>>().get()
}

#[test]
fn library_to_briefing_to_session_to_debrief_and_retry() {
    let data = tempfile::tempdir().expect("tmp");
    let mut app = headless(
        vec![(BUNDLED_SOURCE.into(), root().join("scenarios"))],
        data.path(),
    );
    update_until(&mut app, "the bundled scenarios", |a| {
        a.world().resource::<Catalog>().entries.len() >= 8
    });
    assert_eq!(screen(&app), Screen::Library);
    assert!(
        app.world()
            .resource::<Catalog>()
            .entries
            .iter()
            .all(|e| !e.has_errors())
    );

    act(&mut app, UiAction::Select("grief-initial-rosa".into()));
    assert_eq!(screen(&app), Screen::Briefing);
    act(&mut app, UiAction::SetCoach(false));
    act(&mut app, UiAction::Start);
    assert_eq!(screen(&app), Screen::Session);
    {
        let p = app.world().resource::<Practising>();
        assert!(!p.coach(), "assessment mode was chosen");
        assert_eq!(
            p.session().map(|s| s.scenario().id.as_str()),
            Some("grief-initial-rosa")
        );
    }
    // The session in progress is saved after every move.
    act(&mut app, UiAction::Choose(1));
    let saved = Store::new(data.path())
        .load_in_progress()
        .0
        .expect("saved after a move");
    assert_eq!(saved.positions, vec![1]);

    let mut moves = 1;
    while screen(&app) == Screen::Session {
        act(&mut app, UiAction::Choose(1));
        moves += 1;
        assert!(moves < 60, "no ending");
    }
    assert_eq!(screen(&app), Screen::Debrief);
    let d = app
        .world()
        .resource::<Viewing>()
        .debrief
        .clone()
        .expect("a debrief");
    assert_eq!(d.turns.len(), moves);
    // The attempt is recorded and the in-progress file cleared.
    let store = Store::new(data.path());
    assert_eq!(store.load_attempts().0.len(), 1);
    assert!(store.load_in_progress().0.is_none());

    act(&mut app, UiAction::RetryFrom(2));
    assert_eq!(screen(&app), Screen::Session);
    let turns = app
        .world()
        .resource::<Practising>()
        .session()
        .map(|s| s.turns().len());
    assert_eq!(turns, Some(1), "rewound to just before turn 2");
    // The retried attempt's record says its first move repeats the first
    // attempt's, so a class report counts it once.
    let mut moves = 0;
    while screen(&app) == Screen::Session {
        act(&mut app, UiAction::Choose(2));
        moves += 1;
        assert!(moves < 60, "no ending");
    }
    let records = Store::new(data.path()).load_attempts().0;
    assert_eq!(
        records.len(),
        2,
        "the retry is kept beside the first attempt"
    );
    let mut replayed: Vec<usize> = records.iter().map(|r| r.replayed_turns).collect();
    replayed.sort_unstable();
    assert_eq!(replayed, [0, 1]);
}

fn bundled_app(data: &std::path::Path) -> App {
    let mut app = headless(
        vec![(BUNDLED_SOURCE.into(), root().join("scenarios"))],
        data,
    );
    update_until(&mut app, "the bundled scenarios", |a| {
        a.world().resource::<Catalog>().entries.len() >= 8
    });
    app
}

fn turns(app: &App) -> usize {
    app.world()
        .resource::<Practising>()
        .session()
        .map_or(0, |s| s.turns().len())
}

#[test]
fn a_class_vote_plays_the_majority_and_the_tutor_breaks_ties() {
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    act(&mut app, UiAction::Select("grief-initial-rosa".into()));
    act(
        &mut app,
        UiAction::SetGroup(GroupSetup {
            mode: Some(GroupMode::ClassVote),
            name: "Seminar B".into(),
            ..GroupSetup::default()
        }),
    );
    act(&mut app, UiAction::Start);
    assert_eq!(screen(&app), Screen::Session);
    {
        let p = app.world().resource::<Practising>();
        assert!(!p.coach(), "meters stay hidden from a group");
        assert!(p.presenter);
    }

    // Votes in: 3 for option 2, 1 for option 1 (one mistyped and taken back).
    for a in [
        UiAction::Vote(2, 1),
        UiAction::Vote(1, 1),
        UiAction::Vote(2, 1),
        UiAction::Vote(3, 1),
        UiAction::Vote(3, -1),
        UiAction::Vote(2, 1),
    ] {
        act(&mut app, a);
    }
    let expected_option = {
        let p = app.world().resource::<Practising>();
        let prompt = p.session().and_then(|s| s.prompt()).expect("a prompt");
        prompt.options[1].index
    };
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 1, "the majority's move was played");
    {
        let p = app.world().resource::<Practising>();
        let s = p.session().expect("session");
        assert_eq!(s.turns()[0].option, expected_option);
        let g = p.practice.as_ref().and_then(|p| p.group()).expect("group");
        let votes: Vec<u32> = g.turns[0].votes.iter().map(|v| v.votes).collect();
        assert_eq!(&votes[..3], [1, 3, 0]);
        assert!(!g.turns[0].tutor_pick);
        assert!(!g.turns[0].discuss.is_empty(), "a question to discuss");
        assert_eq!(
            g.tally.total(),
            0,
            "a fresh tally for the next choice point"
        );
    }

    // A tie plays nothing until the tutor picks.
    act(&mut app, UiAction::Vote(1, 1));
    act(&mut app, UiAction::Vote(2, 1));
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 1, "a tie waits for the tutor");
    act(&mut app, UiAction::PlayVote(Some(2)));
    assert_eq!(turns(&app), 2);
    assert!(
        app.world()
            .resource::<Practising>()
            .practice
            .as_ref()
            .and_then(|p| p.group())
            .expect("group")
            .turns[1]
            .tutor_pick
    );

    // No votes: nothing happens.
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 2);
    // A show of hands typed in at once: 12 for option 2, 5 for option 1.
    act(&mut app, UiAction::SetVotes(2, 12));
    act(&mut app, UiAction::SetVotes(1, 5));
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 3);
    {
        let g = app
            .world()
            .resource::<Practising>()
            .practice
            .as_ref()
            .and_then(|p| p.group())
            .cloned()
            .expect("group");
        let votes: Vec<u32> = g.turns[2].votes.iter().map(|v| v.votes).collect();
        assert_eq!(&votes[..2], [5, 12]);
    }

    // Play to the end on the tutor's picks; the record carries the votes.
    let mut n = 0;
    while screen(&app) == Screen::Session {
        act(&mut app, UiAction::PlayVote(Some(1)));
        n += 1;
        assert!(n < 60, "no ending");
    }
    let record = app
        .world()
        .resource::<Viewing>()
        .record
        .clone()
        .expect("a record");
    assert_eq!(record.trainee, "Seminar B");
    let group = record.group.expect("the group part");
    assert_eq!(group.mode, GroupMode::ClassVote);
    assert_eq!(group.turns.len(), record.debrief.turns.len());
    let saved = Store::new(data.path()).load_attempts().0;
    assert_eq!(saved.len(), 1);
    assert!(saved[0].group.is_some(), "the saved record has the votes");
}

#[test]
fn a_class_vote_on_devices_serves_the_room_counts_the_phones_with_the_hands_and_keeps_each_vote() {
    use crate::http;
    use ipt_trainer::app::room::ClassRoom;
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    act(&mut app, UiAction::Select("grief-initial-rosa".into()));
    assert!(
        app.world().resource::<ClassRoom>().live.is_none(),
        "nothing listens before the tutor asks"
    );
    act(
        &mut app,
        UiAction::SetGroup(GroupSetup {
            mode: Some(GroupMode::ClassVote),
            name: "Seminar B".into(),
            devices: true,
            network: Some(std::net::Ipv4Addr::LOCALHOST.into()),
            port: 0,
            ..GroupSetup::default()
        }),
    );
    act(&mut app, UiAction::Start);
    assert_eq!(screen(&app), Screen::Session);
    let (addr, code) = {
        let room = app.world().resource::<ClassRoom>();
        let live = room.live.as_ref().expect("the room is open");
        let view = live.view();
        assert!(view.qr.is_some(), "a QR code to show");
        (live.server().addr(), view.projector.code.clone())
    };
    let join = |name: &str| {
        let r = http::join(addr, &code, Some(name));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["token"].as_str().expect("a token").to_string()
    };
    let (ana, ben) = (join("Ana"), join("Ben"));
    let point = |app: &App| {
        app.world()
            .resource::<ClassRoom>()
            .live
            .as_ref()
            .and_then(|l| l.view().projector.point)
            .expect("a choice point is open on the phones")
    };
    let first = point(&app);
    assert_eq!(http::vote(addr, &ana, first, 3).status, 200);
    assert_eq!(http::vote(addr, &ben, first, 3).status, 200);
    app.update();
    let group = |app: &App| {
        app.world()
            .resource::<Practising>()
            .practice
            .as_ref()
            .and_then(|p| p.group())
            .cloned()
            .expect("group")
    };
    assert_eq!(group(&app).votes().counts()[..3], [0, 0, 2]);
    // One student without a phone votes by hand for option 1: the phones
    // still have the majority.
    act(&mut app, UiAction::SetVotes(1, 1));
    assert_eq!(group(&app).votes().counts()[..3], [1, 0, 2]);
    let expected = {
        let p = app.world().resource::<Practising>();
        p.session()
            .and_then(|s| s.prompt())
            .expect("a prompt")
            .options[2]
            .index
    };
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 1);
    {
        let p = app.world().resource::<Practising>();
        assert_eq!(p.session().expect("session").turns()[0].option, expected);
    }
    let g = group(&app);
    let votes: Vec<u32> = g.turns[0].votes.iter().map(|v| v.votes).collect();
    assert_eq!(&votes[..3], [1, 0, 2]);
    assert_eq!(g.devices.len(), 2, "each device's vote is kept");
    assert!(g.devices.iter().all(|d| d.votes[0].option == 3));

    // The next choice point opens on the phones; the tutor closes it with
    // no votes, opens it again, and Ben's vote plays.
    let second = point(&app);
    assert_ne!(second, first);
    act(&mut app, UiAction::CloseDeviceVote);
    let refused = http::vote(addr, &ben, second, 1);
    assert_eq!(refused.status, 409, "{}", refused.body);
    act(&mut app, UiAction::ReopenDeviceVote);
    let third = point(&app);
    assert_eq!(http::vote(addr, &ben, third, 1).status, 200);
    app.update();
    act(&mut app, UiAction::PlayVote(None));
    assert_eq!(turns(&app), 2);

    // Stopping the session closes the room: the phones are refused.
    act(&mut app, UiAction::Finish);
    assert_eq!(screen(&app), Screen::Debrief);
    let gone = http::vote(addr, &ana, third + 1, 1);
    assert_eq!(gone.status, 410, "{}", gone.body);
    let record = app
        .world()
        .resource::<Viewing>()
        .record
        .clone()
        .expect("a record");
    let devices = record.group.expect("the group part").devices;
    let ben_votes: Vec<(u32, usize)> = devices
        .iter()
        .find(|d| d.pseudonym == "Ben")
        .expect("Ben")
        .votes
        .iter()
        .map(|v| (v.point, v.option))
        .collect();
    assert_eq!(
        ben_votes,
        [(1, 3), (2, 1)],
        "by turn, not by the room's point"
    );
}

#[test]
fn the_hot_seat_credits_each_move_and_rotates_the_roster() {
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    act(&mut app, UiAction::Select("deficits-initial-leo".into()));
    // No names: the hot seat cannot start.
    act(
        &mut app,
        UiAction::SetGroup(GroupSetup {
            mode: Some(GroupMode::HotSeat),
            ..GroupSetup::default()
        }),
    );
    act(&mut app, UiAction::Start);
    assert_eq!(screen(&app), Screen::Briefing);

    act(
        &mut app,
        UiAction::SetGroup(GroupSetup {
            mode: Some(GroupMode::HotSeat),
            roster: "Ana\nBen\nChi".into(),
            ..GroupSetup::default()
        }),
    );
    act(&mut app, UiAction::Start);
    assert_eq!(screen(&app), Screen::Session);
    for _ in 0..4 {
        act(&mut app, UiAction::Choose(1));
    }
    {
        let g = app
            .world()
            .resource::<Practising>()
            .practice
            .as_ref()
            .and_then(|p| p.group())
            .cloned()
            .expect("group");
        let by: Vec<&str> = g.turns.iter().filter_map(|t| t.by.as_deref()).collect();
        assert_eq!(by, ["Ana", "Ben", "Chi", "Ana"]);
        assert_eq!(g.roster.current(), Some("Ben"));
    }
    // A retry from turn 3 gives the seat back to whoever made that move.
    act(&mut app, UiAction::RetryFrom(3));
    assert_eq!(turns(&app), 2);
    let g = app
        .world()
        .resource::<Practising>()
        .practice
        .as_ref()
        .and_then(|p| p.group())
        .cloned()
        .expect("group");
    assert_eq!(g.turns.len(), 2);
    assert_eq!(g.roster.current(), Some("Chi"));
    // The resume file keeps the group, so a crash loses no one's moves.
    let saved = Store::new(data.path()).load_in_progress().0.expect("saved");
    assert_eq!(saved.group.map(|g| g.turns.len()), Some(2));
}

#[test]
fn an_unfinished_session_can_be_resumed_after_a_restart() {
    let data = tempfile::tempdir().expect("tmp");
    let roots = vec![(BUNDLED_SOURCE.to_string(), root().join("scenarios"))];
    let state_before = {
        let mut app = headless(roots.clone(), data.path());
        update_until(&mut app, "scenarios", |a| {
            a.world().resource::<Catalog>().entries.len() >= 8
        });
        act(&mut app, UiAction::Select("deficits-initial-leo".into()));
        act(&mut app, UiAction::Start);
        act(&mut app, UiAction::Choose(2));
        act(&mut app, UiAction::Choose(1));
        let s = app
            .world()
            .resource::<Practising>()
            .session()
            .cloned()
            .expect("session");
        (s.state(), s.turns().len(), s.seed())
        // The app is dropped here, as if killed.
    };
    let mut app = headless(roots, data.path());
    update_until(&mut app, "scenarios", |a| {
        a.world().resource::<Catalog>().entries.len() >= 8
    });
    assert!(
        app.world()
            .resource::<ipt_trainer::app::Resumable>()
            .0
            .is_some()
    );
    act(&mut app, UiAction::Resume);
    assert_eq!(screen(&app), Screen::Session);
    let s = app
        .world()
        .resource::<Practising>()
        .session()
        .cloned()
        .expect("resumed");
    assert_eq!((s.state(), s.turns().len(), s.seed()), state_before);
}

#[test]
fn a_broken_edit_on_disk_keeps_the_last_good_version() {
    let data = tempfile::tempdir().expect("tmp");
    let tutor = tempfile::tempdir().expect("tmp");
    let file = tutor.path().join("small.ron");
    let good = std::fs::read_to_string(crate::common::fixture("valid/small.ron")).expect("read");
    std::fs::write(&file, &good).expect("write");
    let mut app = headless(
        vec![(TUTOR_SOURCE.into(), tutor.path().to_path_buf())],
        data.path(),
    );
    update_until(&mut app, "the tutor's scenario", |a| {
        a.world()
            .resource::<Catalog>()
            .by_id("test-small")
            .is_some()
    });
    act(&mut app, UiAction::Select("test-small".into()));
    act(&mut app, UiAction::Start);
    act(&mut app, UiAction::Choose(1));

    // A broken edit: diagnostics appear, the last good version stays, the session goes on.
    std::fs::write(&file, good.replace("next: \"plan\"", "next: \"plann\"")).expect("write");
    update_until(&mut app, "the reload with errors", |a| {
        a.world()
            .resource::<Catalog>()
            .entries
            .first()
            .is_some_and(ipt_trainer::app::assets::Entry::has_errors)
    });
    let entry = app.world().resource::<Catalog>().entries[0].clone();
    assert!(entry.scenario.is_some(), "the last good version is kept");
    assert!(
        entry
            .diagnostics
            .iter()
            .any(|d| d.message.contains("plann"))
    );
    assert_eq!(screen(&app), Screen::Session);
    assert_eq!(
        app.world()
            .resource::<Practising>()
            .session()
            .map(|s| s.turns().len()),
        Some(1)
    );

    // A good edit replaces it.
    std::fs::write(
        &file,
        good.replace("Test: a small grief session", "Test: renamed"),
    )
    .expect("write");
    update_until(&mut app, "the good reload", |a| {
        a.world().resource::<Catalog>().entries[0]
            .scenario
            .as_ref()
            .is_some_and(|s| s.title == "Test: renamed")
    });
    assert!(!app.world().resource::<Catalog>().entries[0].has_errors());
}

#[test]
fn a_reload_that_changes_a_card_asks_for_a_frame_without_any_input() {
    use bevy::ecs::message::Messages;
    use bevy::window::RequestRedraw;
    let data = tempfile::tempdir().expect("tmp");
    let tutor = tempfile::tempdir().expect("tmp");
    let file = tutor.path().join("small.ron");
    let good = std::fs::read_to_string(crate::common::fixture("valid/small.ron")).expect("read");
    std::fs::write(&file, &good).expect("write");
    let mut app = headless(
        vec![(TUTOR_SOURCE.into(), tutor.path().to_path_buf())],
        data.path(),
    );
    // Frames are asked for the way the window asks: by RequestRedraw.
    app.add_message::<RequestRedraw>();
    update_until(&mut app, "the tutor's scenario", |a| {
        a.world()
            .resource::<Catalog>()
            .by_id("test-small")
            .is_some()
    });
    let mut cursor = app
        .world()
        .resource::<Messages<RequestRedraw>>()
        .get_cursor();
    let title = |a: &App| {
        a.world()
            .resource::<Catalog>()
            .by_id("test-small")
            .and_then(|e| e.scenario.as_ref())
            .map(|s| s.title.clone())
    };
    // An edit on disk, and no input at all: the frame in which the card
    // changes must ask for the next frame to be drawn.
    std::fs::write(
        &file,
        good.replace("Test: a small grief session", "Test: edited"),
    )
    .expect("write");
    let start = Instant::now();
    loop {
        app.update();
        let asked = cursor
            .read(app.world().resource::<Messages<RequestRedraw>>())
            .count();
        if title(&app).as_deref() == Some("Test: edited") {
            assert!(asked > 0, "the card changed but no frame was asked for");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no reload");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn drilling(app: &App) -> &ipt_trainer::app::drills::Drilling {
    app.world().resource::<ipt_trainer::app::drills::Drilling>()
}

fn drill_records(data: &std::path::Path) -> Vec<ipt_trainer::core::drill::DrillRecord> {
    Store::new(data).load_all().1
}

#[test]
fn practise_skills_keeps_a_miss_and_its_retry_and_saves_after_every_answer_in_one_record() {
    use ipt_trainer::app::drills::{DrillFocus, DrillForm};
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    act(&mut app, UiAction::Go(Screen::Drills));
    assert_eq!(screen(&app), Screen::Drills);
    act(
        &mut app,
        UiAction::SetDrillForm(DrillForm {
            focus: DrillFocus::Principle("safety-first".into()),
            count: 3,
        }),
    );
    act(&mut app, UiAction::StartDrills);
    assert_eq!(screen(&app), Screen::Drill);
    let (best, first_id) = {
        let d = drilling(&app).drill.as_ref().expect("a drill on screen");
        assert_eq!(d.point().principle, "safety-first");
        assert!(d.answers().is_empty());
        (d.point().best, d.point().id.clone())
    };
    let wrong = if best == 1 { 2 } else { 1 };
    act(&mut app, UiAction::DrillAnswer(wrong));
    {
        let dr = drilling(&app);
        let d = dr.drill.as_ref().expect("still on screen");
        assert!(!d.answers()[0].feedback.good, "a miss");
        assert!(d.can_answer(), "a retry is offered");
        assert!(!dr.settled(), "the better move is not shown yet");
    }
    // The answer is on disk before the trainee goes on.
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].results.len(), 1);
    assert!(!saved[0].results[0].first.good);
    // Going on after a miss first shows the better move, on the same drill.
    act(&mut app, UiAction::NextDrill);
    assert!(drilling(&app).settled());
    assert_eq!(
        drilling(&app).drill.as_ref().map(|d| d.point().id.clone()),
        Some(first_id.clone())
    );
    // A number pressed now changes nothing: the drill is settled.
    act(&mut app, UiAction::DrillAnswer(best));
    assert_eq!(
        drilling(&app).drill.as_ref().map(|d| d.answers().len()),
        Some(1)
    );
    act(&mut app, UiAction::NextDrill);
    let next = drilling(&app).drill.as_ref().expect("the next drill");
    assert_ne!(next.point().id, first_id);
    assert_eq!(next.point().principle, "safety-first");
    // Saved already, in case the window is closed now.
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].results.len(), 1);
    assert!(
        saved[0].results[0].retry.is_none(),
        "the retry was declined"
    );

    // The next: a miss, then the better move found on the retry.
    let best = next.point().best;
    let wrong = if best == 1 { 2 } else { 1 };
    act(&mut app, UiAction::DrillAnswer(wrong));
    act(&mut app, UiAction::DrillAnswer(best));
    assert!(drilling(&app).settled());
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1, "rewritten, not a second file");
    assert!(
        saved[0].results[1].retry.as_ref().is_some_and(|a| a.good),
        "the retry is on disk at once"
    );
    act(&mut app, UiAction::EndDrills);
    assert_eq!(screen(&app), Screen::Drills);
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1, "one session of drills, one record");
    let r = &saved[0].results;
    assert_eq!(r.len(), 2);
    assert!(!r[1].first.good);
    assert!(r[1].retry.as_ref().is_some_and(|a| a.good));
    let history = app.world().resource::<ipt_trainer::app::History>();
    assert_eq!(history.drills.len(), 1, "History has it at once");
    assert_eq!(
        drilling(&app).last.as_ref().map(|l| l.results.len()),
        Some(2),
        "the summary shows it"
    );
}

#[test]
fn leaving_a_drill_by_the_top_bar_keeps_what_was_answered() {
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    act(&mut app, UiAction::Go(Screen::Drills));
    act(&mut app, UiAction::StartDrills);
    assert_eq!(screen(&app), Screen::Drill);
    let best = drilling(&app).drill.as_ref().expect("a drill").point().best;
    act(&mut app, UiAction::DrillAnswer(best));
    act(&mut app, UiAction::Go(Screen::Library));
    assert_eq!(screen(&app), Screen::Library);
    assert!(drilling(&app).run.is_none(), "the drills ended");
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].results.len(), 1);
    assert!(saved[0].results[0].first.good);
    // Leaving before answering anything records nothing.
    act(&mut app, UiAction::Go(Screen::Drills));
    act(&mut app, UiAction::StartDrills);
    act(&mut app, UiAction::Go(Screen::History));
    assert_eq!(drill_records(data.path()).len(), 1);
}

#[test]
fn tutor_drill_plans_in_the_scenario_folder_are_offered_and_a_broken_one_shows_its_line() {
    use ipt_trainer::app::drills::{DrillFocus, DrillForm};
    let data = tempfile::tempdir().expect("tmp");
    let tutor = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tutor.path().join("a-risk.drill.ron"),
        "DrillPlan(title: \"Risk week\", principles: [\"safety-first\"], count: 2, note: \"Before Thursday.\")",
    )
    .expect("plan");
    std::fs::write(
        tutor.path().join("b-broken.drill.ron"),
        "DrillPlan(\n  title: \"x\",\n  principles: [\"nope\"],\n)",
    )
    .expect("plan");
    let mut app = headless(
        vec![
            (BUNDLED_SOURCE.into(), root().join("scenarios")),
            (TUTOR_SOURCE.into(), tutor.path().to_path_buf()),
        ],
        data.path(),
    );
    update_until(&mut app, "the bundled scenarios", |a| {
        a.world().resource::<Catalog>().entries.len() >= 8
    });
    // The plans are not taken for scenarios.
    assert!(
        app.world()
            .resource::<Catalog>()
            .entries
            .iter()
            .all(|e| !e.file.to_string_lossy().contains(".drill."))
    );
    act(&mut app, UiAction::Go(Screen::Drills));
    let plans = drilling(&app).plans.clone();
    assert_eq!(plans.len(), 2);
    assert_eq!(
        plans[0].plan.as_ref().map(|p| p.title.as_str()),
        Some("Risk week")
    );
    assert!(plans[1].plan.is_none());
    assert!(
        plans[1]
            .problems
            .iter()
            .any(|p| p.contains("b-broken.drill.ron:3:16")),
        "{:?}",
        plans[1].problems
    );
    // A broken plan cannot be started; the good one drills only its principle.
    act(
        &mut app,
        UiAction::SetDrillForm(DrillForm {
            focus: DrillFocus::Plan(1),
            count: 2,
        }),
    );
    act(&mut app, UiAction::StartDrills);
    assert_eq!(screen(&app), Screen::Drills);
    act(
        &mut app,
        UiAction::SetDrillForm(DrillForm {
            focus: DrillFocus::Plan(0),
            count: 2,
        }),
    );
    act(&mut app, UiAction::StartDrills);
    assert_eq!(screen(&app), Screen::Drill);
    for _ in 0..2 {
        let best = drilling(&app).drill.as_ref().expect("a drill").point().best;
        act(&mut app, UiAction::DrillAnswer(best));
        act(&mut app, UiAction::NextDrill);
    }
    assert_eq!(screen(&app), Screen::Drills, "two drills, then the summary");
    let saved = drill_records(data.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].plan.as_deref(), Some("Risk week"));
    assert!(
        saved[0]
            .results
            .iter()
            .all(|r| r.principle == "safety-first")
    );
}

mod views {
    use crate::common::{fixture, guidance, scenario};
    use bevy_egui::egui;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use ipt_trainer::app::UiAction;
    use ipt_trainer::app::screens;
    use ipt_trainer::core::session::Session;
    use ipt_trainer::core::store::Settings;

    #[test]
    fn the_case_page_shows_where_session_one_shaped_session_seven() {
        use ipt_trainer::app::cases::CaseEntry;
        use ipt_trainer::core::case::Course;
        let g = guidance();
        let path = crate::common::root().join("scenarios/grief-rosa.case.ron");
        let bundle = std::sync::Arc::new(
            ipt_trainer::core::load::load_case_file(&path, &g)
                .value
                .expect("Rosa's case loads"),
        );
        let mut course = Course::new(bundle);
        for _ in 0..2 {
            let mut s = course.start_next(g.clone(), 2026).expect("starts");
            while let Some(p) = s.best_position() {
                s.choose(p).expect("shown");
            }
            course.finish(&s).expect("finished");
        }
        let moments = ipt_trainer::core::shaping::moments(&course.bundle, &course.done, &g);
        assert!(!moments.is_empty(), "session 7 remembers session 1");
        let entry = CaseEntry {
            path,
            course: Some(course),
            problems: Vec::new(),
        };
        let mut h = Harness::builder()
            .with_size(egui::vec2(1280.0, 4000.0))
            .build_ui_state(
                |ui, out: &mut Option<UiAction>| {
                    if let Some(a) = screens::course::view(ui, &entry, &g) {
                        *out = Some(a);
                    }
                },
                None,
            );
        h.run();
        h.get_by_label("Where an earlier session shaped a later one");
        for m in &moments {
            assert!(
                h.query_all_by_label(&m.because).next().is_some(),
                "not shown: {m:#?}"
            );
        }
    }

    #[test]
    fn session_view_chooses_by_click_and_by_number_key() {
        let s = Session::new(scenario(&fixture("valid/small.ron")), guidance(), 5).expect("s");
        let first = s.prompt().expect("p").options[0].text.clone();
        let mut h = Harness::new_ui_state(
            |ui, out: &mut Option<UiAction>| {
                if let Some(a) = screens::session::view(ui, &s) {
                    *out = Some(a);
                }
            },
            None,
        );
        h.get_by_label_contains(&first).click();
        h.run();
        assert_eq!(h.state(), &Some(UiAction::Choose(1)));
        *h.state_mut() = None;
        h.key_press(egui::Key::Num3);
        h.run();
        assert_eq!(h.state(), &Some(UiAction::Choose(3)));
    }

    #[test]
    fn class_vote_view_takes_votes_by_key_and_lets_the_tutor_play_an_option() {
        use ipt_trainer::core::group::{GroupMode, GroupPlay, Roster};
        let s = Session::new(scenario(&fixture("valid/small.ron")), guidance(), 5).expect("s");
        let mut g = GroupPlay::new(GroupMode::ClassVote, "", Roster::default());
        g.new_choice_point(&s);
        g.tally.set(2, 3);
        let mut h = Harness::new_ui_state(
            |ui, out: &mut Option<UiAction>| {
                if let Some(a) = screens::group::class_vote(ui, &s, &g, None) {
                    *out = Some(a);
                }
            },
            None,
        );
        h.get_by_label_contains("3 votes (100%)");
        h.get_by_label_contains("Play the majority: option 2");
        let press = |h: &mut Harness<'_, Option<UiAction>>, key, modifiers| {
            *h.state_mut() = None;
            h.key_press_modifiers(modifiers, key);
            h.run();
            h.state().clone()
        };
        let none = egui::Modifiers::NONE;
        assert_eq!(
            press(&mut h, egui::Key::Num2, none),
            Some(UiAction::Vote(2, 1))
        );
        assert_eq!(
            press(&mut h, egui::Key::Num2, egui::Modifiers::SHIFT),
            Some(UiAction::Vote(2, -1))
        );
        assert_eq!(
            press(&mut h, egui::Key::Num3, egui::Modifiers::ALT),
            Some(UiAction::PlayVote(Some(3)))
        );
        assert_eq!(
            press(&mut h, egui::Key::Enter, none),
            Some(UiAction::PlayVote(None))
        );
    }

    #[test]
    fn a_hot_seat_debrief_names_who_made_each_move() {
        use ipt_trainer::core::group::{GroupMode, GroupPlay, Roster};
        use ipt_trainer::core::practice::{Input, Mode, Practice};
        let g = GroupPlay::new(GroupMode::HotSeat, "", Roster::parse("Ana\nBen"));
        let mut p = Practice::start(
            scenario(&fixture("valid/small.ron")),
            guidance(),
            5,
            Mode::Coach,
            Some(g),
        )
        .expect("s");
        while p.session().prompt().is_some() {
            p.play(Input::Choose(1)).expect("made");
        }
        let d = ipt_trainer::core::debrief::Debrief::from_session(p.session());
        let record = p.group().expect("group").record();
        let mut h = Harness::builder()
            .with_size(egui::vec2(1280.0, 4000.0))
            .build_ui_state(
                |ui, out: &mut Option<UiAction>| {
                    if let Some(a) =
                        screens::debrief::view_with_group(ui, &d, "Ana Test", false, Some(&record))
                    {
                        *out = Some(a);
                    }
                },
                None,
            );
        h.run();
        h.get_by_label("Class discussion: the hot seat's moves");
        let first = &d.turns[0];
        h.get_by_label(&format!("Ana ({}): {}", first.kind.label(), first.text));
        let second = &d.turns[1];
        h.get_by_label(&format!("Ben ({}): {}", second.kind.label(), second.text));
    }

    #[test]
    fn debrief_view_shows_scores_and_offers_retry() {
        let s = Session::replay(
            scenario(&fixture("valid/small.ron")),
            guidance(),
            5,
            &[1, 1, 1],
        )
        .expect("s");
        let d = ipt_trainer::core::debrief::Debrief::from_session(&s);
        let mut h = Harness::builder()
            .with_size(egui::vec2(1280.0, 3000.0))
            .build_ui_state(
                |ui, out: &mut Option<UiAction>| {
                    if let Some(a) = screens::debrief::view(ui, &d, "Ana", true) {
                        *out = Some(a);
                    }
                },
                None,
            );
        h.run();
        h.get_by_label(&format!("Overall {}", d.scores.overall));
        h.get_by_label("Retry from turn 2").click();
        h.run();
        assert_eq!(h.state(), &Some(UiAction::RetryFrom(2)));
    }

    #[test]
    fn settings_view_saves_only_a_changed_draft() {
        let saved = Settings::default();
        let mut h = Harness::new_ui_state(
            |ui, st: &mut (Settings, Option<UiAction>)| {
                if let Some(a) = screens::settings::view(ui, &mut st.0, &saved) {
                    st.1 = Some(a);
                }
            },
            (Settings::default(), None),
        );
        h.get_by_label("Save").click();
        h.run();
        assert_eq!(h.state().1, None, "nothing to save");
        h.get_by_label("High contrast").click();
        h.run();
        h.get_by_label("Save").click();
        h.run();
        match &h.state().1 {
            Some(UiAction::SaveSettings(s)) => {
                assert_eq!(s.theme, ipt_trainer::core::store::Theme::HighContrast);
            }
            other => panic!("expected SaveSettings, got {other:?}"),
        }
    }

    /// A drill of the first bundled scenario, answered wrongly once.
    fn missed_drill() -> ipt_trainer::core::drill::Drill {
        use crate::common::{bundled, root};
        use ipt_trainer::core::drill::{Catalogue, Drill};
        let _ = root();
        let g = guidance();
        let s = scenario(&bundled()[0]);
        let c = Catalogue::build(std::slice::from_ref(&s), &g);
        let point = c.points.first().expect("a drill").clone();
        let mut d = Drill::start(&point, s, g).expect("replays");
        let wrong = if point.best == 1 { 2 } else { 1 };
        d.answer(wrong).expect("answer");
        d
    }

    #[test]
    fn a_missed_drill_shows_its_skill_and_offers_a_retry_before_the_better_move() {
        let d = missed_drill();
        let best = d.point().best;
        let best_text = d.prompt().expect("p").options[best - 1].text.clone();
        let principle = d.answers()[0].feedback.principle_name.clone();
        let mut h = Harness::new_ui_state(
            |ui, out: &mut Option<UiAction>| {
                if let Some(a) = screens::drills::drill_view(ui, &d, false, false) {
                    *out = Some(a);
                }
            },
            None,
        );
        h.get_by_label_contains("Not the best move here.");
        h.get_by_label_contains(&format!("Skill: {principle}"));
        h.get_by_label_contains("Try again: choose another response");
        assert!(
            h.query_by_label_contains("The better move").is_none(),
            "the better move is kept back until the retry"
        );
        h.key_press(egui::Key::from_name(&best.to_string()).expect("a digit key"));
        h.run();
        assert_eq!(h.state(), &Some(UiAction::DrillAnswer(best)));
        *h.state_mut() = None;
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state(), &Some(UiAction::NextDrill));

        // Once the better move is asked for, it is shown and marked.
        let h = Harness::new_ui_state(
            |ui, out: &mut Option<UiAction>| {
                if let Some(a) = screens::drills::drill_view(ui, &d, true, true) {
                    *out = Some(a);
                }
            },
            None,
        );
        h.get_by_label("The better move");
        h.get_by_label_contains(&format!("The better move: {best_text}"));
        h.get_by_label("Finish the drills");
    }

    #[test]
    fn the_skills_hub_offers_one_skill_and_starts_with_enter() {
        use ipt_trainer::app::drills::{DrillFocus, DrillForm};
        use ipt_trainer::core::drill::SkillProfile;
        let g = guidance();
        let mut profile = SkillProfile::default();
        for good in [true, false, false] {
            profile.add("safety-first", good);
        }
        let per: std::collections::BTreeMap<&str, usize> = [("safety-first", 9), ("alliance", 12)]
            .into_iter()
            .collect();
        let form = DrillForm::default();
        let mut h = Harness::new_ui_state(
            |ui, out: &mut Option<UiAction>| {
                let hub = screens::drills::Hub {
                    guidance: &g,
                    profile: &profile,
                    drills_per_principle: per.clone(),
                    form: &form,
                    plans: &[],
                    last: None,
                    due: 2,
                };
                if let Some(a) = screens::drills::hub_view(ui, &hub) {
                    *out = Some(a);
                }
            },
            None,
        );
        h.get_by_label_contains("40% · 3 chances");
        h.get_by_label_contains("2 drills you missed before are due again");
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state(), &Some(UiAction::StartDrills));
        *h.state_mut() = None;
        h.get_by_label("One skill:").click();
        h.run();
        assert_eq!(
            h.state(),
            &Some(UiAction::SetDrillForm(DrillForm {
                focus: DrillFocus::Principle("safety-first".into()),
                count: form.count,
            })),
            "the weakest skill with drills is offered first"
        );
    }
}

fn best_move(app: &App) -> Option<usize> {
    app.world()
        .resource::<Practising>()
        .session()
        .and_then(ipt_trainer::core::session::Session::best_position)
}

#[test]
fn a_course_is_played_session_by_session_and_kept_between_runs() {
    use ipt_trainer::app::cases::Cases;
    let data = tempfile::tempdir().expect("tmp");
    let mut app = bundled_app(data.path());
    update_until(&mut app, "the cases", |app| {
        app.world().resource::<Cases>().get("grief-rosa").is_some()
    });
    act(&mut app, UiAction::OpenCase("grief-rosa".into()));
    assert_eq!(screen(&app), Screen::Course);
    act(&mut app, UiAction::BeginCaseSession);
    assert_eq!(screen(&app), Screen::Session);
    let case = app
        .world()
        .resource::<Practising>()
        .practice
        .as_ref()
        .and_then(|p| p.case().cloned());
    assert_eq!(case.map(|c| c.number), Some(1), "session 1 of the case");
    while let Some(p) = best_move(&app) {
        act(&mut app, UiAction::Choose(p));
    }
    assert_eq!(screen(&app), Screen::Debrief);
    let record = app
        .world()
        .resource::<Viewing>()
        .record
        .clone()
        .expect("recorded");
    assert_eq!(record.case.map(|c| c.id), Some("grief-rosa".to_string()));
    let course = |app: &App| {
        app.world()
            .resource::<Cases>()
            .get("grief-rosa")
            .and_then(|e| e.course.clone())
            .expect("the course")
    };
    assert_eq!(course(&app).done.len(), 1);
    // Next: the case's second session, with what session 1 agreed.
    let second = course(&app).bundle.case.sessions[1].number;
    let between = course(&app).between().expect("the second session is next");
    assert_eq!(between.number, second);

    // A new run of the app finds the course where it was left.
    drop(app);
    let mut again = bundled_app(data.path());
    update_until(&mut again, "the cases", |app| {
        app.world().resource::<Cases>().get("grief-rosa").is_some()
    });
    assert_eq!(course(&again).done.len(), 1, "kept in the data folder");
    act(&mut again, UiAction::OpenCase("grief-rosa".into()));
    act(&mut again, UiAction::BeginCaseSession);
    let carried = again
        .world()
        .resource::<Practising>()
        .session()
        .and_then(|s| s.carried_in().cloned())
        .expect("a session of the case");
    assert!(
        carried.earlier.contains("initial-problem-area"),
        "{:?}",
        carried.earlier
    );
    // Starting over forgets the progress, on disk too.
    act(&mut again, UiAction::Go(Screen::Library));
    act(&mut again, UiAction::OpenCase("grief-rosa".into()));
    act(&mut again, UiAction::RestartCase);
    assert!(course(&again).done.is_empty());
    assert!(
        Store::new(data.path())
            .load_course("grief-rosa")
            .0
            .is_none()
    );
}

/// `c` (premultiplied, as egui keeps colours) painted over the opaque `bg`.
fn over(c: bevy_egui::egui::Color32, bg: bevy_egui::egui::Color32) -> bevy_egui::egui::Color32 {
    let a = f32::from(c.a()) / 255.0;
    let mix = |x: u8, y: u8| (f32::from(x) + f32::from(y) * (1.0 - a)).min(255.0) as u8;
    bevy_egui::egui::Color32::from_rgb(mix(c.r(), bg.r()), mix(c.g(), bg.g()), mix(c.b(), bg.b()))
}

/// WCAG 2.2's contrast ratio of two colours (1 to 21).
fn contrast(a: bevy_egui::egui::Color32, b: bevy_egui::egui::Color32) -> f64 {
    fn lum(c: bevy_egui::egui::Color32) -> f64 {
        let ch = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.040_45 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.r()) + 0.7152 * ch(c.g()) + 0.0722 * ch(c.b())
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_theme_meets_wcag_contrast_for_text_controls_and_news() {
    use bevy_egui::egui;
    use ipt_trainer::app::theme;
    use ipt_trainer::core::store::Theme;
    let mut failures = Vec::new();
    for t in [Theme::Light, Theme::Dark, Theme::HighContrast] {
        let ctx = egui::Context::default();
        theme::style(&ctx, t, 1.0, false);
        let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
            {
                let v = ui.visuals().clone();
                let text = v.text_color();
                let w = &v.widgets;
                let mut need = |what: &str, fg: egui::Color32, bg: egui::Color32, min: f64| {
                    let r = contrast(fg, bg);
                    if r < min {
                        failures.push(format!("{t:?}: {what}: {r:.2} < {min}"));
                    }
                };
                for (name, bg) in [
                    ("panel", v.panel_fill),
                    ("window", v.window_fill),
                    ("striped row", over(v.faint_bg_color, v.panel_fill)),
                    ("text field", v.extreme_bg_color),
                ] {
                    need(&format!("text on {name}"), text, bg, 4.5);
                    need(&format!("good news on {name}"), theme::good(ui), bg, 4.5);
                    need(&format!("bad news on {name}"), theme::bad(ui), bg, 4.5);
                    need(
                        &format!("weak text on {name}"),
                        v.weak_text_color(),
                        bg,
                        4.5,
                    );
                }
                need(
                    "button text",
                    v.override_text_color.unwrap_or(w.inactive.fg_stroke.color),
                    w.inactive.weak_bg_fill,
                    4.5,
                );
                need(
                    "hovered button text",
                    v.override_text_color.unwrap_or(w.hovered.fg_stroke.color),
                    w.hovered.weak_bg_fill,
                    4.5,
                );
                need(
                    "selected text",
                    v.override_text_color.unwrap_or(v.selection.stroke.color),
                    v.selection.bg_fill,
                    4.5,
                );
                // Lines of charts and bars (3:1 for graphics).
                need(
                    "selection (bars, the current tab) on panel",
                    v.selection.bg_fill,
                    v.panel_fill,
                    3.0,
                );
            }
        });
        out.textures_delta.clear();
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
