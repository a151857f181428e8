//! A case's page: its sessions as steps (played, next, later), what was
//! agreed so far, what happened since the last session and how the client
//! arrives, the course so far (each session's scores, as a chart once two
//! are played), and the way into the next session.

use crate::app::cases::{CaseEntry, Cases};
use crate::app::{Screen, UiAction};
use crate::core::case::{Between, Course};
use crate::core::review::{self, CourseReview};
use crate::core::rubric::Guidance;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw_course
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Course)),
    );
}

fn draw_course(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    cases: Res<Cases>,
    rubric: Res<crate::app::state::Rubric>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "course");
    egui::CentralPanel::default().show(&mut root, |ui| {
        let action = if let Some(entry) = cases.open_entry() {
            view(ui, entry, &rubric.0)
        } else {
            ui.label("This case is not available any more.");
            ui.button("Back to the library")
                .clicked()
                .then_some(UiAction::Go(Screen::Library))
        };
        if let Some(a) = action {
            out.write(a);
        }
    });
    Ok(())
}

pub fn view(
    ui: &mut egui::Ui,
    entry: &CaseEntry,
    guidance: &std::sync::Arc<Guidance>,
) -> Option<UiAction> {
    let Some(course) = entry.course.as_ref() else {
        ui.label("This case has errors and cannot be played:");
        for p in &entry.problems {
            ui.label(p);
        }
        return None;
    };
    let mut action = None;
    let between = course.between();
    if between.is_some() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = Some(UiAction::BeginCaseSession);
    }
    let case = &course.bundle.case;
    let page = egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(&case.title);
            ui.label(format!(
                "{} · a course of {} sessions · {} of the {} written here played",
                case.client,
                case.total,
                course.done.len(),
                course.bundle.scenarios.len()
            ));
            if !case.summary.is_empty() {
                ui.label(&case.summary);
            }
            ui.add_space(6.0);
            steps(ui, course);
            ui.add_space(6.0);
            match &between {
                Some(b) => {
                    if let Some(a) = before_next(ui, course, b) {
                        action = Some(a);
                    }
                }
                None => {
                    ui.group(|ui| {
                        ui.label(egui::RichText::new("The course is finished.").heading());
                        agreed(ui, course);
                    });
                }
            }
            if course.done.len() >= 2 {
                ui.add_space(6.0);
                chart(ui, course);
            }
            if let Some(r) = review::review(&course.bundle, &course.done, guidance) {
                ui.add_space(6.0);
                course_review(ui, &r);
            }
            let moments = crate::core::shaping::moments(&course.bundle, &course.done, guidance);
            if !moments.is_empty() {
                ui.add_space(6.0);
                shaped(ui, &moments);
            }
            ui.add_space(8.0);
            ui.horizontal_wrapped(|ui| {
                if !course.done.is_empty()
                    && ui
                        .button("Start the course over")
                        .on_hover_text("Forgets the sessions played in this case (their records stay in History)")
                        .clicked()
                {
                    action = Some(UiAction::RestartCase);
                }
                if ui.button("Back to the library").clicked() {
                    action = Some(UiAction::Go(Screen::Library));
                }
            });
        });
    crate::app::widgets::page_keys(ui, &page);
    action
}

/// The sessions as steps: played (with the score and ending), next, later.
fn steps(ui: &mut egui::Ui, course: &Course) {
    let b = &course.bundle;
    egui::Grid::new("case-steps").striped(true).show(ui, |ui| {
        for (i, s) in b.case.sessions.iter().enumerate() {
            let phase = b.scenarios.get(i).map_or("", |s| s.phase.label());
            ui.label(format!("Session {} of {}", s.number, b.case.total));
            ui.label(phase);
            match course.done.get(i) {
                Some(d) => ui.label(format!(
                    "played: overall {} · {}",
                    d.scores.overall, d.ending
                )),
                None if i == course.done.len() => ui.label(egui::RichText::new("next").strong()),
                None => ui.label("later"),
            };
            ui.end_row();
        }
    });
}

/// Before the next session: what was agreed, what happened, how the client
/// arrives, and the button that begins it.
fn before_next(ui: &mut egui::Ui, course: &Course, b: &Between) -> Option<UiAction> {
    let mut action = None;
    let case = &course.bundle.case;
    let scenario = course.bundle.scenarios.get(b.index);
    ui.group(|ui| {
        ui.label(
            egui::RichText::new(format!("Before session {} of {}", b.number, case.total)).heading(),
        );
        if let Some(s) = scenario {
            ui.label(format!("{} · {} phase", s.title, s.phase.label()));
        }
        if let Some(last) = course.done.last() {
            ui.label(format!(
                "Last time (session {}): {} · overall {}.",
                last.number, last.ending, last.scores.overall
            ));
        }
        agreed(ui, course);
        for e in &b.events {
            ui.label(format!("Since then: {}", e.text));
        }
        if let Some(g) = &b.guarded {
            ui.label(egui::RichText::new(g).color(crate::app::theme::bad(ui)));
        }
        ui.label(format!(
            "{} arrives: {}",
            case.client,
            crate::app::face::describe(b.carried.state).to_lowercase()
        ));
        ui.add_space(4.0);
        if ui
            .button(format!("Begin session {}", b.number))
            .on_hover_text("Enter")
            .clicked()
        {
            action = Some(UiAction::BeginCaseSession);
        }
    });
    action
}

