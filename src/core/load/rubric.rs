//! Every semantic check on a parsed rubric: ids, texts, the dimensions a
//! rule may change, the tasks' principles, and the range of every number
//! (so that scoring arithmetic never meets a value it cannot hold).

use super::index::{Source, Step};
use super::scenario::{check_condition_bounds, check_range, join};
use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::rubric::{CourseRule, Dimension, Guidance};
use std::collections::HashSet;

use Step::{Field as F, Item as I};

/// A change to a score or to the client's state: a dimension or a state
/// value runs from 0 to 100, so a change beyond ±100 means nothing more.
const DELTA: std::ops::RangeInclusive<i64> = -100..=100;
/// Where a score starts, and the cap after a serious error.
const SCORE: std::ops::RangeInclusive<i64> = 0..=100;
/// Counts of exploratory moves, and percentages of the session's minutes
/// (past 100 when a session runs over time).
const COUNT: std::ops::RangeInclusive<i64> = 0..=1000;

pub(super) fn check_guidance(g: &Guidance, src: &Source<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, v) in [
        ("base", g.scoring.base),
        ("critical_cap", g.scoring.critical_cap),
        ("min_stake", g.scoring.min_stake),
    ] {
        check_range(
            src,
            &mut out,
            &[F("scoring"), F(key)],
            i64::from(v),
            SCORE,
            &format!("the scoring's {key}"),
        );
    }
    let mut ids = HashSet::new();
    for (i, p) in g.principles.iter().enumerate() {
        let at = [F("principles"), I(i)];
        if !ids.insert(p.id.as_str()) {
            out.push(
                src.at(
                    Code::E004,
                    &join(&at, &[F("id")]),
                    format!("principle id `{}` is used twice", p.id),
                )
                .with_hint("give each principle its own id"),
            );
        }
        for (what, text) in [
            ("name", &p.name),
            ("statement", &p.statement),
            ("source", &p.source),
        ] {
            if text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&at, &[F(what)]),
                        format!("principle `{}` has an empty {what}", p.id),
                    )
                    .with_hint("every principle needs a name, a statement and its source article"),
                );
            }
        }
        for (j, r) in p.rules.iter().enumerate() {
            let rule = join(&at, &[F("rules"), I(j)]);
            for d in Dimension::ALL {
                let key = match d {
                    Dimension::Rapport => "rapport",
                    Dimension::Pacing => "pacing",
                    Dimension::Focus => "focus",
                };
                let v = r.score.get(d);
                if !DELTA.contains(&i64::from(v)) {
                    check_range(
                        src,
                        &mut out,
                        &join(&rule, &[F("score"), F(key)]),
                        i64::from(v),
                        DELTA,
                        &format!("a rule's change to {key}"),
                    );
                } else if v != 0 && !p.dimensions.contains(&d) {
                    out.push(
                        src.at(
                            Code::E014,
                            &join(&rule, &[F("score"), F(key)]),
                            format!(
                                "a rule of `{}` changes {} but the principle does not feed that dimension",
                                p.id,
                                d.label()
                            ),
                        )
                        .with_hint("add the dimension to `dimensions`, or drop the score change"),
                    );
                }
            }
            for (key, v) in [
                ("trust", r.client.trust),
                ("distress", r.client.distress),
                ("openness", r.client.openness),
            ] {
                if !DELTA.contains(&i64::from(v)) {
                    check_range(
                        src,
                        &mut out,
                        &join(&rule, &[F("client"), F(key)]),
                        i64::from(v),
                        DELTA,
                        &format!("a rule's change to the client's {key}"),
                    );
                }
            }
            check_rule_condition(src, &mut out, &join(&rule, &[F("when")]), &r.when, g);
            if r.feedback.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&rule, &[F("feedback")]),
                        format!("a rule of `{}` has no feedback", p.id),
                    )
                    .with_hint("say in a sentence why the rule fires"),
                );
            }
        }
    }
    for (k, t) in g.tasks.iter().enumerate() {
        let at = [F("tasks"), I(k)];
        if g.principle(&t.principle).is_none() {
            out.push(
                src.at(
                    Code::E014,
                    &join(&at, &[F("principle")]),
                    format!(
                        "task `{}` credits unknown principle `{}`",
                        t.id, t.principle
                    ),
                )
                .with_hint("name a principle id from this file"),
            );
        }
        if t.moves.is_empty() {
            out.push(
                src.at(
                    Code::E014,
                    &join(&at, &[F("moves")]),
                    format!("task `{}` lists no moves that cover it", t.id),
                )
                .with_hint("add `moves: [...]`"),
            );
        }
        check_rule_condition(src, &mut out, &join(&at, &[F("when")]), &t.when, g);
        for (key, v) in [("reward", t.reward), ("penalty", t.penalty)] {
            if !DELTA.contains(&i64::from(v)) {
                check_range(
                    src,
                    &mut out,
                    &join(&at, &[F(key)]),
                    i64::from(v),
                    DELTA,
                    &format!("task `{}`'s {key}", t.id),
                );
            }
        }
    }
    for (k, c) in g.course.iter().enumerate() {
        let at = [F("course"), I(k)];
        if g.principle(&c.principle).is_none() {
            out.push(
                src.at(
                    Code::E014,
                    &join(&at, &[F("principle")]),
                    format!(
                        "course check `{}` credits unknown principle `{}`",
                        c.id, c.principle
                    ),
                )
                .with_hint("name a principle id from this file"),
            );
        }
        let tasks: &[String] = match &c.rule {
            CourseRule::PhaseTasksDone(_) => &[],
            CourseRule::BeforeLastSession(tasks) => tasks,
            CourseRule::FollowedUp { set, .. } => set,
        };
        for t in tasks {
            if !g.tasks.iter().any(|task| &task.id == t) {
                out.push(
                    src.at(
                        Code::E014,
                        &join(&at, &[F("rule")]),
                        format!("course check `{}` names unknown task `{t}`", c.id),
                    )
                    .with_hint("name a task id from this file's `tasks`"),
                );
            }
        }
        if !(0..=*DELTA.end()).contains(&i64::from(c.penalty)) {
            check_range(
                src,
                &mut out,
                &join(&at, &[F("penalty")]),
                i64::from(c.penalty),
                0..=*DELTA.end(),
                &format!("course check `{}`'s penalty", c.id),
            );
        }
        for (key, text) in [("met", &c.met), ("missed", &c.missed)] {
            if text.trim().is_empty() {
                out.push(
                    src.at(
                        Code::E010,
                        &join(&at, &[F(key)]),
                        format!("course check `{}` has no `{key}` text", c.id),
                    )
                    .with_hint("say in a sentence why the check matters"),
                );
            }
        }
    }
    src.finish(out)
}

