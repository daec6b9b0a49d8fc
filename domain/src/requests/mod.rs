//! Disclosure on application (依申请公开): received dates, the statutory clock, the fee
//! calculator and the reply types (OGI = 政府信息公开条例).

use crate::codes::Code;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::calendar::{Calendar, CalendarError};
use crate::labeled_enum;
use crate::validation::RuleViolation;

pub mod commands;
mod flow;

pub use flow::{APPROVERS, OFFICERS, REQUEST_FLOW, RequestAction, RequestFacts, RequestState};

labeled_enum! {
    /// How an application arrived (OGI Art.31 fixes the received date by channel).
    pub enum RequestChannel {
        Online = ("online", "网上申请"),
        Letter = ("letter", "信函申请"),
        InPerson = ("in_person", "当面申请"),
        Fax = ("fax", "传真申请"),
    }
}

labeled_enum! {
    /// The form the applicant wants the information in.
    pub enum RequestedForm {
        Paper = ("paper", "纸质"),
        Electronic = ("electronic", "电子"),
        Inspection = ("inspection", "查阅"),
    }
}

labeled_enum! {
    /// How the reply reaches the applicant.
    pub enum DeliveryMethod {
        Post = ("post", "邮寄"),
        Email = ("email", "电子邮件"),
        Pickup = ("pickup", "自行领取"),
        Online = ("online", "网上获取"),
    }
}

labeled_enum! {
    /// Reply types and grounds (OGI Art.36–39): the rows of the annual report's table 3.
    pub enum ReplyType {
        Disclosed = ("disclosed", "予以公开"),
        PartiallyDisclosed = ("partially_disclosed", "部分公开"),
        NonDisclosureStateSecret = ("non_disclosure_state_secret", "不予公开—属于国家秘密"),
        NonDisclosureProhibitedByLaw = ("non_disclosure_prohibited_by_law",
            "不予公开—其他法律行政法规禁止公开"),
        NonDisclosureSecurity = ("non_disclosure_security", "不予公开—危及“三安全一稳定”"),
        NonDisclosureThirdParty = ("non_disclosure_third_party", "不予公开—保护第三方合法权益"),
        NonDisclosureInternalAffairs = ("non_disclosure_internal_affairs",
            "不予公开—属于三类内部事务信息"),
        NonDisclosureProcess = ("non_disclosure_process", "不予公开—属于四类过程性信息"),
        NonDisclosureEnforcement = ("non_disclosure_enforcement", "不予公开—属于行政执法案卷"),
        NonDisclosureInquiry = ("non_disclosure_inquiry", "不予公开—属于行政查询事项"),
        UnableNotHeld = ("unable_not_held", "无法提供—本机关不掌握相关政府信息"),
        UnableNeedsCreation = ("unable_needs_creation", "无法提供—没有现成信息需要另行制作"),
        UnableUnclear = ("unable_unclear", "无法提供—补正后申请内容仍不明确"),
        NotProcessedPetition = ("not_processed_petition", "不予处理—信访举报投诉类申请"),
        NotProcessedDuplicate = ("not_processed_duplicate", "不予处理—重复申请"),
        NotProcessedPublication = ("not_processed_publication", "不予处理—要求提供公开出版物"),
        NotProcessedExcessive = ("not_processed_excessive", "不予处理—无正当理由大量反复申请"),
        NotProcessedConfirm = ("not_processed_confirm",
            "不予处理—要求行政机关确认或重新出具已获取信息"),
        OtherCorrectionOverdue = (
            "other_correction_overdue",
            "其他处理—申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
        ),
        OtherUnpaidFee = (
            "other_unpaid_fee",
            "其他处理—申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
        ),
        Other = ("other", "其他处理—其他"),
    }
}

impl ReplyType {
    /// "Not ours" replies name the responsible agency.
    pub fn needs_agency(self) -> bool {
        self == ReplyType::UnableNotHeld
    }

    /// Replies that hand information over.
    pub fn provides_information(self) -> bool {
        matches!(self, ReplyType::Disclosed | ReplyType::PartiallyDisclosed)
    }
}

/// The statutory reply limit (OGI Art.33), its one extension, the correction window
/// (Art.30) and the time given to a third party or another agency (Art.32, 34).
pub const REPLY_WORKING_DAYS: u32 = 20;
pub const MAX_EXTENSION_WORKING_DAYS: u32 = 20;
pub const CORRECTION_NOTICE_WORKING_DAYS: u32 = 7;
pub const CONSULTATION_WORKING_DAYS: u32 = 15;
/// The time given to pay a fee notice.
pub const FEE_PAYMENT_WORKING_DAYS: u32 = 20;

