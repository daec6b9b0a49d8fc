//! The payloads of a case's trail and of its audit events.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::cases::{CaseChannel, CaseState, Decision, MissingMaterial, SpecialProcedure};

use super::AppResult;
use crate::error::ApiError;

/// What an event of the trail records beside its action and note.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(super) enum EventData {
    Applied {
        channel: CaseChannel,
    },
    ProjectApplied {
        parallel: usize,
    },
    SubCaseApplied {
        project: Uuid,
    },
    AcceptedOnReceipt {
        accepted_on: NaiveDate,
        notice_on: Option<NaiveDate>,
        counted_from_receipt: bool,
    },
    Notified {
        items: Vec<MissingMaterial>,
        working_days_after_receipt: u32,
        late: bool,
    },
    Assigned {
        assignee_id: Uuid,
    },
    Step {
        step: String,
        seq: i32,
    },
    Suspended {
        procedure: SpecialProcedure,
        expected_end: Option<NaiveDate>,
    },
    Extended {
        working_days: u32,
    },
    Decided {
        decision: Decision,
        result_number: Option<String>,
    },
    Delivered {
        method: String,
        delivered_on: NaiveDate,
        delivery_due: Option<NaiveDate>,
        late: bool,
    },
    Charged {
        items: usize,
        anomalies: Vec<FlaggedFee>,
    },
    Concluded {
        decision: Decision,
    },
    Nothing {},
}

impl EventData {
    pub(super) fn value(&self) -> AppResult<serde_json::Value> {
        serde_json::to_value(self).map_err(|e| {
            log::error!("cannot serialise a case event: {e}");
            ApiError::internal()
        })
    }
}

/// A fee outside the matter's list or above its standard.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FlaggedFee {
    pub item: String,
    pub anomaly: &'static str,
}

/// The audit record of an application.
#[derive(Debug, Clone, Serialize)]
pub(super) struct AppliedAudit<'a> {
    pub number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_cases: Option<usize>,
}

/// A case before an action.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Before {
    pub state: CaseState,
    pub due_date: Option<NaiveDate>,
}

/// A case after an action, with what the action recorded.
#[derive(Debug, Clone, Serialize)]
pub(super) struct After<'a> {
    pub state: CaseState,
    pub due_date: Option<NaiveDate>,
    pub note: Option<&'a str>,
    pub data: &'a EventData,
}
