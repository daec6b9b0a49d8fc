//! Idempotency keys: a retried create returns the first response instead of a duplicate.
//!
//! The key is claimed and completed inside the transaction that creates the object, so the
//! object and its recorded response commit together or not at all; a concurrent retry with
//! the same key waits on the key's row until the first attempt commits or rolls back.
//!
//! A key lives for a configured period from its first use: after it, the key is claimed
//! afresh as if never seen, and [`purge`] removes such keys.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;

use crate::db::{Conn, DbError};
use crate::schema::idempotency_keys;

/// A stored response.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First use: go ahead and create, then [`complete`].
    Fresh,
    /// The same request was answered before.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
}

pub struct KeyRef<'a> {
    pub principal: &'a str,
    pub key: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub request_hash: &'a [u8],
}

/// Claims the key at `now`; a key first used before `expired_before` is claimed afresh.
pub async fn claim(
    conn: &mut Conn,
    k: &KeyRef<'_>,
    now: DateTime<Utc>,
    expired_before: DateTime<Utc>,
) -> Result<Claim, DbError> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal.eq(k.principal),
            idempotency_keys::key.eq(k.key),
            idempotency_keys::method.eq(k.method),
            idempotency_keys::path.eq(k.path),
            idempotency_keys::request_hash.eq(k.request_hash),
            idempotency_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    // An expired key is this request's now. A concurrent retry waits on the row, then finds
    // it no longer expired and reads what this attempt recorded.
    let renewed = diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::principal.eq(k.principal))
            .filter(idempotency_keys::key.eq(k.key))
            .filter(idempotency_keys::created_at.lt(expired_before)),
    )
    .set((
        idempotency_keys::method.eq(k.method),
        idempotency_keys::path.eq(k.path),
        idempotency_keys::request_hash.eq(k.request_hash),
        idempotency_keys::status.eq(None::<i32>),
        idempotency_keys::response.eq(None::<Value>),
        idempotency_keys::location.eq(None::<String>),
        idempotency_keys::created_at.eq(now),
    ))
    .execute(conn)
    .await?;
    if renewed == 1 {
        return Ok(Claim::Fresh);
    }
    let (method, path, hash, status, response, location): (
        String,
        String,
        Vec<u8>,
        Option<i32>,
        Option<Value>,
        Option<String>,
    ) = idempotency_keys::table
        .filter(idempotency_keys::principal.eq(k.principal))
        .filter(idempotency_keys::key.eq(k.key))
        .select((
            idempotency_keys::method,
            idempotency_keys::path,
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::response,
            idempotency_keys::location,
        ))
        .first(conn)
        .await?;
    if method != k.method || path != k.path || hash != k.request_hash {
        return Ok(Claim::Mismatch);
    }
    match (status, response) {
        (Some(status), Some(body)) => Ok(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(200),
            body,
            location,
        })),
        _ => Ok(Claim::Mismatch),
    }
}

pub async fn complete(
    conn: &mut Conn,
    k: &KeyRef<'_>,
    response: &StoredResponse,
) -> Result<(), DbError> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::principal.eq(k.principal))
            .filter(idempotency_keys::key.eq(k.key)),
    )
    .set((
        idempotency_keys::status.eq(i32::from(response.status)),
        idempotency_keys::response.eq(&response.body),
        idempotency_keys::location.eq(response.location.as_deref()),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes up to `batch` keys first used before `expired_before` (in one statement, on
/// the index of `created_at`); returns how many.
pub async fn purge(
    conn: &mut Conn,
    expired_before: DateTime<Utc>,
    batch: i64,
) -> Result<usize, DbError> {
    Ok(crate::sql::prepared(
        "DELETE FROM idempotency_keys WHERE (principal, key) IN \
         (SELECT principal, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(expired_before)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(conn)
    .await?)
}
