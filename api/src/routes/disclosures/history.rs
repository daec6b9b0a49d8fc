//! The filed versions of an item.

use actix_web::{HttpResponse, get, web};
use uuid::Uuid;
use zhengwu_domain::ids::DisclosureItemId;

use super::actor_of;
use super::views::{PublishedDisclosure, VersionList};
use crate::app::disclosures::versions as filed;
use crate::auth::MaybePrincipal;
use crate::error::ApiResult;
use crate::state::AppState;

/// The filed versions of an item (公开内容备案).
#[utoipa::path(operation_id = "listDisclosureVersions",
    tag = "disclosures", security((), ("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = VersionList)))]
#[get("/disclosures/{id}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = DisclosureItemId(*id);
    let list = filed::list(&state, &actor_of(&auth), id).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One filed version, exactly as it was published (attachment hashes included).
#[utoipa::path(operation_id = "getDisclosureVersion",
    tag = "disclosures", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ("number" = i32, Path)),
    responses((status = 200, body = PublishedDisclosure)))]
#[get("/disclosures/{id}/versions/{number}")]
pub async fn version(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, number) = *path;
    let actor = actor_of(&auth);
    let v = filed::get(&state, &actor, DisclosureItemId(id), number).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=86400, immutable"))
        .json(v))
}
