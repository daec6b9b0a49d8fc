//! Pre-aggregated case statistics: the measures of the cases one organisation received on
//! one day, per hall (`case_stat_days`), and the queue of days whose records changed since
//! (`case_stat_queue`, filled by triggers in the transaction of each change).
//!
//! A reader sums the aggregate of the days that are not queued and counts the records of
//! those that are, in one snapshot ([`crate::db`]'s repeatable-read transaction): the answer
//! is always the one the records give.
//!
//! The sums of a day and hall are always the sums of its cases' own contributions, which are
//! stored too (`case_stat_cases`). The refresher recomputes the contributions of the queued
//! cases (of every case of a day queued whole), adds the differences to the sums, and
//! removes the queue rows it read before reading the cases, never rows committed after: a
//! change costs the refresher its own case, not its day's.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, SmallInt, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::services::CaseMeasures;

use crate::db::{Conn, DbError};
use crate::schema::case_stat_queue;
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

/// A queue row: the (organisation, day) a change touched and the case it is about (`None`:
/// every case of the day, as after a window moved to another hall or a calendar changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct QueueRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Date)]
    pub received_on: NaiveDate,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub case_id: Option<Uuid>,
}

/// Every queue row of the given days committed so far. Read before the cases, so that
/// each is reflected in what is computed from them and can be removed with the rest.
pub async fn queued_of(
    conn: &mut Conn,
    days: &[(Uuid, NaiveDate)],
) -> Result<Vec<QueueRow>, DbError> {
    let (orgs, on): (Vec<Uuid>, Vec<NaiveDate>) = days.iter().copied().unzip();
    Ok(crate::sql::prepared(
        "SELECT q.id, q.organization_id, q.received_on, q.case_id FROM case_stat_queue q
           JOIN unnest($1, $2) AS k(organization_id, received_on)
             ON q.organization_id = k.organization_id AND q.received_on = k.received_on",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(orgs)
    .bind::<Array<Date>, _>(on)
    .load(conn)
    .await?)
}

/// Where a case's contribution is summed: its organisation, day of receipt and hall.
pub type DayKey = (Uuid, NaiveDate, Option<Uuid>);

/// One case's contribution to the sums of its day and hall.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub case_id: Uuid,
    pub key: DayKey,
    pub measures: CaseMeasures,
}

#[derive(QueryableByName)]
struct ContributionRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    case_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    organization_id: Uuid,
    #[diesel(sql_type = Date)]
    received_on: NaiveDate,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    hall_id: Option<Uuid>,
    #[diesel(sql_type = SmallInt)]
    accepted: i16,
    #[diesel(sql_type = SmallInt)]
    refused: i16,
    #[diesel(sql_type = SmallInt)]
    completed: i16,
    #[diesel(sql_type = SmallInt)]
    completed_on_time: i16,
    #[diesel(sql_type = SmallInt)]
    completed_early: i16,
    #[diesel(sql_type = SmallInt)]
    immediate_completed: i16,
    #[diesel(sql_type = SmallInt)]
    immediate_on_the_spot: i16,
    #[diesel(sql_type = Integer)]
    working_days_used: i32,
    #[diesel(sql_type = Integer)]
    limit_days: i32,
}

impl From<ContributionRow> for Contribution {
    fn from(r: ContributionRow) -> Self {
        let n = |v: i16| u64::try_from(v).unwrap_or(0);
        let days = |v: i32| u64::try_from(v).unwrap_or(0);
        Contribution {
            case_id: r.case_id,
            key: (r.organization_id, r.received_on, r.hall_id),
            measures: CaseMeasures {
                received: 1,
                accepted: n(r.accepted),
                refused: n(r.refused),
                completed: n(r.completed),
                completed_on_time: n(r.completed_on_time),
                completed_early: n(r.completed_early),
                immediate_completed: n(r.immediate_completed),
                immediate_on_the_spot: n(r.immediate_on_the_spot),
                working_days_used_total: days(r.working_days_used),
                limit_days_total: days(r.limit_days),
            },
        }
    }
}

