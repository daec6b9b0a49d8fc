//! The demo city (`zhengwu demo`) as a test fixture: organisations, staff of every role,
//! published matters with windows, disclosure items, cases, tickets, orders and a
//! rectification, with its people signed in. For tests that go through many resources.

use std::collections::HashMap;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::*;

/// The accounts of the demo that the tests act as, signed in.
pub const USERS: &[&str] = &[
    "city.admin",
    "city.disclosure",
    "city.reviewer",
    "city.supervisor",
    "city.clerk.a",
    "lixia.admin",
    "lixia.disclosure",
    "city.hotline",
    "zhang.san",
];

pub struct World {
    tokens: HashMap<&'static str, String>,
    pub admin: String,
}

/// A query on the test database returning one `text` column `t`, for ids of the demo.
pub fn one(t: &TestApp, sql: &str) -> String {
    t.db.texts(sql)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no row: {sql}"))
}

/// The id of a demo organisation by name.
pub fn org(t: &TestApp, name: &str) -> String {
    one(
        t,
        &format!("SELECT id::text AS t FROM organizations WHERE name = '{name}'"),
    )
}

/// The id of an account by login name.
pub fn user(t: &TestApp, username: &str) -> String {
    one(
        t,
        &format!("SELECT id::text AS t FROM users WHERE username = '{username}'"),
    )
}

impl World {
    /// Loads the demo data into the test's database and signs everyone in.
    pub async fn load<S, B>(t: &TestApp, app: &S) -> World
    where
        S: actix_web::dev::Service<
                actix_http::Request,
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
            >,
        B: actix_web::body::MessageBody,
    {
        zhengwu_api::demo::load(&t.state.config)
            .await
            .unwrap_or_else(|e| panic!("demo: {e}"));
        let mut tokens = HashMap::new();
        for u in USERS {
            tokens.insert(*u, login(app, u, zhengwu_api::demo::DEMO_PASSWORD).await);
        }
        World {
            tokens,
            admin: login(app, ADMIN, ADMIN_PASSWORD).await,
        }
    }

    /// The access token of a demo account (see [`USERS`]).
    pub fn token(&self, username: &str) -> &str {
        self.tokens
            .get(username)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{username} is not signed in"))
    }
}

/// The matter 建筑工程施工许可 at the city hall's window A01 (staffed by `city.clerk.a`):
/// `(matter id, window id, its required materials as a case's `materials`)`.
pub fn building_permit(t: &TestApp) -> (String, String, Value) {
    let matter = one(
        t,
        "SELECT matter_id::text AS t FROM service_matter_versions WHERE name = '建筑工程施工许可'",
    );
    let window = one(
        t,
        "SELECT w.id::text AS t FROM windows w JOIN organizations o ON o.id = w.hall_id \
         WHERE o.name = '济南市政务服务中心' AND w.number = 'A01'",
    );
    let materials = json!([
        {"name": "建筑工程施工许可证申请表"},
        {"name": "建设工程规划许可证"},
        {"name": "施工合同"}
    ]);
    (matter, window, materials)
}

/// A case of 建筑工程施工许可 taken in at window A01 by `city.clerk.a`; its id.
pub async fn window_case<S, B>(t: &TestApp, app: &S, w: &World) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let (matter, window, materials) = building_permit(t);
    let r = req(app, Method::POST, "/api/v1/cases")
        .token(w.token("city.clerk.a"))
        .json(
            json!({"matter_ids": [matter], "channel": "window", "window_id": window,
            "applicant": {"name": "济南某某建设有限公司", "applicant_type": "legal_person"},
            "materials": materials}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "case at a window: {:?}", r.body);
    r.id()
}

/// A disclosure draft of the city by `city.disclosure`; its id.
pub async fn draft_item<S, B>(t: &TestApp, app: &S, w: &World, title: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let city = org(t, "济南市人民政府");
    let category = one(
        t,
        &format!(
            "SELECT id::text AS t FROM disclosure_categories \
             WHERE organization_id = '{city}' AND code = '03'"
        ),
    );
    let r = req(app, Method::POST, "/api/v1/disclosures")
        .token(w.token("city.disclosure"))
        .json(json!({
            "organization_id": city, "category_id": category, "title": title,
            "summary": format!("{title}的摘要"), "content": "全文见附件。",
            "formed_on": "2025-03-02", "channels": ["portal"]
        }))
        .send()
        .await;
    assert_eq!(r.status, 201, "draft: {:?}", r.body);
    r.id()
}

/// A 12345 ticket taken by `city.hotline` at the city's centre; its id.
pub async fn ticket<S, B>(t: &TestApp, app: &S, w: &World, subject: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/hotline/tickets")
        .token(w.token("city.hotline"))
        .json(
            json!({"center_id": org(t, "济南市人民政府"), "channel": "phone",
            "kind": "help", "subject": subject, "description": format!("{subject}，请尽快处理。"),
            "caller_name": "王先生", "caller_contact": {"phone": "13912345678"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "ticket: {:?}", r.body);
    r.id()
}

/// POSTs `body` to `path` with `token`, asserting 200; the answer.
pub async fn post_ok<S, B>(app: &S, token: &str, path: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(app, Method::POST, path)
        .token(token)
        .json(body)
        .send()
        .await;
    assert_eq!(r.status, 200, "POST {path}: {:?}", r.body);
    r
}
