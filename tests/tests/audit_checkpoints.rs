//! The audit chains and their signed checkpoints: events of concurrent requests spread over
//! the chains, which do not wait for each other; verification names the first broken event
//! of each chain (an edit, a deletion, a reordering) and reports the removal of a chain's
//! newest events (which leaves the chain itself intact), a forged, altered or removed
//! checkpoint, and — with a checkpoint held outside — a cut that took the checkpoints too.
//! Checkpoints taken before the chains (v1) still verify.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::SystemClock;
use zhengwu_api::state::AppState;
use zhengwu_persistence::audit::{AUDIT_CHAINS, chain_for, chain_lock_key};
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
    create_cities(app, admin, names, None).await;
}

/// Creates a city organisation of each name, each request's events on `chain` if given.
async fn create_cities<S, B>(app: &S, admin: &str, names: &[&str], chain: Option<i16>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    for name in names {
        let mut r = req(app, Method::POST, "/api/v1/organizations").token(admin);
        if let Some(chain) = chain {
            r = r.header("X-Request-Id", &request_id_on(chain, &ascii_tag(name)));
        }
        let r = r
            .json(
                json!({"kind": "region_government", "level": "city", "name": name,
                "division_code": "370100"}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
}

/// A request id whose events go to `chain`.
fn request_id_on(chain: i16, tag: &str) -> String {
    (0..)
        .map(|i| format!("{tag}-{i}"))
        .find(|id| chain_for(id.as_bytes()) == chain)
        .unwrap_or_default()
}

/// A request id is printable ASCII: a tag for a name that is not.
fn ascii_tag(name: &str) -> String {
    let h = name
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("audit-test-{h:x}")
}

/// Like [`changes`], each change a request whose events go to `chain`.
async fn changes_on<S, B>(app: &S, admin: &str, chain: i16, names: &[&str])
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    create_cities(app, admin, names, Some(chain)).await;
}

/// The ids of a chain's events, in order.
fn chain_ids(t: &TestApp, chain: i16) -> Vec<i64> {
    t.db.numbers(&format!(
        "SELECT id AS n FROM audit_events WHERE chain = {chain} ORDER BY id"
    ))
}

/// A chain's entry in a verification.
fn chain_of(v: &Value, chain: i16) -> Value {
    v["chains"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["chain"] == chain).cloned())
        .unwrap_or(Value::Null)
}

async fn checkpoint(state: &AppState) -> Value {
    let c = zhengwu_api::checkpoints::take(state)
        .await
        .unwrap_or_else(|e| panic!("checkpoint: {e}"))
        .unwrap_or_else(|| panic!("no checkpoint taken"));
    let heads: Vec<Value> = c
        .heads
        .iter()
        .map(|h| json!({"chain": h.chain, "event_id": h.event_id, "events": h.events}))
        .collect();
    json!({"id": c.id, "event_id": c.event_id, "events": c.events, "heads": heads})
}

/// The head a checkpoint names for a chain.
fn head_of(cp: &Value, chain: i16) -> Value {
    cp["heads"]
        .as_array()
        .and_then(|a| a.iter().find(|h| h["chain"] == chain).cloned())
        .unwrap_or(Value::Null)
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
         ALTER TABLE audit_checkpoint_heads DISABLE TRIGGER audit_checkpoint_heads_no_update; \
         {sql}; \
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update; \
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update; \
         ALTER TABLE audit_checkpoint_heads ENABLE TRIGGER audit_checkpoint_heads_no_update;"
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

    // The newest events, back to and including the checkpoint's, are deleted: the chains
    // that are left are intact, and only the checkpoint tells — the chain whose head was
    // the newest event is cut.
    let cut = t.db.numbers(&format!(
        "SELECT chain::int8 AS n FROM audit_events WHERE id = {}",
        cp["event_id"]
    ))[0];
    let cut = i16::try_from(cut).unwrap_or(-1);
    let head = head_of(&cp, cut);
    assert_eq!(head["event_id"], cp["event_id"]);
    tamper(
        &t,
        &format!("DELETE FROM audit_events WHERE id >= {}", cp["event_id"]),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["first_broken_id"].is_null(), "{v}");
    assert_eq!(v["truncated"]["chain"], cut, "{v}");
    assert_eq!(v["truncated"]["checkpoint_id"], cp["id"]);
    assert_eq!(v["truncated"]["event_id"], cp["event_id"]);
    assert_eq!(v["truncated"]["events"], head["events"]);
    assert_eq!(
        v["truncated"]["last_event_id"].as_i64(),
        chain_ids(&t, cut).last().copied()
    );
    assert_eq!(chain_of(&v, cut)["truncated"], v["truncated"]);
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
        &format!(
            "DELETE FROM audit_checkpoint_heads WHERE checkpoint_id = {id}; \
             DELETE FROM audit_checkpoints WHERE id = {id}",
            id = cps[1]["id"]
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["first_bad_checkpoint_id"], cps[2]["id"]);
    // A checkpoint made up in the database, without the key.
    tamper(
        &t,
        &format!(
            "DELETE FROM audit_checkpoint_heads WHERE checkpoint_id = {id}; \
             DELETE FROM audit_checkpoints WHERE id = {id}; \
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
    // A forged checkpoint's heads say nothing: no cut is read from it.
    assert!(v["truncated"].is_null(), "{v}");
}

/// The heads are covered by the signature; the row's summary must agree with them.
#[actix_web::test]
async fn an_altered_head_or_summary_is_reported() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let mut cps = Vec::new();
    for (chain, name) in [(2, "济南市人民政府"), (9, "青岛市人民政府")] {
        changes_on(&app, &admin, chain, &[name]).await;
        cps.push(checkpoint(&t.state).await);
    }
    assert_eq!(verify(&app, &admin, "").await["checkpoints_checked"], 2);
    // One head says the chain had one event more.
    tamper(
        &t,
        &format!(
            "UPDATE audit_checkpoint_heads SET events = events + 1 \
             WHERE checkpoint_id = {} AND chain = 9",
            cps[1]["id"]
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_bad_checkpoint_id"], cps[1]["id"]);
    assert_eq!(v["checkpoints_checked"], 1);
    tamper(
        &t,
        &format!(
            "UPDATE audit_checkpoint_heads SET events = events - 1 \
             WHERE checkpoint_id = {} AND chain = 9",
            cps[1]["id"]
        ),
    );
    assert_eq!(verify(&app, &admin, "").await["ok"], true);
    // The row (which old readers read) names another total than its heads.
    tamper(
        &t,
        &format!(
            "UPDATE audit_checkpoints SET events = events + 1 WHERE id = {}",
            cps[0]["id"]
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["first_bad_checkpoint_id"], cps[0]["id"], "{v}");
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
    // The newest of its heads, which name every chain that holds events.
    let heads = held["heads"].as_array().cloned().unwrap_or_default();
    let chains: Vec<i64> =
        t.db.numbers("SELECT DISTINCT chain::int8 AS n FROM audit_events ORDER BY 1");
    assert_eq!(
        heads
            .iter()
            .filter_map(|h| h["chain"].as_i64())
            .collect::<Vec<_>>(),
        chains
    );
    assert!(
        heads
            .iter()
            .any(|h| h["event_id"] == held["event_id"] && h["event_hash"] == held["event_hash"])
    );
    assert_eq!(
        heads
            .iter()
            .filter_map(|h| h["events"].as_i64())
            .sum::<i64>(),
        held["events"].as_i64().unwrap_or(0)
    );
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
            "DELETE FROM audit_checkpoint_heads; DELETE FROM audit_checkpoints; \
             DELETE FROM audit_events WHERE id >= {}",
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
    assert!(v["truncated"]["chain"].is_null());
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
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        t.db.execute("UPDATE audit_checkpoint_heads SET events = events + 1");
    }));
    assert!(result.is_err(), "their heads are append-only");
}

#[actix_web::test]
async fn events_of_many_requests_land_on_several_chains_and_all_verify() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let picked: [i16; 6] = [1, 2, 5, 9, 17, AUDIT_CHAINS - 1];
    for (i, chain) in picked.iter().enumerate() {
        changes_on(&app, &admin, *chain, &[&format!("第{i}市人民政府")]).await;
    }
    // Without a request id of ours, the middleware's: any chain.
    changes(&app, &admin, &["济南市人民政府", "青岛市人民政府"]).await;
    let cp = checkpoint(&t.state).await;

    // Every event is on the chain of its request.
    let events = req(
        &app,
        Method::GET,
        "/api/v1/audit-events?entity_type=organization&limit=200",
    )
    .token(&admin)
    .send()
    .await;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 8);
    for e in &items {
        let request = e["request_id"].as_str().unwrap_or_default();
        assert_eq!(e["chain"], chain_for(request.as_bytes()), "{e}");
    }
    let used: BTreeSet<i64> = items.iter().filter_map(|e| e["chain"].as_i64()).collect();
    assert!(picked.iter().all(|c| used.contains(&i64::from(*c))));

    // Verification lists every chain that holds events, each checked whole.
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 1);
    let chains =
        t.db.numbers("SELECT DISTINCT chain::int8 AS n FROM audit_events ORDER BY 1");
    let listed: Vec<i64> = v["chains"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["chain"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(listed, chains);
    let mut total = 0;
    for chain in chains {
        let chain = i16::try_from(chain).unwrap_or(-1);
        let ids = chain_ids(&t, chain);
        let c = chain_of(&v, chain);
        assert_eq!(c["checked"].as_u64(), u64::try_from(ids.len()).ok(), "{c}");
        assert_eq!(c["last_event_id"].as_i64(), ids.last().copied());
        assert!(c["first_broken_id"].is_null() && c["truncated"].is_null());
        // The checkpoint names its head and its number of events.
        assert_eq!(
            head_of(&cp, chain)["event_id"].as_i64(),
            ids.last().copied()
        );
        assert_eq!(
            head_of(&cp, chain)["events"].as_i64(),
            i64::try_from(ids.len()).ok()
        );
        total += ids.len();
    }
    assert_eq!(v["checked"].as_u64(), u64::try_from(total).ok());

    // A second checkpoint counts on from the first one's heads.
    changes_on(&app, &admin, 5, &["烟台市人民政府", "潍坊市人民政府"]).await;
    let second = checkpoint(&t.state).await;
    assert_eq!(
        head_of(&second, 5)["events"].as_i64(),
        i64::try_from(chain_ids(&t, 5).len()).ok()
    );
    assert_eq!(
        head_of(&second, 1),
        head_of(&cp, 1),
        "an unmoved head is kept"
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 2);
}

/// Rewrites the tables as someone with direct database access would, and checks that
/// verification names the first broken event of chain 4 and that chain 11 still verifies.
async fn break_chain_4(tampering: fn(&[i64]) -> String, first_broken: fn(&[i64]) -> i64) {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes_on(&app, &admin, 4, &["济南市人民政府", "青岛市人民政府"]).await;
    changes_on(&app, &admin, 11, &["淄博市人民政府", "枣庄市人民政府"]).await;
    changes_on(&app, &admin, 4, &["烟台市人民政府", "潍坊市人民政府"]).await;
    let ids = chain_ids(&t, 4);
    assert!(ids.len() >= 4, "{ids:?}");
    assert_eq!(verify(&app, &admin, "").await["ok"], true);

    tamper(&t, &tampering(&ids));
    let broken = first_broken(&ids);
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_broken_id"], broken, "{v}");
    let c = chain_of(&v, 4);
    assert_eq!(c["first_broken_id"], broken, "{v}");
    // Checked up to the break: the events the chain still has before it.
    let before = chain_ids(&t, 4).iter().filter(|id| **id < broken).count();
    assert_eq!(c["checked"].as_u64(), u64::try_from(before).ok(), "{c}");
    // The other chains still verify, each whole.
    let other = chain_of(&v, 11);
    assert!(other["first_broken_id"].is_null(), "{v}");
    assert_eq!(
        other["checked"].as_u64(),
        u64::try_from(chain_ids(&t, 11).len()).ok()
    );
    for c in v["chains"].as_array().cloned().unwrap_or_default() {
        if c["chain"] != 4 {
            assert!(c["first_broken_id"].is_null(), "{c}");
        }
    }
}

#[actix_web::test]
async fn an_edited_event_is_its_chains_first_broken_one_while_the_others_verify() {
    break_chain_4(
        |ids| {
            format!(
                "UPDATE audit_events SET after = jsonb_set(after, '{{name}}', '\"篡改\"') \
                 WHERE id = {}",
                ids[1]
            )
        },
        |ids| ids[1],
    )
    .await;
}

#[actix_web::test]
async fn an_event_deleted_from_the_middle_of_a_chain_is_reported() {
    // The event after it no longer links to its predecessor.
    break_chain_4(
        |ids| format!("DELETE FROM audit_events WHERE id = {}", ids[1]),
        |ids| ids[2],
    )
    .await;
}

#[actix_web::test]
async fn events_of_a_chain_swapped_are_reported() {
    // Each row keeps its own hash right; their order in the chain is wrong.
    break_chain_4(
        |ids| {
            format!(
                "UPDATE audit_events a SET occurred_at = b.occurred_at, \
                 actor_id = b.actor_id, actor_kind = b.actor_kind, action = b.action, \
                 entity_type = b.entity_type, entity_id = b.entity_id, \
                 org_path = b.org_path, before = b.before, after = b.after, \
                 request_id = b.request_id, prev_hash = b.prev_hash, hash = b.hash \
                 FROM audit_events b WHERE (a.id, b.id) IN (({x}, {y}), ({y}, {x}))",
                x = ids[1],
                y = ids[2]
            )
        },
        |ids| ids[1],
    )
    .await;
}

#[actix_web::test]
async fn a_chains_tail_cut_after_a_checkpoint_is_reported_as_its_truncation() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes_on(&app, &admin, 6, &["济南市人民政府", "青岛市人民政府"]).await;
    changes_on(&app, &admin, 13, &["淄博市人民政府", "枣庄市人民政府"]).await;
    let cp = checkpoint(&t.state).await;
    // Chain 13 goes on after the checkpoint.
    changes_on(&app, &admin, 13, &["烟台市人民政府"]).await;
    let head = head_of(&cp, 6);
    let ids = chain_ids(&t, 6);
    assert_eq!(head["event_id"].as_i64(), ids.last().copied());
    assert_eq!(head["events"].as_i64(), i64::try_from(ids.len()).ok());
    assert_eq!(verify(&app, &admin, "").await["ok"], true);

    // Chain 6's newest event is removed: what is left of it is intact.
    tamper(
        &t,
        &format!(
            "DELETE FROM audit_events WHERE chain = 6 AND id >= {}",
            head["event_id"]
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["first_broken_id"].is_null(), "{v}");
    assert!(v["first_bad_checkpoint_id"].is_null(), "{v}");
    assert_eq!(v["checkpoints_checked"], 0);
    let t6 = &v["truncated"];
    assert_eq!(t6["chain"], 6, "{v}");
    assert_eq!(t6["checkpoint_id"], cp["id"]);
    assert_eq!(t6["event_id"], head["event_id"]);
    assert_eq!(t6["events"], head["events"]);
    assert_eq!(
        t6["last_event_id"].as_i64(),
        ids.iter().rev().nth(1).copied()
    );
    assert_eq!(chain_of(&v, 6)["truncated"], *t6);
    assert!(chain_of(&v, 13)["truncated"].is_null(), "{v}");
    assert!(chain_of(&v, 6)["first_broken_id"].is_null());
}

/// A checkpoint taken by the code before the chains (v1: its row names the newest event, its
/// hash and the number of events, signed over the v1 message; no heads), when every event
/// was on what is now chain 0: it is checked against chain 0, and the checkpoints after it
/// count chain 0 on from it.
#[actix_web::test]
async fn a_checkpoint_taken_before_the_chains_still_verifies() {
    let t = TestApp::start().await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    changes_on(&app, &admin, 0, &["济南市人民政府", "青岛市人民政府"]).await;
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM audit_events WHERE chain <> 0"),
        vec![0]
    );
    let key = t
        .state
        .checkpoint_key
        .clone()
        .unwrap_or_else(|| panic!("the tests sign checkpoints"));
    let v1 = {
        let mut conn = t.state.conn().await.unwrap_or_else(|e| panic!("conn: {e}"));
        zhengwu_persistence::audit::take_v1_checkpoint(&mut conn, &key, chrono::Utc::now())
            .await
            .unwrap_or_else(|e| panic!("v1 checkpoint: {e}"))
            .unwrap_or_else(|| panic!("no v1 checkpoint"))
    };
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 1);

    // After the migration: chain 0 continues, other chains begin.
    changes_on(&app, &admin, 0, &["淄博市人民政府"]).await;
    changes_on(&app, &admin, 21, &["枣庄市人民政府"]).await;
    let v2 = checkpoint(&t.state).await;
    assert_eq!(
        head_of(&v2, 0)["events"].as_i64(),
        i64::try_from(chain_ids(&t, 0).len()).ok()
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoints_checked"], 2);
    let export = req(&app, Method::GET, "/api/v1/audit-checkpoints")
        .token(&admin)
        .send()
        .await;
    let items = export.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], v1.id);
    assert_eq!(items[0]["heads"], json!([]));
    assert_eq!(items[1]["heads"].as_array().map(Vec::len), Some(2));

    // A cut of chain 0 back to the v1 checkpoint's event is read from it.
    tamper(
        &t,
        &format!(
            "DELETE FROM audit_events WHERE chain = 0 AND id >= {}",
            v1.event_id
        ),
    );
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["truncated"]["chain"], 0, "{v}");
    assert_eq!(v["truncated"]["checkpoint_id"], v1.id);
    assert_eq!(v["truncated"]["event_id"], v1.event_id);
    assert_eq!(v["truncated"]["events"], v1.events);
}

