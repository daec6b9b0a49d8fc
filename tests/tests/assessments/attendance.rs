//! Attendance and daily assessments: the checks, the field errors and the scope.

use super::*;

#[actix_web::test]
async fn attendance_checks_the_window_staff_and_the_ab_cover() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let [w1, w2, _] = &h.w;
    let [c1, c2, c3, _] = &h.c;
    let bad = |body: Value| {
        let app = &app;
        let sup = sup.clone();
        async move { post(app, &sup, "/api/v1/attendance", body).await }
    };
    let r = bad(json!({"window_id": w1, "user_id": c3, "day": "2026-11-19", "status": "present"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/user_id"]);
    assert_eq!(r.body["errors"][0]["code"], "attendance.not_window_staff");
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "absent",
        "covered_by": c3}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/covered_by"]);
    assert_eq!(
        r.body["errors"][0]["code"],
        "attendance.cover_not_window_staff"
    );
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "absent",
        "covered_by": c1}),
    )
    .await;
    assert_eq!(r.body["errors"][0]["code"], "attendance.cover_self");
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present",
        "covered_by": c2}),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/covered_by"]);
    assert_eq!(r.body["errors"][0]["code"], "attendance.cover_not_needed");
    // Tomorrow, by the server's clock in Asia/Shanghai.
    let r = bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-21", "status": "present"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/day"]);
    assert_eq!(r.body["errors"][0]["code"], "date.future");
    let r =
        bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "sick"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/status"]);
    let r = bad(
        json!({"window_id": h.tree.hall_a, "user_id": c1, "day": "2026-11-19",
        "status": "present"}),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/window_id"]);

    // B covers for A on leave; a retry with the same key is answered once.
    let body = json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "leave",
        "covered_by": c2, "note": "病假，B岗顶岗"});
    let first = req(&app, Method::POST, "/api/v1/attendance")
        .token(&sup)
        .header("Idempotency-Key", "att-c1-1119")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["uncovered"], false);
    assert_eq!(first.body["hall_id"], h.tree.hall_a.as_str());
    let again = req(&app, Method::POST, "/api/v1/attendance")
        .token(&sup)
        .header("Idempotency-Key", "att-c1-1119")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.id(), first.id());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    // One record per staff member and day: the second is a conflict naming the first.
    let dup =
        bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present"}))
            .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["code"], "attendance.duplicate");
    assert_eq!(dup.body["context"]["id"], first.id().as_str());

    // A correction keeps the staff member, who holds no post at window 02.
    let url = format!("/api/v1/attendance/{}", first.id());
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .json(json!({"window_id": w2, "status": "late"}))
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/user_id"]);
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"7\"")
        .json(json!({"window_id": w1, "status": "absent"}))
        .send()
        .await;
    assert_eq!(r.status, 412);
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(json!({"window_id": w1, "status": "absent"}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["uncovered"], true);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));

    let list = get(
        &app,
        &sup,
        &format!(
            "/api/v1/attendance?hall={}&from=2026-11-01&to=2026-11-30&user={c1}",
            h.tree.hall_a
        ),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.body["items"][0]["status"], "absent");

    // Both changes are in the audit log.
    let audit = get(
        &app,
        &h.admin,
        &format!(
            "/api/v1/audit-events?entity_type=attendance&entity_id={}",
            first.id()
        ),
    )
    .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(actions.contains(&"attendance.record"), "{actions:?}");
    assert!(actions.contains(&"attendance.amend"), "{actions:?}");
}

