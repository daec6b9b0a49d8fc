//! The append-only, hash-chained audit log.
//!
//! # Chains
//!
//! Events are spread over [`AUDIT_CHAINS`] hash chains (the `chain` column). Each event
//! stores the hash of the previous event of its chain (`prev_hash`; 32 zero bytes for a
//! chain's first) and its own hash, SHA-256 of that and its content, so a row changed or
//! removed behind the application's back breaks its chain at that row; swapping two rows'
//! content breaks it too. The chain is not part of the content: moving an event to another
//! chain breaks both.
//!
//! An append takes the transaction-scoped advisory lock of its chain only
//! ([`chain_lock_key`]), reads that chain's head and inserts. The lock is held until commit,
//! and the event's id is drawn after the lock is taken, so the next append to the chain sees
//! this event as its head and draws a larger id: **within a chain, ids increase in chain
//! order**, which is what lets the chain be walked by `(chain, id)`. Writes on different
//! chains do not wait for each other; before there were chains, the one lock serialised
//! every audited write of the system.
//!
//! **No transaction may lock two chains**: two transactions locking two chains in opposite
//! orders would deadlock. So the chain is chosen per request, not per event (see
//! [`NewEvent::chain`]), and [`append`] refuses a second chain in one transaction. The
//! events written before the chains are chain 0, whose head simply continues; chain 0's
//! lock key is the one the single chain had.
//!
//! # Checkpoints
//!
//! The removal of a chain's newest events leaves no break; checkpoints show it. A
//! checkpoint names the head of every non-empty chain at a moment (in
//! `audit_checkpoint_heads`: the chain's newest event, its hash and the number of events of
//! the chain up to it), is signed with HMAC-SHA-256 under a key the database does not hold,
//! and links to the previous checkpoint's signature. Its own row names the newest event of
//! all chains, its hash and the total number of events, for readers of one chain. The
//! signature covers the v2 message ([`Checkpoint::message`]); checkpoints taken before the
//! chains (v1, no heads) name chain 0's head in their row and are checked against chain 0.
//!
//! # Verification
//!
//! [`verify`] walks every chain in `(chain, id)` order, a batch at a time, recomputing each
//! hash from the previous one, and reports the first broken event of each chain. It checks
//! every checkpoint (in id order, a batch at a time): its signature under the key (or counts
//! it as signed under another key), its link to the previous one, and that every chain
//! holds its head — the event with that id is in that chain with that hash and is the
//! `events`-th event of the chain. A head beyond its chain's last event is a cut tail of
//! that chain. A checkpoint held outside the database is checked against whatever chain
//! holds its event.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int2, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::schema::{audit_checkpoint_heads, audit_checkpoints, audit_events};
use crate::scope::{Scope, path_pattern};

/// The number of hash chains. Changing it needs no migration — verification walks the
/// chains that hold events — but all replicas must agree on it.
pub const AUDIT_CHAINS: i16 = 32;
/// Chain 0's lock key, the key the single chain had before there were chains, so that an
/// old and a new replica never both append to chain 0 unlocked.
const AUDIT_CHAIN_LOCK: i64 = 0x7a68_656e_6777_7502;
/// Serialises the taking of checkpoints (replicas take them on a timer).
const CHECKPOINT_LOCK: i64 = 0x7a68_656e_6777_7503;
const GENESIS: [u8; 32] = [0; 32];
/// Rows read at a time by verification.
const BATCH: i64 = 2000;
/// Checkpoints read at a time by verification (each names up to [`AUDIT_CHAINS`] heads).
const CHECKPOINT_BATCH: i64 = 200;

/// The advisory lock key of a chain: chain 0's is the single chain's old key; the others
/// differ from it in the upper 32 bits (`AUDIT_CHAIN_LOCK + chain` would fall on the
/// checkpoint, alert-job and refresh locks, …7503 to …7505).
pub fn chain_lock_key(chain: i16) -> i64 {
    AUDIT_CHAIN_LOCK.wrapping_add(i64::from(chain) << 32)
}

/// The chain of a key (a request id, an actor's id): the first 8 bytes of its SHA-256,
/// modulo [`AUDIT_CHAINS`] — the same in every process and replica.
pub fn chain_for(key: &[u8]) -> i16 {
    let digest = Sha256::digest(key);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let n = u64::from_be_bytes(first) % u64::from(AUDIT_CHAINS.unsigned_abs());
    i16::try_from(n).unwrap_or(0)
}

/// Who acted: the caller of the use case.
pub use zhengwu_domain::access::Actor;

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The chain to append to, `0..AUDIT_CHAINS`. **One chain per transaction**: every
    /// event a transaction appends must name the same chain, or two transactions could each
    /// hold one chain's lock and wait for the other's ([`append`] refuses a second chain).
    /// The API picks it once per request, from a hash of the request id ([`chain_for`]),
    /// else of the actor's id, else 0, so all the events of one request share a chain and
    /// concurrent requests spread over the chains.
    pub chain: i16,
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
    pub chain: i16,
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
    chain: i16,
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

