//! `ipt-trainer drill`: a session of drills in the terminal, on the same
//! core as the app's "Practise skills".

use super::{emit, print_diagnostics, render, rubric};
use crate::core::diagnostic::suggest;
use crate::core::drill::{Catalogue, Drill, DrillRun, Feedback, Setup, new_run};
use crate::core::load;
use crate::core::model::Scenario;
use crate::core::practice::fresh_seed;
use crate::core::store::{Store, now_secs};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// What `drill` was asked.
pub struct DrillArgs<'a> {
    pub principle: Option<&'a str>,
    pub count: Option<usize>,
    pub seed: Option<u64>,
    pub plan: Option<&'a Path>,
    pub scenarios: &'a [PathBuf],
    /// Scripted answers: `2` (one answer) or `2:3` (a miss, then a retry).
    pub choices: Option<&'a [String]>,
    pub trainee: &'a str,
    pub json: bool,
    pub save: bool,
    pub record: Option<&'a Path>,
    pub guidance: Option<&'a Path>,
}

/// A scripted answer: the first choice, and the retry after a miss.
fn parse_choice(token: &str) -> Option<(usize, Option<usize>)> {
    let (first, retry) = match token.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (token, None),
    };
    let first = first.trim().parse().ok()?;
    let retry = match retry {
        Some(r) => Some(r.trim().parse().ok()?),
        None => None,
    };
    Some((first, retry))
}

/// The scenarios of the folders, each checked; files with errors are left
/// out with their diagnostics shown.
fn scenarios(dirs: &[PathBuf], flags: &std::collections::BTreeSet<String>) -> Vec<Arc<Scenario>> {
    let mut out = Vec::new();
    for dir in dirs {
        let files = match load::scenario_files(dir) {
            Ok(f) => f,
            Err(d) => {
                print_diagnostics(&[*d], None);
                continue;
            }
        };
        for f in files {
            let text = match load::read_source(&f) {
                Ok(t) => t,
                Err(d) => {
                    print_diagnostics(&[*d], None);
                    continue;
                }
            };
            let loaded = load::load_scenario_source(&load::Source::new(&text, &f), Some(flags));
            if loaded.has_errors() {
                print_diagnostics(&loaded.diagnostics, Some(&text));
                eprintln!(
                    "note: {} has errors and gives no drills",
                    render::escape_controls(&f.display().to_string())
                );
            }
            if let Ok(s) = loaded.into_result() {
                out.push(Arc::new(s));
            }
        }
    }
    out
}

