//! Shared state of the app.

use std::sync::Arc;

use zhengwu_persistence::PgPool;
use zhengwu_persistence::db::{Driven, PoolSettings};

use crate::auth::JwtKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;

thread_local! {
    /// The pool of the HTTP worker running on this thread, once [`AppState::start_worker`]
    /// has made it.
    static WORKER_POOL: std::cell::OnceCell<PgPool> = const { std::cell::OnceCell::new() };
}

/// How many connections background jobs hold at most when the HTTP workers have pools of
/// their own: one each for the alert job, the two refreshers, the audit checkpoints,
/// housekeeping, the webhook deliveries and the search index's catch-up at start.
pub const JOB_CONNECTIONS: usize = 7;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The pool of what runs outside an HTTP worker with a pool of its own: background jobs,
    /// and every request when no worker has one (as in tests).
    pub pool: PgPool,
    /// The pools of the HTTP workers, for the metrics.
    pub worker_pools: Arc<std::sync::Mutex<Vec<PgPool>>>,
    /// The read replica's pool, when one is configured.
    pub read_pool: Option<PgPool>,
    pub config: Arc<Config>,
    pub jwt: Arc<JwtKeys>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    pub storage: crate::storage::Storage,
    /// Public case lookups per client address.
    pub lookups: Arc<crate::ratelimit::RateLimiter>,
    /// Token requests per client address.
    pub logins: Arc<crate::ratelimit::RateLimiter>,
    /// Permits for computations over a whole scope (`ZHENGWU_HEAVY_READS`).
    pub heavy_reads: Arc<tokio::sync::Semaphore>,
    /// What access tokens stand for now, briefly cached.
    pub principals: Arc<crate::principals::Principals>,
    /// The key of audit checkpoints (none without a JWT secret or `ZHENGWU_AUDIT_KEY`).
    pub checkpoint_key: Option<zhengwu_persistence::audit::CheckpointKey>,
    /// The portal's search index.
    pub search: Arc<zhengwu_persistence::search::engine::SearchEngine>,
}

/// A read-only connection together with a permit of [`AppState::heavy_reads`]: the
/// permit is given back when the request's work is done.
pub struct HeavyConn {
    conn: zhengwu_persistence::db::PooledConn,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl std::ops::Deref for HeavyConn {
    type Target = zhengwu_persistence::db::PooledConn;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for HeavyConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

impl AppState {
    pub fn new(pool: PgPool, config: Config, clock: Arc<dyn Clock>) -> Self {
        Self::with_read_pool(pool, None, config, clock)
    }

    /// With a pool on a read replica for read-only endpoints.
    pub fn with_read_pool(
        pool: PgPool,
        read_pool: Option<PgPool>,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Self {
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
        let heavy_reads = Arc::new(tokio::sync::Semaphore::new(config.heavy_reads.max(1)));
        let checkpoint_key = crate::checkpoints::key(&config);
        let search = Arc::new(zhengwu_persistence::search::engine::SearchEngine::new(
            config.search_dir.clone(),
            config.search_cache,
        ));
        Self {
            search,
            principals: Arc::default(),
            checkpoint_key,
            storage,
            lookups,
            logins,
            heavy_reads,
            pool,
            worker_pools: Arc::default(),
            read_pool,
            config: Arc::new(config),
            jwt,
            clock,
            metrics: Arc::new(Metrics::new()),
        }
    }

    /// Today in the deadline time zone, by the server's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock
            .now()
            .with_timezone(&self.config.timezone)
            .date_naive()
    }

    /// Gives the HTTP worker on this thread a pool of `size` sessions of its own, driven on
    /// its runtime: a statement's bytes then go from the request's future to the socket and
    /// back on one thread, where a shared pool's sessions, driven on a thread of their own,
    /// wake that thread and then the worker for every statement. Called once per worker,
    /// on its thread, as it starts; the sessions close when the worker stops.
    pub fn start_worker(&self, size: usize) -> Result<(), zhengwu_persistence::DbError> {
        let settings = PoolSettings {
            max_size: size.max(1),
            ..self.config.pool.clone()
        };
        let pool = zhengwu_persistence::db::create_pool_driven(
            &self.config.database_url,
            &settings,
            Driven::Here,
        )?;
        if WORKER_POOL.with(|p| p.set(pool.clone())).is_ok() {
            self.worker_pools
                .lock()
                .map_err(|_| zhengwu_persistence::DbError::Other("worker pools".into()))?
                .push(pool);
        }
        Ok(())
    }

    /// The pool of the primary for this thread: its HTTP worker's, else the shared one.
    pub fn primary(&self) -> PgPool {
        WORKER_POOL
            .with(|p| p.get().cloned())
            .unwrap_or_else(|| self.pool.clone())
    }

    pub async fn conn(
        &self,
    ) -> Result<zhengwu_persistence::db::PooledConn, crate::error::ApiError> {
        Ok(zhengwu_persistence::db::conn(&self.primary()).await?)
    }

    /// A connection for a read-only endpoint: from the read replica when
    /// `ZHENGWU_READ_DATABASE_URL` is set, else the primary. Such endpoints (public search
    /// and lookups, statistics, reports, alerts) tolerate the replica's lag.
    pub async fn read_conn(
        &self,
    ) -> Result<zhengwu_persistence::db::PooledConn, crate::error::ApiError> {
        match &self.read_pool {
            Some(replica) => Ok(zhengwu_persistence::db::conn(replica).await?),
            None => self.conn().await,
        }
    }

    /// A read-only connection for a computation over a whole scope (alerts, anomalies,
    /// statistics, assessments, bulletins): at most `ZHENGWU_HEAVY_READS` run at once and
    /// the others wait their turn. Each holds a city's open objects or a period's records in
    /// memory, and they are bound by the CPU anyway, so running more at once only adds
    /// memory (measured: 32 concurrent city alert lists took the server to 690 MB).
    pub async fn heavy_read_conn(&self) -> Result<HeavyConn, crate::error::ApiError> {
        let permit = self
            .heavy_reads
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| crate::error::ApiError::internal())?;
        Ok(HeavyConn {
            conn: self.read_conn().await?,
            _permit: permit,
        })
    }
}
