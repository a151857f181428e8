//! The session's actions: start, choose, vote, finish, retry, resume. Each
//! is handed to the core's [`Practice`]; this file only carries the result
//! to the screens, the notices and the user's files.

use super::assets::{Catalog, Notices};
use super::room::ClassRoom;
use super::state::{
    History, Practising, Prefs, Resumable, Rubric, Screen, Selected, UiAction, Viewing,
};
use crate::core::group::{GroupMode, GroupPlay, Roster};
use crate::core::practice::{Input, Mode, Practice, fresh_seed};
use bevy::prelude::*;

/// Carries out the session's actions on the core.
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    mut next: ResMut<NextState<Screen>>,
    mut selected: ResMut<Selected>,
    mut current: ResMut<Practising>,
    mut viewing: ResMut<Viewing>,
    mut history: ResMut<History>,
    mut resumable: ResMut<Resumable>,
    mut notices: ResMut<Notices>,
    mut cases: ResMut<super::cases::Cases>,
    catalog: Res<Catalog>,
    rubric: Res<Rubric>,
    prefs: Option<Res<Prefs>>,
    (mut room, proxy): (
        ResMut<ClassRoom>,
        Option<Res<bevy::winit::EventLoopProxyWrapper>>,
    ),
) {
    let prefs = prefs.as_deref();
    let proxy = proxy.as_deref();
    for action in actions.read() {
        match action {
            UiAction::Start => {
                start(&selected, &mut current, &catalog, &rubric, &mut notices);
                // A new session has a new room (or none): the old one closes.
                room.shut();
                let devices = current
                    .practice
                    .as_ref()
                    .and_then(Practice::group)
                    .is_some_and(|g| g.mode == GroupMode::ClassVote)
                    && selected.group.devices;
                if devices {
                    room.open(&selected.group, proxy, &mut notices);
                }
                if current.practice.is_some() {
                    // A new session replaces the unfinished one on disk.
                    resumable.0 = None;
                    save_progress(&current, prefs, &mut notices);
                    next.set(Screen::Session);
                }
            }
            UiAction::Vote(position, delta) => {
                if let Some(g) = group_mut(&mut current) {
                    g.tally.change(*position, *delta);
                }
            }
            UiAction::Votes(votes) => {
                if let Some(g) = group_mut(&mut current) {
                    for (position, delta) in votes {
                        g.tally.change(*position, *delta);
                    }
                }
            }
            UiAction::CloseDeviceVote | UiAction::ReopenDeviceVote => {
                if let (Some(live), Some(p)) = (room.live.as_mut(), current.practice.as_mut()) {
                    if *action == UiAction::CloseDeviceVote {
                        live.close_vote(p);
                    } else {
                        live.reopen(p);
                    }
                }
            }
            UiAction::SetVotes(position, count) => {
                if let Some(g) = group_mut(&mut current) {
                    g.tally.set(*position, *count);
                }
            }
            UiAction::SkipSeat if group_mut(&mut current).and_then(GroupPlay::skip).is_some() => {
                save_progress(&current, prefs, &mut notices);
            }
            UiAction::Choose(_) | UiAction::PlayVote(_) => {
                let input = match action {
                    UiAction::PlayVote(pick) => Input::CloseVote(*pick),
                    UiAction::Choose(p) => Input::Choose(*p),
                    _ => continue,
                };
                // A move that ends the session goes straight to the debrief.
                if play(input, &mut current, &mut room, prefs, &mut notices) {
                    finish(
                        &mut current,
                        &mut viewing,
                        &mut history,
                        &mut cases,
                        prefs,
                        &mut notices,
                    );
                    next.set(Screen::Debrief);
                }
            }
            UiAction::Finish => {
                let Some(p) = current.practice.as_ref() else {
                    continue;
                };
                // The phones end on the discussion question too.
                if let Some(live) = room.live.as_mut() {
                    live.end(p);
                }
                if !finish(
                    &mut current,
                    &mut viewing,
                    &mut history,
                    &mut cases,
                    prefs,
                    &mut notices,
                ) {
                    // Ended before any move: nothing to record or debrief.
                    current.practice = None;
                    if let Some(p) = prefs {
                        p.store.clear_in_progress();
                    }
                    notices
                        .0
                        .push("The session ended before any move, so nothing was recorded.".into());
                    next.set(Screen::Library);
                    continue;
                }
                next.set(Screen::Debrief);
            }
            UiAction::RetryFrom(turn) => {
                let rewound = current.practice.as_ref().map(|p| p.retry_from(*turn));
                match rewound {
                    Some(Ok(p)) => {
                        // The phones vote again from that turn: in the same
                        // room, or in a new one if it closed at the end.
                        match room.live.as_mut() {
                            Some(live) if !live.view().closed => live.rewound(),
                            Some(_) => {
                                room.reopen(proxy, &mut notices);
                            }
                            None => {}
                        }
                        current.practice = Some(p);
                        current.saved_to = None;
                        current.recorded = false;
                        save_progress(&current, prefs, &mut notices);
                        next.set(Screen::Session);
                    }
                    Some(Err(e)) => notices.0.push(e.to_string()),
                    None => notices
                        .0
                        .push("Retry works on the session you just played.".into()),
                }
            }
            UiAction::Resume
                if resume(
                    &mut resumable,
                    &mut selected,
                    &mut current,
                    (&catalog, &mut cases),
                    &rubric,
                    &mut notices,
                ) =>
            {
                // The phones' room was the old session's.
                room.shut();
                next.set(Screen::Session);
            }
            UiAction::DiscardResume => {
                resumable.0 = None;
                if let Some(p) = prefs {
                    p.store.clear_in_progress();
                }
            }
            _ => {}
        }
    }
}

