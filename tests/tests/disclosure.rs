//! Journeys of proactive disclosure: catalogue and guide, drafting, review, publication with
//! version filing and index numbers, de-identification, search and the public reading API.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

struct Desk {
    tree: Tree,
    admin: String,
    officer: String,
    reviewer: String,
    category: String,
}

async fn desk<S, B>(app: &S) -> Desk
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let admin = login(app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(app, &admin).await;
    create_user(
        app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    let officer = login(app, "officer.a", PASSWORD).await;
    let reviewer = login(app, "reviewer.a", PASSWORD).await;
    let cats = req(
        app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            tree.county_a
        ),
    )
    .send()
    .await;
    let category = cats.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "01"))
        .and_then(|c| c["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    Desk {
        tree,
        admin,
        officer,
        reviewer,
        category,
    }
}

fn item(d: &Desk, title: &str, content: &str) -> Value {
    json!({
        "organization_id": d.tree.county_a, "category_id": d.category,
        "title": title, "summary": format!("{title}的摘要"), "content": content,
        "doc_number": "历下政办发〔2026〕3号", "formed_on": "2026-11-02",
        "subject_terms": ["政务公开"], "channels": ["portal"]
    })
}

async fn step<S, B>(app: &S, token: &str, id: &str, action: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(
        app,
        Method::POST,
        &format!("/api/v1/disclosures/{id}/{action}"),
    )
    .token(token)
    .json(body)
    .send()
    .await
}

/// Creates an item and takes it through review and publication.
async fn published<S, B>(app: &S, d: &Desk, title: &str, content: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(d, title, content))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    assert_eq!(
        step(app, &d.officer, &id, "submit", json!({})).await.status,
        200
    );
    assert_eq!(
        step(app, &d.reviewer, &id, "approve", json!({}))
            .await
            .status,
        200
    );
    let p = step(app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(p.status, 200, "{:?}", p.body);
    id
}

#[actix_web::test]
async fn a_new_organisation_gets_the_standard_catalogue_and_rules_for_categories() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let url = format!(
        "/api/v1/organizations/{}/disclosure-categories",
        d.tree.county_a
    );
    let cats = req(&app, Method::GET, &url).send().await;
    let names: Vec<&str> = cats.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"法规规章和规范性文件"));
    assert!(
        names.contains(&"土地征收"),
        "a county government has Art.21 topics"
    );
    let dept = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            d.tree.dept_b
        ),
    )
    .send()
    .await;
    let dept_names: Vec<&str> = dept.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(!dept_names.contains(&"土地征收"));

    let c = req(&app, Method::POST, &url)
        .token(&d.officer)
        .json(json!({"code": "01-01", "name": "区政府规范性文件", "parent_id": d.category}))
        .send()
        .await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let dup = req(&app, Method::POST, &url)
        .token(&d.officer)
        .json(json!({"code": "01-01", "name": "重复"}))
        .send()
        .await;
    assert_eq!(dup.status, 409);
    // An empty category can be deleted; one with items only retired.
    let sub = c.id();
    let del = req(
        &app,
        Method::DELETE,
        &format!("/api/v1/disclosure-categories/{sub}"),
    )
    .token(&d.officer)
    .send()
    .await;
    assert_eq!(del.status, 204);
    published(&app, &d, "历下区2026年政务公开工作要点", "正文").await;
    let del = req(
        &app,
        Method::DELETE,
        &format!("/api/v1/disclosure-categories/{}", d.category),
    )
    .token(&d.officer)
    .send()
    .await;
    assert_eq!(del.status, 409);
    assert_eq!(del.body["code"], "category.has_items");
    let retire = req(
        &app,
        Method::PATCH,
        &format!("/api/v1/disclosure-categories/{}", d.category),
    )
    .token(&d.officer)
    .json(json!({"retired": true, "name": "规范性文件（已停用）"}))
    .send()
    .await;
    assert_eq!(retire.status, 200);
    let after = req(&app, Method::GET, &url).send().await;
    assert!(
        after.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().all(|c| c["id"] != d.category.as_str()))
    );
    // A retired category takes no new items.
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(&d, "新文件", "正文"))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/category_id"]);

    // The guide: written by the office, read by anyone.
    let g_url = format!("/api/v1/organizations/{}/disclosure-guide", d.tree.county_a);
    assert_eq!(req(&app, Method::GET, &g_url).send().await.status, 404);
    let g = req(&app, Method::PUT, &g_url)
        .token(&d.officer)
        .json(
            json!({"how_to_obtain": "通过区政府门户网站获取。", "how_to_apply": "网上或书面申请。",
            "office": "历下区政务公开办公室", "address": "济南市历下区龙鼎大道1号",
            "office_hours": "工作日 9:00-17:00", "phone": "0531-86026000",
            "index_format": "{org_code}/{serial}"}),
        )
        .send()
        .await;
    assert_eq!(g.status, 422);
    assert_eq!(g.pointers(), vec!["/index_format"]);
    let g = req(&app, Method::PUT, &g_url)
        .token(&d.officer)
        .json(
            json!({"how_to_obtain": "通过区政府门户网站获取。", "how_to_apply": "网上或书面申请。",
            "office": "历下区政务公开办公室", "address": "济南市历下区龙鼎大道1号",
            "office_hours": "工作日 9:00-17:00", "phone": "0531-86026000"}),
        )
        .send()
        .await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    let public = req(&app, Method::GET, &g_url).send().await;
    assert_eq!(public.body["office"], "历下区政务公开办公室");
    assert_eq!(public.body["index_format"], "{org_code}/{year}-{serial:05}");
    drop(d.admin);
}

