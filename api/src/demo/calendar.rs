//! Days of the demo: the 2025 holiday schedule and the days its records are dated back to.

use chrono::{Datelike, NaiveDate};
use zhengwu_domain::calendar::{Calendar, YearSchedule};
use zhengwu_persistence::{Conn, DbError};

/// The days of the demo loaded as of `now`, in China's time zone, with the calendar of the
/// years around today: the days its supervision findings and tickets are dated back to, so
/// that they stand on any day the demo is loaded.
pub(super) struct DemoDays {
    pub(super) now: chrono::DateTime<chrono::Utc>,
    pub(super) today: NaiveDate,
    pub(super) cal: Calendar,
}

impl DemoDays {
    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    pub(super) async fn of(
        c: &mut Conn,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, DbError> {
        let today = now.with_timezone(&Self::TZ).date_naive();
        let cal =
            zhengwu_persistence::calendar::calendar_for(c, today.year() - 1, today.year() + 1)
                .await?;
        Ok(Self { now, today, cal })
    }

    /// The day `n` working days before today.
    pub(super) fn back(&self, n: u32) -> NaiveDate {
        working_days_back(&self.cal, self.today, n)
    }

    /// `hour` o'clock of a day (now, should the day have no such hour).
    pub(super) fn at(&self, d: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
        local_at(Self::TZ, d, hour).unwrap_or(self.now)
    }
}

/// The day `n` working days before `today`.
fn working_days_back(cal: &Calendar, today: NaiveDate, n: u32) -> NaiveDate {
    let mut d = today;
    let mut k = 0;
    while k < n {
        d = d.pred_opt().unwrap_or(d);
        if cal.is_working_day(d) {
            k += 1;
        }
    }
    d
}

/// `hour` o'clock of a day in a time zone.
fn local_at(tz: chrono_tz::Tz, d: NaiveDate, hour: u32) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let t = chrono::NaiveTime::from_hms_opt(hour, 0, 0)?;
    tz.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter()
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect()
}

/// The State Council's published 2025 schedule (国办发明电〔2024〕12号).
pub fn schedule_2025() -> Result<YearSchedule, String> {
    YearSchedule::new(
        2025,
        &dates(&[
            "2025-01-01",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-02-01",
            "2025-02-02",
            "2025-02-03",
            "2025-02-04",
            "2025-04-04",
            "2025-04-05",
            "2025-04-06",
            "2025-05-01",
            "2025-05-02",
            "2025-05-03",
            "2025-05-04",
            "2025-05-05",
            "2025-05-31",
            "2025-06-01",
            "2025-06-02",
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
        ]),
        &dates(&[
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ]),
    )
    .map_err(|e| format!("2025 schedule: {e:?}"))
}
