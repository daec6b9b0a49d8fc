//! Signed checkpoints of the audit chain's head: verification reports the removal of the
//! newest events (which leaves the chain itself intact), a forged, altered or removed
//! checkpoint, and — with a checkpoint held outside — a cut that took the checkpoints too.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::SystemClock;
use zhengwu_api::state::AppState;
use zhengwu_tests::*;

macro_rules! app {
    ($state:expr) => {
        test::init_service(zhengwu_api::app($state.clone())).await
    };
}

/// Writes a few audited changes: organisations.
async fn changes<S, B>(app: &S, admin: &str, names: &[&str])
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    for name in names {
        let r = req(app, Method::POST, "/api/v1/organizations")
            .token(admin)
            .json(
                json!({"kind": "region_government", "level": "city", "name": name,
                "division_code": "370100"}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}

async fn checkpoint(state: &AppState) -> Value {
    let c = zhengwu_api::checkpoints::take(state)
        .await
        .unwrap_or_else(|e| panic!("checkpoint: {e}"))
        .unwrap_or_else(|| panic!("no checkpoint taken"));
    json!({"id": c.id, "event_id": c.event_id, "events": c.events})
}

async fn verify<S, B>(app: &S, admin: &str, query: &str) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(
        app,
        Method::GET,
        &format!("/api/v1/audit-events/verify{query}"),
    )
    .token(admin)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// Runs SQL on the test database with the append-only triggers off, as someone with
/// direct access to the database would.
fn tamper(t: &TestApp, sql: &str) {
    t.db.execute(&format!(
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; \
         ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update; \
         {sql}; \
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update; \
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update;"
    ));
}

#[actix_web::test]
async fn removing_the_newest_events_is_reported_as_a_cut_tail() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes(&app, &admin, &["济南市人民政府", "青岛市人民政府"]).await;
    // Nothing has moved since: no second checkpoint of the same head.
    let cp = checkpoint(&t.state).await;
    assert!(
        zhengwu_api::checkpoints::take(&t.state)
            .await
            .ok()
            .flatten()
            .is_none()
    );
    changes(&app, &admin, &["烟台市人民政府"]).await;
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 1);
    assert!(v["truncated"].is_null());

    // The newest events, back to and including the checkpoint's, are deleted: the chain
    // that is left is intact, and only the checkpoint tells.
    tamper(
        &t,
        &format!("DELETE FROM audit_events WHERE id >= {}", cp["event_id"]),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["first_broken_id"].is_null(), "{v}");
    assert_eq!(v["truncated"]["checkpoint_id"], cp["id"]);
    assert_eq!(v["truncated"]["event_id"], cp["event_id"]);
    assert_eq!(v["truncated"]["events"], cp["events"]);
    assert_eq!(
        v["truncated"]["last_event_id"].as_i64(),
        cp["event_id"].as_i64().map(|e| e - 1)
    );
}

