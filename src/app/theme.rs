//! Applies the trainee's settings (text size, theme) to egui.

use super::{Practising, Prefs, Screen};
use crate::core::store::Theme;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

/// The passes of the UI in a frame: the theme, then the chrome (top bar,
/// notices), then the screen.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum UiSet {
    Theme,
    Chrome,
    Screen,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, apply_theme.in_set(UiSet::Theme));
}

/// Only touches egui when the settings change, so an idle app stays idle.
/// A group session in presenter view gets large type and high contrast,
/// sized to the window, on the session and debrief screens.
fn apply_theme(
    mut contexts: EguiContexts,
    prefs: Option<Res<Prefs>>,
    practice: Option<Res<Practising>>,
    screen: Option<Res<State<Screen>>>,
    windows: Query<&Window>,
    mut applied: Local<Option<(f32, Theme, bool)>>,
) -> Result {
    let Some(prefs) = prefs else { return Ok(()) };
    let s = &prefs.settings;
    let presenting = practice.is_some_and(|p| p.presenter)
        && screen.is_some_and(|st| matches!(st.get(), Screen::Session | Screen::Debrief));
    let want = if presenting {
        let width = windows
            .iter()
            .next()
            .map_or(1920.0, |w| w.resolution.width());
        (
            presenter_scale(width, s.text_scale),
            Theme::HighContrast,
            s.reduced_motion,
        )
    } else {
        (s.text_scale, s.theme, s.reduced_motion)
    };
    if *applied == Some(want) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    style(ctx, want.1, want.0, want.2);
    *applied = Some(want);
    Ok(())
}

/// Presenter view's text scale: 1.7 on a window 1920 points wide (body text
/// about 27 points high), in proportion on others, never below the
/// trainee's own setting. Points, not pixels: the display's own scaling
/// (a high-density laptop screen) comes on top.
pub fn presenter_scale(window_width: f32, own: f32) -> f32 {
    (1.7 * window_width / 1920.0).clamp(1.3, 2.5).max(own)
}

/// The look for a theme and text scale; also used by the view tests.
pub fn style(ctx: &egui::Context, theme: Theme, scale: f32, reduced_motion: bool) {
    let mut visuals = match theme {
        Theme::Light => egui::Visuals::light(),
        Theme::Dark => egui::Visuals::dark(),
        Theme::HighContrast => high_contrast(),
    };
    match theme {
        // egui's own selection blue and greyed text are too faint to read
        // (1.6:1 and 2.3:1 here); these meet WCAG 2.2 AA, as the contrast
        // test in tests/app.rs computes.
        Theme::Light => {
            visuals.selection.bg_fill = egui::Color32::from_rgb(0, 90, 170);
            visuals.selection.stroke.color = egui::Color32::WHITE;
            visuals.weak_text_color = Some(egui::Color32::from_gray(96));
        }
        Theme::Dark => {
            visuals.selection.bg_fill = egui::Color32::from_rgb(70, 150, 235);
            visuals.selection.stroke.color = egui::Color32::BLACK;
            visuals.weak_text_color = Some(egui::Color32::from_gray(165));
        }
        Theme::HighContrast => {}
    }
    visuals.window_corner_radius = egui::CornerRadius::same(8);
    ctx.set_visuals(visuals);
    ctx.set_zoom_factor(scale.clamp(0.75, 2.5));
    ctx.all_styles_mut(|st| {
        st.spacing.item_spacing = egui::vec2(8.0, 6.0);
        st.spacing.button_padding = egui::vec2(10.0, 6.0);
        // A row as tall as a button (16-point text and its padding), so a
        // row of buttons, combo boxes and labels lines up instead of
        // stepping down as each taller widget recentres the row; and a
        // target of at least 24 pixels (WCAG 2.2's minimum) at any scale.
        st.spacing.interact_size.y = 32.0;
        st.animation_time = if reduced_motion { 0.0 } else { 0.08 };
        st.text_styles
            .insert(egui::TextStyle::Body, egui::FontId::proportional(16.0));
        st.text_styles
            .insert(egui::TextStyle::Button, egui::FontId::proportional(16.0));
        st.text_styles
            .insert(egui::TextStyle::Heading, egui::FontId::proportional(24.0));
        st.text_styles
            .insert(egui::TextStyle::Small, egui::FontId::proportional(13.0));
    });
}

fn high_contrast() -> egui::Visuals {
    let mut v = egui::Visuals::dark();
    v.override_text_color = Some(egui::Color32::WHITE);
    v.panel_fill = egui::Color32::BLACK;
    v.window_fill = egui::Color32::BLACK;
    v.extreme_bg_color = egui::Color32::BLACK;
    v.faint_bg_color = egui::Color32::from_gray(20);
    v.hyperlink_color = egui::Color32::YELLOW;
    v.selection.bg_fill = egui::Color32::from_rgb(0, 90, 200);
    let stroke = egui::Stroke::new(2.0, egui::Color32::WHITE);
    v.widgets.inactive.bg_stroke = stroke;
    v.widgets.inactive.weak_bg_fill = egui::Color32::BLACK;
    v.widgets.hovered.bg_stroke = egui::Stroke::new(3.0, egui::Color32::YELLOW);
    v.widgets.active.bg_stroke = egui::Stroke::new(3.0, egui::Color32::YELLOW);
    v
}

/// A colour that reads on the current theme for good / bad news.
pub fn good(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(120, 220, 140)
    } else {
        egui::Color32::from_rgb(20, 120, 50)
    }
}

pub fn bad(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(255, 140, 120)
    } else {
        egui::Color32::from_rgb(170, 30, 20)
    }
}
