//! Cases (办件), their trail, pauses, review steps, notices and fees.

mod listing;
mod records;
mod stats;

pub use listing::{Filter, Listed, list};
pub use records::*;
pub use stats::{StatCases, StatRow, closed_pauses, stat_rows};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use records::PauseRow;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
pub use zhengwu_domain::cases::SubmittedMaterial;
use zhengwu_domain::cases::{CaseState, Decision};
use zhengwu_domain::ids::CaseId;
use zhengwu_domain::services::CaseKind;

use crate::db::{Conn, DbError};
use crate::schema::{
    case_counters, case_events, case_fees, case_outcomes, case_pauses, cases,
    service_matter_versions,
};
use crate::sql::{Cached, one_or_any};
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

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub number: String,
    pub parent_id: Option<CaseId>,
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
            id: CaseId(r.id),
            number: r.number,
            parent_id: r.parent_id.map(CaseId),
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
    pub id: CaseId,
    pub number: String,
    pub parent_id: Option<CaseId>,
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
            cases::id.eq(n.id.0),
            cases::number.eq(&n.number),
            cases::parent_id.eq(n.parent_id.map(|p| p.0)),
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
        .values(case_outcomes::case_id.eq(n.id.0))
        .execute(conn)
        .await?;
    row.try_into()
}

/// A case. Takes a shared connection, so that it can be sent together with other
/// statements (one round trip).
pub async fn get_case(mut conn: &Conn, id: CaseId) -> Result<Case, DbError> {
    let row: CaseRow = cases::table
        .find(id.0)
        .select(CaseRow::as_select())
        .first(&mut conn)
        .await?;
    row.try_into()
}

