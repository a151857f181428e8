//! Fuzzing the three readers a hostile user feeds: scenario files (and then
//! the checks of `validate`, `lint`, `graph`, a bounded `analyze` and a
//! session played to its end on what loads), rubric files (and then
//! `ipt-trainer rubric`'s warnings and tables, and a bundled scenario
//! checked, analysed and played with what loads) and attempt records
//! (`store::parse_record`, the reader behind `store::read_record_checked`,
//! and then the class report over a folder holding the record).
//!
//! cargo-fuzz needs a nightly toolchain, so this is proptest over four kinds
//! of case: (a) arbitrary bytes, (b) a soup of the format's own tokens,
//! (c) one mild mutation of a seed file (a number made extreme, a word
//! replaced or misspelt, text put in a string, a line deleted, doubled or
//! swapped), which mostly keeps the syntax and so reaches lint, the analysis
//! and a session, and (d) a few mutations of any kind of a seed file: byte
//! flips, deletions, duplicated spans, pieces of two files spliced, deep
//! nesting, huge strings, control characters. The seeds are the bundled
//! scenarios and the test fixtures, `assets/guidance.ron`, records of
//! sessions played on the bundled scenarios, and the corpus.
//!
//! What every case must do, whatever the input: finish within
//! [`CASE_DEADLINE`] without a panic; report every problem as a diagnostic
//! or an error value with a message; give every problem that is in a place
//! a span inside the file with the right line and column (all but the
//! [`FILE_WIDE`] codes; for a record, a JSON error names its line and
//! column); print (as the CLI renders it) no more than [`PRINTED_PER_BYTE`]
//! bytes per byte of input and no terminal control character; and any
//! session played on what loads ends within `MAX_TURNS` moves with a record
//! the program reads back.
//!
//! An ordinary test run makes [`CI_CASES`] cases per reader from a fixed
//! seed (about two seconds in all) and replays every file of
//! `tests/fuzz-corpus/<reader>/`. For a long run with random seeds and
//! figures printed (see docs/performance.md, "Fuzzing"):
//!
//! ```sh
//! FUZZ_CASES=100000 cargo test --no-default-features --test main fuzz::fuzz_scenario -- --nocapture
//! ```
//!
//! (`fuzz::fuzz_rubric`, `fuzz::fuzz_record`, or `fuzz::fuzz_` for all
//! three; one at a time gives each its own peak memory under
//! `/usr/bin/time -v`.)
//!
//! An input that fails is written to `<target>/tmp/fuzz-found/` (and
//! proptest keeps its seed in `proptest-regressions/fuzz-<reader>.txt`):
//! shrink it by hand if need be and add it to `tests/fuzz-corpus/<reader>/`,
//! named for what it shows, with the fix.

use crate::common::root;
use ipt_trainer::cli::render;
use ipt_trainer::core::analysis::{self, Limits};
use ipt_trainer::core::diagnostic::{Code, Diagnostic};
use ipt_trainer::core::graph::{self, GraphFormat};
use ipt_trainer::core::group::{GroupMode, GroupPlay, Roster};
use ipt_trainer::core::inspect;
use ipt_trainer::core::lint;
use ipt_trainer::core::load::{self, Source};
use ipt_trainer::core::model::{ProblemArea, Scenario, Topic};
use ipt_trainer::core::practice::{Input, Mode, Practice};
use ipt_trainer::core::report::{self, ReportOptions};
use ipt_trainer::core::rubric::Guidance;
use ipt_trainer::core::session::MAX_TURNS;
use ipt_trainer::core::store::{self, AttemptRecord, RecordError};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestRunner};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Cases per reader in an ordinary test run: proptest's default.
const CI_CASES: u32 = 256;
/// A case that takes longer than this has hung (the slowest honest case,
/// a 2 MiB scenario in the unoptimised test build, takes about a second).
const CASE_DEADLINE: Duration = Duration::from_secs(30);
/// What the CLI prints about a file (its diagnostics, rendered) is at most
/// this many bytes per byte of the file, plus [`PRINTED_SLACK`]: a bound
/// that a problem per few bytes, each shown with a window of its line,
/// stays well under, and that printing a whole line per problem (issue 10's
/// first defect) breaks at once.
const PRINTED_PER_BYTE: usize = 64;
const PRINTED_SLACK: usize = 64 * 1024;
/// The analysis is given a small limit: a hostile file may make it work up
/// to its limit, never past it.
const FUZZ_LIMITS: Limits = Limits {
    max_states: 2_000,
    exact_only: false,
};
/// The problems that are about a file as a whole (it cannot be read, is
/// too large, has no nodes or no endings, or no ending can be reached) or
/// about the scenario as a whole (lint's W012 and W014); every other
/// problem points at its place.
const FILE_WIDE: &[Code] = &[
    Code::E001,
    Code::E002,
    Code::E011,
    Code::E013,
    Code::E017,
    Code::W012,
    Code::W014,
];
/// How many diagnostics of a file have their line and column checked
/// against their span (each check reads the file up to the span).
const CHECK_POSITIONS: usize = 8;
/// The most bytes a mutated input grows to (the readers' own limits are
/// 8 MiB for scenarios and rubrics, 32 MiB for records).
const MAX_INPUT: usize = 2 * 1024 * 1024;

