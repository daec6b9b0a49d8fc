//! Use cases of applications for disclosure (依申请公开): registering one, the clock's
//! transitions (one generic use case over [`REQUEST_FLOW`]), reading and listing, and the
//! remedies sought against a reply.

mod actions;
mod create;
mod read;
mod remedies;
mod view;

use chrono::{Datelike, NaiveDate};
use zhengwu_domain::calendar::{Calendar, StoredDeadline};
use zhengwu_domain::ids::DisclosureRequestId;
use zhengwu_domain::requests::{self as rules, ClockStop, RequestClock, RequestState};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::requests::{self as repo, Request};
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

pub use self::actions::{
    close_lapsed, consult, extend, fee_notice, fee_paid, record_opinion, reply, request_correction,
    submit_correction,
};
pub use self::create::create;
pub use self::read::{RequestQuery, fee_quote, get, list, timeline};
pub use self::remedies::{add_remedy, update_remedy};
use crate::app::{Actor, AppResult};
use crate::error::ApiError;

/// The calendar an application's clock is read with: from its year on.
async fn calendar_from(conn: &mut Conn, from: NaiveDate) -> AppResult<Calendar> {
    Ok(calendar::calendar_for(conn, from.year(), from.year() + 2).await?)
}

/// The clock of a stored application.
fn clock_of(r: &Request, stops: &[repo::Stop]) -> RequestClock {
    RequestClock {
        received_on: r.received_on,
        restarted_on: r.restarted_on,
        awaiting_correction: r.state == RequestState::AwaitingCorrection,
        stops: stops
            .iter()
            .map(|s| ClockStop {
                start: s.start_on,
                end: s.end_on,
            })
            .collect(),
        extension_days: r.extension_days,
    }
}

/// The application with its organisation, if the actor may see it: its applicant, or
/// staff whose scope holds it (404 otherwise). `for_update` locks it.
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: DisclosureRequestId,
    for_update: bool,
) -> AppResult<(Request, orgs::Organization)> {
    let found = if for_update {
        repo::get_for_update(conn, id).await
    } else {
        repo::get(conn, id).await
    };
    let r = match found {
        Ok(r) => r,
        Err(DbError::NotFound) => return Err(ApiError::not_found("application")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, r.organization_id.0).await?;
    let own = actor.user().is_some() && r.applicant_id == actor.user();
    let staff = actor.role.is_staff() && actor.sees(&org.path);
    if !own && !staff {
        return Err(ApiError::not_found("application"));
    }
    Ok((r, org))
}

/// The reply date a reading of the clock gives, recorded as a stored deadline.
async fn keep_reply_due(
    conn: &mut Conn,
    id: DisclosureRequestId,
    reading: Option<rules::RequestReading>,
) -> AppResult<Option<NaiveDate>> {
    let Some((r, due)) = reading.and_then(|r| r.due_date.map(|d| (r, d))) else {
        return Ok(None);
    };
    let target = Target::of(StoredDeadline::RequestReply, id.0);
    zhengwu_persistence::deadlines::keep(conn, &target, &r.basis, due, &r.years_without_schedule)
        .await?;
    Ok(Some(due))
}

/// 403 unless the actor's role may take `action` on an application at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: rules::RequestAction) -> AppResult<()> {
    crate::app::may(&rules::REQUEST_FLOW, actor, action)
}