/// While a transaction holds one chain's lock (as an append does until commit), a request
/// whose events go to another chain is served: audited writes of different requests no
/// longer wait for one lock. (Were they to wait, the request would run into the statement
/// timeout and fail.) The persistence crate's tests check the same in real transactions, and
/// that a second append to the held chain waits.
#[actix_web::test]
async fn a_request_on_one_chain_does_not_wait_for_another_chains_lock() {
    let t = TestApp::with_config(Arc::new(SystemClock), |c| {
        c.pool.statement_timeout = Duration::from_secs(3);
    })
    .await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let held = t.db.hold(&format!(
        "SELECT pg_advisory_xact_lock({})",
        chain_lock_key(3)
    ));
    changes_on(&app, &admin, 20, &["济南市人民政府"]).await;
    drop(held);
    assert_eq!(chain_ids(&t, 20).len(), 1);
    changes_on(&app, &admin, 3, &["青岛市人民政府"]).await;
    assert_eq!(verify(&app, &admin, "").await["ok"], true);
}

/// Requests queued on one chain's lock each read, once they hold it, the head the one
/// before them wrote: the chain stays one unbroken sequence. (An append sends its lock and
/// its read of the head together; the read must still see the previous holder's event.)
#[actix_web::test]
async fn appends_queued_on_one_chains_lock_each_follow_the_one_before() {
    // A connection for each request that waits, and one to spare.
    let t = TestApp::with_config(Arc::new(SystemClock), |c| c.pool.max_size = 8).await;
    let app = app!(t.state);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let before = chain_ids(&t, 7).len();
    let held = t.db.hold(&format!(
        "SELECT pg_advisory_xact_lock({})",
        chain_lock_key(7)
    ));
    let names: Vec<String> = (0..6).map(|i| format!("排队第{i}市人民政府")).collect();
    let sends = names.iter().map(|name| {
        let app = &app;
        let admin = admin.as_str();
        async move { changes_on(app, admin, 7, &[name.as_str()]).await }
    });
    let release = async {
        // Every request waits on the lock before the holder lets go.
        let waiting = format!(
            "SELECT count(*) AS n FROM pg_locks
              WHERE locktype = 'advisory' AND NOT granted AND objid::int8 = {}
                AND classid::int8 = {}
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            chain_lock_key(7) & 0xffff_ffff,
            chain_lock_key(7) >> 32
        );
        let mut polls = 0;
        while t.db.numbers(&waiting) != vec![6] {
            polls += 1;
            assert!(
                polls < 20_000,
                "the requests never all waited on the chain's lock"
            );
            actix_web::rt::task::yield_now().await;
        }
        drop(held);
    };
    futures_util::future::join(futures_util::future::join_all(sends), release).await;
    assert_eq!(chain_ids(&t, 7).len(), before + 6);
    let v = verify(&app, &admin, "").await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(chain_of(&v, 7)["first_broken_id"].is_null(), "{v}");
}
