//! Rectifications of bad reviews and appeals.

use super::*;

#[actix_web::test]
async fn a_bad_review_is_rectified_step_by_step_with_a_due_date_across_the_holiday() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;

    // Reviewed badly on Tue 30 Sep: 5 working days skip 1–8 Oct and Sun 12 Oct
    // (Sat 11 Oct is an adjusted working day): 9, 10, 11, 13, 14 Oct.
    clock.set(at("2025-09-30"));
    let bad = evaluate(
        &app,
        "qiye",
        &case,
        "dissatisfied",
        "窗口未一次性告知所需材料，跑了三次",
    )
    .await;
    assert_eq!(bad.status, 201, "{:?}", bad.body);
    assert_eq!(bad.body["bad"], true);
    assert_eq!(bad.body["staff_id"], f.clerk.as_str());
    assert_eq!(bad.body["rectification"]["state"], "open");
    assert_eq!(bad.body["rectification"]["due_date"], "2025-10-14");
    let rid = rect_id(&bad);
    let base = format!("/api/v1/rectifications/{rid}");

    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let clerk_b = login(&app, "clerk.b", PASSWORD).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let applicant = login(&app, "qiye", PASSWORD).await;

    // The rectification feeds supervision: yellow with a working day left, red after.
    for (as_of, level) in [("2025-10-13", "yellow"), ("2025-10-15", "red")] {
        let a = get(
            &app,
            &sup,
            &format!("/api/v1/supervision/alerts?as_of={as_of}&kind=rectification"),
        )
        .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert_eq!(a.body["items"][0]["level"], level, "{as_of}");
        assert_eq!(a.body["items"][0]["rule_id"], "JC-A06");
        assert_eq!(a.body["items"][0]["responsible_id"], f.clerk.as_str());
    }

    let r = get(&app, &reviewer, &base).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "open");
    assert_eq!(r.body["opened_on"], "2025-09-30");
    assert_eq!(r.body["due_date"], "2025-10-14");
    assert_eq!(r.body["responsible_id"], f.clerk.as_str());
    assert_eq!(r.body["evaluation_level"], "dissatisfied");
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(get(&app, &clerk_b, &base).await.status, 404);
    assert_eq!(get(&app, &applicant, &base).await.status, 404);
    let listed = get(&app, &reviewer, "/api/v1/rectifications?state=open").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    let none = get(&app, &reviewer, "/api/v1/rectifications?state=closed").await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        get(&app, &clerk_b, "/api/v1/rectifications").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "another county's clerk sees none"
    );

    // Illegal transitions from open.
    for (action, body) in [
        ("rectify", json!({"measures": "整改"})),
        ("explain", json!({"explanation": "说明"})),
        ("callback", json!({"satisfied": true, "note": "回访"})),
    ] {
        let r = post(&app, &reviewer, &format!("{base}/{action}"), body).await;
        assert_eq!(r.status, 409, "{action}: {:?}", r.body);
        assert_eq!(r.body["code"], "rectification.illegal_transition");
        assert_eq!(r.body["context"]["state"], "open");
        assert_eq!(r.body["context"]["action"], action);
    }
    let close_open = post(&app, &org_admin, &format!("{base}/close"), json!({})).await;
    assert_eq!(close_open.status, 409);

    // Verify: the department's staff, with findings, on the current version.
    let empty = post(
        &app,
        &reviewer,
        &format!("{base}/verify"),
        json!({"findings": " "}),
    )
    .await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.pointers(), vec!["/findings"]);
    let missing = post(&app, &reviewer, &format!("{base}/verify"), json!({})).await;
    assert_eq!(missing.pointers(), vec!["/findings"]);
    let findings = json!({"findings": "经调取窗口录像核实，情况属实。"});
    assert_eq!(
        post(&app, &sup, &format!("{base}/verify"), findings.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        post(&app, &clerk_b, &format!("{base}/verify"), findings.clone())
            .await
            .status,
        404
    );
    let stale = req(&app, Method::POST, &format!("{base}/verify"))
        .token(&reviewer)
        .header("If-Match", "\"7\"")
        .json(findings.clone())
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let v = req(&app, Method::POST, &format!("{base}/verify"))
        .token(&reviewer)
        .header("If-Match", "\"1\"")
        .json(findings.clone())
        .send()
        .await;
    assert_eq!(v.status, 200, "{:?}", v.body);
    assert_eq!(v.body["state"], "verified");
    assert_eq!(v.body["findings"], "经调取窗口录像核实，情况属实。");
    assert_eq!(v.header("etag").as_deref(), Some("\"2\""));
    let again = post(&app, &reviewer, &format!("{base}/verify"), findings).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["context"]["state"], "verified");

    // Rectify (not explain as well), call back, close.
    let m = post(
        &app,
        &org_admin,
        &format!("{base}/rectify"),
        json!({"measures": "对窗口人员批评教育，修订一次性告知清单。"}),
    )
    .await;
    assert_eq!(m.status, 200, "{:?}", m.body);
    assert_eq!(m.body["state"], "rectified");
    let explain = post(
        &app,
        &org_admin,
        &format!("{base}/explain"),
        json!({"explanation": "说明"}),
    )
    .await;
    assert_eq!(explain.status, 409);
    let no_note = post(
        &app,
        &clerk,
        &format!("{base}/callback"),
        json!({"satisfied": true}),
    )
    .await;
    assert_eq!(no_note.pointers(), vec!["/note"]);
    // The hall's clerk is outside county A's scope.
    let outside = post(
        &app,
        &clerk,
        &format!("{base}/callback"),
        json!({"satisfied": true, "note": "电话回访，表示满意"}),
    )
    .await;
    assert_eq!(outside.status, 404);
    let cb = post(
        &app,
        &reviewer,
        &format!("{base}/callback"),
        json!({"satisfied": true, "note": "电话回访，表示满意"}),
    )
    .await;
    assert_eq!(cb.status, 200, "{:?}", cb.body);
    assert_eq!(cb.body["state"], "called_back");
    assert_eq!(cb.body["callback_satisfied"], true);
    assert_eq!(
        post(&app, &reviewer, &format!("{base}/close"), json!({}))
            .await
            .status,
        403,
        "reviewers do not close"
    );
    clock.set(at("2025-10-10"));
    let sup = login(&app, "sup.city", PASSWORD).await;
    let closed = post(
        &app,
        &sup,
        &format!("{base}/close"),
        json!({"note": "整改到位"}),
    )
    .await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["state"], "closed");
    assert!(closed.body["closed_at"].is_string());
    assert_eq!(closed.body["version"], 5);
    let close_again = post(&app, &sup, &format!("{base}/close"), json!({})).await;
    assert_eq!(close_again.status, 409);
    assert_eq!(close_again.body["context"]["state"], "closed");

    // No appeal once the rectification is closed.
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let late = post(
        &app,
        &org_admin,
        &format!("/api/v1/evaluations/{}/appeal", bad.id()),
        json!({"reason": "误评"}),
    )
    .await;
    assert_eq!(late.status, 409);
    assert_eq!(late.body["code"], "appeal.rectification_ended");

    // The applicant sees the outcome on the evaluation; every change is in the audit log.
    let applicant = login(&app, "qiye", PASSWORD).await;
    let e = get(
        &app,
        &applicant,
        &format!("/api/v1/cases/{case}/evaluation"),
    )
    .await;
    assert_eq!(e.body["rectification"]["state"], "closed");
    assert!(e.body["appeal"].is_null());
    let audit = get(
        &app,
        &sup,
        &format!("/api/v1/audit-events?entity_type=rectification&entity_id={rid}"),
    )
    .await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let mut actions: Vec<String> = audit.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            "rectification.callback",
            "rectification.close",
            "rectification.open",
            "rectification.rectify",
            "rectification.verify"
        ]
    );
    assert_eq!(
        events_of(&t, &format!("rectifications/{rid}")),
        ["rectification.opened", "rectification.closed"]
    );
}