#[actix_web::test]
async fn assessments_name_the_invalid_field() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let hall_id = h.tree.hall_a.as_str();
    let [w1, ..] = &h.w;
    let check = |body: Value, pointer: &'static str, code: &'static str| {
        let app = &app;
        let sup = sup.clone();
        async move {
            let r = post(app, &sup, "/api/v1/assessments", body).await;
            assert_eq!(r.status, 422, "{:?}", r.body);
            assert_eq!(r.pointers(), vec![pointer], "{:?}", r.body);
            assert_eq!(r.body["errors"][0]["code"], code, "{:?}", r.body);
        }
    };
    let mut b = window(hall_id, w1, "2026-11-19", &[("attitude", 2, "热情")]);
    b["items"][0]["dimension"] = json!("friendliness");
    check(b, "/items/0/dimension", "enum.unknown_value").await;
    check(
        window(
            hall_id,
            w1,
            "2026-11-19",
            &[("attitude", 2, "热情"), ("skill", 11, "满分")],
        ),
        "/items/1/points",
        "assessment.points_range",
    )
    .await;
    check(
        window(hall_id, w1, "2026-11-19", &[("handling", 0, "无")]),
        "/items/0/points",
        "assessment.points_range",
    )
    .await;
    check(
        window(hall_id, w1, "2026-11-19", &[("handling", -2, "  ")]),
        "/items/0/reason",
        "text.empty",
    )
    .await;
    let mut b = window(hall_id, w1, "2026-11-19", &[("handling", -2, "超期")]);
    b["items"][0].as_object_mut().map(|o| o.remove("reason"));
    check(b, "/items/0/reason", "field.required").await;
    check(
        window(hall_id, w1, "2026-11-21", &[]),
        "/day",
        "date.future",
    )
    .await;
    // A clerk who holds no post is not a staff member of the hall's windows; a hall is not
    // a window.
    let outsider = create_user(&app, &h.admin, "clerk9", "clerk", &h.tree.hall_a).await;
    check(
        staff(hall_id, &outsider, "2026-11-19", &[]),
        "/subject_id",
        "assessment.not_in_hall",
    )
    .await;
    check(
        window(hall_id, hall_id, "2026-11-19", &[]),
        "/subject_id",
        "assessment.not_in_hall",
    )
    .await;
    check(
        window(&h.tree.county_a, w1, "2026-11-19", &[]),
        "/hall_id",
        "reference.not_found",
    )
    .await;

    // One per subject and day; corrected with If-Match.
    let ok = post(
        &app,
        &sup,
        "/api/v1/assessments",
        window(
            hall_id,
            w1,
            "2026-11-19",
            &[("environment", -2, "地面有垃圾")],
        ),
    )
    .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["score"], 98);
    let dup = post(
        &app,
        &sup,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-19", &[]),
    )
    .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["code"], "assessment.duplicate");
    assert_eq!(dup.body["context"]["id"], ok.id().as_str());
    let url = format!("/api/v1/assessments/{}", ok.id());
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(
            json!({"items": [{"dimension": "environment", "points": -1, "reason": "地面有纸屑"},
            {"dimension": "attitude", "points": 3, "reason": "主动帮扶老年人"}]}),
        )
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["score"], &r.body["version"]),
        (&json!(102), &json!(2))
    );
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(json!({"items": []}))
        .send()
        .await;
    assert_eq!(r.status, 412);
    let read = get(&app, &sup, &url).await;
    assert_eq!(read.body["items"][1]["reason"], "主动帮扶老年人");
    assert_eq!(read.header("etag").as_deref(), Some("\"2\""));
}

#[actix_web::test]
async fn nobody_sees_or_changes_outside_their_role_and_scope() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let other = login(&app, "sup.b", PASSWORD).await;
    let clerk = login(&app, "clerk1", PASSWORD).await;
    let hall_id = h.tree.hall_a.as_str();
    let [w1, ..] = &h.w;
    let [c1, ..] = &h.c;
    let a = post(
        &app,
        &org_admin,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-19", &[]),
    )
    .await;
    assert_eq!(
        a.status, 201,
        "organisation administrators assess too: {:?}",
        a.body
    );
    let att = json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present"});

    // Clerks neither record nor read.
    assert_eq!(
        post(&app, &clerk, "/api/v1/attendance", att.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        post(
            &app,
            &clerk,
            "/api/v1/assessments",
            window(hall_id, w1, "2026-11-18", &[])
        )
        .await
        .status,
        403
    );
    let summary =
        format!("/api/v1/assessments/summary?period=month&date=2026-11-18&hall={hall_id}");
    assert_eq!(get(&app, &clerk, &summary).await.status, 403);
    assert_eq!(
        get(
            &app,
            &clerk,
            &format!("/api/v1/bulletins/2026-11?hall={hall_id}")
        )
        .await
        .status,
        403
    );
    // The sys admin reads but does not record.
    assert_eq!(get(&app, &h.admin, &summary).await.status, 200);
    assert_eq!(
        post(&app, &h.admin, "/api/v1/attendance", att.clone())
            .await
            .status,
        403
    );

    // Another county's supervisor: nothing of this hall exists for them.
    assert_eq!(get(&app, &other, &summary).await.status, 404);
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/bulletins/2026-11?hall={hall_id}")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/assessments?hall={hall_id}&from=2026-11-01&to=2026-11-30")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/attendance?hall={hall_id}&from=2026-11-01&to=2026-11-30")
        )
        .await
        .status,
        404
    );
    let url = format!("/api/v1/assessments/{}", a.id());
    assert_eq!(get(&app, &other, &url).await.status, 404);
    let put = req(&app, Method::PUT, &url)
        .token(&other)
        .json(json!({"items": []}))
        .send()
        .await;
    assert_eq!(put.status, 404);
    let r = post(&app, &other, "/api/v1/attendance", att.clone()).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/window_id"]);
    let r = post(
        &app,
        &other,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-18", &[]),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/hall_id"]);
    assert_eq!(
        get(
            &app,
            &other,
            &format!(
                "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
                h.tree.county_a
            )
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &clerk,
            &format!(
                "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
                h.tree.county_a
            )
        )
        .await
        .status,
        403
    );
    // Nothing was written by the refused requests.
    let list = get(
        &app,
        &sup,
        &format!("/api/v1/attendance?hall={hall_id}&from=2026-11-01&to=2026-11-30"),
    )
    .await;
    assert_eq!(list.body["items"], json!([]));
    // The enumerations are listed with their labels.
    let enums = req(&app, Method::GET, "/api/v1/meta/enums").send().await;
    assert_eq!(enums.body["enums"]["dimension"]["discipline"], "工作纪律");
    assert_eq!(
        enums.body["enums"]["attendance_status"]["business_trip"],
        "出差"
    );
    assert_eq!(enums.body["enums"]["grade"]["excellent"], "优秀");
}
