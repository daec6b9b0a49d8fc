//! Cases (办件): application, intake, processing, decision, delivery, the trail and the
//! public progress lookup.

mod create;
mod events;
mod read;
mod secret;
mod transition;
mod view;

pub use create::{Applied, create};
pub use read::{Listing, PublicView, TimelineView, get, list, lookup, timeline};
pub use secret::{new_password, password_hash, password_matches};
pub use transition::{
    accept, assign, charge, decide, deliver, extend, notify_missing, refuse, resubmit, resume,
    step, suspend,
};
pub use view::{CaseView, ClockView};

use zhengwu_domain::ids::CaseId;
use zhengwu_persistence::cases::{self as repo, Case};
use zhengwu_persistence::{Conn, DbError, orgs};

use super::{Actor, AppResult};
use crate::error::ApiError;

/// The case, if the actor may see it: its applicant, or staff in scope (404 otherwise).
pub async fn visible_case(
    shared: &Conn,
    actor: &Actor,
    id: CaseId,
    for_update: bool,
) -> AppResult<(Case, orgs::Organization)> {
    // The case (locked first when asked) and where it lies, in one round trip: the second
    // statement runs once the first has its lock.
    let case = async {
        if for_update {
            repo::get_case_for_update(shared, id).await
        } else {
            repo::get_case(shared, id).await
        }
    };
    let (c, (org, hall)) =
        match futures_util::future::try_join(case, orgs::of_case(shared, id.0)).await {
            Ok(found) => found,
            Err(DbError::NotFound) => return Err(ApiError::not_found("case")),
            Err(e) => return Err(e.into()),
        };
    let own = actor.user().is_some_and(|u| c.applicant_id == Some(u.0));
    // Staff in scope of the organisation, or of the hall whose window took the case in
    // (一窗受理: the hall's windows take in the departments' matters).
    let staff = actor.role.is_staff()
        && (actor.sees(&org.path) || hall.as_ref().is_some_and(|h| actor.sees(h)));
    if !own && !staff {
        return Err(ApiError::not_found("case"));
    }
    Ok((c, org))
}

/// The number prefix of cases and disclosure applications received by `org` (the
/// six-digit division code of the nearest organisation up the tree that has one) and the
/// organisation whose daily serial the number takes: the holder of that code, so that every
/// organisation sharing a prefix shares one serial and numbers never repeat (the root when
/// no organisation in the chain has a code).
pub async fn number_prefix(
    conn: &mut Conn,
    org: &orgs::Organization,
) -> AppResult<(String, uuid::Uuid)> {
    let ids: Vec<uuid::Uuid> = org.path.ids().into_iter().map(|i| i.0).collect();
    let mut chain = orgs::get_many(conn, &ids).await?;
    chain.sort_by_key(|o| std::cmp::Reverse(o.path.as_str().len()));
    let coded = chain.iter().find_map(|o| {
        o.division_code
            .as_ref()
            .map(|d| (d.chars().take(6).collect(), o.id))
    });
    Ok(coded.unwrap_or_else(|| {
        let root = chain.last().map_or(org.id, |o| o.id);
        ("000000".to_owned(), root)
    }))
}

/// 403 unless the actor's role may take `action` on a case at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: zhengwu_domain::services::CaseAction) -> AppResult<()> {
    crate::app::may(&zhengwu_domain::cases::CASE_FLOW, actor, action)
}
