//! Writing audit events from handlers.

use serde::Serialize;
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::Conn;
use zhengwu_persistence::audit::{self, Actor, NewEvent};

use crate::error::{ApiError, current_request_id};
use crate::state::AppState;

/// Who is acting and when; appends audit events inside the caller's transaction.
pub struct AuditCtx {
    pub actor: Actor,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl AuditCtx {
    pub fn new(state: &AppState, actor: Actor) -> Self {
        Self {
            actor,
            at: state.clock.now(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record<B: Serialize, A: Serialize>(
        &self,
        conn: &mut Conn,
        action: &str,
        entity_type: &'static str,
        entity_id: impl ToString,
        org_path: Option<&OrgPath>,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<(), ApiError> {
        audit::append(
            conn,
            NewEvent {
                occurred_at: self.at,
                actor: self.actor,
                action: action.to_owned(),
                entity_type,
                entity_id: entity_id.to_string(),
                org_path: org_path.map(|p| p.as_str().to_owned()),
                before: before.and_then(|b| serde_json::to_value(b).ok()),
                after: after.and_then(|a| serde_json::to_value(a).ok()),
                request_id: current_request_id(),
            },
        )
        .await?;
        Ok(())
    }
}
