//! What a case gathers on its way: one-time notices, special procedures (pauses),
//! review steps and fees.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::cases::SpecialProcedure;
use zhengwu_domain::ids::CaseId;

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::{case_fees, case_missing_notices, case_pauses, case_steps};

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

pub async fn notices_of(mut conn: &Conn, case_id: CaseId) -> Result<Vec<Notice>, DbError> {
    Ok(case_missing_notices::table
        .filter(case_missing_notices::case_id.eq(case_id.0))
        .select(Notice::as_select())
        .order(case_missing_notices::round)
        .load(&mut conn)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = case_pauses)]
pub(super) struct PauseRow {
    pub(super) case_id: Uuid,
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

pub async fn pauses_of(mut conn: &Conn, case_id: CaseId) -> Result<Vec<PauseRecord>, DbError> {
    let rows: Vec<PauseRow> = case_pauses::table
        .filter(case_pauses::case_id.eq(case_id.0))
        .select(PauseRow::as_select())
        .order(case_pauses::seq)
        .load(&mut conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn start_pause(conn: &mut Conn, case_id: CaseId, p: &PauseRecord) -> Result<(), DbError> {
    diesel::insert_into(case_pauses::table)
        .values((
            case_pauses::case_id.eq(case_id.0),
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
    case_id: CaseId,
    seq: i32,
    end_on: NaiveDate,
) -> Result<(), DbError> {
    diesel::update(case_pauses::table.find((case_id.0, seq)))
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

pub async fn steps_of(conn: &mut Conn, case_id: CaseId) -> Result<Vec<Step>, DbError> {
    Ok(case_steps::table
        .filter(case_steps::case_id.eq(case_id.0))
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

pub async fn fees_of(conn: &mut Conn, case_id: CaseId) -> Result<Vec<Fee>, DbError> {
    Ok(case_fees::table
        .filter(case_fees::case_id.eq(case_id.0))
        .select(Fee::as_select())
        .order(case_fees::at)
        .load(conn)
        .await?)
}
