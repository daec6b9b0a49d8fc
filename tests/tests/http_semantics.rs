//! HTTP as a strict client reads it: the methods a path serves (405 with `Allow`), strong
//! `If-Match`, `X-Content-Type-Options` on every answer and safe download names.

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_tests::contract::{self, fill_path, placeholder};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Every path of the contract answers each method it does not serve with 405 and an
/// `Allow` that lists exactly what it serves (once each, `HEAD` with `GET`, and
/// `OPTIONS`); `OPTIONS` itself answers 204 with the same `Allow`.
#[actix_web::test]
async fn an_unserved_method_is_405_with_the_paths_allow() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let doc = contract::document();
    let ops = contract::operations(&doc);
    let mut paths: Vec<&str> = ops.iter().map(|o| o.path.as_str()).collect();
    paths.dedup();
    let mut wrong = Vec::new();
    for path in paths {
        let here: Vec<_> = ops.iter().filter(|o| o.path == path).collect();
        let served: Vec<&str> = here.iter().map(|o| o.method.as_str()).collect();
        let mut expected: Vec<&str> = Vec::new();
        for m in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            let listed = match m {
                "HEAD" => served.contains(&"GET"),
                "OPTIONS" => true,
                _ => served.contains(&m),
            };
            if listed {
                expected.push(m);
            }
        }
        let expected = expected.join(", ");
        let uri = fill_path(here[0], placeholder);
        for m in METHODS.iter().filter(|m| !served.contains(m)) {
            let method = Method::from_bytes(m.as_bytes()).unwrap_or(Method::GET);
            let r = req(&app, method, &uri)
                .token(&admin)
                .json(json!({}))
                .send()
                .await;
            let allow = r.header("allow").unwrap_or_default();
            if r.status != 405 || allow != expected || r.body["code"] != "route.method_not_allowed"
            {
                wrong.push(format!(
                    "{m} {uri}: {} Allow {allow:?}, expected 405 Allow {expected:?}",
                    r.status
                ));
            }
        }
        let r = req(&app, Method::OPTIONS, &uri).send().await;
        if r.status != 204 || r.header("allow").as_deref() != Some(expected.as_str()) {
            wrong.push(format!(
                "OPTIONS {uri}: {} Allow {:?}",
                r.status,
                r.header("allow")
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The cases the review found: a literal path beside a parameter (`/calendars/deadline`
/// beside `/calendars/{year}`) answered 400 from the other route's handler, and listed
/// `GET` twice.
#[actix_web::test]
async fn a_literal_path_is_not_handled_by_its_parameterised_neighbour() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let r = req(&app, Method::PUT, "/api/v1/calendars/deadline")
        .token(&admin)
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(r.status, 405, "{:?}", r.body);
    assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    // The neighbour still serves its own paths.
    let r = req(&app, Method::PUT, "/api/v1/calendars/2031")
        .token(&admin)
        .json(json!({"holidays": ["2031-01-01"], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // An unknown path stays 404.
    let r = req(&app, Method::DELETE, "/api/v1/no-such-thing")
        .send()
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "route.not_found");
}

/// A path whose letters are percent-encoded is the same path (RFC 3986, 6.2.2.2): it
/// reaches the same handler, whichever of its segments is encoded.
#[actix_web::test]
async fn a_path_with_percent_encoded_letters_reaches_the_same_handler() {
    let t = TestApp::start().await;
    let app = app!(t);
    let query = "?start=2026-12-01&working_days=5";
    let plain = req(
        &app,
        Method::GET,
        &format!("/api/v1/calendars/deadline{query}"),
    )
    .send()
    .await;
    assert_eq!(plain.status, 200, "{:?}", plain.body);
    for path in [
        "/api/v1/calendar%73/deadline",
        "/api/v1/%63alendars/deadline",
        "/api/v1/calendars/dead%6Cine",
        "/api/v%31/calendars/deadline",
    ] {
        let r = req(&app, Method::GET, &format!("{path}{query}"))
            .send()
            .await;
        assert_eq!(r.status, 200, "{path}: {:?}", r.body);
        assert_eq!(r.body, plain.body, "{path}");
    }
    // Escapes actix keeps (a slash) do not make another path.
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/calendars%2Fdeadline{query}"),
    )
    .send()
    .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

/// `HEAD` is served wherever `GET` is: the same status and headers, no body.
#[actix_web::test]
async fn head_is_served_as_get_without_a_body() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let get = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&admin)
        .send()
        .await;
    let head = req(&app, Method::HEAD, "/api/v1/auth/me")
        .token(&admin)
        .send()
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(head.status, 200);
    assert_eq!(head.body, serde_json::Value::Null);
    assert_eq!(head.header("content-type"), get.header("content-type"));
    let anonymous = req(&app, Method::HEAD, "/api/v1/auth/me").send().await;
    assert_eq!(anonymous.status, 401);
}

/// `If-Match` compares strongly (RFC 9110 §13.1.1): a weak tag and a well-formed tag this
/// API never issued are 412 like a stale one, and nothing changes; a list matches when one
/// of its tags is current; a malformed header is 400; `*` on a resource not there is 412.
#[actix_web::test]
async fn if_match_compares_strongly() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let path = format!("/api/v1/organizations/{}", tree.county_a);
    let patch = |if_match: &'static str, phone: &'static str| {
        req(&app, Method::PATCH, &path)
            .token(&admin)
            .header("If-Match", if_match)
            .json(json!({ "phone": phone }))
            .send()
    };
    for stale in ["W/\"1\"", "\"abc\"", "\"0\"", "W/\"1\", \"7\""] {
        let r = patch(stale, "0531-11111111").await;
        assert_eq!(r.status, 412, "{stale}: {:?}", r.body);
        assert_eq!(r.body["code"], "precondition.stale_version");
    }
    for malformed in ["1", "\"1", "W/1", "\"1\" \"2\""] {
        let r = patch(malformed, "0531-11111111").await;
        assert_eq!(r.status, 400, "{malformed}: {:?}", r.body);
        assert_eq!(r.body["code"], "request.invalid_if_match");
    }
    let now = req(&app, Method::GET, &path).token(&admin).send().await;
    assert_eq!(now.body["version"], 1);
    assert!(now.body["phone"].is_null());
    let r = patch("\"9\", \"1\"", "0531-22222222").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let r = patch("*", "0531-33333333").await;
    assert_eq!(r.status, 200);
    // A calendar year not yet written: `*` names a representation that is not there.
    let r = req(&app, Method::PUT, "/api/v1/calendars/2032")
        .token(&admin)
        .header("If-Match", "*")
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(r.status, 412, "{:?}", r.body);
}

/// Every answer says `X-Content-Type-Options: nosniff`: success and error, inside and
/// outside `/api/v1`, the documentation, answers of the router and of the CORS layer.
#[actix_web::test]
async fn every_response_says_nosniff() {
    let t = TestApp::with_config(std::sync::Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.cors_origins = vec!["https://portal.example.gov.cn".into()];
    })
    .await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let answers = [
        req(&app, Method::GET, "/healthz").send().await,
        req(&app, Method::GET, "/metrics").send().await,
        req(&app, Method::GET, "/api-docs/openapi.json")
            .send()
            .await,
        req(&app, Method::GET, "/swagger-ui/").send().await,
        req(&app, Method::GET, "/api/v1/auth/me")
            .token(&admin)
            .send()
            .await,
        req(&app, Method::GET, "/api/v1/auth/me").send().await,
        req(&app, Method::GET, "/api/v1/nowhere").send().await,
        req(&app, Method::DELETE, "/api/v1/auth/me").send().await,
        req(&app, Method::OPTIONS, "/api/v1/auth/me").send().await,
        req(&app, Method::POST, "/api/v1/auth/token")
            .raw("application/json", "{not json")
            .send()
            .await,
        req(&app, Method::OPTIONS, "/api/v1/auth/token")
            .header("Origin", "https://portal.example.gov.cn")
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await,
        req(&app, Method::OPTIONS, "/api/v1/auth/token")
            .header("Origin", "https://elsewhere.example.com")
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await,
    ];
    for (i, r) in answers.iter().enumerate() {
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "answer {i}: {} {:?}",
            r.status,
            r.headers
        );
    }
}

