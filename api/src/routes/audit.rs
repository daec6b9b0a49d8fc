//! Reading and verifying the audit log.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_persistence::audit::{self, HeldCheckpoint, Verification};

use crate::app::ParseOn;
use crate::app::audit::{self as app, EventList};
use crate::auth::Principal;
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
    /// Whether every event's hash and link to its predecessor is intact, every checkpoint
    /// holds, and the chain is not cut short of one.
    pub ok: bool,
    /// Events checked before the first broken one (all, when `ok`).
    pub checked: u64,
    /// The first event whose content or link no longer matches.
    pub first_broken_id: Option<i64>,
    /// Checkpoints whose signature, link to the previous one and event all hold.
    pub checkpoints_checked: u64,
    /// The first checkpoint that does not hold: a signature that does not verify (forged), a
    /// broken link (a checkpoint removed before it), or an event with another hash or place
    /// in the chain (history rewritten before it).
    pub first_bad_checkpoint_id: Option<i64>,
    /// Checkpoints signed under another key (before a rotation of `ZHENGWU_AUDIT_KEY`):
    /// their event is checked, their signature cannot be.
    pub checkpoints_signed_with_another_key: u64,
    /// The chain ends before an event a checkpoint names: its newest events were removed.
    pub truncated: Option<TruncationDto>,
    /// With `event_id` and `event_hash`: whether the chain still holds that event.
    pub held_checkpoint_matches: Option<bool>,
}

/// A cut tail of the chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct TruncationDto {
    /// The checkpoint that shows it; absent for a checkpoint held outside.
    pub checkpoint_id: Option<i64>,
    /// The event it names, which the chain no longer holds.
    pub event_id: i64,
    /// How many events there were up to it.
    pub events: Option<i64>,
    /// The last event the chain still holds.
    pub last_event_id: Option<i64>,
}

impl From<Verification> for VerifyResult {
    fn from(v: Verification) -> Self {
        Self {
            ok: v.ok(),
            checked: v.checked,
            first_broken_id: v.first_broken_id,
            checkpoints_checked: v.checkpoints_checked,
            first_bad_checkpoint_id: v.first_bad_checkpoint_id,
            checkpoints_signed_with_another_key: v.checkpoints_other_key,
            truncated: v.truncated.map(|t| TruncationDto {
                checkpoint_id: t.checkpoint_id,
                event_id: t.event_id,
                events: t.events,
                last_event_id: t.last_event_id,
            }),
            held_checkpoint_matches: v.held_matches,
        }
    }
}

/// A checkpoint held outside (e.g. notarised), to check that the chain still holds it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeldQuery {
    /// The checkpoint's `event_id`.
    pub event_id: Option<i64>,
    /// The checkpoint's `event_hash` (hex).
    #[param(
        example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        pattern = "^[0-9a-fA-F]{64}$"
    )]
    pub event_hash: Option<String>,
}

/// A signed checkpoint of the chain's head, as exported.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditCheckpointDto {
    pub id: i64,
    /// The newest event when it was taken.
    pub event_id: i64,
    /// That event's hash, hex.
    pub event_hash: String,
    /// The number of events up to and including it.
    pub events: i64,
    pub created_at: DateTime<Utc>,
    /// The previous checkpoint's signature, hex (absent for the first).
    pub prev_signature: Option<String>,
    /// Names the signing key: the first 8 bytes of its SHA-256, hex.
    pub key_id: String,
    /// HMAC-SHA-256 over `zhengwu-audit-checkpoint:v1:{event_id}:{event_hash}:{events}:
    /// {created_at, RFC 3339 with microseconds}:{prev_signature}`, hex.
    pub signature: String,
}

impl From<audit::Checkpoint> for AuditCheckpointDto {
    fn from(c: audit::Checkpoint) -> Self {
        Self {
            id: c.id,
            event_id: c.event_id,
            event_hash: hex::encode(c.event_hash),
            events: c.events,
            created_at: c.created_at,
            prev_signature: c.prev_signature.map(hex::encode),
            key_id: c.key_id,
            signature: hex::encode(c.signature),
        }
    }
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
    let limit = page.limit()?;
    let query = EventList {
        entity_type: q.entity_type.clone(),
        entity_id: q.entity_id.clone(),
        actor: q.actor_id,
        from: q.from,
        to: q.to,
        before: page.after_i64()?,
        limit: limit + 1,
    };
    let rows = app::events(&state, &auth.actor(), query).await?;
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

impl ParseOn<Option<HeldCheckpoint>> for HeldQuery {
    fn parse_on(self, _today: NaiveDate) -> ApiResult<Option<HeldCheckpoint>> {
        let required = |pointer: &str, with: &str| {
            ApiError::field(pointer, Code::FieldRequiredWhen, format!("with {with}"))
        };
        match (self.event_id, self.event_hash.as_deref()) {
            (None, None) => Ok(None),
            (Some(event_id), Some(h)) => Ok(Some(HeldCheckpoint {
                event_id,
                event_hash: hex::decode(h)
                    .ok()
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| {
                        let message = "64 hexadecimal characters";
                        ApiError::field("?event_hash", Code::HashFormat, message)
                    })?,
            })),
            (None, Some(_)) => Err(required("?event_id", "event_hash")),
            (Some(_), None) => Err(required("?event_hash", "event_id")),
        }
    }
}

/// Verify that no audit event has been altered or removed: every event's hash and link,
/// and every checkpoint — its signature, its link to the previous checkpoint, and that the
/// chain still holds its event — so that the removal of the newest events shows too. With
/// `event_id` and `event_hash` of a checkpoint held outside, also that the chain holds it.
#[utoipa::path(operation_id = "verifyAuditChain",
    tag = "audit", security(("bearer" = [])), params(HeldQuery),
    responses((status = 200, body = VerifyResult)))]
#[get("/audit-events/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<HeldQuery>,
) -> ApiResult<HttpResponse> {
    let v = app::verify(&state, &auth.actor(), q.into_inner()).await?;
    Ok(HttpResponse::Ok().json(VerifyResult::from(v)))
}

/// The signed checkpoints of the audit chain, oldest first, for export and notarisation
/// outside the system (system administrators and supervisors).
#[utoipa::path(operation_id = "listAuditCheckpoints",
    tag = "audit", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<AuditCheckpointDto>)))]
#[get("/audit-checkpoints")]
pub async fn checkpoints(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let limit = page.limit()?;
    let rows = app::checkpoints(&state, &auth.actor(), page.after_i64()?, limit + 1).await?;
    Ok(page_response(
        &req,
        Page::from_rows(rows, limit, |c| c.id.to_string(), AuditCheckpointDto::from),
    ))
}
