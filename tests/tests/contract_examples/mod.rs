//! The contract's examples and enum values are what the server accepts.
//!
//! - Every JSON request body of the contract documents an example, and that example, sent as
//!   it is to a server loaded with the demo data (the objects it names exist there: see
//!   `zhengwu_api::demo::ids`), is not refused as malformed or invalid (400, 415, 422), nor
//!   aimed at something missing (404), when sent by an account allowed to (not 401, 403). A 409
//!   is allowed: an earlier example may have moved the object on.
//! - Every enum value the contract documents for a field of a request body is accepted in
//!   that field, and every enum value documented for a query parameter is accepted there.

use std::collections::BTreeMap;

use actix_web::http::Method;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::contract::{Operation, operations, resolve};
use zhengwu_tests::{ADMIN, ADMIN_PASSWORD, Resp, TestApp, login, req};

use self::calls::*;

/// The enum values a schema allows, if it is an enum (or an optional one).
fn enum_values<'a>(doc: &'a Value, schema: &'a Value) -> Option<Vec<Value>> {
    let s = resolve(doc, schema);
    if let Some(values) = s["enum"].as_array() {
        return Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = s[key].as_array() {
            let values: Vec<Value> = alternatives
                .iter()
                .filter_map(|a| enum_values(doc, a))
                .flatten()
                .collect();
            if !values.is_empty() {
                return Some(values);
            }
        }
    }
    None
}

/// The JSON pointers into `example` whose schema is an enum, with the values it allows.
fn enum_fields(
    doc: &Value,
    schema: &Value,
    example: &Value,
    at: &str,
    out: &mut Vec<(String, Vec<Value>)>,
) {
    let s = resolve(doc, schema);
    if let Some(values) = enum_values(doc, s) {
        out.push((at.to_owned(), values));
        return;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for alternative in s[key].as_array().into_iter().flatten() {
            enum_fields(doc, alternative, example, at, out);
        }
    }
    match example {
        Value::Object(fields) => {
            for (name, value) in fields {
                if let Some(field_schema) = s.pointer(&format!("/properties/{name}")) {
                    enum_fields(doc, field_schema, value, &format!("{at}/{name}"), out);
                }
            }
        }
        Value::Array(items) => {
            if let (Some(first), Some(items_schema)) = (items.first(), s.get("items")) {
                enum_fields(doc, items_schema, first, &format!("{at}/0"), out);
            }
        }
        _ => {}
    }
}

struct Harness {
    t: TestApp,
    tokens: BTreeMap<&'static str, String>,
}

impl Harness {
    fn param(&self, sql: &str) -> Option<String> {
        self.t.db.texts(sql).into_iter().next()
    }
}

async fn send<S, B>(
    app: &S,
    h: &mut Harness,
    op: &Operation,
    c: &Call,
    query: &str,
    body: Option<&Value>,
) -> Result<Resp, String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut path = op.path.clone();
    for (name, sql) in &c.params {
        let value = h.param(sql).ok_or_else(|| {
            format!(
                "{}: no value of {{{name}}} in the demo data",
                op.operation_id
            )
        })?;
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    if path.contains('{') {
        return Err(format!(
            "{}: a path parameter has no value: {path}",
            op.operation_id
        ));
    }
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::GET);
    let mut r = req(app, method, &uri);
    if let Some(user) = c.user {
        if !h.tokens.contains_key(user) {
            let password = if user == ADMIN {
                ADMIN_PASSWORD
            } else {
                DEMO_PASSWORD
            };
            let token = login(app, user, password).await;
            h.tokens.insert(user, token);
        }
        r = r.token(&h.tokens[user]);
    }
    if let Some(b) = body {
        r = r.json(b.clone());
    }
    Ok(r.send().await)
}

/// The demo data as of a fixed day, with the server's clock on that day, so that the
/// examples' dates keep their meaning whenever the test runs.
async fn demo_harness() -> Harness {
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T02:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    let t = TestApp::with_demo(std::sync::Arc::new(FixedClock::new(now))).await;
    Harness {
        t,
        tokens: BTreeMap::new(),
    }
}

