//! Journeys of participation: a consultation with moderated comments, and a topic request
//! answered on the echo wall.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::json;
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn t(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|x| x.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

#[actix_web::test]
async fn comments_are_taken_only_while_open_and_contacts_stay_private() {
    let clock = Arc::new(FixedClock::new(t("2026-05-30T02:00:00Z")));
    let ts = TestApp::with_clock(clock.clone()).await;
    let app = app!(ts);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    let officer = login(&app, "officer.a", PASSWORD).await;
    let c = req(&app, Method::POST, "/api/v1/consultations")
        .token(&officer)
        .json(json!({"organization_id": tree.county_a,
            "title": "关于公开征求《2026年政务公开工作任务分工方案》意见的公告",
            "draft_text": "一、总体要求……", "opens_at": "2026-06-01T00:00:00Z",
                "closes_at": "2026-06-06T03:00:00Z"}))
        .send()
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let id = c.id();
    let comment = |body: serde_json::Value| {
        req(
            &app,
            Method::POST,
            &format!("/api/v1/consultations/{id}/comments"),
        )
        .json(body)
        .send()
    };
    let anon = json!({"text": "建议公开各部门任务完成时限。联系我：13812345678",
        "display_name": "历下区居民",
        "contact": {"phone": "13812345678"}});
    assert_eq!(
        comment(anon.clone()).await.status,
        404,
        "a draft is not public"
    );
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/open"),
    )
    .token(&officer)
    .send()
    .await;
    assert_eq!(r.status, 200);
    // Open, but not yet by the server's clock.
    assert_eq!(comment(anon.clone()).await.status, 409);
    clock.set(t("2026-06-03T08:00:00Z"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let no_contact = comment(json!({"text": "匿名意见"})).await;
    assert_eq!(no_contact.status, 422);
    assert_eq!(no_contact.pointers(), vec!["/contact"]);
    let made = comment(anon.clone()).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let comment_id = made.id();
    assert!(made.body["contact"].is_null());
    let public = req(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}/comments"),
    )
    .send()
    .await;
    assert_eq!(
        public.body["items"].as_array().map(Vec::len),
        Some(0),
        "pending comments are not public"
    );
    let m = req(
        &app,
        Method::POST,
        &format!("/api/v1/consultation-comments/{comment_id}/moderate"),
    )
    .token(&officer)
    .json(json!({"decision": "approved"}))
    .send()
    .await;
    assert_eq!(m.status, 200);
    let public = req(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}/comments"),
    )
    .send()
    .await;
    let first = &public.body["items"][0];
    assert_eq!(first["display_name"], "历下区居民");
    assert!(first["contact"].is_null());
    assert!(
        !first["text"]
            .as_str()
            .unwrap_or_default()
            .contains("13812345678"),
        "{first}"
    );
    let staff = req(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}/comments"),
    )
    .token(&officer)
    .send()
    .await;
    assert_eq!(staff.body["items"][0]["contact"]["phone"], "13812345678");
    // Closed by the server's clock at 06-06 03:00Z.
    clock.set(t("2026-06-06T03:00:00Z"));
    let late = comment(anon).await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["code"], "consultation.closed");
    let officer = login(&app, "officer.a", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::POST,
            &format!("/api/v1/consultations/{id}/close")
        )
        .token(&officer)
        .send()
        .await
        .status,
        200
    );
    let s = req(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{id}/summary"),
    )
    .token(&officer)
    .json(
        json!({"summary": "共收到意见1条，已采纳1条。", "adoptions": [{"comment_id": comment_id,
            "adopted": true, "note": "已在方案中明确时限"}]}),
    )
    .send()
    .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["state"], "summarized");
    let public = req(
        &app,
        Method::GET,
        &format!("/api/v1/consultations/{id}/comments"),
    )
    .send()
    .await;
    assert_eq!(public.body["items"][0]["adopted"], true);
}

#[actix_web::test]
async fn a_topic_request_is_forwarded_answered_and_published_without_personal_data() {
    let ts = TestApp::start().await;
    let app = app!(ts);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(
        &app,
        &admin,
        "officer.b",
        "disclosure_officer",
        &tree.county_b,
    )
    .await;
    let officer = login(&app, "officer.a", PASSWORD).await;
    let m = req(&app, Method::POST, "/api/v1/public-messages")
        .json(
            json!({"kind": "topic_request", "organization_id": tree.county_a,
            "subject": "希望公开老旧小区加装电梯补贴标准",
                "text": "请公开补贴标准。我的电话13812345678。",
            "name": "张三", "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert_eq!(m.status, 201, "{:?}", m.body);
    let id = m.id();
    let step = |token: String, action: &'static str, body: serde_json::Value| {
        let app = &app;
        let id = id.clone();
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/public-messages/{id}/{action}"),
            )
            .token(&token)
            .json(body)
            .send()
            .await
        }
    };
    assert_eq!(
        step(officer.clone(), "publish", json!({})).await.status,
        409
    );
    let other = login(&app, "officer.b", PASSWORD).await;
    assert_eq!(
        step(
            other,
            "forward",
            json!({"organization_id": tree.hall_a, "working_days": 5})
        )
        .await
        .status,
        404
    );
    let f = step(
        officer.clone(),
        "forward",
        json!({"organization_id": tree.hall_a, "working_days": 5}),
    )
    .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert!(f.body["feedback_due"].is_string());
    let bad = step(
        officer.clone(),
        "answer",
        json!({"answer_kind": "disclosed", "answer": "已公开"}),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/disclosure_id"]);
    let a = step(
        officer.clone(),
        "answer",
        json!({"answer_kind": "replied",
        "answer": "补贴标准将于下月随政策一并公开，联系电话0531-86026000。"}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        step(officer.clone(), "publish", json!({})).await.status,
        200
    );
    let wall = req(&app, Method::GET, "/api/v1/public/echo-wall")
        .send()
        .await;
    let entry = &wall.body["items"][0];
    assert_eq!(entry["subject"], "希望公开老旧小区加装电梯补贴标准");
    assert_eq!(entry["answered_by"], "历下区政务服务中心");
    let text = wall.body.to_string();
    assert!(
        !text.contains("13812345678") && !text.contains("张三"),
        "{text}"
    );
    assert!(text.contains("0531-86026000"), "office phones stay");
    let staff = req(&app, Method::GET, "/api/v1/public-messages")
        .token(&officer)
        .send()
        .await;
    assert_eq!(staff.body["items"][0]["contact"]["phone"], "13812345678");
}
