//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(operation_id = "getHealth",
    tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database (and the read replica, when one is set) answers. 503 while it is
/// unreachable, 200 again once it is back.
#[utoipa::path(operation_id = "getReadiness",
    tag = "operations", responses(
    (status = 200, body = Health),
    (status = 503, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The database cannot be reached")))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    for pool in std::iter::once(&state.pool).chain(state.read_pool.as_ref()) {
        zhengwu_persistence::db::ping(pool).await.map_err(|e| {
            log::warn!("readiness check failed: {e}");
            ApiError::unavailable()
        })?;
    }
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(operation_id = "getMetrics",
    tag = "operations", responses(
    (status = 200, content_type = "text/plain", body = String,
     description = "Request counts and latencies by route and status, pool usage")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}
