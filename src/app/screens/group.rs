//! Group exercises on screen: setting one up (briefing), the class vote and
//! the hot seat (session), and the class discussion (debrief). The rules
//! live in `core::group`; these views only draw them and return actions.

use crate::app::{GroupSetup, UiAction};
use crate::core::group::{GroupMode, GroupPlay, GroupRecord, VoteOutcome};
use crate::core::room::live::RoomView;
use crate::core::room::server::LocalAddress;
use crate::core::session::Session;
use bevy_egui::egui;

/// The briefing's "who is playing" section. `networks` are the machine's
/// addresses the phones' room can be served on.
pub fn setup(ui: &mut egui::Ui, g: &GroupSetup, networks: &[LocalAddress]) -> Option<UiAction> {
    let mut draft = g.clone();
    ui.label(egui::RichText::new("Who is playing").strong());
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut draft.mode, None, "Just me");
        ui.radio_value(
            &mut draft.mode,
            Some(GroupMode::ClassVote),
            "A class vote (the class chooses together)",
        );
        ui.radio_value(
            &mut draft.mode,
            Some(GroupMode::HotSeat),
            "Hot seat (trainees take turns)",
        );
    });
    if let Some(mode) = draft.mode {
        let explain = match mode {
            GroupMode::ClassVote if draft.devices => {
                "At each choice point the class votes on their phones and the split shows live; you can add a show of hands for students without one (keys 1-9, Shift takes one back). Enter closes the vote and plays the majority; on a tie, or if you prefer, pick the option yourself (Play this, or Alt and its number). Meters stay hidden until the debrief."
            }
            GroupMode::ClassVote => {
                "At each choice point the class votes by a show of hands; enter how many chose each option (keys 1-9, Shift takes one back). Enter plays the majority; on a tie, or if you prefer, pick the option yourself (Play this, or Alt and its number). Meters stay hidden until the debrief."
            }
            GroupMode::HotSeat => {
                "The trainees below take turns in this order; each move is credited to whoever made it. Meters stay hidden until the debrief."
            }
        };
        ui.label(egui::RichText::new(explain).small());
        ui.horizontal(|ui| {
            ui.label("Group name:");
            ui.add(
                egui::TextEdit::singleline(&mut draft.name)
                    .hint_text("e.g. Seminar B")
                    .desired_width(240.0),
            );
        });
        if mode == GroupMode::ClassVote {
            devices_setup(ui, &mut draft, networks);
        }
        if mode == GroupMode::HotSeat {
            ui.label("Names, one per line, in the order they take the seat:");
            ui.add(
                egui::TextEdit::multiline(&mut draft.roster)
                    .desired_rows(4)
                    .hint_text("Ana\nBen\nChiara"),
            );
        }
        ui.checkbox(
            &mut draft.presenter,
            "Presenter view: large type and high contrast, for a projector",
        );
    }
    (draft != *g).then_some(UiAction::SetGroup(draft))
}

/// "Students vote on their devices": the network and port to serve the
/// page on. Nothing listens until the session starts.
fn devices_setup(ui: &mut egui::Ui, draft: &mut GroupSetup, networks: &[LocalAddress]) {
    ui.checkbox(
        &mut draft.devices,
        "Students vote on their devices (phones on this room's network)",
    );
    if !draft.devices {
        return;
    }
    ui.label(
        egui::RichText::new(
            "When the session starts, the app serves a small voting page on the network below, and the projector shows its address, a QR code and a join code. No account or internet is needed, and nothing listens before you start. You can still add a show of hands for students without a phone.",
        )
        .small(),
    );
    let chosen = draft
        .network
        .filter(|ip| networks.iter().any(|n| n.ip == *ip))
        .or_else(|| networks.first().map(|n| n.ip));
    ui.horizontal_wrapped(|ui| {
        ui.label("Network:");
        let shown = networks.iter().find(|n| Some(n.ip) == chosen).map_or_else(
            || "none found: this computer only".to_string(),
            LocalAddress::label,
        );
        egui::ComboBox::from_id_salt("room-network")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for n in networks {
                    ui.selectable_value(&mut draft.network, Some(n.ip), n.label());
                }
            });
        ui.label("Port:");
        ui.add(egui::DragValue::new(&mut draft.port).range(0..=65535))
            .on_hover_text("0 picks any free port");
    });
    if chosen.is_some_and(|ip| ip.is_loopback()) {
        ui.label(
            egui::RichText::new(
                "This address is this computer only: phones cannot reach it. Connect to the room's Wi-Fi and pick its network.",
            )
            .small()
            .color(crate::app::theme::bad(ui)),
        );
    }
}

