//! Who acts, and what they may see: the [`Actor`] of a request and its [`Scope`].
//!
//! Built once from the access token at the HTTP edge and passed down to the use cases and
//! the repositories; nothing below the edge sees a raw token or a bare path.

use crate::codes::Code;
use uuid::Uuid;

use crate::account::{ActorKind, Role};
use crate::ids::{OrganizationId, UserId};
use crate::org::OrgPath;
use crate::validation::RuleViolation;

/// The organisations a caller may see: every one, one subtree, or none (applicants and
/// staff without an organisation see only what is theirs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Subtree(OrgPath),
    Nothing,
}

impl Scope {
    /// Whether an object of the organisation at `path` is inside.
    pub fn contains(&self, path: &OrgPath) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree(root) => root.contains(path),
            Scope::Nothing => false,
        }
    }

    /// The subtree a caller asked for (`?org=…&include_sub=true`), kept inside this scope:
    /// the requested subtree when it is visible, `None` when it is not (the caller answers
    /// as for an organisation that does not exist). Without a request, the scope itself.
    /// This is the one place a requested subtree meets the caller's; it never widens.
    pub fn narrow(&self, requested: Option<&OrgPath>) -> Option<Scope> {
        match requested {
            None => Some(self.clone()),
            Some(p) if self.contains(p) => Some(Scope::Subtree(p.clone())),
            Some(_) => None,
        }
    }

    /// The path the subtree filter starts from: `None` for everything.
    pub fn root(&self) -> Option<&OrgPath> {
        match self {
            Scope::Subtree(p) => Some(p),
            Scope::All | Scope::Nothing => None,
        }
    }
}

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account or machine client; `None` for the system and the anonymous public.
    pub id: Option<Uuid>,
    pub kind: ActorKind,
    pub role: Role,
    pub org: Option<OrganizationId>,
    pub org_path: Option<OrgPath>,
}

impl Actor {
    /// The background jobs and the command line.
    pub fn system() -> Self {
        Self {
            id: None,
            kind: ActorKind::System,
            role: Role::SysAdmin,
            org: None,
            org_path: None,
        }
    }

    /// Someone not signed in.
    pub fn anonymous() -> Self {
        Self {
            id: None,
            kind: ActorKind::Anonymous,
            role: Role::Applicant,
            org: None,
            org_path: None,
        }
    }

    /// The account, when the actor is a person signed in.
    pub fn user(&self) -> Option<UserId> {
        match self.kind {
            ActorKind::User => self.id.map(UserId),
            _ => None,
        }
    }

    pub fn is_applicant(&self) -> bool {
        self.role == Role::Applicant
    }

    /// What the actor may see.
    pub fn scope(&self) -> Scope {
        match (self.kind, self.role, &self.org_path) {
            (ActorKind::System, _, _) | (_, Role::SysAdmin, _) => Scope::All,
            (ActorKind::Anonymous, _, _) | (_, Role::Applicant, _) | (_, _, None) => Scope::Nothing,
            (_, _, Some(p)) => Scope::Subtree(p.clone()),
        }
    }

    pub fn sees(&self, path: &OrgPath) -> bool {
        self.scope().contains(path)
    }

    /// Whether the actor has one of the roles.
    pub fn has_role(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// `auth.forbidden` unless the actor has one of the roles.
    pub fn require(&self, roles: &[Role]) -> Result<(), Forbidden> {
        if self.has_role(roles) {
            Ok(())
        } else {
            Err(Forbidden::roles(roles))
        }
    }
}

/// A refusal for the caller's role or relation to the object (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden(pub RuleViolation);

impl Forbidden {
    pub fn roles(roles: &[Role]) -> Self {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Self(RuleViolation::new(
            Code::AuthForbidden,
            format!("this needs one of the roles: {}", names.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, path: &OrgPath) -> Actor {
        Actor {
            id: Some(Uuid::now_v7()),
            kind: ActorKind::User,
            role,
            org: path.ids().last().copied(),
            org_path: Some(path.clone()),
        }
    }

    #[test]
    fn scopes_follow_role_and_organisation() {
        let city = OrgPath::root(OrganizationId::new());
        let county = city.child(OrganizationId::new());
        let other = OrgPath::root(OrganizationId::new());

        assert_eq!(Actor::system().scope(), Scope::All);
        assert_eq!(Actor::anonymous().scope(), Scope::Nothing);
        let clerk = staff(Role::Clerk, &city);
        assert_eq!(clerk.scope(), Scope::Subtree(city.clone()));
        assert!(clerk.sees(&county));
        assert!(!clerk.sees(&other));
        assert_eq!(staff(Role::Applicant, &city).scope(), Scope::Nothing);
        assert_eq!(staff(Role::SysAdmin, &city).scope(), Scope::All);
        assert!(clerk.require(&[Role::Reviewer]).is_err());
        assert!(clerk.require(&[Role::Clerk]).is_ok());
    }

    #[test]
    fn a_requested_subtree_never_widens_the_scope() {
        let city = OrgPath::root(OrganizationId::new());
        let county = city.child(OrganizationId::new());
        let county_scope = Scope::Subtree(county.clone());
        assert_eq!(county_scope.narrow(None), Some(county_scope.clone()));
        assert_eq!(county_scope.narrow(Some(&city)), None);
        assert_eq!(
            Scope::Subtree(city.clone()).narrow(Some(&county)),
            Some(Scope::Subtree(county.clone()))
        );
        assert_eq!(Scope::All.narrow(Some(&county)), Some(county_scope));
        assert_eq!(Scope::Nothing.narrow(Some(&county)), None);
    }
}
