//! `--autoplay DIR`: plays the first bundled scenario through with scripted
//! choices (solo, a class vote, the hot seat, then a few drills), saves a
//! screenshot of every screen under DIR, then quits. The
//! end-to-end test and the README's screenshots use it. With
//! `IPT_TRAINER_AUTOPLAY=drills` it shows only the library, the drills and
//! History's skills: the end-to-end test's second window size.

use super::assets::Catalog;
use super::{Practising, Screen, UiAction};
use crate::core::session::Session;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy::winit::WinitSettings;
use std::path::PathBuf;

/// Which scenario autoplay uses.
pub const SCENARIO: &str = "grief-initial-rosa";

/// Which case autoplay opens (its first session is [`SCENARIO`]).
pub const CASE: &str = "grief-rosa";

#[derive(Resource)]
struct Script {
    dir: PathBuf,
    step: usize,
    wait: u32,
    /// Only the library and the drill screens (`IPT_TRAINER_AUTOPLAY=drills`).
    drills_only: bool,
    /// `IPT_TRAINER_AUTOPLAY=a11y`: the library, a session and its debrief,
    /// each held until a screen-reader test has read the accessibility
    /// tree: autoplay writes `DIR/<screen>.ready` and goes on when
    /// `DIR/<screen>.done` appears.
    a11y: bool,
    /// The screen a reader is reading (a11y).
    held: Option<String>,
    /// `IPT_TRAINER_AUTOPLAY=room`: a class vote on devices, served on
    /// 127.0.0.1, driven by a test that votes from browsers (see
    /// [`room_commands`]).
    room: bool,
    /// The last command of the room's test carried out.
    room_seq: u64,
}

/// The first step of the drills, and of the screens after them.
const DRILLS_FROM: usize = 29;
/// The first step of the class vote on devices (`IPT_TRAINER_AUTOPLAY=room`).
const ROOM_FROM: usize = 60;

pub fn plugin(dir: PathBuf) -> impl Fn(&mut App) {
    move |app: &mut App| {
        let _ = std::fs::create_dir_all(&dir);
        app.insert_resource(WinitSettings::game())
            .insert_resource(Script {
                dir: dir.clone(),
                step: 0,
                wait: 0,
                drills_only: std::env::var("IPT_TRAINER_AUTOPLAY").is_ok_and(|v| v == "drills"),
                a11y: std::env::var("IPT_TRAINER_AUTOPLAY").is_ok_and(|v| v == "a11y"),
                held: None,
                room: std::env::var("IPT_TRAINER_AUTOPLAY").is_ok_and(|v| v == "room"),
                room_seq: 0,
            })
            .init_resource::<FrameLog>()
            .add_systems(First, frame_begins)
            .add_systems(Update, drive.after(super::Actions))
            .add_systems(Last, (time_session_frames, frame_ends));
    }
}

impl Script {
    /// In the a11y run, waits here until the reader is done with `name`.
    fn hold(&mut self, name: &str) {
        if self.a11y {
            self.held = Some(name.to_string());
        }
    }
}

fn shot(commands: &mut Commands, dir: &std::path::Path, name: &str) {
    if std::env::var("IPT_TRAINER_AUTOPLAY").is_ok_and(|v| v == "a11y") {
        // A screen reader reads this screen instead (see `Script::a11y`).
        let _ = std::fs::write(dir.join(format!("{name}.ready")), name);
        return;
    }
    commands
        .spawn(Screenshot::primary_window())
        .observe(save_to_disk(dir.join(format!("{name}.png"))));
}

