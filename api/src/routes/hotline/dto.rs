//! The request and response bodies of tickets, and their parsing into commands.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::hotline::commands::{
    CallbackTicket, CloseTicket, Contact, DecideExtension, DispatchTicket, MergeTicket,
    ReplyTicket, RequestExtension, ReturnTicket, TicketForm,
};
use zhengwu_domain::hotline::{TicketChannel, TicketKind, TicketState, Urgency};
use zhengwu_domain::ids::{OrganizationId, TicketId};
use zhengwu_persistence::hotline::TicketEvent;

use crate::app::hotline::tickets::TicketView;
use crate::error::ApiResult;
use crate::routes::participation::ContactIn;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "help", "urgency": "urgent", "channel": "phone",
    "subject": "小区停水三天无人处理",
    "description": "历下区某小区自11月3日起停水，物业称在维修但无进展。",
    "location": "济南市历下区文化东路", "caller_name": "李先生",
    "caller_contact": {"phone": "13912345678"}}))]
pub struct TicketIn {
    /// The hotline centre taking it; an operator's own organisation when absent.
    pub center_id: Option<Uuid>,
    pub kind: TicketKind,
    #[serde(default = "normal")]
    pub urgency: Urgency,
    /// Operators only; online submissions are `web`.
    pub channel: Option<TicketChannel>,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub caller_name: Option<String>,
    /// Never public; required for anonymous submissions.
    pub caller_contact: Option<ContactIn>,
    /// Operators only: classified tickets are never shown publicly.
    #[serde(default)]
    pub classified: bool,
}

fn normal() -> Urgency {
    Urgency::Normal
}

/// A ticket. The caller's contact and name are shown to hotline staff only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: Uuid,
    #[schema(example = "RX2025000001")]
    pub number: String,
    pub kind: TicketKind,
    pub urgency: Urgency,
    pub channel: TicketChannel,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub classified: bool,
    pub public_answer: bool,
    pub center_id: Uuid,
    pub state: TicketState,
    pub received_at: DateTime<Utc>,
    pub responsible_org_id: Option<Uuid>,
    /// When the current deadline started (dispatch, or reopening).
    pub dispatched_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    /// How often departments sent it back (退单).
    pub return_count: i32,
    pub extension_days: i32,
    /// A pending extension request: days, reason, requested_on.
    #[schema(value_type = Option<Object>)]
    pub extension_request: Option<serde_json::Value>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub callback_satisfied: Option<bool>,
    pub reopen_count: i32,
    pub merged_into: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Hotline staff only.
    pub caller_name: Option<String>,
    /// Hotline staff only.
    #[schema(value_type = Option<Object>)]
    pub caller_contact: Option<serde_json::Value>,
    /// Given once, when the ticket is taken: with the number it opens the public lookup.
    pub query_code: Option<String>,
    pub version: i32,
}

impl TicketIn {
    /// The ticket as submitted; who takes it decides the rest.
    pub fn form(self) -> TicketForm {
        TicketForm {
            center_id: self.center_id.map(OrganizationId),
            kind: self.kind,
            urgency: self.urgency,
            channel: self.channel,
            subject: self.subject,
            description: self.description,
            location: self.location,
            caller_name: self.caller_name,
            caller_contact: self.caller_contact.map(|c| Contact {
                phone: c.phone,
                email: c.email,
            }),
            classified: self.classified,
        }
    }
}

