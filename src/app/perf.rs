//! Measurements for `scripts/perf` (set `IPT_TRAINER_PERF=FILE`): the time
//! the library is first drawn, CPU use and frames over 10 s of idling, and
//! memory. Writes JSON to FILE and quits. The bare-window example uses the
//! idle part as the floor. The frame time with a session on screen is
//! measured by `--autoplay` with `IPT_TRAINER_PERF_SESSION=FILE`.

use bevy::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Seconds of idling that are measured.
pub const IDLE_SECS: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    WaitForLibrary,
    Settle,
    Idle,
}

#[derive(Resource)]
pub struct Probe {
    file: PathBuf,
    stage: Stage,
    since: Instant,
    frames: u64,
    cpu_ticks: u64,
    report: serde_json::Map<String, serde_json::Value>,
}

/// The probe, if `IPT_TRAINER_PERF` is set. `wait_for_library`: the app
/// first waits until its library is drawn; the bare window starts at once.
pub fn from_env(wait_for_library: bool) -> Option<Probe> {
    let file = std::env::var_os("IPT_TRAINER_PERF")?;
    Some(Probe {
        file: PathBuf::from(file),
        stage: if wait_for_library {
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

/// A field of `/proc/self/status` in kB (`VmRSS`, `VmHWM`).
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

/// Wakes the (idle) event loop after `after`, so the probe can take its
/// reading without input: an idle window otherwise sleeps for up to a minute.
fn wake_after(proxy: Option<&bevy::winit::EventLoopProxyWrapper>, after: Duration) {
    let Some(p) = proxy.map(|p| (**p).clone()) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("perf-wake".into())
        .spawn(move || {
            std::thread::sleep(after);
            let _ = p.send_event(bevy::winit::WinitUserEvent::WakeUp);
        });
}

fn finish(probe: &mut Probe, exit: &mut MessageWriter<AppExit>) {
    probe
        .report
        .insert("peak_rss_kb".into(), status_kb("VmHWM:").into());
    let json = serde_json::Value::Object(probe.report.clone()).to_string();
    let _ = std::fs::write(&probe.file, json);
    exit.write(AppExit::Success);
}

fn step(
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
    mut probe: ResMut<Probe>,
    catalog: Option<Res<crate::app::assets::Catalog>>,
    mut exit: MessageWriter<AppExit>,
) {
    probe.frames += 1;
    let elapsed = probe.since.elapsed();
    match probe.stage {
        Stage::WaitForLibrary => {
            if catalog.is_some_and(|c| c.entries.len() >= 8) {
                // Drawn this frame: the library is on screen with its cards.
                probe
                    .report
                    .insert("library_drawn_unix_ms".into(), (now_ms() as u64).into());
                probe.stage = Stage::Settle;
                probe.since = Instant::now();
                wake_after(proxy.as_deref(), Duration::from_millis(2050));
            }
        }
        Stage::Settle => {
            if probe.frames == 1 {
                // The bare window starts here.
                wake_after(proxy.as_deref(), Duration::from_millis(2050));
            }
            if elapsed >= Duration::from_secs(2) {
                probe.stage = Stage::Idle;
                probe.since = Instant::now();
                probe.frames = 0;
                probe.cpu_ticks = cpu_ticks();
                wake_after(
                    proxy.as_deref(),
                    Duration::from_secs(IDLE_SECS) + Duration::from_millis(50),
                );
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
                finish(&mut probe, &mut exit);
            }
        }
    }
}
