//! Applications for disclosure (依申请公开): the application, its clock stops, reply,
//! remedies and trail.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind};
use zhengwu_domain::ids::{DisclosureRequestId, OrganizationId, UserId};
use zhengwu_domain::requests::{
    DeliveryMethod, FeeMethod, Receipt, ReplyType, RequestChannel, RequestState, RequestedForm,
};

use crate::db::{Conn, DbError};
use crate::schema::{
    disclosure_requests, request_counters, request_events, request_remedies, request_replies,
    request_stops,
};
use crate::scope::{Scope, org_ids};
use crate::{parse_col, parse_opt_col};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_requests)]
struct Row {
    id: Uuid,
    number: String,
    organization_id: Uuid,
    applicant_id: Option<Uuid>,
    applicant_name: String,
    applicant_type: String,
    legal_person_kind: Option<String>,
    contact: Value,
    description: String,
    purpose: Option<String>,
    requested_form: String,
    delivery_method: String,
    channel: String,
    submitted_on: NaiveDate,
    received_on: NaiveDate,
    state: String,
    restarted_on: Option<NaiveDate>,
    correction_due: Option<NaiveDate>,
    corrected_on: Option<NaiveDate>,
    extension_days: i32,
    due_date: Option<NaiveDate>,
    fee_method: Option<String>,
    fee_fen: Option<i64>,
    fee_due: Option<NaiveDate>,
    created_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    receipt_seq: i64,
}

/// An application as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: DisclosureRequestId,
    pub number: String,
    pub organization_id: OrganizationId,
    pub applicant_id: Option<UserId>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    /// `{phone, email, address}`: never public.
    pub contact: Value,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    pub channel: RequestChannel,
    pub submitted_on: NaiveDate,
    pub received_on: NaiveDate,
    pub state: RequestState,
    pub restarted_on: Option<NaiveDate>,
    pub correction_due: Option<NaiveDate>,
    pub corrected_on: Option<NaiveDate>,
    pub extension_days: u32,
    pub due_date: Option<NaiveDate>,
    pub fee_method: Option<FeeMethod>,
    pub fee_fen: Option<i64>,
    pub fee_due: Option<NaiveDate>,
    pub created_by: Option<Uuid>,
    pub version: i32,
    /// The time of receipt: when the application was registered.
    pub created_at: DateTime<Utc>,
    /// Orders applications registered at the same instant: drawn by [`insert`], which
    /// ignores the value given.
    pub receipt_seq: i64,
}

impl Request {
    /// Its place in the order of receipt.
    pub fn receipt(&self) -> Receipt {
        Receipt {
            on: self.received_on,
            at: self.created_at,
            seq: self.receipt_seq,
        }
    }
}

impl TryFrom<Row> for Request {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Request {
            id: DisclosureRequestId(r.id),
            number: r.number,
            organization_id: OrganizationId(r.organization_id),
            applicant_id: r.applicant_id.map(UserId),
            applicant_name: r.applicant_name,
            applicant_type: parse_col(&r.applicant_type, ApplicantType::parse)?,
            legal_person_kind: parse_opt_col(
                r.legal_person_kind.as_deref(),
                LegalPersonKind::parse,
            )?,
            contact: r.contact,
            description: r.description,
            purpose: r.purpose,
            requested_form: parse_col(&r.requested_form, RequestedForm::parse)?,
            delivery_method: parse_col(&r.delivery_method, DeliveryMethod::parse)?,
            channel: parse_col(&r.channel, RequestChannel::parse)?,
            submitted_on: r.submitted_on,
            received_on: r.received_on,
            state: parse_col(&r.state, RequestState::parse)?,
            restarted_on: r.restarted_on,
            correction_due: r.correction_due,
            corrected_on: r.corrected_on,
            extension_days: u32::try_from(r.extension_days).unwrap_or(0),
            due_date: r.due_date,
            fee_method: parse_opt_col(r.fee_method.as_deref(), FeeMethod::parse)?,
            fee_fen: r.fee_fen,
            fee_due: r.fee_due,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at,
            receipt_seq: r.receipt_seq,
        })
    }
}

