//! The working-day calendar and deadlines in working days.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::calendar::{
    Deadline, MAX_WORKING_DAYS, SkipReason, StoredDeadline, YearSchedule,
};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_persistence::deadlines::{self, Listed};

use crate::app::calendars::{self as uc, SavedYear};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IfMatch, etag};
use crate::pagination::{Page, PageParams, page_response};
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
    "start": "2025-09-26", "working_days": 20, "due_date": "2025-10-30",
    "timezone": "Asia/Shanghai",
    "skipped": [{"date": "2025-09-27", "reason": "weekend"},
                {"date": "2025-10-01", "reason": "holiday"}],
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
            Code::CalendarYearRange,
            "the year must be between 1990 and 2200",
        ))
    }
}

impl DeadlineQuery {
    fn working_days(&self) -> ApiResult<u32> {
        if self.working_days > MAX_WORKING_DAYS {
            return Err(ApiError::field(
                "?working_days",
                Code::Range,
                format!("at most {MAX_WORKING_DAYS} working days"),
            ));
        }
        Ok(self.working_days)
    }
}

impl DeadlineDto {
    fn new(dl: Deadline, timezone: &str) -> Self {
        let warning = (!dl.years_without_schedule.is_empty()).then(|| {
            let years: Vec<String> = dl
                .years_without_schedule
                .iter()
                .map(i32::to_string)
                .collect();
            format!(
                "no holiday schedule is loaded for {}; only weekends were skipped there",
                years.join(", ")
            )
        });
        Self {
            start: dl.start,
            working_days: dl.working_days,
            due_date: dl.due_date,
            timezone: timezone.to_owned(),
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
        }
    }
}

impl CalendarDto {
    fn new(schedule: &YearSchedule, version: i32, updated_at: DateTime<Utc>) -> Self {
        Self {
            year: schedule.year(),
            holidays: schedule.holidays().collect(),
            adjusted_working_days: schedule.adjusted_working_days().collect(),
            version,
            updated_at,
        }
    }

    fn response(self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::ETAG, etag(self.version)))
            .json(self)
    }
}

impl From<SavedYear> for CalendarDto {
    fn from(s: SavedYear) -> Self {
        Self::new(&s.schedule, s.version, s.updated_at)
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
    let dl = uc::deadline(&state, q.start, q.working_days()?).await?;
    Ok(HttpResponse::Ok().json(DeadlineDto::new(dl, state.config.timezone.name())))
}

/// Read a year's schedule.
#[utoipa::path(operation_id = "getCalendar",
    tag = "calendar", params(("year" = i32, Path, minimum = 1990, maximum = 2200, example = 2025)),
    responses((status = 200, body = CalendarDto, headers(("ETag" = String)))))]
#[get("/calendars/{year}")]
pub async fn get(state: web::Data<AppState>, year: web::Path<i32>) -> ApiResult<HttpResponse> {
    let stored = uc::get(&state, year_param(*year)?).await?;
    Ok(CalendarDto::new(&stored.schedule, stored.version, stored.updated_at).response())
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
    let actor = auth.actor();
    uc::may_put(&actor)?;
    let year = year_param(*year)?;
    let b = &body.value;
    let schedule = YearSchedule::new(year, &b.holidays, &b.adjusted_working_days)?;
    let saved = uc::put(&state, &actor, &if_match, schedule).await?;
    Ok(CalendarDto::from(saved).response())
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

impl TryFrom<Listed> for ProvisionalDeadline {
    type Error = ApiError;

    fn try_from(r: Listed) -> ApiResult<Self> {
        let d = r.deadline;
        Ok(Self {
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
        })
    }
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
    let actor = auth.actor();
    uc::may_list_provisional(&actor)?;
    let limit = page.limit()?;
    let after = page.after_key()?.map(|k| provisional_after(&k)).map(|a| {
        a.ok_or_else(|| {
            ApiError::field(
                "?cursor",
                Code::CursorInvalid,
                "the cursor is not one this API gave out",
            )
        })
    });
    let org = q.org.map(OrganizationId);
    let rows = uc::provisional(&state, &actor, org, after.transpose()?, limit + 1).await?;
    let items = rows
        .into_iter()
        .map(ProvisionalDeadline::try_from)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(page_response(
        &req,
        Page::from_rows(items, limit, provisional_key, |d| d),
    ))
}
