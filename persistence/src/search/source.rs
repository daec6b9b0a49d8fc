//! What the search engine reads from the database: the feed of changed documents and the
//! documents themselves.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use zhengwu_domain::matters::ON_GUIDE;

use crate::db::{Conn, DbError};
use crate::outbox::seal_rows;
use crate::schema::{disclosure_versions, knowledge_entries, organizations};

/// Serialises the sealers of `search_changes` (across replicas) until their transaction ends.
const SEAL_LOCK: i64 = 0x7a68_656e_6777_7507;

/// Where the feed stands: the largest position given, and whether committed or running
/// transactions have written changes still without one.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Head {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub position: Option<i64>,
    #[diesel(sql_type = Bool)]
    pub unsealed: bool,
}

pub async fn head(conn: &mut Conn) -> Result<Head, DbError> {
    let rows: Vec<Head> = crate::sql::prepared(
        "SELECT (SELECT max(position) FROM search_changes) AS position, \
                EXISTS (SELECT 1 FROM search_changes WHERE position IS NULL) AS unsealed",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().unwrap_or(Head {
        position: None,
        unsealed: false,
    }))
}

/// Gives the committed changes without a position theirs.
pub async fn seal(conn: &mut Conn) -> Result<usize, DbError> {
    seal_rows(conn, "search_changes", SEAL_LOCK).await
}

/// A changed document.
#[derive(Debug, Clone, QueryableByName)]
pub struct Change {
    #[diesel(sql_type = BigInt)]
    pub position: i64,
    #[diesel(sql_type = Text)]
    pub doc_kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub doc_id: Uuid,
}

/// The sealed changes after `after`, in position order.
pub async fn changes(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Change>, DbError> {
    Ok(crate::sql::prepared(
        "SELECT position, doc_kind, doc_id FROM search_changes \
         WHERE position > $1 ORDER BY position LIMIT $2",
    )
    .bind::<BigInt, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Identity {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The database's identity, recorded in an index built from it.
pub async fn identity(conn: &mut Conn) -> Result<Uuid, DbError> {
    let rows: Vec<Identity> = crate::sql::prepared("SELECT id FROM search_identity")
        .load(conn)
        .await?;
    rows.into_iter()
        .next()
        .map(|r| r.id)
        .ok_or_else(|| DbError::Other("search_identity has no row".into()))
}

/// The current version of a published disclosure item, as the engine indexes it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_versions)]
pub struct ItemDoc {
    pub item_id: Uuid,
    pub organization_id: Uuid,
    pub org_path: String,
    pub category_id: Uuid,
    pub index_number: String,
    pub title: String,
    pub summary: String,
    pub content: String,
    pub doc_number: Option<String>,
    pub year: i32,
    pub attribute: String,
    pub validity: String,
    pub published_at: DateTime<Utc>,
}

/// The current versions of these items (an item without one has none).
pub async fn items(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<ItemDoc>, DbError> {
    Ok(disclosure_versions::table
        .filter(disclosure_versions::is_current.eq(true))
        .filter(disclosure_versions::item_id.eq_any(ids))
        .select(ItemDoc::as_select())
        .load(conn)
        .await?)
}

/// A page of every current version, in item order after `after`.
pub async fn all_items(
    conn: &mut Conn,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ItemDoc>, DbError> {
    let mut q = disclosure_versions::table
        .filter(disclosure_versions::is_current.eq(true))
        .select(ItemDoc::as_select())
        .order(disclosure_versions::item_id)
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(disclosure_versions::item_id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// A knowledge-base entry, as the engine indexes it (every state: staff search drafts too).
#[derive(Debug, Clone, Queryable)]
pub struct EntryDoc {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub org_path: String,
    pub question: String,
    pub answer: String,
    pub state: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! entry_docs {
    () => {
        knowledge_entries::table
            .inner_join(organizations::table)
            .select((
                knowledge_entries::id,
                knowledge_entries::organization_id,
                organizations::path,
                knowledge_entries::question,
                knowledge_entries::answer,
                knowledge_entries::state,
                knowledge_entries::valid_from,
                knowledge_entries::valid_to,
                knowledge_entries::updated_at,
            ))
    };
}

/// These entries (one deleted is left out).
pub async fn entries(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<EntryDoc>, DbError> {
    Ok(entry_docs!()
        .filter(knowledge_entries::id.eq_any(ids))
        .load(conn)
        .await?)
}

/// A page of every entry, in id order after `after`.
pub async fn all_entries(
    conn: &mut Conn,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<EntryDoc>, DbError> {
    let mut q = entry_docs!()
        .order(knowledge_entries::id)
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(knowledge_entries::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// A service matter as the public finds it: the published version of a matter published or
/// suspended, unless classified.
#[derive(Debug, Clone, QueryableByName)]
pub struct MatterDoc {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Text)]
    pub org_path: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub conditions: String,
    /// The legal basis and the materials' names.
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub implementation_code: String,
    #[diesel(sql_type = Text)]
    pub matter_type: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    pub service_objects: Vec<String>,
    #[diesel(sql_type = Text)]
    pub online_depth: String,
    #[diesel(sql_type = Bool)]
    pub entered_hall: bool,
    #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
    pub window_ids: Vec<Uuid>,
}

/// The statement of the matters the public finds (`ON_GUIDE` states, not classified).
fn matter_docs() -> String {
    let on_guide: Vec<String> = ON_GUIDE
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "SELECT m.id, m.organization_id, o.path AS org_path, v.name, v.conditions, \
                v.legal_basis || ' ' || coalesce((SELECT string_agg(x->>'name', ' ') \
                                                   FROM jsonb_array_elements(v.materials) x), '') \
                    AS body, \
                m.implementation_code, v.matter_type, v.service_objects, v.online_depth, \
                v.entered_hall, v.window_ids \
         FROM service_matters m \
         JOIN service_matter_versions v ON v.matter_id = m.id AND v.number = m.published_version \
         JOIN organizations o ON o.id = m.organization_id \
         WHERE m.state IN ({}) AND NOT v.classified",
        on_guide.join(", ")
    )
}

/// These matters, those the public finds.
pub async fn matters(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<MatterDoc>, DbError> {
    Ok(
        crate::sql::prepared(format!("{} AND m.id = ANY($1)", matter_docs()))
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
            .load(conn)
            .await?,
    )
}

/// A page of the matters the public finds, in id order after `after`.
pub async fn all_matters(
    conn: &mut Conn,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<MatterDoc>, DbError> {
    Ok(crate::sql::prepared(format!(
        "{} AND ($1::uuid IS NULL OR m.id > $1) ORDER BY m.id LIMIT $2",
        matter_docs()
    ))
    .bind::<Nullable<SqlUuid>, _>(after)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}
