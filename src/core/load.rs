//! Reading scenario and rubric files: parsing, then every semantic check,
//! with all problems collected as diagnostics that point into the file.

use crate::core::diagnostic::{Code, Diagnostic, Position, find_key_value, suggest};
use crate::core::model::{Condition, Scenario};
use crate::core::rubric::Guidance;
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Files larger than this are refused (a scenario of 5,000 nodes is about 2 MiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The rubric that ships with the program.
pub const BUNDLED_GUIDANCE: &str = include_str!("../../assets/guidance.ron");

/// The result of loading a file: the value if it is usable, and every
/// problem found (warnings may come with a value).
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The value, or the diagnostics if there were errors.
    pub fn into_result(self) -> Result<T, Vec<Diagnostic>> {
        match self.value {
            Some(v) if !self.diagnostics.iter().any(Diagnostic::is_error) => Ok(v),
            _ => Err(self.diagnostics),
        }
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Reads a file as text, refusing missing, unreadable and oversized files.
pub fn read_source(path: &Path) -> Result<String, Box<Diagnostic>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::E001, path, format!("cannot read the file: {e}"))
                .with_hint("check the path; `validate` takes files or folders of .ron files"),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::new(
                Code::E002,
                path,
                format!(
                    "the file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                    meta.len()
                ),
            )
            .with_hint("split the scenario into smaller ones"),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::E001, path, format!("cannot read the file: {e}"))
                .with_hint("save the file as UTF-8 text"),
        )
    })
}

/// Parses RON, turning a syntax or format error into a diagnostic.
#[allow(
    clippy::result_large_err,
    reason = "a diagnostic is the error value, made once per file"
)]
fn parse<T: DeserializeOwned>(source: &str, path: &Path) -> Result<T, Diagnostic> {
    ron_options()
        .from_str::<T>(source)
        .map_err(|e| ron_diagnostic(&e, source, path))
}

fn ron_diagnostic(e: &ron::error::SpannedError, source: &str, path: &Path) -> Diagnostic {
    use ron::error::Error as R;
    let (code, message, hint) = match &e.code {
        R::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = outer.as_deref().unwrap_or("value");
            let code = if what == "MoveKind" {
                Code::E006
            } else {
                Code::E007
            };
            let noun = match what {
                "MoveKind" => "move kind",
                "Topic" => "topic",
                "ProblemArea" => "problem area",
                "Phase" => "phase",
                "Difficulty" => "difficulty",
                "Outcome" => "outcome",
                "Dimension" => "dimension",
                other => other,
            };
            let hint = match suggest(found, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use one of: {}", expected.join(", ")),
            };
            (code, format!("unknown {noun} `{found}`"), hint)
        }
        R::NoSuchStructField {
            expected, found, ..
        } => {
            let hint = match suggest(found, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the fields here are: {}", expected.join(", ")),
            };
            (Code::E016, format!("unknown field `{found}`"), hint)
        }
        R::MissingStructField { field, outer } => (
            Code::E015,
            format!(
                "missing field `{field}`{}",
                outer
                    .as_deref()
                    .map(|o| format!(" in {o}"))
                    .unwrap_or_default()
            ),
            format!("add `{field}: ...` to this item (see docs/scenario-format.md)"),
        ),
        other => (
            Code::E003,
            format!("the file does not parse: {other}"),
            "check brackets, commas and quotes just before this point".to_string(),
        ),
    };
    let start = Position {
        line: e.span.start.line.max(1),
        column: e.span.start.col.max(1),
    };
    let length = if e.span.end.line == e.span.start.line {
        e.span.end.col.saturating_sub(e.span.start.col)
    } else {
        1
    };
    Diagnostic::new(code, path, message)
        .with_hint(hint)
        .at(source, start, length)
}

/// Loads and checks a scenario file.
pub fn load_scenario_file(path: &Path) -> Loaded<Scenario> {
    match read_source(path) {
        Ok(source) => load_scenario_str(&source, path),
        Err(d) => Loaded {
            value: None,
            diagnostics: vec![*d],
        },
    }
}

/// Parses and checks a scenario from text; `path` names it in diagnostics.
pub fn load_scenario_str(source: &str, path: &Path) -> Loaded<Scenario> {
    let parsed = match crate::core::split::parse_in_halves(source, &ron_options()) {
        Some(s) => Ok(s),
        None => parse::<Scenario>(source, path),
    };
    match parsed {
        Err(d) => Loaded {
            value: None,
            diagnostics: vec![d],
        },
        Ok(s) => {
            let diagnostics = check_scenario(&s, source, path);
            Loaded {
                value: Some(s),
                diagnostics,
            }
        }
    }
}

