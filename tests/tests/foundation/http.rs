//! HTTP semantics: If-Match, idempotency, problems, pagination, operations and the replica.

use super::*;

#[actix_web::test]
async fn a_stale_if_match_is_refused_and_nothing_changes() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let path = format!("/api/v1/organizations/{}", tree.county_a);
    let first = req(&app, Method::PATCH, &path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(json!({"phone": "0531-86026000"}))
        .send()
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.header("etag").as_deref(), Some("\"2\""));
    let stale = req(&app, Method::PATCH, &path)
        .token(&admin)
        .header("If-Match", "\"1\"")
        .json(json!({"name": "另一个名字"}))
        .send()
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.body["code"], "precondition.stale_version");
    let now = req(&app, Method::GET, &path).token(&admin).send().await;
    assert_eq!(now.body["name"], "历下区人民政府");
    assert_eq!(now.body["phone"], "0531-86026000");
    assert_eq!(now.body["version"], 2);
    // null clears an optional field.
    let cleared = req(&app, Method::PATCH, &path)
        .token(&admin)
        .header("If-Match", "\"2\"")
        .json(json!({"phone": null}))
        .send()
        .await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.body["phone"].is_null());
}

#[actix_web::test]
async fn an_idempotent_retry_creates_one_object() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let body = json!({"parent_id": tree.county_a, "kind": "department", "level": "county",
        "name": "历下区教育和体育局"});
    let send = |b: serde_json::Value| {
        req(&app, Method::POST, "/api/v1/organizations")
            .token(&admin)
            .header("Idempotency-Key", "create-edu-1")
            .json(b)
            .send()
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, 201);
    let retry = send(body.clone()).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.id(), first.id());
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.header("location"), first.header("location"));
    let other = send(
        json!({"parent_id": tree.county_a, "kind": "department", "level": "county",
        "name": "历下区卫生健康局"}),
    )
    .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.body["code"], "idempotency.key_reused");
    let list = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations?parent_id={}&kind=department",
            tree.county_a
        ),
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn bad_input_gets_a_problem_naming_the_field() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let post = || req(&app, Method::POST, "/api/v1/organizations").token(&admin);

    let r = post().raw("application/json", "{\"kind\": ").send().await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], "request.malformed_json");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );

    let r = post()
        .json(json!({"parent_id": tree.city, "kind": "department", "level": "city", "name": 42}))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/name"]);
    assert_eq!(r.body["errors"][0]["code"], "type.invalid");

    let r = post()
        .json(json!({"parent_id": tree.city, "kind": "department", "level": "city"}))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/name"]);
    assert_eq!(r.body["errors"][0]["code"], "field.required");

    let mut bad = credit_code("11370100MB2851259");
    let last = bad.pop().unwrap_or('0');
    bad.push(if last == '0' { '1' } else { '0' });
    let r = post()
        .json(
            json!({"parent_id": tree.city, "kind": "department", "level": "city",
            "name": "济南市市场监督管理局", "credit_code": bad, "division_code": "37010"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/division_code", "/credit_code"]);
    assert_eq!(r.body["errors"][1]["code"], "credit_code.check_character");

    let r = post()
        .json(json!({"kind": "department", "level": "city", "name": "x", "rank": 1}))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/rank"]);

    let r = post().raw("text/plain", "hello").send().await;
    assert_eq!(r.status, 415);

    let big: &'static str =
        Box::leak(format!("{{\"name\": \"{}\"}}", "x".repeat(70_000)).into_boxed_str());
    let r = post().raw("application/json", big).send().await;
    assert_eq!(r.status, 413);

    let r = req(&app, Method::GET, "/api/v1/organizations?limit=500")
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["?limit"]);
    let r = req(&app, Method::GET, "/api/v1/organizations?kind=castle")
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 400);
    let r = req(&app, Method::GET, "/api/v1/organizations/not-a-uuid")
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 400);
    let r = req(&app, Method::DELETE, "/api/v1/organizations")
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["code"], "route.method_not_allowed");
    // Nothing of the refused requests was written.
    let list = req(&app, Method::GET, "/api/v1/organizations")
        .token(&admin)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(5));
}

