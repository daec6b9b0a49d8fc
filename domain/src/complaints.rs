//! Complaints and reports (投诉举报) about an organisation, a window or a staff member: what
//! they are, who is on the side complained about, and the workflow that handles them.

use crate::account::Role;
use crate::codes::Code;
use crate::labeled_enum;
use crate::org::OrgPath;
use crate::workflow::{Next, Rule, Workflow};

labeled_enum! {
    pub enum ComplaintKind {
        Complaint = ("complaint", "投诉"),
        Report = ("report", "举报"),
    }
}

labeled_enum! {
    pub enum ComplaintCategory {
        Attitude = ("attitude", "服务态度（门难进、脸难看）"),
        Delay = ("delay", "办事拖延（事难办）"),
        Shirking = ("shirking", "推诿扯皮"),
        ImproperFees = ("improper_fees", "违规收费"),
        Kickbacks = ("kickbacks", "吃拿卡要"),
        Other = ("other", "其他"),
    }
}

labeled_enum! {
    /// submitted → accepted → handled → replied → closed; or not accepted; or referred to
    /// discipline inspection once accepted.
    pub enum ComplaintState {
        Submitted = ("submitted", "待受理"),
        Accepted = ("accepted", "已受理"),
        NotAccepted = ("not_accepted", "不予受理"),
        Handled = ("handled", "已办理"),
        Replied = ("replied", "已答复"),
        Closed = ("closed", "已办结"),
        Referred = ("referred", "已移送纪检监察"),
    }
}

labeled_enum! {
    pub enum ComplaintAction {
        Accept = ("accept", "受理"),
        Reject = ("reject", "不予受理"),
        Handle = ("handle", "办理"),
        Reply = ("reply", "答复"),
        Close = ("close", "办结"),
        Refer = ("refer", "移送纪检监察"),
    }
}

/// Who handles complaints: supervisors and administrators within scope, above the
/// organisation complained about.
pub const HANDLERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

use ComplaintAction as A;
use ComplaintState as S;

/// The handling of a complaint.
pub static COMPLAINT_FLOW: Workflow<ComplaintState, ComplaintAction> = Workflow {
    illegal: Code::ComplaintIllegalTransition,
    noun: "complaint",
    rules: &[
        Rule {
            action: A::Accept,
            from: &[S::Submitted],
            to: Next::To(S::Accepted),
            roles: HANDLERS,
            guards: &[],
        },
        Rule {
            action: A::Reject,
            from: &[S::Submitted],
            to: Next::To(S::NotAccepted),
            roles: HANDLERS,
            guards: &[],
        },
        Rule {
            action: A::Handle,
            from: &[S::Accepted],
            to: Next::To(S::Handled),
            roles: HANDLERS,
            guards: &[],
        },
        Rule {
            action: A::Reply,
            from: &[S::Handled],
            to: Next::To(S::Replied),
            roles: HANDLERS,
            guards: &[],
        },
        Rule {
            action: A::Close,
            from: &[S::Replied],
            to: Next::To(S::Closed),
            roles: HANDLERS,
            guards: &[],
        },
        Rule {
            action: A::Refer,
            from: &[S::Accepted, S::Handled],
            to: Next::To(S::Referred),
            roles: HANDLERS,
            guards: &[],
        },
    ],
};

/// Whether a member of the organisation at `member` (`None`: outside the tree, as a system
/// administrator may be) belongs to the side a complaint about the organisation at `subject`
/// is made against: that organisation or one below it. Such a member neither handles nor
/// reads the complaint, nor learns who made it.
pub fn complained_about(subject: &OrgPath, member: Option<&OrgPath>) -> bool {
    member.is_some_and(|m| subject.contains(m))
}

/// The organisation that handles a complaint about the one at `subject`: the one above it
/// (a complaint about a root goes to the system administrators, who stand outside the tree).
pub fn handling_organisation(subject: &OrgPath) -> OrgPath {
    subject.parent().unwrap_or_else(|| subject.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn the_table_walks_every_transition() {
        assert_eq!(COMPLAINT_FLOW.check_table(ComplaintAction::ALL), Ok(()));
        let legal = [
            (S::Submitted, A::Accept, S::Accepted),
            (S::Submitted, A::Reject, S::NotAccepted),
            (S::Accepted, A::Handle, S::Handled),
            (S::Handled, A::Reply, S::Replied),
            (S::Replied, A::Close, S::Closed),
            (S::Accepted, A::Refer, S::Referred),
            (S::Handled, A::Refer, S::Referred),
        ];
        for from in ComplaintState::ALL {
            for action in ComplaintAction::ALL {
                let want = legal
                    .iter()
                    .find(|(f, a, _)| f == from && a == action)
                    .map(|l| l.2);
                let got = COMPLAINT_FLOW.decide(*from, *action, Role::Supervisor, &());
                match want {
                    Some(to) => assert_eq!(got, Ok(to), "{from} {action}"),
                    None => assert!(
                        matches!(
                            got,
                            Err(Refusal::State {
                                code: Code::ComplaintIllegalTransition,
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
    fn only_handlers_handle() {
        for role in [Role::Clerk, Role::Reviewer, Role::Applicant] {
            assert!(matches!(
                COMPLAINT_FLOW.decide(S::Submitted, A::Accept, role, &()),
                Err(Refusal::Role { .. })
            ));
        }
    }

    #[test]
    fn a_complaint_goes_above_the_organisation_complained_about() {
        let id = |n| crate::ids::OrganizationId(uuid::Uuid::from_u128(n));
        let county = OrgPath::root(id(1)).child(id(2));
        let hall = county.child(id(3));
        let other = OrgPath::root(id(1)).child(id(4));
        // A complaint about the hall: the hall's staff are on its side, the county's are not.
        assert!(complained_about(&hall, Some(&hall)));
        assert!(!complained_about(&hall, Some(&county)));
        assert!(!complained_about(&hall, Some(&other)));
        assert!(!complained_about(&hall, None));
        // A complaint about the county: the hall below it is on its side too.
        assert!(complained_about(&county, Some(&hall)));
        assert_eq!(handling_organisation(&hall), county);
        let root = OrgPath::root(id(1));
        assert_eq!(handling_organisation(&root), root);
    }
}
