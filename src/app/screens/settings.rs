//! Settings: trainee name, text size, theme, coach mode default, reduced
//! motion, a tutor's scenario folder. Saved atomically when changed.

use crate::app::assets::Notices;
use crate::app::{Prefs, Screen, UiAction};
use crate::core::store::{Settings, Theme};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_settings
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Settings)),
    );
}

fn draw_settings(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    prefs: Option<Res<Prefs>>,
    mut draft: Local<Option<Settings>>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "settings");
    let Some(prefs) = prefs else { return Ok(()) };
    let d = draft.get_or_insert_with(|| prefs.settings.clone());
    egui::CentralPanel::default().show(&mut root, |ui| {
        if let Some(a) = view(ui, d, &prefs.settings) {
            out.write(a);
        }
    });
    Ok(())
}

/// Edits a draft; returns `SaveSettings` when it differs from what is saved.
pub fn view(ui: &mut egui::Ui, draft: &mut Settings, saved: &Settings) -> Option<UiAction> {
    ui.heading("Settings");
    egui::Grid::new("settings")
        .num_columns(2)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            ui.label("Your name or pseudonym");
            ui.text_edit_singleline(&mut draft.trainee);
            ui.end_row();
            ui.label("Text size");
            ui.add(egui::Slider::new(&mut draft.text_scale, 0.75..=2.5).step_by(0.05));
            ui.end_row();
            ui.label("Theme");
            ui.horizontal(|ui| {
                ui.radio_value(&mut draft.theme, Theme::Light, "Light");
                ui.radio_value(&mut draft.theme, Theme::Dark, "Dark");
                ui.radio_value(&mut draft.theme, Theme::HighContrast, "High contrast");
            });
            ui.end_row();
            ui.label("Coach mode");
            ui.checkbox(
                &mut draft.coach_by_default,
                "On by default for new sessions",
            );
            ui.end_row();
            ui.label("Motion");
            ui.checkbox(&mut draft.reduced_motion, "Reduce motion (no animations)");
            ui.end_row();
            ui.label("Tutor's scenario folder");
            let mut folder = draft
                .tutor_folder
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            if ui
                .add(
                    egui::TextEdit::singleline(&mut folder)
                        .hint_text("e.g. /home/me/course-scenarios"),
                )
                .changed()
            {
                draft.tutor_folder = (!folder.trim().is_empty()).then(|| folder.trim().into());
            }
            ui.end_row();
        });
    ui.label(
        egui::RichText::new("A new scenario folder is loaded the next time the app starts.")
            .small(),
    );
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(draft != saved, egui::Button::new("Save"))
            .clicked()
        {
            action = Some(UiAction::SaveSettings(draft.clone()));
        }
        if ui
            .add_enabled(draft != saved, egui::Button::new("Undo changes"))
            .clicked()
        {
            *draft = saved.clone();
        }
        if ui.button("Back").clicked() {
            action = Some(UiAction::Go(Screen::Library));
        }
    });
    action
}

/// Saves the settings (atomically); a failure is shown, the settings stay
/// in use.
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    prefs: Option<ResMut<Prefs>>,
    mut notices: ResMut<Notices>,
) {
    let Some(mut prefs) = prefs else { return };
    for a in actions.read() {
        if let UiAction::SaveSettings(s) = a {
            prefs.settings = s.clone();
            if let Err(e) = prefs.store.save_settings(&prefs.settings) {
                notices.0.push(format!("Settings could not be saved: {e}"));
            }
        }
    }
}