/// Points diagnostics at the places they come from in the source.
pub(crate) struct Locator<'a> {
    source: &'a str,
    path: &'a Path,
    seen: HashMap<(String, String), usize>,
    /// The items of the `nodes: [...]` list, read on first use.
    nodes: OnceCell<Option<Vec<Range<usize>>>>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(source: &'a str, path: &'a Path) -> Self {
        Locator {
            source,
            path,
            seen: HashMap::new(),
            nodes: OnceCell::new(),
        }
    }

    /// A diagnostic at a field of the `node`-th item of `nodes: [...]`
    /// (from 0, in file order), found by reading the file's structure rather
    /// than by searching for a text, so an id or a text written elsewhere as
    /// well (a disclosure named like a node, an option worded like a client
    /// line) cannot mislead it. `item` picks an entry of one of the node's
    /// lists (`Some(("options", 2))`), `key` the field whose value is shown.
    /// At the file as a whole if that part of the file cannot be read.
    pub(crate) fn at_node_field(
        &self,
        code: Code,
        node: usize,
        item: Option<(&str, usize)>,
        key: &str,
        message: String,
    ) -> Diagnostic {
        let d = Diagnostic::new(code, self.path, message);
        match self.node_field(node, item, key) {
            Some(v) => d.at(
                self.source,
                crate::core::diagnostic::position_of(self.source, v.start),
                self.source[v].chars().count(),
            ),
            None => d,
        }
    }

    /// The byte range of the value that `at_node_field` points at.
    fn node_field(
        &self,
        node: usize,
        item: Option<(&str, usize)>,
        key: &str,
    ) -> Option<Range<usize>> {
        let src = self.source;
        let nodes = self
            .nodes
            .get_or_init(|| {
                let nodes = ron_field(src, &ron_root(src)?, "nodes")?;
                ron_open(src, nodes, b'[')
            })
            .as_ref()?;
        let mut fields = ron_open(src, nodes.get(node)?.clone(), b'(')?;
        if let Some((list, n)) = item {
            let items = ron_open(src, ron_field(src, &fields, list)?, b'[')?;
            fields = ron_open(src, items.get(n)?.clone(), b'(')?;
        }
        ron_field(src, &fields, key)
    }

    /// A diagnostic at the `occurrence`-th `key: literal` in the file, or at
    /// the file as a whole if it cannot be found.
    pub(crate) fn at_nth(
        &self,
        code: Code,
        key: &str,
        literal: &str,
        occurrence: usize,
        message: String,
    ) -> Diagnostic {
        let d = Diagnostic::new(code, self.path, message);
        match find_key_value(self.source, key, literal, occurrence) {
            Some((pos, len)) => d.at(self.source, pos, len),
            None => d,
        }
    }

    /// A diagnostic at the first place `literal` is written.
    pub(crate) fn at_literal(&self, code: Code, literal: &str, message: String) -> Diagnostic {
        let d = Diagnostic::new(code, self.path, message);
        match self.source.find(literal) {
            Some(at) => d.at(
                self.source,
                crate::core::diagnostic::position_of(self.source, at),
                literal.chars().count(),
            ),
            None => d,
        }
    }

    /// A diagnostic at the next not yet reported `key: literal`.
    pub(crate) fn at_next(
        &mut self,
        code: Code,
        key: &str,
        literal: &str,
        message: String,
    ) -> Diagnostic {
        let n = self
            .seen
            .entry((key.to_string(), literal.to_string()))
            .or_insert(0);
        let occurrence = *n;
        *n += 1;
        self.at_nth(code, key, literal, occurrence, message)
    }
}

// A reader of RON's structure for the `Locator`: tokens (skipping
// whitespace, comments and the insides of strings), the entries of a
// bracketed group, and the value of a struct's field, all as byte ranges of
// the source.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Open(u8),
    Close,
    Comma,
    Colon,
    Word,
    Other,
}

/// The tokens of `src` from byte `at` on, each with its byte range.
struct Tokens<'a> {
    src: &'a str,
    at: usize,
}

