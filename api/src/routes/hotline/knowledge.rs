//! The knowledge base (知识库): entries written by staff, reviewed, published and searched.

use crate::routes::disclosures::views::Highlight;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::hotline::EntryState;
use zhengwu_domain::hotline::commands::{EntryChanges, NewEntry};
use zhengwu_domain::ids::{DisclosureItemId, KnowledgeEntryId, MatterId, OrganizationId, TicketId};
use zhengwu_persistence::hotline::Entry;

use crate::app::hotline::knowledge::{self, EntrySearch};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, encode_cursor, page_response};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000001",
    "question": "办理居住证需要哪些材料？",
    "answer": "本人居民身份证、近期一寸白底照片、居住登记凭证\
及合法稳定就业、住所或连续就读证明之一。",
    "valid_from": "2025-01-01"
}))]
pub struct EntryIn {
    /// The organisation whose duties the entry describes.
    pub organization_id: Uuid,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub matter_ids: Vec<Uuid>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub disclosure_ids: Vec<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "answer": "本人居民身份证、近期一寸白底照片及居住登记凭证。"
}))]
pub struct EntryPatch {
    pub question: Option<String>,
    pub answer: Option<String>,
    #[schema(max_items = 50)]
    pub matter_ids: Option<Vec<Uuid>>,
    #[schema(max_items = 50)]
    pub disclosure_ids: Option<Vec<Uuid>>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub question: String,
    pub answer: String,
    pub matter_ids: Vec<Uuid>,
    pub disclosure_ids: Vec<Uuid>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub state: EntryState,
    pub source_ticket_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// A search with words only: the question whole and a fragment of the answer, the
    /// words marked `<em>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
}

impl From<Entry> for EntryDto {
    fn from(e: Entry) -> Self {
        EntryDto {
            id: e.id,
            organization_id: e.organization_id,
            question: e.question,
            answer: e.answer,
            matter_ids: e.matter_ids,
            disclosure_ids: e.disclosure_ids,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            state: EntryState::parse(&e.state).unwrap_or(EntryState::Draft),
            source_ticket_id: e.source_ticket_id,
            updated_at: e.updated_at,
            version: e.version,
            highlight: None,
        }
    }
}

fn matters(ids: Vec<Uuid>) -> Vec<MatterId> {
    ids.into_iter().map(MatterId).collect()
}

fn disclosures(ids: Vec<Uuid>) -> Vec<DisclosureItemId> {
    ids.into_iter().map(DisclosureItemId).collect()
}

impl EntryIn {
    pub fn parse(self) -> ApiResult<NewEntry> {
        let entry = NewEntry {
            organization: OrganizationId(self.organization_id),
            question: self.question,
            answer: self.answer,
            matters: matters(self.matter_ids),
            disclosures: disclosures(self.disclosure_ids),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        };
        Ok(entry.parse()?)
    }
}

impl EntryPatch {
    pub fn parse(self) -> ApiResult<EntryChanges> {
        let changes = EntryChanges {
            question: self.question,
            answer: self.answer,
            matters: self.matter_ids.map(matters),
            disclosures: self.disclosure_ids.map(disclosures),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        };
        Ok(changes.parse()?)
    }
}

/// An entry with its `ETag`.
fn entry_response(e: Entry) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(e.version)))
        .json(EntryDto::from(e))
}

/// Add an entry to the knowledge base (draft; published after review).
#[utoipa::path(operation_id = "createKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])), request_body = EntryIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = EntryDto, headers(("ETag" = String)))))]
#[post("/knowledge-base")]
pub async fn create_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<EntryIn>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let created = knowledge::create(&state, &auth.actor(), &idem, cmd, EntryDto::from).await?;
    Ok(created.into_response())
}

