//! Journeys of the foundation: bootstrap, the organisation tree, accounts and scope, tokens,
//! concurrency and idempotency, bad input, the calendar, windows and the audit chain.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::at;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn names(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["name"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn admin_bootstraps_a_tree_and_staff_of_every_role() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let me = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&admin)
        .send()
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["user"]["role"], "sys_admin");

    let tree = build_tree(&app, &admin).await;
    let hall = req(
        &app,
        Method::GET,
        &format!("/api/v1/organizations/{}", tree.hall_a),
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(hall.status, 200);
    assert_eq!(hall.header("etag").as_deref(), Some("\"1\""));
    let ancestors: Vec<_> = hall.body["ancestors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["name"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ancestors, vec!["济南市人民政府", "历下区人民政府"]);

    let children = req(
        &app,
        Method::GET,
        &format!("/api/v1/organizations?parent_id={}", tree.city),
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(children.body["items"].as_array().map(Vec::len), Some(2));

    for (i, role) in [
        "org_admin",
        "disclosure_officer",
        "reviewer",
        "clerk",
        "supervisor",
    ]
    .iter()
    .enumerate()
    {
        let id = create_user(&app, &admin, &format!("staff{i}"), role, &tree.county_a).await;
        let token = login(&app, &format!("staff{i}"), PASSWORD).await;
        let me = req(&app, Method::GET, "/api/v1/auth/me")
            .token(&token)
            .send()
            .await;
        assert_eq!(me.body["user"]["id"], id.as_str());
        assert_eq!(me.body["user"]["role"], *role);
        assert_eq!(me.body["organization_name"], "历下区人民政府");
    }
    // A child region government sits exactly one level down.
    let r = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .json(
            json!({"parent_id": tree.city, "kind": "region_government", "level": "village",
            "name": "某村", "division_code": "370102007001"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/parent_id"]);
}

#[actix_web::test]
async fn staff_cannot_see_or_change_another_countys_objects() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "clerk.a", "clerk", &tree.hall_a).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let user_b = create_user(&app, &admin, "clerk.b", "clerk", &tree.dept_b).await;
    let clerk_a = login(&app, "clerk.a", PASSWORD).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;

    // Another county's organisation does not exist for them: 404, not 403.
    for token in [&clerk_a, &admin_a] {
        let r = req(
            &app,
            Method::GET,
            &format!("/api/v1/organizations/{}", tree.county_b),
        )
        .token(token)
        .send()
        .await;
        assert_eq!(r.status, 404, "{:?}", r.body);
    }
    let r = req(
        &app,
        Method::PATCH,
        &format!("/api/v1/organizations/{}", tree.dept_b),
    )
    .token(&admin_a)
    .json(json!({"name": "改名"}))
    .send()
    .await;
    assert_eq!(r.status, 404);
    let r = req(&app, Method::GET, &format!("/api/v1/users/{user_b}"))
        .token(&admin_a)
        .send()
        .await;
    assert_eq!(r.status, 404);
    // Their lists hold only their subtree.
    let list = req(&app, Method::GET, "/api/v1/organizations")
        .token(&admin_a)
        .send()
        .await;
    let listed = names(&list.body);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|n| n.starts_with("历下区")));
    // A clerk has no role for managing accounts.
    let r = req(&app, Method::GET, "/api/v1/users")
        .token(&clerk_a)
        .send()
        .await;
    assert_eq!(r.status, 403);
    // An organisation admin cannot place people outside the subtree ...
    let r = req(&app, Method::POST, "/api/v1/users")
        .token(&admin_a)
        .json(
            json!({"username": "intruder", "password": PASSWORD, "display_name": "x",
            "role": "clerk", "organization_id": tree.county_b}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/organization_id"]);
    // ... nor grant sys_admin.
    let r = req(&app, Method::POST, "/api/v1/users")
        .token(&admin_a)
        .json(
            json!({"username": "boss", "password": PASSWORD, "display_name": "x",
            "role": "sys_admin", "organization_id": tree.county_a}),
        )
        .send()
        .await;
    assert_eq!(r.status, 403);
    // Nothing of the refused requests was written.
    let users = req(&app, Method::GET, "/api/v1/users?q=intruder")
        .token(&admin)
        .send()
        .await;
    assert_eq!(users.body["items"].as_array().map(Vec::len), Some(0));
}

fn encode(claims: serde_json::Value, secret: &str, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap_or_default()
}

#[actix_web::test]
async fn forged_expired_and_unsigned_tokens_are_refused() {
    use base64::Engine;
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let ok = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&admin)
        .send()
        .await;
    assert_eq!(ok.status, 200);
    let sub = ok.body["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    let secret = t.state.config.jwt_secret.clone();
    // The login the admin's token belongs to: a token of no login is refused.
    let payload = admin.split('.').nth(1).unwrap_or_default();
    let issued: serde_json::Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let sid = issued["sid"].clone();
    assert!(sid.is_string(), "{issued}");
    let claims = |exp: i64, aud: &str| {
        json!({"iss": "zhengwu", "aud": aud, "sub": sub, "exp": exp, "iat": now - 10,
               "jti": uuid::Uuid::now_v7(), "kind": "user", "role": "sys_admin", "sid": sid})
    };
    // A token made the same way with the right values is accepted.
    let good = encode(
        claims(now + 600, "zhengwu-api"),
        &secret,
        jsonwebtoken::Algorithm::HS256,
    );
    let r = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&good)
        .send()
        .await;
    assert_eq!(r.status, 200);

    let hs256 = jsonwebtoken::Algorithm::HS256;
    let expired = encode(claims(now - 60, "zhengwu-api"), &secret, hs256);
    let wrong_aud = encode(claims(now + 600, "other"), &secret, hs256);
    let wrong_key = encode(
        claims(now + 600, "zhengwu-api"),
        "another-secret-another-secret-123",
        hs256,
    );
    let other_alg = encode(
        claims(now + 600, "zhengwu-api"),
        &secret,
        jsonwebtoken::Algorithm::HS384,
    );
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let unsigned = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(claims(now + 600, "zhengwu-api"))
    );
    let mut tampered = admin.clone();
    let last = tampered.pop().unwrap_or('A');
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let mut no_login = claims(now + 600, "zhengwu-api");
    no_login.as_object_mut().map(|c| c.remove("sid"));
    let no_login = encode(no_login, &secret, hs256);
    let other_login = {
        let mut c = claims(now + 600, "zhengwu-api");
        c["sid"] = json!(uuid::Uuid::now_v7());
        encode(c, &secret, hs256)
    };
    for (name, token) in [
        ("no login", no_login),
        ("a login that never was", other_login),
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("wrong key", wrong_key),
        ("HS384", other_alg),
        ("alg none", unsigned),
        ("tampered signature", tampered),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let r = req(&app, Method::GET, "/api/v1/auth/me")
            .token(&token)
            .send()
            .await;
        assert_eq!(r.status, 401, "{name}: {:?}", r.body);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    let r = req(&app, Method::GET, "/api/v1/auth/me").send().await;
    assert_eq!(r.status, 401);
}

async fn password_login<S, B>(app: &S) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_login() {
    let t = TestApp::start().await;
    let app = app!(t);
    let refresh = |token: String| {
        req(&app, Method::POST, "/api/v1/auth/refresh")
            .json(json!({ "refresh_token": token }))
            .send()
    };
    let first = password_login(&app).await;
    let r1 = first.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = refresh(r1.clone()).await;
    assert_eq!(second.status, 200);
    let r2 = second.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(r1, r2);
    let access = second.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&access)
        .send()
        .await;
    assert_eq!(r.status, 200);
    // The used token is refused, and its reuse revokes the whole login.
    let again = refresh(r1).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.body["code"], "auth.invalid_refresh_token");
    assert_eq!(refresh(r2).await.status, 401);
    // Logout revokes a fresh login's token.
    let third = password_login(&app).await;
    let r3 = third.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let out = req(&app, Method::POST, "/api/v1/auth/logout")
        .json(json!({"refresh_token": r3}))
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(refresh(r3).await.status, 401);
}

