//! Journeys of window and staff assessment: attendance with A/B coverage, daily scores,
//! rankings and grades, the monthly bulletin, and the disclosure assessment, on a fixed
//! clock in 2026 (no holiday schedule loaded: weekends are the rest days).

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use chrono::Datelike;
use serde_json::{Value, json};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}

fn at(day: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+08:00"))
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

/// A hall with three windows and four clerks:
/// 01 (c1 A, c2 B), 02 (c3 A, c4 B), 03 (c4 A, c3 B); a supervisor and an administrator of
/// county A, a supervisor of county B.
struct Hall {
    tree: Tree,
    admin: String,
    w: [String; 3],
    c: [String; 4],
}

async fn hall<S, B>(app: &S) -> Hall
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let admin = login(app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(app, &admin).await;
    create_user(app, &admin, "admin.a", "org_admin", &tree.county_a).await;
    create_user(app, &admin, "sup.a", "supervisor", &tree.county_a).await;
    create_user(app, &admin, "sup.b", "supervisor", &tree.county_b).await;
    let mut c = Vec::new();
    for n in 1..=4 {
        c.push(create_user(app, &admin, &format!("clerk{n}"), "clerk", &tree.hall_a).await);
    }
    let org_admin = login(app, "admin.a", PASSWORD).await;
    let mut w = Vec::new();
    for (number, name, a, b) in [
        ("01", "综合受理窗口", 0, 1),
        ("02", "社会事务窗口", 2, 3),
        ("03", "不动产登记窗口", 3, 2),
    ] {
        let id = req(
            app,
            Method::POST,
            &format!("/api/v1/halls/{}/windows", tree.hall_a),
        )
        .token(&org_admin)
        .json(json!({"number": number, "name": name}))
        .send()
        .await
        .id();
        let r = req(app, Method::PUT, &format!("/api/v1/windows/{id}/staff"))
            .token(&org_admin)
            .json(
                json!({"staff": [{"user_id": c[a], "post": "a"}, {"user_id": c[b], "post": "b"}]}),
            )
            .send()
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        w.push(id);
    }
    Hall {
        tree,
        admin,
        w: [w[0].clone(), w[1].clone(), w[2].clone()],
        c: [c[0].clone(), c[1].clone(), c[2].clone(), c[3].clone()],
    }
}

async fn post<S, B>(app: &S, token: &str, path: &str, body: Value) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::POST, path)
        .token(token)
        .json(body)
        .send()
        .await
}

async fn get<S, B>(app: &S, token: &str, path: &str) -> Resp
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    req(app, Method::GET, path).token(token).send().await
}

fn items(list: &[(&str, i32, &str)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(d, p, r)| json!({"dimension": d, "points": p, "reason": r}))
            .collect(),
    )
}

fn window(hall: &str, w: &str, day: &str, list: &[(&str, i32, &str)]) -> Value {
    json!({"hall_id": hall, "subject_kind": "window", "subject_id": w, "day": day,
        "items": items(list)})
}

fn staff(hall: &str, u: &str, day: &str, list: &[(&str, i32, &str)]) -> Value {
    json!({"hall_id": hall, "subject_kind": "staff", "subject_id": u, "day": day,
        "items": items(list)})
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .and_then(|a| a.iter().find(|x| x["subject_id"] == id))
        .unwrap_or(&Value::Null)
}