#[actix_web::test]
async fn pagination_walks_every_item_once() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    build_tree(&app, &admin).await;
    let mut seen = Vec::new();
    let mut next = "/api/v1/organizations?limit=2".to_owned();
    loop {
        let r = req(&app, Method::GET, &next).token(&admin).send().await;
        assert_eq!(r.status, 200);
        for o in r.body["items"].as_array().cloned().unwrap_or_default() {
            seen.push(o["id"].as_str().unwrap_or_default().to_owned());
        }
        match r.header("link") {
            Some(link) => {
                next = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                assert!(r.body["next_cursor"].is_string());
            }
            None => {
                assert!(r.body["next_cursor"].is_null());
                break;
            }
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5);
    let r = req(
        &app,
        Method::GET,
        "/api/v1/organizations?cursor=bm90LWEtY3Vyc29y",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["?cursor"]);
}

#[actix_web::test]
async fn operational_endpoints_and_enums() {
    let t = TestApp::start().await;
    let app = app!(t);
    assert_eq!(req(&app, Method::GET, "/healthz").send().await.status, 200);
    assert_eq!(req(&app, Method::GET, "/readyz").send().await.status, 200);
    let m = req(&app, Method::GET, "/metrics").send().await;
    assert_eq!(m.status, 200);
    // The body is OpenMetrics text, and says so.
    assert_eq!(
        m.header("content-type").as_deref(),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let text = m.body.as_str().unwrap_or_default();
    assert!(text.ends_with("# EOF\n"), "{text}");
    for series in [
        // By route template, status and latency.
        "zhengwu_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1",
        "zhengwu_http_request_duration_seconds_count{method=\"GET\",route=\"/readyz\"} 1",
        "zhengwu_db_pool_connections ",
        "zhengwu_db_pool_available ",
        "zhengwu_db_pool_waiting ",
        "zhengwu_queue_backlog{queue=\"case_statistics\"} ",
        "zhengwu_queue_backlog{queue=\"obligations\"} ",
        "zhengwu_build_info{version=\"",
        "zhengwu_db_errors_total{kind=\"unavailable\"} ",
        "zhengwu_db_errors_total{kind=\"other\"} ",
        // The jobs are off in tests; their series exist from the start.
        "zhengwu_job_runs_total{job=\"alerts\",outcome=\"ok\"} 0",
        "zhengwu_job_runs_total{job=\"obligations\",outcome=\"failed\"} 0",
        "zhengwu_job_duration_seconds_count{job=\"housekeeping\"} 0",
    ] {
        assert!(text.contains(series), "{series} in {text}");
    }
    let e = req(&app, Method::GET, "/api/v1/meta/enums").send().await;
    assert_eq!(e.body["enums"]["org_kind"]["region_government"], "人民政府");
    assert_eq!(e.body["enums"]["role"]["clerk"], "窗口工作人员");
    let doc = req(&app, Method::GET, "/api-docs/openapi.json")
        .send()
        .await;
    assert_eq!(doc.status, 200);
    assert!(
        doc.body["paths"]["/api/v1/organizations/{id}"]["patch"]["responses"]["412"].is_object()
    );
    // Every worker serves the one document made per process: the contract's.
    assert_eq!(doc.body, zhengwu_tests::contract::document());
    let ui = req(&app, Method::GET, "/swagger-ui/").send().await;
    assert_eq!(ui.status, 200);
    let missing = req(&app, Method::GET, "/api/v1/nothing-here").send().await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["code"], "route.not_found");
}

#[actix_web::test]
async fn an_unreachable_database_is_a_503_not_a_hang() {
    let mut config = zhengwu_api::config::Config::for_tests("postgres://zhengwu@127.0.0.1:1/none");
    config.pool.timeout = std::time::Duration::from_millis(500);
    let dead = zhengwu_persistence::db::create_pool(&config.database_url, &config.pool)
        .unwrap_or_else(|e| panic!("{e}"));
    let state = zhengwu_api::state::AppState::new(
        dead,
        config,
        std::sync::Arc::new(zhengwu_api::clock::SystemClock),
    );
    let app = test::init_service(zhengwu_api::app(state)).await;
    let r = req(&app, Method::GET, "/readyz").send().await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body["code"], "service.database_unavailable");
    let r = password_login(&app).await;
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());
}

