//! Pre-aggregated case statistics: the measures of the cases one organisation received on
//! one day, per hall (`case_stat_days`), and the queue of days whose records changed since
//! (`case_stat_queue`, filled by triggers in the transaction of each change).
//!
//! A reader sums the aggregate of the days that are not queued and counts the records of
//! those that are, in one snapshot ([`crate::db`]'s repeatable-read transaction): the answer
//! is always the one the records give. The refresher recomputes queued days and removes
//! the queue rows it read before reading the days' cases, never rows committed after.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::services::CaseMeasures;

use crate::db::{Conn, DbError};
use crate::schema::{case_stat_days, case_stat_queue};
use crate::scope::{Scope, path_pattern};

/// The summable measures of a group of cases, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Sums {
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub accepted: i64,
    #[diesel(sql_type = BigInt)]
    pub refused: i64,
    #[diesel(sql_type = BigInt)]
    pub completed: i64,
    #[diesel(sql_type = BigInt)]
    pub completed_on_time: i64,
    #[diesel(sql_type = BigInt)]
    pub completed_early: i64,
    #[diesel(sql_type = BigInt)]
    pub immediate_completed: i64,
    #[diesel(sql_type = BigInt)]
    pub immediate_on_the_spot: i64,
    #[diesel(sql_type = BigInt)]
    pub working_days_used_total: i64,
    #[diesel(sql_type = BigInt)]
    pub limit_days_total: i64,
}

impl Sums {
    pub fn measures(&self) -> CaseMeasures {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        CaseMeasures {
            received: n(self.received),
            accepted: n(self.accepted),
            refused: n(self.refused),
            completed: n(self.completed),
            completed_on_time: n(self.completed_on_time),
            completed_early: n(self.completed_early),
            immediate_completed: n(self.immediate_completed),
            immediate_on_the_spot: n(self.immediate_on_the_spot),
            working_days_used_total: n(self.working_days_used_total),
            limit_days_total: n(self.limit_days_total),
        }
    }
}

/// The sums of one group: an organisation or a hall (`None`: cases without a hall).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct GroupSums {
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub key: Option<Uuid>,
    #[diesel(embed)]
    pub sums: Sums,
}

/// What the aggregate groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatKey {
    Org,
    Hall,
}

/// The aggregate of the days in `from..=to` within the scope that are not queued, grouped by
/// organisation or hall.
pub async fn clean_sums(
    conn: &mut Conn,
    within: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    by: StatKey,
) -> Result<Vec<GroupSums>, DbError> {
    let key = match by {
        StatKey::Org => "d.organization_id",
        StatKey::Hall => "d.hall_id",
    };
    let like = path_pattern(within).unwrap_or_else(|| "%".to_owned());
    Ok(crate::sql::prepared(format!(
        "SELECT {key} AS key,
                sum(d.received)::int8 AS received, sum(d.accepted)::int8 AS accepted,
                sum(d.refused)::int8 AS refused, sum(d.completed)::int8 AS completed,
                sum(d.completed_on_time)::int8 AS completed_on_time,
                sum(d.completed_early)::int8 AS completed_early,
                sum(d.immediate_completed)::int8 AS immediate_completed,
                sum(d.immediate_on_the_spot)::int8 AS immediate_on_the_spot,
                sum(d.working_days_used_total)::int8 AS working_days_used_total,
                sum(d.limit_days_total)::int8 AS limit_days_total
           FROM case_stat_days d
          WHERE d.received_on BETWEEN $1 AND $2
            AND d.organization_id IN (SELECT o.id FROM organizations o WHERE o.path LIKE $3)
            AND NOT EXISTS (SELECT 1 FROM case_stat_queue q
                             WHERE q.organization_id = d.organization_id
                               AND q.received_on = d.received_on)
          GROUP BY 1"
    ))
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Text, _>(like)
    .load(conn)
    .await?)
}

/// Takes the refresher's lock for the rest of the transaction; `false` when another
/// process holds it (that one is refreshing).
pub async fn try_lock_refresh(conn: &mut Conn) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let r: Locked = crate::sql::prepared(
        "SELECT pg_try_advisory_xact_lock(hashtext('zhengwu.case_stat_refresh')) AS locked",
    )
    .get_result(conn)
    .await?;
    Ok(r.locked)
}

