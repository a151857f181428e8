//! The numbers behind the report: score distributions per scenario, each
//! trainee's attempts over time, and what was chosen at every choice point.

use super::{Attempt, Report};
use crate::core::group::GroupMode;
use crate::core::model::Outcome;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One score's spread over a scenario's attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct DimStats {
    pub label: &'static str,
    /// (score, index into `Report::attempts`), lowest score first.
    pub values: Vec<(i32, usize)>,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    pub mean: f64,
}

impl DimStats {
    fn new(label: &'static str, mut values: Vec<(i32, usize)>) -> DimStats {
        values.sort_unstable();
        let v: Vec<f64> = values.iter().map(|&(s, _)| f64::from(s)).collect();
        let q = |p: f64| quantile(&v, p);
        DimStats {
            label,
            min: q(0.0),
            q1: q(0.25),
            median: q(0.5),
            q3: q(0.75),
            max: q(1.0),
            mean: if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            },
            values,
        }
    }
}

/// The `p`-quantile of sorted values, interpolating between neighbours.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let pos = p * (n - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
        }
    }
}

/// The scores of one scenario's attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub scenario_id: String,
    pub title: String,
    pub attempts: usize,
    pub trainees: usize,
    /// Rapport, pacing, focus, overall.
    pub dims: Vec<DimStats>,
    pub good: usize,
    pub mixed: usize,
    pub poor: usize,
    /// Stopped before an ending.
    pub unfinished: usize,
    pub critical: usize,
    /// Overall at or above the pass mark, without a critical error.
    pub passed: usize,
}

/// One trainee's attempts, oldest first (indices into `Report::attempts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub trainee: String,
    pub attempts: Vec<usize>,
}

/// How often one option was chosen at a choice point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionStat {
    /// Its index in the scenario's node.
    pub option: usize,
    pub text: String,
    pub chosen: usize,
    /// How many of those choices were mistakes.
    pub mistakes: usize,
    /// The better moves the rubric named, most often first.
    pub better: Vec<(String, usize)>,
    /// The class's votes for it, summed over class-vote sessions.
    pub votes: u32,
}

/// One choice point (scenario × node) over all attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoicePoint {
    pub scenario_id: String,
    pub scenario_title: String,
    pub node: String,
    /// The node's place in the scenario file (or in the order first met).
    pub order: usize,
    /// What the client said here (as one attempt saw it).
    pub client_line: String,
    /// The author's discussion prompt, if any.
    pub prompt: String,
    /// Moves made here.
    pub reached: usize,
    pub mistakes: usize,
    /// Class votes cast here.
    pub votes: u32,
    /// Most chosen first.
    pub options: Vec<OptionStat>,
}

/// The title to show for a scenario: the current file's, else the latest
/// attempt's.
fn titles(r: &Report) -> HashMap<&str, &str> {
    let mut t: HashMap<&str, &str> = HashMap::new();
    for a in &r.attempts {
        t.insert(&a.scenario_id, &a.scenario_title);
    }
    for (id, info) in &r.scenarios {
        if t.contains_key(id.as_str()) {
            t.insert(id, &info.title);
        }
    }
    t
}

