//! The one place a [`Scope`] becomes a filter: repositories take a `&Scope`, never a path
//! string, and build their subtree condition here.

pub use zhengwu_domain::access::Scope;

use crate::orgs::{IdsWithin, escape_like, ids_within};

/// The LIKE pattern of the organisation paths inside the scope: `None` for everything.
/// `Nothing` gives the empty pattern, which no stored path (never empty) matches.
pub fn path_pattern(scope: &Scope) -> Option<String> {
    match scope {
        Scope::All => None,
        Scope::Subtree(p) => Some(format!("{}%", escape_like(p.as_str()))),
        Scope::Nothing => Some(String::new()),
    }
}

/// The ids of the organisations inside the scope, as a subselect for
/// `organization_id = ANY(…)`: `None` for everything.
pub fn org_ids(scope: &Scope) -> Option<IdsWithin> {
    match scope {
        Scope::All => None,
        Scope::Subtree(p) => Some(ids_within(p.as_str())),
        // No organisation's path is empty.
        Scope::Nothing => Some(ids_within("\u{1}")),
    }
}

#[cfg(test)]
mod tests {
    use zhengwu_domain::ids::OrganizationId;
    use zhengwu_domain::org::OrgPath;

    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(path_pattern(&Scope::All), None);
        assert_eq!(path_pattern(&Scope::Nothing).as_deref(), Some(""));
        let p = OrgPath::root(OrganizationId::new());
        assert_eq!(
            path_pattern(&Scope::Subtree(p.clone())),
            Some(format!("{}%", p.as_str()))
        );
    }
}
