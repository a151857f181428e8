//! Practise skills: the drills' actions. The catalogue of choice points, the
//! plan, the replay and the feedback are the core's (`core::drill`); this
//! file keeps the session of drills on screen, saves it after every answer
//! and carries notices.

use super::assets::{Catalog, Notices};
use super::state::{History, Prefs, Rubric, ScenarioRoots, Screen, UiAction};
use crate::core::drill::{Catalogue, Drill, DrillRecord, DrillRun, Setup, new_run};
use crate::core::load::{self, DrillPlan};
use crate::core::practice::fresh_seed;
use crate::core::store::now_secs;
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// What the trainee asks to drill.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DrillFocus {
    /// The weakest skills first (the profile decides).
    #[default]
    Weakest,
    /// One principle, by its id in the rubric.
    Principle(String),
    /// A tutor's plan, by its place in [`Drilling::plans`].
    Plan(usize),
}

/// The "Practise skills" form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillForm {
    pub focus: DrillFocus,
    /// How many drills (a plan's own count when a plan is chosen and this
    /// is left as it was).
    pub count: usize,
}

impl Default for DrillForm {
    fn default() -> Self {
        DrillForm {
            focus: DrillFocus::Weakest,
            count: crate::core::drill::select::DEFAULT_DRILLS,
        }
    }
}

/// A tutor's drill plan file, as it loaded.
#[derive(Debug, Clone)]
pub struct PlanFile {
    pub file: PathBuf,
    /// The plan, if it has no errors.
    pub plan: Option<DrillPlan>,
    /// Its errors, each with file, line and column and how to fix it.
    pub problems: Vec<String>,
}

/// The session of drills on screen, and what the screen needs around it.
#[derive(Resource, Default)]
pub struct Drilling {
    /// The catalogue of the scenarios loaded, with the scenario hashes it
    /// was built from (it is rebuilt when they change).
    catalogue: Option<(Vec<String>, Arc<Catalogue>)>,
    pub run: Option<DrillRun>,
    /// The drill on screen.
    pub drill: Option<Drill>,
    /// After a miss, the trainee has chosen to see the better move rather
    /// than try again.
    pub revealed: bool,
    pub form: DrillForm,
    pub plans: Vec<PlanFile>,
    /// A plan to open with (`--drill-plan FILE`).
    pub opened_plan: Option<PathBuf>,
    /// The session of drills that ended last, for its summary.
    pub last: Option<DrillRecord>,
    /// Where the session on screen is saved (rewritten after every answer).
    pub saved_to: Option<PathBuf>,
}

impl Drilling {
    /// Opening the app with a tutor's plan (`--drill-plan FILE`).
    pub fn opening(plan: PathBuf) -> Drilling {
        Drilling {
            opened_plan: Some(plan),
            ..Drilling::default()
        }
    }

    /// The catalogue of the scenarios in the library now.
    pub fn catalogue(&mut self, catalog: &Catalog, rubric: &Rubric) -> Arc<Catalogue> {
        let scenarios: Vec<_> = catalog
            .entries
            .iter()
            .filter_map(|e| e.scenario.clone())
            .collect();
        let hashes: Vec<String> = catalog.entries.iter().map(|e| e.hash.clone()).collect();
        match &self.catalogue {
            Some((h, c)) if *h == hashes => c.clone(),
            _ => {
                let c = Arc::new(Catalogue::build(&scenarios, &rubric.0));
                self.catalogue = Some((hashes, c.clone()));
                c
            }
        }
    }

    /// The plan chosen in the form, if it loads.
    pub fn chosen_plan(&self) -> Option<&DrillPlan> {
        match self.form.focus {
            DrillFocus::Plan(i) => self.plans.get(i).and_then(|p| p.plan.as_ref()),
            _ => None,
        }
    }

    /// Whether the drill on screen waits for the trainee to go on: answered
    /// well, answered twice, or a miss whose better move was asked for.
    pub fn settled(&self) -> bool {
        self.drill
            .as_ref()
            .is_some_and(|d| d.is_done() || (self.revealed && !d.answers().is_empty()))
    }
}

pub fn plugin(app: &mut App) {
    app.init_resource::<Drilling>()
        .add_systems(OnEnter(Screen::Drills), load_plans)
        .add_systems(OnExit(Screen::Drill), end_on_leaving);
}

