//! The two workflows of the hotline as tables: tickets (工单) and knowledge-base entries
//! (知识库), with who may see and act on them.

use crate::codes::Code;
use chrono::NaiveDate;

use super::{EntryAction, EntryState, TicketAction, TicketState};
use crate::access::Forbidden;
use crate::account::Role;
use crate::calendar::check_extension_in_time;
use crate::validation::RuleViolation;
use crate::workflow::{Next, Refusal, Rule, Workflow};

/// Who runs the hotline: operators, and administrators overseeing it.
pub const OPERATORS: &[Role] = &[Role::HotlineOperator, Role::SysAdmin];
/// Staff of a responsible department who act on a dispatched ticket.
pub const DEPARTMENT: &[Role] = &[
    Role::OrgAdmin,
    Role::Reviewer,
    Role::Clerk,
    Role::DisclosureOfficer,
];
/// Who may see tickets in their scope.
pub const VIEWERS: &[Role] = &[
    Role::HotlineOperator,
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
    Role::Clerk,
    Role::DisclosureOfficer,
];
/// Who sees a ticket as the hotline (with the caller's name and contact) when its centre
/// is in their scope.
pub const HOTLINE_SIDE: &[Role] = &[
    Role::HotlineOperator,
    Role::SysAdmin,
    Role::Supervisor,
    Role::OrgAdmin,
];
/// Who reads the hotline statistics.
pub const STATISTICS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::HotlineOperator,
];
/// Who writes knowledge-base entries (and sees them in every state in their scope).
pub const KB_AUTHORS: &[Role] = &[
    Role::HotlineOperator,
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::DisclosureOfficer,
    Role::Reviewer,
    Role::Clerk,
];
/// Who reviews, publishes and retires entries.
pub const KB_REVIEWERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Reviewer];

/// The states in which a reply marked public is listed among the public answers.
pub const ANSWERED: &[TicketState] = &[
    TicketState::Replied,
    TicketState::CalledBack,
    TicketState::Closed,
];

/// What the guards of a ticket step look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFacts {
    /// The day the step is taken.
    pub today: NaiveDate,
    /// The department's due date in force.
    pub due_date: Option<NaiveDate>,
    /// An extension request waits for a decision.
    pub extension_pending: bool,
    /// An extension decision approves the request.
    pub approving: bool,
    /// A callback found the caller satisfied.
    pub satisfied: bool,
}

fn no_pending_extension(f: &TicketFacts) -> Result<(), RuleViolation> {
    if f.extension_pending {
        return Err(RuleViolation::new(
            Code::TicketExtensionPending,
            "an extension request is already waiting for a decision",
        ));
    }
    Ok(())
}

fn extension_pending(f: &TicketFacts) -> Result<(), RuleViolation> {
    if !f.extension_pending {
        return Err(RuleViolation::new(
            Code::TicketNoExtensionRequest,
            "no extension request is waiting",
        ));
    }
    Ok(())
}

fn before_due_date(f: &TicketFacts) -> Result<(), RuleViolation> {
    check_extension_in_time(f.due_date, f.today)
}

/// A refusal may be given after the due date; an approval only on or before it.
fn approval_before_due_date(f: &TicketFacts) -> Result<(), RuleViolation> {
    if f.approving {
        before_due_date(f)
    } else {
        Ok(())
    }
}

/// The ticket workflow: the hotline dispatches, decides extensions, calls back, closes and
/// merges; the department returns, asks for more time and replies. A callback leads to
/// `called_back`; an unsatisfied caller reopens the ticket instead (see [`decide_ticket`]).
pub static TICKET_FLOW: Workflow<TicketState, TicketAction, TicketFacts> = Workflow {
    illegal: Code::TicketIllegalTransition,
    noun: "ticket",
    rules: &[
        Rule {
            action: TicketAction::Dispatch,
            from: &[TicketState::Received, TicketState::Returned],
            to: Next::To(TicketState::Dispatched),
            roles: OPERATORS,
            guards: &[],
        },
        Rule {
            action: TicketAction::Return,
            from: &[TicketState::Dispatched, TicketState::Reopened],
            to: Next::To(TicketState::Returned),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: TicketAction::RequestExtension,
            from: &[TicketState::Dispatched, TicketState::Reopened],
            to: Next::Stay,
            roles: DEPARTMENT,
            guards: &[no_pending_extension, before_due_date],
        },
        Rule {
            action: TicketAction::DecideExtension,
            from: &[TicketState::Dispatched, TicketState::Reopened],
            to: Next::Stay,
            roles: OPERATORS,
            guards: &[extension_pending, approval_before_due_date],
        },
        Rule {
            action: TicketAction::Reply,
            from: &[TicketState::Dispatched, TicketState::Reopened],
            to: Next::To(TicketState::Replied),
            roles: DEPARTMENT,
            guards: &[],
        },
        Rule {
            action: TicketAction::Callback,
            from: &[TicketState::Replied],
            to: Next::To(TicketState::CalledBack),
            roles: OPERATORS,
            guards: &[],
        },
        Rule {
            action: TicketAction::Close,
            from: &[TicketState::Replied, TicketState::CalledBack],
            to: Next::To(TicketState::Closed),
            roles: OPERATORS,
            guards: &[],
        },
        Rule {
            action: TicketAction::Merge,
            from: &[
                TicketState::Received,
                TicketState::Returned,
                TicketState::Dispatched,
            ],
            to: Next::To(TicketState::Merged),
            roles: OPERATORS,
            guards: &[],
        },
    ],
};

