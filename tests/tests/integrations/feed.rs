//! The change feed: CloudEvents in order, a cursor that resumes, filters, and scope.

use super::*;

#[actix_web::test]
async fn a_case_reports_its_changes_as_cloud_events_in_order() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let (_, start) = all_events(&app, &w.admin, "").await;
    let id = window_case(&t, &app, &w).await;
    accept(&app, &w, &id).await;
    let subject = format!("cases/{id}");

    let (events, end) = all_events(&app, w.token("city.supervisor"), "").await;
    assert_eq!(
        types_of(&events, &subject),
        ["zhengwu.case.received.v1", "zhengwu.case.accepted.v1"]
    );
    let accepted = events
        .iter()
        .rfind(|e| e["subject"] == subject.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(accepted["specversion"], "1.0");
    assert_eq!(accepted["datacontenttype"], "application/json");
    let city = org(&t, "济南市政务服务中心");
    let handling = accepted["data"]["organization_id"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        accepted["source"],
        format!("/api/v1/organizations/{handling}")
    );
    assert_eq!(accepted["data"]["case_id"], id.as_str());
    assert_eq!(accepted["data"]["state"], "accepted");
    assert!(accepted["data"]["due_date"].is_string(), "{accepted}");
    // No personal data: the applicant's name is nowhere in the event.
    assert!(
        !accepted.to_string().contains("济南某某建设有限公司"),
        "{accepted}"
    );
    assert!(uuid::Uuid::parse_str(accepted["id"].as_str().unwrap_or_default()).is_ok());
    let _ = city;

    // Resuming from a cursor gives only what came after it, once.
    let (after_start, _) = {
        let q = format!("&after={start}");
        all_events(&app, &w.admin, &q).await
    };
    assert_eq!(types_of(&after_start, &subject).len(), 2);
    let (nothing_new, same) = all_events(&app, &w.admin, &format!("&after={end}")).await;
    assert!(nothing_new.is_empty(), "{nothing_new:?}");
    assert_eq!(same, end, "an empty answer keeps the cursor");

    // Filter by type.
    let (only, _) = all_events(&app, &w.admin, "&type=zhengwu.case.accepted.v1").await;
    assert!(!only.is_empty());
    assert!(only.iter().all(|e| e["type"] == "zhengwu.case.accepted.v1"));
}

#[actix_web::test]
async fn the_feed_shows_each_reader_only_their_scope() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let id = window_case(&t, &app, &w).await;
    accept(&app, &w, &id).await;
    let subject = format!("cases/{id}");
    // The city's staff see it; a district's do not.
    let (city_view, _) = all_events(&app, w.token("city.supervisor"), "").await;
    assert_eq!(types_of(&city_view, &subject).len(), 2);
    let (district, _) = all_events(&app, w.token("lixia.admin"), "").await;
    assert!(types_of(&district, &subject).is_empty());
    // An applicant sees the events of their own objects only: not this company's case.
    let (mine, _) = all_events(&app, w.token("zhang.san"), "").await;
    assert!(types_of(&mine, &subject).is_empty());
    assert!(mine.iter().all(|e| e["data"]["case_id"] != id.as_str()));
    // Nobody anonymous.
    let r = req(&app, Method::GET, "/api/v1/events").send().await;
    assert_eq!(r.status, 401);
}

#[actix_web::test]
async fn bad_cursors_types_and_limits_are_refused_by_name() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let admin = login(&app, ADMIN, ADMIN_PASSWORD).await;
    for (q, pointer) in [
        ("after=bm90LWEtY3Vyc29y", "?after"),
        ("after=%%%", "?after"),
        ("type=zhengwu.case.nothing.v1", "?type"),
        ("limit=0", "?limit"),
        ("limit=501", "?limit"),
    ] {
        let r = req(&app, Method::GET, &format!("/api/v1/events?{q}"))
            .token(&admin)
            .send()
            .await;
        assert!(r.status == 400 || r.status == 422, "{q}: {}", r.status);
        assert_eq!(r.pointers(), [pointer], "{q}: {:?}", r.body);
    }
}

#[actix_web::test]
async fn an_event_still_to_commit_is_not_passed_by_the_cursor() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let (_, start) = all_events(&app, &w.admin, "").await;
    // A transaction writes an event and stays open; a later one writes and commits.
    let url = t.db.url.clone();
    let org = org(&t, "济南市政务服务中心");
    let path = one(
        &t,
        &format!("SELECT path AS t FROM organizations WHERE id = '{org}'"),
    );
    use diesel_async::{AnsiTransactionManager, AsyncConnection, TransactionManager};
    let connect = || zhengwu_persistence::Conn::establish(&url);
    let mut open = connect().await.unwrap_or_else(|e| panic!("{e}"));
    AnsiTransactionManager::begin_transaction(&mut open)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let event = |subject: &str| zhengwu_persistence::outbox::NewEvent {
        id: uuid::Uuid::now_v7(),
        event_type: "zhengwu.case.accepted.v1",
        subject: subject.to_owned(),
        organization_id: uuid::Uuid::parse_str(&org).unwrap_or_default(),
        org_path: path.clone(),
        owner_id: None,
        occurred_at: at("2026-12-01"),
        data: json!({}),
    };
    zhengwu_persistence::outbox::append(&mut open, event("cases/early"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut other = connect().await.unwrap_or_else(|e| panic!("{e}"));
    other
        .transaction::<_, zhengwu_persistence::DbError, _>(async |c| {
            zhengwu_persistence::outbox::append(c, event("cases/late")).await
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The committed event is shown; the one still to commit is not, and is not passed.
    let (seen, cursor) = all_events(&app, &w.admin, &format!("&after={start}")).await;
    let subjects: Vec<&str> = seen.iter().filter_map(|e| e["subject"].as_str()).collect();
    assert_eq!(subjects, ["cases/late"]);
    AnsiTransactionManager::commit_transaction(&mut open)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (seen, _) = all_events(&app, &w.admin, &format!("&after={cursor}")).await;
    let subjects: Vec<&str> = seen.iter().filter_map(|e| e["subject"].as_str()).collect();
    assert_eq!(subjects, ["cases/early"]);
}
