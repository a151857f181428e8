//! Parsing a large scenario on two cores: the `nodes: [...]` list is cut at
//! a top-level comma into two halves that are parsed at the same time. Used
//! only for large files, and only when every part parses: any problem falls
//! back to the ordinary whole-file parse, which gives exact error positions.

use crate::core::model::{Node, Scenario};

/// Files at least this large are parsed in two halves.
pub const SPLIT_BYTES: usize = 256 * 1024;

/// Byte ranges of the items of the top-level `nodes: [ ... ]` list, found
/// by a scanner that knows RON's strings and comments. The `Locator` in
/// `load.rs` has a fuller reader of RON's structure (raw strings, nested
/// block comments); this one stays separate because it is on the path of
/// every large load, where that reader cost 10 to 15 ms more on the 2.4 MB
/// benchmark file. What it does not know, it leaves to the whole-file parse.
fn node_items(src: &str) -> Option<(usize, usize, Vec<usize>)> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut open = None;
    let mut commas = Vec::new();
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => return None, // rare: let the full parser handle it
            // A raw string literal (not an `r` ending an identifier): leave it
            // to the full parser.
            b'r' if matches!(b.get(i + 1), Some(b'#' | b'"'))
                && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                return None;
            }
            b'(' | b'{' => depth += 1,
            b'[' => {
                depth += 1;
                // `nodes: [` at the scenario's top level (depth 1 inside `Scenario(`).
                if depth == 2 && open.is_none() {
                    let before = src[..i].trim_end();
                    if before.ends_with(':')
                        && before[..before.len() - 1].trim_end().ends_with("nodes")
                    {
                        open = Some(i);
                    }
                }
            }
            b')' | b'}' => depth = depth.checked_sub(1)?,
            b']' => {
                if depth == 2
                    && let Some(o) = open
                {
                    return Some((o, i, commas));
                }
                depth = depth.checked_sub(1)?;
            }
            b',' if depth == 2 && open.is_some() => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses `src` with the nodes list in two halves on two threads. `None`
/// when the file is small, has no such list, or any part does not parse.
pub fn parse_in_halves(src: &str, options: &ron::Options) -> Option<Scenario> {
    parse_in_halves_from(src, options, SPLIT_BYTES)
}

/// As `parse_in_halves`, for files of at least `min_bytes` (tests use 0).
pub fn parse_in_halves_from(
    src: &str,
    options: &ron::Options,
    min_bytes: usize,
) -> Option<Scenario> {
    if src.len() < min_bytes {
        return None;
    }
    let (open, close, commas) = node_items(src)?;
    let mid = *commas.get(commas.len() / 2)?;
    let first = format!("[{}]", &src[open + 1..mid]);
    let second = format!("[{}]", &src[mid + 1..close]);
    let rest = format!("{}[]{}", &src[..open], &src[close + 1..]);
    let (a, (b, c)) = std::thread::scope(|s| {
        let h = s.spawn(|| options.from_str::<Vec<Node>>(&first).ok());
        let others = (
            options.from_str::<Vec<Node>>(&second).ok(),
            options.from_str::<Scenario>(&rest).ok(),
        );
        (h.join().ok().flatten(), others)
    });
    let (mut a, b, mut scenario) = (a?, b?, c?);
    a.extend(b);
    scenario.nodes = a;
    Some(scenario)
}
