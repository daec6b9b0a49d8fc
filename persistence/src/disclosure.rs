//! Disclosure catalogue, guides, items, filed versions, attachments and index counters.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Float4, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, DocumentKind, ItemKind, ItemState,
    NonDisclosureGround, Validity,
};

use crate::db::{Conn, DbError};
use crate::schema::{
    disclosure_attachments, disclosure_categories, disclosure_guides, disclosure_index_counters,
    disclosure_items, disclosure_versions, organizations,
};
use crate::scope::{self, Scope};
use crate::search;
use crate::{parse_col, parse_opt_col};
use zhengwu_domain::ids::{AttachmentId, CategoryId, DisclosureItemId, OrganizationId};

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_categories)]
pub struct Category {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub sort_order: i32,
    pub standard: bool,
    pub retired: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The kind of document the category files (规章, 行政规范性文件), if any.
    pub document_kind: Option<String>,
}

/// Adds standard sub-categories of the kinds of document to the category `parent_code` of an
/// organisation's catalogue: (parent code, code, name, kind), placed right after the parent.
pub async fn insert_document_categories(
    conn: &mut Conn,
    organization_id: Uuid,
    parent_code: &str,
    list: &[(&str, &str, DocumentKind)],
) -> Result<(), DbError> {
    let parent: Category = disclosure_categories::table
        .filter(disclosure_categories::organization_id.eq(organization_id))
        .filter(disclosure_categories::code.eq(parent_code))
        .select(Category::as_select())
        .first(conn)
        .await?;
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, (code, name, kind))| {
            (
                disclosure_categories::id.eq(Uuid::now_v7()),
                disclosure_categories::organization_id.eq(organization_id),
                disclosure_categories::parent_id.eq(Some(parent.id)),
                disclosure_categories::code.eq(*code),
                disclosure_categories::name.eq(*name),
                disclosure_categories::sort_order.eq(parent.sort_order + i as i32 + 1),
                disclosure_categories::standard.eq(true),
                disclosure_categories::document_kind.eq(Some(kind.as_str())),
            )
        })
        .collect();
    diesel::insert_into(disclosure_categories::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// The id of a category of the standard catalogue: derived from its organisation and code
/// (a UUID of version 8 from their SHA-256), so that an organisation's standard catalogue has
/// the same ids wherever it is created, and a category can be named before it is read.
pub fn standard_category_id(organization_id: Uuid, code: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(organization_id.as_bytes())
        .chain_update(code.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Adds categories to an organisation's catalogue in the given order; standard categories
/// get their [`standard_category_id`].
pub async fn insert_categories(
    conn: &mut Conn,
    organization_id: Uuid,
    list: &[(&str, &str)],
    standard: bool,
) -> Result<(), DbError> {
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, (code, name))| {
            (
                disclosure_categories::id.eq(if standard {
                    standard_category_id(organization_id, code)
                } else {
                    Uuid::now_v7()
                }),
                disclosure_categories::organization_id.eq(organization_id),
                disclosure_categories::code.eq(*code),
                disclosure_categories::name.eq(*name),
                disclosure_categories::sort_order.eq((i as i32 + 1) * 10),
                disclosure_categories::standard.eq(standard),
            )
        })
        .collect();
    diesel::insert_into(disclosure_categories::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct NewCategory {
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub sort_order: i32,
}

pub async fn insert_category(conn: &mut Conn, c: &NewCategory) -> Result<Category, DbError> {
    Ok(diesel::insert_into(disclosure_categories::table)
        .values((
            disclosure_categories::id.eq(Uuid::now_v7()),
            disclosure_categories::organization_id.eq(c.organization_id),
            disclosure_categories::parent_id.eq(c.parent_id),
            disclosure_categories::code.eq(&c.code),
            disclosure_categories::name.eq(&c.name),
            disclosure_categories::sort_order.eq(c.sort_order),
        ))
        .returning(Category::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn categories_of(
    conn: &mut Conn,
    organization_id: Uuid,
    include_retired: bool,
) -> Result<Vec<Category>, DbError> {
    let mut q = disclosure_categories::table
        .filter(disclosure_categories::organization_id.eq(organization_id))
        .select(Category::as_select())
        .order((
            disclosure_categories::sort_order,
            disclosure_categories::code,
        ))
        .into_boxed();
    if !include_retired {
        q = q.filter(disclosure_categories::retired.eq(false));
    }
    Ok(q.load(conn).await?)
}

pub async fn get_category(conn: &mut Conn, id: CategoryId) -> Result<Category, DbError> {
    Ok(disclosure_categories::table
        .find(id.0)
        .select(Category::as_select())
        .first(conn)
        .await?)
}

pub async fn get_categories(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Category>, DbError> {
    Ok(disclosure_categories::table
        .filter(disclosure_categories::id.eq_any(ids))
        .select(Category::as_select())
        .load(conn)
        .await?)
}

pub async fn get_category_for_update(conn: &mut Conn, id: CategoryId) -> Result<Category, DbError> {
    Ok(disclosure_categories::table
        .find(id.0)
        .select(Category::as_select())
        .for_update()
        .first(conn)
        .await?)
}

#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = disclosure_categories, treat_none_as_null = true)]
pub struct CategoryChanges {
    pub name: String,
    pub sort_order: i32,
    pub retired: bool,
    pub parent_id: Option<Uuid>,
}

pub async fn update_category(
    conn: &mut Conn,
    id: CategoryId,
    c: &CategoryChanges,
) -> Result<Category, DbError> {
    Ok(diesel::update(disclosure_categories::table.find(id.0))
        .set((
            c,
            disclosure_categories::version.eq(disclosure_categories::version + 1),
            disclosure_categories::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Category::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn items_in_category(conn: &mut Conn, id: CategoryId) -> Result<i64, DbError> {
    Ok(disclosure_items::table
        .filter(disclosure_items::category_id.eq(id.0))
        .count()
        .get_result(conn)
        .await?)
}

// ---------------------------------------------------------------- guides

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_guides)]
pub struct Guide {
    pub organization_id: Uuid,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    pub index_format: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = disclosure_guides, treat_none_as_null = true)]
pub struct GuideFields {
    pub organization_id: Uuid,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    pub index_format: Option<String>,
}

pub async fn get_guide(
    conn: &mut Conn,
    organization_id: OrganizationId,
) -> Result<Option<Guide>, DbError> {
    Ok(disclosure_guides::table
        .find(organization_id.0)
        .select(Guide::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn guide_version_for_update(
    conn: &mut Conn,
    organization_id: OrganizationId,
) -> Result<Option<i32>, DbError> {
    Ok(disclosure_guides::table
        .find(organization_id.0)
        .select(disclosure_guides::version)
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn put_guide(conn: &mut Conn, g: &GuideFields) -> Result<Guide, DbError> {
    Ok(diesel::insert_into(disclosure_guides::table)
        .values(g)
        .on_conflict(disclosure_guides::organization_id)
        .do_update()
        .set((
            g,
            disclosure_guides::version.eq(disclosure_guides::version + 1),
            disclosure_guides::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Guide::as_returning())
        .get_result(conn)
        .await?)
}

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

/// The content columns of an item row or a filed-version row (they share their names).
macro_rules! item_fields {
    ($r:expr) => {
        ItemFields {
            issuing_organization_id: $r.issuing_organization_id,
            category_id: $r.category_id,
            kind: parse_col(&$r.kind, ItemKind::parse)?,
            interprets_id: $r.interprets_id,
            title: $r.title,
            summary: $r.summary,
            content: $r.content,
            content_format: parse_col(&$r.content_format, ContentFormat::parse)?,
            doc_number: $r.doc_number,
            subject_terms: $r.subject_terms,
            formed_on: $r.formed_on,
            attribute: parse_col(&$r.attribute, Attribute::parse)?,
            non_disclosure_ground: parse_opt_col(
                $r.non_disclosure_ground.as_deref(),
                NonDisclosureGround::parse,
            )?,
            channels: parse_list(&$r.channels, Channel::parse)?,
            validity: parse_col(&$r.validity, Validity::parse)?,
            cadence: parse_col(&$r.cadence, Cadence::parse)?,
        }
    };
}

fn parse_list<T>(values: &[String], parse: fn(&str) -> Option<T>) -> Result<Vec<T>, DbError> {
    values.iter().map(|v| parse_col(v, parse)).collect()
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
enum Indexed {
    Item(Uuid),
    Version(Uuid, i32),
}

/// Sets the search index of a row from its title, summary and content (weights A, B, C).
async fn index_text(conn: &mut Conn, target: Indexed, f: &ItemFields) -> Result<(), DbError> {
    let (table, filter, id) = match target {
        Indexed::Item(id) => ("disclosure_items", "id = $4".to_owned(), id),
        Indexed::Version(id, n) => (
            "disclosure_versions",
            format!("item_id = $4 AND number = {n}"),
            id,
        ),
    };
    diesel::sql_query(format!(
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

fn strs<T: Copy>(list: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
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

// ---------------------------------------------------------------- filed versions

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_versions)]
struct VersionRow {
    item_id: Uuid,
    number: i32,
    organization_id: Uuid,
    org_path: String,
    issuing_organization_id: Uuid,
    category_id: Uuid,
    kind: String,
    interprets_id: Option<Uuid>,
    index_number: String,
    title: String,
    summary: String,
    content: String,
    content_format: String,
    doc_number: Option<String>,
    subject_terms: Vec<String>,
    formed_on: NaiveDate,
    year: i32,
    attribute: String,
    non_disclosure_ground: Option<String>,
    channels: Vec<String>,
    validity: String,
    cadence: String,
    attachments: Value,
    pii_exception: Option<Value>,
    published_at: DateTime<Utc>,
    published_by: Uuid,
    is_current: bool,
}

/// A version exactly as it was published.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub item_id: Uuid,
    pub number: i32,
    pub organization_id: Uuid,
    pub org_path: String,
    pub index_number: String,
    pub fields: ItemFields,
    pub year: i32,
    /// `[{id, filename, content_type, size_bytes, sha256}]` at publication.
    pub attachments: Value,
    /// `{ground, note}` when published with personal data by exception.
    pub pii_exception: Option<Value>,
    pub published_at: DateTime<Utc>,
    pub published_by: Uuid,
    pub is_current: bool,
}

impl TryFrom<VersionRow> for Version {
    type Error = DbError;
    fn try_from(r: VersionRow) -> Result<Self, DbError> {
        Ok(Version {
            item_id: r.item_id,
            number: r.number,
            organization_id: r.organization_id,
            org_path: r.org_path,
            index_number: r.index_number,
            fields: item_fields!(r),
            year: r.year,
            attachments: r.attachments,
            pii_exception: r.pii_exception,
            published_at: r.published_at,
            published_by: r.published_by,
            is_current: r.is_current,
        })
    }
}

/// Files a new version and makes it the current one.
pub async fn file_version(conn: &mut Conn, v: &Version) -> Result<(), DbError> {
    diesel::update(
        disclosure_versions::table
            .filter(disclosure_versions::item_id.eq(v.item_id))
            .filter(disclosure_versions::is_current.eq(true)),
    )
    .set(disclosure_versions::is_current.eq(false))
    .execute(conn)
    .await?;
    let f = &v.fields;
    diesel::insert_into(disclosure_versions::table)
        .values((
            disclosure_versions::item_id.eq(v.item_id),
            disclosure_versions::number.eq(v.number),
            disclosure_versions::organization_id.eq(v.organization_id),
            disclosure_versions::org_path.eq(&v.org_path),
            disclosure_versions::issuing_organization_id.eq(f.issuing_organization_id),
            disclosure_versions::category_id.eq(f.category_id),
            disclosure_versions::kind.eq(f.kind.as_str()),
            disclosure_versions::interprets_id.eq(f.interprets_id),
            disclosure_versions::index_number.eq(&v.index_number),
            disclosure_versions::title.eq(&f.title),
            disclosure_versions::summary.eq(&f.summary),
            disclosure_versions::content.eq(&f.content),
            disclosure_versions::content_format.eq(f.content_format.as_str()),
            disclosure_versions::doc_number.eq(&f.doc_number),
            disclosure_versions::subject_terms.eq(&f.subject_terms),
            disclosure_versions::formed_on.eq(f.formed_on),
            disclosure_versions::year.eq(v.year),
            disclosure_versions::attribute.eq(f.attribute.as_str()),
            disclosure_versions::non_disclosure_ground
                .eq(f.non_disclosure_ground.map(|g| g.as_str())),
            disclosure_versions::channels.eq(strs(&f.channels, Channel::as_str)),
            disclosure_versions::validity.eq(f.validity.as_str()),
            disclosure_versions::cadence.eq(f.cadence.as_str()),
            disclosure_versions::attachments.eq(&v.attachments),
            disclosure_versions::pii_exception.eq(&v.pii_exception),
            disclosure_versions::published_at.eq(v.published_at),
            disclosure_versions::published_by.eq(v.published_by),
            disclosure_versions::is_current.eq(true),
            disclosure_versions::search_vector
                .eq(sql::<crate::schema::sql_types::Tsvector>("''::tsvector")),
        ))
        .execute(conn)
        .await?;
    index_text(conn, Indexed::Version(v.item_id, v.number), f).await
}

/// Takes an item off the public record (its filed versions stay).
pub async fn clear_current(conn: &mut Conn, item_id: DisclosureItemId) -> Result<(), DbError> {
    diesel::update(
        disclosure_versions::table
            .filter(disclosure_versions::item_id.eq(item_id.0))
            .filter(disclosure_versions::is_current.eq(true)),
    )
    .set(disclosure_versions::is_current.eq(false))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn versions_of(
    conn: &mut Conn,
    item_id: DisclosureItemId,
) -> Result<Vec<Version>, DbError> {
    let rows: Vec<VersionRow> = disclosure_versions::table
        .filter(disclosure_versions::item_id.eq(item_id.0))
        .select(VersionRow::as_select())
        .order(disclosure_versions::number)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn get_version(
    conn: &mut Conn,
    item_id: DisclosureItemId,
    number: i32,
) -> Result<Version, DbError> {
    let row: VersionRow = disclosure_versions::table
        .find((item_id.0, number))
        .select(VersionRow::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

/// The current public version of an item, if it has one.
pub async fn current_version(
    conn: &mut Conn,
    item_id: DisclosureItemId,
) -> Result<Option<Version>, DbError> {
    let row: Option<VersionRow> = disclosure_versions::table
        .filter(disclosure_versions::item_id.eq(item_id.0))
        .filter(disclosure_versions::is_current.eq(true))
        .select(VersionRow::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(TryInto::try_into).transpose()
}

/// What an item's public page shows: its current published version, the names of its
/// organisation and category, and the current versions of its interpretations (newest
/// first) as `(item id, title)`.
#[derive(Debug, Clone)]
pub struct PublishedView {
    pub version: Version,
    pub organization_name: String,
    pub category_name: String,
    pub interpretations: Vec<(Uuid, String)>,
}

/// [`PublishedView`] of an item (the most read page of the portal) in two statements
/// written with the query builder, which the connection keeps prepared: measured, planning
/// a raw statement on every request cost more than running it. `None` when the item has no
/// current published version.
pub async fn published_view(
    conn: &mut Conn,
    item_id: DisclosureItemId,
) -> Result<Option<PublishedView>, DbError> {
    let row: Option<(VersionRow, String, String)> = disclosure_versions::table
        .inner_join(
            organizations::table.on(organizations::id.eq(disclosure_versions::organization_id)),
        )
        .inner_join(
            disclosure_categories::table
                .on(disclosure_categories::id.eq(disclosure_versions::category_id)),
        )
        .filter(disclosure_versions::item_id.eq(item_id.0))
        .filter(disclosure_versions::is_current.eq(true))
        .select((
            VersionRow::as_select(),
            organizations::name,
            disclosure_categories::name,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((version, organization_name, category_name)) = row else {
        return Ok(None);
    };
    Ok(Some(PublishedView {
        version: version.try_into()?,
        organization_name,
        category_name,
        interpretations: interpretation_links(conn, item_id).await?,
    }))
}

/// The published interpretations of a policy as `(item id, current title)`, newest first.
pub async fn interpretation_links(
    conn: &mut Conn,
    policy: DisclosureItemId,
) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(disclosure_items::table
        .inner_join(
            disclosure_versions::table.on(disclosure_versions::item_id.eq(disclosure_items::id)),
        )
        .filter(disclosure_items::interprets_id.eq(policy.0))
        .filter(disclosure_versions::is_current.eq(true))
        .select((disclosure_versions::item_id, disclosure_versions::title))
        .order(disclosure_versions::published_at.desc())
        .load(conn)
        .await?)
}

/// Filters of the public search over current versions.
#[derive(Debug, Clone)]
pub struct PublicFilter {
    pub q: Option<String>,
    pub organization_id: Option<Uuid>,
    /// Versions of organisations inside this scope: everything, or a requested subtree.
    pub scope: Scope,
    pub category_id: Option<Uuid>,
    pub year: Option<i32>,
    pub attribute: Option<Attribute>,
    pub validity: Option<Validity>,
    pub doc_number: Option<String>,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
}

impl Default for PublicFilter {
    fn default() -> Self {
        Self {
            q: None,
            organization_id: None,
            scope: Scope::All,
            category_id: None,
            year: None,
            attribute: None,
            validity: None,
            doc_number: None,
            published_from: None,
            published_to: None,
        }
    }
}

/// Sort order of the public search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicSort {
    /// Best match first (title matches above body matches), then newest.
    Relevance,
    PublishedAt,
}

macro_rules! public_filters {
    ($q:expr, $f:expr) => {{
        let f: &PublicFilter = $f;
        let mut q = $q.filter(disclosure_versions::is_current.eq(true));
        if let Some(pattern) = scope::path_pattern(&f.scope) {
            q = q.filter(disclosure_versions::org_path.like(pattern));
        }
        if let Some(o) = f.organization_id {
            q = q.filter(disclosure_versions::organization_id.eq(o));
        }
        if let Some(c) = f.category_id {
            q = q.filter(disclosure_versions::category_id.eq(c));
        }
        if let Some(y) = f.year {
            q = q.filter(disclosure_versions::year.eq(y));
        }
        if let Some(a) = f.attribute {
            q = q.filter(disclosure_versions::attribute.eq(a.as_str()));
        }
        if let Some(v) = f.validity {
            q = q.filter(disclosure_versions::validity.eq(v.as_str()));
        }
        if let Some(d) = &f.doc_number {
            q = q.filter(disclosure_versions::doc_number.eq(d.clone()));
        }
        if let Some(from) = f.published_from {
            q = q.filter(disclosure_versions::published_at.ge(from));
        }
        if let Some(to) = f.published_to {
            q = q.filter(disclosure_versions::published_at.lt(to));
        }
        if let Some(tsq) = f.q.as_deref().and_then(search::tsquery) {
            q = q.filter(
                sql::<Bool>("disclosure_versions.search_vector @@ ")
                    .bind::<Text, _>(tsq)
                    .sql("::tsquery"),
            );
        }
        q
    }};
}

/// Whether a query text has any searchable word (otherwise nothing matches).
pub fn searchable(q: &Option<String>) -> bool {
    q.as_deref().is_none_or(|t| search::tsquery(t).is_some())
}

/// One page of current versions. `offset` pages a relevance ranking; `after` (published
/// at, item id) is the keyset of the newest-first order.
pub async fn search_public(
    conn: &mut Conn,
    f: &PublicFilter,
    sort: PublicSort,
    offset: i64,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Version>, DbError> {
    if !searchable(&f.q) {
        return Ok(vec![]);
    }
    let base = disclosure_versions::table
        .select(VersionRow::as_select())
        .limit(limit)
        .into_boxed();
    let mut q = public_filters!(base, f);
    match (sort, f.q.as_deref().and_then(search::tsquery)) {
        (PublicSort::Relevance, Some(tsq)) => {
            q = q
                .order(
                    sql::<Float4>("ts_rank(disclosure_versions.search_vector, ")
                        .bind::<Text, _>(tsq)
                        .sql("::tsquery, 1) DESC"),
                )
                .then_order_by(disclosure_versions::published_at.desc())
                .then_order_by(disclosure_versions::item_id.desc())
                .offset(offset);
        }
        _ => {
            if let Some((at, id)) = after {
                q = q.filter(
                    disclosure_versions::published_at
                        .lt(at)
                        .or(disclosure_versions::published_at
                            .eq(at)
                            .and(disclosure_versions::item_id.lt(id))),
                );
            }
            q = q
                .order(disclosure_versions::published_at.desc())
                .then_order_by(disclosure_versions::item_id.desc());
        }
    }
    let rows: Vec<VersionRow> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Counts of the matching current versions per category, organisation and year.
pub async fn public_facets(
    conn: &mut Conn,
    f: &PublicFilter,
) -> Result<(Vec<(Uuid, i64)>, Vec<(Uuid, i64)>, Vec<(i32, i64)>), DbError> {
    if !searchable(&f.q) {
        return Ok((vec![], vec![], vec![]));
    }
    let count = diesel::dsl::count_star();
    let by_category: Vec<(Uuid, i64)> = public_filters!(
        disclosure_versions::table
            .group_by(disclosure_versions::category_id)
            .select((disclosure_versions::category_id, count))
            .into_boxed(),
        f
    )
    .load(conn)
    .await?;
    let by_org: Vec<(Uuid, i64)> = public_filters!(
        disclosure_versions::table
            .group_by(disclosure_versions::organization_id)
            .select((disclosure_versions::organization_id, count))
            .into_boxed(),
        f
    )
    .load(conn)
    .await?;
    let by_year: Vec<(i32, i64)> = public_filters!(
        disclosure_versions::table
            .group_by(disclosure_versions::year)
            .select((disclosure_versions::year, count))
            .into_boxed(),
        f
    )
    .load(conn)
    .await?;
    Ok((by_category, by_org, by_year))
}

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

pub async fn delete_category(conn: &mut Conn, id: CategoryId) -> Result<(), DbError> {
    diesel::delete(disclosure_categories::table.find(id.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Organisations that have no catalogue yet (created before the catalogue existed).
pub async fn organizations_without_catalogue(
    conn: &mut Conn,
) -> Result<Vec<crate::orgs::Organization>, DbError> {
    use crate::schema::organizations;
    let ids: Vec<Uuid> = organizations::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            disclosure_categories::table
                .filter(disclosure_categories::organization_id.eq(organizations::id)),
        )))
        .select(organizations::id)
        .load(conn)
        .await?;
    crate::orgs::get_many(conn, &ids).await
}

#[cfg(test)]
mod tests {
    use super::standard_category_id;

    #[test]
    fn standard_category_ids_derive_from_organisation_and_code() {
        let city = uuid::Uuid::from_u128(0x0194_1f29_7c00_7001_8000_0000_0000_0001);
        let id = standard_category_id(city, "03");
        assert_eq!(id, standard_category_id(city, "03"));
        assert_eq!(id.get_version_num(), 8);
        // The value the contract's example of a new disclosure item names.
        assert_eq!(id.to_string(), "984e7ba4-32ee-8dc1-b1fd-4b83b614c729");
        assert_ne!(id, standard_category_id(city, "04"));
        assert_ne!(id, standard_category_id(uuid::Uuid::nil(), "03"));
    }
}
