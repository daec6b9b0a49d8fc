//! Deadlines counted on the working-day calendar.

use super::*;

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
