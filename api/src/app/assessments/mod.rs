//! Window and staff assessment (考核): attendance (考勤) here; the daily assessments (日考核)
//! in [`daily`]; the standings of a period, the summaries and the monthly bulletin in
//! [`standings`].

use zhengwu_domain::codes::Code;
pub mod daily;
pub mod standings;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::assessment::{self as rules, AttendanceStatus};
use zhengwu_domain::ids::{AttendanceId, OrganizationId, UserId, WindowId};
use zhengwu_domain::org::OrgKind;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::assessments::{self as repo, AttendanceRow};
use zhengwu_persistence::{Conn, DbError, Found, orgs, windows};

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::{ApiError, AtField};
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::pagination::{Page, PageParams, encode_cursor};
use crate::routes::assessments::AttendanceDto;
use crate::state::AppState;

/// Who records attendance and assessments.
pub const WRITERS: &[Role] = &[Role::Supervisor, Role::OrgAdmin];
/// Who reads them, and the summaries and bulletins made of them.
pub const READERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];

pub use crate::app::ParseOn;

/// A staff member's day at a window, parsed (the note trimmed).
#[derive(Debug)]
pub struct RecordAttendance {
    pub window_id: WindowId,
    pub user_id: UserId,
    pub day: NaiveDate,
    pub status: AttendanceStatus,
    pub covered_by: Option<UserId>,
    pub note: Option<String>,
}

/// A correction of an attendance record, parsed; the staff member and the day stay.
#[derive(Debug)]
pub struct CorrectAttendance {
    pub window_id: WindowId,
    pub status: AttendanceStatus,
    pub covered_by: Option<UserId>,
    pub note: Option<String>,
}

/// A note of at most 500 characters, trimmed.
pub fn parse_note(e: &mut Errors, note: Option<&str>) -> Option<String> {
    e.check_opt("note", note, |n| validation::text(n, 500))
}

/// Record a staff member's day (one record per staff member and day).
pub async fn record_attendance(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    input: impl ParseOn<RecordAttendance>,
) -> AppResult<Created> {
    actor.require(WRITERS)?;
    let cmd = input.parse_on(app.today())?;
    let audit = AuditCtx::new(app, actor.clone());
    let by = actor.id.ok_or_else(ApiError::internal)?;
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let cover = (cmd.status, cmd.covered_by);
        let hall = check_attendance(c, actor, cmd.window_id, cmd.user_id, cover).await?;
        if let Some(id) = repo::attendance_of(c, cmd.user_id, cmd.day).await? {
            return Err(duplicate(Record::Attendance, Some(id)));
        }
        let row = AttendanceRow {
            id: AttendanceId::new().0,
            hall_id: hall.id,
            window_id: cmd.window_id.0,
            user_id: cmd.user_id.0,
            day: cmd.day,
            status: cmd.status.as_str().to_owned(),
            covered_by: cmd.covered_by.map(|u| u.0),
            note: cmd.note.clone(),
            recorded_by: by,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert_attendance(c, &row)
            .await
            .map_err(|e| match e {
                // A concurrent request made it first; its id is not readable in this failed
                // transaction.
                DbError::Conflict { .. } => duplicate(Record::Attendance, None),
                e => e.into(),
            })?;
        let id = row.id;
        let d = AttendanceDto::try_from(row)?;
        let path = Some(&hall.path);
        audit
            .record(
                c,
                "attendance.record",
                "attendance",
                id,
                path,
                None::<&()>,
                Some(&d),
            )
            .await?;
        idem.finish(c, &d, format!("/api/v1/attendance/{id}")).await
    })
    .await
}

/// An attendance record of a hall the actor sees.
pub async fn get_attendance(
    app: &AppState,
    actor: &Actor,
    id: AttendanceId,
) -> AppResult<AttendanceDto> {
    actor.require(READERS)?;
    let mut conn = app.conn().await?;
    let (r, _) = attendance_in_scope(&mut conn, actor, id, false).await?;
    AttendanceDto::try_from(r)
}

/// Correct an attendance record at the same hall.
pub async fn correct_attendance(
    app: &AppState,
    actor: &Actor,
    id: AttendanceId,
    expect: &IfMatch,
    input: impl ParseOn<CorrectAttendance>,
) -> AppResult<AttendanceDto> {
    actor.require(WRITERS)?;
    let cmd = input.parse_on(app.today())?;
    let audit = AuditCtx::new(app, actor.clone());
    let by = actor.id.ok_or_else(ApiError::internal)?;
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (r, _) = attendance_in_scope(c, actor, id, true).await?;
        expect.check(r.version)?;
        let cover = (cmd.status, cmd.covered_by);
        let hall = check_attendance(c, actor, cmd.window_id, UserId(r.user_id), cover).await?;
        if hall.id != r.hall_id {
            return Err(ApiError::field(
                "/window_id",
                Code::AttendanceOtherHall,
                "a record stays at the hall it was made for",
            ));
        }
        let before = AttendanceDto::try_from(r.clone())?;
        let changed = AttendanceRow {
            window_id: cmd.window_id.0,
            status: cmd.status.as_str().to_owned(),
            covered_by: cmd.covered_by.map(|u| u.0),
            note: cmd.note.clone(),
            recorded_by: by,
            updated_at: now,
            ..r
        };
        let after = AttendanceDto::try_from(repo::save_attendance(c, &changed).await?)?;
        let path = Some(&hall.path);
        audit
            .record(
                c,
                "attendance.amend",
                "attendance",
                id.0,
                path,
                Some(&before),
                Some(&after),
            )
            .await?;
        Ok(after)
    })
    .await
}

