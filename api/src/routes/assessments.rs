//! Window and staff assessment (考核): attendance (考勤), daily assessments (日考核) and the
//! summary of a week, month or quarter with ranks, quarterly grades and the red-flag window
//! (红旗窗口) and service star (服务之星) candidates.
//!
//! One attendance record per staff member and day, and one assessment per subject and day: a
//! second POST for the same day is a 409 naming the existing record (`context.id`); correct
//! a record with PUT and `If-Match`.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::assessment::{
    self as rules, AttendanceCounts, AttendanceStatus, DayAssessment, DayAttendance, Dimension,
    Grade, GradeThresholds, Item, MAX_ITEMS, Period, Standing, SubjectKind,
};
use zhengwu_domain::ids::{AttendanceId, OrganizationId, UserId, WindowId};
use zhengwu_domain::org::OrgKind;
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::assessments::{
    self as repo, Assessment, AssessmentRow, AttendanceRow, StoredItem,
};
use zhengwu_persistence::{Conn, DbError, orgs, users, windows};

use crate::app::assessments::{
    self as app, AttendanceSearch, CorrectAttendance, ParseOn, RecordAttendance,
};
use crate::audit_ctx::AuditCtx;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IdempotencyKey, IfMatch, etag};
use crate::idem::Idem;
use crate::pagination::{Page, PageParams, page_response};
use crate::state::AppState;

pub(crate) use crate::app::assessments::{READERS, WRITERS};

/// The hall of a query parameter: 404 unless it is a hall the caller sees.
pub(crate) async fn visible_hall(
    conn: &mut Conn,
    auth: &Principal,
    id: Uuid,
) -> ApiResult<orgs::Organization> {
    match orgs::get(conn, id).await {
        Ok(o) if o.kind == OrgKind::Hall && auth.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("hall")),
        Err(e) => Err(e.into()),
    }
}

/// The windows of a hall (by number) and their staff.
pub(crate) async fn roster(
    conn: &mut Conn,
    hall_id: Uuid,
) -> ApiResult<(Vec<windows::Window>, Vec<windows::Staff>)> {
    let mut ws = windows::list_by_hall(conn, OrganizationId(hall_id), None, 10_000).await?;
    ws.sort_by(|a, b| a.number.cmp(&b.number));
    let ids: Vec<Uuid> = ws.iter().map(|w| w.id).collect();
    let staff = windows::staff_of(conn, &ids).await?;
    Ok((ws, staff))
}

fn check_note(e: &mut Errors, note: Option<&str>) -> Option<String> {
    e.check_opt("note", note, |n| validation::text(n, 500))
}

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
        let note = check_note(&mut e, self.note.as_deref());
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
        let note = check_note(&mut e, self.note.as_deref());
        e.finish()?;
        Ok(CorrectAttendance {
            window_id: WindowId(self.window_id),
            status: self.status,
            covered_by: self.covered_by.map(UserId),
            note,
        })
    }
}

fn duplicate(what: &str, existing: Option<Uuid>) -> ApiError {
    let e = ApiError::conflict(
        &format!("{what}.duplicate"),
        format!("there is already one {what} record for this day; correct it with PUT"),
    );
    match existing {
        Some(id) => e.context(serde_json::json!({ "id": id })),
        None => e,
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
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
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

fn check_range(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    validation::period(from, to, 366).map_err(|v| ApiError::field("?to", v.code, v.message))
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

// ------------------------------------------------------------------ daily assessments

/// A bonus of 1 to 10 or a penalty of −1 to −10 points (never 0).
fn points_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let range = |lo: i32, hi: i32| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int32,
            )))
            .minimum(Some(lo))
            .maximum(Some(hi))
    };
    utoipa::openapi::Schema::OneOf(
        OneOfBuilder::new()
            .item(range(1, 10))
            .item(range(-10, -1))
            .build(),
    )
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub dimension: Dimension,
    /// A bonus of 1 to 10 or a penalty of −1 to −10.
    #[schema(example = -2, schema_with = points_schema)]
    pub points: i32,
    /// Why: required.
    #[schema(example = "窗口桌面杂乱，未按要求摆放标识牌")]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "hall_id": "01941f29-7c00-7001-8000-000000000005", "subject_kind": "window",
    "subject_id": "01941f29-7c00-7003-8000-000000000001", "day": "2026-12-04",
    "items": [{"dimension": "attitude", "points": 2, "reason": "群众书面表扬，耐心解答"}, {"dimension": "environment", "points": -1, "reason": "窗口桌面杂乱"}]
}))]
pub struct AssessmentIn {
    pub hall_id: Uuid,
    pub subject_kind: SubjectKind,
    /// A window of the hall, or a staff member of one of its windows.
    pub subject_id: Uuid,
    /// Up to today, by the server's clock in the local time zone.
    pub day: NaiveDate,
    /// Up to 20 items; none means a day without findings (score 100).
    #[serde(default)]
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
}

