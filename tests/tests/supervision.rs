//! Supervision on a fixed clock across the 2025 National Day holiday: alert levels at
//! chosen days, the alert job, every anomaly rule, orders, complaints and the rules.

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::*;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn alerts_of(r: &Resp) -> Vec<(String, String, i64)> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["object_kind"].as_str().unwrap_or_default().to_owned(),
                        x["level"].as_str().unwrap_or_default().to_owned(),
                        x["working_days_left"].as_i64().unwrap_or(99),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn apply<S, B>(app: &S, token: &str, matter: &str) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/cases")
        .token(token)
        .json(json!({"matter_ids": [matter], "channel": "web",
            "materials": [{"name": "申请表"}, {"name": "施工合同"}]}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

#[actix_web::test]
async fn alerts_turn_yellow_then_red_after_the_due_date_and_the_job_records_each_change_once() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    create_user(&app, &admin, "sup.b", "supervisor", &h.tree.county_b).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let id = apply(&app, &applicant, &h.matter).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let a = act(&app, &clerk, &id, "accept", json!({})).await;
    // Fri 26 Sep + 3 working days: Sun 28 (adjusted), Mon 29, Tue 30.
    assert_eq!(a.body["clock"]["due_date"], "2025-09-30");
    let sup = login(&app, "sup.a", PASSWORD).await;
    let alerts = |as_of: &'static str, kind: &'static str, token: String| {
        req(
            &app,
            Method::GET,
            &format!("/api/v1/supervision/alerts?as_of={as_of}&kind={kind}"),
        )
        .token(&token)
        .send()
    };
    // 2 working days left and 1 of 3 used (33%): nothing.
    let r = alerts("2025-09-28", "case", sup.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(alerts_of(&r), vec![]);
    // Exactly at the threshold (1 working day left): yellow.
    let r = alerts("2025-09-29", "case", sup.clone()).await;
    assert_eq!(alerts_of(&r), vec![("case".into(), "yellow".into(), 1)]);
    assert_eq!(r.body["items"][0]["rule_id"], "JC-A01");
    assert_eq!(
        r.body["items"][0]["organization_id"],
        h.tree.county_a.as_str()
    );
    assert_eq!(r.body["items"][0]["due_date"], "2025-09-30");
    assert_eq!(r.body["items"][0]["limit_days"], 3);
    assert!(r.body["items"][0]["organization_name"].is_string());
    assert_eq!(r.body["items"][0]["responsible_name"], "clerk.a");
    // During the holiday after the due date it is not yet overdue …
    let r = alerts("2025-10-05", "case", sup.clone()).await;
    assert_eq!(alerts_of(&r), vec![("case".into(), "yellow".into(), 0)]);
    // … red the first working day after it.
    let r = alerts("2025-10-09", "case", sup.clone()).await;
    assert_eq!(alerts_of(&r), vec![("case".into(), "red".into(), -1)]);
    // The pending step 审核 (1 working day from acceptance: due Sun 28 Sep).
    let r = alerts("2025-09-29", "case_step", sup.clone()).await;
    assert_eq!(alerts_of(&r), vec![("case_step".into(), "red".into(), -1)]);
    assert_eq!(r.body["items"][0]["stage"], 2);
    // Another county's supervisor sees nothing; the level filter works.
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    assert_eq!(
        alerts_of(&alerts("2025-10-09", "case", sup_b).await),
        vec![]
    );
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-09&level=yellow",
    )
    .token(&sup)
    .send()
    .await;
    assert!(alerts_of(&r).iter().all(|a| a.1 == "yellow"));
    let bad = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-13-01",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(bad.status, 400);

    // The job on Mon 29 Sep, twice at the same time: each change recorded once.
    clock.set(at("2025-09-29"));
    let (x, y) = tokio::join!(
        zhengwu_api::app::supervision::job(&t.state),
        zhengwu_api::app::supervision::job(&t.state)
    );
    let (x, y) = (x.map(|r| r.recorded), y.map(|r| r.recorded));
    assert_eq!(
        x.clone().unwrap_or(9) + y.clone().unwrap_or(9),
        2,
        "{x:?} {y:?}"
    );
    let sup = login(&app, "sup.a", PASSWORD).await;
    let run = req(&app, Method::POST, "/api/v1/supervision/alert-events/run")
        .token(&sup)
        .send()
        .await;
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert_eq!(run.body["recorded"], 0);
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let forbidden = req(&app, Method::POST, "/api/v1/supervision/alert-events/run")
        .token(&clerk)
        .send()
        .await;
    assert_eq!(forbidden.status, 403);

    // Thu 9 Oct: red. Then the case is finished the same day: cleared.
    clock.set(at("2025-10-09"));
    assert!(zhengwu_api::app::supervision::job(&t.state).await.is_ok());
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    for (token, name) in [(&clerk, "审核"), (&reviewer, "决定")] {
        let s = act(
            &app,
            token,
            &id,
            "steps",
            json!({"name": name, "opinion": "同意"}),
        )
        .await;
        assert_eq!(s.status, 200, "{:?}", s.body);
    }
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0158号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    let sup = login(&app, "sup.a", PASSWORD).await;
    let r = alerts("2025-10-09", "case", sup.clone()).await;
    assert_eq!(alerts_of(&r), vec![], "nothing for finished objects");
    assert!(zhengwu_api::app::supervision::job(&t.state).await.is_ok());
    let ev = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/alert-events?kind=case&object_id={id}"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(ev.status, 200, "{:?}", ev.body);
    let changes: Vec<(Value, Value, Value)> = ev.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["from_level"].clone(),
                        e["to_level"].clone(),
                        e["as_of"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        changes,
        vec![
            (Value::Null, json!("yellow"), json!("2025-09-29")),
            (json!("yellow"), json!("red"), json!("2025-10-09")),
            (json!("red"), Value::Null, json!("2025-10-09")),
        ]
    );
    let october = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/alert-events?object_id={id}&from=2025-10-01&to=2025-10-31"),
    )
    .token(&sup)
    .send()
    .await;
    // The case turned red and was cleared; its step's red alert was cleared too.
    assert_eq!(october.body["items"].as_array().map(Vec::len), Some(3));
}

