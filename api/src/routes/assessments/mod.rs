//! Window and staff assessment (考核): attendance (考勤), daily assessments (日考核) and the
//! summary of a week, month or quarter with ranks, quarterly grades and the red-flag window
//! (红旗窗口) and service star (服务之星) candidates.
//!
//! One attendance record per staff member and day, and one assessment per subject and day: a
//! second POST for the same day is a 409 naming the existing record (`context.id`); correct
//! a record with PUT and `If-Match`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::AttendanceStatus;
use zhengwu_domain::ids::{AttendanceId, OrganizationId, UserId, WindowId};
use zhengwu_domain::validation::{self, Errors};
use zhengwu_persistence::assessments::AttendanceRow;

use crate::app::assessments::{
    self as app, AttendanceSearch, CorrectAttendance, ParseOn, RecordAttendance,
};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

mod daily;
mod summary;

pub use self::daily::*;
pub use self::summary::*;

// ------------------------------------------------------------------ attendance

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "window_id": "01941f29-7c00-7003-8000-000000000001",
    "user_id": "01941f29-7c00-7002-8000-000000000005", "day": "2026-12-04", "status": "leave",
    "covered_by": "01941f29-7c00-7002-8000-000000000006", "note": "病假一天，B岗顶岗"
}))]
pub struct AttendanceIn {
    /// The window the staff member serves that day; they are one of its staff.
    pub window_id: Uuid,
    pub user_id: Uuid,
    /// Up to today, by the server's clock in the local time zone.
    pub day: NaiveDate,
    pub status: AttendanceStatus,
    /// Who covered the window (AB岗): another staff member of the same window; not for
    /// `present`.
    pub covered_by: Option<Uuid>,
    pub note: Option<String>,
}

/// A correction of an attendance record; the staff member and the day stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "window_id": "01941f29-7c00-7003-8000-000000000001", "status": "late", "note": "迟到15分钟"
}))]
pub struct AttendanceChange {
    pub window_id: Uuid,
    pub status: AttendanceStatus,
    pub covered_by: Option<Uuid>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendanceDto {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub window_id: Uuid,
    pub user_id: Uuid,
    pub day: NaiveDate,
    pub status: AttendanceStatus,
    pub covered_by: Option<Uuid>,
    /// Away (absent, leave, business trip) and nobody covered the window.
    pub uncovered: bool,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AttendanceRow> for AttendanceDto {
    type Error = ApiError;

    fn try_from(r: AttendanceRow) -> ApiResult<AttendanceDto> {
        let status = r.status()?;
        Ok(AttendanceDto {
            uncovered: status.away() && r.covered_by.is_none(),
            id: r.id,
            hall_id: r.hall_id,
            window_id: r.window_id,
            user_id: r.user_id,
            day: r.day,
            status,
            covered_by: r.covered_by,
            note: r.note,
            recorded_by: r.recorded_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl ParseOn<RecordAttendance> for AttendanceIn {
    fn parse_on(self, today: NaiveDate) -> ApiResult<RecordAttendance> {
        let mut e = Errors::new();
        e.check("day", validation::event_date(self.day, None, today));
        let note = app::parse_note(&mut e, self.note.as_deref());
        e.finish()?;
        Ok(RecordAttendance {
            window_id: WindowId(self.window_id),
            user_id: UserId(self.user_id),
            day: self.day,
            status: self.status,
            covered_by: self.covered_by.map(UserId),
            note,
        })
    }
}

impl ParseOn<CorrectAttendance> for AttendanceChange {
    fn parse_on(self, _today: NaiveDate) -> ApiResult<CorrectAttendance> {
        let mut e = Errors::new();
        let note = app::parse_note(&mut e, self.note.as_deref());
        e.finish()?;
        Ok(CorrectAttendance {
            window_id: WindowId(self.window_id),
            status: self.status,
            covered_by: self.covered_by.map(UserId),
            note,
        })
    }
}

/// Record a staff member's day at a window (supervisors and organisation administrators).
///
/// One record per staff member and day: a second one is a 409 whose `context.id` names the
/// existing record, to correct with `PUT /attendance/{id}`.
#[utoipa::path(operation_id = "recordAttendance",
    tag = "assessment", security(("bearer" = [])), request_body = AttendanceIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = AttendanceDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The staff member already has a record for the day (`attendance.duplicate`)")))]
#[post("/attendance")]
pub async fn record_attendance(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<AttendanceIn>,
) -> ApiResult<HttpResponse> {
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let input = body.into_inner_value();
    let created = app::record_attendance(&state, &auth.actor(), &idem, input).await?;
    Ok(created.into_response())
}

/// Read an attendance record.
#[utoipa::path(operation_id = "getAttendance",
    tag = "assessment", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = AttendanceDto, headers(("ETag" = String)))))]
#[get("/attendance/{id}")]
pub async fn get_attendance(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let d = app::get_attendance(&state, &auth.actor(), AttendanceId(*id)).await?;
    Ok(attendance_response(&d))
}

fn attendance_response(d: &AttendanceDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d)
}

/// Correct an attendance record: window, status, cover and note (send `If-Match`).
#[utoipa::path(operation_id = "amendAttendance",
    tag = "assessment", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AttendanceChange, responses((status = 200, body = AttendanceDto)))]
#[put("/attendance/{id}")]
pub async fn amend_attendance(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AttendanceChange>,
) -> ApiResult<HttpResponse> {
    let (actor, id, cmd) = (auth.actor(), AttendanceId(*id), body.into_inner_value());
    let d = app::correct_attendance(&state, &actor, id, &if_match, cmd).await?;
    Ok(attendance_response(&d))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
    #[param(example = "2026-11-01")]
    pub from: NaiveDate,
    /// At most 366 days after `from`.
    #[param(example = "2026-11-30")]
    pub to: NaiveDate,
    /// Only this staff member.
    pub user: Option<Uuid>,
}

/// The attendance records of a hall in a period.
#[utoipa::path(operation_id = "listAttendance",
    tag = "assessment", security(("bearer" = [])), params(AttendanceQuery, PageParams),
    responses((status = 200, body = Page<AttendanceDto>),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such hall in your scope")))]
#[get("/attendance")]
pub async fn list_attendance(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AttendanceQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let search = AttendanceSearch {
        hall: OrganizationId(q.hall),
        from: q.from,
        to: q.to,
        user: q.user.map(UserId),
    };
    let items = app::list_attendance(&state, &auth.actor(), search, &page).await?;
    Ok(page_response(&req, items))
}