#[actix_web::test]
async fn every_request_example_is_accepted() {
    let doc = zhengwu_tests::contract::document();
    let mut h = demo_harness().await;
    let app = actix_web::test::init_service(zhengwu_api::app(h.t.state.clone())).await;
    let calls = calls();
    let mut wrong = Vec::new();
    for op in operations(&doc) {
        let Some(example) = &op.json_example else {
            continue;
        };
        let Some(example) = example else {
            wrong.push(format!(
                "{} ({} {}): no request example",
                op.operation_id, op.method, op.path
            ));
            continue;
        };
        let Some(c) = calls.get(op.operation_id.as_str()) else {
            wrong.push(format!("{}: no call in this test's table", op.operation_id));
            continue;
        };
        // A refresh token cannot be an example that stays valid: these two say 401.
        let unauthorized_expected = matches!(op.operation_id.as_str(), "refreshToken" | "logOut");
        match send(&app, &mut h, &op, c, "", Some(example)).await {
            Err(e) => wrong.push(e),
            Ok(r) if r.status == 401 && unauthorized_expected => {}
            Ok(r) if matches!(r.status, 400 | 401 | 403 | 404 | 415 | 422) || r.status >= 500 => {
                wrong.push(format!(
                    "{} ({} {}): {} {}",
                    op.operation_id, op.method, op.path, r.status, r.body
                ))
            }
            Ok(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{} problems:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[actix_web::test]
async fn every_documented_enum_value_is_accepted() {
    let doc = zhengwu_tests::contract::document();
    let mut h = demo_harness().await;
    let app = actix_web::test::init_service(zhengwu_api::app(h.t.state.clone())).await;
    let calls = calls();
    let default_call = Call {
        user: Some("city.admin"),
        params: Vec::new(),
    };
    let mut wrong = Vec::new();
    let mut tried = 0;
    for op in operations(&doc) {
        let c = calls.get(op.operation_id.as_str()).unwrap_or(&default_call);
        if let (Some(Some(example)), Some(schema)) = (&op.json_example, &op.body_schema) {
            let mut fields = Vec::new();
            enum_fields(&doc, schema, example, "", &mut fields);
            for (pointer, values) in fields {
                for value in values {
                    let mut body = example.clone();
                    if pointer.is_empty() {
                        body = value.clone();
                    } else if let Some(slot) = body.pointer_mut(&pointer) {
                        *slot = value.clone();
                    }
                    tried += 1;
                    let r = match send(&app, &mut h, &op, c, "", Some(&body)).await {
                        Ok(r) => r,
                        Err(e) => {
                            wrong.push(e);
                            continue;
                        }
                    };
                    let refused = r.body["errors"].as_array().into_iter().flatten().any(|e| {
                        e["pointer"] == json!(if pointer.is_empty() { "/" } else { &pointer })
                            && matches!(
                                e["code"].as_str(),
                                Some("enum.unknown_value" | "type.invalid" | "value.invalid")
                            )
                    });
                    if refused || r.status >= 500 {
                        wrong.push(format!(
                            "{} {pointer} = {value}: {} {}",
                            op.operation_id, r.status, r.body
                        ));
                    }
                }
            }
        }
        if op.method == "GET" {
            let mut required = Vec::new();
            let query: Vec<_> = op.params.iter().filter(|p| p.location == "query").collect();
            for p in &query {
                let name = &p.name;
                if !p.required {
                    continue;
                }
                match &p.example {
                    Some(v) => required.push(format!(
                        "{name}={}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    )),
                    None => wrong.push(format!(
                        "{} ?{name}: required, without an example",
                        op.operation_id
                    )),
                }
            }
            for p in &query {
                let name = &p.name;
                for value in enum_values(&doc, &p.schema).unwrap_or_default() {
                    let text = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    let mut query: Vec<String> = required
                        .iter()
                        .filter(|q| !q.starts_with(&format!("{name}=")))
                        .cloned()
                        .collect();
                    query.push(format!("{name}={text}"));
                    tried += 1;
                    match send(&app, &mut h, &op, c, &query.join("&"), None).await {
                        Err(e) => wrong.push(e),
                        Ok(r) => {
                            let about_it = r.pointers().contains(&format!("?{name}"));
                            if r.status == 400 || (r.status == 422 && about_it) || r.status >= 500 {
                                wrong.push(format!(
                                    "{} ?{}: {} {}",
                                    op.operation_id,
                                    query.join("&"),
                                    r.status,
                                    r.body
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(tried > 100, "only {tried} enum values were tried");
    assert!(
        wrong.is_empty(),
        "{} problems:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

mod calls;
