//! Publication: index numbers, personal data, the publication duty, attachments and
//! interpretations.

use super::*;

#[actix_web::test]
async fn index_numbers_stay_unique_and_gap_free_under_concurrent_publication() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let r = req(&app, Method::POST, "/api/v1/disclosures")
            .token(&d.officer)
            .json(item(&d, &format!("第{i}号公告"), "正文"))
            .send()
            .await;
        let id = r.id();
        assert_eq!(
            step(&app, &d.officer, &id, "submit", json!({}))
                .await
                .status,
            200
        );
        assert_eq!(
            step(&app, &d.reviewer, &id, "approve", json!({}))
                .await
                .status,
            200
        );
        ids.push(id);
    }
    let results = futures_util::future::join_all(
        ids.iter()
            .map(|id| step(&app, &d.officer, id, "publish", json!({}))),
    )
    .await;
    let mut serials: Vec<u32> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{:?}", r.body);
            let n = r.body["item"]["index_number"].as_str().unwrap_or_default();
            n.rsplit('-')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, (1..=8).collect::<Vec<u32>>());
}

#[actix_web::test]
async fn personal_data_is_refused_masked_or_published_under_an_audited_exception() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let content = "经查，当事人张某（身份证号11010519491231002X，联系电话13812345678）违法经营。\
                   咨询电话：0531-86026000。依据历下政办发〔2026〕3号文件。";
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "行政处罚决定书", content))
        .send()
        .await;
    let id = r.id();
    let kinds: Vec<&str> = r.body["personal_data"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        vec!["id_number", "mobile"],
        "office phone and document number are not flagged"
    );
    let s = step(&app, &d.officer, &id, "submit", json!({})).await;
    assert_eq!(s.body["warnings"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        step(&app, &d.reviewer, &id, "approve", json!({}))
            .await
            .status,
        200
    );
    let refused = step(&app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "disclosure.personal_data");
    assert_eq!(refused.pointers(), vec!["/content", "/content"]);
    let masked: Vec<&str> = refused.body["context"]["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["masked"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(masked, vec!["110105********002X", "138****5678"]);
    // Nothing was published by the refusal.
    assert_eq!(
        req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
            .send()
            .await
            .status,
        404
    );

    let ok = step(
        &app,
        &d.officer,
        &id,
        "publish",
        json!({"pii_exception": {"ground": "punitive_notice", "note": "行政处罚决定依法公示"}}),
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let audit = req(
        &app,
        Method::GET,
        &format!("/api/v1/audit-events?entity_type=disclosure&entity_id={id}"),
    )
    .token(&d.admin)
    .send()
    .await;
    let exception = audit.body["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["action"] == "disclosure.publish_with_personal_data")
        })
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        exception["after"]["pii_exception"]["ground"],
        "punitive_notice"
    );

    // Masking a draft replaces the findings.
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(
            &d,
            "低保公示",
            "王某 13812345678，卡号 6222021234567890128。",
        ))
        .send()
        .await;
    let draft = r.id();
    let m = req(
        &app,
        Method::POST,
        &format!("/api/v1/disclosures/{draft}/mask"),
    )
    .token(&d.officer)
    .send()
    .await;
    assert_eq!(m.status, 200, "{:?}", m.body);
    assert_eq!(m.body["masked"], 2);
    assert_eq!(
        m.body["item"]["content"],
        "王某 138****5678，卡号 622202*********0128。"
    );
    assert_eq!(m.body["item"]["personal_data"], json!([]));
}