fn group_mut(current: &mut Practising) -> Option<&mut GroupPlay> {
    current.practice.as_mut().and_then(Practice::group_mut)
}

/// Starts the selected scenario, solo or as the group set up on the briefing.
fn start(
    selected: &Selected,
    current: &mut Practising,
    catalog: &Catalog,
    rubric: &Rubric,
    notices: &mut Notices,
) {
    let Some(entry) = selected.id.as_deref().and_then(|id| catalog.by_id(id)) else {
        notices
            .0
            .push("That scenario is no longer available.".into());
        return;
    };
    let Some(scenario) = entry.scenario.clone() else {
        notices
            .0
            .push("This scenario has errors and cannot be played; the library lists them.".into());
        return;
    };
    let setup = &selected.group;
    let group = match setup.mode {
        None => None,
        Some(GroupMode::HotSeat) if Roster::parse(&setup.roster).is_empty() => {
            notices
                .0
                .push("The hot seat needs names: write the trainees' names, one per line.".into());
            return;
        }
        Some(mode) => Some(GroupPlay::new(
            mode,
            &setup.name,
            Roster::parse(&setup.roster),
        )),
    };
    let presenter = group.is_some() && setup.presenter;
    let mode = Mode::from_coach(selected.coach);
    match Practice::start(scenario, rubric.0.clone(), fresh_seed(), mode, group) {
        Ok(p) => {
            *current = Practising {
                practice: Some(p),
                presenter,
                ..Practising::default()
            };
        }
        Err(e) => notices.0.push(e.to_string()),
    }
}

/// Makes a move; a move the core refuses is explained in a notice.
/// Returns whether the move ended the session.
fn play(
    input: Input,
    current: &mut Practising,
    room: &mut ClassRoom,
    prefs: Option<&Prefs>,
    notices: &mut Notices,
) -> bool {
    let Some(p) = current.practice.as_mut() else {
        return false;
    };
    // With the phones in the room, the vote closes on them first and each
    // device's vote is kept at the turn.
    let result = match (input, room.live.as_mut()) {
        (Input::CloseVote(pick), Some(live)) => live.play(p, pick),
        (input, _) => p.play(input),
    };
    match result {
        Ok(played) => {
            save_progress(current, prefs, notices);
            played.ended
        }
        Err(e) => {
            notices.0.push(sentence(&e.to_string()));
            false
        }
    }
}

/// A message from the core as a sentence on screen.
fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        let mut out: String = c.to_uppercase().collect();
        out.push_str(chars.as_str());
        if !out.ends_with('.') {
            out.push('.');
        }
        out
    })
}

