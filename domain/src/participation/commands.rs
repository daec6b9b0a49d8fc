//! What the public and the officers ask of consultations and messages, parsed once:
//! texts trimmed and within their limits. Only these values are decided on and stored.

use crate::codes::Code;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{AnswerKind, MessageKind};
use crate::ids::{CommentId, DisclosureItemId, OrganizationId};
use crate::validation::{Errors, RuleViolation};

/// How to reach someone of the public: never shown to the public. Stored as serialised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicContact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl PublicContact {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }
}

/// A draft put out for comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsultation {
    pub organization_id: OrganizationId,
    pub title: String,
    pub draft_text: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// A consultation closes after it opens.
pub fn check_period(e: &mut Errors, opens_at: DateTime<Utc>, closes_at: DateTime<Utc>) {
    if closes_at <= opens_at {
        e.push(
            "closes_at",
            RuleViolation::new(Code::DateOrder, "closes after it opens"),
        );
    }
}

/// Whether a comment was adopted, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub comment_id: CommentId,
    pub adopted: bool,
    pub note: Option<String>,
}

/// The feedback summary (采纳情况) of a closed consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub summary: String,
    pub adoptions: Vec<Adoption>,
}

/// A comment on a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub text: String,
    pub display_name: Option<String>,
    pub contact: Option<PublicContact>,
}

/// Without an account a comment leaves a phone number or an e-mail.
pub fn check_comment_contact(e: &mut Errors, signed_in: bool, contact: Option<&PublicContact>) {
    match (signed_in, contact) {
        (false, None) => e.push(
            "contact",
            RuleViolation::new(
                Code::FieldRequiredWhen,
                "without an account, leave a phone number or e-mail (never shown)",
            ),
        ),
        (false, Some(c)) if c.is_empty() => e.push(
            "contact",
            RuleViolation::new(Code::FieldRequiredWhen, "a phone number or e-mail"),
        ),
        _ => {}
    }
}

/// A moderator's decision on a comment; a rejection gives its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Reject { reason: String },
}

/// A topic request or a message to a leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub organization_id: OrganizationId,
    pub subject: String,
    pub text: String,
    pub name: Option<String>,
    pub contact: Option<PublicContact>,
}

/// Without an account a message leaves a way to send the answer.
pub fn check_message_contact(e: &mut Errors, signed_in: bool, contact: Option<&PublicContact>) {
    if !signed_in && contact.is_none() {
        e.push(
            "contact",
            RuleViolation::new(
                Code::FieldRequiredWhen,
                "leave a phone number or e-mail for the answer (never public)",
            ),
        );
    }
}

/// The feedback notice (限时反馈) of a forwarded message: 1 to 60 working days.
pub const FEEDBACK_WORKING_DAYS: std::ops::RangeInclusive<u32> = 1..=60;

/// A message forwarded to the department that answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    pub organization_id: OrganizationId,
    pub working_days: u32,
}

impl Forward {
    pub fn new(organization_id: OrganizationId, working_days: u32) -> Result<Self, RuleViolation> {
        if !FEEDBACK_WORKING_DAYS.contains(&working_days) {
            return Err(RuleViolation::new(Code::Range, "1 to 60 working days"));
        }
        Ok(Forward {
            organization_id,
            working_days,
        })
    }
}

/// The answer to a forwarded message; a disclosed answer links the published item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub answer_kind: AnswerKind,
    pub answer: String,
    pub disclosure_id: Option<DisclosureItemId>,
}

impl Answer {
    /// Whether the answer must link a published disclosure item.
    pub fn needs_item(&self) -> bool {
        self.answer_kind == AnswerKind::Disclosed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_without_an_account() {
        let mut e = Errors::new();
        check_comment_contact(&mut e, false, Some(&PublicContact::default()));
        assert!(!e.is_empty());
        let mut e = Errors::new();
        check_comment_contact(&mut e, true, None);
        check_message_contact(&mut e, true, None);
        assert!(e.is_empty());
        let mut e = Errors::new();
        check_message_contact(&mut e, false, None);
        assert!(!e.is_empty());
    }

    #[test]
    fn a_feedback_notice_is_one_to_sixty_days() {
        let org = OrganizationId::new();
        assert!(Forward::new(org, 0).is_err());
        assert!(Forward::new(org, 61).is_err());
        assert!(Forward::new(org, 60).is_ok());
    }
}