/// The spread of individual attempts' scores per scenario (group sessions
/// have their own section).
pub(super) fn distributions(r: &Report) -> Vec<Distribution> {
    let titles = titles(r);
    let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in r.attempts.iter().enumerate() {
        if a.group.is_none() {
            by.entry(&a.scenario_id).or_default().push(i);
        }
    }
    let mut out: Vec<Distribution> = by
        .into_iter()
        .map(|(id, idx)| {
            let all: Vec<&Attempt> = idx.iter().map(|&i| &r.attempts[i]).collect();
            let dim = |label, f: fn(&Attempt) -> i32| {
                DimStats::new(label, idx.iter().map(|&i| (f(&r.attempts[i]), i)).collect())
            };
            let outcome = |o: Outcome| {
                all.iter()
                    .filter(|a| a.ending.as_ref().is_some_and(|e| e.outcome == o))
                    .count()
            };
            Distribution {
                scenario_id: id.to_string(),
                title: titles.get(id).copied().unwrap_or(id).to_string(),
                attempts: all.len(),
                trainees: all
                    .iter()
                    .map(|a| a.trainee.as_str())
                    .collect::<BTreeSet<_>>()
                    .len(),
                dims: vec![
                    dim("Rapport", |a| a.scores.rapport),
                    dim("Pacing", |a| a.scores.pacing),
                    dim("Focus", |a| a.scores.focus),
                    dim("Overall", |a| a.scores.overall),
                ],
                good: outcome(Outcome::Good),
                mixed: outcome(Outcome::Mixed),
                poor: outcome(Outcome::Poor),
                unfinished: all.iter().filter(|a| a.ending.is_none()).count(),
                critical: all.iter().filter(|a| a.critical).count(),
                passed: all
                    .iter()
                    .filter(|a| passed(a, r.options.pass_mark))
                    .count(),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.title, &a.scenario_id).cmp(&(&b.title, &b.scenario_id)));
    out
}

/// Whether an attempt counts as a success: it reached an ending, with the
/// overall at or above the pass mark and no critical error. (A session
/// stopped early skips the end's penalties, so it cannot pass.)
pub fn passed(a: &Attempt, pass_mark: i32) -> bool {
    a.ending.is_some() && a.scores.overall >= pass_mark && !a.critical
}

/// Each trainee's own attempts (group sessions are not one trainee's).
pub(super) fn progress(r: &Report) -> Vec<Progress> {
    let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in r.attempts.iter().enumerate() {
        if a.group.is_none() {
            by.entry(&a.trainee).or_default().push(i);
        }
    }
    by.into_iter()
        .map(|(t, attempts)| Progress {
            trainee: t.to_string(),
            attempts,
        })
        .collect()
}

#[derive(Default)]
struct PointAcc {
    title: String,
    order: usize,
    client_line: String,
    prompt: String,
    reached: usize,
    mistakes: usize,
    votes: u32,
    options: BTreeMap<(usize, String), OptAcc>,
}

#[derive(Default)]
struct OptAcc {
    chosen: usize,
    mistakes: usize,
    better: BTreeMap<String, usize>,
    votes: u32,
}

pub(super) fn choice_points(r: &Report) -> Vec<ChoicePoint> {
    let titles = titles(r);
    let mut points: BTreeMap<(&str, &str), PointAcc> = BTreeMap::new();
    let mut first_seen = 0usize;
    for a in &r.attempts {
        let info = r.scenarios.get(&a.scenario_id);
        let votes: Option<&Vec<crate::core::group::GroupTurn>> = a
            .group
            .as_ref()
            .filter(|g| g.mode == GroupMode::ClassVote)
            .map(|g| &g.turns);
        for (i, m) in a.moves.iter().enumerate().skip(a.replayed) {
            let p = points.entry((&a.scenario_id, &m.node)).or_insert_with(|| {
                first_seen += 1;
                let node = info.and_then(|s| s.nodes.iter().position(|n| n.id == m.node));
                let mut p = PointAcc {
                    title: titles
                        .get(a.scenario_id.as_str())
                        .copied()
                        .unwrap_or(&a.scenario_id)
                        .to_string(),
                    order: node.unwrap_or(100_000 + first_seen),
                    client_line: m.client_line.clone(),
                    ..PointAcc::default()
                };
                if let (Some(s), Some(n)) = (info, node) {
                    let n = &s.nodes[n];
                    p.prompt.clone_from(&n.prompt);
                    for (k, text) in n.options.iter().enumerate() {
                        p.options.entry((k, text.clone())).or_default();
                    }
                }
                p
            });
            p.reached += 1;
            let o = p.options.entry((m.option, m.text.clone())).or_default();
            o.chosen += 1;
            if m.is_mistake() {
                p.mistakes += 1;
                o.mistakes += 1;
                if let Some(b) = &m.better {
                    *o.better.entry(b.clone()).or_default() += 1;
                }
            }
            for v in votes.and_then(|t| t.get(i)).map_or(&[][..], |t| &t.votes) {
                // Saturating: many records together could pass u32.
                p.votes = p.votes.saturating_add(v.votes);
                let o = p.options.entry((v.option, v.text.clone())).or_default();
                o.votes = o.votes.saturating_add(v.votes);
            }
        }
    }
    let mut out: Vec<ChoicePoint> = points
        .into_iter()
        .map(|((id, node), p)| {
            let mut options: Vec<OptionStat> = p
                .options
                .into_iter()
                .map(|((option, text), o)| {
                    let mut better: Vec<(String, usize)> = o.better.into_iter().collect();
                    better.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    OptionStat {
                        option,
                        text,
                        chosen: o.chosen,
                        mistakes: o.mistakes,
                        better,
                        votes: o.votes,
                    }
                })
                .collect();
            options.sort_by(|a, b| {
                (b.chosen, b.votes)
                    .cmp(&(a.chosen, a.votes))
                    .then_with(|| a.option.cmp(&b.option))
            });
            ChoicePoint {
                scenario_id: id.to_string(),
                scenario_title: p.title,
                node: node.to_string(),
                order: p.order,
                client_line: p.client_line,
                prompt: p.prompt,
                reached: p.reached,
                mistakes: p.mistakes,
                votes: p.votes,
                options,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.scenario_title, &a.scenario_id)
            .cmp(&(&b.scenario_title, &b.scenario_id))
            .then_with(|| b.mistakes.cmp(&a.mistakes))
            .then_with(|| b.reached.cmp(&a.reached))
            .then_with(|| a.order.cmp(&b.order))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_interpolate() {
        let v = [10.0, 20.0, 30.0, 40.0];
        assert!((quantile(&v, 0.5) - 25.0).abs() < 1e-9);
        assert!((quantile(&v, 0.25) - 17.5).abs() < 1e-9);
        assert!((quantile(&v, 1.0) - 40.0).abs() < 1e-9);
        assert!((quantile(&[7.0], 0.75) - 7.0).abs() < 1e-9);
        assert!(quantile(&[], 0.5).abs() < 1e-9);
    }
}

/// One trainee's share of a hot seat session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatCredit<'a> {
    pub who: &'a str,
    /// Moves made.
    pub moves: usize,
    /// The points those moves earned (all three dimensions).
    pub points: i32,
    /// Moves the rubric saw no better option for.
    pub best: usize,
    /// Moves the rubric counted serious errors.
    pub serious: usize,
    /// Times passed over without a move.
    pub skipped: usize,
}

/// Each trainee's moves in a hot seat session, in roster order (then anyone
/// credited who is no longer on it): a turn is matched to the move at the
/// same index.
pub fn seat_credits(a: &Attempt) -> Vec<SeatCredit<'_>> {
    let Some(g) = a.group.as_ref().filter(|g| g.mode == GroupMode::HotSeat) else {
        return Vec::new();
    };
    let mut out: Vec<SeatCredit<'_>> = Vec::new();
    for n in &g.roster {
        seat(&mut out, n);
    }
    for (t, m) in g.turns.iter().zip(&a.moves) {
        if let Some(by) = &t.by {
            let i = seat(&mut out, by);
            let c = &mut out[i];
            c.moves += 1;
            c.points += m.points;
            c.best += usize::from(m.is_best());
            c.serious += usize::from(m.critical);
        }
    }
    for s in &g.skips {
        let i = seat(&mut out, &s.who);
        out[i].skipped += 1;
    }
    out
}

/// The index of `who`'s line, made if there is none yet.
fn seat<'a>(out: &mut Vec<SeatCredit<'a>>, who: &'a str) -> usize {
    out.iter().position(|c| c.who == who).unwrap_or_else(|| {
        out.push(SeatCredit {
            who,
            moves: 0,
            points: 0,
            best: 0,
            serious: 0,
            skipped: 0,
        });
        out.len() - 1
    })
}

