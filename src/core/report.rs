//! The class report: every attempt record in a folder, read, checked against
//! the current scenarios and summarised, then written as a self-contained
//! HTML page, a CSV with one row per attempt, and xAPI statements.
//!
//! Reading never stops at a bad file: a record that cannot be read (damaged,
//! cut off, another format or version, impossible numbers, not a regular
//! file, a link out of the folder, a temporary file of a save that was cut
//! short) is *skipped* with the reason; a record whose scenario changed
//! since, or cannot be found, or whose numbers are odd but harmless, is
//! *flagged* (kept, marked). Records are read with the store's one reader
//! ([`store::read_record_checked`]). With `anonymize`, names are replaced by
//! pseudonyms as the records are read, so nothing after that ever sees a
//! real name.
//!
//! Dates: `jiff` (its `Timestamp` prints RFC 3339 in UTC as xAPI wants it);
//! `time` would need its macros feature for the custom formats.
//! The home page is checked with `url` (the WHATWG parser browsers use).

mod aggregate;
mod csv;
mod html;
mod skills;
mod svg;
mod xapi;

pub use self::csv::guard as csv_guard;
pub use aggregate::{ChoicePoint, DimStats, Distribution, OptionStat, Progress, passed};
pub use html::esc as html_escape;
pub use skills::{ClassSkill, TestedPoint, TraineeSkills};
pub use store::MAX_RECORD_BYTES;
pub use xapi::statement_id;

use crate::core::drill::DrillRecord;
use crate::core::group::GroupRecord;
use crate::core::model::{MoveKind, Outcome};
use crate::core::session::Scores;
use crate::core::store::{self, AnyRecord, AttemptRecord, content_hash};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where xAPI accounts live and under which IRIs activities and extensions
/// are named, unless the tutor gives their own (`--xapi-homepage`).
pub const DEFAULT_XAPI_HOMEPAGE: &str = "https://ipt-trainer.invalid";

/// The overall score counted as a success in xAPI (and marked on charts).
pub const DEFAULT_PASS_MARK: i32 = 60;

/// How the report is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// Folders (or files) of the current scenarios, to notice edited ones.
    /// Empty: the scenarios are not checked.
    pub scenario_dirs: Vec<PathBuf>,
    /// Replace every name by a stable pseudonym (see [`pseudonym`]).
    pub anonymize: bool,
    /// The base IRI for xAPI accounts, activities and extensions.
    pub xapi_homepage: String,
    /// The overall score from which an attempt counts as a success.
    pub pass_mark: i32,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            scenario_dirs: Vec::new(),
            anonymize: false,
            xapi_homepage: DEFAULT_XAPI_HOMEPAGE.to_string(),
            pass_mark: DEFAULT_PASS_MARK,
        }
    }
}

/// Why a report could not be made at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read the folder of records {path}: {reason}")]
    Folder { path: PathBuf, reason: String },
    #[error(
        "the xAPI home page `{given}` cannot be used: {why}; give an absolute http(s) address without a query, fragment or password (e.g. https://lms.example.edu)"
    )]
    Homepage { given: String, why: &'static str },
}

/// Whether a file was left out or kept with a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// Not read: damaged, cut off, another format or version, impossible
    /// numbers, a duplicate, not a regular file, a link out of the folder,
    /// a temporary file.
    Skipped,
    /// Read and included, but marked: its scenario changed or is missing,
    /// or some of its numbers are odd.
    Flagged,
}

impl ProblemKind {
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::Skipped => "skipped",
            ProblemKind::Flagged => "flagged",
        }
    }
}

/// A file that was skipped or flagged, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The real path, for the tutor's terminal.
    pub path: PathBuf,
    /// The file as named in the report: its path under the folder, or a
    /// neutral id when anonymized (file names often carry a name).
    pub file: String,
    pub kind: ProblemKind,
    pub reason: String,
}

