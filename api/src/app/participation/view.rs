//! Consultations, comments and messages as the API shows them: personal data masked and
//! contact details left out for the public.

use chrono::{DateTime, Utc};
use zhengwu_domain::participation::{
    self as rules, AnswerKind, CommentState, ConsultationState, MessageKind, MessageState,
};
use zhengwu_domain::pii;
use zhengwu_persistence::participation::{Comment, Consultation, Message};

use crate::app::AppResult;
use crate::error::ApiError;
use crate::routes::participation::dto::{CommentDto, ConsultationDto, MessageDto};

/// The text with the personal data found in it masked.
pub(super) fn masked(text: &str) -> String {
    pii::mask(text, &pii::scan(text))
}

pub(super) fn consultation_dto(c: Consultation, now: DateTime<Utc>) -> AppResult<ConsultationDto> {
    let state = ConsultationState::parse(&c.state).ok_or_else(ApiError::internal)?;
    Ok(ConsultationDto {
        accepting_comments: rules::accepts_comments(state, c.opens_at, c.closes_at, now).is_ok(),
        id: c.id,
        organization_id: c.organization_id,
        title: c.title,
        draft_text: c.draft_text,
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        state,
        feedback_summary: c.feedback_summary,
        summarized_at: c.summarized_at,
        version: c.version,
    })
}

/// A comment: everything for its moderators; for the public, masked and without contact.
pub(super) fn comment_dto(c: Comment, moderator: bool) -> CommentDto {
    CommentDto {
        id: c.id,
        display_name: c.display_name,
        text: if moderator { c.text } else { masked(&c.text) },
        state: CommentState::parse(&c.state).unwrap_or(CommentState::Pending),
        rejection_reason: if moderator { c.rejection_reason } else { None },
        adopted: c.adopted,
        adoption_note: c.adoption_note,
        submitted_at: c.submitted_at,
        contact: moderator.then_some(c.contact),
    }
}

/// A message; its submitter's name and contact for staff only.
pub(super) fn message_dto(m: Message, staff: bool, years_without_calendar: Vec<i32>) -> MessageDto {
    MessageDto {
        id: m.id,
        kind: MessageKind::parse(&m.kind).unwrap_or(MessageKind::TopicRequest),
        organization_id: m.organization_id,
        subject: m.subject,
        text: m.text,
        state: MessageState::parse(&m.state).unwrap_or(MessageState::Submitted),
        submitted_at: m.submitted_at,
        forwarded_to: m.forwarded_to,
        feedback_due: m.feedback_due,
        years_without_calendar,
        answer_kind: m.answer_kind.as_deref().and_then(AnswerKind::parse),
        answer: m.answer,
        disclosure_id: m.disclosure_id,
        answered_at: m.answered_at,
        published_at: m.published_at,
        submitter_name: if staff { m.submitter_name } else { None },
        contact: staff.then_some(m.contact),
        version: m.version,
    }
}
