//! Per-user data: settings, the records of finished attempts, and the
//! session in progress. Every write is atomic (a temporary file, then a
//! rename); a damaged file is set aside with a message, never fatal.

use crate::core::debrief::Debrief;
use crate::core::drill::{DRILL_FORMAT, DRILL_VERSION, DrillRecord};
use crate::core::fsread::{self, ReadError};
use crate::core::model::Scenario;
use crate::core::rubric::Dimension;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const RECORD_FORMAT: &str = "ipt-trainer/attempt";
pub const RECORD_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    HighContrast,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub trainee: String,
    /// Text scale, 0.75 to 2.5.
    pub text_scale: f32,
    pub theme: Theme,
    pub coach_by_default: bool,
    pub reduced_motion: bool,
    /// A tutor's folder of scenarios, loaded beside the bundled ones.
    pub tutor_folder: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            trainee: String::new(),
            text_scale: 1.0,
            theme: Theme::Light,
            coach_by_default: true,
            reduced_motion: false,
            tutor_folder: None,
        }
    }
}

/// The record of one finished attempt: self-describing and versioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub format: String,
    pub version: u32,
    pub trainee: String,
    pub scenario_id: String,
    pub scenario_title: String,
    /// A hash of the scenario's content, to notice later edits.
    pub scenario_hash: String,
    pub rubric_version: String,
    pub coach_mode: bool,
    /// Seconds since the Unix epoch.
    pub finished_at: u64,
    pub debrief: Debrief,
    /// For a group session: the class's votes or the hot seat's roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::core::group::GroupRecord>,
    /// A retry from turn N repeats the first N-1 moves of an attempt that
    /// is already recorded: how many, so a class report counts them once.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replayed_turns: usize,
    /// A session of a case (a course with one client): which case, and
    /// which session of how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseRef>,
}

/// A trainee's way through a case so far: the sessions played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseProgress {
    pub format: String,
    pub version: u32,
    pub case_id: String,
    pub done: Vec<crate::core::case::SessionDone>,
}

/// The `format` of a course's progress file.
pub const COURSE_FORMAT: &str = "ipt-trainer-course";

/// Where a session stands in its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRef {
    pub id: String,
    pub title: String,
    pub number: u32,
    pub total: u32,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl AttemptRecord {
    /// The record of a session (finished, or stopped early).
    pub fn from_session(
        s: &crate::core::session::Session,
        trainee: &str,
        coach_mode: bool,
    ) -> AttemptRecord {
        AttemptRecord {
            format: RECORD_FORMAT.into(),
            version: RECORD_VERSION,
            trainee: trainee.to_string(),
            scenario_id: s.scenario().id.clone(),
            scenario_title: s.scenario().title.clone(),
            scenario_hash: scenario_hash(s.scenario()),
            rubric_version: s.guidance().version.clone(),
            coach_mode,
            finished_at: now_secs(),
            debrief: Debrief::from_session(s),
            group: None,
            replayed_turns: 0,
            case: None,
        }
    }
}

/// The session in progress, saved after every move so it can be resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InProgress {
    pub scenario_id: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub positions: Vec<usize>,
    pub coach_mode: bool,
    /// For a group session: what the group has done so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::core::group::GroupRecord>,
    /// For a session of a case: which case and session (it resumes in
    /// its place in the course, carried over as it began).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseRef>,
}

/// Something wrong with stored data, reported to the user; nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreProblem {
    #[error(
        "{path} could not be read ({reason}); it was moved to {moved_to} and defaults are used"
    )]
    SetAside {
        path: PathBuf,
        reason: String,
        moved_to: PathBuf,
    },
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },
}

/// A stable content hash (FNV-1a, 64 bits) as hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The hash of a scenario's content (independent of formatting and comments).
pub fn scenario_hash(s: &Scenario) -> String {
    content_hash(serde_json::to_string(s).unwrap_or_default().as_bytes())
}

