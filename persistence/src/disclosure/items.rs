//! Items (working copies), their listing and the index-number counters.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, ItemKind, ItemState, NonDisclosureGround, Validity,
};
use zhengwu_domain::ids::DisclosureItemId;

use crate::db::{Conn, DbError};
use crate::schema::{disclosure_index_counters, disclosure_items};
use crate::scope::{self, Scope};
use crate::search;
use crate::{parse_col, parse_opt_col};

use super::parse_list;

// ---------------------------------------------------------------- items

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_items)]
struct ItemRow {
    id: Uuid,
    organization_id: Uuid,
    issuing_organization_id: Uuid,
    category_id: Uuid,
    kind: String,
    interprets_id: Option<Uuid>,
    title: String,
    summary: String,
    content: String,
    content_format: String,
    doc_number: Option<String>,
    subject_terms: Vec<String>,
    formed_on: NaiveDate,
    attribute: String,
    non_disclosure_ground: Option<String>,
    channels: Vec<String>,
    validity: String,
    cadence: String,
    state: String,
    index_number: Option<String>,
    publish_due: NaiveDate,
    published_version: Option<i32>,
    first_published_at: Option<DateTime<Utc>>,
    rejection_reason: Option<String>,
    withdraw_reason: Option<String>,
    author_id: Uuid,
    reviewer_id: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The editable content of an item (its working copy).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFields {
    pub issuing_organization_id: Uuid,
    pub category_id: Uuid,
    pub kind: ItemKind,
    pub interprets_id: Option<Uuid>,
    pub title: String,
    pub summary: String,
    pub content: String,
    pub content_format: ContentFormat,
    pub doc_number: Option<String>,
    pub subject_terms: Vec<String>,
    pub formed_on: NaiveDate,
    pub attribute: Attribute,
    pub non_disclosure_ground: Option<NonDisclosureGround>,
    pub channels: Vec<Channel>,
    pub validity: Validity,
    pub cadence: Cadence,
}

/// An item: its working copy and workflow state.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub fields: ItemFields,
    pub state: ItemState,
    pub index_number: Option<String>,
    pub publish_due: NaiveDate,
    pub published_version: Option<i32>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub author_id: Uuid,
    pub reviewer_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<ItemRow> for Item {
    type Error = DbError;
    fn try_from(r: ItemRow) -> Result<Self, DbError> {
        Ok(Item {
            id: r.id,
            organization_id: r.organization_id,
            fields: item_fields!(r),
            state: parse_col(&r.state, ItemState::parse)?,
            index_number: r.index_number,
            publish_due: r.publish_due,
            published_version: r.published_version,
            first_published_at: r.first_published_at,
            rejection_reason: r.rejection_reason,
            withdraw_reason: r.withdraw_reason,
            author_id: r.author_id,
            reviewer_id: r.reviewer_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The row whose search index is set.
pub(super) enum Indexed {
    Item(Uuid),
    Version(Uuid, i32),
}

/// Sets the search index of a row from its title, summary and content (weights A, B, C).
pub(super) async fn index_text(
    conn: &mut Conn,
    target: Indexed,
    f: &ItemFields,
) -> Result<(), DbError> {
    let (table, filter, id) = match target {
        Indexed::Item(id) => ("disclosure_items", "id = $4".to_owned(), id),
        Indexed::Version(id, n) => (
            "disclosure_versions",
            format!("item_id = $4 AND number = {n}"),
            id,
        ),
    };
    crate::sql::prepared(format!(
        "UPDATE {table} SET search_vector = \
         setweight(to_tsvector('simple', $1), 'A') || \
         setweight(to_tsvector('simple', $2), 'B') || \
         setweight(to_tsvector('simple', $3), 'C') WHERE {filter}"
    ))
    .bind::<Text, _>(search::segment_document(&f.title))
    .bind::<Text, _>(search::segment_document(&f.summary))
    .bind::<Text, _>(search::segment_document(&f.content))
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) fn strs<T: Copy>(list: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    list.iter().map(|v| as_str(*v)).collect()
}

pub struct NewItem {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub fields: ItemFields,
    pub publish_due: NaiveDate,
    pub author_id: Uuid,
}

pub async fn insert_item(conn: &mut Conn, n: &NewItem) -> Result<Item, DbError> {
    let f = &n.fields;
    let row: ItemRow = diesel::insert_into(disclosure_items::table)
        .values((
            disclosure_items::id.eq(n.id),
            disclosure_items::organization_id.eq(n.organization_id),
            disclosure_items::issuing_organization_id.eq(f.issuing_organization_id),
            disclosure_items::category_id.eq(f.category_id),
            disclosure_items::kind.eq(f.kind.as_str()),
            disclosure_items::interprets_id.eq(f.interprets_id),
            disclosure_items::title.eq(&f.title),
            disclosure_items::summary.eq(&f.summary),
            disclosure_items::content.eq(&f.content),
            disclosure_items::content_format.eq(f.content_format.as_str()),
            disclosure_items::doc_number.eq(&f.doc_number),
            disclosure_items::subject_terms.eq(&f.subject_terms),
            disclosure_items::formed_on.eq(f.formed_on),
            disclosure_items::attribute.eq(f.attribute.as_str()),
            disclosure_items::non_disclosure_ground.eq(f.non_disclosure_ground.map(|g| g.as_str())),
            disclosure_items::channels.eq(strs(&f.channels, Channel::as_str)),
            disclosure_items::validity.eq(f.validity.as_str()),
            disclosure_items::cadence.eq(f.cadence.as_str()),
            disclosure_items::state.eq(ItemState::Draft.as_str()),
            disclosure_items::publish_due.eq(n.publish_due),
            disclosure_items::author_id.eq(n.author_id),
        ))
        .returning(ItemRow::as_returning())
        .get_result(conn)
        .await?;
    index_text(conn, Indexed::Item(n.id), f).await?;
    row.try_into()
}

/// Saves the working copy and bumps the version.
pub async fn update_item(
    conn: &mut Conn,
    id: DisclosureItemId,
    f: &ItemFields,
    publish_due: NaiveDate,
) -> Result<Item, DbError> {
    let row: ItemRow = diesel::update(disclosure_items::table.find(id.0))
        .set((
            disclosure_items::issuing_organization_id.eq(f.issuing_organization_id),
            disclosure_items::category_id.eq(f.category_id),
            disclosure_items::kind.eq(f.kind.as_str()),
            disclosure_items::interprets_id.eq(f.interprets_id),
            disclosure_items::title.eq(&f.title),
            disclosure_items::summary.eq(&f.summary),
            disclosure_items::content.eq(&f.content),
            disclosure_items::content_format.eq(f.content_format.as_str()),
            disclosure_items::doc_number.eq(&f.doc_number),
            disclosure_items::subject_terms.eq(&f.subject_terms),
            disclosure_items::formed_on.eq(f.formed_on),
            disclosure_items::attribute.eq(f.attribute.as_str()),
            disclosure_items::non_disclosure_ground.eq(f.non_disclosure_ground.map(|g| g.as_str())),
            disclosure_items::channels.eq(strs(&f.channels, Channel::as_str)),
            disclosure_items::validity.eq(f.validity.as_str()),
            disclosure_items::cadence.eq(f.cadence.as_str()),
            disclosure_items::publish_due.eq(publish_due),
            disclosure_items::version.eq(disclosure_items::version + 1),
            disclosure_items::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ItemRow::as_returning())
        .get_result(conn)
        .await?;
    index_text(conn, Indexed::Item(id.0), f).await?;
    row.try_into()
}

/// The workflow columns an item transition changes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = disclosure_items, treat_none_as_null = true)]
pub struct Workflow {
    pub state: String,
    pub index_number: Option<String>,
    pub published_version: Option<i32>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub withdraw_reason: Option<String>,
    pub reviewer_id: Option<Uuid>,
}

impl Workflow {
    pub fn of(item: &Item) -> Self {
        Workflow {
            state: item.state.as_str().to_owned(),
            index_number: item.index_number.clone(),
            published_version: item.published_version,
            first_published_at: item.first_published_at,
            rejection_reason: item.rejection_reason.clone(),
            withdraw_reason: item.withdraw_reason.clone(),
            reviewer_id: item.reviewer_id,
        }
    }
}

pub async fn save_workflow(
    conn: &mut Conn,
    id: DisclosureItemId,
    w: &Workflow,
) -> Result<Item, DbError> {
    let row: ItemRow = diesel::update(disclosure_items::table.find(id.0))
        .set((
            w,
            disclosure_items::version.eq(disclosure_items::version + 1),
            disclosure_items::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ItemRow::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn get_item(conn: &mut Conn, id: DisclosureItemId) -> Result<Item, DbError> {
    let row: ItemRow = disclosure_items::table
        .find(id.0)
        .select(ItemRow::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn get_item_for_update(conn: &mut Conn, id: DisclosureItemId) -> Result<Item, DbError> {
    let row: ItemRow = disclosure_items::table
        .find(id.0)
        .select(ItemRow::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

/// Items interpreting `policy`.
pub async fn interpretations_of(
    conn: &mut Conn,
    policy: DisclosureItemId,
) -> Result<Vec<Item>, DbError> {
    let rows: Vec<ItemRow> = disclosure_items::table
        .filter(disclosure_items::interprets_id.eq(policy.0))
        .select(ItemRow::as_select())
        .order(disclosure_items::id)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Filters of the staff listing (working copies).
#[derive(Debug, Clone)]
pub struct ItemFilter {
    /// Items of organisations inside this scope (the caller's, or a subtree of it).
    pub scope: Scope,
    pub organization_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub state: Option<ItemState>,
    pub attribute: Option<Attribute>,
    pub validity: Option<Validity>,
    pub doc_number: Option<String>,
    pub year: Option<i32>,
    /// Proactive items never published whose due date is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub q: Option<String>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list_items(conn: &mut Conn, f: &ItemFilter) -> Result<Vec<Item>, DbError> {
    let mut q = disclosure_items::table
        .select(ItemRow::as_select())
        .order(disclosure_items::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = scope::org_ids(&f.scope) {
        q = q.filter(disclosure_items::organization_id.eq_any(inside));
    }
    if let Some(o) = f.organization_id {
        q = q.filter(disclosure_items::organization_id.eq(o));
    }
    if let Some(c) = f.category_id {
        q = q.filter(disclosure_items::category_id.eq(c));
    }
    if let Some(s) = f.state {
        q = q.filter(disclosure_items::state.eq(s.as_str()));
    }
    if let Some(a) = f.attribute {
        q = q.filter(disclosure_items::attribute.eq(a.as_str()));
    }
    if let Some(v) = f.validity {
        q = q.filter(disclosure_items::validity.eq(v.as_str()));
    }
    if let Some(d) = &f.doc_number {
        q = q.filter(disclosure_items::doc_number.eq(d));
    }
    if let Some(y) = f.year
        && let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y + 1, 1, 1),
        )
    {
        q = q.filter(
            disclosure_items::formed_on
                .ge(from)
                .and(disclosure_items::formed_on.lt(to)),
        );
    }
    if let Some(day) = f.overdue_on {
        q = q
            .filter(disclosure_items::first_published_at.is_null())
            .filter(disclosure_items::attribute.eq(Attribute::Proactive.as_str()))
            .filter(disclosure_items::publish_due.lt(day));
    }
    if let Some(text) = &f.q {
        match search::tsquery(text) {
            Some(tsq) => {
                q = q.filter(
                    sql::<Bool>("disclosure_items.search_vector @@ ")
                        .bind::<Text, _>(tsq)
                        .sql("::tsquery"),
                )
            }
            None => return Ok(vec![]),
        }
    }
    if let Some(a) = f.after_id {
        q = q.filter(disclosure_items::id.gt(a));
    }
    let rows: Vec<ItemRow> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

// ---------------------------------------------------------------- index numbers

/// The next serial of an organisation's index numbers in a year. The counter row stays
/// locked until the transaction ends, so concurrent publications get consecutive serials
/// and a rolled-back publication gives its serial back.
pub async fn next_serial(
    conn: &mut Conn,
    organization_id: Uuid,
    year: i32,
) -> Result<i32, DbError> {
    Ok(diesel::insert_into(disclosure_index_counters::table)
        .values((
            disclosure_index_counters::organization_id.eq(organization_id),
            disclosure_index_counters::year.eq(year),
            disclosure_index_counters::last_serial.eq(1),
        ))
        .on_conflict((
            disclosure_index_counters::organization_id,
            disclosure_index_counters::year,
        ))
        .do_update()
        .set(disclosure_index_counters::last_serial.eq(disclosure_index_counters::last_serial + 1))
        .returning(disclosure_index_counters::last_serial)
        .get_result(conn)
        .await?)
}