#[actix_web::test]
async fn repeated_failed_logins_are_delayed_for_a_while() {
    let clock = std::sync::Arc::new(zhengwu_api::clock::FixedClock::new(chrono::Utc::now()));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let attempt = |password: &'static str| {
        req(&app, Method::POST, "/api/v1/auth/token")
            .json(json!({"grant_type": "password", "username": ADMIN, "password": password}))
            .send()
    };
    for _ in 0..4 {
        assert_eq!(attempt("wrong-password-1").await.status, 401);
    }
    let fifth = attempt("wrong-password-1").await;
    assert_eq!(fifth.status, 429);
    assert!(fifth.header("retry-after").is_some());
    // Blocked: even the right password is refused until the delay has passed.
    assert_eq!(attempt(ADMIN_PASSWORD).await.status, 429);
    clock.advance(chrono::Duration::minutes(16));
    assert_eq!(attempt(ADMIN_PASSWORD).await.status, 200);
    // Unknown accounts get the same answer as a wrong password.
    let r = req(&app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": "nobody", "password": "whatever-123"}))
        .send()
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "auth.invalid_credentials");
}

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
async fn the_calendar_counts_deadlines_across_holidays() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let url = "/api/v1/calendars/deadline?start=2025-09-26&working_days=20";
    let before = req(&app, Method::GET, url).send().await;
    assert_eq!(before.status, 200);
    assert_eq!(before.body["due_date"], "2025-10-24");
    assert_eq!(before.body["years_without_calendar"], json!([2025]));
    assert!(before.body["warning"].is_string());

    let holidays: Vec<String> = (1..=8).map(|d| format!("2025-10-0{d}")).collect();
    let put = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .json(json!({"holidays": holidays, "adjusted_working_days": ["2025-09-28", "2025-10-11"]}))
        .send()
        .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let after = req(&app, Method::GET, url).send().await;
    assert_eq!(after.body["due_date"], "2025-10-30");
    assert_eq!(after.body["years_without_calendar"], json!([]));
    let skipped = after.body["skipped"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        skipped.iter().filter(|s| s["reason"] == "holiday").count(),
        8
    );
    assert_eq!(
        skipped[0],
        json!({"date": "2025-09-27", "reason": "weekend"})
    );

    let stale = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .header("If-Match", "\"7\"")
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let bad = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .json(json!({"holidays": ["2025-10-01"], "adjusted_working_days": ["2025-10-09"]}))
        .send()
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/adjusted_working_days/0"]);
    let got = req(&app, Method::GET, "/api/v1/calendars/2025")
        .send()
        .await;
    assert_eq!(got.body["holidays"].as_array().map(Vec::len), Some(8));
    let none = req(&app, Method::GET, "/api/v1/calendars/2031")
        .send()
        .await;
    assert_eq!(none.status, 404);

    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = req(&app, Method::PUT, "/api/v1/calendars/2026")
        .token(&org_admin)
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(r.status, 403);
}