// `tempfile`'s `NamedTempFile::persist` would do the write and the rename,
// but its random names cannot be told apart as one target's leftovers, to
// clean after a killed write; file locks are in std (`File::lock`).

/// How many writes this process has started, for unique temporary names.
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A temporary file that no write has touched for this long, and that no
/// writer holds locked, was left by a write that was killed.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// Where file locks are not supported, a temporary file this old is stale.
const STALE_UNLOCKED_AFTER: std::time::Duration = std::time::Duration::from_mins(10);

/// Whether `name` is a temporary file of a write to `target`: the name
/// [`write_atomic`] gives (`TARGET.PID-N.tmp`) or the one it gave before
/// (`TARGET.tmp`).
fn is_temp_of(name: &str, target: &str) -> bool {
    let Some(rest) = name
        .strip_prefix(target)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix("tmp"))
    else {
        return false;
    };
    let Some(unique) = rest.strip_suffix('.') else {
        return rest.is_empty();
    };
    unique.split_once('-').is_some_and(|(pid, n)| {
        !pid.is_empty()
            && !n.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether a file name is a temporary file of some write of a record
/// (`….json.tmp`, `….json.PID-N.tmp`, in any case), as a killed
/// `play --record` leaves.
pub fn is_temp_record_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.find(".json.").is_some_and(|at| {
        let target_len = at + ".json".len();
        is_temp_of(&lower, &lower[..target_len])
    })
}

/// Removes the temporary files of earlier writes to `target` in `dir` that
/// were left by a write that was killed: not written to for a while, and not
/// locked by a writer. Nothing else is touched; a file that cannot be
/// removed is left (the write goes on).
fn remove_stale_temps(dir: &Path, target: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Only regular files (never a link, a FIFO or a folder).
        if !is_temp_of(name, target) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let age = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        if age < STALE_AFTER {
            continue;
        }
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        let stale = match f.try_lock() {
            Ok(()) => true,
            Err(std::fs::TryLockError::WouldBlock) => false,
            Err(std::fs::TryLockError::Error(_)) => age >= STALE_UNLOCKED_AFTER,
        };
        if stale {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Creates a new temporary file for a write to `target` in `dir`, with a
/// name no other write uses (this process's id and a count; never over an
/// existing file).
fn create_temp(dir: &Path, target: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..100 {
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("{target}.{pid}-{n}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it (a name
/// of its own for every write, so writes of the same file at once do not
/// clash), synced, then renamed over `path`. Readers see the old file or the
/// new one, never half of one. The temporary files of earlier writes to the
/// same `path` that were killed half-way (`kill -9`, a power cut) are
/// removed first; one that another write is still making (it holds a lock
/// on it) is left alone.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreProblem> {
    use std::io::Write;
    let io = |e: std::io::Error| StoreProblem::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let Some(target) = path.file_name().and_then(|n| n.to_str()) else {
        return Err(StoreProblem::Io {
            path: path.to_path_buf(),
            reason: "not the path of a file with a UTF-8 name".into(),
        });
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    remove_stale_temps(dir, target);
    let (tmp, mut f) = create_temp(dir, target).map_err(io)?;
    // Held while writing, so that another write's clean-up leaves this file
    // alone (a lock ends with its process, so a killed write's file is free).
    let _ = f.lock();
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The platform's data directory (or `IPT_TRAINER_DATA` if set).
    pub fn open_default() -> Self {
        if let Some(d) = std::env::var_os("IPT_TRAINER_DATA") {
            return Store::new(PathBuf::from(d));
        }
        let dir = directories::ProjectDirs::from("org", "ipt-trainer", "ipt-trainer").map_or_else(
            || PathBuf::from(".ipt-trainer"),
            |p| p.data_dir().to_path_buf(),
        );
        Store::new(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn settings_path(&self) -> PathBuf {
        self.dir.join("settings.ron")
    }

    fn in_progress_path(&self) -> PathBuf {
        self.dir.join("in-progress.json")
    }

    pub fn records_dir(&self) -> PathBuf {
        self.dir.join("records")
    }

    /// Moves a damaged file aside so the user's data is kept for inspection.
    fn set_aside(path: &Path, reason: String) -> StoreProblem {
        let moved_to = path.with_extension(format!("damaged-{}", now_secs()));
        let moved_to = match std::fs::rename(path, &moved_to) {
            Ok(()) => moved_to,
            Err(_) => path.to_path_buf(),
        };
        StoreProblem::SetAside {
            path: path.to_path_buf(),
            reason,
            moved_to,
        }
    }

    /// The settings; defaults if there are none or they are damaged.
    pub fn load_settings(&self) -> (Settings, Option<StoreProblem>) {
        let path = self.settings_path();
        if is_missing(&path) {
            return (Settings::default(), None);
        }
        match fsread::read_text_limited(&path, MAX_SETTINGS_BYTES) {
            Err(e) => (
                Settings::default(),
                Some(Self::set_aside(&path, e.to_string())),
            ),
            Ok(text) => match ron::from_str::<Settings>(&text) {
                Ok(s) => (s, None),
                Err(e) => (
                    Settings::default(),
                    Some(Self::set_aside(&path, e.to_string())),
                ),
            },
        }
    }

    pub fn save_settings(&self, s: &Settings) -> Result<(), StoreProblem> {
        let text =
            ron::ser::to_string_pretty(s, ron::ser::PrettyConfig::default()).map_err(|e| {
                StoreProblem::Io {
                    path: self.settings_path(),
                    reason: e.to_string(),
                }
            })?;
        write_atomic(&self.settings_path(), text.as_bytes())
    }

    pub fn save_in_progress(&self, p: &InProgress) -> Result<(), StoreProblem> {
        let json = serde_json::to_vec_pretty(p).map_err(|e| StoreProblem::Io {
            path: self.in_progress_path(),
            reason: e.to_string(),
        })?;
        write_atomic(&self.in_progress_path(), &json)
    }

    /// Where a trainee's progress through a case is kept: `courses/<id>.json`
    /// (the id with anything but letters, digits, `-` and `_` replaced).
    fn course_path(&self, case_id: &str) -> PathBuf {
        let safe: String = case_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(100)
            .collect();
        self.dir.join("courses").join(format!("{safe}.json"))
    }

    /// Saves a trainee's progress through a case (after each session).
    pub fn save_course(&self, p: &CourseProgress) -> Result<(), StoreProblem> {
        let path = self.course_path(&p.case_id);
        let io = |e: String| StoreProblem::Io {
            path: path.clone(),
            reason: e,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(e.to_string()))?;
        }
        let json = serde_json::to_vec_pretty(p).map_err(|e| io(e.to_string()))?;
        write_atomic(&path, &json)
    }

    /// The progress through a case saved earlier, if any; a damaged file is
    /// set aside and reported.
    pub fn load_course(&self, case_id: &str) -> (Option<CourseProgress>, Option<StoreProblem>) {
        let path = self.course_path(case_id);
        if is_missing(&path) {
            return (None, None);
        }
        let parsed = fsread::read_limited(&path, MAX_RECORD_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                serde_json::from_slice::<CourseProgress>(&bytes).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(p) if p.case_id == case_id => (Some(p), None),
            Ok(_) => (None, None),
            Err(reason) => (None, Some(Self::set_aside(&path, reason))),
        }
    }

    /// Forgets the progress through a case (to start it over).
    pub fn clear_course(&self, case_id: &str) {
        let _ = std::fs::remove_file(self.course_path(case_id));
    }

    pub fn load_in_progress(&self) -> (Option<InProgress>, Option<StoreProblem>) {
        let path = self.in_progress_path();
        if is_missing(&path) {
            return (None, None);
        }
        let parsed = fsread::read_limited(&path, MAX_RECORD_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                serde_json::from_slice(bytes).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(p) => (Some(p), None),
            Err(reason) => (None, Some(Self::set_aside(&path, reason))),
        }
    }

    pub fn clear_in_progress(&self) {
        let _ = std::fs::remove_file(self.in_progress_path());
    }

    /// Saves a finished attempt; returns where.
    pub fn save_attempt(&self, r: &AttemptRecord) -> Result<PathBuf, StoreProblem> {
        let name = format!(
            "{}-{}-{}.json",
            r.finished_at,
            sanitize(&r.scenario_id),
            r.debrief.seed
        );
        // Never over an earlier attempt: a retry keeps the seed and can
        // finish within the same second.
        let path = self.free_record_path(&name);
        write_record(&path, r)?;
        Ok(path)
    }

    /// `name` in the records folder, or `name-2.json`, `-3`, … if taken.
    fn free_record_path(&self, name: &str) -> PathBuf {
        let mut path = self.records_dir().join(name);
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = self
                .records_dir()
                .join(name.replace(".json", &format!("-{n}.json")));
        }
        path
    }

    /// Every readable record, oldest first, and a problem for each unreadable one.
    pub fn load_attempts(&self) -> (Vec<AttemptRecord>, Vec<StoreProblem>) {
        read_records(&self.records_dir())
    }

    /// Every readable record of either kind (see [`read_all_records`]).
    pub fn load_all(&self) -> (Vec<AttemptRecord>, Vec<DrillRecord>, Vec<StoreProblem>) {
        read_all_records(&self.records_dir())
    }

    /// Saves a session of drills beside the session records; returns where.
    pub fn save_drills(&self, r: &DrillRecord) -> Result<PathBuf, StoreProblem> {
        self.save_drills_over(r, None)
    }

    /// Saves a session of drills still going on: over `earlier` (where the
    /// same session was saved after its last drill) when that is a record
    /// file of this store, else as [`Store::save_drills`] does. So a window
    /// closed halfway keeps every drill answered, in one record.
    pub fn save_drills_over(
        &self,
        r: &DrillRecord,
        earlier: Option<&Path>,
    ) -> Result<PathBuf, StoreProblem> {
        let dir = self.records_dir();
        let path = match earlier {
            Some(p) if p.parent() == Some(dir.as_path()) => p.to_path_buf(),
            _ => self.free_record_path(&format!("drills-{}-{}.json", r.finished_at, r.seed)),
        };
        let json = serde_json::to_vec_pretty(r).map_err(|e| StoreProblem::Io {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomic(&path, &json)?;
        Ok(path)
    }
}

/// Nothing at all is at `path` (not even a broken link).
fn is_missing(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes a record as JSON (for `File → Export` and `play --record`).
pub fn write_record(path: &Path, r: &AttemptRecord) -> Result<(), StoreProblem> {
    let json = serde_json::to_vec_pretty(r).map_err(|e| StoreProblem::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_atomic(path, &json)
}

/// Files larger than this are not read as records (a long session's record
/// is about 50 KB). The History and the class report read with this limit.
pub const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;

/// Settings are a few hundred bytes.
const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// Why a record cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Not a regular file, too large, not readable.
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("not a readable record: {0}")]
    Syntax(String),
    #[error("not an ipt-trainer attempt record{0}")]
    Format(String),
    #[error("the record has no version; this program reads version {RECORD_VERSION}")]
    NoVersion,
    #[error(
        "record version {found} is not one this program reads (it reads {RECORD_VERSION}, a whole number)"
    )]
    Version { found: String },
    #[error("damaged record: {0}")]
    Damaged(String),
    /// Numbers no session can give: using them would make a report wrong.
    #[error("impossible values: {}", .0.join("; "))]
    Impossible(Vec<String>),
}

impl RecordError {
    /// Whether the message may quote text from the file (and so a name).
    pub fn quotes_the_file(&self) -> bool {
        matches!(
            self,
            RecordError::Syntax(_)
                | RecordError::Format(_)
                | RecordError::Version { .. }
                | RecordError::Damaged(_)
        )
    }

    /// The message without anything quoted from the file.
    pub fn kind_only(&self) -> &'static str {
        match self {
            RecordError::Read(_) => "cannot read the file",
            RecordError::Syntax(_) => "not a readable record",
            RecordError::Format(_) => "not an ipt-trainer attempt record",
            RecordError::NoVersion | RecordError::Version { .. } => {
                "a record version this program does not read"
            }
            RecordError::Damaged(_) => "damaged record",
            RecordError::Impossible(_) => "impossible values",
        }
    }
}

/// A JSON value as a person would name it, shortened.
fn describe(v: &serde_json::Value) -> String {
    use serde_json::Value;
    let short = |s: &str| {
        let cut: String = s.chars().take(40).collect();
        if cut.len() < s.len() {
            format!("{cut}…")
        } else {
            cut
        }
    };
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b} (true or false)"),
        Value::Number(n) if n.is_u64() => n.to_string(),
        Value::Number(n) if n.is_i64() => format!("{n} (a negative number)"),
        Value::Number(n) => format!("{n} (a number with a fraction)"),
        Value::String(s) => format!("{} (a string)", Value::String(short(s))),
        Value::Array(_) => "[…] (a list)".into(),
        Value::Object(_) => "{…} (an object)".into(),
    }
}

/// Parses the bytes of a record (a leading UTF-8 byte-order mark allowed),
/// checking its format and version. A record written by this program is
/// parsed once, straight into its typed form; anything else is looked at
/// more closely to say what is wrong.
pub fn parse_record(bytes: &[u8]) -> Result<AttemptRecord, RecordError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let typed = match serde_json::from_slice::<AttemptRecord>(bytes) {
        Ok(r) if r.format == RECORD_FORMAT && r.version == RECORD_VERSION => return Ok(r),
        Ok(_) => None,
        Err(e) => Some(e),
    };
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| RecordError::Syntax(e.to_string()))?;
    match v.get("format") {
        Some(serde_json::Value::String(f)) if f == RECORD_FORMAT => {}
        Some(serde_json::Value::String(f)) => {
            return Err(RecordError::Format(format!(
                " (its format is {})",
                serde_json::Value::String(f.chars().take(60).collect())
            )));
        }
        _ if !v.is_object() => {
            return Err(RecordError::Format(" (not a JSON object)".into()));
        }
        _ => return Err(RecordError::Format(String::new())),
    }
    match v.get("version") {
        None => return Err(RecordError::NoVersion),
        Some(n) if n.as_u64() == Some(u64::from(RECORD_VERSION)) => {}
        Some(other) => {
            return Err(RecordError::Version {
                found: describe(other),
            });
        }
    }
    // Read from the text, the error names its line and column; read from
    // the value, it would not.
    serde_json::from_value(v)
        .map_err(|e| RecordError::Damaged(typed.map_or_else(|| e.to_string(), |e| e.to_string())))
}

/// The earliest finish time a record can have: 2020-01-01 00:00 UTC.
pub const FINISHED_FROM: u64 = 1_577_836_800;
/// The first finish time a record cannot have: 2100-01-01 00:00 UTC.
pub const FINISHED_BEFORE: u64 = 4_102_444_800;
/// The most votes one option can get at one choice point (the largest count
/// the app's class vote takes).
pub const MAX_VOTES: u32 = 9_999;
/// The most points (up or down) one move can give on one dimension: far more
/// than any rubric gives, and small enough that no sum overflows.
pub const MAX_MOVE_POINTS: i32 = 1_000;
/// The most one choice point can put at stake on one dimension: the gap
/// between two options' points.
pub const MAX_TURN_STAKE: i32 = 2 * MAX_MOVE_POINTS;

/// What is wrong with the numbers of a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueCheck {
    /// Numbers that would make what is counted from the record wrong (a
    /// score past 100, a finish time in another century, a billion votes):
    /// the record cannot be used.
    pub unusable: Vec<String>,
    /// Numbers that cannot come from a session but change nothing that is
    /// counted (minutes, the client's state, choices that do not match the
    /// moves): the record can be used, marked.
    pub odd: Vec<String>,
}

