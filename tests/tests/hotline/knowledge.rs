//! The knowledge base.

use super::*;

#[actix_web::test]
async fn the_knowledge_base_is_reviewed_and_found_by_two_character_words() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let s = setup(&app).await;
    let op = login(&app, "op.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.city", PASSWORD).await;
    let mut ids = Vec::new();
    for (q, a, valid_to) in [
        (
            "办理居住证需要哪些材料？",
            "本人居民身份证、近期照片、居住登记凭证及就业、住所或就读证明之一。",
            None,
        ),
        (
            "灵活就业人员如何缴纳社保？",
            "携带身份证到社保经办机构或通过网上服务大厅办理参保登记，按月缴费。",
            None,
        ),
        (
            "新生儿如何办理医保？",
            "出生后可在线办理参保，与社保卡同步申领。居住地不限。",
            None,
        ),
        (
            "2024年供暖补贴如何申请？",
            "已于2024年底截止申请。",
            Some("2024-12-31"),
        ),
    ] {
        let r = req(&app, Method::POST, "/api/v1/knowledge-base")
            .token(&op)
            .json(
                json!({"organization_id": s.tree.city, "question": q, "answer": a,
                "valid_to": valid_to}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.id());
    }
    let bad = req(&app, Method::POST, "/api/v1/knowledge-base")
        .token(&op)
        .json(
            json!({"organization_id": s.tree.city, "question": "", "answer": "x",
            "valid_from": "2025-02-01", "valid_to": "2025-01-01"}),
        )
        .send()
        .await;
    assert_eq!(bad.pointers(), vec!["/question", "/valid_to"]);
    let bad = req(&app, Method::POST, "/api/v1/knowledge-base")
        .token(&op)
        .json(
            json!({"organization_id": s.tree.city, "question": "问题", "answer": "答案",
            "matter_ids": [s.tree.city], "disclosure_ids": [s.tree.city]}),
        )
        .send()
        .await;
    assert_eq!(bad.pointers(), vec!["/matter_ids/0", "/disclosure_ids/0"]);
    let public = |q: &'static str| {
        let app = &app;
        async move {
            let r = req(
                app,
                Method::GET,
                &format!("/api/v1/knowledge-base?q={}", urlencode(q)),
            )
            .send()
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["items"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e["question"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert!(public("居住").await.is_empty(), "drafts are not public");
    for id in &ids {
        assert_eq!(
            req(
                &app,
                Method::POST,
                &format!("/api/v1/knowledge-base/{id}/submit")
            )
            .token(&op)
            .send()
            .await
            .status,
            200
        );
        let own = req(
            &app,
            Method::POST,
            &format!("/api/v1/knowledge-base/{id}/publish"),
        )
        .token(&op)
        .send()
        .await;
        assert_eq!(own.status, 403);
        let p = req(
            &app,
            Method::POST,
            &format!("/api/v1/knowledge-base/{id}/publish"),
        )
        .token(&reviewer)
        .send()
        .await;
        assert_eq!(p.status, 200, "{:?}", p.body);
    }
    // Two-character words; a question match ranks above an answer match.
    assert_eq!(
        public("居住").await,
        vec!["办理居住证需要哪些材料？", "新生儿如何办理医保？"]
    );
    assert_eq!(
        public("社保").await,
        vec!["灵活就业人员如何缴纳社保？", "新生儿如何办理医保？"]
    );
    assert_eq!(public("医保 社保").await, vec!["新生儿如何办理医保？"]);
    // Results carry their words marked; a listing without words does not.
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/knowledge-base?q={}", urlencode("居住")),
    )
    .send()
    .await;
    let h = &r.body["items"][0]["highlight"];
    assert_eq!(
        h["title"], "办理<em>居住</em>证需要哪些材料？",
        "{:?}",
        r.body
    );
    let r = req(&app, Method::GET, "/api/v1/knowledge-base")
        .send()
        .await;
    assert!(
        r.body["items"][0].get("highlight").is_none(),
        "{:?}",
        r.body
    );
    assert!(
        public("补贴").await.is_empty(),
        "expired entries are not served"
    );
    let staff = req(
        &app,
        Method::GET,
        &format!("/api/v1/knowledge-base?q={}", urlencode("补贴")),
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(
        staff.body["items"].as_array().map(Vec::len),
        Some(1),
        "staff see every entry of their scope"
    );
    let retired = req(
        &app,
        Method::POST,
        &format!("/api/v1/knowledge-base/{}/retire", ids[0]),
    )
    .token(&reviewer)
    .send()
    .await;
    assert_eq!(retired.body["state"], "retired");
    assert_eq!(public("居住").await, vec!["新生儿如何办理医保？"]);

    // A ticket's reply becomes a draft entry with personal data masked.
    let tk = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .token(&op)
        .json(json!({"kind": "consultation", "channel": "phone",
            "subject": "电话13912345678的市民咨询公积金提取",
            "description": "咨询公积金提取条件。", "caller_contact": {"phone": "13912345678"}}))
        .send()
        .await
        .id();
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{tk}/knowledge-entry"),
    )
    .token(&op)
    .send()
    .await;
    assert_eq!(r.status, 409, "no reply yet");
    assert_eq!(
        req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{tk}/dispatch")
        )
        .token(&op)
        .json(json!({"organization_id": s.tree.county_a}))
        .send()
        .await
        .status,
        200
    );
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::POST,
            &format!("/api/v1/hotline/tickets/{tk}/reply")
        )
        .token(&admin_a)
        .json(json!({"reply": "购房、退休、离职等情形可申请提取。"}))
        .send()
        .await
        .status,
        200
    );
    let draft = req(
        &app,
        Method::POST,
        &format!("/api/v1/hotline/tickets/{tk}/knowledge-entry"),
    )
    .token(&admin_a)
    .send()
    .await;
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    assert_eq!(draft.body["state"], "draft");
    assert_eq!(draft.body["organization_id"], s.tree.county_a.as_str());
    assert!(
        !draft.body["question"]
            .as_str()
            .unwrap_or_default()
            .contains("13912345678")
    );
}

#[actix_web::test]
async fn the_demo_has_tickets_in_every_state_and_a_knowledge_base() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let op = login(&app, "city.hotline", zhengwu_api::demo::DEMO_PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/hotline/tickets?limit=50")
        .token(&op)
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut states: Vec<String> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["state"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec![
            "called_back",
            "closed",
            "dispatched",
            "merged",
            "received",
            "reopened",
            "replied",
            "returned"
        ]
    );
    let number = r.body["items"][1]["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lookup = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/hotline/tickets/{number}?code=DEMO2001"),
    )
    .send()
    .await;
    assert_eq!(lookup.status, 200, "{:?}", lookup.body);
    let kb = req(&app, Method::GET, "/api/v1/knowledge-base?limit=200")
        .send()
        .await;
    assert_eq!(kb.body["items"].as_array().map(Vec::len), Some(28));
    let found = req(
        &app,
        Method::GET,
        &format!("/api/v1/knowledge-base?q={}", urlencode("备案")),
    )
    .send()
    .await;
    assert_eq!(found.body["items"][0]["question"], "医保异地就医如何备案？");
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(2));
    let answers = req(&app, Method::GET, "/api/v1/public/hotline/answers")
        .send()
        .await;
    assert_eq!(answers.body["items"].as_array().map(Vec::len), Some(3));
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?kind=hotline_ticket",
    )
    .token(&sup)
    .send()
    .await;
    let levels: Vec<&str> = alerts.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["level"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        levels.contains(&"red") && levels.contains(&"yellow"),
        "{levels:?}"
    );
}
