//! End to end: the real binary in a real window under Xvfb (Mesa's software
//! Vulkan driver) plays a bundled scenario with `--autoplay` and saves a
//! screenshot of every screen. Needs Xvfb: `scripts/test` installs it and
//! runs this with `--include-ignored`.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

const SCREENS: [&str; 20] = [
    "1-library",
    "2-briefing",
    "3-session",
    "4-debrief",
    "5-history",
    "6-settings",
    "7-class-vote",
    "8-group-debrief",
    "9-hot-seat-setup",
    "10-hot-seat",
    "11-drills",
    "12-drill-miss",
    "13-drill-right",
    "14-drills-summary",
    "15-history-skills",
    "16-course",
    "17-course-debrief",
    "18-course-next",
    "19-course-two-played",
    "20-course-shaped",
];

/// The screens of the drills-only run (`IPT_TRAINER_AUTOPLAY=drills`).
const DRILL_SCREENS: [&str; 6] = [
    "1-library",
    "11-drills",
    "12-drill-miss",
    "13-drill-right",
    "14-drills-summary",
    "15-history-skills",
];

/// Decodes a PNG and checks it is a real picture of a window this size.
fn check_picture(path: &Path, size: (u32, u32)) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(
        (info.width, info.height),
        size,
        "{}: window size",
        path.display()
    );
    let px = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let mut counts = std::collections::HashMap::new();
    for p in px.chunks(channels) {
        *counts.entry((p[0], p[1], p[2])).or_insert(0usize) += 1;
    }
    let total = px.len() / channels;
    let background = counts.values().copied().max().unwrap_or(0);
    assert!(
        counts.len() > 20,
        "{}: looks blank ({} colours)",
        path.display(),
        counts.len()
    );
    let drawn = 1.0 - background as f64 / total as f64;
    assert!(
        drawn > 0.01,
        "{}: only {:.3} of the pixels differ from the background",
        path.display(),
        drawn
    );
}

pub(crate) fn needs_xvfb() {
    assert!(
        Command::new("xvfb-run").arg("--help").output().is_ok(),
        "xvfb-run is not installed: run scripts/install-deps --test"
    );
}

