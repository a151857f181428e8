//! Problems found in a scenario or rubric file, as values. They are
//! collected, never printed here: the CLI and the app render them.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Every kind of problem has a stable code, so tests and tools can rely on
/// it while the wording improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Code {
    /// The file could not be read.
    E001,
    /// The file is larger than the limit.
    E002,
    /// The RON does not parse or does not match the format.
    E003,
    /// Two nodes or endings share an id.
    E004,
    /// An option leads to a node or ending that does not exist.
    E005,
    /// An unknown move kind.
    E006,
    /// An unknown topic, problem area, phase or other named value.
    E007,
    /// A number outside its allowed range.
    E008,
    /// A node with no options that is not an ending.
    E009,
    /// A required text is empty.
    E010,
    /// The start node does not exist, or there are no nodes.
    E011,
    /// Every option at a node is conditional: the client could get stuck.
    E012,
    /// There are no endings.
    E013,
    /// A rubric problem (bad principle, rule or task).
    E014,
    /// A required field is missing.
    E015,
    /// An unknown field name.
    E016,
    /// A node that cannot be reached from the start.
    W001,
    /// A condition refers to a memory flag nothing sets.
    W002,
    /// Lint: no option at a choice point is rated well by the rubric.
    W010,
    /// Lint: no option at a choice point is a tempting mistake.
    W011,
    /// Lint: the scenario never offers a move for one of its phase's tasks.
    W012,
    /// Lint: the same option text twice.
    W013,
    /// Lint: the best option is systematically the longest or in the same place.
    W014,
    /// Lint: a client line far too long to read in a session.
    W015,
    /// Lint: a disclosure whose condition can never hold.
    W016,
}

impl Code {
    pub fn severity(self) -> Severity {
        match self {
            Code::W001
            | Code::W002
            | Code::W010
            | Code::W011
            | Code::W012
            | Code::W013
            | Code::W014
            | Code::W015
            | Code::W016 => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E006 => "E006",
            Code::E007 => "E007",
            Code::E008 => "E008",
            Code::E009 => "E009",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E013 => "E013",
            Code::E014 => "E014",
            Code::E015 => "E015",
            Code::E016 => "E016",
            Code::W001 => "W001",
            Code::W002 => "W002",
            Code::W010 => "W010",
            Code::W011 => "W011",
            Code::W012 => "W012",
            Code::W013 => "W013",
            Code::W014 => "W014",
            Code::W015 => "W015",
            Code::W016 => "W016",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: PathBuf,
    /// Where the problem is; `None` for problems with the file as a whole.
    pub position: Option<Position>,
    /// How many characters the offending text spans (at least 1).
    pub length: usize,
    /// The source line at `position`, for rendering.
    pub source_line: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            file: file.to_path_buf(),
            position: None,
            length: 1,
            source_line: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Places the diagnostic at a position in `source`.
    #[must_use]
    pub fn at(mut self, source: &str, position: Position, length: usize) -> Self {
        self.position = Some(position);
        self.length = length.max(1);
        self.source_line = source
            .lines()
            .nth(position.line.saturating_sub(1))
            .unwrap_or_default()
            .to_string();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A one-line summary (`file:line:col: error[E005]: message`), without the
/// source excerpt; the CLI renders the full form.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": {severity}[{}]: {}", self.code, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Converts a byte offset in `source` to a 1-based line and column.
pub fn position_of(source: &str, offset: usize) -> Position {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    Position { line, column }
}

/// Finds where `key: LITERAL` is written in `source` (the `occurrence`-th
/// time, counting from 0), and returns the position and length of the
/// literal. Pass strings with their quotes (`"\"opening\""`).
pub fn find_key_value(
    source: &str,
    key: &str,
    literal: &str,
    occurrence: usize,
) -> Option<(Position, usize)> {
    let mut seen = 0;
    let mut search_from = 0;
    while let Some(rel) = source[search_from..].find(literal) {
        let at = search_from + rel;
        search_from = at + literal.len().max(1);
        let after = source[at + literal.len()..].chars().next();
        if after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(before) = source[..at].trim_end().strip_suffix(':') else {
            continue;
        };
        let before = before.trim_end();
        if !before.ends_with(key) {
            continue;
        }
        let key_start = before.len() - key.len();
        if before[..key_start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        if seen == occurrence {
            return Some((position_of(source, at), literal.chars().count()));
        }
        seen += 1;
    }
    None
}
