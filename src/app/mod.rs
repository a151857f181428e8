//! The desktop app: Bevy + egui. It only draws the core's state and routes
//! the trainee's input back to it; every rule lives in `crate::core`.

pub mod a11y;
pub mod assets;
#[cfg(feature = "dev")]
pub mod autoplay;
pub mod cases;
pub mod drills;
pub mod face;
pub mod idle;
#[cfg(feature = "dev")]
pub mod perf;
pub mod practice;
pub mod room;
pub mod screens;
pub mod state;
pub mod theme;
pub mod watch;
pub mod widgets;

pub use state::{
    Actions, GroupSetup, History, Practising, Prefs, Resumable, Rubric, ScenarioRoots, Screen,
    Selected, UiAction, Viewing,
};

use crate::core::rubric::Guidance;
use crate::core::store::Store;
use bevy::prelude::*;
use bevy::winit::WinitSettings;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub struct AppOptions {
    pub guidance: Arc<Guidance>,
    pub guidance_path: Option<PathBuf>,
    pub extra_scenarios: Option<PathBuf>,
    /// A tutor's drill plan to open "Practise skills" with (`--drill-plan`).
    pub drill_plan: Option<PathBuf>,
    /// Play through with scripted choices and screenshots (`--autoplay`).
    #[cfg(feature = "dev")]
    pub autoplay: Option<PathBuf>,
}

/// Starts the desktop app.
pub fn run(opts: AppOptions) -> ExitCode {
    let store = Store::open_default();
    let (settings, problem) = store.load_settings();
    let mut notices = Vec::new();
    if let Some(p) = problem {
        notices.push(p.to_string());
    }
    let mut roots = vec![(assets::BUNDLED_SOURCE.to_string(), bundled_scenarios_dir())];
    if let Some(dir) = opts
        .extra_scenarios
        .clone()
        .or(settings.tutor_folder.clone())
    {
        if dir.is_dir() {
            roots.push((assets::TUTOR_SOURCE.to_string(), dir));
        } else {
            notices.push(format!(
                "The scenario folder {} does not exist; only the bundled scenarios are shown.",
                dir.display()
            ));
        }
    }
    let mut app = App::new();
    register_scenario_sources(&mut app, &roots);
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "IPT Trainer".into(),
                    resolution: window_size().into(),
                    ..default()
                }),
                ..default()
            })
            .set(AssetPlugin {
                meta_check: bevy::asset::AssetMetaCheck::Never,
                // Our own watcher (`watch`) reloads changed files, also while idle.
                watch_for_changes_override: Some(false),
                ..default()
            }),
    )
    .add_plugins((bevy_egui::EguiPlugin::default(), idle::plugin))
    .insert_resource(WinitSettings::desktop_app())
    .insert_resource(ClearColor(Color::srgb(0.96, 0.96, 0.95)))
    .insert_resource(Prefs { settings, store })
    .add_systems(Startup, spawn_camera);
    add_logic(&mut app, roots, opts.guidance);
    if let Some(plan) = opts.drill_plan {
        app.insert_resource(drills::Drilling::opening(plan))
            .insert_state(Screen::Drills);
    }
    app.insert_resource(assets::Notices(notices));
    app.add_plugins(ui_plugin);
    #[cfg(feature = "dev")]
    add_dev_tools(&mut app, opts.autoplay);
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(_) => ExitCode::FAILURE,
    }
}

/// Registers each scenario folder as an asset source. Must come before
/// `AssetPlugin` (part of `DefaultPlugins`).
pub fn register_scenario_sources(app: &mut App, roots: &[(String, PathBuf)]) {
    for (name, dir) in roots {
        app.register_asset_source(
            name.clone(),
            bevy::asset::io::AssetSourceBuilder::platform_default(&dir.to_string_lossy(), None),
        );
    }
}

/// Everything but drawing, after `AssetPlugin`: the scenario loader, the
/// rubric and the logic plugin. The headless tests use this too.
pub fn add_logic(app: &mut App, roots: Vec<(String, PathBuf)>, guidance: Arc<Guidance>) {
    app.register_asset_loader(assets::ScenarioLoader {
        roots: roots.clone(),
    })
    .insert_resource(ScenarioRoots(roots))
    .insert_resource(Rubric(guidance))
    .add_plugins(logic_plugin);
}

