//! One integration test binary (each extra file under tests/ would be a
//! separate link of the whole crate, which with Bevy costs minutes).

mod cli;
mod common;
mod loader;
mod properties;
mod rubric;
mod session;
mod walkthroughs;
