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

#[actix_web::test]
async fn parallel_approval_closes_when_every_part_is_decided() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let no_name = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.matter, h.second_matter], "channel": "web"}))
        .send()
        .await;
    assert_eq!(no_name.status, 422);
    assert_eq!(no_name.pointers(), vec!["/project_name"]);
    let p = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(
            json!({"matter_ids": [h.matter, h.second_matter], "channel": "web",
            "project_name": "历下区某安置房项目"}),
        )
        .send()
        .await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    let project = p.id();
    let subs: Vec<String> = p.body["sub_cases"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(subs.len(), 2);
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    assert_eq!(
        act(&app, &clerk, &project, "accept", json!({}))
            .await
            .status,
        409,
        "the project is handled through its parts"
    );
    for (i, s) in subs.iter().enumerate() {
        assert_eq!(act(&app, &clerk, s, "accept", json!({})).await.status, 200);
        let d = act(
            &app,
            &reviewer,
            s,
            "decide",
            json!({"decision": "approved", "result_number": format!("历下并联〔2025〕{i}号")}),
        )
        .await;
        assert_eq!(d.status, 200);
        let parent = req(&app, Method::GET, &format!("/api/v1/cases/{project}"))
            .token(&applicant)
            .send()
            .await;
        let expected = if i == 0 { "submitted" } else { "decided" };
        assert_eq!(parent.body["state"], expected, "after part {i}");
    }
    let parent = req(&app, Method::GET, &format!("/api/v1/cases/{project}"))
        .token(&applicant)
        .send()
        .await;
    assert_eq!(parent.body["decision"], "approved");
}

#[actix_web::test]
async fn fees_outside_the_list_or_above_standard_are_flagged() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let id = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.second_matter], "channel": "mobile"}))
        .send()
        .await
        .id();
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(&app, &clerk, &id, "accept", json!({})).await.status,
        200
    );
    let ok = act(
        &app,
        &clerk,
        &id,
        "charge",
        json!({"items": [{"name": "工本费", "amount_fen": 1000}]}),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["fee_anomaly"], false);
    let above = act(
        &app,
        &clerk,
        &id,
        "charge",
        json!({"items": [{"name": "工本费",
        "amount_fen": 1500}, {"name": "资料费", "amount_fen": 2000}]}),
    )
    .await;
    assert_eq!(above.status, 200, "charged, not refused");
    assert_eq!(above.body["fee_anomaly"], true);
    let timeline = req(&app, Method::GET, &format!("/api/v1/cases/{id}/timeline"))
        .token(&clerk)
        .send()
        .await;
    let last = timeline.body["entries"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        last["data"]["anomalies"][0]["anomaly"],
        "fee_above_standard"
    );
    assert_eq!(last["data"]["anomalies"][1]["anomaly"], "fee_not_listed");
}

#[actix_web::test]
async fn two_clerks_accepting_at_once_one_wins() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let id = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.matter], "channel": "web"}))
        .send()
        .await
        .id();
    let a = login(&app, "clerk.a", PASSWORD).await;
    let b = login(&app, "clerk2.a", PASSWORD).await;
    let (ra, rb) = futures_util::future::join(
        act(&app, &a, &id, "accept", json!({})),
        act(&app, &b, &id, "accept", json!({})),
    )
    .await;
    let mut statuses = vec![ra.status, rb.status];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409]);
    let timeline = req(&app, Method::GET, &format!("/api/v1/cases/{id}/timeline"))
        .token(&a)
        .send()
        .await;
    let accepts = timeline.body["entries"]
        .as_array()
        .map(|e| e.iter().filter(|x| x["action"] == "accept").count())
        .unwrap_or(0);
    assert_eq!(accepts, 1);
    // Overdue listing: due Tue 30 Sep, so not yet on the day of acceptance ...
    let list = req(&app, Method::GET, "/api/v1/cases?overdue=true")
        .token(&a)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
    // ... but on Thu 9 Oct, the first working day after the holiday, it is.
    clock.set(at("2025-10-09"));
    let a = login(&app, "clerk.a", PASSWORD).await;
    let list = req(&app, Method::GET, "/api/v1/cases?overdue=true")
        .token(&a)
        .send()
        .await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.body["items"][0]["clock"]["working_days_left"], -1);
}

