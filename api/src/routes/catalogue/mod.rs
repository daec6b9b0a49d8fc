//! The disclosure catalogue (政府信息公开目录) and guide (政府信息公开指南) of an organisation.

pub mod dto;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use uuid::Uuid;
use zhengwu_domain::ids::{CategoryId, OrganizationId};

use self::dto::{
    Catalogue, CatalogueQuery, CategoryDto, CreateCategory, GuideDto, PatchCategory, PutGuide,
};
use crate::app::{Actor, catalogue};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::state::AppState;

/// Read an organisation's disclosure catalogue (public).
#[utoipa::path(operation_id = "listDisclosureCategories",
    tag = "disclosure catalogue", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), CatalogueQuery),
    responses((status = 200, body = Catalogue)))]
#[get("/organizations/{id}/disclosure-categories")]
pub async fn list(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
    q: web::Query<CatalogueQuery>,
) -> ApiResult<HttpResponse> {
    let actor = auth.0.as_ref().map_or_else(Actor::anonymous, |p| p.actor());
    let id = OrganizationId(*id);
    let catalogue = catalogue::list(&state, &actor, id, q.include_retired).await?;
    Ok(HttpResponse::Ok().json(catalogue))
}

/// Add a category to an organisation's catalogue.
#[utoipa::path(operation_id = "createDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body = CreateCategory,
    responses((status = 201, body = CategoryDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The catalogue has a category with this code")))]
#[post("/organizations/{id}/disclosure-categories")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<CreateCategory>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let cmd = body.into_inner_value().parse()?;
    let org = OrganizationId(*id);
    let created = catalogue::create(&state, &auth.actor(), idem, org, cmd).await?;
    Ok(created.into_response())
}

/// Rename, reorder, move, retire or reinstate a category (send `If-Match`).
#[utoipa::path(operation_id = "updateDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchCategory, responses((status = 200, body = CategoryDto)))]
#[patch("/disclosure-categories/{id}")]
pub async fn patch(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PatchCategory>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let id = CategoryId(*id);
    let saved = catalogue::update(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}

/// Delete a category that has never held an item; one with items can only be retired.
#[utoipa::path(operation_id = "deleteDisclosureCategory",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The category has items or sub-categories: retire it instead")))]
#[delete("/disclosure-categories/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    catalogue::remove(&state, &auth.actor(), CategoryId(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read an organisation's disclosure guide (public).
#[utoipa::path(operation_id = "getDisclosureGuide",
    tag = "disclosure catalogue", params(("id" = Uuid, Path)),
    responses((status = 200, body = GuideDto, headers(("ETag" = String)))))]
#[get("/organizations/{id}/disclosure-guide")]
pub async fn get_guide(state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let g = catalogue::guide(&state, OrganizationId(*id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(g.version)))
        .json(g))
}

/// Write an organisation's disclosure guide (send `If-Match` when replacing).
#[utoipa::path(operation_id = "putDisclosureGuide",
    tag = "disclosure catalogue", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PutGuide, responses((status = 200, body = GuideDto)))]
#[put("/organizations/{id}/disclosure-guide")]
pub async fn put_guide(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PutGuide>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_inner_value().parse()?;
    let id = OrganizationId(*id);
    let saved = catalogue::put_guide(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(saved.version)))
        .json(saved))
}
