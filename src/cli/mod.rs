//! The command line: the only part of the program that prints.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "the CLI prints")]

mod case;
mod drill;
pub mod render;
mod room;

use crate::core::debrief::Debrief;
use crate::core::diagnostic::Diagnostic;
use crate::core::load;
use crate::core::model::Scenario;
use crate::core::practice::{Input, Mode, Practice, fresh_seed};
use crate::core::rubric::Guidance;
use clap::{Parser, Subcommand, ValueEnum};

/// Parses the process's command line.
pub fn parse() -> Cli {
    Cli::parse()
}
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "ipt-trainer",
    version,
    about = "Practise Interpersonal Psychotherapy with simulated clients",
    long_about = "Practise Interpersonal Psychotherapy (IPT) with simulated clients.\n\nWith no command, starts the desktop app (when built with the `gui` feature)."
)]
pub struct Cli {
    /// A rubric file to score against instead of the bundled one.
    #[arg(long, global = true, value_name = "FILE")]
    pub guidance: Option<PathBuf>,

    /// An extra folder of scenarios for the app (a tutor's own).
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,

    /// App: open "Practise skills" with a tutor's drill plan (a `.drill.ron` file).
    #[arg(long, value_name = "FILE")]
    pub drill_plan: Option<PathBuf>,

