//! The floor to compare the app against: a bare Bevy + `bevy_egui` window with
//! the same features, showing one label. `--with-idle-fix` adds the app's fix
//! for egui's per-frame repaint requests (see `ipt_trainer::app::idle`).
//! With `IPT_TRAINER_PERF=FILE` it measures 10 s of idling and quits.

use bevy::prelude::*;
use bevy::winit::WinitSettings;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};
use ipt_trainer::app::{idle, perf};

fn main() {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "bare window".into(),
            resolution: (1280u32, 800u32).into(),
            ..default()
        }),
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    .insert_resource(WinitSettings::desktop_app())
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    })
    .add_systems(EguiPrimaryContextPass, label);
    if std::env::args().any(|a| a == "--with-idle-fix") {
        app.add_plugins(idle::plugin);
    }
    if let Some(probe) = perf::from_env(false) {
        app.add_plugins(perf::plugin(probe));
    }
    app.run();
}

fn label(mut contexts: EguiContexts) -> Result {
    let ctx = contexts.ctx_mut()?;
    egui::Window::new("bare").show(ctx, |ui| ui.label("A bare Bevy + bevy_egui window."));
    Ok(())
}
