//! The debrief: the scores, each explained; trust and distress over the
//! session; every turn with the principles that fired and the better move;
//! retry from any turn; export.

use crate::app::assets::Notices;
use crate::app::{Practising, Prefs, Screen, UiAction, Viewing};
use crate::core::debrief::Debrief;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_debrief
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Debrief)),
    );
}

fn draw_debrief(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    viewing: Res<Viewing>,
    current: Res<Practising>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "debrief");
    egui::CentralPanel::default().show(&mut root, |ui| {
        let Some(d) = &viewing.debrief else {
            ui.label("No debrief to show.");
            return;
        };
        if let Some(c) = viewing.record.as_ref().and_then(|r| r.case.as_ref()) {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "Session {} of {} of the course \"{}\"",
                        c.number, c.total, c.title
                    ))
                    .strong(),
                );
                if ui.button("Back to the course").clicked() {
                    out.write(UiAction::OpenCase(c.id.clone()));
                }
            });
        }
        let can_retry = current.practice.is_some();
        let group = viewing.record.as_ref().and_then(|r| r.group.as_ref());
        if let Some(a) = view_with_group(ui, d, &viewing.client_name, can_retry, group) {
            out.write(a);
        }
    });
    Ok(())
}

fn signed(v: i32) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

pub fn view(ui: &mut egui::Ui, d: &Debrief, client: &str, can_retry: bool) -> Option<UiAction> {
    view_with_group(ui, d, client, can_retry, None)
}

