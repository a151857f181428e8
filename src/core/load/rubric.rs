//! Every semantic check on a parsed rubric: ids, texts, the dimensions a
//! rule may change, the tasks' principles.

use super::index::{Source, Step};
use super::scenario::join;
use crate::core::diagnostic::{Code, Diagnostic};
use crate::core::rubric::{Dimension, Guidance};
use std::collections::HashSet;

use Step::{Field as F, Item as I};

pub(super) fn check_guidance(g: &Guidance, src: &Source<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
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
                if v != 0 && !p.dimensions.contains(&d) {
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
    }
    src.finish(out)
}
