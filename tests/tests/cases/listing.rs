//! The case list inside a scope: read per organisation and window when only the state
//! narrows it, and the same answer as the list read as a whole.

use super::*;

/// Every page of `path` (which ends in a query), the ids in order.
async fn walk<S, B>(app: &S, token: &str, path: &str) -> Vec<String>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let mut p = path.to_owned();
        if let Some(c) = &cursor {
            p.push_str(&format!("&cursor={c}"));
        }
        let r = req(app, Method::GET, &p).token(token).send().await;
        assert_eq!(r.status, 200, "{p}: {:?}", r.body);
        for c in r.body["items"].as_array().into_iter().flatten() {
            ids.push(c["id"].as_str().unwrap_or_default().to_owned());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
    panic!("{path}: no last page");
}

#[actix_web::test]
async fn a_state_within_a_subtree_lists_what_the_whole_list_holds_in_that_state() {
    let now = at("2026-11-16");
    let t = TestApp::with_demo(Arc::new(FixedClock::new(now))).await;
    let app = app!(t);
    let pw = zhengwu_api::demo::DEMO_PASSWORD;
    let states =
        t.db.texts("SELECT DISTINCT state AS t FROM cases ORDER BY 1");
    assert!(states.len() >= 3, "{states:?}");
    let mut compared = 0;
    for user in [
        "city.supervisor",
        "lixia.supervisor",
        "lixia.clerk.a",
        "pingyin.clerk.a",
        "city.clerk.a",
    ] {
        let token = login(&app, user, pw).await;
        // The whole list, read without a state, then each state's share of it.
        let all = walk(&app, &token, "/api/v1/cases?include_sub=true&limit=200").await;
        let state_of: std::collections::BTreeMap<String, String> =
            t.db.texts("SELECT id::text || ' ' || state AS t FROM cases")
                .into_iter()
                .filter_map(|l| l.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
                .collect();
        for state in [
            "submitted",
            "materials_requested",
            "accepted",
            "suspended",
            "decided",
            "delivered",
            "refused",
        ] {
            let expected: Vec<String> = all
                .iter()
                .filter(|id| state_of.get(*id).map(String::as_str) == Some(state))
                .cloned()
                .collect();
            // Small pages, so that a page boundary falls inside an organisation's cases.
            let path = format!("/api/v1/cases?include_sub=true&state={state}&limit=3");
            let listed = walk(&app, &token, &path).await;
            assert_eq!(listed, expected, "{user}, {state}");
            compared += listed.len();
        }
    }
    assert!(compared > 20, "the demo's cases were compared: {compared}");
}

#[actix_web::test]
async fn a_requested_subtree_lists_its_cases_inside_the_scope_and_nothing_else() {
    let now = at("2026-11-16");
    let t = TestApp::with_demo(Arc::new(FixedClock::new(now))).await;
    let app = app!(t);
    let pw = zhengwu_api::demo::DEMO_PASSWORD;
    let org_of = |user: &str| {
        t.db.texts(&format!(
            "SELECT organization_id::text AS t FROM users WHERE username = '{user}'"
        ))
        .pop()
        .unwrap_or_else(|| panic!("no user {user}"))
    };
    let pingyin = org_of("pingyin.clerk.a");
    let city = login(&app, "city.supervisor", pw).await;
    let district = login(&app, "lixia.supervisor", pw).await;
    // The organisation above the most cases, and the cases of its subtree: handled by an
    // organisation in it or taken in at a window of a hall in it.
    let parent = t.db.texts(
        "SELECT p.id::text AS t FROM cases c JOIN organizations o ON o.id = c.organization_id \
         JOIN organizations p ON p.id = o.parent_id GROUP BY p.id ORDER BY count(*) DESC LIMIT 1",
    );
    let parent = parent.first().unwrap_or_else(|| panic!("no cases"));
    let inside: std::collections::BTreeSet<String> =
        t.db.texts(&format!(
            "SELECT c.id::text AS t FROM cases c \
             JOIN organizations o ON o.id = c.organization_id \
             LEFT JOIN windows w ON w.id = c.window_id \
             LEFT JOIN organizations h ON h.id = w.hall_id, \
             (SELECT path FROM organizations WHERE id = '{parent}') r \
             WHERE starts_with(o.path, r.path) OR starts_with(h.path, r.path)"
        ))
        .into_iter()
        .collect();
    // The city's supervisor asking for that subtree sees the city's list's cases in it, with
    // and without a state (two kinds of read).
    let mut compared = 0;
    for state in [
        "",
        "&state=submitted",
        "&state=accepted",
        "&state=delivered",
    ] {
        let all = walk(&app, &city, &format!("/api/v1/cases?limit=200{state}")).await;
        let expected: Vec<String> = all.into_iter().filter(|id| inside.contains(id)).collect();
        let asked = format!("/api/v1/cases?org={parent}&include_sub=true&limit=7{state}");
        assert_eq!(walk(&app, &city, &asked).await, expected, "{state}");
        compared += expected.len();
    }
    assert!(
        compared > 5,
        "the subtree's cases were compared: {compared}"
    );
    // Another district, or an organisation that does not exist, is unknown to it.
    for (org, state) in [
        (pingyin.as_str(), ""),
        (pingyin.as_str(), "&state=submitted"),
        ("00000000-0000-4000-8000-000000000000", "&state=submitted"),
        ("00000000-0000-4000-8000-000000000000", ""),
    ] {
        let r = req(
            &app,
            Method::GET,
            &format!("/api/v1/cases?org={org}&include_sub=true{state}"),
        )
        .token(&district)
        .send()
        .await;
        assert_eq!(r.status, 422, "{org}{state}: {:?}", r.body);
        assert_eq!(r.pointers(), vec!["?org"], "{org}{state}");
    }
    // A subtree of the scope without cases is an empty page, not an error.
    let quiet = t.db.texts(
        "SELECT o.id::text AS t FROM organizations o \
         WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.organization_id = o.id) \
           AND NOT EXISTS (SELECT 1 FROM windows w WHERE w.hall_id = o.id) \
           AND NOT EXISTS (SELECT 1 FROM organizations k WHERE k.parent_id = o.id) \
           AND o.path LIKE (SELECT p.path || '%' FROM organizations p JOIN users u \
                            ON u.organization_id = p.id WHERE u.username = 'city.supervisor') \
         ORDER BY o.id LIMIT 1",
    );
    let quiet = quiet
        .first()
        .unwrap_or_else(|| panic!("no organisation without cases"));
    for state in ["", "&state=submitted"] {
        let r = req(
            &app,
            Method::GET,
            &format!("/api/v1/cases?org={quiet}&include_sub=true{state}"),
        )
        .token(&city)
        .send()
        .await;
        assert_eq!(r.status, 200, "{state}: {:?}", r.body);
        assert_eq!(r.body["items"], serde_json::json!([]), "{state}");
    }
}
