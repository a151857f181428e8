//! Practise skills: the skill profile, what to drill and the last drills'
//! summary (the hub), and a drill on screen: the last turns, the client's
//! line and cue, the options, then feedback and one retry after a miss.
//! Keys: 1-9 answer, Enter goes on, Escape ends the drills.

use crate::app::assets::Catalog;
use crate::app::drills::{DrillFocus, DrillForm, Drilling, PlanFile};
use crate::app::{History, Rubric, Screen, UiAction};
use crate::core::drill::select::MAX_DRILLS;
use crate::core::drill::{Drill, DrillRecord, Feedback, Queued, Schedule, SkillProfile};
use crate::core::rubric::Guidance;
use crate::core::store::now_secs;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        (
            draw_hub.run_if(in_state(Screen::Drills)),
            draw_drill.run_if(in_state(Screen::Drill)),
        )
            .in_set(super::UiSet::Screen),
    );
}

fn draw_hub(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut drilling: ResMut<Drilling>,
    history: Res<History>,
    catalog: Res<Catalog>,
    rubric: Res<Rubric>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "drills");
    let catalogue = drilling.catalogue(&catalog, &rubric);
    let profile = SkillProfile::from_records(&history.records, &history.drills);
    let due = Schedule::from_records(&history.drills)
        .due(now_secs())
        .len();
    let hub = Hub {
        guidance: &rubric.0,
        profile: &profile,
        drills_per_principle: catalogue.per_principle(),
        form: &drilling.form,
        plans: &drilling.plans,
        last: drilling.last.as_ref(),
        due,
    };
    egui::CentralPanel::default().show(&mut root, |ui| {
        if let Some(a) = hub_view(ui, &hub) {
            out.write(a);
        }
    });
    Ok(())
}

/// What the hub shows.
pub struct Hub<'a> {
    pub guidance: &'a Guidance,
    pub profile: &'a SkillProfile,
    /// Drills the scenarios loaded give, per principle id.
    pub drills_per_principle: BTreeMap<&'a str, usize>,
    pub form: &'a DrillForm,
    pub plans: &'a [PlanFile],
    pub last: Option<&'a DrillRecord>,
    /// Missed drills due for review now.
    pub due: usize,
}

pub fn hub_view(ui: &mut egui::Ui, hub: &Hub<'_>) -> Option<UiAction> {
    let mut action = None;
    let typing = ui.ctx().egui_wants_keyboard_input();
    if !typing && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = Some(UiAction::StartDrills);
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Practise skills");
        ui.label(
            "Short drills on single choice points of the scenarios, replayed exactly as they \
             happen in a session. Each takes under a minute: choose, see which principle \
             decided it, and try once more after a miss.",
        );
        ui.add_space(8.0);
        if let Some(r) = hub.last {
            ui.group(|ui| {
                ui.set_width(ui.available_width());
                last_summary(ui, r, hub.profile, hub.guidance);
            });
            ui.add_space(8.0);
        }
        ui.group(|ui| {
            ui.set_width(ui.available_width());
            if let Some(a) = form(ui, hub) {
                action = Some(a);
            }
        });
        ui.add_space(8.0);
        ui.heading("Your skills");
        skill_chart(
            ui,
            hub.guidance,
            hub.profile,
            Some(&hub.drills_per_principle),
        );
    });
    action
}

