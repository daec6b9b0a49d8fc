//! Listing and searching items: the staff's working copies within their scope, and the
//! public's current versions with facets and a feed.

use std::collections::HashMap;
use zhengwu_domain::codes::Code;

use chrono::{DateTime, Utc};
use uuid::Uuid;
use zhengwu_domain::access::Scope;
use zhengwu_domain::disclosure::{Attribute, ItemState, Validity};
use zhengwu_domain::ids::{CategoryId, OrganizationId};
use zhengwu_persistence::disclosure::{self as repo, PublicSort, Version};
use zhengwu_persistence::search::engine as search_engine;
use zhengwu_persistence::{Conn, DbError, orgs};

use super::view;
use crate::app::{Actor, AppResult, narrowed};
use crate::error::ApiError;
use crate::pagination::{Page, PageParams, encode_cursor};
use crate::routes::disclosures::dto::Sort;
use crate::routes::disclosures::views::{DisclosurePage, FacetCount, Facets, Highlight};
use crate::state::AppState;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Chinese full text (blank means none).
    pub q: Option<String>,
    pub org: Option<OrganizationId>,
    /// With `org`: its whole subtree.
    pub include_sub: bool,
    pub category: Option<CategoryId>,
    pub year: Option<i32>,
    pub attribute: Option<Attribute>,
    pub validity: Option<Validity>,
    pub doc_number: Option<String>,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    /// Staff view only.
    pub state: Option<ItemState>,
    pub overdue: bool,
    pub sort: Option<Sort>,
    /// Comma-separated facets to count (public view).
    pub facets: Option<String>,
}

/// The working copies inside the actor's scope (staff), or inside the requested subtree of
/// it: a subtree outside the scope is answered as an organisation that does not exist.
pub async fn working(
    app: &AppState,
    actor: &Actor,
    l: Listing,
    page: &PageParams,
) -> AppResult<DisclosurePage> {
    let limit = page.limit()?;
    let mut conn = app.read_conn().await?;
    if actor.id.is_none() {
        return Err(ApiError::unauthorized("the working view needs a token"));
    }
    let scope = actor.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::forbidden("applicants see the public view"));
    }
    let scope = narrowed(&conn, scope, l.org.filter(|_| l.include_sub)).await?;
    let today = app.today();
    let filter = repo::ItemFilter {
        scope,
        organization_id: l.org.filter(|_| !l.include_sub).map(|o| o.0),
        category_id: l.category.map(|c| c.0),
        state: l.state,
        attribute: l.attribute,
        validity: l.validity,
        doc_number: l.doc_number,
        year: l.year,
        overdue_on: l.overdue.then_some(today),
        q: text_of(l.q),
        after_id: page.after_uuid()?,
        limit: limit + 1,
    };
    let rows = repo::list_items(&mut conn, &filter).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |i| i.id.to_string(),
        |i| view::staff_summary(&i, today),
    );
    Ok(DisclosurePage {
        items: page.items,
        next_cursor: page.next_cursor,
        facets: None,
    })
}

fn text_of(q: Option<String>) -> Option<String> {
    q.filter(|t| !t.trim().is_empty())
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "?cursor",
        Code::CursorInvalid,
        "the cursor is not one this API gave out",
    )
}

/// The keyset of the newest-first order: published at, item id.
type Keyset = (DateTime<Utc>, Uuid);

/// Where a page of the public search starts: an offset into the relevance ranking
/// (`o:N`), or the keyset of the newest-first order (`t:<time>|<id>`).
fn page_start(raw: Option<&str>, sort: PublicSort) -> AppResult<(i64, Option<Keyset>)> {
    let Some(r) = raw else {
        return Ok((0, None));
    };
    match sort {
        PublicSort::Relevance => {
            let n = r.strip_prefix("o:").and_then(|n| n.parse::<i64>().ok());
            Ok((n.filter(|n| *n >= 0).ok_or_else(bad_cursor)?, None))
        }
        PublicSort::PublishedAt => {
            let (t, id) = r
                .strip_prefix("t:")
                .and_then(|s| s.split_once('|'))
                .ok_or_else(bad_cursor)?;
            let t = DateTime::parse_from_rfc3339(t)
                .map_err(|_| bad_cursor())?
                .with_timezone(&Utc);
            let id = Uuid::parse_str(id).map_err(|_| bad_cursor())?;
            Ok((0, Some((t, id))))
        }
    }
}

fn next_cursor(sort: PublicSort, offset: i64, limit: i64, last: &Version) -> String {
    match sort {
        PublicSort::Relevance => encode_cursor(&format!("o:{}", offset + limit)),
        PublicSort::PublishedAt => encode_cursor(&format!(
            "t:{}|{}",
            last.published_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            last.item_id
        )),
    }
}

