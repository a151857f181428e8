//! `cargo bench`: prints how long loading and validating take, and how long
//! the class report takes over 10,000 records, and a session step.
//! Figures are recorded in docs/performance.md.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

mod generated;

use ipt_trainer::core::load::{load_scenario_file, load_scenario_str, scenario_files};
use std::path::Path;
use std::time::{Duration, Instant};

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

/// `cargo bench --bench core -- load` runs only the loading figures,
/// `-- report` only the class report's.
fn wanted(section: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| section.contains(f.as_str()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn parse_only(text: &str) -> Option<usize> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str::<ipt_trainer::core::model::Scenario>(text)
        .map(|s| s.nodes.len())
        .ok()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = scenario_files(&dir).unwrap_or_default();
    if wanted("load") {
        load_bench(&files);
    }
    if wanted("report") {
        report_bench(&files);
    }
    if wanted("session") {
        session_bench(&files);
    }
}

/// A session step: one `choose` on a bundled scenario, with the rubric's
/// evaluation of the move and of the next options shown. Every step of 100
/// seeded sessions per scenario is timed on its own; the baseline in the
/// same run is starting a session (which evaluates the first options).
fn session_bench(files: &[std::path::PathBuf]) {
    use ipt_trainer::core::load::bundled_guidance;
    use ipt_trainer::core::session::Session;
    use std::sync::Arc;
    let Ok(g) = bundled_guidance() else {
        println!("session: the bundled rubric does not load");
        return;
    };
    let g = Arc::new(g);
    println!("session step (median and 99th percentile of every step, in µs):");
    for f in files {
        let Some(s) = load_scenario_file(f).value.map(Arc::new) else {
            continue;
        };
        let mut steps = Vec::new();
        let mut starts = Vec::new();
        for seed in 0..100u64 {
            let t = Instant::now();
            let Ok(mut session) = Session::new(s.clone(), g.clone(), seed) else {
                break;
            };
            starts.push(t.elapsed());
            let mut pick = seed as usize;
            while let Some(shown) = session.prompt().map(|p| p.options.len()) {
                pick = pick.wrapping_mul(31).wrapping_add(7);
                let t = Instant::now();
                let moved = session.choose(1 + pick % shown.max(1));
                steps.push(t.elapsed());
                if moved.is_err() {
                    break;
                }
            }
        }
        if steps.is_empty() {
            continue;
        }
        steps.sort();
        let p99 = steps[(steps.len() * 99 / 100).min(steps.len() - 1)];
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "  {:<38} step {:>6.1} (p99 {:>6.1}) over {:>5} steps; start {:>6.1}",
            s.id,
            us(median(steps.clone())),
            us(p99),
            steps.len(),
            us(median(starts)),
        );
    }
}

/// Loading and validating: the bundled scenarios, the two generated
/// 5,000-node ones, and scenarios with many errors. Each big figure is
/// printed beside a baseline taken in the same run (ron's parse of the same
/// text, which the checks do not change), since this machine is noisy.
fn load_bench(files: &[std::path::PathBuf]) {
    let all = time(20, || {
        files
            .iter()
            .map(|f| load_scenario_file(f).diagnostics.len())
            .sum::<usize>()
    });
    println!(
        "load + validate all {} bundled scenarios: {:.2} ms (median of 20)",
        files.len(),
        ms(all)
    );

    for (name, text, target) in [
        ("chain-shaped", generated::generated(5000), 50.0),
        ("layered", generated::layered(5000, 20), 100.0),
    ] {
        let parse = time(10, || parse_only(&text));
        let mut warnings = 0;
        let big = time(10, || {
            let l = load_scenario_str(&text, Path::new("generated.ron"));
            assert!(!l.has_errors(), "{:?}", l.diagnostics.first());
            warnings = l.diagnostics.len();
            l.value.map(|s| s.nodes.len())
        });
        let checks = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str::<ipt_trainer::core::model::Scenario>(&text)
            .ok()
            .map(|sc| {
                let flags = ipt_trainer::core::load::bundled_rubric_flags();
                time(10, || {
                    let src =
                        ipt_trainer::core::load::Source::new(&text, Path::new("generated.ron"));
                    ipt_trainer::core::load::check_scenario(&sc, &src, Some(flags)).len()
                })
            });
        println!(
            "load + validate the {name} 5,000-node scenario ({} KiB, {warnings} warnings): {:.2} ms \
             (median of 10; target < {target} ms); baseline, ron's parse of it alone: {:.2} ms",
            text.len() / 1024,
            ms(big),
            ms(parse)
        );
        println!(
            "  the semantic checks alone on it (index, places and all): {:.2} ms (median of 10)",
            checks.map_or(f64::NAN, ms)
        );
    }

    for n in [1000, 2000, 4000] {
        let text = generated::with_errors(n);
        let parse = time(3, || parse_only(&text));
        let mut count = 0;
        let t = time(3, || {
            let l = load_scenario_str(&text, Path::new("errors.ron"));
            let rendered: usize = l
                .diagnostics
                .iter()
                .map(|d| ipt_trainer::cli::render::diagnostic(d, Some(&text)).len())
                .sum();
            count = l.diagnostics.len();
            rendered
        });
        println!(
            "load + validate + render a scenario with {count} errors: {:.2} ms (median of 3); \
             baseline, ron's parse of it alone: {:.2} ms",
            ms(t),
            ms(parse)
        );
    }
}