#[actix_web::test]
async fn the_publication_duty_counts_twenty_working_days_across_holidays() {
    let clock = Arc::new(zhengwu_api::clock::FixedClock::new(
        chrono::DateTime::parse_from_rfc3339("2025-10-29T09:00:00+08:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    ));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let d = desk(&app).await;
    let holidays: Vec<String> = (1..=8).map(|n| format!("2025-10-0{n}")).collect();
    let cal = req(&app, Method::PUT, "/api/v1/calendars/2025")
        .token(&d.admin)
        .json(json!({"holidays": holidays, "adjusted_working_days": ["2025-09-28", "2025-10-11"]}))
        .send()
        .await;
    assert_eq!(cal.status, 200);
    let mut body = item(&d, "2025年第三季度统计信息", "统计数据。");
    body["formed_on"] = json!("2025-09-26");
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(body)
        .send()
        .await;
    assert_eq!(r.body["publish_due"], "2025-10-30");
    assert_eq!(r.body["overdue"], false);
    let id = r.id();
    let list = req(&app, Method::GET, "/api/v1/disclosures?overdue=true")
        .token(&d.officer)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    // The first working day after the due date it is overdue.
    clock.set(
        chrono::DateTime::parse_from_rfc3339("2025-10-31T09:00:00+08:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
    );
    // Tokens expire on the app's clock too: sign in again two days later.
    let officer = login(&app, "officer.a", PASSWORD).await;
    let list = req(&app, Method::GET, "/api/v1/disclosures?overdue=true")
        .token(&officer)
        .send()
        .await;
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert_eq!(list.body["items"][0]["overdue"], true);
}

#[actix_web::test]
async fn attachments_are_checked_hashed_and_public_once_published() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "招标公告", "详见附件。"))
        .send()
        .await;
    let id = r.id();
    let upload = |name: &'static str, content: &'static str| {
        let body: &'static str = Box::leak(
            format!(
                "--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; \
                    filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n{content}\r\n--BOUNDARY--\r\n"
            )
            .into_boxed_str(),
        );
        req(
            &app,
            Method::POST,
            &format!("/api/v1/disclosures/{id}/attachments"),
        )
        .token(&d.officer)
        .raw("multipart/form-data; boundary=BOUNDARY", body)
        .send()
    };
    let bad = upload("公告.pdf", "not really a pdf").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"][0]["code"], "attachment.unsupported_type");
    let ok = upload("公告.txt", "投标人联系电话 13812345678").await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["sha256"].as_str().map(str::len), Some(64));
    let url = ok.body["url"].as_str().unwrap_or_default().to_owned();
    // Not public while a draft.
    assert_eq!(req(&app, Method::GET, &url).send().await.status, 404);
    assert_eq!(
        step(&app, &d.officer, &id, "submit", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(&app, &d.reviewer, &id, "approve", json!({}))
            .await
            .status,
        200
    );
    // Personal data in a text attachment blocks publication too.
    let refused = step(&app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(refused.status, 422);
    assert!(refused.pointers()[0].starts_with("/attachments/"));
    let ok_pub = step(
        &app,
        &d.officer,
        &id,
        "publish",
        json!({"pii_exception": {"ground": "mandatory_disclosure",
            "note": "招标公告依法须载明联系人"}}),
    )
    .await;
    assert_eq!(ok_pub.status, 200);
    let file = req(&app, Method::GET, &url).send().await;
    assert_eq!(file.status, 200);
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let v = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{id}/versions/1"),
    )
    .send()
    .await;
    assert_eq!(v.body["attachments"][0]["sha256"], ok.body["sha256"]);
    // Uploads to a published item are refused.
    let late = upload("补充.txt", "补充说明").await;
    assert_eq!(late.status, 409);
}

#[actix_web::test]
async fn interpretations_follow_their_policy() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let policy = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "历下区促进就业若干政策", "第一条……"))
        .send()
        .await
        .id();
    let mut body = item(&d, "《历下区促进就业若干政策》解读", "一、起草背景……");
    body["kind"] = json!("interpretation");
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/interprets_id"]);
    body["interprets_id"] = json!(policy);
    let interp = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(body)
        .send()
        .await
        .id();
    assert_eq!(
        step(&app, &d.officer, &interp, "submit", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(&app, &d.reviewer, &interp, "approve", json!({}))
            .await
            .status,
        200
    );
    let early = step(&app, &d.officer, &interp, "publish", json!({})).await;
    assert_eq!(early.status, 409);
    assert_eq!(early.body["code"], "disclosure.policy_not_published");
    assert_eq!(
        step(&app, &d.officer, &policy, "submit", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(&app, &d.reviewer, &policy, "approve", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(&app, &d.officer, &policy, "publish", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        step(&app, &d.officer, &interp, "publish", json!({}))
            .await
            .status,
        200
    );
    let p = req(&app, Method::GET, &format!("/api/v1/disclosures/{policy}"))
        .send()
        .await;
    assert_eq!(p.body["interpretations"][0]["id"], interp.as_str());
    assert_eq!(
        p.body["interpretations"][0]["title"],
        "《历下区促进就业若干政策》解读"
    );
    assert_eq!(p.body["interpretations"].as_array().map(Vec::len), Some(1));
    // The interpretation's own page has none.
    let own = req(&app, Method::GET, &format!("/api/v1/disclosures/{interp}"))
        .send()
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body["interpretations"], json!([]));
}
