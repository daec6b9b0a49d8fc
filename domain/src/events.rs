//! Domain events: what integrations are told when something changes.
//!
//! Each event is written to the outbox in the transaction of the change it reports and
//! leaves as a CloudEvents 1.0 event (`type` is an [`EventType`] value, `subject` names the
//! object by its kind and id). Its `data` carries identifiers, states and dates — never a
//! person's name, number, telephone or address: a subscriber sees the event because the
//! object belongs to its organisation's subtree, which says nothing of the people in it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cases::{CaseState, Decision};
use crate::complaints::{ComplaintCategory, ComplaintKind, ComplaintState};
use crate::disclosure::ItemKind;
use crate::evaluation::RectificationState;
use crate::hotline::{TicketKind, TicketState};
use crate::labeled_enum;
use crate::requests::{ReplyType, RequestState};
use crate::supervision::{AlertLevel, AlertObject};

labeled_enum! {
    /// The type of a domain event, versioned: a change to an event's `data` that could
    /// break a reader comes as a new version of the type.
    pub enum EventType {
        CaseReceived = ("zhengwu.case.received.v1", "办件已收件"),
        CaseAccepted = ("zhengwu.case.accepted.v1", "办件已受理"),
        CaseRefused = ("zhengwu.case.refused.v1", "办件不予受理"),
        CaseSuspended = ("zhengwu.case.suspended.v1", "办件进入特别程序"),
        CaseResumed = ("zhengwu.case.resumed.v1", "办件特别程序结束"),
        CaseExtended = ("zhengwu.case.extended.v1", "办件已延期"),
        CaseDecided = ("zhengwu.case.decided.v1", "办件已办结"),
        CaseDelivered = ("zhengwu.case.delivered.v1", "办件结果已送达"),
        ApplicationReceived = ("zhengwu.application.received.v1", "依申请公开已收到申请"),
        ApplicationExtended = ("zhengwu.application.extended.v1", "依申请公开已延期答复"),
        ApplicationReplied = ("zhengwu.application.replied.v1", "依申请公开已答复"),
        ItemPublished = ("zhengwu.item.published.v1", "公开信息已发布"),
        ItemRevised = ("zhengwu.item.revised.v1", "公开信息已修订发布"),
        ItemWithdrawn = ("zhengwu.item.withdrawn.v1", "公开信息已撤回"),
        AlertLevelChanged = ("zhengwu.alert.level_changed.v1", "预警级别变化"),
        TicketDispatched = ("zhengwu.ticket.dispatched.v1", "12345工单已派单"),
        TicketReturned = ("zhengwu.ticket.returned.v1", "12345工单已退单"),
        TicketReplied = ("zhengwu.ticket.replied.v1", "12345工单已回复"),
        TicketReopened = ("zhengwu.ticket.reopened.v1", "12345工单重办"),
        ComplaintAccepted = ("zhengwu.complaint.accepted.v1", "投诉举报已受理"),
        ComplaintReplied = ("zhengwu.complaint.replied.v1", "投诉举报已答复"),
        RectificationOpened = ("zhengwu.rectification.opened.v1", "差评整改已开启"),
        RectificationClosed = ("zhengwu.rectification.closed.v1", "差评整改已办结"),
    }
}

labeled_enum! {
    /// Why a webhook subscription is off.
    pub enum WebhookDisabledReason {
        Owner = ("owner", "订阅方停用"),
        Gone = ("gone", "接收方答复 410 Gone"),
        Failures = ("failures", "连续推送失败"),
    }
}

labeled_enum! {
    /// What started a delivery attempt.
    pub enum AttemptTrigger {
        Scheduled = ("scheduled", "按计划推送"),
        Manual = ("manual", "手动重推"),
    }
}

impl EventType {
    /// The name of the schema of this type's `data`.
    pub fn data_schema(self) -> &'static str {
        use EventType::*;
        match self {
            CaseReceived | CaseAccepted | CaseRefused | CaseSuspended | CaseResumed
            | CaseExtended | CaseDecided | CaseDelivered => "CaseEventData",
            ApplicationReceived | ApplicationExtended | ApplicationReplied => {
                "ApplicationEventData"
            }
            ItemPublished | ItemRevised | ItemWithdrawn => "ItemEventData",
            AlertLevelChanged => "AlertEventData",
            TicketDispatched | TicketReturned | TicketReplied | TicketReopened => "TicketEventData",
            ComplaintAccepted | ComplaintReplied => "ComplaintEventData",
            RectificationOpened | RectificationClosed => "RectificationEventData",
        }
    }
}

/// The first wait before a failed delivery is tried again; it doubles with each failure.
pub const RETRY_BASE_SECONDS: i64 = 5;
/// The longest wait between two attempts of a delivery.
pub const RETRY_CAP_SECONDS: i64 = 3600;

