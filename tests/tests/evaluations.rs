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

#[actix_web::test]
async fn a_bad_review_is_rectified_step_by_step_with_a_due_date_across_the_holiday() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;

    // Reviewed badly on Tue 30 Sep: 5 working days skip 1–8 Oct and Sun 12 Oct
    // (Sat 11 Oct is an adjusted working day): 9, 10, 11, 13, 14 Oct.
    clock.set(at("2025-09-30"));
    let bad = evaluate(
        &app,
        "qiye",
        &case,
        "dissatisfied",
        "窗口未一次性告知所需材料，跑了三次",
    )
    .await;
    assert_eq!(bad.status, 201, "{:?}", bad.body);
    assert_eq!(bad.body["bad"], true);
    assert_eq!(bad.body["staff_id"], f.clerk.as_str());
    assert_eq!(bad.body["rectification"]["state"], "open");
    assert_eq!(bad.body["rectification"]["due_date"], "2025-10-14");
    let rid = rect_id(&bad);
    let base = format!("/api/v1/rectifications/{rid}");

    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let applicant = login(&app, "qiye", PASSWORD).await;

    // The rectification feeds supervision: yellow with a working day left, red after.
    for (as_of, level) in [("2025-10-13", "yellow"), ("2025-10-15", "red")] {
        let a = get(
            &app,
            &sup,
            &format!("/api/v1/supervision/alerts?as_of={as_of}&kind=rectification"),
        )
        .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["items"][0]["level"], level, "{as_of}");
        assert_eq!(a.body["items"][0]["rule_id"], "JC-A06");
        assert_eq!(a.body["items"][0]["responsible_id"], f.clerk.as_str());
    }

    let r = get(&app, &reviewer, &base).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "open");
    assert_eq!(r.body["opened_on"], "2025-09-30");
    assert_eq!(r.body["due_date"], "2025-10-14");
    assert_eq!(r.body["responsible_id"], f.clerk.as_str());
    assert_eq!(r.body["evaluation_level"], "dissatisfied");
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(get(&app, &clerk_b, &base).await.status, 404);
    assert_eq!(get(&app, &applicant, &base).await.status, 404);
    let listed = get(&app, &reviewer, "/api/v1/rectifications?state=open").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    let none = get(&app, &reviewer, "/api/v1/rectifications?state=closed").await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        get(&app, &clerk_b, "/api/v1/rectifications").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "another county's clerk sees none"
    );

    // Illegal transitions from open.
    for (action, body) in [
        ("rectify", json!({"measures": "整改"})),
        ("explain", json!({"explanation": "说明"})),
        ("callback", json!({"satisfied": true, "note": "回访"})),
    ] {
        let r = post(&app, &reviewer, &format!("{base}/{action}"), body).await;
        assert_eq!(r.status, 409, "{action}: {:?}", r.body);
        assert_eq!(r.body["code"], "rectification.illegal_transition");
        assert_eq!(r.body["context"]["state"], "open");
        assert_eq!(r.body["context"]["action"], action);
    }
    let close_open = post(&app, &org_admin, &format!("{base}/close"), json!({})).await;
    assert_eq!(close_open.status, 409);

    // Verify: the department's staff, with findings, on the current version.
    let empty = post(
        &app,
        &reviewer,
        &format!("{base}/verify"),
        json!({"findings": " "}),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.pointers(), vec!["/findings"]);
    let missing = post(&app, &reviewer, &format!("{base}/verify"), json!({})).await;
    assert_eq!(missing.pointers(), vec!["/findings"]);
    let findings = json!({"findings": "经调取窗口录像核实，情况属实。"});
    assert_eq!(
        post(&app, &sup, &format!("{base}/verify"), findings.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        post(&app, &clerk_b, &format!("{base}/verify"), findings.clone())
            .await
            .status,
        404
    );
    let stale = req(&app, Method::POST, &format!("{base}/verify"))
        .token(&reviewer)
        .header("If-Match", "\"7\"")
        .json(findings.clone())
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let v = req(&app, Method::POST, &format!("{base}/verify"))
        .token(&reviewer)
        .header("If-Match", "\"1\"")
        .json(findings.clone())
        .send()
        .await;
    assert_eq!(v.status, 200, "{:?}", v.body);
    assert_eq!(v.body["state"], "verified");
    assert_eq!(v.body["findings"], "经调取窗口录像核实，情况属实。");
    assert_eq!(v.header("etag").as_deref(), Some("\"2\""));
    let again = post(&app, &reviewer, &format!("{base}/verify"), findings).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["context"]["state"], "verified");

    // Rectify (not explain as well), call back, close.
    let m = post(
        &app,
        &org_admin,
        &format!("{base}/rectify"),
        json!({"measures": "对窗口人员批评教育，修订一次性告知清单。"}),
    )
    .await;
    assert_eq!(m.status, 200, "{:?}", m.body);
    assert_eq!(m.body["state"], "rectified");
    let explain = post(
        &app,
        &org_admin,
        &format!("{base}/explain"),
        json!({"explanation": "说明"}),
    )
    .await;
    assert_eq!(explain.status, 409);
    let no_note = post(
        &app,
        &clerk,
        &format!("{base}/callback"),
        json!({"satisfied": true}),
    )
    .await;
    assert_eq!(no_note.pointers(), vec!["/note"]);
    // The hall's clerk is outside county A's scope.
    let outside = post(
        &app,
        &clerk,
        &format!("{base}/callback"),
        json!({"satisfied": true, "note": "电话回访，表示满意"}),
    )
    .await;
    assert_eq!(outside.status, 404);
    let cb = post(
        &app,
        &reviewer,
        &format!("{base}/callback"),
        json!({"satisfied": true, "note": "电话回访，表示满意"}),
    )
    .await;
    assert_eq!(cb.status, 200, "{:?}", cb.body);
    assert_eq!(cb.body["state"], "called_back");
    assert_eq!(cb.body["callback_satisfied"], true);
    assert_eq!(
        post(&app, &reviewer, &format!("{base}/close"), json!({}))
            .await
            .status,
        403,
        "reviewers do not close"
    );
    clock.set(at("2025-10-10"));
    let sup = login(&app, "sup.city", PASSWORD).await;
    let closed = post(
        &app,
        &sup,
        &format!("{base}/close"),
        json!({"note": "整改到位"}),
    )
    .await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["state"], "closed");
    assert!(closed.body["closed_at"].is_string());
    assert_eq!(closed.body["version"], 5);
    let close_again = post(&app, &sup, &format!("{base}/close"), json!({})).await;
    assert_eq!(close_again.status, 409);
    assert_eq!(close_again.body["context"]["state"], "closed");

    // No appeal once the rectification is closed.
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let late = post(
        &app,
        &org_admin,
        &format!("/api/v1/evaluations/{}/appeal", bad.id()),
        json!({"reason": "误评"}),
    )
    .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["code"], "appeal.rectification_ended");

    // The applicant sees the outcome on the evaluation; every change is in the audit log.
    let applicant = login(&app, "qiye", PASSWORD).await;
    let e = get(
        &app,
        &applicant,
        &format!("/api/v1/cases/{case}/evaluation"),
    )
    .await;
    assert_eq!(e.body["rectification"]["state"], "closed");
    assert!(e.body["appeal"].is_null());
    let audit = get(
        &app,
        &sup,
        &format!("/api/v1/audit-events?entity_type=rectification&entity_id={rid}"),
    )
    .await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let mut actions: Vec<String> = audit.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            "rectification.callback",
            "rectification.close",
            "rectification.open",
            "rectification.rectify",
            "rectification.verify"
        ]
    );
}

