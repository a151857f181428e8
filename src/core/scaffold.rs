//! `ipt-trainer new`: a complete, valid starting scenario for a problem area
//! and phase, with comments showing where to write what.

use crate::core::model::{MoveKind, Phase, ProblemArea};
use std::fmt::Write as _;

/// One step of the skeleton: the move that does the phase's task there.
struct Step {
    id: &'static str,
    task: &'static str,
    good: MoveKind,
}

fn steps(area: ProblemArea, phase: Phase) -> Vec<Step> {
    let s = |id, task, good| Step { id, task, good };
    match phase {
        Phase::Initial => vec![
            s("symptoms", "review the symptoms", MoveKind::SymptomReview),
            s("sick-role", "give the sick role", MoveKind::SickRole),
            s(
                "inventory",
                "take the interpersonal inventory",
                MoveKind::InterpersonalInventory,
            ),
            s(
                "focus",
                "agree the focal problem area",
                MoveKind::ProblemAreaFormulation,
            ),
            s("time-limit", "agree the time limit", MoveKind::TimeLimit),
        ],
        Phase::Middle => {
            let mut v = vec![
                s("check-in", "check in on symptoms", MoveKind::SymptomReview),
                s(
                    "link-mood",
                    "link mood to interpersonal events",
                    MoveKind::LinkMoodToEvents,
                ),
            ];
            v.extend(match area {
                ProblemArea::Grief => vec![
                    s("mourning", "encourage mourning", MoveKind::Validation),
                    s(
                        "re-engage",
                        "help the client re-engage with others",
                        MoveKind::GoalSetting,
                    ),
                ],
                ProblemArea::RoleDispute => vec![
                    s(
                        "exchange",
                        "analyse how the dispute is communicated",
                        MoveKind::CommunicationAnalysis,
                    ),
                    s("options", "weigh the options", MoveKind::DecisionAnalysis),
                    s(
                        "next-step",
                        "agree a step towards renegotiating",
                        MoveKind::GoalSetting,
                    ),
                ],
                ProblemArea::RoleTransition => vec![
                    s(
                        "old-role",
                        "acknowledge what was lost with the old role",
                        MoveKind::Validation,
                    ),
                    s(
                        "new-role",
                        "explore the possibilities of the new role",
                        MoveKind::DecisionAnalysis,
                    ),
                    s(
                        "first-step",
                        "agree a step into the new role",
                        MoveKind::GoalSetting,
                    ),
                ],
                ProblemArea::InterpersonalDeficits => vec![
                    s(
                        "patterns",
                        "review patterns in past relationships",
                        MoveKind::InterpersonalInventory,
                    ),
                    s(
                        "exchange",
                        "analyse a recent exchange",
                        MoveKind::CommunicationAnalysis,
                    ),
                    s(
                        "rehearse",
                        "rehearse a new way of relating",
                        MoveKind::RolePlay,
                    ),
                ],
            });
            v
        }
        Phase::Termination => vec![
            s("progress", "review progress", MoveKind::ReviewProgress),
            s(
                "ending",
                "acknowledge feelings about ending",
                MoveKind::Validation,
            ),
            s(
                "warning-signs",
                "prepare for setbacks",
                MoveKind::Psychoeducation,
            ),
            s(
                "goals",
                "agree goals for after therapy",
                MoveKind::GoalSetting,
            ),
        ],
    }
}

/// The tempting mistake offered beside each step (cycled).
const MISTAKES: [(MoveKind, &str, &str); 4] = [
    (
        MoveKind::PrematureAdvice,
        "RelatedPresent",
        "(A tempting piece of advice, given too soon.)",
    ),
    (
        MoveKind::Reassurance,
        "Focal",
        "(Comfort that skips over the feeling.)",
    ),
    (
        MoveKind::PressForDetail,
        "Focal",
        "(Pushing for detail the client is not ready to give.)",
    ),
    (
        MoveKind::ChangeSubject,
        "OffTopic",
        "(Drifting away from the work.)",
    ),
];

fn ron_enum<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}")
}