/// A correction of a daily assessment: the items and note replace the previous ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"dimension": "discipline", "points": -3, "reason": "上班时间玩手机"}]}))]
pub struct AssessmentChange {
    #[serde(default)]
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub day: NaiveDate,
    /// The daily score: 100 plus the points of the items.
    #[schema(example = 101)]
    pub score: i32,
    pub items: Vec<ItemIn>,
    pub note: Option<String>,
    pub assessed_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn assessment_dto(a: Assessment) -> ApiResult<AssessmentDto> {
    let (subject_kind, subject_id) = a.row.subject()?;
    Ok(AssessmentDto {
        id: a.row.id,
        hall_id: a.row.hall_id,
        subject_kind,
        subject_id,
        day: a.row.day,
        score: a.row.score,
        items: a
            .items
            .into_iter()
            .map(|i| ItemIn {
                dimension: i.dimension,
                points: i.points,
                reason: i.reason,
            })
            .collect(),
        note: a.row.note,
        assessed_by: a.row.assessed_by,
        version: a.row.version,
        created_at: a.row.created_at,
        updated_at: a.row.updated_at,
    })
}

/// Validates the items: dimension (by the schema), points in range, a reason.
fn check_items(e: &mut Errors, items: &[ItemIn]) -> Vec<StoredItem> {
    if items.len() > MAX_ITEMS {
        e.push(
            "items",
            RuleViolation::new(
                "assessment.too_many_items",
                format!("at most {MAX_ITEMS} items a day"),
            ),
        );
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| {
            let points = e.check(&format!("items/{i}/points"), rules::check_points(it.points));
            let reason = e.check(
                &format!("items/{i}/reason"),
                validation::text(&it.reason, 500),
            );
            Some(StoredItem {
                dimension: it.dimension,
                points: points?,
                reason: reason?,
            })
        })
        .collect()
}

fn score_of(items: &[StoredItem]) -> i32 {
    let domain: Vec<Item> = items
        .iter()
        .map(|i| Item {
            dimension: i.dimension,
            points: i.points,
        })
        .collect();
    rules::daily_score(&domain)
}

/// Record the daily assessment of a window or a staff member (supervisors and organisation
/// administrators). The score is 100 plus the points of the items.
///
/// One assessment per subject and day: a second one is a 409 whose `context.id` names the
/// existing one, to correct with `PUT /assessments/{id}`.
#[utoipa::path(operation_id = "createAssessment",
    tag = "assessment", security(("bearer" = [])), request_body = AssessmentIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = AssessmentDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "The subject is already assessed for the day (`assessment.duplicate`)")))]
