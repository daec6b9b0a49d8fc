//! The working-day calendar (工作日历) and deadlines counted in working days.
//!
//! Weekends and statutory holidays are rest days; adjusted working days (调休上班日) on a
//! weekend are working days. A deadline of `n` working days from a start date falls on the
//! n-th working day after the start date (行政许可法 Art.82): day 1 is the first working day
//! after the start. A year whose schedule has not been loaded counts weekends only, and a
//! deadline says so.

use crate::codes::Code;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::labeled_enum;
use crate::validation::{Errors, FieldError, RuleViolation};

labeled_enum! {
    /// A day that departs from the weekday/weekend rule.
    pub enum DayKind {
        Holiday = ("holiday", "法定节假日"),
        AdjustedWorkingDay = ("adjusted_working_day", "调休上班日"),
    }
}

labeled_enum! {
    /// Why a day was not counted as a working day.
    pub enum SkipReason {
        Weekend = ("weekend", "周末"),
        Holiday = ("holiday", "法定节假日"),
    }
}

/// The published schedule of one year: its holidays and adjusted working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    year: i32,
    holidays: BTreeSet<NaiveDate>,
    adjusted_working_days: BTreeSet<NaiveDate>,
}

/// The largest number of working days one deadline may span (about 20 years).
pub const MAX_WORKING_DAYS: u32 = 5000;

impl YearSchedule {
    /// Checks and builds a year's schedule. Every date must lie in `year`, appear once, and
    /// not be both a holiday and a working day; an adjusted working day must be a Saturday or
    /// a Sunday (a weekday is a working day already).
    pub fn new(
        year: i32,
        holidays: &[NaiveDate],
        adjusted_working_days: &[NaiveDate],
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Errors::new();
        if !(1990..=2200).contains(&year) {
            errors.push(
                "year",
                RuleViolation::new(
                    Code::CalendarYearRange,
                    "the year must be between 1990 and 2200",
                ),
            );
        }
        let mut h = BTreeSet::new();
        for (i, d) in holidays.iter().enumerate() {
            let field = format!("holidays/{i}");
            if d.year() != year {
                errors.push(&field, not_in_year(year));
            } else if !h.insert(*d) {
                errors.push(&field, duplicate());
            }
        }
        let mut a = BTreeSet::new();
        for (i, d) in adjusted_working_days.iter().enumerate() {
            let field = format!("adjusted_working_days/{i}");
            if d.year() != year {
                errors.push(&field, not_in_year(year));
            } else if !is_weekend(*d) {
                errors.push(
                    &field,
                    RuleViolation::new(
                        Code::CalendarAdjustedDayNotWeekend,
                        "an adjusted working day is a Saturday or Sunday; weekdays are working \
                            days already",
                    ),
                );
            } else if h.contains(d) {
                errors.push(
                    &field,
                    RuleViolation::new(
                        Code::CalendarDayBothKinds,
                        "a day cannot be both a holiday and an adjusted working day",
                    ),
                );
            } else if !a.insert(*d) {
                errors.push(&field, duplicate());
            }
        }
        errors.finish()?;
        Ok(Self {
            year,
            holidays: h,
            adjusted_working_days: a,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    pub fn adjusted_working_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.adjusted_working_days.iter().copied()
    }
}

fn not_in_year(year: i32) -> RuleViolation {
    RuleViolation::new(
        Code::CalendarDateOutsideYear,
        format!("the date is not in {year}"),
    )
}

fn duplicate() -> RuleViolation {
    RuleViolation::new(Code::CalendarDuplicateDate, "the date is listed twice")
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The weekdays (Monday to Friday) from 1 January of the year 1 (a Monday) to `d`, both
/// included.
fn weekdays_through(d: NaiveDate) -> i64 {
    let days = i64::from(d.num_days_from_ce());
    days.div_euclid(7) * 5 + days.rem_euclid(7).min(5)
}

/// Whether a day is worked, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayStatus {
    Working,
    Rest(SkipReason),
}

/// A day that a deadline computation did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: SkipReason,
}

/// The result of counting working days forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub start: NaiveDate,
    pub working_days: u32,
    pub due_date: NaiveDate,
    /// Rest days between the start (exclusive) and the due date (exclusive), in order.
    pub skipped: Vec<SkippedDay>,
    /// Years the computation touched for which no schedule is loaded (weekends only).
    pub years_without_schedule: Vec<i32>,
}