/// One move of an attempt, as much as the report needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveSummary {
    pub node: String,
    pub client_line: String,
    /// The option's index in the scenario's node.
    pub option: usize,
    pub text: String,
    pub kind: MoveKind,
    /// The move's points, summed over the three dimensions.
    pub points: i32,
    /// The better move's text, when the rubric saw one.
    pub better: Option<String>,
    /// The rubric counted the move a serious error.
    pub critical: bool,
    /// The principles the choice point tested (records made before drills
    /// have none).
    pub tested: Vec<String>,
}

impl MoveSummary {
    /// A mistake: the rubric saw a better move, or the move lost points.
    pub fn is_mistake(&self) -> bool {
        self.better.is_some() || self.points < 0
    }

    /// A best move: the rubric saw no better option at that point (as the
    /// skill profile counts a chance taken).
    pub fn is_best(&self) -> bool {
        self.better.is_none()
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingSummary {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
}

/// One attempt, as the report shows it (names already pseudonymised when
/// anonymizing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The file as named in the report (see [`Problem::file`]).
    pub file: String,
    /// The trainee's name or pseudonym (empty if the record has none).
    pub trainee: String,
    pub scenario_id: String,
    pub scenario_title: String,
    pub scenario_hash: String,
    pub rubric_version: String,
    pub coach_mode: bool,
    /// Seconds since the Unix epoch.
    pub finished_at: u64,
    pub seed: u64,
    /// The 1-based shown positions chosen.
    pub choices: Vec<usize>,
    pub scores: Scores,
    /// A serious error capped the overall score.
    pub critical: bool,
    /// `None`: the session was stopped before an ending.
    pub ending: Option<EndingSummary>,
    pub minutes_used: u32,
    pub minutes_planned: u32,
    pub moves: Vec<MoveSummary>,
    /// For a group session: the votes or the roster (names replaced).
    pub group: Option<GroupRecord>,
    /// Moves at the start repeated from an earlier recorded attempt (a
    /// retry); choice points count them only once, there.
    pub replayed: usize,
    /// Why the attempt is flagged, if it is.
    pub flag: Option<String>,
    /// A session of a case: which case, and which session.
    pub case: Option<crate::core::store::CaseRef>,
}

impl Attempt {
    /// The number of mistakes (see [`MoveSummary::is_mistake`]).
    pub fn mistakes(&self) -> usize {
        self.moves.iter().filter(|m| m.is_mistake()).count()
    }
}

/// What the current scenario files say about a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub id: String,
    pub title: String,
    /// The content hashes of the files with this id (usually one).
    pub hashes: Vec<String>,
    /// The choice points in the file's order.
    pub nodes: Vec<NodeInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub id: String,
    /// The author's discussion prompt for group debriefs (may be empty).
    pub prompt: String,
    /// The options' texts, by index.
    pub options: Vec<String>,
}

/// Everything read from a folder of records: the data of the report.
#[derive(Debug, Clone)]
pub struct Report {
    pub options: ReportOptions,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
    /// Sessions of drills, oldest first (names already pseudonymised when
    /// anonymizing), with the file each came from.
    pub drills: Vec<(String, DrillRecord)>,
    /// Skipped and flagged files, in file order.
    pub problems: Vec<Problem>,
    /// How many files were looked at as records: the `.json` files (in any
    /// case), links to them, and temporary files of records; each is either
    /// an attempt or a problem.
    pub files_found: usize,
    /// The other files in the folder, not read (real paths, for the
    /// terminal; the page only counts them).
    pub other_files: Vec<PathBuf>,
    /// The current scenarios by id (empty if none were given).
    pub scenarios: BTreeMap<String, ScenarioInfo>,
    /// Scenario files that could not be read, and why (shown as notes).
    pub scenario_notes: Vec<String>,
}

/// A stable pseudonym: the same name gives the same pseudonym on every run
/// and machine ("Trainee-" and 8 hex digits of a hash of the trimmed name).
/// This is pseudonymisation, not anonymity: anyone with the class list can
/// compute the pseudonyms and so re-identify the trainees.
pub fn pseudonym(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return String::new();
    }
    let h = content_hash(format!("ipt-trainer/pseudonym\n{name}").as_bytes());
    format!("Trainee-{}", &h[..8])
}