fn multipart(filename: &str, content: &str) -> Vec<u8> {
    format!(
        "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{content}\r\n--BOUNDARY--\r\n"
    )
    .into_bytes()
}

/// A download is offered under a name without a path, quotes or invisible characters, with
/// an ASCII fallback and the UTF-8 name (RFC 6266).
#[actix_web::test]
async fn attachment_downloads_carry_a_safe_file_name() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    let officer = login(&app, "officer", PASSWORD).await;
    let cats = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            tree.county_a
        ),
    )
    .send()
    .await;
    let category = cats.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let item = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&officer)
        .json(json!({
            "organization_id": tree.county_a, "category_id": category,
            "title": "招标公告", "summary": "招标公告的摘要", "content": "详见附件。",
            "formed_on": "2026-11-02", "channels": ["portal"]
        }))
        .send()
        .await;
    assert_eq!(item.status, 201, "{:?}", item.body);
    let name = "../../etc/说明\u{202E}txt.x.txt";
    let up = req(
        &app,
        Method::POST,
        &format!("/api/v1/disclosures/{}/attachments", item.id()),
    )
    .token(&officer)
    .body(
        "multipart/form-data; boundary=BOUNDARY",
        multipart(name, "附件正文"),
    )
    .send()
    .await;
    assert_eq!(up.status, 201, "{:?}", up.body);
    let url = up.body["url"].as_str().unwrap_or_default().to_owned();
    let file = req(&app, Method::GET, &url).token(&officer).send().await;
    assert_eq!(file.status, 200);
    assert_eq!(
        file.header("content-disposition").as_deref(),
        Some(
            "attachment; filename=\"__txt.x.txt\"; \
             filename*=UTF-8''%E8%AF%B4%E6%98%8Etxt.x.txt"
        )
    );
    assert_eq!(
        file.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

/// The root, which the start-up banner prints, and Swagger UI without its slash lead to
/// Swagger UI; they serve nothing else.
#[actix_web::test]
async fn the_root_and_swagger_ui_without_its_slash_lead_to_swagger_ui() {
    let t = TestApp::start().await;
    let app = app!(t);
    for (path, status) in [("/", 302), ("/swagger-ui", 301)] {
        for method in [Method::GET, Method::HEAD] {
            let r = req(&app, method.clone(), path).send().await;
            assert_eq!(r.status, status, "{method} {path}");
            assert_eq!(
                r.header("location").as_deref(),
                Some("/swagger-ui/"),
                "{method} {path}"
            );
        }
        let r = req(&app, Method::POST, path).send().await;
        assert_eq!(r.status, 405, "POST {path}");
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
        assert_eq!(r.body["code"], "route.method_not_allowed", "{:?}", r.body);
    }
    let r = req(&app, Method::GET, "/swagger-ui/").send().await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    // Not every path below the root: an unknown one stays 404.
    let r = req(&app, Method::GET, "/swagger").send().await;
    assert_eq!(r.status, 404);
}

/// A page read again is revalidated: 200 answers to `GET` carry a strong `ETag`, and
/// `If-None-Match` naming it (weakly compared, or `*`) is answered 304 without a body.
#[actix_web::test]
async fn a_page_read_again_with_its_etag_is_304_not_modified() {
    let t = TestApp::start().await;
    let app = app!(t);
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("demo: {e}"));
    let items = zhengwu_tests::world::one(
        &t,
        "SELECT string_agg(item_id::text, ',' ORDER BY item_id) AS t \
         FROM (SELECT item_id FROM disclosure_versions WHERE is_current LIMIT 2) v",
    );
    let items: Vec<&str> = items.split(',').collect();
    assert_eq!(items.len(), 2);
    let page = |id: &str| format!("/api/v1/disclosures/{id}");
    let first = req(&app, Method::GET, &page(items[0])).send().await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let tag = first
        .header("etag")
        .unwrap_or_else(|| panic!("no ETag: {:?}", first.headers));
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    // The same bytes, the same tag; another page, another.
    let again = req(&app, Method::GET, &page(items[0])).send().await;
    assert_eq!(again.header("etag").as_deref(), Some(tag.as_str()));
    let other = req(&app, Method::GET, &page(items[1])).send().await;
    assert_ne!(other.header("etag").as_deref(), Some(tag.as_str()));

    for condition in [
        tag.clone(),
        format!("W/{tag}"),
        format!("\"x\", {tag}"),
        "*".into(),
    ] {
        for method in [Method::GET, Method::HEAD] {
            let r = req(&app, method.clone(), &page(items[0]))
                .header("If-None-Match", &condition)
                .send()
                .await;
            assert_eq!(r.status, 304, "{method} If-None-Match: {condition}");
            assert_eq!(r.header("etag").as_deref(), Some(tag.as_str()));
            assert!(r.body.is_null() || r.body == "", "{:?}", r.body);
        }
    }
    let changed = req(&app, Method::GET, &page(items[0]))
        .header("If-None-Match", "\"something-else\"")
        .send()
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body, first.body);

    // A resource whose handler tags it with its version keeps that tag.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let org = zhengwu_tests::world::one(
        &t,
        "SELECT id::text AS t FROM organizations WHERE parent_id IS NULL LIMIT 1",
    );
    let r = req(&app, Method::GET, &format!("/api/v1/organizations/{org}"))
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 200);
    let version_tag = r.header("etag").unwrap_or_default();
    let r = req(&app, Method::GET, &format!("/api/v1/organizations/{org}"))
        .token(&admin)
        .header("If-None-Match", &version_tag)
        .send()
        .await;
    assert_eq!(r.status, 304);
    // Errors and writes are never 304.
    let missing = req(
        &app,
        Method::GET,
        &page("00000000-0000-7000-8000-000000000000"),
    )
    .header("If-None-Match", "*")
    .send()
    .await;
    assert_eq!(missing.status, 404);
    let post = req(&app, Method::POST, "/api/v1/auth/token")
        .header("If-None-Match", "*")
        .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert_eq!(post.status, 200);
}
