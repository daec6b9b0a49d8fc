//! Statistics computed from the records, compared with counts by hand.

use super::*;

#[actix_web::test]
async fn statistics_equal_the_counts_by_hand() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [h.matter], "channel": "web"}))
            .send()
            .await;
        ids.push(r.id());
    }
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for id in &ids[..3] {
        assert_eq!(act(&app, &clerk, id, "accept", json!({})).await.status, 200);
    }
    assert_eq!(
        act(
            &app,
            &clerk,
            &ids[3],
            "refuse",
            json!({"reason": "不符合受理条件"})
        )
        .await
        .status,
        200
    );
    // Case 1 decided Mon 29 Sep (due Tue 30: early and on time, 2 working days used).
    clock.set(at("2025-09-29"));
    let reviewer2 = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer2,
        &ids[0],
        "decide",
        json!({"decision": "approved", "result_number": "A1"}),
    )
    .await;
    assert_eq!(d.status, 200);
    // Case 2 decided Thu 9 Oct (late; 4 working days used: 28, 29, 30 Sep and 9 Oct).
    clock.set(at("2025-10-09"));
    let reviewer3 = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer3,
        &ids[1],
        "decide",
        json!({"decision": "denied", "reason": "不符合法定条件"}),
    )
    .await;
    assert_eq!(d.status, 200);
    let admin = login(&app, "admin.a", PASSWORD).await;
    let s = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=window",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    let g = &s.body["groups"][0];
    assert_eq!(g["label"], "05 工程建设项目审批窗口");
    assert_eq!(
        (
            g["received"].as_u64(),
            g["accepted"].as_u64(),
            g["refused"].as_u64(),
            g["completed"].as_u64()
        ),
        (Some(4), Some(3), Some(1), Some(2))
    );
    assert_eq!(g["completion_rate"], 0.6667);
    assert_eq!(g["on_time_rate"], 0.5);
    assert_eq!(g["early_completion_rate"], 0.5);
    assert!(g["on_the_spot_rate"].is_null(), "no immediate cases");
    assert_eq!(g["average_working_days_used"], 3.0);
    assert_eq!(g["average_working_days_promised"], 3.0);
    assert_eq!(s.body["total"]["received"], 4);
    statistics_by_org_and_hall_come_from_the_refreshed_days(&t, &app, &admin).await;
    let by_matter = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=matter",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(by_matter.body["groups"][0]["label"], "建筑工程施工许可");
    let outside = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-10-01&to=2025-10-31&group_by=org",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(
        outside.body["total"]["received"], 0,
        "counted by day of receipt"
    );
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let clerk_view = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=org",
    )
    .token(&clerk)
    .send()
    .await;
    assert_eq!(clerk_view.status, 403);
}
