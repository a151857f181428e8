//! The Bevy-free core: scenario model and loading, diagnostics, the rubric,
//! the session engine and the debrief. Nothing here prints or draws.

pub mod analysis;
pub mod case;
pub mod case_analysis;
pub mod case_lint;
pub mod cue;
pub mod debrief;
pub mod diagnostic;
pub mod drill;
pub mod fsread;
pub mod graph;
pub mod group;
pub mod inspect;
pub mod lint;
pub mod load;
pub mod model;
pub mod practice;
pub mod report;
pub mod review;
pub mod room;
pub mod rubric;
pub mod scaffold;
pub mod scoring;
pub mod session;
pub mod shaping;
pub mod split;
pub mod store;
