//! Supervision (电子监察): yellow and red deadline alerts.

use crate::codes::Code;
use chrono::{DateTime, NaiveDate, Utc};

use crate::account::Role;
use crate::assessment::GradeThresholds;
use crate::calendar::Calendar;
use crate::labeled_enum;
use crate::validation::RuleViolation;

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

/// The alert on `as_of` for something due on `due` with a limit of `limit_days` working
/// days: red the first working day after the due date, yellow at the threshold (few enough
/// working days left, or enough of the limit used), nothing before. The days used are the
/// limit less the working days left, so pauses that moved the due date are not counted.
/// Finished objects have no alert; the caller does not ask for them.
pub fn alert_level(
    calendar: &Calendar,
    limit_days: u32,
    due: NaiveDate,
    as_of: NaiveDate,
    t: Thresholds,
) -> Option<AlertLevel> {
    if as_of > due && calendar.working_days_between(due, as_of) > 0 {
        return Some(AlertLevel::Red);
    }
    let left = calendar.working_days_between(as_of, due);
    let used = limit_days.saturating_sub(left);
    let percent = (used * 100).checked_div(limit_days).unwrap_or(100);
    (left <= t.days_left || percent >= t.percent_used).then_some(AlertLevel::Yellow)
}

/// The days on which a deadline's alert changes, so that the level on any day is two
/// comparisons: yellow from `yellow_on`, red from `red_on` (the first working day after the
/// due date). For every day `d`, `alert_level(calendar, limit, due, d, t)` is red when
/// `red_on <= d`, yellow when `yellow_on <= d < red_on`, and none before `yellow_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertDates {
    pub yellow_on: NaiveDate,
    pub red_on: NaiveDate,
}

/// The first day of every calendar: a deadline without a limit is yellow whenever asked.
pub const ALWAYS: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The days on which the alert of something due on `due` with a limit of `limit_days`
/// working days turns yellow and red (see [`alert_level`]).
///
/// Yellow holds once the working days left, `L(d)` = working days in (`d`, `due`], are at
/// most `K`: `t.days_left`, or the most days left with `percent_used` of the limit used
/// (`limit - ceil(limit * percent / 100)`). `L` only falls as `d` advances, so the first
/// such day is found walking back from the due date, where `L` is 0.
pub fn alert_dates(
    calendar: &Calendar,
    limit_days: u32,
    due: NaiveDate,
    t: Thresholds,
) -> AlertDates {
    let red_on = due
        .iter_days()
        .skip(1)
        .find(|d| calendar.is_working_day(*d))
        .unwrap_or(NaiveDate::MAX);
    if limit_days == 0 {
        return AlertDates {
            yellow_on: ALWAYS,
            red_on,
        };
    }
    let used_for_yellow = (u64::from(limit_days) * u64::from(t.percent_used)).div_ceil(100);
    let by_share = u64::from(limit_days).saturating_sub(used_for_yellow);
    let k = u64::from(t.days_left).max(by_share);
    // Walk back from the due date while the day before still has at most K days left.
    let mut day = due;
    let mut left = 0u64;
    while let Some(before) = day.pred_opt() {
        let left_before = left + u64::from(calendar.is_working_day(day));
        if left_before > k || before < ALWAYS {
            break;
        }
        day = before;
        left = left_before;
    }
    AlertDates {
        yellow_on: day,
        red_on,
    }
}

/// The level on `as_of` of a deadline whose alert dates are `dates`.
pub fn level_on(dates: AlertDates, as_of: NaiveDate) -> Option<AlertLevel> {
    if dates.red_on <= as_of {
        Some(AlertLevel::Red)
    } else if dates.yellow_on <= as_of {
        Some(AlertLevel::Yellow)
    } else {
        None
    }
}

/// Working days left until `due` (negative: overdue by that many working days).
pub fn days_left(calendar: &Calendar, due: NaiveDate, as_of: NaiveDate) -> i64 {
    if as_of > due {
        -i64::from(calendar.working_days_between(due, as_of))
    } else {
        i64::from(calendar.working_days_between(as_of, due))
    }
}

