//! Stored year schedules of the working-day calendar.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use zhengwu_domain::calendar::{Calendar, DayKind, YearSchedule};

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::{calendar_days, calendar_years};

/// A stored year with its version.
#[derive(Debug, Clone)]
pub struct StoredYear {
    pub schedule: YearSchedule,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The version of a stored year, locking it; `None` when the year was never loaded.
pub async fn year_version_for_update(conn: &mut Conn, year: i32) -> Result<Option<i32>, DbError> {
    Ok(calendar_years::table
        .find(year)
        .select(calendar_years::version)
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Replaces a year's schedule; returns the new version.
pub async fn put_year(conn: &mut Conn, schedule: &YearSchedule) -> Result<i32, DbError> {
    let year = schedule.year();
    let version: i32 = diesel::insert_into(calendar_years::table)
        .values(calendar_years::year.eq(year))
        .on_conflict(calendar_years::year)
        .do_update()
        .set((
            calendar_years::version.eq(calendar_years::version + 1),
            calendar_years::updated_at.eq(diesel::dsl::now),
        ))
        .returning(calendar_years::version)
        .get_result(conn)
        .await?;
    diesel::delete(calendar_days::table.filter(calendar_days::year.eq(year)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = schedule
        .holidays()
        .map(|d| (d, DayKind::Holiday))
        .chain(
            schedule
                .adjusted_working_days()
                .map(|d| (d, DayKind::AdjustedWorkingDay)),
        )
        .map(|(d, k)| {
            (
                calendar_days::day.eq(d),
                calendar_days::year.eq(year),
                calendar_days::kind.eq(k.as_str()),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(calendar_days::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(version)
}

/// A stored year and one of its days (none for a year without special days).
type YearDay = (i32, i32, DateTime<Utc>, Option<NaiveDate>, Option<String>);

/// The stored schedules of the years `from..=to`, in one statement. Takes the connection
/// shared, so that the read can be pipelined with others.
pub async fn load_years(mut conn: &Conn, from: i32, to: i32) -> Result<Vec<StoredYear>, DbError> {
    let rows: Vec<YearDay> = calendar_years::table
        .left_join(calendar_days::table)
        .filter(calendar_years::year.between(from, to))
        .select((
            calendar_years::year,
            calendar_years::version,
            calendar_years::updated_at,
            calendar_days::day.nullable(),
            calendar_days::kind.nullable(),
        ))
        .order((calendar_years::year, calendar_days::day))
        .load(&mut conn)
        .await?;
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while let Some((year, version, updated_at, day, kind)) = rows.next() {
        let mut holidays = Vec::new();
        let mut adjusted = Vec::new();
        let mut next = day.zip(kind);
        loop {
            if let Some((d, kind)) = next {
                match parse_col(&kind, DayKind::parse)? {
                    DayKind::Holiday => holidays.push(d),
                    DayKind::AdjustedWorkingDay => adjusted.push(d),
                }
            }
            match rows.next_if(|r| r.0 == year) {
                Some((_, _, _, d, k)) => next = d.zip(k),
                None => break,
            }
        }
        let schedule = YearSchedule::new(year, &holidays, &adjusted)
            .map_err(|_| DbError::Other(format!("stored calendar of {year} is inconsistent")))?;
        out.push(StoredYear {
            schedule,
            version,
            updated_at,
        });
    }
    Ok(out)
}

/// A calendar holding the schedules of `from..=to`.
pub async fn calendar_for(conn: &Conn, from: i32, to: i32) -> Result<Calendar, DbError> {
    Ok(Calendar::new(
        load_years(conn, from, to)
            .await?
            .into_iter()
            .map(|y| y.schedule),
    ))
}

/// A calendar holding every published year's schedule: computations that must not depend
/// on the period asked about (the case statistics, stored per day) use this one.
pub async fn published(conn: &Conn) -> Result<Calendar, DbError> {
    calendar_for(conn, 1990, 2200).await
}