/// Which reader a case feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Scenario,
    Rubric,
    Record,
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::Scenario => "scenario",
            Reader::Rubric => "rubric",
            Reader::Record => "record",
        }
    }

    /// Where proptest keeps the seeds of this reader's failures.
    fn regressions(self) -> &'static str {
        match self {
            Reader::Scenario => "proptest-regressions/fuzz-scenario.txt",
            Reader::Rubric => "proptest-regressions/fuzz-rubric.txt",
            Reader::Record => "proptest-regressions/fuzz-record.txt",
        }
    }

    fn corpus(self) -> PathBuf {
        root().join("tests/fuzz-corpus").join(self.name())
    }

    /// The inputs mutations start from: the bundled files and the corpus.
    fn seeds(self) -> &'static [Vec<u8>] {
        static SEEDS: [OnceLock<Vec<Vec<u8>>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        SEEDS[self as usize].get_or_init(|| {
            let mut seeds = match self {
                // The bundled scenarios, and the test fixtures: small files,
                // one for each problem the loader and lint report.
                Reader::Scenario => crate::common::bundled()
                    .into_iter()
                    .chain(["valid", "errors", "lint"].iter().flat_map(|d| {
                        load::scenario_files(&crate::common::fixture(d))
                            .expect("the fixtures are readable")
                    }))
                    .map(|p| read(&p))
                    .collect(),
                Reader::Rubric => vec![load::BUNDLED_GUIDANCE.as_bytes().to_vec()],
                Reader::Record => played_records()
                    .iter()
                    .map(|r| serde_json::to_vec_pretty(r).expect("a record serialises"))
                    .collect(),
            };
            seeds.extend(corpus_files(self).iter().map(|p| read(p)));
            seeds
        })
    }

    /// Runs one case, returning what it found.
    fn check(self, bytes: &[u8]) -> Seen {
        match self {
            Reader::Scenario => check_scenario(bytes),
            Reader::Rubric => check_rubric(bytes),
            Reader::Record => check_record(bytes),
        }
    }

    /// What the format's tokens are made of, for the token soup.
    fn tokens(self) -> &'static [&'static str] {
        match self {
            Reader::Scenario | Reader::Rubric => RON_TOKENS,
            Reader::Record => JSON_TOKENS,
        }
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The files of a reader's corpus, sorted (a `README` excepted).
fn corpus_files(reader: Reader) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(reader.corpus()) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

fn bundled_guidance() -> Arc<Guidance> {
    static G: OnceLock<Arc<Guidance>> = OnceLock::new();
    G.get_or_init(crate::common::guidance).clone()
}

fn bundled_scenarios() -> &'static [Arc<Scenario>] {
    static S: OnceLock<Vec<Arc<Scenario>>> = OnceLock::new();
    S.get_or_init(|| {
        crate::common::bundled()
            .iter()
            .map(|p| crate::common::scenario(p))
            .collect()
    })
}

/// Records as the program writes them: every bundled scenario played to
/// its end alone (a retry of one, too), by a class vote and in the hot seat.
fn played_records() -> Vec<AttemptRecord> {
    let mut out = Vec::new();
    for (i, s) in bundled_scenarios().iter().enumerate() {
        let group = match i % 3 {
            0 => None,
            1 => Some(GroupPlay::new(
                GroupMode::ClassVote,
                "3C",
                Roster::default(),
            )),
            _ => Some(GroupPlay::new(
                GroupMode::HotSeat,
                "",
                Roster::parse("Ana\nBen\nChloé"),
            )),
        };
        let mut p = Practice::start(s.clone(), bundled_guidance(), i as u64, Mode::Coach, group)
            .expect("a bundled scenario starts");
        play_out(&mut p, i as u64);
        if i == 0 {
            let retry = p.retry_from(2).expect("a retry from turn 2");
            let mut retry = retry;
            play_out(&mut retry, 7);
            out.push(retry.finish("Sam").expect("a retry's record"));
        }
        out.push(p.finish("Sam Lee").expect("a record"));
    }
    out
}

/// Plays a practice to its end (or the turn limit), choosing by `seed`.
/// Returns the number of moves.
fn play_out(p: &mut Practice, seed: u64) -> usize {
    let mut moves = 0;
    while let Some(prompt) = p.session().prompt() {
        let n = prompt.options.len();
        assert!(n > 0, "a prompt offers an option");
        let pick = (seed.wrapping_mul(31).wrapping_add(moves as u64 * 7) % n as u64) as usize + 1;
        let input = match p.group().map(|g| g.mode) {
            Some(GroupMode::ClassVote) => {
                if let Some(g) = p.group_mut() {
                    g.tally.set(pick % n + 1, 1);
                    g.tally.set(pick, 3);
                }
                Input::CloseVote(None)
            }
            _ => Input::Choose(pick),
        };
        p.play(input).expect("a shown option can be played");
        moves += 1;
        assert!(
            moves <= MAX_TURNS,
            "a session went past {MAX_TURNS} moves without ending"
        );
    }
    moves
}

// ---------------------------------------------------------------- inputs

