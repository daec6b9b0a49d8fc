//! Consultations (征求意见): a draft put out for comment, opened, closed and summarised.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{ConsultationId, OrganizationId};
use zhengwu_domain::participation::commands::{Adoption, NewConsultation, Summary};
use zhengwu_domain::participation::{
    CONSULTATION_FLOW, CommentState, ConsultationAction, ConsultationFacts, ConsultationState,
    OFFICERS,
};
use zhengwu_persistence::participation::{self as repo, Consultation};
use zhengwu_persistence::{Conn, DbError, orgs};

use super::consultation_for;
use super::view::consultation_dto;
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::pagination::{Page, encode_cursor};
use crate::routes::participation::dto::ConsultationDto;
use crate::state::AppState;

/// The audit record of a new consultation.
#[derive(Serialize)]
struct Titled<'a> {
    title: &'a str,
}

/// The audit record of a consultation's state.
#[derive(Serialize)]
struct StateOf {
    state: ConsultationState,
}

/// Puts a draft out (disclosure officers of the organisation's scope); 201 with it.
pub async fn create_consultation(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewConsultation,
) -> AppResult<Created> {
    actor.require(OFFICERS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = organisation_in_scope(c, actor, cmd.organization_id).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let row = Consultation {
            id: ConsultationId::new().0,
            organization_id: org.id,
            title: cmd.title.clone(),
            draft_text: cmd.draft_text.clone(),
            opens_at: cmd.opens_at,
            closes_at: cmd.closes_at,
            state: ConsultationState::Draft.as_str().to_owned(),
            feedback_summary: None,
            summarized_at: None,
            created_by: actor.id.ok_or_else(ApiError::internal)?,
            version: 1,
            created_at: now,
        };
        repo::insert_consultation(c, &row).await?;
        let id = row.id;
        let d = consultation_dto(row, now)?;
        let after = Titled { title: &d.title };
        let path = Some(&org.path);
        let action = "consultation.create";
        audit
            .record(
                c,
                action,
                "consultation",
                id,
                path,
                None::<&()>,
                Some(&after),
            )
            .await?;
        idem.finish(c, &d, format!("/api/v1/consultations/{id}"))
            .await
    })
    .await
}

/// The organisation, if the actor's scope holds it (422 as for one that does not exist).
async fn organisation_in_scope(
    c: &mut Conn,
    actor: &Actor,
    id: OrganizationId,
) -> AppResult<orgs::Organization> {
    match orgs::get(c, id.0).await {
        Ok(o) if actor.sees(&o.path) => Ok(o),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation in your scope",
        )),
        Err(e) => Err(e.into()),
    }
}

/// A page of the consultations the public sees (not drafts), of one organisation if given.
pub async fn list_consultations(
    app: &AppState,
    org: Option<OrganizationId>,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Page<ConsultationDto>> {
    let mut conn = app.conn().await?;
    let draft = Some(ConsultationState::Draft);
    let rows = repo::list_consultations(&mut conn, draft, org, after, limit + 1).await?;
    let now = app.clock.now();
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for c in rows.into_iter().take(limit as usize) {
        items.push(consultation_dto(c, now)?);
    }
    let next_cursor = more
        .then(|| items.last().map(|c| encode_cursor(&c.id.to_string())))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// A consultation (a draft for its moderators only).
pub async fn get_consultation(
    app: &AppState,
    actor: &Actor,
    id: ConsultationId,
) -> AppResult<ConsultationDto> {
    let mut conn = app.conn().await?;
    let (c, ..) = consultation_for(&mut conn, actor, id, false).await?;
    consultation_dto(c, app.clock.now())
}

/// Opens a draft for comments.
pub async fn open(
    app: &AppState,
    actor: &Actor,
    id: ConsultationId,
    expect: &IfMatch,
) -> AppResult<ConsultationDto> {
    transition(app, actor, id, expect, ConsultationAction::Open, None).await
}

/// Closes a consultation.
pub async fn close(
    app: &AppState,
    actor: &Actor,
    id: ConsultationId,
    expect: &IfMatch,
) -> AppResult<ConsultationDto> {
    transition(app, actor, id, expect, ConsultationAction::Close, None).await
}

/// Publishes the feedback summary of a closed consultation, marking the adopted comments.
pub async fn publish_summary(
    app: &AppState,
    actor: &Actor,
    id: ConsultationId,
    expect: &IfMatch,
    cmd: Summary,
) -> AppResult<ConsultationDto> {
    let action = ConsultationAction::Summarize;
    transition(app, actor, id, expect, action, Some(cmd)).await
}

/// One transition of a consultation: its moderators only (404 for others), If-Match,
/// [`CONSULTATION_FLOW`] decides; the summary, when given, is kept with its adoptions.
async fn transition(
    app: &AppState,
    actor: &Actor,
    id: ConsultationId,
    expect: &IfMatch,
    action: ConsultationAction,
    summary: Option<Summary>,
) -> AppResult<ConsultationDto> {
    actor.require(CONSULTATION_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (cons, from, org, moderator) = consultation_for(c, actor, id, true).await?;
        if !moderator {
            return Err(ApiError::not_found("consultation"));
        }
        expect.check(cons.version)?;
        let facts = ConsultationFacts::at(cons.closes_at, now);
        let to = CONSULTATION_FLOW.decide(from, action, actor.role, &facts)?;
        let (text, at) = match summary {
            Some(s) => {
                adopt(c, id, &s.adoptions).await?;
                (Some(s.summary), Some(now))
            }
            None => (cons.feedback_summary, cons.summarized_at),
        };
        let saved = repo::save_consultation(c, id, to, text.as_deref(), at).await?;
        let (name, path) = (format!("consultation.{to}"), Some(&org.path));
        let (before, after) = (StateOf { state: from }, StateOf { state: to });
        let kind = "consultation";
        audit
            .record(c, &name, kind, id.0, path, Some(&before), Some(&after))
            .await?;
        consultation_dto(saved, now)
    })
    .await
}

/// Marks which approved comments of the consultation were adopted (422 for a comment that
/// is not one of them).
async fn adopt(c: &mut Conn, id: ConsultationId, adoptions: &[Adoption]) -> AppResult<()> {
    let approved = CommentState::Approved.as_str();
    for (i, a) in adoptions.iter().enumerate() {
        let mut comment = match repo::get_comment(c, a.comment_id).await {
            Ok(x) if x.consultation_id == id.0 && x.state == approved => x,
            _ => {
                return Err(ApiError::field(
                    &format!("/adoptions/{i}/comment_id"),
                    Code::ReferenceNotFound,
                    "no approved comment of this consultation",
                ));
            }
        };
        comment.adopted = Some(a.adopted);
        comment.adoption_note = a.note.clone();
        repo::save_comment(c, &comment).await?;
    }
    Ok(())
}
