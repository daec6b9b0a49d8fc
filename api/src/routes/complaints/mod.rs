//! Complaints and reports (投诉举报) about an organisation, a window or a staff member:
//! the decision to accept is due within the organisation's acceptance days (default 5
//! working days); then handle → reply → close, or refer to discipline inspection.

mod dto;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;
use zhengwu_domain::complaints::ComplaintAction;
use zhengwu_domain::ids::{ComplaintId, OrganizationId};

pub use self::dto::*;
use crate::app::Actor;
use crate::app::complaints::{self as app, ComplaintList};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// Complain about, or report, an organisation, a window or a staff member. Anyone may; without
/// an account a contact is required (never shown to the public). Staff accounts cannot file.
#[utoipa::path(operation_id = "createComplaint",
    tag = "complaints", security((), ("bearer" = [])), request_body = ComplaintIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = ComplaintDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Staff accounts cannot file complaints; without an account no `case_id` \
can be named (`errors[]` names it)")))]
#[post("/complaints")]
pub async fn submit_complaint(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    key: IdempotencyKey,
    body: ApiJson<ComplaintIn>,
) -> ApiResult<HttpResponse> {
    let actor = auth
        .0
        .as_ref()
        .map_or_else(Actor::anonymous, Principal::actor);
    crate::writers::check("createComplaint", auth.0.as_ref(), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse(auth.0.is_some())?;
    let created = app::submit::<ComplaintDto>(&state, &actor, &idem, cmd).await?;
    Ok(created.into_response())
}

/// Complaints: handlers see those about organisations of their scope; an applicant sees
/// their own.
#[utoipa::path(operation_id = "listComplaints",
    tag = "complaints", security(("bearer" = [])), params(ComplaintsQuery),
    responses((status = 200, body = Page<ComplaintDto>)))]
#[get("/complaints")]
pub async fn list_complaints(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ComplaintsQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let query = ComplaintList {
        org: q.org.map(OrganizationId),
        state: q.state,
        from: q.from,
        to: q.to,
        after: page.after_uuid()?.map(ComplaintId),
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), query).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |v| v.complaint.id.to_string(),
        ComplaintDto::from,
    );
    Ok(page_response(&req, page))
}

/// Progress of a complaint by number and query code (rate limited per address).
#[utoipa::path(operation_id = "lookupPublicComplaint",
    tag = "complaints", params(("number" = String, Path), ComplaintLookupQuery),
    responses((status = 200, body = PublicComplaint),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many lookups from this address")))]
#[get("/public/complaints/{number}")]
pub async fn lookup_complaint(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    q: web::Query<ComplaintLookupQuery>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_lookup(&state, &req)?;
    let k = app::lookup(&state, &number, &q.code).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicComplaint::from(k)))
}

/// One complaint: its handlers, or its complainant (without the internal findings).
#[utoipa::path(operation_id = "getComplaint",
    tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ComplaintDto)))]
#[get("/complaints/{id}")]
pub async fn get_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = app::get(&state, &auth.actor(), ComplaintId(*id)).await?;
    Ok(answer(v.into()))
}

fn answer(dto: ComplaintDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

/// Calls the one use case of every handling step and answers the complaint.
async fn step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    action: ComplaintAction,
    text: Option<String>,
) -> ApiResult<HttpResponse> {
    let id = ComplaintId(id);
    let v = app::step(state, &auth.actor(), id, if_match, action, text).await?;
    Ok(answer(v.into()))
}

#[doc = "Accept a complaint (受理), before its acceptance due date; the acceptor handles it. Not \
     by its subject: the staff member or window complained about, or the organisation \
     complained about (the organisation above it handles it)."]
#[utoipa::path(operation_id = "acceptComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintStepIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/accept")]
pub async fn accept_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintStepIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Accept)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Accept, text).await
}

/// Decide not to accept (不予受理), with the reason.
#[utoipa::path(operation_id = "rejectComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintTextIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/reject")]
pub async fn reject_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintTextIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Reject)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Reject, text).await
}

/// Record the findings of the investigation (办理).
#[utoipa::path(operation_id = "handleComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintTextIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/handle")]
pub async fn handle_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintTextIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Handle)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Handle, text).await
}

/// Reply to the complainant (答复).
#[utoipa::path(operation_id = "replyToComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintTextIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/reply")]
pub async fn reply_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintTextIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Reply)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Reply, text).await
}

/// Close a replied complaint (办结).
#[utoipa::path(operation_id = "closeComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintStepIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/close")]
pub async fn close_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintStepIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Close)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Close, text).await
}

#[doc = "Refer an accepted complaint to discipline inspection (移送纪检监察): records the \
     referral as accountability."]
#[utoipa::path(operation_id = "referComplaint", tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ComplaintTextIn, responses((status = 200, body = ComplaintDto)))]
#[post("/complaints/{id}/refer")]
pub async fn refer_complaint(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ComplaintTextIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), ComplaintAction::Refer)?;
    let text = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, ComplaintAction::Refer, text).await
}
