//! The desktop app: Bevy + egui. It only draws the core's state and routes
//! the trainee's input back to it; every rule lives in `crate::core`.

pub mod assets;
pub mod autoplay;
pub mod face;
pub mod idle;
pub mod perf;
pub mod screens;
pub mod theme;
pub mod watch;

use crate::core::debrief::Debrief;
use crate::core::group::{GroupMode, GroupPlay, Roster, VoteOutcome};
use crate::core::model::Scenario;
use crate::core::rubric::Guidance;
use crate::core::session::Session;
use crate::core::store::{AttemptRecord, InProgress, Settings, Store};
use bevy::prelude::*;
use bevy::winit::WinitSettings;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub struct AppOptions {
    pub guidance: Arc<Guidance>,
    pub guidance_path: Option<PathBuf>,
    pub extra_scenarios: Option<PathBuf>,
    pub autoplay: Option<PathBuf>,
}

/// The screens, one plugin each under `screens/`.
#[derive(States, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    #[default]
    Library,
    Briefing,
    Session,
    Debrief,
    History,
    Settings,
}

/// The rubric in use.
#[derive(Resource, Clone)]
pub struct Rubric(pub Arc<Guidance>);

/// Asset sources for scenarios: name and folder.
#[derive(Resource, Clone, Default)]
pub struct ScenarioRoots(pub Vec<(String, PathBuf)>);

/// Settings and where they (and the records) are kept.
#[derive(Resource)]
pub struct Prefs {
    pub settings: Settings,
    pub store: Store,
}

/// The scenario chosen in the library, by id.
#[derive(Resource, Default, Debug)]
pub struct Selected {
    pub id: Option<String>,
    pub coach: bool,
    /// How a group will play it (solo when `mode` is `None`).
    pub group: GroupSetup,
}

/// A group exercise as set up on the briefing screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSetup {
    pub mode: Option<GroupMode>,
    /// The group's name, credited in the records.
    pub name: String,
    /// The hot seat's names, one per line or separated by commas.
    pub roster: String,
    /// Large type and high contrast, for a projector.
    pub presenter: bool,
}

impl Default for GroupSetup {
    fn default() -> Self {
        GroupSetup {
            mode: None,
            name: String::new(),
            roster: String::new(),
            presenter: true,
        }
    }
}

/// The session being played.
#[derive(Resource, Default)]
pub struct Practice {
    pub session: Option<Session>,
    /// The group playing it, if any.
    pub group: Option<GroupPlay>,
    /// Presenter view is on for this session.
    pub presenter: bool,
    pub coach: bool,
    pub hash: String,
    /// Where the finished attempt was saved.
    pub saved_to: Option<PathBuf>,
    /// Moves at the start repeated from an attempt already recorded (a retry).
    pub replayed: usize,
}

/// The debrief on screen (just finished, or opened from history).
#[derive(Resource, Default)]
pub struct Viewing {
    pub debrief: Option<Debrief>,
    pub client_name: String,
    pub record: Option<AttemptRecord>,
}

/// Past attempts, loaded at start and after each one.
#[derive(Resource, Default)]
pub struct History {
    pub records: Vec<AttemptRecord>,
}

/// A session from an earlier run that can be resumed.
#[derive(Resource, Default)]
pub struct Resumable(pub Option<InProgress>);

/// What the trainee asked for; views return these and `apply_actions`
/// carries them out.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum UiAction {
    Go(Screen),
    Select(String),
    SetCoach(bool),
    /// Solo, class vote or hot seat, with names (briefing).
    SetGroup(GroupSetup),
    Start,
    Choose(usize),
    /// A class vote: one vote more (or, negative, fewer) for the option at
    /// this 1-based position.
    Vote(usize, i32),
    /// Several votes at once (keys pressed between two frames).
    Votes(Vec<(usize, i32)>),
    /// A class vote: the count for the option at this position, typed in.
    SetVotes(usize, u32),
    /// A class vote: play the majority's choice (`None`) or the tutor's pick.
    PlayVote(Option<usize>),
    /// Stop the session now and see the debrief.
    Finish,
    /// Rewind the session to just before this turn (1-based) and go on from there.
    RetryFrom(usize),
    OpenRecord(usize),
    Resume,
    DiscardResume,
    SaveSettings(Settings),
    Export(PathBuf),
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
    app.insert_resource(assets::Notices(notices));
    app.add_plugins(ui_plugin);
    if std::env::var_os("IPT_DEBUG_REPAINT").is_some() {
        app.add_systems(bevy_egui::EguiPrimaryContextPass, log_repaint_causes);
    }
    if let Some(probe) = perf::from_env(true).filter(|_| opts.autoplay.is_none()) {
        app.add_plugins(perf::plugin(probe));
    }
    if let Some(dir) = opts.autoplay {
        app.add_plugins(autoplay::plugin(dir));
    }
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

