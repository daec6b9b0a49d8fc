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

#[actix_web::test]
async fn attendance_checks_the_window_staff_and_the_ab_cover() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let [w1, w2, _] = &h.w;
    let [c1, c2, c3, _] = &h.c;
    let bad = |body: Value| {
        let app = &app;
        let sup = sup.clone();
        async move { post(app, &sup, "/api/v1/attendance", body).await }
    };
    let r = bad(json!({"window_id": w1, "user_id": c3, "day": "2026-11-19", "status": "present"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/user_id"]);
    assert_eq!(r.body["errors"][0]["code"], "attendance.not_window_staff");
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "absent",
        "covered_by": c3}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/covered_by"]);
    assert_eq!(
        r.body["errors"][0]["code"],
        "attendance.cover_not_window_staff"
    );
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "absent",
        "covered_by": c1}),
    )
    .await;
    assert_eq!(r.body["errors"][0]["code"], "attendance.cover_self");
    let r = bad(
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present",
        "covered_by": c2}),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/covered_by"]);
    assert_eq!(r.body["errors"][0]["code"], "attendance.cover_not_needed");
    // Tomorrow, by the server's clock in Asia/Shanghai.
    let r = bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-21", "status": "present"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/day"]);
    assert_eq!(r.body["errors"][0]["code"], "date.future");
    let r =
        bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "sick"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/status"]);
    let r = bad(
        json!({"window_id": h.tree.hall_a, "user_id": c1, "day": "2026-11-19",
        "status": "present"}),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/window_id"]);

    // B covers for A on leave; a retry with the same key is answered once.
    let body = json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "leave",
        "covered_by": c2, "note": "病假，B岗顶岗"});
    let first = req(&app, Method::POST, "/api/v1/attendance")
        .token(&sup)
        .header("Idempotency-Key", "att-c1-1119")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["uncovered"], false);
    assert_eq!(first.body["hall_id"], h.tree.hall_a.as_str());
    let again = req(&app, Method::POST, "/api/v1/attendance")
        .token(&sup)
        .header("Idempotency-Key", "att-c1-1119")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.id(), first.id());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    // One record per staff member and day: the second is a conflict naming the first.
    let dup =
        bad(json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present"}))
            .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["code"], "attendance.duplicate");
    assert_eq!(dup.body["context"]["id"], first.id().as_str());

    // A correction keeps the staff member, who holds no post at window 02.
    let url = format!("/api/v1/attendance/{}", first.id());
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .json(json!({"window_id": w2, "status": "late"}))
        .send()
        .await;
    assert_eq!(r.pointers(), vec!["/user_id"]);
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"7\"")
        .json(json!({"window_id": w1, "status": "absent"}))
        .send()
        .await;
    assert_eq!(r.status, 412);
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(json!({"window_id": w1, "status": "absent"}))
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["uncovered"], true);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));

    let list = get(
        &app,
        &sup,
        &format!(
            "/api/v1/attendance?hall={}&from=2026-11-01&to=2026-11-30&user={c1}",
            h.tree.hall_a
        ),
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.body["items"][0]["status"], "absent");

    // Both changes are in the audit log.
    let audit = get(
        &app,
        &h.admin,
        &format!(
            "/api/v1/audit-events?entity_type=attendance&entity_id={}",
            first.id()
        ),
    )
    .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(actions.contains(&"attendance.record"), "{actions:?}");
    assert!(actions.contains(&"attendance.amend"), "{actions:?}");
}