#[actix_web::test]
async fn an_explained_review_and_appeals_upheld_or_rejected() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let good_case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let malicious_case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let fair_case = decided_case(&app, "other", &f.matter, Some(&f.clerk2)).await;
    let good = evaluate(&app, "qiye", &good_case, "satisfied", "").await;
    assert_eq!(good.status, 201);
    assert!(good.body["text"].is_null(), "blank text is no text");
    let malicious = evaluate(
        &app,
        "qiye",
        &malicious_case,
        "very_dissatisfied",
        "乱七八糟",
    )
    .await;
    let fair = evaluate(
        &app,
        "other",
        &fair_case,
        "dissatisfied",
        "不予许可，不满意",
    )
    .await;
    let stats = |token: String| {
        let app = &app;
        async move {
            get(
                app,
                &token,
                "/api/v1/statistics/evaluations?from=2025-09-01&to=2025-09-30&group_by=org",
            )
            .await
        }
    };
    let sup = login(&app, "sup.city", PASSWORD).await;
    let before = stats(sup.clone()).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    assert_eq!(before.body["total"]["evaluations"], 3);
    assert_eq!(before.body["total"]["bad_reviews"], 2);

    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let appeal_path = |e: &Resp| format!("/api/v1/evaluations/{}/appeal", e.id());
    let reason = json!({"reason": "评价内容与所办事项无关，系恶意差评。"});

    // Who may appeal, and what.
    assert_eq!(
        post(&app, &sup, &appeal_path(&malicious), reason.clone())
            .await
            .status,
        403,
        "supervisors do not appeal"
    );
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        post(&app, &clerk, &appeal_path(&malicious), reason.clone())
            .await
            .status,
        403,
        "the clerk evaluated does not appeal"
    );
    let not_bad = post(&app, &org_admin, &appeal_path(&good), reason.clone()).await;
    assert_eq!(not_bad.status, 409);
    assert_eq!(not_bad.body["code"], "appeal.not_a_bad_review");
    let empty = post(
        &app,
        &org_admin,
        &appeal_path(&malicious),
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(empty.pointers(), vec!["/reason"]);
    let appealed = req(&app, Method::POST, &appeal_path(&malicious))
        .token(&org_admin)
        .header("If-Match", "\"1\"")
        .json(reason.clone())
        .send()
        .await;
    assert_eq!(appealed.status, 200, "{:?}", appealed.body);
    assert_eq!(appealed.body["appeal"]["state"], "pending");
    assert_eq!(appealed.body["version"], 2);
    let twice = post(&app, &reviewer, &appeal_path(&malicious), reason.clone()).await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.body["code"], "appeal.already_made");
    // The applicant does not see the appeal.
    let qiye = login(&app, "qiye", PASSWORD).await;
    let seen = get(
        &app,
        &qiye,
        &format!("/api/v1/cases/{malicious_case}/evaluation"),
    )
    .await;
    assert!(seen.body["appeal"].is_null());

    // Who decides.
    let decision = |e: &Resp| format!("/api/v1/evaluations/{}/appeal/decision", e.id());
    let upheld = json!({"upheld": true, "reason": "经复核，评价内容与所办事项无关，申诉成立。"});
    assert_eq!(
        post(&app, &org_admin, &decision(&malicious), upheld.clone())
            .await
            .status,
        403,
        "departments do not decide"
    );
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    assert_eq!(
        post(&app, &sup_b, &decision(&malicious), upheld.clone())
            .await
            .status,
        404,
        "a supervisor outside the scope"
    );
    let no_appeal = post(&app, &sup, &decision(&fair), upheld.clone()).await;
    assert_eq!(no_appeal.status, 409);
    assert_eq!(no_appeal.body["code"], "appeal.none");
    let no_reason = post(&app, &sup, &decision(&malicious), json!({"upheld": true})).await;
    assert_eq!(no_reason.pointers(), vec!["/reason"]);
    let d = post(&app, &sup, &decision(&malicious), upheld.clone()).await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["annulled"], true);
    assert_eq!(d.body["appeal"]["state"], "upheld");
    assert_eq!(d.body["rectification"]["state"], "annulled");
    let again = post(&app, &sup, &decision(&malicious), upheld.clone()).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "appeal.already_decided");
    let annulled_rect = format!("/api/v1/rectifications/{}", rect_id(&malicious));
    let verify_annulled = post(
        &app,
        &reviewer,
        &format!("{annulled_rect}/verify"),
        json!({"findings": "x"}),
    )
    .await;
    assert_eq!(verify_annulled.status, 409);
    assert_eq!(verify_annulled.body["context"]["state"], "annulled");

    // The annulled review leaves the statistics.
    let after = stats(sup.clone()).await;
    assert_eq!(after.body["total"]["evaluations"], 2);
    assert_eq!(after.body["total"]["bad_reviews"], 1);
    assert_eq!(after.body["total"]["annulled"], 1);
    assert_eq!(after.body["total"]["by_level"]["very_dissatisfied"], 0);

    // A rejected appeal: the rectification goes on, explained (not the department's fault),
    // and cannot close while the appeal is pending.
    let fair_rect = format!("/api/v1/rectifications/{}", rect_id(&fair));
    let v = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/verify"),
        json!({"findings": "申请不符合法定条件，依法不予许可。"}),
    )
    .await;
    assert_eq!(v.status, 200);
    let appealed = post(&app, &reviewer, &appeal_path(&fair), reason.clone()).await;
    assert_eq!(appealed.status, 200, "{:?}", appealed.body);
    let x = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/explain"),
        json!({"explanation": "依法不予许可，已向申请人解释政策依据。"}),
    )
    .await;
    assert_eq!(x.status, 200, "{:?}", x.body);
    assert_eq!(x.body["state"], "explained");
    assert_eq!(
        post(
            &app,
            &reviewer,
            &format!("{fair_rect}/rectify"),
            json!({"measures": "x"})
        )
        .await
        .status,
        409
    );
    let cb = post(
        &app,
        &reviewer,
        &format!("{fair_rect}/callback"),
        json!({"satisfied": false, "note": "申请人仍不认可"}),
    )
    .await;
    assert_eq!(cb.body["state"], "called_back");
    assert_eq!(cb.body["callback_satisfied"], false);
    let pending = post(&app, &org_admin, &format!("{fair_rect}/close"), json!({})).await;
    assert_eq!(pending.status, 409);
    assert_eq!(pending.body["code"], "rectification.appeal_pending");
    let rejected = post(
        &app,
        &sup,
        &decision(&fair),
        json!({"upheld": false, "reason": "评价反映的情况属实，申诉不成立。"}),
    )
    .await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["annulled"], false);
    assert_eq!(rejected.body["appeal"]["state"], "rejected");
    assert_eq!(rejected.body["rectification"]["state"], "called_back");
    let closed = post(&app, &org_admin, &format!("{fair_rect}/close"), json!({})).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    let last = stats(sup).await;
    assert_eq!(last.body["total"]["evaluations"], 2);
    assert_eq!(last.body["total"]["rectification_rate"], 1.0);
    assert_eq!(last.body["total"]["callback_rate"], 1.0);
}

#[actix_web::test]
async fn the_rectification_limit_is_the_organisations_rule() {
    let clock = Arc::new(FixedClock::new(at("2025-09-29")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let f = fixture(&app).await;
    let case = decided_case(&app, "qiye", &f.matter, Some(&f.clerk)).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let url = format!("/api/v1/supervision/rules?org={}", f.tree.county_a);
    let rules = get(&app, &sup, &url).await;
    let mut body = rules.body["rules"].clone();
    body["rectification_days"] = json!(15);
    let put = req(&app, Method::PUT, &url)
        .token(&sup)
        .json(body)
        .send()
        .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    // 15 working days from Tue 30 Sep: 9, 10, 11, 13–17, 20–24, 27, 28 Oct.
    clock.set(at("2025-09-30"));
    let bad = evaluate(&app, "qiye", &case, "very_dissatisfied", "多次往返仍未办成").await;
    assert_eq!(bad.status, 201, "{:?}", bad.body);
    assert_eq!(bad.body["rectification"]["due_date"], "2025-10-28");
}