fn drive(
    mut commands: Commands,
    mut script: ResMut<Script>,
    catalog: Res<Catalog>,
    practice: Res<Practising>,
    drilling: Res<super::drills::Drilling>,
    screen: Res<State<Screen>>,
    mut out: MessageWriter<UiAction>,
    mut exit: MessageWriter<AppExit>,
    room: Res<super::room::ClassRoom>,
    mut frames: ResMut<FrameLog>,
    mut keys: MessageWriter<KeyboardInput>,
    windows: Query<Entity, With<bevy::window::PrimaryWindow>>,
) {
    if let Some(name) = script.held.clone() {
        if script.dir.join(format!("{name}.done")).exists() {
            script.held = None;
        } else {
            return;
        }
    }
    // Let a few frames draw after each step before the next.
    if script.wait > 0 {
        script.wait -= 1;
        return;
    }
    let dir = script.dir.clone();
    let step = script.step;
    script.wait = 12;
    script.step += 1;
    if script.drills_only && step == 2 {
        script.step = DRILLS_FROM;
        return;
    }
    if script.room && step == 1 {
        script.step = ROOM_FROM;
        return;
    }
    match step {
        0 => {
            if catalog.by_id(SCENARIO).is_none() {
                script.step = 0;
                script.wait = 5;
            }
        }
        1 => {
            shot(&mut commands, &dir, "1-library");
            script.hold("1-library");
        }
        // The solo session, then the class vote, then the hot seat.
        2 | 16 | 22 => {
            out.write(UiAction::Select(SCENARIO.into()));
        }
        3 => shot(&mut commands, &dir, "2-briefing"),
        4 => {
            out.write(UiAction::SetCoach(true));
            out.write(UiAction::Start);
        }
        5..=8 => {
            // A few moves: the best-scoring option each time.
            if let Some(p) = practice.session().and_then(Session::best_position) {
                out.write(UiAction::Choose(p));
            }
        }
        9 => {
            shot(&mut commands, &dir, "3-session");
            script.hold("3-session");
        }
        10 => {
            // Play on to an ending.
            match practice.session() {
                Some(s) if !s.is_ended() && *screen.get() == Screen::Session => {
                    if let Some(p) = s.best_position() {
                        out.write(UiAction::Choose(p));
                    }
                    script.step = 10;
                    script.wait = 3;
                }
                _ => {}
            }
        }
        11 => {
            shot(&mut commands, &dir, "4-debrief");
            script.hold("4-debrief");
        }
        12 if script.a11y => {
            exit.write(AppExit::Success);
        }
        12 | 40 => {
            out.write(UiAction::Go(Screen::History));
        }
        13 => shot(&mut commands, &dir, "5-history"),
        14 => {
            out.write(UiAction::Go(Screen::Settings));
        }
        15 => shot(&mut commands, &dir, "6-settings"),
        // A class vote in presenter view, then its discussion.
        17 => {
            out.write(UiAction::SetGroup(super::GroupSetup {
                mode: Some(crate::core::group::GroupMode::ClassVote),
                name: "Seminar B".into(),
                ..super::GroupSetup::default()
            }));
            out.write(UiAction::Start);
        }
        18 => {
            for (position, votes) in [(1, 4), (2, 9), (3, 2)] {
                for _ in 0..votes {
                    out.write(UiAction::Vote(position, 1));
                }
            }
        }
        19 => shot(&mut commands, &dir, "7-class-vote"),
        20 => match practice.session() {
            Some(s) if !s.is_ended() && *screen.get() == Screen::Session => {
                out.write(UiAction::PlayVote(s.best_position()));
                script.step = 20;
                script.wait = 3;
            }
            _ => {}
        },
        21 => shot(&mut commands, &dir, "8-group-debrief"),
        // The hot seat, two moves in.
        23 => {
            out.write(UiAction::SetGroup(super::GroupSetup {
                mode: Some(crate::core::group::GroupMode::HotSeat),
                name: "Seminar B".into(),
                roster: "Ana\nBen\nChiara".into(),
                ..super::GroupSetup::default()
            }));
        }
        24 => shot(&mut commands, &dir, "9-hot-seat-setup"),
        25 => {
            out.write(UiAction::Start);
        }
        26 | 27 => {
            if let Some(p) = practice.session().and_then(Session::best_position) {
                out.write(UiAction::Choose(p));
            }
        }
        28 => shot(&mut commands, &dir, "10-hot-seat"),
        // Practise skills: a miss, the retry, one more, the summary.
        DRILLS_FROM => {
            out.write(UiAction::Go(Screen::Drills));
        }
        30 => shot(&mut commands, &dir, "11-drills"),
        31 => {
            out.write(UiAction::StartDrills);
        }
        32 => {
            if let Some(d) = drilling.drill.as_ref() {
                let best = d.point().best;
                out.write(UiAction::DrillAnswer(if best == 1 { 2 } else { 1 }));
            }
        }
        33 => shot(&mut commands, &dir, "12-drill-miss"),
        34 | 36 => {
            if let Some(d) = drilling.drill.as_ref() {
                out.write(UiAction::DrillAnswer(d.point().best));
            }
        }
        35 => {
            out.write(UiAction::NextDrill);
        }
        37 => shot(&mut commands, &dir, "13-drill-right"),
        38 => {
            out.write(UiAction::EndDrills);
        }
        39 => shot(&mut commands, &dir, "14-drills-summary"),
        41 => shot(&mut commands, &dir, "15-history-skills"),
        // A course with one client: its page, its first session played
        // through, the debrief, and the page before the next session.
        42 if !script.drills_only => {
            out.write(UiAction::OpenCase(CASE.into()));
        }
        43 => shot(&mut commands, &dir, "16-course"),
        44 | 49 => {
            out.write(UiAction::BeginCaseSession);
        }
        // Each case session: the best move until it ends (the step repeats).
        45 | 50 => {
            if let Some(s) = practice.session()
                && !s.is_ended()
                && *screen.get() == Screen::Session
            {
                if let Some(p) = s.best_position() {
                    out.write(UiAction::Choose(p));
                }
                script.step = step;
                script.wait = 3;
            }
        }
        46 => shot(&mut commands, &dir, "17-course-debrief"),
        47 | 51 => {
            out.write(UiAction::OpenCase(CASE.into()));
        }
        48 => shot(&mut commands, &dir, "18-course-next"),
        // After the second session, the case's page with two played: the
        // chart, and (End scrolls there) where session 1 shaped session 7.
        52 => shot(&mut commands, &dir, "19-course-two-played"),
        53 => press_end(&mut keys, &windows),
        54 => shot(&mut commands, &dir, "20-course-shaped"),
        55 => {}
        // The class vote on devices, on this computer only.
        ROOM_FROM => {
            out.write(UiAction::Select(SCENARIO.into()));
            out.write(UiAction::SetGroup(super::GroupSetup {
                mode: Some(crate::core::group::GroupMode::ClassVote),
                name: "Seminar B".into(),
                devices: true,
                network: Some(std::net::Ipv4Addr::LOCALHOST.into()),
                port: 0,
                ..super::GroupSetup::default()
            }));
        }
        // The setup of the devices is at the foot of the briefing.
        61 => press_end(&mut keys, &windows),
        62 => shot(&mut commands, &dir, "room-setup"),
        63 => {
            out.write(UiAction::Start);
        }
        64 => {
            if let Some(live) = room.live.as_ref() {
                let v = live.view();
                let json = serde_json::json!({
                    "url": v.url,
                    "join_url": live.server().join_url(),
                    "code": v.projector.code,
                });
                let _ = std::fs::write(dir.join("room.json"), json.to_string());
            } else {
                script.step = 64;
            }
        }
        65 => {
            // From here the test says what to do, until it says "quit".
            script.step = 65;
            script.wait = 2;
            room_commands(
                &mut commands,
                &mut script,
                &practice,
                &mut frames,
                &mut out,
                &mut exit,
            );
        }
        _ => {
            exit.write(AppExit::Success);
        }
    }
}