/// The current published versions, with facet counts when asked for. A full-text query
/// is answered by the search engine, a listing without one by the database.
pub async fn public(app: &AppState, l: Listing, page: &PageParams) -> AppResult<DisclosurePage> {
    let limit = page.limit()?;
    if let Some(requested) = &l.facets {
        facets_asked(requested)?;
    }
    if text_of(l.q.clone()).is_some_and(|t| repo::searchable(&Some(t))) {
        return searched(app, l, page, limit).await;
    }
    let mut conn = app.read_conn().await?;
    let scope = narrowed(&conn, Scope::All, l.org.filter(|_| l.include_sub)).await?;
    let text = text_of(l.q);
    let filter = repo::PublicFilter {
        q: text.clone(),
        organization_id: l.org.filter(|_| !l.include_sub).map(|o| o.0),
        scope,
        category_id: l.category.map(|c| c.0),
        year: l.year,
        attribute: l.attribute,
        validity: l.validity,
        doc_number: l.doc_number,
        published_from: l.published_from,
        published_to: l.published_to,
    };
    let sort = match (l.sort, &text) {
        (Some(Sort::PublishedAt), _) | (None, None) => PublicSort::PublishedAt,
        (Some(Sort::Relevance), _) | (None, Some(_)) => PublicSort::Relevance,
    };
    let (offset, after) = page_start(page.after_key()?.as_deref(), sort)?;
    let mut rows = repo::search_public(&mut conn, &filter, sort, offset, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows
        .last()
        .filter(|_| more)
        .map(|last| next_cursor(sort, offset, limit, last));
    let facets = match &l.facets {
        Some(requested) => Some(facets(&mut conn, &filter, requested).await?),
        None => None,
    };
    Ok(DisclosurePage {
        items: rows.iter().map(view::public_summary).collect(),
        next_cursor: next,
        facets,
    })
}

/// A page of the engine's answer to a full-text query: best match first (or newest first
/// when asked), paged by offset, each result with its words highlighted.
async fn searched(
    app: &AppState,
    l: Listing,
    page: &PageParams,
    limit: i64,
) -> AppResult<DisclosurePage> {
    // The primary: the engine seals and reads its feed there, and the page's rows must be
    // at least as new as the index.
    let mut conn = app.conn().await?;
    app.search.catch_up(&mut conn).await?;
    let scope = narrowed(&conn, Scope::All, l.org.filter(|_| l.include_sub)).await?;
    let newest_first = l.sort == Some(Sort::PublishedAt);
    let (offset, _) = page_start(page.after_key()?.as_deref(), PublicSort::Relevance)?;
    let offset = usize::try_from(offset).map_err(|_| bad_cursor())?;
    let q = search_engine::ItemQuery {
        q: l.q.clone().unwrap_or_default(),
        organization_id: l.org.filter(|_| !l.include_sub).map(|o| o.0),
        scope,
        category_id: l.category.map(|c| c.0),
        year: l.year,
        attribute: l.attribute.map(|a| a.as_str().to_owned()),
        validity: l.validity.map(|v| v.as_str().to_owned()),
        doc_number: l.doc_number.clone(),
        published_from: l.published_from,
        published_to: l.published_to,
        newest_first,
        offset,
        limit: usize::try_from(limit + 1).unwrap_or(1),
        facets: l.facets.is_some(),
    };
    let found = app.search.items(&q).await?;
    let more = found.ids.len() as i64 > limit;
    let ids: Vec<Uuid> = found.ids.iter().take(limit as usize).copied().collect();
    let rows = repo::current_versions(&mut conn, &ids).await?;
    let items = rows
        .iter()
        .map(|v| {
            let mut s = view::public_summary(v);
            s.highlight = Some(Highlight {
                title: found.highlighter.title(&v.fields.title),
                fragment: found
                    .highlighter
                    .fragment(&[&v.fields.summary, &v.fields.content]),
            });
            s
        })
        .collect();
    let next = more.then(|| encode_cursor(&format!("o:{}", offset as i64 + limit)));
    let facets = match (&l.facets, found.facets) {
        (Some(requested), Some(counts)) => {
            let uuids = |v: Vec<(String, u64)>| -> Vec<(Uuid, i64)> {
                v.into_iter()
                    .filter_map(|(k, n)| Some((Uuid::parse_str(&k).ok()?, n as i64)))
                    .collect()
            };
            let years = counts
                .year
                .into_iter()
                .map(|(y, n)| (y as i32, n as i64))
                .collect();
            Some(
                labelled(
                    &mut conn,
                    requested,
                    uuids(counts.category),
                    uuids(counts.org),
                    years,
                )
                .await?,
            )
        }
        _ => None,
    };
    Ok(DisclosurePage {
        items,
        next_cursor: next,
        facets,
    })
}

/// Counts by id, labelled with names, most first.
fn counted(by: Vec<(Uuid, i64)>, names: &HashMap<Uuid, String>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = by
        .into_iter()
        .map(|(id, count)| FacetCount {
            value: id.to_string(),
            label: names.get(&id).cloned().unwrap_or_default(),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    v
}

/// Counts by year, the latest first.
fn by_years(by: Vec<(i32, i64)>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = by
        .into_iter()
        .map(|(y, count)| FacetCount {
            value: y.to_string(),
            label: format!("{y}年"),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.value.cmp(&a.value));
    v
}

/// The facets a comma-separated list asks for: `category`, `org`, `year`.
fn facets_asked(requested: &str) -> AppResult<Vec<&str>> {
    let wanted: Vec<&str> = requested
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = wanted
        .iter()
        .find(|w| !["category", "org", "year"].contains(w))
    {
        return Err(ApiError::field(
            "?facets",
            Code::FacetUnknown,
            format!("unknown facet {bad:?}; use category, org, year"),
        ));
    }
    Ok(wanted)
}

/// The facets asked for (`category`, `org`, `year`), counted over the filtered versions.
async fn facets(
    conn: &mut Conn,
    filter: &repo::PublicFilter,
    requested: &str,
) -> AppResult<Facets> {
    let (by_category, by_org, by_year) = repo::public_facets(conn, filter).await?;
    labelled(conn, requested, by_category, by_org, by_year).await
}

/// The facets asked for, labelled.
async fn labelled(
    conn: &mut Conn,
    requested: &str,
    by_category: Vec<(Uuid, i64)>,
    by_org: Vec<(Uuid, i64)>,
    by_year: Vec<(i32, i64)>,
) -> AppResult<Facets> {
    let wanted = facets_asked(requested)?;
    let mut out = Facets::default();
    if wanted.contains(&"category") {
        let ids: Vec<Uuid> = by_category.iter().map(|(id, _)| *id).collect();
        let names = repo::get_categories(conn, &ids).await?;
        let names = names.into_iter().map(|c| (c.id, c.name)).collect();
        out.category = Some(counted(by_category, &names));
    }
    if wanted.contains(&"org") {
        let ids: Vec<Uuid> = by_org.iter().map(|(id, _)| *id).collect();
        let names = orgs::get_many(conn, &ids).await?;
        let names = names.into_iter().map(|o| (o.id, o.name)).collect();
        out.org = Some(counted(by_org, &names));
    }
    if wanted.contains(&"year") {
        out.year = Some(by_years(by_year));
    }
    Ok(out)
}

/// The latest published items for a feed: its title, id, last update and entries.
pub struct Feed {
    pub title: String,
    /// The organisation the feed is of; for the feed of all organisations, its title.
    pub author: String,
    /// The name of each entry's organisation, by id (an entry's `author`).
    pub publishers: std::collections::HashMap<uuid::Uuid, String>,
    /// `all`, or the organisation's id.
    pub id: String,
    pub updated: DateTime<Utc>,
    pub entries: Vec<Version>,
}

/// The latest 50 published items, of one organisation (or its subtree) when asked.
pub async fn feed(
    app: &AppState,
    org: Option<OrganizationId>,
    include_sub: bool,
) -> AppResult<Feed> {
    let mut conn = app.read_conn().await?;
    let mut filter = repo::PublicFilter::default();
    let mut title = "政府信息公开".to_owned();
    let mut author = None;
    if let Some(o) = org {
        let org = match orgs::get(&mut conn, o.0).await {
            Ok(org) => org,
            Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "?org",
                    Code::ReferenceNotFound,
                    "no such organisation",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        title = format!("{} 政府信息公开", org.name);
        author = Some(org.name.clone());
        if include_sub {
            filter.scope = Scope::Subtree(org.path);
        } else {
            filter.organization_id = Some(org.id);
        }
    }
    let entries =
        repo::search_public(&mut conn, &filter, PublicSort::PublishedAt, 0, None, 50).await?;
    let updated = entries
        .first()
        .map_or_else(|| app.clock.now(), |v| v.published_at);
    let mut ids: Vec<uuid::Uuid> = entries.iter().map(|v| v.organization_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let publishers: std::collections::HashMap<_, _> = orgs::get_many(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    // The feed's author: the organisation asked for, else the feed's own name (each entry
    // names its organisation).
    let author = author.unwrap_or_else(|| title.clone());
    Ok(Feed {
        author,
        publishers,
        title,
        id: org.map_or_else(|| "all".to_owned(), |o| o.0.to_string()),
        updated,
        entries,
    })
}