#[actix_web::test]
async fn read_only_endpoints_use_the_read_replica_and_the_rest_the_primary() {
    // A replica that cannot be reached shows which endpoints read from it.
    let t = TestApp::with_config(std::sync::Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.read_database_url = Some("postgres://zhengwu@127.0.0.1:1/replica".into());
    })
    .await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    for path in [
        "/api/v1/disclosures?q=%E5%85%AC%E5%BC%80".to_owned(),
        "/api/v1/service-matters".to_owned(),
        "/api/v1/public/echo-wall".to_owned(),
        // Without words: a search with words is the search engine's, whose feed and page
        // rows are read on the primary (below).
        "/api/v1/knowledge-base".to_owned(),
        format!(
            "/api/v1/statistics/cases?from=2025-01-01&to=2025-12-31&group_by=org&org={}",
            tree.city
        ),
        format!("/api/v1/supervision/alerts?org={}", tree.city),
    ] {
        let r = req(&app, Method::GET, &path).token(&admin).send().await;
        assert_eq!(r.status, 503, "{path}: {:?}", r.body);
        assert_eq!(
            r.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
    }
    let ready = req(&app, Method::GET, "/readyz").send().await;
    assert_eq!(
        ready.status, 503,
        "not ready while the replica is unreachable"
    );
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/organizations/{}", tree.city),
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(
        r.status, 200,
        "reads of what one just wrote stay on the primary"
    );
    // A search with words is answered by the search engine, brought up to date from the
    // primary, with the page's rows read there too (as new as the index).
    for path in [
        "/api/v1/knowledge-base?q=%E7%A4%BE%E4%BF%9D",
        "/api/v1/disclosures?q=%E5%85%AC%E5%BC%80&view=public",
        "/api/v1/service-matters?q=%E5%A9%9A%E5%A7%BB",
    ] {
        let r = req(&app, Method::GET, path).send().await;
        assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    }

    // With the replica at the same server, the same reads answer.
    let db = t.db.url.clone();
    let t2 = TestApp::with_config(std::sync::Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.read_database_url = Some(db);
    })
    .await;
    let app2 = test::init_service(zhengwu_api::app(t2.state.clone())).await;
    let r = req(&app2, Method::GET, "/api/v1/service-matters")
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// An HTTP worker with a pool of its own serves its requests from it (its sessions driven on
/// its thread), the shared pool stays for what runs outside the workers, and the metrics
/// count the connections of both.
#[actix_web::test]
async fn a_worker_with_its_own_pool_serves_from_it() {
    let t = TestApp::start().await;
    t.state
        .start_worker(2)
        .unwrap_or_else(|e| panic!("worker pool: {e}"));
    let app = app!(t);
    let shared_before = t.state.pool.status().size;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let orgs = req(&app, Method::GET, "/api/v1/organizations")
        .token(&admin)
        .send()
        .await;
    assert_eq!(orgs.status, 200, "{:?}", orgs.body);
    let workers = t
        .state
        .worker_pools
        .lock()
        .map(|w| w.iter().map(|p| p.status().size).collect::<Vec<_>>())
        .unwrap_or_default();
    assert_eq!(workers.len(), 1, "one worker pool");
    assert!(workers[0] >= 1, "the worker's pool opened its sessions");
    assert_eq!(
        t.state.pool.status().size,
        shared_before,
        "the shared pool was not used"
    );
    // A second call on the same thread keeps the first pool.
    t.state
        .start_worker(5)
        .unwrap_or_else(|e| panic!("worker pool: {e}"));
    assert_eq!(t.state.worker_pools.lock().map(|w| w.len()).ok(), Some(1));
    let text = req(&app, Method::GET, "/metrics").send().await.body;
    let open = t.state.pool.status().size + workers[0];
    let line = format!("zhengwu_db_pool_connections {open}\n");
    assert!(
        text.as_str().unwrap_or_default().contains(&line),
        "{line} in {text}"
    );
}
