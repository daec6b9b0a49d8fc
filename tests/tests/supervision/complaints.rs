//! Complaints and reports.

use super::*;

#[actix_web::test]
async fn complaints_are_decided_in_time_and_never_handled_by_their_subject() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    create_user(&app, &admin, "sup.city", "supervisor", &h.tree.city).await;
    let mut ids = std::collections::HashMap::new();
    for name in ["admin.a", "clerk.a", "clerk.b"] {
        let token = login(&app, name, PASSWORD).await;
        let me = req(&app, Method::GET, "/api/v1/auth/me")
            .token(&token)
            .send()
            .await;
        ids.insert(
            name,
            me.body["user"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let user_id = |name: &str| ids[name].clone();
    let about_admin = json!({"kind": "complaint", "category": "shirking",
        "organization_id": h.tree.county_a,
        "staff_id": user_id("admin.a"), "text": "多次咨询均被推给其他部门。"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(about_admin.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/contact"]);
    let mut anon = about_admin.clone();
    anon["contact"] = json!({"phone": "13812345678"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(anon)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["number"], "TS2025-0001");
    // Fri 26 Sep + 5 working days: 28, 29, 30 Sep, 9, 10 Oct.
    assert_eq!(r.body["acceptance_due"], "2025-10-10");
    assert!(r.body["contact"].is_null());
    let shirking = r.id();
    let code = r.body["query_code"].as_str().unwrap_or_default().to_owned();
    let lookup = |code: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/public/complaints/TS2025-0001?code={code}"),
            )
            .send()
            .await
        }
    };
    assert_eq!(lookup("WRONG234".into()).await.status, 404);
    let seen = lookup(code.clone()).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["state"], "submitted");
    assert!(!seen.body.to_string().contains("13812345678"));
    let mut wrong = about_admin.clone();
    wrong["staff_id"] = json!(user_id("clerk.b"));
    wrong["contact"] = json!({"phone": "13812345678"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(wrong)
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/staff_id"]);
    let applicant = login(&app, "qiye", PASSWORD).await;
    let own = req(&app, Method::POST, "/api/v1/complaints")
        .token(&applicant)
        .json(
            json!({"kind": "report", "category": "kickbacks", "organization_id": h.tree.hall_a,
            "window_id": h.window, "text": "窗口人员暗示需请客才能加快办理。"}),
        )
        .send()
        .await;
    assert_eq!(own.status, 201, "{:?}", own.body);
    let own_id = own.id();
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .token(&clerk)
        .json(
            json!({"kind": "complaint", "category": "other", "organization_id": h.tree.county_a,
            "text": "x"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 403);

    // The applicant sees their own complaint only.
    let mine = req(&app, Method::GET, "/api/v1/complaints")
        .token(&applicant)
        .send()
        .await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(1));
    let r = req(&app, Method::GET, &format!("/api/v1/complaints/{shirking}"))
        .token(&applicant)
        .send()
        .await;
    assert_eq!(r.status, 404);

    // Unaccepted on Mon 13 Oct: the acceptance deadline (Fri 10 Oct) is 2 working days past
    // (Sat 11 Oct was an adjusted working day). Each alert is for the organisation that
    // decides: the city for the complaint about the county, the county for the report about
    // its hall.
    let sup = login(&app, "sup.a", PASSWORD).await;
    let sup_city = login(&app, "sup.city", PASSWORD).await;
    let acceptance_alerts = |token: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                "/api/v1/supervision/alerts?as_of=2025-10-13&kind=complaint_acceptance",
            )
            .token(&token)
            .send()
            .await
        }
    };
    let r = acceptance_alerts(sup_city.clone()).await;
    assert_eq!(
        alerts_of(&r),
        vec![
            ("complaint_acceptance".into(), "red".into(), -2),
            ("complaint_acceptance".into(), "red".into(), -2)
        ]
    );
    let r = acceptance_alerts(sup.clone()).await;
    assert_eq!(
        alerts_of(&r),
        vec![("complaint_acceptance".into(), "red".into(), -2)]
    );
    assert_eq!(r.body["items"][0]["object_id"], own_id.as_str());

    // The subject cannot handle it, nor can the county complained about; the city can.
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let step = |token: String, id: String, action: &'static str, b: Value| {
        let app = &app;
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/complaints/{id}/{action}"),
            )
            .token(&token)
            .json(b)
            .send()
            .await
        }
    };
    let r = step(org_admin.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["code"], "complaint.subject_cannot_handle");
    // Nor does the subject read it, or see it listed.
    let r = req(&app, Method::GET, &format!("/api/v1/complaints/{shirking}"))
        .token(&org_admin)
        .send()
        .await;
    assert_eq!(r.status, 404);
    let listed = req(&app, Method::GET, "/api/v1/complaints")
        .token(&org_admin)
        .send()
        .await;
    assert_eq!(listed.status, 200);
    assert!(!listed.body.to_string().contains(&shirking));
    let r = step(sup.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(r.body["code"], "complaint.subject_cannot_handle");
    let sup = sup_city.clone();
    let r = step(
        sup.clone(),
        shirking.clone(),
        "reply",
        json!({"text": "答复"}),
    )
    .await;
    assert_eq!(r.status, 409);
    let r = step(sup.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = step(sup.clone(), shirking.clone(), "handle", json!({})).await;
    assert_eq!(r.pointers(), vec!["/text"]);
    for (action, text) in [
        ("handle", "经核实，存在推诿情况。"),
        ("reply", "已对相关人员批评教育，感谢监督。"),
        ("close", "办结"),
    ] {
        let r = step(sup.clone(), shirking.clone(), action, json!({"text": text})).await;
        assert_eq!(r.status, 200, "{action}: {:?}", r.body);
    }
    let seen = lookup(code).await;
    assert_eq!(seen.body["state"], "closed");
    assert_eq!(seen.body["reply"], "已对相关人员批评教育，感谢监督。");
    assert!(seen.body["findings"].is_null());
    // The applicant's report about the county's hall is the county's to handle, and is
    // referred to discipline inspection.
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        step(sup.clone(), own_id.clone(), "accept", json!({}))
            .await
            .status,
        200
    );
    let r = step(
        sup.clone(),
        own_id.clone(),
        "refer",
        json!({"text": "涉嫌吃拿卡要，移送纪检监察"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "referred");
    let seen = req(&app, Method::GET, &format!("/api/v1/complaints/{own_id}"))
        .token(&applicant)
        .send()
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["state"], "referred");
    assert!(
        seen.body["referral_note"].is_null(),
        "internal notes stay internal"
    );
    let acc = req(&app, Method::GET, "/api/v1/supervision/accountability")
        .token(&sup)
        .send()
        .await;
    assert_eq!(
        acc.body["items"][0]["kind"],
        "referral_to_discipline_inspection"
    );
    assert_eq!(acc.body["items"][0]["complaint_id"], own_id.as_str());
    // Accepted and replied, and the other accepted: the domain events of the complaints.
    let events = t.db.texts(
        "SELECT type AS t FROM outbox_events WHERE subject LIKE 'complaints/%' ORDER BY seq",
    );
    assert_eq!(
        events,
        [
            "zhengwu.complaint.accepted.v1",
            "zhengwu.complaint.replied.v1",
            "zhengwu.complaint.accepted.v1"
        ]
    );
}

#[actix_web::test]
async fn a_report_about_a_department_goes_to_the_county_above_it() {
    // A signed-in applicant reports a department (平阴县市场监督管理局) without naming anyone.
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    for (name, role, org) in [
        ("admin.dept", "org_admin", &h.tree.dept_b),
        ("sup.dept", "supervisor", &h.tree.dept_b),
        ("sup.b", "supervisor", &h.tree.county_b),
    ] {
        create_user(&app, &admin, name, role, org).await;
    }
    let applicant = login(&app, "qiye", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .token(&applicant)
        .json(
            json!({"kind": "report", "category": "improper_fees", "organization_id": h.tree.dept_b,
            "text": "办理食品经营许可时被要求另交“加急费”。", "name": "王经理",
            "contact": {"phone": "13912345678"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();

    // The department's own administrator and supervisor neither handle nor read it.
    for name in ["admin.dept", "sup.dept"] {
        let token = login(&app, name, PASSWORD).await;
        let accept = req(
            &app,
            Method::POST,
            &format!("/api/v1/complaints/{id}/accept"),
        )
        .token(&token)
        .json(json!({}))
        .send()
        .await;
        assert_eq!(accept.status, 403, "{name}: {:?}", accept.body);
        assert_eq!(accept.body["code"], "complaint.subject_cannot_handle");
        let read = req(&app, Method::GET, &format!("/api/v1/complaints/{id}"))
            .token(&token)
            .send()
            .await;
        assert_eq!(read.status, 404, "{name}");
        let listed = req(&app, Method::GET, "/api/v1/complaints")
            .token(&token)
            .send()
            .await;
        assert_eq!(listed.body["items"], json!([]), "{name}");
        let alerts = req(
            &app,
            Method::GET,
            "/api/v1/supervision/alerts?as_of=2025-10-13&kind=complaint_acceptance",
        )
        .token(&token)
        .send()
        .await;
        assert_eq!(alerts.body["items"], json!([]), "{name}");
        let text = alerts.body.to_string() + &listed.body.to_string();
        assert!(!text.contains("13912345678") && !text.contains("王经理"));
    }
    // Not even the trail tells the department who reported it.
    let sup_dept = login(&app, "sup.dept", PASSWORD).await;
    let trail = req(
        &app,
        Method::GET,
        "/api/v1/audit-events?entity_type=complaint",
    )
    .token(&sup_dept)
    .send()
    .await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    assert_eq!(trail.body["items"], json!([]));

    // The county above it decides, in time, and sees who reported it.
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-10&kind=complaint_acceptance",
    )
    .token(&sup_b)
    .send()
    .await;
    assert_eq!(
        alerts_of(&alerts),
        vec![("complaint_acceptance".into(), "yellow".into(), 0)]
    );
    assert_eq!(
        alerts.body["items"][0]["organization_id"],
        h.tree.county_b.as_str()
    );
    let read = req(&app, Method::GET, &format!("/api/v1/complaints/{id}"))
        .token(&sup_b)
        .send()
        .await;
    assert_eq!(read.body["complainant_name"], "王经理");
    assert_eq!(read.body["contact"]["phone"], "13912345678");
    let accept = req(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{id}/accept"),
    )
    .token(&sup_b)
    .json(json!({}))
    .send()
    .await;
    assert_eq!(accept.status, 200, "{:?}", accept.body);
    let trail = req(
        &app,
        Method::GET,
        "/api/v1/audit-events?entity_type=complaint",
    )
    .token(&sup_b)
    .send()
    .await;
    assert_eq!(trail.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn the_demo_has_alerts_of_both_levels_anomalies_an_order_and_complaints() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/supervision/alerts?limit=200")
        .token(&sup)
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let found: BTreeSet<(String, String)> =
        alerts_of(&r).into_iter().map(|(k, l, _)| (k, l)).collect();
    for want in [
        ("case", "red"),
        ("case", "yellow"),
        ("case_step", "red"),
        ("supervision_order", "red"),
    ] {
        assert!(
            found.contains(&(want.0.to_owned(), want.1.to_owned())),
            "{want:?} in {found:?}"
        );
    }
    // Pages follow one another without overlap.
    let total = r.body["items"].as_array().map_or(0, Vec::len);
    let mut seen = Vec::new();
    let mut url = "/api/v1/supervision/alerts?limit=2".to_owned();
    loop {
        let p = req(&app, Method::GET, &url).token(&sup).send().await;
        assert_eq!(p.status, 200, "{:?}", p.body);
        for a in p.body["items"].as_array().into_iter().flatten() {
            seen.push((
                a["object_kind"].clone(),
                a["object_id"].clone(),
                a["stage"].clone(),
            ));
        }
        match p.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/supervision/alerts?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    seen.dedup();
    assert_eq!(seen.len(), total);
    let from = (chrono::Utc::now() - chrono::Duration::days(60)).date_naive();
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/anomalies?from={from}&limit=200"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let rules: BTreeSet<String> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["rule_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let want: BTreeSet<String> = ["JC-B01", "JC-B04", "JC-B07"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(rules, want);
    let k = req(&app, Method::GET, "/api/v1/complaints")
        .token(&sup)
        .send()
        .await;
    assert_eq!(k.body["items"].as_array().map(Vec::len), Some(2));
    let run = req(&app, Method::POST, "/api/v1/supervision/alert-events/run")
        .token(&sup)
        .send()
        .await;
    assert!(
        run.body["recorded"].as_u64().unwrap_or(0) >= 4,
        "{:?}",
        run.body
    );
    // The month's bulletin of the city hall reports them.
    let halls = req(
        &app,
        Method::GET,
        "/api/v1/organizations?kind=hall&limit=50",
    )
    .token(&sup)
    .send()
    .await;
    let hall = halls.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == "济南市政务服务中心"))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset")))
        .format("%Y-%m")
        .to_string();
    let b = req(
        &app,
        Method::GET,
        &format!("/api/v1/bulletins/{month}?hall={hall}"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    assert!(
        b.body["supervision"]["alerts_red"].as_u64().unwrap_or(0) >= 2,
        "{:?}",
        b.body["supervision"]
    );
    assert!(
        b.body["supervision"]["alerts_yellow"].as_u64().unwrap_or(0) >= 1,
        "{:?}",
        b.body["supervision"]
    );
}
