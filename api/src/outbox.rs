//! Domain events: written to the outbox in the transaction of each change, read back as
//! CloudEvents 1.0 by the change feed and the webhook senders.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::events::{EventData, EventType, subject};
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::Conn;
use zhengwu_persistence::outbox::{self, Event, NewEvent};

use crate::error::ApiError;

/// A change to report: what happened to which object, whose it is.
pub struct Change<'a> {
    pub event: EventType,
    /// The object's collection in the API (`cases`, `disclosure-requests`, …).
    pub collection: &'static str,
    pub id: Uuid,
    /// The responsible organisation and its path (who may read the event).
    pub org: (Uuid, &'a OrgPath),
    /// The applicant whose object it is (who may read it too).
    pub owner: Option<Uuid>,
    pub data: EventData,
}

impl Change<'_> {
    /// The outbox row of the change made at `at`.
    pub fn into_event(self, at: DateTime<Utc>) -> Result<NewEvent, serde_json::Error> {
        Ok(NewEvent {
            id: Uuid::now_v7(),
            event_type: self.event.as_str(),
            subject: subject(self.collection, self.id),
            organization_id: self.org.0,
            org_path: self.org.1.as_str().to_owned(),
            owner_id: self.owner,
            occurred_at: at,
            data: serde_json::to_value(&self.data)?,
        })
    }
}

/// Writes the event of a change in the caller's transaction, which holds the object's lock.
pub async fn emit(conn: &mut Conn, at: DateTime<Utc>, c: Change<'_>) -> Result<(), ApiError> {
    let event = c.event;
    let row = c.into_event(at).map_err(|e| {
        log::error!("event {event}: cannot serialise its data: {e}");
        ApiError::internal()
    })?;
    outbox::append(conn, row).await?;
    Ok(())
}

/// An event in the JSON format of CloudEvents 1.0 (structured mode).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "specversion": "1.0",
    "id": "01941f29-7c00-7001-8000-0000000000e1",
    "source": "/api/v1/organizations/01941f29-7c00-7001-8000-000000000001",
    "type": "zhengwu.case.accepted.v1",
    "subject": "cases/01941f29-7c00-7001-8000-0000000000c1",
    "time": "2026-12-04T02:15:00Z",
    "datacontenttype": "application/json",
    "data": {
        "case_id": "01941f29-7c00-7001-8000-0000000000c1",
        "number": "370100-20261204-000001",
        "organization_id": "01941f29-7c00-7001-8000-000000000001",
        "matter_id": "01941f29-7c00-7001-8000-0000000000a1",
        "project_id": null,
        "state": "accepted",
        "received_on": "2026-12-04",
        "accepted_on": "2026-12-04",
        "due_date": "2026-12-18",
        "decided_on": null,
        "decision": null
    }
}))]
pub struct CloudEvent {
    /// Always `1.0`.
    #[schema(example = "1.0")]
    pub specversion: &'static str,
    /// The event's id: the same in the feed and in every delivery of it (`webhook-id`).
    pub id: Uuid,
    /// The organisation the object belongs to.
    #[schema(example = "/api/v1/organizations/01941f29-7c00-7001-8000-000000000001")]
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The object: its collection in this API and its id.
    #[schema(example = "cases/01941f29-7c00-7001-8000-0000000000c1")]
    pub subject: String,
    /// When the change was made.
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    #[schema(example = "application/json")]
    pub datacontenttype: &'static str,
    /// The object after the change; its schema is given by `type` (`*.case.*` →
    /// `CaseEventData`, `*.application.*` → `ApplicationEventData`, `*.item.*` →
    /// `ItemEventData`, `*.alert.*` → `AlertEventData`, `*.ticket.*` → `TicketEventData`,
    /// `*.complaint.*` → `ComplaintEventData`, `*.rectification.*` →
    /// `RectificationEventData`).
    #[schema(value_type = EventData)]
    pub data: serde_json::Value,
}

impl CloudEvent {
    /// The CloudEvent of a stored event.
    pub fn of(e: Event) -> Result<Self, ApiError> {
        let event_type = EventType::parse(&e.event_type).ok_or_else(|| {
            log::error!(
                "outbox event {} has an unknown type {:?}",
                e.id,
                e.event_type
            );
            ApiError::internal()
        })?;
        Ok(Self {
            specversion: "1.0",
            id: e.id,
            source: format!("/api/v1/organizations/{}", e.organization_id),
            event_type,
            subject: e.subject,
            time: e.occurred_at,
            datacontenttype: "application/json",
            data: e.data,
        })
    }
}