/// The phones' room on the projector, beside the client: how to join
/// (QR code, address, join code), how many joined and voted (never who),
/// and closing the vote.
pub fn room_panel(ui: &mut egui::Ui, room: &RoomView<'_>) -> Option<UiAction> {
    let mut action = None;
    ui.vertical_centered(|ui| {
        ui.label(egui::RichText::new("Vote on your phone").strong());
        if let Some(qr) = room.qr {
            qr_code(ui, qr, ui.available_width().min(150.0));
        }
        ui.label("Open");
        ui.add(egui::Label::new(egui::RichText::new(room.url).monospace().strong()).wrap());
        ui.label("and enter the join code");
        ui.label(
            egui::RichText::new(&room.projector.code)
                .monospace()
                .strong()
                .size(ui.text_style_height(&egui::TextStyle::Heading) * 1.5),
        );
        let p = &room.projector;
        let state = if room.closed {
            "the room has closed"
        } else if p.open {
            "the vote is open"
        } else {
            "the vote is closed"
        };
        ui.label(format!("{} joined · {} voted", p.joined, p.voted));
        ui.label(state);
        if !room.closed {
            if p.open {
                if ui
                    .button("Close the vote")
                    .on_hover_text("Stop the phones' votes here; Enter then plays the majority")
                    .clicked()
                {
                    action = Some(UiAction::CloseDeviceVote);
                }
            } else if ui
                .button("Open the vote again")
                .on_hover_text("The phones vote afresh at this choice point")
                .clicked()
            {
                action = Some(UiAction::ReopenDeviceVote);
            }
        }
    });
    ui.separator();
    action
}

/// A QR code `side` points wide, dark on light whatever the theme, with
/// the quiet zone of four modules a reader needs.
fn qr_code(ui: &mut egui::Ui, qr: &crate::core::room::qr::Qr, side: f32) {
    let modules = qr.size + 8;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::WidgetType::Other, true, "QR code of the voting page")
    });
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, egui::Color32::WHITE);
    let cell = side / modules as f32;
    for y in 0..qr.size {
        for x in 0..qr.size {
            if qr.dark(x, y) {
                let min = rect.min + egui::vec2((x + 4) as f32 * cell, (y + 4) as f32 * cell);
                painter.rect_filled(
                    egui::Rect::from_min_size(min, egui::vec2(cell + 0.5, cell + 0.5)),
                    0.0,
                    egui::Color32::BLACK,
                );
            }
        }
    }
}

