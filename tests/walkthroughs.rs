//! Each bundled scenario has a walkthrough beside it (`<id>.walkthrough`):
//! a seed, the choices, and the expected transcript and debrief. Replaying
//! them shows any change to the engine or the rubric as a readable diff.
//! After an intended change, regenerate with
//! `UPDATE_WALKTHROUGHS=1 cargo test walkthrough` and review the diff.

use crate::common::{bundled, guidance, scenario};
use ipt_trainer::cli::render;
use ipt_trainer::core::debrief::Debrief;
use ipt_trainer::core::session::Session;

fn parse_header(text: &str) -> (u64, Vec<usize>, String) {
    let (head, body) = text.split_once("\n---\n").expect("a header, then ---");
    let mut seed = None;
    let mut choices = None;
    for line in head.lines() {
        if let Some(v) = line.strip_prefix("seed: ") {
            seed = Some(v.trim().parse().expect("seed"));
        }
        if let Some(v) = line.strip_prefix("choices: ") {
            choices = Some(
                v.split(',')
                    .map(|c| c.trim().parse().expect("choice"))
                    .collect(),
            );
        }
    }
    (seed.expect("seed:"), choices.expect("choices:"), body.to_string())
}

#[test]
fn every_bundled_scenario_replays_its_walkthrough() {
    let files = bundled();
    assert!(files.len() >= 8, "at least eight bundled scenarios");
    let update = std::env::var_os("UPDATE_WALKTHROUGHS").is_some();
    let mut failures = Vec::new();
    for f in files {
        let wt = f.with_extension("walkthrough");
        let text = std::fs::read_to_string(&wt)
            .unwrap_or_else(|_| panic!("{} has no walkthrough", f.display()));
        let (seed, choices, expected) = parse_header(&text);
        let sc = scenario(&f);
        let s = Session::replay(sc.clone(), guidance(), seed, &choices)
            .unwrap_or_else(|e| panic!("{}: {e}", wt.display()));
        assert!(s.is_ended(), "{}: the choices do not reach an ending", wt.display());
        let got = render::debrief(&Debrief::from_session(&s), &sc.client.name);
        if got != expected {
            if update {
                let head = text.split_once("\n---\n").map_or("", |h| h.0);
                std::fs::write(&wt, format!("{head}\n---\n{got}")).expect("write walkthrough");
            } else {
                failures.push(wt.display().to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "these walkthroughs no longer match (rerun with UPDATE_WALKTHROUGHS=1 and review the diff):\n{}",
        failures.join("\n")
    );
}
