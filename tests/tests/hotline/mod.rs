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
    // The domain events of the ticket, as integrations see them.
    assert_eq!(
        events_of(&t, &format!("hotline/tickets/{id}")),
        [
            "ticket.dispatched",
            "ticket.returned",
            "ticket.dispatched",
            "ticket.replied",
            "ticket.reopened",
            "ticket.replied"
        ]
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

mod deadlines;
mod knowledge;