/// The choice of what to drill, how many, and the start button.
fn form(ui: &mut egui::Ui, hub: &Hub<'_>) -> Option<UiAction> {
    let mut f = hub.form.clone();
    ui.label(egui::RichText::new("What to practise").strong());
    ui.radio_value(
        &mut f.focus,
        DrillFocus::Weakest,
        "Your weakest skills first (recommended)",
    );
    let one = matches!(f.focus, DrillFocus::Principle(_));
    ui.horizontal_wrapped(|ui| {
        if ui.radio(one, "One skill:").clicked() && !one {
            let first = weakest_with_drills(hub).unwrap_or_default();
            f.focus = DrillFocus::Principle(first);
        }
        let current = match &f.focus {
            DrillFocus::Principle(p) => p.clone(),
            _ => String::new(),
        };
        let name = |id: &str| {
            hub.guidance
                .principle(id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        };
        egui::ComboBox::from_id_salt("drill-principle")
            .selected_text(if current.is_empty() {
                "choose a skill".to_string()
            } else {
                name(&current)
            })
            .width(ui.available_width().min(360.0))
            .show_ui(ui, |ui| {
                for p in &hub.guidance.principles {
                    let n = hub
                        .drills_per_principle
                        .get(p.id.as_str())
                        .copied()
                        .unwrap_or(0);
                    if n == 0 {
                        continue;
                    }
                    let label = format!("{} ({n} drills)", p.name);
                    if ui.selectable_label(current == p.id, label).clicked() {
                        f.focus = DrillFocus::Principle(p.id.clone());
                    }
                }
            });
    });
    if hub.plans.is_empty() {
        ui.label(
            egui::RichText::new(
                "A tutor's drill plan (a .drill.ron file in the scenario folder, or opened \
                 with --drill-plan FILE) shows here.",
            )
            .small(),
        );
    }
    for (i, p) in hub.plans.iter().enumerate() {
        let chosen = f.focus == DrillFocus::Plan(i);
        #[allow(clippy::single_match_else)]
        match &p.plan {
            Some(plan) => {
                let label = format!("Tutor's plan: {} ({} drills)", plan.title, plan.count);
                if ui.radio(chosen, label).clicked() {
                    f.focus = DrillFocus::Plan(i);
                    f.count = plan.count;
                }
                if chosen && !plan.note.is_empty() {
                    ui.label(egui::RichText::new(&plan.note).italics());
                }
            }
            None => {
                ui.label(
                    egui::RichText::new(format!("The drill plan {} has errors:", p.file.display()))
                        .color(crate::app::theme::bad(ui)),
                );
                for e in &p.problems {
                    ui.label(egui::RichText::new(e).monospace().small());
                }
            }
        }
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label("Drills:");
        ui.add(egui::DragValue::new(&mut f.count).range(1..=MAX_DRILLS));
        ui.label(
            egui::RichText::new(
                "(more come after a miss: the same skill in another client's words)",
            )
            .small(),
        );
    });
    if hub.due > 0 {
        ui.label(format!(
            "{} drill{} you missed before {} due again and will come first.",
            hub.due,
            if hub.due == 1 { "" } else { "s" },
            if hub.due == 1 { "is" } else { "are" }
        ));
    }
    ui.add_space(4.0);
    let start = ui.add(
        egui::Button::new(egui::RichText::new("Start drills").strong())
            .min_size(egui::vec2(160.0, 36.0)),
    );
    let mut action = start
        .on_hover_text("Enter")
        .clicked()
        .then_some(UiAction::StartDrills);
    if f != *hub.form {
        action = Some(UiAction::SetDrillForm(f));
    }
    action
}

/// The weakest principle that has drills (for "one skill").
fn weakest_with_drills(hub: &Hub<'_>) -> Option<String> {
    let has = |id: &str| hub.drills_per_principle.get(id).is_some_and(|n| *n > 0);
    hub.profile
        .weakest()
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| has(id))
        .or_else(|| {
            hub.guidance
                .principles
                .iter()
                .map(|p| p.id.as_str())
                .find(|id| has(id))
        })
        .map(str::to_string)
}

/// The last session of drills: how many right the first time, and the
/// estimate of each skill drilled.
fn last_summary(ui: &mut egui::Ui, r: &DrillRecord, profile: &SkillProfile, g: &Guidance) {
    ui.label(
        egui::RichText::new(format!(
            "Last drills: {} of {} right the first time",
            r.first_time_good(),
            r.results.len()
        ))
        .heading(),
    );
    for l in r.by_principle(profile) {
        let name = g
            .principle(&l.principle)
            .map_or(l.principle.as_str(), |p| p.name.as_str());
        let mut line = format!("{name}: {} of {} here", l.first_time, l.drills);
        if l.on_retry > 0 {
            let _ = write!(line, ", {} found on the retry", l.on_retry);
        }
        let s = l.now;
        let _ = write!(
            line,
            "; estimate now {:.0}% over {} chance{}",
            s.mean() * 100.0,
            s.chances,
            if s.chances == 1 { "" } else { "s" }
        );
        if s.mastered() {
            line.push_str(" — mastered");
        }
        ui.label(line);
    }
}

