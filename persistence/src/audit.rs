//! The append-only, hash-chained audit log.
//!
//! Each event stores the SHA-256 of the previous event's hash and its own content, so a row
//! changed or removed behind the application's back breaks the chain at that row. Appends
//! take a transaction-scoped advisory lock, so the chain order is the commit order even with
//! several API replicas writing at once.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zhengwu_domain::account::ActorKind;

use crate::db::{Conn, DbError};
use crate::schema::audit_events;

const AUDIT_CHAIN_LOCK: i64 = 0x7a68_656e_6777_7502;
const GENESIS: [u8; 32] = [0; 32];

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<Uuid>,
    pub kind: ActorKind,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            id: None,
            kind: ActorKind::System,
        }
    }
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub entity_type: &'static str,
    pub entity_id: String,
    /// The organisation the entity belongs to, if any.
    pub org_path: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct EventRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_kind: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub org_path: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct InsertRow<'a> {
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_kind: &'a str,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    org_path: Option<&'a str>,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
    request_id: Option<&'a str>,
    prev_hash: &'a [u8],
    hash: &'a [u8],
}

#[allow(clippy::too_many_arguments)]
fn content_hash(
    prev: &[u8],
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_kind: &str,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    org_path: Option<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
    request_id: Option<&str>,
) -> Vec<u8> {
    // serde_json's maps are ordered, so this serialisation is canonical.
    let content = json!({
        "occurred_at": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_id": actor_id,
        "actor_kind": actor_kind,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "org_path": org_path,
        "before": before,
        "after": after,
        "request_id": request_id,
    });
    let mut h = Sha256::new();
    h.update(prev);
    h.update(content.to_string().as_bytes());
    h.finalize().to_vec()
}

/// Appends an event; call it inside the transaction that makes the change.
pub async fn append(conn: &mut Conn, event: NewEvent) -> Result<i64, DbError> {
    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({AUDIT_CHAIN_LOCK})"))
        .execute(conn)
        .await?;
    let prev: Vec<u8> = audit_events::table
        .select(audit_events::hash)
        .order(audit_events::id.desc())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_else(|| GENESIS.to_vec());
    // The database keeps microseconds; hash what it will return.
    let occurred_at = event
        .occurred_at
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(event.occurred_at);
    let hash = content_hash(
        &prev,
        occurred_at,
        event.actor.id,
        event.actor.kind.as_str(),
        &event.action,
        event.entity_type,
        &event.entity_id,
        event.org_path.as_deref(),
        event.before.as_ref(),
        event.after.as_ref(),
        event.request_id.as_deref(),
    );
    let id = diesel::insert_into(audit_events::table)
        .values(InsertRow {
            occurred_at,
            actor_id: event.actor.id,
            actor_kind: event.actor.kind.as_str(),
            action: &event.action,
            entity_type: event.entity_type,
            entity_id: &event.entity_id,
            org_path: event.org_path.as_deref(),
            before: event.before.as_ref(),
            after: event.after.as_ref(),
            request_id: event.request_id.as_deref(),
            prev_hash: &prev,
            hash: &hash,
        })
        .returning(audit_events::id)
        .get_result(conn)
        .await?;
    Ok(id)
}

/// Filters of the audit listing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// Only events of entities inside this subtree (`None`: every event).
    pub within: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only events with an id below this one (keyset pagination, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Events, newest first.
pub async fn list(conn: &mut Conn, f: &Filter) -> Result<Vec<EventRow>, DbError> {
    let mut q = audit_events::table
        .select(EventRow::as_select())
        .order(audit_events::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(t) = &f.entity_type {
        q = q.filter(audit_events::entity_type.eq(t));
    }
    if let Some(e) = &f.entity_id {
        q = q.filter(audit_events::entity_id.eq(e));
    }
    if let Some(a) = f.actor_id {
        q = q.filter(audit_events::actor_id.eq(a));
    }
    if let Some(w) = &f.within {
        q = q.filter(audit_events::org_path.like(format!("{}%", crate::orgs::escape_like(w))));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::occurred_at.lt(to));
    }
    if let Some(b) = f.before_id {
        q = q.filter(audit_events::id.lt(b));
    }
    Ok(q.load(conn).await?)
}

/// The events of one entity, oldest first (at most `limit`, the oldest ones).
pub async fn of_entity(
    conn: &mut Conn,
    entity_type: &str,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    Ok(audit_events::table
        .select(EventRow::as_select())
        .filter(audit_events::entity_type.eq(entity_type))
        .filter(audit_events::entity_id.eq(entity_id))
        .order(audit_events::id.asc())
        .limit(limit)
        .load(conn)
        .await?)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    pub first_broken_id: Option<i64>,
}

/// Recomputes every hash in order and checks each link to the previous event.
pub async fn verify(conn: &mut Conn) -> Result<Verification, DbError> {
    const BATCH: i64 = 2000;
    let mut prev = GENESIS.to_vec();
    let mut after = 0i64;
    let mut checked = 0u64;
    loop {
        let rows: Vec<EventRow> = audit_events::table
            .select(EventRow::as_select())
            .filter(audit_events::id.gt(after))
            .order(audit_events::id.asc())
            .limit(BATCH)
            .load(conn)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for r in &rows {
            let expected = content_hash(
                &prev,
                r.occurred_at,
                r.actor_id,
                &r.actor_kind,
                &r.action,
                &r.entity_type,
                &r.entity_id,
                r.org_path.as_deref(),
                r.before.as_ref(),
                r.after.as_ref(),
                r.request_id.as_deref(),
            );
            if r.prev_hash != prev || r.hash != expected {
                return Ok(Verification {
                    checked,
                    first_broken_id: Some(r.id),
                });
            }
            checked += 1;
            prev.clone_from(&r.hash);
        }
    }
    Ok(Verification {
        checked,
        first_broken_id: None,
    })
}
