//! Supervision orders (督办单) and accountability records (责任追究).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::ids::OrderId;
use zhengwu_domain::orders::OrderState;

use crate::db::{Conn, DbError};
use crate::schema::{accountability_records, supervision_orders};
use crate::scope::{Scope, org_ids};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = supervision_orders, treat_none_as_null = true)]
pub struct Order {
    pub id: Uuid,
    pub number: String,
    pub organization_id: Uuid,
    pub object_kind: String,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    pub level: i32,
    pub issued_on: NaiveDate,
    pub due_date: NaiveDate,
    pub state: String,
    pub issued_by: Uuid,
    pub issued_at: DateTime<Utc>,
    pub response: Option<String>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTime<Utc>>,
    pub escalation_reason: Option<String>,
    pub closing_note: Option<String>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_order(conn: &mut Conn, o: &Order) -> Result<(), DbError> {
    diesel::insert_into(supervision_orders::table)
        .values(o)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_order(conn: &mut Conn, id: OrderId, for_update: bool) -> Result<Order, DbError> {
    let q = supervision_orders::table
        .find(id.0)
        .select(Order::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// Saves an order and bumps its version.
pub async fn save_order(conn: &mut Conn, o: &Order) -> Result<Order, DbError> {
    let mut next = o.clone();
    next.version += 1;
    Ok(diesel::update(supervision_orders::table.find(o.id))
        .set(&next)
        .returning(Order::as_returning())
        .get_result(conn)
        .await?)
}

/// The orders to organisations of the scope, by id.
pub async fn list_orders(
    conn: &mut Conn,
    scope: &Scope,
    state: Option<OrderState>,
    after: Option<OrderId>,
    limit: i64,
) -> Result<Vec<Order>, DbError> {
    let mut q = supervision_orders::table
        .select(Order::as_select())
        .order(supervision_orders::id)
        .limit(limit)
        .into_boxed();
    if let Some(inside) = org_ids(scope) {
        q = q.filter(supervision_orders::organization_id.eq_any(inside));
    }
    if let Some(s) = state {
        q = q.filter(supervision_orders::state.eq(s.as_str()));
    }
    if let Some(a) = after {
        q = q.filter(supervision_orders::id.gt(a.0));
    }
    Ok(q.load(conn).await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = accountability_records)]
pub struct Accountability {
    pub id: Uuid,
    pub kind: String,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub complaint_id: Option<Uuid>,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

pub async fn insert_accountability(conn: &mut Conn, a: &Accountability) -> Result<(), DbError> {
    diesel::insert_into(accountability_records::table)
        .values(a)
        .execute(conn)
        .await?;
    Ok(())
}

/// The accountability records of organisations of the scope, by id.
pub async fn list_accountability(
    conn: &mut Conn,
    scope: &Scope,
    order_id: Option<OrderId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Accountability>, DbError> {
    let mut q = accountability_records::table
        .select(Accountability::as_select())
        .order(accountability_records::id)
        .limit(limit)
        .into_boxed();
    if let Some(inside) = org_ids(scope) {
        q = q.filter(accountability_records::organization_id.eq_any(inside));
    }
    if let Some(o) = order_id {
        q = q.filter(accountability_records::order_id.eq(o.0));
    }
    if let Some(a) = after {
        q = q.filter(accountability_records::id.gt(a));
    }
    Ok(q.load(conn).await?)
}
