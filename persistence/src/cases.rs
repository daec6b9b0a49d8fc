//! Cases (办件), their trail, pauses, review steps, notices and fees.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
use zhengwu_domain::services::{CaseKind, CaseState, Decision, SpecialProcedure};

use crate::db::{Conn, DbError};
use crate::orgs::escape_like;
use crate::schema::{
    case_counters, case_events, case_fees, case_missing_notices, case_outcomes, case_pauses,
    case_steps, cases, organizations, windows,
};
use crate::{parse_col, parse_opt_col};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
struct CaseRow {
    id: Uuid,
    number: String,
    parent_id: Option<Uuid>,
    matter_id: Option<Uuid>,
    matter_version: Option<i32>,
    organization_id: Uuid,
    window_id: Option<Uuid>,
    applicant_id: Option<Uuid>,
    applicant_name: String,
    applicant_type: String,
    applicant_phone: Option<String>,
    project_name: Option<String>,
    channel: String,
    submitted_materials: Value,
    query_password_hash: Vec<u8>,
    state: String,
    case_kind: String,
    statutory_days: i32,
    promised_days: i32,
    received_at: DateTime<Utc>,
    received_on: NaiveDate,
    submission_round: i32,
    accepted_on: Option<NaiveDate>,
    extension_days: i32,
    due_date: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    assignee_id: Option<Uuid>,
    first_contact_id: Option<Uuid>,
    green_channel: bool,
    classified: bool,
    version: i32,
}

/// A material the applicant handed in: which of the matter's materials, how many copies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubmittedMaterial {
    pub name: String,
    pub copies: u32,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: Uuid,
    pub number: String,
    pub parent_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub matter_version: Option<i32>,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub applicant_phone: Option<String>,
    pub project_name: Option<String>,
    pub channel: String,
    pub submitted_materials: Vec<SubmittedMaterial>,
    pub query_password_hash: Vec<u8>,
    pub state: CaseState,
    pub case_kind: CaseKind,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub submission_round: i32,
    pub accepted_on: Option<NaiveDate>,
    pub extension_days: u32,
    pub due_date: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub assignee_id: Option<Uuid>,
    pub first_contact_id: Option<Uuid>,
    pub green_channel: bool,
    pub classified: bool,
    pub version: i32,
}