/// Runs the app with `--autoplay` in a virtual screen this size, with its
/// data in `data`; the screenshots go to the returned folder.
fn autoplay(name: &str, size: (u32, u32), data: &Path, drills_only: bool) -> std::path::PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&out_dir);
    let (w, h) = size;
    let mut cmd = Command::new("timeout");
    cmd.args(["300", "xvfb-run", "-a", "-s"])
        .arg(format!("-screen 0 {w}x{h}x24"))
        .arg(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("--autoplay")
        .arg(&out_dir)
        .env("IPT_TRAINER_DATA", data)
        .env("IPT_TRAINER_WINDOW", format!("{w}x{h}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if drills_only {
        cmd.env("IPT_TRAINER_AUTOPLAY", "drills");
    }
    let status = cmd.status().expect("start the app");
    assert!(status.success(), "the app exited with {status}");
    out_dir
}

#[test]
#[ignore = "needs Xvfb and Mesa's Vulkan driver: run scripts/test (it installs them and includes this test)"]
fn the_real_app_plays_a_scenario_and_every_screen_is_a_real_picture() {
    needs_xvfb();
    let data = tempfile::tempdir().expect("tmp");
    let out_dir = autoplay("e2e-screens", (1280, 800), data.path(), false);
    for s in SCREENS {
        check_picture(&out_dir.join(format!("{s}.png")), (1280, 800));
    }
    // The autoplayed attempts were recorded: one solo, one class vote.
    let records = ipt_trainer::core::store::Store::new(data.path())
        .load_attempts()
        .0;
    assert_eq!(
        records.len(),
        4,
        "solo, class vote, the course's first two sessions"
    );
    // End scrolled the case's page (to where session 1 shaped session 7).
    assert_ne!(
        std::fs::read(out_dir.join("19-course-two-played.png")).expect("read"),
        std::fs::read(out_dir.join("20-course-shaped.png")).expect("read"),
        "End did not scroll the case's page"
    );
    assert_eq!(records.iter().filter(|r| r.group.is_some()).count(), 1);
    // The course's first session names its case, and the course was saved.
    let mut in_case: Vec<_> = records.iter().filter_map(|r| r.case.as_ref()).collect();
    in_case.sort_by_key(|c| c.number);
    assert_eq!(
        in_case
            .iter()
            .map(|c| (c.id.as_str(), c.number))
            .collect::<Vec<_>>(),
        [("grief-rosa", 1), ("grief-rosa", 7)]
    );
    let (course, problem) =
        ipt_trainer::core::store::Store::new(data.path()).load_course("grief-rosa");
    assert!(problem.is_none());
    assert_eq!(
        course.map(|c| c.done.len()),
        Some(2),
        "the course keeps sessions 1 and 7"
    );
    // The drills were recorded beside them, both answers of the miss kept.
    let (_, drills, _) = ipt_trainer::core::store::Store::new(data.path()).load_all();
    assert_eq!(drills.len(), 1, "one session of drills");
    let results = &drills[0].results;
    assert_eq!(results.len(), 2, "two drills answered");
    assert!(!results[0].first.good, "the first was missed");
    assert!(
        results[0].retry.as_ref().is_some_and(|a| a.good),
        "and found on the retry"
    );
    assert!(results[1].first.good);
}

#[test]
#[ignore = "needs Xvfb and Mesa's Vulkan driver: run scripts/test (it installs them and includes this test)"]
fn on_a_1920x1080_screen_the_drill_screens_are_real_pictures() {
    needs_xvfb();
    let data = tempfile::tempdir().expect("tmp");
    let out_dir = autoplay("e2e-screens-1920", (1920, 1080), data.path(), true);
    for s in DRILL_SCREENS {
        check_picture(&out_dir.join(format!("{s}.png")), (1920, 1080));
    }
    // Both answers of the miss were kept at this size too.
    let (_, drills, _) = ipt_trainer::core::store::Store::new(data.path()).load_all();
    assert_eq!(drills.len(), 1, "one session of drills");
    assert_eq!(drills[0].results.len(), 2, "two drills answered");
    assert!(drills[0].results[0].retry.is_some(), "the retry was kept");
}

#[test]
#[ignore = "needs Xvfb and Mesa's Vulkan driver: run scripts/test (it installs them and includes this test)"]
fn with_text_at_200_percent_every_screen_is_a_real_picture_at_1280x800() {
    needs_xvfb();
    let data = tempfile::tempdir().expect("tmp");
    let store = ipt_trainer::core::store::Store::new(data.path());
    let settings = ipt_trainer::core::store::Settings {
        text_scale: 2.0,
        ..Default::default()
    };
    store.save_settings(&settings).expect("settings");
    let out_dir = autoplay("e2e-screens-200", (1280, 800), data.path(), false);
    for s in SCREENS {
        check_picture(&out_dir.join(format!("{s}.png")), (1280, 800));
    }
    // The whole script ran at this size (the pictures are for looking at:
    // autoplay acts through the same actions as keys, not by clicking).
    assert_eq!(
        store.load_attempts().0.len(),
        4,
        "every session recorded (solo, class vote, two of the case)"
    );
    let (_, drills, _) = store.load_all();
    assert_eq!(drills.len(), 1, "and the drills");
    assert!(store.load_settings().0.text_scale > 1.9, "still at 200 %");
}

/// One node of the accessibility tree as `tests/a11y/atspi_tree.py` wrote
/// it: role, name, live-region attributes.
struct Node {
    role: String,
    name: String,
    attrs: String,
}

fn read_tree(path: &Path) -> Vec<Node> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let _depth = f.next()?;
            Some(Node {
                role: f.next()?.to_string(),
                name: f.next().unwrap_or_default().to_string(),
                attrs: f.next().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

fn spoken(tree: &[Node]) -> String {
    tree.iter()
        .map(|n| format!("{}: {} {}", n.role, n.name, n.attrs))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs Xvfb, Mesa's Vulkan driver and the AT-SPI bus: run scripts/test (it installs them and includes this test)"]
fn a_screen_reader_hears_the_library_a_session_and_the_debrief() {
    needs_xvfb();
    let data = tempfile::tempdir().expect("tmp");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-atspi");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("out dir");
    let status = Command::new("timeout")
        .args(["400", "dbus-run-session", "--", "/usr/bin/python3"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y/atspi_tree.py"))
        .arg(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg(&out_dir)
        .env("IPT_TRAINER_DATA", data.path())
        .env("IPT_TRAINER_WINDOW", "1280x800")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("start dbus-run-session (scripts/install-deps --test installs it)");
    assert!(status.success(), "the reader or the app failed: {status}");

    let scenario = ipt_trainer::core::load::load_scenario_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/grief-initial-rosa.ron"),
    )
    .value
    .expect("the autoplayed scenario loads");

    // The library: the scenarios by title, as buttons.
    let library = read_tree(&out_dir.join("1-library.tree"));
    assert!(
        library
            .iter()
            .any(|n| n.name.contains(&scenario.title) && n.role.contains("button")),
        "the library names its scenarios:\n{}",
        spoken(&library)
    );

    // A session: the options as buttons with their numbers, the client's
    // line as a live region, the face as a picture with words.
    let session = read_tree(&out_dir.join("3-session.tree"));
    for k in 1..=3 {
        assert!(
            session
                .iter()
                .any(|n| n.role.contains("button") && n.name.starts_with(&format!("{k}."))),
            "option {k} with its number:\n{}",
            spoken(&session)
        );
    }
    // The client's lines are spoken as they appear (the live region's
    // announcements), each with who says it and, where there is one, the
    // body-language line.
    let heard = std::fs::read_to_string(out_dir.join("announcements.txt")).expect("announcements");
    let lines: Vec<&str> = heard.lines().collect();
    assert!(
        lines.len() >= 4
            && lines
                .iter()
                .all(|l| l.starts_with(&format!("{}:", scenario.client.name))),
        "every new line of the client is announced: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with(')')),
        "with the body-language line: {lines:#?}"
    );
    assert!(
        session
            .iter()
            .any(|n| n.role.contains("image") && n.name.starts_with("The client's face.")),
        "the face has words:\n{}",
        spoken(&session)
    );

    // The debrief: the three scores with their values.
    let debrief = read_tree(&out_dir.join("4-debrief.tree"));
    for score in ["Rapport", "Pacing", "Focus"] {
        assert!(
            debrief.iter().any(|n| {
                n.name.starts_with(score) && n.name.chars().any(|c| c.is_ascii_digit())
            }),
            "{score} with its value:\n{}",
            spoken(&debrief)
        );
    }
}

/// The app, killed if the test fails before it quits: `timeout`,
/// `xvfb-run`, Xvfb and the app are one process group (see
/// [`start_room`]), and the whole group goes, so that no app is left
/// answering the next run's commands in the same folder.
pub(crate) struct Running(pub(crate) std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let group = format!("-{}", self.0.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Tells the autoplayed room (`IPT_TRAINER_AUTOPLAY=room`) what to do next
/// and waits until it has.
pub(crate) struct Remote {
    pub(crate) dir: std::path::PathBuf,
    seq: u64,
}

impl Remote {
    pub(crate) fn send(&mut self, command: &str) {
        self.seq += 1;
        let tmp = self.dir.join("command.tmp");
        std::fs::write(&tmp, format!("{} {command}", self.seq)).expect("write the command");
        std::fs::rename(&tmp, self.dir.join("command")).expect("hand it over");
        let seq = self.seq.to_string();
        crate::browser::wait_for(&format!("the app to do `{command}`"), || {
            std::fs::read_to_string(self.dir.join("ack")).is_ok_and(|a| a == seq)
        });
    }

    /// A screenshot of the projector and the counts it showed.
    pub(crate) fn shot(&mut self, name: &str) -> Vec<u64> {
        let png = self.dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        self.send(&format!("shot {name}"));
        crate::browser::wait_for(&format!("{name}.png"), || {
            std::fs::metadata(&png).is_ok_and(|m| m.len() > 0)
        });
        // The file is written in one go once the frame is read back.
        std::thread::sleep(std::time::Duration::from_millis(300));
        check_picture(&png, (1280, 800));
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.dir.join(format!("{name}.json"))).expect("the counts"),
        )
        .expect("JSON");
        json["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .filter_map(serde_json::Value::as_u64)
            .collect()
    }

    /// Shoots until the projector shows `want` (a vote reaches it on the
    /// app's next frame).
    fn shot_showing(&mut self, name: &str, want: &[u64]) {
        let mut last = Vec::new();
        for _ in 0..10 {
            last = self.shot(name);
            if last.starts_with(want) && last[want.len()..].iter().all(|&c| c == 0) {
                return;
            }
        }
        panic!("the projector showed {last:?}, not {want:?}");
    }
}

/// Starts the app in `IPT_TRAINER_AUTOPLAY=room` (a class vote on devices
/// on 127.0.0.1, screenshots under the target's tmp/`name`) and waits for
/// its room: the app, its remote control, `room.json` (`url`, `join_url`,
/// `code`) and the data folder (kept while the app runs).
pub(crate) fn start_room(name: &str) -> (Running, Remote, serde_json::Value, tempfile::TempDir) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let data = tempfile::tempdir().expect("tmp");
    let app = Command::new("timeout")
        .args(["300", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("--autoplay")
        .arg(&dir)
        .env("IPT_TRAINER_AUTOPLAY", "room")
        .env("IPT_TRAINER_DATA", data.path())
        .env("IPT_TRAINER_WINDOW", "1280x800")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .process_group(0)
        .spawn()
        .expect("start the app");
    let mut app = Running(app);
    let room_file = dir.join("room.json");
    let start = std::time::Instant::now();
    while !room_file.exists() {
        assert!(
            start.elapsed() < std::time::Duration::from_mins(2),
            "the app did not open a room"
        );
        assert!(
            app.0.try_wait().ok().flatten().is_none(),
            "the app exited before opening a room"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let room: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&room_file).expect("room.json"))
            .expect("JSON");
    (app, Remote { dir, seq: 0 }, room, data)
}

#[test]
#[ignore = "needs Xvfb, chromium and chromedriver: run by scripts/test"]
fn the_projector_shows_the_split_as_two_phones_vote_and_plays_the_majority() {
    needs_xvfb();
    if !crate::browser::browsers_here("e2e::the_projector_shows_the_split") {
        return;
    }
    let (mut app, mut remote, room, _data) = start_room("e2e-room");
    let join_url = room["join_url"].as_str().expect("join_url").to_string();
    let url = room["url"].as_str().expect("url").to_string();
    let code = room["code"].as_str().expect("code").to_string();
    check_picture(&remote.dir.join("room-setup.png"), (1280, 800));

    let driver = crate::browser::Driver::start();
    // Ana scans the QR code (the code is filled in); the vote is open.
    let a = driver.browser();
    a.open(&join_url);
    a.wait_shown("join");
    a.type_into("#name", "Ana");
    a.click("#join-btn");
    a.wait_shown("vote");
    let first_line = a.text("line");
    let buttons = a.find_all("#options button");
    assert!(buttons.len() >= 3, "the client's options reach the phone");
    a.click_element(&buttons[1]);
    crate::browser::wait_for("Ana's page to confirm", || {
        a.text("mine").starts_with("Your vote")
    });
    remote.shot_showing("e2e-room-1-one-phone", &[0, 1]);

    // Ben types the code; his vote for option 3 changes the split.
    let b = driver.browser();
    b.open(&url);
    b.wait_shown("join");
    b.type_into("#code", &code);
    b.click("#join-btn");
    b.wait_shown("vote");
    let buttons = b.find_all("#options button");
    b.click_element(&buttons[2]);
    crate::browser::wait_for("Ben's page to confirm", || {
        b.text("mine").starts_with("Your vote")
    });
    remote.shot_showing("e2e-room-2-two-phones", &[0, 1, 1]);

    // Ana changes her mind: option 3 has the majority and plays, and the
    // phones move on to the next choice point.
    let buttons = a.find_all("#options button");
    a.click_element(&buttons[2]);
    crate::browser::wait_for("Ana's change", || a.text("mine") == b.text("mine"));
    remote.shot_showing("e2e-room-3-changed", &[0, 0, 2]);
    remote.send("play");
    crate::browser::wait_for("the next choice point on Ana's phone", || {
        a.shown() == "vote" && a.text("line") != first_line
    });
    remote.shot_showing("e2e-room-4-next", &[]);

    // The tutor ends the session: the phones show the discussion question.
    remote.send("finish");
    a.wait_shown("over");
    b.wait_shown("over");
    assert!(!a.text("question").is_empty(), "a question to discuss");
    remote.send("quit");
    let status = app.0.wait().expect("the app exits");
    assert!(status.success(), "the app exited with {status}");
}
