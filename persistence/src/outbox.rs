//! The outbox of domain events and the change feed read from it.
//!
//! # Positions
//!
//! Events are written with a `seq` (drawn at insert) and no position. A sealer gives the
//! committed events without one a position, in `seq` order, continuing from the largest
//! given ([`seal`]); it holds an advisory lock while it does, so sealers of several
//! replicas take turns and positions never repeat. The feed is read in position order, so a
//! cursor (a position) never passes an event that is still to commit: that event will be
//! sealed later, with a larger position. A subject's events are written under the
//! subject's row lock, so the earlier one is committed, and has the smaller `seq`, before
//! the later one is written: they are sealed in the order they happened. Readers seal
//! before they read, so the feed is current to the moment of the read.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::scope::{Scope, path_pattern};

/// Serialises sealers (across replicas) until their transaction ends.
const SEAL_LOCK: i64 = 0x7a68_656e_6777_7506;
/// Events sealed per statement at most.
const SEAL_BATCH: i64 = 10_000;

/// A place in the feed: events with a larger position come next.
pub type Position = i64;

/// An event to write in the caller's transaction.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: &'static str,
    pub subject: String,
    pub organization_id: Uuid,
    pub org_path: String,
    /// The applicant whose object it is.
    pub owner_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
}

/// Writes an event in the caller's transaction, which must hold the subject's lock.
pub async fn append(conn: &mut Conn, e: NewEvent) -> Result<(), DbError> {
    crate::sql::prepared(
        "INSERT INTO outbox_events \
             (id, type, subject, organization_id, org_path, owner_id, occurred_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind::<SqlUuid, _>(e.id)
    .bind::<Text, _>(e.event_type)
    .bind::<Text, _>(&e.subject)
    .bind::<SqlUuid, _>(e.organization_id)
    .bind::<Text, _>(&e.org_path)
    .bind::<Nullable<SqlUuid>, _>(e.owner_id)
    .bind::<Timestamptz, _>(e.occurred_at)
    .bind::<Jsonb, _>(&e.data)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes many events in the caller's transaction, in the order given (a batch job's).
pub async fn append_many(conn: &mut Conn, events: Vec<NewEvent>) -> Result<(), DbError> {
    for chunk in events.chunks(1000) {
        let mut cols = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for e in chunk {
            cols.0.push(e.id);
            cols.1.push(e.event_type);
            cols.2.push(e.subject.as_str());
            cols.3.push(e.organization_id);
            cols.4.push(e.org_path.as_str());
            cols.5.push(e.owner_id);
            cols.6.push(e.occurred_at);
            cols.7.push(&e.data);
        }
        crate::sql::prepared(
            "INSERT INTO outbox_events \
                 (id, type, subject, organization_id, org_path, owner_id, occurred_at, data) \
             SELECT u.id, u.type, u.subject, u.org, u.path, u.owner, u.at, u.data \
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], \
                         $6::uuid[], $7::timestamptz[], $8::jsonb[]) \
                  WITH ORDINALITY AS u(id, type, subject, org, path, owner, at, data, n) \
             ORDER BY u.n",
        )
        .bind::<Array<SqlUuid>, _>(cols.0)
        .bind::<Array<Text>, _>(cols.1)
        .bind::<Array<Text>, _>(cols.2)
        .bind::<Array<SqlUuid>, _>(cols.3)
        .bind::<Array<Text>, _>(cols.4)
        .bind::<Array<Nullable<SqlUuid>>, _>(cols.5)
        .bind::<Array<Timestamptz>, _>(cols.6)
        .bind::<Array<Jsonb>, _>(cols.7)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// A stored event.
#[derive(Debug, Clone, QueryableByName)]
pub struct Event {
    #[diesel(sql_type = BigInt)]
    pub position: i64,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text, column_name = "type")]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = SqlUuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    pub data: Value,
}

/// Who reads the feed: the events of a scope of organisations, or an applicant's own.
#[derive(Debug, Clone)]
pub enum Reader {
    Scope(Scope),
    Owner(Uuid),
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
}

/// Gives the committed events without a position theirs, in `seq` order, unless another
/// sealer is at it (it will have sealed them, or soon will). Returns the events sealed.
pub async fn seal(conn: &mut Conn) -> Result<usize, DbError> {
    seal_rows(conn, "outbox_events", SEAL_LOCK).await
}

/// Gives the committed rows of `table` (columns `seq`, `position`) without a position
/// theirs, continuing from the largest given, under the advisory lock `lock`.
pub(crate) async fn seal_rows(
    conn: &mut Conn,
    table: &'static str,
    lock: i64,
) -> Result<usize, DbError> {
    let mut total = 0;
    loop {
        let n = conn
            .transaction::<_, DbError, _>(async |c| {
                let l: Vec<Locked> =
                    crate::sql::prepared("SELECT pg_try_advisory_xact_lock($1) AS locked")
                        .bind::<BigInt, _>(lock)
                        .load(c)
                        .await?;
                if !l.into_iter().next().is_some_and(|l| l.locked) {
                    return Ok(0);
                }
                // A statement of its own, after the lock: it sees every earlier seal.
                Ok(crate::sql::prepared(format!(
                    "WITH base AS (SELECT coalesce(max(position), 0) AS b FROM {table}), \
                     todo AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n \
                              FROM (SELECT seq FROM {table} WHERE position IS NULL \
                                    ORDER BY seq LIMIT $1) u) \
                     UPDATE {table} e SET position = base.b + todo.n \
                     FROM todo, base WHERE e.seq = todo.seq"
                ))
                .bind::<BigInt, _>(SEAL_BATCH)
                .execute(c)
                .await?)
            })
            .await?;
        total += n;
        if i64::try_from(n).unwrap_or(0) < SEAL_BATCH {
            return Ok(total);
        }
    }
}

/// The sealed events after `after` that the reader may see, of the given types (all when
/// `None`), in position order. Seal first for a current answer.
pub async fn feed(
    conn: &mut Conn,
    reader: &Reader,
    after: Position,
    types: Option<&[String]>,
    limit: i64,
) -> Result<Vec<Event>, DbError> {
    let (pattern, owner) = match reader {
        Reader::Scope(s) => (path_pattern(s), None),
        Reader::Owner(u) => (None, Some(*u)),
    };
    Ok(crate::sql::prepared(
        "SELECT position, id, type, subject, organization_id, occurred_at, data \
         FROM outbox_events \
         WHERE position > $1 \
           AND ($2::text[] IS NULL OR type = ANY($2)) \
           AND ($3::text IS NULL OR org_path LIKE $3) \
           AND ($4::uuid IS NULL OR owner_id = $4) \
         ORDER BY position LIMIT $5",
    )
    .bind::<BigInt, _>(after)
    .bind::<Nullable<Array<Text>>, _>(types)
    .bind::<Nullable<Text>, _>(pattern)
    .bind::<Nullable<SqlUuid>, _>(owner)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// The largest position given: where a new subscription starts.
pub async fn head(conn: &mut Conn) -> Result<Position, DbError> {
    let rows: Vec<Last> =
        crate::sql::prepared("SELECT max(position) AS position FROM outbox_events")
            .load(conn)
            .await?;
    Ok(rows
        .into_iter()
        .next()
        .and_then(|r| r.position)
        .unwrap_or(0))
}
