//! The language of problems: Chinese or English by `Accept-Language`, the configured default
//! otherwise; the codes and pointers never change with it.

use super::*;

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Every text a person reads in a problem: the title, the detail and the field messages.
fn words(body: &serde_json::Value) -> Vec<String> {
    let mut out = vec![
        body["title"].as_str().unwrap_or_default().to_owned(),
        body["detail"].as_str().unwrap_or_default().to_owned(),
    ];
    for e in body["errors"].as_array().into_iter().flatten() {
        out.push(e["message"].as_str().unwrap_or_default().to_owned());
    }
    out
}

/// The parts of a problem that do not depend on the language.
fn stable(body: &serde_json::Value) -> serde_json::Value {
    json!({
        "type": body["type"], "status": body["status"], "code": body["code"],
        "errors": body["errors"].as_array().map(|a| a.iter()
            .map(|e| json!([e["pointer"], e["code"]])).collect::<Vec<_>>()),
    })
}

#[actix_web::test]
async fn problems_answer_in_the_language_asked_for_with_the_same_codes() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let mut bad = credit_code("11370100MB2851259");
    let last = bad.pop().unwrap_or('0');
    bad.push(if last == '0' { '1' } else { '0' });
    let body = json!({"parent_id": tree.city, "kind": "department", "level": "city",
        "name": "济南市市场监督管理局", "credit_code": bad, "division_code": "37010"});
    let ask = |lang: Option<&'static str>| {
        let r = req(&app, Method::POST, "/api/v1/organizations")
            .token(&admin)
            .json(body.clone());
        match lang {
            Some(l) => r.header("Accept-Language", l),
            None => r,
        }
        .send()
    };

    let zh = ask(Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert_eq!(zh.status, 422);
    assert_eq!(zh.header("content-language").as_deref(), Some("zh-CN"));
    assert!(
        zh.header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-language")),
        "{:?}",
        zh.header("vary")
    );
    for w in words(&zh.body) {
        assert!(has_cjk(&w), "not Chinese: {w:?} in {:?}", zh.body);
    }
    assert_eq!(zh.body["detail"], "2 个字段不符合要求");

    let en = ask(Some("en-GB, zh;q=0.5")).await;
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    assert_eq!(en.body["title"], "The request is not valid");
    for w in words(&en.body) {
        assert!(!has_cjk(&w), "not English: {w:?}");
    }
    assert_eq!(stable(&zh.body), stable(&en.body));

    // Without Accept-Language (or naming neither language) the default, Chinese, is used.
    for lang in [None, Some("fr-FR"), Some("en;q=0")] {
        let d = ask(lang).await;
        assert_eq!(
            d.header("content-language").as_deref(),
            Some("zh-CN"),
            "{lang:?}"
        );
        assert_eq!(words(&d.body), words(&zh.body), "{lang:?}");
    }

    // Nothing was created by any of them.
    let list = req(
        &app,
        Method::GET,
        &format!("/api/v1/organizations?parent_id={}", tree.city),
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(list.status, 200);
    assert!(!names(&list.body).iter().any(|n| n.contains("市场监督")));
}

#[actix_web::test]
async fn a_single_field_problem_names_the_field_and_the_rule_in_chinese() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    let long = "长".repeat(201);
    let r = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .header("Accept-Language", "zh-CN")
        .json(
            json!({"parent_id": tree.city, "kind": "department", "level": "city",
            "name": long}),
        )
        .send()
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointers(), vec!["/name"]);
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(has_cjk(message), "{message}");
    // The limit of the English message is carried into the Chinese one.
    let en = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .header("Accept-Language", "en")
        .json(
            json!({"parent_id": tree.city, "kind": "department", "level": "city",
            "name": "长".repeat(201)}),
        )
        .send()
        .await;
    let english = en.body["errors"][0]["message"].as_str().unwrap_or_default();
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    assert!(!digits(english).is_empty(), "{english}");
    assert_eq!(digits(message), digits(english), "{message} / {english}");
    assert_eq!(
        r.body["detail"].as_str().unwrap_or_default(),
        format!("/name：{message}")
    );
}

#[actix_web::test]
async fn absences_routes_and_authentication_are_answered_in_chinese_too() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let zh = |path: &'static str| {
        req(&app, Method::GET, path)
            .header("Accept-Language", "zh")
            .token(&admin)
    };
    let r = zh("/api/v1/cases/0193a8f0-6c1e-7c52-b1d4-3f1f0f4b2a10")
        .send()
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "not_found");
    assert_eq!(r.body["title"], "未找到");
    assert_eq!(r.body["detail"], "未找到该办件，或不在您的可见范围内");
    let r = zh("/api/v1/no-such-endpoint").send().await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "route.not_found");
    for w in words(&r.body) {
        assert!(has_cjk(&w), "{w:?}");
    }
    let r = req(&app, Method::GET, "/api/v1/auth/me")
        .header("Accept-Language", "zh-Hans-CN")
        .send()
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "auth.unauthenticated");
    for w in words(&r.body) {
        assert!(has_cjk(&w), "{w:?}");
    }
    let r = req(&app, Method::GET, "/api/v1/cases?limit=abc")
        .header("Accept-Language", "zh-CN")
        .token(&admin)
        .send()
        .await;
    assert_eq!(r.status, 400);
    assert!(has_cjk(r.body["detail"].as_str().unwrap_or_default()));
}

#[actix_web::test]
async fn the_default_language_is_configurable() {
    let t = TestApp::with_config(Arc::new(zhengwu_api::clock::SystemClock), |c| {
        c.default_language = zhengwu_api::i18n::Lang::En;
    })
    .await;
    let app = app!(t);
    let r = req(&app, Method::GET, "/api/v1/auth/me").send().await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-language").as_deref(), Some("en"));
    assert_eq!(r.body["title"], "Authentication is required");
    let r = req(&app, Method::GET, "/api/v1/auth/me")
        .header("Accept-Language", "zh-CN")
        .send()
        .await;
    assert_eq!(r.header("content-language").as_deref(), Some("zh-CN"));
    assert_eq!(r.body["title"], "需要登录认证");
}

#[actix_web::test]
async fn every_code_is_described_in_both_languages() {
    let t = TestApp::start().await;
    let app = app!(t);
    let r = req(&app, Method::GET, "/api/v1/meta/error-codes")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let codes = r.body["codes"].as_array().cloned().unwrap_or_default();
    assert_eq!(codes.len(), zhengwu_domain::codes::Code::ALL.len());
    for c in &codes {
        let code = c["code"].as_str().unwrap_or_default();
        assert!(zhengwu_domain::codes::Code::parse(code).is_some(), "{code}");
        assert!(has_cjk(c["zh"].as_str().unwrap_or_default()), "{c}");
        let en = c["en"].as_str().unwrap_or_default();
        assert!(!en.is_empty() && !has_cjk(en), "{c}");
    }
}