#[actix_web::test]
async fn assessments_name_the_invalid_field() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let hall_id = h.tree.hall_a.as_str();
    let [w1, ..] = &h.w;
    let check = |body: Value, pointer: &'static str, code: &'static str| {
        let app = &app;
        let sup = sup.clone();
        async move {
            let r = post(app, &sup, "/api/v1/assessments", body).await;
            assert_eq!(r.status, 422, "{:?}", r.body);
            assert_eq!(r.pointers(), vec![pointer], "{:?}", r.body);
            assert_eq!(r.body["errors"][0]["code"], code, "{:?}", r.body);
        }
    };
    let mut b = window(hall_id, w1, "2026-11-19", &[("attitude", 2, "热情")]);
    b["items"][0]["dimension"] = json!("friendliness");
    check(b, "/items/0/dimension", "enum.unknown_value").await;
    check(
        window(
            hall_id,
            w1,
            "2026-11-19",
            &[("attitude", 2, "热情"), ("skill", 11, "满分")],
        ),
        "/items/1/points",
        "assessment.points_range",
    )
    .await;
    check(
        window(hall_id, w1, "2026-11-19", &[("handling", 0, "无")]),
        "/items/0/points",
        "assessment.points_range",
    )
    .await;
    check(
        window(hall_id, w1, "2026-11-19", &[("handling", -2, "  ")]),
        "/items/0/reason",
        "text.empty",
    )
    .await;
    let mut b = window(hall_id, w1, "2026-11-19", &[("handling", -2, "超期")]);
    b["items"][0].as_object_mut().map(|o| o.remove("reason"));
    check(b, "/items/0/reason", "field.required").await;
    check(
        window(hall_id, w1, "2026-11-21", &[]),
        "/day",
        "date.future",
    )
    .await;
    // A clerk who holds no post is not a staff member of the hall's windows; a hall is not
    // a window.
    let outsider = create_user(&app, &h.admin, "clerk9", "clerk", &h.tree.hall_a).await;
    check(
        staff(hall_id, &outsider, "2026-11-19", &[]),
        "/subject_id",
        "assessment.not_in_hall",
    )
    .await;
    check(
        window(hall_id, hall_id, "2026-11-19", &[]),
        "/subject_id",
        "assessment.not_in_hall",
    )
    .await;
    check(
        window(&h.tree.county_a, w1, "2026-11-19", &[]),
        "/hall_id",
        "reference.not_found",
    )
    .await;

    // One per subject and day; corrected with If-Match.
    let ok = post(
        &app,
        &sup,
        "/api/v1/assessments",
        window(
            hall_id,
            w1,
            "2026-11-19",
            &[("environment", -2, "地面有垃圾")],
        ),
    )
    .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["score"], 98);
    let dup = post(
        &app,
        &sup,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-19", &[]),
    )
    .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["code"], "assessment.duplicate");
    assert_eq!(dup.body["context"]["id"], ok.id().as_str());
    let url = format!("/api/v1/assessments/{}", ok.id());
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(
            json!({"items": [{"dimension": "environment", "points": -1, "reason": "地面有纸屑"},
            {"dimension": "attitude", "points": 3, "reason": "主动帮扶老年人"}]}),
        )
        .send()
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["score"], &r.body["version"]),
        (&json!(102), &json!(2))
    );
    let r = req(&app, Method::PUT, &url)
        .token(&sup)
        .header("If-Match", "\"1\"")
        .json(json!({"items": []}))
        .send()
        .await;
    assert_eq!(r.status, 412);
    let read = get(&app, &sup, &url).await;
    assert_eq!(read.body["items"][1]["reason"], "主动帮扶老年人");
    assert_eq!(read.header("etag").as_deref(), Some("\"2\""));
}