    /// App: play a scenario through with scripted choices, save a screenshot
    /// of every screen under DIR, then quit (for end-to-end tests).
    #[cfg(feature = "dev")]
    #[arg(long, value_name = "DIR", hide = true)]
    pub autoplay: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AreaArg {
    Grief,
    RoleDispute,
    RoleTransition,
    #[value(alias = "deficits")]
    InterpersonalDeficits,
}

impl From<AreaArg> for crate::core::model::ProblemArea {
    fn from(a: AreaArg) -> Self {
        use crate::core::model::ProblemArea as P;
        match a {
            AreaArg::Grief => P::Grief,
            AreaArg::RoleDispute => P::RoleDispute,
            AreaArg::RoleTransition => P::RoleTransition,
            AreaArg::InterpersonalDeficits => P::InterpersonalDeficits,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    Initial,
    Middle,
    Termination,
}

impl From<PhaseArg> for crate::core::model::Phase {
    fn from(p: PhaseArg) -> Self {
        use crate::core::model::Phase as P;
        match p {
            PhaseArg::Initial => P::Initial,
            PhaseArg::Middle => P::Middle,
            PhaseArg::Termination => P::Termination,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphArg {
    Dot,
    Mermaid,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pedagogical checks: weak choice points, missing tasks, give-aways.
    Lint {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit non-zero on warnings too (for a course's CI).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Search every route through a scenario: reachable nodes and endings,
    /// dead ends, disclosures, and the best and worst achievable scores.
    Analyze {
        scenario: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Search at most this many distinct points (node × client state);
        /// past it, the search merges similar client states (approximate).
        #[arg(long, value_name = "N", default_value_t = crate::core::analysis::Limits::default().max_states)]
        max_states: usize,
        /// Fail rather than give approximate answers on a very big scenario.
        #[arg(long)]
        exact: bool,
    },
    /// Print the conversation as a graph (Graphviz DOT or Mermaid).
    Graph {
        scenario: PathBuf,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphArg,
    },
    /// Write a complete, valid starting scenario to fill in.
    New {
        #[arg(long, value_enum)]
        area: AreaArg,
        #[arg(long, value_enum)]
        phase: PhaseArg,
        /// Where to write it (refuses to overwrite unless --force).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// What the rubric does: every move kind in typical contexts (phase,
    /// trust, hesitation, risk, cues, time), with the points on each
    /// dimension and the client's change; and warnings about rules that can
    /// never fire, rules that contradict each other, and principles without
    /// a source. Uses --guidance FILE, or the bundled rubric.
    Rubric {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// The problem area of the table (default: all four).
        #[arg(long, value_enum)]
        area: Option<AreaArg>,
        /// Also write the tables as one self-contained HTML page with heat maps.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Check scenario files (or folders of them) and report every problem.
    Validate {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Play a scenario in the terminal, ending in the debrief; or a case
    /// (`*.case.ron`): its sessions one after another, with what happened
    /// between them, ending in the course's summary.
    Play {
        /// A scenario file, or a case file.
        scenario: PathBuf,
        /// Seed for the client's variation (a random one if left out).
        #[arg(long)]
        seed: Option<u64>,
        /// The options to choose, by their shown number, e.g. 2,1,3; for a
        /// case, each session's, separated by /: 2,1,3/1,4,2.
        #[arg(long)]
        choices: Option<String>,
        /// Print the debrief as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the attempt's record (to hand in) to FILE; for a case,
        /// FILE is a folder and each session's record goes into it.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Your name or pseudonym, for the record.
        #[arg(long, default_value = "")]
        trainee: String,
        /// Assessment mode: no feedback after each move, only the debrief
        /// (the record says so). Without it, each move's feedback is shown.
        #[arg(long)]
        assessment: bool,
    },
    /// Drills on single skills: choice points of the bundled (and your)
    /// scenarios that test one principle, chosen for your weakest skills
    /// from your records (or by --principle or a tutor's --plan), with
    /// feedback after each and one retry after a miss. Recorded beside
    /// your sessions (`IPT_TRAINER_DATA`, or the app's data folder).
    Drill {
        /// Only drills on this principle (its id in the rubric).
        #[arg(long, value_name = "ID")]
        principle: Option<String>,
        /// How many drills (default 10, at most 50).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=50))]
        count: Option<u16>,
        /// Seed for the choice of drills (a random one if left out).
        #[arg(long)]
        seed: Option<u64>,
        /// A tutor's drill plan (a `.drill.ron` file).
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// More folders of scenarios to draw drills from (repeatable).
        #[arg(long = "scenarios", value_name = "DIR")]
        scenario_dirs: Vec<PathBuf>,
        /// The answers, by shown number: 2,1,3 — or 2:3 for a miss, then a retry.
        #[arg(long, value_delimiter = ',')]
        choices: Option<Vec<String>>,
        /// Your name or pseudonym, for the record.
        #[arg(long, default_value = "")]
        trainee: String,
        /// Print the record of the drills as JSON.
        #[arg(long)]
        json: bool,
        /// Do not add the drills to your records.
        #[arg(long)]
        no_save: bool,
        /// Also write the record (to hand in) to FILE.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
    },
    /// A class vote with the students' phones, from the terminal: serves
    /// the student page on the room's network, prints its address, join
    /// code and QR code, shows the votes as they arrive, and reads the
    /// tutor's lines (Enter plays the majority; h N COUNT, p N, r, q).
    Room {
        /// The scenario to play.
        #[arg(required_unless_present = "list_addresses")]
        scenario: Option<PathBuf>,
        /// Where to listen (default: this computer's first network, port
        /// 8787; port 0 picks any free one).
        #[arg(long, value_name = "IP:PORT")]
        bind: Option<std::net::SocketAddr>,
        /// The class's name, shown on the phones and kept in the record.
        #[arg(long, value_name = "NAME", default_value = "")]
        class: String,
        /// Seed for the client's variation (a random one if left out).
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the attempt's record (with each device's votes) to FILE.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Print this computer's networks (the addresses to --bind) and stop.
        #[arg(long)]
        list_addresses: bool,
    },
    /// A class report from a folder of attempt records: one HTML page
    /// (scores, progress, choice points, mistakes), and a CSV and xAPI
    /// statements if asked. Damaged or outdated records are listed, not fatal.
    Report {
        /// The folder of records (`.json` files, read recursively).
        dir: PathBuf,
        /// Where to write the HTML report.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write one CSV row per attempt to FILE.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also write the attempts as xAPI 1.0.3 statements (a JSON array) to FILE.
        #[arg(long, value_name = "FILE")]
        xapi: Option<PathBuf>,
        /// The base IRI for xAPI accounts, activity ids and extensions.
        #[arg(long, value_name = "URL", default_value = crate::core::report::DEFAULT_XAPI_HOMEPAGE)]
        xapi_homepage: String,
        /// Replace every name with a stable pseudonym (this is
        /// pseudonymisation: anyone with the class list can re-identify).
        #[arg(long)]
        anonymize: bool,
        /// A folder of the current scenarios, to flag attempts of edited or
        /// missing ones (repeatable; default: ./scenarios if it exists).
        #[arg(long, value_name = "DIR")]
        scenarios: Vec<PathBuf>,
        /// The overall score (0-100) from which an attempt counts as passed.
        #[arg(long, value_name = "N", default_value_t = crate::core::report::DEFAULT_PASS_MARK,
              value_parser = clap::value_parser!(i32).range(0..=100))]
        pass_mark: i32,
    },
}

/// Writes to standard output; a reader that stops early (`| head`) ends
/// the output quietly instead of with a panic.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Runs a command of the command line (`main` starts the app when there is none).
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Validate { ref paths, format }) => {
            validate(paths, format, cli.guidance.as_deref())
        }
        Some(Command::Play {
            ref scenario,
            seed,
            ref choices,
            json,
            ref record,
            ref trainee,
            assessment,
        }) => {
            let groups = match choices.as_deref().map(case::parse_case_choices).transpose() {
                Ok(g) => g,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let mode = Mode::from_coach(!assessment);
            let record = record.as_deref().map(|r| (r, trainee.as_str()));
            if scenario.file_name().is_some_and(load::is_case_name) {
                return case::play_case(&case::CasePlay {
                    path: scenario,
                    seed: seed.unwrap_or_else(fresh_seed),
                    choices: groups,
                    guidance: cli.guidance.as_deref(),
                    record,
                    mode,
                });
            }
            let picks = match groups.as_deref() {
                None => None,
                Some([one]) => Some(one.as_slice()),
                Some(_) => {
                    eprintln!("error: a scenario is one session: give its choices without /");
                    return ExitCode::from(2);
                }
            };
            play(
                scenario,
                seed,
                picks,
                json,
                cli.guidance.as_deref(),
                record,
                mode,
            )
        }
        Some(Command::Drill {
            ref principle,
            count,
            seed,
            ref plan,
            ref scenario_dirs,
            ref choices,
            ref trainee,
            json,
            no_save,
            ref record,
        }) => drill::drill(&drill::DrillArgs {
            principle: principle.as_deref(),
            count: count.map(usize::from),
            seed,
            plan: plan.as_deref(),
            scenarios: scenario_dirs,
            choices: choices.as_deref(),
            trainee,
            json,
            save: !no_save,
            record: record.as_deref(),
            guidance: cli.guidance.as_deref(),
        }),
        Some(Command::New {
            area,
            phase,
            ref out,
            force,
        }) => new_scenario(area.into(), phase.into(), out, force),
        Some(Command::Lint {
            ref paths,
            format,
            deny_warnings,
        }) => lint(paths, format, deny_warnings, cli.guidance.as_deref()),
        Some(Command::Graph {
            ref scenario,
            format,
        }) => graph(scenario, format, cli.guidance.as_deref()),
        Some(Command::Analyze {
            ref scenario,
            format,
            max_states,
            exact,
        }) => analyze(
            scenario,
            format,
            crate::core::analysis::Limits {
                max_states,
                exact_only: exact,
            },
            cli.guidance.as_deref(),
        ),
        Some(Command::Report {
            ref dir,
            ref out,
            ref csv,
            ref xapi,
            ref xapi_homepage,
            anonymize,
            ref scenarios,
            pass_mark,
        }) => report_cmd(
            dir,
            out,
            csv.as_deref(),
            xapi.as_deref(),
            crate::core::report::ReportOptions {
                scenario_dirs: scenarios.clone(),
                anonymize,
                xapi_homepage: xapi_homepage.clone(),
                pass_mark,
            },
        ),
        Some(Command::Rubric {
            format,
            area,
            ref html,
        }) => rubric_cmd(
            cli.guidance.as_deref(),
            format,
            area.map(Into::into),
            html.as_deref(),
        ),
        Some(Command::Room {
            ref scenario,
            bind,
            ref class,
            seed,
            ref record,
            list_addresses,
        }) => match scenario {
            Some(scenario) if !list_addresses => room::room(&room::RoomArgs {
                scenario,
                bind,
                class,
                seed,
                record: record.as_deref(),
                guidance: cli.guidance.as_deref(),
            }),
            _ => room::list_addresses(),
        },
        None => no_app(),
    }
}

fn graph(path: &Path, format: GraphArg, guidance: Option<&Path>) -> ExitCode {
    let f = match format {
        GraphArg::Dot => crate::core::graph::GraphFormat::Dot,
        GraphArg::Mermaid => crate::core::graph::GraphFormat::Mermaid,
    };
    if path.file_name().is_some_and(load::is_case_name) {
        let r = match rubric(guidance) {
            Ok(r) => r,
            Err(c) => return c,
        };
        return match case::load_case(path, &r.guidance) {
            Ok(b) => {
                emit(&render::escape_controls(&crate::core::graph::render_case(
                    &b, f,
                )));
                ExitCode::SUCCESS
            }
            Err(c) => c,
        };
    }
    // The rubric only for its memory flags, and only if one is given.
    let loaded = match guidance {
        Some(_) => rubric(guidance).and_then(|r| load_scenario(path, &r.flags)),
        None => load_scenario(path, load::bundled_rubric_flags()),
    };
    match loaded {
        Ok(s) => {
            emit(&render::escape_controls(&crate::core::graph::render(&s, f)));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn analyze(
    path: &Path,
    format: Format,
    limits: crate::core::analysis::Limits,
    guidance: Option<&Path>,
) -> ExitCode {
    if path.file_name().is_some_and(load::is_case_name) {
        return analyze_case(path, format, limits, guidance);
    }
    let (scenario, guidance) = match scenario_and_rubric(path, guidance) {
        Ok(both) => both,
        Err(c) => return c,
    };
    // A search that runs past a second says how far it has got.
    let mut last_said = std::time::Duration::ZERO;
    let mut said = false;
    let mut progress = |p: &crate::core::analysis::Progress| {
        if p.elapsed >= std::time::Duration::from_secs(1)
            && p.elapsed >= last_said + std::time::Duration::from_secs(1)
        {
            last_said = p.elapsed;
            said = true;
            eprintln!(
                "analyze: {} client states searched in {:.1} s ({} search)…",
                crate::core::analysis::group_digits(p.states as u128),
                p.elapsed.as_secs_f64(),
                if p.exact { "exact" } else { "approximate" }
            );
        }
    };
    let result =
        crate::core::analysis::analyze_reporting(&scenario, &guidance, limits, &mut progress);
    if said {
        eprintln!("analyze: done");
    }
    match result {
        Ok(a) => emit_analysis(format, &a, || render::analysis(&a, path)),
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// Prints an analysis (of a scenario or a case) as text or JSON.
fn emit_analysis(
    format: Format,
    a: &impl serde::Serialize,
    text: impl FnOnce() -> String,
) -> ExitCode {
    match format {
        Format::Text => emit(&render::escape_controls(&text())),
        Format::Json => match serde_json::to_string_pretty(a) {
            Ok(j) => emit(&format!("{}\n", render::escape_json_controls(&j))),
            Err(e) => {
                eprintln!("error: cannot write the analysis as JSON: {e}");
                return ExitCode::FAILURE;
            }
        },
    }
    ExitCode::SUCCESS
}

/// `analyze CASE`: the best and worst course, and what in one session
/// makes a later one unwinnable or harder.
fn analyze_case(
    path: &Path,
    format: Format,
    limits: crate::core::analysis::Limits,
    guidance: Option<&Path>,
) -> ExitCode {
    let r = match rubric(guidance) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let bundle = match case::load_case(path, &r.guidance) {
        Ok(b) => b,
        Err(c) => return c,
    };
    match crate::core::case_analysis::analyze_case(&bundle, &r.guidance, limits) {
        Ok(a) => emit_analysis(format, &a, || case::analysis_text(&bundle, &a, path)),
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// `rubric`: the rubric's tables and its warnings.
fn rubric_cmd(
    path: Option<&Path>,
    format: Format,
    area: Option<crate::core::model::ProblemArea>,
    html: Option<&Path>,
) -> ExitCode {
    use crate::core::inspect;
    let text = match path {
        Some(p) => match load::read_source(p) {
            Ok(t) => t,
            Err(d) => {
                print_diagnostics(&[*d], None);
                return ExitCode::from(2);
            }
        },
        None => load::BUNDLED_GUIDANCE.to_string(),
    };
    let file = path.unwrap_or(Path::new("assets/guidance.ron"));
    let src = load::Source::new(&text, file);
    let loaded = load::load_guidance_str(&text, file);
    let has_errors = loaded.has_errors();
    let Some(g) = loaded.value.filter(|_| !has_errors) else {
        print_diagnostics(&loaded.diagnostics, Some(&text));
        eprintln!("error: the rubric has problems; fix them first");
        return ExitCode::from(2);
    };
    let mut warnings = loaded.diagnostics;
    warnings.extend(inspect::check(&g, &src));
    let areas: Vec<_> = area.map_or_else(
        || crate::core::model::ProblemArea::ALL.to_vec(),
        |a| vec![a],
    );
    let tables: Vec<_> = areas
        .iter()
        .map(|&a| inspect::table(&g, a, crate::core::model::Topic::Focal))
        .collect();
    if let Some(out) = html {
        if let Err(e) =
            crate::core::store::write_atomic(out, inspect::html(&g, &tables, &warnings).as_bytes())
        {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!(
            "wrote {}",
            render::escape_controls(&out.display().to_string())
        );
    }
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "version": g.version,
                "model": g.scoring.model,
                "warnings": warnings,
                "tables": tables,
            });
            match serde_json::to_string_pretty(&v) {
                Ok(j) => emit(&format!("{j}\n")),
                Err(e) => {
                    eprintln!("error: cannot write the tables as JSON: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        Format::Text => {
            print_diagnostics(&warnings, Some(&text));
            emit(&render::rubric_tables(&g, &tables));
        }
    }
    ExitCode::SUCCESS
}

fn new_scenario(
    area: crate::core::model::ProblemArea,
    phase: crate::core::model::Phase,
    out: &Path,
    force: bool,
) -> ExitCode {
    if out.exists() && !force {
        eprintln!(
            "error: {} already exists; choose another name or add --force to overwrite it",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    let text = crate::core::scaffold::scaffold(area, phase);
    match crate::core::store::write_atomic(out, text.as_bytes()) {
        Ok(()) => {
            eprintln!(
                "wrote {}: fill in the texts in parentheses, then `ipt-trainer validate {}`",
                out.display(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Without a command there is nothing for the command line to do: the
/// help, and a word on the app (which `main` starts in a `gui` build).
pub fn no_app() -> ExitCode {
    use clap::CommandFactory;
    let _ = Cli::command().print_help();
    println!("\n(This build has no desktop app; rebuild with the `gui` feature for it.)");
    ExitCode::SUCCESS
}

/// Prints diagnostics to stderr (buffered: thousands of them cost one
/// write each, not one per line), with excerpts from `source`, the text of
/// the file they are about, when it is at hand.
fn print_diagnostics(ds: &[Diagnostic], source: Option<&str>) {
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in ds {
        let _ = writeln!(err, "{}", render::diagnostic(d, source));
    }
    let _ = err.flush();
}

/// A rubric as loaded for a command: the rubric, and its memory flags
/// (what scenarios are checked against).
struct Rubric {
    guidance: Arc<Guidance>,
    flags: std::collections::BTreeSet<String>,
}

/// The rubric from `--guidance`, or the bundled one; its problems printed
/// and exit code 2 if it cannot be used.
fn rubric(path: Option<&Path>) -> Result<Rubric, ExitCode> {
    let (loaded, text) = match path {
        Some(p) => match load::read_source(p) {
            Ok(text) => (load::load_guidance_str(&text, p), Some(text)),
            Err(d) => (
                load::Loaded {
                    value: None,
                    diagnostics: vec![*d],
                },
                None,
            ),
        },
        None => (
            load::load_guidance_str(load::BUNDLED_GUIDANCE, Path::new("assets/guidance.ron")),
            Some(load::BUNDLED_GUIDANCE.to_string()),
        ),
    };
    match loaded.into_result() {
        Ok(g) => Ok(Rubric {
            flags: load::rubric_flags(&g),
            guidance: Arc::new(g),
        }),
        Err(ds) => {
            print_diagnostics(&ds, text.as_deref());
            eprintln!("error: the rubric has problems; fix them first");
            Err(ExitCode::from(2))
        }
    }
}

/// The rubric from `--guidance`, or the bundled one.
pub fn load_guidance(path: Option<&Path>) -> Result<Arc<Guidance>, ExitCode> {
    rubric(path).map(|r| r.guidance)
}

/// What `validate` and `lint` found: counts, and (for JSON) the
/// diagnostics themselves; text output is printed file by file.
struct Findings {
    format: Format,
    files: usize,
    errors: usize,
    warnings: usize,
    json: Vec<Diagnostic>,
    /// `lint`: the drillable choice points per principle over all the
    /// scenarios checked, fewest first.
    drills: Option<Vec<(String, usize)>>,
}

impl Findings {
    fn new(format: Format) -> Self {
        Findings {
            format,
            files: 0,
            errors: 0,
            warnings: 0,
            json: Vec::new(),
            drills: None,
        }
    }

    /// Counts and prints (or keeps, for JSON) what was found in one file,
    /// whose text is `source` if it could be read.
    fn add(&mut self, ds: Vec<Diagnostic>, source: Option<&str>) {
        let errors = ds.iter().filter(|d| d.is_error()).count();
        self.errors += errors;
        self.warnings += ds.len() - errors;
        match self.format {
            Format::Text => print_diagnostics(&ds, source),
            Format::Json => self.json.extend(ds),
        }
    }

    /// Prints the summary (text) or everything (JSON) and picks the exit code.
    fn finish(self, deny_warnings: bool) -> ExitCode {
        let (files, errors, warnings) = (self.files, self.errors, self.warnings);
        match self.format {
            Format::Json => {
                #[derive(serde::Serialize)]
                struct Coverage<'a> {
                    principle: &'a str,
                    drills: usize,
                    wanted: usize,
                }
                #[derive(serde::Serialize)]
                struct Json<'a> {
                    files: usize,
                    errors: usize,
                    warnings: usize,
                    diagnostics: &'a [Diagnostic],
                    #[serde(skip_serializing_if = "Option::is_none")]
                    drill_coverage: Option<Vec<Coverage<'a>>>,
                }
                let out = Json {
                    files,
                    errors,
                    warnings,
                    diagnostics: &self.json,
                    drill_coverage: self.drills.as_ref().map(|d| {
                        d.iter()
                            .map(|(p, n)| Coverage {
                                principle: p,
                                drills: *n,
                                wanted: crate::core::drill::WANTED_PER_PRINCIPLE,
                            })
                            .collect()
                    }),
                };
                // A path that is not UTF-8 is written lossy, with its bytes
                // beside it (see `Diagnostic`'s JSON), never a failure.
                match serde_json::to_string_pretty(&out) {
                    Ok(t) => emit(&format!("{}\n", render::escape_json_controls(&t))),
                    Err(e) => {
                        eprintln!("error: cannot write the diagnostics as JSON: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            Format::Text => {
                if let Some(d) = &self.drills {
                    eprint!("{}", render::escape_controls(&render::drill_coverage(d)));
                }
                eprintln!(
                    "{files} file{} checked: {errors} error{}, {warnings} warning{}",
                    if files == 1 { "" } else { "s" },
                    if errors == 1 { "" } else { "s" },
                    if warnings == 1 { "" } else { "s" },
                );
            }
        }
        if errors > 0 || (deny_warnings && warnings > 0) {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Runs `check` on the text of every scenario file under `paths`,
    /// reporting what it finds (and a diagnostic for each path that cannot
    /// be read), one file at a time.
    fn check_files(
        &mut self,
        paths: &[PathBuf],
        mut check: impl FnMut(&load::Source<'_>) -> Vec<Diagnostic>,
    ) {
        for p in paths {
            match load::scenario_files(p) {
                Ok(list) => {
                    for f in list {
                        self.files += 1;
                        match load::read_source(&f) {
                            Ok(text) => {
                                let found = check(&load::Source::new(&text, &f));
                                self.add(found, Some(&text));
                            }
                            Err(d) => self.add(vec![*d], None),
                        }
                    }
                }
                Err(d) => self.add(vec![*d], None),
            }
        }
    }

    /// Checks the drill plans (`*.drill.ron`) under `paths` against the
    /// rubric (unreadable paths were reported by [`Findings::check_files`]).
    fn check_plans(&mut self, paths: &[PathBuf], guidance: &crate::core::rubric::Guidance) {
        for p in paths {
            for f in load::drill_plan_files(p).unwrap_or_default() {
                self.files += 1;
                match load::read_source(&f) {
                    Ok(text) => {
                        let found = load::load_drill_plan_str(&text, &f, guidance).diagnostics;
                        self.add(found, Some(&text));
                    }
                    Err(d) => self.add(vec![*d], None),
                }
            }
        }
    }
}

impl Findings {
    /// Checks the cases (`*.case.ron`) under `paths`: the case file's own
    /// problems, and one E018 at a session whose scenario is unusable (its
    /// own problems are listed when that file is validated).
    fn check_cases(&mut self, paths: &[PathBuf], guidance: &crate::core::rubric::Guidance) {
        for p in paths {
            for f in load::case_files(p).unwrap_or_default() {
                self.files += 1;
                match load::read_source(&f) {
                    Ok(text) => {
                        let found: Vec<Diagnostic> = load::load_case_str(&text, &f, guidance)
                            .diagnostics
                            .into_iter()
                            .filter(|d| d.file == f)
                            .collect();
                        self.add(found, Some(&text));
                    }
                    Err(d) => self.add(vec![*d], None),
                }
            }
        }
    }
}

/// How many points `lint` lets the search of a case's session hold.
const LINT_MAX_STATES: usize = 50_000;

impl Findings {
    /// `lint`: the cases under `paths`, checked as `validate` does, then as
    /// courses of IPT (see `core::case_lint`), from their best and worst
    /// courses.
    fn lint_cases(&mut self, paths: &[PathBuf], guidance: &Arc<Guidance>) {
        for p in paths {
            for f in load::case_files(p).unwrap_or_default() {
                self.files += 1;
                let text = match load::read_source(&f) {
                    Ok(t) => t,
                    Err(d) => {
                        self.add(vec![*d], None);
                        continue;
                    }
                };
                let loaded = load::load_case_str(&text, &f, guidance);
                let mut found: Vec<Diagnostic> = loaded
                    .diagnostics
                    .iter()
                    .filter(|d| d.file == f)
                    .cloned()
                    .collect();
                if let Some(bundle) = loaded.value {
                    let bundle = Arc::new(bundle);
                    // What some route sets is all W027 needs: the quick
                    // (approximate) search of each session is enough.
                    let limits = crate::core::analysis::Limits {
                        max_states: LINT_MAX_STATES,
                        exact_only: false,
                    };
                    let courses = crate::core::case_analysis::courses(&bundle, guidance, limits);
                    if let Err(e) = &courses {
                        eprintln!(
                            "note: {}: the courses could not be searched, so W027 is not checked: {e}",
                            render::escape_controls(&f.display().to_string())
                        );
                    }
                    let src = load::Source::new(&text, &f);
                    found.extend(crate::core::case_lint::lint_case(
                        &bundle,
                        guidance,
                        &src,
                        courses.as_ref().ok(),
                    ));
                }
                self.add(found, Some(&text));
            }
        }
    }
}

fn validate(paths: &[PathBuf], format: Format, guidance: Option<&Path>) -> ExitCode {
    let mut found = Findings::new(format);
    // Scenarios are checked against the flags of the rubric they will be
    // played with (a rubric with errors still has flags, if it parses);
    // drill plans name principles, so they need a rubric without errors.
    let (flags, plans_rubric) = match guidance {
        Some(g) => match load::read_source(g) {
            Ok(text) => {
                let loaded = load::load_guidance_str(&text, g);
                let flags = loaded.value.as_ref().map(load::rubric_flags);
                found.add(loaded.diagnostics.clone(), Some(&text));
                (flags, loaded.into_result().ok())
            }
            Err(d) => {
                found.add(vec![*d], None);
                (None, None)
            }
        },
        None => (
            Some(load::bundled_rubric_flags().clone()),
            load::bundled_guidance().ok(),
        ),
    };
    found.check_files(paths, |src| {
        load::load_scenario_source(src, flags.as_ref()).diagnostics
    });
    if let Some(g) = plans_rubric {
        found.check_plans(paths, &g);
        found.check_cases(paths, &g);
    }
    found.finish(false)
}

fn lint(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    guidance: Option<&Path>,
) -> ExitCode {
    let r = match rubric(guidance) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let mut found = Findings::new(format);
    let mut scenarios = Vec::new();
    found.check_files(paths, |src| {
        let loaded = load::load_scenario_source(src, Some(&r.flags));
        let clean = !loaded.has_errors();
        let mut ds = loaded.diagnostics;
        if clean && let Some(s) = loaded.value {
            ds.extend(crate::core::lint::lint_source(&s, &r.guidance, src));
            scenarios.push(Arc::new(s));
        }
        ds
    });
    found.check_plans(paths, &r.guidance);
    found.lint_cases(paths, &r.guidance);
    // Which principles these scenarios give too few drills for: a note for
    // the author, not a warning (one scenario cannot cover them all).
    let catalogue = crate::core::drill::Catalogue::build(&scenarios, &r.guidance);
    found.drills = Some(
        catalogue
            .coverage(&r.guidance)
            .into_iter()
            .map(|(p, n)| (p.to_string(), n))
            .collect(),
    );
    found.finish(deny_warnings)
}

/// The scenario at `path`, checked against `flags` (its warnings printed);
/// its problems printed and exit code 2 if it cannot be used.
fn load_scenario(
    path: &Path,
    flags: &std::collections::BTreeSet<String>,
) -> Result<Arc<Scenario>, ExitCode> {
    if path.file_name().is_some_and(load::is_case_name) {
        eprintln!(
            "error: {} is a case (a course of sessions), not a scenario: `play` and `validate` take a case; give this command one of its sessions' scenario files",
            render::escape_controls(&path.display().to_string())
        );
        return Err(ExitCode::from(2));
    }
    let text = match load::read_source(path) {
        Ok(t) => t,
        Err(d) => {
            print_diagnostics(&[*d], None);
            eprintln!(
                "error: {} cannot be read",
                render::escape_controls(&path.display().to_string())
            );
            return Err(ExitCode::from(2));
        }
    };
    let loaded = load::load_scenario_source(&load::Source::new(&text, path), Some(flags));
    if !loaded.has_errors() {
        print_diagnostics(&loaded.diagnostics, Some(&text));
    }
    match loaded.into_result() {
        Ok(s) => Ok(Arc::new(s)),
        Err(ds) => {
            print_diagnostics(&ds, Some(&text));
            eprintln!(
                "error: {} has errors; fix them first (ipt-trainer validate shows them all)",
                render::escape_controls(&path.display().to_string())
            );
            Err(ExitCode::from(2))
        }
    }
}

/// The rubric to score against and the scenario at `path`, checked against
/// that rubric's flags, each with its problems printed if it cannot be used.
fn scenario_and_rubric(
    path: &Path,
    guidance: Option<&Path>,
) -> Result<(Arc<Scenario>, Arc<Guidance>), ExitCode> {
    let r = rubric(guidance)?;
    Ok((load_scenario(path, &r.flags)?, r.guidance))
}

/// Plays `practice` in the terminal: the scripted `choices`, or what the
/// trainee types (until an ending, or `q`). Errors (choices that run out,
/// or are left over) are printed; the exit code is returned.
fn drive(
    practice: &mut Practice,
    name: &str,
    choices: Option<&[usize]>,
    quiet: bool,
) -> Result<(), ExitCode> {
    let mode = practice.mode();
    let say = |text: &str| {
        if !quiet {
            print!("{}", render::escape_controls(text));
            let _ = std::io::stdout().flush();
        }
    };
    let mut scripted = choices.map(|c| c.iter().copied());
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    while let Some(prompt) = practice.session().prompt().cloned() {
        let turn = practice.session().turns().len() + 1;
        say(&render::prompt(name, &prompt));
        let pick = if let Some(it) = scripted.as_mut() {
            if let Some(p) = it.next() {
                say(&format!("> {p}\n"));
                p
            } else {
                eprintln!(
                    "error: the choices ran out at turn {turn} (node `{}`) before an ending; add more",
                    render::escape_controls(&prompt.node)
                );
                return Err(ExitCode::FAILURE);
            }
        } else {
            say(&format!("Choose 1-{} (q to stop): ", prompt.options.len()));
            let mut line = String::new();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let t = line.trim();
            if t.eq_ignore_ascii_case("q") {
                break;
            }
            if let Ok(n) = t.parse::<usize>() {
                n
            } else {
                say("Type the number of an option.\n");
                continue;
            }
        };
        match practice.play(Input::Choose(pick)) {
            Ok(played) if mode.is_coach() => say(&format!("{}\n", render::events(&played.events))),
            Ok(_) => say("\n"),
            Err(e) => {
                if scripted.is_some() {
                    eprintln!(
                        "error: turn {turn}: {}",
                        render::escape_controls(&e.to_string())
                    );
                    return Err(ExitCode::FAILURE);
                }
                say(&format!("{e}\n"));
            }
        }
    }
    if let Some(rest) = scripted.map(Iterator::collect::<Vec<_>>)
        && !rest.is_empty()
    {
        let played = practice.session().turns().len();
        eprintln!(
            "error: the session ended after {played} move{}, but {} more choice{} were given ({}); remove them",
            if played == 1 { "" } else { "s" },
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            rest.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        return Err(ExitCode::FAILURE);
    }
    if practice.session().hit_turn_limit() {
        eprintln!(
            "note: the session was stopped after {} moves, the most a session may have",
            crate::core::session::MAX_TURNS
        );
    }
    Ok(())
}

fn play(
    path: &Path,
    seed: Option<u64>,
    choices: Option<&[usize]>,
    json: bool,
    guidance: Option<&Path>,
    record: Option<(&Path, &str)>,
    mode: Mode,
) -> ExitCode {
    let (scenario, guidance) = match scenario_and_rubric(path, guidance) {
        Ok(both) => both,
        Err(c) => return c,
    };
    let seed = seed.unwrap_or_else(fresh_seed);
    let mut practice = match Practice::start(scenario.clone(), guidance, seed, mode, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let name = scenario.client.name.clone();
    let quiet = json;
    // Every text of the scenario is shown with its control characters
    // escaped (a client line cannot drive the terminal).
    let say = |text: &str| {
        if !quiet {
            print!("{}", render::escape_controls(text));
            let _ = std::io::stdout().flush();
        }
    };
    say(&format!(
        "{} (seed {seed}{})\n{}, {}: {}\n\n",
        scenario.title,
        if mode.is_coach() {
            ""
        } else {
            "; assessment mode: feedback comes in the debrief"
        },
        name,
        scenario.client.age,
        scenario.client.background
    ));
    if let Err(code) = drive(&mut practice, &name, choices, quiet) {
        return code;
    }
    if let Some((file, trainee)) = record {
        match practice.finish(trainee) {
            Some(r) => {
                if let Err(e) = crate::core::store::write_record(file, &r) {
                    eprintln!("error: the record could not be written: {e}");
                    return ExitCode::FAILURE;
                }
                eprintln!("record written to {}", file.display());
            }
            None => eprintln!(
                "note: the session ended before any move, so no record was written to {}",
                file.display()
            ),
        }
    }
    let debrief = Debrief::from_session(practice.session());
    if json {
        match serde_json::to_string_pretty(&debrief) {
            Ok(s) => emit(&format!("{}\n", render::escape_json_controls(&s))),
            Err(e) => {
                eprintln!("error: cannot write the debrief as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        emit(&render::escape_controls(&render::debrief(&debrief, &name)));
    }
    ExitCode::SUCCESS
}

/// `report`: reads the records, writes the HTML (and CSV, xAPI), and lists
/// every file skipped or flagged. Problems with records never fail the
/// command; a requested output that cannot be written does.
fn report_cmd(
    dir: &Path,
    out: &Path,
    csv: Option<&Path>,
    xapi: Option<&Path>,
    mut options: crate::core::report::ReportOptions,
) -> ExitCode {
    use crate::core::store::write_atomic;
    if xapi.is_some() && options.xapi_homepage == crate::core::report::DEFAULT_XAPI_HOMEPAGE {
        eprintln!(
            "note: the xAPI statements use the placeholder address {}; give --xapi-homepage with your course's address before importing them",
            crate::core::report::DEFAULT_XAPI_HOMEPAGE
        );
    }
    if options.scenario_dirs.is_empty() {
        let bundled = PathBuf::from("scenarios");
        if bundled.is_dir() {
            options.scenario_dirs.push(bundled);
        }
    }
    let report = match crate::core::report::build(dir, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if options.scenario_dirs.is_empty() {
        eprintln!(
            "note: no scenario folder (give --scenarios DIR); attempts of edited scenarios are not flagged"
        );
    }
    for p in &report.problems {
        let alias = if options.anonymize {
            format!(" ({} in the report)", p.file)
        } else {
            String::new()
        };
        eprintln!(
            "{}: {}{alias}: {}",
            p.kind.label(),
            p.path.display(),
            p.reason
        );
    }
    for n in &report.scenario_notes {
        eprintln!("note: {n}");
    }
    if !report.other_files.is_empty() {
        const SHOWN: usize = 10;
        let n = report.other_files.len();
        let names: Vec<String> = report
            .other_files
            .iter()
            .take(SHOWN)
            .map(|p| p.display().to_string())
            .collect();
        eprintln!(
            "note: {} not read: {}{}",
            if n == 1 {
                "1 other file is not a record (not named .json) and was".to_string()
            } else {
                format!("{n} other files are not records (not named .json) and were")
            },
            names.join(", "),
            if n > SHOWN {
                format!(" and {} more", n - SHOWN)
            } else {
                String::new()
            }
        );
    }
    let mut outputs: Vec<(&Path, Vec<u8>)> = vec![(out, report.html().into_bytes())];
    if let Some(c) = csv {
        outputs.push((c, report.csv().into_bytes()));
    }
    if let Some(x) = xapi {
        match serde_json::to_vec_pretty(&report.xapi()) {
            Ok(bytes) => outputs.push((x, bytes)),
            Err(e) => eprintln!("error: cannot write the xAPI statements as JSON: {e}"),
        }
    }
    let wanted = 1 + usize::from(csv.is_some()) + usize::from(xapi.is_some());
    let mut written = Vec::new();
    for (path, bytes) in outputs {
        match write_atomic(path, &bytes) {
            Ok(()) => written.push(path.display().to_string()),
            Err(e) => eprintln!("error: {e}"),
        }
    }
    let (attempts, skipped) = (report.attempts.len(), report.skipped().count());
    eprintln!(
        "{attempts} attempt{} ({} flagged), {skipped} file{} skipped; wrote {}",
        if attempts == 1 { "" } else { "s" },
        report.flagged().count(),
        if skipped == 1 { "" } else { "s" },
        if written.is_empty() {
            "nothing".to_string()
        } else {
            written.join(", ")
        }
    );
    if written.len() == wanted {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
