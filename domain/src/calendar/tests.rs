//! Unit tests of [`super`].

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter().map(|s| d(s)).collect()
}

/// The State Council's 2025 schedule around National Day and Mid-Autumn:
/// 1–8 October off, Sunday 28 September and Saturday 11 October worked.
fn calendar_2025() -> Calendar {
    let y2025 = YearSchedule::new(
        2025,
        &dates(&[
            "2025-01-01",
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
        ]),
        &dates(&["2025-09-28", "2025-10-11"]),
    );
    let y2026 = YearSchedule::new(
        2026,
        &dates(&["2026-01-01", "2026-01-02", "2026-01-03"]),
        &dates(&["2026-01-04"]),
    );
    match (y2025, y2026) {
        (Ok(a), Ok(b)) => Calendar::new([a, b]),
        (a, b) => panic!("fixture calendar invalid: {a:?} {b:?}"),
    }
}

#[test]
fn weekends_are_skipped() {
    let cal = Calendar::weekends_only();
    // Friday + 1 working day = Monday.
    let dl = cal
        .add_working_days(d("2030-01-04"), 1)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.due_date, d("2030-01-07"));
    assert_eq!(
        dl.skipped,
        vec![
            SkippedDay {
                date: d("2030-01-05"),
                reason: SkipReason::Weekend
            },
            SkippedDay {
                date: d("2030-01-06"),
                reason: SkipReason::Weekend
            },
        ]
    );
    assert_eq!(dl.years_without_schedule, vec![2030]);
}

#[test]
fn starting_on_a_rest_day_counts_from_the_next_working_day() {
    let cal = Calendar::weekends_only();
    // Saturday + 1 = Monday.
    let dl = cal
        .add_working_days(d("2030-01-05"), 1)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.due_date, d("2030-01-07"));
}

#[test]
fn zero_working_days_is_the_same_day() {
    let cal = calendar_2025();
    let dl = cal
        .add_working_days(d("2025-10-03"), 0)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.due_date, d("2025-10-03"));
    assert!(dl.skipped.is_empty());
}

#[test]
fn twenty_working_days_across_the_national_day_week() {
    let cal = calendar_2025();
    // Friday 26 September 2025 + 20 working days:
    // 28 Sep (adjusted, Sunday) 1, 29 Sep 2, 30 Sep 3, 1–8 Oct off, 9 Oct 4, 10 Oct 5,
    // 11 Oct (adjusted, Saturday) 6, 13–17 Oct 7–11, 20–24 Oct 12–16, 27–30 Oct 17–20.
    let dl = cal
        .add_working_days(d("2025-09-26"), 20)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.due_date, d("2025-10-30"));
    let holidays: Vec<_> = dl
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Holiday)
        .map(|s| s.date)
        .collect();
    assert_eq!(holidays.len(), 8);
    assert_eq!(holidays[0], d("2025-10-01"));
    assert_eq!(holidays[7], d("2025-10-08"));
    let weekends: Vec<_> = dl
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Weekend)
        .map(|s| s.date)
        .collect();
    assert_eq!(
        weekends,
        dates(&[
            "2025-09-27",
            "2025-10-12",
            "2025-10-18",
            "2025-10-19",
            "2025-10-25",
            "2025-10-26"
        ])
    );
    assert!(dl.years_without_schedule.is_empty());
    // Without the schedule the same count ends much earlier.
    let plain = Calendar::weekends_only()
        .add_working_days(d("2025-09-26"), 20)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plain.due_date, d("2025-10-24"));
}

#[test]
fn a_deadline_crosses_the_year_boundary() {
    let cal = calendar_2025();
    // Tue 30 Dec 2025 + 3: 31 Dec 1, 1–3 Jan off, Sun 4 Jan (adjusted) 2, Mon 5 Jan 3.
    let dl = cal
        .add_working_days(d("2025-12-30"), 3)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.due_date, d("2026-01-05"));
    assert_eq!(
        dl.skipped,
        vec![
            SkippedDay {
                date: d("2026-01-01"),
                reason: SkipReason::Holiday
            },
            SkippedDay {
                date: d("2026-01-02"),
                reason: SkipReason::Holiday
            },
            SkippedDay {
                date: d("2026-01-03"),
                reason: SkipReason::Holiday
            },
        ]
    );
}

#[test]
fn a_year_without_schedule_is_named() {
    let cal = calendar_2025();
    let dl = cal
        .add_working_days(d("2026-12-30"), 5)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dl.years_without_schedule, vec![2027]);
}

#[test]
fn a_basis_is_counted_again_once_its_year_is_loaded() {
    // Forwarded Mon 28 Dec 2026 with 5 working days: without 2027's schedule New Year's
    // Day counts and the deadline is Mon 4 Jan 2027; with it, Tue 5 Jan.
    let basis = DeadlineBasis::after(d("2026-12-28"), 5);
    let (y2026, y2027) = match (
        YearSchedule::new(2026, &[], &[]),
        YearSchedule::new(2027, &dates(&["2027-01-01"]), &[]),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => panic!("{a:?} {b:?}"),
    };
    let without = Calendar::new([y2026.clone()])
        .deadline(&basis)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(without.due_date, d("2027-01-04"));
    assert_eq!(without.years_without_schedule, vec![2027]);
    let cal = Calendar::new([y2026, y2027]);
    let with = cal.deadline(&basis).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(with.due_date, d("2027-01-05"));
    assert!(with.years_without_schedule.is_empty());
    // Closed stops move it on by their working days.
    let stopped = DeadlineBasis {
        stops: vec![Stop {
            start: d("2026-12-28"),
            end: Some(d("2026-12-30")),
        }],
        ..basis
    };
    assert_eq!(
        cal.deadline(&stopped).map(|x| x.due_date),
        Ok(d("2027-01-07"))
    );
}

