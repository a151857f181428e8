//! Where an earlier session of a case shaped a later one: for the course's
//! debrief, each point at which what the client said, disclosed or let
//! the trainee do, what happened in the week, or how the client arrived
//! came from a session before (or from where the course stood).
//!
//! The sessions are replayed from what the course kept of them (seed,
//! positions, the carried state), so the moments are those the trainee
//! met, not those the scenario could have shown.

use crate::core::case::{CaseBundle, Course, SessionDone, first_name};
use crate::core::model::{Adjust, Condition};
use crate::core::rubric::Guidance;
use crate::core::session::Session;
use std::sync::Arc;

/// What an earlier session shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentKind {
    /// How the client arrived: the last session's carry-over, or more
    /// guarded after feeling pressed or judged.
    Arrival,
    /// A life event between sessions that happened because of one before.
    Event,
    /// A line the client said because of an earlier session.
    Line,
    /// Something the client disclosed because of an earlier session.
    Disclosure,
    /// A response the trainee could give only because of an earlier
    /// session.
    Option,
}

impl MomentKind {
    pub fn label(self) -> &'static str {
        match self {
            MomentKind::Arrival => "arrival",
            MomentKind::Event => "between sessions",
            MomentKind::Line => "the client said",
            MomentKind::Disclosure => "the client disclosed",
            MomentKind::Option => "the trainee could say",
        }
    }
}

/// One moment where the course's past showed in a later session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    /// The session it happened in (or, for an event or an arrival, before).
    pub session: u32,
    pub kind: MomentKind,
    /// What happened: the line, the event, the option, or how the client
    /// arrived.
    pub what: String,
    /// Why, naming the sessions before it came from.
    pub because: String,
    /// Those sessions' numbers.
    pub from: Vec<u32>,
    /// For an option: whether the trainee took it.
    pub taken: bool,
}

impl Moment {
    /// The moment in one line: "The client said: “…”", "The trainee could
    /// say: “…” (you said it)", or the event or arrival as it is.
    pub fn headline(&self) -> String {
        let what = match self.kind {
            MomentKind::Arrival => return self.what.clone(),
            MomentKind::Event => self.what.clone(),
            MomentKind::Option if self.taken => format!("“{}” (you said it)", self.what),
            MomentKind::Option => format!("“{}” (not taken)", self.what),
            MomentKind::Line | MomentKind::Disclosure => format!("“{}”", self.what),
        };
        format!("{}: {what}", capital(self.kind.label()))
    }
}

/// Whether a condition looks at the course: an earlier session's flags or
/// the session's place in it.
pub fn looks_back(c: &Condition) -> bool {
    !c.earlier.is_empty()
        || !c.not_earlier.is_empty()
        || c.min_session.is_some()
        || c.max_session.is_some()
}

/// Every moment of the sessions played (`done`, in course order) in which
/// an earlier session showed. A session that no longer replays as it was
/// played (its scenario changed since) is left out from where it parts.
pub fn moments(
    bundle: &Arc<CaseBundle>,
    done: &[SessionDone],
    guidance: &Arc<Guidance>,
) -> Vec<Moment> {
    let mut out = Vec::new();
    let client = first_name(&bundle.case.client);
    let mut course = Course::new(bundle.clone());
    for i in 1..done.len() {
        course.done.push(done[i - 1].clone());
        let Some(between) = course.between() else {
            break;
        };
        let Some(scenario) = bundle.scenarios.get(i) else {
            break;
        };
        let number = between.number;
        let earlier = course.done.as_slice();
        let why = |c: &Condition| because(bundle, earlier, number, c);
        let Some(last) = earlier.last() else {
            break;
        };
        if let Some(text) = carried_words(client, between.from_last) {
            out.push(Moment {
                session: number,
                kind: MomentKind::Arrival,
                what: text,
                because: format!(
                    "Because session {} left {client} that far from where its best moves would have, and part of it carries over the week.",
                    last.number
                ),
                from: vec![last.number],
                taken: false,
            });
        }
        if let Some(g) = &between.guarded {
            out.push(Moment {
                session: number,
                kind: MomentKind::Arrival,
                what: g.clone(),
                because: format!("Because of how session {} went.", last.number),
                from: vec![last.number],
                taken: false,
            });
        }
        for e in between.events.iter().filter(|e| looks_back(&e.when)) {
            let (because, from) = why(&e.when);
            out.push(Moment {
                session: number,
                kind: MomentKind::Event,
                what: e.text.clone(),
                because,
                from,
                taken: false,
            });
        }
        let Ok(mut session) = Session::carried(
            scenario.clone(),
            guidance.clone(),
            done[i].seed,
            between.carried,
        ) else {
            continue;
        };
        for &position in &done[i].positions {
            let Some(prompt) = session.prompt().cloned() else {
                break;
            };
            let Some(node) = scenario.node(&prompt.node) else {
                break;
            };
            if let Some(line) = node
                .client
                .iter()
                .find(|l| l.text == prompt.client_line && looks_back(&l.when))
            {
                let (because, from) = why(&line.when);
                out.push(Moment {
                    session: number,
                    kind: MomentKind::Line,
                    what: line.text.clone(),
                    because,
                    from,
                    taken: false,
                });
            }
            for d in node
                .disclosures
                .iter()
                .filter(|d| looks_back(&d.when) && prompt.disclosures.contains(&d.text))
            {
                let (because, from) = why(&d.when);
                out.push(Moment {
                    session: number,
                    kind: MomentKind::Disclosure,
                    what: d.text.clone(),
                    because,
                    from,
                    taken: false,
                });
            }
            for (k, shown) in prompt.options.iter().enumerate() {
                let Some(o) = node.options.get(shown.index) else {
                    continue;
                };
                if looks_back(&o.when) {
                    let (because, from) = why(&o.when);
                    out.push(Moment {
                        session: number,
                        kind: MomentKind::Option,
                        what: o.text.clone(),
                        because,
                        from,
                        taken: k + 1 == position,
                    });
                }
            }
            if session.choose(position).is_err() {
                break;
            }
        }
    }
    out
}

