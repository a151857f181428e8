//! The one reader of RON's structure in the crate: a tokenizer, and on top
//! of it the source index, which gives the byte span of every value of a
//! file by its path (`nodes` → item 3 → `options` → item 1 → `adjust` →
//! `trust`). ron itself gives positions only for syntax errors; every other
//! diagnostic is placed by a lookup here, never by searching the text.
//!
//! The index is built in one pass over the tokens, only when a diagnostic
//! needs a place, and at most once per file (see [`Source`]). A lookup is a
//! walk down the path: a list item is found by its index, a struct field
//! among the struct's own fields (a dozen at most in our formats).

use crate::core::diagnostic::{Code, Diagnostic};
use std::cell::OnceCell;
use std::ops::Range;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close,
    Comma,
    Colon,
    /// An identifier or a number (a raw identifier `r#name` is its name).
    Word,
    /// A string, raw string, byte string or character, quotes included.
    Str,
    /// Any other character (`-`, `+`, `.`, `#`, `!`, ...).
    Other,
}

/// The tokens of `src` from byte `at` on, each with its byte range;
/// whitespace and comments (line and nested block comments) are skipped.
pub(crate) struct Tokens<'a> {
    src: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Tokens {
            src: src.as_bytes(),
            at: 0,
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = (Tok, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.src;
        loop {
            while self.at < b.len() && b[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            let start = self.at;
            let c = *b.get(start)?;
            if matches!(c, b'r' | b'b')
                && let Some((tok, range)) = raw_token(b, start)
            {
                self.at = range.end;
                return Some((tok, range));
            }
            let (tok, end) = match c {
                b'/' if b.get(start + 1) == Some(&b'/') => {
                    self.at = b[start..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |n| start + n);
                    continue;
                }
                b'/' if b.get(start + 1) == Some(&b'*') => {
                    self.at = block_comment_end(b, start);
                    continue;
                }
                b'"' | b'\'' => (Tok::Str, quoted_end(b, start + 1, c)),
                b'(' | b'[' | b'{' => (Tok::Open(c), start + 1),
                b')' | b']' | b'}' => (Tok::Close, start + 1),
                b',' => (Tok::Comma, start + 1),
                b':' => (Tok::Colon, start + 1),
                b'b' if matches!(b.get(start + 1), Some(b'"' | b'\'')) => {
                    (Tok::Str, quoted_end(b, start + 2, b[start + 1]))
                }
                c if c == b'_' || c.is_ascii_alphanumeric() => {
                    (Tok::Word, start + word_len(&b[start..]))
                }
                c => (Tok::Other, start + utf8_len(c)),
            };
            let end = end.min(b.len());
            self.at = end;
            return Some((tok, start..end));
        }
    }
}

/// The fast path of the tokenizer, for `split.rs` on every large load: the
/// same lexical rules (the same helpers for strings, raw strings, comments
/// and words), but only the structural tokens (brackets, commas, colons)
/// are yielded, each with its offset; for a colon, also the word just
/// before it (a field name). Measured on the 2.4 MB benchmark file, it
/// reads the node list in about a quarter of the time `Tokens` takes
/// (docs/performance.md).
pub(crate) struct Skim<'a> {
    src: &'a [u8],
    at: usize,
}

impl<'a> Skim<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Skim {
            src: src.as_bytes(),
            at: 0,
        }
    }
}

impl Iterator for Skim<'_> {
    type Item = (Tok, usize, Option<Range<usize>>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.src;
        let mut word = None;
        while let Some(&c) = b.get(self.at) {
            let i = self.at;
            match c {
                b' ' | b'\n' | b'\t' | b'\r' => self.at += 1,
                b'(' | b'[' | b'{' => {
                    self.at += 1;
                    return Some((Tok::Open(c), i, None));
                }
                b')' | b']' | b'}' => {
                    self.at += 1;
                    return Some((Tok::Close, i, None));
                }
                b',' => {
                    self.at += 1;
                    return Some((Tok::Comma, i, None));
                }
                b':' => {
                    self.at += 1;
                    return Some((Tok::Colon, i, word));
                }
                b'"' | b'\'' => {
                    self.at = quoted_end(b, i + 1, c);
                    word = None;
                }
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    self.at = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |n| i + n);
                    word = None;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    self.at = block_comment_end(b, i);
                    word = None;
                }
                _ => {
                    if matches!(c, b'r' | b'b')
                        && let Some((tok, range)) = raw_token(b, i)
                    {
                        self.at = range.end;
                        word = (tok == Tok::Word).then_some(range);
                    } else if c == b'b' && matches!(b.get(i + 1), Some(b'"' | b'\'')) {
                        self.at = quoted_end(b, i + 2, b[i + 1]);
                        word = None;
                    } else if c == b'_' || c.is_ascii_alphanumeric() {
                        let end = i + word_len(&b[i..]);
                        self.at = end;
                        word = Some(i..end);
                    } else {
                        self.at = (i + utf8_len(c)).min(b.len());
                        word = None;
                    }
                }
            }
        }
        None
    }
}

