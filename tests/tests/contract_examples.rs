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

const DEMO_PASSWORD: &str = "zhengwu-demo-2026";

/// Who sends an operation's example, and where: the account (`None` anonymous, [`ADMIN`] the
/// system administrator, otherwise a demo account) and, for each path parameter, a query
/// of the demo database that returns its value as a `text` column `t`.
struct Call {
    user: Option<&'static str>,
    params: Vec<(&'static str, String)>,
}

/// Demo objects by their fixed ids (`zhengwu_api::demo::ids`).
const CITY: &str = "01941f29-7c00-7001-8000-000000000001";
const CITY_SERVICES: &str = "01941f29-7c00-7001-8000-000000000003";
const LIXIA: &str = "01941f29-7c00-7001-8000-000000000006";
const CITY_HALL: &str = "01941f29-7c00-7001-8000-000000000005";
const CLERK_A: &str = "01941f29-7c00-7002-8000-000000000005";
const WINDOW_A01: &str = "01941f29-7c00-7003-8000-000000000001";
const MATTER: &str = "01941f29-7c00-7004-8000-000000000001";

/// A query for the id of a row of `table` (alias `x`): one where `prefer` holds when there
/// is one (an earlier example may have moved it on), else any.
fn pick(table: &str, prefer: &str) -> String {
    format!("SELECT x.id::text AS t FROM {table} x ORDER BY ({prefer}) IS TRUE DESC, x.id LIMIT 1")
}

fn id(sql: String) -> Vec<(&'static str, String)> {
    vec![("id", sql)]
}

fn lit(v: &str) -> String {
    format!("SELECT '{v}' AS t")
}

/// The calls of every operation that has a path parameter or a request body.
fn calls() -> BTreeMap<&'static str, Call> {
    let mut m = BTreeMap::new();
    let mut add = |op: &'static str, user: &'static str, params: Vec<(&'static str, String)>| {
        let user = (user != "anonymous").then_some(user);
        m.insert(op, Call { user, params });
    };
    let none = Vec::new;
    let city = || id(lit(CITY));
    let anon = "anonymous";

    add("createToken", anon, none());
    add("refreshToken", anon, none());
    add("logOut", anon, none());
    add("registerApplicant", anon, none());
    // An account no other call uses: its password changes.
    add("changeOwnPassword", "pingyin.admin", none());

    add("createOrganization", ADMIN, none());
    add("getOrganization", "city.admin", city());
    add("updateOrganization", ADMIN, city());
    add("createUser", "city.admin", none());
    add("getUser", "city.admin", id(lit(CLERK_A)));
    add("updateUser", "city.admin", id(lit(CLERK_A)));
    add("createClient", ADMIN, none());
    add(
        "updateClient",
        ADMIN,
        id(pick("api_clients", "x.id IS NOT NULL")),
    );
    add("listHallWindows", "city.admin", id(lit(CITY_HALL)));
    add("createWindow", "city.admin", id(lit(CITY_HALL)));
    add("getWindow", "city.admin", id(lit(WINDOW_A01)));
    add("updateWindow", "city.admin", id(lit(WINDOW_A01)));
    add("setWindowStaff", "city.admin", id(lit(WINDOW_A01)));
    add("getCalendar", anon, vec![("year", lit("2025"))]);
    add("putCalendar", ADMIN, vec![("year", lit("2025"))]);

    let category = pick(
        "disclosure_categories",
        &format!("x.organization_id = '{CITY}' AND x.code BETWEEN '20' AND '98'"),
    );
    add("listDisclosureCategories", anon, city());
    add("createDisclosureCategory", "city.disclosure", city());
    add(
        "updateDisclosureCategory",
        "city.disclosure",
        id(category.clone()),
    );
    add("deleteDisclosureCategory", "city.disclosure", id(category));
    add("getDisclosureGuide", anon, city());
    add("putDisclosureGuide", "city.disclosure", city());

    let item = |state: &str| {
        id(pick(
            "disclosure_items",
            &format!("x.state = '{state}' AND x.organization_id = '{CITY}'"),
        ))
    };
    add("createDisclosure", "city.disclosure", none());
    add("getDisclosure", anon, item("published"));
    add("updateDisclosure", "city.disclosure", item("draft"));
    add("submitDisclosure", "city.disclosure", item("draft"));
    add("approveDisclosure", "city.reviewer", item("submitted"));
    add("rejectDisclosure", "city.reviewer", item("submitted"));
    add("publishDisclosure", "city.disclosure", item("approved"));
    add("reviseDisclosure", "city.disclosure", item("published"));
    add("withdrawDisclosure", "city.disclosure", item("published"));
    add("maskDisclosure", "city.disclosure", item("draft"));
    add("listDisclosureVersions", anon, item("published"));
    let mut version = item("published");
    version.push(("number", lit("1")));
    add("getDisclosureVersion", anon, version);

