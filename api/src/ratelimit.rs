//! A fixed-window rate limit per key (client address), on the app's clock.
//!
//! It lives in process memory, so with several replicas each allows the limit; that is
//! enough to stop guessing of query passwords through one replica's address.

use std::collections::HashMap;
use std::sync::Mutex;
use zhengwu_domain::codes::Code;

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
                Code::RateLimited,
                retry,
                "too many requests from this address; wait a moment",
            ));
        }
        Ok(())
    }
}

/// The client's address: the peer's, or — behind a trusted reverse proxy
/// (`ZHENGWU_TRUST_FORWARDED`) — the one `Forwarded`/`X-Forwarded-For` names, which a client
/// could otherwise forge to escape the limits.
pub fn client_address(state: &crate::state::AppState, req: &actix_web::HttpRequest) -> String {
    if state.config.trust_forwarded {
        req.connection_info()
            .realip_remote_addr()
            .unwrap_or("unknown")
            .to_owned()
    } else {
        req.peer_addr()
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
    }
}

/// Counts a public lookup against the caller's address (429 beyond the rate).
pub fn check_lookup(
    state: &crate::state::AppState,
    req: &actix_web::HttpRequest,
) -> Result<(), crate::error::ApiError> {
    state
        .lookups
        .check(&client_address(state, req), state.clock.now())
}

/// Counts a token request against the caller's address (429 beyond the rate), so that
/// passwords cannot be tried across many accounts from one place; the throttle of each
/// account name and address (`routes::auth`) slows tries against one account.
pub fn check_login(
    state: &crate::state::AppState,
    req: &actix_web::HttpRequest,
) -> Result<(), crate::error::ApiError> {
    state
        .logins
        .check(&client_address(state, req), state.clock.now())
}
