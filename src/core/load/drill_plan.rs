//! A tutor's drill plan: which principles and problem areas a session of
//! drills covers, and how many drills it holds. A small RON file:
//!
//! ```ron
//! DrillPlan(
//!     title: "Week 3: risk and the alliance",
//!     principles: ["safety-first", "alliance"],
//!     areas: [Grief, RoleDispute],
//!     count: 10,
//!     note: "Before Thursday's seminar.",
//! )
//! ```

use crate::core::diagnostic::{Code, suggest};
use crate::core::drill::select::{DEFAULT_DRILLS, MAX_DRILLS, PlanRequest};
use crate::core::load::index::{Source, Step};
use crate::core::load::ron_error::parse;
use crate::core::load::{Loaded, read_source};
use crate::core::model::ProblemArea;
use crate::core::rubric::Guidance;
use serde::{Deserialize, Serialize};
use std::path::Path;

fn default_count() -> usize {
    DEFAULT_DRILLS
}

/// A tutor's plan for a session of drills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillPlan {
    /// What the trainee sees ("Week 3: risk and the alliance").
    pub title: String,
    /// The principles to drill, by the rubric's ids (empty: the trainee's
    /// weakest, as without a plan).
    #[serde(default)]
    pub principles: Vec<String>,
    /// The problem areas to draw drills from (empty: all).
    #[serde(default)]
    pub areas: Vec<ProblemArea>,
    /// How many drills (1 to 50).
    #[serde(default = "default_count")]
    pub count: usize,
    /// A word from the tutor, shown before the drills.
    #[serde(default)]
    pub note: String,
}

impl DrillPlan {
    /// The plan's request, at time `now`.
    pub fn request(&self, now: u64) -> PlanRequest {
        PlanRequest {
            count: self.count,
            principles: self.principles.clone(),
            areas: self.areas.clone(),
            now,
        }
    }
}

/// Loads and checks a drill plan file against the rubric it will be used with.
pub fn load_drill_plan_file(path: &Path, guidance: &Guidance) -> Loaded<DrillPlan> {
    match read_source(path) {
        Ok(text) => load_drill_plan_str(&text, path, guidance),
        Err(d) => Loaded::failed(*d),
    }
}

/// Parses and checks a drill plan; `path` names it in diagnostics.
pub fn load_drill_plan_str(text: &str, path: &Path, guidance: &Guidance) -> Loaded<DrillPlan> {
    let plan = match parse::<DrillPlan>(text, path) {
        Ok(p) => p,
        Err(d) => return Loaded::failed(d),
    };
    let src = Source::new(text, path);
    let mut out = Vec::new();
    if plan.title.trim().is_empty() {
        out.push(
            src.at(
                Code::E010,
                &[Step::Field("title")],
                "the drill plan has an empty title".into(),
            )
            .with_hint("give it a title the trainees will recognise, e.g. \"Week 3: risk\""),
        );
    }
    if !(1..=MAX_DRILLS).contains(&plan.count) {
        out.push(
            src.at(
                Code::E008,
                &[Step::Field("count")],
                format!("count {} is not between 1 and {MAX_DRILLS}", plan.count),
            )
            .with_hint(format!(
                "a session of drills usually holds {DEFAULT_DRILLS}"
            )),
        );
    }
    let ids: Vec<&str> = guidance.principles.iter().map(|p| p.id.as_str()).collect();
    for (i, p) in plan.principles.iter().enumerate() {
        if !ids.contains(&p.as_str()) {
            let hint = match suggest(p, ids.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the rubric's principles are: {}", ids.join(", ")),
            };
            out.push(
                src.at(
                    Code::E007,
                    &[Step::Field("principles"), Step::Item(i)],
                    format!("unknown principle `{p}`"),
                )
                .with_hint(hint),
            );
        }
    }
    Loaded {
        value: Some(plan),
        diagnostics: src.finish(out),
    }
}

/// Whether a file name is that of a drill plan: `*.drill.ron`.
pub fn is_drill_plan_name(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".drill.ron")
}