#[actix_web::test]
async fn review_publication_revision_and_withdrawal() {
    let t = TestApp::start().await;
    let app = app!(t);
    let d = desk(&app).await;
    let r = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&d.officer)
        .json(item(
            &d,
            "关于进一步做好政务公开工作的通知",
            "各街道办事处：现就做好政务公开工作通知如下。",
        ))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    assert_eq!(r.body["state"], "draft");
    assert!(r.body["index_number"].is_null());

    // Illegal steps answer 409 with the current state.
    for action in ["approve", "publish", "revise"] {
        let token = if action == "approve" {
            &d.reviewer
        } else {
            &d.officer
        };
        let r = step(&app, token, &id, action, json!({})).await;
        assert_eq!(r.status, 409, "{action}");
        assert_eq!(r.body["context"]["state"], "draft");
    }
    let r = step(&app, &d.officer, &id, "withdraw", json!({"reason": "x"})).await;
    assert_eq!(r.status, 409);
    // The public does not see drafts.
    let r = req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
        .send()
        .await;
    assert_eq!(r.status, 404);

    assert_eq!(
        step(&app, &d.officer, &id, "submit", json!({}))
            .await
            .status,
        200
    );
    // Submitted items are not editable.
    let r = req(&app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
        .token(&d.officer)
        .json(json!({"title": "改"}))
        .send()
        .await;
    assert_eq!(r.status, 409);
    // The author cannot approve (nor can anyone without the reviewer role).
    let r = step(&app, &d.officer, &id, "approve", json!({})).await;
    assert_eq!(r.status, 403);
    let r = step(&app, &d.reviewer, &id, "reject", json!({"reason": ""})).await;
    assert_eq!(r.status, 422);
    let r = step(
        &app,
        &d.reviewer,
        &id,
        "reject",
        json!({"reason": "文号有误"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["item"]["state"], "draft");
    assert_eq!(r.body["item"]["rejection_reason"], "文号有误");
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
    let p = step(&app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(p.status, 200, "{:?}", p.body);
    let index_number = p.body["item"]["index_number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz_shanghai())
        .format("%Y")
        .to_string();
    assert!(
        index_number.ends_with(&format!("/{year}-00001")),
        "{index_number}"
    );

    let public = req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
        .send()
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["title"], "关于进一步做好政务公开工作的通知");
    assert_eq!(public.body["number"], 1);

    // A revision keeps version 1 public until it is published.
    assert_eq!(
        step(&app, &d.officer, &id, "revise", json!({}))
            .await
            .status,
        200
    );
    let e = req(&app, Method::PATCH, &format!("/api/v1/disclosures/{id}"))
        .token(&d.officer)
        .json(json!({"title": "关于进一步做好政务公开工作的通知（修订）"}))
        .send()
        .await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    let public = req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
        .send()
        .await;
    assert_eq!(public.body["title"], "关于进一步做好政务公开工作的通知");
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
    let p2 = step(&app, &d.officer, &id, "publish", json!({})).await;
    assert_eq!(
        p2.body["item"]["index_number"],
        index_number.as_str(),
        "the index number stays"
    );
    let public = req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
        .send()
        .await;
    assert_eq!(
        public.body["title"],
        "关于进一步做好政务公开工作的通知（修订）"
    );
    assert_eq!(public.body["number"], 2);

    // Both versions are filed as they were published.
    let versions = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{id}/versions"),
    )
    .send()
    .await;
    assert_eq!(versions.body["items"].as_array().map(Vec::len), Some(2));
    let v1 = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{id}/versions/1"),
    )
    .send()
    .await;
    assert_eq!(v1.body["title"], "关于进一步做好政务公开工作的通知");
    assert_eq!(v1.body["current"], false);
    // Filed versions cannot be changed, even directly in the database.
    let tamper = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        t.db.execute("UPDATE disclosure_versions SET title = '篡改' WHERE number = 1");
    }));
    assert!(tamper.is_err());

    // Withdrawal takes it off the public record; the versions stay filed.
    let w = step(
        &app,
        &d.officer,
        &id,
        "withdraw",
        json!({"reason": "政策已调整"}),
    )
    .await;
    assert_eq!(w.status, 200);
    assert_eq!(w.body["item"]["state"], "withdrawn");
    assert_eq!(
        req(&app, Method::GET, &format!("/api/v1/disclosures/{id}"))
            .send()
            .await
            .status,
        404
    );
    let staff = req(
        &app,
        Method::GET,
        &format!("/api/v1/disclosures/{id}/versions"),
    )
    .token(&d.officer)
    .send()
    .await;
    assert_eq!(staff.body["items"].as_array().map(Vec::len), Some(2));

    let audit = req(
        &app,
        Method::GET,
        &format!("/api/v1/audit-events?entity_type=disclosure&entity_id={id}&limit=200"),
    )
    .token(&d.admin)
    .send()
    .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(actions.contains(&"disclosure.publish"));
    assert!(actions.contains(&"disclosure.reject"));
    assert!(actions.contains(&"disclosure.withdraw"));
}

fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset"))
}

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
    let bad = req(&app, Method::GET, "/api/v1/disclosures?facets=colour")
        .send()
        .await;
    assert_eq!(bad.status, 422);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
        json!({"pii_exception": {"ground": "mandatory_disclosure", "note": "招标公告依法须载明联系人"}}),
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
