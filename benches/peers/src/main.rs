//! ipt-trainer's load + validate against two peers' compilers, on the same
//! generated dialogue graph: Yarn Spinner's Rust compiler (`yarnspinner`)
//! and Ink's (`bladeink-compiler`). Run by `scripts/bench-peers [RUNS]`;
//! figures in docs/performance.md ("Against peers").
//!
//! Each graph is written three ways from one generator
//! (`benches/generated.rs`): RON, Yarn Spinner source and Ink source.
//! Every tool first compiles it once, untimed, and the result is checked
//! (no errors, every node and ending present, every line and option
//! counted); a tool that fails is reported with its error and not timed.
//! Then the runs are interleaved (ipt-trainer, Ink, Yarn Spinner, again),
//! so that noise on this shared machine falls on all three alike.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

#[path = "../../generated.rs"]
mod generated;
mod ink;
#[cfg(test)]
mod walk;
mod yarn;

use generated::Graph;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One tool on one graph: its compile alone (timed) and the same compile
/// with the check of its result (untimed).
struct Peer<'a> {
    name: &'static str,
    source_bytes: usize,
    compile: Box<dyn Fn() -> bool + 'a>,
    check: Box<dyn Fn() -> Result<String, String> + 'a>,
}

fn main() -> ExitCode {
    let runs = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => 5,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            println!("usage: ipt-peers [RUNS]   (RUNS: a whole number above 0; default 5)");
            return ExitCode::from(2);
        }
    };
    println!(
        "{runs} runs of each tool per graph, interleaved; load average at the start: {}",
        load_average()
    );
    let mut failed = false;
    let shapes = [
        (
            "layered 5,000 nodes (20 rounds of 250; many routes, 1,286 W001 warnings)",
            generated::layered_graph(5000, 20),
        ),
        (
            "chain 5,000 nodes (no warnings)",
            generated::chain_graph(5000),
        ),
    ];
    for (label, graph) in &shapes {
        failed |= !bench(label, graph, runs);
    }
    println!("\nload average at the end: {}", load_average());
    if failed {
        println!("\nat least one tool failed to compile a graph: see above");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks and times the three tools on one graph; false if one failed.
fn bench(label: &str, g: &Graph, runs: usize) -> bool {
    let ron = g.to_ron();
    let yarn_source = yarn::write(g);
    let ink_source = ink::write(g);
    println!("\n== {label} ==");

    let mut yarn_compiler = yarnspinner::compiler::Compiler::new();
    yarn_compiler.add_file(yarnspinner::compiler::File {
        file_name: "generated.yarn".to_string(),
        source: yarn_source.clone(),
    });
    let ink_compiler = bladeink_compiler::Compiler::new();

    let peers = [
        Peer {
            name: "ipt-trainer load + validate",
            source_bytes: ron.len(),
            compile: Box::new(|| {
                !ipt_trainer::core::load::load_scenario_str(&ron, Path::new("generated.ron"))
                    .has_errors()
            }),
            check: Box::new(|| check_ipt(g, &ron)),
        },
        Peer {
            name: "Ink compile (bladeink-compiler)",
            source_bytes: ink_source.len(),
            compile: Box::new(|| ink_compiler.compile(&ink_source).is_ok()),
            check: Box::new(|| check_ink(g, &ink_compiler, &ink_source)),
        },
        Peer {
            name: "Yarn Spinner compile (yarnspinner)",
            source_bytes: yarn_source.len(),
            compile: Box::new(|| yarn_compiler.compile().is_ok()),
            check: Box::new(|| check_yarn(g, &yarn_compiler)),
        },
    ];

    // One untimed compile each, checked.
    let mut ok = [true; 3];
    for (p, ok) in peers.iter().zip(&mut ok) {
        match (p.check)() {
            Ok(what) => println!(
                "{:<36} {:>5} KiB of source: {what}",
                p.name,
                p.source_bytes / 1024
            ),
            Err(e) => {
                println!("{:<36} FAILED: {e}", p.name);
                *ok = false;
            }
        }
    }

    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..runs {
        for ((p, t), ok) in peers.iter().zip(&mut times).zip(&ok) {
            if *ok {
                let start = Instant::now();
                let compiled = std::hint::black_box((p.compile)());
                t.push(start.elapsed());
                assert!(compiled, "{} compiled once and then failed", p.name);
            }
        }
    }

    // (min, median) of each tool.
    let mut figures = [None; 3];
    for ((p, t), f) in peers.iter().zip(&mut times).zip(&mut figures) {
        if t.is_empty() {
            println!("{:<36} not timed (failed above)", p.name);
            continue;
        }
        t.sort();
        let median = t[t.len() / 2];
        *f = Some((t[0], median));
        println!(
            "{:<36} min {:>9.1} ms  median {:>9.1} ms  (of {runs}: {})",
            p.name,
            ms(t[0]),
            ms(median),
            t.iter()
                .map(|d| format!("{:.0}", ms(*d)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let [Some((ipt_min, ipt_median)), ink, yarn] = figures {
        for (peer, name) in [(ink, "Ink"), (yarn, "Yarn Spinner")] {
            if let Some((min, median)) = peer {
                println!(
                    "ipt-trainer / {name:<13} {:.3}x (medians), {:.3}x (mins)",
                    ipt_median.as_secs_f64() / median.as_secs_f64(),
                    ipt_min.as_secs_f64() / min.as_secs_f64()
                );
            }
        }
    }
    ok.iter().all(|o| *o)
}

/// The 1, 5 and 15 minute load averages (Linux), to judge the noise.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_string(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Every node and ending id, as each tool should name its nodes or knots.
fn expected_names(g: &Graph) -> HashSet<&str> {
    g.nodes
        .iter()
        .map(|n| n.id.as_str())
        .chain(g.endings.iter().map(|e| e.id))
        .collect()
}

/// Lines of text in the graph: per node, two line variants, a disclosure,
/// each option's text and feedback; per ending, its text.
fn expected_strings(g: &Graph) -> usize {
    g.nodes
        .iter()
        .map(|n| 3 + n.options.len() + n.options.iter().filter(|o| o.feedback.is_some()).count())
        .sum::<usize>()
        + g.endings.len()
}

fn expected_options(g: &Graph) -> usize {
    g.nodes.iter().map(|n| n.options.len()).sum()
}

fn check_ipt(g: &Graph, ron: &str) -> Result<String, String> {
    let loaded = ipt_trainer::core::load::load_scenario_str(ron, Path::new("generated.ron"));
    if let Some(e) = loaded.diagnostics.iter().find(|d| d.is_error()) {
        return Err(e.to_string());
    }
    let warnings = loaded.diagnostics.len();
    let s = loaded.value.ok_or("no scenario and no error")?;
    let options: usize = s.nodes.iter().map(|n| n.options.len()).sum();
    if s.nodes.len() != g.nodes.len()
        || s.endings.len() != g.endings.len()
        || options != expected_options(g)
    {
        return Err(format!(
            "{} nodes, {} endings, {options} options; expected {}, {}, {}",
            s.nodes.len(),
            s.endings.len(),
            g.nodes.len(),
            g.endings.len(),
            expected_options(g)
        ));
    }
    Ok(format!(
        "{} nodes + {} endings, {options} options, {warnings} warnings",
        s.nodes.len(),
        s.endings.len()
    ))
}

fn check_ink(
    g: &Graph,
    compiler: &bladeink_compiler::Compiler,
    source: &str,
) -> Result<String, String> {
    let json = compiler.compile(source).map_err(|e| e.to_string())?;
    // The compiled story's top-level knots are the named content of the
    // root container: the last element of `root`.
    let story: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| format!("its output is not JSON: {e}"))?;
    let named = story["root"]
        .as_array()
        .and_then(|r| r.last())
        .and_then(serde_json::Value::as_object)
        .ok_or("its output has no root container with named content")?;
    let expected = expected_names(g);
    let knots = named
        .keys()
        .filter(|k| expected.contains(k.as_str()))
        .count();
    if knots != expected.len() {
        return Err(format!("{knots} of {} knots in the output", expected.len()));
    }
    let stats = compiler
        .compile_to_stats(source)
        .map_err(|e| e.to_string())?;
    if stats.knots != expected.len() || stats.choices != expected_options(g) {
        return Err(format!(
            "{} knots and {} choices; expected {} and {}",
            stats.knots,
            stats.choices,
            expected.len(),
            expected_options(g)
        ));
    }
    Ok(format!(
        "{knots} knots, {} choices, {} KiB of ink JSON",
        stats.choices,
        json.len() / 1024
    ))
}

fn check_yarn(g: &Graph, compiler: &yarnspinner::compiler::Compiler) -> Result<String, String> {
    let compilation = compiler.compile().map_err(|e| {
        let shown: Vec<String> =
            e.0.iter()
                .take(3)
                .map(|d| {
                    // Yarn Spinner's positions count lines from 0.
                    let line = d.range.as_ref().map_or(d.start_line, |r| r.start.line) + 1;
                    format!(
                        "{}:{line}: {:?}: {}",
                        d.file_name.as_deref().unwrap_or("?"),
                        d.severity,
                        d.message
                    )
                })
                .collect();
        format!("{} diagnostics, the first: {}", e.0.len(), shown.join("; "))
    })?;
    let program = compilation.program.ok_or("no program")?;
    let expected = expected_names(g);
    let nodes = program
        .nodes
        .keys()
        .filter(|k| expected.contains(k.as_str()))
        .count();
    if nodes != expected.len() {
        return Err(format!(
            "{nodes} of {} nodes in the program ({} in all)",
            expected.len(),
            program.nodes.len()
        ));
    }
    let strings = compilation.string_table.len();
    if strings != expected_strings(g) {
        return Err(format!(
            "{strings} lines in the string table; expected {}",
            expected_strings(g)
        ));
    }
    Ok(format!(
        "{nodes} nodes, {strings} lines and options, {} warnings",
        compilation.warnings.len()
    ))
}