/// The numbers of a rule's (or a task's) condition, and the tasks it names.
fn check_rule_condition(
    src: &Source<'_>,
    out: &mut Vec<Diagnostic>,
    when: &[Step<'_>],
    w: &crate::core::rubric::RuleCondition,
    g: &Guidance,
) {
    check_condition_bounds(src, out, &join(when, &[F("client")]), &w.client);
    let count = "a count of moves";
    let percent = "a percentage of the session's minutes";
    let minute = "a minute of the session";
    for (key, v, what) in [
        (
            "max_explored",
            w.max_explored,
            "a count of exploratory moves",
        ),
        (
            "min_explored",
            w.min_explored,
            "a count of exploratory moves",
        ),
        ("min_elapsed_percent", w.min_elapsed_percent, percent),
        ("max_elapsed_percent", w.max_elapsed_percent, percent),
        ("min_minute", w.min_minute, minute),
        ("max_minute", w.max_minute, minute),
        ("min_topic_run", w.min_topic_run, count),
        ("max_topic_run", w.max_topic_run, count),
        ("min_move_run", w.min_move_run, count),
        ("max_move_run", w.max_move_run, count),
    ] {
        if let Some(v) = v
            && !COUNT.contains(&i64::from(v))
        {
            check_range(src, out, &join(when, &[F(key)]), i64::from(v), COUNT, what);
        }
    }
    for (key, list) in [
        ("tasks_done", &w.tasks_done),
        ("tasks_not_done", &w.tasks_not_done),
    ] {
        for (n, id) in list.iter().enumerate() {
            if g.tasks.iter().any(|t| t.id == *id) {
                continue;
            }
            let hint =
                match crate::core::diagnostic::suggest(id, g.tasks.iter().map(|t| t.id.as_str())) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "name a task id from this file's `tasks`".to_string(),
                };
            out.push(
                src.at(
                    Code::E014,
                    &join(when, &[F(key), I(n)]),
                    format!("the condition names the task `{id}`, which this rubric does not have"),
                )
                .with_hint(hint),
            );
        }
    }
}
