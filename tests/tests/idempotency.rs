//! `Idempotency-Key` on every operation that creates: read from the contract (every POST
//! that answers 201), each documents the header and honours it — a retry returns the first
//! answer and creates nothing, the same key with another request is 422 — and a key is
//! forgotten once its lifetime (`ZHENGWU_IDEMPOTENCY_TTL`) has passed.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::world::{self, World, post_ok};
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

/// The creating operations of the contract.
fn creating_operations() -> Vec<contract::Operation> {
    let doc = contract::document();
    contract::operations(&doc)
        .into_iter()
        .filter(|op| op.method == "POST" && op.statuses.iter().any(|s| s == "201"))
        .collect()
}

#[actix_web::test]
async fn every_creating_operation_documents_the_header() {
    let ops = creating_operations();
    assert!(ops.len() >= 24, "{} creating operations", ops.len());
    let undocumented: Vec<&str> = ops
        .iter()
        .filter(|op| {
            !op.param("Idempotency-Key")
                .is_some_and(|p| p.location == "header" && !p.required)
        })
        .map(|op| op.operation_id.as_str())
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:?}");
}

/// A request that creates: who sends it, where, and a first and a different second body
/// (for a request without a body, a second path).
struct Probe {
    token: Option<String>,
    path: String,
    body: Body,
}

enum Body {
    Json(Value, Value),
    Multipart(Vec<u8>, Vec<u8>),
    None { other_path: String },
}

fn multipart(name: &str, content: &str) -> Vec<u8> {
    format!(
        "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n\
         {content}\r\n--B--\r\n"
    )
    .into_bytes()
}

fn json_probe(token: Option<&str>, path: String, first: Value, second: Value) -> Probe {
    Probe {
        token: token.map(str::to_owned),
        path,
        body: Body::Json(first, second),
    }
}

