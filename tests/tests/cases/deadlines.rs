//! Deadlines counted on the working-day calendar.

use super::*;

#[actix_web::test]
async fn departments_sharing_a_division_code_never_share_a_case_number() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    // A department without a division code of its own numbers its cases with its county's.
    let dept = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .json(
            json!({"parent_id": h.tree.county_a, "kind": "department", "level": "county",
            "name": "历下区住房和城乡建设局"}),
        )
        .send()
        .await;
    assert_eq!(dept.status, 201, "{:?}", dept.body);
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let matter = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&org_admin)
        .json(matter_body(
            &dept.id(),
            "M9",
            "房屋建筑工程竣工验收备案",
            &h.window,
            json!([]),
        ))
        .send()
        .await;
    assert_eq!(matter.status, 201, "{:?}", matter.body);
    for (token, action) in [(&org_admin, "submit"), (&reviewer, "publish")] {
        let path = format!("/api/v1/service-matters/{}/{action}", matter.id());
        let r = req(&app, Method::POST, &path).token(token).send().await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let applicant = login(&app, "qiye", PASSWORD).await;
    let mut numbers = Vec::new();
    for m in [&h.matter, &matter.id(), &h.matter, &matter.id()] {
        let r = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [m], "channel": "web"}))
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        numbers.push(r.body["number"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        numbers,
        [
            "3701022025092600001",
            "3701022025092600002",
            "3701022025092600003",
            "3701022025092600004"
        ]
    );
}

#[actix_web::test]
async fn a_late_notice_makes_the_case_accepted_on_receipt_and_its_clock_follows() {
    // Received Fri 26 Sep 2025, the one-time notice on Mon 13 Oct (the 7th working day after
    // receipt, across National Day), accepted Tue 14 Oct: AL Art.32 makes it accepted on 26
    // Sep, so a 12-day promise is due Mon 20 Oct, not Thu 30 Oct.
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut body = matter_body(
        &h.tree.county_a,
        "M3",
        "建设工程消防验收",
        &h.window,
        json!([]),
    );
    body["promised_days"] = json!(12);
    let matter = publish_matter(&app, &org_admin, &reviewer, body).await;
    let applicant = applicant_token(&app).await;
    let created = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [matter], "channel": "web",
            "materials": [{"name": "申请表"}]}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    clock.set(at("2025-10-13"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let n = act(
        &app,
        &clerk,
        &id,
        "notify-missing",
        json!({"items": [{"material": "施工合同", "problem": "missing"}]}),
    )
    .await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    let r = act(
        &app,
        &clerk,
        &id,
        "resubmit",
        json!({"materials": [{"name": "申请表"}, {"name": "施工合同"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    clock.set(at("2025-10-14"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let a = act(&app, &clerk, &id, "accept", json!({})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["clock"]["accepted_on"], "2025-09-26");
    assert_eq!(a.body["clock"]["due_date"], "2025-10-20");
    assert_eq!(a.body["clock"]["working_days_used"], 8);

    // Alerts follow: yellow on Fri 17 Oct with one working day left, red on Tue 21 Oct.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case", "2025-10-17").await,
        vec![(id.clone(), "yellow".to_owned())]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case", "2025-10-21").await,
        vec![(id.clone(), "red".to_owned())]
    );

    // The due date has passed: an extension decided now is refused (AL Art.42).
    clock.set(at("2025-10-21"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let e = act(
        &app,
        &reviewer,
        &id,
        "extend",
        json!({"working_days": 5, "reason": "需现场核查"}),
    )
    .await;
    assert_eq!(e.status, 409, "{:?}", e.body);
    assert_eq!(e.body["code"], "extension.after_due_date");
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下消验〔2025〕0001号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["clock"]["due_date"], "2025-10-20");

    // The on-time statistics count from receipt: decided a day late.
    let sup = login(&app, "sup.a", PASSWORD).await;
    let stats = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=window",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(stats.status, 200, "{:?}", stats.body);
    assert_eq!(stats.body["total"]["completed"], 1);
    assert_eq!(stats.body["total"]["on_time_rate"], 0.0);
    assert_eq!(stats.body["total"]["average_working_days_used"], 13.0);
}

#[actix_web::test]
async fn a_decision_is_delivered_within_ten_working_days_or_flagged() {
    // Decided Thu 25 Sep 2025: delivery is due Wed 15 Oct (Sun 28 Sep and Sat 11 Oct are
    // worked, 1–8 Oct are not); counting weekends alone it would be Thu 9 Oct.
    let clock = Arc::new(FixedClock::new(at("2025-09-25")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = applicant_token(&app).await;
    let created = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.matter], "channel": "web",
            "materials": [{"name": "申请表"}, {"name": "施工合同"}]}))
        .send()
        .await;
    let id = created.id();
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(&app, &clerk, &id, "accept", json!({})).await.status,
        200
    );
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0009号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["delivery_due"], "2025-10-15");
    assert!(d.body["delivered_on"].is_null());

    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-09").await,
        vec![]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-15").await,
        vec![(id.clone(), "yellow".to_owned())]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-16").await,
        vec![(id.clone(), "red".to_owned())]
    );

    // Impossible delivery days are refused: before the decision, or after today.
    clock.set(at("2025-10-20"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for (day, code) in [("2025-09-24", "date.order"), ("2025-10-21", "date.future")] {
        let r = act(
            &app,
            &clerk,
            &id,
            "deliver",
            json!({"method": "window", "delivered_on": day}),
        )
        .await;
        assert_eq!(r.status, 422, "{day}: {:?}", r.body);
        assert_eq!(r.pointers(), vec!["/delivered_on"]);
        assert_eq!(r.body["errors"][0]["code"], code);
    }
    let r = act(&app, &clerk, &id, "deliver", json!({"method": "window"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["delivered_on"], "2025-10-20");
    assert_eq!(r.body["delivered_late"], true);
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-20").await,
        vec![]
    );
    let found = req(
        &app,
        Method::GET,
        "/api/v1/supervision/anomalies?from=2025-10-01&to=2025-10-31&rule=JC-B08",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(found.body["items"][0]["object_id"], json!(id));
    assert_eq!(found.body["items"][0]["data"]["working_days"], 13);
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(1));
}
