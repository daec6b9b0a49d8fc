//! Shared state of the app.

use std::sync::Arc;

use zhengwu_persistence::PgPool;

use crate::auth::JwtKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    pub storage: crate::storage::Storage,
    /// Public case lookups per client address.
    pub lookups: Arc<crate::ratelimit::RateLimiter>,
    /// Token requests per client address.
    pub logins: Arc<crate::ratelimit::RateLimiter>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config, clock: Arc<dyn Clock>) -> Self {
        let jwt = Arc::new(JwtKeys::new(&config));
        let storage = crate::storage::Storage::local(config.storage_dir.clone());
        let lookups = Arc::new(crate::ratelimit::RateLimiter::new(
            config.lookup_rate_per_minute,
            chrono::Duration::minutes(1),
        ));
        let logins = Arc::new(crate::ratelimit::RateLimiter::new(
            config.login_rate_per_minute,
            chrono::Duration::minutes(1),
        ));
        Self {
            storage,
            lookups,
            logins,
            pool,
            config: Arc::new(config),
            jwt,
            clock,
            metrics: Arc::new(Metrics::new()),
        }
    }

    pub async fn conn(
        &self,
    ) -> Result<zhengwu_persistence::db::PooledConn, crate::error::ApiError> {
        Ok(zhengwu_persistence::db::conn(&self.pool).await?)
    }
}
