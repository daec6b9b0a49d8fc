//! Service matters (政务服务事项) and the public service guide (办事指南).

pub mod dto;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::MatterId;
use zhengwu_domain::services::MatterTransition;

pub use self::dto::*;
use crate::app::matters as app;
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

fn with_etag(d: &MatterDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Register a service matter in its implementing organisation's catalogue (a draft).
#[utoipa::path(operation_id = "createServiceMatter",
    tag = "service matters", security(("bearer" = [])), request_body = CreateMatter,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The implementation code is taken")))]
#[post("/service-matters")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateMatter>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let created = app::create(&state, &auth.actor(), &idem, body.into_inner_value()).await?;
    Ok(created.into_response())
}

/// Read a matter's working version and workflow (staff of its organisation).
#[utoipa::path(operation_id = "getServiceMatter",
    tag = "service matters", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MatterDto, headers(("ETag" = String)))))]
#[get("/service-matters/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let m = app::get(&state, &auth.actor(), MatterId(*id)).await?;
    Ok(with_etag(&m))
}

/// Change a matter (send `If-Match`). A draft is edited in place; a published or
/// suspended matter gets a new working version, published again after review.
#[utoipa::path(operation_id = "updateServiceMatter",
    tag = "service matters", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchMatter, responses((status = 200, body = MatterDto)))]
#[patch("/service-matters/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchMatter>,
) -> ApiResult<HttpResponse> {
    let changes = body.into_inner_value().into();
    let m = app::update(&state, &auth.actor(), MatterId(*id), &if_match, changes).await?;
    Ok(with_etag(&m))
}

/// The common part of the workflow's steps: the optional body's reason, the step.
async fn step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    body: &[u8],
    t: MatterTransition,
) -> ApiResult<HttpResponse> {
    // The body's shape (JSON, no NUL) first, as the extractor checks it for every other
    // operation; then the role, before the reason is checked.
    let reason = reason_of(body)?;
    app::may(&auth.actor(), t)?;
    let m = app::step(state, &auth.actor(), MatterId(id), if_match, t, reason).await?;
    Ok(with_etag(&m))
}

/// The reason of an optional body (empty: none).
fn reason_of(body: &[u8]) -> ApiResult<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(crate::extract::parse_json::<MatterReason>(body)?
        .value
        .reason)
}

/// Submit the working version for review (organisation administrators).
#[utoipa::path(operation_id = "submitServiceMatter", tag = "service matters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<MatterReason>, description = "An optional note"),
    responses((status = 200, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed in the current state; `context.state` names it")))]
#[post("/service-matters/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        &body,
        MatterTransition::Submit,
    )
    .await
}

/// Publish the submitted version (reviewers); a published revision replaces the guide.
#[utoipa::path(operation_id = "publishServiceMatter", tag = "service matters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<MatterReason>, description = "An optional note"),
    responses((status = 200, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed in the current state; `context.state` names it")))]
#[post("/service-matters/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        &body,
        MatterTransition::Publish,
    )
    .await
}

/// Suspend a published matter (no new applications), with a reason.
#[utoipa::path(operation_id = "suspendServiceMatter", tag = "service matters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = RequiredReason, description = "The reason"),
    responses((status = 200, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed in the current state; `context.state` names it")))]
#[post("/service-matters/{id}/suspend")]
pub async fn suspend(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        &body,
        MatterTransition::Suspend,
    )
    .await
}

/// Resume a suspended matter.
#[utoipa::path(operation_id = "resumeServiceMatter", tag = "service matters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = Option<MatterReason>, description = "An optional note"),
    responses((status = 200, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed in the current state; `context.state` names it")))]
#[post("/service-matters/{id}/resume")]
pub async fn resume(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        &body,
        MatterTransition::Resume,
    )
    .await
}

/// Abolish a matter for good, with a reason.
#[utoipa::path(operation_id = "abolishServiceMatter", tag = "service matters",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body(content = RequiredReason, description = "The reason"),
    responses((status = 200, body = MatterDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed in the current state; `context.state` names it")))]
#[post("/service-matters/{id}/abolish")]
pub async fn abolish(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    step(
        &state,
        &auth,
        *id,
        &if_match,
        &body,
        MatterTransition::Abolish,
    )
    .await
}

/// The versions of a matter (staff of its organisation).
#[utoipa::path(operation_id = "listServiceMatterVersions",
    tag = "service matters", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MatterVersionList)))]
#[get("/service-matters/{id}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let items = app::versions(&state, &auth.actor(), MatterId(*id)).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// The public service guide (办事指南) of a published matter: conditions, materials,
/// fees, time limits, visits, windows, address and phones. The same for hall, web and app.
#[utoipa::path(operation_id = "getServiceGuide",
    tag = "service matters", params(("id" = Uuid, Path)),
    responses((status = 200, body = ServiceGuide)))]
#[get("/service-matters/{id}/guide")]
pub async fn guide(state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let g = app::guide(&state, MatterId(*id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(g))
}

/// Search the service matter catalogue.
#[utoipa::path(operation_id = "listServiceMatters",
    tag = "service matters", security((), ("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<MatterSummary>)))]
#[get("/service-matters")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let actor = auth.0.as_ref().map(Principal::actor);
    let page = app::list(&state, actor.as_ref(), (&*q).into(), &page).await?;
    Ok(page_response(&req, page))
}
