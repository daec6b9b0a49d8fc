//! Cases (办件): their states and the one table of what may be done to them, the clock of
//! the Administrative Licensing Law (AL = 行政许可法), and the commands a case is moved by.

use crate::codes::Code;
use chrono::NaiveDate;

use crate::access::Forbidden;
use crate::account::Role;
use crate::calendar::{Calendar, CalendarError};
use crate::ids::UserId;
use crate::labeled_enum;
use crate::validation::{Errors, FieldError, RuleViolation};

mod commands;
mod flow;

pub use commands::*;
pub use flow::{CASE_FLOW, CaseFlowFacts};

labeled_enum! {
    /// State of a case (办件).
    pub enum CaseState {
        Submitted = ("submitted", "已申请"),
        MaterialsRequested = ("materials_requested", "一次性告知待补正"),
        Accepted = ("accepted", "已受理"),
        Suspended = ("suspended", "特别程序中"),
        Decided = ("decided", "已办结"),
        Delivered = ("delivered", "已送达"),
        Refused = ("refused", "不予受理"),
    }
}

labeled_enum! {
    /// What is done to a case.
    pub enum CaseAction {
        Accept = ("accept", "受理"),
        Refuse = ("refuse", "不予受理"),
        NotifyMissing = ("notify_missing", "一次性告知"),
        Resubmit = ("resubmit", "补正后重新提交"),
        Suspend = ("suspend", "启动特别程序"),
        Resume = ("resume", "结束特别程序"),
        Extend = ("extend", "延长审批期限"),
        Decide = ("decide", "办结"),
        Deliver = ("deliver", "送达"),
        Assign = ("assign", "指派承办人"),
        Step = ("step", "审批环节"),
        Charge = ("charge", "收费"),
        Conclude = ("conclude", "并联审批全部办结"),
    }
}

labeled_enum! {
    /// Special procedures that stop the clock (AL Art.45).
    pub enum SpecialProcedure {
        Hearing = ("hearing", "听证"),
        Tender = ("tender", "招标"),
        Auction = ("auction", "拍卖"),
        Inspection = ("inspection", "检验检测检疫"),
        Appraisal = ("appraisal", "鉴定"),
        ExpertReview = ("expert_review", "专家评审"),
        SiteSurvey = ("site_survey", "现场勘查"),
    }
}

labeled_enum! {
    /// The decision on a case.
    pub enum Decision {
        Approved = ("approved", "准予"),
        Denied = ("denied", "不予批准"),
    }
}

impl CaseState {
    /// The states in which the clock runs or stands still: an open case past its due
    /// date in one of them is overdue.
    pub const CLOCKED: &'static [CaseState] = &[CaseState::Accepted, CaseState::Suspended];

    /// Whether the case is finished (no clock runs).
    pub fn closed(self) -> bool {
        matches!(
            self,
            CaseState::Decided | CaseState::Delivered | CaseState::Refused
        )
    }
}

/// The legal extension of a decision time limit (AL Art.42): 10 working days after a
/// 20-day limit, 15 after a 45-day joint-handling limit; never beyond.
pub fn legal_extension(statutory_days: u32) -> u32 {
    if statutory_days >= 45 { 15 } else { 10 }
}

/// A stop of the clock for a special procedure.
pub use crate::calendar::Stop as Pause;

/// The clock of an accepted case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseClock {
    pub accepted_on: NaiveDate,
    pub promised_days: u32,
    pub statutory_days: u32,
    pub extension_days: u32,
    pub pauses: Vec<Pause>,
}

/// Where a case's clock stands on a day.
pub use crate::calendar::ClockReading;

impl CaseClock {
    /// Working days of the closed pauses: each counts the working days from its start to
    /// its end (the day the procedure ended counts as paused).
    pub fn paused_days(&self, calendar: &Calendar) -> u32 {
        calendar.stopped_days(self.accepted_on, &self.pauses)
    }

