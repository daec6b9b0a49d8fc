//! Journeys of cases (办件) on a fixed clock across the 2025 National Day holiday.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
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

#[actix_web::test]
async fn a_case_from_application_to_delivery_with_pauses_and_an_extension() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let created = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.matter], "channel": "web",
            "materials": [{"name": "申请表"}, {"name": "施工合同"}]}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    let number = created.body["number"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        number, "3701022025092600001",
        "division code, date and daily serial"
    );
    let password = created.body["query_password"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(password.len(), 8);
    assert_eq!(created.body["state"], "submitted");

    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let accepted = act(&app, &clerk, &id, "accept", json!({})).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    // Fri 26 Sep + 3 working days: Sun 28 (adjusted) 1, Mon 29 2, Tue 30 3.
    assert_eq!(accepted.body["clock"]["due_date"], "2025-09-30");
    let again = act(&app, &clerk, &id, "accept", json!({})).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["context"]["state"], "accepted");

    // An expert review from Mon 29 Sep to Fri 10 Oct stops the clock.
    clock.set(at("2025-09-29"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let s = act(
        &app,
        &clerk,
        &id,
        "suspend",
        json!({"procedure": "expert_review", "reason": "组织专家评审",
            "expected_end": "2025-10-10"}),
    )
    .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["state"], "suspended");
    assert!(s.body["clock"]["due_date"].is_null());
    clock.set(at("2025-10-10"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let r = act(&app, &clerk, &id, "resume", json!({})).await;
    assert_eq!(r.status, 200);
    // Paused: 30 Sep, 9 Oct, 10 Oct (3 working days) → 6 working days from 26 Sep: 11 Oct
    // (adjusted Saturday).
    assert_eq!(r.body["clock"]["working_days_paused"], 3);
    assert_eq!(r.body["clock"]["due_date"], "2025-10-11");

    // One extension, within statutory 15 + legal 10.
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let over = act(
        &app,
        &reviewer,
        &id,
        "extend",
        json!({"working_days": 23, "reason": "情况复杂"}),
    )
    .await;
    assert_eq!(over.status, 422);
    assert_eq!(over.pointers(), vec!["/working_days"]);
    let e = act(
        &app,
        &reviewer,
        &id,
        "extend",
        json!({"working_days": 10, "reason": "情况复杂，需延长"}),
    )
    .await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    assert_eq!(e.body["clock"]["due_date"], "2025-10-24");
    let twice = act(
        &app,
        &reviewer,
        &id,
        "extend",
        json!({"working_days": 1, "reason": "再延"}),
    )
    .await;
    assert_eq!(twice.status, 422);
    assert_eq!(
        act(
            &app,
            &clerk,
            &id,
            "extend",
            json!({"working_days": 1, "reason": "x"})
        )
        .await
        .status,
        403
    );

    // 一审一核: consecutive steps by different staff.
    assert_eq!(
        act(
            &app,
            &clerk,
            &id,
            "steps",
            json!({"name": "审核", "opinion": "材料齐全"})
        )
        .await
        .status,
        200
    );
    let same = act(
        &app,
        &clerk,
        &id,
        "steps",
        json!({"name": "决定", "opinion": "准予"}),
    )
    .await;
    assert_eq!(same.status, 403);
    assert_eq!(
        act(
            &app,
            &reviewer,
            &id,
            "steps",
            json!({"name": "决定", "opinion": "准予许可"})
        )
        .await
        .status,
        200
    );

    let no_number = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved"}),
    )
    .await;
    assert_eq!(no_number.status, 422);
    assert_eq!(no_number.pointers(), vec!["/result_number"]);
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0158号"}),
    )
    .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body["state"], "decided");
    assert_eq!(d.body["decided_on"], "2025-10-10");
    let delivered = act(&app, &clerk, &id, "deliver", json!({"method": "window"})).await;
    assert_eq!(delivered.body["state"], "delivered");

    let timeline = req(&app, Method::GET, &format!("/api/v1/cases/{id}/timeline"))
        .token(&applicant_token(&app).await)
        .send()
        .await;
    let actions: Vec<&str> = timeline.body["entries"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        vec![
            "apply", "accept", "suspend", "resume", "extend", "step", "step", "decide", "deliver"
        ]
    );

    // The public lookup: the right password shows progress without personal data.
    let wrong = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/cases/{number}?password=WRONG123"),
    )
    .send()
    .await;
    assert_eq!(wrong.status, 404);
    let public = req(
        &app,
        Method::GET,
        &format!("/api/v1/public/cases/{number}?password={password}"),
    )
    .send()
    .await;
    assert_eq!(public.status, 200, "{:?}", public.body);
    assert_eq!(public.body["state"], "delivered");
    assert_eq!(public.body["current_step"], "决定");
    assert_eq!(public.body["matter_name"], "建筑工程施工许可");
    let text = public.body.to_string();
    assert!(
        !text.contains("济南某某建设有限公司") && !text.contains("applicant"),
        "{text}"
    );
    // Lookups are rate limited per address (5 a minute in tests; two used above).
    let mut last = 0;
    for _ in 0..4 {
        last = req(
            &app,
            Method::GET,
            &format!("/api/v1/public/cases/{number}?password={password}"),
        )
        .send()
        .await
        .status;
    }
    assert_eq!(last, 429);
}