/// The stored contributions of the given cases and of every case stored under the given
/// days.
pub async fn contributions(
    conn: &mut Conn,
    cases: &[Uuid],
    days: &[(Uuid, NaiveDate)],
) -> Result<Vec<Contribution>, DbError> {
    let (orgs, on): (Vec<Uuid>, Vec<NaiveDate>) = days.iter().copied().unzip();
    let rows: Vec<ContributionRow> = crate::sql::prepared(
        "SELECT s.case_id, s.organization_id, s.received_on, s.hall_id, s.accepted, s.refused,
                s.completed, s.completed_on_time, s.completed_early, s.immediate_completed,
                s.immediate_on_the_spot, s.working_days_used, s.limit_days
           FROM case_stat_cases s WHERE s.case_id = ANY($1)
         UNION
         SELECT s.case_id, s.organization_id, s.received_on, s.hall_id, s.accepted, s.refused,
                s.completed, s.completed_on_time, s.completed_early, s.immediate_completed,
                s.immediate_on_the_spot, s.working_days_used, s.limit_days
           FROM case_stat_cases s JOIN unnest($2, $3) AS k(organization_id, received_on)
             ON s.organization_id = k.organization_id AND s.received_on = k.received_on",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(cases)
    .bind::<Array<diesel::sql_types::Uuid>, _>(orgs)
    .bind::<Array<Date>, _>(on)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(Contribution::from).collect())
}

impl Sums {
    /// The measures in the order of the stored columns: received, accepted, refused,
    /// completed, on time, early, immediate completed, on the spot, working days used,
    /// limit days.
    fn values(&self) -> [i64; 10] {
        [
            self.received,
            self.accepted,
            self.refused,
            self.completed,
            self.completed_on_time,
            self.completed_early,
            self.immediate_completed,
            self.immediate_on_the_spot,
            self.working_days_used_total,
            self.limit_days_total,
        ]
    }

    fn from_values(v: [i64; 10]) -> Self {
        let [
            received,
            accepted,
            refused,
            completed,
            completed_on_time,
            completed_early,
            immediate_completed,
            immediate_on_the_spot,
            working_days_used_total,
            limit_days_total,
        ] = v;
        Sums {
            received,
            accepted,
            refused,
            completed,
            completed_on_time,
            completed_early,
            immediate_completed,
            immediate_on_the_spot,
            working_days_used_total,
            limit_days_total,
        }
    }

    /// One group's measures as sums.
    fn of(m: &CaseMeasures) -> Self {
        Sums::from_values(
            [
                m.received,
                m.accepted,
                m.refused,
                m.completed,
                m.completed_on_time,
                m.completed_early,
                m.immediate_completed,
                m.immediate_on_the_spot,
                m.working_days_used_total,
                m.limit_days_total,
            ]
            .map(|x| i64::try_from(x).unwrap_or(i64::MAX)),
        )
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) one group's measures.
    fn add(&mut self, m: &CaseMeasures, sign: i64) {
        let mut v = self.values();
        for (total, x) in v.iter_mut().zip(Sums::of(m).values()) {
            *total += sign * x;
        }
        *self = Sums::from_values(v);
    }
}

/// What replacing the contributions `old` by `new` changes in the stored sums, per day and
/// hall (groups whose sums do not change are left out).
pub fn differences(old: &[Contribution], new: &[Contribution]) -> Vec<(DayKey, Sums)> {
    let mut out: BTreeMap<DayKey, Sums> = BTreeMap::new();
    for (side, sign) in [(old, -1), (new, 1)] {
        for c in side {
            out.entry(c.key).or_default().add(&c.measures, sign);
        }
    }
    out.into_iter()
        .filter(|(_, d)| *d != Sums::default())
        .collect()
}

