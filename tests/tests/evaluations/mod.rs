//! Evaluations (好差评), rectification of bad reviews (整改), appeals (申诉复核), statistics
//! and the public summary, on a fixed clock across the 2025 National Day holiday.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn at(day: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+08:00"))
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

struct Fixture {
    tree: Tree,
    matter: String,
    second_matter: String,
    classified_matter: String,
    clerk: String,
    clerk2: String,
}

fn matter_body(org: &str, code: &str, name: &str, window: &str, classified: bool) -> Value {
    json!({
        "organization_id": org, "basic_code": "0000000100", "implementation_code": code,
        "name": name, "matter_type": "administrative_licensing",
        "implementer_nature": "statutory", "service_objects": ["legal_person", "natural_person"],
        "legal_basis": "《中华人民共和国建筑法》第七条", "conditions": "依法取得用地和规划许可。",
        "procedure": [{"name": "受理"}, {"name": "审核"}, {"name": "决定"}, {"name": "送达"}],
        "statutory_days": 15, "promised_days": 3, "case_kind": "promised", "max_visits": 1,
        "online_depth": "full_online", "fees": [],
        "materials": [{"name": "申请表", "form": "original", "required": true}],
        "window_ids": [window], "entered_hall": true, "classified": classified
    })
}

/// County A with a hall, a window and three published matters (one classified); staff of
/// both counties, supervisors of the city and of county B, two applicants, and the 2025
/// holiday schedule (1–8 Oct rest, 28 Sep and 11 Oct adjusted working days).
async fn fixture<S, B>(app: &S) -> Fixture
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
    let mut ids = Vec::new();
    for (name, role, org) in [
        ("admin.a", "org_admin", &tree.county_a),
        ("reviewer.a", "reviewer", &tree.county_a),
        ("clerk.a", "clerk", &tree.hall_a),
        ("clerk2.a", "clerk", &tree.hall_a),
        ("clerk.b", "clerk", &tree.dept_b),
        ("sup.city", "supervisor", &tree.city),
        ("sup.b", "supervisor", &tree.county_b),
    ] {
        ids.push(create_user(app, &admin, name, role, org).await);
    }
    for (username, name) in [
        ("qiye", "济南某某建设有限公司"),
        ("other", "济南另一家公司"),
    ] {
        let r = req(app, Method::POST, "/api/v1/auth/register")
            .json(
                json!({"username": username, "password": PASSWORD, "display_name": name,
                "applicant_type": "legal_person", "legal_person_kind": "commercial_enterprise"}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201);
    }
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
    let mut matters = Vec::new();
    for (code, name, classified) in [
        ("M1", "建筑工程施工许可", false),
        ("M2", "城镇污水排入排水管网许可", false),
        ("M3", "涉密建设项目审查", true),
    ] {
        let id = req(app, Method::POST, "/api/v1/service-matters")
            .token(&org_admin)
            .json(matter_body(&tree.county_a, code, name, &window, classified))
            .send()
            .await
            .id();
        for (token, action) in [(&org_admin, "submit"), (&reviewer, "publish")] {
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
        matters.push(id);
    }
    Fixture {
        tree,
        matter: matters[0].clone(),
        second_matter: matters[1].clone(),
        classified_matter: matters[2].clone(),
        clerk: ids[2].clone(),
        clerk2: ids[3].clone(),
    }
}

async fn post<S, B>(app: &S, token: &str, path: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::POST, path)
        .token(token)
        .json(body)
        .send()
        .await
}

async fn get<S, B>(app: &S, token: &str, path: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::GET, path).token(token).send().await
}

