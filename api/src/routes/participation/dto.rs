//! The bodies and answers of the participation API (their schema names are the contract).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::participation::{
    AnswerKind, CommentState, ConsultationState, MessageKind, MessageState,
};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "title": "关于公开征求《2027年历下区政务公开工作任务分工方案》意见的公告",
        "draft_text": "一、总体要求……",
    "opens_at": "2027-03-01T00:00:00Z", "closes_at": "2027-03-31T03:00:00Z"
}))]
pub struct CreateConsultation {
    pub organization_id: Uuid,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    /// Comments are refused from this instant on, by the server's clock.
    pub closes_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: ConsultationState,
    /// Whether comments are accepted right now.
    pub accepting_comments: bool,
    pub feedback_summary: Option<String>,
    pub summarized_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// A comment. The public sees approved comments, with personal data masked and without
/// contact details; moderators see everything.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub text: String,
    pub state: CommentState,
    pub rejection_reason: Option<String>,
    pub adopted: Option<bool>,
    pub adoption_note: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// Moderators only.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "建议增加基层政务公开标准化的具体时间表。", "display_name": "历下区居民",
    "contact": {"email": "resident@example.com"}
}))]
pub struct CommentIn {
    pub text: String,
    /// How to be shown; anonymous when absent.
    pub display_name: Option<String>,
    /// Required without an account; never shown to the public.
    pub contact: Option<ContactIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approved"}))]
pub struct ModerateIn {
    pub decision: Moderation,
    /// Required to reject.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    Approved,
    Rejected,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "共收到意见12条，采纳5条，部分采纳3条，未采纳4条并说明理由\
    。", "adoptions": []}))]
pub struct SummaryIn {
    /// 采纳情况: what was adopted and why not.
    pub summary: String,
    #[serde(default)]
    pub adoptions: Vec<Adoption>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adoption {
    pub comment_id: Uuid,
    pub adopted: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationQuery {
    pub org: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    pub items: Vec<CommentDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "topic_request", "organization_id": "01941f29-7c00-7001-8000-000000000006",
    "subject": "希望公开老旧小区加装电梯补贴标准",
        "text": "请公开2026年老旧小区加装电梯的补贴标准和申请流程。",
    "contact": {"phone": "13812345678"}
}))]
pub struct MessageIn {
    pub kind: MessageKind,
    /// The organisation whose disclosure office receives it.
    pub organization_id: Uuid,
    pub subject: String,
    pub text: String,
    pub name: Option<String>,
    /// Never public.
    pub contact: Option<ContactIn>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: Uuid,
    pub kind: MessageKind,
    pub organization_id: Uuid,
    pub subject: String,
    pub text: String,
    pub state: MessageState,
    pub submitted_at: DateTime<Utc>,
    pub forwarded_to: Option<Uuid>,
    pub feedback_due: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub answer_kind: Option<AnswerKind>,
    pub answer: Option<String>,
    pub disclosure_id: Option<Uuid>,
    pub answered_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    /// Staff only.
    pub submitter_name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000003", "working_days": 10
}))]
pub struct ForwardIn {
    /// The department that answers.
    pub organization_id: Uuid,
    /// The time-limited feedback notice (限时反馈), in working days.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "answer_kind": "not_disclosed",
        "answer": "该事项尚在研究论证阶段，属于过程性信息，待形成正式文件后依法公开。"
}))]
pub struct AnswerIn {
    pub answer_kind: AnswerKind,
    pub answer: String,
    /// For `disclosed`: the published disclosure item.
    pub disclosure_id: Option<Uuid>,
}

/// An answer on the echo wall: no submitter, personal data in the texts masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EchoEntry {
    pub id: Uuid,
    pub kind: MessageKind,
    pub subject: String,
    pub question: String,
    pub answer_kind: Option<AnswerKind>,
    pub answer: Option<String>,
    pub disclosure_id: Option<Uuid>,
    pub answered_by: Option<String>,
    pub submitted_on: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
}
