//! The stored obligations against the recomputation: the alert list served from the stored
//! rows (and the summary counted from them) equals the alerts recomputed from the records,
//! on several days, through random pauses, resumptions, extensions, acceptances, calendar
//! changes and rule changes on the demo city, before and after the refresher runs.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Value, json};
use zhengwu_api::alerts::{self, obligations};
use zhengwu_api::clock::FixedClock;
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::supervision::AlertObject;
use zhengwu_persistence::calendar;
use zhengwu_persistence::scope::Scope;
use zhengwu_tests::*;

/// What an alert says, without the names the list adds.
fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("organization_name");
        o.remove("responsible_name");
    }
    v
}

/// Every page of the stored alert list of a day.
async fn served<S, B>(app: &S, token: &str, as_of: NaiveDate) -> Vec<Value>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/supervision/alerts?as_of={as_of}&limit=7");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = req(app, Method::GET, &path).token(token).send().await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    out.into_iter().map(comparable).collect()
}

/// Compares the list and the summary with the recomputation on each day.
async fn check<S, B>(
    t: &TestApp,
    app: &S,
    token: &str,
    city: &Scope,
    days: &[NaiveDate],
    what: &str,
) where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let tz = t.state.config.timezone.name();
    for as_of in days {
        let list = served(app, token, *as_of).await;
        let mut conn = t.state.conn().await.unwrap_or_else(|e| panic!("{e:?}"));
        let cal = calendar::published(&conn)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        let expected: Vec<Value> =
            alerts::compute_alerts(&mut conn, city, AlertObject::ALL, None, *as_of, tz, &cal)
                .await
                .unwrap_or_else(|e| panic!("{e:?}"))
                .into_iter()
                .map(|a| comparable(serde_json::to_value(a).unwrap_or_default()))
                .collect();
        assert_eq!(list.len(), expected.len(), "{what}, as of {as_of}");
        for (got, want) in list.iter().zip(&expected) {
            assert_eq!(got, want, "{what}, as of {as_of}");
        }
        let summary = req(
            app,
            Method::GET,
            &format!("/api/v1/supervision/alerts/summary?as_of={as_of}"),
        )
        .token(token)
        .send()
        .await;
        assert_eq!(summary.status, 200, "{:?}", summary.body);
        let count = |level: &str| list.iter().filter(|a| a["level"] == level).count();
        assert_eq!(summary.body["red"], count("red"), "{what}, as of {as_of}");
        assert_eq!(
            summary.body["yellow"],
            count("yellow"),
            "{what}, as of {as_of}"
        );
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for a in &list {
            *by_kind
                .entry(a["object_kind"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
        let summed: BTreeMap<String, u64> = summary.body["by_kind"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| {
                let n = k["red"].as_u64().unwrap_or(0) + k["yellow"].as_u64().unwrap_or(0);
                (k["kind"].as_str().unwrap_or_default().to_owned(), n)
            })
            .collect();
        assert_eq!(summed, by_kind, "{what}, as of {as_of}");
    }
}

/// The case list shows the due dates the cases store, and on the clock's day each case
/// with an alert shows the alert's due date and working days left.
async fn case_list_agrees<S, B>(t: &TestApp, app: &S, token: &str, what: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let today = t.state.today();
    let alerts: BTreeMap<String, Value> = served(app, token, today)
        .await
        .into_iter()
        .filter(|a| a["object_kind"] == "case" && a["stage"] == 0)
        .map(|a| (a["object_id"].as_str().unwrap_or_default().to_owned(), a))
        .collect();
    let stored: BTreeMap<String, String> =
        t.db.texts(
            "SELECT id::text || ' ' || coalesce(due_date::text, '-') AS t FROM cases
              WHERE state = 'accepted'",
        )
        .into_iter()
        .filter_map(|l| l.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
        .collect();
    let (mut listed, mut with_alert) = (0, 0);
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/cases?state=accepted&include_sub=true&limit=50".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = req(app, Method::GET, &path).token(token).send().await;
        assert_eq!(r.status, 200, "{what}: {:?}", r.body);
        for c in r.body["items"].as_array().into_iter().flatten() {
            let id = c["id"].as_str().unwrap_or_default();
            let due = c["clock"]["due_date"].as_str().unwrap_or("-");
            assert_eq!(
                Some(due),
                stored.get(id).map(String::as_str),
                "{what}: case {id}"
            );
            listed += 1;
            if let Some(a) = alerts.get(id) {
                assert_eq!(c["clock"]["due_date"], a["due_date"], "{what}: case {id}");
                assert_eq!(
                    c["clock"]["working_days_left"], a["working_days_left"],
                    "{what}: case {id}"
                );
                with_alert += 1;
            }
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(listed, stored.len(), "{what}: every accepted case listed");
    assert!(with_alert > 0 || alerts.is_empty(), "{what}: {alerts:?}");
}

/// Runs the refresher until nothing is queued (one started in the background by a change
/// of the calendar or the rules may hold the refresher's lock for a while).
async fn refresh(t: &TestApp) {
    let mut conn = t.state.conn().await.unwrap_or_else(|e| panic!("{e:?}"));
    let tz = t.state.config.timezone.name();
    for _ in 0..10_000 {
        let done = obligations::refresh(&mut conn, 50, t.state.today(), tz)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        if !done.busy {
            assert_eq!(
                t.db.numbers("SELECT count(*) AS n FROM obligation_queue"),
                vec![0],
                "the refresher leaves nothing queued"
            );
            return;
        }
        actix_web::rt::task::yield_now().await;
    }
    panic!("the refresher stayed busy");
}

#[actix_web::test]
async fn stored_alerts_equal_the_recomputation_through_pauses_extensions_calendars_and_rules() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-16T02:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    let clock = Arc::new(FixedClock::new(now));
    let t = TestApp::with_demo(clock.clone()).await;
    let app = test::init_service(zhengwu_api::app(t.state.clone())).await;
    let pw = zhengwu_api::demo::DEMO_PASSWORD;
    let sup = login(&app, "city.supervisor", pw).await;
    let city_path = t.db.texts(
        "SELECT o.path AS t FROM users u JOIN organizations o ON o.id = u.organization_id
          WHERE u.username = 'city.supervisor'",
    );
    let city = Scope::Subtree(OrgPath::from_stored(city_path[0].clone()));
    let city_id = t
        .db
        .texts("SELECT organization_id::text AS t FROM users WHERE username = 'city.supervisor'")
        [0]
    .clone();
    let today = t.state.today();
    let days: Vec<NaiveDate> = [0u64, 4, 9, 25, 60]
        .iter()
        .map(|d| today - Days::new(5) + Days::new(*d))
        .collect();

    // The demo's writes and calendars are queued: answered from the records meanwhile.
    check(&t, &app, &sup, &city, &days, "before the first refresh").await;
    refresh(&t).await;
    assert!(
        t.db.numbers("SELECT count(*) AS n FROM obligations WHERE closed_on IS NULL")[0] > 10,
        "the demo has running deadlines"
    );
    check(&t, &app, &sup, &city, &days, "stored").await;

    let mut rng = Lcg(20_261_116);
    let mut done: BTreeMap<&str, usize> = BTreeMap::new();
    for round in 0..6 {
        // Signed in again each round: the clock moves on.
        let sup = login(&app, "city.supervisor", pw).await;
        let clerk = login(&app, "city.clerk.a", pw).await;
        let reviewer = login(&app, "city.reviewer", pw).await;
        let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
        for _ in 0..6 {
            let op = rng.next(6);
            let cases = |state: &str| {
                t.db.texts(&format!(
                    "SELECT id::text AS t FROM cases WHERE state = '{state}' AND matter_id IS NOT
                     NULL ORDER BY number"
                ))
            };
            let ok = match op {
                0..=3 => {
                    let (state, action) = [
                        ("accepted", "suspend"),
                        ("suspended", "resume"),
                        ("accepted", "extend"),
                        ("submitted", "accept"),
                    ][op];
                    let c = cases(state);
                    let Some(id) = c.get(rng.next(c.len())) else {
                        continue;
                    };
                    let (who, body) = match action {
                        "suspend" => {
                            let end = today + Days::new(3 + rng.next(10) as u64);
                            let body = json!({"procedure": "expert_review",
                                "reason": "组织专家评审", "expected_end": end});
                            (&clerk, body)
                        }
                        "extend" => {
                            let days = 1 + rng.next(5);
                            (
                                &reviewer,
                                json!({"working_days": days, "reason": "情况复杂，需延长"}),
                            )
                        }
                        _ => (&clerk, json!({})),
                    };
                    (action, services::act(&app, who, id, action, body).await)
                }
                4 => {
                    // A working day within the next weeks becomes a holiday.
                    let year = today.year();
                    let got = req(&app, Method::GET, &format!("/api/v1/calendars/{year}"))
                        .send()
                        .await;
                    let mut holidays: Vec<Value> =
                        got.body["holidays"].as_array().cloned().unwrap_or_default();
                    // A year without a schedule yet starts from none.
                    let adjusted = match &got.body["adjusted_working_days"] {
                        Value::Array(a) => Value::Array(a.clone()),
                        _ => json!([]),
                    };
                    let day = today + Days::new(1 + rng.next(20) as u64);
                    if day.year() != year || day.weekday().number_from_monday() > 5 {
                        continue;
                    }
                    holidays.push(json!(day));
                    let mut r = req(&app, Method::PUT, &format!("/api/v1/calendars/{year}"))
                        .token(&admin)
                        .json(json!({"holidays": holidays, "adjusted_working_days": adjusted}));
                    if let Some(etag) = got.header("etag") {
                        r = r.header("If-Match", &etag);
                    }
                    ("calendar", r.send().await)
                }
                _ => {
                    let path = format!("/api/v1/supervision/rules?org={city_id}");
                    let got = req(&app, Method::GET, &path).token(&sup).send().await;
                    let mut rules = got.body["rules"].clone();
                    rules["yellow_days_left"] = json!(rng.next(4));
                    rules["yellow_percent_used"] = json!([50, 80, 100][rng.next(3)]);
                    rules["disabled_rules"] = match rng.next(3) {
                        0 => json!(["JC-A01"]),
                        1 => json!(["JC-A03", "JC-A09"]),
                        _ => json!([]),
                    };
                    let mut r = req(&app, Method::PUT, &path).token(&sup).json(rules);
                    if let Some(v) = got.body["version"].as_i64() {
                        r = r.header("If-Match", &format!("\"{v}\""));
                    }
                    ("rules", r.send().await)
                }
            };
            let (name, r) = ok;
            assert!(r.status < 500, "{name}: {:?}", r.body);
            if r.status == 200 {
                *done.entry(name).or_default() += 1;
            }
        }
        check(
            &t,
            &app,
            &sup,
            &city,
            &days,
            &format!("round {round}, queued"),
        )
        .await;
        refresh(&t).await;
        check(
            &t,
            &app,
            &sup,
            &city,
            &days,
            &format!("round {round}, refreshed"),
        )
        .await;
        case_list_agrees(&t, &app, &sup, &format!("round {round}")).await;
        // A change outside the server's use cases (an import, a repair by hand) is queued
        // by the database and not settled: readers take those objects from the records.
        let accepted = t.db.texts(
            "SELECT id::text AS t FROM cases WHERE state = 'accepted' AND due_date IS NOT NULL
              ORDER BY number",
        );
        if let Some(id) = accepted.get(rng.next(accepted.len())) {
            let by = 1 + rng.next(4);
            t.db.execute(&format!(
                "UPDATE cases SET due_date = due_date - {by} WHERE id = '{id}'"
            ));
            let queued =
                t.db.numbers("SELECT count(*) AS n FROM obligation_queue WHERE path IS NULL");
            assert!(queued[0] > 0, "the change is queued");
            check(
                &t,
                &app,
                &sup,
                &city,
                &days,
                &format!("round {round}, by hand"),
            )
            .await;
            refresh(&t).await;
        }

        clock.advance(chrono::Duration::days(1 + rng.next(3) as i64));
    }
    for op in ["suspend", "resume", "extend", "accept", "calendar", "rules"] {
        assert!(
            done.get(op).copied().unwrap_or(0) > 0,
            "no {op} went through: {done:?}"
        );
    }
}