impl From<TicketView> for TicketDto {
    fn from(v: TicketView) -> Self {
        let (t, staff) = (v.ticket, v.hotline_staff);
        TicketDto {
            id: t.id,
            number: t.number,
            kind: TicketKind::parse(&t.kind).unwrap_or(TicketKind::Consultation),
            urgency: Urgency::parse(&t.urgency).unwrap_or(Urgency::Normal),
            channel: TicketChannel::parse(&t.channel).unwrap_or(TicketChannel::Web),
            subject: t.subject,
            description: t.description,
            location: t.location,
            classified: t.classified,
            public_answer: t.public_answer,
            center_id: t.center_id,
            state: TicketState::parse(&t.state).unwrap_or(TicketState::Received),
            received_at: t.received_at,
            responsible_org_id: t.responsible_org_id,
            dispatched_on: t.dispatched_on,
            due_date: t.due_date,
            years_without_calendar: v.years_without_calendar,
            return_count: t.return_count,
            extension_days: t.extension_days,
            extension_request: t.extension_request,
            reply: t.reply,
            replied_at: t.replied_at,
            callback_satisfied: t.callback_satisfied,
            reopen_count: t.reopen_count,
            merged_into: t.merged_into,
            closed_at: t.closed_at,
            caller_name: if staff { t.caller_name } else { None },
            caller_contact: staff.then_some(t.caller_contact),
            query_code: v.query_code,
            version: t.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketEventDto {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<TicketEvent> for TicketEventDto {
    fn from(e: TicketEvent) -> Self {
        TicketEventDto {
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            note: e.note,
            data: e.data,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketsQuery {
    pub org: Option<Uuid>,
    pub state: Option<TicketState>,
    pub kind: Option<TicketKind>,
    /// Tickets dispatched to this organisation.
    pub responsible: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organization_id": "01941f29-7c00-7001-8000-000000000003",
    "note": "请核实情况并于时限内答复市民"
}))]
pub struct DispatchIn {
    /// The responsible department.
    pub organization_id: Uuid,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reason": "该事项属于供水企业职责，非本部门受理范围"
}))]
pub struct TicketReasonIn {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "days": 5, "reason": "需协调供水企业和物业共同排查管网"
}))]
pub struct ExtensionRequestIn {
    /// Working days asked for (1–30).
    #[schema(minimum = 1, maximum = 30)]
    pub days: u32,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"approved": true, "note": "同意延期5个工作日"}))]
pub struct ExtensionDecisionIn {
    pub approved: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reply": "经核实，系供水管网爆管维修，已于11月6日恢复供水。",
    "public": true
}))]
pub struct TicketReplyIn {
    pub reply: String,
    /// Whether the answer may be listed among the public answers (not for classified tickets).
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"satisfied": false, "note": "市民反映仍间歇性停水"}))]
pub struct TicketCallbackIn {
    pub satisfied: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "市民对处理结果表示满意，办结"}))]
pub struct CloseTicketIn {
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "into": "01941f29-7c00-7007-8000-000000000002",
    "note": "同一市民就同一事项重复来电"
}))]
pub struct MergeIn {
    /// The ticket this one duplicates.
    pub into: Uuid,
    pub note: Option<String>,
}

impl DispatchIn {
    pub fn parse(self) -> ApiResult<DispatchTicket> {
        Ok(DispatchTicket::parse(
            OrganizationId(self.organization_id),
            self.note.as_deref(),
        )?)
    }
}

impl TicketReasonIn {
    pub fn parse(self) -> ApiResult<ReturnTicket> {
        Ok(ReturnTicket::parse(&self.reason)?)
    }
}

impl ExtensionRequestIn {
    pub fn parse(self) -> ApiResult<RequestExtension> {
        Ok(RequestExtension::parse(self.days, &self.reason)?)
    }
}

impl ExtensionDecisionIn {
    pub fn parse(self) -> ApiResult<DecideExtension> {
        Ok(DecideExtension::parse(self.approved, self.note.as_deref())?)
    }
}

impl TicketReplyIn {
    pub fn parse(self) -> ApiResult<ReplyTicket> {
        Ok(ReplyTicket::parse(&self.reply, self.public)?)
    }
}

impl TicketCallbackIn {
    pub fn parse(self) -> ApiResult<CallbackTicket> {
        Ok(CallbackTicket::parse(self.satisfied, self.note.as_deref())?)
    }
}

impl CloseTicketIn {
    pub fn parse(self) -> ApiResult<CloseTicket> {
        Ok(CloseTicket::parse(self.note.as_deref())?)
    }
}

impl MergeIn {
    pub fn parse(self) -> ApiResult<MergeTicket> {
        Ok(MergeTicket::parse(
            TicketId(self.into),
            self.note.as_deref(),
        )?)
    }
}