#[actix_web::test]
async fn statistics_equal_the_counts_by_hand() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = login(&app, "qiye", PASSWORD).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [h.matter], "channel": "web"}))
            .send()
            .await;
        ids.push(r.id());
    }
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for id in &ids[..3] {
        assert_eq!(act(&app, &clerk, id, "accept", json!({})).await.status, 200);
    }
    assert_eq!(
        act(
            &app,
            &clerk,
            &ids[3],
            "refuse",
            json!({"reason": "不符合受理条件"})
        )
        .await
        .status,
        200
    );
    // Case 1 decided Mon 29 Sep (due Tue 30: early and on time, 2 working days used).
    clock.set(at("2025-09-29"));
    let reviewer2 = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer2,
        &ids[0],
        "decide",
        json!({"decision": "approved", "result_number": "A1"}),
    )
    .await;
    assert_eq!(d.status, 200);
    // Case 2 decided Thu 9 Oct (late; 4 working days used: 28, 29, 30 Sep and 9 Oct).
    clock.set(at("2025-10-09"));
    let reviewer3 = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer3,
        &ids[1],
        "decide",
        json!({"decision": "denied", "reason": "不符合法定条件"}),
    )
    .await;
    assert_eq!(d.status, 200);
    let admin = login(&app, "admin.a", PASSWORD).await;
    let s = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=window",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    let g = &s.body["groups"][0];
    assert_eq!(g["label"], "05 工程建设项目审批窗口");
    assert_eq!(
        (
            g["received"].as_u64(),
            g["accepted"].as_u64(),
            g["refused"].as_u64(),
            g["completed"].as_u64()
        ),
        (Some(4), Some(3), Some(1), Some(2))
    );
    assert_eq!(g["completion_rate"], 0.6667);
    assert_eq!(g["on_time_rate"], 0.5);
    assert_eq!(g["early_completion_rate"], 0.5);
    assert!(g["on_the_spot_rate"].is_null(), "no immediate cases");
    assert_eq!(g["average_working_days_used"], 3.0);
    assert_eq!(g["average_working_days_promised"], 3.0);
    assert_eq!(s.body["total"]["received"], 4);
    statistics_by_org_and_hall_come_from_the_refreshed_days(&t, &app, &admin).await;
    let by_matter = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=matter",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(by_matter.body["groups"][0]["label"], "建筑工程施工许可");
    let outside = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-10-01&to=2025-10-31&group_by=org",
    )
    .token(&admin)
    .send()
    .await;
    assert_eq!(
        outside.body["total"]["received"], 0,
        "counted by day of receipt"
    );
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let clerk_view = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=org",
    )
    .token(&clerk)
    .send()
    .await;
    assert_eq!(clerk_view.status, 403);
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

