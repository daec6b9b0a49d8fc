//! The files attached to items.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::ids::{AttachmentId, DisclosureItemId};

use crate::db::{Conn, DbError};
use crate::schema::disclosure_attachments;

// ---------------------------------------------------------------- attachments

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disclosure_attachments)]
pub struct Attachment {
    pub id: Uuid,
    pub item_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_attachment(conn: &mut Conn, a: &Attachment) -> Result<(), DbError> {
    diesel::insert_into(disclosure_attachments::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn attachments_of(
    conn: &mut Conn,
    item_id: DisclosureItemId,
) -> Result<Vec<Attachment>, DbError> {
    Ok(disclosure_attachments::table
        .filter(disclosure_attachments::item_id.eq(item_id.0))
        .select(Attachment::as_select())
        .order(disclosure_attachments::created_at)
        .load(conn)
        .await?)
}

pub async fn get_attachment(conn: &mut Conn, id: AttachmentId) -> Result<Attachment, DbError> {
    Ok(disclosure_attachments::table
        .find(id.0)
        .select(Attachment::as_select())
        .first(conn)
        .await?)
}