#[test]
fn working_days_between_counts_after_the_start() {
    let cal = calendar_2025();
    assert_eq!(
        cal.working_days_between(d("2025-09-26"), d("2025-10-30")),
        20
    );
    assert_eq!(
        cal.working_days_between(d("2025-09-30"), d("2025-10-08")),
        0
    );
    assert_eq!(
        cal.working_days_between(d("2025-10-09"), d("2025-10-09")),
        0
    );
    assert_eq!(
        cal.working_days_between(d("2025-10-09"), d("2025-10-01")),
        0
    );
}

#[test]
fn an_extension_is_decided_by_the_due_date() {
    // Due Tue 30 Sep 2025; the holiday week after it does not extend the period.
    let due = Some(d("2025-09-30"));
    assert!(check_extension_in_time(due, d("2025-09-30")).is_ok());
    assert_eq!(
        check_extension_in_time(due, d("2025-10-09")).map_err(|e| e.code),
        Err(Code::ExtensionAfterDueDate)
    );
    assert!(check_extension_in_time(None, d("2025-10-09")).is_ok());
}

#[test]
fn too_many_days_is_an_error() {
    assert_eq!(
        Calendar::weekends_only().add_working_days(d("2025-01-01"), MAX_WORKING_DAYS + 1),
        Err(CalendarError::TooManyDays)
    );
}

#[test]
fn schedules_are_checked() {
    let errs = YearSchedule::new(
        2025,
        &dates(&["2025-10-01", "2024-12-31", "2025-10-01"]),
        &dates(&["2025-10-09", "2025-10-01", "2025-09-28"]),
    )
    .err()
    .unwrap_or_default();
    let codes: Vec<_> = errs
        .iter()
        .map(|e| (e.pointer.as_str(), e.violation.code))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("/holidays/1", Code::CalendarDateOutsideYear),
            ("/holidays/2", Code::CalendarDuplicateDate),
            (
                "/adjusted_working_days/0",
                Code::CalendarAdjustedDayNotWeekend
            ),
            (
                "/adjusted_working_days/1",
                Code::CalendarAdjustedDayNotWeekend
            ),
        ]
    );
}

/// The counted working days equal those found by walking the days one by one, for ranges
/// inside, across and outside the years with a schedule, and for empty and reversed ones.
#[test]
fn working_days_between_counts_what_walking_the_days_finds() {
    let cal = calendar_2025();
    let walk = |from: NaiveDate, to: NaiveDate| -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|x| *x <= to)
            .filter(|x| cal.is_working_day(*x))
            .count() as u32
    };
    let start = d("2024-12-01");
    for a in (0..500u64).step_by(3) {
        for len in [0u64, 1, 2, 5, 6, 7, 8, 13, 30, 97, 400] {
            let from = start + chrono::Days::new(a);
            let to = from + chrono::Days::new(len);
            assert_eq!(
                cal.working_days_between(from, to),
                walk(from, to),
                "{from}..{to}"
            );
            assert_eq!(cal.working_days_between(to, from), 0, "{to}..{from}");
        }
    }
    assert_eq!(
        Calendar::weekends_only().working_days_between(d("1990-01-01"), d("2200-12-31")),
        walk_weekdays(d("1990-01-01"), d("2200-12-31"))
    );
}

fn walk_weekdays(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|x| *x <= to)
        .filter(|x| !is_weekend(*x))
        .count() as u32
}

/// A clock read with the due date it stored reads as the clock counted again, as long as
/// the calendar has not changed since: over starts across the national day week, limits,
/// closed and running stops, held clocks and days before, on and after the due date.
#[test]
fn a_stored_due_date_reads_as_the_clock_counted_again() {
    let cal = calendar_2025();
    let stop = |from: &str, to: Option<&str>| Stop {
        start: d(from),
        end: to.map(d),
    };
    let stop_sets = [
        vec![],
        vec![stop("2025-09-29", Some("2025-10-09"))],
        vec![
            stop("2025-09-15", Some("2025-09-16")),
            stop("2025-10-13", None),
        ],
    ];
    let mut compared = 0;
    for a in 0..40u64 {
        let start = d("2025-09-10") + chrono::Days::new(a);
        for limit in [1u32, 5, 20, 60] {
            for stops in &stop_sets {
                let stops: Vec<Stop> = stops.iter().filter(|s| s.start >= start).copied().collect();
                for held in [false, true] {
                    for t in (0..120u64).step_by(7) {
                        let today = start + chrono::Days::new(t);
                        let Ok(counted) = cal.read_clock(start, limit, &stops, held, today) else {
                            panic!("{start} +{limit} is within the calendar's range");
                        };
                        let due = counted.due_date.unwrap_or(d("2030-01-01"));
                        let mut stored =
                            cal.read_stored_clock(start, limit, &stops, held, today, due);
                        stored.years_without_schedule = counted.years_without_schedule.clone();
                        assert_eq!(
                            stored, counted,
                            "{start} +{limit} {stops:?} held={held} on {today}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 10_000, "{compared}");
}