/// Takes the chain's lock unless the transaction holds another chain's: then nothing is
/// locked and `chain` is NULL. The chain a transaction locked is kept in a
/// transaction-local setting; the check and the lock are one statement.
const LOCK_CHAIN: &str = "SELECT CASE \
     WHEN coalesce(nullif(current_setting('zhengwu.audit_chain', true), ''), $1::text) = $1::text \
     THEN (SELECT set_config('zhengwu.audit_chain', $1::text, true) \
           FROM pg_advisory_xact_lock($2)) \
     END AS chain";

/// Appends an event; call it inside the transaction that makes the change. Every event of
/// a transaction must name the same chain (see [`NewEvent::chain`]).
pub async fn append(conn: &mut Conn, event: NewEvent) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Nullable<Text>)]
        chain: Option<String>,
    }
    let chain = event.chain;
    if !(0..AUDIT_CHAINS).contains(&chain) {
        return Err(DbError::Other(format!(
            "audit chain {chain} is not one of 0 to {}",
            AUDIT_CHAINS - 1
        )));
    }
    #[derive(QueryableByName)]
    struct Head {
        #[diesel(sql_type = diesel::sql_types::Binary)]
        hash: Vec<u8>,
    }
    // The head is read after the lock is taken, in a statement of its own: its snapshot
    // then shows the previous holder's event. The two statements are sent together; the
    // server runs the second once the first has its lock. `LIMIT 1` is in the text: with
    // the limit a parameter, PostgreSQL would plan each execution anew.
    let shared: &Conn = conn;
    let lock = crate::sql::prepared(LOCK_CHAIN)
        .bind::<Int2, _>(chain)
        .bind::<BigInt, _>(chain_lock_key(chain))
        .get_result::<Locked>(&mut &*shared);
    let head = crate::sql::prepared(
        "SELECT hash FROM audit_events WHERE chain = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind::<Int2, _>(chain)
    .load::<Head>(&mut &*shared);
    let (locked, mut head) = futures_util::future::try_join(lock, head).await?;
    if locked.chain.is_none() {
        return Err(DbError::Other(format!(
            "audit chain {chain}: this transaction appended to another chain (a transaction \
             may lock one chain only)"
        )));
    }
    let prev: Vec<u8> = head.pop().map_or_else(|| GENESIS.to_vec(), |h| h.hash);
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
    // A missing optional value is written as DEFAULT, so the text is one of a few (five
    // optional columns): kept prepared.
    let id = crate::sql::Cached(
        diesel::insert_into(audit_events::table)
            .values(InsertRow {
                chain,
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
            .returning(audit_events::id),
    )
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

/// The head of one chain as a checkpoint names it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoint_heads)]
pub struct CheckpointHead {
    pub chain: i16,
    /// The chain's newest event when the checkpoint was taken.
    pub event_id: i64,
    pub event_hash: Vec<u8>,
    /// The number of events of the chain up to and including it.
    pub events: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_checkpoints)]
struct CheckpointRow {
    id: i64,
    event_id: i64,
    event_hash: Vec<u8>,
    events: i64,
    created_at: DateTime<Utc>,
    prev_signature: Option<Vec<u8>>,
    key_id: String,
    signature: Vec<u8>,
}

/// A signed checkpoint of the chains' heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: i64,
    /// The newest event of all chains when it was taken, its hash, and the number of events
    /// of all chains up to it (v1: chain 0's head and its number of events).
    pub event_id: i64,
    pub event_hash: Vec<u8>,
    pub events: i64,
    pub created_at: DateTime<Utc>,
    pub prev_signature: Option<Vec<u8>>,
    pub key_id: String,
    pub signature: Vec<u8>,
    /// The head of every non-empty chain, in chain order (v2); empty for a checkpoint taken
    /// before the chains (v1).
    pub heads: Vec<CheckpointHead>,
}

impl Checkpoint {
    fn from_row(r: CheckpointRow, heads: Vec<CheckpointHead>) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            event_hash: r.event_hash,
            events: r.events,
            created_at: r.created_at,
            prev_signature: r.prev_signature,
            key_id: r.key_id,
            signature: r.signature,
            heads,
        }
    }

    /// What its signature covers, canonically. v1 (no heads):
    /// `zhengwu-audit-checkpoint:v1:{event_id}:{event_hash}:{events}:{created_at}:`
    /// `{prev_signature}` (one string);
    /// v2: `zhengwu-audit-checkpoint:v2:{created_at}:{prev_signature}:` followed by
    /// `{chain}:{event_id}:{event_hash}:{events};` for each head in chain order. Hashes and
    /// signatures in lower-case hex (the previous signature empty for the first checkpoint),
    /// `created_at` in RFC 3339 with microseconds and `Z`.
    pub fn message(&self) -> Vec<u8> {
        let created_at = self
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let prev = self
            .prev_signature
            .as_deref()
            .map(hex::encode)
            .unwrap_or_default();
        if self.heads.is_empty() {
            return format!(
                "zhengwu-audit-checkpoint:v1:{}:{}:{}:{created_at}:{prev}",
                self.event_id,
                hex::encode(&self.event_hash),
                self.events,
            )
            .into_bytes();
        }
        let mut m = format!("zhengwu-audit-checkpoint:v2:{created_at}:{prev}:");
        for h in &self.heads {
            m.push_str(&format!(
                "{}:{}:{}:{};",
                h.chain,
                h.event_id,
                hex::encode(&h.event_hash),
                h.events
            ));
        }
        m.into_bytes()
    }

    /// The chains' heads it names: its heads, or for a v1 checkpoint chain 0's head, which
    /// its own row names.
    pub fn chain_heads(&self) -> Vec<CheckpointHead> {
        if self.heads.is_empty() {
            vec![CheckpointHead {
                chain: 0,
                event_id: self.event_id,
                event_hash: self.event_hash.clone(),
                events: self.events,
            }]
        } else {
            self.heads.clone()
        }
    }

    /// Whether its row (which the v2 signature does not cover) names the newest of its
    /// heads, that head's hash and the sum of their events.
    fn summary_matches(&self) -> bool {
        let Some(newest) = self.heads.iter().max_by_key(|h| h.event_id) else {
            return true;
        };
        newest.event_id == self.event_id
            && newest.event_hash == self.event_hash
            && self.heads.iter().map(|h| h.events).sum::<i64>() == self.events
    }
}

