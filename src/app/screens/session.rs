//! The session: the client's face, the conversation so far, the choices
//! (click or keys 1-9) and the clock; in coach mode, live meters and a hint.

use crate::app::{Practice, Screen, UiAction};
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
    practice: Res<Practice>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "session");
    let Some(session) = practice.session.as_ref() else {
        egui::CentralPanel::default().show(&mut root, |ui| {
            if ui.button("No session: back to the library").clicked() {
                out.write(UiAction::Go(Screen::Library));
            }
        });
        return Ok(());
    };
    let mut action = None;
    // A third of the width at most, so large text leaves room for the talk.
    let panel = (root.available_width() * 0.3).clamp(180.0, 320.0);
    egui::Panel::left("client")
        .resizable(false)
        .exact_size(panel)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                action = action.take().or(client_panel(
                    ui,
                    session,
                    practice.coach,
                    practice.group.is_some(),
                ));
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        let a = match &practice.group {
            Some(g) if g.mode == GroupMode::ClassVote => super::group::class_vote(ui, session, g),
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
    ui.vertical_centered(|ui| {
        crate::app::face::face(
            ui,
            s.state(),
            crate::app::face::skin_for(&sc.client.name),
            200.0,
        );
        ui.label(egui::RichText::new(&sc.client.name).heading());
        ui.label(crate::app::face::describe(s.state()));
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
    ui.add(egui::ProgressBar::new(
        (s.clock() as f32 / sc.minutes.max(1) as f32).min(1.0),
    ));
    if coach {
        ui.separator();
        ui.label(egui::RichText::new("Coach").strong());
        let sc = s.scores();
        super::score_bar(ui, "Rapport", sc.rapport);
        super::score_bar(ui, "Pacing", sc.pacing);
        super::score_bar(ui, "Focus", sc.focus);
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
            if let Some(f) = t.fired.iter().max_by_key(|f| f.score.total().abs()) {
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

/// The option numbers (1-9) pressed since the last frame, each with the
/// modifiers held. A key counts by what it types or, failing that, by its
/// place on the keyboard, so Shift+1 (which types "!") and the top row of
/// a French keyboard still give their number; a key held down counts once.
pub fn number_presses(i: &egui::InputState) -> Vec<(usize, egui::Modifiers)> {
    i.events
        .iter()
        .filter_map(|e| match e {
            egui::Event::Key {
                key,
                physical_key,
                pressed: true,
                repeat: false,
                modifiers,
            } => [Some(*key), *physical_key]
                .into_iter()
                .flatten()
                .find_map(|k| KEYS.iter().position(|n| *n == k))
                .map(|p| (p + 1, *modifiers)),
            _ => None,
        })
        .collect()
}

/// Keys 1-9 stand for the shown options (choose, or vote in a class vote).
pub const KEYS: [egui::Key; 9] = [
    egui::Key::Num1,
    egui::Key::Num2,
    egui::Key::Num3,
    egui::Key::Num4,
    egui::Key::Num5,
    egui::Key::Num6,
    egui::Key::Num7,
    egui::Key::Num8,
    egui::Key::Num9,
];

/// The conversation and the choices.
pub fn view(ui: &mut egui::Ui, s: &Session) -> Option<UiAction> {
    view_as(ui, s, &[])
}

/// The conversation and the choices, with the trainee's lines credited to
/// `names` by turn (the hot seat); "You" where there is no name.
pub fn view_as(ui: &mut egui::Ui, s: &Session, names: &[String]) -> Option<UiAction> {
    let mut action = None;
    let Some(prompt) = s.prompt() else {
        ui.label("The session has ended.");
        return ui
            .button("See the debrief")
            .clicked()
            .then_some(UiAction::Finish);
    };
    // Keys 1-9 choose (the first pressed, if several came at once).
    let n = prompt.options.len();
    if let Some((p, _)) = ui.input(number_presses).into_iter().find(|(p, _)| *p <= n) {
        action = Some(UiAction::Choose(p));
    }
    let options_height =
        (prompt.options.len() as f32 * 52.0 + 40.0).min(ui.available_height() * 0.55);
    transcript_as(ui, s, options_height, names);
    ui.separator();
    ui.label(egui::RichText::new("Your response (click, or press its number):").strong());
    egui::ScrollArea::vertical()
        .id_salt("options")
        .show(ui, |ui| {
            for (i, o) in prompt.options.iter().enumerate() {
                let text = egui::RichText::new(format!("{}.  {}", i + 1, o.text));
                let b = egui::Button::new(text)
                    .wrap()
                    .min_size(egui::vec2(ui.available_width(), 40.0));
                if ui.add(b).clicked() {
                    action = Some(UiAction::Choose(i + 1));
                }
            }
        });
    action
}

/// The conversation so far, leaving `reserve` points below it for the
/// choices; it keeps to the latest line.
pub fn transcript(ui: &mut egui::Ui, s: &Session, reserve: f32) {
    transcript_as(ui, s, reserve, &[]);
}

fn transcript_as(ui: &mut egui::Ui, s: &Session, reserve: f32, names: &[String]) {
    let name = &s.scenario().client.name;
    egui::ScrollArea::vertical()
        .max_height(ui.available_height() - reserve)
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, t) in s.turns().iter().enumerate() {
                bubble(ui, name, &t.client_line, false);
                for d in &t.disclosures {
                    bubble(ui, name, d, false);
                }
                let who = names.get(i).map_or("You", String::as_str);
                bubble(ui, who, &t.text, true);
            }
            if let Some(prompt) = s.prompt() {
                bubble(ui, name, &prompt.client_line, false);
                for d in &prompt.disclosures {
                    bubble(ui, name, d, false);
                }
            }
        });
}

fn bubble(ui: &mut egui::Ui, who: &str, text: &str, trainee: bool) {
    let fill = if trainee {
        ui.visuals().selection.bg_fill.gamma_multiply(0.35)
    } else {
        ui.visuals().faint_bg_color
    };
    let layout = if trainee {
        egui::Layout::right_to_left(egui::Align::TOP)
    } else {
        egui::Layout::left_to_right(egui::Align::TOP)
    };
    ui.with_layout(layout, |ui| {
        egui::Frame::new()
            .fill(fill)
            .corner_radius(8)
            .inner_margin(8)
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width() * 0.8);
                ui.vertical(|ui| {
                    ui.label(egui::RichText::new(who).small().strong());
                    ui.label(text);
                });
            });
    });
}
