//! The rubric as a table of cases: state + move -> the direction of each
//! score and of the client's trust and distress.

use crate::common::guidance;
use ipt_trainer::core::model::{ClientState, MoveKind, Phase, ProblemArea, Topic};
use ipt_trainer::core::rubric::MoveContext;
use std::collections::BTreeSet;

#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    area: ProblemArea,
    phase: Phase,
    state: (i32, i32, i32),
    hesitant: bool,
    risk: bool,
    explored: u32,
    clock: u32,
    kind: MoveKind,
    topic: Topic,
    /// Expected sign of rapport, pacing, focus, trust, distress (-1, 0, 1; 9 = any).
    expect: [i32; 5],
    critical: bool,
}

const fn case(
    name: &'static str,
    area: ProblemArea,
    state: (i32, i32, i32),
    kind: MoveKind,
    topic: Topic,
    expect: [i32; 5],
) -> Case {
    Case {
        name,
        area,
        phase: Phase::Middle,
        state,
        hesitant: false,
        risk: false,
        explored: 3,
        clock: 10,
        kind,
        topic,
        expect,
        critical: false,
    }
}

use MoveKind as M;
use ProblemArea as A;
use Topic as T;

fn cases() -> Vec<Case> {
    let calm = (55, 40, 55);
    let upset = (40, 75, 40);
    vec![
        case(
            "validating strong feeling",
            A::Grief,
            upset,
            M::Validation,
            T::Focal,
            [1, 9, 1, 1, -1],
        ),
        case(
            "reflection builds trust",
            A::RoleDispute,
            calm,
            M::Reflection,
            T::Focal,
            [1, 9, 1, 1, 9],
        ),
        Case {
            hesitant: true,
            ..case(
                "pressing a hesitant client",
                A::Grief,
                upset,
                M::PressForDetail,
                T::Focal,
                [-1, -1, 9, -1, 1],
            )
        },
        case(
            "pressing a calm, trusting client is not punished",
            A::Grief,
            (70, 30, 60),
            M::PressForDetail,
            T::Focal,
            [0, 0, 1, 0, 0],
        ),
        Case {
            hesitant: true,
            ..case(
                "working round hesitation",
                A::Grief,
                upset,
                M::OpenQuestion,
                T::RelatedPresent,
                [1, 1, 1, 1, 9],
            )
        },
        Case {
            explored: 0,
            ..case(
                "advice before exploring",
                A::RoleTransition,
                calm,
                M::PrematureAdvice,
                T::RelatedPresent,
                [-1, -1, -1, -1, 9],
            )
        },
        Case {
            explored: 5,
            ..case(
                "advice after exploring costs less",
                A::RoleTransition,
                calm,
                M::PrematureAdvice,
                T::RelatedPresent,
                [-1, -1, -1, 0, 9],
            )
        },
        case(
            "reassurance over distress",
            A::Grief,
            upset,
            M::Reassurance,
            T::Focal,
            [-1, 0, 1, -1, 9],
        ),
        case(
            "judgemental remark",
            A::RoleDispute,
            calm,
            M::JudgementalRemark,
            T::Focal,
            [-1, 9, 1, -1, 1],
        ),
        case(
            "childhood in a role dispute is off focus",
            A::RoleDispute,
            calm,
            M::OpenQuestion,
            T::DistantPast,
            [1, 9, -1, 1, 9],
        ),
        case(
            "the past in grief costs less focus",
            A::Grief,
            calm,
            M::OpenQuestion,
            T::DistantPast,
            [1, 9, -1, 1, 9],
        ),
        case(
            "off topic",
            A::InterpersonalDeficits,
            calm,
            M::ChangeSubject,
            T::OffTopic,
            [0, -1, -1, 0, 0],
        ),
        case(
            "role play with trust",
            A::InterpersonalDeficits,
            calm,
            M::RolePlay,
            T::Focal,
            [0, 0, 1, 0, -1],
        ),
        case(
            "role play without trust",
            A::InterpersonalDeficits,
            (30, 50, 40),
            M::RolePlay,
            T::Focal,
            [-1, 9, 1, -1, 1],
        ),
        case(
            "decision analysis",
            A::RoleDispute,
            calm,
            M::DecisionAnalysis,
            T::Focal,
            [1, 0, 1, 0, 0],
        ),
        Case {
            risk: true,
            critical: true,
            ..case(
                "passing over risk",
                A::Grief,
                upset,
                M::InterpersonalInventory,
                T::Focal,
                [-1, -1, -1, -1, 9],
            )
        },
        Case {
            risk: true,
            ..case(
                "asking about safety",
                A::Grief,
                upset,
                M::SafetyCheck,
                T::Focal,
                [1, 1, 1, 1, -1],
            )
        },
        Case {
            clock: 60,
            ..case(
                "over time",
                A::Grief,
                calm,
                M::OpenQuestion,
                T::Focal,
                [1, -1, 1, 1, 9],
            )
        },
        Case {
            explored: 0,
            ..case(
                "goals before exploring",
                A::Grief,
                calm,
                M::GoalSetting,
                T::Focal,
                [0, -1, 1, 0, 9],
            )
        },
        Case {
            phase: Phase::Initial,
            explored: 0,
            ..case(
                "time limit at the very start",
                A::Grief,
                calm,
                M::TimeLimit,
                T::Focal,
                [0, 1, 1, 0, 0],
            )
        },
        Case {
            phase: Phase::Initial,
            ..case(
                "sick role in the initial phase",
                A::Grief,
                upset,
                M::SickRole,
                T::Focal,
                [1, 1, 1, 0, -1],
            )
        },
    ]
}