/// A neutral name for a file in an anonymized report.
fn file_id(relative: &str) -> String {
    let h = content_hash(format!("ipt-trainer/file\n{relative}").as_bytes());
    format!("file-{}", &h[..8])
}

/// A time as jiff sees it; `None` past the year 9999 (no record has one:
/// [`store::check_values`] refuses finish times outside 2020 to 2100).
fn timestamp(secs: u64) -> Option<jiff::Timestamp> {
    i64::try_from(secs)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
}

/// Seconds since the Unix epoch as ISO 8601 in UTC, e.g.
/// `2026-11-23T09:05:00Z`.
pub fn iso_utc(secs: u64) -> String {
    timestamp(secs).map_or_else(|| format!("(time {secs} out of range)"), |t| t.to_string())
}

/// The date part of [`iso_utc`].
pub fn iso_date(secs: u64) -> String {
    strftime(secs, "%Y-%m-%d")
}

/// A time in UTC in a `strftime` format.
fn strftime(secs: u64, format: &str) -> String {
    timestamp(secs).map_or_else(
        || format!("(time {secs} out of range)"),
        |t| t.strftime(format).to_string(),
    )
}

/// A time for people: `2026-11-23 16:55`.
pub fn human_time(secs: u64) -> String {
    strftime(secs, "%Y-%m-%d %H:%M")
}

/// Checks and normalises the xAPI home page: an absolute http(s) address
/// with a host, and no user name, password, query or fragment (each IRI is
/// made by appending a path, so anything after `?` or `#` would swallow
/// it), without a trailing slash. The address is kept as given (so the
/// statement ids of earlier reports stay the same).
pub fn check_homepage(homepage: &str) -> Result<String, ReportError> {
    let h = homepage.trim().trim_end_matches('/');
    let refuse = |why| ReportError::Homepage {
        given: homepage.to_string(),
        why,
    };
    let lower = h.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(refuse("it does not start with http:// or https://"));
    }
    let url = url::Url::parse(h).map_err(|_| refuse("it is not an http(s) address with a host"))?;
    if !url.has_host() || url.host_str().is_some_and(str::is_empty) {
        return Err(refuse("it is not an http(s) address with a host"));
    }
    if url.fragment().is_some() {
        return Err(refuse(
            "it has a fragment (`#…`), which would put every IRI inside it",
        ));
    }
    if url.query().is_some() {
        return Err(refuse(
            "it has a query (`?…`), which would put every IRI inside it",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it has a user name or password"));
    }
    if h.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
    {
        return Err(refuse(
            "it has a space or a character not allowed in an IRI",
        ));
    }
    Ok(h.to_string())
}

/// What a walk of the folder found.
#[derive(Default)]
struct Found {
    /// Files to read as records, sorted.
    records: Vec<PathBuf>,
    /// Files not read, and why (links out of the folder, links to folders
    /// or devices, temporary files).
    skipped: Vec<(PathBuf, String)>,
    /// Files that are not records (not named `.json`).
    others: Vec<PathBuf>,
}

/// The files under `dir`, recursively. Links are followed only to regular
/// files inside the folder: a link out of it, to a folder (which could make
/// a loop) or to a device is listed instead, as is a temporary file of a
/// record that a killed save left.
fn record_files(dir: &Path) -> Result<Found, ReportError> {
    let folder_error = |e: std::io::Error| ReportError::Folder {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    };
    let mut found = Found::default();
    if std::fs::metadata(dir).map_err(folder_error)?.is_file() {
        found.records.push(dir.to_path_buf());
        return Ok(found);
    }
    let root = std::fs::canonicalize(dir).map_err(folder_error)?;
    let mut pending = vec![dir.to_path_buf()];
    let mut first = true;
    while let Some(d) = pending.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            // The folder given must be readable; a subfolder that is not is
            // passed over (its files cannot be listed as problems either).
            Err(e) if first => return Err(folder_error(e)),
            Err(_) => continue,
        };
        first = false;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let is_record = store::is_record_name(&name);
            if kind.is_dir() {
                pending.push(path);
            } else if name.to_str().is_some_and(store::is_temp_record_name) {
                found.skipped.push((
                    path,
                    "a temporary file left by a save that was cut short (such as `play --record` \
                     stopped with kill -9), not a record; the finished record, if there is one, \
                     is beside it"
                        .into(),
                ));
            } else if kind.is_symlink() {
                match link_problem(&path, &root) {
                    None if is_record => found.records.push(path),
                    None => found.others.push(path),
                    Some(why) => found.skipped.push((path, why)),
                }
            } else if is_record {
                found.records.push(path);
            } else {
                found.others.push(path);
            }
        }
    }
    found.records.sort();
    found.others.sort();
    Ok(found)
}

