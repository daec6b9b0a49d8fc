//! The audit chain.

use super::*;

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
    // On the chain of its request.
    let chain = zhengwu_persistence::audit::chain_for(b"req-audit-1");
    assert_eq!(items[0]["chain"], chain);
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
    let chains = v.body["chains"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        chains
            .iter()
            .filter_map(|c| c["checked"].as_u64())
            .sum::<u64>(),
        checked
    );
    assert!(chains.iter().any(|c| c["chain"] == chain));

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
    // Named as the first broken event of its chain; the other chains still verify.
    let victim_chain = items[1]["chain"].clone();
    for c in v.body["chains"].as_array().cloned().unwrap_or_default() {
        if c["chain"] == victim_chain {
            assert_eq!(c["first_broken_id"], victim, "{c}");
        } else {
            assert!(c["first_broken_id"].is_null(), "{c}");
        }
    }
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
