//! The public search over current versions, with facets.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Float4, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::disclosure::{Attribute, Validity};

use crate::db::{Conn, DbError};
use crate::schema::disclosure_versions;
use crate::scope::{self, Scope};
use crate::search;

use super::versions::Version;
use super::versions::VersionRow;

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

/// The current versions of these items, in the order of `ids` (an item without a current
/// version is left out).
pub async fn current_versions(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Version>, DbError> {
    let rows: Vec<VersionRow> = disclosure_versions::table
        .filter(disclosure_versions::is_current.eq(true))
        .filter(disclosure_versions::item_id.eq_any(ids))
        .select(VersionRow::as_select())
        .load(conn)
        .await?;
    let mut by_id: std::collections::HashMap<Uuid, VersionRow> =
        rows.into_iter().map(|r| (r.item_id(), r)).collect();
    ids.iter()
        .filter_map(|id| by_id.remove(id))
        .map(TryInto::try_into)
        .collect()
}
