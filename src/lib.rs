//! ipt-trainer: practise Interpersonal Psychotherapy with simulated clients.
//!
//! `core` holds everything that does not draw: the scenario format, the
//! simulated client, the rubric and scoring. `cli` is the command line;
//! `app` (feature `gui`) is the Bevy desktop app. Both drive the same core.

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod core;
