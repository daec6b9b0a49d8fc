//! Journeys of the service matter catalogue: registration, review and publication,
//! versions, the public guide and search.

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn matter(org: &str, code: &str, window: Option<&str>) -> Value {
    json!({
        "organization_id": org, "basic_code": "0000000100", "implementation_code": code,
        "name": "建筑工程施工许可", "matter_type": "administrative_licensing",
        "implementer_nature": "statutory", "service_objects": ["legal_person"],
        "legal_basis": "《中华人民共和国建筑法》第七条",
        "conditions": "已经办理该建筑工程用地批准手续；已经取得建设工程规划许可证。",
        "procedure": [{"name": "受理"}, {"name": "审查"}, {"name": "决定"}, {"name": "送达"}],
        "statutory_days": 15, "promised_days": 3, "case_kind": "promised", "max_visits": 0,
        "online_depth": "full_online",
        "materials": [
            {"name": "建筑工程施工许可证申请表", "form": "original", "copies": 1, "required": true},
            {"name": "授权委托书", "form": "original", "required": false,
                "condition": "委托他人办理时"}
        ],
        "result_certificate": "建筑工程施工许可证",
        "window_ids": window.map(|w| vec![w]).unwrap_or_default(),
        "consultation_phone": "0531-86556000", "entered_hall": true
    })
}

#[actix_web::test]
async fn a_matter_is_registered_reviewed_published_and_revised() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    create_user(&app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    create_user(&app, &admin, "admin.b", "org_admin", &tree.county_b).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let admin_b = login(&app, "admin.b", PASSWORD).await;
    let window = req(
        &app,
        Method::POST,
        &format!("/api/v1/halls/{}/windows", tree.hall_a),
    )
    .token(&admin_a)
    .json(json!({"number": "05", "name": "工程建设项目审批窗口"}))
    .send()
    .await
    .id();

    // Invalid content is refused field by field.
    let mut bad = matter(&tree.county_a, "A1", None);
    bad["promised_days"] = json!(20);
    bad["materials"][1]["condition"] = Value::Null;
    let r = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&admin_a)
        .json(bad)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.pointers(),
        vec!["/promised_days", "/materials/1/condition"]
    );

    let r = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&admin_a)
        .json(matter(&tree.county_a, "A1", Some(&window)))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    assert_eq!(r.body["state"], "draft");
    let dup = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&admin_a)
        .json(matter(&tree.county_a, "A1", None))
        .send()
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.pointers(), vec!["/implementation_code"]);
    // Another county's administrator neither sees nor changes it.
    let r = req(&app, Method::GET, &format!("/api/v1/service-matters/{id}"))
        .token(&admin_b)
        .send()
        .await;
    assert_eq!(r.status, 404);

    let guide = format!("/api/v1/service-matters/{id}/guide");
    assert_eq!(
        req(&app, Method::GET, &guide).send().await.status,
        404,
        "drafts are not public"
    );
    let step = |token: String, action: &'static str, body: Value| {
        let url = format!("/api/v1/service-matters/{id}/{action}");
        let app = &app;
        async move {
            req(app, Method::POST, &url)
                .token(&token)
                .json(body)
                .send()
                .await
        }
    };
    let early = step(reviewer.clone(), "publish", json!({})).await;
    assert_eq!(early.status, 409);
    assert_eq!(early.body["context"]["state"], "draft");
    assert_eq!(step(admin_a.clone(), "submit", json!({})).await.status, 200);
    assert_eq!(
        step(admin_a.clone(), "publish", json!({})).await.status,
        403,
        "reviewers publish"
    );
    let published = step(reviewer.clone(), "publish", json!({})).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    assert_eq!(published.body["published_version"], 1);

    let g = req(&app, Method::GET, &guide).send().await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    assert_eq!(g.body["name"], "建筑工程施工许可");
    assert_eq!(g.body["free"], true);
    assert_eq!(g.body["speedup_days"], 12);
    assert_eq!(g.body["windows"][0]["number"], "05");
    assert_eq!(g.body["windows"][0]["hall_name"], "历下区政务服务中心");

    // Editing a published matter makes version 2; the guide keeps version 1 until published.
    let e = req(
        &app,
        Method::PATCH,
        &format!("/api/v1/service-matters/{id}"),
    )
    .token(&admin_a)
    .json(
        json!({"promised_days": 2, "fees": [{"name": "工本费", "standard_fen": 1000,
            "legal_basis": "鲁价费发〔2019〕1号"}]}),
    )
    .send()
    .await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    assert_eq!(e.body["working_version"], 2);
    let g = req(&app, Method::GET, &guide).send().await;
    assert_eq!(g.body["promised_days"], 3);
    assert_eq!(step(admin_a.clone(), "submit", json!({})).await.status, 200);
    let p2 = step(reviewer.clone(), "publish", json!({})).await;
    assert_eq!(p2.body["published_version"], 2);
    let g = req(&app, Method::GET, &guide).send().await;
    assert_eq!(g.body["promised_days"], 2);
    assert_eq!(g.body["free"], false);
    assert_eq!(g.body["version_number"], 2);
    let versions = req(
        &app,
        Method::GET,
        &format!("/api/v1/service-matters/{id}/versions"),
    )
    .token(&admin_a)
    .send()
    .await;
    assert_eq!(versions.body["items"].as_array().map(Vec::len), Some(2));
    // Published versions are never changed.
    let tamper = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        t.db.execute("UPDATE service_matter_versions SET name = '改' WHERE number = 1");
    }));
    assert!(tamper.is_err());

    // Suspension needs a reason and shows in the guide; abolition removes it.
    let r = step(admin_a.clone(), "suspend", json!({})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/reason"]);
    assert_eq!(
        step(admin_a.clone(), "suspend", json!({"reason": "系统升级"}))
            .await
            .status,
        200
    );
    assert_eq!(
        req(&app, Method::GET, &guide).send().await.body["state"],
        "suspended"
    );
    assert_eq!(step(admin_a.clone(), "resume", json!({})).await.status, 200);
    assert_eq!(
        step(admin_a.clone(), "abolish", json!({"reason": "事项取消"}))
            .await
            .status,
        200
    );
    assert_eq!(req(&app, Method::GET, &guide).send().await.status, 404);
    assert_eq!(step(admin_a.clone(), "resume", json!({})).await.status, 409);
}

