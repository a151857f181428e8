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
        case: None,
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
            .to_string()
            .contains("not an ipt-trainer")
    );
    std::fs::write(&f, "{\"format\": \"ipt-trainer/attempt\", \"version\": 99}").expect("w");
    assert!(
        read_record(&f)
            .expect_err("refused")
            .to_string()
            .contains("record version 99 is not")
    );
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
    let err = read_record(&f)
        .expect_err("a half record is refused")
        .to_string();
    assert!(err.contains("not a readable record"), "{err}");
}

#[test]
fn writes_of_one_file_at_once_do_not_clash() {
    use ipt_trainer::core::store::write_atomic;
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("r.json");
    let failures: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let target = &target;
                s.spawn(move || {
                    (0..15)
                        .filter(|k| {
                            let text = format!("{{\"writer\": {t}, \"write\": {k}}}");
                            write_atomic(target, text.as_bytes()).is_err()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("joins")).sum()
    });
    assert_eq!(failures, 0, "every write succeeds");
    let text = std::fs::read_to_string(&target).expect("read");
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "{text}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        left,
        [std::ffi::OsString::from("r.json")],
        "no temporary file left"
    );
}

#[test]
fn a_temporary_file_left_by_a_killed_write_is_removed_by_the_next_write() {
    use ipt_trainer::core::store::write_atomic;
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("r.json");
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_hours(1);
    // Left by `play --record` killed with -9 (the old name and the new), and
    // a temporary file of another target, which is not ours to remove.
    let stale = ["r.json.tmp", "r.json.4242-7.tmp", "other.json.4242-8.tmp"];
    for name in stale {
        let f = std::fs::File::create(dir.path().join(name)).expect("create");
        f.set_modified(an_hour_ago).expect("age it");
    }
    write_atomic(&target, b"{}").expect("written");
    assert_eq!(std::fs::read(&target).expect("read"), b"{}");
    assert!(!dir.path().join("r.json.tmp").exists());
    assert!(!dir.path().join("r.json.4242-7.tmp").exists());
    assert!(dir.path().join("other.json.4242-8.tmp").exists());
}

#[test]
fn a_temporary_file_another_write_is_still_making_is_left_alone() {
    use ipt_trainer::core::store::write_atomic;
    let dir = tempfile::tempdir().expect("tmp");
    let busy = dir.path().join("r.json.4242-9.tmp");
    let f = std::fs::File::create(&busy).expect("create");
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_hours(1))
        .expect("age it");
    // As a writer in another process holds it while writing.
    if f.try_lock().is_err() {
        return; // no file locks here: nothing to show
    }
    write_atomic(&dir.path().join("r.json"), b"{}").expect("written");
    assert!(busy.exists(), "a write in progress keeps its file");
}

#[test]
fn a_record_starting_with_a_byte_order_mark_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("r.json");
    let s =
        crate::common::scenario(&crate::common::root().join("scenarios/grief-initial-rosa.ron"));
    let session =
        ipt_trainer::core::session::Session::new(s, crate::common::guidance(), 1).expect("starts");
    let r = ipt_trainer::core::store::AttemptRecord::from_session(&session, "Sam", true);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(serde_json::to_vec(&r).expect("json"));
    std::fs::write(&f, bytes).expect("w");
    assert_eq!(read_record(&f).expect("read"), r);
}

#[test]
fn history_reads_records_with_the_same_size_limit_as_the_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::new(dir.path());
    std::fs::create_dir_all(store.records_dir()).expect("mkdir");
    let big = std::fs::File::create(store.records_dir().join("huge.json")).expect("create");
    // Sparse: no disk is used, but the file says it is this long.
    big.set_len(ipt_trainer::core::report::MAX_RECORD_BYTES + 1)
        .expect("set_len");
    let (records, problems) = store.load_attempts();
    assert!(records.is_empty());
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].to_string().contains("larger than the limit"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_damaged_record_says_where_it_is_damaged() {
    // Found by tests/fuzz.rs: a seed of -2147483648 was refused as damaged
    // with no line or column (the message came from the parsed value).
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("r.json");
    std::fs::write(
        &f,
        "{\"format\": \"ipt-trainer/attempt\",\n \"version\": 1,\n \"seed\": -2147483648}",
    )
    .expect("w");
    let err = read_record(&f).expect_err("refused").to_string();
    assert!(err.starts_with("damaged record: "), "{err}");
    assert!(err.contains("at line 3 column"), "{err}");
}
