//! When a missed drill comes back: each drill the trainee has missed is a
//! card on a spaced schedule (FSRS, the scheduler of Anki and others, with
//! its default parameters). Its reviews are the drill's first answers, read
//! from the records; a miss is "again", a good answer "good". A drill never
//! missed is not scheduled: the adaptive plan brings its skill back instead.

use crate::core::drill::record::DrillRecord;
use std::collections::BTreeMap;

/// The chance of recall the schedule aims for when a drill comes back.
pub const DESIRED_RETENTION: f32 = 0.9;
const DAY: u64 = 86_400;

/// One scheduled drill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Card {
    /// When it is due again (seconds since the Unix epoch).
    pub due: u64,
    /// How often it was missed.
    pub lapses: u32,
    pub reviews: u32,
}

/// The scheduled drills, by drill id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    pub cards: BTreeMap<String, Card>,
}

impl Schedule {
    /// The schedule from a trainee's records of drills (in any order).
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a DrillRecord>) -> Schedule {
        let mut reviews: BTreeMap<&str, Vec<(u64, bool)>> = BTreeMap::new();
        for r in records {
            for d in &r.results {
                reviews
                    .entry(d.id.as_str())
                    .or_default()
                    .push((d.answered_at, d.first.good));
            }
        }
        let fsrs = fsrs::FSRS::default();
        let mut cards = BTreeMap::new();
        for (id, mut rs) in reviews {
            rs.sort_unstable();
            // Only from the first miss on.
            let Some(first_miss) = rs.iter().position(|&(_, good)| !good) else {
                continue;
            };
            let mut memory = None;
            let mut last = rs[first_miss].0;
            let mut due = last;
            let mut lapses = 0;
            let mut count = 0;
            for &(at, good) in &rs[first_miss..] {
                let days = (at.saturating_sub(last) / DAY) as u32;
                let Ok(next) = fsrs.next_states(memory, DESIRED_RETENTION, days) else {
                    break;
                };
                let state = if good { next.good } else { next.again };
                if !good {
                    lapses += 1;
                }
                count += 1;
                memory = Some(state.memory);
                last = at;
                let interval = f64::from(state.interval.max(0.0)).min(36_500.0);
                due = at.saturating_add((interval * DAY as f64) as u64);
            }
            cards.insert(
                id.to_string(),
                Card {
                    due,
                    lapses,
                    reviews: count,
                },
            );
        }
        Schedule { cards }
    }

    /// The drills due at `now`, the most overdue first.
    pub fn due(&self, now: u64) -> Vec<&str> {
        let mut v: Vec<(&str, u64)> = self
            .cards
            .iter()
            .filter(|(_, c)| c.due <= now)
            .map(|(id, c)| (id.as_str(), c.due))
            .collect();
        v.sort_by_key(|&(id, due)| (due, id));
        v.into_iter().map(|(id, _)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::drill::record::{AnswerRecord, DRILL_FORMAT, DRILL_VERSION, DrillResult};

    fn record(answers: &[(&str, u64, bool)]) -> DrillRecord {
        DrillRecord {
            format: DRILL_FORMAT.into(),
            version: DRILL_VERSION,
            trainee: "t".into(),
            rubric_version: "r".into(),
            plan: None,
            seed: 1,
            finished_at: 0,
            results: answers
                .iter()
                .map(|&(id, at, good)| DrillResult {
                    id: id.into(),
                    scenario_id: "s".into(),
                    scenario_hash: "h".into(),
                    node: "n".into(),
                    principle: "p".into(),
                    difficulty: 0.5,
                    follow_up: false,
                    review: false,
                    first: AnswerRecord {
                        position: 1,
                        option: 0,
                        text: String::new(),
                        good,
                    },
                    retry: None,
                    answered_at: at,
                })
                .collect(),
        }
    }

    #[test]
    fn a_miss_comes_back_and_good_answers_push_it_further_away() {
        let t0 = 1_800_000_000;
        let missed = Schedule::from_records([&record(&[("a", t0, false), ("b", t0, true)])]);
        assert!(
            !missed.cards.contains_key("b"),
            "never missed: not scheduled"
        );
        let a = missed.cards["a"];
        assert!(a.due > t0 && a.due < t0 + 2 * DAY, "a miss comes back soon");
        assert!(missed.due(t0).is_empty());
        assert_eq!(missed.due(a.due), vec!["a"]);

        let then_good =
            Schedule::from_records([&record(&[("a", t0, false)]), &record(&[("a", a.due, true)])]);
        let gap1 = then_good.cards["a"].due - a.due;
        let twice = Schedule::from_records([
            &record(&[("a", t0, false)]),
            &record(&[("a", a.due, true)]),
            &record(&[("a", a.due + gap1, true)]),
        ]);
        let gap2 = twice.cards["a"].due - (a.due + gap1);
        assert!(gap1 > a.due - t0, "a good answer waits longer than a miss");
        assert!(gap2 > gap1, "each good answer waits longer still");
    }
}
