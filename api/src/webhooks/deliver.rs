//! The senders: fan the outbox out to the subscriptions, then send what is due.
//!
//! Every replica runs [`run_once`] on a timer. The fan-out locks one subscription at a
//! time (`SKIP LOCKED`), the claim takes deliveries with `SKIP LOCKED` and a lease, so the
//! replicas share the work and each delivery is attempted by one of them at a time; one
//! that dies mid-attempt leaves its lease to expire and the delivery is sent again, with
//! the same `webhook-id` (at least once).

use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use futures_util::future::join_all;
use rand::Rng;
use zhengwu_domain::events::retry_delay;
use zhengwu_persistence::DbError;
use zhengwu_persistence::webhooks::{self as repo, Attempt, Claimed, Next};

use super::send::{self, SendError, Target};
use crate::error::ApiError;
use crate::outbox::CloudEvent;
use crate::state::AppState;

/// Events fanned out to one subscription per statement.
const FAN_OUT_BATCH: i64 = 500;
/// Deliveries claimed (and sent concurrently) at a time.
const SEND_BATCH: i64 = 32;
/// Claims per round at most, so that a round ends.
const MAX_CLAIMS: usize = 64;

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Events read from the outbox by the fan-out (over all subscriptions).
    pub scanned: i64,
    pub attempts: usize,
    pub delivered: usize,
}

/// Fans out what is new, then sends every delivery due now (a subject's next one as soon
/// as its previous one is delivered).
pub async fn run_once(app: &AppState) -> Result<Round, ApiError> {
    let mut round = Round::default();
    let mut conn = app.conn().await?;
    zhengwu_persistence::outbox::seal(&mut conn).await?;
    for id in repo::behind(&mut conn).await? {
        loop {
            let now = app.clock.now();
            let n = conn
                .transaction::<_, DbError, _>(async |c| {
                    repo::fan_out(c, id, now, FAN_OUT_BATCH).await
                })
                .await?;
            round.scanned += n;
            if n < FAN_OUT_BATCH {
                break;
            }
        }
    }
    for _ in 0..MAX_CLAIMS {
        let now = app.clock.now();
        let lease = now
            + chrono::Duration::from_std(app.config.webhooks.timeout)
                .unwrap_or_else(|_| chrono::Duration::seconds(10))
            + chrono::Duration::seconds(30);
        let claimed = repo::claim(&mut conn, now, lease, SEND_BATCH).await?;
        if claimed.is_empty() {
            break;
        }
        let outcomes = join_all(claimed.iter().map(|d| attempt(app, d))).await;
        round.attempts += outcomes.len();
        round.delivered += outcomes
            .iter()
            .filter(|(_, next)| matches!(next, Next::Delivered))
            .count();
        // One transaction for the batch: one commit instead of one per delivery. Should it
        // fail, the batch's leases run out and its deliveries are made again (at least once).
        conn.transaction::<_, DbError, _>(async |c| {
            for (d, (a, next)) in claimed.iter().zip(&outcomes) {
                repo::record(c, d.delivery_id, d.subscription_id, a, next).await?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(round)
}

/// The body of a delivery: the event as a CloudEvent.
fn body_of(d: &Claimed) -> Result<Vec<u8>, String> {
    let event = CloudEvent::of(d.event.clone())
        .map_err(|_| format!("unknown event type {}", d.event.event_type))?;
    serde_json::to_vec(&event).map_err(|e| e.to_string())
}

/// The Standard Webhooks headers of a delivery sent at `at`: a signature with the current
/// secret, and one with the replaced secret while it still signs.
pub fn headers_of(d: &Claimed, at: DateTime<Utc>, body: &[u8]) -> Vec<(&'static str, String)> {
    let id = d.event.id.to_string();
    let ts = at.timestamp();
    let signatures: Vec<String> = std::iter::once(&d.secret)
        .chain(d.previous_secret.as_ref())
        .filter_map(|s| send::sign(s, &id, ts, body))
        .collect();
    vec![
        ("webhook-id", id),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signatures.join(" ")),
    ]
}

/// One attempt: the address checked again (a name may resolve elsewhere now), the event
/// posted to it, the answer judged.
async fn attempt(app: &AppState, d: &Claimed) -> (Attempt, Next) {
    let at = app.clock.now();
    let started = Instant::now();
    let result = send_one(app, d, at).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let failed = d.attempts.saturating_add(1);
    let retry = |gone| Next::Retry {
        at: at + retry_delay(failed, rand::rng().random::<f64>()),
        gone,
        max_failures: app.config.webhooks.max_failures,
    };
    let (status_code, error, next) = match result {
        Ok(code) if (200..300).contains(&code) => (Some(code), None, Next::Delivered),
        Ok(410) => (Some(410), None, retry(true)),
        Ok(code) => (Some(code), None, retry(false)),
        Err(e) => {
            log::info!("webhook delivery {} to {}: {e}", d.delivery_id, d.url);
            (None, Some(e), retry(false))
        }
    };
    let a = Attempt {
        at,
        duration_ms,
        status_code: status_code.map(i32::from),
        error,
        manual: d.manual,
    };
    (a, next)
}

async fn send_one(app: &AppState, d: &Claimed, at: DateTime<Utc>) -> Result<u16, String> {
    let target = Target::parse(&d.url).map_err(|why| format!("the URL {why}"))?;
    let allowed = &app.config.webhooks.allowed_networks;
    let addr = tokio::time::timeout(app.config.webhooks.timeout, send::resolve(&target, allowed))
        .await
        .unwrap_or(Err(SendError::Timeout))
        .map_err(|e| match e {
            SendError::Forbidden(ip) => format!("refused: {} resolves to {ip}", target.host()),
            e => e.to_string(),
        })?;
    let body = body_of(d)?;
    let headers = headers_of(d, at, &body);
    send::post(&target, addr, &headers, &body, app.config.webhooks.timeout)
        .await
        .map_err(|e| e.to_string())
}
