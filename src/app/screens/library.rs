//! The library: scenarios as cards, with filters, search, the trainee's best
//! result on each, and scenarios that failed to load listed with their errors.

use crate::app::assets::{Catalog, Entry, Origin};
use crate::app::{GroupSetup, History, Prefs, Resumable, Screen, Selected, UiAction};
use crate::core::model::{Difficulty, Phase, ProblemArea};
use crate::core::store::AttemptRecord;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Filters>().add_systems(
        EguiPrimaryContextPass,
        draw_library
            .in_set(super::UiSet::Screen)
            .run_if(in_state(Screen::Library)),
    );
}

#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct Filters {
    pub area: Option<ProblemArea>,
    pub phase: Option<Phase>,
    pub difficulty: Option<Difficulty>,
    pub search: String,
}

impl Filters {
    pub fn matches(&self, e: &Entry) -> bool {
        let Some(s) = &e.scenario else { return true };
        let q = self.search.to_lowercase();
        self.area.is_none_or(|a| a == s.area)
            && self.phase.is_none_or(|p| p == s.phase)
            && self.difficulty.is_none_or(|d| d == s.difficulty)
            && (q.is_empty()
                || s.title.to_lowercase().contains(&q)
                || s.client.name.to_lowercase().contains(&q)
                || s.client.background.to_lowercase().contains(&q)
                || s.area.label().to_lowercase().contains(&q))
    }
}

fn draw_library(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    catalog: Res<Catalog>,
    history: Res<History>,
    resumable: Res<Resumable>,
    cases: Res<crate::app::cases::Cases>,
    mut filters: ResMut<Filters>,
    mut out: MessageWriter<UiAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = super::screen_ui(ctx, &content, "library");
    egui::CentralPanel::default().show(&mut root, |ui| {
        let resume = resumable.0.as_ref().map(|p| p.scenario_id.as_str());
        if let Some(a) = view(ui, &catalog, &cases, &history.records, &mut filters, resume) {
            out.write(a);
        }
    });
    Ok(())
}

/// The best overall score per scenario id.
fn best(records: &[AttemptRecord], id: &str) -> Option<(i32, usize)> {
    let mine: Vec<i32> = records
        .iter()
        .filter(|r| r.scenario_id == id)
        .map(|r| r.debrief.scores.overall)
        .collect();
    mine.iter().max().map(|b| (*b, mine.len()))
}

fn combo<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    (id, name): (&str, &str),
    value: &mut Option<T>,
    all: &[T],
    label: fn(T) -> &'static str,
    any: &str,
) {
    let r = egui::ComboBox::from_id_salt(id)
        .selected_text(value.map_or(any, label))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, any);
            for v in all {
                ui.selectable_value(value, Some(*v), label(*v));
            }
        })
        .response;
    // The box's name is what it filters, its value what is chosen.
    let chosen = value.map_or(any, label).to_string();
    ui.ctx().accesskit_node_builder(r.id, |n| {
        n.set_label(format!("Filter: {name}"));
        n.set_value(chosen);
    });
}

pub fn view(
    ui: &mut egui::Ui,
    catalog: &Catalog,
    cases: &crate::app::cases::Cases,
    records: &[AttemptRecord],
    filters: &mut Filters,
    resume: Option<&str>,
) -> Option<UiAction> {
    let mut action = None;
    if let Some(id) = resume {
        ui.group(|ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("You have an unfinished session of `{id}`."));
                if ui.button("Resume it").clicked() {
                    action = Some(UiAction::Resume);
                }
                if ui.button("Discard").clicked() {
                    action = Some(UiAction::DiscardResume);
                }
            });
        });
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Practise skills")
            .on_hover_text("Alt+P")
            .clicked()
        {
            action = Some(UiAction::Go(Screen::Drills));
        }
        ui.label("Short drills on single choice points, chosen for the skills you miss most.");
    });
    ui.horizontal(|ui| {
        let label = ui.label("Search:");
        ui.add(
            egui::TextEdit::singleline(&mut filters.search)
                .hint_text("title, client, area")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
    });
    ui.horizontal_wrapped(|ui| {
        combo(
            ui,
            ("area", "problem area"),
            &mut filters.area,
            &ProblemArea::ALL,
            ProblemArea::label,
            "All problem areas",
        );
        combo(
            ui,
            ("phase", "phase"),
            &mut filters.phase,
            &Phase::ALL,
            Phase::label,
            "All phases",
        );
        combo(
            ui,
            ("difficulty", "level"),
            &mut filters.difficulty,
            &Difficulty::ALL,
            Difficulty::label,
            "All levels",
        );
        if *filters != Filters::default() && ui.button("Clear filters").clicked() {
            *filters = Filters::default();
        }
    });
    ui.separator();
    let shown: Vec<&Entry> = catalog
        .entries
        .iter()
        .filter(|e| e.scenario.is_some() && filters.matches(e))
        .collect();
    let broken: Vec<&Entry> = catalog.entries.iter().filter(|e| e.has_errors()).collect();
    let page = egui::ScrollArea::vertical().show(ui, |ui| {
        if catalog.entries.is_empty() {
            ui.label("Loading scenarios...");
        } else if shown.is_empty() {
            ui.label("No scenario matches these filters.");
        }
        if let Some(a) = courses(ui, cases) {
            action = Some(a);
        }
        let width = ui.available_width();
        let columns = ((width / 380.0).floor() as usize).clamp(1, 4);
        egui::Grid::new("cards")
            .num_columns(columns)
            .spacing([12.0, 12.0])
            .show(ui, |ui| {
                for (i, e) in shown.iter().enumerate() {
                    if let Some(a) = card(ui, e, records, (width / columns as f32) - 40.0) {
                        action = Some(a);
                    }
                    if (i + 1) % columns == 0 {
                        ui.end_row();
                    }
                }
            });
        if !broken.is_empty() {
            ui.add_space(16.0);
            ui.heading("Scenarios with problems");
            for e in broken {
                ui.group(|ui| {
                    ui.label(egui::RichText::new(e.file.display().to_string()).strong());
                    if e.scenario.is_some() {
                        ui.label("The file on disk has errors; the last good version is still in the library.");
                    }
                    for d in &e.diagnostics {
                        ui.label(egui::RichText::new(d.to_string()).monospace().color(crate::app::theme::bad(ui)));
                    }
                });
            }
        }
    });
    crate::app::widgets::page_keys(ui, &page);
    action
}

