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
    let r = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "unable_not_held",
        "text": "本机关不掌握该信息，建议向区住房和城乡建设局申请。",
            "responsible_agency": "历下区住房和城乡建设局"}),
    )
    .await;
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
    assert_eq!(
        events_of(&t, &format!("disclosure-requests/{id}")),
        [
            "application.received",
            "application.extended",
            "application.replied"
        ]
    );
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

mod reports;
