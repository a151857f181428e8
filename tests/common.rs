use ipt_trainer::core::diagnostic::Position;
use ipt_trainer::core::load;
use ipt_trainer::core::model::Scenario;
use ipt_trainer::core::rubric::Guidance;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

pub fn guidance() -> Arc<Guidance> {
    Arc::new(load::bundled_guidance().expect("the bundled rubric loads"))
}

pub fn scenario(path: &Path) -> Arc<Scenario> {
    let loaded = load::load_scenario_file(path);
    match loaded.into_result() {
        Ok(s) => Arc::new(s),
        Err(ds) => panic!(
            "{} does not load:\n{}",
            path.display(),
            ds.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// The bundled scenario files.
pub fn bundled() -> Vec<PathBuf> {
    load::scenario_files(&root().join("scenarios")).expect("scenarios/ is readable")
}

/// What a fixture says it shows, on its first line: `// expect: E005 at 21:114`
/// (a code reported at a line and column), or `// expect: W012 at file` (a
/// code reported about the file as a whole, with no position). Returns the
/// code and the position, `None` for the file.
pub fn expectation(path: &Path, text: &str) -> (String, Option<Position>) {
    let first = text.lines().next().unwrap_or_default();
    let rest = first.strip_prefix("// expect: ").unwrap_or_else(|| {
        panic!(
            "{}: the first line must be `// expect: CODE at LINE:COL` (or `at file`)",
            path.display()
        )
    });
    let (code, place) = rest
        .split_once(" at ")
        .unwrap_or_else(|| panic!("{}: `// expect:` names no place", path.display()));
    let place = place.trim();
    let pos = if place == "file" {
        None
    } else {
        let (l, c) = place
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: `{place}` is not LINE:COL", path.display()));
        Some(Position {
            line: l.parse().expect("line"),
            column: c.parse().expect("column"),
        })
    };
    (code.trim().to_string(), pos)
}

/// A bundled scenario's walkthrough choices (its best route for seed 2026).
pub fn walkthrough(scenario_id: &str) -> Vec<usize> {
    let wt = root()
        .join("scenarios")
        .join(format!("{scenario_id}.walkthrough"));
    let text = std::fs::read_to_string(&wt).expect("a walkthrough");
    text.lines()
        .find_map(|l| l.strip_prefix("choices: "))
        .expect("choices:")
        .split(',')
        .map(|c| c.trim().parse().expect("a number"))
        .collect()
}

/// A class vote's turns for a recorded session of `sc`: at each turn 7
/// votes for the option played and 1 for each of the others.
pub fn class_vote_turns(
    sc: &Scenario,
    record: &ipt_trainer::core::store::AttemptRecord,
) -> Vec<ipt_trainer::core::group::GroupTurn> {
    use ipt_trainer::core::group::{GroupTurn, OptionVotes};
    record
        .debrief
        .turns
        .iter()
        .map(|t| GroupTurn {
            votes: sc
                .node(&t.node)
                .expect("node")
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| OptionVotes {
                    option: i,
                    text: o.text.clone(),
                    votes: if i == t.option { 7 } else { 1 },
                    points: 0,
                    critical: false,
                    why: String::new(),
                })
                .collect(),
            by: None,
            tutor_pick: false,
            discuss: String::new(),
        })
        .collect()
}

/// Reads a room's QR code back, drawn `scale` pixels a module with a
/// four-module light margin (as the projector draws it).
pub fn read_qr(qr: &ipt_trainer::core::room::qr::Qr, scale: usize) -> String {
    let side = (qr.size + 8) * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        if qr.dark(mx, my) { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the code reads").1
}

/// A hot seat's record for `turns` moves: the trainees of `roster` take
/// them in turn, from the first, and nobody is passed over.
pub fn hot_seat_group(
    name: &str,
    roster: &[&str],
    turns: usize,
) -> ipt_trainer::core::group::GroupRecord {
    use ipt_trainer::core::group::{GroupMode, GroupRecord, GroupTurn};
    GroupRecord {
        mode: GroupMode::HotSeat,
        name: name.to_string(),
        roster: roster.iter().map(ToString::to_string).collect(),
        turns: (0..turns)
            .map(|k| GroupTurn {
                votes: Vec::new(),
                by: Some(roster[k % roster.len()].to_string()),
                tutor_pick: false,
                discuss: String::new(),
            })
            .collect(),
        devices: Vec::new(),
        skips: Vec::new(),
    }
}

/// Gives a class vote's options points as if the rubric rated them: in each
/// turn the first option 3, the second 1, every other -2 and a serious error.
pub fn rate_class_vote(turns: &mut [ipt_trainer::core::group::GroupTurn]) {
    for t in turns {
        for (i, v) in t.votes.iter_mut().enumerate() {
            v.points = [3, 1].get(i).copied().unwrap_or(-2);
            v.critical = i >= 2;
        }
    }
}

/// Three devices in a class vote of `turns` turns: Ana (named) votes for the
/// first option everywhere, Ben (named, with markup in his name) for the
/// third at turn 1 and the second at turn 2, and an unnamed device for the
/// first at turn 1.
pub fn class_vote_devices(turns: u32) -> Vec<ipt_trainer::core::room::DeviceVotes> {
    use ipt_trainer::core::room::{DeviceVotes, PointVote};
    let vote = |point, option| PointVote { point, option };
    vec![
        DeviceVotes {
            pseudonym: "Ana Lima".into(),
            named: true,
            votes: (1..=turns).map(|p| vote(p, 1)).collect(),
        },
        DeviceVotes {
            pseudonym: "Ben <b>Okafor</b>".into(),
            named: true,
            votes: vec![vote(1, 3), vote(2, 2)],
        },
        DeviceVotes {
            pseudonym: "Student 3".into(),
            named: false,
            votes: vec![vote(1, 1)],
        },
    ]
}
