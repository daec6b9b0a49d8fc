//! Statistics computed from the records, compared with counts by hand.

use super::*;

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

/// The stored sums of every (organisation, day, hall), one line each.
fn stored_days(t: &TestApp) -> Vec<String> {
    t.db.texts(
        "SELECT concat_ws(' ', organization_id, received_on, hall_id, received, accepted, refused,
                completed, completed_on_time, completed_early, immediate_completed,
                immediate_on_the_spot, working_days_used_total, limit_days_total) AS t
           FROM case_stat_days ORDER BY organization_id, received_on, hall_id NULLS FIRST",
    )
}

/// Runs the statistics refresher, `batch` queue rows per transaction, until nothing is
/// queued.
async fn refresh_stats(t: &TestApp, batch: i64) {
    let mut conn = t.state.conn().await.unwrap_or_else(|e| panic!("{e:?}"));
    for _ in 0..10_000 {
        let run = zhengwu_api::app::statistics::refresh(&mut conn, batch)
            .await
            .unwrap_or_else(|e| panic!("refresh: {e:?}"));
        if !run.busy {
            let queued = "SELECT count(*)::int8 AS n FROM case_stat_queue";
            assert_eq!(t.db.numbers(queued), vec![0], "nothing left queued");
            return;
        }
        actix_web::rt::task::yield_now().await;
    }
    panic!("the refresher stayed busy");
}

/// The stored sums equal a count of every day from scratch through random changes made
/// directly to the records (each change queued by the database's triggers): acceptances,
/// decisions, cases moved to another day or organisation, extensions, closed pauses,
/// windows moved to another hall and calendar changes, refreshed in batches of several
/// sizes, so that days are counted case by case and whole.
#[actix_web::test]
async fn stored_statistics_equal_a_count_from_scratch_through_random_changes() {
    let clock = Arc::new(FixedClock::new(at("2026-11-16")));
    let t = TestApp::with_demo(clock).await;
    // The demo's cases, and copies of them received on the days before (whole days have
    // more than one case, and some more than a day counted case by case may hold).
    t.db.execute(
        "INSERT INTO cases
         SELECT (jsonb_populate_record(NULL::cases, to_jsonb(c) || jsonb_build_object(
                    'id', md5(c.id::text || g)::uuid, 'number', c.number || '-' || g,
                    'received_on', c.received_on - g % 3))).*
           FROM cases c, generate_series(1, 12) g
          WHERE c.matter_id IS NOT NULL AND c.parent_id IS NULL",
    );
    refresh_stats(&t, 200).await;
    let counted = "SELECT count(*)::int8 AS n FROM case_stat_cases";
    let with_matter = "SELECT count(*)::int8 AS n FROM cases WHERE matter_id IS NOT NULL";
    assert_eq!(t.db.numbers(counted), t.db.numbers(with_matter));
    assert!(
        t.db.numbers(counted)[0] > 100,
        "{:?}",
        t.db.numbers(counted)
    );
    let pick = |rng: &mut Lcg, filter: &str| {
        let ids = t.db.texts(&format!(
            "SELECT id::text AS t FROM cases WHERE matter_id IS NOT NULL AND {filter} ORDER BY id"
        ));
        ids.get(rng.next(ids.len())).cloned()
    };
    let mut rng = Lcg(20_261_207);
    let mut done = [0usize; 8];
    for round in 0..8 {
        for step in 0..12 {
            let op = rng.next(8);
            let k = 1 + rng.next(6);
            let sql = match op {
                0 => pick(&mut rng, "state IN ('submitted', 'materials_requested')").map(|id| {
                    format!(
                        "UPDATE cases SET state = 'accepted', accepted_on = received_on + {k},
                                due_date = received_on + {k} + promised_days WHERE id = '{id}'"
                    )
                }),
                1 => pick(&mut rng, "state = 'accepted'").map(|id| {
                    format!(
                        "UPDATE cases SET state = 'decided', decided_on = accepted_on + {k}
                          WHERE id = '{id}'"
                    )
                }),
                2 => pick(&mut rng, "true").map(|id| {
                    format!("UPDATE cases SET received_on = received_on - {k} WHERE id = '{id}'")
                }),
                3 => pick(&mut rng, "true").map(|id| {
                    format!(
                        "UPDATE cases SET organization_id = (SELECT o.id FROM organizations o
                                 WHERE o.id <> cases.organization_id
                                 ORDER BY o.path LIMIT 1 OFFSET {k})
                          WHERE id = '{id}'"
                    )
                }),
                4 => pick(&mut rng, "due_date IS NOT NULL").map(|id| {
                    format!(
                        "UPDATE cases SET extension_days = extension_days + {k},
                                due_date = due_date + {k}, case_kind = 'promised'
                          WHERE id = '{id}'"
                    )
                }),
                5 => pick(&mut rng, "accepted_on IS NOT NULL").map(|id| {
                    format!(
                        "INSERT INTO case_pauses (case_id, seq, procedure, reason, start_on, end_on)
                         SELECT c.id, coalesce((SELECT max(p.seq) FROM case_pauses p
                                                 WHERE p.case_id = c.id), 0) + 1,
                                'expert_review', '专家评审', c.accepted_on + 1,
                                c.accepted_on + 1 + {k}
                           FROM cases c WHERE c.id = '{id}'"
                    )
                }),
                6 => pick(&mut rng, "window_id IS NOT NULL").map(|id| {
                    format!(
                        "UPDATE windows w SET number = 'R{round}S{step}',
                                hall_id = (SELECT h.id FROM organizations h WHERE h.kind = 'hall'
                                             AND h.id <> w.hall_id ORDER BY h.path
                                             LIMIT 1 OFFSET {k} % 2)
                          WHERE w.id = (SELECT window_id FROM cases WHERE id = '{id}')"
                    )
                }),
                _ => Some(format!(
                    "INSERT INTO calendar_years (year) VALUES (2026) ON CONFLICT DO NOTHING;
                     INSERT INTO calendar_days (day, year, kind)
                     SELECT d, 2026, 'holiday' FROM (SELECT DATE '2026-10-12' + {k} * 3 AS d) x
                      WHERE extract(isodow FROM d) < 6
                     ON CONFLICT DO NOTHING;
                     UPDATE calendar_years SET version = version + 1 WHERE year = 2026"
                )),
            };
            if let Some(sql) = sql {
                t.db.execute(&sql);
                done[op] += 1;
            }
            if rng.next(4) == 0 {
                refresh_stats(&t, [1, 3, 200][rng.next(3)]).await;
            }
        }
        refresh_stats(&t, [1, 7, 200][rng.next(3)]).await;
        let stored = stored_days(&t);
        // Counted from scratch: every day queued whole, with nothing stored.
        t.db.execute(
            "DELETE FROM case_stat_days; DELETE FROM case_stat_cases;
             INSERT INTO case_stat_queue (organization_id, received_on)
             SELECT DISTINCT organization_id, received_on FROM cases
              WHERE matter_id IS NOT NULL",
        );
        refresh_stats(&t, 200).await;
        assert_eq!(stored, stored_days(&t), "round {round}");
        assert_eq!(t.db.numbers(counted), t.db.numbers(with_matter));
    }
    assert!(
        done.iter().all(|n| *n > 0),
        "every kind of change was made: {done:?}"
    );
}
