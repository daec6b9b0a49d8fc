//! The NUL character (U+0000) cannot be stored in PostgreSQL text and no legitimate input
//! needs it. Wherever text enters — JSON bodies (values and member names, at any depth),
//! query strings, path segments, multipart fields — it is refused with a 4xx problem naming
//! the place, before any handler runs; never a 500.

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_tests::contract::{self, fill_path, placeholder};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

const NUL: &str = "zhang\u{0}san";

fn names_nul_at(r: &Resp, status: u16, pointer: &str) -> bool {
    r.status == status
        && r.header("content-type").as_deref() == Some("application/problem+json")
        && r.body["errors"].as_array().is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e["pointer"] == pointer && e["code"] == "text.nul_character")
        })
}

/// Every operation of the contract, probed with NUL in each of its path parameters, each of
/// its query parameters and each member of its JSON body, as the system administrator (who
/// passes every role check) and, for the public operations, without a token.
#[actix_web::test]
async fn every_operation_refuses_nul_naming_the_place() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let doc = contract::document();
    let mut wrong = Vec::new();
    let mut probes = 0;
    for op in contract::operations(&doc) {
        let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::GET);
        let tokens: Vec<Option<&str>> = if op.anonymous {
            vec![Some(admin.as_str()), None]
        } else {
            vec![Some(admin.as_str())]
        };
        for token in tokens {
            let send = |uri: String, body: Option<Value>| {
                let mut r = req(&app, method.clone(), &uri);
                if let Some(t) = token {
                    r = r.token(t);
                }
                if let Some(b) = body {
                    r = r.json(b);
                }
                r.send()
            };
            let who = if token.is_some() {
                "admin"
            } else {
                "anonymous"
            };
            for p in op.params.iter().filter(|p| p.location == "path") {
                let uri = fill_path(&op, |q| {
                    if q.name == p.name {
                        "%00".to_owned()
                    } else {
                        placeholder(q)
                    }
                });
                let r = send(uri.clone(), None).await;
                probes += 1;
                if !names_nul_at(&r, 400, &format!("{{{}}}", p.name)) {
                    wrong.push(format!(
                        "{who} {} {uri}: {} {}",
                        op.method, r.status, r.body
                    ));
                }
            }
            let base = fill_path(&op, placeholder);
            for p in op.params.iter().filter(|p| p.location == "query") {
                let uri = format!("{base}?{}=zhang%00san", p.name);
                let r = send(uri.clone(), None).await;
                probes += 1;
                if !names_nul_at(&r, 400, &format!("?{}", p.name)) {
                    wrong.push(format!(
                        "{who} {} {uri}: {} {}",
                        op.method, r.status, r.body
                    ));
                }
            }
            if op.body_types.iter().any(|t| t == "application/json") {
                for prop in op.body_properties(&doc) {
                    let r = send(base.clone(), Some(json!({ prop.clone(): NUL }))).await;
                    probes += 1;
                    if !names_nul_at(&r, 422, &format!("/{prop}")) {
                        wrong.push(format!(
                            "{who} {} {base} /{prop}: {} {}",
                            op.method, r.status, r.body
                        ));
                    }
                }
                // Deeper in the document, and in a member's name.
                let nested = json!({"outer": [{"inner": NUL}], "na\u{0}me": 1});
                let r = send(base.clone(), Some(nested)).await;
                probes += 1;
                if !(names_nul_at(&r, 422, "/outer/0/inner") && names_nul_at(&r, 422, "/na\u{0}me"))
                {
                    wrong.push(format!(
                        "{who} {} {base} nested: {} {}",
                        op.method, r.status, r.body
                    ));
                }
            }
        }
    }
    assert!(probes > 500, "only {probes} probes: is the contract read?");
    assert!(
        wrong.is_empty(),
        "{} of {probes} probes: {wrong:#?}",
        wrong.len()
    );
}

/// The requests of the review, with otherwise valid bodies: four of them need no token.
#[actix_web::test]
async fn the_reviews_requests_are_refused_with_the_field_named() {
    let t = TestApp::start().await;
    let app = app!(t);
    let r = req(&app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": NUL, "password": "x-password-1"}))
        .send()
        .await;
    assert!(names_nul_at(&r, 422, "/username"), "{:?}", r.body);
    let r = req(&app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "li.na", "password": "lina-2026-pass", "display_name": NUL,
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert!(names_nul_at(&r, 422, "/display_name"), "{:?}", r.body);
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(
            json!({"kind": "complaint", "category": "attitude", "text": NUL,
            "contact": {"phone": "13812345678"}}),
        )
        .send()
        .await;
    assert!(names_nul_at(&r, 422, "/text"), "{:?}", r.body);
    let r = req(&app, Method::GET, "/api/v1/public/cases/%00?password=%00")
        .send()
        .await;
    assert!(names_nul_at(&r, 400, "{number}"), "{:?}", r.body);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/organizations?q=%00")
        .token(&admin)
        .send()
        .await;
    assert!(names_nul_at(&r, 400, "?q"), "{:?}", r.body);
    // Nothing was written.
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM users WHERE username <> 'admin'"),
        vec![0]
    );
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM complaints"),
        vec![0]
    );
}

/// The one multipart operation: a file name carrying NUL (the RFC 5987 form encodes it)
/// names the field; raw in the part's headers, the form cannot even be parsed (400).
#[actix_web::test]
async fn a_multipart_file_name_with_nul_is_refused() {
    let t = TestApp::start().await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    let officer = login(&app, "officer", PASSWORD).await;
    let cats = req(
        &app,
        Method::GET,
        &format!(
            "/api/v1/organizations/{}/disclosure-categories",
            tree.county_a
        ),
    )
    .send()
    .await;
    let category = cats.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let item = req(&app, Method::POST, "/api/v1/disclosures")
        .token(&officer)
        .json(json!({
            "organization_id": tree.county_a, "category_id": category, "title": "招标公告",
            "summary": "招标公告的摘要", "content": "详见附件。", "formed_on": "2026-11-02",
            "channels": ["portal"]
        }))
        .send()
        .await;
    let url = format!("/api/v1/disclosures/{}/attachments", item.id());
    let part = |disposition: &[u8]| {
        let mut b = b"--B\r\nContent-Disposition: form-data; name=\"file\"; ".to_vec();
        b.extend_from_slice(disposition);
        b.extend_from_slice(b"\r\n\r\n\xe9\x99\x84\xe4\xbb\xb6\r\n--B--\r\n");
        b
    };
    let encoded = req(&app, Method::POST, &url)
        .token(&officer)
        .body(
            "multipart/form-data; boundary=B",
            part(b"filename*=UTF-8''a%00b.txt"),
        )
        .send()
        .await;
    assert!(names_nul_at(&encoded, 422, "/file"), "{:?}", encoded.body);
    let raw = req(&app, Method::POST, &url)
        .token(&officer)
        .body(
            "multipart/form-data; boundary=B",
            part(b"filename=\"a\0b.txt\""),
        )
        .send()
        .await;
    assert_eq!(raw.status, 400, "{:?}", raw.body);
    assert_eq!(raw.body["code"], "request.invalid_multipart");
    // The RFC 5987 form names files as well as the plain one.
    let named = req(&app, Method::POST, &url)
        .token(&officer)
        .body(
            "multipart/form-data; boundary=B",
            part(b"filename*=UTF-8''%E9%99%84%E4%BB%B6.txt"),
        )
        .send()
        .await;
    assert_eq!(named.status, 201, "{:?}", named.body);
    assert_eq!(named.body["filename"], "附件.txt");
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM disclosure_attachments"),
        vec![1]
    );
}
