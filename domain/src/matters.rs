//! The publication workflow of service matters (政务服务事项), as one table.
//!
//! draft → submit → submitted → publish → published ⇄ suspend/resume; published or
//! suspended → abolish → abolished. A revision of a published (or suspended) matter is
//! submitted and published without taking the published version off the guide: those are
//! the two revision steps of the table, which leave the matter's state as it is.

use crate::codes::Code;
use serde::{Serialize, Serializer};

use crate::account::Role;
use crate::services::{MatterState, MatterTransition, OnlineDepth};
use crate::validation::{self, RuleViolation};
use crate::workflow::{Next, Rule, Workflow};

/// Who may register and change matters.
pub const EDITORS: &[Role] = &[Role::OrgAdmin, Role::SysAdmin];
/// Who may take the workflow's steps other than publishing.
const STEWARDS: &[Role] = &[Role::OrgAdmin, Role::SysAdmin, Role::Reviewer];
/// Who publishes.
const PUBLISHERS: &[Role] = &[Role::Reviewer];

/// The states in which a matter has a public guide (the suspended one says so).
pub const ON_GUIDE: &[MatterState] = &[MatterState::Published, MatterState::Suspended];

/// The online depths with which a matter can be applied for online.
pub const APPLY_ONLINE: &[OnlineDepth] = &[OnlineDepth::PreReview, OnlineDepth::FullOnline];

/// A step of the table: one of the five transitions, or a step of a revision. It shows
/// (and serialises) as the transition the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatterAction {
    Submit,
    Publish,
    Suspend,
    Resume,
    Abolish,
    SubmitRevision,
    PublishRevision,
}

/// Where the working version of a published matter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// Being edited.
    Editing,
    /// Waiting for the reviewer.
    Submitted,
}

impl Revision {
    /// The revision under way, if the working version is not the published one (or none).
    pub fn of(
        has_published: bool,
        working_published: bool,
        working_submitted: bool,
    ) -> Option<Self> {
        match (has_published && !working_published, working_submitted) {
            (false, _) => None,
            (true, false) => Some(Revision::Editing),
            (true, true) => Some(Revision::Submitted),
        }
    }
}

/// What a step does to the working version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionEffect {
    None,
    /// It is submitted for review.
    Submit,
    /// It becomes the published version.
    Publish,
}

impl MatterAction {
    pub const ALL: &'static [MatterAction] = &[
        MatterAction::Submit,
        MatterAction::Publish,
        MatterAction::Suspend,
        MatterAction::Resume,
        MatterAction::Abolish,
        MatterAction::SubmitRevision,
        MatterAction::PublishRevision,
    ];

    /// The step a requested transition is, given the revision under way.
    pub fn of(t: MatterTransition, revision: Option<Revision>) -> Self {
        match (t, revision) {
            (MatterTransition::Submit, Some(Revision::Editing)) => MatterAction::SubmitRevision,
            (MatterTransition::Publish, Some(Revision::Submitted)) => MatterAction::PublishRevision,
            (MatterTransition::Submit, _) => MatterAction::Submit,
            (MatterTransition::Publish, _) => MatterAction::Publish,
            (MatterTransition::Suspend, _) => MatterAction::Suspend,
            (MatterTransition::Resume, _) => MatterAction::Resume,
            (MatterTransition::Abolish, _) => MatterAction::Abolish,
        }
    }

    /// The transition the caller asked for.
    pub fn transition(self) -> MatterTransition {
        match self {
            MatterAction::Submit | MatterAction::SubmitRevision => MatterTransition::Submit,
            MatterAction::Publish | MatterAction::PublishRevision => MatterTransition::Publish,
            MatterAction::Suspend => MatterTransition::Suspend,
            MatterAction::Resume => MatterTransition::Resume,
            MatterAction::Abolish => MatterTransition::Abolish,
        }
    }

    pub fn effect(self) -> VersionEffect {
        match self.transition() {
            MatterTransition::Submit => VersionEffect::Submit,
            MatterTransition::Publish => VersionEffect::Publish,
            _ => VersionEffect::None,
        }
    }
}

impl std::fmt::Display for MatterAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.transition().fmt(f)
    }
}

impl Serialize for MatterAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.transition().serialize(s)
    }
}

/// The roles that may ask for a transition (checked before the matter is read).
pub fn roles(t: MatterTransition) -> &'static [Role] {
    MATTER_FLOW.roles(MatterAction::of(t, None))
}

/// The reason a transition needs: suspending and abolishing require one (trimmed, at most
/// 1000 characters); the others take an optional note.
pub fn reason(t: MatterTransition, raw: Option<&str>) -> Result<Option<String>, RuleViolation> {
    match t {
        MatterTransition::Suspend | MatterTransition::Abolish => {
            validation::text(raw.unwrap_or(""), 1000).map(Some)
        }
        _ => Ok(raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)),
    }
}

/// Whether the working version may be changed, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The draft is changed in place.
    InPlace,
    /// A published version is kept; the change makes the next version.
    NewVersion,
}

/// How a change to a matter is saved: in place while the working version is neither
/// submitted nor published, as a new version once it is published; not while it is under
/// review, nor once the matter is abolished.
pub fn edit(
    state: MatterState,
    working_published: bool,
    working_submitted: bool,
) -> Result<Edit, RuleViolation> {
    match (state, working_published, working_submitted) {
        (MatterState::Abolished, _, _) | (_, false, true) => Err(RuleViolation::new(
            Code::MatterNotEditable,
            "the working version is under review (or the matter is abolished)",
        )),
        (_, true, _) => Ok(Edit::NewVersion),
        (_, false, false) => Ok(Edit::InPlace),
    }
}

