//! One integration test binary (each extra file under tests/ would be a
//! separate link of the whole crate, which with Bevy costs minutes).

#[cfg(feature = "gui")]
mod app;
mod bundle;
mod cli;
mod common;
#[cfg(feature = "gui")]
mod e2e;
mod lint;
mod loader;
mod properties;
mod rubric;
mod session;
mod split;
mod store;
mod walkthroughs;
