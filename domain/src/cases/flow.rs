//! The table of what may be done to a case, by whom, in which state.

use super::{CaseAction, CaseState};
use crate::account::Role;
use crate::codes::Code;
use crate::validation::RuleViolation;
use crate::workflow::{Next, Rule, Workflow};

/// What the guards of the table look at, gathered by the caller before it decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFlowFacts {
    /// The case is a parallel-approval project (并联审批), handled through its sub-cases.
    pub is_project: bool,
    /// A one-time notice was already sent in the current submission round.
    pub notice_in_round: bool,
}

fn not_a_project(f: &CaseFlowFacts) -> Result<(), RuleViolation> {
    if f.is_project {
        Err(RuleViolation::new(
            Code::CaseProjectContainer,
            "a parallel-approval project is handled through its sub-cases",
        ))
    } else {
        Ok(())
    }
}

fn one_notice_per_round(f: &CaseFlowFacts) -> Result<(), RuleViolation> {
    if f.notice_in_round {
        Err(RuleViolation::new(
            Code::CaseNoticeAlreadySent,
            "one notice per submission round: everything missing is told at once (一次性告知)",
        ))
    } else {
        Ok(())
    }
}

use CaseAction as A;
use CaseState as S;

const CLERK: &[Role] = &[Role::Clerk];
const HANDLERS: &[Role] = &[Role::Clerk, Role::Reviewer];
const APPROVERS: &[Role] = &[Role::Reviewer, Role::OrgAdmin];
const OPEN: &[CaseState] = &[
    S::Submitted,
    S::MaterialsRequested,
    S::Accepted,
    S::Suspended,
];
const SUB_CASE: &[crate::workflow::Guard<CaseFlowFacts>] = &[not_a_project];

