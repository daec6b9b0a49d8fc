//! Webhook subscriptions and deliveries per Standard Webhooks, to a real receiver.

use zhengwu_api::webhooks::deliver::run_once;
use zhengwu_api::webhooks::send::sign;

use super::*;

const CASE_TYPES: [&str; 2] = ["zhengwu.case.received.v1", "zhengwu.case.accepted.v1"];

/// Subscribes the receiver to the city's case events as `city.admin`: `(id, secret)`.
async fn subscribe<S, B>(app: &S, w: &World, rx: &Receiver) -> (String, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/webhooks")
        .token(w.token("city.admin"))
        .json(json!({"url": rx.url, "event_types": CASE_TYPES, "description": "省平台"}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let secret = r.body["secret"].as_str().unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(r.body["active"], true);
    (r.id(), secret)
}

async fn round(t: &TestApp) -> zhengwu_api::webhooks::deliver::Round {
    run_once(&t.state)
        .await
        .unwrap_or_else(|e| panic!("deliveries: {e:?}"))
}

async fn log<S, B>(app: &S, w: &World, id: &str) -> Vec<Value>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(
        app,
        Method::GET,
        &format!("/api/v1/webhooks/{id}/deliveries"),
    )
    .token(w.token("city.admin"))
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn webhook<S, B>(app: &S, w: &World, id: &str) -> Resp
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    req(app, Method::GET, &format!("/api/v1/webhooks/{id}"))
        .token(w.token("city.admin"))
        .send()
        .await
}

#[actix_web::test]
async fn a_subscription_receives_signed_cloud_events_in_order() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, secret) = subscribe(&app, &w, &rx).await;
    let case = window_case(&t, &app, &w).await;
    accept(&app, &w, &case).await;
    let r = round(&t).await;
    assert_eq!((r.attempts, r.delivered), (2, 2), "{r:?}");
    let got = rx.received();
    assert_eq!(got.len(), 2);
    let ts = at("2026-12-01").timestamp().to_string();
    for (g, ty) in got.iter().zip(CASE_TYPES) {
        assert!(
            g.head.starts_with("POST /hooks/zhengwu HTTP/1.1"),
            "{}",
            g.head
        );
        let body = g.json();
        assert_eq!(body["type"], ty);
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["subject"], format!("cases/{case}"));
        let id = g.header("webhook-id").unwrap_or_default();
        assert_eq!(body["id"], id.as_str());
        assert_eq!(g.header("webhook-timestamp").as_deref(), Some(ts.as_str()));
        let expected = sign(&secret, &id, at("2026-12-01").timestamp(), &g.body);
        assert_eq!(g.header("webhook-signature"), expected);
        assert_eq!(
            g.header("content-type").as_deref(),
            Some("application/json")
        );
    }
    // Nothing is sent twice.
    assert_eq!(round(&t).await.attempts, 0);
    assert_eq!(rx.received().len(), 2);
    let entries = log(&app, &w, &hook).await;
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e["delivered"], true);
        assert_eq!(e["attempts"], 1);
        assert_eq!(e["log"][0]["status_code"], 204);
        assert_eq!(e["log"][0]["trigger"], "scheduled");
        assert!(e["next_attempt_at"].is_null());
    }
    // Events of other types, or before the subscription, are not sent.
    let first = rx.received()[0].json();
    assert_eq!(first["data"]["state"], "submitted");
}

