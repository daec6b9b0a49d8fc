//! Who may set each field of the bodies applicants and the public send: staff only,
//! anyone, or an account holder; what the server sets is no field of any body. The table
//! (`zhengwu_api::writers::FORMS`) is compared with the contract and with the expectation
//! written out below, then every field it reserves is tried by those it is reserved from.

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::writers::{FORMS, Writer};
use zhengwu_tests::world::{self, World};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

/// The fields reserved to staff (or to account holders), as the review settled them.
const RESERVED: &[(&str, &str, &str)] = &[
    ("createCase", "window_id", "staff"),
    ("createCase", "applicant", "staff"),
    ("createCase", "green_channel", "staff"),
    ("createDisclosureRequest", "applicant", "staff"),
    ("createDisclosureRequest", "submitted_on", "staff"),
    ("createDisclosureRequest", "signed_on", "staff"),
    ("createDisclosureRequest", "confirmed_on", "staff"),
    ("createTicket", "urgency", "staff"),
    ("createTicket", "classified", "staff"),
    ("createComplaint", "case_id", "account"),
];

/// Operations an applicant (not only staff) may call with a body.
const APPLICANT_OPERATIONS: &[&str] = &[
    "createCase",
    "resubmitCaseMaterials",
    "createDisclosureRequest",
    "submitDisclosureRequestCorrection",
    "createConsultationComment",
    "createPublicMessage",
    "createComplaint",
    "createTicket",
    "evaluateCase",
];