/// The head of every non-empty chain `0..AUDIT_CHAINS` (one index probe per chain), in
/// chain order.
async fn heads_now(conn: &mut Conn) -> Result<Vec<(i16, i64, Vec<u8>)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Int2)]
        chain: i16,
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        hash: Vec<u8>,
    }
    let rows: Vec<Row> = crate::sql::prepared(
        "SELECT g.c::int2 AS chain, e.id, e.hash \
         FROM generate_series(0, $1::int4 - 1) AS g(c) \
         CROSS JOIN LATERAL (SELECT id, hash FROM audit_events \
             WHERE chain = g.c::int2 ORDER BY id DESC LIMIT 1) e \
         ORDER BY 1",
    )
    .bind::<Int2, _>(AUDIT_CHAINS)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.chain, r.id, r.hash)).collect())
}

/// Every chain that holds events (a loose index scan of `(chain, id)`), with its newest
/// event, in chain order.
async fn non_empty_chains(conn: &mut Conn) -> Result<Vec<(i16, i64)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Int2)]
        chain: i16,
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let rows: Vec<Row> = crate::sql::prepared(
        "WITH RECURSIVE c(chain) AS ( \
             (SELECT chain FROM audit_events ORDER BY chain LIMIT 1) \
             UNION ALL \
             SELECT (SELECT e.chain FROM audit_events e WHERE e.chain > c.chain \
                     ORDER BY e.chain LIMIT 1) \
             FROM c WHERE c.chain IS NOT NULL) \
         SELECT c.chain, l.id FROM c CROSS JOIN LATERAL \
             (SELECT e.id FROM audit_events e WHERE e.chain = c.chain \
              ORDER BY e.id DESC LIMIT 1) l \
         ORDER BY c.chain",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.chain, r.id)).collect())
}

/// For each `(chain, after, up_to)`, the number of events of the chain with an id in
/// `(after, up_to]`: one query, an index range per triple.
async fn count_ranges(conn: &mut Conn, ranges: &[(i16, i64, i64)]) -> Result<Vec<i64>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let chains: Vec<i16> = ranges.iter().map(|r| r.0).collect();
    let after: Vec<i64> = ranges.iter().map(|r| r.1).collect();
    let up_to: Vec<i64> = ranges.iter().map(|r| r.2).collect();
    let rows: Vec<Row> = crate::sql::prepared(
        // Row comparisons, so that the range is one of `(chain, id)` (with `chain = c AND
        // id > lo` the planner may scan the primary key's range over every chain).
        "SELECT (SELECT count(*) FROM audit_events e \
                 WHERE (e.chain, e.id) > (x.c, x.lo) AND (e.chain, e.id) <= (x.c, x.hi)) AS n \
         FROM unnest($1::int2[], $2::int8[], $3::int8[]) WITH ORDINALITY AS x(c, lo, hi, i) \
         ORDER BY x.i",
    )
    .bind::<Array<Int2>, _>(chains)
    .bind::<Array<BigInt>, _>(after)
    .bind::<Array<BigInt>, _>(up_to)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.n).collect())
}