/// The state after a ticket step, by [`TICKET_FLOW`]; an unsatisfied callback reopens the
/// ticket (重办) instead of ending `called_back`.
pub fn decide_ticket(
    state: TicketState,
    action: TicketAction,
    role: Role,
    facts: &TicketFacts,
) -> Result<TicketState, Refusal<TicketState, TicketAction>> {
    let next = TICKET_FLOW.decide(state, action, role, facts)?;
    Ok(match action {
        TicketAction::Callback if !facts.satisfied => TicketState::Reopened,
        _ => next,
    })
}

/// Whether the responsible department takes the step (on the ticket it holds); the hotline
/// takes the others (on tickets of its centres).
pub fn by_department(action: TicketAction) -> bool {
    matches!(
        action,
        TicketAction::Return | TicketAction::RequestExtension | TicketAction::Reply
    )
}

/// The knowledge-base workflow: an author submits a draft, a reviewer (not the author)
/// publishes it or sends it back, a published entry is retired.
pub static ENTRY_FLOW: Workflow<EntryState, EntryAction> = Workflow {
    illegal: Code::KnowledgeEntryIllegalTransition,
    noun: "knowledge entry",
    rules: &[
        Rule {
            action: EntryAction::Submit,
            from: &[EntryState::Draft],
            to: Next::To(EntryState::Submitted),
            roles: KB_AUTHORS,
            guards: &[],
        },
        Rule {
            action: EntryAction::Publish,
            from: &[EntryState::Submitted],
            to: Next::To(EntryState::Published),
            roles: KB_REVIEWERS,
            guards: &[],
        },
        Rule {
            action: EntryAction::Reject,
            from: &[EntryState::Submitted],
            to: Next::To(EntryState::Draft),
            roles: KB_REVIEWERS,
            guards: &[],
        },
        Rule {
            action: EntryAction::Retire,
            from: &[EntryState::Published],
            to: Next::To(EntryState::Retired),
            roles: KB_REVIEWERS,
            guards: &[],
        },
    ],
};

/// Whether the action is a review, which records the reviewer.
pub fn is_review(action: EntryAction) -> bool {
    matches!(action, EntryAction::Publish | EntryAction::Reject)
}

/// Nobody reviews their own entry (403, before the state is looked at).
pub fn check_reviewer(action: EntryAction, own_entry: bool) -> Result<(), Forbidden> {
    if is_review(action) && own_entry {
        return Err(Forbidden(RuleViolation::new(
            Code::KnowledgeEntryOwnEntry,
            "an entry is reviewed by someone other than its author",
        )));
    }
    Ok(())
}

