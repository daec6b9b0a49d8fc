//! The request bodies and queries of the case endpoints, and how each is parsed into the
//! command a use case takes: trimmed, checked, field errors collected at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
use zhengwu_domain::cases::{
    Application, CaseState, Charge, DecideCase, Decision, Delivery, Extension, MissingMaterial,
    OnBehalfOf, ReviewStep, SpecialProcedure, SubmittedMaterial, Suspension,
};
pub use zhengwu_domain::cases::{CaseChannel, MaterialProblem};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{CaseId, MatterId, OrganizationId, UserId, WindowId};
use zhengwu_domain::validation::{self, Errors, FieldError, RuleViolation};

use crate::app::cases::Listing;
use crate::error::{ApiError, ApiResult, AtField};
use crate::pagination::PageParams;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialIn {
    /// The name of one of the matter's materials.
    #[schema(example = "居民身份证")]
    pub name: String,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 20)]
    pub copies: u32,
}

fn one() -> u32 {
    1
}

/// The applicant, when a clerk applies on someone's behalf at a window.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseApplicantIn {
    #[schema(example = "张三")]
    pub name: String,
    pub applicant_type: ApplicantType,
    pub phone: Option<String>,
    /// The applicant's account, if registered (they can then follow the case).
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "matter_ids": ["01941f29-7c00-7004-8000-000000000001"], "channel": "web",
    "materials": [{"name": "建筑工程施工许可证申请表", "copies": 1}]
}))]
pub struct CreateCase {
    /// One matter; several make a parallel-approval project (并联审批) with a sub-case each.
    #[schema(min_items = 1, max_items = 20)]
    pub matter_ids: Vec<Uuid>,
    /// `web` or `mobile` for applicants online; `window` or `post` for clerks.
    pub channel: CaseChannel,
    /// Clerks: the window of intake.
    pub window_id: Option<Uuid>,
    /// Clerks: whom the case is for. Applicants apply for themselves.
    pub applicant: Option<CaseApplicantIn>,
    #[serde(default)]
    pub materials: Vec<MaterialIn>,
    /// Required for a parallel-approval project.
    pub project_name: Option<String>,
    /// Green channel for key investment projects (绿色通道).
    #[serde(default)]
    pub green_channel: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "材料齐全，予以受理"}))]
pub struct NoteIn {
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reason": "申请事项不属于本机关职权范围，请向不动产登记中心申请"
}))]
pub struct CaseReasonIn {
    #[schema(example = "申请事项不属于本机关职权范围")]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingItem {
    /// One of the matter's materials.
    pub material: String,
    pub problem: MaterialProblem,
    pub note: Option<String>,
}

/// A one-time notice (一次性告知): everything missing or defective, at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"material": "施工合同", "problem": "missing"}]}))]
pub struct NotifyMissingIn {
    #[schema(min_items = 1)]
    pub items: Vec<MissingItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"materials": [{"name": "建设工程规划许可证", "copies": 1}]}))]
pub struct ResubmitIn {
    pub materials: Vec<MaterialIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"assignee_id": "01941f29-7c00-7002-8000-000000000013"}))]
pub struct AssignIn {
    pub assignee_id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "审核", "opinion": "材料齐全，符合法定条件，建议准予许可。"
}))]
pub struct StepIn {
    /// 审核, 决定, …
    pub name: String,
    pub opinion: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "procedure": "expert_review", "reason": "需组织专家评审", "expected_end": "2026-12-04"
}))]
pub struct SuspendIn {
    pub procedure: SpecialProcedure,
    pub reason: String,
    pub expected_end: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "working_days": 5, "reason": "需补充征求消防部门意见，经负责人批准延长"
}))]
pub struct CaseExtendIn {
    /// Working days added; the total may not exceed the statutory limit plus its legal extension.
    #[schema(minimum = 1)]
    pub working_days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "approved", "result_number": "历下建施〔2026〕0158号"
}))]
pub struct DecideIn {
    pub decision: Decision,
    /// Required when denied.
    pub reason: Option<String>,
    /// The result document's number; required when approved.
    pub result_number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "window"}))]