impl ValueCheck {
    /// The odd values in one sentence, at most a few of them named.
    pub fn odd_summary(&self) -> Option<String> {
        summary(&self.odd)
    }
}

fn summary(list: &[String]) -> Option<String> {
    const SHOWN: usize = 3;
    match list.len() {
        0 => None,
        n if n <= SHOWN => Some(list.join("; ")),
        n => Some(format!(
            "{}; and {} more",
            list[..SHOWN].join("; "),
            n - SHOWN
        )),
    }
}

/// Checks every number a record carries against what a session can give.
/// (Any `u64` is a seed: sessions started without one take the clock's
/// nanoseconds.)
pub fn check_values(r: &AttemptRecord) -> ValueCheck {
    let mut c = ValueCheck::default();
    let d = &r.debrief;
    let score = |v: i32| (0..=100).contains(&v);

    if !(FINISHED_FROM..FINISHED_BEFORE).contains(&r.finished_at) {
        c.unusable.push(format!(
            "finish time {} is not between 2020 and 2100",
            r.finished_at
        ));
    }
    for (name, v) in [
        ("rapport", d.scores.rapport),
        ("pacing", d.scores.pacing),
        ("focus", d.scores.focus),
        ("overall", d.scores.overall),
    ] {
        if !score(v) {
            c.unusable
                .push(format!("{name} {v} (scores run from 0 to 100)"));
        }
    }
    let state = |c: &mut ValueCheck, at: &str, s: &crate::core::model::ClientState| {
        for (name, v) in [
            ("trust", s.trust),
            ("distress", s.distress),
            ("openness", s.openness),
        ] {
            if !score(v) {
                c.odd.push(format!(
                    "{at}: the client's {name} {v} (it runs from 0 to 100)"
                ));
            }
        }
    };
    for (k, t) in d.turns.iter().enumerate() {
        let at = format!("move {}", k + 1);
        for (name, v) in [
            ("rapport", t.score.rapport),
            ("pacing", t.score.pacing),
            ("focus", t.score.focus),
        ] {
            if v.unsigned_abs() > MAX_MOVE_POINTS.unsigned_abs() {
                c.unusable.push(format!(
                    "{at}: {v} points of {name} (a move gives at most {MAX_MOVE_POINTS} either way)"
                ));
            }
        }
        if t.number != k + 1 {
            c.odd.push(format!("{at} is numbered {}", t.number));
        }
        if t.shown_position == 0 {
            c.odd
                .push(format!("{at}: shown position 0 (they start at 1)"));
        }
        if !(1..=30).contains(&t.minutes) {
            c.odd.push(format!(
                "{at}: {} minutes (a move takes 1 to 30)",
                t.minutes
            ));
        }
        for (name, v) in [
            ("rapport", t.scores.rapport),
            ("pacing", t.scores.pacing),
            ("focus", t.scores.focus),
            ("overall", t.scores.overall),
        ] {
            if !score(v) {
                c.odd.push(format!(
                    "{at}: running {name} {v} (scores run from 0 to 100)"
                ));
            }
        }
        // Against the options: what the choice point put at stake is a gap
        // between two options' points, and a move keeps none to all of it.
        for dim in Dimension::ALL {
            let (kept, at_stake) = (t.points.earned.get(dim), t.points.stake.get(dim));
            if !(0..=MAX_TURN_STAKE).contains(&at_stake) || !(0..=at_stake).contains(&kept) {
                c.unusable.push(format!(
                    "{at}: {kept} of {at_stake} {} points kept (a move keeps 0 to all of at most {MAX_TURN_STAKE} at stake)",
                    dim.label().to_lowercase()
                ));
            }
        }
        for l in &t.losses {
            if !(0..=MAX_TURN_STAKE).contains(&l.points) {
                c.odd.push(format!(
                    "{at}: {} {} points given up (0 to {MAX_TURN_STAKE})",
                    l.points,
                    l.dimension.label().to_lowercase()
                ));
            }
        }
        state(&mut c, &at, &t.before);
        state(&mut c, &at, &t.after);
        if let Some(b) = &t.better
            && b.gain.unsigned_abs() > 6 * MAX_MOVE_POINTS.unsigned_abs()
        {
            c.odd
                .push(format!("{at}: the better move gains {} points", b.gain));
        }
    }
    for s in &d.states {
        state(&mut c, "a recorded state", s);
    }
    let positions: Vec<usize> = d.turns.iter().map(|t| t.shown_position).collect();
    if d.choices != positions {
        c.odd.push(format!(
            "{} choices recorded for {} moves, or choices that do not match the moves",
            d.choices.len(),
            d.turns.len()
        ));
    }
    if r.replayed_turns > d.turns.len() {
        c.odd.push(format!(
            "{} moves repeated from an earlier attempt, of {} moves",
            r.replayed_turns,
            d.turns.len()
        ));
    }
    if !(5..=180).contains(&d.minutes_planned) {
        c.odd.push(format!(
            "a planned length of {} minutes (a scenario runs 5 to 180)",
            d.minutes_planned
        ));
    }
    let minutes: u64 = d.turns.iter().map(|t| u64::from(t.minutes)).sum();
    if u64::from(d.minutes_used) != minutes {
        c.odd.push(format!(
            "{} minutes used, while the moves took {minutes}",
            d.minutes_used
        ));
    }
    for (name, v) in [("base", d.base), ("critical cap", d.critical_cap)] {
        if !score(v) {
            c.odd
                .push(format!("a {name} of {v} (scores run from 0 to 100)"));
        }
    }
    let session_stake_max =
        i64::from(MAX_TURN_STAKE).saturating_mul(i64::try_from(d.turns.len()).unwrap_or(i64::MAX));
    for dim in &d.dimensions {
        if !(0..=session_stake_max).contains(&i64::from(dim.stake))
            || !(0..=dim.stake).contains(&dim.earned)
        {
            c.unusable.push(format!(
                "{} of {} {} points kept over the session (0 to all of what the moves put at stake)",
                dim.earned,
                dim.stake,
                dim.dimension.label().to_lowercase()
            ));
        }
        if !score(dim.score) {
            c.odd.push(format!(
                "a dimension's score of {} (scores run from 0 to 100)",
                dim.score
            ));
        }
        for p in &dim.contributions {
            if p.times > d.turns.len() + 1
                || i64::from(p.points).unsigned_abs()
                    > i64::from(MAX_MOVE_POINTS).unsigned_abs() * (p.times as u64 + 1)
            {
                c.odd.push(format!(
                    "principle `{}`: {} points from {} times",
                    p.principle, p.points, p.times
                ));
            }
        }
    }
    if let Some(g) = &r.group {
        if g.turns.len() > d.turns.len() {
            c.odd.push(format!(
                "{} group turns for {} moves",
                g.turns.len(),
                d.turns.len()
            ));
        }
        for (k, t) in g.turns.iter().enumerate() {
            for v in &t.votes {
                if v.votes > MAX_VOTES {
                    c.unusable.push(format!(
                        "move {}: {} votes for one option (at most {MAX_VOTES})",
                        k + 1,
                        v.votes
                    ));
                }
                if v.points.unsigned_abs() > 3 * MAX_MOVE_POINTS.unsigned_abs() {
                    c.odd.push(format!(
                        "move {}: an option worth {} points",
                        k + 1,
                        v.points
                    ));
                }
            }
        }
    }
    c.unusable.dedup();
    c.odd.dedup();
    c
}

