//! Per-user data: settings, the records of finished attempts, and the
//! session in progress. Every write is atomic (a temporary file, then a
//! rename); a damaged file is set aside with a message, never fatal.

use crate::core::debrief::Debrief;
use crate::core::model::Scenario;
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

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreProblem> {
    let io = |e: std::io::Error| StoreProblem::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
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
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Settings::default(), None),
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

    pub fn load_in_progress(&self) -> (Option<InProgress>, Option<StoreProblem>) {
        let path = self.in_progress_path();
        match std::fs::read(&path) {
            Err(_) => (None, None),
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(Self::set_aside(&path, e.to_string()))),
            },
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
        let mut path = self.records_dir().join(&name);
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = self
                .records_dir()
                .join(name.replace(".json", &format!("-{n}.json")));
        }
        write_record(&path, r)?;
        Ok(path)
    }

    /// Every readable record, oldest first, and a problem for each unreadable one.
    pub fn load_attempts(&self) -> (Vec<AttemptRecord>, Vec<StoreProblem>) {
        read_records(&self.records_dir())
    }
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

/// Reads one record, checking its format and version.
pub fn read_record(path: &Path) -> Result<AttemptRecord, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a readable record: {e}"))?;
    if v.get("format").and_then(|f| f.as_str()) != Some(RECORD_FORMAT) {
        return Err("not an ipt-trainer attempt record".into());
    }
    let version = v.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(RECORD_VERSION)) {
        return Err(format!(
            "record version {version:?} is not one this program reads ({RECORD_VERSION})"
        ));
    }
    serde_json::from_value(v).map_err(|e| format!("damaged record: {e}"))
}

pub fn read_records(dir: &Path) -> (Vec<AttemptRecord>, Vec<StoreProblem>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (records, problems);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in paths {
        match read_record(&p) {
            Ok(r) => records.push(r),
            Err(reason) => problems.push(StoreProblem::Io { path: p, reason }),
        }
    }
    records.sort_by_key(|r| r.finished_at);
    (records, problems)
}
