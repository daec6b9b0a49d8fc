//! Drafting, reading, editing and masking an item, and its trail.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::DisclosureItemId;

use super::dto::{CreateDisclosure, PatchDisclosure, ViewQuery};
use super::views::{DisclosureDto, DisclosureTrail, DisclosureView, MaskResult};
use super::{actor_of, with_etag};
use crate::app::disclosures::{self, items};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::state::AppState;

/// Draft a disclosure item (disclosure officers of the organisation).
#[utoipa::path(operation_id = "createDisclosure",
    tag = "disclosures", security(("bearer" = [])), request_body = CreateDisclosure,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = DisclosureDto,
        headers(("ETag" = String), ("Location" = String)))))]
#[post("/disclosures")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateDisclosure>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().command();
    let created = items::create(&state, &auth.actor(), idem, cmd).await?;
    Ok(created.into_response())
}

/// Read an item.
///
/// Staff of the organisation get the working copy with its workflow; everyone else gets
/// the current published version, and a draft or withdrawn item does not exist for them.
#[utoipa::path(operation_id = "getDisclosure",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path), ViewQuery),
    responses((status = 200,
        description = "The working copy (`view=working`) or the published version (`view=public`)",
        body = DisclosureView)))]
#[get("/disclosures/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
    q: web::Query<ViewQuery>,
) -> ApiResult<HttpResponse> {
    let actor = actor_of(&auth);
    let id = DisclosureItemId(*id);
    if disclosures::wants_working(&actor, q.view) {
        let d = items::working(&state, &actor, id).await?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, etag(d.version)))
            .json(DisclosureView::Working(Box::new(d))));
    }
    let p = items::public(&state, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(p))
}

/// Edit a draft (send `If-Match`). Submitted, approved and published items are not
/// editable; revise a published item to get a new draft.
#[utoipa::path(operation_id = "updateDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchDisclosure, responses((status = 200, body = DisclosureDto)))]
#[patch("/disclosures/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchDisclosure>,
) -> ApiResult<HttpResponse> {
    let changes = body.into_inner_value().into();
    let id = DisclosureItemId(*id);
    let saved = items::update(&state, &auth.actor(), id, &if_match, changes).await?;
    Ok(with_etag(saved.version).json(saved))
}

/// Replace the personal data in a draft's title, summary and content with masked forms
/// (ID `110105********123X`, mobile `138****5678`, card keeping the first 6 and last 4).
#[utoipa::path(operation_id = "maskDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = MaskResult)))]
#[post("/disclosures/{id}/mask")]
pub async fn mask(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = DisclosureItemId(*id);
    let result = items::mask(&state, &auth.actor(), id, &if_match).await?;
    Ok(with_etag(result.item.version).json(result))
}

/// The trail of an item (staff who may see it): every change and workflow step with its
/// actor, time and note, as the audit log records it (the first 1,000 steps).
#[utoipa::path(operation_id = "getDisclosureTimeline",
    tag = "disclosures", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DisclosureTrail)))]
#[get("/disclosures/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let trail = items::timeline(&state, &auth.actor(), DisclosureItemId(*id)).await?;
    Ok(HttpResponse::Ok().json(trail))
}