pub struct DeliverIn {
    /// `window`, `post`, `electronic`, …
    pub method: String,
    /// The day it was delivered (default today): not before the decision, not in the future.
    pub delivered_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"name": "工本费", "amount_fen": 1000}]}))]
pub struct ChargeIn {
    #[schema(min_items = 1)]
    pub items: Vec<ChargeItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeItem {
    /// A fee item of the matter's version (anything else is recorded and flagged).
    pub name: String,
    #[schema(minimum = 1)]
    pub amount_fen: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub org: Option<Uuid>,
    /// With `org`: its whole subtree.
    #[serde(default)]
    pub include_sub: bool,
    pub window: Option<Uuid>,
    pub matter: Option<Uuid>,
    pub state: Option<CaseState>,
    pub assignee: Option<Uuid>,
    pub due_before: Option<NaiveDate>,
    /// Open cases past their due date.
    #[serde(default)]
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The query password given at application.
    #[param(example = "DEMO0000")]
    pub password: String,
}

// ------------------------------------------------------------------ parsing

/// Trimmed, non-empty text of at most `max` characters, at `field`.
fn text(field: &str, v: &str, max: usize) -> ApiResult<String> {
    validation::text(v, max).at(field)
}

/// An optional note: trimmed, at most 1,000 characters, not blank when given.
fn note_of(note: Option<String>) -> ApiResult<Option<String>> {
    note.map(|n| text("/note", &n, 1000)).transpose()
}

/// Optional text: trimmed, absent when blank.
fn optional(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Materials handed in: names trimmed, 1 to 20 copies each.
fn materials_of(
    given: Vec<MaterialIn>,
    base: &str,
) -> Result<Vec<SubmittedMaterial>, Vec<FieldError>> {
    let mut e = Errors::new();
    for (i, m) in given.iter().enumerate() {
        if !(1..=20).contains(&m.copies) {
            e.push(
                &format!("{base}/{i}/copies"),
                RuleViolation::new(Code::Range, "1 to 20 copies"),
            );
        }
    }
    e.finish()?;
    Ok(given
        .into_iter()
        .map(|m| SubmittedMaterial {
            name: m.name.trim().to_owned(),
            copies: m.copies,
        })
        .collect())
}

impl NoteIn {
    pub fn parse(self) -> ApiResult<Option<String>> {
        note_of(self.note)
    }
}

impl CaseReasonIn {
    pub fn parse(self) -> ApiResult<String> {
        text("/reason", &self.reason, 1000)
    }
}

impl NotifyMissingIn {
    pub fn parse(self) -> ApiResult<Vec<MissingMaterial>> {
        if self.items.is_empty() {
            return Err(ApiError::field(
                "/items",
                Code::ListEmpty,
                "a notice lists everything missing or defective, at least one item",
            ));
        }
        Ok(self
            .items
            .into_iter()
            .map(|it| MissingMaterial {
                material: it.material.trim().to_owned(),
                problem: it.problem,
                note: optional(it.note),
            })
            .collect())
    }
}

impl ResubmitIn {
    pub fn parse(self) -> ApiResult<Vec<SubmittedMaterial>> {
        Ok(materials_of(self.materials, "/materials")?)
    }
}

impl AssignIn {
    pub fn parse(self) -> UserId {
        UserId(self.assignee_id)
    }
}

impl StepIn {
    pub fn parse(self) -> ApiResult<ReviewStep> {
        Ok(ReviewStep {
            name: text("/name", &self.name, 50)?,
            opinion: text("/opinion", &self.opinion, 2000)?,
        })
    }
}

impl SuspendIn {
    pub fn parse(self) -> ApiResult<Suspension> {
        Ok(Suspension {
            procedure: self.procedure,
            reason: text("/reason", &self.reason, 1000)?,
            expected_end: self.expected_end,
        })
    }
}

impl CaseExtendIn {
    pub fn parse(self) -> ApiResult<Extension> {
        Ok(Extension {
            working_days: self.working_days,
            reason: text("/reason", &self.reason, 1000)?,
        })
    }
}

impl DecideIn {
    /// An approval names its result document; a denial gives its reasons.
    pub fn parse(self) -> ApiResult<DecideCase> {
        let reason = optional(self.reason);
        let result_number = optional(self.result_number);
        match self.decision {
            Decision::Approved if result_number.is_none() => Err(ApiError::field(
                "/result_number",
                Code::FieldRequiredWhen,
                "an approval names its result document",
            )),
            Decision::Denied if reason.is_none() => Err(ApiError::field(
                "/reason",
                Code::FieldRequiredWhen,
                "a denial gives its reasons",
            )),
            decision => Ok(DecideCase {
                decision,
                reason,
                result_number,
            }),
        }
    }
}

impl DeliverIn {
    pub fn parse(self) -> ApiResult<Delivery> {
        Ok(Delivery {
            method: text("/method", &self.method, 50)?,
            delivered_on: self.delivered_on,
        })
    }
}

impl ChargeIn {
    /// At least one item, each of a positive number of fen.
    pub fn parse(self) -> ApiResult<Vec<Charge>> {
        if self.items.is_empty() {
            return Err(ApiError::field(
                "/items",
                Code::ListEmpty,
                "charge at least one item",
            ));
        }
        let mut out = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.into_iter().enumerate() {
            if it.amount_fen <= 0 {
                return Err(ApiError::field(
                    &format!("/items/{i}/amount_fen"),
                    Code::MoneyPositive,
                    "a positive number of fen",
                ));
            }
            out.push(Charge {
                name: it.name.trim().to_owned(),
                amount_fen: it.amount_fen,
            });
        }
        Ok(out)
    }
}

impl CreateCase {
    /// The application as far as it does not depend on who applies (the use case checks
    /// the channel and the named applicant against the actor).
    pub fn parse(self) -> ApiResult<Application> {
        let mut e = Errors::new();
        if self.matter_ids.is_empty() || self.matter_ids.len() > 20 {
            e.push(
                "matter_ids",
                RuleViolation::new(Code::ListLength, "1 to 20 matters"),
            );
        }
        let project_name = if self.matter_ids.len() > 1 {
            match self.project_name.as_deref() {
                Some(name) => e.check("project_name", validation::text(name, 200)),
                None => {
                    e.push(
                        "project_name",
                        RuleViolation::new(
                            Code::FieldRequiredWhen,
                            "a project of several matters needs its name",
                        ),
                    );
                    None
                }
            }
        } else {
            optional(self.project_name)
        };
        let applicant = self.applicant.and_then(|a| {
            let name = e.check("applicant/name", validation::text(&a.name, 100));
            let phone = e.check_opt("applicant/phone", a.phone.as_deref(), validation::phone);
            Some(OnBehalfOf {
                name: name?,
                applicant_type: a.applicant_type,
                phone,
                user_id: a.user_id.map(UserId),
            })
        });
        let materials = materials_of(self.materials, "/materials");
        e.finish()?;
        Ok(Application {
            matter_ids: self.matter_ids.into_iter().map(MatterId).collect(),
            channel: self.channel,
            window_id: self.window_id.map(WindowId),
            applicant,
            materials: materials?,
            project_name,
            green_channel: self.green_channel,
        })
    }
}

impl ListQuery {
    pub fn listing(self, page: &PageParams) -> ApiResult<Listing> {
        Ok(Listing {
            org: self.org.map(OrganizationId),
            include_sub: self.include_sub,
            window: self.window.map(WindowId),
            matter: self.matter.map(MatterId),
            state: self.state,
            assignee: self.assignee.map(UserId),
            due_before: self.due_before,
            overdue: self.overdue,
            received_from: self.received_from,
            received_to: self.received_to,
            after: page.after_uuid()?.map(CaseId),
            limit: page.limit()?,
        })
    }
}