/// The skill profile as a chart: one bar per principle (the estimate, with
/// the range it is surely above marked), the number of chances behind it
/// and whether it is mastered, in words beside each bar. With
/// `drills`, principles no drill tests and no move has tested are left out.
pub fn skill_chart(
    ui: &mut egui::Ui,
    g: &Guidance,
    profile: &SkillProfile,
    drills: Option<&BTreeMap<&str, usize>>,
) {
    let mastered = profile.mastered();
    ui.label(format!(
        "Mastered: {mastered} of {} skills. A skill counts as mastered when you chose well at \
         5 or more chances where it decided, and the estimate is surely above 70%.",
        g.principles.len()
    ));
    let good = crate::app::theme::good(ui);
    let bar_fill = ui.visuals().selection.bg_fill;
    let track = ui.visuals().extreme_bg_color;
    let stroke = ui.visuals().widgets.noninteractive.fg_stroke;
    egui::Grid::new("skills")
        .num_columns(3)
        .striped(true)
        .spacing(egui::vec2(12.0, 6.0))
        .show(ui, |ui| {
            for p in &g.principles {
                let s = profile.skill(&p.id);
                let testable = drills.is_none_or(|d| d.get(p.id.as_str()).is_some_and(|n| *n > 0));
                if s.chances == 0 && !testable {
                    continue;
                }
                ui.label(&p.name).on_hover_text(&p.source);
                let width = (ui.available_width() * 0.5).clamp(120.0, 320.0);
                let height = ui.text_style_height(&egui::TextStyle::Body);
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
                let painter = ui.painter_at(rect);
                painter.rect_filled(rect, 3.0, track);
                if s.chances > 0 {
                    let w = rect.width() * s.mean() as f32;
                    let filled = egui::Rect::from_min_size(rect.min, egui::vec2(w, rect.height()));
                    painter.rect_filled(filled, 3.0, if s.mastered() { good } else { bar_fill });
                    // The lower bound: the estimate is surely above this.
                    let x = rect.left() + rect.width() * s.lower().max(0.0) as f32;
                    painter.line_segment(
                        [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
                        egui::Stroke::new(2.0, stroke.color),
                    );
                }
                // The 70% mastery line.
                let m = rect.left() + rect.width() * 0.7;
                painter.line_segment(
                    [egui::pos2(m, rect.top()), egui::pos2(m, rect.bottom())],
                    egui::Stroke::new(1.0, stroke.color.gamma_multiply(0.5)),
                );
                let words = if s.chances == 0 {
                    "no chances yet".to_string()
                } else {
                    format!(
                        "{:.0}% · {} chance{}{}",
                        s.mean() * 100.0,
                        s.chances,
                        if s.chances == 1 { "" } else { "s" },
                        if s.mastered() { " · mastered" } else { "" }
                    )
                };
                ui.label(words);
                ui.end_row();
            }
        });
}

fn draw_drill(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    drilling: Res<Drilling>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "drill");
    let (Some(drill), Some(run)) = (drilling.drill.as_ref(), drilling.run.as_ref()) else {
        egui::CentralPanel::default().show(&mut root, |ui| {
            if ui.button("No drills: back to Practise skills").clicked() {
                out.write(UiAction::Go(Screen::Drills));
            }
        });
        return Ok(());
    };
    let (done, total) = run.progress();
    let queued = run.current();
    let mut action = None;
    let panel = (root.available_width() * 0.28).clamp(170.0, 300.0);
    egui::Panel::left("drill-client")
        .resizable(false)
        .exact_size(panel)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                client_panel(ui, drill, queued, done + 1, total);
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        action = drill_view(ui, drill, drilling.revealed, done + 1 >= total);
    });
    if let Some(a) = action {
        out.write(a);
    }
    Ok(())
}

