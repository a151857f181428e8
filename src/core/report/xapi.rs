//! The attempts as xAPI 1.0.3 statements, for a course's learning record
//! store: who (an Agent, or a Group for a group session), `completed` (or
//! `attempted` when stopped before an ending), the scenario as the Activity,
//! the scores as the result, the seed, rubric and scenario hash as context.
//!
//! Statement ids are name-based UUIDs (version 5, SHA-1) of the attempt, so
//! writing the same records again gives the same ids and a store that has
//! them already does not count them twice.

use super::{Attempt, Report, iso_utc};
use crate::core::group::GroupMode;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";
pub const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";

/// The RFC 4122 namespace for names that are URLs.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// SHA-1 (FIPS 180-4), for name-based UUIDs only: not for security.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (wi, b) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hi, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hi = hi.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (o, v) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// Bytes as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A name-based UUID (RFC 4122 version 5) in the standard lowercase form.
pub fn uuid_v5(namespace: &[u8; 16], name: &[u8]) -> String {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let hash = sha1(&input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A string as one IRI path segment: unreserved characters kept, the rest
/// percent-encoded as UTF-8.
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn agent(homepage: &str, name: &str) -> Value {
    let mut a = Map::new();
    a.insert("objectType".into(), json!("Agent"));
    if !name.is_empty() {
        a.insert("name".into(), json!(name));
    }
    a.insert(
        "account".into(),
        json!({
            "homePage": homepage,
            "name": if name.is_empty() { "unnamed" } else { name },
        }),
    );
    Value::Object(a)
}

/// An identified Group for a group session: its account is kept apart from
/// the trainees' (`group/` prefix); a hot seat's roster are its members.
fn group(homepage: &str, name: &str, members: &[String]) -> Value {
    let mut g = Map::new();
    g.insert("objectType".into(), json!("Group"));
    if !name.is_empty() {
        g.insert("name".into(), json!(name));
    }
    g.insert(
        "account".into(),
        json!({
            "homePage": homepage,
            "name": format!("group/{}", if name.is_empty() { "unnamed" } else { name }),
        }),
    );
    if !members.is_empty() {
        g.insert(
            "member".into(),
            Value::Array(members.iter().map(|m| agent(homepage, m)).collect()),
        );
    }
    Value::Object(g)
}

/// The IRI of one of our extensions.
pub fn extension(homepage: &str, key: &str) -> String {
    format!("{homepage}/xapi/extensions/{key}")
}

/// The IRI of a scenario as an Activity.
pub fn activity_id(homepage: &str, scenario_id: &str) -> String {
    format!("{homepage}/scenarios/{}", segment(scenario_id))
}

fn statement(a: &Attempt, homepage: &str, pass_mark: i32) -> Value {
    let ext = |k: &str| extension(homepage, k);
    let name = format!(
        "{homepage}/attempts/{}/{}/{}/{}/{}/{}",
        segment(&a.trainee),
        segment(&a.scenario_id),
        segment(&a.scenario_hash),
        a.finished_at,
        a.seed,
        a.choices
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(".")
    );
    let actor = match &a.group {
        Some(g) => group(homepage, &a.trainee, &g.roster),
        None => agent(homepage, &a.trainee),
    };
    let completed = a.ending.is_some();
    let (verb, display) = if completed {
        (VERB_COMPLETED, "completed")
    } else {
        (VERB_ATTEMPTED, "attempted")
    };
    let overall = a.scores.overall.clamp(0, 100);
    let mut result = Map::new();
    result.insert(
        "score".into(),
        json!({
            "scaled": f64::from(overall) / 100.0,
            "raw": overall,
            "min": 0,
            "max": 100,
        }),
    );
    result.insert("completion".into(), json!(completed));
    if completed {
        result.insert(
            "success".into(),
            json!(super::aggregate::passed(a, pass_mark)),
        );
    }
    let mut rx = Map::new();
    rx.insert(ext("rapport"), json!(a.scores.rapport));
    rx.insert(ext("pacing"), json!(a.scores.pacing));
    rx.insert(ext("focus"), json!(a.scores.focus));
    rx.insert(ext("critical-error"), json!(a.critical));
    rx.insert(ext("mistakes"), json!(a.mistakes()));
    rx.insert(ext("turns"), json!(a.moves.len()));
    rx.insert(ext("simulated-minutes"), json!(a.minutes_used));
    if let Some(e) = &a.ending {
        rx.insert(ext("ending"), json!(e.id));
    }
    result.insert("extensions".into(), Value::Object(rx));

    let mut cx = Map::new();
    cx.insert(ext("seed"), json!(a.seed));
    cx.insert(ext("rubric-version"), json!(a.rubric_version));
    cx.insert(ext("scenario-hash"), json!(a.scenario_hash));
    cx.insert(ext("coach-mode"), json!(a.coach_mode));
    if let Some(g) = &a.group {
        cx.insert(
            ext("group-mode"),
            json!(match g.mode {
                GroupMode::ClassVote => "class-vote",
                GroupMode::HotSeat => "hot-seat",
            }),
        );
    }
    if let Some(f) = &a.flag {
        cx.insert(ext("flagged"), json!(f));
    }
    json!({
        "id": uuid_v5(&NAMESPACE_URL, name.as_bytes()),
        "actor": actor,
        "verb": { "id": verb, "display": { "en-US": display } },
        "object": {
            "objectType": "Activity",
            "id": activity_id(homepage, &a.scenario_id),
            "definition": {
                "name": { "en-US": a.scenario_title },
                "description": {
                    "en-US": format!(
                        "A simulated Interpersonal Psychotherapy session: ipt-trainer scenario `{}`.",
                        a.scenario_id
                    )
                },
                "type": ACTIVITY_SIMULATION,
            },
        },
        "result": Value::Object(result),
        "context": {
            "platform": "ipt-trainer",
            "extensions": Value::Object(cx),
        },
        "timestamp": iso_utc(a.finished_at),
    })
}

pub(super) fn statements(r: &Report) -> Value {
    Value::Array(
        r.attempts
            .iter()
            .map(|a| statement(a, &r.options.xapi_homepage, r.options.pass_mark))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn uuid_v5_matches_python() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid_v5(&dns, b"python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
        assert_eq!(
            uuid_v5(&NAMESPACE_URL, b"https://ipt-trainer.invalid/x"),
            "dd604040-7eab-5722-b998-a60f75ba62e0"
        );
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("grief-initial_rosa.1~"), "grief-initial_rosa.1~");
        assert_eq!(segment("a b/é"), "a%20b%2F%C3%A9");
    }
}