pub static MATTER_FLOW: Workflow<MatterState, MatterAction> = Workflow {
    illegal: Code::MatterIllegalTransition,
    noun: "matter",
    rules: &[
        Rule {
            action: MatterAction::Submit,
            from: &[MatterState::Draft],
            to: Next::To(MatterState::Submitted),
            roles: STEWARDS,
            guards: &[],
        },
        Rule {
            action: MatterAction::Publish,
            from: &[MatterState::Submitted],
            to: Next::To(MatterState::Published),
            roles: PUBLISHERS,
            guards: &[],
        },
        Rule {
            action: MatterAction::Suspend,
            from: &[MatterState::Published],
            to: Next::To(MatterState::Suspended),
            roles: STEWARDS,
            guards: &[],
        },
        Rule {
            action: MatterAction::Resume,
            from: &[MatterState::Suspended],
            to: Next::To(MatterState::Published),
            roles: STEWARDS,
            guards: &[],
        },
        Rule {
            action: MatterAction::Abolish,
            from: ON_GUIDE,
            to: Next::To(MatterState::Abolished),
            roles: STEWARDS,
            guards: &[],
        },
        Rule {
            action: MatterAction::SubmitRevision,
            from: ON_GUIDE,
            to: Next::Stay,
            roles: STEWARDS,
            guards: &[],
        },
        Rule {
            action: MatterAction::PublishRevision,
            from: ON_GUIDE,
            to: Next::Stay,
            roles: PUBLISHERS,
            guards: &[],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn the_table_is_whole() {
        assert_eq!(MATTER_FLOW.check_table(MatterAction::ALL), Ok(()));
    }

    #[test]
    fn every_matter_step() {
        use MatterAction as A;
        use MatterState as S;
        let legal = [
            (S::Draft, A::Submit, S::Submitted, Role::OrgAdmin),
            (S::Submitted, A::Publish, S::Published, Role::Reviewer),
            (S::Published, A::Suspend, S::Suspended, Role::Reviewer),
            (S::Suspended, A::Resume, S::Published, Role::SysAdmin),
            (S::Published, A::Abolish, S::Abolished, Role::OrgAdmin),
            (S::Suspended, A::Abolish, S::Abolished, Role::OrgAdmin),
            (
                S::Published,
                A::SubmitRevision,
                S::Published,
                Role::OrgAdmin,
            ),
            (
                S::Suspended,
                A::SubmitRevision,
                S::Suspended,
                Role::OrgAdmin,
            ),
            (
                S::Published,
                A::PublishRevision,
                S::Published,
                Role::Reviewer,
            ),
            (
                S::Suspended,
                A::PublishRevision,
                S::Suspended,
                Role::Reviewer,
            ),
        ];
        for (from, a, to, role) in legal {
            assert_eq!(
                MATTER_FLOW.decide(from, a, role, &()),
                Ok(to),
                "{from} --{a:?}-->"
            );
        }
        for from in MatterState::ALL {
            for a in MatterAction::ALL {
                if !legal.iter().any(|(f, x, _, _)| f == from && x == a) {
                    assert_eq!(
                        MATTER_FLOW.decide(*from, *a, Role::Reviewer, &()),
                        Err(Refusal::State {
                            code: Code::MatterIllegalTransition,
                            noun: "matter",
                            action: *a,
                            state: *from
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn only_reviewers_publish_and_no_applicant_steps() {
        let r = MATTER_FLOW.decide(
            MatterState::Submitted,
            MatterAction::Publish,
            Role::OrgAdmin,
            &(),
        );
        assert!(matches!(r, Err(Refusal::Role { .. })));
        for a in MatterAction::ALL {
            assert!(!MATTER_FLOW.roles(*a).contains(&Role::Applicant));
        }
        assert_eq!(roles(MatterTransition::Publish), PUBLISHERS);
        assert_eq!(roles(MatterTransition::Submit), STEWARDS);
    }

    #[test]
    fn revision_steps_stand_for_the_transition_asked_for() {
        let editing = Revision::of(true, false, false);
        assert_eq!(editing, Some(Revision::Editing));
        assert_eq!(Revision::of(true, false, true), Some(Revision::Submitted));
        assert_eq!(Revision::of(true, true, true), None);
        assert_eq!(Revision::of(false, false, true), None);
        let a = MatterAction::of(MatterTransition::Submit, editing);
        assert_eq!(a, MatterAction::SubmitRevision);
        assert_eq!(a.to_string(), "submit");
        assert_eq!(a.effect(), VersionEffect::Submit);
        // Publishing a revision that is not submitted is the plain step, refused.
        let p = MatterAction::of(MatterTransition::Publish, editing);
        assert_eq!(p, MatterAction::Publish);
        assert_eq!(MatterAction::Suspend.effect(), VersionEffect::None);
    }

    #[test]
    fn reasons_and_edits() {
        assert!(reason(MatterTransition::Suspend, None).is_err());
        assert!(reason(MatterTransition::Abolish, Some("  ")).is_err());
        assert_eq!(
            reason(MatterTransition::Suspend, Some(" 依据修订 ")),
            Ok(Some("依据修订".into()))
        );
        assert_eq!(reason(MatterTransition::Resume, Some("  ")), Ok(None));
        assert_eq!(edit(MatterState::Draft, false, false), Ok(Edit::InPlace));
        assert_eq!(
            edit(MatterState::Published, true, true),
            Ok(Edit::NewVersion)
        );
        assert!(edit(MatterState::Submitted, false, true).is_err());
        assert!(edit(MatterState::Abolished, true, true).is_err());
    }
}