#[post("/assessments")]
pub async fn create_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    key: IdempotencyKey,
    body: ApiJson<AssessmentIn>,
) -> ApiResult<HttpResponse> {
    auth.require(WRITERS)?;
    let b = &body.value;
    let mut e = Errors::new();
    e.check("day", validation::event_date(b.day, None, state.today()));
    let items = check_items(&mut e, &b.items);
    let note = check_note(&mut e, b.note.as_deref());
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let idem = Idem::new(&req, auth.idempotency_principal(), &key, &body.hash);
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let hall = match orgs::get(c, b.hall_id).await {
            Ok(o) if o.kind == OrgKind::Hall && auth.sees(&o.path) => o,
            Ok(_) | Err(DbError::NotFound) => {
                return Err(ApiError::field(
                    "/hall_id",
                    "reference.not_found",
                    "no such hall in your scope",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let (ws, staff) = roster(c, hall.id).await?;
        let in_hall = match b.subject_kind {
            SubjectKind::Window => ws.iter().any(|w| w.id == b.subject_id),
            SubjectKind::Staff => staff.iter().any(|s| s.user_id == b.subject_id),
        };
        if !in_hall {
            return Err(ApiError::field(
                "/subject_id",
                "assessment.not_in_hall",
                match b.subject_kind {
                    SubjectKind::Window => "not a window of this hall",
                    SubjectKind::Staff => "not a staff member of a window of this hall",
                },
            ));
        }
        if let Some(id) = repo::assessment_of(c, b.subject_kind, b.subject_id, b.day).await? {
            return Err(duplicate("assessment", Some(id)));
        }
        let a = Assessment {
            row: AssessmentRow {
                id: Uuid::now_v7(),
                hall_id: hall.id,
                subject_kind: b.subject_kind.as_str().to_owned(),
                window_id: (b.subject_kind == SubjectKind::Window).then_some(b.subject_id),
                user_id: (b.subject_kind == SubjectKind::Staff).then_some(b.subject_id),
                day: b.day,
                score: score_of(&items),
                note,
                assessed_by: auth.id,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            items,
        };
        let id = a.row.id;
        repo::insert_assessment(c, &a).await.map_err(|e| match e {
            DbError::Conflict { .. } => duplicate("assessment", None),
            e => e.into(),
        })?;
        let d = assessment_dto(a)?;
        audit
            .record(
                c,
                "assessment.create",
                "assessment",
                id,
                Some(&hall.path),
                None::<&()>,
                Some(&d),
            )
            .await?;
        idem.finish(c, &d, format!("/api/v1/assessments/{id}"))
            .await
    })
    .await
    .map(crate::idem::Created::into_response)
}

async fn assessment_in_scope(
    c: &mut Conn,
    auth: &Principal,
    id: Uuid,
    for_update: bool,
) -> ApiResult<(Assessment, orgs::Organization)> {
    let a = match repo::get_assessment(c, id, for_update).await {
        Ok(a) => a,
        Err(DbError::NotFound) => return Err(ApiError::not_found("assessment")),
        Err(e) => return Err(e.into()),
    };
    let hall = orgs::get(c, a.row.hall_id).await?;
    auth.ensure_sees(&hall.path, "assessment")?;
    Ok((a, hall))
}

/// Read a daily assessment.
#[utoipa::path(operation_id = "getAssessment",
    tag = "assessment", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = AssessmentDto, headers(("ETag" = String)))))]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    auth.require(READERS)?;
    let mut conn = state.conn().await?;
    let (a, _) = assessment_in_scope(&mut conn, &auth, *id, false).await?;
    let d = assessment_dto(a)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

/// Correct a daily assessment: its items and note are replaced (send `If-Match`).
#[utoipa::path(operation_id = "amendAssessment",
    tag = "assessment", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = AssessmentChange, responses((status = 200, body = AssessmentDto)))]