async fn applicant_token<S, B>(app: &S) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    login(app, "qiye", PASSWORD).await
}

#[actix_web::test]
async fn intake_notices_refusal_and_visibility() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let at_window = |materials: Value| {
        req(&app, Method::POST, "/api/v1/cases")
            .token(&clerk)
            .json(
                json!({"matter_ids": [h.matter], "channel": "window", "window_id": h.window,
                "applicant": {"name": "王五", "applicant_type": "natural_person",
                    "phone": "13812345678"},
                "materials": materials}),
            )
            .send()
    };
    let bad = at_window(json!([{"name": "营业执照"}])).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/materials/0/name"]);
    let online_by_clerk = req(&app, Method::POST, "/api/v1/cases")
        .token(&clerk)
        .json(
            json!({"matter_ids": [h.matter], "channel": "web", "applicant": {"name": "x",
            "applicant_type": "natural_person"}}),
        )
        .send()
        .await;
    assert_eq!(online_by_clerk.status, 422);
    let c = at_window(json!([{"name": "申请表"}])).await;
    assert_eq!(c.status, 201, "{:?}", c.body);
    let id = c.id();
    assert_eq!(c.body["number"], "3701022025092600001");
    assert!(c.body["first_contact_id"].is_string());

    // A one-time notice lists everything at least once, from the matter's list.
    assert_eq!(
        act(&app, &clerk, &id, "notify-missing", json!({"items": []}))
            .await
            .status,
        422
    );
    let wrong = act(
        &app,
        &clerk,
        &id,
        "notify-missing",
        json!({"items": [{"material": "户口簿", "problem": "missing"}]}),
    )
    .await;
    assert_eq!(wrong.pointers(), vec!["/items/0/material"]);
    let n = act(
        &app,
        &clerk,
        &id,
        "notify-missing",
        json!({"items": [{"material": "施工合同", "problem": "missing"}]}),
    )
    .await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    assert_eq!(n.body["state"], "materials_requested");
    let second = act(
        &app,
        &clerk,
        &id,
        "notify-missing",
        json!({"items": [{"material": "申请表", "problem": "defective"}]}),
    )
    .await;
    assert_eq!(second.status, 409, "no second notice for the same round");
    let r = act(
        &app,
        &clerk,
        &id,
        "resubmit",
        json!({"materials": [{"name": "申请表"}, {"name": "施工合同"}]}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["submission_round"], 2);
    let refuse = act(&app, &clerk, &id, "refuse", json!({"reason": ""})).await;
    assert_eq!(refuse.status, 422);
    let refused = act(
        &app,
        &clerk,
        &id,
        "refuse",
        json!({"reason": "不属于本机关职权范围"}),
    )
    .await;
    assert_eq!(refused.body["state"], "refused");
    assert_eq!(refused.body["refusal_reason"], "不属于本机关职权范围");

    // Another county's clerk: 404; an applicant sees only their own cases.
    let other = login(&app, "clerk.b", PASSWORD).await;
    assert_eq!(
        req(&app, Method::GET, &format!("/api/v1/cases/{id}"))
            .token(&other)
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        act(&app, &other, &id, "accept", json!({})).await.status,
        404
    );
    let applicant = login(&app, "qiye", PASSWORD).await;
    assert_eq!(
        req(&app, Method::GET, &format!("/api/v1/cases/{id}"))
            .token(&applicant)
            .send()
            .await
            .status,
        404
    );
    let mine = req(&app, Method::GET, "/api/v1/cases")
        .token(&applicant)
        .send()
        .await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(0));
}

