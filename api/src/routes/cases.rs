//! Cases (办件): application, intake, processing, decision, delivery, the trail and the
//! public progress lookup. The handlers extract, call one use case of
//! [`crate::app::cases`] and answer.

mod dto;
mod views;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
pub use dto::*;
use uuid::Uuid;
pub use views::*;
use zhengwu_domain::ids::CaseId;
use zhengwu_domain::services::CaseAction;

use crate::app::cases::{self as app, CaseView};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// A case with its version as the ETag.
fn with_etag(view: CaseView) -> HttpResponse {
    let dto = CaseDto::from(view);
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

// ------------------------------------------------------------------ application

/// Apply: an applicant online (`web`, `mobile`), or a clerk at a window for someone
/// (`window`, `post`). Several matters make a parallel-approval project with a sub-case
/// each. Answers the case number and a query password for the public lookup.
#[utoipa::path(operation_id = "createCase",
    tag = "cases", security(("bearer" = [])), request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = CreatedCase),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not a clerk or an applicant, or an applicant set a field reserved to \
staff (`window_id`, `applicant`, `green_channel`; `errors[]` names it)")))]
#[post("/cases")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateCase>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createCase", Some(&auth), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.value.parse()?;
    let created = app::create(&state, &auth.actor(), &idem, cmd, CreatedCase::from).await?;
    Ok(created.into_response())
}

// ------------------------------------------------------------------ actions

#[doc = "Accept (受理): the clock starts; the due date is the promised limit in working days (an \
         immediate case is due the same day). After a one-time notice later than the notice \
         window the case counts as accepted on receipt (AL Art.32)."]
#[utoipa::path(operation_id = "acceptCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = NoteIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<NoteIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Accept)?;
    let cmd = body.value.parse()?;
    let view = app::accept(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Refuse to accept (不予受理), with the reason."]
#[utoipa::path(operation_id = "refuseCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CaseReasonIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/refuse")]
pub async fn refuse(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CaseReasonIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Refuse)?;
    let cmd = body.value.parse()?;
    let view = app::refuse(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "One-time notice (一次性告知) of every missing or defective material; one per \
         submission round."]
#[utoipa::path(operation_id = "notifyCaseMissingMaterials",
    tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = NotifyMissingIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/notify-missing")]
pub async fn notify_missing(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<NotifyMissingIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::NotifyMissing)?;
    let cmd = body.value.parse()?;
    let view = app::notify_missing(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Hand in the corrected materials (the applicant, or a clerk for them); a new submission \
         round."]
#[utoipa::path(operation_id = "resubmitCaseMaterials", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ResubmitIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/resubmit")]
pub async fn resubmit(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ResubmitIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("resubmitCaseMaterials", Some(&auth), &body)?;
    app::may(&auth.actor(), CaseAction::Resubmit)?;
    let cmd = body.value.parse()?;
    let view = app::resubmit(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Assign to a staff member of the handling organisation."]
#[utoipa::path(operation_id = "assignCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AssignIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AssignIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Assign)?;
    let cmd = body.value.parse();
    let view = app::assign(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Record a review step (审核, 决定 …) with the opinion; consecutive steps are \
         taken by different staff (一审一核)."]
#[utoipa::path(operation_id = "recordCaseStep", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = StepIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/steps")]
pub async fn steps(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<StepIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Step)?;
    let cmd = body.value.parse()?;
    let view = app::step(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Start a special procedure (听证, 招标, 拍卖, 检验检测检疫, 鉴定, \
         专家评审, 现场勘查): the clock stops (AL Art.45)."]
#[utoipa::path(operation_id = "suspendCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = SuspendIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SuspendIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Suspend)?;
    let cmd = body.value.parse()?;
    let view = app::suspend(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "End the special procedure: the paused working days are added to the due date."]
#[utoipa::path(operation_id = "resumeCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = NoteIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/resume")]
pub async fn resume(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<NoteIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Resume)?;
    let cmd = body.value.parse()?;
    let view = app::resume(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Extend the time limit once, with a reason, never beyond the statutory limit plus its \
         legal extension, decided on or before the due date (AL Art.42; 409 after it)."]
#[utoipa::path(operation_id = "extendCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CaseExtendIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/extend")]
pub async fn extend(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CaseExtendIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Extend)?;
    let cmd = body.value.parse()?;
    let view = app::extend(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Decide (办结): approved with the result document number, or denied with reasons."]
#[utoipa::path(operation_id = "decideCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = DecideIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/decide")]
pub async fn decide(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<DecideIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Decide)?;
    let cmd = body.value.parse()?;
    let view = app::decide(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Deliver the result (出件/送达), due within 10 working days of the decision \
         (AL Art.44); a later delivery is recorded as late."]
#[utoipa::path(operation_id = "deliverCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = DeliverIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/deliver")]
pub async fn deliver(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<DeliverIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Deliver)?;
    let cmd = body.value.parse()?;
    let view = app::deliver(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

#[doc = "Record what was charged per fee item; an item not in the matter's list or above its \
         standard is recorded and flagged for supervision."]
#[utoipa::path(operation_id = "chargeCase", tag = "cases", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ChargeIn,
    responses((status = 200, body = CaseDto), (status = 409, body = crate::error::Problem,
        content_type = "application/problem+json",
        description = "Not allowed in the current state; `context.state` names it")))]
#[post("/cases/{id}/charge")]
pub async fn charge(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ChargeIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), CaseAction::Charge)?;
    let cmd = body.value.parse()?;
    let view = app::charge(&state, &auth.actor(), CaseId(*id), &if_match, cmd).await?;
    Ok(with_etag(view))
}

// ------------------------------------------------------------------ reading

/// Read a case: its applicant, or staff of the handling organisation's scope.
#[utoipa::path(operation_id = "getCase",
    tag = "cases", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseDto, headers(("ETag" = String)))))]
#[get("/cases/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = app::get(&state, &auth.actor(), CaseId(*id)).await?;
    Ok(with_etag(view))
}

/// The trail of a case: every action with actor, time and note, and the clock.
#[utoipa::path(operation_id = "getCaseTimeline",
    tag = "cases", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Timeline)))]
#[get("/cases/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let t = app::timeline(&state, &auth.actor(), CaseId(*id)).await?;
    Ok(HttpResponse::Ok().json(Timeline::from(t)))
}

/// List cases: applicants their own, staff those of their scope.
#[utoipa::path(operation_id = "listCases",
    tag = "cases", security(("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<CaseDto>)))]
#[get("/cases")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let listing = q.into_inner().listing(&page)?;
    let found = app::list(&state, &auth.actor(), listing).await?;
    let page = Page {
        items: found.items.into_iter().map(CaseDto::from).collect(),
        next_cursor: found.next_cursor,
    };
    Ok(page_response(&req, page))
}

/// Public progress lookup (办件公开) by case number and query password: state, current
/// step, due date and decision, never personal data. Classified matters are not shown.
#[utoipa::path(operation_id = "lookupPublicCase",
    tag = "cases", params(("number" = String, Path), LookupQuery),
    responses((status = 200, body = PublicCase),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Too many lookups from this address")))]
#[get("/public/cases/{number}")]
pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    number: web::Path<String>,
    q: web::Query<LookupQuery>,
) -> ApiResult<HttpResponse> {
    crate::ratelimit::check_lookup(&state, &req)?;
    let found = app::lookup(&state, &number, &q.password).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PublicCase::from(found)))
}
