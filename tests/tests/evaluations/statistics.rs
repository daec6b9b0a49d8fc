//! Statistics computed from the records, compared with counts by hand.

use super::*;

#[actix_web::test]
async fn statistics_and_the_public_summary_computed_by_hand() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    // clerk.a: A very satisfied, C basically satisfied, D dissatisfied (rectified).
    // clerk2.a: B satisfied, E very dissatisfied (explained, called back), F dissatisfied
    // (appeal upheld: annulled). G: a classified case, very dissatisfied, unassigned.
    let plan: [(&str, &str, &str, &str); 7] = [
        ("A", "very_satisfied", "", &f.clerk),
        ("B", "satisfied", "", &f.clerk2),
        ("C", "basically_satisfied", "还行", &f.clerk),
        ("D", "dissatisfied", "等了很久", &f.clerk),
        ("E", "very_dissatisfied", "态度差", &f.clerk2),
        ("F", "dissatisfied", "恶意差评", &f.clerk2),
        ("G", "very_dissatisfied", "涉密事项评价", ""),
    ];
    let mut made = Vec::new();
    for (key, level, text, staff) in plan {
        let matter = if key == "G" {
            &f.classified_matter
        } else {
            &f.matter
        };
        let assignee = (!staff.is_empty()).then_some(staff);
        let case = decided_case(&app, "qiye", matter, assignee).await;
        let e = evaluate(&app, "qiye", &case, level, text).await;
        assert_eq!(e.status, 201, "{key}: {:?}", e.body);
        made.push((key, e));
    }
    let find = |k: &str| made.iter().find(|(key, _)| *key == k).map(|(_, e)| e);
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let step = |e: Option<&Resp>, action: &'static str, body: Value| {
        let path = format!(
            "/api/v1/rectifications/{}/{action}",
            e.map(rect_id).unwrap_or_default()
        );
        let (app, token) = (&app, reviewer.clone());
        async move {
            let r = post(app, &token, &path, body).await;
            assert_eq!(r.status, 200, "{path}: {:?}", r.body);
        }
    };
    step(find("D"), "verify", json!({"findings": "属实"})).await;
    step(find("D"), "rectify", json!({"measures": "优化流程"})).await;
    step(find("E"), "verify", json!({"findings": "不属实"})).await;
    step(find("E"), "explain", json!({"explanation": "依法办理"})).await;
    step(
        find("E"),
        "callback",
        json!({"satisfied": true, "note": "认可"}),
    )
    .await;
    let f_id = find("F").map(Resp::id).unwrap_or_default();
    let a = post(
        &app,
        &org_admin,
        &format!("/api/v1/evaluations/{f_id}/appeal"),
        json!({"reason": "误评"}),
    )
    .await;
    assert_eq!(a.status, 200);
    let d = post(
        &app,
        &sup,
        &format!("/api/v1/evaluations/{f_id}/appeal/decision"),
        json!({"upheld": true, "reason": "申诉成立"}),
    )
    .await;
    assert_eq!(d.status, 200);

    let stats = |group_by: &'static str| {
        let (app, token) = (&app, sup.clone());
        async move {
            let r = get(
                app,
                &token,
                &format!(
                    "/api/v1/statistics/evaluations?from=2025-09-29&to=2025-09-29\
                     &group_by={group_by}"
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    // Staff statistics count the classified case: 6 valid, 1 annulled.
    let by_org = stats("org").await;
    let total = &by_org["total"];
    assert_eq!(total["evaluations"], 6);
    assert_eq!(
        total["by_level"],
        json!({"very_satisfied": 1, "satisfied": 1, "basically_satisfied": 1,
            "dissatisfied": 1, "very_dissatisfied": 2})
    );
    assert_eq!(total["satisfaction_rate"], 0.5);
    assert_eq!(total["bad_reviews"], 3);
    assert_eq!(total["rectified"], 2);
    assert_eq!(total["rectification_rate"], 2.0 / 3.0);
    assert_eq!(total["called_back"], 1);
    assert_eq!(total["callback_rate"], 1.0 / 3.0);
    assert_eq!(total["annulled"], 1);
    assert_eq!(by_org["groups"][0]["label"], "历下区人民政府");
    assert_eq!(by_org["groups"][0]["key"], f.tree.county_a.as_str());

    let by_staff = stats("staff").await;
    let group = |body: &Value, label: &str| {
        body["groups"]
            .as_array()
            .and_then(|g| g.iter().find(|x| x["label"] == label).cloned())
            .unwrap_or_default()
    };
    let a = group(&by_staff, "clerk.a");
    assert_eq!(a["evaluations"], 3);
    assert_eq!(a["satisfaction_rate"], 2.0 / 3.0);
    assert_eq!(a["bad_reviews"], 1);
    assert_eq!(a["rectification_rate"], 1.0);
    assert_eq!(a["callback_rate"], 0.0);
    let b = group(&by_staff, "clerk2.a");
    assert_eq!(b["evaluations"], 2);
    assert_eq!(b["annulled"], 1);
    assert_eq!(b["satisfaction_rate"], 0.5);
    assert_eq!(b["callback_rate"], 1.0);
    let nobody = group(&by_staff, "（无）");
    assert_eq!(nobody["evaluations"], 1);
    assert!(nobody["rectification_rate"] == 0.0);

    let by_hall = stats("hall").await;
    assert_eq!(by_hall["groups"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_hall["groups"][0]["label"], "历下区政务服务中心");
    let by_window = stats("window").await;
    assert_eq!(by_window["groups"][0]["label"], "05 工程建设项目审批窗口");
    assert_eq!(by_window["groups"][0]["evaluations"], 6);

    // Another period counts nothing; access as for case statistics.
    let empty = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-10-01&to=2025-10-31&group_by=org",
    )
    .await;
    assert_eq!(empty.body["total"]["evaluations"], 0);
    assert!(empty.body["total"]["satisfaction_rate"].is_null());
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let q = "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=org";
    assert_eq!(get(&app, &clerk, q).await.status, 403);
    let qiye = login(&app, "qiye", PASSWORD).await;
    assert_eq!(get(&app, &qiye, q).await.status, 403);
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let outside = get(&app, &sup_b, &format!("{q}&org={}", f.tree.county_a)).await;
    assert_eq!(outside.status, 422);
    assert_eq!(outside.pointers(), vec!["?org"]);
    assert_eq!(get(&app, &sup_b, q).await.body["total"]["evaluations"], 0);
    let backwards = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-10-01&to=2025-09-01&group_by=org",
    )
    .await;
    assert_eq!(backwards.pointers(), vec!["?to"]);
    let bad_group = get(
        &app,
        &sup,
        "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=matter",
    )
    .await;
    assert_eq!(bad_group.status, 400);

    // Lists: bad reviews of the scope, paged; the annulled one is marked.
    let bad = get(&app, &reviewer, "/api/v1/evaluations?bad=true&limit=3").await;
    assert_eq!(bad.status, 200, "{:?}", bad.body);
    assert_eq!(bad.body["items"].as_array().map(Vec::len), Some(3));
    assert!(
        bad.header("link")
            .is_some_and(|l| l.contains("rel=\"next\""))
    );
    let cursor = bad.body["next_cursor"].as_str().unwrap_or_default();
    let rest = get(
        &app,
        &reviewer,
        &format!("/api/v1/evaluations?bad=true&limit=3&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest.body["items"].as_array().map(Vec::len), Some(1));
    assert!(rest.body["next_cursor"].is_null());
    let annulled: Vec<bool> = bad.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(rest.body["items"].as_array().into_iter().flatten())
        .filter_map(|e| e["annulled"].as_bool())
        .collect();
    assert_eq!(annulled.iter().filter(|a| **a).count(), 1);
    let level = get(&app, &reviewer, "/api/v1/evaluations?level=satisfied").await;
    assert_eq!(level.body["items"].as_array().map(Vec::len), Some(1));
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let other_county = get(&app, &clerk_b, "/api/v1/evaluations").await;
    assert_eq!(other_county.body["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(get(&app, &qiye, "/api/v1/evaluations").await.status, 403);
    let hall_clerk = get(&app, &clerk, "/api/v1/evaluations").await;
    assert_eq!(
        hall_clerk.body["items"].as_array().map(Vec::len),
        Some(7),
        "the hall's clerks see the evaluations given at its windows"
    );
    let wrong = get(&app, &reviewer, "/api/v1/evaluations?level=great").await;
    assert_eq!(wrong.status, 400);

    // The public summary: counts only, without the annulled and the classified reviews.
    let public = req(
        &app,
        Method::GET,
        "/api/v1/public/evaluations/summary?from=2025-09-01&to=2025-09-30",
    )
    .send()
    .await;
    assert_eq!(public.status, 200, "{:?}", public.body);
    let t = &public.body["total"];
    assert_eq!(t["evaluations"], 5);
    assert_eq!(t["satisfaction_rate"], 0.6);
    assert_eq!(t["bad_reviews"], 2);
    assert_eq!(t["rectified"], 2);
    assert_eq!(t["by_level"]["very_dissatisfied"], 1);
    let orgs = public.body["organizations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["name"], "历下区人民政府");
    assert_eq!(orgs[0]["evaluations"], 5);
    let text = public.body.to_string();
    for secret in [
        "济南某某建设有限公司",
        "等了很久",
        "态度差",
        "涉密",
        "恶意",
        "text",
        "staff",
        "applicant",
        "window",
        "case",
        f.clerk.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let scoped = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/public/evaluations/summary?org={}&from=2025-09-01&to=2025-09-30",
            f.tree.county_b
        ),
    )
    .send()
    .await;
    assert_eq!(scoped.body["total"]["evaluations"], 0);
    let unknown = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/public/evaluations/summary?org={}&from=2025-09-01&to=2025-09-30",
            uuid::Uuid::now_v7()
        ),
    )
    .send()
    .await;
    assert_eq!(unknown.pointers(), vec!["?org"]);
}

#[actix_web::test]
async fn the_enums_are_labelled() {
    let t = TestApp::start().await;
    let app = app!(t);
    let r = req(&app, Method::GET, "/api/v1/meta/enums").send().await;
    assert_eq!(
        r.body["enums"]["evaluation_level"]["basically_satisfied"],
        "基本满意"
    );
    assert_eq!(
        r.body["enums"]["evaluation_channel"]["hall_tablet"],
        "政务大厅评价器"
    );
    assert_eq!(
        r.body["enums"]["rectification_state"]["called_back"],
        "已回访"
    );
    assert_eq!(r.body["enums"]["appeal_state"]["upheld"], "申诉成立");
}

#[actix_web::test]
async fn the_demo_has_a_good_review_and_a_bad_one_under_rectification() {
    let t = TestApp::start().await;
    let loaded = zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.contains("2 evaluations"), "{loaded}");
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let all = get(&app, &sup, "/api/v1/evaluations").await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let levels: Vec<&str> = all.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["level"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(levels, vec!["very_satisfied", "dissatisfied"]);
    let open = get(&app, &sup, "/api/v1/rectifications?state=verified").await;
    assert_eq!(open.body["items"].as_array().map(Vec::len), Some(1));
    assert!(open.body["items"][0]["findings"].is_string());
    assert!(open.body["items"][0]["closed_at"].is_null());
}
