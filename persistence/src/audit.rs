//! The append-only, hash-chained audit log.
//!
//! Each event stores the SHA-256 of the previous event's hash and its own content, so a row
//! changed or removed behind the application's back breaks the chain at that row. Appends
//! take a transaction-scoped advisory lock, so the chain order is the commit order even with
//! several API replicas writing at once.
//!
//! The removal of the newest events leaves no break; checkpoints show it. A checkpoint names
//! the chain's head at a moment (the event, its hash and the number of events up to it), is
//! signed with HMAC-SHA-256 under a key the database does not hold, and links to the
//! previous checkpoint's signature. Verification checks every checkpoint against the chain:
//! a checkpoint naming an event the chain no longer holds means its tail was cut.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::schema::{audit_checkpoints, audit_events};
use crate::scope::{Scope, path_pattern};

const AUDIT_CHAIN_LOCK: i64 = 0x7a68_656e_6777_7502;
/// Serialises the taking of checkpoints (replicas take them on a timer).
const CHECKPOINT_LOCK: i64 = 0x7a68_656e_6777_7503;
const GENESIS: [u8; 32] = [0; 32];

/// Who acted: the caller of the use case.
pub use zhengwu_domain::access::Actor;

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
#[derive(Debug, Clone)]
pub struct Filter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// Only events of entities inside this scope.
    pub within: Scope,
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
    if let Some(pattern) = path_pattern(&f.within) {
        q = q.filter(audit_events::org_path.like(pattern));
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

/// The key checkpoints are signed with (HMAC-SHA-256).
#[derive(Clone)]
pub struct CheckpointKey {
    key: Vec<u8>,
    id: String,
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

impl CheckpointKey {
    pub fn new(key: &[u8]) -> Self {
        let id = hex::encode(&Sha256::digest(key)[..8]);
        Self {
            key: key.to_vec(),
            id,
        }
    }

    /// The first 8 bytes of SHA-256 of the key, hex: names the key without revealing it.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        use hmac::{KeyInit, Mac};
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
        mac.update(message);
        mac
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        use hmac::Mac;
        self.mac(message).finalize().into_bytes().to_vec()
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        use hmac::Mac;
        self.mac(message).verify_slice(signature).is_ok()
    }
}

/// A checkpoint of the chain's head.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoints)]
pub struct Checkpoint {
    pub id: i64,
    pub event_id: i64,
    pub event_hash: Vec<u8>,
    pub events: i64,
    pub created_at: DateTime<Utc>,
    pub prev_signature: Option<Vec<u8>>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

/// What a checkpoint's signature covers, canonically.
fn checkpoint_message(
    event_id: i64,
    event_hash: &[u8],
    events: i64,
    created_at: DateTime<Utc>,
    prev_signature: Option<&[u8]>,
) -> Vec<u8> {
    format!(
        "zhengwu-audit-checkpoint:v1:{event_id}:{}:{events}:{}:{}",
        hex::encode(event_hash),
        created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        prev_signature.map(hex::encode).unwrap_or_default()
    )
    .into_bytes()
}

/// Takes a checkpoint of the head at `now`, unless the head is the last checkpoint's (or
/// the chain is empty): `None` then.
pub async fn take_checkpoint(
    conn: &mut Conn,
    key: &CheckpointKey,
    now: DateTime<Utc>,
) -> Result<Option<Checkpoint>, DbError> {
    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CHECKPOINT_LOCK})"))
        .execute(conn)
        .await?;
    let head: Option<(i64, Vec<u8>)> = audit_events::table
        .select((audit_events::id, audit_events::hash))
        .order(audit_events::id.desc())
        .first(conn)
        .await
        .optional()?;
    let Some((event_id, event_hash)) = head else {
        return Ok(None);
    };
    let last = newest_checkpoint(conn).await?;
    if last.as_ref().is_some_and(|l| l.event_id >= event_id) {
        return Ok(None);
    }
    // Counted from the last checkpoint on, so that a long chain is not counted whole.
    let (since, before) = last.as_ref().map_or((0, 0), |l| (l.event_id, l.events));
    let new: i64 = audit_events::table
        .filter(audit_events::id.gt(since))
        .filter(audit_events::id.le(event_id))
        .count()
        .get_result(conn)
        .await?;
    let events = before + new;
    let created_at = now
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now);
    let prev_signature = last.map(|l| l.signature);
    let signature = key.sign(&checkpoint_message(
        event_id,
        &event_hash,
        events,
        created_at,
        prev_signature.as_deref(),
    ));
    let saved = diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::event_id.eq(event_id),
            audit_checkpoints::event_hash.eq(&event_hash),
            audit_checkpoints::events.eq(events),
            audit_checkpoints::created_at.eq(created_at),
            audit_checkpoints::prev_signature.eq(prev_signature.as_deref()),
            audit_checkpoints::key_id.eq(key.id()),
            audit_checkpoints::signature.eq(&signature),
        ))
        .returning(Checkpoint::as_returning())
        .get_result(conn)
        .await?;
    Ok(Some(saved))
}

/// The newest checkpoint, if any.
pub async fn newest_checkpoint(conn: &mut Conn) -> Result<Option<Checkpoint>, DbError> {
    Ok(audit_checkpoints::table
        .select(Checkpoint::as_select())
        .order(audit_checkpoints::id.desc())
        .first(conn)
        .await
        .optional()?)
}