#[actix_web::test]
async fn the_table_covers_every_field_of_every_body_applicants_or_the_public_send() {
    let doc = contract::document();
    let ops = contract::operations(&doc);
    let mut wrong = Vec::new();
    for (op_id, rules) in FORMS {
        let Some(op) = ops.iter().find(|o| o.operation_id == *op_id) else {
            wrong.push(format!("{op_id}: not in the contract"));
            continue;
        };
        let mut listed: Vec<String> = rules.iter().map(|r| r.field.to_owned()).collect();
        listed.sort();
        if listed != op.body_properties(&doc) {
            wrong.push(format!(
                "{op_id}: table {listed:?}, contract {:?}",
                op.body_properties(&doc)
            ));
        }
    }
    let public_bodies = ops
        .iter()
        .filter(|o| o.anonymous && !o.body_properties(&doc).is_empty())
        .map(|o| o.operation_id.as_str());
    for op_id in public_bodies.chain(APPLICANT_OPERATIONS.iter().copied()) {
        if !FORMS.iter().any(|(f, _)| *f == op_id) {
            wrong.push(format!("{op_id}: no table"));
        }
    }
    let mut reserved: Vec<(&str, &str, &str)> = FORMS
        .iter()
        .flat_map(|(op, rules)| {
            rules
                .iter()
                .filter(|r| r.writer != Writer::Anyone)
                .map(move |r| (*op, r.field, r.writer.as_str()))
        })
        .collect();
    reserved.sort_unstable();
    let mut expected = RESERVED.to_vec();
    expected.sort_unstable();
    if reserved != expected {
        wrong.push(format!("reserved fields: {reserved:#?}"));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A value for each reserved field, as its rightful writer would send it.
fn sample(op: &str, field: &str, t: &TestApp) -> Value {
    match (op, field) {
        ("createCase", "window_id") => json!(world::building_permit(t).1),
        ("createCase", "applicant") => {
            json!({"name": "张三", "applicant_type": "natural_person"})
        }
        ("createCase", "green_channel") | ("createTicket", "classified") => json!(true),
        ("createDisclosureRequest", "applicant") => {
            json!({"name": "张三", "applicant_type": "natural_person"})
        }
        ("createDisclosureRequest", _) => json!("2025-03-03"),
        ("createTicket", "urgency") => json!("emergency"),
        ("createComplaint", "case_id") => {
            json!(world::one(t, "SELECT id::text AS t FROM cases LIMIT 1"))
        }
        _ => panic!("no sample for {op} {field}: add one with the field"),
    }
}

#[actix_web::test]
async fn reserved_fields_are_refused_to_those_they_are_not_for_and_nothing_is_written() {
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let (matter, _, materials) = world::building_permit(&t);
    let city = world::org(&t, "济南市人民政府");
    let applicant = w.token("zhang.san");
    // A valid body of each operation, the path, and who sends it (None: the public).
    let bases: Vec<(&str, &str, Value, Option<&str>)> = vec![
        (
            "createCase",
            "/api/v1/cases",
            json!({"matter_ids": [matter], "channel": "web", "materials": materials}),
            Some(applicant),
        ),
        (
            "createDisclosureRequest",
            "/api/v1/disclosure-requests",
            json!({"organization_id": city, "description": "2025年老旧小区改造资金使用明细",
                "requested_form": "electronic", "delivery_method": "email",
                "channel": "online", "contact": {"email": "zhang.san@example.com"}}),
            Some(applicant),
        ),
        (
            "createTicket",
            "/api/v1/hotline/tickets",
            json!({"center_id": city, "kind": "help", "subject": "路灯不亮",
                "description": "经十路路灯连续三晚不亮。",
                    "caller_contact": {"phone": "13912345678"}}),
            None,
        ),
        (
            "createComplaint",
            "/api/v1/complaints",
            json!({"kind": "complaint", "category": "attitude", "organization_id": city,
                "text": "窗口工作人员态度生硬。", "contact": {"phone": "13912345678"}}),
            None,
        ),
    ];
    let count = |table: &str| t.db.numbers(&format!("SELECT count(*) AS n FROM {table}"))[0];
    let table_of = |op: &str| match op {
        "createCase" => "cases",
        "createDisclosureRequest" => "disclosure_requests",
        "createTicket" => "hotline_tickets",
        _ => "complaints",
    };
    let mut tried = Vec::new();
    for (op, field, writer) in RESERVED {
        let Some((_, path, base, who)) = bases.iter().find(|b| b.0 == *op) else {
            panic!("no base body for {op}");
        };
        let mut body = base.clone();
        body[*field] = sample(op, field, &t);
        let before = count(table_of(op));
        let mut r = req(&app, Method::POST, path);
        if let Some(token) = who {
            r = r.token(token);
        }
        let r = r.json(body).send().await;
        assert_eq!(r.status, 403, "{op} {field}: {:?}", r.body);
        assert_eq!(r.body["code"], "field.not_writable");
        assert_eq!(r.pointers(), vec![format!("/{field}")], "{op}");
        assert_eq!(
            r.body["errors"][0]["code"],
            format!("field.{writer}_only"),
            "{op} {field}"
        );
        assert_eq!(
            count(table_of(op)),
            before,
            "{op} {field}: something was written"
        );
        tried.push(*op);
    }
    // The same bodies without the reserved fields are accepted: the refusal was the field.
    for (op, path, base, who) in &bases {
        let mut r = req(&app, Method::POST, path);
        if let Some(token) = who {
            r = r.token(token);
        }
        let r = r.json(base.clone()).send().await;
        assert_eq!(r.status, 201, "{op}: {:?}", r.body);
        if *op == "createCase" {
            assert_eq!(r.body["green_channel"], false);
        }
    }
    // Their rightful writers may set them: a clerk grants the green channel, an operator
    // classifies and rates the urgency, an applicant names a case of their own.
    let (_, window, _) = world::building_permit(&t);
    let r = req(&app, Method::POST, "/api/v1/cases")
        .token(w.token("city.clerk.a"))
        .json(
            json!({"matter_ids": [matter], "channel": "window", "window_id": window,
            "applicant": {"name": "济南某某建设有限公司", "applicant_type": "legal_person"},
            "materials": materials, "green_channel": true}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["green_channel"], true);
    let mut ticket = bases[2].2.clone();
    ticket["urgency"] = json!("emergency");
    ticket["classified"] = json!(true);
    let r = req(&app, Method::POST, "/api/v1/hotline/tickets")
        .token(w.token("city.hotline"))
        .json(ticket)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["urgency"], "emergency");
    assert_eq!(r.body["classified"], true);
    let own_case = world::one(
        &t,
        "SELECT c.id::text AS t FROM cases c JOIN users u ON u.id = c.applicant_id \
         WHERE u.username = 'zhang.san' LIMIT 1",
    );
    let mut complaint = bases[3].2.clone();
    complaint["case_id"] = json!(own_case);
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .token(applicant)
        .json(complaint)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(tried.len() >= RESERVED.len());
}

/// What the server sets (ids, numbers, states, versions, dates of record, the submitter)
/// is refused in every one of these bodies as an unknown member.
#[actix_web::test]
async fn server_set_fields_are_no_field_of_any_body() {
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let (matter, _, materials) = world::building_permit(&t);
    let city = world::org(&t, "济南市人民政府");
    let bodies = [
        (
            "/api/v1/cases",
            json!({"matter_ids": [matter], "channel": "web", "materials": materials}),
        ),
        (
            "/api/v1/disclosure-requests",
            json!({"organization_id": city, "description": "财政预算",
                "requested_form": "electronic",
                "delivery_method": "email", "channel": "online",
                "contact": {"email": "zhang.san@example.com"}}),
        ),
        (
            "/api/v1/complaints",
            json!({"kind": "complaint", "category": "attitude",
                "organization_id": city, "text": "态度生硬。"}),
        ),
    ];
    for (path, base) in bodies {
        for field in [
            "id",
            "number",
            "state",
            "version",
            "created_at",
            "received_on",
            "due_date",
            "applicant_id",
            "submitter_id",
            "query_password",
        ] {
            let mut body = base.clone();
            body[field] = json!("2025-01-01");
            let r = req(&app, Method::POST, path)
                .token(w.token("zhang.san"))
                .json(body)
                .send()
                .await;
            assert_eq!(r.status, 422, "{path} {field}: {:?}", r.body);
            assert_eq!(
                r.body["errors"][0]["code"], "field.unknown",
                "{path} {field}"
            );
            assert_eq!(r.pointers(), vec![format!("/{field}")]);
        }
    }
}
