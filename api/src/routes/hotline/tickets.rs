//! Tickets: taken, listed, read, and moved step by step.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;
use zhengwu_domain::hotline::TicketAction;
use zhengwu_domain::ids::{OrganizationId, TicketId};

use super::dto::*;
use crate::app::hotline::steps;
use crate::app::hotline::tickets::{self, TicketQuery, TicketView};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// A ticket with its `ETag`.
fn ticket_response(view: TicketView) -> HttpResponse {
    let dto = TicketDto::from(view);
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

/// Take a ticket: an operator from a call, a message or a web form, or the public online
/// (anonymous submissions leave a contact, never shown publicly). The answer carries the
/// query code for the public lookup, once.
#[utoipa::path(operation_id = "createTicket",
    tag = "hotline", security((), ("bearer" = [])), request_body = TicketIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = TicketDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Staff other than hotline operators cannot take tickets; the public cannot \
set `urgency` or `classified` (`errors[]` names them)")))]
#[post("/hotline/tickets")]
pub async fn create_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<TicketIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createTicket", auth.0.as_ref(), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let actor = auth.0.as_ref().map(Principal::actor);
    let form = body.into_inner_value().form();
    let created = tickets::create(&state, actor.as_ref(), &idem, form, TicketDto::from).await?;
    Ok(created.into_response())
}

/// Tickets taken by a centre of your scope or dispatched to an organisation of it;
/// applicants see their own.
#[utoipa::path(operation_id = "listTickets",
    tag = "hotline", security(("bearer" = [])), params(TicketsQuery),
    responses((status = 200, body = Page<TicketDto>)))]
#[get("/hotline/tickets")]
pub async fn list_tickets(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<TicketsQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let query = TicketQuery {
        org: q.org.map(OrganizationId),
        state: q.state,
        kind: q.kind,
        responsible: q.responsible.map(OrganizationId),
        from: q.from,
        to: q.to,
        after: page.after_uuid()?.map(TicketId),
        limit: limit + 1,
    };
    let views = tickets::list(&state, &auth.actor(), query).await?;
    let key = |v: &TicketView| v.ticket.id.to_string();
    let page = Page::from_rows(views, limit, key, TicketDto::from);
    Ok(page_response(&req, page))
}

/// One ticket.
#[utoipa::path(operation_id = "getTicket",
    tag = "hotline", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TicketDto)))]
#[get("/hotline/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = tickets::get(&state, &auth.actor(), TicketId(*id)).await?;
    Ok(ticket_response(view))
}

/// Every step of a ticket (dispatches, returns, extensions, replies, callbacks …).
#[utoipa::path(operation_id = "getTicketTimeline",
    tag = "hotline", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<TicketEventDto>)))]
#[get("/hotline/tickets/{id}/timeline")]
pub async fn ticket_timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let events = tickets::timeline(&state, &auth.actor(), TicketId(*id)).await?;
    let events: Vec<TicketEventDto> = events.into_iter().map(TicketEventDto::from).collect();
    Ok(HttpResponse::Ok().json(events))
}

#[doc = "Dispatch (派单) to the responsible department (operators): the due date follows the \
kind's time limit in working days (emergencies the same day), by the department's rules."]
#[utoipa::path(operation_id = "dispatchTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = DispatchIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/dispatch")]
pub async fn dispatch_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<DispatchIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Dispatch)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::dispatch(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

#[doc = "Send a ticket back as not yours (退单), with the reason (the department): it goes back \
to the operator for re-dispatch; returns are counted."]
#[utoipa::path(operation_id = "returnTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = TicketReasonIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/return")]
pub async fn return_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<TicketReasonIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Return)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::return_ticket(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

/// Ask for more working days, before the due date (the department).
#[utoipa::path(operation_id = "requestTicketExtension",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ExtensionRequestIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/request-extension")]
pub async fn request_ticket_extension(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ExtensionRequestIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::RequestExtension)?;
    let cmd = body.into_inner_value().parse()?;
    let (actor, id) = (auth.actor(), TicketId(*id));
    let view = steps::request_extension(&state, &actor, id, &if_match, cmd).await?;
    Ok(ticket_response(view))
}

#[doc = "Approve or refuse a pending extension request (operators); an approval moves the due \
date and is given on or before it (409 after)."]
#[utoipa::path(operation_id = "decideTicketExtension",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ExtensionDecisionIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/extension-decision")]
pub async fn decide_ticket_extension(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ExtensionDecisionIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::DecideExtension)?;
    let cmd = body.into_inner_value().parse()?;
    let view =
        steps::decide_extension(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

/// Reply (the department); `public` lists the answer among the public answers.
#[utoipa::path(operation_id = "replyToTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = TicketReplyIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/reply")]
pub async fn reply_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<TicketReplyIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Reply)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::reply(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

#[doc = "Record the follow-up call (回访, operators): satisfied, or not — then the ticket is \
reopened (重办) with a new due date and a note is required."]
#[utoipa::path(operation_id = "recordTicketCallback",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = TicketCallbackIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/callback")]
pub async fn callback_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<TicketCallbackIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Callback)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::callback(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

/// Close a replied or called-back ticket (办结, operators).
#[utoipa::path(operation_id = "closeTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CloseTicketIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/close")]
pub async fn close_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CloseTicketIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Close)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::close(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}

#[doc = "Merge a duplicate into another ticket (operators); it ends `merged` and the other's \
trail records it."]
#[utoipa::path(operation_id = "mergeTicket",
    tag = "hotline", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = MergeIn, responses((status = 200, body = TicketDto)))]
#[post("/hotline/tickets/{id}/merge")]
pub async fn merge_ticket(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<MergeIn>,
) -> ApiResult<HttpResponse> {
    steps::may(&auth.actor(), TicketAction::Merge)?;
    let cmd = body.into_inner_value().parse()?;
    let view = steps::merge(&state, &auth.actor(), TicketId(*id), &if_match, cmd).await?;
    Ok(ticket_response(view))
}
