//! One integration test binary (each extra file under tests/ would be a
//! separate link of the whole crate, which with Bevy costs minutes).

mod a11y;
mod analysis;
#[cfg(feature = "gui")]
mod app;
mod browser;
mod bundle;
mod calibration;
mod case;
mod cli;
mod cli_room;
mod common;
mod drill;
#[cfg(feature = "dev")]
mod e2e;
mod expert;
#[cfg(feature = "dev")]
mod frames;
mod fuzz;
mod hostile;
mod http;
mod inspect;
mod lint;
mod loader;
mod practice;
mod properties;
mod report;
mod room;
mod room_server;
mod rubric;
mod session;
mod split;
mod store;
mod walkthroughs;
