//! Use cases of participation (政民互动): consultations and their moderated comments, and
//! the public's topic requests and messages to leaders, answered on the echo wall.

mod comments;
mod consultations;
mod messages;
mod view;

use zhengwu_domain::ids::ConsultationId;
use zhengwu_domain::participation::{ConsultationState, OFFICERS};
use zhengwu_persistence::participation::{self as repo, Consultation};
use zhengwu_persistence::{Conn, DbError, orgs};

pub use self::comments::{add_comment, comments, moderate};
pub use self::consultations::{
    close, create_consultation, get_consultation, list_consultations, open, publish_summary,
};
pub use self::messages::{
    answer_message, echo_wall, forward, list_messages, publish_message, submit_message,
};
use crate::app::{Actor, AppResult};
use crate::error::ApiError;

/// A consultation as the actor may see it, with whether the actor moderates it (a
/// disclosure officer whose scope holds its organisation). A draft is seen by its
/// moderators only (404 otherwise).
async fn consultation_for(
    conn: &mut Conn,
    actor: &Actor,
    id: ConsultationId,
    for_update: bool,
) -> AppResult<(Consultation, ConsultationState, orgs::Organization, bool)> {
    let c = match repo::get_consultation(conn, id, for_update).await {
        Ok(c) => c,
        Err(DbError::NotFound) => return Err(ApiError::not_found("consultation")),
        Err(e) => return Err(e.into()),
    };
    let state = ConsultationState::parse(&c.state).ok_or_else(ApiError::internal)?;
    let org = orgs::get(conn, c.organization_id).await?;
    let moderator = actor.has_role(OFFICERS) && actor.sees(&org.path);
    if state == ConsultationState::Draft && !moderator {
        return Err(ApiError::not_found("consultation"));
    }
    Ok((c, state, org, moderator))
}
