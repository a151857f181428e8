//! Per-user data: atomic writes, damaged files set aside, records read back.

use ipt_trainer::core::store::{InProgress, Settings, Store, StoreProblem, Theme, read_record};

#[test]
fn settings_round_trip() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let s = Settings {
        trainee: "Sam".into(),
        text_scale: 1.5,
        theme: Theme::HighContrast,
        ..Settings::default()
    };
    store.save_settings(&s).expect("save");
    assert_eq!(store.load_settings(), (s, None));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn damaged_settings_are_set_aside_not_fatal() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("settings.ron"),
        "(trainee: \"Sam\", text_scale: ",
    )
    .expect("write");
    let store = Store::new(dir.path());
    let (settings, problem) = store.load_settings();
    assert_eq!(settings, Settings::default());
    match problem {
        Some(StoreProblem::SetAside { moved_to, .. }) => {
            assert!(moved_to.exists(), "the damaged file is kept for inspection");
            assert!(
                std::fs::read_to_string(moved_to)
                    .expect("read")
                    .contains("Sam")
            );
        }
        other => panic!("expected SetAside, got {other:?}"),
    }
    assert!(!dir.path().join("settings.ron").exists());
}

#[test]
fn a_damaged_in_progress_file_is_set_aside() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    let p = InProgress {
        scenario_id: "x".into(),
        scenario_hash: "h".into(),
        seed: 1,
        positions: vec![1, 2],
        coach_mode: true,
        group: None,
    };
    store.save_in_progress(&p).expect("save");
    assert_eq!(store.load_in_progress(), (Some(p), None));
    std::fs::write(dir.path().join("in-progress.json"), "{\"scenario_id\": ").expect("cut off");
    let (none, problem) = store.load_in_progress();
    assert!(none.is_none());
    assert!(problem.is_some());
}

#[test]
fn records_of_another_kind_or_version_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("r.json");
    std::fs::write(&f, "{\"format\": \"something-else\"}").expect("w");
    assert!(
        read_record(&f)
            .expect_err("refused")
            .contains("not an ipt-trainer")
    );
    std::fs::write(&f, "{\"format\": \"ipt-trainer/attempt\", \"version\": 99}").expect("w");
    assert!(read_record(&f).expect_err("refused").contains("version"));
    std::fs::write(
        &f,
        "{\"format\": \"ipt-trainer/attempt\", \"version\": 1, \"trainee\": ",
    )
    .expect("w");
    assert!(read_record(&f).is_err());
}

#[test]
fn a_group_record_round_trips_and_one_cut_off_half_way_is_refused() {
    use ipt_trainer::core::group::{GroupMode, GroupPlay, Roster};
    use ipt_trainer::core::practice::{Input, Mode, Practice};
    use ipt_trainer::core::store::write_record;
    let s = crate::common::scenario(
        &crate::common::root().join("scenarios/role-dispute-initial-priya.ron"),
    );
    let group = GroupPlay::new(GroupMode::HotSeat, "3C", Roster::parse("Ana, Ben"));
    let mut p = Practice::start(s, crate::common::guidance(), 11, Mode::Coach, Some(group))
        .expect("starts");
    for _ in 0..5 {
        p.play(Input::Choose(1)).expect("made");
    }
    let r = p
        .finish("ignored: a group is credited by its name")
        .expect("moves made");
    assert_eq!(r.trainee, "3C");
    assert!(!r.coach_mode, "a group never plays with live meters");

    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("attempt.json");
    write_record(&f, &r).expect("written");
    let back = read_record(&f).expect("read back");
    assert_eq!(back, r);
    let by: Vec<_> = back
        .group
        .expect("group")
        .turns
        .into_iter()
        .filter_map(|t| t.by)
        .collect();
    assert_eq!(by, ["Ana", "Ben", "Ana", "Ben", "Ana"]);

    let bytes = std::fs::read(&f).expect("read");
    std::fs::write(&f, &bytes[..bytes.len() / 2]).expect("cut");
    let err = read_record(&f).expect_err("a half record is refused");
    assert!(err.contains("not a readable record"), "{err}");
}
