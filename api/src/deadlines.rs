//! Stored deadlines: each is counted with the calendar of the years it spans and kept
//! provisional while one of them has no schedule — listed for administrators and counted
//! again when the year's schedule is loaded.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use zhengwu_domain::codes::Code;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;
use zhengwu_domain::calendar::{Calendar, Deadline, DeadlineBasis, MAX_WORKING_DAYS};
use zhengwu_persistence::deadlines::{self as repo, Target};
use zhengwu_persistence::{Conn, DbError, calendar};

use crate::error::{ApiError, ApiResult};

/// The last year a basis can reach: a year holds at least 200 working days.
fn last_year(basis: &DeadlineBasis) -> i32 {
    let stopped: i64 = basis
        .stops
        .iter()
        .filter_map(|s| s.end.map(|e| (e - s.start).num_days()))
        .sum();
    let days = i64::from(basis.working_days.min(MAX_WORKING_DAYS)) + stopped;
    basis.start.year() + 1 + i32::try_from(days / 200).unwrap_or(0)
}

/// Counts the stored deadline `target` from `basis` and records whether it is provisional.
pub async fn count(conn: &mut Conn, target: Target, basis: DeadlineBasis) -> ApiResult<Deadline> {
    let cal = calendar::calendar_for(conn, basis.start.year(), last_year(&basis)).await?;
    let counted = cal
        .deadline(&basis)
        .map_err(|e| ApiError::unprocessable(Code::CalendarRange, e.to_string()))?;
    repo::keep(
        conn,
        &target,
        &basis,
        counted.due_date,
        &counted.years_without_schedule,
    )
    .await?;
    Ok(counted)
}

/// Counts `target` again `days` working days further on (an approved extension): from its
/// basis while it is provisional, else from the due date it had.
pub async fn extend(
    conn: &mut Conn,
    target: Target,
    due: NaiveDate,
    days: u32,
) -> ApiResult<Deadline> {
    let basis = match repo::provisional(conn, &target).await? {
        Some(p) => {
            let mut basis = p.basis()?;
            basis.working_days += days;
            basis
        }
        None => DeadlineBasis::after(due, days),
    };
    count(conn, target, basis).await
}

/// Per record, the years without schedule its stored deadlines were counted across.
pub async fn flags(conn: &mut Conn, ids: &[Uuid]) -> ApiResult<HashMap<Uuid, Vec<i32>>> {
    Ok(repo::years_of(conn, ids).await?)
}

/// The years without schedule the stored deadlines of one record were counted across.
pub async fn flags_of(conn: &mut Conn, id: Uuid) -> ApiResult<Vec<i32>> {
    Ok(flags(conn, &[id]).await?.remove(&id).unwrap_or_default())
}

/// Counts again every provisional deadline that spanned `year`, now that its schedule is
/// loaded, and puts each into its record (unless the record changed it since). Returns how
/// many records changed.
pub async fn recount(conn: &mut Conn, year: i32) -> Result<usize, DbError> {
    let mut changed = 0;
    // Deadlines spanning the same years share one calendar.
    let mut calendars: HashMap<(i32, i32), Calendar> = HashMap::new();
    for p in repo::waiting_for(conn, year).await? {
        let (target, basis) = (p.target()?, p.basis()?);
        let years = (basis.start.year(), last_year(&basis));
        let cal = match calendars.entry(years) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(calendar::calendar_for(conn, years.0, years.1).await?),
        };
        let Ok(counted) = cal.deadline(&basis) else {
            continue;
        };
        if !repo::set_due(conn, &target, p.due_date, counted.due_date).await? {
            repo::forget(conn, &target).await?;
            continue;
        }
        changed += usize::from(counted.due_date != p.due_date);
        repo::keep(
            conn,
            &target,
            &basis,
            counted.due_date,
            &counted.years_without_schedule,
        )
        .await?;
    }
    Ok(changed)
}