/// A case, locked until the transaction ends. Takes a shared connection, so that it can be
/// sent together with the statements that follow it (one round trip; they run once it has
/// its lock).
pub async fn get_case_for_update(mut conn: &Conn, id: CaseId) -> Result<Case, DbError> {
    let row: CaseRow = cases::table
        .find(id.0)
        .select(CaseRow::as_select())
        .for_update()
        .first(&mut conn)
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

pub async fn children_of(conn: &mut Conn, parent: CaseId) -> Result<Vec<Case>, DbError> {
    let rows: Vec<CaseRow> = cases::table
        .filter(cases::parent_id.eq(parent.0))
        .select(CaseRow::as_select())
        .order(cases::id)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// A case's outcome. Takes a shared connection, so that it can be sent together with other
/// statements (one round trip).
pub async fn outcome_of(mut conn: &Conn, id: CaseId) -> Result<Outcome, DbError> {
    Ok(case_outcomes::table
        .find(id.0)
        .select(Outcome::as_select())
        .first(&mut conn)
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

/// Saves a case's changes and outcome, bumps its version, and returns both as stored.
pub async fn save(
    conn: &Conn,
    id: CaseId,
    c: &CaseChanges,
    o: &Outcome,
) -> Result<(Case, Outcome), DbError> {
    // Both changesets write every field: each text is one, kept prepared. The two are sent
    // together.
    let case = Cached(
        diesel::update(cases::table.find(id.0))
            .set((c, cases::version.eq(cases::version + 1)))
            .returning(CaseRow::as_returning()),
    )
    .get_result::<CaseRow>(&mut &*conn);
    let outcome = Cached(
        diesel::update(case_outcomes::table.find(id.0))
            .set((o, case_outcomes::updated_at.eq(diesel::dsl::now)))
            .returning(Outcome::as_returning()),
    )
    .get_result::<Outcome>(&mut &*conn);
    let (row, outcome) = futures_util::future::try_join(case, outcome).await?;
    Ok((row.try_into()?, outcome))
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
    mut conn: &Conn,
    case_id: CaseId,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: &str,
    note: Option<&str>,
    data: Value,
) -> Result<(), DbError> {
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_id.eq(case_id.0),
            case_events::at.eq(at),
            case_events::actor_id.eq(actor_id),
            case_events::action.eq(action),
            case_events::note.eq(note),
            case_events::data.eq(data),
        ))
        .execute(&mut conn)
        .await?;
    Ok(())
}

pub async fn events_of(conn: &mut Conn, case_id: CaseId) -> Result<Vec<Event>, DbError> {
    Ok(case_events::table
        .filter(case_events::case_id.eq(case_id.0))
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

/// The join condition of a case's matter version: the version it was filed under.
#[diesel::dsl::auto_type]
pub(crate) fn filed_version() -> _ {
    service_matter_versions::matter_id
        .nullable()
        .eq(cases::matter_id)
        .and(
            service_matter_versions::number
                .nullable()
                .eq(cases::matter_version),
        )
}

/// What a case's representation shows beside the case itself, for a page of cases.
#[derive(Debug, Default)]
pub struct Extras {
    pub outcomes: HashMap<CaseId, Outcome>,
    /// Special procedures, in order.
    pub pauses: HashMap<CaseId, Vec<PauseRecord>>,
    /// Sub-cases of projects, in id order.
    pub children: HashMap<CaseId, Vec<Case>>,
    /// Cases with a fee flagged for supervision.
    pub fee_anomalies: HashSet<CaseId>,
    /// Names of the matter versions the cases were filed under.
    pub matter_names: HashMap<(Uuid, i32), String>,
    /// Years without schedule their stored deadlines were counted across.
    pub years_without_calendar: HashMap<CaseId, Vec<i32>>,
}

/// [`Extras`] of the given cases in at most six statements sent together (pipelined, one
/// round trip), however many cases: a page of a list costs what one case costs. What
/// cannot exist is not asked for: special procedures and stored deadlines only of accepted
/// cases, sub-cases only of projects.
pub async fn extras_of(conn: &Conn, cases: &[Case]) -> Result<Extras, DbError> {
    let (lines, rest) =
        futures_util::future::try_join(lines_of(conn, cases), rest_of(conn, cases, Pauses::Read))
            .await?;
    Ok(lines.with_rest(rest))
}

/// The cases of a list and their [`Extras`]: the outcomes, fee flags and matter names the
/// list's statement read, and the rest read as [`extras_of`] reads it.
pub async fn extras_of_listed(
    conn: &Conn,
    listed: Vec<Listed>,
) -> Result<(Vec<Case>, Extras), DbError> {
    let mut lines = Extras::default();
    let mut cases = Vec::with_capacity(listed.len());
    for l in listed {
        if l.fee_anomaly {
            lines.fee_anomalies.insert(l.case.id);
        }
        if let (Some(m), Some(v), Some(name)) =
            (l.case.matter_id, l.case.matter_version, l.matter_name)
        {
            lines.matter_names.insert((m, v), name);
        }
        lines.outcomes.insert(l.case.id, l.outcome);
        cases.push(l.case);
    }
    let rest = rest_of(conn, &cases, Pauses::Read).await?;
    Ok((cases, lines.with_rest(rest)))
}

impl Extras {
    /// These outcomes, fee flags and matter names with the rest from `rest`.
    fn with_rest(self, rest: Extras) -> Extras {
        Extras {
            outcomes: self.outcomes,
            fee_anomalies: self.fee_anomalies,
            matter_names: self.matter_names,
            ..rest
        }
    }
}

/// The part of [`Extras`] a list reads with its cases: outcomes, fee flags, matter names.
async fn lines_of(conn: &Conn, cases: &[Case]) -> Result<Extras, DbError> {
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id.0).collect();
    if ids.is_empty() {
        return Ok(Extras::default());
    }
    let outcomes = case_outcomes::table
        .filter(one_or_any(case_outcomes::case_id, &ids))
        .select(Outcome::as_select())
        .load::<Outcome>(&mut &*conn);
    let (outcomes, mut extras) = futures_util::future::try_join(
        async { Ok::<_, DbError>(outcomes.await?) },
        flags_and_names(conn, cases),
    )
    .await?;
    extras.outcomes = outcomes
        .into_iter()
        .map(|o| (CaseId(o.case_id), o))
        .collect();
    Ok(extras)
}

/// The fee flags and matter names of [`Extras`].
async fn flags_and_names(conn: &Conn, cases: &[Case]) -> Result<Extras, DbError> {
    let mut extras = Extras::default();
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id.0).collect();
    if ids.is_empty() {
        return Ok(extras);
    }
    let versions: Vec<(Uuid, i32)> = cases
        .iter()
        .filter_map(|c| Some((c.matter_id?, c.matter_version?)))
        .collect();
    let fees = case_fees::table
        .filter(one_or_any(case_fees::case_id, &ids))
        .filter(case_fees::anomaly.is_not_null())
        .select(case_fees::case_id)
        .distinct()
        .load::<Uuid>(&mut &*conn);
    let (fees, names) = futures_util::future::try_join(
        async { Ok::<_, DbError>(fees.await?) },
        crate::matters::version_names(conn, &versions),
    )
    .await?;
    extras.fee_anomalies = fees.into_iter().map(CaseId).collect();
    extras.matter_names = names;
    Ok(extras)
}

/// [`Extras`] of one case a transition has just written, given what it already holds: the
/// outcome it wrote and, when it read them after its own writes, the special procedures.
pub async fn extras_after(
    conn: &Conn,
    case: &Case,
    outcome: Outcome,
    pauses: Option<Vec<PauseRecord>>,
) -> Result<Extras, DbError> {
    let cases = std::slice::from_ref(case);
    let known = match pauses {
        Some(_) => Pauses::Known,
        None => Pauses::Read,
    };
    let (mut extras, rest) =
        futures_util::future::try_join(flags_and_names(conn, cases), rest_of(conn, cases, known))
            .await?;
    extras.outcomes.insert(case.id, outcome);
    let mut extras = extras.with_rest(rest);
    if let Some(p) = pauses {
        extras.pauses.insert(case.id, p);
    }
    Ok(extras)
}

/// Whether [`rest_of`] reads the special procedures or the caller holds them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pauses {
    Read,
    Known,
}

/// The rest of [`Extras`]: special procedures, sub-cases, years without a calendar.
async fn rest_of(conn: &Conn, cases: &[Case], pauses: Pauses) -> Result<Extras, DbError> {
    use futures_util::future::try_join3;
    let mut extras = Extras::default();
    let accepted: Vec<Uuid> = cases
        .iter()
        .filter(|c| c.accepted_on.is_some())
        .map(|c| c.id.0)
        .collect();
    let projects: Vec<Uuid> = cases
        .iter()
        .filter(|c| c.matter_id.is_none())
        .map(|c| c.id.0)
        .collect();
    // Sent on the first poll, with the others; nothing is sent when nothing can be found.
    let pauses = async {
        if accepted.is_empty() || pauses == Pauses::Known {
            return Ok(Vec::new());
        }
        case_pauses::table
            .filter(one_or_any(case_pauses::case_id, &accepted))
            .select(PauseRow::as_select())
            .order((case_pauses::case_id, case_pauses::seq))
            .load::<PauseRow>(&mut &*conn)
            .await
    };
    let children = async {
        if projects.is_empty() {
            return Ok(Vec::new());
        }
        cases::table
            .filter(cases::parent_id.eq_any(&projects))
            .select(CaseRow::as_select())
            .order(cases::id)
            .load::<CaseRow>(&mut &*conn)
            .await
    };
    let (pauses, children, years) = try_join3(
        async { Ok::<_, DbError>(pauses.await?) },
        async { Ok::<_, DbError>(children.await?) },
        crate::deadlines::years_of(conn, &accepted),
    )
    .await?;
    for p in pauses {
        let case_id = CaseId(p.case_id);
        extras
            .pauses
            .entry(case_id)
            .or_default()
            .push(p.try_into()?);
    }
    for row in children {
        let child: Case = row.try_into()?;
        if let Some(parent) = child.parent_id {
            extras.children.entry(parent).or_default().push(child);
        }
    }
    extras.years_without_calendar = years
        .into_iter()
        .map(|(id, years)| (CaseId(id), years))
        .collect();
    Ok(extras)
}
