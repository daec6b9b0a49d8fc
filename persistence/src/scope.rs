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

/// The organisation paths inside the scope as a range `[from, to)` of `text_pattern_ops`
/// (byte) order: `None` for everything. A path ends with `/`, and the paths that start with
/// it are those from it up to the same text ending with `0` (the next byte). Unlike a LIKE
/// pattern, the range reaches the index in a statement prepared once with parameters.
/// `Nothing` gives an empty range.
pub fn path_range(scope: &Scope) -> Option<(String, String)> {
    match scope {
        Scope::All => None,
        Scope::Subtree(p) => {
            let from = p.as_str().to_owned();
            let to = match from.strip_suffix('/') {
                Some(stem) => format!("{stem}0"),
                // Not a stored path's form: nothing is inside it.
                None => from.clone(),
            };
            Some((from, to))
        }
        Scope::Nothing => Some((String::new(), String::new())),
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

    #[test]
    fn ranges_hold_exactly_the_subtree() {
        assert_eq!(path_range(&Scope::All), None);
        let (from, to) = path_range(&Scope::Nothing).unwrap_or_default();
        assert!(from >= to, "an empty range");
        let root = OrgPath::root(OrganizationId::new());
        let child = root.child(OrganizationId::new());
        let (from, to) = path_range(&Scope::Subtree(root.clone())).unwrap_or_default();
        let inside = |p: &str| p >= from.as_str() && p < to.as_str();
        assert!(inside(root.as_str()) && inside(child.as_str()));
        let sibling = OrgPath::root(OrganizationId::new());
        assert!(!inside(sibling.as_str()));
        // A path sharing the subtree's text without its final `/` is outside.
        let longer = format!("{}x/", root.as_str().trim_end_matches('/'));
        assert!(!inside(&longer));
    }
}