labeled_enum! {
    /// What an alert is about: everything with a deadline.
    pub enum AlertObject {
        Case = ("case", "办件"),
        CaseStep = ("case_step", "办件环节"),
        DisclosureRequest = ("disclosure_request", "依申请公开"),
        DisclosurePublication = ("disclosure_publication", "主动公开时限"),
        PublicMessage = ("public_message", "点题公开与领导信箱"),
        Rectification = ("rectification", "差评整改"),
        SupervisionOrder = ("supervision_order", "督办单"),
        ComplaintAcceptance = ("complaint_acceptance", "投诉举报受理"),
        HotlineTicket = ("hotline_ticket", "12345热线工单"),
        CaseDelivery = ("case_delivery", "办件送达"),
    }
}

labeled_enum! {
    /// The supervision rules (监察规则) with their numbers: deadline alerts (A) and
    /// anomalies (B). Each finding names the rule that fired. The numbers are not snake_case
    /// values; the catalogue is served by `GET /supervision/rules`, not `/meta/enums`.
    pub enum RuleId {
        CaseDeadline = ("JC-A01", "办件办理时限"),
        CaseStepDeadline = ("JC-A02", "办件环节时限"),
        RequestDeadline = ("JC-A03", "依申请公开答复时限（条例第三十三条）"),
        PublicationDeadline = ("JC-A04", "主动公开时限（条例第二十六条）"),
        MessageFeedback = ("JC-A05", "点题公开限时反馈"),
        RectificationDeadline = ("JC-A06", "差评整改时限"),
        OrderDeadline = ("JC-A07", "督办单办理时限"),
        ComplaintAcceptanceDeadline = ("JC-A08", "投诉举报受理时限"),
        TicketDeadline = ("JC-A09", "12345工单办理时限"),
        DeliveryDeadline = ("JC-A10", "办结送达时限（行政许可法第四十四条）"),
        FeeNotListed = ("JC-B01", "收费项目不在目录内"),
        FeeAboveStandard = ("JC-B02", "超标准收费"),
        DecidedBeforeAccepted = ("JC-B03", "先办后受理（体外循环）"),
        RefusalWithoutReason = ("JC-B04", "不予受理或不予批准未说明理由"),
        StepOverTime = ("JC-B05", "环节超时"),
        ExtensionBeyondLimit = ("JC-B06", "延期超出法定期限"),
        LateCorrectionNotice = ("JC-B07", "逾期告知补正（行政许可法第三十二条）"),
        LateDelivery = ("JC-B08", "逾期送达（行政许可法第四十四条）"),
    }
}

impl AlertObject {
    /// The rule whose deadline an alert of this kind watches.
    pub fn rule(self) -> RuleId {
        match self {
            AlertObject::Case => RuleId::CaseDeadline,
            AlertObject::CaseStep => RuleId::CaseStepDeadline,
            AlertObject::DisclosureRequest => RuleId::RequestDeadline,
            AlertObject::DisclosurePublication => RuleId::PublicationDeadline,
            AlertObject::PublicMessage => RuleId::MessageFeedback,
            AlertObject::Rectification => RuleId::RectificationDeadline,
            AlertObject::SupervisionOrder => RuleId::OrderDeadline,
            AlertObject::ComplaintAcceptance => RuleId::ComplaintAcceptanceDeadline,
            AlertObject::HotlineTicket => RuleId::TicketDeadline,
            AlertObject::CaseDelivery => RuleId::DeliveryDeadline,
        }
    }
}

impl RuleId {
    /// Whether the rule is an anomaly rule (B) rather than a deadline alert (A).
    pub fn is_anomaly(self) -> bool {
        self.as_str().starts_with("JC-B")
    }