#[actix_web::test]
async fn departments_sharing_a_division_code_never_share_a_case_number() {
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock).await;
    let app = app!(t);
    let h = hall(&app).await;
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    // A department without a division code of its own numbers its cases with its county's.
    let dept = req(&app, Method::POST, "/api/v1/organizations")
        .token(&admin)
        .json(
            json!({"parent_id": h.tree.county_a, "kind": "department", "level": "county",
            "name": "历下区住房和城乡建设局"}),
        )
        .send()
        .await;
    assert_eq!(dept.status, 201, "{:?}", dept.body);
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let matter = req(&app, Method::POST, "/api/v1/service-matters")
        .token(&org_admin)
        .json(matter_body(
            &dept.id(),
            "M9",
            "房屋建筑工程竣工验收备案",
            &h.window,
            json!([]),
        ))
        .send()
        .await;
    assert_eq!(matter.status, 201, "{:?}", matter.body);
    for (token, action) in [(&org_admin, "submit"), (&reviewer, "publish")] {
        let path = format!("/api/v1/service-matters/{}/{action}", matter.id());
        let r = req(&app, Method::POST, &path).token(token).send().await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let applicant = login(&app, "qiye", PASSWORD).await;
    let mut numbers = Vec::new();
    for m in [&h.matter, &matter.id(), &h.matter, &matter.id()] {
        let r = req(&app, Method::POST, "/api/v1/cases")
            .token(&applicant)
            .json(json!({"matter_ids": [m], "channel": "web"}))
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        numbers.push(r.body["number"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        numbers,
        [
            "3701022025092600001",
            "3701022025092600002",
            "3701022025092600003",
            "3701022025092600004"
        ]
    );
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

#[actix_web::test]
async fn a_late_notice_makes_the_case_accepted_on_receipt_and_its_clock_follows() {
    // Received Fri 26 Sep 2025, the one-time notice on Mon 13 Oct (the 7th working day after
    // receipt, across National Day), accepted Tue 14 Oct: AL Art.32 makes it accepted on 26
    // Sep, so a 12-day promise is due Mon 20 Oct, not Thu 30 Oct.
    let clock = Arc::new(FixedClock::new(at("2025-09-26")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut body = matter_body(
        &h.tree.county_a,
        "M3",
        "建设工程消防验收",
        &h.window,
        json!([]),
    );
    body["promised_days"] = json!(12);
    let matter = publish_matter(&app, &org_admin, &reviewer, body).await;
    let applicant = applicant_token(&app).await;
    let created = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [matter], "channel": "web",
            "materials": [{"name": "申请表"}]}))
        .send()
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    clock.set(at("2025-10-13"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let n = act(
        &app,
        &clerk,
        &id,
        "notify-missing",
        json!({"items": [{"material": "施工合同", "problem": "missing"}]}),
    )
    .await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    let r = act(
        &app,
        &clerk,
        &id,
        "resubmit",
        json!({"materials": [{"name": "申请表"}, {"name": "施工合同"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    clock.set(at("2025-10-14"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    let a = act(&app, &clerk, &id, "accept", json!({})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["clock"]["accepted_on"], "2025-09-26");
    assert_eq!(a.body["clock"]["due_date"], "2025-10-20");
    assert_eq!(a.body["clock"]["working_days_used"], 8);

    // Alerts follow: yellow on Fri 17 Oct with one working day left, red on Tue 21 Oct.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case", "2025-10-17").await,
        vec![(id.clone(), "yellow".to_owned())]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case", "2025-10-21").await,
        vec![(id.clone(), "red".to_owned())]
    );

    // The due date has passed: an extension decided now is refused (AL Art.42).
    clock.set(at("2025-10-21"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let e = act(
        &app,
        &reviewer,
        &id,
        "extend",
        json!({"working_days": 5, "reason": "需现场核查"}),
    )
    .await;
    assert_eq!(e.status, 409, "{:?}", e.body);
    assert_eq!(e.body["code"], "extension.after_due_date");
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下消验〔2025〕0001号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["clock"]["due_date"], "2025-10-20");

    // The on-time statistics count from receipt: decided a day late.
    let sup = login(&app, "sup.a", PASSWORD).await;
    let stats = req(
        &app,
        Method::GET,
        "/api/v1/statistics/cases?from=2025-09-01&to=2025-09-30&group_by=window",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(stats.status, 200, "{:?}", stats.body);
    assert_eq!(stats.body["total"]["completed"], 1);
    assert_eq!(stats.body["total"]["on_time_rate"], 0.0);
    assert_eq!(stats.body["total"]["average_working_days_used"], 13.0);
}

#[actix_web::test]
async fn a_decision_is_delivered_within_ten_working_days_or_flagged() {
    // Decided Thu 25 Sep 2025: delivery is due Wed 15 Oct (Sun 28 Sep and Sat 11 Oct are
    // worked, 1–8 Oct are not); counting weekends alone it would be Thu 9 Oct.
    let clock = Arc::new(FixedClock::new(at("2025-09-25")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let applicant = applicant_token(&app).await;
    let created = req(&app, Method::POST, "/api/v1/cases")
        .token(&applicant)
        .json(json!({"matter_ids": [h.matter], "channel": "web",
            "materials": [{"name": "申请表"}, {"name": "施工合同"}]}))
        .send()
        .await;
    let id = created.id();
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    assert_eq!(
        act(&app, &clerk, &id, "accept", json!({})).await.status,
        200
    );
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let d = act(
        &app,
        &reviewer,
        &id,
        "decide",
        json!({"decision": "approved", "result_number": "历下建施〔2025〕0009号"}),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["delivery_due"], "2025-10-15");
    assert!(d.body["delivered_on"].is_null());

    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    create_user(&app, &admin, "sup.a", "supervisor", &h.tree.county_a).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-09").await,
        vec![]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-15").await,
        vec![(id.clone(), "yellow".to_owned())]
    );
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-16").await,
        vec![(id.clone(), "red".to_owned())]
    );

    // Impossible delivery days are refused: before the decision, or after today.
    clock.set(at("2025-10-20"));
    let clerk = login(&app, "clerk.a", PASSWORD).await;
    for (day, code) in [("2025-09-24", "date.order"), ("2025-10-21", "date.future")] {
        let r = act(
            &app,
            &clerk,
            &id,
            "deliver",
            json!({"method": "window", "delivered_on": day}),
        )
        .await;
        assert_eq!(r.status, 422, "{day}: {:?}", r.body);
        assert_eq!(r.pointers(), vec!["/delivered_on"]);
        assert_eq!(r.body["errors"][0]["code"], code);
    }
    let r = act(&app, &clerk, &id, "deliver", json!({"method": "window"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["delivered_on"], "2025-10-20");
    assert_eq!(r.body["delivered_late"], true);
    let sup = login(&app, "sup.a", PASSWORD).await;
    assert_eq!(
        alerts_on(&app, &sup, "case_delivery", "2025-10-20").await,
        vec![]
    );
    let found = req(
        &app,
        Method::GET,
        "/api/v1/supervision/anomalies?from=2025-10-01&to=2025-10-31&rule=JC-B08",
    )
    .token(&sup)
    .send()
    .await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(found.body["items"][0]["object_id"], json!(id));
    assert_eq!(found.body["items"][0]["data"]["working_days"], 13);
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(1));
}
