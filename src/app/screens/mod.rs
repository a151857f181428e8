//! One plugin per screen. Each screen's view is a plain function of the
//! data it shows that returns the trainee's action; a system draws it and
//! sends the action on.

pub mod briefing;
pub mod course;
pub mod debrief;
pub mod drills;
pub mod group;
pub mod history;
pub mod library;
pub mod session;
pub mod settings;

use super::{Screen, UiAction, assets::Notices};
pub use crate::app::theme::UiSet;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.configure_sets(
        EguiPrimaryContextPass,
        (UiSet::Theme, UiSet::Chrome, UiSet::Screen).chain(),
    )
    .init_resource::<ContentRect>()
    .add_systems(EguiPrimaryContextPass, draw_chrome.in_set(UiSet::Chrome))
    .add_plugins((
        library::plugin,
        briefing::plugin,
        session::plugin,
        debrief::plugin,
        history::plugin,
        settings::plugin,
        drills::plugin,
        course::plugin,
    ));
}

/// The top bar (navigation) and the notices strip, on every screen.
fn draw_chrome(
    mut contexts: EguiContexts,
    screen: Res<State<Screen>>,
    mut notices: ResMut<Notices>,
    mut content: ResMut<ContentRect>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if let Some(a) = nav_keys(ctx, *screen.get()) {
        out.write(a);
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        egui::Id::new("chrome"),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    egui::Panel::top("top").show(&mut root, |ui| {
        if let Some(a) = top_bar(ui, *screen.get()) {
            out.write(a);
        }
    });
    if !notices.0.is_empty() {
        egui::Panel::bottom("notices").show(&mut root, |ui| {
            if notice_strip(ui, &notices.0) {
                notices.0.clear();
            }
        });
    }
    content.0 = root.available_rect_before_wrap();
    Ok(())
}

/// What is left of the window for the screen once the chrome is drawn.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ContentRect(pub egui::Rect);

impl Default for ContentRect {
    fn default() -> Self {
        ContentRect(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 720.0),
        ))
    }
}

/// The root `Ui` a screen draws into (below the chrome).
pub fn screen_ui(ctx: &egui::Context, content: &ContentRect, id: &str) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        egui::Id::new(id),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(content.0),
    )
}

/// Escape goes back; Alt+L / Alt+P / Alt+H / Alt+S open the library,
/// practise skills, history and settings.
pub fn nav_keys(ctx: &egui::Context, screen: Screen) -> Option<UiAction> {
    // A session is left only by ending it (the top bar is off there too).
    if screen == Screen::Session {
        return None;
    }
    ctx.input(|i| {
        if i.modifiers.alt && i.key_pressed(egui::Key::L) {
            return Some(UiAction::Go(Screen::Library));
        }
        if i.modifiers.alt && i.key_pressed(egui::Key::H) {
            return Some(UiAction::Go(Screen::History));
        }
        if i.modifiers.alt && i.key_pressed(egui::Key::S) {
            return Some(UiAction::Go(Screen::Settings));
        }
        if i.modifiers.alt && i.key_pressed(egui::Key::P) {
            return Some(UiAction::Go(Screen::Drills));
        }
        if i.key_pressed(egui::Key::Escape) {
            return match screen {
                Screen::Briefing
                | Screen::History
                | Screen::Settings
                | Screen::Debrief
                | Screen::Drills
                | Screen::Course => Some(UiAction::Go(Screen::Library)),
                // Out of a drill: the drills answered are kept.
                Screen::Drill => Some(UiAction::EndDrills),
                Screen::Library | Screen::Session => None,
            };
        }
        None
    })
}

pub fn top_bar(ui: &mut egui::Ui, screen: Screen) -> Option<UiAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("IPT Trainer");
        ui.separator();
        for (target, label, key) in [
            (Screen::Library, "Library", "Alt+L"),
            (Screen::Drills, "Practise skills", "Alt+P"),
            (Screen::History, "History", "Alt+H"),
            (Screen::Settings, "Settings", "Alt+S"),
        ] {
            let busy = screen == Screen::Session;
            let here = screen == target || (screen == Screen::Drill && target == Screen::Drills);
            let r = ui
                .add_enabled(!busy, egui::Button::selectable(here, label))
                .on_hover_text(key)
                .on_disabled_hover_text("Finish or end the session first");
            if r.clicked() {
                action = Some(UiAction::Go(target));
            }
        }
    });
    action
}

/// Shows the notices; returns true when the trainee dismisses them.
pub fn notice_strip(ui: &mut egui::Ui, notices: &[String]) -> bool {
    let mut dismissed = false;
    ui.horizontal_wrapped(|ui| {
        ui.vertical(|ui| {
            for n in notices.iter().rev().take(4) {
                ui.label(egui::RichText::new(n).color(crate::app::theme::bad(ui)));
            }
        });
        if ui.button("Dismiss").clicked() {
            dismissed = true;
        }
    });
    dismissed
}

/// Goes to the screen asked for.
pub fn apply_navigation(mut actions: MessageReader<UiAction>, mut next: ResMut<NextState<Screen>>) {
    for a in actions.read() {
        if let UiAction::Go(screen) = a {
            next.set(*screen);
        }
    }
}