#[actix_web::test]
async fn an_explained_review_and_appeals_upheld_or_rejected() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let good_case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let malicious_case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let fair_case = decided_case(&app, "other", &f.matter, Some(&f.clerk2)).await;
    let good = evaluate(&app, "qiye", &good_case, "satisfied", "").await;
    assert_eq!(good.status, 201);
    assert!(good.body["text"].is_null(), "blank text is no text");
    let malicious = evaluate(
        &app,
        "qiye",
        &malicious_case,
        "very_dissatisfied",
        "乱七八糟",
    )
    .await;
    let fair = evaluate(
        &app,
        "other",
        &fair_case,
        "dissatisfied",
        "不予许可，不满意",
    )
    .await;
    let stats = |token: String| {
        let app = &app;
        async move {
            get(
                app,
                &token,
                "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=org",
            )
            .await
        }
    };
    let sup = login(&app, "sup.city", PASSWORD).await;
    let before = stats(sup.clone()).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    assert_eq!(before.body["total"]["evaluations"], 3);
    assert_eq!(before.body["total"]["bad_reviews"], 2);

    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let appeal_path = |e: &Resp| format!("/api/v1/evaluations/{}/appeal", e.id());
    let reason = json!({"reason": "评价内容与所办事项无关，系恶意差评。"});

    // Who may appeal, and what.
    assert_eq!(
        post(&app, &sup, &appeal_path(&malicious), reason.clone())
            .await
            .status,
        403,
        "supervisors do not appeal"
    );
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        post(&app, &clerk, &appeal_path(&malicious), reason.clone())
            .await
            .status,
        403,
        "the clerk evaluated does not appeal"
    );
    let not_bad = post(&app, &org_admin, &appeal_path(&good), reason.clone()).await;
    assert_eq!(not_bad.status, 409);
    assert_eq!(not_bad.body["code"], "appeal.not_a_bad_review");
    let empty = post(
        &app,
        &org_admin,
        &appeal_path(&malicious),
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(empty.pointers(), vec!["/reason"]);
    let appealed = req(&app, Method::POST, &appeal_path(&malicious))
        .token(&org_admin)
        .header("If-Match", "\"1\"")
        .json(reason.clone())
        .send()
        .await;
    assert_eq!(appealed.status, 200, "{:?}", appealed.body);
    assert_eq!(appealed.body["appeal"]["state"], "pending");
    assert_eq!(appealed.body["version"], 2);
    let twice = post(&app, &reviewer, &appeal_path(&malicious), reason.clone()).await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.body["code"], "appeal.already_made");
    // The applicant does not see the appeal.
    let qiye = login(&app, "qiye", PASSWORD).await;
    let seen = get(
        &app,
        &qiye,
        &format!("/api/v1/cases/{malicious_case}/evaluation"),
    )
    .await;
    assert!(seen.body["appeal"].is_null());

    // Who decides.
    let decision = |e: &Resp| format!("/api/v1/evaluations/{}/appeal/decision", e.id());
    let upheld = json!({"upheld": true, "reason": "经复核，评价内容与所办事项无关，申诉成立。"});
    assert_eq!(
        post(&app, &org_admin, &decision(&malicious), upheld.clone())
            .await
            .status,
        403,
        "departments do not decide"
    );
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    assert_eq!(
        post(&app, &sup_b, &decision(&malicious), upheld.clone())
            .await
            .status,
        404,
        "a supervisor outside the scope"
    );
    let no_appeal = post(&app, &sup, &decision(&fair), upheld.clone()).await;
    assert_eq!(no_appeal.status, 409);
    assert_eq!(no_appeal.body["code"], "appeal.none");
    let no_reason = post(&app, &sup, &decision(&malicious), json!({"upheld": true})).await;
    assert_eq!(no_reason.pointers(), vec!["/reason"]);
    let d = post(&app, &sup, &decision(&malicious), upheld.clone()).await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["annulled"], true);
    assert_eq!(d.body["appeal"]["state"], "upheld");
    assert_eq!(d.body["rectification"]["state"], "annulled");
    let again = post(&app, &sup, &decision(&malicious), upheld.clone()).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "appeal.already_decided");
    let annulled_rect = format!("/api/v1/rectifications/{}", rect_id(&malicious));
    let verify_annulled = post(
        &app,
        &reviewer,
        &format!("{annulled_rect}/verify"),
        json!({"findings": "x"}),
    )
    .await;
    assert_eq!(verify_annulled.status, 409);
    assert_eq!(verify_annulled.body["context"]["state"], "annulled");

    // The annulled review leaves the statistics.
    let after = stats(sup.clone()).await;
    assert_eq!(after.body["total"]["evaluations"], 2);
    assert_eq!(after.body["total"]["bad_reviews"], 1);
    assert_eq!(after.body["total"]["annulled"], 1);
    assert_eq!(after.body["total"]["by_level"]["very_dissatisfied"], 0);

    // A rejected appeal: the rectification goes on, explained (not the department's fault),
    // and cannot close while the appeal is pending.
    let fair_rect = format!("/api/v1/rectifications/{}", rect_id(&fair));
    let v = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/verify"),
        json!({"findings": "申请不符合法定条件，依法不予许可。"}),
    )
    .await;
    assert_eq!(v.status, 200);
    let appealed = post(&app, &reviewer, &appeal_path(&fair), reason.clone()).await;
    assert_eq!(appealed.status, 200, "{:?}", appealed.body);
    let x = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/explain"),
        json!({"explanation": "依法不予许可，已向申请人解释政策依据。"}),
    )
    .await;
    assert_eq!(x.status, 200, "{:?}", x.body);
    assert_eq!(x.body["state"], "explained");
    assert_eq!(
        post(
            &app,
            &reviewer,
            &format!("{fair_rect}/rectify"),
            json!({"measures": "x"})
        )
        .await
        .status,
        409
    );
    let cb = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/callback"),
        json!({"satisfied": false, "note": "申请人仍不认可"}),
    )
    .await;
    assert_eq!(cb.body["state"], "called_back");
    assert_eq!(cb.body["callback_satisfied"], false);
    let pending = post(&app, &org_admin, &format!("{fair_rect}/close"), json!({})).await;
    assert_eq!(pending.status, 409);
    assert_eq!(pending.body["code"], "rectification.appeal_pending");
    let rejected = post(
        &app,
        &sup,
        &decision(&fair),
        json!({"upheld": false, "reason": "评价反映的情况属实，申诉不成立。"}),
    )
    .await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["annulled"], false);
    assert_eq!(rejected.body["appeal"]["state"], "rejected");
    assert_eq!(rejected.body["rectification"]["state"], "called_back");
    let closed = post(&app, &org_admin, &format!("{fair_rect}/close"), json!({})).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let last = stats(sup).await;
    assert_eq!(last.body["total"]["evaluations"], 2);
    assert_eq!(last.body["total"]["rectification_rate"], 1.0);
    assert_eq!(last.body["total"]["callback_rate"], 1.0);
}

