//! The session: the client's face, the conversation so far, the choices
//! (click or keys 1-9) and the clock; in coach mode, live meters and a hint.

use crate::app::{Practising, Screen, UiAction};
use crate::core::group::GroupMode;
use crate::core::session::Session;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_session
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Session)),
    );
}

fn draw_session(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    current: Res<Practising>,
    class_room: Res<crate::app::room::ClassRoom>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "session");
    let phones = class_room
        .live
        .as_ref()
        .map(crate::core::room::live::LiveRoom::view);
    let Some(practice) = current.practice.as_ref() else {
        egui::CentralPanel::default().show(&mut root, |ui| {
            if ui.button("No session: back to the library").clicked() {
                out.write(UiAction::Go(Screen::Library));
            }
        });
        return Ok(());
    };
    let session = practice.session();
    let coach = practice.mode().is_coach();
    let mut action = None;
    // A third of the width at most, so large text leaves room for the talk.
    let panel = (root.available_width() * 0.3).clamp(180.0, 320.0);
    egui::Panel::left("client")
        .resizable(false)
        .exact_size(panel)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                // How to join comes first: the class reads it off the projector.
                if let Some(r) = &phones
                    && let Some(a) = super::group::room_panel(ui, r)
                {
                    action = Some(a);
                }
                action =
                    action
                        .take()
                        .or(client_panel(ui, session, coach, practice.group().is_some()));
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        let a = match practice.group() {
            Some(g) if g.mode == GroupMode::ClassVote => {
                super::group::class_vote(ui, session, g, phones.as_ref())
            }
            Some(g) => super::group::hot_seat(ui, session, g),
            None => view(ui, session),
        };
        if let Some(a) = a {
            action = Some(a);
        }
    });
    if let Some(a) = action {
        out.write(a);
    }
    Ok(())
}

/// The face, clock, and (in coach mode) meters and the last hint.
pub fn client_panel(ui: &mut egui::Ui, s: &Session, coach: bool, group: bool) -> Option<UiAction> {
    let sc = s.scenario();
    let mut action = None;
    let cue = s.prompt().map(|p| p.cue.clone()).unwrap_or_default();
    ui.vertical_centered(|ui| {
        let size = crate::app::face::fitting(ui, 200.0);
        crate::app::face::face_with(
            ui,
            s.state(),
            cue.emotion,
            crate::app::face::skin_for(&sc.client.name),
            size,
        );
        ui.label(egui::RichText::new(&sc.client.name).heading());
        // What the trainee can see, in every mode: noticing it is part of
        // the exercise (the meters below are coach mode's alone).
        if cue.body.is_empty() {
            ui.label(crate::app::face::describe(s.state()));
        } else {
            ui.label(egui::RichText::new(&cue.body).italics());
        }
    });
    ui.separator();
    let over = s.clock() > sc.minutes;
    let clock =
        egui::RichText::new(format!("Session clock: {} / {} min", s.clock(), sc.minutes)).strong();
    ui.label(if over {
        clock.color(crate::app::theme::bad(ui))
    } else {
        clock
    });
    let width = ui.available_width();
    let bar = crate::app::widgets::bar(
        ui,
        (s.clock() as f32 / sc.minutes.max(1) as f32).min(1.0),
        "",
        (width - 16.0).max(40.0),
    );
    crate::app::a11y::name(
        ui,
        &bar,
        egui::accesskit::Role::Meter,
        format!("{} of {} minutes used", s.clock(), sc.minutes),
    );
    if coach {
        ui.separator();
        ui.label(egui::RichText::new("Coach").strong());
        let sc = s.scores();
        crate::app::widgets::score_bar(ui, "Rapport", sc.rapport);
        crate::app::widgets::score_bar(ui, "Pacing", sc.pacing);
        crate::app::widgets::score_bar(ui, "Focus", sc.focus);
        let st = s.state();
        ui.label(
            egui::RichText::new(format!(
                "Trust {} · distress {} · openness {}",
                st.trust, st.distress, st.openness
            ))
            .small(),
        );
        if let Some(t) = s.turns().last() {
            ui.separator();
            ui.label(egui::RichText::new("Last move").strong());
            if let Some(f) = crate::core::rubric::main_reason(&t.fired) {
                let colour = if f.score.total() >= 0 {
                    crate::app::theme::good(ui)
                } else {
                    crate::app::theme::bad(ui)
                };
                ui.label(egui::RichText::new(&f.feedback).color(colour));
            }
            if let Some(b) = &t.better {
                ui.label(format!("Better: {}", b.why));
            }
        }
    } else if group {
        ui.label(egui::RichText::new("Group exercise: the scores come in the debrief.").small());
    } else {
        ui.label(egui::RichText::new("Assessment mode: feedback comes in the debrief.").small());
    }
    ui.separator();
    if ui.button("End the session now").clicked() {
        action = Some(UiAction::Finish);
    }
    action
}

/// The conversation and the choices.
pub fn view(ui: &mut egui::Ui, s: &Session) -> Option<UiAction> {
    crate::app::widgets::conversation(ui, s, &[])
}
