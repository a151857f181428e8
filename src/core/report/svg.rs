//! The report's charts as inline SVG, built with `maud` like the page (so
//! every text is escaped): box plots of the scores, each trainee's overall
//! score over time, and bars for shares. Each chart has a title and a
//! description for screen readers, and the page shows a table beside it.
//!
//! Drawn by hand: a plotting crate (`plotters`, `charts-rs`) would bring
//! fonts and its own styles for three simple shapes, and none writes the
//! `<title>`/`<desc>` a screen reader needs on every chart.

use super::aggregate::{Distribution, Progress};
use super::html::{Text, num, who};
use super::{Report, iso_date};
use maud::{Markup, html};
use std::fmt;

/// Okabe–Ito colours (distinguishable with colour-blindness), one per score.
pub(super) const COLOURS: [&str; 4] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];

/// The colour of a mistake and of the pass mark.
pub(super) const BAD: &str = "#a4001d";

/// Grid lines: 3.4:1 on white (WCAG's 3:1 for graphics), drawn thin.
const GRID: &str = "#8a8a8a";

/// The outlines of boxes, whiskers, dots and the median: the colours fill
/// the marks but never carry their edge (the orange is 2.3:1 on white).
const INK: &str = "#222";

/// The unfilled part of a bar (the filled part stands 3:1 on it).
const TRACK: &str = "#e8e8e8";

/// A coordinate with one decimal.
struct F1(f64);

impl fmt::Display for F1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}", self.0)
    }
}

/// Box plots (with every attempt as a dot, up to 300) of the four scores.
/// `id` makes the ids of its title and description (never user text).
pub(super) fn boxplot(r: &Report, d: &Distribution, id: usize) -> Markup {
    const W: f64 = 960.0;
    const LEFT: f64 = 120.0;
    const RIGHT: f64 = 30.0;
    const TOP: f64 = 16.0;
    const ROW: f64 = 62.0;
    let height = TOP + ROW * d.dims.len() as f64 + 44.0;
    let x = |v: f64| LEFT + v.clamp(0.0, 100.0) / 100.0 * (W - LEFT - RIGHT);
    let bottom = TOP + ROW * d.dims.len() as f64;
    let pass = r.options.pass_mark;
    let medians = d
        .dims
        .iter()
        .map(|s| format!("{} {}", s.label.to_lowercase(), num(s.median)))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        svg viewBox={ "0 0 " (W) " " (height) } width=(W) height=(height) role="img"
            aria-labelledby={ "t" (id) " d" (id) } {
            title id={ "t" (id) } { "Distribution of the scores in " (Text(&d.title)) }
            desc id={ "d" (id) } {
                "Box plots of the scores of " (d.attempts) " attempt" @if d.attempts != 1 { "s" }
                ", each from 0 to 100. Medians: " (medians) "."
                @if let Some(o) = d.dims.iter().find(|s| s.label == "Overall" && !s.values.is_empty()) {
                    " The overall score ranged from " (num(o.min)) " to " (num(o.max))
                    "; the pass mark is " (pass) "."
                }
                " The table beside gives the same figures."
            }
            @for t in (0..=100).step_by(20) {
                @let tx = F1(x(f64::from(t)));
                line x1=(tx) y1=(TOP) x2=(tx) y2=(bottom) stroke=(GRID) stroke-width="1" {}
                text x=(tx) y=(F1(bottom + 22.0)) font-size="16" text-anchor="middle" { (t) }
            }
            @for (row, s) in d.dims.iter().enumerate() {
                @let yc = TOP + ROW * row as f64 + ROW / 2.0;
                @let colour = COLOURS[row % COLOURS.len()];
                text x=(F1(LEFT - 12.0)) y=(F1(yc + 6.0)) font-size="18" text-anchor="end"
                    font-weight="600" { (s.label) }
                @if !s.values.is_empty() {
                    @if s.label == "Overall" {
                        line x1=(F1(x(f64::from(pass)))) y1=(F1(yc - ROW / 2.0 + 2.0))
                            x2=(F1(x(f64::from(pass)))) y2=(F1(yc + ROW / 2.0 - 2.0))
                            stroke=(BAD) stroke-width="2" stroke-dasharray="6 4" {
                            title { "Pass mark " (pass) }
                        }
                    }
                    @let (lo, hi, q1, q3) = (x(s.min), x(s.max), x(s.q1), x(s.q3));
                    @let med = F1(x(s.median));
                    line x1=(F1(lo)) y1=(F1(yc)) x2=(F1(hi)) y2=(F1(yc)) stroke=(INK)
                        stroke-width="2" {}
                    rect x=(F1(q1)) y=(F1(yc - 15.0)) width=(F1((q3 - q1).max(1.0))) height="30"
                        fill=(colour) fill-opacity="0.35" stroke=(INK) stroke-width="2" {}
                    @if s.values.len() <= 300 {
                        @for (k, &(v, i)) in s.values.iter().enumerate() {
                            @let a = &r.attempts[i];
                            @let jitter = ((k * 37) % 23) as f64 - 11.0;
                            circle cx=(F1(x(f64::from(v)))) cy=(F1(yc + jitter)) r="5"
                                fill=(colour) stroke="#111" stroke-width="1" {
                                title {
                                    (Text(who(&a.trainee))) " · " (iso_date(a.finished_at))
                                    ": " (v)
                                }
                            }
                        }
                    }
                    // The median last, over the dots.
                    line x1=(med) y1=(F1(yc - 19.0)) x2=(med) y2=(F1(yc + 19.0)) stroke="#111"
                        stroke-width="5" {
                        title { "Median " (num(s.median)) }
                    }
                }
            }
        }
    }
}

