//! Comments on a consultation: given while it is open (by the server's clock), moderated
//! by its disclosure officers, shown to the public once approved.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::ids::{CommentId, ConsultationId};
use zhengwu_domain::participation::commands::{Moderation, NewComment};
use zhengwu_domain::participation::{self as rules, CommentState, OFFICERS};
use zhengwu_persistence::DbError;
use zhengwu_persistence::participation::{self as repo, Comment};

use super::consultation_for;
use super::view::comment_dto;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::routes::participation::dto::{CommentDto, CommentList};
use crate::state::AppState;

/// Comments on an open consultation (409 when it is not open); 201 with the comment as the
/// public would see it.
pub async fn add_comment(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    id: ConsultationId,
    cmd: NewComment,
) -> AppResult<Created> {
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (cons, state, ..) = consultation_for(c, actor, id, true).await?;
        rules::accepts_comments(state, cons.opens_at, cons.closes_at, now)
            .map_err(|v| ApiError::conflict(v.code, v.message))?;
        let contact = serde_json::to_value(&cmd.contact).map_err(|_| ApiError::internal())?;
        let row = Comment {
            id: CommentId::new().0,
            consultation_id: cons.id,
            author_id: actor.id,
            display_name: cmd.display_name.clone(),
            contact,
            text: cmd.text.clone(),
            state: CommentState::Pending.as_str().to_owned(),
            rejection_reason: None,
            adopted: None,
            adoption_note: None,
            submitted_at: now,
        };
        repo::insert_comment(c, &row).await?;
        idem.finish(c, &comment_dto(row, false), None).await
    })
    .await
}

/// The comments: approved ones for the public, all of them for its moderators.
pub async fn comments(app: &AppState, actor: &Actor, id: ConsultationId) -> AppResult<CommentList> {
    let mut conn = app.conn().await?;
    let (.., moderator) = consultation_for(&mut conn, actor, id, false).await?;
    let only = (!moderator).then_some(CommentState::Approved);
    let items = repo::comments_of(&mut conn, id, only)
        .await?
        .into_iter()
        .map(|c| comment_dto(c, moderator))
        .collect();
    Ok(CommentList { items })
}

/// The audit record of a moderation.
#[derive(Serialize)]
struct Moderated<'a> {
    comment: Uuid,
    state: &'a str,
}

/// Approves or rejects a comment (its consultation's moderators; 404 for others).
pub async fn moderate(
    app: &AppState,
    actor: &Actor,
    id: CommentId,
    cmd: Moderation,
) -> AppResult<CommentDto> {
    actor.require(OFFICERS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let mut comment = match repo::get_comment(c, id).await {
            Ok(x) => x,
            Err(DbError::NotFound) => return Err(ApiError::not_found("comment")),
            Err(e) => return Err(e.into()),
        };
        let cons_id = ConsultationId(comment.consultation_id);
        let (cons, _, org, moderator) = consultation_for(c, actor, cons_id, false).await?;
        if !moderator {
            return Err(ApiError::not_found("comment"));
        }
        let (state, reason) = match cmd {
            Moderation::Approve => (CommentState::Approved, None),
            Moderation::Reject { reason } => (CommentState::Rejected, Some(reason)),
        };
        comment.state = state.as_str().to_owned();
        comment.rejection_reason = reason;
        repo::save_comment(c, &comment).await?;
        let after = Moderated {
            comment: comment.id,
            state: &comment.state,
        };
        let (action, path) = ("consultation.moderate", Some(&org.path));
        audit
            .record(
                c,
                action,
                "consultation",
                cons.id,
                path,
                None::<&()>,
                Some(&after),
            )
            .await?;
        Ok(comment_dto(comment, true))
    })
    .await
}