/// One change to a seed file.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: Index,
        bit: u8,
    },
    Set {
        at: Index,
        byte: u8,
    },
    Delete {
        at: Index,
        len: usize,
    },
    Duplicate {
        from: Index,
        len: usize,
        times: usize,
    },
    Splice {
        other: Index,
        from: Index,
        len: usize,
        to: Index,
    },
    Number {
        nth: Index,
        value: Index,
    },
    Nest {
        at: Index,
        depth: usize,
        open: Index,
        close: bool,
    },
    HugeString {
        at: Index,
        len: usize,
        ch: Index,
        quoted: bool,
    },
    Insert {
        at: Index,
        what: Index,
    },
    Token {
        at: Index,
        what: Index,
    },
    /// Text put inside the `nth` string literal: a control character
    /// (raw or as an escape), or a long run of one character.
    InString {
        nth: Index,
        at: Index,
        what: Index,
        len: usize,
    },
    /// The `nth` word (a field name, a variant, an id) replaced by another
    /// of the format's words, or by a near miss of itself.
    Word {
        nth: Index,
        what: Index,
        typo: bool,
    },
    /// A whole line deleted, doubled, or swapped with the next: the files
    /// are written a field or an item a line, so this mostly keeps the
    /// syntax and breaks the meaning (a missing field, a duplicate id).
    Line {
        nth: Index,
        op: LineOp,
    },
}

#[derive(Debug, Clone, Copy)]
enum LineOp {
    Delete,
    Double,
    Swap,
}

/// What a case reads.
#[derive(Debug, Clone)]
enum Case {
    /// Arbitrary bytes.
    Bytes(Vec<u8>),
    /// The format's own tokens in any order.
    Soup(Vec<Index>),
    /// A seed file changed by one mutation that mostly keeps its syntax (a
    /// number, a word, a string's text, a line): these reach the checks,
    /// lint, the analysis and a session.
    Mild { seed: Index, step: Mutation },
    /// A seed file changed by a few mutations of any kind.
    Mutated { seed: Index, steps: Vec<Mutation> },
}

impl Case {
    /// The kind of case, for the figures.
    fn kind(&self) -> usize {
        match self {
            Case::Bytes(_) => 0,
            Case::Soup(_) => 1,
            Case::Mild { .. } => 2,
            Case::Mutated { .. } => 3,
        }
    }
}

const KINDS: [&str; 4] = [
    "arbitrary bytes",
    "token soup",
    "one mild mutation",
    "mutated files",
];

/// Numbers no file should hold, for numbers that are there.
const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "255",
    "256",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "99999999999999999999999999999999999999999999999999999999",
    "1e308",
    "1e309",
    "-1e309",
    "1e-400",
    "0.5",
    "-0.0",
    "NaN",
    "inf",
    "-inf",
    "0x7fffffff",
    "0b1",
    "0o7",
    "1_000",
    "00000000000000000001",
];

/// Text that terminals, editors and parsers treat specially.
const CONTROLS: &[&str] = &[
    "\u{1b}[2J",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}]8;;https://evil.example\u{1b}\\",
    "\u{9b}31m",
    "\u{0}",
    "\r",
    "\r\n",
    "\u{8}",
    "\u{7f}",
    "\u{85}",
    "\u{202e}",
    "\u{2028}",
    "\u{feff}",
    "\u{301}",
    "\t",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{1F600}",
];

const RON_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "Some(",
    "None",
    "true",
    "false",
    "\"",
    "\"\"",
    "r#\"",
    "\"#",
    "r##\"x\"##",
    "b\"",
    "'",
    "'x'",
    "\\",
    "\\u{110000}",
    "\\u{d800}",
    "\\n",
    "//",
    "/*",
    "*/",
    "\n",
    " ",
    "#![enable(implicit_some)]\n",
    "#![enable(unwrap_newtypes)]\n",
    "#![enable(unwrap_variant_newtypes)]\n",
    "#",
    "!",
    "-",
    "+",
    ".",
    "e",
    "r#id",
    "id",
    "nodes",
    "next",
    "start",
    "endings",
    "options",
    "kind",
    "topic",
    "when",
    "adjust",
    "trust",
    "distress",
    "openness",
    "minutes",
    "Scenario",
    "Guidance",
    "principles",
    "rules",
    "tasks",
    "scoring",
    "base",
    "cap",
    "score",
    "x",
    "1",
    "0",
    "-1",
    "100",
    "1000000",
    "1e9",
    "Focal",
    "Grief",
    "Initial",
    "Good",
    "Reflect",
    "Option",
    "Node",
    "Ending",
    "disclosures",
    "memory",
    "remember",
    "flag",
    "\"<script>alert(1)</script>\"",
];

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"\"",
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "1e400",
    "1.5",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\u001b[2J\"",
    "\\",
    "\"format\"",
    "\"ipt-trainer/attempt\"",
    "\"version\"",
    "\"trainee\"",
    "\"debrief\"",
    "\"turns\"",
    "\"scores\"",
    "\"seed\"",
    "\"choices\"",
    "\"group\"",
    "\"votes\"",
    "\"finished_at\"",
    "\"replayed_turns\"",
    "\"minutes\"",
    "\u{feff}",
    " ",
    "\n",
    "\"<script>alert(1)</script>\"",
    "\"=HYPERLINK(\\\"x\\\")\"",
    "\"\u{ff1d}1+1\"",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        3 => (any::<Index>(), prop_oneof![1usize..16, 16usize..4096])
            .prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (any::<Index>(), prop_oneof![1usize..64, 64usize..8192], prop_oneof![1usize..3, 3usize..200])
            .prop_map(|(from, len, times)| Mutation::Duplicate { from, len, times }),
        2 => (any::<Index>(), any::<Index>(), 1usize..8192, any::<Index>())
            .prop_map(|(other, from, len, to)| Mutation::Splice { other, from, len, to }),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(nth, value)| Mutation::Number { nth, value }),
        1 => (any::<Index>(), prop_oneof![1usize..200, 200usize..100_000], any::<Index>(), any::<bool>())
            .prop_map(|(at, depth, open, close)| Mutation::Nest { at, depth, open, close }),
        1 => (any::<Index>(), prop_oneof![1usize..1024, 1024usize..1_000_000], any::<Index>(), any::<bool>())
            .prop_map(|(at, len, ch, quoted)| Mutation::HugeString { at, len, ch, quoted }),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, what)| Mutation::Insert { at, what }),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, what)| Mutation::Token { at, what }),
        3 => (any::<Index>(), any::<Index>(), any::<Index>(), prop_oneof![1usize..4, 4usize..100_000])
            .prop_map(|(nth, at, what, len)| Mutation::InString { nth, at, what, len }),
        3 => (any::<Index>(), any::<Index>(), any::<bool>())
            .prop_map(|(nth, what, typo)| Mutation::Word { nth, what, typo }),
        4 => (any::<Index>(), prop_oneof![Just(LineOp::Delete), Just(LineOp::Double), Just(LineOp::Swap)])
            .prop_map(|(nth, op)| Mutation::Line { nth, op }),
    ]
}