/// The organisation and hall statistics of September, as answered.
async fn september<S, B>(app: &S, token: &str) -> Vec<Value>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut out = Vec::new();
    for by in ["org", "hall"] {
        let r = req(
            app,
            Method::GET,
            &format!("/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by={by}"),
        )
        .token(token)
        .send()
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        out.push(r.body);
    }
    out
}

/// Organisation and hall statistics are read from the pre-aggregate once the refresher has
/// counted a day, and from the records for a day changed since: the answers never change.
async fn statistics_by_org_and_hall_come_from_the_refreshed_days<S, B>(
    t: &TestApp,
    app: &S,
    admin: &str,
) where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let queued = "SELECT count(*)::int8 AS n FROM case_stat_queue";
    let stored = "SELECT coalesce(sum(received), 0)::int8 AS n FROM case_stat_days";
    assert!(t.db.numbers(queued)[0] > 0, "every change queues its day");
    assert_eq!(t.db.numbers(stored), vec![0]);
    let from_records = september(app, admin).await;
    assert_eq!(from_records[0]["total"]["received"], 4);
    assert_eq!(from_records[1]["groups"][0]["received"], 4, "one hall");
    let run = zhengwu_api::app::statistics::refresh_now(&t.state)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    assert_eq!((run.cases, run.busy), (4, false));
    assert_eq!(t.db.numbers(queued), vec![0]);
    assert_eq!(t.db.numbers(stored), vec![4]);
    assert_eq!(september(app, admin).await, from_records);
    // The stored day is what answers: a (deliberately) altered aggregate shows through ...
    t.db.execute("UPDATE case_stat_days SET received = received + 10");
    assert_eq!(september(app, admin).await[0]["total"]["received"], 14);
    t.db.execute("UPDATE case_stat_days SET received = received - 10");
    // ... until a change to one of the day's cases queues it again: the records answer, at
    // once, and the refresher's count agrees with them.
    let reviewer = login(app, "reviewer.a", PASSWORD).await;
    let open = t
        .db
        .texts("SELECT id::text AS t FROM cases WHERE state = 'accepted' ORDER BY number LIMIT 1");
    let d = act(
        app,
        &reviewer,
        &open[0],
        "decide",
        json!({"decision": "approved", "result_number": "A3"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(t.db.numbers(queued), vec![1], "one day queued");
    let live = september(app, admin).await;
    assert_eq!(live[0]["total"]["completed"], 3);
    zhengwu_api::app::statistics::refresh_now(&t.state)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    assert_eq!(t.db.numbers(queued), vec![0]);
    assert_eq!(september(app, admin).await, live);
    // A calendar change queues every day whose cases it may touch: Sunday 28 September is
    // no longer worked, so each completed case used one working day less.
    let sys = login(app, ADMIN, ADMIN_PASSWORD).await;
    let holidays: Vec<String> = (1..=8).map(|n| format!("2025-10-0{n}")).collect();
    let cal = req(app, Method::PUT, "/api/v1/calendars/2025")
        .token(&sys)
        .json(json!({"holidays": holidays, "adjusted_working_days": ["2025-10-11"]}))
        .send()
        .await;
    assert_eq!(cal.status, 200, "{:?}", cal.body);
    assert!(t.db.numbers(queued)[0] > 0, "the calendar queues the days");
    let recounted = september(app, admin).await;
    assert_eq!(live[0]["total"]["average_working_days_used"], 3.3333);
    assert_eq!(recounted[0]["total"]["average_working_days_used"], 2.3333);
    zhengwu_api::app::statistics::refresh_now(&t.state)
        .await
        .unwrap_or_else(|e| panic!("refresh: {e:?}"));
    assert_eq!(september(app, admin).await, recounted);
}

/// Alerts of one kind on a day, as (object id, level).
async fn alerts_on<S, B>(app: &S, token: &str, kind: &str, day: &str) -> Vec<(String, String)>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(
        app,
        Method::GET,
        &format!("/api/v1/supervision/alerts?kind={kind}&as_of={day}&limit=200"),
    )
    .token(token)
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["object_id"].as_str().unwrap_or_default().to_owned(),
                        x["level"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

mod deadlines;
mod listing;
mod processing;
mod statistics;
