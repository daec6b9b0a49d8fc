//! Government services (政务服务): service matters and cases (办件), with the clock of
//! the Administrative Licensing Law (AL = 行政许可法).

use crate::codes::Code;
use chrono::NaiveDate;

pub use crate::cases::{
    CaseAction, CaseClock, CaseState, ClockReading, DELIVERY_WORKING_DAYS, Decision, Pause,
    SpecialProcedure, accepted_on, case_number, delivered_late, delivery_due, fee_anomaly,
    legal_extension,
};
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
            Code::MatterPromisedOverStatutory,
            "the promised time limit cannot exceed the statutory one",
        ));
    }
    if kind == CaseKind::Immediate && promised_days != 0 {
        return Err(RuleViolation::new(
            Code::MatterImmediateWithLimit,
            "an immediate case (即办件) is decided on the spot: its promised limit is 0",
        ));
    }
    if kind == CaseKind::Promised && promised_days == 0 {
        return Err(RuleViolation::new(
            Code::MatterPromisedWithoutLimit,
            "a promised case (承诺件) needs a promised limit of at least 1 working day",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(check_limits(CaseKind::Promised, 20, 10).is_ok());
        assert!(check_limits(CaseKind::Promised, 20, 21).is_err());
        assert!(check_limits(CaseKind::Promised, 20, 0).is_err());
        assert!(check_limits(CaseKind::Immediate, 20, 0).is_ok());
        assert!(check_limits(CaseKind::Immediate, 20, 1).is_err());
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
    /// When a material that is not required is needed: required when `required` is false
    /// (`material.condition_required`), absent when it is true
    /// (`material.condition_on_required`).
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
            RuleViolation::new(Code::MatterProcedureSteps, "1 to 20 procedure steps"),
        );
    }
    for (i, s) in procedure.iter().enumerate() {
        if !len_ok(&s.name, 50) {
            e.push(
                &format!("procedure/{i}/name"),
                RuleViolation::new(Code::TextLength, "1 to 50 characters"),
            );
        }
        if s.time_limit_days.is_some_and(|d| !(1..=365).contains(&d)) {
            e.push(
                &format!("procedure/{i}/time_limit_days"),
                RuleViolation::new(Code::Range, "1 to 365 working days"),
            );
        }
    }
    for (i, f) in fees.iter().enumerate() {
        if !len_ok(&f.name, 100) {
            e.push(
                &format!("fees/{i}/name"),
                RuleViolation::new(Code::TextLength, "1 to 100 characters"),
            );
        }
        if f.standard_fen <= 0 {
            e.push(
                &format!("fees/{i}/standard_fen"),
                RuleViolation::new(
                    Code::MoneyPositive,
                    "a fee standard is a positive number of fen",
                ),
            );
        }
        if !len_ok(&f.legal_basis, 500) {
            e.push(
                &format!("fees/{i}/legal_basis"),
                RuleViolation::new(
                    Code::FeeLegalBasis,
                    "every fee needs its legal basis (收费依据)",
                ),
            );
        }
        if fees[..i].iter().any(|g| g.name.trim() == f.name.trim()) {
            e.push(
                &format!("fees/{i}/name"),
                RuleViolation::new(Code::ListDuplicate, "each fee item once"),
            );
        }
    }
    for (i, m) in materials.iter().enumerate() {
        if !len_ok(&m.name, 100) {
            e.push(
                &format!("materials/{i}/name"),
                RuleViolation::new(Code::TextLength, "1 to 100 characters"),
            );
        }
        if !(1..=20).contains(&m.copies) {
            e.push(
                &format!("materials/{i}/copies"),
                RuleViolation::new(Code::Range, "1 to 20 copies"),
            );
        }
        match (m.required, m.condition.as_deref().map(str::trim)) {
            (false, None | Some("")) => e.push(
                &format!("materials/{i}/condition"),
                RuleViolation::new(
                    Code::MaterialConditionRequired,
                    "a conditional material says when it is needed",
                ),
            ),
            (true, Some(c)) if !c.is_empty() => e.push(
                &format!("materials/{i}/condition"),
                RuleViolation::new(
                    Code::MaterialConditionOnRequired,
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
                RuleViolation::new(Code::ListDuplicate, "each material once"),
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
