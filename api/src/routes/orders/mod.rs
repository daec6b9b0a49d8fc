//! Supervision orders (督办单) and accountability records (责任追究).

mod accountability;
mod dto;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::{OrderId, OrganizationId};
use zhengwu_domain::orders::OrderAction;

pub use self::accountability::*;
pub use self::dto::*;
use crate::app::orders::{self as app, OrderList, OrderStep};
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

/// Order an organisation to act on an item with a deadline (supervisors, within scope). The
/// ordered organisation is the item's.
#[utoipa::path(operation_id = "createSupervisionOrder",
    tag = "supervision", security(("bearer" = [])), request_body = CreateOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = OrderDto)))]
#[post("/supervision/orders")]
pub async fn create_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateOrder>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let created = app::issue::<OrderDto>(&state, &actor, &idem, cmd).await?;
    Ok(created.into_response())
}

/// Supervision orders to organisations of your scope.
#[utoipa::path(operation_id = "listSupervisionOrders",
    tag = "supervision", security(("bearer" = [])), params(OrdersQuery),
    responses((status = 200, body = Page<OrderDto>)))]
#[get("/supervision/orders")]
pub async fn list_orders(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<OrdersQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let query = OrderList {
        state: q.state,
        org: q.org.map(OrganizationId),
        after: page.after_uuid()?.map(OrderId),
        limit: limit + 1,
    };
    let rows = app::list(&state, &auth.actor(), query).await?;
    let page = Page::from_rows(rows, limit, |v| v.order.id.to_string(), OrderDto::from);
    Ok(page_response(&req, page))
}

/// One supervision order.
#[utoipa::path(operation_id = "getSupervisionOrder",
    tag = "supervision", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderDto)))]
#[get("/supervision/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = app::get(&state, &auth.actor(), OrderId(*id)).await?;
    Ok(answer(v.into()))
}

fn answer(dto: OrderDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto)
}

/// Calls the one use case of every step of an order and answers the order.
async fn step(
    state: &AppState,
    auth: &Principal,
    id: Uuid,
    if_match: &IfMatch,
    step: OrderStep,
) -> ApiResult<HttpResponse> {
    let v = app::step(state, &auth.actor(), OrderId(id), if_match, step).await?;
    Ok(answer(v.into()))
}

/// The ordered organisation responds (反馈) — to an issued or escalated order.
#[utoipa::path(operation_id = "respondToSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RespondIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/respond")]
pub async fn respond_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RespondIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), OrderAction::Respond)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

/// The supervisor closes a responded order.
#[utoipa::path(operation_id = "closeSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CloseOrderIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/close")]
pub async fn close_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CloseOrderIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), OrderAction::Close)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}

/// The supervisor escalates (升级督办): a higher level and a new deadline; the organisation
/// responds again.
#[utoipa::path(operation_id = "escalateSupervisionOrder",
    tag = "supervision", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = EscalateIn, responses((status = 200, body = OrderDto)))]
#[post("/supervision/orders/{id}/escalate")]
pub async fn escalate_order(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<EscalateIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), OrderAction::Escalate)?;
    let cmd = body.into_inner_value().parse()?;
    step(&state, &auth, *id, &if_match, cmd).await
}
