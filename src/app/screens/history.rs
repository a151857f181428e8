//! History: past attempts with their scores, a progress chart, and any
//! attempt's debrief.

use crate::app::assets::Catalog;
use crate::app::{History, Practising, Rubric, Screen, UiAction, Viewing};
use crate::core::drill::{DrillRecord, SkillProfile};
use crate::core::rubric::Guidance;
use crate::core::store::AttemptRecord;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_history
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::History)),
    );
}

fn draw_history(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    history: Res<History>,
    rubric: Res<Rubric>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "history");
    egui::CentralPanel::default().show(&mut root, |ui| {
        let page = egui::ScrollArea::vertical().show(ui, |ui| {
            if let Some(a) = view(ui, &history.records, &history.drills, &rubric.0) {
                out.write(a);
            }
        });
        crate::app::widgets::page_keys(ui, &page);
    });
    Ok(())
}

/// Attempts (a progress chart and the list), then skills: the profile from
/// every attempt and drill, and the sessions of drills.
pub fn view(
    ui: &mut egui::Ui,
    records: &[AttemptRecord],
    drills: &[DrillRecord],
    guidance: &Guidance,
) -> Option<UiAction> {
    let action = attempts(ui, records);
    ui.add_space(12.0);
    ui.heading("Your skills");
    if records.is_empty() && drills.is_empty() {
        ui.label("Your skills show here once you have played a scenario or done some drills.");
        return action;
    }
    let profile = SkillProfile::from_records(records, drills);
    super::drills::skill_chart(ui, guidance, &profile, None);
    if !drills.is_empty() {
        ui.add_space(8.0);
        ui.label(egui::RichText::new("Sessions of drills").strong());
        egui::Grid::new("drill-sessions")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for h in ["#", "Plan", "Right the first time"] {
                    ui.label(egui::RichText::new(h).strong());
                }
                ui.end_row();
                for (i, d) in drills.iter().enumerate().rev() {
                    ui.label(format!("{}", i + 1));
                    ui.label(d.plan.as_deref().unwrap_or("weakest skills first"));
                    ui.label(format!("{} of {}", d.first_time_good(), d.results.len()));
                    ui.end_row();
                }
            });
    }
    action
}

fn attempts(ui: &mut egui::Ui, records: &[AttemptRecord]) -> Option<UiAction> {
    let mut action = None;
    ui.heading("Your attempts");
    if records.is_empty() {
        ui.label("No attempts yet. Pick a scenario in the library to start.");
        return None;
    }
    // Your own progress as a line; group sessions apart, as marks only.
    let points = |group: bool| -> Vec<[f64; 2]> {
        records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group.is_some() == group)
            .map(|(i, r)| [i as f64 + 1.0, f64::from(r.debrief.scores.overall)])
            .collect()
    };
    let own = points(false);
    let groups = points(true);
    let overall: Vec<i32> = own.iter().map(|p| p[1] as i32).collect();
    let plot = Plot::new("progress")
        .legend(Legend::default())
        .height(180.0)
        .include_y(0.0)
        .include_y(100.0)
        .include_x(0.5)
        .include_x(records.len().max(5) as f64 + 0.5)
        .x_axis_label("attempt")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |p| {
            p.line(Line::new("Overall", PlotPoints::from(own.clone())).width(2.0));
            p.points(Points::new("Attempts", PlotPoints::from(own)).radius(4.0));
            if !groups.is_empty() {
                p.points(
                    Points::new("Group sessions", PlotPoints::from(groups))
                        .shape(egui_plot::MarkerShape::Diamond)
                        .radius(6.0),
                );
            }
        });
    crate::app::a11y::name(
        ui,
        &plot.response,
        egui::accesskit::Role::Image,
        format!(
            "Chart of your progress. {}.",
            crate::app::a11y::trend("Your overall score", &overall, "attempts")
        ),
    );
    egui::ScrollArea::vertical()
        .id_salt("attempts")
        .max_height(300.0)
        .show(ui, |ui| {
            egui::Grid::new("attempts")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for h in [
                        "#",
                        "Scenario",
                        "Overall",
                        "Rapport / Pacing / Focus",
                        "Mode",
                        "",
                    ] {
                        ui.label(egui::RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, r) in records.iter().enumerate().rev() {
                        let s = r.debrief.scores;
                        ui.label(format!("{}", i + 1));
                        ui.label(&r.scenario_title);
                        ui.label(format!("{}", s.overall));
                        ui.label(format!("{} / {} / {}", s.rapport, s.pacing, s.focus));
                        ui.label(match &r.group {
                            Some(g) => format!("{}: {}", g.mode.label().to_lowercase(), r.trainee),
                            None if r.coach_mode => "coach".into(),
                            None => "assessment".into(),
                        });
                        if ui.button("Open debrief").clicked() {
                            action = Some(UiAction::OpenRecord(i));
                        }
                        ui.end_row();
                    }
                });
        });
    action
}

/// Opens a past attempt's debrief: nothing to retry there, and shown in the
/// trainee's own look (not presenter view).
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    history: Res<History>,
    catalog: Res<Catalog>,
    mut viewing: ResMut<Viewing>,
    mut current: ResMut<Practising>,
    mut next: ResMut<NextState<Screen>>,
) {
    for a in actions.read() {
        let UiAction::OpenRecord(i) = a else { continue };
        let Some(r) = history.records.get(*i) else {
            continue;
        };
        viewing.debrief = Some(r.debrief.clone());
        viewing.client_name = catalog
            .by_id(&r.scenario_id)
            .and_then(|e| e.scenario.as_ref())
            .map_or_else(|| "Client".into(), |s| s.client.name.clone());
        viewing.record = Some(r.clone());
        *current = Practising::default();
        next.set(Screen::Debrief);
    }
}
