//! Deadlines counted on the working-day calendar.

use super::*;

#[actix_web::test]
async fn the_calendar_counts_deadlines_across_holidays() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let url = "/api/v1/calendars/deadline?start=2025-09-26&working_days=20";
    let before = req(&app, Method::GET, url).send().await;
    assert_eq!(before.status, 200);
    assert_eq!(before.body["due_date"], "2025-10-24");
    assert_eq!(before.body["years_without_calendar"], json!([2025]));
    assert!(before.body["warning"].is_string());

    let holidays: Vec<String> = (1..=8).map(|d| format!("2025-10-0{d}")).collect();
    let put = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .json(json!({"holidays": holidays, "adjusted_working_days": ["2025-09-28", "2025-10-11"]}))
        .send()
        .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let after = req(&app, Method::GET, url).send().await;
    assert_eq!(after.body["due_date"], "2025-10-30");
    assert_eq!(after.body["years_without_calendar"], json!([]));
    let skipped = after.body["skipped"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        skipped.iter().filter(|s| s["reason"] == "holiday").count(),
        8
    );
    assert_eq!(
        skipped[0],
        json!({"date": "2025-09-27", "reason": "weekend"})
    );

    let stale = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .header("If-Match", "\"7\"")
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let bad = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&admin)
        .json(json!({"holidays": ["2025-10-01"], "adjusted_working_days": ["2025-10-09"]}))
        .send()
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/adjusted_working_days/0"]);
    let got = req(&app, Method::GET, "/api/v1/calendars/2025")
        .send()
        .await;
    assert_eq!(got.body["holidays"].as_array().map(Vec::len), Some(8));
    let none = req(&app, Method::GET, "/api/v1/calendars/2031")
        .send()
        .await;
    assert_eq!(none.status, 404);

    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = req(&app, Method::PUT, "/api/v1/calendars/2026")
        .token(&org_admin)
        .json(json!({"holidays": [], "adjusted_working_days": []}))
        .send()
        .await;
    assert_eq!(r.status, 403);
}

