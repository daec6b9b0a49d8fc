//! The change feed: domain events as CloudEvents, after a cursor.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhengwu_domain::codes::Code;
use zhengwu_persistence::outbox::Position;

use crate::app::events as uc;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::outbox::CloudEvent;
use crate::pagination::encode_cursor;
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// The `next_cursor` of the previous answer; from the oldest event you may see when
    /// absent.
    pub after: Option<String>,
    /// Only these event types, separated by commas (values of `EventType`).
    #[serde(rename = "type")]
    #[param(
        rename = "type",
        example = "zhengwu.case.accepted.v1,zhengwu.case.decided.v1"
    )]
    pub event_type: Option<String>,
    /// Events per answer, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub limit: Option<i64>,
}

/// A stretch of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    /// Events in the order they happened (for each subject, exactly that order).
    pub items: Vec<CloudEvent>,
    /// Where to continue: pass it as `after` next time. Always present, also when no event
    /// came; keep it to resume after an outage.
    pub next_cursor: String,
    /// Whether more events are ready now (ask again at once); otherwise poll later.
    pub has_more: bool,
}

fn bad_cursor() -> ApiError {
    ApiError::field(
        "?after",
        Code::CursorInvalid,
        "the cursor is not one this API gave out",
    )
}

/// The change feed: the domain events of your organisation's subtree (an applicant's: of
/// their own cases, applications and complaints) that happened after the cursor, oldest
/// first (for each subject exactly in the order of the changes). An event appears once its
/// transaction has committed and it has been given its place; an event that commits later
/// comes after the cursor, never behind it.
#[utoipa::path(operation_id = "listEvents",
    tag = "integrations", security(("bearer" = [])), params(FeedParams),
    responses((status = 200, body = EventFeed)))]
#[get("/events")]
pub async fn feed(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<FeedParams>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::field(
                "?limit",
                Code::Range,
                "limit must be between 1 and 500",
            ));
        }
    };
    let after = match q.after.as_deref() {
        None => 0,
        Some(c) => crate::pagination::decode_cursor(c)
            .and_then(|k| uc::position_of(&k))
            .ok_or_else(bad_cursor)?,
    };
    let types = uc::parse_types(q.event_type.as_deref())?;
    let mut rows = uc::feed(&state, &actor, after, types.as_deref(), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let last: Position = rows.last().map_or(after, |e| e.position);
    let items = rows
        .into_iter()
        .map(CloudEvent::of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(EventFeed {
        items,
        next_cursor: encode_cursor(&uc::cursor_key(last)),
        has_more,
    }))
}
