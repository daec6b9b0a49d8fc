//! Applications for disclosure (依申请公开) with the statutory clock (OGI Art.30–34).

mod actions;
pub mod dto;
mod parse;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::{DisclosureRequestId, OrganizationId};

pub use self::actions::{
    close_lapsed, consult, extend, fee_notice, fee_paid, record_opinion, reply, request_correction,
    submit_correction,
};
use self::dto::{
    CreateRequest, FeeQuote, ListQuery, QuoteQuery, RemedyDto, RemedyIn, RemedyUpdate, RequestDto,
    RequestTimeline,
};
use crate::app::requests::{self as app, RequestQuery};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// Apply for disclosure: online by a registered applicant, or registered by a disclosure
/// officer for a letter, visit or fax with the facts that fix the received date (OGI Art.31).
#[utoipa::path(operation_id = "createDisclosureRequest",
    tag = "disclosure requests", security(("bearer" = [])), request_body = CreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = RequestDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not an officer or an applicant, or an applicant set a field reserved to \
officers (`applicant`, `submitted_on`, `signed_on`, `confirmed_on`; `errors[]` names it)")))]
#[post("/disclosure-requests")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateRequest>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("createDisclosureRequest", Some(&auth), &body)?;
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let created = app::create(&state, &auth.actor(), &idem, cmd).await?;
    Ok(created.into_response())
}

/// Read an application: its applicant, or staff in scope.
#[utoipa::path(operation_id = "getDisclosureRequest",
    tag = "disclosure requests", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestDto)))]
#[get("/disclosure-requests/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let d = app::get(&state, &auth.actor(), DisclosureRequestId(*id)).await?;
    Ok(with_etag(d))
}

/// 200 with the application and its version as the ETag.
pub(crate) fn with_etag(d: RequestDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// The clock's history: started, stopped, restarted, extended, replied.
#[utoipa::path(operation_id = "getDisclosureRequestTimeline",
    tag = "disclosure requests", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RequestTimeline)))]
#[get("/disclosure-requests/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let t = app::timeline(&state, &auth.actor(), DisclosureRequestId(*id)).await?;
    Ok(HttpResponse::Ok().json(t))
}

/// List applications: applicants their own, staff those of their scope.
#[utoipa::path(operation_id = "listDisclosureRequests",
    tag = "disclosure requests", security(("bearer" = [])), params(ListQuery, PageParams),
    responses((status = 200, body = Page<RequestDto>)))]
#[get("/disclosure-requests")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ListQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let q = q.into_inner();
    let query = RequestQuery {
        org: q.org.map(OrganizationId),
        state: q.state,
        applicant_type: q.applicant_type,
        due_before: q.due_before,
        overdue: q.overdue,
        received_from: q.received_from,
        received_to: q.received_to,
    };
    let after = page.after_uuid()?;
    let items = app::list(&state, &auth.actor(), query, after, limit).await?;
    Ok(page_response(&req, items))
}

/// The information-processing fee (国办函〔2020〕109号): by case (10 a month free, then
/// ¥100 each to 30, rising ¥100 per further 10) or by volume (30 pages free, then ¥10, ¥20,
/// ¥40 a page by band); never both.
#[utoipa::path(operation_id = "quoteDisclosureRequestFee",
    tag = "disclosure requests", params(QuoteQuery), responses((status = 200, body = FeeQuote)))]
#[get("/disclosure-requests/fee-quote")]
pub async fn fee_quote(q: web::Query<QuoteQuery>) -> ApiResult<HttpResponse> {
    let quote = app::fee_quote(q.method, q.nth, q.pages)?;
    Ok(HttpResponse::Ok().json(quote))
}

/// Record an administrative reconsideration or a lawsuit about an application.
#[utoipa::path(operation_id = "createDisclosureRequestRemedy",
    tag = "disclosure requests", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body = RemedyIn, responses((status = 201, body = RemedyDto)))]
#[post("/disclosure-requests/{id}/remedies")]
pub async fn add_remedy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: ApiJson<RemedyIn>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse();
    let id = DisclosureRequestId(*id);
    let created = app::add_remedy(&state, &auth.actor(), &idem, id, cmd).await?;
    Ok(created.into_response())
}

/// Update the outcome of a reconsideration or lawsuit (upheld, corrected, other, pending).
#[utoipa::path(operation_id = "updateDisclosureRequestRemedy",
    tag = "disclosure requests", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("remedy_id" = Uuid, Path)),
    request_body = RemedyUpdate, responses((status = 200, body = RemedyDto)))]
#[patch("/disclosure-requests/{id}/remedies/{remedy_id}")]
pub async fn update_remedy(
    state: web::Data<AppState>,
    auth: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: ApiJson<RemedyUpdate>,
) -> ApiResult<HttpResponse> {
    let (id, remedy_id) = *path;
    let cmd = body.into_inner_value().parse();
    let id = DisclosureRequestId(id);
    let d = app::update_remedy(&state, &auth.actor(), id, remedy_id, cmd).await?;
    Ok(HttpResponse::Ok().json(d))
}