/// Takes a checkpoint of the chains' heads at `now`, unless no chain's head moved since the
/// last checkpoint (or every chain is empty): `None` then.
///
/// It names the head of every non-empty chain, and counts each chain's events from the
/// last checkpoint's head of that chain on, so that a long chain is not counted whole. A
/// chain whose head is not beyond the last checkpoint's (nothing new, or a cut tail) keeps
/// that checkpoint's head: a checkpoint never moves a head back, so a cut stays visible.
pub async fn take_checkpoint(
    conn: &mut Conn,
    key: &CheckpointKey,
    now: DateTime<Utc>,
) -> Result<Option<Checkpoint>, DbError> {
    crate::sql::prepared(format!("SELECT pg_advisory_xact_lock({CHECKPOINT_LOCK})"))
        .execute(conn)
        .await?;
    let current = heads_now(conn).await?;
    let last = newest_checkpoint(conn).await?;
    let mut heads: BTreeMap<i16, CheckpointHead> = last
        .as_ref()
        .map(|l| l.chain_heads().into_iter().map(|h| (h.chain, h)).collect())
        .unwrap_or_default();
    let mut moved = Vec::new();
    for (chain, id, hash) in current {
        let from = heads.get(&chain).map_or(0, |h| h.event_id);
        if id > from {
            moved.push((chain, from, id, hash));
        }
    }
    if moved.is_empty() {
        return Ok(None);
    }
    let ranges: Vec<_> = moved.iter().map(|m| (m.0, m.1, m.2)).collect();
    let counts = count_ranges(conn, &ranges).await?;
    for ((chain, _, event_id, event_hash), new) in moved.into_iter().zip(counts) {
        let before = heads.get(&chain).map_or(0, |h| h.events);
        heads.insert(
            chain,
            CheckpointHead {
                chain,
                event_id,
                event_hash,
                events: before + new,
            },
        );
    }
    let heads: Vec<CheckpointHead> = heads.into_values().collect();
    let Some(newest) = heads.iter().max_by_key(|h| h.event_id) else {
        return Ok(None);
    };
    let created_at = now
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now);
    let mut cp = Checkpoint {
        id: 0,
        event_id: newest.event_id,
        event_hash: newest.event_hash.clone(),
        events: heads.iter().map(|h| h.events).sum(),
        created_at,
        prev_signature: last.map(|l| l.signature),
        key_id: key.id().to_owned(),
        signature: Vec::new(),
        heads,
    };
    cp.signature = key.sign(&cp.message());
    cp.id = insert_row(conn, &cp).await?;
    let rows: Vec<_> = cp
        .heads
        .iter()
        .map(|h| {
            (
                audit_checkpoint_heads::checkpoint_id.eq(cp.id),
                audit_checkpoint_heads::chain.eq(h.chain),
                audit_checkpoint_heads::event_id.eq(h.event_id),
                audit_checkpoint_heads::event_hash.eq(&h.event_hash),
                audit_checkpoint_heads::events.eq(h.events),
            )
        })
        .collect();
    diesel::insert_into(audit_checkpoint_heads::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(Some(cp))
}

/// Inserts a checkpoint's own row (not its heads); its id.
async fn insert_row(conn: &mut Conn, cp: &Checkpoint) -> Result<i64, DbError> {
    Ok(diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::event_id.eq(cp.event_id),
            audit_checkpoints::event_hash.eq(&cp.event_hash),
            audit_checkpoints::events.eq(cp.events),
            audit_checkpoints::created_at.eq(cp.created_at),
            audit_checkpoints::prev_signature.eq(cp.prev_signature.as_deref()),
            audit_checkpoints::key_id.eq(&cp.key_id),
            audit_checkpoints::signature.eq(&cp.signature),
        ))
        .returning(audit_checkpoints::id)
        .get_result(conn)
        .await?)
}

/// Test support: a checkpoint as the code before the chains took it (v1: the newest event,
/// its hash and the number of events up to it in its row, signed over the v1 message, no
/// heads), to stand for one taken before migration 000023.
#[cfg(feature = "test-kit")]
pub async fn take_v1_checkpoint(
    conn: &mut Conn,
    key: &CheckpointKey,
    now: DateTime<Utc>,
) -> Result<Option<Checkpoint>, DbError> {
    let head: Option<(i64, Vec<u8>)> = audit_events::table
        .select((audit_events::id, audit_events::hash))
        .order(audit_events::id.desc())
        .first(conn)
        .await
        .optional()?;
    let Some((event_id, event_hash)) = head else {
        return Ok(None);
    };
    let events: i64 = audit_events::table
        .filter(audit_events::id.le(event_id))
        .count()
        .get_result(conn)
        .await?;
    let mut cp = Checkpoint {
        id: 0,
        event_id,
        event_hash,
        events,
        created_at: now
            .duration_trunc(TimeDelta::microseconds(1))
            .unwrap_or(now),
        prev_signature: newest_checkpoint(conn).await?.map(|l| l.signature),
        key_id: key.id().to_owned(),
        signature: Vec::new(),
        heads: Vec::new(),
    };
    // Signed as the previous code did, not through `Checkpoint::message`, so that a change
    // to how v1 messages are read shows.
    cp.signature = key.sign(
        format!(
            "zhengwu-audit-checkpoint:v1:{}:{}:{}:{}:{}",
            cp.event_id,
            hex::encode(&cp.event_hash),
            cp.events,
            cp.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            cp.prev_signature
                .as_deref()
                .map(hex::encode)
                .unwrap_or_default()
        )
        .as_bytes(),
    );
    cp.id = insert_row(conn, &cp).await?;
    Ok(Some(cp))
}