/// The agreements made so far, with the session that made each.
fn agreed(ui: &mut egui::Ui, course: &Course) {
    let made: Vec<(String, u32)> = course
        .bundle
        .case
        .agreements
        .iter()
        .filter_map(|a| {
            let d = course.done.iter().find(|d| d.flags.contains(&a.flag))?;
            let kind = a.kind.label();
            let text = if kind.is_empty() {
                a.text.clone()
            } else {
                format!("{} ({kind})", a.text)
            };
            Some((text, d.number))
        })
        .collect();
    if made.is_empty() {
        if !course.done.is_empty() {
            ui.label("Nothing the case follows up was agreed yet.");
        }
        return;
    }
    ui.label(egui::RichText::new("Agreed so far").strong());
    for (text, n) in made {
        ui.label(format!("• {text}, in session {n}"));
    }
}

/// Each session's three scores, across the course.
fn chart(ui: &mut egui::Ui, course: &Course) {
    use egui_plot::{Legend, Line, Plot, PlotPoints};
    ui.label(egui::RichText::new("Across the course").strong());
    let series = |f: fn(&crate::core::scoring::Scores) -> i32| -> PlotPoints<'static> {
        course
            .done
            .iter()
            .map(|d| [f64::from(d.number), f64::from(f(&d.scores))])
            .collect()
    };
    let plot = Plot::new("course-chart")
        .height(180.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .legend(Legend::default())
        .show(ui, |p| {
            p.line(Line::new("Rapport", series(|s| s.rapport)));
            p.line(Line::new("Pacing", series(|s| s.pacing)));
            p.line(Line::new("Focus", series(|s| s.focus)));
        });
    let of = |f: fn(&crate::core::scoring::Scores) -> i32| -> Vec<i32> {
        course.done.iter().map(|d| f(&d.scores)).collect()
    };
    crate::app::a11y::name(
        ui,
        &plot.response,
        egui::accesskit::Role::Image,
        format!(
            "Chart of the scores across the course. {}. {}. {}.",
            crate::app::a11y::trend("Rapport", &of(|s| s.rapport), "sessions"),
            crate::app::a11y::trend("Pacing", &of(|s| s.pacing), "sessions"),
            crate::app::a11y::trend("Focus", &of(|s| s.focus), "sessions")
        ),
    );
}

/// The course's scores and its checks: what only a course can show (the
/// first phase's work done before the middle, last week's step asked
/// about, the ending prepared), each with its principle.
fn course_review(ui: &mut egui::Ui, r: &CourseReview) {
    ui.group(|ui| {
        ui.label(egui::RichText::new("The course as a whole").strong());
        let lost = r.scores != r.mean;
        ui.label(format!(
            "Rapport {}, pacing {}, focus {}: overall {}{}",
            r.scores.rapport,
            r.scores.pacing,
            r.scores.focus,
            r.scores.overall,
            if lost {
                format!(
                    " (the sessions' mean {}, less what the checks below missed)",
                    r.mean.overall
                )
            } else {
                " (the sessions' mean; no course check missed)".to_string()
            }
        ));
        if r.judgements.is_empty() {
            ui.label(
                egui::RichText::new(
                    "How the phases connect is judged once the course moves past its first phase.",
                )
                .weak(),
            );
        }
        for j in &r.judgements {
            ui.add_space(4.0);
            let mark = if j.met {
                "Kept".to_string()
            } else {
                format!("−{} {}", j.lost, j.dimension.label().to_lowercase())
            };
            ui.label(egui::RichText::new(format!("{mark} · {}", j.name)).strong());
            ui.label(&j.what);
            ui.label(&j.why);
            if !j.better.is_empty() {
                ui.label(format!("Better: {}", j.better));
            }
            ui.label(egui::RichText::new(format!("{} — {}", j.principle_name, j.source)).weak());
        }
    });
}

/// Where an earlier session shaped a later one: how the client arrived,
/// the week's events, and what the client said, disclosed or let the
/// trainee say because of a session before, each with the reason.
fn shaped(ui: &mut egui::Ui, moments: &[crate::core::shaping::Moment]) {
    ui.group(|ui| {
        ui.label(egui::RichText::new("Where an earlier session shaped a later one").strong());
        let mut session = None;
        for m in moments {
            if session != Some(m.session) {
                session = Some(m.session);
                ui.add_space(4.0);
                ui.label(egui::RichText::new(format!("Session {}", m.session)).strong());
            }
            ui.label(m.headline());
            ui.label(egui::RichText::new(&m.because).weak());
        }
    });
}