/// Stores the refresher's work in one go: adds the `differences` to the stored sums
/// (removing the groups left without cases), replaces the contributions `old` by `new`, and
/// removes the queue rows `done` (those read before the cases were).
pub async fn settle(
    conn: &mut Conn,
    differences: &[(DayKey, Sums)],
    old: &[Contribution],
    new: &[Contribution],
    done: &[i64],
) -> Result<(), DbError> {
    if !differences.is_empty() {
        add_to_days(conn, differences).await?;
    }
    let gone: Vec<Uuid> = old.iter().map(|c| c.case_id).collect();
    crate::sql::prepared("DELETE FROM case_stat_cases WHERE case_id = ANY($1)")
        .bind::<Array<diesel::sql_types::Uuid>, _>(gone)
        .execute(conn)
        .await?;
    for chunk in new.chunks(5000) {
        insert_contributions(conn, chunk).await?;
    }
    crate::sql::prepared("DELETE FROM case_stat_queue WHERE id = ANY($1)")
        .bind::<Array<BigInt>, _>(done)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds signed differences to the stored groups, creating those that are new, and removes
/// the groups of those days that no case is counted in any more.
async fn add_to_days(conn: &mut Conn, differences: &[(DayKey, Sums)]) -> Result<(), DbError> {
    let mut k = (Vec::new(), Vec::new(), Vec::new());
    let mut v: [Vec<i64>; 10] = Default::default();
    for ((org, day, hall), d) in differences {
        k.0.push(*org);
        k.1.push(*day);
        k.2.push(*hall);
        for (column, x) in v.iter_mut().zip(d.values()) {
            column.push(x);
        }
    }
    let [
        received,
        accepted,
        refused,
        completed,
        on_time,
        early,
        imm,
        spot,
        used,
        limit,
    ] = v;
    crate::sql::prepared(
        "INSERT INTO case_stat_days AS d (organization_id, received_on, hall_id, received,
                accepted, refused, completed, completed_on_time, completed_early,
                immediate_completed, immediate_on_the_spot, working_days_used_total,
                limit_days_total)
         SELECT k.o, k.r, k.h, k.received::int4, k.accepted::int4, k.refused::int4,
                k.completed::int4, k.on_time::int4, k.early::int4, k.imm::int4, k.spot::int4,
                k.used, k.lim
           FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                AS k(o, r, h, received, accepted, refused, completed, on_time, early, imm,
                     spot, used, lim)
         ON CONFLICT (organization_id, received_on, hall_id) DO UPDATE SET
                received = d.received + EXCLUDED.received,
                accepted = d.accepted + EXCLUDED.accepted,
                refused = d.refused + EXCLUDED.refused,
                completed = d.completed + EXCLUDED.completed,
                completed_on_time = d.completed_on_time + EXCLUDED.completed_on_time,
                completed_early = d.completed_early + EXCLUDED.completed_early,
                immediate_completed = d.immediate_completed + EXCLUDED.immediate_completed,
                immediate_on_the_spot = d.immediate_on_the_spot + EXCLUDED.immediate_on_the_spot,
                working_days_used_total = d.working_days_used_total
                                          + EXCLUDED.working_days_used_total,
                limit_days_total = d.limit_days_total + EXCLUDED.limit_days_total",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(&k.0)
    .bind::<Array<Date>, _>(&k.1)
    .bind::<Array<Nullable<diesel::sql_types::Uuid>>, _>(k.2)
    .bind::<Array<BigInt>, _>(received)
    .bind::<Array<BigInt>, _>(accepted)
    .bind::<Array<BigInt>, _>(refused)
    .bind::<Array<BigInt>, _>(completed)
    .bind::<Array<BigInt>, _>(on_time)
    .bind::<Array<BigInt>, _>(early)
    .bind::<Array<BigInt>, _>(imm)
    .bind::<Array<BigInt>, _>(spot)
    .bind::<Array<BigInt>, _>(used)
    .bind::<Array<BigInt>, _>(limit)
    .execute(conn)
    .await?;
    crate::sql::prepared(
        "DELETE FROM case_stat_days d USING unnest($1, $2) AS k(organization_id, received_on)
          WHERE d.organization_id = k.organization_id AND d.received_on = k.received_on
            AND d.received = 0",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(k.0)
    .bind::<Array<Date>, _>(k.1)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_contributions(conn: &mut Conn, new: &[Contribution]) -> Result<(), DbError> {
    let mut k = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut flags: [Vec<i16>; 7] = Default::default();
    let mut days: [Vec<i32>; 2] = Default::default();
    for c in new {
        let (org, day, hall) = c.key;
        k.0.push(c.case_id);
        k.1.push(org);
        k.2.push(day);
        k.3.push(hall);
        // The stored columns but `received` (1 for every case).
        let [_, flag_values @ .., used, limit] = Sums::of(&c.measures).values();
        for (column, x) in flags.iter_mut().zip(flag_values) {
            column.push(i16::try_from(x).unwrap_or(i16::MAX));
        }
        days[0].push(i32::try_from(used).unwrap_or(i32::MAX));
        days[1].push(i32::try_from(limit).unwrap_or(i32::MAX));
    }
    let [accepted, refused, completed, on_time, early, imm, spot] = flags;
    let [used, limit] = days;
    crate::sql::prepared(
        "INSERT INTO case_stat_cases (case_id, organization_id, received_on, hall_id, accepted,
                refused, completed, completed_on_time, completed_early, immediate_completed,
                immediate_on_the_spot, working_days_used, limit_days)
         SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(k.0)
    .bind::<Array<diesel::sql_types::Uuid>, _>(k.1)
    .bind::<Array<Date>, _>(k.2)
    .bind::<Array<Nullable<diesel::sql_types::Uuid>>, _>(k.3)
    .bind::<Array<SmallInt>, _>(accepted)
    .bind::<Array<SmallInt>, _>(refused)
    .bind::<Array<SmallInt>, _>(completed)
    .bind::<Array<SmallInt>, _>(on_time)
    .bind::<Array<SmallInt>, _>(early)
    .bind::<Array<SmallInt>, _>(imm)
    .bind::<Array<SmallInt>, _>(spot)
    .bind::<Array<Integer>, _>(used)
    .bind::<Array<Integer>, _>(limit)
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
