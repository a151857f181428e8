//! From the rubric's view of each move to a session's scores, under the
//! rubric's scoring model (`docs/scoring.md`). The session and the analysis
//! both score through here, so a route the analysis reports scores what the
//! same route would in a session.

use crate::core::rubric::{Evaluation, Fired, Guidance, ScoreDelta, ScoringModel};
use serde::{Deserialize, Serialize};

/// What one choice point put at stake and what the move kept of it, per
/// dimension: the stake is the best shown option's points less the worst's;
/// the move keeps its own points less the worst's (nothing, if it harmed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnPoints {
    pub earned: ScoreDelta,
    pub stake: ScoreDelta,
}

impl TurnPoints {
    /// Points given up against the best option, per dimension (≥ 0).
    pub fn shortfall(&self) -> ScoreDelta {
        per_dimension(self.stake, self.earned, i32::saturating_sub)
    }
}

fn per_dimension(a: ScoreDelta, b: ScoreDelta, f: impl Fn(i32, i32) -> i32) -> ScoreDelta {
    ScoreDelta {
        rapport: f(a.rapport, b.rapport),
        pacing: f(a.pacing, b.pacing),
        focus: f(a.focus, b.focus),
    }
}

/// The choice point's stake and what option `chosen` (an index into
/// `options`, the evaluations of every shown option) keeps of it. On each
/// dimension where the options differ, the stake is the gap between the best
/// and the worst option, but never less than `min_stake` points, so a move a
/// point or two short of the best loses only that share; the move keeps the
/// stake less its shortfall against the best, and nothing if it harmed.
pub fn against_options(chosen: usize, options: &[Evaluation], min_stake: i32) -> TurnPoints {
    let Some(c) = options.get(chosen) else {
        return TurnPoints::default();
    };
    let fold = |pick: fn(i32, i32) -> i32| {
        options
            .iter()
            .map(|e| e.score)
            .reduce(|a, b| per_dimension(a, b, pick))
            .unwrap_or_default()
    };
    let best = fold(i32::max);
    let worst = fold(i32::min);
    let stake = per_dimension(best, worst, |b, w| {
        let gap = b.saturating_sub(w);
        if gap > 0 { gap.max(min_stake) } else { 0 }
    });
    let earned = if c.harm || c.critical {
        ScoreDelta::default()
    } else {
        let short = per_dimension(best, c.score, i32::saturating_sub);
        per_dimension(stake, short, |s, sh| s.saturating_sub(sh).max(0))
    };
    TurnPoints { earned, stake }
}

/// The three scores and the overall, each 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub rapport: i32,
    pub pacing: i32,
    pub focus: i32,
    pub overall: i32,
}

impl Scores {
    /// The `Points` model: each dimension from the rubric's base, kept
    /// within 0 to 100; a serious error caps the overall.
    pub fn from_raw(raw: ScoreDelta, critical: bool, guidance: &Guidance) -> Scores {
        let base = guidance.scoring.base;
        let clamp = |v: i32| base.saturating_add(v).clamp(0, 100);
        Scores::with_overall(
            clamp(raw.rapport),
            clamp(raw.pacing),
            clamp(raw.focus),
            critical,
            guidance,
        )
    }

    /// The `AgainstOptions` model: each dimension the share of what was at
    /// stake that was earned (all of it when nothing was at stake).
    pub fn from_shares(
        earned: ScoreDelta,
        stake: ScoreDelta,
        critical: bool,
        guidance: &Guidance,
    ) -> Scores {
        let share = |e: i32, s: i32| {
            if s <= 0 {
                100
            } else {
                let pct = (i64::from(e.clamp(0, s)) * 200 + i64::from(s)) / (2 * i64::from(s));
                i32::try_from(pct).unwrap_or(100)
            }
        };
        Scores::with_overall(
            share(earned.rapport, stake.rapport),
            share(earned.pacing, stake.pacing),
            share(earned.focus, stake.focus),
            critical,
            guidance,
        )
    }

    fn with_overall(
        rapport: i32,
        pacing: i32,
        focus: i32,
        critical: bool,
        guidance: &Guidance,
    ) -> Scores {
        let mut overall = (rapport + pacing + focus + 1) / 3;
        if critical {
            overall = overall.min(guidance.scoring.critical_cap);
        }
        Scores {
            rapport,
            pacing,
            focus,
            overall,
        }
    }
}