#[actix_web::test]
async fn deadlines_counted_without_a_years_schedule_are_flagged_listed_and_counted_again() {
    // Mon 28 Dec 2026: 2026's schedule is loaded, 2027's not yet.
    let clock = Arc::new(FixedClock::new(at("2026-12-28")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let put = |year: i32, holidays: serde_json::Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            req(app, Method::PUT, &format!("/api/v1/calendars/{year}"))
                .token(&admin)
                .json(json!({"holidays": holidays, "adjusted_working_days": []}))
                .send()
                .await
        }
    };
    assert_eq!(put(2026, json!(["2026-01-01"])).await.status, 200);
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    create_user(&app, &admin, "admin.b", "org_admin", &tree.county_b).await;

    // A topic request forwarded with 5 working days, and a complaint with the default 5 days
    // to decide on its acceptance: counting weekends alone, both fall on Mon 4 Jan 2027.
    let m = req(&app, Method::POST, "/api/v1/public-messages")
        .json(
            json!({"kind": "topic_request", "organization_id": tree.county_a,
            "subject": "希望公开2027年春运保障方案", "text": "请公开保障方案。",
            "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert_eq!(m.status, 201, "{:?}", m.body);
    let officer = login(&app, "officer.a", PASSWORD).await;
    let f = req(
        &app,
        Method::POST,
        &format!("/api/v1/public-messages/{}/forward", m.id()),
    )
    .token(&officer)
    .json(json!({"organization_id": tree.hall_a, "working_days": 5}))
    .send()
    .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert_eq!(f.body["feedback_due"], "2027-01-04");
    assert_eq!(f.body["years_without_calendar"], json!([2027]));
    let k = req(&app, Method::POST, "/api/v1/complaints")
        .json(
            json!({"kind": "complaint", "category": "delay", "organization_id": tree.hall_a,
            "text": "窗口办理拖延。", "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert_eq!(k.status, 201, "{:?}", k.body);
    assert_eq!(k.body["acceptance_due"], "2027-01-04");
    assert_eq!(k.body["years_without_calendar"], json!([2027]));
    let deadline = req(
        &app,
        Method::GET,
        "/api/v1/calendars/deadline?start=2026-12-28&working_days=5",
    )
    .send()
    .await;
    assert_eq!(deadline.body["years_without_calendar"], json!([2027]));

    // Listed for administrators, within their scope.
    let listed = |token: String| {
        let app = &app;
        async move {
            req(app, Method::GET, "/api/v1/calendars/provisional-deadlines")
                .token(&token)
                .send()
                .await
        }
    };
    let all = listed(admin.clone()).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let kinds: Vec<(&str, &str)> = all.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["kind"].as_str().unwrap_or_default(),
                        d["due_date"].as_str().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        kinds,
        vec![
            ("complaint_acceptance", "2027-01-04"),
            ("message_feedback", "2027-01-04")
        ]
    );
    assert_eq!(all.body["items"][1]["label"], "希望公开2027年春运保障方案");
    assert_eq!(
        all.body["items"][1]["years_without_calendar"],
        json!([2027])
    );
    let county_a = listed(login(&app, "admin.a", PASSWORD).await).await;
    assert_eq!(county_a.body["items"].as_array().map(Vec::len), Some(2));
    let county_b = listed(login(&app, "admin.b", PASSWORD).await).await;
    assert_eq!(county_b.body["items"], json!([]));
    assert_eq!(listed(officer.clone()).await.status, 403);

    // Loading 2027 (1–3 Jan off) counts them again: Tue 5 Jan.
    let loaded = put(2027, json!(["2027-01-01", "2027-01-02", "2027-01-03"])).await;
    assert_eq!(loaded.status, 200, "{:?}", loaded.body);
    let messages = req(&app, Method::GET, "/api/v1/public-messages")
        .token(&login(&app, "officer.a", PASSWORD).await)
        .send()
        .await;
    assert_eq!(messages.body["items"][0]["feedback_due"], "2027-01-05");
    assert_eq!(
        messages.body["items"][0]["years_without_calendar"],
        json!([])
    );
    let complaint = req(&app, Method::GET, &format!("/api/v1/complaints/{}", k.id()))
        .token(&admin)
        .send()
        .await;
    assert_eq!(complaint.body["acceptance_due"], "2027-01-05");
    assert_eq!(complaint.body["years_without_calendar"], json!([]));
    assert_eq!(listed(admin.clone()).await.body["items"], json!([]));
    // The alerts follow: on Tue 5 Jan the feedback is due, not overdue.
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2027-01-05&kind=public_message",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(alerts.body["items"][0]["level"], "yellow");
    assert_eq!(alerts.body["items"][0]["due_date"], "2027-01-05");
}

#[actix_web::test]
async fn windows_are_staffed_on_a_b_posts() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let a = create_user(&app, &admin, "clerk.a", "clerk", &tree.hall_a).await;
    let b = create_user(&app, &admin, "clerk.b", "clerk", &tree.hall_a).await;
    let outsider = create_user(&app, &admin, "clerk.x", "clerk", &tree.dept_b).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let windows_url = format!("/api/v1/halls/{}/windows", tree.hall_a);

    let w = req(&app, Method::POST, &windows_url)
        .token(&admin_a)
        .json(json!({"number": "01", "name": "综合受理窗口", "combined": true}))
        .send()
        .await;
    assert_eq!(w.status, 201, "{:?}", w.body);
    let dup = req(&app, Method::POST, &windows_url)
        .token(&admin_a)
        .json(json!({"number": "01", "name": "重复"}))
        .send()
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.pointers(), vec!["/number"]);
    // Windows belong to halls only.
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/halls/{}/windows", tree.county_a),
    )
    .token(&admin_a)
    .json(json!({"number": "02", "name": "x"}))
    .send()
    .await;
    assert_eq!(r.status, 404);

    let staff_url = format!("/api/v1/windows/{}/staff", w.id());
    let only_a = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .json(json!({"staff": [{"user_id": a, "post": "a"}]}))
        .send()
        .await;
    assert_eq!(only_a.status, 422);
    assert_eq!(only_a.body["errors"][0]["code"], "window.ab_posts");
    let foreign = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .json(json!({"staff": [{"user_id": a, "post": "a"}, {"user_id": outsider, "post": "b"}]}))
        .send()
        .await;
    assert_eq!(foreign.status, 422);
    assert_eq!(foreign.pointers(), vec!["/staff/1/user_id"]);
    let ok = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .header("If-Match", "\"1\"")
        .json(json!({"staff": [{"user_id": a, "post": "a"}, {"user_id": b, "post": "b"}]}))
        .send()
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["staff"].as_array().map(Vec::len), Some(2));
    let stale = req(&app, Method::PUT, &staff_url)
        .token(&admin_a)
        .header("If-Match", "\"1\"")
        .json(json!({"staff": []}))
        .send()
        .await;
    assert_eq!(stale.status, 412);

    let other_county = login(&app, "clerk.x", PASSWORD).await;
    let r = req(&app, Method::GET, &format!("/api/v1/windows/{}", w.id()))
        .token(&other_county)
        .send()
        .await;
    assert_eq!(r.status, 404);
    let clerk_a = login(&app, "clerk.a", PASSWORD).await;
    let list = req(&app, Method::GET, &windows_url)
        .token(&clerk_a)
        .send()
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body["items"][0]["staff"].as_array().map(Vec::len),
        Some(2)
    );
}