#[put("/assessments/{id}")]
pub async fn amend_assessment(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<AssessmentChange>,
) -> ApiResult<HttpResponse> {
    auth.require(WRITERS)?;
    let b = &body.value;
    let mut e = Errors::new();
    let items = check_items(&mut e, &b.items);
    let note = check_note(&mut e, b.note.as_deref());
    e.finish()?;
    let audit = AuditCtx::new(&state, auth.actor());
    let now = state.clock.now();
    let id = *id;
    let mut conn = state.conn().await?;
    let d = conn
        .transaction::<_, ApiError, _>(async |c| {
            let (a, hall) = assessment_in_scope(c, &auth, id, true).await?;
            if_match.check(a.row.version)?;
            let before = assessment_dto(a.clone())?;
            let saved = repo::save_assessment(
                c,
                &Assessment {
                    row: AssessmentRow {
                        score: score_of(&items),
                        note,
                        assessed_by: auth.id,
                        updated_at: now,
                        ..a.row
                    },
                    items,
                },
            )
            .await?;
            let after = assessment_dto(saved)?;
            audit
                .record(
                    c,
                    "assessment.amend",
                    "assessment",
                    id,
                    Some(&hall.path),
                    Some(&before),
                    Some(&after),
                )
                .await?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(d.version)))
        .json(d))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
    #[param(example = "2026-11-01")]
    pub from: NaiveDate,
    /// At most 366 days after `from`.
    #[param(example = "2026-11-30")]
    pub to: NaiveDate,
}

/// The daily assessments of a hall in a period, with their items.
#[utoipa::path(operation_id = "listAssessments",
    tag = "assessment", security(("bearer" = [])), params(AssessmentQuery, PageParams),
    responses((status = 200, body = Page<AssessmentDto>),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such hall in your scope")))]
#[get("/assessments")]
pub async fn list_assessments(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<AssessmentQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(READERS)?;
    let limit = page.limit()?;
    check_range(q.from, q.to)?;
    let mut conn = state.conn().await?;
    let hall = visible_hall(&mut conn, &auth, q.hall).await?;
    let rows = repo::list_assessments(
        &mut conn,
        hall.id,
        q.from,
        q.to,
        page.after_uuid()?,
        limit + 1,
    )
    .await?;
    let mut items = Vec::new();
    let more = rows.len() as i64 > limit;
    for a in rows.into_iter().take(limit as usize) {
        items.push(assessment_dto(a)?);
    }
    let next_cursor = more
        .then(|| {
            items
                .last()
                .map(|a| crate::pagination::encode_cursor(&a.id.to_string()))
        })
        .flatten();
    Ok(page_response(&req, Page { items, next_cursor }))
}

// ------------------------------------------------------------------ summary

/// Days of each attendance status; `uncovered` counts away days nobody covered.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct AttendanceCountsDto {
    pub present: u32,
    pub late: u32,
    pub left_early: u32,
    pub absent: u32,
    pub leave: u32,
    pub business_trip: u32,
    pub uncovered: u32,
}

impl From<&AttendanceCounts> for AttendanceCountsDto {
    fn from(a: &AttendanceCounts) -> Self {
        Self {
            present: a.present,
            late: a.late,
            left_early: a.left_early,
            absent: a.absent,
            leave: a.leave,
            business_trip: a.business_trip,
            uncovered: a.uncovered,
        }
    }
}

/// Σ points per dimension.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct DimensionTotals {
    pub attitude: i64,
    pub discipline: i64,
    pub environment: i64,
    pub handling: i64,
    pub skill: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectSummary {
    pub subject_id: Uuid,
    #[schema(example = "A01 综合受理窗口")]
    pub label: String,
    pub days_assessed: u32,
    /// Σ positive points.
    pub bonus: i64,
    /// Σ negative points (zero or less).
    pub penalty: i64,
    pub dimensions: DimensionTotals,
    /// Σ daily scores ÷ days assessed, two decimals; absent when not assessed.
    pub average_score: Option<f64>,
    /// Windows: the records filed at the window; staff: their own.
    pub attendance: AttendanceCountsDto,
    /// 1 is best; equal averages share a rank (1, 2, 2, 4); absent when not assessed.
    pub rank: Option<u32>,
    /// Quarters only.
    pub grade: Option<Grade>,
}

/// A candidate for red-flag window (红旗窗口) or service star (服务之星).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub subject_id: Uuid,
    pub label: String,
    pub average_score: Option<f64>,
}

/// The minimum average score of each grade.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ThresholdsDto {
    #[schema(example = 95)]
    pub excellent: i32,
    #[schema(example = 85)]
    pub good: i32,
    #[schema(example = 70)]
    pub pass: i32,
}

