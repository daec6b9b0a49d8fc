//! A county service hall for journeys of cases: the 2025 holiday schedule, a window, two
//! published matters (审核 and 决定 take one working day each), staff and an applicant.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::*;

pub fn at(day: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+08:00"))
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

pub struct Hall {
    pub matter: String,
    pub second_matter: String,
    pub window: String,
    pub tree: Tree,
}

pub fn matter_body(org: &str, code: &str, name: &str, window: &str, fees: Value) -> Value {
    json!({
        "organization_id": org, "basic_code": "0000000100", "implementation_code": code,
        "name": name, "matter_type": "administrative_licensing",
        "implementer_nature": "statutory", "service_objects": ["legal_person", "natural_person"],
        "legal_basis": "《中华人民共和国建筑法》第七条", "conditions": "依法取得用地和规划许可。",
        "procedure": [{"name": "受理"}, {"name": "审核", "time_limit_days": 1}, {"name": "决定",
            "time_limit_days": 1}, {"name": "送达"}],
        "statutory_days": 15, "promised_days": 3, "case_kind": "promised", "max_visits": 1,
        "online_depth": "full_online", "fees": fees,
        "materials": [
            {"name": "申请表", "form": "original", "required": true},
            {"name": "施工合同", "form": "copy", "required": true}
        ],
        "window_ids": [window], "entered_hall": true
    })
}

/// A county with a hall, a window, two published matters, staff, an applicant and the
/// 2025 holiday schedule.
pub async fn hall<S, B>(app: &S) -> Hall
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let admin = login(app, ADMIN, ADMIN_PASSWORD).await;
    let holidays: Vec<String> = (1..=8).map(|n| format!("2025-10-0{n}")).collect();
    let r = req(app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .json(json!({"holidays": holidays, "adjusted_working_days": ["2025-09-28", "2025-10-11"]}))
        .send()
        .await;
    assert_eq!(r.status, 200);
    let tree = build_tree(app, &admin).await;
    for (name, role, org) in [
        ("admin.a", "org_admin", &tree.county_a),
        ("reviewer.a", "reviewer", &tree.county_a),
        ("clerk.a", "clerk", &tree.hall_a),
        ("clerk2.a", "clerk", &tree.hall_a),
        ("clerk.b", "clerk", &tree.dept_b),
    ] {
        create_user(app, &admin, name, role, org).await;
    }
    let r = req(app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "qiye", "password": PASSWORD, "display_name": "济南某某建设有限公司",
            "applicant_type": "legal_person", "legal_person_kind": "commercial_enterprise"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let org_admin = login(app, "admin.a", PASSWORD).await;
    let reviewer = login(app, "reviewer.a", PASSWORD).await;
    let window = req(
        app,
        Method::POST,
        &format!("/api/v1/halls/{}/windows", tree.hall_a),
    )
    .token(&org_admin)
    .json(json!({"number": "05", "name": "工程建设项目审批窗口"}))
    .send()
    .await
    .id();
    let mut ids = Vec::new();
    for (code, name, fees) in [
        ("M1", "建筑工程施工许可", json!([])),
        (
            "M2",
            "城镇污水排入排水管网许可",
            json!([{"name": "工本费", "standard_fen": 1000, "legal_basis": "鲁价费发〔2019〕1号"}]),
        ),
    ] {
        let body = matter_body(&tree.county_a, code, name, &window, fees);
        ids.push(publish_matter(app, &org_admin, &reviewer, body).await);
    }
    Hall {
        matter: ids[0].clone(),
        second_matter: ids[1].clone(),
        window,
        tree,
    }
}

/// Creates a service matter (an organisation administrator) and has it submitted and
/// published (a reviewer); returns its id.
pub async fn publish_matter<S, B>(app: &S, org_admin: &str, reviewer: &str, body: Value) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let id = req(app, Method::POST, "/api/v1/service-matters")
        .token(org_admin)
        .json(body)
        .send()
        .await
        .id();
    for (token, action) in [(org_admin, "submit"), (reviewer, "publish")] {
        let r = req(
            app,
            Method::POST,
            &format!("/api/v1/service-matters/{id}/{action}"),
        )
        .token(token)
        .send()
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    id
}

pub async fn act<S, B>(app: &S, token: &str, id: &str, action: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let done = req(app, Method::POST, &format!("/api/v1/cases/{id}/{action}"))
        .token(token)
        .json(body)
        .send()
        .await;
    if done.status == 200 {
        // What an action answers is the case as it is now shown, ETag included.
        let shown = req(app, Method::GET, &format!("/api/v1/cases/{id}"))
            .token(token)
            .send()
            .await;
        assert_eq!(
            done.body, shown.body,
            "{action}: the answer and the case as read"
        );
        assert_eq!(done.header("etag"), shown.header("etag"), "{action}: ETag");
    }
    done
}