/// The client, the drill's place in the session of drills and why it is there.
fn client_panel(ui: &mut egui::Ui, drill: &Drill, q: Option<&Queued>, n: usize, total: usize) {
    let s = drill.session();
    let p = drill.point();
    let cue = drill.prompt().map(|p| p.cue.clone()).unwrap_or_default();
    ui.label(egui::RichText::new(format!("Drill {n} of {total}")).heading());
    match q {
        Some(q) if q.review => {
            ui.label("Due again: you missed this one before.");
        }
        Some(q) if q.follow_up => {
            ui.label("The same skill again, in another client's words.");
        }
        _ => {}
    }
    ui.add_space(6.0);
    ui.vertical_centered(|ui| {
        let size = crate::app::face::fitting(ui, 160.0);
        crate::app::face::face_with(
            ui,
            s.state(),
            cue.emotion,
            crate::app::face::skin_for(&p.client),
            size,
        );
        ui.label(egui::RichText::new(&p.client).heading());
        if cue.body.is_empty() {
            ui.label(crate::app::face::describe(s.state()));
        } else {
            ui.label(egui::RichText::new(&cue.body).italics());
        }
    });
    ui.separator();
    ui.label(egui::RichText::new(&p.scenario_title).strong());
    ui.label(format!("{} · {} phase", p.area.label(), p.phase.label()));
    ui.label(format!(
        "Minute {} of {} · {}",
        s.clock(),
        s.scenario().minutes,
        difficulty_words(p.difficulty)
    ));
}

/// A drill's difficulty in words.
pub fn difficulty_words(d: f32) -> &'static str {
    if d < 0.35 {
        "a plain choice"
    } else if d < 0.6 {
        "a closer choice"
    } else {
        "a subtle choice"
    }
}

/// The drill: the last turns, the client's line, the options and, once
/// answered, the feedback. `last` says this is the session's last drill.
pub fn drill_view(
    ui: &mut egui::Ui,
    drill: &Drill,
    revealed: bool,
    last: bool,
) -> Option<UiAction> {
    let mut action = None;
    let prompt = drill.prompt()?;
    let answers = drill.answers();
    let can_answer = drill.can_answer();
    let settled = drill.is_done() || (revealed && !answers.is_empty());
    let n = prompt.options.len();
    let typing = ui.ctx().egui_wants_keyboard_input();
    if can_answer
        && !settled
        && let Some((p, _)) = ui
            .input(crate::app::widgets::number_presses)
            .into_iter()
            .find(|(p, _)| *p <= n)
    {
        action = Some(UiAction::DrillAnswer(p));
    }
    if !answers.is_empty() && !typing && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = Some(UiAction::NextDrill);
    }
    let client = &drill.point().client;
    // The buttons stay in view below the scrolling part, at any text size.
    let bar = ui.text_style_height(&egui::TextStyle::Button).max(18.0) + 28.0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - bar).max(bar))
        .show(ui, |ui| {
            let recent = drill.recent(3);
            ui.label(
                egui::RichText::new(if recent.is_empty() {
                    "The start of the session".to_string()
                } else {
                    format!(
                        "Earlier in the session (the last {} of {} moves)",
                        recent.len(),
                        drill.session().turns().len()
                    )
                })
                .small(),
            );
            for t in recent {
                crate::app::widgets::bubble(ui, client, &t.client_line, false);
                for d in &t.disclosures {
                    crate::app::widgets::bubble(ui, client, d, false);
                }
                crate::app::widgets::bubble(ui, "You", &t.text, true);
            }
            ui.separator();
            crate::app::widgets::bubble(ui, client, &prompt.client_line, false);
            for d in &prompt.disclosures {
                crate::app::widgets::bubble(ui, client, d, false);
            }
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new(if answers.is_empty() {
                    "Your response (click, or press its number):"
                } else if can_answer && !settled {
                    "Try again: choose another response (or press Enter to see the better one)"
                } else {
                    "Your responses"
                })
                .strong(),
            );
            let best = drill.point().best;
            for (i, o) in prompt.options.iter().enumerate() {
                let pos = i + 1;
                let mark = answers.iter().find(|a| a.position == pos).map(|a| {
                    if a.feedback.good {
                        "Your choice, right: "
                    } else {
                        "Your choice, missed: "
                    }
                });
                let mark = mark.or((settled && pos == best).then_some("The better move: "));
                let text = format!("{pos}.  {}{}", mark.unwrap_or(""), o.text);
                let tried = answers.iter().any(|a| a.position == pos);
                let enabled = can_answer && !settled && !tried;
                let b = egui::Button::new(text)
                    .wrap()
                    .selected(mark.is_some())
                    .min_size(egui::vec2(ui.available_width(), 36.0));
                if ui.add_enabled(enabled || mark.is_some(), b).clicked() && enabled {
                    action = Some(UiAction::DrillAnswer(pos));
                }
            }
            for (k, a) in answers.iter().enumerate() {
                ui.add_space(8.0);
                let r = feedback(ui, &a.feedback, k == 1, client);
                // Each new answer is brought into view once; then the
                // trainee scrolls freely.
                let key = egui::Id::new(("drill-seen", drill.point().id.as_str()));
                if k + 1 == answers.len() && ui.data(|d| d.get_temp::<usize>(key)) != Some(k + 1) {
                    r.scroll_to_me(Some(egui::Align::BOTTOM));
                    ui.data_mut(|d| d.insert_temp(key, k + 1));
                }
            }
            if settled
                && let Some(last_answer) = answers.last()
                && !last_answer.feedback.good
            {
                better(ui, &last_answer.feedback);
            }
        });
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        if !answers.is_empty() {
            let label = if !settled {
                "Show the better move"
            } else if last {
                "Finish the drills"
            } else {
                "Next drill"
            };
            let b = egui::Button::new(egui::RichText::new(label).strong())
                .min_size(egui::vec2(140.0, 32.0));
            if ui.add(b).on_hover_text("Enter").clicked() {
                action = Some(UiAction::NextDrill);
            }
        }
        if ui
            .button("End the drills")
            .on_hover_text("Escape")
            .clicked()
        {
            action = Some(UiAction::EndDrills);
        }
    });
    action
}

