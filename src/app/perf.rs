//! Measurements for `scripts/perf` (set `IPT_TRAINER_PERF=FILE`): the time
//! the library is first drawn, CPU use and frames over 10 s of idling, the
//! frame time while a session is on screen, and memory. Writes JSON to FILE
//! and quits. The bare-window example uses the idle part as the floor.

use bevy::prelude::*;
use bevy::winit::WinitSettings;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Seconds of idling that are measured.
pub const IDLE_SECS: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    WaitForLibrary,
    Settle,
    Idle,
    StartSession,
    Session,
    Done,
}

#[derive(Resource)]
pub struct Probe {
    file: PathBuf,
    /// Also measure a session (the app); the bare window only idles.
    with_session: bool,
    stage: Stage,
    since: Instant,
    frames: u64,
    cpu_ticks: u64,
    report: serde_json::Map<String, serde_json::Value>,
}

/// The probe, if `IPT_TRAINER_PERF` is set.
pub fn from_env(with_session: bool) -> Option<Probe> {
    let file = std::env::var_os("IPT_TRAINER_PERF")?;
    Some(Probe {
        file: PathBuf::from(file),
        with_session,
        stage: if with_session {
            Stage::WaitForLibrary
        } else {
            Stage::Settle
        },
        since: Instant::now(),
        frames: 0,
        cpu_ticks: 0,
        report: serde_json::Map::new(),
    })
}

/// User + system CPU time of this process, in clock ticks (1/100 s).
pub fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are 14 and 15.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

/// A field of /proc/self/status in kB (VmRSS, VmHWM).
pub fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

pub fn plugin(probe: Probe) -> impl Fn(&mut App) {
    let probe = std::sync::Mutex::new(Some(probe));
    move |app: &mut App| {
        if let Some(p) = probe.lock().ok().and_then(|mut p| p.take()) {
            app.insert_resource(p).add_systems(Last, step);
        }
    }
}

fn step(
    mut probe: ResMut<Probe>,
    library_ready: Option<Res<crate::app::assets::Catalog>>,
    practice: Option<Res<crate::app::Practice>>,
    mut winit: ResMut<WinitSettings>,
    mut out: Option<MessageWriter<crate::app::UiAction>>,
    mut exit: MessageWriter<AppExit>,
) {
    probe.frames += 1;
    let elapsed = probe.since.elapsed();
    debug!(
        "perf probe: {:?} after {:?}, {} frames",
        probe.stage, elapsed, probe.frames
    );
    match probe.stage {
        Stage::WaitForLibrary => {
            if library_ready.is_some_and(|c| c.entries.len() >= 8) {
                // Drawn this frame: the library is on screen with its cards.
                probe
                    .report
                    .insert("library_drawn_unix_ms".into(), (now_ms() as u64).into());
                probe.stage = Stage::Settle;
                probe.since = Instant::now();
            }
        }
        Stage::Settle => {
            if elapsed >= Duration::from_secs(2) {
                probe.stage = Stage::Idle;
                probe.since = Instant::now();
                probe.frames = 0;
                probe.cpu_ticks = cpu_ticks();
            }
        }
        Stage::Idle => {
            if elapsed >= Duration::from_secs(IDLE_SECS) {
                let secs = elapsed.as_secs_f64();
                let ticks = cpu_ticks() - probe.cpu_ticks;
                let frames = probe.frames;
                probe.report.insert("idle_seconds".into(), secs.into());
                probe.report.insert("idle_frames".into(), frames.into());
                probe
                    .report
                    .insert("idle_cpu_percent".into(), (ticks as f64 / secs).into());
                probe
                    .report
                    .insert("idle_rss_kb".into(), status_kb("VmRSS:").into());
                probe.stage = if probe.with_session {
                    Stage::StartSession
                } else {
                    Stage::Done
                };
                probe.since = Instant::now();
            }
        }
        Stage::StartSession => {
            *winit = WinitSettings::game();
            if let Some(out) = out.as_mut() {
                out.write(crate::app::UiAction::Select(
                    crate::app::autoplay::SCENARIO.into(),
                ));
                out.write(crate::app::UiAction::Start);
            }
            probe.stage = Stage::Session;
            probe.since = Instant::now();
            probe.frames = 0;
        }
        Stage::Session => {
            if elapsed < Duration::from_secs(1) {
                probe.frames = 0;
                return;
            }
            if elapsed >= Duration::from_secs(6) {
                let on_screen = practice.is_some_and(|p| p.session.is_some());
                let secs = elapsed.as_secs_f64() - 1.0;
                let frames = probe.frames.max(1);
                probe
                    .report
                    .insert("session_on_screen".into(), on_screen.into());
                probe.report.insert("session_frames".into(), frames.into());
                probe.report.insert(
                    "session_frame_ms".into(),
                    (secs * 1000.0 / frames as f64).into(),
                );
                probe.stage = Stage::Done;
            }
        }
        Stage::Done => {
            probe
                .report
                .insert("peak_rss_kb".into(), status_kb("VmHWM:").into());
            let json = serde_json::Value::Object(probe.report.clone()).to_string();
            let _ = std::fs::write(&probe.file, json);
            exit.write(AppExit::Success);
        }
    }
}
