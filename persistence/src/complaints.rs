//! Complaints and reports (投诉举报).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::complaints::ComplaintState;
use zhengwu_domain::ids::{ComplaintId, OrganizationId, UserId};

use crate::db::{Conn, DbError};
use crate::schema::complaints;
use crate::scope::{Scope, org_ids};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = complaints, treat_none_as_null = true)]
pub struct Complaint {
    pub id: Uuid,
    pub number: String,
    pub kind: String,
    pub category: String,
    pub complainant_id: Option<Uuid>,
    pub complainant_name: Option<String>,
    pub contact: Value,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub text: String,
    pub query_code_hash: Vec<u8>,
    pub received_on: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub acceptance_due: NaiveDate,
    pub state: String,
    pub handler_id: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub findings: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub referral_note: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_complaint(conn: &mut Conn, c: &Complaint) -> Result<(), DbError> {
    diesel::insert_into(complaints::table)
        .values(c)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_complaint(
    conn: &mut Conn,
    id: ComplaintId,
    for_update: bool,
) -> Result<Complaint, DbError> {
    let q = complaints::table.find(id.0).select(Complaint::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// Saves a complaint and bumps its version.
pub async fn save_complaint(conn: &mut Conn, c: &Complaint) -> Result<Complaint, DbError> {
    let mut next = c.clone();
    next.version += 1;
    Ok(diesel::update(complaints::table.find(c.id))
        .set(&next)
        .returning(Complaint::as_returning())
        .get_result(conn)
        .await?)
}

/// Whose complaints a list shows.
#[derive(Debug, Clone)]
pub enum Readers {
    /// Handlers: those about organisations of the scope, except those about this staff
    /// member and about these organisations (the handler's own and those above it).
    Handler {
        scope: Scope,
        not_about: UserId,
        not_about_orgs: Vec<OrganizationId>,
    },
    /// An applicant: their own.
    Complainant(UserId),
}

#[derive(Debug, Clone)]
pub struct ComplaintFilter {
    pub readers: Readers,
    pub state: Option<ComplaintState>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub after: Option<ComplaintId>,
    pub limit: i64,
}

pub async fn find_complaint(conn: &mut Conn, number: &str) -> Result<Option<Complaint>, DbError> {
    Ok(complaints::table
        .filter(complaints::number.eq(number))
        .select(Complaint::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn list_complaints(
    conn: &mut Conn,
    f: &ComplaintFilter,
) -> Result<Vec<Complaint>, DbError> {
    let mut q = complaints::table
        .select(Complaint::as_select())
        .order(complaints::id)
        .limit(f.limit)
        .into_boxed();
    match &f.readers {
        Readers::Handler {
            scope,
            not_about,
            not_about_orgs,
        } => {
            if let Some(inside) = org_ids(scope) {
                q = q.filter(complaints::organization_id.eq_any(inside));
            }
            q = q.filter(
                complaints::staff_id
                    .is_null()
                    .or(complaints::staff_id.ne(not_about.0)),
            );
            if !not_about_orgs.is_empty() {
                let orgs: Vec<Uuid> = not_about_orgs.iter().map(|o| o.0).collect();
                q = q.filter(complaints::organization_id.ne_all(orgs));
            }
        }
        Readers::Complainant(c) => q = q.filter(complaints::complainant_id.eq(c.0)),
    }
    if let Some(s) = f.state {
        q = q.filter(complaints::state.eq(s.as_str()));
    }
    if let Some(d) = f.received_from {
        q = q.filter(complaints::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(complaints::received_on.le(d));
    }
    if let Some(a) = f.after {
        q = q.filter(complaints::id.gt(a.0));
    }
    Ok(q.load(conn).await?)
}
