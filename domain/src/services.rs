//! Government services (政务服务): service matters and cases (办件), with the clock of
//! the Administrative Licensing Law (AL = 行政许可法).

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError};
use crate::labeled_enum;
use crate::validation::RuleViolation;

labeled_enum! {
    /// The eleven matter types of GB/T 39046 (事项类型).
    pub enum MatterType {
        AdministrativeLicensing = ("administrative_licensing", "行政许可"),
        AdministrativePenalty = ("administrative_penalty", "行政处罚"),
        AdministrativeCoercion = ("administrative_coercion", "行政强制"),
        AdministrativeLevy = ("administrative_levy", "行政征收"),
        AdministrativePayment = ("administrative_payment", "行政给付"),
        AdministrativeInspection = ("administrative_inspection", "行政检查"),
        AdministrativeConfirmation = ("administrative_confirmation", "行政确认"),
        AdministrativeReward = ("administrative_reward", "行政奖励"),
        AdministrativeAdjudication = ("administrative_adjudication", "行政裁决"),
        OtherAdministrativePower = ("other_administrative_power", "其他行政权力"),
        PublicService = ("public_service", "公共服务"),
    }
}

labeled_enum! {
    /// The nature of the implementing organisation (实施主体性质).
    pub enum ImplementerNature {
        Statutory = ("statutory", "法定机关"),
        Authorized = ("authorized", "授权组织"),
        Entrusted = ("entrusted", "受委托组织"),
    }
}

labeled_enum! {
    /// Who a matter serves (服务对象).
    pub enum ServiceObject {
        NaturalPerson = ("natural_person", "自然人"),
        LegalPerson = ("legal_person", "法人"),
        OtherOrganization = ("other_organization", "其他组织"),
    }
}

labeled_enum! {
    /// Case kind (办件类型).
    pub enum CaseKind {
        Immediate = ("immediate", "即办件"),
        Promised = ("promised", "承诺件"),
    }
}

labeled_enum! {
    /// How far a matter can be handled online (网上办理深度).
    pub enum OnlineDepth {
        Offline = ("offline", "不可网办"),
        Information = ("information", "网上咨询"),
        Download = ("download", "表格下载"),
        PreReview = ("pre_review", "网上预审"),
        FullOnline = ("full_online", "全程网办"),
    }
}

labeled_enum! {
    /// Form of a required material.
    pub enum MaterialForm {
        Original = ("original", "原件"),
        Copy = ("copy", "复印件"),
        OriginalAndCopy = ("original_and_copy", "原件和复印件"),
        Electronic = ("electronic", "电子材料"),
    }
}

labeled_enum! {
    /// Publication state of a matter version.
    pub enum MatterState {
        Draft = ("draft", "草稿"),
        Submitted = ("submitted", "待审核"),
        Published = ("published", "已发布"),
        Suspended = ("suspended", "暂停办理"),
        Abolished = ("abolished", "已取消"),
    }
}

labeled_enum! {
    /// A step of a matter's publication workflow.
    pub enum MatterTransition {
        Submit = ("submit", "提交审核"),
        Publish = ("publish", "发布"),
        Suspend = ("suspend", "暂停"),
        Resume = ("resume", "恢复"),
        Abolish = ("abolish", "取消"),
    }
}

/// The promised limit may not exceed the statutory one; an immediate case is decided on
/// the spot (promised limit 0).
pub fn check_limits(
    kind: CaseKind,
    statutory_days: u32,
    promised_days: u32,
) -> Result<(), RuleViolation> {
    if promised_days > statutory_days {
        return Err(RuleViolation::new(
            "matter.promised_over_statutory",
            "the promised time limit cannot exceed the statutory one",
        ));
    }
    if kind == CaseKind::Immediate && promised_days != 0 {
        return Err(RuleViolation::new(
            "matter.immediate_with_limit",
            "an immediate case (即办件) is decided on the spot: its promised limit is 0",
        ));
    }
    if kind == CaseKind::Promised && promised_days == 0 {
        return Err(RuleViolation::new(
            "matter.promised_without_limit",
            "a promised case (承诺件) needs a promised limit of at least 1 working day",
        ));
    }
    Ok(())
}

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

/// An action the case's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a case that is {from}")]
pub struct IllegalCaseAction {
    pub from: CaseState,
    pub action: CaseAction,
}

