//! Access tokens stand for what their subject is now: logout, deactivation, a password
//! change or reset, a new role and a move in the organisation tree take effect at once on
//! this replica and within a second on every other; people change their own password.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_api::state::AppState;
use zhengwu_tests::*;

macro_rules! app {
    ($state:expr) => {
        test::init_service(zhengwu_api::app($state.clone())).await
    };
}

fn at_noon() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-02T12:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

async fn sign_in<S, B>(app: &S, username: &str, password: &str) -> (String, String)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": username, "password": password}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let s = |k: &str| r.body[k].as_str().unwrap_or_default().to_owned();
    (s("access_token"), s("refresh_token"))
}

async fn me<S, B>(app: &S, token: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::GET, "/api/v1/auth/me")
        .token(token)
        .send()
        .await
}

fn ended(r: &Resp) -> bool {
    r.status == 401 && r.body["code"] == "auth.token_revoked"
}

#[actix_web::test]
async fn logout_ends_its_logins_access_tokens_and_no_other() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t.state);
    let (first, first_refresh) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
    let (second, _) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(me(&app, &first).await.status, 200);
    let out = req(&app, Method::POST, "/api/v1/auth/logout")
        .json(json!({"refresh_token": first_refresh}))
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert!(ended(&me(&app, &first).await));
    assert_eq!(me(&app, &second).await.status, 200);
}