#[actix_web::test]
async fn failures_back_off_in_subject_order_and_a_gone_receiver_disables_the_subscription() {
    let (t, clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &w, &rx).await;
    rx.answer(&[ERROR_500, REDIRECT_301]);
    let case = window_case(&t, &app, &w).await;
    accept(&app, &w, &case).await;

    // The first event fails; the second waits behind it (same subject).
    round(&t).await;
    assert_eq!(rx.received().len(), 1);
    let entries = log(&app, &w, &hook).await;
    let received = entries
        .iter()
        .find(|e| e["event_type"] == CASE_TYPES[0])
        .cloned()
        .unwrap_or_default();
    assert_eq!(received["delivered"], false);
    assert_eq!(received["log"][0]["status_code"], 500);
    assert!(received["next_attempt_at"].is_string());
    // Not again before the back-off has passed.
    assert_eq!(round(&t).await.attempts, 0);
    assert_eq!(webhook(&app, &w, &hook).await.body["failures"], 1);

    // A redirect is a failure too, and is not followed.
    clock.advance(chrono::Duration::seconds(6));
    round(&t).await;
    assert_eq!(rx.received().len(), 2);
    assert_eq!(webhook(&app, &w, &hook).await.body["failures"], 2);

    // Then both go, in order, the first with the same id as before.
    clock.advance(chrono::Duration::seconds(11));
    let r = round(&t).await;
    assert_eq!(r.delivered, 2, "{r:?}");
    let got = rx.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].header("webhook-id"), got[2].header("webhook-id"));
    assert_eq!(got[2].json()["type"], CASE_TYPES[0]);
    assert_eq!(got[3].json()["type"], CASE_TYPES[1]);
    assert_eq!(webhook(&app, &w, &hook).await.body["failures"], 0);

    // 410 Gone disables at once; events wait, and go when the owner enables it again.
    rx.answer(&[GONE_410]);
    let other = window_case(&t, &app, &w).await;
    round(&t).await;
    let off = webhook(&app, &w, &hook).await;
    assert_eq!(off.body["active"], false, "{:?}", off.body);
    assert_eq!(off.body["disabled_reason"], "gone");
    accept(&app, &w, &other).await;
    clock.advance(chrono::Duration::seconds(60));
    assert_eq!(
        round(&t).await.attempts,
        0,
        "a disabled subscription gets nothing"
    );
    let etag = off.header("etag").unwrap_or_default();
    let on = req(&app, Method::PATCH, &format!("/api/v1/webhooks/{hook}"))
        .token(w.token("city.admin"))
        .header("If-Match", &etag)
        .json(json!({"active": true}))
        .send()
        .await;
    assert_eq!(on.status, 200, "{:?}", on.body);
    assert_eq!(on.body["active"], true);
    assert!(on.body["disabled_reason"].is_null());
    assert_eq!(round(&t).await.delivered, 2);
    let subjects: Vec<Value> = rx.received()[5..]
        .iter()
        .map(|g| g.json()["subject"].clone())
        .collect();
    assert_eq!(
        subjects,
        [
            json!(format!("cases/{other}")),
            json!(format!("cases/{other}"))
        ]
    );
}

#[actix_web::test]
async fn a_run_of_failures_disables_the_subscription() {
    let (t, clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &w, &rx).await;
    rx.answer(&[ERROR_500; 4]);
    window_case(&t, &app, &w).await;
    for _ in 0..4 {
        round(&t).await;
        clock.advance(chrono::Duration::seconds(60));
    }
    assert_eq!(rx.received().len(), 4);
    let off = webhook(&app, &w, &hook).await;
    assert_eq!(off.body["active"], false);
    assert_eq!(off.body["disabled_reason"], "failures");
    assert_eq!(off.body["failures"], 4);
    assert_eq!(round(&t).await.attempts, 0);
}

#[actix_web::test]
async fn a_sender_that_dies_mid_delivery_leaves_it_to_another_with_the_same_id() {
    let (t, clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &w, &rx).await;
    window_case(&t, &app, &w).await;
    // Another replica fans out and claims the delivery, then dies before sending.
    let now = at("2026-12-01");
    let mut conn = t.state.conn().await.unwrap_or_else(|e| panic!("{e:?}"));
    zhengwu_persistence::outbox::seal(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hook_id = uuid::Uuid::parse_str(&hook).unwrap_or_default();
    zhengwu_persistence::webhooks::fan_out(&mut conn, hook_id, now, 100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lease = now + chrono::Duration::seconds(60);
    let claimed = zhengwu_persistence::webhooks::claim(&mut conn, now, lease, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claimed.len(), 1);
    drop(conn);
    // Held: nobody sends it meanwhile.
    assert_eq!(round(&t).await.attempts, 0);
    assert!(rx.received().is_empty());
    // The lease runs out: sent once, with the event's id.
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(round(&t).await.delivered, 1);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].header("webhook-id"),
        Some(claimed[0].event.id.to_string())
    );

    // A manual redelivery sends it again with the same id, marked manual in the log.
    let entries = log(&app, &w, &hook).await;
    let delivery = entries[0]["id"].as_i64().unwrap_or_default();
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/webhooks/{hook}/deliveries/{delivery}/redeliver"),
    )
    .token(w.token("city.admin"))
    .send()
    .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(round(&t).await.delivered, 1);
    let got = rx.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    let entries = log(&app, &w, &hook).await;
    assert_eq!(entries[0]["attempts"], 2);
    assert_eq!(entries[0]["log"][1]["trigger"], "manual");
    let missing = req(
        &app,
        Method::POST,
        &format!("/api/v1/webhooks/{hook}/deliveries/999999/redeliver"),
    )
    .token(w.token("city.admin"))
    .send()
    .await;
    assert_eq!(missing.status, 404);
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_new_one_during_the_overlap() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, old) = subscribe(&app, &w, &rx).await;
    let etag = webhook(&app, &w, &hook)
        .await
        .header("etag")
        .unwrap_or_default();
    let stale = req(
        &app,
        Method::POST,
        &format!("/api/v1/webhooks/{hook}/rotate-secret"),
    )
    .token(w.token("city.admin"))
    .header("If-Match", "\"99\"")
    .json(json!({}))
    .send()
    .await;
    assert_eq!(stale.status, 412);
    let r = req(
        &app,
        Method::POST,
        &format!("/api/v1/webhooks/{hook}/rotate-secret"),
    )
    .token(w.token("city.admin"))
    .header("If-Match", &etag)
    .json(json!({"overlap_seconds": 3600}))
    .send()
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new = r.body["secret"].as_str().unwrap_or_default().to_owned();
    assert_ne!(new, old);
    assert!(r.body["previous_secret_expires_at"].is_string());
    window_case(&t, &app, &w).await;
    round(&t).await;
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let id = got[0].header("webhook-id").unwrap_or_default();
    let ts = at("2026-12-01").timestamp();
    let both = [
        sign(&new, &id, ts, &got[0].body),
        sign(&old, &id, ts, &got[0].body),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    assert_eq!(got[0].header("webhook-signature"), Some(both));
    // The secret is never shown again.
    let shown = webhook(&app, &w, &hook).await;
    assert!(shown.body.get("secret").is_none());
    assert!(!shown.body.to_string().contains("whsec_"));
}

