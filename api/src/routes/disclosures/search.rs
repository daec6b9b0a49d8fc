//! Lists, search and the Atom feed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::actor_of;
use super::dto::{FeedQuery, ListQuery};
use super::views::DisclosurePage;
use crate::app::disclosures::{self, search};
use crate::auth::MaybePrincipal;
use crate::error::ApiResult;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;
use zhengwu_domain::ids::OrganizationId;

/// Search and list items.
///
/// The public view (anyone; the default without a staff token) searches the current
/// published versions, with facets. The working view (staff; their default) lists the
/// working copies inside the caller's scope, with `state` and `overdue` filters.
#[utoipa::path(operation_id = "listDisclosures",
    tag = "disclosures", security((), ("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = DisclosurePage)))]
#[get("/disclosures")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let actor = actor_of(&auth);
    let listing = q.listing();
    let found = if disclosures::wants_working(&actor, q.view) {
        search::working(&state, &actor, listing, &page).await?
    } else {
        search::public(&state, listing, &page).await?
    };
    let mut res = HttpResponse::Ok();
    if let Some(link) = link_header(&req, &found.next_cursor) {
        res.insert_header((header::LINK, link));
    }
    Ok(res.json(found))
}

/// An Atom feed of the latest 50 published items, for portals and subscribers.
#[utoipa::path(operation_id = "getDisclosureFeed",
    tag = "disclosures", params(FeedQuery),
    responses((status = 200, description = "Atom 1.0", content_type = "application/atom+xml",
        body = String)))]
#[get("/disclosures/feed.atom")]
pub async fn feed(state: web::Data<AppState>, q: web::Query<FeedQuery>) -> ApiResult<HttpResponse> {
    let org = q.org.map(OrganizationId);
    let latest = search::feed(&state, org, q.include_sub).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=60"))
        .body(atom(&latest)))
}

fn link_header(req: &HttpRequest, cursor: &Option<String>) -> Option<String> {
    let page: Page<()> = Page {
        items: vec![],
        next_cursor: cursor.clone(),
    };
    page.link(req)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The feed as Atom 1.0.
fn atom(f: &search::Feed) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>urn:zhengwu:disclosures:{}</id>\n  \
         <updated>{}</updated>\n  \
         <link rel=\"self\" href=\"/api/v1/disclosures/feed.atom\"/>\n  \
         <author><name>{}</name></author>\n",
        xml_escape(&f.title),
        f.id,
        f.updated.to_rfc3339(),
        xml_escape(&f.author),
    ));
    for v in &f.entries {
        let publisher = f
            .publishers
            .get(&v.organization_id)
            .map_or(f.author.as_str(), String::as_str);
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>urn:uuid:{}</id>\n    \
             <updated>{}</updated>\n    <author><name>{}</name></author>\n    \
             <link href=\"/api/v1/disclosures/{}\"/>\n    \
             <summary>{}</summary>\n    <category term=\"{}\"/>\n  </entry>\n",
            xml_escape(&v.fields.title),
            v.item_id,
            v.published_at.to_rfc3339(),
            xml_escape(publisher),
            v.item_id,
            xml_escape(&v.fields.summary),
            xml_escape(&v.index_number),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