pub fn drill(args: &DrillArgs<'_>) -> ExitCode {
    let r = match rubric(args.guidance) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let guidance = r.guidance.clone();
    let plan = match args.plan {
        None => None,
        Some(p) => {
            let loaded = load::load_drill_plan_file(p, &guidance);
            let text = load::read_source(p).ok();
            if loaded.has_errors() {
                print_diagnostics(&loaded.diagnostics, text.as_deref());
                eprintln!("error: the drill plan has problems; fix them first");
                return ExitCode::from(2);
            }
            loaded.value
        }
    };
    if let Some(p) = args.principle
        && guidance.principle(p).is_none()
    {
        let ids = guidance.principles.iter().map(|p| p.id.as_str());
        match suggest(p, ids.clone()) {
            Some(s) => eprintln!("error: there is no principle `{p}`; did you mean `{s}`?"),
            None => eprintln!(
                "error: there is no principle `{p}`; the rubric's are: {}",
                ids.collect::<Vec<_>>().join(", ")
            ),
        }
        return ExitCode::from(2);
    }
    let mut dirs = vec![load::bundled_scenarios_dir()];
    dirs.extend(args.scenarios.iter().cloned());
    let loaded = scenarios(&dirs, &r.flags);
    let by_id: BTreeMap<&str, &Arc<Scenario>> = loaded.iter().map(|s| (s.id.as_str(), s)).collect();
    let catalogue = Arc::new(Catalogue::build(&loaded, &guidance));
    let store = Store::open_default();
    let (attempts, drills, problems) = store.load_all();
    for p in problems {
        eprintln!("note: {p}");
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let setup = Setup {
        plan: plan.as_ref(),
        principle: args.principle.map(str::to_string),
        count: args.count,
        seed,
        now: now_secs(),
    };
    let mut run = new_run(catalogue, &guidance, &attempts, &drills, &setup);
    if run.current().is_none() {
        eprintln!(
            "error: no drills match (no choice point of these scenarios tests {}); `ipt-trainer lint` shows which principles have drills",
            args.principle
                .map_or_else(|| "what was asked".to_string(), |p| format!("`{p}`"))
        );
        return ExitCode::FAILURE;
    }
    let quiet = args.json;
    let say = |text: &str| {
        if !quiet {
            print!("{}", render::escape_controls(text));
            let _ = std::io::stdout().flush();
        }
    };
    if let Some(p) = &plan {
        say(&format!("{}\n", p.title));
        if !p.note.is_empty() {
            say(&format!("{}\n", p.note));
        }
    }
    say(&format!("Drills (seed {seed})\n\n"));
    let mut scripted = args.choices.map(|c| c.iter());
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut read = |what: &str, say: &dyn Fn(&str)| -> Option<String> {
        say(what);
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_string()),
        }
    };
    let mut script_error: Option<String> = None;
    'drills: while let Some(q) = run.current().cloned() {
        let Some(scenario) = by_id.get(q.point.scenario_id.as_str()) else {
            run.skip();
            continue;
        };
        let mut drill = match Drill::start(&q.point, (*scenario).clone(), guidance.clone()) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("note: a drill was skipped: {e}");
                run.skip();
                continue;
            }
        };
        let (done, total) = run.progress();
        say(&header(&drill, done + 1, total, q.review, q.follow_up));
        let script = match scripted.as_mut() {
            None => None,
            Some(it) => match it.next() {
                None => {
                    script_error = Some(format!(
                        "the choices ran out at drill {}; add more",
                        done + 1
                    ));
                    break 'drills;
                }
                Some(tok) => {
                    if let Some(c) = parse_choice(tok) {
                        Some(c)
                    } else {
                        script_error = Some(format!(
                            "`{}` is not a choice: give the option's number, or two as 2:3 (a miss, then a retry)",
                            render::escape_controls(tok)
                        ));
                        break 'drills;
                    }
                }
            },
        };
        let options = drill.prompt().map_or(0, |p| p.options.len());
        // The first answer.
        loop {
            let pick = match script {
                Some((first, _)) => {
                    say(&format!("> {first}\n"));
                    first
                }
                None => match read(&format!("Choose 1-{options} (q to stop): "), &say) {
                    None => break 'drills,
                    Some(t) if t.eq_ignore_ascii_case("q") => break 'drills,
                    Some(t) => {
                        if let Ok(n) = t.parse() {
                            n
                        } else {
                            say("Type the number of an option.\n");
                            continue;
                        }
                    }
                },
            };
            match drill.answer(pick) {
                Ok(a) => {
                    say(&feedback(&a.feedback));
                    break;
                }
                Err(e) if script.is_some() => {
                    script_error = Some(format!("drill {}: {e}", done + 1));
                    break 'drills;
                }
                Err(e) => say(&format!("{e}\n")),
            }
        }
        // One retry after a miss.
        while drill.can_answer() {
            let pick = match script {
                Some((_, Some(retry))) => {
                    say(&format!("> try again: {retry}\n"));
                    retry
                }
                Some((_, None)) => break,
                None => match read(
                    &format!("Try again? Choose 1-{options}, or Enter to see the better move: "),
                    &say,
                ) {
                    None => break 'drills,
                    Some(t) if t.is_empty() => break,
                    Some(t) if t.eq_ignore_ascii_case("q") => break 'drills,
                    Some(t) => {
                        if let Ok(n) = t.parse() {
                            n
                        } else {
                            say("Type the number of an option, or press Enter.\n");
                            continue;
                        }
                    }
                },
            };
            match drill.answer(pick) {
                Ok(a) => say(&feedback(&a.feedback)),
                Err(e) if script.is_some() => {
                    script_error = Some(format!("drill {}: {e}", done + 1));
                    break 'drills;
                }
                Err(e) => say(&format!("{e}\n")),
            }
        }
        // The better move is shown once the trainee has had the chance to
        // find it themselves (a retry that found it says so already).
        if let Some(last) = drill.answers().last()
            && !last.feedback.good
        {
            say(&better(&last.feedback));
        }
        run.complete(&drill);
    }
    // The drills done are kept whatever went wrong with the script.
    let code = finish(&run, args, &store, &guidance, &attempts, &drills);
    if let Some(e) = script_error {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(rest) = scripted.map(|it| it.cloned().collect::<Vec<_>>())
        && !rest.is_empty()
    {
        eprintln!(
            "error: the drills ended, but {} more choice{} were given ({}); remove them",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            rest.join(",")
        );
        return ExitCode::FAILURE;
    }
    code
}