/// The standings of a hall's windows and staff over a period.
pub(crate) struct PeriodStandings {
    pub windows: Vec<(Standing, windows::Window)>,
    pub staff: Vec<(Standing, String)>,
    pub red_flag: Vec<Uuid>,
    pub stars: Vec<Uuid>,
    pub thresholds: GradeThresholds,
}

impl PeriodStandings {
    pub fn window_label(w: &windows::Window) -> String {
        format!("{} {}", w.number, w.name)
    }

    pub fn candidates(&self) -> (Vec<Candidate>, Vec<Candidate>) {
        let windows = self
            .red_flag
            .iter()
            .filter_map(|id| self.windows.iter().find(|(s, _)| s.tally.subject == *id))
            .map(|(s, w)| Candidate {
                subject_id: w.id,
                label: Self::window_label(w),
                average_score: s.tally.average(),
            })
            .collect();
        let staff = self
            .stars
            .iter()
            .filter_map(|id| self.staff.iter().find(|(s, _)| s.tally.subject == *id))
            .map(|(s, name)| Candidate {
                subject_id: s.tally.subject,
                label: name.clone(),
                average_score: s.tally.average(),
            })
            .collect();
        (windows, staff)
    }
}

/// Computes the standings of a hall over `from..=to`; grades when `grading`.
pub(crate) async fn period_standings(
    conn: &mut Conn,
    hall_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    grading: bool,
) -> ApiResult<PeriodStandings> {
    let (ws, staff) = roster(conn, hall_id).await?;
    let attendance = repo::attendance_between(conn, hall_id, from, to).await?;
    let assessed = repo::assessments_between(conn, hall_id, from, to).await?;
    let thresholds = repo::grade_thresholds(conn, hall_id).await?;

    // Staff: those on the hall's windows now, and anyone with records in the period.
    let mut people: Vec<(Uuid, String)> = Vec::new();
    for s in &staff {
        if !people.iter().any(|(id, _)| *id == s.user_id) {
            people.push((s.user_id, s.display_name.clone()));
        }
    }
    let mut others: Vec<Uuid> = attendance.iter().map(|r| r.user_id).collect();
    others.extend(assessed.iter().filter_map(|a| a.row.user_id));
    others.sort();
    others.dedup();
    for id in others {
        if !people.iter().any(|(p, _)| *p == id) {
            let name = users::get(conn, id).await?.display_name;
            people.push((id, name));
        }
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));

    let mut by_window = Vec::new();
    let mut by_staff = Vec::new();
    for a in &assessed {
        let day = DayAssessment {
            subject: a.row.window_id.or(a.row.user_id).unwrap_or_default(),
            items: a
                .items
                .iter()
                .map(|i| Item {
                    dimension: i.dimension,
                    points: i.points,
                })
                .collect(),
        };
        if a.row.window_id.is_some() {
            by_window.push(day);
        } else {
            by_staff.push(day);
        }
    }
    let mut att_window = Vec::new();
    let mut att_staff = Vec::new();
    for r in &attendance {
        let status = r.status()?;
        let covered = r.covered_by.is_some();
        att_window.push(DayAttendance {
            subject: r.window_id,
            status,
            covered,
        });
        att_staff.push(DayAttendance {
            subject: r.user_id,
            status,
            covered,
        });
    }
    let grades = grading.then_some(&thresholds);
    let window_ids: Vec<Uuid> = ws.iter().map(|w| w.id).collect();
    let w_stand = rules::standings(rules::tally(&window_ids, &by_window, &att_window), grades);
    let people_ids: Vec<Uuid> = people.iter().map(|(id, _)| *id).collect();
    let s_stand = rules::standings(rules::tally(&people_ids, &by_staff, &att_staff), grades);
    let red_flag = rules::candidates(&w_stand, &thresholds);
    let stars = rules::candidates(&s_stand, &thresholds);
    let names: HashMap<Uuid, String> = people.into_iter().collect();
    let mut wmap: HashMap<Uuid, windows::Window> = ws.into_iter().map(|w| (w.id, w)).collect();
    Ok(PeriodStandings {
        windows: w_stand
            .into_iter()
            .filter_map(|s| wmap.remove(&s.tally.subject).map(|w| (s, w)))
            .collect(),
        staff: s_stand
            .into_iter()
            .map(|s| {
                let name = names.get(&s.tally.subject).cloned().unwrap_or_default();
                (s, name)
            })
            .collect(),
        red_flag,
        stars,
        thresholds,
    })
}

