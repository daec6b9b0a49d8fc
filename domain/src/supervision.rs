//! Supervision (电子监察): yellow and red deadline alerts.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::labeled_enum;

labeled_enum! {
    /// The level of a deadline alert.
    pub enum AlertLevel {
        Yellow = ("yellow", "黄牌预警"),
        Red = ("red", "红牌警告"),
    }
}

/// When an alert turns yellow: with at most `days_left` working days left, or once
/// `percent_used` of the limit is used, whichever comes first. Configurable per organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub days_left: u32,
    pub percent_used: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            days_left: 1,
            percent_used: 80,
        }
    }
}

/// The alert on `as_of` for something started on `start` and due on `due`: red the first
/// working day after the due date, yellow at the threshold, nothing before. Finished
/// objects have no alert; the caller does not ask for them.
pub fn alert_level(
    calendar: &Calendar,
    start: NaiveDate,
    due: NaiveDate,
    as_of: NaiveDate,
    t: Thresholds,
) -> Option<AlertLevel> {
    if as_of > due && calendar.working_days_between(due, as_of) > 0 {
        return Some(AlertLevel::Red);
    }
    let limit = calendar.working_days_between(start, due);
    let used = calendar.working_days_between(start, as_of.min(due));
    let left = limit.saturating_sub(used);
    let percent = (used * 100).checked_div(limit).unwrap_or(100);
    (left <= t.days_left || percent >= t.percent_used).then_some(AlertLevel::Yellow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearSchedule;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    fn cal() -> Calendar {
        let days: Vec<NaiveDate> = (1..=8).map(|n| d(&format!("2025-10-0{n}"))).collect();
        match YearSchedule::new(2025, &days, &[d("2025-09-28"), d("2025-10-11")]) {
            Ok(y) => Calendar::new([y]),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn yellow_at_the_threshold_and_red_after_the_due_date() {
        let c = cal();
        let t = Thresholds::default();
        // 20 working days from Fri 26 Sep: due Thu 30 Oct.
        let (start, due) = (d("2025-09-26"), d("2025-10-30"));
        // 80% is 16 working days used: Fri 24 Oct. The day before is clear.
        assert_eq!(alert_level(&c, start, due, d("2025-10-23"), t), None);
        assert_eq!(
            alert_level(&c, start, due, d("2025-10-24"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, start, due, d("2025-10-30"), t),
            Some(AlertLevel::Yellow)
        );
        // Red the first working day after the due date; a weekend after a Friday due
        // date is not yet overdue.
        assert_eq!(
            alert_level(&c, start, due, d("2025-10-31"), t),
            Some(AlertLevel::Red)
        );
        let fri = d("2025-10-31");
        assert_eq!(
            alert_level(&c, start, fri, d("2025-11-01"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, start, fri, d("2025-11-03"), t),
            Some(AlertLevel::Red)
        );
    }

    #[test]
    fn short_limits_turn_yellow_by_days_left() {
        let c = cal();
        let t = Thresholds {
            days_left: 1,
            percent_used: 100,
        };
        // 3 working days from Fri 26 Sep: due Tue 30 Sep; yellow with 1 day left (Mon 29).
        assert_eq!(
            alert_level(&c, d("2025-09-26"), d("2025-09-30"), d("2025-09-28"), t),
            None
        );
        assert_eq!(
            alert_level(&c, d("2025-09-26"), d("2025-09-30"), d("2025-09-29"), t),
            Some(AlertLevel::Yellow)
        );
        // Across the holiday: due 30 Sep, first working day after is 9 Oct.
        assert_eq!(
            alert_level(&c, d("2025-09-26"), d("2025-09-30"), d("2025-10-05"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, d("2025-09-26"), d("2025-09-30"), d("2025-10-09"), t),
            Some(AlertLevel::Red)
        );
    }
}