    /// An extension is allowed once, so that the total stays within the statutory limit
    /// plus its legal extension.
    pub fn check_extension(&self, days: u32) -> Result<(), RuleViolation> {
        if days == 0 {
            return Err(RuleViolation::new(
                Code::CaseExtensionZero,
                "an extension is at least 1 working day",
            ));
        }
        if self.extension_days > 0 {
            return Err(RuleViolation::new(
                Code::CaseExtensionTwice,
                "a case is extended once",
            ));
        }
        let ceiling = self.statutory_days + legal_extension(self.statutory_days);
        if self.promised_days + days > ceiling {
            return Err(RuleViolation::new(
                Code::CaseExtensionOverLimit,
                format!(
                    "the limit with extension may not exceed {ceiling} working days \
                     (statutory {} + legal extension {})",
                    self.statutory_days,
                    legal_extension(self.statutory_days)
                ),
            ));
        }
        Ok(())
    }

    /// The extension is decided before the time limit runs out (AL Art.42: "可以延长" within
    /// the limit): not after the due date in force on `on`.
    pub fn check_extension_in_time(
        &self,
        calendar: &Calendar,
        on: NaiveDate,
    ) -> Result<(), RuleViolation> {
        let due = self.read(calendar, on).ok().and_then(|r| r.due_date);
        crate::calendar::check_extension_in_time(due, on)
    }

    /// The clock on `today`.
    pub fn read(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<ClockReading, CalendarError> {
        let limit = self.promised_days + self.extension_days;
        calendar.read_clock(self.accepted_on, limit, &self.pauses, false, today)
    }

    /// The clock on `today` with the due date the case keeps (`due`, counted when the
    /// clock last moved) instead of counting it again: what lists and views show, so that
    /// they agree with the alerts read from the same stored date.
    pub fn read_stored(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
        due: NaiveDate,
    ) -> ClockReading {
        let limit = self.promised_days + self.extension_days;
        calendar.read_stored_clock(self.accepted_on, limit, &self.pauses, false, today, due)
    }
}

/// The day a case counts as accepted (AL Art.32): the day it is accepted, unless the one-time
/// notice of missing materials (`first_notice_on`) came later than `window_days` working days
/// after receipt — then the application counts as accepted on the day it was received, and
/// its due date, alerts and on-time measures run from there.
pub fn accepted_on(
    calendar: &Calendar,
    received_on: NaiveDate,
    first_notice_on: Option<NaiveDate>,
    accepted: NaiveDate,
    window_days: u32,
) -> NaiveDate {
    match first_notice_on {
        Some(notice)
            if crate::supervision::notice_delay(calendar, received_on, notice, window_days).1 =>
        {
            received_on.min(accepted)
        }
        _ => accepted,
    }
}

/// Working days within which a decision is delivered (AL Art.44: within ten days of the
/// decision, counted in working days by Art.82).
pub const DELIVERY_WORKING_DAYS: u32 = 10;

/// What the last day to deliver a decision made on `decided_on` is counted from.
pub fn delivery_due(decided_on: NaiveDate) -> crate::calendar::DeadlineBasis {
    crate::calendar::DeadlineBasis::after(decided_on, DELIVERY_WORKING_DAYS)
}

/// Whether a delivery on `delivered_on` came after its due date.
pub fn delivered_late(delivery_due: Option<NaiveDate>, delivered_on: Option<NaiveDate>) -> bool {
    matches!((delivery_due, delivered_on), (Some(due), Some(on)) if on > due)
}

/// A human-readable case number: the organisation's division code, the date and a daily
/// serial, e.g. `3701022026112200017`.
pub fn case_number(division_code: &str, day: NaiveDate, serial: u32) -> String {
    format!("{division_code}{}{serial:05}", day.format("%Y%m%d"))
}

/// A fee charged on a case compared with the matter's list (违规收费).
pub fn fee_anomaly(listed_standard_fen: Option<i64>, charged_fen: i64) -> Option<&'static str> {
    match listed_standard_fen {
        None => Some("fee_not_listed"),
        Some(s) if charged_fen > s => Some("fee_above_standard"),
        Some(_) => None,
    }
}

