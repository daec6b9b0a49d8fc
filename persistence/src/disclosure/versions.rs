//! The filed versions of items: the public record.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, ItemKind, NonDisclosureGround, Validity,
};
use zhengwu_domain::ids::DisclosureItemId;

use crate::db::{Conn, DbError};
use crate::schema::{disclosure_categories, disclosure_items, disclosure_versions, organizations};
use crate::{parse_col, parse_opt_col};

use super::items::{Indexed, ItemFields, index_text, strs};
use super::parse_list;

// ---------------------------------------------------------------- filed versions

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_versions)]
pub(super) struct VersionRow {
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

impl VersionRow {
    pub(super) fn item_id(&self) -> Uuid {
        self.item_id
    }
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

/// The current published interpretations of the outer query's item, newest first, as a
/// JSON array of `[item id, title]` pairs: a correlated subquery of constant text, so that
/// the statement around it stays in the connection's cache of prepared statements (diesel's
/// `sql` literals are never cached).
#[derive(Debug, Clone, Copy, Default, diesel::query_builder::QueryId)]
struct CurrentInterpretations;

impl diesel::expression::Expression for CurrentInterpretations {
    type SqlType = diesel::sql_types::Jsonb;
}

impl diesel::expression::ValidGrouping<()> for CurrentInterpretations {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for CurrentInterpretations where
    disclosure_versions::item_id: diesel::expression::AppearsOnTable<QS>
{
}

impl<QS> diesel::expression::SelectableExpression<QS> for CurrentInterpretations where
    disclosure_versions::item_id: diesel::expression::SelectableExpression<QS>
{
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for CurrentInterpretations {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql(
            "(SELECT coalesce(jsonb_agg(jsonb_build_array(v2.item_id, v2.title) \
             ORDER BY v2.published_at DESC), '[]'::jsonb) \
             FROM disclosure_items i2 JOIN disclosure_versions v2 ON v2.item_id = i2.id \
             WHERE i2.interprets_id = disclosure_versions.item_id AND v2.is_current)",
        );
        Ok(())
    }
}

/// The statement of [`published_view`], written by the query builder.
fn published_view_query(item_id: Uuid) -> impl diesel::query_builder::QueryFragment<Pg> {
    disclosure_versions::table
        .inner_join(
            organizations::table.on(organizations::id.eq(disclosure_versions::organization_id)),
        )
        .inner_join(
            disclosure_categories::table
                .on(disclosure_categories::id.eq(disclosure_versions::category_id)),
        )
        .filter(disclosure_versions::item_id.eq(item_id))
        .filter(disclosure_versions::is_current.eq(true))
        .select((
            VersionRow::as_select(),
            organizations::name,
            disclosure_categories::name,
            CurrentInterpretations,
        ))
        .limit(1)
}

/// [`published_view_query`]'s text, written once: its placeholders are the item's id
/// (`$1`), `true` (`$2`, the current version) and the limit (`$3`, one row).
static PUBLISHED_VIEW: LazyLock<Result<String, String>> =
    LazyLock::new(|| crate::sql::frozen(&published_view_query(Uuid::nil())));

/// The SQL types of a [`PublishedView`]'s row.
type PublishedViewRow = (
    diesel::dsl::AsSelect<VersionRow, Pg>,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Jsonb,
);

/// [`PublishedView`] of an item (the most read page of the portal) in one statement
/// written with the query builder, which the connection keeps prepared: measured, planning
/// a raw statement on every request cost more than running it. Its text is written once
/// (`crate::sql::frozen`) rather than by the query builder on every request. `None` when
/// the item has no current published version.
///
/// It takes the session shared: reads of many requests can be sent on one session at once
/// (pipelined), each answered in turn.
pub async fn published_view(
    conn: &Conn,
    item_id: DisclosureItemId,
) -> Result<Option<PublishedView>, DbError> {
    let text = PUBLISHED_VIEW
        .as_deref()
        .map_err(|e| DbError::Other(e.clone()))?;
    let mut conn = conn;
    let row: Option<(VersionRow, String, String, Value)> =
        crate::sql::typed::<PublishedViewRow>(text)
            .bind::<diesel::sql_types::Uuid, _>(item_id.0)
            .bind::<diesel::sql_types::Bool, _>(true)
            .bind::<diesel::sql_types::BigInt, _>(1_i64)
            .get_result(&mut conn)
            .await
            .optional()?;
    let Some((version, organization_name, category_name, interpretations)) = row else {
        return Ok(None);
    };
    let interpretations: Vec<(Uuid, String)> = serde_json::from_value(interpretations)
        .map_err(|e| DbError::Other(format!("interpretations of {}: {e}", item_id.0)))?;
    Ok(Some(PublishedView {
        version: version.try_into()?,
        organization_name,
        category_name,
        interpretations,
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

#[cfg(test)]
mod tests {
    /// The placeholders of the item page's statement, in order: what `published_view`
    /// binds. A change of the query builder's statement that adds or moves a bind fails here.
    #[test]
    fn the_item_pages_text_has_the_three_placeholders_it_is_sent_with() {
        let text = super::PUBLISHED_VIEW.as_deref().unwrap_or_default();
        assert!(text.starts_with("SELECT "), "{text}");
        let placeholders: Vec<&str> = text
            .match_indices('$')
            .map(|(i, _)| &text[i..i + 2])
            .collect();
        assert_eq!(placeholders, ["$1", "$2", "$3"], "{text}");
        assert!(
            text.contains(r#""disclosure_versions"."item_id" = $1"#),
            "{text}"
        );
        assert!(
            text.contains(r#""disclosure_versions"."is_current" = $2"#),
            "{text}"
        );
        assert!(text.ends_with("LIMIT $3"), "{text}");
    }
}
