//! A database failure in the middle of a check is an outage (503), never "there is no
//! such object" (404) or "your reference names nothing" (422).
//!
//! Each test holds a lock on the one table the check reads, from a connection of its own;
//! the application's query waits until its statement timeout cancels it, as a query does
//! when the database stops answering.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::{at, hall};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

/// Statements of the app give up after this long; what the tests hold lasts longer.
fn short_statements(c: &mut zhengwu_api::config::Config) {
    c.pool.statement_timeout = Duration::from_secs(2);
}

fn assert_outage(r: &Resp, what: &str) {
    assert_eq!(r.status, 503, "{what}: {:?}", r.body);
    assert_eq!(r.body["code"], "service.database_unavailable", "{what}");
}

#[actix_web::test]
async fn a_window_that_cannot_be_read_is_an_outage_not_a_missing_window() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_config(clock, short_statements).await;
    let app = app!(t);
    let h = hall(&app).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let body = json!({"matter_ids": [h.matter], "channel": "window", "window_id": h.window,
        "applicant": {"name": "王五", "applicant_type": "natural_person"},
        "materials": [{"name": "申请表"}]});
    let held = t.db.hold("LOCK TABLE windows IN ACCESS EXCLUSIVE MODE");
    let r = req(&app, Method::POST, "/api/v1/cases")
        .token(&clerk)
        .json(body.clone())
        .send()
        .await;
    drop(held);
    assert_outage(&r, "case at a window");
    assert_eq!(t.db.numbers("SELECT count(*) AS n FROM cases"), vec![0]);
    let r = req(&app, Method::POST, "/api/v1/cases")
        .token(&clerk)
        .json(body)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[actix_web::test]
async fn a_parent_category_that_cannot_be_read_is_an_outage() {
    let t = TestApp::with_config(Arc::new(zhengwu_api::clock::SystemClock), short_statements).await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
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
    let parent = cats.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let held =
        t.db.hold("LOCK TABLE disclosure_categories IN ACCESS EXCLUSIVE MODE");
    let r = req(
        &app,
        Method::POST,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            tree.county_a
        ),
    )
    .token(&admin)
    .json(json!({"code": "0199", "name": "区长信箱", "parent_id": parent}))
    .send()
    .await;
    drop(held);
    assert_outage(&r, "category below a parent");
}

#[actix_web::test]
async fn an_item_that_cannot_be_read_does_not_turn_a_staff_download_into_a_404() {
    let t = TestApp::with_config(Arc::new(zhengwu_api::clock::SystemClock), short_statements).await;
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
            "organization_id": tree.county_a, "category_id": category, "title": "招标公告",
            "summary": "招标公告的摘要", "content": "详见附件。", "formed_on": "2026-11-02",
            "channels": ["portal"]
        }))
        .send()
        .await;
    let body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n\
                附件\r\n--B--\r\n";
    let up = req(
        &app,
        Method::POST,
        &format!("/api/v1/disclosures/{}/attachments", item.id()),
    )
    .token(&officer)
    .raw("multipart/form-data; boundary=B", body)
    .send()
    .await;
    assert_eq!(up.status, 201, "{:?}", up.body);
    let url = up.body["url"].as_str().unwrap_or_default().to_owned();
    let held =
        t.db.hold("LOCK TABLE disclosure_items IN ACCESS EXCLUSIVE MODE");
    let r = req(&app, Method::GET, &url).token(&officer).send().await;
    drop(held);
    assert_outage(&r, "download of a draft's attachment");
    let r = req(&app, Method::GET, &url).token(&officer).send().await;
    assert_eq!(r.status, 200);
}
