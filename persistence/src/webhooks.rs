//! Webhook subscriptions, their deliveries and the attempts of each.
//!
//! Events reach a subscription in two steps. The fan-out moves a subscription's position
//! along the outbox and writes a delivery for each event it wants (its types, its
//! organisation's subtree), in feed order, under the subscription's row lock (so that two
//! replicas do not fan out the same stretch; the unique `(subscription, event)` makes a
//! repeat harmless). Senders then claim due deliveries with `FOR UPDATE SKIP LOCKED` and
//! a lease: a delivery is taken only when no earlier delivery of the same subscription and
//! subject is still undelivered, so a subject's events arrive in order; a sender that dies
//! mid-delivery leaves its lease to expire, and another takes the delivery again (with the
//! same event id).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::outbox::{Event, Position};
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_subscriptions};
use crate::scope::{Scope, org_ids};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Subscription {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub failures: i32,
    pub position: i64,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewSubscription {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    pub start: Position,
    pub created_by: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, s: NewSubscription) -> Result<Subscription, DbError> {
    use webhook_subscriptions as w;
    Ok(diesel::insert_into(w::table)
        .values((
            w::id.eq(s.id),
            w::organization_id.eq(s.organization_id),
            w::url.eq(s.url),
            w::event_types.eq(s.event_types),
            w::description.eq(s.description),
            w::secret.eq(s.secret),
            w::position.eq(s.start),
            w::created_by.eq(s.created_by),
            w::created_at.eq(s.now),
            w::updated_at.eq(s.now),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await?)
}

/// A subscription, locked for update when `lock`.
pub async fn get(conn: &mut Conn, id: Uuid, lock: bool) -> Result<Subscription, DbError> {
    let q = webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select());
    Ok(if lock {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// The subscriptions of the organisations in the scope, by id.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Subscription>, DbError> {
    use webhook_subscriptions as w;
    let mut q = w::table
        .select(Subscription::as_select())
        .order(w::id)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = org_ids(scope) {
        q = q.filter(w::organization_id.eq_any(ids));
    }
    if let Some(a) = after {
        q = q.filter(w::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// What an owner may change.
#[derive(Debug, Clone)]
pub struct Changes {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    /// `None` to enable (failures forgotten), else the reason it is off.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub failures: i32,
}

pub async fn update(
    conn: &mut Conn,
    id: Uuid,
    c: Changes,
    now: DateTime<Utc>,
) -> Result<Subscription, DbError> {
    use webhook_subscriptions as w;
    Ok(diesel::update(w::table.find(id))
        .set((
            w::url.eq(c.url),
            w::event_types.eq(c.event_types),
            w::description.eq(c.description),
            w::active.eq(c.disabled_reason.is_none()),
            w::disabled_reason.eq(c.disabled_reason),
            w::disabled_at.eq(c.disabled_at),
            w::failures.eq(c.failures),
            w::version.eq(w::version + 1),
            w::updated_at.eq(now),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await?)
}

/// A new signing secret; `previous` (the secret replaced, with when it stops signing)
/// keeps signing too meanwhile.
pub async fn rotate(
    conn: &mut Conn,
    id: Uuid,
    secret: String,
    previous: Option<(String, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<Subscription, DbError> {
    use webhook_subscriptions as w;
    let (previous, until) = previous.unzip();
    Ok(diesel::update(w::table.find(id))
        .set((
            w::previous_secret.eq(previous),
            w::previous_secret_expires_at.eq(until),
            w::secret.eq(secret),
            w::version.eq(w::version + 1),
            w::updated_at.eq(now),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await?)
}

/// Removes a subscription with its deliveries and their attempts.
pub async fn delete(conn: &mut Conn, id: Uuid) -> Result<(), DbError> {
    diesel::delete(webhook_subscriptions::table.find(id))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The subscriptions whose position is behind the newest sealed event: those the fan-out
/// has something to read for.
pub async fn behind(conn: &mut Conn) -> Result<Vec<Uuid>, DbError> {
    let rows: Vec<Id> = crate::sql::prepared(
        "SELECT id FROM webhook_subscriptions \
         WHERE position < (SELECT coalesce(max(position), 0) FROM outbox_events) ORDER BY id",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(QueryableByName)]
struct FannedOut {
    #[diesel(sql_type = BigInt)]
    scanned: i64,
}

/// Fans out up to `batch` sealed events after the subscription's position: a delivery for
/// each it wants, the position moved past all of them. Call it in a transaction; a
/// subscription another replica is fanning out is skipped. Returns the events scanned.
pub async fn fan_out(
    conn: &mut Conn,
    id: Uuid,
    now: DateTime<Utc>,
    batch: i64,
) -> Result<i64, DbError> {
    let r: Vec<FannedOut> = crate::sql::prepared(
        "WITH sub AS ( \
             SELECT s.id, s.position, s.event_types, o.path \
             FROM webhook_subscriptions s JOIN organizations o ON o.id = s.organization_id \
             WHERE s.id = $1 FOR UPDATE OF s SKIP LOCKED), \
         win AS ( \
             SELECT e.seq, e.position, e.subject, e.type, e.org_path \
             FROM outbox_events e, sub WHERE e.position > sub.position \
             ORDER BY e.position LIMIT $3), \
         ins AS ( \
             INSERT INTO webhook_deliveries \
                 (subscription_id, event_seq, subject, next_attempt_at, created_at) \
             SELECT sub.id, win.seq, win.subject, $2, $2 FROM win, sub \
             WHERE win.type = ANY(sub.event_types) \
               AND starts_with(win.org_path, sub.path) \
             ORDER BY win.position \
             ON CONFLICT (subscription_id, event_seq) DO NOTHING RETURNING 1), \
         moved AS ( \
             UPDATE webhook_subscriptions s SET position = (SELECT max(position) FROM win) \
             WHERE s.id = $1 AND EXISTS (SELECT 1 FROM win) RETURNING 1) \
         SELECT count(*) AS scanned FROM win",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(batch)
    .load(conn)
    .await?;
    Ok(r.into_iter().next().map_or(0, |r| r.scanned))
}

/// A delivery claimed for sending, with what is needed to send it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub delivery_id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub subscription_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Bool)]
    pub manual: bool,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub previous_secret: Option<String>,
    /// The event to send.
    #[diesel(embed)]
    pub event: Event,
}

/// Claims up to `limit` due deliveries of active subscriptions until `lease_until`: each
/// the oldest undelivered one of its subscription and subject, none another sender holds.
pub async fn claim(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, DbError> {
    Ok(crate::sql::prepared(
        "WITH pick AS ( \
             SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             WHERE NOT d.delivered AND d.next_attempt_at <= $1 AND s.active \
               AND (d.lease_until IS NULL OR d.lease_until <= $1) \
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                   WHERE e.subscription_id = d.subscription_id AND e.subject = d.subject \
                     AND NOT e.delivered AND e.id < d.id) \
             ORDER BY d.next_attempt_at, d.id LIMIT $3 \
             FOR UPDATE OF d SKIP LOCKED) \
         UPDATE webhook_deliveries d SET lease_until = $2 \
         FROM pick, outbox_events o, webhook_subscriptions s \
         WHERE d.id = pick.id AND o.seq = d.event_seq AND s.id = d.subscription_id \
         RETURNING d.id AS delivery_id, d.subscription_id, d.attempts, d.manual, s.url, \
             s.secret, \
             CASE WHEN s.previous_secret_expires_at > $1 THEN s.previous_secret END \
                 AS previous_secret, \
             o.position, o.id, o.type, o.subject, o.organization_id, o.occurred_at, o.data",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(lease_until)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub manual: bool,
}

/// What follows an attempt.
#[derive(Debug, Clone)]
pub enum Next {
    Delivered,
    /// Try again then. The subscription's run of failures grows; it is disabled when the
    /// receiver said it is gone (410), or when the run reaches `max_failures`.
    Retry {
        at: DateTime<Utc>,
        gone: bool,
        max_failures: i32,
    },
}

/// Records an attempt and its consequence for the delivery and its subscription.
/// Call it in a transaction.
pub async fn record(
    conn: &mut Conn,
    delivery_id: i64,
    subscription_id: Uuid,
    a: &Attempt,
    next: &Next,
) -> Result<(), DbError> {
    use webhook_deliveries as d;
    use webhook_subscriptions as w;
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(delivery_id),
            webhook_attempts::attempted_at.eq(a.at),
            webhook_attempts::duration_ms.eq(a.duration_ms),
            webhook_attempts::status_code.eq(a.status_code),
            webhook_attempts::error.eq(&a.error),
            webhook_attempts::trigger.eq(if a.manual { "manual" } else { "scheduled" }),
        ))
        .execute(conn)
        .await?;
    match next {
        Next::Delivered => {
            diesel::update(d::table.find(delivery_id))
                .set((
                    d::delivered.eq(true),
                    d::delivered_at.eq(a.at),
                    d::attempts.eq(d::attempts + 1),
                    d::lease_until.eq(None::<DateTime<Utc>>),
                    d::manual.eq(false),
                ))
                .execute(conn)
                .await?;
            diesel::update(w::table.find(subscription_id))
                .set(w::failures.eq(0))
                .execute(conn)
                .await?;
        }
        Next::Retry {
            at,
            gone,
            max_failures,
        } => {
            diesel::update(d::table.find(delivery_id))
                .set((
                    d::attempts.eq(d::attempts + 1),
                    d::next_attempt_at.eq(at),
                    d::lease_until.eq(None::<DateTime<Utc>>),
                    d::manual.eq(false),
                ))
                .execute(conn)
                .await?;
            // Every right-hand side reads the row as it was.
            crate::sql::prepared(
                "UPDATE webhook_subscriptions SET failures = failures + 1, \
                     active = active AND NOT ($2 OR failures + 1 >= $3), \
                     disabled_reason = CASE WHEN NOT active THEN disabled_reason \
                         WHEN $2 THEN 'gone' WHEN failures + 1 >= $3 THEN 'failures' END, \
                     disabled_at = CASE WHEN active AND ($2 OR failures + 1 >= $3) THEN $4 \
                         ELSE disabled_at END, \
                     version = version + CASE WHEN active AND ($2 OR failures + 1 >= $3) \
                         THEN 1 ELSE 0 END, \
                     updated_at = CASE WHEN active AND ($2 OR failures + 1 >= $3) THEN $4 \
                         ELSE updated_at END \
                 WHERE id = $1",
            )
            .bind::<SqlUuid, _>(subscription_id)
            .bind::<Bool, _>(*gone)
            .bind::<Integer, _>(*max_failures)
            .bind::<Timestamptz, _>(a.at)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, QueryableByName)]
pub struct Delivery {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub subscription_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Bool)]
    pub delivered: bool,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub next_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, o.id AS event_id, \
     o.type AS event_type, d.subject, d.delivered, d.attempts, d.next_attempt_at, \
     d.created_at, d.delivered_at";

/// A subscription's deliveries, newest first, before `before` (a delivery id).
pub async fn deliveries(
    conn: &mut Conn,
    subscription: Uuid,
    before: Option<i64>,
    delivered: Option<bool>,
    limit: i64,
) -> Result<Vec<Delivery>, DbError> {
    Ok(crate::sql::prepared(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
         JOIN outbox_events o ON o.seq = d.event_seq \
         WHERE d.subscription_id = $1 AND ($2::bigint IS NULL OR d.id < $2) \
           AND ($3::boolean IS NULL OR d.delivered = $3) \
         ORDER BY d.id DESC LIMIT $4"
    ))
    .bind::<SqlUuid, _>(subscription)
    .bind::<Nullable<BigInt>, _>(before)
    .bind::<Nullable<Bool>, _>(delivered)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// One delivery of a subscription.
pub async fn delivery(conn: &mut Conn, subscription: Uuid, id: i64) -> Result<Delivery, DbError> {
    let rows: Vec<Delivery> = crate::sql::prepared(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
         JOIN outbox_events o ON o.seq = d.event_seq \
         WHERE d.subscription_id = $1 AND d.id = $2"
    ))
    .bind::<SqlUuid, _>(subscription)
    .bind::<BigInt, _>(id)
    .load(conn)
    .await?;
    rows.into_iter().next().ok_or(DbError::NotFound)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub trigger: String,
}

/// The attempts of the deliveries, oldest first.
pub async fn attempts_of(conn: &mut Conn, ids: &[i64]) -> Result<Vec<AttemptRow>, DbError> {
    use webhook_attempts as a;
    Ok(a::table
        .filter(a::delivery_id.eq_any(ids))
        .order((a::delivery_id, a::id))
        .select(AttemptRow::as_select())
        .load(conn)
        .await?)
}

/// Sends a delivery again now, delivered or not; the attempt is marked manual.
pub async fn redeliver(
    conn: &mut Conn,
    subscription: Uuid,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    use webhook_deliveries as d;
    let n = diesel::update(
        d::table
            .find(id)
            .filter(d::subscription_id.eq(subscription)),
    )
    .set((
        d::delivered.eq(false),
        d::next_attempt_at.eq(now),
        d::manual.eq(true),
    ))
    .execute(conn)
    .await?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}
