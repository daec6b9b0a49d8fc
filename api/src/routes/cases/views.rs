//! The representations the case endpoints answer with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
use zhengwu_domain::cases::{CaseState, Decision, delivered_late};
use zhengwu_domain::services::CaseKind;
use zhengwu_persistence::cases::{Case, Event};

use crate::app::cases::{Applied, CaseView, ClockView, PublicView, TimelineView};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockDto {
    pub accepted_on: Option<NaiveDate>,
    /// `None` before acceptance and while a special procedure runs.
    pub due_date: Option<NaiveDate>,
    pub limit_working_days: u32,
    pub extension_working_days: u32,
    pub working_days_used: u32,
    pub working_days_paused: u32,
    /// Negative when overdue.
    pub working_days_left: Option<i64>,
    pub paused: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    #[schema(example = "3701022026112200017")]
    pub number: String,
    pub parent_id: Option<Uuid>,
    pub matter_id: Option<Uuid>,
    pub matter_version: Option<i32>,
    pub matter_name: Option<String>,
    pub organization_id: Uuid,
    pub window_id: Option<Uuid>,
    pub applicant_id: Option<Uuid>,
    pub applicant_name: String,
    pub applicant_type: ApplicantType,
    pub applicant_phone: Option<String>,
    pub project_name: Option<String>,
    pub channel: String,
    pub materials: Vec<MaterialOut>,
    pub state: CaseState,
    pub case_kind: CaseKind,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub submission_round: i32,
    pub clock: ClockDto,
    pub refusal_reason: Option<String>,
    pub extension_reason: Option<String>,
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub result_number: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// The last day to deliver the decision: 10 working days after it (AL Art.44).
    pub delivery_due: Option<NaiveDate>,
    /// The day the decision was delivered.
    pub delivered_on: Option<NaiveDate>,
    /// Delivered after `delivery_due`.
    pub delivered_late: bool,
    /// Years without a loaded holiday schedule that its stored deadlines were counted across
    /// (weekends only there); loading such a year counts them again. Empty when every
    /// schedule was loaded.
    pub years_without_calendar: Vec<i32>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub delivery_method: Option<String>,
    pub assignee_id: Option<Uuid>,
    pub first_contact_id: Option<Uuid>,
    pub green_channel: bool,
    /// A fee outside the list or above its standard was charged.
    pub fee_anomaly: bool,
    /// Sub-cases of a parallel-approval project.
    pub sub_cases: Vec<SubCase>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaterialOut {
    pub name: String,
    pub copies: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubCase {
    pub id: Uuid,
    pub number: String,
    pub organization_id: Uuid,
    pub state: CaseState,
    pub due_date: Option<NaiveDate>,
}

/// The answer to an application: the case, and its query password shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedCase {
    #[serde(flatten)]
    pub case: CaseDto,
    /// For the public progress lookup; not stored in readable form.
    #[schema(example = "7K4Q9X2M")]
    pub query_password: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseTimelineEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Timeline {
    pub case_id: Uuid,
    pub number: String,
    pub state: CaseState,
    pub clock: ClockDto,
    pub entries: Vec<CaseTimelineEntry>,
}

/// What the public sees of a case: no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCase {
    pub number: String,
    pub matter_name: Option<String>,
    pub state: CaseState,
    /// The last step recorded, or the state's label.
    pub current_step: String,
    pub received_on: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub decided_on: Option<NaiveDate>,
}

// ------------------------------------------------------------------ from the use cases

impl From<ClockView> for ClockDto {
    fn from(c: ClockView) -> Self {
        ClockDto {
            accepted_on: c.accepted_on,
            due_date: c.due_date,
            limit_working_days: c.limit_working_days,
            extension_working_days: c.extension_working_days,
            working_days_used: c.working_days_used,
            working_days_paused: c.working_days_paused,
            working_days_left: c.working_days_left,
            paused: c.paused,
        }
    }
}

impl From<Case> for SubCase {
    fn from(s: Case) -> Self {
        SubCase {
            id: s.id.0,
            number: s.number,
            organization_id: s.organization_id,
            state: s.state,
            due_date: s.due_date,
        }
    }
}

impl From<CaseView> for CaseDto {
    fn from(v: CaseView) -> Self {
        let (c, o) = (v.case, v.outcome);
        CaseDto {
            id: c.id.0,
            number: c.number,
            parent_id: c.parent_id.map(|p| p.0),
            matter_id: c.matter_id,
            matter_version: c.matter_version,
            matter_name: v.matter_name,
            organization_id: c.organization_id,
            window_id: c.window_id,
            applicant_id: c.applicant_id,
            applicant_name: c.applicant_name,
            applicant_type: c.applicant_type,
            applicant_phone: c.applicant_phone,
            project_name: c.project_name,
            channel: c.channel,
            materials: c
                .submitted_materials
                .into_iter()
                .map(|m| MaterialOut {
                    name: m.name,
                    copies: m.copies,
                })
                .collect(),
            state: c.state,
            case_kind: c.case_kind,
            statutory_days: c.statutory_days,
            promised_days: c.promised_days,
            received_at: c.received_at,
            received_on: c.received_on,
            submission_round: c.submission_round,
            clock: v.clock.into(),
            refusal_reason: o.refusal_reason,
            extension_reason: o.extension_reason,
            decision: v.decision,
            decision_reason: o.decision_reason,
            result_number: o.result_number,
            decided_on: c.decided_on,
            delivery_due: o.delivery_due,
            delivered_on: o.delivered_on,
            delivered_late: delivered_late(o.delivery_due, o.delivered_on),
            years_without_calendar: v.years_without_calendar,
            delivered_at: o.delivered_at,
            delivery_method: o.delivery_method,
            assignee_id: c.assignee_id,
            first_contact_id: c.first_contact_id,
            green_channel: c.green_channel,
            fee_anomaly: v.fee_anomaly,
            sub_cases: v.sub_cases.into_iter().map(SubCase::from).collect(),
            version: c.version,
        }
    }
}

impl From<Applied> for CreatedCase {
    fn from(a: Applied) -> Self {
        CreatedCase {
            case: a.view.into(),
            query_password: a.query_password,
        }
    }
}

impl From<Event> for CaseTimelineEntry {
    fn from(e: Event) -> Self {
        CaseTimelineEntry {
            at: e.at,
            action: e.action,
            actor_id: e.actor_id,
            note: e.note,
            data: e.data,
        }
    }
}

impl From<TimelineView> for Timeline {
    fn from(t: TimelineView) -> Self {
        Timeline {
            case_id: t.case.id.0,
            number: t.case.number,
            state: t.case.state,
            clock: t.clock.into(),
            entries: t.entries.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<PublicView> for PublicCase {
    fn from(p: PublicView) -> Self {
        PublicCase {
            number: p.number,
            matter_name: p.matter_name,
            state: p.state,
            current_step: p.current_step,
            received_on: p.received_on,
            due_date: p.due_date,
            decision: p.decision,
            decided_on: p.decided_on,
        }
    }
}
