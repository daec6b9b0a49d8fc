//! Reading and verifying the audit log.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_persistence::audit::{self, HeldCheckpoint, Truncation, Verification};

use crate::app::ParseOn;
use crate::app::audit::{self as app, EventList};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: i64,
    /// The hash chain the event belongs to (0 to 31): the events of one request share one.
    #[schema(example = 7)]
    pub chain: i16,
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

/// The verification of the audit log. The events are spread over hash chains (one per
/// request, 32 in all); each chain is walked in order and reported in `chains`; the fields
/// before `chains` sum them up as one chain was reported before.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResult {
    /// Whether every chain is intact (every event's hash and link to its predecessor), every
    /// checkpoint holds, no chain is cut short of a checkpoint's head, and the checkpoint
    /// held outside, if given, is held.
    pub ok: bool,
    /// Events checked over all chains, each chain up to its first broken event (all, when
    /// `ok`).
    pub checked: u64,
    /// The lowest of the chains' first broken events (each chain's is in `chains`).
    pub first_broken_id: Option<i64>,
    /// Checkpoints whose signature, link to the previous one and heads all hold.
    pub checkpoints_checked: u64,
    /// The first checkpoint that does not hold: a signature that does not verify (forged), a
    /// broken link (a checkpoint removed before it), a row that disagrees with its heads, or
    /// a head whose event has another hash or place in its chain (history rewritten before
    /// it).
    pub first_bad_checkpoint_id: Option<i64>,
    /// Checkpoints signed under another key (before a rotation of `ZHENGWU_AUDIT_KEY`):
    /// their heads are checked, their signature cannot be.
    pub checkpoints_signed_with_another_key: u64,
    /// The first cut tail found, checkpoints in order: a chain ends before the event a
    /// checkpoint names as its head, so its newest events were removed (each chain's is in
    /// `chains`).
    pub truncated: Option<TruncationDto>,
    /// With `event_id` and `event_hash`: whether the chain that holds that event holds it
    /// with that hash, intact up to it.
    pub held_checkpoint_matches: Option<bool>,
    /// Every chain that holds events, and every chain a checkpoint names, in chain order.
    pub chains: Vec<ChainVerifyDto>,
}

/// The verification of one hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainVerifyDto {
    #[schema(example = 7)]
    pub chain: i16,
    /// Events of the chain checked before its first broken one (all, when it has none).
    pub checked: u64,
    /// The chain's first event whose content or link to its predecessor no longer matches
    /// (an event edited, removed, or moved from its place).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_id: Option<i64>,
    /// The chain's newest event; absent for a chain that only a checkpoint names (all its
    /// events removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<i64>,
    /// The first checkpoint whose head of this chain is beyond its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<TruncationDto>,
}

/// A cut tail of a chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct TruncationDto {
    /// The chain that was cut; absent for a checkpoint held outside (which names an event,
    /// not its chain).
    pub chain: Option<i16>,
    /// The checkpoint that shows it; absent for a checkpoint held outside.
    pub checkpoint_id: Option<i64>,
    /// The event it names as the chain's head, which the chain no longer holds.
    pub event_id: i64,
    /// How many events the chain had up to it.
    pub events: Option<i64>,
    /// The last event the chain still holds (for a checkpoint held outside: the newest
    /// event of all chains).
    pub last_event_id: Option<i64>,
}

impl From<Truncation> for TruncationDto {
    fn from(t: Truncation) -> Self {
        Self {
            chain: t.chain,
            checkpoint_id: t.checkpoint_id,
            event_id: t.event_id,
            events: t.events,
            last_event_id: t.last_event_id,
        }
    }
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
            truncated: v.truncated.map(TruncationDto::from),
            held_checkpoint_matches: v.held_matches,
            chains: v
                .chains
                .into_iter()
                .map(|c| ChainVerifyDto {
                    chain: c.chain,
                    checked: c.checked,
                    first_broken_id: c.first_broken_id,
                    last_event_id: c.last_event_id,
                    truncated: c.truncated.map(TruncationDto::from),
                })
                .collect(),
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

/// A signed checkpoint of the audit chains' heads, as exported.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditCheckpointDto {
    pub id: i64,
    /// The newest event of all chains when it was taken (for a checkpoint without `heads`:
    /// the head of chain 0, then the only chain).
    pub event_id: i64,
    /// That event's hash, hex.
    pub event_hash: String,
    /// The number of events of all chains up to their heads (without `heads`: of chain 0 up
    /// to and including `event_id`).
    pub events: i64,
    pub created_at: DateTime<Utc>,
    /// The previous checkpoint's signature, hex (absent for the first).
    pub prev_signature: Option<String>,
    /// Names the signing key: the first 8 bytes of its SHA-256, hex.
    pub key_id: String,
    /// HMAC-SHA-256, hex, over one of two messages (hashes and signatures in lower-case
    /// hex, the previous signature empty for the first checkpoint, `created_at` in RFC 3339
    /// with microseconds and `Z`). With `heads` (v2):
    /// `zhengwu-audit-checkpoint:v2:{created_at}:{prev_signature}:` followed by
    /// `{chain}:{event_id}:{event_hash}:{events};` for each head in chain order — the
    /// fields above are then not signed, and must agree with the heads (the newest head,
    /// its hash, the sum of their events). Without `heads` (v1, taken before the chains):
    /// `zhengwu-audit-checkpoint:v1:{event_id}:{event_hash}:{events}:{created_at}:{prev_signature}`.
    pub signature: String,
    /// The head of every chain that held events when it was taken, in chain order; empty
    /// for a checkpoint taken before the chains (v1).
    pub heads: Vec<CheckpointHeadDto>,
}

/// A chain's head as a checkpoint names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointHeadDto {
    #[schema(example = 7)]
    pub chain: i16,
    /// The chain's newest event when the checkpoint was taken.
    pub event_id: i64,
    /// That event's hash, hex.
    pub event_hash: String,
    /// The number of events of the chain up to and including it.
    pub events: i64,
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
            heads: c
                .heads
                .into_iter()
                .map(|h| CheckpointHeadDto {
                    chain: h.chain,
                    event_id: h.event_id,
                    event_hash: hex::encode(h.event_hash),
                    events: h.events,
                })
                .collect(),
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
                chain: r.chain,
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

/// Verify that no audit event has been altered or removed: every chain's hashes and links
/// (naming the first broken event of each chain), and every checkpoint — its signature, its
/// link to the previous checkpoint, and that each chain still holds the head it names — so
/// that the removal of a chain's newest events shows too. With `event_id` and `event_hash`
/// of a checkpoint held outside, also that the chain holding that event holds it.
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

/// The signed checkpoints of the audit chains, oldest first, with the head of each chain,
/// for export and notarisation outside the system (system administrators and supervisors).
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
