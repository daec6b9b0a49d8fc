//! PostgreSQL over TLS, against the test cluster (scripts/test starts it with a
//! certificate for localhost and 127.0.0.1 signed by a throw-away CA, and names that CA in
//! ZHENGWU_TEST_PG_SSLROOTCERT): `sslmode` and `sslrootcert` as libpq reads them, for the
//! pool, the migrations and the whole app.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use zhengwu_api::clock::SystemClock;
use zhengwu_api::state::AppState;
use zhengwu_persistence::testkit::tls_in_use;
use zhengwu_tests::*;

/// The CA of the test cluster's certificate.
fn root_cert() -> String {
    std::env::var("ZHENGWU_TEST_PG_SSLROOTCERT").unwrap_or_else(|_| {
        panic!(
            "ZHENGWU_TEST_PG_SSLROOTCERT is not set: run scripts/test, or point it at the CA \
             certificate of the server of ZHENGWU_TEST_DATABASE_URL"
        )
    })
}

/// `url` with `params` added to its query.
fn with(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

#[actix_web::test]
async fn sslmode_and_sslrootcert_are_read_as_libpq_reads_them() {
    let ca = root_cert();
    let db = TestDb::create();
    let url = db.url.clone();
    let localhost = url.replace("@127.0.0.1:", "@localhost:");
    assert!(localhost.contains("@localhost:"), "{url}");
    for (what, url, encrypted) in [
        ("disable", with(&url, "sslmode=disable"), false),
        ("prefer, the default", url.clone(), true),
        ("require", with(&url, "sslmode=require"), true),
        (
            "verify-ca",
            with(&url, &format!("sslmode=verify-ca&sslrootcert={ca}")),
            true,
        ),
        (
            "verify-full by address",
            with(&url, &format!("sslmode=verify-full&sslrootcert={ca}")),
            true,
        ),
        (
            "verify-full by name",
            with(&localhost, &format!("sslmode=verify-full&sslrootcert={ca}")),
            true,
        ),
    ] {
        assert_eq!(tls_in_use(&url), Ok(encrypted), "{what}: {url}");
    }
    // A certificate not signed by the roots given, or not naming the host, is refused.
    let other_roots = with(&url, "sslmode=verify-full&sslrootcert=system");
    let refused = tls_in_use(&other_roots);
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("UnknownIssuer")),
        "{refused:?}"
    );
    let wrong_name = format!(
        "host=not-this-server.example hostaddr=127.0.0.1 port={} user=zhengwu dbname={} \
         sslmode=verify-full sslrootcert={ca}",
        port(&url),
        db.name()
    );
    let refused = tls_in_use(&wrong_name);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("not valid for name")),
        "{refused:?}"
    );
    // verify-ca checks the chain only.
    assert_eq!(
        tls_in_use(&wrong_name.replace("verify-full", "verify-ca")),
        Ok(true)
    );
    // Without roots there is nothing to verify against.
    let no_roots = with(
        &url,
        "sslmode=verify-full&sslrootcert=/nonexistent/root.crt",
    );
    assert!(tls_in_use(&no_roots).is_err());
}

/// As libpq: a connection over a Unix-domain socket carries no TLS, whatever `sslmode`
/// says (PostgreSQL offers none there, and a socket path is no name a certificate could
/// be checked against), and it connects.
#[actix_web::test]
async fn a_unix_socket_connects_without_tls_whatever_sslmode_says() {
    let db = TestDb::create();
    let dirs =
        db.texts("SELECT setting AS t FROM pg_settings WHERE name = 'unix_socket_directories'");
    let Some(dir) = dirs
        .first()
        .and_then(|d| d.split(',').next())
        .map(str::trim)
        .filter(|d| !d.is_empty())
    else {
        eprintln!("the test cluster listens on no Unix-domain socket: nothing to connect to");
        return;
    };
    let port = port(&db.url);
    let over_socket = with(
        &db.url.replacen(&format!("127.0.0.1:{port}"), "", 1),
        &format!("host={dir}&port={port}"),
    );
    assert!(over_socket.contains("@/"), "{over_socket}");
    for mode in ["sslmode=prefer", "sslmode=require", "sslmode=disable"] {
        let url = with(&over_socket, mode);
        assert_eq!(tls_in_use(&url), Ok(false), "{url}");
    }
    assert_eq!(tls_in_use(&over_socket), Ok(false), "{over_socket}");
}

fn port(url: &str) -> String {
    url.rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or("5432")
        .to_owned()
}

/// The application on `verify-full`: migrations, the pool, a login and a write.
#[actix_web::test]
async fn the_app_runs_on_a_verified_tls_connection() {
    let ca = root_cert();
    let db = TestDb::create_empty();
    let url = with(&db.url, &format!("sslmode=verify-full&sslrootcert={ca}"));
    // Migrations run on a multi-threaded runtime, as in `zhengwu migrate`.
    let migrating = url.clone();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(zhengwu_persistence::db::migrate(&migrating))
            .map_err(|e| e.to_string())
    })
    .join()
    .unwrap_or_else(|_| panic!("the migration thread panicked"))
    .unwrap_or_else(|e| panic!("migrate over TLS: {e}"));
    let config = zhengwu_api::config::Config::for_tests(&url);
    zhengwu_api::demo::create_admin(&config, ADMIN, "系统管理员", ADMIN_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("create admin over TLS: {e}"));
    let pool = zhengwu_persistence::db::create_pool(&url, &config.pool)
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let state = AppState::new(pool, config, Arc::new(SystemClock));
    let app = test::init_service(zhengwu_api::app(state)).await;
    assert_eq!(req(&app, Method::GET, "/readyz").send().await.status, 200);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    build_tree(&app, &admin).await;
    assert_eq!(
        db.numbers("SELECT count(*) AS n FROM organizations"),
        vec![5]
    );
    let encrypted = db.numbers(
        "SELECT count(*) AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.datname = current_database() AND s.ssl AND a.pid <> pg_backend_pid()",
    );
    assert!(
        encrypted.first().is_some_and(|n| *n >= 1),
        "the pool's connections are encrypted: {encrypted:?}"
    );
}
