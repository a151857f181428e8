//! Text rendering of diagnostics, sessions and debriefs for the terminal.
//! The same text is what walkthrough files hold. What comes from a file is
//! printed through [`escape_controls`] (the CLI applies it to whole
//! outputs; the diagnostic renderer to each part).

use crate::core::debrief::Debrief;
use crate::core::diagnostic::{Diagnostic, Severity, Span};
use crate::core::model::ClientState;
use crate::core::session::{Event, Prompt};
use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

/// Whether `c` could change what a terminal does (escape, OSC, bell,
/// carriage return, any other C0 or C1 control, DEL), so that it must be
/// shown escaped; newline and tab are text.
fn is_hostile(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `text` with every control character but newline and tab written out as
/// `\u{1b}`, so that a scenario cannot move the cursor, retitle the window
/// or hide text. Everything the CLI prints from a file goes through here.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with DEL and C1 controls (which JSON allows raw in a string,
/// and `serde_json` leaves so) written as `\u009b`; C0 ones it escapes itself.
pub fn escape_json_controls(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_hostile) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A line no longer than this (in characters) is shown whole.
const WHOLE_LINE: usize = 150;
/// A longer line is shown as a window of about this many characters
/// around the span, cut with `…`.
const WINDOW: usize = 120;
/// Of which at most this many before the span.
const BEFORE: usize = 40;

/// What is shown of the line of a span: the text (escaped) and where the
/// span is in it.
struct Excerpt {
    text: String,
    span: Range<usize>,
}

/// The excerpt of the line of `span` in `source`: the whole line if it is
/// short, else a window around the span. It reads at most a few hundred
/// characters of the source, however long the line, so that many
/// diagnostics on one long line cost no more than as many short ones.
fn excerpt(source: &str, span: Span) -> Option<Excerpt> {
    let start = span.start;
    if start > source.len() || !source.is_char_boundary(start) {
        return None;
    }
    // Back to the line's start, or as far as a whole line may reach.
    let mut before: Vec<char> = source[..start]
        .chars()
        .rev()
        .take_while(|&c| c != '\n')
        .take(WHOLE_LINE + 1)
        .collect();
    before.reverse();
    // The span, up to the end of its line, and no further than a whole
    // line may reach (in bytes: four per character at most).
    let mut end = span
        .end
        .clamp(start, source.len())
        .min(start + 4 * (WHOLE_LINE + 1));
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let inside = source
        .get(start..end)
        .unwrap_or_default()
        .split('\n')
        .next()
        .unwrap_or_default();
    let marked: Vec<char> = inside.chars().take(WHOLE_LINE + 1).collect();
    let after: Vec<char> = source[start + inside.len()..]
        .chars()
        .take_while(|&c| c != '\n')
        .take(WHOLE_LINE + 1)
        .collect();
    let mut after = after.as_slice();
    if after.last() == Some(&'\r') {
        after = &after[..after.len() - 1];
    }
    let whole = before.len() + marked.len() + after.len() <= WHOLE_LINE;
    let (shown_before, shown_marked, shown_after) = if whole {
        (before.as_slice(), marked.as_slice(), after)
    } else {
        let b = before.len().min(BEFORE);
        let m = marked.len().min(WINDOW - b - 10);
        let a = after.len().min(WINDOW - b - m);
        // What a short tail leaves goes before the span.
        let b = before.len().min(WINDOW - m - a).max(b);
        (
            &before[before.len() - b..],
            &marked[..m],
            if m < marked.len() {
                &[][..]
            } else {
                &after[..a]
            },
        )
    };
    let mut text = String::new();
    let push = |text: &mut String, cs: &[char]| {
        for &c in cs {
            if is_hostile(c) {
                let _ = write!(text, "\\u{{{:x}}}", u32::from(c));
            } else {
                text.push(c);
            }
        }
    };
    if shown_before.len() < before.len() {
        text.push('…');
    }
    push(&mut text, shown_before);
    let from = text.len();
    push(&mut text, shown_marked);
    let to = text.len();
    push(&mut text, shown_after);
    let cut_marked = shown_marked.len() < marked.len();
    if cut_marked || shown_after.len() < after.len() {
        text.push('…');
    }
    Some(Excerpt {
        text,
        span: from..to,
    })
}

/// A diagnostic the way a compiler shows it, with annotate-snippets: the
/// header, the place, the line (or a window of a long line) with a marker
/// under the span, and the hint. `source` is the file's text, if it is at
/// hand; without it, the place is named but not shown.
pub fn diagnostic(d: &Diagnostic, source: Option<&str>) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // A message and a hint are one line each, whatever the file holds.
    let one_line = |t: &str| escape_controls(t).replace('\n', "\\n");
    let message = one_line(&d.message);
    let path = one_line(&d.file.display().to_string());
    let hint = d.hint.as_deref().map(one_line);
    let shown = match (d.position, d.span, source) {
        (Some(p), Some(span), Some(text)) => excerpt(text, span).map(|e| (p, e)),
        _ => None,
    };
    let title = level.primary_title(message.as_str()).id(d.code.as_str());
    // The excerpt is given without its path: annotate-snippets would count
    // the column within the excerpt (a window of the line, with escapes),
    // so the place line is written below from the position.
    let mut group = if let Some((p, e)) = &shown {
        title.element(
            Snippet::source(e.text.as_str())
                .line_start(p.line)
                .annotation(AnnotationKind::Primary.span(e.span.clone())),
        )
    } else {
        let mut origin = Origin::path(path.as_str());
        if let Some(p) = d.position {
            origin = origin.line(p.line).char_column(p.column);
        }
        title.element(origin)
    };
    if let Some(h) = &hint {
        group = group.element(Level::HELP.with_name("hint").message(h.as_str()));
    }
    let mut out = Renderer::plain()
        .term_width(WHOLE_LINE + 40)
        .render(&[group]);
    if let Some((p, _)) = &shown {
        let pad = " ".repeat(p.line.to_string().len());
        let at = out.find('\n').map_or(out.len(), |i| i + 1);
        out.insert_str(at, &format!("{pad}--> {path}:{}:{}\n", p.line, p.column));
    }
    out.push('\n');
    out
}