/// The checkpoints of these rows with their heads (one query).
async fn with_heads(conn: &mut Conn, rows: Vec<CheckpointRow>) -> Result<Vec<Checkpoint>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let heads: Vec<(i64, CheckpointHead)> = audit_checkpoint_heads::table
        .select((
            audit_checkpoint_heads::checkpoint_id,
            CheckpointHead::as_select(),
        ))
        .filter(audit_checkpoint_heads::checkpoint_id.eq_any(&ids))
        .order((
            audit_checkpoint_heads::checkpoint_id,
            audit_checkpoint_heads::chain,
        ))
        .load(conn)
        .await?;
    let mut by_checkpoint: HashMap<i64, Vec<CheckpointHead>> = HashMap::new();
    for (id, h) in heads {
        by_checkpoint.entry(id).or_default().push(h);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let heads = by_checkpoint.remove(&r.id).unwrap_or_default();
            Checkpoint::from_row(r, heads)
        })
        .collect())
}

/// The newest checkpoint, if any.
pub async fn newest_checkpoint(conn: &mut Conn) -> Result<Option<Checkpoint>, DbError> {
    let row: Option<CheckpointRow> = audit_checkpoints::table
        .select(CheckpointRow::as_select())
        .order(audit_checkpoints::id.desc())
        .first(conn)
        .await
        .optional()?;
    Ok(match row {
        Some(r) => with_heads(conn, vec![r]).await?.pop(),
        None => None,
    })
}

/// Checkpoints after `after_id`, oldest first, with their heads (for export).
pub async fn checkpoints(
    conn: &mut Conn,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Checkpoint>, DbError> {
    let mut q = audit_checkpoints::table
        .select(CheckpointRow::as_select())
        .order(audit_checkpoints::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after_id {
        q = q.filter(audit_checkpoints::id.gt(a));
    }
    let rows = q.load(conn).await?;
    with_heads(conn, rows).await
}

/// A checkpoint held outside the database (e.g. notarised): the chain that holds its event
/// must still hold it with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCheckpoint {
    pub event_id: i64,
    pub event_hash: Vec<u8>,
}

/// A chain ends before a checkpoint's head: its newest events were removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncation {
    /// The chain that was cut (`None`: a checkpoint held outside, whose chain is not known).
    pub chain: Option<i16>,
    /// The checkpoint that shows it (`None`: a checkpoint held outside).
    pub checkpoint_id: Option<i64>,
    /// The event it names, and how many events the chain had up to it.
    pub event_id: i64,
    pub events: Option<i64>,
    /// The last event the chain still holds (for a checkpoint held outside: the newest
    /// event of all chains).
    pub last_event_id: Option<i64>,
}

/// The outcome of walking one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerification {
    pub chain: i16,
    /// Events checked before the first broken one (all, when it has none).
    pub checked: u64,
    /// The first event whose content or link to its predecessor no longer matches.
    pub first_broken_id: Option<i64>,
    /// The chain's newest event (`None`: a chain that only a checkpoint names).
    pub last_event_id: Option<i64>,
    /// The first checkpoint (in id order) whose head of this chain is beyond its end.
    pub truncated: Option<Truncation>,
}

impl ChainVerification {
    fn empty(chain: i16) -> Self {
        Self {
            chain,
            checked: 0,
            first_broken_id: None,
            last_event_id: None,
            truncated: None,
        }
    }
}

/// The outcome of walking the chains and the checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events checked, over all chains.
    pub checked: u64,
    /// The lowest of the chains' first broken events.
    pub first_broken_id: Option<i64>,
    /// Checkpoints whose signature, link and heads all hold.
    pub checkpoints_checked: u64,
    /// The first checkpoint whose signature does not verify, whose link to the previous one
    /// is broken, whose row disagrees with its heads, or one of whose heads has another
    /// hash or position in its chain.
    pub first_bad_checkpoint_id: Option<i64>,
    /// Checkpoints signed under another key (a rotated one): their heads are checked, their
    /// signature cannot be.
    pub checkpoints_other_key: u64,
    /// The first cut tail found (in checkpoint order), of any chain.
    pub truncated: Option<Truncation>,
    /// Whether the log holds the checkpoint held outside (`None`: none was given).
    pub held_matches: Option<bool>,
    /// Every non-empty chain, and every chain a checkpoint names, in chain order.
    pub chains: Vec<ChainVerification>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.first_broken_id.is_none()
            && self.first_bad_checkpoint_id.is_none()
            && self.truncated.is_none()
            && self.held_matches != Some(false)
    }
}