#[actix_web::test]
async fn deadlines_counted_without_a_years_schedule_are_flagged_listed_and_counted_again() {
    // Mon 28 Dec 2026: 2026's schedule is loaded, 2027's not yet.
    let clock = Arc::new(FixedClock::new(at("2026-12-28")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let put = |year: i32, holidays: serde_json::Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            req(app, Method::PUT, &format!("/api/v1/calendars/{year}"))
                .token(&admin)
                .json(json!({"holidays": holidays, "adjusted_working_days": []}))
                .send()
                .await
        }
    };
    assert_eq!(put(2026, json!(["2026-01-01"])).await.status, 200);
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    create_user(&app, &admin, "admin.b", "org_admin", &tree.county_b).await;

    // A topic request forwarded with 5 working days, and a complaint with the default 5 days
    // to decide on its acceptance: counting weekends alone, both fall on Mon 4 Jan 2027.
    let m = req(&app, Method::POST, "/api/v1/public-messages")
        .json(
            json!({"kind": "topic_request", "organization_id": tree.county_a,
            "subject": "希望公开2027年春运保障方案", "text": "请公开保障方案。",
            "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert_eq!(m.status, 201, "{:?}", m.body);
    let officer = login(&app, "officer.a", PASSWORD).await;
    let f = req(
        &app,
        Method::POST,
        &format!("/api/v1/public-messages/{}/forward", m.id()),
    )
    .token(&officer)
    .json(json!({"organization_id": tree.hall_a, "working_days": 5}))
    .send()
    .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert_eq!(f.body["feedback_due"], "2027-01-04");
    assert_eq!(f.body["years_without_calendar"], json!([2027]));
    let k = req(&app, Method::POST, "/api/v1/complaints")
        .json(
            json!({"kind": "complaint", "category": "delay", "organization_id": tree.hall_a,
            "text": "窗口办理拖延。", "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert_eq!(k.status, 201, "{:?}", k.body);
    assert_eq!(k.body["acceptance_due"], "2027-01-04");
    assert_eq!(k.body["years_without_calendar"], json!([2027]));
    let deadline = req(
        &app,
        Method::GET,
        "/api/v1/calendars/deadline?start=2026-12-28&working_days=5",
    )
    .send()
    .await;
    assert_eq!(deadline.body["years_without_calendar"], json!([2027]));

    // Listed for administrators, within their scope.
    let listed = |token: String| {
        let app = &app;
        async move {
            req(app, Method::GET, "/api/v1/calendars/provisional-deadlines")
                .token(&token)
                .send()
                .await
        }
    };
    let all = listed(admin.clone()).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let kinds: Vec<(&str, &str)> = all.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["kind"].as_str().unwrap_or_default(),
                        d["due_date"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        kinds,
        vec![
            ("complaint_acceptance", "2027-01-04"),
            ("message_feedback", "2027-01-04")
        ]
    );
    assert_eq!(all.body["items"][1]["label"], "希望公开2027年春运保障方案");
    assert_eq!(
        all.body["items"][1]["years_without_calendar"],
        json!([2027])
    );
    let county_a = listed(login(&app, "admin.a", PASSWORD).await).await;
    assert_eq!(county_a.body["items"].as_array().map(Vec::len), Some(2));
    let county_b = listed(login(&app, "admin.b", PASSWORD).await).await;
    assert_eq!(county_b.body["items"], json!([]));
    assert_eq!(listed(officer.clone()).await.status, 403);

    // Loading 2027 (1–3 Jan off) counts them again: Tue 5 Jan.
    let loaded = put(2027, json!(["2027-01-01", "2027-01-02", "2027-01-03"])).await;
    assert_eq!(loaded.status, 200, "{:?}", loaded.body);
    let messages = req(&app, Method::GET, "/api/v1/public-messages")
        .token(&login(&app, "officer.a", PASSWORD).await)
        .send()
        .await;
    assert_eq!(messages.body["items"][0]["feedback_due"], "2027-01-05");
    assert_eq!(
        messages.body["items"][0]["years_without_calendar"],
        json!([])
    );
    let complaint = req(&app, Method::GET, &format!("/api/v1/complaints/{}", k.id()))
        .token(&admin)
        .send()
        .await;
    assert_eq!(complaint.body["acceptance_due"], "2027-01-05");
    assert_eq!(complaint.body["years_without_calendar"], json!([]));
    assert_eq!(listed(admin.clone()).await.body["items"], json!([]));
    // The alerts follow: on Tue 5 Jan the feedback is due, not overdue.
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2027-01-05&kind=public_message",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(alerts.body["items"][0]["level"], "yellow");
    assert_eq!(alerts.body["items"][0]["due_date"], "2027-01-05");
}

#[actix_web::test]
async fn windows_are_staffed_on_a_b_posts() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let a = create_user(&app, &admin, "clerk.a", "clerk", &tree.hall_a).await;
    let b = create_user(&app, &admin, "clerk.b", "clerk", &tree.hall_a).await;
    let outsider = create_user(&app, &admin, "clerk.x", "clerk", &tree.dept_b).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let windows_url = format!("/api/v1/halls/{}/windows", tree.hall_a);

    let w = req(&app, Method::POST, &windows_url)
        .token(&admin_a)
        .json(json!({"number": "01", "name": "综合受理窗口", "combined": true}))
        .send()
        .await;
    assert_eq!(w.status, 201, "{:?}", w.body);
    let dup = req(&app, Method::POST, &windows_url)
        .token(&admin_a)
        .json(json!({"number": "01", "name": "重复"}))
        .send()
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.pointers(), vec!["/number"]);
    // Windows belong to halls only.
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/halls/{}/windows", tree.county_a),
    )
    .token(&admin_a)
    .json(json!({"number": "02", "name": "x"}))
    .send()
    .await;
    assert_eq!(r.status, 404);

    let staff_url = format!("/api/v1/windows/{}/staff", w.id());
    let only_a = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .json(json!({"staff": [{"user_id": a, "post": "a"}]}))
        .send()
        .await;
    assert_eq!(only_a.status, 422);
    assert_eq!(only_a.body["errors"][0]["code"], "window.ab_posts");
    let foreign = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .json(json!({"staff": [{"user_id": a, "post": "a"}, {"user_id": outsider, "post": "b"}]}))
        .send()
        .await;
    assert_eq!(foreign.status, 422);
    assert_eq!(foreign.pointers(), vec!["/staff/1/user_id"]);
    let ok = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .header("If-Match", "\"1\"")
        .json(json!({"staff": [{"user_id": a, "post": "a"}, {"user_id": b, "post": "b"}]}))
        .send()
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["staff"].as_array().map(Vec::len), Some(2));
    let stale = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .header("If-Match", "\"1\"")
        .json(json!({"staff": []}))
        .send()
        .await;
    assert_eq!(stale.status, 412);

    let other_county = login(&app, "clerk.x", PASSWORD).await;
    let r = req(&app, Method::GET, &format!("/api/v1/windows/{}", w.id()))
        .token(&other_county)
        .send()
        .await;
    assert_eq!(r.status, 404);
    let clerk_a = login(&app, "clerk.a", PASSWORD).await;
    let list = req(&app, Method::GET, &windows_url)
        .token(&clerk_a)
        .send()
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["items"][0]["staff"].as_array().map(Vec::len),
        Some(2)
    );
}

#[actix_web::test]
async fn the_audit_chain_verifies_and_detects_tampering() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "sup.a", "supervisor", &tree.county_a).await;
    let patched = req(
        &app,
        Method::PATCH,
        &format!("/api/v1/organizations/{}", tree.county_a),
    )
    .token(&admin)
    .header("X-Request-Id", "req-audit-1")
    .json(json!({"phone": "0531-86026000"}))
    .send()
    .await;
    assert_eq!(
        patched.header("x-request-id").as_deref(),
        Some("req-audit-1")
    );

    let events = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/audit-events?entity_type=organization&entity_id={}",
            tree.county_a
        ),
    )
    .token(&admin)
    .send()
    .await;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "organization.update");
    assert_eq!(items[0]["request_id"], "req-audit-1");
    assert!(items[0]["before"]["phone"].is_null());
    assert_eq!(items[0]["after"]["phone"], "0531-86026000");

    // A county supervisor sees the county's trail, not the other county's.
    let sup = login(&app, "sup.a", PASSWORD).await;
    let mine = req(&app, Method::GET, "/api/v1/audit-events?limit=200")
        .token(&sup)
        .send()
        .await;
    assert_eq!(mine.status, 200);
    let ids: Vec<String> = mine.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["entity_id"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(ids.contains(&tree.county_a));
    assert!(!ids.contains(&tree.county_b));
    create_user(&app, &admin, "clerk.a", "clerk", &tree.hall_a).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/audit-events")
        .token(&clerk)
        .send()
        .await;
    assert_eq!(r.status, 403);

    let v = req(&app, Method::GET, "/api/v1/audit-events/verify")
        .token(&sup)
        .send()
        .await;
    assert_eq!(v.body["ok"], true);
    let checked = v.body["checked"].as_u64().unwrap_or(0);
    assert!(checked >= 8, "{checked}");

    // Someone with direct database access rewrites history.
    let victim = items[1]["id"].as_i64().unwrap_or(0);
    t.db.execute(&format!(
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; \
         UPDATE audit_events SET after = jsonb_set(after, '{{name}}',
             '\"篡改\"') WHERE id = {victim}; \
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;"
    ));
    let v = req(&app, Method::GET, "/api/v1/audit-events/verify")
        .token(&admin)
        .send()
        .await;
    assert_eq!(v.body["ok"], false);
    assert_eq!(v.body["first_broken_id"], victim);
}

