//! An application as the API shows it: with its clock read as of today (or of its reply),
//! its stops, reply and remedies.

use chrono::NaiveDate;
use zhengwu_domain::codes::Code;
use zhengwu_domain::requests::{self as rules, RequestState};
use zhengwu_persistence::Conn;
use zhengwu_persistence::requests::{self as repo, Request};

use super::{calendar_from, clock_of};
use crate::app::AppResult;
use crate::error::ApiError;
use crate::routes::requests::dto::{RemedyDto, ReplyDto, RequestClockDto, RequestDto, StopDto};
use crate::state::AppState;

/// The clock of `r` read on `until`.
pub(super) async fn read_clock(
    conn: &mut Conn,
    r: &Request,
    stops: &[repo::Stop],
    until: NaiveDate,
) -> AppResult<RequestClockDto> {
    let clock = clock_of(r, stops);
    let cal = calendar_from(conn, r.received_on).await?;
    let reading = clock
        .read(&cal, until)
        .map_err(|e| ApiError::unprocessable(Code::RequestClock, e.to_string()))?;
    let stopped_for = match r.state {
        RequestState::AwaitingCorrection => Some("awaiting_correction".to_owned()),
        _ => stops
            .iter()
            .find(|s| s.end_on.is_none())
            .map(|s| s.kind.clone()),
    };
    Ok(RequestClockDto {
        counting_from: clock.start(),
        due_date: reading.due_date,
        extension_working_days: r.extension_days,
        working_days_used: reading.working_days_used,
        working_days_paused: reading.working_days_paused,
        working_days_left: reading.working_days_left,
        stopped_for,
    })
}

pub(super) fn remedy_dto(m: repo::Remedy) -> RemedyDto {
    RemedyDto {
        id: m.id,
        kind: m.kind,
        filed_on: m.filed_on,
        outcome: m.outcome,
        decided_on: m.decided_on,
        note: m.note,
        version: m.version,
    }
}

fn stop_dto(s: repo::Stop) -> StopDto {
    StopDto {
        kind: s.kind,
        party: s.party,
        start_on: s.start_on,
        due_on: s.due_on,
        end_on: s.end_on,
        opinion: s.opinion,
    }
}

fn reply_dto(x: repo::ReplyRow) -> AppResult<ReplyDto> {
    Ok(ReplyDto {
        reply_type: x.reply_type()?,
        text: x.reply_text,
        responsible_agency: x.responsible_agency,
        provided_items: x.provided_items,
        replied_on: x.replied_on,
        late: x.late,
    })
}

/// The application as shown, its clock read as of today or, once replied, of the reply.
pub(super) async fn view(app: &AppState, conn: &mut Conn, r: Request) -> AppResult<RequestDto> {
    let stops = repo::stops_of(conn, r.id).await?;
    let answered = repo::reply_of(conn, r.id).await?;
    let until = answered
        .as_ref()
        .map_or_else(|| app.today(), |x| x.replied_on);
    let clock = read_clock(conn, &r, &stops, until).await?;
    let remedies = repo::remedies_of(conn, r.id).await?;
    let years_without_calendar = crate::deadlines::flags_of(conn, r.id.0).await?;
    let deemed = r.state == RequestState::AwaitingCorrection
        && r.correction_due
            .is_some_and(|d| rules::deemed_withdrawn(d, r.corrected_on, app.today()));
    Ok(RequestDto {
        id: r.id.0,
        number: r.number,
        organization_id: r.organization_id.0,
        applicant_id: r.applicant_id.map(|a| a.0),
        applicant_name: r.applicant_name,
        applicant_type: r.applicant_type,
        legal_person_kind: r.legal_person_kind,
        contact: r.contact,
        description: r.description,
        purpose: r.purpose,
        requested_form: r.requested_form,
        delivery_method: r.delivery_method,
        channel: r.channel,
        submitted_on: r.submitted_on,
        received_on: r.received_on,
        state: r.state,
        correction_due: r.correction_due,
        corrected_on: r.corrected_on,
        deemed_withdrawn: deemed,
        clock,
        stops: stops.into_iter().map(stop_dto).collect(),
        fee_method: r.fee_method,
        fee_fen: r.fee_fen,
        fee_due: r.fee_due,
        years_without_calendar,
        reply: answered.map(reply_dto).transpose()?,
        remedies: remedies.into_iter().map(remedy_dto).collect(),
        version: r.version,
    })
}
