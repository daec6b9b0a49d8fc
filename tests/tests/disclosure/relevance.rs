//! The portal search's relevance on a fixed corpus: the expected order of the results for a
//! set of queries, exact facets, highlights, filters, and an index that follows
//! publication, revision and withdrawal.

use super::*;

/// Publishes an item with these texts and document number; returns its id.
async fn publish<S, B>(app: &S, d: &Desk, texts: [&str; 3], doc_number: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let [title, summary, content] = texts;
    let r = req(app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(json!({
            "organization_id": d.tree.county_a, "category_id": d.category,
            "title": title, "summary": summary, "content": content,
            "doc_number": doc_number, "formed_on": "2026-11-02",
            "subject_terms": ["政务公开"], "channels": ["portal"]
        }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    for (token, action) in [
        (&d.officer, "submit"),
        (&d.reviewer, "approve"),
        (&d.officer, "publish"),
    ] {
        let s = step(app, token, &id, action, json!({})).await;
        assert_eq!(s.status, 200, "{action}: {:?}", s.body);
    }
    id
}

fn ids(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|x| {
            x.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn results_come_in_the_order_a_portal_user_expects() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    // The exact phrase in the title.
    let phrase_title = publish(
        &app,
        &d,
        [
            "关于推进政务公开标准化工作的通知",
            "部署全区标准化工作。",
            "各单位要认真落实。",
        ],
        "历下政办发〔2026〕1号",
    )
    .await;
    // Both words in the title, apart and in the other order.
    let words_title = publish(
        &app,
        &d,
        ["公开征集政务服务意见的公告", "征集意见。", "欢迎参与。"],
        "历下政办发〔2026〕2号",
    )
    .await;
    // The phrase in the summary only.
    let summary = publish(
        &app,
        &d,
        ["城市更新规划", "本规划涉及政务公开事项。", "规划内容。"],
        "历下政办发〔2026〕3号",
    )
    .await;
    // The phrase in the body only.
    let body = publish(
        &app,
        &d,
        [
            "财政预算报告",
            "预算安排。",
            "本报告依法做好政务公开，接受社会监督。",
        ],
        "历下政办发〔2026〕4号",
    )
    .await;
    // One of the words only: not a result of the two-word query.
    let one_word = publish(
        &app,
        &d,
        ["政务服务大厅搬迁公告", "大厅搬迁。", "新址启用。"],
        "历下政办发〔2026〕5号",
    )
    .await;
    // Two items alike in every text: the newer one first.
    let older = publish(
        &app,
        &d,
        ["预算公开说明", "说明。", "说明全文。"],
        "历下政办发〔2026〕6号",
    )
    .await;
    let newer = publish(
        &app,
        &d,
        ["预算公开说明", "说明。", "说明全文。"],
        "历下政办发〔2026〕7号",
    )
    .await;

    let search = |q: &str| {
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosures?q={}", urlencode(q)),
        )
        .send()
    };
    // Title before summary before body; the exact phrase above the words apart.
    let r = search("政务公开").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        ids(&r),
        vec![
            phrase_title.clone(),
            words_title.clone(),
            summary.clone(),
            body.clone()
        ],
        "{:#?}",
        r.body
    );
    assert!(!ids(&r).contains(&one_word));
    // Recency breaks a tie.
    let r = search("预算公开说明").await;
    assert_eq!(ids(&r), vec![newer.clone(), older.clone()]);
    // A document number (文号) finds its item first, whatever its words match elsewhere.
    let r = search("历下政办发〔2026〕4号").await;
    assert_eq!(ids(&r).first(), Some(&body));
    // So does an index number (索引号).
    let one = req(&app, Method::GET, &format!("/api/v1/disclosures/{summary}"))
        .send()
        .await;
    let index_number = one.body["index_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!index_number.is_empty(), "{:?}", one.body);
    let r = search(&index_number).await;
    assert_eq!(ids(&r).first(), Some(&summary), "{index_number}");

    // Highlights: the words marked, the rest as it was.
    let r = search("政务公开").await;
    let first = &r.body["items"][0]["highlight"];
    let title = first["title"].as_str().unwrap_or_default();
    assert!(title.contains("<em>政务</em><em>公开</em>"), "{title}");
    assert_eq!(
        title.replace("<em>", "").replace("</em>", ""),
        "关于推进政务公开标准化工作的通知"
    );
    let body_hit = r.body["items"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["id"] == body.as_str()))
        .cloned()
        .unwrap_or_default();
    let fragment = body_hit["highlight"]["fragment"]
        .as_str()
        .unwrap_or_default();
    assert!(
        fragment.contains("<em>政务</em><em>公开</em>"),
        "{fragment}"
    );
    // A listing without words has no highlights.
    let r = req(&app, Method::GET, "/api/v1/disclosures").send().await;
    assert!(
        r.body["items"][0].get("highlight").is_none(),
        "{:?}",
        r.body
    );

    // Pages of the ranking follow each other without gaps or repeats.
    let mut seen = vec![];
    let mut url = format!("/api/v1/disclosures?q={}&limit=3", urlencode("政务公开"));
    for _ in 0..3 {
        let r = req(&app, Method::GET, &url).send().await;
        seen.extend(ids(&r));
        match r.body["next_cursor"].as_str() {
            Some(c) => {
                url = format!(
                    "/api/v1/disclosures?q={}&limit=3&cursor={c}",
                    urlencode("政务公开")
                )
            }
            None => break,
        }
    }
    assert_eq!(seen, vec![phrase_title, words_title, summary, body]);
}

#[actix_web::test]
async fn facets_filters_and_changes_are_exact() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let a = publish(
        &app,
        &d,
        ["政务公开年度报告", "年度报告。", "全文。"],
        "历下政办发〔2026〕11号",
    )
    .await;
    let b = publish(
        &app,
        &d,
        ["政务公开目录", "目录。", "全文。"],
        "历下政办发〔2026〕12号",
    )
    .await;
    let search = |query: &str| {
        req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosures?q={}{query}", urlencode("政务公开")),
        )
        .send()
    };
    let r = search("&facets=category,org,year").await;
    assert_eq!(r.body["facets"]["category"][0]["count"], 2, "{:?}", r.body);
    assert_eq!(
        r.body["facets"]["org"][0]["value"],
        d.tree.county_a.as_str()
    );
    assert_eq!(r.body["facets"]["year"][0]["value"], "2026");
    // The facets count what the filters leave.
    let r = search("&facets=year&year=2025").await;
    assert_eq!(ids(&r), Vec::<String>::new());
    assert_eq!(r.body["facets"]["year"], json!([]));
    for (query, expected) in [
        (format!("&org={}&include_sub=true", d.tree.city), 2),
        (format!("&org={}&include_sub=true", d.tree.county_b), 0),
        (format!("&org={}", d.tree.county_a), 2),
        (format!("&org={}", d.tree.city), 0),
        (format!("&category={}", d.category), 2),
        ("&attribute=proactive".to_owned(), 2),
        ("&validity=valid".to_owned(), 2),
        ("&validity=repealed".to_owned(), 0),
        (
            format!("&doc_number={}", urlencode("历下政办发〔2026〕12号")),
            1,
        ),
        ("&published_from=2000-01-01T00:00:00Z".to_owned(), 2),
        ("&published_to=2000-01-01T00:00:00Z".to_owned(), 0),
    ] {
        let r = search(&query).await;
        assert_eq!(r.status, 200, "{query}: {:?}", r.body);
        assert_eq!(ids(&r).len(), expected, "{query}: {:?}", r.body);
    }

    // A revision is found by its new words, no longer by its old ones.
    assert_eq!(
        step(&app, &d.officer, &b, "revise", json!({})).await.status,
        200
    );
    let e = req(&app, Method::PATCH, &format!("/api/v1/disclosures/{b}"))
        .token(&d.officer)
        .json(json!({"title": "政务公开指南", "summary": "指南。"}))
        .send()
        .await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    for (token, action) in [
        (&d.officer, "submit"),
        (&d.reviewer, "approve"),
        (&d.officer, "publish"),
    ] {
        assert_eq!(step(&app, token, &b, action, json!({})).await.status, 200);
    }
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures?q={}", urlencode("指南")),
    )
    .send()
    .await;
    assert_eq!(ids(&r), vec![b.clone()]);
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures?q={}", urlencode("目录")),
    )
    .send()
    .await;
    assert_eq!(ids(&r), Vec::<String>::new());
    // A withdrawn item is gone from the results and the counts, also from an answer given
    // (and kept) just before the withdrawal.
    let r = search("&facets=category").await;
    assert_eq!(ids(&r).len(), 2, "{:?}", r.body);
    let w = step(
        &app,
        &d.officer,
        &a,
        "withdraw",
        json!({"reason": "已废止"}),
    )
    .await;
    assert_eq!(w.status, 200, "{:?}", w.body);
    let r = search("&facets=category").await;
    assert_eq!(ids(&r), vec![b.clone()]);
    assert_eq!(r.body["facets"]["category"][0]["count"], 1);

    // The engine's answers agree with the database: every current version holding the
    // words, and no other, for each of the corpus's words.
    for word in ["政务公开", "指南", "年度报告", "全文"] {
        let r = req(
            &app,
            Method::GET,
            &format!("/api/v1/disclosures?q={}&limit=100", urlencode(word)),
        )
        .send()
        .await;
        let mut got = ids(&r);
        got.sort();
        let sql = format!(
            "SELECT coalesce(string_agg(item_id::text, ',' ORDER BY item_id::text), '') AS t \
             FROM disclosure_versions \
             WHERE is_current AND (title || summary || content) LIKE '%{word}%'"
        );
        let want = zhengwu_tests::world::one(&t, &sql);
        let want: Vec<String> = want
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(got, want, "{word}");
    }
    // Bad input is refused by field.
    for (query, field) in [
        ("&cursor=bm90LWEtY3Vyc29y", "?cursor"),
        ("&facets=colour", "?facets"),
    ] {
        let r = search(query).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["errors"][0]["pointer"], field, "{:?}", r.body);
    }
}
