//! What the statistics read of cases.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::schema::{case_pauses, cases, windows};
use crate::scope::{Scope, org_ids};

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
    /// Those received in `from..=to` within the scope.
    Received {
        within: &'a Scope,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Of those, only the ones whose (organisation, day) is queued for the statistics
    /// refresher: the days the pre-aggregate does not answer for yet.
    Queued {
        within: &'a Scope,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Those of the given (organisation, day of receipt) pairs.
    Days(&'a [(Uuid, NaiveDate)]),
    /// The given cases.
    Ids(&'a [Uuid]),
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
            if let Some(inside) = org_ids(within) {
                q = q.filter(cases::organization_id.eq_any(inside));
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
        StatCases::Ids(ids) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q = q.filter(cases::id.eq_any(ids));
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