/// A case of `applicant` for `matter`, accepted, assigned to `assignee` (if any) and decided.
async fn decided_case<S, B>(
    app: &S,
    applicant: &str,
    matter: &str,
    assignee: Option<&str>,
) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let applicant = login(app, applicant, PASSWORD).await;
    let c = post(
        app,
        &applicant,
        "/api/v1/cases",
        json!({"matter_ids": [matter], "channel": "web", "materials": [{"name": "申请表"}]}),
    )
    .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let id = c.id();
    let clerk = login(app, "clerk.a", PASSWORD).await;
    let reviewer = login(app, "reviewer.a", PASSWORD).await;
    let a = post(
        app,
        &clerk,
        &format!("/api/v1/cases/{id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    if let Some(who) = assignee {
        let r = post(
            app,
            &clerk,
            &format!("/api/v1/cases/{id}/assign"),
            json!({"assignee_id": who}),
        )
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let d = post(
        app,
        &reviewer,
        &format!("/api/v1/cases/{id}/decide"),
        json!({"decision": "approved", "result_number": format!("历下建施〔2025〕{}号", &id[..8])}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    id
}

async fn evaluate<S, B>(app: &S, applicant: &str, case: &str, level: &str, text: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let token = login(app, applicant, PASSWORD).await;
    post(
        app,
        &token,
        &format!("/api/v1/cases/{case}/evaluation"),
        json!({"level": level, "channel": "mobile", "text": text}),
    )
    .await
}

fn rect_id(r: &Resp) -> String {
    r.body["rectification"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn only_the_applicant_evaluates_a_decided_case_once() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let c = post(
        &app,
        &applicant,
        "/api/v1/cases",
        json!({"matter_ids": [f.matter], "channel": "web", "materials": [{"name": "申请表"}]}),
    )
    .await;
    let id = c.id();
    let path = format!("/api/v1/cases/{id}/evaluation");
    let good = json!({"level": "very_satisfied", "channel": "mobile", "text": "一次办好"});

    // Not before the decision.
    let early = post(&app, &applicant, &path, good.clone()).await;
    assert_eq!(early.status, 409, "{:?}", early.body);
    assert_eq!(early.body["code"], "evaluation.case_not_decided");
    assert_eq!(early.body["context"]["state"], "submitted");

    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    post(
        &app,
        &clerk,
        &format!("/api/v1/cases/{id}/accept"),
        json!({}),
    )
    .await;
    let early = post(&app, &applicant, &path, good.clone()).await;
    assert_eq!(early.body["context"]["state"], "accepted");
    let d = post(
        &app,
        &reviewer,
        &format!("/api/v1/cases/{id}/decide"),
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0001号"}),
    )
    .await;
    assert_eq!(d.status, 200);

    // Staff cannot evaluate; another applicant is told nothing exists.
    let staff = post(&app, &clerk, &path, good.clone()).await;
    assert_eq!(staff.status, 403);
    let other = login(&app, "other", PASSWORD).await;
    let stranger = post(&app, &other, &path, good.clone()).await;
    assert_eq!(stranger.status, 404);
    assert_eq!(
        get(&app, &other, &path).await.status,
        404,
        "another applicant cannot read it either"
    );
    assert_eq!(
        get(&app, &applicant, &path).await.status,
        404,
        "not evaluated yet"
    );

    // Validation names the field.
    let no_text = post(
        &app,
        &applicant,
        &path,
        json!({"level": "dissatisfied", "channel": "pc"}),
    )
    .await;
    assert_eq!(no_text.status, 422);
    assert_eq!(no_text.pointers(), vec!["/text"]);
    assert_eq!(
        no_text.body["errors"][0]["code"],
        "evaluation.text_required"
    );
    let long = post(
        &app,
        &applicant,
        &path,
        json!({"level": "satisfied", "channel": "pc", "text": "好".repeat(501)}),
    )
    .await;
    assert_eq!(long.pointers(), vec!["/text"]);
    let level = post(
        &app,
        &applicant,
        &path,
        json!({"level": "great", "channel": "pc"}),
    )
    .await;
    assert_eq!(level.status, 422);
    assert_eq!(level.pointers(), vec!["/level"]);
    let channel = post(
        &app,
        &applicant,
        &path,
        json!({"level": "satisfied", "channel": "fax"}),
    )
    .await;
    assert_eq!(channel.pointers(), vec!["/channel"]);

    // Once, retry-safe.
    let first = req(&app, Method::POST, &path)
        .token(&applicant)
        .header("Idempotency-Key", "eval-1")
        .json(good.clone())
        .send()
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(first.body["level"], "very_satisfied");
    assert_eq!(first.body["bad"], false);
    assert_eq!(first.body["organization_id"], f.tree.county_a.as_str());
    assert!(first.body["window_id"].is_string());
    assert!(first.body["rectification"].is_null());
    let replay = req(&app, Method::POST, &path)
        .token(&applicant)
        .header("Idempotency-Key", "eval-1")
        .json(good.clone())
        .send()
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(replay.id(), first.id());
    let second = post(&app, &applicant, &path, good.clone()).await;
    assert_eq!(second.status, 409);
    assert_eq!(second.body["code"], "evaluation.already_given");

    // Read back by the applicant and by staff who see the case; not by another county.
    let mine = get(&app, &applicant, &path).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.body["text"], "一次办好");
    let staff_view = get(
        &app,
        &reviewer,
        &format!("/api/v1/evaluations/{}", first.id()),
    )
    .await;
    assert_eq!(staff_view.status, 200);
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    assert_eq!(get(&app, &clerk_b, &path).await.status, 404);
    assert_eq!(
        get(
            &app,
            &clerk_b,
            &format!("/api/v1/evaluations/{}", first.id())
        )
        .await
        .status,
        404
    );
    // The case's trail records it.
    let timeline = get(&app, &applicant, &format!("/api/v1/cases/{id}/timeline")).await;
    let last = timeline.body["entries"]
        .as_array()
        .and_then(|a| a.last().cloned())
        .unwrap_or_default();
    assert_eq!(last["action"], "evaluate");

    // A parallel-approval project is evaluated through its sub-cases.
    let p = post(
        &app,
        &applicant,
        "/api/v1/cases",
        json!({"matter_ids": [f.matter, f.second_matter], "channel": "web",
            "project_name": "历下区某安置房项目"}),
    )
    .await;
    assert_eq!(p.status, 201);
    let project = p.id();
    let subs: Vec<String> = p.body["sub_cases"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for (i, s) in subs.iter().enumerate() {
        post(
            &app,
            &clerk,
            &format!("/api/v1/cases/{s}/accept"),
            json!({}),
        )
        .await;
        let d = post(
            &app,
            &reviewer,
            &format!("/api/v1/cases/{s}/decide"),
            json!({"decision": "approved", "result_number": format!("历下并联〔2025〕{i}号")}),
        )
        .await;
        assert_eq!(d.status, 200);
    }
    let container = post(
        &app,
        &applicant,
        &format!("/api/v1/cases/{project}/evaluation"),
        good.clone(),
    )
    .await;
    assert_eq!(container.status, 409);
    assert_eq!(container.body["code"], "evaluation.project_container");
    let part = post(
        &app,
        &applicant,
        &format!("/api/v1/cases/{}/evaluation", subs[0]),
        good.clone(),
    )
    .await;
    assert_eq!(part.status, 201, "{:?}", part.body);
}

mod rectifications;
mod statistics;
