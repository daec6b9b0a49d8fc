//! What an official writes in a transition's `note` is kept: in the object's trail (its
//! timeline, or the field the object keeps it in) and in the audit event of the transition.
//! The transitions are read from the contract, so one added later without a journey here
//! fails the test.

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_tests::world::{self, World, post_ok};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

/// The transitions whose body documents a `note`: POSTs that create nothing.
fn transitions_with_a_note() -> Vec<String> {
    let doc = contract::document();
    let mut ids: Vec<String> = contract::operations(&doc)
        .into_iter()
        .filter(|op| op.method == "POST" && !op.statuses.iter().any(|s| s == "201"))
        .filter(|op| op.body_properties(&doc).iter().any(|p| p == "note"))
        .map(|op| op.operation_id)
        .collect();
    ids.sort();
    ids
}

fn note(op: &str) -> String {
    format!("{op} 的备注：请核对第三项材料")
}

/// Where a note was read back from.
struct Found {
    op: &'static str,
    trail: bool,
    audit: bool,
}

/// Whether an audit event of the entity carries `note` in what it recorded.
async fn in_audit<S, B>(app: &S, w: &World, entity_type: &str, id: &str, note: &str) -> bool
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(
        app,
        Method::GET,
        &format!("/api/v1/audit-events?entity_type={entity_type}&entity_id={id}&limit=200"),
    )
    .token(&w.admin)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .is_some_and(|events| events.iter().any(|e| e["after"]["note"] == note))
}

fn entries_have(entries: &Value, note: &str) -> bool {
    entries
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x["note"] == note))
}

