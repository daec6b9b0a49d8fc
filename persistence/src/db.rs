//! The connection pool, error mapping and migrations.

use std::time::Duration;

use deadpool::managed::{Metrics, Object, Pool, RecycleError, RecycleResult};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, PoolError as ConnectError, PoolableConnection,
};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type PgPool = Pool<Manager>;
pub type PooledConn = Object<Manager>;
pub type Conn = AsyncPgConnection;

/// The migrations of `../migrations`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Serialises migrations when several replicas start at once.
const MIGRATION_LOCK: i64 = 0x7a68_656e_6777_7501;

/// What went wrong talking to the database, in the terms callers act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    #[error("a referenced row does not exist ({constraint})")]
    MissingReference { constraint: String },
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or("unknown").to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ExclusionViolation => {
                        DbError::Conflict { constraint }
                    }
                    DatabaseErrorKind::SerializationFailure => DbError::Conflict {
                        constraint: "serialization".to_owned(),
                    },
                    DatabaseErrorKind::ForeignKeyViolation => {
                        DbError::MissingReference { constraint }
                    }
                    DatabaseErrorKind::ClosedConnection => {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ if looks_unavailable(info.message()) => {
                        DbError::Unavailable(info.message().to_owned())
                    }
                    _ => DbError::Other(info.message().to_owned()),
                }
            }
            DieselError::BrokenTransactionManager => {
                DbError::Unavailable("broken transaction manager".to_owned())
            }
            other => {
                let msg = other.to_string();
                if looks_unavailable(&msg) {
                    DbError::Unavailable(msg)
                } else {
                    DbError::Other(msg)
                }
            }
        }
    }
}

/// Tells a real absence from a failure: `NotFound` becomes `None`, every other error stays
/// an error (an outage must not read as "there is no such row").
pub trait Found<T> {
    fn found(self) -> Result<Option<T>, DbError>;
}

impl<T> Found<T> for Result<T, DbError> {
    fn found(self) -> Result<Option<T>, DbError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn looks_unavailable(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "connection",
        "terminating",
        "shutting down",
        "starting up",
        "timed out",
        "canceling statement due to statement timeout",
        "broken pipe",
    ]
    .iter()
    .any(|s| m.contains(s))
}

impl From<deadpool::managed::PoolError<ConnectError>> for DbError {
    fn from(e: deadpool::managed::PoolError<ConnectError>) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    /// How long a request waits for a connection (also to establish one) before failing.
    pub timeout: Duration,
    /// `statement_timeout` set on every connection.
    pub statement_timeout: Duration,
}

impl PoolSettings {
    /// How long a request may take until its response starts: a connection, then its
    /// statements. PostgreSQL ends a statement after `statement_timeout`; a database that
    /// stopped answering (a partition, a frozen host) cannot, and the request gives up
    /// here instead of hanging.
    pub fn request_deadline(&self) -> Duration {
        self.statement_timeout + self.timeout
    }
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// A session handed out again within this time of its last checkout is not asked
/// `SELECT 1` first: under load every checkout would otherwise cost a round trip. A
/// session the server ended is still recognised (its socket is closed), and a query on a
/// database that stopped answering is bounded by the request's deadline
/// ([`PoolSettings::request_deadline`]).
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// The pool's manager: diesel-async's, with the liveness query only for sessions that have
/// been idle for a while (see [`TRUSTED_FOR`]).
pub struct Manager {
    inner: AsyncDieselConnectionManager<AsyncPgConnection>,
}

impl deadpool::managed::Manager for Manager {
    type Type = AsyncPgConnection;
    type Error = ConnectError;

    async fn create(&self) -> Result<AsyncPgConnection, ConnectError> {
        self.inner.create().await
    }