/// A material the applicant handed in: which of the matter's materials, how many copies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SubmittedMaterial {
    pub name: String,
    pub copies: u32,
}

/// Every material handed in is one the matter lists (`listed`); the errors point into the
/// list at `base`.
pub fn check_listed(
    listed: &[String],
    given: &[SubmittedMaterial],
    base: &str,
) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::new();
    for (i, m) in given.iter().enumerate() {
        if !listed.contains(&m.name) {
            e.push(&format!("{base}/{i}/name"), not_in_matter());
        }
    }
    e.finish()
}

/// The materials of a one-time notice are the matter's.
pub fn check_notice_listed(
    listed: &[String],
    items: &[MissingMaterial],
) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::new();
    for (i, it) in items.iter().enumerate() {
        if !listed.contains(&it.material) {
            e.push(&format!("items/{i}/material"), not_in_matter());
        }
    }
    e.finish()
}

fn not_in_matter() -> RuleViolation {
    RuleViolation::new(
        Code::MaterialNotInMatter,
        "not one of the matter's materials",
    )
}

/// 一审一核: the one who records a step is not the one who recorded the previous one.
pub fn check_step_taker(previous: Option<UserId>, taker: UserId) -> Result<(), Forbidden> {
    if previous == Some(taker) {
        Err(Forbidden(RuleViolation::new(
            Code::CaseSameActor,
            "the next step is taken by another staff member (一审一核)",
        )))
    } else {
        Ok(())
    }
}

/// Who may apply: applicants for themselves, clerks at a window for someone.
pub const APPLICANTS: &[Role] = &[Role::Clerk, Role::Applicant];

