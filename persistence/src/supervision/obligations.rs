//! The stored obligations (`obligations`): every watched deadline with the days its alert
//! turns yellow and red, kept current through `obligation_queue` (see the migration that
//! creates them). The alert list is an indexed range read of the open rows in due-date
//! order; the counts group the same rows.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::schema::obligations;
use crate::scope::Scope;
use crate::sql::prepared;

use super::like_within;

/// One watched deadline as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = obligations)]
pub struct Obligation {
    pub kind: String,
    pub object_id: Uuid,
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub org_path: String,
    pub responsible_id: Option<Uuid>,
    pub start_on: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub limit_days: Option<i32>,
    /// `None`: the rule is disabled where the obligation lies; it never alerts.
    pub yellow_on: Option<NaiveDate>,
    pub red_on: NaiveDate,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// The key of an obligation: kind, object and stage.
pub type ObligationKey = (String, Uuid, i32);

impl Obligation {
    pub fn key(&self) -> ObligationKey {
        (self.kind.clone(), self.object_id, self.stage)
    }
}

/// One column of the rows, as an array to bind.
fn col<T>(rows: &[Obligation], f: impl Fn(&Obligation) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// Writes the open obligations given, opening again any that was closed. The rows go as
/// one array per column, so the statement's text is the same for any number of them.
pub async fn upsert_obligations(mut conn: &Conn, rows: &[Obligation]) -> Result<(), DbError> {
    use diesel::sql_types::Uuid as SqlUuid;
    for chunk in rows.chunks(1000) {
        prepared(
            "INSERT INTO obligations AS b (kind, object_id, stage, label, organization_id,
                    org_path, responsible_id, start_on, due_date, limit_days, yellow_on, red_on,
                    opened_on)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::uuid[],
                    $6::text[], $7::uuid[], $8::date[], $9::date[], $10::int[], $11::date[],
                    $12::date[], $13::date[])
             ON CONFLICT (kind, object_id, stage) DO UPDATE SET
                    label = excluded.label, organization_id = excluded.organization_id,
                    org_path = excluded.org_path, responsible_id = excluded.responsible_id,
                    start_on = excluded.start_on, due_date = excluded.due_date,
                    limit_days = excluded.limit_days, yellow_on = excluded.yellow_on,
                    red_on = excluded.red_on,
                    opened_on = CASE WHEN b.closed_on IS NULL THEN b.opened_on
                                     ELSE excluded.opened_on END,
                    closed_on = NULL",
        )
        .bind::<Array<Text>, _>(chunk.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(col(chunk, |r| r.object_id))
        .bind::<Array<Integer>, _>(col(chunk, |r| r.stage))
        .bind::<Array<Text>, _>(chunk.iter().map(|r| r.label.as_str()).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(col(chunk, |r| r.organization_id))
        .bind::<Array<Text>, _>(
            chunk
                .iter()
                .map(|r| r.org_path.as_str())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Nullable<SqlUuid>>, _>(col(chunk, |r| r.responsible_id))
        .bind::<Array<Nullable<Date>>, _>(col(chunk, |r| r.start_on))
        .bind::<Array<Date>, _>(col(chunk, |r| r.due_date))
        .bind::<Array<Nullable<Integer>>, _>(col(chunk, |r| r.limit_days))
        .bind::<Array<Nullable<Date>>, _>(col(chunk, |r| r.yellow_on))
        .bind::<Array<Date>, _>(col(chunk, |r| r.red_on))
        .bind::<Array<Date>, _>(col(chunk, |r| r.opened_on))
        .execute(&mut conn)
        .await?;
    }
    Ok(())
}

/// The keys of the open obligations of the given objects (`None`: of every object), of the
/// given kinds, inside the scope.
pub async fn open_keys(
    mut conn: &Conn,
    scope: &Scope,
    kinds: &[&str],
    objects: Option<&[Uuid]>,
) -> Result<Vec<ObligationKey>, DbError> {
    use obligations::dsl as o;
    let mut q = obligations::table
        .filter(o::closed_on.is_null())
        .filter(o::kind.eq_any(kinds))
        .select((o::kind, o::object_id, o::stage))
        .into_boxed::<Pg>();
    if let Some(ids) = objects {
        q = q.filter(crate::sql::one_or_any(o::object_id, ids));
    }
    if !matches!(scope, Scope::All) {
        q = q.filter(o::org_path.like(like_within(scope)));
    }
    Ok(q.load(&mut conn).await?)
}

/// Closes the open obligations with these keys on `on`.
pub async fn close_obligations(
    mut conn: &Conn,
    keys: &[ObligationKey],
    on: NaiveDate,
) -> Result<usize, DbError> {
    let mut closed = 0;
    for chunk in keys.chunks(1000) {
        let kinds: Vec<&str> = chunk.iter().map(|k| k.0.as_str()).collect();
        let ids: Vec<Uuid> = chunk.iter().map(|k| k.1).collect();
        let stages: Vec<i32> = chunk.iter().map(|k| k.2).collect();
        closed += prepared(
            "UPDATE obligations o SET closed_on = $4
               FROM unnest($1::text[], $2::uuid[], $3::int[]) AS k(kind, object_id, stage)
              WHERE o.kind = k.kind AND o.object_id = k.object_id AND o.stage = k.stage
                AND o.closed_on IS NULL",
        )
        .bind::<Array<Text>, _>(&kinds)
        .bind::<Array<diesel::sql_types::Uuid>, _>(&ids)
        .bind::<Array<Integer>, _>(&stages)
        .bind::<Date, _>(on)
        .execute(&mut conn)
        .await?;
    }
    Ok(closed)
}

// ---------------------------------------------------------------- queue

/// A queued change: an object of a kind, or every object under a path (`""`: all).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Queued {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub object_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub path: Option<String>,
}

/// The oldest `limit` queued changes.
pub async fn queued(conn: &mut Conn, limit: i64) -> Result<Vec<Queued>, DbError> {
    Ok(
        prepared("SELECT id, source, object_id, path FROM obligation_queue ORDER BY id LIMIT $1")
            .bind::<BigInt, _>(limit)
            .load(conn)
            .await?,
    )
}

/// Removes the queued changes settled.
pub async fn dequeue(conn: &mut Conn, ids: &[i64]) -> Result<(), DbError> {
    for chunk in ids.chunks(10_000) {
        prepared("DELETE FROM obligation_queue WHERE id = ANY($1)")
            .bind::<Array<BigInt>, _>(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Removes every queued change committed so far (a full rebuild covers them); returns how
/// many.
pub async fn dequeue_all(conn: &mut Conn) -> Result<usize, DbError> {
    Ok(prepared("DELETE FROM obligation_queue")
        .execute(conn)
        .await?)
}

/// What readers must take from the records instead of the stored rows: every object when
/// a path is queued (or more objects are queued than `max_objects`), else the queued ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Nothing,
    Objects {
        /// The queued objects, each once.
        ids: Vec<Uuid>,
        /// The kinds of object they are (`obligation_queue.source`), each once: which of
        /// the derivations a reader needs to run for them.
        sources: Vec<String>,
    },
    Everything,
}

pub async fn pending(mut conn: &Conn, max_objects: i64) -> Result<Pending, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
        object_id: Option<Uuid>,
        #[diesel(sql_type = Nullable<Text>)]
        source: Option<String>,
    }
    let rows: Vec<Row> = prepared(
        "(SELECT NULL::uuid AS object_id, NULL::text AS source
            FROM obligation_queue WHERE path IS NOT NULL LIMIT 1)
         UNION ALL
         (SELECT DISTINCT object_id, source FROM obligation_queue WHERE object_id IS NOT NULL
           LIMIT $1 + 1)",
    )
    .bind::<BigInt, _>(max_objects)
    .load(&mut conn)
    .await?;
    if rows.is_empty() {
        return Ok(Pending::Nothing);
    }
    if rows.iter().any(|r| r.object_id.is_none()) || rows.len() as i64 > max_objects {
        return Ok(Pending::Everything);
    }
    let mut ids: Vec<Uuid> = rows.iter().filter_map(|r| r.object_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut sources: Vec<String> = rows.into_iter().filter_map(|r| r.source).collect();
    sources.sort_unstable();
    sources.dedup();
    Ok(Pending::Objects { ids, sources })
}

// ---------------------------------------------------------------- locks

const OBLIGATIONS_LOCK: i32 = 0x7a68_6f62;
const REFRESH_LOCK: i64 = 0x7a68_656e_6777_7505;

/// Serialises the settling of these objects with every other settling of them, until the
/// transaction ends: a settler reads the records only once no other settler of the same
/// objects is between its read and its commit, so the last to commit read the last state.
/// Each object has its own key (`obligation_lock_key`, 32 bits of its id, so that writers
/// of different objects practically never wait for each other), taken in ascending order
/// after a shared lock that a rebuild takes exclusively.
pub async fn lock_objects(conn: &mut Conn, ids: &[Uuid]) -> Result<(), DbError> {
    prepared(
        "SELECT pg_advisory_xact_lock_shared($1, -1),
                (SELECT count(pg_advisory_xact_lock($1, k))
                   FROM (SELECT DISTINCT obligation_lock_key(i) AS k FROM unnest($2::uuid[]) AS i
                          ORDER BY 1) AS keys)",
    )
    .bind::<Integer, _>(OBLIGATIONS_LOCK)
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks every object against settling until the transaction ends (a rebuild).
pub async fn lock_all_objects(conn: &mut Conn) -> Result<(), DbError> {
    prepared("SELECT pg_advisory_xact_lock($1, -1)")
        .bind::<Integer, _>(OBLIGATIONS_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the refresher's lock until the transaction ends, if no other refresher holds it.
pub async fn try_lock_refresh(conn: &mut Conn) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let r: Row = prepared("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<BigInt, _>(REFRESH_LOCK)
        .get_result(conn)
        .await?;
    Ok(r.locked)
}

// ---------------------------------------------------------------- reads

/// A read of the alerts standing on a day.
#[derive(Debug, Clone, Default)]
pub struct AlertQuery<'a> {
    pub as_of: NaiveDate,
    pub kinds: &'a [&'a str],
    /// `Some(true)`: red only; `Some(false)`: yellow only.
    pub red: Option<bool>,
    pub responsible: Option<Uuid>,
    /// Rows after this one in the list's order (due date, kind, object, stage).
    pub after: Option<(NaiveDate, String, Uuid, i32)>,
    /// Objects left out (the queued ones, which the caller takes from the records).
    pub exclude: &'a [Uuid],
    /// At most this many rows (`None`: all).
    pub limit: Option<i64>,
}

/// A stored obligation with the names of its organisation and responsible person.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct AlertRow {
    #[diesel(embed)]
    pub obligation: Obligation,
    #[diesel(sql_type = Nullable<Text>)]
    pub organization_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub responsible_name: Option<String>,
}

/// The open obligations alerting on `as_of` inside the scope, in due-date order (red ones
/// first: their due date is before the last working day, the yellow ones' is not), but for
/// the objects excluded.
pub async fn alert_rows(
    mut conn: &Conn,
    scope: &Scope,
    q: &AlertQuery<'_>,
) -> Result<Vec<AlertRow>, DbError> {
    let mut sql = String::from(
        "SELECT b.kind, b.object_id, b.stage, b.label, b.organization_id, b.org_path,
                b.responsible_id, b.start_on, b.due_date, b.limit_days, b.yellow_on, b.red_on,
                b.opened_on, b.closed_on, o.name AS organization_name,
                u.display_name AS responsible_name
           FROM obligations b
           JOIN organizations o ON o.id = b.organization_id
           LEFT JOIN users u ON u.id = b.responsible_id
          WHERE b.closed_on IS NULL AND b.yellow_on <= $1 AND b.kind = ANY($2)
            AND b.org_path LIKE $3 AND NOT (b.object_id = ANY($4))",
    );
    match q.red {
        Some(true) => sql.push_str(" AND b.red_on <= $1"),
        Some(false) => sql.push_str(" AND b.red_on > $1"),
        None => {}
    }
    let mut n = 4;
    if q.responsible.is_some() {
        n += 1;
        sql.push_str(&format!(" AND b.responsible_id = ${n}"));
    }
    if q.after.is_some() {
        sql.push_str(&format!(
            " AND (b.due_date, b.kind, b.object_id, b.stage) > (${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
        n += 4;
    }
    sql.push_str(" ORDER BY b.due_date, b.kind, b.object_id, b.stage");
    if q.limit.is_some() {
        sql.push_str(&format!(" LIMIT ${}", n + 1));
    }
    let mut query = prepared(sql)
        .bind::<Date, _>(q.as_of)
        .bind::<Array<Text>, _>(q.kinds)
        .bind::<Text, _>(like_within(scope))
        .bind::<Array<diesel::sql_types::Uuid>, _>(q.exclude);
    if let Some(r) = q.responsible {
        query = query.bind::<diesel::sql_types::Uuid, _>(r);
    }
    if let Some((due, kind, id, stage)) = q.after.clone() {
        query = query
            .bind::<Date, _>(due)
            .bind::<Text, _>(kind)
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<Integer, _>(stage);
    }
    if let Some(l) = q.limit {
        query = query.bind::<BigInt, _>(l);
    }
    Ok(query.load(&mut conn).await?)
}

/// The number of alerts standing on `as_of` inside the scope, by kind, organisation and
/// level (`red` or `yellow`).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct AlertCount {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub organization_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub red: bool,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

pub async fn alert_counts(
    mut conn: &Conn,
    scope: &Scope,
    as_of: NaiveDate,
    kinds: &[&str],
    exclude: &[Uuid],
) -> Result<Vec<AlertCount>, DbError> {
    Ok(prepared(
        "SELECT b.kind, b.organization_id, b.red_on <= $1 AS red, count(*) AS count
           FROM obligations b
          WHERE b.closed_on IS NULL AND b.yellow_on <= $1 AND b.kind = ANY($2)
            AND b.org_path LIKE $3 AND NOT (b.object_id = ANY($4))
          GROUP BY 1, 2, 3",
    )
    .bind::<Date, _>(as_of)
    .bind::<Array<Text>, _>(kinds)
    .bind::<Text, _>(like_within(scope))
    .bind::<Array<diesel::sql_types::Uuid>, _>(exclude)
    .load(&mut conn)
    .await?)
}