pub(crate) fn subject_summary(s: &Standing, label: String) -> SubjectSummary {
    let t = &s.tally;
    SubjectSummary {
        subject_id: t.subject,
        label,
        days_assessed: t.days_assessed,
        bonus: t.bonus,
        penalty: t.penalty,
        dimensions: DimensionTotals {
            attitude: t.dimension(Dimension::Attitude),
            discipline: t.dimension(Dimension::Discipline),
            environment: t.dimension(Dimension::Environment),
            handling: t.dimension(Dimension::Handling),
            skill: t.dimension(Dimension::Skill),
        },
        average_score: t.average(),
        attendance: (&t.attendance).into(),
        rank: s.rank,
        grade: s.grade,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    #[param(example = "month")]
    pub period: Period,
    /// Any day of the period (weeks run Monday to Sunday).
    #[param(example = "2026-11-19")]
    pub date: NaiveDate,
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub hall_id: Uuid,
    pub hall_name: String,
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The score of a day without items.
    #[schema(example = 100)]
    pub base_score: i32,
    /// Quarters only: the thresholds the grades were given by.
    pub grade_thresholds: Option<ThresholdsDto>,
    /// Ranked, best first; windows not assessed last.
    pub windows: Vec<SubjectSummary>,
    /// Ranked, best first; staff not assessed last.
    pub staff: Vec<SubjectSummary>,
    /// 红旗窗口: of the windows assessed with no absence, no uncovered away day and no
    /// discipline penalty, and an average of at least the `good` threshold, the best (all
    /// when tied).
    pub red_flag_candidates: Vec<Candidate>,
    /// 服务之星: the same rule among the staff.
    pub service_star_candidates: Vec<Candidate>,
}

/// The summary of a week, month or quarter for a hall: per window and per staff member the
/// days assessed, bonus and penalty totals, per-dimension totals, average daily score,
/// attendance and rank; quarterly grades (优秀/良好/合格/不合格); the red-flag window and
/// service star candidates.
#[utoipa::path(operation_id = "getAssessmentSummary",
    tag = "assessment", security(("bearer" = [])), params(SummaryQuery),
    responses((status = 200, body = AssessmentSummary),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json",
     description = "No such hall in your scope")))]
#[get("/assessments/summary")]
pub async fn assessment_summary(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(READERS)?;
    let mut conn = state.heavy_read_conn().await?;
    let hall = visible_hall(&mut conn, &auth, q.hall).await?;
    let (from, to) = rules::period_range(q.period, q.date);
    let grading = q.period == Period::Quarter;
    let ps = period_standings(&mut conn, hall.id, from, to, grading).await?;
    let (red_flag_candidates, service_star_candidates) = ps.candidates();
    let t = ps.thresholds;
    Ok(HttpResponse::Ok().json(AssessmentSummary {
        hall_id: hall.id,
        hall_name: hall.name,
        period: q.period,
        from,
        to,
        base_score: rules::BASE_SCORE,
        grade_thresholds: grading.then_some(ThresholdsDto {
            excellent: t.excellent,
            good: t.good,
            pass: t.pass,
        }),
        windows: ps
            .windows
            .iter()
            .map(|(s, w)| subject_summary(s, PeriodStandings::window_label(w)))
            .collect(),
        staff: ps
            .staff
            .iter()
            .map(|(s, name)| subject_summary(s, name.clone()))
            .collect(),
        red_flag_candidates,
        service_star_candidates,
    }))
}