/// Reads the drill plans: the one opened with `--drill-plan`, and every
/// `*.drill.ron` in the scenario folders. A plan with errors is listed with
/// them (file, line, column), so the tutor sees what to fix.
pub fn load_plans(mut drilling: ResMut<Drilling>, roots: Res<ScenarioRoots>, rubric: Res<Rubric>) {
    let mut files: Vec<PathBuf> = drilling.opened_plan.iter().cloned().collect();
    for (_, dir) in &roots.0 {
        files.extend(load::drill_plan_files(dir).unwrap_or_default());
    }
    files.dedup();
    let before = drilling.plans.clone();
    drilling.plans = files
        .into_iter()
        .map(|file| {
            let loaded = load::load_drill_plan_file(&file, &rubric.0);
            let problems = loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect::<Vec<_>>();
            PlanFile {
                plan: if problems.is_empty() {
                    loaded.value
                } else {
                    None
                },
                file,
                problems,
            }
        })
        .collect();
    // A plan opened with `--drill-plan` is chosen from the start.
    if before.is_empty()
        && drilling.opened_plan.is_some()
        && drilling.plans.first().is_some_and(|p| p.plan.is_some())
    {
        drilling.form.focus = DrillFocus::Plan(0);
        if let Some(n) = drilling.plans[0].plan.as_ref().map(|p| p.count) {
            drilling.form.count = n;
        }
    }
    if let DrillFocus::Plan(i) = drilling.form.focus
        && i >= drilling.plans.len()
    {
        drilling.form.focus = DrillFocus::Weakest;
    }
}

/// Carries out the drills' actions.
#[allow(clippy::too_many_arguments)]
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    mut drilling: ResMut<Drilling>,
    mut history: ResMut<History>,
    mut notices: ResMut<Notices>,
    mut next: ResMut<NextState<Screen>>,
    catalog: Res<Catalog>,
    rubric: Res<Rubric>,
    prefs: Option<Res<Prefs>>,
) {
    let prefs = prefs.as_deref();
    for action in actions.read() {
        match action {
            UiAction::SetDrillForm(form) => {
                drilling.form = form.clone();
            }
            UiAction::StartDrills
                if start(&mut drilling, &history, &catalog, &rubric, &mut notices) =>
            {
                next.set(Screen::Drill);
            }
            UiAction::DrillAnswer(position) => {
                // Once settled (the better move shown), a number changes nothing.
                if drilling.settled() {
                    continue;
                }
                let Some(drill) = drilling.drill.as_mut() else {
                    continue;
                };
                match drill.answer(*position) {
                    // Saved at once: an answer is never lost to a crash or
                    // a closed window.
                    Ok(_) => {
                        save(&mut drilling, prefs, &mut notices);
                    }
                    Err(e) => notices.0.push(format!("{e}.")),
                }
            }
            UiAction::NextDrill => {
                let answered = drilling
                    .drill
                    .as_ref()
                    .is_some_and(|d| !d.answers().is_empty());
                if !answered {
                    continue;
                }
                // After a miss, the first "go on" shows the better move.
                if !drilling.settled() {
                    drilling.revealed = true;
                    continue;
                }
                if advance(&mut drilling, &catalog, &rubric, &mut notices) {
                    save(&mut drilling, prefs, &mut notices);
                } else {
                    end(&mut drilling, &mut history, prefs, &mut notices);
                    next.set(Screen::Drills);
                }
            }
            UiAction::EndDrills if drilling.run.is_some() => {
                end(&mut drilling, &mut history, prefs, &mut notices);
                next.set(Screen::Drills);
            }
            _ => {}
        }
    }
}

/// Leaving the drill screen another way (the top bar, Alt+L) ends the
/// session of drills; what was answered is kept.
fn end_on_leaving(
    mut drilling: ResMut<Drilling>,
    mut history: ResMut<History>,
    mut notices: ResMut<Notices>,
    prefs: Option<Res<Prefs>>,
) {
    if drilling.run.is_some() {
        end(&mut drilling, &mut history, prefs.as_deref(), &mut notices);
    }
}

