//! The working-day calendar and deadlines in working days.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{MAX_WORKING_DAYS, SkipReason, StoredDeadline, YearSchedule};
use zhengwu_persistence::{calendar, deadlines};

use crate::audit_ctx::AuditCtx;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IfMatch, etag};
use crate::pagination::{Page, PageParams, page_response};
use crate::routes::supervision::subtree;
use crate::state::AppState;

/// A year's published schedule (国务院办公厅关于部分节假日安排的通知).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "holidays": ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05",
                 "2025-10-06", "2025-10-07", "2025-10-08"],
    "adjusted_working_days": ["2025-09-28", "2025-10-11"]
}))]
pub struct PutCalendar {
    /// Statutory rest days (法定节假日), weekend days of the holiday included.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are worked (调休上班日).
    pub adjusted_working_days: Vec<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDto {
    pub year: i32,
    pub holidays: Vec<NaiveDate>,
    pub adjusted_working_days: Vec<NaiveDate>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The start date (day 0); day 1 is the first working day after it.
    #[param(example = "2025-09-26")]
    pub start: NaiveDate,
    /// Working days to count, 0 (the same day) to 5000.
    #[param(example = 20)]
    #[param(maximum = 5000)]
    pub working_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedDayDto {
    pub date: NaiveDate,
    pub reason: SkipReason,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "start": "2025-09-26", "working_days": 20, "due_date": "2025-10-30", "timezone": "Asia/Shanghai",
    "skipped": [{"date": "2025-09-27", "reason": "weekend"}, {"date": "2025-10-01", "reason": "holiday"}],
    "years_without_calendar": []
}))]
pub struct DeadlineDto {
    pub start: NaiveDate,
    pub working_days: u32,
    pub due_date: NaiveDate,
    /// The time zone in which dates are counted.
    pub timezone: String,
    /// Every rest day between the start and the due date, with its reason.
    pub skipped: Vec<SkippedDayDto>,
    /// Years with no loaded schedule: only weekends were skipped there.
    pub years_without_calendar: Vec<i32>,
    /// Present when a year without schedule was involved.
    pub warning: Option<String>,
}

fn year_param(year: i32) -> ApiResult<i32> {
    if (1990..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::field(
            "/year",
            "calendar.year_range",
            "the year must be between 1990 and 2200",
        ))
    }
}

/// Compute a deadline in working days.
///
/// Weekends and loaded holidays are skipped, adjusted working days count. The answer names
/// every skipped day and any year for which no schedule is loaded (weekends only there).
#[utoipa::path(operation_id = "computeDeadline",
    tag = "calendar", params(DeadlineQuery), responses((status = 200, body = DeadlineDto)))]
#[get("/calendars/deadline")]
pub async fn deadline(
    state: web::Data<AppState>,
    q: web::Query<DeadlineQuery>,
) -> ApiResult<HttpResponse> {
    if q.working_days > MAX_WORKING_DAYS {
        return Err(ApiError::field(
            "?working_days",
            "range",
            format!("at most {MAX_WORKING_DAYS} working days"),
        ));
    }
    let from = q.start.year();
    let to = from + 1 + (q.working_days as i32) / 200;
    let mut conn = state.conn().await?;
    let cal = calendar::calendar_for(&mut conn, from, to).await?;
    let dl = cal
        .add_working_days(q.start, q.working_days)
        .map_err(|e| ApiError::field("?working_days", "range", e.to_string()))?;
    let warning = (!dl.years_without_schedule.is_empty()).then(|| {
        format!(
            "no holiday schedule is loaded for {}; only weekends were skipped there",
            dl.years_without_schedule
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    Ok(HttpResponse::Ok().json(DeadlineDto {
        start: dl.start,
        working_days: dl.working_days,
        due_date: dl.due_date,
        timezone: state.config.timezone.name().to_owned(),
        skipped: dl
            .skipped
            .into_iter()
            .map(|s| SkippedDayDto {
                date: s.date,
                reason: s.reason,
            })
            .collect(),
        years_without_calendar: dl.years_without_schedule,
        warning,
    }))
}

/// Read a year's schedule.
#[utoipa::path(operation_id = "getCalendar",
    tag = "calendar", params(("year" = i32, Path, minimum = 1990, maximum = 2200, example = 2025)),
    responses((status = 200, body = CalendarDto, headers(("ETag" = String)))))]
#[get("/calendars/{year}")]
pub async fn get(state: web::Data<AppState>, year: web::Path<i32>) -> ApiResult<HttpResponse> {
    let year = year_param(*year)?;
    let mut conn = state.conn().await?;
    let stored = calendar::load_years(&mut conn, year, year)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::not_found("calendar").detail(format!(
                "no schedule is loaded for {year}; deadlines in it count weekends only"
            ))
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(stored.version)))
        .json(CalendarDto {
            year,
            holidays: stored.schedule.holidays().collect(),
            adjusted_working_days: stored.schedule.adjusted_working_days().collect(),
            version: stored.version,
            updated_at: stored.updated_at,
        }))
}