    let matter = |state: &str| {
        id(pick(
            "service_matters",
            &format!("x.state = '{state}' AND x.organization_id = '{CITY_SERVICES}'"),
        ))
    };
    add("createServiceMatter", "city.admin", none());
    add("getServiceMatter", "city.admin", id(lit(MATTER)));
    add("updateServiceMatter", "city.admin", matter("draft"));
    add("submitServiceMatter", "city.admin", matter("draft"));
    add("publishServiceMatter", "city.reviewer", matter("submitted"));
    add("suspendServiceMatter", "city.admin", matter("published"));
    add("resumeServiceMatter", "city.admin", matter("suspended"));
    add("abolishServiceMatter", "city.admin", matter("suspended"));
    add("listServiceMatterVersions", "city.admin", id(lit(MATTER)));
    add("getServiceGuide", anon, id(lit(MATTER)));

    let case = |state: &str| id(pick("cases", &format!("x.state = '{state}'")));
    let own_case = id(pick(
        "cases",
        "x.applicant_id = (SELECT id FROM users WHERE username = 'zhang.san')",
    ));
    add("createCase", "zhang.san", none());
    add("getCase", "city.clerk.a", case("accepted"));
    add("getCaseTimeline", "city.clerk.a", case("accepted"));
    add("acceptCase", "city.clerk.a", case("submitted"));
    add("refuseCase", "city.clerk.a", case("submitted"));
    add(
        "notifyCaseMissingMaterials",
        "city.clerk.a",
        case("submitted"),
    );
    add(
        "resubmitCaseMaterials",
        "city.clerk.a",
        case("materials_requested"),
    );
    add("assignCase", "city.clerk.a", case("accepted"));
    add("recordCaseStep", "city.clerk.a", case("accepted"));
    add("suspendCase", "city.clerk.a", case("accepted"));
    add("resumeCase", "city.clerk.a", case("suspended"));
    add("extendCase", "city.reviewer", case("accepted"));
    add("decideCase", "city.reviewer", case("accepted"));
    add("deliverCase", "city.clerk.b", case("decided"));
    add("chargeCase", "city.clerk.a", case("accepted"));
    add(
        "lookupPublicCase",
        anon,
        vec![("number", "SELECT number AS t FROM cases LIMIT 1".into())],
    );
    add("getCaseEvaluation", "city.admin", case("delivered"));
    add("evaluateCase", "zhang.san", own_case);

    let request = |state: &str| id(pick("disclosure_requests", &format!("x.state = '{state}'")));
    add("createDisclosureRequest", "zhang.san", none());
    add(
        "getDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "getDisclosureRequestTimeline",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "requestDisclosureRequestCorrection",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "submitDisclosureRequestCorrection",
        "lixia.disclosure",
        request("awaiting_correction"),
    );
    add(
        "closeLapsedDisclosureRequest",
        "lixia.disclosure",
        request("awaiting_correction"),
    );
    add(
        "consultOnDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "recordDisclosureRequestOpinion",
        "lixia.disclosure",
        request("consulting"),
    );
    add(
        "extendDisclosureRequest",
        "lixia.admin",
        request("received"),
    );
    add(
        "sendDisclosureRequestFeeNotice",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "recordDisclosureRequestFeePaid",
        "lixia.disclosure",
        request("awaiting_fee"),
    );
    add(
        "replyToDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "createDisclosureRequestRemedy",
        "lixia.disclosure",
        request("replied"),
    );
    add(
        "updateDisclosureRequestRemedy",
        "lixia.disclosure",
        vec![
            (
                "id",
                "SELECT request_id::text AS t FROM request_remedies LIMIT 1".into(),
            ),
            (
                "remedy_id",
                "SELECT id::text AS t FROM request_remedies LIMIT 1".into(),
            ),
        ],
    );
    add(
        "putAnnualDisclosureReportText",
        "lixia.disclosure",
        vec![("org", lit(LIXIA)), ("year", lit("2025"))],
    );

    let consultation = id(pick("consultations", "x.state = 'open'"));
    add("createConsultation", "lixia.disclosure", none());
    add("getConsultation", anon, consultation.clone());
    add(
        "openConsultation",
        "lixia.disclosure",
        id(pick("consultations", "x.state = 'draft'")),
    );
    add(
        "closeConsultation",
        "lixia.disclosure",
        consultation.clone(),
    );
    add(
        "publishConsultationSummary",
        "lixia.disclosure",
        consultation.clone(),
    );
    add("listConsultationComments", anon, consultation.clone());
    add("createConsultationComment", anon, consultation);
    add(
        "moderateConsultationComment",
        "lixia.disclosure",
        id(pick("consultation_comments", "x.state = 'pending'")),
    );
    let message = |state: &str| id(pick("public_messages", &format!("x.state = '{state}'")));
    add("createPublicMessage", anon, none());
    add(
        "forwardPublicMessage",
        "lixia.disclosure",
        message("submitted"),
    );
    add(
        "answerPublicMessage",
        "lixia.disclosure",
        message("forwarded"),
    );
    add(
        "publishPublicMessage",
        "lixia.disclosure",
        message("answered"),
    );

