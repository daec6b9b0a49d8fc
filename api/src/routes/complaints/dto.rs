//! The bodies and answers of the complaint endpoints, and their parsing into commands.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::complaints::{ComplaintCategory, ComplaintKind, ComplaintState};
use zhengwu_domain::ids::{CaseId, OrganizationId, UserId, WindowId};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::complaints::Complaint;

use crate::app::complaints::{ComplaintView, Contact, NewComplaint};
use crate::error::{ApiError, AtField};
use crate::routes::participation::ContactIn;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "complaint", "category": "attitude",
    "organization_id": "01941f29-7c00-7001-8000-000000000005",
    "window_id": "01941f29-7c00-7003-8000-000000000001",
    "text": "11月3日上午在A01窗口办理业务，工作人员态度生硬，多次催促。",
    "contact": {"phone": "13812345678"}
}))]
pub struct ComplaintIn {
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    /// The organisation complained about (or the hall of the window).
    pub organization_id: Uuid,
    /// A window of a hall in that organisation's subtree.
    pub window_id: Option<Uuid>,
    /// A staff member of that organisation's subtree.
    pub staff_id: Option<Uuid>,
    /// A case of yours it concerns (signed-in applicants).
    pub case_id: Option<Uuid>,
    pub text: String,
    pub name: Option<String>,
    /// Required without an account; never public.
    pub contact: Option<ContactIn>,
}

impl ComplaintIn {
    /// The complaint, trimmed and checked; without an account a contact is required.
    pub fn parse(self, signed_in: bool) -> Result<NewComplaint, ApiError> {
        let mut e = Errors::new();
        let text = e.check("text", validation::text(&self.text, 5000));
        let name = e.check_opt("name", self.name.as_deref(), |n| validation::text(n, 50));
        let contact = match (signed_in, &self.contact) {
            (false, None) => {
                e.push(
                    "contact",
                    RuleViolation::new(
                        Code::FieldRequiredWhen,
                        "leave a phone number or e-mail for the reply (never public)",
                    ),
                );
                None
            }
            (_, Some(c)) => Some(Contact {
                phone: e.check_opt("contact/phone", c.phone.as_deref(), validation::phone),
                email: e.check_opt("contact/email", c.email.as_deref(), validation::email),
            }),
            _ => None,
        };
        e.finish()?;
        Ok(NewComplaint {
            kind: self.kind,
            category: self.category,
            organization: OrganizationId(self.organization_id),
            window: self.window_id.map(WindowId),
            staff: self.staff_id.map(UserId),
            case: self.case_id.map(CaseId),
            text: text.unwrap_or_default(),
            name,
            contact,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintDto {
    pub id: Uuid,
    /// TS + year + serial.
    #[schema(example = "TS2025-0001")]
    pub number: String,
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub text: String,
    pub received_on: NaiveDate,
    /// The decision to accept is due by this day.
    pub acceptance_due: NaiveDate,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub state: ComplaintState,
    pub decision_reason: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Handlers only.
    pub handler_id: Option<Uuid>,
    /// Handlers only.
    pub findings: Option<String>,
    /// Handlers only.
    pub referral_note: Option<String>,
    /// Handlers only.
    pub complainant_name: Option<String>,
    /// Handlers only.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<serde_json::Value>,
    /// Given once, at submission: with the number it opens the public progress lookup.
    pub query_code: Option<String>,
    pub version: i32,
}

impl From<ComplaintView> for ComplaintDto {
    fn from(v: ComplaintView) -> Self {
        let (c, handler) = (v.complaint, v.handler);
        ComplaintDto {
            id: c.id,
            number: c.number,
            kind: ComplaintKind::parse(&c.kind).unwrap_or(ComplaintKind::Complaint),
            category: ComplaintCategory::parse(&c.category).unwrap_or(ComplaintCategory::Other),
            organization_id: c.organization_id,
            window_id: c.window_id,
            staff_id: c.staff_id,
            case_id: c.case_id,
            text: c.text,
            received_on: c.received_on,
            acceptance_due: c.acceptance_due,
            years_without_calendar: v.years_without_calendar,
            state: ComplaintState::parse(&c.state).unwrap_or(ComplaintState::Submitted),
            decision_reason: c.decision_reason,
            reply: c.reply,
            replied_at: c.replied_at,
            closed_at: c.closed_at,
            handler_id: if handler { c.handler_id } else { None },
            findings: if handler { c.findings } else { None },
            referral_note: if handler { c.referral_note } else { None },
            complainant_name: if handler { c.complainant_name } else { None },
            contact: handler.then_some(c.contact),
            query_code: v.query_code,
            version: c.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintsQuery {
    pub org: Option<Uuid>,
    pub state: Option<ComplaintState>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintLookupQuery {
    /// The query code given at submission.
    #[param(example = "DEMO3004")]
    pub code: String,
}

/// A complaint's progress for the complainant without an account: no findings, no contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicComplaint {
    pub number: String,
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub state: ComplaintState,
    pub received_on: NaiveDate,
    pub acceptance_due: NaiveDate,
    /// Why it was not accepted, if so.
    pub decision_reason: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
}

impl From<Complaint> for PublicComplaint {
    fn from(k: Complaint) -> Self {
        PublicComplaint {
            number: k.number,
            kind: ComplaintKind::parse(&k.kind).unwrap_or(ComplaintKind::Complaint),
            category: ComplaintCategory::parse(&k.category).unwrap_or(ComplaintCategory::Other),
            state: ComplaintState::parse(&k.state).unwrap_or(ComplaintState::Submitted),
            received_on: k.received_on,
            acceptance_due: k.acceptance_due,
            decision_reason: k.decision_reason,
            reply: k.reply,
            replied_at: k.replied_at,
        }
    }
}

/// A step that takes an optional note: acceptance, closing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "经核实，属于本中心受理范围，予以受理。"}))]
pub struct ComplaintStepIn {
    /// An optional note.
    pub text: Option<String>,
}

/// The text a step needs: the reason of a refusal, the findings, the reply, what is referred.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "text": "经调取窗口录像核实，工作人员存在态度生硬问题，已批评教育。"
}))]
pub struct ComplaintTextIn {
    pub text: String,
}

fn step_text(t: &str) -> Result<String, ApiError> {
    validation::text(t, 5000).at("/text")
}

impl ComplaintStepIn {
    /// The note, trimmed and checked, if any.
    pub fn parse(self) -> Result<Option<String>, ApiError> {
        self.text.as_deref().map(step_text).transpose()
    }
}

impl ComplaintTextIn {
    /// The text, trimmed and checked.
    pub fn parse(self) -> Result<Option<String>, ApiError> {
        step_text(&self.text).map(Some)
    }
}
