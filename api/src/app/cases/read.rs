//! Reading cases: one case, its trail, lists in the actor's scope and the public lookup.

use chrono::NaiveDate;
use zhengwu_domain::cases::{CaseState, Decision};
use zhengwu_domain::ids::{CaseId, MatterId, OrganizationId, UserId, WindowId};
use zhengwu_persistence::cases::{self as repo, Case, Event};
use zhengwu_persistence::matters;

use super::secret::password_matches;
use super::view::{CaseView, ClockView, shown_clock_of, view_of, views_of_listed};
use super::{Actor, AppResult, visible_case};
use crate::app::Scope;
use crate::error::ApiError;
use crate::pagination::{Page, encode_cursor};
use crate::state::AppState;

/// Read a case: its applicant, or staff of the handling organisation's scope.
pub async fn get(app: &AppState, actor: &Actor, id: CaseId) -> AppResult<CaseView> {
    let mut conn = app.conn().await?;
    let (c, _) = visible_case(&conn, actor, id, false).await?;
    view_of(app, &mut conn, c).await
}

/// A case's trail and clock.
pub struct TimelineView {
    pub case: Case,
    pub clock: ClockView,
    pub entries: Vec<Event>,
}

/// The trail of a case: every action with actor, time and note, and the clock.
pub async fn timeline(app: &AppState, actor: &Actor, id: CaseId) -> AppResult<TimelineView> {
    let mut conn = app.conn().await?;
    let (c, _) = visible_case(&conn, actor, id, false).await?;
    let clock = shown_clock_of(&mut conn, &c, app.today()).await?;
    let entries = repo::events_of(&mut conn, c.id).await?;
    Ok(TimelineView {
        case: c,
        clock,
        entries,
    })
}

/// What a list of cases is asked for.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub org: Option<OrganizationId>,
    /// With `org`: its whole subtree.
    pub include_sub: bool,
    pub window: Option<WindowId>,
    pub matter: Option<MatterId>,
    pub state: Option<CaseState>,
    pub assignee: Option<UserId>,
    pub due_before: Option<NaiveDate>,
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub after: Option<CaseId>,
    pub limit: i64,
}

/// List cases: applicants their own, staff those of their scope (a requested subtree
/// outside it is answered like an organisation that does not exist).
pub async fn list(app: &AppState, actor: &Actor, q: Listing) -> AppResult<Page<CaseView>> {
    let mut conn = app.conn().await?;
    let (scope, applicant) = match actor.scope() {
        // An applicant's own cases, wherever they are handled.
        Scope::Nothing if actor.is_applicant() => {
            let me = actor.id.map(UserId).ok_or_else(ApiError::internal)?;
            (Scope::All, Some(me))
        }
        mine => {
            let requested = q.org.filter(|_| q.include_sub);
            (crate::app::narrowed(&conn, mine, requested).await?, None)
        }
    };
    let filter = repo::Filter {
        organization_id: if q.include_sub { None } else { q.org },
        applicant_id: applicant,
        window_id: q.window,
        matter_id: q.matter,
        state: q.state,
        assignee_id: q.assignee,
        due_before: q.due_before,
        overdue: q.overdue.then(|| (app.today(), CaseState::CLOCKED)),
        received_from: q.received_from,
        received_to: q.received_to,
        parent_id: None,
        after_id: q.after,
        limit: q.limit + 1,
    };
    let rows = repo::list(&mut conn, &scope, &filter).await?;
    let more = rows.len() as i64 > q.limit;
    let rows = rows.into_iter().take(q.limit as usize).collect();
    let items = views_of_listed(app, &mut conn, rows).await?;
    let last = items.last().filter(|_| more);
    let next_cursor = last.map(|v| encode_cursor(&v.case.id.to_string()));
    Ok(Page { items, next_cursor })
}

/// What the public sees of a case: no personal data.
pub struct PublicView {
    pub number: String,
    pub matter_name: Option<String>,
    pub state: CaseState,
    pub current_step: String,
    pub received_on: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub decided_on: Option<NaiveDate>,
}

/// Public progress lookup by case number and query password; classified matters are not
/// shown, and a wrong password is answered like a number that does not exist.
pub async fn lookup(app: &AppState, number: &str, password: &str) -> AppResult<PublicView> {
    let mut conn = app.read_conn().await?;
    let nothing = || ApiError::not_found("case").detail("no case with this number and password");
    let c = repo::find_by_number(&mut conn, number)
        .await?
        .ok_or_else(nothing)?;
    if !password_matches(&c.query_password_hash, password) || c.classified {
        return Err(nothing());
    }
    let recorded = repo::steps_of(&mut conn, c.id).await?;
    let outcome = repo::outcome_of(&conn, c.id).await?;
    let matter_name = match (c.matter_id, c.matter_version) {
        (Some(m), Some(v)) => Some(matters::version_name(&mut conn, m, v).await?),
        _ => c.project_name.clone(),
    };
    Ok(PublicView {
        number: c.number,
        matter_name,
        state: c.state,
        current_step: recorded
            .last()
            .map_or_else(|| c.state.label_zh().to_owned(), |s| s.name.clone()),
        received_on: c.received_on,
        due_date: c.due_date,
        decision: outcome.decision()?,
        decided_on: c.decided_on,
    })
}
