//! `cargo bench --bench drills`: how long building the drill catalogue of
//! the bundled scenarios takes (beside playing each scenario's best route
//! once, in the same run), and how fast simulated learners reach mastery
//! under the adaptive plan and under random drills. Figures are recorded
//! in docs/performance.md.
#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use ipt_trainer::core::drill::sim::{Policy, simulate};
use ipt_trainer::core::drill::{Catalogue, DrillPoint, SkillProfile};
use ipt_trainer::core::load::{bundled_guidance, load_scenario_file, scenario_files};
use ipt_trainer::core::session::Session;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = scenario_files(&dir).unwrap_or_default();
    let Ok(g) = bundled_guidance() else {
        println!("the bundled rubric does not load");
        return;
    };
    let g = Arc::new(g);
    let scenarios: Vec<_> = files
        .iter()
        .filter_map(|f| load_scenario_file(f).value.map(Arc::new))
        .collect();

    // The catalogue, beside the best route of every scenario played once.
    let runs = 21;
    let build: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(Catalogue::build(&scenarios, &g));
            t.elapsed()
        })
        .collect();
    let routes: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            for s in &scenarios {
                if let Ok(mut session) = Session::new(s.clone(), g.clone(), 1) {
                    while let Some(b) = session.best_position() {
                        if session.choose(b).is_err() {
                            break;
                        }
                    }
                    std::hint::black_box(session.scores());
                }
            }
            t.elapsed()
        })
        .collect();
    let catalogue = Catalogue::build(&scenarios, &g);
    println!(
        "catalogue of {} scenarios: {} drills, {:.1} ms median of {runs} (target 200 ms); baseline, each best route played once: {:.2} ms",
        scenarios.len(),
        catalogue.points.len(),
        ms(median(build)),
        ms(median(routes))
    );
    let coverage = catalogue.coverage(&g);
    let listed = |c: &[(&str, usize)]| {
        c.iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "drills per principle, fewest: {}; most: {}",
        listed(&coverage[..coverage.len().min(5)]),
        listed(&coverage[coverage.len().saturating_sub(3)..])
    );

    learners(&catalogue);
}

/// Learners who start at a 25 % chance of choosing well on every principle
/// and gain 15 points after each drill on it (feedback either way), up to
/// 95 %. How many drills until every principle with drills counts as
/// mastered in their profile, and how many are mastered after 100 and 200
/// drills, under each plan; 20 learners each, sessions of 10 drills, one a
/// day, at most 60 sessions.
fn learners(catalogue: &Catalogue) {
    use rand::{RngExt, SeedableRng};
    let principles: Vec<&str> = catalogue.per_principle().keys().copied().collect();
    let all = principles.len();
    println!(
        "simulated learners ({all} principles with drills; 25 % at first, +15 per drill of feedback, at most 95 %; 20 learners, sessions of 10):"
    );
    for policy in [Policy::Adaptive, Policy::Random] {
        let mut to_all: Vec<Option<usize>> = Vec::new();
        let mut to_half: Vec<usize> = Vec::new();
        let mut at100 = Vec::new();
        let mut at200 = Vec::new();
        for learner in 0..20u64 {
            let mut p: BTreeMap<String, f64> = BTreeMap::new();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(learner + 100);
            let records = simulate(
                catalogue,
                policy,
                60,
                10,
                1_800_000_000,
                learner,
                |d: &DrillPoint| {
                    let chance = p.entry(d.principle.clone()).or_insert(0.25);
                    let good = rng.random_range(0.0..1.0) < *chance;
                    *chance = (*chance + 0.15).min(0.95);
                    good
                },
            );
            let mut drills = 0;
            let mut reached = None;
            let mut half = None;
            let mut by100 = None;
            let mut by200 = None;
            for k in 1..=records.len() {
                drills += records[k - 1].results.len();
                let profile = SkillProfile::from_records([], &records[..k]);
                let mastered = principles
                    .iter()
                    .filter(|x| profile.skill(x).mastered())
                    .count();
                if by100.is_none() && drills >= 100 {
                    by100 = Some(mastered);
                }
                if by200.is_none() && drills >= 200 {
                    by200 = Some(mastered);
                }
                if half.is_none() && mastered * 2 >= all {
                    half = Some(drills);
                }
                if reached.is_none() && mastered == all {
                    reached = Some(drills);
                }
            }
            to_all.push(reached);
            to_half.extend(half);
            at100.push(by100.unwrap_or(0));
            at200.push(by200.unwrap_or(0));
        }
        let mut reached: Vec<usize> = to_all.iter().flatten().copied().collect();
        reached.sort_unstable();
        let median_all = reached
            .get(reached.len() / 2)
            .map_or_else(|| "not reached".to_string(), ToString::to_string);
        to_half.sort_unstable();
        let median_half = to_half
            .get(to_half.len() / 2)
            .map_or_else(|| "not reached".to_string(), ToString::to_string);
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
        println!(
            "  {:<8} all mastered by {} of 20 within 600 drills (median {median_all}); half mastered by {} of 20 (median {median_half}); mastered after 100 drills {:.1} of {all}, after 200 {:.1}",
            format!("{policy:?}"),
            reached.len(),
            to_half.len(),
            mean(&at100),
            mean(&at200),
        );
    }
}