#[actix_web::test]
async fn targets_that_are_not_public_and_bad_bodies_are_refused_by_field() {
    // No allow-list here: the loopback is refused like any private network.
    let t = TestApp::start().await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let admin = w.token("city.admin");
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "webhook.target_forbidden"),
        ("http://10.1.2.3/hook", "webhook.target_forbidden"),
        (
            "http://169.254.169.254/latest/meta-data",
            "webhook.target_forbidden",
        ),
        ("http://[::1]/hook", "webhook.target_forbidden"),
        (
            "http://[::ffff:192.168.1.1]/hook",
            "webhook.target_forbidden",
        ),
        ("http://localhost:8080/hook", "webhook.target_forbidden"),
        ("ftp://example.org/hook", "webhook.url_invalid"),
        ("https://user:pw@example.org/hook", "webhook.url_invalid"),
        ("not a url", "webhook.url_invalid"),
    ] {
        let r = req(&app, Method::POST, "/api/v1/webhooks")
            .token(admin)
            .json(json!({"url": url, "event_types": CASE_TYPES}))
            .send()
            .await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.body);
        assert_eq!(r.pointers(), ["/url"], "{url}");
        assert_eq!(r.body["errors"][0]["code"], code, "{url}: {:?}", r.body);
    }
    let r = req(&app, Method::POST, "/api/v1/webhooks")
        .token(admin)
        .json(json!({"url": "https://example.org/h", "event_types": ["zhengwu.case.nope.v1"]}))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), ["/event_types/0"]);
    let r = req(&app, Method::POST, "/api/v1/webhooks")
        .token(admin)
        .json(json!({"url": "https://example.org/h", "event_types": []}))
        .send()
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.pointers(), ["/event_types"]);
    // Roles and scope: a clerk may not; another organisation's administrator sees nothing.
    let r = req(&app, Method::GET, "/api/v1/webhooks")
        .token(w.token("city.clerk.a"))
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert!(
        t.db.texts("SELECT id::text AS t FROM webhook_subscriptions")
            .is_empty()
    );
}

#[actix_web::test]
async fn subscriptions_are_scoped_to_their_organisation() {
    let (t, _clock) = city("2026-12-01").await;
    let app = app!(t);
    let w = World::load(&t, &app).await;
    let rx = Receiver::start().await;
    let (hook, _) = subscribe(&app, &w, &rx).await;
    let r = req(&app, Method::GET, &format!("/api/v1/webhooks/{hook}"))
        .token(w.token("lixia.admin"))
        .send()
        .await;
    assert_eq!(r.status, 404);
    let r = req(&app, Method::GET, "/api/v1/webhooks")
        .token(w.token("lixia.admin"))
        .send()
        .await;
    assert_eq!(r.body["items"], json!([]));
    // A district's subscription gets none of the city hall's events.
    let district = Receiver::start().await;
    let r = req(&app, Method::POST, "/api/v1/webhooks")
        .token(w.token("lixia.admin"))
        .json(json!({"url": district.url, "event_types": CASE_TYPES}))
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    window_case(&t, &app, &w).await;
    round(&t).await;
    assert_eq!(rx.received().len(), 1);
    assert!(district.received().is_empty());
    // Deleting needs the version; then it is gone with its log.
    let etag = webhook(&app, &w, &hook)
        .await
        .header("etag")
        .unwrap_or_default();
    let r = req(&app, Method::DELETE, &format!("/api/v1/webhooks/{hook}"))
        .token(w.token("city.admin"))
        .header("If-Match", &etag)
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(webhook(&app, &w, &hook).await.status, 404);
}