/// One answer's feedback: the verdict in words, the skill and its source,
/// what the move did, and the client's reaction.
fn feedback(ui: &mut egui::Ui, f: &Feedback, retry: bool, client: &str) -> egui::Response {
    let colour = if f.good {
        crate::app::theme::good(ui)
    } else {
        crate::app::theme::bad(ui)
    };
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            let verdict = match (f.good, retry) {
                (true, false) => "Well chosen.",
                (true, true) => "Found it on the retry.",
                (false, false) => "Not the best move here.",
                (false, true) => "Not this one either.",
            };
            ui.label(egui::RichText::new(verdict).heading().color(colour));
            ui.label(egui::RichText::new(format!("Skill: {}", f.principle_name)).strong())
                .on_hover_text(&f.statement);
            ui.label(egui::RichText::new(format!("From: {}", f.source)).small());
            if f.good {
                ui.label(&f.best_why);
            } else {
                if f.chosen_cost {
                    ui.label(format!("Your move: {}", f.chosen_reason));
                } else if !f.chosen_reason.is_empty() {
                    ui.label(format!(
                        "Your move did some good ({}), but another served this skill better.",
                        f.chosen_reason.trim_end_matches('.')
                    ));
                }
                if !f.advice.is_empty() && f.advice != f.best_why {
                    ui.label(&f.advice);
                }
            }
            if f.ended {
                ui.label(format!("The session ends: {}", f.reaction));
            } else if !f.reaction.is_empty() {
                ui.label(format!("{client}: {}", f.reaction));
            }
            ui.label(
                egui::RichText::new(format!(
                    "Trust {} to {} · distress {} to {} · openness {} to {}",
                    f.before.trust,
                    f.after.trust,
                    f.before.distress,
                    f.after.distress,
                    f.before.openness,
                    f.after.openness
                ))
                .small(),
            );
        })
        .response
}

/// The better move and why, once the trainee has had the chance to find it.
fn better(ui: &mut egui::Ui, f: &Feedback) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(egui::RichText::new("The better move").strong());
        ui.label(format!("“{}”", f.best));
        ui.label(format!("Why: {}", f.best_why));
    });
}