/// The folder of bundled scenarios: beside the program, in the working
/// directory, or in the source tree it was built from.
pub fn bundled_scenarios_dir() -> PathBuf {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("scenarios")));
    [
        beside_exe,
        Some(PathBuf::from("scenarios")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_dir())
    .map_or_else(
        || PathBuf::from("scenarios"),
        |p| std::fs::canonicalize(&p).unwrap_or(p),
    )
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
        .init_resource::<Practice>()
        .init_resource::<Viewing>()
        .init_resource::<History>()
        .init_resource::<Resumable>()
        .add_plugins((assets::plugin, watch::plugin))
        .add_systems(Startup, load_history_and_resume)
        .add_systems(Update, apply_actions);
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
    let (records, problems) = prefs.store.load_attempts();
    history.records = records;
    notices.0.extend(problems.iter().map(ToString::to_string));
    let (p, problem) = prefs.store.load_in_progress();
    resumable.0 = p;
    notices.0.extend(problem.map(|p| p.to_string()));
}

fn start_session(
    scenario: Arc<Scenario>,
    rubric: &Rubric,
    seed: u64,
    positions: &[usize],
) -> Result<Session, String> {
    Session::replay(scenario, rubric.0.clone(), seed, positions).map_err(|e| e.to_string())
}

/// Carries out the trainee's actions on the core.
#[allow(clippy::too_many_lines, reason = "one match over every action")]
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    mut next: ResMut<NextState<Screen>>,
    mut selected: ResMut<Selected>,
    mut practice: ResMut<Practice>,
    mut viewing: ResMut<Viewing>,
    mut history: ResMut<History>,
    mut resumable: ResMut<Resumable>,
    mut notices: ResMut<assets::Notices>,
    catalog: Res<assets::Catalog>,
    rubric: Res<Rubric>,
    prefs: Option<ResMut<Prefs>>,
) {
    let mut prefs = prefs;
    // Borrow the session and the group apart.
    let practice: &mut Practice = &mut practice;
    for action in actions.read() {
        match action.clone() {
            UiAction::Go(screen) => next.set(screen),
            UiAction::Select(id) => {
                selected.id = Some(id);
                // A shared machine: the next person starts on their own
                // unless they set up a group again.
                selected.group = GroupSetup::default();
                selected.coach = prefs.as_ref().is_none_or(|p| p.settings.coach_by_default);
                next.set(Screen::Briefing);
            }
            UiAction::SetCoach(on) => selected.coach = on,
            UiAction::SetGroup(g) => selected.group = g,
            UiAction::Vote(position, delta) => {
                if let Some(g) = practice.group.as_mut() {
                    g.tally.change(position, delta);
                }
            }
            UiAction::SetVotes(position, count) => {
                if let Some(g) = practice.group.as_mut() {
                    g.tally.set(position, count);
                }
            }
            UiAction::Votes(votes) => {
                if let Some(g) = practice.group.as_mut() {
                    for (position, delta) in votes {
                        g.tally.change(position, delta);
                    }
                }
            }
            UiAction::Start => {
                let Some(entry) = selected.id.as_deref().and_then(|id| catalog.by_id(id)) else {
                    notices
                        .0
                        .push("That scenario is no longer available.".into());
                    next.set(Screen::Library);
                    continue;
                };
                let Some(scenario) = entry.scenario.clone() else {
                    continue;
                };
                let group = match selected.group.mode {
                    None => None,
                    Some(GroupMode::HotSeat)
                        if Roster::parse(&selected.group.roster).is_empty() =>
                    {
                        notices.0.push(
                            "The hot seat needs names: write the trainees' names, one per line."
                                .into(),
                        );
                        continue;
                    }
                    Some(mode) => Some(GroupPlay::new(
                        mode,
                        &selected.group.name,
                        Roster::parse(&selected.group.roster),
                    )),
                };
                match start_session(scenario, &rubric, crate::cli::fresh_seed(), &[]) {
                    Ok(s) => {
                        *practice = Practice {
                            presenter: group.is_some() && selected.group.presenter,
                            // Meters stay hidden from a group until the debrief.
                            coach: selected.coach && group.is_none(),
                            group,
                            session: Some(s),
                            hash: entry.hash.clone(),
                            saved_to: None,
                            replayed: 0,
                        };
                        if let (Some(g), Some(s)) =
                            (practice.group.as_mut(), practice.session.as_ref())
                        {
                            g.new_choice_point(s);
                        }
                        // A new session replaces the unfinished one on disk.
                        resumable.0 = None;
                        save_progress(practice, prefs.as_deref(), &mut notices);
                        next.set(Screen::Session);
                    }
                    Err(e) => notices.0.push(e),
                }
            }
            UiAction::Choose(_) | UiAction::PlayVote(_) => {
                let Some(session) = practice.session.as_ref() else {
                    continue;
                };
                // What the group (if any) decides, and what it notes.
                let position = match (&action, practice.group.as_mut()) {
                    (UiAction::Choose(p), None) => Some(*p),
                    (UiAction::Choose(p), Some(g)) if g.mode == GroupMode::HotSeat => {
                        g.decide(session, Some(*p))
                    }
                    (UiAction::PlayVote(pick), Some(g)) if g.mode == GroupMode::ClassVote => {
                        let decided = g.decide(session, *pick);
                        if decided.is_none() {
                            notices.0.push(match g.tally.outcome() {
                                VoteOutcome::NoVotes => "No votes yet: enter the class's votes (keys 1-9), or pick an option to play.".into(),
                                _ => "It's a tie: pick one of the tied options to play.".into(),
                            });
                        }
                        decided
                    }
                    _ => None,
                };
                let Some(position) = position else {
                    continue;
                };
                let Some(session) = practice.session.as_mut() else {
                    continue;
                };
                if let Err(e) = session.choose(position) {
                    notices.0.push(e.to_string());
                    continue;
                }
                let ended = session.is_ended();
                if let (Some(g), Some(s)) = (practice.group.as_mut(), practice.session.as_ref()) {
                    g.new_choice_point(s);
                }
                save_progress(practice, prefs.as_deref(), &mut notices);
                if ended {
                    finish(
                        practice,
                        &mut viewing,
                        &mut history,
                        prefs.as_deref(),
                        &mut notices,
                    );
                    next.set(Screen::Debrief);
                }
            }
            UiAction::Finish => {
                // Ended before any move: nothing to record or debrief.
                if practice
                    .session
                    .as_ref()
                    .is_some_and(|s| s.turns().is_empty())
                {
                    practice.session = None;
                    practice.group = None;
                    if let Some(p) = prefs.as_deref() {
                        p.store.clear_in_progress();
                    }
                    notices
                        .0
                        .push("The session ended before any move, so nothing was recorded.".into());
                    next.set(Screen::Library);
                    continue;
                }
                if practice.session.is_some() {
                    finish(
                        practice,
                        &mut viewing,
                        &mut history,
                        prefs.as_deref(),
                        &mut notices,
                    );
                    next.set(Screen::Debrief);
                }
            }
            UiAction::RetryFrom(turn) => {
                let rewound = practice.session.as_ref().map(|s| s.rewind_to(turn));
                match rewound {
                    Some(Ok(s)) => {
                        if let Some(g) = practice.group.as_mut() {
                            g.rewind_to(turn);
                            g.new_choice_point(&s);
                        }
                        practice.session = Some(s);
                        practice.saved_to = None;
                        practice.replayed = turn - 1;
                        save_progress(practice, prefs.as_deref(), &mut notices);
                        next.set(Screen::Session);
                    }
                    Some(Err(e)) => notices.0.push(e.to_string()),
                    None => notices
                        .0
                        .push("Retry works on the session you just played.".into()),
                }
            }
            UiAction::OpenRecord(i) => {
                if let Some(r) = history.records.get(i) {
                    viewing.debrief = Some(r.debrief.clone());
                    viewing.client_name = catalog
                        .by_id(&r.scenario_id)
                        .and_then(|e| e.scenario.as_ref())
                        .map_or_else(|| "Client".into(), |s| s.client.name.clone());
                    viewing.record = Some(r.clone());
                    // A past attempt: nothing to retry, and the screen in
                    // the trainee's own look.
                    practice.session = None;
                    practice.group = None;
                    practice.presenter = false;
                    next.set(Screen::Debrief);
                }
            }
            UiAction::Resume => {
                let Some(p) = resumable.0.take() else {
                    continue;
                };
                let Some(entry) = catalog.by_id(&p.scenario_id) else {
                    notices.0.push(format!(
                        "The scenario `{}` of the unfinished session is not loaded (yet); try again in a moment.",
                        p.scenario_id
                    ));
                    resumable.0 = Some(p);
                    continue;
                };
                let Some(scenario) = entry.scenario.clone() else {
                    continue;
                };
                if entry.hash != p.scenario_hash {
                    notices.0.push("The scenario changed since the unfinished session; it was replayed on the new version as far as possible.".into());
                }
                let mut positions = p.positions.clone();
                let session = loop {
                    match start_session(scenario.clone(), &rubric, p.seed, &positions) {
                        Ok(s) => break Some(s),
                        Err(_) if !positions.is_empty() => {
                            positions.pop();
                        }
                        Err(e) => {
                            notices.0.push(e);
                            break None;
                        }
                    }
                };
                if let Some(s) = session {
                    selected.id = Some(p.scenario_id.clone());
                    let mut group = p.group.as_ref().map(GroupPlay::from_record);
                    if let Some(g) = group.as_mut() {
                        g.rewind_to(s.turns().len() + 1);
                        g.new_choice_point(&s);
                    }
                    *practice = Practice {
                        presenter: group.is_some(),
                        group,
                        session: Some(s),
                        coach: p.coach_mode,
                        hash: entry.hash.clone(),
                        saved_to: None,
                        replayed: 0,
                    };
                    next.set(Screen::Session);
                }
            }
            UiAction::DiscardResume => {
                resumable.0 = None;
                if let Some(p) = prefs.as_deref() {
                    p.store.clear_in_progress();
                }
            }
            UiAction::SaveSettings(s) => {
                if let Some(p) = prefs.as_deref_mut() {
                    p.settings = s;
                    if let Err(e) = p.store.save_settings(&p.settings) {
                        notices.0.push(format!("Settings could not be saved: {e}"));
                    }
                }
            }
            UiAction::Export(path) => {
                let record = viewing.record.clone();
                match record {
                    Some(r) => match crate::core::store::write_record(&path, &r) {
                        Ok(()) => notices.0.push(format!("Exported to {}", path.display())),
                        Err(e) => notices.0.push(format!("Export failed: {e}")),
                    },
                    None => notices
                        .0
                        .push("There is no finished attempt to export.".into()),
                }
            }
        }
    }
}