/// The mutations that mostly keep a file's syntax.
fn mild_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(nth, value)| Mutation::Number { nth, value }),
        (
            any::<Index>(),
            any::<Index>(),
            any::<Index>(),
            prop_oneof![1usize..4, 4usize..100_000]
        )
            .prop_map(|(nth, at, what, len)| Mutation::InString { nth, at, what, len }),
        (any::<Index>(), any::<Index>(), any::<bool>())
            .prop_map(|(nth, what, typo)| Mutation::Word { nth, what, typo }),
        (
            any::<Index>(),
            prop_oneof![
                Just(LineOp::Delete),
                Just(LineOp::Double),
                Just(LineOp::Swap)
            ]
        )
            .prop_map(|(nth, op)| Mutation::Line { nth, op }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..2048).prop_map(Case::Bytes),
        2 => proptest::collection::vec(any::<Index>(), 0..400).prop_map(Case::Soup),
        4 => (any::<Index>(), mild_mutation()).prop_map(|(seed, step)| Case::Mild { seed, step }),
        6 => (any::<Index>(), proptest::collection::vec(mutation(), 1..6))
            .prop_map(|(seed, steps)| Case::Mutated { seed, steps }),
    ]
}

/// The character boundary at or before `i` in `b` (for UTF-8 text; any
/// position for other bytes), so that mutations keep most of a file's
/// text readable.
fn pos(b: &[u8], at: Index) -> usize {
    if b.is_empty() {
        return 0;
    }
    let mut i = at.index(b.len() + 1);
    while i > 0 && i < b.len() && (b[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

fn insert(b: &mut Vec<u8>, at: usize, what: &[u8]) {
    let room = MAX_INPUT.saturating_sub(b.len());
    let what = &what[..what.len().min(room)];
    b.splice(at..at, what.iter().copied());
}

/// The byte ranges of the insides of the string literals in `b` (between
/// `"` and `"`, escapes skipped; a string left open runs to the end).
fn strings(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i + 1;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            let end = i.min(b.len());
            out.push(start..end);
        }
        i += 1;
    }
    out
}

/// The byte ranges of the words in `b` (identifier characters, not
/// starting with a digit), outside no particular context.
fn words(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        if is_word(b[i]) && !b[i].is_ascii_digit() && (i == 0 || !is_word(b[i - 1])) {
            let start = i;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// `text` as escapes in a string literal of the reader's format.
fn escaped(text: &str, reader: Reader) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if reader == Reader::Record {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out
}

/// The byte ranges of the lines of `b`, each with its line break.
fn lines(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push(start..b.len());
    }
    out
}

/// The byte ranges of the numbers in `b` (a run of digits, a sign before).
fn numbers(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

impl Mutation {
    fn apply(&self, b: &mut Vec<u8>, reader: Reader) {
        match self {
            Mutation::Flip { at, bit } => {
                if !b.is_empty() {
                    let i = at.index(b.len());
                    b[i] ^= 1 << bit;
                }
            }
            Mutation::Set { at, byte } => {
                if !b.is_empty() {
                    let i = at.index(b.len());
                    b[i] = *byte;
                }
            }
            Mutation::Delete { at, len } => {
                let i = pos(b, *at);
                let end = (i + len).min(b.len());
                b.drain(i..end);
            }
            Mutation::Duplicate { from, len, times } => {
                let i = pos(b, *from);
                let end = (i + len).min(b.len());
                let piece = b[i..end].repeat(*times);
                insert(b, end, &piece);
            }
            Mutation::Splice {
                other,
                from,
                len,
                to,
            } => {
                let seeds = reader.seeds();
                let o = &seeds[other.index(seeds.len())];
                let i = pos(o, *from);
                let piece = o[i..(i + len).min(o.len())].to_vec();
                let j = pos(b, *to);
                // Half the time the piece replaces what was there.
                if len % 2 == 0 {
                    let end = (j + piece.len()).min(b.len());
                    b.drain(j..end);
                }
                insert(b, j, &piece);
            }
            Mutation::Number { nth, value } => {
                let found = numbers(b);
                if !found.is_empty() {
                    let r = found[nth.index(found.len())].clone();
                    let v = EXTREME_NUMBERS[value.index(EXTREME_NUMBERS.len())];
                    b.splice(r, v.bytes());
                }
            }
            Mutation::Nest {
                at,
                depth,
                open,
                close,
            } => {
                const OPENS: &[(&str, &str)] = &[
                    ("(", ")"),
                    ("[", "]"),
                    ("{", "}"),
                    ("Some(", ")"),
                    ("/*", "*/"),
                    ("[{", "}]"),
                ];
                let (o, c) = OPENS[open.index(OPENS.len())];
                let i = pos(b, *at);
                let mut piece = o.repeat(*depth);
                if *close {
                    piece.push_str(&c.repeat(*depth));
                }
                insert(b, i, piece.as_bytes());
            }
            Mutation::HugeString {
                at,
                len,
                ch,
                quoted,
            } => {
                const CHARS: &[char] = &['a', ' ', 'é', '\u{1b}', '\n', '"', '\\', '\u{301}', '語'];
                let c = CHARS[ch.index(CHARS.len())];
                let i = pos(b, *at);
                let mut piece = String::new();
                if *quoted {
                    piece.push('"');
                }
                piece.extend(std::iter::repeat_n(c, *len));
                if *quoted {
                    piece.push('"');
                }
                insert(b, i, piece.as_bytes());
            }
            Mutation::Insert { at, what } => {
                let i = pos(b, *at);
                insert(b, i, CONTROLS[what.index(CONTROLS.len())].as_bytes());
            }
            Mutation::Token { at, what } => {
                let i = pos(b, *at);
                let tokens = reader.tokens();
                insert(b, i, tokens[what.index(tokens.len())].as_bytes());
            }
            Mutation::InString { nth, at, what, len } => {
                let found = strings(b);
                if !found.is_empty() {
                    let r = found[nth.index(found.len())].clone();
                    let i = r.start + pos(&b[r.clone()], *at);
                    let piece: Vec<u8> = match what.index(4) {
                        0 => CONTROLS[what.index(CONTROLS.len())].as_bytes().to_vec(),
                        // The same as an escape, as a careful attacker writes it.
                        1 => escaped(CONTROLS[what.index(CONTROLS.len())], reader).into_bytes(),
                        2 => escaped("\u{1b}[31m", reader)
                            .repeat((*len).min(1000))
                            .into_bytes(),
                        _ => "語a ".repeat(*len / 3 + 1).into_bytes(),
                    };
                    insert(b, i, &piece);
                }
            }
            Mutation::Word { nth, what, typo } => {
                let found = words(b);
                if !found.is_empty() {
                    let r = found[nth.index(found.len())].clone();
                    let new: Vec<u8> = if *typo {
                        // A letter doubled: a near miss the loader may suggest a fix for.
                        let w = &b[r.clone()];
                        let k = what.index(w.len());
                        let mut v = w[..=k].to_vec();
                        v.extend_from_slice(&w[k..]);
                        v
                    } else {
                        let tokens = reader.tokens();
                        tokens[what.index(tokens.len())].as_bytes().to_vec()
                    };
                    b.splice(r, new);
                }
            }
            Mutation::Line { nth, op } => {
                let found = lines(b);
                if !found.is_empty() {
                    let k = nth.index(found.len());
                    let r = found[k].clone();
                    match op {
                        LineOp::Delete => {
                            b.drain(r);
                        }
                        LineOp::Double => {
                            let line = b[r.clone()].to_vec();
                            insert(b, r.end, &line);
                        }
                        LineOp::Swap => {
                            if let Some(next) = found.get(k + 1) {
                                let mut swapped = b[next.clone()].to_vec();
                                swapped.extend_from_slice(&b[r.clone()]);
                                b.splice(r.start..next.end, swapped);
                            }
                        }
                    }
                }
            }
        }
        b.truncate(MAX_INPUT);
    }
}

impl Case {
    fn bytes(&self, reader: Reader) -> Vec<u8> {
        match self {
            Case::Bytes(b) => b.clone(),
            Case::Soup(picks) => {
                let tokens = reader.tokens();
                let mut out = Vec::new();
                for p in picks {
                    out.extend_from_slice(tokens[p.index(tokens.len())].as_bytes());
                }
                out
            }
            Case::Mild { seed, step } => {
                let seeds = reader.seeds();
                let mut b = seeds[seed.index(seeds.len())].clone();
                step.apply(&mut b, reader);
                b
            }
            Case::Mutated { seed, steps } => {
                let seeds = reader.seeds();
                let mut b = seeds[seed.index(seeds.len())].clone();
                for m in steps {
                    m.apply(&mut b, reader);
                }
                b
            }
        }
    }
}

// ------------------------------------------------------------ properties

/// What a case found, for the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Refused with errors.
    Refused,
    /// Loaded (possibly with warnings) and used.
    Used,
}

/// The diagnostics of a file, rendered as the CLI prints them, with their
/// checks: each has a message, a span inside the file, and its rendering
/// holds no control character a terminal would act on. Returns the bytes
/// printed.
fn printed(ds: &[Diagnostic], text: &str) -> usize {
    let mut total = 0;
    let mut checked = 0;
    for d in ds {
        assert!(
            !d.message.trim().is_empty(),
            "a diagnostic without a message: {d:?}"
        );
        if let Some(s) = d.span {
            assert!(
                s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start),
                "a span outside the file: {d:?}"
            );
            assert!(
                d.position.is_some(),
                "a span without a line and column: {d:?}"
            );
        }
        if !text.is_empty() && !FILE_WIDE.contains(&d.code) {
            assert!(
                d.span.is_some(),
                "a problem in a place with no place: {d:?}"
            );
        }
        if checked < CHECK_POSITIONS
            && let (Some(s), Some(p)) = (d.span, d.position)
        {
            checked += 1;
            let before = &text[..s.start];
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            assert_eq!(
                (p.line, p.column),
                (line, column),
                "a line and column that are not those of the span: {d:?}"
            );
        }
        let shown = render::diagnostic(d, Some(text));
        assert_no_controls(&shown, "a rendered diagnostic");
        total += shown.len();
    }
    assert!(
        total <= PRINTED_PER_BYTE * text.len() + PRINTED_SLACK,
        "{} diagnostics of a {}-byte file print {total} bytes",
        ds.len(),
        text.len()
    );
    total
}

fn assert_no_controls(shown: &str, what: &str) {
    if let Some(c) = shown
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        panic!("{what} holds the control character {c:?}");
    }
}

