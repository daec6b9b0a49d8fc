//! Letters, fees and visibility, and the annual report.

use super::*;

#[actix_web::test]
async fn letters_fees_and_visibility() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let token = login(&app, "officer.a", PASSWORD).await;
    let letter = json!({"organization_id": tree.county_a, "description": "某路段拆迁补偿标准",
        "requested_form": "paper", "delivery_method": "post", "channel": "letter",
        "contact": {"address": "济南市历下区某路1号"},
        "applicant": {"name": "赵六", "applicant_type": "natural_person"},
        "submitted_on": "2025-09-24"});
    let r = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&token)
        .json(letter.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/received_on"]);
    let mut signed = letter.clone();
    signed["signed_on"] = json!("2025-09-26");
    let r = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&token)
        .json(signed)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.body["received_on"], "2025-09-26",
        "a letter is received the day it is signed for"
    );
    let id = r.id();

    // 150 pages: 70 × ¥10 + 50 × ¥20 = ¥1,700.
    let quote = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests/fee-quote?method=by_volume&pages=150",
    )
    .send()
    .await;
    assert_eq!(quote.body["amount_fen"], 170_000);
    let both = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests/fee-quote?method=by_case&nth=12&pages=3",
    )
    .send()
    .await;
    assert_eq!(both.status, 422);
    clock.set(at("2025-09-29"));
    let f = act(
        &app,
        "officer.a",
        &id,
        "fee-notice",
        json!({"method": "by_volume", "pages": 150}),
    )
    .await;
    assert_eq!(f.status, 200, "{:?}", f.body);
    assert_eq!(f.body["fee_fen"], 170_000);
    assert_eq!(f.body["state"], "awaiting_fee");
    let r = act(
        &app,
        "officer.a",
        &id,
        "reply",
        json!({"reply_type": "disclosed", "text": "x", "provided_items": [{"description": "y"}]}),
    )
    .await;
    assert_eq!(r.status, 422, "no reply while the fee is pending");
    assert_eq!(
        act(
            &app,
            "officer.a",
            &id,
            "fee-notice",
            json!({"method": "by_case"})
        )
        .await
        .status,
        409
    );
    // Paid on Thu 9 Oct: 30 Sep and 9 Oct were paused → due 30 Oct + 2 = 3 Nov.
    clock.set(at("2025-10-09"));
    let p = act(&app, "officer.a", &id, "fee-paid", json!({})).await;
    assert_eq!(p.body["clock"]["working_days_paused"], 2);
    assert_eq!(p.body["clock"]["due_date"], "2025-11-03");

    // Visibility: the other county's office and other applicants see nothing.
    let other = login(&app, "officer.b", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosure-requests/{id}")
        )
        .token(&other)
        .send()
        .await
        .status,
        404
    );
    let mine = apply(&app, &tree.county_a).await.id();
    let someone = login(&app, "wang.wu", PASSWORD).await;
    assert_eq!(
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosure-requests/{mine}")
        )
        .token(&someone)
        .send()
        .await
        .status,
        404
    );
    let list = req(&app, Method::GET, "/api/v1/disclosure-requests")
        .token(&someone)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    let staff = req(
        &app,
        Method::GET,
        "/api/v1/disclosure-requests?applicant_type=natural_person",
    )
    .token(&login(&app, "officer.a", PASSWORD).await)
    .send()
    .await;
    assert_eq!(staff.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn the_annual_report_reproduces_a_fixture_across_two_years() {
    let clock = Arc::new(FixedClock::new(at("2024-03-01")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let tree = office(&app).await;
    let org = tree.county_a.clone();
    let reply = |kind: &'static str| {
        let mut body = json!({"reply_type": kind, "text": "答复如下。"});
        if kind == "disclosed" || kind == "partially_disclosed" {
            body["provided_items"] = json!([{"description": "相关文件"}]);
        }
        body
    };
    // A: received and answered in 2024.
    let a = apply(&app, &org).await.id();
    clock.set(at("2024-03-20"));
    assert_eq!(
        act(&app, "officer.a", &a, "reply", reply("disclosed"))
            .await
            .status,
        200
    );
    // B: received Dec 2024, answered Jan 2025 (carried into 2025), then reconsidered.
    clock.set(at("2024-12-20"));
    let b = apply(&app, &org).await.id();
    clock.set(at("2025-01-10"));
    assert_eq!(
        act(&app, "officer.a", &b, "reply", reply("partially_disclosed"))
            .await
            .status,
        200
    );
    clock.set(at("2025-03-20"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let m = req(
        &app,
        Method::POST,
        &format!("/api/v1/disclosure-requests/{b}/remedies"),
    )
    .token(&officer)
    .json(
        json!({"kind": "reconsideration", "filed_on": "2025-02-01", "outcome": "upheld",
            "decided_on": "2025-03-20"}),
    )
    .send()
    .await;
    assert_eq!(m.status, 201);
    // C: a company's letter in May 2025, refused to protect a third party.
    clock.set(at("2025-05-06"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let c = req(&app, Method::POST, "/api/v1/disclosure-requests")
        .token(&officer)
        .json(
            json!({"organization_id": org, "description": "某项目招标文件",
            "requested_form": "paper",
            "delivery_method": "post", "channel": "letter", "contact": {"address": "济南市某路2号"},
            "applicant": {"name": "济南某建设公司", "applicant_type": "legal_person",
                "legal_person_kind": "commercial_enterprise"},
            "signed_on": "2025-05-06"}),
        )
        .send()
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    clock.set(at("2025-05-30"));
    assert_eq!(
        act(
            &app,
            "officer.a",
            &c.id(),
            "reply",
            reply("non_disclosure_third_party")
        )
        .await
        .status,
        200
    );
    // D: received Dec 2025 and still open at the year's end.
    clock.set(at("2025-12-22"));
    apply(&app, &org).await;

    clock.set(at("2026-01-15"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let report = |year: i32, format: &'static str| {
        req(
            &app,
            Method::GET,
            &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}&format={format}"),
        )
        .token(&officer)
        .send()
    };
    let r = report(2025, "json").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let row = |body: &Value, key: &str| -> Vec<u64> {
        body["table3"]["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|x| x["key"] == key))
            .and_then(|x| x["counts"].as_array())
            .map(|c| c.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };
    assert_eq!(row(&r.body, "new"), vec![1, 1, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r.body, "carried_in"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        row(&r.body, "partially_disclosed"),
        vec![1, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        row(&r.body, "non_disclosure_third_party"),
        vec![0, 1, 0, 0, 0, 0, 1]
    );
    assert_eq!(row(&r.body, "disclosed"), vec![0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(row(&r.body, "handled_total"), vec![1, 1, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r.body, "carried_over"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(r.body["table3"]["balanced"], true);
    assert_eq!(r.body["table4"][0]["upheld"], 1);
    assert_eq!(r.body["table4"][0]["total"], 1);
    // 2024: A and B new, A answered, B carried over into 2025.
    let r24 = report(2024, "json").await;
    assert_eq!(row(&r24.body, "new"), vec![2, 0, 0, 0, 0, 0, 2]);
    assert_eq!(row(&r24.body, "disclosed"), vec![1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(row(&r24.body, "carried_over"), vec![1, 0, 0, 0, 0, 0, 1]);

    // The written sections, then the Markdown and CSV renderings.
    let put = req(
        &app,
        Method::PUT,
        &format!("/api/v1/reports/disclosure-annual/{org}/2025/text"),
    )
    .token(&officer)
    .json(
        json!({"overview": "2025年，历下区深入贯彻政府信息公开条例。",
            "problems": "依申请公开答复规范性有待提高。",
            "other_matters": "本年度未收取信息处理费。"}),
    )
    .send()
    .await;
    assert_eq!(put.status, 204, "{:?}", put.body);
    let md = report(2025, "markdown").await;
    let text = md.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("# 历下区人民政府2025年政府信息公开工作年度报告"),
        "{text}"
    );
    assert!(text.contains("2025年，历下区深入贯彻政府信息公开条例。"));
    assert!(
        text.contains("| 本年新收政府信息公开申请数量 | 1 | 1 | 0 | 0 | 0 | 0 | 2 |"),
        "{text}"
    );
    let csv = report(2025, "csv").await;
    let csv = csv.body.as_str().unwrap_or_default();
    assert!(csv.contains("3,上年结转政府信息公开申请数量,1,0,0,0,0,0,1"));
    // With a byte order mark, so that Excel on Chinese Windows reads it as UTF-8.
    assert!(csv.starts_with("\u{feff}table,row,"), "{csv:?}");
    // Staff outside the organisation's scope cannot read it.
    let other = login(&app, "officer.b", PASSWORD).await;
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/reports/disclosure-annual?org={org}&year=2025"),
    )
    .token(&other)
    .send()
    .await;
    assert_eq!(r.status, 422);
}

#[actix_web::test]
async fn the_demo_has_applications_in_every_state_and_a_report_worth_reading() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let officer = login(&app, "lixia.disclosure", zhengwu_api::demo::DEMO_PASSWORD).await;
    let list = req(&app, Method::GET, "/api/v1/disclosure-requests?limit=50")
        .token(&officer)
        .send()
        .await;
    let mut states: Vec<String> = list.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["state"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec![
            "awaiting_correction",
            "awaiting_fee",
            "consulting",
            "deemed_withdrawn",
            "received",
            "replied"
        ]
    );
    let org = list.body["items"][0]["organization_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let year = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("tz")))
        .format("%Y")
        .to_string();
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}"),
    )
    .token(&officer)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["table3"]["balanced"], true);
    let total = |key: &str| -> u64 {
        r.body["table3"]["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|x| x["key"] == key))
            .and_then(|x| x["counts"][6].as_u64())
            .unwrap_or(0)
    };
    assert_eq!(total("carried_in"), 1);
    assert!(total("new") >= 5, "{}", total("new"));
    assert!(total("handled_total") >= 5);
    let wall = req(&app, Method::GET, "/api/v1/public/echo-wall")
        .send()
        .await;
    assert_eq!(wall.body["items"].as_array().map(Vec::len), Some(1));
    let open = req(&app, Method::GET, "/api/v1/consultations").send().await;
    assert_eq!(open.body["items"][0]["accepting_comments"], true);
}

#[actix_web::test]
async fn table_2_counts_documents_as_they_stood_at_the_year_end_and_keeps_its_rows_apart() {
    let clock = Arc::new(FixedClock::new(at("2025-03-10")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &h.tree.county_a,
    )
    .await;
    let cats = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            h.tree.county_a
        ),
    )
    .send()
    .await;
    let category = |code: &str| {
        cats.body["items"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["code"] == code))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(category("0101")["document_kind"], "regulation");
    assert_eq!(category("0102")["document_kind"], "normative_document");
    assert_eq!(category("0102")["parent_id"], category("01")["id"]);
    // Publishes an item (or a revision of one) today, through review.
    let publish =
        |id: Option<String>, code: &'static str, title: &'static str, validity: &'static str| {
            let (app, category) = (&app, category(code)["id"].clone());
            let county = h.tree.county_a.clone();
            async move {
                let officer = login(app, "officer.a", PASSWORD).await;
                let reviewer = login(app, "reviewer.a", PASSWORD).await;
                let step = |token: String, id: String, action: &'static str| async move {
                    let r = req(
                        app,
                        Method::POST,
                        &format!("/api/v1/disclosures/{id}/{action}"),
                    )
                    .token(&token)
                    .json(json!({}))
                    .send()
                    .await;
                    assert_eq!(r.status, 200, "{action}: {:?}", r.body);
                };
                let id = match id {
                    None => {
                        let r = req(app, Method::POST, "/api/v1/disclosures")
                            .token(&officer)
                            .json(json!({"organization_id": county, "category_id": category,
                            "title": title, "summary": title, "content": "正文。",
                            "formed_on": "2025-03-10", "validity": validity}))
                            .send()
                            .await;
                        assert_eq!(r.status, 201, "{:?}", r.body);
                        r.id()
                    }
                    Some(id) => {
                        step(officer.clone(), id.clone(), "revise").await;
                        let r = req(app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
                            .token(&officer)
                            .json(json!({"validity": validity}))
                            .send()
                            .await;
                        assert_eq!(r.status, 200, "{:?}", r.body);
                        id
                    }
                };
                step(officer, id.clone(), "submit").await;
                step(reviewer.clone(), id.clone(), "approve").await;
                step(
                    login(app, "officer.a", PASSWORD).await,
                    id.clone(),
                    "publish",
                )
                .await;
                id
            }
        };
    let regulation = publish(None, "0101", "济南市历下区城市绿化管理办法", "valid").await;
    clock.set(at("2025-04-01"));
    let normative = publish(None, "0102", "关于规范行政事业性收费的通知", "valid").await;
    clock.set(at("2025-06-02"));
    publish(None, "01", "关于加强物业管理的意见", "valid").await;
    clock.set(at("2025-11-20"));
    publish(Some(normative), "0102", "", "repealed").await;
    // After the year: a new normative document, and the regulation repealed.
    clock.set(at("2026-01-05"));
    publish(None, "0102", "关于优化营商环境的若干措施", "valid").await;
    clock.set(at("2026-01-20"));
    publish(Some(regulation), "0101", "", "repealed").await;

    // Decisions of 2025: one licence, one penalty, two coercive measures.
    clock.set(at("2025-09-26"));
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut matters = vec![h.matter.clone()];
    for (code, name, kind) in [
        ("P1", "违法建设行政处罚", "administrative_penalty"),
        ("C1", "查封施工现场", "administrative_coercion"),
    ] {
        let mut body = matter_body(&h.tree.county_a, code, name, &h.window, json!([]));
        body["matter_type"] = json!(kind);
        let id = publish_matter(&app, &org_admin, &reviewer, body).await;
        matters.push(id);
    }
    matters.push(matters[2].clone());
    let applicant = login(&app, "qiye", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for (i, m) in matters.iter().enumerate() {
        let id = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [m], "channel": "web"}))
            .send()
            .await
            .id();
        for (token, action, body) in [
            (&clerk, "accept", json!({})),
            (
                &reviewer,
                "decide",
                json!({"decision": "approved", "result_number": format!("历下〔2025〕{i}号")}),
            ),
        ] {
            let r = req(&app, Method::POST, &format!("/api/v1/cases/{id}/{action}"))
                .token(token)
                .json(body)
                .send()
                .await;
            assert_eq!(r.status, 200, "{action}: {:?}", r.body);
        }
    }

    // The 2025 report, run on 2 Feb 2026.
    clock.set(at("2026-02-02"));
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let report = |year: i32, format: &'static str| {
        let (app, admin, org) = (&app, admin.clone(), h.tree.county_a.clone());
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/reports/disclosure-annual?org={org}&year={year}&format={format}"),
            )
            .token(&admin)
            .send()
            .await
        }
    };
    let r = report(2025, "json").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let t2 = &r.body["table2"];
    let row = |v: &Value| {
        (
            v["issued_this_year"].as_u64().unwrap_or(99),
            v["repealed_this_year"].as_u64().unwrap_or(99),
            v["in_force"].as_u64().unwrap_or(99),
        )
    };
    assert_eq!(row(&t2["regulations"]), (1, 0, 1), "{t2}");
    assert_eq!(row(&t2["normative_documents"]), (1, 1, 0), "{t2}");
    assert_eq!(row(&t2["unclassified_documents"]), (1, 0, 1), "{t2}");
    assert_eq!(
        (
            &t2["licensing_decisions"],
            &t2["penalty_decisions"],
            &t2["coercion_decisions"]
        ),
        (&json!(1), &json!(1), &json!(2))
    );
    let md = report(2025, "markdown").await;
    let text = md.body.as_str().unwrap_or_default();
    for line in [
        "| 规章 | 1 | 0 | 1 |",
        "| 行政规范性文件 | 1 | 1 | 0 |",
        "| 行政处罚 | 1 |",
        "| 行政强制 | 2 |",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let r = report(2026, "json").await;
    let t2 = &r.body["table2"];
    assert_eq!(row(&t2["regulations"]), (0, 1, 0), "{t2}");
    assert_eq!(row(&t2["normative_documents"]), (1, 0, 1), "{t2}");
}
