//! Parallel approval, fees and concurrent acceptance.

use super::*;

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
    // A caller whose role may not take the step hears 403 before the body is checked; one
    // whose role may, hears what is wrong with it.
    let blank = json!({"reason": "   "});
    let r = act(&app, &applicant, &subs[0], "refuse", blank.clone()).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let r = act(&app, &clerk, &subs[0], "refuse", blank).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.pointers(), vec!["/reason"]);
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
    // A list reads the outcome, the fee flag and the matter's name with the page's cases in
    // one statement; each line shows what the case itself shows.
    let one = req(&app, Method::GET, &format!("/api/v1/cases/{id}"))
        .token(&clerk)
        .send()
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["fee_anomaly"], true);
    assert!(one.body["matter_name"].is_string(), "{}", one.body);
    for list in ["/api/v1/cases?state=accepted", "/api/v1/cases?limit=100"] {
        let page = req(&app, Method::GET, list).token(&clerk).send().await;
        assert_eq!(page.status, 200, "{list}");
        let line = page.body["items"]
            .as_array()
            .and_then(|items| items.iter().find(|c| c["id"] == id.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(line, one.body, "{list}");
    }
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
