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

mod accounts;
mod audit;
mod deadlines;
mod http;
mod languages;
