//! Test databases: each test gets its own database, cloned from a migrated template.
//!
//! `ZHENGWU_TEST_DATABASE_URL` names a PostgreSQL server (and a database to connect to for
//! administration, usually `postgres`). The template is named after a hash of the migration
//! files, built once under an advisory lock (test binaries run in parallel processes), and
//! cloned with `CREATE DATABASE … TEMPLATE`, which takes milliseconds. Each database is
//! dropped when its [`TestDb`] is dropped.

use std::path::Path;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

const TEMPLATE_LOCK: i64 = 0x7a68_656e_6777_7503;

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    name: String,
    admin_url: String,
}

fn admin_url() -> String {
    std::env::var("ZHENGWU_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "ZHENGWU_TEST_DATABASE_URL is not set: run the tests with scripts/test, or point it \
             at a PostgreSQL server, e.g. postgres://zhengwu@127.0.0.1:5432/postgres"
        )
    })
}

/// The URL with its database name replaced.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{db}", &base[..host_part_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn migrations_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut h = Sha256::new();
    for e in entries {
        h.update(e.to_string_lossy().as_bytes());
        h.update(std::fs::read(e.join("up.sql")).unwrap_or_default());
    }
    hex::encode(&h.finalize()[..6])
}

fn run_blocking<F, T>(f: F) -> T
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("test runtime: {e}"));
        rt.block_on(f)
    })
    .join()
    .unwrap_or_else(|_| panic!("test database setup panicked"))
}

async fn exec(conn: &mut AsyncPgConnection, sql: &str) -> Result<(), String> {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(|e| format!("{sql}: {e}"))
}

async fn ensure_template(admin: String) -> Result<String, String> {
    let template = format!("zhengwu_tpl_{}", migrations_hash());
    let mut conn = AsyncPgConnection::establish(&admin)
        .await
        .map_err(|e| format!("cannot connect to {admin}: {e}"))?;
    exec(
        &mut conn,
        &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"),
    )
    .await?;
    let result = async {
        #[derive(diesel::QueryableByName)]
        struct Exists {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            exists: bool,
        }
        let found: Exists = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
        )
        .bind::<diesel::sql_types::Text, _>(&template)
        .get_result(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        if !found.exists {
            let building = format!("{template}_building");
            exec(
                &mut conn,
                &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
            )
            .await?;
            exec(&mut conn, &format!("CREATE DATABASE {building}")).await?;
            crate::db::migrate(&with_database(&admin, &building))
                .await
                .map_err(|e| format!("migrating the template: {e}"))?;
            exec(
                &mut conn,
                &format!("ALTER DATABASE {building} RENAME TO {template}"),
            )
            .await?;
            exec(
                &mut conn,
                &format!("ALTER DATABASE {template} IS_TEMPLATE true"),
            )
            .await?;
        }
        Ok::<_, String>(())
    }
    .await;
    exec(
        &mut conn,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"),
    )
    .await?;
    result.map(|()| template)
}

impl TestDb {
    /// Creates a fresh, migrated database. Panics when no server is reachable.
    pub fn create() -> TestDb {
        let admin = admin_url();
        let name = format!("zhengwu_test_{}", uuid::Uuid::new_v4().simple());
        let admin2 = admin.clone();
        let name2 = name.clone();
        run_blocking(async move {
            let template = ensure_template(admin2.clone()).await?;
            let mut conn = AsyncPgConnection::establish(&admin2)
                .await
                .map_err(|e| e.to_string())?;
            exec(
                &mut conn,
                &format!("CREATE DATABASE {name2} TEMPLATE {template}"),
            )
            .await
        })
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        TestDb {
            url: with_database(&admin, &name),
            name,
            admin_url: admin,
        }
    }

    /// Creates a fresh database without any migration applied, for tests of start-up.
    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn create_empty() -> TestDb {
        let admin = admin_url();
        let name = format!("zhengwu_test_{}", uuid::Uuid::new_v4().simple());
        let admin2 = admin.clone();
        let name2 = name.clone();
        run_blocking(async move {
            let mut conn = AsyncPgConnection::establish(&admin2)
                .await
                .map_err(|e| e.to_string())?;
            exec(&mut conn, &format!("CREATE DATABASE {name2}")).await
        })
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        TestDb {
            url: with_database(&admin, &name),
            name,
            admin_url: admin,
        }
    }

    /// Runs a query on this database that returns one `bigint` column named `n`, and returns
    /// its values (for checks of what the application stored).
    pub fn numbers(&self, sql: &str) -> Vec<i64> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.rows::<Row>(sql).into_iter().map(|r| r.n).collect()
    }

    /// Like [`TestDb::numbers`] for one `text` column named `t`.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        self.rows::<Row>(sql).into_iter().map(|r| r.t).collect()
    }

    fn rows<R>(&self, sql: &str) -> Vec<R>
    where
        R: diesel::QueryableByName<diesel::pg::Pg> + Send + 'static,
    {
        let url = self.url.clone();
        let sql = sql.to_owned();
        run_blocking(async move {
            let mut conn = AsyncPgConnection::establish(&url)
                .await
                .map_err(|e| e.to_string())?;
            diesel::sql_query(&sql)
                .load::<R>(&mut conn)
                .await
                .map_err(|e| format!("{sql}: {e}"))
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs SQL directly on this database, bypassing the application (for tamper tests).
    pub fn execute(&self, sql: &str) {
        let url = self.url.clone();
        let sql = sql.to_owned();
        run_blocking(async move {
            let mut conn = AsyncPgConnection::establish(&url)
                .await
                .map_err(|e| e.to_string())?;
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &sql)
                .await
                .map_err(|e| e.to_string())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Connects to `url` as the application does (`crate::tls::establish`) and tells whether
/// the connection is encrypted, as the server sees it; the error of the connection
/// otherwise.
pub fn tls_in_use(url: &str) -> Result<bool, String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let url = url.to_owned();
    run_blocking(async move {
        let mut conn = crate::tls::establish(&url)
            .await
            .map_err(|e| e.to_string())?;
        let row: Row =
            diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .get_result(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
        Ok(row.ssl)
    })
}

/// A transaction held open on a connection of its own (see [`TestDb::hold`]); dropping it
/// rolls the transaction back.
pub struct Held {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestDb {
    /// Runs `sql` in a transaction on a connection of its own and keeps the transaction
    /// open until the returned guard is dropped: `LOCK TABLE windows` makes every query of
    /// the application on that table wait (until its statement timeout), as in an outage.
    pub fn hold(&self, sql: &str) -> Held {
        let url = self.url.clone();
        let sql = format!("BEGIN; {sql}");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            rt.block_on(async move {
                let mut conn = match AsyncPgConnection::establish(&url).await {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let began =
                    diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &sql).await;
                let _ = ready_tx.send(began.map_err(|e| format!("{sql}: {e}")));
                // Until the guard is dropped (its sender then disconnects).
                let _ = tokio::task::spawn_blocking(move || release_rx.recv()).await;
                let _ =
                    diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, "ROLLBACK").await;
            });
        });
        match ready_rx.recv() {
            Ok(Ok(())) => Held {
                release: Some(release_tx),
                thread: Some(thread),
            },
            Ok(Err(e)) => panic!("hold: {e}"),
            Err(_) => panic!("hold: the holding thread ended"),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // Best effort: a leftover database disappears with the throwaway cluster anyway.
        let _ = run_blocking(async move {
            let mut conn = AsyncPgConnection::establish(&admin)
                .await
                .map_err(|e| e.to_string())?;
            exec(
                &mut conn,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await
        });
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
