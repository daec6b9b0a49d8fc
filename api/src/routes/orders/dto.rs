//! The bodies and answers of the supervision order endpoints, and their parsing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::orders::{OrderState, RESPONSE_DAYS};
use zhengwu_domain::supervision::AlertObject;
use zhengwu_domain::validation::{self, Errors, RuleViolation};

use crate::app::orders::{IssueOrder, OrderStep, OrderView};
use crate::error::{ApiError, AtField};

fn working_days_violation() -> RuleViolation {
    RuleViolation::new(Code::Range, "1 to 60 working days")
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "object_kind": "case", "object_id": "01941f29-7c00-7005-8000-000000000008",
    "subject": "办件超期督办",
    "instructions": "该办件已超过承诺时限，请于3个工作日内办结并书面说明原因。",
    "working_days": 3
}))]
pub struct CreateOrder {
    /// What the order is about: anything with a deadline.
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    /// The deadline of the response, in working days from today.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

impl CreateOrder {
    pub fn parse(self) -> Result<IssueOrder, ApiError> {
        let mut e = Errors::new();
        let subject = e.check("subject", validation::text(&self.subject, 200));
        let instructions = e.check("instructions", validation::text(&self.instructions, 5000));
        if !RESPONSE_DAYS.contains(&self.working_days) {
            e.push("working_days", working_days_violation());
        }
        e.finish()?;
        Ok(IssueOrder {
            object_kind: self.object_kind,
            object_id: self.object_id,
            subject: subject.unwrap_or_default(),
            instructions: instructions.unwrap_or_default(),
            working_days: self.working_days,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: Uuid,
    /// 督办单 number: DB + year + serial.
    #[schema(example = "DB2025-0001")]
    pub number: String,
    /// The ordered organisation (the object's).
    pub organization_id: Uuid,
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    /// 1 when issued, raised by each escalation.
    pub level: i32,
    pub issued_on: NaiveDate,
    pub due_date: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub state: OrderState,
    pub issued_by: Uuid,
    pub issued_at: DateTime<Utc>,
    pub response: Option<String>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTime<Utc>>,
    pub escalation_reason: Option<String>,
    pub closing_note: Option<String>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl From<OrderView> for OrderDto {
    fn from(v: OrderView) -> Self {
        let o = v.order;
        OrderDto {
            id: o.id,
            number: o.number,
            organization_id: o.organization_id,
            object_kind: AlertObject::parse(&o.object_kind).unwrap_or(AlertObject::Case),
            object_id: o.object_id,
            subject: o.subject,
            instructions: o.instructions,
            level: o.level,
            issued_on: o.issued_on,
            due_date: o.due_date,
            years_without_calendar: v.years_without_calendar,
            state: OrderState::parse(&o.state).unwrap_or(OrderState::Issued),
            issued_by: o.issued_by,
            issued_at: o.issued_at,
            response: o.response,
            responded_by: o.responded_by,
            responded_at: o.responded_at,
            escalation_reason: o.escalation_reason,
            closing_note: o.closing_note,
            closed_by: o.closed_by,
            closed_at: o.closed_at,
            version: o.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    pub org: Option<Uuid>,
    pub state: Option<OrderState>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn field_text(pointer: &str, t: &str, max: usize) -> Result<String, ApiError> {
    validation::text(t, max).at(pointer)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "response": "该办件已于11月3日办结，超期原因系专家评审延误，已对经办人进行提醒谈话。"
}))]
pub struct RespondIn {
    pub response: String,
}

impl RespondIn {
    pub fn parse(self) -> Result<OrderStep, ApiError> {
        let response = field_text("/response", &self.response, 5000)?;
        Ok(OrderStep::Respond { response })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "note": "办件已办结，超期原因已书面说明，督办事项办结"
}))]
pub struct CloseOrderIn {
    pub note: String,
}

impl CloseOrderIn {
    pub fn parse(self) -> Result<OrderStep, ApiError> {
        let note = field_text("/note", &self.note, 2000)?;
        Ok(OrderStep::Close { note })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "reason": "反馈未说明整改措施，升级督办",
    "working_days": 2
}))]
pub struct EscalateIn {
    pub reason: String,
    /// The new deadline, in working days from today.
    #[schema(minimum = 1, maximum = 60)]
    pub working_days: u32,
}

impl EscalateIn {
    pub fn parse(self) -> Result<OrderStep, ApiError> {
        let reason = field_text("/reason", &self.reason, 2000)?;
        if !RESPONSE_DAYS.contains(&self.working_days) {
            let v = working_days_violation();
            return Err(ApiError::field("/working_days", v.code, v.message));
        }
        Ok(OrderStep::Escalate {
            reason,
            working_days: self.working_days,
        })
    }
}