/// Turn a ticket's reply into a draft entry (question from the ticket with personal data
/// masked, answer from the reply), for the responsible organisation.
#[utoipa::path(operation_id = "createKnowledgeEntryFromTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = EntryDto, headers(("ETag" = String)))))]
#[post("/hotline/tickets/{id}/knowledge-entry")]
pub async fn entry_from_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    // No body: the request is the ticket named in the path.
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &[]);
    let (actor, ticket) = (auth.actor(), TicketId(*id));
    let created = knowledge::from_ticket(&state, &actor, &idem, ticket, EntryDto::from).await?;
    Ok(created.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// Words to search (Chinese segmented; every word must match; ranked, question first).
    pub q: Option<String>,
    pub org: Option<Uuid>,
    /// Staff only.
    pub state: Option<EntryState>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Search the knowledge base. Without a token: published entries valid today; staff (for
/// operators taking a call) see every state in their scope with `state`.
#[utoipa::path(operation_id = "searchKnowledgeBase",
    tag = "hotline", security((), ("bearer" = [])), params(EntriesQuery),
    responses((status = 200, body = Page<EntryDto>)))]
#[get("/knowledge-base")]
pub async fn search_entries(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<EntriesQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let offset = page.after_i64()?.unwrap_or(0).max(0);
    let search = EntrySearch {
        q: q.q.clone(),
        org: q.org.map(OrganizationId),
        state: q.state,
        offset,
        limit: limit + 1,
    };
    let actor = auth.0.as_ref().map(Principal::actor);
    let (rows, highlighter) = knowledge::search(&state, actor.as_ref(), search).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<EntryDto> = rows
        .into_iter()
        .take(limit as usize)
        .map(|e| {
            let highlight = highlighter.as_ref().map(|h| Highlight {
                title: h.title(&e.question),
                fragment: h.fragment(&[&e.answer]),
            });
            EntryDto {
                highlight,
                ..EntryDto::from(e)
            }
        })
        .collect();
    let next_cursor = more.then(|| encode_cursor(&(offset + limit).to_string()));
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// One entry (the public sees published ones).
#[utoipa::path(operation_id = "getKnowledgeEntry",
    tag = "hotline", security((), ("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EntryDto)))]
#[get("/knowledge-base/{id}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let actor = auth.0.as_ref().map(Principal::actor);
    let entry = knowledge::get(&state, actor.as_ref(), KnowledgeEntryId(*id)).await?;
    Ok(entry_response(entry))
}

/// Edit a draft entry.
#[utoipa::path(operation_id = "updateKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = EntryPatch, responses((status = 200, body = EntryDto)))]
#[patch("/knowledge-base/{id}")]
pub async fn patch_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<EntryPatch>,
) -> ApiResult<HttpResponse> {
    let changes = body.into_inner_value().parse()?;
    let (actor, id) = (auth.actor(), KnowledgeEntryId(*id));
    let entry = knowledge::update(&state, &actor, id, &if_match, changes).await?;
    Ok(entry_response(entry))
}

/// Submit a draft for review.
#[utoipa::path(operation_id = "submitKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = EntryDto)))]
#[post("/knowledge-base/{id}/submit")]
pub async fn submit_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let entry = knowledge::submit(&state, &auth.actor(), KnowledgeEntryId(*id), &if_match).await?;
    Ok(entry_response(entry))
}

/// Publish a submitted entry (reviewers and administrators, not the author).
#[utoipa::path(operation_id = "publishKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = EntryDto)))]
#[post("/knowledge-base/{id}/publish")]
pub async fn publish_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let entry = knowledge::publish(&state, &auth.actor(), KnowledgeEntryId(*id), &if_match).await?;
    Ok(entry_response(entry))
}

/// Send a submitted entry back to draft (not the author).
#[utoipa::path(operation_id = "rejectKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = EntryDto)))]
#[post("/knowledge-base/{id}/reject")]
pub async fn reject_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let entry = knowledge::reject(&state, &auth.actor(), KnowledgeEntryId(*id), &if_match).await?;
    Ok(entry_response(entry))
}

/// Retire a published entry.
#[utoipa::path(operation_id = "retireKnowledgeEntry",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = EntryDto)))]
#[post("/knowledge-base/{id}/retire")]
pub async fn retire_entry(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let entry = knowledge::retire(&state, &auth.actor(), KnowledgeEntryId(*id), &if_match).await?;
    Ok(entry_response(entry))
}