/// Error of a deadline computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("at most {MAX_WORKING_DAYS} working days can be counted")]
    TooManyDays,
    #[error("the date range leaves the supported calendar")]
    OutOfRange,
}

/// The schedules of the years loaded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearSchedule>,
}

impl Calendar {
    /// A calendar with no schedules: weekends are the only rest days.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    pub fn new(schedules: impl IntoIterator<Item = YearSchedule>) -> Self {
        Self {
            years: schedules.into_iter().map(|s| (s.year, s)).collect(),
        }
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn status(&self, date: NaiveDate) -> DayStatus {
        if let Some(s) = self.years.get(&date.year()) {
            if s.holidays.contains(&date) {
                return DayStatus::Rest(SkipReason::Holiday);
            }
            if s.adjusted_working_days.contains(&date) {
                return DayStatus::Working;
            }
        }
        if is_weekend(date) {
            DayStatus::Rest(SkipReason::Weekend)
        } else {
            DayStatus::Working
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.status(date) == DayStatus::Working
    }

    /// The n-th working day after `start`; `n = 0` is `start` itself (due the same day).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<Deadline, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyDays);
        }
        let mut skipped = Vec::new();
        let mut years = BTreeSet::new();
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = day
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::OutOfRange)?;
            if !self.years.contains_key(&day.year()) {
                years.insert(day.year());
            }
            match self.status(day) {
                DayStatus::Working => counted += 1,
                DayStatus::Rest(reason) => skipped.push(SkippedDay { date: day, reason }),
            }
        }
        Ok(Deadline {
            start,
            working_days: n,
            due_date: day,
            skipped,
            years_without_schedule: years.into_iter().collect(),
        })
    }

    /// Working days in the interval (`from`, `to`]: how many working days have passed since
    /// `from` by the end of `to`. Zero when `to` is not after `from`. Counted without
    /// walking the days: the weekdays of the interval, less the holidays on weekdays, plus
    /// the adjusted working days (always on a weekend, never a holiday) of the schedules
    /// loaded.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        use std::ops::Bound::{Excluded, Included};
        if to <= from {
            return 0;
        }
        let mut n = weekdays_through(to) - weekdays_through(from);
        for s in self.years.range(from.year()..=to.year()).map(|(_, s)| s) {
            let range = (Excluded(from), Included(to));
            n -= s.holidays.range(range).filter(|d| !is_weekend(**d)).count() as i64;
            n += s.adjusted_working_days.range(range).count() as i64;
        }
        u32::try_from(n).unwrap_or(0)
    }
}

/// An extension is decided within the period it extends (OGI Art.33 for applications, AL
/// Art.42 for cases, and likewise for hotline tickets): on or before the due date in force.
/// Once that day has passed the answer is late, and an extension granted afterwards would
/// turn a late answer into an on-time one. `None`: no due date runs, nothing has passed.
pub fn check_extension_in_time(
    due: Option<NaiveDate>,
    decided_on: NaiveDate,
) -> Result<(), RuleViolation> {
    match due {
        Some(due) if decided_on > due => Err(RuleViolation::new(
            Code::ExtensionAfterDueDate,
            format!(
                "an extension is decided on or before the due date ({due}); \
                 on {decided_on} the period had passed"
            ),
        )),
        _ => Ok(()),
    }
}

/// A stop of a running clock (a special procedure, a consultation, a fee notice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub start: NaiveDate,
    /// `None` while the stop goes on.
    pub end: Option<NaiveDate>,
}

/// Where a clock of working days stands on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockReading {
    /// The due date; `None` while the clock is stopped or held.
    pub due_date: Option<NaiveDate>,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    /// Negative when overdue.
    pub working_days_left: Option<i64>,
    /// What the due date is counted from, to count it again.
    pub basis: DeadlineBasis,
    /// Years the due date was counted across without a schedule (weekends only there).
    pub years_without_schedule: Vec<i32>,
}

/// What a deadline is counted from: `working_days` working days after `start`, moved on by
/// the working days of its closed `stops`. A stored deadline keeps its basis while a year it
/// spans has no schedule, so that it is counted again once the schedule is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineBasis {
    pub start: NaiveDate,
    pub working_days: u32,
    pub stops: Vec<Stop>,
}

impl DeadlineBasis {
    /// `working_days` after `start`, with no stops.
    pub fn after(start: NaiveDate, working_days: u32) -> Self {
        Self {
            start,
            working_days,
            stops: Vec::new(),
        }
    }
}

