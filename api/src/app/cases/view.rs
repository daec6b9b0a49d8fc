//! What a case shows: the case with its outcome, clock, sub-cases and flags, loaded for a
//! whole page at once.

use zhengwu_domain::codes::Code;

use chrono::{Datelike, NaiveDate};
use zhengwu_domain::calendar::{Calendar, ClockReading};
use zhengwu_domain::cases::{CaseClock, CaseState, Decision, Pause};
use zhengwu_persistence::cases::{self as repo, Case, Outcome};
use zhengwu_persistence::{Conn, DbError, calendar};

use super::AppResult;
use crate::error::ApiError;
use crate::state::AppState;

/// A case's clock as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockView {
    pub accepted_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub limit_working_days: u32,
    pub extension_working_days: u32,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    pub working_days_left: Option<i64>,
    pub paused: bool,
}

/// A case and what its representation shows beside it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: Case,
    pub outcome: Outcome,
    pub decision: Option<Decision>,
    pub clock: ClockView,
    pub matter_name: Option<String>,
    pub sub_cases: Vec<Case>,
    pub fee_anomaly: bool,
    pub years_without_calendar: Vec<i32>,
}

/// A case's clock, its view and, once accepted, its reading.
pub(super) struct Clock {
    pub clock: CaseClock,
    pub view: ClockView,
    pub reading: Option<ClockReading>,
}

/// What a clock was read from: the case's special procedures and, once accepted, the
/// calendar around its acceptance (the one its view is shown with).
pub(super) struct ClockSources {
    pub pauses: Vec<repo::PauseRecord>,
    pub calendar: Option<Calendar>,
}

pub(super) async fn calendar_around(conn: &Conn, from: NaiveDate) -> AppResult<Calendar> {
    Ok(calendar::calendar_for(conn, from.year(), from.year() + 2).await?)
}

/// A case's clock with its due date counted again from the calendar: what a transition
/// that moves the clock stores.
pub(super) async fn clock_of(conn: &mut Conn, c: &Case, today: NaiveDate) -> AppResult<Clock> {
    Ok(load_clock(conn, c, today, Due::Count).await?.0)
}

/// [`clock_of`], with what it was read from.
pub(super) async fn clock_with_sources(
    conn: &mut Conn,
    c: &Case,
    today: NaiveDate,
) -> AppResult<(Clock, ClockSources)> {
    load_clock(conn, c, today, Due::Count).await
}

/// A case's clock as its representations show it, with the due date it stores.
pub(super) async fn shown_clock_of(
    conn: &mut Conn,
    c: &Case,
    today: NaiveDate,
) -> AppResult<ClockView> {
    Ok(load_clock(conn, c, today, Due::Stored).await?.0.view)
}

async fn load_clock(
    conn: &mut Conn,
    c: &Case,
    today: NaiveDate,
    due: Due,
) -> AppResult<(Clock, ClockSources)> {
    // The pauses and the calendar are read together (one round trip).
    let conn: &Conn = conn;
    let (pauses, cal) = futures_util::future::try_join(
        async { Ok::<_, ApiError>(repo::pauses_of(conn, c.id).await?) },
        async {
            match c.accepted_on {
                Some(accepted) => Ok(Some(calendar_around(conn, accepted).await?)),
                None => Ok(None),
            }
        },
    )
    .await?;
    let clock = clock_reading(c, &pauses, cal.as_ref(), today, due)?;
    Ok((
        clock,
        ClockSources {
            pauses,
            calendar: cal,
        },
    ))
}

/// Where a clock's due date comes from.
#[derive(Clone, Copy)]
enum Due {
    /// Counted from the acceptance, the limit and the pauses (a transition storing it).
    Count,
    /// As the case stores it (a representation), counted only if none is stored.
    Stored,
}

fn case_clock(c: &Case, pauses: &[repo::PauseRecord]) -> CaseClock {
    CaseClock {
        accepted_on: c.accepted_on.unwrap_or(c.received_on),
        promised_days: c.promised_days,
        statutory_days: c.statutory_days,
        extension_days: c.extension_days,
        pauses: pauses
            .iter()
            .map(|p| Pause {
                start: p.start_on,
                end: p.end_on,
            })
            .collect(),
    }
}

/// The clock of a case from its special procedures and, once accepted, the calendar
/// around its acceptance.
fn clock_reading(
    c: &Case,
    pauses: &[repo::PauseRecord],
    cal: Option<&Calendar>,
    today: NaiveDate,
    due: Due,
) -> AppResult<Clock> {
    let clock = case_clock(c, pauses);
    let mut view = ClockView {
        accepted_on: None,
        due_date: None,
        limit_working_days: c.promised_days,
        extension_working_days: c.extension_days,
        working_days_used: 0,
        working_days_paused: 0,
        working_days_left: None,
        paused: false,
    };
    let Some(accepted) = c.accepted_on else {
        return Ok(Clock {
            clock,
            view,
            reading: None,
        });
    };
    let cal = cal.ok_or_else(ApiError::internal)?;
    let on = c.decided_on.unwrap_or(today);
    let r = match (due, c.due_date) {
        (Due::Stored, Some(stored)) => clock.read_stored(cal, on, stored),
        _ => clock
            .read(cal, on)
            .map_err(|e| ApiError::unprocessable(Code::CaseClock, e.to_string()))?,
    };
    view.accepted_on = Some(accepted);
    view.due_date = r.due_date;
    view.working_days_used = r.working_days_used;
    view.working_days_paused = r.working_days_paused;
    view.working_days_left = r.working_days_left;
    view.paused = c.state == CaseState::Suspended;
    Ok(Clock {
        clock,
        view,
        reading: Some(r),
    })
}