/// Checkpoints after `after_id`, oldest first (for export).
pub async fn checkpoints(
    conn: &mut Conn,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Checkpoint>, DbError> {
    let mut q = audit_checkpoints::table
        .select(Checkpoint::as_select())
        .order(audit_checkpoints::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after_id {
        q = q.filter(audit_checkpoints::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// A checkpoint held outside the database (e.g. notarised): the chain must still hold its
/// event with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCheckpoint {
    pub event_id: i64,
    pub event_hash: Vec<u8>,
}

/// The chain ends before a checkpoint's event: its newest events were removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The checkpoint that shows it (`None`: a checkpoint held outside).
    pub checkpoint_id: Option<i64>,
    /// The event it names, and how many events there were up to it.
    pub event_id: i64,
    pub events: Option<i64>,
    /// The last event the chain still holds.
    pub last_event_id: Option<i64>,
}

/// The outcome of walking the chain and its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    pub first_broken_id: Option<i64>,
    /// Checkpoints whose signature, link or event matched.
    pub checkpoints_checked: u64,
    /// The first checkpoint whose signature does not verify, whose link to the previous one
    /// is broken, or whose event has another hash or position in the chain.
    pub first_bad_checkpoint_id: Option<i64>,
    /// Checkpoints signed under another key (a rotated one): their event is checked, their
    /// signature cannot be.
    pub checkpoints_other_key: u64,
    pub truncated: Option<Truncation>,
    /// Whether the chain holds the checkpoint held outside (`None`: none was given).
    pub held_matches: Option<bool>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.first_broken_id.is_none()
            && self.first_bad_checkpoint_id.is_none()
            && self.truncated.is_none()
            && self.held_matches != Some(false)
    }
}

/// Checkpoints read in order, one batch at a time.
struct CheckpointCursor {
    batch: std::collections::VecDeque<Checkpoint>,
    after: i64,
    done: bool,
}

impl CheckpointCursor {
    async fn next(&mut self, conn: &mut Conn) -> Result<Option<Checkpoint>, DbError> {
        if self.batch.is_empty() && !self.done {
            let rows = checkpoints(conn, Some(self.after), 2000).await?;
            self.done = rows.len() < 2000;
            if let Some(l) = rows.last() {
                self.after = l.id;
            }
            self.batch.extend(rows);
        }
        Ok(self.batch.pop_front())
    }
}

/// Recomputes every hash in order and checks each link to the previous event; checks every
/// checkpoint (its signature under `key`, its link to the previous one, and that the chain
/// holds its event with its hash and position) and, if given, a checkpoint held outside.
pub async fn verify(
    conn: &mut Conn,
    key: Option<&CheckpointKey>,
    held: Option<&HeldCheckpoint>,
) -> Result<Verification, DbError> {
    const BATCH: i64 = 2000;
    let mut v = Verification {
        checked: 0,
        first_broken_id: None,
        checkpoints_checked: 0,
        first_bad_checkpoint_id: None,
        checkpoints_other_key: 0,
        truncated: None,
        held_matches: None,
    };
    let mut cps = CheckpointCursor {
        batch: Default::default(),
        after: 0,
        done: false,
    };
    let mut pending = cps.next(conn).await?;
    let mut prev_signature: Option<Vec<u8>> = None;
    let mut held_found = false;
    let mut prev = GENESIS.to_vec();
    let mut after = 0i64;
    let mut last_event: Option<i64> = None;
    'walk: loop {
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
                v.first_broken_id = Some(r.id);
                break 'walk;
            }
            v.checked += 1;
            prev.clone_from(&r.hash);
            last_event = Some(r.id);
            if let Some(h) = held.filter(|h| h.event_id == r.id) {
                held_found = h.event_hash == r.hash;
            }
            // Every checkpoint naming this event (or an earlier one the walk passed).
            while let Some(cp) = pending.take_if(|cp| cp.event_id <= r.id) {
                let message = checkpoint_message(
                    cp.event_id,
                    &cp.event_hash,
                    cp.events,
                    cp.created_at,
                    cp.prev_signature.as_deref(),
                );
                let signed = match key {
                    Some(k) if k.id() == cp.key_id => k.verifies(&message, &cp.signature),
                    _ => {
                        v.checkpoints_other_key += 1;
                        true
                    }
                };
                let linked = cp.prev_signature == prev_signature;
                let holds = cp.event_id == r.id
                    && cp.event_hash == r.hash
                    && u64::try_from(cp.events).is_ok_and(|n| n == v.checked);
                if !(signed && linked && holds) {
                    v.first_bad_checkpoint_id.get_or_insert(cp.id);
                } else {
                    v.checkpoints_checked += 1;
                }
                prev_signature = Some(cp.signature.clone());
                pending = cps.next(conn).await?;
            }
        }
    }
    if v.first_broken_id.is_none() {
        // Checkpoints beyond the chain's end: its newest events were cut.
        if let Some(cp) = pending {
            v.truncated = Some(Truncation {
                checkpoint_id: Some(cp.id),
                event_id: cp.event_id,
                events: Some(cp.events),
                last_event_id: last_event,
            });
        }
        if let Some(h) = held {
            v.held_matches = Some(held_found);
            if !held_found && v.truncated.is_none() && last_event.is_none_or(|l| l < h.event_id) {
                v.truncated = Some(Truncation {
                    checkpoint_id: None,
                    event_id: h.event_id,
                    events: None,
                    last_event_id: last_event,
                });
            }
        }
    }
    Ok(v)
}
