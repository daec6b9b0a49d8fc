//! The working-day calendar: deadlines, the years' schedules and the deadlines counted
//! without one.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::{Deadline, YearSchedule};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_persistence::calendar::{self, StoredYear};
use zhengwu_persistence::deadlines::{self, After, Listed};

use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::state::AppState;

/// A year's schedule as saved.
pub struct SavedYear {
    pub schedule: YearSchedule,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A schedule as the audit log records it.
#[derive(Serialize)]
struct ScheduleRecord {
    holidays: Vec<NaiveDate>,
    adjusted_working_days: Vec<NaiveDate>,
}

impl From<&YearSchedule> for ScheduleRecord {
    fn from(s: &YearSchedule) -> Self {
        Self {
            holidays: s.holidays().collect(),
            adjusted_working_days: s.adjusted_working_days().collect(),
        }
    }
}

/// The year as saved, with the stored deadlines counted again.
#[derive(Serialize)]
struct SavedRecord {
    calendar: SavedCalendarRecord,
    deadlines_recounted: usize,
}

#[derive(Serialize)]
struct SavedCalendarRecord {
    year: i32,
    #[serde(flatten)]
    schedule: ScheduleRecord,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// 403 unless the actor loads schedules (system administrators).
pub fn may_put(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(&[Role::SysAdmin])?)
}

/// 403 unless the actor lists provisional deadlines (administrators).
pub fn may_list_provisional(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(&[Role::SysAdmin, Role::OrgAdmin])?)
}

/// The deadline `working_days` after `start` (at most `MAX_WORKING_DAYS`, checked).
pub async fn deadline(app: &AppState, start: NaiveDate, working_days: u32) -> AppResult<Deadline> {
    let from = start.year();
    let to = from + 1 + (working_days as i32) / 200;
    let conn = app.conn().await?;
    let cal = calendar::calendar_for(&conn, from, to).await?;
    cal.add_working_days(start, working_days)
        .map_err(|e| ApiError::field("?working_days", Code::Range, e.to_string()))
}

/// A year's stored schedule.
pub async fn get(app: &AppState, year: i32) -> AppResult<StoredYear> {
    let conn = app.conn().await?;
    let stored = calendar::load_years(&conn, year, year).await?;
    stored.into_iter().next().ok_or_else(|| {
        ApiError::not_found("calendar").detail(format!(
            "no schedule is loaded for {year}; deadlines in it count weekends only"
        ))
    })
}

/// Loads or replaces a year's schedule and counts again the stored deadlines counted
/// across it without one.
pub async fn put(
    app: &AppState,
    actor: &Actor,
    expect: &IfMatch,
    schedule: YearSchedule,
) -> AppResult<SavedYear> {
    may_put(actor)?;
    let year = schedule.year();
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    let saved = conn
        .transaction::<_, ApiError, _>(async |c| {
            match calendar::year_version_for_update(c, year).await? {
                Some(v) => expect.check(v)?,
                None => expect.check_absent()?,
            }
            let stored = calendar::load_years(c, year, year).await?;
            let before = stored.first().map(|s| ScheduleRecord::from(&s.schedule));
            let version = calendar::put_year(c, &schedule).await?;
            let recounted = crate::deadlines::recount(c, year).await?;
            let after = SavedRecord {
                calendar: SavedCalendarRecord {
                    year,
                    schedule: ScheduleRecord::from(&schedule),
                    version,
                    updated_at: audit.at,
                },
                deadlines_recounted: recounted,
            };
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
            Ok(SavedYear {
                schedule,
                version,
                updated_at: audit.at,
            })
        })
        .await;
    crate::app::supervision::refresh_soon(app);
    saved
}

/// The stored deadlines counted across a year without a schedule, in the actor's scope
/// (or the subtree of `org` inside it), soonest first.
pub async fn provisional(
    app: &AppState,
    actor: &Actor,
    org: Option<OrganizationId>,
    after: Option<After>,
    limit: i64,
) -> AppResult<Vec<Listed>> {
    may_list_provisional(actor)?;
    let mut conn = app.conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), org).await?;
    Ok(deadlines::list(&mut conn, &scope, after.as_ref(), limit).await?)
}