#[actix_web::test]
async fn a_forged_altered_or_removed_checkpoint_is_reported() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let mut cps = Vec::new();
    for name in ["济南市人民政府", "青岛市人民政府", "烟台市人民政府"] {
        changes(&app, &admin, &[name]).await;
        cps.push(checkpoint(&t.state).await);
    }
    assert_eq!(verify(&app, &admin, "").await["checkpoints_checked"], 3);

    // A checkpoint moved to another event keeps its signature, which no longer verifies.
    tamper(
        &t,
        &format!(
            "UPDATE audit_checkpoints SET event_id = event_id - 1, events = events - 1 \
             WHERE id = {}",
            cps[1]["id"]
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_checkpoint_id"], cps[1]["id"]);
    // Removed from the middle: the next one's link to it is broken.
    tamper(
        &t,
        &format!("DELETE FROM audit_checkpoints WHERE id = {}", cps[1]["id"]),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["first_bad_checkpoint_id"], cps[2]["id"]);
    // A checkpoint made up in the database, without the key.
    tamper(
        &t,
        &format!(
            "DELETE FROM audit_checkpoints WHERE id = {id}; \
             INSERT INTO audit_checkpoints (event_id, event_hash, events, created_at, \
             prev_signature, key_id, signature) SELECT e.id, e.hash, {events}, now(), \
             (SELECT signature FROM audit_checkpoints WHERE id = {first}), \
             (SELECT key_id FROM audit_checkpoints WHERE id = {first}), \
             sha256(e.hash) FROM audit_events e WHERE e.id = {event}",
            id = cps[2]["id"],
            events = cps[1]["events"],
            first = cps[0]["id"],
            event = cps[1]["event_id"],
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["first_bad_checkpoint_id"].as_i64() > cps[2]["id"].as_i64());
    assert!(v["first_broken_id"].is_null());
}

/// Whoever cuts the tail can delete the checkpoints too; a checkpoint exported before and
/// kept outside (notarised) still shows it.
#[actix_web::test]
async fn a_checkpoint_held_outside_shows_a_cut_that_took_the_checkpoints_too() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes(&app, &admin, &["济南市人民政府", "青岛市人民政府"]).await;
    checkpoint(&t.state).await;
    let export = req(&app, Method::GET, "/api/v1/audit-checkpoints")
        .token(&admin)
        .send()
        .await;
    assert_eq!(export.status, 200, "{:?}", export.body);
    let held = export.body["items"][0].clone();
    assert_eq!(held["signature"].as_str().map(str::len), Some(64));
    assert_eq!(held["event_hash"].as_str().map(str::len), Some(64));
    let query = format!(
        "?event_id={}&event_hash={}",
        held["event_id"],
        held["event_hash"].as_str().unwrap_or_default()
    );
    let v = verify(&app, &admin, &query).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["held_checkpoint_matches"], true);

    tamper(
        &t,
        &format!(
            "DELETE FROM audit_checkpoints; DELETE FROM audit_events WHERE id >= {}",
            held["event_id"]
        ),
    );
    assert_eq!(
        verify(&app, &admin, "").await["ok"],
        true,
        "nothing inside shows it"
    );
    let v = verify(&app, &admin, &query).await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["held_checkpoint_matches"], false);
    assert!(v["truncated"]["checkpoint_id"].is_null());
    assert_eq!(v["truncated"]["event_id"], held["event_id"]);

    // Only staff who verify the chain read the checkpoints; a malformed hash is named.
    let bad = req(
        &app,
        Method::GET,
        "/api/v1/audit-events/verify?event_id=1&event_hash=xyz",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["?event_hash"]);
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "clerk", "clerk", &tree.hall_a).await;
    let clerk = login(&app, "clerk", PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/audit-checkpoints")
        .token(&clerk)
        .send()
        .await;
    assert_eq!(r.status, 403);
}

/// Checkpoints signed before a rotation of the key are not taken for forgeries: their
/// events are still checked.
#[actix_web::test]
async fn checkpoints_under_a_rotated_key_are_told_apart_from_forgeries() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes(&app, &admin, &["济南市人民政府"]).await;
    checkpoint(&t.state).await;
    let mut config = (*t.state.config).clone();
    config.audit_key = Some("another-audit-key-another-audit-key!".into());
    let pool = zhengwu_persistence::db::create_pool(&t.db.url, &config.pool)
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let rotated = AppState::new(pool, config, Arc::new(SystemClock));
    let app2 = app!(rotated);
    let admin2 = login(&app2, ADMIN, ADMIN_PASSWORD).await;
    changes(&app2, &admin2, &["青岛市人民政府"]).await;
    checkpoint(&rotated).await;
    let v = verify(&app2, &admin2, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 2);
    assert_eq!(v["checkpoints_signed_with_another_key"], 1);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        t.db.execute("UPDATE audit_checkpoints SET events = events + 1");
    }));
    assert!(result.is_err(), "checkpoints are append-only");
}
