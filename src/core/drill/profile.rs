//! The skill profile: for each principle, how often the trainee chose well
//! at a choice point that principle decided, as a Beta posterior (a
//! uniform prior, one success or failure per chance), so the estimate comes
//! with a confidence that grows with the evidence.

use crate::core::drill::record::DrillRecord;
use crate::core::store::AttemptRecord;
use std::collections::BTreeMap;

/// At least this many chances before a skill can count as mastered.
pub const MASTERY_MIN_CHANCES: u32 = 5;
/// A skill is mastered when the estimate's lower bound (about the 10th
/// percentile of the posterior) reaches this.
pub const MASTERY_LOWER_BOUND: f64 = 0.7;
/// How many standard deviations below the mean the lower bound lies (the
/// normal approximation's 10th percentile).
const LOWER_Z: f64 = 1.2816;

/// The evidence on one principle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skill {
    /// Chances taken: the best option chosen.
    pub good: u32,
    /// Choice points this principle decided that the trainee met.
    pub chances: u32,
}

impl Skill {
    /// The posterior's parameters: Beta(1 + good, 1 + missed).
    fn alpha_beta(self) -> (f64, f64) {
        let good = f64::from(self.good.min(self.chances));
        let missed = f64::from(self.chances) - good;
        (1.0 + good, 1.0 + missed)
    }

    /// The estimated chance of choosing well here (the posterior mean).
    pub fn mean(self) -> f64 {
        let (a, b) = self.alpha_beta();
        a / (a + b)
    }

    /// The posterior's standard deviation: how unsure the estimate is.
    pub fn sd(self) -> f64 {
        let (a, b) = self.alpha_beta();
        let n = a + b;
        (a * b / (n * n * (n + 1.0))).sqrt()
    }

    /// A cautious estimate (about the posterior's 10th percentile).
    pub fn lower(self) -> f64 {
        (self.mean() - LOWER_Z * self.sd()).max(0.0)
    }

    /// Enough evidence that the trainee chooses well here.
    pub fn mastered(self) -> bool {
        self.chances >= MASTERY_MIN_CHANCES && self.lower() >= MASTERY_LOWER_BOUND
    }

    fn add(&mut self, good: bool) {
        self.chances = self.chances.saturating_add(1);
        if good {
            self.good = self.good.saturating_add(1);
        }
    }
}

/// One trainee's skills, by principle id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillProfile {
    pub skills: BTreeMap<String, Skill>,
}

impl SkillProfile {
    /// The evidence on a principle (none yet: the prior).
    pub fn skill(&self, principle: &str) -> Skill {
        self.skills.get(principle).copied().unwrap_or_default()
    }

    /// One more chance at a principle, taken or missed.
    pub fn add(&mut self, principle: &str, good: bool) {
        self.skills
            .entry(principle.to_string())
            .or_default()
            .add(good);
    }

    /// The evidence in a session's record: every move at a choice point a
    /// principle decided (moves a retry repeated from an earlier attempt
    /// are counted there, not again).
    pub fn add_attempt(&mut self, r: &AttemptRecord) {
        for t in r.debrief.turns.iter().skip(r.replayed_turns) {
            for p in &t.tested {
                self.add(p, t.better.is_none());
            }
        }
    }

    /// The evidence in a record of drills: each drill's first answer (a
    /// retry after feedback says less about the skill, and is kept in the
    /// record but not counted).
    pub fn add_drills(&mut self, r: &DrillRecord) {
        for d in &r.results {
            self.add(&d.principle, d.first.good);
        }
    }

    /// The profile from a trainee's records.
    pub fn from_records<'a>(
        attempts: impl IntoIterator<Item = &'a AttemptRecord>,
        drills: impl IntoIterator<Item = &'a DrillRecord>,
    ) -> SkillProfile {
        let mut p = SkillProfile::default();
        for a in attempts {
            p.add_attempt(a);
        }
        for d in drills {
            p.add_drills(d);
        }
        p
    }

    /// The principles with evidence, weakest first (lowest estimate, then
    /// the less certain).
    pub fn weakest(&self) -> Vec<(&str, Skill)> {
        let mut v: Vec<(&str, Skill)> = self.skills.iter().map(|(k, s)| (k.as_str(), *s)).collect();
        v.sort_by(|(a, x), (b, y)| {
            x.mean()
                .total_cmp(&y.mean())
                .then(y.sd().total_cmp(&x.sd()))
                .then(a.cmp(b))
        });
        v
    }

    /// How many principles are mastered.
    pub fn mastered(&self) -> usize {
        self.skills.values().filter(|s| s.mastered()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_narrows_the_estimate() {
        let none = Skill::default();
        let some = Skill {
            good: 3,
            chances: 4,
        };
        let more = Skill {
            good: 30,
            chances: 40,
        };
        assert!((none.mean() - 0.5).abs() < 1e-9);
        assert!(some.sd() < none.sd());
        assert!(more.sd() < some.sd());
        assert!((more.mean() - 31.0 / 42.0).abs() < 1e-9);
    }

    #[test]
    fn mastery_needs_both_a_high_estimate_and_evidence() {
        assert!(
            !Skill {
                good: 3,
                chances: 3
            }
            .mastered(),
            "too few chances"
        );
        assert!(
            !Skill {
                good: 6,
                chances: 10
            }
            .mastered(),
            "too many misses"
        );
        assert!(
            Skill {
                good: 9,
                chances: 9
            }
            .mastered()
        );
        assert!(
            Skill {
                good: 18,
                chances: 20
            }
            .mastered()
        );
    }
}