/// The class vote at the current choice point: the conversation, then each
/// option large with its votes, and the tutor's controls. With the phones
/// in the room (`room`), how to join is shown above, and the counts are the
/// devices' votes with the hand-typed ones added.
pub fn class_vote(
    ui: &mut egui::Ui,
    s: &Session,
    g: &GroupPlay,
    room: Option<&RoomView<'_>>,
) -> Option<UiAction> {
    let Some(prompt) = s.prompt() else {
        return crate::app::widgets::conversation(ui, s, &[]);
    };
    let n = prompt.options.len();
    // Keys count as votes unless a count is being typed into its box.
    let typing = ui.ctx().egui_wants_keyboard_input();
    let presses: Vec<_> = if typing {
        Vec::new()
    } else {
        ui.input(crate::app::widgets::number_presses)
            .into_iter()
            .filter(|(p, _)| *p <= n)
            .collect()
    };
    // Alt and a number: the tutor plays that option (a tie, or by choice).
    let mut action = if let Some((p, _)) = presses.iter().find(|(_, m)| m.alt) {
        Some(UiAction::PlayVote(Some(*p)))
    } else {
        // Every press counts, even several between two frames.
        let mut votes: Vec<(usize, i32)> = presses
            .iter()
            .map(|(p, m)| (*p, if m.shift { -1 } else { 1 }))
            .collect();
        match votes.len() {
            0 => None,
            1 => votes.pop().map(|(p, d)| UiAction::Vote(p, d)),
            _ => Some(UiAction::Votes(votes)),
        }
    };
    if !typing && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        action = Some(UiAction::PlayVote(None));
    }
    let votes = g.votes();
    let counts = votes.counts();
    let shares = votes.shares();
    let total = votes.total();
    let hands = g.tally.counts();
    ui.horizontal_wrapped(|ui| {
        let from = if room.is_some() {
            let hands = g.tally.total();
            format!(" ({} from phones, {hands} by hand)", total - hands)
        } else {
            String::new()
        };
        ui.label(egui::RichText::new(format!("Class vote · {total} votes{from}")).strong());
        ui.label(
            egui::RichText::new(
                "1-9: a vote · Shift+1-9: take one back · Enter: play the majority · Alt+1-9: play that option",
            )
            .small(),
        );
    });
    let options_height = (n as f32 * 86.0 + 70.0).min(ui.available_height() * 0.62);
    // The moves are the class's, not one trainee's.
    let by = vec!["The class".to_string(); s.turns().len()];
    crate::app::widgets::transcript(ui, s, options_height, &by);
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("vote-options")
        .show(ui, |ui| {
            for (i, o) in prompt.options.iter().enumerate() {
                let votes = counts.get(i).copied().unwrap_or(0);
                let share = shares.get(i).copied().unwrap_or(0.0);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(format!("{}", i + 1)).heading().strong());
                        ui.vertical(|ui| {
                            ui.add(egui::Label::new(&o.text).wrap());
                            ui.horizontal(|ui| {
                                let width = ui.available_width() * if room.is_some() { 0.35 } else { 0.45 };
                                crate::app::widgets::bar(
                                    ui,
                                    share,
                                    &format!(
                                        "{votes} vote{} ({:.0}%)",
                                        if votes == 1 { "" } else { "s" },
                                        share * 100.0
                                    ),
                                    width,
                                );
                                if ui.button(" − ").on_hover_text("One vote fewer").clicked() {
                                    action = Some(UiAction::Vote(i + 1, -1));
                                }
                                // The count itself, to type a show of hands at once
                                // (with the phones, the hands added to theirs).
                                let typed = hands.get(i).copied().unwrap_or(0);
                                if room.is_some() {
                                    ui.label("hands:");
                                }
                                let mut count = typed;
                                let field = ui
                                    .add(egui::DragValue::new(&mut count).range(0..=9999))
                                    .on_hover_text("The number of votes (type it)");
                                if field.changed() && count != typed {
                                    action = Some(UiAction::SetVotes(i + 1, count));
                                }
                                if ui.button(" + ").on_hover_text("One vote more").clicked() {
                                    action = Some(UiAction::Vote(i + 1, 1));
                                }
                                if ui
                                    .button("Play this")
                                    .on_hover_text("Play this option (the tutor's pick)")
                                    .clicked()
                                {
                                    action = Some(UiAction::PlayVote(Some(i + 1)));
                                }
                            });
                        });
                    });
                });
            }
            ui.add_space(4.0);
            match votes.outcome() {
                VoteOutcome::NoVotes => {
                    ui.label("No votes yet.");
                }
                VoteOutcome::Majority(p) => {
                    if ui
                        .button(
                            egui::RichText::new(format!("Play the majority: option {p} (Enter)"))
                                .strong(),
                        )
                        .clicked()
                    {
                        action = Some(UiAction::PlayVote(None));
                    }
                }
                VoteOutcome::Tie(tied) => {
                    let list: Vec<String> = tied.iter().map(ToString::to_string).collect();
                    ui.label(
                        egui::RichText::new(format!(
                            "A tie between options {}: pick one to play (Play this, or Alt and its number).",
                            list.join(" and ")
                        ))
                        .strong(),
                    );
                }
            }
        });
    action
}