fn sign(v: i32) -> i32 {
    v.signum()
}

#[test]
fn rubric_cases_move_scores_in_the_expected_direction() {
    let g = guidance();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let mut failures = Vec::new();
    for c in cases() {
        let ctx = MoveContext {
            area: c.area,
            phase: c.phase,
            state: ClientState {
                trust: c.state.0,
                distress: c.state.1,
                openness: c.state.2,
            },
            memory: &memory,
            hesitant: c.hesitant,
            risk_pending: c.risk,
            explored: c.explored,
            used_moves: &used,
            tasks_done: &done,
            clock: c.clock,
            ..MoveContext::at_start(
                c.area,
                c.phase,
                ClientState::default(),
                &memory,
                &used,
                &done,
            )
        };
        let ev = g.evaluate(&ctx, c.kind, c.topic);
        let got = [
            ev.score.rapport,
            ev.score.pacing,
            ev.score.focus,
            ev.client.trust,
            ev.client.distress,
        ]
        .map(sign);
        let ok =
            got.iter().zip(c.expect).all(|(g, e)| e == 9 || *g == e) && ev.critical == c.critical;
        if !ok {
            failures.push(format!(
                "{}: expected {:?} critical {}, got {:?} critical {} ({:?})",
                c.name,
                c.expect,
                c.critical,
                got,
                ev.critical,
                ev.fired.iter().map(|f| &f.principle).collect::<Vec<_>>()
            ));
        }
        // Every change is explained by a principle that fired.
        if !ev.score.is_zero() {
            assert!(
                !ev.fired.is_empty(),
                "{}: a score change without a reason",
                c.name
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_same_move_scores_differently_in_different_states() {
    let g = guidance();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let ctx = |hesitant: bool, trust: i32| MoveContext {
        area: ProblemArea::Grief,
        phase: Phase::Middle,
        state: ClientState {
            trust,
            distress: 50,
            openness: 50,
        },
        memory: &memory,
        hesitant,
        risk_pending: false,
        explored: 3,
        used_moves: &used,
        tasks_done: &done,
        clock: 10,
        ..MoveContext::at_start(
            ProblemArea::Grief,
            Phase::Middle,
            ClientState::default(),
            &memory,
            &used,
            &done,
        )
    };
    let calm = g.evaluate(&ctx(false, 70), MoveKind::PressForDetail, Topic::Focal);
    let hesitant = g.evaluate(&ctx(true, 70), MoveKind::PressForDetail, Topic::Focal);
    assert!(hesitant.score.total() < calm.score.total());
    assert!(hesitant.client.trust < calm.client.trust);
}

#[test]
fn a_judgemental_remark_is_remembered() {
    let g = guidance();
    let memory = BTreeSet::new();
    let used = BTreeSet::new();
    let done = BTreeSet::new();
    let ctx = MoveContext {
        area: ProblemArea::RoleDispute,
        phase: Phase::Middle,
        state: ClientState {
            trust: 50,
            distress: 50,
            openness: 50,
        },
        memory: &memory,
        hesitant: false,
        risk_pending: false,
        explored: 3,
        used_moves: &used,
        tasks_done: &done,
        clock: 10,
        ..MoveContext::at_start(
            ProblemArea::Grief,
            Phase::Middle,
            ClientState::default(),
            &memory,
            &used,
            &done,
        )
    };
    let ev = g.evaluate(&ctx, MoveKind::JudgementalRemark, Topic::Focal);
    assert!(ev.remember.iter().any(|f| f == "judged"));
    let judged: BTreeSet<String> = ev.remember.into_iter().collect();
    let later = MoveContext {
        memory: &judged,
        ..ctx.clone()
    };
    let warm_before = g.evaluate(&ctx, MoveKind::Validation, Topic::Focal);
    let warm_after = g.evaluate(&later, MoveKind::Validation, Topic::Focal);
    assert!(warm_after.client.trust < warm_before.client.trust);
}