/// A project is decided when all its sub-cases are: approved when all were approved.
/// `None` while one is still open.
pub fn project_decision(subs: &[(CaseState, Option<Decision>)]) -> Option<Decision> {
    if !subs.iter().all(|(s, _)| s.closed()) {
        return None;
    }
    if subs.iter().all(|(_, d)| *d == Some(Decision::Approved)) {
        Some(Decision::Approved)
    } else {
        Some(Decision::Denied)
    }
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
    fn due_dates_across_holidays_pauses_and_extensions() {
        let c = cal();
        // Accepted Friday 26 Sep 2025 with a 20-day promise: due 30 Oct (National Day skipped).
        let mut clock = CaseClock {
            accepted_on: d("2025-09-26"),
            promised_days: 20,
            statutory_days: 20,
            extension_days: 0,
            pauses: vec![],
        };
        let r = clock
            .read(&c, d("2025-10-09"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.due_date, Some(d("2025-10-30")));
        assert_eq!(r.working_days_used, 4); // 28, 29, 30 Sep and 9 Oct
        assert_eq!(r.working_days_left, Some(16));
        // An expert review from Mon 13 Oct to Fri 17 Oct pauses 5 working days.
        clock.pauses.push(Pause {
            start: d("2025-10-12"),
            end: None,
        });
        let r = clock
            .read(&c, d("2025-10-15"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.due_date, None);
        clock.pauses[0].end = Some(d("2025-10-17"));
        let r = clock
            .read(&c, d("2025-10-20"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.working_days_paused, 5);
        assert_eq!(r.due_date, Some(d("2025-11-06")));
        // A 10-day extension (the legal one after a 20-day limit).
        assert!(clock.check_extension(11).is_err());
        assert!(clock.check_extension(10).is_ok());
        clock.extension_days = 10;
        assert!(clock.check_extension(1).is_err(), "once only");
        // The extension was decided by the due date of 6 Nov; a day later it is refused.
        let mut unextended = clock.clone();
        unextended.extension_days = 0;
        assert!(
            unextended
                .check_extension_in_time(&c, d("2025-11-06"))
                .is_ok()
        );
        assert_eq!(
            unextended
                .check_extension_in_time(&c, d("2025-11-07"))
                .map_err(|e| e.code),
            Err(Code::ExtensionAfterDueDate)
        );
        let r = clock
            .read(&c, d("2025-11-21"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.due_date, Some(d("2025-11-20")));
        assert_eq!(r.working_days_left, Some(-1));
    }

    #[test]
    fn a_late_notice_makes_the_case_accepted_on_receipt() {
        let c = cal();
        // Received Fri 26 Sep: the 5th working day after is Fri 10 Oct (National Day off).
        let received = d("2025-09-26");
        assert_eq!(
            accepted_on(&c, received, Some(d("2025-10-10")), d("2025-10-14"), 5),
            d("2025-10-14")
        );
        assert_eq!(
            accepted_on(&c, received, Some(d("2025-10-13")), d("2025-10-14"), 5),
            received
        );
        assert_eq!(
            accepted_on(&c, received, None, d("2025-10-14"), 5),
            d("2025-10-14")
        );
        // With a 12-day promise the case is due Mon 20 Oct, not 30 Oct.
        let clock = CaseClock {
            accepted_on: received,
            promised_days: 12,
            statutory_days: 20,
            extension_days: 0,
            pauses: vec![],
        };
        assert_eq!(
            clock
                .read(&c, d("2025-10-14"))
                .ok()
                .and_then(|r| r.due_date),
            Some(d("2025-10-20"))
        );
    }

    #[test]
    fn a_decision_is_delivered_within_ten_working_days() {
        let c = cal();
        // Decided Thu 25 Sep: 26, 28 (worked Sunday), 29, 30 Sep, 9, 10, 11 (worked
        // Saturday), 13, 14, 15 Oct.
        let due = c
            .deadline(&delivery_due(d("2025-09-25")))
            .map(|x| x.due_date);
        assert_eq!(due, Ok(d("2025-10-15")));
        let due = due.ok();
        assert!(!delivered_late(due, Some(d("2025-10-15"))));
        assert!(delivered_late(due, Some(d("2025-10-20"))));
        assert!(!delivered_late(due, None));
    }

    #[test]
    fn joint_handling_extends_by_fifteen() {
        assert_eq!(legal_extension(20), 10);
        assert_eq!(legal_extension(45), 15);
    }

    #[test]
    fn case_numbers_and_fees() {
        assert_eq!(
            case_number("370102", d("2026-11-22"), 17),
            "3701022026112200017"
        );
        assert_eq!(fee_anomaly(None, 100), Some("fee_not_listed"));
        assert_eq!(fee_anomaly(Some(5000), 6000), Some("fee_above_standard"));
        assert_eq!(fee_anomaly(Some(5000), 5000), None);
    }

    #[test]
    fn projects_are_decided_when_every_sub_case_is() {
        use CaseState as S;
        let approved = Some(Decision::Approved);
        assert_eq!(
            project_decision(&[(S::Decided, approved), (S::Accepted, None)]),
            None
        );
        assert_eq!(
            project_decision(&[(S::Decided, approved), (S::Delivered, approved)]),
            approved
        );
        assert_eq!(
            project_decision(&[(S::Decided, approved), (S::Refused, None)]),
            Some(Decision::Denied)
        );
    }

    #[test]
    fn materials_and_steps() {
        let listed = vec!["身份证".to_owned()];
        let given = |n: &str| SubmittedMaterial {
            name: n.into(),
            copies: 1,
        };
        assert!(check_listed(&listed, &[given("身份证")], "/materials").is_ok());
        let e = check_listed(&listed, &[given("身份证"), given("户口簿")], "/materials");
        assert!(matches!(e, Err(v) if v[0].pointer == "/materials/1/name"));
        let a = UserId::new();
        assert!(check_step_taker(None, a).is_ok());
        assert!(check_step_taker(Some(UserId::new()), a).is_ok());
        assert!(check_step_taker(Some(a), a).is_err());
    }
}