#[actix_web::test]
async fn the_audit_log_refuses_ordinary_updates() {
    let t = TestApp::start().await;
    let db = &t.db;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        db.execute("UPDATE audit_events SET action = 'x'");
    }));
    assert!(
        result.is_err(),
        "the append-only trigger must refuse updates"
    );
}

#[actix_web::test]
async fn applicants_register_and_see_only_themselves() {
    let t = TestApp::start().await;
    let app = app!(t);
    let register = |body: serde_json::Value| {
        req(&app, Method::POST, "/api/v1/auth/register")
            .json(body)
            .send()
    };
    let r = register(json!({"username": "qiye", "password": "company-pass-1",
        "display_name": "某某科技有限公司", "applicant_type": "legal_person"}))
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/legal_person_kind"]);
    let r = register(json!({"username": "qiye", "password": "company-pass-1",
        "display_name": "某某科技有限公司", "applicant_type": "legal_person",
        "legal_person_kind": "commercial_enterprise"}))
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let me_id = r.id();
    let dup = register(json!({"username": "QIYE", "password": "company-pass-1",
        "display_name": "x", "applicant_type": "natural_person"}))
    .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.pointers(), vec!["/username"]);
    let token = login(&app, "qiye", "company-pass-1").await;
    let get = |path: String| req(&app, Method::GET, &path).token(&token).send();
    assert_eq!(get(format!("/api/v1/users/{me_id}")).await.status, 200);
    assert_eq!(get("/api/v1/organizations".into()).await.status, 403);
    assert_eq!(get("/api/v1/users".into()).await.status, 403);
}