/// The fixture of the domain's unit test, over the API. Days Mon 16 – Wed 18 Nov 2026:
///
/// | win | 16                              | 17                         | 18                   |
/// |-----|---------------------------------|----------------------------|----------------------|
/// | 01  | attitude +3 → 103               | none → 100                 | skill +2 → 102       |
/// | 02  | discipline −5, handling +2 → 97 | attitude +6 → 106          | environment +2 → 102 |
/// | 03  | handling −10 → 90               | attitude −8, skill +3 → 95 | —                    |
///
/// Totals 305, 305 and 185; averages 101.67, 101.67 and 92.5.
///
/// Ranks 1, 1, 3; quarter grades excellent, excellent, good. Attendance: c1 present on 16,
/// on leave on 17 covered by c2 (window 01); c3 late on 16 (02); c4 absent on 16 with nobody
/// covering (03). Window 02 has a discipline penalty and 03 an absence: 01 is the only
/// red-flag candidate.
///
/// Staff: c1 attitude +2 on 16 → 102; c3 discipline −1 on 16 (99) and skill +4 on 17 (104)
/// → 101.5; c2 environment −3 on 17 → 97; c4 not assessed. Ranks c1 1, c3 2, c2 3, c4 none.
/// c3 has a discipline penalty anyway; c1 (leave covered, no absence) is the service star.
#[actix_web::test]
async fn ranking_grades_and_candidates_on_a_hand_computed_fixture() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let hall_id = h.tree.hall_a.as_str();
    let [w1, w2, w3] = &h.w;
    let [c1, c2, c3, c4] = &h.c;
    for body in [
        window(
            hall_id,
            w1,
            "2026-11-16",
            &[("attitude", 3, "群众书面表扬")],
        ),
        window(hall_id, w1, "2026-11-17", &[]),
        window(hall_id, w1, "2026-11-18", &[("skill", 2, "业务测试满分")]),
        window(
            hall_id,
            w2,
            "2026-11-16",
            &[
                ("discipline", -5, "上班时间离岗"),
                ("handling", 2, "当日办结率100%"),
            ],
        ),
        window(hall_id, w2, "2026-11-17", &[("attitude", 6, "收到锦旗")]),
        window(hall_id, w2, "2026-11-18", &[("environment", 2, "窗口整洁")]),
        window(hall_id, w3, "2026-11-16", &[("handling", -10, "办件超期")]),
        window(
            hall_id,
            w3,
            "2026-11-17",
            &[
                ("attitude", -8, "群众投诉态度生硬"),
                ("skill", 3, "政策解答准确"),
            ],
        ),
        staff(hall_id, c1, "2026-11-16", &[("attitude", 2, "耐心解答")]),
        staff(hall_id, c3, "2026-11-16", &[("discipline", -1, "迟到")]),
        staff(hall_id, c3, "2026-11-17", &[("skill", 4, "业务骨干带教")]),
        staff(
            hall_id,
            c2,
            "2026-11-17",
            &[("environment", -3, "工位杂乱")],
        ),
    ] {
        let r = post(&app, &sup, "/api/v1/assessments", body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    for body in [
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-16", "status": "present"}),
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-17", "status": "leave",
            "covered_by": c2}),
        json!({"window_id": w2, "user_id": c3, "day": "2026-11-16", "status": "late"}),
        json!({"window_id": w3, "user_id": c4, "day": "2026-11-16", "status": "absent"}),
    ] {
        let r = post(&app, &sup, "/api/v1/attendance", body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    let week = get(
        &app,
        &sup,
        &format!("/api/v1/assessments/summary?period=week&date=2026-11-18&hall={hall_id}"),
    )
    .await;
    assert_eq!(week.status, 200, "{:?}", week.body);
    assert_eq!(
        (&week.body["from"], &week.body["to"]),
        (&json!("2026-11-16"), &json!("2026-11-22"))
    );
    assert_eq!(week.body["base_score"], 100);
    assert!(week.body["grade_thresholds"].is_null());
    let ws = &week.body["windows"];
    let order: Vec<(&str, Value, Value)> = ws
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["label"].as_str().unwrap_or_default(),
                        x["average_score"].clone(),
                        x["rank"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        order,
        vec![
            ("01 综合受理窗口", json!(101.67), json!(1)),
            ("02 社会事务窗口", json!(101.67), json!(1)),
            ("03 不动产登记窗口", json!(92.5), json!(3)),
        ]
    );
    let s2 = find(ws, w2);
    assert_eq!((&s2["bonus"], &s2["penalty"]), (&json!(10), &json!(-5)));
    assert_eq!(
        s2["dimensions"],
        json!({"attitude": 6, "discipline": -5, "environment": 2, "handling": 2, "skill": 0})
    );
    assert_eq!(s2["days_assessed"], 3);
    assert!(s2["grade"].is_null());
    assert_eq!(s2["attendance"]["late"], 1);
    let s1 = find(ws, w1);
    assert_eq!(
        s1["attendance"],
        json!({"present": 1, "late": 0, "left_early": 0, "absent": 0, "leave": 1,
            "business_trip": 0, "uncovered": 0})
    );
    let s3 = find(ws, w3);
    assert_eq!(
        (&s3["attendance"]["absent"], &s3["attendance"]["uncovered"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        s3["dimensions"],
        json!({"attitude": -8, "discipline": 0, "environment": 0, "handling": -10, "skill": 3})
    );
    let candidates = &week.body["red_flag_candidates"];
    assert_eq!(candidates.as_array().map(Vec::len), Some(1));
    assert_eq!(candidates[0]["subject_id"], w1.as_str());
    assert_eq!(candidates[0]["label"], "01 综合受理窗口");

    let st = &week.body["staff"];
    assert_eq!(st.as_array().map(Vec::len), Some(4));
    let ranks: Vec<(Value, Value, Value)> = st
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x["subject_id"].clone(),
                        x["average_score"].clone(),
                        x["rank"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        ranks,
        vec![
            (json!(c1), json!(102.0), json!(1)),
            (json!(c3), json!(101.5), json!(2)),
            (json!(c2), json!(97.0), json!(3)),
            (json!(c4), Value::Null, Value::Null),
        ]
    );
    assert_eq!(find(st, c1)["attendance"]["leave"], 1);
    assert_eq!(find(st, c4)["attendance"]["absent"], 1);
    let stars = &week.body["service_star_candidates"];
    assert_eq!(stars.as_array().map(Vec::len), Some(1));
    assert_eq!(stars[0]["subject_id"], c1.as_str());

    // The quarter (Oct – Dec) holds the same days and gives grades.
    let q = get(
        &app,
        &sup,
        &format!("/api/v1/assessments/summary?period=quarter&date=2026-11-18&hall={hall_id}"),
    )
    .await;
    assert_eq!(q.status, 200);
    assert_eq!(
        (&q.body["from"], &q.body["to"]),
        (&json!("2026-10-01"), &json!("2026-12-31"))
    );
    assert_eq!(
        q.body["grade_thresholds"],
        json!({"excellent": 95, "good": 85, "pass": 70})
    );
    let grades: Vec<&Value> = q.body["windows"]
        .as_array()
        .map(|a| a.iter().map(|x| &x["grade"]).collect())
        .unwrap_or_default();
    assert_eq!(grades, vec!["excellent", "excellent", "good"]);
    assert_eq!(find(&q.body["staff"], c2)["grade"], "excellent");
    assert!(find(&q.body["staff"], c4)["grade"].is_null());

    // The week before has nothing: no ranks, no candidates.
    let before = get(
        &app,
        &sup,
        &format!("/api/v1/assessments/summary?period=week&date=2026-11-09&hall={hall_id}"),
    )
    .await;
    assert!(before.body["windows"][0]["rank"].is_null());
    assert_eq!(before.body["red_flag_candidates"], json!([]));

    // The list of the hall's assessments: 12, with their scores.
    let list = get(
        &app,
        &sup,
        &format!("/api/v1/assessments?hall={hall_id}&from=2026-11-16&to=2026-11-18&limit=5"),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(5));
    assert!(list.header("link").is_some());
    let all = get(
        &app,
        &sup,
        &format!("/api/v1/assessments?hall={hall_id}&from=2026-11-16&to=2026-11-18&limit=200"),
    )
    .await;
    let scores: i64 = all.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["score"].as_i64()).sum())
        .unwrap_or_default();
    assert_eq!(scores, 305 + 305 + 185 + 102 + 99 + 104 + 97);
}

fn matter_body(org: &str, code: &str, name: &str, window: &str) -> Value {
    json!({
        "organization_id": org, "basic_code": "0000000100", "implementation_code": code,
        "name": name, "matter_type": "administrative_licensing",
        "implementer_nature": "statutory", "service_objects": ["natural_person"],
        "legal_basis": "《中华人民共和国行政许可法》", "conditions": "符合法定条件。",
        "procedure": [{"name": "受理"}, {"name": "决定"}],
        "statutory_days": 15, "promised_days": 3, "case_kind": "promised", "max_visits": 1,
        "online_depth": "full_online", "fees": [],
        "materials": [{"name": "申请表", "form": "original", "required": true}],
        "window_ids": [window], "entered_hall": true
    })
}

mod attendance;
mod bulletins;