fn finish(
    run: &DrillRun,
    args: &DrillArgs<'_>,
    store: &Store,
    guidance: &crate::core::rubric::Guidance,
    attempts: &[crate::core::store::AttemptRecord],
    drills: &[crate::core::drill::DrillRecord],
) -> ExitCode {
    let Some(record) = run.finish(args.trainee) else {
        eprintln!("note: no drill was answered, so nothing was recorded");
        return ExitCode::SUCCESS;
    };
    if args.save {
        match store.save_drills(&record) {
            Ok(p) => eprintln!("drills recorded in {}", p.display()),
            Err(e) => eprintln!("error: the drills could not be recorded: {e}"),
        }
    }
    if let Some(file) = args.record {
        let written = serde_json::to_vec_pretty(&record)
            .map_err(|e| e.to_string())
            .and_then(|b| crate::core::store::write_atomic(file, &b).map_err(|e| e.to_string()));
        match written {
            Ok(()) => eprintln!("record written to {}", file.display()),
            Err(e) => {
                eprintln!("error: the record could not be written: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if args.json {
        return match serde_json::to_string_pretty(&record) {
            Ok(s) => {
                emit(&format!("{}\n", render::escape_json_controls(&s)));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write the drills as JSON: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut all = drills.to_vec();
    all.push(record.clone());
    let profile = crate::core::drill::SkillProfile::from_records(attempts, &all);
    emit(&render::escape_controls(&summary(
        &record, &profile, guidance,
    )));
    ExitCode::SUCCESS
}

/// The drill's heading, the last turns and the choice point.
fn header(drill: &Drill, n: usize, total: usize, review: bool, follow_up: bool) -> String {
    let mut out = String::new();
    let p = drill.point();
    let tag = match (review, follow_up) {
        (true, _) => " · due again",
        (_, true) => " · the same skill again",
        _ => "",
    };
    let _ = writeln!(
        out,
        "── Drill {n} of {total}{tag} · {} ({}) ──",
        p.scenario_title, p.client
    );
    let recent = drill.recent(3);
    if recent.is_empty() {
        let _ = writeln!(out, "(the start of the session)");
    }
    for t in recent {
        let _ = writeln!(out, "  {}: {}", p.client, t.client_line);
        let _ = writeln!(out, "  You: {}", t.text);
    }
    if let Some(prompt) = drill.prompt() {
        let _ = writeln!(out);
        if !prompt.cue.body.is_empty() {
            let _ = writeln!(out, "({})", prompt.cue.body);
        }
        out.push_str(&render::prompt(&p.client, prompt));
    }
    out
}

fn feedback(f: &Feedback) -> String {
    let mut out = String::new();
    let verdict = if f.good {
        "Well chosen."
    } else {
        "Not the best move here."
    };
    let _ = writeln!(
        out,
        "\n{verdict} Skill: {} ({})",
        f.principle_name, f.source
    );
    if f.good {
        let _ = writeln!(out, "  {}", f.best_why);
    } else {
        if f.chosen_cost {
            let _ = writeln!(out, "  Your move: {}", f.chosen_reason);
        } else if !f.chosen_reason.is_empty() {
            let _ = writeln!(
                out,
                "  Your move did some good ({}), but another served this skill better.",
                f.chosen_reason.trim_end_matches('.')
            );
        }
        if !f.advice.is_empty() && f.advice != f.best_why {
            let _ = writeln!(out, "  {}", f.advice);
        }
    }
    let _ = writeln!(
        out,
        "  The client: trust {} -> {}, distress {} -> {}, openness {} -> {}",
        f.before.trust,
        f.after.trust,
        f.before.distress,
        f.after.distress,
        f.before.openness,
        f.after.openness
    );
    if f.ended {
        let _ = writeln!(out, "  The session ends: {}", f.reaction);
    } else if !f.reaction.is_empty() {
        let _ = writeln!(out, "  They say: {}", f.reaction);
    }
    let _ = writeln!(out);
    out
}

/// The better move and why, after a miss.
fn better(f: &Feedback) -> String {
    format!("  Better: \"{}\"\n  Why: {}\n\n", f.best, f.best_why)
}

fn summary(
    r: &crate::core::drill::DrillRecord,
    profile: &crate::core::drill::SkillProfile,
    guidance: &crate::core::rubric::Guidance,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of {} drills right the first time.",
        r.first_time_good(),
        r.results.len()
    );
    for l in r.by_principle(profile) {
        let s = l.now;
        let name = guidance
            .principle(&l.principle)
            .map_or(l.principle.as_str(), |p| p.name.as_str());
        let retry = if l.on_retry > 0 {
            format!(", {} found on the retry", l.on_retry)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {name}: {} of {} here{retry}; estimate {:.0}% ± {:.0} over {} chance{}{}",
            l.first_time,
            l.drills,
            s.mean() * 100.0,
            s.sd() * 100.0,
            s.chances,
            if s.chances == 1 { "" } else { "s" },
            if s.mastered() { " — mastered" } else { "" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_choice;

    #[test]
    fn scripted_choices_read_one_answer_or_a_miss_and_a_retry() {
        assert_eq!(parse_choice("2"), Some((2, None)));
        assert_eq!(parse_choice("2:3"), Some((2, Some(3))));
        assert_eq!(parse_choice("x"), None);
        assert_eq!(parse_choice("2:"), None);
    }
}