#[actix_web::test]
async fn machine_clients_use_client_credentials() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let c = req(&app, Method::POST, "/api/v1/clients")
        .token(&admin)
        .json(
            json!({"client_id": "hotline-12345", "name": "12345热线系统", "role": "clerk",
            "organization_id": tree.county_a}),
        )
        .send()
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let secret = c.body["client_secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let grant = json!({"grant_type": "client_credentials", "client_id": "hotline-12345",
        "client_secret": secret});
    let tok = req(&app, Method::POST, "/api/v1/auth/token")
        .json(grant.clone())
        .send()
        .await;
    assert_eq!(tok.status, 200);
    assert!(tok.body["refresh_token"].is_null());
    let access = tok.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let me = req(&app, Method::GET, "/api/v1/auth/me")
        .token(&access)
        .send()
        .await;
    assert_eq!(me.body["kind"], "client");
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/organizations/{}", tree.county_b),
    )
    .token(&access)
    .send()
    .await;
    assert_eq!(r.status, 404);
    let off = req(&app, Method::PATCH, &format!("/api/v1/clients/{}", c.id()))
        .token(&admin)
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(off.status, 200);
    let refused = req(&app, Method::POST, "/api/v1/auth/token")
        .json(grant)
        .send()
        .await;
    assert_eq!(refused.status, 401);
}