/// The scaffold's RON text.
pub fn scaffold(area: ProblemArea, phase: Phase) -> String {
    let steps = steps(area, phase);
    let slug = |s: &str| s.to_lowercase().replace(' ', "-");
    let id = format!("{}-{}-new", slug(area.label()), slug(phase.label()));
    let mut o = String::new();
    let _ = writeln!(
        o,
        "// A new {} scenario, {} phase, made by `ipt-trainer new`.\n\
         // Replace every text in parentheses with your own words, then run\n\
         //   ipt-trainer validate {id}.ron\n\
         // The format is documented in docs/scenario-format.md.",
        area.label().to_lowercase(),
        phase.label().to_lowercase()
    );
    let _ = writeln!(o, "Scenario(");
    let _ = writeln!(o, "    id: \"{id}\",  // unique; usually the file name");
    let _ = writeln!(
        o,
        "    title: \"(A short title: the client's name and their situation)\","
    );
    let _ = writeln!(o, "    area: {},", ron_enum(area));
    let _ = writeln!(o, "    phase: {},", ron_enum(phase));
    let _ = writeln!(o, "    minutes: 50,");
    let _ = writeln!(
        o,
        "    difficulty: Introductory,  // Introductory | Intermediate | Advanced"
    );
    let _ = writeln!(o, "    objectives: [");
    for st in &steps {
        let _ = writeln!(o, "        \"Practise: {}\",", st.task);
    }
    let _ = writeln!(o, "    ],");
    let _ = writeln!(
        o,
        "    content_note: \"(Name any sensitive content here.)\","
    );
    let _ = writeln!(
        o,
        "    client: (\n        name: \"(Client name)\",\n        age: 40,\n        pronouns: \"(pronouns)\",\n        \
         background: \"(Who they are: work, family, where they live.)\",\n        \
         concerns: [\"(Why they came)\"],\n        \
         people: [(name: \"(Someone who matters)\", relation: \"(relation)\", note: \"(how things are)\")],\n        \
         start: (trust: 35, distress: 60, openness: 40),  // each 0..100\n    ),"
    );
    let _ = writeln!(o, "    nodes: [");
    // The opening: an open question leads into the first step.
    let first = steps.first().map_or("close", |s| s.id);
    let _ = writeln!(
        o,
        "        (\n            id: \"opening\",\n            client: [\n                \
         // A guarded line for low trust, then the default line.\n                \
         (text: \"(What the client says first, guarded.)\", when: (max_trust: 30)),\n                \
         (text: \"(What the client says first.)\"),\n            ],\n            \
         prompt: \"(A question for a group discussion of this moment.)\",\n            options: [\n                \
         (text: \"(An open question about what brought them.)\", move: OpenQuestion, topic: Focal, next: \"{first}\", minutes: 4, feedback: \"(Why this helps.)\"),\n                \
         (text: \"(Advice before hearing the story.)\", move: PrematureAdvice, topic: RelatedPresent, next: \"{first}\", minutes: 2, feedback: \"(Why this is too soon.)\"),\n                \
         (text: \"(A closed question.)\", move: ClosedQuestion, topic: Focal, next: \"{first}\", minutes: 2),\n            ],\n        ),"
    );
    for (i, st) in steps.iter().enumerate() {
        let next = steps.get(i + 1).map_or("close", |s| s.id);
        let (bad, bad_topic, bad_text) = MISTAKES[i % MISTAKES.len()];
        let disclosure = if i == 0 {
            "            // Said only once trust is high enough; its id is remembered.\n            \
             disclosures: [(id: \"secret\", text: \"(Something the client only says with trust.)\", when: (min_trust: 38))],\n"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "        (\n            id: \"{id}\",  // task: {task}\n            \
             client: [(text: \"(What the client says here.)\")],\n{disclosure}            \
             options: [\n                \
             (text: \"(A reflection of what the client just said.)\", move: Reflection, topic: Focal, next: \"{next}\", minutes: 3),\n                \
             (text: \"(Your move: {id}.)\", move: {good}, topic: Focal, next: \"{next}\", minutes: 5, feedback: \"(Why this serves the session.)\"),\n                \
             (text: \"{bad_text}\", move: {bad}, topic: {bad_topic}, next: \"{next}\", minutes: 2, feedback: \"(Why this is a mistake here.)\"),\n            ],\n        ),",
            id = st.id,
            task = st.task,
            good = ron_enum(st.good),
            bad = ron_enum(bad),
        );
    }
    let _ = writeln!(
        o,
        "        (\n            id: \"close\",\n            client: [(text: \"(How the client sounds near the end.)\")],\n            \
         options: [\n                \
         // Shown only when trust is high: leads to the good ending.\n                \
         (text: \"(A summary agreed with the client.)\", move: Summary, topic: Focal, next: \"good-end\", minutes: 3, when: (min_trust: 38)),\n                \
         (text: \"(A hurried goodbye.)\", move: ClosedQuestion, topic: Focal, next: \"mixed-end\", minutes: 2),\n                \
         (text: \"(A judgemental parting remark.)\", move: JudgementalRemark, topic: Focal, next: \"poor-end\", minutes: 2),\n            ],\n        ),"
    );
    let _ = writeln!(o, "    ],");
    let _ = writeln!(
        o,
        "    endings: [\n        \
         (id: \"good-end\", title: \"(A good outcome)\", text: \"(What happens after a well-handled session.)\", outcome: Good),\n        \
         (id: \"mixed-end\", title: \"(An uncertain outcome)\", text: \"(What happens after a so-so session.)\", outcome: Mixed),\n        \
         (id: \"poor-end\", title: \"(A poor outcome)\", text: \"(What happens after a badly handled session.)\", outcome: Poor),\n    ],"
    );
    let _ = writeln!(o, ")");
    o
}
