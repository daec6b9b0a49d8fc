//! Failed logins per account name and client address (see the migration
//! `login_throttle`): the row of a pair is locked for the attempt, so concurrent guesses
//! from one address are counted one after the other.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::{Conn, DbError};
use crate::schema::login_throttle;

/// The throttle's name for an account name as typed, whether or not an account has it
/// (login names are case-insensitive).
pub fn user_subject(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

/// The throttle's name for a machine client's id as typed.
pub fn client_subject(client_id: &str) -> String {
    format!("client:{}", client_id.trim())
}

/// The failures of one account name from one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    pub failures: i32,
    pub blocked_until: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

/// The record of `(subject, address)` (empty when it has no failures), with the pair
/// locked until the end of the transaction.
pub async fn lock(conn: &mut Conn, subject: &str, address: &str) -> Result<Record, DbError> {
    // A transaction-scoped advisory lock on the pair serialises attempts even when no row
    // exists yet; hashtextextended spreads pairs over the 64-bit key space.
    crate::sql::prepared("SELECT pg_advisory_xact_lock(hashtextextended($1 || '|' || $2, 7))")
        .bind::<diesel::sql_types::Text, _>(subject)
        .bind::<diesel::sql_types::Text, _>(address)
        .execute(conn)
        .await?;
    let row: Option<(i32, Option<DateTime<Utc>>, DateTime<Utc>)> = login_throttle::table
        .filter(login_throttle::subject.eq(subject))
        .filter(login_throttle::address.eq(address))
        .select((
            login_throttle::failures,
            login_throttle::blocked_until,
            login_throttle::last_failure_at,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(
        row.map_or_else(Record::default, |(failures, blocked_until, last)| Record {
            failures,
            blocked_until,
            last_failure_at: Some(last),
        }),
    )
}

/// Stores the record of a failed attempt.
pub async fn record_failure(
    conn: &mut Conn,
    subject: &str,
    address: &str,
    failures: i32,
    blocked_until: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::subject.eq(subject),
            login_throttle::address.eq(address),
            login_throttle::failures.eq(failures),
            login_throttle::blocked_until.eq(blocked_until),
            login_throttle::last_failure_at.eq(at),
        ))
        .on_conflict((login_throttle::subject, login_throttle::address))
        .do_update()
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::blocked_until.eq(blocked_until),
            login_throttle::last_failure_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the failures of a pair (after a successful login).
pub async fn clear(conn: &mut Conn, subject: &str, address: &str) -> Result<(), DbError> {
    diesel::delete(
        login_throttle::table
            .filter(login_throttle::subject.eq(subject))
            .filter(login_throttle::address.eq(address)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failures of an account name from every address (a password reset).
pub async fn clear_subject(conn: &mut Conn, subject: &str) -> Result<(), DbError> {
    diesel::delete(login_throttle::table.filter(login_throttle::subject.eq(subject)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes up to `batch` pairs whose last failure is before `before`; returns how many.
pub async fn purge(conn: &mut Conn, before: DateTime<Utc>, batch: i64) -> Result<usize, DbError> {
    Ok(crate::sql::prepared(
        "DELETE FROM login_throttle WHERE (subject, address) IN \
         (SELECT subject, address FROM login_throttle WHERE last_failure_at < $1 LIMIT $2)",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(before)
    .bind::<diesel::sql_types::BigInt, _>(batch)
    .execute(conn)
    .await?)
}