/// The received date (OGI Art.31): in person, the day handed in; by letter, the day the
/// post was signed for; online or by fax, the day both sides confirmed. Never before the
/// submission, never after `today`.
pub fn received_on(
    channel: RequestChannel,
    submitted_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    confirmed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, RuleViolation> {
    let day = match channel {
        RequestChannel::InPerson => Some(submitted_on),
        RequestChannel::Letter => signed_on,
        RequestChannel::Online | RequestChannel::Fax => confirmed_on,
    }
    .ok_or_else(|| {
        RuleViolation::new(
            Code::RequestReceiptFactMissing,
            match channel {
                RequestChannel::Letter => {
                    "a letter is received on the day the post is signed for: \
                    give signed_on"
                }
                _ => {
                    "an online or fax application is received on the day both sides confirm: give \
                    confirmed_on"
                }
            },
        )
    })?;
    crate::validation::event_date(day, Some((submitted_on, "the submission")), today)
}

/// A stop of the clock: a third party or another agency is consulted, or a fee is due.
pub use crate::calendar::Stop as ClockStop;

/// The clock of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestClock {
    pub received_on: NaiveDate,
    /// The day a correction arrived: the clock restarts from zero then.
    pub restarted_on: Option<NaiveDate>,
    /// A correction asked for and not yet given: the clock does not run.
    pub awaiting_correction: bool,
    pub stops: Vec<ClockStop>,
    pub extension_days: u32,
}

/// Where the clock stands.
pub use crate::calendar::ClockReading as RequestReading;

impl RequestClock {
    /// The day the 20 working days count from.
    pub fn start(&self) -> NaiveDate {
        self.restarted_on.unwrap_or(self.received_on)
    }

    /// A correction notice is sent within 7 working days of receipt (OGI Art.30), once.
    pub fn check_correction_notice(
        &self,
        calendar: &Calendar,
        on: NaiveDate,
    ) -> Result<(), RuleViolation> {
        if self.restarted_on.is_some() || self.awaiting_correction {
            return Err(RuleViolation::new(
                Code::RequestCorrectionOnce,
                "a correction is asked for once, listing everything to correct",
            ));
        }
        if calendar.working_days_between(self.received_on, on) > CORRECTION_NOTICE_WORKING_DAYS {
            return Err(RuleViolation::new(
                Code::RequestCorrectionTooLate,
                "a correction notice is sent within 7 working days of receipt (OGI Art.30)",
            ));
        }
        Ok(())
    }

    /// The one extension: at most 20 working days (OGI Art.33).
    pub fn check_extension(&self, days: u32) -> Result<(), RuleViolation> {
        if self.extension_days > 0 {
            return Err(RuleViolation::new(
                Code::RequestExtensionTwice,
                "an application is extended once",
            ));
        }
        if days == 0 || days > MAX_EXTENSION_WORKING_DAYS {
            return Err(RuleViolation::new(
                Code::RequestExtensionRange,
                "an extension is 1 to 20 working days (OGI Art.33)",
            ));
        }
        Ok(())
    }

    /// The extension is decided while the reply period runs (OGI Art.33): not after the
    /// due date in force on `on`.
    pub fn check_extension_in_time(
        &self,
        calendar: &Calendar,
        on: NaiveDate,
    ) -> Result<(), RuleViolation> {
        let due = self.read(calendar, on).ok().and_then(|r| r.due_date);
        crate::calendar::check_extension_in_time(due, on)
    }

    pub fn read(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<RequestReading, CalendarError> {
        let limit = REPLY_WORKING_DAYS + self.extension_days;
        calendar.read_clock(
            self.start(),
            limit,
            &self.stops,
            self.awaiting_correction,
            today,
        )
    }
}

/// Whether a correction deadline has passed on `today` without a correction: the
/// application is then deemed withdrawn (视为放弃), evaluated as of a date.
pub fn deemed_withdrawn(
    correction_due: NaiveDate,
    corrected_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    corrected_on.is_none() && today > correction_due
}

labeled_enum! {
    /// How an information-processing fee is charged (国办函〔2020〕109号), never both.
    pub enum FeeMethod {
        ByCase = ("by_case", "按件计收"),
        ByVolume = ("by_volume", "按量计收"),
    }
}

/// When an application was received, in the order the by-case fee ranks an applicant's
/// applications (国办函〔2020〕109号: the nth application of a calendar month is the nth
/// received): by day of receipt, then time of receipt, then, where times tie, the sequence
/// drawn when it was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Receipt {
    pub on: NaiveDate,
    pub at: DateTime<Utc>,
    pub seq: i64,
}

