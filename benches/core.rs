//! `cargo bench`: prints how long loading and validating take.
//! Figures are recorded in docs/performance.md.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use ipt_trainer::core::load::{load_scenario_file, load_scenario_str, scenario_files};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// A scenario of `n` nodes in a branching chain, each with three options.
fn generated(n: usize) -> String {
    let mut s = String::from(
        "Scenario(id: \"generated\", title: \"Generated\", area: Grief, phase: Middle,\n\
         client: (name: \"Gen\", age: 40, start: (trust: 40, distress: 50, openness: 40)),\nnodes: [\n",
    );
    for i in 0..n {
        let next = |k: usize| {
            if i + k < n {
                format!("n{}", i + k)
            } else {
                "end".to_string()
            }
        };
        let _ = write!(
            s,
            "(id: \"n{i}\", client: [(text: \"Line {i} guarded\", when: (max_trust: 30)), (text: \"Line {i}\")],\n\
             disclosures: [(id: \"d{i}\", text: \"Disclosure {i}\", when: (min_trust: 70))],\n\
             options: [\n\
             (text: \"Open {i}\", move: OpenQuestion, topic: Focal, next: \"{}\", minutes: 1),\n\
             (text: \"Reflect {i}\", move: Reflection, topic: Focal, next: \"{}\", minutes: 1, when: (min_trust: 50)),\n\
             (text: \"Press {i}\", move: PressForDetail, topic: DistantPast, next: \"{}\", minutes: 1, feedback: \"Too fast.\"),\n\
             ]),\n",
            next(1),
            next(2),
            next(3)
        );
    }
    s.push_str("],\nendings: [(id: \"end\", title: \"End\", text: \"The end.\")],\n)\n");
    s
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = scenario_files(&dir).unwrap_or_default();
    let all = time(20, || {
        files
            .iter()
            .map(|f| load_scenario_file(f).diagnostics.len())
            .sum::<usize>()
    });
    println!(
        "load + validate all {} bundled scenarios: {:.2} ms (median of 20)",
        files.len(),
        all.as_secs_f64() * 1e3
    );

    let text = generated(5000);
    let parse = time(10, || {
        ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str::<ipt_trainer::core::model::Scenario>(&text)
            .map(|s| s.nodes.len())
    });
    println!(
        "parse the 5,000-node RON alone (no checks): {:.2} ms",
        parse.as_secs_f64() * 1e3
    );
    let parsed: Option<ipt_trainer::core::model::Scenario> = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .ok();
    if let Some(sc) = &parsed {
        let checks = time(10, || {
            ipt_trainer::core::load::check_scenario(sc, &text, Path::new("generated.ron")).len()
        });
        println!(
            "the semantic checks alone on it: {:.2} ms",
            checks.as_secs_f64() * 1e3
        );
    }
    let big = time(10, || {
        let l = load_scenario_str(&text, Path::new("generated.ron"));
        assert!(!l.has_errors(), "{:?}", l.diagnostics.first());
        l.value.map(|s| s.nodes.len())
    });
    println!(
        "load + validate a generated 5,000-node scenario ({} KiB): {:.2} ms (median of 10; target < 50 ms)",
        text.len() / 1024,
        big.as_secs_f64() * 1e3
    );
}
