//! The states of an application and the one table of what may be done to it.

use crate::codes::Code;
use chrono::NaiveDate;

use crate::account::Role;
use crate::labeled_enum;
use crate::validation::RuleViolation;
use crate::workflow::{Next, Rule, Workflow};

labeled_enum! {
    /// State of an application.
    pub enum RequestState {
        Received = ("received", "已收到"),
        AwaitingCorrection = ("awaiting_correction", "待补正"),
        Consulting = ("consulting", "征求意见中"),
        AwaitingFee = ("awaiting_fee", "待缴费"),
        Replied = ("replied", "已答复"),
        DeemedWithdrawn = ("deemed_withdrawn", "视为放弃"),
    }
}

labeled_enum! {
    /// What is done to an application.
    pub enum RequestAction {
        RequestCorrection = ("request_correction", "告知补正"),
        SubmitCorrection = ("submit_correction", "提交补正"),
        LapseCorrection = ("lapse_correction", "逾期未补正"),
        Consult = ("consult", "征求第三方或其他机关意见"),
        ReceiveOpinion = ("receive_opinion", "收到意见"),
        Extend = ("extend", "延长答复期限"),
        NoticeFee = ("notice_fee", "收费通知"),
        PayFee = ("pay_fee", "缴纳费用"),
        Reply = ("reply", "答复"),
    }
}

impl RequestState {
    /// Whether the application is finished.
    pub fn closed(self) -> bool {
        matches!(self, RequestState::Replied | RequestState::DeemedWithdrawn)
    }

    /// The states in which the reply clock has a due date that can pass (the overdue
    /// list): not while a correction is awaited, not once finished.
    pub const RUNNING: &'static [RequestState] = &[
        RequestState::Received,
        RequestState::Consulting,
        RequestState::AwaitingFee,
    ];
}

/// Who handles applications.
pub const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
/// Who approves an extension.
pub const APPROVERS: &[Role] = &[Role::Reviewer, Role::OrgAdmin];
/// Who may act for the applicant (a correction, a payment).
const OFFICER_OR_APPLICANT: &[Role] = &[Role::DisclosureOfficer, Role::Applicant];

/// What the guards of [`REQUEST_FLOW`] decide on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// The correction deadline passed without a correction (视为放弃), as of today.
    pub correction_lapsed: bool,
}

impl RequestFacts {
    pub fn of(
        correction_due: Option<NaiveDate>,
        corrected_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        Self {
            correction_lapsed: correction_due
                .is_some_and(|d| super::deemed_withdrawn(d, corrected_on, today)),
        }
    }
}

fn correction_in_time(f: &RequestFacts) -> Result<(), RuleViolation> {
    if f.correction_lapsed {
        return Err(RuleViolation::new(
            Code::RequestCorrectionLapsed,
            "the correction deadline has passed; the application is deemed withdrawn",
        ));
    }
    Ok(())
}

fn correction_lapsed(f: &RequestFacts) -> Result<(), RuleViolation> {
    if !f.correction_lapsed {
        return Err(RuleViolation::new(
            Code::RequestCorrectionNotLapsed,
            "the correction deadline has not passed",
        ));
    }
    Ok(())
}

use RequestAction as A;
use RequestState as S;

