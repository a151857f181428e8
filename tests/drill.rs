//! Drills: the catalogue of drillable choice points, the skill profile, the
//! adaptive plan, and a drill played as a trainee would.

use crate::common::{bundled, guidance, scenario};
use ipt_trainer::core::drill::{Catalogue, WANTED_PER_PRINCIPLE};
use std::sync::Arc;

pub fn catalogue() -> (Catalogue, Arc<ipt_trainer::core::rubric::Guidance>) {
    let g = guidance();
    let scenarios: Vec<_> = bundled().iter().map(|p| scenario(p)).collect();
    (Catalogue::build(&scenarios, &g), g)
}

#[test]
fn every_principle_that_scores_has_enough_drills_in_the_bundle() {
    let (c, g) = catalogue();
    let coverage = c.coverage(&g);
    let short: Vec<String> = coverage
        .iter()
        .filter(|(_, n)| *n < WANTED_PER_PRINCIPLE)
        .map(|(id, n)| format!("{id}: {n}"))
        .collect();
    assert!(
        short.is_empty(),
        "principles with fewer than {WANTED_PER_PRINCIPLE} drills: {short:?}\nall: {coverage:?}"
    );
}