/// Picks up the session saved in an earlier run. Returns whether it did.
fn resume(
    resumable: &mut Resumable,
    selected: &mut Selected,
    current: &mut Practising,
    (catalog, cases): (&Catalog, &mut crate::app::cases::Cases),
    rubric: &Rubric,
    notices: &mut Notices,
) -> bool {
    let Some(saved) = resumable.0.take() else {
        return false;
    };
    if let Some(case) = saved.case.clone() {
        // A session of a case resumes in its place in the course.
        let Some(course) = cases.get(&case.id).and_then(|e| e.course.as_ref()) else {
            notices.0.push(format!(
                "The case `{}` of the unfinished session is not loaded (yet); try again in a moment.",
                case.id
            ));
            resumable.0 = Some(saved);
            return false;
        };
        return match Practice::resume_in_case(&saved, course, rubric.0.clone()) {
            Ok((p, note)) => {
                if note.dropped_moves > 0 {
                    notices.0.push(format!(
                        "The session changed since it was saved; its last {} move(s) no longer fit and were dropped.",
                        note.dropped_moves
                    ));
                }
                cases.open = Some(case.id.clone());
                selected.id = Some(saved.scenario_id.clone());
                *current = Practising {
                    practice: Some(p),
                    ..Practising::default()
                };
                true
            }
            Err(e) => {
                notices.0.push(format!(
                    "The unfinished session of {} could not be resumed: {e}",
                    case.title
                ));
                false
            }
        };
    }
    let Some(scenario) = catalog
        .by_id(&saved.scenario_id)
        .and_then(|e| e.scenario.clone())
    else {
        notices.0.push(format!(
            "The scenario `{}` of the unfinished session is not loaded (yet); try again in a moment.",
            saved.scenario_id
        ));
        resumable.0 = Some(saved);
        return false;
    };
    match Practice::resume(&saved, scenario, rubric.0.clone()) {
        Ok((p, note)) => {
            if note.scenario_changed {
                notices.0.push(if note.dropped_moves > 0 {
                    format!(
                        "The scenario changed since the unfinished session; its last {} move(s) no longer fit and were dropped.",
                        note.dropped_moves
                    )
                } else {
                    "The scenario changed since the unfinished session; it was replayed on the new version.".into()
                });
            }
            selected.id = Some(saved.scenario_id.clone());
            *current = Practising {
                presenter: p.group().is_some(),
                practice: Some(p),
                ..Practising::default()
            };
            true
        }
        Err(e) => {
            notices.0.push(e.to_string());
            false
        }
    }
}

/// Saves the session in progress after a move, or clears the saved one
/// once the session has ended.
fn save_progress(current: &Practising, prefs: Option<&Prefs>, notices: &mut Notices) {
    let (Some(p), Some(prefs)) = (current.practice.as_ref(), prefs) else {
        return;
    };
    let result = if let Some(saved) = p.in_progress() {
        prefs.store.save_in_progress(&saved)
    } else {
        prefs.store.clear_in_progress();
        Ok(())
    };
    if let Err(e) = result {
        notices
            .0
            .push(format!("The session could not be saved: {e}"));
    }
}

/// Records the attempt (the first time it is finished) and shows its
/// debrief. Returns false when there was nothing to record (no move made).
fn finish(
    current: &mut Practising,
    viewing: &mut Viewing,
    history: &mut History,
    cases: &mut super::cases::Cases,
    prefs: Option<&Prefs>,
    notices: &mut Notices,
) -> bool {
    let Some(p) = current.practice.as_ref() else {
        return false;
    };
    let trainee = prefs
        .map(|p| p.settings.trainee.clone())
        .unwrap_or_default();
    let Some(record) = p.finish(&trainee) else {
        return false;
    };
    if !current.recorded {
        current.recorded = true;
        if let Some(prefs) = prefs {
            prefs.store.clear_in_progress();
            match prefs.store.save_attempt(&record) {
                Ok(path) => current.saved_to = Some(path),
                Err(e) => notices
                    .0
                    .push(format!("The attempt could not be saved: {e}")),
            }
        }
        history.records.push(record.clone());
        super::cases::session_finished(cases, p, prefs, notices);
    }
    viewing
        .client_name
        .clone_from(&p.session().scenario().client.name);
    viewing.debrief = Some(record.debrief.clone());
    viewing.record = Some(record);
    true
}