/// A case of `zhang.san` taken to its decision, to be evaluated.
async fn decided_case<S, B>(t: &TestApp, app: &S, w: &World) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let (matter, _, materials) = world::building_permit(t);
    let r = req(app, Method::POST, "/api/v1/cases")
        .token(w.token("zhang.san"))
        .json(json!({"matter_ids": [matter], "channel": "web", "materials": materials}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();
    let path = |a: &str| format!("/api/v1/cases/{id}/{a}");
    post_ok(app, w.token("city.clerk.a"), &path("accept"), json!({})).await;
    post_ok(
        app,
        w.token("city.reviewer"),
        &path("decide"),
        json!({"decision": "approved", "result_number": "济审批建〔2025〕88号"}),
    )
    .await;
    id
}

async fn probe<S, B>(op: &str, t: &TestApp, app: &S, w: &World) -> Option<Probe>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let city = world::org(t, "济南市人民政府");
    let lixia = world::org(t, "历下区人民政府");
    let city_hall = world::org(t, "济南市政务服务中心");
    let (matter, window, materials) = world::building_permit(t);
    let admin = Some(w.admin.as_str());
    let supervisor = Some(w.token("city.supervisor"));
    Some(match op {
        "registerApplicant" => json_probe(
            None,
            "/api/v1/auth/register".into(),
            json!({"username": "li.na", "password": "lina-2026-pass", "display_name": "李娜",
                "applicant_type": "natural_person"}),
            json!({"username": "li.na2", "password": "lina-2026-pass", "display_name": "李娜",
                "applicant_type": "natural_person"}),
        ),
        "createOrganization" => json_probe(
            admin,
            "/api/v1/organizations".into(),
            json!({"parent_id": city, "kind": "department", "level": "city",
                "name": "济南市教育局"}),
            json!({"parent_id": city, "kind": "department", "level": "city",
                "name": "济南市民政局"}),
        ),
        "createUser" => {
            let body = |u: &str| {
                json!({"username": u, "password": PASSWORD, "display_name": "新同事",
                    "role": "clerk", "organization_id": city_hall})
            };
            json_probe(
                admin,
                "/api/v1/users".into(),
                body("new.clerk"),
                body("new.clerk2"),
            )
        }
        "createWebhook" => {
            let body = |path: &str| {
                json!({"url": format!("https://platform.example.gov.cn/hooks/{path}"),
                    "event_types": ["zhengwu.case.accepted.v1"], "organization_id": city})
            };
            json_probe(admin, "/api/v1/webhooks".into(), body("a"), body("b"))
        }
        "createClient" => {
            let body = |c: &str| {
                json!({"client_id": c, "name": "省政务服务平台", "role": "clerk",
                    "organization_id": city})
            };
            json_probe(
                admin,
                "/api/v1/clients".into(),
                body("prov-1"),
                body("prov-2"),
            )
        }
        "createWindow" => json_probe(
            Some(w.token("city.admin")),
            format!("/api/v1/halls/{city_hall}/windows"),
            json!({"number": "D01", "name": "不动产登记窗口"}),
            json!({"number": "D02", "name": "公积金窗口"}),
        ),
        "createDisclosureCategory" => json_probe(
            Some(w.token("city.admin")),
            format!("/api/v1/organizations/{city}/disclosure-categories"),
            json!({"code": "90", "name": "营商环境"}),
            json!({"code": "91", "name": "乡村振兴"}),
        ),
        "createDisclosure" => {
            let category = world::one(
                t,
                &format!(
                    "SELECT id::text AS t FROM disclosure_categories \
                     WHERE organization_id = '{city}' AND code = '03'"
                ),
            );
            let body = |title: &str| {
                json!({"organization_id": city, "category_id": category, "title": title,
                    "summary": "摘要", "content": "正文。", "formed_on": "2025-03-02",
                    "channels": ["portal"]})
            };
            json_probe(
                Some(w.token("city.disclosure")),
                "/api/v1/disclosures".into(),
                body("2025年工作要点"),
                body("2025年工作总结"),
            )
        }
        "uploadDisclosureAttachment" => {
            let item = world::draft_item(t, app, w, "招标公告").await;
            Probe {
                token: Some(w.token("city.disclosure").to_owned()),
                path: format!("/api/v1/disclosures/{item}/attachments"),
                body: Body::Multipart(
                    multipart("附件一.txt", "第一份附件"),
                    multipart("附件一.txt", "另一份附件"),
                ),
            }
        }
        "createServiceMatter" => {
            let dept = world::org(t, "济南市行政审批服务局");
            let body = |code: &str| {
                zhengwu_tests::services::matter_body(
                    &dept,
                    code,
                    "建设工程消防验收",
                    &window,
                    json!([]),
                )
            };
            json_probe(
                Some(w.token("city.admin")),
                "/api/v1/service-matters".into(),
                body("370100XF001"),
                body("370100XF002"),
            )
        }
        "createCase" => {
            let body = |project: Option<&str>| {
                let mut b =
                    json!({"matter_ids": [matter], "channel": "web", "materials": materials});
                if let Some(p) = project {
                    b["project_name"] = json!(p);
                }
                b
            };
            json_probe(
                Some(w.token("zhang.san")),
                "/api/v1/cases".into(),
                body(None),
                body(Some("另一个项目")),
            )
        }
        "createDisclosureRequest" => {
            let body = |d: &str| {
                json!({"organization_id": city, "description": d,
                    "requested_form": "electronic", "delivery_method": "email",
                    "channel": "online", "contact": {"email": "zhang.san@example.com"}})
            };
            json_probe(
                Some(w.token("zhang.san")),
                "/api/v1/disclosure-requests".into(),
                body("2025年老旧小区改造资金使用明细"),
                body("2025年道路维修资金使用明细"),
            )
        }
        "createDisclosureRequestRemedy" => {
            let request = world::one(
                t,
                &format!(
                    "SELECT id::text AS t FROM disclosure_requests \
                     WHERE organization_id = '{lixia}' LIMIT 1"
                ),
            );
            json_probe(
                Some(w.token("lixia.disclosure")),
                format!("/api/v1/disclosure-requests/{request}/remedies"),
                json!({"kind": "reconsideration", "filed_on": "2025-12-20"}),
                json!({"kind": "litigation_direct", "filed_on": "2025-12-21"}),
            )
        }
        "createConsultation" => {
            let body = |title: &str| {
                json!({"organization_id": city, "title": title, "draft_text": "一、总体要求……",
                    "opens_at": "2030-06-01T00:00:00Z", "closes_at": "2030-06-30T00:00:00Z"})
            };
            json_probe(
                Some(w.token("city.disclosure")),
                "/api/v1/consultations".into(),
                body("关于公开征求意见的公告"),
                body("关于再次公开征求意见的公告"),
            )
        }
        "createConsultationComment" => {
            let open = world::one(
                t,
                "SELECT id::text AS t FROM consultations WHERE state = 'open'",
            );
            let body = |text: &str| json!({"text": text, "contact": {"phone": "13912345678"}});
            json_probe(
                None,
                format!("/api/v1/consultations/{open}/comments"),
                body("建议增加停车位。"),
                body("建议延长办事时间。"),
            )
        }
        "createPublicMessage" => {
            let body = |s: &str| {
                json!({"kind": "topic_request", "organization_id": city, "subject": s,
                    "text": "请公开相关信息。", "contact": {"phone": "13912345678"}})
            };
            json_probe(
                None,
                "/api/v1/public-messages".into(),
                body("公开老旧小区改造计划"),
                body("公开道路维修计划"),
            )
        }
        "createSupervisionOrder" => {
            let case = world::window_case(t, app, w).await;
            let body = |days: u32| {
                json!({"object_kind": "case", "object_id": case, "subject": "办件督办",
                    "instructions": "请按时办结。", "working_days": days})
            };
            json_probe(
                supervisor,
                "/api/v1/supervision/orders".into(),
                body(3),
                body(5),
            )
        }
        "createAccountabilityRecord" => {
            let dept = world::org(t, "济南市行政审批服务局");
            let body = |reason: &str| {
                json!({"kind": "interview", "organization_id": dept,
                    "reason": reason})
            };
            json_probe(
                supervisor,
                "/api/v1/supervision/accountability".into(),
                body("督办后仍延误"),
                body("多次被投诉"),
            )
        }
        "createComplaint" => {
            let body = |text: &str| {
                json!({"kind": "complaint", "category": "attitude", "organization_id": city,
                    "text": text, "contact": {"phone": "13912345678"}})
            };
            json_probe(
                None,
                "/api/v1/complaints".into(),
                body("窗口态度生硬。"),
                body("等候时间过长。"),
            )
        }
        "createTicket" => {
            let body = |s: &str| {
                json!({"center_id": city, "kind": "help", "subject": s, "description": "请处理。",
                    "caller_contact": {"phone": "13912345678"}})
            };
            json_probe(
                None,
                "/api/v1/hotline/tickets".into(),
                body("路灯不亮"),
                body("井盖缺失"),
            )
        }
        "createKnowledgeEntryFromTicket" => {
            let replied = t.db.texts(
                "SELECT id::text AS t FROM hotline_tickets WHERE reply IS NOT NULL ORDER BY id",
            );
            Probe {
                token: Some(w.token("city.hotline").to_owned()),
                path: format!("/api/v1/hotline/tickets/{}/knowledge-entry", replied[0]),
                body: Body::None {
                    other_path: format!("/api/v1/hotline/tickets/{}/knowledge-entry", replied[1]),
                },
            }
        }
        "createKnowledgeEntry" => {
            let body =
                |q: &str| json!({"organization_id": city, "question": q, "answer": "可以。"});
            json_probe(
                Some(w.token("city.hotline")),
                "/api/v1/knowledge-base".into(),
                body("周末可以办理吗？"),
                body("可以网上办理吗？"),
            )
        }
        "recordAttendance" => {
            let clerk = world::user(t, "city.clerk.a");
            let body = |day: &str| {
                json!({"window_id": window, "user_id": clerk, "day": day,
                    "status": "present"})
            };
            json_probe(
                supervisor,
                "/api/v1/attendance".into(),
                body("2024-06-03"),
                body("2024-06-04"),
            )
        }
        "createAssessment" => {
            let body = |day: &str| {
                json!({"hall_id": city_hall, "subject_kind": "window", "subject_id": window,
                    "day": day, "items": [{"dimension": "attitude", "points": 2,
                        "reason": "耐心"}]})
            };
            json_probe(
                supervisor,
                "/api/v1/assessments".into(),
                body("2024-06-03"),
                body("2024-06-04"),
            )
        }
        "evaluateCase" => {
            let case = decided_case(t, app, w).await;
            json_probe(
                Some(w.token("zhang.san")),
                format!("/api/v1/cases/{case}/evaluation"),
                json!({"level": "very_satisfied", "channel": "pc"}),
                json!({"level": "satisfied", "channel": "pc"}),
            )
        }
        _ => return None,
    })
}