    add("putSupervisionRules", "city.supervisor", none());
    let order = id(pick("supervision_orders", "x.state = 'issued'"));
    add("createSupervisionOrder", "city.supervisor", none());
    add("getSupervisionOrder", "city.supervisor", order.clone());
    add("respondToSupervisionOrder", "city.admin", order.clone());
    add("closeSupervisionOrder", "city.supervisor", order.clone());
    add("escalateSupervisionOrder", "city.supervisor", order);
    add("createAccountabilityRecord", "city.supervisor", none());

    let complaint = id(pick("complaints", "x.state = 'submitted'"));
    add("createComplaint", anon, none());
    add("getComplaint", "city.supervisor", complaint.clone());
    for op in [
        "acceptComplaint",
        "rejectComplaint",
        "handleComplaint",
        "replyToComplaint",
        "closeComplaint",
        "referComplaint",
    ] {
        add(op, "city.supervisor", complaint.clone());
    }
    add(
        "lookupPublicComplaint",
        anon,
        vec![(
            "number",
            "SELECT number AS t FROM complaints LIMIT 1".into(),
        )],
    );

    let ticket = |state: &str| id(pick("hotline_tickets", &format!("x.state = '{state}'")));
    add("createTicket", "city.hotline", none());
    add("getTicket", "city.hotline", ticket("dispatched"));
    add("getTicketTimeline", "city.hotline", ticket("dispatched"));
    add("dispatchTicket", "city.hotline", ticket("received"));
    add("returnTicket", "city.admin", ticket("dispatched"));
    add("requestTicketExtension", "city.admin", ticket("dispatched"));
    add(
        "decideTicketExtension",
        "city.hotline",
        ticket("dispatched"),
    );
    add("replyToTicket", "city.admin", ticket("dispatched"));
    add("recordTicketCallback", "city.hotline", ticket("replied"));
    add("closeTicket", "city.hotline", ticket("called_back"));
    add("mergeTicket", "city.hotline", ticket("received"));
    add(
        "createKnowledgeEntryFromTicket",
        "city.hotline",
        ticket("closed"),
    );
    add(
        "lookupPublicTicket",
        anon,
        vec![(
            "number",
            "SELECT number AS t FROM hotline_tickets LIMIT 1".into(),
        )],
    );
    let entry = |state: &str| id(pick("knowledge_entries", &format!("x.state = '{state}'")));
    add("createKnowledgeEntry", "city.hotline", none());
    add("getKnowledgeEntry", anon, entry("published"));
    add("updateKnowledgeEntry", "city.hotline", entry("draft"));
    add("submitKnowledgeEntry", "city.hotline", entry("draft"));
    add("publishKnowledgeEntry", "city.admin", entry("submitted"));
    add("rejectKnowledgeEntry", "city.admin", entry("submitted"));
    add("retireKnowledgeEntry", "city.admin", entry("published"));

    add("recordAttendance", "city.supervisor", none());
    add(
        "getAttendance",
        "city.supervisor",
        id(pick("attendance_records", "x.id IS NOT NULL")),
    );
    add(
        "amendAttendance",
        "city.supervisor",
        id(pick("attendance_records", "x.id IS NOT NULL")),
    );
    add("createAssessment", "city.supervisor", none());
    add(
        "getAssessment",
        "city.supervisor",
        id(pick("assessments", "x.id IS NOT NULL")),
    );
    add(
        "amendAssessment",
        "city.supervisor",
        id(pick("assessments", "x.id IS NOT NULL")),
    );
    add(
        "getMonthlyBulletin",
        "city.supervisor",
        vec![("month", lit("2026-11"))],
    );

    let evaluation = id(pick(
        "evaluations",
        "x.level IN ('dissatisfied', 'very_dissatisfied')",
    ));
    add("getEvaluation", "city.admin", evaluation.clone());
    add("appealEvaluation", "city.admin", evaluation.clone());
    add("decideEvaluationAppeal", "city.supervisor", evaluation);
    let rectification = id(pick("rectifications", "x.state <> 'closed'"));
    add("getRectification", "city.admin", rectification.clone());
    for op in [
        "verifyRectification",
        "rectifyRectification",
        "explainRectification",
        "recordRectificationCallback",
        "closeRectification",
    ] {
        add(op, "city.admin", rectification.clone());
    }
    m
}

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
    let t = TestApp::with_clock(std::sync::Arc::new(FixedClock::new(now))).await;
    zhengwu_api::demo::load_at(&t.state.config, now)
        .await
        .unwrap_or_else(|e| panic!("demo: {e}"));
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
