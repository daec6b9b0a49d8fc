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
    // The domain events of the case: the changes of level (yellow, red, cleared) between
    // its own.
    let subject = zhengwu_tests::world::one(&t, "SELECT DISTINCT subject AS t FROM outbox_events");
    assert_eq!(
        events_of(&t, &subject),
        [
            "case.received",
            "case.accepted",
            "alert.level_changed",
            "alert.level_changed",
            "alert.level_changed",
            "case.decided",
            "alert.level_changed",
            "alert.level_changed"
        ]
    );
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

mod complaints;
mod obligations;
mod orders;