/// The window's size: 1280x800, or `IPT_TRAINER_WINDOW=WxH`.
fn window_size() -> (u32, u32) {
    std::env::var("IPT_TRAINER_WINDOW")
        .ok()
        .and_then(|v| {
            let (w, h) = v.split_once('x')?;
            Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
        })
        .filter(|&(w, h): &(u32, u32)| (640..=7680).contains(&w) && (480..=4320).contains(&h))
        .unwrap_or((1280, 800))
}

/// The folder of bundled scenarios (see [`crate::core::load::bundled_scenarios_dir`]).
pub fn bundled_scenarios_dir() -> PathBuf {
    crate::core::load::bundled_scenarios_dir()
}

fn spawn_camera(mut commands: Commands) {
    commands.spawn(Camera2d);
}

/// Everything but drawing: states, resources, scenario assets and actions.
/// The headless tests run this with `MinimalPlugins`.
pub fn logic_plugin(app: &mut App) {
    app.init_state::<Screen>()
        .add_message::<UiAction>()
        .init_resource::<Selected>()
        .init_resource::<Practising>()
        .init_resource::<Viewing>()
        .init_resource::<History>()
        .init_resource::<Resumable>()
        .init_resource::<room::ClassRoom>()
        .add_plugins((assets::plugin, watch::plugin, drills::plugin, cases::plugin))
        .add_systems(Startup, load_history_and_resume)
        .add_systems(
            Update,
            (
                screens::apply_navigation,
                screens::library::apply_actions,
                screens::briefing::apply_actions,
                practice::apply_actions,
                screens::history::apply_actions,
                screens::settings::apply_actions,
                screens::debrief::apply_actions,
                drills::apply_actions,
            )
                .chain()
                .in_set(Actions),
        )
        .add_systems(Update, room::sync.after(Actions));
}

/// The egui screens.
pub fn ui_plugin(app: &mut App) {
    app.add_plugins((theme::plugin, screens::plugin));
}

fn load_history_and_resume(
    prefs: Option<Res<Prefs>>,
    mut history: ResMut<History>,
    mut resumable: ResMut<Resumable>,
    mut notices: ResMut<assets::Notices>,
) {
    let Some(prefs) = prefs else { return };
    let (records, drills, problems) = prefs.store.load_all();
    history.records = records;
    history.drills = drills;
    notices.0.extend(problems.iter().map(ToString::to_string));
    let (p, problem) = prefs.store.load_in_progress();
    resumable.0 = p;
    notices.0.extend(problem.map(|p| p.to_string()));
}

/// The developer tools: `--autoplay`, the performance probe
/// (`IPT_TRAINER_PERF`), repaint logging (`IPT_DEBUG_REPAINT`).
#[cfg(feature = "dev")]
fn add_dev_tools(app: &mut App, autoplay: Option<PathBuf>) {
    if std::env::var_os("IPT_DEBUG_REPAINT").is_some() {
        app.add_systems(bevy_egui::EguiPrimaryContextPass, log_repaint_causes);
    }
    if let Some(probe) = perf::from_env(true).filter(|_| autoplay.is_none()) {
        app.add_plugins(perf::plugin(probe));
    }
    if let Some(dir) = autoplay {
        app.add_plugins(autoplay::plugin(dir));
    }
}

/// With `IPT_DEBUG_REPAINT` set, logs why egui asked for another frame.
#[cfg(feature = "dev")]
fn log_repaint_causes(mut contexts: bevy_egui::EguiContexts, mut n: Local<u32>) -> Result {
    let ctx = contexts.ctx_mut()?;
    *n += 1;
    if (*n).is_multiple_of(10) {
        let causes = ctx.repaint_causes();
        let events = ctx.input(|i| {
            format!(
                "{:?} pointer-wants {:?}",
                i.raw.events,
                i.pointer.latest_pos()
            )
        });
        info!(
            "frame {}: repaint causes {:?}; input {}",
            *n, causes, events
        );
    }
    Ok(())
}