fn days(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl TryFrom<CaseRow> for Case {
    type Error = DbError;
    fn try_from(r: CaseRow) -> Result<Self, DbError> {
        Ok(Case {
            id: r.id,
            number: r.number,
            parent_id: r.parent_id,
            matter_id: r.matter_id,
            matter_version: r.matter_version,
            organization_id: r.organization_id,
            window_id: r.window_id,
            applicant_id: r.applicant_id,
            applicant_name: r.applicant_name,
            applicant_type: parse_col(&r.applicant_type, ApplicantType::parse)?,
            applicant_phone: r.applicant_phone,
            project_name: r.project_name,
            channel: r.channel,
            submitted_materials: serde_json::from_value(r.submitted_materials)
                .map_err(|e| DbError::Other(e.to_string()))?,
            query_password_hash: r.query_password_hash,
            state: parse_col(&r.state, CaseState::parse)?,
            case_kind: parse_col(&r.case_kind, CaseKind::parse)?,
            statutory_days: days(r.statutory_days),
            promised_days: days(r.promised_days),
            received_at: r.received_at,
            received_on: r.received_on,
            submission_round: r.submission_round,
            accepted_on: r.accepted_on,
            extension_days: days(r.extension_days),
            due_date: r.due_date,
            decided_on: r.decided_on,
            assignee_id: r.assignee_id,
            first_contact_id: r.first_contact_id,
            green_channel: r.green_channel,
            classified: r.classified,
            version: r.version,
        })
    }
}

/// The decisive facts of a case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = case_outcomes, treat_none_as_null = true)]
pub struct Outcome {
    #[diesel(skip_update)]
    pub case_id: Uuid,
    pub accepted_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
    pub extension_reason: Option<String>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub result_number: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub delivery_method: Option<String>,
    #[diesel(skip_update)]
    pub updated_at: DateTime<Utc>,
    /// The last day to deliver the decision (AL Art.44), set by the decision.
    pub delivery_due: Option<NaiveDate>,
    /// The day the decision was delivered.
    pub delivered_on: Option<NaiveDate>,
}

impl Outcome {
    pub fn decision(&self) -> Result<Option<Decision>, DbError> {
        parse_opt_col(self.decision.as_deref(), Decision::parse)
    }
}

pub struct NewCase {
    pub id: Uuid,
    pub number: String,
    pub parent_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub matter_version: Option<i32>,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub applicant_phone: Option<String>,
    pub project_name: Option<String>,
    pub channel: String,
    pub submitted_materials: Vec<SubmittedMaterial>,
    pub query_password_hash: Vec<u8>,
    pub case_kind: CaseKind,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub first_contact_id: Option<Uuid>,
    pub green_channel: bool,
    pub classified: bool,
}

pub async fn insert_case(conn: &mut Conn, n: &NewCase) -> Result<Case, DbError> {
    let materials =
        serde_json::to_value(&n.submitted_materials).map_err(|e| DbError::Other(e.to_string()))?;
    let row: CaseRow = diesel::insert_into(cases::table)
        .values((
            cases::id.eq(n.id),
            cases::number.eq(&n.number),
            cases::parent_id.eq(n.parent_id),
            cases::matter_id.eq(n.matter_id),
            cases::matter_version.eq(n.matter_version),
            cases::organization_id.eq(n.organization_id),
            cases::window_id.eq(n.window_id),
            cases::applicant_id.eq(n.applicant_id),
            cases::applicant_name.eq(&n.applicant_name),
            cases::applicant_type.eq(n.applicant_type.as_str()),
            cases::applicant_phone.eq(&n.applicant_phone),
            cases::project_name.eq(&n.project_name),
            cases::channel.eq(&n.channel),
            cases::submitted_materials.eq(materials),
            cases::query_password_hash.eq(&n.query_password_hash),
            cases::state.eq(CaseState::Submitted.as_str()),
            cases::case_kind.eq(n.case_kind.as_str()),
            cases::statutory_days.eq(n.statutory_days as i32),
            cases::promised_days.eq(n.promised_days as i32),
            cases::received_at.eq(n.received_at),
            cases::received_on.eq(n.received_on),
            cases::first_contact_id.eq(n.first_contact_id),
            cases::green_channel.eq(n.green_channel),
            cases::classified.eq(n.classified),
        ))
        .returning(CaseRow::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(case_outcomes::table)
        .values(case_outcomes::case_id.eq(n.id))
        .execute(conn)
        .await?;
    row.try_into()
}

pub async fn get_case(conn: &mut Conn, id: Uuid) -> Result<Case, DbError> {
    let row: CaseRow = cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn get_case_for_update(conn: &mut Conn, id: Uuid) -> Result<Case, DbError> {
    let row: CaseRow = cases::table
        .find(id)
        .select(CaseRow::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn find_by_number(conn: &mut Conn, number: &str) -> Result<Option<Case>, DbError> {
    let row: Option<CaseRow> = cases::table
        .filter(cases::number.eq(number))
        .select(CaseRow::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(TryInto::try_into).transpose()
}

pub async fn children_of(conn: &mut Conn, parent: Uuid) -> Result<Vec<Case>, DbError> {
    let rows: Vec<CaseRow> = cases::table
        .filter(cases::parent_id.eq(parent))
        .select(CaseRow::as_select())
        .order(cases::id)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn outcome_of(conn: &mut Conn, id: Uuid) -> Result<Outcome, DbError> {
    Ok(case_outcomes::table
        .find(id)
        .select(Outcome::as_select())
        .first(conn)
        .await?)
}

/// The columns a case action changes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub struct CaseChanges {
    pub state: String,
    pub submission_round: i32,
    pub submitted_materials: Value,
    pub accepted_on: Option<NaiveDate>,
    pub extension_days: i32,
    pub due_date: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub assignee_id: Option<Uuid>,
}

impl CaseChanges {
    pub fn of(c: &Case) -> Result<Self, DbError> {
        Ok(CaseChanges {
            state: c.state.as_str().to_owned(),
            submission_round: c.submission_round,
            submitted_materials: serde_json::to_value(&c.submitted_materials)
                .map_err(|e| DbError::Other(e.to_string()))?,
            accepted_on: c.accepted_on,
            extension_days: c.extension_days as i32,
            due_date: c.due_date,
            decided_on: c.decided_on,
            assignee_id: c.assignee_id,
        })
    }
}

/// Saves a case's changes and outcome and bumps its version.
pub async fn save(
    conn: &mut Conn,
    id: Uuid,
    c: &CaseChanges,
    o: &Outcome,
) -> Result<Case, DbError> {
    let row: CaseRow = diesel::update(cases::table.find(id))
        .set((c, cases::version.eq(cases::version + 1)))
        .returning(CaseRow::as_returning())
        .get_result(conn)
        .await?;
    diesel::update(case_outcomes::table.find(id))
        .set((o, case_outcomes::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    row.try_into()
}

/// A line of the trail.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = case_events)]
pub struct Event {
    pub id: i64,
    pub case_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub note: Option<String>,
    pub data: Value,
}

pub async fn add_event(
    conn: &mut Conn,
    case_id: Uuid,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: &str,
    note: Option<&str>,
    data: Value,
) -> Result<(), DbError> {
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_id.eq(case_id),
            case_events::at.eq(at),
            case_events::actor_id.eq(actor_id),
            case_events::action.eq(action),
            case_events::note.eq(note),
            case_events::data.eq(data),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn events_of(conn: &mut Conn, case_id: Uuid) -> Result<Vec<Event>, DbError> {
    Ok(case_events::table
        .filter(case_events::case_id.eq(case_id))
        .select(Event::as_select())
        .order(case_events::id)
        .load(conn)
        .await?)
}

/// The next serial of an organisation's case numbers on a day (locked until commit).
pub async fn next_serial(
    conn: &mut Conn,
    organization_id: Uuid,
    day: NaiveDate,
) -> Result<i32, DbError> {
    Ok(diesel::insert_into(case_counters::table)
        .values((
            case_counters::organization_id.eq(organization_id),
            case_counters::day.eq(day),
            case_counters::last_serial.eq(1),
        ))
        .on_conflict((case_counters::organization_id, case_counters::day))
        .do_update()
        .set(case_counters::last_serial.eq(case_counters::last_serial + 1))
        .returning(case_counters::last_serial)
        .get_result(conn)
        .await?)
}

// ---------------------------------------------------------------- notices, pauses, steps, fees

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = case_missing_notices)]
pub struct Notice {
    pub case_id: Uuid,
    pub round: i32,
    pub items: Value,
    pub at: DateTime<Utc>,
    pub by_id: Uuid,
}

pub async fn insert_notice(conn: &mut Conn, n: &Notice) -> Result<(), DbError> {
    diesel::insert_into(case_missing_notices::table)
        .values((
            case_missing_notices::case_id.eq(n.case_id),
            case_missing_notices::round.eq(n.round),
            case_missing_notices::items.eq(&n.items),
            case_missing_notices::at.eq(n.at),
            case_missing_notices::by_id.eq(n.by_id),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn notices_of(conn: &mut Conn, case_id: Uuid) -> Result<Vec<Notice>, DbError> {
    Ok(case_missing_notices::table
        .filter(case_missing_notices::case_id.eq(case_id))
        .select(Notice::as_select())
        .order(case_missing_notices::round)
        .load(conn)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = case_pauses)]
struct PauseRow {
    case_id: Uuid,
    seq: i32,
    procedure: String,
    reason: String,
    start_on: NaiveDate,
    expected_end: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseRecord {
    pub seq: i32,
    pub procedure: SpecialProcedure,
    pub reason: String,
    pub start_on: NaiveDate,
    pub expected_end: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

impl TryFrom<PauseRow> for PauseRecord {
    type Error = DbError;
    fn try_from(r: PauseRow) -> Result<Self, DbError> {
        Ok(PauseRecord {
            seq: r.seq,
            procedure: parse_col(&r.procedure, SpecialProcedure::parse)?,
            reason: r.reason,
            start_on: r.start_on,
            expected_end: r.expected_end,
            end_on: r.end_on,
        })
    }
}

pub async fn pauses_of(conn: &mut Conn, case_id: Uuid) -> Result<Vec<PauseRecord>, DbError> {
    let rows: Vec<PauseRow> = case_pauses::table
        .filter(case_pauses::case_id.eq(case_id))
        .select(PauseRow::as_select())
        .order(case_pauses::seq)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// What a case's representation shows beside the case itself, for a page of cases.
#[derive(Debug, Default)]
pub struct Extras {
    pub outcomes: HashMap<Uuid, Outcome>,
    /// Special procedures, in order.
    pub pauses: HashMap<Uuid, Vec<PauseRecord>>,
    /// Sub-cases of projects, in id order.
    pub children: HashMap<Uuid, Vec<Case>>,
    /// Cases with a fee flagged for supervision.
    pub fee_anomalies: HashSet<Uuid>,
    /// Names of the matter versions the cases were filed under.
    pub matter_names: HashMap<(Uuid, i32), String>,
    /// Years without schedule their stored deadlines were counted across.
    pub years_without_calendar: HashMap<Uuid, Vec<i32>>,
}

/// [`Extras`] of the given cases in six statements, however many cases: a page of a list
/// costs what one case costs.
pub async fn extras_of(conn: &mut Conn, cases: &[Case]) -> Result<Extras, DbError> {
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let mut extras = Extras::default();
    if ids.is_empty() {
        return Ok(extras);
    }
    let outcomes: Vec<Outcome> = case_outcomes::table
        .filter(case_outcomes::case_id.eq_any(&ids))
        .select(Outcome::as_select())
        .load(conn)
        .await?;
    extras.outcomes = outcomes.into_iter().map(|o| (o.case_id, o)).collect();
    let pauses: Vec<PauseRow> = case_pauses::table
        .filter(case_pauses::case_id.eq_any(&ids))
        .select(PauseRow::as_select())
        .order((case_pauses::case_id, case_pauses::seq))
        .load(conn)
        .await?;
    for p in pauses {
        let case_id = p.case_id;
        extras
            .pauses
            .entry(case_id)
            .or_default()
            .push(p.try_into()?);
    }
    let children: Vec<CaseRow> = cases::table
        .filter(cases::parent_id.eq_any(&ids))
        .select(CaseRow::as_select())
        .order(cases::id)
        .load(conn)
        .await?;
    for row in children {
        let child: Case = row.try_into()?;
        if let Some(parent) = child.parent_id {
            extras.children.entry(parent).or_default().push(child);
        }
    }
    extras.fee_anomalies = case_fees::table
        .filter(case_fees::case_id.eq_any(&ids))
        .filter(case_fees::anomaly.is_not_null())
        .select(case_fees::case_id)
        .distinct()
        .load::<Uuid>(conn)
        .await?
        .into_iter()
        .collect();
    let versions: Vec<(Uuid, i32)> = cases
        .iter()
        .filter_map(|c| Some((c.matter_id?, c.matter_version?)))
        .collect();
    extras.matter_names = crate::matters::version_names(conn, &versions).await?;
    extras.years_without_calendar = crate::deadlines::years_of(conn, &ids).await?;
    Ok(extras)
}

pub async fn start_pause(conn: &mut Conn, case_id: Uuid, p: &PauseRecord) -> Result<(), DbError> {
    diesel::insert_into(case_pauses::table)
        .values((
            case_pauses::case_id.eq(case_id),
            case_pauses::seq.eq(p.seq),
            case_pauses::procedure.eq(p.procedure.as_str()),
            case_pauses::reason.eq(&p.reason),
            case_pauses::start_on.eq(p.start_on),
            case_pauses::expected_end.eq(p.expected_end),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn end_pause(
    conn: &mut Conn,
    case_id: Uuid,
    seq: i32,
    end_on: NaiveDate,
) -> Result<(), DbError> {
    diesel::update(case_pauses::table.find((case_id, seq)))
        .set(case_pauses::end_on.eq(Some(end_on)))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_steps)]
pub struct Step {
    pub case_id: Uuid,
    pub seq: i32,
    pub name: String,
    pub actor_id: Uuid,
    pub opinion: String,
    pub at: DateTime<Utc>,
}

pub async fn insert_step(conn: &mut Conn, s: &Step) -> Result<(), DbError> {
    diesel::insert_into(case_steps::table)
        .values(s)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn steps_of(conn: &mut Conn, case_id: Uuid) -> Result<Vec<Step>, DbError> {
    Ok(case_steps::table
        .filter(case_steps::case_id.eq(case_id))
        .select(Step::as_select())
        .order(case_steps::seq)
        .load(conn)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_fees)]
pub struct Fee {
    pub id: Uuid,
    pub case_id: Uuid,
    pub item_name: String,
    pub amount_fen: i64,
    pub anomaly: Option<String>,
    pub at: DateTime<Utc>,
    pub by_id: Uuid,
}

pub async fn insert_fee(conn: &mut Conn, f: &Fee) -> Result<(), DbError> {
    diesel::insert_into(case_fees::table)
        .values(f)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn fees_of(conn: &mut Conn, case_id: Uuid) -> Result<Vec<Fee>, DbError> {
    Ok(case_fees::table
        .filter(case_fees::case_id.eq(case_id))
        .select(Fee::as_select())
        .order(case_fees::at)
        .load(conn)
        .await?)
}

// ---------------------------------------------------------------- listing

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Cases of organisations in this subtree.
    pub within: Option<String>,
    pub organization_id: Option<Uuid>,
    pub applicant_id: Option<Uuid>,
    pub window_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub state: Option<CaseState>,
    pub assignee_id: Option<Uuid>,
    pub due_before: Option<NaiveDate>,
    /// Open cases whose due date is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub parent_id: Option<Uuid>,
    pub after_id: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &Filter) -> Result<Vec<Case>, DbError> {
    let mut q = cases::table
        .select(CaseRow::as_select())
        .order(cases::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(w) = &f.within {
        // Cases of the organisations in the subtree, and those taken in at its halls' windows.
        let pattern = format!("{}%", escape_like(w));
        let inside = organizations::table
            .filter(organizations::path.like(pattern.clone()))
            .select(organizations::id);
        let halls = organizations::table
            .filter(organizations::path.like(pattern))
            .select(organizations::id);
        let at_windows = windows::table
            .filter(windows::hall_id.eq_any(halls))
            .select(windows::id.nullable());
        q = q.filter(
            cases::organization_id
                .eq_any(inside)
                .or(cases::window_id.eq_any(at_windows)),
        );
    }
    if let Some(o) = f.organization_id {
        q = q.filter(cases::organization_id.eq(o));
    }
    if let Some(a) = f.applicant_id {
        q = q.filter(cases::applicant_id.eq(a));
    }
    if let Some(w) = f.window_id {
        q = q.filter(cases::window_id.eq(w));
    }
    if let Some(m) = f.matter_id {
        q = q.filter(cases::matter_id.eq(m));
    }
    if let Some(s) = f.state {
        q = q.filter(cases::state.eq(s.as_str()));
    }
    if let Some(a) = f.assignee_id {
        q = q.filter(cases::assignee_id.eq(a));
    }
    if let Some(d) = f.due_before {
        q = q.filter(cases::due_date.lt(d));
    }
    if let Some(d) = f.overdue_on {
        q = q
            .filter(
                cases::state.eq_any([CaseState::Accepted.as_str(), CaseState::Suspended.as_str()]),
            )
            .filter(cases::due_date.lt(d));
    }
    if let Some(d) = f.received_from {
        q = q.filter(cases::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(cases::received_on.le(d));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(cases::parent_id.eq(p));
    }
    if let Some(a) = f.after_id {
        q = q.filter(cases::id.gt(a));
    }
    let rows: Vec<CaseRow> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// What the statistics need of one case.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StatRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub hall_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub state: String,
    pub case_kind: String,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub promised_days: i32,
    pub extension_days: i32,
}

/// Which cases [`stat_rows`] reads.
#[derive(Debug, Clone, Copy)]
pub enum StatCases<'a> {
    /// Those received in `from..=to` within a subtree (all when `None`).
    Received {
        within: Option<&'a str>,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Of those, only the ones whose (organisation, day) is queued for the statistics
    /// refresher: the days the pre-aggregate does not answer for yet.
    Queued {
        within: Option<&'a str>,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Those of the given (organisation, day of receipt) pairs.
    Days(&'a [(Uuid, NaiveDate)]),
}

/// The cases (not project containers) chosen by `which`, with the hall of their window and
/// their handler (assignee, else the first contact).
pub async fn stat_rows(conn: &mut Conn, which: StatCases<'_>) -> Result<Vec<StatRow>, DbError> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Array, Bool, Date};
    let mut q = cases::table
        .left_join(windows::table)
        .filter(cases::matter_id.is_not_null())
        .select((
            cases::id,
            cases::organization_id,
            cases::window_id,
            windows::hall_id.nullable(),
            sql::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>>(
                "coalesce(cases.assignee_id, cases.first_contact_id)",
            ),
            cases::matter_id,
            cases::state,
            cases::case_kind,
            cases::received_on,
            cases::accepted_on,
            cases::decided_on,
            cases::due_date,
            cases::promised_days,
            cases::extension_days,
        ))
        .into_boxed();
    match which {
        StatCases::Received { within, from, to } | StatCases::Queued { within, from, to } => {
            q = q.filter(cases::received_on.between(from, to));
            if let Some(w) = within {
                q = q.filter(cases::organization_id.eq_any(crate::orgs::ids_within(w)));
            }
            if matches!(which, StatCases::Queued { .. }) {
                q = q.filter(sql::<Bool>(
                    "EXISTS (SELECT 1 FROM case_stat_queue q \
                      WHERE q.organization_id = cases.organization_id \
                        AND q.received_on = cases.received_on)",
                ));
            }
        }
        StatCases::Days(days) => {
            if days.is_empty() {
                return Ok(Vec::new());
            }
            let (orgs, on): (Vec<Uuid>, Vec<NaiveDate>) = days.iter().copied().unzip();
            q = q.filter(
                sql::<Bool>("(cases.organization_id, cases.received_on) IN (SELECT * FROM unnest(")
                    .bind::<Array<diesel::sql_types::Uuid>, _>(orgs)
                    .sql(", ")
                    .bind::<Array<Date>, _>(on)
                    .sql("))"),
            );
        }
    }
    Ok(q.load(conn).await?)
}

/// Closed pauses of the given cases: (case, start, end).
pub async fn closed_pauses(
    conn: &mut Conn,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, NaiveDate, NaiveDate)>, DbError> {
    let rows: Vec<(Uuid, NaiveDate, Option<NaiveDate>)> = case_pauses::table
        .filter(case_pauses::case_id.eq_any(ids))
        .filter(case_pauses::end_on.is_not_null())
        .select((
            case_pauses::case_id,
            case_pauses::start_on,
            case_pauses::end_on,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, s, e)| e.map(|e| (c, s, e)))
        .collect())
}
