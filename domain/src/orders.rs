//! Supervision orders (督办单) and accountability records (责任追究).

use crate::account::Role;
use crate::codes::Code;
use crate::labeled_enum;
use crate::workflow::{Next, Rule, Workflow};

labeled_enum! {
    /// 督办单 states: issued → responded → closed, or escalated (升级督办) and responded again.
    pub enum OrderState {
        Issued = ("issued", "已督办"),
        Responded = ("responded", "已反馈"),
        Escalated = ("escalated", "升级督办"),
        Closed = ("closed", "已办结"),
    }
}

labeled_enum! {
    pub enum OrderAction {
        Respond = ("respond", "反馈"),
        Close = ("close", "办结"),
        Escalate = ("escalate", "升级督办"),
    }
}

impl OrderState {
    /// Whether the ordered organisation still owes a response (the deadline runs).
    pub fn awaits_response(self) -> bool {
        matches!(self, OrderState::Issued | OrderState::Escalated)
    }
}

labeled_enum! {
    /// 责任追究.
    pub enum AccountabilityKind {
        Criticism = ("criticism", "通报批评"),
        Interview = ("interview", "约谈"),
        ReferralToDisciplineInspection = ("referral_to_discipline_inspection", "移送纪检监察机关"),
    }
}

/// Who issues, closes and escalates orders and records accountability.
pub const SUPERVISORS: &[Role] = &[Role::SysAdmin, Role::Supervisor];

/// Who reads orders: staff within their scope.
pub const READERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
    Role::DisclosureOfficer,
    Role::Clerk,
];

/// Who reads accountability records: supervisors and administrators within their scope.
pub const ACCOUNTABILITY_READERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

/// Staff of an ordered organisation who respond to an order.
pub const RESPONDERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Reviewer,
    Role::DisclosureOfficer,
    Role::Clerk,
];

/// The working days an order (or its escalation) gives for the response.
pub const RESPONSE_DAYS: std::ops::RangeInclusive<u32> = 1..=60;

use OrderAction as A;
use OrderState as S;

/// The course of a supervision order.
pub static ORDER_FLOW: Workflow<OrderState, OrderAction> = Workflow {
    illegal: Code::SupervisionOrderIllegalTransition,
    noun: "supervision order",
    rules: &[
        Rule {
            action: A::Respond,
            from: &[S::Issued, S::Escalated],
            to: Next::To(S::Responded),
            roles: RESPONDERS,
            guards: &[],
        },
        Rule {
            action: A::Close,
            from: &[S::Responded],
            to: Next::To(S::Closed),
            roles: SUPERVISORS,
            guards: &[],
        },
        Rule {
            action: A::Escalate,
            from: &[S::Issued, S::Responded],
            to: Next::To(S::Escalated),
            roles: SUPERVISORS,
            guards: &[],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn the_table_walks_every_transition() {
        assert_eq!(ORDER_FLOW.check_table(OrderAction::ALL), Ok(()));
        let legal = [
            (S::Issued, A::Respond, S::Responded),
            (S::Escalated, A::Respond, S::Responded),
            (S::Responded, A::Close, S::Closed),
            (S::Issued, A::Escalate, S::Escalated),
            (S::Responded, A::Escalate, S::Escalated),
        ];
        for from in OrderState::ALL {
            for action in OrderAction::ALL {
                let want = legal
                    .iter()
                    .find(|(f, a, _)| f == from && a == action)
                    .map(|l| l.2);
                let got = ORDER_FLOW.decide_as_system(*from, *action, &());
                match want {
                    Some(to) => assert_eq!(got, Ok(to), "{from} {action}"),
                    None => assert!(
                        matches!(
                            got,
                            Err(Refusal::State {
                                code: Code::SupervisionOrderIllegalTransition,
                                ..
                            })
                        ),
                        "{from} {action}"
                    ),
                }
            }
        }
    }

    #[test]
    fn the_ordered_respond_and_supervisors_decide() {
        let respond = ORDER_FLOW.decide(S::Issued, A::Respond, Role::Clerk, &());
        assert_eq!(respond, Ok(S::Responded));
        assert!(matches!(
            ORDER_FLOW.decide(S::Issued, A::Respond, Role::Supervisor, &()),
            Err(Refusal::Role { .. })
        ));
        assert!(matches!(
            ORDER_FLOW.decide(S::Responded, A::Close, Role::OrgAdmin, &()),
            Err(Refusal::Role { .. })
        ));
        assert_eq!(
            ORDER_FLOW.decide(S::Responded, A::Close, Role::Supervisor, &()),
            Ok(S::Closed)
        );
        assert!(S::Escalated.awaits_response() && !S::Responded.awaits_response());
    }
}
