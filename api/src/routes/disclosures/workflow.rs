//! The steps of the review and publication workflow, one endpoint each.

use actix_web::{HttpResponse, post, web};
use uuid::Uuid;
use zhengwu_domain::disclosure::Transition;
use zhengwu_domain::ids::DisclosureItemId;

use super::dto::{NoteBody, PublishBody, ReasonBody, note_of};
use super::views::TransitionResult;
use super::with_etag;
use crate::app::disclosures::workflow::{self, Step};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IfMatch};
use crate::state::AppState;

/// Submit a draft for review. The answer lists personal data found, as warnings.
#[utoipa::path(operation_id = "submitDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not a draft; `context.state` is the current state")))]
#[post("/disclosures/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    let step = Step::Submit { note };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}

/// Approve a submitted item (a reviewer who is not its author).
#[utoipa::path(operation_id = "approveDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    let step = Step::Approve { note };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}

/// Send a submitted item back to its author with reasons.
#[utoipa::path(operation_id = "rejectDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ReasonBody, responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    workflow::may(&auth.actor(), Transition::Reject)?;
    let reason = body.value.parse()?;
    let step = Step::Reject { reason };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}

/// Publish an approved item: files a version, assigns the index number at the first
/// publication, and refuses unmasked personal data unless an exception is recorded.
#[utoipa::path(operation_id = "publishDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<PublishBody>,
        description = "An exception for personal data, if it applies"),
    responses((status = 200, body = TransitionResult),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Personal data found: `errors[]` and `context.findings` list kind, field, \
        offset and masked form")))]
#[post("/disclosures/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let exception = PublishBody::parse(&body)?;
    let step = Step::Publish { exception };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}

/// Open a new draft of a published or withdrawn item; the published version stays public
/// until the revision is published.
#[utoipa::path(operation_id = "reviseDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<NoteBody>, description = "Optional note"),
    responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/revise")]
pub async fn revise(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let note = note_of(&body)?;
    let step = Step::Revise { note };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}

/// Withdraw a published item from the public (its filed versions stay on record).
#[utoipa::path(operation_id = "withdrawDisclosure",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ReasonBody, responses((status = 200, body = TransitionResult)))]
#[post("/disclosures/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    workflow::may(&auth.actor(), Transition::Withdraw)?;
    let reason = body.value.parse()?;
    let step = Step::Withdraw { reason };
    let id = DisclosureItemId(*id);
    let done = workflow::step(&state, &auth.actor(), id, &if_match, step).await?;
    Ok(with_etag(done.item.version).json(done))
}
