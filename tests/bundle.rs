//! The bundled scenarios meet the brief: two per problem area, all phases,
//! enough choice points and options, several endings, disclosures that need
//! trust, a risk moment, and a best option that is not always the first or
//! the longest.

use crate::common::{bundled, guidance, scenario};
use ipt_trainer::core::model::{Phase, ProblemArea};
use std::collections::BTreeSet;

#[test]
fn the_bundle_covers_every_area_twice_and_every_phase() {
    let all: Vec<_> = bundled().iter().map(|f| scenario(f)).collect();
    for area in ProblemArea::ALL {
        assert!(
            all.iter().filter(|s| s.area == area).count() >= 2,
            "{area:?}"
        );
    }
    for phase in Phase::ALL {
        assert!(all.iter().any(|s| s.phase == phase), "{phase:?}");
    }
    assert!(
        all.iter().any(|s| s.nodes.iter().any(|n| n.risk)),
        "a risk moment"
    );
    let ids: BTreeSet<_> = all.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "unique ids");
}

#[test]
fn every_bundled_scenario_has_depth() {
    for f in bundled() {
        let s = scenario(&f);
        let name = f.display();
        assert!(s.nodes.len() >= 10, "{name}: choice points");
        for n in &s.nodes {
            assert!(
                n.options.len() >= 3,
                "{name}: node {} has fewer than 3 options",
                n.id
            );
        }
        let outcomes: BTreeSet<_> = s.endings.iter().map(|e| e.outcome).collect();
        assert!(outcomes.len() >= 2, "{name}: distinct endings");
        let gated = s
            .nodes
            .iter()
            .flat_map(|n| &n.disclosures)
            .filter(|d| d.when.min_trust.is_some())
            .count();
        assert!(gated >= 1, "{name}: a disclosure that needs trust");
        assert!(
            !s.client.name.is_empty() && !s.content_note.is_empty(),
            "{name}: client and content note"
        );
    }
}

#[test]
fn the_best_option_is_not_always_first_or_longest() {
    let g = guidance();
    for f in bundled() {
        let s = scenario(&f);
        let (mut first, mut longest, mut points) = (0, 0, 0);
        for n in &s.nodes {
            // Rated as the lint rates them: a neutral context.
            let ratings = ipt_trainer::core::lint::rate_options(&s, &g, n);
            let Some(best) = ipt_trainer::core::rubric::best_index(&ratings) else {
                continue;
            };
            points += 1;
            if best == 0 {
                first += 1;
            }
            let long = (0..n.options.len())
                .max_by_key(|&i| n.options[i].text.len())
                .unwrap_or(0);
            if best == long {
                longest += 1;
            }
        }
        let name = f.display();
        assert!(first < points, "{name}: the best option is always first");
        assert!(
            longest * 10 < points * 8,
            "{name}: the best option is the longest at {longest} of {points} points"
        );
    }
}