#[actix_web::test]
async fn the_catalogue_is_searchable_in_chinese_with_filters() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    create_user(&app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut marriage = matter(&tree.county_a, "B2", None);
    marriage["name"] = json!("内地居民婚姻登记");
    marriage["matter_type"] = json!("administrative_confirmation");
    marriage["service_objects"] = json!(["natural_person"]);
    marriage["conditions"] = json!("男女双方亲自到婚姻登记机关申请。");
    marriage["case_kind"] = json!("immediate");
    marriage["promised_days"] = json!(0);
    marriage["max_visits"] = json!(1);
    marriage["online_depth"] = json!("pre_review");
    marriage["legal_basis"] = json!("《婚姻登记条例》第四条");
    marriage["result_certificate"] = json!("结婚证");
    marriage["materials"] = json!([
        {"name": "居民身份证", "form": "original", "required": true},
        {"name": "居民户口簿", "form": "original", "required": true}
    ]);
    for body in [matter(&tree.county_a, "A1", None), marriage] {
        let id = req(&app, Method::POST, "/api/v1/service-matters")
            .token(&admin_a)
            .json(body)
            .send()
            .await
            .id();
        for (token, action) in [(&admin_a, "submit"), (&reviewer, "publish")] {
            let r = req(
                &app,
                Method::POST,
                &format!("/api/v1/service-matters/{id}/{action}"),
            )
            .token(token)
            .send()
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
    }
    let names = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?q=%E5%A9%9A%E5%A7%BB",
    )
    .send()
    .await; // 婚姻
    assert_eq!(names(&r), vec!["内地居民婚姻登记"]);
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?q=%E8%AE%B8%E5%8F%AF",
    )
    .send()
    .await; // 许可
    assert_eq!(names(&r), vec!["建筑工程施工许可"]);
    // Words with filters; the materials are searched too; the words are marked.
    for (query, expected) in [
        ("q=%E5%A9%9A%E5%A7%BB&online=true", vec!["内地居民婚姻登记"]),
        ("q=%E5%A9%9A%E5%A7%BB&online=false", vec![]),
        ("q=%E5%A9%9A%E5%A7%BB&object=legal_person", vec![]),
        (
            "q=%E5%A9%9A%E5%A7%BB&type=administrative_confirmation",
            vec!["内地居民婚姻登记"],
        ),
        ("q=%E6%88%B7%E5%8F%A3%E7%B0%BF", vec!["内地居民婚姻登记"]), // 户口簿
    ] {
        let r = req(
            &app,
            Method::GET,
            &format!("/api/v1/service-matters?{query}"),
        )
        .send()
        .await;
        assert_eq!(r.status, 200, "{query}: {:?}", r.body);
        assert_eq!(names(&r), expected, "{query}");
    }
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?q=%E5%A9%9A%E5%A7%BB",
    )
    .send()
    .await;
    assert_eq!(
        r.body["items"][0]["highlight"]["title"], "内地居民<em>婚姻</em>登记",
        "{:?}",
        r.body
    );
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?object=natural_person",
    )
    .send()
    .await;
    assert_eq!(names(&r), vec!["内地居民婚姻登记"]);
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?type=administrative_licensing&online=true",
    )
    .send()
    .await;
    assert_eq!(names(&r), vec!["建筑工程施工许可"]);
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/service-matters?org={}&include_sub=true", tree.city),
    )
    .send()
    .await;
    assert_eq!(names(&r).len(), 2);
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/service-matters?org={}", tree.county_b),
    )
    .send()
    .await;
    assert_eq!(names(&r).len(), 0);
}

