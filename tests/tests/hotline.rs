//! The 12345 hotline on a fixed clock across the 2025 National Day holiday: a ticket
//! through dispatch, return and re-dispatch, extension, reply, unsatisfied callback and
//! reopening; due dates per kind; merging; the public lookup and answers; statistics and
//! alerts; the knowledge base.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::at;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

struct Setup {
    tree: Tree,
}

async fn setup<S, B>(app: &S) -> Setup
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
        ("op.a", "hotline_operator", &tree.city),
        ("reviewer.city", "reviewer", &tree.city),
        ("sup.city", "supervisor", &tree.city),
        ("admin.a", "org_admin", &tree.county_a),
        ("clerk.b", "clerk", &tree.dept_b),
    ] {
        create_user(app, &admin, name, role, org).await;
    }
    let r = req(app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "zhang.san", "password": PASSWORD, "display_name": "张三",
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    Setup { tree }
}

#[actix_web::test]
async fn a_ticket_is_dispatched_returned_extended_replied_reopened_and_closed() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let s = setup(&app).await;
    let ticket = json!({"center_id": s.tree.city, "kind": "help", "subject": "小区停水三天无人处理",
        "description": "文化东路某小区自9月24日起停水，联系电话13912345678。"});
    let r = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .json(ticket.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/caller_contact"]);
    let mut with_contact = ticket.clone();
    with_contact["caller_contact"] = json!({"phone": "13912345678"});
    with_contact["classified"] = json!(true);
    let r = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .json(with_contact.clone())
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/classified"], "only operators classify");
    with_contact["classified"] = json!(false);
    let created = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .json(with_contact)
        .send()
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["number"], "RX2025000001");
    assert_eq!(created.body["channel"], "web");
    assert!(created.body["caller_contact"].is_null());
    let code = created.body["query_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(code.len(), 8);
    let id = created.id();

    let lookup = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/hotline/tickets/RX2025000001?code={code}"),
    )
    .send()
    .await;
    assert_eq!(lookup.status, 200, "{:?}", lookup.body);
    assert_eq!(lookup.body["state"], "received");
    assert!(!lookup.body.to_string().contains("13912345678"));
    let wrong = req(
        &app,
        Method::GET,
        "/api/v1/public/hotline/tickets/RX2025000001?code=WRONG234",
    )
    .send()
    .await;
    assert_eq!(wrong.status, 404);

    let op = login(&app, "op.a", PASSWORD).await;
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let step = |token: String, action: &'static str, body: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/hotline/tickets/{id}/{action}"),
            )
            .token(&token)
            .json(body)
            .send()
            .await
        }
    };
    assert_eq!(
        step(
            clerk_b.clone(),
            "dispatch",
            json!({"organization_id": s.tree.dept_b})
        )
        .await
        .status,
        403
    );
    let d = step(
        op.clone(),
        "dispatch",
        json!({"organization_id": s.tree.dept_b}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    // Help: 3 working days from Fri 26 Sep — Sun 28 (adjusted), Mon 29, Tue 30.
    assert_eq!(d.body["due_date"], "2025-09-30");
    assert!(
        d.body["caller_contact"].is_object(),
        "operators see the contact"
    );
    // Not theirs: the department sends it back (退单) and the operator re-dispatches.
    assert_eq!(
        step(admin_a.clone(), "return", json!({"reason": "不属于本单位"}))
            .await
            .status,
        404
    );
    let back = step(
        clerk_b.clone(),
        "return",
        json!({"reason": "供水属于县区管辖，不属于本部门职责"}),
    )
    .await;
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!(back.body["state"], "returned");
    assert_eq!(back.body["return_count"], 1);
    assert!(
        back.body["caller_contact"].is_null(),
        "departments do not see the caller's contact"
    );
    let d = step(
        op.clone(),
        "dispatch",
        json!({"organization_id": s.tree.county_a, "note": "请核实并答复"}),
    )
    .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body["due_date"], "2025-09-30");
    // An extension asked before the due date, approved by the operator.
    let ask = step(
        admin_a.clone(),
        "request-extension",
        json!({"days": 2, "reason": "需协调供水企业排查管网"}),
    )
    .await;
    assert_eq!(ask.status, 200, "{:?}", ask.body);
    assert_eq!(
        step(
            admin_a.clone(),
            "request-extension",
            json!({"days": 1, "reason": "再延"})
        )
        .await
        .status,
        409
    );
    let ok = step(op.clone(), "extension-decision", json!({"approved": true})).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    // 30 Sep + 2 working days across the holiday: 9, 10 Oct.
    assert_eq!(ok.body["due_date"], "2025-10-10");
    assert_eq!(ok.body["extension_days"], 2);
    assert_eq!(
        step(op.clone(), "callback", json!({"satisfied": true}))
            .await
            .status,
        409
    );

    clock.set(at("2025-10-09"));
    let op = login(&app, "op.a", PASSWORD).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let r = step(
        admin_a.clone(),
        "reply",
        json!({"reply": "经核实，系供水管网爆管，已抢修恢复供水。", "public": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "replied");
    let r = step(op.clone(), "callback", json!({"satisfied": false})).await;
    assert_eq!(r.pointers(), vec!["/note"]);
    let r = step(
        op.clone(),
        "callback",
        json!({"satisfied": false, "note": "市民反映仍间歇性停水"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "reopened");
    assert_eq!(r.body["reopen_count"], 1);
    // Reopened: 5 working days from Thu 9 Oct — 10, 11 (adjusted), 13, 14, 15.
    assert_eq!(r.body["due_date"], "2025-10-15");
    let r = step(
        admin_a.clone(),
        "reply",
        json!({"reply": "已更换老化阀门，供水恢复稳定。", "public": true}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        step(
            op.clone(),
            "callback",
            json!({"satisfied": true, "note": "满意"})
        )
        .await
        .body["state"],
        "called_back"
    );
    let closed = step(op.clone(), "close", json!({})).await;
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(step(op.clone(), "close", json!({})).await.status, 409);

    let timeline = req(
        &app,
        Method::GET,
        &format!("/api/v1/hotline/tickets/{id}/timeline"),
    )
    .token(&op)
    .send()
    .await;
    let actions: Vec<&str> = timeline
        .body
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        vec![
            "receive",
            "dispatch",
            "return",
            "dispatch",
            "request_extension",
            "decide_extension",
            "reply",
            "callback",
            "reply",
            "callback",
            "close"
        ]
    );

    // The public answer: masked question, no caller data.
    let answers = req(&app, Method::GET, "/api/v1/public/hotline/answers")
        .send()
        .await;
    assert_eq!(answers.status, 200);
    assert_eq!(
        answers.body["items"][0]["answer"],
        "已更换老化阀门，供水恢复稳定。"
    );
    let text = answers.body.to_string();
    assert!(!text.contains("13912345678"), "{text}");
    assert!(answers.body["items"][0]["caller_contact"].is_null());

    // The applicant's own tickets; others are not visible to another county.
    let zs = login(&app, "zhang.san", PASSWORD).await;
    let mine = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .token(&zs)
        .json(
            json!({"center_id": s.tree.city, "kind": "suggestion", "subject": "建议增加公交线路",
            "description": "建议在新区增开公交线路。"}),
        )
        .send()
        .await;
    assert_eq!(mine.status, 201, "{:?}", mine.body);
    let list = req(&app, Method::GET, "/api/v1/hotline/tickets")
        .token(&zs)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let r = req(&app, Method::GET, &format!("/api/v1/hotline/tickets/{id}"))
        .token(&clerk_b)
        .send()
        .await;
    assert_eq!(
        r.status, 404,
        "the department it was returned from no longer sees it"
    );
}

#[actix_web::test]
async fn due_dates_follow_the_kind_emergencies_are_same_day_and_duplicates_merge() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let s = setup(&app).await;
    let op = login(&app, "op.a", PASSWORD).await;
    let take = |kind: &'static str, urgency: &'static str| {
        let app = &app;
        let op = op.clone();
        async move {
            let r = req(app, Method::POST, "/api/v1/hotline/tickets")
                .token(&op)
                .json(json!({"kind": kind, "urgency": urgency, "channel": "phone",
                    "subject": "道路井盖缺失",
                    "description": "经十路与历山路路口井盖缺失，存在安全隐患。",
                        "caller_contact": {"phone": "13812345678"}}))
                .send()
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.id()
        }
    };
    let mut due = Vec::new();
    let mut ids = Vec::new();
    for (kind, urgency) in [
        ("consultation", "normal"),
        ("complaint", "normal"),
        ("suggestion", "urgent"),
        ("help", "emergency"),
    ] {
        let id = take(kind, urgency).await;
        let d = req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{id}/dispatch"),
        )
        .token(&op)
        .json(json!({"organization_id": s.tree.county_a}))
        .send()
        .await;
        assert_eq!(d.status, 200, "{:?}", d.body);
        due.push(d.body["due_date"].as_str().unwrap_or_default().to_owned());
        ids.push(id);
    }
    // Consultation 3; complaint and suggestion 13 (28, 29, 30 Sep, 9, 10, 11, 13 … 21 Oct);
    // an emergency the same day.
    assert_eq!(
        due,
        vec!["2025-09-30", "2025-10-21", "2025-10-21", "2025-09-26"]
    );

    // A duplicate merges into the first; a merged ticket cannot be merged into.
    let dup = take("help", "normal").await;
    let m = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{dup}/merge"),
    )
    .token(&op)
    .json(json!({"into": ids[0], "note": "同一井盖，重复来电"}))
    .send()
    .await;
    assert_eq!(m.status, 200, "{:?}", m.body);
    assert_eq!(m.body["state"], "merged");
    let another = take("help", "normal").await;
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{another}/merge"),
    )
    .token(&op)
    .json(json!({"into": dup}))
    .send()
    .await;
    assert_eq!(r.pointers(), vec!["/into"]);
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{dup}/dispatch"),
    )
    .token(&op)
    .json(json!({"organization_id": s.tree.county_a}))
    .send()
    .await;
    assert_eq!(r.status, 409);

    // Alerts: on Wed 22 Oct the complaint and suggestion are red, the consultation long so.
    let sup = login(&app, "sup.city", PASSWORD).await;
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-22&kind=hotline_ticket",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let levels: Vec<(String, i64)> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["level"].as_str().unwrap_or_default().to_owned(),
                        x["working_days_left"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(levels.len(), 4);
    assert!(levels.iter().all(|(l, _)| l == "red"));
    assert_eq!(r.body["items"][0]["rule_id"], "JC-A09");

    // Statistics: one reply on time of two replied.
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    for (i, day) in [(0, "2025-09-29"), (3, "2025-09-29")] {
        clock.set(at(day));
        let admin_a = login(&app, "admin.a", PASSWORD).await;
        let r = req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{}/reply", ids[i]),
        )
        .token(&admin_a)
        .json(json!({"reply": "已安排养护单位补装井盖。"}))
        .send()
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    drop(admin_a);
    let op = login(&app, "op.a", PASSWORD).await;
    let st = req(
        &app,
        Method::GET,
        "/api/v1/statistics/hotline?from=2025-09-01&to=2025-09-30&group_by=kind",
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(st.status, 200, "{:?}", st.body);
    assert_eq!(
        st.body["total"]["received"], 5,
        "the merged duplicate is left out"
    );
    assert_eq!(st.body["total"]["dispatched"], 4);
    assert_eq!(st.body["total"]["replied"], 2);
    assert_eq!(
        st.body["total"]["on_time_reply_rate"], 0.5,
        "the emergency was due on 26 Sep"
    );
}

#[actix_web::test]
async fn a_late_reply_stays_late_an_extension_after_the_due_date_is_refused() {
    // A help ticket dispatched Fri 26 Sep is due Tue 30 Sep (Sun 28 is worked; counting
    // weekends alone it would be Wed 1 Oct, a holiday).
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let s = setup(&app).await;
    let op = login(&app, "op.a", PASSWORD).await;
    let take = |op: &str, kind: &'static str, subject: &'static str| {
        let (app, op, center) = (&app, op.to_owned(), s.tree.city.clone());
        async move {
            let r = req(app, Method::POST, "/api/v1/hotline/tickets")
                .token(&op)
                .json(
                    json!({"center_id": center, "kind": kind, "channel": "phone",
                    "subject": subject, "description": "市民来电反映，请核实处理。",
                    "caller_contact": {"phone": "13912345678"}}),
                )
                .send()
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.id()
        }
    };
    let step = |token: &str, id: &str, action: &str, body: Value| {
        let app = &app;
        let (token, url) = (
            token.to_owned(),
            format!("/api/v1/hotline/tickets/{id}/{action}"),
        );
        async move {
            req(app, Method::POST, &url)
                .token(&token)
                .json(body)
                .send()
                .await
        }
    };
    let late = take(&op, "help", "路灯不亮").await;
    let d = step(
        &op,
        &late,
        "dispatch",
        json!({"organization_id": s.tree.county_a}),
    )
    .await;
    assert_eq!(d.body["due_date"], "2025-09-30");
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let ask = step(
        &admin_a,
        &late,
        "request-extension",
        json!({"days": 3, "reason": "需协调供电公司"}),
    )
    .await;
    assert_eq!(ask.status, 200, "{:?}", ask.body);
    // The operator decides on Wed 1 Oct, after the due date: refused.
    clock.set(at("2025-10-01"));
    let op = login(&app, "op.a", PASSWORD).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let decided = step(&op, &late, "extension-decision", json!({"approved": true})).await;
    assert_eq!(decided.status, 409, "{:?}", decided.body);
    assert_eq!(decided.body["code"], "extension.after_due_date");
    let asked_again = step(
        &admin_a,
        &late,
        "request-extension",
        json!({"days": 3, "reason": "需协调供电公司"}),
    )
    .await;
    assert_eq!(asked_again.status, 409);
    let refused = step(&op, &late, "extension-decision", json!({"approved": false})).await;
    assert_eq!(
        refused.status, 200,
        "a refusal clears the request: {:?}",
        refused.body
    );
    assert_eq!(refused.body["due_date"], "2025-09-30");
    let r = step(&admin_a, &late, "reply", json!({"reply": "已维修。"})).await;
    assert_eq!(r.status, 200);
    // Reopened on Thu 9 Oct with 5 working days (Sat 11 Oct is worked): due Wed 15 Oct,
    // answered that day.
    clock.set(at("2025-10-09"));
    let op = login(&app, "op.a", PASSWORD).await;
    let r = step(
        &op,
        &late,
        "callback",
        json!({"satisfied": false, "note": "仍不亮"}),
    )
    .await;
    assert_eq!(r.body["due_date"], "2025-10-15");
    let on_time = take(&op, "consultation", "社保转移咨询").await;
    let d = step(
        &op,
        &on_time,
        "dispatch",
        json!({"organization_id": s.tree.county_a}),
    )
    .await;
    assert_eq!(d.body["due_date"], "2025-10-13");
    clock.set(at("2025-10-13"));
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    assert_eq!(
        step(
            &admin_a,
            &on_time,
            "reply",
            json!({"reply": "已电话答复。"})
        )
        .await
        .status,
        200
    );
    clock.set(at("2025-10-15"));
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    assert_eq!(
        step(&admin_a, &late, "reply", json!({"reply": "已更换灯具。"}))
            .await
            .status,
        200
    );
    let op = login(&app, "op.a", PASSWORD).await;
    let timeline = req(
        &app,
        Method::GET,
        &format!("/api/v1/hotline/tickets/{late}/timeline"),
    )
    .token(&op)
    .send()
    .await;
    let on_time_flags: Vec<&Value> = timeline
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["action"] == "reply")
                .map(|e| &e["data"]["on_time"])
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(on_time_flags, vec![&json!(false), &json!(true)]);
    let st = req(
        &app,
        Method::GET,
        "/api/v1/statistics/hotline?from=2025-09-01&to=2025-10-31&group_by=kind",
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(st.status, 200, "{:?}", st.body);
    assert_eq!(st.body["total"]["replied"], 2);
    assert_eq!(st.body["total"]["replies"], 3);
    let rate = st.body["total"]["on_time_reply_rate"]
        .as_f64()
        .unwrap_or_default();
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
}

#[actix_web::test]
async fn the_knowledge_base_is_reviewed_and_found_by_two_character_words() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let s = setup(&app).await;
    let op = login(&app, "op.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.city", PASSWORD).await;
    let mut ids = Vec::new();
    for (q, a, valid_to) in [
        (
            "办理居住证需要哪些材料？",
            "本人居民身份证、近期照片、居住登记凭证及就业、住所或就读证明之一。",
            None,
        ),
        (
            "灵活就业人员如何缴纳社保？",
            "携带身份证到社保经办机构或通过网上服务大厅办理参保登记，按月缴费。",
            None,
        ),
        (
            "新生儿如何办理医保？",
            "出生后可在线办理参保，与社保卡同步申领。居住地不限。",
            None,
        ),
        (
            "2024年供暖补贴如何申请？",
            "已于2024年底截止申请。",
            Some("2024-12-31"),
        ),
    ] {
        let r = req(&app, Method::POST, "/api/v1/knowledge-base")
            .token(&op)
            .json(
                json!({"organization_id": s.tree.city, "question": q, "answer": a,
                "valid_to": valid_to}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.id());
    }
    let bad = req(&app, Method::POST, "/api/v1/knowledge-base")
        .token(&op)
        .json(
            json!({"organization_id": s.tree.city, "question": "", "answer": "x",
            "valid_from": "2025-02-01", "valid_to": "2025-01-01"}),
        )
        .send()
        .await;
    assert_eq!(bad.pointers(), vec!["/question", "/valid_to"]);
    let bad = req(&app, Method::POST, "/api/v1/knowledge-base")
        .token(&op)
        .json(
            json!({"organization_id": s.tree.city, "question": "问题", "answer": "答案",
            "matter_ids": [s.tree.city], "disclosure_ids": [s.tree.city]}),
        )
        .send()
        .await;
    assert_eq!(bad.pointers(), vec!["/matter_ids/0", "/disclosure_ids/0"]);
    let public = |q: &'static str| {
        let app = &app;
        async move {
            let r = req(
                app,
                Method::GET,
                &format!("/api/v1/knowledge-base?q={}", urlencode(q)),
            )
            .send()
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["question"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert!(public("居住").await.is_empty(), "drafts are not public");
    for id in &ids {
        assert_eq!(
            req(
                &app,
                Method::POST,
                &format!("/api/v1/knowledge-base/{id}/submit")
            )
            .token(&op)
            .send()
            .await
            .status,
            200
        );
        let own = req(
            &app,
            Method::POST,
            &format!("/api/v1/knowledge-base/{id}/publish"),
        )
        .token(&op)
        .send()
        .await;
        assert_eq!(own.status, 403);
        let p = req(
            &app,
            Method::POST,
            &format!("/api/v1/knowledge-base/{id}/publish"),
        )
        .token(&reviewer)
        .send()
        .await;
        assert_eq!(p.status, 200, "{:?}", p.body);
    }
    // Two-character words; a question match ranks above an answer match.
    assert_eq!(
        public("居住").await,
        vec!["办理居住证需要哪些材料？", "新生儿如何办理医保？"]
    );
    assert_eq!(
        public("社保").await,
        vec!["灵活就业人员如何缴纳社保？", "新生儿如何办理医保？"]
    );
    assert_eq!(public("医保 社保").await, vec!["新生儿如何办理医保？"]);
    assert!(
        public("补贴").await.is_empty(),
        "expired entries are not served"
    );
    let staff = req(
        &app,
        Method::GET,
        &format!("/api/v1/knowledge-base?q={}", urlencode("补贴")),
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(
        staff.body["items"].as_array().map(Vec::len),
        Some(1),
        "staff see every entry of their scope"
    );
    let retired = req(
        &app,
        Method::POST,
        &format!("/api/v1/knowledge-base/{}/retire", ids[0]),
    )
    .token(&reviewer)
    .send()
    .await;
    assert_eq!(retired.body["state"], "retired");
    assert_eq!(public("居住").await, vec!["新生儿如何办理医保？"]);

    // A ticket's reply becomes a draft entry with personal data masked.
    let tk = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .token(&op)
        .json(json!({"kind": "consultation", "channel": "phone",
            "subject": "电话13912345678的市民咨询公积金提取",
            "description": "咨询公积金提取条件。", "caller_contact": {"phone": "13912345678"}}))
        .send()
        .await
        .id();
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{tk}/knowledge-entry"),
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(r.status, 409, "no reply yet");
    assert_eq!(
        req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{tk}/dispatch")
        )
        .token(&op)
        .json(json!({"organization_id": s.tree.county_a}))
        .send()
        .await
        .status,
        200
    );
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{tk}/reply")
        )
        .token(&admin_a)
        .json(json!({"reply": "购房、退休、离职等情形可申请提取。"}))
        .send()
        .await
        .status,
        200
    );
    let draft = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{tk}/knowledge-entry"),
    )
    .token(&admin_a)
    .send()
    .await;
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    assert_eq!(draft.body["state"], "draft");
    assert_eq!(draft.body["organization_id"], s.tree.county_a.as_str());
    assert!(
        !draft.body["question"]
            .as_str()
            .unwrap_or_default()
            .contains("13912345678")
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[actix_web::test]
async fn the_demo_has_tickets_in_every_state_and_a_knowledge_base() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let op = login(&app, "city.hotline", zhengwu_api::demo::DEMO_PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/hotline/tickets?limit=50")
        .token(&op)
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut states: Vec<String> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["state"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec![
            "called_back",
            "closed",
            "dispatched",
            "merged",
            "received",
            "reopened",
            "replied",
            "returned"
        ]
    );
    let number = r.body["items"][1]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lookup = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/hotline/tickets/{number}?code=DEMO2001"),
    )
    .send()
    .await;
    assert_eq!(lookup.status, 200, "{:?}", lookup.body);
    let kb = req(&app, Method::GET, "/api/v1/knowledge-base?limit=200")
        .send()
        .await;
    assert_eq!(kb.body["items"].as_array().map(Vec::len), Some(28));
    let found = req(
        &app,
        Method::GET,
        &format!("/api/v1/knowledge-base?q={}", urlencode("备案")),
    )
    .send()
    .await;
    assert_eq!(found.body["items"][0]["question"], "医保异地就医如何备案？");
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(2));
    let answers = req(&app, Method::GET, "/api/v1/public/hotline/answers")
        .send()
        .await;
    assert_eq!(answers.body["items"].as_array().map(Vec::len), Some(3));
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?kind=hotline_ticket",
    )
    .token(&sup)
    .send()
    .await;
    let levels: Vec<&str> = alerts.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["level"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        levels.contains(&"red") && levels.contains(&"yellow"),
        "{levels:?}"
    );
}