/// Which application of its calendar month `this` is (1 for the first received), among the
/// applicant's applications `all` (`this` may be among them).
pub fn nth_in_month(this: Receipt, all: &[Receipt]) -> u32 {
    let earlier = all
        .iter()
        .filter(|r| r.on.year() == this.on.year() && r.on.month() == this.on.month())
        .filter(|r| **r < this)
        .count();
    u32::try_from(earlier).unwrap_or(u32::MAX).saturating_add(1)
}

/// The fee, in fen, for the `nth` application of the same applicant in a calendar month
/// (counting this one): 10 free; 11–30 ¥100 each; then each further tier of 10 costs ¥100
/// more per application.
pub fn fee_by_case(nth: u32) -> i64 {
    match nth {
        0..=10 => 0,
        11..=30 => 10_000,
        n => 10_000 + 10_000 * i64::from((n - 31) / 10 + 1),
    }
}

/// The fee, in fen, for `pages` pages of one reply: 30 free; pages 31–100 ¥10 each,
/// 101–200 ¥20 each, from 201 ¥40 each.
pub fn fee_by_volume(pages: u32) -> i64 {
    let p = i64::from(pages);
    let band = |from: i64, to: i64, fen: i64| (p.min(to) - from + 1).max(0) * fen;
    band(31, 100, 1_000) + band(101, 200, 2_000) + band(201, i64::MAX, 4_000)
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

    fn clock(received: &str) -> RequestClock {
        RequestClock {
            received_on: d(received),
            restarted_on: None,
            awaiting_correction: false,
            stops: vec![],
            extension_days: 0,
        }
    }

    #[test]
    fn received_dates_by_channel() {
        let sub = d("2025-09-26");
        let today = d("2025-09-30");
        assert_eq!(
            received_on(RequestChannel::InPerson, sub, None, None, today),
            Ok(sub)
        );
        assert_eq!(
            received_on(
                RequestChannel::Letter,
                sub,
                Some(d("2025-09-29")),
                None,
                today
            ),
            Ok(d("2025-09-29"))
        );
        assert!(received_on(RequestChannel::Letter, sub, None, None, today).is_err());
        assert_eq!(
            received_on(
                RequestChannel::Online,
                sub,
                None,
                Some(d("2025-09-27")),
                today
            ),
            Ok(d("2025-09-27"))
        );
        let code = |r: Result<NaiveDate, RuleViolation>| r.map_err(|e| e.code);
        assert_eq!(
            code(received_on(
                RequestChannel::Fax,
                sub,
                None,
                Some(d("2025-09-25")),
                today
            )),
            Err(Code::DateOrder)
        );
        assert_eq!(
            code(received_on(
                RequestChannel::Letter,
                sub,
                Some(d("2025-10-01")),
                None,
                today
            )),
            Err(Code::DateFuture)
        );
    }

    #[test]
    fn twenty_working_days_across_national_day() {
        let r = clock("2025-09-26")
            .read(&cal(), d("2025-10-09"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.due_date, Some(d("2025-10-30")));
        assert_eq!(r.working_days_used, 4);
        assert_eq!(r.working_days_left, Some(16));
    }

    #[test]
    fn a_correction_restarts_the_clock() {
        let c = cal();
        let mut k = clock("2025-09-26");
        // 7 working days after 26 Sep is 13 Oct (28, 29, 30 Sep, 9, 10, 11, 13 Oct).
        assert!(k.check_correction_notice(&c, d("2025-10-13")).is_ok());
        assert_eq!(
            k.check_correction_notice(&c, d("2025-10-14"))
                .err()
                .map(|e| e.code),
            Some(Code::RequestCorrectionTooLate)
        );
        k.awaiting_correction = true;
        assert_eq!(k.read(&c, d("2025-10-13")).map(|r| r.due_date), Ok(None));
        assert!(
            k.check_correction_notice(&c, d("2025-10-09")).is_err(),
            "once"
        );
        // The correction arrives Mon 20 Oct: 20 working days from then is 17 Nov.
        k.awaiting_correction = false;
        k.restarted_on = Some(d("2025-10-20"));
        let r = k
            .read(&c, d("2025-10-20"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.due_date, Some(d("2025-11-17")));
        assert_eq!(r.working_days_used, 0);
    }

    #[test]
    fn a_third_party_consultation_stops_the_clock() {
        let c = cal();
        let mut k = clock("2025-09-26");
        // Consulted Thu 9 Oct, opinion back Fri 24 Oct: 12 working days (10, 11, 13–17, 20–24 Oct).
        k.stops.push(ClockStop {
            start: d("2025-10-09"),
            end: None,
        });
        assert_eq!(k.read(&c, d("2025-10-20")).map(|r| r.due_date), Ok(None));
        k.stops[0].end = Some(d("2025-10-24"));
        let r = k
            .read(&c, d("2025-10-27"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.working_days_paused, 12);
        // 30 Oct + 12 working days = 17 Nov.
        assert_eq!(r.due_date, Some(d("2025-11-17")));
    }

    #[test]
    fn one_extension_of_at_most_twenty_days() {
        let c = cal();
        let mut k = clock("2025-09-26");
        assert!(k.check_extension(21).is_err());
        assert!(k.check_extension(0).is_err());
        assert!(k.check_extension(20).is_ok());
        k.extension_days = 20;
        assert!(k.check_extension(1).is_err());
        // 30 Oct + 20 working days = 27 Nov.
        assert_eq!(
            k.read(&c, d("2025-10-30")).ok().and_then(|r| r.due_date),
            Some(d("2025-11-27"))
        );
    }

    #[test]
    fn an_extension_is_decided_within_the_reply_period() {
        let c = cal();
        // Received Fri 26 Sep: due Thu 30 Oct across National Day.
        let k = clock("2025-09-26");
        assert!(k.check_extension_in_time(&c, d("2025-10-30")).is_ok());
        assert_eq!(
            k.check_extension_in_time(&c, d("2025-10-31"))
                .map_err(|e| e.code),
            Err(Code::ExtensionAfterDueDate)
        );
        // While a consultation stops the clock there is no due date to pass.
        let mut stopped = clock("2025-09-26");
        stopped.stops.push(ClockStop {
            start: d("2025-10-20"),
            end: None,
        });
        assert!(stopped.check_extension_in_time(&c, d("2025-11-03")).is_ok());
    }

    #[test]
    fn deemed_withdrawal_is_evaluated_as_of_a_date() {
        assert!(!deemed_withdrawn(d("2025-10-20"), None, d("2025-10-20")));
        assert!(deemed_withdrawn(d("2025-10-20"), None, d("2025-10-21")));
        assert!(!deemed_withdrawn(
            d("2025-10-20"),
            Some(d("2025-10-19")),
            d("2025-11-01")
        ));
    }

    #[test]
    fn fees_by_case_and_by_volume() {
        assert_eq!(fee_by_case(10), 0);
        assert_eq!(fee_by_case(11), 10_000);
        assert_eq!(fee_by_case(30), 10_000);
        assert_eq!(fee_by_case(31), 20_000);
        assert_eq!(fee_by_case(40), 20_000);
        assert_eq!(fee_by_case(41), 30_000);
        assert_eq!(fee_by_volume(30), 0);
        assert_eq!(fee_by_volume(31), 1_000);
        assert_eq!(fee_by_volume(100), 70_000);
        assert_eq!(fee_by_volume(101), 72_000);
        assert_eq!(fee_by_volume(200), 270_000);
        assert_eq!(fee_by_volume(201), 274_000);
    }

    #[test]
    fn the_nth_application_is_the_nth_received() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        // Eleven applications registered at one instant on Thu 9 Oct, one on 30 Sep (the
        // month before) and a letter received on 9 Oct but registered in the afternoon.
        let batch: Vec<Receipt> = (1..=11)
            .map(|seq| Receipt {
                on: d("2025-10-09"),
                at: at("2025-10-09T02:00:00Z"),
                seq,
            })
            .collect();
        let september = Receipt {
            on: d("2025-09-30"),
            at: at("2025-09-30T02:00:00Z"),
            seq: 0,
        };
        let letter = Receipt {
            on: d("2025-10-09"),
            at: at("2025-10-09T07:00:00Z"),
            seq: 12,
        };
        let mut all = batch.clone();
        all.extend([september, letter]);
        let ranks: Vec<u32> = batch.iter().map(|r| nth_in_month(*r, &all)).collect();
        assert_eq!(ranks, (1..=11).collect::<Vec<_>>());
        let fees: Vec<i64> = ranks.iter().map(|n| fee_by_case(*n)).collect();
        assert_eq!(fees.iter().filter(|f| **f > 0).count(), 1, "{fees:?}");
        assert_eq!(fees[10], 10_000);
        assert_eq!(nth_in_month(letter, &all), 12);
        assert_eq!(nth_in_month(september, &all), 1);
    }

    #[test]
    fn reply_types_are_the_report_rows() {
        assert_eq!(ReplyType::ALL.len(), 21);
        assert!(ReplyType::UnableNotHeld.needs_agency());
        assert!(ReplyType::PartiallyDisclosed.provides_information());
        assert!(!ReplyType::NonDisclosureStateSecret.provides_information());
    }
}