/// Walks one chain in id order, a batch at a time, recomputing every hash from the
/// previous one; stops at the first broken event.
async fn walk_chain(conn: &mut Conn, chain: i16) -> Result<ChainVerification, DbError> {
    let mut c = ChainVerification::empty(chain);
    let mut prev = GENESIS.to_vec();
    let mut after = 0i64;
    loop {
        let rows: Vec<EventRow> = audit_events::table
            .select(EventRow::as_select())
            .filter(audit_events::chain.eq(chain))
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
                c.first_broken_id = Some(r.id);
                return Ok(c);
            }
            c.checked += 1;
            prev.clone_from(&r.hash);
        }
        if i64::try_from(rows.len()).is_ok_and(|n| n < BATCH) {
            break;
        }
    }
    Ok(c)
}

/// What a checkpoint's head is to its chain.
enum HeadCheck {
    /// The chain holds its event, with its hash, at its position.
    Held,
    /// The chain ends before its event.
    Cut,
    /// Its event is elsewhere, has another hash, or another position.
    NotHeld,
}

/// What the checkpoint pass knows of the chains: the last head of each that was found held
/// (positions are counted on from it), the events the batch's heads name, and the counts
/// between one checkpoint's head and the next one's.
struct Heads {
    verified: HashMap<i16, CheckpointHead>,
    found: HashMap<i64, (i16, Vec<u8>)>,
    counts: HashMap<(i16, i64, i64), i64>,
}

impl Heads {
    async fn check(
        &self,
        conn: &mut Conn,
        h: &CheckpointHead,
        chains: &BTreeMap<i16, ChainVerification>,
    ) -> Result<HeadCheck, DbError> {
        let base = self.verified.get(&h.chain);
        if base == Some(h) {
            return Ok(HeadCheck::Held);
        }
        let Some((_, hash)) = self.found.get(&h.event_id).filter(|(c, _)| *c == h.chain) else {
            let last = chains.get(&h.chain).and_then(|c| c.last_event_id);
            return Ok(if last.is_none_or(|l| l < h.event_id) {
                HeadCheck::Cut
            } else {
                HeadCheck::NotHeld
            });
        };
        let (from, before) = base.map_or((0, 0), |b| (b.event_id, b.events));
        if *hash != h.event_hash || h.event_id <= from {
            return Ok(HeadCheck::NotHeld);
        }
        let new = match self.counts.get(&(h.chain, from, h.event_id)) {
            Some(n) => *n,
            // The previous checkpoint's head of this chain did not hold: count from the
            // last one that did.
            None => count_ranges(conn, &[(h.chain, from, h.event_id)])
                .await?
                .into_iter()
                .next()
                .unwrap_or(0),
        };
        Ok(if before + new == h.events {
            HeadCheck::Held
        } else {
            HeadCheck::NotHeld
        })
    }
}

