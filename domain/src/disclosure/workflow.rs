//! The review and publication workflow of an item, as a table.

use super::{ItemState, Transition};
use crate::access::Forbidden;
use crate::account::Role;
use crate::codes::Code;
use crate::validation::RuleViolation;
use crate::workflow::{Next, Rule, Workflow};

/// What a step of the workflow needs to know beyond the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    /// For an interpretation: whether the policy it interprets has a published version.
    /// `true` for a document (it interprets nothing).
    pub policy_published: bool,
}

impl ItemFacts {
    /// The facts of an item whose policy, if it has one, is published.
    pub const READY: ItemFacts = ItemFacts {
        policy_published: true,
    };
}

/// An interpretation is published with or after its policy, never before.
fn policy_published(f: &ItemFacts) -> Result<(), RuleViolation> {
    if f.policy_published {
        Ok(())
    } else {
        Err(RuleViolation::new(
            Code::DisclosurePolicyNotPublished,
            "an interpretation is published with or after its policy, never before",
        ))
    }
}

const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
const REVIEWERS: &[Role] = &[Role::Reviewer];
const WITHDRAWERS: &[Role] = &[Role::DisclosureOfficer, Role::OrgAdmin, Role::SysAdmin];

/// The roles that draft, edit, mask and attach (the working copy's authors).
pub const EDITORS: &[Role] = OFFICERS;

/// The review and publication workflow of an item (审核与发布).
///
/// draft → submit → submitted → approve → approved → publish → published;
/// submitted → reject → draft; published → revise → draft (the published version stays
/// public until the revision is published); published → withdraw → withdrawn;
/// withdrawn → revise → draft. Review is by a reviewer who is not the author
/// ([`check_reviewer`]).
pub static ITEM_FLOW: Workflow<ItemState, Transition, ItemFacts> = Workflow {
    illegal: Code::DisclosureIllegalTransition,
    noun: "disclosure item",
    rules: &[
        Rule {
            action: Transition::Submit,
            from: &[ItemState::Draft],
            to: Next::To(ItemState::Submitted),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: Transition::Approve,
            from: &[ItemState::Submitted],
            to: Next::To(ItemState::Approved),
            roles: REVIEWERS,
            guards: &[],
        },
        Rule {
            action: Transition::Reject,
            from: &[ItemState::Submitted],
            to: Next::To(ItemState::Draft),
            roles: REVIEWERS,
            guards: &[],
        },
        Rule {
            action: Transition::Publish,
            from: &[ItemState::Approved],
            to: Next::To(ItemState::Published),
            roles: OFFICERS,
            guards: &[policy_published],
        },
        Rule {
            action: Transition::Revise,
            from: &[ItemState::Published, ItemState::Withdrawn],
            to: Next::To(ItemState::Draft),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: Transition::Withdraw,
            from: &[ItemState::Published],
            to: Next::To(ItemState::Withdrawn),
            roles: WITHDRAWERS,
            guards: &[],
        },
    ],
};

/// Review is by someone other than the author (审核与起草分离): a refusal for the
/// reviewer's relation to the item (403).
pub fn check_reviewer<T: PartialEq>(author: &T, reviewer: &T) -> Result<(), Forbidden> {
    if author == reviewer {
        Err(Forbidden(RuleViolation::new(
            Code::DisclosureAuthorCannotReview,
            "the author of an item cannot review it",
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn the_table_is_whole() {
        assert_eq!(ITEM_FLOW.check_table(Transition::ALL), Ok(()));
    }

    /// A role that may take the step (the first the table names).
    fn role_of(t: Transition) -> Role {
        ITEM_FLOW.roles(t)[0]
    }

    #[test]
    fn every_legal_and_illegal_transition() {
        use ItemState::*;
        use Transition::*;
        let legal = [
            (Draft, Submit, Submitted),
            (Submitted, Approve, Approved),
            (Submitted, Reject, Draft),
            (Approved, Publish, Published),
            (Published, Revise, Draft),
            (Withdrawn, Revise, Draft),
            (Published, Withdraw, Withdrawn),
        ];
        let ready = ItemFacts::READY;
        for (from, t, to) in legal {
            assert_eq!(
                ITEM_FLOW.decide(from, t, role_of(t), &ready),
                Ok(to),
                "{from} --{t}-->"
            );
        }
        // Everything else is refused with the current state and the step.
        for from in ItemState::ALL {
            for t in Transition::ALL {
                if legal.iter().any(|(f, tr, _)| f == from && tr == t) {
                    continue;
                }
                assert_eq!(
                    ITEM_FLOW.decide(*from, *t, role_of(*t), &ready),
                    Err(Refusal::State {
                        code: Code::DisclosureIllegalTransition,
                        noun: "disclosure item",
                        action: *t,
                        state: *from
                    }),
                    "{from} --{t}--> should be refused"
                );
            }
        }
    }

    #[test]
    fn roles_of_the_steps() {
        use ItemState::*;
        use Transition::*;
        let ready = ItemFacts::READY;
        let refused =
            |s, t, r| matches!(ITEM_FLOW.decide(s, t, r, &ready), Err(Refusal::Role { .. }));
        assert!(refused(Submitted, Approve, Role::DisclosureOfficer));
        assert!(refused(Submitted, Reject, Role::DisclosureOfficer));
        assert!(refused(Draft, Submit, Role::Reviewer));
        assert!(refused(Approved, Publish, Role::OrgAdmin));
        assert!(refused(Published, Withdraw, Role::Reviewer));
        for r in [Role::DisclosureOfficer, Role::OrgAdmin, Role::SysAdmin] {
            assert_eq!(
                ITEM_FLOW.decide(Published, Withdraw, r, &ready),
                Ok(Withdrawn)
            );
        }
    }

    #[test]
    fn an_interpretation_waits_for_its_policy() {
        let waiting = ItemFacts {
            policy_published: false,
        };
        let officer = Role::DisclosureOfficer;
        let publish = |s| ITEM_FLOW.decide(s, Transition::Publish, officer, &waiting);
        assert!(matches!(
            publish(ItemState::Approved),
            Err(Refusal::Guard(v)) if v.code == Code::DisclosurePolicyNotPublished
        ));
        // The state is refused before the guard is asked.
        assert!(matches!(
            publish(ItemState::Draft),
            Err(Refusal::State { .. })
        ));
    }

    #[test]
    fn the_author_cannot_review() {
        assert!(matches!(
            check_reviewer(&1, &1),
            Err(Forbidden(v)) if v.code == Code::DisclosureAuthorCannotReview
        ));
        assert!(check_reviewer(&1, &2).is_ok());
    }
}