    async fn recycle(
        &self,
        conn: &mut AsyncPgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<ConnectError> {
        if metrics.last_used() >= TRUSTED_FOR {
            return self.inner.recycle(conn, metrics).await;
        }
        // What diesel-async checks before its query: an open or failed transaction left
        // behind, or a session whose socket is closed.
        if std::thread::panicking() || conn.is_broken() {
            return Err(RecycleError::message("broken connection"));
        }
        Ok(())
    }
}

/// Where a pool's sessions are driven: the task that moves a session's bytes between its
/// socket and the statements' futures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driven {
    /// On a runtime of their own (one thread), so that they live as long as the process:
    /// for a pool that futures on any thread use.
    Apart,
    /// On the runtime of the thread that makes them: for a pool used on that thread only
    /// (an HTTP worker's), whose statements then never wake another thread.
    Here,
}

/// Builds the pool. Connections are made lazily, so this succeeds while the database is down;
/// requests then fail fast with [`DbError::Unavailable`] until it is back.
pub fn create_pool(url: &str, settings: &PoolSettings) -> Result<PgPool, DbError> {
    create_pool_driven(url, settings, Driven::Apart)
}

/// [`create_pool`], with the sessions driven where `driven` says.
pub fn create_pool_driven(
    url: &str,
    settings: &PoolSettings,
    driven: Driven,
) -> Result<PgPool, DbError> {
    let statement_timeout_ms = settings.statement_timeout.as_millis();
    let mut config = diesel_async::pooled_connection::ManagerConfig::default();
    config.custom_setup = Box::new(move |url: &str| {
        let url = url.to_owned();
        Box::pin(async move {
            let setup = async move {
                let mut conn = crate::tls::establish(&url).await?;
                // No parallel plans: the API's statements run many at once on few cores, so
                // a plan's workers compete with the other requests' backends, and launching
                // them costs more than they save. Measured: the statistics of a city's month
                // flipped to a parallel scan at 28 ms instead of an index plan at 5.6 ms.
                diesel_async::SimpleAsyncConnection::batch_execute(
                    &mut conn,
                    &format!(
                        "SET statement_timeout = {statement_timeout_ms}; SET TIME ZONE 'UTC'; \
                         SET max_parallel_workers_per_gather = 0"
                    ),
                )
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(conn)
            };
            // diesel-async spawns the task that drives the connection on the runtime that
            // establishes it. Apart: the sessions' own runtime, so that it lives as long as
            // the process, not as long as the HTTP worker that happened to ask for it (an
            // idle worker stops first in a graceful shutdown, and its sessions would end
            // with it). Here: the caller's, whose thread alone uses the pool.
            match driven {
                Driven::Apart => sessions_runtime()?
                    .spawn(setup)
                    .await
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?,
                Driven::Here => setup.await,
            }
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        with_connect_timeout(url, settings.timeout),
        config,
    );
    Pool::builder(Manager { inner: manager })
        .max_size(settings.max_size)
        .wait_timeout(Some(settings.timeout))
        .create_timeout(Some(settings.timeout))
        .recycle_timeout(Some(settings.timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| DbError::Other(e.to_string()))
}

/// The runtime that drives the pooled sessions (one thread; it only moves bytes between
/// the sockets and the requests' futures).
fn sessions_runtime() -> Result<tokio::runtime::Handle, diesel::ConnectionError> {
    static RUNTIME: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> =
        std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("zhengwu-db")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map(|rt| rt.handle().clone())
        .map_err(|e| {
            diesel::ConnectionError::BadConnection(format!(
                "cannot start the sessions' runtime: {e}"
            ))
        })
}

fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={}", timeout.as_secs().max(1))
}

/// Takes a connection from the pool.
pub async fn conn(pool: &PgPool) -> Result<PooledConn, DbError> {
    Ok(pool.get().await?)
}

/// A session made as `pool` makes its own (the same settings, driven where the pool's are),
/// but not counted in it, named `name` (its `application_name`): one that many reads share
/// for as long as it lives.
pub async fn session(pool: &PgPool, name: &str) -> Result<Conn, DbError> {
    use deadpool::managed::Manager as _;
    let limit = pool.timeouts().create.unwrap_or(Duration::from_secs(5));
    let mut conn = tokio::time::timeout(limit, pool.manager().create())
        .await
        .map_err(|_| DbError::Unavailable(format!("no session within {limit:?}")))?
        .map_err(|e| DbError::Unavailable(e.to_string()))?;
    diesel::sql_query("SELECT set_config('application_name', $1, false)")
        .bind::<diesel::sql_types::Text, _>(name)
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// Whether the database answers within the pool's wait timeout.
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    let limit = pool.timeouts().wait.unwrap_or(Duration::from_secs(5));
    let check = async {
        let mut c = conn(pool).await?;
        diesel::sql_query("SELECT 1").execute(&mut c).await?;
        Ok(())
    };
    tokio::time::timeout(limit, check)
        .await
        .unwrap_or_else(|_| Err(DbError::Unavailable(format!("no answer within {limit:?}"))))
}

/// Applies pending migrations under an advisory lock, so replicas starting together apply
/// each migration once. Returns the versions applied. Needs a multi-threaded Tokio runtime.
pub async fn migrate(url: &str) -> Result<Vec<String>, DbError> {
    let mut conn = crate::tls::establish(url)
        .await
        .map_err(|e| DbError::Unavailable(e.to_string()))?;
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let applied = harness
        .run_pending_migrations(MIGRATIONS)
        .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
        .map_err(|e| DbError::Other(e.to_string()));
    let mut conn = harness.into_inner();
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await?;
    applied
}