pub(super) async fn view_of(app: &AppState, conn: &mut Conn, c: Case) -> AppResult<CaseView> {
    let mut views = views_of(app, conn, vec![c]).await?;
    views.pop().ok_or_else(ApiError::internal)
}

/// The view of a case a transition has just written, from the outcome it wrote and, when its
/// clock was read after its writes, that clock's sources; the rest is read.
pub(super) async fn view_after(
    app: &AppState,
    conn: &mut Conn,
    c: Case,
    outcome: Outcome,
    sources: Option<ClockSources>,
) -> AppResult<CaseView> {
    let conn: &Conn = conn;
    let (extras, cal) = match sources {
        Some(s) => (
            repo::extras_after(conn, &c, outcome, Some(s.pauses)).await?,
            s.calendar,
        ),
        None => {
            futures_util::future::try_join(
                repo::extras_after(conn, &c, outcome, None),
                calendar_of(conn, std::slice::from_ref(&c)),
            )
            .await?
        }
    };
    let mut views = views_with(app, vec![c], extras, cal)?;
    views.pop().ok_or_else(ApiError::internal)
}

/// The views of a page of cases: what each shows beside the case is loaded for the whole
/// page at once, and one calendar serves every case of the page (the years of its
/// acceptances and the two after each), all in one round trip.
pub(super) async fn views_of(
    app: &AppState,
    conn: &mut Conn,
    cases: Vec<Case>,
) -> AppResult<Vec<CaseView>> {
    let conn: &Conn = conn;
    let (extras, cal) =
        futures_util::future::try_join(repo::extras_of(conn, &cases), calendar_of(conn, &cases))
            .await?;
    views_with(app, cases, extras, cal)
}

/// The views of a listed page: as [`views_of`], with what the list's statement read.
pub(super) async fn views_of_listed(
    app: &AppState,
    conn: &mut Conn,
    listed: Vec<repo::Listed>,
) -> AppResult<Vec<CaseView>> {
    let conn: &Conn = conn;
    let span = accepted_years(listed.iter().map(|l| &l.case));
    let ((cases, extras), cal) = futures_util::future::try_join(
        repo::extras_of_listed(conn, listed),
        calendar_over(conn, span),
    )
    .await?;
    views_with(app, cases, extras, cal)
}

/// The first and last years of the cases' acceptances.
fn accepted_years<'a>(cases: impl Iterator<Item = &'a Case> + Clone) -> Option<(i32, i32)> {
    let years = cases.filter_map(|c| c.accepted_on.map(|a| a.year()));
    years.clone().min().zip(years.max())
}

/// The calendar that serves every case of a page: the years of its acceptances and the two
/// after each.
async fn calendar_of(conn: &Conn, cases: &[Case]) -> Result<Option<Calendar>, DbError> {
    calendar_over(conn, accepted_years(cases.iter())).await
}

async fn calendar_over(conn: &Conn, span: Option<(i32, i32)>) -> Result<Option<Calendar>, DbError> {
    match span {
        Some((first, last)) => calendar::calendar_for(conn, first, last + 2)
            .await
            .map(Some),
        None => Ok(None),
    }
}

fn views_with(
    app: &AppState,
    cases: Vec<Case>,
    mut extras: repo::Extras,
    cal: Option<Calendar>,
) -> AppResult<Vec<CaseView>> {
    let today = app.today();
    let mut views = Vec::with_capacity(cases.len());
    for c in cases {
        let cal = c.accepted_on.and(cal.as_ref());
        views.push(view_with(&mut extras, c, cal, today)?);
    }
    Ok(views)
}

fn view_with(
    extras: &mut repo::Extras,
    c: Case,
    cal: Option<&Calendar>,
    today: NaiveDate,
) -> AppResult<CaseView> {
    let outcome = extras
        .outcomes
        .remove(&c.id)
        .ok_or_else(|| ApiError::not_found("case"))?;
    let pauses = extras.pauses.remove(&c.id).unwrap_or_default();
    let clock = clock_reading(&c, &pauses, cal, today, Due::Stored)?.view;
    let matter_name = match (c.matter_id, c.matter_version) {
        (Some(m), Some(v)) => Some(
            extras
                .matter_names
                .get(&(m, v))
                .cloned()
                .ok_or_else(|| ApiError::not_found("service matter version"))?,
        ),
        _ => None,
    };
    Ok(CaseView {
        decision: outcome.decision()?,
        outcome,
        clock,
        matter_name,
        sub_cases: extras.children.remove(&c.id).unwrap_or_default(),
        fee_anomaly: extras.fee_anomalies.contains(&c.id),
        years_without_calendar: extras
            .years_without_calendar
            .remove(&c.id)
            .unwrap_or_default(),
        case: c,
    })
}