/// Reads one record, the one way both the History and the class report
/// read: a regular file of at most [`MAX_RECORD_BYTES`] (never a device or
/// a FIFO, also behind a link), a leading byte-order mark allowed, the
/// format and version checked, then every number ([`check_values`]). A
/// record with unusable numbers is refused; the odd ones are returned
/// beside it, to be shown.
pub fn read_record_checked(path: &Path) -> Result<(AttemptRecord, ValueCheck), RecordError> {
    match read_any_record(path)? {
        AnyRecord::Attempt(r, check) => Ok((*r, check)),
        AnyRecord::Drills(_) => Err(RecordError::Format(" (it is a record of drills)".into())),
    }
}

/// As [`read_record_checked`], the record alone.
pub fn read_record(path: &Path) -> Result<AttemptRecord, RecordError> {
    read_record_checked(path).map(|(r, _)| r)
}

/// A record of either kind: a session, or a session of drills.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyRecord {
    Attempt(Box<AttemptRecord>, ValueCheck),
    Drills(DrillRecord),
}

/// Parses a record of drills (a leading byte-order mark allowed), checking
/// its format, version and numbers.
pub fn parse_drill_record(bytes: &[u8]) -> Result<DrillRecord, RecordError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let r: DrillRecord =
        serde_json::from_slice(bytes).map_err(|e| RecordError::Damaged(e.to_string()))?;
    if r.format != DRILL_FORMAT {
        return Err(RecordError::Format(String::new()));
    }
    if r.version != DRILL_VERSION {
        return Err(RecordError::Version {
            found: r.version.to_string(),
        });
    }
    let unusable = r.unusable_values();
    if unusable.is_empty() {
        Ok(r)
    } else {
        Err(RecordError::Impossible(unusable))
    }
}

