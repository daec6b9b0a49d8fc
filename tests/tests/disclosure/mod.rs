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

/// An HTTP worker's public item pages share one session of their own: read at once, each
/// request gets its own item (or its 404); and a shared session PostgreSQL ends costs no
/// failed request, and is replaced.
#[actix_web::test]
async fn public_item_pages_share_one_session_per_worker_that_is_replaced_when_it_ends() {
    let t = TestApp::start().await;
    t.state
        .start_worker(3)
        .unwrap_or_else(|e| panic!("worker pool: {e}"));
    let app = app!(t);
    let d = desk(&app).await;
    let a = published(&app, &d, "关于甲事项的通知", "甲事项的正文").await;
    let b = published(&app, &d, "关于乙事项的通知", "乙事项的正文").await;
    let missing = "00000000-0000-4000-8000-000000000000".to_owned();
    let cases = [
        (a, Some("关于甲事项的通知")),
        (b, Some("关于乙事项的通知")),
        (missing, None),
    ];
    let shared = format!(
        "FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{}'",
        zhengwu_api::state::SHARED_SESSION_NAME
    );
    let count = || t.db.numbers(&format!("SELECT count(*) AS n {shared}"));
    assert_eq!(count(), vec![0], "no shared session before a public read");

    let read_all = |n: usize| {
        let reads: Vec<_> = (0..n)
            .map(|i| {
                let (id, _) = &cases[i % cases.len()];
                req(&app, Method::GET, &format!("/api/v1/disclosures/{id}")).send()
            })
            .collect();
        futures_util::future::join_all(reads)
    };
    let check = |answers: Vec<Resp>| {
        for (i, r) in answers.iter().enumerate() {
            match cases[i % cases.len()].1 {
                Some(title) => {
                    assert_eq!(r.status, 200, "read {i}: {:?}", r.body);
                    assert_eq!(r.body["title"], title, "read {i}");
                }
                None => assert_eq!(r.status, 404, "read {i}: {:?}", r.body),
            }
        }
    };
    let metric = async |n: usize| {
        let text = req(&app, Method::GET, "/metrics").send().await.body;
        let line = format!("zhengwu_db_shared_sessions {n}\n");
        assert!(
            text.as_str().unwrap_or_default().contains(&line),
            "{line} in {text}"
        );
    };
    metric(0).await;
    check(read_all(24).await);
    assert_eq!(count(), vec![1], "the reads opened one session");
    metric(1).await;
    let item_statement = format!("{shared} AND query LIKE '%disclosure_versions%'");
    assert_eq!(
        t.db.numbers(&format!("SELECT count(*) AS n {item_statement}")),
        vec![1],
        "the shared session ran the item page's statement"
    );

    // PostgreSQL ends it (a restart, an administrator): the reads that find it ended are
    // answered from the pool, and the next read opens another.
    t.db.execute(&format!("SELECT pg_terminate_backend(pid, 5000) {shared}"));
    assert_eq!(count(), vec![0], "the shared session ended");
    check(read_all(6).await);
    check(read_all(3).await);
    assert_eq!(count(), vec![1], "a new shared session");
    metric(1).await;
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
    // The domain events of the item: first publication, the revision, the withdrawal.
    assert_eq!(
        events_of(&t, &format!("disclosures/{id}")),
        ["item.published", "item.revised", "item.withdrawn"]
    );
}

fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset"))
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

mod publication;
mod relevance;
mod search;