    /// What the rule checks, for the rule catalogue.
    pub fn description(self) -> &'static str {
        match self {
            RuleId::CaseDeadline => {
                "accepted cases against their due date (promised limit, extension and special \
                    procedures)"
            }
            RuleId::CaseStepDeadline => {
                "the pending procedure step of an accepted case against the step's time limit, \
                    counted from the previous step (or acceptance: the first step of a procedure \
                    is intake)"
            }
            RuleId::RequestDeadline => {
                "open applications for disclosure against their reply date (20 working days, \
                    extension, stops)"
            }
            RuleId::PublicationDeadline => {
                "proactive items not yet published against formed_on + 20 working days"
            }
            RuleId::MessageFeedback => {
                "forwarded topic requests and leader messages against their feedback date"
            }
            RuleId::RectificationDeadline => {
                "open rectifications of bad reviews against their due date"
            }
            RuleId::OrderDeadline => {
                "supervision orders not yet responded to against their due date"
            }
            RuleId::ComplaintAcceptanceDeadline => {
                "complaints and reports without a decision to accept against receipt + the \
                    acceptance days"
            }
            RuleId::TicketDeadline => {
                "hotline tickets with a department (dispatched or reopened) against their due date \
                    (time limit by kind, extension)"
            }
            RuleId::DeliveryDeadline => {
                "decided cases not yet delivered against the decision day + 10 working days \
                 (AL Art.44)"
            }
            RuleId::FeeNotListed => {
                "a charge whose item is not in the matter's fee list (搭车收费)"
            }
            RuleId::FeeAboveStandard => "a charge above the item's standard",
            RuleId::DecidedBeforeAccepted => {
                "a decision without acceptance, before it, or sooner after it than the minimum \
                    processing minutes for a promised case (entered after the fact)"
            }
            RuleId::RefusalWithoutReason => {
                "a refusal or a denial whose reason is missing or shorter than the minimum reason \
                    length"
            }
            RuleId::StepOverTime => {
                "a recorded procedure step that took more working days than its time limit"
            }
            RuleId::ExtensionBeyondLimit => {
                "a case whose limit with extension exceeds the statutory limit plus the legal \
                    extension (AL Art.42)"
            }
            RuleId::LateCorrectionNotice => {
                "a one-time notice of missing materials later than the notice window after receipt \
                    (AL Art.32: the case then counts as accepted on receipt)"
            }
            RuleId::LateDelivery => {
                "a decision delivered after the decision day + 10 working days (AL Art.44)"
            }
        }
    }
}

/// The supervision configuration of an organisation, inherited by its subtree unless a
/// lower organisation sets its own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "yellow_days_left": 1, "yellow_percent_used": 80, "rectification_days": 5,
    "complaint_acceptance_days": 5, "notice_window_days": 5, "min_processing_minutes": 30,
    "min_reason_chars": 4, "grades": {"excellent": 95, "good": 85, "pass": 70},
    "ticket_limits": {
        "consultation": 3, "help": 3, "complaint": 13, "report": 13, "suggestion": 13,
        "praise": 3, "emergency": 0, "reopened": 5
    },
    "disabled_rules": []
})))]
pub struct SupervisionRules {
    /// Yellow with at most this many working days left (0–30).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 30))]
    pub yellow_days_left: u32,
    /// Yellow once this share of the limit is used, in percent (1–100).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub yellow_percent_used: u32,
    /// Working days to rectify a bad review (1–30; some localities use 15).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 30))]
    pub rectification_days: u32,
    /// Working days to decide whether to accept a complaint (1–15).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 15))]
    pub complaint_acceptance_days: u32,
    /// Working days after receipt within which missing materials are notified (AL Art.32: 5).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 15))]
    pub notice_window_days: u32,
    /// A promised case decided sooner than this after acceptance was handled outside the
    /// system (0–1440 minutes; 0 turns only the literal rule on).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1440))]
    pub min_processing_minutes: u32,
    /// A refusal or denial reason shorter than this many characters counts as missing (1–50).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 50))]
    pub min_reason_chars: u32,
    /// Quarterly assessment grades.
    pub grades: GradeThresholds,
    /// Working days of hotline tickets by kind.
    #[serde(default)]
    pub ticket_limits: crate::hotline::TicketLimits,
    /// Rules turned off for this organisation.
    #[serde(default)]
    pub disabled_rules: Vec<RuleId>,
}

/// Staff who watch deadlines: everyone but applicants (within their scope).
pub const WATCHERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
    Role::DisclosureOfficer,
    Role::Clerk,
];
/// Who runs the alert job, issues orders and decides on them.
pub const SUPERVISORS: &[Role] = &[Role::SysAdmin, Role::Supervisor];
/// Who sets an organisation's rules.
pub const RULE_SETTERS: &[Role] = &[Role::SysAdmin, Role::OrgAdmin, Role::Supervisor];
/// Who reads the anomaly findings.
pub const ANOMALY_READERS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
];

/// The most `min_processing_minutes` may be set to (a day).
pub const MAX_MIN_PROCESSING_MINUTES: u32 = 1440;
/// The most `min_reason_chars` may be set to.
pub const MAX_MIN_REASON_CHARS: u32 = 50;

impl Default for SupervisionRules {
    fn default() -> Self {
        Self {
            yellow_days_left: 1,
            yellow_percent_used: 80,
            rectification_days: crate::evaluation::DEFAULT_RECTIFICATION_DAYS,
            complaint_acceptance_days: 5,
            notice_window_days: 5,
            min_processing_minutes: 30,
            min_reason_chars: 4,
            grades: GradeThresholds::default(),
            ticket_limits: crate::hotline::TicketLimits::default(),
            disabled_rules: Vec::new(),
        }
    }
}