pub async fn insert(conn: &mut Conn, r: &Request) -> Result<Request, DbError> {
    let row: Row = diesel::insert_into(disclosure_requests::table)
        .values((
            disclosure_requests::id.eq(r.id.0),
            disclosure_requests::number.eq(&r.number),
            disclosure_requests::organization_id.eq(r.organization_id.0),
            disclosure_requests::applicant_id.eq(r.applicant_id.map(|a| a.0)),
            disclosure_requests::applicant_name.eq(&r.applicant_name),
            disclosure_requests::applicant_type.eq(r.applicant_type.as_str()),
            disclosure_requests::legal_person_kind.eq(r.legal_person_kind.map(|k| k.as_str())),
            disclosure_requests::contact.eq(&r.contact),
            disclosure_requests::description.eq(&r.description),
            disclosure_requests::purpose.eq(&r.purpose),
            disclosure_requests::requested_form.eq(r.requested_form.as_str()),
            disclosure_requests::delivery_method.eq(r.delivery_method.as_str()),
            disclosure_requests::channel.eq(r.channel.as_str()),
            disclosure_requests::submitted_on.eq(r.submitted_on),
            disclosure_requests::received_on.eq(r.received_on),
            disclosure_requests::state.eq(r.state.as_str()),
            disclosure_requests::due_date.eq(r.due_date),
            disclosure_requests::created_by.eq(r.created_by),
            disclosure_requests::created_at.eq(r.created_at),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn get(conn: &mut Conn, id: DisclosureRequestId) -> Result<Request, DbError> {
    let row: Row = disclosure_requests::table
        .find(id.0)
        .select(Row::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn get_for_update(conn: &mut Conn, id: DisclosureRequestId) -> Result<Request, DbError> {
    let row: Row = disclosure_requests::table
        .find(id.0)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

/// Saves the state, clock and description (a correction may change it) and bumps the
/// version.
pub async fn save(conn: &mut Conn, r: &Request) -> Result<Request, DbError> {
    let row: Row = diesel::update(disclosure_requests::table.find(r.id.0))
        .set((
            disclosure_requests::description.eq(&r.description),
            disclosure_requests::state.eq(r.state.as_str()),
            disclosure_requests::restarted_on.eq(r.restarted_on),
            disclosure_requests::correction_due.eq(r.correction_due),
            disclosure_requests::corrected_on.eq(r.corrected_on),
            disclosure_requests::extension_days.eq(r.extension_days as i32),
            disclosure_requests::due_date.eq(r.due_date),
            disclosure_requests::fee_method.eq(r.fee_method.map(|m| m.as_str())),
            disclosure_requests::fee_fen.eq(r.fee_fen),
            disclosure_requests::fee_due.eq(r.fee_due),
            disclosure_requests::version.eq(disclosure_requests::version + 1),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn next_serial(
    conn: &mut Conn,
    organization_id: OrganizationId,
    day: NaiveDate,
) -> Result<i32, DbError> {
    Ok(diesel::insert_into(request_counters::table)
        .values((
            request_counters::organization_id.eq(organization_id.0),
            request_counters::day.eq(day),
            request_counters::last_serial.eq(1),
        ))
        .on_conflict((request_counters::organization_id, request_counters::day))
        .do_update()
        .set(request_counters::last_serial.eq(request_counters::last_serial + 1))
        .returning(request_counters::last_serial)
        .get_result(conn)
        .await?)
}

/// The receipts of an applicant's applications received in `from..=to` (for the by-case
/// fee's rank).
pub async fn receipts_of_applicant(
    conn: &mut Conn,
    applicant_id: UserId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Receipt>, DbError> {
    let rows: Vec<(NaiveDate, DateTime<Utc>, i64)> = disclosure_requests::table
        .filter(disclosure_requests::applicant_id.eq(applicant_id.0))
        .filter(disclosure_requests::received_on.between(from, to))
        .select((
            disclosure_requests::received_on,
            disclosure_requests::created_at,
            disclosure_requests::receipt_seq,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(on, at, seq)| Receipt { on, at, seq })
        .collect())
}

// ---------------------------------------------------------------- stops

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_stops)]
pub struct Stop {
    pub request_id: Uuid,
    pub seq: i32,
    /// `third_party`, `agency` or `fee`.
    pub kind: String,
    pub party: Option<String>,
    pub start_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub opinion: Option<String>,
}

pub async fn stops_of(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
) -> Result<Vec<Stop>, DbError> {
    Ok(request_stops::table
        .filter(request_stops::request_id.eq(request_id.0))
        .select(Stop::as_select())
        .order(request_stops::seq)
        .load(conn)
        .await?)
}

pub async fn start_stop(conn: &mut Conn, s: &Stop) -> Result<(), DbError> {
    diesel::insert_into(request_stops::table)
        .values(s)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn end_stop(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
    seq: i32,
    end_on: NaiveDate,
    opinion: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(request_stops::table.find((request_id.0, seq)))
        .set((
            request_stops::end_on.eq(Some(end_on)),
            request_stops::opinion.eq(opinion),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- reply

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_replies)]
pub struct ReplyRow {
    pub request_id: Uuid,
    pub reply_type: String,
    pub reply_text: String,
    pub responsible_agency: Option<String>,
    pub provided_items: Value,
    pub replied_on: NaiveDate,
    pub late: bool,
    pub replied_by: Option<Uuid>,
}

impl ReplyRow {
    pub fn reply_type(&self) -> Result<ReplyType, DbError> {
        parse_col(&self.reply_type, ReplyType::parse)
    }
}

pub async fn insert_reply(conn: &mut Conn, r: &ReplyRow) -> Result<(), DbError> {
    diesel::insert_into(request_replies::table)
        .values(r)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn reply_of(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
) -> Result<Option<ReplyRow>, DbError> {
    Ok(request_replies::table
        .find(request_id.0)
        .select(ReplyRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

// ---------------------------------------------------------------- trail

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = request_events)]
pub struct Event {
    pub id: i64,
    pub request_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub note: Option<String>,
    pub data: Value,
}

pub async fn add_event(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: &str,
    note: Option<&str>,
    data: Value,
) -> Result<(), DbError> {
    diesel::insert_into(request_events::table)
        .values((
            request_events::request_id.eq(request_id.0),
            request_events::at.eq(at),
            request_events::actor_id.eq(actor_id),
            request_events::action.eq(action),
            request_events::note.eq(note),
            request_events::data.eq(data),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn events_of(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
) -> Result<Vec<Event>, DbError> {
    Ok(request_events::table
        .filter(request_events::request_id.eq(request_id.0))
        .select(Event::as_select())
        .order(request_events::id)
        .load(conn)
        .await?)
}

// ---------------------------------------------------------------- remedies

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_remedies)]
pub struct Remedy {
    pub id: Uuid,
    pub request_id: Uuid,
    /// `reconsideration`, `litigation_direct` or `litigation_after_reconsideration`.
    pub kind: String,
    pub filed_on: NaiveDate,
    /// `upheld`, `corrected`, `other` or `pending`.
    pub outcome: String,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

pub async fn insert_remedy(conn: &mut Conn, r: &Remedy) -> Result<(), DbError> {
    diesel::insert_into(request_remedies::table)
        .values(r)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_remedy(
    conn: &mut Conn,
    id: Uuid,
    outcome: &str,
    decided_on: Option<NaiveDate>,
    note: Option<&str>,
) -> Result<Remedy, DbError> {
    Ok(diesel::update(request_remedies::table.find(id))
        .set((
            request_remedies::outcome.eq(outcome),
            request_remedies::decided_on.eq(decided_on),
            request_remedies::note.eq(note),
            request_remedies::version.eq(request_remedies::version + 1),
        ))
        .returning(Remedy::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn remedies_of(
    conn: &mut Conn,
    request_id: DisclosureRequestId,
) -> Result<Vec<Remedy>, DbError> {
    Ok(request_remedies::table
        .filter(request_remedies::request_id.eq(request_id.0))
        .select(Remedy::as_select())
        .order(request_remedies::filed_on)
        .load(conn)
        .await?)
}

// ---------------------------------------------------------------- listing

#[derive(Debug, Clone)]
pub struct Filter<'a> {
    /// The organisations whose applications are listed.
    pub scope: &'a Scope,
    pub organization_id: Option<OrganizationId>,
    pub applicant_id: Option<UserId>,
    pub applicant_type: Option<ApplicantType>,
    pub state: Option<RequestState>,
    pub due_before: Option<NaiveDate>,
    /// Applications in one of these states (those whose clock runs) whose due date is
    /// before this day.
    pub overdue: Option<(NaiveDate, &'a [RequestState])>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &Filter<'_>) -> Result<Vec<Request>, DbError> {
    let mut q = disclosure_requests::table
        .select(Row::as_select())
        .order(disclosure_requests::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = org_ids(f.scope) {
        q = q.filter(disclosure_requests::organization_id.eq_any(inside));
    }
    if let Some(o) = f.organization_id {
        q = q.filter(disclosure_requests::organization_id.eq(o.0));
    }
    if let Some(a) = f.applicant_id {
        q = q.filter(disclosure_requests::applicant_id.eq(a.0));
    }
    if let Some(t) = f.applicant_type {
        q = q.filter(disclosure_requests::applicant_type.eq(t.as_str()));
    }
    if let Some(s) = f.state {
        q = q.filter(disclosure_requests::state.eq(s.as_str()));
    }
    if let Some(d) = f.due_before {
        q = q.filter(disclosure_requests::due_date.lt(d));
    }
    if let Some((d, states)) = f.overdue {
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        q = q
            .filter(disclosure_requests::state.eq_any(states))
            .filter(disclosure_requests::due_date.lt(d));
    }
    if let Some(d) = f.received_from {
        q = q.filter(disclosure_requests::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(disclosure_requests::received_on.le(d));
    }
    if let Some(a) = f.after_id {
        q = q.filter(disclosure_requests::id.gt(a));
    }
    let rows: Vec<Row> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}
