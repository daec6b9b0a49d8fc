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

/// The shared pool and the HTTP workers' pools.
fn pools(state: &AppState) -> Vec<zhengwu_persistence::PgPool> {
    let mut pools = vec![state.pool.clone()];
    if let Ok(workers) = state.worker_pools.lock() {
        pools.extend(workers.iter().cloned());
    }
    pools
}

/// Prometheus metrics in the OpenMetrics text format: requests by route template, status
/// and latency; the pools' connections (held, idle, waited for) and the shared read
/// sessions; database errors; the background jobs' runs, durations and last success, and
/// the refreshers' queue backlog; the build.
#[utoipa::path(operation_id = "getMetrics",
    tag = "operations", responses(
    (status = 200, content_type = "application/openmetrics-text", body = String,
     description = "OpenMetrics 1.0 text exposition (`# EOF` at the end)")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // The backlog is read now; without a database the scrape still answers, without it.
    let backlog = async {
        let mut c = zhengwu_persistence::db::conn(&state.pool).await?;
        zhengwu_persistence::case_stats::backlogs(&mut c).await
    };
    match actix_web::rt::time::timeout(std::time::Duration::from_secs(2), backlog).await {
        Ok(Ok(queues)) => {
            for (queue, entries) in queues {
                state.metrics.backlog(&queue, entries);
            }
        }
        Ok(Err(e)) => log::warn!("metrics: cannot read the queues' backlog: {e}"),
        Err(_) => log::warn!("metrics: the queues' backlog took too long to read"),
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&pools(&state)))
}
