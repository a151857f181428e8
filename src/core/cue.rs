//! What the trainee can see of the client besides their words: a line of
//! body language that follows the emotion the node shows, a refusal, a
//! rupture, hesitation and the client's state. Noticing it is part of the
//! exercise, so assessment mode shows it too (never the meters).

use crate::core::model::{Client, Emotion};
use crate::core::session::Mind;

/// The client's pronouns for a sentence about them.
struct Pronouns {
    subject: String,
    possessive: String,
    plural: bool,
}

impl Pronouns {
    fn of(client: &Client) -> Pronouns {
        let first = client
            .pronouns
            .split('/')
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        let (subject, possessive, plural) = match first.as_str() {
            "she" => ("she", "her", false),
            "he" => ("he", "his", false),
            _ => ("they", "their", true),
        };
        Pronouns {
            subject: subject.to_string(),
            possessive: possessive.to_string(),
            plural,
        }
    }

    /// The verb in the form the subject takes ("looks" / "look").
    fn verb<'a>(&self, singular: &'a str, plural: &'a str) -> &'a str {
        if self.plural { plural } else { singular }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// A short line of body language for the client at a node.
pub(crate) fn body_language(
    client: &Client,
    emotion: Option<Emotion>,
    mind: &Mind,
    declines: bool,
) -> String {
    let p = Pronouns::of(client);
    let s = capitalised(&p.subject);
    let pos = &p.possessive;
    let st = mind.state;
    if mind.node_rupture || mind.rupture_open {
        return format!(
            "{s} {} gone quiet and {} not meet your eyes.",
            p.verb("has", "have"),
            p.verb("does", "do")
        );
    }
    if declines {
        return format!(
            "{s} {} {pos} head and {} back in the chair.",
            p.verb("shakes", "shake"),
            p.verb("sits", "sit")
        );
    }
    match emotion {
        Some(Emotion::Anger) if st.distress >= 60 => format!(
            "{} jaw is tight and {} {} fast.",
            capitalised(pos),
            p.subject,
            p.verb("speaks", "speak")
        ),
        Some(Emotion::Anger) => format!("{s} {}, {pos} voice clipped.", p.verb("frowns", "frown")),
        Some(Emotion::Sadness) if st.distress >= 70 => {
            format!("{s} {} close to tears.", p.verb("is", "are"))
        }
        Some(Emotion::Sadness) => {
            format!("{s} {} down; {pos} voice is soft.", p.verb("looks", "look"))
        }
        Some(Emotion::Guilt) => format!(
            "{s} {} {pos} hands and {} away.",
            p.verb("twists", "twist"),
            p.verb("looks", "look")
        ),
        Some(Emotion::Shame) => format!(
            "{s} {} {pos} eyes and {} barely above a whisper.",
            p.verb("lowers", "lower"),
            p.verb("speaks", "speak")
        ),
        Some(Emotion::Fear) => format!(
            "{s} {} on the edge of the chair, breathing fast.",
            p.verb("sits", "sit")
        ),
        Some(Emotion::Numbness) => format!(
            "{s} {} flatly, as if from far away.",
            p.verb("speaks", "speak")
        ),
        Some(Emotion::Hope) => format!(
            "{s} {} up a little; there is the start of a smile.",
            p.verb("sits", "sit")
        ),
        None if mind.hesitant => format!(
            "{s} {}, searching for the words.",
            p.verb("hesitates", "hesitate")
        ),
        None if st.trust < 30 => format!(
            "{s} {} back, arms folded, watching you.",
            p.verb("sits", "sit")
        ),
        None if st.trust >= 60 && st.openness >= 60 => format!(
            "{s} {} forward and {} freely.",
            p.verb("leans", "lean"),
            p.verb("talks", "talk")
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::ClientState;

    fn client(pronouns: &str) -> Client {
        Client {
            name: "R".into(),
            age: 50,
            pronouns: pronouns.into(),
            background: String::new(),
            concerns: Vec::new(),
            people: Vec::new(),
            start: ClientState::default(),
        }
    }

    fn mind(trust: i32, distress: i32, openness: i32) -> Mind {
        Mind::new(ClientState {
            trust,
            distress,
            openness,
        })
    }

    #[test]
    fn the_line_follows_the_cue_the_state_and_the_pronouns() {
        let m = mind(40, 80, 40);
        assert_eq!(
            body_language(&client("she/her"), Some(Emotion::Sadness), &m, false),
            "She is close to tears."
        );
        assert_eq!(
            body_language(&client("they/them"), Some(Emotion::Sadness), &m, false),
            "They are close to tears."
        );
        assert_eq!(
            body_language(&client("he/him"), Some(Emotion::Anger), &m, false),
            "His jaw is tight and he speaks fast."
        );
        assert_eq!(
            body_language(&client("he/him"), None, &m, true),
            "He shakes his head and sits back in the chair."
        );
        let guarded = mind(20, 40, 40);
        assert!(body_language(&client(""), None, &guarded, false).contains("arms folded"));
        assert_eq!(
            body_language(&client(""), None, &mind(45, 40, 45), false),
            ""
        );
    }
}
