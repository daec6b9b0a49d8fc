//! The filed versions of an item (公开内容备案).

use zhengwu_domain::ids::DisclosureItemId;
use zhengwu_persistence::disclosure as repo;
use zhengwu_persistence::{Conn, DbError};

use super::{view, visible_item};
use crate::app::{Actor, AppResult};
use crate::error::ApiError;
use crate::routes::disclosures::views::{PublishedDisclosure, VersionList, VersionSummary};
use crate::state::AppState;

/// Whether the actor may read the filed versions: staff who may see the item, or anyone
/// while the item is published.
async fn may_read_versions(conn: &mut Conn, actor: &Actor, id: DisclosureItemId) -> AppResult<()> {
    if super::is_staff(actor) && visible_item(conn, actor, id, false).await?.is_some() {
        return Ok(());
    }
    match repo::current_version(conn, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found("disclosure item")),
    }
}

/// The filed versions of an item.
pub async fn list(app: &AppState, actor: &Actor, id: DisclosureItemId) -> AppResult<VersionList> {
    let mut conn = app.conn().await?;
    may_read_versions(&mut conn, actor, id).await?;
    let items = repo::versions_of(&mut conn, id)
        .await?
        .into_iter()
        .map(|v| VersionSummary {
            number: v.number,
            index_number: v.index_number,
            title: v.fields.title,
            published_at: v.published_at,
            published_by: v.published_by,
            current: v.is_current,
        })
        .collect();
    Ok(VersionList { items })
}

/// One filed version, exactly as it was published.
pub async fn get(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
    number: i32,
) -> AppResult<PublishedDisclosure> {
    let mut conn = app.conn().await?;
    may_read_versions(&mut conn, actor, id).await?;
    let v = match repo::get_version(&mut conn, id, number).await {
        Ok(v) => v,
        Err(DbError::NotFound) => return Err(ApiError::not_found("version")),
        Err(e) => return Err(e.into()),
    };
    view::published_dto(&mut conn, v).await
}
