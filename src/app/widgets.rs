//! Pieces of the screens that more than one screen draws: the conversation
//! and its choices, the option keys, score bars.

use crate::app::UiAction;
use crate::core::session::Session;
use bevy_egui::egui;

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

/// The conversation and the choices, with the trainee's lines credited to
/// `names` by turn (the hot seat); "You" where there is no name.
pub fn conversation(ui: &mut egui::Ui, s: &Session, names: &[String]) -> Option<UiAction> {
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
    transcript(ui, s, options_height, names);
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
/// choices; it keeps to the latest line. The trainee's lines are credited
/// to `names` by turn (the hot seat); "You" where there is no name.
pub fn transcript(ui: &mut egui::Ui, s: &Session, reserve: f32, names: &[String]) {
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
                let r = bubble(ui, name, &prompt.client_line, false);
                let mut spoken = format!("{name}: {}", prompt.client_line);
                for d in &prompt.disclosures {
                    bubble(ui, name, d, false);
                    spoken.push(' ');
                    spoken.push_str(d);
                }
                if !prompt.cue.body.is_empty() {
                    spoken.push_str(" (");
                    spoken.push_str(&prompt.cue.body);
                    spoken.push(')');
                }
                crate::app::a11y::live(ui, "client-line", r.rect, spoken);
            }
        });
}

/// One line of the conversation, the trainee's on the right.
pub fn bubble(ui: &mut egui::Ui, who: &str, text: &str, trainee: bool) -> egui::Response {
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
            })
            .response
    })
    .inner
}

/// A titled score bar for meters and the debrief.
pub fn score_bar(ui: &mut egui::Ui, label: &str, score: i32) {
    ui.horizontal(|ui| {
        let label_width = 80.0_f32.min(ui.available_width() * 0.4);
        ui.add_sized(
            [label_width, ui.spacing().interact_size.y],
            egui::Label::new(egui::RichText::new(label).strong()),
        );
        let width = (ui.available_width() - 48.0).clamp(40.0, 360.0);
        let r = bar(
            ui,
            score.clamp(0, 100) as f32 / 100.0,
            &format!("{score}"),
            width,
        );
        crate::app::a11y::name(
            ui,
            &r,
            egui::accesskit::Role::Meter,
            format!("{label} {score} of 100"),
        );
    });
}

/// A bar with its figure beside it, not on it: text over a half-filled
/// bar would stand on two backgrounds, and cannot keep its contrast on
/// both. The bar itself is in the theme's selection colour (3:1 against
/// the panel, as graphics need).
///
/// Returns the bar's own response, for the caller to name (the figure
/// beside it is read as a label of its own).
pub fn bar(ui: &mut egui::Ui, fraction: f32, figure: &str, width: f32) -> egui::Response {
    ui.horizontal(|ui| {
        let r = ui.add(egui::ProgressBar::new(fraction.clamp(0.0, 1.0)).desired_width(width));
        // An outline in the text colour shows the whole track, so the
        // unfilled part is visible in every theme (in high contrast the
        // track is as black as the panel).
        ui.painter().rect_stroke(
            r.rect,
            r.rect.height() / 2.0,
            egui::Stroke::new(1.0, ui.visuals().text_color()),
            egui::StrokeKind::Inside,
        );
        ui.label(figure);
        r
    })
    .inner
}

/// Page Up, Page Down, Home and End scroll a screen's main scroll area
/// (egui's scroll areas follow only the wheel, a drag and the focus, so a
/// long page was out of reach of the keyboard). Not while a text field
/// has the keys.
pub fn page_keys<R>(ui: &egui::Ui, out: &egui::scroll_area::ScrollAreaOutput<R>) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let (down, up, home, end) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::PageDown),
            i.key_pressed(egui::Key::PageUp),
            i.key_pressed(egui::Key::Home),
            i.key_pressed(egui::Key::End),
        )
    });
    if !(down || up || home || end) {
        return;
    }
    let view = out.inner_rect.height();
    let max = (out.content_size.y - view).max(0.0);
    let page = (view - 40.0).max(40.0);
    let y = out.state.offset.y;
    let to = if home {
        0.0
    } else if end {
        max
    } else if down {
        y + page
    } else {
        y - page
    };
    let mut state = out.state;
    state.offset.y = to.clamp(0.0, max);
    state.store(ui.ctx(), out.id);
    ui.ctx().request_repaint();
}