/// The room's test drives the app through `DIR/command`: a line
/// `SEQ shot NAME` (the projector's counts to `NAME.json`, the window to
/// `NAME.png`), `SEQ frames NAME` (the frames since the last `frames` to
/// `NAME.json`: see [`FrameLog`]), `SEQ play` (close the vote and play the
/// majority), `SEQ finish` or `SEQ quit`. Each is done once, and `DIR/ack`
/// then holds SEQ.
fn room_commands(
    commands: &mut Commands,
    script: &mut Script,
    practice: &Practising,
    frames: &mut FrameLog,
    out: &mut MessageWriter<UiAction>,
    exit: &mut MessageWriter<AppExit>,
) {
    let Ok(text) = std::fs::read_to_string(script.dir.join("command")) else {
        return;
    };
    let mut words = text.split_whitespace();
    let Some(seq) = words.next().and_then(|w| w.parse::<u64>().ok()) else {
        return;
    };
    if seq <= script.room_seq {
        return;
    }
    match (words.next(), words.next()) {
        (Some("shot"), Some(name)) => {
            let counts = practice
                .practice
                .as_ref()
                .and_then(crate::core::practice::Practice::group)
                .map(|g| g.votes().counts().to_vec())
                .unwrap_or_default();
            let json = serde_json::json!({ "counts": counts });
            let _ = std::fs::write(script.dir.join(format!("{name}.json")), json.to_string());
            shot(commands, &script.dir, name);
        }
        (Some("frames"), Some(name)) => {
            let json = serde_json::json!({
                "work_ms": frames.work,
                "interval_ms": frames.interval,
            });
            let _ = std::fs::write(script.dir.join(format!("{name}.json")), json.to_string());
            frames.work.clear();
            frames.interval.clear();
        }
        (Some("play"), _) => {
            out.write(UiAction::PlayVote(None));
        }
        (Some("finish"), _) => {
            out.write(UiAction::Finish);
        }
        (Some("quit"), _) => {
            exit.write(AppExit::Success);
        }
        _ => {}
    }
    script.room_seq = seq;
    let _ = std::fs::write(script.dir.join("ack"), seq.to_string());
}