/// Only drafts are edited.
pub fn check_editable(state: EntryState) -> Result<(), RuleViolation> {
    if state != EntryState::Draft {
        return Err(RuleViolation::new(
            Code::KnowledgeEntryNotDraft,
            "only drafts are edited",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn facts() -> TicketFacts {
        TicketFacts {
            today: day("2025-11-10"),
            due_date: Some(day("2025-11-12")),
            extension_pending: false,
            approving: true,
            satisfied: true,
        }
    }

    fn role_of(action: TicketAction) -> Role {
        if by_department(action) {
            Role::Clerk
        } else {
            Role::HotlineOperator
        }
    }

    #[test]
    fn every_ticket_transition() {
        use TicketAction as A;
        use TicketState as S;
        assert_eq!(TICKET_FLOW.check_table(TicketAction::ALL), Ok(()));
        let legal = [
            (S::Received, A::Dispatch, S::Dispatched),
            (S::Returned, A::Dispatch, S::Dispatched),
            (S::Dispatched, A::Return, S::Returned),
            (S::Reopened, A::Return, S::Returned),
            (S::Dispatched, A::RequestExtension, S::Dispatched),
            (S::Reopened, A::RequestExtension, S::Reopened),
            (S::Dispatched, A::DecideExtension, S::Dispatched),
            (S::Reopened, A::DecideExtension, S::Reopened),
            (S::Dispatched, A::Reply, S::Replied),
            (S::Reopened, A::Reply, S::Replied),
            (S::Replied, A::Callback, S::CalledBack),
            (S::Replied, A::Close, S::Closed),
            (S::CalledBack, A::Close, S::Closed),
            (S::Received, A::Merge, S::Merged),
            (S::Returned, A::Merge, S::Merged),
            (S::Dispatched, A::Merge, S::Merged),
        ];
        for s in TicketState::ALL {
            for a in TicketAction::ALL {
                let f = TicketFacts {
                    extension_pending: *a == A::DecideExtension,
                    ..facts()
                };
                let want = legal.iter().find(|(x, y, _)| x == s && y == a).map(|l| l.2);
                let got = decide_ticket(*s, *a, role_of(*a), &f);
                match want {
                    Some(next) => assert_eq!(got, Ok(next), "{s} {a}"),
                    None => assert_eq!(
                        got,
                        Err(Refusal::State {
                            code: Code::TicketIllegalTransition,
                            noun: "ticket",
                            action: *a,
                            state: *s
                        }),
                        "{s} {a}"
                    ),
                }
            }
        }
        let unsatisfied = TicketFacts {
            satisfied: false,
            ..facts()
        };
        assert_eq!(
            decide_ticket(S::Replied, A::Callback, Role::SysAdmin, &unsatisfied),
            Ok(S::Reopened)
        );
    }

    #[test]
    fn the_hotline_and_the_department_each_take_their_steps() {
        for a in TicketAction::ALL {
            let want = if by_department(*a) {
                DEPARTMENT
            } else {
                OPERATORS
            };
            assert_eq!(TICKET_FLOW.roles(*a), want, "{a}");
        }
        let refused = decide_ticket(
            TicketState::Dispatched,
            TicketAction::Reply,
            Role::HotlineOperator,
            &facts(),
        );
        assert!(matches!(refused, Err(Refusal::Role { .. })));
        let refused = decide_ticket(
            TicketState::Received,
            TicketAction::Dispatch,
            Role::Clerk,
            &facts(),
        );
        assert!(matches!(refused, Err(Refusal::Role { .. })));
    }

    fn guard_code(r: Result<TicketState, Refusal<TicketState, TicketAction>>) -> Code {
        match r {
            Err(Refusal::Guard(v)) => v.code,
            other => panic!("not a guard: {other:?}"),
        }
    }

    #[test]
    fn extensions_are_asked_once_and_in_time() {
        let s = TicketState::Dispatched;
        let ask =
            |f: TicketFacts| decide_ticket(s, TicketAction::RequestExtension, Role::Clerk, &f);
        let decide =
            |f: TicketFacts| decide_ticket(s, TicketAction::DecideExtension, Role::SysAdmin, &f);
        let pending = TicketFacts {
            extension_pending: true,
            ..facts()
        };
        let late = TicketFacts {
            today: day("2025-11-13"),
            ..facts()
        };
        assert_eq!(ask(facts()), Ok(s));
        assert_eq!(guard_code(ask(pending)), Code::TicketExtensionPending);
        assert_eq!(guard_code(ask(late)), Code::ExtensionAfterDueDate);
        assert_eq!(guard_code(decide(facts())), Code::TicketNoExtensionRequest);
        assert_eq!(decide(pending), Ok(s));
        let late_pending = TicketFacts {
            extension_pending: true,
            ..late
        };
        assert_eq!(
            guard_code(decide(late_pending)),
            Code::ExtensionAfterDueDate
        );
        let late_refusal = TicketFacts {
            approving: false,
            ..late_pending
        };
        assert_eq!(decide(late_refusal), Ok(s));
    }

    #[test]
    fn every_entry_transition() {
        use EntryAction as A;
        use EntryState as S;
        assert_eq!(ENTRY_FLOW.check_table(EntryAction::ALL), Ok(()));
        let legal = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Submitted, A::Publish, S::Published),
            (S::Submitted, A::Reject, S::Draft),
            (S::Published, A::Retire, S::Retired),
        ];
        for s in EntryState::ALL {
            for a in EntryAction::ALL {
                let want = legal.iter().find(|(x, y, _)| x == s && y == a).map(|l| l.2);
                let got = ENTRY_FLOW.decide(*s, *a, Role::Reviewer, &());
                match want {
                    Some(next) => assert_eq!(got, Ok(next), "{s} {a}"),
                    None => assert!(
                        matches!(
                            got,
                            Err(Refusal::State {
                                code: Code::KnowledgeEntryIllegalTransition,
                                ..
                            })
                        ),
                        "{s} {a}"
                    ),
                }
            }
        }
        assert!(matches!(
            ENTRY_FLOW.decide(S::Submitted, A::Publish, Role::Clerk, &()),
            Err(Refusal::Role { .. })
        ));
        assert_eq!(
            ENTRY_FLOW.decide(S::Draft, A::Submit, Role::Clerk, &()),
            Ok(S::Submitted)
        );
    }

    #[test]
    fn nobody_reviews_their_own_entry() {
        let own = check_reviewer(EntryAction::Publish, true).err();
        assert_eq!(own.map(|f| f.0.code), Some(Code::KnowledgeEntryOwnEntry));
        assert!(check_reviewer(EntryAction::Reject, true).is_err());
        assert!(check_reviewer(EntryAction::Submit, true).is_ok());
        assert!(check_reviewer(EntryAction::Retire, true).is_ok());
        assert!(check_reviewer(EntryAction::Publish, false).is_ok());
        assert!(check_editable(EntryState::Draft).is_ok());
        assert_eq!(
            check_editable(EntryState::Submitted).err().map(|v| v.code),
            Some(Code::KnowledgeEntryNotDraft)
        );
    }
}
