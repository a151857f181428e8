//! `cargo bench --bench analyze`: how long `ipt-trainer analyze` takes on
//! the bundled scenarios and on a generated 5,000-node one (target < 2 s):
//! 20 rounds of 250 nodes, routes splitting and meeting all the way.
//! Figures are recorded in docs/performance.md.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

mod generated;

use ipt_trainer::core::analysis::{Limits, analyze};
use ipt_trainer::core::load::{
    bundled_guidance, load_scenario_file, load_scenario_str, scenario_files,
};
use std::path::Path;
use std::time::Instant;

fn main() {
    let Ok(guidance) = bundled_guidance() else {
        println!("the bundled rubric does not load");
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for f in scenario_files(&dir).unwrap_or_default() {
        let Ok(s) = load_scenario_file(&f).into_result() else {
            continue;
        };
        let t = Instant::now();
        match analyze(&s, &guidance, Limits::default()) {
            Ok(a) => println!(
                "analyze {:<40} {:>8} points  {:>8.1} ms  {}  routes: {}",
                s.id,
                a.states,
                t.elapsed().as_secs_f64() * 1e3,
                if a.exact { "exact" } else { "approximate" },
                a.paths
            ),
            Err(e) => println!("analyze {}: {e}", s.id),
        }
    }

    let text = generated::layered(5000, 20);
    let Ok(s) = load_scenario_str(&text, Path::new("generated.ron")).into_result() else {
        println!("the generated scenario does not load");
        return;
    };
    let mut times = Vec::new();
    let mut points = 0;
    let mut exact = false;
    for _ in 0..5 {
        let t = Instant::now();
        match analyze(&s, &guidance, Limits::default()) {
            Ok(a) => (points, exact) = (a.states, a.exact),
            Err(e) => {
                println!("analyze the generated 5,000-node scenario: {e}");
                return;
            }
        }
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "analyze a generated 5,000-node scenario (20 rounds of 250 nodes): {points} points ({}), {:.0} ms (median of 5; target < 2,000 ms)",
        if exact { "exact" } else { "approximate" },
        times[times.len() / 2].as_secs_f64() * 1e3
    );
}