/// Why a link in the folder is not followed (`None`: it leads to a regular
/// file inside the folder).
fn link_problem(link: &Path, root: &Path) -> Option<String> {
    let Ok(target) = std::fs::canonicalize(link) else {
        return Some("a link to nothing (its target does not exist)".into());
    };
    let meta = std::fs::metadata(&target).ok()?;
    let shown = target.display();
    if meta.is_dir() {
        return Some(format!(
            "a link to a folder, not followed (its records are read where they are): {shown}"
        ));
    }
    if !meta.is_file() {
        // The shared reader names what it is (and opens nothing that is not
        // a regular file).
        let what = crate::core::fsread::read_limited(&target, 0)
            .err()
            .map_or_else(|| "not a regular file".to_string(), |e| e.to_string());
        return Some(format!("a link, not read: {what}: {shown}"));
    }
    if !target.starts_with(root) {
        return Some(format!(
            "a link to a file outside the folder, not followed: {shown}"
        ));
    }
    None
}

/// Runs `f` on every path, on all cores, keeping the order.
fn map_parallel<R: Send>(paths: &[PathBuf], f: impl Fn(&Path) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 16);
    if threads == 1 || paths.len() < 32 {
        return paths.iter().map(|p| f(p)).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(|p| f(p)).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A record as read for the report.
enum Read {
    Attempt(
        (String, String, u64, u64, Vec<usize>),
        Box<Attempt>,
        Option<String>,
    ),
    Drills(String, DrillRecord),
}

/// The attempt as the report needs it, names replaced by `name`.
fn summarise(r: AttemptRecord, file: String, name: &dyn Fn(&str) -> String) -> Attempt {
    let d = r.debrief;
    let moves = d
        .turns
        .into_iter()
        .map(|t| MoveSummary {
            node: t.node,
            client_line: t.client_line,
            option: t.option,
            text: t.text,
            kind: t.kind,
            points: t.score.total(),
            critical: t.fired.iter().any(|f| f.critical),
            better: t.better.map(|b| b.text),
            tested: t.tested,
        })
        .collect();
    let group = r.group.map(|mut g| {
        for n in &mut g.roster {
            *n = name(n);
        }
        for t in &mut g.turns {
            if let Some(by) = &mut t.by {
                *by = name(by);
            }
        }
        for s in &mut g.skips {
            s.who = name(&s.who);
        }
        // An unnamed device is "Student N" already: only names are replaced.
        for d in g.devices.iter_mut().filter(|d| d.named) {
            d.pseudonym = name(&d.pseudonym);
        }
        g
    });
    Attempt {
        file,
        trainee: name(&r.trainee),
        scenario_id: r.scenario_id,
        scenario_title: r.scenario_title,
        scenario_hash: r.scenario_hash,
        rubric_version: r.rubric_version,
        coach_mode: r.coach_mode,
        finished_at: r.finished_at,
        seed: d.seed,
        choices: d.choices,
        scores: d.scores,
        critical: !d.critical.is_empty(),
        ending: d.ending.map(|e| EndingSummary {
            id: e.id,
            title: e.title,
            outcome: e.outcome,
        }),
        minutes_used: d.minutes_used,
        minutes_planned: d.minutes_planned,
        moves,
        group,
        replayed: r.replayed_turns,
        flag: None,
        case: r.case,
    }
}

/// Reads the current scenarios: their hashes, choice points and options.
fn read_scenarios(dirs: &[PathBuf]) -> (BTreeMap<String, ScenarioInfo>, Vec<String>) {
    let mut out: BTreeMap<String, ScenarioInfo> = BTreeMap::new();
    let mut notes = Vec::new();
    for dir in dirs {
        let files = match crate::core::load::scenario_files(dir) {
            Ok(f) => f,
            Err(d) => {
                notes.push(format!("{}: {}", dir.display(), d.message));
                continue;
            }
        };
        for f in files {
            let Some(s) = crate::core::load::load_scenario_file(&f).value else {
                notes.push(format!(
                    "{}: does not load, so its attempts cannot be checked against it",
                    f.display()
                ));
                continue;
            };
            let hash = store::scenario_hash(&s);
            let info = out.entry(s.id.clone()).or_insert_with(|| ScenarioInfo {
                id: s.id.clone(),
                title: s.title.clone(),
                hashes: Vec::new(),
                nodes: s
                    .nodes
                    .iter()
                    .map(|n| NodeInfo {
                        id: n.id.clone(),
                        prompt: n.prompt.clone(),
                        options: n.options.iter().map(|o| o.text.clone()).collect(),
                    })
                    .collect(),
            });
            if !info.hashes.contains(&hash) {
                info.hashes.push(hash);
            }
        }
    }
    (out, notes)
}

/// Reads every record under `dir` and checks it against the scenarios in
/// `options.scenario_dirs`. Fails only if `dir` itself cannot be read or the
/// options are unusable; every problem with a single file is kept in
/// [`Report::problems`].
pub fn build(dir: &Path, options: &ReportOptions) -> Result<Report, ReportError> {
    let mut options = options.clone();
    options.xapi_homepage = check_homepage(&options.xapi_homepage)?;
    let found = record_files(dir)?;
    let (scenarios, scenario_notes) = read_scenarios(&options.scenario_dirs);
    let anonymize = options.anonymize;
    let name = move |n: &str| {
        if anonymize {
            pseudonym(n)
        } else {
            n.trim().to_string()
        }
    };
    let shown_file = |p: &Path| {
        let rel = p
            .strip_prefix(dir)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned();
        if anonymize { file_id(&rel) } else { rel }
    };
    let read = map_parallel(&found.records, |p| {
        store::read_any_record(p).map(|any| match any {
            AnyRecord::Attempt(r, check) => {
                let key = (
                    r.trainee.trim().to_string(),
                    r.scenario_id.clone(),
                    r.finished_at,
                    r.debrief.seed,
                    r.debrief.choices.clone(),
                );
                Read::Attempt(
                    key,
                    Box::new(summarise(*r, shown_file(p), &name)),
                    check.odd_summary(),
                )
            }
            AnyRecord::Drills(mut d) => {
                d.trainee = name(&d.trainee);
                Read::Drills(shown_file(p), d)
            }
        })
    });

    let mut attempts = Vec::new();
    let mut drills: Vec<(String, DrillRecord)> = Vec::new();
    let mut problems = Vec::new();
    // The parser's words, or a link's target, can quote a name.
    let hide = |reason: String| {
        if anonymize {
            let kind = reason.split(':').next().unwrap_or_default().trim();
            format!("{kind} (details hidden by --anonymize)")
        } else {
            reason
        }
    };
    for (path, reason) in &found.skipped {
        problems.push(Problem {
            path: path.clone(),
            file: shown_file(path),
            kind: ProblemKind::Skipped,
            reason: hide(reason.clone()),
        });
    }
    let mut seen: HashMap<(String, String, u64, u64, Vec<usize>), String> = HashMap::new();
    for (path, result) in found.records.iter().zip(read) {
        let file = shown_file(path);
        let problem = |kind, reason| Problem {
            path: path.clone(),
            file: file.clone(),
            kind,
            reason,
        };
        let (key, mut attempt, odd) = match result {
            Ok(Read::Attempt(key, attempt, odd)) => (key, *attempt, odd),
            Ok(Read::Drills(file, d)) => {
                drills.push((file, d));
                continue;
            }
            Err(e) => {
                let reason = if anonymize && e.quotes_the_file() {
                    format!("{} (details hidden by --anonymize)", e.kind_only())
                } else {
                    e.to_string()
                };
                problems.push(problem(ProblemKind::Skipped, reason));
                continue;
            }
        };
        if let Some(first) = seen.get(&key) {
            problems.push(problem(
                ProblemKind::Skipped,
                format!("the same attempt as {first}; counted once"),
            ));
            continue;
        }
        seen.insert(key, file.clone());
        let scenario = if options.scenario_dirs.is_empty() {
            None
        } else {
            match scenarios.get(&attempt.scenario_id) {
                None => Some(format!(
                    "scenario `{}` is not in the scenario folders; the attempt cannot be checked against it",
                    attempt.scenario_id
                )),
                Some(info) if !info.hashes.contains(&attempt.scenario_hash) => Some(format!(
                    "scenario `{}` has changed since this attempt (content hash {} then, {} now); its choice points may differ",
                    attempt.scenario_id,
                    attempt.scenario_hash,
                    info.hashes.join(" or ")
                )),
                Some(_) => None,
            }
        };
        let odd = odd.map(|o| format!("odd values (no session gives them): {o}"));
        attempt.flag = match (scenario, odd) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        if let Some(reason) = &attempt.flag {
            problems.push(problem(ProblemKind::Flagged, reason.clone()));
        }
        attempts.push(attempt);
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    attempts.sort_by(|a, b| {
        (a.finished_at, &a.trainee, &a.file).cmp(&(b.finished_at, &b.trainee, &b.file))
    });
    drills.sort_by(|(fa, a), (fb, b)| {
        (a.finished_at, &a.trainee, fa).cmp(&(b.finished_at, &b.trainee, fb))
    });
    Ok(Report {
        options,
        attempts,
        drills,
        problems,
        files_found: found.records.len() + found.skipped.len(),
        other_files: found.others,
        scenarios,
        scenario_notes,
    })
}

impl Report {
    /// The attempts as CSV, one row per attempt, with a header row.
    pub fn csv(&self) -> String {
        csv::render(self)
    }

    /// The report as one self-contained HTML page.
    pub fn html(&self) -> String {
        html::render(self)
    }

    /// The attempts as a JSON array of xAPI 1.0.3 statements.
    pub fn xapi(&self) -> serde_json::Value {
        xapi::statements(self)
    }

    /// The choice points of every scenario, with how often each option was
    /// chosen; within a scenario, the most mistakes first.
    pub fn choice_points(&self) -> Vec<ChoicePoint> {
        aggregate::choice_points(self)
    }

    /// The distribution of each score, per scenario (by title).
    pub fn distributions(&self) -> Vec<Distribution> {
        aggregate::distributions(self)
    }

    /// Each trainee's attempts in time order (by name).
    pub fn progress(&self) -> Vec<Progress> {
        aggregate::progress(self)
    }

    pub fn skipped(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Skipped)
    }

    pub fn flagged(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Flagged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(iso_utc(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(iso_date(1_709_210_096), "2024-02-29");
        assert_eq!(human_time(1_709_210_096), "2024-02-29 12:34");
        assert!(iso_utc(u64::MAX).contains("out of range"));
    }

    #[test]
    fn pseudonyms_are_stable_and_hide_the_name() {
        let p = pseudonym("Sam Smith");
        assert_eq!(p, pseudonym("  Sam Smith "));
        assert_ne!(p, pseudonym("Sam Smit"));
        assert!(p.starts_with("Trainee-") && p.len() == 16, "{p}");
        assert!(!p.contains("Sam"));
        assert_eq!(pseudonym(" "), "");
    }

    #[test]
    fn homepages_must_be_absolute() {
        assert_eq!(
            check_homepage("https://lms.example.edu/").as_deref(),
            Ok("https://lms.example.edu")
        );
        assert!(check_homepage("lms.example.edu").is_err());
        assert!(check_homepage("https://").is_err());
        assert!(check_homepage("https://a b").is_err());
        assert!(check_homepage("https://a.example/x y").is_err());
        assert_eq!(
            check_homepage(" http://LMS.example.edu/ipt// ").as_deref(),
            Ok("http://LMS.example.edu/ipt"),
            "kept as given, so statement ids do not change"
        );
    }
}
