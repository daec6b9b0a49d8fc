//! Topic requests and messages to leaders: one handler per operation, each calling its use
//! case in [`crate::app::participation`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::MessageId;

use super::actor_of;
use super::dto::{AnswerIn, EchoEntry, ForwardIn, MessageDto, MessageIn};
use crate::app::participation as app;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// 200 with the message and its version as the ETag.
fn message_with_etag(d: MessageDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Ask for a topic to be disclosed (点题公开) or write to a leader (领导信箱).
#[utoipa::path(operation_id = "createPublicMessage",
    tag = "participation", security((), ("bearer" = [])), request_body = MessageIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = MessageDto)))]
#[post("/public-messages")]
pub async fn submit_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<MessageIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createPublicMessage", auth.0.as_ref(), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse(auth.0.is_some())?;
    let created = app::submit_message(&state, &actor_of(&auth), &idem, cmd).await?;
    Ok(created.into_response())
}

/// Messages received by, or forwarded to, the organisations of your scope.
#[utoipa::path(operation_id = "listPublicMessages",
    tag = "participation", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<MessageDto>)))]
#[get("/public-messages")]
pub async fn list_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let items = app::list_messages(&state, &auth.actor(), page.after_uuid()?, limit).await?;
    Ok(page_response(&req, items))
}

/// Forward a message to the department that answers, with a feedback deadline in working days.
#[utoipa::path(operation_id = "forwardPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ForwardIn, responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/forward")]
pub async fn forward(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ForwardIn>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let id = MessageId(*id);
    let d = app::forward(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(message_with_etag(d))
}

/// Answer a forwarded message: disclosed (with the item), not disclosed (why), or replied.
#[utoipa::path(operation_id = "answerPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AnswerIn, responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/answer")]
pub async fn answer_message(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AnswerIn>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let id = MessageId(*id);
    let d = app::answer_message(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(message_with_etag(d))
}

/// Publish the answer on the echo wall (回音壁).
#[utoipa::path(operation_id = "publishPublicMessage",
    tag = "participation", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses((status = 200, body = MessageDto)))]
#[post("/public-messages/{id}/publish")]
pub async fn publish_message(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = MessageId(*id);
    let d = app::publish_message(&state, &auth.actor(), id, &if_match).await?;
    Ok(message_with_etag(d))
}

/// The echo wall (回音壁): published answers to the public's questions, newest first.
#[utoipa::path(operation_id = "listEchoWall",
    tag = "participation", params(PageParams), responses((status = 200, body = Page<EchoEntry>)))]
#[get("/public/echo-wall")]
pub async fn echo_wall(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let items = app::echo_wall(&state, page.after_uuid()?, limit).await?;
    Ok(page_response(&req, items))
}
