//! End to end: the real binary in a real window under Xvfb (Mesa's software
//! Vulkan driver) plays a bundled scenario with `--autoplay` and saves a
//! screenshot of every screen. Needs Xvfb: `scripts/test` installs it and
//! runs this with `--include-ignored`.

use std::path::Path;
use std::process::Command;

const SCREENS: [&str; 15] = [
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
];

/// Decodes a PNG and checks it is a real picture of the window.
fn check_picture(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(
        (info.width, info.height),
        (1280, 800),
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

#[test]
#[ignore = "needs Xvfb and Mesa's Vulkan driver: run scripts/test (it installs them and includes this test)"]
fn the_real_app_plays_a_scenario_and_every_screen_is_a_real_picture() {
    assert!(
        Command::new("xvfb-run").arg("--help").output().is_ok(),
        "xvfb-run is not installed: run scripts/install-deps --test"
    );
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screens");
    let _ = std::fs::remove_dir_all(&out_dir);
    let data = tempfile::tempdir().expect("tmp");
    let status = Command::new("timeout")
        .args(["300", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_ipt-trainer"))
        .arg("--autoplay")
        .arg(&out_dir)
        .env("IPT_TRAINER_DATA", data.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("start the app");
    assert!(status.success(), "the app exited with {status}");
    for s in SCREENS {
        check_picture(&out_dir.join(format!("{s}.png")));
    }
    // The autoplayed attempts were recorded: one solo, one class vote.
    let records = ipt_trainer::core::store::Store::new(data.path())
        .load_attempts()
        .0;
    assert_eq!(records.len(), 2);
    assert_eq!(records.iter().filter(|r| r.group.is_some()).count(), 1);
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