#[actix_web::test]
async fn statistics_and_the_public_summary_computed_by_hand() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    // clerk.a: A very satisfied, C basically satisfied, D dissatisfied (rectified).
    // clerk2.a: B satisfied, E very dissatisfied (explained, called back), F dissatisfied
    // (appeal upheld: annulled). G: a classified case, very dissatisfied, unassigned.
    let plan: [(&str, &str, &str, &str); 7] = [
        ("A", "very_satisfied", "", &f.clerk),
        ("B", "satisfied", "", &f.clerk2),
        ("C", "basically_satisfied", "还行", &f.clerk),
        ("D", "dissatisfied", "等了很久", &f.clerk),
        ("E", "very_dissatisfied", "态度差", &f.clerk2),
        ("F", "dissatisfied", "恶意差评", &f.clerk2),
        ("G", "very_dissatisfied", "涉密事项评价", ""),
    ];
    let mut made = Vec::new();
    for (key, level, text, staff) in plan {
        let matter = if key == "G" {
            &f.classified_matter
        } else {
            &f.matter
        };
        let assignee = (!staff.is_empty()).then_some(staff);
        let case = decided_case(&app, "qiye", matter, assignee).await;
        let e = evaluate(&app, "qiye", &case, level, text).await;
        assert_eq!(e.status, 201, "{key}: {:?}", e.body);
        made.push((key, e));
    }
    let find = |k: &str| made.iter().find(|(key, _)| *key == k).map(|(_, e)| e);
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let step = |e: Option<&Resp>, action: &'static str, body: Value| {
        let path = format!(
            "/api/v1/rectifications/{}/{action}",
            e.map(rect_id).unwrap_or_default()
        );
        let (app, token) = (&app, reviewer.clone());
        async move {
            let r = post(app, &token, &path, body).await;
            assert_eq!(r.status, 200, "{path}: {:?}", r.body);
        }
    };
    step(find("D"), "verify", json!({"findings": "属实"})).await;
    step(find("D"), "rectify", json!({"measures": "优化流程"})).await;
    step(find("E"), "verify", json!({"findings": "不属实"})).await;
    step(find("E"), "explain", json!({"explanation": "依法办理"})).await;
    step(
        find("E"),
        "callback",
        json!({"satisfied": true, "note": "认可"}),
    )
    .await;
    let f_id = find("F").map(Resp::id).unwrap_or_default();
    let a = post(
        &app,
        &org_admin,
        &format!("/api/v1/evaluations/{f_id}/appeal"),
        json!({"reason": "误评"}),
    )
    .await;
    assert_eq!(a.status, 200);
    let d = post(
        &app,
        &sup,
        &format!("/api/v1/evaluations/{f_id}/appeal/decision"),
        json!({"upheld": true, "reason": "申诉成立"}),
    )
    .await;
    assert_eq!(d.status, 200);

    let stats = |group_by: &'static str| {
        let (app, token) = (&app, sup.clone());
        async move {
            let r = get(
                app,
                &token,
                &format!(
                    "/api/v1/statistics/evaluations?from=2025-09-29&to=2025-09-29\
                     &group_by={group_by}"
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    // Staff statistics count the classified case: 6 valid, 1 annulled.
    let by_org = stats("org").await;
    let total = &by_org["total"];
    assert_eq!(total["evaluations"], 6);
    assert_eq!(
        total["by_level"],
        json!({"very_satisfied": 1, "satisfied": 1, "basically_satisfied": 1,
            "dissatisfied": 1, "very_dissatisfied": 2})
    );
    assert_eq!(total["satisfaction_rate"], 0.5);
    assert_eq!(total["bad_reviews"], 3);
    assert_eq!(total["rectified"], 2);
    assert_eq!(total["rectification_rate"], 2.0 / 3.0);
    assert_eq!(total["called_back"], 1);
    assert_eq!(total["callback_rate"], 1.0 / 3.0);
    assert_eq!(total["annulled"], 1);
    assert_eq!(by_org["groups"][0]["label"], "历下区人民政府");
    assert_eq!(by_org["groups"][0]["key"], f.tree.county_a.as_str());

    let by_staff = stats("staff").await;
    let group = |body: &Value, label: &str| {
        body["groups"]
            .as_array()
            .and_then(|g| g.iter().find(|x| x["label"] == label).cloned())
            .unwrap_or_default()
    };
    let a = group(&by_staff, "clerk.a");
    assert_eq!(a["evaluations"], 3);
    assert_eq!(a["satisfaction_rate"], 2.0 / 3.0);
    assert_eq!(a["bad_reviews"], 1);
    assert_eq!(a["rectification_rate"], 1.0);
    assert_eq!(a["callback_rate"], 0.0);
    let b = group(&by_staff, "clerk2.a");
    assert_eq!(b["evaluations"], 2);
    assert_eq!(b["annulled"], 1);
    assert_eq!(b["satisfaction_rate"], 0.5);
    assert_eq!(b["callback_rate"], 1.0);
    let nobody = group(&by_staff, "（无）");
    assert_eq!(nobody["evaluations"], 1);
    assert!(nobody["rectification_rate"] == 0.0);

    let by_hall = stats("hall").await;
    assert_eq!(by_hall["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_hall["groups"][0]["label"], "历下区政务服务中心");
    let by_window = stats("window").await;
    assert_eq!(by_window["groups"][0]["label"], "05 工程建设项目审批窗口");
    assert_eq!(by_window["groups"][0]["evaluations"], 6);

    // Another period counts nothing; access as for case statistics.
    let empty = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-10-01&to=2025-10-31&group_by=org",
    )
    .await;
    assert_eq!(empty.body["total"]["evaluations"], 0);
    assert!(empty.body["total"]["satisfaction_rate"].is_null());
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let q = "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=org";
    assert_eq!(get(&app, &clerk, q).await.status, 403);
    let qiye = login(&app, "qiye", PASSWORD).await;
    assert_eq!(get(&app, &qiye, q).await.status, 403);
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let outside = get(&app, &sup_b, &format!("{q}&org={}", f.tree.county_a)).await;
    assert_eq!(outside.status, 422);
    assert_eq!(outside.pointers(), vec!["?org"]);
    assert_eq!(get(&app, &sup_b, q).await.body["total"]["evaluations"], 0);
    let backwards = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-10-01&to=2025-09-01&group_by=org",
    )
    .await;
    assert_eq!(backwards.pointers(), vec!["?to"]);
    let bad_group = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=matter",
    )
    .await;
    assert_eq!(bad_group.status, 400);

    // Lists: bad reviews of the scope, paged; the annulled one is marked.
    let bad = get(&app, &reviewer, "/api/v1/evaluations?bad=true&limit=3").await;
    assert_eq!(bad.status, 200, "{:?}", bad.body);
    assert_eq!(bad.body["items"].as_array().map(Vec::len), Some(3));
    assert!(
        bad.header("link")
            .is_some_and(|l| l.contains("rel=\"next\""))
    );
    let cursor = bad.body["next_cursor"].as_str().unwrap_or_default();
    let rest = get(
        &app,
        &reviewer,
        &format!("/api/v1/evaluations?bad=true&limit=3&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest.body["items"].as_array().map(Vec::len), Some(1));
    assert!(rest.body["next_cursor"].is_null());
    let annulled: Vec<bool> = bad.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(rest.body["items"].as_array().into_iter().flatten())
        .filter_map(|e| e["annulled"].as_bool())
        .collect();
    assert_eq!(annulled.iter().filter(|a| **a).count(), 1);
    let level = get(&app, &reviewer, "/api/v1/evaluations?level=satisfied").await;
    assert_eq!(level.body["items"].as_array().map(Vec::len), Some(1));
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let other_county = get(&app, &clerk_b, "/api/v1/evaluations").await;
    assert_eq!(other_county.body["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(get(&app, &qiye, "/api/v1/evaluations").await.status, 403);
    let hall_clerk = get(&app, &clerk, "/api/v1/evaluations").await;
    assert_eq!(
        hall_clerk.body["items"].as_array().map(Vec::len),
        Some(7),
        "the hall's clerks see the evaluations given at its windows"
    );
    let wrong = get(&app, &reviewer, "/api/v1/evaluations?level=great").await;
    assert_eq!(wrong.status, 400);

    // The public summary: counts only, without the annulled and the classified reviews.
    let public = req(
        &app,
        Method::GET,
        "/api/v1/public/evaluations/summary?from=2025-09-01&to=2025-09-30",
    )
    .send()
    .await;
    assert_eq!(public.status, 200, "{:?}", public.body);
    let t = &public.body["total"];
    assert_eq!(t["evaluations"], 5);
    assert_eq!(t["satisfaction_rate"], 0.6);
    assert_eq!(t["bad_reviews"], 2);
    assert_eq!(t["rectified"], 2);
    assert_eq!(t["by_level"]["very_dissatisfied"], 1);
    let orgs = public.body["organizations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["name"], "历下区人民政府");
    assert_eq!(orgs[0]["evaluations"], 5);
    let text = public.body.to_string();
    for secret in [
        "济南某某建设有限公司",
        "等了很久",
        "态度差",
        "涉密",
        "恶意",
        "text",
        "staff",
        "applicant",
        "window",
        "case",
        f.clerk.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let scoped = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/public/evaluations/summary?org={}&from=2025-09-01&to=2025-09-30",
            f.tree.county_b
        ),
    )
    .send()
    .await;
    assert_eq!(scoped.body["total"]["evaluations"], 0);
    let unknown = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/public/evaluations/summary?org={}&from=2025-09-01&to=2025-09-30",
            uuid::Uuid::now_v7()
        ),
    )
    .send()
    .await;
    assert_eq!(unknown.pointers(), vec!["?org"]);
}

#[actix_web::test]
async fn the_enums_are_labelled() {
    let t = TestApp::start().await;
    let app = app!(t);
    let r = req(&app, Method::GET, "/api/v1/meta/enums").send().await;
    assert_eq!(
        r.body["enums"]["evaluation_level"]["basically_satisfied"],
        "基本满意"
    );
    assert_eq!(
        r.body["enums"]["evaluation_channel"]["hall_tablet"],
        "政务大厅评价器"
    );
    assert_eq!(
        r.body["enums"]["rectification_state"]["called_back"],
        "已回访"
    );
    assert_eq!(r.body["enums"]["appeal_state"]["upheld"], "申诉成立");
}

#[actix_web::test]
async fn the_demo_has_a_good_review_and_a_bad_one_under_rectification() {
    let t = TestApp::start().await;
    let loaded = zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.contains("2 evaluations"), "{loaded}");
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let all = get(&app, &sup, "/api/v1/evaluations").await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let levels: Vec<&str> = all.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["level"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(levels, vec!["very_satisfied", "dissatisfied"]);
    let open = get(&app, &sup, "/api/v1/rectifications?state=verified").await;
    assert_eq!(open.body["items"].as_array().map(Vec::len), Some(1));
    assert!(open.body["items"][0]["findings"].is_string());
    assert!(open.body["items"][0]["closed_at"].is_null());
}

#[actix_web::test]
async fn the_rectification_limit_is_the_organisations_rule() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let url = format!("/api/v1/supervision/rules?org={}", f.tree.county_a);
    let rules = get(&app, &sup, &url).await;
    let mut body = rules.body["rules"].clone();
    body["rectification_days"] = json!(15);
    let put = req(&app, Method::PUT, &url)
        .token(&sup)
        .json(body)
        .send()
        .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    // 15 working days from Tue 30 Sep: 9, 10, 11, 13–17, 20–24, 27, 28 Oct.
    clock.set(at("2025-09-30"));
    let bad = evaluate(&app, "qiye", &case, "very_dissatisfied", "多次往返仍未办成").await;
    assert_eq!(bad.status, 201, "{:?}", bad.body);
    assert_eq!(bad.body["rectification"]["due_date"], "2025-10-28");
}
