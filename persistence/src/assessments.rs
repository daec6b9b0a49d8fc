//! Attendance (考勤), daily assessments (日考核) of windows and staff, and what the monthly
//! bulletin and the disclosure assessment read from other records.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::assessment::{AttendanceStatus, Dimension, GradeThresholds, SubjectKind};
use zhengwu_domain::ids::{AssessmentId, AttendanceId, OrganizationId, UserId};

use crate::cases::StatRow;
use crate::db::{Conn, DbError};
use crate::orgs::escape_like;
use crate::parse_col;
use crate::schema::{
    assessment_items, assessments, attendance_records, cases, disclosure_items,
    disclosure_requests, organizations, public_messages, request_replies, windows,
};

/// The grade thresholds that apply to a hall: those of the supervision rules in force at it
/// (its own, an ancestor's, else the default excellent ≥ 95, good ≥ 85, pass ≥ 70).
pub async fn grade_thresholds(
    conn: &mut Conn,
    hall_id: OrganizationId,
) -> Result<GradeThresholds, DbError> {
    let hall_id = hall_id.0;
    let hall = crate::orgs::get(conn, hall_id).await?;
    Ok(crate::supervision::rules_at(conn, hall.path.as_str())
        .await?
        .0
        .grades)
}

// ------------------------------------------------------------------ attendance

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = attendance_records)]
pub struct AttendanceRow {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub window_id: Uuid,
    pub user_id: Uuid,
    pub day: NaiveDate,
    pub status: String,
    pub covered_by: Option<Uuid>,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AttendanceRow {
    pub fn status(&self) -> Result<AttendanceStatus, DbError> {
        parse_col(&self.status, AttendanceStatus::parse)
    }
}

pub async fn insert_attendance(conn: &mut Conn, r: &AttendanceRow) -> Result<(), DbError> {
    diesel::insert_into(attendance_records::table)
        .values(r)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_attendance(
    conn: &mut Conn,
    id: AttendanceId,
    for_update: bool,
) -> Result<AttendanceRow, DbError> {
    let id = id.0;
    let q = attendance_records::table
        .find(id)
        .select(AttendanceRow::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

/// The record of a staff member's day, if any.
pub async fn attendance_of(
    conn: &mut Conn,
    user_id: UserId,
    day: NaiveDate,
) -> Result<Option<Uuid>, DbError> {
    let user_id = user_id.0;
    Ok(attendance_records::table
        .filter(attendance_records::user_id.eq(user_id))
        .filter(attendance_records::day.eq(day))
        .select(attendance_records::id)
        .first(conn)
        .await
        .optional()?)
}

/// Saves the changeable fields of a record and bumps its version.
pub async fn save_attendance(conn: &mut Conn, r: &AttendanceRow) -> Result<AttendanceRow, DbError> {
    Ok(diesel::update(attendance_records::table.find(r.id))
        .set((
            attendance_records::window_id.eq(r.window_id),
            attendance_records::status.eq(&r.status),
            attendance_records::covered_by.eq(r.covered_by),
            attendance_records::note.eq(&r.note),
            attendance_records::recorded_by.eq(r.recorded_by),
            attendance_records::version.eq(attendance_records::version + 1),
            attendance_records::updated_at.eq(r.updated_at),
        ))
        .returning(AttendanceRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Filters of the attendance list.
pub struct AttendanceFilter {
    pub hall_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub user_id: Option<Uuid>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// A hall's attendance records in a period, by id.
pub async fn list_attendance(
    conn: &mut Conn,
    f: &AttendanceFilter,
) -> Result<Vec<AttendanceRow>, DbError> {
    let mut q = attendance_records::table
        .filter(attendance_records::hall_id.eq(f.hall_id))
        .filter(attendance_records::day.between(f.from, f.to))
        .select(AttendanceRow::as_select())
        .order(attendance_records::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(u) = f.user_id {
        q = q.filter(attendance_records::user_id.eq(u));
    }
    if let Some(a) = f.after {
        q = q.filter(attendance_records::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// Every attendance record of a hall in a period.
pub async fn attendance_between(
    conn: &mut Conn,
    hall_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AttendanceRow>, DbError> {
    let hall_id = hall_id.0;
    Ok(attendance_records::table
        .filter(attendance_records::hall_id.eq(hall_id))
        .filter(attendance_records::day.between(from, to))
        .select(AttendanceRow::as_select())
        .order((attendance_records::day, attendance_records::id))
        .load(conn)
        .await?)
}

// ------------------------------------------------------------------ assessments

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub subject_kind: String,
    pub window_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub day: NaiveDate,
    pub score: i32,
    pub note: Option<String>,
    pub assessed_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AssessmentRow {
    pub fn subject(&self) -> Result<(SubjectKind, Uuid), DbError> {
        let kind = parse_col(&self.subject_kind, SubjectKind::parse)?;
        let id = match kind {
            SubjectKind::Window => self.window_id,
            SubjectKind::Staff => self.user_id,
        };
        id.map(|i| (kind, i))
            .ok_or_else(|| DbError::Other(format!("assessment {} has no subject", self.id)))
    }
}

/// A scored item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    pub dimension: Dimension,
    pub points: i32,
    pub reason: String,
}

/// An assessment with its items in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub row: AssessmentRow,
    pub items: Vec<StoredItem>,
}

async fn insert_items(conn: &mut Conn, id: Uuid, items: &[StoredItem]) -> Result<(), DbError> {
    let rows: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            (
                assessment_items::assessment_id.eq(id),
                assessment_items::seq.eq(i as i32 + 1),
                assessment_items::dimension.eq(it.dimension.as_str()),
                assessment_items::points.eq(it.points),
                assessment_items::reason.eq(&it.reason),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(assessment_items::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_assessment(conn: &mut Conn, a: &Assessment) -> Result<(), DbError> {
    diesel::insert_into(assessments::table)
        .values(&a.row)
        .execute(conn)
        .await?;
    insert_items(conn, a.row.id, &a.items).await
}

/// Replaces the items, score and note of an assessment and bumps its version.
pub async fn save_assessment(conn: &mut Conn, a: &Assessment) -> Result<Assessment, DbError> {
    diesel::delete(assessment_items::table.filter(assessment_items::assessment_id.eq(a.row.id)))
        .execute(conn)
        .await?;
    insert_items(conn, a.row.id, &a.items).await?;
    let row = diesel::update(assessments::table.find(a.row.id))
        .set((
            assessments::score.eq(a.row.score),
            assessments::note.eq(&a.row.note),
            assessments::assessed_by.eq(a.row.assessed_by),
            assessments::version.eq(assessments::version + 1),
            assessments::updated_at.eq(a.row.updated_at),
        ))
        .returning(AssessmentRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(Assessment {
        row,
        items: a.items.clone(),
    })
}

/// The assessment of a subject on a day, if any.
pub async fn assessment_of(
    conn: &mut Conn,
    kind: SubjectKind,
    subject: Uuid,
    day: NaiveDate,
) -> Result<Option<Uuid>, DbError> {
    let q = assessments::table
        .filter(assessments::day.eq(day))
        .select(assessments::id)
        .into_boxed();
    let q = match kind {
        SubjectKind::Window => q.filter(assessments::window_id.eq(subject)),
        SubjectKind::Staff => q.filter(assessments::user_id.eq(subject)),
    };
    Ok(q.first(conn).await.optional()?)
}

/// The items of the given assessments, in one query.
async fn items_of(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<(Uuid, StoredItem)>, DbError> {
    let rows: Vec<(Uuid, String, i32, String)> = assessment_items::table
        .filter(assessment_items::assessment_id.eq_any(ids))
        .select((
            assessment_items::assessment_id,
            assessment_items::dimension,
            assessment_items::points,
            assessment_items::reason,
        ))
        .order((assessment_items::assessment_id, assessment_items::seq))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(id, d, points, reason)| {
            Ok((
                id,
                StoredItem {
                    dimension: parse_col(&d, Dimension::parse)?,
                    points,
                    reason,
                },
            ))
        })
        .collect()
}

async fn with_items(conn: &mut Conn, rows: Vec<AssessmentRow>) -> Result<Vec<Assessment>, DbError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut items = items_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = items
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, it)| it.clone())
                .collect();
            items.retain(|(id, _)| *id != row.id);
            Assessment { row, items: mine }
        })
        .collect())
}

pub async fn get_assessment(
    conn: &mut Conn,
    id: AssessmentId,
    for_update: bool,
) -> Result<Assessment, DbError> {
    let id = id.0;
    let q = assessments::table
        .find(id)
        .select(AssessmentRow::as_select());
    let row = if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    };
    with_items(conn, vec![row])
        .await?
        .pop()
        .ok_or(DbError::NotFound)
}

/// A hall's assessments in a period with their items, by id.
pub async fn list_assessments(
    conn: &mut Conn,
    hall_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Assessment>, DbError> {
    let hall_id = hall_id.0;
    let mut q = assessments::table
        .filter(assessments::hall_id.eq(hall_id))
        .filter(assessments::day.between(from, to))
        .select(AssessmentRow::as_select())
        .order(assessments::id)
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(assessments::id.gt(a));
    }
    let rows = q.load(conn).await?;
    with_items(conn, rows).await
}

/// Every assessment of a hall in a period, with items.
pub async fn assessments_between(
    conn: &mut Conn,
    hall_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Assessment>, DbError> {
    let hall_id = hall_id.0;
    let rows = assessments::table
        .filter(assessments::hall_id.eq(hall_id))
        .filter(assessments::day.between(from, to))
        .select(AssessmentRow::as_select())
        .order((assessments::day, assessments::id))
        .load(conn)
        .await?;
    with_items(conn, rows).await
}

// ------------------------------------------------------------------ monthly bulletin

/// The cases taken in at the windows of a hall (not project containers) that were received
/// or decided in `from..=to`.
pub async fn hall_case_rows(
    conn: &mut Conn,
    hall_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatRow>, DbError> {
    let hall_id = hall_id.0;
    Ok(cases::table
        .inner_join(windows::table)
        .filter(windows::hall_id.eq(hall_id))
        .filter(cases::matter_id.is_not_null())
        .filter(
            cases::received_on
                .between(from, to)
                .or(cases::decided_on.between(from, to)),
        )
        .select((
            cases::id,
            cases::organization_id,
            cases::window_id,
            windows::hall_id.nullable(),
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>>(
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
        .load(conn)
        .await?)
}

// ------------------------------------------------------------------ disclosure assessment

/// An organisation of a subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtreeOrg {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub path: String,
}

/// The organisations of the subtree at `path`, in tree order.
pub async fn subtree(conn: &mut Conn, path: &str) -> Result<Vec<SubtreeOrg>, DbError> {
    let rows: Vec<(Uuid, String, String, String)> = organizations::table
        .filter(organizations::path.like(format!("{}%", escape_like(path))))
        .select((
            organizations::id,
            organizations::name,
            organizations::kind,
            organizations::path,
        ))
        .order(organizations::path)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, path)| SubtreeOrg {
            id,
            name,
            kind,
            path,
        })
        .collect())
}

/// A forwarded message as read: (forwarded to, feedback due, answered at).
type ForwardedRow = (Option<Uuid>, Option<NaiveDate>, Option<DateTime<Utc>>);
/// An answered message as read: (receiving office, forwarded to, submitted, answered).
type AnsweredRow = (Uuid, Option<Uuid>, DateTime<Utc>, Option<DateTime<Utc>>);

fn inside(path: &str) -> String {
    format!("{}%", escape_like(path))
}

/// Proactive items of the subtree due for publication in `from..=to`:
/// (organisation, publish_due, first published at).
pub async fn proactive_duties(
    conn: &mut Conn,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, NaiveDate, Option<DateTime<Utc>>)>, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    Ok(disclosure_items::table
        .filter(disclosure_items::organization_id.eq_any(orgs))
        .filter(disclosure_items::attribute.eq("proactive"))
        .filter(disclosure_items::publish_due.between(from, to))
        .select((
            disclosure_items::organization_id,
            disclosure_items::publish_due,
            disclosure_items::first_published_at,
        ))
        .load(conn)
        .await?)
}

/// The organisations of the late replies, in `from..=to`, to applications of the subtree.
pub async fn late_replies(
    conn: &mut Conn,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Uuid>, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    Ok(request_replies::table
        .inner_join(disclosure_requests::table)
        .filter(disclosure_requests::organization_id.eq_any(orgs))
        .filter(request_replies::late.eq(true))
        .filter(request_replies::replied_on.between(from, to))
        .select(disclosure_requests::organization_id)
        .load(conn)
        .await?)
}

/// Messages forwarded to organisations of the subtree with a feedback deadline in
/// `from..=to`: (answering organisation, feedback_due, answered at).
pub async fn forwarded_messages(
    conn: &mut Conn,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, NaiveDate, Option<DateTime<Utc>>)>, DbError> {
    let orgs = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id.nullable());
    let rows: Vec<ForwardedRow> = public_messages::table
        .filter(public_messages::forwarded_to.eq_any(orgs))
        .filter(public_messages::feedback_due.between(from, to))
        .select((
            public_messages::forwarded_to,
            public_messages::feedback_due,
            public_messages::answered_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(o, due, at)| Some((o?, due?, at)))
        .collect())
}

/// Messages answered in `[from, to)` by organisations of the subtree (the department it was
/// forwarded to, else the receiving office): (answering organisation, submitted, answered).
pub async fn answered_messages(
    conn: &mut Conn,
    path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>, DbError> {
    let received = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id);
    let forwarded = organizations::table
        .filter(organizations::path.like(inside(path)))
        .select(organizations::id.nullable());
    let rows: Vec<AnsweredRow> = public_messages::table
        .filter(public_messages::answered_at.ge(from))
        .filter(public_messages::answered_at.lt(to))
        .filter(
            public_messages::forwarded_to
                .eq_any(forwarded)
                .or(public_messages::forwarded_to
                    .is_null()
                    .and(public_messages::organization_id.eq_any(received))),
        )
        .select((
            public_messages::organization_id,
            public_messages::forwarded_to,
            public_messages::submitted_at,
            public_messages::answered_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(o, f, s, a)| Some((f.unwrap_or(o), s, a?)))
        .collect())
}