/// The (organisation, day) of the oldest `limit` queue rows.
pub async fn queued(conn: &mut Conn, limit: i64) -> Result<Vec<(Uuid, NaiveDate)>, DbError> {
    Ok(case_stat_queue::table
        .select((
            case_stat_queue::organization_id,
            case_stat_queue::received_on,
        ))
        .order(case_stat_queue::id)
        .limit(limit)
        .load(conn)
        .await?)
}

/// Every queue row of the given days committed so far. Read before the days' cases, so
/// that each is reflected in what is computed from them and can be removed with the rest.
pub async fn queued_of(conn: &mut Conn, days: &[(Uuid, NaiveDate)]) -> Result<Vec<i64>, DbError> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let (orgs, on): (Vec<Uuid>, Vec<NaiveDate>) = days.iter().copied().unzip();
    let ids: Vec<Id> = crate::sql::prepared(
        "SELECT q.id FROM case_stat_queue q
           JOIN unnest($1, $2) AS k(organization_id, received_on)
             ON q.organization_id = k.organization_id AND q.received_on = k.received_on",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(orgs)
    .bind::<Array<Date>, _>(on)
    .load(conn)
    .await?;
    Ok(ids.into_iter().map(|i| i.id).collect())
}

/// How many queue rows wait.
pub async fn queue_len(conn: &mut Conn) -> Result<i64, DbError> {
    Ok(case_stat_queue::table.count().get_result(conn).await?)
}

/// One stored group: an organisation's cases of a day in one hall.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRow {
    pub organization_id: Uuid,
    pub received_on: NaiveDate,
    pub hall_id: Option<Uuid>,
    pub measures: CaseMeasures,
}

/// Replaces the stored groups of the given days by `rows` and removes the queue rows
/// `done` (those read before the rows were computed).
pub async fn replace_days(
    conn: &mut Conn,
    days: &[(Uuid, NaiveDate)],
    rows: &[DayRow],
    done: &[i64],
) -> Result<(), DbError> {
    let (orgs, on): (Vec<Uuid>, Vec<NaiveDate>) = days.iter().copied().unzip();
    crate::sql::prepared(
        "DELETE FROM case_stat_days d USING unnest($1, $2) AS k(organization_id, received_on)
          WHERE d.organization_id = k.organization_id AND d.received_on = k.received_on",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(orgs)
    .bind::<Array<Date>, _>(on)
    .execute(conn)
    .await?;
    let n = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
    let big = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    for chunk in rows.chunks(2000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    case_stat_days::organization_id.eq(r.organization_id),
                    case_stat_days::received_on.eq(r.received_on),
                    case_stat_days::hall_id.eq(r.hall_id),
                    case_stat_days::received.eq(n(r.measures.received)),
                    case_stat_days::accepted.eq(n(r.measures.accepted)),
                    case_stat_days::refused.eq(n(r.measures.refused)),
                    case_stat_days::completed.eq(n(r.measures.completed)),
                    case_stat_days::completed_on_time.eq(n(r.measures.completed_on_time)),
                    case_stat_days::completed_early.eq(n(r.measures.completed_early)),
                    case_stat_days::immediate_completed.eq(n(r.measures.immediate_completed)),
                    case_stat_days::immediate_on_the_spot.eq(n(r.measures.immediate_on_the_spot)),
                    case_stat_days::working_days_used_total
                        .eq(big(r.measures.working_days_used_total)),
                    case_stat_days::limit_days_total.eq(big(r.measures.limit_days_total)),
                )
            })
            .collect();
        diesel::insert_into(case_stat_days::table)
            .values(values)
            .execute(conn)
            .await?;
    }
    diesel::delete(case_stat_queue::table.filter(case_stat_queue::id.eq_any(done)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The entries waiting in the refreshers' queues, by queue: `case_statistics` (days to
/// recount) and `obligations` (changes to settle). For the operators' metrics.
pub async fn backlogs(conn: &mut Conn) -> Result<Vec<(String, i64)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        queue: String,
        #[diesel(sql_type = BigInt)]
        entries: i64,
    }
    let rows: Vec<Row> = crate::sql::prepared(
        "SELECT 'case_statistics' AS queue, count(*) AS entries FROM case_stat_queue \
         UNION ALL SELECT 'obligations', count(*) FROM obligation_queue",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.queue, r.entries)).collect())
}
