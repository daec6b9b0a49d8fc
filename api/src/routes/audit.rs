//! Reading and verifying the audit log.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_persistence::audit;

use crate::auth::{Principal, Scope};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    #[schema(example = "user")]
    pub actor_kind: String,
    #[schema(example = "organization.update")]
    pub action: String,
    #[schema(example = "organization")]
    pub entity_type: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// SHA-256 of the previous event's hash and this event's content, hex.
    pub hash: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(example = "organization")]
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResult {
    /// Whether every event's hash and link to its predecessor is intact.
    pub ok: bool,
    /// Events checked before the first broken one (all, when `ok`).
    pub checked: u64,
    /// The first event whose content or link no longer matches.
    pub first_broken_id: Option<i64>,
}

/// The audit trail, newest first (supervisors, system administrators).
///
/// Supervisors see events of entities inside their subtree.
#[utoipa::path(operation_id = "listAuditEvents",
    tag = "audit", security(("bearer" = [])), params(AuditQuery, PageParams),
    responses((status = 200, body = Page<AuditEventDto>)))]
#[get("/audit-events")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::Supervisor])?;
    let within = match auth.scope() {
        Scope::All => None,
        Scope::Within(p) => Some(p.as_str().to_owned()),
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
    };
    let limit = page.limit()?;
    let mut conn = state.conn().await?;
    let rows = audit::list(
        &mut conn,
        &audit::Filter {
            entity_type: q.entity_type.clone(),
            entity_id: q.entity_id.clone(),
            actor_id: q.actor_id,
            within,
            from: q.from,
            to: q.to,
            before_id: page.after_i64()?,
            limit: limit + 1,
        },
    )
    .await?;
    Ok(page_response(
        &req,
        Page::from_rows(
            rows,
            limit,
            |r| r.id.to_string(),
            |r| AuditEventDto {
                id: r.id,
                occurred_at: r.occurred_at,
                actor_id: r.actor_id,
                actor_kind: r.actor_kind,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                before: r.before,
                after: r.after,
                request_id: r.request_id,
                hash: hex::encode(r.hash),
            },
        ),
    ))
}

/// Verify that no audit event has been altered or removed.
#[utoipa::path(operation_id = "verifyAuditChain",
    tag = "audit", security(("bearer" = [])), responses((status = 200, body = VerifyResult)))]
#[get("/audit-events/verify")]
pub async fn verify(state: web::Data<AppState>, auth: Principal) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::Supervisor])?;
    let mut conn = state.conn().await?;
    let v = audit::verify(&mut conn).await?;
    Ok(HttpResponse::Ok().json(VerifyResult {
        ok: v.first_broken_id.is_none(),
        checked: v.checked,
        first_broken_id: v.first_broken_id,
    }))
}