/// `report` over 10,000 records of real sessions: 250 trainees, 40 attempts
/// each, over the bundled scenarios, every move picked by a simple rule.
fn report_bench(files: &[std::path::PathBuf]) {
    use ipt_trainer::core::report::{ReportOptions, build};
    use ipt_trainer::core::session::Session;
    use ipt_trainer::core::store::AttemptRecord;
    use std::sync::Arc;

    const RECORDS: usize = 10_000;
    let Ok(guidance) = ipt_trainer::core::load::bundled_guidance() else {
        println!("report: the bundled rubric does not load; skipped");
        return;
    };
    let guidance = Arc::new(guidance);
    let scenarios: Vec<_> = files
        .iter()
        .filter_map(|f| load_scenario_file(f).into_result().ok().map(Arc::new))
        .collect();
    if scenarios.is_empty() {
        println!("report: no bundled scenarios; skipped");
        return;
    }
    let Ok(dir) = tempfile::tempdir() else {
        println!("report: no temporary folder; skipped");
        return;
    };
    let setup = Instant::now();
    let mut bytes = 0u64;
    for i in 0..RECORDS {
        let sc = &scenarios[i % scenarios.len()];
        let Ok(mut s) = Session::new(sc.clone(), guidance.clone(), i as u64) else {
            continue;
        };
        let mut k = 0;
        while let Some(p) = s.prompt() {
            let n = p.options.len();
            let pick = if (i + k) % 3 == 0 {
                s.best_position().unwrap_or(1)
            } else {
                (i * 7 + k) % n + 1
            };
            if s.choose(pick).is_err() {
                break;
            }
            k += 1;
        }
        let mut r = AttemptRecord::from_session(&s, &format!("Trainee {:03}", i % 250), false);
        r.finished_at = 1_795_424_400 + i as u64 * 60;
        let path = dir
            .path()
            .join(format!("class-{}", i % 10))
            .join(format!("{i:05}.json"));
        // As `write_record` writes it, without its fsync per file.
        let Ok(json) = serde_json::to_vec_pretty(&r) else {
            continue;
        };
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if std::fs::write(&path, &json).is_ok() {
            bytes += json.len() as u64;
        }
    }
    println!(
        "report: wrote {RECORDS} records ({} MB) in {:.1} s (setup, not timed)",
        bytes / 1_000_000,
        setup.elapsed().as_secs_f64()
    );
    let options = ReportOptions {
        scenario_dirs: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")],
        ..ReportOptions::default()
    };
    let mut totals = Vec::new();
    for run in 1..=3 {
        let t = Instant::now();
        let Ok(report) = build(dir.path(), &options) else {
            println!("report: the folder could not be read");
            return;
        };
        let read = t.elapsed();
        let t2 = Instant::now();
        let html = report.html();
        let html_time = t2.elapsed();
        let t3 = Instant::now();
        let csv = report.csv();
        let csv_time = t3.elapsed();
        let t4 = Instant::now();
        let xapi = serde_json::to_vec_pretty(&report.xapi()).map_or(0, |v| v.len());
        let xapi_time = t4.elapsed();
        let total = t.elapsed();
        println!(
            "report over {} records, run {run}: read + check {:.2} s, HTML {:.2} s ({} MB), CSV {:.3} s, \
             xAPI {:.2} s ({} MB); total {:.2} s (target < 5 s)",
            report.attempts.len(),
            read.as_secs_f64(),
            html_time.as_secs_f64(),
            html.len() / 1_000_000,
            csv_time.as_secs_f64(),
            xapi_time.as_secs_f64(),
            xapi / 1_000_000,
            total.as_secs_f64(),
        );
        std::hint::black_box((&html, &csv));
        totals.push(total);
    }
    println!(
        "report over {RECORDS} records, HTML + CSV + xAPI: {:.2} s (median of 3; target < 5 s)",
        median(totals).as_secs_f64()
    );
}