labeled_enum! {
    /// The deadlines the records keep once counted (the others are counted when read).
    pub enum StoredDeadline {
        Case = ("case", "办件办理期限"),
        CaseDelivery = ("case_delivery", "办结送达期限"),
        RequestReply = ("request_reply", "依申请公开答复期限"),
        RequestFee = ("request_fee", "依申请公开缴费期限"),
        RequestConsultation = ("request_consultation", "征求意见期限"),
        Publication = ("publication", "主动公开期限"),
        MessageFeedback = ("message_feedback", "点题公开与领导信箱反馈期限"),
        Ticket = ("ticket", "12345工单办理期限"),
        Rectification = ("rectification", "差评整改期限"),
        Order = ("order", "督办单办理期限"),
        ComplaintAcceptance = ("complaint_acceptance", "投诉举报受理期限"),
    }
}

impl Calendar {
    /// The deadline a basis gives: its working days after its start, plus the working days
    /// of its closed stops; years touched without a schedule are named.
    pub fn deadline(&self, basis: &DeadlineBasis) -> Result<Deadline, CalendarError> {
        let paused = self.stopped_days(basis.start, &basis.stops);
        self.add_working_days(basis.start, basis.working_days + paused)
    }

    /// Working days of the closed stops, each counted from its start (not before `start`)
    /// to its end.
    pub fn stopped_days(&self, start: NaiveDate, stops: &[Stop]) -> u32 {
        stops
            .iter()
            .filter_map(|s| s.end.map(|e| (s.start.max(start), e)))
            .map(|(s, e)| self.working_days_between(s, e))
            .sum()
    }

    /// A clock of `limit` working days from `start`, moved by the working days of its
    /// closed stops. While a stop runs, or while the clock is `held` for another reason,
    /// it has no due date.
    pub fn read_clock(
        &self,
        start: NaiveDate,
        limit: u32,
        stops: &[Stop],
        held: bool,
        today: NaiveDate,
    ) -> Result<ClockReading, CalendarError> {
        let (mut reading, running) = self.clock_parts(start, limit, stops, held, today);
        if running {
            return Ok(reading);
        }
        let deadline = self.deadline(&reading.basis)?;
        reading.years_without_schedule = deadline.years_without_schedule;
        Ok(self.with_due(reading, deadline.due_date, today))
    }

    /// [`Calendar::read_clock`] of a record that keeps its due date: `due` is the date
    /// counted when its clock last moved (acceptance, a stop's end, an extension, a
    /// schedule loaded), read as stored rather than counted again. The reading names no
    /// years without schedule: the record's stored deadline lists them.
    pub fn read_stored_clock(
        &self,
        start: NaiveDate,
        limit: u32,
        stops: &[Stop],
        held: bool,
        today: NaiveDate,
        due: NaiveDate,
    ) -> ClockReading {
        let (reading, running) = self.clock_parts(start, limit, stops, held, today);
        if running {
            return reading;
        }
        self.with_due(reading, due, today)
    }

    /// A reading without due date, and whether the clock stands (a stop runs, or held).
    fn clock_parts(
        &self,
        start: NaiveDate,
        limit: u32,
        stops: &[Stop],
        held: bool,
        today: NaiveDate,
    ) -> (ClockReading, bool) {
        let paused = self.stopped_days(start, stops);
        let running = stops.iter().find(|s| s.end.is_none());
        let until = running.map_or(today, |s| s.start.min(today));
        let used = self
            .working_days_between(start, until)
            .saturating_sub(paused);
        let basis = DeadlineBasis {
            start,
            working_days: limit,
            stops: stops.iter().filter(|s| s.end.is_some()).copied().collect(),
        };
        let reading = ClockReading {
            due_date: None,
            working_days_used: used,
            working_days_paused: paused,
            working_days_left: None,
            basis,
            years_without_schedule: Vec::new(),
        };
        (reading, held || running.is_some())
    }

    fn with_due(&self, reading: ClockReading, due: NaiveDate, today: NaiveDate) -> ClockReading {
        let left = if today <= due {
            i64::from(self.working_days_between(today, due))
        } else {
            -i64::from(self.working_days_between(due, today))
        };
        ClockReading {
            due_date: Some(due),
            working_days_left: Some(left),
            ..reading
        }
    }
}

#[cfg(test)]
mod tests;
