//! The client's face, drawn with egui's painter: its expression follows the
//! client's state and the emotion the scene shows (no downloaded art).

use crate::core::model::{ClientState, Emotion};
use bevy_egui::egui::{self, Color32, Pos2, Shape, Stroke, Vec2};

/// A face size that fits where it is drawn: at most `largest` points, no
/// wider than the panel, and no more than a quarter of the window's height,
/// so large text (or a small window) leaves room for the words.
pub fn fitting(ui: &egui::Ui, largest: f32) -> f32 {
    largest
        .min(ui.available_width())
        .min(ui.ctx().content_rect().height() * 0.25)
        .max(40.0)
}

/// Draws a face of `size` points; returns the response for layout.
pub fn face(ui: &mut egui::Ui, state: ClientState, skin: Color32, size: f32) -> egui::Response {
    face_with(ui, state, None, skin, size)
}

/// A face that also shows an emotion: anger draws the brows down, fear
/// widens the eyes, sadness, guilt and shame lower the gaze, numbness
/// flattens everything, hope lifts the mouth.
pub fn face_with(
    ui: &mut egui::Ui,
    state: ClientState,
    emotion: Option<Emotion>,
    skin: Color32,
    size: f32,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), egui::Sense::hover());
    let feeling = emotion.map_or(String::new(), |e| {
        format!(" Shows {}.", e.label().to_lowercase())
    });
    crate::app::a11y::name(
        ui,
        &response,
        egui::accesskit::Role::Image,
        format!("The client's face. {}{feeling}", describe(state)),
    );
    let p = ui.painter_at(rect);
    let c = rect.center();
    let r = size * 0.42;
    let ink = Color32::from_rgb(40, 35, 35);
    let stroke = Stroke::new((size / 60.0).max(1.5), ink);

    // Mood from -1 (low) to 1 (at ease): trust lifts it, distress lowers it.
    let mut mood = ((state.trust - state.distress) as f32 / 100.0).clamp(-1.0, 1.0);
    let tension = (state.distress as f32 / 100.0).clamp(0.0, 1.0);
    let mut open = (state.openness as f32 / 100.0).clamp(0.0, 1.0);
    // How far the brows' inner ends drop (anger) and the gaze falls.
    let mut scowl = 0.0_f32;
    let mut gaze = 0.0_f32;
    match emotion {
        Some(Emotion::Anger) => scowl = 0.22,
        Some(Emotion::Fear) => open = (open + 0.5).min(1.0),
        Some(Emotion::Sadness | Emotion::Guilt | Emotion::Shame) => {
            gaze = 0.08;
            mood = mood.min(-0.3);
        }
        Some(Emotion::Numbness) => {
            mood = 0.0;
            open = open.min(0.25);
        }
        Some(Emotion::Hope) => mood = mood.max(0.4),
        None => {}
    }

    p.circle(c, r, skin, stroke);
    // Hair.
    p.add(Shape::convex_polygon(
        arc(c, r * 1.02, 200.0, 340.0, 16),
        Color32::from_rgb(70, 55, 45),
        Stroke::NONE,
    ));

    // Eyes: more open with openness; look down when distressed.
    let eye_y = c.y - r * 0.12 + tension * r * 0.05 + gaze * r;
    let eye_h = r * (0.05 + 0.09 * open);
    for dx in [-0.36, 0.36] {
        let e = Pos2::new(c.x + dx * r, eye_y);
        p.add(Shape::ellipse_filled(e, Vec2::new(r * 0.1, eye_h), ink));
        // Brows: inner ends rise with distress (worry), flatten with ease.
        let inner = Pos2::new(
            c.x + dx * r * 0.55,
            eye_y - r * (0.2 + 0.12 * tension - scowl),
        );
        let outer = Pos2::new(c.x + dx * r * 1.25, eye_y - r * (0.22 - 0.05 * tension));
        p.line_segment([inner, outer], stroke);
    }

    // Mouth: a curve from frown to smile.
    let mouth_y = c.y + r * 0.45;
    let w = r * 0.42;
    let bend = mood * r * 0.22;
    let a = Pos2::new(c.x - w, mouth_y - bend * 0.3);
    let b = Pos2::new(c.x + w, mouth_y - bend * 0.3);
    let ctrl = Pos2::new(c.x, mouth_y + bend);
    p.add(Shape::QuadraticBezier(
        egui::epaint::QuadraticBezierShape::from_points_stroke(
            [a, ctrl, b],
            false,
            Color32::TRANSPARENT,
            stroke,
        ),
    ));
    // A tear when distress is very high, or sadness is strong.
    if state.distress >= 80 || (emotion == Some(Emotion::Sadness) && state.distress >= 65) {
        let t = Pos2::new(c.x + 0.42 * r, eye_y + r * 0.2);
        p.circle_filled(t, r * 0.05, Color32::from_rgb(90, 150, 230));
    }
    response.on_hover_text(describe(state))
}

fn arc(c: Pos2, r: f32, from_deg: f32, to_deg: f32, n: usize) -> Vec<Pos2> {
    (0..=n)
        .map(|i| {
            let t = (from_deg + (to_deg - from_deg) * i as f32 / n as f32).to_radians();
            Pos2::new(c.x + r * t.cos(), c.y + r * t.sin())
        })
        .collect()
}

/// Words for the expression, for screen readers and the tooltip.
pub fn describe(s: ClientState) -> String {
    let mood = if s.distress >= 70 {
        "visibly upset"
    } else if s.trust >= 60 && s.distress < 50 {
        "at ease"
    } else if s.trust < 35 {
        "guarded"
    } else {
        "cautious"
    };
    let open = if s.openness >= 60 {
        "talking freely"
    } else if s.openness <= 30 {
        "holding back"
    } else {
        "answering carefully"
    };
    format!("Looks {mood}, {open}.")
}

/// A stylised face colour per client, stable for a name. Deliberately not a
/// skin tone: the scenario's words, not a guess from a name, say who the
/// client is.
pub fn skin_for(name: &str) -> Color32 {
    const TONES: [Color32; 5] = [
        Color32::from_rgb(236, 214, 180),
        Color32::from_rgb(214, 226, 196),
        Color32::from_rgb(222, 208, 232),
        Color32::from_rgb(200, 222, 232),
        Color32::from_rgb(238, 206, 196),
    ];
    let h = name
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    TONES[h % TONES.len()]
}
