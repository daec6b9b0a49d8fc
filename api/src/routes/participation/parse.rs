//! Each body parsed once into its command: texts trimmed and within their limits, field
//! errors collected and answered together (422).

use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{CommentId, DisclosureItemId, OrganizationId};
use zhengwu_domain::participation::commands::{
    self as cmd, Adoption as AdoptionCmd, Answer, Forward, NewComment, NewConsultation, NewMessage,
    PublicContact, Summary,
};
use zhengwu_domain::validation::{self, Errors};

use super::dto::{
    AnswerIn, CommentIn, ContactIn, CreateConsultation, ForwardIn, MessageIn, ModerateIn,
    Moderation, SummaryIn,
};
use crate::error::{ApiError, ApiResult, AtField};

fn text(e: &mut Errors, field: &str, v: &str, max: usize) -> String {
    e.check(field, validation::text(v, max)).unwrap_or_default()
}

fn opt_text(e: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    e.check_opt(field, v, |x| validation::text(x, max))
}

fn done<T>(e: Errors, value: T) -> ApiResult<T> {
    e.finish()?;
    Ok(value)
}

impl ContactIn {
    /// The contact, each part checked and trimmed.
    pub fn parse(&self, e: &mut Errors) -> PublicContact {
        PublicContact {
            phone: e.check_opt("contact/phone", self.phone.as_deref(), validation::phone),
            email: e.check_opt("contact/email", self.email.as_deref(), validation::email),
        }
    }
}

impl CreateConsultation {
    pub fn parse(self) -> ApiResult<NewConsultation> {
        let mut e = Errors::new();
        let parsed = NewConsultation {
            organization_id: OrganizationId(self.organization_id),
            title: text(&mut e, "title", &self.title, 300),
            draft_text: text(&mut e, "draft_text", &self.draft_text, 200_000),
            opens_at: self.opens_at,
            closes_at: self.closes_at,
        };
        cmd::check_period(&mut e, self.opens_at, self.closes_at);
        done(e, parsed)
    }
}

impl SummaryIn {
    pub fn parse(self) -> ApiResult<Summary> {
        let summary = validation::text(&self.summary, 20_000).at("/summary")?;
        let adoptions = self
            .adoptions
            .into_iter()
            .map(|a| AdoptionCmd {
                comment_id: CommentId(a.comment_id),
                adopted: a.adopted,
                note: a
                    .note
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            })
            .collect();
        Ok(Summary { summary, adoptions })
    }
}

impl CommentIn {
    /// `signed_in`: whether the commenter has an account (else a contact is needed).
    pub fn parse(self, signed_in: bool) -> ApiResult<NewComment> {
        let mut e = Errors::new();
        let parsed = NewComment {
            text: text(&mut e, "text", &self.text, 5000),
            display_name: opt_text(&mut e, "display_name", self.display_name.as_deref(), 50),
            contact: self.contact.as_ref().map(|c| c.parse(&mut e)),
        };
        cmd::check_comment_contact(&mut e, signed_in, parsed.contact.as_ref());
        done(e, parsed)
    }
}

impl ModerateIn {
    pub fn parse(self) -> ApiResult<cmd::Moderation> {
        let reason = self
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        match (self.decision, reason) {
            (Moderation::Approved, _) => Ok(cmd::Moderation::Approve),
            (Moderation::Rejected, Some(r)) => Ok(cmd::Moderation::Reject {
                reason: r.to_owned(),
            }),
            (Moderation::Rejected, None) => Err(ApiError::field(
                "/reason",
                Code::FieldRequiredWhen,
                "a rejection gives its reason",
            )),
        }
    }
}

impl MessageIn {
    /// `signed_in`: whether the sender has an account (else a contact is needed).
    pub fn parse(self, signed_in: bool) -> ApiResult<NewMessage> {
        let mut e = Errors::new();
        let parsed = NewMessage {
            kind: self.kind,
            organization_id: OrganizationId(self.organization_id),
            subject: text(&mut e, "subject", &self.subject, 200),
            text: text(&mut e, "text", &self.text, 5000),
            name: opt_text(&mut e, "name", self.name.as_deref(), 50),
            contact: self.contact.as_ref().map(|c| c.parse(&mut e)),
        };
        cmd::check_message_contact(&mut e, signed_in, parsed.contact.as_ref());
        done(e, parsed)
    }
}

impl ForwardIn {
    pub fn parse(self) -> ApiResult<Forward> {
        Forward::new(OrganizationId(self.organization_id), self.working_days).at("/working_days")
    }
}

impl AnswerIn {
    pub fn parse(self) -> ApiResult<Answer> {
        let answer = validation::text(&self.answer, 5000).at("/answer")?;
        Ok(Answer {
            answer_kind: self.answer_kind,
            answer,
            disclosure_id: self.disclosure_id.map(DisclosureItemId),
        })
    }
}