/// The wait before the next attempt of a delivery that has failed `failed` times (1 after
/// the first failure): exponential, capped, scaled by `jitter` in `[0, 1)` to between half
/// and all of it, so that receivers coming back from an outage are not hit in step.
pub fn retry_delay(failed: i32, jitter: f64) -> chrono::Duration {
    let doublings = u32::try_from(failed.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let full = RETRY_BASE_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(RETRY_CAP_SECONDS);
    let scale = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
    chrono::Duration::milliseconds((full as f64 * 1000.0 * scale) as i64)
}

/// The `subject` of an event about an object: its collection in the API and its id.
pub fn subject(collection: &str, id: Uuid) -> String {
    format!("{collection}/{id}")
}

/// The collection of the object an alert is about: an alert's event has the object's
/// subject, beside the object's own events.
pub fn collection_of(kind: AlertObject) -> &'static str {
    match kind {
        AlertObject::Case | AlertObject::CaseStep | AlertObject::CaseDelivery => "cases",
        AlertObject::DisclosureRequest => "disclosure-requests",
        AlertObject::DisclosurePublication => "disclosures",
        AlertObject::PublicMessage => "public-messages",
        AlertObject::Rectification => "rectifications",
        AlertObject::SupervisionOrder => "supervision/orders",
        AlertObject::ComplaintAcceptance => "complaints",
        AlertObject::HotlineTicket => "hotline/tickets",
    }
}

/// The `data` of the `zhengwu.case.*` events: the case after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEventData {
    pub case_id: Uuid,
    /// The case number (办件编号).
    #[cfg_attr(feature = "openapi", schema(example = "370100-20261205-000123"))]
    pub number: String,
    /// The handling organisation.
    pub organization_id: Uuid,
    /// The service matter; absent for a project (一件事) of several sub-cases.
    pub matter_id: Option<Uuid>,
    /// The project this case is a sub-case of.
    pub project_id: Option<Uuid>,
    pub state: CaseState,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    /// The promised deadline (承诺办结时限) as it stands after the change.
    pub due_date: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    /// The decision, once decided.
    pub decision: Option<Decision>,
}

/// The `data` of the `zhengwu.application.*` events: the application for disclosure
/// (依申请公开) after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationEventData {
    pub application_id: Uuid,
    /// The application's number.
    pub number: String,
    /// The organisation that must reply.
    pub organization_id: Uuid,
    pub state: RequestState,
    /// The day the application counts as received (收到申请之日).
    pub received_on: NaiveDate,
    /// The statutory reply deadline after the change (20 working days, 40 when extended).
    pub due_date: Option<NaiveDate>,
    /// The type of the reply, once replied.
    pub reply_type: Option<ReplyType>,
}

/// The `data` of the `zhengwu.item.*` events: a disclosure item as published (or
/// withdrawn). Only published information is named here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemEventData {
    pub item_id: Uuid,
    pub organization_id: Uuid,
    pub kind: ItemKind,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "关于印发《济南市政务公开工作要点》的通知")
    )]
    pub title: String,
    /// The published version (版本), absent for a withdrawal.
    pub version: Option<i32>,
    /// The document number (文号).
    pub document_number: Option<String>,
    /// The index number (索引号).
    pub index_number: Option<String>,
}

/// The `data` of `zhengwu.alert.level_changed.v1`: a watched deadline changed its alert
/// level (none → yellow → red, or back to none when the object finished or its deadline
/// moved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEventData {
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    /// The procedure step, for a case step; 0 otherwise.
    pub stage: i32,
    /// The responsible organisation.
    pub organization_id: Uuid,
    /// The supervision rule (e.g. `JC-A01`).
    pub rule_id: String,
    pub from_level: Option<AlertLevel>,
    /// Absent when the alert is cleared.
    pub to_level: Option<AlertLevel>,
    pub due_date: NaiveDate,
    /// The day the level was computed for.
    pub as_of: NaiveDate,
}

/// The `data` of the `zhengwu.ticket.*` events: a 12345 hotline ticket after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEventData {
    pub ticket_id: Uuid,
    pub number: String,
    pub kind: TicketKind,
    pub state: TicketState,
    /// The organisation handling it now (the one dispatched to, or the hotline centre).
    pub organization_id: Uuid,
    pub due_date: Option<NaiveDate>,
}

/// The `data` of the `zhengwu.complaint.*` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintEventData {
    pub complaint_id: Uuid,
    pub number: String,
    pub kind: ComplaintKind,
    pub category: ComplaintCategory,
    pub state: ComplaintState,
    /// The organisation complained about.
    pub organization_id: Uuid,
}

/// The `data` of the `zhengwu.rectification.*` events: the rectification of a bad
/// evaluation (差评整改).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RectificationEventData {
    pub rectification_id: Uuid,
    pub evaluation_id: Uuid,
    pub organization_id: Uuid,
    pub state: RectificationState,
    pub due_date: Option<NaiveDate>,
}

/// The `data` of an event; which one is given by the event's `type`
/// ([`EventType::data_schema`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum EventData {
    Case(CaseEventData),
    Application(ApplicationEventData),
    Item(ItemEventData),
    Alert(AlertEventData),
    Ticket(TicketEventData),
    Complaint(ComplaintEventData),
    Rectification(RectificationEventData),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_a_cap() {
        let s = |failed, jitter| retry_delay(failed, jitter).num_seconds();
        assert_eq!((s(1, 1.0), s(2, 1.0), s(3, 1.0)), (5, 10, 20));
        assert_eq!(s(1, 0.0), 2);
        assert_eq!(s(30, 1.0), RETRY_CAP_SECONDS);
        assert_eq!(s(30, 0.0), RETRY_CAP_SECONDS / 2);
        assert_eq!(s(0, 1.0), 5);
    }

    #[test]
    fn types_are_versioned_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for t in EventType::ALL {
            let v = t.as_str();
            assert!(v.starts_with("zhengwu.") && v.ends_with(".v1"), "{v}");
            assert!(seen.insert(v), "{v} twice");
            assert_eq!(EventType::parse(v), Some(*t));
        }
    }
}