/// A session on `scenario` with `guidance`, played to its end: it ends
/// within the turn limit, its record is read back by the store's reader
/// with no impossible value, and its debrief renders.
fn play_and_record(scenario: Arc<Scenario>, guidance: Arc<Guidance>, seed: u64) {
    let Ok(mut p) = Practice::start(scenario.clone(), guidance, seed, Mode::Coach, None) else {
        return;
    };
    let moves = play_out(&mut p, seed);
    assert!(p.session().is_ended());
    let Some(record) = p.finish("Fuzz") else {
        assert_eq!(moves, 0);
        return;
    };
    let json = serde_json::to_vec_pretty(&record).expect("a record serialises");
    let back = store::parse_record(&json).expect("the program reads the records it writes");
    let check = store::check_values(&back);
    assert!(
        check.unusable.is_empty(),
        "a played session's record has impossible values: {:?}",
        check.unusable
    );
    let shown = render::escape_controls(&render::debrief(&back.debrief, &scenario.client.name))
        .into_owned();
    assert_no_controls(&shown, "the debrief as the CLI prints it");
}

/// What a loader gave, its diagnostics checked as printed: the value, or
/// `None` when it refused the input (which it must say with an error).
fn accepted<T>(loaded: load::Loaded<T>, text: &str, what: &str) -> Option<T> {
    printed(&loaded.diagnostics, text);
    if loaded.value.is_none() {
        assert!(loaded.has_errors(), "no {what} and no error");
    }
    loaded.into_result().ok()
}

