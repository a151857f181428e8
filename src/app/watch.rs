//! Hot reload that also works while the app sleeps. An idle desktop app
//! draws no frames, so Bevy's own file watcher would only be read at the
//! next wake-up (up to a minute when the window is unfocused, as it is
//! while a tutor edits in another program). A small thread looks at the
//! scenario folders once a second (a few `stat` calls, no frame), and when
//! a file changes it queues it and wakes the event loop; a system then
//! reloads the file, and frames are drawn only until loading is done.

use super::ScenarioRoots;
use super::assets::{ScenarioAsset, ScenarioHandles};
use bevy::asset::LoadState;
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, SystemTime};

/// How often the folders are looked at.
pub const POLL: Duration = Duration::from_secs(1);

/// Changed files, as asset paths (`source://file.ron`).
#[derive(Resource)]
pub struct Changes(Mutex<Receiver<String>>);

pub fn plugin(app: &mut App) {
    app.add_systems(Startup, start_watching)
        .add_systems(Update, (reload_changed, draw_while_loading));
}

type Snapshot = HashMap<String, (SystemTime, u64)>;

fn snapshot(roots: &[(String, PathBuf)]) -> Snapshot {
    let mut s = Snapshot::new();
    for (name, dir) in roots {
        for f in crate::core::load::scenario_files(dir).unwrap_or_default() {
            let (Some(file), Ok(meta)) = (
                f.file_name().and_then(|n| n.to_str()),
                std::fs::metadata(&f),
            ) else {
                continue;
            };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            s.insert(format!("{name}://{file}"), (modified, meta.len()));
        }
    }
    s
}

fn start_watching(
    mut commands: Commands,
    roots: Res<ScenarioRoots>,
    proxy: Option<Res<bevy::winit::EventLoopProxyWrapper>>,
) {
    let (tx, rx): (Sender<String>, Receiver<String>) = channel();
    commands.insert_resource(Changes(Mutex::new(rx)));
    let roots = roots.0.clone();
    let proxy = proxy.map(|p| (**p).clone());
    let spawned = std::thread::Builder::new()
        .name("scenario-watch".into())
        .spawn(move || {
            let mut before = snapshot(&roots);
            loop {
                std::thread::sleep(POLL);
                let now = snapshot(&roots);
                let mut changed = false;
                for (path, stamp) in &now {
                    if before.get(path) != Some(stamp) {
                        if tx.send(path.clone()).is_err() {
                            return; // The app has gone.
                        }
                        changed = true;
                    }
                }
                before = now;
                if changed && let Some(p) = &proxy {
                    let _ = p.send_event(bevy::winit::WinitUserEvent::WakeUp);
                }
            }
        });
    if let Err(e) = spawned {
        warn!("scenario files will not reload by themselves: {e}");
    }
}

fn reload_changed(
    changes: Option<Res<Changes>>,
    server: Res<AssetServer>,
    mut handles: ResMut<ScenarioHandles>,
) {
    let Some(changes) = changes else { return };
    let Ok(rx) = changes.0.lock() else { return };
    for path in rx.try_iter() {
        if handles.0.iter().any(|(p, _)| *p == path) {
            server.reload(path);
        } else {
            let h = server.load::<ScenarioAsset>(path.clone());
            handles.0.push((path, h));
        }
    }
}

/// Keeps frames coming while any scenario is loading, so results appear
/// without waiting for input; then the app goes back to sleep.
fn draw_while_loading(
    server: Res<AssetServer>,
    handles: Res<ScenarioHandles>,
    redraw: Option<MessageWriter<RequestRedraw>>,
) {
    if handles.0.iter().any(|(_, h)| {
        matches!(
            server.load_state(h.id()),
            LoadState::Loading | LoadState::NotLoaded
        )
    }) {
        // No window (headless tests): nothing to wake.
        if let Some(mut r) = redraw {
            r.write(RequestRedraw);
        }
    }
}
