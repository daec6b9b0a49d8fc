//! The monthly bulletin and the disclosure assessment.

use super::*;

/// November 2026 at the hall. Cases (promised 3 working days): at window 01, four received
/// on Mon 2 Nov — one decided Wed 4 (on time, due Thu 5), one decided Mon 9 (late), one
/// refused, one open; at window 02 one received and accepted, still open. Attendance: c1
/// present on 2 and late on 3 at 01; c3 on leave on 2 at 02, covered by c4. Scores: 01 →
/// 102 on 2 Nov; 02 → 97. So 01: received 4, accepted 3, completed 2, on time 1 (50%), rank
/// 1; 02: received 1, accepted 1, completed 0, rank 2; totals: received 5, accepted 4,
/// completed 2, average (102 + 97) / 2 = 99.5. Red flag: 01.
#[actix_web::test]
async fn the_monthly_bulletin_counts_cases_attendance_and_scores_per_window() {
    let clock = Arc::new(FixedClock::new(at("2026-11-02")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let [w1, w2, _] = &h.w;
    let [c1, _, c3, c4] = &h.c;
    create_user(&app, &h.admin, "reviewer.a", "reviewer", &h.tree.county_a).await;
    let r = req(&app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "li.na", "password": PASSWORD, "display_name": "李娜",
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut matters = Vec::new();
    for (code, name, w) in [("B1", "食品经营许可", w1), ("B2", "社会团体登记", w2)] {
        let id = post(
            &app,
            &org_admin,
            "/api/v1/service-matters",
            matter_body(&h.tree.county_a, code, name, w),
        )
        .await
        .id();
        for (token, action) in [(&org_admin, "submit"), (&reviewer, "publish")] {
            let r = post(
                &app,
                token,
                &format!("/api/v1/service-matters/{id}/{action}"),
                json!({}),
            )
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        matters.push(id);
    }
    let applicant = login(&app, "li.na", PASSWORD).await;
    let mut ids = Vec::new();
    for m in [
        &matters[0],
        &matters[0],
        &matters[0],
        &matters[0],
        &matters[1],
    ] {
        let r = post(
            &app,
            &applicant,
            "/api/v1/cases",
            json!({"matter_ids": [m], "channel": "web"}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.id());
    }
    let clerk = login(&app, "clerk1", PASSWORD).await;
    let act = |token: String, id: String, action: &'static str, body: Value| {
        let app = &app;
        async move {
            let r = post(app, &token, &format!("/api/v1/cases/{id}/{action}"), body).await;
            assert_eq!(r.status, 200, "{action}: {:?}", r.body);
            r
        }
    };
    for i in [0, 1, 3, 4] {
        let r = act(clerk.clone(), ids[i].clone(), "accept", json!({})).await;
        assert_eq!(r.body["clock"]["due_date"], "2026-11-05");
    }
    act(
        clerk.clone(),
        ids[2].clone(),
        "refuse",
        json!({"reason": "不属于本机关职权范围"}),
    )
    .await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    for body in [
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-02", "status": "present"}),
        json!({"window_id": w2, "user_id": c3, "day": "2026-11-02", "status": "leave",
            "covered_by": c4}),
    ] {
        assert_eq!(
            post(&app, &sup, "/api/v1/attendance", body).await.status,
            201
        );
    }
    let hall_id = h.tree.hall_a.as_str();
    for body in [
        window(hall_id, w1, "2026-11-02", &[("attitude", 2, "群众点赞")]),
        window(
            hall_id,
            w2,
            "2026-11-02",
            &[("handling", -3, "材料审核不细致")],
        ),
    ] {
        assert_eq!(
            post(&app, &sup, "/api/v1/assessments", body).await.status,
            201
        );
    }
    clock.set(at("2026-11-03"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let r = post(
        &app,
        &sup,
        "/api/v1/attendance",
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-03", "status": "late"}),
    )
    .await;
    assert_eq!(r.status, 201);
    clock.set(at("2026-11-04"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    act(
        reviewer,
        ids[0].clone(),
        "decide",
        json!({"decision": "approved", "result_number": "J1"}),
    )
    .await;
    clock.set(at("2026-11-09"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    act(
        reviewer,
        ids[1].clone(),
        "decide",
        json!({"decision": "approved", "result_number": "J2"}),
    )
    .await;
    clock.set(at("2026-12-01"));
    let sup = login(&app, "sup.a", PASSWORD).await;

    let b = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-11?hall={hall_id}"),
    )
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    let body = &b.body;
    assert_eq!(body["month"], "2026-11");
    assert_eq!(
        (&body["from"], &body["to"]),
        (&json!("2026-11-01"), &json!("2026-11-30"))
    );
    let first = &body["windows"][0];
    assert_eq!(first["number"], "01");
    assert_eq!(
        first["cases"],
        json!({"received": 4, "accepted": 3, "completed": 2, "completed_on_time": 1,
            "on_time_rate": 0.5})
    );
    assert_eq!(
        (
            &first["attendance"]["present"],
            &first["attendance"]["late"]
        ),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        first["assessment"],
        json!({"days_assessed": 1, "average_score": 102.0, "rank": 1})
    );
    let second = &body["windows"][1];
    assert_eq!(second["number"], "02");
    assert_eq!(
        second["cases"],
        json!({"received": 1, "accepted": 1, "completed": 0, "completed_on_time": 0,
            "on_time_rate": null})
    );
    assert_eq!(second["attendance"]["leave"], 1);
    assert_eq!(second["attendance"]["uncovered"], 0);
    assert_eq!(second["assessment"]["rank"], 2);
    let third = &body["windows"][2];
    assert_eq!(third["number"], "03");
    assert!(third["assessment"]["rank"].is_null());
    assert_eq!(third["cases"]["received"], 0);
    let totals = &body["totals"];
    assert_eq!(
        totals["cases"],
        json!({"received": 5, "accepted": 4, "completed": 2, "completed_on_time": 1,
            "on_time_rate": 0.5})
    );
    assert_eq!(
        (
            &totals["attendance"]["present"],
            &totals["attendance"]["late"],
            &totals["attendance"]["leave"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(
        (&totals["days_assessed"], &totals["average_score"]),
        (&json!(2), &json!(99.5))
    );
    assert_eq!(
        body["selection"]["red_flag_windows"][0]["subject_id"],
        w1.as_str()
    );
    assert_eq!(body["selection"]["service_stars"], json!([]));

    let md = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-11?hall={hall_id}&format=markdown"),
    )
    .await;
    assert_eq!(md.status, 200);
    assert!(
        md.header("content-type")
            .is_some_and(|c| c.starts_with("text/markdown"))
    );
    let text = md.body.as_str().unwrap_or_default();
    assert!(
        text.starts_with("# 历下区政务服务中心工作动态简报"),
        "{text}"
    );
    assert!(
        text.contains("本月全厅共受理办件5件，办结2件，其中按时办结1件，按时办结率50.0%"),
        "{text}"
    );
    assert!(
        text.contains(
            "| 1 | 01 综合受理窗口 | 4 | 2 | 50.0% | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 102.00 |"
        ),
        "{text}"
    );
    assert!(
        text.contains("红旗窗口推荐：01 综合受理窗口（平均得分102.00）"),
        "{text}"
    );

    // October: nothing yet. A month that is not one is named.
    let oct = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-10?hall={hall_id}"),
    )
    .await;
    assert_eq!(oct.body["totals"]["cases"]["received"], 0);
    let bad = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-13?hall={hall_id}"),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/month"]);
}

/// County A, 2026, evaluated on Wed 1 Jul: an item formed Mon 4 May (due Mon 1 Jun, 20
/// working days) never published, another published on Wed 3 Jun (late); an application
/// received Mon 1 Jun (due Mon 29 Jun) replied on Tue 30 Jun (late); two topic requests
/// forwarded to the hall on Mon 1 Jun with 5 working days (due Mon 8 Jun): one unanswered,
/// one answered on Thu 4 Jun (3 days).
#[actix_web::test]
async fn the_disclosure_assessment_finds_overdue_items_late_replies_and_unanswered_requests() {
    let clock = Arc::new(FixedClock::new(at("2026-06-01")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
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
    create_user(&app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    create_user(&app, &admin, "sup.a", "supervisor", &tree.county_a).await;
    let r = req(&app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "li.na", "password": PASSWORD, "display_name": "李娜",
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let officer = login(&app, "officer.a", PASSWORD).await;
    let cats = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            tree.county_a
        ),
    )
    .send()
    .await;
    let category = cats.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "01"))
        .and_then(|c| c["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let mut items = Vec::new();
    for title in [
        "关于印发历下区政务公开工作要点的通知",
        "历下区2026年重点民生实事项目",
    ] {
        let r = post(
            &app,
            &officer,
            "/api/v1/disclosures",
            json!({"organization_id": tree.county_a, "category_id": category,
                "title": title, "summary": format!("{title}的摘要"), "content": "正文。",
                "formed_on": "2026-05-04", "subject_terms": ["政务公开"], "channels": ["portal"]}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["publish_due"], "2026-06-01");
        items.push(r.id());
    }
    // The application.
    let applicant = login(&app, "li.na", PASSWORD).await;
    let app_r = post(
        &app,
        &applicant,
        "/api/v1/disclosure-requests",
        json!({"organization_id": tree.county_a, "description": "2025年老旧小区改造资金使用明细",
            "requested_form": "electronic", "delivery_method": "email", "channel": "online",
            "contact": {"email": "li.na@example.com"}}),
    )
    .await;
    assert_eq!(app_r.status, 201, "{:?}", app_r.body);
    // Two topic requests, forwarded to the hall.
    let mut messages = Vec::new();
    for subject in ["公开政务大厅窗口考核结果", "公开大厅延时服务安排"] {
        let m = req(&app, Method::POST, "/api/v1/public-messages")
            .json(
                json!({"kind": "topic_request", "organization_id": tree.county_a,
                "subject": subject, "text": "希望公开。", "contact": {"phone": "13812345678"}}),
            )
            .send()
            .await;
        assert_eq!(m.status, 201, "{:?}", m.body);
        let f = post(
            &app,
            &officer,
            &format!("/api/v1/public-messages/{}/forward", m.id()),
            json!({"organization_id": tree.hall_a, "working_days": 5}),
        )
        .await;
        assert_eq!(f.status, 200, "{:?}", f.body);
        assert_eq!(f.body["feedback_due"], "2026-06-08");
        messages.push(m.id());
    }
    // Wed 3 Jun: the second item is published, late.
    clock.set(at("2026-06-03"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    for (token, action) in [
        (&officer, "submit"),
        (&reviewer, "approve"),
        (&officer, "publish"),
    ] {
        let r = post(
            &app,
            token,
            &format!("/api/v1/disclosures/{}/{action}", items[1]),
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{action}: {:?}", r.body);
    }
    // Thu 4 Jun: one request answered.
    clock.set(at("2026-06-04"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let a = post(
        &app,
        &officer,
        &format!("/api/v1/public-messages/{}/answer", messages[1]),
        json!({"answer_kind": "replied", "answer": "大厅工作日延时至19:00。"}),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    // Tue 30 Jun: the reply, a day late.
    clock.set(at("2026-06-30"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let r = post(
        &app,
        &officer,
        &format!("/api/v1/disclosure-requests/{}/reply", app_r.id()),
        json!({"reply_type": "unable_not_held", "text": "本机关不掌握该信息。",
            "responsible_agency": "历下区住房和城乡建设局"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["reply"]["late"], true);

    clock.set(at("2026-07-01"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let d = get(
        &app,
        &sup,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
            tree.county_a
        ),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["as_of"], "2026-07-01");
    let orgs = d.body["organizations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(orgs.len(), 2, "the county and its hall");
    let of = |id: &str| {
        orgs.iter()
            .find(|o| o["organization_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    let county = of(&tree.county_a);
    assert_eq!(
        (
            &county["overdue_unpublished"],
            &county["published_late"],
            &county["late_replies"],
            &county["unanswered_past_due"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0))
    );
    let hall = of(&tree.hall_a);
    assert_eq!(hall["kind"], "hall");
    assert_eq!(
        (
            &hall["unanswered_past_due"],
            &hall["answered_messages"],
            &hall["mean_response_days"]
        ),
        (&json!(1), &json!(1), &json!(3.0))
    );
    assert_eq!(
        d.body["totals"],
        json!({"overdue_unpublished": 1, "published_late": 1, "late_replies": 1,
            "unanswered_past_due": 1, "answered_messages": 1, "mean_response_days": 3.0})
    );
    // The city sees its whole tree.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let city = get(
        &app,
        &admin,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
            tree.city
        ),
    )
    .await;
    assert_eq!(city.body["totals"]["overdue_unpublished"], 1);
    assert_eq!(city.body["organizations"].as_array().map(Vec::len), Some(5));
    let future = get(
        &app,
        &sup,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2027",
            tree.county_a
        ),
    )
    .await;
    assert_eq!(future.status, 422);
    assert_eq!(future.pointers(), vec!["?year"]);
}

#[actix_web::test]
async fn the_demo_month_has_a_bulletin_worth_reading() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let halls = get(&app, &sup, "/api/v1/organizations?kind=hall&level=city").await;
    let hall = halls.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == "济南市政务服务中心"))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset"));
    let today = chrono::Utc::now().with_timezone(&shanghai).date_naive();
    let month = today.format("%Y-%m").to_string();
    let b = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/{month}?hall={hall}"),
    )
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    let windows = b.body["windows"].as_array().cloned().unwrap_or_default();
    assert_eq!(windows.len(), 3);
    // The demo cases, one in every state, were taken in today at window A01.
    let a01 = windows
        .iter()
        .find(|w| w["number"] == "A01")
        .cloned()
        .unwrap_or_default();
    // Supervision's demo cases were taken in at the same window over the last nine working
    // days, some perhaps last month.
    let count = |k: &str| a01["cases"][k].as_u64().unwrap_or(0);
    assert!((7..=11).contains(&count("received")), "{a01}");
    assert!((4..=6).contains(&count("accepted")), "{a01}");
    assert_eq!(count("completed"), 2);
    // Thirty days of assessments up to today: this month and the one before hold them.
    let first = today.with_day(1).unwrap_or(today);
    let before = first.pred_opt().unwrap_or(first);
    let mut days = 0;
    let mut ranked = 0;
    for date in [today, before] {
        let s = get(
            &app,
            &sup,
            &format!("/api/v1/assessments/summary?period=month&date={date}&hall={hall}"),
        )
        .await;
        assert_eq!(s.status, 200);
        for w in s.body["windows"].as_array().cloned().unwrap_or_default() {
            days += w["days_assessed"].as_u64().unwrap_or_default();
            ranked += u64::from(w["rank"].is_number());
        }
        assert_eq!(s.body["staff"].as_array().map(Vec::len), Some(3));
    }
    // Any 30 days hold at least 14 working days, even across the National Day holiday.
    assert!(days >= 3 * 14, "3 windows a working day: {days}");
    assert!(ranked >= 3);
    let md = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/{month}?hall={hall}&format=markdown"),
    )
    .await;
    assert!(
        md.body
            .as_str()
            .is_some_and(|t| t.contains("# 济南市政务服务中心工作动态简报"))
    );
}