fn check_scenario(bytes: &[u8]) -> Seen {
    let text = String::from_utf8_lossy(bytes);
    let path = Path::new("fuzz.ron");
    let Some(s) = accepted(load::load_scenario_str(&text, path), &text, "scenario") else {
        return Seen::Refused;
    };
    let g = bundled_guidance();
    let ds = lint::lint(&s, &g, &text, path);
    printed(&ds, &text);
    for f in [GraphFormat::Dot, GraphFormat::Mermaid] {
        let shown = render::escape_controls(&graph::render(&s, f)).into_owned();
        assert_no_controls(&shown, "the graph as the CLI prints it");
    }
    match analysis::analyze(&s, &g, FUZZ_LIMITS) {
        Ok(a) => {
            let shown = render::escape_controls(&render::analysis(&a, path)).into_owned();
            assert_no_controls(&shown, "the analysis as the CLI prints it");
            serde_json::to_string(&a).expect("the analysis as JSON");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    let seed = u64::from_str_radix(&store::content_hash(bytes), 16).unwrap_or_default();
    play_and_record(Arc::new(s), g, seed);
    Seen::Used
}

fn check_rubric(bytes: &[u8]) -> Seen {
    let text = String::from_utf8_lossy(bytes);
    let path = Path::new("fuzz-guidance.ron");
    let Some(g) = accepted(load::load_guidance_str(&text, path), &text, "rubric") else {
        return Seen::Refused;
    };
    let src = Source::new(&text, path);
    // `ipt-trainer rubric`: the warnings and one area's tables.
    printed(&inspect::check(&g, &src), &text);
    let h = store::content_hash(bytes);
    let n = usize::from(h.as_bytes()[0]);
    let area = ProblemArea::ALL[n % ProblemArea::ALL.len()];
    let tables = [inspect::table(&g, area, Topic::Focal)];
    let shown = render::escape_controls(&render::rubric_tables(&g, &tables)).into_owned();
    assert_no_controls(&shown, "the rubric's tables as the CLI prints them");
    let _ = inspect::html(&g, &tables, &[]);
    // A bundled scenario, checked against this rubric's flags, then played
    // and analysed with it.
    let bundled = crate::common::bundled();
    let file = &bundled[n % bundled.len()];
    let scenario_text = std::fs::read_to_string(file).expect("a bundled scenario reads");
    let s_src = Source::new(&scenario_text, file);
    let flags = load::rubric_flags(&g);
    let loaded = load::load_scenario_source(&s_src, Some(&flags));
    printed(&loaded.diagnostics, &scenario_text);
    let Ok(s) = loaded.into_result() else {
        return Seen::Used;
    };
    printed(&lint::lint_source(&s, &g, &s_src), &scenario_text);
    if let Err(e) = analysis::analyze(&s, &g, FUZZ_LIMITS) {
        assert!(!e.to_string().is_empty());
    }
    play_and_record(Arc::new(s), Arc::new(g), n as u64);
    Seen::Used
}

fn check_record(bytes: &[u8]) -> Seen {
    let parsed = store::parse_record(bytes);
    let usable = match &parsed {
        Ok(r) => {
            let check = store::check_values(r);
            let _ = check.odd_summary();
            let shown =
                render::escape_controls(&render::debrief(&r.debrief, "Client")).into_owned();
            assert_no_controls(&shown, "a record's debrief as the CLI prints it");
            check.unusable.is_empty()
        }
        Err(e) => {
            assert!(
                !e.to_string().trim().is_empty(),
                "an error without a message: {e:?}"
            );
            assert!(!e.kind_only().is_empty());
            // JSON that does not parse, or does not match the record, has a
            // place in the file: the message names its line and column.
            if matches!(e, RecordError::Syntax(_) | RecordError::Damaged(_)) {
                let m = e.to_string();
                assert!(
                    m.contains(" line ") && m.contains(" column "),
                    "an error in a place with no place: {m}"
                );
            }
            false
        }
    };
    // The class report over a folder holding it and a good record.
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("fuzzed.json"), bytes).expect("write");
    std::fs::write(dir.path().join("good.json"), &Reader::Record.seeds()[0]).expect("write");
    for anonymize in [false, true] {
        let options = ReportOptions {
            anonymize,
            ..ReportOptions::default()
        };
        let r = report::build(dir.path(), &options).expect("a readable folder gives a report");
        assert_eq!(r.files_found, 2);
        for p in &r.problems {
            assert!(
                !p.reason.trim().is_empty(),
                "a problem without a reason: {p:?}"
            );
        }
        // Read in file order, so the fuzzed record is never the duplicate
        // of the good one: it is counted exactly when it is usable.
        let fuzzed_skipped = r.skipped().any(|p| p.path.ends_with("fuzzed.json"));
        assert_eq!(fuzzed_skipped, !usable, "{:?}", r.problems);
        assert_eq!(r.attempts.len() + r.skipped().count(), 2);
        let html = r.html().to_ascii_lowercase();
        assert!(!html.contains("<script"), "the page runs no script");
        let csv = r.csv();
        for row in ::csv::Reader::from_reader(csv.as_bytes()).records() {
            let row = row.expect("the CSV parses");
            for cell in &row {
                assert_eq!(
                    report::csv_guard(cell),
                    cell,
                    "a CSV cell a spreadsheet would run"
                );
            }
        }
        let _ = serde_json::to_vec(&r.xapi()).expect("xAPI as JSON");
    }
    if usable { Seen::Used } else { Seen::Refused }
}

// ---------------------------------------------------------------- running

/// Runs `reader` on `bytes` on a thread of its own, failing (with the input
/// saved) on a panic or if it takes longer than [`CASE_DEADLINE`].
fn guarded(reader: Reader, bytes: Vec<u8>) -> Result<(Seen, Duration), String> {
    let bytes = Arc::new(bytes);
    let (tx, rx) = std::sync::mpsc::channel();
    let input = bytes.clone();
    let worker = std::thread::Builder::new()
        .name(format!("fuzz-{}", reader.name()))
        .spawn(move || {
            let t = Instant::now();
            let seen = reader.check(&input);
            let _ = tx.send((seen, t.elapsed()));
        })
        .expect("a thread");
    match rx.recv_timeout(CASE_DEADLINE) {
        Ok(done) => {
            let _ = worker.join();
            Ok(done)
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "the {} reader did not finish within {CASE_DEADLINE:?}; input saved to {}",
            reader.name(),
            save_found(reader, &bytes).display()
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            let why = match worker.join() {
                Err(e) => e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_default(),
                Ok(()) => String::new(),
            };
            Err(format!(
                "the {} reader failed: {why}; input saved to {}",
                reader.name(),
                save_found(reader, &bytes).display()
            ))
        }
    }
}

/// Saves an input that failed, under the test build's temporary folder.
fn save_found(reader: Reader, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-found");
    let _ = std::fs::create_dir_all(&dir);
    let ext = if reader == Reader::Record {
        "json"
    } else {
        "ron"
    };
    let path = dir.join(format!(
        "{}-{}.{ext}",
        reader.name(),
        store::content_hash(bytes)
    ));
    let _ = std::fs::write(&path, bytes);
    path
}

/// The figures of one kind of case in a run.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    cases: u64,
    used: u64,
    bytes: u64,
    largest: usize,
    /// Time spent reading and checking (not making the input).
    busy: Duration,
    slowest: Duration,
}

