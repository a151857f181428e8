//! Parsing a large file in two halves gives exactly what the whole-file
//! parse gives, or nothing (and the whole-file parse is used).

use crate::common::bundled;
use ipt_trainer::core::model::Scenario;
use ipt_trainer::core::split::parse_in_halves_from;

fn options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

#[test]
fn halves_equal_the_whole_for_every_bundled_scenario() {
    for f in bundled() {
        let src = std::fs::read_to_string(&f).expect("read");
        let whole: Scenario = options().from_str(&src).expect("parses");
        let halves = parse_in_halves_from(&src, &options(), 0).expect("splits");
        assert_eq!(halves, whole, "{}", f.display());
    }
}

#[test]
fn tricky_text_is_split_correctly_or_not_at_all() {
    let src = std::fs::read_to_string(crate::common::fixture("valid/small.ron")).expect("read");
    // Commas, brackets and quotes inside strings and comments.
    let tricky = src
        .replace(
            "It is hard to talk about.",
            "It is [hard], (to) talk \\\"about\\\", you know.",
        )
        .replace(
            "    nodes: [",
            "    // nodes: [ a comment, with ] brackets\n    nodes: [",
        );
    let whole: Scenario = options().from_str(&tricky).expect("parses");
    assert_eq!(parse_in_halves_from(&tricky, &options(), 0), Some(whole));
    // Raw strings and nested block comments, which the loader's tokenizer
    // reads (the scanner before it left them to the whole-file parser).
    let raw = src
        .replace(
            "\"It is hard to talk about.\"",
            "r#\"It is \"hard\", to] talk about.\"#",
        )
        .replace(
            "    nodes: [",
            "    /* nodes: [ /* nested, ] */ ( */\n    nodes: [",
        );
    let whole: Scenario = options().from_str(&raw).expect("parses");
    assert_eq!(parse_in_halves_from(&raw, &options(), 0), Some(whole));
    // A broken half gives nothing, so the whole-file parse reports the error.
    let broken = src.replace(
        "next: \"plan\", minutes: 4),",
        "next: \"plan\", minutes: 4,",
    );
    assert_eq!(parse_in_halves_from(&broken, &options(), 0), None);
}
