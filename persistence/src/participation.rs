//! Consultations, their comments, and the public's messages (topic requests, leader mailbox).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;
use zhengwu_domain::ids::{CommentId, ConsultationId, MessageId, OrganizationId};
use zhengwu_domain::participation::{CommentState, ConsultationState, MessageState};

use crate::db::{Conn, DbError};
use crate::schema::{consultation_comments, consultations, public_messages};
use crate::scope::{Scope, path_pattern};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: String,
    pub feedback_summary: Option<String>,
    pub summarized_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_consultation(conn: &mut Conn, c: &Consultation) -> Result<(), DbError> {
    diesel::insert_into(consultations::table)
        .values(c)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_consultation(
    conn: &mut Conn,
    id: ConsultationId,
    for_update: bool,
) -> Result<Consultation, DbError> {
    let q = consultations::table
        .find(id.0)
        .select(Consultation::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

pub async fn save_consultation(
    conn: &mut Conn,
    id: ConsultationId,
    state: ConsultationState,
    summary: Option<&str>,
    summarized_at: Option<DateTime<Utc>>,
) -> Result<Consultation, DbError> {
    Ok(diesel::update(consultations::table.find(id.0))
        .set((
            consultations::state.eq(state.as_str()),
            consultations::feedback_summary.eq(summary),
            consultations::summarized_at.eq(summarized_at),
            consultations::version.eq(consultations::version + 1),
        ))
        .returning(Consultation::as_returning())
        .get_result(conn)
        .await?)
}

/// Consultations (of one organisation when given) not in the state `hidden`, by id.
pub async fn list_consultations(
    conn: &mut Conn,
    hidden: Option<ConsultationState>,
    organization_id: Option<OrganizationId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Consultation>, DbError> {
    let mut q = consultations::table
        .select(Consultation::as_select())
        .order(consultations::id)
        .limit(limit)
        .into_boxed();
    if let Some(h) = hidden {
        q = q.filter(consultations::state.ne(h.as_str()));
    }
    if let Some(o) = organization_id {
        q = q.filter(consultations::organization_id.eq(o.0));
    }
    if let Some(a) = after {
        q = q.filter(consultations::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_comments)]
pub struct Comment {
    pub id: Uuid,
    pub consultation_id: Uuid,
    pub author_id: Option<Uuid>,
    pub display_name: Option<String>,
    pub contact: Value,
    pub text: String,
    pub state: String,
    pub rejection_reason: Option<String>,
    pub adopted: Option<bool>,
    pub adoption_note: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

pub async fn insert_comment(conn: &mut Conn, c: &Comment) -> Result<(), DbError> {
    diesel::insert_into(consultation_comments::table)
        .values(c)
        .execute(conn)
        .await?;
    Ok(())
}

/// The comments of a consultation (only those in the state `only` when given).
pub async fn comments_of(
    conn: &mut Conn,
    consultation_id: ConsultationId,
    only: Option<CommentState>,
) -> Result<Vec<Comment>, DbError> {
    let mut q = consultation_comments::table
        .filter(consultation_comments::consultation_id.eq(consultation_id.0))
        .select(Comment::as_select())
        .order(consultation_comments::submitted_at)
        .into_boxed();
    if let Some(state) = only {
        q = q.filter(consultation_comments::state.eq(state.as_str()));
    }
    Ok(q.load(conn).await?)
}

pub async fn get_comment(conn: &mut Conn, id: CommentId) -> Result<Comment, DbError> {
    Ok(consultation_comments::table
        .find(id.0)
        .select(Comment::as_select())
        .for_update()
        .first(conn)
        .await?)
}

pub async fn save_comment(conn: &mut Conn, c: &Comment) -> Result<(), DbError> {
    diesel::update(consultation_comments::table.find(c.id))
        .set((
            consultation_comments::state.eq(&c.state),
            consultation_comments::rejection_reason.eq(&c.rejection_reason),
            consultation_comments::adopted.eq(c.adopted),
            consultation_comments::adoption_note.eq(&c.adoption_note),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = public_messages)]
pub struct Message {
    pub id: Uuid,
    pub kind: String,
    pub organization_id: Uuid,
    pub submitter_id: Option<Uuid>,
    pub submitter_name: Option<String>,
    pub contact: Value,
    pub subject: String,
    pub text: String,
    pub state: String,
    pub submitted_at: DateTime<Utc>,
    pub forwarded_to: Option<Uuid>,
    pub forwarded_at: Option<DateTime<Utc>>,
    pub feedback_due: Option<NaiveDate>,
    pub answer_kind: Option<String>,
    pub answer: Option<String>,
    pub disclosure_id: Option<Uuid>,
    pub answered_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
}

pub async fn insert_message(conn: &mut Conn, m: &Message) -> Result<(), DbError> {
    diesel::insert_into(public_messages::table)
        .values(m)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_message(
    conn: &mut Conn,
    id: MessageId,
    for_update: bool,
) -> Result<Message, DbError> {
    let q = public_messages::table
        .find(id.0)
        .select(Message::as_select());
    Ok(if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    })
}

pub async fn save_message(conn: &mut Conn, m: &Message) -> Result<Message, DbError> {
    Ok(diesel::update(public_messages::table.find(m.id))
        .set((
            public_messages::state.eq(&m.state),
            public_messages::forwarded_to.eq(m.forwarded_to),
            public_messages::forwarded_at.eq(m.forwarded_at),
            public_messages::feedback_due.eq(m.feedback_due),
            public_messages::answer_kind.eq(&m.answer_kind),
            public_messages::answer.eq(&m.answer),
            public_messages::disclosure_id.eq(m.disclosure_id),
            public_messages::answered_at.eq(m.answered_at),
            public_messages::published_at.eq(m.published_at),
            public_messages::version.eq(public_messages::version + 1),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await?)
}

/// Messages received by, or forwarded to, organisations inside the scope.
pub async fn messages_for(
    conn: &mut Conn,
    scope: &Scope,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Message>, DbError> {
    use crate::schema::organizations;
    let mut q = public_messages::table
        .select(Message::as_select())
        .order(public_messages::id)
        .limit(limit)
        .into_boxed();
    if let Some(pattern) = path_pattern(scope) {
        let received = organizations::table
            .filter(organizations::path.like(pattern.clone()))
            .select(organizations::id);
        let forwarded = organizations::table
            .filter(organizations::path.like(pattern))
            .select(organizations::id.nullable());
        q = q.filter(
            public_messages::organization_id
                .eq_any(received)
                .or(public_messages::forwarded_to.eq_any(forwarded)),
        );
    }
    if let Some(a) = after {
        q = q.filter(public_messages::id.gt(a));
    }
    Ok(q.load(conn).await?)
}

/// The echo wall: messages in the state `published`, newest first.
pub async fn echo_wall(
    conn: &mut Conn,
    published: MessageState,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Message>, DbError> {
    let mut q = public_messages::table
        .filter(public_messages::state.eq(published.as_str()))
        .select(Message::as_select())
        .order((
            public_messages::published_at.desc(),
            public_messages::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            public_messages::published_at
                .lt(at)
                .or(public_messages::published_at
                    .eq(at)
                    .and(public_messages::id.lt(id))),
        );
    }
    Ok(q.load(conn).await?)
}