/// One device's votes in a class vote on the students' devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLine<'a> {
    /// The pseudonym (already replaced when anonymizing).
    pub pseudonym: &'a str,
    pub named: bool,
    /// Per turn of the session: the 1-based shown position voted, if any.
    pub choices: Vec<Option<usize>>,
    /// A personal score line, for a student who gave a name.
    pub score: Option<StudentScore>,
}

/// A named student's votes against the rubric, at the points they voted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StudentScore {
    /// Choice points voted (votes that name no turn or option not counted).
    pub voted: usize,
    /// Votes for the best option there (any of equals).
    pub best: usize,
    /// Votes for a serious error.
    pub serious: usize,
    /// The points of the options voted for.
    pub points: i32,
    /// The points of the best option at the same points.
    pub best_points: i32,
    /// Votes for the option the class played.
    pub with_class: usize,
}

/// Each device's votes in a class vote, in the record's order, matched to
/// the turns (`point` is the 1-based turn, `option` the 1-based position
/// in that turn's votes); a vote naming no such turn or option is left out.
pub fn device_lines(a: &Attempt) -> Vec<DeviceLine<'_>> {
    let Some(g) = a.group.as_ref().filter(|g| g.mode == GroupMode::ClassVote) else {
        return Vec::new();
    };
    g.devices
        .iter()
        .map(|d| {
            let mut choices = vec![None; g.turns.len()];
            let mut score = StudentScore::default();
            for v in &d.votes {
                let Some(k) = (v.point as usize).checked_sub(1) else {
                    continue;
                };
                let Some(turn) = g.turns.get(k) else {
                    continue;
                };
                let Some(chosen) = v.option.checked_sub(1).and_then(|i| turn.votes.get(i)) else {
                    continue;
                };
                choices[k] = Some(v.option);
                let Some(best) = turn
                    .votes
                    .iter()
                    .map(super::super::group::OptionVotes::rank)
                    .max()
                else {
                    continue;
                };
                score.voted += 1;
                score.best += usize::from(chosen.rank() == best);
                score.serious += usize::from(chosen.critical);
                score.points += chosen.points;
                score.best_points += best.1;
                score.with_class += usize::from(
                    a.moves
                        .get(k)
                        .is_some_and(|m| m.option == chosen.option && m.text == chosen.text),
                );
            }
            DeviceLine {
                pseudonym: &d.pseudonym,
                named: d.named,
                choices,
                score: d.named.then_some(score),
            }
        })
        .collect()
}