/// A session's points so far, under both models (the rubric says which
/// one its scores come from).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// The sum of every move's and charge's points (`Points`).
    pub raw: ScoreDelta,
    /// Kept and at stake over the choice points and the end (`AgainstOptions`).
    pub earned: ScoreDelta,
    pub stake: ScoreDelta,
    pub critical: bool,
}

impl Tally {
    /// Adds a move: its own points, and what it kept of its choice point.
    pub fn add_move(&mut self, ev: &Evaluation, turn: TurnPoints) {
        self.raw += ev.score;
        self.earned += turn.earned;
        self.stake += turn.stake;
        self.critical |= ev.critical;
    }

    /// Adds what is charged when the session ends (tasks it never covered,
    /// running over): lost points, which against the options are points at
    /// stake that nothing earned.
    pub fn add_charges(&mut self, fired: &[Fired]) {
        for f in fired {
            self.add_charge(f.score);
        }
    }

    pub fn add_charge(&mut self, score: ScoreDelta) {
        self.raw += score;
        self.stake += per_dimension(score, ScoreDelta::default(), |v, _| {
            v.min(0).saturating_neg()
        });
    }

    pub fn scores(&self, guidance: &Guidance) -> Scores {
        match guidance.scoring.model {
            ScoringModel::Points => Scores::from_raw(self.raw, self.critical, guidance),
            ScoringModel::AgainstOptions => {
                Scores::from_shares(self.earned, self.stake, self.critical, guidance)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(rapport: i32, pacing: i32, focus: i32) -> Evaluation {
        Evaluation {
            score: ScoreDelta {
                rapport,
                pacing,
                focus,
            },
            ..Evaluation::default()
        }
    }

    #[test]
    fn a_move_keeps_its_share_of_what_the_choice_point_put_at_stake() {
        let options = [ev(4, 0, 3), ev(-3, -2, 3), ev(1, 2, -5)];
        let t = against_options(0, &options, 0);
        assert_eq!(
            t.stake,
            ScoreDelta {
                rapport: 7,
                pacing: 4,
                focus: 8
            }
        );
        assert_eq!(
            t.earned,
            ScoreDelta {
                rapport: 7,
                pacing: 2,
                focus: 8
            }
        );
        assert_eq!(
            t.shortfall(),
            ScoreDelta {
                rapport: 0,
                pacing: 2,
                focus: 0
            }
        );
        // The same points, but the move harmed: it keeps nothing.
        let mut harmful = options;
        harmful[1].harm = true;
        assert_eq!(
            against_options(1, &harmful, 0).earned,
            ScoreDelta::default()
        );
        // Where every option scores alike there is nothing at stake.
        let same = [ev(2, 2, 2), ev(2, 2, 2)];
        assert_eq!(against_options(1, &same, 5).stake, ScoreDelta::default());
    }

    #[test]
    fn shares_round_and_nothing_at_stake_counts_as_full_marks() {
        let g = crate::core::load::bundled_guidance().expect("the bundled rubric");
        let s = Scores::from_shares(
            ScoreDelta {
                rapport: 2,
                pacing: 0,
                focus: 5,
            },
            ScoreDelta {
                rapport: 3,
                pacing: 0,
                focus: 10,
            },
            false,
            &g,
        );
        assert_eq!((s.rapport, s.pacing, s.focus, s.overall), (67, 100, 50, 72));
        let capped = Scores::from_shares(
            ScoreDelta {
                rapport: 3,
                pacing: 0,
                focus: 10,
            },
            ScoreDelta {
                rapport: 3,
                pacing: 0,
                focus: 10,
            },
            true,
            &g,
        );
        assert_eq!(capped.overall, g.scoring.critical_cap);
    }

    #[test]
    fn a_charge_at_the_end_is_lost_points_and_unearned_stake() {
        let mut t = Tally::default();
        t.add_charge(ScoreDelta {
            rapport: 0,
            pacing: -8,
            focus: 0,
        });
        assert_eq!(t.raw.pacing, -8);
        assert_eq!(t.stake.pacing, 8);
        assert_eq!(t.earned.pacing, 0);
    }
}