impl Figures {
    fn add(&mut self, seen: Seen, len: usize, took: Duration) {
        self.cases += 1;
        self.used += u64::from(seen == Seen::Used);
        self.bytes += len as u64;
        self.largest = self.largest.max(len);
        self.busy += took;
        self.slowest = self.slowest.max(took);
    }

    fn line(&self, what: &str) -> String {
        let secs = self.busy.as_secs_f64().max(1e-9);
        format!(
            "{what}: {} cases ({} used), {:.0} cases/s, {:.1} MB/s, mean {:.0} bytes, largest {} bytes, slowest {:.3} s",
            self.cases,
            self.used,
            self.cases as f64 / secs,
            self.bytes as f64 / 1e6 / secs,
            self.bytes as f64 / self.cases.max(1) as f64,
            self.largest,
            self.slowest.as_secs_f64(),
        )
    }
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// The number of cases of a long run, from `FUZZ_CASES`.
fn long_run() -> Option<u32> {
    let v = std::env::var("FUZZ_CASES").ok()?;
    Some(
        v.trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("FUZZ_CASES={v} is not a number of cases")),
    )
}

fn fuzz(reader: Reader) {
    let long = long_run();
    let config = Config {
        cases: long.unwrap_or(CI_CASES),
        // An ordinary run is the same every time; a long run explores.
        rng_seed: if long.is_some() {
            RngSeed::Random
        } else {
            RngSeed::Fixed(0x1b7_f022)
        },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            reader.regressions(),
        ))),
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let figures = RefCell::new([Figures::default(); KINDS.len()]);
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |c| {
        let bytes = c.bytes(reader);
        let len = bytes.len();
        let (seen, took) = guarded(reader, bytes).map_err(TestCaseError::fail)?;
        figures.borrow_mut()[c.kind()].add(seen, len, took);
        Ok(())
    });
    let figures = figures.into_inner();
    let mut all = Figures::default();
    for f in &figures {
        all.cases += f.cases;
        all.used += f.used;
        all.bytes += f.bytes;
        all.largest = all.largest.max(f.largest);
        all.busy += f.busy;
        all.slowest = all.slowest.max(f.slowest);
    }
    if long.is_some() {
        let mut out = format!(
            "fuzz {}: {} cases in {:.1} s; peak memory of the test process {} MiB\n  {}",
            reader.name(),
            all.cases,
            started.elapsed().as_secs_f64(),
            peak_rss_mib().map_or_else(|| "?".into(), |m| m.to_string()),
            all.line("all"),
        );
        for (f, what) in figures.iter().zip(KINDS) {
            out.push_str("\n  ");
            out.push_str(&f.line(what));
        }
        #[allow(clippy::print_stdout, reason = "a long run prints its figures")]
        {
            println!("{out}");
        }
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        all.used > 0,
        "no {} case got past the loader",
        reader.name()
    );
}

