//! Tokens, logins and their limits, registration and machine clients.

use super::*;

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