#[actix_web::test]
async fn nobody_sees_or_changes_outside_their_role_and_scope() {
    let clock = Arc::new(FixedClock::new(at("2026-11-20")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let other = login(&app, "sup.b", PASSWORD).await;
    let clerk = login(&app, "clerk1", PASSWORD).await;
    let hall_id = h.tree.hall_a.as_str();
    let [w1, ..] = &h.w;
    let [c1, ..] = &h.c;
    let a = post(
        &app,
        &org_admin,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-19", &[]),
    )
    .await;
    assert_eq!(
        a.status, 201,
        "organisation administrators assess too: {:?}",
        a.body
    );
    let att = json!({"window_id": w1, "user_id": c1, "day": "2026-11-19", "status": "present"});

    // Clerks neither record nor read.
    assert_eq!(
        post(&app, &clerk, "/api/v1/attendance", att.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        post(
            &app,
            &clerk,
            "/api/v1/assessments",
            window(hall_id, w1, "2026-11-18", &[])
        )
        .await
        .status,
        403
    );
    let summary =
        format!("/api/v1/assessments/summary?period=month&date=2026-11-18&hall={hall_id}");
    assert_eq!(get(&app, &clerk, &summary).await.status, 403);
    assert_eq!(
        get(
            &app,
            &clerk,
            &format!("/api/v1/bulletins/2026-11?hall={hall_id}")
        )
        .await
        .status,
        403
    );
    // The sys admin reads but does not record.
    assert_eq!(get(&app, &h.admin, &summary).await.status, 200);
    assert_eq!(
        post(&app, &h.admin, "/api/v1/attendance", att.clone())
            .await
            .status,
        403
    );

    // Another county's supervisor: nothing of this hall exists for them.
    assert_eq!(get(&app, &other, &summary).await.status, 404);
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/bulletins/2026-11?hall={hall_id}")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/assessments?hall={hall_id}&from=2026-11-01&to=2026-11-30")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &other,
            &format!("/api/v1/attendance?hall={hall_id}&from=2026-11-01&to=2026-11-30")
        )
        .await
        .status,
        404
    );
    let url = format!("/api/v1/assessments/{}", a.id());
    assert_eq!(get(&app, &other, &url).await.status, 404);
    let put = req(&app, Method::PUT, &url)
        .token(&other)
        .json(json!({"items": []}))
        .send()
        .await;
    assert_eq!(put.status, 404);
    let r = post(&app, &other, "/api/v1/attendance", att.clone()).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), vec!["/window_id"]);
    let r = post(
        &app,
        &other,
        "/api/v1/assessments",
        window(hall_id, w1, "2026-11-18", &[]),
    )
    .await;
    assert_eq!(r.pointers(), vec!["/hall_id"]);
    assert_eq!(
        get(
            &app,
            &other,
            &format!(
                "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
                h.tree.county_a
            )
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &app,
            &clerk,
            &format!(
                "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
                h.tree.county_a
            )
        )
        .await
        .status,
        403
    );
    // Nothing was written by the refused requests.
    let list = get(
        &app,
        &sup,
        &format!("/api/v1/attendance?hall={hall_id}&from=2026-11-01&to=2026-11-30"),
    )
    .await;
    assert_eq!(list.body["items"], json!([]));
    // The enumerations are listed with their labels.
    let enums = req(&app, Method::GET, "/api/v1/meta/enums").send().await;
    assert_eq!(enums.body["enums"]["dimension"]["discipline"], "工作纪律");
    assert_eq!(
        enums.body["enums"]["attendance_status"]["business_trip"],
        "出差"
    );
    assert_eq!(enums.body["enums"]["grade"]["excellent"], "优秀");
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

