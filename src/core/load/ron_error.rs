//! Parsing with ron, and ron's errors as diagnostics: the message, the
//! stable code (unknown move kind, unknown field, missing field, syntax) and
//! the place ron gives.

use crate::core::diagnostic::{Code, Diagnostic, suggest};
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::path::Path;

pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Parses RON, turning a syntax or format error into a diagnostic.
#[allow(
    clippy::result_large_err,
    reason = "a diagnostic is the error value, made once per file"
)]
pub(crate) fn parse<T: DeserializeOwned>(source: &str, path: &Path) -> Result<T, Diagnostic> {
    ron_options()
        .from_str::<T>(source)
        .map_err(|e| ron_diagnostic(&e, source, path))
}

/// The byte offset of ron's `line` and `col` (1-based, `col` in
/// characters) in `source`, clamped to the text.
fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(line - 2)
            .map_or(source.len(), |(i, _)| i + 1)
    };
    source[line_start..]
        .char_indices()
        .take_while(|&(_, c)| c != '\n')
        .nth(col.saturating_sub(1))
        .map_or_else(
            || {
                let rest = &source[line_start..];
                line_start + rest.find('\n').unwrap_or(rest.len())
            },
            |(i, _)| line_start + i,
        )
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
    let (start, end) = (e.span.start, e.span.end);
    let from = offset_of(source, start.line, start.col);
    let to = if end.line == start.line && end.col > start.col {
        offset_of(source, end.line, end.col)
    } else {
        // One character (a span over lines shows where it starts).
        from + source[from..].chars().next().map_or(0, char::len_utf8)
    };
    Diagnostic::new(code, path, message)
        .with_hint(hint)
        .at(source, from..to)
}