fn state(s: &ClientState) -> String {
    format!(
        "trust {}, distress {}, openness {}",
        s.trust, s.distress, s.openness
    )
}

fn signed(v: i32) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

/// What the client says and the options, numbered.
pub fn prompt(name: &str, p: &Prompt) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{name}: {}", p.client_line);
    for d in &p.disclosures {
        let _ = writeln!(out, "{name} (opening up): {d}");
    }
    for (i, o) in p.options.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, o.text);
    }
    out
}

/// The rubric's view of a move, for coach-style output after each choice.
pub fn events(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        match e {
            Event::Assessed { fired, .. } => {
                for f in fired {
                    let _ = writeln!(
                        out,
                        "    [{}] {}{}",
                        f.principle_name,
                        f.feedback,
                        score_suffix(&f.score)
                    );
                }
            }
            Event::StateChanged { before, after } => {
                let _ = writeln!(out, "    client: {} -> {}", state(before), state(after));
            }
            Event::ClientSpoke(_) | Event::Ended { .. } => {}
        }
    }
    out
}

fn score_suffix(s: &crate::core::rubric::ScoreDelta) -> String {
    let parts: Vec<String> = [
        ("rapport", s.rapport),
        ("pacing", s.pacing),
        ("focus", s.focus),
    ]
    .iter()
    .filter(|(_, v)| *v != 0)
    .map(|(n, v)| format!("{n} {}", signed(*v)))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The whole debrief as text: scores, each explained, then every turn.
pub fn debrief(d: &Debrief, client_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== Debrief: {} ==", d.title);
    if let Some(e) = &d.ending {
        let _ = writeln!(out, "Ending: {} ({:?})", e.title, e.outcome);
        let _ = writeln!(out, "  {}", e.text);
    } else {
        let _ = writeln!(out, "The session was stopped before an ending.");
    }
    let _ = writeln!(
        out,
        "Time: {} of {} minutes",
        d.minutes_used, d.minutes_planned
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Overall {}  (rapport {}, pacing {}, focus {})",
        d.scores.overall, d.scores.rapport, d.scores.pacing, d.scores.focus
    );
    for c in &d.critical {
        let _ = writeln!(
            out,
            "  SERIOUS ERROR (overall capped at {}): {c}",
            d.critical_cap
        );
    }
    let against = d.model == crate::core::rubric::ScoringModel::AgainstOptions;
    for dim in &d.dimensions {
        if against {
            let _ = writeln!(
                out,
                "{} {}: you kept {} of the {} points your choices put at stake",
                dim.dimension.label(),
                dim.score,
                dim.earned,
                dim.stake
            );
            for l in dim.losses.iter().take(3) {
                let at = l
                    .turn
                    .map_or_else(|| "at the end".to_string(), |t| format!("turn {t}"));
                if l.instead.is_empty() {
                    let _ = writeln!(
                        out,
                        "  {:>4}  {at}: {}",
                        signed(l.points.saturating_neg()),
                        l.reason
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "  {:>4}  {at}: \"{}\" - {}",
                        signed(l.points.saturating_neg()),
                        l.instead,
                        l.reason
                    );
                }
            }
            if dim.losses.len() > 3 {
                // Saturating: the debrief may come from a record someone else wrote.
                let rest = dim.losses[3..]
                    .iter()
                    .fold(0i32, |sum, l| sum.saturating_add(l.points));
                let _ = writeln!(
                    out,
                    "  {:>4}  {} more, smaller",
                    signed(rest.saturating_neg()),
                    dim.losses.len() - 3
                );
            }
            let _ = writeln!(out, "  What the moves earned and cost, by principle:");
        } else {
            let _ = writeln!(
                out,
                "{} {} (starts at {}):",
                dim.dimension.label(),
                dim.score,
                d.base
            );
        }
        if dim.contributions.is_empty() {
            let _ = writeln!(out, "  no principle moved it");
        }
        for c in &dim.contributions {
            let _ = writeln!(
                out,
                "  {:>4}  {} (x{}) - {}",
                signed(c.points),
                c.principle_name,
                c.times,
                c.source
            );
        }
    }
    if !d.tasks.is_empty() {
        let _ = writeln!(out, "Session tasks:");
        for t in &d.tasks {
            let _ = writeln!(out, "  [{}] {}", if t.done { "x" } else { " " }, t.name);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Turn by turn:");
    for t in &d.turns {
        let _ = writeln!(
            out,
            "{}. [{} min] {client_name}: {}",
            t.number, t.clock, t.client_line
        );
        for dis in &t.disclosures {
            let _ = writeln!(out, "   {client_name} (opening up): {dis}");
        }
        let _ = writeln!(
            out,
            "   You ({}, about {}): {}",
            t.kind.label(),
            t.topic.label(),
            t.text
        );
        if let Some(e) = t.cue.emotion {
            let _ = writeln!(out, "     (the client showed {})", e.label());
        }
        for f in &t.fired {
            let _ = writeln!(
                out,
                "     {} {}{}{}",
                if f.score.total() >= 0 { "+" } else { "-" },
                f.feedback,
                score_suffix(&f.score),
                if f.withheld.is_zero() {
                    String::new()
                } else {
                    format!(" [withheld:{}]", score_suffix(&f.withheld))
                }
            );
        }
        if !t.author_feedback.is_empty() {
            let _ = writeln!(out, "     note: {}", t.author_feedback);
        }
        if let Some(b) = &t.better {
            let _ = writeln!(
                out,
                "     better: \"{}\" ({}){}",
                b.text,
                b.kind.label(),
                if b.why.is_empty() {
                    String::new()
                } else {
                    format!(" - {}", b.why)
                }
            );
        }
        if against && !t.points.stake.is_zero() {
            let p = &t.points;
            let _ = writeln!(
                out,
                "     kept: rapport {}/{}, pacing {}/{}, focus {}/{}",
                p.earned.rapport,
                p.stake.rapport,
                p.earned.pacing,
                p.stake.pacing,
                p.earned.focus,
                p.stake.focus
            );
        }
        let _ = writeln!(
            out,
            "     client: {} | scores: rapport {}, pacing {}, focus {}",
            state(&t.after),
            t.scores.rapport,
            t.scores.pacing,
            t.scores.focus
        );
    }
    if !d.session_end.is_empty() {
        let _ = writeln!(out, "At the end of the session:");
        for f in &d.session_end {
            let _ = writeln!(out, "  - {}{}", f.feedback, score_suffix(&f.score));
        }
    }
    out
}

/// A route's moves in one line: `opening 2 → loss 1 → ...` (node and the
/// option's number in the file).
fn route_line(steps: &[crate::core::analysis::Step]) -> String {
    steps
        .iter()
        .map(|s| format!("{} {}", s.node, s.option))
        .collect::<Vec<_>>()
        .join(" → ")
}

fn route_scores(r: &crate::core::analysis::Route) -> String {
    format!(
        "rapport {}, pacing {}, focus {}, overall {}{} → ending `{}`",
        r.scores.rapport,
        r.scores.pacing,
        r.scores.focus,
        r.scores.overall,
        if r.critical {
            " (capped: a serious error)"
        } else {
            ""
        },
        r.ending
    )
}

/// What `ipt-trainer analyze` prints.
pub fn analysis(a: &crate::core::analysis::Analysis, file: &std::path::Path) -> String {
    use crate::core::analysis::Objective;
    let mut out = String::new();
    let _ = writeln!(out, "Analysis of `{}` ({})", a.scenario, file.display());
    let _ = writeln!(
        out,
        "Searched {} distinct points (node × the client's state, memory, moves used, tasks and clock).",
        crate::core::analysis::group_digits(a.states as u128)
    );
    if a.exact {
        let _ = writeln!(out, "Exact: every route was accounted for.\n");
    } else {
        let _ = writeln!(
            out,
            "APPROXIMATE: the scenario is too big to tell every client state apart, so states whose \
             trust, distress, openness and clock sit between the same thresholds were merged. \
             The answers can be several points off (--max-states raises the limit; --exact refuses to approximate).\n"
        );
    }

    let total_nodes = a.reachable_nodes.len() + a.unreachable_nodes.len();
    let _ = writeln!(
        out,
        "Nodes: {} of {total_nodes} reachable",
        a.reachable_nodes.len()
    );
    if !a.unreachable_nodes.is_empty() {
        let _ = writeln!(
            out,
            "  never reached: {}",
            a.unreachable_nodes
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let reachable = a.endings.iter().filter(|e| e.reachable).count();
    let _ = writeln!(out, "Endings: {reachable} of {} reachable", a.endings.len());
    for e in &a.endings {
        let _ = writeln!(
            out,
            "  {} {:<8} `{}`: {}{}",
            if e.reachable { "✓" } else { "✗" },
            format!("{:?}", e.outcome).to_lowercase(),
            e.id,
            e.title,
            if e.reachable { "" } else { " (never reached)" }
        );
    }

    if a.dead_ends.is_empty() {
        let _ = writeln!(
            out,
            "Dead ends: none (every point can still reach an ending)"
        );
    } else {
        let _ = writeln!(out, "Dead ends: {}", a.dead_ends.len());
        for d in &a.dead_ends {
            let what = if d.no_options {
                "no option is open"
            } else {
                "no open option leads on to an ending"
            };
            let _ = writeln!(
                out,
                "  at `{}` with {}: {what}\n    reached by: {}",
                d.node,
                state(&d.state),
                if d.route.is_empty() {
                    "the start".to_string()
                } else {
                    route_line(&d.route)
                }
            );
        }
    }

    let _ = writeln!(out, "Distinct routes to an ending: {}", a.paths);

    let unlockable = a.disclosures.iter().filter(|d| d.unlockable).count();
    let _ = writeln!(
        out,
        "Disclosures: {unlockable} of {} can be unlocked",
        a.disclosures.len()
    );
    for d in a.disclosures.iter().filter(|d| !d.unlockable) {
        let _ = writeln!(
            out,
            "  never: `{}` at `{}` (needs {})",
            d.id, d.node, d.needs
        );
    }

    if a.extremes.is_empty() {
        let _ = writeln!(
            out,
            "\nNo route reaches an ending, so there are no scores to show."
        );
        return out;
    }
    let _ = writeln!(out, "\nAchievable scores      worst   best");
    for x in &a.extremes {
        let pick = |r: &crate::core::analysis::Route| match x.objective {
            Objective::Rapport => r.scores.rapport,
            Objective::Pacing => r.scores.pacing,
            Objective::Focus => r.scores.focus,
            Objective::Overall => r.scores.overall,
        };
        let _ = writeln!(
            out,
            "  {:<18} {:>7} {:>6}",
            x.objective.label(),
            pick(&x.worst),
            pick(&x.best)
        );
    }
    for x in &a.extremes {
        if x.objective == Objective::Overall {
            for (label, r) in [("Best", &x.best), ("Worst", &x.worst)] {
                let _ = writeln!(out, "\n{label} route overall: {}", route_scores(r));
                for (i, s) in r.steps.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  {:>2}. {} option {}: \"{}\" ({})",
                        i + 1,
                        s.node,
                        s.option,
                        s.text,
                        s.kind.label()
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\nRoutes for each dimension (node and option number in the file):"
    );
    for x in a
        .extremes
        .iter()
        .filter(|x| x.objective != Objective::Overall)
    {
        for (label, r) in [("best", &x.best), ("worst", &x.worst)] {
            let _ = writeln!(
                out,
                "  {} {label}: {}\n    {}",
                x.objective.label(),
                route_scores(r),
                route_line(&r.steps)
            );
        }
    }
    if a.loops {
        let _ = writeln!(
            out,
            "\nThe conversation can return to a point it has passed. The scores above come from routes found \
             without going round; some routes through the loop may be missed, and going round may change \
             a score without end."
        );
    }
    let _ = writeln!(
        out,
        "\nOverall: the routes with the most and the fewest points over all three dimensions (the best avoids \
         a serious error if it can, the worst makes one). Where a dimension is held at 0 or 100, another \
         route's overall score can differ by a point or two."
    );
    let _ = writeln!(
        out,
        "\nThe client is modelled without the ±1 mood drift a seed adds, so a route close to a threshold can play out a little differently."
    );
    out
}

/// `ipt-trainer rubric`'s tables: one row per move kind, one column per
/// context, each cell the move's points over the three dimensions (`!`
/// harmful there, `!!` a serious error); the contexts listed first.
pub fn rubric_tables(
    g: &crate::core::rubric::Guidance,
    tables: &[crate::core::inspect::Table],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Rubric {} ({:?} scoring): a move's points over rapport, pacing and focus in each context",
        escape_controls(&g.version),
        g.scoring.model
    );
    let _ = writeln!(
        out,
        "(! harmful there: it earns nothing else in its turn; !! a serious error; --format json or --html FILE for every number)"
    );
    let Some(first) = tables.first() else {
        return out;
    };
    let _ = writeln!(out, "\nContexts:");
    for (i, c) in first.contexts.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}  {} ({}, trust {}, distress {}, minute {})",
            i + 1,
            c.name,
            c.phase.label(),
            c.state.trust,
            c.state.distress,
            c.minute
        );
    }
    for t in tables {
        let _ = writeln!(out, "\n{}, about {}:", t.area.label(), t.topic.label());
        let _ = write!(out, "  {:<32}", "move");
        for i in 0..t.contexts.len() {
            let _ = write!(out, "{:>6}", i + 1);
        }
        let _ = writeln!(out);
        for r in &t.rows {
            let _ = write!(out, "  {:<32}", r.kind.label());
            for c in &r.cells {
                let mark = if c.critical {
                    "!!"
                } else if c.harm {
                    "!"
                } else {
                    ""
                };
                let _ = write!(out, "{:>6}", format!("{}{mark}", signed(c.score.total())));
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// `lint`'s note on drills: the principles with fewer drillable choice
/// points than wanted across the scenarios checked (nothing if none).
pub fn drill_coverage(coverage: &[(String, usize)]) -> String {
    let wanted = crate::core::drill::WANTED_PER_PRINCIPLE;
    let short: Vec<String> = coverage
        .iter()
        .filter(|(_, n)| *n < wanted)
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    if short.is_empty() {
        return String::new();
    }
    format!(
        "note: drills: fewer than {wanted} choice points in these scenarios test {} (write more where {} decides the best move): {}\n",
        if short.len() == 1 {
            "this principle"
        } else {
            "these principles"
        },
        if short.len() == 1 { "it" } else { "one" },
        short.join(", ")
    )
}