fn save_progress(practice: &Practice, prefs: Option<&Prefs>, notices: &mut assets::Notices) {
    let (Some(s), Some(prefs)) = (practice.session.as_ref(), prefs) else {
        return;
    };
    if s.is_ended() {
        prefs.store.clear_in_progress();
        return;
    }
    let p = InProgress {
        scenario_id: s.scenario().id.clone(),
        scenario_hash: practice.hash.clone(),
        seed: s.seed(),
        positions: s.positions(),
        coach_mode: practice.coach,
        group: practice.group.as_ref().map(GroupPlay::record),
    };
    if let Err(e) = prefs.store.save_in_progress(&p) {
        notices
            .0
            .push(format!("The session could not be saved: {e}"));
    }
}

fn finish(
    practice: &mut Practice,
    viewing: &mut Viewing,
    history: &mut History,
    prefs: Option<&Prefs>,
    notices: &mut assets::Notices,
) {
    let Some(s) = practice.session.as_ref() else {
        return;
    };
    let trainee = match &practice.group {
        Some(g) => g.label(),
        None => prefs
            .map(|p| p.settings.trainee.clone())
            .unwrap_or_default(),
    };
    let mut record = AttemptRecord::from_session(s, &trainee, practice.coach);
    record.group = practice.group.as_ref().map(GroupPlay::record);
    record.replayed_turns = practice.replayed;
    let debrief = record.debrief.clone();
    if let Some(p) = prefs {
        p.store.clear_in_progress();
        if practice.saved_to.is_none() {
            match p.store.save_attempt(&record) {
                Ok(path) => practice.saved_to = Some(path),
                Err(e) => notices
                    .0
                    .push(format!("The attempt could not be saved: {e}")),
            }
        }
    }
    history.records.push(record.clone());
    viewing.client_name.clone_from(&s.scenario().client.name);
    viewing.debrief = Some(debrief);
    viewing.record = Some(record);
}

/// With `IPT_DEBUG_REPAINT` set, logs why egui asked for another frame.
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