/// Load or replace a year's schedule (system administrators). Stored deadlines counted
/// across the year while it had no schedule are counted again with it.
#[utoipa::path(operation_id = "putCalendar",
    tag = "calendar", security(("bearer" = [])),
    params(("year" = i32, Path, minimum = 1990, maximum = 2200, example = 2025),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PutCalendar,
    responses((status = 200, body = CalendarDto, headers(("ETag" = String)))))]
#[put("/calendars/{year}")]
pub async fn put(
    state: web::Data<AppState>,
    auth: Principal,
    year: web::Path<i32>,
    if_match: IfMatch,
    body: ApiJson<PutCalendar>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin])?;
    let year = year_param(*year)?;
    let schedule = YearSchedule::new(
        year,
        &body.value.holidays,
        &body.value.adjusted_working_days,
    )?;
    let audit = AuditCtx::new(&state, auth.actor());
    let mut conn = state.conn().await?;
    let dto = conn
        .transaction::<_, ApiError, _>(async |c| {
            let current = calendar::year_version_for_update(c, year).await?;
            if let Some(v) = current {
                if_match.check(v)?;
            } else {
                if_match.check_absent()?;
            }
            let before = calendar::load_years(c, year, year).await?.into_iter().next().map(|s| {
                serde_json::json!({
                    "holidays": s.schedule.holidays().collect::<Vec<_>>(),
                    "adjusted_working_days": s.schedule.adjusted_working_days().collect::<Vec<_>>(),
                })
            });
            let version = calendar::put_year(c, &schedule).await?;
            let recounted = crate::deadlines::recount(c, year).await?;
            let dto = CalendarDto {
                year,
                holidays: schedule.holidays().collect(),
                adjusted_working_days: schedule.adjusted_working_days().collect(),
                version,
                updated_at: audit.at,
            };
            let after = serde_json::json!({"calendar": &dto, "deadlines_recounted": recounted});
            audit
                .record(
                    c,
                    "calendar.put",
                    "calendar",
                    year,
                    None,
                    before.as_ref(),
                    Some(&after),
                )
                .await?;
            Ok(dto)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}

/// A stored deadline counted across a year whose holiday schedule is not loaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvisionalDeadline {
    pub kind: StoredDeadline,
    /// The case, application, item, message, ticket, rectification, order or complaint.
    pub object_id: Uuid,
    /// The stop of an application (its consultation or fee notice); 0 otherwise.
    pub seq: i32,
    /// The record's number, title or subject.
    pub label: String,
    /// The organisation responsible for the deadline.
    pub organization_id: Option<Uuid>,
    pub start_on: NaiveDate,
    /// Working days counted from `start_on` (before the working days of closed stops).
    pub working_days: u32,
    /// The due date as counted, weekends only in the years below.
    pub due_date: NaiveDate,
    /// Years counted without a schedule; loading one counts the deadline again.
    pub years_without_calendar: Vec<i32>,
    pub computed_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProvisionalQuery {
    /// The organisation whose subtree is listed; your scope when absent.
    pub org: Option<Uuid>,
}

fn provisional_key(d: &ProvisionalDeadline) -> String {
    format!("{}|{}|{}|{}", d.due_date, d.kind, d.object_id, d.seq)
}

fn provisional_after(key: &str) -> Option<deadlines::After> {
    let mut parts = key.splitn(4, '|');
    Some(deadlines::After {
        due_date: parts.next()?.parse().ok()?,
        kind: StoredDeadline::parse(parts.next()?)?.as_str().to_owned(),
        object_id: parts.next()?.parse().ok()?,
        seq: parts.next()?.parse().ok()?,
    })
}

/// Stored deadlines counted across a year with no holiday schedule loaded (weekends only
/// there), soonest first: loading the year's schedule counts them again. Administrators,
/// within their scope.
#[utoipa::path(operation_id = "listProvisionalDeadlines",
    tag = "calendar", security(("bearer" = [])), params(ProvisionalQuery, PageParams),
    responses((status = 200, body = Page<ProvisionalDeadline>)))]
#[get("/calendars/provisional-deadlines")]
pub async fn provisional(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ProvisionalQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    auth.require(&[Role::SysAdmin, Role::OrgAdmin])?;
    let limit = page.limit()?;
    let after = match page.after_key()? {
        Some(k) => Some(provisional_after(&k).ok_or_else(|| {
            ApiError::field(
                "?cursor",
                "cursor.invalid",
                "the cursor is not one this API gave out",
            )
        })?),
        None => None,
    };
    let mut conn = state.conn().await?;
    let within = subtree(&mut conn, &auth, q.org).await?;
    let rows = deadlines::list(&mut conn, within.as_deref(), after.as_ref(), limit + 1).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let d = r.deadline;
        items.push(ProvisionalDeadline {
            kind: StoredDeadline::parse(&d.kind).ok_or_else(ApiError::internal)?,
            object_id: d.object_id,
            seq: d.seq,
            label: r.label,
            organization_id: r.organization_id,
            start_on: d.start_on,
            working_days: u32::try_from(d.working_days).unwrap_or(0),
            due_date: d.due_date,
            years_without_calendar: d.years,
            computed_at: d.computed_at,
        });
    }
    Ok(page_response(
        &req,
        Page::from_rows(items, limit, provisional_key, |d| d),
    ))
}
