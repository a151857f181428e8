//! The three sources say the same thing: small graphs compiled by Yarn
//! Spinner and by Ink and played at three levels of trust give the
//! transcript the graph itself gives, and ipt-trainer loads from the RON
//! the same nodes, lines, conditions, options and targets. (Playing it in
//! ipt-trainer would move trust by the rubric's effects of each move,
//! which the peers do not have; an option's feedback is shown in the
//! debrief there, and after the choice in the peers.)

use crate::generated::{self, GUARDED_MAX_TRUST, Graph};
use crate::{ink, yarn};

/// What a player sees at a fixed `trust`, taking the visible option
/// numbered `step % visible` at each step: lines, `[options]`, `> choice`.
fn expected(g: &Graph, trust: i32) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = g.nodes[0].id.clone();
    for step in 0.. {
        if let Some(e) = g.endings.iter().find(|e| e.id == at) {
            out.push(e.text.to_string());
            break;
        }
        let n = g
            .nodes
            .iter()
            .find(|n| n.id == at)
            .expect("a target exists");
        out.push(if trust <= GUARDED_MAX_TRUST {
            n.guarded.clone()
        } else {
            n.line.clone()
        });
        if trust >= n.disclosure_trust {
            out.push(n.disclosure.clone());
        }
        let visible: Vec<_> = n
            .options
            .iter()
            .filter(|o| o.min_trust.is_none_or(|t| trust >= t))
            .collect();
        out.push(format!(
            "[{}]",
            visible
                .iter()
                .map(|o| o.text.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let o = visible[step % visible.len()];
        out.push(format!("> {}", o.text));
        if let Some(f) = o.feedback {
            out.push(f.to_string());
        }
        at.clone_from(&o.next);
    }
    out
}

fn played_by_yarn(g: &Graph, trust: i32) -> Vec<String> {
    use yarnspinner::prelude::*;
    use yarnspinner::runtime::{MemoryVariableStorage, StringTableTextProvider};

    let compilation = YarnCompiler::new()
        .add_file(YarnFile {
            file_name: "small.yarn".to_string(),
            source: yarn::write(g),
        })
        .compile()
        .expect("Yarn Spinner compiles it");
    let mut text = StringTableTextProvider::new();
    text.extend_base_language(
        compilation
            .string_table
            .iter()
            .map(|(id, info)| (id.clone(), info.text.clone())),
    );
    let mut d = Dialogue::new(Box::new(MemoryVariableStorage::new()), Box::new(text));
    // After the program, whose declared start value it replaces.
    d.add_program(compilation.program.expect("a program"));
    d.variable_storage_mut()
        .set("$trust".to_string(), YarnValue::Number(trust as f32))
        .expect("a number variable");
    d.set_node(g.nodes[0].id.clone()).expect("the start node");
    let mut out = Vec::new();
    let mut step = 0;
    loop {
        for event in d.continue_().expect("it plays") {
            match event {
                DialogueEvent::Line(l) => out.push(l.text),
                DialogueEvent::Options(options) => {
                    let visible: Vec<_> = options.into_iter().filter(|o| o.is_available).collect();
                    out.push(format!(
                        "[{}]",
                        visible
                            .iter()
                            .map(|o| o.line.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ));
                    let o = &visible[step % visible.len()];
                    out.push(format!("> {}", o.line.text));
                    d.set_selected_option(o.id).expect("a shown option");
                    step += 1;
                }
                DialogueEvent::DialogueComplete => return out,
                _ => {}
            }
        }
    }
}

fn played_by_ink(g: &Graph, trust: i32) -> Vec<String> {
    use bladeink::story::Story;
    use bladeink::value_type::ValueType;

    let json = bladeink_compiler::Compiler::new()
        .compile(&ink::write(g))
        .expect("Ink compiles it");
    let mut story = Story::new(&json).expect("the compiled story loads");
    story
        .set_variable("trust", &ValueType::Int(trust))
        .expect("a number variable");
    let mut out = Vec::new();
    for step in 0.. {
        while story.can_continue() {
            let line = story.cont().expect("it plays");
            if !line.trim().is_empty() {
                out.push(line.trim().to_string());
            }
        }
        let choices = story.get_current_choices();
        if choices.is_empty() {
            break;
        }
        out.push(format!(
            "[{}]",
            choices
                .iter()
                .map(|c| c.text.trim())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let k = step % choices.len();
        out.push(format!("> {}", choices[k].text.trim()));
        story.choose_choice_index(k).expect("a shown choice");
    }
    out
}

/// The graph as ipt-trainer loads it, in the form of [`Graph`]'s fields.
fn loaded_by_ipt(g: &Graph) -> Vec<String> {
    let s =
        ipt_trainer::core::load::load_scenario_str(&g.to_ron(), std::path::Path::new("small.ron"))
            .into_result()
            .expect("ipt-trainer loads it");
    let mut out = Vec::new();
    for n in &s.nodes {
        let [guarded, line] = &n.client[..] else {
            panic!("two line variants at {}", n.id)
        };
        let [d] = &n.disclosures[..] else {
            panic!("one disclosure at {}", n.id)
        };
        out.push(format!(
            "{} {:?}<={:?} {} {}>={:?}",
            n.id, guarded.text, guarded.when.max_trust, line.text, d.text, d.when.min_trust
        ));
        for o in &n.options {
            out.push(format!(
                "{} -> {} >={:?} {:?}",
                o.text, o.next, o.when.min_trust, o.feedback
            ));
        }
    }
    out.extend(s.endings.iter().map(|e| e.text.clone()));
    out
}

fn graph_fields(g: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for n in &g.nodes {
        out.push(format!(
            "{} {:?}<={:?} {} {}>={:?}",
            n.id,
            n.guarded,
            Some(GUARDED_MAX_TRUST),
            n.line,
            n.disclosure,
            Some(n.disclosure_trust)
        ));
        for o in &n.options {
            out.push(format!(
                "{} -> {} >={:?} {:?}",
                o.text,
                o.next,
                o.min_trust,
                o.feedback.unwrap_or_default()
            ));
        }
    }
    out.extend(g.endings.iter().map(|e| e.text.to_string()));
    out
}

#[test]
fn ipt_trainer_loads_the_graph_as_it_is_written() {
    for g in [generated::chain_graph(9), generated::layered_graph(40, 5)] {
        assert_eq!(loaded_by_ipt(&g), graph_fields(&g), "{}", g.id);
    }
}

#[test]
fn yarn_and_ink_play_the_graph_as_it_is_written() {
    for g in [generated::chain_graph(9), generated::layered_graph(40, 5)] {
        for trust in [20, 40, 70] {
            let want = expected(&g, trust);
            assert!(want.len() > 10, "{want:?}");
            assert_eq!(
                played_by_yarn(&g, trust),
                want,
                "Yarn Spinner, {} at trust {trust}",
                g.id
            );
            assert_eq!(
                played_by_ink(&g, trust),
                want,
                "Ink, {} at trust {trust}",
                g.id
            );
        }
    }
}
