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
    let t = TestApp::with_clock(Arc::new(FixedClock::new(now))).await;
    zhengwu_api::demo::load_at(&t.state.config, now)
        .await
        .unwrap_or_else(|e| panic!("demo: {e}"));
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
