//! Invariants over random play through every bundled scenario.

use crate::common::{bundled, guidance, scenario};
use ipt_trainer::core::session::Session;
use proptest::prelude::*;

/// Plays with `picks` (each taken modulo the options shown) until an ending.
fn random_play(s: &mut Session, picks: &[usize]) -> usize {
    let mut steps = 0;
    while let Some(p) = s.prompt() {
        let n = p.options.len();
        let pick = picks.get(steps % picks.len().max(1)).copied().unwrap_or(0) % n + 1;
        s.choose(pick).expect("a shown option can be chosen");
        steps += 1;
        assert!(
            steps < 500,
            "no ending after 500 moves: the scenario may loop forever"
        );
    }
    steps
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_play_always_reaches_an_ending_with_a_continuous_transcript(
        seed in any::<u64>(),
        picks in proptest::collection::vec(0usize..8, 1..40),
        which in 0usize..64,
    ) {
        let files = bundled();
        prop_assume!(!files.is_empty());
        let sc = scenario(&files[which % files.len()]);
        let mut s = Session::new(sc, guidance(), seed).expect("starts");
        random_play(&mut s, &picks);
        prop_assert!(s.is_ended());
        prop_assert!(s.ending().is_some());
        // The client's state runs on from turn to turn (what the state
        // chart shows), the clock only moves forward, and the first turn
        // starts from the scenario's starting state.
        let turns = s.turns();
        if let Some(first) = turns.first() {
            prop_assert_eq!(first.clock, 0);
        }
        for w in turns.windows(2) {
            prop_assert_eq!(&w[1].before, &w[0].after, "turn {}", w[1].number);
            prop_assert_eq!(w[1].clock, w[0].clock + w[0].minutes, "turn {}", w[1].number);
        }
    }

    #[test]
    fn the_same_seed_and_choices_give_the_same_transcript(
        seed in any::<u64>(),
        picks in proptest::collection::vec(0usize..8, 1..40),
        which in 0usize..64,
    ) {
        let files = bundled();
        prop_assume!(!files.is_empty());
        let sc = scenario(&files[which % files.len()]);
        let mut a = Session::new(sc.clone(), guidance(), seed).expect("a");
        random_play(&mut a, &picks);
        let b = Session::replay(sc, guidance(), seed, &a.positions()).expect("b");
        prop_assert_eq!(a.turns(), b.turns());
        prop_assert_eq!(a.scores(), b.scores());
    }
}
