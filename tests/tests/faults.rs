//! Faults and hostile clients: the database going away while requests are in flight and
//! coming back to the same app, and the rate limits on logins and public lookups.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_api::clock::SystemClock;
use zhengwu_api::config::Config;
use zhengwu_api::state::AppState;
use zhengwu_tests::proxy::Proxy;
use zhengwu_tests::*;

/// Far beyond any configured timeout: a request still unanswered then hangs.
const HANG_GUARD: Duration = Duration::from_secs(30);

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, f)
        .await
        .unwrap_or_else(|_| panic!("{what} hung past {HANG_GUARD:?}"))
}

fn is_problem(r: &Resp) -> bool {
    r.header("content-type").as_deref() == Some("application/problem+json")
}

/// Polls `cond` every few milliseconds until it holds; panics after the hang guard.
/// The app's runtime runs only while the test awaits, as a server's runs between requests:
/// each check follows a pause in which it reads what its sockets received.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(5)).await;
        if cond() {
            return;
        }
        assert!(start.elapsed() < HANG_GUARD, "{what} never happened");
    }
}

#[actix_web::test]
async fn a_database_outage_is_503_while_it_lasts_and_the_same_app_serves_after_it() {
    let db = TestDb::create();
    let mut config = Config::for_tests(&db.url);
    config.pool.timeout = Duration::from_secs(1);
    zhengwu_api::demo::create_admin(&config, ADMIN, "系统管理员", ADMIN_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("create admin: {e}"));
    let (proxy, url) = Proxy::in_front_of(&db.url);
    config.database_url = url.clone();
    let pool = zhengwu_persistence::db::create_pool(&url, &config.pool)
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let state = AppState::new(pool, config, Arc::new(SystemClock));
    let app = test::init_service(zhengwu_api::app(state)).await;

    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(req(&app, Method::GET, "/readyz").send().await.status, 200);
    let orgs = req(&app, Method::GET, "/api/v1/organizations")
        .token(&admin)
        .send()
        .await;
    assert_eq!(orgs.status, 200, "{:?}", orgs.body);

    // Requests whose queries are on the wire when the database goes away: reads, a login
    // and a write, more than the pool has connections.
    proxy.hold();
    let held_before = proxy.held();
    let in_flight = async {
        let mut pending = Vec::new();
        for i in 0..8 {
            let r = match i % 4 {
                0 => req(&app, Method::GET, "/readyz"),
                1 => req(&app, Method::GET, "/api/v1/organizations").token(&admin),
                2 => req(&app, Method::POST, "/api/v1/auth/token")
                    .json(json!({"grant_type": "password", "username": ADMIN,
                        "password": ADMIN_PASSWORD})),
                _ => req(&app, Method::POST, "/api/v1/organizations")
                    .token(&admin)
                    .json(json!({"kind": "region_government", "level": "city",
                        "name": format!("停机测试市{i}人民政府"), "division_code": "370100"})),
            };
            pending.push(r.send());
        }
        futures_util::future::join_all(pending).await
    };
    let outage = async {
        until("a query held in flight", || proxy.held() > held_before).await;
        proxy.cut();
    };
    let (answers, ()) = within("requests during the outage", async {
        tokio::join!(in_flight, outage)
    })
    .await;
    for r in &answers {
        assert_eq!(r.status, 503, "{:?}", r.body);
        assert!(is_problem(r), "{:?}", r.headers);
        assert_eq!(r.body["code"], "service.database_unavailable");
        assert!(r.header("retry-after").is_some());
    }

    // While it is down, new requests fail fast too, and the app is not ready.
    let ready = within(
        "readiness during the outage",
        req(&app, Method::GET, "/readyz").send(),
    )
    .await;
    assert_eq!(ready.status, 503);
    assert!(is_problem(&ready));
    let r = within(
        "a read during the outage",
        req(&app, Method::GET, "/api/v1/organizations")
            .token(&admin)
            .send(),
    )
    .await;
    assert_eq!(r.status, 503, "{:?}", r.body);

    // Back: the same app serves again, reads and writes, without a restart.
    proxy.restore();
    let start = Instant::now();
    loop {
        let r = within(
            "readiness after the outage",
            req(&app, Method::GET, "/readyz").send(),
        )
        .await;
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{:?}", r.body);
        assert!(start.elapsed() < HANG_GUARD, "never ready again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let orgs = req(&app, Method::GET, "/api/v1/organizations")
        .token(&admin)
        .send()
        .await;
    assert_eq!(orgs.status, 200, "{:?}", orgs.body);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let created = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .json(json!({"kind": "region_government", "level": "city",
            "name": "济南市人民政府", "division_code": "370100"}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    // Nothing written by the requests the outage cut off.
    assert_eq!(
        db.numbers("SELECT count(*) AS n FROM organizations WHERE name LIKE '停机测试%'"),
        vec![0]
    );
}

#[actix_web::test]
async fn a_database_that_stops_answering_without_closing_is_503_not_a_hang() {
    // A network partition or a frozen server: the connections stay open but nothing comes
    // back. A request waits for a connection at most ZHENGWU_DB_TIMEOUT_MS, and for its
    // response at most that plus the statement timeout (which the database enforces while
    // it answers); a readiness check waits ZHENGWU_DB_TIMEOUT_MS.
    let db = TestDb::create();
    let mut config = Config::for_tests(&db.url);
    config.pool.timeout = Duration::from_secs(1);
    config.pool.statement_timeout = Duration::from_secs(2);
    let (proxy, url) = Proxy::in_front_of(&db.url);
    config.database_url = url.clone();
    let pool = zhengwu_persistence::db::create_pool(&url, &config.pool)
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let state = AppState::new(pool, config, Arc::new(SystemClock));
    let app = test::init_service(zhengwu_api::app(state)).await;
    assert_eq!(req(&app, Method::GET, "/readyz").send().await.status, 200);
    proxy.hold();
    let stalled: Vec<_> = (0..6)
        .map(|i| {
            if i % 2 == 0 {
                req(&app, Method::GET, "/readyz").send()
            } else {
                req(&app, Method::GET, "/api/v1/service-matters").send()
            }
        })
        .collect();
    for r in within(
        "requests to a stalled database",
        futures_util::future::join_all(stalled),
    )
    .await
    {
        assert_eq!(r.status, 503, "{:?}", r.body);
        assert!(is_problem(&r), "{:?}", r.headers);
    }
    proxy.restore();
    let start = Instant::now();
    while within("readiness", req(&app, Method::GET, "/readyz").send())
        .await
        .status
        != 200
    {
        assert!(start.elapsed() < HANG_GUARD, "never ready again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = req(&app, Method::GET, "/api/v1/service-matters")
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[actix_web::test]
async fn sessions_the_server_terminates_are_replaced_without_failing_requests() {
    // What a restart of PostgreSQL or an administrator does to the pool's idle sessions:
    // the server ends them ("terminating connection due to administrator command"). The
    // pool must notice and connect anew rather than hand a dead session to a request.
    let t = TestApp::start().await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let warm: Vec<_> = (0..4)
        .map(|_| {
            req(&app, Method::GET, "/api/v1/organizations")
                .token(&admin)
                .send()
        })
        .collect();
    for r in futures_util::future::join_all(warm).await {
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let others = "FROM pg_stat_activity WHERE datname = current_database() \
                  AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    assert!(t.db.numbers(&format!("SELECT count(*) AS n {others}"))[0] > 0);
    t.db.execute(&format!("SELECT pg_terminate_backend(pid) {others}"));
    until("the end of the sessions", || {
        t.db.numbers(&format!("SELECT count(*) AS n {others}"))[0] == 0
    })
    .await;
    let after: Vec<_> = (0..6)
        .map(|i| {
            if i % 2 == 0 {
                req(&app, Method::GET, "/readyz").send()
            } else {
                req(&app, Method::GET, "/api/v1/organizations")
                    .token(&admin)
                    .send()
            }
        })
        .collect();
    for r in within(
        "requests after the sessions ended",
        futures_util::future::join_all(after),
    )
    .await
    {
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
}

#[actix_web::test]
async fn logins_and_every_public_lookup_are_rate_limited_per_address() {
    let t = TestApp::with_config(Arc::new(SystemClock), |c| {
        c.lookup_rate_per_minute = 2;
        c.login_rate_per_minute = 2;
    })
    .await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let lookups = [
        "/api/v1/public/cases/370100202611300001?password=guess",
        "/api/v1/public/hotline/tickets/12345202611300001?code=guess",
        "/api/v1/public/complaints/TS202611300001?code=guess",
    ];
    for (i, path) in lookups.iter().enumerate() {
        let addr = format!("198.51.100.{}", i + 1);
        for _ in 0..2 {
            let r = req(&app, Method::GET, path)
                .header("X-Forwarded-For", &addr)
                .send()
                .await;
            assert_eq!(r.status, 404, "{path}: {:?}", r.body);
        }
        let r = req(&app, Method::GET, path)
            .header("X-Forwarded-For", &addr)
            .send()
            .await;
        assert_eq!(r.status, 429, "{path}: {:?}", r.body);
        assert!(is_problem(&r), "{path}: {:?}", r.headers);
        assert_eq!(r.body["code"], "rate_limited");
        let retry: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{path}: no Retry-After"));
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // The lookups share one budget per address: guessing cannot move from one to another.
    let addr = "198.51.100.9";
    for path in &lookups[..2] {
        let r = req(&app, Method::GET, path)
            .header("X-Forwarded-For", addr)
            .send()
            .await;
        assert_eq!(r.status, 404, "{path}: {:?}", r.body);
    }
    let r = req(&app, Method::GET, lookups[2])
        .header("X-Forwarded-For", addr)
        .send()
        .await;
    assert_eq!(r.status, 429, "{:?}", r.body);

    let token = |addr: &'static str| {
        req(&app, Method::POST, "/api/v1/auth/token")
            .header("X-Forwarded-For", addr)
            .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(token("203.0.113.20").await.status, 200);
    }
    let r = token("203.0.113.20").await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert!(is_problem(&r));
    assert!(r.header("retry-after").is_some());
    // Lookups and logins are counted apart, and other addresses are not affected.
    assert_eq!(token("203.0.113.21").await.status, 200);
}
