//! Reading applications: one, its clock's history, a page of a list, and the fee
//! calculator.

use chrono::NaiveDate;
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{DisclosureRequestId, OrganizationId};
use zhengwu_domain::requests::{self as rules, FeeMethod, RequestState};
use zhengwu_persistence::requests as repo;

use super::view::{read_clock, view};
use super::visible;
use crate::app::{Actor, AppResult, Scope};
use crate::error::ApiError;
use crate::pagination::Page;
use crate::routes::requests::dto::{FeeQuote, RequestDto, RequestTimeline, RequestTimelineEntry};
use crate::state::AppState;

/// An application: its applicant, or staff in scope (404 otherwise).
pub async fn get(app: &AppState, actor: &Actor, id: DisclosureRequestId) -> AppResult<RequestDto> {
    let mut conn = app.conn().await?;
    let (r, _) = visible(&mut conn, actor, id, false).await?;
    view(app, &mut conn, r).await
}

/// The clock's history: started, stopped, restarted, extended, replied.
pub async fn timeline(
    app: &AppState,
    actor: &Actor,
    id: DisclosureRequestId,
) -> AppResult<RequestTimeline> {
    let mut conn = app.conn().await?;
    let (r, _) = visible(&mut conn, actor, id, false).await?;
    let stops = repo::stops_of(&mut conn, r.id).await?;
    let clock = read_clock(&mut conn, &r, &stops, app.today()).await?;
    let entries = repo::events_of(&mut conn, r.id)
        .await?
        .into_iter()
        .map(|e| RequestTimelineEntry {
            at: e.at,
            action: e.action,
            actor_id: e.actor_id,
            note: e.note,
            data: e.data,
        })
        .collect();
    Ok(RequestTimeline {
        request_id: r.id.0,
        state: r.state,
        clock,
        entries,
    })
}

/// The filters of a list of applications.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub org: Option<OrganizationId>,
    pub state: Option<RequestState>,
    pub applicant_type: Option<ApplicantType>,
    pub due_before: Option<NaiveDate>,
    /// Only those whose clock runs past its due date, as of today.
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

/// A page of applications: applicants their own, staff those of their scope (403 for staff
/// without an organisation).
pub async fn list(
    app: &AppState,
    actor: &Actor,
    q: RequestQuery,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Page<RequestDto>> {
    let (scope, applicant) = match actor.scope() {
        Scope::Nothing if actor.is_applicant() => (Scope::All, actor.user()),
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
        scope => (scope, None),
    };
    let filter = repo::Filter {
        scope: &scope,
        organization_id: q.org,
        applicant_id: applicant,
        applicant_type: q.applicant_type,
        state: q.state,
        due_before: q.due_before,
        overdue: q.overdue.then(|| (app.today(), RequestState::RUNNING)),
        received_from: q.received_from,
        received_to: q.received_to,
        after_id: after,
        limit: limit + 1,
    };
    let mut conn = app.conn().await?;
    let rows = repo::list(&mut conn, &filter).await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for r in rows.into_iter().take(limit as usize) {
        items.push(view(app, &mut conn, r).await?);
    }
    let next_cursor = more
        .then(|| {
            items
                .last()
                .map(|r| crate::pagination::encode_cursor(&r.id.to_string()))
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

/// The information-processing fee: by case (`nth` of the month) or by volume (`pages`),
/// never both.
pub fn fee_quote(method: FeeMethod, nth: Option<u32>, pages: Option<u32>) -> AppResult<FeeQuote> {
    match (method, nth, pages) {
        (FeeMethod::ByCase, Some(n), None) => Ok(FeeQuote {
            method,
            amount_fen: rules::fee_by_case(n),
            nth_in_month: Some(n),
            pages: None,
        }),
        (FeeMethod::ByVolume, None, Some(p)) => Ok(FeeQuote {
            method,
            amount_fen: rules::fee_by_volume(p),
            nth_in_month: None,
            pages: Some(p),
        }),
        (FeeMethod::ByCase, _, _) => Err(ApiError::field(
            "?nth",
            Code::FeeByCase,
            "by case: give nth (and not pages)",
        )),
        (FeeMethod::ByVolume, _, _) => Err(ApiError::field(
            "?pages",
            Code::FeeByVolume,
            "by volume: give pages (and not nth)",
        )),
    }
}
