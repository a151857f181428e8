//! Keeps an idle window idle.
//!
//! `bevy_egui` 0.42 pushes a `ModifiersChanged` event into egui's input on
//! every frame, changed or not (`write_egui_input_system`). egui treats any
//! input event as a reason to repaint at once, `bevy_egui` turns that into a
//! `RequestRedraw`, and the reactive winit loop never sleeps: a bare window
//! drew 25-33 frames a second doing nothing. This drops the event when the
//! modifiers have not changed since the last one egui saw, so egui only asks
//! for a frame when something really happened.

use bevy::platform::collections::HashMap;
use bevy::prelude::*;
use bevy_egui::{EguiInput, EguiPreUpdateSet, egui};

pub fn plugin(app: &mut App) {
    app.add_systems(
        PreUpdate,
        drop_unchanged_modifiers
            .after(EguiPreUpdateSet::ProcessInput)
            .before(EguiPreUpdateSet::BeginPass),
    );
}

/// Removes `ModifiersChanged` events that repeat the last known modifiers.
pub fn drop_unchanged_modifiers(
    mut inputs: Query<(Entity, &mut EguiInput)>,
    mut last: Local<HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        let seen = last.get(&entity).copied();
        let mut latest = seen;
        input.0.events.retain(|e| match e {
            egui::Event::ModifiersChanged(m) => {
                let keep = latest != Some(*m);
                latest = Some(*m);
                keep
            }
            _ => true,
        });
        if let Some(m) = latest {
            last.insert(entity, m);
        }
    }
}
