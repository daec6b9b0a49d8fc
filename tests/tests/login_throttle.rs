//! The throttle of failed logins: per account name and client address, with growing
//! delays. It answers a name that has no account exactly as one that has, and someone
//! guessing from one address never locks the owner out at another.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

const ATTACKER: &str = "203.0.113.9";
const OWNER: &str = "198.51.100.7";

fn at_noon() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-02T12:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

async fn attempt<S, B>(app: &S, from: &str, username: &str, password: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::POST, "/api/v1/auth/token")
        .header("X-Forwarded-For", from)
        .json(json!({"grant_type": "password", "username": username, "password": password}))
        .send()
        .await
}

/// What a client can observe of an answer.
fn observed(r: &Resp) -> (u16, String, Option<String>, String) {
    (
        r.status,
        r.body["code"].as_str().unwrap_or_default().to_owned(),
        r.header("retry-after"),
        r.body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

#[actix_web::test]
async fn a_name_without_an_account_is_answered_like_one_with_an_account() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t);
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..8 {
        known.push(observed(
            &attempt(&app, ATTACKER, ADMIN, "wrong-password-1").await,
        ));
        unknown.push(observed(
            &attempt(&app, ATTACKER, "nobody", "wrong-password-1").await,
        ));
    }
    assert_eq!(known, unknown);
    let statuses: Vec<u16> = known.iter().map(|o| o.0).collect();
    assert_eq!(statuses, vec![401, 401, 401, 401, 429, 429, 429, 429]);
    assert_eq!(known[4].2.as_deref(), Some("30"));
    // A disabled account with its right password is one more wrong guess, too.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let id = create_user(&app, &admin, "leaver", "clerk", &tree.county_a).await;
    let off = req(&app, Method::PATCH, &format!("/api/v1/users/{id}"))
        .token(&admin)
        .json(json!({"active": false}))
        .send()
        .await;
    assert_eq!(off.status, 200);
    let disabled = attempt(&app, OWNER, "leaver", PASSWORD).await;
    let nobody = attempt(&app, OWNER, "nobody.else", PASSWORD).await;
    assert_eq!(observed(&disabled), observed(&nobody));
    assert_eq!(disabled.body["code"], "auth.invalid_credentials");
}

#[actix_web::test]
async fn guesses_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t);
    for _ in 0..5 {
        attempt(&app, ATTACKER, ADMIN, "wrong-password-1").await;
    }
    let blocked = attempt(&app, ATTACKER, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(blocked.status, 429, "even the right password, from there");
    let owner = attempt(&app, OWNER, ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(owner.status, 200, "{:?}", owner.body);
}

#[actix_web::test]
async fn delays_double_up_to_the_cap_and_a_success_forgets_them() {
    let clock = Arc::new(FixedClock::new(at_noon()));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let wrong = || attempt(&app, ATTACKER, ADMIN, "wrong-password-1");
    for _ in 0..4 {
        assert_eq!(wrong().await.status, 401);
    }
    let mut delays = Vec::new();
    for _ in 0..7 {
        let r = wrong().await;
        assert_eq!(r.status, 429);
        let s: i64 = r
            .header("retry-after")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        delays.push(s);
        // Still blocked a second before the end, with the time left.
        clock.advance(chrono::Duration::seconds(s - 1));
        let still = wrong().await;
        assert_eq!(still.header("retry-after").as_deref(), Some("1"));
        clock.advance(chrono::Duration::seconds(1));
    }
    assert_eq!(delays, vec![30, 60, 120, 240, 480, 900, 900]);
    assert_eq!(
        attempt(&app, ATTACKER, ADMIN, ADMIN_PASSWORD).await.status,
        200
    );
    assert_eq!(wrong().await.status, 401, "a success starts the count anew");
}

#[actix_web::test]
async fn failures_are_forgotten_a_day_after_the_last_one() {
    let clock = Arc::new(FixedClock::new(at_noon()));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    for _ in 0..3 {
        attempt(&app, ATTACKER, "nobody", "wrong-password-1").await;
    }
    let count = || t.db.numbers("SELECT count(*) AS n FROM login_throttle")[0];
    assert_eq!(count(), 1);
    clock.advance(chrono::Duration::hours(23));
    let kept = zhengwu_api::housekeeping::run(&t.state).await.ok();
    assert_eq!(kept.map(|r| r.login_failures), Some(0));
    clock.advance(chrono::Duration::hours(2));
    let removed = zhengwu_api::housekeeping::run(&t.state).await.ok();
    assert_eq!(removed.map(|r| r.login_failures), Some(1));
    assert_eq!(count(), 0);
}

/// A wrong current password at a password change is a failed login of the account from
/// that address; an administrator's reset lifts every block of the account.
#[actix_web::test]
async fn password_changes_are_throttled_and_a_reset_lifts_blocks() {
    let t = TestApp::with_clock(Arc::new(FixedClock::new(at_noon()))).await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let id = create_user(
        &app,
        &admin,
        "officer",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    let token = login(&app, "officer", PASSWORD).await;
    let change = || {
        req(&app, Method::POST, "/api/v1/auth/password")
            .header("X-Forwarded-For", ATTACKER)
            .token(&token)
            .json(json!({"current_password": "guess-number-1", "new_password": "x-password-99"}))
            .send()
    };
    for _ in 0..4 {
        assert_eq!(change().await.status, 422);
    }
    let r = change().await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert_eq!(
        attempt(&app, ATTACKER, "officer", PASSWORD).await.status,
        429,
        "the same name from the same address"
    );
    let reset = req(&app, Method::PATCH, &format!("/api/v1/users/{id}"))
        .token(&admin)
        .json(json!({"password": "reset-password-7"}))
        .send()
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(
        attempt(&app, ATTACKER, "officer", "reset-password-7")
            .await
            .status,
        200
    );
}
