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

pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";
pub const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";

/// The statement id for an attempt's name: a name-based UUID (version 5,
/// SHA-1) in the URL namespace, in the standard lowercase form.
pub fn statement_id(name: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in a
/// path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A string as one IRI path segment: unreserved characters kept, the rest
/// percent-encoded as UTF-8.
fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
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
    // As a string: a seed is any 64-bit number (the clock's nanoseconds when
    // none was given), and JSON readers in JavaScript keep integers exact
    // only up to 2^53.
    cx.insert(ext("seed"), json!(a.seed.to_string()));
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
        "id": statement_id(&name),
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
    fn statement_ids_are_the_ones_earlier_reports_gave() {
        // Given by the hand-written SHA-1 and UUID v5 this replaced (and by
        // Python's uuid.uuid5(uuid.NAMESPACE_URL, name)).
        for (name, id) in [
            ("", "1b4db7eb-4057-5ddf-91e0-36dec72071f5"),
            (
                "https://ipt-trainer.invalid/x",
                "dd604040-7eab-5722-b998-a60f75ba62e0",
            ),
            (
                "https://ipt-trainer.invalid/attempts/Sam%20Smith/grief-initial-rosa/0123456789abcdef/1795424400/42/1.2.3",
                "722cbd6e-0bb0-58d0-8db7-e7156fc49f08",
            ),
        ] {
            assert_eq!(statement_id(name), id, "{name}");
        }
        // A name longer than one SHA-1 block, with UTF-8 percent-encoded.
        let long = format!(
            "https://lms.example.edu/attempts/{}/x/h/1795424400/18446744073709551615/{}",
            segment("Éloïse"),
            (0..60)
                .map(|i| (i % 4 + 1).to_string())
                .collect::<Vec<_>>()
                .join(".")
        );
        assert_eq!(statement_id(&long), "8d811482-02ef-57db-b675-2ee5c27b19f8");
    }

    #[test]
    fn uuid_v5_matches_the_rfc_example() {
        // RFC 9562, appendix A.4 (the successor of RFC 4122).
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"www.example.com");
        assert_eq!(id.to_string(), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("grief-initial_rosa.1~"), "grief-initial_rosa.1~");
        assert_eq!(segment("a b/é"), "a%20b%2F%C3%A9");
    }
}
