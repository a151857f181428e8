//! Problems found in a scenario or rubric file, as values. They are
//! collected, never printed here: the CLI and the app render them.

use serde::Serialize;
use std::fmt;
use std::ops::Range;
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
    /// No ending can be reached from the start: a session would never end.
    E017,
    /// A case's session cannot be used: its file is missing or unreadable,
    /// or its scenario has errors.
    E018,
    /// A node that cannot be reached from the start.
    W001,
    /// A condition refers to a memory flag nothing sets.
    W002,
    /// A node from which no ending can be reached.
    W003,
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
    /// Rubric: a rule whose condition can never hold.
    W020,
    /// Rubric: two rules with the same condition that pull a dimension in
    /// opposite directions.
    W021,
    /// Rubric: a principle whose source names none of the material.
    W022,
    /// Rubric: a principle that never scores (no rule, no task).
    W023,
    /// A case's session is about another client than the case names.
    W024,
    /// Case lint: a session whose phase does not fit its number in the course.
    W025,
    /// Case lint: no session in the initial phase, or none in termination.
    W026,
    /// Case lint: an `earlier` flag no route of the sessions before sets.
    W027,
    /// Case lint: an event raises distress sharply before a session whose
    /// opening cannot notice it.
    W028,
}

impl Code {
    pub fn severity(self) -> Severity {
        match self {
            Code::W001
            | Code::W002
            | Code::W003
            | Code::W010
            | Code::W011
            | Code::W012
            | Code::W013
            | Code::W014
            | Code::W015
            | Code::W016
            | Code::W020
            | Code::W021
            | Code::W022
            | Code::W023
            | Code::W024
            | Code::W025
            | Code::W026
            | Code::W027
            | Code::W028 => Severity::Warning,
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
            Code::E017 => "E017",
            Code::E018 => "E018",
            Code::W001 => "W001",
            Code::W002 => "W002",
            Code::W003 => "W003",
            Code::W010 => "W010",
            Code::W011 => "W011",
            Code::W012 => "W012",
            Code::W013 => "W013",
            Code::W014 => "W014",
            Code::W015 => "W015",
            Code::W016 => "W016",
            Code::W020 => "W020",
            Code::W021 => "W021",
            Code::W022 => "W022",
            Code::W023 => "W023",
            Code::W024 => "W024",
            Code::W025 => "W025",
            Code::W026 => "W026",
            Code::W027 => "W027",
            Code::W028 => "W028",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a source file: 1-based line and column. A column counts
/// Unicode scalar values (`char`s) from the start of the line, so a tab or
/// a combining mark is one column, as in ron's own syntax errors; a
/// renderer that shows the line widens tabs itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A range of bytes in a source file (`start..end`, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span {
            start: r.start,
            end: r.end.max(r.start),
        }
    }
}

impl Span {
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

/// A problem, pointing into its file by a byte span. The source text is
/// not kept: a renderer that shows an excerpt is given the text again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub file: PathBuf,
    /// Where the problem is, as line and column (of `span.start`); `None`
    /// for problems with the file as a whole.
    pub position: Option<Position>,
    /// The offending text, as bytes of the file; `None` with `position`.
    pub span: Option<Span>,
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
            span: None,
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Places the diagnostic at bytes `span` of `source` (clamped to the
    /// text and to character boundaries). For many diagnostics of one file,
    /// [`locate`] finds all their lines and columns in one pass instead.
    #[must_use]
    pub fn at(mut self, source: &str, span: Range<usize>) -> Self {
        let span = clamp(source, span);
        self.position = Some(position_of(source, span.start));
        self.span = Some(span);
        self
    }

    /// Gives the diagnostic a span whose line and column [`locate`] fills in.
    #[must_use]
    pub(crate) fn spanning(mut self, source: &str, span: Range<usize>) -> Self {
        self.span = Some(clamp(source, span));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `span` within `source`, its ends moved back to character boundaries.
fn clamp(source: &str, span: Range<usize>) -> Span {
    let floor = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    Span {
        start,
        end: floor(span.end).max(start),
    }
}

/// Fills in the line and column of every diagnostic that has a span in
/// `source`, in one pass over the text (sorting them by place), so that
/// many diagnostics on one very long line cost no more than one.
pub fn locate(source: &str, diagnostics: &mut [Diagnostic]) {
    let mut order: Vec<(usize, usize)> = diagnostics
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.span.map(|s| (s.start, i)))
        .collect();
    order.sort_unstable();
    let (mut at, mut line, mut column) = (0, 1, 1);
    for (offset, i) in order {
        // A span from another text is left without a place, not a panic.
        let Some(gap) = source.get(at..offset) else {
            continue;
        };
        match gap.rfind('\n') {
            Some(last) => {
                line += gap.bytes().filter(|&b| b == b'\n').count();
                column = gap[last + 1..].chars().count() + 1;
            }
            None => column += gap.chars().count(),
        }
        at = offset;
        diagnostics[i].position = Some(Position { line, column });
    }
}

/// The path as text (lossy), and its bytes when it is not UTF-8, so that
/// JSON output names every file exactly without failing on any.
fn serialize_file<S: serde::ser::SerializeStruct>(s: &mut S, file: &Path) -> Result<(), S::Error> {
    s.serialize_field("file", &file.to_string_lossy())?;
    if file.to_str().is_none() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            s.serialize_field("file_bytes", file.as_os_str().as_bytes())?;
        }
        #[cfg(windows)]
        {
            use std::os::windows::ffi::OsStrExt;
            let wide: Vec<u16> = file.as_os_str().encode_wide().collect();
            s.serialize_field("file_wide", &wide)?;
        }
    }
    Ok(())
}

/// As JSON: `code`, `severity`, `file` (and `file_bytes`, the name's bytes,
/// when it is not UTF-8), `position` (`line`, `column`), `span` (`start`,
/// `end`: byte offsets), `message` and `hint`.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Diagnostic", 8)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("severity", &self.severity)?;
        serialize_file(&mut s, &self.file)?;
        s.serialize_field("position", &self.position)?;
        s.serialize_field("span", &self.span)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("hint", &self.hint)?;
        s.end()
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

/// The closest candidate to `word`, if one is close enough to be a likely
/// typo (case aside). A candidate whose length alone puts it too far is
/// passed over without computing its distance, so a long list costs little
/// more than a walk through it.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let len = lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let limit = (c.chars().count() / 3).max(2);
            let c_lower = if c.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                std::borrow::Cow::Borrowed(c)
            } else {
                std::borrow::Cow::Owned(c.to_lowercase())
            };
            // The distance is at least the difference in length.
            if c_lower.chars().count().abs_diff(len) > limit {
                return None;
            }
            let d = strsim::damerau_levenshtein(&lower, &c_lower);
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Converts a byte offset in `source` to a 1-based line and column.
pub fn position_of(source: &str, offset: usize) -> Position {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
    Position { line, column }
}
