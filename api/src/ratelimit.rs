//! A fixed-window rate limit per key (client address), on the app's clock.
//!
//! It lives in process memory, so with several replicas each allows the limit; that is
//! enough to stop guessing of query passwords through one replica's address.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::error::ApiError;

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key`; 429 once the window's limit is used up.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        let Ok(mut hits) = self.hits.lock() else {
            return Ok(());
        };
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now - *start < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.limit {
            let retry = (entry.0 + self.window - now).num_seconds().max(1) as u64;
            return Err(ApiError::too_many_requests(
                "rate_limited",
                retry,
                "too many lookups from this address; wait a moment",
            ));
        }
        Ok(())
    }
}

/// Counts a public lookup against the caller's address (429 beyond the rate).
pub fn check_lookup(
    state: &crate::state::AppState,
    req: &actix_web::HttpRequest,
) -> Result<(), crate::error::ApiError> {
    let ip = req
        .connection_info()
        .realip_remote_addr()
        .unwrap_or("unknown")
        .to_owned();
    state.lookups.check(&ip, state.clock.now())
}