/// November 2026 at the hall. Cases (promised 3 working days): at window 01, four received
/// on Mon 2 Nov — one decided Wed 4 (on time, due Thu 5), one decided Mon 9 (late), one
/// refused, one open; at window 02 one received and accepted, still open. Attendance: c1
/// present on 2 and late on 3 at 01; c3 on leave on 2 at 02, covered by c4. Scores: 01 →
/// 102 on 2 Nov; 02 → 97. So 01: received 4, accepted 3, completed 2, on time 1 (50%), rank
/// 1; 02: received 1, accepted 1, completed 0, rank 2; totals: received 5, accepted 4,
/// completed 2, average (102 + 97) / 2 = 99.5. Red flag: 01.
#[actix_web::test]
async fn the_monthly_bulletin_counts_cases_attendance_and_scores_per_window() {
    let clock = Arc::new(FixedClock::new(at("2026-11-02")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let h = hall(&app).await;
    let [w1, w2, _] = &h.w;
    let [c1, _, c3, c4] = &h.c;
    create_user(&app, &h.admin, "reviewer.a", "reviewer", &h.tree.county_a).await;
    let r = req(&app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "li.na", "password": PASSWORD, "display_name": "李娜",
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let org_admin = login(&app, "admin.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    let mut matters = Vec::new();
    for (code, name, w) in [("B1", "食品经营许可", w1), ("B2", "社会团体登记", w2)] {
        let id = post(
            &app,
            &org_admin,
            "/api/v1/service-matters",
            matter_body(&h.tree.county_a, code, name, w),
        )
        .await
        .id();
        for (token, action) in [(&org_admin, "submit"), (&reviewer, "publish")] {
            let r = post(
                &app,
                token,
                &format!("/api/v1/service-matters/{id}/{action}"),
                json!({}),
            )
            .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        matters.push(id);
    }
    let applicant = login(&app, "li.na", PASSWORD).await;
    let mut ids = Vec::new();
    for m in [
        &matters[0],
        &matters[0],
        &matters[0],
        &matters[0],
        &matters[1],
    ] {
        let r = post(
            &app,
            &applicant,
            "/api/v1/cases",
            json!({"matter_ids": [m], "channel": "web"}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.id());
    }
    let clerk = login(&app, "clerk1", PASSWORD).await;
    let act = |token: String, id: String, action: &'static str, body: Value| {
        let app = &app;
        async move {
            let r = post(app, &token, &format!("/api/v1/cases/{id}/{action}"), body).await;
            assert_eq!(r.status, 200, "{action}: {:?}", r.body);
            r
        }
    };
    for i in [0, 1, 3, 4] {
        let r = act(clerk.clone(), ids[i].clone(), "accept", json!({})).await;
        assert_eq!(r.body["clock"]["due_date"], "2026-11-05");
    }
    act(
        clerk.clone(),
        ids[2].clone(),
        "refuse",
        json!({"reason": "不属于本机关职权范围"}),
    )
    .await;
    let sup = login(&app, "sup.a", PASSWORD).await;
    for body in [
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-02", "status": "present"}),
        json!({"window_id": w2, "user_id": c3, "day": "2026-11-02", "status": "leave",
            "covered_by": c4}),
    ] {
        assert_eq!(
            post(&app, &sup, "/api/v1/attendance", body).await.status,
            201
        );
    }
    let hall_id = h.tree.hall_a.as_str();
    for body in [
        window(hall_id, w1, "2026-11-02", &[("attitude", 2, "群众点赞")]),
        window(
            hall_id,
            w2,
            "2026-11-02",
            &[("handling", -3, "材料审核不细致")],
        ),
    ] {
        assert_eq!(
            post(&app, &sup, "/api/v1/assessments", body).await.status,
            201
        );
    }
    clock.set(at("2026-11-03"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let r = post(
        &app,
        &sup,
        "/api/v1/attendance",
        json!({"window_id": w1, "user_id": c1, "day": "2026-11-03", "status": "late"}),
    )
    .await;
    assert_eq!(r.status, 201);
    clock.set(at("2026-11-04"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    act(
        reviewer,
        ids[0].clone(),
        "decide",
        json!({"decision": "approved", "result_number": "J1"}),
    )
    .await;
    clock.set(at("2026-11-09"));
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    act(
        reviewer,
        ids[1].clone(),
        "decide",
        json!({"decision": "approved", "result_number": "J2"}),
    )
    .await;
    clock.set(at("2026-12-01"));
    let sup = login(&app, "sup.a", PASSWORD).await;

    let b = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-11?hall={hall_id}"),
    )
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    let body = &b.body;
    assert_eq!(body["month"], "2026-11");
    assert_eq!(
        (&body["from"], &body["to"]),
        (&json!("2026-11-01"), &json!("2026-11-30"))
    );
    let first = &body["windows"][0];
    assert_eq!(first["number"], "01");
    assert_eq!(
        first["cases"],
        json!({"received": 4, "accepted": 3, "completed": 2, "completed_on_time": 1,
            "on_time_rate": 0.5})
    );
    assert_eq!(
        (
            &first["attendance"]["present"],
            &first["attendance"]["late"]
        ),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        first["assessment"],
        json!({"days_assessed": 1, "average_score": 102.0, "rank": 1})
    );
    let second = &body["windows"][1];
    assert_eq!(second["number"], "02");
    assert_eq!(
        second["cases"],
        json!({"received": 1, "accepted": 1, "completed": 0, "completed_on_time": 0,
            "on_time_rate": null})
    );
    assert_eq!(second["attendance"]["leave"], 1);
    assert_eq!(second["attendance"]["uncovered"], 0);
    assert_eq!(second["assessment"]["rank"], 2);
    let third = &body["windows"][2];
    assert_eq!(third["number"], "03");
    assert!(third["assessment"]["rank"].is_null());
    assert_eq!(third["cases"]["received"], 0);
    let totals = &body["totals"];
    assert_eq!(
        totals["cases"],
        json!({"received": 5, "accepted": 4, "completed": 2, "completed_on_time": 1,
            "on_time_rate": 0.5})
    );
    assert_eq!(
        (
            &totals["attendance"]["present"],
            &totals["attendance"]["late"],
            &totals["attendance"]["leave"]
        ),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(
        (&totals["days_assessed"], &totals["average_score"]),
        (&json!(2), &json!(99.5))
    );
    assert_eq!(
        body["selection"]["red_flag_windows"][0]["subject_id"],
        w1.as_str()
    );
    assert_eq!(body["selection"]["service_stars"], json!([]));

    let md = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-11?hall={hall_id}&format=markdown"),
    )
    .await;
    assert_eq!(md.status, 200);
    assert!(
        md.header("content-type")
            .is_some_and(|c| c.starts_with("text/markdown"))
    );
    let text = md.body.as_str().unwrap_or_default();
    assert!(
        text.starts_with("# 历下区政务服务中心工作动态简报"),
        "{text}"
    );
    assert!(
        text.contains("本月全厅共受理办件5件，办结2件，其中按时办结1件，按时办结率50.0%"),
        "{text}"
    );
    assert!(
        text.contains(
            "| 1 | 01 综合受理窗口 | 4 | 2 | 50.0% | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 102.00 |"
        ),
        "{text}"
    );
    assert!(
        text.contains("红旗窗口推荐：01 综合受理窗口（平均得分102.00）"),
        "{text}"
    );

    // October: nothing yet. A month that is not one is named.
    let oct = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-10?hall={hall_id}"),
    )
    .await;
    assert_eq!(oct.body["totals"]["cases"]["received"], 0);
    let bad = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/2026-13?hall={hall_id}"),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.pointers(), vec!["/month"]);
}

/// County A, 2026, evaluated on Wed 1 Jul: an item formed Mon 4 May (due Mon 1 Jun, 20
/// working days) never published, another published on Wed 3 Jun (late); an application
/// received Mon 1 Jun (due Mon 29 Jun) replied on Tue 30 Jun (late); two topic requests
/// forwarded to the hall on Mon 1 Jun with 5 working days (due Mon 8 Jun): one unanswered,
/// one answered on Thu 4 Jun (3 days).
#[actix_web::test]
async fn the_disclosure_assessment_finds_overdue_items_late_replies_and_unanswered_requests() {
    let clock = Arc::new(FixedClock::new(at("2026-06-01")));
    let t = TestApp::with_clock(clock.clone()).await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let tree = build_tree(&app, &admin).await;
    create_user(
        &app,
        &admin,
        "officer.a",
        "disclosure_officer",
        &tree.county_a,
    )
    .await;
    create_user(&app, &admin, "reviewer.a", "reviewer", &tree.county_a).await;
    create_user(&app, &admin, "sup.a", "supervisor", &tree.county_a).await;
    let r = req(&app, Method::POST, "/api/v1/auth/register")
        .json(
            json!({"username": "li.na", "password": PASSWORD, "display_name": "李娜",
            "applicant_type": "natural_person"}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    let officer = login(&app, "officer.a", PASSWORD).await;
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
    let category = cats.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["code"] == "01"))
        .and_then(|c| c["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let mut items = Vec::new();
    for title in [
        "关于印发历下区政务公开工作要点的通知",
        "历下区2026年重点民生实事项目",
    ] {
        let r = post(
            &app,
            &officer,
            "/api/v1/disclosures",
            json!({"organization_id": tree.county_a, "category_id": category,
                "title": title, "summary": format!("{title}的摘要"), "content": "正文。",
                "formed_on": "2026-05-04", "subject_terms": ["政务公开"], "channels": ["portal"]}),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["publish_due"], "2026-06-01");
        items.push(r.id());
    }
    // The application.
    let applicant = login(&app, "li.na", PASSWORD).await;
    let app_r = post(
        &app,
        &applicant,
        "/api/v1/disclosure-requests",
        json!({"organization_id": tree.county_a, "description": "2025年老旧小区改造资金使用明细",
            "requested_form": "electronic", "delivery_method": "email", "channel": "online",
            "contact": {"email": "li.na@example.com"}}),
    )
    .await;
    assert_eq!(app_r.status, 201, "{:?}", app_r.body);
    // Two topic requests, forwarded to the hall.
    let mut messages = Vec::new();
    for subject in ["公开政务大厅窗口考核结果", "公开大厅延时服务安排"] {
        let m = req(&app, Method::POST, "/api/v1/public-messages")
            .json(
                json!({"kind": "topic_request", "organization_id": tree.county_a,
                "subject": subject, "text": "希望公开。", "contact": {"phone": "13812345678"}}),
            )
            .send()
            .await;
        assert_eq!(m.status, 201, "{:?}", m.body);
        let f = post(
            &app,
            &officer,
            &format!("/api/v1/public-messages/{}/forward", m.id()),
            json!({"organization_id": tree.hall_a, "working_days": 5}),
        )
        .await;
        assert_eq!(f.status, 200, "{:?}", f.body);
        assert_eq!(f.body["feedback_due"], "2026-06-08");
        messages.push(m.id());
    }
    // Wed 3 Jun: the second item is published, late.
    clock.set(at("2026-06-03"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let reviewer = login(&app, "reviewer.a", PASSWORD).await;
    for (token, action) in [
        (&officer, "submit"),
        (&reviewer, "approve"),
        (&officer, "publish"),
    ] {
        let r = post(
            &app,
            token,
            &format!("/api/v1/disclosures/{}/{action}", items[1]),
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{action}: {:?}", r.body);
    }
    // Thu 4 Jun: one request answered.
    clock.set(at("2026-06-04"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let a = post(
        &app,
        &officer,
        &format!("/api/v1/public-messages/{}/answer", messages[1]),
        json!({"answer_kind": "replied", "answer": "大厅工作日延时至19:00。"}),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    // Tue 30 Jun: the reply, a day late.
    clock.set(at("2026-06-30"));
    let officer = login(&app, "officer.a", PASSWORD).await;
    let r = post(
        &app,
        &officer,
        &format!("/api/v1/disclosure-requests/{}/reply", app_r.id()),
        json!({"reply_type": "unable_not_held", "text": "本机关不掌握该信息。",
            "responsible_agency": "历下区住房和城乡建设局"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["reply"]["late"], true);

    clock.set(at("2026-07-01"));
    let sup = login(&app, "sup.a", PASSWORD).await;
    let d = get(
        &app,
        &sup,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
            tree.county_a
        ),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["as_of"], "2026-07-01");
    let orgs = d.body["organizations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(orgs.len(), 2, "the county and its hall");
    let of = |id: &str| {
        orgs.iter()
            .find(|o| o["organization_id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    let county = of(&tree.county_a);
    assert_eq!(
        (
            &county["overdue_unpublished"],
            &county["published_late"],
            &county["late_replies"],
            &county["unanswered_past_due"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0))
    );
    let hall = of(&tree.hall_a);
    assert_eq!(hall["kind"], "hall");
    assert_eq!(
        (
            &hall["unanswered_past_due"],
            &hall["answered_messages"],
            &hall["mean_response_days"]
        ),
        (&json!(1), &json!(1), &json!(3.0))
    );
    assert_eq!(
        d.body["totals"],
        json!({"overdue_unpublished": 1, "published_late": 1, "late_replies": 1,
            "unanswered_past_due": 1, "answered_messages": 1, "mean_response_days": 3.0})
    );
    // The city sees its whole tree.
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    let city = get(
        &app,
        &admin,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2026",
            tree.city
        ),
    )
    .await;
    assert_eq!(city.body["totals"]["overdue_unpublished"], 1);
    assert_eq!(city.body["organizations"].as_array().map(Vec::len), Some(5));
    let future = get(
        &app,
        &sup,
        &format!(
            "/api/v1/supervision/disclosure-assessment?org={}&year=2027",
            tree.county_a
        ),
    )
    .await;
    assert_eq!(future.status, 422);
    assert_eq!(future.pointers(), vec!["?year"]);
}

#[actix_web::test]
async fn the_demo_month_has_a_bulletin_worth_reading() {
    let t = TestApp::start().await;
    zhengwu_api::demo::load(&t.state.config)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let app = app!(t);
    let sup = login(&app, "city.supervisor", zhengwu_api::demo::DEMO_PASSWORD).await;
    let halls = get(&app, &sup, "/api/v1/organizations?kind=hall&level=city").await;
    let hall = halls.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == "济南市政务服务中心"))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset"));
    let today = chrono::Utc::now().with_timezone(&shanghai).date_naive();
    let month = today.format("%Y-%m").to_string();
    let b = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/{month}?hall={hall}"),
    )
    .await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    let windows = b.body["windows"].as_array().cloned().unwrap_or_default();
    assert_eq!(windows.len(), 3);
    // The demo cases, one in every state, were taken in today at window A01.
    let a01 = windows
        .iter()
        .find(|w| w["number"] == "A01")
        .cloned()
        .unwrap_or_default();
    // Supervision's demo cases were taken in at the same window over the last nine working
    // days, some perhaps last month.
    let count = |k: &str| a01["cases"][k].as_u64().unwrap_or(0);
    assert!((7..=11).contains(&count("received")), "{a01}");
    assert!((4..=6).contains(&count("accepted")), "{a01}");
    assert_eq!(count("completed"), 2);
    // Thirty days of assessments up to today: this month and the one before hold them.
    let first = today.with_day(1).unwrap_or(today);
    let before = first.pred_opt().unwrap_or(first);
    let mut days = 0;
    let mut ranked = 0;
    for date in [today, before] {
        let s = get(
            &app,
            &sup,
            &format!("/api/v1/assessments/summary?period=month&date={date}&hall={hall}"),
        )
        .await;
        assert_eq!(s.status, 200);
        for w in s.body["windows"].as_array().cloned().unwrap_or_default() {
            days += w["days_assessed"].as_u64().unwrap_or_default();
            ranked += u64::from(w["rank"].is_number());
        }
        assert_eq!(s.body["staff"].as_array().map(Vec::len), Some(3));
    }
    // Any 30 days hold at least 14 working days, even across the National Day holiday.
    assert!(days >= 3 * 14, "3 windows a working day: {days}");
    assert!(ranked >= 3);
    let md = get(
        &app,
        &sup,
        &format!("/api/v1/bulletins/{month}?hall={hall}&format=markdown"),
    )
    .await;
    assert!(
        md.body
            .as_str()
            .is_some_and(|t| t.contains("# 济南市政务服务中心工作动态简报"))
    );
}
