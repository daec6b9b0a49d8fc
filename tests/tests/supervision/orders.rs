//! Supervision rules, supervision orders and accountability.

use super::*;

#[actix_web::test]
async fn rules_are_validated_inherited_and_changed_only_by_supervisors_and_administrators() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.city", "supervisor", &h.tree.city).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let url = |org: &str| format!("/api/v1/supervision/rules?org={org}");
    let base = req(&app, Method::GET, &url(&h.tree.city))
        .token(&sup)
        .send()
        .await;
    assert_eq!(base.status, 200);
    assert_eq!(base.body["rules"]["yellow_days_left"], 1);
    assert_eq!(base.body["rules"]["yellow_percent_used"], 80);
    assert_eq!(base.body["rules"]["rectification_days"], 5);
    assert_eq!(base.body["catalogue"].as_array().map(Vec::len), Some(18));
    let mut bad = base.body["rules"].clone();
    bad["yellow_percent_used"] = json!(0);
    bad["grades"] = json!({"excellent": 80, "good": 85, "pass": 70});
    let r = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .json(bad)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/yellow_percent_used", "/grades"]);
    let mut good = base.body["rules"].clone();
    good["yellow_days_left"] = json!(2);
    good["rectification_days"] = json!(15);
    let r = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    // The hall inherits the city's rules.
    let hall_rules = req(&app, Method::GET, &url(&h.tree.hall_a))
        .token(&sup)
        .send()
        .await;
    assert_eq!(hall_rules.body["defined_at"], h.tree.city.as_str());
    assert_eq!(hall_rules.body["rules"]["rectification_days"], 15);
    // Stale If-Match: 412; a clerk: 403.
    let stale = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .header("If-Match", "\"7\"")
        .json(good.clone())
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let r = req(&app, Method::PUT, &url(&h.tree.hall_a))
        .token(&clerk)
        .json(good)
        .send()
        .await;
    assert_eq!(r.status, 403);
    // With 2 working days as the threshold a 3-day case is yellow on acceptance day + 1.
    let applicant = login(&app, "qiye", PASSWORD).await;
    let id = apply(&app, &applicant, &h.matter).await;
    assert_eq!(
        act(&app, &clerk, &id, "accept", json!({})).await.status,
        200
    );
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-09-28&kind=case",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(alerts_of(&r), vec![("case".into(), "yellow".into(), 2)]);
}

#[actix_web::test]
async fn supervision_orders_are_responded_escalated_closed_and_lead_to_accountability() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    create_user(&app, &admin, "sup.b", "supervisor", &h.tree.county_b).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let case = apply(&app, &applicant, &h.matter).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let body = json!({"object_kind": "case", "object_id": case, "subject": "办件督办",
        "instructions": "请于3个工作日内受理并说明延误原因。", "working_days": 3});
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup_b)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 422, "another county's case is not in scope");
    assert_eq!(r.pointers(), vec!["/object_id"]);
    let mut invalid = body.clone();
    invalid["working_days"] = json!(0);
    invalid["instructions"] = json!("");
    let r = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup)
        .json(invalid)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/instructions", "/working_days"]);
    let o = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup)
        .json(body)
        .send()
        .await;
    assert_eq!(o.status, 201, "{:?}", o.body);
    assert_eq!(o.body["number"], "DB2025-0001");
    assert_eq!(o.body["organization_id"], h.tree.county_a.as_str());
    // Fri 26 Sep + 3 working days: Tue 30 Sep; red on Thu 9 Oct.
    assert_eq!(o.body["due_date"], "2025-09-30");
    let id = o.id();
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-09&kind=supervision_order",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(
        alerts_of(&r),
        vec![("supervision_order".into(), "red".into(), -1)],
        "{:?}",
        r.body
    );
    let step = |token: String, action: &'static str, b: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/supervision/orders/{id}/{action}"),
            )
            .token(&token)
            .json(b)
            .send()
            .await
        }
    };
    let r = step(sup.clone(), "close", json!({"note": "结"})).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "supervision_order.illegal_transition");
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = step(sup.clone(), "respond", json!({"response": "已受理"})).await;
    assert_eq!(
        r.status, 403,
        "supervisors do not respond to their own orders"
    );
    let r = step(
        org_admin.clone(),
        "respond",
        json!({"response": "已受理，延误系材料流转不畅。"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "responded");
    clock.set(at("2025-10-09"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = step(
        sup.clone(),
        "escalate",
        json!({"reason": "反馈未说明整改措施", "working_days": 2}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["level"], 2);
    assert_eq!(r.body["due_date"], "2025-10-11");
    let r = step(
        org_admin,
        "respond",
        json!({"response": "已建立材料流转台账，专人督促。"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = step(sup.clone(), "close", json!({"note": "整改到位，办结。"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["state"], "closed");
    // Accountability on the order: against the county, or a staff member of it.
    let rec = |b: Value| {
        let app = &app;
        let sup = sup.clone();
        async move {
            req(app, Method::POST, "/api/v1/supervision/accountability")
                .token(&sup)
                .json(b)
                .send()
                .await
        }
    };
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
    let r = rec(
        json!({"kind": "interview", "order_id": id, "user_id": user_id("clerk.b"),
        "reason": "约谈"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/user_id"]);
    let r = rec(
        json!({"kind": "interview", "order_id": id, "user_id": user_id("clerk.a"),
        "reason": "督办后仍延误，约谈经办人"}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["organization_id"], h.tree.county_a.as_str());
    let list = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/accountability?order_id={id}"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}
