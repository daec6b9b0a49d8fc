//! Participation (政民互动): public consultations (征求意见) with moderated comments, and
//! topic requests (点题公开) and messages to leaders (领导信箱) answered on the echo wall.

pub mod dto;
mod messages;
mod parse;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::{CommentId, ConsultationId, OrganizationId};

pub use self::dto::ContactIn;
use self::dto::{
    CommentDto, CommentIn, CommentList, ConsultationDto, ConsultationQuery, CreateConsultation,
    ModerateIn, SummaryIn,
};
pub use self::messages::{
    answer_message, echo_wall, forward, list_messages, publish_message, submit_message,
};
use crate::app::Actor;
use crate::app::participation as app;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// The caller of a public endpoint: signed in, or the anonymous public.
fn actor_of(auth: &MaybePrincipal) -> Actor {
    auth.0
        .as_ref()
        .map_or_else(Actor::anonymous, Principal::actor)
}

/// 200 with the consultation and its version as the ETag.
fn consultation_with_etag(d: ConsultationDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Publish a draft policy for public comment (disclosure officers).
#[utoipa::path(operation_id = "createConsultation",
    tag = "participation", security(("bearer" = [])), request_body = CreateConsultation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = ConsultationDto)))]
#[post("/consultations")]
pub async fn create_consultation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateConsultation>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let created = app::create_consultation(&state, &auth.actor(), &idem, cmd).await?;
    Ok(created.into_response())
}

/// Consultations open, closed or summarised (drafts are not public).
#[utoipa::path(operation_id = "listConsultations",
    tag = "participation", params(ConsultationQuery, PageParams),
    responses((status = 200, body = Page<ConsultationDto>)))]
#[get("/consultations")]
pub async fn list_consultations(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ConsultationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let org = q.org.map(OrganizationId);
    let items = app::list_consultations(&state, org, page.after_uuid()?, limit).await?;
    Ok(page_response(&req, items))
}

/// Read a consultation.
#[utoipa::path(operation_id = "getConsultation",
    tag = "participation", security((), ("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ConsultationDto)))]
#[get("/consultations/{id}")]
pub async fn get_consultation(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = ConsultationId(*id);
    let d = app::get_consultation(&state, &actor_of(&auth), id).await?;
    Ok(consultation_with_etag(d))
}

/// Open a draft consultation for comments.
#[utoipa::path(operation_id = "openConsultation",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = ConsultationId(*id);
    let d = app::open(&state, &auth.actor(), id, &if_match).await?;
    Ok(consultation_with_etag(d))
}

/// Close a consultation (comments are refused after its closing time in any case).
#[utoipa::path(operation_id = "closeConsultation",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = ConsultationId(*id);
    let d = app::close(&state, &auth.actor(), id, &if_match).await?;
    Ok(consultation_with_etag(d))
}

/// Publish the feedback summary (采纳情况) of a closed consultation, marking which
/// comments were adopted and why not.
#[utoipa::path(operation_id = "publishConsultationSummary",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = SummaryIn, responses((status = 200, body = ConsultationDto)))]
#[post("/consultations/{id}/summary")]
pub async fn publish_summary(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SummaryIn>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let id = ConsultationId(*id);
    let d = app::publish_summary(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(consultation_with_etag(d))
}

/// Comment on an open consultation: registered, or anonymous with contact details (kept private).
#[utoipa::path(operation_id = "createConsultationComment",
    tag = "participation", security((), ("bearer" = [])), request_body = CommentIn,
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = CommentDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The consultation is not open (by the server's clock)")))]
#[post("/consultations/{id}/comments")]
pub async fn add_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: ApiJson<CommentIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createConsultationComment", auth.0.as_ref(), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse(auth.0.is_some())?;
    let id = ConsultationId(*id);
    let created = app::add_comment(&state, &actor_of(&auth), &idem, id, cmd).await?;
    Ok(created.into_response())
}

/// The comments: approved ones for the public (personal data masked, no contact details),
/// all of them for the organisation's disclosure officers.
#[utoipa::path(operation_id = "listConsultationComments",
    tag = "participation", security((), ("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CommentList)))]
#[get("/consultations/{id}/comments")]
pub async fn comments(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let list = app::comments(&state, &actor_of(&auth), ConsultationId(*id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Approve or reject a comment (with a reason); the public sees approved comments only.
#[utoipa::path(operation_id = "moderateConsultationComment",
    tag = "participation", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ModerateIn, responses((status = 200, body = CommentDto)))]
#[post("/consultation-comments/{id}/moderate")]
pub async fn moderate(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    body: ApiJson<ModerateIn>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let d = app::moderate(&state, &auth.actor(), CommentId(*id), cmd).await?;
    Ok(HttpResponse::Ok().json(d))
}