/// Why a condition held, in words, and the sessions it names.
fn because(
    bundle: &CaseBundle,
    earlier: &[SessionDone],
    number: u32,
    c: &Condition,
) -> (String, Vec<u32>) {
    let mut parts = Vec::new();
    let mut from = Vec::new();
    let words = |flag: &str| {
        bundle
            .case
            .agreements
            .iter()
            .find(|a| a.flag == flag)
            .map_or_else(|| format!("`{flag}`"), |a| format!("“{}”", a.text))
    };
    // An event's flags stay with the course from the session after it.
    let by_event = |flag: &str| {
        bundle
            .case
            .sessions
            .iter()
            .flat_map(|s| &s.before)
            .any(|e| e.sets.iter().any(|f| f == flag))
    };
    for flag in &c.earlier {
        match earlier.iter().find(|d| d.flags.contains(flag)) {
            Some(d) if by_event(flag) => {
                parts.push(format!(
                    "of the week before session {}: {}",
                    d.number,
                    words(flag)
                ));
                if !from.contains(&d.number) {
                    from.push(d.number);
                }
            }
            Some(d) => {
                parts.push(format!("of session {}: {}", d.number, words(flag)));
                if !from.contains(&d.number) {
                    from.push(d.number);
                }
            }
            None => parts.push(format!("of a week between sessions: {}", words(flag))),
        }
    }
    for flag in &c.not_earlier {
        let before: Vec<String> = earlier.iter().map(|d| d.number.to_string()).collect();
        let sessions = match before.split_last() {
            Some((last, [])) => format!("session {last}"),
            Some((last, rest)) => format!("sessions {} and {last}", rest.join(", ")),
            None => "no session".into(),
        };
        parts.push(format!("{sessions} never got to {}", words(flag)));
        for d in earlier {
            if !from.contains(&d.number) {
                from.push(d.number);
            }
        }
    }
    if let Some(sessions) = c.sessions() {
        parts.push(format!(
            "this is session {number} of {} ({sessions})",
            bundle.case.total
        ));
    }
    from.sort_unstable();
    (format!("Because {}.", parts.join(", and ")), from)
}

/// How the carry-over changed the client, in words; `None` if it did not.
fn carried_words(client: &str, d: Adjust) -> Option<String> {
    let mut parts = Vec::new();
    for (what, v) in [
        ("trust", d.trust),
        ("openness", d.openness),
        ("distress", d.distress),
    ] {
        if v != 0 {
            let dir = if v > 0 { "higher" } else { "lower" };
            parts.push(format!("{what} {} {dir}", v.abs()));
        }
    }
    (!parts.is_empty()).then(|| {
        format!(
            "{client} arrived with {} than the session was written for.",
            parts.join(", ")
        )
    })
}

/// The text with its first letter a capital.
fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