impl SupervisionRules {
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            days_left: self.yellow_days_left,
            percent_used: self.yellow_percent_used,
        }
    }

    pub fn enabled(&self, rule: RuleId) -> bool {
        !self.disabled_rules.contains(&rule)
    }

    /// Every problem, located by field.
    pub fn validate(&self) -> Vec<(&'static str, RuleViolation)> {
        let mut out = Vec::new();
        let mut range = |field: &'static str, v: u32, lo: u32, hi: u32| {
            if !(lo..=hi).contains(&v) {
                out.push((
                    field,
                    RuleViolation::new(Code::Range, format!("from {lo} to {hi}")),
                ));
            }
        };
        range("yellow_days_left", self.yellow_days_left, 0, 30);
        range("yellow_percent_used", self.yellow_percent_used, 1, 100);
        range("rectification_days", self.rectification_days, 1, 30);
        range(
            "complaint_acceptance_days",
            self.complaint_acceptance_days,
            1,
            15,
        );
        range("notice_window_days", self.notice_window_days, 1, 15);
        range(
            "min_processing_minutes",
            self.min_processing_minutes,
            0,
            MAX_MIN_PROCESSING_MINUTES,
        );
        range(
            "min_reason_chars",
            self.min_reason_chars,
            1,
            MAX_MIN_REASON_CHARS,
        );
        let g = self.grades;
        for (field, v) in [
            ("grades/excellent", g.excellent),
            ("grades/good", g.good),
            ("grades/pass", g.pass),
        ] {
            if !(0..=200).contains(&v) {
                out.push((field, RuleViolation::new(Code::Range, "from 0 to 200")));
            }
        }
        if !(g.pass < g.good && g.good < g.excellent) {
            out.push((
                "grades",
                RuleViolation::new(Code::GradesOrder, "pass < good < excellent"),
            ));
        }
        for f in self.ticket_limits.problems() {
            out.push((
                match f {
                    "consultation" => "ticket_limits/consultation",
                    "help" => "ticket_limits/help",
                    "complaint" => "ticket_limits/complaint",
                    "report" => "ticket_limits/report",
                    "suggestion" => "ticket_limits/suggestion",
                    "praise" => "ticket_limits/praise",
                    "emergency" => "ticket_limits/emergency",
                    _ => "ticket_limits/reopened",
                },
                RuleViolation::new(Code::Range, "1 to 60 working days (emergency 0 to 60)"),
            ));
        }
        out
    }
}

/// Whether a refusal or denial reason counts as missing.
pub fn reason_missing(reason: Option<&str>, min_chars: u32) -> bool {
    reason.map_or(0, |r| r.trim().chars().count()) < min_chars as usize
}

/// Whether a decision shows the case was handled outside the system (体外循环): decided
/// without acceptance or before it, or — for a promised case — sooner after acceptance than
/// `min_minutes`.
pub fn decided_outside_system(
    accepted_at: Option<DateTime<Utc>>,
    decided_at: DateTime<Utc>,
    promised: bool,
    min_minutes: u32,
) -> bool {
    match accepted_at {
        None => true,
        Some(a) if decided_at < a => true,
        Some(a) => promised && (decided_at - a).num_minutes() < i64::from(min_minutes),
    }
}

/// Whether the limit with extension exceeds the statutory limit plus the legal extension.
pub fn extension_beyond_limit(statutory: u32, promised: u32, extension: u32) -> bool {
    extension > 0 && promised + extension > statutory + crate::services::legal_extension(statutory)
}

/// Working days from receipt to a one-time notice, and whether that is later than the window
/// (AL Art.32, Art.82: the days are working days).
pub fn notice_delay(
    calendar: &Calendar,
    received_on: NaiveDate,
    notice_on: NaiveDate,
    window_days: u32,
) -> (u32, bool) {
    let days = calendar.working_days_between(received_on, notice_on);
    (days, days > window_days)
}