impl CaseState {
    /// The state after `action`.
    ///
    /// submitted → accept → accepted | refuse → refused | notify_missing →
    /// materials_requested → resubmit → submitted; accepted ⇄ suspend/resume (suspended);
    /// accepted → extend → accepted; accepted → decide → decided → deliver → delivered.
    pub fn apply(self, action: CaseAction) -> Result<CaseState, IllegalCaseAction> {
        use CaseAction as A;
        use CaseState as S;
        match (self, action) {
            (S::Submitted, A::Accept) => Ok(S::Accepted),
            (S::Submitted, A::Refuse) => Ok(S::Refused),
            (S::Submitted, A::NotifyMissing) => Ok(S::MaterialsRequested),
            (S::MaterialsRequested, A::Resubmit) => Ok(S::Submitted),
            (S::Accepted, A::Suspend) => Ok(S::Suspended),
            (S::Suspended, A::Resume) => Ok(S::Accepted),
            (S::Accepted, A::Extend) => Ok(S::Accepted),
            (S::Accepted, A::Decide) => Ok(S::Decided),
            (S::Decided, A::Deliver) => Ok(S::Delivered),
            (from, action) => Err(IllegalCaseAction { from, action }),
        }
    }

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
                "case.extension_zero",
                "an extension is at least 1 working day",
            ));
        }
        if self.extension_days > 0 {
            return Err(RuleViolation::new(
                "case.extension_twice",
                "a case is extended once",
            ));
        }
        let ceiling = self.statutory_days + legal_extension(self.statutory_days);
        if self.promised_days + days > ceiling {
            return Err(RuleViolation::new(
                "case.extension_over_limit",
                format!(
                    "the limit with extension may not exceed {ceiling} working days (statutory {} + legal extension {})",
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
    fn every_case_action() {
        use CaseAction as A;
        use CaseState as S;
        let legal = [
            (S::Submitted, A::Accept, S::Accepted),
            (S::Submitted, A::Refuse, S::Refused),
            (S::Submitted, A::NotifyMissing, S::MaterialsRequested),
            (S::MaterialsRequested, A::Resubmit, S::Submitted),
            (S::Accepted, A::Suspend, S::Suspended),
            (S::Suspended, A::Resume, S::Accepted),
            (S::Accepted, A::Extend, S::Accepted),
            (S::Accepted, A::Decide, S::Decided),
            (S::Decided, A::Deliver, S::Delivered),
        ];
        for (from, a, to) in legal {
            assert_eq!(from.apply(a), Ok(to), "{from} --{a}-->");
        }
        for from in CaseState::ALL {
            for a in CaseAction::ALL {
                if !legal.iter().any(|(f, x, _)| f == from && x == a) {
                    assert_eq!(
                        from.apply(*a),
                        Err(IllegalCaseAction {
                            from: *from,
                            action: *a
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn limits() {
        assert!(check_limits(CaseKind::Promised, 20, 10).is_ok());
        assert!(check_limits(CaseKind::Promised, 20, 21).is_err());
        assert!(check_limits(CaseKind::Promised, 20, 0).is_err());
        assert!(check_limits(CaseKind::Immediate, 20, 0).is_ok());
        assert!(check_limits(CaseKind::Immediate, 20, 1).is_err());
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
            Err("extension.after_due_date")
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
}

/// A step of the procedure (办理流程), e.g. 受理 → 审查 → 决定 → 送达.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcedureStep {
    #[cfg_attr(feature = "openapi", schema(example = "受理"))]
    pub name: String,
    pub description: Option<String>,
    /// Working days the step may take, counted from the previous step (the first step of a
    /// procedure is intake, done by accepting the case). Supervision alerts and flags steps
    /// over their time.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub time_limit_days: Option<u32>,
}

/// A fee item (收费项目) with its standard in fen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    #[cfg_attr(feature = "openapi", schema(example = "工本费"))]
    pub name: String,
    /// The standard, in fen (1 yuan = 100 fen).
    #[cfg_attr(feature = "openapi", schema(example = 1000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub standard_fen: i64,
    pub legal_basis: String,
    /// Who is exempt, if anyone (减免情形).
    pub waiver: Option<String>,
}

/// A material an applicant submits (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Material {
    #[cfg_attr(feature = "openapi", schema(example = "居民身份证"))]
    pub name: String,
    pub form: MaterialForm,
    /// Number of copies (份数).
    #[serde(default = "one")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20))]
    pub copies: u32,
    /// Required, or only under `condition` (容缺/情形材料).
    pub required: bool,
    pub condition: Option<String>,
    /// Address of a blank form or sample.
    pub template_url: Option<String>,
    pub legal_basis: Option<String>,
}

fn one() -> u32 {
    1
}

fn len_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max
}

/// Checks the procedure, fees and materials of a matter; each problem is located by a
/// JSON pointer below `base`.
pub fn check_guide_lists(
    procedure: &[ProcedureStep],
    fees: &[FeeItem],
    materials: &[Material],
) -> Result<(), Vec<crate::validation::FieldError>> {
    let mut e = crate::validation::Errors::new();
    if procedure.is_empty() || procedure.len() > 20 {
        e.push(
            "procedure",
            RuleViolation::new("matter.procedure_steps", "1 to 20 procedure steps"),
        );
    }
    for (i, s) in procedure.iter().enumerate() {
        if !len_ok(&s.name, 50) {
            e.push(
                &format!("procedure/{i}/name"),
                RuleViolation::new("text.length", "1 to 50 characters"),
            );
        }
        if s.time_limit_days.is_some_and(|d| !(1..=365).contains(&d)) {
            e.push(
                &format!("procedure/{i}/time_limit_days"),
                RuleViolation::new("range", "1 to 365 working days"),
            );
        }
    }
    for (i, f) in fees.iter().enumerate() {
        if !len_ok(&f.name, 100) {
            e.push(
                &format!("fees/{i}/name"),
                RuleViolation::new("text.length", "1 to 100 characters"),
            );
        }
        if f.standard_fen <= 0 {
            e.push(
                &format!("fees/{i}/standard_fen"),
                RuleViolation::new(
                    "money.positive",
                    "a fee standard is a positive number of fen",
                ),
            );
        }
        if !len_ok(&f.legal_basis, 500) {
            e.push(
                &format!("fees/{i}/legal_basis"),
                RuleViolation::new(
                    "fee.legal_basis",
                    "every fee needs its legal basis (收费依据)",
                ),
            );
        }
        if fees[..i].iter().any(|g| g.name.trim() == f.name.trim()) {
            e.push(
                &format!("fees/{i}/name"),
                RuleViolation::new("list.duplicate", "each fee item once"),
            );
        }
    }
    for (i, m) in materials.iter().enumerate() {
        if !len_ok(&m.name, 100) {
            e.push(
                &format!("materials/{i}/name"),
                RuleViolation::new("text.length", "1 to 100 characters"),
            );
        }
        if !(1..=20).contains(&m.copies) {
            e.push(
                &format!("materials/{i}/copies"),
                RuleViolation::new("range", "1 to 20 copies"),
            );
        }
        match (m.required, m.condition.as_deref().map(str::trim)) {
            (false, None | Some("")) => e.push(
                &format!("materials/{i}/condition"),
                RuleViolation::new(
                    "material.condition_required",
                    "a conditional material says when it is needed",
                ),
            ),
            (true, Some(c)) if !c.is_empty() => e.push(
                &format!("materials/{i}/condition"),
                RuleViolation::new(
                    "material.condition_on_required",
                    "a required material has no condition",
                ),
            ),
            _ => {}
        }
        if materials[..i]
            .iter()
            .any(|n| n.name.trim() == m.name.trim())
        {
            e.push(
                &format!("materials/{i}/name"),
                RuleViolation::new("list.duplicate", "each material once"),
            );
        }
    }
    e.finish()
}

#[cfg(test)]
mod guide_tests {
    use super::*;

    fn material(name: &str, required: bool, condition: Option<&str>) -> Material {
        Material {
            name: name.into(),
            form: MaterialForm::Original,
            copies: 1,
            required,
            condition: condition.map(Into::into),
            template_url: None,
            legal_basis: None,
        }
    }

    #[test]
    fn guide_lists_are_checked_with_pointers() {
        let steps = vec![ProcedureStep {
            name: "受理".into(),
            description: None,
            time_limit_days: None,
        }];
        let ok = check_guide_lists(
            &steps,
            &[FeeItem {
                name: "工本费".into(),
                standard_fen: 1000,
                legal_basis: "发改价格〔2019〕1号".into(),
                waiver: None,
            }],
            &[
                material("身份证", true, None),
                material("委托书", false, Some("委托他人办理时")),
            ],
        );
        assert!(ok.is_ok());
        let errs = check_guide_lists(
            &[],
            &[FeeItem {
                name: "工本费".into(),
                standard_fen: 0,
                legal_basis: " ".into(),
                waiver: None,
            }],
            &[
                material("委托书", false, None),
                material("委托书", true, Some("x")),
            ],
        )
        .err()
        .unwrap_or_default();
        let pointers: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/procedure",
                "/fees/0/standard_fen",
                "/fees/0/legal_basis",
                "/materials/0/condition",
                "/materials/1/condition",
                "/materials/1/name",
            ]
        );
    }
}

/// One case as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: CaseState,
    pub case_kind: CaseKind,
    pub accepted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Promised limit plus extension.
    pub limit_days: u32,
    /// Working days from acceptance to decision, pauses left out.
    pub working_days_used: Option<u32>,
}

/// The measures of a group of cases (the seeds report these per hall and window).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseMeasures {
    pub received: u64,
    pub accepted: u64,
    pub refused: u64,
    pub completed: u64,
    pub completed_on_time: u64,
    pub completed_early: u64,
    pub immediate_completed: u64,
    pub immediate_on_the_spot: u64,
    pub working_days_used_total: u64,
    pub limit_days_total: u64,
}

impl CaseMeasures {
    pub fn add(&mut self, c: &CaseFacts) {
        self.received += 1;
        if c.accepted_on.is_some() {
            self.accepted += 1;
        }
        if c.state == CaseState::Refused {
            self.refused += 1;
        }
        let (Some(decided), Some(accepted)) = (c.decided_on, c.accepted_on) else {
            return;
        };
        self.completed += 1;
        if c.due_date.is_none_or(|d| decided <= d) {
            self.completed_on_time += 1;
        }
        if c.due_date.is_some_and(|d| decided < d) {
            self.completed_early += 1;
        }
        if c.case_kind == CaseKind::Immediate {
            self.immediate_completed += 1;
            if decided == accepted {
                self.immediate_on_the_spot += 1;
            }
        }
        self.working_days_used_total += u64::from(c.working_days_used.unwrap_or(0));
        self.limit_days_total += u64::from(c.limit_days);
    }

    /// Adds another group's measures: the measures of the union of both groups.
    pub fn merge(&mut self, o: &CaseMeasures) {
        self.received += o.received;
        self.accepted += o.accepted;
        self.refused += o.refused;
        self.completed += o.completed;
        self.completed_on_time += o.completed_on_time;
        self.completed_early += o.completed_early;
        self.immediate_completed += o.immediate_completed;
        self.immediate_on_the_spot += o.immediate_on_the_spot;
        self.working_days_used_total += o.working_days_used_total;
        self.limit_days_total += o.limit_days_total;
    }

    fn rate(n: u64, d: u64) -> Option<f64> {
        (d > 0).then(|| (n as f64 / d as f64 * 10_000.0).round() / 10_000.0)
    }

    /// 办结率: completed / accepted.
    pub fn completion_rate(&self) -> Option<f64> {
        Self::rate(self.completed, self.accepted)
    }

    /// 按时办结率: completed by the due date / completed.
    pub fn on_time_rate(&self) -> Option<f64> {
        Self::rate(self.completed_on_time, self.completed)
    }

    /// 提前办结率: completed before the due date / completed.
    pub fn early_rate(&self) -> Option<f64> {
        Self::rate(self.completed_early, self.completed)
    }

    /// 当场办结率: immediate cases decided the day they were accepted / immediate cases completed.
    pub fn on_the_spot_rate(&self) -> Option<f64> {
        Self::rate(self.immediate_on_the_spot, self.immediate_completed)
    }

    pub fn average_working_days_used(&self) -> Option<f64> {
        Self::rate(self.working_days_used_total, self.completed)
    }

    pub fn average_limit_days(&self) -> Option<f64> {
        Self::rate(self.limit_days_total, self.completed)
    }
}

#[cfg(test)]
mod measure_tests {
    use super::*;

    #[test]
    fn measures_by_hand() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        let mut m = CaseMeasures::default();
        let base = CaseFacts {
            state: CaseState::Decided,
            case_kind: CaseKind::Promised,
            accepted_on: Some(d("2025-10-09")),
            decided_on: Some(d("2025-10-10")),
            due_date: Some(d("2025-10-14")),
            limit_days: 3,
            working_days_used: Some(1),
        };
        m.add(&base); // early, on time
        m.add(&CaseFacts {
            decided_on: Some(d("2025-10-14")),
            working_days_used: Some(3),
            ..base.clone()
        }); // on time
        m.add(&CaseFacts {
            decided_on: Some(d("2025-10-15")),
            working_days_used: Some(4),
            ..base.clone()
        }); // late
        m.add(&CaseFacts {
            state: CaseState::Refused,
            accepted_on: None,
            decided_on: None,
            ..base.clone()
        });
        m.add(&CaseFacts {
            state: CaseState::Accepted,
            decided_on: None,
            ..base.clone()
        });
        m.add(&CaseFacts {
            case_kind: CaseKind::Immediate,
            decided_on: Some(d("2025-10-09")),
            due_date: Some(d("2025-10-09")),
            limit_days: 0,
            working_days_used: Some(0),
            ..base.clone()
        });
        assert_eq!(
            (m.received, m.accepted, m.refused, m.completed),
            (6, 5, 1, 4)
        );
        assert_eq!(m.completion_rate(), Some(0.8));
        assert_eq!(m.on_time_rate(), Some(0.75));
        assert_eq!(m.early_rate(), Some(0.25));
        assert_eq!(m.on_the_spot_rate(), Some(1.0));
        assert_eq!(m.average_working_days_used(), Some(2.0));
        assert_eq!(m.average_limit_days(), Some(2.25));
    }
}
