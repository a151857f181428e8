//! Cases in the app: the bundled and the tutor's `*.case.ron`, each with the
//! trainee's progress through it (kept in the data folder after every
//! session), and the actions that open a case, begin its next session and
//! start it over. The course's rules are the core's ([`crate::core::case`]).

use super::assets::Notices;
use super::state::{Practising, Prefs, Rubric, ScenarioRoots, Screen, UiAction};
use crate::core::case::{CaseBundle, Course};
use crate::core::load;
use crate::core::practice::{Mode, Practice, fresh_seed};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// One case file: the case if it loads, its problems if not, and the
/// trainee's way through it.
pub struct CaseEntry {
    pub path: PathBuf,
    pub course: Option<Course>,
    pub problems: Vec<String>,
}

impl CaseEntry {
    pub fn bundle(&self) -> Option<&Arc<CaseBundle>> {
        self.course.as_ref().map(|c| &c.bundle)
    }

    pub fn id(&self) -> Option<&str> {
        self.bundle().map(|b| b.case.id.as_str())
    }
}

#[derive(Resource, Default)]
pub struct Cases {
    pub entries: Vec<CaseEntry>,
    /// The case whose page is open.
    pub open: Option<String>,
}

impl Cases {
    pub fn get(&self, id: &str) -> Option<&CaseEntry> {
        self.entries.iter().find(|e| e.id() == Some(id))
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut CaseEntry> {
        self.entries.iter_mut().find(|e| e.id() == Some(id))
    }

    pub fn open_entry(&self) -> Option<&CaseEntry> {
        self.open.as_deref().and_then(|id| self.get(id))
    }
}

pub fn plugin(app: &mut App) {
    app.init_resource::<Cases>()
        .add_systems(Startup, load_cases)
        .add_systems(OnEnter(Screen::Library), load_cases)
        .add_systems(Update, apply_actions.in_set(super::Actions));
}

/// Reads every case in the scenario folders, with the progress saved for
/// it (or, with no data folder, the progress already in memory).
fn load_cases(
    roots: Res<ScenarioRoots>,
    rubric: Res<Rubric>,
    prefs: Option<Res<Prefs>>,
    mut cases: ResMut<Cases>,
    mut notices: ResMut<Notices>,
) {
    let mut entries = Vec::new();
    for (_, dir) in &roots.0 {
        for path in load::case_files(dir).unwrap_or_default() {
            let loaded = load::load_case_file(&path, &rubric.0);
            let problems: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            let course = loaded.value.filter(|_| problems.is_empty()).map(|b| {
                let bundle = Arc::new(b);
                let id = bundle.case.id.clone();
                let earlier = cases
                    .get(&id)
                    .and_then(|e| e.course.as_ref())
                    .map(|c| c.done.clone());
                let saved = prefs.as_ref().and_then(|p| {
                    let (progress, problem) = p.store.load_course(&id);
                    notices.0.extend(problem.map(|p| p.to_string()));
                    progress.map(|p| p.done)
                });
                match saved.or(earlier) {
                    Some(done) => {
                        let (course, dropped) = Course::resume(bundle, done);
                        if dropped > 0 {
                            notices.0.push(format!(
                                "The case `{id}` changed since you last played it; {dropped} session(s) of your progress no longer fit and were set aside."
                            ));
                        }
                        course
                    }
                    None => Course::new(bundle),
                }
            });
            entries.push(CaseEntry {
                path,
                course,
                problems,
            });
        }
    }
    cases.entries = entries;
}

fn apply_actions(
    mut actions: MessageReader<UiAction>,
    mut cases: ResMut<Cases>,
    mut current: ResMut<Practising>,
    mut next: ResMut<NextState<Screen>>,
    rubric: Res<Rubric>,
    prefs: Option<Res<Prefs>>,
    mut notices: ResMut<Notices>,
) {
    for action in actions.read() {
        match action {
            UiAction::OpenCase(id) => {
                if cases.get(id).is_some() {
                    cases.open = Some(id.clone());
                    next.set(Screen::Course);
                } else {
                    notices.0.push(format!("The case `{id}` is not loaded."));
                }
            }
            UiAction::BeginCaseSession => {
                let Some(course) = cases.open_entry().and_then(|e| e.course.as_ref()) else {
                    continue;
                };
                let Some(index) = course.next_index() else {
                    notices
                        .0
                        .push("Every session of this case has been played.".into());
                    continue;
                };
                match course.start_next(rubric.0.clone(), fresh_seed()) {
                    Ok(session) => {
                        let coach = prefs.as_ref().is_none_or(|p| p.settings.coach_by_default);
                        let practice = Practice::in_case(
                            session,
                            Mode::from_coach(coach),
                            course.case_ref(index),
                        );
                        *current = Practising {
                            practice: Some(practice),
                            ..Practising::default()
                        };
                        next.set(Screen::Session);
                    }
                    Err(e) => notices.0.push(e.to_string()),
                }
            }
            UiAction::RestartCase => {
                let Some(id) = cases.open.clone() else {
                    continue;
                };
                if let Some(course) = cases.get_mut(&id).and_then(|e| e.course.as_mut()) {
                    course.done.clear();
                }
                if let Some(p) = &prefs {
                    p.store.clear_course(&id);
                }
            }
            _ => {}
        }
    }
}

/// A session of a case has been finished and recorded: it joins the
/// course (a retry of the last session takes its place), and the course is
/// saved.
pub fn session_finished(
    cases: &mut Cases,
    practice: &Practice,
    prefs: Option<&Prefs>,
    notices: &mut Notices,
) {
    let Some(case) = practice.case() else { return };
    if !practice.session().is_ended() {
        notices.0.push(
            "The session was stopped before its end, so the case waits for this session to be played again."
                .into(),
        );
        return;
    }
    let Some(course) = cases.get_mut(&case.id).and_then(|e| e.course.as_mut()) else {
        return;
    };
    if course.done.last().is_some_and(|d| d.number == case.number) {
        course.undo_last();
    }
    if let Err(e) = course.finish(practice.session()) {
        notices
            .0
            .push(format!("The session could not join its case: {e}"));
        return;
    }
    if let Some(p) = prefs
        && let Err(e) = p.store.save_course(&course.progress())
    {
        notices
            .0
            .push(format!("Your progress in the case could not be saved: {e}"));
    }
}