pub use crate::complaints::{
    ComplaintAction, ComplaintCategory, ComplaintKind, ComplaintState, complained_about,
    handling_organisation,
};
pub use crate::orders::{AccountabilityKind, OrderAction, OrderState};

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
        let due = d("2025-10-30");
        // 80% is 16 working days used: Fri 24 Oct. The day before is clear.
        assert_eq!(alert_level(&c, 20, due, d("2025-10-23"), t), None);
        assert_eq!(
            alert_level(&c, 20, due, d("2025-10-24"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, 20, due, d("2025-10-30"), t),
            Some(AlertLevel::Yellow)
        );
        // Red the first working day after the due date; a weekend after a Friday due
        // date is not yet overdue.
        assert_eq!(
            alert_level(&c, 20, due, d("2025-10-31"), t),
            Some(AlertLevel::Red)
        );
        let fri = d("2025-10-31");
        assert_eq!(
            alert_level(&c, 21, fri, d("2025-11-01"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, 21, fri, d("2025-11-03"), t),
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
            alert_level(&c, 3, d("2025-09-30"), d("2025-09-28"), t),
            None
        );
        assert_eq!(
            alert_level(&c, 3, d("2025-09-30"), d("2025-09-29"), t),
            Some(AlertLevel::Yellow)
        );
        // Across the holiday: due 30 Sep, first working day after is 9 Oct.
        assert_eq!(
            alert_level(&c, 3, d("2025-09-30"), d("2025-10-05"), t),
            Some(AlertLevel::Yellow)
        );
        assert_eq!(
            alert_level(&c, 3, d("2025-09-30"), d("2025-10-09"), t),
            Some(AlertLevel::Red)
        );
    }

    /// The stored alert dates give the level `alert_level` computes, on every day around
    /// deadlines across a holiday, for limits and thresholds of every kind.
    #[test]
    fn alert_dates_agree_with_alert_level() {
        let c = cal();
        let start = d("2025-08-20");
        let thresholds = [(0, 100), (1, 80), (3, 50), (0, 1), (30, 100), (2, 67)];
        for due_offset in 0..70u64 {
            let due = start + chrono::Days::new(due_offset);
            for limit in [0u32, 1, 2, 3, 5, 7, 10, 20, 45] {
                for (days_left, percent_used) in thresholds {
                    let t = Thresholds {
                        days_left,
                        percent_used,
                    };
                    let dates = alert_dates(&c, limit, due, t);
                    for back in 0..120u64 {
                        let as_of = due - chrono::Days::new(60) + chrono::Days::new(back);
                        assert_eq!(
                            level_on(dates, as_of),
                            alert_level(&c, limit, due, as_of, t),
                            "due {due}, limit {limit}, {t:?}, as of {as_of}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn anomaly_rules() {
        assert!(reason_missing(None, 4));
        assert!(reason_missing(Some(" 不行 "), 4));
        assert!(!reason_missing(Some("材料不全且逾期"), 4));
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|x| x.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let a = t("2025-10-09T01:00:00Z");
        assert!(decided_outside_system(None, a, true, 30));
        assert!(decided_outside_system(
            Some(a),
            t("2025-10-09T00:59:00Z"),
            false,
            30
        ));
        assert!(decided_outside_system(
            Some(a),
            t("2025-10-09T01:29:00Z"),
            true,
            30
        ));
        assert!(!decided_outside_system(
            Some(a),
            t("2025-10-09T01:30:00Z"),
            true,
            30
        ));
        // An immediate case may be decided on the spot.
        assert!(!decided_outside_system(
            Some(a),
            t("2025-10-09T01:05:00Z"),
            false,
            30
        ));
        assert!(!extension_beyond_limit(20, 20, 10));
        assert!(extension_beyond_limit(20, 20, 11));
        assert!(!extension_beyond_limit(45, 45, 15));
        assert!(!extension_beyond_limit(20, 25, 0));
        // Received Fri 26 Sep; five working days later is Fri 10 Oct across the holiday.
        let c = cal();
        assert_eq!(
            notice_delay(&c, d("2025-09-26"), d("2025-10-10"), 5),
            (5, false)
        );
        assert_eq!(
            notice_delay(&c, d("2025-09-26"), d("2025-10-11"), 5),
            (6, true)
        );
    }

    #[test]
    fn rules_validate_every_field() {
        assert!(SupervisionRules::default().validate().is_empty());
        let bad = SupervisionRules {
            yellow_percent_used: 0,
            rectification_days: 40,
            grades: GradeThresholds {
                excellent: 80,
                good: 85,
                pass: 70,
            },
            ..SupervisionRules::default()
        };
        let fields: Vec<&str> = bad.validate().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["yellow_percent_used", "rectification_days", "grades"]
        );
    }
}
