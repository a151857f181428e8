//! What a screen reader hears (AccessKit: AT-SPI on Linux, UI Automation
//! on Windows, `NSAccessibility` on macOS). egui names its own widgets; this
//! names what it draws as pictures (the face, bars, charts) and makes the
//! client's newest line a live region, so it is spoken as it appears.

use bevy_egui::egui::{self, accesskit};

/// Gives the widget behind `r` a role and a name (a picture's text
/// alternative). Does nothing when no assistive technology is listening.
pub fn name(ui: &egui::Ui, r: &egui::Response, role: accesskit::Role, label: impl Into<String>) {
    let label = label.into();
    ui.ctx().accesskit_node_builder(r.id, |n| {
        n.set_role(role);
        n.set_label(label);
    });
}

/// A live region over `rect` with a fixed `id`: when its text changes (the
/// client's next line), a screen reader speaks it without the user moving
/// there.
pub fn live(ui: &mut egui::Ui, id: &str, rect: egui::Rect, text: impl Into<String>) {
    let r = ui.interact(rect, egui::Id::new(("live", id)), egui::Sense::hover());
    let text = text.into();
    ui.ctx().accesskit_node_builder(r.id, |n| {
        n.set_role(accesskit::Role::Label);
        n.set_live(accesskit::Live::Polite);
        n.set_value(text.clone());
        n.set_label(text);
    });
}

/// A series in words: "Trust rose from 35 to 52 over 10 turns".
pub fn trend(what: &str, values: &[i32], steps: &str) -> String {
    match values {
        [] => format!("{what}: no figures yet"),
        [only] => format!("{what} {only}"),
        [first, .., last] => {
            let n = values.len() - 1;
            let how = match last.cmp(first) {
                std::cmp::Ordering::Greater => format!("rose from {first} to {last}"),
                std::cmp::Ordering::Less => format!("fell from {first} to {last}"),
                std::cmp::Ordering::Equal => format!("ended where it began, at {last}"),
            };
            let (lo, hi) = values
                .iter()
                .fold((i32::MAX, i32::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            let range = if lo < (*first).min(*last) || hi > (*first).max(*last) {
                format!(" (between {lo} and {hi} on the way)")
            } else {
                String::new()
            };
            format!("{what} {how} over {n} {steps}{range}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::trend;

    #[test]
    fn a_series_is_told_in_words() {
        assert_eq!(
            trend("Trust", &[35, 40, 52], "turns"),
            "Trust rose from 35 to 52 over 2 turns"
        );
        assert_eq!(
            trend("Distress", &[60, 75, 40], "turns"),
            "Distress fell from 60 to 40 over 2 turns (between 40 and 75 on the way)"
        );
        assert_eq!(trend("Focus", &[80], "sessions"), "Focus 80");
    }
}
