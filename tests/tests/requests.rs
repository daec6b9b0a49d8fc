//! Journeys of applications for disclosure on a fixed clock across the 2025 National Day
//! holiday, with every due date written out.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::{hall, matter_body, publish_matter};
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

/// The county, its disclosure office, a reviewer, an applicant and the 2025 schedule.
async fn office<S, B>(app: &S) -> Tree
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
    create_user(
        app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    create_user(
        app,
        &admin,
        "officer.b",
        "disclosure_officer",
        &tree.county_b,
    )
    .await;
    for name in ["li.na", "wang.wu"] {
        let r = req(app, Method::POST, "/api/v1/auth/register")
            .json(
                json!({"username": name, "password": PASSWORD, "display_name": name,
                "applicant_type": "natural_person"}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201);
    }
    tree
}

async fn apply<S, B>(app: &S, org: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let token = login(app, "li.na", PASSWORD).await;
    req(app, Method::POST, "/api/v1/disclosure-requests")
        .token(&token)
        .json(
            json!({"organization_id": org, "description": "2025年老旧小区改造资金使用明细",
            "requested_form": "electronic", "delivery_method": "email", "channel": "online",
            "contact": {"email": "li.na@example.com"}}),
        )
        .send()
        .await
}

async fn act<S, B>(app: &S, user: &str, id: &str, action: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let token = login(app, user, PASSWORD).await;
    req(
        app,
        Method::POST,
        &format!("/api/v1/disclosure-requests/{id}/{action}"),
    )
    .token(&token)
    .json(body)
    .send()
    .await
}

#[actix_web::test]
async fn a_correction_restarts_the_clock() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let r = apply(&app, &tree.county_a).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    assert_eq!(r.body["received_on"], "2025-09-26");
    // 20 working days across National Day: 30 Oct.
    assert_eq!(r.body["clock"]["due_date"], "2025-10-30");

    // Mon 13 Oct is the 7th working day after receipt: a correction may still be asked.
    clock.set(at("2025-10-13"));
    let c = act(
        &app,
        "officer.a",
        &id,
        "request-correction",
        json!({"items": "请明确小区名称和资金年度", "correction_due": "2025-10-24"}),
    )
    .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert_eq!(c.body["state"], "awaiting_correction");
    assert!(c.body["clock"]["due_date"].is_null());
    assert_eq!(c.body["clock"]["stopped_for"], "awaiting_correction");
    // The correction arrives Mon 20 Oct: 20 working days from then is 17 Nov.
    clock.set(at("2025-10-20"));
    let s = act(
        &app,
        "li.na",
        &id,
        "submit-correction",
        json!({"description": "历下区甸柳小区2025年改造资金使用明细"}),
    )
    .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["clock"]["counting_from"], "2025-10-20");
    assert_eq!(s.body["clock"]["due_date"], "2025-11-17");
    // The corrected description is the application's from now on.
    assert_eq!(
        s.body["description"],
        "历下区甸柳小区2025年改造资金使用明细"
    );
    // A second correction notice is refused.
    let again = act(
        &app,
        "officer.a",
        &id,
        "request-correction",
        json!({"items": "再补", "correction_due": "2025-10-31"}),
    )
    .await;
    assert_eq!(again.status, 409);
    clock.set(at("2025-11-17"));
    let reply = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "disclosed",
        "text": "现将相关信息提供如下。", "provided_items": [{"description": "资金明细表"}]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["reply"]["late"], false);
    let timeline = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosure-requests/{id}/timeline"),
    )
    .token(&login(&app, "li.na", PASSWORD).await)
    .send()
    .await;
    let actions: Vec<&str> = timeline.body["entries"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        vec![
            "receive",
            "request_correction",
            "submit_correction",
            "reply"
        ]
    );
}

