//! Search, scope and the demo data.

use super::*;

#[actix_web::test]
async fn chinese_search_filters_and_facets_see_only_published_items() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let a = published(
        &app,
        &d,
        "历下区关于做好政务公开工作的通知",
        "进一步提高政务公开质量。",
    )
    .await;
    let b = published(
        &app,
        &d,
        "历下区2026年财政预算报告",
        "本报告向社会公开预算安排。",
    )
    .await;
    let c = published(&app, &d, "历下区城市更新规划", "规划范围与目标。").await;
    let draft = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "公开征求意见稿（草稿）", "尚未发布"))
        .send()
        .await
        .id();

    let search = |q: &str| {
        req(
            &app,
            Method::GET,
            &format!(
                "/api/v1/disclosures?q={}&facets=category,org,year",
                urlencode(q)
            ),
        )
        .send()
    };
    let r = search("公开").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let ids: Vec<&str> = r.body["items"]
        .as_array()
        .map(|x| x.iter().filter_map(|i| i["id"].as_str()).collect())
        .unwrap_or_default();
    // Title matches rank above body matches; drafts never appear.
    assert_eq!(ids, vec![a.as_str(), b.as_str()]);
    assert!(!ids.contains(&draft.as_str()));
    assert!(!ids.contains(&c.as_str()));
    let facets = &r.body["facets"];
    assert_eq!(facets["category"][0]["count"], 2);
    assert_eq!(facets["category"][0]["label"], "法规规章和规范性文件");
    assert_eq!(facets["org"][0]["label"], "历下区人民政府");
    assert_eq!(
        facets["year"][0],
        json!({"value": "2026", "label": "2026年", "count": 2})
    );

    let r = search("政务公开").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = search("不存在的词语组合").await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    // Filters: year and subtree.
    let r = req(&app, Method::GET, "/api/v1/disclosures?year=2025")
        .send()
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures?org={}&include_sub=true", d.tree.city),
    )
    .send()
    .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(3));
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures?org={}", d.tree.city),
    )
    .send()
    .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    // Newest first, paged by keyset.
    let first = req(&app, Method::GET, "/api/v1/disclosures?limit=2")
        .send()
        .await;
    assert_eq!(first.body["items"][0]["id"], c.as_str());
    let link = first.header("link").unwrap_or_default();
    let next = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or_default()
        .to_owned();
    let second = req(&app, Method::GET, &next).send().await;
    assert_eq!(second.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second.body["items"][0]["id"], a.as_str());
    // Staff see their working copies, drafts included, with the same endpoint.
    let staff = req(&app, Method::GET, "/api/v1/disclosures?state=draft")
        .token(&d.officer)
        .send()
        .await;
    assert_eq!(staff.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(staff.body["items"][0]["id"], draft.as_str());
    // The Atom feed.
    let feed = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/feed.atom?org={}", d.tree.county_a),
    )
    .send()
    .await;
    assert_eq!(feed.status, 200);
    let xml = feed.body.as_str().unwrap_or_default().to_owned();
    assert!(xml.contains("<title>历下区城市更新规划</title>"), "{xml}");
    assert!(!xml.contains("草稿"));
    // Atom requires an author: the feed's organisation, and each entry's publisher.
    let county = zhengwu_tests::world::one(
        &t,
        &format!(
            "SELECT name AS t FROM organizations WHERE id = '{}'",
            d.tree.county_a
        ),
    );
    assert!(
        xml.contains(&format!("<author><name>{county}</name></author>")),
        "{xml}"
    );
    assert_eq!(
        xml.matches("<author>").count(),
        xml.matches("<entry>").count() + 1,
        "{xml}"
    );
    let bad = req(&app, Method::GET, "/api/v1/disclosures?facets=colour")
        .send()
        .await;
    assert_eq!(bad.status, 422);
}

#[actix_web::test]
async fn other_counties_and_the_public_cannot_touch_drafts() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    create_user(
        &app,
        &d.admin,
        "officer.b",
        "disclosure_officer",
        &d.tree.county_b,
    )
    .await;
    let officer_b = login(&app, "officer.b", PASSWORD).await;
    let id = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "内部草稿", "正文"))
        .send()
        .await
        .id();
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{id}?view=working"),
    )
    .token(&officer_b)
    .send()
    .await;
    assert_eq!(r.status, 404);
    let r = req(&app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
        .token(&officer_b)
        .json(json!({"title": "改"}))
        .send()
        .await;
    assert_eq!(r.status, 404);
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&officer_b)
        .json(item(&d, "越权", "正文"))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/organization_id"]);
    let r = req(&app, Method::GET, "/api/v1/disclosures?view=working")
        .send()
        .await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn the_demo_data_loads_once_and_is_worth_exploring() {
    let t = TestApp::start().await;
    let first = zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.starts_with("demo data loaded"), "{first}");
    let second = zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(second.contains("already loaded"), "{second}");
    let app = app!(t);
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures?q={}", urlencode("政务公开")),
    )
    .send()
    .await;
    let titles: Vec<&str> = r.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["title"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        titles.contains(&"济南市人民政府办公厅关于印发2026年济南市政务公开工作要点的通知"),
        "{titles:?}"
    );
    let all = req(&app, Method::GET, "/api/v1/disclosures?limit=200")
        .send()
        .await;
    assert_eq!(
        all.body["items"].as_array().map(Vec::len),
        Some(5),
        "only published items are public"
    );
    let officer = login(&app, "city.disclosure", zhengwu_api::demo::DEMO_PASSWORD).await;
    let drafts = req(&app, Method::GET, "/api/v1/disclosures?state=draft")
        .token(&officer)
        .send()
        .await;
    // The city's office sees the drafts of its whole subtree: its own and 历下区's.
    assert_eq!(drafts.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn drafts_are_stored_as_parsed_and_the_staff_list_keeps_to_the_scope() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    // What is checked trimmed is stored trimmed.
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(
            &d,
            "  关于做好防汛工作的通知 ",
            "\n  各街道：现就防汛工作通知如下。  \n",
        ))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    assert_eq!(r.body["title"], "关于做好防汛工作的通知");
    assert_eq!(r.body["content"], "各街道：现就防汛工作通知如下。");
    let etag = r.header("etag").unwrap_or_default();
    let r = req(&app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
        .token(&d.officer)
        .header("If-Match", &etag)
        .json(json!({"doc_number": " 历下政办发〔2026〕4号 ", "subject_terms": [" 防汛 "]}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["doc_number"], "历下政办发〔2026〕4号");
    assert_eq!(r.body["subject_terms"], json!(["防汛"]));

    // An illegal step names the state and the step.
    let r = step(&app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "disclosure.illegal_transition");
    assert_eq!(
        r.body["context"],
        json!({"state": "draft", "action": "publish"})
    );

    // The officer of a county sees its subtree; the city's is outside the scope and is
    // answered like an organisation that does not exist, never with the scope instead.
    let list = |q: String| {
        let app = &app;
        let token = d.officer.clone();
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/disclosures?view=working{q}"),
            )
            .token(&token)
            .send()
            .await
        }
    };
    let r = list(String::new()).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = list(format!("&org={}&include_sub=true", d.tree.county_a)).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = list(format!("&org={}&include_sub=true", d.tree.city)).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["errors"][0]["code"], "reference.not_found");
    assert_eq!(r.body["errors"][0]["pointer"], "?org");
    drop(d.admin);
}
