//! The public's topic requests (点题公开) and messages to leaders (领导信箱): received by a
//! disclosure office, forwarded with a feedback deadline, answered, and published on the
//! echo wall (回音壁).

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{MessageId, OrganizationId};
use zhengwu_domain::participation::commands::{Answer, Forward, NewMessage};
use zhengwu_domain::participation::{
    ANSWERERS, AnswerKind, MESSAGE_FLOW, MessageAction, MessageKind, MessageState,
};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::participation::{self as repo, Message};
use zhengwu_persistence::{Conn, DbError, Found, disclosure, orgs};

use super::view::{masked, message_dto};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::pagination::{Page, encode_cursor};
use crate::routes::participation::dto::{EchoEntry, MessageDto};
use crate::state::AppState;

/// Receives a topic request or a message to a leader; 201 with it.
pub async fn submit_message(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewMessage,
) -> AppResult<Created> {
    let now = app.clock.now();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        existing_organisation(c, cmd.organization_id).await?;
        let m = Message {
            id: MessageId::new().0,
            kind: cmd.kind.as_str().to_owned(),
            organization_id: cmd.organization_id.0,
            submitter_id: actor.id,
            submitter_name: cmd.name.clone(),
            contact: serde_json::to_value(&cmd.contact).map_err(|_| ApiError::internal())?,
            subject: cmd.subject.clone(),
            text: cmd.text.clone(),
            state: MessageState::Submitted.as_str().to_owned(),
            submitted_at: now,
            forwarded_to: None,
            forwarded_at: None,
            feedback_due: None,
            answer_kind: None,
            answer: None,
            disclosure_id: None,
            answered_at: None,
            published_at: None,
            version: 1,
        };
        repo::insert_message(c, &m).await?;
        idem.finish(c, &message_dto(m, false, Vec::new()), None)
            .await
    })
    .await
}

/// 422 at `/organization_id` unless the organisation exists.
async fn existing_organisation(c: &mut Conn, id: OrganizationId) -> AppResult<()> {
    match orgs::get(c, id.0).await.found()? {
        Some(_) => Ok(()),
        None => Err(ApiError::field(
            "/organization_id",
            Code::ReferenceNotFound,
            "no such organisation",
        )),
    }
}