#[actix_web::test]
async fn the_demo_catalogue_has_published_guides() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let r = req(
        &app,
        Method::GET,
        "/api/v1/service-matters?q=%E5%A9%9A%E5%A7%BB",
    )
    .send()
    .await; // 婚姻
    let id = r.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let g = req(
        &app,
        Method::GET,
        &format!("/api/v1/service-matters/{id}/guide"),
    )
    .send()
    .await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    assert_eq!(g.body["name"], "内地居民婚姻登记");
    assert_eq!(g.body["case_kind"], "immediate");
    assert_eq!(g.body["fees"][0]["standard_fen"], 900);
    assert_eq!(g.body["windows"][0]["hall_name"], "历下区政务服务中心");
    let all = req(&app, Method::GET, "/api/v1/service-matters")
        .send()
        .await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(4));
    // A case in every state, visible to the hall's clerk.
    let clerk = login(&app, "city.clerk.a", zhengwu_api::demo::DEMO_PASSWORD).await;
    let cases = req(&app, Method::GET, "/api/v1/cases?limit=50")
        .token(&clerk)
        .send()
        .await;
    let mut states: Vec<String> = cases.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["state"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        vec![
            "accepted",
            "decided",
            "delivered",
            "materials_requested",
            "refused",
            "submitted",
            "suspended"
        ]
    );
    let delivered = cases.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["state"] == "delivered"))
        .and_then(|c| c["number"].as_str())
        .unwrap_or_default()
        .to_owned();
    let lookup = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/cases/{delivered}?password=DEMO0005"),
    )
    .send()
    .await;
    assert_eq!(lookup.status, 200, "{:?}", lookup.body);
    assert_eq!(lookup.body["state"], "delivered");
}

/// The content of a matter is documented as an open part of the request (so that the
/// published schema composes), but the request still refuses a field it does not know,
/// naming it, whether it would belong to the content or to the matter.
#[actix_web::test]
async fn a_matter_with_an_unknown_field_is_refused_naming_it() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(&app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    let admin_a = login(&app, "admin.a", PASSWORD).await;

    for extra in ["promised_dayz", "colour"] {
        let mut body = matter(&tree.county_a, "U1", None);
        body[extra] = json!(2);
        let r = req(&app, Method::POST, "/api/v1/service-matters")
            .token(&admin_a)
            .json(body)
            .send()
            .await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.pointers(), vec![format!("/{extra}")]);
        assert_eq!(r.body["errors"][0]["code"], "field.unknown");
    }

    let r = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&admin_a)
        .json(matter(&tree.county_a, "U1", None))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = req(
        &app,
        Method::PATCH,
        &format!("/api/v1/service-matters/{}", r.id()),
    )
    .token(&admin_a)
    .json(json!({"promised_days": 2, "colour": "red"}))
    .send()
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointers(), vec!["/colour"]);
    assert_eq!(r.body["errors"][0]["code"], "field.unknown");
}