/// Whether the bytes are a record of drills (by its `format`, looked at
/// without reading the rest).
fn is_drill_record(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice::<Head>(bytes).is_ok_and(|h| h.format.as_deref() == Some(DRILL_FORMAT))
}

/// Reads one record of either kind, the same checked way as
/// [`read_record_checked`].
pub fn read_any_record(path: &Path) -> Result<AnyRecord, RecordError> {
    let bytes = fsread::read_limited(path, MAX_RECORD_BYTES)?;
    if is_drill_record(&bytes) {
        return parse_drill_record(&bytes).map(AnyRecord::Drills);
    }
    let record = parse_record(&bytes)?;
    let check = check_values(&record);
    if check.unusable.is_empty() {
        Ok(AnyRecord::Attempt(Box::new(record), check))
    } else {
        Err(impossible(&check.unusable))
    }
}

fn impossible(unusable: &[String]) -> RecordError {
    const SHOWN: usize = 3;
    let mut shown: Vec<String> = unusable.iter().take(SHOWN).cloned().collect();
    if unusable.len() > SHOWN {
        shown.push(format!("and {} more", unusable.len() - SHOWN));
    }
    RecordError::Impossible(shown)
}

/// Whether a file name is that of a record: `.json`, in any case.
pub fn is_record_name(name: &std::ffi::OsStr) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("json"))
}

/// The session records in `dir` (not its subfolders), oldest first, and a
/// problem for each file that could not be used. Records of drills are
/// left for [`read_all_records`].
pub fn read_records(dir: &Path) -> (Vec<AttemptRecord>, Vec<StoreProblem>) {
    let (records, _, problems) = read_all_records(dir);
    (records, problems)
}

/// The session records and the records of drills in `dir` (not its
/// subfolders), each oldest first, and a problem for each file that could
/// not be used.
pub fn read_all_records(dir: &Path) -> (Vec<AttemptRecord>, Vec<DrillRecord>, Vec<StoreProblem>) {
    let mut records = Vec::new();
    let mut drills = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (records, drills, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| is_record_name(&e.file_name()))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        match read_any_record(&p) {
            Ok(AnyRecord::Attempt(r, _)) => records.push(*r),
            Ok(AnyRecord::Drills(d)) => drills.push(d),
            Err(e) => problems.push(StoreProblem::Io {
                path: p,
                reason: e.to_string(),
            }),
        }
    }
    records.sort_by_key(|r| r.finished_at);
    drills.sort_by_key(|d| d.finished_at);
    (records, drills, problems)
}
