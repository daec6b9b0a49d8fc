//! The bodies and answers of the applications' API (their schema names are the contract).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind};
use zhengwu_domain::requests::{
    DeliveryMethod, FeeMethod, ReplyType, RequestChannel, RequestState, RequestedForm,
};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// The applicant, when an officer registers a letter, visit or fax.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestApplicantIn {
    pub name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub user_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "description": "2025年历下区老旧小区改造项目的资金使用明细",
        "purpose": "了解所在小区改造资金使用情况",
    "requested_form": "electronic", "delivery_method": "email", "channel": "online",
    "contact": {"email": "zhang.san@example.com"}
}))]
pub struct CreateRequest {
    /// The organisation asked.
    pub organization_id: Uuid,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    /// `online` for applicants; `letter`, `in_person` or `fax` registered by an officer.
    pub channel: RequestChannel,
    pub contact: Contact,
    /// Officers: the applicant of a letter, visit or fax.
    pub applicant: Option<RequestApplicantIn>,
    /// Officers: the day the application was handed in or sent (default today; not in the
    /// future).
    pub submitted_on: Option<NaiveDate>,
    /// Letters: the day the post was signed for (from `submitted_on` to today).
    pub signed_on: Option<NaiveDate>,
    /// Faxes: the day both sides confirmed (from `submitted_on` to today).
    pub confirmed_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": "请明确所需信息的项目名称和时间范围",
    "correction_due": "2027-12-31"}))]
pub struct CorrectionIn {
    /// Everything to correct, in one notice.
    pub items: String,
    /// The deadline for the correction; without a correction by then the application is
    /// deemed withdrawn.
    pub correction_due: NaiveDate,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "申请公开2025年历下区老旧小区改造项目的资金安排明细"}))]
pub struct SubmitCorrectionIn {
    /// The corrected description, if it changes.
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "third_party", "party": "济南某某置业有限公司"}))]
pub struct ConsultIn {
    /// `third_party` (OGI Art.32) or `agency` (Art.34).
    pub kind: ConsultKind,
    /// Who is consulted.
    pub party: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsultKind {
    ThirdParty,
    Agency,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opinion": "第三方书面回复：不同意公开合同中的商业报价部分"}))]
pub struct OpinionIn {
    pub opinion: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"working_days": 15,
    "reason": "所需信息涉及多个科室，需汇总核实，经机关负责人同意延长"}))]
pub struct RequestExtendIn {
    /// At most 20 working days, once (OGI Art.33).
    #[schema(minimum = 1, maximum = 20)]
    pub working_days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "by_volume", "pages": 150}))]
pub struct FeeNoticeIn {
    pub method: FeeMethod,
    /// By volume: the pages of the reply.
    pub pages: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reply_type": "disclosed", "text": "经查，现将您申请的信息提供如下……",
    "provided_items": [{"description": "老旧小区改造资金明细表"}]}))]
pub struct RequestReplyIn {
    pub reply_type: ReplyType,
    pub text: String,
    /// For `unable_not_held`: the agency that holds the information.
    pub responsible_agency: Option<String>,
    /// For disclosed and partially disclosed: what was provided (disclosure items or files).
    #[serde(default)]
    pub provided_items: Vec<ProvidedItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvidedItem {
    pub disclosure_id: Option<Uuid>,
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "reconsideration", "filed_on": "2026-11-02",
        "note": "申请人不服答复，向市人民政府申请行政复议"
}))]
pub struct RemedyIn {
    pub kind: RemedyKind,
    /// Not before the application was received, not in the future.
    pub filed_on: NaiveDate,
    #[serde(default = "pending")]
    pub outcome: RemedyOutcome,
    /// Not before the filing, not in the future.
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

fn pending() -> RemedyOutcome {
    RemedyOutcome::Pending
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "upheld", "decided_on": "2026-11-30",
    "note": "复议决定维持原答复"}))]
pub struct RemedyUpdate {
    pub outcome: RemedyOutcome,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    Reconsideration,
    LitigationDirect,
    LitigationAfterReconsideration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyOutcome {
    Upheld,
    Corrected,
    Other,
    Pending,
}

// ------------------------------------------------------------------ responses

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestClockDto {
    /// The day the 20 working days count from (receipt, or the correction's arrival).
    pub counting_from: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub extension_working_days: u32,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    pub working_days_left: Option<i64>,
    /// Why the clock does not run, if it does not.
    pub stopped_for: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyDto {
    pub reply_type: ReplyType,
    pub text: String,
    pub responsible_agency: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub provided_items: serde_json::Value,
    pub replied_on: NaiveDate,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyDto {
    pub id: Uuid,
    pub kind: String,
    pub filed_on: NaiveDate,
    pub outcome: String,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StopDto {
    pub kind: String,
    pub party: Option<String>,
    pub start_on: NaiveDate,
    /// The other side's deadline (15 working days) or the fee's.
    pub due_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub opinion: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDto {
    pub id: Uuid,
    pub number: String,
    pub organization_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    #[schema(value_type = Object)]
    pub contact: serde_json::Value,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    pub channel: RequestChannel,
    pub submitted_on: NaiveDate,
    pub received_on: NaiveDate,
    pub state: RequestState,
    pub correction_due: Option<NaiveDate>,
    pub corrected_on: Option<NaiveDate>,
    /// Awaiting a correction whose deadline has passed (视为放弃), as of today.
    pub deemed_withdrawn: bool,
    pub clock: RequestClockDto,
    pub stops: Vec<StopDto>,
    pub fee_method: Option<FeeMethod>,
    pub fee_fen: Option<i64>,
    pub fee_due: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub reply: Option<ReplyDto>,
    pub remedies: Vec<RemedyDto>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestTimelineEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestTimeline {
    pub request_id: Uuid,
    pub state: RequestState,
    pub clock: RequestClockDto,
    pub entries: Vec<RequestTimelineEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeeQuote {
    pub method: FeeMethod,
    /// In fen.
    pub amount_fen: i64,
    /// By case: which application of the month this is.
    pub nth_in_month: Option<u32>,
    pub pages: Option<u32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct Empty {}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub org: Option<Uuid>,
    pub state: Option<RequestState>,
    pub applicant_type: Option<ApplicantType>,
    pub due_before: Option<NaiveDate>,
    #[serde(default)]
    pub overdue: bool,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    #[param(example = "by_case")]
    pub method: FeeMethod,
    /// By case: which application of the month (counting this one).
    #[param(example = 11)]
    pub nth: Option<u32>,
    /// By volume: pages of the reply.
    pub pages: Option<u32>,
}
