//! Shared state of the app.

use std::rc::Rc;
use std::sync::Arc;

use zhengwu_persistence::db::DbError;
use zhengwu_persistence::db::{Driven, PoolSettings};
use zhengwu_persistence::{Conn, PgPool};

use crate::auth::JwtKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;

thread_local! {
    /// The pool of the HTTP worker running on this thread, once [`AppState::start_worker`]
    /// has made it.
    static WORKER_POOL: std::cell::OnceCell<PgPool> = const { std::cell::OnceCell::new() };
    /// The session this HTTP worker's shared reads go to (see [`AppState::shared_read`]).
    static SHARED_SESSION: std::cell::RefCell<SharedSession> =
        std::cell::RefCell::new(SharedSession::default());
}

/// The name the shared read sessions give themselves (`application_name`), so that an
/// administrator tells them from the pools' in `pg_stat_activity`.
pub const SHARED_SESSION_NAME: &str = "zhengwu shared reads";

/// After a shared session could not be opened, reads go to the pool for this long before
/// another is tried: a database that is down is not asked twice per request.
const SHARED_SESSION_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// An HTTP worker's shared session: opened by the first read that needs it (the others
/// wait for that one), forgotten when a read on it finds the database unavailable.
#[derive(Default)]
struct SharedSession {
    session: Rc<tokio::sync::OnceCell<Rc<Shared>>>,
    failed_at: Option<std::time::Instant>,
}

/// An open shared session, counted in the metrics while it lives.
struct Shared {
    conn: Conn,
    metrics: Arc<Metrics>,
}

impl Shared {
    fn new(conn: Conn, metrics: Arc<Metrics>) -> Self {
        metrics.shared_session_opened();
        Self { conn, metrics }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.metrics.shared_session_closed();
    }
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

    /// Runs `read` on the session that this HTTP worker's shared reads use, or on a
    /// connection of the pool where there is none (outside an HTTP worker, or while one
    /// cannot be opened).
    ///
    /// On one session the statements of many requests travel together: each request sends
    /// its statement without waiting for the others' answers, PostgreSQL answers them in
    /// turn, and their bytes go in fewer writes, reads and wake-ups of both processes than
    /// one session per request (measured on the item page: PostgreSQL's CPU per request
    /// down by about 40%). So `read` must not need a transaction, nor anything a session
    /// remembers: it gets the session shared, and answers from the primary. And it must
    /// be short: PostgreSQL answers a session's statements in turn, so a slow one delays
    /// those sent after it.
    ///
    /// When `read` finds the database unavailable on the shared session, the session is
    /// forgotten and `read` runs again on the pool's: a session PostgreSQL ended (a
    /// restart, an administrator) costs a retry, not a failed request.
    pub async fn shared_read<T>(
        &self,
        read: impl AsyncFn(&Conn) -> Result<T, DbError>,
    ) -> Result<T, crate::error::ApiError> {
        if let Some(session) = self.shared_session().await {
            match read(&session.conn).await {
                Err(DbError::Unavailable(e)) => {
                    SHARED_SESSION.with(|s| {
                        let mut s = s.borrow_mut();
                        if s.session
                            .get()
                            .is_some_and(|held| Rc::ptr_eq(held, &session))
                        {
                            s.session = Rc::default();
                        }
                    });
                    log::warn!("a shared read session failed ({e}); a new one will be opened");
                }
                done => return Ok(done?),
            }
        }
        let conn = self.conn().await?;
        Ok(read(&conn).await?)
    }

    /// This HTTP worker's shared session, opened if need be; `None` outside a worker with a
    /// pool of its own, or when it cannot be opened.
    async fn shared_session(&self) -> Option<Rc<Shared>> {
        let pool = WORKER_POOL.with(|p| p.get().cloned())?;
        let cell = SHARED_SESSION.with(|s| {
            let s = s.borrow();
            match s.failed_at {
                Some(at) if at.elapsed() < SHARED_SESSION_RETRY => None,
                _ => Some(s.session.clone()),
            }
        })?;
        let open = async || {
            zhengwu_persistence::db::session(&pool, SHARED_SESSION_NAME)
                .await
                .map(|conn| Rc::new(Shared::new(conn, self.metrics.clone())))
        };
        match cell.get_or_try_init(open).await {
            Ok(session) => Some(session.clone()),
            Err(e) => {
                SHARED_SESSION.with(|s| s.borrow_mut().failed_at = Some(std::time::Instant::now()));
                log::warn!("no shared read session ({e}); reads use the pool meanwhile");
                None
            }
        }
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