#[actix_web::test]
async fn every_note_a_transition_accepts_is_in_its_trail_and_its_audit_event() {
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let mut found: Vec<Found> = Vec::new();

    // Disclosure items: submit, approve, revise; the trail is the item's timeline.
    let item = world::draft_item(&t, &app, &w, "济南市2025年重点工作计划").await;
    let step = |who: &'static str, action: &'static str, body: Value| {
        let (app, w, item) = (&app, &w, item.clone());
        async move {
            post_ok(
                app,
                w.token(who),
                &format!("/api/v1/disclosures/{item}/{action}"),
                body,
            )
            .await
        }
    };
    step(
        "city.disclosure",
        "submit",
        json!({"note": note("submitDisclosure")}),
    )
    .await;
    step(
        "city.reviewer",
        "approve",
        json!({"note": note("approveDisclosure")}),
    )
    .await;
    step("city.disclosure", "publish", json!({})).await;
    step(
        "city.disclosure",
        "revise",
        json!({"note": note("reviseDisclosure")}),
    )
    .await;
    let trail = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{item}/timeline"),
    )
    .token(w.token("city.disclosure"))
    .send()
    .await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    for op in ["submitDisclosure", "approveDisclosure", "reviseDisclosure"] {
        found.push(Found {
            op,
            trail: entries_have(&trail.body["entries"], &note(op)),
            audit: in_audit(&app, &w, "disclosure", &item, &note(op)).await,
        });
    }

    // Cases: accept, and resume after a special procedure; the trail is the timeline.
    let case = world::window_case(&t, &app, &w).await;
    let clerk = w.token("city.clerk.a");
    let path = |action: &str| format!("/api/v1/cases/{case}/{action}");
    post_ok(
        &app,
        clerk,
        &path("accept"),
        json!({"note": note("acceptCase")}),
    )
    .await;
    post_ok(
        &app,
        clerk,
        &path("suspend"),
        json!({"procedure": "expert_review", "reason": "需组织专家评审"}),
    )
    .await;
    post_ok(
        &app,
        clerk,
        &path("resume"),
        json!({"note": note("resumeCase")}),
    )
    .await;
    let trail = req(&app, Method::GET, &path("timeline"))
        .token(clerk)
        .send()
        .await;
    for op in ["acceptCase", "resumeCase"] {
        found.push(Found {
            op,
            trail: entries_have(&trail.body["entries"], &note(op)),
            audit: in_audit(&app, &w, "case", &case, &note(op)).await,
        });
    }

    // Supervision orders: the demo's issued order, answered and closed.
    let order = world::one(
        &t,
        "SELECT id::text AS t FROM supervision_orders WHERE state = 'issued'",
    );
    let path = |action: &str| format!("/api/v1/supervision/orders/{order}/{action}");
    post_ok(
        &app,
        w.token("city.admin"),
        &path("respond"),
        json!({"response": "已督促窗口在两个工作日内办结"}),
    )
    .await;
    let closed = post_ok(
        &app,
        w.token("city.supervisor"),
        &path("close"),
        json!({"note": note("closeSupervisionOrder")}),
    )
    .await;
    found.push(Found {
        op: "closeSupervisionOrder",
        trail: closed.body["closing_note"] == note("closeSupervisionOrder"),
        audit: in_audit(
            &app,
            &w,
            "supervision_order",
            &order,
            &note("closeSupervisionOrder"),
        )
        .await,
    });

    // 12345 tickets: dispatch, the extension decision, callback, close; and a merge.
    let ticket = world::ticket(&t, &app, &w, "小区停水").await;
    let op_token = w.token("city.hotline");
    let lixia = world::org(&t, "历下区人民政府");
    let path = |action: &str| format!("/api/v1/hotline/tickets/{ticket}/{action}");
    post_ok(
        &app,
        op_token,
        &path("dispatch"),
        json!({"organization_id": lixia, "note": note("dispatchTicket")}),
    )
    .await;
    post_ok(
        &app,
        w.token("lixia.admin"),
        &path("request-extension"),
        json!({"days": 2, "reason": "需协调供水企业排查管网"}),
    )
    .await;
    post_ok(
        &app,
        op_token,
        &path("extension-decision"),
        json!({"approved": true, "note": note("decideTicketExtension")}),
    )
    .await;
    post_ok(
        &app,
        w.token("lixia.admin"),
        &path("reply"),
        json!({"reply": "已抢修恢复供水。", "public": false}),
    )
    .await;
    post_ok(
        &app,
        op_token,
        &path("callback"),
        json!({"satisfied": true, "note": note("recordTicketCallback")}),
    )
    .await;
    post_ok(
        &app,
        op_token,
        &path("close"),
        json!({"note": note("closeTicket")}),
    )
    .await;
    let duplicate = world::ticket(&t, &app, &w, "小区停水（重复来电）").await;
    post_ok(
        &app,
        op_token,
        &format!("/api/v1/hotline/tickets/{duplicate}/merge"),
        json!({"into": ticket, "note": note("mergeTicket")}),
    )
    .await;
    let timeline = |id: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/hotline/tickets/{id}/timeline"),
            )
            .token(op_token)
            .send()
            .await
            .body
        }
    };
    let trail = timeline(ticket.clone()).await;
    for op in [
        "dispatchTicket",
        "decideTicketExtension",
        "recordTicketCallback",
        "closeTicket",
    ] {
        found.push(Found {
            op,
            trail: entries_have(&trail, &note(op)),
            audit: in_audit(&app, &w, "hotline_ticket", &ticket, &note(op)).await,
        });
    }
    found.push(Found {
        op: "mergeTicket",
        trail: entries_have(&timeline(duplicate.clone()).await, &note("mergeTicket")),
        audit: in_audit(&app, &w, "hotline_ticket", &duplicate, &note("mergeTicket")).await,
    });

    // Rectifications: the demo's verified one, rectified, called back and closed.
    let rect = world::one(
        &t,
        "SELECT id::text AS t FROM rectifications WHERE state = 'verified'",
    );
    let path = |action: &str| format!("/api/v1/rectifications/{rect}/{action}");
    let admin = w.token("city.admin");
    post_ok(
        &app,
        admin,
        &path("rectify"),
        json!({"measures": "对窗口人员开展服务规范培训"}),
    )
    .await;
    post_ok(
        &app,
        admin,
        &path("callback"),
        json!({"satisfied": true, "note": note("recordRectificationCallback")}),
    )
    .await;
    let closed = post_ok(
        &app,
        w.token("city.supervisor"),
        &path("close"),
        json!({"note": note("closeRectification")}),
    )
    .await;
    found.push(Found {
        op: "recordRectificationCallback",
        trail: closed.body["callback_note"] == note("recordRectificationCallback"),
        audit: in_audit(
            &app,
            &w,
            "rectification",
            &rect,
            &note("recordRectificationCallback"),
        )
        .await,
    });
    found.push(Found {
        op: "closeRectification",
        trail: closed.body["close_note"] == note("closeRectification"),
        audit: in_audit(
            &app,
            &w,
            "rectification",
            &rect,
            &note("closeRectification"),
        )
        .await,
    });

    let mut covered: Vec<String> = found.iter().map(|f| f.op.to_owned()).collect();
    covered.sort();
    assert_eq!(
        covered,
        transitions_with_a_note(),
        "every transition documenting a note has a journey here"
    );
    let lost: Vec<String> = found
        .iter()
        .filter(|f| !(f.trail && f.audit))
        .map(|f| format!("{}: trail {}, audit {}", f.op, f.trail, f.audit))
        .collect();
    assert!(lost.is_empty(), "notes dropped: {lost:#?}");
}

/// A note is text like any other: blank or too long is a 422 naming it, and nothing moves.
#[actix_web::test]
async fn a_blank_or_overlong_note_is_refused() {
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let item = world::draft_item(&t, &app, &w, "济南市2025年统计公报").await;
    for bad in [json!("   "), json!("注".repeat(1001))] {
        let r = req(
            &app,
            Method::POST,
            &format!("/api/v1/disclosures/{item}/submit"),
        )
        .token(w.token("city.disclosure"))
        .json(json!({ "note": bad }))
        .send()
        .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.pointers(), vec!["/note"]);
    }
    let case = world::window_case(&t, &app, &w).await;
    let r = req(&app, Method::POST, &format!("/api/v1/cases/{case}/accept"))
        .token(w.token("city.clerk.a"))
        .json(json!({"note": ""}))
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/note"]);
    let item_state = req(&app, Method::GET, &format!("/api/v1/disclosures/{item}"))
        .token(w.token("city.disclosure"))
        .send()
        .await;
    assert_eq!(item_state.body["state"], "draft");
}