/// A search of a hall's attendance in a period.
#[derive(Debug)]
pub struct AttendanceSearch {
    pub hall: OrganizationId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub user: Option<UserId>,
}

/// The attendance records of a hall the actor sees, in a period of at most 366 days.
pub async fn list_attendance(
    app: &AppState,
    actor: &Actor,
    s: AttendanceSearch,
    page: &PageParams,
) -> AppResult<Page<AttendanceDto>> {
    actor.require(READERS)?;
    let limit = page.limit()?;
    validation::period(s.from, s.to, 366).at("?to")?;
    let mut conn = app.conn().await?;
    let hall = visible_hall(&mut conn, actor, s.hall).await?;
    let filter = repo::AttendanceFilter {
        hall_id: hall.id,
        from: s.from,
        to: s.to,
        user_id: s.user.map(|u| u.0),
        after: page.after_uuid()?,
        limit: limit + 1,
    };
    let rows = repo::list_attendance(&mut conn, &filter).await?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(AttendanceDto::try_from)
        .collect::<AppResult<Vec<_>>>()?;
    let next_cursor = more
        .then(|| items.last().map(|a| encode_cursor(&a.id.to_string())))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// The hall of a query parameter: 404 unless it is a hall the actor sees.
pub async fn visible_hall(
    conn: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(conn, id.0).await.found()? {
        Some(o) if o.kind == OrgKind::Hall && actor.sees(&o.path) => Ok(o),
        _ => Err(ApiError::not_found("hall")),
    }
}

/// The records kept once per subject and day.
#[derive(Debug, Clone, Copy)]
enum Record {
    Attendance,
    Assessment,
}

/// The `context` of a duplicate: the existing record.
#[derive(Serialize)]
struct Existing {
    id: Uuid,
}

/// A second record for the same day (409 `<what>.duplicate`), naming the existing one.
fn duplicate(what: Record, existing: Option<Uuid>) -> ApiError {
    let (code, what) = match what {
        Record::Attendance => (Code::AttendanceDuplicate, "attendance"),
        Record::Assessment => (Code::AssessmentDuplicate, "assessment"),
    };
    let e = ApiError::conflict(
        code,
        format!("there is already one {what} record for this day; correct it with PUT"),
    );
    match existing {
        Some(id) => e.context_of(&Existing { id }),
        None => e,
    }
}

/// The windows of a hall (by number) and their staff.
pub(crate) async fn roster(
    conn: &mut Conn,
    hall: OrganizationId,
) -> AppResult<(Vec<windows::Window>, Vec<windows::Staff>)> {
    let mut ws = windows::list_by_hall(conn, hall, None, 10_000).await?;
    ws.sort_by(|a, b| a.number.cmp(&b.number));
    let ids: Vec<Uuid> = ws.iter().map(|w| w.id).collect();
    let staff = windows::staff_of(conn, &ids).await?;
    Ok((ws, staff))
}

async fn attendance_in_scope(
    c: &mut Conn,
    actor: &Actor,
    id: AttendanceId,
    for_update: bool,
) -> AppResult<(AttendanceRow, orgs::Organization)> {
    let r = repo::get_attendance(c, id, for_update)
        .await
        .found()?
        .ok_or_else(|| ApiError::not_found("attendance"))?;
    let hall = orgs::get(c, r.hall_id).await?;
    if !actor.sees(&hall.path) {
        return Err(ApiError::not_found("attendance"));
    }
    Ok((r, hall))
}

/// Checks a window, its staff member and the cover; returns the window's hall.
async fn check_attendance(
    c: &mut Conn,
    actor: &Actor,
    window_id: WindowId,
    user_id: UserId,
    (status, covered_by): (AttendanceStatus, Option<UserId>),
) -> AppResult<orgs::Organization> {
    let hall = match windows::get(c, window_id.0).await.found()? {
        Some(w) => Some(orgs::get(c, w.hall_id).await?).filter(|h| actor.sees(&h.path)),
        None => None,
    };
    let Some(hall) = hall else {
        return Err(ApiError::field(
            "/window_id",
            Code::ReferenceNotFound,
            "no such window in your scope",
        ));
    };
    let staff: Vec<Uuid> = windows::staff_of(c, &[window_id.0])
        .await?
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    let mut e = Errors::new();
    if !staff.contains(&user_id.0) {
        e.push(
            "user_id",
            RuleViolation::new(
                Code::AttendanceNotWindowStaff,
                "not a staff member (A or B post) of this window",
            ),
        );
    }
    let cover = rules::check_cover(status, user_id.0, covered_by.map(|u| u.0), &staff);
    e.check("covered_by", cover);
    e.finish()?;
    Ok(hall)
}