/// The case workflow: submitted → accept → accepted | refuse → refused |
/// notify_missing → materials_requested → resubmit → submitted; accepted ⇄
/// suspend/resume (suspended); accepted → extend, step → accepted; accepted → decide →
/// decided → deliver → delivered. Assigning and charging leave the state alone; a
/// project concludes when its sub-cases do.
pub static CASE_FLOW: Workflow<CaseState, CaseAction, CaseFlowFacts> = Workflow {
    illegal: Code::CaseIllegalTransition,
    noun: "case",
    rules: &[
        Rule {
            action: A::Accept,
            from: &[S::Submitted],
            to: Next::To(S::Accepted),
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Refuse,
            from: &[S::Submitted],
            to: Next::To(S::Refused),
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::NotifyMissing,
            from: &[S::Submitted],
            to: Next::To(S::MaterialsRequested),
            roles: CLERK,
            guards: &[not_a_project, one_notice_per_round],
        },
        Rule {
            action: A::Resubmit,
            from: &[S::MaterialsRequested],
            to: Next::To(S::Submitted),
            roles: &[Role::Clerk, Role::Applicant],
            guards: SUB_CASE,
        },
        Rule {
            action: A::Suspend,
            from: &[S::Accepted],
            to: Next::To(S::Suspended),
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Resume,
            from: &[S::Suspended],
            to: Next::To(S::Accepted),
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Extend,
            from: &[S::Accepted],
            to: Next::Stay,
            roles: APPROVERS,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Decide,
            from: &[S::Accepted],
            to: Next::To(S::Decided),
            roles: HANDLERS,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Deliver,
            from: &[S::Decided],
            to: Next::To(S::Delivered),
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Assign,
            from: S::ALL,
            to: Next::Stay,
            roles: &[Role::Clerk, Role::Reviewer, Role::OrgAdmin],
            guards: &[],
        },
        Rule {
            action: A::Step,
            from: &[S::Accepted],
            to: Next::Stay,
            roles: HANDLERS,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Charge,
            from: S::ALL,
            to: Next::Stay,
            roles: CLERK,
            guards: SUB_CASE,
        },
        Rule {
            action: A::Conclude,
            from: OPEN,
            to: Next::To(S::Decided),
            roles: &[],
            guards: &[],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    const SUB: CaseFlowFacts = CaseFlowFacts {
        is_project: false,
        notice_in_round: false,
    };

    /// Every legal (state, action) pair and where it leads.
    const LEGAL: &[(CaseState, CaseAction, CaseState)] = &[
        (S::Submitted, A::Accept, S::Accepted),
        (S::Submitted, A::Refuse, S::Refused),
        (S::Submitted, A::NotifyMissing, S::MaterialsRequested),
        (S::MaterialsRequested, A::Resubmit, S::Submitted),
        (S::Accepted, A::Suspend, S::Suspended),
        (S::Suspended, A::Resume, S::Accepted),
        (S::Accepted, A::Extend, S::Accepted),
        (S::Accepted, A::Decide, S::Decided),
        (S::Decided, A::Deliver, S::Delivered),
        (S::Accepted, A::Step, S::Accepted),
        (S::Submitted, A::Conclude, S::Decided),
        (S::MaterialsRequested, A::Conclude, S::Decided),
        (S::Accepted, A::Conclude, S::Decided),
        (S::Suspended, A::Conclude, S::Decided),
    ];

    #[test]
    fn every_transition_legal_and_illegal() {
        assert_eq!(CASE_FLOW.check_table(CaseAction::ALL), Ok(()));
        for from in S::ALL {
            for a in A::ALL {
                let to = match a {
                    A::Assign | A::Charge => Some(*from),
                    _ => LEGAL
                        .iter()
                        .find(|(f, x, _)| f == from && x == a)
                        .map(|(_, _, t)| *t),
                };
                let got = CASE_FLOW.decide_as_system(*from, *a, &SUB);
                match to {
                    Some(to) => assert_eq!(got, Ok(to), "{from} --{a}-->"),
                    None => assert_eq!(
                        got,
                        Err(Refusal::State {
                            code: Code::CaseIllegalTransition,
                            noun: "case",
                            action: *a,
                            state: *from
                        }),
                        "{from} --{a}-->"
                    ),
                }
            }
        }
    }

    #[test]
    fn roles() {
        let d = |a, r| CASE_FLOW.decide(S::Submitted, a, r, &SUB);
        assert_eq!(d(A::Accept, Role::Clerk), Ok(S::Accepted));
        assert!(matches!(
            d(A::Accept, Role::Reviewer),
            Err(Refusal::Role { .. })
        ));
        assert!(matches!(
            d(A::Conclude, Role::SysAdmin),
            Err(Refusal::Role { .. })
        ));
        let m = S::MaterialsRequested;
        assert_eq!(
            CASE_FLOW.decide(m, A::Resubmit, Role::Applicant, &SUB),
            Ok(S::Submitted)
        );
        let x = |r| CASE_FLOW.decide(S::Accepted, A::Extend, r, &SUB);
        assert_eq!(x(Role::Reviewer), Ok(S::Accepted));
        assert!(x(Role::Clerk).is_err());
        assert_eq!(
            CASE_FLOW.available(S::Decided, Role::Clerk),
            vec![A::Deliver, A::Assign, A::Charge]
        );
    }

    #[test]
    fn guards() {
        let project = CaseFlowFacts {
            is_project: true,
            ..SUB
        };
        let refused = |a, f| match CASE_FLOW.decide(S::Submitted, a, Role::Clerk, f) {
            Err(Refusal::Guard(v)) => v.code,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(A::Accept, &project), Code::CaseProjectContainer);
        assert_eq!(refused(A::Charge, &project), Code::CaseProjectContainer);
        let sent = CaseFlowFacts {
            notice_in_round: true,
            ..SUB
        };
        assert_eq!(
            refused(A::NotifyMissing, &sent),
            Code::CaseNoticeAlreadySent
        );
        assert_eq!(
            CASE_FLOW.decide(S::Submitted, A::Assign, Role::OrgAdmin, &project),
            Ok(S::Submitted)
        );
        assert_eq!(
            CASE_FLOW.decide_as_system(S::Submitted, A::Conclude, &project),
            Ok(S::Decided)
        );
    }
}