impl Iterator for Tokens<'_> {
    type Item = (Tok, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.src.as_bytes();
        loop {
            let start = self.at;
            let c = *b.get(start)?;
            if matches!(c, b'r' | b'b')
                && let Some((tok, range)) = raw_token(b, start)
            {
                self.at = range.end;
                return Some((tok, range));
            }
            let (tok, range) = match c {
                c if c.is_ascii_whitespace() => {
                    self.at += 1;
                    continue;
                }
                b'/' if b.get(start + 1) == Some(&b'/') => {
                    self.at = b[start..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |n| start + n);
                    continue;
                }
                b'/' if b.get(start + 1) == Some(&b'*') => {
                    let mut level = 0usize;
                    let mut i = start;
                    while i < b.len() {
                        if b[i..].starts_with(b"/*") {
                            level += 1;
                            i += 2;
                        } else if b[i..].starts_with(b"*/") {
                            level -= 1;
                            i += 2;
                            if level == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                    self.at = i;
                    continue;
                }
                b'"' | b'\'' => (Tok::Other, start..quoted_end(b, start + 1, c)),
                b'b' if matches!(b.get(start + 1), Some(b'"' | b'\'')) => {
                    (Tok::Other, start..quoted_end(b, start + 2, b[start + 1]))
                }
                c if c == b'_' || c.is_ascii_alphanumeric() => {
                    (Tok::Word, start..start + word_len(&b[start..]))
                }
                b'(' | b'[' | b'{' => (Tok::Open(c), start..start + 1),
                b')' | b']' | b'}' => (Tok::Close, start..start + 1),
                b',' => (Tok::Comma, start..start + 1),
                b':' => (Tok::Colon, start..start + 1),
                _ => {
                    let mut end = start + 1;
                    while !self.src.is_char_boundary(end) {
                        end += 1;
                    }
                    (Tok::Other, start..end)
                }
            };
            self.at = range.end.max(start + 1);
            return Some((tok, range));
        }
    }
}

/// Where a string or character that opened before `from` ends (after the
/// closing `quote`).
fn quoted_end(b: &[u8], mut from: usize, quote: u8) -> usize {
    while from < b.len() {
        match b[from] {
            b'\\' => from += 2,
            c if c == quote => return from + 1,
            _ => from += 1,
        }
    }
    b.len()
}

/// A raw string (`r"..."`, `r#"..."#`, `br"..."`) or a raw identifier
/// (`r#name`, whose name is the word) starting at `start`.
fn raw_token(b: &[u8], start: usize) -> Option<(Tok, Range<usize>)> {
    let r = if b[start] == b'b' { start + 1 } else { start };
    if b.get(r) != Some(&b'r') {
        return None;
    }
    let hashes = b[r + 1..].iter().take_while(|&&c| c == b'#').count();
    let open = r + 1 + hashes;
    match *b.get(open)? {
        b'"' => {
            let close = [b"\"".as_slice(), &vec![b'#'; hashes]].concat();
            let end = b[open + 1..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |n| open + 1 + n + close.len());
            Some((Tok::Other, start..end))
        }
        c if hashes == 1 && r == start && (c == b'_' || c.is_ascii_alphabetic()) => {
            let end = open + word_len(&b[open..]);
            Some((Tok::Word, open..end))
        }
        _ => None,
    }
}

/// The length of the word (identifier or number) at the start of `b`.
fn word_len(b: &[u8]) -> usize {
    b.iter()
        .take_while(|&&c| c == b'_' || c.is_ascii_alphanumeric())
        .count()
}

/// The entries of the group whose opening bracket ends at `from`, split at
/// its top-level commas, up to its closing bracket.
fn ron_entries(src: &str, from: usize) -> Option<Vec<Range<usize>>> {
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut entry: Option<Range<usize>> = None;
    for (tok, range) in (Tokens { src, at: from }) {
        match tok {
            Tok::Close if depth == 0 => {
                out.extend(entry);
                return Some(out);
            }
            Tok::Comma if depth == 0 => {
                out.extend(entry.take());
                continue;
            }
            Tok::Open(_) => depth += 1,
            Tok::Close => depth -= 1,
            _ => {}
        }
        match &mut entry {
            Some(e) => e.end = range.end,
            None => entry = Some(range),
        }
    }
    None
}

/// The fields of the file's outermost struct (`Scenario(...)`).
fn ron_root(src: &str) -> Option<Vec<Range<usize>>> {
    let mut depth = 0usize;
    for (tok, range) in (Tokens { src, at: 0 }) {
        match tok {
            Tok::Open(b'(') if depth == 0 => return ron_entries(src, range.end),
            Tok::Open(_) => depth += 1,
            Tok::Close => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// The entries of the first group opened by `bracket` within `value`
/// (`[...]`, `Some([...])`, `(...)`, `Node(...)`).
fn ron_open(src: &str, value: Range<usize>, bracket: u8) -> Option<Vec<Range<usize>>> {
    let (_, open) = Tokens {
        src: &src[..value.end],
        at: value.start,
    }
    .find(|(tok, _)| *tok == Tok::Open(bracket))?;
    ron_entries(src, open.end)
}

/// The value of the field `key` among a struct's entries (`key: value`).
fn ron_field(src: &str, fields: &[Range<usize>], key: &str) -> Option<Range<usize>> {
    fields.iter().find_map(|f| {
        let mut t = Tokens {
            src: &src[..f.end],
            at: f.start,
        };
        let (Tok::Word, name) = t.next()? else {
            return None;
        };
        let (Tok::Colon, _) = t.next()? else {
            return None;
        };
        let (_, value) = t.next()?;
        (src[name] == *key).then_some(value.start..f.end)
    })
}

pub(crate) fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn check_range(
    loc: &mut Locator<'_>,
    out: &mut Vec<Diagnostic>,
    key: &str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
    what: &str,
) {
    if !range.contains(&value) {
        out.push(
            loc.at_next(
                Code::E008,
                key,
                &value.to_string(),
                format!(
                    "{what} is {value}, outside {}..={}",
                    range.start(),
                    range.end()
                ),
            )
            .with_hint(format!(
                "use a value from {} to {}",
                range.start(),
                range.end()
            )),
        );
    }
}

fn check_condition(
    loc: &mut Locator<'_>,
    out: &mut Vec<Diagnostic>,
    c: &Condition,
    known_flags: &BTreeSet<String>,
) {
    for (key, v) in [
        ("min_trust", c.min_trust),
        ("max_trust", c.max_trust),
        ("min_distress", c.min_distress),
        ("max_distress", c.max_distress),
        ("min_openness", c.min_openness),
        ("max_openness", c.max_openness),
    ] {
        if let Some(v) = v {
            check_range(loc, out, key, i64::from(v), 0..=100, key);
        }
    }
    for flag in c.remembers.iter().chain(&c.forgets) {
        if !known_flags.contains(flag) {
            let mut d = loc.at_literal(
                Code::W002,
                &quoted(flag),
                format!("the condition refers to `{flag}`, which nothing in this scenario or the rubric sets"),
            );
            d.hint = Some(match suggest(flag, known_flags.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "use a disclosure id from this scenario or a flag the rubric sets (see docs/scenario-format.md)".into(),
            });
            out.push(d);
        }
    }
}

/// Memory flags the bundled rubric sets, so scenarios may test them.
pub fn rubric_flags(g: &Guidance) -> BTreeSet<String> {
    g.principles
        .iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| r.remember.iter().cloned())
        .collect()
}

/// The memory flags the bundled rubric sets, read once per process.
fn bundled_rubric_flags() -> &'static BTreeSet<String> {
    static FLAGS: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    FLAGS.get_or_init(|| {
        parse::<Guidance>(BUNDLED_GUIDANCE, Path::new("assets/guidance.ron"))
            .map(|g| rubric_flags(&g))
            .unwrap_or_default()
    })
}

/// Every semantic check on a parsed scenario, all reported at once.
pub fn check_scenario(s: &Scenario, source: &str, path: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut loc = Locator::new(source, path);

    for (key, text, what) in [
        ("id", &s.id, "the scenario id"),
        ("title", &s.title, "the title"),
    ] {
        if text.trim().is_empty() {
            out.push(
                loc.at_next(Code::E010, key, &quoted(text), format!("{what} is empty"))
                    .with_hint("write some text between the quotes"),
            );
        }
    }
    if s.client.name.trim().is_empty() {
        out.push(
            loc.at_next(
                Code::E010,
                "name",
                &quoted(&s.client.name),
                "the client's name is empty".into(),
            )
            .with_hint("give the client a name"),
        );
    }
    check_range(
        &mut loc,
        &mut out,
        "minutes",
        i64::from(s.minutes),
        5..=180,
        "the session length in minutes",
    );
    check_range(
        &mut loc,
        &mut out,
        "age",
        i64::from(s.client.age),
        5..=110,
        "the client's age",
    );
    for (key, v) in [
        ("trust", s.client.start.trust),
        ("distress", s.client.start.distress),
        ("openness", s.client.start.openness),
    ] {
        check_range(
            &mut loc,
            &mut out,
            key,
            i64::from(v),
            0..=100,
            &format!("the starting {key}"),
        );
    }

    if s.nodes.is_empty() {
        out.push(
            Diagnostic::new(Code::E011, path, "the scenario has no nodes")
                .with_hint("add at least one node under `nodes: [...]`"),
        );
    }
    if s.endings.is_empty() {
        out.push(
            loc.at_literal(Code::E013, "endings:", "the scenario has no endings".into())
                .with_hint("add at least one ending under `endings: [...]`"),
        );
    }

    // Ids: unique across nodes and endings.
    let mut ids: HashSet<&str> = HashSet::new();
    for id in s
        .nodes
        .iter()
        .map(|n| &n.id)
        .chain(s.endings.iter().map(|e| &e.id))
    {
        if id.trim().is_empty() {
            out.push(
                loc.at_next(Code::E010, "id", &quoted(id), "an id is empty".into())
                    .with_hint("give every node and ending a short unique id"),
            );
            continue;
        }
        if !ids.insert(id) {
            // Point at the second place this id is defined.
            let d = loc.at_nth(
                Code::E004,
                "id",
                &quoted(id),
                1,
                format!("the id `{id}` is used twice"),
            );
            out.push(d.with_hint("rename one of them; node and ending ids must be unique"));
        }
    }
    let targets: Vec<&str> = ids.iter().copied().collect();

    let start = s.start_id();
    if !s.start.is_empty() && s.node(start).is_none() {
        let hint = match suggest(start, s.nodes.iter().map(|n| n.id.as_str())) {
            Some(m) => format!("did you mean `{m}`?"),
            None => "name one of the nodes, or leave `start` out to begin at the first".into(),
        };
        out.push(
            loc.at_next(
                Code::E011,
                "start",
                &quoted(start),
                format!("the start node `{start}` does not exist"),
            )
            .with_hint(hint),
        );
    }

    // Flags a condition can test: disclosures and the rubric's memory.
    let mut known_flags: BTreeSet<String> = s
        .nodes
        .iter()
        .flat_map(|n| n.disclosures.iter().map(|d| d.id.clone()))
        .collect();
    known_flags.extend(bundled_rubric_flags().iter().cloned());

    for e in &s.endings {
        if e.text.trim().is_empty() {
            out.push(
                loc.at_next(
                    Code::E010,
                    "text",
                    &quoted(&e.text),
                    format!("ending `{}` has no text", e.id),
                )
                .with_hint("describe the outcome the trainee reads at the end"),
            );
        }
    }

    for node in &s.nodes {
        if node.client.is_empty() {
            out.push(
                loc.at_nth(
                    Code::E010,
                    "id",
                    &quoted(&node.id),
                    0,
                    format!("node `{}` has no client line", node.id),
                )
                .with_hint("add `client: [(text: \"...\")]`"),
            );
        }
        for line in &node.client {
            if line.text.trim().is_empty() {
                out.push(
                    loc.at_next(
                        Code::E010,
                        "text",
                        &quoted(&line.text),
                        format!("a client line in node `{}` is empty", node.id),
                    )
                    .with_hint("write what the client says"),
                );
            }
            check_condition(&mut loc, &mut out, &line.when, &known_flags);
        }
        for d in &node.disclosures {
            if d.text.trim().is_empty() {
                out.push(
                    loc.at_next(
                        Code::E010,
                        "text",
                        &quoted(&d.text),
                        format!("disclosure `{}` has no text", d.id),
                    )
                    .with_hint("write what the client discloses"),
                );
            }
            check_condition(&mut loc, &mut out, &d.when, &known_flags);
        }
        if node.options.is_empty() {
            out.push(
                loc.at_nth(
                    Code::E009,
                    "id",
                    &quoted(&node.id),
                    0,
                    format!(
                        "node `{}` has no options and is not an ending: the session would stop here",
                        node.id
                    ),
                )
                .with_hint("add options, or make it an ending under `endings: [...]`"),
            );
        } else if node.options.iter().all(|o| !o.when.is_empty()) {
            out.push(
                loc.at_nth(
                    Code::E012,
                    "id",
                    &quoted(&node.id),
                    0,
                    format!(
                        "every option at node `{}` has a condition: in some states the trainee would have nothing to choose",
                        node.id
                    ),
                )
                .with_hint("leave at least one option without `when`"),
            );
        }
        for o in &node.options {
            if o.text.trim().is_empty() {
                out.push(
                    loc.at_next(
                        Code::E010,
                        "text",
                        &quoted(&o.text),
                        format!("an option at node `{}` has no text", node.id),
                    )
                    .with_hint("write what the trainee says"),
                );
            }
            check_range(
                &mut loc,
                &mut out,
                "minutes",
                i64::from(o.minutes),
                1..=30,
                "an option's minutes",
            );
            check_condition(&mut loc, &mut out, &o.when, &known_flags);
            for (key, v) in [
                ("trust", o.adjust.trust),
                ("distress", o.adjust.distress),
                ("openness", o.adjust.openness),
            ] {
                check_range(
                    &mut loc,
                    &mut out,
                    key,
                    i64::from(v),
                    -50..=50,
                    &format!("an adjustment to {key}"),
                );
            }
            if !ids.contains(o.next.as_str()) {
                let hint = match suggest(&o.next, targets.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "name a node or an ending of this scenario".into(),
                };
                out.push(
                    loc.at_next(
                        Code::E005,
                        "next",
                        &quoted(&o.next),
                        format!("unknown node `{}`", o.next),
                    )
                    .with_hint(hint),
                );
            }
        }
    }

    // Reachability (ignoring conditions): warn about nodes no path reaches.
    if out.iter().all(|d| d.code != Code::E011) && !s.nodes.is_empty() {
        let reached = crate::core::graph::reachable(s);
        for n in s.nodes.iter().filter(|n| !reached.contains(&n.id)) {
            out.push(
                loc.at_nth(
                    Code::W001,
                    "id",
                    &quoted(&n.id),
                    0,
                    format!("node `{}` cannot be reached from the start", n.id),
                )
                .with_hint("lead an option to it with `next`, or remove it"),
            );
        }
    }

    out.sort_by_key(|a| (a.position, a.code));
    out
}

/// Loads and checks a rubric file.
pub fn load_guidance_file(path: &Path) -> Loaded<Guidance> {
    match read_source(path) {
        Ok(source) => load_guidance_str(&source, path),
        Err(d) => Loaded {
            value: None,
            diagnostics: vec![*d],
        },
    }
}

/// The bundled rubric. It is checked by the tests, so a failure here is a
/// build defect; it is still reported as diagnostics, not a panic.
pub fn bundled_guidance() -> Result<Guidance, Vec<Diagnostic>> {
    load_guidance_str(BUNDLED_GUIDANCE, Path::new("assets/guidance.ron")).into_result()
}

pub fn load_guidance_str(source: &str, path: &Path) -> Loaded<Guidance> {
    let g = match parse::<Guidance>(source, path) {
        Ok(g) => g,
        Err(d) => {
            return Loaded {
                value: None,
                diagnostics: vec![d],
            };
        }
    };
    let mut out = Vec::new();
    let mut loc = Locator::new(source, path);
    let mut ids = HashSet::new();
    for p in &g.principles {
        if !ids.insert(p.id.as_str()) {
            out.push(
                loc.at_nth(
                    Code::E004,
                    "id",
                    &quoted(&p.id),
                    1,
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
                    loc.at_nth(
                        Code::E010,
                        "id",
                        &quoted(&p.id),
                        0,
                        format!("principle `{}` has an empty {what}", p.id),
                    )
                    .with_hint("every principle needs a name, a statement and its source article"),
                );
            }
        }
        for r in &p.rules {
            for d in crate::core::rubric::Dimension::ALL {
                if r.score.get(d) != 0 && !p.dimensions.contains(&d) {
                    out.push(
                        loc.at_nth(
                            Code::E014,
                            "id",
                            &quoted(&p.id),
                            0,
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
                    loc.at_nth(
                        Code::E010,
                        "id",
                        &quoted(&p.id),
                        0,
                        format!("a rule of `{}` has no feedback", p.id),
                    )
                    .with_hint("say in a sentence why the rule fires"),
                );
            }
        }
    }
    for t in &g.tasks {
        if g.principle(&t.principle).is_none() {
            out.push(
                loc.at_next(
                    Code::E014,
                    "principle",
                    &quoted(&t.principle),
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
                loc.at_nth(
                    Code::E014,
                    "id",
                    &quoted(&t.id),
                    0,
                    format!("task `{}` lists no moves that cover it", t.id),
                )
                .with_hint("add `moves: [...]`"),
            );
        }
    }
    Loaded {
        value: Some(g),
        diagnostics: out,
    }
}

/// The `.ron` files under a path (the path itself if it is a file), sorted.
pub fn scenario_files(path: &Path) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Box::new(
            Diagnostic::new(Code::E001, path, format!("cannot read: {e}"))
                .with_hint("give a .ron file or a folder that holds them"),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    Ok(files)
}