/// The cases: one line each, with where the trainee stands in it.
fn courses(ui: &mut egui::Ui, cases: &crate::app::cases::Cases) -> Option<UiAction> {
    if cases.entries.is_empty() {
        return None;
    }
    let mut action = None;
    ui.label(egui::RichText::new("Courses with one client").heading());
    ui.label("Several sessions of IPT with the same client: what you agree in one session carries into the next.");
    for e in &cases.entries {
        ui.horizontal_wrapped(|ui| {
            if let Some(c) = e.course.as_ref() {
                let b = &c.bundle;
                let numbers: Vec<String> = b
                    .case
                    .sessions
                    .iter()
                    .map(|s| s.number.to_string())
                    .collect();
                ui.label(egui::RichText::new(&b.case.title).strong());
                let stand = match c.next_index().and_then(|i| b.case.sessions.get(i)) {
                    Some(_) if c.done.is_empty() => format!(
                        "sessions {} of {}; not started",
                        numbers.join(", "),
                        b.case.total
                    ),
                    Some(s) => format!(
                        "sessions {} of {}; next: session {}",
                        numbers.join(", "),
                        b.case.total,
                        s.number
                    ),
                    None => format!(
                        "sessions {} of {}; finished",
                        numbers.join(", "),
                        b.case.total
                    ),
                };
                ui.label(format!("{} · {stand}", b.case.client));
                let label = if c.done.is_empty() {
                    "Open the course"
                } else {
                    "Continue the course"
                };
                let open = ui.button(label);
                crate::app::a11y::name(
                    ui,
                    &open,
                    egui::accesskit::Role::Button,
                    format!("{label}: {}", b.case.title),
                );
                if open.clicked() {
                    action = Some(UiAction::OpenCase(b.case.id.clone()));
                }
            } else {
                ui.label(egui::RichText::new(e.path.display().to_string()).strong());
                ui.label(
                    egui::RichText::new(e.problems.first().cloned().unwrap_or_default())
                        .color(crate::app::theme::bad(ui)),
                );
            }
        });
    }
    ui.separator();
    action
}

fn card(ui: &mut egui::Ui, e: &Entry, records: &[AttemptRecord], width: f32) -> Option<UiAction> {
    let s = e.scenario.as_ref()?;
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(width.max(200.0));
        ui.vertical(|ui| {
            ui.label(egui::RichText::new(&s.title).heading());
            ui.label(format!(
                "{} · {} phase · {} · {} min",
                s.area.label(),
                s.phase.label(),
                s.difficulty.label(),
                s.minutes
            ));
            ui.label(format!("{}, {}", s.client.name, s.client.age));
            if !s.client.background.is_empty() {
                ui.label(egui::RichText::new(&s.client.background).small());
            }
            if e.origin == Origin::Tutor {
                ui.label(
                    egui::RichText::new("From your tutor's folder")
                        .small()
                        .italics(),
                );
            }
            ui.horizontal(|ui| {
                match best(records, &s.id) {
                    Some((b, n)) => ui.label(format!(
                        "Best: {b} ({n} attempt{})",
                        if n == 1 { "" } else { "s" }
                    )),
                    None => ui.label("Not tried yet"),
                };
                let open = ui.button("Open");
                // Heard on its own (tabbing from button to button), "Open"
                // needs the scenario's title.
                crate::app::a11y::name(
                    ui,
                    &open,
                    egui::accesskit::Role::Button,
                    format!("Open {}", s.title),
                );
                if open.clicked() {
                    action = Some(UiAction::Select(s.id.clone()));
                }
            });
        });
    });
    action
}

/// A scenario picked in the library opens its briefing.
pub fn apply_actions(
    mut actions: MessageReader<UiAction>,
    mut selected: ResMut<Selected>,
    prefs: Option<Res<Prefs>>,
    mut next: ResMut<NextState<Screen>>,
) {
    for a in actions.read() {
        if let UiAction::Select(id) = a {
            selected.id = Some(id.clone());
            // A shared machine: the next person starts on their own unless
            // they set up a group again.
            selected.group = GroupSetup::default();
            selected.coach = prefs.as_ref().is_none_or(|p| p.settings.coach_by_default);
            next.set(Screen::Briefing);
        }
    }
}
