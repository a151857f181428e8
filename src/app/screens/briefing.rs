//! The briefing: who the client is, why they came, the session's phase and
//! length, the learning objectives, and coach mode on or off.

use crate::app::assets::Catalog;
use crate::app::{Screen, Selected, UiAction};
use crate::core::model::Scenario;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_briefing
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Briefing)),
    );
}

fn draw_briefing(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    catalog: Res<Catalog>,
    selected: Res<Selected>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "briefing");
    // The networks the phones' room can use, read only when it is wanted.
    let networks = if selected.group.devices {
        crate::core::room::server::local_addresses()
    } else {
        Vec::new()
    };
    let scenario = selected
        .id
        .as_deref()
        .and_then(|id| catalog.by_id(id))
        .and_then(|e| e.scenario.clone());
    egui::CentralPanel::default().show(&mut root, |ui| {
        let action = if let Some(s) = &scenario {
            view(ui, s, selected.coach, &selected.group, &networks)
        } else {
            ui.label("This scenario is not available any more.");
            ui.button("Back to the library")
                .clicked()
                .then_some(UiAction::Go(Screen::Library))
        };
        if let Some(a) = action {
            out.write(a);
        }
    });
    Ok(())
}

pub fn view(
    ui: &mut egui::Ui,
    s: &Scenario,
    coach: bool,
    group: &crate::app::GroupSetup,
    networks: &[crate::core::room::server::LocalAddress],
) -> Option<UiAction> {
    let mut action = None;
    // Enter starts, unless it is typing a name.
    if ui.input(|i| i.key_pressed(egui::Key::Enter)) && !ui.ctx().egui_wants_keyboard_input() {
        action = Some(UiAction::Start);
    }
    let page = egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(&s.title);
            ui.label(format!(
                "{} · {} phase · {} minutes · {}",
                s.area.label(),
                s.phase.label(),
                s.minutes,
                s.difficulty.label()
            ));
            if !s.content_note.is_empty() {
                ui.label(
                    egui::RichText::new(format!("Content note: {}", s.content_note))
                        .color(crate::app::theme::bad(ui)),
                );
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                crate::app::face::face(
                    ui,
                    s.client.start,
                    crate::app::face::skin_for(&s.client.name),
                    120.0,
                );
                ui.vertical(|ui| {
                    let pronouns = if s.client.pronouns.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", s.client.pronouns)
                    };
                    ui.label(
                        egui::RichText::new(format!(
                            "{}{pronouns}, {}",
                            s.client.name, s.client.age
                        ))
                        .strong(),
                    );
                    ui.label(&s.client.background);
                });
            });
            if !s.client.concerns.is_empty() {
                ui.label(egui::RichText::new("Why they came").strong());
                for c in &s.client.concerns {
                    ui.label(format!("• {c}"));
                }
            }
            if !s.client.people.is_empty() {
                ui.label(egui::RichText::new("People in their life").strong());
                for p in &s.client.people {
                    let note = if p.note.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", p.note)
                    };
                    ui.label(format!("• {} ({}){note}", p.name, p.relation));
                }
            }
            if !s.objectives.is_empty() {
                ui.label(egui::RichText::new("Learning objectives").strong());
                for o in &s.objectives {
                    ui.label(format!("• {o}"));
                }
            }
            ui.add_space(8.0);
            if let Some(a) = super::group::setup(ui, group, networks) {
                action = Some(a);
            }
            ui.add_space(8.0);
            let mut c = coach;
            if ui
                .checkbox(&mut c, "Coach mode: live meters and a hint after each move")
                .changed()
            {
                action = Some(UiAction::SetCoach(c));
            }
            if group.mode.is_some() {
                ui.label(
                    egui::RichText::new(
                        "In a group exercise the meters stay hidden until the debrief.",
                    )
                    .small(),
                );
            } else if !c {
                ui.label(
                    egui::RichText::new("Assessment mode: no feedback until the debrief.").small(),
                );
            }
            ui.horizontal(|ui| {
                if ui.button("Back").clicked() {
                    action = Some(UiAction::Go(Screen::Library));
                }
                let start = ui.add(egui::Button::new(
                    egui::RichText::new("Start the session (Enter)").strong(),
                ));
                if start.clicked() {
                    action = Some(UiAction::Start);
                }
            });
        });
    crate::app::widgets::page_keys(ui, &page);
    action
}

/// Coach mode on or off, and who is playing.
pub fn apply_actions(mut actions: MessageReader<UiAction>, mut selected: ResMut<Selected>) {
    for a in actions.read() {
        match a {
            UiAction::SetCoach(on) => selected.coach = *on,
            UiAction::SetGroup(g) => selected.group = g.clone(),
            _ => {}
        }
    }
}