/// A page of the messages received by, or forwarded to, the organisations of the actor's
/// scope.
pub async fn list_messages(
    app: &AppState,
    actor: &Actor,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Page<MessageDto>> {
    actor.require(ANSWERERS)?;
    let mut conn = app.conn().await?;
    let rows = repo::messages_for(&mut conn, &actor.scope(), after, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(Page::from_rows(
        rows,
        limit,
        |m| m.id.to_string(),
        |m| {
            let y = years.remove(&m.id).unwrap_or_default();
            message_dto(m, true, y)
        },
    ))
}

/// Forwards a message to the department that answers, with a feedback deadline.
pub async fn forward(
    app: &AppState,
    actor: &Actor,
    id: MessageId,
    expect: &IfMatch,
    cmd: Forward,
) -> AppResult<MessageDto> {
    transition(app, actor, id, expect, Effect::Forward(cmd)).await
}

/// Answers a forwarded message (the department it was forwarded to).
pub async fn answer_message(
    app: &AppState,
    actor: &Actor,
    id: MessageId,
    expect: &IfMatch,
    cmd: Answer,
) -> AppResult<MessageDto> {
    transition(app, actor, id, expect, Effect::Answer(cmd)).await
}

/// Publishes the answer on the echo wall.
pub async fn publish_message(
    app: &AppState,
    actor: &Actor,
    id: MessageId,
    expect: &IfMatch,
) -> AppResult<MessageDto> {
    transition(app, actor, id, expect, Effect::Publish).await
}

/// What an action does besides moving the state.
enum Effect {
    Forward(Forward),
    Answer(Answer),
    Publish,
}

impl Effect {
    fn action(&self) -> MessageAction {
        match self {
            Effect::Forward(_) => MessageAction::Forward,
            Effect::Answer(_) => MessageAction::Answer,
            Effect::Publish => MessageAction::Publish,
        }
    }
}

/// The audit record of a message's state.
#[derive(Serialize)]
struct StateOf {
    state: MessageState,
}

/// One transition of a message: the acting office must be in the actor's scope (the
/// receiving office forwards and publishes, the forwarded department answers; 404
/// otherwise), If-Match, [`MESSAGE_FLOW`] decides, the effect is applied, saved, audited.
async fn transition(
    app: &AppState,
    actor: &Actor,
    id: MessageId,
    expect: &IfMatch,
    effect: Effect,
) -> AppResult<MessageDto> {
    let action = effect.action();
    actor.require(MESSAGE_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let mut m = match repo::get_message(c, id, true).await {
            Ok(m) => m,
            Err(DbError::NotFound) => return Err(ApiError::not_found("message")),
            Err(e) => return Err(e.into()),
        };
        let acting_org = match action {
            MessageAction::Answer => m.forwarded_to.unwrap_or(m.organization_id),
            _ => m.organization_id,
        };
        let org = orgs::get(c, acting_org).await?;
        if !actor.sees(&org.path) {
            return Err(ApiError::not_found("message"));
        }
        expect.check(m.version)?;
        let from = MessageState::parse(&m.state).ok_or_else(ApiError::internal)?;
        let next = MESSAGE_FLOW.decide(from, action, actor.role, &())?;
        apply(app, c, &mut m, effect).await?;
        m.state = next.as_str().to_owned();
        let saved = repo::save_message(c, &m).await?;
        let (name, path) = (format!("public_message.{action}"), Some(&org.path));
        let (before, after) = (StateOf { state: from }, StateOf { state: next });
        let kind = "public_message";
        audit
            .record(c, &name, kind, id.0, path, Some(&before), Some(&after))
            .await?;
        let years = crate::deadlines::flags_of(c, saved.id).await?;
        Ok(message_dto(saved, true, years))
    })
    .await
}

async fn apply(app: &AppState, c: &mut Conn, m: &mut Message, effect: Effect) -> AppResult<()> {
    let now = app.clock.now();
    match effect {
        Effect::Forward(f) => {
            existing_organisation(c, f.organization_id).await?;
            m.forwarded_to = Some(f.organization_id.0);
            m.forwarded_at = Some(now);
            let target = Target::of(StoredDeadline::MessageFeedback, m.id);
            let basis = DeadlineBasis::after(app.today(), f.working_days);
            m.feedback_due = Some(crate::deadlines::count(c, target, basis).await?.due_date);
        }
        Effect::Answer(x) => {
            if x.needs_item() && !item_published(c, &x).await? {
                return Err(ApiError::field(
                    "/disclosure_id",
                    Code::ReferenceNotFound,
                    "a disclosed answer links the published item",
                ));
            }
            m.answer_kind = Some(x.answer_kind.as_str().to_owned());
            m.answer = Some(x.answer);
            m.disclosure_id = x.disclosure_id.map(|d| d.0);
            m.answered_at = Some(now);
        }
        Effect::Publish => m.published_at = Some(now),
    }
    Ok(())
}

/// Whether the answer links a published disclosure item.
async fn item_published(c: &mut Conn, x: &Answer) -> AppResult<bool> {
    match x.disclosure_id {
        Some(d) => Ok(
            disclosure::current_version(c, zhengwu_domain::ids::DisclosureItemId(d.0))
                .await?
                .is_some(),
        ),
        None => Ok(false),
    }
}

/// A page of the echo wall: published answers, newest first, after the message `cursor`
/// (422 for a cursor that names no message).
pub async fn echo_wall(
    app: &AppState,
    cursor: Option<Uuid>,
    limit: i64,
) -> AppResult<Page<EchoEntry>> {
    let mut conn = app.read_conn().await?;
    let before = match cursor {
        None => None,
        Some(raw) => {
            let m = repo::get_message(&mut conn, MessageId(raw), false)
                .await
                .map_err(|_| ApiError::field("?cursor", Code::CursorInvalid, "unknown cursor"))?;
            m.published_at.map(|at| (at, m.id))
        }
    };
    let published = MessageState::Published;
    let rows = repo::echo_wall(&mut conn, published, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for m in rows.into_iter().take(limit as usize) {
        items.push(echo_entry(app, &mut conn, m).await?);
    }
    let next_cursor = more
        .then(|| items.last().map(|e| encode_cursor(&e.id.to_string())))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// A published answer as the public sees it: no submitter, personal data masked.
async fn echo_entry(app: &AppState, c: &mut Conn, m: Message) -> AppResult<EchoEntry> {
    let answered_by = match m.forwarded_to {
        Some(o) => orgs::get(c, o).await.found()?.map(|o| o.name),
        None => None,
    };
    let submitted: DateTime<Utc> = m.submitted_at;
    Ok(EchoEntry {
        id: m.id,
        kind: MessageKind::parse(&m.kind).unwrap_or(MessageKind::TopicRequest),
        subject: masked(&m.subject),
        question: masked(&m.text),
        answer_kind: m.answer_kind.as_deref().and_then(AnswerKind::parse),
        answer: m.answer.as_deref().map(masked),
        disclosure_id: m.disclosure_id,
        answered_by,
        submitted_on: submitted.with_timezone(&app.config.timezone).date_naive(),
        published_at: m.published_at,
    })
}