async fn send<S, B>(app: &S, p: &Probe, key: &str, second: bool) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let path = match (&p.body, second) {
        (Body::None { other_path }, true) => other_path.clone(),
        _ => p.path.clone(),
    };
    let mut r = req(app, Method::POST, &path).header("Idempotency-Key", key);
    if let Some(t) = &p.token {
        r = r.token(t);
    }
    match &p.body {
        Body::Json(first, other) => r.json(if second { other.clone() } else { first.clone() }),
        Body::Multipart(first, other) => r.body(
            "multipart/form-data; boundary=B",
            if second { other.clone() } else { first.clone() },
        ),
        Body::None { .. } => r,
    }
    .send()
    .await
}

#[actix_web::test]
async fn every_creating_operation_honours_the_key() {
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let mut wrong = Vec::new();
    for op in creating_operations() {
        let id = op.operation_id.as_str();
        let Some(p) = probe(id, &t, &app, &w).await else {
            wrong.push(format!("{id}: no probe; add one"));
            continue;
        };
        let key = format!("probe-{id}");
        let first = send(&app, &p, &key, false).await;
        if first.status != 201 {
            wrong.push(format!("{id}: first {} {}", first.status, first.body));
            continue;
        }
        let audit_after = t.db.numbers("SELECT count(*) AS n FROM audit_events")[0];
        let retry = send(&app, &p, &key, false).await;
        let replayed = retry.status == 201
            && retry.body == first.body
            && retry.header("idempotent-replayed").as_deref() == Some("true")
            && retry.header("location") == first.header("location");
        if !replayed {
            wrong.push(format!("{id}: retry {} {}", retry.status, retry.body));
        }
        if t.db.numbers("SELECT count(*) AS n FROM audit_events")[0] != audit_after {
            wrong.push(format!("{id}: the retry wrote an audit event"));
        }
        let other = send(&app, &p, &key, true).await;
        if other.status != 422 || other.body["code"] != "idempotency.key_reused" {
            wrong.push(format!(
                "{id}: another request {} {}",
                other.status, other.body
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A key is remembered for `ZHENGWU_IDEMPOTENCY_TTL` from its first use: within it a retry
/// replays, after it the same key creates anew, and housekeeping removes expired keys.
#[actix_web::test]
async fn keys_expire_after_their_lifetime() {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let t = TestApp::with_config(clock.clone(), |c| {
        c.idempotency_ttl = std::time::Duration::from_secs(3600);
    })
    .await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let create = |name: &'static str| {
        req(&app, Method::POST, "/api/v1/organizations")
            .token(&admin)
            .header("Idempotency-Key", "org-1")
            .json(
                json!({"kind": "region_government", "level": "city", "name": name,
                "division_code": "370100"}),
            )
            .send()
    };
    let first = create("济南市人民政府").await;
    assert_eq!(first.status, 201);
    clock.advance(chrono::Duration::minutes(59));
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let create = |name: &'static str| {
        req(&app, Method::POST, "/api/v1/organizations")
            .token(&admin)
            .header("Idempotency-Key", "org-1")
            .json(
                json!({"kind": "region_government", "level": "city", "name": name,
                "division_code": "370100"}),
            )
            .send()
    };
    let retry = create("济南市人民政府").await;
    assert_eq!(retry.id(), first.id());
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(
        zhengwu_api::housekeeping::run(&t.state)
            .await
            .map(|r| r.idempotency_keys)
            .ok(),
        Some(0),
        "nothing has expired yet"
    );
    clock.advance(chrono::Duration::minutes(2));
    // Expired: the key is free again, for this request or another.
    let again = create("青岛市人民政府").await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_ne!(again.id(), first.id());
    assert!(again.header("idempotent-replayed").is_none());
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM idempotency_keys"),
        vec![1]
    );
    let other_key = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .header("Idempotency-Key", "org-2")
        .json(
            json!({"kind": "region_government", "level": "city", "name": "烟台市人民政府",
            "division_code": "370600"}),
        )
        .send()
        .await;
    assert_eq!(other_key.status, 201);
    clock.advance(chrono::Duration::minutes(61));
    let removed = zhengwu_api::housekeeping::run(&t.state).await.ok();
    assert_eq!(removed.map(|r| r.idempotency_keys), Some(2));
    assert_eq!(
        t.db.numbers("SELECT count(*) AS n FROM idempotency_keys"),
        vec![0]
    );
}
