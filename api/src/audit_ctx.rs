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

/// The audit chain of the current request: a hash of its id, else of the actor's id, else
/// chain 0. Every event of one request (of every `AuditCtx` made while serving it) goes to
/// the same chain, since a transaction must not lock two chains (see
/// `zhengwu_persistence::audit::NewEvent::chain`); concurrent requests spread over the
/// chains and do not wait for each other's append.
fn chain_of(request_id: Option<&str>, actor: &Actor) -> i16 {
    match (request_id, actor.id) {
        (Some(r), _) => audit::chain_for(r.as_bytes()),
        (None, Some(id)) => audit::chain_for(id.as_bytes()),
        (None, None) => 0,
    }
}

/// Who is acting and when; appends audit events inside the caller's transaction.
pub struct AuditCtx {
    pub actor: Actor,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The audit chain its events go to, picked once (see [`chain_of`]).
    chain: i16,
}

impl AuditCtx {
    pub fn new(state: &AppState, actor: Actor) -> Self {
        Self {
            chain: chain_of(current_request_id().as_deref(), &actor),
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
        let before = content(action, "before", before)?;
        let after = content(action, "after", after)?;
        audit::append(
            conn,
            NewEvent {
                chain: self.chain,
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

    use zhengwu_persistence::audit::{AUDIT_CHAINS, Actor, chain_for};

    #[test]
    fn a_request_has_one_chain_whoever_acts() {
        let as_user = |id| Actor {
            id: Some(id),
            kind: zhengwu_domain::account::ActorKind::User,
            ..Actor::system()
        };
        let user = as_user(uuid::Uuid::now_v7());
        let other = as_user(uuid::Uuid::now_v7());
        let by_request = super::chain_of(Some("req-1"), &user);
        assert_eq!(by_request, chain_for(b"req-1"));
        assert_eq!(super::chain_of(Some("req-1"), &other), by_request);
        assert_eq!(super::chain_of(Some("req-1"), &Actor::system()), by_request);
        // Outside a request: the actor's, else chain 0.
        let id = user.id.unwrap_or_default();
        assert_eq!(super::chain_of(None, &user), chain_for(id.as_bytes()));
        assert_eq!(super::chain_of(None, &Actor::system()), 0);
        assert!((0..AUDIT_CHAINS).contains(&super::chain_of(None, &user)));
    }

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