/// Presses and releases End, as a keyboard would (it scrolls a long page
/// to its foot).
fn press_end(
    keys: &mut MessageWriter<KeyboardInput>,
    windows: &Query<Entity, With<bevy::window::PrimaryWindow>>,
) {
    if let Ok(window) = windows.single() {
        for state in [ButtonState::Pressed, ButtonState::Released] {
            keys.write(KeyboardInput {
                key_code: KeyCode::End,
                logical_key: Key::End,
                state,
                text: None,
                repeat: false,
                window,
            });
        }
    }
}

/// The frames since the room's test last asked (`frames NAME`): each
/// frame's work in the main schedule (`First` to `Last`: input, the
/// room's sync, egui's layout), and the time from one frame's start to
/// the next (what the projector's viewer sees, rendering included), in
/// milliseconds. Autoplay draws continuously, so both run all the time.
#[derive(Resource, Default)]
struct FrameLog {
    began: Option<std::time::Instant>,
    work: Vec<f64>,
    interval: Vec<f64>,
}

/// At most this many frames are kept between two reads.
const FRAME_LOG_MAX: usize = 100_000;

fn frame_begins(mut log: ResMut<FrameLog>) {
    let now = std::time::Instant::now();
    if let Some(before) = log.began
        && log.interval.len() < FRAME_LOG_MAX
    {
        log.interval
            .push(now.duration_since(before).as_secs_f64() * 1e3);
    }
    log.began = Some(now);
}

fn frame_ends(mut log: ResMut<FrameLog>) {
    if let Some(began) = log.began
        && log.work.len() < FRAME_LOG_MAX
    {
        log.work.push(began.elapsed().as_secs_f64() * 1e3);
    }
}

/// With `IPT_TRAINER_PERF_SESSION=FILE`: the mean frame time while the
/// session screen is drawn continuously, written when the session ends.
fn time_session_frames(
    screen: Res<State<Screen>>,
    mut timing: Local<Option<(std::time::Instant, u64)>>,
    mut written: Local<bool>,
) {
    let Some(file) = std::env::var_os("IPT_TRAINER_PERF_SESSION") else {
        return;
    };
    if *screen.get() == Screen::Session {
        let t = timing.get_or_insert((std::time::Instant::now(), 0));
        t.1 += 1;
    } else if let Some((start, frames)) = *timing
        && !*written
        && frames > 1
    {
        let ms = start.elapsed().as_secs_f64() * 1000.0 / frames as f64;
        let json = format!("{{\"session_frames\": {frames}, \"session_frame_ms\": {ms:.2}}}");
        let _ = std::fs::write(file, json);
        *written = true;
    }
}
