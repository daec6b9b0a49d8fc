//! Writing audit events from handlers.

use serde::Serialize;
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::Conn;
use zhengwu_persistence::audit::{self, Actor, NewEvent};

use crate::error::{ApiError, current_request_id};
use crate::state::AppState;

/// The JSON of an event's before or after. An event without the content it claims to
/// record is worse than none: content that cannot be serialised fails the change with it.
fn content<T: Serialize>(
    action: &str,
    side: &str,
    value: Option<&T>,
) -> Result<Option<serde_json::Value>, ApiError> {
    value.map(serde_json::to_value).transpose().map_err(|e| {
        log::error!("audit event {action}: cannot serialise its {side}: {e}");
        ApiError::internal()
    })
}

/// Who is acting and when; appends audit events inside the caller's transaction.
pub struct AuditCtx {
    pub actor: Actor,
    pub at: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    tz: &'static str,
}

impl AuditCtx {
    pub fn new(state: &AppState, actor: Actor) -> Self {
        Self {
            actor,
            at: state.clock.now(),
            today: state.today(),
            tz: state.config.timezone.name(),
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
        let before = content(action, "before", before)?;
        let after = content(action, "after", after)?;
        // The append holds the audit chain's lock until commit: the obligations of what
        // the transaction changed are settled first, outside it.
        crate::alerts::obligations::settle(conn, self.today, self.tz).await?;
        audit::append(
            conn,
            NewEvent {
                occurred_at: self.at,
                actor: self.actor.clone(),
                action: action.to_owned(),
                entity_type,
                entity_id: entity_id.to_string(),
                org_path: org_path.map(|p| p.as_str().to_owned()),
                before,
                after,
                request_id: current_request_id(),
            },
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn content_that_cannot_be_serialised_is_an_error_not_an_empty_event() {
        // A map with keys that are not strings has no JSON form.
        let odd: HashMap<(i32, i32), i32> = [((1, 2), 3)].into_iter().collect();
        let r = super::content("test.action", "after", Some(&odd));
        assert_eq!(r.err().map(|e| e.status.as_u16()), Some(500));
        let fine = super::content("test.action", "after", Some(&serde_json::json!({"a": 1})));
        assert_eq!(fine.ok().flatten(), Some(serde_json::json!({"a": 1})));
        assert_eq!(
            super::content::<()>("test.action", "before", None).ok(),
            Some(None)
        );
    }
}