#[actix_web::test]
async fn every_anomaly_rule_fires_on_its_fixture_and_stays_silent_on_a_clean_case() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let mut ids = std::collections::HashMap::new();
    for name in [
        "clean",
        "fees",
        "fast",
        "refused",
        "slow_step",
        "extended",
        "late_notice",
    ] {
        let matter = if name == "clean" || name == "fees" {
            &h.second_matter
        } else {
            &h.matter
        };
        ids.insert(name, apply(&app, &applicant, matter).await);
    }
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    for name in ["clean", "fees", "fast", "slow_step", "extended"] {
        assert_eq!(
            act(&app, &clerk, &ids[name], "accept", json!({}))
                .await
                .status,
            200
        );
    }
    let ok = act(
        &app,
        &clerk,
        &ids["clean"],
        "charge",
        json!({"items": [{"name": "工本费", "amount_fen": 1000}]}),
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let fees = act(
        &app,
        &clerk,
        &ids["fees"],
        "charge",
        json!({"items": [{"name": "工本费", "amount_fen": 2000}, {"name": "加急费",
            "amount_fen": 5000}]}),
    )
    .await;
    assert_eq!(fees.status, 200, "{:?}", fees.body);
    // Decided the moment it was accepted: entered after the fact (体外循环).
    let fast = act(
        &app,
        &reviewer,
        &ids["fast"],
        "decide",
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0001号"}),
    )
    .await;
    assert_eq!(fast.status, 200, "{:?}", fast.body);
    let refused = act(
        &app,
        &clerk,
        &ids["refused"],
        "refuse",
        json!({"reason": "不符"}),
    )
    .await;
    assert_eq!(refused.status, 200, "{:?}", refused.body);
    // The clean case: 审核 on Sun 28 Sep (1 working day), 决定 on Mon 29 Sep (1).
    clock.set(at("2025-09-28"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(
            &app,
            &clerk,
            &ids["clean"],
            "steps",
            json!({"name": "审核", "opinion": "材料齐全"})
        )
        .await
        .status,
        200
    );
    clock.set(at("2025-09-29"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    assert_eq!(
        act(
            &app,
            &reviewer,
            &ids["clean"],
            "steps",
            json!({"name": "决定", "opinion": "准予许可"})
        )
        .await
        .status,
        200
    );
    let d = act(
        &app,
        &reviewer,
        &ids["clean"],
        "decide",
        json!({"decision": "approved", "result_number": "历下排水〔2025〕0002号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    // 审核 of `slow_step` on Thu 9 Oct: 4 working days for a 1-day step.
    clock.set(at("2025-10-09"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(
            &app,
            &clerk,
            &ids["slow_step"],
            "steps",
            json!({"name": "审核", "opinion": "同意"})
        )
        .await
        .status,
        200
    );
    // Fri 10 Oct is the 5th working day after receipt: a notice then is in time; Sat 11 Oct
    // (an adjusted working day) is the 6th: too late (AL Art.32).
    clock.set(at("2025-10-11"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let n = act(
        &app,
        &clerk,
        &ids["late_notice"],
        "notify-missing",
        json!({"items": [{"material": "施工合同", "problem": "missing"}]}),
    )
    .await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    assert_eq!(
        act(
            &app,
            &clerk,
            &ids["late_notice"],
            "resubmit",
            json!({"materials": [{"name": "申请表"}, {"name": "施工合同"}]})
        )
        .await
        .status,
        200
    );
    clock.set(at("2025-10-13"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(&app, &clerk, &ids["late_notice"], "accept", json!({}))
            .await
            .status,
        200
    );
    clock.set(at("2025-10-14"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    assert_eq!(
        act(
            &app,
            &reviewer,
            &ids["late_notice"],
            "decide",
            json!({"decision": "approved", "result_number": "历下建施〔2025〕0003号"})
        )
        .await
        .status,
        200
    );
    // An extension beyond the legal limit, as migrated from an older system.
    t.db.execute(&format!(
        "UPDATE cases SET extension_days = 23 WHERE id = '{}'",
        ids["extended"]
    ));

    let sup = login(&app, "sup.a", PASSWORD).await;
    let get = |q: String, token: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                &format!(
                    "/api/v1/supervision/anomalies?from=2025-09-01&to=2025-10-31&limit=200{q}"
                ),
            )
            .token(&token)
            .send()
            .await
        }
    };
    let r = get(String::new(), sup.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let name_of = |id: &str| {
        ids.iter()
            .find(|(_, v)| v.as_str() == id)
            .map(|(k, _)| (*k).to_owned())
            .unwrap_or_default()
    };
    let found: BTreeSet<(String, String)> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["rule_id"].as_str().unwrap_or_default().to_owned(),
                        name_of(x["object_id"].as_str().unwrap_or_default()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expected: BTreeSet<(String, String)> = [
        ("JC-B01", "fees"),
        ("JC-B02", "fees"),
        ("JC-B03", "fast"),
        ("JC-B04", "refused"),
        ("JC-B05", "slow_step"),
        ("JC-B06", "extended"),
        ("JC-B07", "late_notice"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(found, expected, "{:#?}", r.body);

    // AL Art.32: the late-notice case counts as accepted on receipt (Fri 26 Sep, due Tue
    // 30 Sep), so its decision on 14 Oct is late: 2 of the 3 completed cases on time.
    let stats = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-10-31&group_by=org",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(stats.status, 200, "{:?}", stats.body);
    assert_eq!(stats.body["total"]["completed"], 3);
    let rate = stats.body["total"]["on_time_rate"].as_f64().unwrap_or(0.0);
    assert!((rate - 2.0 / 3.0).abs() < 1e-3, "{rate}");

    // Rules are configuration: turning one off for the county silences it.
    let rules = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/rules?org={}", h.tree.county_a),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(rules.status, 200, "{:?}", rules.body);
    assert!(rules.body["defined_at"].is_null());
    let mut body = rules.body["rules"].clone();
    body["disabled_rules"] = json!(["JC-B01"]);
    let put = req(
        &app,
        Method::PUT,
        &format!("/api/v1/supervision/rules?org={}", h.tree.county_a),
    )
    .token(&sup)
    .json(body)
    .send()
    .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let r = get("&rule=JC-B01".into(), sup.clone()).await;
    assert_eq!(r.body["items"], json!([]));
    let r = get("&rule=JC-A01".into(), sup.clone()).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["?rule"]);
}

#[actix_web::test]
async fn rules_are_validated_inherited_and_changed_only_by_supervisors_and_administrators() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.city", "supervisor", &h.tree.city).await;
    let sup = login(&app, "sup.city", PASSWORD).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let url = |org: &str| format!("/api/v1/supervision/rules?org={org}");
    let base = req(&app, Method::GET, &url(&h.tree.city))
        .token(&sup)
        .send()
        .await;
    assert_eq!(base.status, 200);
    assert_eq!(base.body["rules"]["yellow_days_left"], 1);
    assert_eq!(base.body["rules"]["yellow_percent_used"], 80);
    assert_eq!(base.body["rules"]["rectification_days"], 5);
    assert_eq!(base.body["catalogue"].as_array().map(Vec::len), Some(18));
    let mut bad = base.body["rules"].clone();
    bad["yellow_percent_used"] = json!(0);
    bad["grades"] = json!({"excellent": 80, "good": 85, "pass": 70});
    let r = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .json(bad)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/yellow_percent_used", "/grades"]);
    let mut good = base.body["rules"].clone();
    good["yellow_days_left"] = json!(2);
    good["rectification_days"] = json!(15);
    let r = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    // The hall inherits the city's rules.
    let hall_rules = req(&app, Method::GET, &url(&h.tree.hall_a))
        .token(&sup)
        .send()
        .await;
    assert_eq!(hall_rules.body["defined_at"], h.tree.city.as_str());
    assert_eq!(hall_rules.body["rules"]["rectification_days"], 15);
    // Stale If-Match: 412; a clerk: 403.
    let stale = req(&app, Method::PUT, &url(&h.tree.city))
        .token(&sup)
        .header("If-Match", "\"7\"")
        .json(good.clone())
        .send()
        .await;
    assert_eq!(stale.status, 412);
    let r = req(&app, Method::PUT, &url(&h.tree.hall_a))
        .token(&clerk)
        .json(good)
        .send()
        .await;
    assert_eq!(r.status, 403);
    // With 2 working days as the threshold a 3-day case is yellow on acceptance day + 1.
    let applicant = login(&app, "qiye", PASSWORD).await;
    let id = apply(&app, &applicant, &h.matter).await;
    assert_eq!(
        act(&app, &clerk, &id, "accept", json!({})).await.status,
        200
    );
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-09-28&kind=case",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(alerts_of(&r), vec![("case".into(), "yellow".into(), 2)]);
}

#[actix_web::test]
async fn supervision_orders_are_responded_escalated_closed_and_lead_to_accountability() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    create_user(&app, &admin, "sup.b", "supervisor", &h.tree.county_b).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let case = apply(&app, &applicant, &h.matter).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let body = json!({"object_kind": "case", "object_id": case, "subject": "办件督办",
        "instructions": "请于3个工作日内受理并说明延误原因。", "working_days": 3});
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup_b)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 422, "another county's case is not in scope");
    assert_eq!(r.pointers(), vec!["/object_id"]);
    let mut invalid = body.clone();
    invalid["working_days"] = json!(0);
    invalid["instructions"] = json!("");
    let r = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup)
        .json(invalid)
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/instructions", "/working_days"]);
    let o = req(&app, Method::POST, "/api/v1/supervision/orders")
        .token(&sup)
        .json(body)
        .send()
        .await;
    assert_eq!(o.status, 201, "{:?}", o.body);
    assert_eq!(o.body["number"], "DB2025-0001");
    assert_eq!(o.body["organization_id"], h.tree.county_a.as_str());
    // Fri 26 Sep + 3 working days: Tue 30 Sep; red on Thu 9 Oct.
    assert_eq!(o.body["due_date"], "2025-09-30");
    let id = o.id();
    let r = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-09&kind=supervision_order",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(
        alerts_of(&r),
        vec![("supervision_order".into(), "red".into(), -1)],
        "{:?}",
        r.body
    );
    let step = |token: String, action: &'static str, b: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/supervision/orders/{id}/{action}"),
            )
            .token(&token)
            .json(b)
            .send()
            .await
        }
    };
    let r = step(sup.clone(), "close", json!({"note": "结"})).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["code"], "supervision_order.illegal_transition");
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = step(sup.clone(), "respond", json!({"response": "已受理"})).await;
    assert_eq!(
        r.status, 403,
        "supervisors do not respond to their own orders"
    );
    let r = step(
        org_admin.clone(),
        "respond",
        json!({"response": "已受理，延误系材料流转不畅。"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "responded");
    clock.set(at("2025-10-09"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let r = step(
        sup.clone(),
        "escalate",
        json!({"reason": "反馈未说明整改措施", "working_days": 2}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["level"], 2);
    assert_eq!(r.body["due_date"], "2025-10-11");
    let r = step(
        org_admin,
        "respond",
        json!({"response": "已建立材料流转台账，专人督促。"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = step(sup.clone(), "close", json!({"note": "整改到位，办结。"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["state"], "closed");
    // Accountability on the order: against the county, or a staff member of it.
    let rec = |b: Value| {
        let app = &app;
        let sup = sup.clone();
        async move {
            req(app, Method::POST, "/api/v1/supervision/accountability")
                .token(&sup)
                .json(b)
                .send()
                .await
        }
    };
    let mut ids = std::collections::HashMap::new();
    for name in ["admin.a", "clerk.a", "clerk.b"] {
        let token = login(&app, name, PASSWORD).await;
        let me = req(&app, Method::GET, "/api/v1/auth/me")
            .token(&token)
            .send()
            .await;
        ids.insert(
            name,
            me.body["user"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let user_id = |name: &str| ids[name].clone();
    let r = rec(
        json!({"kind": "interview", "order_id": id, "user_id": user_id("clerk.b"),
        "reason": "约谈"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/user_id"]);
    let r = rec(
        json!({"kind": "interview", "order_id": id, "user_id": user_id("clerk.a"),
        "reason": "督办后仍延误，约谈经办人"}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["organization_id"], h.tree.county_a.as_str());
    let list = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/accountability?order_id={id}"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_web::test]
async fn complaints_are_decided_in_time_and_never_handled_by_their_subject() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    create_user(&app, &admin, "sup.city", "supervisor", &h.tree.city).await;
    let mut ids = std::collections::HashMap::new();
    for name in ["admin.a", "clerk.a", "clerk.b"] {
        let token = login(&app, name, PASSWORD).await;
        let me = req(&app, Method::GET, "/api/v1/auth/me")
            .token(&token)
            .send()
            .await;
        ids.insert(
            name,
            me.body["user"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let user_id = |name: &str| ids[name].clone();
    let about_admin = json!({"kind": "complaint", "category": "shirking",
        "organization_id": h.tree.county_a,
        "staff_id": user_id("admin.a"), "text": "多次咨询均被推给其他部门。"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(about_admin.clone())
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/contact"]);
    let mut anon = about_admin.clone();
    anon["contact"] = json!({"phone": "13812345678"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(anon)
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["number"], "TS2025-0001");
    // Fri 26 Sep + 5 working days: 28, 29, 30 Sep, 9, 10 Oct.
    assert_eq!(r.body["acceptance_due"], "2025-10-10");
    assert!(r.body["contact"].is_null());
    let shirking = r.id();
    let code = r.body["query_code"].as_str().unwrap_or_default().to_owned();
    let lookup = |code: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                &format!("/api/v1/public/complaints/TS2025-0001?code={code}"),
            )
            .send()
            .await
        }
    };
    assert_eq!(lookup("WRONG234".into()).await.status, 404);
    let seen = lookup(code.clone()).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["state"], "submitted");
    assert!(!seen.body.to_string().contains("13812345678"));
    let mut wrong = about_admin.clone();
    wrong["staff_id"] = json!(user_id("clerk.b"));
    wrong["contact"] = json!({"phone": "13812345678"});
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .json(wrong)
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/staff_id"]);
    let applicant = login(&app, "qiye", PASSWORD).await;
    let own = req(&app, Method::POST, "/api/v1/complaints")
        .token(&applicant)
        .json(
            json!({"kind": "report", "category": "kickbacks", "organization_id": h.tree.hall_a,
            "window_id": h.window, "text": "窗口人员暗示需请客才能加快办理。"}),
        )
        .send()
        .await;
    assert_eq!(own.status, 201, "{:?}", own.body);
    let own_id = own.id();
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .token(&clerk)
        .json(
            json!({"kind": "complaint", "category": "other", "organization_id": h.tree.county_a,
            "text": "x"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 403);

    // The applicant sees their own complaint only.
    let mine = req(&app, Method::GET, "/api/v1/complaints")
        .token(&applicant)
        .send()
        .await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(1));
    let r = req(&app, Method::GET, &format!("/api/v1/complaints/{shirking}"))
        .token(&applicant)
        .send()
        .await;
    assert_eq!(r.status, 404);

    // Unaccepted on Mon 13 Oct: the acceptance deadline (Fri 10 Oct) is 2 working days past
    // (Sat 11 Oct was an adjusted working day). Each alert is for the organisation that
    // decides: the city for the complaint about the county, the county for the report about
    // its hall.
    let sup = login(&app, "sup.a", PASSWORD).await;
    let sup_city = login(&app, "sup.city", PASSWORD).await;
    let acceptance_alerts = |token: String| {
        let app = &app;
        async move {
            req(
                app,
                Method::GET,
                "/api/v1/supervision/alerts?as_of=2025-10-13&kind=complaint_acceptance",
            )
            .token(&token)
            .send()
            .await
        }
    };
    let r = acceptance_alerts(sup_city.clone()).await;
    assert_eq!(
        alerts_of(&r),
        vec![
            ("complaint_acceptance".into(), "red".into(), -2),
            ("complaint_acceptance".into(), "red".into(), -2)
        ]
    );
    let r = acceptance_alerts(sup.clone()).await;
    assert_eq!(
        alerts_of(&r),
        vec![("complaint_acceptance".into(), "red".into(), -2)]
    );
    assert_eq!(r.body["items"][0]["object_id"], own_id.as_str());

    // The subject cannot handle it, nor can the county complained about; the city can.
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let step = |token: String, id: String, action: &'static str, b: Value| {
        let app = &app;
        async move {
            req(
                app,
                Method::POST,
                &format!("/api/v1/complaints/{id}/{action}"),
            )
            .token(&token)
            .json(b)
            .send()
            .await
        }
    };
    let r = step(org_admin.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["code"], "complaint.subject_cannot_handle");
    // Nor does the subject read it, or see it listed.
    let r = req(&app, Method::GET, &format!("/api/v1/complaints/{shirking}"))
        .token(&org_admin)
        .send()
        .await;
    assert_eq!(r.status, 404);
    let listed = req(&app, Method::GET, "/api/v1/complaints")
        .token(&org_admin)
        .send()
        .await;
    assert_eq!(listed.status, 200);
    assert!(!listed.body.to_string().contains(&shirking));
    let r = step(sup.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(r.body["code"], "complaint.subject_cannot_handle");
    let sup = sup_city.clone();
    let r = step(
        sup.clone(),
        shirking.clone(),
        "reply",
        json!({"text": "答复"}),
    )
    .await;
    assert_eq!(r.status, 409);
    let r = step(sup.clone(), shirking.clone(), "accept", json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = step(sup.clone(), shirking.clone(), "handle", json!({})).await;
    assert_eq!(r.pointers(), vec!["/text"]);
    for (action, text) in [
        ("handle", "经核实，存在推诿情况。"),
        ("reply", "已对相关人员批评教育，感谢监督。"),
        ("close", "办结"),
    ] {
        let r = step(sup.clone(), shirking.clone(), action, json!({"text": text})).await;
        assert_eq!(r.status, 200, "{action}: {:?}", r.body);
    }
    let seen = lookup(code).await;
    assert_eq!(seen.body["state"], "closed");
    assert_eq!(seen.body["reply"], "已对相关人员批评教育，感谢监督。");
    assert!(seen.body["findings"].is_null());
    // The applicant's report about the county's hall is the county's to handle, and is
    // referred to discipline inspection.
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        step(sup.clone(), own_id.clone(), "accept", json!({}))
            .await
            .status,
        200
    );
    let r = step(
        sup.clone(),
        own_id.clone(),
        "refer",
        json!({"text": "涉嫌吃拿卡要，移送纪检监察"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["state"], "referred");
    let seen = req(&app, Method::GET, &format!("/api/v1/complaints/{own_id}"))
        .token(&applicant)
        .send()
        .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["state"], "referred");
    assert!(
        seen.body["referral_note"].is_null(),
        "internal notes stay internal"
    );
    let acc = req(&app, Method::GET, "/api/v1/supervision/accountability")
        .token(&sup)
        .send()
        .await;
    assert_eq!(
        acc.body["items"][0]["kind"],
        "referral_to_discipline_inspection"
    );
    assert_eq!(acc.body["items"][0]["complaint_id"], own_id.as_str());
}

#[actix_web::test]
async fn a_report_about_a_department_goes_to_the_county_above_it() {
    // A signed-in applicant reports a department (平阴县市场监督管理局) without naming anyone.
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    for (name, role, org) in [
        ("admin.dept", "org_admin", &h.tree.dept_b),
        ("sup.dept", "supervisor", &h.tree.dept_b),
        ("sup.b", "supervisor", &h.tree.county_b),
    ] {
        create_user(&app, &admin, name, role, org).await;
    }
    let applicant = login(&app, "qiye", PASSWORD).await;
    let r = req(&app, Method::POST, "/api/v1/complaints")
        .token(&applicant)
        .json(
            json!({"kind": "report", "category": "improper_fees", "organization_id": h.tree.dept_b,
            "text": "办理食品经营许可时被要求另交“加急费”。", "name": "王经理",
            "contact": {"phone": "13912345678"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.id();

    // The department's own administrator and supervisor neither handle nor read it.
    for name in ["admin.dept", "sup.dept"] {
        let token = login(&app, name, PASSWORD).await;
        let accept = req(
            &app,
            Method::POST,
            &format!("/api/v1/complaints/{id}/accept"),
        )
        .token(&token)
        .json(json!({}))
        .send()
        .await;
        assert_eq!(accept.status, 403, "{name}: {:?}", accept.body);
        assert_eq!(accept.body["code"], "complaint.subject_cannot_handle");
        let read = req(&app, Method::GET, &format!("/api/v1/complaints/{id}"))
            .token(&token)
            .send()
            .await;
        assert_eq!(read.status, 404, "{name}");
        let listed = req(&app, Method::GET, "/api/v1/complaints")
            .token(&token)
            .send()
            .await;
        assert_eq!(listed.body["items"], json!([]), "{name}");
        let alerts = req(
            &app,
            Method::GET,
            "/api/v1/supervision/alerts?as_of=2025-10-13&kind=complaint_acceptance",
        )
        .token(&token)
        .send()
        .await;
        assert_eq!(alerts.body["items"], json!([]), "{name}");
        let text = alerts.body.to_string() + &listed.body.to_string();
        assert!(!text.contains("13912345678") && !text.contains("王经理"));
    }
    // Not even the trail tells the department who reported it.
    let sup_dept = login(&app, "sup.dept", PASSWORD).await;
    let trail = req(
        &app,
        Method::GET,
        "/api/v1/audit-events?entity_type=complaint",
    )
    .token(&sup_dept)
    .send()
    .await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    assert_eq!(trail.body["items"], json!([]));

    // The county above it decides, in time, and sees who reported it.
    let sup_b = login(&app, "sup.b", PASSWORD).await;
    let alerts = req(
        &app,
        Method::GET,
        "/api/v1/supervision/alerts?as_of=2025-10-10&kind=complaint_acceptance",
    )
    .token(&sup_b)
    .send()
    .await;
    assert_eq!(
        alerts_of(&alerts),
        vec![("complaint_acceptance".into(), "yellow".into(), 0)]
    );
    assert_eq!(
        alerts.body["items"][0]["organization_id"],
        h.tree.county_b.as_str()
    );
    let read = req(&app, Method::GET, &format!("/api/v1/complaints/{id}"))
        .token(&sup_b)
        .send()
        .await;
    assert_eq!(read.body["complainant_name"], "王经理");
    assert_eq!(read.body["contact"]["phone"], "13912345678");
    let accept = req(
        &app,
        Method::POST,
        &format!("/api/v1/complaints/{id}/accept"),
    )
    .token(&sup_b)
    .json(json!({}))
    .send()
    .await;
    assert_eq!(accept.status, 200, "{:?}", accept.body);
    let trail = req(
        &app,
        Method::GET,
        "/api/v1/audit-events?entity_type=complaint",
    )
    .token(&sup_b)
    .send()
    .await;
    assert_eq!(trail.body["items"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn the_demo_has_alerts_of_both_levels_anomalies_an_order_and_complaints() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let r = req(&app, Method::GET, "/api/v1/supervision/alerts?limit=200")
        .token(&sup)
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let found: BTreeSet<(String, String)> =
        alerts_of(&r).into_iter().map(|(k, l, _)| (k, l)).collect();
    for want in [
        ("case", "red"),
        ("case", "yellow"),
        ("case_step", "red"),
        ("supervision_order", "red"),
    ] {
        assert!(
            found.contains(&(want.0.to_owned(), want.1.to_owned())),
            "{want:?} in {found:?}"
        );
    }
    // Pages follow one another without overlap.
    let total = r.body["items"].as_array().map_or(0, Vec::len);
    let mut seen = Vec::new();
    let mut url = "/api/v1/supervision/alerts?limit=2".to_owned();
    loop {
        let p = req(&app, Method::GET, &url).token(&sup).send().await;
        assert_eq!(p.status, 200, "{:?}", p.body);
        for a in p.body["items"].as_array().into_iter().flatten() {
            seen.push((
                a["object_kind"].clone(),
                a["object_id"].clone(),
                a["stage"].clone(),
            ));
        }
        match p.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/supervision/alerts?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    seen.dedup();
    assert_eq!(seen.len(), total);
    let from = (chrono::Utc::now() - chrono::Duration::days(60)).date_naive();
    let r = req(
        &app,
        Method::GET,
        &format!("/api/v1/supervision/anomalies?from={from}&limit=200"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let rules: BTreeSet<String> = r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["rule_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let want: BTreeSet<String> = ["JC-B01", "JC-B04", "JC-B07"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(rules, want);
    let k = req(&app, Method::GET, "/api/v1/complaints")
        .token(&sup)
        .send()
        .await;
    assert_eq!(k.body["items"].as_array().map(Vec::len), Some(2));
    let run = req(&app, Method::POST, "/api/v1/supervision/alert-events/run")
        .token(&sup)
        .send()
        .await;
    assert!(
        run.body["recorded"].as_u64().unwrap_or(0) >= 4,
        "{:?}",
        run.body
    );
    // The month's bulletin of the city hall reports them.
    let halls = req(
        &app,
        Method::GET,
        "/api/v1/organizations?kind=hall&limit=50",
    )
    .token(&sup)
    .send()
    .await;
    let hall = halls.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == "济南市政务服务中心"))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset")))
        .format("%Y-%m")
        .to_string();
    let b = req(
        &app,
        Method::GET,
        &format!("/api/v1/bulletins/{month}?hall={hall}"),
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    assert!(
        b.body["supervision"]["alerts_red"].as_u64().unwrap_or(0) >= 2,
        "{:?}",
        b.body["supervision"]
    );
    assert!(
        b.body["supervision"]["alerts_yellow"].as_u64().unwrap_or(0) >= 1,
        "{:?}",
        b.body["supervision"]
    );
}