/// The length of the UTF-8 sequence that starts with byte `c` (1 for a
/// byte that cannot start one, so the tokenizer always moves on).
fn utf8_len(c: u8) -> usize {
    match c {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// Where the (nested) block comment that opens at `start` ends.
fn block_comment_end(b: &[u8], start: usize) -> usize {
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
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
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
            let mut i = open + 1;
            let end = loop {
                match b[i.min(b.len())..].iter().position(|&c| c == b'"') {
                    None => break b.len(),
                    Some(q) => {
                        let after = i + q + 1;
                        if b[after..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == b'#')
                            .count()
                            == hashes
                        {
                            break after + hashes;
                        }
                        i = after;
                    }
                }
            };
            Some((Tok::Str, start..end))
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

/// "No such thing" in the index's `u32` fields.
const NONE: u32 = u32::MAX;

/// One value of the file: a struct field's value, a list item, the root.
#[derive(Debug, Clone, Copy)]
struct Value {
    /// The value's bytes (for a struct field, after `key:`).
    start: u32,
    end: u32,
    /// The field name's bytes, if the value is a struct field.
    key_start: u32,
    key_end: u32,
    /// The entries of the value's group (`(...)`, `[...]`, `{...}`), as a
    /// range of `SourceIndex::kids`; `NONE` if it has none.
    kids_start: u32,
    kids_end: u32,
    /// `Some(...)`: lookups go through to what it wraps.
    some: bool,
}

/// The byte span of every value of a RON file, by path.
#[derive(Debug, Default)]
pub(crate) struct SourceIndex {
    values: Vec<Value>,
    /// The entries of each group, contiguous, in file order.
    kids: Vec<u32>,
    root: Option<u32>,
}

/// Where a token falls within the entry being read in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No token of the entry yet.
    Fresh,
    /// One word or string so far: a field name if a colon follows.
    MaybeKey,
    /// `key:` read; the value starts at the next token.
    AfterKey,
    /// In the value.
    InValue,
}

/// An open group while the index is built.
struct Frame {
    /// The value whose group this is (`NONE`: a later group of the same
    /// value, whose entries are not looked up).
    owner: u32,
    /// Where this group's entries start in the scratch list.
    scratch: usize,
    /// The entry being read, and how far.
    entry: u32,
    phase: Phase,
    /// The previous token at this level was the word `Some`.
    after_some: bool,
}

impl Frame {
    fn new(owner: u32, scratch: usize) -> Self {
        Frame {
            owner,
            scratch,
            entry: NONE,
            phase: Phase::Fresh,
            after_some: false,
        }
    }
}

impl SourceIndex {
    /// Reads the structure of `src` in one pass. A file that is not valid
    /// RON still gives an index of what could be read.
    pub(crate) fn build(src: &str) -> SourceIndex {
        let mut values: Vec<Value> = Vec::new();
        let mut kids: Vec<u32> = Vec::new();
        let mut scratch: Vec<u32> = Vec::new();
        let mut stack: Vec<Frame> = vec![Frame::new(NONE, 0)];
        let mut tokens = Tokens::new(src).peekable();
        // `#![enable(...)]` attributes before the root value.
        while let Some((Tok::Other, r)) = tokens.peek() {
            if &src[r.clone()] != "#" {
                break;
            }
            let mut depth = 0usize;
            for (tok, _) in tokens.by_ref() {
                match tok {
                    Tok::Open(_) => depth += 1,
                    Tok::Close => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        let at = |n: usize| u32::try_from(n).unwrap_or(NONE);
        for (tok, r) in tokens {
            let (start, end) = (at(r.start), at(r.end));
            match tok {
                Tok::Comma => {
                    if let Some(f) = stack.last_mut() {
                        f.entry = NONE;
                        f.phase = Phase::Fresh;
                        f.after_some = false;
                    }
                }
                Tok::Close => {
                    if stack.len() == 1 {
                        continue; // a stray bracket at the top
                    }
                    let Some(f) = stack.pop() else { break };
                    let first = at(kids.len());
                    kids.extend(scratch.drain(f.scratch..));
                    if let Some(v) = values.get_mut(f.owner as usize) {
                        v.kids_start = first;
                        v.kids_end = at(kids.len());
                    }
                    if let Some(p) = stack.last_mut()
                        && let Some(v) = values.get_mut(p.entry as usize)
                    {
                        v.end = end;
                    }
                }
                _ => {
                    let Some(f) = stack.last_mut() else { break };
                    let is_word = matches!(tok, Tok::Word | Tok::Str);
                    match f.phase {
                        Phase::Fresh => {
                            f.entry = at(values.len());
                            scratch.push(f.entry);
                            values.push(Value {
                                start,
                                end,
                                key_start: NONE,
                                key_end: NONE,
                                kids_start: NONE,
                                kids_end: NONE,
                                some: false,
                            });
                            f.phase = if is_word {
                                Phase::MaybeKey
                            } else {
                                Phase::InValue
                            };
                        }
                        Phase::MaybeKey if tok == Tok::Colon => {
                            let v = &mut values[f.entry as usize];
                            (v.key_start, v.key_end) = (v.start, v.end);
                            f.phase = Phase::AfterKey;
                        }
                        Phase::AfterKey => {
                            values[f.entry as usize].start = start;
                            f.phase = Phase::InValue;
                        }
                        Phase::MaybeKey | Phase::InValue => f.phase = Phase::InValue,
                    }
                    let v = &mut values[f.entry as usize];
                    v.end = end;
                    if let Tok::Open(_) = tok {
                        let owner = if v.kids_start == NONE {
                            v.some = f.after_some;
                            // Marked as having a group, filled in at its close.
                            v.kids_start = at(kids.len());
                            v.kids_end = v.kids_start;
                            f.entry
                        } else {
                            NONE
                        };
                        f.after_some = false;
                        stack.push(Frame::new(owner, scratch.len()));
                    } else {
                        f.after_some = tok == Tok::Word && &src[r] == "Some";
                    }
                }
            }
        }
        // Groups left open at the end of a broken file keep what was read.
        while stack.len() > 1 {
            let Some(f) = stack.pop() else { break };
            let first = at(kids.len());
            kids.extend(scratch.drain(f.scratch..));
            if let Some(v) = values.get_mut(f.owner as usize) {
                v.kids_start = first;
                v.kids_end = at(kids.len());
            }
        }
        let root = scratch.first().copied();
        SourceIndex { values, kids, root }
    }

    /// The entries of value `v`'s group, through any `Some(...)`.
    fn entries(&self, mut v: u32) -> &[u32] {
        loop {
            let Some(val) = self.values.get(v as usize) else {
                return &[];
            };
            if val.kids_start == NONE {
                return &[];
            }
            let kids = &self.kids[val.kids_start as usize..val.kids_end as usize];
            match kids {
                [inner] if val.some => v = *inner,
                _ => return kids,
            }
        }
    }
}

/// A value of the file, found in its index.
#[derive(Clone, Copy)]
pub(crate) struct Place<'s> {
    index: &'s SourceIndex,
    src: &'s str,
    id: u32,
}

impl<'s> Place<'s> {
    fn value(self) -> Value {
        self.index.values[self.id as usize]
    }

    /// The field `key` of this struct.
    pub(crate) fn field(self, key: &str) -> Option<Place<'s>> {
        self.index
            .entries(self.id)
            .iter()
            .copied()
            .find(|&k| {
                let v = self.index.values[k as usize];
                v.key_start != NONE
                    && self.src.get(v.key_start as usize..v.key_end as usize) == Some(key)
            })
            .map(|id| Place { id, ..self })
    }

    /// Entry `n` (from 0) of this list (or tuple).
    pub(crate) fn item(self, n: usize) -> Option<Place<'s>> {
        self.index
            .entries(self.id)
            .get(n)
            .map(|&id| Place { id, ..self })
    }

    /// The value's bytes.
    pub(crate) fn span(self) -> Range<usize> {
        let v = self.value();
        v.start as usize..v.end as usize
    }

    /// The field name's bytes, if this is a struct field.
    pub(crate) fn key_span(self) -> Option<Range<usize>> {
        let v = self.value();
        (v.key_start != NONE).then_some(v.key_start as usize..v.key_end as usize)
    }
}

/// A step of a path into the file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'k> {
    Field(&'k str),
    Item(usize),
}

/// A file's text and name, with its index built on first use. Every check
/// of one file (the scenario checks, then lint) can share one `Source`, so
/// the file's structure is read once at most, and never for a clean file.
pub struct Source<'a> {
    text: &'a str,
    path: &'a Path,
    index: OnceCell<SourceIndex>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, path: &'a Path) -> Self {
        Source {
            text,
            path,
            index: OnceCell::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn path(&self) -> &'a Path {
        self.path
    }

    /// The file's root value (`Scenario(...)`, `Guidance(...)`).
    pub(crate) fn root(&self) -> Option<Place<'_>> {
        let index = self.index.get_or_init(|| SourceIndex::build(self.text));
        index.root.map(|id| Place {
            index,
            src: self.text,
            id,
        })
    }

    /// The value at `path` from the root, or the deepest value on the way
    /// that is written (a field left at its default has no place of its
    /// own: its struct stands for it). `None` if not even the root is.
    pub(crate) fn find(&self, path: &[Step<'_>]) -> Option<Place<'_>> {
        let mut at = self.root()?;
        for step in path {
            let next = match *step {
                Step::Field(k) => at.field(k),
                Step::Item(n) => at.item(n),
            };
            match next {
                Some(p) => at = p,
                None => break,
            }
        }
        Some(at)
    }

    /// A diagnostic at the value at `path` (see [`Source::find`]).
    pub(crate) fn at(&self, code: Code, path: &[Step<'_>], message: String) -> Diagnostic {
        self.at_span(code, self.find(path).map(Place::span), message)
    }

    /// A diagnostic at bytes `span` of the file, or about the whole file.
    pub(crate) fn at_span(
        &self,
        code: Code,
        span: Option<Range<usize>>,
        message: String,
    ) -> Diagnostic {
        let d = Diagnostic::new(code, self.path, message);
        match span {
            Some(s) => d.spanning(self.text, s),
            None => d,
        }
    }

    /// Gives every diagnostic its line and column (one pass over the text)
    /// and puts them in file order, those about the whole file first.
    pub(crate) fn finish(&self, mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
        crate::core::diagnostic::locate(self.text, &mut out);
        out.sort_by_key(|d| (d.span.map(|s| s.start), d.code));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_at<'a>(src: &'a str, path: &[Step<'_>]) -> Option<&'a str> {
        let s = Source::new(src, Path::new("t.ron"));
        let p = s.find(path)?;
        Some(&src[p.span()])
    }

    #[test]
    fn values_are_found_by_path_through_some_raw_strings_and_comments() {
        use Step::{Field as F, Item as I};
        let src = "#![enable(implicit_some)]\n// a comment, with ( brackets ]\nScenario(\n  id: r#\"a \"] ( b\"#, /* nested /* ] */ , */\n  nodes: [\n    (id: \"x\", when: Some((min_trust: 5))),\n    (id: 'y', r#type: [1, -2],),\n  ],\n)\n";
        assert_eq!(span_at(src, &[F("id")]), Some("r#\"a \"] ( b\"#"));
        assert_eq!(span_at(src, &[F("nodes"), I(0), F("id")]), Some("\"x\""));
        assert_eq!(
            span_at(src, &[F("nodes"), I(0), F("when"), F("min_trust")]),
            Some("5")
        );
        assert_eq!(span_at(src, &[F("nodes"), I(1), F("id")]), Some("'y'"));
        assert_eq!(
            span_at(src, &[F("nodes"), I(1), F("type"), I(1)]),
            Some("-2")
        );
        // A missing field stands at the deepest value that is written.
        assert_eq!(
            span_at(src, &[F("nodes"), I(1), F("options"), I(3)]),
            Some("(id: 'y', r#type: [1, -2],)")
        );
        let s = Source::new(src, Path::new("t.ron"));
        let key = s.find(&[F("nodes")]).and_then(Place::key_span);
        assert_eq!(key.map(|k| &src[k]), Some("nodes"));
    }

    #[test]
    fn the_fast_path_yields_the_same_structure_as_the_tokenizer() {
        let src = "#![enable(implicit_some)]\nS( // c ( ,\n a: r#\"x\"( ]\"#, b: [b\"]\", 'c', /* /* , */ ) */ r#type, -1.5e3],\n c: {\"k\": (1,)}, é: 2)";
        let full: Vec<(Tok, usize)> = Tokens::new(src)
            .filter(|(t, _)| matches!(t, Tok::Open(_) | Tok::Close | Tok::Comma | Tok::Colon))
            .map(|(t, r)| (t, r.start))
            .collect();
        let fast: Vec<(Tok, usize)> = Skim::new(src).map(|(t, at, _)| (t, at)).collect();
        assert_eq!(fast, full);
        let keys: Vec<&str> = Skim::new(src)
            .filter_map(|(t, _, w)| (t == Tok::Colon).then_some(w).flatten())
            .map(|w| &src[w])
            .collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn broken_text_gives_an_index_of_what_could_be_read() {
        for src in [
            "",
            "(",
            ")",
            "(a: [",
            "Scenario(id: \"x\", nodes: [(id: ",
            "\"",
            "r#\"",
            "/*",
            "é(ü: ",
        ] {
            let s = Source::new(src, Path::new("t.ron"));
            let _ = s.find(&[Step::Field("nodes"), Step::Item(0), Step::Field("id")]);
        }
        assert_eq!(
            span_at("(a: [1, 2", &[Step::Field("a"), Step::Item(1)]),
            Some("2")
        );
    }
}