/// received → request_correction → awaiting_correction → submit_correction → received
/// (or lapse_correction → deemed_withdrawn); received ⇄ consult/receive_opinion
/// (consulting); received ⇄ notice_fee/pay_fee (awaiting_fee); received → extend →
/// received; received → reply → replied. An unpaid fee is answered with the reply
/// `other_unpaid_fee` from awaiting_fee.
pub static REQUEST_FLOW: Workflow<RequestState, RequestAction, RequestFacts> = Workflow {
    illegal: Code::RequestIllegalTransition,
    noun: "disclosure request",
    rules: &[
        Rule {
            action: A::RequestCorrection,
            from: &[S::Received],
            to: Next::To(S::AwaitingCorrection),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: A::SubmitCorrection,
            from: &[S::AwaitingCorrection],
            to: Next::To(S::Received),
            roles: OFFICER_OR_APPLICANT,
            guards: &[correction_in_time],
        },
        Rule {
            action: A::LapseCorrection,
            from: &[S::AwaitingCorrection],
            to: Next::To(S::DeemedWithdrawn),
            roles: OFFICERS,
            guards: &[correction_lapsed],
        },
        Rule {
            action: A::Consult,
            from: &[S::Received],
            to: Next::To(S::Consulting),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: A::ReceiveOpinion,
            from: &[S::Consulting],
            to: Next::To(S::Received),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: A::Extend,
            from: &[S::Received],
            to: Next::Stay,
            roles: APPROVERS,
            guards: &[],
        },
        Rule {
            action: A::NoticeFee,
            from: &[S::Received],
            to: Next::To(S::AwaitingFee),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: A::PayFee,
            from: &[S::AwaitingFee],
            to: Next::To(S::Received),
            roles: OFFICER_OR_APPLICANT,
            guards: &[],
        },
        Rule {
            action: A::Reply,
            from: &[S::Received, S::AwaitingFee],
            to: Next::To(S::Replied),
            roles: OFFICERS,
            guards: &[],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    /// The role that may take an action (the first of its row).
    fn role_of(a: RequestAction) -> Role {
        REQUEST_FLOW.roles(a)[0]
    }

    #[test]
    fn every_request_action() {
        assert_eq!(REQUEST_FLOW.check_table(RequestAction::ALL), Ok(()));
        let legal = [
            (S::Received, A::RequestCorrection, S::AwaitingCorrection),
            (S::AwaitingCorrection, A::SubmitCorrection, S::Received),
            (
                S::AwaitingCorrection,
                A::LapseCorrection,
                S::DeemedWithdrawn,
            ),
            (S::Received, A::Consult, S::Consulting),
            (S::Consulting, A::ReceiveOpinion, S::Received),
            (S::Received, A::Extend, S::Received),
            (S::Received, A::NoticeFee, S::AwaitingFee),
            (S::AwaitingFee, A::PayFee, S::Received),
            (S::Received, A::Reply, S::Replied),
            (S::AwaitingFee, A::Reply, S::Replied),
        ];
        let lapsed = RequestFacts {
            correction_lapsed: true,
        };
        let facts = |a| {
            if a == A::LapseCorrection {
                lapsed
            } else {
                RequestFacts::default()
            }
        };
        for (from, a, to) in legal {
            let got = REQUEST_FLOW.decide(from, a, role_of(a), &facts(a));
            assert_eq!(got, Ok(to), "{from} --{a}-->");
        }
        for from in RequestState::ALL {
            for a in RequestAction::ALL {
                if !legal.iter().any(|(f, x, _)| f == from && x == a) {
                    assert_eq!(
                        REQUEST_FLOW.decide(*from, *a, role_of(*a), &facts(*a)),
                        Err(Refusal::State {
                            code: Code::RequestIllegalTransition,
                            noun: "disclosure request",
                            action: *a,
                            state: *from
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn roles_and_guards() {
        let ok = RequestFacts::default();
        assert!(matches!(
            REQUEST_FLOW.decide(S::Received, A::Extend, Role::DisclosureOfficer, &ok),
            Err(Refusal::Role { .. })
        ));
        assert!(matches!(
            REQUEST_FLOW.decide(S::Received, A::Reply, Role::Applicant, &ok),
            Err(Refusal::Role { .. })
        ));
        assert_eq!(
            REQUEST_FLOW.decide(S::AwaitingFee, A::PayFee, Role::Applicant, &ok),
            Ok(S::Received)
        );
        let lapsed = RequestFacts::of(Some(d("2025-10-20")), None, d("2025-10-21"));
        assert!(lapsed.correction_lapsed);
        let code = |r: Result<RequestState, Refusal<_, _>>| match r {
            Err(Refusal::Guard(v)) => Some(v.code),
            _ => None,
        };
        assert_eq!(
            code(REQUEST_FLOW.decide(
                S::AwaitingCorrection,
                A::SubmitCorrection,
                Role::Applicant,
                &lapsed
            )),
            Some(Code::RequestCorrectionLapsed)
        );
        assert_eq!(
            code(REQUEST_FLOW.decide(
                S::AwaitingCorrection,
                A::LapseCorrection,
                Role::DisclosureOfficer,
                &ok
            )),
            Some(Code::RequestCorrectionNotLapsed)
        );
    }
}