/// The hot seat: who is up, above the usual choices.
pub fn hot_seat(ui: &mut egui::Ui, s: &Session, g: &GroupPlay) -> Option<UiAction> {
    let mut skip = None;
    if s.prompt().is_some() {
        ui.horizontal_wrapped(|ui| {
            let who = g.roster.current().unwrap_or("?");
            ui.label(
                egui::RichText::new(format!("In the seat: {who}"))
                    .heading()
                    .strong(),
            );
            if let Some(next) = g.roster.on_deck() {
                ui.label(format!("(next: {next})"));
                // With one name there is nobody to pass the seat to.
                if ui
                    .button("Skip this person")
                    .on_hover_text("Pass the seat to the next name without a move")
                    .clicked()
                {
                    skip = Some(UiAction::SkipSeat);
                }
            }
        });
        ui.separator();
    }
    let names: Vec<String> = g
        .turns
        .iter()
        .map(|t| t.by.clone().unwrap_or_else(|| "You".into()))
        .collect();
    crate::app::widgets::conversation(ui, s, &names).or(skip)
}

/// The debrief's class discussion: each choice point with what the group
/// did beside the rubric's view of each option, and a question to discuss.
pub fn discussion(ui: &mut egui::Ui, g: &GroupRecord, d: &crate::core::debrief::Debrief) {
    let title = match g.mode {
        GroupMode::ClassVote => "Class discussion: the votes beside the rubric",
        GroupMode::HotSeat => "Class discussion: the hot seat's moves",
    };
    ui.heading(title);
    ui.label(
        egui::RichText::new(format!(
            "Overall {} · rapport {} · pacing {} · focus {}",
            d.scores.overall, d.scores.rapport, d.scores.pacing, d.scores.focus
        ))
        .strong(),
    );
    if !g.roster.is_empty() {
        ui.label(format!("Roster: {}", g.roster.join(", ")));
    }
    for (i, (gt, turn)) in g.turns.iter().zip(&d.turns).enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(format!("Choice point {}", i + 1)).strong());
            ui.label(egui::RichText::new(format!("“{}”", turn.client_line)).italics());
            if let Some(by) = &gt.by {
                ui.label(format!("{by} chose: {}", turn.text));
            }
            if !gt.votes.is_empty() {
                let total: u32 = gt.votes.iter().map(|v| v.votes).sum();
                for v in &gt.votes {
                    let played = v.option == turn.option;
                    let share = if total == 0 {
                        0.0
                    } else {
                        v.votes as f32 / total as f32
                    };
                    ui.add_space(4.0);
                    let text = if played {
                        egui::RichText::new(format!("▶ {} (played)", v.text)).strong()
                    } else {
                        egui::RichText::new(&v.text)
                    };
                    ui.add(egui::Label::new(text).wrap());
                    ui.horizontal_wrapped(|ui| {
                        crate::app::widgets::bar(
                            ui,
                            share,
                            &format!("class {} ({:.0}%)", v.votes, share * 100.0),
                            180.0,
                        );
                        let colour = if v.critical || v.points < 0 {
                            crate::app::theme::bad(ui)
                        } else {
                            crate::app::theme::good(ui)
                        };
                        let points = if v.critical {
                            format!("rubric {:+}, a serious error", v.points)
                        } else {
                            format!("rubric {:+}", v.points)
                        };
                        ui.label(egui::RichText::new(points).strong().color(colour));
                        if !v.why.is_empty() {
                            ui.label(egui::RichText::new(&v.why).small());
                        }
                    });
                }
                if gt.tutor_pick {
                    ui.label(egui::RichText::new("The tutor picked the option played.").small());
                }
            }
            if let Some(b) = &turn.better {
                ui.label(format!("The rubric would have preferred: {}", b.text));
            }
            if !gt.discuss.is_empty() {
                ui.label(egui::RichText::new(format!("Discuss: {}", gt.discuss)).strong());
            }
        });
    }
    ui.separator();
}