#[test]
fn fuzz_scenario_loader_lint_analyze_and_play() {
    fuzz(Reader::Scenario);
}

#[test]
fn fuzz_rubric_loader_and_a_session_with_it() {
    fuzz(Reader::Rubric);
}

#[test]
fn fuzz_record_reader_and_class_report() {
    fuzz(Reader::Record);
}

#[test]
fn the_corpus_replays_cleanly() {
    let mut replayed = 0;
    for reader in [Reader::Scenario, Reader::Rubric, Reader::Record] {
        let files = corpus_files(reader);
        assert!(
            !files.is_empty(),
            "{} has no corpus",
            reader.corpus().display()
        );
        for f in files {
            if let Err(e) = guarded(reader, read(&f)) {
                panic!("{}: {e}", f.display());
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 3);
}

#[test]
fn the_class_report_reads_the_record_corpus_against_the_bundled_scenarios() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let files = corpus_files(Reader::Record);
    for f in &files {
        let name = f.file_name().expect("a file name");
        std::fs::copy(f, dir.path().join(name)).expect("copy");
    }
    let options = ReportOptions {
        scenario_dirs: vec![root().join("scenarios")],
        ..ReportOptions::default()
    };
    let r = report::build(dir.path(), &options).expect("a report");
    assert_eq!(
        r.files_found,
        files
            .iter()
            .filter(|f| store::is_record_name(f.as_os_str()))
            .count()
    );
    assert_eq!(
        r.attempts.len() + r.skipped().count(),
        r.files_found,
        "every record file is counted or skipped with a reason"
    );
    let _ = r.html();
    let _ = r.csv();
}

/// Writes the record corpus's valid records (as the program writes them:
/// a retry, a solo attempt, a class vote and a hot seat), after a change to
/// the record's format: `cargo test --no-default-features --test main
/// write_record_corpus -- --ignored`.
#[test]
#[ignore = "writes tests/fuzz-corpus/record/played-*.json"]
fn write_record_corpus() {
    let names = ["retry", "solo", "class-vote", "hot-seat"];
    for (r, name) in played_records().iter().zip(names) {
        let p = Reader::Record.corpus().join(format!("played-{name}.json"));
        std::fs::write(
            p,
            serde_json::to_vec_pretty(r).expect("a record serialises"),
        )
        .expect("the corpus is writable");
    }
}

/// Found by a long run: a record whose losses add up past `i32::MAX` made
/// the debrief's renderer overflow (a panic in a build with overflow
/// checks), and one of `i32::MIN` points would overflow on negation.
#[test]
fn a_debrief_with_extreme_losses_renders() {
    let bytes = read(&Reader::Record.corpus().join("losses-overflow.json"));
    let mut r = store::parse_record(&bytes).expect("the record parses");
    let shown = render::debrief(&r.debrief, "Client");
    assert!(shown.contains("more, smaller"), "{shown}");
    for dim in &mut r.debrief.dimensions {
        for l in &mut dim.losses {
            l.points = i32::MIN;
        }
    }
    let shown = render::debrief(&r.debrief, "Client");
    assert!(shown.contains(&i32::MAX.to_string()), "{shown}");
}