/// The debrief, with the class discussion first for a group session.
pub fn view_with_group(
    ui: &mut egui::Ui,
    d: &Debrief,
    client: &str,
    can_retry: bool,
    group: Option<&crate::core::group::GroupRecord>,
) -> Option<UiAction> {
    let mut action = None;
    let page = egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(g) = group {
                super::group::discussion(ui, g, d);
            }
            ui.heading(format!("Debrief: {}", d.title));
            if let Some(e) = &d.ending {
                ui.label(egui::RichText::new(format!("{} ({:?})", e.title, e.outcome)).strong());
                ui.label(&e.text);
            } else {
                ui.label("The session was ended before an ending.");
            }
            ui.label(format!(
                "Time used: {} of {} minutes",
                d.minutes_used, d.minutes_planned
            ));
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new(format!("Overall {}", d.scores.overall))
                    .size(28.0)
                    .strong(),
            );
            for c in &d.critical {
                ui.label(
                    egui::RichText::new(format!(
                        "Serious error, overall capped at {}: {c}",
                        d.critical_cap
                    ))
                    .color(crate::app::theme::bad(ui))
                    .strong(),
                );
            }
            ui.columns(2, |cols| {
                for dim in &d.dimensions {
                    crate::app::widgets::score_bar(&mut cols[0], dim.dimension.label(), dim.score);
                    egui::CollapsingHeader::new(format!(
                        "Why {} is {}",
                        dim.dimension.label().to_lowercase(),
                        dim.score
                    ))
                    .id_salt(dim.dimension.label())
                    .show(&mut cols[0], |ui| {
                        if d.model == crate::core::rubric::ScoringModel::AgainstOptions {
                            ui.label(format!(
                                "You kept {} of the {} points your choices put at stake.",
                                dim.earned, dim.stake
                            ));
                            if !dim.losses.is_empty() {
                                ui.label(
                                    egui::RichText::new("Where points were given up:").strong(),
                                );
                            }
                            for l in dim.losses.iter().take(5) {
                                let at = l.turn.map_or_else(
                                    || "At the end".to_string(),
                                    |t| format!("Turn {t}"),
                                );
                                let text = if l.instead.is_empty() {
                                    format!(
                                        "{}  {at}: {}",
                                        signed(l.points.saturating_neg()),
                                        l.reason
                                    )
                                } else {
                                    format!(
                                        "{}  {at}: \"{}\" — {}",
                                        signed(l.points.saturating_neg()),
                                        l.instead,
                                        l.reason
                                    )
                                };
                                ui.label(
                                    egui::RichText::new(text).color(crate::app::theme::bad(ui)),
                                );
                            }
                            ui.label(
                                egui::RichText::new(
                                    "What the moves earned and cost, by principle:",
                                )
                                .strong(),
                            );
                        } else {
                            ui.label(format!("Starts at {}.", d.base));
                        }
                        for c in &dim.contributions {
                            ui.label(format!(
                                "{}  {} (x{}) — {}",
                                signed(c.points),
                                c.principle_name,
                                c.times,
                                c.source
                            ));
                        }
                    });
                }
                let trust: PlotPoints = d
                    .states
                    .iter()
                    .enumerate()
                    .map(|(i, s)| [i as f64, f64::from(s.trust)])
                    .collect();
                let distress: PlotPoints = d
                    .states
                    .iter()
                    .enumerate()
                    .map(|(i, s)| [i as f64, f64::from(s.distress)])
                    .collect();
                let plot = Plot::new("state")
                    .legend(Legend::default())
                    .height(220.0)
                    .include_y(0.0)
                    .include_y(100.0)
                    .x_axis_label("turn")
                    .allow_drag(false)
                    .allow_zoom(false)
                    .allow_scroll(false)
                    .show(&mut cols[1], |p| {
                        p.line(Line::new("Trust", trust).width(2.5));
                        p.line(Line::new("Distress", distress).width(2.5));
                    });
                let of = |f: fn(&crate::core::model::ClientState) -> i32| -> Vec<i32> {
                    d.states.iter().map(f).collect()
                };
                crate::app::a11y::name(
                    &cols[1],
                    &plot.response,
                    egui::accesskit::Role::Image,
                    format!(
                        "Chart of the client across the session. {}. {}.",
                        crate::app::a11y::trend("Trust", &of(|s| s.trust), "turns"),
                        crate::app::a11y::trend("Distress", &of(|s| s.distress), "turns")
                    ),
                );
            });
            if !d.tasks.is_empty() {
                ui.label(egui::RichText::new("Session tasks").strong());
                ui.horizontal_wrapped(|ui| {
                    for t in &d.tasks {
                        let (mark, colour) = if t.done {
                            ("✔", crate::app::theme::good(ui))
                        } else {
                            ("not done:", crate::app::theme::bad(ui))
                        };
                        ui.label(egui::RichText::new(format!("{mark} {}", t.name)).color(colour));
                    }
                });
            }
            ui.horizontal(|ui| {
                if ui.button("Export the record").clicked() {
                    action = Some(UiAction::Export(
                        format!("{}-{}.json", d.scenario, d.seed).into(),
                    ));
                }
                if ui.button("Back to the library").clicked() {
                    action = Some(UiAction::Go(Screen::Library));
                }
            });
            ui.separator();
            ui.heading("Turn by turn");
            for t in &d.turns {
                // Who made the move: the hot seat's trainee, the class, or you.
                let who = group
                    .and_then(|g| g.turns.get(t.number.saturating_sub(1)))
                    .and_then(|gt| gt.by.clone())
                    .unwrap_or_else(|| {
                        if group.is_some() { "The class" } else { "You" }.to_string()
                    });
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(
                        egui::RichText::new(format!("Turn {} · {} min", t.number, t.clock)).small(),
                    );
                    ui.label(format!("{client}: {}", t.client_line));
                    if !t.cue.body.is_empty() {
                        ui.label(egui::RichText::new(&t.cue.body).italics().small());
                    }
                    ui.label(
                        egui::RichText::new(format!("{who} ({}): {}", t.kind.label(), t.text))
                            .strong(),
                    );
                    // The reason that decided the move first (harm before
                    // anything else), then the rest.
                    for (i, f) in t.fired.iter().enumerate() {
                        let colour = if f.score.total() >= 0 && !f.harm {
                            crate::app::theme::good(ui)
                        } else {
                            crate::app::theme::bad(ui)
                        };
                        let mut text =
                            egui::RichText::new(format!("{} — {}", f.principle_name, f.feedback))
                                .color(colour);
                        if i == 0 {
                            text = text.strong();
                        }
                        ui.label(text).on_hover_text(&f.source);
                    }
                    if d.model == crate::core::rubric::ScoringModel::AgainstOptions
                        && !t.points.stake.is_zero()
                    {
                        let p = &t.points;
                        ui.label(
                            egui::RichText::new(format!(
                                "Kept here: rapport {} of {}, pacing {} of {}, focus {} of {}",
                                p.earned.rapport,
                                p.stake.rapport,
                                p.earned.pacing,
                                p.stake.pacing,
                                p.earned.focus,
                                p.stake.focus
                            ))
                            .small(),
                        );
                    }
                    if !t.author_feedback.is_empty() {
                        ui.label(
                            egui::RichText::new(format!("Tutor's note: {}", t.author_feedback))
                                .italics(),
                        );
                    }
                    if let Some(b) = &t.better {
                        ui.label(format!(
                            "Better here: “{}” ({}). {}",
                            b.text,
                            b.kind.label(),
                            b.why
                        ));
                    }
                    if can_retry && ui.button(format!("Retry from turn {}", t.number)).clicked() {
                        action = Some(UiAction::RetryFrom(t.number));
                    }
                });
            }
            if !d.session_end.is_empty() {
                ui.label(egui::RichText::new("At the end of the session").strong());
                for f in &d.session_end {
                    ui.label(format!("{} ({})", f.feedback, signed(f.score.total())));
                }
            }
        });
    crate::app::widgets::page_keys(ui, &page);
    action
}

/// Exports the attempt on screen: beside the records, under a name that
/// says when it finished (a retry keeps the seed, so the seed alone would
/// let a retry's export replace the first).
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    viewing: Res<Viewing>,
    prefs: Option<Res<Prefs>>,
    mut notices: ResMut<Notices>,
) {
    for a in actions.read() {
        let UiAction::Export(name) = a else { continue };
        let Some(r) = viewing.record.as_ref() else {
            notices
                .0
                .push("There is no finished attempt to export.".into());
            continue;
        };
        let name = format!("{}-{}", r.finished_at, name.display());
        let path = prefs.as_ref().map_or_else(
            || std::path::PathBuf::from(&name),
            |p| p.store.dir().join("exports").join(&name),
        );
        match crate::core::store::write_record(&path, r) {
            Ok(()) => notices.0.push(format!("Exported to {}", path.display())),
            Err(e) => notices.0.push(format!("Export failed: {e}")),
        }
    }
}
