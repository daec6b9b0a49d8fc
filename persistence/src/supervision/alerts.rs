//! The alert history: the current level of each watched deadline and the events of its
//! changes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::{Conn, DbError};
use crate::schema::{alert_events, alert_states};
use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alert_states)]
pub struct AlertState {
    pub object_kind: String,
    pub object_id: Uuid,
    pub stage: i32,
    pub level: String,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = alert_events)]
pub struct AlertEvent {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub object_kind: String,
    pub object_id: Uuid,
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub responsible_id: Option<Uuid>,
    pub rule_id: String,
    pub from_level: Option<String>,
    pub to_level: Option<String>,
    pub due_date: NaiveDate,
    pub as_of: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

const ALERT_JOB_LOCK: i64 = 0x7a68_656e_6777_7504;

/// Serialises alert jobs across processes until the transaction ends.
pub async fn lock_alert_job(conn: &mut Conn) -> Result<(), DbError> {
    crate::sql::prepared("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(ALERT_JOB_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn alert_states(conn: &mut Conn) -> Result<Vec<AlertState>, DbError> {
    Ok(alert_states::table
        .select(AlertState::as_select())
        .load(conn)
        .await?)
}

pub async fn upsert_alert_state(conn: &mut Conn, s: &AlertState) -> Result<(), DbError> {
    diesel::insert_into(alert_states::table)
        .values(s)
        .on_conflict((
            alert_states::object_kind,
            alert_states::object_id,
            alert_states::stage,
        ))
        .do_update()
        .set((
            alert_states::level.eq(&s.level),
            alert_states::due_date.eq(s.due_date),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_alert_state(
    conn: &mut Conn,
    kind: &str,
    id: Uuid,
    stage: i32,
) -> Result<(), DbError> {
    diesel::delete(alert_states::table.find((kind, id, stage)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_alert_events(conn: &mut Conn, events: &[AlertEvent]) -> Result<(), DbError> {
    for chunk in events.chunks(1000) {
        diesel::insert_into(alert_events::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The latest event of each of the given watched deadlines.
pub async fn last_events(
    conn: &mut Conn,
    keys: &[(String, Uuid, i32)],
) -> Result<std::collections::HashMap<(String, Uuid, i32), AlertEvent>, DbError> {
    let ids: Vec<Uuid> = keys.iter().map(|k| k.1).collect();
    let rows: Vec<AlertEvent> = alert_events::table
        .filter(alert_events::object_id.eq_any(&ids))
        .order(alert_events::id)
        .select(AlertEvent::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| ((e.object_kind.clone(), e.object_id, e.stage), e))
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub object_id: Option<Uuid>,
    pub level: Option<String>,
    /// Changes seen on or after this day.
    pub from: Option<NaiveDate>,
    /// Changes seen on or before this day.
    pub to: Option<NaiveDate>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Alert events of the organisations inside the scope, oldest first.
pub async fn alert_events(
    conn: &mut Conn,
    scope: &Scope,
    f: &EventFilter,
) -> Result<Vec<AlertEvent>, DbError> {
    let mut q = alert_events::table
        .select(AlertEvent::as_select())
        .order(alert_events::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(inside) = crate::scope::org_ids(scope) {
        q = q.filter(alert_events::organization_id.eq_any(inside));
    }
    if let Some(k) = &f.kind {
        q = q.filter(alert_events::object_kind.eq(k.clone()));
    }
    if let Some(o) = f.object_id {
        q = q.filter(alert_events::object_id.eq(o));
    }
    if let Some(l) = &f.level {
        q = q.filter(alert_events::to_level.eq(l.clone()));
    }
    if let Some(d) = f.from {
        q = q.filter(alert_events::as_of.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(alert_events::as_of.le(d));
    }
    if let Some(a) = f.after_id {
        q = q.filter(alert_events::id.gt(a));
    }
    Ok(q.load(conn).await?)
}