#[actix_web::test]
async fn changes_to_an_account_take_effect_on_its_tokens_at_once() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t.state);
    let (admin, _) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let manager = create_user(&app, &admin, "manager", "org_admin", &tree.county_a).await;
    let clerk = create_user(&app, &admin, "clerk", "clerk", &tree.county_a).await;
    let (m, _) = sign_in(&app, "manager", PASSWORD).await;
    let (c, _) = sign_in(&app, "clerk", PASSWORD).await;
    let patch = |id: &str, version: i64, body: Value| {
        req(&app, Method::PATCH, &format!("/api/v1/users/{id}"))
            .token(&admin)
            .header("If-Match", &format!("\"{version}\""))
            .json(body)
            .send()
    };
    let org = |token: &str, id: &str| {
        req(&app, Method::GET, &format!("/api/v1/organizations/{id}"))
            .token(token)
            .send()
    };
    assert_eq!(org(&m, &tree.county_a).await.status, 200);
    assert_eq!(org(&m, &tree.county_b).await.status, 404);
    // Moved to the other county: the same token sees that county, not the old one.
    let r = patch(&manager, 1, json!({"organization_id": tree.county_b})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(org(&m, &tree.county_a).await.status, 404);
    assert_eq!(org(&m, &tree.county_b).await.status, 200);
    // A new role: the administrator's rights are gone with it.
    let new_user = |token: &str| {
        req(&app, Method::POST, "/api/v1/users")
            .token(token)
            .json(
                json!({"username": "another", "password": PASSWORD, "display_name": "新人",
                "role": "clerk", "organization_id": tree.county_b}),
            )
            .send()
    };
    let r = patch(&manager, 2, json!({"role": "clerk"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(new_user(&m).await.status, 403);
    // A password reset ends every login; so does deactivation.
    let r = patch(&manager, 3, json!({"password": "a-new-password-1"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(ended(&me(&app, &m).await));
    let r = patch(&clerk, 1, json!({"active": false})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = me(&app, &c).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "auth.token_revoked");
    // Reactivated, the old login stays ended: sign in again.
    let r = patch(&clerk, 2, json!({"active": true})).await;
    assert_eq!(r.status, 200);
    assert!(ended(&me(&app, &c).await));
    let (again, _) = sign_in(&app, "clerk", PASSWORD).await;
    assert_eq!(me(&app, &again).await.status, 200);
}

/// A department moved to another county: its administrator's scope moves with it (a token
/// that kept the old place in the tree saw nothing of its own organisation any more).
#[actix_web::test]
async fn a_moved_organisation_keeps_its_staff_in_scope() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t.state);
    let (admin, _) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "dept.admin", "org_admin", &tree.dept_b).await;
    let (d, _) = sign_in(&app, "dept.admin", PASSWORD).await;
    let path = format!("/api/v1/organizations/{}", tree.dept_b);
    assert_eq!(
        req(&app, Method::GET, &path).token(&d).send().await.status,
        200
    );
    let moved = req(&app, Method::PATCH, &path)
        .token(&admin)
        .json(json!({"parent_id": tree.county_a}))
        .send()
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let r = req(&app, Method::GET, &path).token(&d).send().await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["parent_id"], tree.county_a.as_str());
}

/// Another replica on the same database trusts what it resolved for at most a second.
#[actix_web::test]
async fn another_replica_sees_the_end_of_a_login_within_a_second() {
    let clock = Arc::new(FixedClock::new(at_noon()));
    let t = TestApp::with_clock(clock.clone()).await;
    let a = app!(t.state);
    let pool = zhengwu_persistence::db::create_pool(&t.db.url, &t.state.config.pool)
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let other = AppState::new(pool, (*t.state.config).clone(), clock.clone());
    let b = app!(other);
    let (token, refresh) = sign_in(&a, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(me(&b, &token).await.status, 200);
    let out = req(&a, Method::POST, "/api/v1/auth/logout")
        .json(json!({"refresh_token": refresh}))
        .send()
        .await;
    assert_eq!(out.status, 204);
    assert!(ended(&me(&a, &token).await), "at once where it happened");
    clock.advance(chrono::Duration::milliseconds(500));
    assert_eq!(
        me(&b, &token).await.status,
        200,
        "the other replica may trust its answer for up to a second"
    );
    clock.advance(chrono::Duration::milliseconds(600));
    assert!(ended(&me(&b, &token).await), "and no longer");
}

#[actix_web::test]
async fn people_change_their_own_password_and_end_their_other_logins() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t.state);
    let (admin, _) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    let (here, here_refresh) = sign_in(&app, "officer", PASSWORD).await;
    let (elsewhere, elsewhere_refresh) = sign_in(&app, "officer", PASSWORD).await;
    let change = |current: &str, new: &str| {
        req(&app, Method::POST, "/api/v1/auth/password")
            .token(&here)
            .json(json!({"current_password": current, "new_password": new}))
            .send()
    };
    let wrong = change("not-the-password-1", "a-better-password-2").await;
    assert_eq!(wrong.status, 422, "{:?}", wrong.body);
    assert_eq!(wrong.pointers(), vec!["/current_password"]);
    assert_eq!(wrong.body["errors"][0]["code"], "password.incorrect");
    let weak = change(PASSWORD, "short").await;
    assert_eq!(weak.pointers(), vec!["/new_password"]);
    let same = change(PASSWORD, PASSWORD).await;
    assert_eq!(same.body["errors"][0]["code"], "password.unchanged");
    assert_eq!(
        me(&app, &elsewhere).await.status,
        200,
        "nothing changed yet"
    );

    let done = change(PASSWORD, "a-better-password-2").await;
    assert_eq!(done.status, 204, "{:?}", done.body);
    // This login goes on; the other one ended, access and refresh tokens alike.
    assert_eq!(me(&app, &here).await.status, 200);
    assert!(ended(&me(&app, &elsewhere).await));
    let refresh = |token: String| {
        req(&app, Method::POST, "/api/v1/auth/refresh")
            .json(json!({ "refresh_token": token }))
            .send()
    };
    assert_eq!(refresh(elsewhere_refresh).await.status, 401);
    assert_eq!(refresh(here_refresh).await.status, 200);
    let old = req(&app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": "officer", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(old.status, 401);
    sign_in(&app, "officer", "a-better-password-2").await;
    assert_eq!(
        t.db.numbers(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'user.change_password'"
        ),
        vec![1]
    );
    // Without a token, nothing.
    let r = req(&app, Method::POST, "/api/v1/auth/password")
        .json(json!({"current_password": PASSWORD, "new_password": "x-password-9"}))
        .send()
        .await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn a_disabled_machine_client_loses_its_tokens_at_once() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t.state);
    let (admin, _) = sign_in(&app, ADMIN, ADMIN_PASSWORD).await;
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
    let secret = c.body["client_secret"].as_str().unwrap_or_default();
    let token = req(&app, Method::POST, "/api/v1/auth/token")
        .json(
            json!({"grant_type": "client_credentials", "client_id": "hotline-12345",
            "client_secret": secret}),
        )
        .send()
        .await;
    let access = token.body["access_token"].as_str().unwrap_or_default();
    assert_eq!(me(&app, access).await.status, 200);
    let change = req(&app, Method::POST, "/api/v1/auth/password")
        .token(access)
        .json(json!({"current_password": "x", "new_password": "y-password-9"}))
        .send()
        .await;
    assert_eq!(change.status, 403, "{:?}", change.body);
    let off = req(&app, Method::PATCH, &format!("/api/v1/clients/{}", c.id()))
        .token(&admin)
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(off.status, 200, "{:?}", off.body);
    let r = me(&app, access).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "auth.token_revoked");
}
