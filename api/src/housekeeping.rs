//! Removing what has outlived its purpose: idempotency keys past their lifetime
//! (`ZHENGWU_IDEMPOTENCY_TTL`) and failed logins no longer remembered (a day after the
//! last one). The server runs it every [`INTERVAL`]; it is safe on several
//! replicas (each removal is a plain delete of expired rows) and can be run on demand.

use std::time::Duration;

use zhengwu_domain::account::LoginThrottle;
use zhengwu_persistence::{idempotency, login_throttle};

use crate::error::ApiError;
use crate::state::AppState;

/// How often the server runs it.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// Rows removed per statement, so that no transaction grows large.
const BATCH: i64 = 10_000;

/// What one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub idempotency_keys: usize,
    /// Pairs of an account name and a client address whose failures are forgotten.
    pub login_failures: usize,
}

/// Removes the expired rows, by the app's clock.
pub async fn run(state: &AppState) -> Result<Removed, ApiError> {
    let now = state.clock.now();
    let ttl = chrono::Duration::from_std(state.config.idempotency_ttl)
        .unwrap_or(chrono::Duration::days(1));
    let mut conn = state.conn().await?;
    let mut removed = Removed::default();
    loop {
        let n = idempotency::purge(&mut conn, now - ttl, BATCH).await?;
        removed.idempotency_keys += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    let forgotten = now - chrono::Duration::hours(LoginThrottle::MEMORY_HOURS);
    loop {
        let n = login_throttle::purge(&mut conn, forgotten, BATCH).await?;
        removed.login_failures += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    Ok(removed)
}