#[actix_web::test]
async fn consultation_stops_the_clock_and_one_extension_is_allowed() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let id = apply(&app, &tree.county_a).await.id();
    clock.set(at("2025-10-09"));
    let c = act(
        &app,
        "officer.a",
        &id,
        "consult",
        json!({"kind": "third_party", "party": "某物业公司"}),
    )
    .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    // The third party has 15 working days: 29 Oct.
    assert_eq!(c.body["stops"][0]["due_on"], "2025-10-29");
    assert!(c.body["clock"]["due_date"].is_null());
    // Opinion on Fri 24 Oct: 12 working days paused → due 17 Nov.
    clock.set(at("2025-10-24"));
    let o = act(
        &app,
        "officer.a",
        &id,
        "opinion",
        json!({"opinion": "同意公开"}),
    )
    .await;
    assert_eq!(o.body["clock"]["working_days_paused"], 12);
    assert_eq!(o.body["clock"]["due_date"], "2025-11-17");
    // One extension of at most 20 working days, by an approver.
    assert_eq!(
        act(
            &app,
            "officer.a",
            &id,
            "extend",
            json!({"working_days": 5, "reason": "需调取档案"})
        )
        .await
        .status,
        403
    );
    let over = act(
        &app,
        "reviewer.a",
        &id,
        "extend",
        json!({"working_days": 21, "reason": "需调取档案"}),
    )
    .await;
    assert_eq!(over.status, 422);
    assert_eq!(over.pointers(), vec!["/working_days"]);
    let e = act(
        &app,
        "reviewer.a",
        &id,
        "extend",
        json!({"working_days": 20, "reason": "需调取档案"}),
    )
    .await;
    assert_eq!(e.status, 200);
    assert_eq!(e.body["clock"]["due_date"], "2025-12-15");
    assert_eq!(
        act(
            &app,
            "reviewer.a",
            &id,
            "extend",
            json!({"working_days": 1, "reason": "再延"})
        )
        .await
        .status,
        422
    );
    // A reply after the due date is allowed and recorded as late.
    clock.set(at("2025-12-16"));
    let r = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "unable_not_held", "text": "本机关不掌握。"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/responsible_agency"]);
    let r = act(&app, "officer.a", &id, "reply", json!({"reply_type": "unable_not_held",
        "text": "本机关不掌握该信息，建议向区住房和城乡建设局申请。", "responsible_agency": "历下区住房和城乡建设局"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["reply"]["late"], true);
    assert_eq!(
        act(
            &app,
            "officer.a",
            &id,
            "reply",
            json!({"reply_type": "other", "text": "x"})
        )
        .await
        .status,
        409
    );
    // Remedies, with the outcome updated later; neither is recorded before it happened.
    let remedy = |token: String, body: Value| {
        let (app, url) = (&app, format!("/api/v1/disclosure-requests/{id}/remedies"));
        async move {
            req(app, Method::POST, &url)
                .token(&token)
                .json(body)
                .send()
                .await
        }
    };
    let token = login(&app, "officer.a", PASSWORD).await;
    for (filed, code) in [("2025-12-20", "date.future"), ("2025-09-25", "date.order")] {
        let early = remedy(
            token.clone(),
            json!({"kind": "reconsideration", "filed_on": filed}),
        )
        .await;
        assert_eq!(early.status, 422, "{filed}: {:?}", early.body);
        assert_eq!(early.pointers(), vec!["/filed_on"]);
        assert_eq!(early.body["errors"][0]["code"], code);
    }
    clock.set(at("2025-12-20"));
    let token = login(&app, "officer.a", PASSWORD).await;
    let m = remedy(
        token.clone(),
        json!({"kind": "reconsideration", "filed_on": "2025-12-20"}),
    )
    .await;
    assert_eq!(m.status, 201, "{:?}", m.body);
    assert_eq!(m.body["outcome"], "pending");
    let update = |token: String| {
        let (app, url) = (
            &app,
            format!("/api/v1/disclosure-requests/{id}/remedies/{}", m.id()),
        );
        async move {
            req(app, Method::PATCH, &url)
                .token(&token)
                .json(json!({"outcome": "upheld", "decided_on": "2026-01-10"}))
                .send()
                .await
        }
    };
    let ahead = update(token).await;
    assert_eq!(ahead.status, 422, "{:?}", ahead.body);
    assert_eq!(ahead.pointers(), vec!["/decided_on"]);
    clock.set(at("2026-01-10"));
    let u = update(login(&app, "officer.a", PASSWORD).await).await;
    assert_eq!(u.body["outcome"], "upheld");
}

#[actix_web::test]
async fn an_extension_after_the_due_date_is_refused_and_the_reply_stays_late() {
    // Received Fri 26 Sep 2025: due Thu 30 Oct across National Day (weekends alone would
    // give 24 Oct, when an extension would still have been in time).
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let id = apply(&app, &tree.county_a).await.id();
    clock.set(at("2025-10-31"));
    let e = act(
        &app,
        "reviewer.a",
        &id,
        "extend",
        json!({"working_days": 10, "reason": "需调取档案"}),
    )
    .await;
    assert_eq!(e.status, 409, "{:?}", e.body);
    assert_eq!(e.body["code"], "extension.after_due_date");
    let r = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "disclosed", "text": "现予公开。",
            "provided_items": [{"description": "资金明细表"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["reply"]["late"], true);
    assert_eq!(r.body["clock"]["extension_working_days"], 0);
    assert_eq!(r.body["clock"]["due_date"], "2025-10-30");

    // Received Thu 9 Oct (Sat 11 Oct is worked): due Wed 5 Nov, the day the extension is
    // still in time.
    clock.set(at("2025-10-09"));
    let other = apply(&app, &tree.county_a).await.id();
    clock.set(at("2025-11-05"));
    let in_time = act(
        &app,
        "reviewer.a",
        &other,
        "extend",
        json!({"working_days": 5, "reason": "需调取档案"}),
    )
    .await;
    assert_eq!(in_time.status, 200, "{:?}", in_time.body);
    assert_eq!(in_time.body["clock"]["due_date"], "2025-11-12");
}

#[actix_web::test]
async fn the_nth_application_of_a_month_is_the_nth_received() {
    // One application on Tue 30 Sep (September's), then eleven at one instant on Thu 9 Oct,
    // the first working day after National Day: the eleventh of October alone owes ¥100.
    let clock = Arc::new(FixedClock::new(at("2025-09-30")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let september = apply(&app, &tree.county_a).await;
    assert_eq!(september.status, 201, "{:?}", september.body);
    clock.set(at("2025-10-09"));
    let mut october = Vec::new();
    for _ in 0..11 {
        let r = apply(&app, &tree.county_a).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        october.push(r.id());
    }
    // Notices go out in the reverse order: the rank is the order of receipt, not of notice.
    for (i, id) in october.iter().enumerate().rev() {
        let f = act(
            &app,
            "officer.a",
            id,
            "fee-notice",
            json!({"method": "by_case"}),
        )
        .await;
        if i == 10 {
            assert_eq!(f.status, 200, "{:?}", f.body);
            assert_eq!(f.body["fee_fen"], 10_000);
        } else {
            assert_eq!(
                f.status,
                422,
                "application {} of October: {:?}",
                i + 1,
                f.body
            );
            assert_eq!(f.body["code"], "request.fee_free");
        }
    }
    let f = act(
        &app,
        "officer.a",
        &september.id(),
        "fee-notice",
        json!({"method": "by_case"}),
    )
    .await;
    assert_eq!(f.status, 422);
}

#[actix_web::test]
async fn without_a_correction_by_its_deadline_the_application_is_deemed_withdrawn() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let id = apply(&app, &tree.county_a).await.id();
    // Too late for a correction notice on Tue 14 Oct (the 8th working day).
    clock.set(at("2025-10-14"));
    let late = act(
        &app,
        "officer.a",
        &id,
        "request-correction",
        json!({"items": "x", "correction_due": "2025-10-24"}),
    )
    .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["code"], "request.correction_too_late");

    let id = {
        clock.set(at("2025-09-29"));
        apply(&app, &tree.county_a).await.id()
    };
    let c = act(
        &app,
        "officer.a",
        &id,
        "request-correction",
        json!({"items": "请明确申请内容", "correction_due": "2025-10-10"}),
    )
    .await;
    assert_eq!(c.status, 200);
    clock.set(at("2025-10-10"));
    assert_eq!(
        act(&app, "officer.a", &id, "close-lapsed", json!({}))
            .await
            .status,
        409,
        "the deadline day still counts"
    );
    clock.set(at("2025-10-13"));
    let token = login(&app, "officer.a", PASSWORD).await;
    let read = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosure-requests/{id}"),
    )
    .token(&token)
    .send()
    .await;
    assert_eq!(read.body["deemed_withdrawn"], true);
    assert_eq!(
        act(&app, "li.na", &id, "submit-correction", json!({}))
            .await
            .status,
        409
    );
    let closed = act(&app, "officer.a", &id, "close-lapsed", json!({})).await;
    assert_eq!(closed.status, 200);
    assert_eq!(closed.body["state"], "deemed_withdrawn");
    assert_eq!(
        closed.body["reply"]["reply_type"],
        "other_correction_overdue"
    );
}

#[actix_web::test]
async fn letters_fees_and_visibility() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let token = login(&app, "officer.a", PASSWORD).await;
    let letter = json!({"organization_id": tree.county_a, "description": "某路段拆迁补偿标准",
        "requested_form": "paper", "delivery_method": "post", "channel": "letter",
        "contact": {"address": "济南市历下区某路1号"},
        "applicant": {"name": "赵六", "applicant_type": "natural_person"},
        "submitted_on": "2025-09-24"});
    let r = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&token)
        .json(letter.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/received_on"]);
    let mut signed = letter.clone();
    signed["signed_on"] = json!("2025-09-26");
    let r = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&token)
        .json(signed)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.body["received_on"], "2025-09-26",
        "a letter is received the day it is signed for"
    );
    let id = r.id();

    // 150 pages: 70 × ¥10 + 50 × ¥20 = ¥1,700.
    let quote = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests/fee-quote?method=by_volume&pages=150",
    )
    .send()
    .await;
    assert_eq!(quote.body["amount_fen"], 170_000);
    let both = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests/fee-quote?method=by_case&nth=12&pages=3",
    )
    .send()
    .await;
    assert_eq!(both.status, 422);
    clock.set(at("2025-09-29"));
    let f = act(
        &app,
        "officer.a",
        &id,
        "fee-notice",
        json!({"method": "by_volume", "pages": 150}),
    )
    .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert_eq!(f.body["fee_fen"], 170_000);
    assert_eq!(f.body["state"], "awaiting_fee");
    let r = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "disclosed", "text": "x", "provided_items": [{"description": "y"}]}),
    )
    .await;
    assert_eq!(r.status, 422, "no reply while the fee is pending");
    assert_eq!(
        act(
            &app,
            "officer.a",
            &id,
            "fee-notice",
            json!({"method": "by_case"})
        )
        .await
        .status,
        409
    );
    // Paid on Thu 9 Oct: 30 Sep and 9 Oct were paused → due 30 Oct + 2 = 3 Nov.
    clock.set(at("2025-10-09"));
    let p = act(&app, "officer.a", &id, "fee-paid", json!({})).await;
    assert_eq!(p.body["clock"]["working_days_paused"], 2);
    assert_eq!(p.body["clock"]["due_date"], "2025-11-03");

    // Visibility: the other county's office and other applicants see nothing.
    let other = login(&app, "officer.b", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosure-requests/{id}")
        )
        .token(&other)
        .send()
        .await
        .status,
        404
    );
    let mine = apply(&app, &tree.county_a).await.id();
    let someone = login(&app, "wang.wu", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosure-requests/{mine}")
        )
        .token(&someone)
        .send()
        .await
        .status,
        404
    );
    let list = req(&app, Method::GET, "/api/v1/disclosure-requests")
        .token(&someone)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    let staff = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests?applicant_type=natural_person",
    )
    .token(&login(&app, "officer.a", PASSWORD).await)
    .send()
    .await;
    assert_eq!(staff.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn the_annual_report_reproduces_a_fixture_across_two_years() {
    let clock = Arc::new(FixedClock::new(at("2024-03-01")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let org = tree.county_a.clone();
    let reply = |kind: &'static str| {
        let mut body = json!({"reply_type": kind, "text": "答复如下。"});
        if kind == "disclosed" || kind == "partially_disclosed" {
            body["provided_items"] = json!([{"description": "相关文件"}]);
        }
        body
    };
    // A: received and answered in 2024.
    let a = apply(&app, &org).await.id();
    clock.set(at("2024-03-20"));
    assert_eq!(
        act(&app, "officer.a", &a, "reply", reply("disclosed"))
            .await
            .status,
        200
    );
    // B: received Dec 2024, answered Jan 2025 (carried into 2025), then reconsidered.
    clock.set(at("2024-12-20"));
    let b = apply(&app, &org).await.id();
    clock.set(at("2025-01-10"));
    assert_eq!(
        act(&app, "officer.a", &b, "reply", reply("partially_disclosed"))
            .await
            .status,
        200
    );
    clock.set(at("2025-03-20"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let m = req(
        &app,
        Method::POST,
        &format!("/api/v1/disclosure-requests/{b}/remedies"),
    )
    .token(&officer)
    .json(
        json!({"kind": "reconsideration", "filed_on": "2025-02-01", "outcome": "upheld",
            "decided_on": "2025-03-20"}),
    )
    .send()
    .await;
    assert_eq!(m.status, 201);
    // C: a company's letter in May 2025, refused to protect a third party.
    clock.set(at("2025-05-06"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let c = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&officer)
        .json(json!({"organization_id": org, "description": "某项目招标文件", "requested_form": "paper",
            "delivery_method": "post", "channel": "letter", "contact": {"address": "济南市某路2号"},
            "applicant": {"name": "济南某建设公司", "applicant_type": "legal_person",
                "legal_person_kind": "commercial_enterprise"},
            "signed_on": "2025-05-06"}))
        .send()
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    clock.set(at("2025-05-30"));
    assert_eq!(
        act(
            &app,
            "officer.a",
            &c.id(),
            "reply",
            reply("non_disclosure_third_party")
        )
        .await
        .status,
        200
    );
    // D: received Dec 2025 and still open at the year's end.
    clock.set(at("2025-12-22"));
    apply(&app, &org).await;

    clock.set(at("2026-01-15"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let report = |year: i32, format: &'static str| {
        req(
            &app,
            Method::GET,
            &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}&format={format}"),
        )
        .token(&officer)
        .send()
    };
    let r = report(2025, "json").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let row = |body: &Value, key: &str| -> Vec<u64> {
        body["table3"]["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|x| x["key"] == key))
            .and_then(|x| x["counts"].as_array())
            .map(|c| c.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };
    assert_eq!(row(&r.body, "new"), vec![1, 1, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r.body, "carried_in"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        row(&r.body, "partially_disclosed"),
        vec![1, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        row(&r.body, "non_disclosure_third_party"),
        vec![0, 1, 0, 0, 0, 0, 1]
    );
    assert_eq!(row(&r.body, "disclosed"), vec![0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(row(&r.body, "handled_total"), vec![1, 1, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r.body, "carried_over"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(r.body["table3"]["balanced"], true);
    assert_eq!(r.body["table4"][0]["upheld"], 1);
    assert_eq!(r.body["table4"][0]["total"], 1);
    // 2024: A and B new, A answered, B carried over into 2025.
    let r24 = report(2024, "json").await;
    assert_eq!(row(&r24.body, "new"), vec![2, 0, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r24.body, "disclosed"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(row(&r24.body, "carried_over"), vec![1, 0, 0, 0, 0, 0, 1]);

    // The written sections, then the Markdown and CSV renderings.
    let put = req(&app, Method::PUT, &format!("/api/v1/reports/disclosure-annual/{org}/2025/text"))
        .token(&officer)
        .json(json!({"overview": "2025年，历下区深入贯彻政府信息公开条例。", "problems": "依申请公开答复规范性有待提高。",
            "other_matters": "本年度未收取信息处理费。"}))
        .send()
        .await;
    assert_eq!(put.status, 204, "{:?}", put.body);
    let md = report(2025, "markdown").await;
    let text = md.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("# 历下区人民政府2025年政府信息公开工作年度报告"),
        "{text}"
    );
    assert!(text.contains("2025年，历下区深入贯彻政府信息公开条例。"));
    assert!(
        text.contains("| 本年新收政府信息公开申请数量 | 1 | 1 | 0 | 0 | 0 | 0 | 2 |"),
        "{text}"
    );
    let csv = report(2025, "csv").await;
    assert!(
        csv.body
            .as_str()
            .unwrap_or_default()
            .contains("3,上年结转政府信息公开申请数量,1,0,0,0,0,0,1")
    );
    // Staff outside the organisation's scope cannot read it.
    let other = login(&app, "officer.b", PASSWORD).await;
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/reports/disclosure-annual?org={org}&year=2025"),
    )
    .token(&other)
    .send()
    .await;
    assert_eq!(r.status, 422);
}

#[actix_web::test]
async fn the_demo_has_applications_in_every_state_and_a_report_worth_reading() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let officer = login(&app, "lixia.disclosure", zhengwu_api::demo::DEMO_PASSWORD).await;
    let list = req(&app, Method::GET, "/api/v1/disclosure-requests?limit=50")
        .token(&officer)
        .send()
        .await;
    let mut states: Vec<String> = list.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["state"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec![
            "awaiting_correction",
            "awaiting_fee",
            "consulting",
            "deemed_withdrawn",
            "received",
            "replied"
        ]
    );
    let org = list.body["items"][0]["organization_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let year = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("tz")))
        .format("%Y")
        .to_string();
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}"),
    )
    .token(&officer)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["table3"]["balanced"], true);
    let total = |key: &str| -> u64 {
        r.body["table3"]["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|x| x["key"] == key))
            .and_then(|x| x["counts"][6].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(total("carried_in"), 1);
    assert!(total("new") >= 5, "{}", total("new"));
    assert!(total("handled_total") >= 5);
    let wall = req(&app, Method::GET, "/api/v1/public/echo-wall")
        .send()
        .await;
    assert_eq!(wall.body["items"].as_array().map(Vec::len), Some(1));
    let open = req(&app, Method::GET, "/api/v1/consultations").send().await;
    assert_eq!(open.body["items"][0]["accepting_comments"], true);
}

#[actix_web::test]
async fn table_2_counts_documents_as_they_stood_at_the_year_end_and_keeps_its_rows_apart() {
    let clock = Arc::new(FixedClock::new(at("2025-03-10")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &h.tree.county_a,
    )
    .await;
    let cats = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            h.tree.county_a
        ),
    )
    .send()
    .await;
    let category = |code: &str| {
        cats.body["items"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["code"] == code))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(category("0101")["document_kind"], "regulation");
    assert_eq!(category("0102")["document_kind"], "normative_document");
    assert_eq!(category("0102")["parent_id"], category("01")["id"]);
    // Publishes an item (or a revision of one) today, through review.
    let publish =
        |id: Option<String>, code: &'static str, title: &'static str, validity: &'static str| {
            let (app, category) = (&app, category(code)["id"].clone());
            let county = h.tree.county_a.clone();
            async move {
                let officer = login(app, "officer.a", PASSWORD).await;
                let reviewer = login(app, "reviewer.a", PASSWORD).await;
                let step = |token: String, id: String, action: &'static str| async move {
                    let r = req(
                        app,
                        Method::POST,
                        &format!("/api/v1/disclosures/{id}/{action}"),
                    )
                    .token(&token)
                    .json(json!({}))
                    .send()
                    .await;
                    assert_eq!(r.status, 200, "{action}: {:?}", r.body);
                };
                let id = match id {
                    None => {
                        let r = req(app, Method::POST, "/api/v1/disclosures")
                            .token(&officer)
                            .json(json!({"organization_id": county, "category_id": category,
                            "title": title, "summary": title, "content": "正文。",
                            "formed_on": "2025-03-10", "validity": validity}))
                            .send()
                            .await;
                        assert_eq!(r.status, 201, "{:?}", r.body);
                        r.id()
                    }
                    Some(id) => {
                        step(officer.clone(), id.clone(), "revise").await;
                        let r = req(app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
                            .token(&officer)
                            .json(json!({"validity": validity}))
                            .send()
                            .await;
                        assert_eq!(r.status, 200, "{:?}", r.body);
                        id
                    }
                };
                step(officer, id.clone(), "submit").await;
                step(reviewer.clone(), id.clone(), "approve").await;
                step(
                    login(app, "officer.a", PASSWORD).await,
                    id.clone(),
                    "publish",
                )
                .await;
                id
            }
        };
    let regulation = publish(None, "0101", "济南市历下区城市绿化管理办法", "valid").await;
    clock.set(at("2025-04-01"));
    let normative = publish(None, "0102", "关于规范行政事业性收费的通知", "valid").await;
    clock.set(at("2025-06-02"));
    publish(None, "01", "关于加强物业管理的意见", "valid").await;
    clock.set(at("2025-11-20"));
    publish(Some(normative), "0102", "", "repealed").await;
    // After the year: a new normative document, and the regulation repealed.
    clock.set(at("2026-01-05"));
    publish(None, "0102", "关于优化营商环境的若干措施", "valid").await;
    clock.set(at("2026-01-20"));
    publish(Some(regulation), "0101", "", "repealed").await;

    // Decisions of 2025: one licence, one penalty, two coercive measures.
    clock.set(at("2025-09-26"));
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut matters = vec![h.matter.clone()];
    for (code, name, kind) in [
        ("P1", "违法建设行政处罚", "administrative_penalty"),
        ("C1", "查封施工现场", "administrative_coercion"),
    ] {
        let mut body = matter_body(&h.tree.county_a, code, name, &h.window, json!([]));
        body["matter_type"] = json!(kind);
        let id = publish_matter(&app, &org_admin, &reviewer, body).await;
        matters.push(id);
    }
    matters.push(matters[2].clone());
    let applicant = login(&app, "qiye", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for (i, m) in matters.iter().enumerate() {
        let id = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [m], "channel": "web"}))
            .send()
            .await
            .id();
        for (token, action, body) in [
            (&clerk, "accept", json!({})),
            (
                &reviewer,
                "decide",
                json!({"decision": "approved", "result_number": format!("历下〔2025〕{i}号")}),
            ),
        ] {
            let r = req(&app, Method::POST, &format!("/api/v1/cases/{id}/{action}"))
                .token(token)
                .json(body)
                .send()
                .await;
            assert_eq!(r.status, 200, "{action}: {:?}", r.body);
        }
    }

    // The 2025 report, run on 2 Feb 2026.
    clock.set(at("2026-02-02"));
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let report = |year: i32, format: &'static str| {
        let (app, admin, org) = (&app, admin.clone(), h.tree.county_a.clone());
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}&format={format}"),
            )
            .token(&admin)
            .send()
            .await
        }
    };
    let r = report(2025, "json").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let t2 = &r.body["table2"];
    let row = |v: &Value| {
        (
            v["issued_this_year"].as_u64().unwrap_or(99),
            v["repealed_this_year"].as_u64().unwrap_or(99),
            v["in_force"].as_u64().unwrap_or(99),
        )
    };
    assert_eq!(row(&t2["regulations"]), (1, 0, 1), "{t2}");
    assert_eq!(row(&t2["normative_documents"]), (1, 1, 0), "{t2}");
    assert_eq!(row(&t2["unclassified_documents"]), (1, 0, 1), "{t2}");
    assert_eq!(
        (
            &t2["licensing_decisions"],
            &t2["penalty_decisions"],
            &t2["coercion_decisions"]
        ),
        (&json!(1), &json!(1), &json!(2))
    );
    let md = report(2025, "markdown").await;
    let text = md.body.as_str().unwrap_or_default();
    for line in [
        "| 规章 | 1 | 0 | 1 |",
        "| 行政规范性文件 | 1 | 1 | 0 |",
        "| 行政处罚 | 1 |",
        "| 行政强制 | 2 |",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let r = report(2026, "json").await;
    let t2 = &r.body["table2"];
    assert_eq!(row(&t2["regulations"]), (0, 1, 0), "{t2}");
    assert_eq!(row(&t2["normative_documents"]), (1, 0, 1), "{t2}");
}
