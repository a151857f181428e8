//! Reading scenario and rubric files: parsing, then every semantic check,
//! with all problems collected as diagnostics that point into the file.
//!
//! - `source`: reading a file (regular files only, the size limit) and
//!   listing a folder's scenarios;
//! - `ron_error`: parsing, and ron's errors as diagnostics;
//! - `index`: the one RON tokenizer and the source index, which places
//!   every other diagnostic by its path in the file;
//! - `scenario` and `rubric`: the semantic checks;
//! - `drill_plan`: a tutor's plan for a session of drills;
//! - `case`: a course of sessions with one client.

mod case;
mod drill_plan;
mod index;
mod ron_error;
mod rubric;
mod scenario;
mod source;

pub use case::{is_case_name, load_case_file, load_case_str};
pub use drill_plan::{DrillPlan, is_drill_plan_name, load_drill_plan_file, load_drill_plan_str};
pub use index::Source;
pub(crate) use index::{Skim, Step, Tok};
pub use scenario::{bundled_rubric_flags, check_scenario, rubric_flags};
pub use source::{
    MAX_FILE_BYTES, bundled_scenarios_dir, case_files, drill_plan_files, read_source,
    scenario_files,
};

use crate::core::diagnostic::Diagnostic;
use crate::core::model::Scenario;
use crate::core::rubric::Guidance;
use ron_error::{parse, ron_options};
use std::collections::BTreeSet;
use std::path::Path;

/// The rubric that ships with the program.
pub const BUNDLED_GUIDANCE: &str = include_str!("../../../assets/guidance.ron");

/// The result of loading a file: the value if it is usable, and every
/// problem found (warnings may come with a value).
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The value, or the diagnostics if there were errors.
    pub fn into_result(self) -> Result<T, Vec<Diagnostic>> {
        match self.value {
            Some(v) if !self.diagnostics.iter().any(Diagnostic::is_error) => Ok(v),
            _ => Err(self.diagnostics),
        }
    }

    fn failed(d: Diagnostic) -> Self {
        Loaded {
            value: None,
            diagnostics: vec![d],
        }
    }
}

/// Loads and checks a scenario file, against the bundled rubric's flags.
pub fn load_scenario_file(path: &Path) -> Loaded<Scenario> {
    match read_source(path) {
        Ok(text) => load_scenario_str(&text, path),
        Err(d) => Loaded::failed(*d),
    }
}

/// Parses and checks a scenario from text, against the bundled rubric's
/// flags; `path` names it in diagnostics.
pub fn load_scenario_str(text: &str, path: &Path) -> Loaded<Scenario> {
    load_scenario_source(&Source::new(text, path), Some(bundled_rubric_flags()))
}

/// Parses and checks a scenario, against the memory flags of the rubric it
/// will be played with (see [`check_scenario`]).
pub fn load_scenario_source(
    src: &Source<'_>,
    rubric_flags: Option<&BTreeSet<String>>,
) -> Loaded<Scenario> {
    let parsed = match crate::core::split::parse_in_halves(src.text(), &ron_options()) {
        Some(s) => Ok(s),
        None => parse::<Scenario>(src.text(), src.path()),
    };
    match parsed {
        Err(d) => Loaded::failed(d),
        Ok(s) => {
            let diagnostics = check_scenario(&s, src, rubric_flags);
            Loaded {
                value: Some(s),
                diagnostics,
            }
        }
    }
}

/// Loads and checks a rubric file.
pub fn load_guidance_file(path: &Path) -> Loaded<Guidance> {
    match read_source(path) {
        Ok(text) => load_guidance_str(&text, path),
        Err(d) => Loaded::failed(*d),
    }
}

/// The bundled rubric. It is checked by the tests, so a failure here is a
/// build defect; it is still reported as diagnostics, not a panic.
pub fn bundled_guidance() -> Result<Guidance, Vec<Diagnostic>> {
    load_guidance_str(BUNDLED_GUIDANCE, Path::new("assets/guidance.ron")).into_result()
}

/// Parses and checks a rubric from text; `path` names it in diagnostics.
/// A rubric that parses is returned with its problems, so its memory flags
/// are known even when it has errors.
pub fn load_guidance_str(text: &str, path: &Path) -> Loaded<Guidance> {
    match parse::<Guidance>(text, path) {
        Err(d) => Loaded::failed(d),
        Ok(g) => {
            let diagnostics = rubric::check_guidance(&g, &Source::new(text, path));
            Loaded {
                value: Some(g),
                diagnostics,
            }
        }
    }
}