/// Plans the drills as the form asks and opens the first. Returns whether
/// there is one to do.
fn start(
    drilling: &mut Drilling,
    history: &History,
    catalog: &Catalog,
    rubric: &Rubric,
    notices: &mut Notices,
) -> bool {
    let catalogue = drilling.catalogue(catalog, rubric);
    let principle = match &drilling.form.focus {
        DrillFocus::Principle(p) => Some(p.clone()),
        _ => None,
    };
    if let DrillFocus::Plan(i) = drilling.form.focus
        && drilling.chosen_plan().is_none()
    {
        let file = drilling
            .plans
            .get(i)
            .map_or_else(String::new, |p| p.file.display().to_string());
        notices.0.push(format!(
            "The drill plan {file} has errors (listed under it); fix them, or choose another focus."
        ));
        return false;
    }
    let setup = Setup {
        plan: drilling.chosen_plan(),
        principle,
        count: Some(drilling.form.count),
        seed: fresh_seed(),
        now: now_secs(),
    };
    let run = new_run(
        catalogue,
        &rubric.0,
        &history.records,
        &history.drills,
        &setup,
    );
    if run.current().is_none() {
        notices.0.push(
            "No drills match: no choice point of the scenarios loaded tests what was asked.".into(),
        );
        return false;
    }
    drilling.run = Some(run);
    drilling.drill = None;
    drilling.saved_to = None;
    drilling.last = None;
    open_current(drilling, catalog, rubric, notices)
}

/// Opens the run's current drill, skipping any that no longer replay (its
/// scenario was edited or removed). Returns whether one is open.
fn open_current(
    drilling: &mut Drilling,
    catalog: &Catalog,
    rubric: &Rubric,
    notices: &mut Notices,
) -> bool {
    drilling.revealed = false;
    drilling.drill = None;
    let Some(run) = drilling.run.as_mut() else {
        return false;
    };
    while let Some(q) = run.current() {
        let scenario = catalog
            .by_id(&q.point.scenario_id)
            .and_then(|e| e.scenario.clone());
        let opened = match scenario {
            Some(s) => Drill::start(&q.point, s, rubric.0.clone()).map_err(|e| e.to_string()),
            None => Err(format!("the scenario `{}` is gone", q.point.scenario_id)),
        };
        match opened {
            Ok(d) => {
                drilling.drill = Some(d);
                return true;
            }
            Err(e) => {
                notices.0.push(format!("A drill was skipped: {e}."));
                run.skip();
            }
        }
    }
    false
}

/// Keeps the drill on screen and opens the next. Returns whether there is one.
fn advance(
    drilling: &mut Drilling,
    catalog: &Catalog,
    rubric: &Rubric,
    notices: &mut Notices,
) -> bool {
    if let (Some(run), Some(d)) = (drilling.run.as_mut(), drilling.drill.as_ref()) {
        run.complete(d);
    }
    open_current(drilling, catalog, rubric, notices)
}

/// Saves the drills answered so far, over the same file each time.
/// Returns the record saved (`None` before any drill was answered).
fn save(
    drilling: &mut Drilling,
    prefs: Option<&Prefs>,
    notices: &mut Notices,
) -> Option<DrillRecord> {
    let trainee = prefs
        .map(|p| p.settings.trainee.clone())
        .unwrap_or_default();
    let record = drilling
        .run
        .as_ref()?
        .snapshot(&trainee, drilling.drill.as_ref())?;
    if let Some(prefs) = prefs {
        match prefs
            .store
            .save_drills_over(&record, drilling.saved_to.as_deref())
        {
            Ok(p) => drilling.saved_to = Some(p),
            Err(e) => notices
                .0
                .push(format!("The drills could not be saved: {e}")),
        }
    }
    Some(record)
}

/// Ends the session of drills: the drill on screen is kept if answered,
/// the record saved and added to History, the summary shown.
fn end(
    drilling: &mut Drilling,
    history: &mut History,
    prefs: Option<&Prefs>,
    notices: &mut Notices,
) {
    if let (Some(run), Some(d)) = (drilling.run.as_mut(), drilling.drill.as_ref())
        && !d.answers().is_empty()
        && run.current().is_some_and(|q| q.point.id == d.point().id)
    {
        run.complete(d);
    }
    let record = save(drilling, prefs, notices);
    if let Some(r) = &record {
        history.drills.push(r.clone());
    }
    drilling.last = record;
    drilling.run = None;
    drilling.drill = None;
    drilling.revealed = false;
    drilling.saved_to = None;
}
