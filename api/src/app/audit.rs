//! Reading and verifying the audit log: system administrators everywhere, supervisors
//! within their scope.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_persistence::audit::{self, Checkpoint, EventRow, HeldCheckpoint, Verification};

use crate::app::{Actor, AppResult, ParseOn, Scope};
use crate::error::ApiError;
use crate::state::AppState;

/// Who reads the audit log.
const AUDITORS: &[Role] = &[Role::SysAdmin, Role::Supervisor];

/// What an audit listing asks for.
pub struct EventList {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Events older than this one (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Events of the entities inside the actor's scope, newest first.
pub async fn events(app: &AppState, actor: &Actor, q: EventList) -> AppResult<Vec<EventRow>> {
    actor.require(AUDITORS)?;
    let within = match actor.scope() {
        Scope::Nothing => return Err(ApiError::forbidden("no organisation scope")),
        scope => scope,
    };
    let mut conn = app.conn().await?;
    let filter = audit::Filter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor_id: q.actor,
        within,
        from: q.from,
        to: q.to,
        before_id: q.before,
        limit: q.limit,
    };
    Ok(audit::list(&mut conn, &filter).await?)
}

/// Checks the whole chain and its checkpoints, and a checkpoint held outside when given.
pub async fn verify(
    app: &AppState,
    actor: &Actor,
    held: impl ParseOn<Option<HeldCheckpoint>>,
) -> AppResult<Verification> {
    actor.require(AUDITORS)?;
    let held = held.parse_on(app.today())?;
    let mut conn = app.conn().await?;
    let key = app.checkpoint_key.as_ref();
    Ok(audit::verify(&mut conn, key, held.as_ref()).await?)
}

/// The signed checkpoints, oldest first.
pub async fn checkpoints(
    app: &AppState,
    actor: &Actor,
    after: Option<i64>,
    limit: i64,
) -> AppResult<Vec<Checkpoint>> {
    actor.require(AUDITORS)?;
    let mut conn = app.conn().await?;
    Ok(audit::checkpoints(&mut conn, after, limit).await?)
}
