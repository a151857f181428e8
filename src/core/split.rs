//! Parsing a large scenario on two cores: the `nodes: [...]` list is cut at
//! a top-level comma into two halves that are parsed at the same time. Used
//! only for large files, and only when every part parses: any problem falls
//! back to the ordinary whole-file parse, which gives exact error positions.

use crate::core::load::{Skim, Tok};
use crate::core::model::{Node, Scenario};

/// Files at least this large are parsed in two halves.
pub const SPLIT_BYTES: usize = 256 * 1024;

/// Where the top-level `nodes: [ ... ]` list opens and closes, and the
/// commas between its items, read with the fast path of the loader's RON
/// tokenizer (`load::Skim`: the same rules for strings, raw strings and
/// nested comments, structural tokens only). What it cannot read
/// (unbalanced brackets, a comment between `nodes` and its colon) it leaves
/// to the whole-file parse.
fn node_items(src: &str) -> Option<(usize, usize, Vec<usize>)> {
    let mut depth = 0usize;
    let mut open = None;
    let mut commas = Vec::new();
    // The previous token was the colon after `nodes`.
    let mut after_key = false;
    for (tok, at, word) in Skim::new(src) {
        match tok {
            Tok::Open(c) => {
                depth += 1;
                // `nodes: [` at the scenario's top level (depth 1 inside `Scenario(`).
                if c == b'[' && depth == 2 && open.is_none() && after_key {
                    open = Some(at);
                }
            }
            Tok::Close => {
                if depth == 2
                    && let Some(o) = open
                {
                    return (src.as_bytes()[at] == b']').then_some((o, at, commas));
                }
                depth = depth.checked_sub(1)?;
            }
            Tok::Comma if depth == 2 && open.is_some() => commas.push(at),
            _ => {}
        }
        after_key = tok == Tok::Colon
            && depth == 1
            && word.is_some_and(|w| src.as_bytes().get(w) == Some(b"nodes".as_slice()));
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