/// Checks every checkpoint in id order, a batch at a time: its signature, its link to the
/// previous one, its row against its heads, and each head against its chain.
async fn check_checkpoints(
    conn: &mut Conn,
    key: Option<&CheckpointKey>,
    chains: &mut BTreeMap<i16, ChainVerification>,
    v: &mut Verification,
) -> Result<(), DbError> {
    let mut heads = Heads {
        verified: HashMap::new(),
        found: HashMap::new(),
        counts: HashMap::new(),
    };
    // The last head each chain was named with, verified or not.
    let mut named: HashMap<i16, i64> = HashMap::new();
    let mut prev_signature: Option<Vec<u8>> = None;
    let mut after = 0i64;
    loop {
        let batch = checkpoints(conn, Some(after), CHECKPOINT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let full = i64::try_from(batch.len()).is_ok_and(|n| n >= CHECKPOINT_BATCH);
        // The batch's events and counts, one query each.
        let mut ids = HashSet::new();
        let mut ranges = Vec::new();
        for cp in &batch {
            for h in cp.chain_heads() {
                ids.insert(h.event_id);
                let from = named.insert(h.chain, h.event_id).unwrap_or(0);
                if h.event_id > from {
                    ranges.push((h.chain, from, h.event_id));
                }
            }
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        let found: Vec<(i64, i16, Vec<u8>)> = audit_events::table
            .select((audit_events::id, audit_events::chain, audit_events::hash))
            .filter(audit_events::id.eq_any(&ids))
            .load(conn)
            .await?;
        heads.found = found.into_iter().map(|(id, c, h)| (id, (c, h))).collect();
        let counts = count_ranges(conn, &ranges).await?;
        heads.counts = ranges.into_iter().zip(counts).collect();
        for cp in batch {
            let signed = match key {
                Some(k) if k.id() == cp.key_id => k.verifies(&cp.message(), &cp.signature),
                _ => {
                    v.checkpoints_other_key += 1;
                    true
                }
            };
            let linked = cp.prev_signature == prev_signature;
            let mut sound = signed && linked && cp.summary_matches();
            let mut cut = false;
            // A forged checkpoint's heads say nothing.
            for h in cp.chain_heads().into_iter().filter(|_| signed) {
                match heads.check(conn, &h, chains).await? {
                    HeadCheck::Held => {
                        heads.verified.insert(h.chain, h);
                    }
                    HeadCheck::NotHeld => sound = false,
                    HeadCheck::Cut => {
                        cut = true;
                        let chain = chains
                            .entry(h.chain)
                            .or_insert_with(|| ChainVerification::empty(h.chain));
                        let t = Truncation {
                            chain: Some(h.chain),
                            checkpoint_id: Some(cp.id),
                            event_id: h.event_id,
                            events: Some(h.events),
                            last_event_id: chain.last_event_id,
                        };
                        chain.truncated.get_or_insert_with(|| t.clone());
                        v.truncated.get_or_insert(t);
                    }
                }
            }
            if !sound {
                v.first_bad_checkpoint_id.get_or_insert(cp.id);
            } else if !cut {
                v.checkpoints_checked += 1;
            }
            prev_signature = Some(cp.signature);
        }
        if !full {
            break;
        }
    }
    Ok(())
}

/// Walks every chain, recomputing every hash and checking each link to the previous event;
/// checks every checkpoint (its signature under `key`, its link to the previous one, and
/// that each chain holds its head with its hash and position) and, if given, a checkpoint
/// held outside. Reads a batch at a time: neither a whole chain nor all checkpoints are
/// held in memory.
pub async fn verify(
    conn: &mut Conn,
    key: Option<&CheckpointKey>,
    held: Option<&HeldCheckpoint>,
) -> Result<Verification, DbError> {
    let mut chains = BTreeMap::new();
    for (chain, last) in non_empty_chains(conn).await? {
        let mut c = walk_chain(conn, chain).await?;
        c.last_event_id = Some(last);
        chains.insert(chain, c);
    }
    let mut v = Verification {
        checked: 0,
        first_broken_id: None,
        checkpoints_checked: 0,
        first_bad_checkpoint_id: None,
        checkpoints_other_key: 0,
        truncated: None,
        held_matches: None,
        chains: Vec::new(),
    };
    check_checkpoints(conn, key, &mut chains, &mut v).await?;
    if let Some(h) = held {
        let found: Option<(i16, Vec<u8>)> = audit_events::table
            .select((audit_events::chain, audit_events::hash))
            .filter(audit_events::id.eq(h.event_id))
            .first(conn)
            .await
            .optional()?;
        // Held: with its hash, in a chain intact up to it.
        v.held_matches = Some(found.as_ref().is_some_and(|(chain, hash)| {
            *hash == h.event_hash
                && chains
                    .get(chain)
                    .is_some_and(|c| c.first_broken_id.is_none_or(|b| b > h.event_id))
        }));
        // Gone while every chain is intact: cut from the end of its chain.
        let intact = chains.values().all(|c| c.first_broken_id.is_none());
        if found.is_none() && intact && v.truncated.is_none() {
            v.truncated = Some(Truncation {
                chain: None,
                checkpoint_id: None,
                event_id: h.event_id,
                events: None,
                last_event_id: chains.values().filter_map(|c| c.last_event_id).max(),
            });
        }
    }
    v.checked = chains.values().map(|c| c.checked).sum();
    v.first_broken_id = chains.values().filter_map(|c| c.first_broken_id).min();
    v.chains = chains.into_values().collect();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_picked_alike_everywhere_and_in_range() {
        assert_eq!(chain_for(b"req-audit-1"), chain_for(b"req-audit-1"));
        let picked: HashSet<i16> = (0..1000)
            .map(|i| chain_for(format!("request-{i}").as_bytes()))
            .collect();
        assert!(picked.iter().all(|c| (0..AUDIT_CHAINS).contains(c)));
        assert_eq!(picked.len(), usize::from(AUDIT_CHAINS.unsigned_abs()));
    }

    #[test]
    fn chain_0_keeps_the_single_chains_lock_and_no_key_falls_on_another_lock() {
        assert_eq!(chain_lock_key(0), 0x7a68_656e_6777_7502);
        let keys: HashSet<i64> = (0..AUDIT_CHAINS).map(chain_lock_key).collect();
        assert_eq!(keys.len(), usize::from(AUDIT_CHAINS.unsigned_abs()));
        for other in [
            CHECKPOINT_LOCK,
            0x7a68_656e_6777_7501,
            0x7a68_656e_6777_7504,
            0x7a68_656e_6777_7505,
        ] {
            assert!(!keys.contains(&other), "{other:x}");
        }
    }

    fn checkpoint(heads: Vec<CheckpointHead>) -> Checkpoint {
        Checkpoint {
            id: 1,
            event_id: 9,
            event_hash: vec![0xab; 32],
            events: 5,
            created_at: DateTime::parse_from_rfc3339("2026-12-06T08:00:00.123456Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
            prev_signature: Some(vec![0x01, 0x02]),
            key_id: "k".into(),
            signature: Vec::new(),
            heads,
        }
    }

    #[test]
    fn v1_and_v2_messages_are_canonical() {
        let v1 = checkpoint(Vec::new());
        assert_eq!(
            String::from_utf8(v1.message()).unwrap_or_default(),
            format!(
                "zhengwu-audit-checkpoint:v1:9:{}:5:2026-12-06T08:00:00.123456Z:0102",
                "ab".repeat(32)
            )
        );
        assert_eq!(v1.chain_heads().len(), 1);
        assert_eq!(v1.chain_heads()[0].chain, 0);
        assert!(v1.summary_matches());
        let head = |chain, event_id, events| CheckpointHead {
            chain,
            event_id,
            event_hash: vec![0xab; 32],
            events,
        };
        let v2 = checkpoint(vec![head(0, 4, 2), head(3, 9, 3)]);
        assert_eq!(
            String::from_utf8(v2.message()).unwrap_or_default(),
            format!(
                "zhengwu-audit-checkpoint:v2:2026-12-06T08:00:00.123456Z:0102:\
                 0:4:{h}:2;3:9:{h}:3;",
                h = "ab".repeat(32)
            )
        );
        assert!(v2.summary_matches());
        let mut off = v2.clone();
        off.events = 6;
        assert!(!off.summary_matches());
        off.events = 5;
        off.event_id = 4;
        assert!(!off.summary_matches());
    }
}

/// Appends in real transactions on a database of their own (needs the `test-kit` feature
/// and `ZHENGWU_TEST_DATABASE_URL`, as `scripts/test` and `cargo test --workspace` have).
#[cfg(all(test, feature = "test-kit"))]
mod db_tests {
    use diesel_async::{AsyncConnection, SimpleAsyncConnection};

    use super::*;
    use crate::testkit::TestDb;

    fn event(chain: i16, action: &str) -> NewEvent {
        NewEvent {
            chain,
            occurred_at: Utc::now(),
            actor: Actor::system(),
            action: action.to_owned(),
            entity_type: "test",
            entity_id: action.to_owned(),
            org_path: None,
            before: None,
            after: Some(json!({"n": 1})),
            request_id: None,
        }
    }

    /// A transaction that waits for an advisory lock gives up after 200 ms.
    async fn impatient(url: &str) -> Conn {
        let mut c = Conn::establish(url)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        c.batch_execute("BEGIN; SET LOCAL lock_timeout = '200ms'")
            .await
            .unwrap_or_else(|e| panic!("begin: {e}"));
        c
    }

    #[tokio::test]
    async fn appends_on_different_chains_do_not_wait_for_each_other() {
        let db = TestDb::create();
        // A transaction appends to chain 3 and stays open, holding chain 3's lock.
        let mut holder = Conn::establish(&db.url)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        holder
            .batch_execute("BEGIN")
            .await
            .unwrap_or_else(|e| panic!("begin: {e}"));
        let held = append(&mut holder, event(3, "held"))
            .await
            .unwrap_or_else(|e| panic!("append to 3: {e}"));

        // Another appends to chain 4 at once.
        let mut other = impatient(&db.url).await;
        let on_4 = append(&mut other, event(4, "other chain")).await;
        assert!(on_4.is_ok(), "{on_4:?}");
        // …and may not also lock chain 3 (nor would it wait: refused before the lock).
        let second = append(&mut other, event(3, "second chain")).await;
        let refused = format!("{second:?}");
        assert!(refused.contains("another chain"), "{refused}");
        other
            .batch_execute("ROLLBACK")
            .await
            .unwrap_or_else(|e| panic!("rollback: {e}"));

        // A third transaction on chain 3 waits for the holder: it times out.
        let mut same = impatient(&db.url).await;
        let on_3 = append(&mut same, event(3, "same chain")).await;
        assert!(format!("{on_3:?}").contains("lock timeout"), "{on_3:?}");
        let _ = same.batch_execute("ROLLBACK").await;

        // Once the holder commits, chain 3 continues from its event.
        holder
            .batch_execute("COMMIT")
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));
        let mut after = impatient(&db.url).await;
        let next = append(&mut after, event(3, "after"))
            .await
            .unwrap_or_else(|e| panic!("append after: {e}"));
        after
            .batch_execute("COMMIT")
            .await
            .unwrap_or_else(|e| panic!("commit: {e}"));
        assert!(next > held);
        let mut c = Conn::establish(&db.url)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let rows: Vec<EventRow> = audit_events::table
            .select(EventRow::as_select())
            .filter(audit_events::chain.eq(3))
            .order(audit_events::id.asc())
            .load(&mut c)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].prev_hash, GENESIS.to_vec());
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        let v = verify(&mut c, None, None)
            .await
            .unwrap_or_else(|e| panic!("verify: {e}"));
        assert!(v.ok(), "{v:?}");
        assert_eq!(
            v.chains.iter().map(|c| c.chain).collect::<Vec<_>>(),
            vec![3]
        );

        let outside = append(&mut c, event(AUDIT_CHAINS, "out of range")).await;
        assert!(outside.is_err());
    }
}