/// A small chart of one trainee's overall score, attempt by attempt.
pub(super) fn sparkline(r: &Report, pr: &Progress, id: usize) -> Markup {
    const W: f64 = 380.0;
    const H: f64 = 200.0;
    const L: f64 = 44.0;
    const R: f64 = 12.0;
    const T: f64 = 12.0;
    const B: f64 = 34.0;
    let n = pr.attempts.len();
    let x = |k: usize| L + (k as f64 + 0.5) / n as f64 * (W - L - R);
    let y = |v: i32| T + (100.0 - f64::from(v.clamp(0, 100))) / 100.0 * (H - T - B);
    let overall = |i: usize| r.attempts[i].scores.overall;
    let first = pr.attempts.first().map_or(0, |&i| overall(i));
    let last = pr.attempts.last().map_or(0, |&i| overall(i));
    let best = pr.attempts.iter().map(|&i| overall(i)).max().unwrap_or(0);
    let pass = r.options.pass_mark;
    let points = pr
        .attempts
        .iter()
        .enumerate()
        .map(|(k, &i)| format!("{:.1},{:.1}", x(k), y(overall(i))))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        svg viewBox={ "0 0 " (W) " " (H) } width=(W) height=(H) role="img"
            aria-labelledby={ "t" (id) " d" (id) } {
            title id={ "t" (id) } {
                "Overall score of " (Text(who(&pr.trainee))) " over " (n) " attempt"
                @if n != 1 { "s" }
            }
            desc id={ "d" (id) } { (trend(first, last, n)) ", best " (best) " out of 100; the pass mark is " (pass) "." }
            @for v in [0, 50, 100] {
                line x1=(L) y1=(F1(y(v))) x2=(W - R) y2=(F1(y(v))) stroke=(GRID) stroke-width="1" {}
                text x=(L - 6.0) y=(F1(y(v) + 5.0)) font-size="15" text-anchor="end" { (v) }
            }
            line x1=(L) y1=(F1(y(pass))) x2=(W - R) y2=(F1(y(pass))) stroke=(BAD)
                stroke-width="1.5" stroke-dasharray="6 4" {
                title { "Pass mark " (pass) }
            }
            text x=(F1(L + (W - L - R) / 2.0)) y=(H - 8.0) font-size="15" text-anchor="middle" {
                "attempts, oldest first"
            }
            @if n > 1 {
                polyline points=(points) fill="none" stroke=(COLOURS[0]) stroke-width="3" {}
            }
            @for (k, &i) in pr.attempts.iter().enumerate() {
                @let a = &r.attempts[i];
                circle cx=(F1(x(k))) cy=(F1(y(a.scores.overall))) r="5" fill=(COLOURS[0])
                    stroke="#111" {
                    title {
                        (iso_date(a.finished_at)) " · " (Text(&a.scenario_title)) ": overall "
                        (a.scores.overall)
                    }
                }
            }
        }
    }
}

/// The change from the first to the latest score in words: "Rose from 35
/// to 62 over 4 attempts".
fn trend(first: i32, last: i32, n: usize) -> String {
    match n {
        0 => "No attempts".to_string(),
        1 => format!("One attempt, overall {first}"),
        _ if last > first => format!("Rose from {first} to {last} over {n} attempts"),
        _ if last < first => format!("Fell from {first} to {last} over {n} attempts"),
        _ => format!("Stayed at {first} from the first to the latest of {n} attempts"),
    }
}

/// A horizontal bar for a share, decorative (the number is beside it).
pub(super) fn bar(share: f64, colour: &str) -> Markup {
    let w = (share.clamp(0.0, 1.0) * 200.0).round();
    html! {
        svg width="200" height="18" viewBox="0 0 200 18" aria-hidden="true" focusable="false" {
            rect x="0" y="2" width="200" height="14" fill=(TRACK) {}
            rect x="0" y="2" width=(w) height="14" fill=(colour) {}
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::{BAD, COLOURS, GRID, INK, TRACK, trend};

    /// WCAG 2 contrast ratio of two `#rgb` / `#rrggbb` colours (as the
    /// app's theme test computes it, for egui's colours).
    pub(in crate::core::report) fn contrast(a: &str, b: &str) -> f64 {
        fn lum(hex: &str) -> f64 {
            let h = hex.trim_start_matches('#');
            let h: String = if h.len() == 3 {
                h.chars().flat_map(|c| [c, c]).collect()
            } else {
                h.to_string()
            };
            let ch = |i: usize| {
                let s = f64::from(u8::from_str_radix(&h[i..i + 2], 16).expect("hex")) / 255.0;
                if s <= 0.040_45 {
                    s / 12.92
                } else {
                    ((s + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4)
        }
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn chart_lines_and_bars_stand_three_to_one() {
        // Lines on the page's white: grid, outlines, the pass mark, the
        // progress line (the first colour).
        for c in [GRID, INK, BAD, COLOURS[0]] {
            assert!(contrast(c, "#fff") >= 3.0, "{c} on white");
        }
        // A bar's filled part on its track.
        for c in [BAD, COLOURS[0]] {
            assert!(contrast(c, TRACK) >= 3.0, "{c} on {TRACK}");
        }
    }

    #[test]
    fn a_trend_says_which_way_in_words() {
        assert_eq!(trend(35, 62, 4), "Rose from 35 to 62 over 4 attempts");
        assert_eq!(trend(62, 35, 2), "Fell from 62 to 35 over 2 attempts");
        assert_eq!(
            trend(50, 50, 3),
            "Stayed at 50 from the first to the latest of 3 attempts"
        );
        assert_eq!(trend(50, 50, 1), "One attempt, overall 50");
    }
}