#[actix_web::test]
async fn operational_endpoints_and_enums() {
    let t = TestApp::start().await;
    let app = app!(t);
    assert_eq!(req(&app, Method::GET, "/healthz").send().await.status, 200);
    assert_eq!(req(&app, Method::GET, "/readyz").send().await.status, 200);
    let m = req(&app, Method::GET, "/metrics").send().await;
    assert_eq!(m.status, 200);
    assert!(
        m.body
            .as_str()
            .unwrap_or_default()
            .contains("zhengwu_http_requests_total")
    );
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
async fn token_requests_are_limited_per_address_across_accounts() {
    let t = TestApp::with_config(std::sync::Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.login_rate_per_minute = 3
    })
    .await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let attempt = |user: &'static str, addr: &'static str| {
        let app = &app;
        async move {
            req(app, Method::POST, "/api/v1/auth/token")
                .header("X-Forwarded-For", addr)
                .json(json!({"grant_type": "password", "username": user,
                    "password": "wrong-password-1"}))
                .send()
                .await
        }
    };
    // Three different accounts from one address: refused as wrong, then the fourth is 429,
    // even for the right password.
    for user in ["zhang.wei", "li.na", "wang.fang"] {
        assert_eq!(attempt(user, "203.0.113.7").await.status, 401);
    }
    let r = req(&app, Method::POST, "/api/v1/auth/token")
        .header("X-Forwarded-For", "203.0.113.7")
        .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, 429);
    assert!(r.headers.get("retry-after").is_some());
    assert_eq!(r.body["code"], "rate_limited");
    // Another address is not affected.
    let r = req(&app, Method::POST, "/api/v1/auth/token")
        .header("X-Forwarded-For", "198.51.100.4")
        .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert_eq!(r.status, 200);

    // Without a trusted proxy, a forged X-Forwarded-For does not escape the limit.
    let t = TestApp::with_config(std::sync::Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.login_rate_per_minute = 1;
        c.trust_forwarded = false;
    })
    .await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let mut codes = Vec::new();
    for addr in ["192.0.2.1", "192.0.2.2"] {
        let r = req(&app, Method::POST, "/api/v1/auth/token")
            .header("X-Forwarded-For", addr)
            .json(json!({"grant_type": "password", "username": ADMIN, "password": ADMIN_PASSWORD}))
            .send()
            .await;
        codes.push(r.status);
    }
    assert_eq!(codes, vec![200, 429]);
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
        "/api/v1/knowledge-base?q=%E7%A4%BE%E4%BF%9D".to_owned(),
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
