//! Use cases of proactive disclosure (主动公开): drafting and editing items, their review
//! and publication workflow, filed versions, attachments, search and the public feed.

use zhengwu_domain::codes::Code;
pub mod attachments;
pub mod fields;
pub mod items;
pub mod publish;
pub mod search;
pub mod versions;
pub mod view;
pub mod workflow;

use chrono::NaiveDate;
use serde::Serialize;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::disclosure::{ItemState, PUBLICATION_DUTY_WORKING_DAYS};
use zhengwu_domain::ids::DisclosureItemId;
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::disclosure::{self as repo, Item};
use zhengwu_persistence::{Conn, Found, orgs};

use crate::app::{Actor, AppResult};
use crate::error::ApiError;
use crate::routes::disclosures::dto::View;

/// The publication duty of an item formed on `formed_on` (OGI Art.26), as a stored deadline.
async fn publish_due(
    conn: &mut Conn,
    item: DisclosureItemId,
    formed_on: NaiveDate,
) -> AppResult<NaiveDate> {
    let target = Target::of(StoredDeadline::Publication, item.0);
    let basis = DeadlineBasis::after(formed_on, PUBLICATION_DUTY_WORKING_DAYS);
    Ok(crate::deadlines::count(conn, target, basis).await?.due_date)
}

/// The item and its organisation, if the actor is staff who may see it (404 otherwise).
async fn staff_item(
    conn: &mut Conn,
    actor: &Actor,
    id: DisclosureItemId,
    for_update: bool,
) -> AppResult<(Item, orgs::Organization)> {
    visible_item(conn, actor, id, for_update)
        .await?
        .ok_or_else(|| ApiError::not_found("disclosure item"))
}

/// The item and its organisation when the actor is staff who may see it; `None` when it
/// does not exist or is out of the actor's sight. A failure to read it is an error.
async fn visible_item(
    conn: &mut Conn,
    actor: &Actor,
    id: DisclosureItemId,
    for_update: bool,
) -> AppResult<Option<(Item, orgs::Organization)>> {
    let found = if for_update {
        repo::get_item_for_update(conn, id).await
    } else {
        repo::get_item(conn, id).await
    };
    let Some(item) = found.found()? else {
        return Ok(None);
    };
    let org = orgs::get(conn, item.organization_id).await?;
    Ok((actor.role.is_staff() && actor.sees(&org.path)).then_some((item, org)))
}

/// The context of a refusal for the item's state.
#[derive(Serialize)]
struct StateContext {
    state: ItemState,
}

/// 409 unless the working copy may be edited (a draft).
fn ensure_editable(item: &Item, detail: String) -> AppResult<()> {
    if item.state.editable() {
        return Ok(());
    }
    Err(ApiError::conflict(Code::DisclosureNotEditable, detail)
        .context(to_value(&StateContext { state: item.state })))
}

/// A typed payload as the JSON an error context or a stored snapshot holds.
fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Whether the actor is staff (the working view is theirs by default).
pub fn is_staff(actor: &Actor) -> bool {
    actor.role.is_staff()
}

/// The account or client acting (every actor who may change an item has one).
fn actor_id(actor: &Actor) -> AppResult<uuid::Uuid> {
    actor
        .id
        .ok_or_else(|| ApiError::unauthorized("send an access token: Authorization: Bearer …"))
}

/// Whether the actor reads the working copy: as asked, or by default when staff.
pub fn wants_working(actor: &Actor, asked: Option<View>) -> bool {
    match asked {
        Some(View::Public) => false,
        Some(View::Working) => true,
        None => is_staff(actor),
    }
}
